//! What sellers sell: Products and their Prices, each on one account.
//! `GET /v1/products`, `GET /v1/products/{id}`, `GET /v1/prices`, `GET /v1/prices/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::expand;
use super::list::{Listed, list};
use crate::http::PathId;
use crate::http::auth::Access;
use crate::http::error::ApiError;
use crate::http::params::{Field, LIST_FIELDS, Ty, opt};
use crate::http::pipeline::{ApiRequest, Endpoint, run};
use crate::seed::SeedProduct;
use crate::state::{SandboxState, Store};

#[derive(Clone, Debug)]
pub(crate) struct Product {
    pub id: String,
    pub account: String,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub default_price: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Price {
    pub id: String,
    pub account: String,
    pub product: String,
    pub unit_amount: i64,
    pub currency: String,
    pub active: bool,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub seq: u64,
}

impl Product {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "product",
            "active": self.active,
            "created": self.created,
            "default_price": self.default_price,
            "description": self.description,
            "images": [],
            "livemode": false,
            "marketing_features": [],
            "metadata": self.metadata,
            "name": self.name,
            "package_dimensions": null,
            "shippable": null,
            "statement_descriptor": null,
            "tax_code": null,
            "type": "service",
            "unit_label": null,
            "updated": self.created,
            "url": null,
        })
    }
}

impl Price {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "price",
            "active": self.active,
            "billing_scheme": "per_unit",
            "created": self.created,
            "currency": self.currency,
            "custom_unit_amount": null,
            "livemode": false,
            "lookup_key": null,
            "metadata": self.metadata,
            "nickname": null,
            "product": self.product,
            "recurring": null,
            "tax_behavior": "unspecified",
            "tiers_mode": null,
            "transform_quantity": null,
            "type": "one_time",
            "unit_amount": self.unit_amount,
            "unit_amount_decimal": self.unit_amount.to_string(),
        })
    }
}

impl Listed for Product {
    fn id(&self) -> &str {
        &self.id
    }
    fn order(&self) -> (i64, u64) {
        (self.created, self.seq)
    }
}

impl Listed for Price {
    fn id(&self) -> &str {
        &self.id
    }
    fn order(&self) -> (i64, u64) {
        (self.created, self.seq)
    }
}

/// Puts seeded products and their prices on `account`.
pub(crate) fn seed_products(store: &mut Store, account: &str, products: &[SeedProduct]) {
    for (i, seeded) in products.iter().enumerate() {
        let created = seeded
            .created
            .unwrap_or(crate::seed::Seed::epoch() + i as i64);
        let seq = store.next_seq();
        store.products.insert(
            seeded.id.clone(),
            Product {
                id: seeded.id.clone(),
                account: account.to_owned(),
                name: seeded.name.clone(),
                description: seeded.description.clone(),
                active: seeded.active,
                default_price: seeded.prices.first().map(|p| p.id.clone()),
                metadata: BTreeMap::new(),
                created,
                seq,
            },
        );
        for price in &seeded.prices {
            let seq = store.next_seq();
            store.prices.insert(
                price.id.clone(),
                Price {
                    id: price.id.clone(),
                    account: account.to_owned(),
                    product: seeded.id.clone(),
                    unit_amount: price.unit_amount,
                    currency: price.currency.clone(),
                    active: price.active && seeded.active,
                    metadata: BTreeMap::new(),
                    created,
                    seq,
                },
            );
        }
    }
}

const RETRIEVE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[],
};

const LIST_PRICES: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        LIST_FIELDS[0],
        LIST_FIELDS[1],
        LIST_FIELDS[2],
        opt("active", Ty::Bool),
        opt("product", Ty::Str),
        opt("currency", Ty::Str),
        opt("type", Ty::Enum(&["one_time", "recurring"])),
    ],
};

const LIST_PRODUCTS: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        LIST_FIELDS[0],
        LIST_FIELDS[1],
        LIST_FIELDS[2],
        opt("active", Ty::Bool),
        opt("ids", Ty::List(&Ty::Str)),
    ],
};

// The list fields are copied into each schema above; keep the compiler checking they exist.
const _: [Field; 3] = LIST_FIELDS;

/// `GET /v1/prices/{id}` on the caller's account.
pub(crate) async fn retrieve_price(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        let account = &call.caller.account;
        let price = call
            .store
            .prices
            .get(&id)
            .filter(|p| &p.account == account)
            .ok_or_else(|| ApiError::resource_missing("price", &id, "id"))?;
        let mut value = price.to_json();
        expand::apply(
            call.store,
            account,
            &mut value,
            &call.params.expand(),
            false,
        )?;
        Ok(value)
    })
    .await
}

/// `GET /v1/prices` on the caller's account, filtered by `active`, `product`, `currency`.
pub(crate) async fn list_prices(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST_PRICES, |call| {
        let account = &call.caller.account;
        let p = call.params;
        if p.str("type") == Some("recurring") {
            // The sandbox sells one-time prices only.
            return list(
                std::iter::empty::<&Price>(),
                p,
                "/v1/prices",
                "price",
                Price::to_json,
            );
        }
        let prices = call.store.prices.values().filter(|price| {
            &price.account == account
                && p.bool("active").is_none_or(|a| price.active == a)
                && p.str("product").is_none_or(|id| price.product == id)
                && p.str("currency").is_none_or(|c| price.currency == c)
        });
        let mut value = list(prices, p, "/v1/prices", "price", Price::to_json)?;
        expand::apply(call.store, account, &mut value, &p.expand(), false)?;
        Ok(value)
    })
    .await
}

/// `GET /v1/products/{id}` on the caller's account.
pub(crate) async fn retrieve_product(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        let account = &call.caller.account;
        let product = call
            .store
            .products
            .get(&id)
            .filter(|p| &p.account == account)
            .ok_or_else(|| ApiError::resource_missing("product", &id, "id"))?;
        let mut value = product.to_json();
        expand::apply(
            call.store,
            account,
            &mut value,
            &call.params.expand(),
            false,
        )?;
        Ok(value)
    })
    .await
}

/// `GET /v1/products` on the caller's account.
pub(crate) async fn list_products(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST_PRODUCTS, |call| {
        let account = &call.caller.account;
        let p = call.params;
        let ids = p.strings("ids");
        let products = call.store.products.values().filter(|product| {
            &product.account == account
                && p.bool("active").is_none_or(|a| product.active == a)
                && (ids.is_empty() || ids.contains(&product.id))
        });
        let mut value = list(products, p, "/v1/products", "product", Product::to_json)?;
        expand::apply(call.store, account, &mut value, &p.expand(), false)?;
        Ok(value)
    })
    .await
}
