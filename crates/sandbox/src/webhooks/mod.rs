//! Webhook deliveries: every event is posted to each endpoint that listens for it, signed with
//! the endpoint's secret(s), and retried with backoff until it gets a 2xx or the schedule runs
//! out (FIDELITY.md §Webhooks).
//!
//! Routing follows Stripe: an event on the platform goes to the platform's endpoints made with
//! `connect=false`; an event on a connected account goes to the platform's endpoints made with
//! `connect=true` (and to the connected account's own account endpoints, if it has any).
//!
//! A single background task (started with the first sandbox in a Tokio runtime) sends what is
//! due. It holds only a weak reference to the sandbox, so dropping the sandbox ends it.

pub(crate) mod signature;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::events::{Event, type_matches};
use crate::http::idempotency::lock;
use crate::state::{Shared, Store};

/// How failed deliveries are retried, and how long one attempt may take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Waits before each retry, in milliseconds; its length is the number of retries. Stripe
    /// retries test-mode deliveries 3 times over a few hours (FIDELITY.md §Webhooks): the default
    /// is 5 min, 30 min, 2 h. Tests set something like `[50, 100, 200]`.
    #[serde(default = "default_schedule")]
    pub retry_schedule_ms: Vec<u64>,
    /// How long an attempt may take before it counts as failed.
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
}

fn default_schedule() -> Vec<u64> {
    vec![5 * 60_000, 30 * 60_000, 120 * 60_000]
}

fn default_timeout() -> u64 {
    10_000
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            retry_schedule_ms: default_schedule(),
            timeout_ms: default_timeout(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt is on the wire.
    Sending,
    /// An attempt got a 2xx.
    Succeeded,
    /// Every attempt failed and the schedule is used up (or the endpoint went away).
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// One try at posting an event.
#[derive(Clone, Debug)]
pub(crate) struct Attempt {
    pub at: i64,
    /// The endpoint's HTTP status, if it answered.
    pub status: Option<u16>,
    /// What went wrong, when it did (connection refused, timeout, a non-2xx status).
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// One event on its way to one endpoint.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub id: String,
    pub event: String,
    pub event_type: String,
    pub endpoint: String,
    pub url: String,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    /// When the next attempt is due (`None` once settled or while sending).
    pub next_at: Option<Instant>,
    pub next_at_unix: Option<i64>,
    pub created: i64,
    pub seq: u64,
}

impl Delivery {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "event": self.event,
            "event_type": self.event_type,
            "endpoint": self.endpoint,
            "url": self.url,
            "status": self.status.as_str(),
            "attempt_count": self.attempts.len(),
            "attempts": self.attempts.iter().map(|a| json!({
                "at": a.at,
                "status": a.status,
                "error": a.error,
                "duration_ms": a.duration_ms,
            })).collect::<Vec<_>>(),
            "next_attempt_at": self.next_at_unix,
            "created": self.created,
        })
    }
}

/// What one attempt needs, taken out of the store so the send runs unlocked.
struct Job {
    delivery: String,
    url: String,
    body: String,
    secrets: Vec<String>,
}

/// How many events the sandbox keeps (oldest dropped first), so a long benchmark does not
/// grow without bound. Stripe keeps 30 days of events.
pub(crate) const MAX_EVENTS: usize = 20_000;

impl Store {
    /// Queues `event` for every endpoint that listens for it (see the module comment).
    pub(crate) fn queue_deliveries(&mut self, event: &Event, now: i64) {
        let platform = self.platform_id.clone();
        let targets: Vec<(String, String)> = self
            .webhook_endpoints
            .values()
            .filter(|e| e.enabled)
            .filter(|e| {
                if event.connected {
                    (e.account == platform && e.connect)
                        || (e.account == event.account && !e.connect)
                } else {
                    e.account == event.account && !e.connect
                }
            })
            .filter(|e| {
                e.enabled_events
                    .iter()
                    .any(|p| type_matches(p, &event.kind))
            })
            .map(|e| (e.id.clone(), e.url.clone()))
            .collect();
        for (endpoint, url) in targets {
            let delivery = Delivery {
                id: self.new_id("whdel_", 20),
                event: event.id.clone(),
                event_type: event.kind.clone(),
                endpoint,
                url,
                status: DeliveryStatus::Pending,
                attempts: Vec::new(),
                next_at: Some(Instant::now()),
                next_at_unix: Some(now),
                created: now,
                seq: self.next_seq(),
            };
            self.pending_deliveries.insert(delivery.id.clone());
            self.event_deliveries
                .entry(event.id.clone())
                .or_default()
                .push(delivery.id.clone());
            self.deliveries.insert(delivery.id.clone(), delivery);
        }
        self.event_order.push_back(event.id.clone());
        while self.event_order.len() > MAX_EVENTS {
            if let Some(old) = self.event_order.pop_front() {
                self.events.remove(&old);
                for id in self.event_deliveries.remove(&old).unwrap_or_default() {
                    self.deliveries.remove(&id);
                    self.pending_deliveries.remove(&id);
                }
            }
        }
    }

    /// Deliveries of `event` not yet acknowledged, as `pending_webhooks` counts them.
    pub(crate) fn pending_webhooks(&self, event: &str) -> usize {
        self.event_deliveries.get(event).map_or(0, |ids| {
            ids.iter()
                .filter_map(|id| self.deliveries.get(id))
                .filter(|d| d.status != DeliveryStatus::Succeeded)
                .count()
        })
    }

    /// `pending_webhooks` of every event with deliveries still to make, in one pass.
    pub(crate) fn pending_counts(&self) -> std::collections::HashMap<&str, usize> {
        let mut counts = std::collections::HashMap::new();
        for d in self.deliveries.values() {
            if d.status != DeliveryStatus::Succeeded {
                *counts.entry(d.event.as_str()).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Marks every due delivery as sending and returns what to send, plus when the next
    /// pending one is due.
    fn take_due(&mut self, now: Instant, unix_now: i64) -> (Vec<Job>, Option<Instant>) {
        let mut jobs = Vec::new();
        let mut next: Option<Instant> = None;
        let due: Vec<String> = self
            .pending_deliveries
            .iter()
            .filter_map(|id| self.deliveries.get(id))
            .filter(|d| d.status == DeliveryStatus::Pending)
            .filter_map(|d| match d.next_at {
                Some(at) if at <= now => Some(d.id.clone()),
                Some(at) => {
                    next = Some(next.map_or(at, |n| n.min(at)));
                    None
                }
                None => None,
            })
            .collect();
        for id in due {
            // Whatever happens next, it is no longer waiting: it is sent now, or it fails.
            self.pending_deliveries.remove(&id);
            let Some(delivery) = self.deliveries.get(&id) else {
                continue;
            };
            let endpoint = self
                .webhook_endpoints
                .get(&delivery.endpoint)
                .filter(|e| e.enabled)
                .cloned();
            let event = self.events.get(&delivery.event).cloned();
            let (Some(endpoint), Some(event)) = (endpoint, event) else {
                if let Some(d) = self.deliveries.get_mut(&id) {
                    d.status = DeliveryStatus::Failed;
                    d.next_at = None;
                    d.next_at_unix = None;
                }
                continue;
            };
            let version = endpoint
                .api_version
                .clone()
                .unwrap_or_else(|| crate::http::auth::ApiVersion::default().as_str().to_owned());
            let pending = self.pending_webhooks(&event.id);
            let body = event.to_json(&version, pending).to_string();
            if let Some(d) = self.deliveries.get_mut(&id) {
                d.status = DeliveryStatus::Sending;
                d.next_at = None;
                d.next_at_unix = None;
            }
            jobs.push(Job {
                delivery: id,
                url: endpoint.url.clone(),
                body,
                secrets: endpoint.signing_secrets(unix_now),
            });
        }
        (jobs, next)
    }

    /// Records the outcome of an attempt and schedules the next one, if any is left.
    fn record_attempt(
        &mut self,
        delivery: &str,
        attempt: Attempt,
        schedule: &[u64],
        unix_now: i64,
    ) {
        let Some(d) = self.deliveries.get_mut(delivery) else {
            return; // reset while the attempt was on the wire
        };
        let ok = attempt.error.is_none();
        d.attempts.push(attempt);
        if ok {
            d.status = DeliveryStatus::Succeeded;
            return;
        }
        match schedule.get(d.attempts.len() - 1) {
            Some(wait) => {
                d.status = DeliveryStatus::Pending;
                self.pending_deliveries.insert(delivery.to_owned());
                d.next_at = Some(Instant::now() + Duration::from_millis(*wait));
                d.next_at_unix = Some(unix_now + i64::try_from(wait / 1000).unwrap_or(0));
            }
            None => d.status = DeliveryStatus::Failed,
        }
    }

    /// Makes a delivery due now (the admin "resend"); a settled one gets one more attempt.
    pub(crate) fn retry_delivery_now(&mut self, id: &str, unix_now: i64) -> bool {
        match self.deliveries.get_mut(id) {
            Some(d) if d.status != DeliveryStatus::Sending => {
                d.status = DeliveryStatus::Pending;
                self.pending_deliveries.insert(id.to_owned());
                d.next_at = Some(Instant::now());
                d.next_at_unix = Some(unix_now);
                true
            }
            _ => false,
        }
    }
}

/// Starts the delivery task if this sandbox has none yet and a Tokio runtime is at hand, and
/// wakes it: something may be due.
pub(crate) fn kick(shared: &Arc<Shared>) {
    if !shared.webhook_worker.swap(true, Ordering::AcqRel) {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(worker(Arc::downgrade(shared), shared.webhook_wake.clone()));
            }
            Err(_) => shared.webhook_worker.store(false, Ordering::Release),
        }
    }
    shared.webhook_wake.notify_one();
}

async fn worker(weak: Weak<Shared>, wake: Arc<tokio::sync::Notify>) {
    loop {
        let next = {
            let Some(shared) = weak.upgrade() else {
                return;
            };
            let (jobs, next) = shared
                .store_locked()
                .take_due(Instant::now(), shared.clock.now());
            for job in jobs {
                tokio::spawn(send(weak.clone(), job));
            }
            next
        };
        // Wake at the next due time, on news, or at least every second to notice the sandbox
        // is gone.
        let wait = next
            .map(|at| at.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(1))
            .min(Duration::from_secs(1));
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

async fn send(weak: Weak<Shared>, job: Job) {
    let Some(shared) = weak.upgrade() else {
        return;
    };
    let settings = lock(&shared.webhook_settings).clone();
    let client = shared.webhook_client.clone();
    let timestamp = shared.clock.now();
    drop(shared);

    let started = Instant::now();
    let result = client
        .post(&job.url)
        .timeout(Duration::from_millis(settings.timeout_ms))
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", USER_AGENT)
        .header(
            "stripe-signature",
            signature::header(timestamp, &job.body, &job.secrets),
        )
        .body(job.body)
        .send()
        .await;
    let (status, error) = match result {
        Ok(response) if response.status().is_success() => (Some(response.status().as_u16()), None),
        Ok(response) => {
            let code = response.status().as_u16();
            (Some(code), Some(format!("the endpoint answered {code}")))
        }
        Err(e) if e.is_timeout() => (
            None,
            Some(format!("timed out after {} ms", settings.timeout_ms)),
        ),
        Err(e) if e.is_connect() => (None, Some("could not connect".to_owned())),
        Err(e) if e.is_builder() => (
            None,
            Some("the URL cannot be reached over plain HTTP".to_owned()),
        ),
        Err(_) => (None, Some("the connection failed".to_owned())),
    };
    let Some(shared) = weak.upgrade() else {
        return;
    };
    if let Some(e) = &error {
        tracing::info!(delivery = %job.delivery, error = %e, "webhook delivery failed");
    } else {
        shared.api_calls.count_webhook();
    }
    let unix_now = shared.clock.now();
    let attempt = Attempt {
        at: timestamp,
        status,
        error,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    shared.store_locked().record_attempt(
        &job.delivery,
        attempt,
        &settings.retry_schedule_ms,
        unix_now,
    );
    // A retry may now be due sooner than the worker's current sleep.
    shared.webhook_wake.notify_one();
}
