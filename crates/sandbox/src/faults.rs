//! Faults on demand, to prove a client's retries: added latency, 429s (`rate_limit`,
//! `lock_timeout`), 500/503s, dropped connections, and a per-second rate limit like Stripe's.
//! They apply to `/v1` calls only, optionally to a path prefix and a method.
//!
//! **When a fault happens** decides what a retry finds, so it is explicit:
//!
//! - `"when": "before"` (the default): the call is refused before it runs. Nothing happens,
//!   nothing is stored under its `Idempotency-Key`, and a retry runs it afresh. 429s are
//!   always `before`, as on Stripe (a rate-limited or lock-timed-out call never ran).
//! - `"when": "after"`: the call runs and commits, then the answer is replaced.
//!   `server_error` / `service_unavailable`: the 5xx is what is stored under the key, as Stripe
//!   stores a 5xx ("results are saved… including 500 errors", FIDELITY.md §Idempotency), so a
//!   retry with the same key replays the 5xx while the object exists. `drop_connection`: the
//!   real answer is stored and the connection closes before it is sent (the answer was lost on
//!   the way), so a retry with the same key replays the real answer instead of doing it twice;
//!   a retry without a key does it twice, as on Stripe. `latency`: the answer is held back
//!   after the call committed, the case where a client times out on a call that succeeded.
//!
//! `every: N` fires on the Nth, 2Nth… matching call; `share: 0.3` fires on that share of
//! matching calls, drawn from a generator seeded with `random_seed` (so a test run repeats);
//! neither means every matching call; `times: K` stops a rule after K firings.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, ErrorType};

/// What a rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FaultKind {
    /// 429 `rate_limit`, no `Stripe-Should-Retry` (the SDKs do not retry it).
    RateLimit,
    /// 429 `lock_timeout` with `Stripe-Should-Retry: true`.
    LockTimeout,
    /// 500 `api_error`.
    ServerError,
    /// 503 `api_error`.
    ServiceUnavailable,
    /// The connection closes without an answer.
    DropConnection,
    /// `latency_ms` more before (or after) the call.
    Latency,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum When {
    #[default]
    Before,
    After,
}

/// One fault rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultRule {
    pub fault: FaultKind,
    #[serde(default)]
    pub when: When,
    /// Fires on this share (0 to 1) of matching calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Fires on every Nth matching call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Fires at most this many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Only calls whose path starts with this (`/v1/payment_intents`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Only calls with this method (`POST`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// For `latency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
}

/// The faults switched on (`POST /_sandbox/faults`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Faults {
    /// Milliseconds every `/v1` call waits before it runs (phase 1's only fault).
    #[serde(default)]
    pub latency_ms: u64,
    /// Calls admitted per second across the API; beyond, 429 `rate_limit`. Stripe allows 25
    /// per second in test mode (FIDELITY.md §Rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_second: Option<u32>,
    /// Seeds the draws of `share` rules, for repeatable runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<FaultRule>,
}

impl Faults {
    /// Refuses rules that cannot mean anything.
    pub fn check(&self) -> Result<(), String> {
        for (i, rule) in self.rules.iter().enumerate() {
            let name = format!("rules[{i}]");
            if rule.share.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
                return Err(format!("{name}.share must be between 0 and 1"));
            }
            if rule.every == Some(0) {
                return Err(format!("{name}.every must be at least 1"));
            }
            if rule.share.is_some() && rule.every.is_some() {
                return Err(format!("{name}: give share or every, not both"));
            }
            if matches!(rule.fault, FaultKind::RateLimit | FaultKind::LockTimeout)
                && rule.when == When::After
            {
                return Err(format!(
                    "{name}: a 429 happens before the call runs, as on Stripe; `when` must be \
                     `before`"
                ));
            }
            if (rule.fault == FaultKind::Latency) != rule.latency_ms.is_some() {
                return Err(format!(
                    "{name}: latency_ms goes with (and only with) the latency fault"
                ));
            }
            if let Some(method) = &rule.method
                && !method.bytes().all(|b| b.is_ascii_alphabetic())
            {
                return Err(format!("{name}.method must be an HTTP method such as POST"));
            }
        }
        if self.rate_limit_per_second == Some(0) {
            return Err("rate_limit_per_second must be at least 1".to_owned());
        }
        Ok(())
    }
}

/// What the faults decided for one call.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub latency_before: u64,
    pub latency_after: u64,
    /// Refuse before running.
    pub before: Option<FaultKind>,
    /// Replace the answer after running.
    pub after: Option<FaultKind>,
}

/// The faults and their counters.
pub(crate) struct FaultState {
    pub config: Faults,
    matched: Vec<u64>,
    fired: Vec<u64>,
    rng: StdRng,
    /// When the calls of the last second were admitted.
    window: VecDeque<Instant>,
    pub rate_limited: u64,
}

impl Default for FaultState {
    fn default() -> Self {
        Self::new(Faults::default())
    }
}

impl FaultState {
    pub fn new(config: Faults) -> Self {
        let rng = match config.random_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => rand::make_rng(),
        };
        Self {
            matched: vec![0; config.rules.len()],
            fired: vec![0; config.rules.len()],
            config,
            rng,
            window: VecDeque::new(),
            rate_limited: 0,
        }
    }

    /// The configuration and, per rule, how many calls matched it and how often it fired.
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.config).unwrap_or_default();
        value["stats"] = serde_json::json!({
            "rules": self.matched.iter().zip(&self.fired).map(|(m, f)| {
                serde_json::json!({ "matched": m, "fired": f })
            }).collect::<Vec<_>>(),
            "rate_limited": self.rate_limited,
        });
        value
    }

    /// Decides the faults of one call, counting it.
    pub fn decide(&mut self, method: &str, path: &str, now: Instant) -> Decision {
        let mut decision = Decision {
            latency_before: self.config.latency_ms,
            ..Decision::default()
        };
        if let Some(limit) = self.config.rate_limit_per_second {
            while self
                .window
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                self.window.pop_front();
            }
            if self.window.len() >= limit as usize {
                self.rate_limited += 1;
                decision.before = Some(FaultKind::RateLimit);
                return decision;
            }
            self.window.push_back(now);
        }
        for (i, rule) in self.config.rules.iter().enumerate() {
            let applies = rule
                .path_prefix
                .as_ref()
                .is_none_or(|p| path.starts_with(p))
                && rule
                    .method
                    .as_ref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method));
            if !applies {
                continue;
            }
            self.matched[i] += 1;
            if rule.times.is_some_and(|t| self.fired[i] >= t) {
                continue;
            }
            let fires = match (rule.every, rule.share) {
                (Some(n), _) => self.matched[i].is_multiple_of(n),
                (None, Some(share)) => self.rng.random::<f64>() < share,
                (None, None) => true,
            };
            if !fires {
                continue;
            }
            match (rule.fault, rule.when) {
                (FaultKind::Latency, When::Before) => {
                    decision.latency_before += rule.latency_ms.unwrap_or(0);
                }
                (FaultKind::Latency, When::After) => {
                    decision.latency_after += rule.latency_ms.unwrap_or(0);
                }
                (kind, When::Before) if decision.before.is_none() => decision.before = Some(kind),
                (kind, When::After) if decision.after.is_none() => decision.after = Some(kind),
                _ => continue,
            }
            self.fired[i] += 1;
        }
        decision
    }
}

/// The error a fault answers with (not for `drop_connection` or `latency`).
pub(crate) fn error_of(kind: FaultKind) -> ApiError {
    match kind {
        FaultKind::RateLimit => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorType::InvalidRequestError,
            "Request rate limit exceeded. You can learn more about rate limits here \
             https://stripe.com/docs/rate-limits.",
        )
        .code("rate_limit"),
        FaultKind::LockTimeout => {
            let mut error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorType::InvalidRequestError,
                "This object cannot be accessed right now because another API request or \
                 Stripe process is currently accessing it. If you see this error \
                 intermittently, retry the request. If you see this error frequently and are \
                 making multiple concurrent requests to a single object, make your requests \
                 serially or at a lower rate.",
            )
            .code("lock_timeout");
            error.should_retry = Some(true);
            error
        }
        FaultKind::ServiceUnavailable => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorType::ApiError,
            "The service is temporarily unavailable (a fault injected by the sandbox). Please \
             try again later.",
        ),
        _ => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorType::ApiError,
            "An unknown error occurred (a fault injected by the sandbox).",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(fault: FaultKind) -> FaultRule {
        FaultRule {
            fault,
            when: When::Before,
            share: None,
            every: None,
            times: None,
            path_prefix: None,
            method: None,
            latency_ms: None,
        }
    }

    #[test]
    fn every_nth_call_fires_and_times_caps_it() {
        let mut state = FaultState::new(Faults {
            rules: vec![FaultRule {
                every: Some(2),
                times: Some(2),
                ..rule(FaultKind::ServerError)
            }],
            ..Faults::default()
        });
        let now = Instant::now();
        let fired: Vec<bool> = (0..8)
            .map(|_| state.decide("POST", "/v1/x", now).before.is_some())
            .collect();
        assert_eq!(
            fired,
            [false, true, false, true, false, false, false, false]
        );
    }

    #[test]
    fn shares_repeat_with_the_same_seed() {
        let config = Faults {
            random_seed: Some(42),
            rules: vec![FaultRule {
                share: Some(0.5),
                ..rule(FaultKind::RateLimit)
            }],
            ..Faults::default()
        };
        let now = Instant::now();
        let run = |config: &Faults| {
            let mut state = FaultState::new(config.clone());
            (0..50)
                .map(|_| state.decide("GET", "/v1/x", now).before.is_some())
                .collect::<Vec<_>>()
        };
        let a = run(&config);
        assert_eq!(a, run(&config));
        let count = a.iter().filter(|f| **f).count();
        assert!((10..=40).contains(&count), "{count}");
    }

    #[test]
    fn scope_by_path_prefix_and_method() {
        let mut state = FaultState::new(Faults {
            rules: vec![FaultRule {
                path_prefix: Some("/v1/payment_intents".into()),
                method: Some("post".into()),
                ..rule(FaultKind::LockTimeout)
            }],
            ..Faults::default()
        });
        let now = Instant::now();
        assert!(
            state
                .decide("GET", "/v1/payment_intents", now)
                .before
                .is_none()
        );
        assert!(state.decide("POST", "/v1/prices", now).before.is_none());
        assert_eq!(
            state
                .decide("POST", "/v1/payment_intents/pi_1/confirm", now)
                .before,
            Some(FaultKind::LockTimeout)
        );
    }

    #[test]
    fn rate_limit_admits_n_per_second() {
        let mut state = FaultState::new(Faults {
            rate_limit_per_second: Some(3),
            ..Faults::default()
        });
        let t0 = Instant::now();
        let limited: Vec<bool> = (0..5)
            .map(|_| state.decide("GET", "/v1/x", t0).before.is_some())
            .collect();
        assert_eq!(limited, [false, false, false, true, true]);
        let later = t0 + Duration::from_millis(1001);
        assert!(state.decide("GET", "/v1/x", later).before.is_none());
    }

    #[test]
    fn nonsense_rules_are_refused() {
        let after_429 = Faults {
            rules: vec![FaultRule {
                when: When::After,
                ..rule(FaultKind::RateLimit)
            }],
            ..Faults::default()
        };
        assert!(after_429.check().is_err());
        let bad_share = Faults {
            rules: vec![FaultRule {
                share: Some(1.5),
                ..rule(FaultKind::ServerError)
            }],
            ..Faults::default()
        };
        assert!(bad_share.check().is_err());
        let latency_without_ms = Faults {
            rules: vec![rule(FaultKind::Latency)],
            ..Faults::default()
        };
        assert!(latency_without_ms.check().is_err());
    }
}
