//! Paying the sellers of a marketplace order once its charge succeeded: one Transfer per
//! seller, tied to the charge (`source_transaction`) and the order's `transfer_group`
//! (<https://docs.stripe.com/connect/separate-charges-and-transfers>).
//!
//! The verified `payment_intent.succeeded` or `charge.succeeded` webhook settles the order; the
//! shopper's widget calls the route as a fallback, and it can do nothing the webhook would not.
//! Which transfers exist is read from Stripe, never from a store of ours, and each seller's
//! Transfer has an Idempotency-Key derived from the PaymentIntent and the seller: duplicate
//! and out-of-order deliveries, both callers at once, retries and a restart all make it once.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use connect_checkout_core::api::{ErrorCode, OrderTransfers, SellerTransfer};
use connect_checkout_core::{Currency, Money, PaymentIntentId};

use super::order::{ORDER_SELLERS, SellerShare, parse_shares, seller_lines_key};
use crate::AppState;
use crate::error::AppError;
use crate::stripe::IdempotencyKey;
use crate::stripe::objects::PaymentIntent;
use crate::stripe::operations::TransferSpec;

/// `POST /api/checkout/{payment_intent}/transfers`.
pub async fn order_transfers(
    State(state): State<AppState>,
    Path(payment_intent): Path<String>,
) -> Result<Json<OrderTransfers>, AppError> {
    let payment_intent = PaymentIntentId::new(payment_intent)?;
    Ok(Json(settle_order(&state, &payment_intent).await?))
}

/// The order's transfers, making each seller's that Stripe does not have yet. 404 for a
/// PaymentIntent that is not a marketplace order of this platform, 409 before it succeeded.
/// A seller whose fee took the whole subtotal has nothing to receive (a Transfer is at least
/// one minor unit), so it gets no Transfer and is not listed.
pub async fn settle_order(
    state: &AppState,
    payment_intent: &PaymentIntentId,
) -> Result<OrderTransfers, AppError> {
    let intent = state
        .stripe
        .retrieve_payment_intent(payment_intent)
        .await
        .map_err(|error| match error.status() {
            Some(404) => not_an_order(payment_intent).with_detail(error.to_string()),
            _ => AppError::from(error),
        })?;
    let order = Order::of(&intent).ok_or_else(|| not_an_order(payment_intent))?;
    if intent.status != "succeeded" {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ErrorCode::PaymentNotSucceeded,
            format!(
                "{payment_intent} has not succeeded (it is {}): the sellers are paid once the \
                 shopper's payment succeeds",
                intent.status
            ),
        ));
    }
    let charge = intent
        .latest_charge
        .as_ref()
        .map(|charge| charge.id(|charge| &charge.id).to_owned())
        .ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_GATEWAY,
                ErrorCode::Internal,
                "The payment succeeded but its charge could not be read; the sellers will be \
                 paid when it can.",
            )
            .with_detail(format!("{} succeeded without a latest_charge", intent.id))
        })?;

    let existing = state
        .stripe
        .list_transfers_in_group(&order.transfer_group)
        .await?;
    let (paid, order_ref, charge) = (&intent, &order, charge.as_str());
    let transfers = futures_util::future::join_all(
        order
            .shares
            .iter()
            .enumerate()
            .filter(|(_, share)| share.net() > 0)
            .map(|(index, share)| {
                let made = existing.data.iter().find(|transfer| {
                    transfer.destination.id(|account| &account.id) == share.seller.as_str()
                        && transfer.metadata.get("payment_intent") == Some(&paid.id)
                });
                async move {
                    let transfer = match made {
                        Some(transfer) => SellerTransfer {
                            seller: share.seller.clone(),
                            transfer: transfer.id.clone(),
                            amount: Money::new(transfer.amount, order_ref.currency.clone()),
                        },
                        None => {
                            let lines = paid.metadata.get(&seller_lines_key(index));
                            transfer_share(state, paid, order_ref, charge, share, lines).await?
                        }
                    };
                    Ok::<_, AppError>(transfer)
                }
            }),
    )
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    Ok(OrderTransfers {
        payment_intent: intent.id,
        transfer_group: order.transfer_group,
        transfers,
    })
}

/// A marketplace order, as its PaymentIntent records it.
struct Order {
    transfer_group: String,
    currency: Currency,
    shares: Vec<SellerShare>,
}

impl Order {
    /// `None` unless `intent` is an order of this function whose shares add up to its amount.
    fn of(intent: &PaymentIntent) -> Option<Self> {
        let transfer_group = intent.transfer_group.clone()?;
        let shares = parse_shares(intent.metadata.get(ORDER_SELLERS)?)?;
        let subtotals = shares
            .iter()
            .try_fold(0_i64, |sum, share| sum.checked_add(share.subtotal))?;
        if subtotals != intent.amount {
            tracing::error!(
                payment_intent = %intent.id,
                amount = intent.amount,
                subtotals,
                "an order whose sellers' subtotals do not add up to its amount: no seller is paid"
            );
            return None;
        }
        Some(Self {
            transfer_group,
            currency: Currency::new(&intent.currency).ok()?,
            shares,
        })
    }
}

/// `POST /v1/transfers` for one seller's share, with the key of this PaymentIntent and seller.
async fn transfer_share(
    state: &AppState,
    intent: &PaymentIntent,
    order: &Order,
    charge: &str,
    share: &SellerShare,
    lines: Option<&String>,
) -> Result<SellerTransfer, AppError> {
    let description = match lines {
        Some(lines) => lines.clone(),
        None => format!("Your part of order {}", intent.id),
    };
    let spec = TransferSpec {
        amount: share.net(),
        currency: &order.currency,
        destination: &share.seller,
        transfer_group: &order.transfer_group,
        source_transaction: charge,
        description,
        metadata: vec![
            ("payment_intent", intent.id.clone()),
            ("seller_subtotal", share.subtotal.to_string()),
            ("platform_fee", share.fee.to_string()),
        ],
    };
    let key = IdempotencyKey::derive("transfer", &[intent.id.as_str(), share.seller.as_str()]);
    let transfer = state.stripe.create_transfer(&spec, &key).await?;
    tracing::info!(
        payment_intent = %intent.id,
        transfer = %transfer.id,
        seller = %share.seller,
        amount = transfer.amount,
        fee = share.fee,
        currency = %order.currency,
        "seller paid"
    );
    Ok(SellerTransfer {
        seller: share.seller.clone(),
        transfer: transfer.id,
        amount: Money::new(transfer.amount, order.currency.clone()),
    })
}

fn not_an_order(payment_intent: &PaymentIntentId) -> AppError {
    AppError::not_found(format!(
        "{payment_intent} is not a marketplace order of this shop: use the payment id the \
         checkout answered"
    ))
}
