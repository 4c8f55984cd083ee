//! The sandbox's memory: the objects of every account, the keys, the idempotency records and
//! the faults switched on. One [`SandboxState`] is shared by all requests; objects sit behind a
//! single mutex, held only for the synchronous part of a request, so every API call sees and
//! leaves a consistent store.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rand::RngExt;
use rand::distr::Alphanumeric;
use rand::rngs::StdRng;

use crate::clock::Clock;
use crate::events::Event;
use crate::faults::FaultState;
use crate::http::idempotency::{IdempotencyStore, lock};
use crate::keys::Keyring;
use crate::resources::account::Account;
use crate::resources::account_link::{AccountLink, LoginLink, OnboardingSession};
use crate::resources::application_fee::ApplicationFee;
use crate::resources::balance::LedgerEntry;
use crate::resources::catalog::{Price, Product};
use crate::resources::charge::Charge;
use crate::resources::payment_intent::PaymentIntent;
use crate::resources::payment_method::PaymentMethod;
use crate::resources::refund::Refund;
use crate::resources::token::Token;
use crate::resources::transfer::Transfer;
use crate::resources::webhook_endpoint::{EndpointSecret, WebhookEndpoint};
use crate::seed::Seed;
use crate::webhooks::{Delivery, WebhookSettings};

/// The shared state behind [`crate::router`]. Cheap to clone.
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub seed: Seed,
    pub store: Mutex<Store>,
    pub idempotency: Arc<Mutex<IdempotencyStore>>,
    pub faults: Mutex<FaultState>,
    pub clock: Clock,
    pub webhook_settings: Mutex<WebhookSettings>,
    /// Posts webhook deliveries: no redirects followed (a 3xx is a failed delivery).
    pub webhook_client: reqwest::Client,
    /// Wakes the delivery task when something may be due.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// Whether the delivery task runs.
    pub webhook_worker: AtomicBool,
    /// The `/v1` calls answered since the start (or the last reset), by the kind of key.
    pub api_calls: ApiCalls,
}

/// How many `/v1` calls got past authentication, by the kind of key that made them, and how
/// many webhook deliveries were acknowledged: what a bench counts to say how many Stripe calls
/// a journey costs and how many webhooks a server handled (`GET /_sandbox/requests`).
/// Stripe shows the same in the Dashboard's request logs, split the same way.
#[derive(Default)]
pub(crate) struct ApiCalls {
    /// Secret or restricted key: a server, such as the function.
    server: AtomicU64,
    /// Publishable key: Stripe.js, in a shopper's browser.
    browser: AtomicU64,
    /// Not calls but their counterpart: the webhook deliveries a receiver acknowledged, for a
    /// bench to know how many webhooks a server handled.
    webhooks: AtomicU64,
}

impl ApiCalls {
    pub(crate) fn count(&self, publishable: bool) {
        let counter = if publishable {
            &self.browser
        } else {
            &self.server
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `(secret or restricted key, publishable key)`.
    pub(crate) fn read(&self) -> (u64, u64) {
        (
            self.server.load(Ordering::Relaxed),
            self.browser.load(Ordering::Relaxed),
        )
    }

    fn clear(&self) {
        self.server.store(0, Ordering::Relaxed);
        self.browser.store(0, Ordering::Relaxed);
        self.webhooks.store(0, Ordering::Relaxed);
    }

    /// A webhook delivery the receiver acknowledged (a 2xx).
    pub(crate) fn count_webhook(&self) {
        self.webhooks.fetch_add(1, Ordering::Relaxed);
    }

    /// The webhook deliveries acknowledged.
    pub(crate) fn webhooks(&self) -> u64 {
        self.webhooks.load(Ordering::Relaxed)
    }
}

impl Shared {
    pub(crate) fn store_locked(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }
}

impl SandboxState {
    /// A sandbox holding `seed`. Use [`Seed::validate`] first for seeds read from elsewhere.
    pub fn new(seed: Seed) -> Self {
        let clock = Clock::default();
        let store = Store::from_seed(&seed);
        let webhook_settings = seed.webhook_settings.clone().unwrap_or_default();
        let webhook_client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let state = Self {
            shared: Arc::new(Shared {
                seed,
                store: Mutex::new(store),
                idempotency: Arc::new(Mutex::new(IdempotencyStore::default())),
                faults: Mutex::new(FaultState::default()),
                clock,
                webhook_settings: Mutex::new(webhook_settings),
                webhook_client,
                webhook_wake: Arc::new(tokio::sync::Notify::new()),
                webhook_worker: AtomicBool::new(false),
                api_calls: ApiCalls::default(),
            }),
        };
        state.kick_webhooks();
        state
    }

    /// Switches faults on, as `POST /_sandbox/faults` does with the same JSON (see the README's
    /// Faults section); `{}` switches them off. Returns the faults now on, or why the JSON is
    /// refused.
    pub fn set_faults(&self, faults: serde_json::Value) -> Result<serde_json::Value, String> {
        let faults: crate::faults::Faults =
            serde_json::from_value(faults).map_err(|e| e.to_string())?;
        faults.check()?;
        let fresh = FaultState::new(faults);
        let value = fresh.to_json();
        *lock(&self.shared.faults) = fresh;
        Ok(value)
    }

    /// Starts the webhook delivery task if needed and tells it to look for due deliveries.
    pub(crate) fn kick_webhooks(&self) {
        crate::webhooks::kick(&self.shared);
    }

    /// Forgets everything done since the start: back to the seed, no idempotency records,
    /// no faults, no calls counted, the clock back to wall-clock time.
    pub fn reset(&self) {
        *lock(&self.shared.store) = Store::from_seed(&self.shared.seed);
        lock(&self.shared.idempotency).clear();
        self.shared.api_calls.clear();
        *lock(&self.shared.faults) = FaultState::default();
        self.shared.clock.reset();
        *lock(&self.shared.webhook_settings) = self
            .shared
            .seed
            .webhook_settings
            .clone()
            .unwrap_or_default();
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
    pub events: BTreeMap<String, Event>,
    /// Event ids, oldest first, to drop the oldest beyond [`crate::webhooks::MAX_EVENTS`].
    pub event_order: VecDeque<String>,
    pub webhook_endpoints: BTreeMap<String, WebhookEndpoint>,
    pub deliveries: BTreeMap<String, Delivery>,
    /// The deliveries waiting for an attempt (status pending), so that the sender looks at
    /// them and not at every delivery ever made.
    pub pending_deliveries: BTreeSet<String>,
    /// Each event's deliveries, for its `pending_webhooks` and for dropping it.
    pub event_deliveries: HashMap<String, Vec<String>>,
    pub tokens: BTreeMap<String, Token>,
    /// Account Links by the token in their URL.
    pub account_links: BTreeMap<String, AccountLink>,
    pub onboarding_sessions: BTreeMap<String, OnboardingSession>,
    pub login_links: BTreeMap<String, LoginLink>,
    pub ledger: Vec<LedgerEntry>,
    pub transfers: BTreeMap<String, Transfer>,
    pub application_fees: BTreeMap<String, ApplicationFee>,
    pub refunds: BTreeMap<String, Refund>,
    /// When the last accounts were created, for Stripe's 5-per-second limit.
    pub account_creations: VecDeque<std::time::Instant>,
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
            events: BTreeMap::new(),
            event_order: VecDeque::new(),
            webhook_endpoints: BTreeMap::new(),
            deliveries: BTreeMap::new(),
            pending_deliveries: BTreeSet::new(),
            event_deliveries: HashMap::new(),
            tokens: BTreeMap::new(),
            account_links: BTreeMap::new(),
            onboarding_sessions: BTreeMap::new(),
            login_links: BTreeMap::new(),
            account_creations: VecDeque::new(),
            ledger: Vec::new(),
            transfers: BTreeMap::new(),
            application_fees: BTreeMap::new(),
            refunds: BTreeMap::new(),
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
        for seeded in &seed.webhook_endpoints {
            let seq = store.next_seq();
            let endpoint = WebhookEndpoint {
                id: seeded.id.clone(),
                account: seed.platform.account_id.clone(),
                url: seeded.url.clone(),
                enabled_events: seeded.enabled_events.clone(),
                connect: seeded.connect,
                api_version: seeded.api_version.clone(),
                description: seeded.description.clone(),
                metadata: BTreeMap::new(),
                enabled: true,
                secrets: vec![EndpointSecret {
                    value: seeded.secret.clone(),
                    expires_at: None,
                }],
                created: epoch,
                seq,
            };
            store
                .webhook_endpoints
                .insert(endpoint.id.clone(), endpoint);
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
