//! The checkout's steps against the real function and Stripe.js, writing what happens into a
//! [`CheckoutState`] the view shows. They follow Stripe's deferred-intent integration
//! ("collect payment details before creating an Intent",
//! <https://docs.stripe.com/payments/accept-a-payment-deferred>):
//!
//! 1. load: `GET /api/config` and, at the same time, the sellers (when the page did not choose
//!    one) and the seller's products; Stripe.js from the configuration's `stripe_js_url` as
//!    soon as it comes; then show the first cart, or show how a payment that left the page for
//!    a redirect ended;
//! 2. show the cart: its lines and total from the unit amounts the function listed, and the
//!    Payment Element made for that amount (`elements({mode: 'payment', amount, currency})`)
//!    on the account the payment will live on. A quantity change tells the Elements the new
//!    amount (`elements.update`): no request, no PaymentIntent, the card typed stays;
//! 3. pay: `elements.submit()` (Stripe.js checks the fields), `POST /api/checkout` (the
//!    function prices the cart and makes its one PaymentIntent), then `confirmPayment` with
//!    the email as `receipt_email`, without a redirect unless one is needed (3-D Secure happens
//!    in place, inside Stripe.js), then the receipt or the reason in words.
//!
//! Each step tells the page what happened through the [`CheckoutEvent`]s it asked for.
//!
//! **Invariant:** a PaymentIntent is made only when the shopper presses Pay, and one per cart:
//! the cart's attempt id is its Idempotency-Key, so a double press, "Try again" and a
//! retry after a lost answer all find the same one. **Invariant:** only the function's total
//! is confirmed: when it differs from the total shown (a price changed since the page loaded),
//! the shopper sees the new total and presses Pay again; nothing is confirmed at the old one.
//! The email is not part of the cart: editing it keeps the Element and the card typed into it.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::Poll;

use connect_checkout_core::api::{
    CartItem, CheckoutLine, CheckoutRequest, CheckoutSession, ClientConfig, Product, Seller,
    plausible_email,
};
use connect_checkout_core::{AccountId, Money};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{AbortController, AbortSignal};

use super::attempt::{Attempts, Cart, random_attempt_id};
use super::event::{CheckoutEvent, EventSink};
use super::problem::Problem;
use super::redirect::{self, Return};
use super::state::{CheckoutState, Phase, Receipt};
use super::theme;
use crate::api::{Api, ApiError};
use crate::i18n::Strings;
use crate::stripe_js::{self, Elements, PaymentIntent, Stripe, StripeElement, StripeError};

/// What the page decided about a checkout.
pub(super) struct Setup {
    pub api: Api,
    /// The sellers of a marketplace cart ([`super::CheckoutOptions::marketplace_sellers`]);
    /// empty for one seller's checkout.
    pub sellers: Vec<AccountId>,
    /// The seller the page chose; `None` offers the platform's sellers in a picker.
    pub fixed_seller: Option<AccountId>,
    /// The prices to offer and their first quantities; empty offers every product.
    pub items: Vec<CartItem>,
    /// The widget's words; their language is Stripe.js's `locale` too.
    pub strings: &'static Strings,
    pub on_event: Option<EventSink>,
}

/// One checkout's steps. Shared (`Rc`) by the tasks and callbacks that drive them.
pub(super) struct Flow {
    setup: Setup,
    api: Api,
    state: CheckoutState,
    /// The element the Payment Element is mounted into (the view's [`super::view::payment_slot`]).
    payment_slot: web_sys::Element,
    inner: RefCell<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Cancels the requests of the step under way (the load, a seller's products, Pay).
    abort: Option<AbortController>,
    config: Option<ClientConfig>,
    /// One Stripe.js instance per account, kept for the checkout's life.
    stripes: Vec<(Option<AccountId>, Stripe)>,
    /// The Payment Element of the cart on screen.
    mounted: Option<Mounted>,
    attempts: Attempts,
    /// A payment back from a redirect, from the page's URL, until it is shown.
    returned: Option<Return>,
    /// A problem to show once the first cart is shown (how a redirect ended).
    after_mount: Option<Problem>,
    /// The cart last told to the page (`Change`); `Ready` is sent before the first one.
    announced: Option<(AccountId, Vec<CheckoutLine>, Money)>,
    /// The sellers' transfers of the paid marketplace order were asked for.
    transfers_asked: bool,
    /// The checkout left the page: nothing more may happen.
    closed: bool,
}

/// The Payment Element of one seller's cart, made before its PaymentIntent. Another seller's
/// cart needs another Element (with direct charges, another account).
struct Mounted {
    seller: AccountId,
    /// The account `stripe` acts on, where the PaymentIntent must live (`None`: the platform).
    account: Option<AccountId>,
    stripe: Stripe,
    elements: Elements,
    element: StripeElement,
    /// What the Elements were last told: the total on screen.
    amount: Money,
}

/// What the first cart offers: its sellers (one, unless a marketplace cart), the products
/// with their first quantities and, in a marketplace cart, each product's seller.
struct Offer {
    sellers: Vec<Seller>,
    owners: Vec<Seller>,
    products: Vec<Product>,
    quantities: Vec<u32>,
}

/// What Pay works with, taken from the Element when it is pressed.
struct Payment {
    account: Option<AccountId>,
    stripe: Stripe,
    elements: Elements,
    /// The total the shopper saw, and the Elements were told.
    shown: Money,
    cart: Cart,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.element.destroy();
    }
}

impl Flow {
    pub(super) fn new(
        setup: Setup,
        state: CheckoutState,
        payment_slot: web_sys::Element,
    ) -> Rc<Self> {
        // Read (and removed from the address bar) at once; kept until shown, so that a load
        // that fails and is tried again still shows it.
        let inner = Inner {
            returned: redirect::take_return_for(
                setup.sellers.first().or(setup.fixed_seller.as_ref()),
            ),
            ..Inner::default()
        };
        Rc::new(Self {
            api: setup.api.clone(),
            setup,
            state,
            payment_slot,
            inner: RefCell::new(inner),
        })
    }

    /// Step 1: everything the first cart needs, then price it.
    pub(super) fn load(self: &Rc<Self>) {
        let Some(signal) = self.restart_requests() else {
            return;
        };
        self.busy();
        let flow = Rc::clone(self);
        spawn_local(async move {
            if let Err(problem) = flow.load_steps(&signal).await {
                flow.fail(problem);
            }
        });
    }

    async fn load_steps(self: &Rc<Self>, signal: &AbortSignal) -> Result<(), Problem> {
        let returned = self.inner.borrow().returned.clone();
        // The configuration and the offer need nothing of each other: both are asked for at
        // once, and Stripe.js downloads as soon as the configuration names it. Boxed, each
        // step's code stays its own rather than inlined into this one's: 0.15 KB less of the
        // embed (brotli).
        let configured: Step<'_, _> = Box::pin(async {
            let config = self.api.config(signal).await.map_err(Problem::Api)?;
            self.state.mode.set(Some(config.mode));
            let stripe_js = stripe_js::load(&config.stripe_js_url);
            self.inner.borrow_mut().config = Some(config);
            Ok(stripe_js)
        });
        let offered: Step<'_, Offer> = Box::pin(async {
            let sellers = if self.is_marketplace() {
                self.setup.sellers.clone()
            } else {
                vec![self.choose_seller(returned.as_ref(), signal).await?]
            };
            self.load_offer(&sellers, signal).await
        });
        let (stripe_js, offer) = both(configured, offered).await?;
        let Offer {
            mut sellers,
            mut owners,
            products,
            quantities,
        } = offer;
        stripe_js.await.map_err(Problem::StripeJs)?;
        if self.is_closed() {
            return Ok(());
        }
        self.state.seller.set(sellers.first().cloned());
        if !self.is_marketplace() {
            sellers.clear();
            owners.clear();
        }
        self.state.cart_sellers.set(sellers);
        self.state.product_sellers.set(owners);
        self.state.set_offer(products, quantities);
        if let Some(returned) = returned
            && self.show_return(returned).await
        {
            return Ok(());
        }
        self.show_cart();
        Ok(())
    }

    /// The one seller to offer: the page's seller, else the one a redirect came back for,
    /// else the first of the platform's sellers (offered in a picker).
    async fn choose_seller(
        &self,
        returned: Option<&Return>,
        signal: &AbortSignal,
    ) -> Result<AccountId, Problem> {
        let chosen = returned
            .and_then(|r| r.seller.clone())
            .or_else(|| self.setup.fixed_seller.clone())
            .or_else(|| self.seller_id());
        let seller = match (&self.setup.fixed_seller, chosen) {
            (Some(_), Some(seller)) => seller,
            (_, chosen) => {
                let sellers = self
                    .api
                    .sellers(signal)
                    .await
                    .map_err(Problem::Api)?
                    .sellers;
                let seller = chosen
                    .filter(|id| sellers.iter().any(|s| &s.id == id))
                    .or_else(|| sellers.first().map(|s| s.id.clone()))
                    .ok_or(Problem::NothingToSell)?;
                self.state.sellers.set(sellers);
                seller
            }
        };
        Ok(seller)
    }

    /// What `sellers` offer: each one's products, read at once (one request per seller, all in
    /// flight together), one seller's after another in the page's order. One seller's
    /// checkout is the case of one: a second way to read products cost the embed more.
    async fn load_offer(
        &self,
        sellers: &[AccountId],
        signal: &AbortSignal,
    ) -> Result<Offer, Problem> {
        let lists = all(sellers
            .iter()
            .map(|seller| self.api.products(seller, signal))
            .collect())
        .await;
        let mut sellers = Vec::new();
        let mut owners = Vec::new();
        let mut products = Vec::new();
        let mut quantities = Vec::new();
        for list in lists {
            let list = list.map_err(Problem::Api)?;
            let (offered, first) = self.offer(&list.seller.id, list.products)?;
            owners.extend(offered.iter().map(|_| list.seller.clone()));
            products.extend(offered);
            quantities.extend(first);
            sellers.push(list.seller);
        }
        Ok(Offer {
            sellers,
            owners,
            products,
            quantities,
        })
    }

    /// How a payment that left the page ended: `true` when it succeeded (the receipt is
    /// shown), else the reason is kept to show over the fresh form.
    async fn show_return(self: &Rc<Self>, returned: Return) -> bool {
        let outcome = match self.stripe_for(returned.account.as_ref()) {
            Ok(stripe) => match stripe
                .retrieve_payment_intent(&returned.client_secret)
                .await
            {
                Ok(intent) => self.settle(intent),
                Err(error) => Err(Problem::Payment(error)),
            },
            Err(error) => Err(Problem::Integration(error.0)),
        };
        let mut inner = self.inner.borrow_mut();
        inner.returned = None;
        let succeeded = outcome.is_ok();
        inner.after_mount = outcome.err();
        succeeded
    }

    /// The shopper chose another seller: the old cart goes, the new seller's products come.
    pub(super) fn seller_chosen(self: &Rc<Self>, seller: AccountId) {
        if self.seller_id().as_ref() == Some(&seller) || self.is_settled() {
            return;
        }
        self.invalidate_cart();
        let chosen = self
            .state
            .sellers
            .with_untracked(|sellers| sellers.iter().find(|s| s.id == seller).cloned());
        self.state.seller.set(chosen);
        self.state.set_products(Vec::new());
        let Some(signal) = self.restart_requests() else {
            return;
        };
        self.busy();
        let flow = Rc::clone(self);
        spawn_local(async move {
            match flow.api.products(&seller, &signal).await {
                Ok(list) if flow.seller_id().as_ref() == Some(&seller) => {
                    match flow.offer(&seller, list.products) {
                        Ok((products, quantities)) => {
                            flow.state.seller.set(Some(list.seller));
                            flow.state.set_offer(products, quantities);
                            flow.show_cart();
                        }
                        Err(problem) => flow.fail(problem),
                    }
                }
                // Another seller was chosen meanwhile.
                Ok(_) => {}
                Err(error) => flow.fail(Problem::Api(error)),
            }
        });
    }

    /// The shopper changed a quantity: the summary and the Payment Element's amount follow at
    /// once. Nothing is asked of the function or of Stripe.
    pub(super) fn cart_changed(self: &Rc<Self>) {
        if self.is_settled() || self.state.products.with_untracked(Vec::is_empty) {
            return;
        }
        self.show_cart();
    }

    /// The shopper committed an email. It goes with the confirmation, so the cart and its
    /// Payment Element stay; one that cannot be an address is said at once.
    pub(super) fn email_changed(self: &Rc<Self>) {
        if self.is_settled() {
            return;
        }
        if !self.email_is_valid() {
            self.fail(Problem::Email);
        } else if self
            .state
            .problem
            .with_untracked(|p| p == &Some(Problem::Email))
        {
            self.state.problem.set(None);
            if self.inner.borrow().mounted.is_some() {
                self.state.phase.set(Phase::Ready);
            }
        }
    }

    /// Empty, or plausibly an address.
    fn email_is_valid(&self) -> bool {
        self.email().is_none_or(|email| plausible_email(&email))
    }

    /// "Try again": repeat the step that failed. Once the cart is on screen that is Pay (the
    /// only step that asks the function then): the same cart keeps its attempt id, so a
    /// PaymentIntent made before an answer was lost is found again, not made twice.
    pub(super) fn retry(self: &Rc<Self>) {
        let shown = self.inner.borrow().mounted.is_some();
        if shown && untrack(|| self.state.can_pay()) {
            self.state.phase.set(Phase::Paying);
            self.pay();
        } else {
            self.load();
        }
    }

    /// Step 2: the cart on screen, from the listed unit amounts, in the summary and in the
    /// Payment Element. A cart that cannot be paid as typed (a quantity, nothing chosen, two
    /// currencies) is said in words, and Pay waits until it can.
    fn show_cart(self: &Rc<Self>) {
        if self.is_closed() {
            return;
        }
        let shown = self
            .state
            .shown_cart()
            .and_then(|(lines, total)| self.element_for(&total).map(|()| (lines, total)));
        let (lines, total) = match shown {
            Ok(cart) => cart,
            Err(problem) => {
                self.state.total.set(None);
                self.state.lines.set(Vec::new());
                return self.fail(problem);
            }
        };
        self.state.lines.set(lines);
        self.state.total.set(Some(total));
        let after_mount = self.inner.borrow_mut().after_mount.take();
        let email_problem = (!self.email_is_valid()).then_some(Problem::Email);
        match after_mount.or(email_problem) {
            Some(problem) => self.fail(problem),
            None => {
                self.state.problem.set(None);
                self.state.phase.set(Phase::Ready);
            }
        }
        self.announce_cart();
    }

    /// The Payment Element for a cart of `total`: the seller's, told the new amount, or made
    /// (`elements({mode: 'payment', amount, currency})`) on the account the PaymentIntent
    /// will live on.
    fn element_for(&self, total: &Money) -> Result<(), Problem> {
        let integration = |error: stripe_js::IntegrationError| Problem::Integration(error.0);
        let seller = self.seller_id().ok_or(Problem::NothingToSell)?;
        // Another seller's Element is gone already: choosing a seller drops the cart.
        let current = self
            .inner
            .borrow()
            .mounted
            .as_ref()
            .map(|m| (m.amount == *total, m.elements.clone()));
        if let Some((same, elements)) = current {
            // Outside the borrow: Stripe.js may call back while updating.
            if !same {
                elements.update_amount(total).map_err(integration)?;
                if let Some(mounted) = self.inner.borrow_mut().mounted.as_mut() {
                    mounted.amount = total.clone();
                }
            }
            return Ok(());
        }
        let container = self.payment_slot.clone();
        let charge_type = self
            .inner
            .borrow()
            .config
            .as_ref()
            .map(|config| config.charge_type)
            .unwrap_or_default()
            .for_cart(self.is_marketplace());
        let account = charge_type.payment_account(&seller).cloned();
        let stripe = self.stripe_for(account.as_ref()).map_err(integration)?;
        let elements = stripe
            .payment_elements(
                total,
                charge_type.on_behalf_of(&seller),
                &theme::appearance_at(&container),
            )
            .map_err(integration)?;
        let element = elements.create_payment().map_err(integration)?;
        element.mount(&container).map_err(integration)?;
        self.inner.borrow_mut().mounted = Some(Mounted {
            seller,
            account,
            stripe,
            elements,
            element,
            amount: total.clone(),
        });
        Ok(())
    }

    /// Step 3: Pay was pressed. The view has already set the phase to `Paying`, so the shopper
    /// cannot press Pay again or change the cart meanwhile.
    pub(super) fn pay(self: &Rc<Self>) {
        if !self.email_is_valid() {
            return self.fail(Problem::Email);
        }
        let items = match self.state.items() {
            Ok(items) => items,
            Err(problem) => return self.fail(problem),
        };
        let mounted = self.inner.borrow().mounted.as_ref().map(|m| Payment {
            account: m.account.clone(),
            stripe: m.stripe.clone(),
            elements: m.elements.clone(),
            shown: m.amount.clone(),
            cart: Cart {
                seller: m.seller.clone(),
                items,
            },
        });
        let Some(payment) = mounted else {
            return self.fail(Problem::Integration(
                "Pay was pressed without a Payment Element".into(),
            ));
        };
        let Some(attempt) = self
            .inner
            .borrow_mut()
            .attempts
            .for_cart(&payment.cart, random_attempt_id)
        else {
            return self.fail(Problem::Integration(
                "no source of random attempt ids".into(),
            ));
        };
        // The quantities are checked already (`items`). The function's other rules (at most 50
        // lines, each price once) are its to say, in its words, before any Stripe call: a
        // second copy of them here cost the embed 0.2 KB (brotli).
        let request = payment.cart.request(attempt);
        let Some(signal) = self.restart_requests() else {
            return;
        };
        self.state.problem.set(None);
        let email = self.email();
        let flow = Rc::clone(self);
        spawn_local(async move {
            let paid = flow.pay_steps(payment, &request, email, &signal).await;
            if let Err(problem) = paid {
                flow.fail(problem);
            }
        });
    }

    async fn pay_steps(
        self: &Rc<Self>,
        payment: Payment,
        request: &CheckoutRequest,
        email: Option<String>,
        signal: &AbortSignal,
    ) -> Result<(), Problem> {
        let Payment {
            account,
            stripe,
            elements,
            shown,
            cart,
        } = payment;
        // First, before any other asynchronous work, as Stripe.js requires: a card typed
        // halfway is said at once and costs no PaymentIntent.
        elements.submit().await.map_err(Problem::Payment)?;
        let session = self
            .api
            .checkout(request, signal)
            .await
            .map_err(Problem::Api)?;
        if self.is_closed() {
            return Ok(());
        }
        if session.stripe_account != account {
            return Err(Problem::Integration(
                "the PaymentIntent lives on another account than the Payment Element".into(),
            ));
        }
        if session.total != shown {
            self.reprice(&session);
            return Err(Problem::PriceChanged);
        }
        self.state.lines.set(session.lines.clone());
        let return_url = redirect::return_url(&cart.seller, account.as_ref());
        let outcome = stripe
            .confirm_payment(
                &elements,
                &session.client_secret,
                &return_url,
                email.as_deref(),
            )
            .await;
        // No check of the cart: whatever Stripe answers about money is shown.
        match outcome {
            Ok(intent) => self.settle(intent),
            // The confirmation may have gone through although its answer did not come back,
            // or an earlier one did: ask Stripe before saying it failed.
            Err(error) if may_have_succeeded(&error) => {
                match stripe.retrieve_payment_intent(&session.client_secret).await {
                    Ok(intent) if intent.status == "succeeded" => self.settle(intent),
                    _ => Err(Problem::Payment(error)),
                }
            }
            Err(error) => Err(Problem::Payment(error)),
        }
    }

    /// The function priced the cart at another total than the one shown: the products take
    /// the function's unit amounts and the cart is shown again from them (the summary, the
    /// Elements' amount, the page's `Change`). The PaymentIntent stays unconfirmed until the
    /// shopper presses Pay again.
    fn reprice(self: &Rc<Self>, session: &CheckoutSession) {
        self.state.products.update(|products| {
            for product in products {
                if let Some(line) = session.lines.iter().find(|l| l.price == product.price) {
                    product.unit_amount = line.unit_amount.clone();
                }
            }
        });
        self.show_cart();
    }

    /// Shows the receipt of a succeeded PaymentIntent (and removes the Element), or says why
    /// it did not succeed.
    fn settle(self: &Rc<Self>, intent: PaymentIntent) -> Result<(), Problem> {
        if intent.status != "succeeded" {
            return Err(match intent.last_payment_error {
                Some(error) if intent.status == "requires_payment_method" => {
                    Problem::Payment(error)
                }
                _ => Problem::NotCompleted {
                    status: intent.status,
                },
            });
        }
        let mounted = self.inner.borrow_mut().mounted.take();
        drop(mounted);
        let (seller, seller_id) = self
            .state
            .seller
            .with_untracked(|s| s.as_ref().map(|s| (s.display_name.clone(), s.id.clone())))
            .unzip();
        let amount = intent.amount();
        let payment_intent = intent.id.clone();
        self.state.receipt.set(Some(Receipt {
            amount: amount.clone(),
            seller: seller.unwrap_or_default(),
            reference: intent.id,
            email: intent.receipt_email,
        }));
        self.state.problem.set(None);
        self.state.phase.set(Phase::Succeeded);
        self.ask_transfers(&payment_intent);
        if let Some(seller) = seller_id {
            self.emit(CheckoutEvent::Success {
                payment_intent,
                amount,
                seller,
            });
        }
        Ok(())
    }

    /// A paid marketplace order's transfers to its sellers, asked of the function once, as a
    /// fallback: the function makes them from Stripe's `payment_intent.succeeded` webhook too,
    /// so a failure here costs no seller their money and the shopper, already paid, is not
    /// told. The page hears it as a `Warning` and the console shows it.
    fn ask_transfers(self: &Rc<Self>, payment_intent: &str) {
        if !self.is_marketplace() || self.inner.borrow().transfers_asked {
            return;
        }
        let Some(signal) = self.restart_requests() else {
            return;
        };
        self.inner.borrow_mut().transfers_asked = true;
        let payment_intent = payment_intent.to_owned();
        let flow = Rc::clone(self);
        spawn_local(async move {
            let code = match flow.api.transfers(&payment_intent, &signal).await {
                Ok(()) | Err(ApiError::Aborted) => return,
                Err(error) => Problem::Api(error).code(),
            };
            web_sys::console::warn_3(
                &"connect-checkout: the sellers' transfers were not confirmed; Stripe's webhook makes them:"
                    .into(),
                &payment_intent.as_str().into(),
                &code.as_ref().into(),
            );
            flow.emit(CheckoutEvent::Warning {
                code,
                payment_intent,
            });
        });
    }

    /// The shopper pressed Cancel: the page hears it and decides.
    pub(super) fn cancel(&self) {
        self.emit(CheckoutEvent::Cancel {
            seller: self.seller_id(),
        });
    }

    /// Tells the page about the cart on screen when it changed, and, the first time, that the
    /// checkout is ready.
    fn announce_cart(&self) {
        let Some(seller) = self.seller_id() else {
            return;
        };
        let Some(total) = self.state.total.get_untracked() else {
            return;
        };
        let lines = self.state.lines.get_untracked();
        let cart = (seller.clone(), lines.clone(), total.clone());
        let previous = self.inner.borrow_mut().announced.replace(cart.clone());
        if previous.as_ref() == Some(&cart) {
            return;
        }
        self.emit(CheckoutEvent::Change {
            seller: seller.clone(),
            lines,
            total: total.clone(),
        });
        if previous.is_none() {
            self.emit(CheckoutEvent::Ready { seller, total });
        }
    }

    /// Sends `event` to the page, if it listens. Never while `inner` is borrowed.
    fn emit(&self, event: CheckoutEvent) {
        if let Some(on_event) = &self.setup.on_event
            && !self.is_closed()
        {
            on_event(event);
        }
    }

    /// What to show of `seller`'s `products`, and each one's first quantity: every product
    /// (the first once), or the page's items of that seller in its order.
    fn offer(
        &self,
        seller: &AccountId,
        products: Vec<Product>,
    ) -> Result<(Vec<Product>, Vec<u32>), Problem> {
        if products.is_empty() {
            return Err(Problem::NothingToSell);
        }
        let items: Vec<&CartItem> = self
            .setup
            .items
            .iter()
            .filter(|item| item.seller.as_ref().is_none_or(|owner| owner == seller))
            .collect();
        if items.is_empty() {
            let quantities = (0..products.len()).map(|i| u32::from(i == 0)).collect();
            return Ok((products, quantities));
        }
        // Loops rather than collecting into `Option<Vec<_>>` and `unzip`, for the embed's bytes
        // (as in `wire::list`).
        let mut offered = Vec::with_capacity(items.len());
        let mut quantities = Vec::with_capacity(items.len());
        for item in items {
            let product = products.iter().find(|p| p.price == item.price);
            offered.push(product.ok_or(Problem::NotForSale)?.clone());
            quantities.push(item.quantity);
        }
        Ok((offered, quantities))
    }

    /// The checkout left the page: cancel what is in flight and remove the Element.
    pub(super) fn close(&self) {
        let mounted = {
            let mut inner = self.inner.borrow_mut();
            inner.closed = true;
            if let Some(abort) = inner.abort.take() {
                abort.abort();
            }
            inner.mounted.take()
        };
        drop(mounted);
    }

    fn busy(&self) {
        self.state.phase.set(Phase::Loading);
        self.state.problem.set(None);
    }

    fn fail(&self, problem: Problem) {
        if matches!(problem, Problem::Api(ApiError::Aborted)) || self.is_closed() {
            return;
        }
        let event = self.setup.on_event.is_some().then(|| CheckoutEvent::Error {
            code: problem.code(),
            decline_code: problem.decline_code().map(str::to_owned),
            message: problem.words(self.setup.strings).into_owned(),
        });
        self.state.problem.set(Some(problem));
        self.state.phase.set(Phase::Failed);
        if let Some(event) = event {
            self.emit(event);
        }
    }

    fn is_closed(&self) -> bool {
        self.inner.borrow().closed
    }

    /// Paying or paid: the cart can no longer change.
    fn is_settled(&self) -> bool {
        self.is_closed()
            || matches!(
                self.state.phase.get_untracked(),
                Phase::Paying | Phase::Succeeded
            )
    }

    /// Whether the cart holds several sellers' products (the page named its sellers).
    fn is_marketplace(&self) -> bool {
        !self.setup.sellers.is_empty()
    }

    fn seller_id(&self) -> Option<AccountId> {
        self.state
            .seller
            .with_untracked(|s| s.as_ref().map(|s| s.id.clone()))
    }

    /// The email committed, trimmed; `None` when empty.
    fn email(&self) -> Option<String> {
        self.state.email.with_untracked(|email| {
            let email = email.trim();
            (!email.is_empty()).then(|| email.to_owned())
        })
    }

    /// Drops everything tied to the previous seller's cart: its Element, its pending
    /// requests, its total.
    fn invalidate_cart(&self) {
        let mounted = {
            let mut inner = self.inner.borrow_mut();
            if let Some(abort) = inner.abort.take() {
                abort.abort();
            }
            inner.mounted.take()
        };
        // Destroyed outside the borrow: Stripe.js may call back while tearing down.
        drop(mounted);
        self.state.total.set(None);
        self.state.lines.set(Vec::new());
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
        let stripe = Stripe::new(&key, account, Some(self.setup.strings.lang))?;
        inner.stripes.push((account.cloned(), stripe.clone()));
        Ok(stripe)
    }
}

/// Every future's output, in order, with all of them in flight at once.
async fn all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    poll_fn(|context| {
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none()
                && let Poll::Ready(value) = future.as_mut().poll(context)
            {
                *output = Some(value);
            }
        }
        if outputs.iter().all(Option::is_some) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// A step of the load, run beside another one by [`both`].
type Step<'a, T> = Pin<Box<dyn Future<Output = Result<T, Problem>> + 'a>>;

/// Both futures' outputs, the two in flight at once. The first one's error wins, as when they
/// ran one after the other: it ends the wait as soon as it comes, while the second one's waits
/// until the first one succeeded.
async fn both<A, B, E>(
    first: impl Future<Output = Result<A, E>>,
    second: impl Future<Output = Result<B, E>>,
) -> Result<(A, B), E> {
    let (mut first, mut second) = (pin!(first), pin!(second));
    let (mut first_out, mut second_out) = (None, None);
    poll_fn(|context| {
        if first_out.is_none()
            && let Poll::Ready(output) = first.as_mut().poll(context)
        {
            match output {
                Ok(value) => first_out = Some(value),
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
        if second_out.is_none()
            && let Poll::Ready(output) = second.as_mut().poll(context)
        {
            second_out = Some(output);
        }
        match (first_out.take(), second_out.take()) {
            (Some(first), Some(Ok(second))) => Poll::Ready(Ok((first, second))),
            (Some(_), Some(Err(error))) => Poll::Ready(Err(error)),
            (first, second) => {
                (first_out, second_out) = (first, second);
                Poll::Pending
            }
        }
    })
    .await
}

/// Whether a failed confirmation may still have charged: its answer was lost, or Stripe says
/// the PaymentIntent is no longer waiting for a confirmation.
fn may_have_succeeded(error: &StripeError) -> bool {
    error.kind.as_deref() == Some("api_connection_error")
        || error.code.as_deref() == Some("payment_intent_unexpected_state")
}
