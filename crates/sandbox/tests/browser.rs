//! The Stripe.js stand-in in a real headless Chromium (driven through ChromeDriver with
//! fantoccini): a shop page on its own origin loads `<sandbox>/v3/`, mounts Elements, and pays.
//!
//! One browser serves every scenario, in order (starting Chromium is the slow part, and a
//! WebDriver session cannot move between the runtimes of separate `#[tokio::test]`s). Each
//! scenario is a function named for the behaviour it proves.
//!
//! Without a ChromeDriver (`/usr/bin/chromedriver`, or the one `CHROMEDRIVER` names) the test
//! fails, as the end-to-end tests do: a browser suite that passes without a browser looks green
//! on a machine where it never ran. `SKIP_BROWSER_TESTS=1` skips it on purpose, for working on
//! the sandbox where Chromium is not installed (docs/toolchain.md §End-to-end tests).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Harness, LUMEN, start};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

// ---- The harness: a shop origin, a ChromeDriver, a browser ----

/// Pages of the shop, served from another origin than the sandbox's.
struct Shop {
    url: String,
    pages: Arc<Mutex<HashMap<String, String>>>,
}

impl Shop {
    async fn start() -> Self {
        let pages: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let served = pages.clone();
        let app = axum::Router::new().route(
            "/{name}",
            axum::routing::get(
                move |axum::extract::Path(name): axum::extract::Path<String>| {
                    let served = served.clone();
                    async move {
                        let html = served
                            .lock()
                            .unwrap()
                            .get(&name)
                            .cloned()
                            .unwrap_or_default();
                        ([("content-type", "text/html; charset=utf-8")], html)
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, pages }
    }

    /// Serves `body` (with the stand-in's script tag first) at `/{name}` and returns its URL.
    fn page(&self, name: &str, sandbox: &str, body: &str) -> String {
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title>\
             <script src=\"{sandbox}/v3/\"></script></head><body>{body}</body></html>"
        );
        self.pages.lock().unwrap().insert(name.to_owned(), html);
        format!("{}/{name}", self.url)
    }
}

struct Browser {
    client: Client,
    driver: Child,
    profile: std::path::PathBuf,
}

impl Browser {
    /// `None` when there is no ChromeDriver on this machine and `SKIP_BROWSER_TESTS=1` says
    /// that is expected; without it, a missing ChromeDriver fails the test.
    async fn start() -> Option<Self> {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        if !std::path::Path::new(&chromedriver).exists() {
            let skip = std::env::var("SKIP_BROWSER_TESTS").is_ok_and(|value| value == "1");
            assert!(
                skip,
                "no ChromeDriver at {chromedriver}: install Chromium and its driver \
                 (`apt-get install chromium chromium-driver`, or run `cargo xtask test`, which \
                 does), name another with CHROMEDRIVER, or set SKIP_BROWSER_TESTS=1 to skip the \
                 browser tests of the Stripe.js stand-in on purpose"
            );
            return None;
        }
        let port = {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let profile = std::env::temp_dir().join(format!(
            "stripe-sandbox-chromium-{}-{}",
            std::process::id(),
            port
        ));
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1024,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut last = String::new();
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Self {
                        client,
                        driver,
                        profile,
                    });
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("ChromeDriver did not start on {url}: {last}");
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .every(Duration::from_millis(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` within 15 s: {e}"))
    }

    /// Runs `script` (a function body) in the page.
    async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Waits (at most 15 s) until the JS expression is truthy.
    async fn wait_until(&self, what: &str, expression: &str) {
        let body = format!("return !!({expression});");
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while std::time::Instant::now() < deadline {
            if self.js(&body).await.as_bool() == Some(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("timed out waiting for {what} ({expression})");
    }

    /// Types into the named inputs of the card iframe inside `container`.
    async fn type_card(&self, container: &str, fields: &[(&str, &str)]) {
        let frame = self
            .find(&format!(
                "{container} iframe[title=\"Secure payment input frame\"]"
            ))
            .await;
        frame.enter_frame().await.unwrap();
        for (name, value) in fields {
            let input = self.find(&format!("input[name=\"{name}\"]")).await;
            input.send_keys(value).await.unwrap();
        }
        self.client.enter_parent_frame().await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Waits for the page's `window.result` (what the confirmation resolved to).
    async fn result(&self) -> Value {
        self.wait_until("the confirmation to resolve", "window.result")
            .await;
        self.js("return window.result;").await
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

const CARD: &[(&str, &str)] = &[
    ("number", "4242424242424242"),
    ("expiry", "1234"),
    ("cvc", "123"),
    ("postalCode", "94107"),
];

fn card(number: &str) -> Vec<(&str, &str)> {
    let mut fields = CARD.to_vec();
    fields[0].1 = number;
    fields
}

/// A checkout page: one Payment Element on Lumen's PaymentIntent, a Pay button that calls
/// `confirmPayment` with `redirect` and stores what it resolves to in `window.result`.
fn checkout_page(
    h: &Harness,
    shop: &Shop,
    name: &str,
    client_secret: &str,
    redirect: &str,
) -> String {
    let body = format!(
        r#"<main><h1>Checkout</h1><div id="payment"></div><button id="pay">Pay</button></main>
<script>
  window.changes = [];
  window.ready = false;
  const stripe = Stripe({pk:?}, {{ stripeAccount: {LUMEN:?} }});
  const elements = stripe.elements({{ clientSecret: {client_secret:?} }});
  const payment = elements.create('payment');
  payment.on('ready', () => {{ window.ready = true; }});
  payment.on('change', (e) => window.changes.push(e));
  payment.mount('#payment');
  document.getElementById('pay').addEventListener('click', async () => {{
    window.result = await stripe.confirmPayment({{
      elements,
      redirect: {redirect:?},
      confirmParams: {{ return_url: location.origin + '/done' }},
    }});
  }});
</script>"#,
        pk = h.pk(),
    );
    shop.page(name, &h.sandbox.base_url(), &body)
}

async fn intent(h: &Harness) -> Value {
    h.create_intent(
        LUMEN,
        "amount=1500&currency=usd&application_fee_amount=150&automatic_payment_methods[enabled]=true",
    )
    .await
}

async fn status_of(h: &Harness, pi: &Value) -> String {
    h.get(
        &format!("/v1/payment_intents/{}", pi["id"].as_str().unwrap()),
        "",
        h.secret_for(Some(LUMEN)),
    )
    .await
    .body["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

// ---- The scenarios ----

async fn payment_element_mounts_and_reports_change_events(h: &Harness, shop: &Shop, b: &Browser) {
    let pi = intent(h).await;
    let url = checkout_page(
        h,
        shop,
        "change",
        pi["client_secret"].as_str().unwrap(),
        "if_required",
    );
    b.goto(&url).await;
    b.wait_until("the Payment Element to be ready", "window.ready")
        .await;
    let classes = b
        .js("return document.getElementById('payment').className;")
        .await;
    assert!(
        classes.as_str().unwrap().contains("StripeElement--empty"),
        "{classes}"
    );
    b.type_card("#payment", CARD).await;
    b.wait_until(
        "a complete change event",
        "window.changes.some(e => e.complete)",
    )
    .await;
    let last = b
        .js("return window.changes[window.changes.length - 1];")
        .await;
    assert_eq!(last["elementType"], "payment");
    assert_eq!(last["complete"], true);
    assert_eq!(last["empty"], false);
    assert_eq!(last["collapsed"], false);
    assert_eq!(last["value"]["type"], "card");
    assert!(
        last.get("error").is_none(),
        "the Payment Element's change has no error: {last}"
    );
    let classes = b
        .js("return document.getElementById('payment').className;")
        .await;
    assert!(
        classes
            .as_str()
            .unwrap()
            .contains("StripeElement--complete"),
        "{classes}"
    );
    // The page never sees the card number.
    let page_text = b.js("return document.documentElement.outerHTML;").await;
    assert!(!page_text.as_str().unwrap().contains("4242424242424242"));
}

async fn confirm_payment_succeeds_with_a_good_card(h: &Harness, shop: &Shop, b: &Browser) {
    let pi = intent(h).await;
    let url = checkout_page(
        h,
        shop,
        "success",
        pi["client_secret"].as_str().unwrap(),
        "if_required",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", CARD).await;
    b.click("#pay").await;
    let result = b.result().await;
    assert_eq!(result["paymentIntent"]["status"], "succeeded", "{result}");
    assert_eq!(result["paymentIntent"]["id"], pi["id"]);
    assert_eq!(status_of(h, &pi).await, "succeeded");
}

async fn confirm_payment_reports_a_decline(h: &Harness, shop: &Shop, b: &Browser) {
    let pi = intent(h).await;
    let url = checkout_page(
        h,
        shop,
        "decline",
        pi["client_secret"].as_str().unwrap(),
        "if_required",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", &card("4000000000000002")).await;
    b.click("#pay").await;
    let result = b.result().await;
    let error = &result["error"];
    assert_eq!(error["type"], "card_error", "{result}");
    assert_eq!(error["code"], "card_declined");
    assert_eq!(error["decline_code"], "generic_decline");
    assert_eq!(error["message"], "Your card was declined.");
    assert_eq!(error["payment_intent"]["status"], "requires_payment_method");
}

async fn confirm_payment_reports_an_incomplete_card_as_a_validation_error(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let pi = intent(h).await;
    let url = checkout_page(
        h,
        shop,
        "validation",
        pi["client_secret"].as_str().unwrap(),
        "if_required",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", &[("number", "4242")]).await;
    b.click("#pay").await;
    let result = b.result().await;
    assert_eq!(result["error"]["type"], "validation_error", "{result}");
    assert_eq!(
        result["error"]["message"],
        "Your card number is incomplete."
    );
    assert_eq!(
        status_of(h, &pi).await,
        "requires_payment_method",
        "nothing was sent"
    );
}

/// Presses `button` in the 3-D Secure modal and waits for it to close.
async fn answer_challenge(b: &Browser, button: &str) {
    let frame = b.find("iframe[title=\"3D Secure authentication\"]").await;
    let dialog = b.js("const d = document.querySelector('[role=dialog]'); return d && d.getAttribute('aria-modal');").await;
    assert_eq!(dialog, "true", "the challenge is a modal dialog");
    frame.enter_frame().await.unwrap();
    let press = b
        .client
        .wait()
        .at_most(Duration::from_secs(15))
        .every(Duration::from_millis(20))
        .for_element(Locator::XPath(&format!(
            "//button[normalize-space()='{button}']"
        )))
        .await
        .unwrap();
    press.click().await.unwrap();
    b.client.enter_parent_frame().await.unwrap();
    b.wait_until(
        "the modal to close",
        "!document.querySelector('iframe[title=\"3D Secure authentication\"]')",
    )
    .await;
}

async fn three_d_secure_challenge_completed_in_a_modal_succeeds(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let pi = intent(h).await;
    let url = checkout_page(
        h,
        shop,
        "3ds-ok",
        pi["client_secret"].as_str().unwrap(),
        "if_required",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", &card("4000002500003155")).await;
    b.click("#pay").await;
    answer_challenge(b, "Complete authentication").await;
    let result = b.result().await;
    assert_eq!(result["paymentIntent"]["status"], "succeeded", "{result}");
    assert_eq!(status_of(h, &pi).await, "succeeded");
}

async fn three_d_secure_challenge_failed_is_an_authentication_error(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let pi = intent(h).await;
    let url = checkout_page(
        h,
        shop,
        "3ds-fail",
        pi["client_secret"].as_str().unwrap(),
        "if_required",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", &card("4000002760003184")).await;
    b.click("#pay").await;
    answer_challenge(b, "Fail authentication").await;
    let result = b.result().await;
    assert_eq!(
        result["error"]["code"], "payment_intent_authentication_failure",
        "{result}"
    );
    assert_eq!(
        result["error"]["payment_intent"]["status"],
        "requires_payment_method"
    );
    assert_eq!(status_of(h, &pi).await, "requires_payment_method");
}

async fn redirect_always_returns_to_the_return_url_with_stripes_parameters(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let pi = intent(h).await;
    shop.page("done", &h.sandbox.base_url(), "<h1>Thanks</h1>");
    let url = checkout_page(
        h,
        shop,
        "redirect",
        pi["client_secret"].as_str().unwrap(),
        "always",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", CARD).await;
    b.click("#pay").await;
    b.wait_until("the redirect", "location.pathname === '/done'")
        .await;
    let query = b.js("return location.search;").await;
    let query = query.as_str().unwrap();
    let id = pi["id"].as_str().unwrap();
    assert!(query.contains(&format!("payment_intent={id}")), "{query}");
    assert!(query.contains("payment_intent_client_secret="), "{query}");
    assert!(query.contains("redirect_status=succeeded"), "{query}");
}

async fn two_elements_on_one_page_pay_separately(h: &Harness, shop: &Shop, b: &Browser) {
    let first = intent(h).await;
    let second = intent(h).await;
    let body = format!(
        r#"<div id="one"></div><div id="two"></div>
<script>
  window.readyCount = 0;
  const stripe = Stripe({pk:?}, {{ stripeAccount: {LUMEN:?} }});
  const a = stripe.elements({{ clientSecret: {cs1:?} }});
  const paymentA = a.create('payment');
  paymentA.on('ready', () => window.readyCount++);
  paymentA.mount('#one');
  const stripeB = Stripe({pk:?}, {{ stripeAccount: {LUMEN:?} }});
  const cardB = stripeB.elements().create('card', {{ hidePostalCode: true }});
  cardB.on('ready', () => window.readyCount++);
  cardB.on('change', (e) => {{ window.cardChange = e; }});
  cardB.mount('#two');
  window.payBoth = async () => {{
    const r1 = await stripe.confirmPayment({{ elements: a, redirect: 'if_required' }});
    const r2 = await stripeB.confirmCardPayment({cs2:?}, {{ payment_method: {{ card: cardB }} }});
    window.result = [r1, r2];
  }};
</script>"#,
        pk = h.pk(),
        cs1 = first["client_secret"].as_str().unwrap(),
        cs2 = second["client_secret"].as_str().unwrap(),
    );
    let url = shop.page("two", &h.sandbox.base_url(), &body);
    b.goto(&url).await;
    b.wait_until("both Elements to be ready", "window.readyCount === 2")
        .await;
    b.type_card("#one", CARD).await;
    b.type_card(
        "#two",
        &[
            ("number", "5555555555554444"),
            ("expiry", "1234"),
            ("cvc", "123"),
        ],
    )
    .await;
    b.wait_until(
        "the Card Element to be complete",
        "window.cardChange && window.cardChange.complete",
    )
    .await;
    let change = b.js("return window.cardChange;").await;
    assert_eq!(change["elementType"], "card");
    assert_eq!(change["brand"], "mastercard");
    b.js("window.payBoth(); return null;").await;
    let result = b.result().await;
    assert_eq!(
        result[0]["paymentIntent"]["status"], "succeeded",
        "{result}"
    );
    assert_eq!(
        result[1]["paymentIntent"]["status"], "succeeded",
        "{result}"
    );
    let pm = h
        .get(
            &format!("/v1/payment_intents/{}", second["id"].as_str().unwrap()),
            "expand[]=payment_method",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(pm.body["payment_method"]["card"]["last4"], "4444");
}

async fn handle_next_action_finishes_a_server_side_confirmation(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let pi = h
        .create_intent(
            LUMEN,
            "amount=1500&currency=usd&payment_method_types[]=card",
        )
        .await;
    let confirmed = h
        .post(
            &format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap()),
            "payment_method=pm_card_threeDSecure2Required",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(confirmed.body["status"], "requires_action");
    let body = format!(
        r#"<script>
  const stripe = Stripe({pk:?}, {{ stripeAccount: {LUMEN:?} }});
  stripe.handleNextAction({{ clientSecret: {cs:?} }}).then((r) => {{ window.result = r; }});
</script>"#,
        pk = h.pk(),
        cs = pi["client_secret"].as_str().unwrap(),
    );
    let url = shop.page("next-action", &h.sandbox.base_url(), &body);
    b.goto(&url).await;
    answer_challenge(b, "Complete authentication").await;
    let result = b.result().await;
    assert_eq!(result["paymentIntent"]["status"], "succeeded", "{result}");
}

async fn create_token_makes_bank_account_and_account_tokens(h: &Harness, shop: &Shop, b: &Browser) {
    let body = format!(
        r#"<script>
  const stripe = Stripe({pk:?});
  Promise.all([
    stripe.createToken('bank_account', {{ country: 'US', currency: 'usd', routing_number: '110000000',
      account_number: '000123456789', account_holder_name: 'Jenny Rosen', account_holder_type: 'individual' }}),
    stripe.createToken('account', {{ business_type: 'individual',
      individual: {{ first_name: 'Jenny', last_name: 'Rosen' }}, tos_shown_and_accepted: true }}),
    stripe.createToken('pii', {{ personal_id_number: '000000000' }}),
  ]).then((r) => {{ window.result = r; }});
</script>"#,
        pk = h.pk(),
    );
    let url = shop.page("tokens", &h.sandbox.base_url(), &body);
    b.goto(&url).await;
    let result = b.result().await;
    assert!(
        result[0]["token"]["id"]
            .as_str()
            .unwrap()
            .starts_with("btok_"),
        "{result}"
    );
    assert_eq!(result[0]["token"]["bank_account"]["last4"], "6789");
    assert!(
        result[1]["token"]["id"]
            .as_str()
            .unwrap()
            .starts_with("ct_")
    );
    assert_eq!(result[2]["error"]["type"], "invalid_request_error");
}

// ---- The deferred flow: the Payment Element before the PaymentIntent ----

/// A page whose Elements are made from `options` (a JS object literal) without a client secret.
/// `window.pay(cs)` submits then confirms; `window.confirmOnly(cs)` confirms without
/// submitting; `window.submitOnly()` submits. Each stores what it resolved to in
/// `window.result`, or `{thrown: {name, message}}` when it rejected.
fn deferred_page(h: &Harness, shop: &Shop, name: &str, options: &str) -> String {
    let body = format!(
        r#"<main><h1>Checkout</h1><div id="payment"></div></main>
<script>
  window.ready = false;
  const stripe = Stripe({pk:?}, {{ stripeAccount: {LUMEN:?} }});
  const elements = stripe.elements({options});
  const payment = elements.create('payment');
  payment.on('ready', () => {{ window.ready = true; }});
  payment.mount('#payment');
  window.stripe = stripe;
  window.elements = elements;
  window.frame = () => document.querySelector('#payment iframe');
  window.settle = (promise) => {{
    window.result = undefined;
    promise.then(
      (r) => {{ window.result = r; }},
      (e) => {{ window.result = {{ thrown: {{ name: e.name, message: e.message }} }}; }},
    );
  }};
  window.pay = (cs) => settle(elements.submit().then((r) => r.error ? {{ submitError: r.error }}
    : stripe.confirmPayment({{ elements, clientSecret: cs, redirect: 'if_required' }})));
  window.confirmOnly = (cs) => settle(stripe.confirmPayment({{ elements, clientSecret: cs, redirect: 'if_required' }}));
  window.submitOnly = () => settle(elements.submit());
</script>"#,
        pk = h.pk(),
    );
    shop.page(name, &h.sandbox.base_url(), &body)
}

/// Runs `call` (a statement on the page) and waits for what it settled to.
async fn settled(b: &Browser, call: &str) -> Value {
    b.js(&format!("{call}; return null;")).await;
    b.result().await
}

async fn payment_intent_count(h: &Harness) -> usize {
    let list = h
        .get(
            "/v1/payment_intents",
            "limit=100",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["has_more"], false, "the count fits one page");
    list.body["data"].as_array().unwrap().len()
}

async fn intent_for(h: &Harness, amount: u32, currency: &str) -> Value {
    h.create_intent(
        LUMEN,
        &format!(
            "amount={amount}&currency={currency}&application_fee_amount=150&automatic_payment_methods[enabled]=true"
        ),
    )
    .await
}

fn secret(pi: &Value) -> &str {
    pi["client_secret"].as_str().unwrap()
}

async fn deferred_payment_element_mounts_without_a_payment_intent(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let before = payment_intent_count(h).await;
    let url = deferred_page(
        h,
        shop,
        "deferred-mount",
        "{ mode: 'payment', amount: 2400, currency: 'usd' }",
    );
    b.goto(&url).await;
    b.wait_until("the deferred Payment Element to be ready", "window.ready")
        .await;
    b.type_card("#payment", CARD).await;
    assert_eq!(
        payment_intent_count(h).await,
        before,
        "mounting and typing made no PaymentIntent"
    );
}

async fn deferred_elements_options_are_integration_errors_when_wrong(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let body = format!(
        r#"<script>
  const stripe = Stripe({pk:?}, {{ stripeAccount: {LUMEN:?} }});
  const ok = {{ mode: 'payment', amount: 2400, currency: 'usd' }};
  const cases = {{
    both: () => stripe.elements({{ ...ok, clientSecret: 'pi_1_secret_2' }}),
    setup: () => stripe.elements({{ mode: 'setup', currency: 'usd' }}),
    subscription: () => stripe.elements({{ ...ok, mode: 'subscription' }}),
    unknownMode: () => stripe.elements({{ ...ok, mode: 'later' }}),
    noAmount: () => stripe.elements({{ mode: 'payment', currency: 'usd' }}),
    zeroAmount: () => stripe.elements({{ ...ok, amount: 0 }}),
    fractionalAmount: () => stripe.elements({{ ...ok, amount: 24.5 }}),
    noCurrency: () => stripe.elements({{ mode: 'payment', amount: 2400 }}),
    upperCurrency: () => stripe.elements({{ ...ok, currency: 'USD' }}),
    captureMethod: () => stripe.elements({{ ...ok, captureMethod: 'later' }}),
    setupFutureUsage: () => stripe.elements({{ ...ok, setupFutureUsage: 'always' }}),
    typesNotArray: () => stripe.elements({{ ...ok, paymentMethodTypes: 'card' }}),
    typesNotCard: () => stripe.elements({{ ...ok, paymentMethodTypes: ['card', 'ideal'] }}),
    onBehalfOf: () => stripe.elements({{ ...ok, onBehalfOf: 'cus_123' }}),
    paymentWithNeither: () => stripe.elements().create('payment'),
    updateWithSecret: () => stripe.elements({{ clientSecret: 'pi_1_secret_2' }}).update({{ amount: 100 }}),
    updateBadAmount: () => stripe.elements(ok).update({{ amount: -5 }}),
    updateBadMode: () => stripe.elements(ok).update({{ mode: 'setup' }}),
  }};
  const result = {{}};
  for (const [name, run] of Object.entries(cases)) {{
    try {{ run(); result[name] = null; }} catch (e) {{ result[name] = {{ name: e.name, message: e.message }}; }}
  }}
  try {{
    stripe.elements({{ ...ok, captureMethod: 'automatic_async', setupFutureUsage: 'off_session',
      paymentMethodTypes: ['card'], onBehalfOf: {LUMEN:?} }}).update({{ amount: 100, currency: 'eur' }});
    stripe.elements().create('card');
    result.accepted = true;
  }} catch (e) {{ result.accepted = e.message; }}
  window.result = result;
</script>"#,
        pk = h.pk(),
    );
    let url = shop.page("deferred-options", &h.sandbox.base_url(), &body);
    b.goto(&url).await;
    let result = b.result().await;
    assert_eq!(result["accepted"], true, "{result}");
    let expected = [
        ("both", "clientSecret and mode cannot both be specified"),
        ("setup", "no SetupIntents or subscriptions"),
        ("subscription", "no SetupIntents or subscriptions"),
        ("unknownMode", "mode should be one of payment"),
        ("noAmount", "amount is required"),
        ("zeroAmount", "amount should be a positive integer"),
        ("fractionalAmount", "amount should be a positive integer"),
        ("noCurrency", "currency is required"),
        (
            "upperCurrency",
            "three-letter ISO currency code in lowercase",
        ),
        (
            "captureMethod",
            "captureMethod should be one of automatic, automatic_async, manual",
        ),
        (
            "setupFutureUsage",
            "setupFutureUsage should be one of off_session, on_session",
        ),
        (
            "typesNotArray",
            "paymentMethodTypes should be a non-empty array",
        ),
        ("typesNotCard", "supports card payments only"),
        ("onBehalfOf", "onBehalfOf should be a connected account id"),
        ("paymentWithNeither", "you must pass a clientSecret or mode"),
        (
            "updateWithSecret",
            "amount can only be updated on Elements created without a clientSecret",
        ),
        (
            "updateBadAmount",
            "Invalid value for elements.update(): amount should be a positive integer",
        ),
        ("updateBadMode", "no SetupIntents or subscriptions"),
    ];
    for (case, words) in expected {
        let error = &result[case];
        assert_eq!(error["name"], "IntegrationError", "{case}: {result}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(words), "{case}: {message}");
    }
}

async fn deferred_update_changes_the_amount_and_keeps_the_typed_card(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let url = deferred_page(
        h,
        shop,
        "deferred-update",
        "{ mode: 'payment', amount: 1000, currency: 'usd' }",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", CARD).await;
    b.js("window.first = window.frame(); window.elements.update({ amount: 2400 }); return null;")
        .await;
    let same = b
        .js("return window.first === window.frame() && window.first.isConnected && document.querySelectorAll('#payment iframe').length === 1;")
        .await;
    assert_eq!(same, true, "the update kept the one iframe");
    let pi = intent_for(h, 2400, "usd").await;
    let result = settled(b, &format!("window.pay({:?})", secret(&pi))).await;
    assert_eq!(
        result["paymentIntent"]["status"], "succeeded",
        "the card typed before the update paid the new amount: {result}"
    );
    assert_eq!(status_of(h, &pi).await, "succeeded");
}

async fn deferred_submit_reports_an_incomplete_card_as_a_validation_error(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let url = deferred_page(
        h,
        shop,
        "deferred-submit",
        "{ mode: 'payment', amount: 2400, currency: 'usd' }",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", &[("number", "4242")]).await;
    let result = settled(b, "window.submitOnly()").await;
    let error = &result["error"];
    assert_eq!(error["type"], "validation_error", "{result}");
    assert_eq!(error["code"], "incomplete_number");
    assert_eq!(error["message"], "Your card number is incomplete.");
}

async fn deferred_confirm_without_submit_is_refused(h: &Harness, shop: &Shop, b: &Browser) {
    let url = deferred_page(
        h,
        shop,
        "deferred-no-submit",
        "{ mode: 'payment', amount: 2400, currency: 'usd' }",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", CARD).await;
    let pi = intent_for(h, 2400, "usd").await;
    let must_submit = "elements.submit() must be called before stripe.confirmPayment()";

    let result = settled(b, &format!("window.confirmOnly({:?})", secret(&pi))).await;
    assert_eq!(result["thrown"]["name"], "IntegrationError", "{result}");
    let message = result["thrown"]["message"].as_str().unwrap();
    assert!(message.contains(must_submit), "{message}");

    let result = settled(b, "window.submitOnly()").await;
    assert_eq!(result, json!({}));
    let result = settled(
        b,
        "window.settle(window.stripe.confirmPayment({ elements: window.elements, redirect: 'if_required' }))",
    )
    .await;
    assert_eq!(result["thrown"]["name"], "IntegrationError", "{result}");
    let message = result["thrown"]["message"].as_str().unwrap();
    assert!(message.contains("clientSecret is required"), "{message}");

    // A change of amount after the submit needs a new one.
    settled(b, "window.submitOnly()").await;
    b.js("window.elements.update({ amount: 2500 }); return null;")
        .await;
    let result = settled(b, &format!("window.confirmOnly({:?})", secret(&pi))).await;
    let message = result["thrown"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(must_submit), "{result}");
    assert_eq!(status_of(h, &pi).await, "requires_payment_method");

    // One submit is one confirmation.
    b.js("window.elements.update({ amount: 2400 }); return null;")
        .await;
    let result = settled(b, &format!("window.pay({:?})", secret(&pi))).await;
    assert_eq!(result["paymentIntent"]["status"], "succeeded", "{result}");
    let result = settled(b, &format!("window.confirmOnly({:?})", secret(&pi))).await;
    let message = result["thrown"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(must_submit), "{result}");
}

async fn deferred_payment_succeeds_end_to_end(h: &Harness, shop: &Shop, b: &Browser) {
    let url = deferred_page(
        h,
        shop,
        "deferred-pay",
        "{ mode: 'payment', amount: 2400, currency: 'usd' }",
    );
    let before = payment_intent_count(h).await;
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", CARD).await;
    // The shop's server makes the PaymentIntent once the shopper presses Pay.
    let pi = intent_for(h, 2400, "usd").await;
    let result = settled(b, &format!("window.pay({:?})", secret(&pi))).await;
    assert_eq!(result["paymentIntent"]["status"], "succeeded", "{result}");
    assert_eq!(result["paymentIntent"]["id"], pi["id"]);
    assert_eq!(status_of(h, &pi).await, "succeeded");
    assert_eq!(payment_intent_count(h).await, before + 1);
}

async fn deferred_confirm_refuses_an_intent_for_another_payment(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let url = deferred_page(
        h,
        shop,
        "deferred-mismatch",
        "{ mode: 'payment', amount: 2400, currency: 'usd', captureMethod: 'automatic_async' }",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", CARD).await;
    let cases = [
        (intent_for(h, 1200, "usd").await, "amount (1200)", "(2400)"),
        (intent_for(h, 2400, "eur").await, "currency (eur)", "(usd)"),
        (
            h.create_intent(
                LUMEN,
                "amount=2400&currency=usd&capture_method=manual&automatic_payment_methods[enabled]=true",
            )
            .await,
            "capture_method (manual)",
            "(automatic_async)",
        ),
    ];
    for (pi, intent_side, elements_side) in &cases {
        let result = settled(b, &format!("window.pay({:?})", secret(pi))).await;
        assert_eq!(result["thrown"]["name"], "IntegrationError", "{result}");
        let message = result["thrown"]["message"].as_str().unwrap();
        assert!(
            message.contains(intent_side) && message.contains(elements_side),
            "{message}"
        );
        let read = h
            .get(
                &format!("/v1/payment_intents/{}", pi["id"].as_str().unwrap()),
                "",
                h.secret_for(Some(LUMEN)),
            )
            .await;
        assert_eq!(read.body["status"], "requires_payment_method");
        assert_eq!(
            read.body["latest_charge"],
            Value::Null,
            "nothing was charged"
        );
    }
    // automatic (the intent) and automatic_async (the Elements) are the same payment.
    let pi = h
        .create_intent(
            LUMEN,
            "amount=2400&currency=usd&capture_method=automatic&automatic_payment_methods[enabled]=true",
        )
        .await;
    let result = settled(b, &format!("window.pay({:?})", secret(&pi))).await;
    assert_eq!(result["paymentIntent"]["status"], "succeeded", "{result}");
}

async fn deferred_three_d_secure_challenge_completes_in_a_modal(
    h: &Harness,
    shop: &Shop,
    b: &Browser,
) {
    let url = deferred_page(
        h,
        shop,
        "deferred-3ds",
        "{ mode: 'payment', amount: 2400, currency: 'usd' }",
    );
    b.goto(&url).await;
    b.wait_until("ready", "window.ready").await;
    b.type_card("#payment", &card("4000002500003155")).await;
    let pi = intent_for(h, 2400, "usd").await;
    b.js(&format!("window.pay({:?}); return null;", secret(&pi)))
        .await;
    answer_challenge(b, "Complete authentication").await;
    let result = b.result().await;
    assert_eq!(result["paymentIntent"]["status"], "succeeded", "{result}");
    assert_eq!(status_of(h, &pi).await, "succeeded");
}

#[tokio::test]
async fn stripe_js_stand_in_in_chromium() {
    let started = std::time::Instant::now();
    let Some(browser) = Browser::start().await else {
        eprintln!(
            "SKIPPED (SKIP_BROWSER_TESTS=1): the browser tests of the Stripe.js stand-in did not \
             run"
        );
        return;
    };
    eprintln!("browser up after {:?}", started.elapsed());
    let h = start().await;
    let shop = Shop::start().await;
    // Scenarios in order; a failure names the behaviour that broke.
    payment_element_mounts_and_reports_change_events(&h, &shop, &browser).await;
    eprintln!(
        "payment_element_mounts_and_reports_change_events: {:?}",
        started.elapsed()
    );
    confirm_payment_succeeds_with_a_good_card(&h, &shop, &browser).await;
    eprintln!(
        "confirm_payment_succeeds_with_a_good_card: {:?}",
        started.elapsed()
    );
    confirm_payment_reports_a_decline(&h, &shop, &browser).await;
    eprintln!("confirm_payment_reports_a_decline: {:?}", started.elapsed());
    confirm_payment_reports_an_incomplete_card_as_a_validation_error(&h, &shop, &browser).await;
    eprintln!(
        "confirm_payment_reports_an_incomplete_card_as_a_validation_error: {:?}",
        started.elapsed()
    );
    three_d_secure_challenge_completed_in_a_modal_succeeds(&h, &shop, &browser).await;
    eprintln!(
        "three_d_secure_challenge_completed_in_a_modal_succeeds: {:?}",
        started.elapsed()
    );
    three_d_secure_challenge_failed_is_an_authentication_error(&h, &shop, &browser).await;
    eprintln!(
        "three_d_secure_challenge_failed_is_an_authentication_error: {:?}",
        started.elapsed()
    );
    redirect_always_returns_to_the_return_url_with_stripes_parameters(&h, &shop, &browser).await;
    eprintln!(
        "redirect_always_returns_to_the_return_url_with_stripes_parameters: {:?}",
        started.elapsed()
    );
    two_elements_on_one_page_pay_separately(&h, &shop, &browser).await;
    eprintln!(
        "two_elements_on_one_page_pay_separately: {:?}",
        started.elapsed()
    );
    handle_next_action_finishes_a_server_side_confirmation(&h, &shop, &browser).await;
    eprintln!(
        "handle_next_action_finishes_a_server_side_confirmation: {:?}",
        started.elapsed()
    );
    create_token_makes_bank_account_and_account_tokens(&h, &shop, &browser).await;
    eprintln!(
        "create_token_makes_bank_account_and_account_tokens: {:?}",
        started.elapsed()
    );
    deferred_payment_element_mounts_without_a_payment_intent(&h, &shop, &browser).await;
    eprintln!(
        "deferred_payment_element_mounts_without_a_payment_intent: {:?}",
        started.elapsed()
    );
    deferred_elements_options_are_integration_errors_when_wrong(&h, &shop, &browser).await;
    eprintln!(
        "deferred_elements_options_are_integration_errors_when_wrong: {:?}",
        started.elapsed()
    );
    deferred_update_changes_the_amount_and_keeps_the_typed_card(&h, &shop, &browser).await;
    eprintln!(
        "deferred_update_changes_the_amount_and_keeps_the_typed_card: {:?}",
        started.elapsed()
    );
    deferred_submit_reports_an_incomplete_card_as_a_validation_error(&h, &shop, &browser).await;
    eprintln!(
        "deferred_submit_reports_an_incomplete_card_as_a_validation_error: {:?}",
        started.elapsed()
    );
    deferred_confirm_without_submit_is_refused(&h, &shop, &browser).await;
    eprintln!(
        "deferred_confirm_without_submit_is_refused: {:?}",
        started.elapsed()
    );
    deferred_payment_succeeds_end_to_end(&h, &shop, &browser).await;
    eprintln!(
        "deferred_payment_succeeds_end_to_end: {:?}",
        started.elapsed()
    );
    deferred_confirm_refuses_an_intent_for_another_payment(&h, &shop, &browser).await;
    eprintln!(
        "deferred_confirm_refuses_an_intent_for_another_payment: {:?}",
        started.elapsed()
    );
    deferred_three_d_secure_challenge_completes_in_a_modal(&h, &shop, &browser).await;
    eprintln!(
        "deferred_three_d_secure_challenge_completes_in_a_modal: {:?}",
        started.elapsed()
    );
    browser.close().await;
}
