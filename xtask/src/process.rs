//! Running commands: each one echoed, its failure turned into a message that names it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A progress line, so a long step never looks like a hang.
pub fn step(message: &str) {
    println!("==> {message}");
}

/// Runs `command` to completion in the workspace root; an error names the command.
pub fn execute(command: &mut Command) -> Result<(), String> {
    let shown = describe(command);
    println!("    $ {shown}");
    let started = Instant::now();
    let status = command
        .current_dir(root())
        .status()
        .map_err(|error| format!("could not start `{shown}`: {error}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if status.success() {
        println!("    ({seconds:.1} s)");
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status}) after {seconds:.1} s"))
    }
}

/// The standard output of `command`, or `None` when it cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let output = command.current_dir(root()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn describe(command: &Command) -> String {
    let mut shown = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}

/// `PATH` with the project's tool folders first: npm's wasm-opt, then cargo's binaries.
pub fn tool_path() -> String {
    let mut parts = vec![
        root().join("tools/node_modules/.bin").display().to_string(),
        crate::tools::cargo_bin_dir().display().to_string(),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        parts.push(path.to_string_lossy().into_owned());
    }
    parts.join(":")
}
