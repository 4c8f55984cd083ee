//! The checkout's steps against the real function and Stripe.js, writing what happens into a
//! [`CheckoutState`] the view shows:
//!
//! 1. load: `GET /api/config`, Stripe.js from its `stripe_js_url` (meanwhile the seller and its
//!    products), then price the first cart;
//! 2. price: `POST /api/checkout` for the cart, then the Payment Element for the PaymentIntent
//!    it returns, on the seller's account;
//! 3. pay: `confirmPayment` without a redirect, then the receipt or the reason in words.
//!
//! **Invariant:** a Payment Element exists only for the cart on screen. Any change to the cart
//! destroys it at once, before the new cart is priced, so a stale PaymentIntent (the old
//! amount) can never be confirmed.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{CartItem, CheckoutRequest, CheckoutSession, ClientConfig};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use web_sys::{AbortController, AbortSignal};

use super::attempt::{Attempts, random_attempt_id};
use super::problem::Problem;
use super::state::{CheckoutState, Phase, Receipt};
use super::theme;
use crate::api::{Api, ApiError};
use crate::stripe_js::{self, Elements, Stripe, StripeElement};

/// How long typing in the quantity must pause before the cart is priced again.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// One checkout's steps. Shared (`Rc`) by the tasks and callbacks that drive them.
pub(super) struct Flow {
    api: Api,
    /// The seller asked for; `None` takes the platform's first.
    seller: Option<AccountId>,
    /// For Stripe.js's `locale`; `None` lets Stripe.js follow the browser.
    locale: Option<String>,
    state: CheckoutState,
    element_ref: NodeRef<Div>,
    inner: RefCell<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Cancels the requests of the step under way (the load, or pricing a cart).
    abort: Option<AbortController>,
    config: Option<ClientConfig>,
    /// One Stripe.js instance per account, kept for the checkout's life.
    stripes: Vec<(Option<AccountId>, Stripe)>,
    /// The Payment Element of the cart on screen.
    mounted: Option<Mounted>,
    /// Bumped by every cart change: an answer for an older cart is dropped.
    generation: u64,
    attempts: Attempts,
    debounce: Option<TimeoutHandle>,
    /// The checkout left the page: nothing more may happen.
    closed: bool,
}

/// A Payment Element for one PaymentIntent, and what confirming it needs.
struct Mounted {
    session: CheckoutSession,
    stripe: Stripe,
    elements: Elements,
    element: StripeElement,
    /// Called by Stripe.js until the Element is destroyed.
    _on_change: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        // Before `_on_change` is dropped: Stripe.js must not call a dropped closure.
        self.element.destroy();
    }
}

impl Flow {
    pub(super) fn new(
        api: Api,
        seller: Option<AccountId>,
        locale: Option<String>,
        state: CheckoutState,
        element_ref: NodeRef<Div>,
    ) -> Rc<Self> {
        Rc::new(Self {
            api,
            seller,
            locale,
            state,
            element_ref,
            inner: RefCell::default(),
        })
    }

    /// Step 1: everything the first cart needs, then price it.
    pub(super) fn load(self: &Rc<Self>) {
        let Some(signal) = self.restart_requests() else {
            return;
        };
        self.state.phase.set(Phase::Loading);
        self.state.problem.set(None);
        let flow = Rc::clone(self);
        spawn_local(async move {
            if let Err(problem) = flow.load_steps(&signal).await {
                flow.fail(problem);
            }
        });
    }

    async fn load_steps(self: &Rc<Self>, signal: &AbortSignal) -> Result<(), Problem> {
        let config = self.api.config(signal).await.map_err(Problem::Api)?;
        self.state.mode.set(Some(config.mode));
        // Stripe.js downloads while the seller and products are fetched.
        let stripe_js = stripe_js::load(&config.stripe_js_url);
        self.inner.borrow_mut().config = Some(config);

        let seller = match &self.seller {
            Some(seller) => seller.clone(),
            None => {
                let sellers = self.api.sellers(signal).await.map_err(Problem::Api)?;
                sellers
                    .sellers
                    .into_iter()
                    .next()
                    .ok_or(Problem::NothingToSell)?
                    .id
            }
        };
        let list = self
            .api
            .products(&seller, signal)
            .await
            .map_err(Problem::Api)?;
        stripe_js.await.map_err(Problem::StripeJs)?;
        let product = list
            .products
            .into_iter()
            .next()
            .ok_or(Problem::NothingToSell)?;
        if self.is_closed() {
            return Ok(());
        }
        self.state.seller.set(Some(list.seller));
        self.state.product.set(Some(product));
        self.price_cart();
        Ok(())
    }

    /// The shopper changed the cart: the Element of the old cart goes at once, the new cart is
    /// priced once typing pauses.
    pub(super) fn cart_changed(self: &Rc<Self>) {
        let settled = self.state.product.with_untracked(Option::is_none)
            || matches!(
                self.state.phase.get_untracked(),
                Phase::Paying | Phase::Succeeded
            );
        if settled || self.is_closed() {
            return;
        }
        self.invalidate_cart();
        if self
            .state
            .quantity
            .with_untracked(|text| super::state::parse_quantity(text))
            .is_none()
        {
            self.fail(Problem::Quantity);
            return;
        }
        self.state.phase.set(Phase::Loading);
        self.state.problem.set(None);
        let flow = Rc::clone(self);
        let timer = set_timeout_with_handle(move || flow.price_cart(), DEBOUNCE).ok();
        self.inner.borrow_mut().debounce = timer;
    }

    /// "Try again": repeat the step that failed. The same cart keeps its attempt id, so a
    /// PaymentIntent made before an answer was lost is found again, not made twice.
    pub(super) fn retry(self: &Rc<Self>) {
        if self.state.product.with_untracked(Option::is_none) {
            self.load();
        } else {
            self.price_cart();
        }
    }

    /// Step 2: `POST /api/checkout` for the cart on screen, then its Payment Element.
    fn price_cart(self: &Rc<Self>) {
        let Some(cart) = self.cart() else {
            self.fail(Problem::Quantity);
            return;
        };
        let Some(seller) = self
            .state
            .seller
            .with_untracked(|s| s.as_ref().map(|s| s.id.clone()))
        else {
            return;
        };
        let Some(signal) = self.restart_requests() else {
            return;
        };
        let (generation, attempt) = {
            let mut inner = self.inner.borrow_mut();
            inner.debounce = None;
            let attempt = inner.attempts.for_cart(&cart, random_attempt_id);
            (inner.generation, attempt)
        };
        let Some(attempt) = attempt else {
            self.fail(Problem::Integration(
                "no source of random attempt ids".into(),
            ));
            return;
        };
        self.state.phase.set(Phase::Loading);
        self.state.problem.set(None);
        let request = CheckoutRequest {
            seller,
            items: cart,
            attempt,
            email: None,
        };
        let flow = Rc::clone(self);
        spawn_local(async move {
            let session = flow.api.checkout(&request, &signal).await;
            if flow.inner.borrow().generation != generation || flow.is_closed() {
                return;
            }
            match session
                .map_err(Problem::Api)
                .and_then(|s| flow.mount_element(s))
            {
                Ok(()) => flow.state.phase.set(Phase::Ready),
                Err(problem) => flow.fail(problem),
            }
        });
    }

    /// The Payment Element for `session`'s PaymentIntent, on the account it lives on.
    fn mount_element(&self, session: CheckoutSession) -> Result<(), Problem> {
        let integration = |error: stripe_js::IntegrationError| Problem::Integration(error.0);
        let container = self.element_ref.get_untracked().ok_or_else(|| {
            Problem::Integration("the Payment Element's container is gone".into())
        })?;
        let stripe = self
            .stripe_for(session.stripe_account.as_ref())
            .map_err(integration)?;
        let elements = stripe
            .elements_for(&session.client_secret, &theme::appearance_at(&container))
            .map_err(integration)?;
        let element = elements.create_payment().map_err(integration)?;
        let complete = self.state.element_complete;
        let on_change = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            complete.set(stripe_js::change_is_complete(&event));
        });
        element.on("change", &on_change);
        element.mount(&container).map_err(integration)?;
        self.state.total.set(Some(session.total.clone()));
        self.state.seller.set(Some(session.seller.clone()));
        self.inner.borrow_mut().mounted = Some(Mounted {
            session,
            stripe,
            elements,
            element,
            _on_change: on_change,
        });
        Ok(())
    }

    /// Step 3: confirm the PaymentIntent of the mounted Element. The view has already set the
    /// phase to `Paying`, so the shopper cannot press Pay or change the cart meanwhile.
    pub(super) fn pay(self: &Rc<Self>) {
        let mounted = self.inner.borrow().mounted.as_ref().map(|m| {
            (
                m.stripe.clone(),
                m.elements.clone(),
                m.session.seller.display_name.clone(),
            )
        });
        let Some((stripe, elements, seller)) = mounted else {
            self.fail(Problem::Integration(
                "Pay was pressed without a Payment Element".into(),
            ));
            return;
        };
        self.state.problem.set(None);
        let return_url = web_sys::window()
            .and_then(|window| window.location().href().ok())
            .unwrap_or_default();
        let flow = Rc::clone(self);
        spawn_local(async move {
            let outcome = stripe.confirm_payment(&elements, &return_url, None).await;
            // No generation check: whatever Stripe answers about money is shown.
            match outcome {
                Ok(intent) if intent.status == "succeeded" => {
                    let mounted = flow.inner.borrow_mut().mounted.take();
                    drop(mounted);
                    flow.state.receipt.set(Some(Receipt {
                        amount: intent.amount(),
                        seller,
                        reference: intent.id,
                    }));
                    flow.state.phase.set(Phase::Succeeded);
                }
                Ok(intent) => flow.fail(Problem::NotCompleted {
                    status: intent.status,
                }),
                Err(error) => flow.fail(Problem::Payment(error)),
            }
        });
    }

    /// The checkout left the page: cancel what is in flight and remove the Element.
    pub(super) fn close(&self) {
        let mounted = {
            let mut inner = self.inner.borrow_mut();
            inner.closed = true;
            if let Some(abort) = inner.abort.take() {
                abort.abort();
            }
            if let Some(timer) = inner.debounce.take() {
                timer.clear();
            }
            inner.mounted.take()
        };
        drop(mounted);
    }

    fn fail(&self, problem: Problem) {
        if matches!(problem, Problem::Api(ApiError::Aborted)) || self.is_closed() {
            return;
        }
        self.state.problem.set(Some(problem));
        self.state.phase.set(Phase::Failed);
    }

    fn is_closed(&self) -> bool {
        self.inner.borrow().closed
    }

    /// The cart on screen, when its quantity is valid.
    fn cart(&self) -> Option<Vec<CartItem>> {
        let quantity = self
            .state
            .quantity
            .with_untracked(|text| super::state::parse_quantity(text))?;
        let price = self
            .state
            .product
            .with_untracked(|p| p.as_ref().map(|p| p.price.clone()))?;
        Some(vec![CartItem { price, quantity }])
    }

    /// Drops everything tied to the previous cart: its Element, its pending answer, its total.
    fn invalidate_cart(&self) {
        let mounted = {
            let mut inner = self.inner.borrow_mut();
            inner.generation += 1;
            if let Some(abort) = inner.abort.take() {
                abort.abort();
            }
            if let Some(timer) = inner.debounce.take() {
                timer.clear();
            }
            inner.mounted.take()
        };
        // Destroyed outside the borrow: Stripe.js may call back while tearing down.
        drop(mounted);
        self.state.total.set(None);
        self.state.element_complete.set(false);
    }

    /// Cancels the requests under way and returns the signal for the next ones; `None` once
    /// the checkout is closed.
    fn restart_requests(&self) -> Option<AbortSignal> {
        let mut inner = self.inner.borrow_mut();
        if inner.closed {
            return None;
        }
        if let Some(abort) = inner.abort.take() {
            abort.abort();
        }
        let controller = AbortController::new().ok()?;
        let signal = controller.signal();
        inner.abort = Some(controller);
        Some(signal)
    }

    /// The Stripe.js instance for `account` (`Stripe(pk, {stripeAccount, locale})`).
    fn stripe_for(
        &self,
        account: Option<&AccountId>,
    ) -> Result<Stripe, stripe_js::IntegrationError> {
        let mut inner = self.inner.borrow_mut();
        if let Some((_, stripe)) = inner.stripes.iter().find(|(a, _)| a.as_ref() == account) {
            return Ok(stripe.clone());
        }
        let key = inner
            .config
            .as_ref()
            .map(|c| c.publishable_key.clone())
            .unwrap_or_default();
        let stripe = Stripe::new(&key, account, self.locale.as_deref())?;
        inner.stripes.push((account.cloned(), stripe.clone()));
        Ok(stripe)
    }
}
