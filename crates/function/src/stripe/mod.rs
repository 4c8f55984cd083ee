//! The Stripe client: the only code in the project that sends a secret key anywhere.
//!
//! A hand-written client of the handful of endpoints the function calls, rather than
//! async-stripe, to keep the Lambda binary and its cold start small (see README "Why not
//! async-stripe" for the measurement). Every POST carries an Idempotency-Key that stays the same
//! across retries; retries follow `retry::RetryPolicy`.

pub mod objects;
pub mod operations;
pub mod retry;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use connect_checkout_core::{AccountId, StripeId};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::keys::SecretKey;
use objects::{ApiError, ErrorEnvelope};
use retry::{Outcome, RetryPolicy};

/// The API version every request pins, so Stripe's upgrades never change our wire format
/// underneath us.
pub const API_VERSION: &str = "2026-07-29.dahlia";

/// Form parameters in Stripe's bracket notation (`transfer_data[destination]`), in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.0.push((key.into(), value.to_string()));
        self
    }

    pub fn set_opt(self, key: impl Into<String>, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    fn encode(&self) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.0 {
            serializer.append_pair(key, value);
        }
        serializer.finish()
    }
}

/// A path of Stripe's API, made only of fixed text and checked ids: a value from a request
/// reaches a path only as a [`StripeId`], whose characters cannot leave their segment, so no
/// request can steer the platform's key to another endpoint (`pi_x/../../v1/balance`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiPath(String);

impl ApiPath {
    /// An object of `collection`: `/v1/payment_intents/pi_…`.
    pub fn object(collection: &'static str, id: &impl StripeId) -> Self {
        Self(format!("{collection}/{}", id.as_path_segment()))
    }

    /// A fixed sub-resource of this path: `/v1/accounts/acct_…/login_links`.
    pub fn then(mut self, fixed: &'static str) -> Self {
        self.0.push('/');
        self.0.push_str(fixed.trim_start_matches('/'));
        self
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Fixed paths only: text made at run time has no `&'static` lifetime, so it cannot become a
/// path this way.
impl From<&'static str> for ApiPath {
    fn from(fixed: &'static str) -> Self {
        Self(fixed.to_owned())
    }
}

impl std::fmt::Display for ApiPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One logical operation's Idempotency-Key: derived from what the operation is (never random
/// per try), so every retry, and every replay of the same browser attempt, reuses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `cc-<operation>-<parts joined by '-'>`; Stripe allows up to 255 characters.
    pub fn derive(operation: &str, parts: &[&str]) -> Self {
        let mut key = format!("cc-{operation}");
        for part in parts {
            key.push('-');
            key.push_str(part);
        }
        key.truncate(255);
        Self(key)
    }

    /// A fresh key for an operation that has no natural identity (an account link, a login
    /// link): made once per operation, then reused by each of its retries.
    pub fn random(operation: &str) -> Self {
        Self(format!("cc-{operation}-{:032x}", rand::random::<u128>()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a Stripe call did not give us the object we asked for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StripeError {
    /// Stripe answered with an error (after any retries).
    #[error("Stripe answered {status} {kind}/{code}: {message}",
        kind = error.kind,
        code = error.code.as_deref().unwrap_or("-"),
        message = error.message.as_deref().unwrap_or("(no message)"))]
    Api {
        status: u16,
        error: Box<ApiError>,
        request_id: Option<String>,
    },
    /// No answer at all: connection refused, reset or timed out, on every try.
    #[error("no answer from Stripe after {attempts} tries: {detail}")]
    Unreachable { attempts: u32, detail: String },
    /// An answer we could not read.
    #[error("Stripe's answer to {path} could not be read: {detail}")]
    Decode { path: String, detail: String },
}

impl StripeError {
    /// Stripe's error `code`, if it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { error, .. } => error.code.as_deref(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// rustls needs one process-wide crypto provider before any HTTP client is built; ring is the
/// smaller of the two. Installing twice (tests build many clients) is harmless, hence the
/// ignored result.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A cheap-to-clone handle on one Stripe platform account's API.
#[derive(Clone)]
pub struct StripeClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    api_base: String,
    /// Replaced in place when the key file changes (see `config::watch_key_file`); each try
    /// reads the current key, so a rotation never fails a request in flight.
    secret_key: RwLock<SecretKey>,
    retry: RetryPolicy,
    /// Set when Stripe refuses the key itself (401), cleared by the next success: what
    /// `/healthz` reports.
    key_problem: Mutex<Option<String>>,
    /// Every HTTP request sent to Stripe, retries included: what a checkout costs in calls.
    requests_sent: AtomicU64,
}

impl StripeClient {
    pub fn new(api_base: &str, secret_key: SecretKey, retry: RetryPolicy) -> Self {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("connect-checkout/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .timeout(retry.attempt_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                http,
                api_base: api_base.trim_end_matches('/').to_owned(),
                secret_key: RwLock::new(secret_key),
                retry,
                key_problem: Mutex::new(None),
                requests_sent: AtomicU64::new(0),
            }),
        }
    }

    /// The key in use now.
    pub fn secret_key(&self) -> SecretKey {
        match self.inner.secret_key.read() {
            Ok(key) => key.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Switches to `key` for every call from now on; calls already sent finish with the old one.
    pub fn replace_secret_key(&self, key: SecretKey) {
        match self.inner.secret_key.write() {
            Ok(mut current) => *current = key,
            Err(poisoned) => *poisoned.into_inner() = key,
        }
        self.set_key_problem(None);
    }

    /// How many HTTP requests this client (and its clones) sent to Stripe so far, retries
    /// included.
    pub fn requests_sent(&self) -> u64 {
        self.inner.requests_sent.load(Ordering::Relaxed)
    }

    /// Why Stripe last refused the key, if it did since the last success.
    pub fn key_problem(&self) -> Option<String> {
        self.inner
            .key_problem
            .lock()
            .map_or(None, |problem| problem.clone())
    }

    fn set_key_problem(&self, problem: Option<String>) {
        if let Ok(mut current) = self.inner.key_problem.lock() {
            *current = problem;
        }
    }

    /// `GET path?query`, on `account` when given (the `Stripe-Account` header).
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: impl Into<ApiPath>,
        query: &Params,
        account: Option<&AccountId>,
    ) -> Result<T, StripeError> {
        self.send(Method::GET, &path.into(), query, account, None, true)
            .await
    }

    /// `POST path` with a form body, on `account` when given, with an Idempotency-Key that all
    /// retries share.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: impl Into<ApiPath>,
        form: &Params,
        account: Option<&AccountId>,
        idempotency_key: &IdempotencyKey,
    ) -> Result<T, StripeError> {
        let key = Some(idempotency_key);
        self.send(Method::POST, &path.into(), form, account, key, true)
            .await
    }

    /// `POST path` as Stripe.js sends it: no secret key, the publishable key in the form's
    /// `key` field. Only the doctor uses it, to see which account a publishable key belongs to.
    pub async fn post_with_publishable_key<T: DeserializeOwned>(
        &self,
        path: impl Into<ApiPath>,
        form: &Params,
        idempotency_key: &IdempotencyKey,
    ) -> Result<T, StripeError> {
        let key = Some(idempotency_key);
        self.send(Method::POST, &path.into(), form, None, key, false)
            .await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &ApiPath,
        params: &Params,
        account: Option<&AccountId>,
        idempotency_key: Option<&IdempotencyKey>,
        with_secret_key: bool,
    ) -> Result<T, StripeError> {
        let inner = &self.inner;
        let path = path.as_str();
        let started = Instant::now();
        let encoded = params.encode();
        let url = if method == Method::GET && !encoded.is_empty() {
            format!("{}{path}?{encoded}", inner.api_base)
        } else {
            format!("{}{path}", inner.api_base)
        };
        let mut retries = 0;
        loop {
            let key = self.secret_key();
            let mut request = inner
                .http
                .request(method.clone(), &url)
                .header("Stripe-Version", API_VERSION);
            if with_secret_key {
                request = request.bearer_auth(key.expose());
            }
            if let Some(account) = account {
                request = request.header("Stripe-Account", account.as_str());
            }
            if let Some(key) = idempotency_key {
                request = request.header("Idempotency-Key", key.as_str());
            }
            if method == Method::POST {
                request = request
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(encoded.clone());
            }

            inner.requests_sent.fetch_add(1, Ordering::Relaxed);
            let timer = crate::timing::StripeCallTimer::start();
            let (outcome, result) = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let should_retry =
                        header(&response, "stripe-should-retry").map(|value| value == "true");
                    let request_id = header(&response, "request-id");
                    let body = response.bytes().await;
                    tracing::debug!(%method, path, status, retries, request_id, "stripe call");
                    match body {
                        Ok(body) => {
                            let answer = read_answer(path, status, request_id, &body);
                            if with_secret_key {
                                self.note_key_health(&key, &answer);
                            }
                            (
                                Outcome::Answer {
                                    status,
                                    should_retry,
                                },
                                answer,
                            )
                        }
                        Err(error) => (Outcome::NoAnswer, Err(unreachable(retries, &error))),
                    }
                }
                Err(error) => {
                    tracing::debug!(%method, path, retries, error = %error, "stripe call failed");
                    (Outcome::NoAnswer, Err(unreachable(retries, &error)))
                }
            };
            drop(timer);
            let Err(error) = result else { return result };
            if !outcome.is_retryable() || retries >= inner.retry.max_retries {
                return Err(error);
            }
            retries += 1;
            let delay = inner.retry.delay(retries, rand::random_range(500..=1_000));
            if started.elapsed() + delay > inner.retry.budget {
                return Err(error);
            }
            tracing::info!(%method, path, retries, delay_ms = delay.as_millis() as u64, "retrying stripe call");
            tokio::time::sleep(delay).await;
        }
    }
}

impl StripeClient {
    /// Stripe's clock, from the `Date` header of a cheap authenticated call, in unix seconds.
    pub async fn server_time(&self) -> Result<i64, StripeError> {
        let url = format!("{}/v1/account", self.inner.api_base);
        let response = self
            .inner
            .http
            .get(&url)
            .bearer_auth(self.secret_key().expose())
            .header("Stripe-Version", API_VERSION)
            .send()
            .await
            .map_err(|error| unreachable(0, &error))?;
        let date = header(&response, "date").ok_or_else(|| StripeError::Decode {
            path: "/v1/account".into(),
            detail: "no Date header".into(),
        })?;
        let time = httpdate::parse_http_date(&date).map_err(|error| StripeError::Decode {
            path: "/v1/account".into(),
            detail: format!("Date header `{date}`: {error}"),
        })?;
        Ok(time
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64))
    }

    /// Remembers whether Stripe accepted `key`, for `/healthz` and the operator's log.
    fn note_key_health<T>(&self, key: &SecretKey, answer: &Result<T, StripeError>) {
        match answer {
            Ok(_) => self.set_key_problem(None),
            Err(StripeError::Api {
                status: 401, error, ..
            }) => {
                let why = match error.code.as_deref() {
                    Some("api_key_expired") => "has expired (api_key_expired): switch to the \
                        rolled key in STRIPE_SECRET_KEY"
                        .to_owned(),
                    _ => "is not valid (revoked, deleted or mistyped): set a current key in \
                        STRIPE_SECRET_KEY"
                        .to_owned(),
                };
                let problem = format!(
                    "Stripe refused the secret key {}: it {why}",
                    key.fingerprint()
                );
                tracing::error!(problem = %problem, "stripe key refused");
                self.set_key_problem(Some(problem));
            }
            Err(_) => {}
        }
    }
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)?
        .to_str()
        .ok()
        .map(str::to_owned)
}

fn unreachable(retries: u32, error: &reqwest::Error) -> StripeError {
    // reqwest's messages name the URL, never headers, so the key cannot appear here.
    StripeError::Unreachable {
        attempts: retries + 1,
        detail: error.to_string(),
    }
}

fn read_answer<T: DeserializeOwned>(
    path: &str,
    status: u16,
    request_id: Option<String>,
    body: &[u8],
) -> Result<T, StripeError> {
    let decode_error = |detail: String| StripeError::Decode {
        path: path.to_owned(),
        detail,
    };
    if (200..300).contains(&status) {
        return serde_json::from_slice(body).map_err(|error| decode_error(error.to_string()));
    }
    match serde_json::from_slice::<ErrorEnvelope>(body) {
        Ok(envelope) => Err(StripeError::Api {
            status,
            error: Box::new(envelope.error),
            request_id,
        }),
        // Proxies and load balancers answer 502/503 with HTML; keep the status, which is what
        // the retry rules and the error mapping need.
        Err(_) => Err(StripeError::Api {
            status,
            error: Box::new(ApiError {
                kind: "api_error".into(),
                message: Some(format!("HTTP {status} without a Stripe error body")),
                ..ApiError::default()
            }),
            request_id,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_encode_brackets_and_spaces_as_a_form() {
        let params = Params::new()
            .set("amount", 1200)
            .set("transfer_data[destination]", "acct_1")
            .set("description", "2 × House Blend");
        assert_eq!(
            params.encode(),
            "amount=1200&transfer_data%5Bdestination%5D=acct_1&description=2+%C3%97+House+Blend"
        );
    }

    #[test]
    fn paths_are_fixed_text_and_checked_ids() {
        let account = AccountId::new("acct_1Seller").unwrap_or_else(|_| unreachable!());
        let path = ApiPath::object("/v1/accounts", &account).then("login_links");
        assert_eq!(path.as_str(), "/v1/accounts/acct_1Seller/login_links");
        assert_eq!(ApiPath::from("/v1/prices").as_str(), "/v1/prices");
    }

    #[test]
    fn idempotency_keys_are_stable_and_bounded() {
        let a = IdempotencyKey::derive("checkout", &["acct_1", "attempt-1"]);
        let b = IdempotencyKey::derive("checkout", &["acct_1", "attempt-1"]);
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "cc-checkout-acct_1-attempt-1");
        let long = "x".repeat(400);
        assert_eq!(IdempotencyKey::derive("op", &[&long]).as_str().len(), 255);
    }
}
