//! `Idempotency-Key` (FIDELITY.md §Idempotency): replay, 400 on other parameters, 409 while in
//! flight, nothing stored for a request that failed validation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, KYOTO, LUMEN, start};

fn with_key<'a>(sk: &'a str, account: &'a str, key: &'a str) -> As<'a> {
    As {
        key: Some(sk),
        account: Some(account),
        idempotency_key: Some(key),
        ..As::default()
    }
}

#[tokio::test]
async fn same_key_and_parameters_replay_the_first_response() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let form = "amount=1200&currency=usd&application_fee_amount=120";
    let first = h
        .post(
            "/v1/payment_intents",
            form,
            with_key(&sk, LUMEN, "attempt-1"),
        )
        .await;
    let second = h
        .post(
            "/v1/payment_intents",
            form,
            with_key(&sk, LUMEN, "attempt-1"),
        )
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(second.status, 200);
    assert_eq!(first.body, second.body);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.header("request-id"), second.header("request-id"));
    assert_eq!(second.header("idempotency-key"), Some("attempt-1"));
    let list = h
        .get("/v1/payment_intents", "", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(
        list.body["data"].as_array().unwrap().len(),
        1,
        "charged once"
    );
}

#[tokio::test]
async fn parameters_in_another_order_are_the_same_request() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let a = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd&metadata[a]=1&metadata[b]=2",
            with_key(&sk, LUMEN, "k"),
        )
        .await;
    let b = h
        .post(
            "/v1/payment_intents",
            "metadata[b]=2&currency=usd&metadata[a]=1&amount=1200",
            with_key(&sk, LUMEN, "k"),
        )
        .await;
    assert_eq!(a.body["id"], b.body["id"]);
}

#[tokio::test]
async fn same_key_with_other_parameters_is_400_idempotency_error() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let first = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            with_key(&sk, LUMEN, "attempt-2"),
        )
        .await;
    assert_eq!(first.status, 200);
    let other = h
        .post(
            "/v1/payment_intents",
            "amount=2400&currency=usd",
            with_key(&sk, LUMEN, "attempt-2"),
        )
        .await;
    assert_eq!(
        other.error_summary(),
        (400, "idempotency_error", None, None)
    );
    assert_eq!(
        other.error()["message"],
        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'attempt-2' if you meant to execute a different request."
    );
    let other_path = h
        .post(
            &format!(
                "/v1/payment_intents/{}/cancel",
                first.body["id"].as_str().unwrap()
            ),
            "",
            with_key(&sk, LUMEN, "attempt-2"),
        )
        .await;
    assert_eq!(other_path.status, 400);
}

#[tokio::test]
async fn keys_are_scoped_to_the_account() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let lumen = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            with_key(&sk, LUMEN, "k"),
        )
        .await;
    let kyoto = h
        .post(
            "/v1/payment_intents",
            "amount=1500&currency=jpy",
            with_key(&sk, KYOTO, "k"),
        )
        .await;
    assert_eq!(lumen.status, 200);
    assert_eq!(kyoto.status, 200);
    assert_ne!(lumen.body["id"], kyoto.body["id"]);
}

#[tokio::test]
async fn a_request_that_failed_validation_stores_nothing() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let bad = h
        .post(
            "/v1/payment_intents",
            "currency=usd",
            with_key(&sk, LUMEN, "fix-me"),
        )
        .await;
    assert_eq!(bad.status, 400);
    let fixed = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            with_key(&sk, LUMEN, "fix-me"),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
}

#[tokio::test]
async fn a_declined_confirmation_is_replayed_with_its_402() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let pi = h.create_intent(LUMEN, "amount=1200&currency=usd&automatic_payment_methods[enabled]=true&automatic_payment_methods[allow_redirects]=never").await;
    let path = format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap());
    let first = h
        .post(
            &path,
            "payment_method=pm_card_chargeDeclined",
            with_key(&sk, LUMEN, "c"),
        )
        .await;
    let again = h
        .post(
            &path,
            "payment_method=pm_card_chargeDeclined",
            with_key(&sk, LUMEN, "c"),
        )
        .await;
    assert_eq!(first.status, 402);
    assert_eq!(again.status, 402);
    assert_eq!(first.body, again.body);
}

// Pins: a retry that overtakes the first request must not create a second charge.
#[tokio::test]
async fn same_key_while_the_first_is_in_flight_is_409() {
    let h = start().await;
    let faults = h
        .http
        .post(h.url("/_sandbox/faults"))
        .body(r#"{"latency_ms": 1000}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(faults.status(), 200);
    let sk = h.sk().to_owned();
    let slow = h.post(
        "/v1/payment_intents",
        "amount=1200&currency=usd",
        with_key(&sk, LUMEN, "busy"),
    );
    let eager = async {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        h.post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            with_key(&sk, LUMEN, "busy"),
        )
        .await
    };
    let (first, second) = tokio::join!(slow, eager);
    assert_eq!(first.status, 200);
    assert_eq!(
        second.error_summary(),
        (
            409,
            "invalid_request_error",
            Some("idempotency_key_in_use"),
            None
        )
    );
    assert_eq!(
        second.error()["message"],
        "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): busy. Please try again later."
    );
    assert_eq!(second.header("stripe-should-retry"), Some("true"));
}

#[tokio::test]
async fn keys_longer_than_255_characters_are_refused() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let long = "k".repeat(256);
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            with_key(&sk, LUMEN, &long),
        )
        .await;
    assert_eq!(reply.status, 400);
}
