//! Account Links and login links (FIDELITY.md §Account Links): single-use URLs into the sandbox's
//! hosted onboarding (`/setup/c/{account}/{token}`, valid 300 s; a stale or reused link sends
//! the browser to `refresh_url`) and its Express dashboard (`/express/{token}`).
//! `POST /v1/account_links`, `POST /v1/accounts/{id}/login_links`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::http::auth::Access;
use crate::http::error::{ApiError, ErrorType, shorten};
use crate::http::params::{Ty, opt, req};
use crate::http::pipeline::{ApiRequest, Endpoint, ObjectRequest, run, run_on_object};
use crate::state::SandboxState;

/// How long an Account Link works (Stripe's example: `expires_at − created = 300`).
pub(crate) const LINK_SECONDS: i64 = 300;

/// How long an onboarding page opened from a link (or a login link) stays usable.
pub(crate) const SESSION_SECONDS: i64 = 3600;

#[derive(Clone, Debug)]
pub(crate) struct AccountLink {
    pub account: String,
    /// `account_onboarding` or `account_update`.
    pub kind: String,
    pub refresh_url: Option<String>,
    pub return_url: Option<String>,
    pub expires_at: i64,
    pub used: bool,
}

/// The hosted onboarding page a link opened.
#[derive(Clone, Debug)]
pub(crate) struct OnboardingSession {
    pub account: String,
    pub kind: String,
    pub refresh_url: Option<String>,
    pub return_url: Option<String>,
    pub expires_at: i64,
}

/// A login link into the Express dashboard page.
#[derive(Clone, Debug)]
pub(crate) struct LoginLink {
    pub account: String,
    pub expires_at: i64,
}

const CREATE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[
        req("account", Ty::Str),
        req("type", Ty::Enum(&["account_onboarding", "account_update"])),
        opt("refresh_url", Ty::Str),
        opt("return_url", Ty::Str),
        opt("collect", Ty::Enum(&["currently_due", "eventually_due"])),
        opt("collection_options", Ty::AnyObj),
    ],
};

const LOGIN_LINK: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[],
};

fn check_url(url: &str, param: &str) -> Result<(), ApiError> {
    if (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > "https://".len()
        && !url.chars().any(char::is_whitespace)
    {
        Ok(())
    } else {
        Err(
            ApiError::invalid_request(format!("Not a valid URL: {}", shorten(url)))
                .code("url_invalid")
                .param(param),
        )
    }
}

/// `POST /v1/account_links`.
pub(crate) async fn create(State(state): State<SandboxState>, req: ApiRequest) -> Response {
    run(&state, req, &CREATE, |call| {
        let p = call.params;
        let account_id = p.str("account").unwrap_or_default().to_owned();
        let kind = p.str("type").unwrap_or_default().to_owned();
        for name in ["refresh_url", "return_url"] {
            if let Some(url) = p.str(name) {
                check_url(url, name)?;
            }
        }
        let account = call
            .store
            .accounts
            .get(&account_id)
            .filter(|a| !a.is_platform && !call.caller.connected)
            .ok_or_else(|| {
                ApiError::resource_missing("account", &account_id, "account")
                    .status(StatusCode::BAD_REQUEST)
            })?;
        if kind == "account_update" && !account.platform_collects() {
            return Err(ApiError::invalid_request(
                "You cannot create `account_update` type Account Links for accounts where Stripe \
                 collects requirements (Standard and Express accounts); use \
                 `account_onboarding`.",
            )
            .param("type"));
        }
        let token = call.store.new_id("", 12);
        let url = format!("{}/setup/c/{account_id}/{token}", call.base_url);
        call.store.account_links.insert(
            token,
            AccountLink {
                account: account_id.clone(),
                kind,
                refresh_url: p.str("refresh_url").map(str::to_owned),
                return_url: p.str("return_url").map(str::to_owned),
                expires_at: call.now + LINK_SECONDS,
                used: false,
            },
        );
        if let Some(a) = call.store.accounts.get_mut(&account_id) {
            a.onboarding_started = true;
        }
        Ok(json!({
            "object": "account_link",
            "created": call.now,
            "expires_at": call.now + LINK_SECONDS,
            "url": url,
        }))
    })
    .await
}

/// `POST /v1/accounts/{id}/login_links`: Express accounts that finished onboarding only.
pub(crate) async fn create_login_link(req: ObjectRequest) -> Response {
    run_on_object(req, &LOGIN_LINK, |call, id| {
        let account = call
            .store
            .accounts
            .get(id)
            .filter(|a| !a.is_platform && !call.caller.connected)
            .ok_or_else(|| ApiError::account_invalid(&call.caller.key, id))?;
        if !account.has_express_dashboard() {
            return Err(ApiError::invalid_request(
                "Login links can only be created for accounts that use the Express Dashboard.",
            )
            .param("account"));
        }
        if !account.details_submitted {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorType::InvalidRequestError,
                "Cannot create a login link for an account that has not completed onboarding.",
            )
            .param("account"));
        }
        let token = call.store.new_id("", 16);
        call.store.login_links.insert(
            token.clone(),
            LoginLink {
                account: id.to_owned(),
                expires_at: call.now + SESSION_SECONDS,
            },
        );
        Ok(json!({
            "object": "login_link",
            "created": call.now,
            "url": format!("{}/express/{token}", call.base_url),
        }))
    })
    .await
}
