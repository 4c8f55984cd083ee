//! The sandbox's own controls under `/_sandbox/`, which Stripe does not have: the keys (so a
//! local function can find them), reset, health, the clock, faults and webhook deliveries.
//! Everything but health answers only to loopback peers: the keys are test keys, but a page in
//! the developer's browser still has no business reading them. Bodies are JSON.

mod keys;
mod page;
mod webhooks;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::faults::Faults;
use crate::http::error::{ApiError, ErrorType};
use crate::http::idempotency::lock;
use crate::state::SandboxState;

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox/health", get(health))
        .route("/_sandbox/keys", get(keys))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/clock", get(clock).post(advance_clock))
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/faults", get(faults).post(set_faults))
        .merge(webhooks::routes())
        .merge(keys::routes())
        .merge(page::routes())
}

/// Refuses peers that are not on this machine, and requests a browser sent from another
/// site's page (a form or a `text/plain` fetch needs no CORS preflight, so the `Origin` a
/// browser adds is what tells them apart).
pub(crate) fn from_loopback(req: &Request) -> Result<(), ApiError> {
    check_loopback(req.headers(), req.extensions())
}

/// What [`from_loopback`] checks, on a request's headers and extensions.
fn check_loopback(headers: &HeaderMap, extensions: &Extensions) -> Result<(), ApiError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .is_some_and(|(_, rest)| rest == host);
        if !same {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorType::InvalidRequestError,
                "The sandbox's admin API does not answer requests made from other sites' pages.",
            ));
        }
    }
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match peer {
        Some(ip) if ip.is_loopback() => Ok(()),
        Some(ip) if ip.to_canonical().is_loopback() => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorType::InvalidRequestError,
            "The sandbox's admin API answers only to requests from this machine (a loopback \
             address).",
        )),
    }
}

/// An admin handler's argument that refuses the request unless [`from_loopback`] lets it
/// through.
pub(crate) struct Loopback;

impl<S: Send + Sync> FromRequestParts<S> for Loopback {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        check_loopback(&parts.headers, &parts.extensions).map(|()| Self)
    }
}

/// Reads a JSON body of type `T` (an empty body reads as `{}`), after the loopback check.
/// `example` goes into the error message.
pub(crate) async fn json_body<T: DeserializeOwned>(
    req: Request,
    example: &str,
) -> Result<T, ApiError> {
    from_loopback(&req)?;
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::invalid_request("The body is too large (64 KiB at most)."))?;
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid_request(format!("The body must be JSON such as {example}: {e}"))
    })
}

/// A JSON answer that no cache keeps.
pub(crate) fn no_store(value: serde_json::Value) -> Response {
    let mut response = Json(value).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /_sandbox/keys`: `{"secret_key", "publishable_key"}` of the platform (the current
/// ones, after any roll), `keys` (every key with its kind, expiry and permissions), plus
/// `webhook_secret` (the current secret of the seed's first webhook endpoint) and
/// `webhook_secrets` (those of all its endpoints) when the seed has endpoints.
async fn keys(State(state): State<SandboxState>, _: Loopback) -> Response {
    let mut value = {
        let store = state.store();
        let current = |kind| {
            store
                .keys
                .current(kind)
                .map(|k| k.value.clone())
                .unwrap_or_default()
        };
        json!({
            "secret_key": current(crate::keys::KeyKind::Secret),
            "publishable_key": current(crate::keys::KeyKind::Publishable),
            "keys": store.keys.all().iter().map(|k| json!({
                "key": k.value,
                "kind": k.kind.as_str(),
                "expires_at": k.expires_at,
                "name": k.name,
                "permissions": k.permissions,
            })).collect::<Vec<_>>(),
        })
    };
    let seeded: Vec<String> = {
        let store = state.store();
        state
            .shared
            .seed
            .webhook_endpoints
            .iter()
            .filter_map(|e| store.webhook_endpoints.get(&e.id))
            .map(|e| e.current_secret().to_owned())
            .collect()
    };
    if let Some(first) = seeded.first() {
        value["webhook_secret"] = json!(first);
        let mut all = seeded.clone();
        all.dedup();
        value["webhook_secrets"] = json!(all);
    }
    no_store(value)
}

/// `GET /_sandbox/requests`: the `/v1` calls answered since the start or the last reset, by
/// the kind of key (`secret_key` counts restricted keys too; calls refused before their key
/// was accepted are not counted), and the webhook deliveries acknowledged.
async fn requests(State(state): State<SandboxState>, _: Loopback) -> Response {
    let calls = &state.shared.api_calls;
    let (server, browser) = calls.read();
    no_store(json!({
        "secret_key": server,
        "publishable_key": browser,
        "webhooks_delivered": calls.webhooks(),
    }))
}

/// `POST /_sandbox/reset`: back to the seed.
async fn reset(State(state): State<SandboxState>, _: Loopback) -> Response {
    state.reset();
    tracing::info!("sandbox reset to its seed");
    Json(json!({ "reset": true })).into_response()
}

/// `GET /_sandbox/clock`: the sandbox's now, in Unix seconds.
async fn clock(State(state): State<SandboxState>, _: Loopback) -> Response {
    Json(json!({ "now": state.now() })).into_response()
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_seconds: i64,
}

/// `POST /_sandbox/clock` `{"advance_seconds": 301}`: moves the sandbox's time forward, to
/// expire account links and rolled keys without waiting.
async fn advance_clock(State(state): State<SandboxState>, req: Request) -> Response {
    match json_body::<Advance>(req, r#"{"advance_seconds": 301}"#).await {
        Ok(Advance { advance_seconds }) if advance_seconds >= 0 => {
            state.shared.clock.advance(advance_seconds);
            Json(json!({ "now": state.now() })).into_response()
        }
        Ok(_) => ApiError::invalid_request("The clock only moves forward.").into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /_sandbox/faults`: the faults switched on.
async fn faults(State(state): State<SandboxState>, _: Loopback) -> Response {
    no_store(lock(&state.shared.faults).to_json())
}

/// `POST /_sandbox/faults` with JSON such as `{"rules": [{"fault": "server_error", "every":
/// 2}]}` (see [`crate::faults`]); `{}` switches all off and restarts the counters.
async fn set_faults(State(state): State<SandboxState>, req: Request) -> Response {
    let example = r#"{"rules": [{"fault": "rate_limit", "share": 0.5}], "random_seed": 7}"#;
    match json_body::<Faults>(req, example).await {
        Ok(faults) => {
            tracing::info!(?faults, "faults changed");
            match serde_json::to_value(&faults).map(|v| state.set_faults(v)) {
                Ok(Ok(value)) => no_store(value),
                Ok(Err(e)) => {
                    ApiError::invalid_request(format!("Invalid faults: {e}.")).into_response()
                }
                Err(_) => ApiError::internal().into_response(),
            }
        }
        Err(e) => e.into_response(),
    }
}
