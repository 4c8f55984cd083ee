//! A marketplace cart, end to end: Chromium opens the demo store with three sellers' products
//! in one cart (`?sellers=…`), pays once with a test card, and the money lands where the
//! separate-charges-and-transfers flow says
//! (<https://docs.stripe.com/connect/separate-charges-and-transfers>): each seller's balance in
//! the sandbox grows by exactly their subtotal minus the platform's fee on it, and the
//! platform keeps the fees. The transfers come from the function's webhook or from the
//! widget's `POST /api/checkout/{payment_intent}/transfers`, whichever is first; never twice.
//! Keeps `e2e/artifacts/marketplace-*.png`.
//!
//! Run: `WIDGET_DIST=dist CHROMEDRIVER=/usr/bin/chromedriver cargo test -p connect-checkout-e2e
//! --test marketplace -- --test-threads 1`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::str::FromStr;
use std::time::Duration;

use connect_checkout_core::fee::FeePolicy;
use connect_checkout_core::{Currency, Money};
use connect_checkout_e2e::{Browser, PLATFORM_FEE, Stack};
use serde_json::Value;

const ELEMENT: &str = "[data-role=\"payment-element\"]";
const STATE: &str = "document.querySelector('[data-role=\"checkout\"]')?.dataset.state";

/// What `account` holds in US cents, available and pending (`None`: the platform).
async fn usd_balance(stack: &Stack, account: Option<&str>) -> i64 {
    let balance = stack.stripe_get("/v1/balance", account).await;
    ["available", "pending"]
        .iter()
        .flat_map(|kind| balance[kind].as_array().cloned().unwrap_or_default())
        .filter(|entry| entry["currency"] == "usd")
        .map(|entry| entry["amount"].as_i64().unwrap())
        .sum()
}

/// The function's answer to a GET of `path`.
async fn api_get(stack: &Stack, path: &str) -> Value {
    reqwest::get(format!("{}{path}", stack.function_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cart_of_three_sellers_is_paid_once_and_each_seller_gets_their_subtotal_less_the_fee() {
    let stack = Stack::start().await;
    // Three sellers who take payments in dollars, as the platform lists them.
    let listed = api_get(&stack, "/api/sellers").await;
    let sellers: Vec<String> = listed["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|seller| seller["default_currency"] == "usd")
        .map(|seller| seller["id"].as_str().unwrap().to_owned())
        .take(3)
        .collect();
    assert_eq!(sellers.len(), 3, "the seed has three USD sellers: {listed}");
    // The cart the store offers: each seller's first product, once; the first seller's twice.
    let mut subtotals = Vec::new();
    for (index, seller) in sellers.iter().enumerate() {
        let products = api_get(&stack, &format!("/api/sellers/{seller}/products")).await;
        let unit = &products["products"][0]["unit_amount"];
        assert_eq!(unit["currency"], "usd", "{products}");
        let quantity = if index == 0 { 2 } else { 1 };
        subtotals.push(unit["amount"].as_i64().unwrap() * quantity);
    }
    let policy = FeePolicy::from_str(PLATFORM_FEE).unwrap();
    let fees: Vec<i64> = subtotals
        .iter()
        .map(|subtotal| {
            policy
                .fee_on(&Money::new(*subtotal, Currency::new("usd").unwrap()))
                .amount
        })
        .collect();
    let total: i64 = subtotals.iter().sum();

    let mut before = Vec::new();
    for seller in &sellers {
        before.push(usd_balance(&stack, Some(seller)).await);
    }
    let platform_before = usd_balance(&stack, None).await;

    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}/?sellers={}",
            stack.function_url,
            sellers.join(",")
        ))
        .await
        .unwrap();
    let payable = format!(
        "{STATE} === 'ready' && document.querySelectorAll('{ELEMENT} iframe').length === 1"
    );
    browser
        .wait_within(20, "a payable checkout", &payable)
        .await;
    let groups = browser
        .eval("document.querySelectorAll('[data-role=\"lines\"] [data-role=\"seller-group\"]').length")
        .await;
    assert_eq!(groups, 3, "a group per seller");
    let first = browser
        .client
        .find(fantoccini::Locator::Css("input[data-role=\"quantity\"]"))
        .await
        .unwrap();
    first.clear().await.unwrap();
    first.send_keys("2").await.unwrap();
    browser.wait_within(20, "the cart of two", &payable).await;
    browser
        .enter_card(ELEMENT, "4242 4242 4242 4242", "12 / 34", "123", "10001")
        .await;
    browser.screenshot("marketplace-cart").await;
    browser
        .find("button[data-role=\"pay\"]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_within(30, "the receipt", &format!("{STATE} === 'succeeded'"))
        .await;
    browser.screenshot("marketplace-receipt").await;
    let receipt_groups = browser
        .eval("document.querySelectorAll('[data-role=\"receipt-lines\"] [data-role=\"seller-group\"]').length")
        .await;
    assert_eq!(receipt_groups, 3, "the receipt lists what each seller sold");

    // One payment, on the platform, for the whole cart.
    let intents = stack
        .stripe_get("/v1/payment_intents?limit=100", None)
        .await;
    let paid: Vec<&Value> = intents["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|pi| pi["status"] == "succeeded" && pi["transfer_group"].is_string())
        .collect();
    assert_eq!(paid.len(), 1, "{intents}");
    assert_eq!(paid[0]["amount"], total);
    assert!(paid[0]["on_behalf_of"].is_null() && paid[0]["transfer_data"].is_null());

    // Each seller's balance grows by exactly their subtotal less the fee, once.
    let mut after = Vec::new();
    for _ in 0..100 {
        after.clear();
        for seller in &sellers {
            after.push(usd_balance(&stack, Some(seller)).await);
        }
        if after
            .iter()
            .zip(&before)
            .all(|(after, before)| after != before)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The webhook and the widget's fallback both ran by now; a second transfer would show.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (index, seller) in sellers.iter().enumerate() {
        let grown = usd_balance(&stack, Some(seller)).await - before[index];
        assert_eq!(
            grown,
            subtotals[index] - fees[index],
            "{seller}: subtotal {} less fee {}",
            subtotals[index],
            fees[index]
        );
    }
    let kept = usd_balance(&stack, None).await - platform_before;
    assert_eq!(
        kept,
        fees.iter().sum::<i64>(),
        "the platform keeps the fees"
    );

    browser.close().await;
    stack.shutdown().await;
}
