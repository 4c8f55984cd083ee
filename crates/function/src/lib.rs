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
pub mod config;
pub mod error;
pub mod extract;
pub mod http;
pub mod keys;
pub mod sandbox_mode;
pub mod stripe;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;

pub use config::Config;
pub use error::AppError;
use stripe::StripeClient;
use stripe::retry::RetryPolicy;

/// What every handler shares: the configuration and the Stripe client.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stripe: StripeClient,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self::with_retry_policy(config, RetryPolicy::default())
    }

    /// Tests shorten the waits between retries.
    pub fn with_retry_policy(config: Config, retry: RetryPolicy) -> Self {
        let stripe = StripeClient::new(&config.api_base, config.secret_key.clone(), retry);
        Self {
            config: Arc::new(config),
            stripe,
        }
    }
}

/// The whole service. The local server, the Lambda entry point and the tests all call this.
pub fn app(state: AppState) -> Router {
    http::router(state)
}
