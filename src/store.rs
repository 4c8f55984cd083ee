//! The demo store page (index.html): the checkout for the seller named in the page's URL,
//! `?seller=acct_…`, or one cart of several sellers' products, `?sellers=acct_…,acct_…`, or
//! else a picker of the platform's sellers. `?lang=fr` picks the language
//! (else the page's `lang`, then the browser's) and `?theme=dark|light` the theme (else the
//! shopper's `prefers-color-scheme`). The function serves this page and `/api` from one
//! origin, so the checkout talks to the page's own origin.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::limits;
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
    let theme = param("theme").filter(|theme| theme == "dark" || theme == "light");
    if let (Some(theme), Some(root)) = (&theme, document_element()) {
        // The page around the widget follows the widget's theme (store.css).
        let _ = root.set_attribute("data-theme", theme);
    }
    let options = CheckoutOptions {
        seller: seller_from_url(),
        sellers: sellers_from_url(),
        locale: param("lang"),
        theme,
        ..CheckoutOptions::default()
    };
    mount_checkout(parent, options).forget();
}

/// The `seller` query parameter, when it is a well-formed account id.
pub fn seller_from_url() -> Option<AccountId> {
    AccountId::new(param("seller")?).ok()
}

/// The `sellers` query parameter's well-formed account ids, at most the 10 one cart may pay.
pub fn sellers_from_url() -> Vec<AccountId> {
    let Some(list) = param("sellers") else {
        return Vec::new();
    };
    list.split(',')
        .filter_map(|id| AccountId::new(id.trim()).ok())
        .take(limits::MAX_CART_SELLERS)
        .collect()
}

/// A non-empty query parameter of the page's URL.
fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|value| !value.is_empty())
}

fn document_element() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}
