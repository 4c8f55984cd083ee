//! Fault injection (`POST /_sandbox/faults`): Stripe's 429 bodies and retry hints, 5xx, dropped
//! connections and latency, before or after the call runs, and what a retry with the same
//! `Idempotency-Key` then finds (FIDELITY.md §Rate limits to §Idempotency).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{As, Harness, LUMEN, start};
use serde_json::{Value, json};

async fn faults(h: &Harness, config: Value) -> Value {
    let reply = h.admin_post("/_sandbox/faults", config).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn keyed<'a>(h: &'a Harness, key: &'a str) -> As<'a> {
    As {
        key: Some(h.sk()),
        account: Some(LUMEN),
        idempotency_key: Some(key),
        ..As::default()
    }
}

async fn intents_on_lumen(h: &Harness) -> usize {
    h.get(
        "/v1/payment_intents",
        "limit=100",
        h.secret_for(Some(LUMEN)),
    )
    .await
    .body["data"]
        .as_array()
        .unwrap()
        .len()
}

/// A raw POST that may fail at the connection level.
async fn raw_create(
    h: &Harness,
    key: &str,
    timeout: Duration,
) -> reqwest::Result<reqwest::Response> {
    h.http
        .post(h.url("/v1/payment_intents"))
        .bearer_auth(h.sk())
        .header("Stripe-Account", LUMEN)
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("amount=1200&currency=usd")
        .timeout(timeout)
        .send()
        .await
}

#[tokio::test]
async fn rate_limit_is_a_429_without_a_retry_hint() {
    let h = start().await;
    faults(&h, json!({"rules": [{"fault": "rate_limit", "times": 1}]})).await;
    let limited = h.get("/v1/prices", "", h.secret_for(Some(LUMEN))).await;
    assert_eq!(
        limited.error_summary(),
        (429, "invalid_request_error", Some("rate_limit"), None)
    );
    assert!(
        limited.error()["message"]
            .as_str()
            .unwrap()
            .starts_with("Request rate limit exceeded.")
    );
    assert_eq!(limited.header("stripe-should-retry"), None);
    assert!(limited.header("request-id").is_some());
    let next = h.get("/v1/prices", "", h.secret_for(Some(LUMEN))).await;
    assert_eq!(next.status, 200);
}

#[tokio::test]
async fn lock_timeout_is_a_429_that_says_retry() {
    let h = start().await;
    faults(
        &h,
        json!({"rules": [{"fault": "lock_timeout", "times": 1}]}),
    )
    .await;
    let locked = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            keyed(&h, "k1"),
        )
        .await;
    assert_eq!(
        locked.error_summary(),
        (429, "invalid_request_error", Some("lock_timeout"), None)
    );
    assert_eq!(
        locked.error()["doc_url"],
        "https://stripe.com/docs/error-codes/lock-timeout"
    );
    assert_eq!(locked.header("stripe-should-retry"), Some("true"));
    // Nothing ran, nothing is stored: the retry with the same key creates the PaymentIntent.
    assert_eq!(intents_on_lumen(&h).await, 0);
    let retried = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            keyed(&h, "k1"),
        )
        .await;
    assert_eq!(retried.status, 200);
    assert_eq!(retried.header("idempotent-replayed"), None);
    assert_eq!(intents_on_lumen(&h).await, 1);
}

#[tokio::test]
async fn server_error_before_the_call_leaves_nothing_behind() {
    let h = start().await;
    faults(
        &h,
        json!({"rules": [{"fault": "server_error", "times": 1}]}),
    )
    .await;
    let failed = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            keyed(&h, "k2"),
        )
        .await;
    assert_eq!(failed.error_summary(), (500, "api_error", None, None));
    assert_eq!(intents_on_lumen(&h).await, 0);
    let retried = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            keyed(&h, "k2"),
        )
        .await;
    assert_eq!(retried.status, 200);
    assert_eq!(intents_on_lumen(&h).await, 1);
}

#[tokio::test]
async fn server_error_after_the_call_is_stored_and_replayed_like_stripe() {
    let h = start().await;
    faults(
        &h,
        json!({"rules": [{"fault": "service_unavailable", "when": "after", "times": 1}]}),
    )
    .await;
    let failed = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            keyed(&h, "k3"),
        )
        .await;
    assert_eq!(failed.status, 503);
    // The call committed: the PaymentIntent exists…
    assert_eq!(intents_on_lumen(&h).await, 1);
    // …and the same key replays the 503 (Stripe stores 5xx results), never a second create.
    let replay = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            keyed(&h, "k3"),
        )
        .await;
    assert_eq!(replay.status, 503);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(intents_on_lumen(&h).await, 1);
}

#[tokio::test]
async fn dropped_connection_after_create_replays_on_retry_instead_of_duplicating() {
    let h = start().await;
    faults(
        &h,
        json!({"rules": [{"fault": "drop_connection", "when": "after", "times": 1,
                           "path_prefix": "/v1/payment_intents", "method": "POST"}]}),
    )
    .await;
    let lost = raw_create(&h, "k4", Duration::from_secs(5)).await;
    assert!(lost.is_err(), "the connection closes without an answer");
    assert_eq!(intents_on_lumen(&h).await, 1, "but the call committed");
    let retry = raw_create(&h, "k4", Duration::from_secs(5)).await.unwrap();
    assert_eq!(retry.status(), 200);
    assert_eq!(
        retry.headers()["idempotent-replayed"].to_str().unwrap(),
        "true"
    );
    let body: Value = retry.json().await.unwrap();
    assert!(body["id"].as_str().unwrap().starts_with("pi_"));
    assert_eq!(intents_on_lumen(&h).await, 1, "replayed, not duplicated");
}

#[tokio::test]
async fn dropped_connection_before_the_call_does_nothing() {
    let h = start().await;
    faults(
        &h,
        json!({"rules": [{"fault": "drop_connection", "times": 1}]}),
    )
    .await;
    assert!(raw_create(&h, "k5", Duration::from_secs(5)).await.is_err());
    assert_eq!(intents_on_lumen(&h).await, 0);
    let retry = raw_create(&h, "k5", Duration::from_secs(5)).await.unwrap();
    assert_eq!(retry.status(), 200);
    assert!(retry.headers().get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn latency_after_commit_makes_a_timed_out_call_replay() {
    let h = start().await;
    faults(
        &h,
        json!({"rules": [{"fault": "latency", "latency_ms": 600, "when": "after", "times": 1}]}),
    )
    .await;
    let timed_out = raw_create(&h, "k6", Duration::from_millis(150)).await;
    assert!(timed_out.unwrap_err().is_timeout());
    let retry = raw_create(&h, "k6", Duration::from_secs(5)).await.unwrap();
    assert_eq!(retry.status(), 200);
    assert_eq!(
        retry.headers()["idempotent-replayed"].to_str().unwrap(),
        "true"
    );
    assert_eq!(intents_on_lumen(&h).await, 1);
}

#[tokio::test]
async fn every_nth_call_fails_deterministically_in_scope_only() {
    let h = start().await;
    faults(
        &h,
        json!({"rules": [{"fault": "server_error", "every": 3, "path_prefix": "/v1/prices"}]}),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            h.get("/v1/prices", "", h.secret_for(Some(LUMEN)))
                .await
                .status
                .as_u16(),
        );
        // Out of scope: never faulted, not counted.
        assert_eq!(
            h.get("/v1/products", "", h.secret_for(Some(LUMEN)))
                .await
                .status,
            200
        );
    }
    assert_eq!(statuses, [200, 200, 500, 200, 200, 500]);
    let state = h.admin_get("/_sandbox/faults").await;
    assert_eq!(
        state.body["stats"]["rules"][0],
        json!({"matched": 6, "fired": 2})
    );
}

#[tokio::test]
async fn shares_repeat_with_a_random_seed() {
    let h = start().await;
    let config = json!({"random_seed": 11, "rules": [{"fault": "rate_limit", "share": 0.5}]});
    let mut runs = Vec::new();
    for _ in 0..2 {
        faults(&h, config.clone()).await;
        let mut run = Vec::new();
        for _ in 0..12 {
            run.push(
                h.get("/v1/prices", "", h.secret_for(Some(LUMEN)))
                    .await
                    .status
                    .as_u16(),
            );
        }
        runs.push(run);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&429) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn per_second_rate_limit_like_stripes() {
    let h = start().await;
    faults(&h, json!({"rate_limit_per_second": 4})).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            h.get("/v1/prices", "", h.secret_for(Some(LUMEN)))
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(&statuses[..4], [200, 200, 200, 200]);
    assert_eq!(&statuses[4..], [429, 429]);
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        h.get("/v1/prices", "", h.secret_for(Some(LUMEN)))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn fault_configuration_is_checked_and_cleared_by_an_empty_body() {
    let h = start().await;
    for bad in [
        json!({"rules": [{"fault": "rate_limit", "when": "after"}]}),
        json!({"rules": [{"fault": "server_error", "share": 2}]}),
        json!({"rules": [{"fault": "meteor"}]}),
        json!({"latency": 5}),
    ] {
        let reply = h.admin_post("/_sandbox/faults", bad.clone()).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
    }
    faults(&h, json!({"rules": [{"fault": "server_error"}]})).await;
    assert_eq!(
        h.get("/v1/prices", "", h.secret_for(Some(LUMEN)))
            .await
            .status,
        500
    );
    faults(&h, json!({})).await;
    assert_eq!(
        h.get("/v1/prices", "", h.secret_for(Some(LUMEN)))
            .await
            .status,
        200
    );
}
