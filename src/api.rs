//! The client of the function (`crates/function`): one async method per endpoint, each
//! returning the message types of `connect_checkout_core::api`.
//!
//! The browser parses JSON (`Response.json()`) and [`crate::wire`] reads the result, so no JSON
//! parser ships in the wasm. Every request takes an `AbortSignal`: a checkout
//! that goes away, or a cart that changes, cancels what it no longer needs. A busy function
//! (429, 503) is waited out with [`Backoff`] before the caller hears of it.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{
    CheckoutRequest, CheckoutSession, ClientConfig, ErrorBody, ProductList, SellerList,
};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit, Response};

use crate::wire::{FromJs, checkout_request_json};

/// Why a call to the function did not give the answer asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The function could not be reached: offline, connection refused or reset, CORS.
    #[error("the checkout service could not be reached: {0}")]
    Network(String),
    /// The function answered with its error shape (`{"error": {"code", "message"}}`).
    #[error("the checkout service refused the request ({status}): {}", .body.error.message)]
    Refused { status: u16, body: ErrorBody },
    /// An answer that is neither the expected message nor the function's error shape.
    #[error("unexpected answer from the checkout service ({status}): {detail}")]
    Unexpected { status: u16, detail: String },
    /// Cancelled through the `AbortSignal`: nobody is waiting for the answer any more.
    #[error("the request was cancelled")]
    Aborted,
}

/// How the client waits out a busy function: a 429 or 503 answer (the function or Stripe behind
/// it is rate-limited or unavailable) is asked again after a growing, jittered wait, at most
/// `retries` times, then reported. Safe for `POST /api/checkout` too: the attempt id makes a
/// repeated request find the same PaymentIntent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Tries after the first.
    pub retries: u32,
    /// The wait before the first retry; each later one doubles, up to `max_ms`. A longer
    /// `Retry-After` from the function is honoured, within `max_ms`.
    pub first_ms: u32,
    pub max_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            retries: 3,
            first_ms: 500,
            max_ms: 4_000,
        }
    }
}

impl Backoff {
    /// The wait before retry number `retry` (1-based), given the answer's `Retry-After` in
    /// seconds, times a `jitter` in [0.5, 1] so that many shoppers do not retry in step.
    pub fn delay_ms(&self, retry: u32, retry_after_s: Option<u32>, jitter: f64) -> u32 {
        let grown = self
            .first_ms
            .saturating_mul(1 << retry.saturating_sub(1).min(16));
        let asked = retry_after_s.map_or(0, |s| s.saturating_mul(1000));
        let base = grown.max(asked).min(self.max_ms);
        // `as` saturates; the product is at most `max_ms`.
        (f64::from(base) * jitter.clamp(0.5, 1.0)) as u32
    }
}

/// The function, at `base` (`""` for this page's origin, or `https://shop.example`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    base: String,
    backoff: Backoff,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            backoff: Backoff::default(),
        }
    }

    /// The same function, waiting out 429 and 503 answers as `backoff` says.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// `GET /api/config`: the publishable key and where Stripe.js comes from.
    pub async fn config(&self, signal: &AbortSignal) -> Result<ClientConfig, ApiError> {
        parse(self.request("GET", "/api/config", None, signal).await?)
    }

    /// `GET /api/sellers`: the sellers that can take payments.
    pub async fn sellers(&self, signal: &AbortSignal) -> Result<SellerList, ApiError> {
        parse(self.request("GET", "/api/sellers", None, signal).await?)
    }

    /// `GET /api/sellers/{seller}/products`: what one seller sells, at what price.
    pub async fn products(
        &self,
        seller: &AccountId,
        signal: &AbortSignal,
    ) -> Result<ProductList, ApiError> {
        // An `AccountId` is `acct_` and letters, digits, `_`: safe in a path as it is.
        let path = ["/api/sellers/", seller.as_str(), "/products"].concat();
        parse(self.request("GET", &path, None, signal).await?)
    }

    /// `POST /api/checkout`: the function prices the cart and makes (or, for the same attempt,
    /// finds again) the PaymentIntent.
    pub async fn checkout(
        &self,
        request: &CheckoutRequest,
        signal: &AbortSignal,
    ) -> Result<CheckoutSession, ApiError> {
        let body = checkout_request_json(request).ok_or_else(|| ApiError::Unexpected {
            status: 0,
            detail: "the request could not be written as JSON".into(),
        })?;
        parse(
            self.request("POST", "/api/checkout", Some(&body), signal)
                .await?,
        )
    }

    /// `POST /api/checkout/{payment_intent}/transfers`: the function pays the sellers of a
    /// succeeded marketplace order (or finds the transfers its webhook made). Only whether it
    /// worked matters to the widget, so the answer is not read.
    pub async fn transfers(
        &self,
        payment_intent: &str,
        signal: &AbortSignal,
    ) -> Result<(), ApiError> {
        // Stripe's ids are letters, digits and `_`; anything else stays out of the path.
        if !payment_intent
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(ApiError::Unexpected {
                status: 0,
                detail: "not a PaymentIntent id".into(),
            });
        }
        let path = ["/api/checkout/", payment_intent, "/transfers"].concat();
        self.request("POST", &path, None, signal).await.map(drop)
    }

    /// One call, with the waits of [`Backoff`] between tries; the answer's JSON on success.
    /// Not generic, so the loop is compiled once. The seller's pages (`crate::seller::client`)
    /// call their endpoints through it too.
    pub(crate) async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Result<(u16, JsValue), ApiError> {
        let mut retry = 0;
        loop {
            match self.request_once(method, path, body, signal).await {
                Err((ApiError::Refused { status, .. }, retry_after))
                    if (status == 429 || status == 503) && retry < self.backoff.retries =>
                {
                    retry += 1;
                    let wait = self.backoff.delay_ms(
                        retry,
                        retry_after,
                        js_sys::Math::random() * 0.5 + 0.5,
                    );
                    sleep_ms(wait).await;
                    if signal.aborted() {
                        return Err(ApiError::Aborted);
                    }
                }
                outcome => return outcome.map_err(|(error, _)| error),
            }
        }
    }

    /// One try: the status and JSON of a 2xx, or the error and the answer's `Retry-After`.
    async fn request_once(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Result<(u16, JsValue), (ApiError, Option<u32>)> {
        let init = RequestInit::new();
        init.set_method(method);
        init.set_signal(Some(signal));
        let headers = Object::new();
        set(&headers, "accept", "application/json");
        if let Some(body) = body {
            set(&headers, "content-type", "application/json");
            init.set_body(&body.into());
        }
        init.set_headers(&headers);

        let window = web_sys::window().ok_or((ApiError::Network("no window".into()), None))?;
        let url = [self.base.as_str(), path].concat();
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(|error| (fetch_failure(error), None))?
            .unchecked_into();

        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|value| value.trim().parse().ok());
        let not_json = || ApiError::Unexpected {
            status,
            detail: "the body is not JSON".into(),
        };
        // A body that is not JSON (a proxy's HTML error page) is an unexpected answer, unless
        // the failure was the abort itself.
        let json = match response.json() {
            Ok(promise) => {
                JsFuture::from(promise)
                    .await
                    .map_err(|error| match fetch_failure(error) {
                        ApiError::Aborted => ApiError::Aborted,
                        _ => not_json(),
                    })
            }
            Err(_) => Err(not_json()),
        }
        .map_err(|error| (error, retry_after))?;

        if response.ok() {
            return Ok((status, json));
        }
        let error = match ErrorBody::from_js(&json) {
            Some(body) => ApiError::Refused { status, body },
            None => ApiError::Unexpected {
                status,
                detail: "an error without the function's error shape".into(),
            },
        };
        Err((error, retry_after))
    }
}

/// The message in a 2xx answer's JSON.
fn parse<T: FromJs>((status, json): (u16, JsValue)) -> Result<T, ApiError> {
    T::from_js(&json).ok_or_else(|| ApiError::Unexpected {
        status,
        detail: "the answer does not have the expected shape".into(),
    })
}

/// Resolves after `ms` milliseconds, on the browser's clock.
pub(crate) async fn sleep_ms(ms: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(i32::MAX),
            );
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// What a rejected `fetch` means: an abort we asked for, or a network failure.
fn fetch_failure(error: JsValue) -> ApiError {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|name| name.as_string());
    if name.as_deref() == Some("AbortError") {
        return ApiError::Aborted;
    }
    let message = Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| "the request failed".into());
    ApiError::Network(message)
}

fn set(object: &Object, key: &str, value: &str) {
    // Setting a fresh plain object's own property cannot fail.
    let _ = Reflect::set(object, &key.into(), &value.into());
}
