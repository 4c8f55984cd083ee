//! The options of an embedded checkout, from the plain object the loader makes of the
//! element's attributes or of `ConnectCheckout.mount`'s argument (README "Embedding").

use connect_checkout_core::api::{CartItem, limits};
use connect_checkout_core::{AccountId, PriceId};
use js_sys::Array;
use wasm_bindgen::JsValue;

use crate::checkout::CheckoutOptions;
use crate::wire::{field, string};

/// `{apiBase, seller, sellers, items: [{price, quantity, seller}], locale, theme, cancelable}`,
/// every one optional, as [`CheckoutOptions`]; else the sentence that says which option to
/// fix. `sellers` (a list, or the attribute's comma-separated text) or items that name their
/// `seller` make a marketplace cart, which takes no `seller`.
pub fn read(value: &JsValue) -> Result<CheckoutOptions, String> {
    let text = |name| string(value, name).filter(|text| !text.trim().is_empty());
    let seller = text("seller")
        .map(|seller| {
            AccountId::new(seller.trim())
                .map_err(|_| format!("seller: `{seller}` is not an account id (acct_…)"))
        })
        .transpose()?;
    let theme = match text("theme").as_deref().map(str::trim) {
        None | Some("auto") => None,
        Some(theme @ ("light" | "dark")) => Some(theme.to_owned()),
        Some(other) => return Err(format!("theme: `{other}` is not light, dark or auto")),
    };
    let sellers = sellers(&field(value, "sellers"))?;
    let items = items(&field(value, "items"))?;
    let named = items.iter().filter(|item| item.seller.is_some()).count();
    if sellers.is_empty() && named == 0 {
        if !items.is_empty() && seller.is_none() {
            return Err("items: a price belongs to one seller; set seller too".into());
        }
    } else if seller.is_some() || named != items.len() {
        return Err(
            "sellers: a cart of several sellers takes no seller, and each of its items names its seller (acct_…)"
                .into(),
        );
    }
    Ok(CheckoutOptions {
        api_base: text("apiBase").unwrap_or_default(),
        seller,
        sellers,
        locale: text("locale"),
        theme,
        items,
        cancelable: field(value, "cancelable").is_truthy(),
    })
}

/// `["acct_…", …]` (the loader splits the attribute's comma-separated text), at most 10: a
/// PaymentIntent's metadata names them all. Plain loops and fixed sentences: the iterator
/// adapters and formatted messages of the other readers cost the embed 1 KB more here.
fn sellers(value: &JsValue) -> Result<Vec<AccountId>, String> {
    let mut sellers = Vec::new();
    if value.is_undefined() || value.is_null() {
        return Ok(sellers);
    }
    if !Array::is_array(value) {
        return Err("sellers: expected a list such as [\"acct_…\", \"acct_…\"]".into());
    }
    for name in Array::from(value).iter() {
        match name.as_string().map(|name| AccountId::new(name.trim())) {
            Some(Ok(seller)) => sellers.push(seller),
            _ => return Err("sellers: expected account ids (acct_…)".into()),
        }
    }
    if sellers.len() > limits::MAX_CART_SELLERS {
        return Err("sellers: at most 10 sellers".into());
    }
    Ok(sellers)
}

/// `[{price: "price_…", quantity: 2, seller: "acct_…"}]`; a missing quantity is 1, a missing
/// seller the checkout's.
fn items(value: &JsValue) -> Result<Vec<CartItem>, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !Array::is_array(value) {
        return Err("items: expected a list such as [{price: \"price_…\", quantity: 1}]".into());
    }
    let list = Array::from(value);
    if list.length() as usize > limits::MAX_CART_LINES {
        return Err("items: at most 50 items".into());
    }
    // A loop rather than collecting into `Result<Vec<_>, _>`, for the embed's bytes (as in
    // `wire::list`).
    let mut items = Vec::with_capacity(list.length() as usize);
    for (index, item) in list.iter().enumerate() {
        let price = string(&item, "price")
            .and_then(|price| PriceId::new(price.trim()).ok())
            .ok_or_else(|| format!("items[{index}].price: expected a price id (price_…)"))?;
        let quantity = field(&item, "quantity");
        let quantity = if quantity.is_undefined() || quantity.is_null() {
            1.0
        } else {
            quantity.as_f64().unwrap_or(f64::NAN)
        };
        if !(0.0..=f64::from(limits::MAX_QUANTITY)).contains(&quantity) || quantity.fract() != 0.0 {
            return Err(format!(
                "items[{index}].quantity: expected a whole number from 0 to 999"
            ));
        }
        let seller = match string(&item, "seller").map(|seller| AccountId::new(seller.trim())) {
            None => None,
            Some(Ok(seller)) => Some(seller),
            Some(Err(_)) => return Err("items: a seller is not an account id (acct_…)".into()),
        };
        items.push(CartItem {
            price,
            // Checked above: a whole number from 0 to 999.
            quantity: quantity as u32,
            seller,
        });
    }
    Ok(items)
}
