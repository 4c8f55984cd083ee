//! The client of the function (`crates/function`): one async method per endpoint, each
//! returning the message types of `connect_checkout_core::api`.
//!
//! The browser parses JSON (`Response.json()`) and [`crate::wire`] reads the result, so no JSON
//! parser ships in the wasm. Every request takes an `AbortSignal`: a checkout
//! that goes away, or a cart that changes, cancels what it no longer needs. A busy function
//! (429, 503) is waited out with [`Backoff`] before the caller hears of it, unless the function
//! already retried Stripe for it (core's `retry` says who retries what, within one budget).

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{
    CheckoutRequest, CheckoutSession, ClientConfig, ErrorBody, ProductList, SellerList,
};
pub use connect_checkout_core::retry::Backoff;
use connect_checkout_core::retry::{BACKOFF, RETRIES_SPENT_HEADER, TRIES, widget_retries};
use js_sys::{Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit, Response};

use crate::wire::{FromJs, checkout_request_json, set, string};

thread_local! {
    /// The embed loader's `take(url)`: the answer to a GET it asked for while this wasm was on
    /// its way (www/embed/loader.js), each handed out once; `None` outside the embed.
    static PREFETCHED: std::cell::RefCell<Option<js_sys::Function>> =
        const { std::cell::RefCell::new(None) };
}

/// Lets the GET requests to come use what the embed's loader fetched ahead: on a phone, the
/// round trip for the configuration and the products then overlaps the wasm's download.
pub fn use_prefetched(take: js_sys::Function) {
    PREFETCHED.with_borrow_mut(|slot| *slot = Some(take));
}

/// The loader's answer for `url`, if it asked for it and nobody took it yet.
fn prefetched(url: &str) -> Option<Promise> {
    PREFETCHED.with_borrow(|take| {
        let answer = take.as_ref()?.call1(&JsValue::NULL, &url.into()).ok()?;
        (!answer.is_undefined()).then(|| answer.unchecked_into())
    })
}

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

/// What an error answer says about trying again: its `Retry-After` (seconds), and whether the
/// function already spent the retries (`retries-spent`).
#[derive(Clone, Copy, Debug, Default)]
struct RetryHints {
    retry_after_s: Option<u32>,
    retries_spent: bool,
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
            backoff: BACKOFF,
        }
    }

    /// The same function, with other waits between its tries (tests shorten them).
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

    /// One call, tried again only for what nobody retried yet (core's `widget_retries`: a 429
    /// from the function's own limiter, a 503 the function did not retry), at most core's
    /// `TRIES` times, with the waits of [`Backoff`]; the answer's JSON on success. Safe for
    /// `POST /api/checkout` too: the attempt id makes a repeated request find the same
    /// PaymentIntent. Not generic, so the loop is compiled once. The seller's pages
    /// (`crate::seller::client`) call their endpoints through it too.
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
                Err((
                    ApiError::Refused { status, .. } | ApiError::Unexpected { status, .. },
                    hints,
                )) if retry + 1 < TRIES && widget_retries(status, hints.retries_spent) => {
                    retry += 1;
                    let kept_permille = 500 + (js_sys::Math::random() * 500.0) as u32;
                    let wait = self
                        .backoff
                        .delay_ms(retry, hints.retry_after_s, kept_permille);
                    sleep_ms(wait).await;
                    if signal.aborted() {
                        return Err(ApiError::Aborted);
                    }
                }
                outcome => return outcome.map_err(|(error, _)| error),
            }
        }
    }

    /// One try: the status and JSON of a 2xx, or the error and what the answer says about
    /// trying again.
    async fn request_once(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Result<(u16, JsValue), (ApiError, RetryHints)> {
        // `fetch` through web-sys, not gloo-net's `Request` (in the tree through Leptos, used
        // without serde_json): measured on the embed, gloo-net took it from 98.24 to 100.90 KB
        // brotli (100.29 KB with a GET/POST match for its `Method`), over the 1 KB allowed.
        // Its builder makes a `Request` and a `URL` to append a query string with `format!`,
        // and its `send` formats a `Debug` panic for what `fetch` may reject with.
        let init = RequestInit::new();
        init.set_method(method);
        init.set_signal(Some(signal));
        let headers = Object::new();
        set(&headers, "accept", &"application/json".into());
        if let Some(body) = body {
            set(&headers, "content-type", &"application/json".into());
            init.set_body(&body.into());
        }
        init.set_headers(&headers);

        let window = web_sys::window()
            .ok_or((ApiError::Network("no window".into()), RetryHints::default()))?;
        let url = [self.base.as_str(), path].concat();
        // A prefetched answer that failed to arrive is asked for again here, as if it had not
        // been prefetched.
        let ahead = match body {
            None => prefetched(&url),
            Some(_) => None,
        };
        let ahead = match ahead {
            Some(promise) => JsFuture::from(promise).await.ok(),
            None => None,
        };
        let response = match ahead {
            Some(response) => response,
            None => JsFuture::from(window.fetch_with_str_and_init(&url, &init))
                .await
                .map_err(|error| (fetch_failure(error), RetryHints::default()))?,
        };
        let response: Response = response.unchecked_into();

        let status = response.status();
        let headers = response.headers();
        let hints = RetryHints {
            retry_after_s: headers
                .get("retry-after")
                .ok()
                .flatten()
                .and_then(|value| value.trim().parse().ok()),
            // `get`, not `has`: one binding fewer in the embed.
            retries_spent: headers.get(RETRIES_SPENT_HEADER).ok().flatten().is_some(),
        };
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
        .map_err(|error| (error, hints))?;

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
        Err((error, hints))
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
    if string(&error, "name").as_deref() == Some("AbortError") {
        return ApiError::Aborted;
    }
    let message = string(&error, "message").unwrap_or_else(|| "the request failed".into());
    ApiError::Network(message)
}
