//! The checkout API, in process (`app().oneshot`), against the real Stripe sandbox.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use connect_checkout_function::app;
use serde_json::{Value, json};
use support::{
    Answer, ESPRESSO_CUPS, HOUSE_BLEND, KYOTO, LUMEN, PENDING_SELLER, SENCHA, checkout, harness,
};
use tower::ServiceExt;

mod support;

#[tokio::test]
async fn config_gives_the_browser_the_publishable_key_and_nothing_secret() {
    let h = harness(&[]).await;
    let Answer { status, body, .. } = h.get("/api/config").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["publishable_key"], h.sandbox.publishable_key());
    assert_eq!(
        body["stripe_js_url"],
        format!("{}/v3/", h.sandbox.base_url())
    );
    assert_eq!(body["mode"], "sandbox");
    assert!(!body.to_string().contains("sk_test_"));
}

#[tokio::test]
async fn products_are_the_sellers_active_prices_with_product_names() {
    let h = harness(&[]).await;
    let Answer { status, body, .. } = h.get(&format!("/api/sellers/{LUMEN}/products")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["seller"]["display_name"], "Lumen Coffee Roasters");
    let blend = body["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["price"] == HOUSE_BLEND)
        .expect("the house blend is listed");
    assert_eq!(blend["name"], "House Blend, 250 g");
    assert_eq!(
        blend["unit_amount"],
        json!({"amount": 1200, "currency": "usd"})
    );
}

#[tokio::test]
async fn sellers_lists_only_those_who_can_take_charges() {
    let h = harness(&[]).await;
    let Answer { status, body, .. } = h.get("/api/sellers").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = body["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&LUMEN) && ids.contains(&KYOTO), "{ids:?}");
    assert!(!ids.contains(&PENDING_SELLER), "{ids:?}");
}

#[tokio::test]
async fn checkout_prices_the_cart_and_makes_a_direct_charge_with_the_fee() {
    let h = harness(&[]).await;
    let request = checkout(
        LUMEN,
        &[(HOUSE_BLEND, 2), (ESPRESSO_CUPS, 1)],
        "3023d3f700b6f7b19d27e6d7675d5625",
    );
    let Answer { status, body, .. } = h.post("/api/checkout", &request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], json!({"amount": 4850, "currency": "usd"}));
    assert_eq!(body["stripe_account"], LUMEN);
    assert!(
        body["client_secret"]
            .as_str()
            .unwrap()
            .starts_with(body["payment_intent"].as_str().unwrap())
    );
    assert_eq!(body["lines"][0]["amount"]["amount"], 2400);

    let intents = h.intents(LUMEN).await;
    let intent = intents
        .iter()
        .find(|pi| pi["id"] == body["payment_intent"])
        .expect("on the seller's account");
    assert_eq!(intent["amount"], 4850);
    // 10 % of 48.50 is 4.85, plus 0.30.
    assert_eq!(intent["application_fee_amount"], 515);
}

#[tokio::test]
async fn zero_decimal_currencies_are_charged_in_whole_units() {
    let h = harness(&[("PLATFORM_FEE", "5%")]).await;
    let Answer { status, body, .. } = h
        .post(
            "/api/checkout",
            &checkout(KYOTO, &[(SENCHA, 3)], "d7ee396a4a09b044b542ea8e2870ea45"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], json!({"amount": 4500, "currency": "jpy"}));
    let intents = h.intents(KYOTO).await;
    assert_eq!(intents[0]["application_fee_amount"], 225);
}

#[tokio::test]
async fn the_same_attempt_always_gets_the_same_payment_intent() {
    let h = harness(&[]).await;
    let request = checkout(
        LUMEN,
        &[(HOUSE_BLEND, 1)],
        "020548cc004ee8f688d6a532bca1bb35",
    );
    let Answer { body: first, .. } = h.post("/api/checkout", &request).await;
    let Answer {
        status,
        body: second,
        ..
    } = h.post("/api/checkout", &request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["payment_intent"], second["payment_intent"]);
    assert_eq!(first["client_secret"], second["client_secret"]);
    assert_eq!(h.intents(LUMEN).await.len(), 1);
}

#[tokio::test]
async fn reusing_an_attempt_for_another_cart_is_refused() {
    let h = harness(&[]).await;
    h.post(
        "/api/checkout",
        &checkout(
            LUMEN,
            &[(HOUSE_BLEND, 1)],
            "45e76e320b5c439699d5627a1f489660",
        ),
    )
    .await;
    let Answer { status, body, .. } = h
        .post(
            "/api/checkout",
            &checkout(
                LUMEN,
                &[(HOUSE_BLEND, 5)],
                "45e76e320b5c439699d5627a1f489660",
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "attempt_reused");
}

#[tokio::test]
async fn another_sellers_price_cannot_be_slipped_into_the_cart() {
    let h = harness(&[]).await;
    let Answer { status, body, .. } = h
        .post(
            "/api/checkout",
            &checkout(LUMEN, &[(SENCHA, 1)], "ad78e7041344ae2e38cd33a75c9d6d28"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "price_not_found");
    assert!(h.intents(LUMEN).await.is_empty());
}

#[tokio::test]
async fn a_seller_who_cannot_take_charges_is_refused() {
    let h = harness(&[]).await;
    let Answer { status, body, .. } = h
        .post(
            "/api/checkout",
            &checkout(
                PENDING_SELLER,
                &[(HOUSE_BLEND, 1)],
                "ea89a903d1c1a5fb5ef152af6174942b",
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "seller_cannot_take_charges");
}

#[tokio::test]
async fn an_unknown_seller_is_not_found() {
    let h = harness(&[]).await;
    let Answer { status, body, .. } = h
        .post(
            "/api/checkout",
            &checkout(
                "acct_1DoesNotExist000",
                &[(HOUSE_BLEND, 1)],
                "73fac328a7033815ffcf2ac606bd1375",
            ),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "seller_not_found");
}

#[tokio::test]
async fn bad_input_gets_a_4xx_that_says_what_to_fix() {
    let h = harness(&[]).await;
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "zero quantity",
            checkout(
                LUMEN,
                &[(HOUSE_BLEND, 0)],
                "a6eb24d90ebf6e08a3078a0e20a8d93e",
            ),
            StatusCode::BAD_REQUEST,
            "items[0].quantity",
        ),
        (
            "empty cart",
            checkout(LUMEN, &[], "9f8b6216f4db9655e1073c72a349e465"),
            StatusCode::BAD_REQUEST,
            "the cart is empty",
        ),
        (
            "negative quantity",
            json!({"seller": LUMEN, "attempt": "d8889b679913ad6771a0e02d25af809f", "items": [{"price": HOUSE_BLEND, "quantity": -1}]}),
            StatusCode::BAD_REQUEST,
            "quantity",
        ),
        (
            "a price from the browser",
            json!({"seller": LUMEN, "attempt": "59bdb3bc967bcfcbf571859d3a67014f", "items": [{"price": HOUSE_BLEND, "quantity": 1}], "amount": 1}),
            StatusCode::BAD_REQUEST,
            "unknown field `amount`",
        ),
        (
            "not a seller id",
            checkout(
                "cus_123",
                &[(HOUSE_BLEND, 1)],
                "e1df774e5d2dc0794ff860c7b59b9b32",
            ),
            StatusCode::BAD_REQUEST,
            "starts with `acct_`",
        ),
        (
            "short attempt",
            checkout(LUMEN, &[(HOUSE_BLEND, 1)], "x"),
            StatusCode::BAD_REQUEST,
            "attempt id",
        ),
    ];
    for (what, body, expected, says) in cases {
        let Answer {
            status,
            body: answer,
            ..
        } = h.post("/api/checkout", &body).await;
        assert_eq!(status, expected, "{what}: {answer}");
        assert_eq!(
            answer["error"]["code"], "invalid_request",
            "{what}: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(says),
            "{what}: `{message}` should mention `{says}`"
        );
    }

    let malformed = Request::post("/api/checkout")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"seller\": "))
        .unwrap();
    let Answer { status, body, .. } = h.send(malformed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{body}"
    );

    let form = Request::post("/api/checkout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("seller=acct_1"))
        .unwrap();
    assert_eq!(
        h.send(form).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let huge = Request::post("/api/checkout")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(
            "{{\"seller\":\"{}\"}}",
            "a".repeat(100_000)
        )))
        .unwrap();
    let Answer { status, body, .. } = h.send(huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "payload_too_large");

    let Answer { status, body, .. } = h.get("/api/sellers/not-an-account/products").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_request");

    let Answer { status, body, .. } = h.get("/api/does-not-exist").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        h.intents(LUMEN).await.is_empty(),
        "no bad request reached Stripe"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let h = harness(&[]).await;
    let response = app(h.state.clone())
        .oneshot(Request::get("/api/config").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let id = response
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(id.starts_with("req_"), "{id}");
}

#[tokio::test]
async fn server_timing_splits_stripe_time_from_our_own() {
    let h = harness(&[]).await;
    let request = Request::get(format!("/api/sellers/{LUMEN}/products"))
        .body(Body::empty())
        .unwrap();
    let response = app(h.state.clone()).oneshot(request).await.unwrap();
    let timing = response
        .headers()
        .get("server-timing")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let duration = |name: &str| -> f64 {
        timing
            .split(", ")
            .find_map(|part| part.strip_prefix(&format!("{name};dur=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        duration("stripe") > 0.0,
        "two Stripe calls were made: {timing}"
    );
    assert!(duration("app") >= 0.0, "{timing}");

    let config = app(h.state.clone())
        .oneshot(Request::get("/api/config").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let timing = config
        .headers()
        .get("server-timing")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        timing.starts_with("stripe;dur=0.000"),
        "no Stripe call for the config: {timing}"
    );
}

#[tokio::test]
async fn guessable_attempt_ids_are_a_400_that_says_what_to_send() {
    let h = harness(&[]).await;
    for attempt in [
        "0000000000000001",
        "attempt-bad-input-0001",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        let sent_before = h.state.stripe.requests_sent();
        let answer = h
            .post(
                "/api/checkout",
                &checkout(LUMEN, &[(HOUSE_BLEND, 1)], attempt),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{attempt}: {}",
            answer.body
        );
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("128 random bits"), "{message}");
        assert_eq!(h.state.stripe.requests_sent(), sent_before);
    }
}
