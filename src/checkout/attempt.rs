//! Checkout attempts: the id the function turns into the PaymentIntent's Idempotency-Key.
//!
//! One id per cart: a retry of the same cart (after a lost answer, say) sends the same id and
//! so finds the same PaymentIntent instead of making a second one; a changed cart gets a fresh
//! id and so a fresh PaymentIntent for its own amount.

use connect_checkout_core::AttemptId;
use connect_checkout_core::api::CartItem;
use js_sys::Reflect;

/// The attempt of the last cart priced.
#[derive(Debug, Default)]
pub struct Attempts {
    last: Option<(Vec<CartItem>, AttemptId)>,
}

impl Attempts {
    /// The attempt for `cart`: the last one when the cart is the same, else one from `fresh`
    /// (`None` when `fresh` has none to give).
    pub fn for_cart(
        &mut self,
        cart: &[CartItem],
        fresh: impl FnOnce() -> Option<AttemptId>,
    ) -> Option<AttemptId> {
        match &self.last {
            Some((last_cart, attempt)) if last_cart == cart => Some(attempt.clone()),
            _ => {
                let attempt = fresh()?;
                self.last = Some((cart.to_vec(), attempt.clone()));
                Some(attempt)
            }
        }
    }
}

/// A new random attempt id: `crypto.randomUUID()`, or where that is missing (a page served
/// over plain http from another host than localhost) 128 bits of `crypto.getRandomValues`.
pub fn random_attempt_id() -> Option<AttemptId> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let has_uuid = Reflect::get(&crypto, &"randomUUID".into()).is_ok_and(|f| f.is_function());
    if has_uuid {
        return AttemptId::new(crypto.random_uuid()).ok();
    }
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    AttemptId::new(hex).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use connect_checkout_core::PriceId;

    fn cart(quantity: u32) -> Vec<CartItem> {
        vec![CartItem {
            price: PriceId::new("price_1").unwrap(),
            quantity,
        }]
    }

    fn id(text: &str) -> Option<AttemptId> {
        AttemptId::new(text).ok()
    }

    #[test]
    fn the_same_cart_retried_keeps_its_attempt() {
        let mut attempts = Attempts::default();
        let first = attempts.for_cart(&cart(2), || id("aaaaaaaaaaaaaaaa"));
        let again = attempts.for_cart(&cart(2), || id("bbbbbbbbbbbbbbbb"));
        assert_eq!(first, again);
    }

    #[test]
    fn a_changed_cart_gets_a_new_attempt_even_when_it_changes_back() {
        let mut attempts = Attempts::default();
        let one = attempts.for_cart(&cart(1), || id("aaaaaaaaaaaaaaaa"));
        let two = attempts.for_cart(&cart(2), || id("bbbbbbbbbbbbbbbb"));
        let one_again = attempts.for_cart(&cart(1), || id("cccccccccccccccc"));
        assert_ne!(one, two);
        assert_ne!(one, one_again);
    }
}
