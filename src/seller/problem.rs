//! What a failed call to the function means for a seller: a sign-in to ask for, a refusal to
//! show, or a sentence that says what to do.

use connect_checkout_core::api::ErrorCode;

use crate::api::ApiError;
use crate::i18n::seller::SellerStrings;

/// A call the seller's session did not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `401`: no session, or an expired one: sign in (again).
    SignIn,
    /// `403`: the session is another seller's. The page shows nothing of the account asked for.
    Forbidden,
}

impl Access {
    /// The access problem `error` is, if it is one.
    pub fn of(error: &ApiError) -> Option<Self> {
        match error {
            ApiError::Refused { status: 401, .. } => Some(Self::SignIn),
            ApiError::Refused { status: 403, .. } => Some(Self::Forbidden),
            ApiError::Refused { body, .. } => match body.error.code {
                ErrorCode::Unauthorized => Some(Self::SignIn),
                ErrorCode::Forbidden => Some(Self::Forbidden),
                _ => None,
            },
            _ => None,
        }
    }
}

/// `error` in words a seller can act on.
pub fn words(error: &ApiError, strings: &SellerStrings) -> String {
    match error {
        ApiError::Network(_) => strings.network.to_owned(),
        ApiError::Aborted => String::new(),
        ApiError::Unexpected { .. } => strings.unexpected.to_owned(),
        ApiError::Refused { status, body } => match body.error.code {
            ErrorCode::RateLimited => strings.rate_limited.to_owned(),
            ErrorCode::PaymentProviderUnavailable => strings.provider_unavailable.to_owned(),
            ErrorCode::SellerNotFound | ErrorCode::NotFound => strings.not_found.to_owned(),
            ErrorCode::NotAvailable => strings.not_available.to_owned(),
            ErrorCode::Unauthorized => strings.signin_expired.to_owned(),
            ErrorCode::Forbidden => strings.forbidden_text.to_owned(),
            ErrorCode::InvalidRequest => strings
                .invalid_request
                .replace("{detail}", &body.error.message),
            _ if *status >= 500 => strings.our_side.to_owned(),
            _ => strings.unexpected.to_owned(),
        },
    }
}
