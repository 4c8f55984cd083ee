//! `AppError`: the one error every handler returns, and what the client sees of it.
//!
//! The client gets `{"error": {"code", "message"}}` with the right status and words a person can
//! act on. What an operator needs (Stripe's own message, a key's fingerprint, a request id) goes
//! to the log, never into the response.

use std::borrow::Cow;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use connect_checkout_core::IdError;
use connect_checkout_core::api::{ErrorBody, ErrorCode, ErrorDetail, FieldError};
use connect_checkout_core::retry::RETRIES_SPENT_HEADER;

use crate::stripe::StripeError;

/// Core's `retries-spent`, checked when this compiles.
pub(crate) const RETRIES_SPENT: HeaderName = HeaderName::from_static(RETRIES_SPENT_HEADER);

#[derive(Debug, thiserror::Error)]
#[error("{status} {code:?}: {message}")]
pub struct AppError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: Cow<'static, str>,
    pub decline_code: Option<String>,
    /// For forms: every field at fault.
    pub fields: Vec<FieldError>,
    /// The Stripe call behind it was already retried as far as it was worth it: the answer says
    /// so (`retries-spent`), and the widget does not ask again, so one press has one budget of
    /// tries (core's `retry`).
    pub retries_spent: bool,
    /// For the operator's log only.
    detail: Option<String>,
}

impl AppError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            decline_code: None,
            fields: Vec::new(),
            retries_spent: false,
            detail: None,
        }
    }

    /// 400: the request breaks a rule; the message says which and how to fix it.
    pub fn invalid(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, message)
    }

    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    /// 404: the account is not one of this platform's (Stripe's 404 for it, or
    /// `account_invalid` for a `Stripe-Account` the platform does not own).
    pub fn seller_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::SellerNotFound,
            "This seller is not on this marketplace. Check the seller's id.",
        )
    }

    /// 400 for a form: every field at fault, with the first one's words as the message.
    pub fn fields(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [] => "the request has invalid fields".to_owned(),
            [only] => only.to_string(),
            [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
        };
        let mut error = Self::invalid(message);
        error.fields = fields;
        error
    }

    /// Adds what the operator needs to know; it is logged, not sent.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn provider_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::PaymentProviderUnavailable,
            "The payment service did not answer. Nothing was charged; please try again in a moment.",
        )
    }

    fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "Many payments are being made right now. Wait a few seconds and try again; \
                 nothing was charged twice.",
        )
    }

    /// The platform's Stripe setup is broken: the shopper cannot fix it, the operator must.
    pub fn provider_configuration() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ProviderConfiguration,
            "Payments are not available right now because the shop's payment setup needs \
             attention. Nothing was charged.",
        )
    }
}

impl From<StripeError> for AppError {
    /// The general mapping; handlers map the errors they expect (a missing price, a reused
    /// attempt) before falling back to this.
    fn from(error: StripeError) -> Self {
        let detail = error.to_string();
        let mapped = match &error {
            StripeError::Api { status: 401, .. } => Self::provider_configuration(),
            StripeError::Api {
                status: 403,
                error: api,
                ..
            } if api.code.as_deref() == Some("account_invalid") => Self::seller_not_found(),
            StripeError::Api { status: 403, .. } => Self::provider_configuration(),
            StripeError::Api {
                status: 402,
                error: api,
                ..
            } => {
                let mut declined = Self::new(
                    StatusCode::PAYMENT_REQUIRED,
                    ErrorCode::CardDeclined,
                    api.message
                        .clone()
                        .unwrap_or_else(|| "The card was declined.".into()),
                );
                declined.decline_code = api.decline_code.clone().or_else(|| api.code.clone());
                declined
            }
            // Stripe answers some rate limits (creating accounts too quickly) with a 400
            // whose code is `rate_limit`; its SDKs treat both as a rate limit
            // (crates/sandbox/FIDELITY.md §Errors).
            StripeError::Api {
                status: 400,
                error: api,
                ..
            } if api.code.as_deref() == Some("rate_limit") => Self::rate_limited(),
            StripeError::Api { status: 429, .. } => Self::rate_limited(),
            StripeError::Api {
                status: 400,
                error: api,
                ..
            } if api.kind == "idempotency_error" => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::AttemptReused,
                "This checkout attempt was already used for a different cart: start a new \
                     attempt (a new attempt id) for the new cart.",
            ),
            StripeError::Api { status, .. } if *status >= 500 || *status == 409 => {
                Self::provider_unavailable()
            }
            StripeError::Unreachable { .. } => Self::provider_unavailable(),
            StripeError::Api { .. } | StripeError::Decode { .. } => Self::new(
                StatusCode::BAD_GATEWAY,
                ErrorCode::Internal,
                "The payment could not be prepared. Nothing was charged; please try again, and \
                 contact the shop if it keeps happening.",
            ),
        };
        // Every Stripe call went through the client's retries, which stop only when the
        // budget is spent or trying again cannot help.
        let mut mapped = mapped.with_detail(detail);
        mapped.retries_spent = true;
        mapped
    }
}

impl From<IdError> for AppError {
    fn from(error: IdError) -> Self {
        Self::invalid(error.to_string())
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        Self::invalid(error.to_string())
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(error) => {
                let text = error.body_text();
                let text = text
                    .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                    .unwrap_or(&text);
                Self::invalid(format!("the request body does not fit: {text}"))
            }
            JsonRejection::JsonSyntaxError(error) => Self::invalid(format!(
                "the request body is not valid JSON: {}",
                error.body_text()
            )),
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::InvalidRequest,
                "send the body as JSON with `Content-Type: application/json`",
            ),
            JsonRejection::BytesRejection(_) => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the request body is too large: a checkout is at most 16 KiB",
            ),
            other => Self::invalid(other.body_text()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), code = ?self.code, detail = self.detail.as_deref(), "request failed");
        } else {
            tracing::info!(status = self.status.as_u16(), code = ?self.code, detail = self.detail.as_deref(), "request refused");
        }
        let retry_after = matches!(
            self.status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        );
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.into_owned(),
                decline_code: self.decline_code,
                fields: self.fields,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if self.retries_spent {
            response
                .headers_mut()
                .insert(RETRIES_SPENT, HeaderValue::from_static("true"));
        }
        response
    }
}
