//! The one retry rule of the checkout: how long to wait before trying again, and who tries
//! again, for the widget (calling the function) and the function (calling Stripe).
//!
//! One call has one budget, [`TRIES`] tries counting the first, whoever makes them. A failing
//! Stripe call is retried by the function, which spends the budget and then says so on its
//! error answer ([`RETRIES_SPENT_HEADER`]); the widget then reports it instead of asking again.
//! The widget spends the budget only on what nobody retried: a 429 from the function's own rate
//! limiter (nothing reached Stripe) and a 503 without that header (a proxy's or a load
//! balancer's). Without one budget, a Stripe outage cost `TRIES × TRIES` Stripe calls a press.
//!
//! Retrying is safe for payments: the widget repeats the checkout's attempt id and the function
//! repeats its Idempotency-Key, so a repeated request finds the same PaymentIntent.
//!
//! Milliseconds in `u32` and a jitter in thousandths: no floats, so the formula is the same
//! integer arithmetic in the wasm and natively.

/// Tries of one call, counting the first, whoever makes them.
pub const TRIES: u32 = 4;

/// The waits between those tries, in the widget and in the function.
pub const BACKOFF: Backoff = Backoff {
    first_ms: 500,
    max_ms: 4_000,
};

/// The header on the function's error answer that says the function already retried the
/// Stripe call behind it as far as it was worth it: the caller reports the error instead of
/// asking again. Its value is `true`; only its presence counts.
pub const RETRIES_SPENT_HEADER: &str = "retries-spent";

/// A jitter that keeps the whole wait (for a schedule no crowd shares).
pub const NO_JITTER: u32 = 1_000;

/// A wait that doubles from `first_ms` up to `max_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the first retry, in milliseconds.
    pub first_ms: u32,
    /// The longest wait, a longer `Retry-After` included.
    pub max_ms: u32,
}

impl Backoff {
    /// The wait before retry number `retry` (1-based): `first_ms × 2^(retry − 1)`, or the
    /// answer's `Retry-After` (seconds) when that is longer, at most `max_ms`; then only
    /// `kept_permille` thousandths of it (clamped to 500..=1000), a random share from the
    /// caller, so that many clients that failed together do not retry together.
    pub const fn delay_ms(self, retry: u32, retry_after_s: Option<u32>, kept_permille: u32) -> u32 {
        let doublings = retry.saturating_sub(1);
        // At most 2^16: the shift stays far below 32, the product saturates.
        let factor = 1_u32 << if doublings < 16 { doublings } else { 16 };
        let grown = self.first_ms.saturating_mul(factor);
        let asked = match retry_after_s {
            Some(seconds) => seconds.saturating_mul(1_000),
            None => 0,
        };
        let wanted = if asked > grown { asked } else { grown };
        let capped = if wanted < self.max_ms {
            wanted
        } else {
            self.max_ms
        };
        let kept = if kept_permille < 500 {
            500
        } else if kept_permille > 1_000 {
            1_000
        } else {
            kept_permille
        };
        // At most `capped`, so it fits in a u32 again.
        (capped as u64 * kept as u64 / 1_000) as u32
    }
}

/// Whether the widget asks the function again after an error answer with `status`: a 429
/// (the function's own rate limiter: nothing reached Stripe) or a 503, unless the answer
/// carries [`RETRIES_SPENT_HEADER`] (the function already retried Stripe). Within [`TRIES`].
pub const fn widget_retries(status: u16, retries_spent: bool) -> bool {
    !retries_spent && matches!(status, 429 | 503)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_then_cap() {
        let waits: Vec<u32> = (1..=6)
            .map(|n| BACKOFF.delay_ms(n, None, NO_JITTER))
            .collect();
        assert_eq!(waits, [500, 1_000, 2_000, 4_000, 4_000, 4_000]);
        assert_eq!(BACKOFF.delay_ms(u32::MAX, None, NO_JITTER), 4_000);
        assert_eq!(
            BACKOFF.delay_ms(0, None, NO_JITTER),
            500,
            "retry 0 is the first"
        );
    }

    #[test]
    fn a_longer_retry_after_is_honoured_within_the_cap() {
        assert_eq!(BACKOFF.delay_ms(1, Some(2), NO_JITTER), 2_000);
        assert_eq!(BACKOFF.delay_ms(1, Some(60), NO_JITTER), 4_000);
        assert_eq!(
            BACKOFF.delay_ms(3, Some(1), NO_JITTER),
            2_000,
            "a shorter one is not"
        );
        assert_eq!(BACKOFF.delay_ms(1, Some(u32::MAX), NO_JITTER), 4_000);
    }

    #[test]
    fn jitter_only_shortens_and_by_at_most_half() {
        assert_eq!(BACKOFF.delay_ms(2, None, 500), 500);
        assert_eq!(BACKOFF.delay_ms(2, None, 750), 750);
        assert_eq!(BACKOFF.delay_ms(2, None, 0), 500, "floored at one half");
        assert_eq!(
            BACKOFF.delay_ms(2, None, u32::MAX),
            1_000,
            "never lengthens"
        );
    }

    #[test]
    fn a_huge_cap_does_not_overflow() {
        let wide = Backoff {
            first_ms: u32::MAX,
            max_ms: u32::MAX,
        };
        assert_eq!(wide.delay_ms(20, None, NO_JITTER), u32::MAX);
        assert_eq!(wide.delay_ms(20, None, 500), u32::MAX / 2);
    }

    #[test]
    fn the_widget_retries_only_what_the_function_did_not() {
        assert!(widget_retries(429, false), "our own rate limiter");
        assert!(widget_retries(503, false), "a proxy's 503");
        assert!(!widget_retries(503, true), "the function spent the retries");
        assert!(
            !widget_retries(429, true),
            "Stripe's 429, retried by the function"
        );
        for status in [400, 402, 404, 409, 500, 502, 504] {
            assert!(!widget_retries(status, false), "{status}");
        }
    }
}
