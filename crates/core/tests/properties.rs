//! Properties of every parser and validator in core: arbitrary input never panics, and what is
//! accepted keeps the promises the rest of the code relies on.
//!
//! The generators mix well-formed values (built from each format's alphabet and lengths) with
//! arbitrary text. Arbitrary text alone is almost never a valid currency or id, and then the
//! assertions about accepted values never run; `the_generators_mostly_make_valid_inputs` keeps
//! the mix honest.
#![allow(clippy::unwrap_used)]

use connect_checkout_core::api::{CheckoutRequest, CreateSellerRequest, CustomDetails};
use connect_checkout_core::{AccountId, AttemptId, Currency, FeePolicy, Money, PriceId};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// Three letters in either case (what a form or Stripe sends), now and then anything at all.
fn currency_code() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-zA-Z]{3}", 1 => "\\PC{0,6}"]
}

/// Stripe-shaped account ids, now and then anything at all.
fn account_id() -> impl Strategy<Value = String> {
    prop_oneof![4 => "acct_[a-zA-Z0-9_]{1,40}", 1 => "\\PC{0,300}"]
}

/// What the widget makes (32 hex digits: 128 bits), other well-formed lengths and alphabets,
/// and now and then anything at all.
fn attempt_id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9a-f]{32}",
        1 => "[a-zA-Z0-9_-]{16,64}",
        1 => "\\PC{0,80}",
    ]
}

/// Mostly carts the function takes (1 to 50 lines of 1 to 999), now and then an empty, an
/// overfull or a mistyped one.
fn cart() -> impl Strategy<Value = Vec<u32>> {
    let quantity = prop_oneof![99 => 1u32..=999, 1 => any::<u32>()];
    prop_oneof![
        4 => proptest::collection::vec(quantity.clone(), 1..=50),
        1 => proptest::collection::vec(quantity, 0..=60),
    ]
}

/// Mostly addresses a receipt can go to, now and then text that is not one.
fn email() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        3 => "[a-z]{1,10}@[a-z]{1,10}\\.[a-z]{2,4}",
        1 => "[a-z@. ]{0,30}",
    ])
}

fn checkout_json(
    seller: &str,
    quantities: &[u32],
    attempt: &str,
    email: Option<&str>,
) -> serde_json::Value {
    let items: Vec<serde_json::Value> = quantities
        .iter()
        .enumerate()
        .map(|(i, q)| serde_json::json!({"price": format!("price_{i}"), "quantity": q}))
        .collect();
    serde_json::json!({"seller": seller, "items": items, "attempt": attempt, "email": email})
}

proptest! {
    #[test]
    fn currencies_are_three_lowercase_letters_or_refused(code in currency_code()) {
        match Currency::new(&code) {
            Ok(currency) => {
                prop_assert_eq!(currency.as_str().len(), 3);
                prop_assert!(currency.as_str().bytes().all(|b| b.is_ascii_lowercase()));
                prop_assert_eq!(currency.as_str(), code.to_ascii_lowercase());
            }
            // `USD` typed in a form and `usd` from Stripe are the same currency: neither is refused.
            Err(_) => prop_assert!(!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()))),
        }
    }

    #[test]
    fn major_units_round_trip_for_every_stripe_amount(amount in 0i64..=99_999_999, zero_decimal in any::<bool>()) {
        let currency = Currency::new(if zero_decimal { "jpy" } else { "usd" }).unwrap();
        let money = Money::new(amount, currency.clone());
        let back = (money.major_units() * 10f64.powi(currency.minor_digits() as i32)).round() as i64;
        prop_assert_eq!(back, amount);
    }

    #[test]
    fn account_ids_keep_their_prefix_and_stripes_are_accepted(value in account_id()) {
        let stripe_shaped = value.strip_prefix("acct_").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        match AccountId::new(value.clone()) {
            Ok(id) => {
                prop_assert!(id.as_str().starts_with("acct_"));
                prop_assert_eq!(id.as_str(), value.as_str());
            }
            Err(_) => prop_assert!(!stripe_shaped, "a Stripe account id was refused: {}", value),
        }
        // A price id is never an account id, whatever the text.
        if let Ok(id) = PriceId::new(value) {
            prop_assert!(id.as_str().starts_with("price_"));
        }
    }

    #[test]
    fn attempt_ids_the_widget_makes_are_accepted_and_survive_json(value in attempt_id()) {
        let widget_made = value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit());
        match AttemptId::new(value.clone()) {
            Ok(id) => {
                prop_assert!((AttemptId::MIN_LEN..=AttemptId::MAX_LEN).contains(&id.as_str().len()));
                let json = serde_json::to_string(&id).unwrap();
                prop_assert_eq!(serde_json::from_str::<AttemptId>(&json).unwrap(), id);
            }
            Err(_) => prop_assert!(!widget_made, "the widget's own attempt id was refused: {}", value),
        }
    }

    #[test]
    fn fee_policies_never_panic(text in "[0-9%.+ a-z-]{0,16}") {
        let _ = text.parse::<FeePolicy>();
    }

    /// JSON-shaped requests, mostly well formed: decoding and validating never panic, and a
    /// request that passes validation has a non-empty cart of sane quantities.
    #[test]
    fn checkout_requests_either_validate_or_say_why(
        seller in account_id(),
        quantities in cart(),
        attempt in attempt_id(),
        email in email(),
    ) {
        let json = checkout_json(&seller, &quantities, &attempt, email.as_deref());
        if let Ok(request) = serde_json::from_value::<CheckoutRequest>(json) {
            match request.validate() {
                Ok(()) => {
                    prop_assert!(!request.items.is_empty() && request.items.len() <= 50);
                    prop_assert!(request.items.iter().all(|item| (1..=999).contains(&item.quantity)));
                }
                Err(error) => prop_assert!(!error.message.is_empty()),
            }
        }
    }

    #[test]
    fn seller_forms_never_panic(text in "\\PC{0,40}", day in 0u8..=40, month in 0u8..=14, year in 1800u16..2200, attempt in attempt_id()) {
        let details = serde_json::json!({
            "business_type": "individual",
            "individual": {
                "first_name": text, "last_name": text, "email": text, "phone": text,
                "dob": {"day": day, "month": month, "year": year},
                "address": {"line1": text, "city": text, "postal_code": text, "country": text},
                "id_number": text, "ssn_last_4": text,
            },
            "business_url": text, "mcc": text, "bank_account_token": text, "accept_terms": true,
        });
        if let Ok(details) = serde_json::from_value::<CustomDetails>(details)
            && let Err(errors) = details.validate((2026, 11, 29))
        {
            prop_assert!(errors.iter().all(|e| !e.field.is_empty() && !e.message.is_empty()));
        }
        let seller = serde_json::json!({"kind": "express", "email": text, "country": text, "attempt": attempt});
        if let Ok(request) = serde_json::from_value::<CreateSellerRequest>(seller) {
            let _ = request.validate();
        }
    }
}

/// The share of `count` values drawn from `strategy` (with a fixed seed) that `valid` accepts.
fn share_valid<S: Strategy>(strategy: S, count: usize, valid: impl Fn(&S::Value) -> bool) -> f64 {
    let mut runner = TestRunner::deterministic();
    let accepted = (0..count)
        .filter(|_| valid(&strategy.new_tree(&mut runner).unwrap().current()))
        .count();
    accepted as f64 / count as f64
}

/// The properties above say something about accepted values only when the generators make
/// them: a good share of each kind must be accepted, and some refused.
#[test]
fn the_generators_mostly_make_valid_inputs() {
    let shares = [
        (
            "currency",
            share_valid(currency_code(), 1000, |code| Currency::new(code).is_ok()),
        ),
        (
            "account id",
            share_valid(account_id(), 1000, |id| AccountId::new(id.clone()).is_ok()),
        ),
        (
            "attempt id",
            share_valid(attempt_id(), 1000, |id| AttemptId::new(id.clone()).is_ok()),
        ),
        (
            "checkout request",
            share_valid(
                (account_id(), cart(), attempt_id(), email()),
                1000,
                |(seller, quantities, attempt, email)| {
                    serde_json::from_value::<CheckoutRequest>(checkout_json(
                        seller,
                        quantities,
                        attempt,
                        email.as_deref(),
                    ))
                    .is_ok_and(|request| request.validate().is_ok())
                },
            ),
        ),
    ];
    for (what, share) in shares {
        assert!(
            (0.3..0.99).contains(&share),
            "{what}: {:.0} % of the generated inputs are valid",
            share * 100.0
        );
    }
}
