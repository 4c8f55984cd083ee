//! Exactly once under faults. Shoppers check out through the function while the sandbox
//! injects rate limits, lock timeouts, 5xx (before and after the call ran), latency and dropped
//! connections, and the function is restarted once mid-run. Every checkout must end with
//! exactly one succeeded PaymentIntent or a failure the shopper was told about; no attempt may
//! own two PaymentIntents; no charge may exist without a PaymentIntent the platform knows.
//!
//! `RELIABILITY_CHECKOUTS` sets how many (40 by default; `cargo xtask test --full` runs 250).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use connect_checkout_e2e::{
    HOUSE_BLEND_PRICE, RestartableFunction, SELLER, set_sandbox_faults, workspace_root,
};
use connect_checkout_function::stripe::retry::RetryPolicy;
use serde_json::{Value, json};
use stripe_sandbox::{RunningSandbox, Seed};
use tokio::sync::Mutex;

const SHOPPERS: usize = 8;

/// What happened to one checkout attempt, as the shopper saw it.
#[derive(Debug)]
enum Outcome {
    Paid(String),
    ToldFailure(String),
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap_or_default()).unwrap_or(Value::Null)
}

/// One shopper's checkout, retried the way the widget retries it: the same attempt id until the
/// function answers, then Stripe.js's confirm, checking the PaymentIntent when an answer is lost.
async fn check_out(
    http: &reqwest::Client,
    function: &str,
    sandbox: &RunningSandbox,
    attempt: &str,
) -> Outcome {
    let body = json!({"seller": SELLER, "items": [{"price": HOUSE_BLEND_PRICE, "quantity": 1}], "attempt": attempt});
    let mut session = None;
    for try_number in 0..10 {
        match http
            .post(format!("{function}/api/checkout"))
            .json(&body)
            .send()
            .await
        {
            Ok(response) if response.status().is_success() => {
                session = Some(json_of(response).await);
                break;
            }
            Ok(response) if response.status().is_client_error() && response.status() != 429 => {
                let status = response.status();
                return Outcome::ToldFailure(format!("{status}: {}", json_of(response).await));
            }
            // 429, 5xx, or no answer (the function restarting): wait and try the same attempt.
            _ => tokio::time::sleep(Duration::from_millis(100 * (1 << try_number.min(4)))).await,
        }
    }
    let Some(session) = session else {
        return Outcome::ToldFailure("the payment service did not answer".into());
    };
    let intent = session["payment_intent"].as_str().unwrap().to_owned();
    let secret = session["client_secret"].as_str().unwrap().to_owned();
    let form = [
        ("payment_method", "pm_card_visa"),
        ("client_secret", secret.as_str()),
        ("key", sandbox.publishable_key()),
        ("_stripe_account", SELLER),
        ("return_url", "https://shop.test/return"),
    ];
    for try_number in 0..10 {
        let confirmed = http
            .post(format!(
                "{}/v1/payment_intents/{intent}/confirm",
                sandbox.base_url()
            ))
            .form(&form)
            .send()
            .await;
        if let Ok(response) = confirmed {
            let answer = json_of(response).await;
            if answer["status"] == "succeeded" {
                return Outcome::Paid(intent);
            }
            if answer["error"]["code"] == "payment_intent_unexpected_state" {
                // An earlier confirm went through but its answer was lost: ask.
                let status = http
                    .get(format!(
                        "{}/v1/payment_intents/{intent}",
                        sandbox.base_url()
                    ))
                    .query(&[
                        ("client_secret", secret.as_str()),
                        ("key", sandbox.publishable_key()),
                        ("_stripe_account", SELLER),
                    ])
                    .send()
                    .await;
                if let Ok(status) = status
                    && json_of(status).await["status"] == "succeeded"
                {
                    return Outcome::Paid(intent);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100 * (1 << try_number.min(4)))).await;
    }
    Outcome::ToldFailure("the card could not be confirmed".into())
}

/// Every object in a list, following `has_more`.
async fn list_all(http: &reqwest::Client, sandbox: &RunningSandbox, path: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let mut query = vec![("limit".to_owned(), "100".to_owned())];
        if let Some(last) = all.last() {
            query.push((
                "starting_after".into(),
                last["id"].as_str().unwrap().to_owned(),
            ));
        }
        let page = http
            .get(format!("{}{path}", sandbox.base_url()))
            .bearer_auth(sandbox.secret_key())
            .header("Stripe-Account", SELLER)
            .query(&query)
            .send()
            .await
            .unwrap();
        let page = json_of(page).await;
        all.extend(page["data"].as_array().cloned().unwrap_or_default());
        if page["has_more"] != true {
            return all;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_checkout_ends_once_under_faults_and_a_restart() {
    let checkouts: usize = std::env::var("RELIABILITY_CHECKOUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = Arc::new(
        stripe_sandbox::spawn(listener, Seed::default())
            .await
            .unwrap(),
    );
    let retry = RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        budget: Duration::from_secs(5),
        attempt_timeout: Duration::from_secs(3),
    };
    let function = Arc::new(Mutex::new(RestartableFunction::start(
        &sandbox,
        &[],
        Some(retry),
    )));
    let url = function.lock().await.url.clone();
    let faults = json!({
        "random_seed": 20261129,
        "rules": [
            {"fault": "rate_limit", "share": 0.08},
            {"fault": "lock_timeout", "share": 0.04, "path_prefix": "/v1/payment_intents"},
            {"fault": "service_unavailable", "share": 0.04},
            {"fault": "server_error", "when": "after", "share": 0.03, "path_prefix": "/v1/payment_intents", "method": "POST"},
            {"fault": "drop_connection", "when": "after", "share": 0.04},
            {"fault": "latency", "latency_ms": 40, "share": 0.2},
        ],
    });
    set_sandbox_faults(&sandbox, faults.clone()).await;

    let queue: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(
        (0..checkouts)
            .map(|n| connect_checkout_e2e::attempt_id(0x7265_6c69_6162_6c65, n as u64))
            .collect(),
    ));
    let outcomes: Arc<Mutex<HashMap<String, Outcome>>> = Arc::default();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut shoppers = Vec::new();
    for _ in 0..SHOPPERS {
        let (queue, outcomes, done, sandbox, url) = (
            queue.clone(),
            outcomes.clone(),
            done.clone(),
            sandbox.clone(),
            url.clone(),
        );
        shoppers.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(8))
                .build()
                .unwrap();
            loop {
                let Some(attempt) = queue.lock().await.pop() else {
                    return;
                };
                let outcome = check_out(&http, &url, &sandbox, &attempt).await;
                outcomes.lock().await.insert(attempt, outcome);
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }));
    }
    // Halfway, the function is restarted: connections in flight are cut.
    while done.load(std::sync::atomic::Ordering::SeqCst) < checkouts / 2 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    function.lock().await.restart().await;
    for shopper in shoppers {
        shopper.await.unwrap();
    }
    let fired = connect_checkout_e2e::sandbox_faults(&sandbox).await;
    set_sandbox_faults(&sandbox, json!({})).await;

    let http = reqwest::Client::new();
    let intents = list_all(&http, &sandbox, "/v1/payment_intents").await;
    let charges = list_all(&http, &sandbox, "/v1/charges").await;
    let outcomes = outcomes.lock().await;

    let mut per_attempt: HashMap<&str, Vec<&Value>> = HashMap::new();
    for intent in &intents {
        if let Some(attempt) = intent["metadata"]["checkout_attempt"].as_str() {
            per_attempt.entry(attempt).or_default().push(intent);
        }
    }
    let duplicates: Vec<&&str> = per_attempt
        .iter()
        .filter(|(_, list)| list.len() > 1)
        .map(|(a, _)| a)
        .collect();
    let known: HashSet<&str> = intents.iter().filter_map(|i| i["id"].as_str()).collect();
    let unknown_charges: Vec<&Value> = charges
        .iter()
        .filter(|charge| {
            !charge["payment_intent"]
                .as_str()
                .is_some_and(|pi| known.contains(pi))
        })
        .collect();
    let mut paid = 0;
    let mut told = Vec::new();
    let mut mismatched = Vec::new();
    for (attempt, outcome) in outcomes.iter() {
        let succeeded: Vec<&&Value> = per_attempt
            .get(attempt.as_str())
            .map(|list| {
                list.iter()
                    .filter(|pi| pi["status"] == "succeeded")
                    .collect()
            })
            .unwrap_or_default();
        match outcome {
            Outcome::Paid(intent) => {
                paid += 1;
                if succeeded.len() != 1 || succeeded[0]["id"] != intent.as_str() {
                    mismatched.push(attempt.clone());
                }
            }
            Outcome::ToldFailure(why) => {
                told.push(format!("{attempt}: {why}"));
                if !succeeded.is_empty() {
                    mismatched.push(attempt.clone());
                }
            }
        }
    }

    let report = json!({
        "checkouts": checkouts,
        "paid": paid,
        "failures_shown_to_the_shopper": told.len(),
        "duplicate_payment_intents": duplicates.len(),
        "charges_without_a_known_payment_intent": unknown_charges.len(),
        "outcome_disagrees_with_stripe": mismatched.len(),
        "payment_intents": intents.len(),
        "charges": charges.len(),
        "function_restarts": 1,
        "faults": faults,
        "faults_fired": fired["stats"],
    });
    println!("{report:#}");
    let artifacts = workspace_root().join("e2e/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(artifacts.join("reliability.json"), format!("{report:#}")).unwrap();

    assert_eq!(outcomes.len(), checkouts, "every checkout ended");
    assert!(
        duplicates.is_empty(),
        "attempts with two PaymentIntents: {duplicates:?}"
    );
    assert!(
        unknown_charges.is_empty(),
        "charges without a known PaymentIntent: {unknown_charges:#?}"
    );
    assert!(
        mismatched.is_empty(),
        "what the shopper saw disagrees with Stripe: {mismatched:?}"
    );
    assert!(
        paid * 10 >= checkouts * 9,
        "at least 90 % get through these fault rates: {told:#?}"
    );
}
