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
    /// Whose price it is, in a marketplace cart (one whose lines name their sellers); absent
    /// in a single-seller cart, whose seller is the request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<AccountId>,
}

/// `POST /api/checkout`: what the shopper wants to buy from whom. The function prices it.
///
/// Two shapes: a single-seller cart names its `seller` once; a marketplace cart names the
/// seller on every line (and may leave `seller` out), and is paid by separate charges and
/// transfers ([`super::ChargeType::for_cart`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// The seller of every line that names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<AccountId>,
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
    /// Whose line it is: the receipt and the cart group lines by seller.
    pub seller: AccountId,
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
    /// it lives on the platform (destination and separate charges).
    pub stripe_account: Option<AccountId>,
    /// The first line's seller: the only one of a single-seller cart.
    pub seller: Seller,
    /// Every seller of the order, in the cart's order (one for a single-seller cart).
    pub sellers: Vec<Seller>,
    pub lines: Vec<CheckoutLine>,
    pub total: Money,
    /// The order's `transfer_group` when it is paid by separate charges and transfers: one
    /// Transfer per seller follows the charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_group: Option<String>,
}

/// `POST /api/checkout/{payment_intent}/transfers`: after a marketplace order's payment
/// succeeded, the sellers' transfers (made now if the webhook has not made them yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderTransfers {
    pub payment_intent: String,
    pub transfer_group: String,
    /// One per seller of the order, in the cart's order.
    pub transfers: Vec<SellerTransfer>,
}

/// What one seller of a marketplace order receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerTransfer {
    pub seller: AccountId,
    /// The Transfer's id (`tr_…`).
    pub transfer: String,
    /// The seller's subtotal minus the platform's fee on it.
    pub amount: Money,
}

/// The limits `POST /api/checkout` enforces, shared so the widget can enforce them too.
pub mod limits {
    /// Distinct lines in one cart.
    pub const MAX_CART_LINES: usize = 50;
    /// Units of one price in one cart.
    pub const MAX_QUANTITY: u32 = 999;
    /// The longest email address RFC 5321 allows.
    pub const MAX_EMAIL_LEN: usize = 254;
    /// Sellers in one marketplace cart: each costs a Transfer, and the order's sellers and
    /// their subtotals must fit in one PaymentIntent metadata value (500 characters).
    pub const MAX_CART_SELLERS: usize = 10;
}

impl CheckoutRequest {
    /// Whether the lines name their sellers: such a cart is paid by separate charges and
    /// transfers, even when all its lines happen to be one seller's.
    pub fn is_marketplace(&self) -> bool {
        self.items.iter().any(|item| item.seller.is_some())
    }

    /// The seller of `item`: its own, else the request's.
    pub fn seller_of<'a>(&'a self, item: &'a CartItem) -> Option<&'a AccountId> {
        item.seller.as_ref().or(self.seller.as_ref())
    }

    /// Every seller of the cart once, in the order their first lines appear.
    pub fn sellers(&self) -> Vec<&AccountId> {
        let mut sellers: Vec<&AccountId> = Vec::new();
        for seller in self.items.iter().filter_map(|item| self.seller_of(item)) {
            if !sellers.contains(&seller) {
                sellers.push(seller);
            }
        }
        sellers
    }

    /// The rules serde's types cannot say: a non-empty cart, sane quantities, each price once,
    /// a seller for every line and not too many sellers.
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
            if self.seller_of(item).is_none() {
                return fail(
                    format!("items[{index}].seller"),
                    "say whose price this is: a seller on the line, or one for the whole cart",
                );
            }
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
        if self.sellers().len() > limits::MAX_CART_SELLERS {
            return fail(
                "items".into(),
                "too many sellers: at most 10 sellers per checkout",
            );
        }
        if self
            .email
            .as_deref()
            .is_some_and(|email| !super::plausible_email(email))
        {
            return fail(
                "email".into(),
                "enter an email address such as name@example.com",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(items: Vec<CartItem>, email: Option<&str>) -> CheckoutRequest {
        CheckoutRequest {
            seller: Some(AccountId::new("acct_1").unwrap()),
            items,
            attempt: AttemptId::new("5d41402abc4b2a76b9719d911017c592").unwrap(),
            email: email.map(str::to_owned),
        }
    }

    fn item(price: &str, quantity: u32) -> CartItem {
        CartItem {
            price: PriceId::new(price).unwrap(),
            quantity,
            seller: None,
        }
    }

    fn from(seller: &str, price: &str) -> CartItem {
        CartItem {
            seller: Some(AccountId::new(seller).unwrap()),
            ..item(price, 1)
        }
    }

    #[test]
    fn a_cart_whose_lines_name_their_sellers_is_a_marketplace_order() {
        let single = request(vec![item("price_a", 1), item("price_b", 2)], None);
        assert!(!single.is_marketplace());
        assert_eq!(single.sellers(), [&AccountId::new("acct_1").unwrap()]);

        let mut market = request(
            vec![
                from("acct_b", "price_b"),
                from("acct_a", "price_a"),
                from("acct_b", "price_c"),
            ],
            None,
        );
        market.seller = None;
        assert!(market.is_marketplace());
        market.validate().unwrap();
        let sellers: Vec<&str> = market.sellers().iter().map(|s| s.as_str()).collect();
        assert_eq!(sellers, ["acct_b", "acct_a"]);
    }

    #[test]
    fn every_line_needs_a_seller_and_a_cart_at_most_ten() {
        let mut orphan = request(vec![from("acct_b", "price_b"), item("price_a", 1)], None);
        orphan.seller = None;
        assert_eq!(orphan.validate().unwrap_err().field, "items[1].seller");

        let crowded = request(
            (0..11)
                .map(|n| from(&format!("acct_{n}"), &format!("price_{n}")))
                .collect(),
            None,
        );
        assert_eq!(crowded.validate().unwrap_err().field, "items");
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
