//! What one request may cost: the Stripe calls of a checkout (1 line, 50 lines, made-up
//! prices; cold and warm catalog) and the catalog's freshness.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::http::StatusCode;
use connect_checkout_core::retry::RETRIES_SPENT_HEADER;
use serde_json::json;
use stripe_sandbox::Seed;
use stripe_sandbox::{SeedPrice, SeedProduct};
use support::{HOUSE_BLEND, Harness, LUMEN, attempt_id, checkout, harness, harness_with};

mod support;

/// The default seed, with `extra` more one-off prices for Lumen (`price_1LumenBulk{n}`).
fn seed_with_prices(extra: usize) -> Seed {
    let mut seed = Seed::default();
    let lumen = seed
        .accounts
        .iter_mut()
        .find(|account| account.id == LUMEN)
        .unwrap();
    for n in 0..extra {
        lumen.products.push(SeedProduct {
            id: format!("prod_1LumenBulk{n:04}"),
            name: format!("Bulk bag {n}"),
            description: None,
            active: true,
            prices: vec![SeedPrice {
                id: bulk_price(n),
                unit_amount: 100 + n as i64,
                currency: "usd".into(),
                active: true,
            }],
            created: None,
        });
    }
    seed
}

fn bulk_price(n: usize) -> String {
    format!("price_1LumenBulk{n:04}")
}

/// The Stripe requests `h`'s function sends while answering a checkout of `items`.
async fn calls_for(h: &Harness, items: &[(&str, u32)], label: &str) -> (StatusCode, u64) {
    let before = h.state.stripe.requests_sent();
    let answer = h
        .post("/api/checkout", &checkout(LUMEN, items, &attempt_id(label)))
        .await;
    (answer.status, h.state.stripe.requests_sent() - before)
}

#[tokio::test]
async fn a_checkout_costs_the_same_few_stripe_calls_for_1_line_or_50_and_fewer_when_warm() {
    let h = harness_with(seed_with_prices(49), &[]).await;
    let prices: Vec<String> = (0..49).map(bulk_price).collect();
    let mut fifty: Vec<(&str, u32)> = prices.iter().map(|p| (p.as_str(), 1)).collect();
    fifty.push((HOUSE_BLEND, 1));
    assert_eq!(fifty.len(), 50);

    // Cold: the account and one page of prices, side by side, then the PaymentIntent.
    assert_eq!(
        calls_for(&h, &[(HOUSE_BLEND, 1)], "one-line-cold").await,
        (StatusCode::OK, 3)
    );
    // Warm: the catalog is reused; only the PaymentIntent.
    assert_eq!(
        calls_for(&h, &[(HOUSE_BLEND, 2)], "one-line-warm").await,
        (StatusCode::OK, 1)
    );
    assert_eq!(
        calls_for(&h, &fifty, "fifty-lines-warm").await,
        (StatusCode::OK, 1)
    );

    let cold = harness_with(seed_with_prices(49), &[]).await;
    assert_eq!(
        calls_for(&cold, &fifty, "fifty-lines-cold").await,
        (StatusCode::OK, 3)
    );
}

#[tokio::test]
async fn fifty_made_up_prices_cost_two_stripe_calls_not_fifty() {
    let h = harness(&[]).await;
    let made_up: Vec<String> = (0..50).map(|n| format!("price_1MadeUp{n:04}")).collect();
    let items: Vec<(&str, u32)> = made_up.iter().map(|p| (p.as_str(), 1)).collect();
    let (status, calls) = calls_for(&h, &items, "made-up-prices").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(calls, 2, "the account and the price list");
}

#[tokio::test]
async fn a_catalog_of_more_than_one_page_is_read_whole() {
    let h = harness_with(seed_with_prices(150), &[]).await;
    // Stripe lists newest first; the first bulk price is on the second page.
    let (status, calls) = calls_for(&h, &[(&bulk_price(0), 1)], "paged-catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        calls, 4,
        "the account, two pages of prices, the PaymentIntent"
    );
}

#[tokio::test]
async fn with_the_cache_off_every_checkout_reads_the_catalog() {
    let h = harness(&[("CATALOG_CACHE_SECONDS", "0")]).await;
    for label in ["uncached-1", "uncached-2"] {
        assert_eq!(
            calls_for(&h, &[(HOUSE_BLEND, 1)], label).await,
            (StatusCode::OK, 3)
        );
    }
}

#[tokio::test]
async fn a_price_deactivated_after_the_catalog_was_read_is_refused_once_stripe_says_so() {
    let h = harness(&[("STRIPE_WEBHOOK_SECRETS", "whsec_BoundedTestsSecret000000")]).await;
    assert_eq!(
        calls_for(&h, &[(HOUSE_BLEND, 1)], "before-deactivation").await,
        (StatusCode::OK, 3)
    );
    // The seller deactivates the price; Stripe tells the platform with `price.updated`.
    h.stripe_post(
        &format!("/v1/prices/{HOUSE_BLEND}"),
        &[("active", "false")],
        Some(LUMEN),
    )
    .await;
    let event = json!({
        "id": "evt_1PriceUpdated", "object": "event", "type": "price.updated",
        "account": LUMEN, "created": 1, "livemode": false,
        "data": {"object": {"id": HOUSE_BLEND, "object": "price", "active": false}},
    })
    .to_string();
    let secret = connect_checkout_function::keys::WebhookSecret::parse(
        "TEST",
        "whsec_BoundedTestsSecret000000",
    )
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signature =
        connect_checkout_function::webhooks::signature::sign(event.as_bytes(), &secret, now);
    let request = axum::http::Request::post("/api/webhooks")
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(axum::body::Body::from(event))
        .unwrap();
    assert_eq!(h.send(request).await.status, StatusCode::OK);

    let answer = h
        .post(
            "/api/checkout",
            &checkout(
                LUMEN,
                &[(HOUSE_BLEND, 1)],
                &attempt_id("after-deactivation"),
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], "price_not_found");
}

/// `GET path` from the client at `address`, as `serve` sees it (the TCP peer).
async fn get_from(h: &Harness, address: [u8; 4], path: &str) -> support::Answer {
    let peer = std::net::SocketAddr::from((address, 40_000));
    let request = axum::http::Request::get(path)
        .extension(axum::extract::ConnectInfo(peer))
        .body(axum::body::Body::empty())
        .unwrap();
    h.send(request).await
}

#[tokio::test]
async fn a_client_over_its_budget_gets_a_429_that_says_when_to_come_back() {
    let h = harness(&[("RATE_LIMIT_PER_MINUTE", "60"), ("RATE_LIMIT_BURST", "2")]).await;
    let shopper = [203, 0, 113, 9];
    for _ in 0..2 {
        assert_eq!(
            get_from(&h, shopper, "/api/config").await.status,
            StatusCode::OK
        );
    }
    let refused = get_from(&h, shopper, "/api/config").await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["error"]["code"], "rate_limited");
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("Wait 1 s"), "{message}");
    assert_eq!(refused.headers["retry-after"], "1");
    assert!(
        !refused.headers.contains_key(RETRIES_SPENT_HEADER),
        "nothing reached Stripe: the widget may ask again"
    );

    // Another address, this machine, and the health check are not affected.
    let other = get_from(&h, [198, 51, 100, 7], "/api/config").await;
    assert_eq!(other.status, StatusCode::OK);
    for _ in 0..10 {
        assert_eq!(
            get_from(&h, [127, 0, 0, 1], "/api/config").await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        get_from(&h, shopper, "/healthz").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_default_budget_lets_a_shopper_through_a_whole_checkout() {
    let h = harness(&[]).await;
    let shopper = [203, 0, 113, 10];
    // A page load, a product list, a few price changes and the checkout: well within 30.
    for _ in 0..20 {
        assert_eq!(
            get_from(&h, shopper, "/api/config").await.status,
            StatusCode::OK
        );
    }
}
