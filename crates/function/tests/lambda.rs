//! The `lambda` entry point's path: API Gateway HTTP API (v2) and Lambda function URL events
//! go through `lambda_http`'s adapter into the same Router, and come back as Lambda responses.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connect_checkout_function::{AppState, app};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::{Value, json};
use support::harness;

mod support;

/// An HTTP API (payload 2.0) event as API Gateway or a function URL sends it.
fn event(domain: &str, method: &str, path: &str, body: Option<&Value>) -> LambdaRequest {
    serde_json::from_value(event_json(domain, method, path, body)).unwrap()
}

fn event_json(domain: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "host": domain,
            "content-type": "application/json",
            "x-forwarded-proto": "https",
            "x-forwarded-for": "203.0.113.9",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": domain,
            "domainPrefix": domain.split('.').next().unwrap(),
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9", "userAgent": "test"},
            "requestId": "request-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "29/Nov/2026:10:00:00 +0000",
            "timeEpoch": 1_795_000_000_000_u64,
        },
        "body": body.map(Value::to_string),
        "isBase64Encoded": false,
    })
}

async fn invoke(state: &AppState, request: LambdaRequest) -> Value {
    let mut adapter = Adapter::from(app(state.clone()));
    let response = adapter
        .call(LambdaEvent::new(request, Context::default()))
        .await
        .unwrap();
    serde_json::to_value(response).unwrap()
}

#[tokio::test]
async fn an_http_api_event_reaches_the_router_and_returns_json() {
    let h = harness(&[]).await;
    let state = &h.state;
    let response = invoke(
        state,
        event(
            "abc.execute-api.eu-west-1.amazonaws.com",
            "GET",
            "/api/config",
            None,
        ),
    )
    .await;
    assert_eq!(response["statusCode"], 200, "{response}");
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert!(
        body["publishable_key"]
            .as_str()
            .unwrap()
            .starts_with("pk_test_")
    );
    assert_eq!(response["isBase64Encoded"], false);
}

#[tokio::test]
async fn a_function_url_event_can_create_a_checkout() {
    let h = harness(&[]).await;
    let state = &h.state;
    let checkout = json!({
        "seller": "acct_1LumenCoffee0001",
        "items": [{"price": "price_1LumenHouseBlend01", "quantity": 2}],
        "attempt": "441dac2cc120338f2fe7b1a204a23938",
    });
    let request = event(
        "fn123.lambda-url.eu-west-1.on.aws",
        "POST",
        "/api/checkout",
        Some(&checkout),
    );
    let response = invoke(state, request).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["total"]["amount"], 2400);
}

#[tokio::test]
async fn errors_keep_their_status_and_shape_through_lambda() {
    let h = harness(&[]).await;
    let state = &h.state;
    let response = invoke(
        state,
        event("abc.lambda-url.eu-west-1.on.aws", "GET", "/api/nope", None),
    )
    .await;
    assert_eq!(response["statusCode"], 404);
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_terms_ip_on_lambda_is_the_source_aws_saw_not_the_clients_header() {
    let h = harness(&[]).await;
    let attempt = format!("{:032x}", rand::random::<u128>());
    let created = h
        .post(
            "/api/sellers",
            &json!({"kind": "custom", "country": "US", "email": "c@seller.test", "attempt": attempt}),
        )
        .await;
    assert_eq!(
        created.status,
        axum::http::StatusCode::CREATED,
        "{}",
        created.body
    );
    let account = created.body["status"]["id"].as_str().unwrap().to_owned();
    let mut event = event_json(
        "fn123.lambda-url.eu-west-1.on.aws",
        "POST",
        &format!("/api/sellers/{account}/details"),
        Some(&json!({"accept_terms": true})),
    );
    event["headers"]["cookie"] = json!(created.cookie.unwrap());
    event["headers"]["x-forwarded-for"] = json!("203.0.113.66");
    event["requestContext"]["http"]["sourceIp"] = json!("198.51.100.9");
    let response = invoke(&h.state, serde_json::from_value(event).unwrap()).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    let stored = h.stripe_get(&format!("/v1/accounts/{account}"), None).await;
    assert_eq!(stored["tos_acceptance"]["ip"], "198.51.100.9", "{stored}");
}
