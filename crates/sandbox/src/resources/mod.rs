//! The Stripe objects the sandbox keeps, one module each, with their `/v1` endpoints.

pub(crate) mod account;
pub(crate) mod catalog;
pub(crate) mod charge;
pub(crate) mod expand;
pub(crate) mod list;
pub(crate) mod payment_intent;
pub(crate) mod payment_method;

use axum::Router;
use axum::routing::{get, post};

use crate::state::SandboxState;

/// Every `/v1` route, relative to `/v1`.
pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/account", get(account::retrieve_self))
        .route("/accounts", get(account::list_accounts))
        .route("/accounts/{id}", get(account::retrieve))
        .route("/products", get(catalog::list_products))
        .route("/products/{id}", get(catalog::retrieve_product))
        .route("/prices", get(catalog::list_prices))
        .route("/prices/{id}", get(catalog::retrieve_price))
        .route("/payment_methods", post(payment_method::create))
        .route("/payment_methods/{id}", get(payment_method::retrieve))
        .route(
            "/payment_intents",
            post(payment_intent::create).get(payment_intent::list_intents),
        )
        .route("/payment_intents/{id}", get(payment_intent::retrieve))
        .route(
            "/payment_intents/{id}/confirm",
            post(payment_intent::confirm),
        )
        .route("/payment_intents/{id}/cancel", post(payment_intent::cancel))
        .route(
            "/payment_intents/{id}/capture",
            post(payment_intent::capture),
        )
        .route("/charges/{id}", get(charge::retrieve))
}
