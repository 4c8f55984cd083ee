//! The Custom form's markup: a pure function of [`FormState`]. One step at a time (only steps
//! with something due), each answer checked when the seller leaves it and again on Continue,
//! each problem said under its own field (`aria-invalid`, `aria-describedby`) and counted in an
//! alert; the focus moves to the new step's heading, or to the first answer to fix.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::fields::{Due, Field, Step, Values, check, check_step, needs_state, value};
use crate::i18n::seller::SellerStrings;
use crate::seller::format::country_name;

/// Where the form is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormPhase {
    /// The seller is answering.
    Editing,
    /// The answers went to Stripe.js (the bank token) and the function; nothing can change.
    Submitting,
    /// Stripe has everything the form asked for.
    Sent,
}

/// Every value the form shows. `Copy`: each field is a handle to a signal.
#[derive(Clone, Copy, Debug)]
pub struct FormState {
    pub due: RwSignal<Due>,
    /// Index into `due.steps()`.
    pub step: RwSignal<usize>,
    pub values: RwSignal<Values>,
    pub errors: RwSignal<Vec<(Field, String)>>,
    pub phase: RwSignal<FormPhase>,
    /// Said in the alert region: how many answers need fixing, or what went wrong.
    pub summary: RwSignal<Option<String>>,
}

impl FormState {
    pub fn new(due: Due, values: Values) -> Self {
        Self {
            due: RwSignal::new(due),
            step: RwSignal::new(0),
            values: RwSignal::new(values),
            errors: RwSignal::new(Vec::new()),
            phase: RwSignal::new(FormPhase::Editing),
            summary: RwSignal::new(None),
        }
    }

    /// The step on screen.
    pub fn current_step(&self) -> Option<Step> {
        let steps = self.due.with(Due::steps);
        steps.get(self.step.get()).copied()
    }

    /// Shows `errors` against their fields: the form goes to the step of the first, says how
    /// many there are, and puts the focus on it.
    pub fn show_errors(&self, errors: Vec<(Field, String)>, strings: &SellerStrings) {
        let Some(first) = errors.first().map(|(field, _)| *field) else {
            return;
        };
        let steps = self.due.with_untracked(Due::steps);
        if let Some(index) = steps.iter().position(|step| *step == first.step()) {
            self.step.set(index);
        }
        self.summary.set(Some(
            strings
                .form_invalid
                .replace("{count}", &errors.len().to_string()),
        ));
        self.errors.set(errors);
        focus_later(first.input_id());
    }
}

/// Focuses the element `id` once the current change is on screen.
pub fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document().get_element_by_id(&id)
            && let Ok(element) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element)
        {
            let _ = element.focus();
        }
    });
}

/// The countries the form offers for an address (Stripe's Connect countries that use these
/// fields); the account's own country is added when it is not among them.
pub const COUNTRIES: [&str; 23] = [
    "US", "CA", "GB", "IE", "FR", "DE", "ES", "IT", "NL", "BE", "AT", "PT", "FI", "SE", "DK", "NO",
    "CH", "PL", "AU", "NZ", "JP", "SG", "HK",
];

/// The form for what a Custom account still owes Stripe.
#[component]
pub fn CustomFormView(
    /// The values to show; the page (or a browser test) drives them.
    state: FormState,
    /// The words, in the seller's language.
    strings: &'static SellerStrings,
    /// Show Stripe's test values as hints (sandbox and test mode).
    #[prop(optional)]
    test_hints: bool,
    /// The locale country names are written for.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Today as (year, month, day), for the age check.
    today: (u16, u8, u8),
    /// The last step was continued with every answer valid: send them. Called once per press:
    /// the phase is already `Submitting`.
    #[prop(into)]
    on_submit: UnsyncCallback<()>,
) -> impl IntoView {
    let locale = StoredValue::new(locale);
    let steps = Memo::new(move |_| state.due.with(Due::steps));
    let step_count = move || steps.with(Vec::len);
    let current = Memo::new(move |_| steps.with(|s| s.get(state.step.get()).copied()));
    let is_last = move || state.step.get() + 1 >= step_count();
    let submitting = move || state.phase.get() == FormPhase::Submitting;

    let set_error = move |field: Field, error: Option<String>| {
        state.errors.update(|errors| {
            errors.retain(|(f, _)| *f != field);
            if let Some(error) = error {
                errors.push((field, error));
            }
        });
    };
    // Leaving an answer checks it; typing into one that was wrong checks it again, so the
    // message goes as soon as it is fixed.
    let recheck = move |field: Field, always: bool| {
        let had_error = state
            .errors
            .with_untracked(|errors| errors.iter().any(|(f, _)| *f == field));
        if !always && !had_error {
            return;
        }
        let words = state.values.with_untracked(|values| {
            state
                .due
                .with_untracked(|due| check(field, values, due, today, strings))
        });
        set_error(field, words.map(str::to_owned));
    };

    let next = move |event: SubmitEvent| {
        event.prevent_default();
        if state.phase.get_untracked() != FormPhase::Editing {
            return;
        }
        let Some(step) = current.get_untracked() else {
            return;
        };
        let problems = state.values.with_untracked(|values| {
            state
                .due
                .with_untracked(|due| check_step(step, values, due, today, strings))
        });
        if !problems.is_empty() {
            // Keep the messages of other steps (the function's, Stripe's), replace this one's.
            let mut errors = state.errors.get_untracked();
            errors.retain(|(field, _)| field.step() != step);
            let count = problems.len();
            let first = problems[0].0;
            errors.extend(problems);
            state.errors.set(errors);
            state.summary.set(Some(
                strings.form_invalid.replace("{count}", &count.to_string()),
            ));
            focus_later(first.input_id());
            return;
        }
        state.summary.set(None);
        if is_last() {
            state.phase.set(FormPhase::Submitting);
            on_submit.run(());
        } else {
            state.step.update(|index| *index += 1);
            focus_later("cs-step-title".to_owned());
        }
    };
    let back = move |_| {
        if state.step.get_untracked() > 0 {
            state.summary.set(None);
            state.step.update(|index| *index -= 1);
            focus_later("cs-step-title".to_owned());
        }
    };

    let error_of = move |field: Field| {
        move || {
            state.errors.with(|errors| {
                errors
                    .iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, words)| words.clone())
            })
        }
    };
    let invalid = move |field: Field| {
        move || {
            state
                .errors
                .with(|errors| errors.iter().any(|(f, _)| *f == field))
                .to_string()
        }
    };
    let text_of = move |key: &'static str| {
        move || {
            state
                .values
                .with(|values| values.get(key).cloned().unwrap_or_default())
        }
    };
    let set_value = move |key: &'static str, text: String| {
        state.values.update(|values| {
            values.insert(key, text);
        });
    };

    // One labelled input, its hint and its error.
    let text_field = move |field: Field,
                           kind: &'static str,
                           autocomplete: &'static str,
                           hint: Option<String>| {
        let key = field.key();
        let id = field.input_id();
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let described = if hint.is_some() {
            format!("{hint_id} {error_id}")
        } else {
            error_id.clone()
        };
        let optional = matches!(field, Field::Line2 | Field::ProductDescription)
            .then(|| view! { " " <span class="cs-muted">{strings.optional}</span> });
        let inputmode = match field {
            Field::RoutingNumber | Field::AccountNumber | Field::SsnLast4 | Field::IdNumber => {
                Some("numeric")
            }
            _ => None,
        };
        view! {
            <div class="cs-field" data-field=key>
                <label for=id.clone()>{field.label(strings)}{optional}</label>
                <input
                    id=id
                    class="cs-input"
                    type=kind
                    autocomplete=autocomplete
                    inputmode=inputmode
                    aria-describedby=described
                    aria-invalid=invalid(field)
                    prop:value=text_of(key)
                    on:input=move |event| {
                        set_value(key, event_target_value(&event));
                        recheck(field, false);
                    }
                    on:change=move |_| recheck(field, true)
                />
                {hint.map(|hint| view! { <p id=hint_id class="cs-hint">{hint}</p> })}
                <p id=error_id class="cs-error" data-role="field-error">{error_of(field)}</p>
            </div>
        }
        .into_any()
    };

    let field_view = move |field: Field| -> AnyView {
        let sandbox = |hint: &'static str| test_hints.then(|| hint.to_owned());
        match field {
            Field::BusinessType => {
                let id = field.input_id();
                view! {
                    <fieldset class="cs-field cs-radios" data-field="business_type" aria-describedby="cs-f-business_type-hint cs-f-business_type-error">
                        <legend>{strings.business_type}</legend>
                        <div class="cs-radio">
                            <input
                                id=id.clone()
                                type="radio"
                                name="cs-business-type"
                                value="individual"
                                aria-invalid=invalid(field)
                                prop:checked=move || text_of("business_type")() == "individual"
                                on:change=move |_| {
                                    set_value("business_type", "individual".to_owned());
                                    recheck(field, true);
                                }
                            />
                            <label for=id>{strings.business_individual}</label>
                        </div>
                        <p id="cs-f-business_type-hint" class="cs-hint">{strings.business_type_hint}</p>
                        <p id="cs-f-business_type-error" class="cs-error" data-role="field-error">{error_of(field)}</p>
                    </fieldset>
                }
                .into_any()
            }
            Field::BusinessUrl => text_field(
                field,
                "url",
                "url",
                Some(strings.business_url_hint.to_owned()),
            ),
            Field::ProductDescription => {
                let id = field.input_id();
                view! {
                    <div class="cs-field" data-field="product_description">
                        <label for=id.clone()>
                            {strings.product_description} " "
                            <span class="cs-muted">{strings.optional}</span>
                        </label>
                        <textarea
                            id=id
                            class="cs-input"
                            rows="2"
                            maxlength="500"
                            aria-describedby="cs-f-product_description-hint"
                            prop:value=text_of("product_description")
                            on:input=move |event| {
                                set_value("product_description", event_target_value(&event));
                                recheck(Field::BusinessUrl, false);
                            }
                        ></textarea>
                        <p id="cs-f-product_description-hint" class="cs-hint">{strings.product_description_hint}</p>
                    </div>
                }
                .into_any()
            }
            Field::Mcc => {
                let id = field.input_id();
                let options = strings
                    .mcc_options
                    .iter()
                    .map(|(code, name)| {
                        let selected = untrack(text_of("mcc")) == *code;
                        view! { <option value=*code selected=selected>{*name}</option> }
                    })
                    .collect_view();
                view! {
                    <div class="cs-field" data-field="mcc">
                        <label for=id.clone()>{strings.mcc}</label>
                        <select
                            id=id
                            class="cs-input"
                            aria-describedby="cs-f-mcc-error"
                            aria-invalid=invalid(field)
                            prop:value=text_of("mcc")
                            on:change=move |event| {
                                set_value("mcc", event_target_value(&event));
                                recheck(field, true);
                            }
                        >
                            <option value="">{strings.mcc_choose}</option>
                            {options}
                        </select>
                        <p id="cs-f-mcc-error" class="cs-error" data-role="field-error">{error_of(field)}</p>
                    </div>
                }
                .into_any()
            }
            Field::FirstName => text_field(field, "text", "given-name", None),
            Field::LastName => text_field(field, "text", "family-name", None),
            Field::Email => text_field(field, "email", "email", None),
            Field::Phone => text_field(field, "tel", "tel", sandbox(strings.phone_hint_sandbox)),
            Field::Dob => {
                let part = move |key: &'static str,
                                 label: &'static str,
                                 autocomplete: &'static str,
                                 size: &'static str| {
                    let id = format!("cs-f-{key}");
                    view! {
                        <div class="cs-date-part">
                            <label for=id.clone()>{label}</label>
                            <input
                                id=id
                                class="cs-input"
                                inputmode="numeric"
                                autocomplete=autocomplete
                                maxlength=size
                                size=size
                                aria-describedby="cs-f-dob-hint cs-f-dob-error"
                                aria-invalid=invalid(Field::Dob)
                                prop:value=text_of(key)
                                on:input=move |event| {
                                    set_value(key, event_target_value(&event));
                                    recheck(Field::Dob, false);
                                }
                                on:change=move |_| {
                                    let complete = state.values.with_untracked(|v| {
                                        !value(v, "dob_day").is_empty()
                                            && !value(v, "dob_month").is_empty()
                                            && value(v, "dob_year").len() == 4
                                    });
                                    recheck(Field::Dob, complete);
                                }
                            />
                        </div>
                    }
                };
                view! {
                    <fieldset class="cs-field cs-date" data-field="dob">
                        <legend>{strings.dob}</legend>
                        <div class="cs-date-parts">
                            {part("dob_day", strings.dob_day, "bday-day", "2")}
                            {part("dob_month", strings.dob_month, "bday-month", "2")}
                            {part("dob_year", strings.dob_year, "bday-year", "4")}
                        </div>
                        <p id="cs-f-dob-hint" class="cs-hint">{sandbox(strings.dob_hint_sandbox)}</p>
                        <p id="cs-f-dob-error" class="cs-error" data-role="field-error">{error_of(Field::Dob)}</p>
                    </fieldset>
                }
                .into_any()
            }
            Field::Line1 => text_field(
                field,
                "text",
                "address-line1",
                sandbox(strings.address_hint_sandbox),
            ),
            Field::Line2 => text_field(field, "text", "address-line2", None),
            Field::City => text_field(field, "text", "address-level2", None),
            Field::State => {
                let shown = move || needs_state(&text_of("country")());
                let input = text_field(field, "text", "address-level1", None);
                view! { <div class="cs-subfield" hidden=move || !shown()>{input}</div> }.into_any()
            }
            Field::PostalCode => text_field(field, "text", "postal-code", None),
            Field::Country => {
                let id = field.input_id();
                let chosen = untrack(text_of("country"));
                let mut codes: Vec<&str> = COUNTRIES.to_vec();
                let own = chosen.clone();
                let options = locale.with_value(|l| {
                    let mut names: Vec<(String, String)> = codes
                        .drain(..)
                        .map(|code| (code.to_owned(), country_name(code, l.as_deref())))
                        .collect();
                    if !own.is_empty() && !names.iter().any(|(code, _)| *code == own) {
                        names.push((own.clone(), country_name(&own, l.as_deref())));
                    }
                    names.sort_by(|a, b| a.1.cmp(&b.1));
                    names
                });
                let options = options
                    .into_iter()
                    .map(|(code, name)| {
                        let selected = code == chosen;
                        view! { <option value=code selected=selected>{name}</option> }
                    })
                    .collect_view();
                view! {
                    <div class="cs-field" data-field="country">
                        <label for=id.clone()>{strings.address_country}</label>
                        <select
                            id=id
                            class="cs-input"
                            autocomplete="country"
                            aria-describedby="cs-f-country-error"
                            aria-invalid=invalid(field)
                            prop:value=text_of("country")
                            on:change=move |event| {
                                set_value("country", event_target_value(&event));
                                recheck(field, true);
                                recheck(Field::State, false);
                            }
                        >
                            {options}
                        </select>
                        <p id="cs-f-country-error" class="cs-error" data-role="field-error">{error_of(field)}</p>
                    </div>
                }
                .into_any()
            }
            Field::IdNumber => {
                let hint = state.due.with_untracked(|due| {
                    let either = due.asks(Field::SsnLast4);
                    let mut hint = if either {
                        strings.identity_hint.to_owned()
                    } else {
                        String::new()
                    };
                    if test_hints {
                        if !hint.is_empty() {
                            hint.push(' ');
                        }
                        hint.push_str(strings.identity_hint_sandbox);
                    }
                    (!hint.is_empty()).then_some(hint)
                });
                text_field(field, "text", "off", hint)
            }
            Field::SsnLast4 => text_field(field, "text", "off", None),
            Field::AccountHolder => text_field(field, "text", "name", None),
            Field::RoutingNumber => text_field(field, "text", "off", None),
            Field::AccountNumber => {
                let mut hint = strings.bank_hint.to_owned();
                if test_hints {
                    hint.push(' ');
                    hint.push_str(strings.bank_hint_sandbox);
                }
                text_field(field, "text", "off", Some(hint))
            }
            Field::AcceptTerms => {
                let id = field.input_id();
                view! {
                    <div class="cs-field" data-field="accept_terms">
                        <p class="cs-terms">{strings.terms_text}</p>
                        <div class="cs-checkbox">
                            <input
                                id=id.clone()
                                type="checkbox"
                                aria-describedby="cs-f-accept_terms-error"
                                aria-invalid=invalid(field)
                                prop:checked=move || text_of("accept_terms")() == "on"
                                on:change=move |event| {
                                    let checked = event_target_checked(&event);
                                    set_value("accept_terms", if checked { "on" } else { "" }.to_owned());
                                    recheck(field, true);
                                }
                            />
                            <label for=id>{strings.accept_terms}</label>
                        </div>
                        <p id="cs-f-accept_terms-error" class="cs-error" data-role="field-error">{error_of(field)}</p>
                    </div>
                }
                .into_any()
            }
        }
    };

    // The step on screen; re-made only when the step (or what is due) changes, so typing keeps
    // the focus.
    let step_view = move || {
        let step = current.get()?;
        let index = state.step.get();
        let fields = state.due.with(|due| due.fields_of(step));
        let title = strings
            .step_of
            .replace("{step}", &(index + 1).to_string())
            .replace("{total}", &step_count().to_string())
            .replace("{name}", step.title(strings));
        Some(view! {
            <fieldset class="cs-fieldset cs-step" data-step=format!("{step:?}").to_lowercase() disabled=submitting>
                <legend class="cs-visually-hidden">{step.title(strings)}</legend>
                <h3 id="cs-step-title" tabindex="-1" data-role="step-title">{title}</h3>
                {fields.into_iter().map(field_view).collect_view()}
            </fieldset>
        })
    };

    let progress = move || {
        let index = state.step.get();
        steps
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, step)| {
                let current = (i == index).then_some("step");
                view! {
                    <li class:cs-done=i < index aria-current=current>{step.title(strings)}</li>
                }
            })
            .collect_view()
    };

    view! {
        <section class="cs-card cs-form" data-role="custom-form" data-phase=move || match state.phase.get() {
            FormPhase::Editing => "editing",
            FormPhase::Submitting => "submitting",
            FormPhase::Sent => "sent",
        } aria-labelledby="cs-form-title">
            <h2 id="cs-form-title">{strings.form_title}</h2>
            <p class="cs-success" role="status" hidden=move || state.phase.get() != FormPhase::Sent data-role="form-sent">
                {strings.form_sent}
            </p>
            <div hidden=move || state.phase.get() == FormPhase::Sent>
                <ol class="cs-progress" aria-label=strings.form_title hidden=move || step_count() < 2>
                    {progress}
                </ol>
                <form novalidate on:submit=next>
                    {step_view}
                    <div class="cs-actions">
                        <button
                            type="submit"
                            class="cs-button cs-primary"
                            data-role="form-next"
                            disabled=submitting
                            aria-busy=move || submitting().to_string()
                        >
                            {move || if submitting() { strings.submitting } else if is_last() { strings.submit } else { strings.next }}
                        </button>
                        <button
                            type="button"
                            class="cs-button"
                            data-role="form-back"
                            hidden=move || state.step.get() == 0
                            disabled=submitting
                            on:click=back
                        >
                            {strings.back}
                        </button>
                    </div>
                </form>
                <p class="cs-error cs-summary" role="alert" data-role="form-summary">{move || state.summary.get()}</p>
            </div>
        </section>
    }
}
