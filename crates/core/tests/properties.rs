//! Properties of every parser and validator in core: arbitrary input never panics, and what is
//! accepted keeps the promises the rest of the code relies on.

use connect_checkout_core::api::{CheckoutRequest, CreateSellerRequest, CustomDetails};
use connect_checkout_core::{AccountId, AttemptId, Currency, FeePolicy, Money, PriceId};
use proptest::prelude::*;

proptest! {
    #[test]
    fn currencies_are_three_lowercase_letters_or_refused(code in "\\PC{0,6}") {
        if let Ok(currency) = Currency::new(&code) {
            prop_assert_eq!(currency.as_str().len(), 3);
            prop_assert!(currency.as_str().bytes().all(|b| b.is_ascii_lowercase()));
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
    fn ids_never_panic_and_accepted_ones_keep_their_prefix(value in "\\PC{0,300}") {
        if let Ok(id) = AccountId::new(value.clone()) { prop_assert!(id.as_str().starts_with("acct_")); }
        if let Ok(id) = PriceId::new(value.clone()) { prop_assert!(id.as_str().starts_with("price_")); }
        if let Ok(id) = AttemptId::new(value) {
            prop_assert!((AttemptId::MIN_LEN..=AttemptId::MAX_LEN).contains(&id.as_str().len()));
        }
    }

    #[test]
    fn fee_policies_never_panic(text in "[0-9%.+ a-z-]{0,16}") {
        let _ = text.parse::<FeePolicy>();
    }

    /// Arbitrary JSON-shaped requests: decoding and validating never panic, and a request that
    /// passes validation has a non-empty cart of sane quantities.
    #[test]
    fn checkout_requests_either_validate_or_say_why(
        seller in "acct_[a-zA-Z0-9]{1,20}|[a-z]{0,8}",
        quantities in proptest::collection::vec(0u32..2_000, 0..60),
        email in proptest::option::of("[a-z@. ]{0,30}"),
    ) {
        let items: Vec<serde_json::Value> = quantities
            .iter()
            .enumerate()
            .map(|(i, q)| serde_json::json!({"price": format!("price_{i}"), "quantity": q}))
            .collect();
        let json = serde_json::json!({"seller": seller, "items": items, "attempt": "5d41402abc4b2a76b9719d911017c592", "email": email});
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
    fn seller_forms_never_panic(text in "\\PC{0,40}", day in 0u8..=40, month in 0u8..=14, year in 1800u16..2200) {
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
        let seller = serde_json::json!({"kind": "express", "email": text, "country": text, "attempt": "5d41402abc4b2a76b9719d911017c592"});
        if let Ok(request) = serde_json::from_value::<CreateSellerRequest>(seller) {
            let _ = request.validate();
        }
    }
}
