//! The leak scan: after the rest of the end-to-end suite ran (`cargo xtask test` runs this last,
//! with `--ignored`), no secret key, webhook secret, card number, or client secret of another
//! checkout appears in any log line or API answer it captured, in the built widget, or in git.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use connect_checkout_e2e::capture::capture_dir;
use connect_checkout_e2e::{secret_keys_in, widget_dist, workspace_root};
use serde_json::Value;

/// Runs of 13 to 19 digits (spaces and dashes allowed between) that pass the Luhn check: what a
/// card number looks like, wherever it hides.
fn card_numbers_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_digit()
            || (start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_'))
        {
            start += 1;
            continue;
        }
        let mut digits = String::new();
        let mut end = start;
        let mut after_last_digit = start;
        while end < bytes.len() {
            if bytes[end].is_ascii_digit() {
                digits.push(bytes[end] as char);
                after_last_digit = end + 1;
            } else if !(bytes[end] == b' ' || bytes[end] == b'-') {
                break;
            }
            end += 1;
        }
        let followed_by_word =
            after_last_digit < bytes.len() && bytes[after_last_digit].is_ascii_alphabetic();
        if (13..=19).contains(&digits.len()) && !followed_by_word && luhn(&digits) {
            found.push(digits);
        }
        start = end.max(start + 1);
    }
    found
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `pi_…_secret_…` client secrets in `text`, as (the PaymentIntent they open, the secret).
fn client_secrets_in(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("_secret_") {
        let before = &rest[..at];
        let intent_start = before.rfind("pi_").unwrap_or(at);
        let intent = &before[intent_start..];
        let tail: String = rest[at + "_secret_".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if intent.starts_with("pi_")
            && intent[3..].chars().all(|c| c.is_ascii_alphanumeric())
            && !tail.is_empty()
        {
            found.push((intent.to_owned(), format!("{intent}_secret_{tail}")));
        }
        rest = &rest[at + "_secret_".len()..];
    }
    found
}

fn webhook_secrets_in(text: &str) -> Vec<String> {
    text.match_indices("whsec_")
        .filter_map(|(at, _)| {
            let secret: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (secret.len() > "whsec_".len() + 7).then_some(secret)
        })
        .collect()
}

fn files_in(dir: &Path, suffix: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_scanners_find_what_they_look_for() {
    assert_eq!(
        card_numbers_in("card 4242 4242 4242 4242 ok"),
        ["4242424242424242"]
    );
    assert_eq!(
        card_numbers_in("number=4000000000000002&x"),
        ["4000000000000002"]
    );
    assert!(card_numbers_in("created 1795000000 amount 1200 id acct_1LumenCoffee0001").is_empty());
    assert!(card_numbers_in("4242424242424241").is_empty(), "fails Luhn");
    assert!(
        card_numbers_in("id=\"req_1640193125212487\"").is_empty(),
        "part of an id"
    );
    let secrets = client_secrets_in(r#"{"client_secret":"pi_3AbC_secret_XyZ9"}"#);
    assert_eq!(
        secrets,
        [("pi_3AbC".to_owned(), "pi_3AbC_secret_XyZ9".to_owned())]
    );
    assert_eq!(
        webhook_secrets_in("whsec_abcdefgh1234 and whsec_"),
        ["whsec_abcdefgh1234"]
    );
    assert_eq!(secret_keys_in("x sk_test_51Abcdef y").len(), 1);
}

#[test]
#[ignore = "run after the whole end-to-end suite (cargo xtask test does)"]
fn nothing_secret_leaked_during_the_end_to_end_suite() {
    let dir = capture_dir();
    let logs = files_in(&dir, ".log");
    let answers = files_in(&dir, ".responses.jsonl");
    assert!(
        !logs.is_empty() && !answers.is_empty(),
        "no capture in {}: run the end-to-end suite first",
        dir.display()
    );
    let mut leaks = Vec::new();
    let mut lines_scanned = 0;

    for path in &logs {
        let text = std::fs::read_to_string(path).unwrap();
        lines_scanned += text.lines().count();
        for (n, line) in text.lines().enumerate() {
            let mut found: Vec<String> = secret_keys_in(line);
            found.extend(webhook_secrets_in(line));
            found.extend(
                card_numbers_in(line)
                    .into_iter()
                    .map(|c| format!("card {c}")),
            );
            found.extend(
                client_secrets_in(line)
                    .into_iter()
                    .map(|(_, s)| format!("client secret {s}")),
            );
            leaks.extend(
                found
                    .into_iter()
                    .map(|what| format!("{}:{}: {what}", path.display(), n + 1)),
            );
        }
    }
    for path in &answers {
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            lines_scanned += 1;
            let answer: Value = serde_json::from_str(line).unwrap();
            let body = answer["body"].as_str().unwrap_or_default();
            let mut found: Vec<String> = secret_keys_in(body);
            found.extend(webhook_secrets_in(body));
            found.extend(
                card_numbers_in(body)
                    .into_iter()
                    .map(|c| format!("card {c}")),
            );
            // A checkout's answer carries its own PaymentIntent's client secret, and nothing
            // else may carry one.
            let own: Option<String> = serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|json| json["payment_intent"].as_str().map(str::to_owned));
            for (intent, secret) in client_secrets_in(body) {
                if own.as_deref() != Some(intent.as_str()) {
                    found.push(format!("client secret of another checkout {secret}"));
                }
            }
            leaks.extend(
                found
                    .into_iter()
                    .map(|what| format!("{}:{} {}: {what}", path.display(), n + 1, answer["path"])),
            );
        }
    }

    let mut pending = vec![widget_dist()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                leaks.extend(
                    secret_keys_in(&text)
                        .into_iter()
                        .map(|k| format!("{}: {k}", path.display())),
                );
            }
        }
    }

    // Git: live keys and full-length webhook secrets, in every commit (the sandbox's test keys
    // are fixtures, published on purpose).
    let history = Command::new("git")
        .args(["log", "-p", "--all", "--no-color"])
        .current_dir(workspace_root())
        .output()
        .expect("git");
    let history = String::from_utf8_lossy(&history.stdout);
    for key in secret_keys_in(&history) {
        if key.starts_with("sk_live_") || key.starts_with("rk_live_") {
            leaks.push(format!("git history: {}…", &key[..12]));
        }
    }
    for secret in webhook_secrets_in(&history) {
        if secret.len() >= "whsec_".len() + 32 {
            leaks.push(format!("git history: {}…", &secret[..12]));
        }
    }

    println!(
        "leak scan: {} log files, {} answer files, {lines_scanned} lines",
        logs.len(),
        answers.len()
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
