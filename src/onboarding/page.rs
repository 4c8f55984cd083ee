//! The onboarding page, wired to the function: what it shows depends on the address Stripe or
//! the seller came in on.
//!
//! - `/onboarding`: choose a kind of account and create it ([`super::choose`]); Express and
//!   Standard sellers then go to Stripe's hosted onboarding, Custom sellers to the form.
//! - `/onboarding?account=acct_…&returned=1` (Stripe's `return_url`) or `?account=acct_…`: the
//!   status page, kept fresh, with the next step: back to Stripe, or the Custom form.
//! - `/onboarding?account=acct_…&refresh=1` (Stripe's `refresh_url`: the link was stale or
//!   already used): a fresh link, and on to Stripe again without a question.

use std::rc::Rc;

use connect_checkout_core::api::{
    AccountKind, BusinessType, ClientConfig, CreateSellerRequest, Mode, Seller, SellerStatus,
};
use connect_checkout_core::{AccountId, AttemptId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use super::choose::{ChooseState, ChooseView, CreatePhase, Signup};
use super::custom::CustomForm;
use super::custom::fields::Due;
use crate::api::ApiError;
use crate::i18n::seller::{SellerStrings, seller_strings_for};
use crate::seller::access::AccessView;
use crate::seller::client::SellerApi;
use crate::seller::page::{demo_sign_in, load_demo_sellers, mode_notice};
use crate::seller::poll::{StatusState, Watch};
use crate::seller::problem::{self, Access};
use crate::seller::status::StatusView;
use crate::seller::{go_to_stripe, navigate, new_attempt, remember_account};

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
    /// What the address asks for.
    landing: Landing,
    /// A BCP 47 locale for the words and names; `None` follows the browser.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Where the function answers: `""` (the default) is the page's own origin.
    #[prop(optional)]
    api_base: String,
) -> impl IntoView {
    let strings = seller_strings_for(locale.as_deref());
    let locale = StoredValue::new(locale.or_else(|| Some(strings.lang.to_owned())));
    let api = SellerApi::new(&api_base);
    let config = RwSignal::new(None::<ClientConfig>);
    let mode = Memo::new(move |_| config.with(|c| c.as_ref().map(|c| c.mode)));
    let choose = ChooseState::new();
    let status = StatusState::new();
    let demo_sellers = RwSignal::new(Vec::<Seller>::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let aborts = StoredValue::new_local(AbortController::new().ok());
    let watch = StoredValue::new_local(None::<Rc<Watch>>);
    let last_signup = StoredValue::new_local(None::<(Signup, AttemptId)>);
    on_cleanup(move || {
        if let Some(watch) = watch.try_update_value(Option::take).flatten() {
            watch.stop();
        }
        if let Some(abort) = aborts.try_update_value(Option::take).flatten() {
            abort.abort();
        }
    });
    let signal = move || {
        aborts
            .with_value(|a| a.as_ref().map(AbortController::signal))
            .unwrap_or_else(web_sys::AbortSignal::abort)
    };

    // The configuration: the kinds offered, the mode, the publishable key for the form.
    {
        let api = api.clone();
        spawn_local(async move {
            match api.config(&signal()).await {
                Ok(loaded) => {
                    choose.offer(loaded.account_kinds);
                    config.set(Some(loaded.config));
                }
                Err(ApiError::Aborted) => {}
                Err(error) => problem.set(Some(problem::words(&error, strings))),
            }
        });
    }

    match &landing {
        Landing::Choose => {}
        Landing::Refresh(account) => {
            let (api, account) = (api.clone(), account.clone());
            spawn_local(async move {
                if let Err(error) = go_to_stripe(&api, &account, true).await {
                    match Access::of(&error) {
                        Some(access) => status.access.set(Some(access)),
                        None => problem.set(Some(problem::words(&error, strings))),
                    }
                }
            });
        }
        Landing::Account(account) => {
            watch.set_value(Some(Watch::start(
                api.clone(),
                account.clone(),
                status,
                strings,
            )));
        }
    }

    // The account this browser may see, once the function has shown it.
    Effect::new(move |_| {
        if let Some(id) = status.status.with(|s| s.as_ref().map(|s| s.id.clone())) {
            remember_account(Some(&id));
        }
    });

    {
        let api = api.clone();
        Effect::new(move |_| {
            if status.access.get().is_some() {
                load_demo_sellers(api.clone(), mode.get(), demo_sellers);
            }
        });
    }

    let on_create = {
        let api = api.clone();
        move |signup: Signup| {
            let api = api.clone();
            // The same answers keep their attempt: a repeat (a double submit, a lost answer)
            // finds the account made the first time instead of making another.
            let attempt = last_signup
                .with_value(|last| {
                    last.as_ref()
                        .filter(|(last, _)| *last == signup)
                        .map(|(_, attempt)| attempt.clone())
                })
                .or_else(new_attempt);
            let Some(attempt) = attempt else {
                choose.phase.set(CreatePhase::Editing);
                return;
            };
            last_signup.set_value(Some((signup.clone(), attempt.clone())));
            let request = CreateSellerRequest {
                kind: signup.kind,
                email: signup.email,
                country: signup.country,
                business_type: (signup.kind == AccountKind::Custom)
                    .then_some(BusinessType::Individual),
                attempt,
            };
            spawn_local(async move {
                match api.create(&request, &signal()).await {
                    Ok(created) => {
                        let account = created.status.id.clone();
                        remember_account(Some(&account));
                        choose.phase.set(CreatePhase::Leaving);
                        if request.kind == AccountKind::Custom {
                            navigate(&format!("/onboarding?account={account}"));
                        } else if let Err(error) = go_to_stripe(&api, &account, false).await {
                            // The account exists: its status page offers the link again.
                            problem.set(Some(problem::words(&error, strings)));
                            navigate(&format!("/onboarding?account={account}"));
                        }
                    }
                    Err(ApiError::Aborted) => {}
                    Err(error) => {
                        choose.phase.set(CreatePhase::Editing);
                        let fields: Vec<(&'static str, String)> = match &error {
                            ApiError::Refused { body, .. } => body
                                .error
                                .fields
                                .iter()
                                .filter_map(|f| match f.field.as_str() {
                                    "email" => Some(("email", strings.email_invalid.to_owned())),
                                    "country" => {
                                        Some(("country", strings.country_invalid.to_owned()))
                                    }
                                    _ => None,
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        if fields.is_empty() {
                            choose.problem.set(Some(problem::words(&error, strings)));
                        } else {
                            choose.errors.set(fields);
                        }
                    }
                }
            });
        }
    };

    let on_continue = {
        let api = api.clone();
        move || {
            let Some(current) = status.status.get_untracked() else {
                return;
            };
            if current.kind == Some(AccountKind::Custom) {
                super::custom::view::focus_later("cs-step-title".to_owned());
                return;
            }
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            let api = api.clone();
            spawn_local(async move {
                if let Err(error) = go_to_stripe(&api, &current.id, false).await {
                    busy.set(false);
                    match Access::of(&error) {
                        Some(access) => status.access.set(Some(access)),
                        None => problem.set(Some(problem::words(&error, strings))),
                    }
                }
            });
        }
    };

    let on_sign_in = {
        let api = api.clone();
        let landing = landing.clone();
        move |chosen: AccountId| {
            let same =
                matches!(&landing, Landing::Account(a) | Landing::Refresh(a) if *a == chosen);
            demo_sign_in(
                api.clone(),
                chosen,
                move |account| {
                    if same {
                        if let Some(window) = web_sys::window() {
                            let _ = window.location().reload();
                        }
                    } else {
                        navigate(&format!("/seller?account={account}"));
                    }
                },
                problem,
                strings,
            );
        }
    };
    let on_sign_out = {
        let api = api.clone();
        move || {
            let api = api.clone();
            if let Some(watch) = watch.try_update_value(Option::take).flatten() {
                watch.stop();
            }
            spawn_local(async move {
                if let Ok(abort) = AbortController::new() {
                    let _ = api.sign_out(&abort.signal()).await;
                }
                remember_account(None);
                status.status.set(None);
                status.access.set(Some(Access::SignIn));
            });
        }
    };

    // The Custom form is made once the account's kind, what is due and the configuration are
    // known, and only re-made when whether it is needed changes: polls do not disturb it.
    let form_needed = Memo::new(move |_| {
        config.with(Option::is_some)
            && status.status.with(|s| {
                s.as_ref().is_some_and(|s| {
                    s.kind == Some(AccountKind::Custom) && !Due::of(s).fields.is_empty()
                })
            })
    });
    let form = {
        let api = api.clone();
        move || {
            if !form_needed.get() {
                return None;
            }
            let current = status.status.get_untracked()?;
            let client = config.get_untracked()?;
            let test_hints = matches!(client.mode, Mode::Sandbox | Mode::Test);
            let on_status = move |fresh: SellerStatus| {
                if let Some(watch) = watch.get_value() {
                    watch.show(fresh);
                }
            };
            let on_access = move |access: Access| status.access.set(Some(access));
            Some(view! {
                <CustomForm
                    status=current
                    config=client
                    strings
                    locale=locale.get_value()
                    test_hints
                    api=api.clone()
                    on_status
                    on_access
                />
            })
        }
    };

    let has_status = Memo::new(move |_| status.status.with(Option::is_some));
    let status_view = {
        let on_continue = on_continue.clone();
        move || {
            if !has_status.get() {
                return view! { <p class="cs-muted" data-role="loading">{strings.loading}</p> }
                    .into_any();
            }
            let Some(first) = status.status.get_untracked() else {
                return ().into_any();
            };
            let seller_page = format!("/seller?account={}", first.id);
            let shown =
                Signal::derive(move || status.status.get().unwrap_or_else(|| first.clone()));
            let on_refresh = move || {
                if let Some(watch) = watch.get_value() {
                    watch.wake();
                }
            };
            view! {
                <StatusView
                    status=shown
                    strings
                    locale=locale.get_value()
                    live=status.live
                    busy=busy
                    on_continue=on_continue.clone()
                    on_refresh
                />
                {form.clone()}
                <p class="cs-links">
                    <a href=seller_page data-role="seller-page-link">{strings.see_payments}</a>
                </p>
            }
            .into_any()
        }
    };

    let content = move || {
        if let Some(access) = status.access.get() {
            return view! {
                <AccessView
                    access
                    strings
                    demo_sellers=demo_sellers
                    on_sign_in=on_sign_in.clone()
                    on_sign_out=on_sign_out.clone()
                />
            }
            .into_any();
        }
        match &landing {
            Landing::Choose => view! {
                <ChooseView state=choose strings locale=locale.get_value() on_create=on_create.clone() />
            }
            .into_any(),
            Landing::Refresh(_) => view! {
                <section class="cs-card" data-role="refreshing">
                    <p role="status">{strings.refreshing}</p>
                </section>
            }
            .into_any(),
            Landing::Account(_) => status_view.clone().into_any(),
        }
    };

    view! {
        <div class="cs-page" data-role="onboarding-page" lang=strings.lang>
            {move || mode_notice(mode.get(), strings)}
            <p class="cs-error" role="alert" data-role="page-problem">
                {move || problem.get().or_else(|| status.problem.get())}
            </p>
            {content}
        </div>
    }
}

/// The page's words, for the title.
pub fn strings_of(locale: Option<&str>) -> &'static SellerStrings {
    seller_strings_for(locale)
}
