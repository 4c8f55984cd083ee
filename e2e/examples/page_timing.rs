//! How long the checkout page takes to become usable in headless Chromium, for
//! `cargo xtask bench`. Prints one JSON object: every run's milestones, in milliseconds from
//! the start of the navigation.
//!
//! ```text
//! cargo run -p connect-checkout-e2e --example page_timing -- \
//!     --url 'http://127.0.0.1:8080/?seller=acct_1LumenCoffee0001' [--runs 12] [--warm] [--phone]
//! ```
//!
//! The page is the one the function serves (`WIDGET_DIR`), unchanged. Before any page script
//! runs, a small observer is added to every new document through the DevTools protocol
//! (`Page.addScriptToEvaluateOnNewDocument`); it notes `performance.now()` (milliseconds since
//! the navigation started) when each milestone is first reached:
//!
//! - `rendered`: the checkout's root element (`[data-role=checkout]`) is in the page;
//! - `state_ready`: the checkout says `data-state="ready"` (the cart is shown and its Payment
//!   Element mounted; no PaymentIntent exists until Pay);
//! - `element_ready`: the card fields' iframe reported `ready` to Stripe.js: the card field is
//!   ready, a shopper can type;
//! - `form_ready`: the later of the two: the form is ready for card entry;
//! - `card_complete`: the card fields reported a complete card (`change`, `complete: true`);
//! - `pay_enabled`: the later of `card_complete` and the moment the Pay button last became
//!   enabled: Pay can be pressed with a complete card.
//!
//! At `form_ready` the observer asks the card iframe (where the same script runs) to type the
//! test card (4242 4242 4242 4242, 12 / 34, 123, 10001): it sets each field and fires its
//! `input` event, as typing does, and says when it finished (`typed`). Typing is instant and
//! in the page, so no WebDriver round trip is in the figures; `typed - form_ready` is
//! reported to show it. Resource timings of the wasm, Stripe.js and the API calls are
//! included too. By default every run starts with an empty HTTP cache (a shopper's
//! first visit); `--warm` keeps the cache.
//!
//! `--phone` measures a shopper on a phone: before the first run, the DevTools protocol slows
//! the page's network to Chrome DevTools' "Fast 3G" preset (`Network.emulateNetworkConditions`;
//! see [`FAST_3G`]) and its CPU four times (`Emulation.setCPUThrottlingRate`), and every wait
//! allows a minute instead of 20 s. The emulation applies to every request of the page and its
//! same-process frames: the HTML, wasm and JS from the function's `serve` (brotli when the
//! build wrote it), the API calls, and Stripe.js.
//!
//! `--count-intents SANDBOX_URL --seller acct_…` counts the PaymentIntents the seller has in
//! the sandbox before the first run and after the last, and prints how many the runs made:
//! page views make none (the PaymentIntent waits for Pay). `--pay` then presses Pay in each run
//! once Pay is enabled and waits for the receipt (`paid`), so the count is the PaymentIntents
//! per completed payment. It also counts every Stripe call the runs cost
//! (`GET /_sandbox/requests` before and after, `stripe_calls`): the function's (secret key)
//! and Stripe.js's in the page (publishable key). The counts are read inside the listings of
//! the PaymentIntents, so the listings' own calls are not counted.
//!
//! `--embed --host-port N --seller acct_…` measures the embed instead: `--url` is then the
//! function's origin, and the page is a platform's own, served here on `http://127.0.0.1:N`
//! (another origin, which the function must allow), with the loader in its head. Once the page
//! has loaded, its script inserts `<connect-checkout seller=…>` and notes when (`inserted`):
//! the loader fetches the checkout's wasm only then, as on a real host page.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use connect_checkout_e2e::host::{Host, host_csp, host_page};
use connect_checkout_e2e::{ChromeDriver, connect_webdriver};
use fantoccini::Client;
use serde_json::{Value, json};

/// Chrome DevTools' "Fast 3G" network preset (named "Slow 4G" in recent DevTools), the figures
/// Lighthouse's mobile profile uses too: 150 ms round trips, 1.6 Mbit/s down and 750 kbit/s
/// up. The protocol delays whole requests, not packets, so DevTools scales them as given here:
/// the latency by 3.75 (562.5 ms a request, standing for the round trips a real link would
/// also spend on connections and TCP's slow start) and the throughput by 0.9 (bytes a second).
const FAST_3G: FastThreeG = FastThreeG {
    latency_ms: 150.0 * 3.75,
    download_bytes_per_s: 1_600_000.0 / 8.0 * 0.9,
    upload_bytes_per_s: 750_000.0 / 8.0 * 0.9,
};
/// A mid-range phone runs the page's scripts about four times slower than this machine: the
/// slowdown DevTools offers for it and Lighthouse's mobile profile applies.
const PHONE_CPU_SLOWDOWN: f64 = 4.0;

struct FastThreeG {
    latency_ms: f64,
    download_bytes_per_s: f64,
    upload_bytes_per_s: f64,
}

/// Runs in every new document before its own scripts: in the page it notes the milestones in
/// `window.__ccBench`; in the card fields' iframe it types the test card when the page asks.
const OBSERVER: &str = r#"
(() => {
  if (window.top !== window) {
    // The card iframe (the sandbox's Stripe.js stand-in). Typing here, in the page's own
    // event loop, keeps WebDriver's round trips out of the figures.
    window.addEventListener('message', (event) => {
      if (!event.data || event.data.__ccBench !== 'type' || event.source !== window.parent) return;
      const set = (name, value) => {
        const input = document.querySelector(`input[name="${name}"]`);
        if (!input || input.closest('[hidden]')) return;
        input.value = value;
        input.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText'}));
      };
      set('number', '4242 4242 4242 4242');
      set('expiry', '12 / 34');
      set('cvc', '123');
      set('postalCode', '10001');
      window.parent.postMessage(
        {__ccBench: 'typed', at: performance.timeOrigin + performance.now()}, '*');
    });
    return;
  }
  const marks = {};
  window.__ccBench = marks;
  const note = (name) => { if (marks[name] === undefined) marks[name] = performance.now(); };
  const both = () => {
    if (marks.form_ready === undefined
        && marks.state_ready !== undefined && marks.element_ready !== undefined) {
      note('form_ready');
      const frame = document.querySelector('[data-role="payment-element"] iframe');
      if (frame) frame.contentWindow.postMessage({__ccBench: 'type'}, '*');
    }
    if (marks.card_complete !== undefined && marks.pay_enabled_since !== undefined) {
      marks.pay_enabled = Math.max(marks.card_complete, marks.pay_enabled_since);
    }
  };
  const check = () => {
    const root = document.querySelector('[data-role="checkout"]');
    if (!root) return;
    note('rendered');
    if (root.dataset.state === 'ready') note('state_ready');
    const pay = document.querySelector('button[data-role="pay"]');
    if (pay && !pay.disabled) {
      if (marks.pay_enabled_since === undefined) marks.pay_enabled_since = performance.now();
    } else {
      delete marks.pay_enabled_since;
      delete marks.pay_enabled;
    }
    both();
  };
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && data.__ccBench === 'typed') marks.typed = data.at - performance.timeOrigin;
    if (!data || data.__stripeSandbox !== 1) return;
    if (data.type === 'ready') note('element_ready');
    if (data.type === 'change' && data.complete) note('card_complete');
    both();
  }, true);
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-state', 'disabled'],
  });
})();
"#;

/// Everything the page knows once Pay is enabled, in the page's clock.
const COLLECT: &str = r#"
const marks = window.__ccBench || {};
const resource = (test) => {
  const entry = performance.getEntriesByType('resource').find((e) => test(e.name));
  return entry ? entry.responseEnd : null;
};
const nav = performance.getEntriesByType('navigation')[0];
return {
  marks,
  time_origin: performance.timeOrigin,
  html_loaded: nav ? nav.responseEnd : null,
  dom_content_loaded: nav ? nav.domContentLoadedEventEnd : null,
  wasm_loaded: resource((n) => n.endsWith('.wasm')),
  config_loaded: resource((n) => n.includes('/api/config')),
  stripe_js_loaded: resource((n) => n.includes('/v3')),
  loader_loaded: resource((n) => n.includes('/embed/loader.js')),
  inserted: window.__ccInserted ?? null,
};
"#;

/// The host page's script for `--embed`: the checkout goes in once the page has loaded.
fn insert_script(seller: &str) -> String {
    format!(
        "addEventListener('load', function () {{\n\
         \x20 setTimeout(function () {{\n\
         \x20   var checkout = document.createElement('connect-checkout');\n\
         \x20   checkout.setAttribute('seller', '{seller}');\n\
         \x20   window.__ccInserted = performance.now();\n\
         \x20   document.body.appendChild(checkout);\n\
         \x20 }}, 0);\n\
         }});\n"
    )
}

struct Options {
    url: String,
    runs: usize,
    warm: bool,
    embed: bool,
    host_port: u16,
    seller: String,
    pay: bool,
    count_intents: Option<String>,
    phone: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        url: String::new(),
        runs: 12,
        warm: false,
        embed: false,
        host_port: 0,
        seller: String::new(),
        pay: false,
        count_intents: None,
        phone: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => options.url = args.next().ok_or("--url needs the page's URL")?,
            "--runs" => {
                options.runs = args
                    .next()
                    .and_then(|runs| runs.parse().ok())
                    .filter(|&runs| runs > 0)
                    .ok_or("--runs needs a positive whole number")?;
            }
            "--warm" => options.warm = true,
            "--embed" => options.embed = true,
            "--host-port" => {
                options.host_port = args
                    .next()
                    .and_then(|port| port.parse().ok())
                    .ok_or("--host-port needs a port number")?;
            }
            "--seller" => options.seller = args.next().ok_or("--seller needs an account id")?,
            "--pay" => options.pay = true,
            "--phone" => options.phone = true,
            "--count-intents" => {
                options.count_intents = Some(
                    args.next()
                        .ok_or("--count-intents needs the sandbox's URL")?,
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if options.url.is_empty() {
        return Err("--url is required".into());
    }
    if options.count_intents.is_some() && options.seller.is_empty() {
        return Err("--count-intents needs --seller".into());
    }
    if options.embed && (options.host_port == 0 || options.seller.is_empty()) {
        return Err("--embed needs --host-port and --seller".into());
    }
    Ok(options)
}

/// A ChromeDriver of our own, so that its address is known for DevTools commands.
struct Driver {
    url: String,
    process: ChromeDriver,
    client: Client,
    /// How long [`Driver::poll`] waits: longer on a slowed phone.
    patience: Duration,
}

impl Driver {
    async fn start(patience: Duration) -> Self {
        let process = ChromeDriver::start().await;
        // The same browser as the end-to-end tests (connect_checkout_e2e::Browser). With the
        // page load strategy `none`, a navigation returns at once and the harness watches the
        // page come up instead of waiting for its load event.
        let mut capabilities = process.capabilities();
        capabilities.insert("pageLoadStrategy".into(), json!("none"));
        let client = connect_webdriver(process.port, capabilities).await;
        Self {
            url: format!("http://127.0.0.1:{}", process.port),
            process,
            client,
            patience,
        }
    }

    /// A DevTools protocol command, through ChromeDriver's `goog/cdp/execute`.
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let session = self.client.session_id().await.unwrap().unwrap();
        let response = reqwest::Client::new()
            .post(format!("{}/session/{session}/goog/cdp/execute", self.url))
            .json(&json!({ "cmd": cmd, "params": params }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{cmd}: {body}");
        body
    }

    async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|error| panic!("{script}: {error}"))
    }

    /// Polls `script` (a `return …;` body) until it gives a non-null value, within the
    /// driver's patience.
    async fn poll(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + self.patience;
        loop {
            if let Ok(value) = self.client.execute(script, vec![]).await
                && !value.is_null()
            {
                return value;
            }
            if Instant::now() >= deadline {
                // What the page shows, so that a stuck run says where it stopped.
                let page = self
                    .client
                    .execute(
                        "return JSON.stringify({marks: window.__ccBench, \
                         state: document.querySelector('[data-role=checkout]')?.dataset.state, \
                         text: document.body && document.body.innerText.slice(0, 400)});",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                panic!(
                    "no {what} within {} s; the page: {page}",
                    self.patience.as_secs()
                );
            }
            // The page notes its own times, so polling seldom loses no precision and leaves the
            // CPU to the page.
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        self.process.kill().await;
    }
}

async fn one_run(driver: &Driver, url: &str, warm: bool, pay: bool) -> Value {
    driver.client.goto("about:blank").await.unwrap();
    if !warm {
        driver.cdp("Network.clearBrowserCache", json!({})).await;
    }
    driver.client.goto(url).await.unwrap();
    driver
        .poll(
            "an enabled Pay button with a complete card",
            "return (window.__ccBench && window.__ccBench.pay_enabled) ?? null;",
        )
        .await;
    let mut collected = driver.eval(COLLECT).await;
    if pay {
        driver
            .eval("document.querySelector('button[data-role=\"pay\"]').click(); return true;")
            .await;
        let paid = driver
            .poll(
                "the receipt",
                "return document.querySelector('[data-role=checkout]')?.dataset.state === 'succeeded' \
                 ? performance.now() : null;",
            )
            .await;
        collected["paid"] = paid;
    }
    collected
}

/// How many PaymentIntents `seller` has in the sandbox at `sandbox` (the platform's secret
/// key, which the sandbox hands to local processes). The bench measures pages first, on a
/// fresh sandbox, so one page of 100 holds them all.
async fn intents_of(sandbox: &str, seller: &str) -> usize {
    let http = reqwest::Client::new();
    let get = |url: String, auth: Option<&str>| {
        let mut request = http.get(url);
        if let Some(secret) = auth {
            request = request.bearer_auth(secret).header("Stripe-Account", seller);
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let keys = get(format!("{sandbox}/_sandbox/keys"), None).await;
    let secret = keys["secret_key"].as_str().unwrap();
    let page = get(
        format!("{sandbox}/v1/payment_intents?limit=100"),
        Some(secret),
    )
    .await;
    assert_ne!(page["has_more"], json!(true), "over 100 PaymentIntents");
    page["data"].as_array().map_or(0, Vec::len)
}

/// The `/v1` calls the sandbox at `sandbox` has answered: `(secret or restricted key,
/// publishable key)`, that is (the function's, Stripe.js's in the page).
async fn calls_of(sandbox: &str) -> (u64, u64) {
    let counted: Value = reqwest::get(format!("{sandbox}/_sandbox/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count = |key: &str| counted[key].as_u64().unwrap();
    (count("secret_key"), count("publishable_key"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("page_timing: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // reqwest's rustls needs the process-wide crypto provider the function installs for itself.
    connect_checkout_function::stripe::install_crypto_provider();
    // With --embed, the platform's page on its own origin; else the function's own page.
    let host = if options.embed {
        let host = Host::start_on(options.host_port).await;
        let function = options.url.trim_end_matches('/').to_owned();
        host.script("/insert.js", &insert_script(&options.seller));
        let stripe_js = function_stripe_js_origin(&function).await;
        host.page(
            "/shop",
            host_page(&function, "<script src=\"/insert.js\"></script>", ""),
            Some(host_csp(&function, &stripe_js)),
        );
        Some(host)
    } else {
        None
    };
    // The host page as `127.0.0.1:N`: another origin than the function's, but the same site,
    // so that Chromium keeps the card iframe in the page's process, where DevTools' observer
    // script runs and types the card (cross-site, it would be an out-of-process frame). The
    // checkout page above is measured the same way. The cross-site case is e2e/tests/embed.rs.
    let url = match &host {
        Some(_) => format!("http://127.0.0.1:{}/shop", options.host_port),
        None => options.url.clone(),
    };
    // A cold run on the phone profile takes seconds (the wasm alone is over a second at
    // Fast 3G's rate, and each request waits out its latency), so it gets a minute.
    let patience = Duration::from_secs(if options.phone { 60 } else { 20 });
    let driver = Driver::start(patience).await;
    driver
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": OBSERVER }),
        )
        .await;
    driver.cdp("Network.enable", json!({})).await;
    if options.phone {
        // Set once on the tab: both last across its navigations. Answers from the HTTP cache
        // (the warm runs) are not slowed, as on a real phone; a revalidation (the no-cache
        // pages and loader) is a request, and waits out the latency.
        driver
            .cdp(
                "Network.emulateNetworkConditions",
                json!({
                    "offline": false,
                    "latency": FAST_3G.latency_ms,
                    "downloadThroughput": FAST_3G.download_bytes_per_s,
                    "uploadThroughput": FAST_3G.upload_bytes_per_s,
                    "connectionType": "cellular3g",
                }),
            )
            .await;
        driver
            .cdp(
                "Emulation.setCPUThrottlingRate",
                json!({ "rate": PHONE_CPU_SLOWDOWN }),
            )
            .await;
    }
    // One run that is not counted: Chromium's first page starts processes and fills caches
    // of its own that no shopper's browser starts without.
    let before = match &options.count_intents {
        Some(sandbox) => Some((
            intents_of(sandbox, &options.seller).await,
            calls_of(sandbox).await,
        )),
        None => None,
    };
    let warm_up = one_run(&driver, &url, options.warm, options.pay).await;
    let mut runs = Vec::new();
    for _ in 0..options.runs {
        runs.push(one_run(&driver, &url, options.warm, options.pay).await);
    }
    // The warm-up run counts here: it made whatever PaymentIntent it made.
    let intents = match (&options.count_intents, before) {
        (Some(sandbox), Some((intents, (server, browser)))) => {
            let (server_after, browser_after) = calls_of(sandbox).await;
            Some(json!({
                "page_views": options.runs + 1,
                "payments": if options.pay { options.runs + 1 } else { 0 },
                "created": intents_of(sandbox, &options.seller).await.saturating_sub(intents),
                "stripe_calls": {
                    "function": server_after.saturating_sub(server),
                    "browser": browser_after.saturating_sub(browser),
                },
            }))
        }
        _ => None,
    };
    let version = driver
        .eval("return navigator.userAgent;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    driver.stop().await;
    if let Some(host) = host {
        host.stop();
    }
    println!(
        "{}",
        json!({
            "url": url,
            "cache": if options.warm { "warm" } else { "cold" },
            "profile": if options.phone {
                json!({
                    "name": "phone",
                    "latency_ms": FAST_3G.latency_ms,
                    "download_bytes_per_s": FAST_3G.download_bytes_per_s,
                    "upload_bytes_per_s": FAST_3G.upload_bytes_per_s,
                    "cpu_slowdown": PHONE_CPU_SLOWDOWN,
                })
            } else {
                json!({ "name": "desktop" })
            },
            "user_agent": version,
            "warm_up": warm_up,
            "runs": runs,
            "payment_intents": intents,
        })
    );
    std::process::ExitCode::SUCCESS
}

/// The origin of the Stripe.js the function configures (`GET /api/config`), for the host
/// page's Content-Security-Policy.
async fn function_stripe_js_origin(function: &str) -> String {
    let config: Value = reqwest::get(format!("{function}/api/config"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = config["stripe_js_url"]
        .as_str()
        .unwrap_or("https://js.stripe.com/v3/");
    let parsed = reqwest::Url::parse(url).unwrap();
    parsed.origin().ascii_serialization()
}
