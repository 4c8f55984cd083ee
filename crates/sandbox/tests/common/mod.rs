//! A sandbox on a free loopback port and a small HTTP client that speaks to it the way the
//! Stripe SDKs (secret key, headers) and Stripe.js (publishable key in the form) do.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::Value;
use stripe_sandbox::{RunningSandbox, Seed};

pub const LUMEN: &str = "acct_1LumenCoffee0001";
pub const KYOTO: &str = "acct_1KyotoTeaHouse01";
pub const POTTERY: &str = "acct_1NewSellerPend01";
pub const HOUSE_BLEND: &str = "price_1LumenHouseBlend01";

pub struct Harness {
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
}

/// One answer: status, headers and JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error(&self) -> &Value {
        &self.body["error"]
    }

    /// `(status, type, code, param)` of an error reply, for compact assertions.
    pub fn error_summary(&self) -> (u16, &str, Option<&str>, Option<&str>) {
        let e = self.error();
        (
            self.status.as_u16(),
            e["type"].as_str().unwrap_or("<no type>"),
            e["code"].as_str(),
            e["param"].as_str(),
        )
    }
}

/// Who sends a request and how.
#[derive(Clone, Default)]
pub struct As<'a> {
    pub key: Option<&'a str>,
    pub account: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub version: Option<&'a str>,
}

pub async fn start() -> Harness {
    start_with(Seed::default()).await
}

pub async fn start_with(seed: Seed) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = stripe_sandbox::spawn(listener, seed).await.unwrap();
    Harness {
        sandbox,
        http: reqwest::Client::new(),
    }
}

impl Harness {
    pub fn sk(&self) -> &str {
        self.sandbox.secret_key()
    }

    pub fn pk(&self) -> &str {
        self.sandbox.publishable_key()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// A request with the key as `Authorization: Bearer`, the account as `Stripe-Account`;
    /// GET parameters go in the query, POST parameters in a form body, both as given.
    pub async fn call(&self, method: Method, path: &str, form: &str, who: As<'_>) -> Reply {
        let url = if method == Method::GET && !form.is_empty() {
            self.url(&format!("{path}?{form}"))
        } else {
            self.url(path)
        };
        let mut req = self.http.request(method.clone(), url);
        if let Some(key) = who.key {
            req = req.bearer_auth(key);
        }
        if let Some(account) = who.account {
            req = req.header("Stripe-Account", account);
        }
        if let Some(key) = who.idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        if let Some(version) = who.version {
            req = req.header("Stripe-Version", version);
        }
        if method != Method::GET {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form.to_owned());
        }
        read(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, query: &str, who: As<'_>) -> Reply {
        self.call(Method::GET, path, query, who).await
    }

    pub async fn post(&self, path: &str, form: &str, who: As<'_>) -> Reply {
        self.call(Method::POST, path, form, who).await
    }

    /// The platform's secret key acting for `account`.
    pub fn secret_for<'a>(&'a self, account: Option<&'a str>) -> As<'a> {
        As {
            key: Some(self.sk()),
            account,
            ..As::default()
        }
    }

    /// A direct-charge PaymentIntent on `account`, made with the secret key.
    pub async fn create_intent(&self, account: &str, form: &str) -> Value {
        let reply = self
            .post("/v1/payment_intents", form, self.secret_for(Some(account)))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    }

    /// What Stripe.js does on the shopper's page: the publishable key and account in the body.
    pub async fn stripe_js_post(&self, path: &str, form: &str, account: &str) -> Reply {
        let body = format!(
            "{form}&key={}&_stripe_account={account}&payment_user_agent=stripe.js%2Ftest",
            self.pk()
        );
        self.post(path, &body, As::default()).await
    }

    /// A card PaymentMethod made as the card iframe makes it.
    pub async fn card_payment_method(&self, number: &str, account: &str) -> String {
        let reply = self
            .stripe_js_post(
                "/v1/payment_methods",
                &format!(
                    "type=card&card[number]={number}&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123&billing_details[address][postal_code]=94107"
                ),
                account,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// Confirms as Stripe.js does: publishable key, client secret, account, in the body.
    pub async fn confirm_with_publishable_key(
        &self,
        intent: &Value,
        payment_method: &str,
        account: &str,
    ) -> Reply {
        let id = intent["id"].as_str().unwrap();
        let secret = intent["client_secret"].as_str().unwrap();
        self.stripe_js_post(
            &format!("/v1/payment_intents/{id}/confirm"),
            &format!("payment_method={payment_method}&client_secret={secret}"),
            account,
        )
        .await
    }
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}

impl Harness {
    /// An admin call with a JSON body.
    pub async fn admin_post(&self, path: &str, body: Value) -> Reply {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    pub async fn admin_get(&self, path: &str) -> Reply {
        read(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    /// Makes retries fast: waits of `ms` milliseconds, `retries` times.
    pub async fn fast_webhook_retries(&self, ms: u64, retries: usize) {
        let reply = self
            .admin_post(
                "/_sandbox/webhook_settings",
                serde_json::json!({ "retry_schedule_ms": vec![ms; retries], "timeout_ms": 2000 }),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
}

/// One webhook delivery as the receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub signature: String,
    pub content_type: String,
    pub body: String,
}

impl Received {
    pub fn event(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A local HTTP endpoint that records what it is sent and answers with the statuses it is
/// told to, in order (200 once they run out).
pub struct Receiver {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

pub async fn receiver(statuses: &[u16]) -> Receiver {
    use axum::http::HeaderMap;
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let plan: Arc<Mutex<std::collections::VecDeque<u16>>> =
        Arc::new(Mutex::new(statuses.iter().copied().collect()));
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            let plan = plan.clone();
            async move {
                let get = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                sink.lock().unwrap().push(Received {
                    signature: get("stripe-signature"),
                    content_type: get("content-type"),
                    body,
                });
                let status = plan.lock().unwrap().pop_front().unwrap_or(200);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver { url, received }
}

impl Receiver {
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (at most 5 s) until `n` deliveries have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let got = self.received();
            if got.len() >= n || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// The event types received, in arrival order.
    pub fn types(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|r| r.event()["type"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Checks a `Stripe-Signature` header as the SDKs do: any `v1` matching HMAC-SHA256 of
/// `"{t}.{body}"` under `secret`.
pub fn signature_valid(header: &str, body: &str, secret: &str) -> bool {
    use hmac::{Hmac, Mac};
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    v1.contains(&expected)
}
