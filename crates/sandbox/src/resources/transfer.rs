//! Transfers (FIDELITY.md §Money movement): money from the platform's balance to a connected
//! account, made by a destination charge (`transfer_data[destination]`) or by `POST /v1/transfers`
//! (separate charges and transfers). Each lands on the destination as a payment (`py_…`, a charge
//! object with `source_transfer`). Refunds with `reverse_transfer` reverse them (`trr_…`).
//! `POST|GET /v1/transfers`, `GET /v1/transfers/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::charge::Charge;
use super::list::{Listed, list};
use crate::events::Origin;
use crate::http::PathId;
use crate::http::auth::Access;
use crate::http::error::ApiError;
use crate::http::params::{LIST_FIELDS, Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Endpoint, run};
use crate::state::{SandboxState, Store};

#[derive(Clone, Debug)]
pub(crate) struct Reversal {
    pub id: String,
    pub amount: i64,
    pub created: i64,
    pub source_refund: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Transfer {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub destination: String,
    pub destination_payment: String,
    pub source_transaction: Option<String>,
    pub transfer_group: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub reversals: Vec<Reversal>,
    pub created: i64,
    pub seq: u64,
}

impl Transfer {
    pub fn amount_reversed(&self) -> i64 {
        self.reversals.iter().map(|r| r.amount).sum()
    }

    fn reversal_json(&self, r: &Reversal) -> Value {
        json!({
            "id": r.id,
            "object": "transfer_reversal",
            "amount": r.amount,
            "balance_transaction": null,
            "created": r.created,
            "currency": self.currency,
            "destination_payment_refund": null,
            "metadata": {},
            "source_refund": r.source_refund,
            "transfer": self.id,
        })
    }

    pub fn to_json(&self) -> Value {
        let reversals: Vec<Value> = self
            .reversals
            .iter()
            .map(|r| self.reversal_json(r))
            .collect();
        json!({
            "id": self.id,
            "object": "transfer",
            "amount": self.amount,
            "amount_reversed": self.amount_reversed(),
            "balance_transaction": null,
            "created": self.created,
            "currency": self.currency,
            "description": self.description,
            "destination": self.destination,
            "destination_payment": self.destination_payment,
            "livemode": false,
            "metadata": self.metadata,
            "reversals": {
                "object": "list",
                "data": reversals,
                "has_more": false,
                "total_count": self.reversals.len(),
                "url": format!("/v1/transfers/{}/reversals", self.id),
            },
            "reversed": self.amount > 0 && self.amount_reversed() >= self.amount,
            "source_transaction": self.source_transaction,
            "source_type": "card",
            "transfer_group": self.transfer_group,
        })
    }
}

impl Listed for Transfer {
    fn id(&self) -> &str {
        &self.id
    }
    fn order(&self) -> (i64, u64) {
        (self.created, self.seq)
    }
}

/// What a new transfer says.
pub(crate) struct NewTransfer<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub destination: &'a str,
    pub source_transaction: Option<&'a str>,
    pub transfer_group: Option<&'a str>,
    pub description: Option<&'a str>,
    pub metadata: BTreeMap<String, String>,
    /// When the moved funds become available (those of the source charge, or now).
    pub available_on: i64,
}

impl Store {
    /// Moves money from the platform to a connected account: the transfer, the payment it
    /// makes on the destination, both ledger entries and `transfer.created`.
    pub(crate) fn make_transfer(
        &mut self,
        t: NewTransfer<'_>,
        origin: &Origin,
        now: i64,
    ) -> Transfer {
        let id = self.new_id("tr_", 24);
        let payment_id = self.new_id("py_", 24);
        let platform = self.platform_id.clone();
        // The destination's payment: a charge object with `source_transfer`.
        let source = t
            .source_transaction
            .and_then(|c| self.charges.get(c))
            .cloned();
        if let Some(mut payment) = source {
            payment.id = payment_id.clone();
            payment.account = t.destination.to_owned();
            payment.amount = t.amount;
            payment.amount_captured = t.amount;
            payment.amount_refunded = 0;
            payment.captured = true;
            payment.failure = None;
            payment.application_fee = None;
            payment.application_fee_amount = None;
            payment.on_behalf_of = None;
            payment.transfer_data = None;
            payment.transfer = None;
            payment.source_transfer = Some(id.clone());
            payment.created = now;
            payment.seq = self.next_seq();
            self.charges.insert(payment_id.clone(), payment);
        } else {
            let mut payment = Charge::transfer_payment(&payment_id, &id, &t, now);
            payment.seq = self.next_seq();
            self.charges.insert(payment_id.clone(), payment);
        }
        let transfer = Transfer {
            id: id.clone(),
            amount: t.amount,
            currency: t.currency.to_owned(),
            destination: t.destination.to_owned(),
            destination_payment: payment_id,
            source_transaction: t.source_transaction.map(str::to_owned),
            transfer_group: t.transfer_group.map(str::to_owned),
            description: t.description.map(str::to_owned),
            metadata: t.metadata,
            reversals: Vec::new(),
            created: now,
            seq: self.next_seq(),
        };
        self.book(&platform, t.currency, -t.amount, t.available_on, &id);
        self.book(t.destination, t.currency, t.amount, t.available_on, &id);
        self.emit(
            &platform,
            "transfer.created",
            transfer.to_json(),
            None,
            origin,
            now,
        );
        self.transfers.insert(id, transfer.clone());
        transfer
    }

    /// Reverses `amount` of transfer `id` (capped at what is left), returning the amount.
    pub(crate) fn reverse_transfer(
        &mut self,
        id: &str,
        amount: i64,
        source_refund: Option<&str>,
        origin: &Origin,
        now: i64,
    ) -> i64 {
        let platform = self.platform_id.clone();
        let reversal_id = self.new_id("trr_", 24);
        let Some(transfer) = self.transfers.get_mut(id) else {
            return 0;
        };
        let amount = amount
            .min(transfer.amount - transfer.amount_reversed())
            .max(0);
        if amount == 0 {
            return 0;
        }
        transfer.reversals.push(Reversal {
            id: reversal_id,
            amount,
            created: now,
            source_refund: source_refund.map(str::to_owned),
        });
        let transfer = transfer.clone();
        if let Some(payment) = self.charges.get_mut(&transfer.destination_payment) {
            payment.amount_refunded += amount;
        }
        self.book(&transfer.destination, &transfer.currency, -amount, now, id);
        self.book(&platform, &transfer.currency, amount, now, id);
        let previous = json!({ "amount_reversed": transfer.amount_reversed() - amount });
        self.emit(
            &platform,
            "transfer.reversed",
            transfer.to_json(),
            Some(previous),
            origin,
            now,
        );
        amount
    }
}

const CREATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        req(
            "amount",
            Ty::Int {
                min: Some(1),
                max: None,
            },
        ),
        req("currency", Ty::Str),
        req("destination", Ty::Str),
        opt("description", Ty::Str),
        opt("metadata", Ty::Metadata),
        opt("source_transaction", Ty::Str),
        opt("transfer_group", Ty::Str),
    ],
};

const RETRIEVE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[],
};

const LIST: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        LIST_FIELDS[0],
        LIST_FIELDS[1],
        LIST_FIELDS[2],
        opt("destination", Ty::Str),
        opt("transfer_group", Ty::Str),
    ],
};

/// Stripe's answer when the platform's available balance cannot cover a transfer (FIDELITY.md
/// §Money movement).
fn insufficient_funds() -> ApiError {
    ApiError::invalid_request(
        "You have insufficient available funds in your Stripe account. Try adding funds \
         directly to your available balance by creating Charges using the 4000000000000077 \
         test card. See: https://stripe.com/docs/testing#available-balance",
    )
    .code("balance_insufficient")
}

/// `POST /v1/transfers` (the platform only).
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, |call| {
        let p = call.params;
        if call.caller.connected {
            return Err(ApiError::invalid_request(
                "Transfers are made by the platform: leave out Stripe-Account.",
            ));
        }
        let amount = p.int("amount").unwrap_or_default();
        let currency = p.str("currency").unwrap_or_default().to_ascii_lowercase();
        if !crate::currency::is_supported(&currency) {
            return Err(ApiError::invalid_request(crate::currency::unsupported_message(&currency))
                .param("currency"));
        }
        let destination = p.str("destination").unwrap_or_default();
        if !call.store.is_connected_account(destination) {
            return Err(ApiError::resource_missing("destination", destination, "destination")
                .status(StatusCode::BAD_REQUEST));
        }
        let platform = call.store.platform_id.clone();
        let available_on = match p.str("source_transaction") {
            // Funds tied to a charge: the charge must be the platform's and cover the amount;
            // they become available with it.
            Some(source) => {
                let charge = call
                    .store
                    .charges
                    .get(source)
                    .filter(|c| c.account == platform && c.failure.is_none() && c.captured)
                    .ok_or_else(|| {
                        ApiError::resource_missing("charge", source, "source_transaction")
                            .status(StatusCode::BAD_REQUEST)
                    })?;
                if charge.currency != currency {
                    return Err(ApiError::invalid_request(format!(
                        "The currency of source_transaction's balance transaction ({}) must be the same as the transfer currency ({currency})",
                        charge.currency
                    ))
                    .param("currency"));
                }
                let already: i64 = call
                    .store
                    .transfers
                    .values()
                    .filter(|t| t.source_transaction.as_deref() == Some(source))
                    .map(|t| t.amount)
                    .sum();
                if already + amount > charge.amount_captured - charge.amount_refunded {
                    return Err(insufficient_funds().param("amount"));
                }
                call.store
                    .ledger
                    .iter()
                    .find(|e| e.source == charge.id)
                    .map_or(call.now, |e| e.available_on)
            }
            None => {
                let available = call
                    .store
                    .balance_at(&platform, call.now)
                    .get(&currency)
                    .map_or(0, |(a, _)| *a);
                if available < amount {
                    return Err(insufficient_funds());
                }
                call.now
            }
        };
        let transfer = call.store.make_transfer(
            NewTransfer {
                amount,
                currency: &currency,
                destination,
                source_transaction: p.str("source_transaction"),
                transfer_group: p.str("transfer_group"),
                description: p.str("description"),
                metadata: p.string_map("metadata"),
                available_on,
            },
            call.origin,
            call.now,
        );
        Ok(transfer.to_json())
    })
    .await
}

/// `GET /v1/transfers/{id}`.
pub(crate) async fn retrieve(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        call.store
            .transfers
            .get(&id)
            .filter(|_| !call.caller.connected)
            .map(Transfer::to_json)
            .ok_or_else(|| ApiError::resource_missing("transfer", &id, "id"))
    })
    .await
}

/// `GET /v1/transfers`, newest first (`destination`, `transfer_group`).
pub(crate) async fn list_transfers(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let p = call.params;
        let connected = call.caller.connected;
        let transfers = call.store.transfers.values().filter(|t| {
            !connected
                && p.str("destination").is_none_or(|d| t.destination == d)
                && p.str("transfer_group")
                    .is_none_or(|g| t.transfer_group.as_deref() == Some(g))
        });
        list(transfers, p, "/v1/transfers", "transfer", Transfer::to_json)
    })
    .await
}
