//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! ```text
//! cargo xtask dev  [--port 8080] [--sandbox-port 12111]   the whole product on the sandbox
//! cargo xtask test                                         every check CI runs
//! cargo xtask dist                                         Lambda zips (arm64, x86_64) + widget
//! cargo xtask bench [--quick | --sizes]                   every benchmark → bench/report.{md,json}
//! ```
//!
//! Each command first installs the tools it needs when they are missing (see `tools.rs`),
//! checking versions, so a fresh machine needs nothing but Rust, Node.js and (for browser
//! tests) Debian's Chromium, which `test` installs itself when running as root.

mod bench;
mod budgets;
mod dev;
mod dist;
mod precompress;
mod process;
mod schema;
mod stack;
#[cfg(test)]
mod standalone;
mod test;
mod tools;
mod widget;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <dev [--port N] [--sandbox-port N] | test | dist | bench [--quick | --sizes]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("dist") => dist::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
