//! `stripe-sandbox`: runs the offline Stripe on its own.
//!
//! ```text
//! cargo run -p stripe-sandbox -- [--host 127.0.0.1] [--port 12111] [--seed FILE]
//!                                [--webhook-url http://127.0.0.1:8080/api/webhooks]
//! cargo run -p stripe-sandbox -- --print-seed > my-seed.json
//! ```
//!
//! It prints its URL and the fingerprints of the platform's keys (never a whole secret key;
//! a local process can read them from `GET /_sandbox/keys`), serves until Ctrl-C or SIGTERM,
//! then stops cleanly. `RUST_LOG=stripe_sandbox=debug` shows more.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use stripe_sandbox::{Seed, key_fingerprint};

const USAGE: &str = r#"stripe-sandbox: an offline, stateful stand-in for Stripe's Connect API and Stripe.js

Usage: stripe-sandbox [--host ADDR] [--port PORT] [--seed FILE] [--webhook-url URL]
       stripe-sandbox --print-seed

Options:
  --host ADDR        address to listen on (default 127.0.0.1)
  --port PORT        port to listen on (default 12111; 0 picks a free one)
  --seed FILE        start from this JSON seed instead of the built-in one
  --webhook-url URL  also post every event to URL (platform and Connect endpoints, signed
                     with the fixed secret GET /_sandbox/keys shows as webhook_secret);
                     SANDBOX_WEBHOOK_URL does the same
  --faults JSON      start with these faults on (the body of POST /_sandbox/faults),
                     e.g. '{"rate_limit_per_second": 25}'
  --print-seed       print the built-in seed as JSON and exit
  -h, --help         print this help
  -V, --version      print the version"#;

struct Args {
    host: IpAddr,
    port: u16,
    seed: Option<PathBuf>,
    webhook_url: Option<String>,
    faults: Option<serde_json::Value>,
}

enum Command {
    Serve(Args),
    PrintSeed,
    Help,
    Version,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut parsed = Args {
        host: IpAddr::from([127, 0, 0, 1]),
        port: 12111,
        seed: None,
        webhook_url: None,
        faults: None,
    };
    while let Some(arg) = args.next() {
        // `--port=1` and `--port 1` both work.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--host" => {
                let v = value("--host")?;
                parsed.host = v
                    .parse()
                    .map_err(|_| format!("--host {v}: not an IP address (try 127.0.0.1)"))?;
            }
            "--port" => {
                let v = value("--port")?;
                parsed.port = v
                    .parse()
                    .map_err(|_| format!("--port {v}: not a port number (0-65535)"))?;
            }
            "--seed" => parsed.seed = Some(PathBuf::from(value("--seed")?)),
            "--webhook-url" => {
                let v = value("--webhook-url")?;
                if !(v.starts_with("http://") || v.starts_with("https://")) {
                    return Err(format!("--webhook-url {v}: not an http:// URL"));
                }
                parsed.webhook_url = Some(v);
            }
            "--faults" => {
                let v = value("--faults")?;
                parsed.faults = Some(
                    serde_json::from_str(&v).map_err(|e| format!("--faults: not JSON ({e})"))?,
                );
            }
            "--print-seed" => return Ok(Command::PrintSeed),
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Command::Serve(parsed))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Serve(args)) => args,
        Ok(Command::PrintSeed) => {
            println!("{}", Seed::default().to_json_pretty());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("stripe-sandbox {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("stripe-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "stripe_sandbox=info".into()),
        )
        .init();

    let seed = match &args.seed {
        None => Seed::default(),
        Some(path) => match Seed::from_json_file(path) {
            Ok(seed) => seed,
            Err(e) => {
                eprintln!("stripe-sandbox: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let webhook_url = args.webhook_url.clone().or_else(|| {
        std::env::var("SANDBOX_WEBHOOK_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
    });
    let seed = match &webhook_url {
        Some(url) => seed.with_local_webhooks(url.trim()),
        None => seed,
    };
    let listener = match tokio::net::TcpListener::bind((args.host, args.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "stripe-sandbox: cannot listen on {}:{}: {e} (is another sandbox running? try --port)",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let sandbox = match stripe_sandbox::spawn(listener, seed).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("stripe-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(faults) = args.faults.clone()
        && let Err(e) = sandbox.state().set_faults(faults)
    {
        eprintln!("stripe-sandbox: --faults: {e}");
        sandbox.shutdown().await;
        return ExitCode::from(2);
    }
    let url = sandbox.base_url();
    println!("stripe-sandbox listening on {url}");
    println!("  API        {url}/v1");
    println!("  Stripe.js  {url}/v3/");
    println!(
        "  secret key       {}",
        key_fingerprint(sandbox.secret_key())
    );
    println!(
        "  publishable key  {}",
        key_fingerprint(sandbox.publishable_key())
    );
    if let Some(hook) = &webhook_url {
        println!("  webhooks   {hook} (secret: webhook_secret of /_sandbox/keys)");
    }
    println!("  admin page {url}/_sandbox");
    println!("  (whole keys: GET {url}/_sandbox/keys from this machine)");
    println!("Ctrl-C stops it.");

    wait_for_stop().await;
    println!("stripe-sandbox: stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C anywhere; SIGTERM too on Unix (what `kill` and container runtimes send).
async fn wait_for_stop() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn flags_take_values_inline_or_after() {
        let Ok(Command::Serve(a)) = parse(&["--port=9", "--host", "0.0.0.0", "--seed", "s.json"])
        else {
            panic!("not parsed");
        };
        assert_eq!(a.port, 9);
        assert!(a.host.is_unspecified());
        assert_eq!(a.seed, Some(PathBuf::from("s.json")));
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        assert!(parse(&["--port", "x"]).is_err_and(|e| e.contains("--port x")));
        assert!(parse(&["--port"]).is_err_and(|e| e.contains("needs a value")));
        assert!(parse(&["--nope"]).is_err_and(|e| e.contains("--nope")));
    }
}
