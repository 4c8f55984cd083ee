//! API keys: which kind a key is, whether it still works, and how it is shown in errors and
//! logs. A whole secret key is never printed: errors mask it (facts §1.5) and logs and the
//! binary's banner show a fingerprint.

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// `sk_test_…`: the whole API.
    Secret,
    /// `pk_test_…`: only what Stripe.js may call (facts §1.3).
    Publishable,
}

/// One key the platform holds. Rolling (phase 2) gives the old key an `expires_at`.
#[derive(Clone, Debug)]
pub(crate) struct ApiKey {
    pub value: String,
    pub kind: KeyKind,
    /// Unix seconds after which the key answers 401 `api_key_expired`.
    pub expires_at: Option<i64>,
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
        Self {
            keys: vec![
                ApiKey {
                    value: secret.to_owned(),
                    kind: KeyKind::Secret,
                    expires_at: None,
                },
                ApiKey {
                    value: publishable.to_owned(),
                    kind: KeyKind::Publishable,
                    expires_at: None,
                },
            ],
        }
    }

    pub fn status(&self, presented: &str, now: i64) -> KeyStatus {
        match self.keys.iter().find(|k| k.value == presented) {
            None => KeyStatus::Unknown,
            Some(k) if k.expires_at.is_some_and(|at| at <= now) => KeyStatus::Expired,
            Some(k) => KeyStatus::Active(k.kind),
        }
    }
}

/// The prefixes Stripe gives keys (facts §1.1), built rather than spelled out so that no
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
