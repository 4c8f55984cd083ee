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
/// `--ignore-implicit-traps` lets it drop or move loads and divisions whose only effect would be
/// a trap (out-of-bounds memory, division by zero), which Rust code never counts on (it checks
/// first, and panics): 0.26 KB. Not `--traps-never-happen` (0.1 KB more): it would also assume
/// away the explicit `unreachable` of an abort, where the wasm must stop.
pub const WASM_OPT_PASSES: [&str; 7] = [
    "--ignore-implicit-traps",
    "--flatten",
    "--rereloop",
    "-Oz",
    "-Oz",
    "--strip-producers",
    "--strip-target-features",
];
/// wasm-bindgen's options for the glue. The loader always names the wasm
/// (`module_or_path`), so the glue needs no default path; and every browser that runs this wasm
/// (reference types, multi-value) has `TextEncoder.encodeInto`, so no fallback for it. Together
/// 0.06 KB (brotli) off the glue.
const GLUE_OPTIONS: [&str; 3] = ["--omit-default-module-path", "--encode-into", "always"];
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
    // No `--remap-path-prefix` for the registry's sources in the panic locations: 1.4 KB fewer
    // raw bytes, but 0.03 KB more brotli (a long shared prefix costs brotli next to nothing),
    // and other RUSTFLAGS than the demo's build would rebuild the shared dependencies each time.
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
            .args(GLUE_OPTIONS)
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

    let glue_js = read(&scratch.join("glue.js"))?;
    let glue_js = String::from_utf8(glue_js).map_err(|_| "the glue is not UTF-8".to_owned())?;
    let (short_wasm, short_glue) = shorten_imports(&read(&optimised)?, &glue_js)?;
    write(&optimised, &short_wasm)?;
    write(&scratch.join("glue.short.js"), short_glue.as_bytes())?;

    let minified = scratch.join("glue.min.js");
    execute(
        Command::new("terser")
            .arg(scratch.join("glue.short.js"))
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

/// The module wasm-bindgen's glue provides the wasm's imports as (`--out-name glue`).
const GLUE_MODULE: &[u8] = b"./glue_bg.js";

/// Renames the wasm's imports from the glue to short names (`a`, `b`, … `ba`, …), in the wasm's
/// import section and in the glue's import object alike, and drops the wasm's custom sections
/// (`__wasm_split_unstable`, for tools; browsers ignore them). wasm-bindgen names each import
/// `__wbg_<name>_<16 hex digits>`, and that hash is written twice (in the wasm and in the glue,
/// compressed apart) and barely compresses: 121 short names took 1.6 KB (brotli) off the wasm
/// and 1.3 KB off the glue (98.3 → 95.4 KB). wasm-opt's `--minify-imports` only renames the
/// `env` module's. An import whose name is not exactly once in the glue keeps it.
fn shorten_imports(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String), String> {
    let bad = |what: &str| format!("shortening the embed's imports: {what}");
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err(bad("not a wasm module"));
    }
    let mut out = wasm[..8].to_vec();
    let mut glue = glue.to_owned();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, start) = leb(wasm, at + 1).ok_or_else(|| bad("a section's size"))?;
        let end = start
            .checked_add(usize::try_from(size).map_err(|_| bad("a section's size"))?)
            .filter(|end| *end <= wasm.len())
            .ok_or_else(|| bad("a section past the end"))?;
        let body = &wasm[start..end];
        at = end;
        let body = match id {
            0 => continue,
            2 => rename_imports(body, &mut glue).ok_or_else(|| bad("the import section"))?,
            _ => body.to_vec(),
        };
        out.push(id);
        push_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok((out, glue))
}

/// The import section `section` with the glue's imports renamed, and `glue` to match.
fn rename_imports(section: &[u8], glue: &mut String) -> Option<Vec<u8>> {
    let (count, first) = leb(section, 0)?;
    // Every import's place: module, name, where its description starts and ends.
    let mut imports = Vec::new();
    let mut at = first;
    for _ in 0..count {
        let (module, next) = name(section, at)?;
        let (field, next) = name(section, next)?;
        let described = description_end(section, next)?;
        imports.push((module, std::str::from_utf8(field).ok()?, next, described));
        at = described;
    }
    // A short name that is already an import's (none is, from wasm-bindgen) is skipped, so
    // that no two imports of the glue's object share a name.
    let taken: std::collections::HashSet<&str> =
        imports.iter().map(|(_, field, _, _)| *field).collect();
    let mut names = (0..)
        .map(short_name)
        .filter(|short| !taken.contains(short.as_str()));
    let mut out = Vec::with_capacity(section.len());
    push_leb(&mut out, count);
    let mut short = names.next()?;
    for (module, field, next, described) in imports {
        let field = match module == GLUE_MODULE && rename_once(glue, field, &short) {
            true => std::mem::replace(&mut short, names.next()?),
            false => field.to_owned(),
        };
        push_leb(&mut out, module.len() as u64);
        out.extend_from_slice(module);
        push_leb(&mut out, field.len() as u64);
        out.extend_from_slice(field.as_bytes());
        out.extend_from_slice(&section[next..described]);
    }
    (at == section.len()).then_some(out)
}

/// Replaces `old` by `new` in `glue` when `old` is there exactly once as a whole identifier.
fn rename_once(glue: &mut String, old: &str, new: &str) -> bool {
    let identifier = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut found = glue.match_indices(old).filter(|(at, _)| {
        let before = glue[..*at].chars().next_back();
        let after = glue[at + old.len()..].chars().next();
        !before.is_some_and(identifier) && !after.is_some_and(identifier)
    });
    let Some((at, _)) = found.next() else {
        return false;
    };
    if found.next().is_some() {
        return false;
    }
    glue.replace_range(at..at + old.len(), new);
    true
}

/// `a`…`z`, `A`…`Z`, then `ba`, `bb`…: the `index`th short name (never a JS reserved word).
fn short_name(index: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = vec![LETTERS[index % 52]];
    let mut rest = index / 52;
    while rest > 0 {
        name.push(LETTERS[rest % 52]);
        rest /= 52;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// A length-prefixed name at `at`, and where it ends.
fn name(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let (len, start) = leb(bytes, at)?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    Some((bytes.get(start..end)?, end))
}

/// Where the import description at `at` ends: a function, table, memory, global or tag.
fn description_end(bytes: &[u8], at: usize) -> Option<usize> {
    let limits = |at: usize| {
        let flags = *bytes.get(at)?;
        let (_, at) = leb(bytes, at + 1)?;
        if flags & 1 == 1 {
            leb(bytes, at).map(|(_, at)| at)
        } else {
            Some(at)
        }
    };
    match *bytes.get(at)? {
        0 => leb(bytes, at + 1).map(|(_, at)| at),
        // A table's element type is one byte (`funcref`, `externref`) without the GC proposal.
        1 => limits(at + 2),
        2 => limits(at + 1),
        // A value type (one byte without the GC proposal) and mutability.
        3 => Some(at + 3),
        4 => leb(bytes, at + 2).map(|(_, at)| at),
        _ => None,
    }
}

/// The unsigned LEB128 number at `at`, and where it ends.
fn leb(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(at)?;
        at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((value, at));
        }
    }
    None
}

fn push_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
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

    /// A module importing `names` (functions of type 0) from `module`, with a custom section.
    fn module_importing(module: &str, names: &[&str]) -> Vec<u8> {
        let mut imports = vec![names.len() as u8];
        for name in names {
            imports.push(module.len() as u8);
            imports.extend_from_slice(module.as_bytes());
            imports.push(name.len() as u8);
            imports.extend_from_slice(name.as_bytes());
            imports.extend_from_slice(&[0, 0]);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // One type, `() -> ()`.
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        wasm.push(2);
        wasm.push(imports.len() as u8);
        wasm.extend_from_slice(&imports);
        wasm.extend_from_slice(&[0, 5, 4, b'n', b'o', b't', b'e']);
        wasm
    }

    #[test]
    fn the_glue_imports_get_short_names_in_the_wasm_and_the_glue() {
        let wasm = module_importing("./glue_bg.js", &["__wbg_log_0a1b", "__wbg_now_2c3d"]);
        let glue = "const i = { __wbg_log_0a1b: function() {}, __wbg_now_2c3d: function() {} };";
        let (short, glue) = shorten_imports(&wasm, glue).unwrap();
        let expected = module_importing("./glue_bg.js", &["a", "b"]);
        // The same module without its custom section (the last 7 bytes).
        assert_eq!(short, expected[..expected.len() - 7]);
        assert_eq!(glue, "const i = { a: function() {}, b: function() {} };");
    }

    #[test]
    fn a_name_the_glue_does_not_hold_exactly_once_is_kept() {
        let wasm = module_importing("./glue_bg.js", &["__wbg_x_1", "__wbg_y_2", "__wbg_z_3"]);
        // `__wbg_x_1` twice, `__wbg_y_2` only inside a longer name, `__wbg_z_3` once.
        let glue = "__wbg_x_1 __wbg_x_1 __wbg_y_23 __wbg_z_3";
        let (short, glue) = shorten_imports(&wasm, glue).unwrap();
        let expected = module_importing("./glue_bg.js", &["__wbg_x_1", "__wbg_y_2", "a"]);
        assert_eq!(short, expected[..expected.len() - 7]);
        assert_eq!(glue, "__wbg_x_1 __wbg_x_1 __wbg_y_23 a");
    }

    #[test]
    fn a_short_name_an_import_already_has_is_not_given_again() {
        let wasm = module_importing("./glue_bg.js", &["__wbg_x_1", "a", "__wbg_y_2"]);
        // `a` is not in the glue, so it keeps its name, and no other import gets it.
        let glue = "{ __wbg_x_1: f, __wbg_y_2: g }";
        let (short, glue) = shorten_imports(&wasm, glue).unwrap();
        let expected = module_importing("./glue_bg.js", &["b", "a", "c"]);
        assert_eq!(short, expected[..expected.len() - 7]);
        assert_eq!(glue, "{ b: f, c: g }");
    }

    #[test]
    fn another_module_s_imports_keep_their_names() {
        let wasm = module_importing("env", &["__wbg_x_1"]);
        let (short, glue) = shorten_imports(&wasm, "__wbg_x_1").unwrap();
        assert_eq!(short, wasm[..wasm.len() - 7]);
        assert_eq!(glue, "__wbg_x_1");
    }

    #[test]
    fn short_names_are_letters_and_distinct() {
        let names: Vec<String> = (0..3000).map(short_name).collect();
        assert_eq!((names[0].as_str(), names[51].as_str()), ("a", "Z"));
        assert_eq!((names[52].as_str(), names[53].as_str()), ("ba", "bb"));
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_alphabetic()))
        );
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
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
