//! The checkout's view and component, mounted into a fresh element in headless Chromium, with
//! assertions on the DOM the shopper (and the end-to-end test) sees.
//!
//! `CheckoutView` is driven through its signals, as the flow drives it; the error objects are
//! parsed from the JSON shape Stripe.js resolves `confirmPayment` with.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;

use connect_checkout::api::ApiError;
use connect_checkout::checkout::{CheckoutState, CheckoutView, Phase, Problem, Receipt};
use connect_checkout::i18n::EN;
use connect_checkout::stripe_js::StripeError;
use connect_checkout::{CheckoutOptions, mount_checkout};
use connect_checkout_core::api::{ErrorBody, Product};
use connect_checkout_core::{Currency, Money, PriceId};
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn money(amount: i64, currency: &str) -> Money {
    Money::new(amount, Currency::new(currency).unwrap())
}

fn mug() -> Product {
    Product {
        price: PriceId::new("price_mug").unwrap(),
        name: "Ceramic mug".into(),
        description: Some("Hand-thrown, 350 ml".into()),
        unit_amount: money(1200, "usd"),
    }
}

/// A fresh element on the page to mount into.
fn fresh_container() -> HtmlElement {
    let document = document();
    let container = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&container).unwrap();
    container.unchecked_into()
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

fn pay_button(root: &Element) -> HtmlButtonElement {
    find(root, r#"button[data-role="pay"]"#).unchecked_into()
}

/// Lets effects run, then a few more turns for effects they trigger.
async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

/// A view mounted with `state`, counting presses of Pay and "Try again".
struct Mounted {
    root: Element,
    pays: Rc<Cell<u32>>,
    retries: Rc<Cell<u32>>,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

fn mount_view(state: CheckoutState) -> Mounted {
    let container = fresh_container();
    let pays = Rc::new(Cell::new(0));
    let retries = Rc::new(Cell::new(0));
    let (on_pay, on_retry) = (Rc::clone(&pays), Rc::clone(&retries));
    let handle = mount_to(container.clone(), move || {
        view! {
            <CheckoutView
                state
                strings=&EN
                locale=Some("en-US".to_owned())
                on_pay=move || on_pay.set(on_pay.get() + 1)
                on_retry=move || on_retry.set(on_retry.get() + 1)
            />
        }
        .into_any()
    });
    Mounted {
        root: container.into(),
        pays,
        retries,
        _handle: handle,
    }
}

/// A checkout with the mug on screen, priced by the function at `total`, Element complete.
fn ready_state(total: Money) -> CheckoutState {
    let state = CheckoutState::new();
    state.product.set(Some(mug()));
    state.total.set(Some(total));
    state.element_complete.set(true);
    state.phase.set(Phase::Ready);
    state
}

fn stripe_error(json: &str) -> Problem {
    Problem::Payment(StripeError::from_js(&js_sys::JSON::parse(json).unwrap()))
}

#[wasm_bindgen_test]
async fn declined_cards_show_the_reason_in_words_and_keep_the_form() {
    let state = ready_state(money(1200, "usd"));
    let view = mount_view(state);
    let cases = [
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined."}"#,
            EN.card_declined,
        ),
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}"#,
            EN.insufficient_funds,
        ),
        // Lost and stolen cards are reported to the shopper as a plain decline.
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"lost_card","message":"Your card was declined."}"#,
            EN.card_declined,
        ),
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"stolen_card","message":"Your card was declined."}"#,
            EN.card_declined,
        ),
        (
            r#"{"type":"card_error","code":"expired_card","message":"Your card has expired."}"#,
            EN.expired_card,
        ),
        (
            r#"{"type":"card_error","code":"incorrect_cvc","message":"Your card's security code is incorrect."}"#,
            EN.incorrect_cvc,
        ),
        (
            r#"{"type":"card_error","code":"processing_error","message":"An error occurred while processing your card."}"#,
            EN.processing_error,
        ),
        (
            r#"{"type":"card_error","code":"incorrect_number","message":"Your card number is incorrect."}"#,
            EN.incorrect_number,
        ),
        (
            r#"{"type":"validation_error","code":"incomplete_number","message":"Your card number is incomplete."}"#,
            EN.incomplete_details,
        ),
        // A code this build has no sentence for: Stripe's own message.
        (
            r#"{"type":"card_error","code":"something_new","message":"Stripe says what happened."}"#,
            "Stripe says what happened.",
        ),
    ];
    for (json, expected) in cases {
        state.problem.set(Some(stripe_error(json)));
        state.phase.set(Phase::Failed);
        settle().await;

        let region = find(&view.root, r#"[data-role="message"]"#);
        assert_eq!(
            text(&view.root, r#"[data-role="message"]"#),
            expected,
            "{json}"
        );
        assert_eq!(region.get_attribute("aria-live").as_deref(), Some("polite"));
        assert_eq!(region.get_attribute("role").as_deref(), Some("alert"));
        // The form stays and Pay comes back for another try.
        assert_eq!(find(&view.root, "form").get_attribute("hidden"), None);
        assert!(!pay_button(&view.root).disabled(), "{json}");
        assert_eq!(
            find(&view.root, r#"[data-role="checkout"]"#)
                .get_attribute("data-state")
                .as_deref(),
            Some("failed")
        );
    }
}

#[wasm_bindgen_test]
async fn function_errors_and_network_failures_are_said_in_words() {
    let state = CheckoutState::new();
    let view = mount_view(state);
    // The function's error body, parsed as `Api` parses it.
    let refused = |status: u16, json: &str| {
        let body: ErrorBody =
            serde_wasm_bindgen::from_value(js_sys::JSON::parse(json).unwrap()).unwrap();
        Problem::Api(ApiError::Refused { status, body })
    };
    let cases = [
        (
            Problem::Api(ApiError::Network("Failed to fetch".into())),
            EN.network,
            true,
        ),
        (
            refused(
                429,
                r#"{"error":{"code":"rate_limited","message":"slow down"}}"#,
            ),
            EN.rate_limited,
            true,
        ),
        (
            refused(
                503,
                r#"{"error":{"code":"payment_provider_unavailable","message":"down"}}"#,
            ),
            EN.provider_unavailable,
            true,
        ),
        (
            refused(
                409,
                r#"{"error":{"code":"seller_cannot_take_charges","message":"not yet"}}"#,
            ),
            EN.seller_cannot_take_charges,
            false,
        ),
        (
            refused(
                402,
                r#"{"error":{"code":"card_declined","message":"no","decline_code":"insufficient_funds"}}"#,
            ),
            EN.insufficient_funds,
            false,
        ),
        // A code from a newer function than this widget.
        (
            refused(500, r#"{"error":{"code":"brand_new","message":"new"}}"#),
            EN.our_side,
            true,
        ),
        (Problem::Quantity, EN.quantity_invalid, false),
    ];
    for (problem, expected, offers_retry) in cases {
        state.problem.set(Some(problem));
        state.phase.set(Phase::Failed);
        settle().await;
        assert_eq!(text(&view.root, r#"[data-role="message"]"#), expected);
        let retry = view
            .root
            .query_selector(r#"button[data-role="retry"]"#)
            .unwrap();
        assert_eq!(retry.is_some(), offers_retry, "{expected}");
        if let Some(retry) = retry {
            let before = view.retries.get();
            retry.unchecked_into::<HtmlElement>().click();
            assert_eq!(view.retries.get(), before + 1);
        }
    }
    // The message goes once the problem does.
    state.problem.set(None);
    settle().await;
    assert_eq!(text(&view.root, r#"[data-role="message"]"#), "");
}

#[wasm_bindgen_test]
async fn a_double_click_on_pay_confirms_once_and_shows_it_is_busy() {
    let state = ready_state(money(2400, "usd"));
    let view = mount_view(state);
    settle().await;
    let pay = pay_button(&view.root);
    assert!(!pay.disabled());
    assert_eq!(pay.text_content().unwrap().trim(), "Pay $24.00");

    // Two clicks before anything re-renders, as a fast double click does.
    pay.click();
    pay.click();
    assert_eq!(view.pays.get(), 1);
    assert_eq!(state.phase.get_untracked(), Phase::Paying);

    settle().await;
    assert!(pay.disabled());
    assert_eq!(pay.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(pay.text_content().unwrap().trim(), EN.processing);
    let quantity: HtmlInputElement =
        find(&view.root, r#"input[data-role="quantity"]"#).unchecked_into();
    assert!(quantity.disabled(), "the cart cannot change while paying");
    assert_eq!(
        find(&view.root, r#"[data-role="checkout"]"#)
            .get_attribute("data-state")
            .as_deref(),
        Some("paying")
    );
    pay.click();
    assert_eq!(view.pays.get(), 1);
}

#[wasm_bindgen_test]
async fn pay_waits_for_a_complete_payment_element_and_a_priced_cart() {
    let state = ready_state(money(1200, "usd"));
    state.element_complete.set(false);
    let view = mount_view(state);
    settle().await;
    let pay = pay_button(&view.root);
    assert!(pay.disabled(), "the card fields are not complete yet");
    pay.click();
    assert_eq!(view.pays.get(), 0);

    state.element_complete.set(true);
    settle().await;
    assert!(!pay.disabled());

    // The cart changed: no total for it yet, so nothing to confirm.
    state.total.set(None);
    state.phase.set(Phase::Loading);
    settle().await;
    assert!(pay.disabled());
}

#[wasm_bindgen_test]
async fn the_total_is_the_functions_and_an_estimate_says_so() {
    let state = CheckoutState::new();
    state.product.set(Some(mug()));
    state.quantity.set("3".into());
    let view = mount_view(state);
    settle().await;
    let total = find(&view.root, r#"[data-role="total"]"#);
    assert_eq!(
        text(&view.root, r#"[data-role="total"]"#),
        "$36.00 (estimate)"
    );
    assert_eq!(total.get_attribute("data-priced").as_deref(), Some("false"));
    assert_eq!(
        text(&view.root, r#"[data-role="product-name"]"#),
        "Ceramic mug"
    );
    assert_eq!(text(&view.root, r#"[data-role="unit-price"]"#), "$12.00");

    // What the function priced is shown, whatever the browser would have computed.
    state.total.set(Some(money(3700, "usd")));
    settle().await;
    assert_eq!(text(&view.root, r#"[data-role="total"]"#), "$37.00");
    assert_eq!(total.get_attribute("data-priced").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn the_quantity_is_labelled_and_out_of_range_values_are_flagged() {
    let state = CheckoutState::new();
    state.product.set(Some(mug()));
    let view = mount_view(state);
    settle().await;
    let input: HtmlInputElement =
        find(&view.root, r#"input[data-role="quantity"]"#).unchecked_into();
    let label = find(&view.root, &format!(r#"label[for="{}"]"#, input.id()));
    assert_eq!(label.text_content().unwrap(), EN.quantity);

    for (typed, invalid) in [("0", "true"), ("1000", "true"), ("7", "false")] {
        input.set_value(typed);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        settle().await;
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some(invalid),
            "{typed}"
        );
    }
    assert_eq!(state.quantity.get_untracked(), "7");
}

#[wasm_bindgen_test]
async fn the_receipt_shows_amount_seller_and_reference_in_place_of_the_form() {
    let state = ready_state(money(1500, "jpy"));
    let view = mount_view(state);
    state.receipt.set(Some(Receipt {
        amount: money(1500, "jpy"),
        seller: "Kyoto Ceramics".into(),
        reference: "pi_3Sandbox000001".into(),
    }));
    state.phase.set(Phase::Succeeded);
    settle().await;

    let receipt = find(&view.root, r#"[data-role="receipt"]"#);
    assert!(receipt.text_content().unwrap().contains(EN.receipt_title));
    assert_eq!(text(&receipt, r#"[data-role="receipt-amount"]"#), "¥1,500");
    assert_eq!(
        text(&receipt, r#"[data-role="receipt-reference"]"#),
        "pi_3Sandbox000001"
    );
    assert_eq!(
        text(&receipt, r#"[data-role="receipt-seller"]"#),
        "Kyoto Ceramics"
    );
    assert_eq!(
        find(&view.root, "form").get_attribute("hidden").as_deref(),
        Some("")
    );
    assert_eq!(
        document()
            .active_element()
            .map(|e| e.get_attribute("data-role")),
        Some(Some("receipt".into())),
        "focus moves to the receipt"
    );
}

// The real component, with no function to talk to: the shopper is told, in words, and offered
// another try.
#[wasm_bindgen_test]
async fn a_checkout_that_cannot_reach_the_function_says_so() {
    let container = fresh_container();
    let options = CheckoutOptions {
        api_base: "http://127.0.0.1:9".into(),
        locale: Some("en-US".into()),
        ..CheckoutOptions::default()
    };
    let _handle = mount_checkout(container.clone(), options);
    let root = find(&container, r#"[data-role="checkout"]"#);
    for _ in 0..200 {
        if root.get_attribute("data-state").as_deref() == Some("failed") {
            break;
        }
        gloo_sleep(25).await;
    }
    assert_eq!(root.get_attribute("data-state").as_deref(), Some("failed"));
    assert_eq!(text(&container, r#"[data-role="message"]"#), EN.network);
    assert!(
        container
            .query_selector(r#"button[data-role="retry"]"#)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        find(&container, "form").get_attribute("hidden").as_deref(),
        Some("")
    );
}

/// Waits `ms` milliseconds on the browser's clock.
async fn gloo_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}
