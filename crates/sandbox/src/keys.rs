//! API keys: which kind a key is, whether it still works, what a restricted key may do, and
//! how a key is shown in errors and logs. A whole secret key is never printed: errors mask it
//! (FIDELITY.md §Authentication errors) and logs and the binary's banner show a fingerprint.
//!
//! The admin API rolls keys (the old one works until a chosen time, then answers 401
//! `api_key_expired`), revokes them (401 "Invalid API Key") and makes restricted keys
//! (`rk_test_…`) with read or write access per resource (FIDELITY.md §Restricted and rolled keys).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// `sk_test_…`: the whole API.
    Secret,
    /// `pk_test_…`: only what Stripe.js may call (FIDELITY.md §Publishable keys).
    Publishable,
    /// `rk_test_…`: what its permissions allow.
    Restricted,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Secret => "secret",
            Self::Publishable => "publishable",
            Self::Restricted => "restricted",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Secret => "sk",
            Self::Publishable => "pk",
            Self::Restricted => "rk",
        }
    }
}

/// A restricted key's access to one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Level {
    None,
    Read,
    Write,
}

/// The resources a restricted key's permissions name, and Stripe's name for their permission
/// in a 403 (`rak_<name>_read|write`; `accounts` reads as the observed
/// `rak_accounts_kyc_basic_read`).
pub(crate) const RESOURCES: &[(&str, &str)] = &[
    ("account_links", "account_link"),
    ("accounts", "account"),
    ("application_fees", "application_fee"),
    ("balance", "balance"),
    ("charges", "charge"),
    ("events", "event"),
    ("payment_intents", "payment_intent"),
    ("payment_methods", "payment_method"),
    ("prices", "price"),
    ("products", "product"),
    ("refunds", "refund"),
    ("tokens", "token"),
    ("transfers", "transfer"),
    ("webhook_endpoints", "webhook"),
];

/// The resource and access a `/v1` call needs: the first path segment names the resource
/// (`/v1/account` and `/v1/accounts/{id}/…` are accounts); GET reads, POST and DELETE write.
pub(crate) fn needed(method: &str, path: &str) -> Option<(&'static str, Level)> {
    let first = path.strip_prefix("/v1/")?.split('/').next()?;
    // Balance transactions are read with the Balance permission.
    let first = match first {
        "account" => "accounts",
        "balance_transactions" => "balance",
        other => other,
    };
    let resource = RESOURCES.iter().find(|(name, _)| *name == first)?.0;
    let level = if method.eq_ignore_ascii_case("GET") {
        Level::Read
    } else {
        Level::Write
    };
    Some((resource, level))
}

/// Stripe's name of the permission that would allow `resource` at `level`.
pub(crate) fn permission_name(resource: &str, level: Level) -> String {
    let singular = RESOURCES
        .iter()
        .find(|(name, _)| *name == resource)
        .map_or(resource, |(_, s)| *s);
    match (singular, level) {
        ("account", Level::Read) => "rak_accounts_kyc_basic_read".to_owned(),
        (s, Level::Write) => format!("rak_{s}_write"),
        (s, _) => format!("rak_{s}_read"),
    }
}

/// One key the platform holds.
#[derive(Clone, Debug)]
pub(crate) struct ApiKey {
    pub value: String,
    pub kind: KeyKind,
    /// Unix seconds after which the key answers 401 `api_key_expired`.
    pub expires_at: Option<i64>,
    /// A restricted key's access per resource (absent resources: none).
    pub permissions: BTreeMap<String, Level>,
    pub name: Option<String>,
}

/// What a presented key turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyStatus {
    Active(KeyKind),
    Expired,
    Unknown,
}

/// The platform's keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct Keyring {
    keys: Vec<ApiKey>,
}

impl Keyring {
    pub fn new(secret: &str, publishable: &str) -> Self {
        let key = |value: &str, kind| ApiKey {
            value: value.to_owned(),
            kind,
            expires_at: None,
            permissions: BTreeMap::new(),
            name: None,
        };
        Self {
            keys: vec![
                key(secret, KeyKind::Secret),
                key(publishable, KeyKind::Publishable),
            ],
        }
    }

    pub fn status(&self, presented: &str, now: i64) -> KeyStatus {
        match self.get(presented) {
            None => KeyStatus::Unknown,
            Some(k) if k.expires_at.is_some_and(|at| at <= now) => KeyStatus::Expired,
            Some(k) => KeyStatus::Active(k.kind),
        }
    }

    pub fn get(&self, presented: &str) -> Option<&ApiKey> {
        self.keys.iter().find(|k| k.value == presented)
    }

    pub fn all(&self) -> &[ApiKey] {
        &self.keys
    }

    /// The newest key of `kind` that never expires (the one to hand out).
    pub fn current(&self, kind: KeyKind) -> Option<&ApiKey> {
        self.keys
            .iter()
            .rev()
            .find(|k| k.kind == kind && k.expires_at.is_none())
    }

    /// Makes a new key of `kind` with `random` as its tail and adds it.
    pub fn add(
        &mut self,
        kind: KeyKind,
        random: &str,
        permissions: BTreeMap<String, Level>,
        name: Option<String>,
    ) -> ApiKey {
        let key = ApiKey {
            value: format!("{}_test_51Sandbox{random}", kind.prefix()),
            kind,
            expires_at: None,
            permissions,
            name,
        };
        self.keys.push(key.clone());
        key
    }

    /// Replaces `old` with a new key of its kind; `old` keeps working until `expires_at`.
    /// `None` when `old` is not one of the keys.
    pub fn roll(&mut self, old: &str, random: &str, expires_at: i64) -> Option<ApiKey> {
        let previous = self.keys.iter_mut().find(|k| k.value == old)?;
        previous.expires_at = Some(
            previous
                .expires_at
                .map_or(expires_at, |at| at.min(expires_at)),
        );
        let (kind, permissions, name) = (
            previous.kind,
            previous.permissions.clone(),
            previous.name.clone(),
        );
        Some(self.add(kind, random, permissions, name))
    }

    /// Forgets `key`: from now on it is an invalid key. Whether it was there.
    pub fn revoke(&mut self, key: &str) -> bool {
        let before = self.keys.len();
        self.keys.retain(|k| k.value != key);
        self.keys.len() != before
    }
}

/// The prefixes Stripe gives keys (FIDELITY.md §Keys), built rather than spelled out so that no
/// live-key literal sits in the source.
fn known_prefix(key: &str) -> Option<usize> {
    ["sk", "pk", "rk"]
        .iter()
        .flat_map(|kind| ["test", "live"].map(|mode| format!("{kind}_{mode}_")))
        .find(|prefix| key.starts_with(prefix.as_str()))
        .map(|prefix| prefix.len())
}

/// `sk_test_**********************Aso0`: the prefix, then stars, then the last `visible`
/// characters, as Stripe's 401 messages show a key. A key too short to hide anything is all
/// stars; absurdly long input is cut so an error never echoes megabytes.
pub(crate) fn mask(key: &str, visible: usize) -> String {
    let prefix_len = known_prefix(key).unwrap_or(0);
    let (prefix, rest) = key.split_at(prefix_len);
    let chars: Vec<char> = rest.chars().collect();
    let stars = |n: usize| "*".repeat(n.min(64));
    if chars.len() <= visible {
        return format!("{prefix}{}", stars(chars.len()));
    }
    let tail: String = chars[chars.len() - visible..].iter().collect();
    format!("{prefix}{}{tail}", stars(chars.len() - visible))
}

/// `sk_test_…0000`: enough to tell keys apart in a log or a banner, useless to an attacker.
pub fn key_fingerprint(key: &str) -> String {
    let prefix_len = known_prefix(key).unwrap_or(0);
    let chars: Vec<char> = key[prefix_len..].chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("{}…{tail}", &key[..prefix_len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_prefix_and_tail_only() {
        assert_eq!(mask("sk_test_abcdefgh1234", 4), "sk_test_********1234");
        assert_eq!(mask("rk_test_abcdefgh123456", 6), "rk_test_********123456");
        assert_eq!(mask("garbage", 4), "***bage");
        assert_eq!(mask("abc", 4), "***");
        assert!(mask(&"x".repeat(10_000), 4).len() < 100);
    }

    #[test]
    fn fingerprint_shows_prefix_and_last_four() {
        assert_eq!(key_fingerprint("sk_test_51Sandbox0000"), "sk_test_…0000");
        assert_eq!(key_fingerprint("pk_test_ab"), "pk_test_…ab");
    }

    #[test]
    fn calls_need_the_permission_of_their_first_path_segment() {
        assert_eq!(needed("GET", "/v1/prices"), Some(("prices", Level::Read)));
        assert_eq!(
            needed("POST", "/v1/payment_intents/pi_1/confirm"),
            Some(("payment_intents", Level::Write))
        );
        assert_eq!(
            needed("GET", "/v1/account"),
            Some(("accounts", Level::Read))
        );
        assert_eq!(
            needed("POST", "/v1/accounts/acct_1/login_links"),
            Some(("accounts", Level::Write))
        );
        assert_eq!(needed("GET", "/v1/nothing"), None);
        assert_eq!(permission_name("charges", Level::Read), "rak_charge_read");
        assert_eq!(
            permission_name("webhook_endpoints", Level::Write),
            "rak_webhook_write"
        );
        assert_eq!(
            permission_name("accounts", Level::Read),
            "rak_accounts_kyc_basic_read"
        );
    }

    #[test]
    fn rolled_keys_expire_and_revoked_keys_are_unknown() {
        let mut ring = Keyring::new("sk_test_a", "pk_test_b");
        let new = ring.roll("sk_test_a", "x1", 100).unwrap();
        assert!(new.value.starts_with("sk_test_51Sandbox"));
        assert_eq!(
            ring.status("sk_test_a", 99),
            KeyStatus::Active(KeyKind::Secret)
        );
        assert_eq!(ring.status("sk_test_a", 100), KeyStatus::Expired);
        assert_eq!(ring.current(KeyKind::Secret).unwrap().value, new.value);
        assert!(ring.revoke(&new.value));
        assert_eq!(ring.status(&new.value, 0), KeyStatus::Unknown);
        assert!(!ring.revoke("sk_test_zzz"));
    }

    #[test]
    fn expired_keys_are_told_apart_from_unknown_ones() {
        let mut ring = Keyring::new("sk_test_a", "pk_test_b");
        assert_eq!(
            ring.status("sk_test_a", 10),
            KeyStatus::Active(KeyKind::Secret)
        );
        assert_eq!(
            ring.status("pk_test_b", 10),
            KeyStatus::Active(KeyKind::Publishable)
        );
        assert_eq!(ring.status("sk_test_c", 10), KeyStatus::Unknown);
        ring.keys[0].expires_at = Some(5);
        assert_eq!(ring.status("sk_test_a", 10), KeyStatus::Expired);
    }
}
