//! Keeps a status page true: the status is asked for again, with a growing wait (1 s, 2 s, 4 s…
//! up to 30 s), while anything is still to be done or checked, and at once when the seller comes
//! back to the window (focus) or presses "Check now". The sandbox changes an account (and fires
//! `account.updated`) the moment onboarding is submitted, so the page shows it within a poll.
//!
//! A 401 or 403 stops the polling: the page asks the seller to sign in, or refuses.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use connect_checkout_core::AccountId;
use connect_checkout_core::api::SellerStatus;
use connect_checkout_core::retry::{Backoff, NO_JITTER};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::AbortController;

use super::client::SellerApi;
use super::problem::{self, Access};
use super::status::is_settled;
use crate::api::{ApiError, sleep_ms};
use crate::i18n::seller::SellerStrings;

/// The waits between polls while something is pending: 1 s, 2 s, 4 s… up to 30 s.
pub const BACKOFF: Backoff = Backoff {
    first_ms: 1_000,
    max_ms: 30_000,
};
/// The wait between polls once nothing is pending (a focus still asks at once).
pub const SETTLED_MS: u32 = 60_000;
/// How often a wait looks for a wake-up.
const TICK_MS: u32 = 200;

/// The wait before poll number `attempt` (0-based) of a pending account.
pub fn backoff_ms(attempt: usize) -> u32 {
    // One page polls, no crowd in step: no jitter.
    let retry = u32::try_from(attempt).unwrap_or(u32::MAX).saturating_add(1);
    BACKOFF.delay_ms(retry, None, NO_JITTER)
}

/// What a status page shows, as signals.
#[derive(Clone, Copy, Debug)]
pub struct StatusState {
    /// `None` until the first answer.
    pub status: RwSignal<Option<SellerStatus>>,
    /// Set by a 401 or 403: the page shows the sign-in or the refusal instead.
    pub access: RwSignal<Option<Access>>,
    /// A failure that may go away (network, Stripe busy), in words.
    pub problem: RwSignal<Option<String>>,
    /// What the live region says: checking, updated.
    pub live: RwSignal<String>,
}

impl StatusState {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(None),
            access: RwSignal::new(None),
            problem: RwSignal::new(None),
            live: RwSignal::new(String::new()),
        }
    }
}

impl Default for StatusState {
    fn default() -> Self {
        Self::new()
    }
}

/// The window's focus (and the page's becoming visible) wakes the polling.
type FocusListener = Closure<dyn FnMut(web_sys::Event)>;

/// The polling of one account's status; stops when dropped or [`Watch::stop`]ped.
pub struct Watch {
    api: SellerApi,
    account: AccountId,
    state: StatusState,
    strings: &'static SellerStrings,
    wake: Cell<bool>,
    alive: Cell<bool>,
    abort: RefCell<Option<AbortController>>,
    listener: RefCell<Option<FocusListener>>,
}

impl Watch {
    /// Starts watching `account`, writing into `state`.
    pub fn start(
        api: SellerApi,
        account: AccountId,
        state: StatusState,
        strings: &'static SellerStrings,
    ) -> Rc<Self> {
        let watch = Rc::new(Self {
            api,
            account,
            state,
            strings,
            wake: Cell::new(false),
            alive: Cell::new(true),
            abort: RefCell::new(None),
            listener: RefCell::new(None),
        });
        watch.listen();
        let running = Rc::clone(&watch);
        spawn_local(async move { running.run().await });
        watch
    }

    /// Ask again now (a button, a focus, a change made on this page).
    pub fn wake(&self) {
        self.wake.set(true);
    }

    /// The status just changed here (the page's own form): show it and keep watching.
    pub fn show(&self, status: SellerStatus) {
        self.state.live.set(self.strings.updated.to_owned());
        self.state.status.set(Some(status));
        self.wake();
    }

    /// No more polls, no more listening; a request in flight is cancelled.
    pub fn stop(&self) {
        self.alive.set(false);
        if let Some(abort) = self.abort.borrow_mut().take() {
            abort.abort();
        }
        if let (Some(listener), Some(window)) =
            (self.listener.borrow_mut().take(), web_sys::window())
        {
            let callback = listener.as_ref().unchecked_ref();
            let _ = window.remove_event_listener_with_callback("focus", callback);
            if let Some(document) = window.document() {
                let _ = document.remove_event_listener_with_callback("visibilitychange", callback);
            }
        }
    }

    fn listen(self: &Rc<Self>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = Rc::downgrade(self);
        let listener = FocusListener::new(move |_event| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if let (Some(watch), true) = (weak.upgrade(), visible) {
                watch.wake();
            }
        });
        let callback = listener.as_ref().unchecked_ref();
        let _ = window.add_event_listener_with_callback("focus", callback);
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback("visibilitychange", callback);
        }
        *self.listener.borrow_mut() = Some(listener);
    }

    async fn run(self: Rc<Self>) {
        let mut attempt = 0;
        while self.alive.get() {
            self.wake.set(false);
            let before = self.state.status.get_untracked();
            match self.fetch().await {
                Ok(status) => {
                    self.state.problem.set(None);
                    if before.as_ref().is_some_and(|before| *before != status) {
                        self.state.live.set(self.strings.updated.to_owned());
                        attempt = 0;
                    }
                    self.state.status.set(Some(status));
                }
                Err(ApiError::Aborted) => return,
                Err(error) => {
                    if let Some(access) = Access::of(&error) {
                        self.state.access.set(Some(access));
                        return;
                    }
                    self.state
                        .problem
                        .set(Some(problem::words(&error, self.strings)));
                }
            }
            let settled = self
                .state
                .status
                .with_untracked(|s| s.as_ref().is_some_and(is_settled));
            let wait = if settled {
                SETTLED_MS
            } else {
                backoff_ms(attempt)
            };
            attempt += 1;
            if self.sleep(wait).await {
                attempt = 0;
            }
        }
    }

    async fn fetch(&self) -> Result<SellerStatus, ApiError> {
        let abort = AbortController::new().map_err(|_| ApiError::Aborted)?;
        let signal = abort.signal();
        *self.abort.borrow_mut() = Some(abort);
        let answer = self.api.status(&self.account, &signal).await;
        self.abort.borrow_mut().take();
        answer
    }

    /// Waits `ms`, or less when woken (then `true`).
    async fn sleep(&self, ms: u32) -> bool {
        let mut waited = 0;
        while waited < ms && self.alive.get() {
            if self.wake.get() {
                return true;
            }
            sleep_ms(TICK_MS).await;
            waited += TICK_MS;
        }
        self.wake.get()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop();
    }
}
