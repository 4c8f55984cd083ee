//! Building the widget with Trunk.

use std::process::Command;

use crate::process::{execute, root, step, tool_path};

/// `trunk build --release` into `dist/`: the demo store and the checkout widget.
pub fn build_release() -> Result<(), String> {
    step("building the widget (trunk build --release; about 2 minutes cold, seconds warm)");
    // Trunk builds with `--offline`; make sure every crate is in the local registry first.
    execute(Command::new("cargo").arg("fetch"))?;
    execute(
        Command::new("trunk")
            .args(["build", "--release", "--dist"])
            .arg(root().join("dist"))
            .env("PATH", tool_path()),
    )
}
