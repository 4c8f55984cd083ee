//! The Custom form's markup: a pure function of [`FormState`]. One step at a time (only steps
//! with something due), each question ([`super::inputs`]) checked when the seller leaves it and
//! again on Continue, each problem said under its own field and counted in an alert; the focus
//! moves to the new step's heading, or to the first answer to fix.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::fields::Due;
use super::inputs::{FormContext, Question};
use super::state::{FormPhase, FormState, STEP_TITLE_ID};
use crate::i18n::seller::SellerStrings;

/// The form for what a Custom account still owes Stripe.
#[component]
pub fn CustomFormView(
    /// The values to show; the page (or a browser test) drives them.
    state: FormState,
    /// The words, in the seller's language.
    strings: &'static SellerStrings,
    /// Show Stripe's test values as hints (sandbox and test mode).
    #[prop(optional)]
    test_hints: bool,
    /// The locale country names are written for.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Today as (year, month, day), for the age check.
    today: (u16, u8, u8),
    /// The last step was continued with every answer valid: send them. Called once per press:
    /// the phase is already `Submitting`.
    #[prop(into)]
    on_submit: UnsyncCallback<()>,
) -> impl IntoView {
    let form = FormContext {
        state,
        strings,
        today,
        test_hints,
        locale: StoredValue::new(locale),
    };
    let step_count = Memo::new(move |_| state.due.with(|due| due.steps().len()));
    let is_last = move || state.step.get() + 1 >= step_count.get();
    let submitting = move || state.phase.get() == FormPhase::Submitting;

    let next = move |event: SubmitEvent| {
        event.prevent_default();
        if state.continue_step(today, strings) {
            on_submit.run(());
        }
    };
    let back = move |_| state.go_back();

    view! {
        <section class="cs-card cs-form" data-role="custom-form" data-phase=move || match state.phase.get() {
            FormPhase::Editing => "editing",
            FormPhase::Submitting => "submitting",
            FormPhase::Sent => "sent",
        } aria-labelledby="cs-form-title">
            <h2 id="cs-form-title">{strings.form_title}</h2>
            <p class="cs-success" role="status" hidden=move || state.phase.get() != FormPhase::Sent data-role="form-sent">
                {strings.form_sent}
            </p>
            <div hidden=move || state.phase.get() == FormPhase::Sent>
                <StepProgress state strings />
                <form novalidate on:submit=next>
                    <CurrentStep form />
                    <div class="cs-actions">
                        <button
                            type="submit"
                            class="cs-button cs-primary"
                            data-role="form-next"
                            disabled=submitting
                            aria-busy=move || submitting().to_string()
                        >
                            {move || if submitting() { strings.submitting } else if is_last() { strings.submit } else { strings.next }}
                        </button>
                        <button
                            type="button"
                            class="cs-button"
                            data-role="form-back"
                            hidden=move || state.step.get() == 0
                            disabled=submitting
                            on:click=back
                        >
                            {strings.back}
                        </button>
                    </div>
                </form>
                <p class="cs-error cs-summary" role="alert" data-role="form-summary">{move || state.summary.get()}</p>
            </div>
        </section>
    }
}

/// The steps, the current one marked (shown when there are two or more).
#[component]
fn StepProgress(state: FormState, strings: &'static SellerStrings) -> impl IntoView {
    let steps = Memo::new(move |_| state.due.with(Due::steps));
    let items = move || {
        let index = state.step.get();
        steps
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, step)| {
                let current = (i == index).then_some("step");
                view! {
                    <li class:cs-done=i < index aria-current=current>{step.title(strings)}</li>
                }
            })
            .collect_view()
    };
    view! {
        <ol class="cs-progress" aria-label=strings.form_title hidden=move || steps.with(Vec::len) < 2>
            {items}
        </ol>
    }
}

/// The step on screen, its heading and its questions; re-made only when the step (or what is
/// due) changes, so typing keeps the focus.
#[component]
fn CurrentStep(form: FormContext) -> impl IntoView {
    let (state, strings) = (form.state, form.strings);
    let steps = Memo::new(move |_| state.due.with(Due::steps));
    let current = Memo::new(move |_| steps.with(|s| s.get(state.step.get()).copied()));
    let submitting = move || state.phase.get() == FormPhase::Submitting;
    move || {
        let step = current.get()?;
        let index = state.step.get();
        let fields = state.due.with(|due| due.fields_of(step));
        let title = strings
            .step_of
            .replace("{step}", &(index + 1).to_string())
            .replace("{total}", &steps.with(Vec::len).to_string())
            .replace("{name}", step.title(strings));
        Some(view! {
            <fieldset class="cs-fieldset cs-step" data-step=format!("{step:?}").to_lowercase() disabled=submitting>
                <legend class="cs-visually-hidden">{step.title(strings)}</legend>
                <h3 id=STEP_TITLE_ID tabindex="-1" data-role="step-title">{title}</h3>
                {fields.into_iter().map(|field| view! { <Question form field /> }).collect_view()}
            </fieldset>
        })
    }
}
