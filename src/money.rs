//! Amounts formatted for people, by the browser's `Intl.NumberFormat`: it knows every locale's
//! symbols, separators and each currency's decimals, so the widget ships no table of its own.
//! The amount itself stays an integer in minor units ([`Money`]) until this last step.

use connect_checkout_core::Money;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::wire::set;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    type NumberFormat;

    // `catch`: a malformed locale from the host page throws a RangeError, which must not take
    // the widget down.
    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = "NumberFormat", catch)]
    fn new(locales: &Array, options: &Object) -> Result<NumberFormat, JsValue>;

    #[wasm_bindgen(method, js_class = "NumberFormat")]
    fn format(this: &NumberFormat, value: f64) -> String;
}

/// `money` for a person reading `locale` (a BCP 47 tag such as `en-US`; `None` follows the
/// browser): USD 1200 is "$12.00" in en-US, JPY 1500 is "¥1,500", EUR 1200 is "12,00 €" in de-DE.
pub fn format_money(money: &Money, locale: Option<&str>) -> String {
    let options = Object::new();
    set(&options, "style", &"currency".into());
    set(&options, "currency", &money.currency.iso_code().into());
    let formatter = NumberFormat::new(&locales(locale), &options)
        .or_else(|_| NumberFormat::new(&Array::new(), &options));
    match formatter {
        Ok(formatter) => formatter.format(money.major_units()),
        // Only an unknown currency code gets here: say the amount plainly rather than nothing.
        Err(_) => plain(money),
    }
}

/// `12.50 XYZ`, from the integer amount: no float is ever printed by Rust here (that would
/// link `core::fmt`'s float printing, kilobytes of wasm).
fn plain(money: &Money) -> String {
    let digits = money.currency.minor_digits();
    let code = money.currency.iso_code();
    if digits == 0 {
        return format!("{} {code}", money.amount);
    }
    let unit = 10_i64.pow(digits);
    let sign = if money.amount < 0 { "-" } else { "" };
    let (major, minor) = (money.amount.abs() / unit, money.amount.abs() % unit);
    format!(
        "{sign}{major}.{minor:0width$} {code}",
        width = digits as usize
    )
}

fn locales(locale: Option<&str>) -> Array {
    let locales = Array::new();
    if let Some(locale) = locale.filter(|locale| !locale.is_empty()) {
        locales.push(&locale.into());
    }
    locales
}
