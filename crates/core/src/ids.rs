//! Identifiers that cross the function's API, checked at the edge so a typo gets a message
//! that says what to fix instead of a confusing answer from Stripe.
//!
//! Every Stripe id here is a prefix and then only `[A-Za-z0-9_]`, at most
//! [`MAX_STRIPE_ID_LEN`] bytes: nothing that could mean something else in a URL path (`/`, `.`,
//! `%`, `?`, `#`). That is what lets the function's Stripe client put one in a path
//! ([`StripeId`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an identifier was refused. The message names the field and its expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {what}: {hint}")]
pub struct IdError {
    value: String,
    what: &'static str,
    hint: &'static str,
}

/// Stripe documents its ids as at most 255 characters; its own are far shorter.
pub const MAX_STRIPE_ID_LEN: usize = 255;

/// A Stripe object id that is safe as one segment of an API path: the only values the
/// function's Stripe client accepts there. Implemented by the checked ids of this module only.
pub trait StripeId: sealed::Sealed + fmt::Display {
    fn as_path_segment(&self) -> &str;
}

mod sealed {
    pub trait Sealed {}
}

/// Ids are one of the prefixes plus letters, digits and underscores.
fn check_prefixed(
    value: &str,
    prefixes: &[&str],
    what: &'static str,
    hint: &'static str,
) -> Result<(), IdError> {
    let rest = prefixes
        .iter()
        .find_map(|prefix| value.strip_prefix(prefix))
        .unwrap_or("");
    let well_formed = !rest.is_empty()
        && value.len() <= MAX_STRIPE_ID_LEN
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if well_formed {
        Ok(())
    } else {
        Err(IdError {
            value: shorten(value),
            what,
            hint,
        })
    }
}

/// Echoing a 1 MB string back in an error helps no one.
/// By characters, not a byte slice: the slice's panic for a cut inside a character linked
/// `char`'s `Debug` and its Unicode tables into the widget.
fn shorten(value: &str) -> String {
    let mut chars = value.chars();
    let mut short: String = chars.by_ref().take(64).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, [$($prefix:literal),+], $what:literal, $hint:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                check_prefixed(&value, &[$($prefix),+], $what, $hint)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl sealed::Sealed for $name {}

        impl StripeId for $name {
            fn as_path_segment(&self) -> &str {
                &self.0
            }
        }
    };
}

prefixed_id!(
    /// A Stripe connected account: the seller (`acct_…`).
    AccountId,
    ["acct_"],
    "a seller account id",
    "use the seller's Stripe account id, which starts with `acct_`"
);

prefixed_id!(
    /// A Stripe Price the seller sells (`price_…`).
    PriceId,
    ["price_"],
    "a price id",
    "use a price id from the seller's product list; they start with `price_`"
);

prefixed_id!(
    /// A Stripe PaymentIntent (`pi_…`): a seller's payment, e.g. the one a refund is for.
    PaymentIntentId,
    ["pi_"],
    "a payment id",
    "use the id of one of your payments, which starts with `pi_`"
);

prefixed_id!(
    /// A Stripe Refund (`re_…`).
    RefundId,
    ["re_"],
    "a refund id",
    "use a refund id, which starts with `re_`"
);

prefixed_id!(
    /// A Stripe Charge (`ch_…` or, for some payment methods, `py_…`).
    ChargeId,
    ["ch_", "py_"],
    "a charge id",
    "use a charge id, which starts with `ch_` or `py_`"
);

prefixed_id!(
    /// A Stripe Transfer (`tr_…`): a seller's part of a marketplace order, whose reversals
    /// give back what a refund took from the platform.
    TransferId,
    ["tr_"],
    "a transfer id",
    "use a transfer id, which starts with `tr_`"
);

prefixed_id!(
    /// A Stripe Token: a card (`tok_…`), bank account (`btok_…`) or personal details (`pii_…`).
    TokenId,
    ["tok_", "btok_", "pii_"],
    "a token id",
    "use the token Stripe.js made, which starts with `tok_`, `btok_` or `pii_`"
);

/// One press of Pay (or of Refund, or of Create account), made by the browser and kept across
/// retries: the function turns it into the operation's Idempotency-Key, so the same attempt
/// never charges twice. A replay of an attempt returns what the first one got (a client
/// secret, a seller session), so an attempt id is a bearer token and must be unguessable:
/// at least [`AttemptId::MIN_BITS`] random bits.
///
/// Randomness cannot be proven from one value; what is checked is the size (bits per symbol of
/// the smallest alphabet it is written in, times its length) and the absence of obvious
/// patterns (few distinct symbols, long runs, mostly consecutive symbols, a repeated block).
/// Each pattern check is set so that a truly random id trips it with a chance below 10⁻¹¹.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AttemptId(String);

/// Why an attempt id was refused, for the message.
const ATTEMPT_HINT: &str = "send at least 128 random bits made once per cart: 32 hex digits \
    (16 bytes of crypto.getRandomValues) or 22 base64url characters";

impl AttemptId {
    /// 22 base64url characters carry 132 bits; 32 hex digits 128.
    pub const MIN_LEN: usize = 22;
    pub const MAX_LEN: usize = 64;
    pub const MIN_BITS: u32 = 128;

    pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
        let value = value.into();
        let well_formed = (Self::MIN_LEN..=Self::MAX_LEN).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(IdError {
                value: shorten(&value),
                what: "a checkout attempt id",
                hint: "send 22 to 64 letters, digits, `-` or `_` carrying at least 128 random \
                       bits: 32 hex digits (16 bytes of crypto.getRandomValues) made once per cart",
            });
        }
        if !looks_random(&value) {
            return Err(IdError {
                value: shorten(&value),
                what: "an unguessable attempt id",
                hint: ATTEMPT_HINT,
            });
        }
        Ok(Self(value))
    }

    /// 16 random bytes (from a CSPRNG such as `crypto.getRandomValues`) as 32 hex digits:
    /// 128 bits by construction, so the checks for an id from elsewhere are not needed. The
    /// widget makes its ids this way, and `new`'s checks then stay out of its wasm.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let hex = bytes
            .iter()
            .flat_map(|byte| [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]])
            .map(char::from)
            .collect();
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// log2(`n`) in thousandths, by integer arithmetic: `f64::log2` would link libm's logarithm
/// into the widget's wasm, which checks attempt ids too. Floor, then ten binary digits of
/// the fraction by repeated squaring of the mantissa (32.32 fixed point).
fn log2_milli(n: u32) -> u64 {
    let Some(whole) = n.checked_ilog2() else {
        return 0;
    };
    let one = 1u128 << 32;
    let mut mantissa = (u128::from(n) << 32) >> whole;
    let mut fraction = 0u64;
    for bit in (0..10).rev() {
        mantissa = (mantissa * mantissa) >> 32;
        if mantissa >= 2 * one {
            mantissa >>= 1;
            fraction |= 1 << bit;
        }
    }
    u64::from(whole) * 1000 + fraction * 1000 / 1024
}

/// Whether `value` (already known to be `[A-Za-z0-9_-]`) has at least
/// [`AttemptId::MIN_BITS`] bits by its alphabet and length and none of the patterns a person or
/// a counter makes.
fn looks_random(value: &str) -> bool {
    // A UUID's dashes (and any separators between hex groups) carry no randomness.
    let hex_digits: Vec<u8> = value.bytes().filter(|b| *b != b'-').collect();
    // 32 digits are 16 random bytes in hex (the widget's ids, a UUID's) that happen to hold no
    // letter, as one in 3.5 million do: counted as decimal they would fall short of 128 bits
    // and a shopper's cart would be refused (`cargo xtask bench` met one in its 200,000 ids).
    let decimal = hex_digits.len() != 32 && hex_digits.iter().all(u8::is_ascii_digit);
    let (symbols, alphabet): (Vec<u8>, u32) = if decimal {
        (hex_digits, 10)
    } else if hex_digits.iter().all(u8::is_ascii_hexdigit) {
        let lower = hex_digits.iter().map(u8::to_ascii_lowercase).collect();
        (lower, 16)
    } else {
        // The smallest alphabet that writes it: an id of lowercase letters, digits and dashes
        // (a label a person chose) counts 37 symbols, not base64url's 64.
        let bytes = value.as_bytes();
        let has = |class: fn(&u8) -> bool| bytes.iter().any(class);
        let alphabet = 10 * u32::from(has(u8::is_ascii_digit))
            + 26 * u32::from(has(u8::is_ascii_lowercase))
            + 26 * u32::from(has(u8::is_ascii_uppercase))
            + u32::from(has(|b| *b == b'-'))
            + u32::from(has(|b| *b == b'_'));
        (bytes.to_vec(), alphabet)
    };
    let milli_bits = symbols.len() as u64 * log2_milli(alphabet);
    if milli_bits < u64::from(AttemptId::MIN_BITS) * 1000 {
        return false;
    }
    let mut distinct = [false; 256];
    for &symbol in &symbols {
        distinct[usize::from(symbol)] = true;
    }
    if distinct.iter().filter(|seen| **seen).count() < 6 {
        return false;
    }
    let mut longest_run = 1;
    let mut run = 1;
    let mut consecutive = 0;
    for pair in symbols.windows(2) {
        if pair[0] == pair[1] {
            run += 1;
            longest_run = longest_run.max(run);
        } else {
            run = 1;
        }
        if rank(pair[0]).abs_diff(rank(pair[1])) <= 1 {
            consecutive += 1;
        }
    }
    let pairs = symbols.len() - 1;
    if longest_run >= 10 || consecutive * 4 >= pairs * 3 {
        return false;
    }
    let repeats_a_block = (1..=symbols.len() / 2)
        .any(|period| symbols[period..] == symbols[..symbols.len() - period]);
    !repeats_a_block
}

/// A symbol's place in `0-9`, `a-z`, `A-Z`, so that `0123…` and `abcd…` are consecutive.
fn rank(symbol: u8) -> u8 {
    match symbol {
        b'0'..=b'9' => symbol - b'0',
        b'a'..=b'z' => symbol - b'a' + 10,
        b'A'..=b'Z' => symbol - b'A' + 36,
        // `-` and `_` sit apart from everything.
        _ => 100 + symbol,
    }
}

impl TryFrom<String> for AttemptId {
    type Error = IdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<AttemptId> for String {
    fn from(id: AttemptId) -> Self {
        id.0
    }
}

impl fmt::Display for AttemptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_refused_id_is_echoed_in_its_first_64_characters_even_when_they_are_not_ascii() {
        let long = format!("acct_{}", "é".repeat(300));
        let message = AccountId::new(long.as_str()).unwrap_err().to_string();
        let echoed = format!("`acct_{}…`", "é".repeat(59));
        assert!(message.starts_with(&echoed), "{message}");

        let short = AccountId::new("acct_é").unwrap_err().to_string();
        assert!(short.starts_with("`acct_é` is not"), "{short}");
    }

    #[test]
    fn an_id_from_random_bytes_is_one_the_function_accepts() {
        let bytes = [
            0x4f, 0x1c, 0x2a, 0x7e, 0x9b, 0x1d, 0x4c, 0x55, 0x8e, 0x3a, 0x0d, 0x2b, 0x9c, 0x7f,
            0x1e, 0x64,
        ];
        let id = AttemptId::from_random(bytes);
        assert_eq!(id.as_str(), "4f1c2a7e9b1d4c558e3a0d2b9c7f1e64");
        assert_eq!(AttemptId::new(id.as_str()).unwrap(), id);
    }

    #[test]
    fn log2_in_thousandths_is_within_a_thousandth_of_a_bit() {
        for n in [1u32, 2, 10, 16, 36, 37, 62, 64, 1000] {
            let exact = (f64::from(n).log2() * 1000.0).floor();
            let ours = log2_milli(n) as f64;
            assert!((exact - ours).abs() <= 1.0, "log2({n}): {ours} vs {exact}");
        }
        assert_eq!(log2_milli(0), 0);
    }

    #[test]
    fn account_ids_need_their_prefix() {
        assert!(AccountId::new("acct_1SandboxSeller01").is_ok());
        let error = AccountId::new("cus_123").unwrap_err();
        assert!(error.to_string().contains("starts with `acct_`"), "{error}");
        assert!(AccountId::new("acct_").is_err());
        assert!(AccountId::new("acct_../../v1/balance").is_err());
    }

    #[test]
    fn a_payment_intent_id_cannot_walk_out_of_its_path_segment() {
        assert!(PaymentIntentId::new("pi_3SandboxPayment0001").is_ok());
        for hostile in [
            "pi_x/../../v1/balance",
            "pi_x%2F..%2Fbalance",
            "pi_x?expand[]=customer",
            "pi_x#",
            "pi_x.y",
            "pi_",
            "ch_123",
        ] {
            let error = PaymentIntentId::new(hostile).unwrap_err();
            assert!(error.to_string().contains("starts with `pi_`"), "{error}");
        }
        assert!(PaymentIntentId::new(format!("pi_{}", "a".repeat(MAX_STRIPE_ID_LEN))).is_err());
    }

    #[test]
    fn ids_with_several_prefixes_take_each() {
        assert!(TokenId::new("btok_1Bank").is_ok());
        assert!(TokenId::new("pii_1Person").is_ok());
        assert!(TokenId::new("tok_1Card").is_ok());
        assert!(TokenId::new("pi_1Payment").is_err());
        assert!(ChargeId::new("py_1Payment").is_ok());
        assert!(RefundId::new("re_1Refund").is_ok());
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let error = PriceId::new("x".repeat(10_000)).unwrap_err().to_string();
        assert!(error.len() < 300, "{} bytes", error.len());
    }

    #[test]
    fn attempt_ids_carry_at_least_128_bits() {
        assert!(AttemptId::new("9f86d081884c7d659a2feaa0c55ad015").is_ok());
        // Older widgets send UUIDs: 32 hex digits, still accepted.
        assert!(AttemptId::new("4f1c2a7e-9b1d-4c55-8e3a-0d2b9c7f1e64").is_ok());
        assert!(AttemptId::new("Xq3_vT9-kLm2Pz8RwY4nBc").is_ok());
        assert!(AttemptId::new("short").is_err());
        assert!(AttemptId::new("has spaces in it, which is wrong").is_err());
        // 31 hex digits are 124 bits; 21 base64url characters 126.
        assert!(AttemptId::new("9f86d081884c7d659a2feaa0c55ad01").is_err());
        assert!(AttemptId::new("Xq3_vT9-kLm2Pz8RwY4nB").is_err());
        // 16 random bytes whose hex holds no letter (one in 3.5 million): still 32 hex digits.
        assert!(AttemptId::new("48864509743636976278188422783992").is_ok());
    }

    #[test]
    fn low_entropy_attempt_ids_are_refused_saying_what_to_send() {
        for guessable in [
            "0000000000000001",
            "00000000000000000000000000000001",
            "0123456789abcdef0123456789abcdef",
            "fedcba9876543210fedcba9876543210",
            "abcdefghijklmnopqrstuvwxyz",
            "deadbeefdeadbeefdeadbeefdeadbeef",
            "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "7c1d0e5a9b3f0000000000c68e0a1d2b3c4f",
            // A label: 22 characters of lowercase, digits and dashes carry 115 bits at most.
            "attempt-bad-input-0001",
            "12345678901234567890123456789012",
            // Decimal digits of another length are counted as decimal: 38 carry 126 bits.
            "31415926535897932384626433832795028841",
        ] {
            let error = AttemptId::new(guessable).unwrap_err().to_string();
            assert!(error.contains("128 random bits"), "{guessable}: {error}");
        }
    }

    proptest! {
        #[test]
        fn random_attempt_ids_are_accepted(bytes in proptest::array::uniform16(any::<u8>())) {
            let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
            prop_assert!(AttemptId::new(hex).is_ok());
        }
    }

    proptest! {
        #[test]
        fn an_accepted_id_is_safe_in_a_url_path(value in "(acct_|pi_|re_)?.{0,80}") {
            let safe = |segment: &str| {
                segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            };
            if let Ok(id) = AccountId::new(value.clone()) {
                prop_assert!(safe(id.as_path_segment()));
            }
            if let Ok(id) = PaymentIntentId::new(value.clone()) {
                prop_assert!(safe(id.as_path_segment()));
            }
            if let Ok(id) = RefundId::new(value) {
                prop_assert!(safe(id.as_path_segment()));
            }
        }
    }
}
