//! The seller's page's steps against the function, writing what happens into the signals its
//! views show: the configuration (the mode), the account's status (kept fresh by the session),
//! the payments and their refunds, the way to Stripe's dashboard, and onward to onboarding.
//! A 401 or 403 from any of them shows the sign-in or the refusal instead of the page.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{AccountKind, RefundRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::navigate;
use super::payments::{PaymentsState, RefundOrder, RefundPhase};
use super::problem::{self, Access};
use super::session::SellerSession;
use crate::api::ApiError;
use crate::money::format_money;

/// The seller's page, as the views see it. `Copy`: every part is a handle.
#[derive(Clone, Copy, Debug)]
pub struct SellerFlow {
    pub session: SellerSession,
    /// The account shown; `None` asks the seller to sign in.
    account: StoredValue<Option<AccountId>>,
    pub payments: PaymentsState,
    /// The dashboard button is fetching its link.
    pub dashboard_busy: RwSignal<bool>,
    /// Why the dashboard could not be opened, in words.
    pub dashboard_problem: RwSignal<Option<String>>,
}

impl SellerFlow {
    /// Starts the page for `account`: the configuration, then the status (kept fresh) and the
    /// payments, or the sign-in when there is no account to show.
    pub fn start(session: SellerSession, account: Option<AccountId>) -> Self {
        let flow = Self {
            session,
            account: StoredValue::new(account.clone()),
            payments: PaymentsState::new(),
            dashboard_busy: RwSignal::new(false),
            dashboard_problem: RwSignal::new(None),
        };
        // Without it the page still works: only the mode notice is missing.
        spawn_local(async move {
            let _ = session.load_config().await;
        });
        match account {
            Some(account) => {
                session.watch(account);
                flow.load_payments();
            }
            None => session.status.access.set(Some(Access::SignIn)),
        }
        flow
    }

    fn account(&self) -> Option<AccountId> {
        self.account.try_get_value().flatten()
    }

    /// `GET /api/sellers/{account}/payments` into the table.
    pub fn load_payments(self) {
        let Some(account) = self.account() else {
            return;
        };
        let (session, payments) = (self.session, self.payments);
        spawn_local(async move {
            match session.api().payments(&account, &session.signal()).await {
                Ok(list) => {
                    payments.problem.set(None);
                    payments.payments.set(Some(list.payments));
                }
                Err(error) => session.failed(&error, payments.problem),
            }
        });
    }

    /// A confirmed refund: asked for once per confirmation (its attempt is the Idempotency-Key);
    /// done, it is said and the payments reloaded; refused, the confirmation says why.
    pub fn refund(self, order: RefundOrder) {
        let Some(account) = self.account() else {
            return;
        };
        let (session, payments, strings) = (self.session, self.payments, self.session.strings);
        let request = RefundRequest {
            payment_intent: order.payment_intent,
            amount: order.amount,
            attempt: order.attempt,
        };
        spawn_local(async move {
            match session
                .api()
                .refund(&account, &request, &session.signal())
                .await
            {
                Ok(refund) => {
                    let amount = format_money(&refund.amount, session.locale().as_deref());
                    payments.draft.set(None);
                    payments
                        .notice
                        .set(Some(strings.refund_done.replace("{amount}", &amount)));
                    self.load_payments();
                }
                Err(ApiError::Aborted) => {}
                Err(error) => {
                    if let Some(access) = Access::of(&error) {
                        session.status.access.set(Some(access));
                        return;
                    }
                    let words = strings
                        .refund_failed
                        .replace("{detail}", &problem::words(&error, strings));
                    payments.draft.update(|draft| {
                        if let Some(draft) = draft {
                            draft.phase = RefundPhase::Failed(words);
                        }
                    });
                }
            }
        });
    }

    /// Opens Stripe's dashboard (Express, Standard) with a fresh login link.
    pub fn open_dashboard(self) {
        let Some(account) = self.account() else {
            return;
        };
        if self.dashboard_busy.get_untracked() {
            return;
        }
        self.dashboard_busy.set(true);
        self.dashboard_problem.set(None);
        let session = self.session;
        spawn_local(async move {
            match session
                .api()
                .dashboard_link(&account, &session.signal())
                .await
            {
                Ok(link) => navigate(&link.url),
                Err(error) => {
                    if !matches!(error, ApiError::Aborted) {
                        self.dashboard_busy.set(false);
                    }
                    session.failed(&error, self.dashboard_problem);
                }
            }
        });
    }

    /// The next step: Express and Standard sellers go straight back to Stripe; Custom sellers to
    /// the platform's form on the onboarding page.
    pub fn continue_onboarding(self) {
        let Some(current) = self.session.current() else {
            return;
        };
        if current.kind == Some(AccountKind::Custom) {
            navigate(&format!("/onboarding?account={}", current.id));
        } else {
            self.session.continue_with_stripe(current.id);
        }
    }

    /// Signs out; nothing of the account stays on the page.
    pub fn sign_out(self) {
        let payments = self.payments;
        self.session.sign_out(move || payments.payments.set(None));
    }

    /// The demo sign-in, then that seller's page.
    pub fn sign_in_as(self, account: AccountId) {
        self.session.sign_in_as(account, |account| {
            navigate(&format!("/seller?account={account}"));
        });
    }
}
