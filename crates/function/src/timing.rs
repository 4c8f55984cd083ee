//! Where a request's time goes: how long it waited on Stripe versus everything else, reported
//! in a `Server-Timing` header (`stripe;dur=…, app;dur=…`). Browsers' developer tools show it,
//! and `cargo xtask bench` reads it to measure the latency the function adds over Stripe.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// Wall-clock time with at least one Stripe call in flight. Concurrent calls (a cart's price
/// lookups) overlap, so their durations are not simply added.
#[derive(Default)]
struct StripeWait {
    in_flight: u32,
    since: Option<Instant>,
    total: Duration,
}

tokio::task_local! {
    static STRIPE_WAIT: Arc<Mutex<StripeWait>>;
}

/// Marks one Stripe call in flight until dropped. Outside a timed request it does nothing.
pub struct StripeCallTimer {
    wait: Option<Arc<Mutex<StripeWait>>>,
}

impl StripeCallTimer {
    pub fn start() -> Self {
        let wait = STRIPE_WAIT.try_with(Arc::clone).ok();
        if let Some(Ok(mut state)) = wait.as_ref().map(|wait| wait.lock()) {
            if state.in_flight == 0 {
                state.since = Some(Instant::now());
            }
            state.in_flight += 1;
        }
        Self { wait }
    }
}

impl Drop for StripeCallTimer {
    fn drop(&mut self) {
        if let Some(Ok(mut state)) = self.wait.as_ref().map(|wait| wait.lock()) {
            state.in_flight = state.in_flight.saturating_sub(1);
            if state.in_flight == 0
                && let Some(since) = state.since.take()
            {
                state.total += since.elapsed();
            }
        }
    }
}

/// Middleware: times the request and adds `Server-Timing`.
pub async fn server_timing(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let wait = Arc::new(Mutex::new(StripeWait::default()));
    let mut response = STRIPE_WAIT
        .scope(Arc::clone(&wait), next.run(request))
        .await;
    let total = started.elapsed();
    let stripe = wait.lock().map(|state| state.total).unwrap_or_default();
    let app = total.saturating_sub(stripe);
    let value = format!(
        "stripe;dur={:.3}, app;dur={:.3}",
        stripe.as_secs_f64() * 1000.0,
        app.as_secs_f64() * 1000.0
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert("server-timing", value);
    }
    response
}
