//! Stripe's error body, `{"error": {"type", "code", "message", "param", "doc_url", …}}`, and the
//! status that goes with it. Every failure the sandbox answers, from a bad key to a panic,
//! leaves through [`ApiError`], so clients see one shape (FIDELITY.md §Errors).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The `type` of a Stripe error. The OpenAPI enum has only these four on the wire; 401 and 429
/// bodies use `invalid_request_error` too (FIDELITY.md §Errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::enum_variant_names)] // the names are Stripe's, `_error` included
pub(crate) enum ErrorType {
    ApiError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
}

/// The inner object of an error response. Absent fields are left out, as Stripe does.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ErrorBody {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_intent: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<Value>,
}

/// A Stripe-shaped failure: status, body and the few headers Stripe adds to some errors.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    /// Boxed: errors travel in every `Result` of a request, and the body is large.
    pub body: Box<ErrorBody>,
    /// `Stripe-Should-Retry`, the server's retry hint that the SDKs obey first (FIDELITY.md
    /// §Headers).
    pub should_retry: Option<bool>,
}

/// `https://stripe.com/docs/error-codes/resource-missing` for `resource_missing`.
pub(crate) fn doc_url(code: &str) -> String {
    format!(
        "https://stripe.com/docs/error-codes/{}",
        code.replace('_', "-")
    )
}

impl ApiError {
    pub fn new(status: StatusCode, kind: ErrorType, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody {
                kind,
                code: None,
                decline_code: None,
                message: message.into(),
                param: None,
                doc_url: None,
                charge: None,
                payment_intent: None,
                payment_method: None,
            }),
            should_retry: None,
        }
    }

    /// A 400 `invalid_request_error` with no code.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequestError,
            message,
        )
    }

    /// Sets `code` and the matching `doc_url`.
    pub fn code(mut self, code: &str) -> Self {
        self.body.doc_url = Some(doc_url(code));
        self.body.code = Some(code.to_owned());
        self
    }

    pub fn param(mut self, param: impl Into<String>) -> Self {
        self.body.param = Some(param.into());
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn with_payment_intent(mut self, payment_intent: Value) -> Self {
        self.body.payment_intent = Some(payment_intent);
        self
    }

    // ---- The errors with a fixed wording. Sources are FIDELITY.md's sections. ----

    /// 401 with no key at all (FIDELITY.md §Authentication errors).
    pub fn no_api_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::InvalidRequestError,
            "You did not provide an API key. You need to provide your API key in the \
             Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
             YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, \
             or we can help at https://support.stripe.com/.",
        )
    }

    /// 401 for a key that is not one of ours, masked to its last 4 characters (FIDELITY.md
    /// §Authentication errors).
    pub fn invalid_api_key(key: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::InvalidRequestError,
            format!("Invalid API Key provided: {}", crate::keys::mask(key, 4)),
        )
    }

    /// 401 for a rolled key past its expiry, masked to its last 6 characters (FIDELITY.md
    /// §Authentication errors).
    pub fn expired_api_key(key: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::InvalidRequestError,
            format!("Expired API Key provided: {}", crate::keys::mask(key, 6)),
        )
        .code("api_key_expired")
    }

    /// 403 for a publishable key on a secret-only endpoint (FIDELITY.md §Authentication errors;
    /// `type` and `code` are UNCONFIRMED, see the README).
    pub fn secret_key_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorType::InvalidRequestError,
            "This API call cannot be made with a publishable API key. Please use a secret API \
             key. You can find a list of your API keys at \
             https://dashboard.stripe.com/account/apikeys.",
        )
        .code("secret_key_required")
    }

    /// 403 for a `Stripe-Account` (or account in the URL) the key may not act for (FIDELITY.md
    /// §Stripe-Account).
    pub fn account_invalid(key: &str, account: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorType::InvalidRequestError,
            format!(
                "The provided key '{}' does not have access to account '{}' (or that account \
                 does not exist). Application access may have been revoked.",
                crate::keys::mask(key, 4),
                shorten(account)
            ),
        )
        .code("account_invalid")
    }

    /// 404 `No such payment_intent: 'pi_…'` (FIDELITY.md §Errors). `kind` is Stripe's object name
    /// in the message (`payment_intent`, `price`, `PaymentMethod`).
    pub fn resource_missing(kind: &str, id: &str, param: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequestError,
            format!("No such {kind}: '{}'", shorten(id)),
        )
        .code("resource_missing")
        .param(param)
    }

    /// 404 for a path no route knows (stripe-mock's and Stripe's wording, FIDELITY.md §Unknown
    /// routes).
    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequestError,
            format!(
                "Unrecognized request URL ({method}: {}). Please see https://stripe.com/docs \
                 or we can help at https://support.stripe.com/.",
                shorten(path)
            ),
        )
    }

    pub fn parameter_unknown(param: &str) -> Self {
        Self::invalid_request(format!("Received unknown parameter: {}", shorten(param)))
            .code("parameter_unknown")
            .param(shorten(param))
    }

    pub fn parameter_missing(param: &str) -> Self {
        Self::invalid_request(format!("Missing required param: {param}."))
            .code("parameter_missing")
            .param(param)
    }

    /// An empty string is how clients unset a value; a required value cannot be unset.
    pub fn parameter_invalid_empty(param: &str) -> Self {
        Self::invalid_request(format!(
            "You passed an empty string for '{param}'. We assume empty values are an attempt to \
             unset a parameter; however '{param}' cannot be unset. You should remove '{param}' \
             from your request or supply a non-empty value."
        ))
        .code("parameter_invalid_empty")
        .param(param)
    }

    pub fn invalid_integer(param: &str, value: &str) -> Self {
        Self::invalid_request(format!("Invalid integer: {}", shorten(value)))
            .code("parameter_invalid_integer")
            .param(param)
    }

    /// Same key, other parameters (FIDELITY.md §Idempotency).
    pub fn idempotency_mismatch(key: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorType::IdempotencyError,
            format!(
                "Keys for idempotent requests can only be used with the same parameters they \
                 were first used with. Try using a key other than '{}' if you meant to execute \
                 a different request.",
                shorten(key)
            ),
        )
    }

    /// Same key while the first request still runs (FIDELITY.md §Idempotency).
    pub fn idempotency_key_in_use(key: &str) -> Self {
        let mut error = Self::new(
            StatusCode::CONFLICT,
            ErrorType::InvalidRequestError,
            format!(
                "There is currently another in-progress request using this Idempotent Key (that \
                 probably means you submitted twice, and the other request is still going \
                 through): {}. Please try again later.",
                shorten(key)
            ),
        )
        .code("idempotency_key_in_use");
        error.should_retry = Some(true);
        error
    }

    /// A 500 that tells nothing of the cause; the cause goes to the log.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorType::ApiError,
            "An unknown error occurred. The sandbox logged the cause; please report it if it \
             happens again.",
        )
    }

    /// The JSON document this error is sent as.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "error": self.body })
    }
}

/// Echoing a megabyte of attacker input back in a message helps no one.
pub(crate) fn shorten(value: &str) -> String {
    match value.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.to_json())).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            // Stripe asks for Basic auth on every 401, which is what makes curl prompt.
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Stripe\""),
            );
        }
        if let Some(retry) = self.should_retry {
            headers.insert(
                "stripe-should-retry",
                HeaderValue::from_static(if retry { "true" } else { "false" }),
            );
        }
        response
    }
}
