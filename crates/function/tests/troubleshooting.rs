//! README "Troubleshooting": the symptom a developer sees, reproduced against the sandbox, for
//! the rows not already pinned by the suites named in the table.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::http::StatusCode;
use serde_json::Value;
use support::{HOUSE_BLEND, LUMEN, checkout, harness};

mod support;

/// "No such payment_intent" / "The client_secret provided does not match any associated
/// PaymentIntent on this account": a direct charge lives on the seller's account, so reading it
/// without `Stripe-Account` (server side) or confirming it from a Stripe.js made without
/// `stripeAccount` finds nothing.
#[tokio::test]
async fn a_direct_charge_outside_the_sellers_account_is_not_found() {
    let h = harness(&[]).await;
    let session = h
        .post(
            "/api/checkout",
            &checkout(
                LUMEN,
                &[(HOUSE_BLEND, 1)],
                "43362befd897291ed6a21eaf51f1d991",
            ),
        )
        .await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_eq!(
        session.body["stripe_account"], LUMEN,
        "the function says which account to use"
    );
    let intent = session.body["payment_intent"].as_str().unwrap();

    let on_platform = h
        .stripe_get(&format!("/v1/payment_intents/{intent}"), None)
        .await;
    assert_eq!(on_platform["error"]["code"], "resource_missing");
    let message = on_platform["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("No such payment_intent: '{intent}'")),
        "{message}"
    );

    let without_account = reqwest::Client::new()
        .post(format!(
            "{}/v1/payment_intents/{intent}/confirm",
            h.sandbox.base_url()
        ))
        .form(&[
            ("payment_method", "pm_card_visa"),
            (
                "client_secret",
                session.body["client_secret"].as_str().unwrap(),
            ),
            ("key", h.sandbox.publishable_key()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(without_account.status(), 404);
    let error: Value = serde_json::from_slice(&without_account.bytes().await.unwrap()).unwrap();
    assert_eq!(error["error"]["code"], "resource_missing");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not match any associated PaymentIntent on this account"),
        "{error}"
    );

    // With the seller's account, as the widget does, the same confirmation succeeds.
    assert_eq!(
        h.pay(&session.body, "pm_card_visa").await["status"],
        "succeeded"
    );
}
