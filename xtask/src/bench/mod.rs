//! `cargo xtask bench`: every benchmark, one report (`bench/report.md`, `bench/report.json`).
//!
//! Everything runs on this machine against the offline Stripe sandbox, on loopback:
//! the widget's bundle sizes and where the wasm bytes go; the checkout page in headless
//! Chromium; the function's cold start, throughput, latency, added latency over Stripe and
//! memory; the sandbox's PaymentIntent throughput; the Lambda zip. bench/README.md explains
//! each figure and how the budgets in bench/budgets.toml are enforced.

mod bounded;
mod browser;
mod bundles;
mod function;
mod machine;
mod report;

use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::budgets::{self, Size};
use crate::process::{execute, root, step};
pub use crate::stack::target_dir;
use crate::stack::{self, Build};
use crate::{tools, widget};
use machine::Machine;
use report::{Report, Stats};

/// How many runs and how long: `--quick` is for trying the harness, not for figures.
pub struct Plan {
    pub cold_starts: usize,
    pub page_runs: usize,
    /// Fewer than on the desktop: a cold run on the phone profile takes seconds.
    pub phone_runs: usize,
    pub load_seconds: u64,
    pub load_runs: usize,
    pub concurrency: Vec<usize>,
    pub added_latency_clients: usize,
    pub throughput_runs: usize,
}

impl Plan {
    fn full() -> Self {
        Self {
            cold_starts: 20,
            page_runs: 12,
            phone_runs: 6,
            load_seconds: 3,
            load_runs: 3,
            concurrency: vec![1, 16, 64],
            added_latency_clients: 16,
            throughput_runs: 3,
        }
    }

    fn quick() -> Self {
        Self {
            cold_starts: 3,
            page_runs: 2,
            phone_runs: 1,
            load_seconds: 1,
            load_runs: 1,
            concurrency: vec![1, 16],
            added_latency_clients: 16,
            throughput_runs: 1,
        }
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let plan = match args {
        [] => Plan::full(),
        [flag] if flag == "--quick" => Plan::quick(),
        // The check `cargo xtask test` makes, on whatever dist/ holds now: seconds, no build.
        [flag] if flag == "--sizes" => return budgets::enforce_bundles(),
        _ => {
            return Err(format!(
                "`cargo xtask bench` takes --quick or --sizes (got `{}`)",
                args.join(" ")
            ));
        }
    };
    let started = Instant::now();
    tools::ensure_wasm_tools()?;
    tools::ensure_browser()?;
    tools::ensure_bench_tools()?;
    let budgets = budgets::load()?;
    let mut report = Report {
        budgets,
        machine: Machine::describe(),
        started_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        seconds_taken: 0.0,
        figures: Vec::new(),
        profiles: Vec::new(),
        notes: Vec::new(),
    };

    widget::build_release()?;
    step("building the function and the sandbox (server profile) and the bench clients");
    execute(Command::new("cargo").args([
        "build",
        "--profile",
        "server",
        "--package",
        "connect-checkout-function",
        "--package",
        "stripe-sandbox",
        "--bins",
        "--example",
        "throughput",
        "--example",
        "webhook_worst_case",
        "--example",
        "checkout_stripe_calls",
    ]))?;
    // Optimised like the servers, so that the client measuring the direct Stripe calls is
    // not the slow side of the comparison.
    execute(Command::new("cargo").args([
        "build",
        "--profile",
        "server",
        "--package",
        "connect-checkout-e2e",
        "--example",
        "page_timing",
        "--example",
        "server_timing",
    ]))?;

    let mut failures = bundles::sizes(&mut report)?;
    bundles::twiggy(&mut report)?;

    let logs = target_dir().join("bench/logs");
    {
        step("starting the sandbox and the function (server profile) on loopback");
        let sandbox = stack::start_sandbox(Build::Server, &logs.join("sandbox.log"))?;
        let keys = stack::sandbox_keys(&sandbox)?;
        let widget_dir = bundles::widget_dir();
        // The embed's host page runs on this port (e2e/examples/page_timing.rs --embed).
        let host_port = stack::free_port()?;
        let function = stack::start_function(
            Build::Server,
            &sandbox,
            Some(&keys),
            &widget_dir,
            &format!("http://127.0.0.1:{host_port}"),
            &logs.join("function.log"),
        )?;
        // The browser first, while nothing else has filled the sandbox.
        for profile in browser::Profile::ALL {
            browser::page(&plan, profile, &function, &sandbox, &mut report)?;
            browser::embed(&plan, profile, &function, host_port, &mut report)?;
        }
        browser::paying_shoppers(&function, &sandbox, &mut report)?;
        function::added_latency(&plan, &function, &sandbox, &keys, &mut report)?;
        function::load(&plan, &function, &mut report)?;
        function::memory(&function, &sandbox, &mut report);
        function::cold_start(&plan, &sandbox, &keys, &widget_dir, &mut report)?;
    }
    function::cpu_with_webhooks(&plan, &bundles::widget_dir(), &logs, &mut report)?;

    bounded::webhook_worst_case(&mut report)?;
    bounded::stripe_calls_per_checkout(&mut report)?;
    sandbox_throughput(&plan, &mut report)?;
    failures.extend(lambda_zip(&mut report)?);

    report.machine.load_end = machine::load_average();
    report.seconds_taken = started.elapsed().as_secs_f64();
    write(&report)?;
    step(&format!(
        "done in {:.0} s: bench/report.md, bench/report.json",
        report.seconds_taken
    ));
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

fn write(report: &Report) -> Result<(), String> {
    let dir = root().join("bench");
    std::fs::create_dir_all(&dir).map_err(|error| error.to_string())?;
    let markdown = report.markdown();
    std::fs::write(dir.join("report.md"), &markdown)
        .map_err(|error| format!("cannot write bench/report.md: {error}"))?;
    let json = serde_json::to_string_pretty(report).map_err(|error| error.to_string())?;
    std::fs::write(dir.join("report.json"), json + "\n")
        .map_err(|error| format!("cannot write bench/report.json: {error}"))?;
    println!("\n{markdown}");
    Ok(())
}

/// The sandbox's own example: PaymentIntent create + confirm pairs per second.
fn sandbox_throughput(plan: &Plan, report: &mut Report) -> Result<(), String> {
    step(&format!(
        "sandbox throughput: PaymentIntent create + confirm ({} × 5 s)",
        plan.throughput_runs
    ));
    let example = target_dir().join("server/examples/throughput");
    let mut pairs = Vec::new();
    let mut p99 = Vec::new();
    for _ in 0..plan.throughput_runs {
        let output = Command::new(&example)
            .args(["--seconds", "5", "--concurrency", "8"])
            .output()
            .map_err(|error| format!("cannot run {}: {error}", example.display()))?;
        if !output.status.success() {
            return Err(format!("{} failed ({})", example.display(), output.status));
        }
        let result: Value = serde_json::from_slice(&output.stdout)
            .map_err(|error| format!("the throughput example's JSON: {error}"))?;
        pairs.push(result["value"].as_f64().unwrap_or(f64::NAN));
        p99.push(
            result["pair_latency_ms"]["p99"]
                .as_f64()
                .unwrap_or(f64::NAN),
        );
    }
    let command = "cargo run --profile server -p stripe-sandbox --example throughput -- --seconds 5 --concurrency 8";
    if let Some(stats) = Stats::of(&pairs) {
        report.add(
            "Sandbox",
            "PaymentIntent create + confirm, 8 clients",
            "pairs/s",
            stats,
            command,
        );
    }
    if let Some(stats) = Stats::of(&p99) {
        report.add(
            "Sandbox",
            "one create + confirm pair, p99",
            "ms",
            stats,
            command,
        );
    }
    Ok(())
}

/// The x86_64 Lambda zip, built as `cargo xtask dist` builds it; its size against the budget.
fn lambda_zip(report: &mut Report) -> Result<Option<String>, String> {
    let Some(budget) = report.budgets.lambda_zip.take() else {
        return Ok(None);
    };
    crate::dist::ensure_cargo_lambda()?;
    crate::dist::ensure_target("x86_64-unknown-linux-gnu")?;
    step("building the Lambda zip for x86_64 (cargo lambda build)");
    let started = Instant::now();
    execute(
        Command::new("cargo")
            .args(crate::dist::LAMBDA_BUILD_ARGS)
            .arg("--x86-64"),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let zip = target_dir().join(&budget.file);
    let bytes = std::fs::metadata(&zip)
        .map_err(|error| format!("{}: {error}", zip.display()))?
        .len();
    let command = format!(
        "cargo {} --x86-64; size of $CARGO_TARGET_DIR/{}",
        crate::dist::LAMBDA_BUILD_ARGS.join(" "),
        budget.file
    );
    let section = "Lambda package";
    report
        .add(
            section,
            budget.description.clone(),
            "bytes",
            Stats::single(bytes as f64),
            command.clone(),
        )
        .enforced_budget(budget.max.0 as f64, "cargo xtask test");
    let binary = target_dir().join("x86_64-unknown-linux-gnu/server/connect-checkout");
    if let Ok(meta) = std::fs::metadata(&binary) {
        report.add(
            section,
            "bootstrap binary inside it (unzipped)",
            "bytes",
            Stats::single(meta.len() as f64),
            command.clone(),
        );
    }
    report.add(
        section,
        "time to build it in this run (warm or cold cache)",
        "s",
        Stats::single(seconds),
        command,
    );
    let check = budgets::check_zip(&budget, bytes).err();
    report.notes.push(format!(
        "Lambda zip budget: {} (bench/budgets.toml), enforced by `cargo xtask test`, \
         `cargo xtask bench` and `cargo xtask dist`.",
        Size(budget.max.0)
    ));
    report.budgets.lambda_zip = Some(budget);
    Ok(check)
}
