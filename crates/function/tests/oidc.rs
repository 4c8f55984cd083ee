//! Seller sign-in with the platform's identity provider (`SELLER_AUTH=oidc`): tokens signed by
//! the test keys in `support/oidc/`, whose public halves a local JWKS server publishes.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use connect_checkout_core::api::Mode;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use support::{Answer, Harness, KYOTO, LUMEN, harness};

mod support;

const NOW: i64 = 1_795_000_000;
const AUDIENCE: &str = "connect-checkout-tests";
const ACCOUNT_CLAIM: &str = "https://platform.test/stripe_account";
const RSA_KEY: &[u8] = include_bytes!("support/oidc/rsa-test-key.pem");
const EC_KEY: &[u8] = include_bytes!("support/oidc/ec-test-key.pem");
const OTHER_RSA_KEY: &[u8] = include_bytes!("support/oidc/rsa-other-test-key.pem");
const JWKS: &str = include_str!("support/oidc/jwks.json");
const ROTATED_JWK: &str = include_str!("support/oidc/rotated-jwk.json");

/// The identity provider's key endpoint: what it publishes, and how often it was asked.
struct Provider {
    issuer: String,
    jwks: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

async fn provider() -> Provider {
    let jwks = Arc::new(Mutex::new(serde_json::from_str::<Value>(JWKS).unwrap()));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (served, counted) = (Arc::clone(&jwks), Arc::clone(&fetches));
    let app = axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let (served, counted) = (Arc::clone(&served), Arc::clone(&counted));
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                axum::Json(served.lock().unwrap().clone())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Provider {
        issuer,
        jwks,
        fetches,
    }
}

impl Provider {
    /// Publishes the rotated-in key next to the others.
    fn rotate(&self) {
        let rotated: Value = serde_json::from_str(ROTATED_JWK).unwrap();
        let mut jwks = self.jwks.lock().unwrap();
        let keys = jwks["keys"].as_array_mut().unwrap();
        keys.extend(rotated["keys"].as_array().unwrap().iter().cloned());
    }
}

/// A function in test mode (a real deployment's rules) that signs sellers in with `provider`,
/// on a clock the test moves.
async fn function(provider: &Provider) -> (Harness, Arc<AtomicI64>) {
    let mut h = harness(&[]).await;
    let jwks_url = format!("{}/.well-known/jwks.json", provider.issuer);
    h.state = support::state_in_mode(
        &h.sandbox,
        &[
            ("PUBLIC_URL", "https://pay.platform.test"),
            ("SELLER_AUTH", "oidc"),
            ("OIDC_ISSUER", &provider.issuer),
            ("OIDC_AUDIENCE", AUDIENCE),
            ("OIDC_JWKS_URL", &jwks_url),
            ("OIDC_ACCOUNT_CLAIM", ACCOUNT_CLAIM),
            (
                "SELLER_SESSION_SECRETS",
                "a fixed test key of at least 32 characters",
            ),
        ],
        Mode::Test,
    );
    let clock = Arc::new(AtomicI64::new(NOW));
    let time = Arc::clone(&clock);
    h.state = h
        .state
        .clone()
        .with_clock(Arc::new(move || time.load(Ordering::SeqCst)));
    (h, clock)
}

/// The claims of a good token for `subject`, naming `account` when given.
fn claims(provider: &Provider, subject: &str, account: Option<&str>) -> Value {
    let mut claims = json!({
        "iss": provider.issuer,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": NOW - 30,
        "exp": NOW + 600,
    });
    if let Some(account) = account {
        claims[ACCOUNT_CLAIM] = json!(account);
    }
    claims
}

fn sign(claims: &Value, algorithm: Algorithm, kid: &str, pem: &[u8]) -> String {
    let key = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem).unwrap(),
    };
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// A fresh attempt id, random as the widget makes them.
fn attempt() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn rs256(claims: &Value) -> String {
    sign(claims, Algorithm::RS256, "test-rsa-1", RSA_KEY)
}

/// A call with `Authorization: Bearer token` (and a JSON body when given).
async fn call(
    h: &Harness,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "pay.platform.test");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    h.send(request.unwrap()).await
}

async fn status_of(h: &Harness, account: &str, token: Option<&str>) -> Answer {
    let path = format!("/api/sellers/{account}/status");
    call(h, Method::GET, &path, token, None).await
}

fn assert_refused(answer: &Answer, status: StatusCode, code: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(
        answer.body["error"]["code"], code,
        "{what}: {}",
        answer.body
    );
    assert!(
        !answer.body["error"]["message"].as_str().unwrap().is_empty(),
        "{what}: {}",
        answer.body
    );
    assert!(
        !answer.body.to_string().contains("Lumen"),
        "{what} leaked: {}",
        answer.body
    );
}

#[tokio::test]
async fn a_valid_rs256_or_es256_token_opens_its_own_account() {
    let provider = provider().await;
    let (h, _) = function(&provider).await;
    let claims = claims(&provider, "user-lumen", Some(LUMEN));
    for (what, token) in [
        ("RS256", rs256(&claims)),
        (
            "ES256",
            sign(&claims, Algorithm::ES256, "test-ec-1", EC_KEY),
        ),
    ] {
        let answer = status_of(&h, LUMEN, Some(&token)).await;
        assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.body);
        assert_eq!(answer.body["id"], LUMEN, "{what}");
    }
    // The keys were fetched once and cached.
    assert_eq!(provider.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn tokens_the_platform_did_not_issue_for_this_seller_are_refused() {
    let provider = provider().await;
    let (h, _) = function(&provider).await;
    let good = claims(&provider, "user-lumen", Some(LUMEN));
    let with = |field: &str, value: Value| {
        let mut claims = good.clone();
        claims[field] = value;
        rs256(&claims)
    };
    let unauthorized = [
        ("no token", None),
        (
            "another issuer",
            Some(with("iss", json!("https://evil.test"))),
        ),
        ("another audience", Some(with("aud", json!("someone-else")))),
        ("an expired token", Some(with("exp", json!(NOW - 120)))),
        (
            "a token not valid yet",
            Some(with("nbf", json!(NOW + 3600))),
        ),
        (
            "a forged signature",
            Some(sign(&good, Algorithm::RS256, "test-rsa-1", OTHER_RSA_KEY)),
        ),
        (
            "an unpublished key",
            Some(sign(&good, Algorithm::RS256, "made-up", OTHER_RSA_KEY)),
        ),
        (
            "HS256 keyed with the public key",
            Some({
                let mut header = Header::new(Algorithm::HS256);
                header.kid = Some("test-rsa-1".into());
                jsonwebtoken::encode(
                    &header,
                    &good,
                    &EncodingKey::from_secret(JWKS.as_bytes()).unwrap(),
                )
                .unwrap()
            }),
        ),
        (
            "a token without a subject",
            Some({
                let mut claims = good.clone();
                claims.as_object_mut().unwrap().remove("sub");
                rs256(&claims)
            }),
        ),
        ("garbage", Some("not.a.jwt".to_owned())),
    ];
    for (what, token) in &unauthorized {
        let answer = status_of(&h, LUMEN, token.as_deref()).await;
        assert_refused(&answer, StatusCode::UNAUTHORIZED, "unauthorized", what);
    }
    let expired = status_of(&h, LUMEN, Some(&with("exp", json!(NOW - 120)))).await;
    assert!(
        expired.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    let kyoto = rs256(&claims(&provider, "user-kyoto", Some(KYOTO)));
    let answer = status_of(&h, LUMEN, Some(&kyoto)).await;
    assert_refused(
        &answer,
        StatusCode::FORBIDDEN,
        "forbidden",
        "another seller's token",
    );
    let no_account = rs256(&claims(&provider, "user-new", None));
    let answer = status_of(&h, LUMEN, Some(&no_account)).await;
    assert_refused(
        &answer,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a token without an account",
    );
}

#[tokio::test]
async fn a_new_key_is_fetched_on_an_unknown_kid_but_not_on_every_one() {
    let provider = provider().await;
    let (h, clock) = function(&provider).await;
    let good = claims(&provider, "user-lumen", Some(LUMEN));
    assert_eq!(
        status_of(&h, LUMEN, Some(&rs256(&good))).await.status,
        StatusCode::OK
    );
    let rotated = sign(&good, Algorithm::RS256, "test-rsa-2", OTHER_RSA_KEY);
    provider.rotate();
    // Made-up kids in a burst cost one fetch of the keys, not one each.
    clock.fetch_add(11, Ordering::SeqCst);
    for n in 0..20 {
        let made_up = sign(
            &good,
            Algorithm::RS256,
            &format!("made-up-{n}"),
            OTHER_RSA_KEY,
        );
        assert_eq!(
            status_of(&h, LUMEN, Some(&made_up)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(provider.fetches.load(Ordering::SeqCst), 2);
    // That fetch found the rotated-in key.
    let answer = status_of(&h, LUMEN, Some(&rotated)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(provider.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn sign_up_needs_a_token_and_makes_one_account_per_user() {
    let provider = provider().await;
    let (h, _) = function(&provider).await;
    let request = |attempt_id: &str| json!({"kind": "express", "country": "US", "email": "new@seller.test", "attempt": attempt_id});

    let answer = call(
        &h,
        Method::POST,
        "/api/sellers",
        None,
        Some(&request(&attempt())),
    )
    .await;
    assert_refused(
        &answer,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "sign-up without a token",
    );
    let forged = sign(
        &claims(&provider, "user-new", None),
        Algorithm::RS256,
        "test-rsa-1",
        OTHER_RSA_KEY,
    );
    let answer = call(
        &h,
        Method::POST,
        "/api/sellers",
        Some(&forged),
        Some(&request(&attempt())),
    )
    .await;
    assert_refused(
        &answer,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "sign-up with a forged token",
    );
    let seller = rs256(&claims(&provider, "user-lumen", Some(LUMEN)));
    let answer = call(
        &h,
        Method::POST,
        "/api/sellers",
        Some(&seller),
        Some(&request(&attempt())),
    )
    .await;
    assert_refused(
        &answer,
        StatusCode::FORBIDDEN,
        "forbidden",
        "sign-up by a seller who has an account",
    );

    let newcomer = rs256(&claims(&provider, "user-new", None));
    let first = call(
        &h,
        Method::POST,
        "/api/sellers",
        Some(&newcomer),
        Some(&request(&attempt())),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let account = first.body["status"]["id"].as_str().unwrap().to_owned();
    // The browser that signed up continues with the session cookie, host-only and Secure.
    let cookie = first
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("__Host-cc_seller=v1."), "{cookie}");
    assert!(
        cookie.contains("; Path=/;") && cookie.contains("; Secure"),
        "{cookie}"
    );
    let stored = h.stripe_get(&format!("/v1/accounts/{account}"), None).await;
    assert_eq!(stored["metadata"]["seller_subject"], "user-new", "{stored}");

    // A second sign-up of the same user, another attempt: the same account, not a second one.
    let again = call(
        &h,
        Method::POST,
        "/api/sellers",
        Some(&newcomer),
        Some(&request(&attempt())),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.body["status"]["id"], account.as_str());
    // Another user gets their own.
    let other = rs256(&claims(&provider, "user-other", None));
    let theirs = call(
        &h,
        Method::POST,
        "/api/sellers",
        Some(&other),
        Some(&request(&attempt())),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    assert_ne!(theirs.body["status"]["id"], account.as_str());

    // Once the platform puts the account in the user's tokens, they open it.
    let signed_in = rs256(&claims(&provider, "user-new", Some(&account)));
    assert_eq!(
        status_of(&h, &account, Some(&signed_in)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_demo_sign_in_is_not_offered_with_the_platforms_sign_in() {
    let provider = provider().await;
    let (h, _) = function(&provider).await;
    let answer = call(
        &h,
        Method::POST,
        "/api/seller-session",
        None,
        Some(&json!({"account": LUMEN})),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_platform_sign_in_not_yet_plugged_in_opens_nothing() {
    let mut h = harness(&[]).await;
    h.state = support::state_in_mode(&h.sandbox, &[("SELLER_AUTH", "platform")], Mode::Test);
    let body =
        json!({"kind": "express", "country": "US", "email": "a@b.test", "attempt": attempt()});
    let answer = call(&h, Method::POST, "/api/sellers", None, Some(&body)).await;
    assert_refused(&answer, StatusCode::FORBIDDEN, "forbidden", "sign-up");
    let answer = status_of(&h, LUMEN, None).await;
    assert_refused(&answer, StatusCode::UNAUTHORIZED, "unauthorized", "status");
}
