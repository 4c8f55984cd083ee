//! The way back from a redirect. Some payments leave the page (a bank's page, a wallet) and
//! Stripe sends the shopper back to our `return_url` with `payment_intent`,
//! `payment_intent_client_secret` and `redirect_status` added to it. The `return_url` carries
//! what the widget needs to finish: the seller (`cc_seller`) and the account the PaymentIntent
//! lives on (`cc_account`, absent for the platform's own).

use connect_checkout_core::AccountId;
use web_sys::Url;

const CLIENT_SECRET: &str = "payment_intent_client_secret";
const SELLER: &str = "cc_seller";
const ACCOUNT: &str = "cc_account";
/// Every parameter the round trip adds, removed once it is read.
const PARAMETERS: [&str; 5] = [
    "payment_intent",
    CLIENT_SECRET,
    "redirect_status",
    SELLER,
    ACCOUNT,
];

/// A shopper back from a redirect, as the URL says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Return {
    pub client_secret: String,
    pub seller: Option<AccountId>,
    pub account: Option<AccountId>,
}

/// This page's address as the `return_url` for a PaymentIntent of `seller` on `account`.
pub fn return_url(seller: &AccountId, account: Option<&AccountId>) -> String {
    let Some(url) = page_url() else {
        return String::new();
    };
    let params = url.search_params();
    for name in PARAMETERS {
        params.delete(name);
    }
    params.set(SELLER, seller.as_str());
    if let Some(account) = account {
        params.set(ACCOUNT, account.as_str());
    }
    url.href()
}

/// The return in this page's URL, if it is one; the URL is cleaned at once (the client secret
/// must not stay in the address bar or the history), with `history.replaceState`.
pub fn take_return() -> Option<Return> {
    take_return_for(None)
}

/// [`take_return`] for a checkout of `seller` (`None`: any seller). A return for another
/// seller is left in the URL for the checkout it belongs to, when a page shows several.
pub fn take_return_for(seller: Option<&AccountId>) -> Option<Return> {
    let url = page_url()?;
    let params = url.search_params();
    let client_secret = params.get(CLIENT_SECRET)?;
    let id = |name| params.get(name).and_then(|id| AccountId::new(id).ok());
    let found = Return {
        client_secret,
        seller: id(SELLER),
        account: id(ACCOUNT),
    };
    if let (Some(mine), Some(theirs)) = (seller, &found.seller)
        && mine != theirs
    {
        return None;
    }
    for name in PARAMETERS {
        params.delete(name);
    }
    if let Some(history) = web_sys::window().and_then(|window| window.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
    Some(found)
}

fn page_url() -> Option<Url> {
    let href = web_sys::window()?.location().href().ok()?;
    Url::new(&href).ok()
}
