//! Seller authorisation: every seller endpoint refuses a request without a valid session for
//! that very account. The refusals are counted so a new endpoint cannot slip through.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use connect_checkout_core::api::Mode;
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
            "SELLER_SESSION_SECRETS",
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

/// A fresh attempt id, random as the widget makes them.
fn attempt() -> String {
    format!("{:032x}", rand::random::<u128>())
}

const NEW_SECRET: &str = "the newest session key of 32+ chars";
const OLD_SECRET: &str = "the previous session key of 32+ chars";

/// A test-mode deployment on https with these session secrets, on `h`'s sandbox.
fn deployment(h: &Harness, secrets: &str) -> Harness {
    Harness {
        sandbox: Arc::clone(&h.sandbox),
        state: support::state_in_mode(
            &h.sandbox,
            &[
                ("SELLER_SESSION_SECRETS", secrets),
                ("PUBLIC_URL", "https://pay.platform.test"),
            ],
            Mode::Test,
        ),
    }
}

/// Creates an Express seller through `h` (open sign-up, test mode); its id and the cookie.
async fn new_seller(h: &Harness, attempt: &str) -> (String, String) {
    let body =
        json!({"kind": "express", "country": "US", "email": "a@seller.test", "attempt": attempt});
    let answer = h.post("/api/sellers", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let id = answer.body["status"]["id"].as_str().unwrap().to_owned();
    (id, answer.cookie.unwrap())
}

#[tokio::test]
async fn a_deployments_cookie_is_host_only_and_a_plain_one_is_ignored() {
    let h = harness(&[]).await;
    let live = deployment(&h, NEW_SECRET);
    let body =
        json!({"kind": "express", "country": "US", "email": "a@seller.test", "attempt": attempt()});
    let answer = live.post("/api/sellers", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let set_cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(set_cookie.starts_with("__Host-cc_seller="), "{set_cookie}");
    for part in ["; Path=/;", "; Secure", "; HttpOnly", "; SameSite=Strict"] {
        assert!(set_cookie.contains(part), "{set_cookie} lacks {part}");
    }
    let account = answer.body["status"]["id"].as_str().unwrap();
    let cookie = answer.cookie.unwrap();
    let path = format!("/api/sellers/{account}/status");
    let opened = live.call(Method::GET, &path, None, Some(&cookie)).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    // The same token under the unprefixed name (which a sibling subdomain could set) is no session.
    let plain = cookie.replace("__Host-cc_seller=", "cc_seller=");
    let refused = live.call(Method::GET, &path, None, Some(&plain)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
}

#[tokio::test]
async fn two_session_cookies_are_refused_with_a_message() {
    let h = harness(&[]).await;
    let lumen = h.sign_in(LUMEN).await;
    let kyoto = h.sign_in(KYOTO).await;
    for cookies in [format!("{lumen}; {kyoto}"), format!("{lumen}; {lumen}")] {
        let answer = h
            .call(
                Method::GET,
                &format!("/api/sellers/{LUMEN}/status"),
                None,
                Some(&cookies),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert_eq!(answer.body["error"]["code"], "invalid_request");
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("more than one seller session cookie"),
            "{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn a_secret_rotation_keeps_current_sessions_and_dropping_it_ends_them() {
    let h = harness(&[]).await;
    let before = deployment(&h, OLD_SECRET);
    let (account, old_cookie) = new_seller(&before, &attempt()).await;
    let path = format!("/api/sellers/{account}/status");

    let rotated = deployment(&h, &format!("{NEW_SECRET},{OLD_SECRET}"));
    let answer = rotated
        .call(Method::GET, &path, None, Some(&old_cookie))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Sessions made after the rotation are signed with the newest key alone.
    let (fresh_account, fresh_cookie) = new_seller(&rotated, &attempt()).await;
    let after = deployment(&h, NEW_SECRET);
    let fresh_path = format!("/api/sellers/{fresh_account}/status");
    let answer = after
        .call(Method::GET, &fresh_path, None, Some(&fresh_cookie))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Once the old key is dropped, the sessions it signed (a stolen one too) are over.
    let answer = after
        .call(Method::GET, &path, None, Some(&old_cookie))
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
}

/// Accepts a Custom seller's terms from `peer`, with `forwarded` as X-Forwarded-For; the IP
/// Stripe recorded.
async fn terms_ip(h: &Harness, peer: [u8; 4], forwarded: &str) -> String {
    let body =
        json!({"kind": "custom", "country": "US", "email": "c@seller.test", "attempt": attempt()});
    let created = h.post("/api/sellers", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let account = created.body["status"]["id"].as_str().unwrap().to_owned();
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/sellers/{account}/details"))
        .header(header::HOST, "shop.test")
        .header(header::COOKIE, created.cookie.unwrap())
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(json!({"accept_terms": true}).to_string()))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((peer, 50_000))));
    let answer = h.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let stored = h.stripe_get(&format!("/v1/accounts/{account}"), None).await;
    stored["tos_acceptance"]["ip"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_terms_ip_is_the_connections_unless_a_trusted_proxy_forwards_it() {
    let h = harness(&[]).await;
    // A client's own X-Forwarded-For is a claim anyone can make.
    assert_eq!(
        terms_ip(&h, [198, 51, 100, 7], "203.0.113.66").await,
        "198.51.100.7"
    );
    // Behind a listed proxy, the address it saw is the client's; a client's lie before it is not.
    let proxied = support::harness_with_state(&h, &[("TRUSTED_PROXIES", "10.0.0.0/8")]);
    assert_eq!(
        terms_ip(&proxied, [10, 0, 0, 5], "203.0.113.66, 198.51.100.8").await,
        "198.51.100.8"
    );
}
