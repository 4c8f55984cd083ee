//! Browser hardening: the pages and the API send a Content-Security-Policy and the usual
//! headers, and a whole payment works under them without a single violation.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connect_checkout_e2e::{Browser, SELLER, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn pages_and_api_answers_carry_a_strict_policy() {
    let stack = Stack::start().await;
    let http = reqwest::Client::new();

    let page = http
        .get(format!("{}/?seller={SELLER}", stack.function_url))
        .send()
        .await
        .unwrap();
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("object-src 'none'"), "{policy}");
    let script_src = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(
        script_src.contains("'sha256-"),
        "Trunk's loader is allowed by its hash: {script_src}"
    );
    assert!(!script_src.contains("'unsafe-inline'"), "{script_src}");
    assert!(
        script_src.contains(&stack.sandbox.base_url()),
        "Stripe.js's origin: {script_src}"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["x-frame-options"], "DENY");

    let api = http
        .get(format!("{}/api/config", stack.function_url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(api.headers()["cache-control"], "no-store");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_completes_under_the_policy_without_violations() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/?seller={SELLER}", stack.function_url))
        .await
        .unwrap();
    // Listen before the Payment Element and Stripe.js do anything more.
    browser
        .client
        .execute(
            "window.__violations = []; document.addEventListener('securitypolicyviolation', e => \
             window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));",
            vec![],
        )
        .await
        .unwrap();
    browser
        .enter_card(
            "[data-role=\"payment-element\"]",
            "4242 4242 4242 4242",
            "12 / 34",
            "123",
            "10001",
        )
        .await;
    let pay = "document.querySelector('button[data-role=\"pay\"]')";
    browser
        .wait_until(
            "an enabled Pay button",
            &format!("{pay} && !{pay}.disabled"),
        )
        .await;
    browser
        .find("button[data-role=\"pay\"]")
        .await
        .click()
        .await
        .unwrap();
    browser.find("[data-role=\"receipt\"]").await;
    let violations = browser
        .client
        .execute("return window.__violations;", vec![])
        .await
        .unwrap();
    assert_eq!(
        violations,
        serde_json::json!([]),
        "CSP violations: {violations}"
    );
    browser.close().await;
    stack.shutdown().await;
}
