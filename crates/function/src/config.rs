//! The function's configuration, read once from the environment and refused at start-up, with
//! a sentence that says what to fix, when it cannot work.

use std::path::PathBuf;

use axum::http::HeaderValue;
use connect_checkout_core::api::{AccountKind, Mode};
use connect_checkout_core::{FeePolicy, FeePolicyError};

use crate::keys::{KeyError, KeyMode, PublishableKey, SecretKey, WebhookSecret};

/// Where the function sends its Stripe calls when nothing else is configured.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com";
/// Stripe.js as Stripe serves it.
pub const STRIPE_JS_URL: &str = "https://js.stripe.com/v3/";
/// The platform fee when `PLATFORM_FEE` is not set.
pub const DEFAULT_FEE: FeePolicy = FeePolicy {
    basis_points: 500,
    fixed: 0,
};

/// Whose account the PaymentIntent lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChargeType {
    /// On the seller's account (`Stripe-Account`), the platform takes `application_fee_amount`.
    Direct,
    /// On the platform, sent on with `transfer_data[destination]` and `on_behalf_of`.
    Destination,
}

/// Everything the function needs to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    pub secret_key: SecretKey,
    pub publishable_key: PublishableKey,
    pub webhook_secrets: Vec<WebhookSecret>,
    /// Stripe's API, or the sandbox's.
    pub api_base: String,
    /// Stripe.js, or the sandbox's stand-in.
    pub stripe_js_url: String,
    pub fee: FeePolicy,
    pub charge_type: ChargeType,
    /// Origins (scheme://host:port) of host pages allowed to call the API from a browser.
    pub allowed_origins: Vec<HeaderValue>,
    /// The built widget, served by the local entry point.
    pub widget_dir: Option<PathBuf>,
    /// The platform's public origin, for Stripe's return URLs; the request's host when unset.
    pub public_url: Option<String>,
    /// The kinds of seller account the platform offers.
    pub account_kinds: Vec<AccountKind>,
    /// The key that signs seller sessions; random per process when unset (not in live mode).
    pub seller_session_secret: Option<Vec<u8>>,
    /// How long a seller session lasts.
    pub seller_session_ttl_secs: i64,
    /// What one request may cost and how many a client may send (issue 16).
    pub limits: Limits,
}

/// What one request may cost the function and Stripe, and how many a client may send: the
/// `CATALOG_CACHE_SECONDS`, `RATE_LIMIT_*`, `REQUEST_TIMEOUT_SECONDS`,
/// `HEADER_READ_TIMEOUT_SECONDS` and `MAX_CONCURRENT_REQUESTS` variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long a seller's catalog (account and prices) is reused; 0 reads it every time.
    pub catalog_cache_secs: u64,
    /// API requests per minute per client address, sustained; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// API requests a client address may send at once before the rate applies.
    pub rate_limit_burst: u32,
    /// The longest a request may take, Stripe's retries included (they stop within 20 s).
    pub request_timeout_secs: u64,
    /// The longest `serve` waits for a request's headers once a connection is open.
    pub header_read_timeout_secs: u64,
    /// Requests handled at once; more wait (within the request timeout).
    pub max_concurrent_requests: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            catalog_cache_secs: 30,
            rate_limit_per_minute: 120,
            rate_limit_burst: 30,
            request_timeout_secs: 30,
            header_read_timeout_secs: 10,
            max_concurrent_requests: 512,
        }
    }
}

impl Limits {
    fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let number = |variable: &'static str,
                      default: u64,
                      range: std::ops::RangeInclusive<u64>,
                      fix: &'static str| {
            match env.var(variable) {
                None => Ok(default),
                Some(text) => text
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|value| range.contains(value))
                    .ok_or(ConfigError::Invalid {
                        variable,
                        value: text.chars().take(40).collect(),
                        fix,
                    }),
            }
        };
        let small = |value: u64| u32::try_from(value).unwrap_or(u32::MAX);
        Ok(Self {
            catalog_cache_secs: number(
                "CATALOG_CACHE_SECONDS",
                defaults.catalog_cache_secs,
                0..=3_600,
                "write a number of seconds from 0 (no cache) to 3600",
            )?,
            rate_limit_per_minute: small(number(
                "RATE_LIMIT_PER_MINUTE",
                defaults.rate_limit_per_minute.into(),
                0..=1_000_000,
                "write API requests per minute per client address, or 0 for no limit",
            )?),
            rate_limit_burst: small(number(
                "RATE_LIMIT_BURST",
                defaults.rate_limit_burst.into(),
                1..=1_000_000,
                "write how many requests a client may send at once (at least 1)",
            )?),
            request_timeout_secs: number(
                "REQUEST_TIMEOUT_SECONDS",
                defaults.request_timeout_secs,
                1..=900,
                "write a number of seconds from 1 to 900; keep it above 20 (Stripe's retries)",
            )?,
            header_read_timeout_secs: number(
                "HEADER_READ_TIMEOUT_SECONDS",
                defaults.header_read_timeout_secs,
                1..=300,
                "write a number of seconds from 1 to 300",
            )?,
            max_concurrent_requests: usize::try_from(number(
                "MAX_CONCURRENT_REQUESTS",
                defaults.max_concurrent_requests as u64,
                1..=1_000_000,
                "write how many requests may be handled at once (at least 1)",
            )?)
            .unwrap_or(usize::MAX),
        })
    }
}

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("{variable} is not set: {fix}")]
    Missing {
        variable: &'static str,
        fix: &'static str,
    },
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(
        "the keys mix modes: the secret key {secret} is a {secret_mode} key but the publishable \
         key {publishable} is a {publishable_mode} key; use the pair from the same mode of the \
         same Stripe account"
    )]
    MixedModes {
        secret: String,
        secret_mode: KeyMode,
        publishable: String,
        publishable_mode: KeyMode,
    },
    #[error("PLATFORM_FEE: {0}")]
    Fee(#[from] FeePolicyError),
    #[error("CHARGE_TYPE is `{0}`: use `direct` or `destination`")]
    ChargeType(String),
    #[error(
        "ALLOWED_ORIGINS has `{0}`: write origins such as `https://shop.example.com`, comma-separated, without paths"
    )]
    Origin(String),
    #[error("{variable} is `{value}`: {fix}")]
    Invalid {
        variable: &'static str,
        value: String,
        fix: &'static str,
    },
    #[error("{variable}_FILE names {path}, which cannot be read: {source}")]
    File {
        variable: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// How configuration is looked up: the process environment in production, a map in tests.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// `NAME`, or the contents of the file `NAME_FILE` names (for secrets mounted as files).
fn read(env: &dyn Env, variable: &'static str) -> Result<Option<String>, ConfigError> {
    if let Some(value) = env.var(variable) {
        return Ok(Some(value));
    }
    let file_variable = format!("{variable}_FILE");
    match env.var(&file_variable) {
        Some(path) => std::fs::read_to_string(&path)
            .map(|text| Some(text.trim().to_owned()))
            .map_err(|source| ConfigError::File {
                variable,
                path,
                source,
            }),
        None => Ok(None),
    }
}

/// Whether a secret key is configured at all; without one the local entry point uses the sandbox.
pub fn has_secret_key(env: &dyn Env) -> bool {
    env.var("STRIPE_SECRET_KEY").is_some() || env.var("STRIPE_SECRET_KEY_FILE").is_some()
}

impl Config {
    /// Reads and checks the whole configuration.
    pub fn from_env(env: &dyn Env) -> Result<Self, ConfigError> {
        let secret_key = read(env, "STRIPE_SECRET_KEY")?.ok_or(ConfigError::Missing {
            variable: "STRIPE_SECRET_KEY",
            fix: "set it to the platform's secret key (sk_…) or restricted key (rk_…), or \
                  STRIPE_SECRET_KEY_FILE to a file holding it",
        })?;
        let secret_key = SecretKey::parse("STRIPE_SECRET_KEY", &secret_key)?;
        let publishable_key = read(env, "STRIPE_PUBLISHABLE_KEY")?.ok_or(ConfigError::Missing {
            variable: "STRIPE_PUBLISHABLE_KEY",
            fix: "set it to the platform's publishable key (pk_…) of the same mode as the secret key",
        })?;
        let publishable_key = PublishableKey::parse("STRIPE_PUBLISHABLE_KEY", &publishable_key)?;
        if secret_key.mode() != publishable_key.mode() {
            return Err(ConfigError::MixedModes {
                secret: secret_key.fingerprint(),
                secret_mode: secret_key.mode(),
                publishable: crate::keys::fingerprint(publishable_key.as_str()),
                publishable_mode: publishable_key.mode(),
            });
        }

        let webhook_secrets = read(env, "STRIPE_WEBHOOK_SECRETS")?
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| WebhookSecret::parse("STRIPE_WEBHOOK_SECRETS", part))
            .collect::<Result<Vec<_>, _>>()?;
        if webhook_secrets.is_empty() && secret_key.mode() == KeyMode::Live {
            return Err(ConfigError::Missing {
                variable: "STRIPE_WEBHOOK_SECRETS",
                fix: "live mode needs the webhook endpoint's signing secret (whsec_…), so that \
                      payments are confirmed by Stripe's events; list several, comma-separated, \
                      while rotating",
            });
        }

        let api_base = env
            .var("STRIPE_API_BASE")
            .unwrap_or_else(|| STRIPE_API_BASE.to_owned());
        let api_base = check_base_url("STRIPE_API_BASE", api_base)?;
        let stripe_js_url = env
            .var("STRIPE_JS_URL")
            .unwrap_or_else(|| STRIPE_JS_URL.to_owned());
        let stripe_js_url = check_base_url("STRIPE_JS_URL", stripe_js_url)?;

        let fee = match env.var("PLATFORM_FEE") {
            Some(text) => text.parse()?,
            None => DEFAULT_FEE,
        };
        let charge_type = match env.var("CHARGE_TYPE").as_deref().map(str::trim) {
            None | Some("direct") => ChargeType::Direct,
            Some("destination") => ChargeType::Destination,
            Some(other) => return Err(ConfigError::ChargeType(other.to_owned())),
        };
        let allowed_origins = env
            .var("ALLOWED_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(parse_origin)
            .collect::<Result<Vec<_>, _>>()?;

        let public_url = env
            .var("PUBLIC_URL")
            .map(|url| check_base_url("PUBLIC_URL", url))
            .transpose()?;
        let account_kinds = match env.var("SELLER_ACCOUNT_KINDS") {
            None => AccountKind::ALL.to_vec(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .map(|kind| {
                    AccountKind::ALL
                        .into_iter()
                        .find(|k| k.as_str() == kind)
                        .ok_or_else(|| ConfigError::Invalid {
                            variable: "SELLER_ACCOUNT_KINDS",
                            value: kind.chars().take(40).collect(),
                            fix: "list any of `express`, `standard`, `custom`, comma-separated",
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let seller_session_secret = read(env, "SELLER_SESSION_SECRET")?.map(String::into_bytes);
        if seller_session_secret
            .as_ref()
            .is_some_and(|secret| secret.len() < 32)
        {
            return Err(ConfigError::Invalid {
                variable: "SELLER_SESSION_SECRET",
                value: "(hidden)".into(),
                fix: "use at least 32 random characters, e.g. `openssl rand -hex 32`",
            });
        }
        if seller_session_secret.is_none() && secret_key.mode() == KeyMode::Live {
            return Err(ConfigError::Missing {
                variable: "SELLER_SESSION_SECRET",
                fix: "live mode needs a fixed key for seller sessions (at least 32 random \
                      characters), shared by every instance of the function",
            });
        }
        let seller_session_ttl_secs = match env.var("SELLER_SESSION_TTL") {
            None => 7_200,
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|secs| (60..=30 * 86_400).contains(secs))
                .ok_or(ConfigError::Invalid {
                    variable: "SELLER_SESSION_TTL",
                    value: text.chars().take(40).collect(),
                    fix: "write a number of seconds between 60 and 2592000 (30 days)",
                })?,
        };

        let mode = match secret_key.mode() {
            KeyMode::Test => Mode::Test,
            KeyMode::Live => Mode::Live,
        };
        Ok(Self {
            mode,
            secret_key,
            publishable_key,
            webhook_secrets,
            api_base,
            stripe_js_url,
            fee,
            charge_type,
            allowed_origins,
            widget_dir: env.var("WIDGET_DIR").map(PathBuf::from),
            public_url,
            account_kinds,
            seller_session_secret,
            seller_session_ttl_secs,
            limits: Limits::from_env(env)?,
        })
    }
}

fn check_base_url(variable: &'static str, value: String) -> Result<String, ConfigError> {
    let trimmed = value.trim();
    if trimmed.starts_with("https://") || trimmed.starts_with("http://") {
        Ok(trimmed.to_owned())
    } else {
        Err(ConfigError::Invalid {
            variable,
            value: trimmed.chars().take(80).collect(),
            fix: "write an absolute http(s) URL",
        })
    }
}

fn parse_origin(origin: &str) -> Result<HeaderValue, ConfigError> {
    let refuse = || ConfigError::Origin(origin.chars().take(80).collect());
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(refuse)?;
    if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
        return Err(refuse());
    }
    HeaderValue::from_str(origin).map_err(|_| refuse())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashMap;

    use super::*;

    const SK: &str = "sk_test_51Abcdefghijklmnopqrstuvwxyz0123abcd";
    const PK: &str = "pk_test_51Abcdefghijklmnopqrstuvwxyz0123wxyz";

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    #[test]
    fn a_complete_test_configuration_is_accepted_with_defaults() {
        let config = Config::from_env(&env(&[
            ("STRIPE_SECRET_KEY", SK),
            ("STRIPE_PUBLISHABLE_KEY", PK),
        ]))
        .unwrap();
        assert_eq!(config.mode, Mode::Test);
        assert_eq!(config.api_base, STRIPE_API_BASE);
        assert_eq!(config.fee, DEFAULT_FEE);
        assert_eq!(config.charge_type, ChargeType::Direct);
    }

    #[test]
    fn mixed_modes_are_refused_naming_both_fingerprints() {
        let error = Config::from_env(&env(&[
            ("STRIPE_SECRET_KEY", SK),
            (
                "STRIPE_PUBLISHABLE_KEY",
                "pk_live_51Abcdefghijklmnopqrstuvwxyz0123wxyz",
            ),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("sk_test_…abcd") && error.contains("pk_live_…wxyz"),
            "{error}"
        );
        assert!(!error.contains(SK));
    }

    #[test]
    fn live_mode_without_a_webhook_secret_is_refused() {
        let error = Config::from_env(&env(&[
            (
                "STRIPE_SECRET_KEY",
                concat!("sk_live", "_51Abcdefghijklmnopqrstuvwxyz0123abcd"),
            ),
            (
                "STRIPE_PUBLISHABLE_KEY",
                "pk_live_51Abcdefghijklmnopqrstuvwxyz0123wxyz",
            ),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("STRIPE_WEBHOOK_SECRETS is not set"),
            "{error}"
        );
    }

    proptest::proptest! {
        /// Whatever the environment holds, start-up either accepts it or says what to fix, and
        /// never echoes a secret key in the message.
        #[test]
        fn any_environment_is_accepted_or_refused_with_words(
            fee in "\\PC{0,12}", charge in "\\PC{0,12}", origins in "\\PC{0,40}",
            ttl in "\\PC{0,8}", kinds in "\\PC{0,20}",
        ) {
            let result = Config::from_env(&env(&[
                ("STRIPE_SECRET_KEY", SK),
                ("STRIPE_PUBLISHABLE_KEY", PK),
                ("PLATFORM_FEE", &fee),
                ("CHARGE_TYPE", &charge),
                ("ALLOWED_ORIGINS", &origins),
                ("SELLER_SESSION_TTL", &ttl),
                ("SELLER_ACCOUNT_KINDS", &kinds),
            ]));
            if let Err(error) = result {
                let message = error.to_string();
                proptest::prop_assert!(!message.is_empty());
                proptest::prop_assert!(!message.contains(SK));
            }
        }
    }

    #[test]
    fn secret_key_can_come_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sk");
        std::fs::write(&path, format!("{SK}\n")).unwrap();
        let config = Config::from_env(&env(&[
            ("STRIPE_SECRET_KEY_FILE", path.to_str().unwrap()),
            ("STRIPE_PUBLISHABLE_KEY", PK),
        ]))
        .unwrap();
        assert_eq!(config.secret_key.fingerprint(), "sk_test_…abcd");
    }

    #[test]
    fn limits_have_defaults_and_refuse_nonsense_with_words() {
        let base = [("STRIPE_SECRET_KEY", SK), ("STRIPE_PUBLISHABLE_KEY", PK)];
        assert_eq!(
            Config::from_env(&env(&base)).unwrap().limits,
            Limits::default()
        );
        let with = |extra: (&str, &str)| {
            let mut pairs = base.to_vec();
            pairs.push(extra);
            Config::from_env(&env(&pairs))
        };
        let limits = with(("RATE_LIMIT_PER_MINUTE", "0")).unwrap().limits;
        assert_eq!(limits.rate_limit_per_minute, 0);
        let limits = with(("CATALOG_CACHE_SECONDS", "0")).unwrap().limits;
        assert_eq!(limits.catalog_cache_secs, 0);
        for (variable, value, words) in [
            ("CATALOG_CACHE_SECONDS", "soon", "0 (no cache) to 3600"),
            ("RATE_LIMIT_BURST", "0", "at least 1"),
            ("REQUEST_TIMEOUT_SECONDS", "-1", "1 to 900"),
            ("MAX_CONCURRENT_REQUESTS", "lots", "at least 1"),
        ] {
            let error = with((variable, value)).unwrap_err().to_string();
            assert!(
                error.starts_with(variable) && error.contains(words),
                "{error}"
            );
        }
    }

    #[test]
    fn bad_fee_charge_type_and_origin_say_what_to_write() {
        let base = [("STRIPE_SECRET_KEY", SK), ("STRIPE_PUBLISHABLE_KEY", PK)];
        let with = |extra: (&str, &str)| {
            let mut pairs = base.to_vec();
            pairs.push(extra);
            Config::from_env(&env(&pairs)).unwrap_err().to_string()
        };
        assert!(with(("PLATFORM_FEE", "lots")).contains("2.9%+30"));
        assert!(with(("CHARGE_TYPE", "sideways")).contains("`direct` or `destination`"));
        assert!(
            with(("ALLOWED_ORIGINS", "https://shop.example.com/path")).contains("without paths")
        );
    }
}
