//! What the two seller pages (onboarding, the seller's page) look like around their own parts:
//! the page with its mode notice and problem line, the sign-in or refusal instead of a page the
//! session does not allow ([`PageFrame`]), and the account's status kept fresh
//! ([`AccountStatus`]).

use connect_checkout_core::AccountId;
use connect_checkout_core::api::Mode;
use leptos::prelude::*;

use super::access::AccessView;
use super::session::SellerSession;
use super::status::StatusView;

/// A seller page: the sandbox or test-mode notice, what went wrong, and `children` while the
/// session allows them (else the sign-in or the refusal).
#[component]
pub fn PageFrame(
    /// The page's `data-role`.
    role: &'static str,
    session: SellerSession,
    /// What went wrong, said in the page's alert line.
    #[prop(into)]
    problem: Signal<Option<String>>,
    /// The seller chose a demo seller to sign in as.
    #[prop(into)]
    on_sign_in: UnsyncCallback<AccountId>,
    /// The seller asked to sign out (from the refusal).
    #[prop(into)]
    on_sign_out: UnsyncCallback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let strings = session.strings;
    let notice = move || {
        let text = match session.mode.get()? {
            Mode::Sandbox => strings.mode_sandbox,
            Mode::Test => strings.mode_test,
            Mode::Live => return None,
        };
        Some(view! { <p class="cs-notice" data-role="mode-notice">{text}</p> })
    };
    let content = move || match session.status.access.get() {
        Some(access) => view! {
            <AccessView
                access
                strings
                demo_sellers=session.demo_sellers
                on_sign_in
                on_sign_out
            />
        }
        .into_any(),
        None => children().into_any(),
    };
    view! {
        <div class="cs-page" data-role=role lang=strings.lang>
            {notice}
            <p class="cs-error" role="alert" data-role="page-problem">{move || problem.get()}</p>
            {content}
        </div>
    }
}

/// The account's status, kept fresh, with its next step, between `above` and `below`; a
/// loading line until the first answer. Made once the status is in: polls update it in place.
#[component]
pub fn AccountStatus(
    session: SellerSession,
    /// The seller pressed the next-step button.
    #[prop(into)]
    on_continue: UnsyncCallback<()>,
    #[prop(optional, into)] above: ViewFn,
    #[prop(optional, into)] below: ViewFn,
) -> impl IntoView {
    let strings = session.strings;
    let known = Memo::new(move |_| session.status.status.with(Option::is_some));
    move || {
        let Some(first) = known.get().then(|| session.current()).flatten() else {
            return view! { <p class="cs-muted" data-role="loading">{strings.loading}</p> }
                .into_any();
        };
        let shown =
            Signal::derive(move || session.status.status.get().unwrap_or_else(|| first.clone()));
        view! {
            {above.run()}
            <StatusView
                status=shown
                strings
                locale=session.locale()
                live=session.status.live
                busy=session.continuing
                on_continue
                on_refresh=move || session.check_now()
            />
            {below.run()}
        }
        .into_any()
    }
}
