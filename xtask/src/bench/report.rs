//! The report: every figure with its unit, its spread, the command that measured it and the
//! budget it is held to, written as `bench/report.md` (for a person) and `bench/report.json`
//! (for tools).

use std::fmt::Write as _;

use serde::Serialize;

use super::machine::Machine;
use crate::budgets::Budgets;

/// Median, min and max of repeated runs (one run: all three equal).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
}

impl Stats {
    /// `None` for no values. The median of an even count is the mean of the middle two.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Self {
            median,
            min: sorted[0],
            max: sorted[n - 1],
            runs: n,
        })
    }

    pub fn single(value: f64) -> Self {
        Self {
            median: value,
            min: value,
            max: value,
            runs: 1,
        }
    }
}

/// How a figure stands against its budget in bench/budgets.toml.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetCheck {
    pub max: f64,
    /// Enforced by `cargo xtask test` (sizes) or only reported (timings).
    pub enforced_by: &'static str,
    pub within: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    pub section: &'static str,
    pub name: String,
    pub unit: &'static str,
    #[serde(flatten)]
    pub stats: Stats,
    pub budget: Option<BudgetCheck>,
    pub command: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    /// What the figures are held to (bench/budgets.toml); each figure carries its own check.
    #[serde(skip)]
    pub budgets: Budgets,
    pub machine: Machine,
    pub started_unix: u64,
    pub seconds_taken: f64,
    pub figures: Vec<Figure>,
    /// Free-form breakdowns (twiggy's tables, the Server-Timing split), already formatted.
    pub profiles: Vec<Profile>,
    /// What a reader must know to trust the figures (fallbacks, warnings).
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Profile {
    pub title: String,
    pub command: String,
    pub text: String,
}

impl Figure {
    /// A timing budget: shown against the median, never enforced.
    pub fn reported_budget(&mut self, max: Option<f64>) -> &mut Self {
        if let Some(max) = max {
            self.budget = Some(BudgetCheck {
                max,
                enforced_by: "reported",
                within: self.stats.median <= max,
            });
        }
        self
    }

    /// A size budget, which `enforced_by` fails on.
    pub fn enforced_budget(&mut self, max: f64, enforced_by: &'static str) -> &mut Self {
        self.budget = Some(BudgetCheck {
            max,
            enforced_by,
            within: self.stats.median <= max,
        });
        self
    }
}

impl Report {
    /// A note, unless the same one is already there.
    pub fn note_once(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    pub fn add(
        &mut self,
        section: &'static str,
        name: impl Into<String>,
        unit: &'static str,
        stats: Stats,
        command: impl Into<String>,
    ) -> &mut Figure {
        self.figures.push(Figure {
            section,
            name: name.into(),
            unit,
            stats,
            budget: None,
            command: command.into(),
        });
        self.figures.last_mut().unwrap_or_else(|| unreachable!())
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(out, "# Benchmark report\n");
        let _ = writeln!(
            out,
            "Written by `cargo xtask bench` (bench/README.md says what each figure means). \
             Timings are medians of repeated runs with their min and max; compare figures \
             as ratios within one report, not with another day's.\n"
        );
        let _ = writeln!(out, "## Machine\n");
        let _ = writeln!(out, "| | |\n| --- | --- |");
        let _ = writeln!(out, "| CPU | {} |", m.cpu_model);
        let _ = writeln!(
            out,
            "| cores | {} (available to this process: {}) |",
            m.cores, m.available_parallelism
        );
        let _ = writeln!(out, "| memory | {:.1} GiB |", m.memory_gib);
        let _ = writeln!(
            out,
            "| load average (1, 5, 15 min) | at start {} · at end {} |",
            m.load_start, m.load_end
        );
        let _ = writeln!(out, "| OS | {} · Linux {} |", m.os, m.kernel);
        let _ = writeln!(out, "| toolchain | {} |", m.rustc);
        let _ = writeln!(out, "| browser | {} |", m.chromium);
        let _ = writeln!(out, "| commit | {} |", m.commit);
        let _ = writeln!(
            out,
            "| run | {:.0} s, started at unix time {} |\n",
            self.seconds_taken, self.started_unix
        );

        let mut commands: Vec<&str> = Vec::new();
        // Sections in the order they first appear, each with all its figures.
        let mut sections: Vec<&str> = Vec::new();
        for figure in &self.figures {
            if !sections.contains(&figure.section) {
                sections.push(figure.section);
            }
        }
        let ordered = sections.iter().flat_map(|section| {
            self.figures
                .iter()
                .filter(move |figure| figure.section == *section)
        });
        let mut section = "";
        for figure in ordered {
            if figure.section != section {
                section = figure.section;
                let _ = writeln!(out, "\n## {section}\n");
                let _ = writeln!(
                    out,
                    "| figure | median | min | max | runs | budget | how |\n\
                     | --- | ---: | ---: | ---: | ---: | --- | --- |"
                );
            }
            let index = match commands.iter().position(|c| *c == figure.command) {
                Some(index) => index,
                None => {
                    commands.push(&figure.command);
                    commands.len() - 1
                }
            };
            let s = &figure.stats;
            let budget = match &figure.budget {
                None => String::new(),
                Some(b) => format!(
                    "{} {} ({})",
                    if b.within { "✓ ≤" } else { "✗ >" },
                    value(b.max, figure.unit),
                    b.enforced_by
                ),
            };
            let (min, max, runs) = if s.runs > 1 {
                (
                    value(s.min, figure.unit),
                    value(s.max, figure.unit),
                    s.runs.to_string(),
                )
            } else {
                (String::new(), String::new(), "1".into())
            };
            let _ = writeln!(
                out,
                "| {} | {} | {min} | {max} | {runs} | {budget} | [{}] |",
                figure.name,
                value(s.median, figure.unit),
                index + 1
            );
        }

        let _ = writeln!(out, "\n## Commands\n");
        for (index, command) in commands.iter().enumerate() {
            let _ = writeln!(out, "{}. `{command}`", index + 1);
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\n## Notes\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        for profile in &self.profiles {
            let _ = writeln!(out, "\n## {}\n", profile.title);
            let _ = writeln!(out, "`{}`\n", profile.command);
            let _ = writeln!(out, "```text\n{}\n```", profile.text.trim_end());
        }
        out
    }
}

/// A figure with its unit, at a precision that fits it.
pub fn value(v: f64, unit: &str) -> String {
    match unit {
        "bytes" => {
            if v >= 1e6 {
                format!("{:.2} MB", v / 1e6)
            } else if v >= 1e3 {
                format!("{:.1} KB", v / 1e3)
            } else {
                format!("{v:.0} B")
            }
        }
        "ms" if v < 10.0 => format!("{v:.2} ms"),
        "ms" => format!("{v:.1} ms"),
        "s" => format!("{v:.1} s"),
        "req/s" | "pairs/s" => format!("{v:.0} {unit}"),
        "ratio" => format!("{v:.2}×"),
        "%" => format!("{v:.1} %"),
        "MB" => format!("{v:.1} MB"),
        _ => format!("{v} {unit}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn stats_are_the_median_min_and_max() {
        let s = Stats::of(&[5.0, 1.0, 3.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (3.0, 1.0, 5.0, 3));
        assert_eq!(Stats::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert_eq!(Stats::of(&[f64::NAN]), None);
    }

    #[test]
    fn values_carry_their_unit() {
        assert_eq!(value(91_377.0, "bytes"), "91.4 KB");
        assert_eq!(value(3_210_000.0, "bytes"), "3.21 MB");
        assert_eq!(value(0.123, "ms"), "0.12 ms");
        assert_eq!(value(212.34, "ms"), "212.3 ms");
        assert_eq!(value(1.5, "ratio"), "1.50×");
    }
}
