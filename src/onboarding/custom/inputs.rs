//! The Custom form's questions, one component per kind: a labelled text input, a choice from a
//! list, the business type, the product description, the date of birth, the terms. Each says
//! its problem under itself (`aria-invalid`, `aria-describedby`); leaving an answer checks it,
//! and typing into a wrong one checks it again, so the message goes as soon as it is fixed.

use leptos::prelude::*;

use super::fields::{COUNTRIES, Field, needs_state, value};
use super::state::FormState;
use crate::i18n::seller::SellerStrings;
use crate::seller::field::{FieldErrors, FieldNotes};
use crate::seller::format::country_name;

/// What every question of one form needs. `Copy`: each part is a handle or a plain value.
#[derive(Clone, Copy, Debug)]
pub struct FormContext {
    pub state: FormState,
    pub strings: &'static SellerStrings,
    /// Today as (year, month, day), for the age check.
    pub today: (u16, u8, u8),
    /// Show Stripe's test values as hints (sandbox and test mode).
    pub test_hints: bool,
    /// The locale country names are written for.
    pub locale: StoredValue<Option<String>>,
}

impl FormContext {
    fn recheck(self, field: Field, always: bool) {
        self.state.recheck(field, always, self.today, self.strings);
    }

    fn error(self, field: Field) -> Signal<Option<String>> {
        Signal::derive(self.state.errors.words_of(field))
    }

    fn invalid(self, field: Field) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        self.state.errors.invalid(field)
    }

    /// `hint`, in sandbox and test mode only.
    fn sandbox(self, hint: &'static str) -> Option<String> {
        self.test_hints.then(|| hint.to_owned())
    }
}

/// The question for `field`.
#[component]
pub fn Question(form: FormContext, field: Field) -> impl IntoView {
    let strings = form.strings;
    let text = move |kind, autocomplete, hint| {
        view! { <TextQuestion form field kind autocomplete hint /> }.into_any()
    };
    match field {
        Field::BusinessType => view! { <BusinessTypeQuestion form /> }.into_any(),
        Field::BusinessUrl => text("url", "url", Some(strings.business_url_hint.to_owned())),
        Field::ProductDescription => view! { <DescriptionQuestion form /> }.into_any(),
        Field::Mcc => {
            let options = std::iter::once(("", strings.mcc_choose))
                .chain(strings.mcc_options.iter().copied())
                .map(|(code, name)| (code.to_owned(), name.to_owned()))
                .collect();
            view! { <ChoiceQuestion form field options /> }.into_any()
        }
        Field::FirstName => text("text", "given-name", None),
        Field::LastName => text("text", "family-name", None),
        Field::Email => text("email", "email", None),
        Field::Phone => text("tel", "tel", form.sandbox(strings.phone_hint_sandbox)),
        Field::Dob => view! { <BirthDateQuestion form /> }.into_any(),
        Field::Line1 => text(
            "text",
            "address-line1",
            form.sandbox(strings.address_hint_sandbox),
        ),
        Field::Line2 => text("text", "address-line2", None),
        Field::City => text("text", "address-level2", None),
        Field::State => {
            let country = form.state.answer("country");
            let input = text("text", "address-level1", None);
            view! { <div class="cs-subfield" hidden=move || !needs_state(&country())>{input}</div> }
                .into_any()
        }
        Field::PostalCode => text("text", "postal-code", None),
        Field::Country => {
            let options = country_options(form);
            view! {
                <ChoiceQuestion form field options autocomplete="country" also=Field::State />
            }
            .into_any()
        }
        Field::IdNumber => text("text", "off", identity_hint(form)),
        Field::SsnLast4 => text("text", "off", None),
        Field::AccountHolder => text("text", "name", None),
        Field::RoutingNumber => text("text", "off", None),
        Field::AccountNumber => {
            let mut hint = strings.bank_hint.to_owned();
            if form.test_hints {
                hint.push(' ');
                hint.push_str(strings.bank_hint_sandbox);
            }
            text("text", "off", Some(hint))
        }
        Field::AcceptTerms => view! { <TermsQuestion form /> }.into_any(),
    }
}

/// The ID number's hint: that the last four digits can do instead, and Stripe's test value.
fn identity_hint(form: FormContext) -> Option<String> {
    let either = form
        .state
        .due
        .with_untracked(|due| due.asks(Field::SsnLast4));
    let mut hint = if either {
        form.strings.identity_hint.to_owned()
    } else {
        String::new()
    };
    if form.test_hints {
        if !hint.is_empty() {
            hint.push(' ');
        }
        hint.push_str(form.strings.identity_hint_sandbox);
    }
    (!hint.is_empty()).then_some(hint)
}

/// The countries offered, by name in the seller's language, with the answer's own country.
fn country_options(form: FormContext) -> Vec<(String, String)> {
    let own = untrack(form.state.answer("country"));
    form.locale.with_value(|locale| {
        let name = |code: &str| country_name(code, locale.as_deref());
        let mut names: Vec<(String, String)> = COUNTRIES
            .iter()
            .map(|code| ((*code).to_owned(), name(code)))
            .collect();
        if !own.is_empty() && !names.iter().any(|(code, _)| *code == own) {
            names.push((own.clone(), name(&own)));
        }
        names.sort_by(|a, b| a.1.cmp(&b.1));
        names
    })
}

/// One labelled input, its hint and its error.
#[component]
fn TextQuestion(
    form: FormContext,
    field: Field,
    /// The input's `type`.
    kind: &'static str,
    autocomplete: &'static str,
    hint: Option<String>,
) -> impl IntoView {
    let key = field.key();
    let id = field.input_id();
    let described = if hint.is_some() {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    };
    let optional = matches!(field, Field::Line2 | Field::ProductDescription)
        .then(|| view! { " " <span class="cs-muted">{form.strings.optional}</span> });
    let inputmode = matches!(
        field,
        Field::RoutingNumber | Field::AccountNumber | Field::SsnLast4 | Field::IdNumber
    )
    .then_some("numeric");
    view! {
        <div class="cs-field" data-field=key>
            <label for=id.clone()>{field.label(form.strings)}{optional}</label>
            <input
                id=id.clone()
                class="cs-input"
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                aria-describedby=described
                aria-invalid=form.invalid(field)
                prop:value=form.state.answer(key)
                on:input=move |event| {
                    form.state.set_answer(key, event_target_value(&event));
                    form.recheck(field, false);
                }
                on:change=move |_| form.recheck(field, true)
            />
            <FieldNotes stem=id hint error=form.error(field) />
        </div>
    }
}

/// A choice from `options` (value, name), its error under it; choosing checks it, and `also`.
#[component]
fn ChoiceQuestion(
    form: FormContext,
    field: Field,
    options: Vec<(String, String)>,
    #[prop(optional, into)] autocomplete: Option<&'static str>,
    /// A question whose answer depends on this one.
    #[prop(optional, into)]
    also: Option<Field>,
) -> impl IntoView {
    let key = field.key();
    let id = field.input_id();
    let answer = form.state.answer(key);
    let chosen = untrack(answer);
    let options = options
        .into_iter()
        .map(|(code, name)| {
            let selected = code == chosen;
            view! { <option value=code selected=selected>{name}</option> }
        })
        .collect_view();
    view! {
        <div class="cs-field" data-field=key>
            <label for=id.clone()>{field.label(form.strings)}</label>
            <select
                id=id.clone()
                class="cs-input"
                autocomplete=autocomplete
                aria-describedby=format!("{id}-error")
                aria-invalid=form.invalid(field)
                prop:value=answer
                on:change=move |event| {
                    form.state.set_answer(key, event_target_value(&event));
                    form.recheck(field, true);
                    if let Some(other) = also {
                        form.recheck(other, false);
                    }
                }
            >
                {options}
            </select>
            <FieldNotes stem=id error=form.error(field) />
        </div>
    }
}

/// The business type: individual, the one kind the form signs up.
#[component]
fn BusinessTypeQuestion(form: FormContext) -> impl IntoView {
    let (field, strings) = (Field::BusinessType, form.strings);
    let id = field.input_id();
    let answer = form.state.answer("business_type");
    view! {
        <fieldset class="cs-field cs-radios" data-field="business_type" aria-describedby="cs-f-business_type-hint cs-f-business_type-error">
            <legend>{strings.business_type}</legend>
            <div class="cs-radio">
                <input
                    id=id.clone()
                    type="radio"
                    name="cs-business-type"
                    value="individual"
                    aria-invalid=form.invalid(field)
                    prop:checked=move || answer() == "individual"
                    on:change=move |_| {
                        form.state.set_answer("business_type", "individual".to_owned());
                        form.recheck(field, true);
                    }
                />
                <label for=id.clone()>{strings.business_individual}</label>
            </div>
            <FieldNotes stem=id hint=strings.business_type_hint.to_owned() error=form.error(field) />
        </fieldset>
    }
}

/// What the business sells, optional: it can stand in for the website.
#[component]
fn DescriptionQuestion(form: FormContext) -> impl IntoView {
    let strings = form.strings;
    let id = Field::ProductDescription.input_id();
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
                prop:value=form.state.answer("product_description")
                on:input=move |event| {
                    form.state.set_answer("product_description", event_target_value(&event));
                    form.recheck(Field::BusinessUrl, false);
                }
            ></textarea>
            <p id="cs-f-product_description-hint" class="cs-hint">{strings.product_description_hint}</p>
        </div>
    }
}

/// The date of birth: day, month and year, one question; checked once all three are there.
#[component]
fn BirthDateQuestion(form: FormContext) -> impl IntoView {
    let strings = form.strings;
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
                    aria-invalid=form.invalid(Field::Dob)
                    prop:value=form.state.answer(key)
                    on:input=move |event| {
                        form.state.set_answer(key, event_target_value(&event));
                        form.recheck(Field::Dob, false);
                    }
                    on:change=move |_| {
                        let complete = form.state.values.with_untracked(|v| {
                            !value(v, "dob_day").is_empty()
                                && !value(v, "dob_month").is_empty()
                                && value(v, "dob_year").len() == 4
                        });
                        form.recheck(Field::Dob, complete);
                    }
                />
            </div>
        }
    };
    let hint = form.sandbox(strings.dob_hint_sandbox).unwrap_or_default();
    view! {
        <fieldset class="cs-field cs-date" data-field="dob">
            <legend>{strings.dob}</legend>
            <div class="cs-date-parts">
                {part("dob_day", strings.dob_day, "bday-day", "2")}
                {part("dob_month", strings.dob_month, "bday-month", "2")}
                {part("dob_year", strings.dob_year, "bday-year", "4")}
            </div>
            <FieldNotes stem="cs-f-dob" hint error=form.error(Field::Dob) />
        </fieldset>
    }
}

/// Stripe's terms, accepted with a checkbox.
#[component]
fn TermsQuestion(form: FormContext) -> impl IntoView {
    let (field, strings) = (Field::AcceptTerms, form.strings);
    let id = field.input_id();
    let answer = form.state.answer("accept_terms");
    view! {
        <div class="cs-field" data-field="accept_terms">
            <p class="cs-terms">{strings.terms_text}</p>
            <div class="cs-checkbox">
                <input
                    id=id.clone()
                    type="checkbox"
                    aria-describedby="cs-f-accept_terms-error"
                    aria-invalid=form.invalid(field)
                    prop:checked=move || answer() == "on"
                    on:change=move |event| {
                        let checked = event_target_checked(&event);
                        form.state.set_answer("accept_terms", if checked { "on" } else { "" }.to_owned());
                        form.recheck(field, true);
                    }
                />
                <label for=id.clone()>{strings.accept_terms}</label>
            </div>
            <FieldNotes stem=id error=form.error(field) />
        </div>
    }
}
