//! Admin calls for API keys: roll one (the old key works until a chosen time, then answers
//! Stripe's 401 `api_key_expired`), revoke one (401 "Invalid API Key"), and make a restricted
//! key with read or write access per resource.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use rand::RngExt;
use rand::distr::Alphanumeric;
use serde_json::json;

use super::{json_body, no_store};
use crate::http::error::ApiError;
use crate::keys::{KeyKind, Level, RESOURCES, key_fingerprint};
use crate::state::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox/keys/roll", post(roll))
        .route("/_sandbox/keys/revoke", post(revoke))
        .route("/_sandbox/keys/restricted", post(restricted))
}

fn random_tail() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Roll {
    key: String,
    /// How long the old key keeps working; 0 (the default) ends it at once.
    #[serde(default)]
    expires_in_seconds: i64,
}

/// `POST /_sandbox/keys/roll` `{"key": "sk_test_…", "expires_in_seconds": 3600}` →
/// `{"key": "sk_test_51Sandbox…", "kind", "previous_key_expires_at"}`.
async fn roll(State(state): State<SandboxState>, req: Request) -> Response {
    let body: Roll =
        match json_body(req, r#"{"key": "sk_test_…", "expires_in_seconds": 3600}"#).await {
            Ok(body) => body,
            Err(e) => return e.into_response(),
        };
    if body.expires_in_seconds < 0 {
        return ApiError::invalid_request("expires_in_seconds must not be negative.")
            .into_response();
    }
    let expires_at = state.now() + body.expires_in_seconds;
    let rolled = state
        .store()
        .keys
        .roll(&body.key, &random_tail(), expires_at);
    match rolled {
        Some(new) => {
            tracing::info!(
                old = %key_fingerprint(&body.key),
                new = %key_fingerprint(&new.value),
                expires_at,
                "API key rolled"
            );
            no_store(json!({
                "key": new.value,
                "kind": new.kind.as_str(),
                "previous_key_expires_at": expires_at,
            }))
        }
        None => {
            ApiError::invalid_request("No such key: roll a key the sandbox knows.").into_response()
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    key: String,
}

/// `POST /_sandbox/keys/revoke` `{"key": "sk_test_…"}` → `{"revoked": "sk_test_…abcd"}`.
async fn revoke(State(state): State<SandboxState>, req: Request) -> Response {
    let body: Revoke = match json_body(req, r#"{"key": "sk_test_…"}"#).await {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
    if state.store().keys.revoke(&body.key) {
        tracing::info!(key = %key_fingerprint(&body.key), "API key revoked");
        no_store(json!({ "revoked": key_fingerprint(&body.key) }))
    } else {
        ApiError::invalid_request("No such key: revoke a key the sandbox knows.").into_response()
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Restricted {
    permissions: BTreeMap<String, Level>,
    #[serde(default)]
    name: Option<String>,
}

/// `POST /_sandbox/keys/restricted` `{"name": "function", "permissions": {"payment_intents":
/// "write", "prices": "read"}}` → `{"key": "rk_test_…", "name", "permissions"}`. Write includes
/// read; resources left out are `none`.
async fn restricted(State(state): State<SandboxState>, req: Request) -> Response {
    let example = r#"{"permissions": {"payment_intents": "write", "prices": "read"}}"#;
    let body: Restricted = match json_body(req, example).await {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
    if let Some(unknown) = body
        .permissions
        .keys()
        .find(|k| !RESOURCES.iter().any(|(name, _)| name == k))
    {
        let known: Vec<&str> = RESOURCES.iter().map(|(name, _)| *name).collect();
        return ApiError::invalid_request(format!(
            "Unknown resource `{}` in permissions; known: {}.",
            crate::http::error::shorten(unknown),
            known.join(", ")
        ))
        .into_response();
    }
    let key = state.store().keys.add(
        KeyKind::Restricted,
        &random_tail(),
        body.permissions.clone(),
        body.name.clone(),
    );
    tracing::info!(key = %key_fingerprint(&key.value), "restricted key made");
    no_store(json!({
        "key": key.value,
        "name": body.name,
        "permissions": body.permissions,
    }))
}
