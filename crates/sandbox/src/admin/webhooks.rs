//! Admin calls for webhooks: the deliveries and their attempts, a resend, the retry schedule,
//! and rolling an endpoint's secret with an overlap during which both secrets sign.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{Loopback, json_body, no_store};
use crate::http::error::ApiError;
use crate::http::idempotency::lock;
use crate::resources::webhook_endpoint::{EndpointSecret, new_secret};
use crate::state::SandboxState;
use crate::webhooks::WebhookSettings;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox/webhook_deliveries", get(deliveries))
        .route("/_sandbox/webhook_deliveries/{id}/retry", post(retry))
        .route(
            "/_sandbox/webhook_endpoints/{id}/roll_secret",
            post(roll_secret),
        )
        .route(
            "/_sandbox/webhook_settings",
            get(settings).post(set_settings),
        )
}

/// `GET /_sandbox/webhook_deliveries[?event=evt_…][&endpoint=we_…][&status=failed][&type=…]`:
/// `{"data": [{id, event, event_type, endpoint, url, status, attempt_count, attempts:
/// [{at, status, error, duration_ms}], next_attempt_at, created}]}`, newest first.
async fn deliveries(
    State(state): State<SandboxState>,
    Query(query): Query<HashMap<String, String>>,
    _: Loopback,
) -> Response {
    let store = state.store();
    let mut found: Vec<_> = store
        .deliveries
        .values()
        .filter(|d| query.get("event").is_none_or(|v| &d.event == v))
        .filter(|d| query.get("endpoint").is_none_or(|v| &d.endpoint == v))
        .filter(|d| query.get("type").is_none_or(|v| &d.event_type == v))
        .filter(|d| query.get("status").is_none_or(|v| d.status.as_str() == v))
        .collect();
    found.sort_by_key(|d| std::cmp::Reverse(d.seq));
    no_store(json!({ "data": found.iter().map(|d| d.to_json()).collect::<Vec<_>>() }))
}

/// `POST /_sandbox/webhook_deliveries/{id}/retry`: one more attempt, now.
async fn retry(State(state): State<SandboxState>, Path(id): Path<String>, _: Loopback) -> Response {
    match retry_now(&state, &id) {
        Some(delivery) => no_store(delivery),
        None => ApiError::resource_missing("webhook delivery", &id, "id").into_response(),
    }
}

/// Schedules one more attempt at delivery `id` for now and wakes the sender: the delivery as
/// it stands then, or `None` if there is no such delivery.
pub(super) fn retry_now(state: &SandboxState, id: &str) -> Option<Value> {
    let now = state.now();
    let delivery = {
        let mut store = state.store();
        store.retry_delivery_now(id, now).then(|| {
            store
                .deliveries
                .get(id)
                .map(|d| d.to_json())
                .unwrap_or_default()
        })
    };
    state.kick_webhooks();
    delivery
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Roll {
    /// How long the old secret keeps signing; 0 ends it at once. Default 24 h.
    #[serde(default = "a_day")]
    expires_in_seconds: i64,
}

fn a_day() -> i64 {
    24 * 60 * 60
}

/// `POST /_sandbox/webhook_endpoints/{id}/roll_secret` `{"expires_in_seconds": 3600}`:
/// `{"id", "secret": "whsec_new…", "previous_secret_expires_at"}`. Until then every delivery
/// carries a `v1` for each secret.
async fn roll_secret(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let roll = match json_body::<Roll>(req, r#"{"expires_in_seconds": 3600}"#).await {
        Ok(roll) if roll.expires_in_seconds >= 0 => roll,
        Ok(_) => {
            return ApiError::invalid_request("expires_in_seconds must not be negative.")
                .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let now = state.now();
    let mut store = state.store();
    let secret = new_secret(&mut store);
    let Some(endpoint) = store.webhook_endpoints.get_mut(&id) else {
        return ApiError::resource_missing("webhook_endpoint", &id, "id").into_response();
    };
    let expires_at = now + roll.expires_in_seconds;
    // The old secrets end no later than the new deadline; those already expired go.
    for old in &mut endpoint.secrets {
        old.expires_at = Some(old.expires_at.map_or(expires_at, |at| at.min(expires_at)));
    }
    endpoint
        .secrets
        .retain(|s| s.expires_at.is_none_or(|at| at > now));
    endpoint.secrets.insert(
        0,
        EndpointSecret {
            value: secret.clone(),
            expires_at: None,
        },
    );
    tracing::info!(endpoint = %id, "webhook secret rolled");
    no_store(json!({
        "id": id,
        "secret": secret,
        "previous_secret_expires_at": expires_at,
    }))
}

/// `GET /_sandbox/webhook_settings`.
async fn settings(State(state): State<SandboxState>, _: Loopback) -> Response {
    no_store(json!(*lock(&state.shared.webhook_settings)))
}

/// `POST /_sandbox/webhook_settings` `{"retry_schedule_ms": [50, 100, 200], "timeout_ms":
/// 2000}` (either may be left out for its default).
async fn set_settings(State(state): State<SandboxState>, req: Request) -> Response {
    match json_body::<WebhookSettings>(req, r#"{"retry_schedule_ms": [50, 100, 200]}"#).await {
        Ok(settings) if settings.retry_schedule_ms.len() <= 20 && settings.timeout_ms > 0 => {
            *lock(&state.shared.webhook_settings) = settings.clone();
            no_store(json!(settings))
        }
        Ok(_) => ApiError::invalid_request(
            "retry_schedule_ms may hold at most 20 waits and timeout_ms must be positive.",
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}
