//! The end-to-end harness: the real Stripe sandbox and the real function, each on its own
//! loopback port, serving the built widget (`dist/`, made by `cargo xtask test`), driven by
//! Debian's Chromium through ChromeDriver.
//!
//! It is test support only: nothing here ships. Waits are bounded; every test can keep a
//! screenshot in `e2e/artifacts/` for a person to look at.

#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod capture;
/// The seller's journey: seeded sellers still to onboard, and a seller's steps in the browser.
pub mod seller;

/// The embed's host pages: a static site on another origin than the function.
pub mod host;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use connect_checkout_core::api::Mode;
use connect_checkout_function::config::Config;
use connect_checkout_function::{AppState, app};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use stripe_sandbox::{RunningSandbox, Seed};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// The seeded seller that can take charges, and its first product.
pub const SELLER: &str = "acct_1LumenCoffee0001";
pub const HOUSE_BLEND_PRICE: &str = "price_1LumenHouseBlend01";
/// The fee the stack is configured with.
pub const PLATFORM_FEE: &str = "10%+30";

/// The `n`th of a series of checkout attempt ids: 32 hex digits, spread by splitmix64 so that
/// they pass the function's check for unguessable ids (at least 128 bits, no patterns) while
/// staying reproducible for a given `seed`. Tests only: real attempts come from a CSPRNG.
pub fn attempt_id(seed: u64, n: u64) -> String {
    let mix = |seed: u64| {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    format!(
        "{:016x}{:016x}",
        mix(seed ^ n.wrapping_mul(2)),
        mix(seed ^ n.wrapping_mul(2).wrapping_add(1))
    )
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The built widget. `cargo xtask test` builds it before running these tests; `WIDGET_DIST`
/// names another folder (`trunk build --release` writes `dist/`).
pub fn widget_dist() -> PathBuf {
    built("WIDGET_DIST", "dist", "index.html", "the built widget")
}

/// The embed's npm package (`embed::package` in xtask), which `cargo xtask test` writes to
/// `target/embed-package/` after building the widget; `EMBED_PACKAGE` names another folder
/// (`cargo xtask dist` writes `target/dist/embed-package/`).
pub fn embed_package() -> PathBuf {
    built(
        "EMBED_PACKAGE",
        "target/embed-package",
        "index.js",
        "the embed package",
    )
}

/// The folder `$variable` names (absolute, or relative to the workspace), else `default` in the
/// workspace; it must hold `marker`.
fn built(variable: &str, default: &str, marker: &str, what: &str) -> PathBuf {
    // Relative to the workspace, not to the test's working directory (`e2e/`), so that the
    // commands in the suites' docs (`WIDGET_DIST=dist …`) work as written.
    let folder = workspace_root().join(
        std::env::var_os(variable)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(default)),
    );
    assert!(
        folder.join(marker).exists(),
        "no {what} at {}: run `cargo xtask test` first, or name it in {variable}",
        folder.display()
    );
    folder
}

/// The sandbox and the function, running.
pub struct Stack {
    pub sandbox: RunningSandbox,
    pub function_url: String,
    function: JoinHandle<()>,
}

impl Stack {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// [`Stack::start`], the function configured with `extra` too (as [`Stack::function_env`]).
    pub async fn start_with(extra: &[(&str, &str)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = stripe_sandbox::spawn(listener, Seed::default())
            .await
            .unwrap();
        let (function_url, function) = start_function(&sandbox, extra).await;
        Self {
            sandbox,
            function_url,
            function,
        }
    }

    /// The function's configuration as `serve` would read it, pointed at the sandbox.
    pub fn function_env(sandbox: &RunningSandbox, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let base = sandbox.base_url();
        let mut pairs = vec![
            (
                "STRIPE_SECRET_KEY".to_owned(),
                sandbox.secret_key().to_owned(),
            ),
            (
                "STRIPE_PUBLISHABLE_KEY".to_owned(),
                sandbox.publishable_key().to_owned(),
            ),
            ("STRIPE_API_BASE".to_owned(), base.clone()),
            ("STRIPE_JS_URL".to_owned(), format!("{base}/v3/")),
            ("PLATFORM_FEE".to_owned(), PLATFORM_FEE.to_owned()),
            ("WIDGET_DIR".to_owned(), widget_dist().display().to_string()),
        ];
        for (name, value) in extra {
            pairs.retain(|(existing, _)| existing != name);
            pairs.push(((*name).to_owned(), (*value).to_owned()));
        }
        pairs
    }

    /// A GET of the sandbox's API as the platform, on `account`.
    pub async fn stripe_get(&self, path: &str, account: Option<&str>) -> Value {
        let mut request = reqwest::Client::new()
            .get(format!("{}{path}", self.sandbox.base_url()))
            .bearer_auth(self.sandbox.secret_key());
        if let Some(account) = account {
            request = request.header("Stripe-Account", account);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    /// A form POST to the sandbox's API as the platform, on `account`: what a platform does
    /// with its own tools (the Dashboard, a script), outside the product.
    pub async fn stripe_post(&self, path: &str, account: &str, form: &[(&str, &str)]) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.sandbox.base_url()))
            .bearer_auth(self.sandbox.secret_key())
            .header("Stripe-Account", account)
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

    /// The seller's PaymentIntents, newest first.
    pub async fn payment_intents(&self, account: &str) -> Vec<Value> {
        let list = self
            .stripe_get("/v1/payment_intents?limit=100", Some(account))
            .await;
        list["data"].as_array().cloned().unwrap_or_default()
    }

    pub async fn shutdown(self) {
        self.function.abort();
        self.sandbox.shutdown().await;
    }
}

/// The function's configuration for the stack: [`Stack::function_env`] with `extra`, in
/// sandbox mode.
fn sandbox_config(sandbox: &RunningSandbox, extra: &[(&str, &str)]) -> Config {
    let pairs = Stack::function_env(sandbox, extra);
    let env = move |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let mut config = Config::from_env(&env).expect("the e2e configuration is valid");
    config.mode = Mode::Sandbox;
    config
}

async fn start_function(
    sandbox: &RunningSandbox,
    extra: &[(&str, &str)],
) -> (String, JoinHandle<()>) {
    let config = sandbox_config(sandbox, extra);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = capture::recorded(app(AppState::new(config)));
    let task = tokio::spawn(async move {
        axum_serve(listener, router).await;
    });
    (url, task)
}

async fn axum_serve(listener: TcpListener, router: axum::Router) {
    axum::serve(listener, router).await.unwrap();
}

/// A headless Chromium session through a ChromeDriver this harness started.
pub struct Browser {
    pub client: Client,
    driver: ChromeDriver,
}

impl Browser {
    pub async fn start() -> Self {
        let driver = ChromeDriver::start().await;
        let client = connect_webdriver(driver.port, driver.capabilities()).await;
        Self { client, driver }
    }

    /// Waits (at most 20 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("no `{css}` within 20 s: {error}"))
    }

    /// Whether the script `body` returns `true` now; a script error counts as not yet.
    async fn returns_true(&self, body: &str) -> bool {
        self.client
            .execute(body, vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true)
    }

    /// Waits (at most 20 s) until `script` (a JS expression) is truthy.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let body = format!("return !!({script});");
        for _ in 0..200 {
            if self.returns_true(&body).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out after 20 s waiting for {what} ({script})");
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Types card details into the Stripe card iframe inside `container`.
    pub async fn enter_card(
        &self,
        container: &str,
        number: &str,
        expiry: &str,
        cvc: &str,
        postal: &str,
    ) {
        let frame = self.find(&format!("{container} iframe")).await;
        frame.enter_frame().await.unwrap();
        for (name, value) in [
            ("number", number),
            ("expiry", expiry),
            ("cvc", cvc),
            ("postalCode", postal),
        ] {
            let input = self.find(&format!("input[name=\"{name}\"]")).await;
            input.clear().await.unwrap();
            input.send_keys(value).await.unwrap();
        }
        self.client.enter_parent_frame().await.unwrap();
    }

    /// Saves a screenshot to `e2e/artifacts/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let dir = workspace_root().join("e2e/artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        if let Ok(png) = self.client.screenshot().await {
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.driver.kill().await;
    }
}

/// How every harness here starts Chromium: headless, with its profile in `profile`.
pub fn chromium_capabilities(profile: &Path) -> serde_json::Map<String, Value> {
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
    capabilities.as_object().unwrap().clone()
}

/// A WebDriver session with the ChromeDriver on `port`, waiting (10 s at most) for it to listen.
pub async fn connect_webdriver(port: u16, capabilities: serde_json::Map<String, Value>) -> Client {
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = String::new();
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("ChromeDriver did not start on {url}: {last_error}");
}

async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A ChromeDriver on a free port with a Chromium profile of its own; both go on drop.
pub struct ChromeDriver {
    pub port: u16,
    process: Child,
    profile: tempfile::TempDir,
}

impl ChromeDriver {
    pub async fn start() -> Self {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        // No opt-out here, unlike the sandbox's browser test: these tests are the proof that the
        // product works in a browser, and `cargo xtask test` installs Chromium before them.
        assert!(
            Path::new(&chromedriver).exists(),
            "no ChromeDriver at {chromedriver}: install Chromium and its driver (`apt-get install \
             chromium chromium-driver`, or run `cargo xtask test`, which does), or name another \
             with CHROMEDRIVER"
        );
        let port = free_port().await;
        // A short name: Chromium's singleton socket lives in TMPDIR (below), and a Unix socket's
        // path must fit in 108 bytes. A profile named by pid and nanoseconds, under CI's own
        // TMPDIR, made it 129 and Chromium exited at start.
        let profile = tempfile::Builder::new()
            .prefix("cc-chromium-")
            .tempdir()
            .unwrap_or_else(|error| panic!("cannot create a Chromium profile: {error}"));
        // Chromium leaves a 100 MB `org.chromium.Chromium.scoped_dir.*` in TMPDIR when it is
        // killed; point TMPDIR into the profile, which is removed on drop, so runs leave nothing.
        let scratch = profile.path().join("tmp");
        std::fs::create_dir_all(&scratch).unwrap();
        let process = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &scratch)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {chromedriver}: {error}"));
        Self {
            port,
            process,
            profile,
        }
    }

    /// The capabilities of a session in this driver's profile.
    pub fn capabilities(&self) -> serde_json::Map<String, Value> {
        chromium_capabilities(self.profile.path())
    }

    /// Stops the driver now (and Chromium with it) rather than when it is dropped.
    pub async fn kill(&mut self) {
        let _ = self.process.kill().await;
    }
}

/// Every place in `text` that looks like a secret or restricted Stripe key.
pub fn secret_keys_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for prefix in ["sk_test_", "sk_live_", "rk_test_", "rk_live_"] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            let candidate: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if candidate.len() > prefix.len() + 3 {
                found.push(candidate);
            }
            rest = &rest[at + prefix.len()..];
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// The shopper's journey (e2e/tests/shopper.rs): a function that can be stopped and started
// again, Stripe's faults, keyboard input, the 3-D Secure challenge, and an axe-core audit.
// ---------------------------------------------------------------------------------------------

/// The function in a Tokio runtime of its own, on a port of its own, so that it can be stopped
/// as a crashed or redeployed process stops (every connection dropped, requests in flight cut
/// off) and started again on the same port.
pub struct RestartableFunction {
    /// `http://127.0.0.1:PORT`, the same across restarts.
    pub url: String,
    addr: std::net::SocketAddr,
    config: Config,
    retry: Option<connect_checkout_function::stripe::retry::RetryPolicy>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl RestartableFunction {
    /// Starts the function against `sandbox` (configured as [`Stack::function_env`] with
    /// `extra`), with Stripe retries timed by `retry` (the function's defaults when `None`).
    pub fn start(
        sandbox: &RunningSandbox,
        extra: &[(&str, &str)],
        retry: Option<connect_checkout_function::stripe::retry::RetryPolicy>,
    ) -> Self {
        let config = sandbox_config(sandbox, extra);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut function = Self {
            url: format!("http://{addr}"),
            addr,
            config,
            retry,
            runtime: None,
        };
        function.serve(listener);
        function
    }

    /// Stops the function at once: its runtime goes, and with it the listener and every
    /// connection, answered or not.
    pub fn stop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    /// Starts the function again on the same port (waiting, at most 5 s, for the port).
    pub async fn restart(&mut self) {
        self.stop();
        for _ in 0..50 {
            if let Ok(listener) = std::net::TcpListener::bind(self.addr) {
                self.serve(listener);
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("port {} did not come free within 5 s", self.addr);
    }

    fn serve(&mut self, listener: std::net::TcpListener) {
        listener.set_nonblocking(true).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut state = AppState::new(self.config.clone());
        if let Some(retry) = self.retry {
            state = state.with_retry_policy(retry);
        }
        let router = capture::recorded(app(state));
        runtime.spawn(async move {
            let listener = TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
        self.runtime = Some(runtime);
    }
}

impl Drop for RestartableFunction {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Switches the sandbox's faults (its README, "Faults"); `json!({})` switches them off.
pub async fn set_sandbox_faults(sandbox: &RunningSandbox, faults: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", sandbox.base_url()))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "the sandbox refused the faults: {}",
        response.text().await.unwrap()
    );
}

/// The sandbox's faults and their counters.
pub async fn sandbox_faults(sandbox: &RunningSandbox) -> Value {
    reqwest::get(format!("{}/_sandbox/faults", sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Where axe-core is installed (`npm install --prefix tools axe-core@4`; 4.14.1 when these
/// tests were written).
pub const AXE_CORE: &str = "tools/node_modules/axe-core/axe.min.js";

impl Browser {
    /// Waits (at most `seconds`) until `script` (a JS expression) is truthy.
    pub async fn wait_within(&self, seconds: u64, what: &str, script: &str) {
        let body = format!("return !!({script});");
        let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
        while std::time::Instant::now() < deadline {
            if self.returns_true(&body).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let state = self
            .client
            .execute(
                "const c = document.querySelector('[data-role=\"checkout\"]'); \
                 return c ? c.dataset.state + ': ' + c.textContent : document.body.textContent;",
                vec![],
            )
            .await
            .ok();
        panic!("timed out after {seconds} s waiting for {what} ({script}); the page: {state:?}");
    }

    /// The value of a JS expression.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(&format!("return ({script});"), vec![])
            .await
            .unwrap_or_else(|error| panic!("{script}: {error}"))
    }

    /// Presses keys one by one (WebDriver actions), as a keyboard does, wherever the focus is
    /// (inside Stripe's iframe too). Special keys are `fantoccini::key::Key` values.
    pub async fn press_keys(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await.unwrap();
    }

    /// Answers the 3-D Secure challenge the Stripe.js stand-in shows over the page, pressing
    /// "Complete authentication" (`complete`) or "Fail authentication" (`fail`).
    pub async fn answer_3ds(&self, action: &str, screenshot: Option<&str>) {
        let frame = self
            .find("iframe[title=\"3D Secure authentication\"]")
            .await;
        if let Some(name) = screenshot {
            // The challenge page loads inside the frame: give it a moment to draw.
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.screenshot(name).await;
        }
        frame.enter_frame().await.unwrap();
        self.find(&format!("button[value=\"{action}\"]"))
            .await
            .click()
            .await
            .unwrap();
        self.client.enter_parent_frame().await.unwrap();
    }

    /// Sets the size of the page's viewport (not the window's outer size) to `width` ×
    /// `height` CSS pixels.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
        let inner = self.eval("[window.innerWidth, window.outerWidth]").await;
        let (inner, outer) = (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap());
        if inner != u64::from(width) {
            let chrome = outer.saturating_sub(inner);
            self.client
                .set_window_size(width + chrome as u32, height)
                .await
                .unwrap();
        }
        let inner = self.eval("window.innerWidth").await;
        assert_eq!(
            inner.as_u64(),
            Some(u64::from(width)),
            "the viewport's width"
        );
    }

    /// Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page and returns the
    /// violations whose impact is serious or critical, each as `id: help (targets)`. Stripe's
    /// iframes are other origins, audited by Stripe: axe checks them from the outside (a
    /// title) but does not enter them.
    pub async fn axe_violations(&self) -> Vec<String> {
        let path = workspace_root().join(AXE_CORE);
        let source = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "{}: {error}; install it with `npm install --prefix tools axe-core@4`",
                path.display()
            )
        });
        self.client.execute(&source, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {iframes: false, resultTypes: ['violations']})
                    .then(r => done({
                        passes: r.passes.length,
                        violations: r.violations.map(v => ({
                            id: v.id, impact: v.impact, help: v.help,
                            targets: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)}))}))
                    .catch(e => done({error: String(e)}));",
                vec![],
            )
            .await
            .unwrap();
        assert!(result.get("error").is_none(), "axe-core failed: {result}");
        assert!(
            result["passes"].as_u64().unwrap_or(0) > 10,
            "axe-core checked the page: {result}"
        );
        let violations = result["violations"].as_array().unwrap();
        for minor in violations
            .iter()
            .filter(|v| !matches!(v["impact"].as_str(), Some("serious" | "critical")))
        {
            eprintln!(
                "axe-core ({}): {}: {}",
                minor["impact"], minor["id"], minor["help"]
            );
        }
        violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| format!("{}: {} ({})", v["id"], v["help"], v["targets"]))
            .collect()
    }
}
