//! Seller sign-in with the platform's identity provider (`SELLER_AUTH=oidc`).
//!
//! The platform already signs its users in (Auth0, Cognito, Okta, Keycloak, its own OIDC
//! server…). Its page sends the user's token as `Authorization: Bearer <JWT>`; the function
//! checks the signature against the provider's published keys (the JWKS, fetched and cached),
//! the issuer, the audience, the expiry, and reads the connected account from one claim the
//! platform adds to its tokens (`OIDC_ACCOUNT_CLAIM`). Nothing is stored here: the provider
//! says who the user is, and the platform's user record says which account is theirs.
//!
//! Sign-up: a valid token without the account claim may create one account. The function
//! writes the token's subject into the account's metadata (`seller_subject`) and derives the
//! creation's Idempotency-Key from it, so retries, double clicks and parallel tabs all get the
//! same account for as long as Stripe keeps the key (at least 24 hours:
//! <https://docs.stripe.com/api/idempotent_requests>). The platform then records the account
//! id on its user (from the 201 answer, or from the account's metadata), so that the user's
//! next tokens carry the claim; a token with the claim cannot create another account. The
//! browser that signed up also gets the function's signed session cookie, so it can continue
//! into onboarding without a new token.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use axum::http::HeaderMap;
use connect_checkout_core::AccountId;
use futures_util::future::BoxFuture;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::session::{AuthError, SellerAuth, SignUp, SignedSessions, bearer};

/// How the platform's identity provider is reached and what its tokens must say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcSettings {
    /// `OIDC_ISSUER`: the `iss` every token must carry, exactly.
    pub issuer: String,
    /// `OIDC_AUDIENCE`: an `aud` every token must carry (the function's client id or API).
    pub audience: String,
    /// `OIDC_JWKS_URL`: where the provider publishes its public keys.
    pub jwks_url: String,
    /// `OIDC_ACCOUNT_CLAIM`: the claim that holds the user's connected account (`acct_…`).
    pub account_claim: String,
}

/// Clock skew allowed on `exp` and `nbf`, as most providers' libraries allow.
const LEEWAY_SECS: i64 = 60;
/// Keys are fetched again after this long, so a key the provider withdrew stops working.
const KEYS_MAX_AGE_SECS: i64 = 3600;
/// An unknown `kid` fetches the keys again at most this often: a flood of made-up `kid`s
/// must not become a flood of requests to the provider.
const UNKNOWN_KID_REFETCH_SECS: i64 = 10;
/// The longest a token's subject may be: it becomes Stripe metadata (500 characters at most).
const MAX_SUBJECT_LEN: usize = 255;

/// Public keys by `kid`, with the algorithms each may verify.
struct KeyCache {
    keys: HashMap<String, (DecodingKey, Vec<Algorithm>)>,
    /// When the keys were last fetched successfully, in Unix seconds.
    fetched_at: Option<i64>,
    /// When a fetch was last tried, successful or not.
    tried_at: Option<i64>,
}

impl KeyCache {
    /// Whether the keys were fetched less than `KEYS_MAX_AGE_SECS` ago.
    fn is_fresh(&self, now: i64) -> bool {
        self.fetched_at
            .is_some_and(|at| now - at < KEYS_MAX_AGE_SECS)
    }
}

/// Verifies the platform's tokens; see the module's documentation.
pub struct OidcAuth {
    settings: OidcSettings,
    http: reqwest::Client,
    keys: RwLock<KeyCache>,
    /// One fetch at a time: concurrent requests with a new `kid` wait for the same fetch.
    fetching: tokio::sync::Mutex<()>,
    sessions: SignedSessions,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(flatten)]
    other: HashMap<String, serde_json::Value>,
}

/// What a verified token says.
struct Verified {
    subject: String,
    account: Option<AccountId>,
}

impl OidcAuth {
    /// `sessions` carries the signed cookie a browser gets after signing up.
    pub fn new(settings: OidcSettings, sessions: SignedSessions) -> Self {
        crate::stripe::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            settings,
            http,
            keys: RwLock::new(KeyCache {
                keys: HashMap::new(),
                fetched_at: None,
                tried_at: None,
            }),
            fetching: tokio::sync::Mutex::new(()),
            sessions,
        }
    }

    /// The cache as it is; a panic elsewhere while it was held leaves it usable (it holds only
    /// public keys and times).
    fn read_keys(&self) -> std::sync::RwLockReadGuard<'_, KeyCache> {
        self.keys
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn cached(&self, kid: &str, now: i64) -> Option<(DecodingKey, Vec<Algorithm>)> {
        let cache = self.read_keys();
        cache
            .is_fresh(now)
            .then(|| cache.keys.get(kid).cloned())
            .flatten()
    }

    /// The key named `kid`: from the cache, or after fetching the provider's keys again.
    async fn key(&self, kid: &str, now: i64) -> Result<(DecodingKey, Vec<Algorithm>), AuthError> {
        if let Some(key) = self.cached(kid, now) {
            return Ok(key);
        }
        let _one_fetch = self.fetching.lock().await;
        // Another request may have fetched while this one waited.
        if let Some(key) = self.cached(kid, now) {
            return Ok(key);
        }
        let (stale, recently_tried) = {
            let cache = self.read_keys();
            let stale = !cache.is_fresh(now);
            let recently_tried = cache
                .tried_at
                .is_some_and(|at| now - at < UNKNOWN_KID_REFETCH_SECS);
            (stale, recently_tried)
        };
        if !stale && recently_tried {
            return Err(AuthError::Invalid);
        }
        let fetched = self.fetch_keys().await;
        let mut cache = self
            .keys
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        cache.tried_at = Some(now);
        match fetched {
            Ok(keys) => {
                cache.keys = keys;
                cache.fetched_at = Some(now);
            }
            Err(reason) => {
                tracing::warn!(jwks_url = %self.settings.jwks_url, %reason, "the identity provider's keys could not be fetched");
                // Keys fetched before still verify while the provider is unreachable: a
                // provider's outage should not sign every seller out.
                if cache.keys.is_empty() {
                    return Err(AuthError::ProviderUnavailable);
                }
            }
        }
        cache.keys.get(kid).cloned().ok_or(AuthError::Invalid)
    }

    async fn fetch_keys(&self) -> Result<HashMap<String, (DecodingKey, Vec<Algorithm>)>, String> {
        let response = self
            .http
            .get(&self.settings.jwks_url)
            .send()
            .await
            .map_err(|error| error.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("the JWKS URL answered {}", response.status()));
        }
        let body = response
            .bytes()
            .await
            .map_err(|error| error.without_url().to_string())?;
        let set: JwkSet = serde_json::from_slice(&body)
            .map_err(|error| format!("the JWKS is not a JSON Web Key Set: {error}"))?;
        let keys: HashMap<_, _> = set
            .keys
            .iter()
            .filter(|jwk| {
                !matches!(
                    jwk.common.public_key_use,
                    Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
                )
            })
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                let algorithms = algorithms_for(&jwk.algorithm)?;
                let key = DecodingKey::from_jwk(jwk).ok()?;
                Some((kid, (key, algorithms)))
            })
            .collect();
        if keys.is_empty() {
            return Err("the JWKS holds no RSA or EC signing key with a `kid`".into());
        }
        Ok(keys)
    }

    async fn verify(&self, token: &str, now: i64) -> Result<Verified, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Invalid)?;
        let kid = header.kid.as_deref().ok_or(AuthError::Invalid)?;
        let (key, algorithms) = self.key(kid, now).await?;
        if !algorithms.contains(&header.alg) {
            return Err(AuthError::Invalid);
        }
        let mut validation = Validation::new(header.alg);
        validation.algorithms = algorithms;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Time is checked below against the function's clock, which tests move.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|error| {
                tracing::info!(
                    reason = refusal_reason(error.kind()),
                    "a seller token was refused"
                );
                AuthError::Invalid
            })?
            .claims;
        if now >= claims.exp + LEEWAY_SECS {
            return Err(AuthError::Expired);
        }
        if claims.nbf.is_some_and(|nbf| now + LEEWAY_SECS < nbf) {
            return Err(AuthError::Invalid);
        }
        if claims.sub.is_empty() || claims.sub.len() > MAX_SUBJECT_LEN {
            return Err(AuthError::Invalid);
        }
        let account = match claims.other.get(&self.settings.account_claim) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(id)) if id.is_empty() => None,
            Some(serde_json::Value::String(id)) => {
                Some(AccountId::new(id.as_str()).map_err(|_| AuthError::Invalid)?)
            }
            Some(_) => return Err(AuthError::Invalid),
        };
        Ok(Verified {
            subject: claims.sub,
            account,
        })
    }

    /// The subject as sign-up records it: a digest of issuer and subject, so that it fits an
    /// Idempotency-Key whatever characters the provider's subjects use.
    fn signer(&self, subject: &str) -> String {
        let digest = Sha256::new()
            .chain_update(self.settings.issuer.as_bytes())
            .chain_update([0])
            .chain_update(subject.as_bytes())
            .finalize();
        hex::encode(digest)
    }
}

/// Why a token was refused, for the log: a fixed word, never a claim's value (a parse error's
/// message quotes the token's contents).
fn refusal_reason(kind: &jsonwebtoken::errors::ErrorKind) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::InvalidSignature => "signature",
        ErrorKind::InvalidIssuer => "issuer",
        ErrorKind::InvalidAudience => "audience",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => "algorithm",
        ErrorKind::MissingRequiredClaim(_) => "missing claim",
        _ => "malformed",
    }
}

/// The algorithms a key may verify, from its type (never from the token's header alone, so a
/// token cannot pick HMAC with the public key as the secret).
fn algorithms_for(parameters: &AlgorithmParameters) -> Option<Vec<Algorithm>> {
    match parameters {
        AlgorithmParameters::RSA(_) => Some(vec![
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ]),
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => Some(vec![Algorithm::ES256]),
            EllipticCurve::P384 => Some(vec![Algorithm::ES384]),
            _ => None,
        },
        _ => None,
    }
}

impl SellerAuth for OidcAuth {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
        now: i64,
    ) -> BoxFuture<'a, Result<AccountId, AuthError>> {
        Box::pin(async move {
            match bearer(headers) {
                Some(token) => self
                    .verify(token, now)
                    .await?
                    .account
                    .ok_or(AuthError::NoAccount),
                None => self.sessions.authenticate_cookie(headers, now),
            }
        })
    }

    fn sign_up<'a>(
        &'a self,
        headers: &'a HeaderMap,
        now: i64,
    ) -> BoxFuture<'a, Result<SignUp, AuthError>> {
        Box::pin(async move {
            let token = bearer(headers).ok_or(AuthError::Missing)?;
            let verified = self.verify(token, now).await?;
            if verified.account.is_some() {
                return Err(AuthError::AlreadyHasAccount);
            }
            Ok(SignUp::Subject {
                subject: verified.subject.clone(),
                key: self.signer(&verified.subject),
            })
        })
    }

    fn bind(&self, account: &AccountId, now: i64, secure: bool) -> HeaderMap {
        self.sessions.bind(account, now, secure)
    }

    fn unbind(&self, secure: bool) -> HeaderMap {
        self.sessions.unbind(secure)
    }
}
