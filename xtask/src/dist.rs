//! `cargo xtask dist`: what a platform deploys. The Lambda function (the `bootstrap` binary,
//! zipped, for arm64 and x86_64), the static widget and the embed as an npm-style package
//! (`embed-package/`), in `target/dist/`.
//!
//! cargo-lambda cross-compiles with zig, so no cross toolchain is needed and the binary links
//! against the glibc that Lambda's Amazon Linux 2023 has, not this machine's newer one.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::process::{execute, output, root, step};
use crate::{tools, widget};

pub const CARGO_LAMBDA_VERSION: &str = "1.9.2";

/// `cargo lambda build` of the function's binary as a zip; the architecture flag follows.
/// `cargo xtask bench` builds the same, so the size it reports is the size deployed.
pub const LAMBDA_BUILD_ARGS: [&str; 10] = [
    "lambda",
    "build",
    "--profile",
    "server",
    "--output-format",
    "zip",
    "--package",
    "connect-checkout-function",
    "--bin",
    "connect-checkout",
];

/// The Lambda architectures, as cargo-lambda names them and as the zip is named.
const ARCHITECTURES: [(&str, &str, &str); 2] = [
    ("--arm64", "aarch64-unknown-linux-gnu", "arm64"),
    ("--x86-64", "x86_64-unknown-linux-gnu", "x86_64"),
];

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!(
            "`cargo xtask dist` takes no arguments (got `{extra}`)"
        ));
    }
    let budgets = crate::budgets::load()?;
    tools::ensure_wasm_tools()?;
    ensure_cargo_lambda()?;
    widget::build_release()?;

    let out = root().join("target/dist");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out)
        .map_err(|error| format!("cannot create {}: {error}", out.display()))?;
    copy_dir(&root().join("dist"), &out.join("widget"))?;
    widget::embed::package(&out.join("embed-package"))?;

    for (flag, target, name) in ARCHITECTURES {
        ensure_target(target)?;
        step(&format!(
            "building the Lambda function for {name} (cargo lambda build)"
        ));
        execute(Command::new("cargo").args(LAMBDA_BUILD_ARGS).arg(flag))?;
        let built = crate::bench::target_dir().join("lambda/connect-checkout/bootstrap.zip");
        if let Some(budget) = &budgets.lambda_zip {
            let bytes = fs::metadata(&built).map_or(0, |meta| meta.len());
            crate::budgets::check_zip(budget, bytes).map_err(|error| format!("{name}: {error}"))?;
        }
        let zip = out.join(format!("connect-checkout-lambda-{name}.zip"));
        fs::copy(&built, &zip)
            .map_err(|error| format!("cannot copy {}: {error}", built.display()))?;
    }

    step("done: target/dist");
    for entry in fs::read_dir(&out)
        .map_err(|error| error.to_string())?
        .flatten()
    {
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        println!(
            "    {:>10} bytes  {}",
            size,
            entry.file_name().to_string_lossy()
        );
    }
    Ok(())
}

pub fn ensure_cargo_lambda() -> Result<(), String> {
    let installed = output(Command::new("cargo").args(["lambda", "--version"])).unwrap_or_default();
    if installed.contains(CARGO_LAMBDA_VERSION) {
        return Ok(());
    }
    step(&format!(
        "installing cargo-lambda {CARGO_LAMBDA_VERSION} (with zig) from PyPI"
    ));
    execute(Command::new("python3").args([
        "-m",
        "pip",
        "install",
        "--quiet",
        &format!("cargo-lambda=={CARGO_LAMBDA_VERSION}"),
    ]))
}

pub fn ensure_target(target: &str) -> Result<(), String> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == target) {
        return Ok(());
    }
    step(&format!("installing the {target} target"));
    execute(Command::new("rustup").args(["target", "add", target]))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|error| format!("cannot create {}: {error}", to.display()))?;
    for entry in
        fs::read_dir(from).map_err(|error| format!("cannot read {}: {error}", from.display()))?
    {
        let entry = entry.map_err(|error| error.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if entry.file_name() != ".trunk-lock" {
            fs::copy(entry.path(), &target)
                .map_err(|error| format!("cannot copy {}: {error}", entry.path().display()))?;
        }
    }
    Ok(())
}
