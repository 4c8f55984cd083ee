//! Application fees (`fee_…`): what the platform takes from a charge it made for a connected
//! account (`application_fee_amount`). Made when the charge is captured, listed by the
//! platform, partly or wholly refunded by refunds with `refund_application_fee`.
//! `GET /v1/application_fees`, `GET /v1/application_fees/{id}`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::balance::Booking;
use super::list::{list, list_endpoint, listed_by_creation};
use super::retrieve::RETRIEVE;
use crate::events::Origin;
use crate::http::error::ApiError;
use crate::http::params::{Ty, opt};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::{SandboxState, Store};

#[derive(Clone, Debug)]
pub(crate) struct FeeRefund {
    pub id: String,
    pub amount: i64,
    pub created: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct ApplicationFee {
    pub id: String,
    /// The connected account the fee was taken from.
    pub account: String,
    pub amount: i64,
    pub currency: String,
    pub charge: String,
    pub refunds: Vec<FeeRefund>,
    pub created: i64,
    pub seq: u64,
}

impl ApplicationFee {
    pub fn amount_refunded(&self) -> i64 {
        self.refunds.iter().map(|r| r.amount).sum()
    }

    pub fn to_json(&self, platform: &str) -> Value {
        let refunds: Vec<Value> = self
            .refunds
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "object": "fee_refund",
                    "amount": r.amount,
                    "balance_transaction": null,
                    "created": r.created,
                    "currency": self.currency,
                    "fee": self.id,
                    "metadata": {},
                })
            })
            .collect();
        json!({
            "id": self.id,
            "object": "application_fee",
            "account": self.account,
            "amount": self.amount,
            "amount_refunded": self.amount_refunded(),
            "application": platform,
            "balance_transaction": null,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "fee_source": { "charge": self.charge, "type": "charge" },
            "livemode": false,
            "originating_transaction": null,
            "refunded": self.amount > 0 && self.amount_refunded() >= self.amount,
            "refunds": {
                "object": "list",
                "data": refunds,
                "has_more": false,
                "url": format!("/v1/application_fees/{}/refunds", self.id),
            },
        })
    }
}

impl Store {
    /// Gives `amount` of fee `fee_id` back to the account it was taken from (a refund or a
    /// transfer reversal with `refund_application_fee`), with `application_fee.refunded`.
    pub(crate) fn give_fee_back(&mut self, fee_id: &str, amount: i64, origin: &Origin, now: i64) {
        let platform = self.platform_id.clone();
        let Some(fee) = self.application_fees.get(fee_id).cloned() else {
            return;
        };
        if amount <= 0 {
            return;
        }
        let fee_refund_id = self.new_id("fr_", 24);
        // Back to whoever paid the fee: the seller's account in both charge types.
        for (account, amount) in [(&platform, -amount), (&fee.account, amount)] {
            self.book(Booking {
                account,
                currency: &fee.currency,
                amount,
                available_on: now,
                source: &fee_refund_id,
                kind: "application_fee_refund",
                now,
            });
        }
        let before = fee.to_json(&platform);
        if let Some(f) = self.application_fees.get_mut(fee_id) {
            f.refunds.push(FeeRefund {
                id: fee_refund_id,
                amount,
                created: now,
            });
        }
        if let Some(after) = self
            .application_fees
            .get(fee_id)
            .map(|f| f.to_json(&platform))
        {
            let previous = json!({ "amount_refunded": before["amount_refunded"], "refunded": before["refunded"] });
            self.emit(
                &platform,
                "application_fee.refunded",
                after,
                Some(previous),
                origin,
                now,
            );
        }
    }
}

listed_by_creation!(ApplicationFee);

const LIST: Endpoint = list_endpoint![opt("charge", Ty::Str)];

/// `GET /v1/application_fees/{id}` (the platform's).
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        let platform = call.store.platform_id.to_owned();
        call.store
            .application_fees
            .get(id)
            .filter(|_| !call.caller.connected)
            .map(|f| f.to_json(&platform))
            .ok_or_else(|| ApiError::resource_missing("application_fee", id, "id"))
    })
    .await
}

/// `GET /v1/application_fees`, newest first (`charge` filters).
pub(crate) async fn list_fees(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let platform = call.store.platform_id.clone();
        let charge = call.params.str("charge");
        let connected = call.caller.connected;
        let fees = call
            .store
            .application_fees
            .values()
            .filter(|f| !connected && charge.is_none_or(|c| f.charge == c));
        list(
            fees,
            call.params,
            "/v1/application_fees",
            "application_fee",
            |f| f.to_json(&platform),
        )
    })
    .await
}
