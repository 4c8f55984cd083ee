//! The platform's own onboarding form for Custom accounts (Stripe collects nothing itself for
//! them): it asks only for what the account's requirements still list, checks each answer,
//! tokenises the bank account in the browser with the publishable key (Stripe.js
//! `createToken`), sends the rest to the function (`POST /api/sellers/{account}/details`), and
//! shows Stripe's refusals (`400 fields`) and failed verifications (`requirements.errors`)
//! against the field they are about.
//!
//! - [`fields`]: the form as data (fields, steps, checks, the request).
//! - [`state`]: `FormState`, what the form shows, and how answers, Continue and Back change it.
//! - [`view`](mod@view): `CustomFormView`, its markup; [`inputs`]: one component per kind of question.
//! - [`submit`]: sending the answers (Stripe.js's bank token, then the function).
//! - [`CustomForm`]: the view wired to the submission.

pub mod fields;
pub mod inputs;
pub mod state;
pub mod submit;
pub mod view;

use connect_checkout_core::api::{ClientConfig, SellerStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use self::fields::{Due, Field, Values};
use self::state::FormState;
use self::submit::{Outcome, Submission};
use self::view::CustomFormView;
use crate::i18n::seller::SellerStrings;
use crate::seller::client::SellerApi;
use crate::seller::problem::Access;

pub use self::fields::COUNTRIES;

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
    let submission = StoredValue::new(Submission::of(&status, api, config, strings));
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
    let on_submit = move || {
        let Some(signal) = aborts.with_value(|a| a.as_ref().map(AbortController::signal)) else {
            return;
        };
        let submission = submission.get_value();
        spawn_local(async move {
            match submission.send(state, &signal).await {
                Outcome::Answered(status) => on_status.run(*status),
                Outcome::NotAllowed(access) => on_access.run(access),
                Outcome::InForm => {}
            }
        });
    };
    view! {
        <CustomFormView state strings test_hints locale today=today() on_submit />
    }
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
