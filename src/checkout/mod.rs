//! The shopper's checkout: one product of one seller, a quantity, the Payment Element, Pay, and
//! a receipt or the reason it failed.
//!
//! - [`Checkout`] is the component a page uses: it runs the real steps (`flow`) against the
//!   function and Stripe.js.
//! - [`CheckoutView`] is its markup, a function of [`CheckoutState`]: browser tests drive it by
//!   setting the signals.
//! - [`mount_checkout`] mounts a checkout into an element of any page; the embed grows from it.

mod attempt;
mod flow;
mod problem;
mod state;
mod theme;
mod view;

use connect_checkout_core::AccountId;
use leptos::html::Div;
use leptos::mount::mount_to;
use leptos::prelude::*;
use web_sys::HtmlElement;

pub use attempt::Attempts;
pub use problem::{Problem, stripe_error_words};
pub use state::{CheckoutState, Phase, Receipt, parse_quantity};
pub use view::CheckoutView;

use crate::api::Api;
use crate::i18n::strings_for;
use flow::Flow;

/// How a checkout is set up by the page that shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckoutOptions {
    /// Where the function answers: `""` (the default) is the page's own origin, as when the
    /// function serves the widget; else an origin such as `https://shop.example`.
    pub api_base: String,
    /// The seller to pay; `None` takes the first seller of `GET /api/sellers`.
    pub seller: Option<AccountId>,
    /// A BCP 47 locale (`en-US`, `de-DE`) for the words, the money and Stripe's fields; `None`
    /// follows the browser.
    pub locale: Option<String>,
}

/// A working checkout: loads its seller's product, prices the cart with the function, collects
/// the card in Stripe's Payment Element and confirms the payment.
#[component]
pub fn Checkout(
    /// The function's address, the seller and the locale.
    #[prop(optional)]
    options: CheckoutOptions,
) -> impl IntoView {
    let state = CheckoutState::new();
    let element_ref = NodeRef::<Div>::new();
    let strings = strings_for(options.locale.as_deref().or(browser_language().as_deref()));
    let flow = Flow::new(
        Api::new(&options.api_base),
        options.seller,
        options.locale.clone(),
        state,
        element_ref,
    );

    // Every edit of the quantity (not the first run: nothing is on screen yet).
    Effect::new({
        let flow = flow.clone();
        move |previous: Option<String>| {
            let quantity = state.quantity.get();
            if previous.is_some_and(|previous| previous != quantity) {
                flow.cart_changed();
            }
            quantity
        }
    });

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
    let on_retry = move || flow.retry();
    view! {
        <CheckoutView
            state
            strings
            locale=options.locale
            element_ref
            on_pay
            on_retry
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
    mount_to(parent, move || view! { <Checkout options /> })
}

/// `navigator.language`, such as `en-US`.
fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}
