//! Seller authorisation: every seller endpoint refuses a request without a valid session for
//! that very account. The refusals are counted so a new endpoint cannot slip through.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Answer, Harness, KYOTO, LUMEN, harness};

mod support;

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
            Some(
                json!({"payment_intent": "pi_123", "attempt": "af7f5bf86a96d4fa38f62411380aff44"}),
            ),
        ),
    ]
}

/// The sandbox and the function with a fixed session key and a clock the test moves.
async fn harness_with_clock() -> (Harness, Arc<AtomicI64>) {
    let mut h = harness(&[
        (
            "SELLER_SESSION_SECRET",
            "a fixed test key of at least 32 characters",
        ),
        ("SELLER_SESSION_TTL", "3600"),
    ])
    .await;
    let clock = Arc::new(AtomicI64::new(1_795_000_000));
    let time = Arc::clone(&clock);
    h.state = h
        .state
        .clone()
        .with_clock(Arc::new(move || time.load(Ordering::SeqCst)));
    (h, clock)
}

#[tokio::test]
async fn every_seller_endpoint_refuses_missing_expired_forged_and_foreign_sessions() {
    let (h, clock) = harness_with_clock().await;
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
            let Answer {
                status,
                body: answer,
                ..
            } = h.call(method.clone(), &path, body.as_ref(), cookie).await;
            assert_eq!(status, expected, "{method} {path} with {what}: {answer}");
            assert!(
                !answer.to_string().contains("Lumen"),
                "{method} {path} with {what} leaked: {answer}"
            );
            refusals += 1;
        }
    }
    // Expired: the same valid cookie after its lifetime.
    clock.fetch_add(3601, Ordering::SeqCst);
    for (method, path, body) in seller_endpoints(LUMEN) {
        let Answer {
            status,
            body: answer,
            ..
        } = h
            .call(method.clone(), &path, body.as_ref(), Some(&lumen))
            .await;
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
    let h = harness(&[]).await;
    let lumen = h.sign_in(LUMEN).await;
    let Answer { status, body, .. } = h
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
    let Answer { status, body, .. } = h
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
    let h = harness(&[]).await;
    let Answer { status, cookie, .. } = h
        .call(Method::DELETE, "/api/seller-session", None, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(cookie.as_deref(), Some("cc_seller="));
}
