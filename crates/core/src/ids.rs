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
fn shorten(value: &str) -> String {
    match value.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
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
    /// A Stripe Token: a card (`tok_…`), bank account (`btok_…`) or personal details (`pii_…`).
    TokenId,
    ["tok_", "btok_", "pii_"],
    "a token id",
    "use the token Stripe.js made, which starts with `tok_`, `btok_` or `pii_`"
);

/// One press of Pay, made by the browser and kept across retries: the function turns it into
/// the Idempotency-Key of the PaymentIntent, so the same attempt never charges twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AttemptId(String);

impl AttemptId {
    pub const MIN_LEN: usize = 16;
    pub const MAX_LEN: usize = 64;

    pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
        let value = value.into();
        let well_formed = (Self::MIN_LEN..=Self::MAX_LEN).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if well_formed {
            Ok(Self(value))
        } else {
            Err(IdError {
                value: shorten(&value),
                what: "a checkout attempt id",
                hint: "send 16 to 64 letters, digits, `-` or `_`, such as a UUID made once per cart",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
    fn attempt_ids_are_uuid_sized() {
        assert!(AttemptId::new("4f1c2a7e-9b1d-4c55-8e3a-0d2b9c7f1e64").is_ok());
        assert!(AttemptId::new("short").is_err());
        assert!(AttemptId::new("has spaces in it, which is wrong").is_err());
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
