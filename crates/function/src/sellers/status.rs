//! A seller's status in words: what works, what Stripe still needs, and the one next step.

use connect_checkout_core::api::{
    AccountKind, DisabledReason, NextStep, RequirementError, SellerStatus,
};
use connect_checkout_core::{AccountId, Currency};

use crate::stripe::objects::Account;

/// Express, Standard or Custom, from the controller properties (or the legacy `type`).
pub fn kind_of(account: &Account) -> Option<AccountKind> {
    let dashboard = account
        .controller
        .as_ref()
        .and_then(|controller| controller.stripe_dashboard.as_ref())
        .and_then(|dashboard| dashboard.kind.as_deref());
    match dashboard.or(account.kind.as_deref()) {
        Some("express") => Some(AccountKind::Express),
        Some("full" | "standard") => Some(AccountKind::Standard),
        Some("none" | "custom") => Some(AccountKind::Custom),
        _ => None,
    }
}

/// Whether the platform collects this account's requirements with its own forms.
pub fn platform_collects(account: &Account) -> bool {
    let collection = account
        .controller
        .as_ref()
        .and_then(|controller| controller.requirement_collection.as_deref());
    collection == Some("application") || kind_of(account) == Some(AccountKind::Custom)
}

/// Stripe's `disabled_reason` codes (<https://docs.stripe.com/api/accounts/object>), in words a
/// seller can act on.
pub fn disabled_reason_in_words(code: &str) -> String {
    let words = match code {
        "action_required.requested_capabilities" => {
            "Payments are off until the account requests what it needs to take card payments."
        }
        "requirements.past_due" => {
            "Some required information is overdue. Add it to turn payments back on."
        }
        "requirements.pending_verification" => {
            "Stripe is checking the information you sent. This usually takes a few minutes."
        }
        "under_review" => "Stripe is reviewing this account. You will hear from Stripe by email.",
        "platform_paused" => "The marketplace has paused this account. Contact the marketplace.",
        "listed" | "rejected.listed" => {
            "Stripe cannot work with this account because it appears on a restricted list."
        }
        "rejected.fraud" => "Stripe closed this account because of suspected fraud.",
        "rejected.incomplete_verification" => {
            "Stripe closed this account because verification was not completed in time."
        }
        "rejected.terms_of_service" => {
            "Stripe closed this account because it broke Stripe's terms of service."
        }
        "rejected.platform_fraud"
        | "rejected.platform_other"
        | "rejected.platform_terms_of_service" => "The marketplace closed this account.",
        "other" | "rejected.other" => {
            "Stripe turned payments off for this account. Contact the marketplace for help."
        }
        _ => return format!("Payments are turned off for this account ({code})."),
    };
    words.to_owned()
}

pub fn status_of(account: &Account) -> Option<SellerStatus> {
    let requirements = account.requirements.as_ref();
    let list = |pick: fn(&crate::stripe::objects::Requirements) -> &Vec<String>| {
        requirements.map(pick).cloned().unwrap_or_default()
    };
    let currently_due = list(|r| &r.currently_due);
    let past_due = list(|r| &r.past_due);
    let pending_verification = list(|r| &r.pending_verification);
    let errors: Vec<RequirementError> = requirements
        .map(|r| {
            r.errors
                .iter()
                .map(|error| RequirementError {
                    requirement: error.requirement.clone(),
                    code: error.code.clone(),
                    reason: error.reason.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let disabled_reason = requirements
        .and_then(|r| r.disabled_reason.as_deref())
        .map(|code| DisabledReason {
            code: code.to_owned(),
            message: disabled_reason_in_words(code),
        });

    let next_step = if !account.details_submitted && !currently_due.is_empty() {
        NextStep::CompleteOnboarding
    } else if !currently_due.is_empty() || !past_due.is_empty() || !errors.is_empty() {
        NextStep::ProvideInformation
    } else if !pending_verification.is_empty() || !account.charges_enabled {
        NextStep::WaitForVerification
    } else {
        NextStep::Done
    };

    Some(SellerStatus {
        id: AccountId::new(account.id.clone()).ok()?,
        kind: kind_of(account),
        display_name: account.display_name(),
        email: account.email.clone(),
        country: account.country.clone(),
        default_currency: account
            .default_currency
            .as_deref()
            .and_then(|currency| Currency::new(currency).ok()),
        charges_enabled: account.charges_enabled,
        payouts_enabled: account.payouts_enabled,
        details_submitted: account.details_submitted,
        currently_due,
        eventually_due: list(|r| &r.eventually_due),
        past_due,
        pending_verification,
        current_deadline: requirements.and_then(|r| r.current_deadline),
        disabled_reason,
        errors,
        next_step,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn account(value: serde_json::Value) -> Account {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_new_express_account_must_complete_onboarding() {
        let new = account(json!({
            "id": "acct_1New", "type": "express", "details_submitted": false,
            "controller": {"stripe_dashboard": {"type": "express"}, "requirement_collection": "stripe"},
            "requirements": {"currently_due": ["external_account", "tos_acceptance.date"],
                             "disabled_reason": "requirements.past_due"}
        }));
        let status = status_of(&new).unwrap();
        assert_eq!(status.kind, Some(AccountKind::Express));
        assert_eq!(status.next_step, NextStep::CompleteOnboarding);
        assert!(status.disabled_reason.unwrap().message.contains("overdue"));
    }

    #[test]
    fn rejected_information_asks_for_more() {
        let status = status_of(&account(json!({
            "id": "acct_1", "details_submitted": true,
            "requirements": {"errors": [{"requirement": "individual.dob.day", "code": "invalid_dob_age_under_minimum", "reason": "too young"}]}
        })))
        .unwrap();
        assert_eq!(status.next_step, NextStep::ProvideInformation);
        assert_eq!(status.errors[0].requirement, "individual.dob.day");
    }

    #[test]
    fn an_enabled_account_is_done_and_pending_checks_mean_wait() {
        let done = status_of(&account(json!({
            "id": "acct_1", "details_submitted": true, "charges_enabled": true, "payouts_enabled": true,
            "controller": {"stripe_dashboard": {"type": "none"}, "requirement_collection": "application"}
        })))
        .unwrap();
        assert_eq!(done.next_step, NextStep::Done);
        assert_eq!(done.kind, Some(AccountKind::Custom));
        let waiting = status_of(&account(json!({
            "id": "acct_1", "details_submitted": true,
            "requirements": {"pending_verification": ["individual.id_number"]}
        })))
        .unwrap();
        assert_eq!(waiting.next_step, NextStep::WaitForVerification);
    }

    #[test]
    fn unknown_disabled_reasons_still_get_words() {
        assert!(disabled_reason_in_words("brand.new").contains("brand.new"));
    }
}
