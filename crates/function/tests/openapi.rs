//! The OpenAPI document stays true: every documented operation exists, and real responses match
//! the documented schemas.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Harness, LUMEN, harness};

mod support;

async fn document(h: &Harness) -> Value {
    let answer = h.get("/api/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.body
}

/// Checks `value` against `#/components/schemas/{name}` of `doc`.
fn assert_matches(doc: &Value, name: &str, value: &Value) {
    let mut root = doc.clone();
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    let validator = jsonschema::draft202012::new(&root).expect("the document's schemas compile");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name} does not match:\n{}\n{value:#}",
        errors.join("\n")
    );
}

// Found by schemathesis: a method a route does not take was axum's 405 with an empty body, no
// JSON and no error code.
#[tokio::test]
async fn a_method_a_route_does_not_take_is_refused_in_the_apis_error_shape() {
    let h = harness(&[]).await;
    let answer = h.call(Method::PUT, "/api/checkout", None, None).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        answer.body["error"]["code"], "invalid_request",
        "{}",
        answer.body
    );
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not take PUT"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn every_documented_operation_exists() {
    let h = harness(&[]).await;
    let doc = document(&h).await;
    let mut checked = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let uri = path
                .replace("{account}", LUMEN)
                .replace("{payment_intent}", "pi_1NoSuchOrder");
            let body = (method == Method::POST).then(|| json!({}));
            let answer = h.call(method.clone(), &uri, body.as_ref(), None).await;
            let (status, answer) = (answer.status, answer.body);
            let unrouted = status == StatusCode::METHOD_NOT_ALLOWED
                || answer["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("no such API route"));
            assert!(
                !unrouted,
                "{method} {path} is documented but not routed ({status}: {answer})"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "checked {checked} operations");
}

#[tokio::test]
async fn responses_match_their_documented_schemas() {
    let h = harness(&[]).await;
    let doc = document(&h).await;

    assert_matches(&doc, "ClientConfig", &h.get("/api/config").await.body);
    assert_matches(&doc, "SellerList", &h.get("/api/sellers").await.body);
    let products = h.get(&format!("/api/sellers/{LUMEN}/products")).await;
    assert_matches(&doc, "ProductList", &products.body);
    let checkout = json!({
        "seller": LUMEN,
        "items": [{"price": "price_1LumenHouseBlend01", "quantity": 1}],
        "attempt": "d4d66a8c337e424a6719d4d9fd33caeb",
        "email": "shopper@example.com",
    });
    assert_matches(&doc, "CheckoutRequest", &checkout);
    let session = h.post("/api/checkout", &checkout).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_matches(&doc, "CheckoutSession", &session.body);

    let error = h.post("/api/checkout", &json!({"seller": 1})).await;
    assert_eq!(error.status, StatusCode::BAD_REQUEST);
    assert_matches(&doc, "ErrorBody", &error.body);

    let signed_in = h
        .post("/api/seller-session", &json!({"account": LUMEN}))
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_matches(&doc, "SellerStatus", &signed_in.body);
    let cookie = signed_in.cookie.expect("a session cookie");
    let payments = h
        .call(
            Method::GET,
            &format!("/api/sellers/{LUMEN}/payments"),
            None,
            Some(&cookie),
        )
        .await;
    assert_eq!(payments.status, StatusCode::OK, "{}", payments.body);
    assert_matches(&doc, "SellerPayments", &payments.body);

    let health = h.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_matches(&doc, "Health", &health.body);
}

#[tokio::test]
async fn a_marketplace_orders_session_and_transfers_match_their_schemas() {
    let h = harness(&[]).await;
    let doc = document(&h).await;
    let order = json!({
        "items": [
            {"seller": LUMEN, "price": "price_1LumenHouseBlend01", "quantity": 1},
            {"seller": "acct_1HarborBakery001", "price": "price_1HarborJam000001", "quantity": 1},
        ],
        "attempt": "9c41e07b2d5f48a3b6e8f1d07a2c5b94",
    });
    assert_matches(&doc, "CheckoutRequest", &order);
    let session = h.post("/api/checkout", &order).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_matches(&doc, "CheckoutSession", &session.body);
    h.pay(&session.body, "pm_card_visa").await;
    let intent = session.body["payment_intent"].as_str().unwrap();
    let transfers = h
        .post(&format!("/api/checkout/{intent}/transfers"), &json!({}))
        .await;
    assert_eq!(transfers.status, StatusCode::OK, "{}", transfers.body);
    assert_matches(&doc, "OrderTransfers", &transfers.body);
}

// The document's examples are what schemathesis sends first (`cargo xtask test`), so that its
// requests reach a real product list and a real checkout rather than a 404: they must stay
// requests the function takes, on the sandbox's seeded data.
#[tokio::test]
async fn the_documented_examples_are_requests_the_function_takes() {
    let h = harness(&[]).await;
    let doc = document(&h).await;

    let account = &doc["components"]["parameters"]["Account"]["example"];
    let products = h
        .get(&format!(
            "/api/sellers/{}/products",
            account.as_str().unwrap()
        ))
        .await;
    assert_eq!(products.status, StatusCode::OK, "{}", products.body);
    assert!(!products.body["products"].as_array().unwrap().is_empty());

    let examples = doc["components"]["schemas"]["CheckoutRequest"]["examples"]
        .as_array()
        .unwrap();
    assert!(!examples.is_empty());
    for example in examples {
        assert_matches(&doc, "CheckoutRequest", example);
        let session = h.post("/api/checkout", example).await;
        assert_eq!(
            session.status,
            StatusCode::OK,
            "{example}: {}",
            session.body
        );
        assert_matches(&doc, "CheckoutSession", &session.body);
    }
}

#[tokio::test]
async fn every_rate_limited_operation_documents_its_429_and_a_real_one_matches() {
    let h = harness(&[("RATE_LIMIT_PER_MINUTE", "1"), ("RATE_LIMIT_BURST", "1")]).await;
    let doc = document(&h).await;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") || path == "/api/webhooks" {
            continue;
        }
        for (method, operation) in operations.as_object().unwrap() {
            assert!(
                operation["responses"]["429"].is_object(),
                "{method} {path} does not document its 429"
            );
        }
    }
    let send = || {
        let peer = std::net::SocketAddr::from(([203, 0, 113, 20], 40_000));
        axum::http::Request::get("/api/config")
            .extension(axum::extract::ConnectInfo(peer))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(h.send(send()).await.status, StatusCode::OK);
    let refused = h.send(send()).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_matches(&doc, "ErrorBody", &refused.body);
}
