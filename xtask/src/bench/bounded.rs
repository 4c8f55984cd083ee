//! The work one request can cost the function: the worst-case webhook verification and the
//! Stripe calls one checkout makes. Both come from the function's own examples (built with the
//! server profile), which print one JSON object each.

use std::process::Command;

use serde_json::Value;

use super::report::{Report, Stats};
use crate::process::step;
use crate::stack::target_dir;

const SECTION: &str = "Bounded work per request (function, server profile)";

/// Secrets a webhook endpoint has while one is rolling; every one is tried.
const ROTATION_SECRETS: usize = 2;

fn example(name: &str, args: &[&str]) -> Result<Value, String> {
    let path = target_dir().join("server/examples").join(name);
    let output = Command::new(&path)
        .args(args)
        .output()
        .map_err(|error| format!("cannot run {}: {error}", path.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("the JSON of the {name} example: {error}"))
}

/// The largest accepted `Stripe-Signature` header on the largest accepted body, against every
/// secret of a rotation: what one unauthenticated delivery can cost at most.
pub fn webhook_worst_case(report: &mut Report) -> Result<(), String> {
    step("webhook signature: worst-case verification");
    let secrets = ROTATION_SECRETS.to_string();
    let result = example(
        "webhook_worst_case",
        &["--secrets", &secrets, "--runs", "50"],
    )?;
    let number = |key: &str| result[key].as_f64().unwrap_or(f64::NAN);
    let stats = Stats {
        median: number("median_ms"),
        min: number("min_ms"),
        max: number("max_ms"),
        runs: result["runs"].as_u64().unwrap_or(0) as usize,
    };
    let name = format!(
        "webhook verification, worst case: {} B header ({} v1 entries) × {} KiB body × {} secrets",
        result["header_bytes"],
        result["v1_entries"],
        result["body_bytes"].as_u64().unwrap_or(0) / 1024,
        result["secrets"]
    );
    report
        .add(
            SECTION,
            name,
            "ms",
            stats,
            "cargo run --profile server -p connect-checkout-function --example webhook_worst_case -- --secrets 2 --runs 50",
        )
        .reported_budget(Some(5.0));
    Ok(())
}

/// Stripe calls per checkout, 1 line and 50 lines, with the seller's catalog not yet cached
/// (cold) and cached (warm), counted by the function's Stripe client against the sandbox.
pub fn stripe_calls_per_checkout(report: &mut Report) -> Result<(), String> {
    step("Stripe calls per checkout (1 line, 50 lines; cold and warm)");
    let result = example("checkout_stripe_calls", &[])?;
    let command =
        "cargo run --profile server -p connect-checkout-function --example checkout_stripe_calls";
    for (key, label) in [
        ("cold_1", "Stripe calls per checkout: 1 line, cold cache"),
        ("warm_1", "Stripe calls per checkout: 1 line, warm cache"),
        ("cold_50", "Stripe calls per checkout: 50 lines, cold cache"),
        ("warm_50", "Stripe calls per checkout: 50 lines, warm cache"),
    ] {
        let calls = result[key].as_f64().unwrap_or(f64::NAN);
        report.add(SECTION, label, "calls", Stats::single(calls), command);
    }
    Ok(())
}
