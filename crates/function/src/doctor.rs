//! `connect-checkout doctor`: checks the configuration and the Stripe account behind it, and
//! says for each problem how to fix it. Run it when something is wrong.
//!
//! It only reads, except for probes Stripe refuses before doing anything (a POST without its
//! required parameters answers 400 when the key may write there, 403 when it may not) and one
//! PII token that shows which account the publishable key belongs to.

use serde::Serialize;
use serde_json::Value;

use crate::config::{Config, ConfigError};
use crate::stripe::objects::{Account, List, WebhookEndpoint};
use crate::stripe::{API_VERSION, ApiPath, IdempotencyKey, Params, StripeClient, StripeError};
use crate::webhooks::{CONNECT_EVENTS, PLATFORM_EVENTS};
use connect_checkout_core::TokenId;

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Could not be checked, or worth a look without being wrong.
    Warn,
}

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub name: String,
    pub verdict: Verdict,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Everything the doctor found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    fn pass(&mut self, name: &str, detail: impl Into<String>) {
        self.push(name, Verdict::Pass, detail.into(), None);
    }

    fn fail(&mut self, name: &str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(name, Verdict::Fail, detail.into(), Some(fix.into()));
    }

    fn warn(&mut self, name: &str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(name, Verdict::Warn, detail.into(), Some(fix.into()));
    }

    fn push(&mut self, name: &str, verdict: Verdict, detail: String, fix: Option<String>) {
        self.checks.push(Check {
            name: name.to_owned(),
            verdict,
            detail,
            fix,
        });
    }

    pub fn failed(&self) -> bool {
        self.checks
            .iter()
            .any(|check| check.verdict == Verdict::Fail)
    }

    /// For people: one line per check, with the fix under each problem.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            let mark = match check.verdict {
                Verdict::Pass => "✓",
                Verdict::Fail => "✗",
                Verdict::Warn => "!",
            };
            out.push_str(&format!("{mark} {}: {}\n", check.name, check.detail));
            if let Some(fix) = &check.fix {
                out.push_str(&format!("    fix: {fix}\n"));
            }
        }
        let failures = self
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .count();
        out.push_str(&match failures {
            0 => "\nall checks passed\n".to_owned(),
            n => format!("\n{n} problem(s) found\n"),
        });
        out
    }
}

/// The report for a configuration that did not even load.
pub fn config_failure(error: &ConfigError) -> Report {
    let mut report = Report::default();
    report.fail(
        "configuration",
        error.to_string(),
        "see README, \"Configuration\"",
    );
    report
}

/// What the function needs a restricted key to allow, and a probe for each. Reads are listed
/// calls; writes are POSTs without required parameters, which Stripe refuses with 400 when the
/// key may write there and 403 when it may not, before doing anything. The last column says
/// whether the function needs it (a failure) or only this doctor does (a warning).
const PERMISSIONS: &[(&str, &str, &str, bool)] = &[
    ("Connect accounts: write", "POST", "/v1/accounts", true),
    ("Account links: write", "POST", "/v1/account_links", true),
    ("Products: read", "GET", "/v1/products", true),
    ("Prices: read", "GET", "/v1/prices", true),
    ("PaymentIntents: write", "POST", "/v1/payment_intents", true),
    ("Refunds: write", "POST", "/v1/refunds", true),
    ("Charges: read", "GET", "/v1/charges", true),
    ("Transfers: write", "POST", "/v1/transfers", true),
    (
        "Webhook endpoints: read",
        "GET",
        "/v1/webhook_endpoints",
        false,
    ),
];

/// Runs every check against Stripe (or the sandbox). `function_url` is where Stripe should send
/// webhooks (`PUBLIC_URL` or `--url`).
pub async fn diagnose(
    config: &Config,
    stripe: &StripeClient,
    function_url: Option<&str>,
    now: i64,
) -> Report {
    let mut report = Report::default();
    let secret = stripe.secret_key();
    report.pass(
        "keys",
        format!(
            "secret {} and publishable {} are well-formed",
            secret.fingerprint(),
            crate::keys::fingerprint(config.publishable_key.as_str())
        ),
    );
    report.pass(
        "modes",
        format!(
            "both keys are {} keys ({:?} mode)",
            secret.mode(),
            config.mode
        ),
    );
    if config.mode == connect_checkout_core::api::Mode::Live
        && config.api_base != crate::config::STRIPE_API_BASE
    {
        report.warn(
            "API base",
            format!("live keys are sent to {}", config.api_base),
            "unset STRIPE_API_BASE unless you mean to route live traffic through a proxy",
        );
    }

    // The secret key, and the account it belongs to.
    let platform: Result<Value, StripeError> =
        stripe.get("/v1/account", &Params::new(), None).await;
    let platform_id = match &platform {
        Ok(account) => {
            let id = account["id"].as_str().unwrap_or("?").to_owned();
            let name = account["business_profile"]["name"]
                .as_str()
                .or(account["settings"]["dashboard"]["display_name"].as_str())
                .unwrap_or("(no name)");
            report.pass(
                "secret key",
                format!(
                    "Stripe accepts {}: platform account {id}, {name}",
                    secret.fingerprint()
                ),
            );
            Some(id)
        }
        Err(StripeError::Api {
            status: 401, error, ..
        }) if error.code.as_deref() == Some("api_key_expired") => {
            report.fail(
                "secret key",
                format!("{} has expired (api_key_expired)", secret.fingerprint()),
                "put the rolled key from the Stripe Dashboard (Developers → API keys) in STRIPE_SECRET_KEY",
            );
            None
        }
        Err(StripeError::Api { status: 401, .. }) => {
            report.fail(
                "secret key",
                format!(
                    "Stripe refuses {}: revoked, deleted or mistyped",
                    secret.fingerprint()
                ),
                "copy the current secret key from the Stripe Dashboard into STRIPE_SECRET_KEY",
            );
            None
        }
        Err(StripeError::Api { status: 403, .. }) if secret.is_restricted() => {
            report.warn(
                "secret key",
                format!(
                    "{} may not read the platform account (restricted key)",
                    secret.fingerprint()
                ),
                "grant \"Account: read\" to see which account the key belongs to (optional)",
            );
            None
        }
        Err(error) => {
            report.fail(
                "secret key",
                format!("could not reach Stripe at {}: {error}", config.api_base),
                "check STRIPE_API_BASE and the network path to Stripe",
            );
            return report;
        }
    };

    check_publishable_key(&mut report, config, stripe).await;
    if secret.is_restricted() {
        check_permissions(&mut report, stripe).await;
    }
    report.pass(
        "API version",
        format!("every request pins Stripe-Version {API_VERSION}"),
    );
    check_webhooks(&mut report, config, stripe, function_url).await;
    check_webhook_secrets(&mut report, config);
    check_clock(&mut report, stripe, now).await;
    check_origins(&mut report, config);
    check_sellers(&mut report, stripe).await;
    if let Some(id) = platform_id {
        tracing::debug!(platform = %id, "doctor finished");
    }
    report
}

/// A PII token made with the publishable key is visible to the secret key only when both
/// belong to the same account.
async fn check_publishable_key(report: &mut Report, config: &Config, stripe: &StripeClient) {
    let name = "publishable key";
    let form = Params::new()
        .set("pii[id_number]", "000000000")
        .set("key", config.publishable_key.as_str());
    let token = match stripe
        .post_with_publishable_key::<Value>(
            "/v1/tokens",
            &form,
            &IdempotencyKey::random("doctor-pii"),
        )
        .await
    {
        Ok(token) => token,
        Err(error) => {
            report.fail(
                name,
                format!("Stripe refuses {}: {error}", crate::keys::fingerprint(config.publishable_key.as_str())),
                "copy the publishable key from the same Dashboard page as the secret key into STRIPE_PUBLISHABLE_KEY",
            );
            return;
        }
    };
    let Ok(id) = TokenId::new(token["id"].as_str().unwrap_or_default()) else {
        report.warn(
            name,
            format!("Stripe's token has no token id: {}", token["id"]),
            "run the doctor again; if this stays, the publishable key cannot be checked here",
        );
        return;
    };
    match stripe
        .get::<Value>(ApiPath::object("/v1/tokens", &id), &Params::new(), None)
        .await
    {
        Ok(_) => report.pass(name, "belongs to the same Stripe account as the secret key"),
        Err(error) if error.status() == Some(404) => report.fail(
            name,
            "belongs to another Stripe account than the secret key",
            "use the publishable key shown next to this secret key in the Stripe Dashboard",
        ),
        Err(error) => report.warn(
            name,
            format!("could not check which account it belongs to: {error}"),
            "rerun the doctor",
        ),
    }
}

async fn check_permissions(report: &mut Report, stripe: &StripeClient) {
    let mut missing = Vec::new();
    let mut missing_for_doctor = Vec::new();
    for &(permission, method, path, needed) in PERMISSIONS {
        let result = if method == "GET" {
            stripe
                .get::<Value>(path, &Params::new().set("limit", 1), None)
                .await
                .map(|_| ())
        } else {
            stripe
                .post::<Value>(
                    path,
                    &Params::new(),
                    None,
                    &IdempotencyKey::random("doctor-probe"),
                )
                .await
                .map(|_| ())
        };
        if matches!(&result, Err(error) if error.status() == Some(403)) {
            if needed {
                missing.push(permission);
            } else {
                missing_for_doctor.push(permission);
            }
        }
    }
    let name = "restricted key permissions";
    let fix = "edit the restricted key in the Stripe Dashboard and grant the permissions listed in deploy/README.md";
    if !missing.is_empty() {
        report.fail(name, format!("the key lacks: {}", missing.join(", ")), fix);
    } else if !missing_for_doctor.is_empty() {
        report.warn(
            name,
            format!(
                "the function has what it needs; the doctor lacks: {}",
                missing_for_doctor.join(", ")
            ),
            fix,
        );
    } else {
        report.pass(name, "the key has every permission the function needs");
    }
}

async fn check_webhooks(
    report: &mut Report,
    config: &Config,
    stripe: &StripeClient,
    function_url: Option<&str>,
) {
    let name = "webhook endpoint";
    let Some(base) = function_url.or(config.public_url.as_deref()) else {
        report.warn(
            name,
            "not checked: the function's public URL is unknown",
            "set PUBLIC_URL or pass --url https://…",
        );
        return;
    };
    let url = format!("{}/api/webhooks", base.trim_end_matches('/'));
    let endpoints: List<WebhookEndpoint> = match stripe
        .get(
            "/v1/webhook_endpoints",
            &Params::new().set("limit", 100),
            None,
        )
        .await
    {
        Ok(list) => list,
        Err(error) => {
            report.warn(
                name,
                format!("could not list webhook endpoints: {error}"),
                "grant \"Webhook endpoints: read\" or check in the Dashboard",
            );
            return;
        }
    };
    let ours: Vec<&WebhookEndpoint> = endpoints
        .data
        .iter()
        .filter(|endpoint| endpoint.url == url)
        .collect();
    let Some(first) = ours.first() else {
        report.fail(
            name,
            format!("no endpoint sends events to {url}"),
            format!(
                "add two in the Dashboard (Developers → Webhooks) for {url}: one listening to connected accounts, with: {}; one listening to your account, with: {}",
                CONNECT_EVENTS.join(", "),
                PLATFORM_EVENTS.join(", ")
            ),
        );
        return;
    };
    // Stripe's endpoint object does not say whether it listens to connected accounts or to
    // the platform's own account, and one endpoint never does both: so the platform's is
    // another endpoint at the same URL than the one that serves connected accounts.
    let connect = ours
        .iter()
        .copied()
        .filter(|endpoint| endpoint.connect != Some(false))
        .max_by_key(|endpoint| {
            (
                !is_disabled(endpoint),
                missing_connect_events(endpoint).is_empty(),
            )
        })
        .unwrap_or(first);
    check_connect_endpoint(report, connect, &url);
    let platform = ours
        .iter()
        .copied()
        .filter(|endpoint| {
            endpoint.connect != Some(true)
                && (endpoint.id != connect.id || endpoint.connect == Some(false))
        })
        .max_by_key(|endpoint| (!is_disabled(endpoint), sends_a_platform_event(endpoint)));
    check_platform_endpoint(report, platform, &url);
}

fn missing_connect_events(endpoint: &WebhookEndpoint) -> Vec<&'static str> {
    let all = sends_every_event(endpoint);
    CONNECT_EVENTS
        .iter()
        .copied()
        .filter(|event| !all && !endpoint.enabled_events.iter().any(|e| e == event))
        .collect()
}

fn sends_a_platform_event(endpoint: &WebhookEndpoint) -> bool {
    sends_every_event(endpoint)
        || PLATFORM_EVENTS
            .iter()
            .any(|event| endpoint.enabled_events.iter().any(|e| e == event))
}

fn check_connect_endpoint(report: &mut Report, endpoint: &WebhookEndpoint, url: &str) {
    let name = "webhook endpoint";
    let missing = missing_connect_events(endpoint);
    if is_disabled(endpoint) {
        report.fail(
            name,
            format!("{} is disabled", endpoint.id),
            "enable it in the Dashboard",
        );
    } else if !missing.is_empty() {
        report.fail(
            name,
            format!("{} does not send: {}", endpoint.id, missing.join(", ")),
            "add these events to the endpoint",
        );
    } else if endpoint.connect == Some(false) {
        report.warn(
            name,
            format!("{} receives only the platform's own events", endpoint.id),
            "direct charges and account.updated happen on connected accounts: add an endpoint with \"Listen to events on Connected accounts\"",
        );
    } else {
        report.pass(
            name,
            format!(
                "{} sends the events the function handles to {url}",
                endpoint.id
            ),
        );
    }
}

/// A marketplace order is paid on the platform, so only an endpoint for the platform's own
/// events hears that its sellers are due their transfers.
fn check_platform_endpoint(report: &mut Report, endpoint: Option<&WebhookEndpoint>, url: &str) {
    let name = "platform webhook endpoint";
    let Some(endpoint) = endpoint else {
        report.fail(
            name,
            format!("only one endpoint sends events to {url}, and an endpoint listens to connected accounts or to your account, not both"),
            format!(
                "marketplace orders are paid on the platform: add an endpoint for {url} listening to events on your account, with: {}",
                PLATFORM_EVENTS.join(", ")
            ),
        );
        return;
    };
    if is_disabled(endpoint) {
        report.fail(
            name,
            format!("{} is disabled", endpoint.id),
            "enable it in the Dashboard",
        );
    } else if !sends_a_platform_event(endpoint) {
        report.fail(
            name,
            format!(
                "{} sends none of: {}",
                endpoint.id,
                PLATFORM_EVENTS.join(", ")
            ),
            "add these events to the endpoint, or marketplace orders' sellers are paid only when the shopper's page asks",
        );
    } else {
        report.pass(
            name,
            format!(
                "{} sends the platform's payments to {url}, so marketplace orders' sellers are paid",
                endpoint.id
            ),
        );
    }
}

fn sends_every_event(endpoint: &WebhookEndpoint) -> bool {
    endpoint.enabled_events.iter().any(|event| event == "*")
}

fn is_disabled(endpoint: &WebhookEndpoint) -> bool {
    endpoint.status.as_deref() == Some("disabled")
}

fn check_webhook_secrets(report: &mut Report, config: &Config) {
    if config.webhook_secrets.is_empty() {
        report.fail(
            "webhook secrets",
            "STRIPE_WEBHOOK_SECRETS is not set, so every event is refused",
            "copy the endpoint's signing secret (whsec_…) into STRIPE_WEBHOOK_SECRETS",
        );
    } else {
        let shown: Vec<String> = config
            .webhook_secrets
            .iter()
            .map(|secret| secret.fingerprint())
            .collect();
        report.pass(
            "webhook secrets",
            format!("{} configured: {}", shown.len(), shown.join(", ")),
        );
    }
}

async fn check_clock(report: &mut Report, stripe: &StripeClient, now: i64) {
    match stripe.server_time().await {
        Ok(stripe_now) => {
            let skew = now - stripe_now;
            if skew.abs() > 60 {
                report.fail(
                    "clock",
                    format!("this machine's clock is {skew} s off Stripe's"),
                    "enable NTP: webhook signatures older than 300 s by this clock are refused",
                );
            } else {
                report.pass("clock", format!("within {} s of Stripe's", skew.abs()));
            }
        }
        Err(error) => report.warn(
            "clock",
            format!("could not read Stripe's clock: {error}"),
            "rerun the doctor",
        ),
    }
}

fn check_origins(report: &mut Report, config: &Config) {
    if config.allowed_origins.is_empty() {
        report.pass(
            "allowed origins",
            "none: only pages served by the function itself may call it",
        );
    } else {
        let origins: Vec<&str> = config
            .allowed_origins
            .iter()
            .filter_map(|o| o.to_str().ok())
            .collect();
        report.pass("allowed origins", origins.join(", "));
        if config.mode == connect_checkout_core::api::Mode::Live
            && origins.iter().any(|o| o.starts_with("http://"))
        {
            report.warn(
                "allowed origins",
                "a live shop allows a plain-http origin",
                "serve host pages over https",
            );
        }
    }
}

async fn check_sellers(report: &mut Report, stripe: &StripeClient) {
    let accounts: List<Account> = match stripe
        .get("/v1/accounts", &Params::new().set("limit", 100), None)
        .await
    {
        Ok(list) => list,
        Err(error) => {
            report.warn(
                "sellers",
                format!("could not list connected accounts: {error}"),
                "grant \"Connect accounts: read\"",
            );
            return;
        }
    };
    if accounts.data.is_empty() {
        report.warn(
            "sellers",
            "the platform has no connected accounts yet",
            "create one from the onboarding page",
        );
    }
    for account in &accounts.data {
        let name = format!("seller {}", account.id);
        if account.charges_enabled {
            report.pass(
                &name,
                format!("{} can take charges", account.display_name()),
            );
            continue;
        }
        let mut blockers = Vec::new();
        for (capability, status) in &account.capabilities {
            if status != "active" {
                blockers.push(format!("capability {capability} is {status}"));
            }
        }
        if let Some(requirements) = &account.requirements {
            if let Some(reason) = &requirements.disabled_reason {
                blockers.push(format!("disabled: {reason}"));
            }
            if !requirements.currently_due.is_empty() {
                blockers.push(format!(
                    "due now: {}",
                    requirements.currently_due.join(", ")
                ));
            }
        }
        // A seller still onboarding is normal, not a broken platform: a warning, not a failure.
        report.warn(
            &name,
            format!(
                "{} cannot take charges ({})",
                account.display_name(),
                blockers.join("; ")
            ),
            "the seller must finish onboarding: send them a fresh onboarding link",
        );
    }
}
