//! `doctor` against the sandbox: each problem a platform developer hits is named, with its fix.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connect_checkout_function::AppState;
use connect_checkout_function::doctor::{Report, Verdict, diagnose};
use connect_checkout_function::stripe::{IdempotencyKey, Params};
use serde_json::Value;
use support::harness;

mod support;

async fn run(state: &AppState, url: Option<&str>, clock_offset: i64) -> Report {
    diagnose(
        &state.config,
        &state.stripe,
        url,
        state.now() + clock_offset,
    )
    .await
}

fn check<'a>(report: &'a Report, name: &str) -> &'a connect_checkout_function::doctor::Check {
    report
        .checks
        .iter()
        .find(|check| check.name == name)
        .unwrap_or_else(|| panic!("no `{name}` check in:\n{}", report.render()))
}

#[tokio::test]
async fn a_working_platform_key_names_its_account_and_every_seller() {
    let h = harness(&[]).await;
    let report = run(&h.state, None, 0).await;
    let secret = check(&report, "secret key");
    assert_eq!(secret.verdict, Verdict::Pass, "{}", report.render());
    assert!(secret.detail.contains("acct_"), "{}", secret.detail);
    assert_eq!(
        check(&report, "seller acct_1LumenCoffee0001").verdict,
        Verdict::Pass
    );
    let pending = check(&report, "seller acct_1NewSellerPend01");
    assert_eq!(pending.verdict, Verdict::Warn);
    assert!(pending.detail.contains("due now"), "{}", pending.detail);
    assert_eq!(check(&report, "clock").verdict, Verdict::Pass);
    assert_eq!(
        check(&report, "publishable key").verdict,
        Verdict::Pass,
        "{}",
        report.render()
    );
}

#[tokio::test]
async fn an_unknown_secret_key_fails_with_its_fingerprint_and_the_fix() {
    let wrong = "sk_test_51ThisKeyWasNeverIssuedByTheSandbox9999";
    let h = harness(&[("STRIPE_SECRET_KEY", wrong)]).await;
    let report = run(&h.state, None, 0).await;
    let secret = check(&report, "secret key");
    assert_eq!(secret.verdict, Verdict::Fail);
    assert!(secret.detail.contains("sk_test_…9999"), "{}", secret.detail);
    assert!(
        !report.render().contains(wrong),
        "the key itself is never printed"
    );
    assert!(report.failed());
}

#[tokio::test]
async fn a_publishable_key_stripe_does_not_know_fails() {
    let h = harness(&[(
        "STRIPE_PUBLISHABLE_KEY",
        "pk_test_51SomeOtherPlatformEntirely00001",
    )])
    .await;
    let report = run(&h.state, None, 0).await;
    assert_eq!(
        check(&report, "publishable key").verdict,
        Verdict::Fail,
        "{}",
        report.render()
    );
}

#[tokio::test]
async fn a_missing_webhook_endpoint_is_reported_with_the_url_to_register() {
    let h = harness(&[]).await;
    let report = run(&h.state, Some("https://shop.example.com"), 0).await;
    let webhook = check(&report, "webhook endpoint");
    assert_eq!(webhook.verdict, Verdict::Fail, "{}", report.render());
    assert!(
        webhook
            .detail
            .contains("https://shop.example.com/api/webhooks")
    );
    assert!(
        webhook
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("account.updated")
    );
    assert_eq!(check(&report, "webhook secrets").verdict, Verdict::Fail);
}

const SHOP: &str = "https://shop.example.com";

/// Registers `SHOP`'s webhook endpoint in the sandbox, for connected accounts' events or the
/// platform's own.
async fn add_endpoint(state: &AppState, connect: bool, events: &[&str]) {
    let form = events.iter().enumerate().fold(
        Params::new()
            .set("url", format!("{SHOP}/api/webhooks"))
            .set("connect", connect),
        |form, (index, event)| form.set(format!("enabled_events[{index}]"), event),
    );
    let key = IdempotencyKey::derive("test-endpoint", &[&connect.to_string()]);
    let _: Value = state
        .stripe
        .post("/v1/webhook_endpoints", &form, None, &key)
        .await
        .unwrap();
}

const CONNECT_EVENTS: &[&str] = &[
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "account.updated",
    "charge.refunded",
];

#[tokio::test]
async fn a_connect_endpoint_alone_fails_because_marketplace_orders_are_paid_on_the_platform() {
    let h = harness(&[]).await;
    add_endpoint(&h.state, true, CONNECT_EVENTS).await;
    let report = run(&h.state, Some(SHOP), 0).await;
    assert_eq!(
        check(&report, "webhook endpoint").verdict,
        Verdict::Pass,
        "{}",
        report.render()
    );
    let platform = check(&report, "platform webhook endpoint");
    assert_eq!(platform.verdict, Verdict::Fail, "{}", report.render());
    let fix = platform.fix.as_deref().unwrap_or_default();
    assert!(
        fix.contains("payment_intent.succeeded") && fix.contains("charge.succeeded"),
        "{fix}"
    );
}

#[tokio::test]
async fn a_platform_endpoint_that_sends_an_orders_payment_passes() {
    let h = harness(&[]).await;
    add_endpoint(&h.state, true, CONNECT_EVENTS).await;
    add_endpoint(&h.state, false, &["charge.succeeded"]).await;
    let report = run(&h.state, Some(SHOP), 0).await;
    assert_eq!(check(&report, "webhook endpoint").verdict, Verdict::Pass);
    assert_eq!(
        check(&report, "platform webhook endpoint").verdict,
        Verdict::Pass,
        "{}",
        report.render()
    );
}

#[tokio::test]
async fn a_platform_endpoint_without_payment_events_fails() {
    let h = harness(&[]).await;
    add_endpoint(&h.state, true, CONNECT_EVENTS).await;
    add_endpoint(&h.state, false, &["payment_intent.payment_failed"]).await;
    let report = run(&h.state, Some(SHOP), 0).await;
    let platform = check(&report, "platform webhook endpoint");
    assert_eq!(platform.verdict, Verdict::Fail, "{}", report.render());
    assert!(
        platform.detail.contains("sends none of"),
        "{}",
        platform.detail
    );
}

#[tokio::test]
async fn a_clock_an_hour_off_fails_because_webhooks_would_be_refused() {
    let h = harness(&[]).await;
    let report = run(&h.state, None, 3600).await;
    let clock = check(&report, "clock");
    assert_eq!(clock.verdict, Verdict::Fail);
    assert!(clock.fix.as_deref().unwrap_or_default().contains("300 s"));
}

#[tokio::test]
async fn json_output_has_every_check() {
    let h = harness(&[]).await;
    let report = run(&h.state, None, 0).await;
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["checks"].as_array().unwrap().len(),
        report.checks.len()
    );
    assert!(json["checks"][0]["verdict"].is_string());
}
