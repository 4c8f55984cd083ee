//! `stripe-sandbox`: an offline, stateful, in-memory stand-in for the Connect subset of
//! Stripe's API and for Stripe.js, so that the checkout, its function and every test run on
//! one machine with no Stripe account and no network.
//!
//! Code talks to it exactly as to `api.stripe.com` and `js.stripe.com`: the same paths under
//! `/v1`, form-encoded bodies, `Authorization: Bearer` keys, `Stripe-Account` scoping,
//! `Idempotency-Key`, Stripe's error shapes and status codes, and a Stripe.js at `/v3/` whose
//! card fields live in an iframe of the sandbox's origin. The wire behaviour follows
//! FIDELITY.md (with Stripe's documentation as the source); where Stripe does not document
//! it, the choice made is in the README.
//!
//! What it is not: not a Stripe client, not a proxy to Stripe, not persistent (a restart or
//! `POST /_sandbox/reset` returns to the [`Seed`]), not live mode (only `sk_test_`/`pk_test_`
//! keys exist), and not the whole API: only what a Connect checkout needs (accounts and
//! onboarding, products, prices, payment methods, payment intents with 3-D Secure, charges,
//! refunds, transfers, application fees, balances, tokens, events and signed webhooks), plus
//! hosted pages (onboarding, Express dashboard, 3-D Secure challenge, admin) and fault
//! injection. Unknown paths get Stripe's "Unrecognized request URL" 404, so a gap shows up as
//! a clear failure, never a wrong answer.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sandbox = stripe_sandbox::spawn(listener, stripe_sandbox::Seed::default()).await?;
//! println!("Stripe API at {}/v1, Stripe.js at {}/v3/", sandbox.base_url(), sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod cards;
mod clock;
mod currency;
mod events;
mod faults;
mod hosted;
mod http;
mod keys;
mod resources;
mod seed;
mod server;
mod state;
mod stripe_js;
mod webhooks;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;

pub use keys::key_fingerprint;
pub use seed::{
    AccountType, LOCAL_WEBHOOK_SECRET, PLATFORM_ACCOUNT_ID, PLATFORM_PUBLISHABLE_KEY,
    PLATFORM_SECRET_KEY, Seed, SeedAccount, SeedError, SeedPlatform, SeedPrice, SeedProduct,
    SeedRequirements, SeedWebhookEndpoint,
};
pub use state::SandboxState;
pub use webhooks::WebhookSettings;

/// The whole sandbox as one axum Router: `/v1` (the API), `/v3/` (Stripe.js), the hosted pages
/// (`/3ds/`, `/setup/`, `/express/`) and `/_sandbox/` (admin). The admin calls that need a loopback peer work only when the router is served
/// with `into_make_service_with_connect_info::<SocketAddr>()` (or by [`spawn`]); a
/// `drop_connection` fault needs [`spawn`] to really close the connection (elsewhere the
/// response body breaks off instead).
pub fn router(state: SandboxState) -> Router {
    // Layers wrap from the inside out: CORS only around /v1 (never around the admin keys),
    // then panics become 500s, then the outermost layer stamps every response with a
    // Request-Id and logs it.
    let v1 = resources::routes()
        .fallback(http::unrecognized)
        .method_not_allowed_fallback(http::unrecognized)
        .layer(http::cors());
    Router::new()
        .nest("/v1", v1)
        .merge(stripe_js::routes())
        .merge(hosted::routes())
        .merge(admin::routes())
        .fallback(http::unrecognized)
        .method_not_allowed_fallback(http::unrecognized)
        .with_state(state)
        .layer(CatchPanicLayer::custom(http::panic_response))
        .layer(axum::middleware::from_fn(http::request_id))
}

/// A sandbox serving in a background task; see [`spawn`].
pub struct RunningSandbox {
    addr: SocketAddr,
    state: SandboxState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Serves a sandbox holding `seed` on `listener` in a background task. The seed is validated
/// first; an unusable one is an `InvalidInput` error.
pub async fn spawn(listener: TcpListener, seed: Seed) -> std::io::Result<RunningSandbox> {
    seed.validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let addr = listener.local_addr()?;
    let state = SandboxState::new(seed);
    let app = router(state.clone());
    let (shutdown, stop) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, app, async {
        let _ = stop.await;
    }));
    Ok(RunningSandbox {
        addr,
        state,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT` (a wildcard bind is reported as loopback, the address a local
    /// client can reach).
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(if addr.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        format!("http://{addr}")
    }

    /// The address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The platform's secret key (`sk_test_…`).
    pub fn secret_key(&self) -> &str {
        self.state.secret_key()
    }

    /// The platform's publishable key (`pk_test_…`).
    pub fn publishable_key(&self) -> &str {
        self.state.publishable_key()
    }

    /// The state behind the server, e.g. to [`SandboxState::reset`] it between tests.
    pub fn state(&self) -> &SandboxState {
        &self.state
    }

    /// Stops accepting connections, lets requests in flight finish (for at most five
    /// seconds), and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            match tokio::time::timeout(Duration::from_secs(5), &mut task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => {
                    tracing::warn!(error = %e, "the sandbox server stopped with an error")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "the sandbox server task failed"),
                Err(_) => {
                    tracing::warn!("connections still open after 5 s; stopping the sandbox anyway");
                    task.abort();
                }
            }
        }
    }
}

impl Drop for RunningSandbox {
    /// A sandbox dropped without [`RunningSandbox::shutdown`] still stops serving.
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// For the fuzz target only (`fuzz/`): decodes `input` as a form body and checks it against the
/// PaymentIntent-create schema, the path every request body takes. Its promise, which the
/// fuzzer checks, is that no input makes it panic.
#[doc(hidden)]
pub fn fuzz_form_body(input: &[u8]) -> bool {
    let mut tree = http::form::Tree::new();
    if http::form::decode_into(&mut tree, input).is_err() {
        return false;
    }
    let _ = http::form::to_json(&tree);
    http::params::validate(&tree, resources::payment_intent::CREATE.schema).is_ok()
}
