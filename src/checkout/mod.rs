//! The shopper's checkout: a seller (chosen by the page or in a picker), their products with a
//! quantity each, an email for the receipt, the Payment Element, Pay, and a receipt or the
//! reason it failed.
//!
//! - [`Checkout`] is the component a page uses: it runs the real steps (`flow`) against the
//!   function and Stripe.js.
//! - [`CheckoutView`] is its markup, a function of [`CheckoutState`]: browser tests drive it by
//!   setting the signals.
//! - [`mount_checkout`] mounts a checkout into an element of any page; the embed grows from it.

mod attempt;
mod flow;
mod problem;
mod redirect;
mod state;
mod theme;
mod view;

use connect_checkout_core::AccountId;
use leptos::html::Div;
use leptos::mount::mount_to;
use leptos::prelude::*;
use web_sys::HtmlElement;

pub use attempt::{Attempts, Cart};
pub use problem::{Problem, stripe_error_words};
pub use redirect::{Return, return_url, take_return};
pub use state::{CheckoutState, Phase, Receipt, parse_quantity};
pub use theme::appearance_at;
pub use view::{CheckoutView, Edit};

use crate::api::Api;
use crate::i18n::strings_for;
use flow::Flow;

/// How a checkout is set up by the page that shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckoutOptions {
    /// Where the function answers: `""` (the default) is the page's own origin, as when the
    /// function serves the widget; else an origin such as `https://shop.example`.
    pub api_base: String,
    /// The seller to pay; `None` offers the platform's sellers in a picker.
    pub seller: Option<AccountId>,
    /// A BCP 47 locale (`en-US`, `fr-FR`) for the words, the money and Stripe's fields; `None`
    /// takes the `lang` of the element mounted into (or its closest ancestor with one), else
    /// the browser's language.
    pub locale: Option<String>,
    /// `light` or `dark`; `None` follows the shopper's `prefers-color-scheme`.
    pub theme: Option<String>,
}

/// A working checkout: loads the sellers and products, prices the cart with the function,
/// collects the card in Stripe's Payment Element and confirms the payment.
#[component]
pub fn Checkout(
    /// The function's address, the seller, the locale and the theme.
    #[prop(optional)]
    options: CheckoutOptions,
) -> impl IntoView {
    let state = CheckoutState::new();
    let element_ref = NodeRef::<Div>::new();
    let locale = options.locale.or_else(browser_language);
    let strings = strings_for(locale.as_deref());
    let flow = Flow::new(
        Api::new(&options.api_base),
        options.seller,
        strings.lang,
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
        />
    }
}

/// Mounts a [`Checkout`] into `parent`. It stays until the returned handle is dropped (or
/// forever after `.forget()`); dropping it cancels the checkout's requests and removes its
/// Payment Element.
pub fn mount_checkout(
    parent: HtmlElement,
    mut options: CheckoutOptions,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    if options.locale.is_none() {
        options.locale = page_language(&parent);
    }
    mount_to(parent, move || view! { <Checkout options /> })
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
