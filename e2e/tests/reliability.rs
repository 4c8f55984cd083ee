//! Exactly once under faults. Shoppers check out through the function while the sandbox
//! injects rate limits, lock timeouts, 5xx (before and after the call ran), latency and dropped
//! connections, and the function is restarted once mid-run. Every checkout must end with
//! exactly one succeeded PaymentIntent or a failure the shopper was told about; no attempt may
//! own two PaymentIntents; no charge may exist without a PaymentIntent the platform knows.
//!
//! Every other checkout is a marketplace order of two or three sellers, paid on the platform
//! and then settled by one Transfer per seller: by the sandbox's webhooks (retried while the
//! function restarts), by the shopper's widget for some of them, and finally by every
//! delivery sent again in reverse order. Every paid order must end with exactly one Transfer
//! per seller of its subtotal less the fee, tied to its charge; no unpaid order with any; each
//! seller's balance grows by exactly its transfers.
//!
//! `RELIABILITY_CHECKOUTS` sets how many (40 by default; `cargo xtask test --full` runs 250,
//! 125 of them marketplace orders).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use connect_checkout_core::{Currency, FeePolicy, Money};
use connect_checkout_e2e::{
    HOUSE_BLEND_PRICE, PLATFORM_FEE, RestartableFunction, SELLER, set_sandbox_faults,
    workspace_root,
};
use connect_checkout_function::stripe::retry::RetryPolicy;
use serde_json::{Value, json};
use stripe_sandbox::{RunningSandbox, Seed};
use tokio::sync::Mutex;

const SHOPPERS: usize = 8;

/// The usd sellers a marketplace order draws from, each with one price (and its unit amount).
const ORDER_SELLERS: [(&str, &str, i64); 3] = [
    (SELLER, HOUSE_BLEND_PRICE, 1200),
    ("acct_1HarborBakery001", "price_1HarborJam000001", 725),
    ("acct_1FernLoomTextile", "price_1FernTeaTowels001", 1800),
];

/// What the `n`-th shopper buys: one seller's cart for even `n`; for odd `n` a marketplace
/// order of all three sellers or (every other one) the last two, in varying quantities.
fn cart_of(n: usize) -> Vec<(&'static str, &'static str, u32)> {
    if n.is_multiple_of(2) {
        return vec![(SELLER, HOUSE_BLEND_PRICE, 1)];
    }
    let sellers = if n % 4 == 1 {
        &ORDER_SELLERS[..]
    } else {
        &ORDER_SELLERS[1..]
    };
    sellers
        .iter()
        .enumerate()
        .map(|(i, (seller, price, _))| (*seller, *price, 1 + ((n + i) % 3) as u32))
        .collect()
}

/// Each seller's expected Transfer for `cart`: its subtotal less the platform's fee on it.
fn expected_transfers(cart: &[(&str, &str, u32)]) -> Vec<(String, i64)> {
    let fee: FeePolicy = PLATFORM_FEE.parse().unwrap();
    let usd = Currency::new("usd").unwrap();
    cart.iter()
        .map(|(seller, price, quantity)| {
            let unit = ORDER_SELLERS.iter().find(|(_, p, _)| p == price).unwrap().2;
            let subtotal = Money::new(unit * i64::from(*quantity), usd.clone());
            let net = subtotal.amount - fee.fee_on(&subtotal).amount;
            ((*seller).to_owned(), net)
        })
        .collect()
}

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
    cart: &[(&str, &str, u32)],
) -> Outcome {
    let marketplace = cart.len() > 1;
    let body = if marketplace {
        let items: Vec<Value> = cart
            .iter()
            .map(|(seller, price, quantity)| json!({"seller": seller, "price": price, "quantity": quantity}))
            .collect();
        json!({"items": items, "attempt": attempt})
    } else {
        let (seller, price, quantity) = cart[0];
        json!({"seller": seller, "items": [{"price": price, "quantity": quantity}], "attempt": attempt})
    };
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
    // A marketplace order's PaymentIntent is the platform's: Stripe.js has no stripeAccount.
    let on_account: Vec<(&str, &str)> = session["stripe_account"]
        .as_str()
        .map(|account| ("_stripe_account", account))
        .into_iter()
        .collect();
    let mut form = vec![
        ("payment_method", "pm_card_visa"),
        ("client_secret", secret.as_str()),
        ("key", sandbox.publishable_key()),
        ("return_url", "https://shop.test/return"),
    ];
    form.extend(on_account.iter().copied());
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
                    ])
                    .query(&on_account)
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

/// Every object in a list, following `has_more`, on `account` (the platform's own when `None`).
async fn list_all(
    http: &reqwest::Client,
    sandbox: &RunningSandbox,
    path: &str,
    account: Option<&str>,
) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let mut query = vec![("limit".to_owned(), "100".to_owned())];
        if let Some(last) = all.last() {
            query.push((
                "starting_after".into(),
                last["id"].as_str().unwrap().to_owned(),
            ));
        }
        let mut request = http
            .get(format!("{}{path}", sandbox.base_url()))
            .bearer_auth(sandbox.secret_key())
            .query(&query);
        if let Some(account) = account {
            request = request.header("Stripe-Account", account);
        }
        let page = request.send().await.unwrap();
        let page = json_of(page).await;
        all.extend(page["data"].as_array().cloned().unwrap_or_default());
        if page["has_more"] != true {
            return all;
        }
    }
}

/// What the shopper's widget does once a marketplace order is paid: asks the function for the
/// sellers' transfers, retrying like any call; the webhooks do the same, so giving up is fine.
async fn ask_for_transfers(http: &reqwest::Client, function: &str, intent: &str) -> bool {
    for try_number in 0..6 {
        let answer = http
            .post(format!("{function}/api/checkout/{intent}/transfers"))
            .send()
            .await;
        if answer.is_ok_and(|answer| answer.status().is_success()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100 * (1 << try_number.min(4)))).await;
    }
    false
}

async fn sandbox_admin(
    http: &reqwest::Client,
    sandbox: &RunningSandbox,
    path: &str,
    body: Value,
) -> Value {
    let response = http
        .post(format!("{}{path}", sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    json_of(response).await
}

/// What `account` holds in usd, available and pending.
async fn usd_held(http: &reqwest::Client, sandbox: &RunningSandbox, account: &str) -> i64 {
    let balance = http
        .get(format!("{}/v1/balance", sandbox.base_url()))
        .bearer_auth(sandbox.secret_key())
        .header("Stripe-Account", account)
        .send()
        .await
        .unwrap();
    let balance = json_of(balance).await;
    ["available", "pending"]
        .iter()
        .flat_map(|kind| balance[kind].as_array().cloned().unwrap_or_default())
        .filter(|entry| entry["currency"] == "usd")
        .map(|entry| entry["amount"].as_i64().unwrap_or_default())
        .sum()
}

/// Waits (a minute at most) until the sandbox has no webhook delivery left to send.
async fn wait_for_deliveries(http: &reqwest::Client, sandbox: &RunningSandbox) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        let mut unfinished = 0;
        for status in ["pending", "sending"] {
            let listed = http
                .get(format!(
                    "{}/_sandbox/webhook_deliveries",
                    sandbox.base_url()
                ))
                .query(&[("status", status)])
                .send()
                .await
                .unwrap();
            unfinished += json_of(listed).await["data"].as_array().map_or(0, Vec::len);
        }
        if unfinished == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_checkout_ends_once_under_faults_and_a_restart() {
    let checkouts: usize = std::env::var("RELIABILITY_CHECKOUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    // The endpoints' URL is the function's, known once it runs: set below.
    let seed = Seed::default().with_local_webhooks("http://127.0.0.1:9/api/webhooks");
    let sandbox = Arc::new(stripe_sandbox::spawn(listener, seed).await.unwrap());
    let retry = RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        budget: Duration::from_secs(5),
        attempt_timeout: Duration::from_secs(3),
    };
    let function = Arc::new(Mutex::new(RestartableFunction::start(
        &sandbox,
        &[(
            "STRIPE_WEBHOOK_SECRETS",
            stripe_sandbox::LOCAL_WEBHOOK_SECRET,
        )],
        Some(retry),
    )));
    let url = function.lock().await.url.clone();
    let http = reqwest::Client::new();
    for endpoint in ["we_1SandboxLocalAccount", "we_1SandboxLocalConnect"] {
        let updated = http
            .post(format!(
                "{}/v1/webhook_endpoints/{endpoint}",
                sandbox.base_url()
            ))
            .bearer_auth(sandbox.secret_key())
            .form(&[("url", format!("{url}/api/webhooks"))])
            .send()
            .await
            .unwrap();
        assert!(updated.status().is_success(), "{}", json_of(updated).await);
    }
    // Stripe retries a failed delivery for days; here within seconds, the function's restart
    // included.
    sandbox_admin(
        &http,
        &sandbox,
        "/_sandbox/webhook_settings",
        json!({"retry_schedule_ms": [100, 300, 1000, 2000, 4000, 8000], "timeout_ms": 3000}),
    )
    .await;
    let mut held_before = HashMap::new();
    for (seller, _, _) in ORDER_SELLERS {
        held_before.insert(seller, usd_held(&http, &sandbox, seller).await);
    }
    let faults = json!({
        "random_seed": 20261129,
        "rules": [
            {"fault": "rate_limit", "share": 0.08},
            {"fault": "lock_timeout", "share": 0.04, "path_prefix": "/v1/payment_intents"},
            {"fault": "service_unavailable", "share": 0.04},
            {"fault": "server_error", "when": "after", "share": 0.03, "path_prefix": "/v1/payment_intents", "method": "POST"},
            {"fault": "server_error", "when": "after", "share": 0.05, "path_prefix": "/v1/transfers", "method": "POST"},
            {"fault": "drop_connection", "when": "after", "share": 0.04},
            {"fault": "latency", "latency_ms": 40, "share": 0.2},
        ],
    });
    set_sandbox_faults(&sandbox, faults.clone()).await;

    let attempts: Vec<String> = (0..checkouts)
        .map(|n| connect_checkout_e2e::attempt_id(0x7265_6c69_6162_6c65, n as u64))
        .collect();
    let queue: Arc<Mutex<Vec<(usize, String)>>> =
        Arc::new(Mutex::new(attempts.iter().cloned().enumerate().collect()));
    let outcomes: Arc<Mutex<HashMap<String, Outcome>>> = Arc::default();
    let widget_settled = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut shoppers = Vec::new();
    for _ in 0..SHOPPERS {
        let (queue, outcomes, done, widget_settled, sandbox, url) = (
            queue.clone(),
            outcomes.clone(),
            done.clone(),
            widget_settled.clone(),
            sandbox.clone(),
            url.clone(),
        );
        shoppers.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(8))
                .build()
                .unwrap();
            loop {
                let Some((n, attempt)) = queue.lock().await.pop() else {
                    return;
                };
                let cart = cart_of(n);
                let outcome = check_out(&http, &url, &sandbox, &attempt, &cart).await;
                // The three-seller orders' widgets also ask for the transfers; the two-seller
                // ones leave them to the webhooks alone.
                if let Outcome::Paid(intent) = &outcome
                    && cart.len() == 3
                    && ask_for_transfers(&http, &url, intent).await
                {
                    widget_settled.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
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

    // The webhooks' retries finish settling, then every payment's deliveries come again,
    // newest last turned first: duplicates, out of order.
    let orders: Vec<(usize, &String)> = attempts
        .iter()
        .enumerate()
        .filter(|(n, _)| cart_of(*n).len() > 1)
        .collect();
    wait_for_deliveries(&http, &sandbox).await;
    let mut replayed = 0;
    for kind in ["charge.succeeded", "payment_intent.succeeded"] {
        let deliveries = json_of(
            http.get(format!(
                "{}/_sandbox/webhook_deliveries",
                sandbox.base_url()
            ))
            .query(&[("type", kind), ("endpoint", "we_1SandboxLocalAccount")])
            .send()
            .await
            .unwrap(),
        )
        .await;
        // Newest first already: sent again in that order, the events arrive reversed.
        for delivery in deliveries["data"].as_array().cloned().unwrap_or_default() {
            let id = delivery["id"].as_str().unwrap();
            sandbox_admin(
                &http,
                &sandbox,
                &format!("/_sandbox/webhook_deliveries/{id}/retry"),
                json!({}),
            )
            .await;
            replayed += 1;
        }
    }

    wait_for_deliveries(&http, &sandbox).await;

    let mut intents = list_all(&http, &sandbox, "/v1/payment_intents", Some(SELLER)).await;
    intents.extend(list_all(&http, &sandbox, "/v1/payment_intents", None).await);
    let mut charges = list_all(&http, &sandbox, "/v1/charges", Some(SELLER)).await;
    charges.extend(list_all(&http, &sandbox, "/v1/charges", None).await);
    let transfers = list_all(&http, &sandbox, "/v1/transfers", None).await;
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
        // A transfer's payment on the seller's side (`py_…`) has a `source_transfer` instead.
        .filter(|charge| charge["source_transfer"].is_null())
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

    // Each paid order: one Transfer per seller, of exactly its share, from the order's charge.
    let mut orders_paid = 0;
    let mut wrong_transfers = Vec::new();
    let mut expected_per_seller: HashMap<String, i64> = HashMap::new();
    for (n, attempt) in &orders {
        let group = format!("order_{attempt}");
        let made: Vec<&Value> = transfers
            .iter()
            .filter(|transfer| transfer["transfer_group"] == group.as_str())
            .collect();
        let Some(Outcome::Paid(intent_id)) = outcomes.get(attempt.as_str()) else {
            if !made.is_empty() {
                wrong_transfers.push(format!("{attempt}: transfers for an unpaid order"));
            }
            continue;
        };
        orders_paid += 1;
        let intent = intents.iter().find(|pi| pi["id"] == intent_id.as_str());
        let charge = intent
            .map(|pi| pi["latest_charge"].clone())
            .unwrap_or(Value::Null);
        let expected = expected_transfers(&cart_of(*n));
        if made.len() != expected.len() {
            wrong_transfers.push(format!(
                "{attempt}: {} transfers for {} sellers",
                made.len(),
                expected.len()
            ));
        }
        for (seller, net) in expected {
            *expected_per_seller.entry(seller.clone()).or_default() += net;
            let to_seller: Vec<&&Value> = made
                .iter()
                .filter(|transfer| transfer["destination"] == seller.as_str())
                .collect();
            let exact = matches!(to_seller.as_slice(), [only]
                if only["amount"] == net
                    && only["source_transaction"] == charge
                    && only["metadata"]["payment_intent"] == intent_id.as_str());
            if !exact {
                wrong_transfers.push(format!("{attempt}: {seller} expected {net}: {to_seller:?}"));
            }
        }
    }
    let unknown_transfers: Vec<&Value> = transfers
        .iter()
        .filter(|transfer| {
            !orders
                .iter()
                .any(|(_, attempt)| transfer["transfer_group"] == format!("order_{attempt}"))
        })
        .collect();
    // Harbor's and Fern & Loom's money comes from transfers alone; Lumen also takes direct
    // charges, so its transfers are checked by sum.
    let mut balances_off = Vec::new();
    for (seller, _, _) in ORDER_SELLERS {
        let expected = expected_per_seller.get(seller).copied().unwrap_or_default();
        let transferred: i64 = transfers
            .iter()
            .filter(|transfer| transfer["destination"] == seller)
            .map(|transfer| transfer["amount"].as_i64().unwrap_or_default())
            .sum();
        let grew = usd_held(&http, &sandbox, seller).await - held_before[seller];
        if transferred != expected || (seller != SELLER && grew != expected) {
            balances_off.push(format!(
                "{seller}: expected {expected}, transferred {transferred}, balance grew {grew}"
            ));
        }
    }

    let report = json!({
        "checkouts": checkouts,
        "marketplace_orders": orders.len(),
        "marketplace_orders_paid": orders_paid,
        "orders_settled_by_the_widget": widget_settled.load(std::sync::atomic::Ordering::SeqCst),
        "webhook_deliveries_replayed": replayed,
        "transfers": transfers.len(),
        "orders_with_wrong_transfers": wrong_transfers.len(),
        "transfers_outside_an_order": unknown_transfers.len(),
        "sellers_paid_wrong": balances_off.len(),
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
        wrong_transfers.is_empty(),
        "orders whose sellers were not paid exactly once: {wrong_transfers:#?}"
    );
    assert!(
        unknown_transfers.is_empty(),
        "transfers outside any order: {unknown_transfers:#?}"
    );
    assert!(
        balances_off.is_empty(),
        "sellers paid more or less than their shares: {balances_off:#?}"
    );
    assert!(orders_paid > 0, "some marketplace orders were paid");
    assert!(
        paid * 10 >= checkouts * 9,
        "at least 90 % get through these fault rates: {told:#?}"
    );
}
