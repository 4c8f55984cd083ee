//! PaymentIntents for Connect (facts §3): direct charges (made with `Stripe-Account`),
//! destination charges (`transfer_data[destination]`), the application fee, confirmation with
//! test cards, and the publishable-key view Stripe.js gets.
//! `POST /v1/payment_intents`, `GET /v1/payment_intents`, `GET /v1/payment_intents/{id}`,
//! `POST /v1/payment_intents/{id}/confirm|cancel|capture`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::charge::Charge;
use super::expand;
use super::list::{Listed, list};
use super::payment_method::{self, BILLING_DETAILS, PAYMENT_METHOD_DATA, PaymentMethod};
use crate::cards::{Behaviour, Decline};
use crate::currency;
use crate::http::PathId;
use crate::http::auth::{Access, Caller};
use crate::http::error::{ApiError, ErrorType};
use crate::http::params::{Field, LIST_FIELDS, NON_NEGATIVE, Params, Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Call, Endpoint, run};
use crate::state::{SandboxState, Store};

/// Where a PaymentIntent is in its life (facts §3.4).
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
    pub amount_received: i64,
    pub amount_capturable: i64,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
    pub created: i64,
    pub seq: u64,
}

/// The fields a publishable key may read (facts §1.3, the `PaymentIntent` type of Stripe.js).
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
    pub fn transfer_data_json(&self) -> Option<Value> {
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
            "source": null,
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

impl Listed for PaymentIntent {
    fn id(&self) -> &str {
        &self.id
    }
    fn order(&self) -> (i64, u64) {
        (self.created, self.seq)
    }
}

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

const CREATE: Endpoint = Endpoint {
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

const RETRIEVE: Endpoint = Endpoint {
    access: Access::Publishable,
    schema: &[opt("client_secret", Ty::Str)],
};

const LIST: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        LIST_FIELDS[0],
        LIST_FIELDS[1],
        LIST_FIELDS[2],
        opt("customer", Ty::Str),
    ],
};

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

fn unexpected_state(message: String, pi: &PaymentIntent, caller: &Caller) -> ApiError {
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

fn check_receipt_email(params: &Params) -> Result<Option<String>, ApiError> {
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
fn find<'a>(
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

fn create_intent(call: Call<'_>) -> Result<Value, ApiError> {
    let Call {
        store,
        caller,
        params: p,
        now,
    } = call;
    let amount = p.int("amount").unwrap_or_default();
    let currency = p.str("currency").unwrap_or_default().to_ascii_lowercase();
    if !currency::is_supported(&currency) {
        return Err(
            ApiError::invalid_request(currency::unsupported_message(&currency)).param("currency"),
        );
    }
    let minimum = currency::minimum(&currency);
    if amount < minimum {
        return Err(ApiError::invalid_request(format!(
            "Amount must be at least {}",
            currency::display(minimum, &currency)
        ))
        .code("amount_too_small")
        .param("amount"));
    }
    if amount > currency::MAX_AMOUNT {
        return Err(ApiError::invalid_request(format!(
            "Amount must be no more than {}",
            currency::display(currency::MAX_AMOUNT, &currency)
        ))
        .code("amount_too_large")
        .param("amount"));
    }

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
    if p.bool("confirm") == Some(true) {
        return confirm_intent(store, caller, &id, p, now, true);
    }
    let mut value = store
        .payment_intents
        .get(&id)
        .map(|pi| pi.to_json(false))
        .unwrap_or_default();
    expand::apply(store, &caller.account, &mut value, &p.expand(), false)?;
    Ok(value)
}

fn shipping_json(p: &Params) -> Value {
    let address = p.obj("address").cloned().unwrap_or_default();
    json!({
        "address": {
            "city": address.str("city"),
            "country": address.str("country"),
            "line1": address.str("line1"),
            "line2": address.str("line2"),
            "postal_code": address.str("postal_code"),
            "state": address.str("state"),
        },
        "carrier": p.str("carrier"),
        "name": p.str("name"),
        "phone": p.str("phone"),
        "tracking_number": p.str("tracking_number"),
    })
}

// ---- Confirm ----

/// Confirms `id` with the card its parameters name and charges it. A decline is a 402 whose
/// body carries the PaymentIntent (back in `requires_payment_method`) and the PaymentMethod.
fn confirm_intent(
    store: &mut Store,
    caller: &Caller,
    id: &str,
    p: &Params,
    now: i64,
    from_create: bool,
) -> Result<Value, ApiError> {
    let pi = find(store, caller, id, p.str("client_secret"))?.clone();
    match pi.status {
        Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction => {}
        Status::Succeeded => {
            return Err(unexpected_state(
                "You cannot confirm this PaymentIntent because it has already succeeded after \
                 being previously confirmed."
                    .to_owned(),
                &pi,
                caller,
            ));
        }
        other => {
            return Err(unexpected_state(
                format!(
                    "You cannot confirm this PaymentIntent because it has a status of {}. Only a \
                     PaymentIntent with one of the following statuses may be confirmed: \
                     requires_confirmation, requires_payment_method, requires_action.",
                    other.as_str()
                ),
                &pi,
                caller,
            ));
        }
    }
    if caller.is_publishable() && pi.confirmation_method == "manual" {
        return Err(unexpected_state(
            "This PaymentIntent's confirmation_method is manual, so it must be confirmed with a \
             secret key."
                .to_owned(),
            &pi,
            caller,
        ));
    }

    let pm: PaymentMethod = if !from_create && let Some(pm_id) = p.str("payment_method") {
        payment_method::resolve(store, &caller.account, pm_id, "payment_method", now)
            .map_err(|e| e.status(StatusCode::BAD_REQUEST))?
    } else if let Some(data) = p.obj("payment_method_data") {
        payment_method::create_from_params(store, caller, data, now, Some("payment_method_data"))?
    } else if let Some(pm_id) = &pi.payment_method {
        payment_method::resolve(store, &caller.account, pm_id, "payment_method", now)?
    } else {
        return Err(unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method. You \
             can either update the PaymentIntent with a payment method and then confirm it \
             again, or confirm it again directly with a payment method."
                .to_owned(),
            &pi,
            caller,
        ));
    };

    let mut pi = pi;
    if let Some(email) = check_receipt_email(p)? {
        pi.receipt_email = Some(email);
    }
    if let Some(url) = p.str("return_url") {
        pi.return_url = Some(url.to_owned());
    }
    if let Some(usage) = p.str("setup_future_usage") {
        pi.setup_future_usage = Some(usage.to_owned());
    }
    if let Some(shipping) = p.obj("shipping") {
        pi.shipping = Some(shipping_json(shipping));
    }
    if let Some(method) = p.str("capture_method") {
        pi.capture_method = method.to_owned();
    }
    // Server-side confirmation with automatic payment methods needs somewhere to send the
    // shopper back to, unless redirects are off (facts §3.2). Stripe.js handles this itself.
    let redirects_possible = pi
        .automatic_payment_methods
        .as_ref()
        .is_some_and(|(enabled, redirects)| *enabled && redirects != "never");
    if !caller.is_publishable()
        && redirects_possible
        && pi.return_url.is_none()
        && p.bool("off_session") != Some(true)
    {
        return Err(ApiError::invalid_request(
            "This PaymentIntent is configured to accept payment methods enabled in your \
             Dashboard. Because some of these payment methods might redirect your customer off \
             of your page, you must provide a `return_url`. If you don't want to accept \
             redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` \
             and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup \
             Intents and Payment Intents.",
        ));
    }

    pi.last_payment_error = None;
    pi.next_action = None;
    let behaviour = match pm.card.behaviour {
        Behaviour::Authenticate { .. }
            if p.bool("error_on_requires_action") == Some(true)
                || p.bool("off_session") == Some(true) =>
        {
            Behaviour::Decline(&AUTHENTICATION_REQUIRED)
        }
        other => other,
    };
    match behaviour {
        Behaviour::Succeed => {
            let manual = pi.capture_method == "manual";
            let charge = Charge::record(store, &pi, &pm, None, !manual, now);
            pi.payment_method = Some(pm.id.clone());
            pi.latest_charge = Some(charge.id);
            if manual {
                pi.status = Status::RequiresCapture;
                pi.amount_capturable = pi.amount;
            } else {
                pi.status = Status::Succeeded;
                pi.amount_received = pi.amount;
            }
        }
        Behaviour::Decline(decline) => {
            let charge = Charge::record(store, &pi, &pm, Some(decline), false, now);
            let error = card_error(decline, &charge.id, &pm);
            pi.status = Status::RequiresPaymentMethod;
            pi.payment_method = None;
            pi.latest_charge = Some(charge.id);
            pi.last_payment_error = Some(serde_json::to_value(&error.body).unwrap_or_default());
            let view = pi.to_json(caller.is_publishable());
            store.payment_intents.insert(pi.id.clone(), pi);
            return Err(error.with_payment_intent(view));
        }
        Behaviour::Authenticate { .. } => {
            // The challenge page and `handleNextAction` are phase 2: the PaymentIntent waits
            // here, holding the PaymentMethod whose card decides what authentication leads to.
            pi.status = Status::RequiresAction;
            pi.payment_method = Some(pm.id.clone());
            pi.next_action = Some(json!({
                "type": "use_stripe_sdk",
                "use_stripe_sdk": { "type": "three_d_secure_redirect", "stripe_js": null },
            }));
        }
    }
    let mut value = pi.to_json(caller.is_publishable());
    let id = pi.id.clone();
    store.payment_intents.insert(id, pi);
    expand::apply(
        store,
        &caller.account,
        &mut value,
        &p.expand(),
        caller.is_publishable(),
    )?;
    Ok(value)
}

/// What an off-session or `error_on_requires_action` confirmation of a 3-D Secure card gets.
const AUTHENTICATION_REQUIRED: Decline = Decline {
    code: "authentication_required",
    decline_code: "authentication_required",
    message: "Your card was declined. This transaction requires authentication.",
    param: None,
};

/// The 402 of a declined card, without the PaymentIntent (the caller adds its view of it).
fn card_error(decline: &Decline, charge: &str, pm: &PaymentMethod) -> ApiError {
    let mut error = ApiError::new(
        StatusCode::PAYMENT_REQUIRED,
        ErrorType::CardError,
        decline.message,
    )
    .code(decline.code);
    if let Some(param) = decline.param {
        error = error.param(param);
    }
    error.body.decline_code = Some(decline.decline_code.to_owned());
    error.body.charge = Some(charge.to_owned());
    error.body.payment_method = Some(pm.to_json());
    error
}

// ---- Handlers ----

/// `POST /v1/payment_intents` (secret key).
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, create_intent).await
}

/// `GET /v1/payment_intents/{id}`: the whole object with a secret key, the publishable
/// subset with a publishable key and the client secret.
pub(crate) async fn retrieve(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        let pi = find(
            call.store,
            call.caller,
            &id,
            call.params.str("client_secret"),
        )?;
        let publishable = call.caller.is_publishable();
        let mut value = pi.to_json(publishable);
        expand::apply(
            call.store,
            &call.caller.account,
            &mut value,
            &call.params.expand(),
            publishable,
        )?;
        Ok(value)
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
        let mut value = list(
            intents,
            call.params,
            "/v1/payment_intents",
            "payment_intent",
            |pi| pi.to_json(false),
        )?;
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

/// `POST /v1/payment_intents/{id}/confirm`: secret key, or publishable key + client secret.
pub(crate) async fn confirm(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &CONFIRM, |call| {
        confirm_intent(call.store, call.caller, &id, call.params, call.now, false)
    })
    .await
}

/// `POST /v1/payment_intents/{id}/cancel` (secret key).
pub(crate) async fn cancel(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &CANCEL, |call| {
        let mut pi = find(call.store, call.caller, &id, None)?.clone();
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
        call.store.payment_intents.insert(pi.id.clone(), pi);
        Ok(value)
    })
    .await
}

/// `POST /v1/payment_intents/{id}/capture` (secret key), for `capture_method=manual`.
pub(crate) async fn capture(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &CAPTURE, |call| {
        let mut pi = find(call.store, call.caller, &id, None)?.clone();
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
        let value = pi.to_json(false);
        call.store.payment_intents.insert(pi.id.clone(), pi);
        Ok(value)
    })
    .await
}
