//! Installs the tools the build and the tests need, each only when the wanted version is not
//! already there (a second run takes a second, not the 10 minutes of a cold install).
//!
//! Versions are pinned: wasm-bindgen-cli must equal the `wasm-bindgen` crate in Cargo.lock
//! (the test runner refuses a mismatch), and wasm-opt comes from npm's binaryen because
//! Debian's (108) produces wasm that Chromium rejects (docs/toolchain.md §Traps).

use std::path::PathBuf;
use std::process::Command;

use crate::process::{execute, output, root, step};

pub const TRUNK_VERSION: &str = "0.22.1";
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const BINARYEN_VERSION: &str = "132";
/// The embed's JS glue is minified with it (xtask/src/embed.rs).
pub const TERSER_VERSION: &str = "5.51.4";
/// The accessibility audit the end-to-end tests inject into pages.
pub const AXE_CORE_VERSION: &str = "4.14.1";

pub fn cargo_bin_dir() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    cargo_home.join("bin")
}

/// Whether `program --version` prints exactly `wanted`.
fn has_version(program: &str, wanted: &str) -> bool {
    let path = crate::process::tool_path();
    output(Command::new(program).arg("--version").env("PATH", path))
        .is_some_and(|version| version.trim() == wanted)
}

/// Everything `trunk build`, the embed's build and the wasm browser tests need.
pub fn ensure_wasm_tools() -> Result<(), String> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        step("installing the wasm32-unknown-unknown target");
        execute(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    if !has_version(
        "wasm-bindgen",
        &format!("wasm-bindgen {WASM_BINDGEN_VERSION}"),
    ) {
        step(&format!(
            "installing wasm-bindgen-cli {WASM_BINDGEN_VERSION} (about 2 minutes on 2 cores)"
        ));
        // Without --locked: its lock file wants a webpki-roots newer than the registry has.
        execute(
            Command::new("cargo")
                .args([
                    "install",
                    "wasm-bindgen-cli",
                    "--version",
                    WASM_BINDGEN_VERSION,
                    "--force",
                ])
                .env("CARGO_PROFILE_RELEASE_LTO", "false")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        )?;
    }

    if !has_version("trunk", &format!("trunk {TRUNK_VERSION}")) {
        step(&format!(
            "installing trunk {TRUNK_VERSION} (about 7 minutes on 2 cores)"
        ));
        // trunk declares a newer rustc than it needs; without its fat LTO it builds in 7
        // minutes instead of 11.
        execute(
            Command::new("cargo")
                .args(["install", "--locked", "trunk", "--version", TRUNK_VERSION])
                .args(["--ignore-rust-version", "--force"])
                .env("CARGO_PROFILE_RELEASE_LTO", "false")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        )?;
    }

    let wasm_opt = root().join("tools/node_modules/.bin/wasm-opt");
    let wasm_opt_version = output(Command::new(&wasm_opt).arg("--version")).unwrap_or_default();
    if !wasm_opt_version.contains(&format!("version {BINARYEN_VERSION}")) {
        step(&format!(
            "installing wasm-opt (binaryen {BINARYEN_VERSION} from npm) into tools/"
        ));
        npm_install(&format!("binaryen@{BINARYEN_VERSION}.0.0"))?;
    }

    let terser = root().join("tools/node_modules/terser/package.json");
    let installed = std::fs::read_to_string(&terser).unwrap_or_default();
    if !installed.contains(&format!("\"version\": \"{TERSER_VERSION}\"")) {
        step(&format!(
            "installing terser {TERSER_VERSION} from npm into tools/"
        ));
        npm_install(&format!("terser@{TERSER_VERSION}"))?;
    }
    Ok(())
}

/// axe-core, read by the end-to-end tests from `tools/node_modules/axe-core/axe.min.js`.
pub fn ensure_axe_core() -> Result<(), String> {
    let manifest = root().join("tools/node_modules/axe-core/package.json");
    let installed = std::fs::read_to_string(&manifest).unwrap_or_default();
    if installed.contains(&format!("\"version\": \"{AXE_CORE_VERSION}\"")) {
        return Ok(());
    }
    step(&format!(
        "installing axe-core {AXE_CORE_VERSION} from npm into tools/"
    ));
    npm_install(&format!("axe-core@{AXE_CORE_VERSION}"))
}

fn npm_install(package: &str) -> Result<(), String> {
    if output(Command::new("npm").arg("--version")).is_none() {
        return Err("npm is missing: install Node.js 18 or newer".into());
    }
    std::fs::create_dir_all(root().join("tools"))
        .map_err(|error| format!("cannot create tools/: {error}"))?;
    execute(Command::new("npm").args([
        "install",
        "--prefix",
        "tools",
        "--no-audit",
        "--no-fund",
        package,
    ]))
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian's Chromium and its driver, for the browser and end-to-end tests.
pub fn ensure_browser() -> Result<(), String> {
    let have = |path: &str| std::path::Path::new(path).exists();
    if have(CHROMIUM) && have(CHROMEDRIVER) {
        return Ok(());
    }
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !is_root {
        return Err(format!(
            "the browser tests need Chromium and ChromeDriver at {CHROMIUM} and {CHROMEDRIVER}. \
             Install them with: sudo apt-get install -y chromium chromium-driver"
        ));
    }
    step("installing Chromium and ChromeDriver with apt (about 30 seconds)");
    execute(Command::new("apt-get").args(["update", "-q"]))?;
    execute(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// The HTTP load generator `cargo xtask bench` drives the function with.
pub const OHA_VERSION: &str = "1.16.0";
/// The wasm size profiler behind the report's byte breakdown.
pub const TWIGGY_VERSION: &str = "0.8.0";

/// What `cargo xtask bench` needs beyond the build: oha and twiggy, from crates.io.
pub fn ensure_bench_tools() -> Result<(), String> {
    if !has_version("oha", &format!("oha {OHA_VERSION}")) {
        step(&format!(
            "installing oha {OHA_VERSION} (about 10 minutes on 2 cores)"
        ));
        // oha's lock file builds here; without its release LTO the install is minutes shorter.
        execute(
            Command::new("cargo")
                .args(["install", "--locked", "oha", "--version", OHA_VERSION])
                .arg("--force")
                .env("CARGO_PROFILE_RELEASE_LTO", "false")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        )?;
    }
    // twiggy 0.8.0 names itself `twiggy-opt` in --version.
    let twiggy = output(
        Command::new("twiggy")
            .arg("--version")
            .env("PATH", crate::process::tool_path()),
    )
    .unwrap_or_default();
    if !twiggy.trim().ends_with(TWIGGY_VERSION) {
        step(&format!(
            "installing twiggy {TWIGGY_VERSION} (about 2 minutes on 2 cores)"
        ));
        execute(
            Command::new("cargo")
                .args(["install", "--locked", "twiggy", "--version", TWIGGY_VERSION])
                .arg("--force")
                .env("CARGO_PROFILE_RELEASE_LTO", "false")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        )?;
    }
    Ok(())
}
