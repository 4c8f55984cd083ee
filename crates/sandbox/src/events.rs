//! Events: one `evt_…` for each change the sandbox makes (FIDELITY.md §Webhooks), kept on the
//! account the change happened on and handed to the webhook deliveries. An event holds a snapshot
//! of the object as it was right after the change, as Stripe's do, and names the API request that
//! caused it (`request.id`, `request.idempotency_key`), or none when the change came from a
//! hosted page or the sandbox itself.

use serde_json::{Value, json};

use crate::resources::list::listed_by_creation;
use crate::resources::retrieve::owned_by_account;
use crate::state::Store;

/// The event types the sandbox emits, and the others an endpoint may subscribe to (Stripe's
/// `enabled_events` refuses names it does not know). `*` is handled apart.
pub(crate) const KNOWN_TYPES: &[&str] = &[
    "account.application.authorized",
    "account.application.deauthorized",
    "account.external_account.created",
    "account.external_account.deleted",
    "account.external_account.updated",
    "account.updated",
    "application_fee.created",
    "application_fee.refund.updated",
    "application_fee.refunded",
    "balance.available",
    "capability.updated",
    "charge.captured",
    "charge.failed",
    "charge.pending",
    "charge.refund.updated",
    "charge.refunded",
    "charge.succeeded",
    "charge.updated",
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.partially_funded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
    "payment_method.attached",
    "payment_method.detached",
    "payout.created",
    "payout.failed",
    "payout.paid",
    "person.created",
    "person.updated",
    "refund.created",
    "refund.failed",
    "refund.updated",
    "transfer.created",
    "transfer.reversed",
    "transfer.updated",
];

/// The API request behind a change, as `event.request` shows it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Origin {
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

impl Origin {
    /// A change made outside the API (a hosted page, the sandbox's own clock).
    pub fn none() -> Self {
        Self::default()
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub id: String,
    /// The account the change happened on.
    pub account: String,
    /// Whether that is a connected account (the event then carries `account`).
    pub connected: bool,
    pub kind: String,
    pub object: Value,
    pub previous_attributes: Option<Value>,
    pub origin: Origin,
    pub created: i64,
    pub seq: u64,
}

impl Event {
    /// The event as the API and webhooks send it. `api_version` is the endpoint's version for
    /// deliveries, the account's default otherwise; `pending_webhooks` is counted by the store.
    pub fn to_json(&self, api_version: &str, pending_webhooks: usize) -> Value {
        let mut data = json!({ "object": self.object });
        if let Some(previous) = &self.previous_attributes {
            data["previous_attributes"] = previous.clone();
        }
        let mut event = json!({
            "id": self.id,
            "object": "event",
            "api_version": api_version,
            "created": self.created,
            "data": data,
            "livemode": false,
            "pending_webhooks": pending_webhooks,
            "request": {
                "id": self.origin.request_id,
                "idempotency_key": self.origin.idempotency_key,
            },
            "type": self.kind,
        });
        if self.connected {
            event["account"] = json!(self.account);
            // Connect events carry `context` too from 2025-04-30.basil
            // (<https://docs.stripe.com/changelog/basil/2025-04-30/additional-context-organization-events>).
            if api_version >= "2025-04-30" {
                event["context"] = json!(self.account);
            }
        }
        event
    }
}

owned_by_account!(Event);
listed_by_creation!(Event);

/// Whether `kind` matches `pattern`: the exact name, `*`, or `payment_intent.*`.
pub(crate) fn type_matches(pattern: &str, kind: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => kind.starts_with(prefix),
        None => pattern == kind,
    }
}

impl Store {
    /// Records that `kind` happened to `object` on `account`, and queues a delivery to every
    /// webhook endpoint that listens for it. Returns the event's id.
    pub fn emit(
        &mut self,
        account: &str,
        kind: &str,
        object: Value,
        previous_attributes: Option<Value>,
        origin: &Origin,
        now: i64,
    ) -> String {
        let event = Event {
            id: self.new_id("evt_", 24),
            account: account.to_owned(),
            connected: account != self.platform_id,
            kind: kind.to_owned(),
            object,
            previous_attributes,
            origin: origin.clone(),
            created: now,
            seq: self.next_seq(),
        };
        let id = event.id.clone();
        self.queue_deliveries(&event, now);
        self.events.insert(id.clone(), event);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_prefixes_and_everything() {
        assert!(type_matches("*", "charge.succeeded"));
        assert!(type_matches("payment_intent.*", "payment_intent.succeeded"));
        assert!(!type_matches("payment_intent.*", "charge.succeeded"));
        assert!(type_matches("charge.succeeded", "charge.succeeded"));
        assert!(!type_matches("charge.succeeded", "charge.succeeded.x"));
    }

    #[test]
    fn connect_events_name_their_account_and_context() {
        let event = Event {
            id: "evt_1".into(),
            account: "acct_1".into(),
            connected: true,
            kind: "account.updated".into(),
            object: json!({"id": "acct_1"}),
            previous_attributes: Some(json!({"charges_enabled": false})),
            origin: Origin::none(),
            created: 1,
            seq: 1,
        };
        let v = event.to_json("2026-07-29.dahlia", 1);
        assert_eq!(v["account"], "acct_1");
        assert_eq!(v["context"], "acct_1");
        assert_eq!(v["data"]["previous_attributes"]["charges_enabled"], false);
        assert_eq!(v["request"]["id"], Value::Null);
        let old = event.to_json("2024-06-20", 0);
        assert!(old.get("context").is_none());
    }
}
