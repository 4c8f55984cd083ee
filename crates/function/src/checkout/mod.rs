//! The shopper's journey: what the browser needs to show sellers and products and to pay.
//!
//! Amounts, currency, fee and destination are all decided here from Stripe's data; the browser
//! only says which prices and how many.

pub mod catalog;
pub mod pricing;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use connect_checkout_core::api::{
    CheckoutRequest, CheckoutSession, ClientConfig, ErrorCode, Product, ProductList, Seller,
    SellerList,
};
use connect_checkout_core::{AccountId, Currency};

use crate::AppState;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::stripe::objects::{Account, List, PaymentIntent};
use crate::stripe::{IdempotencyKey, Params, StripeError};
use catalog::{SellerCatalog, seller_catalog};
use pricing::{PricingError, price_cart};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/config", get(client_config))
        .route("/sellers", get(list_sellers))
        .route("/sellers/{account}/products", get(list_products))
        .route("/checkout", post(create_checkout))
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

fn seller_of(account: &Account) -> Option<Seller> {
    Some(Seller {
        id: AccountId::new(account.id.clone()).ok()?,
        display_name: account.display_name(),
        default_currency: account
            .default_currency
            .as_deref()
            .and_then(|c| Currency::new(c).ok()),
    })
}

/// Sellers a shopper can pay now: connected accounts with charges enabled.
async fn list_sellers(State(state): State<AppState>) -> Result<Json<SellerList>, AppError> {
    let accounts: List<Account> = state
        .stripe
        .get("/v1/accounts", &Params::new().set("limit", 100), None)
        .await?;
    let sellers = accounts
        .data
        .iter()
        .filter(|account| account.charges_enabled)
        .filter_map(seller_of)
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
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ErrorCode::SellerCannotTakeCharges,
            "This seller cannot take payments yet. Please try again later or choose another seller.",
        )
        .with_detail(format!("{account} has charges_enabled=false")));
    }
    Ok(catalog)
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

async fn create_checkout(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CheckoutRequest>,
) -> Result<Json<CheckoutSession>, AppError> {
    request.validate()?;
    let Some(seller_id) = request
        .seller
        .as_ref()
        .filter(|_| !request.is_marketplace())
    else {
        return Err(AppError::invalid(
            "items: this function takes one seller per cart; name the seller once, not per line",
        ));
    };
    // The prices come from the seller's own account: a price of another seller is simply not
    // in this catalog, so it cannot be slipped into this cart.
    let catalog = chargeable_catalog(&state, seller_id).await?;
    let (lines, total) =
        price_cart(seller_id, &request.items, &catalog.prices).map_err(|error| {
            let code = match error {
                PricingError::UnknownPrice(_) => ErrorCode::PriceNotFound,
                PricingError::CurrencyMismatch { .. } => ErrorCode::CurrencyMismatch,
                PricingError::TooLarge => ErrorCode::AmountOutOfRange,
            };
            AppError::new(StatusCode::BAD_REQUEST, code, error.to_string())
        })?;
    let fee = state.config.fee.fee_on(&total);

    let description: String = lines
        .iter()
        .map(|line| format!("{} × {}", line.quantity, line.name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut form = Params::new()
        .set("amount", total.amount)
        .set("currency", total.currency.as_str())
        .set("automatic_payment_methods[enabled]", "true")
        .set(
            "description",
            description.chars().take(500).collect::<String>(),
        )
        .set("metadata[checkout_attempt]", request.attempt.as_str())
        .set("metadata[seller]", seller_id.as_str())
        .set_opt("receipt_email", request.email.as_deref());
    if fee.amount > 0 {
        form = form.set("application_fee_amount", fee.amount);
    }
    let charge_type = state.config.charge_type;
    let on_account = charge_type.payment_account(seller_id);
    if let Some(merchant) = charge_type.on_behalf_of(seller_id) {
        form = form
            .set("transfer_data[destination]", merchant.as_str())
            .set("on_behalf_of", merchant.as_str());
    }
    let key = IdempotencyKey::derive("checkout", &[seller_id.as_str(), request.attempt.as_str()]);
    let intent: PaymentIntent = match state
        .stripe
        .post("/v1/payment_intents", &form, on_account, &key)
        .await
    {
        Ok(intent) => intent,
        // Stripe stores a 5xx under its Idempotency-Key and replays it (crates/sandbox/FIDELITY.md
        // §Idempotency), so after a 5xx the PaymentIntent may exist with no way to read it through
        // the same key. Look for it by the attempt it carries before giving up: the attempt still
        // gets its one PaymentIntent, and the shopper can pay.
        Err(error) if error.status().is_some_and(|status| status >= 500) => {
            match find_attempts_intent(&state, &request, seller_id, on_account, &total).await {
                Some(intent) => {
                    tracing::warn!(payment_intent = %intent.id, "recovered the attempt's PaymentIntent after a 5xx");
                    intent
                }
                None => return Err(amount_errors(error)),
            }
        }
        Err(error) => return Err(amount_errors(error)),
    };
    let client_secret = intent.client_secret.ok_or_else(|| {
        AppError::from(StripeError::Decode {
            path: "/v1/payment_intents".into(),
            detail: "no client_secret in the PaymentIntent".into(),
        })
    })?;
    tracing::info!(
        payment_intent = %intent.id,
        seller = %seller_id,
        amount = intent.amount,
        currency = %intent.currency,
        fee = fee.amount,
        "checkout prepared"
    );
    Ok(Json(CheckoutSession {
        payment_intent: intent.id,
        client_secret,
        stripe_account: on_account.cloned(),
        seller: catalog.seller.clone(),
        sellers: vec![catalog.seller.clone()],
        lines,
        total,
        transfer_group: None,
    }))
}

/// The PaymentIntent an earlier try of this attempt created, if Stripe has one: the newest
/// PaymentIntents on the same account carrying this attempt and seller, for the same amount.
async fn find_attempts_intent(
    state: &AppState,
    request: &CheckoutRequest,
    seller: &AccountId,
    on_account: Option<&AccountId>,
    total: &connect_checkout_core::Money,
) -> Option<PaymentIntent> {
    let query = Params::new().set("limit", 100);
    let recent: List<PaymentIntent> = state
        .stripe
        .get("/v1/payment_intents", &query, on_account)
        .await
        .ok()?;
    recent.data.into_iter().find(|intent| {
        intent.metadata.get("checkout_attempt").map(String::as_str)
            == Some(request.attempt.as_str())
            && intent.metadata.get("seller").map(String::as_str) == Some(seller.as_str())
            && intent.amount == total.amount
            && intent.currency == total.currency.as_str()
            && intent.client_secret.is_some()
    })
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
