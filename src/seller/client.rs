//! The seller endpoints of the function, one async method each, over the same fetch client as
//! the checkout ([`Api`]: the browser parses JSON, busy answers are waited out). Requests carry
//! the `cc_seller` session cookie by themselves (same origin); a missing or expired session is
//! `401 unauthorized`, another seller's account `403 forbidden`.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{
    ClientConfig, CreateSellerRequest, CreatedSeller, CustomDetails, DashboardLink, OnboardingLink,
    RefundRequest, RefundResult, SellerList, SellerPayments, SellerStatus,
};
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use super::wire;
use crate::api::{Api, ApiError};
use crate::wire::FromJs;

/// The function's seller endpoints, for the seller signed in in this browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SellerApi {
    api: Api,
}

fn parse<T: FromJs>((status, json): (u16, JsValue)) -> Result<T, ApiError> {
    T::from_js(&json).ok_or_else(|| ApiError::Unexpected {
        status,
        detail: "the answer does not have the expected shape".into(),
    })
}

fn unwritable() -> ApiError {
    ApiError::Unexpected {
        status: 0,
        detail: "the request could not be written as JSON".into(),
    }
}

/// `/api/sellers/{account}{rest}`. An `AccountId` is `acct_` and letters, digits, `_`: safe in
/// a path as it is.
fn path(account: &AccountId, rest: &str) -> String {
    ["/api/sellers/", account.as_str(), rest].concat()
}

impl SellerApi {
    /// The function at `base` (`""`: this page's origin).
    pub fn new(base: &str) -> Self {
        Self {
            api: Api::new(base),
        }
    }

    /// `method path` with `body`, its answer read as `T`.
    async fn call<T: FromJs>(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signal: &AbortSignal,
    ) -> Result<T, ApiError> {
        parse(self.api.request(method, path, body, signal).await?)
    }

    /// `GET /api/config`, with the kinds of account the platform offers.
    pub async fn config(&self, signal: &AbortSignal) -> Result<ClientConfig, ApiError> {
        self.call("GET", "/api/config", None, signal).await
    }

    /// `POST /api/sellers`: a new account, and this browser signed in as its seller.
    pub async fn create(
        &self,
        request: &CreateSellerRequest,
        signal: &AbortSignal,
    ) -> Result<CreatedSeller, ApiError> {
        let body = wire::create_seller_json(request).ok_or_else(unwritable)?;
        self.call("POST", "/api/sellers", Some(&body), signal).await
    }

    /// `GET /api/sellers/{account}/status`.
    pub async fn status(
        &self,
        account: &AccountId,
        signal: &AbortSignal,
    ) -> Result<SellerStatus, ApiError> {
        self.call("GET", &path(account, "/status"), None, signal)
            .await
    }

    /// `POST /api/sellers/{account}/onboarding-link`: a fresh, single-use link to Stripe's
    /// hosted onboarding.
    pub async fn onboarding_link(
        &self,
        account: &AccountId,
        signal: &AbortSignal,
    ) -> Result<OnboardingLink, ApiError> {
        let path = path(account, "/onboarding-link");
        self.call("POST", &path, Some("{}"), signal).await
    }

    /// `POST /api/sellers/{account}/dashboard-link`.
    pub async fn dashboard_link(
        &self,
        account: &AccountId,
        signal: &AbortSignal,
    ) -> Result<DashboardLink, ApiError> {
        let path = path(account, "/dashboard-link");
        self.call("POST", &path, Some("{}"), signal).await
    }

    /// `POST /api/sellers/{account}/details` (Custom accounts): the updated status, or a 400
    /// whose `fields` name each field at fault.
    pub async fn details(
        &self,
        account: &AccountId,
        details: &CustomDetails,
        signal: &AbortSignal,
    ) -> Result<SellerStatus, ApiError> {
        let body = wire::custom_details_json(details).ok_or_else(unwritable)?;
        let path = path(account, "/details");
        self.call("POST", &path, Some(&body), signal).await
    }

    /// `GET /api/sellers/{account}/payments`, newest first.
    pub async fn payments(
        &self,
        account: &AccountId,
        signal: &AbortSignal,
    ) -> Result<SellerPayments, ApiError> {
        self.call("GET", &path(account, "/payments"), None, signal)
            .await
    }

    /// `POST /api/sellers/{account}/refunds`: the same attempt refunds once.
    pub async fn refund(
        &self,
        account: &AccountId,
        request: &RefundRequest,
        signal: &AbortSignal,
    ) -> Result<RefundResult, ApiError> {
        let body = wire::refund_json(request).ok_or_else(unwritable)?;
        let path = path(account, "/refunds");
        self.call("POST", &path, Some(&body), signal).await
    }

    /// `GET /api/seller-session` (sandbox mode only): every seller, for the demo sign-in.
    pub async fn demo_sellers(&self, signal: &AbortSignal) -> Result<SellerList, ApiError> {
        self.call("GET", "/api/seller-session", None, signal).await
    }

    /// `POST /api/seller-session` (sandbox mode only): sign in as `account`.
    pub async fn demo_sign_in(
        &self,
        account: &AccountId,
        signal: &AbortSignal,
    ) -> Result<SellerStatus, ApiError> {
        let body = wire::sign_in_json(account).ok_or_else(unwritable)?;
        self.call("POST", "/api/seller-session", Some(&body), signal)
            .await
    }

    /// `DELETE /api/seller-session`: forget the session (204, no body).
    pub async fn sign_out(&self, signal: &AbortSignal) -> Result<(), ApiError> {
        match self
            .api
            .request("DELETE", "/api/seller-session", None, signal)
            .await
        {
            Ok(_) => Ok(()),
            // A 204 has no JSON body: anything but a refusal means it worked.
            Err(ApiError::Unexpected { status, .. }) if (200..300).contains(&status) => Ok(()),
            Err(error) => Err(error),
        }
    }
}
