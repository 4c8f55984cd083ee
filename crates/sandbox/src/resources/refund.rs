//! Refunds (FIDELITY.md §Refunds): all or part of a captured charge, named by `charge` or
//! `payment_intent`, made on the account the charge lives on (a direct charge's refund needs
//! `Stripe-Account`). `reverse_transfer` takes a destination charge's transfer back in
//! proportion; `refund_application_fee` gives a charge's application fee back to the seller in
//! proportion (all of it on a full refund), for direct and destination charges alike. Both need the charge to have been made by this platform.
//! `POST /v1/refunds`, `GET /v1/refunds`, `GET /v1/refunds/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::balance::Booking;
use super::list::{list, list_endpoint, listed_by_creation};
use super::retrieve::{RETRIEVE, owned, owned_by_account};
use crate::currency;
use crate::http::auth::Access;
use crate::http::error::{ApiError, shorten};
use crate::http::params::{Ty, opt};
use crate::http::pipeline::{ApiRequest, Call, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::SandboxState;

#[derive(Clone, Debug)]
pub(crate) struct Refund {
    pub id: String,
    pub account: String,
    pub amount: i64,
    pub currency: String,
    pub charge: String,
    pub payment_intent: Option<String>,
    pub reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub transfer_reversal: Option<String>,
    pub balance_transaction: Option<String>,
    pub created: i64,
    pub seq: u64,
}

impl Refund {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "balance_transaction": self.balance_transaction,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "destination_details": { "card": { "reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund" }, "type": "card" },
            "metadata": self.metadata,
            "payment_intent": self.payment_intent,
            "reason": self.reason,
            "receipt_number": null,
            "source_transfer_reversal": null,
            "status": "succeeded",
            "transfer_reversal": self.transfer_reversal,
        })
    }
}

owned_by_account!(Refund);
listed_by_creation!(Refund);

const CREATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        opt(
            "amount",
            Ty::Int {
                min: Some(1),
                max: None,
            },
        ),
        opt("charge", Ty::Str),
        opt("payment_intent", Ty::Str),
        opt("metadata", Ty::Metadata),
        opt(
            "reason",
            Ty::Enum(&["duplicate", "fraudulent", "requested_by_customer"]),
        ),
        opt("refund_application_fee", Ty::Bool),
        opt("reverse_transfer", Ty::Bool),
        opt("instructions_email", Ty::Str),
    ],
};

const LIST: Endpoint = list_endpoint![opt("charge", Ty::Str), opt("payment_intent", Ty::Str)];

fn no_such(kind: &str, id: &str, param: &str) -> ApiError {
    ApiError::resource_missing(kind, id, param).status(StatusCode::BAD_REQUEST)
}

/// `part` of `whole` in proportion `num / den`, rounded down.
pub(crate) fn share(whole: i64, num: i64, den: i64) -> i64 {
    if den <= 0 {
        return 0;
    }
    i64::try_from(i128::from(whole) * i128::from(num) / i128::from(den)).unwrap_or(0)
}

fn create_refund(call: Call<'_>) -> Result<Value, ApiError> {
    let (store, p, now, origin) = (call.store, call.params, call.now, call.origin);
    let account = call.caller.account.clone();
    let charge_id = match (p.str("charge"), p.str("payment_intent")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_request(
                "You may only specify one of these parameters: charge, payment_intent.",
            )
            .code("parameters_exclusive")
            .param("charge"));
        }
        (Some(charge), None) => charge.to_owned(),
        (None, Some(pi_id)) => {
            let pi = store
                .payment_intents
                .get(pi_id)
                .filter(|pi| pi.account == account)
                .ok_or_else(|| no_such("payment_intent", pi_id, "payment_intent"))?;
            let charge = pi.latest_charge.clone().filter(|_| {
                matches!(
                    pi.status,
                    super::payment_intent::Status::Succeeded
                        | super::payment_intent::Status::RequiresCapture
                )
            });
            charge.ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "This PaymentIntent ({}) does not have a successful charge to refund.",
                    shorten(pi_id)
                ))
                .param("payment_intent")
            })?
        }
        (None, None) => {
            return Err(ApiError::invalid_request(
                "One of the following params should be provided for this request: \
                 payment_intent or charge.",
            )
            .code("parameter_missing"));
        }
    };
    let charge = store
        .charges
        .get(&charge_id)
        .filter(|c| c.account == account && c.source_transfer.is_none())
        .cloned()
        .ok_or_else(|| no_such("charge", &charge_id, "charge"))?;
    if charge.failure.is_some() {
        return Err(ApiError::invalid_request(format!(
            "Charge {} has failed and cannot be refunded.",
            charge.id
        ))
        .param("charge"));
    }
    if !charge.captured {
        return Err(ApiError::invalid_request(format!(
            "Charge {} has not been captured; cancel its PaymentIntent to release the \
             authorization instead of refunding it.",
            charge.id
        ))
        .param("charge"));
    }
    let left = charge.amount_captured - charge.amount_refunded;
    if left <= 0 {
        return Err(ApiError::invalid_request(format!(
            "Charge {} has already been refunded.",
            charge.id
        ))
        .code("charge_already_refunded"));
    }
    let amount = p.int("amount").unwrap_or(left);
    if amount > left {
        return Err(ApiError::invalid_request(format!(
            "Refund amount ({}) is greater than unrefunded amount on charge ({})",
            currency::display(amount, &charge.currency),
            currency::display(left, &charge.currency),
        ))
        .code("amount_too_large")
        .param("amount"));
    }
    let reverse = p.bool("reverse_transfer") == Some(true);
    let refund_fee = p.bool("refund_application_fee") == Some(true);
    if reverse && charge.transfer.is_none() {
        return Err(ApiError::invalid_request(
            "reverse_transfer can only be used on a destination charge (one made with \
             transfer_data[destination]) by the platform that made it.",
        )
        .param("reverse_transfer"));
    }
    // Direct charges take their fee from the seller's account; destination charges from the
    // destination's transfer. Either way the fee object exists, and only this platform made it.
    if refund_fee && charge.application_fee.is_none() {
        return Err(ApiError::invalid_request(
            "refund_application_fee can only be used by the application that created the \
             charge, on a charge that has an application fee.",
        )
        .param("refund_application_fee"));
    }

    let refund_id = store.new_id("re_", 24);
    let balance_transaction = store.book(Booking {
        account: &charge.account,
        currency: &charge.currency,
        amount: -amount,
        available_on: now,
        source: &refund_id,
        kind: "refund",
        now,
    });
    let mut transfer_reversal = None;
    if reverse && let Some(transfer_id) = &charge.transfer {
        let transfer_amount = store.transfers.get(transfer_id).map_or(0, |t| t.amount);
        let wanted = if amount == left && charge.amount_refunded == 0 {
            transfer_amount
        } else {
            share(transfer_amount, amount, charge.amount_captured)
        };
        store.reverse_transfer(transfer_id, wanted, Some(&refund_id), origin, now);
        transfer_reversal = store
            .transfers
            .get(transfer_id)
            .and_then(|t| t.reversals.last())
            .map(|r| r.id.clone());
    }
    if refund_fee && let Some(fee_id) = &charge.application_fee {
        let full = amount == left;
        let give_back = store.application_fees.get(fee_id).map_or(0, |fee| {
            let left = fee.amount - fee.amount_refunded();
            if full {
                left
            } else {
                share(fee.amount, amount, charge.amount_captured).min(left)
            }
        });
        store.give_fee_back(fee_id, give_back, origin, now);
    }
    let refund = Refund {
        id: refund_id,
        account: account.clone(),
        amount,
        currency: charge.currency.clone(),
        charge: charge.id.clone(),
        payment_intent: charge.payment_intent.clone(),
        reason: p.str("reason").map(str::to_owned),
        metadata: p.string_map("metadata"),
        transfer_reversal,
        balance_transaction,
        created: now,
        seq: store.next_seq(),
    };
    let previous = json!({ "amount_refunded": charge.amount_refunded, "refunded": false });
    if let Some(c) = store.charges.get_mut(&charge.id) {
        c.amount_refunded += amount;
    }
    let value = refund.to_json();
    store.emit(&account, "refund.created", value.clone(), None, origin, now);
    if let Some(after) = store
        .charges
        .get(&charge.id)
        .map(super::charge::Charge::to_json)
    {
        store.emit(
            &account,
            "charge.refunded",
            after,
            Some(previous),
            origin,
            now,
        );
    }
    store.refunds.insert(refund.id.clone(), refund);
    Ok(value)
}

/// `POST /v1/refunds`.
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, create_refund).await
}

/// `GET /v1/refunds/{id}` on the caller's account.
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        owned(&call.store.refunds, &call.caller.account, "refund", id).map(Refund::to_json)
    })
    .await
}

/// `GET /v1/refunds` on the caller's account (`charge`, `payment_intent` filter).
pub(crate) async fn list_refunds(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let p = call.params;
        let account = &call.caller.account;
        let refunds = call.store.refunds.values().filter(|r| {
            &r.account == account
                && p.str("charge").is_none_or(|c| r.charge == c)
                && p.str("payment_intent")
                    .is_none_or(|pi| r.payment_intent.as_deref() == Some(pi))
        });
        list(refunds, p, "/v1/refunds", "refund", Refund::to_json)
    })
    .await
}
