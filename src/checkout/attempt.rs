//! Checkout attempts: the id the function turns into the PaymentIntent's Idempotency-Key.
//!
//! One id per cart (seller and items): a retry of the same cart (after a lost
//! answer, say) sends the same id and so finds the same PaymentIntent instead of making a second
//! one; a changed cart gets a fresh id and so a fresh PaymentIntent for its own amount.

use connect_checkout_core::api::{CartItem, CheckoutRequest};
use connect_checkout_core::{AccountId, AttemptId};

/// What the shopper asks to pay for: everything of a [`CheckoutRequest`] but the attempt.
///
/// Not the email: it goes to Stripe with the confirmation (`confirmParams.receipt_email`), so
/// editing it after the card is typed keeps the PaymentIntent and its Payment Element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cart {
    /// The seller of every item that names none; in a marketplace cart, whose items all name
    /// theirs, the first seller (for the return URL) and not sent.
    pub seller: AccountId,
    /// Only lines with a quantity of at least 1.
    pub items: Vec<CartItem>,
}

impl Cart {
    /// The request that prices this cart as `attempt`. A marketplace cart names its sellers
    /// on its lines only.
    pub fn request(&self, attempt: AttemptId) -> CheckoutRequest {
        let single = self.items.iter().all(|item| item.seller.is_none());
        CheckoutRequest {
            seller: single.then(|| self.seller.clone()),
            items: self.items.clone(),
            attempt,
            email: None,
        }
    }
}

/// The attempt of the last cart priced.
#[derive(Debug, Default)]
pub struct Attempts {
    last: Option<(Cart, AttemptId)>,
}

impl Attempts {
    /// The attempt for `cart`: the last one when the cart is the same, else one from `fresh`
    /// (`None` when `fresh` has none to give).
    pub fn for_cart(
        &mut self,
        cart: &Cart,
        fresh: impl FnOnce() -> Option<AttemptId>,
    ) -> Option<AttemptId> {
        match &self.last {
            Some((last_cart, attempt)) if last_cart == cart => Some(attempt.clone()),
            _ => {
                let attempt = fresh()?;
                self.last = Some((cart.clone(), attempt.clone()));
                Some(attempt)
            }
        }
    }
}

/// A new random attempt id: 16 bytes of `crypto.getRandomValues` as 32 hex digits, the 128
/// random bits the function asks of an id that acts as a bearer token (a UUID v4 carries 122).
pub fn random_attempt_id() -> Option<AttemptId> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(AttemptId::from_random(bytes))
}

// `wasm_bindgen_test` rather than `#[test]`: the widget's tests run in the browser
// (`cargo test --target wasm32-unknown-unknown`), where plain `#[test]`s are not run.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use connect_checkout_core::PriceId;
    use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn cart(quantity: u32) -> Cart {
        Cart {
            seller: AccountId::new("acct_1").unwrap(),
            items: vec![CartItem {
                price: PriceId::new("price_1").unwrap(),
                quantity,
                seller: None,
            }],
        }
    }

    fn id(text: &str) -> Option<AttemptId> {
        AttemptId::new(text).ok()
    }

    #[test]
    fn the_same_cart_retried_keeps_its_attempt() {
        let mut attempts = Attempts::default();
        let first = attempts.for_cart(&cart(2), || id("e3b0c44298fc1c149afbf4c8996fb924"));
        let again = attempts.for_cart(&cart(2), || id("2c26b46b68ffc68ff99b453c1d304134"));
        assert_eq!(first, again);
    }

    #[test]
    fn a_changed_cart_gets_a_new_attempt_even_when_it_changes_back() {
        let mut attempts = Attempts::default();
        let one = attempts.for_cart(&cart(1), || id("e3b0c44298fc1c149afbf4c8996fb924"));
        let two = attempts.for_cart(&cart(2), || id("2c26b46b68ffc68ff99b453c1d304134"));
        let one_again = attempts.for_cart(&cart(1), || id("fcde2b2edba56bf408601fb721fe9b5c"));
        assert_ne!(one, two);
        assert_ne!(one, one_again);
    }

    #[test]
    fn a_marketplace_cart_names_its_sellers_on_its_lines_only() {
        let mut market = cart(1);
        market.items[0].seller = Some(AccountId::new("acct_2").unwrap());
        let attempt = AttemptId::new("e3b0c44298fc1c149afbf4c8996fb924").unwrap();
        let request = market.request(attempt.clone());
        assert_eq!(request.seller, None);
        assert!(request.is_marketplace());
        assert_eq!(
            cart(1).request(attempt).seller,
            Some(AccountId::new("acct_1").unwrap())
        );
    }

    #[test]
    fn the_request_carries_no_email() {
        // Pins: an email edited after the card was typed rebuilt the Payment Element (the
        // email was part of the cart); it now goes with the confirmation only.
        let request = cart(1).request(AttemptId::new("e3b0c44298fc1c149afbf4c8996fb924").unwrap());
        assert_eq!(request.email, None);
    }
}
