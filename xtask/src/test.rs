//! `cargo xtask test`: every check CI runs, in the order that fails fastest.

use std::process::Command;

use crate::process::{execute, step, tool_path};
use crate::tools::{self, CHROMEDRIVER};
use crate::widget;

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!(
            "`cargo xtask test` takes no arguments (got `{extra}`)"
        ));
    }
    tools::ensure_wasm_tools()?;
    tools::ensure_browser()?;
    tools::ensure_axe_core()?;

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
    step("clippy (the widget for wasm32, warnings denied)");
    execute(Command::new("cargo").args([
        "clippy",
        "--package",
        "connect-checkout",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("native tests (core, function, sandbox)");
    execute(Command::new("cargo").args([
        "test",
        "--workspace",
        "--exclude",
        "connect-checkout-e2e",
        "--exclude",
        "connect-checkout",
    ]))?;

    step("browser tests (wasm-bindgen-test in headless Chromium)");
    execute(
        Command::new("cargo")
            .args([
                "test",
                "--package",
                "connect-checkout",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("PATH", tool_path())
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;

    widget::build_release()?;

    step("end-to-end tests (Chromium against the widget, the function and the sandbox)");
    execute(
        Command::new("cargo")
            .args([
                "test",
                "--package",
                "connect-checkout-e2e",
                "--",
                "--test-threads",
                "1",
            ])
            .env("CHROMEDRIVER", CHROMEDRIVER),
    )?;

    step("all checks passed");
    Ok(())
}
