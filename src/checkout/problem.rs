//! What can go wrong in a checkout, and the sentence the shopper reads for each: what happened
//! and what to do. The words themselves live in `crate::i18n`.

use std::borrow::Cow;

use connect_checkout_core::api::ErrorCode;

use crate::api::ApiError;
use crate::i18n::{Strings, fill};
use crate::stripe_js::{LoadError, StripeError};

/// Why the checkout cannot go on as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// `confirmPayment` answered with Stripe's error: a decline, invalid card details, …
    Payment(StripeError),
    /// The PaymentIntent ended in another status than `succeeded` (`processing`, …).
    NotCompleted { status: String },
    /// The function refused, failed or could not be reached.
    Api(ApiError),
    /// Stripe.js did not load.
    StripeJs(LoadError),
    /// Stripe.js refused the key, the client secret or an option.
    Integration(String),
    /// A quantity typed is not a whole number from 0 to 999.
    Quantity,
    /// Every quantity is 0: there is nothing to pay for.
    CartEmpty,
    /// The email for the receipt does not look like one.
    Email,
    /// No seller, or a seller without products.
    NothingToSell,
    /// A price the page asked to offer is not among the seller's products.
    NotForSale,
    /// At Pay, the function priced the cart at another total than the one shown (a price
    /// changed meanwhile). Nothing was charged; the new total is shown and Pay confirms it.
    PriceChanged,
    /// The items chosen are priced in different currencies.
    MixedCurrencies,
}

impl Problem {
    /// The sentence for the message region.
    pub fn words(&self, strings: &'static Strings) -> Cow<'static, str> {
        match self {
            Self::Payment(error) => stripe_error_words(error, strings),
            Self::NotCompleted { status } if status == "processing" => {
                strings.payment_processing.into()
            }
            Self::NotCompleted { status } => {
                fill(strings.payment_not_completed, "{status}", status).into()
            }
            Self::Api(error) => api_error_words(error, strings),
            Self::StripeJs(_) => strings.stripe_not_loaded.into(),
            Self::Integration(_) => strings.our_side.into(),
            Self::Quantity => strings.quantity_invalid.into(),
            Self::CartEmpty => strings.cart_empty.into(),
            Self::Email => strings.email_invalid.into(),
            Self::NothingToSell => strings.nothing_to_sell.into(),
            Self::NotForSale => strings.price_not_found.into(),
            Self::PriceChanged => strings.price_changed.into(),
            Self::MixedCurrencies => strings.mixed_currencies.into(),
        }
    }

    /// A stable, machine-readable name for the page around the checkout (the embed's `error`
    /// event): the function's error code, Stripe's error code (or type), or one of ours.
    pub fn code(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::Payment(error) => {
                return match error.code.as_ref().or(error.kind.as_ref()) {
                    Some(code) => code.clone().into(),
                    None => "payment_failed".into(),
                };
            }
            Self::NotCompleted { status } if status == "processing" => "payment_processing",
            Self::NotCompleted { .. } => "payment_not_completed",
            Self::Api(ApiError::Network(_)) => "network",
            Self::Api(ApiError::Unexpected { .. }) => "unexpected_response",
            Self::Api(ApiError::Aborted) => "aborted",
            Self::Api(ApiError::Refused { body, .. }) => body.error.code.as_str(),
            Self::StripeJs(_) => "stripe_js_unavailable",
            Self::Integration(_) => "integration_error",
            Self::Quantity => "invalid_quantity",
            Self::CartEmpty => "cart_empty",
            Self::Email => "invalid_email",
            Self::NothingToSell => "nothing_to_sell",
            Self::NotForSale => "price_not_found",
            Self::PriceChanged => "price_changed",
            Self::MixedCurrencies => "currency_mismatch",
        })
    }

    /// Stripe's decline code, for a declined card.
    pub fn decline_code(&self) -> Option<&str> {
        match self {
            Self::Payment(error) => error.decline_code.as_deref(),
            Self::Api(ApiError::Refused { body, .. }) => body.error.decline_code.as_deref(),
            _ => None,
        }
    }

    /// Whether doing the same again may work, so "Try again" is offered. A decline is retried
    /// through Pay (the form stays), so it is not listed here.
    pub fn can_retry(&self) -> bool {
        match self {
            Self::StripeJs(_) => true,
            Self::Api(ApiError::Network(_) | ApiError::Unexpected { .. }) => true,
            Self::Api(ApiError::Refused { body, .. }) => matches!(
                body.error.code,
                ErrorCode::RateLimited
                    | ErrorCode::PaymentProviderUnavailable
                    | ErrorCode::Internal
                    | ErrorCode::Unknown
            ),
            _ => false,
        }
    }
}

/// Stripe's error as a sentence: the decline code first (it is the most specific), then the
/// error code, then the error type, then Stripe's own message.
pub fn stripe_error_words(error: &StripeError, strings: &'static Strings) -> Cow<'static, str> {
    let specific = [error.decline_code.as_deref(), error.code.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|code| code_words(code, strings));
    if let Some(words) = specific {
        return words.into();
    }
    match error.kind.as_deref() {
        Some("api_connection_error") => return strings.stripe_unreachable.into(),
        Some("rate_limit_error") => return strings.rate_limited.into(),
        Some("card_error") if error.message.is_none() => return strings.card_declined.into(),
        _ => {}
    }
    match &error.message {
        Some(message) if !message.is_empty() => message.clone().into(),
        _ => strings.generic_failure.into(),
    }
}

/// The sentence for one of Stripe's decline or error codes, when there is a better one than
/// Stripe's message.
fn code_words(code: &str, strings: &'static Strings) -> Option<&'static str> {
    Some(match code {
        "insufficient_funds" | "withdrawal_count_limit_exceeded" => strings.insufficient_funds,
        // Stripe's advice: tell the shopper no more than "declined" for lost and stolen cards
        // and suspected fraud, as for a generic decline.
        "generic_decline"
        | "card_declined"
        | "do_not_honor"
        | "lost_card"
        | "stolen_card"
        | "pickup_card"
        | "restricted_card"
        | "fraudulent"
        | "merchant_blacklist"
        | "security_violation"
        | "call_issuer"
        | "no_action_taken"
        | "not_permitted"
        | "revocation_of_authorization"
        | "revocation_of_all_authorizations"
        | "transaction_not_allowed"
        | "stop_payment_order" => strings.card_declined,
        "expired_card" => strings.expired_card,
        "incorrect_cvc" | "invalid_cvc" => strings.incorrect_cvc,
        "incorrect_number" | "invalid_number" | "invalid_account" => strings.incorrect_number,
        "incorrect_zip" | "incorrect_pin" | "invalid_pin" => strings.incorrect_zip,
        "invalid_expiry_month"
        | "invalid_expiry_year"
        | "invalid_expiry_month_past"
        | "invalid_expiry_year_past" => strings.invalid_expiry,
        "incomplete_number" | "incomplete_cvc" | "incomplete_expiry" | "incomplete_zip"
        | "incomplete" => strings.incomplete_details,
        "processing_error" | "issuer_not_available" | "reenter_transaction" => {
            strings.processing_error
        }
        "authentication_required" | "payment_intent_authentication_failure" | "approve_with_id" => {
            strings.authentication_failed
        }
        "card_not_supported" | "currency_not_supported" | "invalid_amount" => {
            strings.card_not_supported
        }
        "card_velocity_exceeded" | "try_again_later" => strings.try_again_later,
        "payment_intent_unexpected_state" => strings.payment_unexpected_state,
        "rate_limit" => strings.rate_limited,
        _ => return None,
    })
}

/// The function's error as a sentence.
fn api_error_words(error: &ApiError, strings: &'static Strings) -> Cow<'static, str> {
    let body = match error {
        ApiError::Network(_) => return strings.network.into(),
        ApiError::Unexpected { .. } => return strings.unexpected_response.into(),
        ApiError::Aborted => return strings.generic_failure.into(),
        ApiError::Refused { body, .. } => &body.error,
    };
    let words = match body.code {
        ErrorCode::CardDeclined => {
            let decline = body.decline_code.as_deref().unwrap_or("card_declined");
            code_words(decline, strings).unwrap_or(strings.card_declined)
        }
        ErrorCode::InvalidRequest => {
            return fill(strings.invalid_request, "{detail}", &body.message).into();
        }
        ErrorCode::SellerNotFound | ErrorCode::NotFound => strings.seller_not_found,
        ErrorCode::SellerCannotTakeCharges => strings.seller_cannot_take_charges,
        ErrorCode::PriceNotFound | ErrorCode::CurrencyMismatch => strings.price_not_found,
        ErrorCode::AmountOutOfRange => strings.amount_out_of_range,
        ErrorCode::AttemptReused => strings.cart_changed,
        ErrorCode::RateLimited => strings.rate_limited,
        ErrorCode::PaymentProviderUnavailable => strings.provider_unavailable,
        _ => strings.our_side,
    };
    words.into()
}
