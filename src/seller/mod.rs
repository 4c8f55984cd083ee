//! The seller's side of the marketplace: their own page (`/seller`, [`SellerPage`]) with the
//! account's status, their payments and refunds and, for Express and Standard accounts, the way
//! to Stripe's dashboard; and what the onboarding page (`crate::onboarding`) builds on too.
//!
//! Shared by both pages:
//! - [`client`]: `SellerApi`, one method per seller endpoint ([`wire`] reads and writes them).
//! - [`session`]: `SellerSession`, what both pages do with the function around one account
//!   (its status kept fresh by [`poll`], on to Stripe, the demo sign-in, signing out), outside
//!   any view.
//! - [`frame`]: `PageFrame` (the mode notice, the page's problem, the sign-in or refusal of
//!   [`access`] instead of the page) and `AccountStatus` (the status kept fresh).
//! - [`status`]: `StatusView` and what a status means; [`problem`]: a failure in words.
//! - [`field`]: a form field's problems and the hint and error lines under it; [`format`](mod@format):
//!   dates, country names and typed amounts.
//!
//! The seller's page:
//! - [`flow`]: `SellerFlow`, its requests (payments, refunds, the dashboard link).
//! - [`payments`]: `PaymentsView`, refunds with a confirmation step.
//! - [`page`]: `SellerPage` and its dashboard section, showing the flow.
//!
//! None of this is reachable from the checkout: the embed build carries none of it.

pub mod access;
pub mod client;
pub mod field;
pub mod flow;
pub mod format;
pub mod frame;
pub mod page;
pub mod payments;
pub mod poll;
pub mod problem;
pub mod session;
pub mod status;
pub mod wire;

use connect_checkout_core::AccountId;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub use access::{AccessView, SignOutButton};
pub use client::SellerApi;
pub use flow::SellerFlow;
pub use frame::{AccountStatus, PageFrame};
pub use page::SellerPage;
pub use payments::{PaymentsState, PaymentsView, RefundDraft, RefundOrder, RefundPhase};
pub use poll::{StatusState, Watch};
pub use problem::Access;
pub use session::SellerSession;
pub use status::StatusView;

use crate::i18n::seller::{SellerStrings, seller_strings_for};

/// Where the browser remembers which account it last signed in as (an id, nothing secret: the
/// session itself is an HttpOnly cookie the page cannot read).
const REMEMBERED: &str = "connect-checkout-seller";

/// A non-empty query parameter of the page's URL.
pub fn page_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|value| !value.is_empty())
}

/// The `account` query parameter, when it is a well-formed account id.
pub fn account_from_url() -> Option<AccountId> {
    AccountId::new(page_param("account")?).ok()
}

/// The account this browser last signed in as.
pub fn remembered_account() -> Option<AccountId> {
    let storage = web_sys::window()?.local_storage().ok()??;
    AccountId::new(storage.get_item(REMEMBERED).ok()??).ok()
}

/// Remembers (or, with `None`, forgets) the account this browser is signed in as.
pub fn remember_account(account: Option<&AccountId>) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let _ = match account {
        Some(account) => storage.set_item(REMEMBERED, account.as_str()),
        None => storage.remove_item(REMEMBERED),
    };
}

/// Leaves the page for `url` (Stripe's hosted pages, another of our pages).
pub fn navigate(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// Focuses the element `id` once the current change is on screen.
pub fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document().get_element_by_id(&id)
            && let Ok(element) = element.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = element.focus();
        }
    });
}

/// Goes to Stripe's hosted onboarding for `account` with a fresh link (`replace`: the page
/// that asked is not kept in the history, so Back does not loop through a spent link).
pub async fn go_to_stripe(
    api: &SellerApi,
    account: &AccountId,
    replace: bool,
) -> Result<(), crate::api::ApiError> {
    let abort = web_sys::AbortController::new().map_err(|_| crate::api::ApiError::Aborted)?;
    let link = api.onboarding_link(account, &abort.signal()).await?;
    if let Some(window) = web_sys::window() {
        let location = window.location();
        let _ = if replace {
            location.replace(&link.url)
        } else {
            location.assign(&link.url)
        };
    }
    Ok(())
}

/// A new random attempt id, made once per form submission or refund confirmation so that a
/// repeat finds the first one's result: the checkout's maker (16 random bytes, 128 bits).
pub use crate::checkout::random_attempt_id as new_attempt;

/// The seller's locale: `?lang=`, else the browser's language.
pub fn page_locale() -> Option<String> {
    page_param("lang").or_else(|| web_sys::window()?.navigator().language())
}

/// Titles the demo page for a seller's page: the document's title, its `lang`, and the
/// header above the mount point (index.html's, written for the store).
pub fn title_page(strings: &SellerStrings, title: &str, intro: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    document.set_title(title);
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("lang", strings.lang);
    }
    if let Ok(Some(heading)) = document.query_selector(".store-header h1") {
        heading.set_text_content(Some(title));
    }
    if let Ok(Some(text)) = document.query_selector(".store-header p") {
        text.set_text_content(Some(intro));
    }
}

/// The element of index.html pages mount into.
pub fn mount_point() -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(crate::store::MOUNT_ID)?
        .dyn_into()
        .ok()
}

/// Mounts the seller's page (`/seller?account=acct_…`) into index.html's `<main id="app">`.
pub fn mount() {
    let Some(parent) = mount_point() else {
        return;
    };
    let locale = page_locale();
    let strings = seller_strings_for(locale.as_deref());
    title_page(strings, strings.seller_title, strings.seller_intro);
    let account = account_from_url().or_else(remembered_account);
    mount_to(parent, move || {
        let session = SellerSession::new(locale, "");
        view! { <SellerPage session account /> }
    })
    .forget();
}
