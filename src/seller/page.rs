//! The seller's page (`/seller?account=acct_…`): the account's status (kept fresh), the way to
//! Stripe's dashboard (Express, Standard), the recent payments and their refunds. A page for an
//! account the session does not allow shows the sign-in or the refusal instead, and nothing of
//! the account. Its requests are [`SellerFlow`]'s; these components only show it.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::AccountKind;
use leptos::prelude::*;

use super::access::SignOutButton;
use super::flow::SellerFlow;
use super::frame::{AccountStatus, PageFrame};
use super::new_attempt;
use super::payments::PaymentsView;
use super::session::SellerSession;

/// The seller's own page.
#[component]
pub fn SellerPage(
    /// The page's connection to the function, in the seller's language.
    session: SellerSession,
    /// The account to show; `None` asks the seller to sign in.
    account: Option<AccountId>,
) -> impl IntoView {
    let strings = session.strings;
    let flow = SellerFlow::start(session, account);
    let problem = Signal::derive(move || {
        session
            .status
            .problem
            .get()
            .or_else(|| session.problem.get())
    });
    view! {
        <PageFrame
            role="seller-page"
            session
            problem
            on_sign_in=move |account| flow.sign_in_as(account)
            on_sign_out=move || flow.sign_out()
        >
            <AccountStatus
                session
                on_continue=move || flow.continue_onboarding()
                above=move || view! {
                    <div class="cs-toolbar">
                        <SignOutButton strings class="cs-button cs-link" on_sign_out=move || flow.sign_out() />
                    </div>
                }
            />
            <DashboardSection flow />
            <PaymentsView
                state=flow.payments
                strings
                locale=session.locale()
                new_attempt=|_| new_attempt()
                on_refund=move |order| flow.refund(order)
            />
        </PageFrame>
    }
}

/// The way to Stripe's dashboard: a button for Express and Standard accounts, a line saying
/// there is none for Custom ones; hidden until the account's kind is known.
#[component]
fn DashboardSection(flow: SellerFlow) -> impl IntoView {
    let strings = flow.session.strings;
    let status = flow.session.status.status;
    let kind = Memo::new(move |_| status.with(|s| s.as_ref().and_then(|s| s.kind)));
    let busy = flow.dashboard_busy;
    let content = move || {
        let label = match kind.get()? {
            AccountKind::Express => strings.dashboard_express,
            AccountKind::Standard => strings.dashboard_standard,
            AccountKind::Custom => {
                return Some(
                    view! { <p class="cs-muted" data-role="no-dashboard">{strings.dashboard_custom}</p> }
                        .into_any(),
                );
            }
        };
        Some(
            view! {
                <button
                    type="button"
                    class="cs-button cs-primary"
                    data-role="dashboard"
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().to_string()
                    on:click=move |_| flow.open_dashboard()
                >
                    {move || if busy.get() { strings.opening } else { label }}
                </button>
            }
            .into_any(),
        )
    };
    view! {
        <section
            class="cs-card cs-dashboard"
            aria-label=strings.kind_dashboard
            data-role="dashboard-section"
            hidden=move || kind.get().is_none()
        >
            {content}
            <p class="cs-error" role="alert">{move || flow.dashboard_problem.get()}</p>
        </section>
    }
}
