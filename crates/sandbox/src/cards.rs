//! Test cards: what each number or `pm_card_*` id does when charged (FIDELITY.md §Test cards), and
//! the checks Stripe makes on raw card details. Only the outcome, brand and last four digits of a
//! number are kept; the number itself is dropped as soon as it is read, and never logged.

use std::hash::{DefaultHasher, Hash, Hasher};

use axum::http::StatusCode;

use crate::http::error::{ApiError, ErrorType};

/// Why a charge fails.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decline {
    pub code: &'static str,
    pub decline_code: &'static str,
    pub message: &'static str,
    /// The card field the error names, as Stripe's card errors do (`cvc`, `exp_month`).
    pub param: Option<&'static str>,
}

const GENERIC: Decline = Decline {
    code: "card_declined",
    decline_code: "generic_decline",
    message: "Your card was declined.",
    param: None,
};
const INSUFFICIENT_FUNDS: Decline = Decline {
    code: "card_declined",
    decline_code: "insufficient_funds",
    message: "Your card has insufficient funds.",
    param: None,
};
const LOST_CARD: Decline = Decline {
    code: "card_declined",
    decline_code: "lost_card",
    message: "Your card was declined.",
    param: None,
};
const STOLEN_CARD: Decline = Decline {
    code: "card_declined",
    decline_code: "stolen_card",
    message: "Your card was declined.",
    param: None,
};
const EXPIRED_CARD: Decline = Decline {
    code: "expired_card",
    decline_code: "expired_card",
    message: "Your card has expired.",
    param: Some("exp_month"),
};
const INCORRECT_CVC: Decline = Decline {
    code: "incorrect_cvc",
    decline_code: "incorrect_cvc",
    message: "Your card's security code is incorrect.",
    param: Some("cvc"),
};
const PROCESSING_ERROR: Decline = Decline {
    code: "processing_error",
    decline_code: "processing_error",
    message: "An error occurred while processing your card. Try again in a little bit.",
    param: None,
};

/// What confirming a PaymentIntent with the card does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behaviour {
    Succeed,
    Decline(&'static Decline),
    /// 3-D Secure is required: the PaymentIntent stops in `requires_action` until the shopper
    /// completes the challenge page, then the card is charged and `then_decline` (if any)
    /// declines it.
    Authenticate {
        then_decline: Option<&'static Decline>,
    },
}

/// One row of the test-card table (FIDELITY.md §Test cards).
pub(crate) struct TestCard {
    pub number: &'static str,
    pub pm_id: Option<&'static str>,
    pub funding: &'static str,
    pub behaviour: Behaviour,
}

const fn card(number: &'static str, pm_id: Option<&'static str>, behaviour: Behaviour) -> TestCard {
    TestCard {
        number,
        pm_id,
        funding: "credit",
        behaviour,
    }
}

/// The table of FIDELITY.md §Test cards, plus the common brand test cards.
pub(crate) const TEST_CARDS: &[TestCard] = &[
    card("4242424242424242", Some("pm_card_visa"), Behaviour::Succeed),
    TestCard {
        number: "4000056655665556",
        pm_id: Some("pm_card_visa_debit"),
        funding: "debit",
        behaviour: Behaviour::Succeed,
    },
    card(
        "5555555555554444",
        Some("pm_card_mastercard"),
        Behaviour::Succeed,
    ),
    card("378282246310005", Some("pm_card_amex"), Behaviour::Succeed),
    card(
        "6011111111111117",
        Some("pm_card_discover"),
        Behaviour::Succeed,
    ),
    card("3566002020360505", Some("pm_card_jcb"), Behaviour::Succeed),
    card(
        "4000000000000077",
        Some("pm_card_bypassPending"),
        Behaviour::Succeed,
    ),
    card(
        "4000000000000002",
        Some("pm_card_chargeDeclined"),
        Behaviour::Decline(&GENERIC),
    ),
    card(
        "4000000000009995",
        Some("pm_card_chargeDeclinedInsufficientFunds"),
        Behaviour::Decline(&INSUFFICIENT_FUNDS),
    ),
    card(
        "4000000000009987",
        Some("pm_card_chargeDeclinedLostCard"),
        Behaviour::Decline(&LOST_CARD),
    ),
    card(
        "4000000000009979",
        Some("pm_card_chargeDeclinedStolenCard"),
        Behaviour::Decline(&STOLEN_CARD),
    ),
    card(
        "4000000000000069",
        Some("pm_card_chargeDeclinedExpiredCard"),
        Behaviour::Decline(&EXPIRED_CARD),
    ),
    card(
        "4000000000000127",
        Some("pm_card_chargeDeclinedIncorrectCvc"),
        Behaviour::Decline(&INCORRECT_CVC),
    ),
    card(
        "4000000000000119",
        Some("pm_card_chargeDeclinedProcessingError"),
        Behaviour::Decline(&PROCESSING_ERROR),
    ),
    // Attaching to a Customer succeeds, charging fails (FIDELITY.md §Test cards); no Customers yet.
    card("4000000000000341", None, Behaviour::Decline(&GENERIC)),
    card(
        "4000002500003155",
        Some("pm_card_threeDSecure2Required"),
        Behaviour::Authenticate { then_decline: None },
    ),
    card(
        "4000002760003184",
        Some("pm_card_authenticationRequired"),
        Behaviour::Authenticate { then_decline: None },
    ),
    card(
        "4000008260003178",
        None,
        Behaviour::Authenticate {
            then_decline: Some(&INSUFFICIENT_FUNDS),
        },
    ),
];

pub(crate) fn by_pm_id(id: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.pm_id == Some(id))
}

fn by_number(number: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.number == number)
}

/// The brand Stripe reports, from the number's leading digits.
pub(crate) fn brand(number: &str) -> &'static str {
    let prefix = |n: usize| {
        number
            .get(..n)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    match () {
        _ if number.starts_with('4') => "visa",
        _ if (51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)) => "mastercard",
        _ if matches!(prefix(2), 34 | 37) => "amex",
        _ if prefix(4) == 6011 || prefix(2) == 65 || (644..=649).contains(&prefix(3)) => "discover",
        _ if prefix(2) == 35 => "jcb",
        _ if matches!(prefix(2), 36 | 38) || (300..=305).contains(&prefix(3)) => "diners",
        _ if prefix(2) == 62 => "unionpay",
        _ => "unknown",
    }
}

pub(crate) fn luhn_ok(number: &str) -> bool {
    let mut sum = 0;
    for (i, c) in number.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// What the sandbox keeps of a card: everything but the number and CVC.
#[derive(Clone, Debug)]
pub(crate) struct CardDetails {
    pub brand: &'static str,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub funding: &'static str,
    pub country: &'static str,
    /// The same number always has the same fingerprint, as on Stripe.
    pub fingerprint: String,
    pub cvc_given: bool,
    pub behaviour: Behaviour,
    /// 4000 0000 0000 0077: the funds skip the pending balance (FIDELITY.md §Test cards).
    pub available_at_once: bool,
}

/// The test card whose charges are available at once.
const AVAILABLE_AT_ONCE: &str = "4000000000000077";

/// The card of a `pm_card_*` id: it expires in a year, like the ones Stripe makes.
pub(crate) fn details_of_test_card(card: &TestCard, now: i64) -> CardDetails {
    let (year, month) = crate::clock::year_month(now);
    CardDetails {
        brand: brand(card.number),
        last4: last4(card.number),
        exp_month: i64::from(month),
        exp_year: year + 1,
        funding: card.funding,
        country: "US",
        fingerprint: fingerprint(card.number),
        cvc_given: true,
        behaviour: card.behaviour,
        available_at_once: card.number == AVAILABLE_AT_ONCE,
    }
}

fn last4(number: &str) -> String {
    number[number.len().saturating_sub(4)..].to_owned()
}

fn fingerprint(number: &str) -> String {
    let mut hasher = DefaultHasher::new();
    ("stripe-sandbox-card", number).hash(&mut hasher);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut n = hasher.finish();
    (0..16)
        .map(|_| {
            let c = alphabet[(n % 62) as usize] as char;
            n /= 62;
            if n == 0 {
                n = 0x9E37_79B9_7F4A_7C15;
            }
            c
        })
        .collect()
}

fn card_error(code: &str, message: &str, param: &str) -> ApiError {
    ApiError::new(StatusCode::PAYMENT_REQUIRED, ErrorType::CardError, message)
        .code(code)
        .param(param)
}

/// Checks raw card details as Stripe does when a PaymentMethod is made from them, and keeps
/// what may be kept. Errors are 402 `card_error`s naming the field.
pub(crate) fn read_card(
    number: &str,
    exp_month: i64,
    exp_year: i64,
    cvc: Option<&str>,
    now: i64,
) -> Result<CardDetails, ApiError> {
    let number: String = number.chars().filter(|c| *c != ' ' && *c != '-').collect();
    if !(12..=19).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(card_error(
            "invalid_number",
            "The card number is not a valid credit card number.",
            "number",
        ));
    }
    if !luhn_ok(&number) {
        return Err(card_error(
            "incorrect_number",
            "Your card number is incorrect.",
            "number",
        ));
    }
    if !(1..=12).contains(&exp_month) {
        return Err(card_error(
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
            "exp_month",
        ));
    }
    // Two-digit years are accepted and read as 20YY.
    let exp_year = if (0..100).contains(&exp_year) {
        2000 + exp_year
    } else {
        exp_year
    };
    let (year, month) = crate::clock::year_month(now);
    if exp_year < year || exp_year > year + 50 {
        return Err(card_error(
            "invalid_expiry_year",
            "Your card's expiration year is invalid.",
            "exp_year",
        ));
    }
    if exp_year == year && exp_month < i64::from(month) {
        return Err(card_error(
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
            "exp_month",
        ));
    }
    let brand = brand(&number);
    if let Some(cvc) = cvc {
        let want = if brand == "amex" { 4 } else { 3 };
        if cvc.len() != want || !cvc.bytes().all(|b| b.is_ascii_digit()) {
            return Err(card_error(
                "invalid_cvc",
                "Your card's security code is invalid.",
                "cvc",
            ));
        }
    }
    let test = by_number(&number);
    Ok(CardDetails {
        brand,
        last4: last4(&number),
        exp_month,
        exp_year,
        funding: test.map_or("credit", |c| c.funding),
        country: "US",
        fingerprint: fingerprint(&number),
        cvc_given: cvc.is_some(),
        behaviour: test.map_or(Behaviour::Succeed, |c| c.behaviour),
        available_at_once: number == AVAILABLE_AT_ONCE,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const NOW: i64 = 1_767_225_600; // 2026-01-01

    #[test]
    fn every_test_card_passes_luhn_and_has_a_brand() {
        for card in TEST_CARDS {
            assert!(luhn_ok(card.number), "{}", card.number);
            assert_ne!(brand(card.number), "unknown", "{}", card.number);
        }
    }

    #[test]
    fn luhn_failure_is_incorrect_number() {
        let err = read_card("4242424242424241", 12, 2030, Some("123"), NOW).unwrap_err();
        assert_eq!(err.body.code.as_deref(), Some("incorrect_number"));
        assert_eq!(err.status, StatusCode::PAYMENT_REQUIRED);
    }

    #[test]
    fn past_expiry_and_bad_cvc_are_refused() {
        let year = read_card("4242424242424242", 12, 2025, None, NOW).unwrap_err();
        assert_eq!(year.body.code.as_deref(), Some("invalid_expiry_year"));
        let month = read_card("4242424242424242", 13, 2030, None, NOW).unwrap_err();
        assert_eq!(month.body.code.as_deref(), Some("invalid_expiry_month"));
        let cvc = read_card("4242424242424242", 12, 2030, Some("12"), NOW).unwrap_err();
        assert_eq!(cvc.body.code.as_deref(), Some("invalid_cvc"));
    }

    #[test]
    fn details_keep_last_four_and_outcome_only() {
        let card = read_card("4000 0000 0000 0002", 12, 30, Some("123"), NOW).unwrap();
        assert_eq!(card.last4, "0002");
        assert_eq!(card.exp_year, 2030);
        assert_eq!(card.behaviour, Behaviour::Decline(&GENERIC));
        let again = read_card("4000000000000002", 1, 2031, None, NOW).unwrap();
        assert_eq!(card.fingerprint, again.fingerprint);
    }
}
