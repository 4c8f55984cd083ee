//! Currencies as Stripe's API takes them: which exist, which have no minor unit, and the
//! smallest and largest amount a PaymentIntent may have (FIDELITY.md §Amounts and currencies).

/// Three-letter codes Stripe accepts for charges, lower-case.
const SUPPORTED: &[&str] = &[
    "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd",
    "bdt", "bgn", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf",
    "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb",
    "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg",
    "huf", "idr", "ils", "inr", "isk", "jmd", "jpy", "kes", "kgs", "khr", "kmf", "krw", "kyd",
    "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop",
    "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "pab",
    "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar", "sbd",
    "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl", "thb", "tjs", "top", "try",
    "ttd", "twd", "tzs", "uah", "ugx", "uyu", "uzs", "vnd", "vuv", "wst", "xaf", "xcd", "xof",
    "xpf", "yer", "zar", "zmw",
];

/// Currencies whose smallest unit is the whole unit (FIDELITY.md §Amounts and currencies, UGX
/// included).
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Minimum charge amounts in minor units. Only USD's $0.50 is confirmed (FIDELITY.md §Amounts and
/// currencies); the others are Stripe's published table as secondary sources quote it (UNCONFIRMED,
/// README).
const MINIMUMS: &[(&str, i64)] = &[
    ("usd", 50),
    ("aed", 200),
    ("aud", 50),
    ("bgn", 100),
    ("brl", 50),
    ("cad", 50),
    ("chf", 50),
    ("czk", 1500),
    ("dkk", 250),
    ("eur", 50),
    ("gbp", 30),
    ("hkd", 400),
    ("huf", 17500),
    ("inr", 50),
    ("jpy", 50),
    ("mxn", 1000),
    ("myr", 200),
    ("nok", 300),
    ("nzd", 50),
    ("pln", 200),
    ("ron", 200),
    ("sek", 300),
    ("sgd", 50),
    ("thb", 1000),
];

/// Amounts have at most eight digits (FIDELITY.md §Amounts and currencies).
pub(crate) const MAX_AMOUNT: i64 = 99_999_999;

/// The default currency of an account in `country` (two letters, upper-case): the sandbox
/// knows a few countries' own currencies and gives every other country euros.
pub(crate) fn of_country(country: &str) -> &'static str {
    match country {
        "US" => "usd",
        "JP" => "jpy",
        "GB" => "gbp",
        "CA" => "cad",
        "AU" => "aud",
        "CH" => "chf",
        _ => "eur",
    }
}

pub(crate) fn is_supported(code: &str) -> bool {
    SUPPORTED.contains(&code)
}

pub(crate) fn is_zero_decimal(code: &str) -> bool {
    ZERO_DECIMAL.contains(&code)
}

/// The smallest chargeable amount; 50 minor units where the table has no entry.
pub(crate) fn minimum(code: &str) -> i64 {
    MINIMUMS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(50, |(_, min)| *min)
}

/// The message Stripe gives for an unknown currency.
pub(crate) fn unsupported_message(code: &str) -> String {
    format!(
        "Invalid currency: {}. Stripe currently supports these currencies: {}",
        crate::http::error::shorten(code),
        SUPPORTED.join(", ")
    )
}

/// `$0.50 usd`, `¥50 jpy`, `3.00 sek`: the style of Stripe's amount messages.
pub(crate) fn display(amount: i64, code: &str) -> String {
    let symbol = match code {
        "usd" | "aud" | "cad" | "nzd" | "sgd" | "hkd" | "mxn" => "$",
        "eur" => "€",
        "gbp" => "£",
        "jpy" | "cny" => "¥",
        "inr" => "₹",
        "krw" => "₩",
        _ => "",
    };
    let digits = if is_zero_decimal(code) { 0 } else { 2 };
    let divisor = 10_i64.pow(digits);
    let whole = group_thousands(amount.abs() / divisor);
    let sign = if amount < 0 { "-" } else { "" };
    if digits == 0 {
        format!("{sign}{symbol}{whole} {code}")
    } else {
        format!("{sign}{symbol}{whole}.{:02} {code}", amount.abs() % divisor)
    }
}

fn group_thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_display_like_stripes_messages() {
        assert_eq!(display(50, "usd"), "$0.50 usd");
        assert_eq!(display(MAX_AMOUNT, "usd"), "$999,999.99 usd");
        assert_eq!(display(50, "jpy"), "¥50 jpy");
        assert_eq!(display(300, "sek"), "3.00 sek");
    }

    #[test]
    fn yen_is_zero_decimal_and_dollars_are_not() {
        assert!(is_zero_decimal("jpy"));
        assert!(!is_zero_decimal("usd"));
        assert!(is_supported("jpy") && !is_supported("xyz"));
    }
}
