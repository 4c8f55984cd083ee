//! The client of the function (`crates/function`): one async method per endpoint, each
//! returning the message types of `connect_checkout_core::api`.
//!
//! The browser parses JSON (`Response.json()`) and serde-wasm-bindgen converts the result, so
//! serde_json's parser never ships in the wasm. Every request takes an `AbortSignal`: a checkout
//! that goes away, or a cart that changes, cancels what it no longer needs.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{
    CheckoutRequest, CheckoutSession, ClientConfig, ErrorBody, ProductList, SellerList,
};
use js_sys::{JSON, Object, Reflect};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit, Response};

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

/// The function, at `base` (`""` for this page's origin, or `https://shop.example`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    base: String,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /api/config`: the publishable key and where Stripe.js comes from.
    pub async fn config(&self, signal: &AbortSignal) -> Result<ClientConfig, ApiError> {
        self.request("GET", "/api/config", None, signal).await
    }

    /// `GET /api/sellers`: the sellers that can take payments.
    pub async fn sellers(&self, signal: &AbortSignal) -> Result<SellerList, ApiError> {
        self.request("GET", "/api/sellers", None, signal).await
    }

    /// `GET /api/sellers/{seller}/products`: what one seller sells, at what price.
    pub async fn products(
        &self,
        seller: &AccountId,
        signal: &AbortSignal,
    ) -> Result<ProductList, ApiError> {
        // An `AccountId` is `acct_` and letters, digits, `_`: safe in a path as it is.
        let path = format!("/api/sellers/{seller}/products");
        self.request("GET", &path, None, signal).await
    }

    /// `POST /api/checkout`: the function prices the cart and makes (or, for the same attempt,
    /// finds again) the PaymentIntent.
    pub async fn checkout(
        &self,
        request: &CheckoutRequest,
        signal: &AbortSignal,
    ) -> Result<CheckoutSession, ApiError> {
        let body = to_json(request)?;
        self.request("POST", "/api/checkout", Some(&body), signal)
            .await
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Result<T, ApiError> {
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

        let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
        let url = format!("{}{path}", self.base);
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(fetch_failure)?
            .unchecked_into();

        let status = response.status();
        // A body that is not JSON (a proxy's HTML error page) is an unexpected answer, unless
        // the failure was the abort itself.
        let json = match response.json() {
            Ok(promise) => {
                JsFuture::from(promise)
                    .await
                    .map_err(|error| match fetch_failure(error) {
                        ApiError::Aborted => ApiError::Aborted,
                        _ => ApiError::Unexpected {
                            status,
                            detail: "the body is not JSON".into(),
                        },
                    })
            }
            Err(_) => Err(ApiError::Unexpected {
                status,
                detail: "the body is not JSON".into(),
            }),
        }?;

        if response.ok() {
            serde_wasm_bindgen::from_value(json).map_err(|error| ApiError::Unexpected {
                status,
                detail: error.to_string(),
            })
        } else {
            match serde_wasm_bindgen::from_value::<ErrorBody>(json) {
                Ok(body) => Err(ApiError::Refused { status, body }),
                Err(_) => Err(ApiError::Unexpected {
                    status,
                    detail: "an error without the function's error shape".into(),
                }),
            }
        }
    }
}

/// `value` as a JSON string, through the browser's `JSON.stringify`.
fn to_json(value: &impl Serialize) -> Result<String, ApiError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let unexpected = |detail: String| ApiError::Unexpected { status: 0, detail };
    let js = value
        .serialize(&serializer)
        .map_err(|error| unexpected(error.to_string()))?;
    JSON::stringify(&js)
        .ok()
        .and_then(|json| json.as_string())
        .ok_or_else(|| unexpected("the request could not be written as JSON".into()))
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
