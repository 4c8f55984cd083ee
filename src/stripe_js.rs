//! Typed bindings to the part of Stripe.js (v3 API) the widget uses, and its loader.
//!
//! The same code runs against js.stripe.com and against the sandbox's stand-in: which one is
//! loaded is the function's `stripe_js_url`. Only the publishable key and a PaymentIntent's
//! client secret ever pass through here; card details stay inside Stripe's iframe.
//!
//! Every call that Stripe.js documents as throwing (an `IntegrationError` for a bad key or a
//! misuse) is imported with `catch`, so a mistake becomes an error value, not a dead widget.

use std::cell::RefCell;
use std::future::Future;

use connect_checkout_core::{AccountId, Currency, Money};
use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::wire::{FromJs, field, set, string};

#[wasm_bindgen]
extern "C" {
    /// A Stripe.js instance for one publishable key and, with Connect, one account.
    #[derive(Clone, Debug)]
    pub type Stripe;

    // The global `Stripe(pk, options)`, looked up when called: Stripe.js arrives after the wasm.
    #[wasm_bindgen(js_name = Stripe, catch)]
    fn stripe_new(publishable_key: &str, options: &Object) -> Result<Stripe, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn elements(this: &Stripe, options: &Object) -> Result<Elements, JsValue>;

    #[wasm_bindgen(method, catch, js_name = confirmPayment)]
    fn confirm_payment_js(this: &Stripe, options: &Object) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = retrievePaymentIntent)]
    fn retrieve_payment_intent_js(this: &Stripe, client_secret: &str) -> Result<Promise, JsValue>;

    /// An Elements group: the Elements of one payment, made before its PaymentIntent from the
    /// amount and currency it will have.
    #[derive(Clone, Debug)]
    pub type Elements;

    #[wasm_bindgen(method, catch, js_name = create)]
    fn create_js(this: &Elements, kind: &str, options: &Object) -> Result<StripeElement, JsValue>;

    #[wasm_bindgen(method, catch, js_name = update)]
    fn update_js(this: &Elements, options: &Object) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = submit)]
    fn submit_js(this: &Elements) -> Result<Promise, JsValue>;

    /// One Element (here the Payment Element), an iframe Stripe.js owns.
    #[derive(Clone, Debug)]
    pub type StripeElement;

    #[wasm_bindgen(method, catch, js_name = mount)]
    fn mount_js(this: &StripeElement, target: &web_sys::Element) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = destroy)]
    fn destroy_js(this: &StripeElement) -> Result<(), JsValue>;

    #[wasm_bindgen(method, js_name = on)]
    fn on_js(this: &StripeElement, event: &str, handler: &Function);
}

/// Stripe.js, or an Element, refused a call (an `IntegrationError`: a bad key, a bad option).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Stripe.js refused the call: {0}")]
pub struct IntegrationError(pub String);

/// Why Stripe.js is not available.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The script failed to load (offline, blocked, a wrong URL).
    #[error("Stripe.js could not be loaded from {0}")]
    Failed(String),
    /// The script loaded but did not define `window.Stripe`.
    #[error("{0} loaded but did not define `Stripe`")]
    NotStripe(String),
}

/// The error half of `confirmPayment`'s `{error}` answer (Stripe's error object, the fields the
/// widget reads). See crates/sandbox/FIDELITY.md §Stripe.js for the `type` values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StripeError {
    /// Its `type`: `card_error`, `validation_error`, `api_connection_error`, …
    pub kind: Option<String>,
    /// `card_declined`, `incorrect_cvc`, `incomplete_number`, …
    pub code: Option<String>,
    /// For `card_declined`: `insufficient_funds`, `lost_card`, …
    pub decline_code: Option<String>,
    /// Stripe's own sentence, used when no better one is known.
    pub message: Option<String>,
}

impl StripeError {
    /// Reads Stripe's error object (or a thrown `Error`, which has a message only).
    pub fn read(value: &JsValue) -> Self {
        <Self as FromJs>::from_js(value).unwrap_or_else(|| Self {
            message: value.as_string(),
            ..Self::default()
        })
    }
}

/// The PaymentIntent fields the publishable key may read and the widget needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentIntent {
    pub id: String,
    /// `succeeded`, `processing`, `requires_payment_method`, `requires_action`, …
    pub status: String,
    pub amount: i64,
    pub currency: Currency,
    /// Where Stripe sends the receipt.
    pub receipt_email: Option<String>,
    /// Why the last confirmation failed (a decline, a failed 3-D Secure authentication).
    pub last_payment_error: Option<StripeError>,
}

impl PaymentIntent {
    pub fn amount(&self) -> Money {
        Money::new(self.amount, self.currency.clone())
    }
}

/// The theme handed to the Payment Element as `appearance` (Stripe's names, such as
/// `colorPrimary`), so the fields inside Stripe's iframe match the widget around them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Appearance {
    /// Stripe's base theme: `stripe` (light, the default), `night` (dark) or `flat`.
    pub theme: Option<String>,
    pub variables: Vec<(&'static str, String)>,
}

impl Stripe {
    /// `Stripe(publishable_key, {stripeAccount, locale})`. Stripe.js must be loaded ([`load`]).
    pub fn new(
        publishable_key: &str,
        account: Option<&AccountId>,
        locale: Option<&str>,
    ) -> Result<Self, IntegrationError> {
        let options = Object::new();
        if let Some(account) = account {
            set(&options, "stripeAccount", &account.as_str().into());
        }
        if let Some(locale) = locale {
            set(&options, "locale", &locale.into());
        }
        stripe_new(publishable_key, &options).map_err(integration_error)
    }

    /// `stripe.elements({mode: 'payment', amount, currency, onBehalfOf, appearance})`: the
    /// Elements of a payment whose PaymentIntent is made later, when the shopper presses Pay
    /// (<https://docs.stripe.com/payments/accept-a-payment-deferred>). `amount` is what the
    /// shopper is shown; `confirm_payment` refuses an intent for any other amount.
    pub fn payment_elements(
        &self,
        amount: &Money,
        on_behalf_of: Option<&AccountId>,
        appearance: &Appearance,
    ) -> Result<Elements, IntegrationError> {
        let variables = Object::new();
        for (name, value) in &appearance.variables {
            set(&variables, name, &value.into());
        }
        let appearance_js = Object::new();
        let theme = appearance.theme.as_deref().unwrap_or("stripe");
        set(&appearance_js, "theme", &theme.into());
        set(&appearance_js, "variables", &variables);
        let options = amount_options(amount);
        set(&options, "mode", &"payment".into());
        if let Some(account) = on_behalf_of {
            set(&options, "onBehalfOf", &account.as_str().into());
        }
        set(&options, "appearance", &appearance_js);
        self.elements(&options).map_err(integration_error)
    }

    /// `stripe.confirmPayment({elements, clientSecret, confirmParams: {return_url,
    /// receipt_email}, redirect: 'if_required'})`, after [`Elements::submit`]: without a
    /// redirect it ends in the PaymentIntent or Stripe's error; a 3-D Secure challenge happens
    /// in place, inside Stripe.js, before it ends.
    pub async fn confirm_payment(
        &self,
        elements: &Elements,
        client_secret: &str,
        return_url: &str,
        receipt_email: Option<&str>,
    ) -> Result<PaymentIntent, StripeError> {
        let confirm_params = Object::new();
        set(&confirm_params, "return_url", &return_url.into());
        if let Some(email) = receipt_email {
            set(&confirm_params, "receipt_email", &email.into());
        }
        let options = Object::new();
        set(&options, "elements", elements);
        set(&options, "clientSecret", &client_secret.into());
        set(&options, "confirmParams", &confirm_params);
        set(&options, "redirect", &"if_required".into());
        let promise = self
            .confirm_payment_js(&options)
            .map_err(|e| StripeError::read(&e))?;
        payment_intent_result(JsFuture::from(promise).await)
    }

    /// `stripe.retrievePaymentIntent(clientSecret)`: the PaymentIntent as the publishable key
    /// sees it (after a redirect back from `return_url`).
    pub async fn retrieve_payment_intent(
        &self,
        client_secret: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let promise = self
            .retrieve_payment_intent_js(client_secret)
            .map_err(|e| StripeError::read(&e))?;
        payment_intent_result(JsFuture::from(promise).await)
    }
}

impl Elements {
    /// `elements.create('payment')`: the Payment Element, not mounted yet.
    pub fn create_payment(&self) -> Result<StripeElement, IntegrationError> {
        self.create_js("payment", &Object::new())
            .map_err(integration_error)
    }

    /// `elements.update({amount, currency})`: the cart changed. The Element stays, and the
    /// card typed into it.
    pub fn update_amount(&self, amount: &Money) -> Result<(), IntegrationError> {
        self.update_js(&amount_options(amount))
            .map_err(integration_error)
    }

    /// `elements.submit()`: Stripe.js checks the fields (an incomplete number, say) before
    /// anything is asked of the function. Stripe.js wants it first when Pay is pressed, before
    /// any other asynchronous work.
    pub async fn submit(&self) -> Result<(), StripeError> {
        let promise = self.submit_js().map_err(|e| StripeError::read(&e))?;
        let value = JsFuture::from(promise)
            .await
            .map_err(|thrown| StripeError::read(&thrown))?;
        let error = field(&value, "error");
        if error.is_undefined() || error.is_null() {
            Ok(())
        } else {
            Err(StripeError::read(&error))
        }
    }
}

/// `{amount, currency}` as the Elements take them: minor units, a lowercase ISO code.
fn amount_options(amount: &Money) -> Object {
    let options = Object::new();
    // Exact: amounts stay far below 2^53 (the function refuses carts over Stripe's maximum).
    set(&options, "amount", &JsValue::from_f64(amount.amount as f64));
    set(&options, "currency", &amount.currency.as_str().into());
    options
}

impl StripeElement {
    /// Puts the Element's iframe into `target`.
    pub fn mount(&self, target: &web_sys::Element) -> Result<(), IntegrationError> {
        self.mount_js(target).map_err(integration_error)
    }

    /// Removes the Element from the page for good; it cannot confirm anything afterwards.
    pub fn destroy(&self) {
        // Destroying twice throws in Stripe.js; either way the Element is gone.
        let _ = self.destroy_js();
    }

    /// `element.on(event, handler)`. The handler must live as long as the Element: keep the
    /// `Closure` and drop it after [`destroy`](Self::destroy).
    pub fn on(&self, event: &str, handler: &Closure<dyn FnMut(JsValue)>) {
        self.on_js(event, handler.as_ref().unchecked_ref());
    }
}

/// Whether a Payment Element `change` event says every field is filled in and valid.
pub fn change_is_complete(event: &JsValue) -> bool {
    field(event, "complete").is_truthy()
}

thread_local! {
    /// The one load of Stripe.js on this page, shared by every checkout on it.
    static LOADING: RefCell<Option<(String, Promise)>> = const { RefCell::new(None) };
}

/// Loads Stripe.js from `url`, exactly once per page: nothing when `window.Stripe` already
/// exists (the host page loaded it), the script already on the page when one has this `src`,
/// else one injected `<script>`. Resolves when `window.Stripe` exists.
///
/// The script is requested when this is called, not when the future is first polled, so the
/// caller can fetch other things meanwhile.
pub fn load(url: &str) -> impl Future<Output = Result<(), LoadError>> + use<> {
    let url = url.to_owned();
    let pending = (!is_loaded()).then(|| {
        LOADING.with_borrow_mut(|loading| match loading {
            Some((_, promise)) => promise.clone(),
            None => {
                let promise = inject(&url);
                *loading = Some((url.clone(), promise.clone()));
                promise
            }
        })
    });
    async move {
        let Some(promise) = pending else {
            return Ok(());
        };
        let loaded = JsFuture::from(promise).await;
        if is_loaded() {
            return Ok(());
        }
        // Let a later attempt (the shopper's "Try again") inject the script afresh.
        let script = LOADING.with_borrow_mut(Option::take).map(|(src, _)| src);
        if let Some(script) = script.as_deref().and_then(find_script) {
            script.remove();
        }
        Err(match loaded {
            Ok(_) => LoadError::NotStripe(url),
            Err(_) => LoadError::Failed(url),
        })
    }
}

/// Whether `window.Stripe` is a function.
pub fn is_loaded() -> bool {
    let global = js_sys::global();
    field(&global, "Stripe").is_function()
}

/// A promise for the `<script src=url>` on the page (injected if missing) to finish loading.
fn inject(url: &str) -> Promise {
    let url = url.to_owned();
    Promise::new(&mut |resolve, reject| {
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            let _ = reject.call0(&JsValue::NULL);
            return;
        };
        let existing = find_script(&url);
        let script = match existing.clone() {
            Some(script) => script,
            None => match document.create_element("script") {
                Ok(script) => {
                    let _ = script.set_attribute("src", &url);
                    script
                }
                Err(error) => {
                    let _ = reject.call1(&JsValue::NULL, &error);
                    return;
                }
            },
        };
        let on_load = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let on_error = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        let _ = script.add_event_listener_with_callback("load", on_load.unchecked_ref());
        let _ = script.add_event_listener_with_callback("error", on_error.unchecked_ref());
        if existing.is_none() {
            let parent = document
                .head()
                .map(web_sys::Element::from)
                .or(document.document_element());
            if let Some(parent) = parent {
                let _ = parent.append_child(&script);
            }
        }
    })
}

/// The page's `<script>` whose `src` attribute is `url`.
fn find_script(url: &str) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    let scripts = document.get_elements_by_tag_name("script");
    (0..scripts.length())
        .filter_map(|index| scripts.item(index))
        .find(|script| script.get_attribute("src").as_deref() == Some(url))
}

/// `{paymentIntent}` or `{error}`, as `confirmPayment` and `retrievePaymentIntent` resolve.
fn payment_intent_result(result: Result<JsValue, JsValue>) -> Result<PaymentIntent, StripeError> {
    let value = result.map_err(|thrown| StripeError::read(&thrown))?;
    let error = field(&value, "error");
    if !error.is_undefined() && !error.is_null() {
        return Err(StripeError::read(&error));
    }
    let intent = field(&value, "paymentIntent");
    PaymentIntent::from_js(&intent).ok_or_else(|| StripeError {
        message: Some("Stripe.js answered without a PaymentIntent".into()),
        ..StripeError::default()
    })
}

fn integration_error(error: JsValue) -> IntegrationError {
    let message = string(&error, "message")
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "an unknown error".into());
    IntegrationError(message)
}

// ---------------------------------------------------------------------------------------------
// Tokens (the seller's Custom form): `stripe.createToken('bank_account', …)` turns bank details
// into a single-use `btok_…` with the publishable key, so the numbers go to Stripe only.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(method, catch, js_name = createToken)]
    fn create_token_js(this: &Stripe, kind: &str, data: &Object) -> Result<Promise, JsValue>;
}

/// A bank account for payouts, as `createToken('bank_account', …)` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccountDetails {
    /// ISO 3166-1 alpha-2 of the bank.
    pub country: String,
    /// The payout currency, such as `usd`.
    pub currency: String,
    pub account_holder_name: String,
    /// `individual` or `company`.
    pub account_holder_type: &'static str,
    /// Where banks have one (the US's 9 digits).
    pub routing_number: Option<String>,
    pub account_number: String,
}

/// Why Stripe.js made no token: Stripe's error, with the parameter at fault
/// (`bank_account[routing_number]`, …) so a form can show it against its field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenError {
    pub param: Option<String>,
    pub code: Option<String>,
    pub message: Option<String>,
}

impl TokenError {
    fn read(value: &JsValue) -> Self {
        Self {
            param: string(value, "param"),
            code: string(value, "code"),
            message: string(value, "message").or_else(|| value.as_string()),
        }
    }
}

impl Stripe {
    /// `stripe.createToken('bank_account', details)`: the token's id (`btok_…`).
    pub async fn create_bank_account_token(
        &self,
        details: &BankAccountDetails,
    ) -> Result<String, TokenError> {
        let data = Object::new();
        set(&data, "country", &details.country.as_str().into());
        set(&data, "currency", &details.currency.as_str().into());
        set(
            &data,
            "account_holder_name",
            &details.account_holder_name.as_str().into(),
        );
        set(
            &data,
            "account_holder_type",
            &details.account_holder_type.into(),
        );
        if let Some(routing) = &details.routing_number {
            set(&data, "routing_number", &routing.as_str().into());
        }
        set(
            &data,
            "account_number",
            &details.account_number.as_str().into(),
        );
        let promise = self
            .create_token_js("bank_account", &data)
            .map_err(|thrown| TokenError::read(&thrown))?;
        let answer = JsFuture::from(promise)
            .await
            .map_err(|thrown| TokenError::read(&thrown))?;
        let error = field(&answer, "error");
        if !error.is_undefined() && !error.is_null() {
            return Err(TokenError::read(&error));
        }
        string(&field(&answer, "token"), "id").ok_or_else(|| TokenError {
            message: Some("Stripe.js answered without a token".into()),
            ..TokenError::default()
        })
    }
}
