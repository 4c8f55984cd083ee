//! `Idempotency-Key` (FIDELITY.md §Idempotency): the first POST with a key stores its status and
//! body, a retry with the same parameters gets them back, a retry with other parameters gets a 400
//! `idempotency_error`, and a retry while the first is still running gets a 409.
//!
//! Keys are scoped to the account the request acts for, as on Stripe. A request that fails
//! validation stores nothing ("results are only saved if an API endpoint started executing"),
//! so the client may fix its parameters and reuse the key. Entries older than 24 hours are
//! pruned, after which the key makes a new request.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::StatusCode;

/// How long a stored result is replayed (Stripe prunes keys that are at least 24 h old).
const RETENTION_SECONDS: i64 = 24 * 60 * 60;

/// Stripe's limit on the key's length.
pub(crate) const MAX_KEY_LEN: usize = 255;

/// A finished response kept for replay.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub status: StatusCode,
    pub body: Bytes,
    pub request_id: String,
}

#[derive(Debug)]
struct Entry {
    fingerprint: String,
    created: i64,
    /// `None` while the first request still runs.
    result: Option<Stored>,
}

/// (account the request acts for, key).
type Slot = (String, String);

/// All keys seen, across accounts.
#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    entries: HashMap<Slot, Entry>,
    /// Every entry made, oldest first (the sandbox's clock only moves forward), so that pruning
    /// looks only at the entries old enough to go. A scan of every entry on each POST made
    /// the sandbox slower with each request it served: 4,500 checkouts a second fell to 1,250
    /// over five 3-second runs of the bench's load.
    made: VecDeque<(i64, Slot)>,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub(crate) enum Begin {
    /// First use: run it, then [`InFlight::complete`] or drop the guard.
    Proceed,
    /// Same parameters as a finished request: send its response again.
    Replay(Stored),
    /// Same key, different request.
    Mismatch,
    /// Same key, first request not finished.
    InUse,
}

impl IdempotencyStore {
    pub fn begin(&mut self, account: &str, key: &str, fingerprint: &str, now: i64) -> Begin {
        self.prune(now);
        let slot = (account.to_owned(), key.to_owned());
        match self.entries.get(&slot) {
            Some(entry) if entry.fingerprint != fingerprint => Begin::Mismatch,
            Some(Entry { result: None, .. }) => Begin::InUse,
            Some(Entry {
                result: Some(stored),
                ..
            }) => Begin::Replay(stored.clone()),
            None => {
                self.made.push_back((now, slot.clone()));
                self.entries.insert(
                    slot,
                    Entry {
                        fingerprint: fingerprint.to_owned(),
                        created: now,
                        result: None,
                    },
                );
                Begin::Proceed
            }
        }
    }

    /// Forgets the finished entries made at least [`RETENTION_SECONDS`] before `now`. One
    /// still running is kept (it finishes soon) and pruned by a later call once it has.
    fn prune(&mut self, now: i64) {
        while let Some((created, slot)) = self.made.front() {
            if now - created < RETENTION_SECONDS {
                break;
            }
            match self.entries.get(slot) {
                // Still running: it stays first in line until it has finished.
                Some(entry) if entry.created == *created && entry.result.is_none() => break,
                // Finished, or already gone (or the key was used again since, and that
                // entry has its own place in line).
                Some(entry) if entry.created == *created => {
                    self.entries.remove(slot);
                }
                _ => {}
            }
            self.made.pop_front();
        }
    }

    fn finish(&mut self, slot: &Slot, result: Option<Stored>) {
        match result {
            Some(stored) => {
                if let Some(entry) = self.entries.get_mut(slot) {
                    entry.result = Some(stored);
                }
            }
            None => {
                self.entries.remove(slot);
            }
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.made.clear();
    }
}

/// Holds a key "in flight". Dropping it without [`InFlight::complete`] (validation failed, the
/// client went away) frees the key, so nothing half-done is ever replayed.
pub(crate) struct InFlight {
    store: Arc<Mutex<IdempotencyStore>>,
    slot: Option<Slot>,
}

impl InFlight {
    pub fn new(store: Arc<Mutex<IdempotencyStore>>, account: &str, key: &str) -> Self {
        Self {
            store,
            slot: Some((account.to_owned(), key.to_owned())),
        }
    }

    /// Keeps `stored` for replay.
    pub fn complete(mut self, stored: Stored) {
        if let Some(slot) = self.slot.take() {
            lock(&self.store).finish(&slot, Some(stored));
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            lock(&self.store).finish(&slot, None);
        }
    }
}

/// A poisoned lock still holds consistent data here (every update is one assignment).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether a response is kept for replay: successes, card declines and server errors ran
/// the endpoint; other 4xx are validation failures and are not kept.
pub(crate) fn is_saved(status: StatusCode) -> bool {
    status.is_success() || status == StatusCode::PAYMENT_REQUIRED || status.is_server_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_use_replays_mismatches_or_waits() {
        let store = Arc::new(Mutex::new(IdempotencyStore::default()));
        assert!(matches!(
            lock(&store).begin("acct", "k", "a", 0),
            Begin::Proceed
        ));
        assert!(matches!(
            lock(&store).begin("acct", "k", "a", 1),
            Begin::InUse
        ));
        assert!(matches!(
            lock(&store).begin("acct", "k", "b", 1),
            Begin::Mismatch
        ));
        let guard = InFlight::new(store.clone(), "acct", "k");
        guard.complete(Stored {
            status: StatusCode::OK,
            body: Bytes::from_static(b"{}"),
            request_id: "req_1".into(),
        });
        assert!(matches!(
            lock(&store).begin("acct", "k", "a", 2),
            Begin::Replay(_)
        ));
        // Another account may use the same key for its own request.
        assert!(matches!(
            lock(&store).begin("other", "k", "b", 2),
            Begin::Proceed
        ));
    }

    #[test]
    fn dropped_guard_frees_the_key() {
        let store = Arc::new(Mutex::new(IdempotencyStore::default()));
        assert!(matches!(
            lock(&store).begin("acct", "k", "a", 0),
            Begin::Proceed
        ));
        drop(InFlight::new(store.clone(), "acct", "k"));
        assert!(matches!(
            lock(&store).begin("acct", "k", "b", 0),
            Begin::Proceed
        ));
    }

    #[test]
    fn keys_older_than_a_day_are_forgotten() {
        let store = Arc::new(Mutex::new(IdempotencyStore::default()));
        lock(&store).begin("acct", "k", "a", 0);
        InFlight::new(store.clone(), "acct", "k").complete(Stored {
            status: StatusCode::OK,
            body: Bytes::new(),
            request_id: "req_1".into(),
        });
        assert!(matches!(
            lock(&store).begin("acct", "k", "b", RETENTION_SECONDS + 1),
            Begin::Proceed
        ));
    }

    fn finished(store: &Arc<Mutex<IdempotencyStore>>, key: &str, at: i64) {
        assert!(matches!(
            lock(store).begin("acct", key, "a", at),
            Begin::Proceed
        ));
        InFlight::new(store.clone(), "acct", key).complete(Stored {
            status: StatusCode::OK,
            body: Bytes::new(),
            request_id: format!("req_{key}"),
        });
    }

    #[test]
    fn a_key_used_again_after_its_first_request_failed_is_kept_a_day_from_its_new_use() {
        let store = Arc::new(Mutex::new(IdempotencyStore::default()));
        lock(&store).begin("acct", "k", "a", 0);
        drop(InFlight::new(store.clone(), "acct", "k"));
        finished(&store, "k", 100);
        assert!(matches!(
            lock(&store).begin("acct", "k", "a", RETENTION_SECONDS + 1),
            Begin::Replay(_)
        ));
        assert!(matches!(
            lock(&store).begin("acct", "k", "b", RETENTION_SECONDS + 100),
            Begin::Proceed
        ));
    }

    #[test]
    fn only_the_keys_of_the_last_day_are_kept() {
        let store = Arc::new(Mutex::new(IdempotencyStore::default()));
        let hour = 60 * 60;
        for n in 0..48 {
            finished(&store, &format!("k{n}"), n * hour);
        }
        // Made in the last 24 hours: k24 (made at 24 h) to k47; k23 went when k47 was made.
        let kept = lock(&store).entries.len();
        assert_eq!(kept, 24);
        assert_eq!(lock(&store).made.len(), 24);
        assert!(matches!(
            lock(&store).begin("acct", "k24", "a", 47 * hour),
            Begin::Replay(_)
        ));
    }
}
