//! Transfers (FIDELITY.md §Money movement): money from the platform's balance to a connected account, made by
//! a destination charge (`transfer_data[destination]`) or by `POST /v1/transfers` (separate
//! charges and transfers). Each lands on the destination as a payment (`py_…`, a charge object
//! with `source_transfer`). Reversals (`trr_…`) take them back: made by a destination charge's
//! refund with `reverse_transfer`, or by the platform for any transfer.
//! `POST|GET /v1/transfers`, `GET|POST /v1/transfers/{id}`, `POST|GET
//! /v1/transfers/{id}/reversals`, `GET|POST /v1/transfers/{id}/reversals/{reversal}`.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Value, json};

use super::balance::Booking;
use super::charge::Charge;
use super::list::{list, list_endpoint, listed_by_creation};
use super::retrieve::RETRIEVE;
use crate::events::Origin;
use crate::http::auth::Access;
use crate::http::error::ApiError;
use crate::http::params::{Param, Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Call, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::{SandboxState, Store};

#[derive(Clone, Debug)]
pub(crate) struct Reversal {
    pub id: String,
    pub amount: i64,
    pub created: i64,
    pub source_refund: Option<String>,
    /// The refund of the destination's payment (`pyr_…`) that takes the money back there.
    pub destination_payment_refund: String,
    pub metadata: BTreeMap<String, String>,
    /// The platform's `txn_…`.
    pub balance_transaction: Option<String>,
    pub seq: u64,
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
    /// The platform's `txn_…`.
    pub balance_transaction: Option<String>,
    pub created: i64,
    pub seq: u64,
}

impl Transfer {
    pub fn amount_reversed(&self) -> i64 {
        self.reversals.iter().map(|r| r.amount).sum()
    }

    pub fn reversal_json(&self, r: &Reversal) -> Value {
        json!({
            "id": r.id,
            "object": "transfer_reversal",
            "amount": r.amount,
            "balance_transaction": r.balance_transaction,
            "created": r.created,
            "currency": self.currency,
            "destination_payment_refund": r.destination_payment_refund,
            "metadata": r.metadata,
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
            "balance_transaction": self.balance_transaction,
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
                "url": format!("/v1/transfers/{}/reversals", self.id),
            },
            "reversed": self.amount > 0 && self.amount_reversed() >= self.amount,
            "source_transaction": self.source_transaction,
            "source_type": "card",
            "transfer_group": self.transfer_group,
        })
    }
}

listed_by_creation!(Transfer, Reversal);

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
        let mut transfer = Transfer {
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
            balance_transaction: None,
            created: now,
            seq: self.next_seq(),
        };
        transfer.balance_transaction = self.book(Booking {
            account: &platform,
            currency: t.currency,
            amount: -t.amount,
            available_on: t.available_on,
            source: &id,
            kind: "transfer",
            now,
        });
        let payment_txn = self.book(Booking {
            account: t.destination,
            currency: t.currency,
            amount: t.amount,
            available_on: t.available_on,
            source: &transfer.destination_payment,
            kind: "payment",
            now,
        });
        if let Some(payment) = self.charges.get_mut(&transfer.destination_payment) {
            payment.balance_transaction = payment_txn;
        }
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
        self.add_reversal(id, amount, source_refund, BTreeMap::new(), origin, now)
            .map_or(0, |r| r.amount)
    }

    /// Takes `amount` of transfer `id` (capped at what is left) back from the destination to
    /// the platform: the reversal, the refund of the destination's payment, a ledger entry on
    /// each side and `transfer.reversed`.
    pub(crate) fn add_reversal(
        &mut self,
        id: &str,
        amount: i64,
        source_refund: Option<&str>,
        metadata: BTreeMap<String, String>,
        origin: &Origin,
        now: i64,
    ) -> Option<Reversal> {
        let platform = self.platform_id.clone();
        let left = self
            .transfers
            .get(id)
            .map_or(0, |t| t.amount - t.amount_reversed());
        let amount = amount.min(left).max(0);
        if amount == 0 {
            return None;
        }
        let (destination, currency, payment) = {
            let t = self.transfers.get(id)?;
            (
                t.destination.clone(),
                t.currency.clone(),
                t.destination_payment.clone(),
            )
        };
        let mut reversal = Reversal {
            id: self.new_id("trr_", 24),
            amount,
            created: now,
            source_refund: source_refund.map(str::to_owned),
            destination_payment_refund: self.new_id("pyr_", 24),
            metadata,
            balance_transaction: None,
            seq: self.next_seq(),
        };
        // Debited and credited at once, pending funds or not, as a refund is: the seller's
        // available balance may go below zero until its pending funds arrive.
        self.book(Booking {
            account: &destination,
            currency: &currency,
            amount: -amount,
            available_on: now,
            source: &reversal.destination_payment_refund,
            kind: "payment_refund",
            now,
        });
        reversal.balance_transaction = self.book(Booking {
            account: &platform,
            currency: &currency,
            amount,
            available_on: now,
            source: &reversal.id,
            kind: "transfer_refund",
            now,
        });
        if let Some(payment) = self.charges.get_mut(&payment) {
            payment.amount_refunded += amount;
        }
        let transfer = self.transfers.get_mut(id)?;
        let before = json!({
            "amount_reversed": transfer.amount_reversed(),
            "reversed": transfer.amount > 0 && transfer.amount_reversed() >= transfer.amount,
        });
        transfer.reversals.push(reversal.clone());
        let transfer = transfer.clone();
        let after = transfer.to_json();
        // `previous_attributes` holds only what changed, as on Stripe's events.
        let mut previous = json!({ "amount_reversed": before["amount_reversed"] });
        if before["reversed"] != after["reversed"] {
            previous["reversed"] = before["reversed"].clone();
        }
        self.emit(
            &platform,
            "transfer.reversed",
            after,
            Some(previous),
            origin,
            now,
        );
        Some(reversal)
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

const UPDATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[opt("description", Ty::Str), opt("metadata", Ty::Metadata)],
};

const CREATE_REVERSAL: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        opt(
            "amount",
            Ty::Int {
                min: Some(1),
                max: None,
            },
        ),
        opt("description", Ty::Str),
        opt("metadata", Ty::Metadata),
        opt("refund_application_fee", Ty::Bool),
    ],
};

const UPDATE_REVERSAL: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[opt("metadata", Ty::Metadata)],
};

const LIST_REVERSALS: Endpoint = list_endpoint![];

const LIST: Endpoint = list_endpoint![opt("destination", Ty::Str), opt("transfer_group", Ty::Str)];

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

/// Checks a `source_transaction` and returns when its funds become available. Per
/// https://docs.stripe.com/connect/separate-charges-and-transfers#transfer-availability a
/// transfer tied to a charge does not need the platform's available balance: it waits for the
/// charge's funds, so it must be a succeeded charge of the platform, and the transfers tied to
/// it may add up to its amount at most. Refunds do not lower that limit (separate charges leave
/// reversing transfers to the platform), and a reversed transfer still counts in full.
fn source_funds(
    store: &Store,
    platform: &str,
    source: &str,
    currency: &str,
    amount: i64,
    now: i64,
) -> Result<i64, ApiError> {
    let charge = store
        .charges
        .get(source)
        .filter(|c| c.account == platform && c.source_transfer.is_none())
        .ok_or_else(|| {
            ApiError::resource_missing("charge", source, "source_transaction")
                .status(StatusCode::BAD_REQUEST)
        })?;
    if charge.failure.is_some() || !charge.captured {
        let status = if charge.failure.is_some() {
            "failed"
        } else {
            "uncaptured"
        };
        return Err(ApiError::invalid_request(format!(
            "The source_transaction {source} is {status}: a transfer can only be funded by a \
             succeeded, captured charge."
        ))
        .param("source_transaction"));
    }
    if charge.currency != currency {
        return Err(ApiError::invalid_request(format!(
            "The currency of source_transaction's balance transaction ({}) must be the same as the transfer currency ({currency})",
            charge.currency
        ))
        .param("currency"));
    }
    let already: i64 = store
        .transfers
        .values()
        .filter(|t| t.source_transaction.as_deref() == Some(source))
        .map(|t| t.amount)
        .sum();
    let left = charge.amount_captured - already;
    if amount > left {
        return Err(ApiError::invalid_request(format!(
            "Insufficient funds in the source_transaction {source}: the transfer amount ({}) \
             is greater than what is left of the charge for transfers ({}).",
            crate::currency::display(amount, currency),
            crate::currency::display(left.max(0), currency),
        ))
        .code("balance_insufficient")
        .param("amount"));
    }
    Ok(store
        .ledger
        .iter()
        .find(|e| e.source == charge.id)
        .map_or(now, |e| e.available_on))
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
            return Err(
                ApiError::invalid_request(crate::currency::unsupported_message(&currency))
                    .param("currency"),
            );
        }
        let destination = p.str("destination").unwrap_or_default();
        if !call.store.is_connected_account(destination) {
            return Err(
                ApiError::resource_missing("destination", destination, "destination")
                    .status(StatusCode::BAD_REQUEST),
            );
        }
        let platform = call.store.platform_id.clone();
        let available_on = match p.str("source_transaction") {
            Some(source) => {
                source_funds(call.store, &platform, source, &currency, amount, call.now)?
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
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        own_transfer(&call, id).map(Transfer::to_json)
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

/// The platform's transfer `id`; connected accounts see none (their side is the `py_…`).
fn own_transfer<'a>(call: &'a Call<'_>, id: &str) -> Result<&'a Transfer, ApiError> {
    call.store
        .transfers
        .get(id)
        .filter(|_| !call.caller.connected)
        .ok_or_else(|| ApiError::resource_missing("transfer", id, "id"))
}

/// `POST /v1/transfers/{id}`: `description` and `metadata` only, with `transfer.updated`
/// (https://docs.stripe.com/api/transfers/update, https://docs.stripe.com/api/events/types).
pub(crate) async fn update(req: ObjectRequest) -> Response {
    run_on_object(req, &UPDATE, |call, id| {
        let before = own_transfer(&call, id)?.to_json();
        let platform = call.store.platform_id.to_owned();
        let Some(transfer) = call.store.transfers.get_mut(id) else {
            return Err(ApiError::resource_missing("transfer", id, "id"));
        };
        if let Some(description) = call.params.get("description") {
            transfer.description = match description {
                Param::Str(d) => Some(d.clone()),
                _ => None,
            };
        }
        super::apply_metadata(&mut transfer.metadata, call.params);
        let after = transfer.to_json();
        let mut previous = serde_json::Map::new();
        for field in ["description", "metadata"] {
            if before[field] != after[field] {
                previous.insert(field.to_owned(), before[field].clone());
            }
        }
        // Stripe sends the event only for a change; an update that changes nothing is quiet.
        if !previous.is_empty() {
            call.store.emit(
                &platform,
                "transfer.updated",
                after.clone(),
                Some(Value::Object(previous)),
                call.origin,
                call.now,
            );
        }
        Ok(after)
    })
    .await
}

/// `POST /v1/transfers/{id}/reversals` (https://docs.stripe.com/api/transfer_reversals/create):
/// `amount` (default: all that is left), `description`, `metadata`, `refund_application_fee`.
pub(crate) async fn create_reversal(req: ObjectRequest) -> Response {
    run_on_object(req, &CREATE_REVERSAL, |call, id| {
        let transfer = own_transfer(&call, id)?;
        let left = transfer.amount - transfer.amount_reversed();
        let (transfer_amount, currency) = (transfer.amount, transfer.currency.clone());
        if left <= 0 {
            return Err(ApiError::invalid_request(format!(
                "Transfer {id} has already been fully reversed."
            ))
            .param("amount"));
        }
        let amount = call.params.int("amount").unwrap_or(left);
        if amount > left {
            return Err(ApiError::invalid_request(format!(
                "Transfer reversal amount ({}) is greater than the transfer's unreversed amount ({}).",
                crate::currency::display(amount, &currency),
                crate::currency::display(left, &currency),
            ))
            .param("amount"));
        }
        let mut metadata = BTreeMap::new();
        super::apply_metadata(&mut metadata, call.params);
        // Only a destination charge's transfer carries an application fee; on any other the
        // flag is accepted and does nothing, there being no fee to give back.
        let fee = (call.params.bool("refund_application_fee") == Some(true))
            .then(|| {
                call.store
                    .charges
                    .values()
                    .find(|c| c.transfer.as_deref() == Some(id))
                    .and_then(|c| c.application_fee.clone())
            })
            .flatten();
        let reversal = call
            .store
            .add_reversal(id, amount, None, metadata, call.origin, call.now)
            .ok_or_else(|| ApiError::resource_missing("transfer", id, "id"))?;
        if let Some(fee_id) = fee {
            let give_back = call.store.application_fees.get(&fee_id).map_or(0, |f| {
                let fee_left = f.amount - f.amount_refunded();
                if amount == left {
                    fee_left
                } else {
                    super::refund::share(f.amount, amount, transfer_amount).min(fee_left)
                }
            });
            call.store
                .give_fee_back(&fee_id, give_back, call.origin, call.now);
        }
        call.store
            .transfers
            .get(id)
            .map(|t| t.reversal_json(&reversal))
            .ok_or_else(|| ApiError::resource_missing("transfer", id, "id"))
    })
    .await
}

/// `GET /v1/transfers/{id}/reversals`, newest first.
pub(crate) async fn list_reversals(req: ObjectRequest) -> Response {
    run_on_object(req, &LIST_REVERSALS, |call, id| {
        let transfer = own_transfer(&call, id)?;
        list(
            transfer.reversals.iter(),
            call.params,
            &format!("/v1/transfers/{id}/reversals"),
            "transfer_reversal",
            |r| transfer.reversal_json(r),
        )
    })
    .await
}

/// The two ids of `/v1/transfers/{id}/reversals/{reversal}`.
pub(crate) struct ReversalPath {
    transfer: String,
    reversal: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ReversalPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<(String, String)>::from_request_parts(parts, state).await {
            Ok(Path((transfer, reversal))) => Ok(Self { transfer, reversal }),
            Err(_) => Err(ApiError::unrecognized_url(
                parts.method.as_str(),
                parts.uri.path(),
            )),
        }
    }
}

/// `GET /v1/transfers/{id}/reversals/{reversal}`.
pub(crate) async fn retrieve_reversal(
    State(state): State<SandboxState>,
    path: ReversalPath,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        let transfer = own_transfer(&call, &path.transfer)?;
        transfer
            .reversals
            .iter()
            .find(|r| r.id == path.reversal)
            .map(|r| transfer.reversal_json(r))
            .ok_or_else(|| ApiError::resource_missing("transfer_reversal", &path.reversal, "id"))
    })
    .await
}

/// `POST /v1/transfers/{id}/reversals/{reversal}`: `metadata` only
/// (https://docs.stripe.com/api/transfer_reversals/update); Stripe lists no event for it.
pub(crate) async fn update_reversal(
    State(state): State<SandboxState>,
    path: ReversalPath,
    req: ApiRequest,
) -> Response {
    run(&state, req, &UPDATE_REVERSAL, |call| {
        own_transfer(&call, &path.transfer)?;
        let missing = || ApiError::resource_missing("transfer_reversal", &path.reversal, "id");
        let transfer = call
            .store
            .transfers
            .get_mut(&path.transfer)
            .ok_or_else(missing)?;
        let reversal = transfer
            .reversals
            .iter_mut()
            .find(|r| r.id == path.reversal)
            .ok_or_else(missing)?;
        super::apply_metadata(&mut reversal.metadata, call.params);
        let reversal = reversal.clone();
        Ok(transfer.reversal_json(&reversal))
    })
    .await
}
