//! A cart of several sellers: one PaymentIntent on the platform, then, once it is paid, one
//! Transfer per seller of its subtotal less the platform's fee, exactly once however the
//! payment is reported (the shopper's widget, webhooks twice and out of order).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use connect_checkout_function::app;
use connect_checkout_function::keys::WebhookSecret;
use connect_checkout_function::stripe::retry::RetryPolicy;
use connect_checkout_function::webhooks::signature::sign;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use support::{
    ESPRESSO_CUPS, HOUSE_BLEND, Harness, KYOTO, LUMEN, PENDING_SELLER, SENCHA, attempt_id, harness,
};
use tower::ServiceExt;

mod support;

const HARBOR: &str = "acct_1HarborBakery001";
const JAM: &str = "price_1HarborJam000001";
const FERN: &str = "acct_1FernLoomTextile";
const TEA_TOWELS: &str = "price_1FernTeaTowels001";

/// Short enough to never look like a real signing secret.
fn webhook_secret() -> String {
    format!("whsec_{}", "MarketplaceTests0000")
}

async fn market_harness(extra: &[(&str, &str)]) -> Harness {
    let secret = webhook_secret();
    let mut pairs = vec![("STRIPE_WEBHOOK_SECRETS", secret.as_str())];
    pairs.extend_from_slice(extra);
    harness(&pairs).await
}

/// A marketplace cart: every line names its seller.
fn order(lines: &[(&str, &str, u32)], attempt: &str) -> Value {
    json!({
        "items": lines
            .iter()
            .map(|(seller, price, quantity)| json!({"seller": seller, "price": price, "quantity": quantity}))
            .collect::<Vec<_>>(),
        "attempt": attempt,
    })
}

/// Lumen: 2 × 12.00 + 1 × 24.50 = 48.50, fee 10 % + 0.30 = 5.15; Harbor: 3 × 7.25 = 21.75,
/// fee 2.175 → 2.18 + 0.30 = 2.48; Fern & Loom: 18.00, fee 2.10. Lines interleave sellers.
fn three_seller_order(label: &str) -> Value {
    order(
        &[
            (LUMEN, HOUSE_BLEND, 2),
            (HARBOR, JAM, 3),
            (LUMEN, ESPRESSO_CUPS, 1),
            (FERN, TEA_TOWELS, 1),
        ],
        &attempt_id(label),
    )
}

/// (seller, subtotal, fee) of `three_seller_order`.
const SHARES: [(&str, i64, i64); 3] = [(LUMEN, 4850, 515), (HARBOR, 2175, 248), (FERN, 1800, 210)];

/// What `account` holds in usd, available and pending (the platform's own when `None`).
async fn held(h: &Harness, account: Option<&str>) -> i64 {
    let balance = h.stripe_get("/v1/balance", account).await;
    ["available", "pending"]
        .iter()
        .flat_map(|kind| balance[kind].as_array().cloned().unwrap_or_default())
        .filter(|entry| entry["currency"] == "usd")
        .map(|entry| entry["amount"].as_i64().unwrap())
        .sum()
}

async fn transfers_in(h: &Harness, group: &str) -> Vec<Value> {
    h.stripe_get(
        &format!("/v1/transfers?transfer_group={group}&limit=100"),
        None,
    )
    .await["data"]
        .as_array()
        .cloned()
        .unwrap()
}

/// The platform's events of `kind` about `payment_intent` (the object or its charge).
async fn events_about(h: &Harness, kind: &str, payment_intent: &str) -> Vec<Value> {
    let events = h.stripe_get("/v1/events?limit=100", None).await;
    events["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"] == kind && event["account"].is_null())
        .filter(|event| {
            let object = &event["data"]["object"];
            object["id"] == payment_intent || object["payment_intent"] == payment_intent
        })
        .cloned()
        .collect()
}

/// Delivers `event` to the function as Stripe would, signed; the answer's status.
async fn deliver(h: &Harness, event: &Value) -> StatusCode {
    let body = event.to_string().into_bytes();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let secret = WebhookSecret::parse("TEST", &webhook_secret()).unwrap();
    let request = Request::post("/api/webhooks")
        .header(header::CONTENT_TYPE, "application/json")
        .header("stripe-signature", sign(&body, &secret, now))
        .body(Body::from(body))
        .unwrap();
    let response = app(h.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    response.into_body().collect().await.unwrap();
    status
}

fn transfers_path(payment_intent: &str) -> String {
    format!("/api/checkout/{payment_intent}/transfers")
}

#[tokio::test]
async fn a_three_seller_order_is_one_platform_payment_intent_recording_each_sellers_share() {
    let h = market_harness(&[]).await;
    let request = three_seller_order("three sellers, one payment");
    let attempt = request["attempt"].as_str().unwrap().to_owned();
    let answer = h.post("/api/checkout", &request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let session = answer.body;
    assert_eq!(session["stripe_account"], Value::Null, "on the platform");
    assert_eq!(session["transfer_group"], format!("order_{attempt}"));
    assert_eq!(session["total"], json!({"amount": 8825, "currency": "usd"}));
    let sellers: Vec<&str> = session["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|seller| seller["id"].as_str().unwrap())
        .collect();
    assert_eq!(sellers, [LUMEN, HARBOR, FERN], "in the cart's order");
    assert_eq!(
        session["sellers"][1]["display_name"],
        "Harbor Street Bakery"
    );
    let lines: Vec<(&str, &str)> = session["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["seller"].as_str().unwrap(),
                line["price"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (LUMEN, HOUSE_BLEND),
            (HARBOR, JAM),
            (LUMEN, ESPRESSO_CUPS),
            (FERN, TEA_TOWELS)
        ]
    );

    let id = session["payment_intent"].as_str().unwrap();
    let intent = h
        .stripe_get(&format!("/v1/payment_intents/{id}"), None)
        .await;
    assert_eq!(intent["amount"], 8825);
    assert_eq!(intent["currency"], "usd");
    assert_eq!(intent["transfer_group"], format!("order_{attempt}"));
    assert_eq!(intent["application_fee_amount"], Value::Null);
    assert_eq!(intent["transfer_data"], Value::Null);
    assert_eq!(intent["on_behalf_of"], Value::Null);
    assert_eq!(intent["metadata"]["checkout_attempt"], attempt.as_str());
    assert_eq!(
        intent["metadata"]["order_sellers"],
        format!("{LUMEN}:4850:515,{HARBOR}:2175:248,{FERN}:1800:210")
    );
    assert_eq!(
        intent["description"],
        "2 × House Blend, 250 g, 3 × Strawberry Jam, 250 g, 1 × Espresso Cups, set of 2, \
         1 × Linen Tea Towels, set of 2"
    );
    for seller in [LUMEN, HARBOR, FERN] {
        assert!(
            h.intents(seller).await.is_empty(),
            "nothing on {seller}'s account"
        );
    }

    let again = h.post("/api/checkout", &request).await;
    assert_eq!(
        again.body["payment_intent"], session["payment_intent"],
        "the same attempt is the same PaymentIntent"
    );
}

#[tokio::test]
async fn a_paid_order_pays_each_seller_their_share_once_however_often_it_is_reported() {
    let h = market_harness(&[]).await;
    let before: Vec<i64> = holdings(&h).await;
    let answer = h
        .post("/api/checkout", &three_seller_order("paid three ways"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let session = answer.body;
    let id = session["payment_intent"].as_str().unwrap().to_owned();
    let group = session["transfer_group"].as_str().unwrap().to_owned();
    assert_eq!(h.pay(&session, "pm_card_visa").await["status"], "succeeded");

    let settled = h.post(&transfers_path(&id), &json!({})).await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    assert_eq!(settled.body["payment_intent"], id.as_str());
    assert_eq!(settled.body["transfer_group"], group.as_str());
    let paid = settled.body["transfers"].as_array().unwrap().clone();
    assert_eq!(paid.len(), 3, "{paid:?}");
    let intent = h
        .stripe_get(&format!("/v1/payment_intents/{id}"), None)
        .await;
    let charge = intent["latest_charge"].as_str().unwrap();
    for ((seller, subtotal, fee), answer) in SHARES.iter().zip(&paid) {
        assert_eq!(answer["seller"], *seller);
        assert_eq!(
            answer["amount"],
            json!({"amount": subtotal - fee, "currency": "usd"})
        );
        let transfer = h
            .stripe_get(
                &format!("/v1/transfers/{}", answer["transfer"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(transfer["amount"], subtotal - fee);
        assert_eq!(transfer["destination"], *seller);
        assert_eq!(transfer["source_transaction"], charge);
        assert_eq!(transfer["transfer_group"], group.as_str());
        assert_eq!(transfer["metadata"]["payment_intent"], id.as_str());
        assert_eq!(
            transfer["metadata"]["seller_subtotal"],
            subtotal.to_string()
        );
        assert_eq!(transfer["metadata"]["platform_fee"], fee.to_string());
    }
    let lumen_transfer = h
        .stripe_get(
            &format!("/v1/transfers/{}", paid[0]["transfer"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        lumen_transfer["description"], "2 × House Blend, 250 g, 1 × Espresso Cups, set of 2",
        "a seller's transfer names only their own lines"
    );

    // The widget asks again, then both webhooks arrive twice, the charge's last.
    let again = h.post(&transfers_path(&id), &json!({})).await;
    assert_eq!(again.body["transfers"], json!(paid), "the same transfers");
    let succeeded = events_about(&h, "payment_intent.succeeded", &id).await;
    let charged = events_about(&h, "charge.succeeded", &id).await;
    assert_eq!((succeeded.len(), charged.len()), (1, 1));
    for event in [&succeeded[0], &succeeded[0], &charged[0], &charged[0]] {
        assert_eq!(deliver(&h, event).await, StatusCode::OK);
    }
    assert_eq!(transfers_in(&h, &group).await.len(), 3, "one per seller");

    let after: Vec<i64> = holdings(&h).await;
    for (index, (seller, subtotal, fee)) in SHARES.iter().enumerate() {
        assert_eq!(
            after[index + 1] - before[index + 1],
            subtotal - fee,
            "{seller} receives its subtotal less the fee"
        );
    }
    assert_eq!(
        after[0] - before[0],
        515 + 248 + 210,
        "the platform keeps the fees"
    );
}

/// The platform's usd, then each seller's of `SHARES`.
async fn holdings(h: &Harness) -> Vec<i64> {
    let mut held_now = vec![held(h, None).await];
    for (seller, _, _) in SHARES {
        held_now.push(held(h, Some(seller)).await);
    }
    held_now
}

#[tokio::test]
async fn the_webhook_alone_pays_the_sellers_even_when_the_charge_event_comes_first() {
    let h = market_harness(&[]).await;
    let session = h
        .post("/api/checkout", &three_seller_order("webhook only"))
        .await
        .body;
    let id = session["payment_intent"].as_str().unwrap().to_owned();
    let group = session["transfer_group"].as_str().unwrap().to_owned();
    h.pay(&session, "pm_card_visa").await;
    let charged = events_about(&h, "charge.succeeded", &id).await;
    assert_eq!(deliver(&h, &charged[0]).await, StatusCode::OK);
    let made = transfers_in(&h, &group).await;
    assert_eq!(made.len(), 3);
    let succeeded = events_about(&h, "payment_intent.succeeded", &id).await;
    assert_eq!(deliver(&h, &succeeded[0]).await, StatusCode::OK);
    assert_eq!(transfers_in(&h, &group).await.len(), 3);
    let settled = h.post(&transfers_path(&id), &json!({})).await;
    let ids: Vec<&str> = settled.body["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["transfer"].as_str().unwrap())
        .collect();
    for transfer in &made {
        assert!(ids.contains(&transfer["id"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn when_stripe_cannot_make_a_transfer_the_webhook_fails_so_stripe_sends_it_again() {
    let h = market_harness(&[]).await;
    let session = h
        .post("/api/checkout", &three_seller_order("transfer fails once"))
        .await
        .body;
    let id = session["payment_intent"].as_str().unwrap().to_owned();
    let group = session["transfer_group"].as_str().unwrap().to_owned();
    h.pay(&session, "pm_card_visa").await;
    let succeeded = events_about(&h, "payment_intent.succeeded", &id).await;
    h.admin(
        "/_sandbox/faults",
        json!({"rules": [{"fault": "server_error", "path_prefix": "/v1/transfers", "method": "POST"}]}),
    )
    .await;
    let status = deliver(&h, &succeeded[0]).await;
    assert!(status.is_server_error(), "{status}");
    h.admin("/_sandbox/faults", json!({"rules": []})).await;
    assert_eq!(deliver(&h, &succeeded[0]).await, StatusCode::OK);
    assert_eq!(transfers_in(&h, &group).await.len(), 3);
}

#[tokio::test]
async fn an_unpaid_order_is_409_and_a_payment_that_is_no_order_is_404() {
    let h = market_harness(&[]).await;
    let session = h
        .post("/api/checkout", &three_seller_order("not paid yet"))
        .await
        .body;
    let id = session["payment_intent"].as_str().unwrap();
    let unpaid = h.post(&transfers_path(id), &json!({})).await;
    assert_eq!(unpaid.status, StatusCode::CONFLICT, "{}", unpaid.body);
    assert_eq!(unpaid.body["error"]["code"], "payment_not_succeeded");
    assert!(
        transfers_in(&h, session["transfer_group"].as_str().unwrap())
            .await
            .is_empty()
    );

    // A single-seller direct charge lives on the seller's account: not an order.
    let direct = h
        .post(
            "/api/checkout",
            &support::checkout(LUMEN, &[(HOUSE_BLEND, 1)], &attempt_id("a direct charge")),
        )
        .await;
    assert_eq!(direct.body["transfer_group"], Value::Null);
    let direct_id = direct.body["payment_intent"].as_str().unwrap();
    let platform_intent = h
        .stripe_post(
            "/v1/payment_intents",
            &[("amount", "500"), ("currency", "usd")],
            None,
        )
        .await;
    for other in [
        direct_id,
        platform_intent["id"].as_str().unwrap(),
        "pi_1NoSuchPaymentIntent",
    ] {
        let answer = h.post(&transfers_path(other), &json!({})).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{other}: {}",
            answer.body
        );
        assert_eq!(answer.body["error"]["code"], "not_found");
    }
    let forged = h.post(&transfers_path("ch_1Charge"), &json!({})).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{}", forged.body);
}

#[tokio::test]
async fn sellers_in_different_currencies_are_refused_in_words() {
    let h = market_harness(&[]).await;
    let answer = h
        .post(
            "/api/checkout",
            &order(
                &[(LUMEN, HOUSE_BLEND, 1), (KYOTO, SENCHA, 1)],
                &attempt_id("usd and jpy"),
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], "currency_mismatch");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Lumen Coffee Roasters") && message.contains("Kyoto Tea House"),
        "{message}"
    );
    assert!(
        message.contains("USD") && message.contains("JPY"),
        "{message}"
    );
    let intents = h.stripe_get("/v1/payment_intents?limit=100", None).await;
    assert!(intents["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_seller_who_cannot_take_charges_is_named() {
    let h = market_harness(&[]).await;
    let answer = h
        .post(
            "/api/checkout",
            &order(
                &[
                    (LUMEN, HOUSE_BLEND, 1),
                    (PENDING_SELLER, "price_1Anything", 1),
                ],
                &attempt_id("a pending seller"),
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], "seller_cannot_take_charges");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("Fresh Pottery Studio"), "{message}");
}

#[tokio::test]
async fn a_price_of_another_seller_named_on_a_line_is_not_found() {
    let h = market_harness(&[]).await;
    let answer = h
        .post(
            "/api/checkout",
            &order(
                &[(LUMEN, HOUSE_BLEND, 1), (HARBOR, TEA_TOWELS, 1)],
                &attempt_id("a borrowed price"),
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], "price_not_found");
}

#[tokio::test]
async fn with_charge_type_separate_a_single_seller_cart_is_an_order_too() {
    let h = market_harness(&[("CHARGE_TYPE", "separate")]).await;
    let attempt = attempt_id("separate, one seller");
    let answer = h
        .post(
            "/api/checkout",
            &support::checkout(LUMEN, &[(HOUSE_BLEND, 2)], &attempt),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["stripe_account"], Value::Null);
    assert_eq!(answer.body["transfer_group"], format!("order_{attempt}"));
    assert!(h.intents(LUMEN).await.is_empty());
    h.pay(&answer.body, "pm_card_visa").await;
    let id = answer.body["payment_intent"].as_str().unwrap();
    let settled = h.post(&transfers_path(id), &json!({})).await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    // 24.00 less 10 % + 0.30.
    assert_eq!(settled.body["transfers"][0]["amount"]["amount"], 2400 - 270);
}

#[tokio::test]
async fn the_sellers_catalogs_are_read_side_by_side() {
    let h = market_harness(&[]).await;
    // Every Stripe call waits 300 ms: read one seller after another, three sellers' catalogs
    // and the PaymentIntent would take 1.2 s; side by side, 0.6 s.
    h.admin("/_sandbox/faults", json!({"latency_ms": 300}))
        .await;
    let started = Instant::now();
    let answer = h
        .post("/api/checkout", &three_seller_order("side by side"))
        .await;
    let took = started.elapsed();
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(took < Duration::from_millis(1100), "{took:?}");
}

#[tokio::test]
async fn an_order_whose_payment_intent_answer_was_a_stored_5xx_is_found_not_made_twice() {
    let mut h = market_harness(&[]).await;
    h.state = h.state.clone().with_retry_policy(RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        budget: Duration::from_secs(10),
        attempt_timeout: Duration::from_secs(2),
    });
    // The PaymentIntent is created, then every answer under its key is the stored 500.
    h.admin(
        "/_sandbox/faults",
        json!({"rules": [{"fault": "server_error", "when": "after", "path_prefix": "/v1/payment_intents", "method": "POST", "times": 1}]}),
    )
    .await;
    let request = three_seller_order("a stored 500");
    let answer = h.post("/api/checkout", &request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body["transfer_group"],
        format!("order_{}", request["attempt"].as_str().unwrap())
    );
    assert_eq!(
        h.pay(&answer.body, "pm_card_visa").await["status"],
        "succeeded"
    );
    let platform = h.stripe_get("/v1/payment_intents?limit=100", None).await;
    let of_this_attempt = platform["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|intent| intent["metadata"]["checkout_attempt"] == request["attempt"])
        .count();
    assert_eq!(of_this_attempt, 1);
}

#[tokio::test]
async fn an_order_costs_two_catalog_reads_per_seller_and_paying_its_sellers_one_call_each() {
    let h = market_harness(&[]).await;
    let calls = || h.state.stripe.requests_sent();
    let before = calls();
    let session = h
        .post("/api/checkout", &three_seller_order("counted calls"))
        .await
        .body;
    assert_eq!(
        calls() - before,
        3 * 2 + 1,
        "each seller's account and prices, then the PaymentIntent"
    );
    h.pay(&session, "pm_card_visa").await;
    let id = session["payment_intent"].as_str().unwrap();
    let before = calls();
    h.post(&transfers_path(id), &json!({})).await;
    assert_eq!(
        calls() - before,
        2 + 3,
        "the PaymentIntent, the group's transfers, one Transfer per seller"
    );
    let before = calls();
    h.post(&transfers_path(id), &json!({})).await;
    assert_eq!(calls() - before, 2, "nothing more to make");
}
