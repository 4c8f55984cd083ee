//! What a connected account has told Stripe about itself (business type, the individual or
//! company, business profile, terms of service, bank account), and what it still owes: the
//! `requirements` hash, computed from what was submitted and Stripe's Connect test values
//! (FIDELITY.md §Test onboarding data): date of birth 1901-01-01 (or 1902-01-01) verifies, address
//! line1 `address_full_match` matches (`address_no_match` does not), id number `000000000` matches
//! (`111111111` does not), `ssn_last_4` is any four digits (`0000` in Stripe's examples).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::bank::BankAccount;
use crate::http::error::ApiError;
use crate::http::params::{Field, INT, Param, Params, Ty, opt, set_or_clear};
use crate::resources::address::{ADDRESS, Address};

const DOB: &[Field] = &[opt("day", INT), opt("month", INT), opt("year", INT)];

pub(crate) const INDIVIDUAL: &[Field] = &[
    opt("address", Ty::Obj(ADDRESS)),
    opt("dob", Ty::Obj(DOB)),
    opt("email", Ty::Str),
    opt("first_name", Ty::Str),
    opt("last_name", Ty::Str),
    opt("phone", Ty::Str),
    opt("ssn_last_4", Ty::Str),
    opt("id_number", Ty::Str),
    opt("metadata", Ty::Metadata),
    opt("verification", Ty::AnyObj),
    opt("relationship", Ty::AnyObj),
];

pub(crate) const COMPANY: &[Field] = &[
    opt("address", Ty::Obj(ADDRESS)),
    opt("name", Ty::Str),
    opt("phone", Ty::Str),
    opt("tax_id", Ty::Str),
    opt("directors_provided", Ty::Bool),
    opt("executives_provided", Ty::Bool),
    opt("owners_provided", Ty::Bool),
    opt("structure", Ty::Str),
    opt("verification", Ty::AnyObj),
];

pub(crate) const BUSINESS_PROFILE: &[Field] = &[
    opt("mcc", Ty::Str),
    opt("name", Ty::Str),
    opt("product_description", Ty::Str),
    opt("support_email", Ty::Str),
    opt("support_phone", Ty::Str),
    opt("support_url", Ty::Str),
    opt("url", Ty::Str),
];

pub(crate) const TOS_ACCEPTANCE: &[Field] = &[
    opt("date", INT),
    opt("ip", Ty::Str),
    opt("user_agent", Ty::Str),
    opt("service_agreement", Ty::Enum(&["full", "recipient"])),
];

pub(crate) const BUSINESS_TYPES: &[&str] =
    &["individual", "company", "non_profit", "government_entity"];

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Individual {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// (day, month, year).
    pub dob: Option<(i64, i64, i64)>,
    pub address: Address,
    pub ssn_last_4: Option<String>,
    /// Only what the number does to verification is kept, never the number.
    pub id_number: Option<IdNumber>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdNumber {
    Matches,
    DoesNotMatch,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Company {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub tax_id_provided: bool,
    pub address: Address,
    pub directors_provided: bool,
    pub executives_provided: bool,
    pub owners_provided: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tos {
    pub date: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub service_agreement: Option<String>,
}

/// Everything submitted about an account.
#[derive(Clone, Debug, Default)]
pub(crate) struct Profile {
    pub business_type: Option<String>,
    pub individual: Individual,
    pub company: Company,
    pub mcc: Option<String>,
    pub product_description: Option<String>,
    pub support_phone: Option<String>,
    pub support_url: Option<String>,
    pub tos: Tos,
    pub external_accounts: Vec<BankAccount>,
}

impl Individual {
    /// Applies `individual[…]`, checking the values Stripe checks.
    pub fn apply(&mut self, p: &Params) -> Result<(), ApiError> {
        set_or_clear(&mut self.first_name, p, "first_name");
        set_or_clear(&mut self.last_name, p, "last_name");
        set_or_clear(&mut self.email, p, "email");
        set_or_clear(&mut self.phone, p, "phone");
        if let Some(a) = p.obj("address") {
            self.address.apply(a);
        }
        if let Some(dob) = p.obj("dob") {
            let (day, month, year) = (dob.int("day"), dob.int("month"), dob.int("year"));
            match (day, month, year) {
                (Some(d), Some(m), Some(y))
                    if (1..=31).contains(&d)
                        && (1..=12).contains(&m)
                        && (1900..=2100).contains(&y) =>
                {
                    self.dob = Some((d, m, y));
                }
                _ => {
                    return Err(ApiError::invalid_request(
                        "Invalid date of birth: give individual[dob][day], [month] and [year] \
                         as a real date.",
                    )
                    .param("individual[dob]"));
                }
            }
        } else if p.get("dob") == Some(&Param::Unset) {
            self.dob = None;
        }
        if let Some(ssn) = p.str("ssn_last_4") {
            if ssn.len() != 4 || !ssn.bytes().all(|b| b.is_ascii_digit()) {
                return Err(
                    ApiError::invalid_request("The SSN last 4 must be exactly 4 digits.")
                        .param("individual[ssn_last_4]"),
                );
            }
            self.ssn_last_4 = Some(ssn.to_owned());
        }
        if let Some(id) = p.str("id_number") {
            self.id_number = Some(if id == "111111111" {
                IdNumber::DoesNotMatch
            } else {
                IdNumber::Matches
            });
        }
        Ok(())
    }

    fn verified(&self) -> bool {
        matches!(self.dob, Some((1, 1, 1901 | 1902)))
            && self.address.line1.as_deref() != Some("address_no_match")
            && self.id_number != Some(IdNumber::DoesNotMatch)
    }

    /// The Person object Stripe returns as `individual`; `created` is the account's, the
    /// sandbox making the person with it.
    pub fn to_json(&self, account: &str, created: i64) -> Value {
        json!({
            "id": self.id,
            "object": "person",
            "account": account,
            "created": created,
            "address": self.address.to_json(),
            "dob": match self.dob {
                Some((d, m, y)) => json!({"day": d, "month": m, "year": y}),
                None => json!({"day": null, "month": null, "year": null}),
            },
            "email": self.email,
            "first_name": self.first_name,
            "id_number_provided": self.id_number.is_some(),
            "last_name": self.last_name,
            "metadata": {},
            "phone": self.phone,
            "relationship": { "representative": true, "owner": true, "title": null },
            "ssn_last_4_provided": self.ssn_last_4.is_some(),
            "verification": {
                "status": if self.verified() { "verified" } else { "unverified" },
                "details": null,
                "document": { "back": null, "front": null, "details": null, "details_code": null },
            },
        })
    }
}

impl Company {
    pub fn apply(&mut self, p: &Params) {
        set_or_clear(&mut self.name, p, "name");
        set_or_clear(&mut self.phone, p, "phone");
        if p.str("tax_id").is_some() {
            self.tax_id_provided = true;
        }
        if let Some(a) = p.obj("address") {
            self.address.apply(a);
        }
        for (name, slot) in [
            ("directors_provided", &mut self.directors_provided),
            ("executives_provided", &mut self.executives_provided),
            ("owners_provided", &mut self.owners_provided),
        ] {
            if let Some(v) = p.bool(name) {
                *slot = v;
            }
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "address": self.address.to_json(),
            "directors_provided": self.directors_provided,
            "executives_provided": self.executives_provided,
            "name": self.name,
            "owners_provided": self.owners_provided,
            "phone": self.phone,
            "tax_id_provided": self.tax_id_provided,
            "verification": { "document": { "back": null, "front": null, "details": null, "details_code": null } },
        })
    }
}

impl Tos {
    pub fn apply(&mut self, p: &Params) {
        if let Some(date) = p.int("date") {
            self.date = Some(date);
        }
        set_or_clear(&mut self.ip, p, "ip");
        set_or_clear(&mut self.user_agent, p, "user_agent");
        set_or_clear(&mut self.service_agreement, p, "service_agreement");
    }
}

/// One entry of `requirements.errors`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequirementError {
    pub code: &'static str,
    pub reason: String,
    pub requirement: String,
}

impl RequirementError {
    pub fn to_json(&self) -> Value {
        json!({ "code": self.code, "reason": self.reason, "requirement": self.requirement })
    }
}

/// What is due and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Due {
    pub fields: BTreeSet<String>,
    pub errors: Vec<RequirementError>,
}

fn has(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

impl Profile {
    /// Every requirement for the account's country, business type and capabilities,
    /// satisfied or not. Taking card payments adds the business profile (what is sold, and
    /// where); an account that only receives transfers owes the rest.
    pub fn candidates(&self, country: &str, card_payments: bool) -> Vec<String> {
        let mut out: Vec<&str> = vec![
            "business_type",
            "external_account",
            "tos_acceptance.date",
            "tos_acceptance.ip",
        ];
        if card_payments {
            out.extend(["business_profile.mcc", "business_profile.url"]);
        }
        let needs_state = matches!(country, "US" | "CA" | "AU");
        match self.business_type.as_deref() {
            Some("individual") | None => {
                out.extend([
                    "individual.address.city",
                    "individual.address.line1",
                    "individual.address.postal_code",
                    "individual.dob.day",
                    "individual.dob.month",
                    "individual.dob.year",
                    "individual.email",
                    "individual.first_name",
                    "individual.last_name",
                    "individual.phone",
                ]);
                if needs_state {
                    out.push("individual.address.state");
                }
                if country == "US" {
                    out.push("individual.ssn_last_4");
                }
            }
            Some(_) => {
                out.extend([
                    "company.address.city",
                    "company.address.line1",
                    "company.address.postal_code",
                    "company.directors_provided",
                    "company.executives_provided",
                    "company.name",
                    "company.owners_provided",
                    "company.phone",
                    "company.tax_id",
                ]);
                if needs_state {
                    out.push("company.address.state");
                }
            }
        }
        out.sort_unstable();
        out.into_iter().map(str::to_owned).collect()
    }

    /// Whether `requirement` is met by what was submitted.
    pub fn satisfies(&self, requirement: &str) -> bool {
        let i = &self.individual;
        let c = &self.company;
        match requirement {
            "business_profile.mcc" => has(&self.mcc),
            "business_profile.url" => has(&self.support_url) || has(&self.product_description),
            "business_type" => self.business_type.is_some(),
            "external_account" => self
                .external_accounts
                .first()
                .is_some_and(|b| b.failure.is_none()),
            "tos_acceptance.date" => self.tos.date.is_some(),
            "tos_acceptance.ip" => has(&self.tos.ip),
            "individual.address.city" => has(&i.address.city),
            "individual.address.line1" => {
                has(&i.address.line1) && i.address.line1.as_deref() != Some("address_no_match")
            }
            "individual.address.postal_code" => has(&i.address.postal_code),
            "individual.address.state" => has(&i.address.state),
            "individual.dob.day" | "individual.dob.month" | "individual.dob.year" => {
                i.dob.is_some()
            }
            "individual.email" => has(&i.email),
            "individual.first_name" => has(&i.first_name),
            "individual.last_name" => has(&i.last_name),
            "individual.phone" => has(&i.phone),
            "individual.ssn_last_4" => i.ssn_last_4.is_some() || i.id_number.is_some(),
            "individual.id_number" => i.id_number == Some(IdNumber::Matches),
            "individual.verification.document" => i.dob.is_none() || i.verified(),
            "company.address.city" => has(&c.address.city),
            "company.address.line1" => has(&c.address.line1),
            "company.address.postal_code" => has(&c.address.postal_code),
            "company.address.state" => has(&c.address.state),
            "company.directors_provided" => c.directors_provided,
            "company.executives_provided" => c.executives_provided,
            "company.name" => has(&c.name),
            "company.owners_provided" => c.owners_provided,
            "company.phone" => has(&c.phone),
            "company.tax_id" => c.tax_id_provided,
            // Requirements the sandbox does not model (from a seed file) are never met by
            // the API; the hosted onboarding page meets everything.
            _ => false,
        }
    }

    /// The failed verifications, each with the requirement it puts back on the list.
    pub fn verification_errors(&self) -> Vec<RequirementError> {
        let mut errors = Vec::new();
        let i = &self.individual;
        if self.business_type.as_deref() == Some("individual") || self.business_type.is_none() {
            if i.dob.is_some() && !matches!(i.dob, Some((1, 1, 1901 | 1902))) {
                errors.push(RequirementError {
                    code: "verification_failed_keyed_identity",
                    reason: "The identity information you entered cannot be verified. Please \
                             correct any errors or upload a document that matches the identity \
                             fields (e.g., name and date of birth) that you entered."
                        .to_owned(),
                    requirement: "individual.verification.document".to_owned(),
                });
            }
            if i.address.line1.as_deref() == Some("address_no_match") {
                errors.push(RequirementError {
                    code: "verification_failed_address_match",
                    reason: "The address you entered could not be verified. Please correct it."
                        .to_owned(),
                    requirement: "individual.address.line1".to_owned(),
                });
            }
            if i.id_number == Some(IdNumber::DoesNotMatch) {
                errors.push(RequirementError {
                    code: "verification_failed_id_number_match",
                    reason: "The ID number you entered does not match the name and date of \
                             birth. Please correct it."
                        .to_owned(),
                    requirement: "individual.id_number".to_owned(),
                });
            }
        }
        if let Some(bank) = self.external_accounts.first()
            && let Some(failure) = bank.failure
        {
            errors.push(RequirementError {
                code: "invalid_value_other",
                reason: format!(
                    "Payouts to the bank account ending in {} fail ({failure}). Provide another \
                     bank account.",
                    bank.last4
                ),
                requirement: "external_account".to_owned(),
            });
        }
        errors
    }

    /// What is due: the unmet `candidates` (all of them, or the seed's list for a seeded
    /// account), plus what failed verification.
    pub fn due(&self, candidates: &[String]) -> Due {
        let errors = self.verification_errors();
        let mut fields: BTreeSet<String> = candidates
            .iter()
            .filter(|r| !self.satisfies(r))
            .cloned()
            .collect();
        for e in &errors {
            fields.insert(e.requirement.clone());
        }
        Due { fields, errors }
    }

    /// Fills every field with Stripe's passing test values where nothing was given, as the
    /// hosted onboarding page's "use test data" does.
    pub fn fill_test_data(&mut self, country: &str, email: Option<&str>) {
        let fill = |slot: &mut Option<String>, value: &str| {
            if !has(slot) {
                *slot = Some(value.to_owned());
            }
        };
        if self.business_type.is_none() {
            self.business_type = Some("individual".to_owned());
        }
        fill(&mut self.mcc, "5734");
        if !has(&self.support_url) && !has(&self.product_description) {
            self.product_description = Some("Goods sold through the platform.".to_owned());
        }
        let state = if country == "US" { "CA" } else { "" };
        if self.business_type.as_deref() == Some("individual") {
            let i = &mut self.individual;
            fill(&mut i.first_name, "Jenny");
            fill(&mut i.last_name, "Rosen");
            fill(&mut i.email, email.unwrap_or("jenny.rosen@example.com"));
            fill(&mut i.phone, "0000000000");
            if i.dob.is_none() {
                i.dob = Some((1, 1, 1901));
            }
            fill(&mut i.address.line1, "address_full_match");
            fill(&mut i.address.city, "San Francisco");
            fill(&mut i.address.postal_code, "94111");
            if !state.is_empty() {
                fill(&mut i.address.state, state);
            }
            fill(&mut i.address.country, country);
            if country == "US" && i.ssn_last_4.is_none() {
                i.ssn_last_4 = Some("0000".to_owned());
            }
        } else {
            let c = &mut self.company;
            fill(&mut c.name, "Test Company");
            fill(&mut c.phone, "0000000000");
            fill(&mut c.address.line1, "address_full_match");
            fill(&mut c.address.city, "San Francisco");
            fill(&mut c.address.postal_code, "94111");
            if !state.is_empty() {
                fill(&mut c.address.state, state);
            }
            c.tax_id_provided = true;
            c.directors_provided = true;
            c.executives_provided = true;
            c.owners_provided = true;
        }
    }
}
