//! PaymentIntent throughput on loopback: how many "create, then confirm with a test card"
//! pairs per second the sandbox serves, with keep-alive HTTP/1.1 clients as the SDKs use.
//! Prints one JSON object, for `cargo xtask bench` to collect.
//!
//! ```text
//! cargo run --release -p stripe-sandbox --example throughput -- [--seconds 5] [--concurrency 8]
//!                                                                [--base-url http://127.0.0.1:12111]
//! ```
//!
//! Without `--base-url` it starts a sandbox of its own on a free port (the number then
//! includes nothing but the sandbox and the client, on one machine). Every pair is a direct
//! charge with an application fee on the seeded seller, as the checkout makes them.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Options {
    seconds: f64,
    concurrency: usize,
    base_url: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        seconds: 5.0,
        concurrency: 8,
        base_url: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                o.seconds = value("--seconds")?
                    .parse()
                    .map_err(|_| "--seconds: a number".to_owned())?;
            }
            "--concurrency" => {
                o.concurrency = value("--concurrency")?
                    .parse()
                    .map_err(|_| "--concurrency: a whole number".to_owned())?;
            }
            "--base-url" => o.base_url = Some(value("--base-url")?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.concurrency == 0 || o.seconds.is_nan() || o.seconds <= 0.0 {
        return Err("--concurrency and --seconds must be positive".to_owned());
    }
    Ok(o)
}

/// One client's loop: pairs until the deadline; returns each pair's latency.
async fn worker(
    client: reqwest::Client,
    base: String,
    key: String,
    deadline: Instant,
) -> Result<Vec<Duration>, String> {
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let started = Instant::now();
        let created = client
            .post(format!("{base}/v1/payment_intents"))
            .bearer_auth(&key)
            .header("Stripe-Account", stripe_sandbox_seller())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("amount=2400&currency=usd&application_fee_amount=240&payment_method_types[]=card")
            .send()
            .await
            .map_err(|e| format!("create: {e}"))?;
        if !created.status().is_success() {
            return Err(format!("create answered {}", created.status()));
        }
        let pi: Value = created.json().await.map_err(|e| e.to_string())?;
        let id = pi["id"].as_str().unwrap_or_default();
        let confirmed = client
            .post(format!("{base}/v1/payment_intents/{id}/confirm"))
            .bearer_auth(&key)
            .header("Stripe-Account", stripe_sandbox_seller())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("payment_method=pm_card_visa")
            .send()
            .await
            .map_err(|e| format!("confirm: {e}"))?;
        if !confirmed.status().is_success() {
            return Err(format!("confirm answered {}", confirmed.status()));
        }
        // Read the body: a client that drops it would measure less than the SDKs wait for.
        confirmed.bytes().await.map_err(|e| e.to_string())?;
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

fn stripe_sandbox_seller() -> &'static str {
    "acct_1LumenCoffee0001"
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("throughput: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut own = None;
    let (base, key) = match &o.base_url {
        Some(url) => (
            url.trim_end_matches('/').to_owned(),
            stripe_sandbox::PLATFORM_SECRET_KEY.to_owned(),
        ),
        None => {
            let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("throughput: cannot listen: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            let sandbox =
                match stripe_sandbox::spawn(listener, stripe_sandbox::Seed::default()).await {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("throughput: {e}");
                        return std::process::ExitCode::FAILURE;
                    }
                };
            let pair = (sandbox.base_url(), sandbox.secret_key().to_owned());
            own = Some(sandbox);
            pair
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency)
        .build()
        .unwrap_or_default();
    // Warm up (connections, allocator) for a moment before measuring.
    let warmup = Instant::now() + Duration::from_millis(300);
    let _ = worker(client.clone(), base.clone(), key.clone(), warmup).await;

    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(o.seconds);
    let tasks: Vec<_> = (0..o.concurrency)
        .map(|_| tokio::spawn(worker(client.clone(), base.clone(), key.clone(), deadline)))
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Ok(mut l)) => latencies.append(&mut l),
            Ok(Err(e)) => {
                eprintln!("throughput: {e}");
                return std::process::ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("throughput: a client failed: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pairs = latencies.len();
    let report = json!({
        "benchmark": "stripe_sandbox_payment_intent_create_confirm",
        "unit": "pairs_per_second",
        "value": (pairs as f64 / elapsed * 10.0).round() / 10.0,
        "pairs": pairs,
        "requests_per_second": (2.0 * pairs as f64 / elapsed * 10.0).round() / 10.0,
        "seconds": (elapsed * 1000.0).round() / 1000.0,
        "concurrency": o.concurrency,
        "pair_latency_ms": {
            "p50": (percentile(&latencies, 0.50) * 100.0).round() / 100.0,
            "p99": (percentile(&latencies, 0.99) * 100.0).round() / 100.0,
            "max": (percentile(&latencies, 1.0) * 100.0).round() / 100.0,
        },
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "target": if o.base_url.is_some() { "external" } else { "in_process" },
    });
    println!("{report}");
    if let Some(sandbox) = own {
        sandbox.shutdown().await;
    }
    std::process::ExitCode::SUCCESS
}
