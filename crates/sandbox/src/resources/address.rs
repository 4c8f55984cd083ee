//! Stripe's address hash (`city`, `country`, `line1`, `line2`, `postal_code`, `state`), as an
//! account's individual and company, a PaymentMethod's billing details and a PaymentIntent's
//! shipping take it.

use serde_json::{Value, json};

use crate::http::params::{Field, Params, Ty, opt, set_or_clear};

/// Every field optional: what accounts and billing details take.
pub(crate) const ADDRESS: &[Field] = &[
    opt("city", Ty::Str),
    opt("country", Ty::Str),
    opt("line1", Ty::Str),
    opt("line2", Ty::Str),
    opt("postal_code", Ty::Str),
    opt("state", Ty::Str),
];

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Address {
    pub city: Option<String>,
    pub country: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: Option<String>,
    pub state: Option<String>,
}

impl Address {
    /// The address `p` gives (absent: every field `null`).
    pub fn from_params(p: Option<&Params>) -> Self {
        let mut address = Self::default();
        if let Some(p) = p {
            address.apply(p);
        }
        address
    }

    pub fn apply(&mut self, p: &Params) {
        set_or_clear(&mut self.city, p, "city");
        set_or_clear(&mut self.country, p, "country");
        set_or_clear(&mut self.line1, p, "line1");
        set_or_clear(&mut self.line2, p, "line2");
        set_or_clear(&mut self.postal_code, p, "postal_code");
        set_or_clear(&mut self.state, p, "state");
    }

    pub fn to_json(&self) -> Value {
        json!({
            "city": self.city, "country": self.country, "line1": self.line1,
            "line2": self.line2, "postal_code": self.postal_code, "state": self.state,
        })
    }
}
