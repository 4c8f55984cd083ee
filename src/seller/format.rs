//! Dates, country names and typed amounts for the seller's pages, through the browser's `Intl`
//! (it knows every locale: the widget ships no tables), and money typed by a person read back
//! into minor units without a float.

use connect_checkout_core::{Currency, Money};
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::wire::set;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = DisplayNames)]
    type DisplayNames;

    // `catch`: an unknown locale throws a RangeError.
    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = "DisplayNames", catch)]
    fn new(locales: &Array, options: &Object) -> Result<DisplayNames, JsValue>;

    #[wasm_bindgen(method, catch, js_class = "DisplayNames")]
    fn of(this: &DisplayNames, code: &str) -> Result<JsValue, JsValue>;
}

fn locales(locale: Option<&str>) -> Array {
    let locales = Array::new();
    if let Some(locale) = locale.filter(|locale| !locale.is_empty()) {
        locales.push(&locale.into());
    }
    locales
}

/// The name of the country `code` (ISO 3166-1 alpha-2) in `locale`: "United States" for `US`
/// in English, "États-Unis" in French; the code itself when the browser cannot name it.
pub fn country_name(code: &str, locale: Option<&str>) -> String {
    let options = Object::new();
    set(&options, "type", &"region".into());
    DisplayNames::new(&locales(locale), &options)
        .ok()
        .and_then(|names| names.of(code).ok())
        .and_then(|name| name.as_string())
        .unwrap_or_else(|| code.to_owned())
}

/// Unix seconds as a date for `locale`: "29 November 2026" in en-GB, "November 29, 2026" in
/// en-US.
pub fn format_date(unix_seconds: i64, locale: Option<&str>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(unix_seconds as f64 * 1000.0));
    let options = Object::new();
    set(&options, "dateStyle", &"long".into());
    String::from(date.to_locale_date_string(locale.unwrap_or("default"), &options))
}

/// What a person typed as an amount of `currency` (`12.5`, `12,50`, `1500`), in minor units;
/// `None` unless it is a plain positive number with no more decimals than the currency has.
pub fn parse_amount(text: &str, currency: &Currency) -> Option<i64> {
    let text = text.trim();
    let digits = currency.minor_digits();
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || fraction.len() > digits as usize
        || whole.len() > 12
    {
        return None;
    }
    let unit = 10_i64.pow(digits);
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut minor: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    for _ in fraction.len()..digits as usize {
        minor *= 10;
    }
    whole.checked_mul(unit)?.checked_add(minor)
}

/// `money` as a person types it back: `12.50`, `1500` (no symbol, no grouping), so that
/// [`parse_amount`] reads it again.
pub fn plain_amount(money: &Money) -> String {
    let digits = money.currency.minor_digits();
    if digits == 0 {
        return money.amount.to_string();
    }
    let unit = 10_i64.pow(digits);
    format!(
        "{}.{:0width$}",
        money.amount / unit,
        money.amount % unit,
        width = digits as usize
    )
}
