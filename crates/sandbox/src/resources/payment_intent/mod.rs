//! PaymentIntents for Connect (FIDELITY.md §PaymentIntents, §Money movement): direct charges (made
//! with `Stripe-Account`), destination charges (`transfer_data[destination]`), the application fee,
//! confirmation with test cards, and the publishable-key view Stripe.js gets.
//! `POST /v1/payment_intents`, `GET /v1/payment_intents`, `GET /v1/payment_intents/{id}`,
//! `POST /v1/payment_intents/{id}/confirm|cancel|capture`.

pub(crate) mod confirm;

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::address::Address;
use super::expand;
use super::list::{list, list_endpoint, listed_by_creation};
use super::payment_method::{self, BILLING_DETAILS, PAYMENT_METHOD_DATA};
use crate::currency;
use crate::http::auth::{Access, Caller};
use crate::http::error::{ApiError, ErrorType};
use crate::http::params::{Field, INT, NON_NEGATIVE, Param, Params, Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Call, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::{SandboxState, Store};

/// Where a PaymentIntent is in its life (FIDELITY.md §PaymentIntents).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    RequiresCapture,
    Succeeded,
    Canceled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiresPaymentMethod => "requires_payment_method",
            Self::RequiresConfirmation => "requires_confirmation",
            Self::RequiresAction => "requires_action",
            Self::RequiresCapture => "requires_capture",
            Self::Succeeded => "succeeded",
            Self::Canceled => "canceled",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct PaymentIntent {
    pub id: String,
    pub account: String,
    pub amount: i64,
    pub currency: String,
    pub status: Status,
    pub client_secret: String,
    pub application_fee_amount: Option<i64>,
    /// `(enabled, allow_redirects)` when automatic payment methods are on.
    pub automatic_payment_methods: Option<(bool, String)>,
    pub capture_method: String,
    pub confirmation_method: String,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub on_behalf_of: Option<String>,
    pub payment_method: Option<String>,
    pub payment_method_types: Vec<String>,
    pub receipt_email: Option<String>,
    pub return_url: Option<String>,
    pub setup_future_usage: Option<String>,
    pub shipping: Option<Value>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    /// `(destination, amount)`.
    pub transfer_data: Option<(String, Option<i64>)>,
    pub transfer_group: Option<String>,
    pub latest_charge: Option<String>,
    pub last_payment_error: Option<Value>,
    pub next_action: Option<Value>,
    /// The challenge a 3-D Secure confirmation waits on (`/3ds/challenge/{token}`).
    pub three_ds_token: Option<String>,
    /// The PaymentMethod whose challenge was completed (manual confirmation then charges it
    /// without a second challenge).
    pub authenticated_with: Option<String>,
    pub amount_received: i64,
    pub amount_capturable: i64,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
    pub created: i64,
    pub seq: u64,
}

/// The fields a publishable key may read (FIDELITY.md §Publishable keys).
const PUBLISHABLE_FIELDS: &[&str] = &[
    "id",
    "object",
    "amount",
    "canceled_at",
    "cancellation_reason",
    "capture_method",
    "client_secret",
    "confirmation_method",
    "created",
    "currency",
    "description",
    "last_payment_error",
    "livemode",
    "next_action",
    "payment_method",
    "payment_method_types",
    "receipt_email",
    "setup_future_usage",
    "shipping",
    "status",
];

impl PaymentIntent {
    /// A PaymentIntent's `transfer_data` leaves `amount` out when none was given; the
    /// charge's (below) has it as `null` (https://docs.stripe.com/api/payment_intents/object).
    pub fn transfer_data_json(&self) -> Option<Value> {
        self.transfer_data
            .as_ref()
            .map(|(destination, amount)| match amount {
                Some(amount) => json!({ "amount": amount, "destination": destination }),
                None => json!({ "destination": destination }),
            })
    }

    pub fn charge_transfer_data_json(&self) -> Option<Value> {
        self.transfer_data
            .as_ref()
            .map(|(destination, amount)| json!({ "amount": amount, "destination": destination }))
    }

    /// The object as Stripe sends it; `publishable` keeps only what a publishable key sees.
    pub fn to_json(&self, publishable: bool) -> Value {
        let full = json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": self.amount_capturable,
            "amount_details": { "tip": {} },
            "amount_received": self.amount_received,
            "application": null,
            "application_fee_amount": self.application_fee_amount,
            "automatic_payment_methods": self.automatic_payment_methods.as_ref().map(|(enabled, redirects)| {
                json!({ "allow_redirects": redirects, "enabled": enabled })
            }),
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "capture_method": self.capture_method,
            "client_secret": self.client_secret,
            "confirmation_method": self.confirmation_method,
            "created": self.created,
            "currency": self.currency,
            "customer": null,
            "description": self.description,
            "last_payment_error": self.last_payment_error,
            "latest_charge": self.latest_charge,
            "livemode": false,
            "metadata": self.metadata,
            "next_action": self.next_action,
            "on_behalf_of": self.on_behalf_of,
            "payment_method": self.payment_method,
            "payment_method_configuration_details": null,
            "payment_method_options": { "card": { "installments": null, "mandate_options": null, "network": null, "request_three_d_secure": "automatic" } },
            "payment_method_types": self.payment_method_types,
            "processing": null,
            "receipt_email": self.receipt_email,
            "review": null,
            "setup_future_usage": self.setup_future_usage,
            "shipping": self.shipping,
            "statement_descriptor": self.statement_descriptor,
            "statement_descriptor_suffix": self.statement_descriptor_suffix,
            "status": self.status.as_str(),
            "transfer_data": self.transfer_data_json(),
            "transfer_group": self.transfer_group,
        });
        if !publishable {
            return full;
        }
        let Value::Object(all) = full else {
            return full;
        };
        let subset: Map<String, Value> = all
            .into_iter()
            .filter(|(k, _)| PUBLISHABLE_FIELDS.contains(&k.as_str()))
            .collect();
        Value::Object(subset)
    }
}

listed_by_creation!(PaymentIntent);

// ---- Schemas ----

const SHIPPING_ADDRESS: &[Field] = &[
    opt("city", Ty::Str),
    opt("country", Ty::Str),
    req("line1", Ty::Str),
    opt("line2", Ty::Str),
    opt("postal_code", Ty::Str),
    opt("state", Ty::Str),
];

const SHIPPING: &[Field] = &[
    req("address", Ty::Obj(SHIPPING_ADDRESS)),
    req("name", Ty::Str),
    opt("carrier", Ty::Str),
    opt("phone", Ty::Str),
    opt("tracking_number", Ty::Str),
];

const AUTOMATIC_PAYMENT_METHODS: &[Field] = &[
    req("enabled", Ty::Bool),
    opt("allow_redirects", Ty::Enum(&["always", "never"])),
];

const TRANSFER_DATA: &[Field] = &[req("destination", Ty::Str), opt("amount", NON_NEGATIVE)];

const CAPTURE_METHODS: Ty = Ty::Enum(&["automatic", "automatic_async", "manual"]);
const SETUP_FUTURE_USAGE: Ty = Ty::Enum(&["on_session", "off_session"]);

pub(crate) const CREATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        req(
            "amount",
            Ty::Int {
                min: None,
                max: None,
            },
        ),
        req("currency", Ty::Str),
        opt("application_fee_amount", NON_NEGATIVE),
        opt(
            "automatic_payment_methods",
            Ty::Obj(AUTOMATIC_PAYMENT_METHODS),
        ),
        opt("capture_method", CAPTURE_METHODS),
        opt("confirm", Ty::Bool),
        opt("confirmation_method", Ty::Enum(&["automatic", "manual"])),
        opt("customer", Ty::Str),
        opt("description", Ty::Str),
        opt("error_on_requires_action", Ty::Bool),
        opt("metadata", Ty::Metadata),
        opt("off_session", Ty::Bool),
        opt("on_behalf_of", Ty::Str),
        opt("payment_method", Ty::Str),
        opt("payment_method_data", Ty::Obj(PAYMENT_METHOD_DATA)),
        opt("payment_method_options", Ty::AnyObj),
        opt("payment_method_types", Ty::List(&Ty::Str)),
        opt("receipt_email", Ty::Str),
        opt("return_url", Ty::Str),
        opt("setup_future_usage", SETUP_FUTURE_USAGE),
        opt("shipping", Ty::Obj(SHIPPING)),
        opt("statement_descriptor", Ty::Str),
        opt("statement_descriptor_suffix", Ty::Str),
        opt("transfer_data", Ty::Obj(TRANSFER_DATA)),
        opt("transfer_group", Ty::Str),
        opt("use_stripe_sdk", Ty::Bool),
    ],
};

const CONFIRM: Endpoint = Endpoint {
    access: Access::Publishable,
    schema: &[
        opt("capture_method", CAPTURE_METHODS),
        opt("client_secret", Ty::Str),
        opt("error_on_requires_action", Ty::Bool),
        opt("mandate_data", Ty::AnyObj),
        opt("off_session", Ty::Bool),
        opt("payment_method", Ty::Str),
        opt("payment_method_data", Ty::Obj(PAYMENT_METHOD_DATA)),
        opt("payment_method_options", Ty::AnyObj),
        opt("payment_method_types", Ty::List(&Ty::Str)),
        opt("radar_options", Ty::AnyObj),
        opt("receipt_email", Ty::Str),
        opt("return_url", Ty::Str),
        opt("setup_future_usage", SETUP_FUTURE_USAGE),
        opt("shipping", Ty::Obj(SHIPPING)),
        opt("use_stripe_sdk", Ty::Bool),
    ],
};

const UPDATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        opt("amount", INT),
        opt("currency", Ty::Str),
        opt("application_fee_amount", NON_NEGATIVE),
        opt("capture_method", CAPTURE_METHODS),
        opt("description", Ty::Str),
        opt("metadata", Ty::Metadata),
        opt("payment_method", Ty::Str),
        opt("payment_method_types", Ty::List(&Ty::Str)),
        opt("receipt_email", Ty::Str),
        opt("setup_future_usage", SETUP_FUTURE_USAGE),
        opt("shipping", Ty::Obj(SHIPPING)),
        opt("statement_descriptor", Ty::Str),
        opt("statement_descriptor_suffix", Ty::Str),
        opt("transfer_data", Ty::Obj(&[opt("amount", NON_NEGATIVE)])),
        opt("transfer_group", Ty::Str),
    ],
};

const RETRIEVE: Endpoint = Endpoint {
    access: Access::Publishable,
    schema: &[opt("client_secret", Ty::Str)],
};

const LIST: Endpoint = list_endpoint![opt("customer", Ty::Str)];

const CANCEL: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[opt(
        "cancellation_reason",
        Ty::Enum(&[
            "abandoned",
            "duplicate",
            "fraudulent",
            "requested_by_customer",
        ]),
    )],
};

const CAPTURE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        opt("amount_to_capture", NON_NEGATIVE),
        opt("application_fee_amount", NON_NEGATIVE),
        opt("metadata", Ty::Metadata),
    ],
};

// Billing details are also part of `payment_method_data`; keep the import honest.
const _: &[Field] = BILLING_DETAILS;

// ---- Errors with fixed wording ----

pub(super) fn unexpected_state(message: String, pi: &PaymentIntent, caller: &Caller) -> ApiError {
    ApiError::invalid_request(message)
        .code("payment_intent_unexpected_state")
        .with_payment_intent(pi.to_json(caller.is_publishable()))
}

/// A publishable key with a client secret that does not open this PaymentIntent on this
/// account (also what a missing `stripeAccount` in Stripe.js leads to). Status and code are
/// UNCONFIRMED; see the README.
fn client_secret_mismatch() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorType::InvalidRequestError,
        "The client_secret provided does not match any associated PaymentIntent on this \
         account. Ensure the publishable key used belongs to the same account that created the \
         PaymentIntent.",
    )
    .code("resource_missing")
    .param("client_secret")
}

/// A reference in the body to an object the caller's account does not have: 400 (a path id
/// that does not exist is 404).
fn no_such(kind: &str, id: &str, param: &str) -> ApiError {
    ApiError::resource_missing(kind, id, param).status(StatusCode::BAD_REQUEST)
}

fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

pub(super) fn check_receipt_email(params: &Params) -> Result<Option<String>, ApiError> {
    match params.str("receipt_email") {
        Some(email) if !valid_email(email) => Err(ApiError::invalid_request(format!(
            "Invalid email address: {}",
            crate::http::error::shorten(email)
        ))
        .code("email_invalid")
        .param("receipt_email")),
        other => Ok(other.map(str::to_owned)),
    }
}

/// Finds the PaymentIntent `id` for the caller. A publishable key needs the matching client
/// secret and learns nothing about PaymentIntents it cannot open.
pub(super) fn find<'a>(
    store: &'a Store,
    caller: &Caller,
    id: &str,
    client_secret: Option<&str>,
) -> Result<&'a PaymentIntent, ApiError> {
    let pi = store
        .payment_intents
        .get(id)
        .filter(|pi| pi.account == caller.account);
    if caller.is_publishable() {
        let secret = client_secret.ok_or_else(|| ApiError::parameter_missing("client_secret"))?;
        return pi
            .filter(|pi| pi.client_secret == secret)
            .ok_or_else(client_secret_mismatch);
    }
    let pi = pi.ok_or_else(|| ApiError::resource_missing("payment_intent", id, "id"))?;
    match client_secret {
        Some(secret) if secret != pi.client_secret => Err(client_secret_mismatch()),
        _ => Ok(pi),
    }
}

// ---- Create ----

/// A known currency, and an amount between its minimum and eight digits (FIDELITY.md §Amounts and
/// currencies).
fn check_amount(amount: i64, currency: &str) -> Result<(), ApiError> {
    if !currency::is_supported(currency) {
        return Err(
            ApiError::invalid_request(currency::unsupported_message(currency)).param("currency"),
        );
    }
    let minimum = currency::minimum(currency);
    if amount < minimum {
        return Err(ApiError::invalid_request(format!(
            "Amount must be at least {}",
            currency::display(minimum, currency)
        ))
        .code("amount_too_small")
        .param("amount"));
    }
    if amount > currency::MAX_AMOUNT {
        return Err(ApiError::invalid_request(format!(
            "Amount must be no more than {}",
            currency::display(currency::MAX_AMOUNT, currency)
        ))
        .code("amount_too_large")
        .param("amount"));
    }
    Ok(())
}

fn create_intent(call: Call<'_>) -> Result<Value, ApiError> {
    let (caller, p, now, origin) = (call.caller, call.params, call.now, call.origin);
    let store = &mut *call.store;
    let amount = p.int("amount").unwrap_or_default();
    let currency = p.str("currency").unwrap_or_default().to_ascii_lowercase();
    check_amount(amount, &currency)?;

    let transfer_data = match p.obj("transfer_data") {
        Some(t) => {
            let destination = t.str("destination").unwrap_or_default().to_owned();
            if !store.is_connected_account(&destination) {
                return Err(no_such(
                    "destination",
                    &destination,
                    "transfer_data[destination]",
                ));
            }
            Some((destination, t.int("amount")))
        }
        None => None,
    };
    let application_fee_amount = p.int("application_fee_amount");
    if application_fee_amount.is_some() && !caller.connected && transfer_data.is_none() {
        return Err(ApiError::invalid_request(
            "Can only apply an application_fee_amount when the PaymentIntent is attempting a \
             direct payment (using an OAuth key or Stripe-Account header) or destination \
             payment (using `transfer_data[destination]`).",
        )
        .code("parameter_missing")
        .param("application_fee_amount"));
    }
    if let Some(on_behalf_of) = p.str("on_behalf_of")
        && !store.is_connected_account(on_behalf_of)
    {
        return Err(no_such("account", on_behalf_of, "on_behalf_of"));
    }
    if let Some(customer) = p.str("customer") {
        // The sandbox has no Customers yet, so every customer id is unknown.
        return Err(no_such("customer", customer, "customer"));
    }

    let types = p.strings("payment_method_types");
    let apm = p.obj("automatic_payment_methods");
    if apm.is_some() && p.contains("payment_method_types") {
        return Err(ApiError::invalid_request(
            "You may only specify one of these parameters: automatic_payment_methods, \
             payment_method_types.",
        )
        .code("parameters_exclusive")
        .param("automatic_payment_methods"));
    }
    if let Some(unknown) = types
        .iter()
        .find(|t| !matches!(t.as_str(), "card" | "link"))
    {
        return Err(ApiError::invalid_request(format!(
            "The payment method type provided: {} is invalid. Please ensure the provided type is \
             activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) \
             and your account is enabled for any preview features that you are trying to use.",
            crate::http::error::shorten(unknown)
        ))
        .param("payment_method_types"));
    }
    let automatic_payment_methods = match apm {
        Some(a) => Some((
            a.bool("enabled").unwrap_or(false),
            a.str("allow_redirects").unwrap_or("always").to_owned(),
        )),
        None if types.is_empty() && caller.version.automatic_payment_methods_by_default() => {
            Some((true, "always".to_owned()))
        }
        None => None,
    };
    let payment_method_types = if types.is_empty() {
        vec!["card".to_owned()]
    } else {
        types
    };
    let capture_method = p.str("capture_method").map_or_else(
        || {
            if caller.version.async_capture_by_default() {
                "automatic_async"
            } else {
                "automatic"
            }
            .to_owned()
        },
        str::to_owned,
    );
    let receipt_email = check_receipt_email(p)?;
    if p.contains("return_url") && p.bool("confirm") != Some(true) {
        return Err(ApiError::invalid_request(
            "You can only set `return_url` if `confirm` is set to true.",
        )
        .param("return_url"));
    }

    let id = store.new_id("pi_", 24);
    let secret_tail = store.new_id("", 25);
    let seq = store.next_seq();
    let pi = PaymentIntent {
        client_secret: format!("{id}_secret_{secret_tail}"),
        id,
        account: caller.account.clone(),
        amount,
        currency,
        status: Status::RequiresPaymentMethod,
        application_fee_amount,
        automatic_payment_methods,
        capture_method,
        confirmation_method: p
            .str("confirmation_method")
            .unwrap_or("automatic")
            .to_owned(),
        description: p.str("description").map(str::to_owned),
        metadata: p.string_map("metadata"),
        on_behalf_of: p.str("on_behalf_of").map(str::to_owned),
        payment_method: None,
        payment_method_types,
        receipt_email,
        return_url: None,
        setup_future_usage: p.str("setup_future_usage").map(str::to_owned),
        shipping: p.obj("shipping").map(shipping_json),
        statement_descriptor: p.str("statement_descriptor").map(str::to_owned),
        statement_descriptor_suffix: p.str("statement_descriptor_suffix").map(str::to_owned),
        transfer_data,
        transfer_group: p.str("transfer_group").map(str::to_owned),
        latest_charge: None,
        last_payment_error: None,
        next_action: None,
        three_ds_token: None,
        authenticated_with: None,
        amount_received: 0,
        amount_capturable: 0,
        canceled_at: None,
        cancellation_reason: None,
        created: now,
        seq,
    };
    let id = pi.id.clone();
    if let Some(pm_id) = p.str("payment_method") {
        let pm = payment_method::resolve(store, &caller.account, pm_id, "payment_method", now)
            .map_err(|e| e.status(StatusCode::BAD_REQUEST))?;
        store.payment_intents.insert(
            id.clone(),
            PaymentIntent {
                payment_method: Some(pm.id),
                status: Status::RequiresConfirmation,
                ..pi
            },
        );
    } else {
        store.payment_intents.insert(id.clone(), pi);
    }
    if let Some(pi) = store.payment_intents.get(&id) {
        let object = pi.to_json(false);
        store.emit(
            &caller.account,
            "payment_intent.created",
            object,
            None,
            origin,
            now,
        );
    }
    if p.bool("confirm") == Some(true) {
        return confirm::confirm_intent(call, &id, true);
    }
    let value = store
        .payment_intents
        .get(&id)
        .map(|pi| pi.to_json(false))
        .unwrap_or_default();
    expand::requested(store, caller, p, value)
}

pub(super) fn shipping_json(p: &Params) -> Value {
    json!({
        "address": Address::from_params(p.obj("address")).to_json(),
        "carrier": p.str("carrier"),
        "name": p.str("name"),
        "phone": p.str("phone"),
        "tracking_number": p.str("tracking_number"),
    })
}

// ---- Handlers ----

/// `POST /v1/payment_intents` (secret key).
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, create_intent).await
}

/// `GET /v1/payment_intents/{id}`: the whole object with a secret key, the publishable
/// subset with a publishable key and the client secret.
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        let pi = find(
            call.store,
            call.caller,
            id,
            call.params.str("client_secret"),
        )?;
        let publishable = call.caller.is_publishable();
        let value = pi.to_json(publishable);
        expand::requested(call.store, call.caller, call.params, value)
    })
    .await
}

/// `GET /v1/payment_intents` on the caller's account.
pub(crate) async fn list_intents(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let account = &call.caller.account;
        if call.params.str("customer").is_some() {
            return list(
                std::iter::empty::<&PaymentIntent>(),
                call.params,
                "/v1/payment_intents",
                "payment_intent",
                |pi| pi.to_json(false),
            );
        }
        let intents = call
            .store
            .payment_intents
            .values()
            .filter(|pi| &pi.account == account);
        let value = list(
            intents,
            call.params,
            "/v1/payment_intents",
            "payment_intent",
            |pi| pi.to_json(false),
        )?;
        expand::requested(call.store, call.caller, call.params, value)
    })
    .await
}

/// Parameters an update may change only before the PaymentIntent is paid or canceled.
const PAYMENT_FIELDS: &[&str] = &[
    "amount",
    "currency",
    "application_fee_amount",
    "capture_method",
    "payment_method",
    "payment_method_types",
    "setup_future_usage",
    "transfer_data",
];

fn update_intent(call: Call<'_>, id: &str) -> Result<Value, ApiError> {
    let (store, caller, p, now) = (call.store, call.caller, call.params, call.now);
    let mut pi = find(store, caller, id, None)?.clone();
    let changes_payment = PAYMENT_FIELDS.iter().any(|f| p.contains(f));
    if changes_payment
        && matches!(
            pi.status,
            Status::Succeeded | Status::Canceled | Status::RequiresCapture
        )
    {
        return Err(unexpected_state(
            format!(
                "You cannot update this PaymentIntent because it has a status of {}. You may \
                 only update a PaymentIntent with one of the following statuses: \
                 requires_payment_method, requires_confirmation, requires_action.",
                pi.status.as_str()
            ),
            &pi,
            caller,
        ));
    }
    let amount = p.int("amount").unwrap_or(pi.amount);
    let currency = p
        .str("currency")
        .map_or_else(|| pi.currency.clone(), str::to_ascii_lowercase);
    if p.contains("amount") || p.contains("currency") {
        check_amount(amount, &currency)?;
    }
    if let Some(fee) = p.int("application_fee_amount") {
        if !caller.connected && pi.transfer_data.is_none() {
            return Err(ApiError::invalid_request(
                "Can only apply an application_fee_amount when the PaymentIntent is attempting a \
                 direct payment (using an OAuth key or Stripe-Account header) or destination \
                 payment (using `transfer_data[destination]`).",
            )
            .code("parameter_missing")
            .param("application_fee_amount"));
        }
        pi.application_fee_amount = Some(fee);
    } else if p.get("application_fee_amount") == Some(&Param::Unset) {
        pi.application_fee_amount = None;
    }
    if let Some(t) = p.obj("transfer_data") {
        let Some((destination, _)) = pi.transfer_data.clone() else {
            return Err(ApiError::invalid_request(
                "transfer_data can only be updated on a PaymentIntent made with \
                 transfer_data[destination].",
            )
            .param("transfer_data"));
        };
        pi.transfer_data = Some((destination, t.int("amount")));
    }
    if let Some(email) = check_receipt_email(p)? {
        pi.receipt_email = Some(email);
    }
    if let Some(method) = p.str("capture_method") {
        pi.capture_method = method.to_owned();
    }
    if let Some(usage) = p.str("setup_future_usage") {
        pi.setup_future_usage = Some(usage.to_owned());
    }
    if let Some(shipping) = p.obj("shipping") {
        pi.shipping = Some(shipping_json(shipping));
    }
    for (name, slot) in [
        ("description", &mut pi.description),
        ("statement_descriptor", &mut pi.statement_descriptor),
        (
            "statement_descriptor_suffix",
            &mut pi.statement_descriptor_suffix,
        ),
        ("transfer_group", &mut pi.transfer_group),
    ] {
        if p.contains(name) {
            *slot = p.str(name).map(str::to_owned);
        }
    }
    super::apply_metadata(&mut pi.metadata, p);
    let amount_changed = amount != pi.amount || currency != pi.currency;
    pi.amount = amount;
    pi.currency = currency;
    if let Some(pm_id) = p.str("payment_method") {
        let pm = payment_method::resolve(store, &caller.account, pm_id, "payment_method", now)
            .map_err(|e| e.status(StatusCode::BAD_REQUEST))?;
        pi.payment_method = Some(pm.id);
        pi.status = Status::RequiresConfirmation;
        pi.next_action = None;
        pi.three_ds_token = None;
    } else if amount_changed && pi.status == Status::RequiresAction {
        // A new amount needs a new confirmation (and a new challenge).
        pi.status = Status::RequiresConfirmation;
        pi.next_action = None;
        pi.three_ds_token = None;
        pi.authenticated_with = None;
    }
    if changes_payment {
        // "last_payment_error … will be cleared if the PaymentIntent is later updated".
        pi.last_payment_error = None;
    }
    let value = pi.to_json(false);
    store.payment_intents.insert(pi.id.clone(), pi);
    expand::requested(store, caller, p, value)
}

/// `POST /v1/payment_intents/{id}` (secret key): the amount and the payment details may change
/// until the PaymentIntent is confirmed; metadata and description at any time.
pub(crate) async fn update(req: ObjectRequest) -> Response {
    run_on_object(req, &UPDATE, update_intent).await
}

/// `POST /v1/payment_intents/{id}/confirm`: secret key, or publishable key + client secret.
pub(crate) async fn confirm(req: ObjectRequest) -> Response {
    run_on_object(req, &CONFIRM, |call, id| {
        confirm::confirm_intent(call, id, false)
    })
    .await
}

/// `POST /v1/payment_intents/{id}/cancel` (secret key).
pub(crate) async fn cancel(req: ObjectRequest) -> Response {
    run_on_object(req, &CANCEL, |call, id| {
        let mut pi = find(call.store, call.caller, id, None)?.clone();
        if matches!(pi.status, Status::Succeeded | Status::Canceled) {
            return Err(unexpected_state(
                format!(
                    "You cannot cancel this PaymentIntent because it has a status of {}. Only a \
                     PaymentIntent with one of the following statuses may be canceled: \
                     requires_payment_method, requires_capture, requires_confirmation, \
                     requires_action, processing.",
                    pi.status.as_str()
                ),
                &pi,
                call.caller,
            ));
        }
        pi.status = Status::Canceled;
        pi.canceled_at = Some(call.now);
        pi.cancellation_reason = call.params.str("cancellation_reason").map(str::to_owned);
        pi.amount_capturable = 0;
        pi.next_action = None;
        let value = pi.to_json(false);
        call.store.emit(
            &pi.account,
            "payment_intent.canceled",
            value.clone(),
            None,
            call.origin,
            call.now,
        );
        call.store.payment_intents.insert(pi.id.to_owned(), pi);
        Ok(value)
    })
    .await
}

/// `POST /v1/payment_intents/{id}/capture` (secret key), for `capture_method=manual`.
pub(crate) async fn capture(req: ObjectRequest) -> Response {
    run_on_object(req, &CAPTURE, |call, id| {
        let mut pi = find(call.store, call.caller, id, None)?.clone();
        if pi.status != Status::RequiresCapture {
            return Err(unexpected_state(
                format!(
                    "This PaymentIntent could not be captured because it has a status of {}. \
                 Only a PaymentIntent with one of the following statuses may be captured: \
                 requires_capture.",
                    pi.status.as_str()
                ),
                &pi,
                call.caller,
            ));
        }
        let amount = call
            .params
            .int("amount_to_capture")
            .unwrap_or(pi.amount_capturable);
        if amount > pi.amount_capturable {
            return Err(ApiError::invalid_request(format!(
                "The amount to capture ({amount}) must be less than or equal to the amount \
             capturable ({}).",
                pi.amount_capturable
            ))
            .param("amount_to_capture"));
        }
        if let Some(fee) = call.params.int("application_fee_amount") {
            pi.application_fee_amount = Some(fee);
        }
        pi.metadata.extend(call.params.string_map("metadata"));
        pi.status = Status::Succeeded;
        pi.amount_received = amount;
        pi.amount_capturable = 0;
        if let Some(charge) = pi
            .latest_charge
            .as_ref()
            .and_then(|c| call.store.charges.get_mut(c))
        {
            charge.captured = true;
            charge.amount_captured = amount;
            charge.application_fee_amount = pi.application_fee_amount;
        }
        if let Some(charge) = &pi.latest_charge {
            call.store.settle_capture(charge, call.origin, call.now);
        }
        let value = pi.to_json(false);
        if let Some(charge) = pi
            .latest_charge
            .as_ref()
            .and_then(|c| call.store.charges.get(c))
        {
            let charge = charge.to_json();
            call.store.emit(
                &pi.account,
                "charge.captured",
                charge,
                None,
                call.origin,
                call.now,
            );
        }
        call.store.emit(
            &pi.account,
            "payment_intent.succeeded",
            value.clone(),
            None,
            call.origin,
            call.now,
        );
        call.store.payment_intents.insert(pi.id.to_owned(), pi);
        Ok(value)
    })
    .await
}
