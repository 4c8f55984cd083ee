//! Money as Stripe counts it: an integer amount in the currency's smallest unit.
//!
//! Formatting for people is not here: the browser formats through `Intl.NumberFormat`, which
//! knows every locale, so the widget ships no currency table of its own.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A three-letter ISO 4217 currency code, lower-case as Stripe sends it (`usd`, `jpy`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

/// Why a currency code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a currency code: use three ISO 4217 letters such as `usd` or `eur`")]
pub struct CurrencyError(pub String);

/// Currencies whose smallest unit is the whole unit: 500 JPY is `amount = 500`, not 50 000.
/// Source: <https://docs.stripe.com/currencies#zero-decimal> (crates/sandbox/FIDELITY.md
/// §Amounts and currencies).
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

impl Currency {
    /// Parses a code in either case; stores it lower-case.
    pub fn new(code: &str) -> Result<Self, CurrencyError> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Self(code.to_ascii_lowercase()))
        } else {
            Err(CurrencyError(code.to_owned()))
        }
    }

    /// The lower-case code, as Stripe's API wants it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Upper-case, as `Intl.NumberFormat` and people want it.
    pub fn iso_code(&self) -> String {
        self.0.to_ascii_uppercase()
    }

    /// Whether one unit of the amount is one whole unit of the currency.
    pub fn is_zero_decimal(&self) -> bool {
        ZERO_DECIMAL.contains(&self.0.as_str())
    }

    /// How many digits follow the decimal point when the amount is shown.
    pub fn minor_digits(&self) -> u32 {
        if self.is_zero_decimal() { 0 } else { 2 }
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::new(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount of one currency in its smallest unit (cents for `usd`, yen for `jpy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount in the currency's smallest unit.
    pub amount: i64,
    /// The currency the amount is in.
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// The amount in major units, for `Intl.NumberFormat` (which takes a float): `1250 usd`
    /// becomes `12.5`, `500 jpy` stays `500`. Exact for every amount Stripe accepts (eight
    /// digits), which is far inside `f64`'s 53-bit mantissa.
    pub fn major_units(&self) -> f64 {
        let divisor = 10_i64.pow(self.currency.minor_digits());
        self.amount as f64 / divisor as f64
    }

    /// `self × quantity`, or `None` on overflow.
    pub fn checked_mul(&self, quantity: i64) -> Option<Self> {
        Some(Self::new(
            self.amount.checked_mul(quantity)?,
            self.currency.clone(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_stored_lower_case_and_shown_upper_case() {
        let currency = Currency::new("EUR").unwrap();
        assert_eq!(currency.as_str(), "eur");
        assert_eq!(currency.iso_code(), "EUR");
    }

    #[test]
    fn currency_refuses_what_is_not_three_letters() {
        for bad in ["", "us", "usdd", "u$d", "12a"] {
            assert!(Currency::new(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn yen_has_no_minor_unit_and_dollars_have_cents() {
        let jpy = Money::new(500, Currency::new("jpy").unwrap());
        let usd = Money::new(1250, Currency::new("usd").unwrap());
        assert_eq!(jpy.major_units(), 500.0);
        assert_eq!(usd.major_units(), 12.5);
    }

    #[test]
    fn multiplying_past_i64_is_refused_not_wrapped() {
        let usd = Money::new(i64::MAX / 2 + 1, Currency::new("usd").unwrap());
        assert_eq!(usd.checked_mul(2), None);
    }

    #[test]
    fn money_round_trips_through_json_as_stripe_spells_it() {
        let money = Money::new(1250, Currency::new("usd").unwrap());
        let json = serde_json::to_string(&money).unwrap();
        assert_eq!(json, r#"{"amount":1250,"currency":"usd"}"#);
        let bad: Result<Money, _> = serde_json::from_str(r#"{"amount":1,"currency":"dollars"}"#);
        assert!(bad.is_err());
    }
}
