//! The sandbox and the function as separate processes, each on its own loopback port: built
//! with the `server` profile as they run in production (`cargo xtask bench`), or the dev
//! profile the tests already built (`cargo xtask test`'s schema check); and a minimal HTTP
//! client to talk to them (xtask has no async runtime, and these calls need none).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::process::root;

/// The cargo target directory: `CARGO_TARGET_DIR` when set (relative to the root), else
/// `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Which build of the binaries to run.
#[derive(Clone, Copy, Debug)]
pub enum Build {
    /// `cargo build --profile server`: as deployed.
    Server,
    /// `cargo build`: what `cargo test` already built.
    Dev,
}

/// A binary of `build`.
pub fn binary(build: Build, name: &str) -> PathBuf {
    let profile = match build {
        Build::Server => "server",
        Build::Dev => "debug",
    };
    target_dir().join(profile).join(name)
}

/// A loopback port nobody listens on now.
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|error| format!("cannot find a free port: {error}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|error| error.to_string())
}

/// A child process that is stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Server {
    pub port: u16,
    child: Child,
}

impl Server {
    pub fn start(name: &'static str, command: &mut Command, port: u16) -> Result<Self, String> {
        let child = command
            .spawn()
            .map_err(|error| format!("cannot start the {name}: {error}"))?;
        let mut server = Self { port, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("the {name} stopped at start ({status})"));
            }
            if get(port, "/healthz").is_ok() || get(port, "/_sandbox/keys").is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        server.stop();
        Err(format!(
            "the {name} did not answer on port {port} within 30 s"
        ))
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A line of `/proc/PID/status`, in kB (`VmHWM`: the peak resident set; `VmRSS`: now).
    pub fn memory_kb(&self, field: &str) -> Option<f64> {
        memory_kb(self.pid(), field)
    }

    /// The CPU time (user + system) the process has used so far.
    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(self.pid())
    }

    pub fn stop(&mut self) {
        stop(&mut self.child);
    }
}

/// Fields 14 and 15 of `/proc/PID/stat` (utime, stime), in clock ticks. The fields are counted
/// after the command name's closing parenthesis, since the name itself may hold spaces.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / clock_ticks_per_second())
}

/// `getconf CLK_TCK`: 100 on every Linux this runs on, asked rather than assumed.
fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn memory_kb(pid: u32, field: &str) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// SIGTERM so the server finishes cleanly, SIGKILL after 5 s.
pub fn stop(child: &mut Child) {
    stop_all(&mut [("server", child)]);
}

/// SIGTERM to every child at once, so each finishes its in-flight requests while the others
/// do, then SIGKILL to those still running 5 s later.
pub fn stop_all(children: &mut [(&str, &mut Child)]) {
    for (_, child) in children.iter_mut() {
        if let Ok(None) = child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    for (name, child) in children.iter_mut() {
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() > deadline => {
                    eprintln!("the {name} did not stop in 5 s; killing it");
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

/// The sandbox, seeded as usual, on a free port; its stdout and stderr go to `log`.
pub fn start_sandbox(build: Build, log: &Path) -> Result<Server, String> {
    start_sandbox_with(build, log, &[])
}

/// [`start_sandbox`], delivering every event, signed, to `webhook_url` as Stripe would (as
/// `cargo xtask dev`'s sandbox does); `/_sandbox/keys` then names the `webhook_secret`.
pub fn start_sandbox_with_webhooks(
    build: Build,
    log: &Path,
    webhook_url: &str,
) -> Result<Server, String> {
    start_sandbox_with(build, log, &["--webhook-url", webhook_url])
}

fn start_sandbox_with(build: Build, log: &Path, args: &[&str]) -> Result<Server, String> {
    let port = free_port()?;
    let log = log_file(log)?;
    let err = log.try_clone().map_err(|error| error.to_string())?;
    Server::start(
        "sandbox",
        Command::new(binary(build, "stripe-sandbox"))
            .args(["--port", &port.to_string()])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(log)
            .stderr(err),
        port,
    )
}

/// The platform's keys, which the sandbox hands to local processes.
pub struct Keys {
    pub secret: String,
    pub publishable: String,
}

pub fn sandbox_keys(sandbox: &Server) -> Result<Keys, String> {
    let (status, body) = get(sandbox.port, "/_sandbox/keys")?;
    if status != 200 {
        return Err(format!("GET /_sandbox/keys answered {status}"));
    }
    let keys: serde_json::Value =
        serde_json::from_str(&body).map_err(|error| format!("/_sandbox/keys: {error}"))?;
    let field = |name: &str| {
        keys[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("/_sandbox/keys has no {name}"))
    };
    Ok(Keys {
        secret: field("secret_key")?,
        publishable: field("publishable_key")?,
    })
}

/// `connect-checkout serve` pointed at `sandbox`, serving the built widget from `widget_dir`.
/// With `keys`, it is configured as in production (keys in the environment, as on Lambda);
/// without, it runs in sandbox mode, as `cargo xtask dev` runs it: it asks the sandbox for the
/// keys and offers the demo's seller sign-in.
pub fn function_command(
    build: Build,
    sandbox: &Server,
    keys: Option<&Keys>,
    widget_dir: &Path,
    port: u16,
) -> Command {
    let mut command = Command::new(binary(build, "connect-checkout"));
    command
        .args(["serve", "--port", &port.to_string()])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("STRIPE_API_BASE", sandbox.url())
        .env("STRIPE_JS_URL", format!("{}/v3/", sandbox.url()))
        .env("WIDGET_DIR", widget_dir);
    if let Some(keys) = keys {
        command
            .env("STRIPE_SECRET_KEY", &keys.secret)
            .env("STRIPE_PUBLISHABLE_KEY", &keys.publishable);
    }
    command
}

/// [`function_command`] started, with `allowed_origins` (the embed's host page) in its CORS
/// allow-list.
pub fn start_function(
    build: Build,
    sandbox: &Server,
    keys: Option<&Keys>,
    widget_dir: &Path,
    allowed_origins: &str,
    log: &Path,
) -> Result<Server, String> {
    let port = free_port()?;
    let log = log_file(log)?;
    let err = log.try_clone().map_err(|error| error.to_string())?;
    Server::start(
        "function",
        function_command(build, sandbox, keys, widget_dir, port)
            .env("ALLOWED_ORIGINS", allowed_origins)
            .stdout(log)
            .stderr(err),
        port,
    )
}

/// `path`, created (with its directory) for a server's output.
pub fn log_file(path: &Path) -> Result<std::fs::File, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|error| error.to_string())?;
    }
    std::fs::File::create(path).map_err(|error| format!("{}: {error}", path.display()))
}

/// `GET path` on a loopback port: the status and the body. One connection per call.
pub fn get(port: u16, path: &str) -> Result<(u16, String), String> {
    let answer = request(port, "GET", path, None)?;
    Ok((answer.status, answer.body))
}

/// An HTTP/1.1 answer from [`request`].
pub struct Answer {
    pub status: u16,
    /// The status line and the headers.
    pub head: String,
    pub body: String,
}

impl Answer {
    /// The value of the first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

/// `method path` on a loopback port, with a JSON body if given. One connection per call.
///
/// Written by hand rather than with an HTTP client crate: xtask compiles before every command
/// it runs, and it talks only to its own servers, on loopback, with small JSON bodies.
pub fn request(port: u16, method: &str, path: &str, json: Option<&str>) -> Result<Answer, String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))
        .map_err(|error| error.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|error| error.to_string())?;
    let body = json.unwrap_or("");
    let content_type = if json.is_some() {
        "Content-Type: application/json\r\n"
    } else {
        ""
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         {content_type}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|error| error.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|error| error.to_string())?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {head}"))?;
    // Bodies here are small JSON; a chunked one is unwrapped well enough by taking the
    // largest line (the chunk), which is all the callers need.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body.lines()
            .max_by_key(|line| line.len())
            .unwrap_or("")
            .to_owned()
    } else {
        body.to_owned()
    };
    Ok(Answer {
        status,
        head: head.to_owned(),
        body,
    })
}
