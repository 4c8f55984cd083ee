//! The checkout page in headless Chromium: from navigation to a form ready for card entry and
//! to an enabled Pay button (e2e/examples/page_timing.rs measures; this summarises). Each
//! page is measured as on this machine's desktop browser and as on a phone (Fast 3G and a
//! CPU four times slower, emulated through the DevTools protocol), with the files as the
//! function's `serve` sends them: brotli, as `cargo xtask` precompressed them.

use std::process::{Command, Stdio};

use serde_json::Value;

use super::Plan;
use super::function::SELLER;
use super::report::{Report, Stats};
use crate::process::step;
use crate::stack::{Server, target_dir};
use crate::tools::CHROMEDRIVER;

/// The milestones, in the order a page reaches them: (key, what the report calls it).
const MILESTONES: [(&str, &str); 9] = [
    ("html_loaded", "HTML received"),
    ("wasm_loaded", "wasm downloaded"),
    ("rendered", "checkout rendered (first view of the widget)"),
    ("config_loaded", "GET /api/config answered"),
    ("stripe_js_loaded", "Stripe.js downloaded"),
    (
        "element_ready",
        "card field ready (the Payment Element's iframe)",
    ),
    ("form_ready", "form ready for card entry"),
    (
        "typed",
        "test card typed (instantly, by the harness in the card iframe)",
    ),
    ("pay_enabled", "Pay enabled with a complete card"),
];

/// The browser a page is measured in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// This machine's headless Chromium, unthrottled.
    Desktop,
    /// The same, with page_timing's `--phone`: Fast 3G and a 4× CPU slowdown.
    Phone,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Desktop, Profile::Phone];

    fn runs(self, plan: &Plan) -> usize {
        match self {
            Profile::Desktop => plan.page_runs,
            Profile::Phone => plan.phone_runs,
        }
    }

    fn flag(self) -> Option<&'static str> {
        match self {
            Profile::Desktop => None,
            Profile::Phone => Some("--phone"),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Profile::Desktop => "",
            Profile::Phone => ", phone: Fast 3G + 4× CPU",
        }
    }

    /// The report's section for the demo's checkout page.
    fn page_section(self, warm: bool) -> &'static str {
        match (self, warm) {
            (Profile::Desktop, false) => {
                "Checkout page in headless Chromium, cold HTTP cache (ms from navigation start)"
            }
            (Profile::Desktop, true) => {
                "Checkout page in headless Chromium, warm HTTP cache (ms from navigation start)"
            }
            (Profile::Phone, false) => {
                "Checkout page in headless Chromium, phone: Fast 3G + 4× CPU, cold HTTP cache (ms from navigation start)"
            }
            (Profile::Phone, true) => {
                "Checkout page in headless Chromium, phone: Fast 3G + 4× CPU, warm HTTP cache (ms from navigation start)"
            }
        }
    }

    /// The report's section for the embed on a host page.
    fn embed_section(self, warm: bool) -> &'static str {
        match (self, warm) {
            (Profile::Desktop, false) => {
                "Embed on a host page in headless Chromium, cold HTTP cache (ms from inserting the element)"
            }
            (Profile::Desktop, true) => {
                "Embed on a host page in headless Chromium, warm HTTP cache (ms from inserting the element)"
            }
            (Profile::Phone, false) => {
                "Embed on a host page in headless Chromium, phone: Fast 3G + 4× CPU, cold HTTP cache (ms from inserting the element)"
            }
            (Profile::Phone, true) => {
                "Embed on a host page in headless Chromium, phone: Fast 3G + 4× CPU, warm HTTP cache (ms from inserting the element)"
            }
        }
    }

    /// The embed's page: also from the navigation, since on a phone the host page's own
    /// load and the loader's fetch are a real part of a shopper's wait.
    fn embed_navigation_section(self, warm: bool) -> &'static str {
        match (self, warm) {
            (Profile::Desktop, false) => {
                "Embed on a host page in headless Chromium, cold HTTP cache (ms from navigation start)"
            }
            (Profile::Desktop, true) => {
                "Embed on a host page in headless Chromium, warm HTTP cache (ms from navigation start)"
            }
            (Profile::Phone, false) => {
                "Embed on a host page in headless Chromium, phone: Fast 3G + 4× CPU, cold HTTP cache (ms from navigation start)"
            }
            (Profile::Phone, true) => {
                "Embed on a host page in headless Chromium, phone: Fast 3G + 4× CPU, warm HTTP cache (ms from navigation start)"
            }
        }
    }
}

pub fn page(
    plan: &Plan,
    profile: Profile,
    function: &Server,
    sandbox: &Server,
    report: &mut Report,
) -> Result<(), String> {
    let url = format!("{}/?seller={SELLER}", function.url());
    let sandbox_url = sandbox.url();
    let runs_wanted = profile.runs(plan);
    for warm in [false, true] {
        let cache = if warm { "warm" } else { "cold" };
        step(&format!(
            "page timing in headless Chromium{}, {cache} cache ({runs_wanted} runs + 1 not counted)",
            profile.describe()
        ));
        // The PaymentIntents per page view are counted once, on the desktop runs.
        let mut args = vec!["--url", &url];
        if profile == Profile::Desktop {
            args.extend(["--count-intents", &sandbox_url, "--seller", SELLER]);
        }
        args.extend(profile.flag());
        let result = page_timing(&args, runs_wanted, warm)?;
        if !warm && profile == Profile::Desktop {
            intents_per(
                report,
                &result,
                "page_views",
                "PaymentIntents per page view (target 0: made at Pay)",
            );
        }
        let runs = result["runs"].as_array().cloned().unwrap_or_default();
        let shown = format!(
            "cargo run --profile server -p connect-checkout-e2e --example page_timing -- --url '$FUNCTION/?seller={SELLER}' --runs {runs_wanted}{}{}",
            if warm { " --warm" } else { "" },
            profile
                .flag()
                .map_or(String::new(), |flag| format!(" {flag}")),
        );
        let section = profile.page_section(warm);
        // The budget is the desktop's: a phone is reported beside it, not against it.
        let pay_budget = report.budgets.timings.pay_enabled_ms;
        for (key, label) in MILESTONES {
            let values: Vec<f64> = runs.iter().filter_map(|run| milestone(run, key)).collect();
            if let Some(stats) = Stats::of(&values) {
                let figure = report.add(section, label, "ms", stats, shown.clone());
                if key == "pay_enabled" && profile == Profile::Desktop {
                    figure.reported_budget(pay_budget);
                }
            }
        }
        let harness: Vec<f64> = runs
            .iter()
            .filter_map(|run| Some(milestone(run, "typed")? - milestone(run, "form_ready")?))
            .collect();
        if let Some(stats) = Stats::of(&harness) {
            report.add(
                section,
                "  form ready → card typed (the harness's delay)",
                "ms",
                stats,
                shown.clone(),
            );
        }
        let reaction: Vec<f64> = runs
            .iter()
            .filter_map(|run| Some(milestone(run, "pay_enabled")? - milestone(run, "typed")?))
            .collect();
        if let Some(stats) = Stats::of(&reaction) {
            report.add(
                section,
                "  card typed → Pay enabled",
                "ms",
                stats,
                shown.clone(),
            );
        }
        if !warm && profile == Profile::Desktop {
            report.machine.chromium = result["user_agent"]
                .as_str()
                .map_or(report.machine.chromium.clone(), |agent| {
                    format!("{} ({agent})", report.machine.chromium)
                });
        }
    }
    Ok(())
}

/// A milestone of one run: a mark of the page's observer or a resource timing.
fn milestone(run: &Value, key: &str) -> Option<f64> {
    run["marks"][key]
        .as_f64()
        .or_else(|| run[key].as_f64())
        .filter(|value| *value > 0.0)
}

/// The embed on a platform's page (another origin): from inserting `<connect-checkout>` to a
/// form ready for card entry and to an enabled Pay button, the wasm fetched only then.
pub fn embed(
    plan: &Plan,
    profile: Profile,
    function: &Server,
    host_port: u16,
    report: &mut Report,
) -> Result<(), String> {
    let runs_wanted = profile.runs(plan);
    for warm in [false, true] {
        let cache = if warm { "warm" } else { "cold" };
        step(&format!(
            "embed timing on a host page{}, {cache} cache ({runs_wanted} runs + 1 not counted)",
            profile.describe()
        ));
        let port = host_port.to_string();
        let url = function.url();
        let mut args = vec![
            "--url",
            &url,
            "--embed",
            "--host-port",
            &port,
            "--seller",
            SELLER,
        ];
        args.extend(profile.flag());
        let result = page_timing(&args, runs_wanted, warm)?;
        let runs = result["runs"].as_array().cloned().unwrap_or_default();
        let shown = format!(
            "cargo run --profile server -p connect-checkout-e2e --example page_timing -- --url $FUNCTION --embed --host-port $PORT --seller {SELLER} --runs {runs_wanted}{}{}",
            if warm { " --warm" } else { "" },
            profile
                .flag()
                .map_or(String::new(), |flag| format!(" {flag}")),
        );
        let section = profile.embed_section(warm);
        let since = |key: &str| -> Vec<f64> {
            runs.iter()
                .filter_map(|run| Some(milestone(run, key)? - milestone(run, "inserted")?))
                .collect()
        };
        let pay_budget = report.budgets.timings.pay_enabled_ms;
        for (key, label) in [
            ("wasm_loaded", "wasm downloaded"),
            ("rendered", "checkout rendered"),
            ("form_ready", "form ready for card entry"),
            ("pay_enabled", "Pay enabled with a complete card"),
        ] {
            if let Some(stats) = Stats::of(&since(key)) {
                let figure = report.add(section, label, "ms", stats, shown.clone());
                if key == "pay_enabled" && profile == Profile::Desktop {
                    figure.reported_budget(pay_budget);
                }
            }
        }
        // A shopper waits from the navigation, host page and loader included: the figure
        // issue 19 compares with the React peer.
        let navigation = profile.embed_navigation_section(warm);
        for (key, label) in [
            ("html_loaded", "host page received"),
            ("loader_loaded", "loader downloaded"),
            ("inserted", "<connect-checkout> inserted"),
            ("wasm_loaded", "wasm downloaded"),
            (
                "element_ready",
                "card field ready (the Payment Element's iframe)",
            ),
            ("pay_enabled", "Pay enabled with a complete card"),
        ] {
            let values: Vec<f64> = runs.iter().filter_map(|run| milestone(run, key)).collect();
            if let Some(stats) = Stats::of(&values) {
                report.add(navigation, label, "ms", stats, shown.clone());
            }
        }
    }
    Ok(())
}

/// Shoppers who load the page and pay: the PaymentIntents the sandbox holds for each
/// completed payment (target 1.0: one per payment, none for the page views before it).
pub fn paying_shoppers(
    function: &Server,
    sandbox: &Server,
    report: &mut Report,
) -> Result<(), String> {
    const PAYMENTS: usize = 3;
    step(&format!(
        "shoppers who pay, in headless Chromium ({PAYMENTS} payments + 1 not counted)"
    ));
    let url = format!("{}/?seller={SELLER}", function.url());
    let sandbox_url = sandbox.url();
    let result = page_timing(
        &[
            "--url",
            &url,
            "--pay",
            "--count-intents",
            &sandbox_url,
            "--seller",
            SELLER,
        ],
        PAYMENTS,
        true,
    )?;
    intents_per(
        report,
        &result,
        "payments",
        "PaymentIntents per completed payment (target 1.0)",
    );
    calls_per_payment(report, &result);
    Ok(())
}

/// Adds every Stripe call the paying shoppers cost, per completed payment: the function's
/// (secret key: the seller's account and prices when its catalog cache is cold, the
/// PaymentIntent) and Stripe.js's in the page (publishable key), as the sandbox counted them.
/// The function's calls are what the checkout's design decides, and what Stripe's rate limit
/// counts against the platform; Stripe.js's are the sandbox's Stripe.js (crates/sandbox's
/// FIDELITY.md): reading the PaymentIntent, the card iframe's PaymentMethod, the confirmation.
fn calls_per_payment(report: &mut Report, result: &Value) {
    let counted = &result["payment_intents"];
    let Some(payments) = counted["payments"].as_f64().filter(|n| *n > 0.0) else {
        return;
    };
    let calls = &counted["stripe_calls"];
    let (Some(function), Some(browser)) = (calls["function"].as_f64(), calls["browser"].as_f64())
    else {
        return;
    };
    let command = format!(
        "cargo run --profile server -p connect-checkout-e2e --example page_timing -- --url '$FUNCTION/?seller={SELLER}' --count-intents $SANDBOX --seller {SELLER} --pay --warm --runs 3 (GET /_sandbox/requests before and after)"
    );
    for (label, calls) in [
        (
            "Stripe calls per completed payment in the browser journey: the function's, secret key (target ≤ 2)",
            function,
        ),
        (
            "Stripe calls per completed payment in the browser journey: Stripe.js's, publishable key",
            browser,
        ),
        (
            "Stripe calls per completed payment in the browser journey: all",
            function + browser,
        ),
    ] {
        report.add(
            "Stripe calls",
            label,
            "calls",
            Stats::single(calls / payments),
            command.clone(),
        );
    }
}

/// Adds the PaymentIntents page_timing counted, per page view or per payment (`per`).
fn intents_per(report: &mut Report, result: &Value, per: &str, label: &str) {
    let counted = &result["payment_intents"];
    let (Some(created), Some(count)) = (counted["created"].as_f64(), counted[per].as_f64()) else {
        return;
    };
    if count > 0.0 {
        report.add(
            "Stripe calls",
            label,
            "",
            Stats::single(created / count),
            format!(
                "cargo run --profile server -p connect-checkout-e2e --example page_timing -- --url '$FUNCTION/?seller={SELLER}' --count-intents $SANDBOX --seller {SELLER}{}",
                if per == "payments" { " --pay --warm --runs 3" } else { "" }
            ),
        );
    }
}

/// Runs e2e/examples/page_timing.rs (built with the server profile) with `args`, `runs`
/// counted runs, and `--warm` for a warm cache; its JSON.
fn page_timing(args: &[&str], runs: usize, warm: bool) -> Result<Value, String> {
    let example = target_dir().join("server/examples/page_timing");
    let mut command = Command::new(&example);
    command
        .args(args)
        .args(["--runs", &runs.to_string()])
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .stderr(Stdio::inherit());
    if warm {
        command.arg("--warm");
    }
    let output = command
        .output()
        .map_err(|error| format!("cannot run {}: {error}", example.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {} failed ({})",
            example.display(),
            args.join(" "),
            output.status
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|error| format!("page_timing's JSON: {error}"))
}
