//! The admin page at `/_sandbox`: what the sandbox holds, and its few controls.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{LUMEN, receiver, start};
use serde_json::json;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn admin_page_lists_accounts_payments_events_and_deliveries() {
    let h = start().await;
    let hook = receiver(&[]).await;
    h.post(
        "/v1/webhook_endpoints",
        &format!("url={}&enabled_events[]=*&connect=true", hook.url),
        h.secret_for(None),
    )
    .await;
    let pi = h
        .post(
            "/v1/payment_intents",
            "amount=1500&currency=usd&payment_method=pm_card_visa&confirm=true&payment_method_types[]=card",
            h.secret_for(Some(LUMEN)),
        )
        .await
        .body;
    hook.wait_for(3).await;
    let response = h.http.get(h.url("/_sandbox")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    for heading in [
        "Accounts",
        "Payments",
        "Events",
        "Webhook deliveries",
        "Faults",
    ] {
        assert!(html.contains(&format!(">{heading}</h2>")), "{heading}");
    }
    assert!(html.contains("Lumen Coffee Roasters"));
    assert!(html.contains(pi["id"].as_str().unwrap()));
    assert!(html.contains("payment_intent.succeeded"));
    assert!(html.contains(&hook.url));
    assert!(html.contains("<th scope=\"col\">"));
    assert!(html.contains("<label for=\"faults-json\">"));
}

#[tokio::test]
async fn admin_page_forms_set_faults_and_reset() {
    let h = start().await;
    let set = no_redirects()
        .post(h.url("/_sandbox/page/faults"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("faults=%7B%22latency_ms%22%3A%201%7D")
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 303);
    assert_eq!(h.admin_get("/_sandbox/faults").await.body["latency_ms"], 1);
    let bad = no_redirects()
        .post(h.url("/_sandbox/page/faults"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("faults=%7Bnope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("role=\"alert\""));
    h.post("/v1/accounts", "type=express", h.secret_for(None))
        .await;
    let reset = no_redirects()
        .post(h.url("/_sandbox/page/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 303);
    let accounts = h.get("/v1/accounts", "", h.secret_for(None)).await;
    assert_eq!(
        accounts.body["data"].as_array().unwrap().len(),
        5,
        "the five seeded sellers, not the one made before the reset"
    );
    assert_eq!(h.admin_get("/_sandbox/faults").await.body["latency_ms"], 0);
}

#[tokio::test]
async fn admin_calls_from_other_sites_pages_are_refused() {
    let h = start().await;
    let forged = h
        .http
        .post(h.url("/_sandbox/faults"))
        .header("Origin", "http://evil.example")
        .header("Content-Type", "text/plain")
        .body(json!({"rules": [{"fault": "server_error"}]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(
        h.admin_get("/_sandbox/faults").await.body["rules"],
        serde_json::Value::Null
    );
    let forged_reset = h
        .http
        .post(h.url("/_sandbox/page/reset"))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged_reset.status(), 403);
    // The page's own forms (same origin) work.
    let same = no_redirects()
        .post(h.url("/_sandbox/page/reset"))
        .header("Origin", h.sandbox.base_url())
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 303);
}
