//! The real checkout component, in headless Chromium, against a stand-in for the function and
//! Stripe.js in the same page (tests/fixtures/fake_stack.js): the steps between the shopper's
//! actions and the requests, the attempt ids, the Payment Elements made, updated and destroyed.
//! The PaymentIntent is asked for only when Pay is pressed (the deferred-intent flow).
//! End-to-end tests (e2e/tests/shopper.rs) do the same against the real function and sandbox.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`.
#![allow(clippy::unwrap_used)]

use connect_checkout::api::{Api, ApiError, Backoff};
use connect_checkout::i18n::EN;
use connect_checkout::{CheckoutEvent, CheckoutOptions, mount_checkout, mount_checkout_with};
use connect_checkout_core::AccountId;
use connect_checkout_core::retry::TRIES;
use js_sys::{Array, Function, JSON, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const CONFIG: &str =
    r#"{"publishable_key":"pk_test_fake","stripe_js_url":"/fake/stripe.js","mode":"sandbox"}"#;
const LUMEN: &str =
    r#"{"id":"acct_1Lumen","display_name":"Lumen Coffee","default_currency":"usd"}"#;
const KYOTO: &str =
    r#"{"id":"acct_1Kyoto","display_name":"Kyoto Tea House","default_currency":"jpy"}"#;

fn sellers() -> String {
    format!(r#"{{"sellers":[{LUMEN},{KYOTO}]}}"#)
}

fn lumen_products() -> String {
    format!(
        r#"{{"seller":{LUMEN},"products":[
            {{"price":"price_1Mug","name":"Mug","description":null,"unit_amount":{{"amount":1200,"currency":"usd"}}}},
            {{"price":"price_1Beans","name":"Beans","description":"Roasted","unit_amount":{{"amount":2450,"currency":"usd"}}}}]}}"#
    )
}

fn kyoto_products() -> String {
    format!(
        r#"{{"seller":{KYOTO},"products":[
            {{"price":"price_1Sencha","name":"Sencha","description":null,"unit_amount":{{"amount":1500,"currency":"jpy"}}}}]}}"#
    )
}

/// The function's answer for PaymentIntent `n`: one line of `quantity` mugs.
fn session(n: u32, quantity: i64) -> String {
    session_at(n, quantity, 1200)
}

/// [`session`] with mugs at `unit` cents: the function's price, whatever the page showed.
fn session_at(n: u32, quantity: i64, unit: i64) -> String {
    let amount = unit * quantity;
    format!(
        r#"{{"payment_intent":"pi_{n}","client_secret":"pi_{n}_secret_x","stripe_account":"acct_1Lumen",
            "seller":{LUMEN},"sellers":[{LUMEN}],
            "lines":[{{"seller":"acct_1Lumen","price":"price_1Mug","name":"Mug","quantity":{quantity},
                "unit_amount":{{"amount":{unit},"currency":"usd"}},"amount":{{"amount":{amount},"currency":"usd"}}}}],
            "total":{{"amount":{amount},"currency":"usd"}}}}"#
    )
}

fn ok(body: &str) -> String {
    format!(r#"{{"status":200,"body":{body}}}"#)
}

fn error(status: u16, code: &str) -> String {
    error_with_headers(status, code, "")
}

/// [`error`] from a function that already retried the Stripe call behind it.
fn error_after_retries(status: u16, code: &str) -> String {
    error_with_headers(status, code, r#","retries-spent":"true""#)
}

fn error_with_headers(status: u16, code: &str, more_headers: &str) -> String {
    format!(
        r#"{{"status":{status},"body":{{"error":{{"code":"{code}","message":"m"}}}},
            "headers":{{"content-type":"application/json","retry-after":"0"{more_headers}}}}}"#
    )
}

const NETWORK: &str = r#"{"network":true}"#;

fn succeeded(n: u32, amount: i64, email: &str) -> String {
    format!(
        r#"{{"paymentIntent":{{"id":"pi_{n}","status":"succeeded","amount":{amount},"currency":"usd",
            "client_secret":"pi_{n}_secret_x","receipt_email":{email}}}}}"#
    )
}

/// Runs `code` (a JS function body) in the page.
fn js(code: &str) -> JsValue {
    Function::new_no_args(code).call0(&JsValue::NULL).unwrap()
}

/// A fresh fake stack answering `answers` (JSON: path → list of answers).
fn install(answers: &[(&str, Vec<String>)]) {
    js(include_str!("fixtures/fake_stack.js"));
    let fake = fake();
    let table = js_sys::Object::new();
    for (path, list) in answers {
        let list = JSON::parse(&format!("[{}]", list.join(","))).unwrap();
        Reflect::set(&table, &(*path).into(), &list).unwrap();
    }
    Reflect::set(&fake, &"answers".into(), &table).unwrap();
}

/// The usual answers: Lumen and Kyoto, Lumen's two products, and `checkout` for the cart.
fn standard(checkout: Vec<String>) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("/api/config", vec![ok(CONFIG)]),
        ("/api/sellers", vec![ok(&sellers())]),
        (
            "/api/sellers/acct_1Lumen/products",
            vec![ok(&lumen_products())],
        ),
        (
            "/api/sellers/acct_1Kyoto/products",
            vec![ok(&kyoto_products())],
        ),
        ("/api/checkout", checkout),
    ]
}

fn set_results(name: &str, results: &[String]) {
    let list = JSON::parse(&format!("[{}]", results.join(","))).unwrap();
    Reflect::set(&fake(), &name.into(), &list).unwrap();
}

fn fake() -> JsValue {
    Reflect::get(&js_sys::global(), &"__fake".into()).unwrap()
}

fn list(name: &str) -> Vec<JsValue> {
    Array::from(&Reflect::get(&fake(), &name.into()).unwrap()).to_vec()
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |value, key| {
        Reflect::get(&value, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

/// The JSON bodies of the `POST /api/checkout` requests so far.
fn checkout_bodies() -> Vec<JsValue> {
    list("requests")
        .into_iter()
        .filter(|r| get(r, "path").as_string().as_deref() == Some("/api/checkout"))
        .map(|r| JSON::parse(&get(&r, "body").as_string().unwrap()).unwrap())
        .collect()
}

fn attempt(body: &JsValue) -> String {
    get(body, "attempt").as_string().unwrap()
}

fn elements() -> Vec<JsValue> {
    list("elements")
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector)
        .text_content()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn state(root: &Element) -> String {
    find(root, r#"[data-role="checkout"]"#)
        .get_attribute("data-state")
        .unwrap_or_default()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (at most `seconds`) until `done` holds.
async fn wait_for(what: &str, seconds: u32, done: impl Fn() -> bool) {
    for _ in 0..seconds * 50 {
        if done() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out after {seconds} s waiting for {what}");
}

struct Checkout {
    root: Element,
    /// Dropping it unmounts the checkout (its requests cancelled, its Element destroyed).
    _handle: Box<dyn std::any::Any>,
}

fn mount(seller: Option<&str>) -> Checkout {
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let options = CheckoutOptions {
        seller: seller.map(|s| AccountId::new(s).unwrap()),
        locale: Some("en-US".into()),
        ..CheckoutOptions::default()
    };
    let handle = mount_checkout(container.clone(), options);
    Checkout {
        root: container.into(),
        _handle: Box::new(handle),
    }
}

/// Waits until the checkout is payable. Effects run after a tick: the DOM shows a change of
/// phase only then.
async fn ready(checkout: &Checkout) {
    leptos::task::tick().await;
    wait_for("a payable checkout", 5, || state(&checkout.root) == "ready").await;
}

fn quantity(root: &Element, index: usize) -> HtmlInputElement {
    let inputs = root
        .query_selector_all(r#"input[data-role="quantity"]"#)
        .unwrap();
    inputs.item(index as u32).unwrap().unchecked_into()
}

fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn pay_button(root: &Element) -> HtmlButtonElement {
    find(root, r#"button[data-role="pay"]"#).unchecked_into()
}

fn set_email(root: &Element, value: &str) {
    let email: HtmlInputElement = find(root, r#"input[data-role="email"]"#).unchecked_into();
    email.set_value(value);
    email
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

fn number(value: &JsValue, path: &str) -> f64 {
    get(value, path).as_f64().unwrap()
}

fn pay(root: &Element) {
    let pay: HtmlButtonElement = find(root, r#"button[data-role="pay"]"#).unchecked_into();
    assert!(!pay.disabled(), "Pay is enabled");
    pay.click();
}

#[wasm_bindgen_test]
async fn a_checkout_shows_the_first_cart_in_a_payment_element_before_any_payment_intent() {
    install(&standard(vec![ok(&session(1, 1))]));
    let checkout = mount(None);
    ready(&checkout).await;

    let select: HtmlSelectElement =
        find(&checkout.root, r#"select[data-role="seller"]"#).unchecked_into();
    assert_eq!(select.length(), 2);
    assert_eq!(select.value(), "acct_1Lumen");
    assert!(checkout_bodies().is_empty(), "no PaymentIntent for a look");

    // The Element is made for the cart's amount, on the seller's account, in English.
    let element = &elements()[0];
    assert_eq!(get(element, "mode").as_string().unwrap(), "payment");
    assert_eq!(number(element, "amount"), 1200.0);
    assert_eq!(get(element, "currency").as_string().unwrap(), "usd");
    assert!(get(element, "clientSecret").is_null());
    assert!(get(element, "onBehalfOf").is_null());
    assert_eq!(get(element, "account").as_string().unwrap(), "acct_1Lumen");
    assert_eq!(get(element, "kind").as_string().unwrap(), "payment");
    let stripe = &list("stripes")[0];
    assert_eq!(get(stripe, "key").as_string().unwrap(), "pk_test_fake");
    assert_eq!(get(stripe, "options.locale").as_string().unwrap(), "en");
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "$12.00");
    assert_eq!(
        text(&checkout.root, r#"[data-role="line"]"#),
        "1 × Mug$12.00"
    );
    assert_eq!(
        text(&checkout.root, r#"button[data-role="pay"]"#),
        "Pay $12.00"
    );
}

// Pins: every quantity change made a PaymentIntent (and destroyed the card typed so far).
#[wasm_bindgen_test]
async fn changing_the_cart_updates_the_element_in_place_and_asks_nobody() {
    install(&standard(vec![ok(&session(1, 3))]));
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;

    type_into(&quantity(&checkout.root, 0), "3");
    // At once: the same Element, told the new amount.
    let element = &elements()[0];
    assert_eq!(get(element, "destroyed"), JsValue::FALSE);
    assert_eq!(number(element, "amount"), 3600.0);
    leptos::task::tick().await;
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "$36.00");
    assert!(!pay_button(&checkout.root).disabled());

    // Every quantity at 0: nothing to pay, said in words; the Element stays for the next cart.
    type_into(&quantity(&checkout.root, 0), "0");
    wait_for("the empty cart message", 2, || {
        state(&checkout.root) == "failed"
    })
    .await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.cart_empty
    );
    assert!(pay_button(&checkout.root).disabled());
    assert_eq!(get(element, "destroyed"), JsValue::FALSE);

    type_into(&quantity(&checkout.root, 1), "2");
    ready(&checkout).await;
    assert_eq!(number(element, "amount"), 4900.0);
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "$49.00");
    assert_eq!(elements().len(), 1, "one Element for every cart");
    assert_eq!(
        get(element, "updates").unchecked_into::<Array>().length(),
        2,
        "the amount told for each payable cart"
    );
    assert!(checkout_bodies().is_empty(), "no request for any of it");
}

// Pins: an email typed after the card rebuilt the Payment Element and lost the card.
#[wasm_bindgen_test]
async fn an_email_keeps_the_element_and_a_bad_one_is_refused_before_paying() {
    install(&standard(vec![ok(&session(1, 1))]));
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;

    set_email(&checkout.root, "not an email");
    wait_for("the email message", 2, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.email_invalid
    );
    assert_eq!(
        get(&elements()[0], "destroyed"),
        JsValue::FALSE,
        "the card typed so far stays"
    );
    pay(&checkout.root);
    sleep(50).await;
    assert!(list("submits").is_empty(), "nothing is submitted with it");
    assert!(checkout_bodies().is_empty());

    set_email(&checkout.root, " jo@example.com ");
    ready(&checkout).await;
    assert_eq!(text(&checkout.root, r#"[data-role="message"]"#), "");
    assert_eq!(elements().len(), 1, "the same Payment Element");
}

#[wasm_bindgen_test]
async fn paying_submits_then_asks_for_the_payment_intent_once_then_confirms_it() {
    install(&standard(vec![ok(&session(1, 1))]));
    set_results(
        "confirmResults",
        &[succeeded(1, 1200, r#""jo@example.com""#)],
    );
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    set_email(&checkout.root, "jo@example.com");
    ready(&checkout).await;
    let requests_before = list("requests").len() as f64;

    pay(&checkout.root);
    // A second press while paying does nothing.
    find(&checkout.root, r#"button[data-role="pay"]"#)
        .unchecked_into::<HtmlElement>()
        .click();
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;

    // Stripe.js checks the fields first, before anything is asked of the function.
    let submits = list("submits");
    assert_eq!(submits.len(), 1);
    assert_eq!(number(&submits[0], "requestsBefore"), requests_before);
    let bodies = checkout_bodies();
    assert_eq!(bodies.len(), 1, "one PaymentIntent, asked for once");
    let body = &bodies[0];
    assert_eq!(get(body, "seller").as_string().unwrap(), "acct_1Lumen");
    assert_eq!(
        JSON::stringify(&get(body, "items")).unwrap(),
        r#"[{"price":"price_1Mug","quantity":1}]"#
    );
    assert!(
        get(body, "email").is_undefined(),
        "the email goes to Stripe with the confirmation, not to the function"
    );
    assert!(attempt(body).len() >= 32);

    let confirms = list("confirms");
    assert_eq!(confirms.len(), 1);
    let confirm = &confirms[0];
    assert_eq!(
        get(confirm, "clientSecret").as_string().unwrap(),
        "pi_1_secret_x"
    );
    assert_eq!(number(confirm, "amount"), 1200.0);
    assert_eq!(get(confirm, "redirect").as_string().unwrap(), "if_required");
    assert_eq!(
        get(confirm, "params.receipt_email").as_string().unwrap(),
        "jo@example.com"
    );
    let return_url = get(confirm, "params.return_url").as_string().unwrap();
    assert!(return_url.contains("cc_seller=acct_1Lumen"), "{return_url}");
    assert!(
        return_url.contains("cc_account=acct_1Lumen"),
        "{return_url}"
    );

    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-amount"]"#),
        "$12.00"
    );
    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-seller"]"#),
        "Lumen Coffee"
    );
    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-reference"]"#),
        "pi_1"
    );
    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-email"]"#),
        "jo@example.com"
    );
    assert_eq!(elements().len(), 1);
    assert_eq!(get(&elements()[0], "destroyed"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn an_incomplete_card_is_said_by_stripe_js_and_costs_no_payment_intent() {
    install(&standard(vec![ok(&session(1, 1))]));
    set_results(
        "submitResults",
        &[
            r#"{"error":{"type":"validation_error","code":"incomplete_number","message":"x"}}"#
                .into(),
            "{}".into(),
        ],
    );
    set_results("confirmResults", &[succeeded(1, 1200, "null")]);
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the card message", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.incomplete_details
    );
    assert!(checkout_bodies().is_empty());

    pay(&checkout.root);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    assert_eq!(checkout_bodies().len(), 1);
}

// Pins: a retry after a lost answer must find the same PaymentIntent, never make a second one.
#[wasm_bindgen_test]
async fn a_network_failure_at_pay_offers_a_retry_that_keeps_the_attempt() {
    install(&standard(vec![NETWORK.into(), ok(&session(1, 1))]));
    set_results("confirmResults", &[succeeded(1, 1200, "null")]);
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the network message", 5, || {
        state(&checkout.root) == "failed"
    })
    .await;
    assert_eq!(text(&checkout.root, r#"[data-role="message"]"#), EN.network);
    assert!(list("confirms").is_empty());
    find(&checkout.root, r#"button[data-role="retry"]"#)
        .unchecked_into::<HtmlElement>()
        .click();
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    let bodies = checkout_bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(attempt(&bodies[0]), attempt(&bodies[1]));
    assert_eq!(list("submits").len(), 2, "each press is submitted");
    assert_eq!(list("confirms").len(), 1);
}

#[wasm_bindgen_test]
async fn a_busy_function_is_waited_out_with_the_same_attempt() {
    install(&standard(vec![
        error(429, "rate_limited"),
        error(503, "payment_provider_unavailable"),
        ok(&session(1, 1)),
    ]));
    set_results("confirmResults", &[succeeded(1, 1200, "null")]);
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the receipt", 10, || state(&checkout.root) == "succeeded").await;
    let bodies = checkout_bodies();
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| attempt(b) == attempt(&bodies[0])));
    assert_eq!(list("confirms").len(), 1);
}

/// Presses Pay against a function that answers every checkout with `answer`, until the
/// checkout says the payment service is unavailable, still offering to try again; the
/// checkout requests it sent are the caller's to count.
async fn pay_while_unavailable(answer: String) -> Checkout {
    install(&standard(vec![answer]));
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the unavailable message", 10, || {
        state(&checkout.root) == "failed"
    })
    .await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.provider_unavailable
    );
    assert!(list("confirms").is_empty());
    assert!(
        checkout
            .root
            .query_selector(r#"button[data-role="retry"]"#)
            .unwrap()
            .is_some(),
        "the shopper may still try again, with the same attempt"
    );
    checkout
}

#[wasm_bindgen_test]
async fn a_function_that_stays_busy_is_reported_after_a_few_tries() {
    let _checkout = pay_while_unavailable(error(503, "payment_provider_unavailable")).await;
    assert_eq!(checkout_bodies().len(), 4, "the first try and 3 retries");
}

// Pins the one budget: before it, the widget asked 3 more times, and the function tried Stripe
// 4 times for each: 16 Stripe calls for one press.
#[wasm_bindgen_test]
async fn a_stripe_outage_the_function_already_retried_is_reported_after_one_request() {
    let _checkout =
        pay_while_unavailable(error_after_retries(503, "payment_provider_unavailable")).await;
    assert_eq!(
        checkout_bodies().len(),
        1,
        "no retry on top of the function's"
    );
}

#[wasm_bindgen_test]
async fn a_decline_keeps_the_form_the_element_and_the_payment_intent_for_another_card() {
    install(&standard(vec![ok(&session(1, 1))]));
    set_results(
        "confirmResults",
        &[
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"x"}}"#.into(),
            succeeded(1, 1200, "null"),
        ],
    );
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the decline", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.insufficient_funds
    );
    assert_eq!(get(&elements()[0], "destroyed"), JsValue::FALSE);

    pay(&checkout.root);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    assert_eq!(elements().len(), 1, "the same Element");
    let bodies = checkout_bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        attempt(&bodies[0]),
        attempt(&bodies[1]),
        "the same attempt, so the same PaymentIntent"
    );
    let confirms = list("confirms");
    assert!(
        confirms
            .iter()
            .all(|c| get(c, "clientSecret").as_string().unwrap() == "pi_1_secret_x")
    );
    assert!(
        checkout
            .root
            .query_selector(r#"[data-role="receipt-email"]"#)
            .unwrap()
            .is_none()
    );
}

// Pins: the amount shown is the page's; only the function's is ever confirmed.
#[wasm_bindgen_test]
async fn a_price_changed_since_the_page_loaded_is_shown_and_confirmed_only_on_the_next_press() {
    install(&standard(vec![ok(&session_at(1, 1, 1300))]));
    set_results("confirmResults", &[succeeded(1, 1300, "null")]);
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "$12.00");

    pay(&checkout.root);
    wait_for("the new price", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.price_changed
    );
    assert!(list("confirms").is_empty(), "nothing confirmed at $12.00");
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "$13.00");
    assert_eq!(
        text(&checkout.root, r#"[data-role="unit-price"]"#),
        "$13.00"
    );
    assert_eq!(
        text(&checkout.root, r#"button[data-role="pay"]"#),
        "Pay $13.00"
    );
    assert_eq!(number(&elements()[0], "amount"), 1300.0);

    pay(&checkout.root);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    let bodies = checkout_bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(attempt(&bodies[0]), attempt(&bodies[1]));
    let confirms = list("confirms");
    assert_eq!(confirms.len(), 1);
    assert_eq!(number(&confirms[0], "amount"), 1300.0);
    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-amount"]"#),
        "$13.00"
    );
}

#[wasm_bindgen_test]
async fn a_payment_intent_on_another_account_than_the_element_is_never_confirmed() {
    let elsewhere = session(1, 1).replace(
        r#""stripe_account":"acct_1Lumen""#,
        r#""stripe_account":"acct_1Elsewhere""#,
    );
    install(&standard(vec![ok(&elsewhere)]));
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the failure", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.our_side
    );
    assert!(list("confirms").is_empty());
}

#[wasm_bindgen_test]
async fn with_destination_charges_the_element_is_on_the_platform_on_behalf_of_the_seller() {
    let mut answers = standard(vec![ok(&session(1, 1).replace(
        r#""stripe_account":"acct_1Lumen""#,
        r#""stripe_account":null"#,
    ))]);
    answers[0] = (
        "/api/config",
        vec![ok(&CONFIG.replace(
            r#""mode":"sandbox""#,
            r#""mode":"sandbox","charge_type":"destination""#,
        ))],
    );
    install(&answers);
    set_results("confirmResults", &[succeeded(1, 1200, "null")]);
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    let element = &elements()[0];
    assert!(
        get(element, "account").is_null(),
        "the platform's Stripe.js"
    );
    assert_eq!(
        get(element, "onBehalfOf").as_string().unwrap(),
        "acct_1Lumen"
    );
    pay(&checkout.root);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    let return_url = get(&list("confirms")[0], "params.return_url")
        .as_string()
        .unwrap();
    assert!(!return_url.contains("cc_account"), "{return_url}");
}

// Pins: a confirmation whose answer was lost showed a failure for a payment that went through.
#[wasm_bindgen_test]
async fn a_lost_confirmation_answer_is_checked_with_stripe_before_saying_it_failed() {
    install(&standard(vec![ok(&session(1, 1))]));
    set_results(
        "confirmResults",
        &[r#"{"error":{"type":"api_connection_error","message":"offline"}}"#.into()],
    );
    set_results("retrieveResults", &[succeeded(1, 1200, "null")]);
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    let retrieves = list("retrieves");
    assert_eq!(retrieves.len(), 1);
    assert_eq!(
        get(&retrieves[0], "clientSecret").as_string().unwrap(),
        "pi_1_secret_x"
    );
}

#[wasm_bindgen_test]
async fn choosing_another_seller_makes_an_element_on_their_account_for_their_cart() {
    install(&standard(vec![ok(&session(1, 1))]));
    let checkout = mount(None);
    ready(&checkout).await;
    let select: HtmlSelectElement =
        find(&checkout.root, r#"select[data-role="seller"]"#).unchecked_into();
    select.set_value("acct_1Kyoto");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    assert_eq!(get(&elements()[0], "destroyed"), JsValue::TRUE);
    ready(&checkout).await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="product-name"]"#),
        "Sencha"
    );
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "¥1,500");
    let element = &elements()[1];
    assert_eq!(get(element, "account").as_string().unwrap(), "acct_1Kyoto");
    assert_eq!(number(element, "amount"), 1500.0);
    assert_eq!(get(element, "currency").as_string().unwrap(), "jpy");
    assert!(checkout_bodies().is_empty());
}

#[wasm_bindgen_test]
async fn a_return_from_a_redirect_shows_the_receipt_and_cleans_the_address() {
    install(&standard(vec![ok(&session(1, 1))]));
    set_results(
        "retrieveResults",
        &[succeeded(7, 2400, r#""jo@example.com""#)],
    );
    let history = web_sys::window().unwrap().history().unwrap();
    history
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some("?keep=1&payment_intent=pi_7&payment_intent_client_secret=pi_7_secret_x&redirect_status=succeeded&cc_seller=acct_1Lumen&cc_account=acct_1Lumen"),
        )
        .unwrap();
    let checkout = mount(None);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    let retrieves = list("retrieves");
    assert_eq!(
        get(&retrieves[0], "clientSecret").as_string().unwrap(),
        "pi_7_secret_x"
    );
    assert_eq!(
        get(&retrieves[0], "account").as_string().unwrap(),
        "acct_1Lumen"
    );
    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-amount"]"#),
        "$24.00"
    );
    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-reference"]"#),
        "pi_7"
    );
    let search = web_sys::window().unwrap().location().search().unwrap();
    assert_eq!(
        search, "?keep=1",
        "the client secret leaves the address bar"
    );
    assert!(checkout_bodies().is_empty(), "nothing more to pay");
}

#[wasm_bindgen_test]
async fn a_failed_return_from_a_redirect_says_why_over_a_fresh_form() {
    install(&standard(vec![ok(&session(1, 1))]));
    set_results(
        "retrieveResults",
        &[r#"{"paymentIntent":{"id":"pi_7","status":"requires_payment_method","amount":1200,"currency":"usd",
            "last_payment_error":{"type":"invalid_request_error","code":"payment_intent_authentication_failure","message":"x"}}}"#
            .into()],
    );
    let history = web_sys::window().unwrap().history().unwrap();
    history
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some("?payment_intent=pi_7&payment_intent_client_secret=pi_7_secret_x&redirect_status=failed&cc_seller=acct_1Lumen&cc_account=acct_1Lumen"),
        )
        .unwrap();
    let checkout = mount(None);
    wait_for("the failure over a payable form", 5, || {
        state(&checkout.root) == "failed" && elements().len() == 1
    })
    .await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.authentication_failed
    );
    let pay: HtmlButtonElement =
        find(&checkout.root, r#"button[data-role="pay"]"#).unchecked_into();
    assert!(!pay.disabled());
    assert_eq!(web_sys::window().unwrap().location().search().unwrap(), "");
}

#[wasm_bindgen_test]
async fn the_api_waits_out_429_and_503_then_reports() {
    install(&[(
        "/api/config",
        vec![error(429, "rate_limited"), error(503, "x"), ok(CONFIG)],
    )]);
    let fast = Backoff {
        first_ms: 1,
        max_ms: 5,
    };
    let api = Api::new("").with_backoff(fast);
    let signal = web_sys::AbortController::new().unwrap().signal();
    let config = api.config(&signal).await.unwrap();
    assert_eq!(config.publishable_key, "pk_test_fake");
    assert_eq!(list("requests").len(), 3);

    install(&[("/api/config", vec![error(429, "rate_limited")])]);
    let refused = api.config(&signal).await;
    assert!(
        matches!(refused, Err(ApiError::Refused { status: 429, .. })),
        "{refused:?}"
    );
    assert_eq!(
        list("requests").len(),
        TRIES as usize,
        "the first try and the retries of the one budget"
    );

    // A 503 for which the function already retried Stripe is the answer, at once.
    install(&[(
        "/api/config",
        vec![
            error_after_retries(503, "payment_provider_unavailable"),
            ok(CONFIG),
        ],
    )]);
    let spent = api.config(&signal).await;
    assert!(
        matches!(spent, Err(ApiError::Refused { status: 503, .. })),
        "{spent:?}"
    );
    assert_eq!(list("requests").len(), 1);

    // Other refusals are the answer, at once.
    install(&[("/api/config", vec![error(400, "invalid_request")])]);
    assert!(api.config(&signal).await.is_err());
    assert_eq!(list("requests").len(), 1);
}

#[wasm_bindgen_test]
async fn a_checkout_that_cannot_reach_the_function_says_so_and_loads_on_retry() {
    let mut answers = standard(vec![ok(&session(1, 1))]);
    answers[0] = ("/api/config", vec![NETWORK.into(), ok(CONFIG)]);
    install(&answers);
    let checkout = mount(None);
    wait_for("the network message", 5, || {
        state(&checkout.root) == "failed"
    })
    .await;
    assert_eq!(text(&checkout.root, r#"[data-role="message"]"#), EN.network);
    assert_eq!(
        find(&checkout.root, "form")
            .get_attribute("hidden")
            .as_deref(),
        Some(""),
        "no form without products"
    );
    find(&checkout.root, r#"button[data-role="retry"]"#)
        .unchecked_into::<HtmlElement>()
        .click();
    ready(&checkout).await;
    assert!(checkout_bodies().is_empty());
    assert!(
        checkout
            .root
            .query_selector(r#"button[data-role="retry"]"#)
            .unwrap()
            .is_none()
    );
}

/// `answer` (an answer of the fake function) coming after `ms` milliseconds.
fn delayed(answer: &str, ms: u32) -> String {
    format!(r#"{{"delay":{ms},{}"#, &answer[1..])
}

// Pins: the products were asked for only once the configuration had come, one round trip
// after the other.
#[wasm_bindgen_test]
async fn the_configuration_and_the_products_are_asked_for_together() {
    let mut answers = standard(vec![ok(&session(1, 1))]);
    answers[0] = ("/api/config", vec![delayed(&ok(CONFIG), 200)]);
    answers[2] = (
        "/api/sellers/acct_1Lumen/products",
        vec![delayed(&ok(&lumen_products()), 200)],
    );
    install(&answers);
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    assert_eq!(
        number(&fake(), "maxInFlight"),
        2.0,
        "the products are asked for while the configuration is on its way"
    );

    // Without a seller chosen by the page: the sellers come with the configuration, and the
    // first seller's products are asked for before it arrives.
    install(&answers);
    let picker = mount(None);
    ready(&picker).await;
    assert_eq!(number(&fake(), "maxInFlight"), 2.0);
    let paths: Vec<String> = list("requests")
        .iter()
        .filter_map(|r| get(r, "path").as_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/config",
            "/api/sellers",
            "/api/sellers/acct_1Lumen/products"
        ]
    );
}

// Together, either may fail first: the message is still the one the old order gave, the
// configuration's when both fail.
#[wasm_bindgen_test]
async fn a_failed_configuration_is_said_even_when_the_products_failed_first() {
    let mut answers = standard(vec![ok(&session(1, 1))]);
    answers[0] = ("/api/config", vec![delayed(&error(500, "internal"), 150)]);
    answers[2] = (
        "/api/sellers/acct_1Lumen/products",
        vec![error(404, "seller_not_found")],
    );
    install(&answers);
    let checkout = mount(Some("acct_1Lumen"));
    wait_for("the failure", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.our_side
    );

    // The configuration came, the products did not: theirs is the message.
    let mut answers = standard(vec![ok(&session(1, 1))]);
    answers[2] = (
        "/api/sellers/acct_1Lumen/products",
        vec![delayed(&error(404, "seller_not_found"), 50)],
    );
    install(&answers);
    let checkout = mount(Some("acct_1Lumen"));
    wait_for("the failure", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.seller_not_found
    );
}

#[wasm_bindgen_test]
async fn unmounting_destroys_the_element() {
    install(&standard(vec![ok(&session(1, 1))]));
    let checkout = mount(Some("acct_1Lumen"));
    ready(&checkout).await;
    assert_eq!(get(&elements()[0], "destroyed"), JsValue::FALSE);
    drop(checkout);
    assert_eq!(get(&elements()[0], "destroyed"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn the_language_comes_from_the_page_when_the_options_do_not_say() {
    install(&standard(vec![ok(&session(1, 1))]));
    let page: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    page.set_attribute("lang", "fr").unwrap();
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    page.append_child(&container).unwrap();
    document().body().unwrap().append_child(&page).unwrap();
    assert_eq!(
        connect_checkout::checkout::page_language(&container).as_deref(),
        Some("fr")
    );
    let options = CheckoutOptions {
        seller: Some(AccountId::new("acct_1Lumen").unwrap()),
        ..CheckoutOptions::default()
    };
    let handle = mount_checkout(container.clone(), options);
    let checkout = Checkout {
        root: container.into(),
        _handle: Box::new(handle),
    };
    ready(&checkout).await;
    let root = find(&checkout.root, r#"[data-role="checkout"]"#);
    assert_eq!(root.get_attribute("lang").as_deref(), Some("fr"));
    assert_eq!(
        text(&checkout.root, r#"button[data-role="pay"]"#),
        "Payer 12,00\u{a0}$US"
    );
    let stripe = list("stripes").pop().unwrap();
    assert_eq!(get(&stripe, "options.locale").as_string().unwrap(), "fr");
}

// The marketplace cart: several sellers' products in one cart, paid once on the platform.

const BIRCH: &str = r#"{"id":"acct_1Birch","display_name":"Birch Books","default_currency":"usd"}"#;
const CEDAR: &str = r#"{"id":"acct_1Cedar","display_name":"Cedar Soap","default_currency":"usd"}"#;

fn one_product(seller: &str, price: &str, name: &str, amount: i64) -> String {
    format!(
        r#"{{"seller":{seller},"products":[
            {{"price":"{price}","name":"{name}","description":null,"unit_amount":{{"amount":{amount},"currency":"usd"}}}}]}}"#
    )
}

/// Lumen (a mug at $12.00, beans at $24.50), Birch (a notebook at $8.00) and Cedar (soap at
/// $5.00), each seller's products answered after 100 ms; `checkout` and `transfers` for pi_1.
fn marketplace(checkout: Vec<String>, transfers: Vec<String>) -> Vec<(&'static str, Vec<String>)> {
    let slow = |body: String| format!(r#"{{"status":200,"delay":100,"body":{body}}}"#);
    vec![
        ("/api/config", vec![ok(CONFIG)]),
        (
            "/api/sellers/acct_1Lumen/products",
            vec![slow(lumen_products())],
        ),
        (
            "/api/sellers/acct_1Birch/products",
            vec![slow(one_product(BIRCH, "price_1Notebook", "Notebook", 800))],
        ),
        (
            "/api/sellers/acct_1Cedar/products",
            vec![slow(one_product(CEDAR, "price_1Soap", "Soap", 500))],
        ),
        (
            "/api/sellers/acct_1Kyoto/products",
            vec![ok(&kyoto_products())],
        ),
        ("/api/checkout", checkout),
        ("/api/checkout/pi_1/transfers", transfers),
    ]
}

/// The function's answer for the marketplace cart of one mug, one notebook and one soap: on
/// the platform (`stripe_account` as given), with a transfer group.
fn marketplace_session(stripe_account: &str) -> String {
    let line = |seller: &str, price: &str, name: &str, amount: i64| {
        format!(
            r#"{{"seller":"{seller}","price":"{price}","name":"{name}","quantity":1,
                "unit_amount":{{"amount":{amount},"currency":"usd"}},"amount":{{"amount":{amount},"currency":"usd"}}}}"#
        )
    };
    format!(
        r#"{{"payment_intent":"pi_1","client_secret":"pi_1_secret_x","stripe_account":{stripe_account},
            "seller":{LUMEN},"sellers":[{LUMEN},{BIRCH},{CEDAR}],
            "lines":[{},{},{}],
            "total":{{"amount":2500,"currency":"usd"}},"transfer_group":"order_x"}}"#,
        line("acct_1Lumen", "price_1Mug", "Mug", 1200),
        line("acct_1Birch", "price_1Notebook", "Notebook", 800),
        line("acct_1Cedar", "price_1Soap", "Soap", 500),
    )
}

fn transfers_answer() -> String {
    ok(r#"{"payment_intent":"pi_1","transfer_group":"order_x","transfers":[]}"#)
}

/// A marketplace checkout of `sellers`, with the events it sends.
fn mount_marketplace(sellers: &[&str]) -> (Checkout, Rc<RefCell<Vec<CheckoutEvent>>>) {
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let options = CheckoutOptions {
        sellers: sellers
            .iter()
            .map(|s| AccountId::new(*s).unwrap())
            .collect(),
        locale: Some("en-US".into()),
        ..CheckoutOptions::default()
    };
    let events = Rc::new(RefCell::new(Vec::new()));
    let heard = Rc::clone(&events);
    let handle = mount_checkout_with(
        container.clone(),
        options,
        Some(Rc::new(move |event| heard.borrow_mut().push(event))),
    );
    let checkout = Checkout {
        root: container.into(),
        _handle: Box::new(handle),
    };
    (checkout, events)
}

const THREE: [&str; 3] = ["acct_1Lumen", "acct_1Birch", "acct_1Cedar"];

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let found = root.query_selector_all(selector).unwrap();
    (0..found.length())
        .map(|index| {
            found
                .item(index)
                .unwrap()
                .text_content()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect()
}

fn transfer_requests() -> Vec<JsValue> {
    list("requests")
        .into_iter()
        .filter(|r| get(r, "path").as_string().as_deref() == Some("/api/checkout/pi_1/transfers"))
        .collect()
}

#[wasm_bindgen_test]
async fn three_sellers_products_are_read_at_once_and_shown_grouped_with_subtotals() {
    install(&marketplace(vec![], vec![]));
    let (checkout, _) = mount_marketplace(&THREE);
    ready(&checkout).await;
    assert_eq!(
        number(&fake(), "maxInFlight"),
        3.0,
        "the three catalogs are read together"
    );

    // Each seller's name over their first product, no picker, no single seller's name.
    let names: Vec<String> = texts(&checkout.root, r#"[data-role="product-seller"]"#)
        .into_iter()
        .filter(|name| !name.is_empty())
        .collect();
    assert_eq!(names, ["Lumen Coffee", "Birch Books", "Cedar Soap"]);
    assert!(
        checkout
            .root
            .query_selector(r#"[data-role="seller"]"#)
            .unwrap()
            .is_none()
    );
    assert!(find(&checkout.root, r#"[data-role="seller-name"]"#).has_attribute("hidden"));
    // Every seller's first product once: a group each, with its subtotal, then the total.
    assert_eq!(
        texts(&checkout.root, r#"[data-role="lines"] li"#),
        [
            "Lumen Coffee$12.00",
            "1 × Mug$12.00",
            "Birch Books$8.00",
            "1 × Notebook$8.00",
            "Cedar Soap$5.00",
            "1 × Soap$5.00",
        ]
    );
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "$25.00");

    // Made on the platform: a separate charge settles as the platform, for nobody.
    let element = &elements()[0];
    assert!(get(element, "account").is_null(), "no stripeAccount");
    assert!(get(element, "onBehalfOf").is_null(), "no onBehalfOf");
    assert_eq!(number(element, "amount"), 2500.0);

    // Two bags of beans: Lumen's subtotal and the total follow, the Element is told.
    type_into(&quantity(&checkout.root, 1), "2");
    leptos::task::tick().await;
    assert_eq!(
        texts(
            &checkout.root,
            r#"[data-role="lines"] [data-role="seller-group"]"#
        ),
        ["Lumen Coffee$61.00", "Birch Books$8.00", "Cedar Soap$5.00"]
    );
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "$74.00");
    assert_eq!(number(&elements()[0], "amount"), 7400.0);
    assert_eq!(elements().len(), 1);
    assert!(checkout_bodies().is_empty(), "no PaymentIntent for a look");
}

#[wasm_bindgen_test]
async fn a_marketplace_cart_names_each_lines_seller_pays_once_then_asks_for_the_transfers() {
    install(&marketplace(
        vec![ok(&marketplace_session("null"))],
        vec![transfers_answer()],
    ));
    set_results("confirmResults", &[succeeded(1, 2500, "null")]);
    let (checkout, events) = mount_marketplace(&THREE);
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;

    let bodies = checkout_bodies();
    assert_eq!(bodies.len(), 1);
    let body = &bodies[0];
    assert!(get(body, "seller").is_undefined(), "no single seller");
    let items: Vec<(String, String)> = Array::from(&get(body, "items"))
        .iter()
        .map(|item| {
            (
                get(&item, "seller").as_string().unwrap(),
                get(&item, "price").as_string().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("acct_1Lumen".into(), "price_1Mug".into()),
            ("acct_1Birch".into(), "price_1Notebook".into()),
            ("acct_1Cedar".into(), "price_1Soap".into()),
        ]
    );
    assert_eq!(list("confirms").len(), 1);

    // Once the payment succeeded, the sellers' transfers are asked for, once.
    wait_for("the transfers request", 5, || {
        transfer_requests().len() == 1
    })
    .await;
    sleep(100).await;
    assert_eq!(transfer_requests().len(), 1);
    assert_eq!(
        get(&transfer_requests()[0], "method").as_string().unwrap(),
        "POST"
    );

    // The receipt lists what each seller sold, grouped like the cart.
    assert_eq!(
        texts(&checkout.root, r#"[data-role="receipt-lines"] li"#),
        [
            "Lumen Coffee$12.00",
            "1 × Mug$12.00",
            "Birch Books$8.00",
            "1 × Notebook$8.00",
            "Cedar Soap$5.00",
            "1 × Soap$5.00",
        ]
    );
    assert_eq!(
        text(&checkout.root, r#"[data-role="receipt-amount"]"#),
        "$25.00"
    );
    assert!(
        find(&checkout.root, r#"[data-role="receipt-seller"]"#).has_attribute("hidden"),
        "no single payee"
    );
    assert!(
        !events
            .borrow()
            .iter()
            .any(|event| matches!(event, CheckoutEvent::Warning { .. }))
    );
}

#[wasm_bindgen_test]
async fn a_failed_transfers_request_is_a_warning_for_the_page_not_a_problem_for_the_shopper() {
    install(&marketplace(
        vec![ok(&marketplace_session("null"))],
        vec![error(409, "payment_not_succeeded")],
    ));
    set_results("confirmResults", &[succeeded(1, 2500, "null")]);
    let (checkout, events) = mount_marketplace(&THREE);
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the warning", 5, || {
        events
            .borrow()
            .iter()
            .any(|event| matches!(event, CheckoutEvent::Warning { .. }))
    })
    .await;
    leptos::task::tick().await;
    assert_eq!(state(&checkout.root), "succeeded");
    assert_eq!(text(&checkout.root, r#"[data-role="message"]"#), "");
    assert!(
        checkout
            .root
            .query_selector(r#"[data-role="retry"]"#)
            .unwrap()
            .is_none()
    );
    let events = events.borrow();
    let warning = events
        .iter()
        .find_map(|event| match event {
            CheckoutEvent::Warning {
                code,
                payment_intent,
            } => Some((code.to_string(), payment_intent.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(warning, ("payment_not_succeeded".into(), "pi_1".into()));
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, CheckoutEvent::Error { .. })),
        "{events:?}"
    );
    assert_eq!(transfer_requests().len(), 1, "asked once, not retried");
}

#[wasm_bindgen_test]
async fn a_cart_of_sellers_in_two_currencies_is_refused_in_words_before_any_request() {
    install(&marketplace(vec![ok(&marketplace_session("null"))], vec![]));
    let (checkout, _) = mount_marketplace(&["acct_1Lumen", "acct_1Kyoto"]);
    leptos::task::tick().await;
    wait_for("the refusal", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.mixed_currencies
    );
    assert!(pay_button(&checkout.root).disabled());
    assert!(
        elements().is_empty(),
        "no Payment Element for a cart that cannot be paid"
    );
    // Down to one currency (no mug), it can be paid: in yen alone.
    type_into(&quantity(&checkout.root, 0), "0");
    leptos::task::tick().await;
    assert_eq!(text(&checkout.root, r#"[data-role="total"]"#), "¥1,500");
    assert!(checkout_bodies().is_empty());
}

#[wasm_bindgen_test]
async fn a_marketplace_payment_intent_on_a_sellers_account_is_never_confirmed() {
    install(&marketplace(
        vec![ok(&marketplace_session(r#""acct_1Lumen""#))],
        vec![transfers_answer()],
    ));
    let (checkout, _) = mount_marketplace(&THREE);
    ready(&checkout).await;
    pay(&checkout.root);
    wait_for("the refusal", 5, || state(&checkout.root) == "failed").await;
    assert_eq!(
        text(&checkout.root, r#"[data-role="message"]"#),
        EN.our_side
    );
    assert!(list("confirms").is_empty());
    assert!(transfer_requests().is_empty());
}

#[wasm_bindgen_test]
async fn a_marketplace_payment_back_from_a_redirect_asks_for_the_transfers_once() {
    install(&marketplace(vec![], vec![transfers_answer()]));
    set_results("retrieveResults", &[succeeded(1, 2500, "null")]);
    let history = web_sys::window().unwrap().history().unwrap();
    history
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some("?payment_intent=pi_1&payment_intent_client_secret=pi_1_secret_x&redirect_status=succeeded&cc_seller=acct_1Lumen"),
        )
        .unwrap();
    let (checkout, _) = mount_marketplace(&THREE);
    wait_for("the receipt", 5, || state(&checkout.root) == "succeeded").await;
    assert!(
        get(&list("retrieves")[0], "account").is_null(),
        "the platform's"
    );
    wait_for("the transfers request", 5, || {
        transfer_requests().len() == 1
    })
    .await;
    sleep(100).await;
    assert_eq!(transfer_requests().len(), 1);
    assert!(checkout_bodies().is_empty(), "nothing more to pay");
}
