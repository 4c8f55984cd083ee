//! The function's API against its own OpenAPI document, with generated requests: schemathesis
//! (a property-based API tester, from PyPI) sends what the schema allows and much that it does
//! not, to the function running as a process against the sandbox, and fails on any 5xx, any
//! status or content type the document does not list, and any answer that breaks its schema.
//!
//! `crates/function/tests/openapi.rs` keeps the document true for the requests it writes;
//! this finds the requests nobody thought to write.

use std::path::Path;
use std::process::Command;

use crate::process::{execute, output, step};
use crate::stack::{self, Build, target_dir};

pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// The checks: no server error, and every answer as documented.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";

/// How hard to try: examples per operation.
#[derive(Clone, Copy)]
pub enum Depth {
    /// `cargo xtask test`: about 1,600 requests, half a minute.
    Usual,
    /// `cargo xtask test --full`.
    Full,
}

fn ensure_schemathesis() -> Result<(), String> {
    let installed = output(Command::new("schemathesis").arg("--version")).unwrap_or_default();
    if installed.contains(SCHEMATHESIS_VERSION) {
        return Ok(());
    }
    step(&format!(
        "installing schemathesis {SCHEMATHESIS_VERSION} from PyPI"
    ));
    execute(Command::new("python3").args([
        "-m",
        "pip",
        "install",
        "--quiet",
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]))?;
    let installed = output(Command::new("schemathesis").arg("--version")).unwrap_or_default();
    if installed.contains(SCHEMATHESIS_VERSION) {
        Ok(())
    } else {
        Err(format!(
            "pip installed schemathesis {SCHEMATHESIS_VERSION}, but `schemathesis --version` \
             says `{}`: put pip's scripts directory on PATH",
            installed.trim()
        ))
    }
}

/// Runs schemathesis against the dev build of the function and the sandbox (`cargo test` built
/// both), each a process on a free loopback port.
pub fn run(depth: Depth, widget_dir: &Path) -> Result<(), String> {
    ensure_schemathesis()?;
    step("the API against its OpenAPI document (schemathesis, generated requests)");
    execute(Command::new("cargo").args([
        "build",
        "--package",
        "connect-checkout-function",
        "--package",
        "stripe-sandbox",
        "--bins",
    ]))?;
    let logs = target_dir().join("schemathesis");
    let sandbox = stack::start_sandbox(Build::Dev, &logs.join("sandbox.log"))?;
    let keys = stack::sandbox_keys(&sandbox)?;
    let function = stack::start_function(
        Build::Dev,
        &sandbox,
        &keys,
        widget_dir,
        "https://shop.example.com",
        &logs.join("function.log"),
    )?;
    let examples = match depth {
        Depth::Usual => "100",
        Depth::Full => "1000",
    };
    let result = execute(
        Command::new("schemathesis")
            .arg("run")
            .arg(format!("{}/api/openapi.json", function.url()))
            .args(["--url", &function.url()])
            .args(["--checks", CHECKS])
            .args(["--max-examples", examples])
            // One worker: with two, its threads raced in CPython 3.11's AST constructor (its
            // coverage phase describes lambdas by parsing their source) and the `--full` run
            // ended on schemathesis's own `SystemError: AST constructor recursion depth
            // mismatch`, with all 11,532 requests passed.
            .args(["--workers", "1"])
            .arg("--no-color")
            // Its example database and reports stay out of the workspace.
            .current_dir(&logs),
    );
    drop(function);
    drop(sandbox);
    result.map_err(|error| {
        format!(
            "{error}\nschemathesis found a request the function mishandles: it prints the \
             request to reproduce it (logs: {})",
            logs.display()
        )
    })
}
