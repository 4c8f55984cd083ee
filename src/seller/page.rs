//! The seller's page (`/seller?account=acct_…`): the account's status (kept fresh), the way to
//! Stripe's dashboard (Express, Standard), the recent payments and their refunds. A page for an
//! account the session does not allow shows the sign-in or the refusal instead, and nothing of
//! the account.

use std::rc::Rc;

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{AccountKind, Mode, RefundRequest, Seller};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use super::access::AccessView;
use super::client::SellerApi;
use super::payments::{PaymentsState, PaymentsView, RefundOrder, RefundPhase};
use super::poll::{StatusState, Watch};
use super::problem::{self, Access};
use super::status::StatusView;
use super::{go_to_stripe, navigate, new_attempt, remember_account};
use crate::api::ApiError;
use crate::i18n::seller::{SellerStrings, seller_strings_for};
use crate::money::format_money;

/// The signal of the page's requests: the page going away cancels them all.
fn page_signal(aborts: StoredValue<Option<AbortController>, LocalStorage>) -> web_sys::AbortSignal {
    aborts
        .with_value(|abort| abort.as_ref().map(AbortController::signal))
        .unwrap_or_else(web_sys::AbortSignal::abort)
}

/// The sandbox or test-mode notice.
pub fn mode_notice(mode: Option<Mode>, strings: &'static SellerStrings) -> Option<impl IntoView> {
    let text = match mode? {
        Mode::Sandbox => strings.mode_sandbox,
        Mode::Test => strings.mode_test,
        Mode::Live => return None,
    };
    Some(view! { <p class="cs-notice" data-role="mode-notice">{text}</p> })
}

/// Signs in as `account` (the demo sign-in) and opens that seller's page.
pub fn demo_sign_in(
    api: SellerApi,
    account: AccountId,
    then: impl FnOnce(&AccountId) + 'static,
    problem: RwSignal<Option<String>>,
    strings: &'static SellerStrings,
) {
    spawn_local(async move {
        let Ok(abort) = AbortController::new() else {
            return;
        };
        match api.demo_sign_in(&account, &abort.signal()).await {
            Ok(_) => {
                remember_account(Some(&account));
                then(&account);
            }
            Err(error) => problem.set(Some(problem::words(&error, strings))),
        }
    });
}

/// Loads the demo sellers when the page needs a sign-in in sandbox mode.
pub fn load_demo_sellers(api: SellerApi, mode: Option<Mode>, into: RwSignal<Vec<Seller>>) {
    if mode != Some(Mode::Sandbox) || !into.with_untracked(Vec::is_empty) {
        return;
    }
    spawn_local(async move {
        let Ok(abort) = AbortController::new() else {
            return;
        };
        if let Ok(list) = api.demo_sellers(&abort.signal()).await {
            into.set(list.sellers);
        }
    });
}

/// The seller's own page.
#[component]
pub fn SellerPage(
    /// The account to show; `None` asks the seller to sign in.
    account: Option<AccountId>,
    /// A BCP 47 locale for the words, the money and the dates; `None` follows the browser.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Where the function answers: `""` (the default) is the page's own origin.
    #[prop(optional)]
    api_base: String,
) -> impl IntoView {
    let strings = seller_strings_for(locale.as_deref());
    let api = SellerApi::new(&api_base);
    let status = StatusState::new();
    let payments = PaymentsState::new();
    let mode = RwSignal::new(None::<Mode>);
    let demo_sellers = RwSignal::new(Vec::<Seller>::new());
    let page_problem = RwSignal::new(None::<String>);
    let dashboard_busy = RwSignal::new(false);
    let continue_busy = RwSignal::new(false);
    let dashboard_problem = RwSignal::new(None::<String>);
    let aborts = StoredValue::new_local(AbortController::new().ok());
    let locale = StoredValue::new(locale.or_else(|| Some(strings.lang.to_owned())));
    let watch = StoredValue::new_local(None::<Rc<Watch>>);

    on_cleanup(move || {
        if let Some(watch) = watch.try_update_value(Option::take).flatten() {
            watch.stop();
        }
        if let Some(abort) = aborts.try_update_value(Option::take).flatten() {
            abort.abort();
        }
    });

    {
        let api = api.clone();
        let signal = page_signal(aborts);
        spawn_local(async move {
            if let Ok(config) = api.config(&signal).await {
                mode.set(Some(config.config.mode));
                if status.access.get_untracked().is_some() {
                    load_demo_sellers(api, Some(config.config.mode), demo_sellers);
                }
            }
        });
    }

    let load_payments = {
        let api = api.clone();
        let account = account.clone();
        move || {
            let (Some(account), api) = (account.clone(), api.clone()) else {
                return;
            };
            let signal = page_signal(aborts);
            spawn_local(async move {
                match api.payments(&account, &signal).await {
                    Ok(list) => {
                        payments.problem.set(None);
                        payments.payments.set(Some(list.payments));
                    }
                    Err(ApiError::Aborted) => {}
                    Err(error) => match Access::of(&error) {
                        Some(access) => status.access.set(Some(access)),
                        None => payments.problem.set(Some(problem::words(&error, strings))),
                    },
                }
            });
        }
    };

    match &account {
        Some(account) => {
            watch.set_value(Some(Watch::start(
                api.clone(),
                account.clone(),
                status,
                strings,
            )));
            load_payments();
        }
        None => status.access.set(Some(Access::SignIn)),
    }

    // The account this browser may see, once the function has shown it.
    Effect::new(move |_| {
        if let Some(id) = status.status.with(|s| s.as_ref().map(|s| s.id.clone())) {
            remember_account(Some(&id));
        }
    });

    // A sign-in is needed: in sandbox mode, list the sellers to sign in as.
    {
        let api = api.clone();
        Effect::new(move |_| {
            if status.access.get().is_some() {
                load_demo_sellers(api.clone(), mode.get_untracked(), demo_sellers);
            }
        });
    }

    let on_refund = {
        let api = api.clone();
        let account = account.clone();
        let load_payments = load_payments.clone();
        move |order: RefundOrder| {
            let (Some(account), api) = (account.clone(), api.clone()) else {
                return;
            };
            let load_payments = load_payments.clone();
            let signal = page_signal(aborts);
            spawn_local(async move {
                let request = RefundRequest {
                    payment_intent: order.payment_intent,
                    amount: order.amount,
                    attempt: order.attempt,
                };
                match api.refund(&account, &request, &signal).await {
                    Ok(refund) => {
                        let amount =
                            locale.with_value(|l| format_money(&refund.amount, l.as_deref()));
                        payments.draft.set(None);
                        payments
                            .notice
                            .set(Some(strings.refund_done.replace("{amount}", &amount)));
                        load_payments();
                    }
                    Err(ApiError::Aborted) => {}
                    Err(error) => {
                        if let Some(access) = Access::of(&error) {
                            status.access.set(Some(access));
                            return;
                        }
                        let words = strings
                            .refund_failed
                            .replace("{detail}", &problem::words(&error, strings));
                        payments.draft.update(|draft| {
                            if let Some(draft) = draft {
                                draft.phase = RefundPhase::Failed(words);
                            }
                        });
                    }
                }
            });
        }
    };

    let open_dashboard = {
        let api = api.clone();
        let account = account.clone();
        move || {
            let (Some(account), api) = (account.clone(), api.clone()) else {
                return;
            };
            if dashboard_busy.get_untracked() {
                return;
            }
            dashboard_busy.set(true);
            dashboard_problem.set(None);
            let signal = page_signal(aborts);
            spawn_local(async move {
                match api.dashboard_link(&account, &signal).await {
                    Ok(link) => navigate(&link.url),
                    Err(ApiError::Aborted) => {}
                    Err(error) => {
                        dashboard_busy.set(false);
                        match Access::of(&error) {
                            Some(access) => status.access.set(Some(access)),
                            None => dashboard_problem.set(Some(problem::words(&error, strings))),
                        }
                    }
                }
            });
        }
    };

    let sign_out = {
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
                payments.payments.set(None);
                status.status.set(None);
                status.access.set(Some(Access::SignIn));
            });
        }
    };

    let on_sign_in = {
        let api = api.clone();
        move |chosen: AccountId| {
            demo_sign_in(
                api.clone(),
                chosen,
                |account| navigate(&format!("/seller?account={account}")),
                page_problem,
                strings,
            );
        }
    };

    let kind = Memo::new(move |_| status.status.with(|s| s.as_ref().and_then(|s| s.kind)));
    let dashboard = {
        let open_dashboard = open_dashboard.clone();
        move || {
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
            let open_dashboard = open_dashboard.clone();
            Some(
                view! {
                    <button
                        type="button"
                        class="cs-button cs-primary"
                        data-role="dashboard"
                        disabled=move || dashboard_busy.get()
                        aria-busy=move || dashboard_busy.get().to_string()
                        on:click=move |_| open_dashboard()
                    >
                        {move || if dashboard_busy.get() { strings.opening } else { label }}
                    </button>
                }
                .into_any(),
            )
        }
    };

    let has_status = Memo::new(move |_| status.status.with(Option::is_some));
    let status_view = {
        let sign_out = sign_out.clone();
        let api = api.clone();
        move || {
            if !has_status.get() {
                return view! { <p class="cs-muted" data-role="loading">{strings.loading}</p> }
                    .into_any();
            }
            let Some(first) = status.status.get_untracked() else {
                return ().into_any();
            };
            let shown =
                Signal::derive(move || status.status.get().unwrap_or_else(|| first.clone()));
            let watch_refresh = move || {
                if let Some(watch) = watch.get_value() {
                    watch.wake();
                }
            };
            let sign_out = sign_out.clone();
            let api = api.clone();
            // Express and Standard sellers go straight back to Stripe; Custom sellers to the
            // platform's form on the onboarding page.
            let continue_onboarding = move || {
                let Some(current) = status.status.get_untracked() else {
                    return;
                };
                if current.kind == Some(AccountKind::Custom) {
                    navigate(&format!("/onboarding?account={}", current.id));
                    return;
                }
                if continue_busy.get_untracked() {
                    return;
                }
                continue_busy.set(true);
                let api = api.clone();
                spawn_local(async move {
                    if let Err(error) = go_to_stripe(&api, &current.id, false).await {
                        continue_busy.set(false);
                        match Access::of(&error) {
                            Some(access) => status.access.set(Some(access)),
                            None => page_problem.set(Some(problem::words(&error, strings))),
                        }
                    }
                });
            };
            view! {
                <div class="cs-toolbar">
                    <button
                        type="button"
                        class="cs-button cs-link"
                        data-role="sign-out"
                        on:click=move |_| sign_out()
                    >
                        {strings.sign_out}
                    </button>
                </div>
                <StatusView
                    status=shown
                    strings
                    locale=locale.get_value()
                    live=status.live
                    busy=continue_busy
                    on_continue=continue_onboarding
                    on_refresh=watch_refresh
                />
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
                    on_sign_out=sign_out.clone()
                />
            }
            .into_any();
        }
        view! {
            {status_view.clone()}
            <section class="cs-card cs-dashboard" aria-label=strings.kind_dashboard data-role="dashboard-section" hidden=move || kind.get().is_none()>
                {dashboard.clone()}
                <p class="cs-error" role="alert">{move || dashboard_problem.get()}</p>
            </section>
            <PaymentsView
                state=payments
                strings
                locale=locale.get_value()
                new_attempt=|_| new_attempt()
                on_refund=on_refund.clone()
            />
        }
        .into_any()
    };

    view! {
        <div class="cs-page" data-role="seller-page" lang=strings.lang>
            {move || mode_notice(mode.get(), strings)}
            <p class="cs-error" role="alert" data-role="page-problem">
                {move || status.problem.get().or_else(|| page_problem.get())}
            </p>
            {content}
        </div>
    }
}
