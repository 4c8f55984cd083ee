//! What the function's integration tests share: the real sandbox, an `AppState` pointed at it,
//! and ways to call the Router in process (`app().oneshot`) and the sandbox as Stripe.js would.

#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use connect_checkout_core::api::Mode;
use connect_checkout_function::config::Config;
use connect_checkout_function::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stripe_sandbox::{RunningSandbox, Seed};
use tower::ServiceExt;

pub const LUMEN: &str = "acct_1LumenCoffee0001";
pub const HOUSE_BLEND: &str = "price_1LumenHouseBlend01";
pub const ESPRESSO_CUPS: &str = "price_1LumenEspressoCup1";
pub const KYOTO: &str = "acct_1KyotoTeaHouse01";
pub const SENCHA: &str = "price_1KyotoSencha00001";
pub const PENDING_SELLER: &str = "acct_1NewSellerPend01";
/// The fee every harness charges unless told otherwise: 10 % plus 30 minor units.
pub const FEE: &str = "10%+30";

pub struct Harness {
    /// Shared, so several functions can run against one sandbox.
    pub sandbox: Arc<RunningSandbox>,
    pub state: AppState,
}

/// An answer from the Router.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// `name=value` of the `Set-Cookie`, if any.
    pub cookie: Option<String>,
    pub body: Value,
}

/// The sandbox with its default seed, and the function configured for it plus `extra`.
pub async fn harness(extra: &[(&str, &str)]) -> Harness {
    harness_with(Seed::default(), extra).await
}

pub async fn harness_with(seed: Seed, extra: &[(&str, &str)]) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = stripe_sandbox::spawn(listener, seed).await.unwrap();
    let state = state_for(&sandbox, extra);
    Harness {
        sandbox: Arc::new(sandbox),
        state,
    }
}

/// Another function (another configuration) on the same running sandbox as `h`.
pub fn harness_with_state(h: &Harness, extra: &[(&str, &str)]) -> Harness {
    Harness {
        sandbox: Arc::clone(&h.sandbox),
        state: state_for(&h.sandbox, extra),
    }
}

/// The function's state for `sandbox`, configured as `serve` would read the environment.
pub fn state_for(sandbox: &RunningSandbox, extra: &[(&str, &str)]) -> AppState {
    state_in_mode(sandbox, extra, Mode::Sandbox)
}

/// The same in another mode: `Mode::Test` is a deployment against Stripe's test mode, with
/// the sandbox standing in for Stripe.
pub fn state_in_mode(sandbox: &RunningSandbox, extra: &[(&str, &str)], mode: Mode) -> AppState {
    let mut pairs: Vec<(String, String)> = vec![
        ("STRIPE_SECRET_KEY".into(), sandbox.secret_key().into()),
        (
            "STRIPE_PUBLISHABLE_KEY".into(),
            sandbox.publishable_key().into(),
        ),
        ("STRIPE_API_BASE".into(), sandbox.base_url()),
        (
            "STRIPE_JS_URL".into(),
            format!("{}/v3/", sandbox.base_url()),
        ),
        ("PLATFORM_FEE".into(), FEE.into()),
    ];
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let env = move |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut config = Config::from_env(&env).unwrap();
    config.mode = mode;
    AppState::new(config)
}

/// A checkout attempt id for `label`: 32 hex digits of its SHA-256, so the same label is the
/// same attempt and every one passes the function's check for unguessable ids.
pub fn attempt_id(label: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(label.as_bytes()))[..32].to_owned()
}

/// A checkout request body.
pub fn checkout(seller: &str, items: &[(&str, u32)], attempt: &str) -> Value {
    json!({
        "seller": seller,
        "items": items.iter().map(|(price, quantity)| json!({"price": price, "quantity": quantity})).collect::<Vec<_>>(),
        "attempt": attempt,
    })
}

impl Harness {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        cookie: Option<&str>,
    ) -> Answer {
        call(&self.state, method, path, body, cookie).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body), None).await
    }

    /// Signs in as `account` through the sandbox-mode sign-in; the session cookie.
    pub async fn sign_in(&self, account: &str) -> String {
        let answer = self
            .post("/api/seller-session", &json!({ "account": account }))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.cookie.expect("a session cookie")
    }

    /// A GET of the sandbox's API as the platform, on `account` when given.
    pub async fn stripe_get(&self, path: &str, account: Option<&str>) -> Value {
        let mut request = reqwest::Client::new()
            .get(format!("{}{path}", self.sandbox.base_url()))
            .bearer_auth(self.sandbox.secret_key());
        if let Some(account) = account {
            request = request.header("Stripe-Account", account);
        }
        let response = request.send().await.unwrap();
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    /// A form POST to the sandbox's API as the platform, on `account` when given.
    pub async fn stripe_post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        account: Option<&str>,
    ) -> Value {
        let mut request = reqwest::Client::new()
            .post(format!("{}{path}", self.sandbox.base_url()))
            .bearer_auth(self.sandbox.secret_key())
            .form(form);
        if let Some(account) = account {
            request = request.header("Stripe-Account", account);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// The PaymentIntents on `account`, newest first.
    pub async fn intents(&self, account: &str) -> Vec<Value> {
        let list = self
            .stripe_get("/v1/payment_intents?limit=100", Some(account))
            .await;
        list["data"].as_array().cloned().unwrap_or_default()
    }

    /// A POST to the sandbox's admin API (faults, keys, clock).
    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.sandbox.base_url()))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// Confirms a checkout's PaymentIntent as Stripe.js does: publishable key, client secret,
    /// the seller's account, a test PaymentMethod (`pm_card_visa`, …). Stripe's answer.
    pub async fn pay(&self, session: &Value, payment_method: &str) -> Value {
        let intent = session["payment_intent"].as_str().unwrap();
        let mut form = vec![
            ("payment_method", payment_method.to_owned()),
            (
                "client_secret",
                session["client_secret"].as_str().unwrap().to_owned(),
            ),
            ("key", self.sandbox.publishable_key().to_owned()),
            ("return_url", "https://shop.test/return".to_owned()),
        ];
        if let Some(account) = session["stripe_account"].as_str() {
            form.push(("_stripe_account", account.to_owned()));
        }
        let response = reqwest::Client::new()
            .post(format!(
                "{}/v1/payment_intents/{intent}/confirm",
                self.sandbox.base_url()
            ))
            .form(&form)
            .send()
            .await
            .unwrap();
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    /// A bank account token made as the browser makes it: the publishable key, no account.
    pub async fn bank_token(&self, account_number: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/tokens", self.sandbox.base_url()))
            .basic_auth(self.sandbox.publishable_key(), Some(""))
            .form(&[
                ("bank_account[country]", "US"),
                ("bank_account[currency]", "usd"),
                ("bank_account[account_holder_name]", "Jenny Rosen"),
                ("bank_account[account_holder_type]", "individual"),
                ("bank_account[routing_number]", "110000000"),
                ("bank_account[account_number]", account_number),
            ])
            .send()
            .await
            .unwrap();
        let token: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        token["id"].as_str().expect("a btok_ id").to_owned()
    }
}

impl Harness {
    /// Sends a hand-made request (malformed bodies, odd content types) to the Router.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        answer(app(self.state.clone()).oneshot(request).await.unwrap()).await
    }
}

async fn answer(response: axum::response::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let cookie = headers.get(header::SET_COOKIE).map(|value| {
        value
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    });
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) }));
    Answer {
        status,
        headers,
        cookie,
        body,
    }
}

/// Calls the Router in process.
pub async fn call(
    state: &AppState,
    method: Method,
    path: &str,
    body: Option<&Value>,
    cookie: Option<&str>,
) -> Answer {
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
    answer(app(state.clone()).oneshot(request).await.unwrap()).await
}
