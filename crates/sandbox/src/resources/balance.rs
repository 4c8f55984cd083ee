//! Balances: every movement of money (a captured charge, an application fee, a transfer, a
//! refund, a reversal) is a ledger entry on one account in one currency, pending until its
//! `available_on` and available after. Charges become available two days after capture, as in
//! Stripe's test mode, except those made with 4000 0000 0000 0077, whose funds are available
//! at once (FIDELITY.md §Test cards). `GET /v1/balance` sums the caller's entries.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use crate::http::auth::Access;
use crate::http::pipeline::{ApiRequest, Endpoint, run};
use crate::state::{SandboxState, Store};

/// How long charged funds stay pending.
pub(crate) const PENDING_SECONDS: i64 = 2 * 24 * 60 * 60;

/// One movement of money on one account.
#[derive(Clone, Debug)]
pub(crate) struct LedgerEntry {
    pub account: String,
    pub currency: String,
    /// Positive for money in, negative for money out.
    pub amount: i64,
    pub available_on: i64,
    /// The object that moved it (`ch_…`, `fee_…`, `tr_…`, `re_…`).
    pub source: String,
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
    /// Records a movement of money.
    pub(crate) fn book(
        &mut self,
        account: &str,
        currency: &str,
        amount: i64,
        available_on: i64,
        source: &str,
    ) {
        if amount == 0 {
            return;
        }
        self.ledger.push(LedgerEntry {
            account: account.to_owned(),
            currency: currency.to_owned(),
            amount,
            available_on,
            source: source.to_owned(),
        });
    }

    /// `(available, pending)` of `account`, per currency, at the ledger's own dates: entries
    /// dated in the future are pending.
    pub(crate) fn balance_at(&self, account: &str, now: i64) -> BTreeMap<String, (i64, i64)> {
        let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for entry in self.ledger.iter().filter(|e| e.account == account) {
            let slot = out.entry(entry.currency.clone()).or_default();
            if entry.available_on <= now {
                slot.0 += entry.amount;
            } else {
                slot.1 += entry.amount;
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

const RETRIEVE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[],
};

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
