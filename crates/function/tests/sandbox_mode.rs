//! Sandbox mode: with no keys set, the local entry point finds the sandbox and its keys.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connect_checkout_core::api::Mode;
use connect_checkout_function::sandbox_mode;
use stripe_sandbox::Seed;

#[tokio::test]
async fn with_no_keys_the_function_takes_the_sandboxs_keys_and_says_sandbox() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = stripe_sandbox::spawn(listener, Seed::default())
        .await
        .unwrap();
    let base = sandbox.base_url();
    let env = move |name: &str| (name == "STRIPE_API_BASE").then(|| base.clone());
    let config = sandbox_mode::config(&env).await.unwrap();
    assert_eq!(config.mode, Mode::Sandbox);
    assert_eq!(config.publishable_key.as_str(), sandbox.publishable_key());
    assert_eq!(config.stripe_js_url, format!("{}/v3/", sandbox.base_url()));
    assert!(config.secret_key.fingerprint().starts_with("sk_test_…"));
}

#[tokio::test]
async fn a_sandbox_with_a_webhook_endpoint_gives_the_function_its_signing_secret() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let seed = Seed::default().with_local_webhooks("http://127.0.0.1:8080/api/webhooks");
    let sandbox = stripe_sandbox::spawn(listener, seed).await.unwrap();
    let base = sandbox.base_url();
    let env = move |name: &str| (name == "STRIPE_API_BASE").then(|| base.clone());
    let config = sandbox_mode::config(&env).await.unwrap();
    let expected =
        connect_checkout_function::keys::fingerprint(stripe_sandbox::LOCAL_WEBHOOK_SECRET);
    let configured: Vec<String> = config
        .webhook_secrets
        .iter()
        .map(|s| s.fingerprint())
        .collect();
    assert_eq!(configured, [expected]);
}
