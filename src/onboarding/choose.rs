//! The first step of onboarding: what each kind of account means for the seller and the
//! platform, in plain words (who signs the seller up, which dashboard they get, who pays
//! Stripe's fees and carries losses), only the kinds the platform offers, and the seller's email
//! and country. [`ChooseView`] is a pure function of [`ChooseState`].

use connect_checkout_core::api::{AccountKind, plausible_email};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::custom::COUNTRIES;
use crate::i18n::seller::{KindWords, SellerStrings};
use crate::seller::field::{FieldErrors, FieldNotes};
use crate::seller::focus_later;
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

impl ChooseState {
    /// Create was pressed: the signup to send, once per press (the phase becomes `Creating`),
    /// or every answer to fix said against it, with the focus on the first.
    pub fn submit(&self, strings: &SellerStrings) -> Option<Signup> {
        if self.phase.get_untracked() != CreatePhase::Editing {
            return None;
        }
        match check_signup(self, strings) {
            Ok(signup) => {
                self.errors.set(Vec::new());
                self.problem.set(None);
                self.phase.set(CreatePhase::Creating);
                Some(signup)
            }
            Err(errors) => {
                let first = match errors.first().map(|(f, _)| *f) {
                    Some("kind") => format!(
                        "cs-kind-{}",
                        self.kinds
                            .with_untracked(|k| k.first().map(|k| k.as_str()))
                            .unwrap_or("express")
                    ),
                    Some(other) => format!("cs-signup-{other}"),
                    None => String::new(),
                };
                self.errors.set(errors);
                focus_later(first);
                None
            }
        }
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
    let errors = state.errors;
    let busy = move || {
        matches!(
            state.phase.get(),
            CreatePhase::Creating | CreatePhase::Leaving
        )
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if let Some(signup) = state.submit(strings) {
            on_create.run(signup);
        }
    };
    let kinds = move || {
        state
            .kinds
            .get()
            .into_iter()
            .map(|kind| view! { <KindOption state strings kind /> })
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
                        <FieldNotes stem="cs-signup-kind" error=Signal::derive(errors.words_of("kind")) />
                    </fieldset>
                    <EmailQuestion state strings />
                    <CountryQuestion state strings locale />
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

/// One kind of account: its radio button and what it means, in plain words.
#[component]
fn KindOption(
    state: ChooseState,
    strings: &'static SellerStrings,
    kind: AccountKind,
) -> impl IntoView {
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
                aria-invalid=state.errors.invalid("kind")
                prop:checked=move || state.kind.get() == Some(kind)
                on:change=move |_| {
                    state.kind.set(Some(kind));
                    state.errors.replace("kind", None);
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
}

/// The seller's email: where Stripe and the platform write to.
#[component]
fn EmailQuestion(state: ChooseState, strings: &'static SellerStrings) -> impl IntoView {
    let errors = state.errors;
    view! {
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
                aria-invalid=errors.invalid("email")
                prop:value=move || state.email.get()
                on:input=move |event| {
                    state.email.set(event_target_value(&event));
                    errors.replace("email", None);
                }
            />
            <FieldNotes
                stem="cs-signup-email"
                hint=strings.email_hint.to_owned()
                error=Signal::derive(errors.words_of("email"))
            />
        </div>
    }
}

/// The account's country, by name in the seller's language.
#[component]
fn CountryQuestion(
    state: ChooseState,
    strings: &'static SellerStrings,
    locale: Option<String>,
) -> impl IntoView {
    let errors = state.errors;
    let countries = country_options(state.country.get_untracked(), locale.as_deref());
    view! {
        <div class="cs-field">
            <label for="cs-signup-country">{strings.country}</label>
            <select
                id="cs-signup-country"
                class="cs-input"
                data-role="signup-country"
                autocomplete="country"
                aria-describedby="cs-signup-country-hint cs-signup-country-error"
                aria-invalid=errors.invalid("country")
                prop:value=move || state.country.get()
                on:change=move |event| {
                    state.country.set(event_target_value(&event));
                    errors.replace("country", None);
                }
            >
                {countries}
            </select>
            <FieldNotes
                stem="cs-signup-country"
                hint=strings.country_hint.to_owned()
                error=Signal::derive(errors.words_of("country"))
            />
        </div>
    }
}

/// The countries an account can be opened in, by name in `locale`, `chosen` selected.
fn country_options(chosen: String, locale: Option<&str>) -> impl IntoView + use<> {
    let mut names: Vec<(&str, String)> = COUNTRIES
        .iter()
        .map(|code| (*code, country_name(code, locale)))
        .collect();
    names.sort_by(|a, b| a.1.cmp(&b.1));
    names
        .into_iter()
        .map(|(code, name)| {
            let selected = code == chosen;
            view! { <option value=code selected=selected>{name}</option> }
        })
        .collect_view()
}
