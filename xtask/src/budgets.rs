//! Size budgets (`bench/budgets.toml`): what the widget's bundles and the Lambda zip may weigh.
//!
//! Sizes are deterministic, so they are enforced: `cargo xtask test` calls [`enforce_bundles`]
//! right after it builds the widget and [`check_zip`] after it builds the Lambda zip, and a
//! figure over its budget fails the run with the figure and the budget. Timing budgets are only
//! read here, for `cargo xtask bench` to report.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::process::{root, step};

/// Where the budgets live, relative to the workspace root.
pub const BUDGETS_FILE: &str = "bench/budgets.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budgets {
    /// By name, in name order (the report's order).
    pub bundles: BTreeMap<String, Bundle>,
    pub lambda_zip: Option<ZipBudget>,
    #[serde(default)]
    pub timings: TimingBudgets,
}

/// Files of one build that ship together, and what their brotli total may be.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub description: String,
    /// Paths from the workspace root; `*` and `?` match within the file name only.
    pub files: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub brotli_max: Size,
    /// Whether a build must produce this bundle; one that is not built yet is skipped.
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZipBudget {
    pub description: String,
    /// Relative to the cargo target directory.
    pub file: String,
    pub max: Size,
}

/// Reported against the measured medians; never enforced.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TimingBudgets {
    pub pay_enabled_ms: Option<f64>,
    pub function_cold_start_ms: Option<f64>,
    pub added_latency_p99_ms: Option<f64>,
    pub function_cpu_per_checkout_ms: Option<f64>,
}

/// A byte count written with its unit in the budgets file: `"100 KB"`, `"5 MB"`, `"5 KiB"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(into = "u64")]
pub struct Size(pub u64);

impl From<Size> for u64 {
    fn from(size: Size) -> Self {
        size.0
    }
}

impl std::str::FromStr for Size {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: f64 = number
            .replace('_', "")
            .parse()
            .map_err(|_| format!("`{text}`: write a number and a unit, such as \"100 KB\""))?;
        let multiplier = match unit.trim() {
            "B" | "" => 1.0,
            "KB" => 1e3,
            "KiB" => 1024.0,
            "MB" => 1e6,
            "MiB" => 1024.0 * 1024.0,
            other => {
                return Err(format!(
                    "`{text}`: unknown unit `{other}` (use B, KB, KiB, MB or MiB)"
                ));
            }
        };
        Ok(Self((number * multiplier).round() as u64))
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Size {
    /// Decimal units, as the budgets are mostly written: `91.4 KB`, `3.21 MB`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0 as f64;
        if bytes >= 1e6 {
            write!(f, "{:.2} MB", bytes / 1e6)
        } else if bytes >= 1e3 {
            write!(f, "{:.1} KB", bytes / 1e3)
        } else {
            write!(f, "{} B", self.0)
        }
    }
}

pub fn load() -> Result<Budgets, String> {
    let path = root().join(BUDGETS_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    parse(&text).map_err(|error| format!("{BUDGETS_FILE}: {error}"))
}

fn parse(text: &str) -> Result<Budgets, String> {
    toml::from_str(text).map_err(|error| error.to_string())
}

/// One file's size raw and as a server would send it compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, other: Self) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }
}

/// gzip level 9 and brotli quality 11 with a 4 MiB window: what a CDN's static
/// pre-compression serves, and what `serve` sends (the files `crate::precompress` writes).
pub fn compressed_sizes(bytes: &[u8]) -> Result<Sizes, String> {
    Ok(Sizes {
        raw: bytes.len() as u64,
        gzip: crate::precompress::gzip(bytes)?.len() as u64,
        brotli: crate::precompress::brotli(bytes)?.len() as u64,
    })
}

/// A bundle as built: its files (relative to the root) and their sizes.
#[derive(Debug, Serialize)]
pub struct MeasuredBundle {
    pub name: String,
    pub description: String,
    pub files: Vec<(String, Sizes)>,
    pub total: Sizes,
    pub brotli_max: Size,
}

impl MeasuredBundle {
    pub fn within_budget(&self) -> bool {
        self.total.brotli <= self.brotli_max.0
    }
}

/// The files of `bundle` under `root` and their sizes; `None` when no file matches.
pub fn measure_bundle(
    root: &Path,
    name: &str,
    bundle: &Bundle,
) -> Result<Option<MeasuredBundle>, String> {
    let mut paths = Vec::new();
    for pattern in &bundle.files {
        for path in matching(root, pattern)? {
            let excluded = bundle
                .exclude
                .iter()
                .any(|exclude| glob_path(root, exclude, &path));
            if !excluded && !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    if paths.is_empty() {
        return Ok(None);
    }
    paths.sort();
    let mut files = Vec::new();
    let mut total = Sizes::default();
    for path in paths {
        let bytes = std::fs::read(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let sizes = compressed_sizes(&bytes)?;
        total += sizes;
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        files.push((shown, sizes));
    }
    Ok(Some(MeasuredBundle {
        name: name.to_owned(),
        description: bundle.description.clone(),
        files,
        total,
        brotli_max: bundle.brotli_max,
    }))
}

/// The failure message for a bundle over its budget: the figure, the budget, by how much,
/// and the files, largest first, so the reader knows where to look.
pub fn over_budget_message(bundle: &MeasuredBundle) -> Option<String> {
    if bundle.within_budget() {
        return None;
    }
    let mut files: Vec<_> = bundle.files.iter().collect();
    files.sort_by_key(|(_, sizes)| std::cmp::Reverse(sizes.brotli));
    let listed: Vec<String> = files
        .iter()
        .map(|(path, sizes)| format!("{path} {}", Size(sizes.brotli)))
        .collect();
    Some(format!(
        "the {} bundle ({}) is {} brotli ({} bytes), over its budget of {} in {BUDGETS_FILE} \
         by {}: {}. Shrink it (bench/README.md says how to see where the bytes go), or raise \
         the budget in the same change and say why",
        bundle.name,
        bundle.description,
        Size(bundle.total.brotli),
        bundle.total.brotli,
        bundle.brotli_max,
        Size(bundle.total.brotli - bundle.brotli_max.0),
        listed.join(", ")
    ))
}

/// Every bundle in the budgets measured; a required one that was not built is an error.
pub fn measure_bundles(budgets: &Budgets) -> Result<Vec<MeasuredBundle>, String> {
    let root = root();
    let mut measured = Vec::new();
    for (name, bundle) in &budgets.bundles {
        match measure_bundle(&root, name, bundle)? {
            Some(found) => measured.push(found),
            None if bundle.required => {
                return Err(format!(
                    "the {name} bundle ({}) was not built: nothing matches {} \
                     ({BUDGETS_FILE})",
                    bundle.description,
                    bundle.files.join(", ")
                ));
            }
            None => {}
        }
    }
    Ok(measured)
}

/// `cargo xtask test`: fails when a bundle of the built widget is over its budget.
pub fn enforce_bundles() -> Result<(), String> {
    step(&format!("bundle sizes against {BUDGETS_FILE}"));
    let budgets = load()?;
    let measured = measure_bundles(&budgets)?;
    let mut failures = Vec::new();
    for bundle in &measured {
        println!(
            "    {:<14} {:>9} brotli  (budget {:>9})  {}",
            bundle.name,
            Size(bundle.total.brotli).to_string(),
            bundle.brotli_max.to_string(),
            if bundle.within_budget() { "ok" } else { "OVER" }
        );
        failures.extend(over_budget_message(bundle));
    }
    for (name, bundle) in &budgets.bundles {
        if !measured.iter().any(|found| &found.name == name) {
            println!(
                "    {name:<14} not built yet (nothing matches {})",
                bundle.files.join(", ")
            );
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The Lambda zip's size against its budget: `Err` with both figures when it is over.
pub fn check_zip(budget: &ZipBudget, bytes: u64) -> Result<(), String> {
    if bytes <= budget.max.0 {
        return Ok(());
    }
    Err(format!(
        "the {} is {} ({bytes} bytes), over its budget of {} in {BUDGETS_FILE} by {}",
        budget.description,
        Size(bytes),
        budget.max,
        Size(bytes - budget.max.0)
    ))
}

/// The files under `root` that `pattern` names. Wildcards only in the last component.
fn matching(root: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let (dir, name) = match pattern.rsplit_once('/') {
        Some((dir, name)) => (root.join(dir), name),
        None => (root.to_path_buf(), pattern),
    };
    if dir.to_string_lossy().contains(['*', '?']) {
        return Err(format!(
            "`{pattern}` ({BUDGETS_FILE}): wildcards work in the file name only"
        ));
    }
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter(|entry| wildcard(name, &entry.file_name().to_string_lossy()))
        .map(|entry| entry.path())
        .collect();
    found.sort();
    Ok(found)
}

fn glob_path(root: &Path, pattern: &str, path: &Path) -> bool {
    let (dir, name) = match pattern.rsplit_once('/') {
        Some((dir, name)) => (root.join(dir), name),
        None => (root.to_path_buf(), pattern),
    };
    path.parent() == Some(dir.as_path())
        && path
            .file_name()
            .is_some_and(|file| wildcard(name, &file.to_string_lossy()))
}

/// `*` (any run, even empty) and `?` (one character); everything else literal.
fn wildcard(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn bundle(brotli: u64, max: u64) -> MeasuredBundle {
        MeasuredBundle {
            name: "embed".into(),
            description: "checkout-only wasm + JS".into(),
            files: vec![
                (
                    "dist/embed/a.js".into(),
                    Sizes {
                        raw: 9,
                        gzip: 8,
                        brotli: 1_000,
                    },
                ),
                (
                    "dist/embed/a_bg.wasm".into(),
                    Sizes {
                        raw: 9,
                        gzip: 8,
                        brotli: brotli - 1_000,
                    },
                ),
            ],
            total: Sizes {
                raw: 18,
                gzip: 16,
                brotli,
            },
            brotli_max: Size(max),
        }
    }

    #[test]
    fn a_bundle_over_its_budget_fails_with_the_figure_the_budget_and_the_biggest_file() {
        let message = over_budget_message(&bundle(100_001, 100_000)).unwrap();
        assert!(
            message.contains("is 100.0 KB brotli (100001 bytes)"),
            "{message}"
        );
        assert!(message.contains("over its budget of 100.0 KB"), "{message}");
        assert!(message.contains("by 1 B"), "{message}");
        assert!(
            message.contains("dist/embed/a_bg.wasm 99.0 KB, dist/embed/a.js 1.0 KB"),
            "{message}"
        );
    }

    #[test]
    fn a_bundle_at_its_budget_passes() {
        assert_eq!(over_budget_message(&bundle(100_000, 100_000)), None);
    }

    #[test]
    fn a_zip_over_its_budget_fails_with_both_figures() {
        let budget = ZipBudget {
            description: "Lambda zip (x86_64)".into(),
            file: "lambda/x/bootstrap.zip".into(),
            max: "5 MB".parse().unwrap(),
        };
        assert!(check_zip(&budget, 5_000_000).is_ok());
        let message = check_zip(&budget, 5_250_000).unwrap_err();
        assert!(
            message.contains("is 5.25 MB (5250000 bytes), over its budget of 5.00 MB"),
            "{message}"
        );
    }

    #[test]
    fn sizes_take_decimal_and_binary_units() {
        assert_eq!("100 KB".parse(), Ok(Size(100_000)));
        assert_eq!("5 KiB".parse(), Ok(Size(5_120)));
        assert_eq!("5MB".parse(), Ok(Size(5_000_000)));
        assert_eq!("1.5 MiB".parse(), Ok(Size(1_572_864)));
        assert_eq!("1_000".parse(), Ok(Size(1_000)));
        assert!(
            "100 kb"
                .parse::<Size>()
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!("lots".parse::<Size>().is_err());
    }

    #[test]
    fn the_checked_in_budgets_parse_and_cap_the_embed_and_the_lambda_zip() {
        let text = std::fs::read_to_string(root().join(BUDGETS_FILE)).unwrap();
        let budgets = parse(&text).unwrap();
        assert!(budgets.bundles["demo"].required);
        assert!(budgets.bundles["embed"].required);
        assert!(budgets.bundles["embed_loader"].required);
        // Issue 8's targets.
        assert!(budgets.bundles["embed"].brotli_max.0 <= 100_000);
        assert_eq!(budgets.bundles["embed_loader"].brotli_max, Size(5_000));
        assert_eq!(budgets.lambda_zip.unwrap().max, Size(5_000_000));
    }

    #[test]
    fn an_unknown_key_in_the_budgets_is_an_error_not_a_silent_skip() {
        let text = "[bundles.demo]\ndescription = \"d\"\nfiles = [\"dist/*.wasm\"]\n\
                    brotli_max = \"1 KB\"\nbrotlimax = \"2 KB\"\n";
        assert!(parse(text).unwrap_err().contains("brotlimax"));
    }

    #[test]
    fn patterns_match_file_names_and_exclusions_win() {
        let dir = std::env::temp_dir().join(format!("xtask-budgets-{}", std::process::id()));
        let embed = dir.join("dist/embed");
        std::fs::create_dir_all(&embed).unwrap();
        std::fs::write(embed.join("checkout-1a2b.js"), "x".repeat(300)).unwrap();
        std::fs::write(embed.join("checkout-1a2b_bg.wasm"), vec![0u8; 500]).unwrap();
        std::fs::write(embed.join("loader-9f.js"), "y").unwrap();
        std::fs::write(embed.join("style.css"), "z").unwrap();
        let budget = Bundle {
            description: "embed".into(),
            files: vec!["dist/embed/*.wasm".into(), "dist/embed/*.js".into()],
            exclude: vec!["dist/embed/loader*.js".into()],
            brotli_max: Size(100),
            required: true,
        };
        let measured = measure_bundle(&dir, "embed", &budget).unwrap().unwrap();
        let names: Vec<&str> = measured.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "dist/embed/checkout-1a2b.js",
                "dist/embed/checkout-1a2b_bg.wasm"
            ]
        );
        assert_eq!(measured.total.raw, 800);
        assert!(measured.total.brotli > 0 && measured.total.brotli < 100);
        let none = Bundle {
            files: vec!["dist/missing/*.wasm".into()],
            ..budget
        };
        assert!(measure_bundle(&dir, "x", &none).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*.wasm", "demo-store-3b49_bg.wasm"));
        assert!(wildcard("loader*.js", "loader.js"));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("*.js", "demo.json"));
        assert!(!wildcard("loader*.js", "demo-loader.js"));
        assert!(wildcard("*-*.js", "a-b-c.js"));
    }
}
