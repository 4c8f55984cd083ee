//! The seller's recent payments and their refunds: whole payments, and their parts of
//! marketplace orders (`SellerPayment::transfer`), whose amount is the seller's subtotal, so a
//! refund stays within it. [`PaymentsView`] is a pure function of [`PaymentsState`]; a refund
//! needs a confirmation step, and pressing Confirm twice (a double click) asks for one refund:
//! the draft is `Refunding` before the callback runs, and the attempt id, made when the
//! confirmation opened, is the refund's Idempotency-Key.

use connect_checkout_core::api::SellerPayment;
use connect_checkout_core::{AttemptId, Money};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::format::{format_date, parse_amount, plain_amount};
use crate::i18n::seller::SellerStrings;
use crate::money::format_money;

/// Where a refund is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundPhase {
    /// The confirmation is open: the seller may change the amount, confirm or cancel.
    Confirming,
    /// Confirmed; the function is asked. Nothing can be pressed.
    Refunding,
    /// The function refused or could not be reached: the words, and Confirm works again (the
    /// same attempt, so a refund made before an answer was lost is not made twice).
    Failed(String),
}

/// A refund being confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundDraft {
    pub payment: SellerPayment,
    /// The amount as typed.
    pub amount_text: String,
    pub attempt: AttemptId,
    pub phase: RefundPhase,
}

/// A confirmed refund, for the page to ask the function for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundOrder {
    pub payment_intent: String,
    /// `None`: everything that is left.
    pub amount: Option<i64>,
    pub attempt: AttemptId,
}

/// What the payments part of the seller's page shows, as signals.
#[derive(Clone, Copy, Debug)]
pub struct PaymentsState {
    /// `None` until the first answer.
    pub payments: RwSignal<Option<Vec<SellerPayment>>>,
    pub draft: RwSignal<Option<RefundDraft>>,
    /// The last refund made, in words (a live region says it).
    pub notice: RwSignal<Option<String>>,
    /// A failure to load the payments, in words.
    pub problem: RwSignal<Option<String>>,
}

impl PaymentsState {
    pub fn new() -> Self {
        Self {
            payments: RwSignal::new(None),
            draft: RwSignal::new(None),
            notice: RwSignal::new(None),
            problem: RwSignal::new(None),
        }
    }
}

impl Default for PaymentsState {
    fn default() -> Self {
        Self::new()
    }
}

/// What is left to refund of `payment`.
pub fn refundable(payment: &SellerPayment) -> Option<Money> {
    let left = payment.amount.amount - payment.refunded.amount;
    (payment.status == "succeeded" && left > 0)
        .then(|| Money::new(left, payment.amount.currency.clone()))
}

/// The payment's status in words: Stripe's PaymentIntent status, and what was refunded.
pub fn status_words(payment: &SellerPayment, strings: &SellerStrings) -> &'static str {
    match payment.status.as_str() {
        "succeeded" if payment.refunded.amount >= payment.amount.amount => strings.status_refunded,
        "succeeded" if payment.refunded.amount > 0 => strings.status_partly_refunded,
        "succeeded" => strings.status_succeeded,
        "processing" => strings.status_processing,
        "requires_capture" => strings.status_requires_capture,
        "canceled" => strings.status_canceled,
        _ => strings.status_failed,
    }
}

/// The order a confirmation asks for, or why the amount cannot be refunded.
pub fn order_of(
    draft: &RefundDraft,
    strings: &SellerStrings,
    locale: Option<&str>,
) -> Result<RefundOrder, String> {
    let left = refundable(&draft.payment);
    let invalid = || {
        let max = left
            .as_ref()
            .map(|left| format_money(left, locale))
            .unwrap_or_default();
        strings.refund_amount_invalid.replace("{max}", &max)
    };
    let left = left.as_ref().ok_or_else(invalid)?;
    let amount = parse_amount(&draft.amount_text, &left.currency).ok_or_else(invalid)?;
    if amount <= 0 || amount > left.amount {
        return Err(invalid());
    }
    Ok(RefundOrder {
        payment_intent: draft.payment.id.clone(),
        amount: (amount < left.amount).then_some(amount),
        attempt: draft.attempt.clone(),
    })
}

/// The payments table, each with a Refund button while something is left to refund, and the
/// confirmation of the refund being made.
#[component]
pub fn PaymentsView(
    /// The values to show; the page (or a browser test) drives them.
    state: PaymentsState,
    /// The words, in the seller's language.
    strings: &'static SellerStrings,
    /// The locale amounts and dates are written for; `None` follows the browser.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Makes the attempt id of a new confirmation.
    #[prop(into)]
    new_attempt: UnsyncCallback<(), Option<AttemptId>>,
    /// Confirm was pressed with a valid amount. Called once per confirmation: the draft is
    /// already `Refunding`.
    #[prop(into)]
    on_refund: UnsyncCallback<RefundOrder>,
) -> impl IntoView {
    let locale = StoredValue::new(locale);
    let money = move |m: &Money| locale.with_value(|l| format_money(m, l.as_deref()));
    let date = move |t: i64| locale.with_value(|l| format_date(t, l.as_deref()));
    let amount_ref = NodeRef::<html::Input>::new();
    let amount_error = RwSignal::new(None::<String>);
    let opened_from = StoredValue::new(None::<String>);

    let open = move |payment: SellerPayment| {
        let Some(left) = refundable(&payment) else {
            return;
        };
        let Some(attempt) = new_attempt.run(()) else {
            return;
        };
        opened_from.set_value(Some(payment.id.clone()));
        amount_error.set(None);
        state.notice.set(None);
        state.draft.set(Some(RefundDraft {
            amount_text: plain_amount(&left),
            payment,
            attempt,
            phase: RefundPhase::Confirming,
        }));
    };
    let close = move || {
        state.draft.set(None);
        amount_error.set(None);
        // Back to the button that opened it, once it is enabled again.
        let Some(id) = opened_from.get_value() else {
            return;
        };
        request_animation_frame(move || {
            if let Some(button) = document()
                .query_selector(&format!("button[data-payment=\"{id}\"]"))
                .ok()
                .flatten()
                && let Ok(button) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(button)
            {
                let _ = button.focus();
            }
        });
    };

    // The confirmation takes the focus when it opens, on its amount. The input is made once
    // per confirmation (typing does not re-render it), so this runs once per opening.
    Effect::new(move |_| {
        if let Some(input) = amount_ref.get() {
            let _ = input.focus();
            input.select();
        }
    });

    let confirm = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(draft) = state.draft.get_untracked() else {
            return;
        };
        if draft.phase == RefundPhase::Refunding {
            return;
        }
        match locale.with_value(|l| order_of(&draft, strings, l.as_deref())) {
            Ok(order) => {
                amount_error.set(None);
                state.draft.update(|d| {
                    if let Some(d) = d {
                        d.phase = RefundPhase::Refunding;
                    }
                });
                on_refund.run(order);
            }
            Err(words) => {
                amount_error.set(Some(words));
                if let Some(input) = amount_ref.get_untracked() {
                    let _ = input.focus();
                }
            }
        }
    };

    let rows =
        move || {
            let payments = state.payments.get().unwrap_or_default();
            payments
            .into_iter()
            .map(|payment| {
                let left = refundable(&payment);
                let id = payment.id.clone();
                let status = status_words(&payment, strings);
                let fee = payment
                    .fee
                    .as_ref()
                    .map(money)
                    .unwrap_or_else(|| "—".into());
                let refunded = if payment.refunded.amount > 0 {
                    money(&payment.refunded)
                } else {
                    "—".into()
                };
                let button = left.map(|_| {
                    let payment = payment.clone();
                    let busy = move || state.draft.with(|d| d.is_some());
                    view! {
                        <button
                            type="button"
                            class="cs-button"
                            data-role="refund"
                            data-payment=payment.id.clone()
                            aria-label=format!("{} {}", strings.refund, money(&payment.amount))
                            disabled=busy
                            on:click=move |_| open(payment.clone())
                        >
                            {strings.refund}
                        </button>
                    }
                });
                // A part of a marketplace order says so, with the Transfer that paid it: the
                // seller's own lines and amounts are all the function sends of it.
                let part = payment.transfer.clone().map(|transfer| {
                    view! {
                        <span class="cs-hint cs-block" data-role="market-part">
                            {strings.market_part}
                        </span>
                        <span class="cs-hint cs-block" data-role="payment-transfer">
                            {strings.market_transfer.replace("{id}", &transfer)}
                        </span>
                    }
                });
                let kind = if payment.transfer.is_some() { "marketplace-part" } else { "whole" };
                view! {
                    <tr
                        data-role="payment"
                        data-payment=id
                        data-status=payment.status.clone()
                        data-kind=kind
                    >
                        <td data-label=strings.col_date>{date(payment.created)}</td>
                        <td data-label=strings.col_description>
                            {payment.description.clone().unwrap_or_default()}
                            {part}
                        </td>
                        <td data-label=strings.col_amount data-role="payment-amount">
                            {money(&payment.amount)}
                        </td>
                        <td data-label=strings.col_fee data-role="payment-fee">{fee}</td>
                        <td data-label=strings.col_refunded data-role="payment-refunded">
                            {refunded}
                        </td>
                        <td data-label=strings.col_status data-role="payment-status">{status}</td>
                        <td data-label=strings.col_actions>{button}</td>
                    </tr>
                }
            })
            .collect_view()
        };

    // The confirmation is rendered once per payment opened; its phase and amount update in
    // place, so typing keeps the focus.
    let opened = Memo::new(move |_| state.draft.with(|d| d.as_ref().map(|d| d.payment.clone())));
    let phase = move || state.draft.with(|d| d.as_ref().map(|d| d.phase.clone()));
    let refunding = move || phase() == Some(RefundPhase::Refunding);
    let dialog = move || {
        let payment = opened.get()?;
        let is_part = payment.transfer.is_some();
        let title = if is_part {
            strings.refund_part_title
        } else {
            strings.refund_title
        }
        .replace("{amount}", &money(&payment.amount))
        .replace("{date}", &date(payment.created));
        let left = refundable(&payment)?;
        let hint = if is_part {
            strings.refund_part_hint
        } else {
            strings.refund_amount_hint
        }
        .replace("{max}", &money(&left));
        let initial = untrack(|| {
            state
                .draft
                .with(|d| d.as_ref().map(|d| d.amount_text.clone()))
        })
        .unwrap_or_default();
        let failed = move || match phase() {
            Some(RefundPhase::Failed(words)) => Some(words),
            _ => None,
        };
        let currency = left.currency.clone();
        let confirm_label = move || {
            if refunding() {
                return strings.refunding.to_owned();
            }
            let typed = state
                .draft
                .with(|d| {
                    d.as_ref()
                        .and_then(|d| parse_amount(&d.amount_text, &currency))
                })
                .filter(|amount| *amount > 0 && *amount <= left.amount)
                .map(|amount| money(&Money::new(amount, currency.clone())));
            match typed {
                Some(amount) => strings.refund_confirm.replace("{amount}", &amount),
                None => strings.refund.to_owned(),
            }
        };
        let invalid = move || amount_error.with(Option::is_some);
        Some(view! {
            <div
                class="cs-card cs-refund"
                role="group"
                aria-labelledby="cs-refund-title"
                data-role="refund-confirmation"
                data-phase=move || match phase() {
                    Some(RefundPhase::Refunding) => "refunding",
                    Some(RefundPhase::Failed(_)) => "failed",
                    _ => "confirming",
                }
            >
                <h3 id="cs-refund-title">{title}</h3>
                <form novalidate on:submit=confirm>
                    <fieldset class="cs-fieldset" disabled=refunding>
                        <div class="cs-field">
                            <label for="cs-refund-amount">{strings.refund_amount}</label>
                            <input
                                id="cs-refund-amount"
                                class="cs-input cs-amount"
                                data-role="refund-amount"
                                inputmode="decimal"
                                autocomplete="off"
                                aria-describedby="cs-refund-hint cs-refund-error"
                                aria-invalid=move || invalid().to_string()
                                node_ref=amount_ref
                                prop:value=initial
                                on:input=move |event| {
                                    let text = event_target_value(&event);
                                    amount_error.set(None);
                                    state.draft.update(|d| {
                                        if let Some(d) = d {
                                            d.amount_text = text;
                                        }
                                    });
                                }
                            />
                            <p id="cs-refund-hint" class="cs-hint">{hint}</p>
                            <p id="cs-refund-error" class="cs-error" data-role="refund-amount-error">
                                {move || amount_error.get()}
                            </p>
                        </div>
                        <div class="cs-actions">
                            <button
                                type="submit"
                                class="cs-button cs-danger"
                                data-role="refund-confirm"
                                aria-busy=move || refunding().to_string()
                            >
                                {confirm_label}
                            </button>
                            <button
                                type="button"
                                class="cs-button"
                                data-role="refund-cancel"
                                on:click=move |_| close()
                            >
                                {strings.refund_cancel}
                            </button>
                        </div>
                    </fieldset>
                </form>
                <p class="cs-error" role="alert" data-role="refund-failed">{failed}</p>
            </div>
        })
    };

    let empty = move || {
        state
            .payments
            .with(|p| p.as_ref().is_some_and(Vec::is_empty))
    };
    let loaded = move || state.payments.with(Option::is_some);

    view! {
        <section class="cs-card cs-payments" data-role="payments" aria-labelledby="cs-payments-title">
            <h2 id="cs-payments-title">{strings.payments_title}</h2>
            <p class="cs-muted" hidden=loaded>{strings.loading}</p>
            <p class="cs-muted" hidden=move || !empty() data-role="no-payments">
                {strings.no_payments}
            </p>
            <div class="cs-table-wrap" hidden=move || !loaded() || empty()>
                <table class="cs-table">
                    <thead>
                        <tr>
                            <th scope="col">{strings.col_date}</th>
                            <th scope="col">{strings.col_description}</th>
                            <th scope="col">{strings.col_amount}</th>
                            <th scope="col">{strings.col_fee}</th>
                            <th scope="col">{strings.col_refunded}</th>
                            <th scope="col">{strings.col_status}</th>
                            <th scope="col">
                                <span class="cs-visually-hidden">{strings.col_actions}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {dialog}
            <p class="cs-live cs-success" role="status" aria-live="polite" data-role="refund-notice">
                {move || state.notice.get()}
            </p>
            <p class="cs-error" role="alert" data-role="payments-problem">
                {move || state.problem.get()}
            </p>
        </section>
    }
}
