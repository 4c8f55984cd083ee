//! What the Custom form shows, as signals ([`FormState`]), and how it changes: an answer typed
//! or left, Continue and Back, the function's answer. No markup and no I/O: the view
//! ([`super::view`](mod@super::view)) and the submission ([`super::submit`]) call these.

use connect_checkout_core::api::SellerStatus;
use leptos::prelude::*;

use super::fields::{Due, Field, Step, Values, check, check_step};
use crate::i18n::seller::SellerStrings;
use crate::seller::field::FieldErrors;
use crate::seller::focus_later;

/// Where the form is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormPhase {
    /// The seller is answering.
    Editing,
    /// The answers went to Stripe.js (the bank token) and the function; nothing can change.
    Submitting,
    /// Stripe has everything the form asked for.
    Sent,
}

/// Every value the form shows. `Copy`: each field is a handle to a signal.
#[derive(Clone, Copy, Debug)]
pub struct FormState {
    pub due: RwSignal<Due>,
    /// Index into `due.steps()`.
    pub step: RwSignal<usize>,
    pub values: RwSignal<Values>,
    pub errors: RwSignal<Vec<(Field, String)>>,
    pub phase: RwSignal<FormPhase>,
    /// Said in the alert region: how many answers need fixing, or what went wrong.
    pub summary: RwSignal<Option<String>>,
}

/// The heading of the step on screen, which takes the focus when the step changes.
pub const STEP_TITLE_ID: &str = "cs-step-title";

impl FormState {
    pub fn new(due: Due, values: Values) -> Self {
        Self {
            due: RwSignal::new(due),
            step: RwSignal::new(0),
            values: RwSignal::new(values),
            errors: RwSignal::new(Vec::new()),
            phase: RwSignal::new(FormPhase::Editing),
            summary: RwSignal::new(None),
        }
    }

    /// The step on screen.
    pub fn current_step(&self) -> Option<Step> {
        let steps = self.due.with(Due::steps);
        steps.get(self.step.get()).copied()
    }

    /// The answer of input `key`, as typed, for the view.
    pub fn answer(self, key: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || {
            self.values
                .with(|values| values.get(key).cloned().unwrap_or_default())
        }
    }

    /// The seller typed or chose `text` in input `key`.
    pub fn set_answer(&self, key: &'static str, text: String) {
        self.values.update(|values| {
            values.insert(key, text);
        });
    }

    /// Checks `field` again: `always` when the seller left it, else only while it was wrong,
    /// so the message goes as soon as it is fixed.
    pub fn recheck(
        &self,
        field: Field,
        always: bool,
        today: (u16, u8, u8),
        strings: &SellerStrings,
    ) {
        if !always && !self.errors.has(field) {
            return;
        }
        let words = self.values.with_untracked(|values| {
            self.due
                .with_untracked(|due| check(field, values, due, today, strings))
        });
        self.errors.replace(field, words.map(str::to_owned));
    }

    /// Shows `errors` against their fields: the form goes to the step of the first, says how
    /// many there are, and puts the focus on it.
    pub fn show_errors(&self, errors: Vec<(Field, String)>, strings: &SellerStrings) {
        let Some(first) = errors.first().map(|(field, _)| *field) else {
            return;
        };
        let steps = self.due.with_untracked(Due::steps);
        if let Some(index) = steps.iter().position(|step| *step == first.step()) {
            self.step.set(index);
        }
        self.say_count(errors.len(), strings);
        self.errors.set(errors);
        focus_later(first.input_id());
    }

    fn say_count(&self, count: usize, strings: &SellerStrings) {
        self.summary.set(Some(
            strings.form_invalid.replace("{count}", &count.to_string()),
        ));
    }

    /// Continue was pressed: the step's answers are checked; with every one valid the form
    /// goes on to the next step, or, on the last, becomes `Submitting` and `true` says to
    /// send the answers (once per press).
    pub fn continue_step(&self, today: (u16, u8, u8), strings: &SellerStrings) -> bool {
        if self.phase.get_untracked() != FormPhase::Editing {
            return false;
        }
        let steps = self.due.with_untracked(Due::steps);
        let index = self.step.get_untracked();
        let Some(step) = steps.get(index).copied() else {
            return false;
        };
        let problems = self.values.with_untracked(|values| {
            self.due
                .with_untracked(|due| check_step(step, values, due, today, strings))
        });
        if let Some(first) = problems.first().map(|(field, _)| *field) {
            // Keep the messages of other steps (the function's, Stripe's), replace this one's.
            let count = problems.len();
            self.errors.update(|errors| {
                errors.retain(|(field, _)| field.step() != step);
                errors.extend(problems);
            });
            self.say_count(count, strings);
            focus_later(first.input_id());
            return false;
        }
        self.summary.set(None);
        if index + 1 >= steps.len() {
            self.phase.set(FormPhase::Submitting);
            return true;
        }
        self.step.set(index + 1);
        focus_later(STEP_TITLE_ID.to_owned());
        false
    }

    /// Back was pressed: the step before, if there is one.
    pub fn go_back(&self) {
        if self.step.get_untracked() > 0 {
            self.summary.set(None);
            self.step.update(|index| *index -= 1);
            focus_later(STEP_TITLE_ID.to_owned());
        }
    }

    /// The function took the answers and sent back the account's `status`: done when Stripe
    /// wants nothing more of the form, else the form asks for exactly what it still wants
    /// (`errors`: Stripe's failed checks), from its first step.
    pub fn answered(
        &self,
        status: &SellerStatus,
        errors: Vec<(Field, String)>,
        strings: &SellerStrings,
    ) {
        let due = Due::of(status);
        if due.fields.is_empty() {
            self.summary.set(None);
            self.phase.set(FormPhase::Sent);
            focus_later("cs-form-title".to_owned());
            return;
        }
        self.due.set(due);
        self.step.set(0);
        self.errors.set(Vec::new());
        self.phase.set(FormPhase::Editing);
        if errors.is_empty() {
            focus_later(STEP_TITLE_ID.to_owned());
        } else {
            self.show_errors(errors, strings);
        }
    }

    /// The answers were not taken: `fields` against their fields, or else `words` in the
    /// alert; the seller can answer again.
    pub fn refused(&self, fields: Vec<(Field, String)>, words: String, strings: &SellerStrings) {
        self.phase.set(FormPhase::Editing);
        if fields.is_empty() {
            self.summary.set(Some(words));
        } else {
            self.show_errors(fields, strings);
        }
    }
}
