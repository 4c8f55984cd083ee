//! The shopper's checkout (issue 6), end to end: Chromium drives the built widget against the
//! real function and the real Stripe sandbox. Every test keeps a screenshot in `e2e/artifacts/`
//! (`shopper-*.png`).
//!
//! Which file to extend: this one, for any new behaviour of the shopper's checkout. The walking
//! skeleton (`checkout.rs`) is the smoke test and stays at its three checks.
//!
//! Run: `WIDGET_DIST=dist CHROMEDRIVER=/usr/bin/chromedriver cargo test -p connect-checkout-e2e
//! --test shopper -- --test-threads 1`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use connect_checkout_e2e::{
    Browser, RestartableFunction, SELLER, Stack, sandbox_faults, set_sandbox_faults,
};
use connect_checkout_function::stripe::retry::RetryPolicy;
use fantoccini::key::Key;
use serde_json::{Value, json};

const KYOTO: &str = "acct_1KyotoTeaHouse01";
const MESSAGE: &str = "[data-role=\"message\"]";
const ELEMENT: &str = "[data-role=\"payment-element\"]";

/// A JS expression: the checkout's `data-state`.
const STATE: &str = "document.querySelector('[data-role=\"checkout\"]')?.dataset.state";

/// Opens the store at `query` (`?seller=…`, `?lang=…`) and waits for a payable checkout.
async fn open(browser: &Browser, base: &str, query: &str) {
    browser
        .client
        .goto(&format!("{base}/{query}"))
        .await
        .unwrap();
    wait_ready(browser).await;
}

/// Waits until the checkout has a Payment Element for the cart on screen.
async fn wait_ready(browser: &Browser) {
    browser
        .wait_within(
            20,
            "a payable checkout",
            &format!(
                "{STATE} === 'ready' && document.querySelectorAll('{ELEMENT} iframe').length === 1"
            ),
        )
        .await;
}

async fn card(browser: &Browser, number: &str) {
    browser
        .enter_card(ELEMENT, number, "12 / 34", "123", "10001")
        .await;
}

async fn press_pay(browser: &Browser) {
    let pay = "document.querySelector('button[data-role=\"pay\"]')";
    browser
        .wait_until(
            "an enabled Pay button",
            &format!("{pay} && !{pay}.disabled"),
        )
        .await;
    browser
        .find("button[data-role=\"pay\"]")
        .await
        .click()
        .await
        .unwrap();
}

/// Waits for the checkout to settle after Pay (the receipt, or a problem) and returns its
/// state and message.
async fn outcome(browser: &Browser) -> (String, String) {
    browser
        .wait_within(
            30,
            "the payment's outcome",
            &format!("{STATE} === 'succeeded' || {STATE} === 'failed'"),
        )
        .await;
    let state = browser.eval(STATE).await.as_str().unwrap().to_owned();
    let message = browser.text(MESSAGE).await;
    (state, message)
}

/// Types `value` into the `index`-th quantity field, replacing what was there.
async fn set_quantity(browser: &Browser, index: usize, value: &str) {
    let inputs = browser
        .client
        .find_all(fantoccini::Locator::Css("input[data-role=\"quantity\"]"))
        .await
        .unwrap();
    let input = &inputs[index];
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

fn succeeded(intents: &[Value]) -> Vec<&Value> {
    intents
        .iter()
        .filter(|pi| pi["status"] == "succeeded")
        .collect()
}

/// `charge.succeeded` events on `account`: one per card actually charged.
async fn charges(stack: &Stack, account: &str) -> usize {
    let events = stack
        .stripe_get("/v1/events?type=charge.succeeded&limit=100", Some(account))
        .await;
    events["data"].as_array().map_or(0, Vec::len)
}

/// Fast Stripe retries in the function, so that fault tests stay short.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        budget: Duration::from_secs(10),
        attempt_timeout: Duration::from_secs(10),
    }
}

/// How many `POST /api/checkout` the page has sent.
async fn checkout_requests(browser: &Browser) -> u64 {
    browser
        .eval(
            "performance.getEntriesByType('resource')
                .filter(e => new URL(e.name).pathname === '/api/checkout').length",
        )
        .await
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shopper_picks_a_seller_and_items_and_gets_a_receipt_with_the_email() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    // No seller in the address: the checkout offers the platform's sellers.
    open(&browser, &stack.function_url, "").await;
    let sellers = browser
        .eval(
            "[...document.querySelectorAll('select[data-role=\"seller\"] option')]
                .map(o => o.textContent.trim())",
        )
        .await;
    let sellers: Vec<&str> = sellers
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(sellers.contains(&"Lumen Coffee Roasters"), "{sellers:?}");
    assert!(sellers.contains(&"Kyoto Tea House"), "{sellers:?}");
    assert!(
        !sellers.contains(&"Fresh Pottery Studio"),
        "a seller who cannot take payments is not offered: {sellers:?}"
    );

    // Kyoto first: a zero-decimal currency, priced by the function.
    browser
        .find("select[data-role=\"seller\"]")
        .await
        .select_by_value(KYOTO)
        .await
        .unwrap();
    browser
        .wait_within(
            20,
            "Kyoto's Sencha priced",
            &format!(
                "{STATE} === 'ready' && document.querySelector('[data-role=\"total\"]').textContent.trim() === '¥1,500'"
            ),
        )
        .await;
    assert_eq!(
        browser.text("[data-role=\"product-name\"]").await,
        "Sencha, 100 g"
    );
    assert_eq!(browser.text("[data-role=\"unit-price\"]").await, "¥1,500");

    // Back to Lumen: both products, each with a description and a price.
    browser
        .find("select[data-role=\"seller\"]")
        .await
        .select_by_value(SELLER)
        .await
        .unwrap();
    wait_ready(&browser).await;
    let names = browser
        .eval("[...document.querySelectorAll('[data-role=\"product-name\"]')].map(n => n.textContent.trim())")
        .await;
    assert_eq!(
        names,
        json!(["House Blend, 250 g", "Espresso Cups, set of 2"])
    );
    assert!(
        browser
            .text("[data-role=\"products\"]")
            .await
            .contains("Washed Colombian and Ethiopian beans")
    );

    set_quantity(&browser, 1, "2").await;
    browser
        .find("input[data-role=\"email\"]")
        .await
        .send_keys("shopper@example.com\u{E004}")
        .await
        .unwrap();
    browser
        .wait_within(
            20,
            "the new cart priced",
            &format!(
                "{STATE} === 'ready' && document.querySelector('[data-role=\"total\"]').textContent.trim() === '$61.00'"
            ),
        )
        .await;
    wait_ready(&browser).await;
    let lines = browser
        .eval("[...document.querySelectorAll('[data-role=\"line\"]')].map(l => l.textContent)")
        .await;
    assert_eq!(
        lines,
        json!([
            "1 × House Blend, 250 g$12.00",
            "2 × Espresso Cups, set of 2$49.00"
        ])
    );
    browser.screenshot("shopper-cart").await;

    card(&browser, "4242 4242 4242 4242").await;
    press_pay(&browser).await;
    browser.find("[data-role=\"receipt\"]").await;
    browser.screenshot("shopper-receipt").await;

    assert_eq!(
        browser.text("[data-role=\"receipt-amount\"]").await,
        "$61.00"
    );
    assert_eq!(
        browser.text("[data-role=\"receipt-seller\"]").await,
        "Lumen Coffee Roasters"
    );
    assert_eq!(
        browser.text("[data-role=\"receipt-email\"]").await,
        "shopper@example.com"
    );
    let reference = browser.text("[data-role=\"receipt-reference\"]").await;
    let intents = stack.payment_intents(SELLER).await;
    let paid = succeeded(&intents);
    assert_eq!(paid.len(), 1, "{intents:#?}");
    assert_eq!(paid[0]["id"], reference.as_str());
    assert_eq!(paid[0]["amount"], 6100);
    assert_eq!(paid[0]["receipt_email"], "shopper@example.com");
    // 10 % of $61.00 plus 30 cents.
    assert_eq!(paid[0]["application_fee_amount"], 640);
    // Kyoto's cart was only looked at: no PaymentIntent.
    let kyoto = stack.payment_intents(KYOTO).await;
    assert!(kyoto.is_empty(), "{kyoto:#?}");

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_decline_of_the_test_card_table_is_said_in_words_and_keeps_the_form() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    // (card, what the sandbox records, words the shopper reads)
    let cases = [
        (
            "4000 0000 0000 0002",
            "generic_decline",
            "your card was declined",
        ),
        (
            "4000 0000 0000 9995",
            "insufficient_funds",
            "insufficient funds",
        ),
        ("4000 0000 0000 9987", "lost_card", "your card was declined"),
        (
            "4000 0000 0000 9979",
            "stolen_card",
            "your card was declined",
        ),
        (
            "4000 0000 0000 0069",
            "expired_card",
            "your card has expired",
        ),
        (
            "4000 0000 0000 0127",
            "incorrect_cvc",
            "security code (cvc) is incorrect",
        ),
        (
            "4000 0000 0000 0119",
            "processing_error",
            "could not be processed",
        ),
        // Fails the Luhn check in Stripe's fields: no PaymentIntent is touched.
        ("4242 4242 4242 4241", "", "card number is incorrect"),
    ];
    for (number, code, words) in cases {
        open(&browser, &stack.function_url, &format!("?seller={SELLER}")).await;
        card(&browser, number).await;
        press_pay(&browser).await;
        let (state, message) = outcome(&browser).await;
        let name = if code.is_empty() {
            "incorrect_number"
        } else {
            code
        };
        browser.screenshot(&format!("shopper-decline-{name}")).await;
        assert_eq!(state, "failed", "{number}");
        assert!(
            message.to_lowercase().contains(words),
            "{number}: the message says what happened: {message}"
        );
        // The form stays, Pay comes back for another card.
        let pay = "document.querySelector('button[data-role=\"pay\"]')";
        browser
            .wait_until("the Pay button back", &format!("{pay} && !{pay}.disabled"))
            .await;
        assert_eq!(
            browser
                .eval(&format!(
                    "document.querySelectorAll('{ELEMENT} iframe').length"
                ))
                .await,
            1
        );
        if !code.is_empty() {
            let intents = stack.payment_intents(SELLER).await;
            let error = &intents[0]["last_payment_error"];
            assert!(
                error["decline_code"] == code || error["code"] == code,
                "{number}: the newest PaymentIntent carries {code}: {error}"
            );
        }
    }
    let intents = stack.payment_intents(SELLER).await;
    assert!(succeeded(&intents).is_empty(), "{intents:#?}");
    assert_eq!(charges(&stack, SELLER).await, 0);

    // After a decline, another card in the same form pays.
    card(&browser, "4242 4242 4242 4242").await;
    press_pay(&browser).await;
    assert_eq!(outcome(&browser).await.0, "succeeded");
    assert_eq!(charges(&stack, SELLER).await, 1);

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn three_d_secure_is_completed_or_failed_in_place() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    open(&browser, &stack.function_url, &format!("?seller={SELLER}")).await;

    // Failed authentication: said in words, nothing charged, the form stays.
    card(&browser, "4000 0025 0000 3155").await;
    press_pay(&browser).await;
    browser
        .answer_3ds("fail", Some("shopper-3ds-challenge"))
        .await;
    let (state, message) = outcome(&browser).await;
    browser.screenshot("shopper-3ds-failed").await;
    assert_eq!(state, "failed");
    assert!(
        message.contains("could not confirm this payment"),
        "{message}"
    );
    let intents = stack.payment_intents(SELLER).await;
    assert_eq!(
        intents[0]["last_payment_error"]["code"],
        "payment_intent_authentication_failure"
    );
    assert_eq!(charges(&stack, SELLER).await, 0);

    // The same form, the same PaymentIntent: authenticated this time.
    card(&browser, "4000 0025 0000 3155").await;
    press_pay(&browser).await;
    browser.answer_3ds("complete", None).await;
    let (state, _) = outcome(&browser).await;
    browser.screenshot("shopper-3ds-completed").await;
    assert_eq!(state, "succeeded");
    let reference = browser.text("[data-role=\"receipt-reference\"]").await;
    let intents = stack.payment_intents(SELLER).await;
    let paid = succeeded(&intents);
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["id"], reference.as_str());
    assert_eq!(intents.len(), 1, "one PaymentIntent for the one cart");

    // Authenticated, then declined by the bank.
    open(&browser, &stack.function_url, &format!("?seller={SELLER}")).await;
    card(&browser, "4000 0082 6000 3178").await;
    press_pay(&browser).await;
    browser.answer_3ds("complete", None).await;
    let (state, message) = outcome(&browser).await;
    assert_eq!(state, "failed");
    assert!(message.contains("insufficient funds"), "{message}");
    assert_eq!(charges(&stack, SELLER).await, 1);

    browser.close().await;
    stack.shutdown().await;
}

// Pins: the stale client secret charged the old total.
/// Waits until the total on screen is `total` and the checkout is payable.
async fn wait_total(browser: &Browser, total: &str) {
    browser
        .wait_within(
            20,
            &format!("the total {total}"),
            &format!(
                "{STATE} === 'ready' && document.querySelector('[data-role=\"total\"]').textContent.trim() === '{total}'"
            ),
        )
        .await;
}

// Pins: every page view and every quantity change made a PaymentIntent (an "incomplete"
// payment in the seller's Dashboard, a Stripe call against the rate limit).
#[tokio::test(flavor = "multi_thread")]
async fn a_window_shopper_leaves_no_payment_intent_and_a_buyer_exactly_one() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;

    // A window shopper: looks, changes the cart, leaves.
    open(&browser, &stack.function_url, &format!("?seller={KYOTO}")).await;
    set_quantity(&browser, 0, "2").await;
    wait_total(&browser, "¥3,000").await;
    browser.client.goto("about:blank").await.unwrap();
    assert!(
        stack.payment_intents(KYOTO).await.is_empty(),
        "a shopper who leaves without paying leaves no PaymentIntent"
    );

    // A buyer: types the card first, changes quantities five times, pays once.
    open(&browser, &stack.function_url, &format!("?seller={SELLER}")).await;
    card(&browser, "4242 4242 4242 4242").await;
    for (index, quantity, total) in [
        (0, "3", "$36.00"),
        (1, "1", "$60.50"),
        (0, "0", "$24.50"),
        (1, "2", "$49.00"),
        (0, "1", "$61.00"),
    ] {
        set_quantity(&browser, index, quantity).await;
        wait_total(&browser, total).await;
    }
    assert!(
        stack.payment_intents(SELLER).await.is_empty(),
        "no PaymentIntent before Pay"
    );
    assert_eq!(
        browser
            .eval(&format!(
                "document.querySelectorAll('{ELEMENT} iframe').length"
            ))
            .await,
        json!(1),
        "the one Payment Element, updated in place"
    );
    browser.screenshot("shopper-cart-changed").await;

    // The card typed before the changes is still there: Pay goes through without retyping.
    press_pay(&browser).await;
    assert_eq!(outcome(&browser).await.0, "succeeded");
    browser.screenshot("shopper-cart-changed-paid").await;
    assert_eq!(
        browser.text("[data-role=\"receipt-amount\"]").await,
        "$61.00"
    );
    let intents = stack.payment_intents(SELLER).await;
    assert_eq!(intents.len(), 1, "exactly one PaymentIntent: {intents:#?}");
    assert_eq!(intents[0]["status"], "succeeded");
    assert_eq!(intents[0]["amount"], 6100);
    assert_eq!(charges(&stack, SELLER).await, 1);
    assert!(stack.payment_intents(KYOTO).await.is_empty());

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_click_on_pay_charges_once() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    open(&browser, &stack.function_url, &format!("?seller={SELLER}")).await;
    card(&browser, "4242 4242 4242 4242").await;
    // Two clicks in one task, before anything re-renders, then a WebDriver double click.
    browser
        .eval(
            "(() => { const b = document.querySelector('button[data-role=\"pay\"]');
                      b.click(); b.click(); return true; })()",
        )
        .await;
    let pay = browser.find("button[data-role=\"pay\"]").await;
    let _ = pay.click().await;
    assert_eq!(outcome(&browser).await.0, "succeeded");
    browser.screenshot("shopper-double-click").await;

    let intents = stack.payment_intents(SELLER).await;
    assert_eq!(intents.len(), 1, "{intents:#?}");
    assert_eq!(succeeded(&intents).len(), 1);
    assert_eq!(charges(&stack, SELLER).await, 1);
    let confirmations = stack
        .stripe_get(
            "/v1/events?type=payment_intent.succeeded&limit=100",
            Some(SELLER),
        )
        .await;
    assert_eq!(confirmations["data"].as_array().unwrap().len(), 1);

    browser.close().await;
    stack.shutdown().await;
}

/// On a phone the card field waited for a chain: the wasm, then the configuration, then
/// Stripe.js. The store's page names Stripe.js in a `Link: rel=preload` header, so the browser
/// asks for it before the wasm, and the checkout's own `<script>` uses that one download.
#[tokio::test(flavor = "multi_thread")]
async fn the_store_page_asks_for_stripe_js_before_its_wasm_and_once() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    open(&browser, &stack.function_url, &format!("?seller={SELLER}")).await;
    let stripe_js = format!("{}/v3/", stack.sandbox.base_url());
    let timings = browser
        .eval(&format!(
            "(() => {{ const all = performance.getEntriesByType('resource');
                       const stripe = all.filter(e => e.name === '{stripe_js}');
                       const wasm = all.filter(e => e.name.endsWith('.wasm'));
                       return {{ stripe: stripe.map(e => e.startTime),
                                wasm: wasm.map(e => e.startTime) }}; }})()"
        ))
        .await;
    let stripe: Vec<f64> = serde_json::from_value(timings["stripe"].clone()).unwrap();
    let wasm: Vec<f64> = serde_json::from_value(timings["wasm"].clone()).unwrap();
    assert_eq!(stripe.len(), 1, "Stripe.js downloaded once: {timings}");
    assert_eq!(wasm.len(), 1, "{timings}");
    assert!(
        stripe[0] < wasm[0],
        "Stripe.js asked for before the wasm: {timings}"
    );
    assert_eq!(
        browser
            .eval(&format!(
                "document.querySelectorAll('script[src=\"{stripe_js}\"]').length"
            ))
            .await,
        1
    );
    browser.close().await;
    stack.shutdown().await;
}

// Pins: a retry after a lost answer must find the same PaymentIntent, never make a second one.
#[tokio::test(flavor = "multi_thread")]
async fn the_function_restarting_mid_payment_costs_a_retry_not_a_second_payment_intent() {
    let stack = Stack::start().await;
    let mut function = RestartableFunction::start(&stack.sandbox, &[], Some(quick_retries()));
    let browser = Browser::start().await;
    open(&browser, &function.url, &format!("?seller={SELLER}")).await;
    set_quantity(&browser, 0, "2").await;
    wait_total(&browser, "$24.00").await;
    card(&browser, "4242 4242 4242 4242").await;
    assert!(stack.payment_intents(SELLER).await.is_empty());

    // Pay: Stripe makes the PaymentIntent but its answer is slow; the function dies before it
    // can pass it on.
    set_sandbox_faults(
        &stack.sandbox,
        json!({"rules": [{"fault": "latency", "latency_ms": 4000, "when": "after",
                          "path_prefix": "/v1/payment_intents", "method": "POST", "times": 1}]}),
    )
    .await;
    press_pay(&browser).await;
    for _ in 0..100 {
        if stack.payment_intents(SELLER).await.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stack.payment_intents(SELLER).await.len(), 1);
    function.stop();
    let (state, message) = outcome(&browser).await;
    browser.screenshot("shopper-function-down").await;
    assert_eq!(state, "failed");
    assert!(message.contains("could not reach"), "{message}");

    // "Try again" is Pay again: the same cart's attempt finds the PaymentIntent made before
    // the crash, and the card typed is still there.
    function.restart().await;
    set_sandbox_faults(&stack.sandbox, json!({})).await;
    browser
        .find("button[data-role=\"retry\"]")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(outcome(&browser).await.0, "succeeded");
    browser.screenshot("shopper-function-restarted-paid").await;
    let intents = stack.payment_intents(SELLER).await;
    assert_eq!(
        intents.len(),
        1,
        "the retry found the PaymentIntent made before the crash: {intents:#?}"
    );
    assert_eq!(intents[0]["status"], "succeeded");
    assert_eq!(intents[0]["amount"], 2400);
    assert_eq!(charges(&stack, SELLER).await, 1);

    browser.close().await;
    drop(function);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stripe_answering_429s_and_5xx_still_ends_in_exactly_one_charge() {
    let stack = Stack::start().await;
    let function = RestartableFunction::start(&stack.sandbox, &[], Some(quick_retries()));
    let browser = Browser::start().await;
    open(&browser, &function.url, &format!("?seller={SELLER}")).await;
    card(&browser, "4242 4242 4242 4242").await;
    // Creating the PaymentIntent at Pay: 2 rate limits, 1 unavailable, then a made
    // PaymentIntent whose answer is lost (the connection drops): the press's one budget of 4
    // tries (core's `retry::TRIES`), every one with the same Idempotency-Key, and the function
    // finds the PaymentIntent the lost answer made.
    set_sandbox_faults(
        &stack.sandbox,
        json!({"rules": [
            {"fault": "rate_limit", "path_prefix": "/v1/payment_intents", "method": "POST", "times": 2},
            {"fault": "service_unavailable", "path_prefix": "/v1/payment_intents", "method": "POST", "times": 1},
            {"fault": "drop_connection", "when": "after", "path_prefix": "/v1/payment_intents", "method": "POST", "times": 1}
        ]}),
    )
    .await;
    press_pay(&browser).await;
    let (state, message) = outcome(&browser).await;
    assert_eq!(state, "succeeded", "{message}");
    browser.screenshot("shopper-faults-paid").await;
    let faults = sandbox_faults(&stack.sandbox).await;
    let fired: Vec<u64> = faults["stats"]["rules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| r["fired"].as_u64().unwrap_or(0))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(fired, [2, 1, 1], "every fault fired: {faults:#}");
    assert_eq!(
        checkout_requests(&browser).await,
        1,
        "the function's retries were enough: the widget added none of its own"
    );
    let intents = stack.payment_intents(SELLER).await;
    assert_eq!(intents.len(), 1, "{intents:#?}");
    assert_eq!(succeeded(&intents).len(), 1);
    assert_eq!(charges(&stack, SELLER).await, 1);

    browser.close().await;
    drop(function);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_service_that_stays_down_is_reported_after_one_budget_of_tries() {
    let stack = Stack::start().await;
    let function = RestartableFunction::start(&stack.sandbox, &[], Some(quick_retries()));
    let browser = Browser::start().await;
    open(&browser, &function.url, &format!("?seller={SELLER}")).await;
    card(&browser, "4242 4242 4242 4242").await;
    set_sandbox_faults(
        &stack.sandbox,
        json!({"rules": [{"fault": "service_unavailable", "path_prefix": "/v1/payment_intents", "method": "POST"}]}),
    )
    .await;
    press_pay(&browser).await;
    let (state, message) = outcome(&browser).await;
    browser.screenshot("shopper-service-down").await;
    assert_eq!(state, "failed");
    assert!(message.contains("You were not charged"), "{message}");
    assert_eq!(
        checkout_requests(&browser).await,
        1,
        "the function's tries are the press's whole budget: the widget adds none"
    );
    let faults = sandbox_faults(&stack.sandbox).await;
    assert_eq!(
        faults["stats"]["rules"][0]["fired"], 4,
        "one budget of 4 Stripe calls for the press, not 4 × 4: {faults:#}"
    );

    // "Try again" pays with the card already typed.
    set_sandbox_faults(&stack.sandbox, json!({})).await;
    browser
        .find("button[data-role=\"retry\"]")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(outcome(&browser).await.0, "succeeded");
    let intents = stack.payment_intents(SELLER).await;
    assert_eq!(intents.len(), 1);
    assert_eq!(charges(&stack, SELLER).await, 1);

    browser.close().await;
    drop(function);
    stack.shutdown().await;
}

/// Makes a PaymentIntent through the function and confirms it with a 3-D Secure card as a
/// server would with a `return_url` (the redirect kind of next action), returning the
/// challenge page's URL.
async fn redirecting_payment(stack: &Stack, attempt: &str) -> String {
    let http = reqwest::Client::new();
    let session: Value = http
        .post(format!("{}/api/checkout", stack.function_url))
        .json(&json!({
            "seller": SELLER,
            "items": [{"price": connect_checkout_e2e::HOUSE_BLEND_PRICE, "quantity": 2}],
            "attempt": attempt,
            "email": "redirect@example.com",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = session["payment_intent"].as_str().unwrap();
    let return_url = format!(
        "{}/?cc_seller={SELLER}&cc_account={SELLER}",
        stack.function_url
    );
    let confirmed: Value = http
        .post(format!(
            "{}/v1/payment_intents/{id}/confirm",
            stack.sandbox.base_url()
        ))
        .bearer_auth(stack.sandbox.secret_key())
        .header("Stripe-Account", SELLER)
        .form(&[
            ("payment_method", "pm_card_threeDSecure2Required"),
            ("return_url", return_url.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(confirmed["status"], "requires_action", "{confirmed:#}");
    confirmed["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_return_from_a_redirect_shows_the_receipt_or_the_reason_and_cleans_the_address() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;

    let challenge = redirecting_payment(&stack, "edf806082984c8d5cea6f0101133953f").await;
    browser.client.goto(&challenge).await.unwrap();
    browser
        .find("button[value=\"complete\"]")
        .await
        .click()
        .await
        .unwrap();
    browser.find("[data-role=\"receipt\"]").await;
    browser.screenshot("shopper-redirect-receipt").await;
    assert_eq!(
        browser.text("[data-role=\"receipt-amount\"]").await,
        "$24.00"
    );
    assert_eq!(
        browser.text("[data-role=\"receipt-seller\"]").await,
        "Lumen Coffee Roasters"
    );
    assert_eq!(
        browser.text("[data-role=\"receipt-email\"]").await,
        "redirect@example.com"
    );
    let search = browser.eval("location.search").await;
    assert_eq!(search, "", "the client secret left the address bar");
    let intents = stack.payment_intents(SELLER).await;
    assert_eq!(succeeded(&intents).len(), 1);

    let challenge = redirecting_payment(&stack, "9e81fe8778d7cf67948c5b7d46e749f7").await;
    browser.client.goto(&challenge).await.unwrap();
    browser
        .find("button[value=\"fail\"]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_within(
            20,
            "the reason over a payable form",
            &format!(
                "{STATE} === 'failed' && document.querySelectorAll('{ELEMENT} iframe').length === 1"
            ),
        )
        .await;
    browser.screenshot("shopper-redirect-failed").await;
    let message = browser.text(MESSAGE).await;
    assert!(
        message.contains("could not confirm this payment"),
        "{message}"
    );
    assert_eq!(browser.eval("location.search").await, "");
    assert_eq!(succeeded(&stack.payment_intents(SELLER).await).len(), 1);

    browser.close().await;
    stack.shutdown().await;
}

/// The `name` of the focused field inside Stripe's card iframe, if the focus is there.
async fn focused_card_field(browser: &Browser) -> Option<String> {
    let frame = browser.find(&format!("{ELEMENT} iframe")).await;
    frame.enter_frame().await.unwrap();
    let name = browser.eval("document.activeElement?.name").await;
    browser.client.enter_parent_frame().await.unwrap();
    name.as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_checkout_works_with_the_keyboard_alone() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    open(&browser, &stack.function_url, "").await;

    // Tab through the page: every control is reached, in order, with a visible focus ring.
    browser.eval("document.activeElement.blur() || true").await;
    let mut reached = Vec::new();
    for _ in 0..12 {
        browser.press_keys(&Key::Tab.to_string()).await;
        let focused = browser
            .eval(
                "(() => { const e = document.activeElement;
                          const outline = getComputedStyle(e).outlineStyle;
                          return [e.dataset.role || e.tagName.toLowerCase(), outline]; })()",
            )
            .await;
        let role = focused[0].as_str().unwrap().to_owned();
        if role != "iframe" {
            assert_ne!(focused[1], "none", "{role} shows where the focus is");
        }
        // Inside Stripe's iframe the focus moves from field to field; the page sees the iframe.
        if !(role == "iframe" && reached.last().map(String::as_str) == Some("iframe")) {
            reached.push(role.clone());
        }
        if role == "pay" {
            break;
        }
    }
    assert_eq!(
        reached,
        ["seller", "quantity", "quantity", "email", "iframe", "pay"],
        "the tab order"
    );

    // Now pay with keys only: from the email into the card fields, type, tab to Pay, Enter.
    browser
        .eval("document.querySelector('input[data-role=\"email\"]').focus() || true")
        .await;
    browser.press_keys(&Key::Tab.to_string()).await;
    for (field, keys) in [
        ("number", "4242424242424242"),
        ("expiry", "1234"),
        ("cvc", "123"),
        ("postalCode", "10001"),
    ] {
        // Stripe's fields move on by themselves once a value is complete; Tab where not.
        if focused_card_field(&browser).await.as_deref() != Some(field) {
            browser.press_keys(&Key::Tab.to_string()).await;
        }
        assert_eq!(focused_card_field(&browser).await.as_deref(), Some(field));
        browser.press_keys(keys).await;
    }
    browser.press_keys(&Key::Tab.to_string()).await;
    assert_eq!(
        browser.eval("document.activeElement.dataset.role").await,
        "pay"
    );
    browser.press_keys(&Key::Enter.to_string()).await;
    assert_eq!(outcome(&browser).await.0, "succeeded");
    assert_eq!(
        browser.eval("document.activeElement.dataset.role").await,
        "receipt",
        "the receipt takes the focus"
    );
    browser.screenshot("shopper-keyboard-paid").await;

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn french_shoppers_read_french_and_see_euros_formatted_their_way() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    open(
        &browser,
        &stack.function_url,
        &format!("?seller={SELLER}&lang=fr"),
    )
    .await;
    let checkout = browser.find("[data-role=\"checkout\"]").await;
    assert_eq!(checkout.attr("lang").await.unwrap().as_deref(), Some("fr"));
    // (textContent: WebDriver's text would turn the no-break space into a space.)
    assert_eq!(
        browser
            .eval("document.querySelector('button[data-role=\"pay\"]').textContent.trim()")
            .await,
        "Payer 12,00\u{a0}$US"
    );
    card(&browser, "4000 0000 0000 9995").await;
    press_pay(&browser).await;
    let (state, message) = outcome(&browser).await;
    browser.screenshot("shopper-french-declined").await;
    assert_eq!(state, "failed");
    assert_eq!(
        message,
        "Le solde de votre carte est insuffisant. Essayez une autre carte."
    );
    browser.close().await;
    stack.shutdown().await;
}

/// Audits the page with axe-core, keeping a screenshot, and fails on any serious or critical
/// violation.
async fn audit(browser: &Browser, name: &str) {
    browser.screenshot(&format!("shopper-axe-{name}")).await;
    let violations = browser.axe_violations().await;
    assert!(
        violations.is_empty(),
        "{name}: axe-core found serious or critical violations:\n{}",
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_serious_violation_in_light_dark_french_and_at_320_px() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;

    open(&browser, &stack.function_url, "").await;
    audit(&browser, "light").await;

    // A problem on screen: the message region's colours too.
    card(&browser, "4000 0000 0000 0002").await;
    press_pay(&browser).await;
    outcome(&browser).await;
    audit(&browser, "light-declined").await;

    open(&browser, &stack.function_url, "?theme=dark").await;
    assert_eq!(
        browser
            .find("[data-role=\"checkout\"]")
            .await
            .attr("data-theme")
            .await
            .unwrap()
            .as_deref(),
        Some("dark")
    );
    audit(&browser, "dark").await;
    card(&browser, "4000 0000 0000 0002").await;
    press_pay(&browser).await;
    outcome(&browser).await;
    audit(&browser, "dark-declined").await;

    open(&browser, &stack.function_url, "?lang=fr&theme=dark").await;
    audit(&browser, "dark-french").await;

    // A 320 px phone: nothing wider than the screen, and still no violation.
    browser.set_viewport(320, 720).await;
    for theme in ["light", "dark"] {
        open(&browser, &stack.function_url, &format!("?theme={theme}")).await;
        let overflow = browser
            .eval("document.documentElement.scrollWidth - window.innerWidth")
            .await;
        // (Negative: the vertical scroll bar's width.)
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{theme}: no horizontal scrolling at 320 px ({overflow})"
        );
        audit(&browser, &format!("320px-{theme}")).await;
    }
    card(&browser, "4242 4242 4242 4242").await;
    press_pay(&browser).await;
    assert_eq!(outcome(&browser).await.0, "succeeded");
    let overflow = browser
        .eval("document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the receipt fits at 320 px ({overflow})"
    );
    audit(&browser, "320px-receipt").await;

    browser.close().await;
    stack.shutdown().await;
}
