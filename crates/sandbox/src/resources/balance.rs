//! Balances: every movement of money (a captured charge, an application fee, a transfer, a
//! refund, a reversal) is a ledger entry on one account in one currency, pending until its
//! `available_on` and available after. Charges become available two days after capture, as in
//! Stripe's test mode, except those made with 4000 0000 0000 0077, whose funds are available
//! at once (FIDELITY.md §Test cards). `GET /v1/balance` sums the caller's entries; each entry is a
//! balance transaction (`txn_…`, https://docs.stripe.com/api/balance_transactions), listed by
//! `GET /v1/balance_transactions` and read by `GET /v1/balance_transactions/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::list::{list, list_endpoint, listed_by_creation};
use super::retrieve::RETRIEVE;
use crate::http::error::ApiError;
use crate::http::params::{Ty, opt};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::{SandboxState, Store};

/// How long charged funds stay pending.
pub(crate) const PENDING_SECONDS: i64 = 2 * 24 * 60 * 60;

/// One movement of money on one account: a balance transaction.
#[derive(Clone, Debug)]
pub(crate) struct LedgerEntry {
    pub id: String,
    pub account: String,
    pub currency: String,
    /// Positive for money in, negative for money out.
    pub amount: i64,
    /// An application fee a direct charge pays out of `amount` (Stripe shows it as the
    /// charge's fee, not as a transaction of its own).
    pub fee: i64,
    pub available_on: i64,
    /// The object that moved it (`ch_…`, `py_…`, `fee_…`, `fr_…`, `tr_…`, `trr_…`, `pyr_…`,
    /// `re_…`).
    pub source: String,
    /// Stripe's `type`: `charge`, `payment`, `refund`, `payment_refund`, `transfer`,
    /// `transfer_refund`, `application_fee`, `application_fee_refund`.
    pub kind: &'static str,
    pub created: i64,
    pub seq: u64,
}

impl LedgerEntry {
    pub fn net(&self) -> i64 {
        self.amount - self.fee
    }

    /// Stripe's `reporting_category` for each `type`
    /// (https://docs.stripe.com/reports/reporting-categories).
    fn reporting_category(&self) -> &'static str {
        match self.kind {
            "charge" | "payment" => "charge",
            "refund" | "payment_refund" => "refund",
            "transfer" => "transfer",
            "transfer_refund" => "transfer_reversal",
            "application_fee" => "platform_earning",
            "application_fee_refund" => "platform_earning_refund",
            _ => "other_adjustment",
        }
    }

    pub fn to_json(&self, platform: &str, now: i64) -> Value {
        let fee_details: Vec<Value> = if self.fee == 0 {
            Vec::new()
        } else {
            vec![json!({
                "amount": self.fee,
                "application": platform,
                "currency": self.currency,
                "description": "application fee",
                "type": "application_fee",
            })]
        };
        json!({
            "id": self.id,
            "object": "balance_transaction",
            "amount": self.amount,
            "available_on": self.available_on,
            "balance_type": "payments",
            "created": self.created,
            "currency": self.currency,
            "description": null,
            "exchange_rate": null,
            "fee": self.fee,
            "fee_details": fee_details,
            "net": self.net(),
            "reporting_category": self.reporting_category(),
            "source": self.source,
            "status": if self.available_on <= now { "available" } else { "pending" },
            "type": self.kind,
        })
    }
}

listed_by_creation!(LedgerEntry);

/// What [`Store::book`] records.
pub(crate) struct Booking<'a> {
    pub account: &'a str,
    pub currency: &'a str,
    pub amount: i64,
    pub available_on: i64,
    pub source: &'a str,
    pub kind: &'static str,
    pub now: i64,
}

/// A row of the Express dashboard's payments table.
pub(crate) struct PaymentRow {
    pub id: String,
    pub amount: i64,
    pub refunded: i64,
    pub currency: String,
    pub status: &'static str,
    pub description: Option<String>,
    pub created: i64,
}

impl Store {
    /// Records a movement of money of Stripe's balance transaction type `kind`, made now, and
    /// returns its id (none for no money).
    pub(crate) fn book(&mut self, entry: Booking<'_>) -> Option<String> {
        if entry.amount == 0 {
            return None;
        }
        let id = self.new_id("txn_", 24);
        let seq = self.next_seq();
        self.ledger.push(LedgerEntry {
            id: id.clone(),
            account: entry.account.to_owned(),
            currency: entry.currency.to_owned(),
            amount: entry.amount,
            fee: 0,
            available_on: entry.available_on,
            source: entry.source.to_owned(),
            kind: entry.kind,
            created: entry.now,
            seq,
        });
        Some(id)
    }

    /// Takes a direct charge's application fee out of its balance transaction on `account`.
    /// Looked for from the newest entry: the charge was just booked, and a search from the
    /// oldest compared every entry of the ledger's life, over half the sandbox's CPU by the
    /// fifth 3-second run of its throughput example (perf).
    pub(crate) fn charge_fee(&mut self, account: &str, charge: &str, fee: i64) {
        if let Some(entry) = self
            .ledger
            .iter_mut()
            .rev()
            .find(|e| e.account == account && e.source == charge)
        {
            entry.fee += fee;
        }
    }

    /// `(available, pending)` of `account`, per currency, at the ledger's own dates: entries
    /// dated in the future are pending.
    pub(crate) fn balance_at(&self, account: &str, now: i64) -> BTreeMap<String, (i64, i64)> {
        let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for entry in self.ledger.iter().filter(|e| e.account == account) {
            let slot = out.entry(entry.currency.clone()).or_default();
            if entry.available_on <= now {
                slot.0 += entry.net();
            } else {
                slot.1 += entry.net();
            }
        }
        out
    }

    /// The charges on `account` (its own and the payments transfers made to it).
    pub(crate) fn payments_of(&self, account: &str) -> Vec<PaymentRow> {
        self.charges
            .values()
            .filter(|c| c.account == account)
            .map(|c| PaymentRow {
                id: c.id.clone(),
                amount: c.amount,
                refunded: c.amount_refunded,
                currency: c.currency.clone(),
                status: c.status(),
                description: c.description.clone(),
                created: c.created,
            })
            .collect()
    }
}

fn amounts(list: impl Iterator<Item = (String, i64)>) -> Vec<Value> {
    list.map(|(currency, amount)| {
        json!({ "amount": amount, "currency": currency, "source_types": { "card": amount } })
    })
    .collect()
}

/// `GET /v1/balance` of the caller's account.
pub(crate) async fn retrieve(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        let account = &call.caller.account;
        let mut balance = call.store.balance_at(account, call.now);
        if balance.is_empty() {
            let currency = call
                .store
                .accounts
                .get(account)
                .map_or_else(|| "usd".to_owned(), |a| a.default_currency.clone());
            balance.insert(currency, (0, 0));
        }
        let available = amounts(balance.iter().map(|(c, (a, _))| (c.clone(), *a)));
        let pending = amounts(balance.iter().map(|(c, (_, p))| (c.clone(), *p)));
        let mut value = json!({
            "object": "balance",
            "available": available,
            "livemode": false,
            "pending": pending,
        });
        if !call.caller.connected {
            value["connect_reserved"] = json!(amounts(balance.keys().map(|c| (c.clone(), 0))));
        }
        Ok(value)
    })
    .await
}

const LIST_TRANSACTIONS: Endpoint = list_endpoint![
    opt("currency", Ty::Str),
    opt("source", Ty::Str),
    opt("type", Ty::Str),
];

/// `GET /v1/balance_transactions` of the caller's account, newest first (`currency`, `source`,
/// `type` filter).
pub(crate) async fn list_transactions(
    State(state): State<SandboxState>,
    req: ApiRequest,
) -> Response {
    run(&state, req, &LIST_TRANSACTIONS, |call| {
        let p = call.params;
        let account = &call.caller.account;
        let platform = call.store.platform_id.clone();
        let entries = call.store.ledger.iter().filter(|e| {
            &e.account == account
                && p.str("currency").is_none_or(|c| e.currency == c)
                && p.str("source").is_none_or(|s| e.source == s)
                && p.str("type").is_none_or(|t| e.kind == t)
        });
        list(
            entries,
            p,
            "/v1/balance_transactions",
            "balance_transaction",
            |e| e.to_json(&platform, call.now),
        )
    })
    .await
}

/// `GET /v1/balance_transactions/{id}` on the caller's account.
pub(crate) async fn retrieve_transaction(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        let platform = call.store.platform_id.to_owned();
        call.store
            .ledger
            .iter()
            .find(|e| e.id == id && e.account == call.caller.account)
            .map(|e| e.to_json(&platform, call.now))
            .ok_or_else(|| ApiError::resource_missing("balance_transaction", id, "id"))
    })
    .await
}
