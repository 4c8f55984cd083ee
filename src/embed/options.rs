//! The options of an embedded checkout, from the plain object the loader makes of the
//! element's attributes or of `ConnectCheckout.mount`'s argument (README "Embedding").

use connect_checkout_core::api::{CartItem, limits};
use connect_checkout_core::{AccountId, PriceId};
use js_sys::Array;
use wasm_bindgen::JsValue;

use crate::checkout::CheckoutOptions;
use crate::wire::{field, string};

/// `{apiBase, seller, items: [{price, quantity}], locale, theme, cancelable}`, every one
/// optional, as [`CheckoutOptions`]; else the sentence that says which option to fix.
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
    let items = items(&field(value, "items"))?;
    if !items.is_empty() && seller.is_none() {
        return Err("items: a price belongs to one seller; set seller too".into());
    }
    Ok(CheckoutOptions {
        api_base: text("apiBase").unwrap_or_default(),
        seller,
        locale: text("locale"),
        theme,
        items,
        cancelable: field(value, "cancelable").is_truthy(),
    })
}

/// `[{price: "price_…", quantity: 2}]`; a missing quantity is 1.
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
    list.iter()
        .enumerate()
        .map(|(index, item)| {
            let price = string(&item, "price")
                .and_then(|price| PriceId::new(price.trim()).ok())
                .ok_or_else(|| format!("items[{index}].price: expected a price id (price_…)"))?;
            let quantity = field(&item, "quantity");
            let quantity = if quantity.is_undefined() || quantity.is_null() {
                1.0
            } else {
                quantity.as_f64().unwrap_or(f64::NAN)
            };
            if !(0.0..=f64::from(limits::MAX_QUANTITY)).contains(&quantity)
                || quantity.fract() != 0.0
            {
                return Err(format!(
                    "items[{index}].quantity: expected a whole number from 0 to 999"
                ));
            }
            Ok(CartItem {
                price,
                // Checked above: a whole number from 0 to 999.
                quantity: quantity as u32,
                seller: None,
            })
        })
        .collect()
}
