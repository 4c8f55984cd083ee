//! The checkout's markup: a pure function of [`CheckoutState`]. It does no I/O; the flow (or a
//! browser test) drives it through the signals and hears the shopper through callbacks.
//!
//! [`CheckoutView::new`] lays out its parts, each a plain function of the state that appends
//! its elements and their bindings: the mode's notice, the seller ([`seller_field`]), the
//! products with their quantities ([`product_rows`]), the email ([`email_field`]), the cart's
//! lines grouped by seller and the total ([`summary`]), the Payment Element's place
//! ([`payment_field`]), Pay and Cancel ([`pay_button`], [`cancel_button`]), the problem and
//! "Try again" ([`problem_message`], [`retry_button`]) and the receipt ([`receipt`]).
//!
//! It is built with `web_sys` calls, not Leptos's `view!`: [`crate::dom`] says why (the embed's
//! size) and how the signals keep it current.
//!
//! The `data-role` attributes are the stable hooks of the end-to-end tests; keep them.

use std::cell::Cell;
use std::rc::Rc;

use connect_checkout_core::api::{CheckoutLine, Mode};
use connect_checkout_core::{AccountId, Money};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::problem::Problem;
use super::state::{CheckoutState, Phase, parse_quantity};
use crate::dom::{Bindings, append, element, set, value, with_text};
use crate::i18n::{Strings, fill};
use crate::money::format_money;

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// `cc-1`, `cc-2`, …: element ids that stay unique with several checkouts on one page.
fn next_id() -> String {
    let id = NEXT_ID.with(|next| {
        next.set(next.get() + 1);
        next.get()
    });
    format!("cc-{id}")
}

/// What the shopper changed in the form. The view has already written it into the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Chose this seller in the picker.
    Seller(AccountId),
    /// Typed in a quantity.
    Cart,
    /// Committed an email (the field's `change`: on leaving it, or Enter).
    Email,
}

/// Formats money for the checkout's locale; each closure that shows an amount takes a clone.
#[derive(Clone)]
struct Format(Option<Rc<str>>);

impl Format {
    fn money(&self, money: &Money) -> String {
        format_money(money, self.0.as_deref())
    }
}

/// `true` or `false`, as ARIA's and our `data-` attributes write them: a static string rather
/// than `bool::to_string`, whose `String` and `Display` cost the embed 0.26 KB (brotli).
fn flag(on: bool) -> &'static str {
    if on { "true" } else { "false" }
}

/// A marketplace cart (one of several sellers): its lines and receipt are grouped under their
/// sellers' names. Tracks the signal.
fn grouped(state: CheckoutState) -> bool {
    state.cart_sellers.with(|sellers| !sellers.is_empty())
}

/// The empty element Stripe's Payment Element is mounted into: the flow holds it, and the
/// view ([`ViewSetup::payment_element`]) puts it in its labelled place.
pub fn payment_slot() -> Element {
    element(
        "div",
        &[
            ("class", "cc-payment-element"),
            ("data-role", "payment-element"),
        ],
    )
}

/// What a [`CheckoutView`] shows and whom it tells.
pub struct ViewSetup {
    /// The values to show; whoever owns the signals drives the checkout.
    pub state: CheckoutState,
    /// The words, in the shopper's language.
    pub strings: &'static Strings,
    /// The locale money is formatted for, such as `en-US`; `None` follows the browser.
    pub locale: Option<String>,
    /// `light` or `dark`, as the root's `data-theme`; `None` follows the shopper's
    /// `prefers-color-scheme`.
    pub theme: Option<String>,
    /// Where the Payment Element is mounted: a [`payment_slot`].
    pub payment_element: Element,
    /// Pay was pressed while payable. Called once per press: the phase is already `Paying`,
    /// so a second press (a double click) does nothing.
    pub on_pay: Rc<dyn Fn()>,
    /// "Try again" was pressed after a problem that may go away.
    pub on_retry: Rc<dyn Fn()>,
    /// The shopper changed the seller, a quantity or the email.
    pub on_edit: Rc<dyn Fn(Edit)>,
    /// Cancel was pressed; without it there is no Cancel button.
    pub on_cancel: Option<Rc<dyn Fn()>>,
}

/// The checkout as the shopper sees it: the seller, their products with a quantity each, the
/// email for the receipt, the priced lines and total, the Payment Element's container, Pay,
/// the message region and, once paid, the receipt. It stays current while it lives; dropping
/// it stops that (and its listeners) but leaves the elements to whoever placed [`Self::root`].
pub struct CheckoutView {
    root: Element,
    _bindings: Bindings,
}

impl CheckoutView {
    /// Builds the checkout's elements, not yet in any page: place [`Self::root`] where it goes.
    pub fn new(setup: ViewSetup) -> Self {
        // Redrawing after a signal changes is a task: the executor must be running.
        let _ = any_spawner::Executor::init_wasm_bindgen();
        let ViewSetup {
            state,
            strings,
            locale,
            theme,
            payment_element,
            on_pay,
            on_retry,
            on_edit,
            on_cancel,
        } = setup;
        let b = &mut Bindings::default();
        let id = next_id();
        let format = Format(locale.map(Rc::from));
        let has_products = move || state.products.with(|p| !p.is_empty());
        let phase = move || state.phase.get();

        let root = element(
            "section",
            &[
                ("class", "cc-checkout"),
                ("data-role", "checkout"),
                ("aria-label", strings.checkout_label),
                ("lang", strings.lang),
            ],
        );
        if let Some(theme) = &theme {
            set(&root, "data-theme", theme);
        }
        b.attr(&root, "data-state", move || phase().as_str());
        b.attr(&root, "aria-busy", move || flag(phase() == Phase::Loading));

        notice(b, &root, state, strings);
        let loading = with_text(element("p", &[("class", "cc-loading")]), strings.loading);
        b.flag(&loading, "hidden", move || {
            has_products() || phase() != Phase::Loading
        });
        append(&root, &[&loading]);

        let form = element("form", &[("class", "cc-form"), ("novalidate", "")]);
        b.flag(&form, "hidden", move || {
            !has_products() || phase() == Phase::Succeeded
        });
        // The guard against a double click: the phase changes before anything else happens,
        // and a press in any other phase than Ready or Failed is ignored.
        b.on(&form, "submit", move |event| {
            event.prevent_default();
            if untrack(|| state.can_pay()) {
                state.phase.set(Phase::Paying);
                on_pay();
            }
        });
        // Disabled as a whole while paying: the cart cannot change under a payment.
        let fieldset = element("fieldset", &[("class", "cc-fieldset")]);
        b.flag(&fieldset, "disabled", move || phase() == Phase::Paying);
        seller_field(b, &fieldset, state, strings, &id, on_edit.clone());
        product_rows(b, &fieldset, state, strings, &format, &id, on_edit.clone());
        email_field(b, &fieldset, state, strings, &id, on_edit);
        append(&form, &[&fieldset]);
        summary(b, &form, state, strings, &format, &id);
        payment_field(&form, strings, &id, &payment_element);
        pay_button(b, &form, state, strings, &format);
        if let Some(on_cancel) = on_cancel {
            cancel_button(b, &form, state, strings, on_cancel);
        }
        append(&root, &[&form]);

        problem_message(b, &root, state, strings);
        retry_button(b, &root, state, strings, on_retry);
        receipt(b, &root, state, strings, &format);
        Self {
            root,
            _bindings: std::mem::take(b),
        }
    }

    /// The checkout's outermost element, `section.cc-checkout`.
    pub fn root(&self) -> &Element {
        &self.root
    }
}

/// Sandbox or test mode, said over the checkout; nothing in live mode.
fn notice(b: &mut Bindings, parent: &Element, state: CheckoutState, strings: &'static Strings) {
    b.part(parent, move |_| {
        let text = match state.mode.get() {
            Some(Mode::Sandbox) => strings.mode_sandbox,
            Some(Mode::Test) => strings.mode_test,
            Some(Mode::Live) | None => return Vec::new(),
        };
        vec![with_text(element("p", &[("class", "cc-notice")]), text)]
    });
}

/// The seller picker, when the page did not choose the seller; else the seller's name. The
/// picker is drawn again only when the list of sellers changes, so that choosing with the
/// arrow keys keeps the focus on it.
fn seller_field(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    id: &str,
    on_edit: Rc<dyn Fn(Edit)>,
) {
    let field_id = format!("{id}-seller");
    b.part(parent, move |b| {
        let sellers = state.sellers.get();
        if sellers.is_empty() {
            let name = element(
                "h2",
                &[("class", "cc-seller-name"), ("data-role", "seller-name")],
            );
            // A marketplace cart names its sellers over their products instead.
            if grouped(state) {
                set(&name, "hidden", "");
            }
            b.text(&name, move || {
                state
                    .seller
                    .with(|s| s.as_ref().map(|s| s.display_name.clone()))
                    .unwrap_or_default()
            });
            return vec![name];
        }
        let current = move || {
            state
                .seller
                .with(|s| s.as_ref().map(|s| s.id.as_str().to_owned()))
                .unwrap_or_default()
        };
        let field = element("div", &[("class", "cc-field")]);
        let label = with_text(
            element("label", &[("class", "cc-label"), ("for", &field_id)]),
            strings.seller,
        );
        let select = element(
            "select",
            &[
                ("id", &field_id),
                ("class", "cc-input"),
                ("data-role", "seller"),
            ],
        );
        // `selected` too: the select's value is set before its options exist.
        let chosen = untrack(current);
        for seller in sellers {
            let option = with_text(
                element("option", &[("value", seller.id.as_str())]),
                &seller.display_name,
            );
            if seller.id.as_str() == chosen {
                set(&option, "selected", "");
            }
            append(&select, &[&option]);
        }
        b.value(&select, current);
        let on_edit = on_edit.clone();
        let picker = select.clone();
        b.on(&select, "change", move |_| {
            if let Ok(id) = AccountId::new(value(&picker)) {
                on_edit(Edit::Seller(id));
            }
        });
        append(&field, &[&label, &select]);
        vec![field]
    });
}

/// One row per product: name, description, unit price and its quantity; then the hint that
/// describes every quantity field.
fn product_rows(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    format: &Format,
    id: &str,
    on_edit: Rc<dyn Fn(Edit)>,
) {
    let hint_id = format!("{id}-quantity-hint");
    let list = element(
        "ul",
        &[
            ("class", "cc-products"),
            ("aria-label", strings.items),
            ("data-role", "products"),
        ],
    );
    let (id, hint, format) = (id.to_owned(), hint_id.clone(), format.clone());
    b.part(&list, move |b| {
        let owners = state.product_sellers.get();
        let mut rows = Vec::new();
        for (index, product) in state.products.get().into_iter().enumerate() {
            let name_id = format!("{id}-name-{index}");
            let label_id = format!("{id}-quantity-label-{index}");
            let input_id = format!("{id}-quantity-{index}");
            let row = element("li", &[("class", "cc-product"), ("data-role", "product")]);
            let text = element("div", &[("class", "cc-product-text")]);
            // In a marketplace cart, the seller's name over their first product (an empty
            // span elsewhere, hidden by the stylesheet).
            let group = element(
                "span",
                &[
                    ("class", "cc-product-seller"),
                    ("data-role", "product-seller"),
                ],
            );
            if let Some(owner) = owners
                .get(index)
                .filter(|owner| index == 0 || owners[index - 1].id != owner.id)
            {
                group.set_text_content(Some(&owner.display_name));
            }
            let name = with_text(
                element(
                    "span",
                    &[
                        ("class", "cc-product-name"),
                        ("id", &name_id),
                        ("data-role", "product-name"),
                    ],
                ),
                &product.name,
            );
            append(&text, &[&group, &name]);
            if let Some(description) = &product.description {
                let description = with_text(
                    element("span", &[("class", "cc-product-description")]),
                    description,
                );
                append(&text, &[&description]);
            }
            let price = with_text(
                element(
                    "span",
                    &[("class", "cc-unit-price"), ("data-role", "unit-price")],
                ),
                &format.money(&product.unit_amount),
            );
            let field = element("span", &[("class", "cc-quantity-field")]);
            let label = with_text(
                element(
                    "label",
                    &[("class", "cc-label"), ("id", &label_id), ("for", &input_id)],
                ),
                strings.quantity,
            );
            let input = element(
                "input",
                &[
                    ("id", &input_id),
                    ("class", "cc-input cc-quantity"),
                    ("data-role", "quantity"),
                    ("type", "number"),
                    ("inputmode", "numeric"),
                    ("min", "0"),
                    ("max", "999"),
                    ("step", "1"),
                    ("aria-labelledby", &format!("{label_id} {name_id}")),
                    ("aria-describedby", &hint),
                ],
            );
            b.attr(&input, "aria-invalid", move || {
                flag(
                    state
                        .quantities
                        .with(|q| q.get(index).and_then(|t| parse_quantity(t)))
                        .is_none(),
                )
            });
            b.value(&input, move || {
                state
                    .quantities
                    .with(|q| q.get(index).cloned().unwrap_or_default())
            });
            let on_edit = on_edit.clone();
            let typed = input.clone();
            b.on(&input, "input", move |_| {
                let value = value(&typed);
                state.quantities.update(|q| {
                    if let Some(slot) = q.get_mut(index) {
                        *slot = value;
                    }
                });
                on_edit(Edit::Cart);
            });
            append(&field, &[&label, &input]);
            append(&row, &[&text, &price, &field]);
            rows.push(row);
        }
        rows
    });
    let hint = with_text(
        element("p", &[("id", &hint_id), ("class", "cc-hint")]),
        strings.quantity_hint,
    );
    append(parent, &[&list, &hint]);
}

/// The email for the receipt, committed on `change`; marked invalid while the problem shown
/// is that it cannot be an address.
fn email_field(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    id: &str,
    on_edit: Rc<dyn Fn(Edit)>,
) {
    let email_id = format!("{id}-email");
    let hint_id = format!("{id}-email-hint");
    let field = element("div", &[("class", "cc-field")]);
    let label = with_text(
        element("label", &[("class", "cc-label"), ("for", &email_id)]),
        strings.email,
    );
    let input = element(
        "input",
        &[
            ("id", &email_id),
            ("class", "cc-input"),
            ("data-role", "email"),
            ("type", "email"),
            ("autocomplete", "email"),
            ("inputmode", "email"),
            ("maxlength", "254"),
            ("aria-describedby", &hint_id),
        ],
    );
    b.attr(&input, "aria-invalid", move || {
        flag(state.problem.with(|p| matches!(p, Some(Problem::Email))))
    });
    b.value(&input, move || state.email.get());
    let typed = input.clone();
    b.on(&input, "change", move |_| {
        state.email.set(value(&typed));
        on_edit(Edit::Email);
    });
    let hint = with_text(
        element("p", &[("id", &hint_id), ("class", "cc-hint")]),
        strings.email_hint,
    );
    append(&field, &[&label, &input, &hint]);
    append(parent, &[&field]);
}

/// The cart's lines (the listed prices', then, once Pay was pressed, the function's) and its
/// total.
fn summary(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    format: &Format,
    id: &str,
) {
    let total_id = format!("{id}-total");
    let summary = element("div", &[("class", "cc-summary")]);
    let title = with_text(
        element("h2", &[("class", "cc-summary-title")]),
        strings.summary,
    );
    let lines = element("ul", &[("class", "cc-lines"), ("data-role", "lines")]);
    let rows = format.clone();
    b.part(&lines, move |_| {
        line_rows(state, strings, &rows, &state.lines.get())
    });
    let total = element("p", &[("class", "cc-total")]);
    let label = with_text(element("span", &[("id", &total_id)]), strings.total);
    let amount = element(
        "output",
        &[("data-role", "total"), ("aria-labelledby", &total_id)],
    );
    b.attr(&amount, "data-priced", move || {
        flag(state.total.with(Option::is_some))
    });
    let format = format.clone();
    b.text(&amount, move || {
        state
            .total
            .with(|total| total.as_ref().map(|total| format.money(total)))
            .unwrap_or_else(|| "—".to_owned())
    });
    append(&total, &[&label, &amount]);
    append(&summary, &[&title, &lines, &total]);
    append(parent, &[&summary]);
}

/// The cart's lines, and in a marketplace cart each seller's name and subtotal over the
/// seller's lines (a seller's lines are together: the cart lists them so). The summary and
/// the receipt both list them.
fn line_rows(
    state: CheckoutState,
    strings: &'static Strings,
    format: &Format,
    lines: &[CheckoutLine],
) -> Vec<Element> {
    let grouped = grouped(state);
    let mut rows = Vec::new();
    let mut row = |class: &str, role: &str, text: &str, amount: &str| {
        let row = element("li", &[("class", class), ("data-role", role)]);
        let text = with_text(element("span", &[]), text);
        let amount = with_text(element("span", &[]), amount);
        append(&row, &[&text, &amount]);
        rows.push(row);
    };
    for (index, line) in lines.iter().enumerate() {
        if grouped && (index == 0 || lines[index - 1].seller != line.seller) {
            let subtotal = lines[index..]
                .iter()
                .take_while(|other| other.seller == line.seller)
                .fold(0i64, |sum, other| sum.saturating_add(other.amount.amount));
            let subtotal = Money::new(subtotal, line.amount.currency.clone());
            row(
                "cc-line cc-line-seller",
                "seller-group",
                &seller_name(state, &line.seller),
                &format.money(&subtotal),
            );
        }
        let text = fill(
            &fill(strings.line, "{quantity}", &line.quantity.to_string()),
            "{name}",
            &line.name,
        );
        row("cc-line", "line", &text, &format.money(&line.amount));
    }
    rows
}

/// The display name of a marketplace cart's seller `id`.
fn seller_name(state: CheckoutState, id: &AccountId) -> String {
    state.cart_sellers.with(|sellers| {
        sellers
            .iter()
            .find(|seller| &seller.id == id)
            .map(|seller| seller.display_name.clone())
            .unwrap_or_default()
    })
}

/// The labelled place of the element the flow mounts Stripe's Payment Element into.
fn payment_field(parent: &Element, strings: &'static Strings, id: &str, slot: &Element) {
    let label_id = format!("{id}-payment");
    let field = element(
        "div",
        &[
            ("class", "cc-field"),
            ("role", "group"),
            ("aria-labelledby", &label_id),
        ],
    );
    let label = with_text(
        element("span", &[("class", "cc-label"), ("id", &label_id)]),
        strings.payment_details,
    );
    append(&field, &[&label, slot]);
    append(parent, &[&field]);
}

/// Pay, with the total on it; the form's submit.
fn pay_button(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    format: &Format,
) {
    let button = element(
        "button",
        &[
            ("type", "submit"),
            ("class", "cc-pay"),
            ("data-role", "pay"),
        ],
    );
    b.flag(&button, "disabled", move || !state.can_pay());
    b.attr(&button, "aria-busy", move || {
        flag(state.phase.get() == Phase::Paying)
    });
    let format = format.clone();
    b.text(&button, move || {
        match (state.phase.get(), state.total.get()) {
            (Phase::Paying, _) => strings.processing.to_owned(),
            (_, Some(total)) => fill(strings.pay_amount, "{amount}", &format.money(&total)),
            (_, None) => strings.pay.to_owned(),
        }
    });
    append(parent, &[&button]);
}

/// Cancel, when the page offers it.
fn cancel_button(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    on_cancel: Rc<dyn Fn()>,
) {
    let button = with_text(
        element(
            "button",
            &[
                ("type", "button"),
                ("class", "cc-cancel"),
                ("data-role", "cancel"),
            ],
        ),
        strings.cancel,
    );
    b.flag(&button, "disabled", move || {
        state.phase.get() == Phase::Paying
    });
    b.on(&button, "click", move |_| on_cancel());
    append(parent, &[&button]);
}

/// The message region: what went wrong last, in words, announced to screen readers and
/// scrolled into sight when it appears.
fn problem_message(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
) {
    let region = element(
        "div",
        &[
            ("data-role", "message"),
            ("role", "alert"),
            ("aria-live", "polite"),
            ("aria-atomic", "true"),
        ],
    );
    b.attr(&region, "class", move || {
        if state.problem.with(Option::is_some) {
            "cc-message cc-message-shown"
        } else {
            "cc-message"
        }
    });
    b.text(&region, move || {
        state
            .problem
            .with(|p| p.as_ref().map(|p| p.words(strings)))
            .unwrap_or_default()
    });
    let shown = region.clone();
    b.effect(move || {
        if state.problem.with(Option::is_some) {
            let region = shown.clone();
            // After this change is drawn: the region has its full size only then.
            request_animation_frame(move || {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                region.scroll_into_view_with_scroll_into_view_options(&options);
            });
        }
    });
    append(parent, &[&region]);
}

/// "Try again", after a problem that may go away.
fn retry_button(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    on_retry: Rc<dyn Fn()>,
) {
    b.part(parent, move |b| {
        if !state
            .problem
            .with(|p| p.as_ref().is_some_and(Problem::can_retry))
        {
            return Vec::new();
        }
        let button = with_text(
            element(
                "button",
                &[
                    ("type", "button"),
                    ("class", "cc-retry"),
                    ("data-role", "retry"),
                ],
            ),
            strings.retry,
        );
        let on_retry = on_retry.clone();
        b.on(&button, "click", move |_| on_retry());
        vec![button]
    });
}

/// Once paid: what was charged, to whom (or, for a marketplace order, each seller's lines),
/// the reference and where the receipt went. It takes the focus when it appears, so a
/// screen reader reads it next.
fn receipt(
    b: &mut Bindings,
    parent: &Element,
    state: CheckoutState,
    strings: &'static Strings,
    format: &Format,
) {
    let format = format.clone();
    b.part(parent, move |_| {
        let Some(receipt) = state.receipt.get() else {
            return Vec::new();
        };
        // A marketplace order's receipt lists what each seller sold instead of one payee.
        let grouped = grouped(state);
        let sold = if grouped {
            state.lines.get_untracked()
        } else {
            Vec::new()
        };
        let shown = element(
            "div",
            &[
                ("class", "cc-receipt"),
                ("data-role", "receipt"),
                ("tabindex", "-1"),
            ],
        );
        let title = with_text(
            element("h2", &[("class", "cc-receipt-title")]),
            strings.receipt_title,
        );
        let list = element("dl", &[]);
        let term = |text: &str| with_text(element("dt", &[]), text);
        let detail =
            |role: &str, text: &str| with_text(element("dd", &[("data-role", role)]), text);
        let seller_term = term(strings.receipt_seller);
        let seller = detail("receipt-seller", &receipt.seller);
        if grouped {
            set(&seller_term, "hidden", "");
            set(&seller, "hidden", "");
        }
        let reference = detail("receipt-reference", "");
        let code = with_text(element("code", &[]), &receipt.reference);
        append(&reference, &[&code]);
        append(
            &list,
            &[
                &term(strings.receipt_amount),
                &detail("receipt-amount", &format.money(&receipt.amount)),
                &seller_term,
                &seller,
                &term(strings.receipt_reference),
                &reference,
            ],
        );
        if let Some(email) = &receipt.email {
            append(
                &list,
                &[
                    &term(strings.receipt_email),
                    &detail("receipt-email", email),
                ],
            );
        }
        let lines = element(
            "ul",
            &[("class", "cc-lines"), ("data-role", "receipt-lines")],
        );
        for row in line_rows(state, strings, &format, &sold) {
            append(&lines, &[&row]);
        }
        append(&shown, &[&title, &list, &lines]);
        // Once it is on the page: this drawing is put there right after it returns.
        let focused = shown.clone();
        leptos::task::spawn_local(async move {
            let _ = focused.unchecked_ref::<web_sys::HtmlElement>().focus();
        });
        vec![shown]
    });
}
