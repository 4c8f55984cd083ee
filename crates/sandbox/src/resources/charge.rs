//! Charges: the record of one attempt to move money, made by confirming a PaymentIntent.
//! Succeeded and failed attempts both leave one (a decline's error names its `charge`).
//! `GET /v1/charges/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::expand;
use super::payment_intent::PaymentIntent;
use super::payment_method::PaymentMethod;
use crate::cards::Decline;
use crate::http::PathId;
use crate::http::auth::Access;
use crate::http::error::ApiError;
use crate::http::pipeline::{ApiRequest, Endpoint, run};
use crate::state::{SandboxState, Store};

#[derive(Clone, Debug)]
pub(crate) struct Charge {
    pub id: String,
    pub account: String,
    pub amount: i64,
    pub amount_captured: i64,
    pub currency: String,
    pub captured: bool,
    pub failure: Option<&'static Decline>,
    pub payment_intent: String,
    pub payment_method: PaymentMethod,
    pub application_fee: Option<String>,
    pub application_fee_amount: Option<i64>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    pub on_behalf_of: Option<String>,
    pub transfer_data: Option<Value>,
    pub transfer_group: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
}

impl Charge {
    /// Records the attempt to charge `pi` with `pm`; `failure` is the decline, if any.
    pub fn record(
        store: &mut Store,
        pi: &PaymentIntent,
        pm: &PaymentMethod,
        failure: Option<&'static Decline>,
        capture: bool,
        now: i64,
    ) -> Charge {
        let succeeded = failure.is_none();
        let application_fee =
            (succeeded && pi.application_fee_amount.is_some()).then(|| store.new_id("fee_", 24));
        let charge = Charge {
            id: store.new_id("ch_", 24),
            account: pi.account.clone(),
            amount: pi.amount,
            amount_captured: if succeeded && capture { pi.amount } else { 0 },
            currency: pi.currency.clone(),
            captured: succeeded && capture,
            failure,
            payment_intent: pi.id.clone(),
            payment_method: pm.clone(),
            application_fee,
            application_fee_amount: pi.application_fee_amount,
            description: pi.description.clone(),
            receipt_email: pi.receipt_email.clone(),
            on_behalf_of: pi.on_behalf_of.clone(),
            transfer_data: pi.transfer_data_json(),
            transfer_group: pi.transfer_group.clone(),
            metadata: pi.metadata.clone(),
            created: now,
        };
        store.charges.insert(charge.id.clone(), charge.clone());
        charge
    }

    pub fn to_json(&self) -> Value {
        let pm = &self.payment_method;
        let card = &pm.card;
        let (status, outcome) = match self.failure {
            None => (
                "succeeded",
                json!({
                    "advice_code": null,
                    "network_advice_code": null,
                    "network_decline_code": null,
                    "network_status": "approved_by_network",
                    "reason": null,
                    "risk_level": "normal",
                    "risk_score": 32,
                    "seller_message": "Payment complete.",
                    "type": "authorized",
                }),
            ),
            Some(decline) => (
                "failed",
                json!({
                    "advice_code": null,
                    "network_advice_code": null,
                    "network_decline_code": null,
                    "network_status": "declined_by_network",
                    "reason": decline.decline_code,
                    "risk_level": "normal",
                    "risk_score": 32,
                    "seller_message": "The bank did not return any further details with this decline.",
                    "type": "issuer_declined",
                }),
            ),
        };
        json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount_captured,
            "amount_refunded": 0,
            "application_fee": self.application_fee,
            "application_fee_amount": self.application_fee_amount,
            "balance_transaction": null,
            "billing_details": pm.billing_details,
            "calculated_statement_descriptor": null,
            "captured": self.captured,
            "created": self.created,
            "currency": self.currency,
            "customer": null,
            "description": self.description,
            "disputed": false,
            "failure_code": self.failure.map(|d| d.code),
            "failure_message": self.failure.map(|d| d.message),
            "livemode": false,
            "metadata": self.metadata,
            "on_behalf_of": self.on_behalf_of,
            "outcome": outcome,
            "paid": self.failure.is_none(),
            "payment_intent": self.payment_intent,
            "payment_method": pm.id,
            "payment_method_details": {
                "card": {
                    "amount_authorized": if self.failure.is_none() { Some(self.amount) } else { None },
                    "brand": card.brand,
                    "checks": {
                        "address_line1_check": null,
                        "address_postal_code_check": null,
                        "cvc_check": if card.cvc_given { Some("pass") } else { None },
                    },
                    "country": card.country,
                    "exp_month": card.exp_month,
                    "exp_year": card.exp_year,
                    "fingerprint": card.fingerprint,
                    "funding": card.funding,
                    "last4": card.last4,
                    "network": card.brand,
                    "three_d_secure": null,
                },
                "type": "card",
            },
            "receipt_email": self.receipt_email,
            "receipt_url": null,
            "refunded": false,
            "status": status,
            "transfer_data": self.transfer_data,
            "transfer_group": self.transfer_group,
        })
    }
}

const RETRIEVE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[],
};

/// `GET /v1/charges/{id}` on the caller's account.
pub(crate) async fn retrieve(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        let account = &call.caller.account;
        let charge = call
            .store
            .charges
            .get(&id)
            .filter(|c| &c.account == account)
            .ok_or_else(|| ApiError::resource_missing("charge", &id, "id"))?;
        let mut value = charge.to_json();
        expand::apply(
            call.store,
            account,
            &mut value,
            &call.params.expand(),
            false,
        )?;
        Ok(value)
    })
    .await
}
