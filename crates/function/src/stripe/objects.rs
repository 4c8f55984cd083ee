//! The parts of Stripe's objects the function reads. Fields we do not use are left out, so a
//! new Stripe API version that adds fields changes nothing here.

use std::collections::HashMap;

use connect_checkout_core::api::Seller;
use connect_checkout_core::{AccountId, Currency};
use serde::Deserialize;

/// Stripe's list envelope.
#[derive(Debug, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
}

/// A field that is an id, or the object itself when it was expanded.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    Object(Box<T>),
    Id(String),
}

impl<T> Expandable<T> {
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Self::Object(object) => Some(object),
            Self::Id(_) => None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub charges_enabled: bool,
    #[serde(default)]
    pub payouts_enabled: bool,
    #[serde(default)]
    pub details_submitted: bool,
    pub business_profile: Option<BusinessProfile>,
    pub settings: Option<AccountSettings>,
    pub default_currency: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub email: Option<String>,
    /// The legacy account type (`express`, `standard`, `custom`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub controller: Option<Controller>,
    pub requirements: Option<Requirements>,
    /// Capability name → `active`, `inactive` or `pending`.
    #[serde(default)]
    pub capabilities: HashMap<String, String>,
}

/// Who controls an account (Stripe's controller properties).
#[derive(Debug, Default, Deserialize)]
pub struct Controller {
    pub requirement_collection: Option<String>,
    pub stripe_dashboard: Option<StripeDashboard>,
}

#[derive(Debug, Deserialize)]
pub struct StripeDashboard {
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// What Stripe still needs from a connected account.
#[derive(Debug, Default, Deserialize)]
pub struct Requirements {
    #[serde(default)]
    pub currently_due: Vec<String>,
    #[serde(default)]
    pub eventually_due: Vec<String>,
    #[serde(default)]
    pub past_due: Vec<String>,
    #[serde(default)]
    pub pending_verification: Vec<String>,
    pub current_deadline: Option<i64>,
    pub disabled_reason: Option<String>,
    #[serde(default)]
    pub errors: Vec<RequirementError>,
}

#[derive(Debug, Deserialize)]
pub struct RequirementError {
    pub requirement: String,
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub enabled_events: Vec<String>,
    pub status: Option<String>,
    /// Whether it receives events from connected accounts.
    #[serde(default)]
    pub connect: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct AccountLink {
    pub url: String,
    pub expires_at: i64,
}

#[derive(Debug, Deserialize)]
pub struct LoginLink {
    pub url: String,
}

#[derive(Debug, Deserialize)]
pub struct Charge {
    pub id: String,
    #[serde(default)]
    pub amount_refunded: i64,
}

#[derive(Debug, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub status: Option<String>,
}

impl Account {
    /// What a shopper should see as the seller's name.
    pub fn display_name(&self) -> String {
        self.business_profile
            .as_ref()
            .and_then(|profile| profile.name.clone())
            .or_else(|| {
                self.settings
                    .as_ref()
                    .and_then(|settings| settings.dashboard.as_ref())
                    .and_then(|dashboard| dashboard.display_name.clone())
            })
            .unwrap_or_else(|| self.id.clone())
    }

    /// The seller a shopper sees for this account; `None` if its id is not an account id.
    pub fn as_seller(&self) -> Option<Seller> {
        Some(Seller {
            id: AccountId::new(self.id.clone()).ok()?,
            display_name: self.display_name(),
            default_currency: self
                .default_currency
                .as_deref()
                .and_then(|currency| Currency::new(currency).ok()),
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct BusinessProfile {
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AccountSettings {
    pub dashboard: Option<DashboardSettings>,
}

#[derive(Debug, Deserialize)]
pub struct DashboardSettings {
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
pub struct Price {
    pub id: String,
    pub active: bool,
    pub currency: String,
    /// `None` for prices that are not a fixed amount (tiered, metered, custom).
    pub unit_amount: Option<i64>,
    pub product: Expandable<Product>,
    /// Present for subscription prices, which a one-off checkout cannot charge.
    pub recurring: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub client_secret: Option<String>,
    pub application_fee_amount: Option<i64>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    #[serde(default)]
    pub created: i64,
    pub description: Option<String>,
    pub latest_charge: Option<Expandable<Charge>>,
    pub transfer_data: Option<TransferData>,
    /// Set on a marketplace order's PaymentIntent (separate charges and transfers).
    pub transfer_group: Option<String>,
}

/// A Transfer from the platform to a seller (<https://docs.stripe.com/api/transfers/object>).
#[derive(Debug, Deserialize)]
pub struct Transfer {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    /// The seller's account; Stripe answers an id unless it was expanded.
    pub destination: Expandable<Account>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct TransferData {
    pub destination: Expandable<Account>,
}

impl<T> Expandable<T> {
    /// The id, whether or not the object was expanded.
    pub fn id<'a>(&'a self, object_id: impl Fn(&'a T) -> &'a str) -> &'a str {
        match self {
            Self::Object(object) => object_id(object),
            Self::Id(id) => id,
        }
    }
}

/// The body Stripe sends with every error.
#[derive(Debug, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ApiError,
}

/// Stripe's error object (<https://docs.stripe.com/api/errors>). Only what we act on.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ApiError {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
    pub param: Option<String>,
}
