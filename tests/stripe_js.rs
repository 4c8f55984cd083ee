//! The Stripe.js loader, in headless Chromium: one script per page, and none at all when the
//! page already has `window.Stripe`.
#![allow(clippy::unwrap_used)]

use connect_checkout::stripe_js::{self, LoadError};
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn scripts_with_src(src: &str) -> u32 {
    let document = web_sys::window().unwrap().document().unwrap();
    let scripts = document.get_elements_by_tag_name("script");
    (0..scripts.length())
        .filter_map(|index| scripts.item(index))
        .filter(|script| script.get_attribute("src").as_deref() == Some(src))
        .count() as u32
}

// One test, because the steps share the page's one `window.Stripe`.
#[wasm_bindgen_test]
async fn stripe_js_is_loaded_once_per_page() {
    assert!(!stripe_js::is_loaded());

    // A URL that does not load fails, and leaves no script behind for the retry.
    let missing = "/tests/fixtures/no-such-stripe.js";
    assert!(matches!(
        stripe_js::load(missing).await,
        Err(LoadError::Failed(_))
    ));
    assert_eq!(scripts_with_src(missing), 0);

    // Two checkouts on one page asking at once: one script, run once.
    let url = "/tests/fixtures/define-stripe.js";
    let (first, second) = (stripe_js::load(url), stripe_js::load(url));
    assert_eq!(first.await, Ok(()));
    assert_eq!(second.await, Ok(()));
    assert!(stripe_js::is_loaded());
    assert_eq!(scripts_with_src(url), 1);
    let runs = Reflect::get(&js_sys::global(), &JsValue::from_str("__stripeScriptRuns")).unwrap();
    assert_eq!(runs.as_f64(), Some(1.0));

    // With `window.Stripe` defined (by the host page, say), nothing is injected.
    let other = "https://js.stripe.com/v3/";
    assert_eq!(stripe_js::load(other).await, Ok(()));
    assert_eq!(scripts_with_src(other), 0);
}
