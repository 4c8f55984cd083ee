//! The demo store page (index.html): the checkout for the seller named in the page's URL,
//! `?seller=acct_…`, or else for the platform's first seller. The function serves this page
//! and `/api` from one origin, so the checkout talks to the page's own origin.

use connect_checkout_core::AccountId;
use wasm_bindgen::JsCast;

use crate::checkout::{CheckoutOptions, mount_checkout};

/// The id of the element in index.html the store mounts into.
pub const MOUNT_ID: &str = "app";

/// Mounts the store's checkout into `<main id="app">` for the life of the page.
pub fn mount() {
    let Some(parent) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(MOUNT_ID))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        web_sys::console::error_1(
            &format!("connect-checkout: no element #{MOUNT_ID} to mount into").into(),
        );
        return;
    };
    let options = CheckoutOptions {
        seller: seller_from_url(),
        ..CheckoutOptions::default()
    };
    mount_checkout(parent, options).forget();
}

/// The `seller` query parameter, when it is a well-formed account id.
pub fn seller_from_url() -> Option<AccountId> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    AccountId::new(params.get("seller")?).ok()
}
