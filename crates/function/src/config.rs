//! The function's configuration, read once from the environment and refused at start-up, with
//! a sentence that says what to fix, when it cannot work.

use std::path::PathBuf;

use axum::http::HeaderValue;
use connect_checkout_core::api::{AccountKind, Mode};
use connect_checkout_core::{FeePolicy, FeePolicyError};

use crate::client_address::{IpBlock, TrustedProxies};
use crate::keys::{KeyError, KeyMode, PublishableKey, SecretKey, WebhookSecret};
use crate::sellers::oidc::OidcSettings;
use crate::sellers::session::{SessionCookie, SessionSecret};

/// Where the function sends its Stripe calls when nothing else is configured.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com";
/// Stripe.js as Stripe serves it.
pub const STRIPE_JS_URL: &str = "https://js.stripe.com/v3/";
/// The platform fee when `PLATFORM_FEE` is not set.
pub const DEFAULT_FEE: FeePolicy = FeePolicy {
    basis_points: 500,
    fixed: 0,
};

pub use connect_checkout_core::api::ChargeType;

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

    // Seller sign-in and sessions (README "Seller sign-in"), read by `seller_sign_in_from_env`.
    /// Who may create seller accounts and how sellers prove who they are.
    pub seller_sign_in: SellerSignIn,
    /// The keys that sign seller sessions, newest first; random per process when empty (not in
    /// live mode). `Debug` shows none of them.
    pub seller_session_secrets: Vec<SessionSecret>,
    /// How long a seller session lasts.
    pub seller_session_ttl_secs: i64,
    /// `__Host-` when the function is known to be reached over HTTPS (live mode, an https
    /// `PUBLIC_URL`; the Lambda entry point sets it too), plain on local http.
    pub seller_cookie: SessionCookie,
    /// Proxies whose `X-Forwarded-For` is believed (for a Custom seller's terms acceptance).
    pub trusted_proxies: TrustedProxies,
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

/// How sellers sign in (`SELLER_AUTH`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SellerSignIn {
    /// `open`: anyone may create a seller account and gets the signed session cookie; the
    /// default in sandbox and test mode, refused in live mode.
    Open,
    /// `oidc`: the platform's identity provider's tokens, for sign-up and every seller endpoint.
    Oidc(OidcSettings),
    /// `platform`: the embedding code passes its own `SellerAuth` (`AppState::with_seller_auth`);
    /// until it does, every seller request is refused.
    Platform,
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
    #[error("CHARGE_TYPE is `{0}`: use `direct`, `destination` or `separate`")]
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
    #[error("{0}")]
    SellerSignIn(String),
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
            Some("separate") => ChargeType::Separate,
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
        let SellerSessions {
            sign_in: seller_sign_in,
            secrets: seller_session_secrets,
            trusted_proxies,
        } = seller_sign_in_from_env(env, secret_key.mode())?;
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

        let https = public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"));
        let seller_cookie = if https || secret_key.mode() == KeyMode::Live {
            SessionCookie::HostOnly
        } else {
            SessionCookie::PlainHttp
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
            seller_sign_in,
            seller_session_secrets,
            seller_session_ttl_secs,
            seller_cookie,
            trusted_proxies,
            limits: Limits::from_env(env)?,
        })
    }
}

/// The seller sign-in block of the configuration.
struct SellerSessions {
    sign_in: SellerSignIn,
    secrets: Vec<SessionSecret>,
    trusted_proxies: TrustedProxies,
}

const OIDC_VARIABLES: [&str; 4] = [
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "OIDC_JWKS_URL",
    "OIDC_ACCOUNT_CLAIM",
];

fn seller_sign_in_from_env(env: &dyn Env, mode: KeyMode) -> Result<SellerSessions, ConfigError> {
    let oidc_set: Vec<&str> = OIDC_VARIABLES
        .into_iter()
        .filter(|variable| env.var(variable).is_some())
        .collect();
    let choice = env
        .var("SELLER_AUTH")
        .map(|value| value.trim().to_ascii_lowercase());
    let sign_in = match choice.as_deref() {
        Some("oidc") => {
            let missing: Vec<&str> = OIDC_VARIABLES
                .into_iter()
                .filter(|variable| !oidc_set.contains(variable))
                .collect();
            if !missing.is_empty() {
                return Err(ConfigError::SellerSignIn(format!(
                    "SELLER_AUTH=oidc also needs {}: OIDC_ISSUER is the `iss` of the identity \
                     provider's tokens, OIDC_AUDIENCE their `aud` (this function's client id), \
                     OIDC_JWKS_URL the provider's public keys (https://…/.well-known/jwks.json), \
                     OIDC_ACCOUNT_CLAIM the claim that holds the seller's `acct_…`",
                    missing.join(", ")
                )));
            }
            let value = |variable| env.var(variable).unwrap_or_default().trim().to_owned();
            let jwks_url = value("OIDC_JWKS_URL");
            if !is_https_or_loopback(&jwks_url) {
                return Err(ConfigError::Invalid {
                    variable: "OIDC_JWKS_URL",
                    value: jwks_url.chars().take(80).collect(),
                    fix: "write the provider's https:// JWKS URL (plain http only on 127.0.0.1 \
                          or localhost, for tests)",
                });
            }
            SellerSignIn::Oidc(OidcSettings {
                issuer: value("OIDC_ISSUER"),
                audience: value("OIDC_AUDIENCE"),
                jwks_url,
                account_claim: value("OIDC_ACCOUNT_CLAIM"),
            })
        }
        other => {
            if let Some(first) = oidc_set.first() {
                return Err(ConfigError::SellerSignIn(format!(
                    "{first} is set but SELLER_AUTH is not `oidc`: set SELLER_AUTH=oidc to sign \
                     sellers in with the identity provider, or remove the OIDC_ variables"
                )));
            }
            match other {
                Some("platform") => SellerSignIn::Platform,
                Some("open") | None if mode == KeyMode::Test => SellerSignIn::Open,
                Some("open") | None => {
                    return Err(ConfigError::SellerSignIn(
                        "live mode needs the platform's seller sign-in: set SELLER_AUTH=oidc \
                         with OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL and OIDC_ACCOUNT_CLAIM, \
                         or SELLER_AUTH=platform when your code passes its own SellerAuth; \
                         `open` (anyone may create a seller account) is for test mode only"
                            .into(),
                    ));
                }
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        variable: "SELLER_AUTH",
                        value: other.chars().take(40).collect(),
                        fix: "write `oidc`, `platform`, or (test mode only) `open`",
                    });
                }
            }
        }
    };

    let present = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
    let secrets = match (
        present(read(env, "SELLER_SESSION_SECRETS")?),
        present(read(env, "SELLER_SESSION_SECRET")?),
    ) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::SellerSignIn(
                "both SELLER_SESSION_SECRETS and the deprecated SELLER_SESSION_SECRET are set: \
                 keep only SELLER_SESSION_SECRETS, listing the old secret after the new one"
                    .into(),
            ));
        }
        (Some(list), None) => parse_session_secrets("SELLER_SESSION_SECRETS", &list)?,
        (None, Some(single)) => {
            tracing::warn!(
                "SELLER_SESSION_SECRET is deprecated: rename it SELLER_SESSION_SECRETS, which \
                 takes a comma-separated list (newest first) for rotations"
            );
            parse_session_secrets("SELLER_SESSION_SECRET", &single)?
        }
        (None, None) => Vec::new(),
    };
    if secrets.is_empty() && mode == KeyMode::Live {
        return Err(ConfigError::Missing {
            variable: "SELLER_SESSION_SECRETS",
            fix: "live mode needs fixed keys for seller sessions (each at least 32 random \
                  characters, e.g. `openssl rand -hex 32`), shared by every instance of the \
                  function; list several, comma-separated and newest first, while rotating",
        });
    }

    let trusted_proxies = env
        .var("TRUSTED_PROXIES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|block| !block.is_empty())
        .map(|block| {
            block.parse::<IpBlock>().map_err(|()| ConfigError::Invalid {
                variable: "TRUSTED_PROXIES",
                value: block.chars().take(60).collect(),
                fix: "list the proxies' addresses or blocks, comma-separated: \
                          `10.0.0.0/8,2600:9000::/28`",
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(SellerSessions {
        sign_in,
        secrets,
        trusted_proxies: TrustedProxies::new(trusted_proxies),
    })
}

/// Comma-separated secrets, newest first; each long enough to resist guessing.
fn parse_session_secrets(
    variable: &'static str,
    list: &str,
) -> Result<Vec<SessionSecret>, ConfigError> {
    let secrets: Vec<SessionSecret> = list
        .split(',')
        .map(str::trim)
        .filter(|secret| !secret.is_empty())
        .map(|secret| SessionSecret::new(secret.as_bytes()))
        .collect();
    if secrets.is_empty()
        || secrets
            .iter()
            .any(|secret| secret.len() < SessionSecret::MIN_LEN)
    {
        return Err(ConfigError::Invalid {
            variable,
            value: "(hidden)".into(),
            fix: "list secrets of at least 32 random characters each, comma-separated and \
                  newest first, e.g. `openssl rand -hex 32`",
        });
    }
    Ok(secrets)
}

fn is_https_or_loopback(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
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
    fn each_charge_type_is_accepted_by_its_name() {
        for (name, kind) in [
            ("direct", ChargeType::Direct),
            ("destination", ChargeType::Destination),
            ("separate", ChargeType::Separate),
        ] {
            let config = Config::from_env(&env(&[
                ("STRIPE_SECRET_KEY", SK),
                ("STRIPE_PUBLISHABLE_KEY", PK),
                ("CHARGE_TYPE", name),
            ]))
            .unwrap();
            assert_eq!(config.charge_type, kind, "{name}");
        }
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

    const LIVE_SK: &str = concat!("sk_live", "_51Abcdefghijklmnopqrstuvwxyz0123abcd");
    const LIVE_PK: &str = "pk_live_51Abcdefghijklmnopqrstuvwxyz0123wxyz";
    const SESSION_SECRET: &str = "9f2c4e7a1b3d5f60718293a4b5c6d7e8";
    const OLD_SESSION_SECRET: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    fn with_test_keys(extra: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut pairs = vec![("STRIPE_SECRET_KEY", SK), ("STRIPE_PUBLISHABLE_KEY", PK)];
        pairs.extend_from_slice(extra);
        Config::from_env(&env(&pairs))
    }

    fn live(extra: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut pairs = vec![
            ("STRIPE_SECRET_KEY", LIVE_SK),
            ("STRIPE_PUBLISHABLE_KEY", LIVE_PK),
            ("STRIPE_WEBHOOK_SECRETS", "whsec_testFixtureNotASecret"),
            ("SELLER_SESSION_SECRETS", SESSION_SECRET),
        ];
        pairs.extend_from_slice(extra);
        Config::from_env(&env(&pairs))
    }

    const OIDC: [(&str, &str); 5] = [
        ("SELLER_AUTH", "oidc"),
        ("OIDC_ISSUER", "https://login.platform.example/"),
        ("OIDC_AUDIENCE", "connect-checkout"),
        (
            "OIDC_JWKS_URL",
            "https://login.platform.example/.well-known/jwks.json",
        ),
        (
            "OIDC_ACCOUNT_CLAIM",
            "https://platform.example/stripe_account",
        ),
    ];

    #[test]
    fn debug_never_prints_a_secret() {
        let config = with_test_keys(&[
            (
                "SELLER_SESSION_SECRETS",
                &format!("{SESSION_SECRET},{OLD_SESSION_SECRET}"),
            ),
            ("STRIPE_WEBHOOK_SECRETS", "whsec_testFixtureNotASecret"),
        ])
        .unwrap();
        assert_eq!(config.seller_session_secrets.len(), 2);
        let printed = format!("{config:?}");
        for secret in [
            SK,
            SESSION_SECRET,
            OLD_SESSION_SECRET,
            "whsec_testFixtureNotASecret",
        ] {
            assert!(!printed.contains(secret), "Debug shows {secret}: {printed}");
        }
        // Nor as the bytes a derived `Debug` of a `Vec<u8>` prints.
        let first_bytes = format!("{:?}", &SESSION_SECRET.as_bytes()[..4]);
        let first_bytes = first_bytes.trim_matches(['[', ']']);
        assert!(!printed.contains(first_bytes), "{printed}");
    }

    #[test]
    fn live_mode_needs_the_platforms_seller_sign_in() {
        let error = live(&[]).unwrap_err().to_string();
        assert!(error.contains("SELLER_AUTH=oidc"), "{error}");
        let error = live(&[("SELLER_AUTH", "open")]).unwrap_err().to_string();
        assert!(error.contains("test mode only"), "{error}");
        assert_eq!(
            live(&OIDC).unwrap().seller_sign_in,
            SellerSignIn::Oidc(OidcSettings {
                issuer: "https://login.platform.example/".into(),
                audience: "connect-checkout".into(),
                jwks_url: "https://login.platform.example/.well-known/jwks.json".into(),
                account_claim: "https://platform.example/stripe_account".into(),
            })
        );
        assert_eq!(
            live(&[("SELLER_AUTH", "platform")]).unwrap().seller_sign_in,
            SellerSignIn::Platform
        );
        assert_eq!(
            with_test_keys(&[]).unwrap().seller_sign_in,
            SellerSignIn::Open
        );
    }

    #[test]
    fn a_half_oidc_configuration_names_what_is_missing() {
        let error = live(&OIDC[..3]).unwrap_err().to_string();
        assert!(
            error.contains("needs OIDC_JWKS_URL, OIDC_ACCOUNT_CLAIM"),
            "{error}"
        );
        let error = with_test_keys(&OIDC[1..]).unwrap_err().to_string();
        assert!(error.contains("SELLER_AUTH is not `oidc`"), "{error}");
        let mut plain_http = OIDC.to_vec();
        plain_http[3] = ("OIDC_JWKS_URL", "http://login.platform.example/jwks.json");
        let error = live(&plain_http).unwrap_err().to_string();
        assert!(error.contains("https://"), "{error}");
        let error = live(&[("SELLER_AUTH", "magic")]).unwrap_err().to_string();
        assert!(error.contains("`oidc`, `platform`"), "{error}");
    }

    #[test]
    fn session_secrets_are_a_list_and_the_old_single_variable_still_works() {
        let listed = with_test_keys(&[(
            "SELLER_SESSION_SECRETS",
            &format!(" {SESSION_SECRET} , {OLD_SESSION_SECRET} "),
        )])
        .unwrap();
        assert_eq!(
            listed.seller_session_secrets,
            vec![
                SessionSecret::new(SESSION_SECRET.as_bytes()),
                SessionSecret::new(OLD_SESSION_SECRET.as_bytes()),
            ]
        );
        let single = with_test_keys(&[("SELLER_SESSION_SECRET", SESSION_SECRET)]).unwrap();
        assert_eq!(single.seller_session_secrets.len(), 1);
        let short =
            with_test_keys(&[("SELLER_SESSION_SECRETS", &format!("{SESSION_SECRET},short"))])
                .unwrap_err()
                .to_string();
        assert!(
            short.contains("at least 32") && !short.contains(SESSION_SECRET),
            "{short}"
        );
        let both = with_test_keys(&[
            ("SELLER_SESSION_SECRETS", SESSION_SECRET),
            ("SELLER_SESSION_SECRET", OLD_SESSION_SECRET),
        ])
        .unwrap_err()
        .to_string();
        assert!(both.contains("keep only SELLER_SESSION_SECRETS"), "{both}");
        let mut no_secret = vec![("SELLER_SESSION_SECRETS", "")];
        no_secret.extend_from_slice(&OIDC);
        let error = live(&no_secret).unwrap_err().to_string();
        assert!(
            error.starts_with("SELLER_SESSION_SECRETS is not set"),
            "{error}"
        );
    }

    #[test]
    fn the_session_cookie_is_host_only_wherever_the_function_is_on_https() {
        let mut with_oidc = OIDC.to_vec();
        with_oidc.push(("SELLER_AUTH", "oidc"));
        assert_eq!(
            live(&with_oidc).unwrap().seller_cookie,
            SessionCookie::HostOnly
        );
        let https = with_test_keys(&[("PUBLIC_URL", "https://pay.example.com")]).unwrap();
        assert_eq!(https.seller_cookie, SessionCookie::HostOnly);
        // `cargo xtask dev` and the end-to-end tests: test keys on http://127.0.0.1.
        let local = with_test_keys(&[("PUBLIC_URL", "http://127.0.0.1:8080")]).unwrap();
        assert_eq!(local.seller_cookie, SessionCookie::PlainHttp);
        assert_eq!(
            with_test_keys(&[]).unwrap().seller_cookie,
            SessionCookie::PlainHttp
        );
    }

    #[test]
    fn trusted_proxies_are_address_blocks() {
        let config = with_test_keys(&[("TRUSTED_PROXIES", "10.0.0.0/8, 2600:9000::/28")]).unwrap();
        assert!(!config.trusted_proxies.is_empty());
        assert!(with_test_keys(&[]).unwrap().trusted_proxies.is_empty());
        let error = with_test_keys(&[("TRUSTED_PROXIES", "10.0.0.0/8,cloudfront")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("TRUSTED_PROXIES is `cloudfront`"), "{error}");
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
        assert!(
            with(("CHARGE_TYPE", "sideways")).contains("`direct`, `destination` or `separate`")
        );
        assert!(
            with(("ALLOWED_ORIGINS", "https://shop.example.com/path")).contains("without paths")
        );
    }
}
