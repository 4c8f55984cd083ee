//! The HTTP face of Stripe's v1 API: error shape, form decoding, authentication,
//! idempotency, and the middleware every response passes through (`Request-Id`, logs, CORS,
//! panics turned into Stripe-shaped 500s).

pub(crate) mod auth;
pub(crate) mod error;
pub(crate) mod form;
pub(crate) mod idempotency;
pub(crate) mod params;
pub(crate) mod pipeline;

use std::time::Instant;

use axum::extract::{FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use rand::distr::Alphanumeric;
use tower_http::cors::{Any, CorsLayer};

use error::ApiError;

/// The `req_…` id of one request, put in the request's extensions by [`request_id`].
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub String);

/// Gives every response a `Request-Id` (FIDELITY.md §Headers) and logs one line per request:
/// method, path (never the query, which may hold a client secret), status and duration.
pub(crate) async fn request_id(mut req: Request, next: Next) -> Response {
    let id: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(14)
        .map(char::from)
        .collect();
    let id = format!("req_{id}");
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if !headers.contains_key("request-id")
        && let Ok(value) = HeaderValue::from_str(&id)
    {
        headers.insert("request-id", value);
    }
    tracing::info!(
        request_id = %id,
        %method,
        path = %error::shorten(&path),
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Stripe's 404 for a path (or method) no route serves.
pub(crate) async fn unrecognized(method: Method, uri: OriginalUri) -> Response {
    ApiError::unrecognized_url(method.as_str(), uri.0.path()).into_response()
}

/// A panic becomes a Stripe-shaped 500; the panic itself is logged.
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a request panicked");
    ApiError::internal().into_response()
}

/// Browsers on the shop's origin call `/v1` the way Stripe.js does; Stripe answers any origin.
pub(crate) fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("stripe-account"),
            HeaderName::from_static("stripe-version"),
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            HeaderName::from_static("request-id"),
            HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(std::time::Duration::from_secs(300))
}

/// The id in the last path segment (`/v1/prices/{id}`), with our error shape on a bad path.
pub(crate) struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Self(id)),
            Err(_) => Err(ApiError::unrecognized_url(
                parts.method.as_str(),
                parts.uri.path(),
            )),
        }
    }
}
