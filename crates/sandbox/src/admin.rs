//! The sandbox's own controls under `/_sandbox/`, which Stripe does not have: the keys (so a
//! local function can find them), reset, health and faults. Everything but health answers only
//! to loopback peers: the keys are test keys, but a page in the developer's browser still has
//! no business reading them.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::http::error::{ApiError, ErrorType};
use crate::http::idempotency::lock;
use crate::state::{Faults, SandboxState};

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox/health", get(health))
        .route("/_sandbox/keys", get(keys))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/faults", get(faults).post(set_faults))
}

fn from_loopback(req: &Request) -> Result<(), ApiError> {
    let peer = req
        .extensions()
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

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /_sandbox/keys`: `{"secret_key", "publishable_key"}` of the platform.
async fn keys(State(state): State<SandboxState>, req: Request) -> Response {
    if let Err(e) = from_loopback(&req) {
        return e.into_response();
    }
    let mut response = Json(json!({
        "secret_key": state.secret_key(),
        "publishable_key": state.publishable_key(),
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST /_sandbox/reset`: back to the seed.
async fn reset(State(state): State<SandboxState>, req: Request) -> Response {
    if let Err(e) = from_loopback(&req) {
        return e.into_response();
    }
    state.reset();
    tracing::info!("sandbox reset to its seed");
    Json(json!({ "reset": true })).into_response()
}

/// `GET /_sandbox/faults`: the faults switched on.
async fn faults(State(state): State<SandboxState>, req: Request) -> Response {
    if let Err(e) = from_loopback(&req) {
        return e.into_response();
    }
    Json(state.faults()).into_response()
}

/// `POST /_sandbox/faults` with JSON such as `{"latency_ms": 200}`; `{}` switches all off.
async fn set_faults(State(state): State<SandboxState>, req: Request) -> Response {
    if let Err(e) = from_loopback(&req) {
        return e.into_response();
    }
    let body = match axum::body::to_bytes(req.into_body(), 64 * 1024).await {
        Ok(body) => body,
        Err(_) => {
            return ApiError::invalid_request("The faults body is too large.").into_response();
        }
    };
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            tracing::info!(?faults, "faults changed");
            *lock(&state.shared.faults) = faults.clone();
            Json(faults).into_response()
        }
        Err(e) => ApiError::invalid_request(format!(
            "The faults body must be JSON such as {{\"latency_ms\": 200}}: {e}"
        ))
        .into_response(),
    }
}
