//! What the checkout shows, as signals: the flow writes them, the view reads them, and a browser
//! test can set them directly to put the view in any state.

use connect_checkout_core::api::{CartItem, CheckoutLine, Mode, Product, Seller, limits};
use connect_checkout_core::{AccountId, Money};
use leptos::prelude::*;

use super::problem::Problem;

/// Where the checkout is. The root element carries it as `data-state`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Fetching the configuration or the products, or mounting the Element.
    #[default]
    Loading,
    /// The Payment Element is mounted for the current cart; Pay works once it is complete.
    Ready,
    /// Pay was pressed: Stripe.js checks the fields, the function makes the PaymentIntent,
    /// Stripe.js confirms it. Nothing can be changed or pressed.
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
    /// Where the receipt was sent, if anywhere.
    pub email: Option<String>,
}

/// Every value the view shows. `Copy`: each field is a handle to a signal.
#[derive(Clone, Copy, Debug)]
pub struct CheckoutState {
    pub phase: RwSignal<Phase>,
    /// Sandbox or test mode gets a notice; `None` until the configuration arrives.
    pub mode: RwSignal<Option<Mode>>,
    /// The sellers to choose from; empty when the page chose the seller (no picker then).
    pub sellers: RwSignal<Vec<Seller>>,
    /// The seller being paid; in a cart of several sellers, the first of them.
    pub seller: RwSignal<Option<Seller>>,
    /// Every seller of a marketplace cart (one whose lines name their sellers), in the cart's
    /// order: the cart and the receipt group their lines under these names. Empty in a
    /// checkout of one seller.
    pub cart_sellers: RwSignal<Vec<Seller>>,
    /// The seller's products, or in a marketplace cart every seller's, one seller's after
    /// another; the form is hidden until there are some.
    pub products: RwSignal<Vec<Product>>,
    /// In a marketplace cart, whose each product is (index for index); empty otherwise, when
    /// every product is `seller`'s. Sellers, not ids: a signal of a type no other signal has
    /// costs the embed its own copy of the signal's code.
    pub product_sellers: RwSignal<Vec<Seller>>,
    /// One quantity per product, as typed (so a half-typed value is not overwritten).
    pub quantities: RwSignal<Vec<String>>,
    /// The email for the receipt as last committed (on `change`, not on every key). It goes
    /// to Stripe with the confirmation (`receipt_email`), so changing it keeps the card typed.
    pub email: RwSignal<String>,
    /// The lines of the cart on screen: from the listed unit amounts, then, once Pay was
    /// pressed, as the function priced them.
    pub lines: RwSignal<Vec<CheckoutLine>>,
    /// The total of the cart on screen, which the Payment Element was told; `None` while
    /// there is none (loading, a half-typed quantity). What is charged is the function's total
    /// at Pay, and the shopper confirms again when it differs.
    pub total: RwSignal<Option<Money>>,
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
            sellers: RwSignal::new(Vec::new()),
            seller: RwSignal::new(None),
            cart_sellers: RwSignal::new(Vec::new()),
            products: RwSignal::new(Vec::new()),
            product_sellers: RwSignal::new(Vec::new()),
            quantities: RwSignal::new(Vec::new()),
            email: RwSignal::new(String::new()),
            lines: RwSignal::new(Vec::new()),
            total: RwSignal::new(None),
            problem: RwSignal::new(None),
            receipt: RwSignal::new(None),
        }
    }

    /// Shows `products` with the first one in the cart once and the others not.
    pub fn set_products(&self, products: Vec<Product>) {
        let quantities = (0..products.len())
            .map(|index| u32::from(index == 0))
            .collect();
        self.set_offer(products, quantities);
    }

    /// Shows `products`, each with its quantity in `quantities`.
    pub fn set_offer(&self, products: Vec<Product>, quantities: Vec<u32>) {
        self.quantities
            .set(quantities.iter().map(u32::to_string).collect());
        self.products.set(products);
    }

    /// Each product's quantity, when every one typed is a whole number from 0 to 999.
    /// Tracks the signal.
    pub fn quantity_values(&self) -> Option<Vec<u32>> {
        // A loop rather than collecting into `Option<Vec<_>>`, for the embed's bytes (as in
        // `wire::list`).
        self.quantities.with(|typed| {
            let mut values = Vec::with_capacity(typed.len());
            for text in typed {
                values.push(parse_quantity(text)?);
            }
            Some(values)
        })
    }

    /// The items of the cart: a price for each quantity of at least 1, naming its seller in a
    /// marketplace cart. `Err(Quantity)` for a quantity that is not a whole number from 0 to
    /// 999, `Err(CartEmpty)` when every one is 0. Does not track the signals.
    pub fn items(&self) -> Result<Vec<CartItem>, Problem> {
        let quantities = untrack(|| self.quantity_values()).ok_or(Problem::Quantity)?;
        let owners = self.product_sellers.get_untracked();
        let items: Vec<CartItem> = self.products.with_untracked(|products| {
            products
                .iter()
                .zip(quantities)
                .enumerate()
                .filter(|(_, (_, quantity))| *quantity > 0)
                .map(|(index, (product, quantity))| CartItem {
                    price: product.price.clone(),
                    quantity,
                    seller: owners.get(index).map(|owner| owner.id.clone()),
                })
                .collect()
        });
        if items.is_empty() {
            return Err(Problem::CartEmpty);
        }
        Ok(items)
    }

    /// The cart as the shopper sees it: a line per chosen product and the total, from the
    /// unit amounts the function listed. The Payment Element is made for this total; what is
    /// charged is still the function's total at Pay. Does not track the signals.
    pub fn shown_cart(&self) -> Result<(Vec<CheckoutLine>, Money), Problem> {
        let quantities = untrack(|| self.quantity_values()).ok_or(Problem::Quantity)?;
        let seller = self
            .seller
            .with_untracked(|seller| seller.as_ref().map(|seller| seller.id.clone()))
            .ok_or(Problem::CartEmpty)?;
        let owners = self.product_sellers.get_untracked();
        self.products
            .with_untracked(|products| priced_lines(&seller, &owners, products, &quantities))
    }

    /// Whether pressing Pay now would go ahead: a Payment Element is mounted for the cart on
    /// screen (its total is known) and nothing else is under way. Incomplete card details are
    /// left to `confirmPayment`, which says which field is missing. Tracks the signals.
    pub fn can_pay(&self) -> bool {
        matches!(self.phase.get(), Phase::Ready | Phase::Failed) && self.total.with(Option::is_some)
    }
}

impl Default for CheckoutState {
    fn default() -> Self {
        Self::new()
    }
}

/// A line for each product with a quantity of at least 1, and their total: one currency for
/// the whole cart, whichever sellers it pays. A product's seller is its `owners` entry, else
/// `seller`.
fn priced_lines(
    seller: &AccountId,
    owners: &[Seller],
    products: &[Product],
    quantities: &[u32],
) -> Result<(Vec<CheckoutLine>, Money), Problem> {
    let mut lines = Vec::new();
    let mut total: Option<Money> = None;
    for (index, (product, &quantity)) in products.iter().zip(quantities).enumerate() {
        if quantity == 0 {
            continue;
        }
        let amount = product
            .unit_amount
            .checked_mul(i64::from(quantity))
            .ok_or(Problem::Quantity)?;
        total = Some(match total {
            None => amount.clone(),
            Some(sum) if sum.currency == amount.currency => Money::new(
                sum.amount
                    .checked_add(amount.amount)
                    .ok_or(Problem::Quantity)?,
                sum.currency,
            ),
            Some(_) => return Err(Problem::MixedCurrencies),
        });
        lines.push(CheckoutLine {
            seller: owners.get(index).map_or(seller, |owner| &owner.id).clone(),
            price: product.price.clone(),
            name: product.name.clone(),
            quantity,
            unit_amount: product.unit_amount.clone(),
            amount,
        });
    }
    total.map(|total| (lines, total)).ok_or(Problem::CartEmpty)
}

/// `"12"` → 12; empty, over 999, signs, decimals → `None`. `"0"` is a valid quantity (not in
/// the cart).
pub fn parse_quantity(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.bytes()
        .try_fold(0u32, |sum, digit| Some(sum * 10 + u32::from(digit - b'0')))
        .filter(|quantity| *quantity <= limits::MAX_QUANTITY)
}
