//! The platform's own onboarding form for Custom accounts (Stripe collects nothing itself for
//! them): it asks only for what the account's requirements still list, checks each answer,
//! tokenises the bank account in the browser with the publishable key (Stripe.js
//! `createToken`), sends the rest to the function (`POST /api/sellers/{account}/details`), and
//! shows Stripe's refusals (`400 fields`) and failed verifications (`requirements.errors`)
//! against the field they are about.
//!
//! - [`fields`]: the form as data (fields, steps, checks, the request).
//! - [`view`]: `CustomFormView`, its markup.
//! - [`CustomForm`]: the two wired to the function and Stripe.js.

pub mod fields;
pub mod view;

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{ClientConfig, SellerStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use self::fields::{Due, Field, Values};
use self::view::{CustomFormView, FormPhase, FormState};
use crate::api::ApiError;
use crate::i18n::seller::SellerStrings;
use crate::seller::client::SellerApi;
use crate::seller::problem::{self, Access};
use crate::stripe_js::{self, BankAccountDetails, Stripe, TokenError};

pub use self::view::COUNTRIES;

/// Today as (year, month, day), by the browser's clock.
pub fn today() -> (u16, u8, u8) {
    let now = js_sys::Date::new_0();
    (
        u16::try_from(now.get_full_year()).unwrap_or(2000),
        u8::try_from(now.get_month() + 1).unwrap_or(1),
        u8::try_from(now.get_date()).unwrap_or(1),
    )
}

/// The answers the form starts with: what the platform already knows.
pub fn prefill(status: &SellerStatus) -> Values {
    let mut values = Values::new();
    values.insert("business_type", "individual".to_owned());
    if let Some(email) = &status.email {
        values.insert("email", email.clone());
    }
    values.insert(
        "country",
        status.country.clone().unwrap_or_else(|| "US".to_owned()),
    );
    values
}

/// Stripe's failed verifications, each against its field, in Stripe's words.
pub fn verification_errors(status: &SellerStatus, strings: &SellerStrings) -> Vec<(Field, String)> {
    let mut errors: Vec<(Field, String)> = Vec::new();
    for error in &status.errors {
        if let Some(field) = Field::from_name(&error.requirement)
            && !errors.iter().any(|(f, _)| *f == field)
        {
            errors.push((
                field,
                strings.stripe_says.replace("{reason}", &error.reason),
            ));
        }
    }
    errors.sort_by_key(|(field, _)| *field);
    errors
}

/// The message of a token Stripe.js would not make, against its field.
fn token_error(error: &TokenError, strings: &SellerStrings) -> (Field, String) {
    let field = error
        .param
        .as_deref()
        .and_then(Field::from_name)
        .unwrap_or(Field::AccountNumber);
    let words = error
        .message
        .as_deref()
        .map(|message| strings.stripe_says.replace("{reason}", message))
        .unwrap_or_else(|| strings.stripe_not_loaded.to_owned());
    (field, words)
}

/// The Custom form for `status`'s account, wired to the function and Stripe.js.
#[component]
pub fn CustomForm(
    /// The account, as last reported.
    status: SellerStatus,
    /// The publishable key and where Stripe.js comes from.
    config: ClientConfig,
    /// The words, in the seller's language.
    strings: &'static SellerStrings,
    #[prop(optional_no_strip)] locale: Option<String>,
    /// Show Stripe's test values as hints.
    #[prop(optional)]
    test_hints: bool,
    /// The function's seller endpoints.
    api: SellerApi,
    /// The function answered with the account's new status.
    #[prop(into)]
    on_status: UnsyncCallback<SellerStatus>,
    /// The session does not allow this (signed out, another seller).
    #[prop(into)]
    on_access: UnsyncCallback<Access>,
) -> impl IntoView {
    let account: AccountId = status.id.clone();
    // Payouts go to a bank in the account's country, in its currency.
    let bank_country = status.country.clone().unwrap_or_else(|| "US".to_owned());
    let bank_currency = status
        .default_currency
        .as_ref()
        .map(|currency| currency.as_str().to_owned())
        .unwrap_or_else(|| currency_of(&bank_country).to_owned());
    let state = FormState::new(Due::of(&status), prefill(&status));
    let first_errors = verification_errors(&status, strings);
    if !first_errors.is_empty() {
        state.errors.set(first_errors);
    }
    let aborts = StoredValue::new_local(AbortController::new().ok());
    on_cleanup(move || {
        if let Some(abort) = aborts.try_update_value(Option::take).flatten() {
            abort.abort();
        }
    });
    let stripe_locale = strings.lang;
    let on_submit = move || {
        let api = api.clone();
        let account = account.clone();
        let config = config.clone();
        let bank = (bank_country.clone(), bank_currency.clone());
        let Some(signal) = aborts.with_value(|a| a.as_ref().map(AbortController::signal)) else {
            return;
        };
        spawn_local(async move {
            let (values, due) = (state.values.get_untracked(), state.due.get_untracked());
            let bank_token = if due.asks(Field::AccountNumber) {
                match bank_token(&config, &values, bank, stripe_locale).await {
                    Ok(token) => Some(token),
                    Err(error) => {
                        state.phase.set(FormPhase::Editing);
                        state.show_errors(vec![token_error(&error, strings)], strings);
                        return;
                    }
                }
            } else {
                None
            };
            let details = fields::details(&values, &due, bank_token);
            match api.details(&account, &details, &signal).await {
                Ok(status) => {
                    let due = Due::of(&status);
                    let errors = verification_errors(&status, strings);
                    on_status.run(status);
                    if due.fields.is_empty() {
                        state.summary.set(None);
                        state.phase.set(FormPhase::Sent);
                        view::focus_later("cs-form-title".to_owned());
                        return;
                    }
                    // Stripe still wants something (a failed check, a new requirement): the
                    // form asks for exactly that, from its first step.
                    state.due.set(due);
                    state.step.set(0);
                    state.errors.set(Vec::new());
                    state.phase.set(FormPhase::Editing);
                    if errors.is_empty() {
                        view::focus_later("cs-step-title".to_owned());
                    } else {
                        state.show_errors(errors, strings);
                    }
                }
                Err(ApiError::Aborted) => {}
                Err(error) => {
                    state.phase.set(FormPhase::Editing);
                    if let Some(access) = Access::of(&error) {
                        on_access.run(access);
                        return;
                    }
                    let fields = match &error {
                        ApiError::Refused { body, .. } => body
                            .error
                            .fields
                            .iter()
                            .filter_map(|f| {
                                Field::from_name(&f.field)
                                    .map(|field| (field, capitalised(&f.message)))
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    if fields.is_empty() {
                        state.summary.set(Some(problem::words(&error, strings)));
                    } else {
                        state.show_errors(fields, strings);
                    }
                }
            }
        });
    };
    view! {
        <CustomFormView state strings test_hints locale today=today() on_submit />
    }
}

/// `message` with a capital first letter and a full stop, as the form's own messages are.
fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    let mut text: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// The bank account typed, tokenised by Stripe.js with the publishable key.
async fn bank_token(
    config: &ClientConfig,
    values: &Values,
    (country, currency): (String, String),
    locale: &str,
) -> Result<String, TokenError> {
    let not_loaded = || TokenError::default();
    stripe_js::load(&config.stripe_js_url)
        .await
        .map_err(|_| not_loaded())?;
    let stripe =
        Stripe::new(&config.publishable_key, None, Some(locale)).map_err(|error| TokenError {
            message: Some(error.0),
            ..TokenError::default()
        })?;
    let details = BankAccountDetails {
        country,
        currency,
        account_holder_name: fields::value(values, "account_holder").to_owned(),
        account_holder_type: "individual",
        routing_number: Some(fields::value(values, "routing_number").to_owned())
            .filter(|routing| !routing.is_empty()),
        account_number: fields::value(values, "account_number").to_owned(),
    };
    stripe.create_bank_account_token(&details).await
}

/// The payout currency of a bank in `country`.
pub fn currency_of(country: &str) -> &'static str {
    match country {
        "US" => "usd",
        "CA" => "cad",
        "GB" => "gbp",
        "AU" => "aud",
        "NZ" => "nzd",
        "JP" => "jpy",
        "SG" => "sgd",
        "HK" => "hkd",
        "CH" => "chf",
        "SE" => "sek",
        "DK" => "dkk",
        "NO" => "nok",
        "PL" => "pln",
        _ => "eur",
    }
}
