//! The sandbox's memory: the objects of every account, the keys, the idempotency records and
//! the faults switched on. One [`SandboxState`] is shared by all requests; objects sit behind a
//! single mutex, held only for the synchronous part of a request, so every API call sees and
//! leaves a consistent store.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::RngExt;
use rand::distr::Alphanumeric;
use rand::rngs::StdRng;

use crate::clock::Clock;
use crate::http::idempotency::{IdempotencyStore, lock};
use crate::keys::Keyring;
use crate::resources::account::Account;
use crate::resources::catalog::{Price, Product};
use crate::resources::charge::Charge;
use crate::resources::payment_intent::PaymentIntent;
use crate::resources::payment_method::PaymentMethod;
use crate::seed::Seed;

/// The shared state behind [`crate::router`]. Cheap to clone.
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub seed: Seed,
    pub store: Mutex<Store>,
    pub idempotency: Arc<Mutex<IdempotencyStore>>,
    pub faults: Mutex<Faults>,
    pub clock: Clock,
}

/// Faults switched on through the admin API. Phase 1 has added latency only (which is also
/// what lets tests hold an idempotency key in flight); error rates come in phase 2.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Faults {
    /// Milliseconds every `/v1` call waits before it runs.
    #[serde(default)]
    pub latency_ms: u64,
}

impl SandboxState {
    /// A sandbox holding `seed`. Use [`Seed::validate`] first for seeds read from elsewhere.
    pub fn new(seed: Seed) -> Self {
        let clock = Clock::default();
        let store = Store::from_seed(&seed);
        Self {
            shared: Arc::new(Shared {
                seed,
                store: Mutex::new(store),
                idempotency: Arc::new(Mutex::new(IdempotencyStore::default())),
                faults: Mutex::new(Faults::default()),
                clock,
            }),
        }
    }

    /// Forgets everything done since the start: back to the seed, no idempotency records,
    /// no faults.
    pub fn reset(&self) {
        *lock(&self.shared.store) = Store::from_seed(&self.shared.seed);
        lock(&self.shared.idempotency).clear();
        *lock(&self.shared.faults) = Faults::default();
    }

    /// The platform's secret key of the seed.
    pub fn secret_key(&self) -> &str {
        &self.shared.seed.platform.secret_key
    }

    /// The platform's publishable key of the seed.
    pub fn publishable_key(&self) -> &str {
        &self.shared.seed.platform.publishable_key
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.shared.store)
    }

    pub(crate) fn now(&self) -> i64 {
        self.shared.clock.now()
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.shared.faults).clone()
    }
}

/// Every object the sandbox holds, each tagged with the account it lives on.
pub(crate) struct Store {
    pub keys: Keyring,
    pub platform_id: String,
    /// The platform and its connected accounts.
    pub accounts: BTreeMap<String, Account>,
    pub products: BTreeMap<String, Product>,
    pub prices: BTreeMap<String, Price>,
    pub payment_methods: BTreeMap<String, PaymentMethod>,
    pub payment_intents: BTreeMap<String, PaymentIntent>,
    pub charges: BTreeMap<String, Charge>,
    /// Breaks ties between objects created in the same second, so lists keep their order.
    seq: u64,
    rng: StdRng,
}

impl Store {
    fn from_seed(seed: &Seed) -> Self {
        let mut store = Store {
            keys: Keyring::new(&seed.platform.secret_key, &seed.platform.publishable_key),
            platform_id: seed.platform.account_id.clone(),
            accounts: BTreeMap::new(),
            products: BTreeMap::new(),
            prices: BTreeMap::new(),
            payment_methods: BTreeMap::new(),
            payment_intents: BTreeMap::new(),
            charges: BTreeMap::new(),
            seq: 0,
            rng: rand::make_rng(),
        };
        let epoch = Seed::epoch();
        let platform = Account::platform(&seed.platform, epoch, store.next_seq());
        store.accounts.insert(platform.id.clone(), platform);
        crate::resources::catalog::seed_products(
            &mut store,
            &seed.platform.account_id,
            &seed.platform.products,
        );
        for (i, seeded) in seed.accounts.iter().enumerate() {
            let created = seeded.created.unwrap_or(epoch + 1 + i as i64);
            let seq = store.next_seq();
            let account = Account::from_seed(seeded, created, seq);
            store.accounts.insert(account.id.clone(), account);
            crate::resources::catalog::seed_products(&mut store, &seeded.id, &seeded.products);
        }
        store
    }

    /// A deterministic-order stamp for a new object.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// `prefix` followed by `len` random letters and digits, as Stripe's ids look.
    pub fn new_id(&mut self, prefix: &str, len: usize) -> String {
        let mut id = String::with_capacity(prefix.len() + len);
        id.push_str(prefix);
        id.extend((0..len).map(|_| char::from(self.rng.sample(Alphanumeric))));
        id
    }

    /// Whether `id` is one of the platform's connected accounts.
    pub fn is_connected_account(&self, id: &str) -> bool {
        self.accounts.get(id).is_some_and(|a| !a.is_platform)
    }

    /// Replaces the random source, for tests that want repeatable ids.
    #[cfg(test)]
    pub fn seed_rng(&mut self, n: u64) {
        self.rng = <StdRng as rand::SeedableRng>::seed_from_u64(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_stripes_shape() {
        let state = SandboxState::new(Seed::default());
        let mut store = state.store();
        store.seed_rng(7);
        let id = store.new_id("pi_", 24);
        assert_eq!(id.len(), 27);
        assert!(id[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn reset_restores_the_seed() {
        let state = SandboxState::new(Seed::default());
        state.store().accounts.clear();
        state.reset();
        assert!(state.store().is_connected_account("acct_1LumenCoffee0001"));
    }
}
