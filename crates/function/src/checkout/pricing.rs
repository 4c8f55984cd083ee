//! Pricing a cart from the seller's Stripe Prices: the only place an amount is decided.

use connect_checkout_core::api::{CartItem, CheckoutLine};
use connect_checkout_core::{AccountId, Currency, Money, PriceId};

use crate::stripe::objects::Price;

/// Stripe's largest amount: eight digits of the smallest unit
/// (<https://docs.stripe.com/currencies>).
pub const MAX_AMOUNT: i64 = 99_999_999;

/// A price a one-off checkout can charge, with the product's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogPrice {
    pub id: PriceId,
    pub name: String,
    pub description: Option<String>,
    pub unit_amount: Money,
}

impl CatalogPrice {
    /// `None` for what a one-off checkout cannot sell: inactive or recurring prices, prices
    /// without a fixed amount, inactive products, and prices whose product was not expanded.
    pub fn from_stripe(price: &Price) -> Option<Self> {
        let product = price.product.as_object()?;
        if !price.active || price.recurring.is_some() || !product.active {
            return None;
        }
        let unit_amount = price.unit_amount.filter(|amount| *amount >= 0)?;
        Some(Self {
            id: PriceId::new(price.id.clone()).ok()?,
            name: product.name.clone(),
            description: product.description.clone(),
            unit_amount: Money::new(unit_amount, Currency::new(&price.currency).ok()?),
        })
    }
}

/// Why a cart could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("{0} is not for sale by this seller: refresh the product list and try again")]
    UnknownPrice(PriceId),
    #[error(
        "the cart mixes currencies ({first} and {other}): pay for items in different currencies separately"
    )]
    CurrencyMismatch { first: Currency, other: Currency },
    #[error("the total is too large for one card payment: split the order")]
    TooLarge,
}

/// The lines and total of `items`, priced from `catalog` (the seller's sellable prices).
pub fn price_cart(
    seller: &AccountId,
    items: &[CartItem],
    catalog: &[CatalogPrice],
) -> Result<(Vec<CheckoutLine>, Money), PricingError> {
    let mut lines = Vec::with_capacity(items.len());
    let mut total: Option<Money> = None;
    for item in items {
        let price = catalog
            .iter()
            .find(|price| price.id == item.price)
            .ok_or_else(|| PricingError::UnknownPrice(item.price.clone()))?;
        let amount = price
            .unit_amount
            .checked_mul(i64::from(item.quantity))
            .filter(|amount| amount.amount <= MAX_AMOUNT)
            .ok_or(PricingError::TooLarge)?;
        let sum = match total.take() {
            None => amount.clone(),
            Some(sum) if sum.currency != amount.currency => {
                return Err(PricingError::CurrencyMismatch {
                    first: sum.currency,
                    other: amount.currency,
                });
            }
            Some(sum) => Money::new(
                sum.amount
                    .checked_add(amount.amount)
                    .ok_or(PricingError::TooLarge)?,
                sum.currency,
            ),
        };
        if sum.amount > MAX_AMOUNT {
            return Err(PricingError::TooLarge);
        }
        total = Some(sum);
        lines.push(CheckoutLine {
            seller: seller.clone(),
            price: price.id.clone(),
            name: price.name.clone(),
            quantity: item.quantity,
            unit_amount: price.unit_amount.clone(),
            amount,
        });
    }
    // `validate` refuses empty carts before pricing, so `total` is set here.
    let total = total.ok_or(PricingError::TooLarge)?;
    Ok((lines, total))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn price(id: &str, amount: i64, currency: &str) -> CatalogPrice {
        CatalogPrice {
            id: PriceId::new(id).unwrap(),
            name: format!("{id} name"),
            description: None,
            unit_amount: Money::new(amount, Currency::new(currency).unwrap()),
        }
    }

    fn item(id: &str, quantity: u32) -> CartItem {
        CartItem {
            price: PriceId::new(id).unwrap(),
            quantity,
            seller: None,
        }
    }

    fn seller() -> AccountId {
        AccountId::new("acct_1").unwrap()
    }

    #[test]
    fn the_total_is_the_sum_of_unit_amounts_times_quantities() {
        let catalog = [price("price_a", 1200, "usd"), price("price_b", 2450, "usd")];
        let (lines, total) = price_cart(
            &seller(),
            &[item("price_a", 2), item("price_b", 1)],
            &catalog,
        )
        .unwrap();
        assert_eq!(lines[0].amount.amount, 2400);
        assert_eq!(total, Money::new(4850, Currency::new("usd").unwrap()));
    }

    #[test]
    fn a_price_not_in_the_sellers_catalog_is_refused() {
        let catalog = [price("price_a", 1200, "usd")];
        let error = price_cart(&seller(), &[item("price_other_seller", 1)], &catalog).unwrap_err();
        assert!(matches!(error, PricingError::UnknownPrice(_)));
    }

    #[test]
    fn mixed_currencies_are_refused() {
        let catalog = [price("price_a", 1200, "usd"), price("price_j", 1500, "jpy")];
        let error = price_cart(
            &seller(),
            &[item("price_a", 1), item("price_j", 1)],
            &catalog,
        )
        .unwrap_err();
        assert!(matches!(error, PricingError::CurrencyMismatch { .. }));
    }

    #[test]
    fn totals_past_eight_digits_are_refused() {
        let catalog = [price("price_a", 99_999_999, "usd")];
        assert_eq!(
            price_cart(&seller(), &[item("price_a", 2)], &catalog),
            Err(PricingError::TooLarge)
        );
    }
}
