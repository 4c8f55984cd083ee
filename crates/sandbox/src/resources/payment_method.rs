//! PaymentMethods of type `card`. Stripe.js makes them with the publishable key from the card
//! fields' iframe; a secret key may not send raw card numbers (FIDELITY.md §Test cards).
//! `POST /v1/payment_methods`, `GET /v1/payment_methods/{id}`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::address::{ADDRESS, Address};
use super::retrieve::{RETRIEVE, owned, owned_by_account};
use crate::cards::{self, CardDetails};
use crate::http::auth::{Access, Caller};
use crate::http::error::ApiError;
use crate::http::params::{Field, INT, Params, Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::{SandboxState, Store};

#[derive(Clone, Debug)]
pub(crate) struct PaymentMethod {
    pub id: String,
    pub account: String,
    pub card: CardDetails,
    pub billing_details: Value,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
}

owned_by_account!(PaymentMethod);

impl PaymentMethod {
    pub fn to_json(&self) -> Value {
        let c = &self.card;
        json!({
            "id": self.id,
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": self.billing_details,
            "card": {
                "brand": c.brand,
                "checks": {
                    "address_line1_check": null,
                    "address_postal_code_check": null,
                    "cvc_check": if c.cvc_given { Some("unchecked") } else { None },
                },
                "country": c.country,
                "display_brand": c.brand,
                "exp_month": c.exp_month,
                "exp_year": c.exp_year,
                "fingerprint": c.fingerprint,
                "funding": c.funding,
                "generated_from": null,
                "last4": c.last4,
                "networks": { "available": [c.brand], "preferred": null },
                "regulated_status": "unregulated",
                "three_d_secure_usage": { "supported": true },
                "wallet": null,
            },
            "created": self.created,
            "customer": null,
            "livemode": false,
            "metadata": self.metadata,
            "type": "card",
        })
    }
}

pub(crate) const BILLING_DETAILS: &[Field] = &[
    opt("address", Ty::Obj(ADDRESS)),
    opt("email", Ty::Str),
    opt("name", Ty::Str),
    opt("phone", Ty::Str),
];

const CARD: &[Field] = &[
    req("number", Ty::Str),
    req("exp_month", INT),
    req("exp_year", INT),
    opt("cvc", Ty::Str),
];

/// The fields of a card PaymentMethod, shared by `POST /v1/payment_methods` and
/// `payment_method_data` on confirm.
pub(crate) const PAYMENT_METHOD_DATA: &[Field] = &[
    req("type", Ty::Enum(&["card"])),
    opt("card", Ty::Obj(CARD)),
    opt("billing_details", Ty::Obj(BILLING_DETAILS)),
    opt("metadata", Ty::Metadata),
    opt(
        "allow_redisplay",
        Ty::Enum(&["always", "limited", "unspecified"]),
    ),
];

const CREATE: Endpoint = Endpoint {
    access: Access::Publishable,
    schema: PAYMENT_METHOD_DATA,
};

fn billing_details(params: Option<&Params>) -> Value {
    let p = params.cloned().unwrap_or_default();
    json!({
        "address": Address::from_params(p.obj("address")).to_json(),
        "email": p.str("email"),
        "name": p.str("name"),
        "phone": p.str("phone"),
        "tax_id": null,
    })
}

/// Makes a card PaymentMethod on the caller's account from `params` (the schema
/// [`PAYMENT_METHOD_DATA`]). `param_prefix` names the fields in errors
/// (`payment_method_data` on confirm).
pub(crate) fn create_from_params(
    store: &mut Store,
    caller: &Caller,
    params: &Params,
    now: i64,
    param_prefix: Option<&str>,
) -> Result<PaymentMethod, ApiError> {
    let name = |field: &str| match param_prefix {
        Some(prefix) => format!("{prefix}[{field}]"),
        None => field.to_owned(),
    };
    let card = params
        .obj("card")
        .ok_or_else(|| ApiError::parameter_missing(&name("card")))?;
    if !caller.is_publishable() {
        return Err(ApiError::invalid_request(
            "Sending credit card numbers directly to the Stripe API is generally unsafe. We \
             suggest you use test tokens that map to the test card you are using, see \
             https://stripe.com/docs/testing. To enable testing raw card data APIs, see \
             https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis.",
        )
        .param(name("card[number]")));
    }
    // Required by the schema, so present.
    let details = cards::read_card(
        card.str("number").unwrap_or_default(),
        card.int("exp_month").unwrap_or_default(),
        card.int("exp_year").unwrap_or_default(),
        card.str("cvc"),
        now,
    )?;
    Ok(insert(
        store,
        &caller.account,
        details,
        billing_details(params.obj("billing_details")),
        params.string_map("metadata"),
        now,
    ))
}

/// Stores a new PaymentMethod and returns a copy.
pub(crate) fn insert(
    store: &mut Store,
    account: &str,
    card: CardDetails,
    billing_details: Value,
    metadata: BTreeMap<String, String>,
    now: i64,
) -> PaymentMethod {
    let pm = PaymentMethod {
        id: store.new_id("pm_", 24),
        account: account.to_owned(),
        card,
        billing_details,
        metadata,
        created: now,
    };
    store.payment_methods.insert(pm.id.clone(), pm.clone());
    pm
}

/// The PaymentMethod `id` names for the caller: one of its own, or a `pm_card_*` test id,
/// which (as on Stripe) makes a fresh PaymentMethod on the caller's account.
pub(crate) fn resolve(
    store: &mut Store,
    account: &str,
    id: &str,
    param: &str,
    now: i64,
) -> Result<PaymentMethod, ApiError> {
    if let Some(pm) = store
        .payment_methods
        .get(id)
        .filter(|pm| pm.account == account)
    {
        return Ok(pm.clone());
    }
    match cards::by_pm_id(id) {
        Some(test_card) => {
            let details = cards::details_of_test_card(test_card, now);
            Ok(insert(
                store,
                account,
                details,
                billing_details(None),
                BTreeMap::new(),
                now,
            ))
        }
        None => Err(ApiError::resource_missing("PaymentMethod", id, param)),
    }
}

/// `POST /v1/payment_methods`.
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, |call| {
        create_from_params(call.store, call.caller, call.params, call.now, None)
            .map(|pm| pm.to_json())
    })
    .await
}

/// `GET /v1/payment_methods/{id}` (secret key).
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        owned(
            &call.store.payment_methods,
            &call.caller.account,
            "PaymentMethod",
            id,
        )
        .map(PaymentMethod::to_json)
    })
    .await
}
