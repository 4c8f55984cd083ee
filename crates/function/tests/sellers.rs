//! Seller authorisation: every seller endpoint refuses a request without a valid session for
//! that very account. The refusals are counted so a new endpoint cannot slip through.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

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
const KYOTO: &str = "acct_1KyotoTeaHouse01";

/// Every route under `/api/sellers/{account}`, with a body that would be valid.
fn seller_endpoints(account: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, format!("/api/sellers/{account}/status"), None),
        (
            Method::POST,
            format!("/api/sellers/{account}/onboarding-link"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/sellers/{account}/dashboard-link"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/sellers/{account}/details"),
            Some(json!({"business_url": "https://example.com"})),
        ),
        (
            Method::GET,
            format!("/api/sellers/{account}/payments"),
            None,
        ),
        (
            Method::POST,
            format!("/api/sellers/{account}/refunds"),
            Some(json!({"payment_intent": "pi_123", "attempt": "authz-matrix-refund-1"})),
        ),
    ]
}

struct Harness {
    _sandbox: RunningSandbox,
    state: AppState,
    clock: Arc<AtomicI64>,
}

async fn harness() -> Harness {
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
        (
            "SELLER_SESSION_SECRET",
            "a fixed test key of at least 32 characters".to_owned(),
        ),
        ("SELLER_SESSION_TTL", "3600".to_owned()),
    ];
    let env = move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let mut config = Config::from_env(&env).unwrap();
    config.mode = Mode::Sandbox;
    let clock = Arc::new(AtomicI64::new(1_795_000_000));
    let time = Arc::clone(&clock);
    let state = AppState::new(config).with_clock(Arc::new(move || time.load(Ordering::SeqCst)));
    Harness {
        _sandbox: sandbox,
        state,
        clock,
    }
}

impl Harness {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        cookie: Option<&str>,
    ) -> (StatusCode, Value, Option<String>) {
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
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            cookie,
        )
    }

    async fn sign_in(&self, account: &str) -> String {
        let (status, body, cookie) = self
            .call(
                Method::POST,
                "/api/seller-session",
                Some(json!({"account": account})),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        cookie.unwrap()
    }
}

#[tokio::test]
async fn every_seller_endpoint_refuses_missing_expired_forged_and_foreign_sessions() {
    let h = harness().await;
    let kyoto = h.sign_in(KYOTO).await;
    let lumen = h.sign_in(LUMEN).await;
    let forged = lumen.replace(LUMEN, KYOTO);
    let garbage = "cc_seller=v1.acct_1LumenCoffee0001.9999999999.00".to_owned();

    let mut refusals = 0;
    for (method, path, body) in seller_endpoints(LUMEN) {
        let attempts: [(&str, Option<&str>, StatusCode); 4] = [
            ("no session", None, StatusCode::UNAUTHORIZED),
            (
                "another seller's session",
                Some(&kyoto),
                StatusCode::FORBIDDEN,
            ),
            ("a forged session", Some(&forged), StatusCode::UNAUTHORIZED),
            (
                "a garbage session",
                Some(&garbage),
                StatusCode::UNAUTHORIZED,
            ),
        ];
        for (what, cookie, expected) in attempts {
            let (status, answer, _) = h.call(method.clone(), &path, body.clone(), cookie).await;
            assert_eq!(status, expected, "{method} {path} with {what}: {answer}");
            assert!(
                !answer.to_string().contains("Lumen"),
                "{method} {path} with {what} leaked: {answer}"
            );
            refusals += 1;
        }
    }
    // Expired: the same valid cookie after its lifetime.
    h.clock.fetch_add(3601, Ordering::SeqCst);
    for (method, path, body) in seller_endpoints(LUMEN) {
        let (status, answer, _) = h.call(method.clone(), &path, body, Some(&lumen)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} expired: {answer}"
        );
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("expired"),
            "{answer}"
        );
        refusals += 1;
    }
    assert_eq!(
        refusals,
        seller_endpoints(LUMEN).len() * 5,
        "every endpoint × every kind of bad session"
    );
}

#[tokio::test]
async fn a_seller_sees_their_own_status_and_payments() {
    let h = harness().await;
    let lumen = h.sign_in(LUMEN).await;
    let (status, body, _) = h
        .call(
            Method::GET,
            &format!("/api/sellers/{LUMEN}/status"),
            None,
            Some(&lumen),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], LUMEN);
    assert_eq!(body["charges_enabled"], true);
    assert_eq!(body["next_step"], "done");
    let (status, body, _) = h
        .call(
            Method::GET,
            &format!("/api/sellers/{LUMEN}/payments"),
            None,
            Some(&lumen),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["payments"].is_array());
}

#[tokio::test]
async fn signing_out_clears_the_cookie() {
    let h = harness().await;
    let (status, _, cookie) = h
        .call(Method::DELETE, "/api/seller-session", None, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cookie.as_deref(), Some("cc_seller="));
}
