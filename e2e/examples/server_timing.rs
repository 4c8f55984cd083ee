//! The latency the function adds over Stripe, for `cargo xtask bench`. Prints one JSON object.
//!
//! ```text
//! cargo run -p connect-checkout-e2e --example server_timing -- \
//!     --function http://127.0.0.1:8080 --sandbox http://127.0.0.1:12111 --secret-key sk_test_… \
//!     [--clients 16] [--seconds 5] [--function-only]
//! ```
//!
//! Two measurements, one after the other, each with `--clients` keep-alive HTTP/1.1 clients:
//!
//! 1. `function`: `POST /api/checkout` of one House Blend, a new attempt id each time. Every
//!    answer's `Server-Timing` (`stripe;dur=…, app;dur=…`) splits its time into waiting on
//!    Stripe and the function's own (`app`: routing, layers, JSON, pricing, logging); the
//!    client also times the whole request.
//! 2. `direct`: the same Stripe calls the function makes for that checkout, made by the
//!    client itself against the sandbox (`GET /v1/accounts/{seller}`, `GET /v1/prices/{price}`
//!    with the product expanded, `POST /v1/payment_intents` with an Idempotency-Key), timed as
//!    one sequence.
//!
//! `function.total - direct.total` is what a browser waits for beyond Stripe: the function's
//! own time plus one more loopback hop.
//!
//! `--function-only` skips the second measurement (`direct` is then `null`): for measuring
//! the function's CPU while the sandbox sends it webhooks, which the second measurement's
//! PaymentIntents would add to without a checkout of the function's to count them against.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use connect_checkout_e2e::{HOUSE_BLEND_PRICE, SELLER};
use serde_json::{Value, json};

struct Options {
    function: String,
    sandbox: String,
    secret_key: String,
    clients: usize,
    seconds: f64,
    function_only: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        function: String::new(),
        sandbox: String::new(),
        secret_key: String::new(),
        clients: 16,
        seconds: 5.0,
        function_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--function-only" {
            options.function_only = true;
            continue;
        }
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--function" => options.function = value()?,
            "--sandbox" => options.sandbox = value()?,
            "--secret-key" => options.secret_key = value()?,
            "--clients" => {
                options.clients = value()?.parse().map_err(|_| "--clients: a whole number")?;
            }
            "--seconds" => {
                options.seconds = value()?.parse().map_err(|_| "--seconds: a number")?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if options.function.is_empty() || options.sandbox.is_empty() || options.secret_key.is_empty() {
        return Err("--function, --sandbox and --secret-key are required".into());
    }
    if options.clients == 0 || options.seconds.is_nan() || options.seconds <= 0.0 {
        return Err("--clients and --seconds must be positive".into());
    }
    Ok(options)
}

/// One request's times, in milliseconds.
#[derive(Default, Clone, Copy)]
struct Sample {
    total: f64,
    stripe: f64,
    app: f64,
}

/// `stripe;dur=1.234, app;dur=0.056` → (1.234, 0.056).
fn server_timing(header: &str) -> Option<(f64, f64)> {
    let mut stripe = None;
    let mut app = None;
    for metric in header.split(',') {
        let mut parts = metric.trim().split(';');
        let name = parts.next()?.trim();
        let duration = parts
            .find_map(|part| part.trim().strip_prefix("dur="))
            .and_then(|dur| dur.parse::<f64>().ok());
        match name {
            "stripe" => stripe = duration,
            "app" => app = duration,
            _ => {}
        }
    }
    Some((stripe?, app?))
}

fn attempt(client: usize, n: usize) -> String {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // A fresh series per run and per client: attempts never repeat across runs.
    connect_checkout_e2e::attempt_id(nonce as u64 ^ ((client as u64) << 48), n as u64)
}

async fn function_client(
    http: reqwest::Client,
    url: String,
    client: usize,
    deadline: Instant,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut n = 0;
    while Instant::now() < deadline {
        n += 1;
        let body = json!({
            "seller": SELLER,
            "items": [{"price": HOUSE_BLEND_PRICE, "quantity": 1}],
            "attempt": attempt(client, n),
        });
        let started = Instant::now();
        let response = http.post(&url).json(&body).send().await.unwrap();
        let status = response.status();
        let header = response
            .headers()
            .get("server-timing")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap();
        let total = started.elapsed().as_secs_f64() * 1000.0;
        assert!(status.is_success(), "POST /api/checkout: {status} {text}");
        let (stripe, app) = header
            .as_deref()
            .and_then(server_timing)
            .expect("a Server-Timing header with stripe and app");
        samples.push(Sample { total, stripe, app });
    }
    samples
}

async fn direct_client(
    http: reqwest::Client,
    base: String,
    key: String,
    client: usize,
    deadline: Instant,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut n = 0;
    while Instant::now() < deadline {
        n += 1;
        let started = Instant::now();
        for path in [
            format!("/v1/accounts/{SELLER}"),
            format!("/v1/prices/{HOUSE_BLEND_PRICE}?expand%5B%5D=product"),
        ] {
            let response = http
                .get(format!("{base}{path}"))
                .bearer_auth(&key)
                .header("Stripe-Account", SELLER)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "GET {path}");
            let _: Value = response.json().await.unwrap();
        }
        let response = http
            .post(format!("{base}/v1/payment_intents"))
            .bearer_auth(&key)
            .header("Stripe-Account", SELLER)
            .header("Idempotency-Key", format!("cc-{}", attempt(client, n)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                "amount=1200&currency=usd&automatic_payment_methods%5Benabled%5D=true\
                 &description=1+%C3%97+House+Blend&application_fee_amount=60",
            )
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "POST /v1/payment_intents");
        let _: Value = response.json().await.unwrap();
        let total = started.elapsed().as_secs_f64() * 1000.0;
        samples.push(Sample {
            total,
            ..Sample::default()
        });
    }
    samples
}

/// The `p`th percentile (0–100) by the nearest-rank method.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(values: impl Iterator<Item = f64>) -> Value {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    json!({
        "p50": percentile(&values, 50.0),
        "p90": percentile(&values, 90.0),
        "p99": percentile(&values, 99.0),
        "max": values.last().copied().unwrap_or(f64::NAN),
    })
}

async fn run_clients<F, Fut>(clients: usize, seconds: f64, make: F) -> (Vec<Sample>, f64)
where
    F: Fn(reqwest::Client, usize, Instant) -> Fut,
    Fut: std::future::Future<Output = Vec<Sample>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            // One connection per client, kept alive, as a browser or an SDK keeps it.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            tokio::spawn(make(http, client, deadline))
        })
        .collect();
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await.unwrap());
    }
    (samples, started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("server_timing: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // reqwest's rustls needs the process-wide crypto provider the function installs for itself.
    connect_checkout_function::stripe::install_crypto_provider();
    let url = format!("{}/api/checkout", options.function.trim_end_matches('/'));
    let (function, function_seconds) = run_clients(
        options.clients,
        options.seconds,
        |http, client, deadline| function_client(http, url.clone(), client, deadline),
    )
    .await;
    let base = options.sandbox.trim_end_matches('/').to_owned();
    let key = options.secret_key.clone();
    let direct = if options.function_only {
        None
    } else {
        Some(
            run_clients(
                options.clients,
                options.seconds,
                |http, client, deadline| {
                    direct_client(http, base.clone(), key.clone(), client, deadline)
                },
            )
            .await,
        )
    };
    println!(
        "{}",
        json!({
            "clients": options.clients,
            "function": {
                "requests": function.len(),
                "requests_per_second": function.len() as f64 / function_seconds,
                "total_ms": summary(function.iter().map(|s| s.total)),
                "stripe_ms": summary(function.iter().map(|s| s.stripe)),
                "app_ms": summary(function.iter().map(|s| s.app)),
            },
            "direct": direct.map(|(direct, seconds)| json!({
                "requests": direct.len(),
                "requests_per_second": direct.len() as f64 / seconds,
                "total_ms": summary(direct.iter().map(|s| s.total)),
            })),
        })
    );
    std::process::ExitCode::SUCCESS
}
