//! Sending the Custom form's answers: the bank account tokenised in the browser by Stripe.js
//! with the publishable key, the rest to the function (`POST /api/sellers/{account}/details`),
//! and what came back shown against the form's fields.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{ClientConfig, SellerStatus};
use leptos::prelude::*;
use web_sys::AbortSignal;

use super::fields::{self, Field, Values};
use super::state::{FormPhase, FormState};
use super::{currency_of, verification_errors};
use crate::api::ApiError;
use crate::i18n::seller::SellerStrings;
use crate::seller::client::SellerApi;
use crate::seller::problem::{self, Access};
use crate::stripe_js::{self, BankAccountDetails, Stripe, TokenError};

/// Where one account's answers go.
#[derive(Clone, Debug)]
pub struct Submission {
    pub api: SellerApi,
    pub account: AccountId,
    /// The publishable key and where Stripe.js comes from.
    pub config: ClientConfig,
    /// Payouts go to a bank in the account's country, in its currency.
    pub bank_country: String,
    pub bank_currency: String,
    pub strings: &'static SellerStrings,
}

/// What became of the answers.
pub enum Outcome {
    /// The function took them: the account's new status.
    Answered(Box<SellerStatus>),
    /// The session does not allow this (signed out, another seller).
    NotAllowed(Access),
    /// Nothing for the page: the form says what went wrong (or the page went away).
    InForm,
}

impl Submission {
    /// For `status`'s account.
    pub fn of(
        status: &SellerStatus,
        api: SellerApi,
        config: ClientConfig,
        strings: &'static SellerStrings,
    ) -> Self {
        let bank_country = status.country.clone().unwrap_or_else(|| "US".to_owned());
        let bank_currency = status
            .default_currency
            .as_ref()
            .map(|currency| currency.as_str().to_owned())
            .unwrap_or_else(|| currency_of(&bank_country).to_owned());
        Self {
            api,
            account: status.id.clone(),
            config,
            bank_country,
            bank_currency,
            strings,
        }
    }

    /// Sends `state`'s answers and shows the outcome in it (the form is `Submitting`).
    pub async fn send(&self, state: FormState, signal: &AbortSignal) -> Outcome {
        let strings = self.strings;
        let (values, due) = (state.values.get_untracked(), state.due.get_untracked());
        let bank_token = if due.asks(Field::AccountNumber) {
            match self.bank_token(&values).await {
                Ok(token) => Some(token),
                Err(error) => {
                    state.refused(vec![token_error(&error, strings)], String::new(), strings);
                    return Outcome::InForm;
                }
            }
        } else {
            None
        };
        let details = fields::details(&values, &due, bank_token);
        match self.api.details(&self.account, &details, signal).await {
            Ok(status) => {
                let errors = verification_errors(&status, strings);
                state.answered(&status, errors, strings);
                Outcome::Answered(Box::new(status))
            }
            Err(ApiError::Aborted) => Outcome::InForm,
            Err(error) => {
                if let Some(access) = Access::of(&error) {
                    state.phase.set(FormPhase::Editing);
                    return Outcome::NotAllowed(access);
                }
                state.refused(
                    refused_fields(&error),
                    problem::words(&error, strings),
                    strings,
                );
                Outcome::InForm
            }
        }
    }

    /// The bank account typed, tokenised by Stripe.js with the publishable key.
    async fn bank_token(&self, values: &Values) -> Result<String, TokenError> {
        stripe_js::load(&self.config.stripe_js_url)
            .await
            .map_err(|_| TokenError::default())?;
        let stripe = Stripe::new(&self.config.publishable_key, None, Some(self.strings.lang))
            .map_err(|error| TokenError {
                message: Some(error.0),
                ..TokenError::default()
            })?;
        let details = BankAccountDetails {
            country: self.bank_country.clone(),
            currency: self.bank_currency.clone(),
            account_holder_name: fields::value(values, "account_holder").to_owned(),
            account_holder_type: "individual",
            routing_number: Some(fields::value(values, "routing_number").to_owned())
                .filter(|routing| !routing.is_empty()),
            account_number: fields::value(values, "account_number").to_owned(),
        };
        stripe.create_bank_account_token(&details).await
    }
}

/// The answers the function refused (`400 fields`), each against its field.
fn refused_fields(error: &ApiError) -> Vec<(Field, String)> {
    let ApiError::Refused { body, .. } = error else {
        return Vec::new();
    };
    body.error
        .fields
        .iter()
        .filter_map(|f| Field::from_name(&f.field).map(|field| (field, capitalised(&f.message))))
        .collect()
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
