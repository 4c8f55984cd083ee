//! The seller's journey (issue 7), end to end: Chromium drives the built widget's onboarding
//! and seller pages against the real function and the real Stripe sandbox, for each kind of
//! account: create, onboard (Stripe's hosted page, or the platform's own form for Custom), take
//! charges, receive a payment from the shopper's checkout, see it, refund it. Also a stale
//! onboarding link, the Custom form's errors, the status page following Stripe, a seller
//! looking at another seller's account, and a seller's part of a marketplace order. Screenshots in `e2e/artifacts/` (`seller-*.png`);
//! axe-core audits every kind of page.
//!
//! Run: `WIDGET_DIST=dist CHROMEDRIVER=/usr/bin/chromedriver cargo test -p connect-checkout-e2e
//! --test seller -- --test-threads 1`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connect_checkout_e2e::seller::{
    MUG_AMOUNT, NEW_CUSTOM, NEW_EXPRESS, NEW_STANDARD, answer_hosted_onboarding, click,
    complete_custom_form, create_on_onboarding_page, current_url, demo_sign_in, fetch_from_page,
    fill_step, form_step, open, passing_answers, refund_on_seller_page, refunds, seller_seed,
    seller_stack, shopper_pays, stack_with, type_into, wait_next_step,
};
use connect_checkout_e2e::{Browser, Stack};
use fantoccini::key::Key;
use serde_json::{Value, json};

const LUMEN: &str = "acct_1LumenCoffee0001";
const KYOTO: &str = "acct_1KyotoTeaHouse01";

/// Runs axe-core on the page and fails on any serious or critical violation.
async fn audit(browser: &Browser, page: &str) {
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe-core on {page}: {violations:#?}");
}

/// Every account on the platform with `email`.
async fn accounts_with_email(stack: &Stack, email: &str) -> Vec<Value> {
    let list = stack.stripe_get("/v1/accounts?limit=100", None).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|account| account["email"] == email)
        .cloned()
        .collect()
}

/// The text of the whole page.
async fn page_text(browser: &Browser) -> String {
    browser
        .eval("document.body.innerText")
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// Signs in as `account` on its seller page (the demo sign-in of sandbox mode).
async fn sign_in_on_seller_page(browser: &Browser, base: &str, account: &str) {
    open(
        browser,
        &format!("{base}/seller?account={account}"),
        "[data-role=\"sign-in\"]",
    )
    .await;
    demo_sign_in(browser, account).await;
    // The sign-in reloads the page: wait through the navigation.
    browser
        .wait_within(
            20,
            "the seller's page after the sign-in",
            "document.querySelector('[data-role=\"status\"]')",
        )
        .await;
}

/// The seller's page: the payment `payment` is listed; returns its row's text.
async fn payment_row(browser: &Browser, base: &str, account: &str, payment: &str) -> String {
    open(
        browser,
        &format!("{base}/seller?account={account}"),
        "[data-role=\"payments\"]",
    )
    .await;
    let row = format!("tr[data-role=\"payment\"][data-payment=\"{payment}\"]");
    browser
        .wait_within(
            20,
            "the payment on the seller's page",
            &format!("document.querySelector('{row}')"),
        )
        .await;
    browser.text(&row).await
}

/// Onboards the seeded seller `account` (Express or Standard) through Stripe's hosted page,
/// from their seller page, and comes back to the status page with charges enabled.
async fn onboard_through_stripe(browser: &Browser, base: &str, account: &str, kind: &str) {
    sign_in_on_seller_page(browser, base, account).await;
    wait_next_step(browser, "complete_onboarding").await;
    let charges = browser
        .eval("document.querySelector('[data-role=\"charges\"]').dataset.enabled")
        .await;
    assert_eq!(charges, "false");
    browser
        .screenshot(&format!("seller-{kind}-to-onboard"))
        .await;
    click(browser, "button[data-role=\"continue\"]").await;
    answer_hosted_onboarding(
        browser,
        "submit",
        Some(&format!("seller-{kind}-hosted-onboarding")),
    )
    .await;
    browser
        .wait_within(
            20,
            "the return to the status page",
            "location.pathname === '/onboarding' && location.search.includes('returned=1')",
        )
        .await;
    wait_next_step(browser, "done").await;
    let charges = browser
        .eval("document.querySelector('[data-role=\"charges\"]').dataset.enabled")
        .await;
    assert_eq!(charges, "true", "charges are enabled after onboarding");
}

/// A shopper pays `account` on the store page; the seller sees the payment and refunds
/// `refund` of it (empty: all of it) with a double click on Confirm; one refund is made.
async fn paid_and_refunded(
    browser: &Browser,
    stack: &Stack,
    account: &str,
    kind: &str,
    refund: &str,
    refunded_minor: i64,
) {
    let base = &stack.function_url;
    let payment = shopper_pays(browser, base, account).await;
    assert!(payment.starts_with("pi_"), "{payment}");
    browser
        .screenshot(&format!("seller-{kind}-shopper-paid"))
        .await;

    let row = payment_row(browser, base, account, &payment).await;
    assert!(row.contains("$20.00"), "the amount: {row}");
    // The platform's fee: 10% + 30 cents of $20.00.
    assert!(row.contains("$2.30"), "the fee: {row}");
    assert!(row.contains("Paid"), "the status: {row}");

    refund_on_seller_page(browser, &payment, refund).await;
    browser
        .wait_within(
            20,
            "the refund's confirmation",
            "document.querySelector('[data-role=\"refund-notice\"]')?.textContent.includes('Refunded')",
        )
        .await;
    let row_css = format!("tr[data-role=\"payment\"][data-payment=\"{payment}\"]");
    let expected = if refunded_minor == MUG_AMOUNT {
        "Refunded"
    } else {
        "Partly refunded"
    };
    browser
        .wait_within(
            20,
            "the refund in the payments",
            &format!(
                "document.querySelector('{row_css} [data-role=\"payment-status\"]')?.textContent === '{expected}'"
            ),
        )
        .await;
    browser.screenshot(&format!("seller-{kind}-refunded")).await;

    let made = refunds(stack, account, &payment).await;
    assert_eq!(made.len(), 1, "a double click refunds once: {made:#?}");
    assert_eq!(made[0]["amount"], refunded_minor);
}

#[tokio::test]
async fn every_kind_of_account_is_created_from_the_onboarding_page() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();

    // The kinds, explained; the page is audited before anything is chosen.
    open(&browser, &format!("{base}/onboarding"), "#cs-kind-express").await;
    let text = page_text(&browser).await;
    for words in [
        "Express",
        "Standard",
        "Custom",
        "Signing up",
        "Dashboard",
        "Fees and losses",
        "carry refunds and disputes yourself",
    ] {
        assert!(text.contains(words), "the page explains `{words}`: {text}");
    }
    browser.screenshot("seller-onboarding-choose").await;
    audit(&browser, "the onboarding page").await;

    // Nothing chosen, a bad email: each field says what to fix.
    type_into(&browser, "#cs-signup-email", "not-an-email").await;
    click(&browser, "button[data-role=\"create\"]").await;
    browser
        .wait_until(
            "the create form's errors",
            "document.querySelector('#cs-signup-email-error').textContent.length > 0 \
             && document.querySelector('#cs-signup-kind-error').textContent.length > 0",
        )
        .await;
    let focused = browser.eval("document.activeElement.id").await;
    assert_eq!(
        focused, "cs-kind-express",
        "the focus goes to the first answer to fix"
    );
    browser.screenshot("seller-onboarding-choose-errors").await;

    // Express, with a double click on Create: one account, then Stripe's hosted onboarding.
    open(&browser, &format!("{base}/onboarding"), "#cs-kind-express").await;
    click(&browser, "#cs-kind-express").await;
    type_into(&browser, "#cs-signup-email", "express@new-seller.example").await;
    browser
        .client
        .execute(
            "const b = document.querySelector('button[data-role=\"create\"]'); b.click(); b.click();",
            vec![],
        )
        .await
        .unwrap();
    answer_hosted_onboarding(&browser, "submit", Some("seller-created-express-hosted")).await;
    wait_next_step(&browser, "done").await;
    assert!(current_url(&browser).await.contains("returned=1"));
    let created = accounts_with_email(&stack, "express@new-seller.example").await;
    assert_eq!(created.len(), 1, "a double submit creates one account");
    assert_eq!(
        created[0]["controller"]["stripe_dashboard"]["type"],
        "express"
    );
    assert_eq!(created[0]["charges_enabled"], true);
    browser.screenshot("seller-created-express-status").await;
    audit(&browser, "the status page").await;

    // Standard.
    create_on_onboarding_page(&browser, &base, "standard", "standard@new-seller.example").await;
    answer_hosted_onboarding(&browser, "submit", None).await;
    wait_next_step(&browser, "done").await;
    let created = accounts_with_email(&stack, "standard@new-seller.example").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["controller"]["stripe_dashboard"]["type"], "full");
    assert_eq!(created[0]["charges_enabled"], true);

    // Custom: the platform's own form, straight after creation.
    create_on_onboarding_page(&browser, &base, "custom", "custom@new-seller.example").await;
    browser
        .wait_within(
            20,
            "the Custom form after creating the account",
            "document.querySelector('[data-role=\"custom-form\"]')",
        )
        .await;
    browser.screenshot("seller-created-custom-form").await;
    complete_custom_form(&browser, &passing_answers()).await;
    wait_next_step(&browser, "done").await;
    let created = accounts_with_email(&stack, "custom@new-seller.example").await;
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0]["controller"]["requirement_collection"],
        "application"
    );
    assert_eq!(created[0]["charges_enabled"], true);
    assert_eq!(created[0]["external_accounts"]["data"][0]["last4"], "6789");
    browser.screenshot("seller-created-custom-done").await;

    // The platform lists the new seller's first product (Stripe's API, as its catalogue tools
    // would); a shopper pays the seller just created, who sees it and refunds part of it.
    let custom = created[0]["id"].as_str().unwrap().to_owned();
    stack
        .stripe_post(
            "/v1/products",
            &custom,
            &[
                ("name", "Stoneware mug"),
                ("default_price_data[currency]", "usd"),
                ("default_price_data[unit_amount]", "2000"),
            ],
        )
        .await;
    paid_and_refunded(&browser, &stack, &custom, "created-custom", "7.50", 750).await;

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn an_express_seller_onboards_is_paid_and_refunds_part() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();

    // Signed out: the seller page asks to sign in (the demo sign-in lists the sellers).
    open(
        &browser,
        &format!("{base}/seller?account={NEW_EXPRESS}"),
        "[data-role=\"sign-in\"]",
    )
    .await;
    let text = page_text(&browser).await;
    assert!(text.contains("Clay & Kiln (Express)"), "{text}");
    browser.screenshot("seller-sign-in").await;
    audit(&browser, "the sign-in prompt").await;

    onboard_through_stripe(&browser, &base, NEW_EXPRESS, "express").await;
    paid_and_refunded(&browser, &stack, NEW_EXPRESS, "express", "5.00", 500).await;
    let row = browser
        .text("tr[data-role=\"payment\"] [data-role=\"payment-refunded\"]")
        .await;
    assert_eq!(row, "$5.00");

    // The confirmation step, audited while open.
    click(&browser, "button[data-role=\"refund\"]").await;
    browser.find("[data-role=\"refund-confirmation\"]").await;
    let focused = browser.eval("document.activeElement.dataset.role").await;
    assert_eq!(focused, "refund-amount", "the confirmation takes the focus");
    browser
        .screenshot("seller-express-refund-confirmation")
        .await;
    audit(&browser, "the seller's page with a refund to confirm").await;
    click(&browser, "button[data-role=\"refund-cancel\"]").await;

    // The Express dashboard, through a login link.
    click(&browser, "button[data-role=\"dashboard\"]").await;
    browser
        .wait_within(
            20,
            "the Express dashboard",
            "location.pathname.startsWith('/express/')",
        )
        .await;
    browser.screenshot("seller-express-dashboard").await;

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn a_standard_seller_onboards_is_paid_and_refunds_all() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();

    onboard_through_stripe(&browser, &base, NEW_STANDARD, "standard").await;
    paid_and_refunded(&browser, &stack, NEW_STANDARD, "standard", "", MUG_AMOUNT).await;
    let label = browser.text("button[data-role=\"dashboard\"]").await;
    assert_eq!(label, "Open your Stripe Dashboard");
    // Nothing is left to refund.
    let buttons = browser
        .eval("document.querySelectorAll('button[data-role=\"refund\"]').length")
        .await;
    assert_eq!(buttons, 0);

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn a_custom_seller_is_told_what_to_fix_then_onboards_is_paid_and_refunds() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();

    // Straight to the onboarding page, signed out: sign in there and stay.
    open(
        &browser,
        &format!("{base}/onboarding?account={NEW_CUSTOM}"),
        "[data-role=\"sign-in\"]",
    )
    .await;
    demo_sign_in(&browser, NEW_CUSTOM).await;
    browser
        .wait_within(
            20,
            "the Custom form after the sign-in",
            "document.querySelector('[data-role=\"custom-form\"]')",
        )
        .await;
    wait_next_step(&browser, "complete_onboarding").await;
    assert_eq!(form_step(&browser).await.as_deref(), Some("business"));

    // Step 1 with nothing answered: each field says what to fix, the first has the focus.
    fill_step(&browser, &[]).await;
    browser
        .wait_until(
            "the business step's errors",
            "document.querySelector('#cs-f-business_url-error').textContent.length > 0",
        )
        .await;
    let invalid = browser
        .eval("[...document.querySelectorAll('fieldset.cs-step [aria-invalid=\"true\"]')].map(e => e.id)")
        .await;
    assert_eq!(invalid, json!(["cs-f-business_url", "cs-f-mcc"]));
    let mcc_error = browser.text("#cs-f-mcc-error").await;
    assert_eq!(mcc_error, "Choose the kind of business.");
    let focused = browser.eval("document.activeElement.id").await;
    assert_eq!(focused, "cs-f-business_url");
    let summary = browser.text("[data-role=\"form-summary\"]").await;
    assert!(summary.contains("(2)"), "{summary}");
    browser.screenshot("seller-custom-form-errors").await;
    audit(&browser, "the Custom form with errors").await;

    // A wrong phone and an impossible date, field by field.
    fill_step(&browser, &passing_answers()).await;
    browser
        .wait_until("the person step", "document.querySelector('#cs-f-phone')")
        .await;
    let mut person = passing_answers();
    for (id, value) in &mut person {
        match *id {
            "cs-f-phone" => *value = "12",
            "cs-f-dob_day" => *value = "30",
            "cs-f-dob_month" => *value = "2",
            "cs-f-dob_year" => *value = "1990",
            _ => {}
        }
    }
    fill_step(&browser, &person).await;
    browser
        .wait_until(
            "the person step's errors",
            "document.querySelector('#cs-f-dob-error').textContent.length > 0",
        )
        .await;
    assert_eq!(
        browser.text("#cs-f-phone-error").await,
        "Enter a phone number with 7 to 15 digits."
    );
    assert!(
        browser
            .text("#cs-f-dob-error")
            .await
            .starts_with("Enter a real date of birth")
    );
    browser.screenshot("seller-custom-person-errors").await;

    // A real date that Stripe cannot verify: the form sends, and Stripe's verification error
    // comes back against the date of birth.
    for (id, value) in &mut person {
        match *id {
            "cs-f-phone" => *value = "000 000 0000",
            "cs-f-dob_day" => *value = "1",
            "cs-f-dob_month" => *value = "1",
            _ => {}
        }
    }
    for _ in 0..6 {
        if browser
            .eval("document.querySelector('#cs-f-dob-error')?.textContent.startsWith('Stripe says') ?? false")
            .await
            == true
        {
            break;
        }
        match form_step(&browser).await {
            Some(_) => fill_step(&browser, &person).await,
            None => break,
        }
        browser
            .wait_until(
                "the form to move on",
                "document.querySelector('[data-role=\"custom-form\"]')?.dataset.phase !== 'submitting'",
            )
            .await;
    }
    browser
        .wait_until(
            "Stripe's verification error against the date of birth",
            "document.querySelector('#cs-f-dob-error')?.textContent.startsWith('Stripe says')",
        )
        .await;
    assert_eq!(form_step(&browser).await.as_deref(), Some("person"));
    let status_errors = browser.text("[data-role=\"verification-errors\"]").await;
    assert!(
        status_errors.contains("Proof of identity"),
        "{status_errors}"
    );
    browser.screenshot("seller-custom-verification-error").await;

    // Stripe's test date: everything passes.
    complete_custom_form(&browser, &passing_answers()).await;
    wait_next_step(&browser, "done").await;
    browser.screenshot("seller-custom-done").await;

    paid_and_refunded(&browser, &stack, NEW_CUSTOM, "custom", "", MUG_AMOUNT).await;
    let text = page_text(&browser).await;
    assert!(text.contains("Your payments and refunds are all on this page."));

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn a_stale_or_used_onboarding_link_makes_a_fresh_one_and_continues() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();
    sign_in_on_seller_page(&browser, &base, NEW_EXPRESS).await;

    // A link opened once is spent: opening it again goes to refresh_url, which makes a fresh
    // link and goes on to Stripe.
    let answer = fetch_from_page(
        &browser,
        "POST",
        &format!("/api/sellers/{NEW_EXPRESS}/onboarding-link"),
    )
    .await;
    assert_eq!(answer[0], 200, "{answer}");
    let link = answer[1]["url"].as_str().unwrap().to_owned();
    browser.client.goto(&link).await.unwrap();
    answer_hosted_onboarding(&browser, "later", None).await;
    browser
        .wait_within(20, "the return", "location.search.includes('returned=1')")
        .await;
    wait_next_step(&browser, "complete_onboarding").await;
    browser.client.goto(&link).await.unwrap();
    answer_hosted_onboarding(&browser, "submit", Some("seller-stale-link-recovered")).await;
    wait_next_step(&browser, "done").await;

    // An expired link (301 s later by the sandbox's clock) does the same.
    let answer = fetch_from_page(
        &browser,
        "POST",
        &format!("/api/sellers/{NEW_EXPRESS}/onboarding-link"),
    )
    .await;
    let link = answer[1]["url"].as_str().unwrap().to_owned();
    let advanced = reqwest::Client::new()
        .post(format!("{}/_sandbox/clock", stack.sandbox.base_url()))
        .json(&json!({"advance_seconds": 301}))
        .send()
        .await
        .unwrap();
    assert!(advanced.status().is_success());
    browser.client.goto(&link).await.unwrap();
    browser
        .wait_within(
            20,
            "a fresh hosted onboarding page",
            "location.pathname.startsWith('/setup/s/')",
        )
        .await;

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn the_status_page_follows_stripe_while_something_is_pending() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();
    sign_in_on_seller_page(&browser, &base, NEW_EXPRESS).await;
    click(&browser, "button[data-role=\"continue\"]").await;
    answer_hosted_onboarding(&browser, "later", None).await;
    wait_next_step(&browser, "complete_onboarding").await;
    // The hosted page kept what was typed; the agreement is still to accept.
    let due = browser.text("[data-role=\"due-now\"]").await;
    assert!(due.contains("Acceptance of Stripe's agreement"), "{due}");

    // Onboarding finished elsewhere (another device): the sandbox changes the account and
    // fires account.updated; the open page shows it within a poll.
    let sandbox = stack.sandbox.base_url();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link: Value = serde_json::from_slice(
        &client
            .post(format!("{sandbox}/v1/account_links"))
            .bearer_auth(stack.sandbox.secret_key())
            .form(&[
                ("account", NEW_EXPRESS),
                ("type", "account_onboarding"),
                ("return_url", "http://127.0.0.1/return"),
                ("refresh_url", "http://127.0.0.1/refresh"),
            ])
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let opened = client
        .get(link["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let session = opened.headers()["location"].to_str().unwrap().to_owned();
    let submitted = client
        .post(format!("{sandbox}{session}"))
        .form(&[("action", "submit")])
        .send()
        .await
        .unwrap();
    assert!(
        submitted.status().is_redirection(),
        "{}",
        submitted.status()
    );

    browser
        .wait_within(
            40,
            "the status page to follow the change",
            "document.querySelector('[data-role=\"status\"]')?.dataset.nextStep === 'done'",
        )
        .await;
    let live = browser.text("[data-role=\"status-live\"]").await;
    assert_eq!(live, "Your account was updated.");
    browser.screenshot("seller-status-followed").await;

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn another_sellers_account_shows_nothing_but_a_refusal() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();
    sign_in_on_seller_page(&browser, &base, LUMEN).await;

    // The seller changes the address to another seller's account.
    for page in [
        format!("{base}/seller?account={KYOTO}"),
        format!("{base}/onboarding?account={KYOTO}"),
    ] {
        open(&browser, &page, "[data-role=\"forbidden\"]").await;
        let text = page_text(&browser).await;
        for secret in ["Kyoto", "Sencha", "¥", "Take payments", "Recent payments"] {
            assert!(!text.contains(secret), "{page} shows `{secret}`: {text}");
        }
    }
    browser.screenshot("seller-forbidden").await;
    audit(&browser, "the refusal").await;
    for path in ["status", "payments"] {
        let answer =
            fetch_from_page(&browser, "GET", &format!("/api/sellers/{KYOTO}/{path}")).await;
        assert_eq!(answer[0], 403, "{answer}");
        assert!(!answer[1].to_string().contains("Kyoto"), "{answer}");
    }

    // Signing out from the refusal asks for a sign-in.
    click(&browser, "button[data-role=\"sign-out\"]").await;
    browser.find("[data-role=\"sign-in\"]").await;

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn the_seller_pages_fit_a_phone_and_speak_french() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();
    browser.set_viewport(320, 900).await;

    open(&browser, &format!("{base}/onboarding"), "#cs-kind-express").await;
    let overflow = browser.eval("document.documentElement.scrollWidth").await;
    assert!(
        overflow.as_u64().unwrap() <= 320,
        "no sideways scroll: {overflow}"
    );
    browser.screenshot("seller-onboarding-320").await;

    sign_in_on_seller_page(&browser, &base, LUMEN).await;
    let payment = shopper_pays(&browser, &base, LUMEN).await;
    payment_row(&browser, &base, LUMEN, &payment).await;
    let overflow = browser.eval("document.documentElement.scrollWidth").await;
    assert!(
        overflow.as_u64().unwrap() <= 320,
        "no sideways scroll: {overflow}"
    );
    browser.screenshot("seller-page-320").await;
    audit(&browser, "the seller's page at 320 px").await;

    browser.set_viewport(1024, 900).await;
    open(
        &browser,
        &format!("{base}/onboarding?lang=fr"),
        "#cs-kind-express",
    )
    .await;
    let text = page_text(&browser).await;
    assert!(text.contains("Vendre sur cette place de marché"), "{text}");
    assert!(text.contains("Frais et pertes"), "{text}");
    let lang = browser.eval("document.documentElement.lang").await;
    assert_eq!(lang, "fr");
    browser.screenshot("seller-onboarding-french").await;
    audit(&browser, "the onboarding page in French").await;

    browser.close().await;
    stack.shutdown().await;
}

#[tokio::test]
async fn a_seller_signs_up_with_the_keyboard_alone() {
    let stack = seller_stack().await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();
    open(&browser, &format!("{base}/onboarding"), "#cs-kind-express").await;
    let focused = || browser.eval("document.activeElement.id");

    // Tab to the kinds, arrow to Standard, tab on to the email, type it, Enter to create.
    browser.press_keys(&Key::Tab.to_string()).await;
    assert_eq!(focused().await, "cs-kind-express");
    browser.press_keys(&Key::Down.to_string()).await;
    assert_eq!(focused().await, "cs-kind-standard");
    let checked = browser
        .eval("document.querySelector('#cs-kind-standard').checked")
        .await;
    assert_eq!(checked, true);
    browser.press_keys(&Key::Tab.to_string()).await;
    assert_eq!(focused().await, "cs-signup-email");
    browser.press_keys("keys@new-seller.example").await;
    browser.press_keys(&Key::Enter.to_string()).await;
    answer_hosted_onboarding(&browser, "submit", None).await;
    wait_next_step(&browser, "done").await;

    // On the status page, the way to the payments is a link the keyboard reaches.
    let reachable = browser
        .eval("document.querySelector('[data-role=\"seller-page-link\"]').tabIndex >= 0")
        .await;
    assert_eq!(reachable, true);
    let created = accounts_with_email(&stack, "keys@new-seller.example").await;
    assert_eq!(created.len(), 1);

    browser.close().await;
    stack.shutdown().await;
}

/// Bean Street: a second enabled US seller, for an order of two sellers.
const BEANS: &str = "acct_1MarketBeansB0001";

/// A POST to the sandbox's API as the platform itself (no `Stripe-Account`).
async fn platform_post(stack: &Stack, path: &str, form: &[(&str, &str)]) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", stack.sandbox.base_url()))
        .bearer_auth(stack.sandbox.secret_key())
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "POST {path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// A paid order of Lumen's 2 × House Blend (24.00, fee 2.70) and Bean Street's mug (15.00,
/// fee 1.80), made as the function makes a marketplace order: one PaymentIntent on the
/// platform, then one Transfer per seller from its charge. The PaymentIntent and the
/// Transfers, Lumen's first.
async fn paid_two_seller_order(stack: &Stack) -> (String, Vec<String>) {
    let attempt = connect_checkout_e2e::attempt_id(41, 1);
    let group = format!("order_{attempt}");
    let order_sellers = format!("{LUMEN}:2400:270,{BEANS}:1500:180");
    let intent = platform_post(
        stack,
        "/v1/payment_intents",
        &[
            ("amount", "3900"),
            ("currency", "usd"),
            ("automatic_payment_methods[enabled]", "true"),
            ("transfer_group", &group),
            ("description", "2 × House Blend, 250 g, 1 × Stoneware mug"),
            ("metadata[checkout_attempt]", &attempt),
            ("metadata[order_sellers]", &order_sellers),
        ],
    )
    .await;
    let id = intent["id"].as_str().unwrap().to_owned();
    // Confirmed as Stripe.js confirms it: the publishable key and the client secret.
    let confirmed: Value = reqwest::Client::new()
        .post(format!(
            "{}/v1/payment_intents/{id}/confirm",
            stack.sandbox.base_url()
        ))
        .form(&[
            ("payment_method", "pm_card_visa"),
            ("client_secret", intent["client_secret"].as_str().unwrap()),
            ("key", stack.sandbox.publishable_key()),
            ("return_url", "https://shop.test/return"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(confirmed["status"], "succeeded", "{confirmed}");
    let charge = stack
        .stripe_get(&format!("/v1/payment_intents/{id}"), None)
        .await["latest_charge"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut transfers = Vec::new();
    for (seller, amount, subtotal, fee, lines) in [
        (LUMEN, "2130", "2400", "270", "2 × House Blend, 250 g"),
        (BEANS, "1320", "1500", "180", "1 × Stoneware mug"),
    ] {
        let transfer = platform_post(
            stack,
            "/v1/transfers",
            &[
                ("amount", amount),
                ("currency", "usd"),
                ("destination", seller),
                ("transfer_group", &group),
                ("source_transaction", &charge),
                ("description", lines),
                ("metadata[payment_intent]", &id),
                ("metadata[seller_subtotal]", subtotal),
                ("metadata[platform_fee]", fee),
            ],
        )
        .await;
        transfers.push(transfer["id"].as_str().unwrap().to_owned());
    }
    (id, transfers)
}

#[tokio::test]
async fn a_seller_sees_their_part_of_a_marketplace_order_and_refunds_within_it() {
    let mut seed = seller_seed();
    let mut beans = seed
        .accounts
        .iter()
        .find(|account| account.id == LUMEN)
        .cloned()
        .unwrap();
    beans.id = BEANS.into();
    beans.business_name = "Bean Street".into();
    beans.products = Vec::new();
    beans.created = None;
    seed.accounts.push(beans);
    let stack = stack_with(seed).await;
    let browser = Browser::start().await;
    let base = stack.function_url.clone();
    let (order, transfers) = paid_two_seller_order(&stack).await;

    sign_in_on_seller_page(&browser, &base, LUMEN).await;
    let row = payment_row(&browser, &base, LUMEN, &order).await;
    assert!(row.contains("Part of a multi-seller order"), "{row}");
    assert!(row.contains("2 × House Blend, 250 g"), "{row}");
    assert!(
        !row.contains("Stoneware mug"),
        "another seller's line: {row}"
    );
    assert!(row.contains(&transfers[0]), "the transfer: {row}");
    assert!(row.contains("$24.00") && row.contains("$2.70"), "{row}");
    browser.screenshot("seller-marketplace-part").await;

    click(
        &browser,
        &format!("button[data-role=\"refund\"][data-payment=\"{order}\"]"),
    )
    .await;
    let hint = browser.text("#cs-refund-hint").await;
    assert!(
        hint.starts_with("Up to $24.00, what is left of your part."),
        "{hint}"
    );
    audit(&browser, "the refund of a marketplace part").await;
    click(&browser, "button[data-role=\"refund-cancel\"]").await;

    refund_on_seller_page(&browser, &order, "10.00").await;
    browser
        .wait_within(
            20,
            "the refund's confirmation",
            "document.querySelector('[data-role=\"refund-notice\"]')?.textContent.includes('Refunded')",
        )
        .await;
    let row_css = format!("tr[data-role=\"payment\"][data-payment=\"{order}\"]");
    browser
        .wait_within(
            20,
            "the refund in the payments",
            &format!(
                "document.querySelector('{row_css} [data-role=\"payment-refunded\"]')?.textContent === '$10.00'"
            ),
        )
        .await;

    let made = stack
        .stripe_get(&format!("/v1/refunds?payment_intent={order}"), None)
        .await;
    let made = made["data"].as_array().unwrap();
    assert_eq!(made.len(), 1, "a double click refunds once: {made:#?}");
    assert_eq!(made[0]["amount"], 1000);
    assert_eq!(made[0]["metadata"]["seller"], LUMEN);
    // 1000 of a 2400 subtotal paid by a 2130 Transfer: 888 back from Lumen, none from Beans.
    let lumen = stack
        .stripe_get(&format!("/v1/transfers/{}", transfers[0]), None)
        .await;
    assert_eq!(lumen["amount_reversed"], 888, "{lumen}");
    let beans = stack
        .stripe_get(&format!("/v1/transfers/{}", transfers[1]), None)
        .await;
    assert_eq!(beans["amount_reversed"], 0, "{beans}");

    browser.close().await;
    stack.shutdown().await;
}
