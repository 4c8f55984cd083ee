//! Tokens (FIDELITY.md §Tokens): single-use stand-ins for bank details (`btok_…`) and for an
//! account's legal details (`ct_…`), made with the publishable key from the browser (Stripe.js
//! `createToken`) so the platform's server never handles them raw. `POST /v1/tokens`,
//! `GET /v1/tokens/{id}`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::account::Account;
use super::account::bank::{BANK_ACCOUNT, BankAccount};
use super::account::profile::{BUSINESS_TYPES, COMPANY, INDIVIDUAL};
use super::retrieve::RETRIEVE;
use crate::http::auth::Access;
use crate::http::error::{ApiError, shorten};
use crate::http::params::{Field, Params, Ty, opt};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::{SandboxState, Store};

/// What an account token carries.
#[derive(Clone, Debug)]
pub(crate) struct AccountTokenData {
    pub business_type: Option<String>,
    pub individual: Option<Params>,
    pub company: Option<Params>,
    pub tos_shown_and_accepted: bool,
    pub created: i64,
}

impl AccountTokenData {
    /// Puts the token's details on `account`.
    pub fn apply_to(&self, account: &mut Account) -> Result<(), ApiError> {
        let profile = &mut account.profile;
        if let Some(kind) = &self.business_type {
            profile.business_type = Some(kind.clone());
        }
        if let Some(individual) = &self.individual {
            if profile.individual.id.is_empty() {
                profile.individual.id = format!("person_{}", &account.id[5..]);
            }
            profile.individual.apply(individual)?;
        }
        if let Some(company) = &self.company {
            profile.company.apply(company);
        }
        if self.tos_shown_and_accepted {
            profile.tos.date = Some(self.created);
            profile.tos.ip = Some("127.0.0.1".to_owned());
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub(crate) enum TokenKind {
    BankAccount(BankAccount),
    Account(AccountTokenData),
    /// `pii[id_number]`: a personal id number, tokenised so the server never sees it. Also
    /// what a platform's health check can make with its publishable key alone.
    Pii,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub id: String,
    /// The account it was made on.
    pub account: String,
    pub kind: TokenKind,
    pub used: bool,
    pub created: i64,
}

impl Token {
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "id": self.id,
            "object": "token",
            "client_ip": "127.0.0.1",
            "created": self.created,
            "livemode": false,
            "used": self.used,
        });
        match &self.kind {
            TokenKind::BankAccount(bank) => {
                value["type"] = json!("bank_account");
                value["bank_account"] = bank.to_json(None);
            }
            TokenKind::Account(_) => value["type"] = json!("account"),
            TokenKind::Pii => value["type"] = json!("pii"),
        }
        value
    }
}

const ACCOUNT: &[Field] = &[
    opt("business_type", Ty::Enum(BUSINESS_TYPES)),
    opt("individual", Ty::Obj(INDIVIDUAL)),
    opt("company", Ty::Obj(COMPANY)),
    opt("tos_shown_and_accepted", Ty::Bool),
];

const CREATE: Endpoint = Endpoint {
    access: Access::Publishable,
    schema: &[
        opt("bank_account", Ty::Obj(BANK_ACCOUNT)),
        opt("account", Ty::Obj(ACCOUNT)),
        opt("card", Ty::AnyObj),
        opt("person", Ty::AnyObj),
        opt("pii", Ty::Obj(PII)),
        opt("customer", Ty::Str),
    ],
};

const PII: &[Field] = &[opt("id_number", Ty::Str)];

fn token_used(id: &str, param: &str) -> ApiError {
    ApiError::invalid_request(format!(
        "You cannot use a Stripe token more than once: {}.",
        shorten(id)
    ))
    .code("token_already_used")
    .param(param)
}

fn no_such_token(id: &str, param: &str) -> ApiError {
    ApiError::resource_missing("token", id, param).status(axum::http::StatusCode::BAD_REQUEST)
}

impl Store {
    /// Spends bank token `id` (made on `account`), returning its bank account.
    pub(crate) fn use_bank_token(
        &mut self,
        id: &str,
        account: &str,
        param: &str,
    ) -> Result<BankAccount, ApiError> {
        self.spend_token(id, account, param, "a bank account", |kind| match kind {
            TokenKind::BankAccount(bank) => Some(bank.clone()),
            _ => None,
        })
    }

    /// Spends account token `id` (made on `account`), returning what it carries.
    pub(crate) fn use_account_token(
        &mut self,
        id: &str,
        account: &str,
        param: &str,
    ) -> Result<AccountTokenData, ApiError> {
        self.spend_token(id, account, param, "an account", |kind| match kind {
            TokenKind::Account(data) => Some(data.clone()),
            _ => None,
        })
    }

    /// Spends token `id` (made on `account`) if it is of the kind `carried` reads (`kind_name`
    /// in the error when it is not), returning what it carries.
    fn spend_token<T>(
        &mut self,
        id: &str,
        account: &str,
        param: &str,
        kind_name: &str,
        carried: impl Fn(&TokenKind) -> Option<T>,
    ) -> Result<T, ApiError> {
        let token = self
            .tokens
            .get_mut(id)
            .filter(|t| t.account == account)
            .ok_or_else(|| no_such_token(id, param))?;
        let Some(value) = carried(&token.kind) else {
            return Err(ApiError::invalid_request(format!(
                "{} is not {kind_name} token.",
                shorten(id)
            ))
            .param(param));
        };
        if token.used {
            return Err(token_used(id, param));
        }
        token.used = true;
        Ok(value)
    }
}

/// `POST /v1/tokens`: `bank_account[…]` or `account[…]`, with either key.
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, |call| {
        let p = call.params;
        for unsupported in ["card", "person", "customer"] {
            if p.contains(unsupported) {
                return Err(ApiError::invalid_request(format!(
                    "The Stripe sandbox makes bank_account, account and pii tokens only, not \
                     {unsupported} tokens (use PaymentMethods for cards)."
                ))
                .param(unsupported));
            }
        }
        let kind = match (p.obj("bank_account"), p.obj("account")) {
            (None, None) if p.obj("pii").and_then(|pii| pii.str("id_number")).is_some() => {
                TokenKind::Pii
            }
            (Some(bank), None) => {
                let id = call.store.new_id("ba_", 24);
                TokenKind::BankAccount(BankAccount::from_params(bank, "bank_account", id)?)
            }
            (None, Some(account)) => {
                if let Some(individual) = account.obj("individual") {
                    // Check the details now, as Stripe does, not when the token is used.
                    super::account::profile::Individual::default()
                        .apply(individual)
                        .map_err(|mut e| {
                            e.body.param = e
                                .body
                                .param
                                .map(|p| p.replacen("individual", "account[individual]", 1));
                            e
                        })?;
                }
                TokenKind::Account(AccountTokenData {
                    business_type: account.str("business_type").map(str::to_owned),
                    individual: account.obj("individual").cloned(),
                    company: account.obj("company").cloned(),
                    tos_shown_and_accepted: account.bool("tos_shown_and_accepted") == Some(true),
                    created: call.now,
                })
            }
            _ => {
                return Err(ApiError::invalid_request(
                    "You must supply either a card, customer, PII data, bank account, or account \
                     legal entity to create a token.",
                ));
            }
        };
        let prefix = match kind {
            TokenKind::BankAccount(_) => "btok_",
            TokenKind::Account(_) => "ct_",
            TokenKind::Pii => "pii_",
        };
        let token = Token {
            id: call.store.new_id(prefix, 24),
            account: call.caller.account.clone(),
            kind,
            used: false,
            created: call.now,
        };
        let value = token.to_json();
        call.store.tokens.insert(token.id.clone(), token);
        Ok(value)
    })
    .await
}

/// `GET /v1/tokens/{id}` (secret key).
pub(crate) async fn retrieve(req: ObjectRequest) -> Response {
    run_on_object(req, &RETRIEVE, |call, id| {
        call.store
            .tokens
            .get(id)
            .filter(|t| t.account == call.caller.account)
            .map(Token::to_json)
            .ok_or_else(|| ApiError::resource_missing("token", id, "token"))
    })
    .await
}
