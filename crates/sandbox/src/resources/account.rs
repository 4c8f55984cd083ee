//! Accounts: the platform itself and its connected accounts (facts §2.2).
//! `GET /v1/account`, `GET /v1/accounts/{id}`, `GET /v1/accounts`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::list::{Listed, list};
use crate::http::PathId;
use crate::http::auth::Access;
use crate::http::error::ApiError;
use crate::http::params::{Field, LIST_FIELDS};
use crate::http::pipeline::{ApiRequest, Endpoint, run};
use crate::seed::{AccountType, SeedAccount, SeedPlatform, SeedRequirements};
use crate::state::SandboxState;

/// One account as the sandbox keeps it.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub id: String,
    pub is_platform: bool,
    /// `None` for the platform, which is a full Stripe account of its own.
    pub kind: Option<AccountType>,
    pub business_name: String,
    pub business_url: Option<String>,
    pub country: String,
    pub default_currency: String,
    pub email: Option<String>,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    pub capabilities: BTreeMap<String, String>,
    pub requirements: SeedRequirements,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub seq: u64,
}

impl Account {
    pub fn platform(seed: &SeedPlatform, created: i64, seq: u64) -> Self {
        Self {
            id: seed.account_id.clone(),
            is_platform: true,
            kind: None,
            business_name: seed.business_name.clone(),
            business_url: None,
            country: seed.country.clone(),
            default_currency: seed.default_currency.clone(),
            email: None,
            charges_enabled: true,
            payouts_enabled: true,
            details_submitted: true,
            capabilities: [("card_payments", "active"), ("transfers", "active")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            requirements: SeedRequirements::default(),
            metadata: BTreeMap::new(),
            created,
            seq,
        }
    }

    pub fn from_seed(seed: &SeedAccount, created: i64, seq: u64) -> Self {
        Self {
            id: seed.id.clone(),
            is_platform: false,
            kind: Some(seed.kind),
            business_name: seed.business_name.clone(),
            business_url: seed.business_url.clone(),
            country: seed.country.clone(),
            default_currency: seed.default_currency.clone(),
            email: seed.email.clone(),
            charges_enabled: seed.charges_enabled,
            payouts_enabled: seed.payouts_enabled,
            details_submitted: seed.details_submitted,
            capabilities: seed.capabilities.clone(),
            requirements: seed.requirements.clone(),
            metadata: BTreeMap::new(),
            created,
            seq,
        }
    }

    /// The controller properties Stripe sets for each legacy `type`. The mapping is the facts'
    /// "most likely" one (§2.1, UNCONFIRMED; see the README).
    fn controller(&self) -> Value {
        let (payer, losses, collection, dashboard) = match self.kind {
            None => return json!({ "type": "account" }),
            Some(AccountType::Express) => {
                ("application_express", "application", "stripe", "express")
            }
            Some(AccountType::Custom) => {
                ("application_custom", "application", "application", "none")
            }
            Some(AccountType::Standard) => ("account", "stripe", "stripe", "full"),
        };
        json!({
            "fees": { "payer": payer },
            "is_controller": true,
            "losses": { "payments": losses },
            "requirement_collection": collection,
            "stripe_dashboard": { "type": dashboard },
            "type": "application",
        })
    }

    fn requirements_json(&self) -> Value {
        let r = &self.requirements;
        json!({
            "alternatives": [],
            "current_deadline": null,
            "currently_due": r.currently_due,
            "disabled_reason": r.disabled_reason,
            "errors": [],
            "eventually_due": r.eventually_due,
            "past_due": r.past_due,
            "pending_verification": r.pending_verification,
        })
    }

    pub fn to_json(&self) -> Value {
        let statement_descriptor: String = self
            .business_name
            .to_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .take(22)
            .collect();
        json!({
            "id": self.id,
            "object": "account",
            "business_profile": {
                "annual_revenue": null,
                "estimated_worker_count": null,
                "mcc": null,
                "name": self.business_name,
                "product_description": null,
                "support_address": null,
                "support_email": self.email,
                "support_phone": null,
                "support_url": null,
                "url": self.business_url,
            },
            "business_type": null,
            "capabilities": self.capabilities,
            "charges_enabled": self.charges_enabled,
            "controller": self.controller(),
            "country": self.country,
            "created": self.created,
            "default_currency": self.default_currency,
            "details_submitted": self.details_submitted,
            "email": self.email,
            "external_accounts": {
                "object": "list",
                "data": [],
                "has_more": false,
                "total_count": 0,
                "url": format!("/v1/accounts/{}/external_accounts", self.id),
            },
            "future_requirements": {
                "alternatives": [],
                "current_deadline": null,
                "currently_due": [],
                "disabled_reason": null,
                "errors": [],
                "eventually_due": [],
                "past_due": [],
                "pending_verification": [],
            },
            "metadata": self.metadata,
            "payouts_enabled": self.payouts_enabled,
            "requirements": self.requirements_json(),
            "settings": {
                "branding": { "icon": null, "logo": null, "primary_color": null, "secondary_color": null },
                "card_payments": {
                    "decline_on": { "avs_failure": false, "cvc_failure": false },
                    "statement_descriptor_prefix": null,
                    "statement_descriptor_prefix_kana": null,
                    "statement_descriptor_prefix_kanji": null,
                },
                "dashboard": { "display_name": self.business_name, "timezone": "Etc/UTC" },
                "payments": {
                    "statement_descriptor": statement_descriptor,
                    "statement_descriptor_kana": null,
                    "statement_descriptor_kanji": null,
                },
                "payouts": {
                    "debit_negative_balances": true,
                    "schedule": { "delay_days": 2, "interval": "daily" },
                    "statement_descriptor": null,
                },
            },
            "tos_acceptance": {
                "date": if self.details_submitted { Some(self.created) } else { None },
                "ip": null,
                "user_agent": null,
            },
            "type": self.kind.map_or("standard", AccountType::as_str),
        })
    }
}

impl Listed for Account {
    fn id(&self) -> &str {
        &self.id
    }
    fn order(&self) -> (i64, u64) {
        (self.created, self.seq)
    }
}

const RETRIEVE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[],
};

/// `GET /v1/account`: the account the call acts for (the platform, or the `Stripe-Account`).
pub(crate) async fn retrieve_self(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        call.store
            .accounts
            .get(&call.caller.account)
            .map(Account::to_json)
            .ok_or_else(ApiError::internal)
    })
    .await
}

/// `GET /v1/accounts/{id}`. An id that is neither the platform nor one of its connected
/// accounts is refused like a foreign `Stripe-Account` (the id in the URL means the same).
pub(crate) async fn retrieve(
    State(state): State<SandboxState>,
    PathId(id): PathId,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        let visible = id == call.store.platform_id || call.store.is_connected_account(&id);
        match call.store.accounts.get(&id) {
            Some(account) if visible && (!call.caller.connected || id == call.caller.account) => {
                Ok(account.to_json())
            }
            _ => Err(ApiError::account_invalid(&call.caller.key, &id)),
        }
    })
    .await
}

const LIST: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &LIST_ACCOUNTS,
};
const LIST_ACCOUNTS: [Field; 3] = LIST_FIELDS;

/// `GET /v1/accounts`: the platform's connected accounts, newest first. A connected account
/// has none of its own.
pub(crate) async fn list_accounts(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &LIST, |call| {
        let connected = call.caller.connected;
        let accounts = call
            .store
            .accounts
            .values()
            .filter(|a| !a.is_platform && !connected);
        list(
            accounts,
            call.params,
            "/v1/accounts",
            "account",
            Account::to_json,
        )
    })
    .await
}
