//! What a checkout tells the page around it: loaded, the cart changed, paid, a problem, cancelled.
//! The embed turns each into a DOM event on its element and a callback (`crate::embed`); the
//! demo store listens to none.

use std::borrow::Cow;
use std::rc::Rc;

use connect_checkout_core::api::CheckoutLine;
use connect_checkout_core::{AccountId, Money};

/// Something the page may want to know, in the order it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckoutEvent {
    /// The first cart is shown and its Payment Element mounted: the shopper can pay. Once
    /// per checkout, right after the first [`Change`](Self::Change).
    Ready { seller: AccountId, total: Money },
    /// The cart on screen changed: the lines and the total the shopper now sees, from the
    /// listed prices, or from the function's at Pay when they differ. No PaymentIntent is
    /// made for it: that waits for Pay.
    Change {
        seller: AccountId,
        lines: Vec<CheckoutLine>,
        total: Money,
    },
    /// Stripe says the PaymentIntent succeeded (after Pay, or back from a redirect).
    Success {
        payment_intent: String,
        amount: Money,
        seller: AccountId,
    },
    /// Something went wrong; the checkout already shows `message` to the shopper.
    Error {
        /// Stable and machine-readable: the function's error code, Stripe's error code, or
        /// one of the checkout's own (`network`, `invalid_email`, …; see README "Embedding").
        code: Cow<'static, str>,
        /// For a declined card: Stripe's decline code (`insufficient_funds`, …).
        decline_code: Option<String>,
        /// The sentence the shopper reads, in the checkout's language.
        message: String,
    },
    /// Something the shopper need not know went wrong: after a marketplace order was paid,
    /// asking the function for its sellers' transfers failed (`code` says how). Stripe's
    /// webhook makes them anyway; the page may log it.
    Warning {
        code: Cow<'static, str>,
        payment_intent: String,
    },
    /// The shopper pressed Cancel (shown only with [`CheckoutOptions::cancelable`]).
    ///
    /// [`CheckoutOptions::cancelable`]: super::CheckoutOptions::cancelable
    Cancel { seller: Option<AccountId> },
}

/// Where a checkout sends its events. Called synchronously from the checkout's own steps:
/// a listener must not unmount the checkout before returning (the embed queues each event
/// for a microtask, so the page's handlers may).
pub type EventSink = Rc<dyn Fn(CheckoutEvent)>;
