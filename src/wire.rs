//! The messages the widget receives, read from the values the browser parsed (`Response.json()`,
//! Stripe.js's answers) into the types of `connect_checkout_core::api` and [`crate::stripe_js`].
//!
//! Why not serde: the function's messages read by their derived `Deserialize` through
//! serde-wasm-bindgen 0.6.5 (Stripe.js's still read here) took the embed from 98.24 to
//! 119.62 KB brotli, measured; most of it serde's error paths, whose messages format floats
//! and so pull in `core::fmt`'s float printing. These readers are a few field lookups each. They are as strict
//! as serde for what the widget relies on (required fields, checked ids and currencies) and, as
//! serde, ignore fields they do not know. Enums are read by their `from_name`s (crates/core), whose
//! names a core test checks against serde's.
//!
//! The one message the widget sends, `CheckoutRequest`, is written by [`checkout_request_json`].

use connect_checkout_core::api::{
    AccountKind, CartItem, ChargeType, CheckoutLine, CheckoutRequest, CheckoutSession,
    ClientConfig, ErrorBody, ErrorCode, ErrorDetail, FieldError, Mode, Product, ProductList,
    Seller, SellerList,
};
use connect_checkout_core::{AccountId, Currency, Money, PriceId};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::stripe_js::{PaymentIntent, StripeError};

/// A type read from a browser value; `None` when the value does not have its shape.
pub trait FromJs: Sized {
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// The value of `object[name]` (`undefined` when missing or when `object` is no object).
pub fn field(object: &JsValue, name: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[name]` when it is a string.
pub fn string(object: &JsValue, name: &str) -> Option<String> {
    field(object, name).as_string()
}

/// `object[name]` when it is a whole number that `f64` holds exactly.
pub(crate) fn integer(object: &JsValue, name: &str) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_991.0; // 2^53 − 1
    let number = field(object, name).as_f64()?;
    (number.fract() == 0.0 && number.abs() <= EXACT).then_some(number as i64)
}

/// `object[name]`, read as `T` unless it is missing or `null`.
pub(crate) fn optional<T: FromJs>(object: &JsValue, name: &str) -> Option<Option<T>> {
    let value = field(object, name);
    if value.is_undefined() || value.is_null() {
        return Some(None);
    }
    T::from_js(&value).map(Some)
}

/// `object[name]` as a list of `T`, every element well formed.
pub(crate) fn list<T: FromJs>(object: &JsValue, name: &str) -> Option<Vec<T>> {
    let value = field(object, name);
    if !Array::is_array(&value) {
        return None;
    }
    // A loop, not `.map(..).collect::<Option<Vec<_>>>()`: the collecting adapter, once per
    // element type, cost the embed 0.7 KB brotli (measured), this loop none of it.
    let array = Array::from(&value);
    let mut items = Vec::with_capacity(array.length() as usize);
    for item in array.iter() {
        items.push(T::from_js(&item)?);
    }
    Some(items)
}

impl FromJs for String {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl FromJs for Currency {
    fn from_js(value: &JsValue) -> Option<Self> {
        Currency::new(&value.as_string()?).ok()
    }
}

impl FromJs for AccountId {
    fn from_js(value: &JsValue) -> Option<Self> {
        AccountId::new(value.as_string()?).ok()
    }
}

impl FromJs for Money {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Money::new(
            integer(value, "amount")?,
            Currency::from_js(&field(value, "currency"))?,
        ))
    }
}

impl FromJs for ClientConfig {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(ClientConfig {
            publishable_key: string(value, "publishable_key")?,
            stripe_js_url: string(value, "stripe_js_url")?,
            mode: Mode::from_name(&string(value, "mode")?)?,
            account_kinds: account_kinds(value),
            // Missing from a function that predates it (direct charges then); one this build
            // does not know cannot be guessed: the Payment Element would be on the wrong account.
            charge_type: match string(value, "charge_type").as_deref() {
                None => ChargeType::default(),
                Some(name) => ChargeType::from_name(name)?,
            },
        })
    }
}

/// The kinds of account the platform offers, for the seller's onboarding. Kinds this build does
/// not know (a newer function) are left out; a function that predates the field sends none.
#[cfg(feature = "demo")]
fn account_kinds(config: &JsValue) -> Vec<AccountKind> {
    let kinds = field(config, "account_kinds");
    if !Array::is_array(&kinds) {
        return Vec::new();
    }
    Array::from(&kinds)
        .iter()
        .filter_map(|kind| AccountKind::from_name(&kind.as_string()?))
        .collect()
}

/// None in the embed, which has no seller's pages: reading them cost it 0.3 KB (brotli).
#[cfg(not(feature = "demo"))]
fn account_kinds(_config: &JsValue) -> Vec<AccountKind> {
    Vec::new()
}

impl FromJs for Seller {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Seller {
            id: AccountId::from_js(&field(value, "id"))?,
            display_name: string(value, "display_name")?,
            default_currency: optional(value, "default_currency")?,
        })
    }
}

impl FromJs for SellerList {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(SellerList {
            sellers: list(value, "sellers")?,
        })
    }
}

impl FromJs for Product {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Product {
            price: PriceId::new(string(value, "price")?).ok()?,
            name: string(value, "name")?,
            description: optional(value, "description")?,
            unit_amount: Money::from_js(&field(value, "unit_amount"))?,
        })
    }
}

impl FromJs for ProductList {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(ProductList {
            seller: Seller::from_js(&field(value, "seller"))?,
            products: list(value, "products")?,
        })
    }
}

impl FromJs for CheckoutLine {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(CheckoutLine {
            seller: AccountId::new(string(value, "seller")?).ok()?,
            price: PriceId::new(string(value, "price")?).ok()?,
            name: string(value, "name")?,
            quantity: u32::try_from(integer(value, "quantity")?).ok()?,
            unit_amount: Money::from_js(&field(value, "unit_amount"))?,
            amount: Money::from_js(&field(value, "amount"))?,
        })
    }
}

impl FromJs for CheckoutSession {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(CheckoutSession {
            payment_intent: string(value, "payment_intent")?,
            client_secret: string(value, "client_secret")?,
            stripe_account: optional(value, "stripe_account")?,
            seller: Seller::from_js(&field(value, "seller"))?,
            sellers: list(value, "sellers")?,
            lines: list(value, "lines")?,
            total: Money::from_js(&field(value, "total"))?,
            transfer_group: optional(value, "transfer_group")?,
        })
    }
}

impl FromJs for ErrorBody {
    /// `fields` are read for the seller's forms, which show each against its field; a list
    /// that is missing or malformed reads as none.
    fn from_js(value: &JsValue) -> Option<Self> {
        let error = field(value, "error");
        Some(ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::from_name(&string(&error, "code")?),
                message: string(&error, "message")?,
                decline_code: optional(&error, "decline_code")?,
                fields: list(&error, "fields").unwrap_or_default(),
            },
        })
    }
}

impl FromJs for FieldError {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(FieldError {
            field: string(value, "field")?,
            message: string(value, "message")?,
        })
    }
}

impl FromJs for StripeError {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.is_object().then(|| StripeError {
            kind: string(value, "type"),
            code: string(value, "code"),
            decline_code: string(value, "decline_code"),
            message: string(value, "message"),
        })
    }
}

impl FromJs for PaymentIntent {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(PaymentIntent {
            id: string(value, "id")?,
            status: string(value, "status")?,
            amount: integer(value, "amount")?,
            currency: Currency::from_js(&field(value, "currency"))?,
            receipt_email: string(value, "receipt_email"),
            last_payment_error: optional(value, "last_payment_error")?,
        })
    }
}

/// `request` as the JSON `POST /api/checkout` takes, through the browser's `JSON.stringify`.
pub fn checkout_request_json(request: &CheckoutRequest) -> Option<String> {
    let items = Array::new();
    for CartItem {
        price,
        quantity,
        seller,
    } in &request.items
    {
        let item = Object::new();
        set(&item, "price", &price.as_str().into());
        set(&item, "quantity", &(*quantity).into());
        if let Some(seller) = seller {
            set(&item, "seller", &seller.as_str().into());
        }
        items.push(&item);
    }
    let body = Object::new();
    if let Some(seller) = &request.seller {
        set(&body, "seller", &seller.as_str().into());
    }
    set(&body, "items", &items);
    set(&body, "attempt", &request.attempt.as_str().into());
    if let Some(email) = &request.email {
        set(&body, "email", &email.into());
    }
    to_json(&body)
}

/// `object[key] = value`: the one way the widget writes the plain objects it hands to the
/// browser (`fetch`'s headers, the request's body), to Stripe.js (options) and to the host
/// page (the embed's events).
pub fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a fresh plain object's own property cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}

/// `value` as JSON text, by the browser's `JSON.stringify`; `None` when it cannot be written
/// (a cycle, a BigInt). The widget's one JSON writer: reading goes the other way, parsed by
/// the browser (`Response.json()` in [`crate::api`]) and read by the [`FromJs`] readers here.
pub fn to_json(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok()?.as_string()
}
