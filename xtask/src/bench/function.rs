//! The function's figures: cold start, throughput and latency under load (oha), the latency it
//! adds over Stripe (Server-Timing), and its peak memory.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Plan;
use super::report::{Profile, Report, Stats};
use crate::process::{root, step, tool_path};
use crate::stack::{self, Build, Keys, Server, function_command, get, target_dir};

const SECTION: &str = "Function (connect-checkout serve, server profile, loopback, sandbox Stripe)";
pub const SELLER: &str = "acct_1LumenCoffee0001";
const PRICE: &str = "price_1LumenHouseBlend01";

/// Process start to the first answered request (`GET /healthz`, which does not call Stripe),
/// with the keys in the environment as on Lambda.
pub fn cold_start(
    plan: &Plan,
    sandbox: &Server,
    keys: &Keys,
    widget_dir: &Path,
    report: &mut Report,
) -> Result<(), String> {
    step(&format!(
        "function cold start ({} runs + 1 not counted)",
        plan.cold_starts
    ));
    let mut samples = Vec::new();
    let mut idle_rss = Vec::new();
    for run in 0..=plan.cold_starts {
        let port = stack::free_port()?;
        let mut command = function_command(Build::Server, sandbox, Some(keys), widget_dir, port);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let started = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|error| format!("cannot start the function: {error}"))?;
        let answered = loop {
            if let Ok((200, _)) = get(port, "/healthz") {
                break Some(started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(10) {
                break None;
            }
            // Short enough for sub-millisecond resolution, long enough not to take the CPU
            // the starting process needs.
            std::thread::sleep(Duration::from_micros(200));
        };
        let rss = stack::memory_kb(child.id(), "VmRSS");
        stack::stop(&mut child);
        let answered =
            answered.ok_or("the function did not answer /healthz within 10 s of starting")?;
        // The first start reads the binary from disk; no Lambda start is that cold (its
        // own start is reported by AWS as Init Duration).
        if run > 0 {
            samples.push(answered.as_secs_f64() * 1000.0);
            idle_rss.extend(rss.map(|kb| kb / 1024.0));
        }
    }
    let command = "spawn `connect-checkout serve` (keys in the environment), poll GET /healthz every 0.2 ms until 200";
    let stats = Stats::of(&samples).ok_or("no cold start measured")?;
    let budget = report.budgets.timings.function_cold_start_ms;
    report
        .add(
            SECTION,
            "cold start: process start → first answered request",
            "ms",
            stats,
            command,
        )
        .reported_budget(budget);
    if let Some(stats) = Stats::of(&idle_rss) {
        report.add(
            SECTION,
            "memory after start (VmRSS, idle)",
            "MB",
            stats,
            command,
        );
    }
    Ok(())
}

/// Lines of JSON bodies, each with its own attempt id; oha picks one at random per request,
/// so with this many lines a repeat is rare (its expected share is reported).
const BODY_LINES: usize = 200_000;

/// The `n`th attempt id of the bodies: 32 hex digits spread by splitmix64, so that they pass
/// the function's check for unguessable ids (128 bits, no patterns) and never repeat.
fn attempt_id(n: u64) -> String {
    let seed = 0x6265_6e63_682d_6f68_u64;
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

fn checkout_bodies() -> Result<std::path::PathBuf, String> {
    // v2: the attempts of v1 (`bench-oha-…`) are refused now that attempt ids must carry
    // 128 bits, so a file left by an older run is not reused.
    let path = target_dir().join("bench/checkout-bodies-v2.jsonl");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
        return Ok(path);
    }
    std::fs::create_dir_all(target_dir().join("bench")).map_err(|error| error.to_string())?;
    let file = std::fs::File::create(&path).map_err(|error| error.to_string())?;
    let mut out = std::io::BufWriter::new(file);
    for n in 0..BODY_LINES {
        writeln!(
            out,
            r#"{{"seller":"{SELLER}","items":[{{"price":"{PRICE}","quantity":1}}],"attempt":"{}"}}"#,
            attempt_id(n as u64)
        )
        .map_err(|error| error.to_string())?;
    }
    out.flush().map_err(|error| error.to_string())?;
    Ok(path)
}

/// requests/s, p50 and p99 of `GET /api/config` and `POST /api/checkout` at each concurrency.
pub fn load(plan: &Plan, function: &Server, report: &mut Report) -> Result<(), String> {
    let bodies = checkout_bodies()?;
    let endpoints: [(&str, &str, Vec<String>); 2] = [
        ("GET /api/config", "/api/config", vec![]),
        (
            "POST /api/checkout",
            "/api/checkout",
            vec![
                "-m".into(),
                "POST".into(),
                "-H".into(),
                "content-type: application/json".into(),
                "-Z".into(),
                bodies.display().to_string(),
            ],
        ),
    ];
    let mut duplicate_share: f64 = 0.0;
    for (label, path, extra) in &endpoints {
        for &clients in &plan.concurrency {
            step(&format!(
                "oha: {label} with {clients} clients ({} × {} s)",
                plan.load_runs, plan.load_seconds
            ));
            let mut rps = Vec::new();
            let mut p50 = Vec::new();
            let mut p99 = Vec::new();
            let url = format!("{}{path}", function.url());
            let mut args: Vec<String> = vec![
                "--no-tui".into(),
                "--output-format".into(),
                "json".into(),
                "-z".into(),
                format!("{}s", plan.load_seconds),
                "-c".into(),
                clients.to_string(),
            ];
            args.extend(extra.iter().cloned());
            args.push(url.clone());
            for _ in 0..plan.load_runs {
                let result = oha(&args)?;
                let summary = &result["summary"];
                let ok = result["statusCodeDistribution"]["200"]
                    .as_u64()
                    .unwrap_or(0);
                let total: u64 = result["statusCodeDistribution"]
                    .as_object()
                    .map(|codes| codes.values().filter_map(Value::as_u64).sum())
                    .unwrap_or(0);
                // oha cuts the requests in flight when its time is up (one per client at most)
                // and counts them as errors "aborted due to deadline": not failures.
                let (cut, errors) =
                    result["errorDistribution"]
                        .as_object()
                        .map_or((0, 0), |errors| {
                            errors
                                .iter()
                                .fold((0, 0), |(cut, other), (message, count)| {
                                    let count = count.as_u64().unwrap_or(0);
                                    if message.contains("deadline") {
                                        (cut + count, other)
                                    } else {
                                        (cut, other + count)
                                    }
                                })
                        });
                if ok == 0 || ok < total || errors > 0 || cut > clients as u64 {
                    return Err(format!(
                        "{label} with {clients} clients: {ok} of {total} answers were 200, \
                         {errors} errors, {cut} cut at the deadline: {} {}",
                        result["statusCodeDistribution"], result["errorDistribution"]
                    ));
                }
                if cut > 0 {
                    report.note_once(
                        "oha counts the requests still in flight when its time is up as \
                         errors (\"aborted due to deadline\"); they are left out, not failures."
                            .to_owned(),
                    );
                }
                if *path == "/api/checkout" {
                    duplicate_share =
                        duplicate_share.max(total as f64 / (2.0 * BODY_LINES as f64) * 100.0);
                }
                rps.push(summary["requestsPerSec"].as_f64().unwrap_or(f64::NAN));
                p50.push(
                    result["latencyPercentiles"]["p50"]
                        .as_f64()
                        .unwrap_or(f64::NAN)
                        * 1e3,
                );
                p99.push(
                    result["latencyPercentiles"]["p99"]
                        .as_f64()
                        .unwrap_or(f64::NAN)
                        * 1e3,
                );
            }
            let command = format!("oha {}", args.join(" ")).replace(&function.url(), "$FUNCTION");
            let command = command.replace(&bodies.display().to_string(), "checkout-bodies.jsonl");
            for (what, unit, values) in [
                ("requests/s", "req/s", &rps),
                ("latency p50", "ms", &p50),
                ("latency p99", "ms", &p99),
            ] {
                if let Some(stats) = Stats::of(values) {
                    report.add(
                        SECTION,
                        format!("{label}, {clients} clients: {what}"),
                        unit,
                        stats,
                        command.clone(),
                    );
                }
            }
        }
    }
    report.notes.push(format!(
        "POST /api/checkout under oha: each request takes a random line of {BODY_LINES} bodies, \
         each with its own attempt id, so at most {duplicate_share:.2} % of a run's requests \
         repeat an attempt (a repeat is answered from the sandbox's idempotency cache, as a \
         retry would be)."
    ));
    Ok(())
}

fn oha(args: &[String]) -> Result<Value, String> {
    let output = Command::new("oha")
        .args(args)
        .env("PATH", tool_path())
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot run oha: {error}"))?;
    if !output.status.success() {
        return Err(format!("oha {} failed ({})", args.join(" "), output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|error| format!("oha's JSON: {error}"))
}

/// The function's own time per request, from Server-Timing, and the same Stripe calls made
/// directly, at 16 clients (e2e/examples/server_timing.rs).
pub fn added_latency(
    plan: &Plan,
    function: &Server,
    sandbox: &Server,
    keys: &Keys,
    report: &mut Report,
) -> Result<(), String> {
    step(&format!(
        "added latency: Server-Timing at {} clients ({} × {} s, then the same Stripe calls direct)",
        plan.added_latency_clients, plan.load_runs, plan.load_seconds
    ));
    let mut series: Vec<(&str, &'static str, Vec<f64>)> = vec![
        ("function's own time (Server-Timing app) p50", "ms", vec![]),
        ("function's own time (Server-Timing app) p99", "ms", vec![]),
        (
            "time waiting on Stripe (Server-Timing stripe) p50",
            "ms",
            vec![],
        ),
        ("whole request seen by the client p50", "ms", vec![]),
        ("whole request seen by the client p99", "ms", vec![]),
        ("the same Stripe calls made directly p50", "ms", vec![]),
        ("the same Stripe calls made directly p99", "ms", vec![]),
        (
            "added by the function: client p50 − direct p50",
            "ms",
            vec![],
        ),
        ("function ÷ direct, p50", "ratio", vec![]),
        ("function requests/s", "req/s", vec![]),
        (
            "function's CPU per checkout (process CPU time ÷ checkouts served)",
            "ms",
            vec![],
        ),
    ];
    let mut last = Value::Null;
    for _ in 0..plan.load_runs {
        let cpu_before = function.cpu_seconds();
        let result = server_timing(plan, function, sandbox, keys, &[])?;
        // The example's second phase calls the sandbox directly: the function is idle then,
        // so its CPU over the whole run is the checkouts' (and its own idle timers').
        let cpu = cpu_before
            .zip(function.cpu_seconds())
            .map_or(f64::NAN, |(before, after)| after - before);
        let f = &result["function"];
        let d = &result["direct"];
        let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
        let values = [
            num(&f["app_ms"]["p50"]),
            num(&f["app_ms"]["p99"]),
            num(&f["stripe_ms"]["p50"]),
            num(&f["total_ms"]["p50"]),
            num(&f["total_ms"]["p99"]),
            num(&d["total_ms"]["p50"]),
            num(&d["total_ms"]["p99"]),
            num(&f["total_ms"]["p50"]) - num(&d["total_ms"]["p50"]),
            num(&f["total_ms"]["p50"]) / num(&d["total_ms"]["p50"]),
            num(&f["requests_per_second"]),
            cpu * 1000.0 / num(&f["requests"]),
        ];
        for ((_, _, list), value) in series.iter_mut().zip(values) {
            list.push(value);
        }
        last = result;
    }
    let command = format!(
        "cargo run --profile server -p connect-checkout-e2e --example server_timing -- --function $FUNCTION \
         --sandbox $SANDBOX --secret-key $KEY --clients {} --seconds {}",
        plan.added_latency_clients, plan.load_seconds
    );
    let section = "Latency the function adds over Stripe (POST /api/checkout)";
    let budget = report.budgets.timings.added_latency_p99_ms;
    let cpu_budget = report.budgets.timings.function_cpu_per_checkout_ms;
    const CPU_PER_CHECKOUT: usize = 10;
    for (index, (name, unit, values)) in series.into_iter().enumerate() {
        if let Some(stats) = Stats::of(&values) {
            let name = format!(
                "{}, {} clients: {name}",
                "checkout", plan.added_latency_clients
            );
            let figure = report.add(section, name, unit, stats, command.clone());
            if index == 1 {
                figure.reported_budget(budget);
            }
            if index == CPU_PER_CHECKOUT {
                figure.reported_budget(cpu_budget);
            }
        }
    }
    report.profiles.push(Profile {
        title: "Where a checkout's time goes (Server-Timing, last run)".into(),
        command,
        text: format!(
            "POST /api/checkout, {} clients, {} requests in the last run (ms):\n\
             {:<34} p50 {:>8.3}  p90 {:>8.3}  p99 {:>8.3}  max {:>8.3}\n\
             {:<34} p50 {:>8.3}  p90 {:>8.3}  p99 {:>8.3}  max {:>8.3}\n\
             {:<34} p50 {:>8.3}  p90 {:>8.3}  p99 {:>8.3}  max {:>8.3}\n\
             {:<34} p50 {:>8.3}  p90 {:>8.3}  p99 {:>8.3}  max {:>8.3}\n\n\
             stripe: wall time with at least one Stripe call in flight (GET account, GET price,\n\
             POST PaymentIntent); app: the rest of the time inside the function's layers\n\
             (routing, JSON, pricing, logging, CORS and security headers).",
            plan.added_latency_clients,
            last["function"]["requests"],
            "whole request (client)",
            num0(&last["function"]["total_ms"]["p50"]),
            num0(&last["function"]["total_ms"]["p90"]),
            num0(&last["function"]["total_ms"]["p99"]),
            num0(&last["function"]["total_ms"]["max"]),
            "  waiting on Stripe (stripe)",
            num0(&last["function"]["stripe_ms"]["p50"]),
            num0(&last["function"]["stripe_ms"]["p90"]),
            num0(&last["function"]["stripe_ms"]["p99"]),
            num0(&last["function"]["stripe_ms"]["max"]),
            "  the function's own (app)",
            num0(&last["function"]["app_ms"]["p50"]),
            num0(&last["function"]["app_ms"]["p90"]),
            num0(&last["function"]["app_ms"]["p99"]),
            num0(&last["function"]["app_ms"]["max"]),
            "same Stripe calls, direct (client)",
            num0(&last["direct"]["total_ms"]["p50"]),
            num0(&last["direct"]["total_ms"]["p90"]),
            num0(&last["direct"]["total_ms"]["p99"]),
            num0(&last["direct"]["total_ms"]["max"]),
        ),
    });
    Ok(())
}

/// The function's CPU per checkout while the sandbox delivers it every event of those
/// checkouts, signed, as Stripe would (each PaymentIntent's `payment_intent.created`): a pair
/// of its own, so that nothing else sends the function webhooks, and the load of
/// [`added_latency`] without its direct phase. Each run's CPU is read once the sandbox has no
/// delivery left to make, so that every webhook of the run is in it.
pub fn cpu_with_webhooks(
    plan: &Plan,
    widget_dir: &Path,
    logs: &Path,
    report: &mut Report,
) -> Result<(), String> {
    step(&format!(
        "the function's CPU per checkout with the sandbox's webhooks ({} × {} s, {} clients)",
        plan.load_runs, plan.load_seconds, plan.added_latency_clients
    ));
    let port = stack::free_port()?;
    let webhook_url = format!("http://127.0.0.1:{port}/api/webhooks");
    let sandbox = stack::start_sandbox_with_webhooks(
        Build::Server,
        &logs.join("sandbox-webhooks.log"),
        &webhook_url,
    )?;
    let keys = stack::sandbox_keys(&sandbox)?;
    let (_, body) = get(sandbox.port, "/_sandbox/keys")?;
    let secret = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|keys| keys["webhook_secret"].as_str().map(str::to_owned))
        .ok_or("/_sandbox/keys names no webhook_secret")?;
    let log = stack::log_file(&logs.join("function-webhooks.log"))?;
    let err = log.try_clone().map_err(|error| error.to_string())?;
    let function = Server::start(
        "function",
        function_command(Build::Server, &sandbox, Some(&keys), widget_dir, port)
            .env("STRIPE_WEBHOOK_SECRETS", secret)
            .stdout(log)
            .stderr(err),
        port,
    )?;
    let (mut per_checkout, mut per_webhook_ratio) = (Vec::new(), Vec::new());
    for _ in 0..plan.load_runs {
        let delivered_before = delivered(&sandbox)?;
        let cpu_before = function.cpu_seconds();
        let result = server_timing(plan, &function, &sandbox, &keys, &["--function-only"])?;
        settle_deliveries(&sandbox)?;
        let cpu = cpu_before
            .zip(function.cpu_seconds())
            .map_or(f64::NAN, |(before, after)| after - before);
        let checkouts = num0(&result["function"]["requests"]);
        let webhooks = delivered(&sandbox)?.saturating_sub(delivered_before) as f64;
        per_checkout.push(cpu * 1000.0 / checkouts);
        per_webhook_ratio.push(webhooks / checkouts);
    }
    let command = format!(
        "the sandbox with --webhook-url $FUNCTION/api/webhooks, the function with its \
         STRIPE_WEBHOOK_SECRETS; cargo run --profile server -p connect-checkout-e2e --example \
         server_timing -- --function $FUNCTION --sandbox $SANDBOX --secret-key $KEY --clients {} \
         --seconds {} --function-only",
        plan.added_latency_clients, plan.load_seconds
    );
    let section = "Latency the function adds over Stripe (POST /api/checkout)";
    let cpu_budget = report.budgets.timings.function_cpu_per_checkout_ms;
    if let Some(stats) = Stats::of(&per_checkout) {
        report
            .add(
                section,
                format!(
                    "checkout, {} clients, with the sandbox's webhooks verified: function's CPU per checkout (process CPU time ÷ checkouts served)",
                    plan.added_latency_clients
                ),
                "ms",
                stats,
                command.clone(),
            )
            .reported_budget(cpu_budget);
    }
    if let Some(stats) = Stats::of(&per_webhook_ratio) {
        report.add(
            section,
            format!(
                "checkout, {} clients, with the sandbox's webhooks verified: webhooks delivered per checkout",
                plan.added_latency_clients
            ),
            "",
            stats,
            command,
        );
    }
    Ok(())
}

/// One run of e2e/examples/server_timing.rs (server profile) against `function` and
/// `sandbox` at the plan's clients and seconds, with `extra` arguments; its JSON.
fn server_timing(
    plan: &Plan,
    function: &Server,
    sandbox: &Server,
    keys: &Keys,
    extra: &[&str],
) -> Result<Value, String> {
    let example = target_dir().join("server/examples/server_timing");
    let output = Command::new(&example)
        .args(["--function", &function.url(), "--sandbox", &sandbox.url()])
        .args(["--secret-key", &keys.secret])
        .args(["--clients", &plan.added_latency_clients.to_string()])
        .args(["--seconds", &plan.load_seconds.to_string()])
        .args(extra)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot run {}: {error}", example.display()))?;
    if !output.status.success() {
        return Err(format!("{} failed ({})", example.display(), output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|error| format!("server_timing's JSON: {error}"))
}

/// How many webhook deliveries the sandbox has made and had acknowledged (its count, not its
/// list of deliveries, which forgets the oldest beyond 20,000 events).
fn delivered(sandbox: &Server) -> Result<u64, String> {
    let (status, body) = get(sandbox.port, "/_sandbox/requests")?;
    if status != 200 {
        return Err(format!("/_sandbox/requests answered {status}"));
    }
    serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|counts| counts["webhooks_delivered"].as_u64())
        .ok_or_else(|| format!("/_sandbox/requests: no webhooks_delivered in {body}"))
}

/// Waits (30 s at most) until the sandbox has no delivery waiting or on the wire.
fn settle_deliveries(sandbox: &Server) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut open = 0;
        for status in ["pending", "sending"] {
            let (_, body) = get(
                sandbox.port,
                &format!("/_sandbox/webhook_deliveries?status={status}"),
            )?;
            let list: Value = serde_json::from_str(&body)
                .map_err(|error| format!("/_sandbox/webhook_deliveries: {error}"))?;
            open += list["data"].as_array().map_or(0, Vec::len);
        }
        if open == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the sandbox still had {open} webhook deliveries to make 30 s after the load"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn num0(value: &Value) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

/// Peak resident memory of the long-running function after all the load.
pub fn memory(function: &Server, sandbox: &Server, report: &mut Report) {
    let command = "VmHWM in /proc/PID/status after every load run";
    if let Some(kb) = function.memory_kb("VmHWM") {
        report.add(
            SECTION,
            "peak memory after all load (VmHWM)",
            "MB",
            Stats::single(kb / 1024.0),
            command,
        );
    }
    if let Some(kb) = sandbox.memory_kb("VmHWM") {
        report.add(
            "Sandbox",
            "sandbox peak memory after all load (VmHWM)",
            "MB",
            Stats::single(kb / 1024.0),
            command,
        );
    }
}
