//! What the checkout shows, as signals: the flow writes them, the view reads them, and a browser
//! test can set them directly to put the view in any state.

use connect_checkout_core::Money;
use connect_checkout_core::api::{Mode, Product, Seller, limits};
use leptos::prelude::*;

use super::problem::Problem;

/// Where the checkout is. The root element carries it as `data-state`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Fetching the configuration, the product, a PaymentIntent, or mounting the Element.
    #[default]
    Loading,
    /// The Payment Element is mounted for the current cart; Pay works once it is complete.
    Ready,
    /// `confirmPayment` is under way; nothing can be changed or pressed.
    Paying,
    /// Paid: the receipt is shown.
    Succeeded,
    /// The last step failed; the message region says why. The form stays where it can be used.
    Failed,
}

impl Phase {
    /// The `data-state` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready => "ready",
            Self::Paying => "paying",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// What the shopper paid, as the receipt shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// What Stripe says was charged (the PaymentIntent's amount and currency).
    pub amount: Money,
    /// The seller's display name.
    pub seller: String,
    /// The PaymentIntent's id.
    pub reference: String,
}

/// Every value the view shows. `Copy`: each field is a handle to a signal.
#[derive(Clone, Copy, Debug)]
pub struct CheckoutState {
    pub phase: RwSignal<Phase>,
    /// Sandbox or test mode gets a notice; `None` until the configuration arrives.
    pub mode: RwSignal<Option<Mode>>,
    pub seller: RwSignal<Option<Seller>>,
    /// The product on offer; the form is hidden until there is one.
    pub product: RwSignal<Option<Product>>,
    /// The quantity as typed, so a half-typed value is not overwritten.
    pub quantity: RwSignal<String>,
    /// The function's total for the current cart; `None` while it is being priced.
    pub total: RwSignal<Option<Money>>,
    /// The Payment Element is mounted and its `change` event says `complete`.
    pub element_complete: RwSignal<bool>,
    /// What went wrong last, shown in words in the message region.
    pub problem: RwSignal<Option<Problem>>,
    pub receipt: RwSignal<Option<Receipt>>,
}

impl CheckoutState {
    /// A checkout that is loading and has nothing to show yet.
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::Loading),
            mode: RwSignal::new(None),
            seller: RwSignal::new(None),
            product: RwSignal::new(None),
            quantity: RwSignal::new("1".to_owned()),
            total: RwSignal::new(None),
            element_complete: RwSignal::new(false),
            problem: RwSignal::new(None),
            receipt: RwSignal::new(None),
        }
    }

    /// The quantity typed, when it is a whole number from 1 to 999. Tracks the signal.
    pub fn quantity_value(&self) -> Option<u32> {
        self.quantity.with(|text| parse_quantity(text))
    }

    /// The unit price × quantity, to show while the function prices the cart. Only a preview:
    /// what is charged is always the function's total.
    pub fn estimate(&self) -> Option<Money> {
        let unit = self
            .product
            .with(|product| product.as_ref().map(|p| p.unit_amount.clone()))?;
        unit.checked_mul(i64::from(self.quantity_value()?))
    }

    /// Whether pressing Pay now would confirm: an Element is mounted for the current cart and
    /// complete, and nothing else is under way. Tracks the signals.
    pub fn can_pay(&self) -> bool {
        matches!(self.phase.get(), Phase::Ready | Phase::Failed)
            && self.element_complete.get()
            && self.total.with(Option::is_some)
    }
}

impl Default for CheckoutState {
    fn default() -> Self {
        Self::new()
    }
}

/// `"12"` → 12; empty, zero, over 999, signs, decimals → `None`.
pub fn parse_quantity(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse()
        .ok()
        .filter(|quantity| (1..=limits::MAX_QUANTITY).contains(quantity))
}
