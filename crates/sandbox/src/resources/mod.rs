//! The Stripe objects the sandbox keeps, one module each, with their `/v1` endpoints.

pub(crate) mod account;
pub(crate) mod account_link;
pub(crate) mod address;
pub(crate) mod application_fee;
pub(crate) mod balance;
pub(crate) mod catalog;
pub(crate) mod charge;
pub(crate) mod event;
pub(crate) mod expand;
pub(crate) mod list;
pub(crate) mod payment_intent;
pub(crate) mod payment_method;
pub(crate) mod refund;
pub(crate) mod retrieve;
pub(crate) mod settlement;
pub(crate) mod token;
pub(crate) mod transfer;
pub(crate) mod webhook_endpoint;

use std::collections::BTreeMap;

use axum::Router;
use axum::routing::{get, post};

use crate::http::params::{Param, Params};
use crate::state::SandboxState;

/// Stripe's metadata update: `metadata[k]=v` sets a key, `metadata[k]=` removes it and
/// `metadata=` removes them all.
pub(crate) fn apply_metadata(metadata: &mut BTreeMap<String, String>, params: &Params) {
    match params.get("metadata") {
        Some(Param::Unset) => metadata.clear(),
        Some(Param::Obj(keys)) => {
            for (key, value) in keys.iter() {
                match value {
                    Param::Str(v) => {
                        metadata.insert(key.clone(), v.clone());
                    }
                    _ => {
                        metadata.remove(key);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Every `/v1` route, relative to `/v1`.
pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/account", get(account::retrieve_self))
        .route(
            "/accounts",
            get(account::list_accounts).post(account::create),
        )
        .route(
            "/accounts/{id}",
            get(account::retrieve)
                .post(account::update)
                .delete(account::delete),
        )
        .route(
            "/accounts/{id}/capabilities",
            get(account::list_capabilities),
        )
        .route(
            "/accounts/{id}/capabilities/{name}",
            get(account::retrieve_capability).post(account::update_capability),
        )
        .route(
            "/accounts/{id}/login_links",
            post(account_link::create_login_link),
        )
        .route("/account_links", post(account_link::create))
        .route("/balance", get(balance::retrieve))
        .route("/balance_transactions", get(balance::list_transactions))
        .route(
            "/balance_transactions/{id}",
            get(balance::retrieve_transaction),
        )
        .route("/tokens", post(token::create))
        .route("/tokens/{id}", get(token::retrieve))
        .route(
            "/products",
            get(catalog::list_products).post(catalog::create_product),
        )
        .route(
            "/products/{id}",
            get(catalog::retrieve_product).post(catalog::update_product),
        )
        .route(
            "/prices",
            get(catalog::list_prices).post(catalog::create_price),
        )
        .route(
            "/prices/{id}",
            get(catalog::retrieve_price).post(catalog::update_price),
        )
        .route("/payment_methods", post(payment_method::create))
        .route("/payment_methods/{id}", get(payment_method::retrieve))
        .route(
            "/payment_intents",
            post(payment_intent::create).get(payment_intent::list_intents),
        )
        .route(
            "/payment_intents/{id}",
            get(payment_intent::retrieve).post(payment_intent::update),
        )
        .route(
            "/payment_intents/{id}/confirm",
            post(payment_intent::confirm),
        )
        .route("/payment_intents/{id}/cancel", post(payment_intent::cancel))
        .route(
            "/payment_intents/{id}/capture",
            post(payment_intent::capture),
        )
        .route("/charges", get(charge::list_charges))
        .route("/charges/{id}", get(charge::retrieve))
        .route("/refunds", post(refund::create).get(refund::list_refunds))
        .route("/refunds/{id}", get(refund::retrieve))
        .route(
            "/transfers",
            post(transfer::create).get(transfer::list_transfers),
        )
        .route(
            "/transfers/{id}",
            get(transfer::retrieve).post(transfer::update),
        )
        .route(
            "/transfers/{id}/reversals",
            post(transfer::create_reversal).get(transfer::list_reversals),
        )
        .route(
            "/transfers/{id}/reversals/{reversal}",
            get(transfer::retrieve_reversal).post(transfer::update_reversal),
        )
        .route("/application_fees", get(application_fee::list_fees))
        .route("/application_fees/{id}", get(application_fee::retrieve))
        .route("/events", get(event::list_events))
        .route("/events/{id}", get(event::retrieve))
        .route(
            "/webhook_endpoints",
            post(webhook_endpoint::create).get(webhook_endpoint::list_endpoints),
        )
        .route(
            "/webhook_endpoints/{id}",
            get(webhook_endpoint::retrieve)
                .post(webhook_endpoint::update)
                .delete(webhook_endpoint::delete),
        )
}
