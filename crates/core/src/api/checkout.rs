//! The shopper's messages: sellers, products, and the checkout that prices a cart.

use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::{AccountId, AttemptId, Currency, Money, PriceId};

/// A seller that can take payments, for the shopper's seller picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    pub id: AccountId,
    pub display_name: String,
    pub default_currency: Option<Currency>,
}

/// `GET /api/sellers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerList {
    pub sellers: Vec<Seller>,
}

/// Something a seller sells at a fixed price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// What the shopper adds to the cart.
    pub price: PriceId,
    pub name: String,
    pub description: Option<String>,
    pub unit_amount: Money,
}

/// `GET /api/sellers/{account}/products`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductList {
    pub seller: Seller,
    pub products: Vec<Product>,
}

/// One line of what the shopper wants: a price and how many. Never an amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartItem {
    pub price: PriceId,
    pub quantity: u32,
}

/// `POST /api/checkout`: what the shopper wants to buy from whom. The function prices it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    pub seller: AccountId,
    pub items: Vec<CartItem>,
    /// Made once per cart by the browser; the same attempt always yields the same
    /// PaymentIntent, so a retry after a lost response never charges twice.
    pub attempt: AttemptId,
    /// Where Stripe sends the receipt.
    #[serde(default)]
    pub email: Option<String>,
}

/// A priced line of the checkout, as the function computed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutLine {
    pub price: PriceId,
    pub name: String,
    pub quantity: u32,
    pub unit_amount: Money,
    pub amount: Money,
}

/// What the browser needs to collect the payment, and what it is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutSession {
    /// The PaymentIntent's id, shown on the receipt as the reference.
    pub payment_intent: String,
    /// Lets Stripe.js confirm this one PaymentIntent with the publishable key.
    pub client_secret: String,
    /// The account the PaymentIntent lives on, for `Stripe(pk, {stripeAccount})`; `None` when
    /// it lives on the platform (destination charges).
    pub stripe_account: Option<AccountId>,
    pub seller: Seller,
    pub lines: Vec<CheckoutLine>,
    pub total: Money,
}

/// The limits `POST /api/checkout` enforces, shared so the widget can enforce them too.
pub mod limits {
    /// Distinct lines in one cart.
    pub const MAX_CART_LINES: usize = 50;
    /// Units of one price in one cart.
    pub const MAX_QUANTITY: u32 = 999;
    /// The longest email address RFC 5321 allows.
    pub const MAX_EMAIL_LEN: usize = 254;
}

impl CheckoutRequest {
    /// The rules serde's types cannot say: a non-empty cart, sane quantities, each price once.
    pub fn validate(&self) -> Result<(), FieldError> {
        let fail = |field: String, message: &str| {
            Err(FieldError {
                field,
                message: message.to_owned(),
            })
        };
        if self.items.is_empty() {
            return fail("items".into(), "the cart is empty: add at least one item");
        }
        if self.items.len() > limits::MAX_CART_LINES {
            return fail(
                "items".into(),
                "too many lines: at most 50 distinct items per checkout",
            );
        }
        for (index, item) in self.items.iter().enumerate() {
            if item.quantity == 0 || item.quantity > limits::MAX_QUANTITY {
                return fail(
                    format!("items[{index}].quantity"),
                    "each quantity must be between 1 and 999",
                );
            }
            if self.items[..index]
                .iter()
                .any(|earlier| earlier.price == item.price)
            {
                return fail(
                    format!("items[{index}].price"),
                    "this price is already in the cart: raise its quantity instead",
                );
            }
        }
        if let Some(email) = &self.email {
            let plausible = email.len() <= limits::MAX_EMAIL_LEN
                && email
                    .split_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
                && !email.chars().any(char::is_whitespace);
            if !plausible {
                return fail(
                    "email".into(),
                    "enter an email address such as name@example.com",
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(items: Vec<CartItem>, email: Option<&str>) -> CheckoutRequest {
        CheckoutRequest {
            seller: AccountId::new("acct_1").unwrap(),
            items,
            attempt: AttemptId::new("5d41402abc4b2a76b9719d911017c592").unwrap(),
            email: email.map(str::to_owned),
        }
    }

    fn item(price: &str, quantity: u32) -> CartItem {
        CartItem {
            price: PriceId::new(price).unwrap(),
            quantity,
        }
    }

    #[test]
    fn empty_carts_and_zero_quantities_are_refused_with_the_field() {
        assert_eq!(request(vec![], None).validate().unwrap_err().field, "items");
        let error = request(vec![item("price_a", 1), item("price_b", 0)], None)
            .validate()
            .unwrap_err();
        assert_eq!(error.field, "items[1].quantity");
    }

    #[test]
    fn the_same_price_twice_is_refused() {
        let error = request(vec![item("price_a", 1), item("price_a", 2)], None)
            .validate()
            .unwrap_err();
        assert_eq!(error.field, "items[1].price");
    }

    #[test]
    fn emails_must_look_like_emails() {
        assert!(
            request(vec![item("price_a", 1)], Some("jo@example.com"))
                .validate()
                .is_ok()
        );
        for bad in [
            "jo",
            "jo@",
            "@example.com",
            "jo@localhost",
            "j o@example.com",
        ] {
            assert!(
                request(vec![item("price_a", 1)], Some(bad))
                    .validate()
                    .is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_price_sent_by_the_browser_is_an_unknown_field() {
        let json = r#"{"seller":"acct_1","attempt":"5d41402abc4b2a76b9719d911017c592",
            "items":[{"price":"price_a","quantity":1,"unit_amount":1}]}"#;
        let error = serde_json::from_str::<CheckoutRequest>(json).unwrap_err();
        assert!(error.to_string().contains("unit_amount"), "{error}");
    }
}
