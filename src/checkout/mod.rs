//! The shopper's checkout: a seller (chosen by the page or in a picker), their products with a
//! quantity each, an email for the receipt, the Payment Element, Pay, and a receipt or the
//! reason it failed.
//!
//! - [`mount_checkout`] mounts a working checkout into an element of any page: it runs the
//!   real steps (`flow`) against the function and Stripe.js. [`mount_checkout_with`] also
//!   hears its [`CheckoutEvent`]s (the embed, `crate::embed`, is built on it).
//! - [`CheckoutView`] is its markup, a function of [`CheckoutState`]: browser tests drive it by
//!   setting the signals.

mod attempt;
mod event;
mod flow;
mod problem;
mod redirect;
mod state;
mod theme;
mod view;

use std::rc::Rc;

use connect_checkout_core::AccountId;
use connect_checkout_core::api::CartItem;
use leptos::prelude::*;
use web_sys::HtmlElement;

pub use attempt::{Attempts, Cart, random_attempt_id};
pub use event::{CheckoutEvent, EventSink};
pub use problem::{Problem, stripe_error_words};
pub use redirect::{Return, return_url, take_return, take_return_for};
pub use state::{CheckoutState, Phase, Receipt, parse_quantity};
pub use theme::appearance_at;
pub use view::{CheckoutView, Edit, ViewSetup, payment_slot};

use crate::api::Api;
use crate::i18n::strings_for;
use flow::{Flow, Setup};

/// How a checkout is set up by the page that shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckoutOptions {
    /// Where the function answers: `""` (the default) is the page's own origin, as when the
    /// function serves the widget; else an origin such as `https://shop.example`.
    pub api_base: String,
    /// The seller to pay; `None` offers the platform's sellers in a picker (unless `sellers`
    /// or the items name the sellers).
    pub seller: Option<AccountId>,
    /// The sellers of a marketplace cart: their products in one cart, grouped by seller, paid
    /// once by a charge on the platform and a transfer to each seller. Items that name their
    /// `seller` add theirs. Empty (the default): one seller's checkout.
    pub sellers: Vec<AccountId>,
    /// A BCP 47 locale (`en-US`, `fr-FR`) for the words, the money and Stripe's fields; `None`
    /// takes the `lang` of the element mounted into (or its closest ancestor with one), else
    /// the browser's language.
    pub locale: Option<String>,
    /// `light` or `dark`; `None` follows the shopper's `prefers-color-scheme`.
    pub theme: Option<String>,
    /// What to offer: these prices of the seller's, in this order, each starting at its
    /// quantity. Empty (the default) offers all the seller's products, the first one once.
    /// Needs `seller`, or in a marketplace cart the `seller` of each item: a seller whose
    /// prices are not listed offers all their products, the first one once.
    pub items: Vec<CartItem>,
    /// Shows a Cancel button, which sends [`CheckoutEvent::Cancel`] (the page decides what
    /// cancelling means: closing a dialog, going back).
    pub cancelable: bool,
}

impl CheckoutOptions {
    /// Every seller of a marketplace cart once, `sellers` first, then those the items name;
    /// empty for one seller's checkout.
    pub fn marketplace_sellers(&self) -> Vec<AccountId> {
        let mut sellers: Vec<AccountId> = Vec::new();
        let named = self.items.iter().filter_map(|item| item.seller.as_ref());
        for seller in self.sellers.iter().chain(named) {
            if !sellers.contains(seller) {
                sellers.push(seller.clone());
            }
        }
        sellers
    }
}

/// A checkout mounted by [`mount_checkout`]: it loads the sellers and products, prices the
/// cart with the function, collects the card in Stripe's Payment Element and confirms the
/// payment. It stays until dropped (or forever after [`forget`](Self::forget)); dropping it
/// cancels its requests, removes its Payment Element and takes its elements off the page.
pub struct MountedCheckout {
    flow: Rc<Flow>,
    view: CheckoutView,
    /// Owns the checkout's signals: they are disposed of with it.
    owner: Owner,
}

impl MountedCheckout {
    /// Leaves the checkout on the page for as long as the page lives.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for MountedCheckout {
    fn drop(&mut self) {
        self.flow.close();
        self.view.root().remove();
        self.owner.cleanup();
    }
}

/// Mounts a checkout into `parent`, after its children: see [`MountedCheckout`].
pub fn mount_checkout(parent: HtmlElement, options: CheckoutOptions) -> MountedCheckout {
    mount_checkout_with(parent, options, None)
}

/// [`mount_checkout`], with `on_event` hearing the checkout's [`CheckoutEvent`]s.
pub fn mount_checkout_with(
    parent: HtmlElement,
    options: CheckoutOptions,
    on_event: Option<EventSink>,
) -> MountedCheckout {
    // The flow's steps and the view's redrawing are tasks: the executor must be running.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    let (flow, view) = owner.with(|| {
        let state = CheckoutState::new();
        let payment_element = payment_slot();
        let sellers = options.marketplace_sellers();
        let locale = options
            .locale
            .or_else(|| page_language(&parent))
            .or_else(browser_language);
        let strings = strings_for(locale.as_deref());
        let flow = Flow::new(
            Setup {
                api: Api::new(&options.api_base),
                sellers,
                fixed_seller: options.seller,
                items: options.items,
                strings,
                on_event,
            },
            state,
            payment_element.clone(),
        );
        flow.load();
        let on_pay = Rc::clone(&flow);
        let on_retry = Rc::clone(&flow);
        let on_cancel = options.cancelable.then(|| {
            let flow = Rc::clone(&flow);
            Rc::new(move || flow.cancel()) as Rc<dyn Fn()>
        });
        let on_edit = Rc::clone(&flow);
        let view = CheckoutView::new(ViewSetup {
            state,
            strings,
            locale,
            theme: options.theme,
            payment_element,
            on_pay: Rc::new(move || on_pay.pay()),
            on_retry: Rc::new(move || on_retry.retry()),
            on_edit: Rc::new(move |edit| match edit {
                Edit::Seller(seller) => on_edit.seller_chosen(seller),
                Edit::Cart => on_edit.cart_changed(),
                Edit::Email => on_edit.email_changed(),
            }),
            on_cancel,
        });
        (flow, view)
    });
    let _ = parent.append_child(view.root());
    MountedCheckout { flow, view, owner }
}

/// The language the page declares where the checkout goes: the `lang` of `element` or of its
/// closest ancestor with one. A bare language (`en`) takes the browser's region when the
/// browser speaks it (`en-GB`), so money is formatted as the shopper expects.
pub fn page_language(element: &web_sys::Element) -> Option<String> {
    let lang = element.closest("[lang]").ok()??.get_attribute("lang")?;
    let lang = lang.trim();
    if lang.is_empty() {
        return None;
    }
    let browser = browser_language().filter(|browser| {
        !lang.contains('-')
            && browser.len() > lang.len()
            && browser.as_bytes()[lang.len()] == b'-'
            && browser[..lang.len()].eq_ignore_ascii_case(lang)
    });
    Some(browser.unwrap_or_else(|| lang.to_owned()))
}

/// `navigator.language`, such as `en-US`.
fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}
