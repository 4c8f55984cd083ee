//! What sellers sell: Products and their Prices, each on one account.
//! `POST /v1/products` (with `default_price_data`), `POST /v1/products/{id}`,
//! `GET /v1/products`, `GET /v1/products/{id}`, `POST /v1/prices` (one-time prices; `product`
//! or `product_data`), `POST /v1/prices/{id}`, `GET /v1/prices`, `GET /v1/prices/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::expand;
use super::list::{list, list_endpoint, listed_by_creation};
use super::retrieve::{RETRIEVE, owned_by_account, owned_mut, retrieve_expanded};
use crate::currency;
use crate::http::auth::Access;
use crate::http::error::ApiError;
use crate::http::params::{Field, NON_NEGATIVE, Params, Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
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

owned_by_account!(Product, Price);
listed_by_creation!(Product, Price);

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

const LIST_PRICES: Endpoint = list_endpoint![
    opt("active", Ty::Bool),
    opt("product", Ty::Str),
    opt("currency", Ty::Str),
    opt("type", Ty::Enum(&["one_time", "recurring"])),
];

const LIST_PRODUCTS: Endpoint =
    list_endpoint![opt("active", Ty::Bool), opt("ids", Ty::List(&Ty::Str))];

/// `GET /v1/prices/{id}` on the caller's account.
pub(crate) async fn retrieve_price(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        retrieve_expanded(call, |store| &store.prices, "price", id, Price::to_json)
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
        let value = list(prices, p, "/v1/prices", "price", Price::to_json)?;
        expand::requested(call.store, call.caller, p, value)
    })
    .await
}

/// `GET /v1/products/{id}` on the caller's account.
pub(crate) async fn retrieve_product(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        retrieve_expanded(
            call,
            |store| &store.products,
            "product",
            id,
            Product::to_json,
        )
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
        let value = list(products, p, "/v1/products", "product", Product::to_json)?;
        expand::requested(call.store, call.caller, p, value)
    })
    .await
}

const PRICE_DATA: &[Field] = &[
    req("currency", Ty::Str),
    req("unit_amount", NON_NEGATIVE),
    opt("recurring", Ty::AnyObj),
    opt(
        "tax_behavior",
        Ty::Enum(&["exclusive", "inclusive", "unspecified"]),
    ),
];

const PRODUCT_DATA: &[Field] = &[
    req("name", Ty::Str),
    opt("active", Ty::Bool),
    opt("metadata", Ty::Metadata),
];

const CREATE_PRODUCT: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        req("name", Ty::Str),
        opt("id", Ty::Str),
        opt("description", Ty::Str),
        opt("active", Ty::Bool),
        opt("metadata", Ty::Metadata),
        opt("default_price_data", Ty::Obj(PRICE_DATA)),
        opt("images", Ty::List(&Ty::Str)),
        opt("url", Ty::Str),
        opt("expand", Ty::List(&Ty::Str)),
    ],
};

const UPDATE_PRODUCT: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        opt("name", Ty::Str),
        opt("description", Ty::Str),
        opt("active", Ty::Bool),
        opt("metadata", Ty::Metadata),
        opt("default_price", Ty::Str),
        opt("expand", Ty::List(&Ty::Str)),
    ],
};

const CREATE_PRICE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        req("currency", Ty::Str),
        opt("unit_amount", NON_NEGATIVE),
        opt("product", Ty::Str),
        opt("product_data", Ty::Obj(PRODUCT_DATA)),
        opt("active", Ty::Bool),
        opt("metadata", Ty::Metadata),
        opt("nickname", Ty::Str),
        opt("lookup_key", Ty::Str),
        opt("recurring", Ty::AnyObj),
        opt(
            "tax_behavior",
            Ty::Enum(&["exclusive", "inclusive", "unspecified"]),
        ),
        opt("expand", Ty::List(&Ty::Str)),
    ],
};

const UPDATE_PRICE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        opt("active", Ty::Bool),
        opt("metadata", Ty::Metadata),
        opt("nickname", Ty::Str),
        opt("expand", Ty::List(&Ty::Str)),
    ],
};

/// A one-time price's amount and currency, checked as Stripe checks them.
fn price_terms(p: &Params, prefix: &str) -> Result<(i64, String), ApiError> {
    let named = |field: &str| {
        if prefix.is_empty() {
            field.to_owned()
        } else {
            format!("{prefix}[{field}]")
        }
    };
    if p.contains("recurring") {
        return Err(ApiError::invalid_request(
            "The Stripe sandbox sells one-time prices only: recurring prices are not supported.",
        )
        .param(named("recurring")));
    }
    let currency = p.str("currency").unwrap_or_default().to_ascii_lowercase();
    if !currency::is_supported(&currency) {
        return Err(
            ApiError::invalid_request(currency::unsupported_message(&currency))
                .param(named("currency")),
        );
    }
    let amount = p
        .int("unit_amount")
        .ok_or_else(|| ApiError::parameter_missing(&named("unit_amount")))?;
    if amount > 99_999_999 {
        return Err(ApiError::invalid_request(
            "This value must be less than or equal to 99999999.",
        )
        .param(named("unit_amount")));
    }
    Ok((amount, currency))
}

impl Store {
    fn add_price(
        &mut self,
        account: &str,
        product: &str,
        amount: i64,
        currency: String,
        p: &Params,
        now: i64,
    ) -> Price {
        let price = Price {
            id: self.new_id("price_", 24),
            account: account.to_owned(),
            product: product.to_owned(),
            unit_amount: amount,
            currency,
            active: p.bool("active").unwrap_or(true),
            metadata: p.string_map("metadata"),
            created: now,
            seq: self.next_seq(),
        };
        self.prices.insert(price.id.clone(), price.clone());
        price
    }
}

/// `POST /v1/products` on the caller's account.
pub(crate) async fn create_product(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE_PRODUCT, |call| {
        let p = call.params;
        let account = call.caller.account.clone();
        let name = p.str("name").unwrap_or_default();
        if name.trim().is_empty() {
            return Err(ApiError::parameter_invalid_empty("name"));
        }
        let id = match p.str("id") {
            Some(id) if call.store.products.contains_key(id) => {
                return Err(ApiError::invalid_request(format!(
                    "Product already exists with id: {id}"
                ))
                .code("resource_already_exists")
                .param("id"));
            }
            Some(id) => id.to_owned(),
            None => call.store.new_id("prod_", 14),
        };
        let terms = p
            .obj("default_price_data")
            .map(|data| price_terms(data, "default_price_data"))
            .transpose()?;
        let mut product = Product {
            id: id.clone(),
            account: account.clone(),
            name: name.to_owned(),
            description: p.str("description").map(str::to_owned),
            active: p.bool("active").unwrap_or(true),
            default_price: None,
            metadata: p.string_map("metadata"),
            created: call.now,
            seq: call.store.next_seq(),
        };
        if let (Some((amount, currency)), Some(data)) = (terms, p.obj("default_price_data")) {
            let price = call
                .store
                .add_price(&account, &id, amount, currency, data, call.now);
            product.default_price = Some(price.id);
        }
        let value = product.to_json();
        call.store.products.insert(id, product);
        call.store.emit(
            &account,
            "product.created",
            value.clone(),
            None,
            call.origin,
            call.now,
        );
        Ok(value)
    })
    .await
}

/// `POST /v1/products/{id}`: name, description, active, metadata, default_price.
pub(crate) async fn update_product(req: ObjectRequest) -> Response {
    run_on_object(req, &UPDATE_PRODUCT, |call, id| {
        let p = call.params;
        let account = call.caller.account.clone();
        if let Some(price) = p.str("default_price")
            && !call
                .store
                .prices
                .get(price)
                .is_some_and(|x| x.account == account && x.product == id)
        {
            return Err(ApiError::resource_missing("price", price, "default_price")
                .status(axum::http::StatusCode::BAD_REQUEST));
        }
        let product = owned_mut(&mut call.store.products, &account, "product", id)?;
        if let Some(name) = p.str("name") {
            product.name = name.to_owned();
        }
        if let Some(description) = p.str("description") {
            product.description = (!description.is_empty()).then(|| description.to_owned());
        }
        if let Some(active) = p.bool("active") {
            product.active = active;
        }
        if let Some(price) = p.str("default_price") {
            product.default_price = Some(price.to_owned());
        }
        product.metadata.extend(p.string_map("metadata"));
        product.metadata.retain(|_, value| !value.is_empty());
        Ok(product.to_json())
    })
    .await
}

/// `POST /v1/prices` on the caller's account: for `product`, or a new one from `product_data`.
pub(crate) async fn create_price(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE_PRICE, |call| {
        let p = call.params;
        let account = call.caller.account.clone();
        let (amount, currency) = price_terms(p, "")?;
        let product = match (p.str("product"), p.obj("product_data")) {
            (Some(id), None) => {
                let owned = call.store.products.get(id).map(|product| &product.account);
                if owned != Some(&account) {
                    return Err(ApiError::resource_missing("product", id, "product")
                        .status(axum::http::StatusCode::BAD_REQUEST));
                }
                id.to_owned()
            }
            (None, Some(data)) => {
                let id = call.store.new_id("prod_", 14);
                let product = Product {
                    id: id.clone(),
                    account: account.clone(),
                    name: data.str("name").unwrap_or_default().to_owned(),
                    description: None,
                    active: data.bool("active").unwrap_or(true),
                    default_price: None,
                    metadata: data.string_map("metadata"),
                    created: call.now,
                    seq: call.store.next_seq(),
                };
                call.store.products.insert(id.clone(), product);
                id
            }
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_request(
                    "You may only specify one of these parameters: product, product_data.",
                )
                .param("product"));
            }
            (None, None) => return Err(ApiError::parameter_missing("product")),
        };
        let price = call
            .store
            .add_price(&account, &product, amount, currency, p, call.now);
        let value = price.to_json();
        expand::requested(call.store, call.caller, p, value)
    })
    .await
}

/// `POST /v1/prices/{id}`: active, metadata, nickname (amounts never change on Stripe).
pub(crate) async fn update_price(req: ObjectRequest) -> Response {
    run_on_object(req, &UPDATE_PRICE, |call, id| {
        let p = call.params;
        let account = call.caller.account.clone();
        let price = owned_mut(&mut call.store.prices, &account, "price", id)?;
        if let Some(active) = p.bool("active") {
            price.active = active;
        }
        price.metadata.extend(p.string_map("metadata"));
        price.metadata.retain(|_, value| !value.is_empty());
        Ok(price.to_json())
    })
    .await
}
