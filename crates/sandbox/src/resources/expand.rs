//! `expand[]`: replaces an id in a response with the object it names (`product`,
//! `latest_charge`, `data.product` in lists), looked up on the caller's account.

use serde_json::Value;

use crate::http::auth::Caller;
use crate::http::error::ApiError;
use crate::http::params::Params;
use crate::state::Store;

/// Which field of which object may be expanded, and what it names.
fn target(object: &str, field: &str) -> Option<&'static str> {
    match (object, field) {
        ("price", "product") => Some("product"),
        ("payment_intent", "latest_charge") => Some("charge"),
        ("payment_intent", "payment_method") => Some("payment_method"),
        ("charge", "payment_intent") => Some("payment_intent"),
        _ => None,
    }
}

fn lookup(store: &Store, account: &str, kind: &str, id: &str) -> Option<Value> {
    match kind {
        "product" => store
            .products
            .get(id)
            .filter(|p| p.account == account)
            .map(|p| p.to_json()),
        "charge" => store
            .charges
            .get(id)
            .filter(|c| c.account == account)
            .map(|c| c.to_json()),
        "payment_method" => store
            .payment_methods
            .get(id)
            .filter(|p| p.account == account)
            .map(|p| p.to_json()),
        "payment_intent" => store
            .payment_intents
            .get(id)
            .filter(|p| p.account == account)
            .map(|p| p.to_json(false)),
        _ => None,
    }
}

/// `value` with what the call asks for with `expand[]` expanded, on the caller's account.
pub(crate) fn requested(
    store: &Store,
    caller: &Caller,
    params: &Params,
    mut value: Value,
) -> Result<Value, ApiError> {
    apply(
        store,
        &caller.account,
        &mut value,
        &params.expand(),
        caller.is_publishable(),
    )?;
    Ok(value)
}

/// Applies every `paths` entry to `value`. Publishable-key calls may expand only
/// `payment_method`, the one expansion Stripe.js uses.
fn apply(
    store: &Store,
    account: &str,
    value: &mut Value,
    paths: &[String],
    publishable: bool,
) -> Result<(), ApiError> {
    for path in paths {
        if publishable && path != "payment_method" {
            return Err(cannot_expand(path));
        }
        let segments: Vec<&str> = path.split('.').collect();
        if segments.len() > 4 {
            return Err(ApiError::invalid_request(format!(
                "You cannot expand more than 4 levels of a property. Property: {}",
                crate::http::error::shorten(path)
            )));
        }
        expand(store, account, value, &segments, path)?;
    }
    Ok(())
}

fn cannot_expand(path: &str) -> ApiError {
    ApiError::invalid_request(format!(
        "This property cannot be expanded ({}).",
        crate::http::error::shorten(path)
    ))
}

fn expand(
    store: &Store,
    account: &str,
    value: &mut Value,
    segments: &[&str],
    path: &str,
) -> Result<(), ApiError> {
    let Some((field, rest)) = segments.split_first() else {
        return Ok(());
    };
    let object = value
        .get("object")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if object == "list" && *field == "data" && !rest.is_empty() {
        if let Some(Value::Array(items)) = value.get_mut("data") {
            for item in items {
                expand(store, account, item, rest, path)?;
            }
        }
        return Ok(());
    }
    let kind = target(&object, field).ok_or_else(|| cannot_expand(path))?;
    let Some(slot) = value.get_mut(*field) else {
        return Err(cannot_expand(path));
    };
    if let Value::String(id) = slot
        && let Some(found) = lookup(store, account, kind, id)
    {
        *slot = found;
    }
    if !rest.is_empty() && slot.is_object() {
        expand(store, account, slot, rest, path)?;
    }
    Ok(())
}
