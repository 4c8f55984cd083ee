//! The thin serverless function: every operation of checkout and Connect that needs the
//! platform's secret key, as one axum [`Router`] built by [`app`].
//!
//! Two entry points run that same Router and hold no logic: `serve` (a local server that also
//! serves the built widget) and `lambda` (AWS Lambda through `lambda_http`); see `main.rs`.
//!
//! It is stateless: Stripe is the system of record, so any number of copies can run. It is
//! not a store front, a database, or a Stripe SDK: it calls the few Stripe endpoints it needs
//! through [`stripe::StripeClient`], the only code that sees the secret key.

pub mod checkout;
pub mod client_address;
pub mod clock;
pub mod config;
pub mod doctor;
pub mod error;
pub mod extract;
pub mod http;
pub mod key_rotation;
pub mod keys;
pub mod page_security;
pub mod rate_limit;
pub mod sandbox_mode;
pub mod sellers;
pub mod server;
pub mod stripe;
pub mod timing;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use checkout::catalog::CatalogCache;
use clock::Clock;
pub use config::Config;
use config::SellerSignIn;
pub use error::AppError;
use sellers::oidc::OidcAuth;
use sellers::session::{RefuseAll, SellerAuth, SignedSessions};
use stripe::StripeClient;
use stripe::retry::RetryPolicy;

/// What every handler shares: the configuration, the Stripe client, how sellers are
/// authenticated, the clock, the sellers' catalogs and the per-client request budget.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stripe: StripeClient,
    pub auth: Arc<dyn SellerAuth>,
    pub clock: Clock,
    /// Kept here, not in the Router, so every copy of the Router shares them.
    pub catalog: Arc<CatalogCache>,
    pub rate_limit: Option<Arc<rate_limit::ClientRateLimit>>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let stripe = StripeClient::new(
            &config.api_base,
            config.secret_key.clone(),
            RetryPolicy::default(),
        );
        let auth = seller_auth(&config);
        let catalog = Arc::new(CatalogCache::new(Duration::from_secs(
            config.limits.catalog_cache_secs,
        )));
        let rate_limit = rate_limit::ClientRateLimit::new(
            config.limits.rate_limit_per_minute,
            config.limits.rate_limit_burst,
        )
        .map(Arc::new);
        Self {
            config: Arc::new(config),
            stripe,
            auth,
            clock: clock::system(),
            catalog,
            rate_limit,
        }
    }

    /// The same state with other retry timings (tests shorten the waits).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.stripe = StripeClient::new(&self.config.api_base, self.stripe.secret_key(), retry);
        self
    }

    /// The same state with the platform's own seller login.
    pub fn with_seller_auth(mut self, auth: Arc<dyn SellerAuth>) -> Self {
        self.auth = auth;
        self
    }

    /// The same state with another clock (tests move time).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Unix seconds, by this state's clock.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}

/// The `SellerAuth` the configuration asks for.
fn seller_auth(config: &Config) -> Arc<dyn SellerAuth> {
    if config.seller_session_secrets.is_empty() {
        tracing::warn!(
            "SELLER_SESSION_SECRETS is not set: seller sessions use a random key and end when \
             this process stops"
        );
    }
    let sessions = SignedSessions::new(
        &config.seller_session_secrets,
        config.seller_session_ttl_secs,
        config.seller_cookie,
    );
    match &config.seller_sign_in {
        SellerSignIn::Open => Arc::new(sessions.with_open_sign_up()),
        SellerSignIn::Oidc(settings) => Arc::new(OidcAuth::new(settings.clone(), sessions)),
        SellerSignIn::Platform => Arc::new(RefuseAll),
    }
}

/// The whole service. The local server, the Lambda entry point and the tests all call this.
pub fn app(state: AppState) -> Router {
    http::router(state)
}
