//! The checkout page in headless Chromium: from navigation to a form ready for card entry and
//! to an enabled Pay button (e2e/examples/page_timing.rs measures; this summarises).

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

pub fn page(
    plan: &Plan,
    function: &Server,
    sandbox: &Server,
    report: &mut Report,
) -> Result<(), String> {
    let url = format!("{}/?seller={SELLER}", function.url());
    let sandbox_url = sandbox.url();
    for warm in [false, true] {
        let cache = if warm { "warm" } else { "cold" };
        step(&format!(
            "page timing in headless Chromium, {cache} cache ({} runs + 1 not counted)",
            plan.page_runs
        ));
        let result = page_timing(
            &[
                "--url",
                &url,
                "--count-intents",
                &sandbox_url,
                "--seller",
                SELLER,
            ],
            plan.page_runs,
            warm,
        )?;
        if !warm {
            intents_per(
                report,
                &result,
                "page_views",
                "PaymentIntents per page view (target 0: made at Pay)",
            );
        }
        let runs = result["runs"].as_array().cloned().unwrap_or_default();
        let shown = format!(
            "cargo run --profile server -p connect-checkout-e2e --example page_timing -- --url '$FUNCTION/?seller={SELLER}' --runs {}{}",
            plan.page_runs,
            if warm { " --warm" } else { "" }
        );
        let section = if warm {
            "Checkout page in headless Chromium, warm HTTP cache (ms from navigation start)"
        } else {
            "Checkout page in headless Chromium, cold HTTP cache (ms from navigation start)"
        };
        let pay_budget = report.budgets.timings.pay_enabled_ms;
        for (key, label) in MILESTONES {
            let values: Vec<f64> = runs.iter().filter_map(|run| milestone(run, key)).collect();
            if let Some(stats) = Stats::of(&values) {
                let figure = report.add(section, label, "ms", stats, shown.clone());
                if key == "pay_enabled" {
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
        if !warm {
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
    function: &Server,
    host_port: u16,
    report: &mut Report,
) -> Result<(), String> {
    for warm in [false, true] {
        let cache = if warm { "warm" } else { "cold" };
        step(&format!(
            "embed timing on a host page, {cache} cache ({} runs + 1 not counted)",
            plan.page_runs
        ));
        let port = host_port.to_string();
        let url = function.url();
        let args = [
            "--url",
            &url,
            "--embed",
            "--host-port",
            &port,
            "--seller",
            SELLER,
        ];
        let result = page_timing(&args, plan.page_runs, warm)?;
        let runs = result["runs"].as_array().cloned().unwrap_or_default();
        let shown = format!(
            "cargo run --profile server -p connect-checkout-e2e --example page_timing -- --url $FUNCTION --embed --host-port $PORT --seller {SELLER} --runs {}{}",
            plan.page_runs,
            if warm { " --warm" } else { "" }
        );
        let section = if warm {
            "Embed on a host page in headless Chromium, warm HTTP cache (ms from inserting the element)"
        } else {
            "Embed on a host page in headless Chromium, cold HTTP cache (ms from inserting the element)"
        };
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
                if key == "pay_enabled" {
                    figure.reported_budget(pay_budget);
                }
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
    Ok(())
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
