//! The seller's journey (e2e/tests/seller.rs): a stack whose sandbox also holds three sellers
//! who signed up but have not onboarded yet, one per kind of account, each with a product a
//! shopper can buy; and the steps a seller takes in the browser (create, Stripe's hosted
//! onboarding, the Custom form, the demo sign-in, a refund) and a shopper's payment to them.
//!
//! Both ways in are tested: accounts of every kind created through the onboarding page (the
//! Custom one is then given a product through Stripe's API, paid and refunded), and seeded
//! sellers of every kind, signed up but not onboarded, each with a product, taken through
//! onboarding from their seller page, a payment and a refund.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;
use stripe_sandbox::{AccountType, Seed, SeedAccount, SeedPrice, SeedProduct, SeedRequirements};
use tokio::net::TcpListener;

use crate::{Browser, Stack, start_function};

/// A seller of each kind who signed up and has not onboarded yet. Each sells one product.
pub const NEW_EXPRESS: &str = "acct_1ClayKilnExpress1";
pub const NEW_STANDARD: &str = "acct_1ClayKilnStandrd1";
pub const NEW_CUSTOM: &str = "acct_1ClayKilnCustom01";
/// What each of them sells, for 20.00 USD.
pub const MUG_AMOUNT: i64 = 2000;

/// What Stripe asks of a US individual taking card payments (the sandbox's list).
const US_INDIVIDUAL_DUE: [&str; 18] = [
    "business_profile.mcc",
    "business_profile.url",
    "business_type",
    "external_account",
    "individual.address.city",
    "individual.address.line1",
    "individual.address.postal_code",
    "individual.address.state",
    "individual.dob.day",
    "individual.dob.month",
    "individual.dob.year",
    "individual.email",
    "individual.first_name",
    "individual.last_name",
    "individual.phone",
    "individual.ssn_last_4",
    "tos_acceptance.date",
    "tos_acceptance.ip",
];

fn new_seller(id: &str, kind: AccountType, name: &str, price: &str, created: i64) -> SeedAccount {
    let due: Vec<String> = US_INDIVIDUAL_DUE.iter().map(|r| (*r).to_owned()).collect();
    SeedAccount {
        id: id.to_owned(),
        kind,
        business_name: name.to_owned(),
        business_url: None,
        country: "US".to_owned(),
        default_currency: "usd".to_owned(),
        email: Some(format!("{}@clay-kiln.example", kind.as_str())),
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        capabilities: [("card_payments", "inactive"), ("transfers", "inactive")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        requirements: SeedRequirements {
            currently_due: due.clone(),
            eventually_due: due.clone(),
            past_due: due,
            pending_verification: Vec::new(),
            disabled_reason: Some("requirements.past_due".to_owned()),
        },
        products: vec![SeedProduct {
            id: format!("prod_{}", &price["price_1".len()..]),
            name: "Stoneware mug".to_owned(),
            description: Some("Wheel-thrown, 350 ml.".to_owned()),
            active: true,
            prices: vec![SeedPrice {
                id: price.to_owned(),
                unit_amount: MUG_AMOUNT,
                currency: "usd".to_owned(),
                active: true,
            }],
            created: Some(created + 10),
        }],
        created: Some(created),
    }
}

/// The default seed and the three new sellers.
pub fn seller_seed() -> Seed {
    let mut seed = Seed::default();
    let base = 1_767_225_600 + 1_000;
    seed.accounts.extend([
        new_seller(
            NEW_EXPRESS,
            AccountType::Express,
            "Clay & Kiln (Express)",
            "price_1ClayMugExpress01",
            base,
        ),
        new_seller(
            NEW_STANDARD,
            AccountType::Standard,
            "Clay & Kiln (Standard)",
            "price_1ClayMugStandard1",
            base + 100,
        ),
        new_seller(
            NEW_CUSTOM,
            AccountType::Custom,
            "Clay & Kiln (Custom)",
            "price_1ClayMugCustom001",
            base + 200,
        ),
    ]);
    seed
}

/// The sandbox (with [`seller_seed`]) and the function, running.
pub async fn seller_stack() -> Stack {
    stack_with(seller_seed()).await
}

/// The sandbox with `seed` and the function, running.
pub async fn stack_with(seed: Seed) -> Stack {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = stripe_sandbox::spawn(listener, seed).await.unwrap();
    let (function_url, function) = start_function(&sandbox, &[]).await;
    Stack {
        sandbox,
        function_url,
        function,
    }
}

/// Opens `url` and waits for `css`.
pub async fn open(browser: &Browser, url: &str, css: &str) {
    browser.client.goto(url).await.unwrap();
    browser.find(css).await;
}

/// The page's address.
pub async fn current_url(browser: &Browser) -> String {
    browser.client.current_url().await.unwrap().to_string()
}

/// Replaces the text of the input `css` with `value`, as typed.
pub async fn type_into(browser: &Browser, css: &str, value: &str) {
    let input = browser.find(css).await;
    input.clear().await.unwrap();
    if !value.is_empty() {
        input.send_keys(value).await.unwrap();
    }
}

/// Chooses `value` in the select `css`.
pub async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .find(css)
        .await
        .select_by_value(value)
        .await
        .unwrap();
}

pub async fn click(browser: &Browser, css: &str) {
    browser.find(css).await.click().await.unwrap();
}

/// Waits until the status page shows `next_step` (`done`, `complete_onboarding`, …).
pub async fn wait_next_step(browser: &Browser, next_step: &str) {
    browser
        .wait_within(
            20,
            &format!("the status page's next step `{next_step}`"),
            &format!(
                "document.querySelector('[data-role=\"status\"]')?.dataset.nextStep === '{next_step}'"
            ),
        )
        .await;
}

/// Creates an account of `kind` on the onboarding page, with `email`, in the US.
pub async fn create_on_onboarding_page(browser: &Browser, base: &str, kind: &str, email: &str) {
    open(
        browser,
        &format!("{base}/onboarding"),
        &format!("#cs-kind-{kind}"),
    )
    .await;
    click(browser, &format!("#cs-kind-{kind}")).await;
    type_into(browser, "#cs-signup-email", email).await;
    choose(browser, "#cs-signup-country", "US").await;
    click(browser, "button[data-role=\"create\"]").await;
}

/// Waits for Stripe's hosted onboarding page (the sandbox's) and submits it with the test
/// data it is prefilled with (`submit`), or saves it unfinished (`later`).
pub async fn answer_hosted_onboarding(browser: &Browser, action: &str, screenshot: Option<&str>) {
    browser
        .wait_within(
            20,
            "Stripe's hosted onboarding page",
            "location.pathname.startsWith('/setup/s/')",
        )
        .await;
    let button = browser.find(&format!("button[value=\"{action}\"]")).await;
    if let Some(name) = screenshot {
        browser.screenshot(name).await;
    }
    button.click().await.unwrap();
}

/// Signs in as `account` through the demo sign-in on the sign-in prompt on screen.
pub async fn demo_sign_in(browser: &Browser, account: &str) {
    click(
        browser,
        &format!("button[data-role=\"demo-sign-in\"][data-account=\"{account}\"]"),
    )
    .await;
}

/// The shopper pays `seller` for one of their first product on the store page with the card
/// `4242 4242 4242 4242`; returns the PaymentIntent's id from the receipt.
pub async fn shopper_pays(browser: &Browser, base: &str, seller: &str) -> String {
    browser
        .client
        .goto(&format!("{base}/?seller={seller}"))
        .await
        .unwrap();
    let state = "document.querySelector('[data-role=\"checkout\"]')?.dataset.state";
    browser
        .wait_within(
            30,
            "a payable checkout",
            &format!(
                "{state} === 'ready' && document.querySelectorAll('[data-role=\"payment-element\"] iframe').length === 1"
            ),
        )
        .await;
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
    click(browser, "button[data-role=\"pay\"]").await;
    browser
        .wait_within(30, "the receipt", &format!("{state} === 'succeeded'"))
        .await;
    browser.text("[data-role=\"receipt-reference\"]").await
}

/// The Custom form's answers that pass Stripe's checks (crates/sandbox/FIDELITY.md §Test onboarding
/// data), by input id.
pub fn passing_answers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("cs-f-business_url", "https://clay-kiln.example"),
        ("cs-f-mcc", "5970"),
        ("cs-f-first_name", "Jenny"),
        ("cs-f-last_name", "Rosen"),
        ("cs-f-email", "jenny@clay-kiln.example"),
        ("cs-f-phone", "000 000 0000"),
        ("cs-f-dob_day", "1"),
        ("cs-f-dob_month", "1"),
        ("cs-f-dob_year", "1901"),
        ("cs-f-line1", "address_full_match"),
        ("cs-f-city", "San Francisco"),
        ("cs-f-state", "CA"),
        ("cs-f-postal_code", "94103"),
        ("cs-f-country", "US"),
        ("cs-f-id_number", "000000000"),
        ("cs-f-account_holder", "Jenny Rosen"),
        ("cs-f-routing_number", "110000000"),
        ("cs-f-account_number", "000123456789"),
        ("cs-f-accept_terms", "on"),
    ]
}

/// The id of the Custom form's step on screen (`business`, `person`, …), if a form is shown.
pub async fn form_step(browser: &Browser) -> Option<String> {
    browser
        .eval("document.querySelector('[data-role=\"custom-form\"] fieldset.cs-step')?.dataset.step ?? null")
        .await
        .as_str()
        .map(str::to_owned)
}

/// Fills the fields of the step on screen from `answers` (inputs of other steps are skipped)
/// and presses Continue (or Send on the last step).
pub async fn fill_step(browser: &Browser, answers: &[(&str, &str)]) {
    for (id, value) in answers {
        let css = format!("fieldset.cs-step #{id}");
        let Ok(element) = browser.client.find(Locator::Css(&css)).await else {
            continue;
        };
        if !element.is_displayed().await.unwrap_or(false) {
            continue;
        }
        match element.tag_name().await.unwrap().as_str() {
            "select" => element.select_by_value(value).await.unwrap(),
            _ if element.attr("type").await.unwrap().as_deref() == Some("checkbox") => {
                if !element.is_selected().await.unwrap() {
                    element.click().await.unwrap();
                }
            }
            _ => {
                element.clear().await.unwrap();
                element.send_keys(value).await.unwrap();
            }
        }
    }
    // Not a waiting click: the form goes away by itself once Stripe has everything.
    browser
        .eval("document.querySelector('button[data-role=\"form-next\"]')?.click() ?? null")
        .await;
}

/// Answers every step of the Custom form with `answers` until the form is sent (at most ten
/// presses of Continue).
pub async fn complete_custom_form(browser: &Browser, answers: &[(&str, &str)]) {
    for _ in 0..10 {
        let Some(step) = form_step(browser).await else {
            return;
        };
        let phase = browser
            .eval("document.querySelector('[data-role=\"custom-form\"]')?.dataset.phase ?? null")
            .await;
        if phase == "submitting" || phase == "sent" {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        fill_step(browser, answers).await;
        // The next step, the end, or the same step with an error.
        for _ in 0..50 {
            let now = form_step(browser).await;
            let phase = browser
                .eval(
                    "document.querySelector('[data-role=\"custom-form\"]')?.dataset.phase ?? null",
                )
                .await;
            if now.as_deref() != Some(step.as_str()) || phase != "editing" {
                break;
            }
            let errors = browser
                .eval("[...document.querySelectorAll('[data-role=\"field-error\"]')].map(e => e.textContent).join(' ').trim()")
                .await;
            assert!(
                errors.as_str().unwrap_or_default().is_empty(),
                "the form refused step `{step}`: {errors}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    panic!("the Custom form was not done after ten steps");
}

/// A call to the function from the page (so with the seller's cookie): `[status, body]`.
pub async fn fetch_from_page(browser: &Browser, method: &str, path: &str) -> Value {
    browser
        .client
        .execute_async(
            "const [method, path, done] = arguments;
             fetch(path, {method, headers: {'content-type': 'application/json'},
                          body: method === 'GET' ? undefined : '{}'})
               .then(async r => done([r.status, await r.json().catch(() => null)]))
               .catch(e => done([0, String(e)]));",
            vec![method.into(), path.into()],
        )
        .await
        .unwrap()
}

/// Refunds on the seller's page: opens the confirmation for `payment`, types `amount` (empty:
/// leave the full amount) and presses Confirm twice, as a double click does.
pub async fn refund_on_seller_page(browser: &Browser, payment: &str, amount: &str) {
    click(
        browser,
        &format!("button[data-role=\"refund\"][data-payment=\"{payment}\"]"),
    )
    .await;
    let input = browser.find("[data-role=\"refund-amount\"]").await;
    if !amount.is_empty() {
        input.clear().await.unwrap();
        input.send_keys(amount).await.unwrap();
    }
    browser
        .client
        .execute(
            "const b = document.querySelector('[data-role=\"refund-confirm\"]'); b.click(); b.click();",
            vec![],
        )
        .await
        .unwrap();
}

/// The refunds Stripe holds for `payment_intent` on `account`.
pub async fn refunds(stack: &Stack, account: &str, payment_intent: &str) -> Vec<Value> {
    let list = stack
        .stripe_get(
            &format!("/v1/refunds?payment_intent={payment_intent}&limit=100"),
            Some(account),
        )
        .await;
    list["data"].as_array().cloned().unwrap_or_default()
}
