//! `connect-checkout`: the function's entry points. They build the configuration, call
//! [`connect_checkout_function::app`], and run it; no request logic lives here.
//!
//! ```text
//! connect-checkout serve [--host 127.0.0.1] [--port 8080]   local server (+ the built widget)
//! connect-checkout lambda                                    AWS Lambda (the default on Lambda)
//! connect-checkout doctor [--json] [--url URL]               check keys, account, webhooks, sellers
//! ```
//!
//! Configuration comes from the environment (see the README). With no `STRIPE_SECRET_KEY`,
//! `serve` runs in sandbox mode against the Stripe sandbox at `STRIPE_API_BASE`
//! (default http://127.0.0.1:12111).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use connect_checkout_function::config::{self, Config, ProcessEnv};
use connect_checkout_function::sellers::session::SessionCookie;
use connect_checkout_function::{AppState, app, doctor, key_rotation, sandbox_mode, server};

/// glibc's malloc was a sixth of the function's CPU under load (perf, 16 clients: `_int_malloc`,
/// `_int_free`, `malloc_consolidate`…): every request allocates its headers, JSON and form.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: connect-checkout [serve [--host HOST] [--port PORT] | lambda | doctor [--json] [--url URL]]";

fn main() -> ExitCode {
    match runtime() {
        Ok(runtime) => runtime.block_on(run()),
        Err(message) => {
            eprintln!("connect-checkout: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One thread runs every request, unless `TOKIO_WORKER_THREADS` asks for a pool of workers.
/// Tokio's multi-threaded scheduler (the default before) parked and woke its two workers for
/// most of the tasks a request makes ready: under the bench's load (`server_timing`, 16 clients
/// on 2 cores) a fifth of the function's CPU was in park/unpark (epoll_wait, futex, context
/// switches; perf). One thread took a checkout's CPU from 0.117 to 0.092 ms (median of 5 fresh
/// runs each; 0.190 to 0.171 ms with the sandbox's webhooks), and `GET /api/config` under oha
/// was no slower. On Lambda an instance handles one event at a time anyway; a `serve` on a
/// larger machine can set `TOKIO_WORKER_THREADS` to use more cores.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    let mut builder = match std::env::var("TOKIO_WORKER_THREADS") {
        Err(_) => tokio::runtime::Builder::new_current_thread(),
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(workers) if workers > 0 => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(workers);
                builder
            }
            _ => {
                return Err(format!(
                    "TOKIO_WORKER_THREADS is `{text}`: use a number of threads, 1 or more"
                ));
            }
        },
    };
    builder
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))
}

async fn run() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let on_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]).await,
        Some("lambda") => lambda().await,
        Some("doctor") => doctor(&args[1..]).await,
        None if on_lambda => lambda().await,
        None => serve(&[]).await,
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("connect-checkout: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        builder.json().with_current_span(true).init();
    } else {
        builder.compact().init();
    }
}

async fn serve(args: &[String]) -> Result<(), String> {
    init_logging(std::env::var_os("LOG_JSON").is_some());
    let mut host = "127.0.0.1".to_owned();
    let mut port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT is `{port}`: use a port number"))?,
        Err(_) => 8080,
    };
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--host" => host.clone_from(value),
            "--port" => {
                port = value
                    .parse()
                    .map_err(|_| format!("--port `{value}`: use a port number"))?;
            }
            _ => return Err(format!("unknown option `{flag}`\n{USAGE}")),
        }
    }

    let config = if config::has_secret_key(&ProcessEnv) {
        Config::from_env(&ProcessEnv).map_err(|error| error.to_string())?
    } else {
        let config = sandbox_mode::config(&ProcessEnv)
            .await
            .map_err(|error| error.to_string())?;
        tracing::warn!(
            api_base = %config.api_base,
            "SANDBOX MODE: no STRIPE_SECRET_KEY is set, so payments go to the offline Stripe \
             sandbox and no real money moves"
        );
        config
    };
    tracing::info!(
        mode = ?config.mode,
        secret_key = %config.secret_key.fingerprint(),
        publishable_key = %config.publishable_key.as_str(),
        api_base = %config.api_base,
        fee = %config.fee,
        charge_type = ?config.charge_type,
        widget_dir = ?config.widget_dir,
        "configuration accepted"
    );

    let address: SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|_| format!("`{host}:{port}` is not an address to listen on"))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    println!("connect-checkout function on http://{address}");
    let state = AppState::new(config);
    if let Some(path) = std::env::var_os("STRIPE_SECRET_KEY_FILE") {
        key_rotation::watch_key_file(path.into(), state.stripe.clone(), Duration::from_secs(2));
    }
    let header_read_timeout = Duration::from_secs(state.config.limits.header_read_timeout_secs);
    // The server gives handlers the peer address (the rate limit's key, and the address
    // recorded with a Custom seller's terms acceptance when no proxy sets X-Forwarded-For).
    server::serve(listener, app(state), header_read_timeout, shutdown_signal()).await;
    Ok(())
}

/// Checks everything and prints the report; fails (exit 1) when any check fails.
async fn doctor(args: &[String]) -> Result<(), String> {
    let mut json = false;
    let mut url = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--json" => json = true,
            "--url" => {
                url = Some(
                    rest.next()
                        .ok_or("--url needs the function's public URL")?
                        .clone(),
                )
            }
            _ => return Err(format!("unknown option `{flag}`\n{USAGE}")),
        }
    }
    let config = if config::has_secret_key(&ProcessEnv) {
        Config::from_env(&ProcessEnv).map_err(|error| doctor::config_failure(&error))
    } else {
        sandbox_mode::config(&ProcessEnv)
            .await
            .map_err(|error| match error {
                sandbox_mode::SandboxModeError::Config(error) => doctor::config_failure(&error),
                other => {
                    let mut report = doctor::Report::default();
                    report.checks.push(doctor::Check {
                        name: "configuration".into(),
                        verdict: doctor::Verdict::Fail,
                        detail: other.to_string(),
                        fix: Some("set STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY".into()),
                    });
                    report
                }
            })
    };
    let report = match config {
        Ok(config) => {
            let state = AppState::new(config);
            doctor::diagnose(&state.config, &state.stripe, url.as_deref(), state.now()).await
        }
        Err(report) => report,
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", report.render());
    }
    if report.failed() {
        Err("the doctor found problems".into())
    } else {
        Ok(())
    }
}

async fn lambda() -> Result<(), String> {
    init_logging(true);
    let mut config = Config::from_env(&ProcessEnv).map_err(|error| error.to_string())?;
    // Function URLs and API Gateway answer over HTTPS only.
    config.seller_cookie = SessionCookie::HostOnly;
    lambda_http::run(app(AppState::new(config)))
        .await
        .map_err(|error| error.to_string())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
}
