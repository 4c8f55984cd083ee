//! A seller's payments and refunds. A payment is either whole (a direct charge on their
//! account, a destination charge sent to it) or their part of a marketplace order: a separate
//! charge on the platform and one Transfer per seller
//! (<https://docs.stripe.com/connect/separate-charges-and-transfers>). A part is read from the
//! seller's Transfer alone, never from the order's other lines, and a refund of a part reverses
//! that Transfer only.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use connect_checkout_core::api::{RefundRequest, RefundResult, SellerPayment, SellerPayments};
use connect_checkout_core::{AccountId, Currency, Money, PaymentIntentId, TransferId};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::SellerAccess;
use crate::AppState;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::stripe::objects::{Charge, List, PaymentIntent, Refund, TransferData};
use crate::stripe::operations::{RefundSpec, TransferReversalSpec};
use crate::stripe::{IdempotencyKey, StripeError};

/// The metadata the order's PaymentIntent, its Transfers, the sellers' refunds and their
/// reversals carry: the only record of who was paid what, since Stripe is the system of record.
mod metadata {
    /// On the order's PaymentIntent: `acct_…:subtotal:fee,…`; marks a marketplace order.
    pub const ORDER_SELLERS: &str = "order_sellers";
    /// On a Transfer: the order it pays a part of.
    pub const PAYMENT_INTENT: &str = "payment_intent";
    /// On a Transfer: what the shopper paid for this seller's lines (minor units).
    pub const SELLER_SUBTOTAL: &str = "seller_subtotal";
    /// On a Transfer: what the platform kept of the subtotal.
    pub const PLATFORM_FEE: &str = "platform_fee";
    /// On a refund: whose part it refunds.
    pub const SELLER: &str = "seller";
    /// On a refund: the seller's refund attempt, so a retry finds the refund it already made
    /// and completes its reversal instead of refunding again.
    pub const REFUND_ATTEMPT: &str = "refund_attempt";
    /// On a reversal: the refund it answers.
    pub const REFUND: &str = "refund";
    /// On a reversal: how much of the seller's subtotal that refund gave back.
    pub const REFUNDED_AMOUNT: &str = "refunded_amount";
}

/// A Transfer as a seller's part of a marketplace order reads it.
#[derive(Debug, Deserialize)]
struct PartTransfer {
    id: String,
    amount: i64,
    #[serde(default)]
    amount_reversed: i64,
    currency: String,
    #[serde(default)]
    created: i64,
    description: Option<String>,
    #[serde(default)]
    metadata: HashMap<String, String>,
    /// Stripe embeds the first reversals; [`with_every_reversal`] reads the rest.
    reversals: Option<List<PartReversal>>,
}

#[derive(Debug, Deserialize)]
struct PartReversal {
    #[serde(default)]
    metadata: HashMap<String, String>,
}

impl PartTransfer {
    fn payment_intent(&self) -> Option<&str> {
        self.metadata
            .get(metadata::PAYMENT_INTENT)
            .map(String::as_str)
    }

    fn amount_in(&self, key: &str) -> Option<i64> {
        self.metadata.get(key)?.parse().ok()
    }

    fn subtotal(&self) -> Option<i64> {
        self.amount_in(metadata::SELLER_SUBTOTAL)
            .filter(|subtotal| *subtotal > 0)
    }

    /// What was refunded of the seller's subtotal: each reversal names the refund amount it
    /// answers, so this costs no call beyond the list of Transfers.
    fn refunded(&self) -> i64 {
        self.reversals.as_ref().map_or(0, |reversals| {
            reversals
                .data
                .iter()
                .filter_map(|reversal| {
                    reversal
                        .metadata
                        .get(metadata::REFUNDED_AMOUNT)?
                        .parse::<i64>()
                        .ok()
                })
                .sum()
        })
    }

    fn reverses(&self, refund: &str) -> bool {
        self.reversals.as_ref().is_some_and(|reversals| {
            reversals.data.iter().any(|reversal| {
                reversal.metadata.get(metadata::REFUND).map(String::as_str) == Some(refund)
            })
        })
    }
}

/// The order's PaymentIntent read with the platform's key: whole (a destination charge) or a
/// marketplace order.
#[derive(Debug, Deserialize)]
struct PlatformIntent {
    transfer_group: Option<String>,
    #[serde(default)]
    metadata: HashMap<String, String>,
    transfer_data: Option<TransferData>,
}

impl PlatformIntent {
    fn marketplace_group(&self) -> Option<&str> {
        self.metadata
            .contains_key(metadata::ORDER_SELLERS)
            .then_some(self.transfer_group.as_deref())
            .flatten()
    }
}

/// A refund with what says whose part it gave back.
#[derive(Clone, Debug, Deserialize)]
struct TaggedRefund {
    id: String,
    amount: i64,
    currency: String,
    status: Option<String>,
    #[serde(default)]
    metadata: HashMap<String, String>,
}

impl TaggedRefund {
    /// Failed and canceled refunds gave nothing back.
    fn gave_back(&self) -> bool {
        !matches!(self.status.as_deref(), Some("failed" | "canceled"))
    }
}

fn money(amount: i64, currency: &str) -> Option<Money> {
    Some(Money::new(amount, Currency::new(currency).ok()?))
}

/// `2500 usd` as `25.00 USD`, for messages.
fn in_words(amount: i64, currency: &Currency) -> String {
    let digits = currency.minor_digits();
    let unit = 10_i64.pow(digits);
    let code = currency.iso_code();
    if digits == 0 {
        format!("{amount} {code}")
    } else {
        let width = digits as usize;
        format!("{}.{:0width$} {code}", amount / unit, amount % unit)
    }
}

/// `refund × transfer / subtotal`, rounded half up: the share of a refund the seller gives
/// back, in the proportion their Transfer bears to their subtotal (the fee's share stays with
/// the platform's side of the refund).
fn proportional(refund: i64, transfer: i64, subtotal: i64) -> i64 {
    if subtotal <= 0 {
        return 0;
    }
    let (refund, transfer, subtotal) = (
        i128::from(refund),
        i128::from(transfer),
        i128::from(subtotal),
    );
    let share = (2 * refund * transfer + subtotal) / (2 * subtotal);
    i64::try_from(share).unwrap_or(i64::MAX)
}

fn payment_of(intent: &PaymentIntent) -> Option<SellerPayment> {
    let refunded = intent
        .latest_charge
        .as_ref()
        .and_then(|charge| charge.as_object())
        .map_or(0, |charge: &Charge| charge.amount_refunded);
    Some(SellerPayment {
        id: intent.id.clone(),
        amount: money(intent.amount, &intent.currency)?,
        fee: intent
            .application_fee_amount
            .and_then(|fee| money(fee, &intent.currency)),
        refunded: money(refunded, &intent.currency)?,
        status: intent.status.clone(),
        created: intent.created,
        description: intent.description.clone(),
        transfer: None,
    })
}

/// A seller's part of a marketplace order, from their Transfer alone.
fn part_of(part: &PartTransfer) -> Option<SellerPayment> {
    Some(SellerPayment {
        id: part.payment_intent()?.to_owned(),
        amount: money(part.subtotal()?, &part.currency)?,
        fee: part
            .amount_in(metadata::PLATFORM_FEE)
            .and_then(|fee| money(fee, &part.currency)),
        refunded: money(part.refunded(), &part.currency)?,
        // A Transfer follows only a succeeded charge, and refunds leave the PaymentIntent
        // succeeded: reading it again would say nothing new.
        status: "succeeded".into(),
        created: part.created,
        description: part.description.clone(),
        transfer: Some(part.id.clone()),
    })
}

/// Whether a destination charge goes to `account`.
fn is_sent_to(transfer_data: Option<&TransferData>, account: &AccountId) -> bool {
    transfer_data.is_some_and(|data| data.destination.id(|a| &a.id) == account.as_str())
}

/// The seller's whole payments: on their account for direct charges, on the platform (sent on
/// to them) for destination charges.
async fn whole_payments(
    state: &AppState,
    account: &AccountId,
) -> Result<Vec<SellerPayment>, AppError> {
    let on_account = state.config.charge_type.payment_account(account);
    let intents = state
        .stripe
        .list_payment_intents_with_charges(on_account)
        .await?;
    Ok(intents
        .data
        .iter()
        .filter(|intent| on_account.is_some() || is_sent_to(intent.transfer_data.as_ref(), account))
        .filter(|intent| {
            intent.status != "requires_payment_method" || intent.latest_charge.is_some()
        })
        .filter_map(payment_of)
        .collect())
}

/// `part` with every one of its reversals, reading them when Stripe embedded only the first.
async fn with_every_reversal(
    state: &AppState,
    mut part: PartTransfer,
) -> Result<PartTransfer, AppError> {
    if part
        .reversals
        .as_ref()
        .is_some_and(|reversals| !reversals.has_more)
    {
        return Ok(part);
    }
    let transfer = TransferId::new(part.id.as_str()).map_err(|error| {
        AppError::from(StripeError::Decode {
            path: "/v1/transfers".into(),
            detail: error.to_string(),
        })
    })?;
    part.reversals = Some(state.stripe.list_transfer_reversals(&transfer).await?);
    Ok(part)
}

/// The seller's parts of marketplace orders: the Transfers to them that name an order, in one
/// call whatever `CHARGE_TYPE` says (a marketplace cart is always a separate charge).
async fn marketplace_parts(
    state: &AppState,
    account: &AccountId,
) -> Result<Vec<SellerPayment>, AppError> {
    let transfers: List<PartTransfer> = state.stripe.list_transfers_to(account, None).await?;
    let mut parts = Vec::new();
    for part in transfers
        .data
        .into_iter()
        .filter(|part| part.payment_intent().is_some())
    {
        parts.extend(part_of(&with_every_reversal(state, part).await?));
    }
    Ok(parts)
}

pub(super) async fn list_payments(
    State(state): State<AppState>,
    SellerAccess(account): SellerAccess,
) -> Result<Json<SellerPayments>, AppError> {
    let (mut payments, parts) = tokio::try_join!(
        whole_payments(&state, &account),
        marketplace_parts(&state, &account)
    )?;
    payments.extend(parts);
    payments.sort_by_key(|payment| std::cmp::Reverse(payment.created));
    Ok(Json(SellerPayments { payments }))
}

fn not_theirs() -> AppError {
    AppError::not_found("No such payment among your payments.")
}

/// Stripe's 400 for a refund (too much, already refunded) says what to fix.
fn refund_refused(error: StripeError) -> AppError {
    match (&error, error.status()) {
        (StripeError::Api { error: api, .. }, Some(400)) => AppError::invalid(
            api.message
                .clone()
                .unwrap_or_else(|| "Stripe refused this refund.".into()),
        )
        .with_detail(error.to_string()),
        _ => AppError::from(error),
    }
}

/// Asks Stripe for the refund `spec` describes; a refusal is said in the seller's words.
async fn refund_on_stripe<T: DeserializeOwned>(
    state: &AppState,
    spec: &RefundSpec<'_>,
    key: &IdempotencyKey,
) -> Result<T, AppError> {
    state
        .stripe
        .create_refund(spec, key)
        .await
        .map_err(refund_refused)
}

/// The seller's answer for a refund Stripe made (or found under its key).
fn refund_answer(
    id: String,
    amount: i64,
    currency: &str,
    status: Option<String>,
) -> Result<Json<RefundResult>, AppError> {
    Ok(Json(RefundResult {
        amount: money(amount, currency).ok_or_else(|| {
            AppError::from(StripeError::Decode {
                path: "/v1/refunds".into(),
                detail: format!("unknown currency `{currency}`"),
            })
        })?,
        id,
        status: status.unwrap_or_else(|| "pending".into()),
    }))
}

pub(super) async fn create_refund(
    State(state): State<AppState>,
    SellerAccess(account): SellerAccess,
    ApiJson(request): ApiJson<RefundRequest>,
) -> Result<Json<RefundResult>, AppError> {
    // Checked before any Stripe call: the id becomes a segment of the path we GET with the
    // platform's key.
    let payment_intent =
        PaymentIntentId::new(request.payment_intent.as_str()).map_err(|error| {
            AppError::invalid(format!(
                "payment_intent: {error}; send the id shown with the payment in your payments list"
            ))
        })?;
    if request.amount.is_some_and(|amount| amount <= 0) {
        return Err(AppError::invalid(
            "amount: refund a positive amount, or leave it out to refund everything",
        ));
    }
    // A direct charge lives on the seller's account; anything else of theirs (a destination
    // charge, a part of a marketplace order) on the platform.
    if let Some(on_account) = state.config.charge_type.payment_account(&account) {
        match state
            .stripe
            .retrieve_payment_intent_on::<PaymentIntent>(&payment_intent, Some(on_account))
            .await
        {
            Ok(_) => {
                return refund_whole(
                    &state,
                    &account,
                    Some(on_account),
                    &payment_intent,
                    &request,
                )
                .await;
            }
            Err(error) if error.status() == Some(404) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let intent: PlatformIntent = state
        .stripe
        .retrieve_payment_intent_on(&payment_intent, None)
        .await
        .map_err(|error| {
            if error.status() == Some(404) {
                not_theirs()
            } else {
                AppError::from(error)
            }
        })?;
    if is_sent_to(intent.transfer_data.as_ref(), &account) {
        return refund_whole(&state, &account, None, &payment_intent, &request).await;
    }
    match intent.marketplace_group() {
        Some(group) => refund_part(&state, &account, &payment_intent, group, &request).await,
        None => Err(not_theirs()),
    }
}

/// Refunds a whole payment: a direct charge on the seller's account, or a destination charge
/// whose Transfer Stripe reverses in proportion.
async fn refund_whole(
    state: &AppState,
    account: &AccountId,
    on_account: Option<&AccountId>,
    intent: &PaymentIntentId,
    request: &RefundRequest,
) -> Result<Json<RefundResult>, AppError> {
    let spec = RefundSpec {
        payment_intent: intent,
        account: on_account,
        amount: request.amount,
        refund_application_fee: true,
        // On the platform it is a destination charge: the seller's Transfer gives back its share.
        reverse_transfer: on_account.is_none(),
        metadata: Vec::new(),
    };
    let key = IdempotencyKey::derive("refund", &[intent.as_str(), request.attempt.as_str()]);
    let refund: Refund = refund_on_stripe(state, &spec, &key).await?;
    tracing::info!(account = %account, refund = %refund.id, amount = refund.amount, "refund created");
    refund_answer(refund.id, refund.amount, &refund.currency, refund.status)
}

/// Refunds all or some of the seller's part of a marketplace order: a refund on the platform's
/// charge of at most what is left of their subtotal, then a reversal of their Transfer (and of
/// no other seller's) in proportion.
async fn refund_part(
    state: &AppState,
    account: &AccountId,
    intent: &PaymentIntentId,
    transfer_group: &str,
    request: &RefundRequest,
) -> Result<Json<RefundResult>, AppError> {
    let transfers: List<PartTransfer> = state
        .stripe
        .list_transfers_to(account, Some(transfer_group))
        .await?;
    let part = transfers
        .data
        .into_iter()
        .find(|part| part.payment_intent() == Some(intent.as_str()))
        .ok_or_else(not_theirs)?;
    let part = with_every_reversal(state, part).await?;
    let malformed = |what: &str| {
        AppError::from(StripeError::Decode {
            path: "/v1/transfers".into(),
            detail: format!("transfer {} {what}", part.id),
        })
    };
    let subtotal = part
        .subtotal()
        .ok_or_else(|| malformed("has no seller_subtotal"))?;
    let currency =
        Currency::new(&part.currency).map_err(|_| malformed("has an unknown currency"))?;

    // What this seller already gave back: the refunds tagged with them, which count even
    // when a reversal failed, so nothing is refunded twice.
    let refunds: List<TaggedRefund> = state.stripe.list_refunds(intent).await?;
    let mut theirs: Vec<TaggedRefund> = refunds
        .data
        .into_iter()
        .filter(|refund| {
            refund.gave_back()
                && refund.metadata.get(metadata::SELLER).map(String::as_str)
                    == Some(account.as_str())
        })
        .collect();
    let attempt = request.attempt.as_str();
    let made_before = theirs.iter().find(|refund| {
        refund
            .metadata
            .get(metadata::REFUND_ATTEMPT)
            .map(String::as_str)
            == Some(attempt)
    });
    let refund = match made_before {
        Some(refund) => refund.clone(),
        None => {
            let left = subtotal - theirs.iter().map(|refund| refund.amount).sum::<i64>();
            if left <= 0 {
                return Err(AppError::invalid(
                    "Your part of this order is already refunded in full.",
                ));
            }
            let amount = request.amount.unwrap_or(left);
            if amount > left {
                return Err(AppError::invalid(format!(
                    "amount: you can refund at most {} of this order, what is left of your part",
                    in_words(left, &currency)
                )));
            }
            let spec = RefundSpec {
                payment_intent: intent,
                account: None,
                amount: Some(amount),
                refund_application_fee: false,
                reverse_transfer: false,
                metadata: vec![
                    (metadata::SELLER, account.as_str().to_owned()),
                    (metadata::REFUND_ATTEMPT, attempt.to_owned()),
                ],
            };
            let key =
                IdempotencyKey::derive("refund", &[intent.as_str(), account.as_str(), attempt]);
            let refund: TaggedRefund = refund_on_stripe(state, &spec, &key).await?;
            tracing::info!(account = %account, refund = %refund.id, amount = refund.amount, "refund of a marketplace part created");
            theirs.push(refund.clone());
            refund
        }
    };
    reverse_unreversed(state, &part, subtotal, &theirs).await?;
    refund_answer(refund.id, refund.amount, &refund.currency, refund.status)
}

/// Reverses the seller's Transfer for each of their refunds that has no reversal yet: this
/// one, and any whose reversal failed after the refund succeeded (its key, from its own
/// attempt, makes a second try of it the same reversal).
async fn reverse_unreversed(
    state: &AppState,
    part: &PartTransfer,
    subtotal: i64,
    refunds: &[TaggedRefund],
) -> Result<(), AppError> {
    let transfer = TransferId::new(part.id.as_str()).map_err(|error| {
        AppError::from(StripeError::Decode {
            path: "/v1/transfers".into(),
            detail: error.to_string(),
        })
    })?;
    let mut left = part.amount - part.amount_reversed;
    for refund in refunds
        .iter()
        .filter(|refund| refund.gave_back() && !part.reverses(&refund.id))
    {
        let Some(attempt) = refund.metadata.get(metadata::REFUND_ATTEMPT) else {
            continue;
        };
        let amount = proportional(refund.amount, part.amount, subtotal).min(left);
        if amount <= 0 {
            continue;
        }
        let spec = TransferReversalSpec {
            amount,
            metadata: vec![
                (metadata::REFUND, refund.id.clone()),
                (metadata::REFUNDED_AMOUNT, refund.amount.to_string()),
            ],
        };
        let key = IdempotencyKey::derive("reversal", &[part.id.as_str(), attempt]);
        state
            .stripe
            .create_transfer_reversal(&transfer, &spec, &key)
            .await
            .map_err(|error| {
                AppError::from(error).with_detail(format!(
                    "refund {} was made; the reversal of {} was not",
                    refund.id, part.id
                ))
            })?;
        left -= amount;
        tracing::info!(transfer = %part.id, refund = %refund.id, amount, "transfer reversed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refund_takes_back_the_transfers_share_rounded_half_up() {
        // A 3000 subtotal with a 330 fee: the Transfer is 2670.
        assert_eq!(proportional(1000, 2670, 3000), 890);
        assert_eq!(proportional(3000, 2670, 3000), 2670);
        // 1 × 2670 / 3000 = 0.89
        assert_eq!(proportional(1, 2670, 3000), 1);
        assert_eq!(proportional(1, 1, 3), 0);
        assert_eq!(proportional(500, 0, 3000), 0);
    }

    #[test]
    fn amounts_in_messages_have_the_currencys_decimals() {
        let usd = Currency::new("usd").unwrap_or_else(|_| unreachable!());
        let jpy = Currency::new("jpy").unwrap_or_else(|_| unreachable!());
        assert_eq!(in_words(2005, &usd), "20.05 USD");
        assert_eq!(in_words(1500, &jpy), "1500 JPY");
    }
}
