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

use super::field::FieldNotes;
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

/// How the payments part writes amounts and dates: in the seller's locale. `Copy`.
#[derive(Clone, Copy, Debug)]
struct Formats {
    locale: StoredValue<Option<String>>,
}

impl Formats {
    fn money(self, money: &Money) -> String {
        self.locale
            .with_value(|l| format_money(money, l.as_deref()))
    }

    fn date(self, unix_seconds: i64) -> String {
        self.locale
            .with_value(|l| format_date(unix_seconds, l.as_deref()))
    }
}

impl PaymentsState {
    /// Opens the confirmation of a refund of `payment` (all that is left, to start with),
    /// `attempt` its Idempotency-Key.
    pub fn open_refund(&self, payment: SellerPayment, attempt: AttemptId) {
        let Some(left) = refundable(&payment) else {
            return;
        };
        self.notice.set(None);
        self.draft.set(Some(RefundDraft {
            amount_text: plain_amount(&left),
            payment,
            attempt,
            phase: RefundPhase::Confirming,
        }));
    }

    /// Confirm was pressed: the order to send, once per confirmation (the draft is
    /// `Refunding` from here), or why the amount cannot be refunded.
    pub fn confirm_refund(
        &self,
        strings: &SellerStrings,
        locale: Option<&str>,
    ) -> Option<Result<RefundOrder, String>> {
        let draft = self.draft.get_untracked()?;
        if draft.phase == RefundPhase::Refunding {
            return None;
        }
        let order = order_of(&draft, strings, locale);
        if order.is_ok() {
            self.draft.update(|d| {
                if let Some(d) = d {
                    d.phase = RefundPhase::Refunding;
                }
            });
        }
        Some(order)
    }

    /// The refund's amount as typed.
    pub fn type_amount(&self, text: String) {
        self.draft.update(|d| {
            if let Some(d) = d {
                d.amount_text = text;
            }
        });
    }
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
    let formats = Formats {
        locale: StoredValue::new(locale),
    };
    let on_open = UnsyncCallback::new(move |payment: SellerPayment| {
        if refundable(&payment).is_some()
            && let Some(attempt) = new_attempt.run(())
        {
            state.open_refund(payment, attempt);
        }
    });
    let rows = move || {
        let payments = state.payments.get().unwrap_or_default();
        payments
            .into_iter()
            .map(|payment| view! { <PaymentRow payment state strings formats on_open /> })
            .collect_view()
    };
    // The confirmation is made once per payment opened; its phase and amount update in
    // place, so typing keeps the focus.
    let opened = Memo::new(move |_| state.draft.with(|d| d.as_ref().map(|d| d.payment.clone())));
    let confirmation = move || {
        let payment = opened.get()?;
        Some(view! { <RefundConfirmation payment state strings formats on_refund /> })
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
            {confirmation}
            <p class="cs-live cs-success" role="status" aria-live="polite" data-role="refund-notice">
                {move || state.notice.get()}
            </p>
            <p class="cs-error" role="alert" data-role="payments-problem">
                {move || state.problem.get()}
            </p>
        </section>
    }
}

/// One payment: when, what, how much, Stripe's fee, what was refunded, its status, and a
/// Refund button while something is left to refund (disabled while a confirmation is open).
#[component]
fn PaymentRow(
    payment: SellerPayment,
    state: PaymentsState,
    strings: &'static SellerStrings,
    formats: Formats,
    on_open: UnsyncCallback<SellerPayment>,
) -> impl IntoView {
    let status = status_words(&payment, strings);
    let fee = payment
        .fee
        .as_ref()
        .map(|fee| formats.money(fee))
        .unwrap_or_else(|| "—".into());
    let refunded = if payment.refunded.amount > 0 {
        formats.money(&payment.refunded)
    } else {
        "—".into()
    };
    let button = refundable(&payment).map(|_| {
        let payment = payment.clone();
        let busy = move || state.draft.with(|d| d.is_some());
        view! {
            <button
                type="button"
                class="cs-button"
                data-role="refund"
                data-payment=payment.id.clone()
                aria-label=format!("{} {}", strings.refund, formats.money(&payment.amount))
                disabled=busy
                on:click=move |_| on_open.run(payment.clone())
            >
                {strings.refund}
            </button>
        }
    });
    // A part of a marketplace order says so, with the Transfer that paid it: the seller's own
    // lines and amounts are all the function sends of it.
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
    let kind = if payment.transfer.is_some() {
        "marketplace-part"
    } else {
        "whole"
    };
    view! {
        <tr
            data-role="payment"
            data-payment=payment.id.clone()
            data-status=payment.status.clone()
            data-kind=kind
        >
            <td data-label=strings.col_date>{formats.date(payment.created)}</td>
            <td data-label=strings.col_description>
                {payment.description.clone().unwrap_or_default()}
                {part}
            </td>
            <td data-label=strings.col_amount data-role="payment-amount">
                {formats.money(&payment.amount)}
            </td>
            <td data-label=strings.col_fee data-role="payment-fee">{fee}</td>
            <td data-label=strings.col_refunded data-role="payment-refunded">
                {refunded}
            </td>
            <td data-label=strings.col_status data-role="payment-status">{status}</td>
            <td data-label=strings.col_actions>{button}</td>
        </tr>
    }
}

/// The confirmation of a refund of `payment`: the amount (all that is left, to start with),
/// Confirm and Cancel. It takes the focus on its amount when it opens, and gives it back to
/// the payment's Refund button when cancelled.
#[component]
fn RefundConfirmation(
    payment: SellerPayment,
    state: PaymentsState,
    strings: &'static SellerStrings,
    formats: Formats,
    on_refund: UnsyncCallback<RefundOrder>,
) -> impl IntoView {
    let left = refundable(&payment)?;
    let amount_ref = NodeRef::<html::Input>::new();
    let amount_error = RwSignal::new(None::<String>);
    // The input is made once per confirmation (typing does not re-render it), so this runs
    // once per opening.
    Effect::new(move |_| {
        if let Some(input) = amount_ref.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let phase = move || state.draft.with(|d| d.as_ref().map(|d| d.phase.clone()));
    let refunding = move || phase() == Some(RefundPhase::Refunding);

    let confirm = move |event: SubmitEvent| {
        event.prevent_default();
        let outcome = formats
            .locale
            .with_value(|l| state.confirm_refund(strings, l.as_deref()));
        match outcome {
            Some(Ok(order)) => {
                amount_error.set(None);
                on_refund.run(order);
            }
            Some(Err(words)) => {
                amount_error.set(Some(words));
                if let Some(input) = amount_ref.get_untracked() {
                    let _ = input.focus();
                }
            }
            None => {}
        }
    };
    let payment_id = payment.id.clone();
    let cancel = move |_| {
        state.draft.set(None);
        focus_refund_button(payment_id.clone());
    };

    let is_part = payment.transfer.is_some();
    let title = if is_part {
        strings.refund_part_title
    } else {
        strings.refund_title
    }
    .replace("{amount}", &formats.money(&payment.amount))
    .replace("{date}", &formats.date(payment.created));
    let hint = if is_part {
        strings.refund_part_hint
    } else {
        strings.refund_amount_hint
    }
    .replace("{max}", &formats.money(&left));
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
            .map(|amount| formats.money(&Money::new(amount, currency.clone())));
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
                                amount_error.set(None);
                                state.type_amount(event_target_value(&event));
                            }
                        />
                        <FieldNotes stem="cs-refund" hint error=amount_error role="refund-amount-error" />
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
                            on:click=cancel
                        >
                            {strings.refund_cancel}
                        </button>
                    </div>
                </fieldset>
            </form>
            <p class="cs-error" role="alert" data-role="refund-failed">{failed}</p>
        </div>
    })
}

/// Gives the focus back to payment `id`'s Refund button, once it is enabled again.
fn focus_refund_button(id: String) {
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
}
