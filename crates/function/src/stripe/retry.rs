//! When and how long to wait before trying a Stripe call again.
//!
//! The rules follow Stripe's own SDKs (crates/sandbox/FIDELITY.md §Retries) with one deliberate
//! difference: a 429 is retried too, because a checkout that waits a second beats one that fails,
//! and every POST we send carries an Idempotency-Key, so a retry can never charge twice.

use std::time::Duration;

/// How hard to try.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Tries after the first.
    pub max_retries: u32,
    /// The first wait; each later one doubles, up to `max_delay`.
    pub initial_delay: Duration,
    pub max_delay: Duration,
    /// No try starts after this much time has passed since the first.
    pub budget: Duration,
    /// Each single try is abandoned after this long.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            budget: Duration::from_secs(20),
            attempt_timeout: Duration::from_secs(15),
        }
    }
}

/// What came back from one try, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The connection failed or timed out before an answer.
    NoAnswer,
    /// An HTTP answer, with Stripe's `Stripe-Should-Retry` hint if it sent one.
    Answer {
        status: u16,
        should_retry: Option<bool>,
    },
}

impl Outcome {
    /// Whether trying again could give a different answer.
    pub fn is_retryable(self) -> bool {
        match self {
            Self::NoAnswer => true,
            // Stripe's own hint overrides the status rules, both ways.
            Self::Answer {
                should_retry: Some(hint),
                ..
            } => hint,
            Self::Answer {
                status,
                should_retry: None,
            } => status == 409 || status == 429 || status >= 500,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): `initial × 2^(retry−1)`, capped, times a
    /// jitter factor in [0.5, 1] so that many clients do not retry in step.
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(16);
        let base = self
            .initial_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        base.mul_f64(jitter.clamp(0.5, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_hint_wins_over_the_status() {
        let no = Outcome::Answer {
            status: 503,
            should_retry: Some(false),
        };
        let yes = Outcome::Answer {
            status: 400,
            should_retry: Some(true),
        };
        assert!(!no.is_retryable());
        assert!(yes.is_retryable());
    }

    #[test]
    fn conflicts_rate_limits_server_errors_and_lost_connections_are_retried() {
        for status in [409, 429, 500, 502, 503] {
            assert!(
                Outcome::Answer {
                    status,
                    should_retry: None
                }
                .is_retryable(),
                "{status}"
            );
        }
        assert!(Outcome::NoAnswer.is_retryable());
    }

    #[test]
    fn client_errors_are_not_retried() {
        for status in [400, 401, 402, 403, 404] {
            assert!(
                !Outcome::Answer {
                    status,
                    should_retry: None
                }
                .is_retryable(),
                "{status}"
            );
        }
    }

    #[test]
    fn delays_double_then_cap_and_jitter_only_shortens() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, 1.0), Duration::from_millis(500));
        assert_eq!(policy.delay(2, 1.0), Duration::from_secs(1));
        assert_eq!(policy.delay(10, 1.0), Duration::from_secs(5));
        assert_eq!(policy.delay(2, 0.5), Duration::from_millis(500));
        assert_eq!(
            policy.delay(2, 0.0),
            Duration::from_millis(500),
            "jitter is floored at 0.5"
        );
    }
}
