//! The checkout's markup: a pure function of [`CheckoutState`]. It does no I/O; the flow (or a
//! browser test) drives it through the signals and hears the shopper through callbacks.
//!
//! The `data-role` attributes are the stable hooks of the end-to-end tests; keep them.

use std::cell::Cell;

use connect_checkout_core::api::{CheckoutLine, Mode};
use connect_checkout_core::{AccountId, Money};
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::html::Div;
use leptos::prelude::*;

use super::state::{CheckoutState, Phase};
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
    let seller_id = format!("{id}-seller");
    let hint_id = format!("{id}-quantity-hint");
    let email_id = format!("{id}-email");
    let email_hint_id = format!("{id}-email-hint");
    let total_id = format!("{id}-total");
    let payment_id = format!("{id}-payment");
    let payment_group_label = payment_id.clone();
    let locale = StoredValue::new(locale);
    let format = move |money: &Money| locale.with_value(|l| format_money(money, l.as_deref()));
    let receipt_ref = NodeRef::<Div>::new();
    let seller_name = move |id: &AccountId| {
        state.cart_sellers.with(|sellers| {
            sellers
                .iter()
                .find(|seller| &seller.id == id)
                .map(|seller| seller.display_name.clone())
        })
    };
    let message_ref = NodeRef::<Div>::new();

    let phase = move || state.phase.get();
    let has_products = move || state.products.with(|p| !p.is_empty());
    let paying = move || phase() == Phase::Paying;

    // The guard against a double click: the phase changes before anything else happens, and a
    // press in any other phase than Ready or Failed is ignored.
    let pay = move |event: SubmitEvent| {
        event.prevent_default();
        if untrack(|| state.can_pay()) {
            state.phase.set(Phase::Paying);
            on_pay.run(());
        }
    };

    let total_text = move || {
        state
            .total
            .get()
            .map_or_else(|| "—".to_owned(), |total| format(&total))
    };
    let pay_label = move || match (phase(), state.total.get()) {
        (Phase::Paying, _) => strings.processing.to_owned(),
        (_, Some(total)) => fill(strings.pay_amount, "{amount}", &format(&total)),
        (_, None) => strings.pay.to_owned(),
    };
    let notice = move || match state.mode.get() {
        Some(Mode::Sandbox) => Some(strings.mode_sandbox),
        Some(Mode::Test) => Some(strings.mode_test),
        Some(Mode::Live) | None => None,
    };
    let message = move || state.problem.with(|p| p.as_ref().map(|p| p.words(strings)));
    let email_invalid = move || {
        state
            .problem
            .with(|p| matches!(p, Some(super::Problem::Email)))
    };

    // The seller picker, when the page did not choose the seller; else the seller's name.
    // The picker re-renders only when the list of sellers changes, so that choosing with the
    // arrow keys keeps the focus on it.
    let seller_field = {
        let seller_id = seller_id.clone();
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
                let several = state.cart_sellers.with(|sellers| !sellers.is_empty());
                // `Either`, not `into_any()`: this was the checkout's only AnyView, and
                // AnyView's machinery was 2.4 KB (brotli) of the embed.
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
                    <label class="cc-label" for=seller_id.clone()>{strings.seller}</label>
                    <select
                        id=seller_id.clone()
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
    };

    // One row per product: name, description, unit price and its quantity.
    let product_rows = {
        let id = id.clone();
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
                            .with(|q| q.get(index).and_then(|t| super::parse_quantity(t)))
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
                                {format(&product.unit_amount)}
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
                                    aria-invalid=move || invalid().to_string()
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

    // The cart's lines, and in a marketplace cart each seller's name and subtotal over the
    // seller's lines (a seller's lines are together: the cart lists them so). Every row is the
    // same view type, its class and role as values: a second type (an `Option` of a heading)
    // cost the embed more than these rows.
    let line_rows = move |lines: Vec<CheckoutLine>| {
        let grouped = state.cart_sellers.with(|sellers| !sellers.is_empty());
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
                    seller_name(&line.seller).unwrap_or_default(),
                    format(&subtotal),
                ));
            }
            let text = fill(
                &fill(strings.line, "{quantity}", &line.quantity.to_string()),
                "{name}",
                &line.name,
            );
            rows.push(("cc-line", "line", text, format(&line.amount)));
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
    };
    // The lines on screen: the listed prices', then, once Pay was pressed, the function's.
    let lines = move || line_rows(state.lines.get());

    let receipt = move || {
        state.receipt.get().map(|receipt| {
            // A marketplace order's receipt lists what each seller sold instead of one payee.
            let grouped = state.cart_sellers.with(|sellers| !sellers.is_empty());
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
                        <dd data-role="receipt-amount">{format(&receipt.amount)}</dd>
                        <dt hidden=grouped>{strings.receipt_seller}</dt>
                        <dd data-role="receipt-seller" hidden=grouped>{receipt.seller}</dd>
                        <dt>{strings.receipt_reference}</dt>
                        <dd data-role="receipt-reference">
                            <code>{receipt.reference}</code>
                        </dd>
                        {email}
                    </dl>
                    <ul class="cc-lines" data-role="receipt-lines">{line_rows(sold)}</ul>
                </div>
            }
        })
    };

    // Move focus to the receipt when it appears, so a screen reader reads it next.
    Effect::new(move |_| {
        if let Some(receipt) = receipt_ref.get() {
            let _ = receipt.focus();
        }
    });
    // A new problem is scrolled into sight (the live region announces it to screen readers).
    Effect::new(move |_| {
        let shown = state.problem.with(Option::is_some);
        if let Some(region) = message_ref.get().filter(|_| shown) {
            // After this change is rendered: the region has its full size only then.
            request_animation_frame(move || {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                region.scroll_into_view_with_scroll_into_view_options(&options);
            });
        }
    });

    view! {
        <section
            class="cc-checkout"
            data-role="checkout"
            data-state=move || phase().as_str()
            data-theme=theme
            aria-label=strings.checkout_label
            aria-busy=move || (phase() == Phase::Loading).to_string()
            lang=strings.lang
        >
            {move || notice().map(|text| view! { <p class="cc-notice">{text}</p> })}
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
                <fieldset class="cc-fieldset" disabled=paying>
                    {seller_field}
                    <ul class="cc-products" aria-label=strings.items data-role="products">
                        {product_rows}
                    </ul>
                    <p id=hint_id class="cc-hint">{strings.quantity_hint}</p>
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
                            aria-describedby=email_hint_id.clone()
                            aria-invalid=move || email_invalid().to_string()
                            prop:value=move || state.email.get()
                            on:change=move |event| {
                                state.email.set(event_target_value(&event));
                                on_edit.run(Edit::Email);
                            }
                        />
                        <p id=email_hint_id class="cc-hint">{strings.email_hint}</p>
                    </div>
                </fieldset>
                <div class="cc-summary">
                    <h2 class="cc-summary-title">{strings.summary}</h2>
                    <ul class="cc-lines" data-role="lines">{lines}</ul>
                    <p class="cc-total">
                        <span id=total_id.clone()>{strings.total}</span>
                        <output
                            data-role="total"
                            data-priced=move || state.total.with(Option::is_some).to_string()
                            aria-labelledby=total_id
                        >
                            {total_text}
                        </output>
                    </p>
                </div>
                <div class="cc-field" role="group" aria-labelledby=payment_group_label>
                    <span class="cc-label" id=payment_id>
                        {strings.payment_details}
                    </span>
                    <div class="cc-payment-element" data-role="payment-element" node_ref=element_ref></div>
                </div>
                <button
                    type="submit"
                    class="cc-pay"
                    data-role="pay"
                    disabled=move || !state.can_pay()
                    aria-busy=move || paying().to_string()
                >
                    {pay_label}
                </button>
                {on_cancel
                    .map(|on_cancel| {
                        view! {
                            <button
                                type="button"
                                class="cc-cancel"
                                data-role="cancel"
                                disabled=paying
                                on:click=move |_| on_cancel.run(())
                            >
                                {strings.cancel}
                            </button>
                        }
                    })}
            </form>
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
                node_ref=message_ref
                role="alert"
                aria-live="polite"
                aria-atomic="true"
            >
                {message}
            </div>
            {move || {
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
            }}
            {receipt}
        </section>
    }
}
