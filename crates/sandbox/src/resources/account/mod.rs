//! Accounts: the platform itself and its connected accounts (FIDELITY.md §Accounts). Connected
//! accounts are created with a legacy `type` or with controller properties, carry capabilities, and
//! owe `requirements` computed from what was submitted ([`profile`]); `charges_enabled`,
//! `payouts_enabled` and the capabilities' statuses follow from them. Changes fire
//! `account.updated` (with `previous_attributes`) and `capability.updated`.
//! `GET /v1/account`, `GET|POST /v1/accounts`, `GET|POST|DELETE /v1/accounts/{id}`,
//! `GET /v1/accounts/{id}/capabilities`, `GET|POST /v1/accounts/{id}/capabilities/{name}`.

pub(crate) mod bank;
pub(crate) mod profile;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::list::{list, list_endpoint, listed_by_creation};
use super::retrieve::RETRIEVE;
use crate::events::Origin;
use crate::http::auth::{Access, Caller};
use crate::http::error::{ApiError, ErrorType, shorten};
use crate::http::params::{Field, Param, Params, Ty, opt};
use crate::http::pipeline::{ApiRequest, Call, Endpoint, ObjectRequest, run, run_on_object};
use crate::seed::{AccountType, SeedAccount, SeedPlatform};
use crate::state::{SandboxState, Store};
use bank::{BANK_ACCOUNT, BankAccount};
use profile::{
    BUSINESS_PROFILE, BUSINESS_TYPES, COMPANY, INDIVIDUAL, Profile, RequirementError,
    TOS_ACCEPTANCE,
};

/// Capabilities an account may request (a subset of Stripe's list).
const KNOWN_CAPABILITIES: &[&str] = &[
    "acss_debit_payments",
    "affirm_payments",
    "afterpay_clearpay_payments",
    "bancontact_payments",
    "card_issuing",
    "card_payments",
    "cashapp_payments",
    "ideal_payments",
    "jcb_payments",
    "klarna_payments",
    "legacy_payments",
    "link_payments",
    "sepa_debit_payments",
    "tax_reporting_us_1099_k",
    "tax_reporting_us_1099_misc",
    "transfers",
    "treasury",
    "us_bank_account_ach_payments",
];

/// Controller properties (FIDELITY.md §Accounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Controller {
    pub fees_payer: String,
    pub losses: String,
    pub requirement_collection: String,
    pub dashboard: String,
}

impl Controller {
    /// The properties Stripe sets for each legacy `type`: the mapping Stripe's enum values imply
    /// (FIDELITY.md §Accounts) (§2.1, UNCONFIRMED; see the README).
    pub fn of_type(kind: AccountType) -> Self {
        let (fees, losses, collection, dashboard) = match kind {
            AccountType::Express => ("application_express", "application", "stripe", "express"),
            AccountType::Custom => ("application_custom", "application", "application", "none"),
            AccountType::Standard => ("account", "stripe", "stripe", "full"),
        };
        Self {
            fees_payer: fees.to_owned(),
            losses: losses.to_owned(),
            requirement_collection: collection.to_owned(),
            dashboard: dashboard.to_owned(),
        }
    }

    /// The legacy `type` these properties amount to, `none` when they match no legacy type.
    pub fn type_name(&self) -> &'static str {
        [
            AccountType::Express,
            AccountType::Custom,
            AccountType::Standard,
        ]
        .into_iter()
        .find(|t| Self::of_type(*t) == *self)
        .map_or("none", AccountType::as_str)
    }

    fn platform_collects(&self) -> bool {
        self.requirement_collection == "application"
    }
}

/// One account as the sandbox keeps it.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub id: String,
    pub is_platform: bool,
    /// `None` for the platform, which is a full Stripe account of its own.
    pub controller: Option<Controller>,
    pub business_name: String,
    pub business_url: Option<String>,
    pub country: String,
    pub default_currency: String,
    pub email: Option<String>,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    /// Requested capabilities and their statuses.
    pub capabilities: BTreeMap<String, String>,
    pub currently_due: Vec<String>,
    pub past_due: Vec<String>,
    pub pending_verification: Vec<String>,
    pub disabled_reason: Option<String>,
    pub requirement_errors: Vec<RequirementError>,
    /// For a seeded account, the requirements it was seeded with: only those are considered
    /// (so a seller seeded as complete stays complete).
    pub seed_due: Option<Vec<String>>,
    pub profile: Profile,
    /// An Account Link was made for it: from then on Stripe collects what it collects.
    pub onboarding_started: bool,
    pub metadata: BTreeMap<String, String>,
    pub created: i64,
    pub seq: u64,
}

impl Account {
    pub fn platform(seed: &SeedPlatform, created: i64, seq: u64) -> Self {
        Self {
            id: seed.account_id.clone(),
            is_platform: true,
            controller: None,
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
            currently_due: Vec::new(),
            past_due: Vec::new(),
            pending_verification: Vec::new(),
            disabled_reason: None,
            requirement_errors: Vec::new(),
            seed_due: Some(Vec::new()),
            profile: Profile::default(),
            onboarding_started: true,
            metadata: BTreeMap::new(),
            created,
            seq,
        }
    }

    pub fn from_seed(seed: &SeedAccount, created: i64, seq: u64) -> Self {
        let r = &seed.requirements;
        let mut due: Vec<String> = r
            .currently_due
            .iter()
            .chain(&r.past_due)
            .chain(&r.eventually_due)
            .cloned()
            .collect();
        due.sort();
        due.dedup();
        let mut profile = Profile::default();
        if seed.details_submitted {
            profile.tos.date = Some(created);
        }
        Self {
            id: seed.id.clone(),
            is_platform: false,
            controller: Some(Controller::of_type(seed.kind)),
            business_name: seed.business_name.clone(),
            business_url: seed.business_url.clone(),
            country: seed.country.clone(),
            default_currency: seed.default_currency.clone(),
            email: seed.email.clone(),
            charges_enabled: seed.charges_enabled,
            payouts_enabled: seed.payouts_enabled,
            details_submitted: seed.details_submitted,
            capabilities: seed.capabilities.clone(),
            currently_due: r.currently_due.clone(),
            past_due: r.past_due.clone(),
            pending_verification: r.pending_verification.clone(),
            disabled_reason: r.disabled_reason.clone(),
            requirement_errors: Vec::new(),
            seed_due: Some(due),
            profile,
            onboarding_started: seed.details_submitted,
            metadata: BTreeMap::new(),
            created,
            seq,
        }
    }

    pub fn type_name(&self) -> &'static str {
        self.controller
            .as_ref()
            .map_or("standard", Controller::type_name)
    }

    /// Whether the platform collects this account's requirements (Custom-like accounts).
    pub fn platform_collects(&self) -> bool {
        self.controller
            .as_ref()
            .is_some_and(Controller::platform_collects)
    }

    /// Whether the account uses the Express Dashboard (login links work).
    pub fn has_express_dashboard(&self) -> bool {
        self.controller
            .as_ref()
            .is_some_and(|c| c.dashboard == "express")
    }

    /// Works out requirements, capability statuses and the enabled flags from what was
    /// submitted. Seeded accounts keep their seeded state until the first change.
    pub fn recompute(&mut self) {
        if self.is_platform {
            return;
        }
        let candidates = match &self.seed_due {
            Some(list) => list.clone(),
            None => self.profile.candidates(
                &self.country,
                self.capabilities.contains_key("card_payments"),
            ),
        };
        let due = self.profile.due(&candidates);
        let complete = due.fields.is_empty();
        let fields: Vec<String> = due.fields.into_iter().collect();
        self.currently_due = fields.clone();
        self.past_due = fields;
        self.pending_verification = Vec::new();
        self.requirement_errors = due.errors;
        self.disabled_reason = (!complete).then(|| "requirements.past_due".to_owned());
        for status in self.capabilities.values_mut() {
            *status = if complete { "active" } else { "inactive" }.to_owned();
        }
        self.charges_enabled = complete && self.capabilities.contains_key("card_payments");
        self.payouts_enabled = complete;
        if complete && self.seed_due.is_none() {
            self.details_submitted = true;
        }
    }

    fn requirements_json(&self) -> Value {
        json!({
            "alternatives": [],
            "current_deadline": null,
            "currently_due": self.currently_due,
            "disabled_reason": self.disabled_reason,
            "errors": self.requirement_errors.iter().map(RequirementError::to_json).collect::<Vec<_>>(),
            "eventually_due": self.currently_due,
            "past_due": self.past_due,
            "pending_verification": self.pending_verification,
        })
    }

    fn controller_json(&self) -> Value {
        match &self.controller {
            None => json!({ "type": "account" }),
            Some(c) => json!({
                "fees": { "payer": c.fees_payer },
                "is_controller": true,
                "losses": { "payments": c.losses },
                "requirement_collection": c.requirement_collection,
                "stripe_dashboard": { "type": c.dashboard },
                "type": "application",
            }),
        }
    }

    /// The `capability` object of `name`.
    pub fn capability_json(&self, name: &str) -> Option<Value> {
        let status = self.capabilities.get(name)?;
        Some(json!({
            "id": name,
            "object": "capability",
            "account": self.id,
            "future_requirements": {
                "alternatives": [], "current_deadline": null, "currently_due": [],
                "disabled_reason": null, "errors": [], "eventually_due": [], "past_due": [],
                "pending_verification": [],
            },
            "requested": true,
            "requested_at": self.created,
            "requirements": capability_requirements(self.requirements_json()),
            "status": status,
        }))
    }

    pub fn to_json(&self) -> Value {
        let statement_descriptor: String = self
            .business_name
            .to_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .take(22)
            .collect();
        let p = &self.profile;
        let banks: Vec<Value> = p
            .external_accounts
            .iter()
            .map(|b| b.to_json(Some(&self.id)))
            .collect();
        let mut value = json!({
            "id": self.id,
            "object": "account",
            "business_profile": {
                "annual_revenue": null,
                "estimated_worker_count": null,
                "mcc": p.mcc,
                "name": self.business_name,
                "product_description": p.product_description,
                "support_address": null,
                "support_email": self.email,
                "support_phone": p.support_phone,
                "support_url": p.support_url,
                "url": self.business_url,
            },
            "business_type": p.business_type,
            "capabilities": self.capabilities,
            "charges_enabled": self.charges_enabled,
            "controller": self.controller_json(),
            "country": self.country,
            "created": self.created,
            "default_currency": self.default_currency,
            "details_submitted": self.details_submitted,
            "email": self.email,
            "external_accounts": {
                "object": "list",
                "data": banks,
                "has_more": false,
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
                "date": p.tos.date,
                "ip": p.tos.ip,
                "user_agent": p.tos.user_agent,
            },
            "type": self.type_name(),
        });
        match p.business_type.as_deref() {
            Some("individual") => {
                value["individual"] = p.individual.to_json(&self.id, self.created)
            }
            Some(_) => value["company"] = p.company.to_json(),
            None => {}
        }
        value
    }
}

/// A capability's `requirements` are the account's, but its `disabled_reason` takes other
/// values: what is due disables it as `requirements.fields_needed`
/// (https://docs.stripe.com/api/capabilities/object#capability_object-requirements-disabled_reason).
fn capability_requirements(mut requirements: Value) -> Value {
    if requirements["disabled_reason"] == "requirements.past_due" {
        requirements["disabled_reason"] = json!("requirements.fields_needed");
    }
    requirements
}

listed_by_creation!(Account);

/// The keys of `after` whose value differs from `before`, with their `before` value: Stripe's
/// `previous_attributes` (nested objects hold only what changed within them).
pub(crate) fn previous_attributes(before: &Value, after: &Value) -> Option<Value> {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return (before != after).then(|| before.clone());
    };
    let mut changed = Map::new();
    for (key, old) in b {
        let new = a.get(key).unwrap_or(&Value::Null);
        if old == new {
            continue;
        }
        let diff = match (old, new) {
            (Value::Object(_), Value::Object(_)) => previous_attributes(old, new),
            _ => Some(old.clone()),
        };
        if let Some(d) = diff {
            changed.insert(key.clone(), d);
        }
    }
    for key in a.keys() {
        if !b.contains_key(key) {
            changed.insert(key.clone(), Value::Null);
        }
    }
    (!changed.is_empty()).then_some(Value::Object(changed))
}

impl Store {
    /// Applies `change` to connected account `id`, recomputes it, and emits
    /// `account.updated` and a `capability.updated` per capability whose status changed.
    pub(crate) fn change_account(
        &mut self,
        id: &str,
        origin: &Origin,
        now: i64,
        change: impl FnOnce(&mut Account, &mut Store) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let Some(mut account) = self.accounts.get(id).cloned() else {
            return Err(ApiError::resource_missing("account", id, "account"));
        };
        let before = account.to_json();
        let before_caps = account.capabilities.clone();
        change(&mut account, self)?;
        account.recompute();
        let after = account.to_json();
        if let Some(previous) = previous_attributes(&before, &after) {
            self.emit(
                id,
                "account.updated",
                after.clone(),
                Some(previous),
                origin,
                now,
            );
        }
        for (name, status) in &account.capabilities {
            if before_caps.get(name) != Some(status)
                && let Some(cap) = account.capability_json(name)
            {
                let previous = before_caps.get(name).map(|old| json!({ "status": old }));
                self.emit(id, "capability.updated", cap, previous, origin, now);
            }
        }
        self.accounts.insert(id.to_owned(), account);
        Ok(after)
    }
}

// ---- Schemas ----

const FEES: &[Field] = &[opt("payer", Ty::Enum(&["account", "application"]))];
const LOSSES: &[Field] = &[opt("payments", Ty::Enum(&["application", "stripe"]))];
const DASHBOARD: &[Field] = &[opt("type", Ty::Enum(&["express", "full", "none"]))];
const CONTROLLER: &[Field] = &[
    opt("fees", Ty::Obj(FEES)),
    opt("losses", Ty::Obj(LOSSES)),
    opt(
        "requirement_collection",
        Ty::Enum(&["application", "stripe"]),
    ),
    opt("stripe_dashboard", Ty::Obj(DASHBOARD)),
];

/// What create and update share.
macro_rules! account_fields {
    ($($extra:expr),* $(,)?) => {
        &[
            opt("account_token", Ty::Str),
            opt("business_profile", Ty::Obj(BUSINESS_PROFILE)),
            opt("business_type", Ty::Enum(BUSINESS_TYPES)),
            opt("capabilities", Ty::AnyObj),
            opt("company", Ty::Obj(COMPANY)),
            opt("default_currency", Ty::Str),
            opt("email", Ty::Str),
            opt("external_account", Ty::StrOrObj(BANK_ACCOUNT)),
            opt("individual", Ty::Obj(INDIVIDUAL)),
            opt("metadata", Ty::Metadata),
            opt("settings", Ty::AnyObj),
            opt("tos_acceptance", Ty::Obj(TOS_ACCEPTANCE)),
            $($extra),*
        ]
    };
}

const CREATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: account_fields![
        opt("type", Ty::Enum(&["custom", "express", "standard"])),
        opt("controller", Ty::Obj(CONTROLLER)),
        opt("country", Ty::Str),
    ],
};

const UPDATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: account_fields![],
};

const LIST: Endpoint = list_endpoint![];

const UPDATE_CAPABILITY: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[opt("requested", Ty::Bool)],
};

// ---- Helpers ----

/// The capabilities `capabilities[name][requested]=true` asks for.
fn requested_capabilities(p: &Params) -> Result<Vec<String>, ApiError> {
    let Some(caps) = p.obj("capabilities") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, value) in caps.iter() {
        if !KNOWN_CAPABILITIES.contains(&name.as_str()) {
            return Err(ApiError::invalid_request(format!(
                "Invalid capabilities: {} is not a capability an account can request.",
                shorten(name)
            ))
            .param(format!("capabilities[{}]", shorten(name))));
        }
        let requested = match value {
            Param::Obj(o) => o.get("requested"),
            _ => None,
        };
        match requested {
            Some(Param::Str(v)) if v == "true" => out.push(name.clone()),
            Some(Param::Str(v)) if v == "false" => {}
            _ => {
                return Err(ApiError::invalid_request(format!(
                    "Invalid boolean: capabilities[{name}][requested] must be true or false"
                ))
                .param(format!("capabilities[{name}][requested]")));
            }
        }
    }
    Ok(out)
}

/// Controller properties from `type` or `controller[…]`, with Stripe's defaults.
fn controller_of(p: &Params, capabilities: &[String]) -> Result<Controller, ApiError> {
    if p.contains("type") && p.contains("controller") {
        return Err(ApiError::invalid_request(
            "You may only specify one of these parameters: controller, type.",
        )
        .code("parameters_exclusive")
        .param("controller"));
    }
    if let Some(kind) = p.str("type") {
        let kind = match kind {
            "express" => AccountType::Express,
            "custom" => AccountType::Custom,
            _ => AccountType::Standard,
        };
        return Ok(Controller::of_type(kind));
    }
    let c = p.obj("controller").cloned().unwrap_or_default();
    let pick = |obj: Option<&Params>, field: &str, default: &str| {
        obj.and_then(|o| o.str(field)).unwrap_or(default).to_owned()
    };
    let controller = Controller {
        fees_payer: pick(c.obj("fees"), "payer", "account"),
        losses: pick(c.obj("losses"), "payments", "stripe"),
        requirement_collection: c
            .str("requirement_collection")
            .unwrap_or("stripe")
            .to_owned(),
        dashboard: pick(c.obj("stripe_dashboard"), "type", "full"),
    };
    if controller.requirement_collection == "application"
        && (controller.dashboard != "none" || controller.losses != "application")
    {
        return Err(ApiError::invalid_request(
            "When controller[requirement_collection] is application, \
             controller[stripe_dashboard][type] must be none and \
             controller[losses][payments] must be application.",
        )
        .param("controller[requirement_collection]"));
    }
    if controller.dashboard == "none" && capabilities.is_empty() {
        return Err(ApiError::invalid_request(
            "You must request capabilities (for example capabilities[card_payments][requested]=true) \
             for an account without a Stripe Dashboard.",
        )
        .code("parameter_missing")
        .param("capabilities"));
    }
    Ok(controller)
}

/// Fields Stripe collects itself once onboarding has begun (FIDELITY.md §Requirements).
const COLLECTED_BY_STRIPE: &[&str] =
    &["business_type", "company", "individual", "external_account"];

/// Applies the profile parameters shared by create and update.
fn apply_params(
    account: &mut Account,
    store: &mut Store,
    caller: &Caller,
    p: &Params,
    now: i64,
) -> Result<(), ApiError> {
    if !account.platform_collects() {
        if p.contains("tos_acceptance") {
            return Err(ApiError::invalid_request(
                "You cannot accept the Terms of Service on behalf of an account where Stripe \
                 collects requirements (Standard and Express accounts): the account holder \
                 accepts them during onboarding.",
            )
            .param("tos_acceptance"));
        }
        if account.onboarding_started
            && let Some(field) = COLLECTED_BY_STRIPE.iter().find(|f| p.contains(f))
        {
            return Err(ApiError::invalid_request(format!(
                "This account has started onboarding, and Stripe collects its requirements: \
                 `{field}` can no longer be updated by the platform (only where \
                 controller[requirement_collection] is application)."
            ))
            .param(*field));
        }
    }
    if let Some(token) = p.str("account_token") {
        if let Some(field) = ["business_type", "company", "individual", "tos_acceptance"]
            .iter()
            .find(|f| p.contains(f))
        {
            return Err(ApiError::invalid_request(format!(
                "You cannot provide `{field}` together with an account token: put it in the token."
            ))
            .param(*field));
        }
        let data = store.use_account_token(token, &caller.account, "account_token")?;
        data.apply_to(account)?;
    }
    if let Some(kind) = p.str("business_type") {
        account.profile.business_type = Some(kind.to_owned());
    }
    if let Some(individual) = p.obj("individual") {
        if account.profile.individual.id.is_empty() {
            account.profile.individual.id = store.new_id("person_", 24);
        }
        account
            .profile
            .individual
            .apply(individual)
            .map_err(|e| prefix_param(e, "individual"))?;
    }
    if let Some(company) = p.obj("company") {
        account.profile.company.apply(company);
    }
    if let Some(bp) = p.obj("business_profile") {
        if let Some(name) = bp.str("name") {
            account.business_name = name.to_owned();
        }
        if bp.contains("url") {
            account.business_url = bp.str("url").map(str::to_owned);
            account.profile.support_url = account.business_url.clone();
        }
        let pr = &mut account.profile;
        for (name, slot) in [
            ("mcc", &mut pr.mcc),
            ("product_description", &mut pr.product_description),
            ("support_phone", &mut pr.support_phone),
        ] {
            if bp.contains(name) {
                *slot = bp.str(name).map(str::to_owned);
            }
        }
        if let Some(mcc) = &pr.mcc
            && (mcc.len() != 4 || !mcc.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ApiError::invalid_request(format!(
                "Invalid business_profile[mcc]: {} is not a four-digit merchant category code.",
                shorten(mcc)
            ))
            .param("business_profile[mcc]"));
        }
    }
    if p.contains("email") {
        account.email = p.str("email").map(str::to_owned);
    }
    if let Some(tos) = p.obj("tos_acceptance") {
        account.profile.tos.apply(tos);
    }
    if let Some(currency) = p.str("default_currency") {
        let currency = currency.to_ascii_lowercase();
        if !crate::currency::is_supported(&currency) {
            return Err(
                ApiError::invalid_request(crate::currency::unsupported_message(&currency))
                    .param("default_currency"),
            );
        }
        account.default_currency = currency;
    }
    match p.get("external_account") {
        Some(Param::Str(token)) => {
            let bank = store.use_bank_token(token, &caller.account, "external_account")?;
            account.profile.external_accounts = vec![bank];
        }
        Some(Param::Obj(hash)) => {
            let id = store.new_id("ba_", 24);
            account.profile.external_accounts =
                vec![BankAccount::from_params(hash, "external_account", id)?];
        }
        _ => {}
    }
    super::apply_metadata(&mut account.metadata, p);
    for name in requested_capabilities(p)? {
        account
            .capabilities
            .entry(name)
            .or_insert_with(|| "inactive".to_owned());
    }
    // Seeded accounts leave their fixed requirement list at their first real change of
    // business details, so what is owed follows what is submitted from then on.
    if account.seed_due.as_ref().is_some_and(|d| !d.is_empty())
        && ["business_type", "individual", "company", "account_token"]
            .iter()
            .any(|f| p.contains(f))
    {
        account.seed_due = None;
    }
    let _ = now;
    Ok(())
}

fn prefix_param(mut error: ApiError, prefix: &str) -> ApiError {
    if let Some(param) = &error.body.param
        && !param.starts_with(prefix)
    {
        error.body.param = Some(format!("{prefix}[{param}]"));
    }
    error
}

/// Stripe's account-creation limit (FIDELITY.md §Rate limits): at most 5 creations per second in
/// test mode.
const CREATIONS_PER_SECOND: usize = 5;

fn check_creation_rate(store: &mut Store) -> Result<(), ApiError> {
    let now = Instant::now();
    while store
        .account_creations
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        store.account_creations.pop_front();
    }
    if store.account_creations.len() >= CREATIONS_PER_SECOND {
        return Err(ApiError::invalid_request(
            "Sorry, you're creating accounts too quickly. You should limit your requests to less \
             than 5 creation attempts per second with a test key, or less than 30 with a live \
             key.",
        )
        .code("rate_limit"));
    }
    store.account_creations.push_back(now);
    Ok(())
}

/// The connected account `id` the platform may act on, or the 403 Stripe gives.
fn connected<'a>(store: &'a Store, caller: &Caller, id: &str) -> Result<&'a Account, ApiError> {
    match store.accounts.get(id) {
        Some(account)
            if !account.is_platform && (!caller.connected || caller.account == account.id) =>
        {
            Ok(account)
        }
        _ => Err(ApiError::account_invalid(&caller.key, id)),
    }
}

// ---- Handlers ----

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
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        if id == call.store.platform_id && !call.caller.connected {
            return call
                .store
                .accounts
                .get(id)
                .map(Account::to_json)
                .ok_or_else(ApiError::internal);
        }
        Ok(connected(call.store, call.caller, id)?.to_json())
    })
    .await
}

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

fn create_account(call: Call<'_>) -> Result<Value, ApiError> {
    let (store, caller, p, now) = (call.store, call.caller, call.params, call.now);
    if caller.connected {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorType::InvalidRequestError,
            "Only a platform can create connected accounts; this call was made for a connected \
             account (Stripe-Account).",
        ));
    }
    let capabilities = requested_capabilities(p)?;
    let controller = controller_of(p, &capabilities)?;
    let country = p.str("country").map_or_else(
        || {
            store
                .accounts
                .get(&store.platform_id)
                .map_or_else(|| "US".to_owned(), |a| a.country.clone())
        },
        |c| c.to_ascii_uppercase(),
    );
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::invalid_request(format!(
            "Country '{}' is unknown. Try using a 2-character alphanumeric country code instead, \
             such as 'US', 'EG', or 'GB'.",
            shorten(&country)
        ))
        .param("country"));
    }
    check_creation_rate(store)?;
    let default_currency = crate::currency::of_country(&country);
    let mut account = Account {
        id: store.new_id("acct_1", 15),
        is_platform: false,
        controller: Some(controller),
        business_name: String::new(),
        business_url: None,
        country,
        default_currency: default_currency.to_owned(),
        email: None,
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        capabilities: BTreeMap::new(),
        currently_due: Vec::new(),
        past_due: Vec::new(),
        pending_verification: Vec::new(),
        disabled_reason: None,
        requirement_errors: Vec::new(),
        seed_due: None,
        profile: Profile::default(),
        onboarding_started: false,
        metadata: BTreeMap::new(),
        created: now,
        seq: store.next_seq(),
    };
    apply_params(&mut account, store, caller, p, now)?;
    if account.capabilities.is_empty() {
        // Without a request, the Dashboard types get what a checkout needs.
        for name in ["card_payments", "transfers"] {
            account
                .capabilities
                .insert(name.to_owned(), "inactive".to_owned());
        }
    }
    account.recompute();
    let value = account.to_json();
    store.accounts.insert(account.id.clone(), account);
    Ok(value)
}

/// `POST /v1/accounts`.
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, create_account).await
}

/// `POST /v1/accounts/{id}`.
pub(crate) async fn update(req: ObjectRequest) -> Response {
    run_on_object(req, &UPDATE, |call, id| {
        connected(call.store, call.caller, id)?;
        let (caller, p, now) = (call.caller, call.params, call.now);
        call.store
            .change_account(id, call.origin, now, |account, store| {
                apply_params(account, store, caller, p, now)
            })
    })
    .await
}

/// `DELETE /v1/accounts/{id}`: test-mode accounts can always be deleted.
pub(crate) async fn delete(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        connected(call.store, call.caller, id)?;
        call.store.accounts.remove(id);
        Ok(json!({ "id": id, "object": "account", "deleted": true }))
    })
    .await
}

/// `GET /v1/accounts/{id}/capabilities`.
pub(crate) async fn list_capabilities(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        let account = connected(call.store, call.caller, id)?;
        let data: Vec<Value> = account
            .capabilities
            .keys()
            .filter_map(|name| account.capability_json(name))
            .collect();
        Ok(json!({
            "object": "list",
            "data": data,
            "has_more": false,
            "url": format!("/v1/accounts/{id}/capabilities"),
        }))
    })
    .await
}

/// `GET /v1/accounts/{id}/capabilities/{name}`.
pub(crate) async fn retrieve_capability(
    State(state): State<SandboxState>,
    Path((id, name)): Path<(String, String)>,
    req: ApiRequest,
) -> Response {
    run(&state, req, &RETRIEVE, |call| {
        connected(call.store, call.caller, &id)?
            .capability_json(&name)
            .ok_or_else(|| ApiError::resource_missing("capability", &name, "capability"))
    })
    .await
}

/// `POST /v1/accounts/{id}/capabilities/{name}` with `requested=true`.
pub(crate) async fn update_capability(
    State(state): State<SandboxState>,
    Path((id, name)): Path<(String, String)>,
    req: ApiRequest,
) -> Response {
    run(&state, req, &UPDATE_CAPABILITY, |call| {
        connected(call.store, call.caller, &id)?;
        if !KNOWN_CAPABILITIES.contains(&name.as_str()) {
            return Err(ApiError::resource_missing("capability", &name, "capability"));
        }
        let requested = call.params.bool("requested");
        call.store
            .change_account(&id, call.origin, call.now, |account, _| {
                match requested {
                    Some(true) => {
                        account
                            .capabilities
                            .entry(name.clone())
                            .or_insert_with(|| "inactive".to_owned());
                    }
                    Some(false) => {
                        account.capabilities.remove(&name);
                    }
                    None => {}
                }
                Ok(())
            })?;
        Ok(call
            .store
            .accounts
            .get(&id)
            .and_then(|a| a.capability_json(&name))
            .unwrap_or_else(|| {
                json!({ "id": name, "object": "capability", "account": id, "requested": false, "status": "unrequested" })
            }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_types_round_trip_through_controller_properties() {
        for kind in [
            AccountType::Express,
            AccountType::Custom,
            AccountType::Standard,
        ] {
            assert_eq!(Controller::of_type(kind).type_name(), kind.as_str());
        }
        let mixed = Controller {
            fees_payer: "application".into(),
            losses: "application".into(),
            requirement_collection: "stripe".into(),
            dashboard: "express".into(),
        };
        assert_eq!(mixed.type_name(), "none");
    }

    #[test]
    fn previous_attributes_hold_only_what_changed() {
        let before = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        let after = json!({"a": 1, "b": {"c": 2, "d": 4}, "e": [1, 2]});
        assert_eq!(
            previous_attributes(&before, &after),
            Some(json!({"b": {"d": 3}, "e": [1]}))
        );
        assert_eq!(previous_attributes(&before, &before), None);
    }
}
