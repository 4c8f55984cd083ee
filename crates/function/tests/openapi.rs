//! The OpenAPI document stays true: every documented operation exists, and real responses match
//! the documented schemas.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use connect_checkout_core::api::Mode;
use connect_checkout_function::config::Config;
use connect_checkout_function::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stripe_sandbox::{RunningSandbox, Seed};
use tower::ServiceExt;

const LUMEN: &str = "acct_1LumenCoffee0001";

async fn state() -> (RunningSandbox, AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = stripe_sandbox::spawn(listener, Seed::default())
        .await
        .unwrap();
    let pairs = [
        ("STRIPE_SECRET_KEY", sandbox.secret_key().to_owned()),
        (
            "STRIPE_PUBLISHABLE_KEY",
            sandbox.publishable_key().to_owned(),
        ),
        ("STRIPE_API_BASE", sandbox.base_url()),
    ];
    let env = move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let mut config = Config::from_env(&env).unwrap();
    config.mode = Mode::Sandbox;
    (sandbox, AppState::new(config))
}

async fn call(
    state: &AppState,
    method: Method,
    path: &str,
    body: Option<Value>,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "shop.test");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => request.body(Body::empty()).unwrap(),
    };
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let set_cookie = response.headers().get(header::SET_COOKIE).map(|value| {
        value
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    });
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        set_cookie,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn document(state: &AppState) -> Value {
    let (status, _, doc) = call(state, Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    doc
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

#[tokio::test]
async fn every_documented_operation_exists() {
    let (_sandbox, state) = state().await;
    let doc = document(&state).await;
    let mut checked = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let uri = path.replace("{account}", LUMEN);
            let body = (method == Method::POST).then(|| json!({}));
            let (status, _, answer) = call(&state, method.clone(), &uri, body, None).await;
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
    let (_sandbox, state) = state().await;
    let doc = document(&state).await;

    let (_, _, config) = call(&state, Method::GET, "/api/config", None, None).await;
    assert_matches(&doc, "ClientConfig", &config);
    let (_, _, sellers) = call(&state, Method::GET, "/api/sellers", None, None).await;
    assert_matches(&doc, "SellerList", &sellers);
    let (_, _, products) = call(
        &state,
        Method::GET,
        &format!("/api/sellers/{LUMEN}/products"),
        None,
        None,
    )
    .await;
    assert_matches(&doc, "ProductList", &products);
    let checkout = json!({
        "seller": LUMEN,
        "items": [{"price": "price_1LumenHouseBlend01", "quantity": 1}],
        "attempt": "openapi-schema-check-1",
        "email": "shopper@example.com",
    });
    assert_matches(&doc, "CheckoutRequest", &checkout);
    let (status, _, session) =
        call(&state, Method::POST, "/api/checkout", Some(checkout), None).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_matches(&doc, "CheckoutSession", &session);

    let (status, _, error) = call(
        &state,
        Method::POST,
        "/api/checkout",
        Some(json!({"seller": 1})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_matches(&doc, "ErrorBody", &error);

    let (status, cookie, signed_in) = call(
        &state,
        Method::POST,
        "/api/seller-session",
        Some(json!({"account": LUMEN})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert_matches(&doc, "SellerStatus", &signed_in);
    let cookie = cookie.expect("a session cookie");
    let (status, _, payments) = call(
        &state,
        Method::GET,
        &format!("/api/sellers/{LUMEN}/payments"),
        None,
        Some(&cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{payments}");
    assert_matches(&doc, "SellerPayments", &payments);

    let (status, _, health) = call(&state, Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_matches(&doc, "Health", &health);
}
