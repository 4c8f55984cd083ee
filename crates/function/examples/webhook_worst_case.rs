//! The bench's measure of the most work one unauthenticated webhook delivery can cause:
//! the largest accepted `Stripe-Signature` header (every `v1` entry matching nothing) on the
//! largest accepted body, verified against every configured secret.
//!
//! `webhook_worst_case [--secrets N] [--runs N]` prints one JSON object: the median, min and
//! max time of one verification in milliseconds.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use connect_checkout_function::keys::WebhookSecret;
use connect_checkout_function::webhooks::WEBHOOK_BODY_LIMIT;
use connect_checkout_function::webhooks::signature::{
    DEFAULT_TOLERANCE_SECS, MAX_HEADER_BYTES, MAX_V1_SIGNATURES, verify, worst_case_header,
};

fn main() -> Result<(), String> {
    let mut secrets_count = 2_usize;
    let mut runs = 50_usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = value
            .parse::<usize>()
            .map_err(|_| format!("{flag} `{value}`: write a number"))?;
        match flag.as_str() {
            "--secrets" => secrets_count = number.max(1),
            "--runs" => runs = number.max(1),
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    let secrets = (0..secrets_count)
        .map(|n| WebhookSecret::parse("BENCH", &format!("whsec_benchRotation{n:016}")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| error.to_string())?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let body = vec![b'{'; WEBHOOK_BODY_LIMIT];
    let header = worst_case_header(now);
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..=runs {
        let started = Instant::now();
        let verdict = verify(&body, Some(&header), &secrets, now, DEFAULT_TOLERANCE_SECS);
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        if verdict.is_ok() {
            return Err("the worst-case header verified, which it must never do".into());
        }
    }
    // The first run warms the caches; no delivery after the first is that cold.
    samples.remove(0);
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    println!(
        "{{\"median_ms\":{median:.4},\"min_ms\":{:.4},\"max_ms\":{:.4},\"runs\":{runs},\
         \"secrets\":{secrets_count},\"header_bytes\":{},\"max_header_bytes\":{MAX_HEADER_BYTES},\
         \"v1_entries\":{MAX_V1_SIGNATURES},\"body_bytes\":{}}}",
        samples[0],
        samples[samples.len() - 1],
        header.len(),
        body.len()
    );
    Ok(())
}
