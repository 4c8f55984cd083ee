//! The onboarding page: what it shows depends on the address Stripe or the seller came in on.
//! Its requests are [`OnboardingFlow`]'s; these components only show it.
//!
//! - `/onboarding`: choose a kind of account and create it ([`super::choose`]); Express and
//!   Standard sellers then go to Stripe's hosted onboarding, Custom sellers to the form.
//! - `/onboarding?account=acct_…&returned=1` (Stripe's `return_url`) or `?account=acct_…`: the
//!   status page, kept fresh, with the next step: back to Stripe, or the Custom form.
//! - `/onboarding?account=acct_…&refresh=1` (Stripe's `refresh_url`: the link was stale or
//!   already used): a fresh link, and on to Stripe again without a question.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{AccountKind, Mode};
use leptos::prelude::*;

use super::choose::ChooseView;
use super::custom::CustomForm;
use super::custom::fields::Due;
use super::flow::OnboardingFlow;
use crate::i18n::seller::{SellerStrings, seller_strings_for};
use crate::seller::frame::{AccountStatus, PageFrame};
use crate::seller::session::SellerSession;

/// Which part of onboarding the address asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Landing {
    /// Choose a kind of account and create it.
    Choose,
    /// Stripe's `refresh_url`: make a fresh link and go back to Stripe.
    Refresh(AccountId),
    /// The account's status (Stripe's `return_url`, or a seller coming back).
    Account(AccountId),
}

impl Landing {
    /// What the page's address (`account`, `refresh` query parameters) asks for.
    pub fn from_url() -> Self {
        match crate::seller::account_from_url() {
            None => Self::Choose,
            Some(account) if crate::seller::page_param("refresh").is_some() => {
                Self::Refresh(account)
            }
            Some(account) => Self::Account(account),
        }
    }
}

/// The onboarding page.
#[component]
pub fn OnboardingPage(
    /// The page's connection to the function, in the seller's language.
    session: SellerSession,
    /// What the address asks for.
    landing: Landing,
) -> impl IntoView {
    let strings = session.strings;
    let flow = OnboardingFlow::start(session, landing);
    let problem = Signal::derive(move || {
        session
            .problem
            .get()
            .or_else(|| session.status.problem.get())
    });
    let content = move || match flow.landing() {
        Landing::Choose => view! {
            <ChooseView
                state=flow.choose
                strings
                locale=session.locale()
                on_create=move |signup| flow.create(signup)
            />
        }
        .into_any(),
        Landing::Refresh(_) => view! {
            <section class="cs-card" data-role="refreshing">
                <p role="status">{strings.refreshing}</p>
            </section>
        }
        .into_any(),
        Landing::Account(_) => view! { <AccountOnboarding flow /> }.into_any(),
    };
    view! {
        <PageFrame
            role="onboarding-page"
            session
            problem
            on_sign_in=move |account| flow.sign_in_as(account)
            on_sign_out=move || flow.sign_out()
        >
            {content}
        </PageFrame>
    }
}

/// An account's onboarding: its status with the next step, the Custom form while it owes
/// Stripe something the form asks for, and the way to the seller's page.
#[component]
fn AccountOnboarding(flow: OnboardingFlow) -> impl IntoView {
    let strings = flow.session.strings;
    let status = flow.session.status.status;
    let below = move || {
        let seller_page = status.with_untracked(|s| {
            s.as_ref()
                .map(|s| format!("/seller?account={}", s.id))
                .unwrap_or_default()
        });
        view! {
            <CustomFormWhenDue flow />
            <p class="cs-links">
                <a href=seller_page data-role="seller-page-link">{strings.see_payments}</a>
            </p>
        }
    };
    view! {
        <AccountStatus
            session=flow.session
            on_continue=move || flow.continue_onboarding()
            below
        />
    }
}

/// The Custom form, made once the account's kind, what is due and the configuration are known,
/// and only re-made when whether it is needed changes: polls do not disturb it.
#[component]
fn CustomFormWhenDue(flow: OnboardingFlow) -> impl IntoView {
    let (session, config, strings) = (flow.session, flow.config, flow.session.strings);
    let status = session.status.status;
    let needed = Memo::new(move |_| {
        config.with(Option::is_some)
            && status.with(|s| {
                s.as_ref().is_some_and(|s| {
                    s.kind == Some(AccountKind::Custom) && !Due::of(s).fields.is_empty()
                })
            })
    });
    move || {
        if !needed.get() {
            return None;
        }
        let current = status.get_untracked()?;
        let client = config.get_untracked()?;
        let test_hints = matches!(client.mode, Mode::Sandbox | Mode::Test);
        Some(view! {
            <CustomForm
                status=current
                config=client
                strings
                locale=session.locale()
                test_hints
                api=session.api()
                on_status=move |fresh| flow.show(fresh)
                on_access=move |access| session.status.access.set(Some(access))
            />
        })
    }
}

/// The page's words, for the title.
pub fn strings_of(locale: Option<&str>) -> &'static SellerStrings {
    seller_strings_for(locale)
}
