//! The end-to-end harness: the real Stripe sandbox and the real function, each on its own
//! loopback port, serving the built widget (`dist/`, made by `cargo xtask test`), driven by
//! Debian's Chromium through ChromeDriver.
//!
//! It is test support only: nothing here ships. Waits are bounded; every test can keep a
//! screenshot in `e2e/artifacts/` for a person to look at.

#![allow(clippy::expect_used, clippy::unwrap_used)]

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

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The built widget. `cargo xtask test` builds it before running these tests.
pub fn widget_dist() -> PathBuf {
    let dist = std::env::var_os("WIDGET_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dist.join("index.html").exists(),
        "no built widget at {}: run `cargo xtask test` (or `trunk build --release`) first",
        dist.display()
    );
    dist
}

/// The sandbox and the function, running.
pub struct Stack {
    pub sandbox: RunningSandbox,
    pub function_url: String,
    function: JoinHandle<()>,
}

impl Stack {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sandbox = stripe_sandbox::spawn(listener, Seed::default())
            .await
            .unwrap();
        let (function_url, function) = start_function(&sandbox, &[]).await;
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

async fn start_function(
    sandbox: &RunningSandbox,
    extra: &[(&str, &str)],
) -> (String, JoinHandle<()>) {
    let pairs = Stack::function_env(sandbox, extra);
    let env = move |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let mut config = Config::from_env(&env).expect("the e2e configuration is valid");
    config.mode = Mode::Sandbox;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = app(AppState::new(config));
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
    driver: Child,
    _profile: TempDir,
}

impl Browser {
    pub async fn start() -> Self {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port().await;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {chromedriver}: {error}"));
        let profile = TempDir::new("chromium-profile");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1024,900",
                    format!("--user-data-dir={}", profile.path.display()),
                ]
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        _profile: profile,
                    };
                }
                Err(error) => last_error = error.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("ChromeDriver did not start on {url}: {last_error}");
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

    /// Waits (at most 20 s) until `script` (a JS expression) is truthy.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let body = format!("return !!({script});");
        for _ in 0..200 {
            if self
                .client
                .execute(&body, vec![])
                .await
                .ok()
                .and_then(|v| v.as_bool())
                == Some(true)
            {
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
        let _ = self.driver.kill().await;
    }
}

async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A directory removed on drop.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "cc-e2e-{label}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
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
