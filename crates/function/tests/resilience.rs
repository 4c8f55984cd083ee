//! What the function survives: Stripe's faults (nothing doubled), refused keys (fail fast, say
//! which key), and a key rotation while checkouts run (nothing lost).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use connect_checkout_core::retry::{RETRIES_SPENT_HEADER, TRIES, widget_retries};
use connect_checkout_function::key_rotation::watch_key_file;
use connect_checkout_function::stripe::retry::RetryPolicy;
use serde_json::{Value, json};
use support::{HOUSE_BLEND, Harness, LUMEN, checkout, harness};

mod support;

/// Retries as in production, with waits short enough for a test.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        budget: Duration::from_secs(10),
        attempt_timeout: Duration::from_secs(2),
    }
}

async fn quick_harness() -> Harness {
    let mut h = harness(&[]).await;
    h.state = h.state.clone().with_retry_policy(quick_retries());
    h
}

/// Every attempt id the seller's PaymentIntents carry, with how many carry it.
async fn attempts_on(h: &Harness, account: &str) -> Vec<(String, usize)> {
    let intents = h.intents(account).await;
    let mut counts: Vec<(String, usize)> = Vec::new();
    for intent in &intents {
        let attempt = intent["metadata"]["checkout_attempt"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        match counts.iter_mut().find(|(a, _)| *a == attempt) {
            Some((_, n)) => *n += 1,
            None => counts.push((attempt, 1)),
        }
    }
    counts
}

#[tokio::test]
async fn checkouts_survive_dropped_connections_5xx_and_rate_limits_without_a_duplicate() {
    let h = quick_harness().await;
    h.admin(
        "/_sandbox/faults",
        json!({"rules": [
            {"fault": "drop_connection", "when": "after", "path_prefix": "/v1/payment_intents", "method": "POST", "every": 2},
            {"fault": "service_unavailable", "path_prefix": "/v1/payment_intents", "method": "POST", "every": 3},
            {"fault": "lock_timeout", "path_prefix": "/v1/prices", "every": 4},
            {"fault": "rate_limit", "path_prefix": "/v1/accounts", "every": 5},
        ]}),
    )
    .await;
    let mut sessions = Vec::new();
    for n in 0..12 {
        let attempt = support::attempt_id(&format!("resilience-attempt-{n:04}"));
        let answer = h
            .post(
                "/api/checkout",
                &checkout(LUMEN, &[(HOUSE_BLEND, 1)], &attempt),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "attempt {n}: {}",
            answer.body
        );
        sessions.push(answer.body);
    }
    let fired = faults_fired(&h).await;
    let total: u64 = fired.iter().sum();
    assert!(total >= 10, "the faults really fired ({total}): {fired:?}");
    let counts = attempts_on(&h, LUMEN).await;
    assert_eq!(
        counts.len(),
        12,
        "one PaymentIntent per attempt: {counts:?}"
    );
    assert!(
        counts.iter().all(|(_, n)| *n == 1),
        "no duplicates: {counts:?}"
    );
}

/// How often each fault rule fired: the Stripe calls it answered.
async fn faults_fired(h: &Harness) -> Vec<u64> {
    let faults = reqwest::get(format!("{}/_sandbox/faults", h.sandbox.base_url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let faults: Value = serde_json::from_slice(&faults).unwrap();
    faults["stats"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["fired"].as_u64().unwrap())
        .collect()
}

/// One press of Pay as the widget makes it (src/api.rs) while Stripe answers every
/// PaymentIntent creation with `fault`: the function is asked again only when core's rule says
/// the widget retries that answer, and at most `TRIES` times.
async fn press_during(h: &Harness, fault: &str) -> (support::Answer, u32) {
    h.admin(
        "/_sandbox/faults",
        json!({"rules": [{"fault": fault, "path_prefix": "/v1/payment_intents", "method": "POST"}]}),
    )
    .await;
    let attempt = support::attempt_id(&format!("press-during-{fault}"));
    let request = checkout(LUMEN, &[(HOUSE_BLEND, 1)], &attempt);
    let mut asked = 0;
    loop {
        asked += 1;
        let answer = h.post("/api/checkout", &request).await;
        let spent = answer.headers.contains_key(RETRIES_SPENT_HEADER);
        if asked == TRIES || !widget_retries(answer.status.as_u16(), spent) {
            return (answer, asked);
        }
    }
}

// Pins the one budget: before it, the function tried Stripe 4 times, answered a plain 503, and
// the widget asked 3 times more: 16 Stripe calls for one press.
#[tokio::test]
async fn a_press_during_a_stripe_outage_costs_one_budget_of_stripe_calls() {
    let h = quick_harness().await;
    let (answer, asked) = press_during(&h, "service_unavailable").await;

    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    assert_eq!(
        (asked, faults_fired(&h).await),
        (1, vec![u64::from(TRIES)]),
        "(the widget's requests, the Stripe calls to make the PaymentIntent) for one press"
    );
    assert_eq!(answer.body["error"]["code"], "payment_provider_unavailable");
    assert_eq!(answer.headers[RETRIES_SPENT_HEADER], "true");
    assert_eq!(answer.headers["retry-after"], "2");
    assert!(h.intents(LUMEN).await.is_empty());
}

#[tokio::test]
async fn stripes_rate_limit_is_retried_by_the_function_only() {
    let h = quick_harness().await;
    let (answer, asked) = press_during(&h, "lock_timeout").await;

    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    assert_eq!((asked, faults_fired(&h).await), (1, vec![u64::from(TRIES)]));
    assert_eq!(answer.headers[RETRIES_SPENT_HEADER], "true");
}

#[tokio::test]
async fn a_replayed_5xx_still_gives_the_attempt_its_one_payment_intent() {
    let h = quick_harness().await;
    // The PaymentIntent is created, then every answer under its key is a stored 500.
    h.admin(
        "/_sandbox/faults",
        json!({"rules": [{"fault": "server_error", "when": "after", "path_prefix": "/v1/payment_intents", "method": "POST", "times": 1}]}),
    )
    .await;
    let request = checkout(
        LUMEN,
        &[(HOUSE_BLEND, 2)],
        "f2382a110778d2d4a0f74c3fdb8744a3",
    );
    let answer = h.post("/api/checkout", &request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        h.pay(&answer.body, "pm_card_visa").await["status"],
        "succeeded"
    );
    let again = h.post("/api/checkout", &request).await;
    assert_eq!(again.body["payment_intent"], answer.body["payment_intent"]);
    assert_eq!(h.intents(LUMEN).await.len(), 1);
}

#[tokio::test]
async fn a_revoked_key_fails_fast_with_an_operator_message_and_health_says_not_ready() {
    let h = quick_harness().await;
    assert_eq!(h.get("/healthz").await.status, StatusCode::OK);
    h.admin(
        "/_sandbox/keys/revoke",
        json!({"key": h.sandbox.secret_key()}),
    )
    .await;

    let started = Instant::now();
    let answer = h.get("/api/sellers").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "no retry loop: {:?}",
        started.elapsed()
    );
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["error"]["code"], "provider_configuration");
    assert!(
        !answer.body.to_string().contains("sk_test"),
        "the shopper sees no key: {}",
        answer.body
    );

    let health = h.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    let reason = health.body["reason"].as_str().unwrap();
    assert!(
        reason.contains("sk_test_…0000") && reason.contains("not valid"),
        "{reason}"
    );
}

#[tokio::test]
async fn rolling_the_key_while_checkouts_run_loses_none_and_the_expired_key_is_named() {
    let h = quick_harness().await;
    let old_key = h.sandbox.secret_key().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("stripe-secret-key");
    std::fs::write(&key_file, &old_key).unwrap();
    let watcher = watch_key_file(
        key_file.clone(),
        h.state.stripe.clone(),
        Duration::from_millis(20),
    );

    let mut failures = Vec::new();
    let mut attempts = HashSet::new();
    for n in 0..30 {
        if n == 10 {
            // The operator rolls the key with a one-hour overlap and deploys the new key.
            let rolled = h
                .admin(
                    "/_sandbox/keys/roll",
                    json!({"key": old_key, "expires_in_seconds": 3600}),
                )
                .await;
            let new_key = rolled["key"].as_str().unwrap().to_owned();
            std::fs::write(&key_file, &new_key).unwrap();
        }
        if n == 20 {
            // The overlap ends: the old key expires.
            h.admin("/_sandbox/clock", json!({"advance_seconds": 3601}))
                .await;
        }
        let attempt = support::attempt_id(&format!("key-roll-attempt-{n:04}"));
        let answer = h
            .post(
                "/api/checkout",
                &checkout(LUMEN, &[(HOUSE_BLEND, 1)], &attempt),
            )
            .await;
        if answer.status != StatusCode::OK {
            failures.push(format!("{n}: {} {}", answer.status, answer.body));
        }
        attempts.insert(attempt);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    watcher.abort();
    assert!(
        failures.is_empty(),
        "failed checkouts during the roll: {failures:#?}"
    );
    assert_eq!(
        h.state.stripe.secret_key().fingerprint().len(),
        "sk_test_…".len() + 4
    );
    assert_ne!(
        h.state.stripe.secret_key().fingerprint(),
        "sk_test_…0000",
        "the new key is in use"
    );

    // A function still on the old key is told which key expired.
    let stale = support::state_for(&h.sandbox, &[]).with_retry_policy(quick_retries());
    let answer = support::call(&stale, axum::http::Method::GET, "/api/sellers", None, None).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    let health = support::call(&stale, axum::http::Method::GET, "/healthz", None, None).await;
    let reason = health.body["reason"].as_str().unwrap();
    assert!(
        reason.contains("sk_test_…0000") && reason.contains("api_key_expired"),
        "{reason}"
    );
}
