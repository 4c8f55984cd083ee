//! The shopper's journey: what the browser needs to show sellers and products and to pay.
//!
//! Amounts, currency, fee and destination are all decided here from Stripe's data; the browser
//! only says which prices and how many.

pub mod catalog;
pub mod order;
pub mod pricing;
pub mod transfers;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use connect_checkout_core::api::{
    CartItem, ChargeType, CheckoutLine, CheckoutRequest, CheckoutSession, ClientConfig, ErrorCode,
    Product, ProductList, Seller, SellerList,
};
use connect_checkout_core::{AccountId, Money};

use crate::AppState;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::stripe::objects::{Account, PaymentIntent};
use crate::stripe::operations::{PaymentIntentSpec, PaymentRouting};
use crate::stripe::{IdempotencyKey, StripeError};
use catalog::{SellerCatalog, seller_catalog};
use pricing::{PricingError, price_cart};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/config", get(client_config))
        .route("/sellers", get(list_sellers))
        .route("/sellers/{account}/products", get(list_products))
        .route("/checkout", post(create_checkout))
        .route(
            "/checkout/{payment_intent}/transfers",
            post(transfers::order_transfers),
        )
}

async fn client_config(State(state): State<AppState>) -> Json<ClientConfig> {
    Json(ClientConfig {
        publishable_key: state.config.publishable_key.as_str().to_owned(),
        stripe_js_url: state.config.stripe_js_url.clone(),
        mode: state.config.mode,
        account_kinds: state.config.account_kinds.clone(),
        charge_type: state.config.charge_type,
    })
}

/// Sellers a shopper can pay now: connected accounts with charges enabled.
async fn list_sellers(State(state): State<AppState>) -> Result<Json<SellerList>, AppError> {
    let accounts = state.stripe.list_accounts().await?;
    let sellers = accounts
        .data
        .iter()
        .filter(|account| account.charges_enabled)
        .filter_map(Account::as_seller)
        .collect();
    Ok(Json(SellerList { sellers }))
}

/// The seller's catalog, refused unless the seller can take charges now.
async fn chargeable_catalog(
    state: &AppState,
    account: &AccountId,
) -> Result<Arc<SellerCatalog>, AppError> {
    let catalog = seller_catalog(state, account).await?;
    if !catalog.charges_enabled {
        return Err(cannot_take_charges(&catalog, false));
    }
    Ok(catalog)
}

/// 409 for a seller Stripe does not let take charges now; in a marketplace cart the message
/// names the seller, so the shopper knows whose items to take out.
fn cannot_take_charges(catalog: &SellerCatalog, name_the_seller: bool) -> AppError {
    let message = if name_the_seller {
        format!(
            "{} cannot take payments yet: remove their items from the cart, or try again later.",
            catalog.seller.display_name
        )
    } else {
        "This seller cannot take payments yet. Please try again later or choose another seller."
            .to_owned()
    };
    AppError::new(
        StatusCode::CONFLICT,
        ErrorCode::SellerCannotTakeCharges,
        message,
    )
    .with_detail(format!("{} has charges_enabled=false", catalog.seller.id))
}

async fn list_products(
    State(state): State<AppState>,
    Path(account): Path<String>,
) -> Result<Json<ProductList>, AppError> {
    let account = AccountId::new(account)?;
    let catalog = chargeable_catalog(&state, &account).await?;
    let products = catalog
        .prices
        .iter()
        .map(|price| Product {
            price: price.id.clone(),
            name: price.name.clone(),
            description: price.description.clone(),
            unit_amount: price.unit_amount.clone(),
        })
        .collect();
    Ok(Json(ProductList {
        seller: catalog.seller.clone(),
        products,
    }))
}

/// `POST /api/checkout`: validate the cart, price it from each seller's own catalog, ask Stripe
/// for its one PaymentIntent, answer what the browser needs to pay it.
async fn create_checkout(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CheckoutRequest>,
) -> Result<Json<CheckoutSession>, AppError> {
    request.validate()?;
    let charge_type = state.config.charge_type.for_cart(request.is_marketplace());
    let cart = price_request(&state, &request).await?;
    let intent = match charge_type {
        ChargeType::Separate => order::create_order_intent(&state, &request, &cart).await?,
        ChargeType::Direct | ChargeType::Destination => {
            create_seller_intent(&state, &request, &cart, charge_type).await?
        }
    };
    session_for(intent, cart, charge_type, &request)
}

/// A cart priced by the function, seller by seller.
#[derive(Debug)]
pub struct PricedCart {
    /// One per seller, in the order their first lines appear in the cart.
    pub parts: Vec<SellerPart>,
    /// Every line, in the cart's order.
    pub lines: Vec<CheckoutLine>,
    pub total: Money,
}

/// One seller's lines of a cart.
#[derive(Debug)]
pub struct SellerPart {
    pub seller: Seller,
    pub lines: Vec<CheckoutLine>,
    pub subtotal: Money,
}

/// Prices each line from its seller's catalog. The catalogs are read side by side: a cart of
/// ten sellers waits for the slowest seller, not for all ten in turn.
async fn price_request(
    state: &AppState,
    request: &CheckoutRequest,
) -> Result<PricedCart, AppError> {
    let sellers = request.sellers();
    let catalogs =
        futures_util::future::join_all(sellers.iter().map(|seller| seller_catalog(state, seller)))
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
    let mut parts = Vec::with_capacity(sellers.len());
    for (seller, catalog) in sellers.into_iter().zip(&catalogs) {
        if !catalog.charges_enabled {
            return Err(cannot_take_charges(catalog, request.is_marketplace()));
        }
        // The prices come from the seller's own account: a price of another seller is simply
        // not in this catalog, so it cannot be slipped into this seller's lines.
        let items: Vec<CartItem> = request
            .items
            .iter()
            .filter(|item| request.seller_of(item) == Some(seller))
            .cloned()
            .collect();
        let (lines, subtotal) =
            price_cart(seller, &items, &catalog.prices).map_err(pricing_error)?;
        parts.push(SellerPart {
            seller: catalog.seller.clone(),
            lines,
            subtotal,
        });
    }
    let total = order_total(&parts)?;
    let lines = request
        .items
        .iter()
        .filter_map(|item| {
            parts
                .iter()
                .flat_map(|part| &part.lines)
                .find(|line| line.price == item.price)
                .cloned()
        })
        .collect();
    Ok(PricedCart {
        parts,
        lines,
        total,
    })
}

/// The sum of the sellers' subtotals, in their one currency.
fn order_total(parts: &[SellerPart]) -> Result<Money, AppError> {
    let Some((first, rest)) = parts.split_first() else {
        return Err(empty_cart());
    };
    let mut total = first.subtotal.clone();
    for part in rest {
        if part.subtotal.currency != total.currency {
            return Err(AppError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::CurrencyMismatch,
                format!(
                    "{} sells in {} and {} in {}: one payment has one currency, so pay for each \
                     currency's items in a separate order",
                    first.seller.display_name,
                    total.currency.as_str().to_uppercase(),
                    part.seller.display_name,
                    part.subtotal.currency.as_str().to_uppercase(),
                ),
            ));
        }
        total.amount = total
            .amount
            .checked_add(part.subtotal.amount)
            .filter(|sum| *sum <= pricing::MAX_AMOUNT)
            .ok_or_else(|| pricing_error(PricingError::TooLarge))?;
    }
    Ok(total)
}

/// `validate` refuses an empty cart first; this keeps the later steps from assuming it.
fn empty_cart() -> AppError {
    AppError::invalid("items: the cart is empty: add at least one item")
}

fn pricing_error(error: PricingError) -> AppError {
    let code = match error {
        PricingError::UnknownPrice(_) => ErrorCode::PriceNotFound,
        PricingError::CurrencyMismatch { .. } => ErrorCode::CurrencyMismatch,
        PricingError::TooLarge => ErrorCode::AmountOutOfRange,
    };
    AppError::new(StatusCode::BAD_REQUEST, code, error.to_string())
}

/// A single-seller cart's PaymentIntent: on the seller's account with the platform's
/// `application_fee_amount` (direct), or on the platform sent on to the seller (destination).
async fn create_seller_intent(
    state: &AppState,
    request: &CheckoutRequest,
    cart: &PricedCart,
    charge_type: ChargeType,
) -> Result<PaymentIntent, AppError> {
    let Some(SellerPart { seller, .. }) = cart.parts.first() else {
        return Err(empty_cart());
    };
    let seller_id = &seller.id;
    let fee = state.config.fee.fee_on(&cart.total);
    let spec = PaymentIntentSpec {
        total: &cart.total,
        description: order::describe(&cart.lines),
        transfer_group: None,
        metadata: vec![
            (
                "checkout_attempt".into(),
                request.attempt.as_str().to_owned(),
            ),
            ("seller".into(), seller_id.as_str().to_owned()),
        ],
        receipt_email: request.email.as_deref(),
        trailing_metadata: Vec::new(),
        routing: PaymentRouting::for_charge(charge_type, seller_id, &fee),
    };
    let key = IdempotencyKey::derive("checkout", &[seller_id.as_str(), request.attempt.as_str()]);
    let intent = post_intent(state, &spec, &key, |intent| {
        intent.metadata.get("checkout_attempt").map(String::as_str)
            == Some(request.attempt.as_str())
            && intent.metadata.get("seller").map(String::as_str) == Some(seller_id.as_str())
            && order::same_money(intent, &cart.total)
    })
    .await?;
    tracing::info!(
        payment_intent = %intent.id,
        seller = %seller_id,
        amount = intent.amount,
        currency = %intent.currency,
        fee = fee.amount,
        "checkout prepared"
    );
    Ok(intent)
}

/// `POST /v1/payment_intents` with the attempt's key. Stripe stores a 5xx under its
/// Idempotency-Key and replays it (crates/sandbox/FIDELITY.md §Idempotency), so after a 5xx the
/// PaymentIntent may exist with no way to read it through the same key: look for the newest
/// one `is_this_attempts` recognizes before giving up, so the attempt still gets its one
/// PaymentIntent and the shopper can pay.
async fn post_intent(
    state: &AppState,
    spec: &PaymentIntentSpec<'_>,
    key: &IdempotencyKey,
    is_this_attempts: impl Fn(&PaymentIntent) -> bool,
) -> Result<PaymentIntent, AppError> {
    match state.stripe.create_payment_intent(spec, key).await {
        Ok(intent) => Ok(intent),
        Err(error) if error.status().is_some_and(|status| status >= 500) => {
            let recent = state
                .stripe
                .list_payment_intents(spec.routing.account.as_ref())
                .await
                .ok();
            let found = recent.and_then(|recent| {
                recent
                    .data
                    .into_iter()
                    .find(|intent| intent.client_secret.is_some() && is_this_attempts(intent))
            });
            match found {
                Some(intent) => {
                    tracing::warn!(payment_intent = %intent.id, "recovered the attempt's PaymentIntent after a 5xx");
                    Ok(intent)
                }
                None => Err(amount_errors(error)),
            }
        }
        Err(error) => Err(amount_errors(error)),
    }
}

/// What the browser needs to confirm `intent`, and the order it pays for.
fn session_for(
    intent: PaymentIntent,
    cart: PricedCart,
    charge_type: ChargeType,
    request: &CheckoutRequest,
) -> Result<Json<CheckoutSession>, AppError> {
    let client_secret = intent.client_secret.ok_or_else(|| {
        AppError::from(StripeError::Decode {
            path: "/v1/payment_intents".into(),
            detail: "no client_secret in the PaymentIntent".into(),
        })
    })?;
    let sellers: Vec<Seller> = cart.parts.into_iter().map(|part| part.seller).collect();
    let first = sellers.first().cloned().ok_or_else(empty_cart)?;
    Ok(Json(CheckoutSession {
        payment_intent: intent.id,
        client_secret,
        stripe_account: charge_type.payment_account(&first.id).cloned(),
        seller: first,
        sellers,
        lines: cart.lines,
        total: cart.total,
        transfer_group: (charge_type == ChargeType::Separate)
            .then(|| order::transfer_group(&request.attempt)),
    }))
}

/// Stripe's minimum and maximum amounts are rules the shopper can act on.
fn amount_errors(error: StripeError) -> AppError {
    match (&error, error.code()) {
        (StripeError::Api { error: api, .. }, Some("amount_too_small" | "amount_too_large")) => {
            let message = api
                .message
                .clone()
                .unwrap_or_else(|| "The total is outside what a card payment allows.".into());
            AppError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::AmountOutOfRange,
                message,
            )
        }
        _ => AppError::from(error),
    }
}
