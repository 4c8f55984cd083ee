//! The platform's fee on each payment: a percentage plus a fixed amount, in minor units.

use std::fmt;
use std::str::FromStr;

use crate::Money;

/// What the platform keeps of each payment, e.g. `2.9%+30` (2.9 % plus 30 minor units).
///
/// Rounding rule: the percentage part is rounded half up to a whole minor unit (0.5 cent
/// becomes 1 cent), then the fixed part is added, and the fee never exceeds the payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeePolicy {
    /// The percentage in basis points: 290 is 2.9 %.
    pub basis_points: u32,
    /// Added to every payment, in the payment currency's smallest unit.
    pub fixed: i64,
}

/// Why a fee policy did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a fee: write a percentage and/or a fixed amount in minor units, \
     such as `5%`, `2.9%+30` or `30` (percentages up to 100 with at most two decimals)"
)]
pub struct FeePolicyError(pub String);

impl FeePolicy {
    pub const NONE: Self = Self {
        basis_points: 0,
        fixed: 0,
    };

    /// The fee on `total`, in the same currency.
    pub fn fee_on(&self, total: &Money) -> Money {
        let amount = i128::from(total.amount.max(0));
        // Half up: add half the divisor before the integer division.
        let percentage = (amount * i128::from(self.basis_points) + 5_000) / 10_000;
        let fee = (percentage + i128::from(self.fixed)).clamp(0, amount);
        // `fee <= amount <= i64::MAX`, so the conversion cannot fail.
        Money::new(i64::try_from(fee).unwrap_or(0), total.currency.clone())
    }
}

impl FromStr for FeePolicy {
    type Err = FeePolicyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || FeePolicyError(text.to_owned());
        let mut policy = Self::NONE;
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(error());
        }
        for part in compact.split('+') {
            if let Some(percent) = part.strip_suffix('%') {
                policy.basis_points = parse_basis_points(percent).ok_or_else(error)?;
            } else {
                policy.fixed = part.parse::<u32>().map(i64::from).map_err(|_| error())?;
            }
        }
        Ok(policy)
    }
}

/// `"2.9"` → 290; at most two decimals, at most 100 %.
fn parse_basis_points(percent: &str) -> Option<u32> {
    let (whole, fraction) = percent.split_once('.').unwrap_or((percent, ""));
    if whole.is_empty() || fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    let basis_points = whole.checked_mul(100)?.checked_add(fraction)?;
    (basis_points <= 10_000).then_some(basis_points)
}

impl fmt::Display for FeePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.basis_points / 100;
        let fraction = self.basis_points % 100;
        write!(f, "{whole}.{fraction:02}%+{}", self.fixed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use proptest::prelude::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::new("usd").unwrap())
    }

    #[test]
    fn percentage_and_fixed_parts_both_count() {
        let policy: FeePolicy = "2.9% + 30".parse().unwrap();
        assert_eq!(
            policy,
            FeePolicy {
                basis_points: 290,
                fixed: 30
            }
        );
        // 2.9 % of $12.00 is 34.8 cents → 35, plus 30.
        assert_eq!(policy.fee_on(&usd(1200)).amount, 65);
    }

    #[test]
    fn half_a_minor_unit_rounds_up() {
        let policy: FeePolicy = "5%".parse().unwrap();
        assert_eq!(policy.fee_on(&usd(10)).amount, 1); // 0.5 → 1
        assert_eq!(policy.fee_on(&usd(9)).amount, 0); // 0.45 → 0
    }

    #[test]
    fn the_fee_never_exceeds_the_payment() {
        let policy: FeePolicy = "50%+100".parse().unwrap();
        assert_eq!(policy.fee_on(&usd(120)).amount, 120);
    }

    #[test]
    fn unparsable_fees_say_how_to_write_one() {
        for bad in ["", "%", "abc", "101%", "2.999%", "-5%", "5%+-3", "1e3"] {
            let error = bad.parse::<FeePolicy>().unwrap_err();
            assert!(error.to_string().contains("2.9%+30"), "{bad:?}: {error}");
        }
    }

    proptest! {
        #[test]
        fn fee_is_between_zero_and_the_total(bps in 0u32..=10_000, fixed in 0i64..100_000, total in 0i64..100_000_000) {
            let fee = FeePolicy { basis_points: bps, fixed }.fee_on(&usd(total));
            prop_assert!(fee.amount >= 0 && fee.amount <= total);
        }

        #[test]
        fn display_parses_back_to_the_same_policy(bps in 0u32..=10_000, fixed in 0u32..100_000) {
            let policy = FeePolicy { basis_points: bps, fixed: i64::from(fixed) };
            prop_assert_eq!(policy.to_string().parse::<FeePolicy>().unwrap(), policy);
        }

        #[test]
        fn parsing_never_panics(text in ".{0,20}") {
            let _ = text.parse::<FeePolicy>();
        }
    }
}
