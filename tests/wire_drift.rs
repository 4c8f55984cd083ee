//! The hand-written readers (src/wire.rs, src/seller/wire.rs) against the function's own
//! serialisation, in headless Chromium: every core type the widget reads is written with
//! serde_json as the function writes it, parsed by the browser's `JSON.parse` as
//! `Response.json()` does, read back with its `FromJs` reader, and must come back equal.
//!
//! The readers name each field by hand, so a field renamed, added or retyped in core compiles
//! and then reads as a refused message in the browser: the checkout or the seller page would
//! show "something went wrong" where a message was due. Here that fails with the JSON that
//! did not read. Each type is checked twice: with every optional field and list filled (the
//! JSON is checked to hold no `null` and no empty list, so a field the readers skip cannot
//! hide), and with every optional field empty.
#![allow(clippy::unwrap_used)]

use std::fmt::Debug;

use connect_checkout::wire::{FromJs, checkout_request_json};
use connect_checkout_core::api::{
    AccountKind, CartItem, ChargeType, CheckoutLine, CheckoutRequest, CheckoutSession,
    ClientConfig, ErrorBody, ErrorCode, ErrorDetail, FieldError, Mode, Product, ProductList,
    Seller, SellerList,
};
use connect_checkout_core::{AccountId, AttemptId, Currency, Money, PriceId};
use serde::Serialize;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Serialises `value` as the function does, reads it back as the widget does, and compares.
fn round_trip<T: Serialize + FromJs + PartialEq + Debug>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap();
    let parsed = js_sys::JSON::parse(&json).unwrap();
    let back = T::from_js(&parsed);
    assert_eq!(
        back.as_ref(),
        Some(value),
        "the reader did not give back what the function wrote: {json}"
    );
    json
}

/// [`round_trip`] for a value built with every optional field and list filled.
fn round_trip_filled<T: Serialize + FromJs + PartialEq + Debug>(value: &T) {
    let json = round_trip(value);
    assert!(
        !json.contains("null") && !json.contains("[]"),
        "a field is left empty, so its reader is not checked: {json}"
    );
}

fn account(id: &str) -> AccountId {
    AccountId::new(id).unwrap()
}

fn money(amount: i64, currency: &str) -> Money {
    Money::new(amount, Currency::new(currency).unwrap())
}

fn seller(default_currency: Option<&str>) -> Seller {
    Seller {
        id: account("acct_1KyotoTeaHouse01"),
        display_name: "Kyoto Tea House \"茶\"".into(),
        default_currency: default_currency.map(|code| Currency::new(code).unwrap()),
    }
}

fn product(description: Option<&str>) -> Product {
    Product {
        price: PriceId::new("price_1HouseBlend250").unwrap(),
        name: "House Blend, 250 g".into(),
        description: description.map(str::to_owned),
        unit_amount: money(1250, "usd"),
    }
}

#[wasm_bindgen_test]
fn client_config_reads_back() {
    round_trip_filled(&ClientConfig {
        publishable_key: "pk_test_51Sandbox".into(),
        stripe_js_url: "https://js.stripe.com/v3/".into(),
        mode: Mode::Live,
        account_kinds: AccountKind::ALL.to_vec(),
        charge_type: ChargeType::Destination,
    });
    for mode in [Mode::Sandbox, Mode::Test] {
        round_trip(&ClientConfig {
            publishable_key: "pk_test_1".into(),
            stripe_js_url: "http://127.0.0.1:12111/v3/".into(),
            mode,
            account_kinds: Vec::new(),
            charge_type: ChargeType::Direct,
        });
    }
}

#[wasm_bindgen_test]
fn seller_list_reads_back() {
    round_trip_filled(&SellerList {
        sellers: vec![seller(Some("jpy")), seller(Some("eur"))],
    });
    round_trip(&SellerList {
        sellers: vec![seller(None)],
    });
    round_trip(&SellerList {
        sellers: Vec::new(),
    });
}

#[wasm_bindgen_test]
fn product_list_reads_back() {
    round_trip_filled(&ProductList {
        seller: seller(Some("usd")),
        products: vec![product(Some("Roasted weekly")), product(Some("Ground"))],
    });
    round_trip(&ProductList {
        seller: seller(None),
        products: vec![product(None)],
    });
    round_trip(&ProductList {
        seller: seller(None),
        products: Vec::new(),
    });
}

#[wasm_bindgen_test]
fn checkout_session_reads_back() {
    let line = CheckoutLine {
        seller: account("acct_1KyotoTeaHouse01"),
        price: PriceId::new("price_1HouseBlend250").unwrap(),
        name: "House Blend, 250 g".into(),
        quantity: 999,
        unit_amount: money(99_999, "usd"),
        amount: money(99_899_001, "usd"),
    };
    round_trip_filled(&CheckoutSession {
        payment_intent: "pi_3MtwBwLkdIwHu7ix28a3tqPa".into(),
        client_secret: "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH".into(),
        stripe_account: Some(account("acct_1KyotoTeaHouse01")),
        seller: seller(Some("usd")),
        sellers: vec![seller(Some("usd")), seller(Some("jpy"))],
        lines: vec![line.clone()],
        total: money(99_899_001, "usd"),
        transfer_group: Some("order_5d41402abc4b2a76b9719d911017c592".into()),
    });
    round_trip(&CheckoutSession {
        payment_intent: "pi_1".into(),
        client_secret: "pi_1_secret_2".into(),
        stripe_account: None,
        seller: seller(None),
        sellers: vec![seller(None)],
        lines: vec![line],
        total: money(500, "jpy"),
        transfer_group: None,
    });
}

/// The other way: the one message the widget writes, read by serde as the function reads it.
#[wasm_bindgen_test]
fn checkout_requests_are_read_by_the_function_as_written() {
    let item = |price: &str, seller: Option<&str>| CartItem {
        price: PriceId::new(price).unwrap(),
        quantity: 3,
        seller: seller.map(account),
    };
    let attempt = AttemptId::new("5d41402abc4b2a76b9719d911017c592").unwrap();
    for request in [
        CheckoutRequest {
            seller: Some(account("acct_1KyotoTeaHouse01")),
            items: vec![item("price_1", None), item("price_2", None)],
            attempt: attempt.clone(),
            email: Some("jo@example.com".into()),
        },
        CheckoutRequest {
            seller: None,
            items: vec![
                item("price_1", Some("acct_1KyotoTeaHouse01")),
                item("price_2", Some("acct_1LumenCoffee0001")),
            ],
            attempt: attempt.clone(),
            email: None,
        },
    ] {
        let json = checkout_request_json(&request).unwrap();
        let read: CheckoutRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(read, request, "{json}");
        assert_eq!(read.is_marketplace(), request.seller.is_none());
    }
}

#[wasm_bindgen_test]
fn error_bodies_read_back() {
    round_trip_filled(&ErrorBody {
        error: ErrorDetail {
            code: ErrorCode::CardDeclined,
            message: "Your card has insufficient funds.".into(),
            decline_code: Some("insufficient_funds".into()),
            fields: vec![FieldError {
                field: "items[1].quantity".into(),
                message: "each quantity must be between 1 and 999".into(),
            }],
        },
    });
    for code in [
        ErrorCode::InvalidRequest,
        ErrorCode::NotFound,
        ErrorCode::SellerNotFound,
        ErrorCode::SellerCannotTakeCharges,
        ErrorCode::PriceNotFound,
        ErrorCode::CurrencyMismatch,
        ErrorCode::AmountOutOfRange,
        ErrorCode::AttemptReused,
        ErrorCode::CardDeclined,
        ErrorCode::RateLimited,
        ErrorCode::PaymentProviderUnavailable,
        ErrorCode::ProviderConfiguration,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotAvailable,
        ErrorCode::Internal,
        ErrorCode::Unknown,
    ] {
        round_trip(&ErrorBody {
            error: ErrorDetail {
                code,
                message: "m".into(),
                decline_code: None,
                fields: Vec::new(),
            },
        });
    }
}

/// The seller's pages read these (src/seller/wire.rs); they exist with the demo's pages only.
#[cfg(feature = "demo")]
mod seller_pages {
    use super::*;
    use connect_checkout_core::api::{
        CreatedSeller, DashboardLink, DisabledReason, NextStep, OnboardingLink, RefundResult,
        RequirementError, SellerPayment, SellerPayments, SellerStatus,
    };

    fn filled_status(kind: AccountKind, next_step: NextStep) -> SellerStatus {
        SellerStatus {
            id: account("acct_1FreshPottery01"),
            kind: Some(kind),
            display_name: "Fresh Pottery Studio".into(),
            email: Some("studio@example.com".into()),
            country: Some("US".into()),
            default_currency: Some(Currency::new("usd").unwrap()),
            charges_enabled: true,
            payouts_enabled: false,
            details_submitted: true,
            currently_due: vec!["external_account".into()],
            eventually_due: vec!["individual.dob.day".into(), "tos_acceptance.ip".into()],
            past_due: vec!["business_profile.url".into()],
            pending_verification: vec!["individual.id_number".into()],
            current_deadline: Some(1_767_225_600),
            disabled_reason: Some(DisabledReason {
                code: "requirements.past_due".into(),
                message: "Stripe needs more information".into(),
            }),
            errors: vec![RequirementError {
                requirement: "individual.address.line1".into(),
                code: "verification_failed_address_match".into(),
                reason: "The address could not be verified.".into(),
            }],
            next_step,
        }
    }

    fn empty_status() -> SellerStatus {
        SellerStatus {
            id: account("acct_1New"),
            kind: None,
            display_name: "New seller".into(),
            email: None,
            country: None,
            default_currency: None,
            charges_enabled: false,
            payouts_enabled: false,
            details_submitted: false,
            currently_due: Vec::new(),
            eventually_due: Vec::new(),
            past_due: Vec::new(),
            pending_verification: Vec::new(),
            current_deadline: None,
            disabled_reason: None,
            errors: Vec::new(),
            next_step: NextStep::CompleteOnboarding,
        }
    }

    #[wasm_bindgen_test]
    fn seller_status_reads_back() {
        for (kind, next_step) in [
            (AccountKind::Express, NextStep::CompleteOnboarding),
            (AccountKind::Standard, NextStep::ProvideInformation),
            (AccountKind::Custom, NextStep::WaitForVerification),
            (AccountKind::Custom, NextStep::Done),
        ] {
            round_trip_filled(&filled_status(kind, next_step));
            round_trip_filled(&CreatedSeller {
                status: filled_status(kind, next_step),
            });
        }
        round_trip(&empty_status());
        round_trip(&CreatedSeller {
            status: empty_status(),
        });
    }

    #[wasm_bindgen_test]
    fn links_read_back() {
        round_trip_filled(&OnboardingLink {
            url: "http://127.0.0.1:12111/setup/c/acct_1New/TqckGNUHg2mG".into(),
            expires_at: 1_767_225_900,
        });
        round_trip_filled(&DashboardLink {
            url: "http://127.0.0.1:12111/express/abc".into(),
        });
    }

    #[wasm_bindgen_test]
    fn payments_and_refunds_read_back() {
        round_trip_filled(&SellerPayments {
            payments: vec![SellerPayment {
                id: "pi_3MtwBwLkdIwHu7ix28a3tqPa".into(),
                amount: money(2400, "usd"),
                fee: Some(money(72, "usd")),
                refunded: money(1000, "usd"),
                status: "succeeded".into(),
                created: 1_767_225_600,
                description: Some("2 × House Blend".into()),
                transfer: Some("tr_1MtwBwLkdIwHu7ix28a3tqPa".into()),
            }],
        });
        round_trip(&SellerPayments {
            payments: vec![SellerPayment {
                id: "pi_1".into(),
                amount: money(500, "jpy"),
                fee: None,
                refunded: money(0, "jpy"),
                status: "requires_payment_method".into(),
                created: 0,
                description: None,
                transfer: None,
            }],
        });
        round_trip(&SellerPayments {
            payments: Vec::new(),
        });
        round_trip_filled(&RefundResult {
            id: "re_1".into(),
            amount: money(1000, "usd"),
            status: "succeeded".into(),
        });
    }
}
