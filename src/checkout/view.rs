//! The checkout's markup: a pure function of [`CheckoutState`]. It does no I/O; the flow (or a
//! browser test) drives it through the signals and hears the shopper through callbacks.
//!
//! [`CheckoutView`] lays out its parts, each a plain function of the state returning a view:
//! the mode's notice, the seller ([`seller_field`]), the products with their quantities
//! ([`product_rows`]), the email ([`email_field`]), the cart's lines grouped by seller and the
//! total ([`summary`]), the Payment Element's place ([`payment_field`]), Pay and Cancel
//! ([`pay_button`], [`cancel_button`]), the problem and "Try again" ([`problem_message`],
//! [`retry_button`]) and the receipt ([`receipt`]). Plain functions rather than
//! `#[component]`s: the view types are the same either way, without a props builder each.
//!
//! The `data-role` attributes are the stable hooks of the end-to-end tests; keep them.

use std::cell::Cell;

use connect_checkout_core::api::{CheckoutLine, Mode};
use connect_checkout_core::{AccountId, Money};
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::html::Div;
use leptos::prelude::*;

use super::problem::Problem;
use super::state::{CheckoutState, Phase, parse_quantity};
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

/// Formats money for the checkout's locale. `Copy`, so each closure that shows an amount
/// takes this one handle.
#[derive(Clone, Copy)]
struct Format(StoredValue<Option<String>>);

impl Format {
    fn money(self, money: &Money) -> String {
        self.0
            .with_value(|locale| format_money(money, locale.as_deref()))
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

/// The checkout as the shopper sees it: the seller, their products with a quantity each, the
/// email for the receipt, the priced lines and total, the Payment Element's container, Pay,
/// the message region and, once paid, the receipt.
#[component]
pub fn CheckoutView(
    /// The values to show; whoever owns the signals drives the checkout.
    state: CheckoutState,
    /// The words, in the shopper's language.
    strings: &'static Strings,
    /// The locale money is formatted for, such as `en-US`; `None` follows the browser.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// `light` or `dark`, as the root's `data-theme`; `None` follows the shopper's
    /// `prefers-color-scheme`.
    #[prop(optional_no_strip)]
    theme: Option<String>,
    /// Where the Payment Element is mounted.
    #[prop(optional)]
    element_ref: NodeRef<Div>,
    /// Pay was pressed while payable. Called once per press: the phase is already `Paying`,
    /// so a second press (a double click) does nothing.
    #[prop(into)]
    on_pay: UnsyncCallback<()>,
    /// "Try again" was pressed after a problem that may go away.
    #[prop(into)]
    on_retry: UnsyncCallback<()>,
    /// The shopper changed the seller, a quantity or the email.
    #[prop(into)]
    on_edit: UnsyncCallback<Edit>,
    /// Cancel was pressed; without it there is no Cancel button.
    #[prop(optional_no_strip)]
    on_cancel: Option<UnsyncCallback<()>>,
) -> impl IntoView {
    let id = next_id();
    let format = Format(StoredValue::new(locale));
    let has_products = move || state.products.with(|p| !p.is_empty());
    let phase = move || state.phase.get();

    // The guard against a double click: the phase changes before anything else happens, and a
    // press in any other phase than Ready or Failed is ignored.
    let pay = move |event: SubmitEvent| {
        event.prevent_default();
        if untrack(|| state.can_pay()) {
            state.phase.set(Phase::Paying);
            on_pay.run(());
        }
    };

    view! {
        <section
            class="cc-checkout"
            data-role="checkout"
            data-state=move || phase().as_str()
            data-theme=theme
            aria-label=strings.checkout_label
            aria-busy=move || flag(phase() == Phase::Loading)
            lang=strings.lang
        >
            {notice(state, strings)}
            <p class="cc-loading" hidden=move || has_products() || phase() != Phase::Loading>
                {strings.loading}
            </p>
            <form
                class="cc-form"
                novalidate
                hidden=move || !has_products() || phase() == Phase::Succeeded
                on:submit=pay
            >
                // Disabled as a whole while paying: the cart cannot change under a payment.
                <fieldset class="cc-fieldset" disabled=move || phase() == Phase::Paying>
                    {seller_field(state, strings, &id, on_edit)}
                    {product_rows(state, strings, format, &id, on_edit)}
                    {email_field(state, strings, &id, on_edit)}
                </fieldset>
                {summary(state, strings, format, &id)}
                {payment_field(strings, &id, element_ref)}
                {pay_button(state, strings, format)}
                {on_cancel.map(|on_cancel| cancel_button(state, strings, on_cancel))}
            </form>
            {problem_message(state, strings)}
            {retry_button(state, strings, on_retry)}
            {receipt(state, strings, format)}
        </section>
    }
}

/// Sandbox or test mode, said over the checkout; nothing in live mode.
fn notice(state: CheckoutState, strings: &'static Strings) -> impl IntoView {
    move || {
        let text = match state.mode.get() {
            Some(Mode::Sandbox) => Some(strings.mode_sandbox),
            Some(Mode::Test) => Some(strings.mode_test),
            Some(Mode::Live) | None => None,
        };
        text.map(|text| view! { <p class="cc-notice">{text}</p> })
    }
}

/// The seller picker, when the page did not choose the seller; else the seller's name. The
/// picker re-renders only when the list of sellers changes, so that choosing with the arrow
/// keys keeps the focus on it.
fn seller_field(
    state: CheckoutState,
    strings: &'static Strings,
    id: &str,
    on_edit: UnsyncCallback<Edit>,
) -> impl IntoView + use<> {
    let field_id = format!("{id}-seller");
    move || {
        let sellers = state.sellers.get();
        if sellers.is_empty() {
            let name = move || {
                state
                    .seller
                    .with(|s| s.as_ref().map(|s| s.display_name.clone()))
            };
            // A marketplace cart names its sellers over their products instead. `hidden`
            // rather than an `Option` of the heading: each new view type costs the embed.
            let several = grouped(state);
            // `Either`, not `into_any()`: this was the checkout's only AnyView, and AnyView's
            // machinery was 2.4 KB (brotli) of the embed.
            return Either::Left(
                view! { <h2 class="cc-seller-name" data-role="seller-name" hidden=several>{name}</h2> },
            );
        }
        let current = move || {
            state
                .seller
                .with(|s| s.as_ref().map(|s| s.id.as_str().to_owned()))
                .unwrap_or_default()
        };
        // `selected` too: the select's value is set before its options exist.
        let chosen = untrack(current);
        let options = sellers
            .into_iter()
            .map(|seller| {
                let selected = seller.id.as_str() == chosen;
                view! {
                    <option value=seller.id.as_str().to_owned() selected=selected>
                        {seller.display_name}
                    </option>
                }
            })
            .collect_view();
        Either::Right(view! {
            <div class="cc-field">
                <label class="cc-label" for=field_id.clone()>{strings.seller}</label>
                <select
                    id=field_id.clone()
                    class="cc-input"
                    data-role="seller"
                    prop:value=current
                    on:change=move |event| {
                        if let Ok(id) = AccountId::new(event_target_value(&event)) {
                            on_edit.run(Edit::Seller(id));
                        }
                    }
                >
                    {options}
                </select>
            </div>
        })
    }
}

/// One row per product: name, description, unit price and its quantity; then the hint that
/// describes every quantity field.
fn product_rows(
    state: CheckoutState,
    strings: &'static Strings,
    format: Format,
    id: &str,
    on_edit: UnsyncCallback<Edit>,
) -> impl IntoView + use<> {
    let hint_id = format!("{id}-quantity-hint");
    let rows = {
        let id = id.to_owned();
        let hint_id = hint_id.clone();
        move || {
            let owners = state.product_sellers.get();
            state
                .products
                .get()
                .into_iter()
                .enumerate()
                .map(|(index, product)| {
                    // In a marketplace cart, the seller's name over their first product (an
                    // empty span elsewhere, hidden by the stylesheet: one view type for all).
                    let group = owners
                        .get(index)
                        .filter(|owner| index == 0 || owners[index - 1].id != owner.id)
                        .map(|owner| owner.display_name.clone());
                    let name_id = format!("{id}-name-{index}");
                    let label_id = format!("{id}-quantity-label-{index}");
                    let input_id = format!("{id}-quantity-{index}");
                    let typed = move || {
                        state
                            .quantities
                            .with(|q| q.get(index).cloned().unwrap_or_default())
                    };
                    let invalid = move || {
                        state
                            .quantities
                            .with(|q| q.get(index).and_then(|t| parse_quantity(t)))
                            .is_none()
                    };
                    view! {
                        <li class="cc-product" data-role="product">
                            <div class="cc-product-text">
                                <span class="cc-product-seller" data-role="product-seller">
                                    {group}
                                </span>
                                <span class="cc-product-name" id=name_id.clone() data-role="product-name">
                                    {product.name}
                                </span>
                                {product
                                    .description
                                    .map(|text| view! { <span class="cc-product-description">{text}</span> })}
                            </div>
                            <span class="cc-unit-price" data-role="unit-price">
                                {format.money(&product.unit_amount)}
                            </span>
                            <span class="cc-quantity-field">
                                <label class="cc-label" id=label_id.clone() for=input_id.clone()>
                                    {strings.quantity}
                                </label>
                                <input
                                    id=input_id
                                    class="cc-input cc-quantity"
                                    data-role="quantity"
                                    type="number"
                                    inputmode="numeric"
                                    min="0"
                                    max="999"
                                    step="1"
                                    aria-labelledby=format!("{label_id} {name_id}")
                                    aria-describedby=hint_id.clone()
                                    aria-invalid=move || flag(invalid())
                                    prop:value=typed
                                    on:input=move |event| {
                                        let value = event_target_value(&event);
                                        state
                                            .quantities
                                            .update(|q| {
                                                if let Some(slot) = q.get_mut(index) {
                                                    *slot = value;
                                                }
                                            });
                                        on_edit.run(Edit::Cart);
                                    }
                                />
                            </span>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <ul class="cc-products" aria-label=strings.items data-role="products">
            {rows}
        </ul>
        <p id=hint_id class="cc-hint">{strings.quantity_hint}</p>
    }
}

/// The email for the receipt, committed on `change`; marked invalid while the problem shown
/// is that it cannot be an address.
fn email_field(
    state: CheckoutState,
    strings: &'static Strings,
    id: &str,
    on_edit: UnsyncCallback<Edit>,
) -> impl IntoView + use<> {
    let email_id = format!("{id}-email");
    let hint_id = format!("{id}-email-hint");
    let invalid = move || state.problem.with(|p| matches!(p, Some(Problem::Email)));
    view! {
        <div class="cc-field">
            <label class="cc-label" for=email_id.clone()>{strings.email}</label>
            <input
                id=email_id
                class="cc-input"
                data-role="email"
                type="email"
                autocomplete="email"
                inputmode="email"
                maxlength="254"
                aria-describedby=hint_id.clone()
                aria-invalid=move || flag(invalid())
                prop:value=move || state.email.get()
                on:change=move |event| {
                    state.email.set(event_target_value(&event));
                    on_edit.run(Edit::Email);
                }
            />
            <p id=hint_id class="cc-hint">{strings.email_hint}</p>
        </div>
    }
}

/// The cart's lines (the listed prices', then, once Pay was pressed, the function's) and its
/// total.
fn summary(
    state: CheckoutState,
    strings: &'static Strings,
    format: Format,
    id: &str,
) -> impl IntoView + use<> {
    let total_id = format!("{id}-total");
    let total = move || {
        state
            .total
            .get()
            .map_or_else(|| "—".to_owned(), |total| format.money(&total))
    };
    view! {
        <div class="cc-summary">
            <h2 class="cc-summary-title">{strings.summary}</h2>
            <ul class="cc-lines" data-role="lines">{move || line_rows(state, strings, format, state.lines.get())}</ul>
            <p class="cc-total">
                <span id=total_id.clone()>{strings.total}</span>
                <output
                    data-role="total"
                    data-priced=move || flag(state.total.with(Option::is_some))
                    aria-labelledby=total_id
                >
                    {total}
                </output>
            </p>
        </div>
    }
}

/// The cart's lines, and in a marketplace cart each seller's name and subtotal over the
/// seller's lines (a seller's lines are together: the cart lists them so). Every row is the
/// same view type, its class and role as values: a second type (an `Option` of a heading)
/// cost the embed more than these rows. The summary and the receipt both list them.
fn line_rows(
    state: CheckoutState,
    strings: &'static Strings,
    format: Format,
    lines: Vec<CheckoutLine>,
) -> impl IntoView {
    let grouped = grouped(state);
    let mut rows = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if grouped && (index == 0 || lines[index - 1].seller != line.seller) {
            let subtotal = lines[index..]
                .iter()
                .take_while(|other| other.seller == line.seller)
                .fold(0i64, |sum, other| sum.saturating_add(other.amount.amount));
            let subtotal = Money::new(subtotal, line.amount.currency.clone());
            rows.push((
                "cc-line cc-line-seller",
                "seller-group",
                seller_name(state, &line.seller),
                format.money(&subtotal),
            ));
        }
        let text = fill(
            &fill(strings.line, "{quantity}", &line.quantity.to_string()),
            "{name}",
            &line.name,
        );
        rows.push(("cc-line", "line", text, format.money(&line.amount)));
    }
    rows.into_iter()
        .map(|(class, role, text, amount)| {
            view! {
                <li class=class data-role=role>
                    <span>{text}</span>
                    <span>{amount}</span>
                </li>
            }
        })
        .collect_view()
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

/// The labelled place the flow mounts Stripe's Payment Element into.
fn payment_field(
    strings: &'static Strings,
    id: &str,
    element_ref: NodeRef<Div>,
) -> impl IntoView + use<> {
    let label_id = format!("{id}-payment");
    let group_label = label_id.clone();
    view! {
        <div class="cc-field" role="group" aria-labelledby=group_label>
            <span class="cc-label" id=label_id>
                {strings.payment_details}
            </span>
            <div class="cc-payment-element" data-role="payment-element" node_ref=element_ref></div>
        </div>
    }
}

/// Pay, with the total on it; the form's submit.
fn pay_button(state: CheckoutState, strings: &'static Strings, format: Format) -> impl IntoView {
    let label = move || match (state.phase.get(), state.total.get()) {
        (Phase::Paying, _) => strings.processing.to_owned(),
        (_, Some(total)) => fill(strings.pay_amount, "{amount}", &format.money(&total)),
        (_, None) => strings.pay.to_owned(),
    };
    view! {
        <button
            type="submit"
            class="cc-pay"
            data-role="pay"
            disabled=move || !state.can_pay()
            aria-busy=move || flag(state.phase.get() == Phase::Paying)
        >
            {label}
        </button>
    }
}

/// Cancel, when the page offers it.
fn cancel_button(
    state: CheckoutState,
    strings: &'static Strings,
    on_cancel: UnsyncCallback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="cc-cancel"
            data-role="cancel"
            disabled=move || state.phase.get() == Phase::Paying
            on:click=move |_| on_cancel.run(())
        >
            {strings.cancel}
        </button>
    }
}

/// The message region: what went wrong last, in words, announced to screen readers and
/// scrolled into sight when it appears.
fn problem_message(state: CheckoutState, strings: &'static Strings) -> impl IntoView {
    let region = NodeRef::<Div>::new();
    Effect::new(move |_| {
        let shown = state.problem.with(Option::is_some);
        if let Some(region) = region.get().filter(|_| shown) {
            // After this change is rendered: the region has its full size only then.
            request_animation_frame(move || {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                region.scroll_into_view_with_scroll_into_view_options(&options);
            });
        }
    });
    view! {
        <div
            // The whole class, not a `class:` toggle, whose class-list code was 0.8 KB
            // (brotli) of the embed.
            class=move || {
                if state.problem.with(Option::is_some) {
                    "cc-message cc-message-shown"
                } else {
                    "cc-message"
                }
            }
            data-role="message"
            node_ref=region
            role="alert"
            aria-live="polite"
            aria-atomic="true"
        >
            {move || state.problem.with(|p| p.as_ref().map(|p| p.words(strings)))}
        </div>
    }
}

/// "Try again", after a problem that may go away.
fn retry_button(
    state: CheckoutState,
    strings: &'static Strings,
    on_retry: UnsyncCallback<()>,
) -> impl IntoView {
    move || {
        state
            .problem
            .with(|p| p.as_ref().is_some_and(|p| p.can_retry()))
            .then(|| {
                view! {
                    <button
                        type="button"
                        class="cc-retry"
                        data-role="retry"
                        on:click=move |_| on_retry.run(())
                    >
                        {strings.retry}
                    </button>
                }
            })
    }
}

/// Once paid: what was charged, to whom (or, for a marketplace order, each seller's lines),
/// the reference and where the receipt went. It takes the focus when it appears, so a
/// screen reader reads it next.
fn receipt(state: CheckoutState, strings: &'static Strings, format: Format) -> impl IntoView {
    let receipt_ref = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let Some(receipt) = receipt_ref.get() {
            let _ = receipt.focus();
        }
    });
    move || {
        state.receipt.get().map(|receipt| {
            // A marketplace order's receipt lists what each seller sold instead of one payee.
            let grouped = grouped(state);
            let sold = if grouped {
                state.lines.get_untracked()
            } else {
                Vec::new()
            };
            let email = receipt.email.map(|email| {
                view! {
                    <dt>{strings.receipt_email}</dt>
                    <dd data-role="receipt-email">{email}</dd>
                }
            });
            view! {
                <div class="cc-receipt" data-role="receipt" tabindex="-1" node_ref=receipt_ref>
                    <h2 class="cc-receipt-title">{strings.receipt_title}</h2>
                    <dl>
                        <dt>{strings.receipt_amount}</dt>
                        <dd data-role="receipt-amount">{format.money(&receipt.amount)}</dd>
                        <dt hidden=grouped>{strings.receipt_seller}</dt>
                        <dd data-role="receipt-seller" hidden=grouped>{receipt.seller}</dd>
                        <dt>{strings.receipt_reference}</dt>
                        <dd data-role="receipt-reference">
                            <code>{receipt.reference}</code>
                        </dd>
                        {email}
                    </dl>
                    <ul class="cc-lines" data-role="receipt-lines">{line_rows(state, strings, format, sold)}</ul>
                </div>
            }
        })
    }
}
