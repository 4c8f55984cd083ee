//! The machine a report was measured on: without it a timing means nothing.

use std::process::Command;

use serde::Serialize;

use crate::process::output;
use crate::tools::CHROMIUM;

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cpu_model: String,
    /// Logical CPUs of the machine.
    pub cores: usize,
    /// What this process may use (a container's quota can be lower).
    pub available_parallelism: usize,
    pub memory_gib: f64,
    /// `/proc/loadavg`'s three averages when the run started and ended: above the core count,
    /// other work was competing for the CPU and timings are slower and noisier.
    pub load_start: String,
    pub load_end: String,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    pub chromium: String,
    /// `git describe`-like: the commit, `+dirty` when the work tree has changes.
    pub commit: String,
}

impl Machine {
    pub fn describe() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, model)| model.trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let cores = cpuinfo
            .lines()
            .filter(|line| line.starts_with("processor"))
            .count();
        let memory_kib: f64 = std::fs::read_to_string("/proc/meminfo")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let os = std::fs::read_to_string("/etc/os-release")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("PRETTY_NAME="))
            .map(|name| name.trim_matches('"').to_owned())
            .unwrap_or_else(|| "unknown".into());
        let trimmed = |command: &mut Command| {
            output(command)
                .map(|text| text.trim().to_owned())
                .unwrap_or_else(|| "unknown".into())
        };
        let commit = trimmed(Command::new("git").args(["rev-parse", "--short=12", "HEAD"]));
        let dirty = output(Command::new("git").args(["status", "--porcelain"]))
            .is_some_and(|status| !status.trim().is_empty());
        Self {
            cpu_model,
            cores,
            available_parallelism: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: memory_kib / 1024.0 / 1024.0,
            load_start: load_average(),
            load_end: String::new(),
            os,
            kernel: trimmed(Command::new("uname").arg("-r")),
            rustc: trimmed(Command::new("rustc").arg("--version")),
            chromium: trimmed(Command::new(CHROMIUM).arg("--version")),
            commit: if dirty {
                format!("{commit}+dirty")
            } else {
                commit
            },
        }
    }
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
