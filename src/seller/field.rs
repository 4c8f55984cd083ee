//! What every field of the seller's forms (the sign-up, the Custom form, a refund's amount) is
//! made of besides its input: the problems said against it, kept per field, and the hint and
//! error lines under it that its input's `aria-describedby` names.

use leptos::prelude::*;

/// The problems of a form, each against its field (`K`: the form's name for a field), in a
/// signal the form's view reads.
pub trait FieldErrors<K> {
    /// What to fix in `field`, for the view (`None`: nothing).
    fn words_of(self, field: K) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static;
    /// `field`'s `aria-invalid`: `"true"` while something is to fix in it.
    fn invalid(self, field: K) -> impl Fn() -> String + Copy + Send + Sync + 'static;
    /// Whether something is to fix in `field`, outside the view.
    fn has(self, field: K) -> bool;
    /// `field`'s problem becomes `words` (`None`: it is fixed).
    fn replace(self, field: K, words: Option<String>);
}

impl<K> FieldErrors<K> for RwSignal<Vec<(K, String)>>
where
    K: Copy + PartialEq + Send + Sync + 'static,
{
    fn words_of(self, field: K) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
        move || {
            self.with(|errors| {
                errors
                    .iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, words)| words.clone())
            })
        }
    }

    fn invalid(self, field: K) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || {
            self.with(|errors| errors.iter().any(|(f, _)| *f == field))
                .to_string()
        }
    }

    fn has(self, field: K) -> bool {
        self.with_untracked(|errors| errors.iter().any(|(f, _)| *f == field))
    }

    fn replace(self, field: K, words: Option<String>) {
        self.update(|errors| {
            errors.retain(|(f, _)| *f != field);
            if let Some(words) = words {
                errors.push((field, words));
            }
        });
    }
}

/// The lines under a field: its hint, when it has one, and what to fix in it (an empty line
/// while nothing is), with the ids `{stem}-hint` and `{stem}-error`.
#[component]
pub fn FieldNotes(
    /// The ids' stem, usually the input's id.
    #[prop(into)]
    stem: String,
    /// The hint (`None`: no hint line), shown whatever the answer.
    #[prop(optional_no_strip, into)]
    hint: Option<String>,
    /// What to fix.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The error line's `data-role`.
    #[prop(default = "field-error")]
    role: &'static str,
) -> impl IntoView {
    let hint = hint.map(|hint| view! { <p id=format!("{stem}-hint") class="cs-hint">{hint}</p> });
    view! {
        {hint}
        <p id=format!("{stem}-error") class="cs-error" data-role=role>{move || error.get()}</p>
    }
}
