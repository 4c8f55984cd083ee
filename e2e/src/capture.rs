//! What the end-to-end suite leaves for the leak scan (`tests/leak_scan.rs`): every log line
//! the function and the sandbox write (at debug level), and every answer the function gives
//! under `/api`, in `e2e/artifacts/capture/`, one file pair per test process.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::json;

use crate::workspace_root;

pub fn capture_dir() -> PathBuf {
    workspace_root().join("e2e/artifacts/capture")
}

/// `<test binary>-<pid>`, so parallel test processes never share a file.
fn process_name() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|path| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "e2e".into());
    format!("{binary}-{}", std::process::id())
}

fn open(suffix: &str) -> Option<File> {
    std::fs::create_dir_all(capture_dir()).ok()?;
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(capture_dir().join(format!("{}.{suffix}", process_name())))
        .ok()
}

/// Sends this process's logs (debug and up) to its capture file. Once per process.
pub fn install_log_capture() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let Some(file) = open("log") else { return };
        let filter = tracing_subscriber::EnvFilter::new(
            "debug,hyper=info,hyper_util=info,h2=info,reqwest=info,fantoccini=info,tower=info",
        );
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(Mutex::new(file))
            .try_init();
    });
}

fn responses_file() -> &'static Mutex<Option<File>> {
    static FILE: OnceLock<Mutex<Option<File>>> = OnceLock::new();
    FILE.get_or_init(|| Mutex::new(open("responses.jsonl")))
}

async fn record(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if !path.starts_with("/api/") {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, 4 * 1024 * 1024).await.unwrap_or_default();
    let line = json!({
        "path": path,
        "status": parts.status.as_u16(),
        "set_cookie": parts.headers.get("set-cookie").and_then(|v| v.to_str().ok()),
        "body": String::from_utf8_lossy(&bytes),
    });
    if let Ok(mut file) = responses_file().lock()
        && let Some(file) = file.as_mut()
    {
        let _ = writeln!(file, "{line}");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The function's Router, with every `/api` answer recorded.
pub fn recorded(router: Router) -> Router {
    install_log_capture();
    router.layer(middleware::from_fn(record))
}
