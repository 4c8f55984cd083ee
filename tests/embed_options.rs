//! The embed's side of the host page's contract (src/embed/), in headless Chromium: the
//! options a page writes become the checkout's, a malformed one is refused with a sentence that
//! names it, and each event reaches the page with the documented `detail`.
#![allow(clippy::unwrap_used)]

use connect_checkout::CheckoutEvent;
use connect_checkout::embed::{events, options};
use connect_checkout_core::api::CheckoutLine;
use connect_checkout_core::{AccountId, Currency, Money, PriceId};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn json(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn a_pages_options_become_the_checkouts() {
    let read = options::read(&js(
        r#"{"apiBase":"https://pay.example","seller":" acct_1LumenCoffee0001 ",
            "items":[{"price":"price_1LumenHouseBlend01","quantity":2},{"price":"price_1LumenEspressoCup1"}],
            "locale":"fr-FR","theme":"dark","cancelable":true}"#,
    ))
    .unwrap();
    assert_eq!(read.api_base, "https://pay.example");
    assert_eq!(read.seller.unwrap().as_str(), "acct_1LumenCoffee0001");
    assert_eq!(read.items.len(), 2);
    assert_eq!(read.items[0].quantity, 2);
    assert_eq!(read.items[1].quantity, 1, "a missing quantity is one");
    assert_eq!(read.locale.as_deref(), Some("fr-FR"));
    assert_eq!(read.theme.as_deref(), Some("dark"));
    assert!(read.cancelable);

    let bare = options::read(&js("{}")).unwrap();
    assert!(bare.seller.is_none() && bare.items.is_empty() && bare.theme.is_none());
    assert_eq!(bare.api_base, "", "the page's own origin");
    assert!(!bare.cancelable);
}

#[wasm_bindgen_test]
fn a_malformed_option_is_refused_with_what_to_fix() {
    let refused = |options_json: &str| options::read(&js(options_json)).unwrap_err();
    assert!(refused(r#"{"seller":"alice"}"#).starts_with("seller: `alice` is not an account id"));
    assert!(refused(r#"{"theme":"neon"}"#).contains("theme: `neon` is not light, dark or auto"));
    assert!(
        refused(r#"{"items":[{"price":"price_1"}]}"#).contains("set seller too"),
        "a price without its seller"
    );
    let seller = r#""seller":"acct_1LumenCoffee0001""#;
    assert!(
        refused(&format!(r#"{{{seller},"items":"price_1"}}"#))
            .starts_with("items: expected a list")
    );
    assert!(
        refused(&format!(r#"{{{seller},"items":[{{"price":"prod_1"}}]}}"#))
            .starts_with("items[0].price: expected a price id")
    );
    for quantity in ["-1", "1000", "1.5", "\"two\""] {
        let message = refused(&format!(
            r#"{{{seller},"items":[{{"price":"price_1","quantity":{quantity}}}]}}"#
        ));
        assert!(
            message.starts_with("items[0].quantity: expected a whole number from 0 to 999"),
            "{quantity}: {message}"
        );
    }
}

#[wasm_bindgen_test]
fn each_event_reaches_the_page_with_its_documented_detail() {
    let seller = AccountId::new("acct_1LumenCoffee0001").unwrap();
    let usd = |amount| Money::new(amount, Currency::new("usd").unwrap());
    let line = CheckoutLine {
        seller: AccountId::new("acct_1LumenCoffee0001").unwrap(),
        price: PriceId::new("price_1LumenHouseBlend01").unwrap(),
        name: "House Blend, 250 g".into(),
        quantity: 2,
        unit_amount: usd(1200),
        amount: usd(2400),
    };
    let cases = [
        (
            CheckoutEvent::Ready {
                seller: seller.clone(),
                total: usd(2400),
            },
            "ready",
            r#"{"seller":"acct_1LumenCoffee0001","amount":2400,"currency":"usd"}"#,
        ),
        (
            CheckoutEvent::Change {
                seller: seller.clone(),
                lines: vec![line],
                total: usd(2400),
            },
            "change",
            r#"{"seller":"acct_1LumenCoffee0001","amount":2400,"currency":"usd","lines":[{"seller":"acct_1LumenCoffee0001","price":"price_1LumenHouseBlend01","name":"House Blend, 250 g","quantity":2,"unitAmount":1200,"amount":2400}]}"#,
        ),
        (
            CheckoutEvent::Success {
                payment_intent: "pi_1".into(),
                amount: usd(2400),
                seller: seller.clone(),
            },
            "success",
            r#"{"paymentIntent":"pi_1","amount":2400,"currency":"usd","seller":"acct_1LumenCoffee0001"}"#,
        ),
        (
            CheckoutEvent::Error {
                code: "card_declined".into(),
                decline_code: Some("insufficient_funds".into()),
                message: "Your card has insufficient funds.".into(),
            },
            "error",
            r#"{"code":"card_declined","declineCode":"insufficient_funds","message":"Your card has insufficient funds."}"#,
        ),
        (
            CheckoutEvent::Warning {
                code: "payment_not_succeeded".into(),
                payment_intent: "pi_1".into(),
            },
            "warning",
            r#"{"code":"payment_not_succeeded","paymentIntent":"pi_1"}"#,
        ),
        (
            CheckoutEvent::Cancel { seller: None },
            "cancel",
            r#"{"seller":null}"#,
        ),
    ];
    for (event, name, detail) in cases {
        let (sent, value) = events::to_js(&event);
        assert_eq!(sent, name);
        assert_eq!(json(&value), detail, "{name}");
    }
}

#[wasm_bindgen_test]
fn several_sellers_make_one_marketplace_cart() {
    let ids = |list: Vec<AccountId>| {
        list.iter()
            .map(|s| s.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    // The element's attribute, as the loader splits it.
    let attribute = options::read(&js(r#"{"sellers":["acct_1A"," acct_1B","acct_1C"]}"#)).unwrap();
    assert_eq!(
        ids(attribute.marketplace_sellers()),
        ["acct_1A", "acct_1B", "acct_1C"]
    );
    assert!(attribute.seller.is_none());
    // The JS call: a list, and items that name their sellers add theirs, in order.
    let call = options::read(&js(
        r#"{"sellers":["acct_1A"],
            "items":[{"price":"price_1","seller":"acct_1B","quantity":2},{"price":"price_2","seller":"acct_1A"}]}"#,
    ))
    .unwrap();
    assert_eq!(ids(call.marketplace_sellers()), ["acct_1A", "acct_1B"]);
    assert_eq!(call.items[0].seller.as_ref().unwrap().as_str(), "acct_1B");
    // Items alone are enough.
    let items =
        options::read(&js(r#"{"items":[{"price":"price_1","seller":"acct_1C"}]}"#)).unwrap();
    assert_eq!(ids(items.marketplace_sellers()), ["acct_1C"]);
    // One seller's checkout is no marketplace.
    let single = options::read(&js(r#"{"seller":"acct_1A"}"#)).unwrap();
    assert!(single.marketplace_sellers().is_empty());

    let refused = |options_json: &str| options::read(&js(options_json)).unwrap_err();
    assert!(
        refused(r#"{"sellers":["acct_1A","bob"]}"#).starts_with("sellers: expected account ids")
    );
    assert!(refused(r#"{"sellers":7}"#).starts_with("sellers: expected a list"));
    let eleven: Vec<String> = (0..11).map(|n| format!("\"acct_{n}\"")).collect();
    assert!(
        refused(&format!(r#"{{"sellers":[{}]}}"#, eleven.join(",")))
            .starts_with("sellers: at most 10")
    );
    for mixed in [
        r#"{"seller":"acct_1A","sellers":["acct_1B"]}"#,
        r#"{"sellers":["acct_1A"],"items":[{"price":"price_1"}]}"#,
        r#"{"items":[{"price":"price_1","seller":"acct_1A"},{"price":"price_2"}]}"#,
    ] {
        assert!(
            refused(mixed).starts_with("sellers: a cart of several sellers takes no seller"),
            "{mixed}"
        );
    }
    assert!(
        refused(r#"{"items":[{"price":"price_1","seller":"x"}]}"#)
            .starts_with("items: a seller is not an account id")
    );
}
