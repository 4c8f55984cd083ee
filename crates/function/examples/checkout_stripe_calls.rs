//! The bench's count of the Stripe calls one checkout makes: 1 line and 50 lines, with the
//! seller's catalog not yet cached (cold) and cached (warm), against the sandbox in process.
//!
//! `checkout_stripe_calls` prints one JSON object:
//! `{"cold_1": …, "warm_1": …, "cold_50": …, "warm_50": …}`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use connect_checkout_core::api::Mode;
use connect_checkout_function::config::Config;
use connect_checkout_function::{AppState, app};
use serde_json::json;
use stripe_sandbox::{Seed, SeedPrice, SeedProduct};
use tower::ServiceExt;

const SELLER: &str = "acct_1LumenCoffee0001";
const LINES: usize = 50;

fn price(n: usize) -> String {
    format!("price_1BenchLine{n:04}")
}

/// The default seed, with a product per line of the largest cart on the bench's seller.
fn seed() -> Result<Seed, String> {
    let mut seed = Seed::default();
    let seller = seed
        .accounts
        .iter_mut()
        .find(|account| account.id == SELLER)
        .ok_or("the default seed has no Lumen Coffee")?;
    for n in 0..LINES {
        seller.products.push(SeedProduct {
            id: format!("prod_1BenchLine{n:04}"),
            name: format!("Bench line {n}"),
            description: None,
            active: true,
            prices: vec![SeedPrice {
                id: price(n),
                unit_amount: 100,
                currency: "usd".into(),
                active: true,
            }],
            created: None,
        });
    }
    Ok(seed)
}

/// A fresh function (an empty catalog cache) on the sandbox at `base_url`.
fn function(sandbox: &stripe_sandbox::RunningSandbox) -> Result<AppState, String> {
    let base = sandbox.base_url();
    let secret = sandbox.secret_key().to_owned();
    let publishable = sandbox.publishable_key().to_owned();
    let env = move |name: &str| match name {
        "STRIPE_SECRET_KEY" => Some(secret.clone()),
        "STRIPE_PUBLISHABLE_KEY" => Some(publishable.clone()),
        "STRIPE_API_BASE" => Some(base.clone()),
        _ => None,
    };
    let mut config = Config::from_env(&env).map_err(|error| error.to_string())?;
    config.mode = Mode::Sandbox;
    Ok(AppState::new(config))
}

/// The Stripe requests one checkout of the first `lines` prices sent.
async fn calls(state: &AppState, lines: usize, attempt: u64) -> Result<u64, String> {
    let items: Vec<_> = (0..lines)
        .map(|n| json!({"price": price(n), "quantity": 1}))
        .collect();
    // 32 hex digits that pass the function's check for unguessable attempt ids.
    let attempt = format!(
        "{:016x}{:016x}",
        attempt.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        (attempt ^ 0x5bd1_e995).wrapping_mul(0xBF58_476D_1CE4_E5B9)
    );
    let body = json!({"seller": SELLER, "items": items, "attempt": attempt});
    let request = Request::post("/api/checkout")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .map_err(|error| error.to_string())?;
    let before = state.stripe.requests_sent();
    let response = app(state.clone())
        .oneshot(request)
        .await
        .map_err(|error| error.to_string())?;
    if response.status() != StatusCode::OK {
        return Err(format!(
            "a checkout of {lines} lines: {}",
            response.status()
        ));
    }
    Ok(state.stripe.requests_sent() - before)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| error.to_string())?;
    let sandbox = stripe_sandbox::spawn(listener, seed()?)
        .await
        .map_err(|error| error.to_string())?;
    let mut figures = serde_json::Map::new();
    for (lines, attempt) in [(1, 1_u64), (LINES, 3)] {
        let state = function(&sandbox)?;
        let cold = calls(&state, lines, attempt).await?;
        let warm = calls(&state, lines, attempt + 1).await?;
        figures.insert(format!("cold_{lines}"), cold.into());
        figures.insert(format!("warm_{lines}"), warm.into());
    }
    println!("{}", serde_json::Value::Object(figures));
    Ok(())
}
