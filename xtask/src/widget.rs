//! Building the widget with Trunk, and the embed next to it.

// Declared here rather than in main.rs so that `embed::build` lands with its one caller.
#[path = "embed.rs"]
pub mod embed;

use std::process::Command;

use crate::process::{execute, root, step, tool_path};

/// `trunk build --release` into `dist/`: the demo store and the checkout widget; then the
/// embed (the checkout alone) into `dist/embed/`. Each folder gets its brotli and gzip copies
/// (`crate::precompress`) right after it is written.
pub fn build_release() -> Result<(), String> {
    step("building the widget (trunk build --release; about 2 minutes cold, seconds warm)");
    // Trunk builds with `--offline`; make sure every crate is in the local registry first.
    execute(Command::new("cargo").arg("fetch"))?;
    execute(
        Command::new("trunk")
            .args(["build", "--release", "--dist"])
            .arg(root().join("dist"))
            .env("PATH", tool_path()),
    )?;
    let dist = root().join("dist");
    let written = crate::precompress::dir(&dist)?;
    println!(
        "    precompressed: {} files in {}, {} → {} bytes brotli",
        written.files,
        dist.display(),
        written.raw,
        written.brotli
    );
    embed::build(&dist).map(drop)
}
