//! Money formatted by the browser's `Intl.NumberFormat`, in headless Chromium.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`.
#![allow(clippy::unwrap_used)]

use connect_checkout::money::format_money;
use connect_checkout_core::{Currency, Money};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn money(amount: i64, currency: &str) -> Money {
    Money::new(amount, Currency::new(currency).unwrap())
}

#[wasm_bindgen_test]
fn dollars_have_cents() {
    assert_eq!(format_money(&money(1200, "usd"), Some("en-US")), "$12.00");
    assert_eq!(
        format_money(&money(123_456, "usd"), Some("en-US")),
        "$1,234.56"
    );
}

#[wasm_bindgen_test]
fn yen_has_no_minor_unit() {
    // 1500 is ¥1,500, not ¥15.00: JPY is a zero-decimal currency.
    assert_eq!(format_money(&money(1500, "jpy"), Some("en-US")), "¥1,500");
}

#[wasm_bindgen_test]
fn every_zero_decimal_currency_counts_whole_units() {
    // Zero-decimal currencies (crates/sandbox/FIDELITY.md §Amounts and currencies): the amount
    // is in whole units for these.
    assert_eq!(
        format_money(&money(50_000, "krw"), Some("en-US")),
        "₩50,000"
    );
    assert_eq!(format_money(&money(1500, "jpy"), Some("ja-JP")), "￥1,500");
    for code in [
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
        "xaf", "xof", "xpf",
    ] {
        let text = format_money(&money(1234, code), Some("en-US"));
        assert!(text.contains("1,234"), "{code}: {text}");
        assert!(!text.contains("12.34"), "{code}: {text}");
    }
}

#[wasm_bindgen_test]
fn french_puts_the_sign_after_and_uses_a_comma() {
    assert_eq!(
        format_money(&money(123_456, "eur"), Some("fr-FR")),
        "1\u{202f}234,56\u{a0}€"
    );
    assert_eq!(
        format_money(&money(1200, "usd"), Some("fr-FR")),
        "12,00\u{a0}$US"
    );
}

#[wasm_bindgen_test]
fn euros_follow_the_german_locale() {
    // German: decimal comma, the sign after a no-break space.
    assert_eq!(
        format_money(&money(1200, "eur"), Some("de-DE")),
        "12,00\u{a0}€"
    );
    assert_eq!(
        format_money(&money(123_456, "eur"), Some("de-DE")),
        "1.234,56\u{a0}€"
    );
}

#[wasm_bindgen_test]
fn a_malformed_locale_falls_back_instead_of_throwing() {
    let text = format_money(&money(1200, "usd"), Some("not a locale!"));
    assert!(text.contains("12"), "{text}");
}
