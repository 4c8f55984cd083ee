//! The seller's operations against the sandbox: creating each kind of account, onboarding
//! through Stripe's hosted page (and recovering a stale link), dashboards, payments and refunds
//! for direct and destination charges, and least privilege with a restricted key.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Answer, HOUSE_BLEND, Harness, LUMEN, checkout, harness};

mod support;

/// A client that does not follow redirects, so the test sees where Stripe sends the seller.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

impl Harness {
    async fn create_seller(&self, kind: &str, attempt: &str) -> (Answer, String) {
        let answer = self
            .post(
                "/api/sellers",
                &json!({"kind": kind, "email": "maker@example.com", "country": "US", "attempt": attempt}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let cookie = answer.cookie.clone().expect("a session cookie");
        (answer, cookie)
    }

    async fn as_seller(
        &self,
        method: Method,
        cookie: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        self.call(method, path, body, Some(cookie)).await
    }

    /// A paid checkout of `quantity` house blends; the PaymentIntent id.
    async fn paid_checkout(&self, quantity: u32, attempt: &str) -> String {
        let session = self
            .post(
                "/api/checkout",
                &checkout(LUMEN, &[(HOUSE_BLEND, quantity)], attempt),
            )
            .await;
        assert_eq!(session.status, StatusCode::OK, "{}", session.body);
        let paid = self.pay(&session.body, "pm_card_visa").await;
        assert_eq!(paid["status"], "succeeded", "{paid}");
        session.body["payment_intent"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn an_express_seller_onboards_on_stripes_page_and_comes_back_enabled() {
    let h = harness(&[]).await;
    let (created, cookie) = h
        .create_seller("express", "1a1b7db623dc239738c442f101e84d28")
        .await;
    let status = &created.body["status"];
    assert_eq!(status["kind"], "express");
    assert_eq!(status["charges_enabled"], false);
    assert_eq!(status["next_step"], "complete_onboarding");
    let account = status["id"].as_str().unwrap().to_owned();

    // The same submission twice (a double click) is one account.
    let again = h
        .post("/api/sellers", &json!({"kind": "express", "email": "maker@example.com", "country": "US", "attempt": "1a1b7db623dc239738c442f101e84d28"}))
        .await;
    assert_eq!(again.body["status"]["id"], account.as_str());

    let link = h
        .as_seller(
            Method::POST,
            &cookie,
            &format!("/api/sellers/{account}/onboarding-link"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let url = link.body["url"].as_str().unwrap();
    let opened = browser().get(url).send().await.unwrap();
    let form_page = format!("{}{}", h.sandbox.base_url(), location(&opened));
    let submitted = browser()
        .post(&form_page)
        .form(&[("action", "submit")])
        .send()
        .await
        .unwrap();
    let back = location(&submitted);
    assert_eq!(
        back,
        format!("http://shop.test/onboarding?account={account}&returned=1")
    );

    let status = h
        .as_seller(
            Method::GET,
            &cookie,
            &format!("/api/sellers/{account}/status"),
            None,
        )
        .await;
    assert_eq!(status.body["charges_enabled"], true, "{}", status.body);
    assert_eq!(status.body["next_step"], "done", "{}", status.body);

    let dashboard = h
        .as_seller(
            Method::POST,
            &cookie,
            &format!("/api/sellers/{account}/dashboard-link"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.body);
    assert!(
        dashboard.body["url"]
            .as_str()
            .unwrap()
            .starts_with(&h.sandbox.base_url())
    );
}

#[tokio::test]
async fn a_used_onboarding_link_sends_the_seller_to_refresh_and_a_fresh_one_works() {
    let h = harness(&[]).await;
    let (created, cookie) = h
        .create_seller("express", "57de666e013a028862e4eadf748713ae")
        .await;
    let account = created.body["status"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/sellers/{account}/onboarding-link");
    let link = h
        .as_seller(Method::POST, &cookie, &path, Some(&json!({})))
        .await;
    let url = link.body["url"].as_str().unwrap().to_owned();
    browser().get(&url).send().await.unwrap();
    let reused = browser().get(&url).send().await.unwrap();
    assert_eq!(
        location(&reused),
        format!("http://shop.test/onboarding?account={account}&refresh=1")
    );
    let fresh = h
        .as_seller(Method::POST, &cookie, &path, Some(&json!({})))
        .await;
    assert_ne!(fresh.body["url"], link.body["url"]);
    let opened = browser()
        .get(fresh.body["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        location(&opened).starts_with("/setup/s/"),
        "the fresh link opens onboarding"
    );
}

#[tokio::test]
async fn dashboards_follow_the_account_kind() {
    let h = harness(&[]).await;
    let (standard, cookie) = h
        .create_seller("standard", "77e94343a8122f30fe23995a3f7310f0")
        .await;
    let id = standard.body["status"]["id"].as_str().unwrap();
    let link = h
        .as_seller(
            Method::POST,
            &cookie,
            &format!("/api/sellers/{id}/dashboard-link"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(link.body["url"], "https://dashboard.stripe.com/");

    let (custom, cookie) = h
        .create_seller("custom", "7a694b4ccca5426c9722430bba0551f8")
        .await;
    let id = custom.body["status"]["id"].as_str().unwrap();
    assert_eq!(custom.body["status"]["kind"], "custom");
    let link = h
        .as_seller(
            Method::POST,
            &cookie,
            &format!("/api/sellers/{id}/dashboard-link"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(link.status, StatusCode::CONFLICT);
    assert_eq!(link.body["error"]["code"], "not_available");
}

#[tokio::test]
async fn a_seller_sees_a_payment_with_its_fee_and_refunds_it_in_parts_once_each() {
    let h = harness(&[]).await;
    let intent = h.paid_checkout(2, "abfa55880c45251dcd74d441ad4da0fa").await;
    let cookie = h.sign_in(LUMEN).await;
    let payments = h
        .as_seller(
            Method::GET,
            &cookie,
            &format!("/api/sellers/{LUMEN}/payments"),
            None,
        )
        .await;
    let payment = payments.body["payments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == intent.as_str())
        .cloned()
        .unwrap();
    assert_eq!(
        payment["amount"],
        json!({"amount": 2400, "currency": "usd"})
    );
    assert_eq!(payment["fee"], json!({"amount": 270, "currency": "usd"}));
    assert_eq!(payment["refunded"]["amount"], 0);

    let refunds = format!("/api/sellers/{LUMEN}/refunds");
    let partial = json!({"payment_intent": intent, "amount": 500, "attempt": "e4de8e860ebeb59dbe983f8ac7678bc3"});
    let first = h
        .as_seller(Method::POST, &cookie, &refunds, Some(&partial))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let double_click = h
        .as_seller(Method::POST, &cookie, &refunds, Some(&partial))
        .await;
    assert_eq!(
        double_click.body["id"], first.body["id"],
        "the same attempt refunds once"
    );

    let rest = json!({"payment_intent": intent, "attempt": "fcded071acab927237506afb9a3bec70"});
    let second = h
        .as_seller(Method::POST, &cookie, &refunds, Some(&rest))
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["amount"]["amount"], 1900);

    let too_much = json!({"payment_intent": intent, "amount": 100, "attempt": "98fc5e3d445393a83db8087c21287701"});
    let refused = h
        .as_seller(Method::POST, &cookie, &refunds, Some(&too_much))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);

    let payments = h
        .as_seller(
            Method::GET,
            &cookie,
            &format!("/api/sellers/{LUMEN}/payments"),
            None,
        )
        .await;
    let payment = payments.body["payments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == intent.as_str())
        .cloned()
        .unwrap();
    assert_eq!(payment["refunded"]["amount"], 2400);
}

#[tokio::test]
async fn a_seller_cannot_refund_another_sellers_payment() {
    let h = harness(&[]).await;
    let intent = h.paid_checkout(1, "e82ebc5e6056e72ebe3829ca5ba20ad3").await;
    let kyoto = h.sign_in(support::KYOTO).await;
    let refunds = format!("/api/sellers/{}/refunds", support::KYOTO);
    let answer = h
        .as_seller(
            Method::POST,
            &kyoto,
            &refunds,
            Some(&json!({"payment_intent": intent, "attempt": "42a4e8a02465446966194d007b5e7702"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    let paid = h
        .stripe_get(
            &format!("/v1/payment_intents/{intent}?expand[]=latest_charge"),
            Some(LUMEN),
        )
        .await;
    assert_eq!(paid["latest_charge"]["amount_refunded"], 0);
}

#[tokio::test]
async fn destination_charges_live_on_the_platform_and_refunds_reverse_the_transfer() {
    let h = harness(&[("CHARGE_TYPE", "destination")]).await;
    let session = h
        .post(
            "/api/checkout",
            &checkout(
                LUMEN,
                &[(HOUSE_BLEND, 1)],
                "cc70d26cf399074686511a701e9e251b",
            ),
        )
        .await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_eq!(
        session.body["stripe_account"],
        Value::Null,
        "the PaymentIntent is the platform's"
    );
    let intent = session.body["payment_intent"].as_str().unwrap().to_owned();
    let on_platform = h
        .stripe_get(&format!("/v1/payment_intents/{intent}"), None)
        .await;
    assert_eq!(on_platform["transfer_data"]["destination"], LUMEN);
    assert_eq!(on_platform["on_behalf_of"], LUMEN);
    assert_eq!(on_platform["application_fee_amount"], 150);
    assert_eq!(
        h.pay(&session.body, "pm_card_visa").await["status"],
        "succeeded"
    );

    let cookie = h.sign_in(LUMEN).await;
    let payments = h
        .as_seller(
            Method::GET,
            &cookie,
            &format!("/api/sellers/{LUMEN}/payments"),
            None,
        )
        .await;
    assert!(
        payments.body["payments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == intent.as_str()),
        "{}",
        payments.body
    );
    let refund = h
        .as_seller(
            Method::POST,
            &cookie,
            &format!("/api/sellers/{LUMEN}/refunds"),
            Some(&json!({"payment_intent": intent, "attempt": "5e4080d24a4fe09dca402c8409e35a9a"})),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    let stripe_refund = h
        .stripe_get(
            &format!("/v1/refunds/{}", refund.body["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        stripe_refund["transfer_reversal"].is_string(),
        "the transfer was reversed: {stripe_refund}"
    );
}

#[tokio::test]
async fn a_restricted_key_with_the_documented_permissions_runs_everything() {
    let h = harness(&[]).await;
    let restricted = h
        .admin(
            "/_sandbox/keys/restricted",
            json!({"name": "connect-checkout", "permissions": {
                "accounts": "write", "account_links": "write", "products": "read", "prices": "read",
                "payment_intents": "write", "refunds": "write", "charges": "read",
                "transfers": "write",
            }}),
        )
        .await;
    let key = restricted["key"].as_str().unwrap();
    let r = support::harness_with_state(&h, &[("STRIPE_SECRET_KEY", key)]);
    let intent = r.paid_checkout(1, "89733d889ba6923583c507119fb13c32").await;
    assert_eq!(
        r.get(&format!("/api/sellers/{LUMEN}/products"))
            .await
            .status,
        StatusCode::OK
    );
    let (created, cookie) = r
        .create_seller("express", "461a0707714a9a30ea56037661cd4bae")
        .await;
    let id = created.body["status"]["id"].as_str().unwrap();
    let link = r
        .as_seller(
            Method::POST,
            &cookie,
            &format!("/api/sellers/{id}/onboarding-link"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let lumen = r.sign_in(LUMEN).await;
    let payments = r
        .as_seller(
            Method::GET,
            &lumen,
            &format!("/api/sellers/{LUMEN}/payments"),
            None,
        )
        .await;
    assert_eq!(payments.status, StatusCode::OK, "{}", payments.body);
    let refund = r
        .as_seller(
            Method::POST,
            &lumen,
            &format!("/api/sellers/{LUMEN}/refunds"),
            Some(&json!({"payment_intent": intent, "attempt": "4e87096aba6937f36393ee3b02e326ec"})),
        )
        .await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
}

#[tokio::test]
async fn a_restricted_key_without_refunds_is_named_by_the_doctor() {
    let h = harness(&[]).await;
    let restricted = h
        .admin(
            "/_sandbox/keys/restricted",
            json!({"name": "no-refunds", "permissions": {
                "accounts": "write", "account_links": "write", "products": "read", "prices": "read",
                "payment_intents": "write", "charges": "read", "webhook_endpoints": "read",
            }}),
        )
        .await;
    let r = support::harness_with_state(
        &h,
        &[("STRIPE_SECRET_KEY", restricted["key"].as_str().unwrap())],
    );
    let intent = r.paid_checkout(1, "3c6f6a88134fbf0511ba34790d6a91e6").await;
    let lumen = r.sign_in(LUMEN).await;
    let refund = r
        .as_seller(
            Method::POST,
            &lumen,
            &format!("/api/sellers/{LUMEN}/refunds"),
            Some(&json!({"payment_intent": intent, "attempt": "a94f138a043b670d98edfdacab867c9d"})),
        )
        .await;
    assert_eq!(
        refund.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refund.body
    );
    assert_eq!(refund.body["error"]["code"], "provider_configuration");
    let report = connect_checkout_function::doctor::diagnose(
        &r.state.config,
        &r.state.stripe,
        None,
        r.state.now(),
    )
    .await;
    let permissions = report
        .checks
        .iter()
        .find(|c| c.name == "restricted key permissions")
        .unwrap();
    assert!(
        permissions.detail.contains("Refunds: write"),
        "{}",
        report.render()
    );
    assert!(
        !permissions.detail.contains("PaymentIntents"),
        "{}",
        report.render()
    );
}

#[tokio::test]
async fn creating_accounts_too_quickly_is_a_rate_limit_not_a_server_error() {
    let h = harness(&[]).await;
    let mut limited = 0;
    for n in 0..8 {
        let answer = h
            .post(
                "/api/sellers",
                &json!({"kind": "express", "email": "maker@example.com", "country": "US", "attempt": support::attempt_id(&format!("account-burst-{n:06}"))}),
            )
            .await;
        match answer.status {
            StatusCode::CREATED => {}
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(answer.body["error"]["code"], "rate_limited");
                assert!(answer.headers.contains_key("retry-after"));
                limited += 1;
            }
            other => panic!("account {n}: {other} {}", answer.body),
        }
    }
    assert!(
        limited > 0,
        "Stripe allows 5 account creations per second in test mode"
    );
}

#[tokio::test]
async fn a_refunds_payment_id_that_walks_out_of_its_path_is_a_400_before_any_stripe_call() {
    let h = harness(&[]).await;
    let cookie = h.sign_in(LUMEN).await;
    let refunds = format!("/api/sellers/{LUMEN}/refunds");
    for hostile in [
        "pi_x/../../v1/balance",
        "pi_x%2F..%2F..%2Fv1%2Fbalance",
        "pi_x?expand[]=customer",
        "pi_",
    ] {
        let sent_before = h.state.stripe.requests_sent();
        let body =
            json!({"payment_intent": hostile, "attempt": "7c1d0e5a9b3f42c68e0a1d2b3c4f5a6b"});
        let answer = h
            .as_seller(Method::POST, &cookie, &refunds, Some(&body))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{hostile}: {}",
            answer.body
        );
        assert_eq!(answer.body["error"]["code"], "invalid_request");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("starts with `pi_`"), "{message}");
        assert_eq!(
            h.state.stripe.requests_sent(),
            sent_before,
            "{hostile} reached Stripe"
        );
    }
}
