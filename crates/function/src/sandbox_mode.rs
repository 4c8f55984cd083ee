//! Sandbox mode: with no keys configured, the local entry point asks the built-in Stripe
//! sandbox for its platform keys, so `cargo xtask dev` runs with no Stripe account at all.

use std::time::Duration;

use connect_checkout_core::api::Mode;
use serde::Deserialize;

use crate::config::{Config, ConfigError, Env};

/// Where `cargo xtask dev` starts the sandbox.
pub const DEFAULT_SANDBOX_URL: &str = "http://127.0.0.1:12111";

#[derive(Deserialize)]
struct SandboxKeys {
    secret_key: String,
    publishable_key: String,
    /// Present when the sandbox was started with a webhook endpoint for this function.
    webhook_secret: Option<String>,
}

/// Why sandbox mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxModeError {
    #[error(
        "no STRIPE_SECRET_KEY is set, so the function looked for the Stripe sandbox at {url} \
         and found none ({detail}). Start it with `cargo run -p stripe-sandbox`, or run \
         everything with `cargo xtask dev`, or set STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY \
         to use Stripe itself"
    )]
    Unreachable { url: String, detail: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// The configuration for the sandbox at `STRIPE_API_BASE` (default [`DEFAULT_SANDBOX_URL`]),
/// with its keys, and everything else from `env`.
pub async fn config(env: &dyn Env) -> Result<Config, SandboxModeError> {
    let url = env
        .var("STRIPE_API_BASE")
        .unwrap_or_else(|| DEFAULT_SANDBOX_URL.to_owned());
    let url = url.trim_end_matches('/').to_owned();
    let keys = fetch_keys(&url)
        .await
        .map_err(|detail| SandboxModeError::Unreachable {
            url: url.clone(),
            detail,
        })?;
    let js_url = env
        .var("STRIPE_JS_URL")
        .unwrap_or_else(|| format!("{url}/v3/"));
    let overlay = |name: &str| match name {
        "STRIPE_SECRET_KEY" => Some(keys.secret_key.clone()),
        "STRIPE_PUBLISHABLE_KEY" => Some(keys.publishable_key.clone()),
        "STRIPE_API_BASE" => Some(url.clone()),
        "STRIPE_JS_URL" => Some(js_url.clone()),
        "STRIPE_WEBHOOK_SECRETS" => env.var(name).or_else(|| keys.webhook_secret.clone()),
        other => env.var(other),
    };
    let mut config = Config::from_env(&overlay)?;
    config.mode = Mode::Sandbox;
    Ok(config)
}

async fn fetch_keys(url: &str) -> Result<SandboxKeys, String> {
    crate::stripe::install_crypto_provider();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|error| error.to_string())?;
    let mut last_error = String::new();
    // The sandbox may still be starting when both are launched together.
    for _ in 0..50 {
        match client.get(format!("{url}/_sandbox/keys")).send().await {
            Ok(response) if response.status().is_success() => {
                let body = response.bytes().await.map_err(|error| error.to_string())?;
                return serde_json::from_slice(&body).map_err(|error| error.to_string());
            }
            Ok(response) => return Err(format!("it answered {}", response.status())),
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_a_sandbox_the_message_says_how_to_start_one() {
        // Port 9 (discard) is closed on loopback.
        let env = |name: &str| (name == "STRIPE_API_BASE").then(|| "http://127.0.0.1:9".to_owned());
        let error = config(&env).await.unwrap_err().to_string();
        assert!(error.contains("cargo xtask dev"), "{error}");
        assert!(error.contains("STRIPE_SECRET_KEY"), "{error}");
    }
}
