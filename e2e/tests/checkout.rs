//! The shopper pays a seller: the walking skeleton, end to end, in Chromium.
//!
//! Which file to extend: this one stays the smoke test, the three checks that say within a
//! minute whether the product works at all (a good card pays the seller with the fee, a decline
//! charges nothing, no secret key reaches the browser). Its first two overlap `shopper.rs` on
//! purpose and are not to grow. A new behaviour of the shopper's checkout (a decline, 3-D
//! Secure, faults, the cart, the keyboard, a locale) goes in `shopper.rs`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connect_checkout_e2e::{
    Browser, HOUSE_BLEND_PRICE, SELLER, Stack, secret_keys_in, widget_dist,
};
use serde_json::{Value, json};

async fn open_checkout(stack: &Stack, browser: &Browser) {
    browser
        .client
        .goto(&format!("{}/?seller={SELLER}", stack.function_url))
        .await
        .unwrap();
    browser.find("[data-role=\"payment-element\"] iframe").await;
    assert_eq!(
        browser.text("[data-role=\"product-name\"]").await,
        "House Blend, 250 g"
    );
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

#[tokio::test(flavor = "multi_thread")]
async fn paying_with_a_good_card_shows_the_receipt_and_charges_the_seller_with_the_fee() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    open_checkout(&stack, &browser).await;

    browser
        .enter_card(
            "[data-role=\"payment-element\"]",
            "4242 4242 4242 4242",
            "12 / 34",
            "123",
            "10001",
        )
        .await;
    press_pay(&browser).await;
    browser.find("[data-role=\"receipt\"]").await;
    browser.screenshot("checkout-success").await;

    assert!(
        browser
            .text("[data-role=\"receipt-amount\"]")
            .await
            .contains("$12.00")
    );
    let reference = browser.text("[data-role=\"receipt-reference\"]").await;
    let intents = stack.payment_intents(SELLER).await;
    let paid: Vec<&Value> = intents
        .iter()
        .filter(|pi| pi["status"] == "succeeded")
        .collect();
    assert_eq!(
        paid.len(),
        1,
        "exactly one succeeded PaymentIntent: {intents:#?}"
    );
    assert_eq!(paid[0]["id"], reference.trim());
    assert_eq!(paid[0]["amount"], 1200);
    assert_eq!(paid[0]["currency"], "usd");
    // 10 % of $12.00 plus 30 cents, on the seller's own account (a direct charge).
    assert_eq!(paid[0]["application_fee_amount"], 150);

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_card_shows_why_keeps_the_form_and_charges_nothing() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    open_checkout(&stack, &browser).await;

    browser
        .enter_card(
            "[data-role=\"payment-element\"]",
            "4000 0000 0000 0002",
            "12 / 34",
            "123",
            "10001",
        )
        .await;
    press_pay(&browser).await;
    browser
        .wait_until(
            "a message in the message region",
            "document.querySelector('[data-role=\"message\"]')?.textContent.trim().length > 0",
        )
        .await;
    browser.screenshot("checkout-declined").await;

    let message = browser.text("[data-role=\"message\"]").await.to_lowercase();
    assert!(
        message.contains("declined"),
        "the message says the card was declined: {message}"
    );
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("[data-role=\"receipt\"]"))
            .await
            .is_err(),
        "no receipt after a decline"
    );
    let pay = "document.querySelector('button[data-role=\"pay\"]')";
    browser
        .wait_until("the Pay button back", &format!("{pay} && !{pay}.disabled"))
        .await;

    let intents = stack.payment_intents(SELLER).await;
    assert!(
        intents.iter().all(|pi| pi["status"] != "succeeded"),
        "nothing succeeded: {intents:#?}"
    );
    assert!(
        intents
            .iter()
            .any(|pi| pi["last_payment_error"]["decline_code"] == "generic_decline"),
        "the attempt carries Stripe's decline: {intents:#?}"
    );

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_key_reaches_the_built_widget_or_any_api_response() {
    let stack = Stack::start().await;

    let mut leaks = Vec::new();
    let mut files = 0;
    let mut pending = vec![widget_dist()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            files += 1;
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            leaks.extend(
                secret_keys_in(&text)
                    .into_iter()
                    .map(|key| format!("{}: {key}", path.display())),
            );
        }
    }
    assert!(files >= 3, "the built widget has its files (found {files})");

    let http = reqwest::Client::new();
    let base = &stack.function_url;
    let mut bodies = Vec::new();
    for path in [
        "/api/config",
        "/api/sellers",
        &format!("/api/sellers/{SELLER}/products"),
        "/api/nope",
    ] {
        bodies.push((
            path.to_owned(),
            http.get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        ));
    }
    let checkout = json!({
        "seller": SELLER,
        "items": [{"price": HOUSE_BLEND_PRICE, "quantity": 2}],
        "attempt": "4e3113196624f5809c62a342fae06e51",
    });
    let response = http
        .post(format!("{base}/api/checkout"))
        .json(&checkout)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    bodies.push(("/api/checkout".into(), response.text().await.unwrap()));
    for (path, body) in &bodies {
        leaks.extend(
            secret_keys_in(body)
                .into_iter()
                .map(|key| format!("{path}: {key}")),
        );
    }
    assert!(leaks.is_empty(), "secret keys found: {leaks:#?}");

    // The scan itself works: the sandbox's secret key is found where it does appear.
    assert_eq!(
        secret_keys_in(&format!("x {} y", stack.sandbox.secret_key())).len(),
        1
    );
    let config: Value = serde_json::from_str(&bodies[0].1).unwrap();
    assert!(
        config["publishable_key"]
            .as_str()
            .unwrap()
            .starts_with("pk_test_")
    );

    stack.shutdown().await;
}
