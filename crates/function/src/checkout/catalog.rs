//! A seller's catalog, read once per checkout and kept for a few seconds.
//!
//! One checkout costs a fixed number of Stripe calls whatever the cart holds: the seller's
//! account and its active prices (one list, paged), instead of one price read per line. Stripe
//! limits each platform's request rate for every seller at once, so a cart of made-up price
//! ids must not turn into fifty reads. The short per-seller cache makes repeated checkouts of
//! the same seller cost only the PaymentIntent; a verified `account.updated`, `product.*` or
//! `price.*` event drops the seller's entry at once, and nothing older than the TTL is used, so
//! an amount always comes from a price read at most that long ago.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect_checkout_core::AccountId;
use connect_checkout_core::api::Seller;

use super::pricing::CatalogPrice;
use crate::AppState;
use crate::error::AppError;
use crate::stripe::objects::Account;

/// Pages of 100 prices read per seller: 1,000 active prices. A price past them is not for
/// sale through this checkout (the product list shows the same 1,000).
pub const MAX_CATALOG_PAGES: usize = 10;

/// Sellers kept at once; past this, catalogs are read but not kept until entries expire, so
/// requests naming many sellers cannot grow the memory without bound.
const MAX_CACHED_SELLERS: usize = 10_000;

/// What a checkout needs of a seller, as Stripe said it when it was read.
#[derive(Debug)]
pub struct SellerCatalog {
    pub seller: Seller,
    pub charges_enabled: bool,
    /// The prices a one-off checkout can charge; inactive and recurring ones are left out.
    pub prices: Vec<CatalogPrice>,
}

/// Catalogs by seller, each kept for the TTL (`CATALOG_CACHE_SECONDS`; 0 keeps none).
#[derive(Debug)]
pub struct CatalogCache {
    ttl: Duration,
    entries: Mutex<HashMap<AccountId, (Instant, Arc<SellerCatalog>)>>,
}

impl CatalogCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn fresh(&self, account: &AccountId) -> Option<Arc<SellerCatalog>> {
        let entries = self.entries.lock().ok()?;
        let (read_at, catalog) = entries.get(account)?;
        (read_at.elapsed() < self.ttl).then(|| Arc::clone(catalog))
    }

    fn keep(&self, account: &AccountId, read_at: Instant, catalog: &Arc<SellerCatalog>) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_CACHED_SELLERS {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
        }
        if entries.len() < MAX_CACHED_SELLERS {
            entries.insert(account.clone(), (read_at, Arc::clone(catalog)));
        }
    }

    /// Forgets `account`'s catalog: the next checkout reads it again.
    pub fn invalidate(&self, account: &str) {
        if let (Ok(account), Ok(mut entries)) = (AccountId::new(account), self.entries.lock()) {
            entries.remove(&account);
        }
    }
}

/// The seller's account and active prices: from the cache when read within the TTL, else from
/// Stripe (the account and the first page of prices side by side, then the next pages).
pub async fn seller_catalog(
    state: &AppState,
    account: &AccountId,
) -> Result<Arc<SellerCatalog>, AppError> {
    if let Some(catalog) = state.catalog.fresh(account) {
        return Ok(catalog);
    }
    // Taken before the calls: an entry may be used for the TTL after what it says was true.
    let read_at = Instant::now();
    let (seller, prices) = tokio::join!(read_account(state, account), read_prices(state, account));
    let seller = seller?;
    let catalog = Arc::new(SellerCatalog {
        charges_enabled: seller.charges_enabled,
        seller: seller
            .as_seller()
            .ok_or_else(|| AppError::not_found("unknown seller"))?,
        prices: prices?,
    });
    state.catalog.keep(account, read_at, &catalog);
    Ok(catalog)
}

/// The connected account `account`, as the platform sees it; the seller pages read it too.
pub(crate) async fn read_account(
    state: &AppState,
    account: &AccountId,
) -> Result<Account, AppError> {
    state
        .stripe
        .retrieve_account(account)
        .await
        .map_err(|error| match error.status() {
            Some(404) => AppError::seller_not_found().with_detail(error.to_string()),
            _ => AppError::from(error),
        })
}

async fn read_prices(state: &AppState, account: &AccountId) -> Result<Vec<CatalogPrice>, AppError> {
    let mut prices = Vec::new();
    let mut starting_after: Option<String> = None;
    for _ in 0..MAX_CATALOG_PAGES {
        let page = state
            .stripe
            .list_active_prices(account, starting_after.as_deref())
            .await?;
        prices.extend(page.data.iter().filter_map(CatalogPrice::from_stripe));
        match page.data.last() {
            Some(last) if page.has_more => starting_after = Some(last.id.clone()),
            _ => return Ok(prices),
        }
    }
    tracing::warn!(
        seller = %account,
        pages = MAX_CATALOG_PAGES,
        "the seller has more active prices than one checkout reads; later ones are not for sale here"
    );
    Ok(prices)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn catalog() -> Arc<SellerCatalog> {
        Arc::new(SellerCatalog {
            seller: Seller {
                id: AccountId::new("acct_1Cached").unwrap(),
                display_name: "Cached".into(),
                default_currency: None,
            },
            charges_enabled: true,
            prices: Vec::new(),
        })
    }

    #[test]
    fn an_entry_lives_for_the_ttl_and_until_invalidated() {
        let cache = CatalogCache::new(Duration::from_secs(30));
        let account = AccountId::new("acct_1Cached").unwrap();
        cache.keep(&account, Instant::now(), &catalog());
        assert!(cache.fresh(&account).is_some());
        cache.invalidate("acct_1Cached");
        assert!(cache.fresh(&account).is_none());

        let old = Instant::now() - Duration::from_secs(31);
        cache.keep(&account, old, &catalog());
        assert!(cache.fresh(&account).is_none(), "older than the TTL");
    }

    #[test]
    fn a_ttl_of_zero_keeps_nothing() {
        let cache = CatalogCache::new(Duration::ZERO);
        let account = AccountId::new("acct_1Cached").unwrap();
        cache.keep(&account, Instant::now(), &catalog());
        assert!(cache.fresh(&account).is_none());
    }
}
