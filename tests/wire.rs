//! The readers of the function's and Stripe.js's messages (src/wire.rs), in headless Chromium:
//! the JSON the function sends becomes the core's types, a malformed message is refused rather
//! than half read, and the checkout request is written as the function reads it.
#![allow(clippy::unwrap_used)]

use connect_checkout::stripe_js::{PaymentIntent, StripeError};
use connect_checkout::wire::{FromJs, checkout_request_json};
use connect_checkout_core::api::{
    AccountKind, CartItem, ChargeType, CheckoutRequest, CheckoutSession, ClientConfig, ErrorBody,
    ErrorCode, Mode, ProductList, SellerList,
};
use connect_checkout_core::{AccountId, AttemptId, PriceId};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn read<T: FromJs>(json: &str) -> Option<T> {
    T::from_js(&js_sys::JSON::parse(json).unwrap())
}

#[wasm_bindgen_test]
fn the_functions_messages_are_read_into_the_core_types() {
    let config: ClientConfig =
        read(r#"{"publishable_key":"pk_test_1","stripe_js_url":"https://js.stripe.com/v3/","mode":"test"}"#)
            .unwrap();
    assert_eq!(config.mode, Mode::Test);
    assert!(
        config.account_kinds.is_empty(),
        "a function that predates them"
    );
    assert_eq!(
        config.charge_type,
        ChargeType::Direct,
        "a function that predates it made direct charges"
    );
    let config: ClientConfig = read(
        r#"{"publishable_key":"pk","stripe_js_url":"u","mode":"test","charge_type":"destination"}"#,
    )
    .unwrap();
    assert_eq!(config.charge_type, ChargeType::Destination);
    let config: ClientConfig = read(
        r#"{"publishable_key":"pk_test_1","stripe_js_url":"u","mode":"sandbox",
            "account_kinds":["express","custom","from_the_future"]}"#,
    )
    .unwrap();
    assert_eq!(
        config.account_kinds,
        [AccountKind::Express, AccountKind::Custom],
        "kinds this build does not know are left out"
    );

    let sellers: SellerList = read(
        r#"{"sellers":[{"id":"acct_1A","display_name":"A","default_currency":null},
                       {"id":"acct_1B","display_name":"B","default_currency":"jpy","extra":1}]}"#,
    )
    .unwrap();
    assert_eq!(sellers.sellers.len(), 2);
    assert_eq!(sellers.sellers[0].default_currency, None);
    assert_eq!(
        sellers.sellers[1]
            .default_currency
            .as_ref()
            .unwrap()
            .as_str(),
        "jpy"
    );

    let products: ProductList = read(
        r#"{"seller":{"id":"acct_1A","display_name":"A"},
            "products":[{"price":"price_1","name":"Mug","unit_amount":{"amount":1200,"currency":"USD"}}]}"#,
    )
    .unwrap();
    assert_eq!(products.products[0].unit_amount.amount, 1200);
    assert_eq!(products.products[0].unit_amount.currency.as_str(), "usd");
    assert_eq!(products.products[0].description, None);

    let session: CheckoutSession = read(
        r#"{"payment_intent":"pi_1","client_secret":"pi_1_secret_2","stripe_account":null,
            "seller":{"id":"acct_1A","display_name":"A"},"sellers":[{"id":"acct_1A","display_name":"A"}],
            "lines":[{"seller":"acct_1A","price":"price_1","name":"Mug","quantity":2,
                      "unit_amount":{"amount":1200,"currency":"usd"},"amount":{"amount":2400,"currency":"usd"}}],
            "total":{"amount":2400,"currency":"usd"}}"#,
    )
    .unwrap();
    assert_eq!(session.stripe_account, None);
    assert_eq!(session.lines[0].quantity, 2);
    assert_eq!(session.total.amount, 2400);
}

#[wasm_bindgen_test]
fn a_malformed_message_is_refused_not_half_read() {
    for bad in [
        r#"{"sellers":{}}"#,
        r#"{"sellers":[{"id":"not_an_account","display_name":"A"}]}"#,
        r#"{"sellers":[{"id":"acct_1A"}]}"#,
        r#"[]"#,
        r#"null"#,
    ] {
        assert!(read::<SellerList>(bad).is_none(), "{bad}");
    }
    for bad in [
        r#"{"amount":12.5,"currency":"usd"}"#,
        r#"{"amount":"1200","currency":"usd"}"#,
        r#"{"amount":1200,"currency":"dollars"}"#,
    ] {
        let json = format!(
            r#"{{"seller":{{"id":"acct_1A","display_name":"A"}},
                "products":[{{"price":"price_1","name":"Mug","unit_amount":{bad}}}]}}"#
        );
        assert!(read::<ProductList>(&json).is_none(), "{bad}");
    }
    assert!(
        read::<ClientConfig>(r#"{"publishable_key":"pk","stripe_js_url":"u","mode":"moon"}"#)
            .is_none()
    );
    // A charge type this build does not know would put the Payment Element on a guessed
    // account: the configuration is refused instead.
    assert!(
        read::<ClientConfig>(
            r#"{"publishable_key":"pk","stripe_js_url":"u","mode":"test","charge_type":"barter"}"#
        )
        .is_none()
    );
}

#[wasm_bindgen_test]
fn error_bodies_keep_their_code_and_a_newer_code_is_unknown() {
    let body: ErrorBody =
        read(r#"{"error":{"code":"card_declined","message":"no","decline_code":"lost_card"}}"#)
            .unwrap();
    assert_eq!(body.error.code, ErrorCode::CardDeclined);
    assert_eq!(body.error.decline_code.as_deref(), Some("lost_card"));
    let newer: ErrorBody = read(r#"{"error":{"code":"brand_new","message":"m"}}"#).unwrap();
    assert_eq!(newer.error.code, ErrorCode::Unknown);
    assert!(read::<ErrorBody>(r#"{"message":"no error object"}"#).is_none());
}

#[wasm_bindgen_test]
fn stripe_js_answers_are_read() {
    let intent: PaymentIntent = read(
        r#"{"id":"pi_1","status":"requires_payment_method","amount":1500,"currency":"jpy",
            "receipt_email":null,
            "last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"}}"#,
    )
    .unwrap();
    assert_eq!(intent.amount().amount, 1500);
    assert_eq!(intent.receipt_email, None);
    let error = intent.last_payment_error.unwrap();
    assert_eq!(error.decline_code.as_deref(), Some("insufficient_funds"));

    // A thrown `Error` keeps its message; a thrown string too.
    let thrown = js_sys::Error::new("IntegrationError: bad key");
    assert_eq!(
        StripeError::read(&thrown).message.as_deref(),
        Some("IntegrationError: bad key")
    );
    assert_eq!(
        StripeError::read(&"plain".into()).message.as_deref(),
        Some("plain")
    );
}

#[wasm_bindgen_test]
fn the_checkout_request_is_written_as_the_function_reads_it() {
    let request = CheckoutRequest {
        seller: Some(AccountId::new("acct_1A").unwrap()),
        items: vec![
            CartItem {
                price: PriceId::new("price_1").unwrap(),
                quantity: 2,
                seller: None,
            },
            CartItem {
                price: PriceId::new("price_2").unwrap(),
                quantity: 999,
                seller: None,
            },
        ],
        attempt: AttemptId::new("5d41402abc4b2a76b9719d911017c592").unwrap(),
        email: Some("jo \"the\" <x>@example.com".into()),
    };
    assert_eq!(
        checkout_request_json(&request).unwrap(),
        r#"{"seller":"acct_1A","items":[{"price":"price_1","quantity":2},{"price":"price_2","quantity":999}],"attempt":"5d41402abc4b2a76b9719d911017c592","email":"jo \"the\" <x>@example.com"}"#
    );
    let without = CheckoutRequest {
        email: None,
        ..request
    };
    assert!(!checkout_request_json(&without).unwrap().contains("email"));
}

#[wasm_bindgen_test]
fn a_marketplace_request_names_the_seller_on_every_line_and_none_for_the_cart() {
    let line = |seller: &str, price: &str| CartItem {
        price: PriceId::new(price).unwrap(),
        quantity: 1,
        seller: Some(AccountId::new(seller).unwrap()),
    };
    let request = CheckoutRequest {
        seller: None,
        items: vec![line("acct_1B", "price_2"), line("acct_1A", "price_1")],
        attempt: AttemptId::new("5d41402abc4b2a76b9719d911017c592").unwrap(),
        email: None,
    };
    assert_eq!(
        checkout_request_json(&request).unwrap(),
        r#"{"items":[{"price":"price_2","quantity":1,"seller":"acct_1B"},{"price":"price_1","quantity":1,"seller":"acct_1A"}],"attempt":"5d41402abc4b2a76b9719d911017c592"}"#
    );
}

#[wasm_bindgen_test]
fn a_marketplace_session_and_the_separate_charge_type_are_read() {
    let config: ClientConfig = read(
        r#"{"publishable_key":"pk_test_1","stripe_js_url":"/v3/","mode":"sandbox","charge_type":"separate"}"#,
    )
    .unwrap();
    assert_eq!(config.charge_type, ChargeType::Separate);
    let session: CheckoutSession = read(
        r#"{"payment_intent":"pi_1","client_secret":"pi_1_secret_2","stripe_account":null,
            "seller":{"id":"acct_1A","display_name":"A","default_currency":"usd"},
            "sellers":[{"id":"acct_1A","display_name":"A","default_currency":"usd"},
                       {"id":"acct_1B","display_name":"B","default_currency":null}],
            "lines":[{"seller":"acct_1B","price":"price_2","name":"Two","quantity":1,
                "unit_amount":{"amount":500,"currency":"usd"},"amount":{"amount":500,"currency":"usd"}}],
            "total":{"amount":500,"currency":"usd"},"transfer_group":"order_5d41402abc4b2a76b9719d911017c592"}"#,
    )
    .unwrap();
    assert_eq!(session.stripe_account, None);
    assert_eq!(session.sellers.len(), 2);
    assert_eq!(session.lines[0].seller.as_str(), "acct_1B");
    assert_eq!(
        session.transfer_group.as_deref(),
        Some("order_5d41402abc4b2a76b9719d911017c592")
    );
    // A line whose seller is missing is not a line the cart can group.
    let unsellered = r#"{"payment_intent":"pi_1","client_secret":"s","stripe_account":null,
        "seller":{"id":"acct_1A","display_name":"A","default_currency":null},"sellers":[],
        "lines":[{"price":"price_2","name":"Two","quantity":1,
            "unit_amount":{"amount":500,"currency":"usd"},"amount":{"amount":500,"currency":"usd"}}],
        "total":{"amount":500,"currency":"usd"}}"#;
    assert!(read::<CheckoutSession>(unsellered).is_none());
}
