//! Charges: the record of one attempt to move money, made by confirming a PaymentIntent.
//! Succeeded and failed attempts both leave one (a decline's error names its `charge`).
//! `GET /v1/charges/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::expand;
use super::list::{list, list_endpoint, listed_by_creation};
use super::payment_intent::PaymentIntent;
use super::payment_method::PaymentMethod;
use super::retrieve::{RETRIEVE, owned_by_account, retrieve_expanded};
use crate::cards::Decline;
use crate::http::params::{Ty, opt};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
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
    /// `None` for a payment a transfer made (`py_…`).
    pub payment_intent: Option<String>,
    pub payment_method: Option<PaymentMethod>,
    pub application_fee: Option<String>,
    pub application_fee_amount: Option<i64>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    pub on_behalf_of: Option<String>,
    pub transfer_data: Option<Value>,
    pub transfer_group: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Authenticated with 3-D Secure before it was charged.
    pub three_d_secure: bool,
    pub amount_refunded: i64,
    /// The transfer a destination charge made (`tr_…`).
    pub transfer: Option<String>,
    /// For a payment a transfer made on its destination (`py_…`): that transfer.
    pub source_transfer: Option<String>,
    /// Its `txn_…` once captured (a payment's, once made).
    pub balance_transaction: Option<String>,
    pub created: i64,
    pub seq: u64,
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
        let charge = Charge {
            id: store.new_id("ch_", 24),
            account: pi.account.clone(),
            amount: pi.amount,
            amount_captured: if succeeded && capture { pi.amount } else { 0 },
            currency: pi.currency.clone(),
            captured: succeeded && capture,
            failure,
            payment_intent: Some(pi.id.clone()),
            payment_method: Some(pm.clone()),
            // Set when the charge is captured (see settlement.rs).
            application_fee: None,
            application_fee_amount: pi.application_fee_amount,
            description: pi.description.clone(),
            receipt_email: pi.receipt_email.clone(),
            on_behalf_of: pi.on_behalf_of.clone(),
            transfer_data: pi.charge_transfer_data_json(),
            transfer_group: pi.transfer_group.clone(),
            metadata: pi.metadata.clone(),
            three_d_secure: false,
            amount_refunded: 0,
            transfer: None,
            source_transfer: None,
            balance_transaction: None,
            created: now,
            seq: store.next_seq(),
        };
        store.charges.insert(charge.id.clone(), charge.clone());
        charge
    }

    /// `succeeded` or `failed` (an uncaptured authorization is `succeeded` with
    /// `captured: false`, as on Stripe).
    pub fn status(&self) -> &'static str {
        if self.failure.is_some() {
            "failed"
        } else {
            "succeeded"
        }
    }

    /// The payment a transfer makes on its destination (`py_…`) when no charge of the
    /// platform is behind it.
    pub fn transfer_payment(
        id: &str,
        transfer: &str,
        t: &super::transfer::NewTransfer<'_>,
        now: i64,
    ) -> Charge {
        Charge {
            id: id.to_owned(),
            account: t.destination.to_owned(),
            amount: t.amount,
            amount_captured: t.amount,
            currency: t.currency.to_owned(),
            captured: true,
            failure: None,
            payment_intent: None,
            payment_method: None,
            application_fee: None,
            application_fee_amount: None,
            description: None,
            receipt_email: None,
            on_behalf_of: None,
            transfer_data: None,
            transfer_group: t.transfer_group.map(str::to_owned),
            metadata: BTreeMap::new(),
            three_d_secure: false,
            amount_refunded: 0,
            transfer: None,
            source_transfer: Some(transfer.to_owned()),
            balance_transaction: None,
            created: now,
            seq: 0,
        }
    }

    /// Whether the card's funds skip the pending balance.
    pub fn available_at_once(&self) -> bool {
        self.payment_method
            .as_ref()
            .is_some_and(|pm| pm.card.available_at_once)
    }

    fn payment_method_details(&self) -> Value {
        let Some(pm) = self
            .payment_method
            .as_ref()
            .filter(|_| self.source_transfer.is_none())
        else {
            return json!({ "stripe_account": {}, "type": "stripe_account" });
        };
        let card = &pm.card;
        let three_d_secure = if self.three_d_secure {
            json!({
                "authentication_flow": "challenge",
                "electronic_commerce_indicator": "05",
                "exemption_indicator": null,
                "result": "authenticated",
                "result_reason": null,
                "transaction_id": null,
                "version": "2.2.0",
            })
        } else {
            Value::Null
        };
        json!({
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
                "three_d_secure": three_d_secure,
            },
            "type": "card",
        })
    }

    pub fn to_json(&self) -> Value {
        let via_transfer = self.source_transfer.is_some();
        let pm = self.payment_method.as_ref().filter(|_| !via_transfer);
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
        let mut value = json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount_captured,
            "amount_refunded": self.amount_refunded,
            "application_fee": self.application_fee,
            "application_fee_amount": self.application_fee_amount,
            "balance_transaction": self.balance_transaction,
            "billing_details": pm.map_or_else(|| json!({
                "address": { "city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null },
                "email": null, "name": null, "phone": null, "tax_id": null,
            }), |pm| pm.billing_details.clone()),
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
            "payment_method": pm.map(|pm| pm.id.clone()),
            "payment_method_details": self.payment_method_details(),
            "receipt_email": self.receipt_email,
            "receipt_url": null,
            "refunded": self.amount_captured > 0 && self.amount_refunded >= self.amount_captured,
            "source_transfer": self.source_transfer,
            "status": status,
            "transfer_data": self.transfer_data,
            "transfer_group": self.transfer_group,
        });
        // Stripe leaves `transfer` out, rather than null, on a charge without one.
        if let Some(transfer) = &self.transfer {
            value["transfer"] = json!(transfer);
        }
        value
    }
}

const LIST: Endpoint = list_endpoint![
    opt("payment_intent", Ty::Str),
    opt("transfer_group", Ty::Str),
];

owned_by_account!(Charge);
listed_by_creation!(Charge);

/// `GET /v1/charges` on the caller's account, newest first: its charges and the payments
/// transfers made to it (`py_…`).
pub(crate) async fn list_charges(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let p = call.params;
        let account = &call.caller.account;
        let charges = call.store.charges.values().filter(|c| {
            &c.account == account
                && p.str("payment_intent")
                    .is_none_or(|pi| c.payment_intent.as_deref() == Some(pi))
                && p.str("transfer_group")
                    .is_none_or(|g| c.transfer_group.as_deref() == Some(g))
        });
        let value = list(charges, p, "/v1/charges", "charge", Charge::to_json)?;
        expand::requested(call.store, call.caller, p, value)
    })
    .await
}

/// `GET /v1/charges/{id}` on the caller's account.
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        retrieve_expanded(call, |store| &store.charges, "charge", id, Charge::to_json)
    })
    .await
}
