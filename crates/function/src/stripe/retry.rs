//! When and how long to wait before trying a Stripe call again.
//!
//! The rules follow Stripe's own SDKs (crates/sandbox/FIDELITY.md §Retries) with one deliberate
//! difference: a 429 is retried too, because a checkout that waits a second beats one that fails,
//! and every POST we send carries an Idempotency-Key, so a retry can never charge twice.

use std::time::Duration;

use connect_checkout_core::retry::{BACKOFF, Backoff, TRIES};

/// How hard to try: by default the budget and waits the widget shares (core's `retry`); tests
/// shorten the waits.
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
            max_retries: TRIES - 1,
            initial_delay: Duration::from_millis(BACKOFF.first_ms.into()),
            max_delay: Duration::from_millis(BACKOFF.max_ms.into()),
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
    /// The wait before retry number `retry` (1-based), by core's formula, keeping
    /// `kept_permille` thousandths of it (the jitter, 500 to 1000).
    pub fn delay(&self, retry: u32, kept_permille: u32) -> Duration {
        let millis = |duration: Duration| u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
        let backoff = Backoff {
            first_ms: millis(self.initial_delay),
            max_ms: millis(self.max_delay),
        };
        Duration::from_millis(backoff.delay_ms(retry, None, kept_permille).into())
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
    fn delays_are_cores_backoff_in_durations() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, 1_000), Duration::from_millis(500));
        assert_eq!(policy.delay(2, 1_000), Duration::from_secs(1));
        assert_eq!(policy.delay(10, 1_000), Duration::from_secs(4));
        assert_eq!(policy.delay(2, 500), Duration::from_millis(500));
    }
}
