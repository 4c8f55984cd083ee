//! The sandbox's notion of now. Wall-clock time plus an offset, so that tests (through
//! `POST /_sandbox/clock`) can move time forward to expire account links and rolled keys and
//! to make pending funds available.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub(crate) struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Unix seconds.
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        wall.saturating_add(self.offset.load(Ordering::Relaxed))
    }

    /// Moves the sandbox's time forward (or back) by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }

    /// Back to wall-clock time.
    pub fn reset(&self) {
        self.offset.store(0, Ordering::Relaxed);
    }
}

/// The (year, month) of a Unix time in UTC.
pub(crate) fn year_month(unix: i64) -> (i64, u32) {
    let (y, m, _) = date(unix);
    (y, m)
}

/// The (year, month, day) of a Unix time in UTC; Howard Hinnant's `civil_from_days`.
pub(crate) fn date(unix: i64) -> (i64, u32, u32) {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let day = doy - (153 * mp + 2) / 5 + 1;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_month_of_known_dates() {
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(951_782_400), (2000, 2)); // 2000-02-29
        assert_eq!(year_month(1_767_225_600), (2026, 1)); // 2026-01-01
        assert_eq!(year_month(1_767_225_599), (2025, 12));
    }
}
