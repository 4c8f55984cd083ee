//! What both seller pages (onboarding, the seller's page) do with the function around one
//! account, outside their views: watch its status, go on to Stripe's onboarding, sign in (the
//! demo sign-in) and out, and say what went wrong. The pages' own steps build on it
//! ([`crate::onboarding::flow`], [`super::flow`]).
//!
//! `Copy`: every part is a handle (a signal, a stored value), so views, callbacks and tasks
//! take it as it is. The page going away cancels its requests and stops the polling.

use std::rc::Rc;

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{ClientConfig, Mode, Seller, SellerStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{AbortController, AbortSignal};

use super::client::SellerApi;
use super::poll::{StatusState, Watch};
use super::problem::{self, Access};
use super::{go_to_stripe, remember_account};
use crate::api::ApiError;
use crate::i18n::seller::{SellerStrings, seller_strings_for};

/// One seller page's connection to the function.
#[derive(Clone, Copy, Debug)]
pub struct SellerSession {
    /// The words, in the seller's language.
    pub strings: &'static SellerStrings,
    /// The seller's locale (the words' language when none was given), for dates, money and
    /// country names.
    locale: StoredValue<Option<String>>,
    api: StoredValue<SellerApi>,
    /// The account's status, and whether the session allows seeing it.
    pub status: StatusState,
    /// Sandbox, test or live, once the configuration is in.
    pub mode: RwSignal<Option<Mode>>,
    /// The sellers of the demo sign-in (sandbox mode, when a sign-in is needed).
    pub demo_sellers: RwSignal<Vec<Seller>>,
    /// What went wrong outside the status (a sign-in, a link Stripe would not make), in words.
    pub problem: RwSignal<Option<String>>,
    /// The next-step button is fetching a link to Stripe.
    pub continuing: RwSignal<bool>,
    /// Cancels the page's requests when the page goes away.
    requests: StoredValue<Option<AbortController>, LocalStorage>,
    watch: StoredValue<Option<Rc<Watch>>, LocalStorage>,
}

impl SellerSession {
    /// A session in `locale` (a BCP 47 tag; `None` follows the browser) with the function at
    /// `api_base` (`""`: this page's origin), for the page being made: its going away ends the
    /// session.
    pub fn new(locale: Option<String>, api_base: &str) -> Self {
        let strings = seller_strings_for(locale.as_deref());
        let session = Self {
            strings,
            locale: StoredValue::new(locale.or_else(|| Some(strings.lang.to_owned()))),
            api: StoredValue::new(SellerApi::new(api_base)),
            status: StatusState::new(),
            mode: RwSignal::new(None),
            demo_sellers: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            continuing: RwSignal::new(false),
            requests: StoredValue::new_local(AbortController::new().ok()),
            watch: StoredValue::new_local(None),
        };
        on_cleanup(move || session.close());
        // The account this browser may see, once the function has shown it.
        Effect::new(move |_| {
            if let Some(id) = session
                .status
                .status
                .with(|s| s.as_ref().map(|s| s.id.clone()))
            {
                remember_account(Some(&id));
            }
        });
        // A sign-in is needed: in sandbox mode, list the sellers to sign in as.
        Effect::new(move |_| {
            if session.status.access.get().is_some() && session.mode.get() == Some(Mode::Sandbox) {
                session.load_demo_sellers();
            }
        });
        session
    }

    /// The seller's locale.
    pub fn locale(&self) -> Option<String> {
        self.locale.get_value()
    }

    /// The function's seller endpoints.
    pub fn api(&self) -> SellerApi {
        self.api.get_value()
    }

    /// The signal of the page's requests: the page going away cancels them all.
    pub fn signal(&self) -> AbortSignal {
        self.requests
            .try_with_value(|abort| abort.as_ref().map(AbortController::signal))
            .flatten()
            .unwrap_or_else(AbortSignal::abort)
    }

    /// No more polls, no more requests.
    fn close(&self) {
        self.stop_watching();
        if let Some(abort) = self.requests.try_update_value(Option::take).flatten() {
            abort.abort();
        }
    }

    /// Keeps `account`'s status fresh in [`Self::status`].
    pub fn watch(&self, account: AccountId) {
        let watch = Watch::start(self.api(), account, self.status, self.strings);
        self.watch.set_value(Some(watch));
    }

    fn stop_watching(&self) {
        if let Some(watch) = self.watch.try_update_value(Option::take).flatten() {
            watch.stop();
        }
    }

    /// Asks for the status again now (the seller pressed "Check now").
    pub fn check_now(&self) {
        if let Some(watch) = self.watch.try_get_value().flatten() {
            watch.wake();
        }
    }

    /// The status just changed on this page (the Custom form): show it and keep watching.
    pub fn show(&self, status: SellerStatus) {
        if let Some(watch) = self.watch.try_get_value().flatten() {
            watch.show(status);
        }
    }

    /// The account as last shown.
    pub fn current(&self) -> Option<SellerStatus> {
        self.status.status.get_untracked()
    }

    /// Shows `error`: a sign-in or a refusal when the session did not allow the call, else its
    /// words in `words_into`. A cancelled call says nothing.
    pub fn failed(&self, error: &ApiError, words_into: RwSignal<Option<String>>) {
        if matches!(error, ApiError::Aborted) {
            return;
        }
        match Access::of(error) {
            Some(access) => self.status.access.set(Some(access)),
            None => words_into.set(Some(problem::words(error, self.strings))),
        }
    }

    /// `GET /api/config`; its mode is shown (the sandbox or test-mode notice).
    pub async fn load_config(self) -> Result<ClientConfig, ApiError> {
        let config = self.api().config(&self.signal()).await?;
        self.mode.set(Some(config.mode));
        Ok(config)
    }

    fn load_demo_sellers(self) {
        if !self.demo_sellers.with_untracked(Vec::is_empty) {
            return;
        }
        spawn_local(async move {
            let Ok(abort) = AbortController::new() else {
                return;
            };
            if let Ok(list) = self.api().demo_sellers(&abort.signal()).await {
                self.demo_sellers.set(list.sellers);
            }
        });
    }

    /// Goes back to Stripe's hosted onboarding for `account` with a fresh link; the next-step
    /// button says it is working meanwhile, and a second press does nothing.
    pub fn continue_with_stripe(self, account: AccountId) {
        if self.continuing.get_untracked() {
            return;
        }
        self.continuing.set(true);
        spawn_local(async move {
            if let Err(error) = go_to_stripe(&self.api(), &account, false).await {
                self.continuing.set(false);
                self.failed(&error, self.problem);
            }
        });
    }

    /// Signs in as `account` (the demo sign-in), then `then` (opens that seller's page).
    pub fn sign_in_as(self, account: AccountId, then: impl FnOnce(&AccountId) + 'static) {
        spawn_local(async move {
            let Ok(abort) = AbortController::new() else {
                return;
            };
            match self.api().demo_sign_in(&account, &abort.signal()).await {
                Ok(_) => {
                    remember_account(Some(&account));
                    then(&account);
                }
                Err(error) => self.problem.set(Some(problem::words(&error, self.strings))),
            }
        });
    }

    /// Ends the session (the polling first), forgets the account and asks for a sign-in.
    pub fn sign_out(self, forget_page: impl FnOnce() + 'static) {
        self.stop_watching();
        spawn_local(async move {
            // Not the page's signal: a sign-out goes through even as the page changes.
            if let Ok(abort) = AbortController::new() {
                let _ = self.api().sign_out(&abort.signal()).await;
            }
            remember_account(None);
            forget_page();
            self.status.status.set(None);
            self.status.access.set(Some(Access::SignIn));
        });
    }
}
