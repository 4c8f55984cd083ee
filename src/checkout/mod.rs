//! The shopper's checkout: a seller (chosen by the page or in a picker), their products with a
//! quantity each, an email for the receipt, the Payment Element, Pay, and a receipt or the
//! reason it failed.
//!
//! - [`Checkout`] is the component a page uses: it runs the real steps (`flow`) against the
//!   function and Stripe.js.
//! - [`CheckoutView`] is its markup, a function of [`CheckoutState`]: browser tests drive it by
//!   setting the signals.
//! - [`mount_checkout`] mounts a checkout into an element of any page; [`mount_checkout_with`]
//!   also hears its [`CheckoutEvent`]s (the embed, `crate::embed`, is built on it).

mod attempt;
mod event;
mod flow;
mod problem;
mod redirect;
mod state;
mod theme;
mod view;

use connect_checkout_core::AccountId;
use connect_checkout_core::api::CartItem;
use leptos::html::Div;
use leptos::mount::mount_to;
use leptos::prelude::*;
use web_sys::HtmlElement;

pub use attempt::{Attempts, Cart, random_attempt_id};
pub use event::{CheckoutEvent, EventSink};
pub use problem::{Problem, stripe_error_words};
pub use redirect::{Return, return_url, take_return, take_return_for};
pub use state::{CheckoutState, Phase, Receipt, parse_quantity};
pub use theme::appearance_at;
pub use view::{CheckoutView, Edit};

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

/// A working checkout: loads the sellers and products, prices the cart with the function,
/// collects the card in Stripe's Payment Element and confirms the payment.
#[component]
pub fn Checkout(
    /// The function's address, the seller, the items, the locale and the theme.
    #[prop(optional)]
    options: CheckoutOptions,
    /// Hears what happens (ready, a priced cart, paid, a problem, cancelled).
    #[prop(optional_no_strip)]
    on_event: Option<EventSink>,
) -> impl IntoView {
    let state = CheckoutState::new();
    let element_ref = NodeRef::<Div>::new();
    let sellers = options.marketplace_sellers();
    let locale = options.locale.or_else(browser_language);
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
        element_ref,
    );

    // The component going away cancels its requests and removes its Element. `on_cleanup`
    // wants `Send`, so the flow waits in the arena's thread-local storage.
    let closer = StoredValue::new_local(Some(flow.clone()));
    on_cleanup(move || {
        if let Some(flow) = closer.try_update_value(Option::take).flatten() {
            flow.close();
        }
    });

    flow.load();

    let on_pay = {
        let flow = flow.clone();
        move || flow.pay()
    };
    let on_retry = {
        let flow = flow.clone();
        move || flow.retry()
    };
    let on_cancel = options.cancelable.then(|| {
        let flow = flow.clone();
        UnsyncCallback::new(move |()| flow.cancel())
    });
    let on_edit = move |edit: Edit| match edit {
        Edit::Seller(seller) => flow.seller_chosen(seller),
        Edit::Cart => flow.cart_changed(),
        Edit::Email => flow.email_changed(),
    };
    view! {
        <CheckoutView
            state
            strings
            locale
            theme=options.theme
            element_ref
            on_pay
            on_retry
            on_edit
            on_cancel
        />
    }
}

/// Mounts a [`Checkout`] into `parent`. It stays until the returned handle is dropped (or
/// forever after `.forget()`); dropping it cancels the checkout's requests and removes its
/// Payment Element.
pub fn mount_checkout(
    parent: HtmlElement,
    options: CheckoutOptions,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    mount_checkout_with(parent, options, None)
}

/// [`mount_checkout`], with `on_event` hearing the checkout's [`CheckoutEvent`]s.
pub fn mount_checkout_with(
    parent: HtmlElement,
    mut options: CheckoutOptions,
    on_event: Option<EventSink>,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    if options.locale.is_none() {
        options.locale = page_language(&parent);
    }
    mount_to(parent, move || view! { <Checkout options on_event /> })
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
