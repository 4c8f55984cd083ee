//! `cargo xtask test [--full]`: every check CI runs, in the order that fails fastest.
//!
//! `--full` is the same with more of everything that samples: 250 checkouts in the
//! reliability test instead of 40, ten times the generated API requests, and each fuzz target
//! for a minute (cargo-fuzz, installed when missing). CI runs the usual depth.

use std::process::Command;

use crate::process::{execute, output, root, step, tool_path};
use crate::schema::{self, Depth};
use crate::tools::{self, CHROMEDRIVER};
use crate::{budgets, widget};

/// The fuzz targets of `fuzz/` (a workspace of its own), each run by `--full`.
const FUZZ_TARGETS: [&str; 3] = ["webhook_signature", "sandbox_form", "function_json"];
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// What clippy checks and the browser tests run for wasm32: the widget and its wasm-streams,
/// with the demo's pages (default) and the embed's JS side, in one build.
const WIDGET_IN_THE_BROWSER: [&str; 8] = [
    "--package",
    "connect-checkout",
    "--package",
    "wasm-streams",
    "--target",
    "wasm32-unknown-unknown",
    "--features",
    "connect-checkout/embed",
];

pub fn run(args: &[String]) -> Result<(), String> {
    let depth = match args {
        [] => Depth::Usual,
        [flag] if flag == "--full" => Depth::Full,
        _ => {
            return Err(format!(
                "`cargo xtask test` takes --full or nothing (got `{}`)",
                args.join(" ")
            ));
        }
    };
    tools::ensure_wasm_tools()?;
    tools::ensure_browser()?;
    tools::ensure_axe_core()?;
    let scratch = Scratch::create()?;

    step("format");
    execute(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))?;

    step("clippy (native, warnings denied)");
    execute(Command::new("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("clippy (the widget and its wasm-streams for wasm32, warnings denied)");
    execute(
        Command::new("cargo")
            .arg("clippy")
            .args(WIDGET_IN_THE_BROWSER)
            .args(["--all-targets", "--", "-D", "warnings"]),
    )?;
    step("clippy (the embed build: the checkout alone, warnings denied)");
    execute(Command::new("cargo").args([
        "clippy",
        "--package",
        "connect-checkout",
        "--target",
        "wasm32-unknown-unknown",
        "--lib",
        "--no-default-features",
        "--features",
        "embed",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("native tests (core, function, sandbox)");
    execute(&mut scratch.cargo_test(&[
        "--workspace",
        "--exclude",
        "connect-checkout-e2e",
        "--exclude",
        "connect-checkout",
    ]))?;

    step("browser tests (wasm-bindgen-test in headless Chromium)");
    execute(
        scratch
            .cargo_test(&WIDGET_IN_THE_BROWSER)
            .env("PATH", tool_path())
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;

    widget::build_release()?;
    // The npm package, which an end-to-end test imports as a site would (e2e/tests/embed.rs).
    widget::embed::package(&root().join("target/embed-package"))?;
    // Sizes are deterministic, so a bundle that grew past its budget fails here, in seconds.
    budgets::enforce_bundles()?;

    lambda_zip()?;

    schema::run(depth, &root().join("dist"))?;

    step("end-to-end tests (Chromium against the widget, the function and the sandbox)");
    // The leak scan reads what this run captured, and nothing older.
    let capture = root().join("e2e/artifacts/capture");
    if capture.exists() {
        std::fs::remove_dir_all(&capture)
            .map_err(|error| format!("cannot empty {}: {error}", capture.display()))?;
    }
    let checkouts = match depth {
        Depth::Usual => "40",
        Depth::Full => "250",
    };
    execute(
        scratch
            .cargo_test(&[
                "--package",
                "connect-checkout-e2e",
                "--",
                "--test-threads",
                "1",
            ])
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("RELIABILITY_CHECKOUTS", checkouts),
    )?;
    step("leak scan: no secret, card number or other checkout's client secret in what the run saw");
    execute(&mut scratch.cargo_test(&[
        "--package",
        "connect-checkout-e2e",
        "--test",
        "leak_scan",
        "--",
        "--ignored",
    ]))?;

    if let Depth::Full = depth {
        fuzz()?;
    }

    step("all checks passed");
    Ok(())
}

/// The temporary directory of every test this command runs (their `TMPDIR`), removed when the
/// command ends, whether the checks passed or not (and by the next run, if a signal ended it). wasm-bindgen's test runner stops ChromeDriver
/// without ending its session, which leaves a 100 MB `org.chromium.Chromium.scoped_dir.*`
/// profile in TMPDIR for each test binary (135 of them, 11 GB, had piled up in /tmp, and a CI run
/// then failed when the disk filled). It sits in the system's temporary directory under a short
/// name, not in target/: Chromium puts its singleton socket in TMPDIR, and a Unix socket's path
/// must fit in 108 bytes however deep the checkout is.
struct Scratch(std::path::PathBuf);

impl Scratch {
    /// `cargo test <args>` with its temporary files in here.
    fn cargo_test(&self, args: &[&str]) -> Command {
        let mut command = Command::new("cargo");
        command.arg("test").args(args).env("TMPDIR", &self.0);
        command
    }

    fn create() -> Result<Self, String> {
        let temp = std::env::temp_dir();
        remove_abandoned(&temp);
        let dir = temp.join(format!("{SCRATCH_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        Ok(Self(dir))
    }
}

const SCRATCH_PREFIX: &str = "cc-tests-";

/// Removes the scratch directories in `temp` of runs that no longer exist: a run stopped by a
/// signal (Ctrl-C, a CI timeout) cannot remove its own. A run is alive while its pid is in
/// /proc; without /proc (not Linux) nothing is removed.
fn remove_abandoned(temp: &std::path::Path) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(SCRATCH_PREFIX))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.0) {
            eprintln!("xtask: cannot remove {}: {error}", self.0.display());
        }
    }
}

/// The x86_64 Lambda zip, built as `cargo xtask dist` builds it, against its budget in
/// bench/budgets.toml: a dependency that bloats the function fails here.
fn lambda_zip() -> Result<(), String> {
    let budgets = budgets::load()?;
    let Some(budget) = budgets.lambda_zip else {
        return Ok(());
    };
    crate::dist::ensure_cargo_lambda()?;
    step("the Lambda zip (cargo lambda build --x86-64; minutes cold) against its budget");
    execute(
        Command::new("cargo")
            .args(crate::dist::LAMBDA_BUILD_ARGS)
            .arg("--x86-64"),
    )?;
    let zip = crate::stack::target_dir().join(&budget.file);
    let bytes = std::fs::metadata(&zip)
        .map_err(|error| format!("{}: {error}", zip.display()))?
        .len();
    budgets::check_zip(&budget, bytes)?;
    println!(
        "    {} {} (budget {})",
        budget.description,
        budgets::Size(bytes),
        budget.max
    );
    Ok(())
}

/// Each fuzz target for a minute, on stable Rust (no sanitizer: `-s none`).
fn fuzz() -> Result<(), String> {
    let installed = output(Command::new("cargo").args(["fuzz", "--version"])).unwrap_or_default();
    if !installed.contains(CARGO_FUZZ_VERSION) {
        step(&format!(
            "installing cargo-fuzz {CARGO_FUZZ_VERSION} (a few minutes)"
        ));
        execute(Command::new("cargo").args([
            "install",
            "--locked",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
        ]))?;
    }
    for target in FUZZ_TARGETS {
        step(&format!("fuzzing {target} for 60 s"));
        execute(
            Command::new("cargo")
                .args(["fuzz", "run", target, "-s", "none", "--"])
                .arg("-max_total_time=60")
                .current_dir(root()),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_abandoned_scratch_directory_is_removed_and_a_live_runs_is_kept() {
        let temp = tempfile::tempdir().unwrap();
        // No process has a pid this high (Linux's limit is 2^22).
        let abandoned = temp.path().join(format!("{SCRATCH_PREFIX}4294967295"));
        let live = temp
            .path()
            .join(format!("{SCRATCH_PREFIX}{}", std::process::id()));
        let unrelated = temp.path().join(format!("{SCRATCH_PREFIX}notes"));
        for dir in [&abandoned, &live, &unrelated] {
            std::fs::create_dir_all(dir.join("org.chromium.Chromium.scoped_dir.x")).unwrap();
        }

        remove_abandoned(temp.path());

        assert!(!abandoned.exists());
        assert!(live.exists());
        assert!(unrelated.exists());
    }
}
