//! Stripe keys. Only this crate ever holds a secret key, and it only ever shows one as a
//! fingerprint (`sk_test_…abcd`): in logs, in error messages, in `Debug` output.

use std::fmt;

/// Test or live: Stripe keeps the two apart, and so must a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    Test,
    Live,
}

impl fmt::Display for KeyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Test => "test",
            Self::Live => "live",
        })
    }
}

/// What a key string turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Restricted,
    Publishable,
    WebhookSecret,
}

impl KeyKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Secret => "a secret key (sk_…)",
            Self::Restricted => "a restricted key (rk_…)",
            Self::Publishable => "a publishable key (pk_…)",
            Self::WebhookSecret => "a webhook signing secret (whsec_…)",
        }
    }
}

/// Why a key was refused. Every message names the variable and says what belongs there; none
/// contains more of a key than its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The value is some other kind of Stripe key.
    #[error("{variable} holds {found} ({fingerprint}), but it needs {wanted}")]
    WrongKind {
        variable: &'static str,
        found: &'static str,
        wanted: &'static str,
        fingerprint: String,
    },
    /// The value is not shaped like any Stripe key.
    #[error(
        "{variable} is not a Stripe key ({fingerprint}): copy {wanted} from the Stripe \
         Dashboard's API keys page, without quotes or spaces"
    )]
    Malformed {
        variable: &'static str,
        wanted: &'static str,
        fingerprint: String,
    },
}

/// A key split into its parts, before we decide whether it is the kind we wanted.
struct ParsedKey {
    kind: KeyKind,
    mode: Option<KeyMode>,
}

fn parse(value: &str) -> Option<ParsedKey> {
    let (kind, rest) = if let Some(rest) = value.strip_prefix("sk_") {
        (KeyKind::Secret, rest)
    } else if let Some(rest) = value.strip_prefix("rk_") {
        (KeyKind::Restricted, rest)
    } else if let Some(rest) = value.strip_prefix("pk_") {
        (KeyKind::Publishable, rest)
    } else if let Some(rest) = value.strip_prefix("whsec_") {
        let ok = rest.len() >= 8 && rest.bytes().all(|b| b.is_ascii_alphanumeric());
        return ok.then_some(ParsedKey {
            kind: KeyKind::WebhookSecret,
            mode: None,
        });
    } else {
        return None;
    };
    let (mode, body) = if let Some(body) = rest.strip_prefix("test_") {
        (KeyMode::Test, body)
    } else if let Some(body) = rest.strip_prefix("live_") {
        (KeyMode::Live, body)
    } else {
        return None;
    };
    let ok = body.len() >= 8 && body.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(ParsedKey {
        kind,
        mode: Some(mode),
    })
}

/// `sk_test_…abcd`: enough to tell keys apart, useless to an attacker.
pub fn fingerprint(value: &str) -> String {
    let prefix_end = [
        "sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_", "whsec_",
    ]
    .iter()
    .find(|prefix| value.starts_with(*prefix))
    .map_or(0, |prefix| prefix.len());
    let tail: String = {
        let chars: Vec<char> = value[prefix_end..].chars().collect();
        // Short values would be mostly shown by their last four; show none of them then.
        if chars.len() < 12 {
            String::new()
        } else {
            chars[chars.len() - 4..].iter().collect()
        }
    };
    format!("{}…{tail}", &value[..prefix_end])
}

/// `value` of `variable` as the key `wanted` names: `accept` takes the parsed key if it is that
/// kind, and hands any other back to be refused as the wrong kind.
fn parse_wanted<T>(
    variable: &'static str,
    value: &str,
    wanted: &'static str,
    accept: impl FnOnce(ParsedKey) -> Result<T, ParsedKey>,
) -> Result<T, KeyError> {
    match parse(value) {
        Some(parsed) => accept(parsed).map_err(|parsed| KeyError::WrongKind {
            variable,
            found: parsed.kind.describe(),
            wanted,
            fingerprint: fingerprint(value),
        }),
        None => Err(KeyError::Malformed {
            variable,
            wanted,
            fingerprint: fingerprint(value),
        }),
    }
}

/// The platform's secret (`sk_`) or restricted (`rk_`) key.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey {
    value: String,
    kind: KeyKind,
    mode: KeyMode,
}

impl SecretKey {
    /// Parses the value of `variable`; refuses publishable keys and anything malformed.
    pub fn parse(variable: &'static str, value: &str) -> Result<Self, KeyError> {
        let value = value.trim();
        let wanted = "a secret key (sk_…) or a restricted key (rk_…)";
        parse_wanted(variable, value, wanted, |parsed| match parsed {
            ParsedKey {
                kind: kind @ (KeyKind::Secret | KeyKind::Restricted),
                mode: Some(mode),
            } => Ok(Self {
                value: value.to_owned(),
                kind,
                mode,
            }),
            other => Err(other),
        })
    }

    pub fn mode(&self) -> KeyMode {
        self.mode
    }

    pub fn is_restricted(&self) -> bool {
        self.kind == KeyKind::Restricted
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.value)
    }

    /// Whether `text` (a key file's contents, trimmed) is this key: how the key-file watcher
    /// sees that nothing changed, without holding the key's text itself.
    pub fn is(&self, text: &str) -> bool {
        self.value == text
    }

    /// The key itself, for the `Authorization` header and nothing else.
    pub(crate) fn expose(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({})", self.fingerprint())
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fingerprint())
    }
}

/// The platform's publishable key: safe in a browser, so it may be shown whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishableKey {
    value: String,
    mode: KeyMode,
}

impl PublishableKey {
    pub fn parse(variable: &'static str, value: &str) -> Result<Self, KeyError> {
        let value = value.trim();
        let wanted = "a publishable key (pk_…)";
        parse_wanted(variable, value, wanted, |parsed| match parsed {
            ParsedKey {
                kind: KeyKind::Publishable,
                mode: Some(mode),
            } => Ok(Self {
                value: value.to_owned(),
                mode,
            }),
            other => Err(other),
        })
    }

    pub fn mode(&self) -> KeyMode {
        self.mode
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A webhook endpoint's signing secret (`whsec_…`); several are configured during a rotation.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn parse(variable: &'static str, value: &str) -> Result<Self, KeyError> {
        let value = value.trim();
        let wanted = "a webhook signing secret (whsec_…)";
        parse_wanted(variable, value, wanted, |parsed| match parsed {
            ParsedKey {
                kind: KeyKind::WebhookSecret,
                ..
            } => Ok(Self(value.to_owned())),
            other => Err(other),
        })
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }

    /// The secret's bytes, for the HMAC and nothing else.
    pub(crate) fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSecret({})", self.fingerprint())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SECRET: &str = "sk_test_51Abcdefghijklmnopqrstuvwxyz0123abcd";

    #[test]
    fn fingerprints_show_the_prefix_and_last_four_only() {
        assert_eq!(fingerprint(SECRET), "sk_test_…abcd");
        assert_eq!(fingerprint("whsec_0123456789abcdefWXYZ"), "whsec_…WXYZ");
        assert_eq!(fingerprint("hunter2"), "…");
    }

    #[test]
    fn debug_output_of_a_secret_key_never_contains_it() {
        let key = SecretKey::parse("STRIPE_SECRET_KEY", SECRET).unwrap();
        let shown = format!("{key:?} {key}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains("sk_test_…abcd"));
    }

    #[test]
    fn a_publishable_key_where_the_secret_belongs_says_so() {
        let error = SecretKey::parse("STRIPE_SECRET_KEY", "pk_test_51Abcdefghijklmnop1234")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("STRIPE_SECRET_KEY holds a publishable key"),
            "{error}"
        );
        assert!(error.contains("needs a secret key (sk_…)"), "{error}");
    }

    #[test]
    fn a_secret_key_where_the_publishable_belongs_is_refused_without_leaking_it() {
        let error = PublishableKey::parse("STRIPE_PUBLISHABLE_KEY", SECRET)
            .unwrap_err()
            .to_string();
        assert!(error.contains("holds a secret key"), "{error}");
        assert!(!error.contains(SECRET), "{error}");
    }

    #[test]
    fn restricted_keys_are_accepted_as_secret_keys() {
        let key = SecretKey::parse("K", concat!("rk_live", "_51Abcdefghijklmnop1234")).unwrap();
        assert!(key.is_restricted());
        assert_eq!(key.mode(), KeyMode::Live);
    }

    proptest::proptest! {
        #[test]
        fn parsing_any_text_never_panics_and_fingerprints_reveal_at_most_four_characters(text in "\\PC{0,80}") {
            let _ = SecretKey::parse("K", &text);
            let _ = PublishableKey::parse("K", &text);
            let _ = WebhookSecret::parse("K", &text);
            let shown = fingerprint(&text);
            let (_, tail) = shown.split_once('…').unwrap();
            proptest::prop_assert!(tail.chars().count() <= 4);
        }
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [
            "",
            "sk_",
            "sk_test_",
            "sk_prod_abcdefghijkl",
            "sk_test_abc def ghijkl",
            "Bearer sk_test_x",
        ] {
            assert!(
                matches!(SecretKey::parse("K", bad), Err(KeyError::Malformed { .. })),
                "{bad:?}"
            );
        }
    }
}
