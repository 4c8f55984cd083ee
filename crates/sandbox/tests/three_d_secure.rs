//! 3-D Secure (FIDELITY.md §PaymentIntents, §Test cards): the authentication cards stop in
//! `requires_action`, the challenge page completes or fails authentication, 4000 0082 6000 3178
//! declines after authenticating, and a server-side confirmation with `return_url` is redirected
//! back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, LUMEN, start};
use serde_json::Value;

async fn card_intent(h: &Harness) -> Value {
    h.create_intent(
        LUMEN,
        "amount=1500&currency=usd&application_fee_amount=150&automatic_payment_methods[enabled]=true",
    )
    .await
}

/// Confirms like Stripe.js with `number` and returns the PaymentIntent it answers with.
async fn confirm_in_browser(h: &Harness, number: &str) -> Value {
    let pi = card_intent(h).await;
    let pm = h.card_payment_method(number, LUMEN).await;
    let reply = h.confirm_with_publishable_key(&pi, &pm, LUMEN).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn challenge_url(pi: &Value) -> String {
    pi["next_action"]["use_stripe_sdk"]["stripe_js"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Presses a button of the challenge page, as the browser's form post does.
async fn press(url: &str, action: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("action={action}"))
        .send()
        .await
        .unwrap()
}

async fn retrieve(h: &Harness, id: &str) -> Value {
    h.get(
        &format!("/v1/payment_intents/{id}"),
        "expand[]=latest_charge",
        h.secret_for(Some(LUMEN)),
    )
    .await
    .body
}

async fn event_types(h: &Harness) -> Vec<String> {
    h.get("/v1/events", "limit=20", h.secret_for(Some(LUMEN)))
        .await
        .body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn stripe_js_confirmation_gets_a_use_stripe_sdk_challenge_page() {
    let h = start().await;
    let pi = confirm_in_browser(&h, "4000002500003155").await;
    assert_eq!(pi["status"], "requires_action");
    assert_eq!(pi["next_action"]["type"], "use_stripe_sdk");
    let url = challenge_url(&pi);
    assert!(url.starts_with(&h.url("/3ds/challenge/tds_")), "{url}");
    let page = h.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Lumen Coffee Roasters"));
    assert!(html.contains("$15.00 usd"));
    assert!(html.contains("Visa ending in 3155"));
    assert!(html.contains(">Complete authentication</button>"));
    assert!(html.contains(">Fail authentication</button>"));
    assert!(
        event_types(&h)
            .await
            .contains(&"payment_intent.requires_action".to_owned())
    );
}

#[tokio::test]
async fn completing_the_challenge_charges_the_card() {
    let h = start().await;
    let pi = confirm_in_browser(&h, "4000002760003184").await;
    let done = press(&challenge_url(&pi), "complete").await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("__stripeSandbox3ds"));
    let after = retrieve(&h, pi["id"].as_str().unwrap()).await;
    assert_eq!(after["status"], "succeeded");
    assert_eq!(after["next_action"], Value::Null);
    assert_eq!(after["amount_received"], 1500);
    let three_ds = &after["latest_charge"]["payment_method_details"]["card"]["three_d_secure"];
    assert_eq!(three_ds["result"], "authenticated");
    assert_eq!(three_ds["version"], "2.2.0");
    let types = event_types(&h).await;
    assert_eq!(types[0], "payment_intent.succeeded");
    assert_eq!(types[1], "charge.succeeded");
    // A used challenge is gone.
    let again = h.http.get(challenge_url(&pi)).send().await.unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(press(&challenge_url(&pi), "complete").await.status(), 404);
}

#[tokio::test]
async fn failing_the_challenge_is_an_authentication_failure() {
    let h = start().await;
    let pi = confirm_in_browser(&h, "4000002500003155").await;
    press(&challenge_url(&pi), "fail").await;
    let after = retrieve(&h, pi["id"].as_str().unwrap()).await;
    assert_eq!(after["status"], "requires_payment_method");
    assert_eq!(after["payment_method"], Value::Null);
    assert_eq!(after["latest_charge"], Value::Null, "nothing was charged");
    let error = &after["last_payment_error"];
    assert_eq!(error["code"], "payment_intent_authentication_failure");
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["payment_method"]["card"]["last4"], "3155");
    assert_eq!(event_types(&h).await[0], "payment_intent.payment_failed");
}

#[tokio::test]
async fn card_3178_authenticates_then_declines_for_insufficient_funds() {
    let h = start().await;
    let pi = confirm_in_browser(&h, "4000008260003178").await;
    assert_eq!(pi["status"], "requires_action");
    press(&challenge_url(&pi), "complete").await;
    let after = retrieve(&h, pi["id"].as_str().unwrap()).await;
    assert_eq!(after["status"], "requires_payment_method");
    assert_eq!(after["last_payment_error"]["code"], "card_declined");
    assert_eq!(
        after["last_payment_error"]["decline_code"],
        "insufficient_funds"
    );
    assert_eq!(after["latest_charge"]["status"], "failed");
    let types = event_types(&h).await;
    assert_eq!(types[0], "payment_intent.payment_failed");
    assert_eq!(types[1], "charge.failed");
}

#[tokio::test]
async fn server_side_confirmation_with_return_url_redirects_back() {
    let h = start().await;
    let pi = card_intent(&h).await;
    let id = pi["id"].as_str().unwrap();
    let reply = h
        .post(
            &format!("/v1/payment_intents/{id}/confirm"),
            "payment_method=pm_card_threeDSecure2Required&return_url=https%3A%2F%2Fshop.example%2Fdone%3Forder%3D7",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let next = &reply.body["next_action"];
    assert_eq!(next["type"], "redirect_to_url");
    assert_eq!(
        next["redirect_to_url"]["return_url"],
        "https://shop.example/done?order=7"
    );
    let url = next["redirect_to_url"]["url"].as_str().unwrap();
    let page = h.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let back = press(url, "complete").await;
    assert_eq!(back.status(), 303);
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    let secret = pi["client_secret"].as_str().unwrap();
    assert_eq!(
        location,
        format!(
            "https://shop.example/done?order=7&payment_intent={id}&payment_intent_client_secret={secret}&redirect_status=succeeded"
        )
    );
    assert_eq!(retrieve(&h, id).await["status"], "succeeded");
}

#[tokio::test]
async fn failed_redirect_says_failed() {
    let h = start().await;
    let pi = card_intent(&h).await;
    let id = pi["id"].as_str().unwrap();
    let reply = h
        .post(
            &format!("/v1/payment_intents/{id}/confirm"),
            "payment_method=pm_card_authenticationRequired&return_url=https%3A%2F%2Fshop.example%2Fdone",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    let url = reply.body["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    let back = press(url, "fail").await;
    let location = back.headers()["location"].to_str().unwrap();
    assert!(location.ends_with("&redirect_status=failed"), "{location}");
}

#[tokio::test]
async fn manual_confirmation_returns_to_requires_confirmation_after_the_challenge() {
    let h = start().await;
    let pi = h
        .create_intent(
            LUMEN,
            "amount=1500&currency=usd&confirmation_method=manual&payment_method_types[]=card",
        )
        .await;
    let id = pi["id"].as_str().unwrap();
    let confirm = format!("/v1/payment_intents/{id}/confirm");
    let reply = h
        .post(
            &confirm,
            "payment_method=pm_card_threeDSecure2Required",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.body["next_action"]["type"], "use_stripe_sdk");
    press(&challenge_url(&reply.body), "complete").await;
    assert_eq!(retrieve(&h, id).await["status"], "requires_confirmation");
    let again = h.post(&confirm, "", h.secret_for(Some(LUMEN))).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["status"], "succeeded");
}

#[tokio::test]
async fn canceling_ends_the_challenge_and_bad_input_is_refused() {
    let h = start().await;
    let pi = confirm_in_browser(&h, "4000002500003155").await;
    let url = challenge_url(&pi);
    assert_eq!(press(&url, "maybe").await.status(), 400);
    let id = pi["id"].as_str().unwrap();
    let canceled = h
        .post(
            &format!("/v1/payment_intents/{id}/cancel"),
            "",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(canceled.body["status"], "canceled");
    assert_eq!(h.http.get(&url).send().await.unwrap().status(), 404);
    let unknown = h
        .http
        .get(h.url("/3ds/challenge/tds_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
