//! The repository stands alone: no file cites a document that only the people who wrote the
//! project had (a fact sheet or toolchain notes kept beside the checkout). Someone who clones
//! the repository cannot follow such a citation, so what it relied on belongs in
//! `docs/toolchain.md`, `crates/sandbox/FIDELITY.md` or a link to Stripe's public docs.
//!
//! `cargo xtask test` runs it with the other native tests (`cargo test -p xtask`).

use std::path::Path;
use std::process::Command;

/// Citations of documents outside the repository. Built from pieces so that this file does not
/// cite them itself.
fn outside_citations() -> [String; 6] {
    [
        ["stripe", "-facts"].concat(),
        ["facts", " §"].concat(),
        ["TOOLCHAIN", ".md"].concat(),
        ["../", "shared"].concat(),
        ["shared/", "DESIGN.md"].concat(),
        ["shared/", "STYLE.md"].concat(),
    ]
}

/// Every file git tracks or would track (new files not yet added count too), except the lock
/// file, whose package names are not citations.
fn repository_files(root: &Path) -> Vec<String> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .unwrap_or_else(|error| panic!("cannot run git ls-files: {error}"));
    assert!(listed.status.success(), "git ls-files failed: {listed:?}");
    String::from_utf8_lossy(&listed.stdout)
        .split('\0')
        .filter(|path| !path.is_empty() && *path != "Cargo.lock")
        .map(str::to_owned)
        .collect()
}

/// `path:line: text` for each line of `text` that cites a document outside the repository.
fn citations_in(path: &str, text: &str, needles: &[String]) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| needles.iter().any(|needle| line.contains(needle.as_str())))
        .map(|(number, line)| format!("{path}:{}: {}", number + 1, line.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_cites_a_document_outside_the_repository() {
        let root = crate::process::root();
        let needles = outside_citations();
        let files = repository_files(&root);
        assert!(
            files.iter().any(|path| path == "README.md"),
            "git ls-files listed no README.md in {}: the scan would prove nothing",
            root.display()
        );
        let mut found = Vec::new();
        for path in &files {
            // Deleted but not yet staged: nothing to read.
            let Ok(bytes) = std::fs::read(root.join(path)) else {
                continue;
            };
            found.extend(citations_in(
                path,
                &String::from_utf8_lossy(&bytes),
                &needles,
            ));
        }
        assert!(
            found.is_empty(),
            "these lines cite documents a clone of the repository does not have; write what \
             they rely on into docs/toolchain.md or crates/sandbox/FIDELITY.md (or link Stripe's \
             docs) and cite that instead:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn each_kind_of_outside_citation_is_recognised() {
        let needles = outside_citations();
        for needle in &needles {
            let line = format!("// Amounts have at most eight digits ({needle} 3.5).");
            assert_eq!(citations_in("f", &line, &needles).len(), 1, "{line}");
        }
        assert!(
            citations_in(
                "f",
                "see docs/toolchain.md §Traps and FIDELITY.md §Idempotency",
                &needles
            )
            .is_empty()
        );
    }
}
