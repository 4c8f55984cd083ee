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

/// The seeded seller schemathesis signs in as: the `account` parameter's example in the
/// document, so that the seller endpoints' examples are this seller's own.
const SIGNED_IN_SELLER: &str = "acct_1LumenCoffee0001";

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
    // In sandbox mode, as `cargo xtask dev` runs it: the one mode with a sign-in that
    // schemathesis can use (a platform's own login is not in the document).
    let function = stack::start_function(
        Build::Dev,
        &sandbox,
        None,
        widget_dir,
        "https://shop.example.com",
        &logs.join("function.log"),
    )?;
    // Signed in as the seller of the document's example account, schemathesis reaches the seller
    // endpoints' handlers (status, payments, refunds, links) instead of their 401.
    let session = seller_session(&function, SIGNED_IN_SELLER)?;
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
            .args(["--header", &format!("Authorization: Bearer {session}")])
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

/// A seller session for `account`, from the function's sandbox-mode sign-in (`POST
/// /api/seller-session`): the value of the `cc_seller` cookie it sets.
fn seller_session(function: &stack::Server, account: &str) -> Result<String, String> {
    let answer = stack::request(
        function.port,
        "POST",
        "/api/seller-session",
        Some(&format!(r#"{{"account":"{account}"}}"#)),
    )?;
    let cookie = answer.header("set-cookie").unwrap_or_default();
    match cookie
        .split(';')
        .next()
        .and_then(|pair| pair.trim().strip_prefix("cc_seller="))
    {
        Some(session) if answer.status == 200 && !session.is_empty() => Ok(session.to_owned()),
        _ => Err(format!(
            "signing in as {account} (POST /api/seller-session) answered {} without a \
             cc_seller cookie: {}",
            answer.status, answer.body
        )),
    }
}
