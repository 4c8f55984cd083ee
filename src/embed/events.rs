//! A [`CheckoutEvent`] as the loader dispatches it: a name (the DOM event is `cc-` and the
//! name) and a plain `detail` object. Amounts are integers in the currency's minor units with
//! the currency's lowercase ISO code, as Stripe writes them. README "Embedding" lists them.

use connect_checkout_core::Money;
use connect_checkout_core::api::CheckoutLine;
use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use crate::checkout::CheckoutEvent;
use crate::wire::set;

/// The event's name (`ready`, `change`, `success`, `error`, `warning`, `cancel`) and its `detail`.
pub fn to_js(event: &CheckoutEvent) -> (&'static str, JsValue) {
    let detail = Object::new();
    let name = match event {
        CheckoutEvent::Ready { seller, total } => {
            set(&detail, "seller", &seller.as_str().into());
            money(&detail, total);
            "ready"
        }
        CheckoutEvent::Change {
            seller,
            lines,
            total,
        } => {
            set(&detail, "seller", &seller.as_str().into());
            money(&detail, total);
            let list: Array = lines.iter().map(line).collect();
            set(&detail, "lines", &list);
            "change"
        }
        CheckoutEvent::Success {
            payment_intent,
            amount,
            seller,
        } => {
            set(&detail, "paymentIntent", &payment_intent.into());
            money(&detail, amount);
            set(&detail, "seller", &seller.as_str().into());
            "success"
        }
        CheckoutEvent::Error {
            code,
            decline_code,
            message,
        } => {
            set(&detail, "code", &code.as_ref().into());
            if let Some(decline_code) = decline_code {
                set(&detail, "declineCode", &decline_code.into());
            }
            set(&detail, "message", &message.into());
            "error"
        }
        CheckoutEvent::Warning {
            code,
            payment_intent,
        } => {
            set(&detail, "code", &code.as_ref().into());
            set(&detail, "paymentIntent", &payment_intent.into());
            "warning"
        }
        CheckoutEvent::Cancel { seller } => {
            let seller = seller
                .as_ref()
                .map_or(JsValue::NULL, |seller| seller.as_str().into());
            set(&detail, "seller", &seller);
            "cancel"
        }
    };
    (name, detail.into())
}

/// `{seller, price, name, quantity, unitAmount, amount}` (`currency` is the event's).
fn line(line: &CheckoutLine) -> JsValue {
    let object = Object::new();
    set(&object, "seller", &line.seller.as_str().into());
    set(&object, "price", &line.price.as_str().into());
    set(&object, "name", &line.name.as_str().into());
    set(&object, "quantity", &line.quantity.into());
    set(&object, "unitAmount", &minor_units(&line.unit_amount));
    set(&object, "amount", &minor_units(&line.amount));
    object.into()
}

/// `amount` and `currency` on `object`.
fn money(object: &Object, money: &Money) {
    set(object, "amount", &minor_units(money));
    set(object, "currency", &money.currency.as_str().into());
}

/// A JS number, not a BigInt: amounts are far below 2^53.
fn minor_units(money: &Money) -> JsValue {
    (money.amount as f64).into()
}
