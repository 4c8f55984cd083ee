//! A cart paid by separate charges and transfers
//! (<https://docs.stripe.com/connect/separate-charges-and-transfers>): one PaymentIntent on the
//! platform for the whole order, then one Transfer per seller (`transfers.rs`).
//!
//! The function keeps no store, so the PaymentIntent itself records what each seller is owed:
//! `metadata[order_sellers]` holds `acct_…:subtotal:fee` per seller in cart order (minor
//! units), and `metadata[seller_lines_{n}]` the n-th seller's lines for its Transfer's
//! description. The transfers are computed from these alone, so a change of the fee policy
//! after the payment never changes what a seller of it receives.

use connect_checkout_core::api::{CheckoutLine, CheckoutRequest};
use connect_checkout_core::{AccountId, AttemptId, Money};

use super::PricedCart;
use crate::AppState;
use crate::error::AppError;
use crate::stripe::IdempotencyKey;
use crate::stripe::objects::PaymentIntent;
use crate::stripe::operations::{PaymentIntentSpec, PaymentRouting};

/// The metadata key of the order's sellers, subtotals and fees.
pub const ORDER_SELLERS: &str = "order_sellers";

/// Every order's `transfer_group` starts so: a `charge.succeeded` event outside it is not ours.
pub const ORDER_GROUP_PREFIX: &str = "order_";

/// Stripe's limit on a metadata value (<https://docs.stripe.com/metadata>).
const MAX_METADATA_VALUE: usize = 500;

/// What one seller of an order is owed, as its PaymentIntent records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SellerShare {
    pub seller: AccountId,
    /// The seller's lines, in minor units of the order's currency.
    pub subtotal: i64,
    /// The platform's fee on the subtotal.
    pub fee: i64,
}

impl SellerShare {
    /// What the seller's Transfer carries: the subtotal less the platform's fee.
    pub fn net(&self) -> i64 {
        self.subtotal - self.fee
    }
}

/// The order's `transfer_group`: one per checkout attempt, so its transfers can be listed.
pub fn transfer_group(attempt: &AttemptId) -> String {
    format!("{ORDER_GROUP_PREFIX}{attempt}")
}

/// `metadata[seller_lines_{index}]`: the lines of the order's `index`-th seller.
pub fn seller_lines_key(index: usize) -> String {
    format!("seller_lines_{index}")
}

/// `acct_a:2400:270,acct_b:950:125`.
pub fn encode_shares(shares: &[SellerShare]) -> String {
    shares
        .iter()
        .map(|share| format!("{}:{}:{}", share.seller, share.subtotal, share.fee))
        .collect::<Vec<_>>()
        .join(",")
}

/// The shares `encode_shares` wrote; `None` for anything else, including a fee that is
/// negative or larger than its subtotal.
pub fn parse_shares(text: &str) -> Option<Vec<SellerShare>> {
    text.split(',')
        .map(|entry| {
            let mut fields = entry.split(':');
            let seller = AccountId::new(fields.next()?).ok()?;
            let subtotal: i64 = fields.next()?.parse().ok()?;
            let fee: i64 = fields.next()?.parse().ok()?;
            let sane = fields.next().is_none() && subtotal >= 0 && (0..=subtotal).contains(&fee);
            sane.then_some(SellerShare {
                seller,
                subtotal,
                fee,
            })
        })
        .collect()
}

/// `2 × House Blend, 1 × Mug`, cut to what a metadata value or description holds.
pub fn describe(lines: &[CheckoutLine]) -> String {
    lines
        .iter()
        .map(|line| format!("{} × {}", line.quantity, line.name))
        .collect::<Vec<_>>()
        .join(", ")
        .chars()
        .take(MAX_METADATA_VALUE)
        .collect()
}

/// The order's shares: each seller's subtotal with the platform's fee policy applied to it.
pub fn shares_of(state: &AppState, cart: &PricedCart) -> Vec<SellerShare> {
    cart.parts
        .iter()
        .map(|part| SellerShare {
            seller: part.seller.id.clone(),
            subtotal: part.subtotal.amount,
            fee: state.config.fee.fee_on(&part.subtotal).amount,
        })
        .collect()
}

/// Creates (or, for a repeated attempt, finds) the order's one PaymentIntent on the platform:
/// no `Stripe-Account`, no `application_fee_amount`, `transfer_data` or `on_behalf_of`; the
/// fees are kept by transferring less.
pub async fn create_order_intent(
    state: &AppState,
    request: &CheckoutRequest,
    cart: &PricedCart,
) -> Result<PaymentIntent, AppError> {
    let shares = shares_of(state, cart);
    let order_sellers = encode_shares(&shares);
    if order_sellers.len() > MAX_METADATA_VALUE {
        return Err(AppError::invalid(
            "items: the order's sellers do not fit in one payment: split the cart into two orders",
        ));
    }
    let spec = PaymentIntentSpec {
        total: &cart.total,
        description: describe(&cart.lines),
        transfer_group: Some(transfer_group(&request.attempt)),
        metadata: vec![
            (
                "checkout_attempt".into(),
                request.attempt.as_str().to_owned(),
            ),
            (ORDER_SELLERS.into(), order_sellers.clone()),
        ],
        receipt_email: request.email.as_deref(),
        trailing_metadata: cart
            .parts
            .iter()
            .enumerate()
            .map(|(index, part)| (seller_lines_key(index), describe(&part.lines)))
            .collect(),
        routing: PaymentRouting::on_platform(),
    };
    let key = IdempotencyKey::derive("checkout-order", &[request.attempt.as_str()]);
    let intent = super::post_intent(state, &spec, &key, |intent| {
        intent.metadata.get("checkout_attempt").map(String::as_str)
            == Some(request.attempt.as_str())
            && intent.metadata.get(ORDER_SELLERS) == Some(&order_sellers)
            && same_money(intent, &cart.total)
    })
    .await?;
    tracing::info!(
        payment_intent = %intent.id,
        sellers = shares.len(),
        amount = intent.amount,
        currency = %intent.currency,
        fees = shares.iter().map(|share| share.fee).sum::<i64>(),
        "marketplace order prepared"
    );
    Ok(intent)
}

pub(super) fn same_money(intent: &PaymentIntent, total: &Money) -> bool {
    intent.amount == total.amount && intent.currency == total.currency.as_str()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shares_round_trip_through_their_metadata_text() {
        let shares = vec![
            SellerShare {
                seller: AccountId::new("acct_1Lumen").unwrap(),
                subtotal: 4850,
                fee: 515,
            },
            SellerShare {
                seller: AccountId::new("acct_1Harbor").unwrap(),
                subtotal: 725,
                fee: 103,
            },
        ];
        let text = encode_shares(&shares);
        assert_eq!(text, "acct_1Lumen:4850:515,acct_1Harbor:725:103");
        assert_eq!(parse_shares(&text), Some(shares));
    }

    #[test]
    fn metadata_that_is_not_an_orders_is_refused() {
        for bad in [
            "",
            "acct_1Lumen:100",
            "acct_1Lumen:100:10:1",
            "acct_1Lumen:100:101",
            "acct_1Lumen:100:-1",
            "seller:100:10",
            "acct_1Lumen:x:10",
        ] {
            assert_eq!(parse_shares(bad), None, "{bad}");
        }
    }
}
