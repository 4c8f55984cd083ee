//! The first step of onboarding: what each kind of account means for the seller and the
//! platform, in plain words (who signs the seller up, which dashboard they get, who pays
//! Stripe's fees and carries losses), only the kinds the platform offers, and the seller's email
//! and country. [`ChooseView`] is a pure function of [`ChooseState`].

use connect_checkout_core::api::AccountKind;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::custom::COUNTRIES;
use super::custom::view::focus_later;
use crate::i18n::seller::{KindWords, SellerStrings};
use crate::seller::format::country_name;

/// Where the create form is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreatePhase {
    /// Waiting for the platform's configuration (which kinds it offers).
    Loading,
    Editing,
    /// `POST /api/sellers` is under way: nothing can be pressed.
    Creating,
    /// The account exists; the page is leaving for Stripe's onboarding (or the form).
    Leaving,
}

/// A request to create an account, as the seller filled it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signup {
    pub kind: AccountKind,
    pub email: String,
    pub country: String,
}

/// Everything the create form shows. `Copy`: each field is a handle to a signal.
#[derive(Clone, Copy, Debug)]
pub struct ChooseState {
    pub kinds: RwSignal<Vec<AccountKind>>,
    pub kind: RwSignal<Option<AccountKind>>,
    pub email: RwSignal<String>,
    pub country: RwSignal<String>,
    /// Per field (`kind`, `email`, `country`): what to fix.
    pub errors: RwSignal<Vec<(&'static str, String)>>,
    pub phase: RwSignal<CreatePhase>,
    /// What went wrong with the request, in words.
    pub problem: RwSignal<Option<String>>,
}

impl ChooseState {
    pub fn new() -> Self {
        Self {
            kinds: RwSignal::new(Vec::new()),
            kind: RwSignal::new(None),
            email: RwSignal::new(String::new()),
            country: RwSignal::new("US".to_owned()),
            errors: RwSignal::new(Vec::new()),
            phase: RwSignal::new(CreatePhase::Loading),
            problem: RwSignal::new(None),
        }
    }

    /// The kinds the platform offers; with only one, it is chosen.
    pub fn offer(&self, kinds: Vec<AccountKind>) {
        if let [only] = kinds.as_slice() {
            self.kind.set(Some(*only));
        }
        self.kinds.set(kinds);
        self.phase.set(CreatePhase::Editing);
    }
}

impl Default for ChooseState {
    fn default() -> Self {
        Self::new()
    }
}

/// The words of `kind`.
pub fn kind_words(kind: AccountKind, strings: &'static SellerStrings) -> &'static KindWords {
    match kind {
        AccountKind::Express => &strings.express,
        AccountKind::Standard => &strings.standard,
        AccountKind::Custom => &strings.custom,
    }
}

fn plausible_email(email: &str) -> bool {
    email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace)
}

/// The signup, or every field that needs fixing.
pub fn check_signup(
    state: &ChooseState,
    strings: &SellerStrings,
) -> Result<Signup, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let kind = state.kind.get_untracked();
    if kind.is_none() {
        errors.push(("kind", strings.kind_missing.to_owned()));
    }
    let email = state.email.get_untracked().trim().to_owned();
    if !plausible_email(&email) {
        errors.push(("email", strings.email_invalid.to_owned()));
    }
    let country = state.country.get_untracked();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(("country", strings.country_invalid.to_owned()));
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(Signup {
            kind,
            email,
            country,
        }),
        _ => Err(errors),
    }
}

/// The kinds of account explained, and the create form.
#[component]
pub fn ChooseView(
    /// The values to show; the page (or a browser test) drives them.
    state: ChooseState,
    /// The words, in the seller's language.
    strings: &'static SellerStrings,
    /// The locale country names are written for.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Create was pressed with every answer valid. Called once per press: the phase is
    /// already `Creating`.
    #[prop(into)]
    on_create: UnsyncCallback<Signup>,
) -> impl IntoView {
    let error_of = move |name: &'static str| {
        move || {
            state.errors.with(|errors| {
                errors
                    .iter()
                    .find(|(f, _)| *f == name)
                    .map(|(_, w)| w.clone())
            })
        }
    };
    let invalid = move |name: &'static str| {
        move || {
            state
                .errors
                .with(|errors| errors.iter().any(|(f, _)| *f == name))
                .to_string()
        }
    };
    let clear = move |name: &'static str| {
        state
            .errors
            .update(|errors| errors.retain(|(f, _)| *f != name))
    };
    let busy = move || {
        matches!(
            state.phase.get(),
            CreatePhase::Creating | CreatePhase::Leaving
        )
    };

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if state.phase.get_untracked() != CreatePhase::Editing {
            return;
        }
        match check_signup(&state, strings) {
            Ok(signup) => {
                state.errors.set(Vec::new());
                state.problem.set(None);
                state.phase.set(CreatePhase::Creating);
                on_create.run(signup);
            }
            Err(errors) => {
                let first = match errors.first().map(|(f, _)| *f) {
                    Some("kind") => format!(
                        "cs-kind-{}",
                        state
                            .kinds
                            .with_untracked(|k| k.first().map(|k| k.as_str()))
                            .unwrap_or("express")
                    ),
                    Some(other) => format!("cs-signup-{other}"),
                    None => String::new(),
                };
                state.errors.set(errors);
                focus_later(first);
            }
        }
    };

    let kinds = move || {
        state
            .kinds
            .get()
            .into_iter()
            .map(|kind| {
                let words = kind_words(kind, strings);
                let id = format!("cs-kind-{}", kind.as_str());
                let details_id = format!("{id}-details");
                view! {
                    <div class="cs-kind" data-kind=kind.as_str()>
                        <input
                            id=id.clone()
                            type="radio"
                            name="cs-kind"
                            value=kind.as_str()
                            aria-describedby=format!("{details_id} cs-signup-kind-error")
                            aria-invalid=invalid("kind")
                            prop:checked=move || state.kind.get() == Some(kind)
                            on:change=move |_| {
                                state.kind.set(Some(kind));
                                clear("kind");
                            }
                        />
                        <label for=id>
                            <span class="cs-kind-name">{words.name}</span>
                            <span class="cs-kind-summary">{words.summary}</span>
                        </label>
                        <dl id=details_id class="cs-kind-details">
                            <dt>{strings.kind_onboarding}</dt>
                            <dd>{words.onboarding}</dd>
                            <dt>{strings.kind_dashboard}</dt>
                            <dd>{words.dashboard}</dd>
                            <dt>{strings.kind_losses}</dt>
                            <dd>{words.losses}</dd>
                        </dl>
                    </div>
                }
            })
            .collect_view()
    };

    let countries = {
        let chosen = state.country.get_untracked();
        let mut names: Vec<(&str, String)> = COUNTRIES
            .iter()
            .map(|code| (*code, country_name(code, locale.as_deref())))
            .collect();
        names.sort_by(|a, b| a.1.cmp(&b.1));
        names
            .into_iter()
            .map(|(code, name)| {
                let selected = code == chosen;
                view! { <option value=code selected=selected>{name}</option> }
            })
            .collect_view()
    };

    let offered = move || state.kinds.with(|k| !k.is_empty());
    let loading = move || state.phase.get() == CreatePhase::Loading;
    view! {
        <section class="cs-card cs-choose" data-role="choose" data-phase=move || match state.phase.get() {
            CreatePhase::Loading => "loading",
            CreatePhase::Editing => "editing",
            CreatePhase::Creating => "creating",
            CreatePhase::Leaving => "leaving",
        }>
            <p class="cs-muted" hidden=move || !loading()>{strings.loading}</p>
            <p hidden=move || loading() || offered() data-role="no-kinds">{strings.no_kinds}</p>
            <form novalidate on:submit=submit hidden=move || !offered()>
                <fieldset class="cs-fieldset" disabled=busy>
                    <fieldset class="cs-kinds" aria-describedby="cs-signup-kind-error">
                        <legend>{strings.kind_legend}</legend>
                        {kinds}
                        <p id="cs-signup-kind-error" class="cs-error" data-role="field-error">
                            {error_of("kind")}
                        </p>
                    </fieldset>
                    <div class="cs-field">
                        <label for="cs-signup-email">{strings.email}</label>
                        <input
                            id="cs-signup-email"
                            class="cs-input"
                            data-role="signup-email"
                            type="email"
                            autocomplete="email"
                            maxlength="254"
                            aria-describedby="cs-signup-email-hint cs-signup-email-error"
                            aria-invalid=invalid("email")
                            prop:value=move || state.email.get()
                            on:input=move |event| {
                                state.email.set(event_target_value(&event));
                                clear("email");
                            }
                        />
                        <p id="cs-signup-email-hint" class="cs-hint">{strings.email_hint}</p>
                        <p id="cs-signup-email-error" class="cs-error" data-role="field-error">
                            {error_of("email")}
                        </p>
                    </div>
                    <div class="cs-field">
                        <label for="cs-signup-country">{strings.country}</label>
                        <select
                            id="cs-signup-country"
                            class="cs-input"
                            data-role="signup-country"
                            autocomplete="country"
                            aria-describedby="cs-signup-country-hint cs-signup-country-error"
                            aria-invalid=invalid("country")
                            prop:value=move || state.country.get()
                            on:change=move |event| {
                                state.country.set(event_target_value(&event));
                                clear("country");
                            }
                        >
                            {countries}
                        </select>
                        <p id="cs-signup-country-hint" class="cs-hint">{strings.country_hint}</p>
                        <p id="cs-signup-country-error" class="cs-error" data-role="field-error">
                            {error_of("country")}
                        </p>
                    </div>
                    <button
                        type="submit"
                        class="cs-button cs-primary"
                        data-role="create"
                        aria-busy=move || busy().to_string()
                    >
                        {move || match state.phase.get() {
                            CreatePhase::Creating => strings.creating,
                            CreatePhase::Leaving => strings.redirecting,
                            _ => strings.create,
                        }}
                    </button>
                </fieldset>
            </form>
            <p class="cs-live" role="status" aria-live="polite" data-role="choose-live">
                {move || (state.phase.get() == CreatePhase::Leaving).then_some(strings.redirecting)}
            </p>
            <p class="cs-error" role="alert" data-role="choose-problem">{move || state.problem.get()}</p>
            <p><a href="/seller" data-role="seller-page-link">{strings.already_seller}</a></p>
        </section>
    }
}
