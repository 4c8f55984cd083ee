//! What a seller sees instead of a page their session does not allow: a sign-in (no session,
//! or an expired one) or a refusal (another seller's account, which shows nothing of it).
//!
//! In sandbox mode the sign-in lists every seller of the sandbox (the demo sign-in); a real
//! platform signs its sellers in with its own login, so the page says to use it.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::Seller;
use leptos::html;
use leptos::prelude::*;

use super::problem::Access;
use crate::i18n::seller::SellerStrings;

/// The sign-in prompt or the refusal. Takes the focus when shown, so a screen reader reads it.
#[component]
pub fn AccessView(
    /// Which of the two to show.
    access: Access,
    /// The words, in the seller's language.
    strings: &'static SellerStrings,
    /// The sellers of the demo sign-in; empty outside sandbox mode (the platform's own login
    /// is named instead).
    #[prop(into)]
    demo_sellers: Signal<Vec<Seller>>,
    /// The seller chose a demo seller to sign in as.
    #[prop(into)]
    on_sign_in: UnsyncCallback<AccountId>,
    /// The seller asked to sign out (from the refusal).
    #[prop(into)]
    on_sign_out: UnsyncCallback<()>,
) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let sellers = move || {
        let sellers = demo_sellers.get();
        if sellers.is_empty() {
            return view! { <p data-role="signin-platform">{strings.signin_platform}</p> }
                .into_any();
        }
        let buttons = sellers
            .into_iter()
            .map(|seller| {
                let id = seller.id.clone();
                let label = strings.signin_as.replace("{name}", &seller.display_name);
                view! {
                    <li>
                        <button
                            type="button"
                            class="cs-button"
                            data-role="demo-sign-in"
                            data-account=seller.id.as_str().to_owned()
                            on:click=move |_| on_sign_in.run(id.clone())
                        >
                            {label}
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <p>{strings.signin_demo}</p>
            <ul class="cs-signin-list">{buttons}</ul>
        }
        .into_any()
    };
    match access {
        Access::SignIn => view! {
            <section class="cs-card cs-access" data-role="sign-in" aria-labelledby="cs-access-title">
                <h2 id="cs-access-title" tabindex="-1" node_ref=heading>{strings.signin_title}</h2>
                <p>{strings.signin_expired}</p>
                {sellers}
                <p><a href="/onboarding" data-role="sign-up">{strings.sign_up}</a></p>
            </section>
        }
        .into_any(),
        Access::Forbidden => view! {
            <section class="cs-card cs-access" data-role="forbidden" aria-labelledby="cs-access-title">
                <h2 id="cs-access-title" tabindex="-1" node_ref=heading>{strings.forbidden_title}</h2>
                <p>{strings.forbidden_text}</p>
                <SignOutButton strings on_sign_out />
            </section>
        }
        .into_any(),
    }
}

/// The sign-out button (in the refusal, and above the seller's own page).
#[component]
pub fn SignOutButton(
    strings: &'static SellerStrings,
    /// The button's classes.
    #[prop(default = "cs-button")]
    class: &'static str,
    #[prop(into)] on_sign_out: UnsyncCallback<()>,
) -> impl IntoView {
    view! {
        <button type="button" class=class data-role="sign-out" on:click=move |_| on_sign_out.run(())>
            {strings.sign_out}
        </button>
    }
}
