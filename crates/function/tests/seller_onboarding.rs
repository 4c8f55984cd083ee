//! The parts of the seller API the onboarding page relies on, in process (`app().oneshot`),
//! against the real Stripe sandbox: the account kinds in the configuration, the demo sign-in's
//! list, and a Custom account onboarded through `details` alone (the platform's own form).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use connect_checkout_core::api::Mode;
use connect_checkout_function::config::Config;
use connect_checkout_function::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stripe_sandbox::{RunningSandbox, Seed};
use tower::ServiceExt;

const PENDING_SELLER: &str = "acct_1NewSellerPend01";

struct Harness {
    sandbox: RunningSandbox,
    state: AppState,
}

async fn harness(extra: &[(&str, &str)]) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = stripe_sandbox::spawn(listener, Seed::default())
        .await
        .unwrap();
    let mut pairs: Vec<(String, String)> = vec![
        ("STRIPE_SECRET_KEY".into(), sandbox.secret_key().into()),
        (
            "STRIPE_PUBLISHABLE_KEY".into(),
            sandbox.publishable_key().into(),
        ),
        ("STRIPE_API_BASE".into(), sandbox.base_url()),
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
    config.mode = Mode::Sandbox;
    Harness {
        sandbox,
        state: AppState::new(config),
    }
}

impl Harness {
    /// The answer's status, its `Set-Cookie` (name=value only) and its JSON.
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
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
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let cookie = response.headers().get(header::SET_COOKIE).map(|value| {
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
            cookie,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A bank account token made as the browser makes it: the publishable key, no account.
    async fn bank_token(&self, account_number: &str) -> String {
        let token: Value = reqwest::Client::new()
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
            .unwrap()
            .bytes()
            .await
            .map(|bytes| serde_json::from_slice(&bytes).unwrap())
            .unwrap();
        token["id"].as_str().expect("a btok_ id").to_owned()
    }
}

#[tokio::test]
async fn config_names_the_account_kinds_the_platform_offers() {
    let all = harness(&[]).await;
    let (_, _, config) = all.call("GET", "/api/config", None, None).await;
    assert_eq!(
        config["account_kinds"],
        json!(["express", "standard", "custom"])
    );

    let some = harness(&[("SELLER_ACCOUNT_KINDS", "custom,express")]).await;
    let (_, _, config) = some.call("GET", "/api/config", None, None).await;
    assert_eq!(config["account_kinds"], json!(["custom", "express"]));
    let (status, _, refused) = some
        .call(
            "POST",
            "/api/sellers",
            Some(
                &json!({"kind": "standard", "email": "a@example.com", "country": "US",
                         "attempt": "35b743612392953529dfcd060af21f0a"}),
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
}

#[tokio::test]
async fn the_demo_sign_in_lists_sellers_still_onboarding() {
    let h = harness(&[]).await;
    let (status, _, list) = h.call("GET", "/api/seller-session", None, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<&str> = list["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|seller| seller["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&PENDING_SELLER), "{ids:?}");
    assert!(ids.contains(&"acct_1LumenCoffee0001"), "{ids:?}");
}

#[tokio::test]
async fn a_custom_account_is_onboarded_by_the_platforms_own_form() {
    let h = harness(&[]).await;
    let (status, cookie, created) = h
        .call(
            "POST",
            "/api/sellers",
            Some(
                &json!({"kind": "custom", "email": "jenny@example.com", "country": "US",
                         "business_type": "individual", "attempt": "11db29717858816cacdef96dd0c9d0fd"}),
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let cookie = cookie.expect("a seller session");
    let status = &created["status"];
    let account = status["id"].as_str().unwrap().to_owned();
    assert_eq!(status["country"], "US");
    assert_eq!(status["default_currency"], "usd");
    assert_eq!(status["charges_enabled"], false);
    let due: Vec<&str> = status["currently_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(due.contains(&"business_profile.mcc"), "{due:?}");

    // A date of birth other than Stripe's test value fails verification: the status names
    // the requirement, the form shows it against the person's fields.
    let path = format!("/api/sellers/{account}/details");
    let person = |year: u16| {
        json!({
            "first_name": "Jenny", "last_name": "Rosen", "email": "jenny@example.com",
            "phone": "0000000000", "dob": {"day": 1, "month": 1, "year": year},
            "address": {"line1": "address_full_match", "city": "San Francisco", "state": "CA",
                        "postal_code": "94103", "country": "US"},
            "ssn_last_4": "0000"
        })
    };
    let (status, _, rejected) = h
        .call(
            "POST",
            &path,
            Some(&json!({"individual": person(1990)})),
            Some(&cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(
        rejected["errors"][0]["requirement"],
        "individual.verification.document"
    );

    // A bad category is refused against its field before Stripe sees it.
    let (status, _, refused) = h
        .call("POST", &path, Some(&json!({"mcc": "shop"})), Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["field"], "mcc");

    let token = h.bank_token("000123456789").await;
    let details = json!({
        "individual": person(1901),
        "business_url": "https://jenny.example",
        "mcc": "5734",
        "bank_account_token": token,
        "accept_terms": true,
    });
    let (status, _, done) = h.call("POST", &path, Some(&details), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["currently_due"], json!([]), "{done}");
    assert_eq!(done["charges_enabled"], true, "{done}");
    assert_eq!(done["next_step"], "done");

    // The token was spent: sending it again is Stripe's refusal, against the bank field.
    let (status, _, reused) = h
        .call(
            "POST",
            &path,
            Some(&json!({"bank_account_token": token})),
            Some(&cookie),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reused}");
    assert_eq!(reused["error"]["fields"][0]["field"], "bank_account_token");
}
