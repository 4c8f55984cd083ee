//! The status page: what the seller's account can do (take payments, receive payouts), what
//! Stripe still needs and by when, what it is checking, why payments are off, and the one next
//! step. [`StatusView`] is a pure function of a [`SellerStatus`]; the pages fetch it and keep it
//! fresh ([`super::poll`]).

use connect_checkout_core::api::{AccountKind, DisabledReason, NextStep, SellerStatus};
use leptos::prelude::*;

use super::format::format_date;
use crate::i18n::seller::SellerStrings;

/// Stripe's requirement name in words. Several names can share words (`individual.dob.day`,
/// `.month`, `.year` are one date of birth); [`requirement_list`] shows each once.
pub fn requirement_words(requirement: &str, strings: &SellerStrings) -> String {
    let words = match requirement {
        "business_type" => strings.req_business_type,
        "business_profile.url" | "business_profile.product_description" => strings.req_business_url,
        "business_profile.mcc" => strings.req_mcc,
        "external_account" => strings.req_bank,
        "individual.first_name" | "individual.last_name" => strings.req_name,
        "individual.email" => strings.req_email,
        "individual.phone" => strings.req_phone,
        "individual.id_number" | "individual.ssn_last_4" => strings.req_id_number,
        "individual.verification.document" => strings.req_identity_document,
        r if r.starts_with("tos_acceptance.") => strings.req_terms,
        r if r.starts_with("individual.dob.") => strings.req_dob,
        r if r.starts_with("individual.address.") => strings.req_address,
        r if r.starts_with("company.") => strings.req_company,
        other => return strings.req_other.replace("{name}", other),
    };
    words.to_owned()
}

/// `requirements` in words, each once, in Stripe's order.
pub fn requirement_list<'a>(
    requirements: impl IntoIterator<Item = &'a String>,
    strings: &SellerStrings,
) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for requirement in requirements {
        let said = requirement_words(requirement, strings);
        if !words.contains(&said) {
            words.push(said);
        }
    }
    words
}

/// Why payments are off, in the seller's language: Stripe's `disabled_reason` code in words,
/// or the function's own sentence for a code without words here.
pub fn disabled_words(reason: &DisabledReason, strings: &SellerStrings) -> String {
    let words = match reason.code.as_str() {
        "requirements.past_due" => strings.disabled_past_due,
        "requirements.pending_verification" => strings.disabled_pending,
        "under_review" => strings.disabled_review,
        "platform_paused" => strings.disabled_paused,
        code if code.starts_with("rejected.") || code == "listed" => strings.disabled_rejected,
        _ => return reason.message.clone(),
    };
    words.to_owned()
}

/// What is due now: `currently_due` and `past_due`.
pub fn due_now(status: &SellerStatus) -> Vec<String> {
    let mut due = status.currently_due.clone();
    for requirement in &status.past_due {
        if !due.contains(requirement) {
            due.push(requirement.clone());
        }
    }
    due
}

/// What will be due later: `eventually_due` that is not due now.
pub fn due_later(status: &SellerStatus) -> Vec<String> {
    let now = due_now(status);
    status
        .eventually_due
        .iter()
        .filter(|requirement| !now.contains(requirement))
        .cloned()
        .collect()
}

/// Whether the page should keep asking Stripe: something is still to be done or checked.
pub fn is_settled(status: &SellerStatus) -> bool {
    status.next_step == NextStep::Done && status.pending_verification.is_empty()
}

/// The words of the next step.
pub fn next_step_words(step: NextStep, strings: &SellerStrings) -> &'static str {
    match step {
        NextStep::CompleteOnboarding => strings.next_complete_onboarding,
        NextStep::ProvideInformation => strings.next_provide_information,
        NextStep::WaitForVerification => strings.next_wait,
        NextStep::Done => strings.next_done,
    }
}

/// `next_step` as its `data-next-step` value.
pub fn next_step_name(step: NextStep) -> &'static str {
    match step {
        NextStep::CompleteOnboarding => "complete_onboarding",
        NextStep::ProvideInformation => "provide_information",
        NextStep::WaitForVerification => "wait_for_verification",
        NextStep::Done => "done",
    }
}

/// A block of the status: `heading` over `requirements` in words (the list's `data-role` is
/// `role`); nothing when there are none.
fn requirements_block(
    heading: String,
    heading_role: Option<&'static str>,
    role: &'static str,
    requirements: &[String],
    strings: &SellerStrings,
) -> Option<impl IntoView + use<>> {
    let items = requirement_list(requirements, strings);
    (!items.is_empty()).then(|| {
        view! {
            <div class="cs-block">
                <h3 data-role=heading_role>{heading}</h3>
                <ul class="cs-list" data-role=role>
                    {items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// The seller's account at a glance, and the one next step.
#[component]
pub fn StatusView(
    /// The account as the function last reported it.
    #[prop(into)]
    status: Signal<SellerStatus>,
    /// The words, in the seller's language.
    strings: &'static SellerStrings,
    /// The locale dates are written for, such as `en-US`; `None` follows the browser.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// What the live region says (checking, updated); empty for nothing.
    #[prop(into, optional)]
    live: Signal<String>,
    /// The next-step button is working (fetching a link): it is disabled and says so.
    #[prop(into, optional)]
    busy: Signal<bool>,
    /// The seller pressed the next-step button (finish onboarding, add information).
    #[prop(into)]
    on_continue: UnsyncCallback<()>,
    /// The seller asked to check again now.
    #[prop(into)]
    on_refresh: UnsyncCallback<()>,
) -> impl IntoView {
    let locale = StoredValue::new(locale);
    let title_id = "cs-status-title";

    let disabled = move || {
        status.with(|s| s.disabled_reason.clone()).map(|reason| {
            view! {
                <div class="cs-block cs-warning" data-role="disabled-reason" data-code=reason.code.clone()>
                    <h3>{strings.disabled}</h3>
                    <p>{disabled_words(&reason, strings)}</p>
                </div>
            }
        })
    };
    let now = move || {
        let (due, deadline) = status.with(|s| (due_now(s), s.current_deadline));
        let heading = match deadline {
            Some(deadline) => strings.due_by.replace(
                "{date}",
                &locale.with_value(|l| format_date(deadline, l.as_deref())),
            ),
            None => strings.due_now.to_owned(),
        };
        requirements_block(heading, Some("due-heading"), "due-now", &due, strings)
    };
    let pending = move || {
        let pending = status.with(|s| s.pending_verification.clone());
        requirements_block(
            strings.pending.to_owned(),
            None,
            "pending",
            &pending,
            strings,
        )
    };
    let later = move || {
        let later = status.with(due_later);
        requirements_block(
            strings.due_later.to_owned(),
            None,
            "due-later",
            &later,
            strings,
        )
    };
    let nothing_due = move || {
        status.with(|s| {
            due_now(s).is_empty() && s.errors.is_empty() && s.pending_verification.is_empty()
        })
    };
    view! {
        <section
            class="cs-card cs-status"
            data-role="status"
            data-next-step=move || next_step_name(status.with(|s| s.next_step))
            data-charges=move || status.with(|s| s.charges_enabled).to_string()
            aria-labelledby=title_id
        >
            <h2 id=title_id>{strings.status_title}</h2>
            <p class="cs-account-name" data-role="account-name">
                {move || status.with(|s| s.display_name.clone())}
            </p>
            <dl class="cs-capabilities">
                <Capability
                    label=strings.charges
                    role="charges"
                    enabled=Signal::derive(move || status.with(|s| s.charges_enabled))
                    strings
                />
                <Capability
                    label=strings.payouts
                    role="payouts"
                    enabled=Signal::derive(move || status.with(|s| s.payouts_enabled))
                    strings
                />
            </dl>
            {disabled}
            {now}
            <VerificationErrors status strings />
            {pending}
            {later}
            <p class="cs-muted" hidden=move || !nothing_due() data-role="nothing-due">
                {strings.nothing_due}
            </p>
            <NextStepBlock status strings busy on_continue on_refresh />
            <p class="cs-live" role="status" aria-live="polite" data-role="status-live">
                {move || live.get()}
            </p>
        </section>
    }
}

/// What the account can do (take payments, receive payouts): yes, or not yet.
#[component]
fn Capability(
    label: &'static str,
    /// The answer's `data-role`.
    role: &'static str,
    enabled: Signal<bool>,
    strings: &'static SellerStrings,
) -> impl IntoView {
    view! {
        <div class="cs-capability">
            <dt>{label}</dt>
            <dd data-role=role data-enabled=move || enabled.get().to_string()>
                {move || if enabled.get() { strings.yes } else { strings.not_yet }}
            </dd>
        </div>
    }
}

/// What Stripe could not verify, each with Stripe's reason; nothing when all is well.
#[component]
fn VerificationErrors(
    status: Signal<SellerStatus>,
    strings: &'static SellerStrings,
) -> impl IntoView {
    move || {
        let errors = status.with(|s| s.errors.clone());
        (!errors.is_empty()).then(|| {
            let items = errors
                .into_iter()
                .map(|error| {
                    let what = requirement_words(&error.requirement, strings);
                    view! {
                        <li data-requirement=error.requirement>
                            <strong>{what}</strong>
                            ": "
                            {error.reason}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="cs-block cs-warning">
                    <h3>{strings.verification_errors}</h3>
                    <ul class="cs-list" data-role="verification-errors">{items}</ul>
                </div>
            }
        })
    }
}

/// The one next step in words, its button (finish onboarding, add information) and "Check
/// now".
#[component]
fn NextStepBlock(
    status: Signal<SellerStatus>,
    strings: &'static SellerStrings,
    busy: Signal<bool>,
    on_continue: UnsyncCallback<()>,
    on_refresh: UnsyncCallback<()>,
) -> impl IntoView {
    let next = move || status.with(|s| s.next_step);
    let can_continue = move || {
        matches!(
            next(),
            NextStep::CompleteOnboarding | NextStep::ProvideInformation
        )
    };
    let continue_label = move || {
        if busy.get() {
            strings.opening
        } else if status.with(|s| s.kind) == Some(AccountKind::Custom) {
            strings.continue_form
        } else {
            strings.continue_with_stripe
        }
    };
    view! {
        <div class="cs-block cs-next" data-role="next-step">
            <h3>{strings.next_step}</h3>
            <p data-role="next-step-words">{move || next_step_words(next(), strings)}</p>
            <div class="cs-actions">
                <button
                    type="button"
                    class="cs-button cs-primary"
                    data-role="continue"
                    hidden=move || !can_continue()
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().to_string()
                    on:click=move |_| {
                        if !untrack(|| busy.get()) {
                            on_continue.run(());
                        }
                    }
                >
                    {continue_label}
                </button>
                <button
                    type="button"
                    class="cs-button"
                    data-role="refresh"
                    on:click=move |_| on_refresh.run(())
                >
                    {strings.check_now}
                </button>
            </div>
        </div>
    }
}
