//! Bank accounts (`ba_…`): a connected account's external account, made from a bank token
//! (`btok_…`) or from the `external_account[…]` hash. Stripe's test numbers (FIDELITY.md §Test
//! onboarding data): routing `110000000` with account `000123456789` pays out; the failure numbers
//! attach but their payouts fail, which the sandbox shows at once as an errored external account.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Value, json};

use crate::http::error::ApiError;
use crate::http::params::{Field, Params, Ty, opt};

/// `bank_account[…]` of a token, `external_account[…]` of an account.
pub(crate) const BANK_ACCOUNT: &[Field] = &[
    opt("object", Ty::Enum(&["bank_account"])),
    opt("country", Ty::Str),
    opt("currency", Ty::Str),
    opt("routing_number", Ty::Str),
    opt("account_number", Ty::Str),
    opt("account_holder_name", Ty::Str),
    opt("account_holder_type", Ty::Enum(&["individual", "company"])),
    opt(
        "account_type",
        Ty::Enum(&["checking", "savings", "futsu", "toza"]),
    ),
    opt("metadata", Ty::Metadata),
];

#[derive(Clone, Debug)]
pub(crate) struct BankAccount {
    pub id: String,
    pub account_holder_name: Option<String>,
    pub account_holder_type: Option<String>,
    pub country: String,
    pub currency: String,
    pub routing_number: Option<String>,
    pub last4: String,
    pub fingerprint: String,
    /// Why payouts to it fail, for Stripe's failure test numbers.
    pub failure: Option<&'static str>,
}

/// The payout failure of each failure test number (FIDELITY.md §Test onboarding data; secondary
/// sources).
fn failure_of(account_number: &str) -> Option<&'static str> {
    match account_number {
        "000111111116" => Some("no_account"),
        "000111111113" => Some("account_closed"),
        "000222222227" => Some("insufficient_funds"),
        "000333333335" => Some("debit_not_authorized"),
        "000444444440" => Some("invalid_currency"),
        _ => None,
    }
}

impl BankAccount {
    /// Checks `bank_account[…]` (named `prefix` in errors) and makes the bank account.
    pub fn from_params(p: &Params, prefix: &str, id: String) -> Result<Self, ApiError> {
        let field = |name: &str| format!("{prefix}[{name}]");
        let country = p
            .str("country")
            .ok_or_else(|| ApiError::parameter_missing(&field("country")))?
            .to_ascii_uppercase();
        let currency = p.str("currency").map_or_else(
            || crate::currency::of_country(&country).to_owned(),
            str::to_ascii_lowercase,
        );
        if !crate::currency::is_supported(&currency) {
            return Err(
                ApiError::invalid_request(crate::currency::unsupported_message(&currency))
                    .param(field("currency")),
            );
        }
        let number = p
            .str("account_number")
            .ok_or_else(|| ApiError::parameter_missing(&field("account_number")))?;
        if !(4..=17).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::invalid_request(
                "Your bank account number must be between 4 and 17 digits.",
            )
            .code("account_number_invalid")
            .param(field("account_number")));
        }
        let routing = p.str("routing_number");
        if country == "US" {
            match routing {
                None => return Err(ApiError::parameter_missing(&field("routing_number"))),
                Some(r) if r.len() != 9 || !r.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(ApiError::invalid_request(format!(
                        "Routing number must have 9 digits: {}",
                        crate::http::error::shorten(r)
                    ))
                    .code("routing_number_invalid")
                    .param(field("routing_number")));
                }
                Some(_) => {}
            }
        }
        let mut hasher = DefaultHasher::new();
        ("stripe-sandbox-bank", &country, routing, number).hash(&mut hasher);
        Ok(Self {
            id,
            account_holder_name: p.str("account_holder_name").map(str::to_owned),
            account_holder_type: p.str("account_holder_type").map(str::to_owned),
            country,
            currency,
            routing_number: routing.map(str::to_owned),
            last4: number[number.len() - 4..].to_owned(),
            fingerprint: format!("{:016x}", hasher.finish()),
            failure: failure_of(number),
        })
    }

    /// The bank account object; `account` is set once it belongs to a connected account.
    pub fn to_json(&self, account: Option<&str>) -> Value {
        let mut value = json!({
            "id": self.id,
            "object": "bank_account",
            "account_holder_name": self.account_holder_name,
            "account_holder_type": self.account_holder_type,
            "account_type": null,
            "bank_name": "STRIPE TEST BANK",
            "country": self.country,
            "currency": self.currency,
            "fingerprint": self.fingerprint,
            "last4": self.last4,
            "routing_number": self.routing_number,
            "status": if self.failure.is_some() { "errored" } else { "new" },
        });
        if let Some(account) = account {
            value["account"] = json!(account);
            value["available_payout_methods"] = json!(["standard"]);
            value["default_for_currency"] = json!(true);
            value["metadata"] = json!({});
        }
        value
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::http::form::{Tree, decode_into};
    use crate::http::params::validate;

    fn bank(form: &str) -> Result<BankAccount, ApiError> {
        let mut tree = Tree::new();
        decode_into(&mut tree, form.as_bytes()).unwrap();
        let p = validate(&tree, BANK_ACCOUNT).unwrap();
        BankAccount::from_params(&p, "bank_account", "ba_1".into())
    }

    #[test]
    fn test_numbers_succeed_or_fail_payouts() {
        let ok = bank("country=US&routing_number=110000000&account_number=000123456789").unwrap();
        assert_eq!(ok.last4, "6789");
        assert_eq!(ok.currency, "usd");
        assert!(ok.failure.is_none());
        let closed =
            bank("country=US&routing_number=110000000&account_number=000111111113").unwrap();
        assert_eq!(closed.failure, Some("account_closed"));
        assert_eq!(closed.to_json(None)["status"], "errored");
    }

    #[test]
    fn bad_numbers_are_refused() {
        let e = bank("country=US&routing_number=11000&account_number=000123456789").unwrap_err();
        assert_eq!(
            e.body.param.as_deref(),
            Some("bank_account[routing_number]")
        );
        let e = bank("country=US&routing_number=110000000&account_number=12").unwrap_err();
        assert_eq!(e.body.code.as_deref(), Some("account_number_invalid"));
    }
}
