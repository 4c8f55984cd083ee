//! The embed: the checkout alone, for a platform's own pages (README "Embedding").
//!
//! [`build`] compiles the root crate's library for wasm32 with `--no-default-features
//! --features embed` (the checkout and `src/embed/`, none of the demo's pages), runs
//! wasm-bindgen (`--target web`), wasm-opt on the wasm and terser on the JS glue, and writes
//! into `dist/embed/`:
//!
//! - `loader.js`: the stable URL a host page includes, served `no-cache` (revalidated on each
//!   use); it names the files below, so a deploy switches every host page to the new build at
//!   once;
//! - `connect-checkout-<hash>.wasm`, `connect-checkout-<hash>.js` (the wasm-bindgen glue),
//!   `connect-checkout-<hash>.css` (www/checkout.css): content-hashed, served immutable;
//! - `connect-checkout.d.ts`: the types of the global, the element and its events;
//! - `<file>.br` and `<file>.gz` beside each of those worth compressing
//!   (`crate::precompress`), which the function's `serve` sends to browsers that accept them.
//!
//! [`package`] turns that into an npm-style folder (ES module entry, the same files, types).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::{execute, root, step, tool_path};

/// The crate's version, which the loader reports with the wasm's hash.
const VERSION: &str = "0.1.0";
/// wasm-opt's features, passed explicitly because the stripped release wasm no longer names
/// them (docs/toolchain.md §Size); the same as index.html's `data-wasm-opt-params`.
pub const WASM_OPT_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-sign-ext",
    "--enable-mutable-globals",
];
/// wasm-opt's passes for the embed. Rebuilding the control flow with the relooper before
/// shrinking took 1.0 KB (brotli) more off the wasm than `-Oz` alone (95.1 → 94.0 KB), for 3 s
/// more; a third `-Oz`, `--converge` or `--gufa` gained under 0.1 KB. The `producers` and
/// `target_features` sections are for tools, not browsers: stripping them took 0.1 KB.
pub const WASM_OPT_PASSES: [&str; 6] = [
    "--flatten",
    "--rereloop",
    "-Oz",
    "-Oz",
    "--strip-producers",
    "--strip-target-features",
];
const LOADER_TEMPLATE: &str = "www/embed/loader.js";
const TYPES: &str = "www/embed/connect-checkout.d.ts";
const STYLES: &str = "www/checkout.css";

/// The files of one embed build, by name, in its directory.
#[derive(Clone, Debug)]
pub struct Embed {
    pub dir: PathBuf,
    /// `loader.js`.
    pub loader: String,
    /// `connect-checkout-<hash>.js`.
    pub glue: String,
    /// `connect-checkout-<hash>.wasm`.
    pub wasm: String,
    /// `connect-checkout-<hash>.css`.
    pub css: String,
    /// `0.1.0-<hash of the wasm>`.
    pub version: String,
}

/// Builds the embed into `<dist>/embed/` (emptied first). `cargo fetch` must have run: the
/// build is offline, as trunk's.
pub fn build(dist: &Path) -> Result<Embed, String> {
    step("building the embed (the checkout alone: cargo build --lib --features embed)");
    execute(
        Command::new("cargo")
            .args(["build", "--release", "--offline", "--lib"])
            .args(["--package", "connect-checkout"])
            .args(["--target", "wasm32-unknown-unknown"])
            .args(["--no-default-features", "--features", "embed"])
            .env("PATH", tool_path()),
    )?;
    let built = target_dir().join("wasm32-unknown-unknown/release/connect_checkout.wasm");

    let dir = dist.join("embed");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    let scratch = dir.join(".build");
    fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    execute(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", "glue"])
            .arg("--out-dir")
            .arg(&scratch)
            .arg(&built)
            .env("PATH", tool_path()),
    )?;
    let optimised = scratch.join("optimised.wasm");
    execute(
        Command::new("wasm-opt")
            .args(WASM_OPT_PASSES)
            .args(WASM_OPT_FEATURES)
            .arg(scratch.join("glue_bg.wasm"))
            .arg("-o")
            .arg(&optimised)
            .env("PATH", tool_path()),
    )?;

    let minified = scratch.join("glue.min.js");
    execute(
        Command::new("terser")
            .arg(scratch.join("glue.js"))
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(&minified)
            .env("PATH", tool_path()),
    )?;

    let wasm = read(&optimised)?;
    let glue = read(&minified)?;
    let css = read(&root().join(STYLES))?;
    let names = |bytes: &[u8], extension: &str| {
        format!("connect-checkout-{}.{extension}", content_hash(bytes))
    };
    let embed = Embed {
        loader: "loader.js".into(),
        glue: names(&glue, "js"),
        wasm: names(&wasm, "wasm"),
        css: names(&css, "css"),
        version: format!("{VERSION}-{}", content_hash(&wasm)),
        dir: dir.clone(),
    };
    write(&dir.join(&embed.wasm), &wasm)?;
    write(&dir.join(&embed.glue), &glue)?;
    write(&dir.join(&embed.css), &css)?;
    write(
        &dir.join(&embed.loader),
        loader(&embed, Flavour::Script)?.as_bytes(),
    )?;
    write(
        &dir.join("connect-checkout.d.ts"),
        &read(&root().join(TYPES))?,
    )?;
    fs::remove_dir_all(&scratch)
        .map_err(|e| format!("cannot remove {}: {e}", scratch.display()))?;
    crate::precompress::dir(&dir)?;
    println!(
        "    embed: {}/{{{}, {}, {}, {}}}",
        dir.display(),
        embed.loader,
        embed.glue,
        embed.wasm,
        embed.css
    );
    Ok(embed)
}

/// Writes the embed as an npm-style package into `out_dir` (created; emptied first): an ES
/// module entry `index.js` (the loader, finding its files next to `import.meta.url`, exporting
/// `mount`, `load`, `version` and the `ConnectCheckout` object as default), `loader.js` (the
/// classic script), the hashed wasm, glue and stylesheet, `index.d.ts`, `package.json` and a
/// README. Uses the embed built last into `dist/embed/` (every widget build makes it), or
/// builds it when there is none.
pub fn package(out_dir: &Path) -> Result<(), String> {
    let dist = root().join("dist");
    let embed = match find(&dist.join("embed")) {
        Some(embed) => embed,
        None => build(&dist)?,
    };
    step(&format!("packaging the embed into {}", out_dir.display()));
    if out_dir.exists() {
        fs::remove_dir_all(out_dir)
            .map_err(|e| format!("cannot empty {}: {e}", out_dir.display()))?;
    }
    fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    for name in [&embed.glue, &embed.wasm, &embed.css, &embed.loader] {
        write(&out_dir.join(name), &read(&embed.dir.join(name))?)?;
    }
    write(
        &out_dir.join("index.js"),
        loader(&embed, Flavour::Module)?.as_bytes(),
    )?;
    write(&out_dir.join("index.d.ts"), &read(&root().join(TYPES))?)?;
    let manifest = format!(
        r#"{{
  "name": "@connect-checkout/embed",
  "version": "{VERSION}",
  "description": "The connect-checkout widget for Stripe Connect platforms: <connect-checkout> and ConnectCheckout.mount().",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./index.js",
  "module": "./index.js",
  "types": "./index.d.ts",
  "exports": {{
    ".": {{ "types": "./index.d.ts", "import": "./index.js" }},
    "./loader.js": "./loader.js",
    "./package.json": "./package.json"
  }},
  "files": ["index.js", "index.d.ts", "loader.js", "{glue}", "{wasm}", "{css}", "README.md"],
  "sideEffects": true
}}
"#,
        glue = embed.glue,
        wasm = embed.wasm,
        css = embed.css,
    );
    write(&out_dir.join("package.json"), manifest.as_bytes())?;
    let readme = format!(
        "# @connect-checkout/embed {version}\n\n\
         The connect-checkout widget for a platform's own pages. Importing the package defines\n\
         `<connect-checkout>` and `window.ConnectCheckout`; the wasm ({wasm}) and the stylesheet\n\
         ({css}) are fetched next to `index.js` when the first checkout mounts, so a bundler must\n\
         copy them as assets (Vite and webpack 5 follow `new URL(…, import.meta.url)`; else\n\
         serve this folder as is).\n\n\
         ```js\n\
         import {{ mount }} from '@connect-checkout/embed';\n\
         const checkout = mount(document.querySelector('#checkout'), {{\n\
         \x20 apiBase: 'https://pay.example.com',\n\
         \x20 seller: 'acct_…',\n\
         \x20 onSuccess: (detail) => console.log('paid', detail.paymentIntent),\n\
         }});\n\
         ```\n\n\
         Options, events and the Content-Security-Policy a host page needs: the project's\n\
         README, \"Embedding\".\n",
        version = embed.version,
        wasm = embed.wasm,
        css = embed.css,
    );
    write(&out_dir.join("README.md"), readme.as_bytes())?;
    Ok(())
}

/// The embed in `dir` as [`build`] left it, if it is complete.
fn find(dir: &Path) -> Option<Embed> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let named = |extension: &str| {
        names
            .iter()
            .find(|name| name.starts_with("connect-checkout-") && name.ends_with(extension))
            .cloned()
    };
    let wasm = named(".wasm")?;
    let hash = wasm
        .trim_start_matches("connect-checkout-")
        .trim_end_matches(".wasm")
        .to_owned();
    if !dir.join("loader.js").exists() {
        return None;
    }
    Some(Embed {
        dir: dir.to_path_buf(),
        loader: "loader.js".into(),
        glue: named(".js")?,
        css: named(".css")?,
        version: format!("{VERSION}-{hash}"),
        wasm,
    })
}

/// How the loader finds the files next to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// A classic `<script src>`: `document.currentScript.src`.
    Script,
    /// An ES module (the npm package's entry): `import.meta.url`, and exports.
    Module,
}

/// The loader template with the names filled in, its comments and indentation removed.
fn loader(embed: &Embed, flavour: Flavour) -> Result<String, String> {
    let template = String::from_utf8(read(&root().join(LOADER_TEMPLATE))?)
        .map_err(|_| format!("{LOADER_TEMPLATE} is not UTF-8"))?;
    let here = match flavour {
        Flavour::Script => "document.currentScript && document.currentScript.src",
        Flavour::Module => "import.meta.url",
    };
    let filled = template
        .replace("__CC_VERSION__", &embed.version)
        .replace("__CC_GLUE__", &embed.glue)
        .replace("__CC_WASM__", &embed.wasm)
        .replace("__CC_CSS__", &embed.css)
        .replace("__CC_HERE__", here);
    if filled.contains("__CC_") {
        return Err(format!(
            "{LOADER_TEMPLATE} has a placeholder xtask does not fill"
        ));
    }
    let mut out = format!(
        "/*! connect-checkout embed {}: README \"Embedding\" */\n",
        embed.version
    );
    out.push_str(&strip_comments(&filled));
    if flavour == Flavour::Module {
        out.push_str(
            "var ConnectCheckout = globalThis.ConnectCheckout;\n\
             export default ConnectCheckout;\n\
             export var mount = ConnectCheckout && ConnectCheckout.mount;\n\
             export var load = ConnectCheckout && ConnectCheckout.load;\n\
             export var version = ConnectCheckout && ConnectCheckout.version;\n",
        );
    }
    Ok(out)
}

/// Drops whole-line `//` comments, blank lines and indentation: the loader is written so that
/// this is all the minifying it needs (no comment shares a line with code, no string spans
/// lines).
fn strip_comments(source: &str) -> String {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .fold(String::new(), |mut out, line| {
            out.push_str(line);
            out.push('\n');
            out
        })
}

/// 16 hex digits of FNV-1a (64 bits) over `bytes`: a file name that changes with its content.
/// For cache busting, not for security.
fn content_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else `target/` in the workspace.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        })
        .unwrap_or_else(|| root().join("target"))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_lines_and_indentation_go() {
        let source = "// about\n(function () {\n  // why\n  var a = 'x'; \n\n})();\n";
        assert_eq!(
            strip_comments(source),
            "(function () {\nvar a = 'x';\n})();\n"
        );
    }

    #[test]
    fn the_hash_follows_the_content() {
        assert_eq!(content_hash(b"a"), content_hash(b"a"));
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
        assert_eq!(content_hash(b"").len(), 16);
    }
}

#[cfg(test)]
mod build_here {
    /// `EMBED_DIST=/some/dist cargo test -p xtask build_here -- --ignored`: the embed into
    /// another dist folder than the workspace's.
    #[test]
    #[ignore = "builds the embed: minutes"]
    fn build_into_embed_dist() {
        let dist = std::env::var_os("EMBED_DIST").expect("EMBED_DIST");
        let embed = super::build(std::path::Path::new(&dist)).unwrap();
        if let Some(package) = std::env::var_os("EMBED_PACKAGE") {
            let _ = embed;
            super::package(std::path::Path::new(&package)).unwrap();
        }
    }
}
