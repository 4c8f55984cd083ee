//! The seller endpoints' messages read from the values the browser parsed, and the requests
//! written as JSON, the way [`crate::wire`] does it for the checkout (no serde, no JSON parser
//! in the wasm). Strict about what the pages rely on, silent about fields they do not know.

use connect_checkout_core::api::{
    AccountKind, CreateSellerRequest, CreatedSeller, CustomDetails, DashboardLink, DisabledReason,
    NextStep, OnboardingLink, RefundRequest, RefundResult, RequirementError, SellerPayment,
    SellerPayments, SellerStatus,
};
use connect_checkout_core::{AccountId, Currency, Money};
use js_sys::Object;
use wasm_bindgen::JsValue;

use crate::wire::{FromJs, field, integer, list, optional, set, string, to_json};

fn boolean(object: &JsValue, name: &str) -> Option<bool> {
    field(object, name).as_bool()
}

/// A whole number that may be `null` or missing.
fn optional_integer(object: &JsValue, name: &str) -> Option<Option<i64>> {
    let value = field(object, name);
    if value.is_undefined() || value.is_null() {
        return Some(None);
    }
    integer(object, name).map(Some)
}

impl FromJs for AccountKind {
    /// The same reading as the configuration's `account_kinds` ([`crate::wire`]).
    fn from_js(value: &JsValue) -> Option<Self> {
        AccountKind::from_name(&value.as_string()?)
    }
}

impl FromJs for DisabledReason {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(DisabledReason {
            code: string(value, "code")?,
            message: string(value, "message")?,
        })
    }
}

impl FromJs for RequirementError {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(RequirementError {
            requirement: string(value, "requirement")?,
            code: string(value, "code")?,
            reason: string(value, "reason")?,
        })
    }
}

impl FromJs for SellerStatus {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(SellerStatus {
            id: AccountId::from_js(&field(value, "id"))?,
            // A kind this build does not know reads as none.
            kind: AccountKind::from_js(&field(value, "kind")),
            display_name: string(value, "display_name")?,
            email: optional(value, "email")?,
            country: optional(value, "country")?,
            default_currency: Currency::from_js(&field(value, "default_currency")),
            charges_enabled: boolean(value, "charges_enabled")?,
            payouts_enabled: boolean(value, "payouts_enabled")?,
            details_submitted: boolean(value, "details_submitted")?,
            currently_due: list(value, "currently_due")?,
            eventually_due: list(value, "eventually_due")?,
            past_due: list(value, "past_due")?,
            pending_verification: list(value, "pending_verification")?,
            current_deadline: optional_integer(value, "current_deadline")?,
            disabled_reason: optional(value, "disabled_reason")?,
            errors: list(value, "errors")?,
            next_step: NextStep::from_name(&string(value, "next_step")?)?,
        })
    }
}

impl FromJs for CreatedSeller {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(CreatedSeller {
            status: SellerStatus::from_js(&field(value, "status"))?,
        })
    }
}

impl FromJs for OnboardingLink {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(OnboardingLink {
            url: string(value, "url")?,
            expires_at: integer(value, "expires_at")?,
        })
    }
}

impl FromJs for DashboardLink {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(DashboardLink {
            url: string(value, "url")?,
        })
    }
}

impl FromJs for SellerPayment {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(SellerPayment {
            id: string(value, "id")?,
            amount: Money::from_js(&field(value, "amount"))?,
            fee: optional(value, "fee")?,
            refunded: Money::from_js(&field(value, "refunded"))?,
            status: string(value, "status")?,
            created: integer(value, "created")?,
            description: optional(value, "description")?,
            transfer: optional(value, "transfer")?,
        })
    }
}

impl FromJs for SellerPayments {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(SellerPayments {
            payments: list(value, "payments")?,
        })
    }
}

impl FromJs for RefundResult {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(RefundResult {
            id: string(value, "id")?,
            amount: Money::from_js(&field(value, "amount"))?,
            status: string(value, "status")?,
        })
    }
}

fn set_opt(object: &Object, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        set(object, key, &value.into());
    }
}

/// `POST /api/sellers`.
pub fn create_seller_json(request: &CreateSellerRequest) -> Option<String> {
    let body = Object::new();
    set(&body, "kind", &request.kind.as_str().into());
    set(&body, "email", &request.email.as_str().into());
    set(&body, "country", &request.country.as_str().into());
    set_opt(
        &body,
        "business_type",
        request.business_type.map(|kind| kind.as_str()),
    );
    set(&body, "attempt", &request.attempt.as_str().into());
    to_json(&body)
}

/// `POST /api/sellers/{account}/details`: only the fields that are there.
pub fn custom_details_json(details: &CustomDetails) -> Option<String> {
    let body = Object::new();
    set_opt(
        &body,
        "business_type",
        details.business_type.map(|kind| kind.as_str()),
    );
    if let Some(person) = &details.individual {
        let individual = Object::new();
        set_opt(&individual, "first_name", person.first_name.as_deref());
        set_opt(&individual, "last_name", person.last_name.as_deref());
        set_opt(&individual, "email", person.email.as_deref());
        set_opt(&individual, "phone", person.phone.as_deref());
        set_opt(&individual, "id_number", person.id_number.as_deref());
        set_opt(&individual, "ssn_last_4", person.ssn_last_4.as_deref());
        if let Some(dob) = person.dob {
            let date = Object::new();
            set(&date, "day", &dob.day.into());
            set(&date, "month", &dob.month.into());
            set(&date, "year", &dob.year.into());
            set(&individual, "dob", &date);
        }
        if let Some(address) = &person.address {
            let place = Object::new();
            set(&place, "line1", &address.line1.as_str().into());
            set_opt(&place, "line2", address.line2.as_deref());
            set(&place, "city", &address.city.as_str().into());
            set_opt(&place, "state", address.state.as_deref());
            set(&place, "postal_code", &address.postal_code.as_str().into());
            set(&place, "country", &address.country.as_str().into());
            set(&individual, "address", &place);
        }
        set(&body, "individual", &individual);
    }
    set_opt(&body, "business_url", details.business_url.as_deref());
    set_opt(
        &body,
        "product_description",
        details.product_description.as_deref(),
    );
    set_opt(&body, "mcc", details.mcc.as_deref());
    set_opt(
        &body,
        "bank_account_token",
        details.bank_account_token.as_deref(),
    );
    if details.accept_terms {
        set(&body, "accept_terms", &true.into());
    }
    to_json(&body)
}

/// `POST /api/sellers/{account}/refunds`.
pub fn refund_json(request: &RefundRequest) -> Option<String> {
    let body = Object::new();
    set(
        &body,
        "payment_intent",
        &request.payment_intent.as_str().into(),
    );
    if let Some(amount) = request.amount {
        // Minor units are far below 2^53: exact as a JS number.
        set(&body, "amount", &(amount as f64).into());
    }
    set(&body, "attempt", &request.attempt.as_str().into());
    to_json(&body)
}

/// `POST /api/seller-session` (sandbox mode): `{account}`.
pub fn sign_in_json(account: &AccountId) -> Option<String> {
    let body = Object::new();
    set(&body, "account", &account.as_str().into());
    to_json(&body)
}
