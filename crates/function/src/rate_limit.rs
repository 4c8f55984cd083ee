//! Requests per client address: a few clients must not use up what every shopper shares (the
//! function's workers and the platform's Stripe rate limit).
//!
//! `governor`'s keyed GCRA limiter (the crate `tower_governor` is built on), in a middleware of
//! our own so that the refusal is the API's `{error: {code, message}}` with `Retry-After`, and
//! so that the client's address comes from where this function can trust it:
//!
//! - `serve`: the TCP peer (`ConnectInfo`). Loopback peers are not limited: they are this
//!   machine (the local demo, the test suites and the bench); a platform that runs `serve`
//!   behind a proxy on the same host limits at that proxy.
//! - Lambda: the source IP that API Gateway or the function URL saw (the request context),
//!   never a client's `X-Forwarded-For`.
//! - Neither (tests that call the Router in process): not limited.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use connect_checkout_core::api::ErrorCode;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::AppState;
use crate::error::AppError;

/// Addresses remembered before the idle ones are dropped, so that requests from many
/// addresses cannot grow the memory without bound.
const TRACKED_ADDRESSES: usize = 100_000;

/// The per-address budget: `RATE_LIMIT_PER_MINUTE` sustained, `RATE_LIMIT_BURST` at once.
#[derive(Debug)]
pub struct ClientRateLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl ClientRateLimit {
    /// `None` when `per_minute` is 0: no limit.
    pub fn new(per_minute: u32, burst: u32) -> Option<Self> {
        let per_minute = NonZeroU32::new(per_minute)?;
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        Some(Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            clock: DefaultClock::default(),
        })
    }

    /// `Err(wait)` when `address` has used its budget: how long until its next request passes.
    pub fn check(&self, address: IpAddr) -> Result<(), Duration> {
        if self.limiter.len() > TRACKED_ADDRESSES {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// The client's address, where this function can trust it (see the module's docs).
fn client_address(request: &Request) -> Option<IpAddr> {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        return Some(peer.ip());
    }
    lambda_source_ip(request)
}

fn lambda_source_ip(request: &Request) -> Option<IpAddr> {
    use lambda_http::request::RequestContext;
    let source = match request.extensions().get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.clone(),
        RequestContext::ApiGatewayV1(context) => context.identity.source_ip.clone(),
        #[allow(unreachable_patterns)]
        _ => None,
    };
    source?.parse().ok()
}

/// Refuses a client address over its budget with 429 before the request costs anything.
pub async fn limit_by_client(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let over_budget = match (&state.rate_limit, client_address(&request)) {
        (Some(limit), Some(address)) if !address.is_loopback() => limit.check(address).err(),
        _ => None,
    };
    match over_budget {
        None => next.run(request).await,
        Some(wait) => too_many_requests(wait),
    }
}

fn too_many_requests(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut response = AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!(
            "Too many requests from your address. Wait {seconds} s (Retry-After) and try \
             again; nothing was charged."
        ),
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_burst_then_waits_and_others_are_untouched() {
        let Some(limit) = ClientRateLimit::new(60, 3) else {
            panic!("a limit of 60 per minute is a limit");
        };
        let one: IpAddr = [203, 0, 113, 9].into();
        let other: IpAddr = [198, 51, 100, 7].into();
        for _ in 0..3 {
            assert_eq!(limit.check(one), Ok(()));
        }
        let wait = limit.check(one).err();
        assert!(
            wait.is_some_and(|wait| wait <= Duration::from_secs(1)),
            "{wait:?}"
        );
        assert_eq!(limit.check(other), Ok(()));
    }

    #[test]
    fn zero_per_minute_is_no_limit() {
        assert!(ClientRateLimit::new(0, 10).is_none());
    }
}
