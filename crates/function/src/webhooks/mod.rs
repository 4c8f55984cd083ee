//! `POST /api/webhooks`: Stripe's events about payments and sellers, verified before anything
//! in them is read.
//!
//! The function keeps no state, so handling an event means acting on it idempotently: a
//! structured log line a platform can route, and for a marketplace order's successful payment
//! its sellers' transfers (`checkout/transfers.rs`, one per seller whatever the deliveries'
//! number or order). A duplicate or out-of-order delivery therefore changes nothing twice.
//! Unknown event types are acknowledged with 200 so Stripe stops retrying them; a transfer
//! Stripe could not make now is a 5xx, so Stripe delivers the event again.

pub mod signature;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use connect_checkout_core::PaymentIntentId;
use connect_checkout_core::api::ErrorCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::checkout::order::{ORDER_GROUP_PREFIX, ORDER_SELLERS};
use crate::checkout::transfers::settle_order;
use crate::error::AppError;

/// The event types the function acts on from connected accounts (direct charges, sellers'
/// accounts); `doctor` checks the Connect endpoint sends them.
pub const CONNECT_EVENTS: &[&str] = &[
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "account.updated",
    "charge.refunded",
];

/// The platform's own event types that settle a marketplace order (its PaymentIntent is on the
/// platform). Either one is enough, since settling twice changes nothing; `doctor` checks the
/// platform's endpoint sends at least one.
pub const PLATFORM_EVENTS: &[&str] = &["payment_intent.succeeded", "charge.succeeded"];

/// Stripe's events are far larger than our API's bodies.
pub const WEBHOOK_BODY_LIMIT: usize = 512 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", post(receive))
        .layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT))
}

/// The envelope of every event (<https://docs.stripe.com/api/events/object>); `data.object` is read
/// per type.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The connected account the event happened on (Connect events only).
    pub account: Option<String>,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: Value,
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let header = headers
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok());
    let now = state.now();
    let secrets = &state.config.webhook_secrets;
    // `verify` reads the header before it looks for secrets, so an unsigned or garbled request
    // is the sender's 400 whatever our configuration; only a well-formed one meets our 503.
    signature::verify(
        &body,
        header,
        secrets,
        now,
        signature::DEFAULT_TOLERANCE_SECS,
    )
    .map_err(|error| match error {
        signature::SignatureError::NoSecrets => AppError::provider_configuration()
            .with_detail("a webhook arrived but STRIPE_WEBHOOK_SECRETS is not set"),
        error => AppError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            error.to_string(),
        )
        .with_detail(format!("webhook refused: {error}")),
    })?;
    let event: Event = serde_json::from_slice(&body)
        .map_err(|error| AppError::invalid(format!("the event is not a Stripe event: {error}")))?;
    forget_stale_catalog(&state, &event);
    handle(&event);
    pay_the_sellers(&state, &event).await?;
    Ok(Json(json!({ "received": true })))
}

/// The PaymentIntent of a marketplace order that `event` says was paid: a platform event (no
/// `account`) for a PaymentIntent carrying the order's metadata, or for a charge in an
/// order's transfer group. Any other event costs no Stripe call.
fn paid_order(event: &Event) -> Option<PaymentIntentId> {
    if event.account.is_some() {
        return None;
    }
    let object = &event.data.object;
    let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
    let intent = match event.kind.as_str() {
        "payment_intent.succeeded" if text(&format!("/metadata/{ORDER_SELLERS}")).is_some() => {
            text("/id")
        }
        "charge.succeeded"
            if text("/transfer_group")
                .is_some_and(|group| group.starts_with(ORDER_GROUP_PREFIX)) =>
        {
            text("/payment_intent")
        }
        _ => None,
    };
    PaymentIntentId::new(intent?).ok()
}

/// Settles the order `event` says was paid. Only Stripe's or our failure is an error (Stripe
/// retries the event); an event whose PaymentIntent is no order of ours, or not succeeded yet
/// (its own `payment_intent.succeeded` follows), is acknowledged.
async fn pay_the_sellers(state: &AppState, event: &Event) -> Result<(), AppError> {
    let Some(payment_intent) = paid_order(event) else {
        return Ok(());
    };
    match settle_order(state, &payment_intent).await {
        Ok(order) => {
            tracing::info!(
                event = %event.id, payment_intent = %payment_intent,
                transfers = order.transfers.len(),
                amount = order.transfers.iter().map(|t| t.amount.amount).sum::<i64>(),
                "order's sellers paid"
            );
            Ok(())
        }
        Err(error)
            if matches!(
                error.code,
                ErrorCode::NotFound | ErrorCode::PaymentNotSucceeded
            ) =>
        {
            tracing::info!(event = %event.id, payment_intent = %payment_intent, code = error.code.as_str(), "no seller to pay for this event");
            Ok(())
        }
        Err(error) => {
            tracing::warn!(
                event = %event.id, payment_intent = %payment_intent, status = error.status.as_u16(),
                "the order's sellers could not all be paid now; Stripe will deliver the event again"
            );
            Err(error)
        }
    }
}

/// A verified change to a seller's account or catalog drops the seller's cached catalog, so
/// the next checkout reads the new prices (or the account's new state) at once.
fn forget_stale_catalog(state: &AppState, event: &Event) {
    let kind = event.kind.as_str();
    let account = if kind == "account.updated" {
        event.data.object.get("id").and_then(Value::as_str)
    } else if kind.starts_with("product.") || kind.starts_with("price.") {
        event.account.as_deref()
    } else {
        None
    };
    if let Some(account) = account {
        state.catalog.invalidate(account);
    }
}

fn handle(event: &Event) {
    let object = &event.data.object;
    let field = |name: &str| object.get(name).cloned().unwrap_or(Value::Null);
    let account = event.account.as_deref().unwrap_or("platform");
    match event.kind.as_str() {
        "payment_intent.succeeded" => tracing::info!(
            event = %event.id, account, payment_intent = %field("id"),
            amount = %field("amount"), currency = %field("currency"),
            "payment succeeded"
        ),
        "payment_intent.payment_failed" => {
            let decline_code = object
                .pointer("/last_payment_error/decline_code")
                .and_then(Value::as_str)
                .unwrap_or("-");
            tracing::info!(
                event = %event.id, account, payment_intent = %field("id"), decline_code,
                "payment failed"
            );
        }
        "account.updated" => tracing::info!(
            event = %event.id, account = %field("id"),
            charges_enabled = %field("charges_enabled"), payouts_enabled = %field("payouts_enabled"),
            "seller account updated"
        ),
        "charge.refunded" => tracing::info!(
            event = %event.id, account, charge = %field("id"),
            amount_refunded = %field("amount_refunded"),
            "charge refunded"
        ),
        other => {
            tracing::debug!(event = %event.id, kind = other, "event acknowledged, not handled")
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn event(kind: &str, account: Option<&str>, object: Value) -> Event {
        serde_json::from_value(json!({
            "id": "evt_1", "type": kind, "account": account, "data": {"object": object},
        }))
        .unwrap()
    }

    #[test]
    fn only_a_platform_event_of_an_orders_payment_names_an_order_to_settle() {
        let order_intent =
            json!({"id": "pi_1Order", "metadata": {"order_sellers": "acct_1A:100:13"}});
        let order_charge =
            json!({"id": "ch_1", "payment_intent": "pi_1Order", "transfer_group": "order_abc"});
        let settles = |event: &Event| paid_order(event).map(|id| id.to_string());

        assert_eq!(
            settles(&event(
                "payment_intent.succeeded",
                None,
                order_intent.clone()
            ))
            .as_deref(),
            Some("pi_1Order")
        );
        assert_eq!(
            settles(&event("charge.succeeded", None, order_charge.clone())).as_deref(),
            Some("pi_1Order")
        );
        for other in [
            // A direct charge's events come from the seller's account.
            event(
                "payment_intent.succeeded",
                Some("acct_1A"),
                order_intent.clone(),
            ),
            // A platform payment that is not an order of ours.
            event(
                "payment_intent.succeeded",
                None,
                json!({"id": "pi_1Other", "metadata": {}}),
            ),
            event(
                "charge.succeeded",
                None,
                json!({"id": "ch_2", "payment_intent": "pi_1Other", "transfer_group": "payroll_7"}),
            ),
            event("payment_intent.payment_failed", None, order_intent),
            event(
                "charge.succeeded",
                None,
                json!({"id": "ch_3", "payment_intent": "../v1/balance", "transfer_group": "order_x"}),
            ),
        ] {
            assert_eq!(settles(&other), None, "{} {:?}", other.kind, other.account);
        }
    }
}
