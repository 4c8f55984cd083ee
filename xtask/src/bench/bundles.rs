//! The widget's bytes: each bundle of bench/budgets.toml raw, gzip and brotli, and where the
//! wasm bytes go (twiggy).

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use super::report::{Profile, Report, Stats};
use crate::budgets::{self, BUDGETS_FILE};
use crate::process::{execute, output, root, step, tool_path};
use crate::stack::target_dir;

const SECTION: &str = "Widget bundles (bytes as served)";

/// The sizes of every bundle that is built. Fails like `cargo xtask test` when one is over
/// its budget, after the figures are in the report.
pub fn sizes(report: &mut Report) -> Result<Vec<String>, String> {
    step(&format!("bundle sizes ({BUDGETS_FILE})"));
    let measured = budgets::measure_bundles(&report.budgets)?;
    let mut failures = Vec::new();
    for bundle in &measured {
        let command = format!(
            "files {} (as in {BUDGETS_FILE}); gzip -9, brotli q11 w22 in process",
            report.budgets.bundles[&bundle.name].files.join(" ")
        );
        for (kind, bytes) in [
            ("raw", bundle.total.raw),
            ("gzip", bundle.total.gzip),
            ("brotli", bundle.total.brotli),
        ] {
            let figure = report.add(
                SECTION,
                format!("{}: {kind}", bundle.description),
                "bytes",
                Stats::single(bytes as f64),
                command.clone(),
            );
            if kind == "brotli" {
                figure.enforced_budget(bundle.brotli_max.0 as f64, "cargo xtask test");
            }
        }
        for (file, sizes) in &bundle.files {
            report.add(
                SECTION,
                format!("  {file}: brotli (raw {})", sizes.raw),
                "bytes",
                Stats::single(sizes.brotli as f64),
                command.clone(),
            );
        }
        failures.extend(budgets::over_budget_message(bundle));
    }
    for (name, bundle) in &report.budgets.bundles {
        if !measured.iter().any(|found| &found.name == name) {
            report.notes.push(format!(
                "{}: not built yet (nothing matches {}), so not measured.",
                bundle.description,
                bundle.files.join(", ")
            ));
        }
    }
    Ok(failures)
}

/// The wasm builds twiggy breaks down: a name, the `cargo build` arguments that select it and
/// wasm-opt's passes (as Trunk and xtask/src/embed.rs build them), and the file cargo writes.
const TWIGGY_BUILDS: [(&str, &[&str], &[&str], &str); 2] = [
    (
        "demo-store",
        &["--bin", "demo-store"],
        &["-Oz"],
        "demo-store.wasm",
    ),
    (
        "embed",
        &["--lib", "--no-default-features", "--features", "embed"],
        &crate::widget::embed::WASM_OPT_PASSES,
        "connect_checkout.wasm",
    ),
];

/// Builds each binary as Trunk does but keeping function names (the shipped build strips
/// them), and records twiggy's `top` and `dominators` and a per-crate sum.
pub fn twiggy(report: &mut Report) -> Result<(), String> {
    for (binary, selection, passes, artifact) in TWIGGY_BUILDS {
        step(&format!(
            "where the wasm bytes go: {binary} with names kept, then twiggy"
        ));
        execute(
            Command::new("cargo")
                .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
                .args(selection)
                // Names are a custom section of their own: keeping them changes no code.
                .env("CARGO_PROFILE_RELEASE_STRIP", "false"),
        )?;
        let out = target_dir().join("bench/wasm-names");
        std::fs::create_dir_all(&out).map_err(|error| error.to_string())?;
        let built = target_dir()
            .join("wasm32-unknown-unknown/release")
            .join(artifact);
        execute(
            Command::new("wasm-bindgen")
                .args(["--target", "web", "--no-typescript", "--out-name", binary])
                .arg("--out-dir")
                .arg(&out)
                .arg(&built)
                .env("PATH", tool_path()),
        )?;
        let bound = out.join(format!("{binary}_bg.wasm"));
        let optimised = out.join(format!("{binary}.opt.wasm"));
        // -g keeps the names through wasm-opt, as twiggy needs them.
        execute(
            Command::new("wasm-opt")
                .args(passes)
                .arg("-g")
                .args(crate::widget::embed::WASM_OPT_FEATURES)
                .arg(&bound)
                .arg("-o")
                .arg(&optimised)
                .env("PATH", tool_path()),
        )?;
        let file = optimised.display().to_string();
        let shown = format!("target/bench/wasm-names/{binary}.opt.wasm");
        let twiggy = |args: &[&str]| -> Result<String, String> {
            output(
                Command::new("twiggy")
                    .args(args)
                    .arg(&file)
                    .env("PATH", tool_path()),
            )
            .ok_or_else(|| format!("twiggy {} {file} failed", args.join(" ")))
        };
        let top = twiggy(&["top", "-n", "25"])?;
        report.profiles.push(Profile {
            title: format!("{binary}.wasm: the 25 largest items (twiggy top)"),
            command: format!("twiggy top -n 25 {shown}"),
            text: top,
        });
        let dominators = twiggy(&["dominators", "-d", "3", "-r", "40"])?;
        report.profiles.push(Profile {
            title: format!("{binary}.wasm: what keeps the bytes in (twiggy dominators)"),
            command: format!("twiggy dominators -d 3 -r 40 {shown}"),
            text: dominators,
        });
        let all = twiggy(&["top", "--format", "json", "-n", "1000000"])?;
        report.profiles.push(Profile {
            title: format!("{binary}.wasm: bytes by crate (twiggy top, summed by path)"),
            command: format!("twiggy top --format json -n 1000000 {shown}, summed by crate"),
            text: by_crate(&all)?,
        });
    }
    Ok(())
}

/// twiggy's items summed by the crate their name starts with (`leptos::…`, `<core::… as …>`),
/// with data segments and wasm-bindgen's glue in groups of their own.
fn by_crate(json: &str) -> Result<String, String> {
    let items: Vec<Value> =
        serde_json::from_str(json).map_err(|error| format!("twiggy's JSON: {error}"))?;
    let mut sums: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = 0;
    for item in &items {
        let name = item["name"].as_str().unwrap_or_default();
        let size = item["shallow_size"].as_u64().unwrap_or(0);
        let group = group_of(name);
        if group == "(names: debug only, not shipped)" {
            continue;
        }
        total += size;
        *sums.entry(group).or_default() += size;
    }
    let mut sums: Vec<(String, u64)> = sums.into_iter().collect();
    sums.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    let mut text = format!(
        "{:>9}  {:>6}  group (total {total} bytes without the name section)\n",
        "bytes", "share"
    );
    for (group, size) in sums.iter().take(30) {
        text.push_str(&format!(
            "{size:>9}  {:>5.1}%  {group}\n",
            *size as f64 * 100.0 / total.max(1) as f64
        ));
    }
    Ok(text)
}

fn group_of(name: &str) -> String {
    if name.starts_with("data[") {
        return "(data segments: strings, tables)".into();
    }
    if name.contains("\"name\"") || name.starts_with("name") {
        return "(names: debug only, not shipped)".into();
    }
    if name.starts_with("import ") || name.starts_with("export ") || name.contains("wbg") {
        return "(wasm-bindgen imports, exports, glue)".into();
    }
    let trimmed = name
        .trim_start_matches(['<', '&', '*', '(', '['])
        .trim_start_matches("mut ")
        .trim_start_matches("dyn ");
    match trimmed.split_once("::") {
        Some((krate, _)) if !krate.contains(' ') => krate.to_owned(),
        _ if name.starts_with("code[") => "(functions without a name)".into(),
        _ => "(other: types, tables, custom sections)".into(),
    }
}

/// The widget's own files as `cargo xtask test` checks them, so that the report and the
/// check cannot disagree.
pub fn widget_dir() -> std::path::PathBuf {
    root().join("dist")
}

#[cfg(test)]
mod tests {
    use super::group_of;

    #[test]
    fn twiggy_items_are_grouped_by_crate() {
        assert_eq!(group_of("leptos::mount::mount_to::h1234"), "leptos");
        assert_eq!(
            group_of("<core::fmt::Formatter as core::fmt::Write>::write_str"),
            "core"
        );
        assert_eq!(group_of("data[3]"), "(data segments: strings, tables)");
        assert_eq!(
            group_of("import wbg::__wbg_fetch_1234"),
            "(wasm-bindgen imports, exports, glue)"
        );
        assert_eq!(group_of("code[42]"), "(functions without a name)");
    }
}
