//! Events through the API: `GET /v1/events` (newest first; `type` with a `*` wildcard,
//! `types[]`, `delivery_success`) and `GET /v1/events/{id}`. Each account sees its own events:
//! a connected account's events are read with `Stripe-Account`.

use axum::extract::State;
use axum::response::Response;

use super::list::{list, list_endpoint};
use super::retrieve::{RETRIEVE, owned};
use crate::events::{Event, type_matches};
use crate::http::error::ApiError;
use crate::http::params::{Ty, opt};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::SandboxState;

const LIST: Endpoint = list_endpoint![
    opt("type", Ty::Str),
    opt("types", Ty::List(&Ty::Str)),
    opt("delivery_success", Ty::Bool),
];

/// `GET /v1/events/{id}`.
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        let event = owned(&call.store.events, &call.caller.account, "event", id)?;
        let pending = call.store.pending_webhooks(&event.id);
        Ok(event.to_json(call.caller.version.as_str(), pending))
    })
    .await
}

/// `GET /v1/events`.
pub(crate) async fn list_events(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let p = call.params;
        if p.contains("type") && p.contains("types") {
            return Err(ApiError::invalid_request(
                "You may only specify one of these parameters: type, types.",
            )
            .param("type"));
        }
        let wanted: Vec<String> = match p.str("type") {
            Some(t) => vec![t.to_owned()],
            None => p.strings("types"),
        };
        let delivery_success = p.bool("delivery_success");
        let store = &*call.store;
        let pending = store.pending_counts();
        let pending_of = |id: &str| pending.get(id).copied().unwrap_or(0);
        let account = &call.caller.account;
        let events = store.events.values().filter(|e: &&Event| {
            &e.account == account
                && (wanted.is_empty() || wanted.iter().any(|w| type_matches(w, &e.kind)))
                && delivery_success.is_none_or(|ok| (pending_of(&e.id) == 0) == ok)
        });
        let version = call.caller.version.as_str();
        list(events, p, "/v1/events", "event", |e| {
            e.to_json(version, pending_of(&e.id))
        })
    })
    .await
}
