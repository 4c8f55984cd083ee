//! The seller's journey: create a connected account, onboard, see status, open the dashboard;
//! payments and refunds are in `payments.rs`. Every route under `/api/sellers/{account}`
//! passes [`SellerAccess`]: the request's session must be for that very account.

pub mod oidc;
mod payments;
pub mod session;
pub mod status;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use connect_checkout_core::AccountId;
use connect_checkout_core::api::{
    AccountKind, CreateSellerRequest, CreatedSeller, CustomDetails, DashboardLink, ErrorCode,
    FieldError, OnboardingLink, SellerList, SellerStatus,
};
use serde::Deserialize;

use crate::AppState;
use crate::checkout::catalog::read_account;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::stripe::objects::Account;
use crate::stripe::operations::{AccountDetailsSpec, AccountSpec};
use crate::stripe::{IdempotencyKey, StripeError};
use session::{AuthError, SignUp};

pub fn routes(state: &AppState) -> Router<AppState> {
    let router = Router::new()
        .route("/sellers", post(create_seller))
        .route("/sellers/{account}/status", get(seller_status))
        .route("/sellers/{account}/onboarding-link", post(onboarding_link))
        .route("/sellers/{account}/dashboard-link", post(dashboard_link))
        .route("/sellers/{account}/details", post(submit_details))
        .route("/sellers/{account}/payments", get(payments::list_payments))
        .route("/sellers/{account}/refunds", post(payments::create_refund));
    let session = axum::routing::delete(sign_out);
    // Only in sandbox mode: lets a person try the seeded sellers' pages. A real platform signs
    // sellers in with its own login (`SellerAuth`).
    let demo = state.config.mode == connect_checkout_core::api::Mode::Sandbox
        && state.config.seller_sign_in == crate::config::SellerSignIn::Open;
    let session = if demo {
        session.post(sandbox_sign_in).get(sandbox_sellers)
    } else {
        session
    };
    router.route("/seller-session", session)
}

/// Proof that the request's seller session is for the `{account}` in the path.
pub struct SellerAccess(pub AccountId);

impl FromRequestParts<AppState> for SellerAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::invalid("the path needs a seller account id"))?;
        let requested = AccountId::new(params.get("account").cloned().unwrap_or_default())?;
        let session = state
            .auth
            .authenticate(&parts.headers, state.now())
            .await
            .map_err(|error| {
                refusal(error).with_detail(format!("seller endpoint for {requested}: {error}"))
            })?;
        if session != requested {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "This is another seller's account. You can only see your own.",
            )
            .with_detail(format!("session for {session} asked for {requested}")));
        }
        Ok(Self(requested))
    }
}

/// What a seller sees when their sign-in does not open an endpoint (or sign-up).
fn refusal(error: AuthError) -> AppError {
    let unauthorized =
        |message| AppError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message);
    let forbidden = |message| AppError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message);
    match error {
        AuthError::Expired => {
            unauthorized("Your seller session has expired. Sign in again to continue.")
        }
        AuthError::DuplicateCookie => AppError::invalid(
            "This request carries more than one seller session cookie; send one. Signing out \
             and in again replaces them.",
        ),
        AuthError::NoAccount => forbidden(
            "Your sign-in has no seller account yet: create one (POST /api/sellers) first.",
        ),
        AuthError::AlreadyHasAccount => forbidden(
            "Your sign-in already has a seller account: open it instead of creating another.",
        ),
        AuthError::SignUpClosed => {
            forbidden("This marketplace creates seller accounts through its own sign-in, not here.")
        }
        AuthError::ProviderUnavailable => AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal,
            "Seller sign-in is unavailable for a moment. Please try again shortly.",
        ),
        _ => unauthorized("Sign in as this seller to see this page."),
    }
}

/// Whether the browser reached us over HTTPS (directly or through a proxy), for `Secure`.
fn is_https(headers: &HeaderMap, state: &AppState) -> bool {
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    forwarded
        || state
            .config
            .public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
}

/// The platform's origin, for Stripe's return and refresh URLs: `PUBLIC_URL`, or the request's
/// own host.
fn public_origin(headers: &HeaderMap, state: &AppState) -> Result<String, AppError> {
    if let Some(url) = &state.config.public_url {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| AppError::invalid("the request has no Host header"))?;
    let scheme = if is_https(headers, state) {
        "https"
    } else {
        "http"
    };
    Ok(format!("{scheme}://{host}"))
}

fn status_or_error(account: &Account) -> Result<SellerStatus, AppError> {
    status::status_of(account).ok_or_else(|| {
        AppError::from(StripeError::Decode {
            path: "/v1/accounts".into(),
            detail: format!("unexpected account id `{}`", account.id),
        })
    })
}

async fn create_seller(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CreateSellerRequest>,
) -> Result<impl IntoResponse, AppError> {
    let signer = state
        .auth
        .sign_up(&headers, state.now())
        .await
        .map_err(sign_up_refused)?;
    request.validate().map_err(AppError::fields)?;
    if !state.config.account_kinds.contains(&request.kind) {
        return Err(AppError::invalid(format!(
            "this marketplace does not offer {} accounts",
            request.kind.as_str()
        )));
    }
    let (key, seller_subject) = creation_of(&signer, request.attempt.as_str());
    let spec = AccountSpec {
        country: &request.country,
        email: &request.email,
        kind: request.kind,
        business_type: request.business_type,
        seller_subject,
    };
    let account = state.stripe.create_account(&spec, &key).await?;
    let status = status_or_error(&account)?;
    tracing::info!(account = %status.id, kind = request.kind.as_str(), "seller account created");
    let cookie = state
        .auth
        .bind(&status.id, state.now(), is_https(&headers, &state));
    Ok((StatusCode::CREATED, cookie, Json(CreatedSeller { status })))
}

fn sign_up_refused(error: AuthError) -> AppError {
    match error {
        AuthError::Missing | AuthError::Invalid => AppError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Sign in with the marketplace before creating a seller account.",
        ),
        other => refusal(other),
    }
    .with_detail(format!("seller sign-up: {error}"))
}

/// The account creation's Idempotency-Key and the user it is for. A signed-in user gets one
/// account: the key names the user, not the attempt, so every sign-up of theirs is the same
/// creation while Stripe keeps the key.
fn creation_of<'a>(signer: &'a SignUp, attempt: &str) -> (IdempotencyKey, Option<&'a str>) {
    match signer {
        SignUp::Open => (IdempotencyKey::derive("create-seller", &[attempt]), None),
        SignUp::Subject { subject, key } => (
            IdempotencyKey::derive("create-seller-for", &[key]),
            Some(subject.as_str()),
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SandboxSignIn {
    account: String,
}

async fn sandbox_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SandboxSignIn>,
) -> Result<impl IntoResponse, AppError> {
    let account = AccountId::new(request.account)?;
    let status = status_or_error(&read_account(&state, &account).await?)?;
    let cookie = state
        .auth
        .bind(&account, state.now(), is_https(&headers, &state));
    Ok((cookie, Json(status)))
}

/// Sandbox mode only: every connected account, onboarded or not, for the demo sign-in.
async fn sandbox_sellers(State(state): State<AppState>) -> Result<Json<SellerList>, AppError> {
    let accounts = state.stripe.list_accounts().await?;
    let sellers = accounts
        .data
        .iter()
        .filter_map(Account::as_seller)
        .collect();
    Ok(Json(SellerList { sellers }))
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        state.auth.unbind(is_https(&headers, &state)),
    )
}

async fn seller_status(
    State(state): State<AppState>,
    SellerAccess(account): SellerAccess,
) -> Result<Json<SellerStatus>, AppError> {
    Ok(Json(status_or_error(
        &read_account(&state, &account).await?,
    )?))
}

async fn onboarding_link(
    State(state): State<AppState>,
    SellerAccess(account): SellerAccess,
    headers: HeaderMap,
) -> Result<Json<OnboardingLink>, AppError> {
    let origin = public_origin(&headers, &state)?;
    // refresh_url: Stripe sends the seller there when the link expired or was used; the page
    // asks for a fresh link and continues.
    let refresh_url = format!("{origin}/onboarding?account={account}&refresh=1");
    let return_url = format!("{origin}/onboarding?account={account}&returned=1");
    let key = IdempotencyKey::random("account-link");
    let link = state
        .stripe
        .create_onboarding_link(&account, refresh_url, return_url, &key)
        .await?;
    Ok(Json(OnboardingLink {
        url: link.url,
        expires_at: link.expires_at,
    }))
}

async fn dashboard_link(
    State(state): State<AppState>,
    SellerAccess(account): SellerAccess,
) -> Result<Json<DashboardLink>, AppError> {
    let seller = read_account(&state, &account).await?;
    match status::kind_of(&seller) {
        Some(AccountKind::Express) => {
            let key = IdempotencyKey::random("login-link");
            let link = state.stripe.create_login_link(&account, &key).await?;
            Ok(Json(DashboardLink { url: link.url }))
        }
        // Standard accounts sign in to Stripe's own Dashboard with their own login.
        Some(AccountKind::Standard) => Ok(Json(DashboardLink {
            url: "https://dashboard.stripe.com/".into(),
        })),
        Some(AccountKind::Custom) | None => Err(AppError::new(
            StatusCode::CONFLICT,
            ErrorCode::NotAvailable,
            "This account has no Stripe dashboard: its payments are on this page.",
        )),
    }
}

/// Stripe names fields `individual[dob][year]`; the form names them `individual.dob`.
fn form_field(param: &str) -> String {
    let dotted = param.replace("][", ".").replace('[', ".").replace(']', "");
    match dotted.as_str() {
        "individual.dob.day" | "individual.dob.month" | "individual.dob.year" => {
            "individual.dob".into()
        }
        "external_account" => "bank_account_token".into(),
        "business_profile.url" => "business_url".into(),
        "business_profile.mcc" => "mcc".into(),
        "business_profile.product_description" => "product_description".into(),
        _ => dotted,
    }
}

async fn submit_details(
    State(state): State<AppState>,
    SellerAccess(account): SellerAccess,
    headers: HeaderMap,
    connect_info: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    lambda_context: Option<axum::Extension<lambda_http::request::RequestContext>>,
    ApiJson(details): ApiJson<CustomDetails>,
) -> Result<Json<SellerStatus>, AppError> {
    details
        .validate(crate::clock::civil_date(state.now()))
        .map_err(AppError::fields)?;
    let seller = read_account(&state, &account).await?;
    if !status::platform_collects(&seller) {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ErrorCode::NotAvailable,
            "Stripe collects this account's details: continue with the onboarding link.",
        ));
    }
    let terms_accepted = details.accept_terms.then(|| {
        let ip = client_ip(&state, &headers, connect_info, lambda_context);
        (state.now(), ip)
    });
    let spec = AccountDetailsSpec {
        details: &details,
        terms_accepted,
    };
    let key = IdempotencyKey::random("update-seller");
    let updated = state
        .stripe
        .update_account_details(&account, &spec, &key)
        .await
        .map_err(details_refused)?;
    Ok(Json(status_or_error(&updated)?))
}

/// The client's address, from the connection's peer (AWS's record of it on Lambda, the
/// socket's under `serve`) through the trusted proxies.
fn client_ip(
    state: &AppState,
    headers: &HeaderMap,
    connect_info: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    lambda_context: Option<axum::Extension<lambda_http::request::RequestContext>>,
) -> std::net::IpAddr {
    let peer = lambda_context
        .and_then(|context| crate::client_address::lambda_source_ip(&context.0))
        .or_else(|| connect_info.map(|info| info.0.0.ip()))
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    state.config.trusted_proxies.client(headers, peer)
}

/// Stripe's 400 naming a parameter is a message on the form's field.
fn details_refused(error: StripeError) -> AppError {
    match &error {
        StripeError::Api {
            status: 400,
            error: api,
            ..
        } if api.param.is_some() => AppError::fields(vec![FieldError {
            field: form_field(api.param.as_deref().unwrap_or_default()),
            message: api
                .message
                .clone()
                .unwrap_or_else(|| "Stripe refused this value".into()),
        }]),
        _ => AppError::from(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_param_names_become_form_field_names() {
        assert_eq!(form_field("individual[dob][year]"), "individual.dob");
        assert_eq!(
            form_field("individual[address][postal_code]"),
            "individual.address.postal_code"
        );
        assert_eq!(form_field("external_account"), "bank_account_token");
        assert_eq!(form_field("business_profile[mcc]"), "mcc");
    }
}
