//! The checkout's view, mounted into a fresh element in headless Chromium, with assertions on
//! the DOM the shopper (and the end-to-end test) sees.
//!
//! `CheckoutView` is driven through its signals, as the flow drives it; the error objects are
//! read from the JSON shape Stripe.js resolves `confirmPayment` with, and the function's errors
//! from the JSON it answers with.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`.
#![allow(clippy::unwrap_used)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use connect_checkout::api::ApiError;
use connect_checkout::checkout::{
    CheckoutState, CheckoutView, Edit, Phase, Problem, Receipt, ViewSetup, appearance_at,
    payment_slot,
};
use connect_checkout::i18n::{EN, FR, LANGUAGES, Strings, fill, strings_for};
use connect_checkout::stripe_js::StripeError;
use connect_checkout::wire::FromJs;
use connect_checkout_core::api::{CheckoutLine, ErrorBody, Product, Seller};
use connect_checkout_core::{AccountId, Currency, Money, PriceId};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn money(amount: i64, currency: &str) -> Money {
    Money::new(amount, Currency::new(currency).unwrap())
}

fn product(price: &str, name: &str, description: Option<&str>, unit: Money) -> Product {
    Product {
        price: PriceId::new(price).unwrap(),
        name: name.into(),
        description: description.map(Into::into),
        unit_amount: unit,
    }
}

fn mug() -> Product {
    product(
        "price_mug",
        "Ceramic mug",
        Some("Hand-thrown, 350 ml"),
        money(1200, "usd"),
    )
}

fn beans() -> Product {
    product("price_beans", "Coffee beans", None, money(2450, "usd"))
}

fn seller(id: &str, name: &str) -> Seller {
    Seller {
        id: AccountId::new(id).unwrap(),
        display_name: name.into(),
        default_currency: None,
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

fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|index| list.item(index))
        .map(|node| node.unchecked_into())
        .collect()
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

fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

/// Lets effects run, then a few more turns for effects they trigger.
async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

/// A view mounted with `state`, counting presses of Pay and "Try again" and keeping the edits.
struct Mounted {
    root: Element,
    pays: Rc<Cell<u32>>,
    retries: Rc<Cell<u32>>,
    edits: Rc<RefCell<Vec<Edit>>>,
    _view: CheckoutView,
}

fn mount_view(state: CheckoutState) -> Mounted {
    mount_view_in(state, &EN, "en-US", None)
}

fn mount_view_in(
    state: CheckoutState,
    strings: &'static Strings,
    locale: &str,
    theme: Option<&str>,
) -> Mounted {
    let container = fresh_container();
    let pays = Rc::new(Cell::new(0));
    let retries = Rc::new(Cell::new(0));
    let edits = Rc::new(RefCell::new(Vec::new()));
    let (on_pay, on_retry, on_edit) = (Rc::clone(&pays), Rc::clone(&retries), Rc::clone(&edits));
    let view = CheckoutView::new(ViewSetup {
        state,
        strings,
        locale: Some(locale.to_owned()),
        theme: theme.map(str::to_owned),
        payment_element: payment_slot(),
        on_pay: Rc::new(move || on_pay.set(on_pay.get() + 1)),
        on_retry: Rc::new(move || on_retry.set(on_retry.get() + 1)),
        on_edit: Rc::new(move |edit| on_edit.borrow_mut().push(edit)),
        on_cancel: None,
    });
    container.append_child(view.root()).unwrap();
    Mounted {
        root: container.into(),
        pays,
        retries,
        edits,
        _view: view,
    }
}

/// A checkout with the mug on screen, priced by the function at `total`: payable.
fn ready_state(total: Money) -> CheckoutState {
    let state = CheckoutState::new();
    state
        .seller
        .set(Some(seller("acct_1Lumen", "Lumen Coffee")));
    state.set_products(vec![mug()]);
    state.total.set(Some(total));
    state.phase.set(Phase::Ready);
    state
}

fn stripe_error(json: &str) -> Problem {
    Problem::Payment(StripeError::read(&js_sys::JSON::parse(json).unwrap()))
}

/// The function's error body, read as `Api` reads it.
fn refused(status: u16, json: &str) -> Problem {
    let body = ErrorBody::from_js(&js_sys::JSON::parse(json).unwrap()).unwrap();
    Problem::Api(ApiError::Refused { status, body })
}

/// Every decline of the test-card table (crates/sandbox/FIDELITY.md §Test cards), as Stripe.js
/// reports it, and the sentence the shopper reads for it.
fn declines(strings: &'static Strings) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined."}"#,
            strings.card_declined,
        ),
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}"#,
            strings.insufficient_funds,
        ),
        // Lost and stolen cards are reported to the shopper as a plain decline.
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"lost_card","message":"Your card was declined."}"#,
            strings.card_declined,
        ),
        (
            r#"{"type":"card_error","code":"card_declined","decline_code":"stolen_card","message":"Your card was declined."}"#,
            strings.card_declined,
        ),
        (
            r#"{"type":"card_error","code":"expired_card","message":"Your card has expired."}"#,
            strings.expired_card,
        ),
        (
            r#"{"type":"card_error","code":"incorrect_cvc","message":"Your card's security code is incorrect."}"#,
            strings.incorrect_cvc,
        ),
        (
            r#"{"type":"card_error","code":"processing_error","message":"An error occurred while processing your card."}"#,
            strings.processing_error,
        ),
        (
            r#"{"type":"card_error","code":"incorrect_number","message":"Your card number is incorrect."}"#,
            strings.incorrect_number,
        ),
        (
            r#"{"type":"validation_error","code":"invalid_number","message":"Your card number is invalid."}"#,
            strings.incorrect_number,
        ),
        // A failed 3-D Secure challenge.
        (
            r#"{"type":"invalid_request_error","code":"payment_intent_authentication_failure","message":"We are unable to authenticate your payment method."}"#,
            strings.authentication_failed,
        ),
        // Incomplete fields, as the Payment Element reports them.
        (
            r#"{"type":"validation_error","code":"incomplete_number","message":"Your card number is incomplete."}"#,
            strings.incomplete_details,
        ),
        (
            r#"{"type":"validation_error","code":"incomplete_expiry","message":"Your card's expiration date is incomplete."}"#,
            strings.incomplete_details,
        ),
        (
            r#"{"type":"validation_error","code":"incomplete_cvc","message":"Your card's security code is incomplete."}"#,
            strings.incomplete_details,
        ),
        (
            r#"{"type":"validation_error","code":"incomplete_zip","message":"Your postal code is incomplete."}"#,
            strings.incomplete_details,
        ),
        // Stripe.js could not reach Stripe.
        (
            r#"{"type":"api_connection_error","message":"Could not reach Stripe."}"#,
            strings.stripe_unreachable,
        ),
    ]
}

#[wasm_bindgen_test]
async fn declined_cards_show_the_reason_in_words_and_keep_the_form() {
    for strings in LANGUAGES {
        let state = ready_state(money(1200, "usd"));
        let view = mount_view_in(state, strings, strings.lang, None);
        for (json, expected) in declines(strings) {
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
            // The form stays and Pay comes back for another try; no "Try again" (Pay is it).
            assert_eq!(find(&view.root, "form").get_attribute("hidden"), None);
            assert!(!pay_button(&view.root).disabled(), "{json}");
            assert!(
                view.root
                    .query_selector(r#"[data-role="retry"]"#)
                    .unwrap()
                    .is_none()
            );
            assert_eq!(
                find(&view.root, r#"[data-role="checkout"]"#)
                    .get_attribute("data-state")
                    .as_deref(),
                Some("failed")
            );
        }
    }
}

#[wasm_bindgen_test]
fn a_code_without_a_sentence_of_ours_shows_stripes_message() {
    let problem = stripe_error(
        r#"{"type":"card_error","code":"something_new","message":"Stripe says what happened."}"#,
    );
    assert_eq!(problem.words(&EN), "Stripe says what happened.");
    let bare = stripe_error(r#"{"type":"card_error"}"#);
    assert_eq!(bare.words(&EN), EN.card_declined);
}

#[wasm_bindgen_test]
async fn function_errors_and_network_failures_are_said_in_words() {
    for strings in LANGUAGES {
        let state = CheckoutState::new();
        let view = mount_view_in(state, strings, strings.lang, None);
        let cases = [
            (
                Problem::Api(ApiError::Network("Failed to fetch".into())),
                strings.network,
                true,
            ),
            (
                refused(
                    429,
                    r#"{"error":{"code":"rate_limited","message":"slow down"}}"#,
                ),
                strings.rate_limited,
                true,
            ),
            (
                refused(
                    503,
                    r#"{"error":{"code":"payment_provider_unavailable","message":"down"}}"#,
                ),
                strings.provider_unavailable,
                true,
            ),
            (
                refused(
                    409,
                    r#"{"error":{"code":"seller_cannot_take_charges","message":"not yet"}}"#,
                ),
                strings.seller_cannot_take_charges,
                false,
            ),
            (
                refused(
                    404,
                    r#"{"error":{"code":"seller_not_found","message":"who?"}}"#,
                ),
                strings.seller_not_found,
                false,
            ),
            (
                refused(
                    400,
                    r#"{"error":{"code":"price_not_found","message":"gone"}}"#,
                ),
                strings.price_not_found,
                false,
            ),
            (
                refused(
                    400,
                    r#"{"error":{"code":"amount_out_of_range","message":"too much"}}"#,
                ),
                strings.amount_out_of_range,
                false,
            ),
            (
                refused(
                    409,
                    r#"{"error":{"code":"attempt_reused","message":"reused"}}"#,
                ),
                strings.cart_changed,
                false,
            ),
            (
                refused(
                    402,
                    r#"{"error":{"code":"card_declined","message":"no","decline_code":"insufficient_funds"}}"#,
                ),
                strings.insufficient_funds,
                false,
            ),
            // A code from a newer function than this widget.
            (
                refused(500, r#"{"error":{"code":"brand_new","message":"new"}}"#),
                strings.our_side,
                true,
            ),
            (
                Problem::Api(ApiError::Unexpected {
                    status: 502,
                    detail: "html".into(),
                }),
                strings.unexpected_response,
                true,
            ),
            (Problem::Quantity, strings.quantity_invalid, false),
            (Problem::CartEmpty, strings.cart_empty, false),
            (Problem::Email, strings.email_invalid, false),
            (Problem::NothingToSell, strings.nothing_to_sell, false),
            (
                Problem::NotCompleted {
                    status: "processing".into(),
                },
                strings.payment_processing,
                false,
            ),
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
                assert_eq!(retry.text_content().unwrap(), strings.retry);
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
}

#[wasm_bindgen_test]
fn the_function_s_own_sentence_is_kept_for_invalid_requests() {
    let problem = refused(
        400,
        r#"{"error":{"code":"invalid_request","message":"email: enter an email address"}}"#,
    );
    assert_eq!(
        problem.words(&EN),
        "We could not set up the payment: email: enter an email address"
    );
    let not_completed = Problem::NotCompleted {
        status: "requires_action".into(),
    };
    assert_eq!(
        not_completed.words(&EN),
        "The payment was not completed (requires_action). Try again, or use another card."
    );
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
    let fieldset = find(&view.root, "fieldset");
    assert!(
        fieldset.has_attribute("disabled"),
        "the cart and email cannot change while paying"
    );
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
async fn pay_waits_for_a_payment_element_of_the_priced_cart() {
    let state = ready_state(money(1200, "usd"));
    state.total.set(None);
    state.phase.set(Phase::Loading);
    let view = mount_view(state);
    settle().await;
    let pay = pay_button(&view.root);
    assert!(pay.disabled(), "no Element for this cart yet");
    assert_eq!(pay.text_content().unwrap().trim(), EN.pay);
    pay.click();
    assert_eq!(view.pays.get(), 0);

    state.total.set(Some(money(1200, "usd")));
    state.phase.set(Phase::Ready);
    settle().await;
    assert!(!pay.disabled());

    // A problem the shopper can fix by paying again (a decline) leaves Pay on …
    state.problem.set(Some(stripe_error(
        r#"{"type":"card_error","code":"card_declined"}"#,
    )));
    state.phase.set(Phase::Failed);
    settle().await;
    assert!(!pay.disabled());
    // … one that took the Element away (a changed cart that failed to price) does not.
    state.total.set(None);
    settle().await;
    assert!(pay.disabled());
}

#[wasm_bindgen_test]
async fn every_product_is_listed_with_its_price_and_a_labelled_quantity() {
    let state = CheckoutState::new();
    state.set_products(vec![mug(), beans()]);
    let view = mount_view(state);
    settle().await;

    let rows = find_all(&view.root, r#"[data-role="product"]"#);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        text(&rows[0], r#"[data-role="product-name"]"#),
        "Ceramic mug"
    );
    assert!(
        rows[0]
            .text_content()
            .unwrap()
            .contains("Hand-thrown, 350 ml")
    );
    assert_eq!(text(&rows[0], r#"[data-role="unit-price"]"#), "$12.00");
    assert_eq!(text(&rows[1], r#"[data-role="unit-price"]"#), "$24.50");

    // The first product starts in the cart, the others not.
    let inputs: Vec<HtmlInputElement> = find_all(&view.root, r#"input[data-role="quantity"]"#)
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect();
    assert_eq!(inputs[0].value(), "1");
    assert_eq!(inputs[1].value(), "0");
    for (input, name) in inputs.iter().zip(["Ceramic mug", "Coffee beans"]) {
        // Labelled by "Quantity" and the product's name, both on screen.
        let labelled_by = input.get_attribute("aria-labelledby").unwrap();
        let words: Vec<String> = labelled_by
            .split(' ')
            .map(|id| {
                document()
                    .get_element_by_id(id)
                    .unwrap()
                    .text_content()
                    .unwrap()
                    .trim()
                    .to_owned()
            })
            .collect();
        assert_eq!(words, [EN.quantity, name]);
        let label = find(&view.root, &format!(r#"label[for="{}"]"#, input.id()));
        assert_eq!(label.text_content().unwrap(), EN.quantity);
        assert_eq!(input.min(), "0");
        assert_eq!(input.max(), "999");
        let hint = document()
            .get_element_by_id(&input.get_attribute("aria-describedby").unwrap())
            .unwrap();
        assert_eq!(hint.text_content().unwrap(), EN.quantity_hint);
    }

    for (typed, invalid) in [
        ("-1", "true"),
        ("1000", "true"),
        ("2.5", "true"),
        ("0", "false"),
        ("7", "false"),
    ] {
        type_into(&inputs[1], typed);
        settle().await;
        assert_eq!(
            inputs[1].get_attribute("aria-invalid").as_deref(),
            Some(invalid),
            "{typed}"
        );
    }
    assert_eq!(state.quantities.get_untracked(), ["1", "7"]);
    assert_eq!(view.edits.borrow().len(), 5);
    assert!(view.edits.borrow().iter().all(|edit| *edit == Edit::Cart));
}

#[wasm_bindgen_test]
async fn the_cart_needs_one_item_and_whole_quantities() {
    let state = CheckoutState::new();
    state.seller.set(Some(seller("acct_1", "Lumen")));
    state.set_products(vec![mug(), beans()]);
    let items = state.items().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].price.as_str(), "price_mug");

    state.quantities.set(vec!["0".into(), "0".into()]);
    assert_eq!(state.items(), Err(Problem::CartEmpty));
    state.quantities.set(vec!["2".into(), "abc".into()]);
    assert_eq!(state.items(), Err(Problem::Quantity));
    state.quantities.set(vec!["2".into(), "3".into()]);
    let items = state.items().unwrap();
    assert_eq!(items.iter().map(|i| i.quantity).collect::<Vec<_>>(), [2, 3]);
    let (lines, total) = state.shown_cart().unwrap();
    assert_eq!(total, money(2 * 1200 + 3 * 2450, "usd"));
    assert_eq!(
        lines.iter().map(|l| l.amount.amount).collect::<Vec<_>>(),
        [2400, 7350]
    );

    // One payment has one currency.
    state.set_products(vec![
        mug(),
        product("price_tea", "Tea", None, money(900, "eur")),
    ]);
    state.quantities.set(vec!["1".into(), "1".into()]);
    assert_eq!(state.shown_cart(), Err(Problem::MixedCurrencies));
}

#[wasm_bindgen_test]
async fn the_total_is_the_one_the_element_was_told_and_a_dash_before() {
    let state = CheckoutState::new();
    state.set_products(vec![mug(), beans()]);
    state.quantities.set(vec!["3".into(), "1".into()]);
    let view = mount_view(state);
    settle().await;
    let total = find(&view.root, r#"[data-role="total"]"#);
    // No guess while the cart is not shown in the Payment Element yet.
    assert_eq!(text(&view.root, r#"[data-role="total"]"#), "—");
    assert_eq!(total.get_attribute("data-priced").as_deref(), Some("false"));
    assert!(find_all(&view.root, r#"[data-role="line"]"#).is_empty());

    // What the function priced is shown, whatever the browser would have computed.
    state.lines.set(vec![
        CheckoutLine {
            seller: AccountId::new("acct_1").unwrap(),
            price: PriceId::new("price_mug").unwrap(),
            name: "Ceramic mug".into(),
            quantity: 3,
            unit_amount: money(1200, "usd"),
            amount: money(3600, "usd"),
        },
        CheckoutLine {
            seller: AccountId::new("acct_1").unwrap(),
            price: PriceId::new("price_beans").unwrap(),
            name: "Coffee beans".into(),
            quantity: 1,
            unit_amount: money(2500, "usd"),
            amount: money(2500, "usd"),
        },
    ]);
    state.total.set(Some(money(6100, "usd")));
    settle().await;
    assert_eq!(text(&view.root, r#"[data-role="total"]"#), "$61.00");
    assert_eq!(total.get_attribute("data-priced").as_deref(), Some("true"));
    let lines: Vec<String> = find_all(&view.root, r#"[data-role="line"]"#)
        .iter()
        .map(|line| line.text_content().unwrap())
        .collect();
    assert_eq!(lines, ["3 × Ceramic mug$36.00", "1 × Coffee beans$25.00"]);

    // No total (a half-typed quantity): a dash, not a wrong number.
    state.total.set(None);
    state.lines.set(Vec::new());
    state.quantities.set(vec!["0".into(), "x".into()]);
    settle().await;
    assert_eq!(text(&view.root, r#"[data-role="total"]"#), "—");
}

#[wasm_bindgen_test]
async fn zero_decimal_currencies_are_shown_without_minor_units_everywhere() {
    let state = CheckoutState::new();
    state.set_products(vec![product(
        "price_sencha",
        "Sencha, 100 g",
        None,
        money(1500, "jpy"),
    )]);
    state.quantities.set(vec!["3".into()]);
    let view = mount_view(state);
    settle().await;
    assert_eq!(text(&view.root, r#"[data-role="unit-price"]"#), "¥1,500");
    state.total.set(Some(money(4500, "jpy")));
    state.phase.set(Phase::Ready);
    settle().await;
    assert_eq!(text(&view.root, r#"[data-role="total"]"#), "¥4,500");
    assert_eq!(
        pay_button(&view.root).text_content().unwrap().trim(),
        "Pay ¥4,500"
    );
}

#[wasm_bindgen_test]
async fn french_words_and_french_money() {
    let state = ready_state(money(1250, "eur"));
    state.set_products(vec![product(
        "price_tasse",
        "Tasse",
        None,
        money(1250, "eur"),
    )]);
    state
        .mode
        .set(Some(connect_checkout_core::api::Mode::Sandbox));
    let view = mount_view_in(state, &FR, "fr-FR", None);
    settle().await;
    let root = find(&view.root, r#"[data-role="checkout"]"#);
    assert_eq!(root.get_attribute("lang").as_deref(), Some("fr"));
    assert_eq!(
        root.get_attribute("aria-label").as_deref(),
        Some("Paiement")
    );
    // French: decimal comma, the sign after a narrow no-break space.
    assert_eq!(
        text(&view.root, r#"[data-role="unit-price"]"#),
        "12,50\u{a0}€"
    );
    assert_eq!(
        pay_button(&view.root).text_content().unwrap().trim(),
        "Payer 12,50\u{a0}€"
    );
    assert!(root.text_content().unwrap().contains(FR.mode_sandbox));
    assert!(root.text_content().unwrap().contains(FR.email));
}

#[wasm_bindgen_test]
fn the_language_comes_from_the_primary_subtag() {
    assert_eq!(strings_for(Some("fr")).lang, "fr");
    assert_eq!(strings_for(Some("fr-CA")).lang, "fr");
    assert_eq!(strings_for(Some("FR_be")).lang, "fr");
    assert_eq!(strings_for(Some("en-GB")).lang, "en");
    assert_eq!(
        strings_for(Some("de-DE")).lang,
        "en",
        "English when unknown"
    );
    assert_eq!(strings_for(Some("")).lang, "en");
    assert_eq!(strings_for(None).lang, "en");
}

#[wasm_bindgen_test]
fn every_language_says_everything() {
    // A missing translation would be an empty string (the struct forces every field).
    let words = |s: &Strings| {
        [
            s.checkout_label,
            s.loading,
            s.seller,
            s.items,
            s.quantity,
            s.quantity_hint,
            s.email,
            s.email_hint,
            s.summary,
            s.total,
            s.payment_details,
            s.pay,
            s.processing,
            s.retry,
            s.receipt_title,
            s.receipt_email,
            s.card_declined,
            s.authentication_failed,
            s.network,
            s.rate_limited,
        ]
    };
    for strings in LANGUAGES {
        assert!(words(strings).iter().all(|w| !w.trim().is_empty()));
        assert!(strings.pay_amount.contains("{amount}"));
        assert!(strings.line.contains("{quantity}") && strings.line.contains("{name}"));
        assert!(strings.payment_not_completed.contains("{status}"));
        assert!(strings.invalid_request.contains("{detail}"));
    }
    assert_ne!(words(&EN), words(&FR));
}

#[wasm_bindgen_test]
fn a_placeholder_is_filled_wherever_it_is_and_other_braces_stay() {
    assert_eq!(fill("Pay {amount}", "{amount}", "$24.00"), "Pay $24.00");
    assert_eq!(
        fill("{n} of {n}, {other} {", "{n}", "2"),
        "2 of 2, {other} {"
    );
    // A value is not searched again: a product named `{name}` stays as it is.
    assert_eq!(
        fill("{quantity} × {name}", "{name}", "{name} mug"),
        "{quantity} × {name} mug"
    );
    assert_eq!(fill("no placeholder", "{amount}", "x"), "no placeholder");
}

#[wasm_bindgen_test]
async fn the_seller_picker_lists_the_sellers_and_reports_a_choice() {
    let state = CheckoutState::new();
    state.sellers.set(vec![
        seller("acct_1Lumen", "Lumen Coffee"),
        seller("acct_1Kyoto", "Kyoto Tea House"),
    ]);
    state
        .seller
        .set(Some(seller("acct_1Kyoto", "Kyoto Tea House")));
    state.set_products(vec![mug()]);
    let view = mount_view(state);
    settle().await;

    let select: HtmlSelectElement =
        find(&view.root, r#"select[data-role="seller"]"#).unchecked_into();
    let label = find(&view.root, &format!(r#"label[for="{}"]"#, select.id()));
    assert_eq!(label.text_content().unwrap(), EN.seller);
    assert_eq!(select.length(), 2);
    assert_eq!(select.value(), "acct_1Kyoto");

    select.set_value("acct_1Lumen");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    assert_eq!(
        view.edits.borrow().as_slice(),
        [Edit::Seller(AccountId::new("acct_1Lumen").unwrap())]
    );

    // A seller chosen by the page: its name, no picker.
    state.sellers.set(Vec::new());
    settle().await;
    assert!(view.root.query_selector("select").unwrap().is_none());
    assert_eq!(
        text(&view.root, r#"[data-role="seller-name"]"#),
        "Kyoto Tea House"
    );
}

#[wasm_bindgen_test]
async fn the_email_is_labelled_committed_on_change_and_flagged_when_invalid() {
    let state = ready_state(money(1200, "usd"));
    let view = mount_view(state);
    settle().await;
    let email: HtmlInputElement = find(&view.root, r#"input[data-role="email"]"#).unchecked_into();
    assert_eq!(email.type_(), "email");
    assert_eq!(
        email.get_attribute("autocomplete").as_deref(),
        Some("email")
    );
    let label = find(&view.root, &format!(r#"label[for="{}"]"#, email.id()));
    assert_eq!(label.text_content().unwrap(), EN.email);

    // Typing alone changes nothing: the PaymentIntent is replaced when the email is committed.
    type_into(&email, "jo@exa");
    assert!(view.edits.borrow().is_empty());
    email.set_value("jo@example.com");
    email
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    assert_eq!(view.edits.borrow().as_slice(), [Edit::Email]);
    assert_eq!(state.email.get_untracked(), "jo@example.com");

    assert_eq!(
        email.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    state.problem.set(Some(Problem::Email));
    settle().await;
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        text(&view.root, r#"[data-role="message"]"#),
        EN.email_invalid
    );
}

#[wasm_bindgen_test]
async fn the_receipt_shows_amount_seller_reference_and_email_in_place_of_the_form() {
    let state = ready_state(money(1500, "jpy"));
    let view = mount_view(state);
    state.receipt.set(Some(Receipt {
        amount: money(1500, "jpy"),
        seller: "Kyoto Tea House".into(),
        reference: "pi_3Sandbox000001".into(),
        email: Some("jo@example.com".into()),
    }));
    state.phase.set(Phase::Succeeded);
    settle().await;

    let receipt = find(&view.root, r#"[data-role="receipt"]"#);
    assert!(receipt.text_content().unwrap().contains(EN.receipt_title));
    // JPY has no minor unit: 1500 is ¥1,500, not ¥15.00.
    assert_eq!(text(&receipt, r#"[data-role="receipt-amount"]"#), "¥1,500");
    assert_eq!(
        text(&receipt, r#"[data-role="receipt-reference"]"#),
        "pi_3Sandbox000001"
    );
    assert_eq!(
        text(&receipt, r#"[data-role="receipt-seller"]"#),
        "Kyoto Tea House"
    );
    assert_eq!(
        text(&receipt, r#"[data-role="receipt-email"]"#),
        "jo@example.com"
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

#[wasm_bindgen_test]
async fn a_receipt_without_an_email_has_no_email_row() {
    let state = ready_state(money(1200, "usd"));
    let view = mount_view(state);
    state.receipt.set(Some(Receipt {
        amount: money(1200, "usd"),
        seller: "Lumen Coffee".into(),
        reference: "pi_1".into(),
        email: None,
    }));
    state.phase.set(Phase::Succeeded);
    settle().await;
    assert_eq!(
        text(&view.root, r#"[data-role="receipt-amount"]"#),
        "$12.00"
    );
    assert!(
        view.root
            .query_selector(r#"[data-role="receipt-email"]"#)
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
async fn the_theme_is_the_roots_data_theme_and_reaches_stripes_appearance() {
    // The widget's own stylesheet, as the page would load it.
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../www/checkout.css")));
    document().head().unwrap().append_child(&style).unwrap();

    let dark = mount_view_in(ready_state(money(1200, "usd")), &EN, "en-US", Some("dark"));
    let light = mount_view_in(ready_state(money(1200, "usd")), &EN, "en-US", Some("light"));
    settle().await;
    let root = find(&dark.root, r#"[data-role="checkout"]"#);
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));

    let variable = |appearance: &connect_checkout::stripe_js::Appearance, name: &str| {
        appearance
            .variables
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let element = |view: &Mounted| find(&view.root, r#"[data-role="payment-element"]"#);
    let night = appearance_at(&element(&dark));
    assert_eq!(night.theme.as_deref(), Some("night"));
    assert_eq!(
        variable(&night, "colorBackground").as_deref(),
        Some("#161b26")
    );
    assert_eq!(variable(&night, "colorText").as_deref(), Some("#eef0f5"));
    let day = appearance_at(&element(&light));
    assert_eq!(day.theme.as_deref(), Some("stripe"));
    assert_eq!(variable(&day, "colorPrimary").as_deref(), Some("#4338ca"));
    assert_eq!(variable(&day, "borderRadius").as_deref(), Some("6px"));

    // A host page's override reaches Stripe's fields too.
    element(&light)
        .unchecked_ref::<HtmlElement>()
        .style()
        .set_property("--cc-color-primary", "#0b6e4f")
        .unwrap();
    let custom = appearance_at(&element(&light));
    assert_eq!(
        variable(&custom, "colorPrimary").as_deref(),
        Some("#0b6e4f")
    );
    style.remove();
}
