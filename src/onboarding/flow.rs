//! The onboarding page's steps against the function, writing what happens into the signals its
//! views show: the configuration (the kinds offered, the mode, the publishable key for the
//! Custom form), creating the account and leaving for Stripe (or the form), a fresh link for
//! Stripe's `refresh_url`, and the next step from the status page.

use connect_checkout_core::api::{
    AccountKind, BusinessType, ClientConfig, CreateSellerRequest, SellerStatus,
};
use connect_checkout_core::{AccountId, AttemptId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::choose::{ChooseState, CreatePhase, Signup};
use super::page::Landing;
use crate::api::ApiError;
use crate::i18n::seller::SellerStrings;
use crate::seller::client::SellerApi;
use crate::seller::problem;
use crate::seller::session::SellerSession;
use crate::seller::{focus_later, go_to_stripe, navigate, new_attempt, remember_account};

/// The onboarding page, as the views see it. `Copy`: every part is a handle.
#[derive(Clone, Copy, Debug)]
pub struct OnboardingFlow {
    pub session: SellerSession,
    /// What the address asked for.
    landing: StoredValue<Landing>,
    /// `None` until `GET /api/config` answers.
    pub config: RwSignal<Option<ClientConfig>>,
    pub choose: ChooseState,
    /// The last sign-up sent, with its attempt: the same answers keep their attempt, so a
    /// repeat (a double submit, a lost answer) finds the account made the first time.
    last_signup: StoredValue<Option<(Signup, AttemptId)>>,
}

impl OnboardingFlow {
    /// Starts what `landing` asks for, and loads the configuration.
    pub fn start(session: SellerSession, landing: Landing) -> Self {
        let flow = Self {
            session,
            landing: StoredValue::new(landing.clone()),
            config: RwSignal::new(None),
            choose: ChooseState::new(),
            last_signup: StoredValue::new(None),
        };
        spawn_local(async move {
            match session.load_config().await {
                Ok(config) => {
                    flow.choose.offer(config.account_kinds.clone());
                    flow.config.set(Some(config));
                }
                Err(error) => session.failed(&error, session.problem),
            }
        });
        match landing {
            Landing::Choose => {}
            Landing::Refresh(account) => spawn_local(async move {
                if let Err(error) = go_to_stripe(&session.api(), &account, true).await {
                    session.failed(&error, session.problem);
                }
            }),
            Landing::Account(account) => session.watch(account),
        }
        flow
    }

    /// What the address asked for.
    pub fn landing(&self) -> Landing {
        self.landing.get_value()
    }

    /// Creates the account `signup` asks for, then leaves: Express and Standard sellers for
    /// Stripe's hosted onboarding, Custom sellers for the form on their status page.
    pub fn create(self, signup: Signup) {
        let choose = self.choose;
        let Some(attempt) = self.attempt_of(&signup) else {
            choose.phase.set(CreatePhase::Editing);
            return;
        };
        let session = self.session;
        let api = session.api();
        spawn_local(async move {
            match create_account(&api, &session, signup, attempt).await {
                Ok(created) => {
                    remember_account(Some(&created.account));
                    choose.phase.set(CreatePhase::Leaving);
                    leave_for_onboarding(&api, &session, &created).await;
                }
                Err(ApiError::Aborted) => {}
                Err(error) => {
                    choose.phase.set(CreatePhase::Editing);
                    let fields = refused_fields(&error, session.strings);
                    if fields.is_empty() {
                        choose
                            .problem
                            .set(Some(problem::words(&error, session.strings)));
                    } else {
                        choose.errors.set(fields);
                    }
                }
            }
        });
    }

    fn attempt_of(&self, signup: &Signup) -> Option<AttemptId> {
        let attempt = self
            .last_signup
            .with_value(|last| {
                last.as_ref()
                    .filter(|(last, _)| last == signup)
                    .map(|(_, attempt)| attempt.clone())
            })
            .or_else(new_attempt)?;
        self.last_signup
            .set_value(Some((signup.clone(), attempt.clone())));
        Some(attempt)
    }

    /// The next step from the status page: the form further down for a Custom account, else
    /// back to Stripe.
    pub fn continue_onboarding(self) {
        let Some(current) = self.session.current() else {
            return;
        };
        if current.kind == Some(AccountKind::Custom) {
            focus_later("cs-step-title".to_owned());
        } else {
            self.session.continue_with_stripe(current.id);
        }
    }

    /// The Custom form sent its answers: the status it got back is shown.
    pub fn show(self, status: SellerStatus) {
        self.session.show(status);
    }

    /// The demo sign-in, then the seller's page (or this page again, for the same account).
    pub fn sign_in_as(self, chosen: AccountId) {
        let same =
            matches!(self.landing(), Landing::Account(a) | Landing::Refresh(a) if a == chosen);
        self.session.sign_in_as(chosen, move |account| {
            if !same {
                navigate(&format!("/seller?account={account}"));
            } else if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
    }

    pub fn sign_out(self) {
        self.session.sign_out(|| {});
    }
}

/// An account made by `POST /api/sellers`.
struct Created {
    account: AccountId,
    kind: AccountKind,
}

/// `POST /api/sellers` with `signup`'s answers (a Custom account as an individual).
async fn create_account(
    api: &SellerApi,
    session: &SellerSession,
    signup: Signup,
    attempt: AttemptId,
) -> Result<Created, ApiError> {
    let request = CreateSellerRequest {
        kind: signup.kind,
        email: signup.email,
        country: signup.country,
        business_type: (signup.kind == AccountKind::Custom).then_some(BusinessType::Individual),
        attempt,
    };
    let created = api.create(&request, &session.signal()).await?;
    Ok(Created {
        account: created.status.id,
        kind: request.kind,
    })
}

/// Leaves for the new account's onboarding: the form on its status page for a Custom account,
/// Stripe's hosted pages for the others.
async fn leave_for_onboarding(api: &SellerApi, session: &SellerSession, created: &Created) {
    let status_page = format!("/onboarding?account={}", created.account);
    if created.kind == AccountKind::Custom {
        navigate(&status_page);
    } else if let Err(error) = go_to_stripe(api, &created.account, false).await {
        // The account exists: its status page offers the link again.
        session
            .problem
            .set(Some(problem::words(&error, session.strings)));
        navigate(&status_page);
    }
}

/// The sign-up's answers the function refused (`400 fields`), each against its field.
fn refused_fields(error: &ApiError, strings: &SellerStrings) -> Vec<(&'static str, String)> {
    let ApiError::Refused { body, .. } = error else {
        return Vec::new();
    };
    body.error
        .fields
        .iter()
        .filter_map(|f| match f.field.as_str() {
            "email" => Some(("email", strings.email_invalid.to_owned())),
            "country" => Some(("country", strings.country_invalid.to_owned())),
            _ => None,
        })
        .collect()
}
