//! The messages of the function's HTTP API, as both ends see them, by journey. The OpenAPI
//! document the function serves (`/api/openapi.json`) describes these same shapes.

mod checkout;
mod sellers;

pub use checkout::*;
pub use sellers::*;

use crate::AccountId;
use serde::{Deserialize, Serialize};

/// Which Stripe the function talks to. The widget shows a notice outside `Live`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The built-in offline Stripe sandbox.
    Sandbox,
    /// Stripe in test mode (`sk_test_…`).
    Test,
    /// Stripe in live mode: real money.
    Live,
}

impl Mode {
    /// The mode serde calls `name`. Written out for the widget, which reads the JSON without
    /// serde: with these, `ErrorCode::from_name` and `AccountKind::from_name` in place of a
    /// serde string deserializer (its error messages' `Display`), the embed lost 0.5 KB
    /// (brotli).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sandbox" => Some(Self::Sandbox),
            "test" => Some(Self::Test),
            "live" => Some(Self::Live),
            _ => None,
        }
    }
}

/// Whose account a shopper's PaymentIntent lives on (`CHARGE_TYPE`). The widget needs it
/// before the PaymentIntent exists: the Payment Element is created first, on the account the
/// payment will live on (Stripe's deferred-intent integration,
/// <https://docs.stripe.com/payments/accept-a-payment-deferred>).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeType {
    /// On the seller's account (`Stripe-Account`), the platform takes `application_fee_amount`
    /// (<https://docs.stripe.com/connect/direct-charges>).
    #[default]
    Direct,
    /// On the platform, sent on with `transfer_data[destination]` and `on_behalf_of`
    /// (<https://docs.stripe.com/connect/destination-charges>).
    Destination,
    /// On the platform with a `transfer_group`; once the charge succeeds, one Transfer per
    /// seller of the order (<https://docs.stripe.com/connect/separate-charges-and-transfers>).
    /// The only type that can pay several sellers at once, so a cart whose lines name their
    /// sellers is always paid this way, whatever `CHARGE_TYPE` says.
    Separate,
}

impl ChargeType {
    /// The type serde calls `name`. Written out rather than through serde: the widget reads
    /// it by hand, and a serde visitor for it cost the embed 0.3 KB (brotli).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "direct" => Some(Self::Direct),
            "destination" => Some(Self::Destination),
            "separate" => Some(Self::Separate),
            _ => None,
        }
    }

    /// The account the PaymentIntent for `seller` lives on: `Stripe(pk, {stripeAccount})` in
    /// the browser, `Stripe-Account` in the function. `None` is the platform.
    pub fn payment_account(self, seller: &AccountId) -> Option<&AccountId> {
        match self {
            Self::Direct => Some(seller),
            Self::Destination | Self::Separate => None,
        }
    }

    /// The settlement merchant when it is not the account the payment lives on
    /// (`on_behalf_of` on the PaymentIntent, `onBehalfOf` on the Elements). A separate charge
    /// may pay several sellers, so it settles as the platform.
    pub fn on_behalf_of(self, seller: &AccountId) -> Option<&AccountId> {
        match self {
            Self::Direct | Self::Separate => None,
            Self::Destination => Some(seller),
        }
    }

    /// How a cart is paid: a marketplace cart (its lines name their sellers, see
    /// [`CheckoutRequest::is_marketplace`]) always by separate charges and transfers, any
    /// other the platform's way. The widget and the function both ask this, so the Payment
    /// Element and the PaymentIntent are on the same account.
    pub fn for_cart(self, marketplace: bool) -> Self {
        if marketplace { Self::Separate } else { self }
    }
}

/// `GET /api/config`: everything the browser needs to start, and nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The platform's publishable key (`pk_…`), the only key the browser ever holds.
    pub publishable_key: String,
    /// Where to load Stripe.js from: js.stripe.com, or the sandbox's stand-in.
    pub stripe_js_url: String,
    pub mode: Mode,
    /// The kinds of seller account the platform offers (`SELLER_ACCOUNT_KINDS`), for the
    /// onboarding page; empty from a function that predates them.
    #[serde(default)]
    pub account_kinds: Vec<AccountKind>,
    /// Where a payment lives, so the Payment Element is made on that account before the
    /// PaymentIntent exists; direct from a function that predates the field.
    #[serde(default)]
    pub charge_type: ChargeType,
}

/// Whether `email` looks enough like an address to hand to Stripe (`receipt_email`, a
/// seller's account email): something before an `@`, a dot after it, no spaces, at most
/// [`limits::MAX_EMAIL_LEN`] bytes. The one rule every form and request of the API uses.
pub fn plausible_email(email: &str) -> bool {
    // Written on the bytes (the same tests in UTF-8, where `@` and `.` are single bytes):
    // `split_once('@')` and `contains('.')`, compiled here apart from their constants, kept
    // their paths for non-ASCII patterns, one of whose panics formats a `char` and a range
    // with `Debug`: 3.2 KB (brotli) of the embed.
    let bytes = email.as_bytes();
    let domain = match bytes.iter().position(|&byte| byte == b'@') {
        Some(at) if at > 0 => bytes.get(at + 1..).unwrap_or_default(),
        _ => return false,
    };
    bytes.len() <= limits::MAX_EMAIL_LEN
        && domain.contains(&b'.')
        && !email.chars().any(char::is_whitespace)
}

/// A request field that breaks a rule, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Machine-readable error codes the function answers with. The widget turns each into words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request was malformed or broke a rule; the message says which.
    InvalidRequest,
    /// No such route or object.
    NotFound,
    /// The seller does not exist on this platform.
    SellerNotFound,
    /// The seller exists but Stripe does not let them take charges yet.
    SellerCannotTakeCharges,
    /// A price in the cart is unknown, inactive or belongs to another seller.
    PriceNotFound,
    /// The cart mixes currencies.
    CurrencyMismatch,
    /// A marketplace order's PaymentIntent has not succeeded (yet): no seller is paid before
    /// the shopper is charged.
    PaymentNotSucceeded,
    /// The total is below Stripe's minimum or above its maximum.
    AmountOutOfRange,
    /// The attempt id was already used for a different cart.
    AttemptReused,
    /// The card was declined; `decline_code` says why.
    CardDeclined,
    /// Too many requests; try again shortly.
    RateLimited,
    /// Stripe could not be reached or failed; nothing was charged twice, try again.
    PaymentProviderUnavailable,
    /// The platform's Stripe configuration is wrong (an operator problem, not the shopper's).
    ProviderConfiguration,
    /// The request body is too large.
    PayloadTooLarge,
    /// No seller session, or an expired one: sign in again.
    Unauthorized,
    /// The session belongs to another seller.
    Forbidden,
    /// The operation does not exist for this kind of account (a dashboard for Custom).
    NotAvailable,
    /// Something broke on our side.
    Internal,
    /// A code this build does not know yet (a newer function).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The code serde calls `name`, [`Self::Unknown`] for a name this build does not know (as
    /// serde's `other`): the inverse of [`Self::as_str`], for the widget (see
    /// [`Mode::from_name`]).
    pub fn from_name(name: &str) -> Self {
        match name {
            "invalid_request" => Self::InvalidRequest,
            "not_found" => Self::NotFound,
            "seller_not_found" => Self::SellerNotFound,
            "seller_cannot_take_charges" => Self::SellerCannotTakeCharges,
            "price_not_found" => Self::PriceNotFound,
            "currency_mismatch" => Self::CurrencyMismatch,
            "payment_not_succeeded" => Self::PaymentNotSucceeded,
            "amount_out_of_range" => Self::AmountOutOfRange,
            "attempt_reused" => Self::AttemptReused,
            "card_declined" => Self::CardDeclined,
            "rate_limited" => Self::RateLimited,
            "payment_provider_unavailable" => Self::PaymentProviderUnavailable,
            "provider_configuration" => Self::ProviderConfiguration,
            "payload_too_large" => Self::PayloadTooLarge,
            "unauthorized" => Self::Unauthorized,
            "forbidden" => Self::Forbidden,
            "not_available" => Self::NotAvailable,
            "internal" => Self::Internal,
            _ => Self::Unknown,
        }
    }

    /// The code as the function writes it on the wire (its serde name), for code that reads
    /// the JSON without serde: the widget hands it to a host page's `error` event.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::NotFound => "not_found",
            Self::SellerNotFound => "seller_not_found",
            Self::SellerCannotTakeCharges => "seller_cannot_take_charges",
            Self::PriceNotFound => "price_not_found",
            Self::CurrencyMismatch => "currency_mismatch",
            Self::PaymentNotSucceeded => "payment_not_succeeded",
            Self::AmountOutOfRange => "amount_out_of_range",
            Self::AttemptReused => "attempt_reused",
            Self::CardDeclined => "card_declined",
            Self::RateLimited => "rate_limited",
            Self::PaymentProviderUnavailable => "payment_provider_unavailable",
            Self::ProviderConfiguration => "provider_configuration",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotAvailable => "not_available",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }
}

/// The body of every error response: `{"error": {"code": …, "message": …}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for machines (`code`) and for people (`message`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// For `card_declined`: Stripe's decline code (`insufficient_funds`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// For forms: every field at fault, so all can be shown at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[cfg(test)]
mod tests {

    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn unknown_error_codes_from_a_newer_function_still_parse() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new","message":"m"}}"#).unwrap();
        assert_eq!(body.error.code, ErrorCode::Unknown);
    }

    #[test]
    fn each_codes_name_is_the_one_serde_writes_and_reads() {
        // `as_str` matches every variant, so a new one cannot go without a name; this checks
        // that each name is serde's, both ways.
        let names = [
            "invalid_request",
            "not_found",
            "seller_not_found",
            "seller_cannot_take_charges",
            "price_not_found",
            "currency_mismatch",
            "payment_not_succeeded",
            "amount_out_of_range",
            "attempt_reused",
            "card_declined",
            "rate_limited",
            "payment_provider_unavailable",
            "provider_configuration",
            "payload_too_large",
            "unauthorized",
            "forbidden",
            "not_available",
            "internal",
        ];
        for name in names {
            let code: ErrorCode = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_ne!(code, ErrorCode::Unknown, "{name} is a known code");
            assert_eq!(code.as_str(), name);
            assert_eq!(ErrorCode::from_name(name), code);
            assert_eq!(serde_json::to_value(code).unwrap(), name);
        }
        assert_eq!(ErrorCode::Unknown.as_str(), "unknown");
        assert_eq!(ErrorCode::from_name("brand_new"), ErrorCode::Unknown);
    }

    #[test]
    fn modes_are_named_as_serde_names_them() {
        for mode in [Mode::Sandbox, Mode::Test, Mode::Live] {
            let name = serde_json::to_value(mode).unwrap();
            assert_eq!(Mode::from_name(name.as_str().unwrap()), Some(mode));
        }
        assert_eq!(Mode::from_name("Live"), None);
    }

    #[test]
    fn charge_types_are_named_as_serde_names_them() {
        for kind in [
            ChargeType::Direct,
            ChargeType::Destination,
            ChargeType::Separate,
        ] {
            let name = serde_json::to_value(kind).unwrap();
            assert_eq!(ChargeType::from_name(name.as_str().unwrap()), Some(kind));
        }
        assert_eq!(ChargeType::from_name("split"), None);
    }
}
