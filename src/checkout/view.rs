//! The checkout's markup: a pure function of [`CheckoutState`]. It does no I/O; the flow (or a
//! browser test) drives it through the signals and hears the shopper through two callbacks.
//!
//! The `data-role` attributes are the stable hooks of the end-to-end tests; keep them.

use std::cell::Cell;

use connect_checkout_core::Money;
use connect_checkout_core::api::Mode;
use leptos::ev::SubmitEvent;
use leptos::html::Div;
use leptos::prelude::*;

use super::state::{CheckoutState, Phase};
use crate::i18n::Strings;
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

/// The checkout as the shopper sees it: product, quantity, total, the Payment Element's
/// container, Pay, the message region and, once paid, the receipt.
#[component]
pub fn CheckoutView(
    /// The values to show; whoever owns the signals drives the checkout.
    state: CheckoutState,
    /// The words, in the shopper's language.
    strings: &'static Strings,
    /// The locale money is formatted for, such as `en-US`; `None` follows the browser.
    #[prop(optional_no_strip)]
    locale: Option<String>,
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
) -> impl IntoView {
    let id = next_id();
    let quantity_id = format!("{id}-quantity");
    let hint_id = format!("{id}-quantity-hint");
    let total_id = format!("{id}-total");
    let payment_id = format!("{id}-payment");
    let payment_group_label = payment_id.clone();
    let locale = StoredValue::new(locale);
    let format = move |money: &Money| locale.with_value(|l| format_money(money, l.as_deref()));
    let receipt_ref = NodeRef::<Div>::new();
    let message_ref = NodeRef::<Div>::new();

    let phase = move || state.phase.get();
    let has_product = move || state.product.with(Option::is_some);
    let product_text = move |field: fn(&connect_checkout_core::api::Product) -> Option<String>| {
        state
            .product
            .with(|product| product.as_ref().and_then(field))
    };

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
        if let Some(total) = state.total.get() {
            format(&total)
        } else if let Some(estimate) = state.estimate() {
            format!("{} {}", format(&estimate), strings.total_estimate)
        } else {
            "—".to_owned()
        }
    };
    let pay_label = move || match (phase(), state.total.get()) {
        (Phase::Paying, _) => strings.processing.to_owned(),
        (_, Some(total)) => strings.pay_amount.replace("{amount}", &format(&total)),
        (_, None) => strings.pay.to_owned(),
    };
    let notice = move || match state.mode.get() {
        Some(Mode::Sandbox) => Some(strings.mode_sandbox),
        Some(Mode::Test) => Some(strings.mode_test),
        Some(Mode::Live) | None => None,
    };
    let message = move || state.problem.with(|p| p.as_ref().map(|p| p.words(strings)));

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
            aria-label=strings.checkout_label
            aria-busy=move || (phase() == Phase::Loading).to_string()
            lang=strings.lang
        >
            {move || notice().map(|text| view! { <p class="cc-notice">{text}</p> })}
            <p class="cc-loading" hidden=move || has_product() || phase() != Phase::Loading>
                {strings.loading}
            </p>
            <form
                class="cc-form"
                novalidate
                hidden=move || !has_product() || phase() == Phase::Succeeded
                on:submit=pay
            >
                <div class="cc-product">
                    <h2 class="cc-product-name" data-role="product-name">
                        {move || product_text(|p| Some(p.name.clone()))}
                    </h2>
                    {move || {
                        product_text(|p| p.description.clone())
                            .map(|text| view! { <p class="cc-product-description">{text}</p> })
                    }}
                    <p class="cc-unit-price">
                        <span class="cc-label">{strings.unit_price}</span>
                        " "
                        <span data-role="unit-price">
                            {move || {
                                state
                                    .product
                                    .with(|p| p.as_ref().map(|p| format(&p.unit_amount)))
                            }}
                        </span>
                    </p>
                </div>
                <div class="cc-field">
                    <label class="cc-label" for=quantity_id.clone()>{strings.quantity}</label>
                    <input
                        id=quantity_id.clone()
                        class="cc-quantity"
                        data-role="quantity"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max="999"
                        step="1"
                        required
                        aria-describedby=hint_id.clone()
                        aria-invalid=move || state.quantity_value().is_none().to_string()
                        disabled=move || phase() == Phase::Paying
                        prop:value=move || state.quantity.get()
                        on:input=move |event| state.quantity.set(event_target_value(&event))
                    />
                    <p id=hint_id class="cc-hint">{strings.quantity_hint}</p>
                </div>
                <p class="cc-total">
                    <span class="cc-label" id=total_id.clone()>{strings.total}</span>
                    " "
                    <output
                        data-role="total"
                        data-priced=move || state.total.with(Option::is_some).to_string()
                        for=quantity_id
                        aria-labelledby=total_id
                    >
                        {total_text}
                    </output>
                </p>
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
                    aria-busy=move || (phase() == Phase::Paying).to_string()
                >
                    {pay_label}
                </button>
            </form>
            <div
                class="cc-message"
                class:cc-message-shown=move || state.problem.with(Option::is_some)
                data-role="message"
                node_ref=message_ref
                role="alert"
                aria-live="polite"
                aria-atomic="true"
            >
                {message}
            </div>
            <Show when=move || state.problem.with(|p| p.as_ref().is_some_and(|p| p.can_retry()))>
                <button
                    type="button"
                    class="cc-retry"
                    data-role="retry"
                    on:click=move |_| on_retry.run(())
                >
                    {strings.retry}
                </button>
            </Show>
            <Show when=move || state.receipt.with(Option::is_some)>
                <div class="cc-receipt" data-role="receipt" tabindex="-1" node_ref=receipt_ref>
                    <h2 class="cc-receipt-title">{strings.receipt_title}</h2>
                    <dl>
                        <dt>{strings.receipt_amount}</dt>
                        <dd data-role="receipt-amount">
                            {move || state.receipt.with(|r| r.as_ref().map(|r| format(&r.amount)))}
                        </dd>
                        <dt>{strings.receipt_seller}</dt>
                        <dd data-role="receipt-seller">
                            {move || state.receipt.with(|r| r.as_ref().map(|r| r.seller.clone()))}
                        </dd>
                        <dt>{strings.receipt_reference}</dt>
                        <dd data-role="receipt-reference">
                            <code>
                                {move || {
                                    state.receipt.with(|r| r.as_ref().map(|r| r.reference.clone()))
                                }}
                            </code>
                        </dd>
                    </dl>
                </div>
            </Show>
        </section>
    }
}
