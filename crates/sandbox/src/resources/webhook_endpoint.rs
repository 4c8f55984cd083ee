//! Webhook endpoints (FIDELITY.md §Webhooks): where events are posted. The `whsec_…` signing secret
//! is returned only by the call that creates the endpoint, as on Stripe.
//! `POST /v1/webhook_endpoints`, `GET /v1/webhook_endpoints`,
//! `GET|POST|DELETE /v1/webhook_endpoints/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::list::{list, list_endpoint, listed_by_creation};
use super::retrieve::{RETRIEVE, owned_by_account, owned_mut};
use crate::events::KNOWN_TYPES;
use crate::http::auth::{Access, ApiVersion};
use crate::http::error::{ApiError, shorten};
use crate::http::params::{Params, Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::{SandboxState, Store};

/// A signing secret; a rolled one keeps signing until `expires_at`.
#[derive(Clone, Debug)]
pub(crate) struct EndpointSecret {
    pub value: String,
    pub expires_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub(crate) struct WebhookEndpoint {
    pub id: String,
    pub account: String,
    pub url: String,
    pub enabled_events: Vec<String>,
    /// Receives the events of connected accounts instead of the account's own.
    pub connect: bool,
    pub api_version: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub enabled: bool,
    /// The current secret first, then rolled ones still in their overlap.
    pub secrets: Vec<EndpointSecret>,
    pub created: i64,
    pub seq: u64,
}

impl WebhookEndpoint {
    pub fn to_json(&self, with_secret: bool) -> Value {
        let mut value = json!({
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": self.api_version,
            "application": null,
            "created": self.created,
            "description": self.description,
            "enabled_events": self.enabled_events,
            "livemode": false,
            "metadata": self.metadata,
            "status": if self.enabled { "enabled" } else { "disabled" },
            "url": self.url,
        });
        if with_secret {
            value["secret"] = json!(self.current_secret());
        }
        value
    }

    pub fn current_secret(&self) -> &str {
        self.secrets.first().map_or("", |s| s.value.as_str())
    }

    /// The secrets that sign a delivery made at `now`: the current one and any rolled one
    /// whose overlap has not ended.
    pub fn signing_secrets(&self, now: i64) -> Vec<String> {
        self.secrets
            .iter()
            .filter(|s| s.expires_at.is_none_or(|at| at > now))
            .map(|s| s.value.clone())
            .collect()
    }
}

owned_by_account!(WebhookEndpoint);
listed_by_creation!(WebhookEndpoint);

/// A fresh `whsec_…` secret.
pub(crate) fn new_secret(store: &mut Store) -> String {
    store.new_id("whsec_", 32)
}

const CREATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        req("url", Ty::Str),
        req("enabled_events", Ty::List(&Ty::Str)),
        opt("api_version", Ty::Str),
        opt("connect", Ty::Bool),
        opt("description", Ty::Str),
        opt("metadata", Ty::Metadata),
    ],
};

const UPDATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        opt("url", Ty::Str),
        opt("enabled_events", Ty::List(&Ty::Str)),
        opt("description", Ty::Str),
        opt("disabled", Ty::Bool),
        opt("metadata", Ty::Metadata),
    ],
};

const LIST: Endpoint = list_endpoint![];

/// An absolute `http://` or `https://` URL with a host. Stripe refuses non-public URLs in live
/// mode; the sandbox delivers to local ones, which is its point.
fn check_url(url: &str) -> Result<(), ApiError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(h) if !h.is_empty() && !url.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(ApiError::invalid_request(format!(
            "Invalid URL: {}. Webhook endpoint URLs must be absolute http:// or https:// URLs.",
            shorten(url)
        ))
        .code("url_invalid")
        .param("url")),
    }
}

fn check_events(events: &[String]) -> Result<(), ApiError> {
    if events.is_empty() {
        return Err(ApiError::parameter_missing("enabled_events"));
    }
    for (i, event) in events.iter().enumerate() {
        if event != "*" && !KNOWN_TYPES.contains(&event.as_str()) {
            return Err(ApiError::invalid_request(format!(
                "Invalid enabled_events[{i}]: must be one of *, {}",
                KNOWN_TYPES.join(", ")
            ))
            .param(format!("enabled_events[{i}]")));
        }
    }
    Ok(())
}

fn find<'a>(
    store: &'a mut Store,
    account: &str,
    id: &str,
) -> Result<&'a mut WebhookEndpoint, ApiError> {
    owned_mut(
        &mut store.webhook_endpoints,
        account,
        "webhook_endpoint",
        id,
    )
}

/// `POST /v1/webhook_endpoints`: the answer carries `secret`, the only time it is shown.
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, |call| {
        let p: &Params = call.params;
        let url = p.str("url").unwrap_or_default();
        check_url(url)?;
        let events = p.strings("enabled_events");
        check_events(&events)?;
        let api_version = match p.str("api_version") {
            Some(v) => Some(
                ApiVersion::parse(v)
                    .ok_or_else(|| {
                        ApiError::invalid_request(format!(
                            "Invalid Stripe API version: {}",
                            shorten(v)
                        ))
                        .param("api_version")
                    })?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let secret = new_secret(call.store);
        let endpoint = WebhookEndpoint {
            id: call.store.new_id("we_", 24),
            account: call.caller.account.clone(),
            url: url.to_owned(),
            enabled_events: events,
            connect: p.bool("connect").unwrap_or(false),
            api_version,
            description: p.str("description").map(str::to_owned),
            metadata: p.string_map("metadata"),
            enabled: true,
            secrets: vec![EndpointSecret {
                value: secret,
                expires_at: None,
            }],
            created: call.now,
            seq: call.store.next_seq(),
        };
        let value = endpoint.to_json(true);
        call.store
            .webhook_endpoints
            .insert(endpoint.id.clone(), endpoint);
        Ok(value)
    })
    .await
}

/// `GET /v1/webhook_endpoints/{id}` (no secret).
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        Ok(find(call.store, &call.caller.account, id)?.to_json(false))
    })
    .await
}

/// `POST /v1/webhook_endpoints/{id}`: url, events, description, `disabled`, metadata.
pub(crate) async fn update(req: ObjectRequest) -> Response {
    run_on_object(req, &UPDATE, |call, id| {
        let p = call.params;
        if let Some(url) = p.str("url") {
            check_url(url)?;
        }
        let events = p
            .contains("enabled_events")
            .then(|| p.strings("enabled_events"));
        if let Some(events) = &events {
            check_events(events)?;
        }
        let endpoint = find(call.store, &call.caller.account, id)?;
        if let Some(url) = p.str("url") {
            endpoint.url = url.to_owned();
        }
        if let Some(events) = events {
            endpoint.enabled_events = events;
        }
        if p.contains("description") {
            endpoint.description = p.str("description").map(str::to_owned);
        }
        if let Some(disabled) = p.bool("disabled") {
            endpoint.enabled = !disabled;
        }
        super::apply_metadata(&mut endpoint.metadata, p);
        Ok(endpoint.to_json(false))
    })
    .await
}

/// `DELETE /v1/webhook_endpoints/{id}`.
pub(crate) async fn delete(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        find(call.store, &call.caller.account, id)?;
        call.store.webhook_endpoints.remove(id);
        Ok(json!({ "id": id, "object": "webhook_endpoint", "deleted": true }))
    })
    .await
}

/// `GET /v1/webhook_endpoints`, newest first.
pub(crate) async fn list_endpoints(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let account = &call.caller.account;
        let endpoints = call
            .store
            .webhook_endpoints
            .values()
            .filter(|e| &e.account == account);
        list(
            endpoints,
            call.params,
            "/v1/webhook_endpoints",
            "webhook_endpoint",
            |e| e.to_json(false),
        )
    })
    .await
}
