//! Seller onboarding (`/onboarding`): choose the kind of account with a plain explanation of
//! each, create it, go through onboarding (Stripe's hosted pages for Express and Standard, the
//! platform's own form for Custom), come back to the status page.
//!
//! - [`choose`]: the kinds explained and the create form (`ChooseView`).
//! - [`custom`]: the Custom form (`CustomForm`, `CustomFormView`, the fields as data).
//! - [`flow`]: `OnboardingFlow`, the page's requests (configuration, create, a fresh link).
//! - [`page`]: `OnboardingPage`, which part the address asks for, showing the flow.
//!
//! The status view, its polling and the sign-in are the seller's page's ([`crate::seller`]).
//! None of this is reachable from the checkout: the embed build carries none of it.

pub mod choose;
pub mod custom;
pub mod flow;
pub mod page;

use leptos::mount::mount_to;
use leptos::prelude::*;

pub use choose::{ChooseState, ChooseView, CreatePhase, Signup};
pub use custom::CustomForm;
pub use custom::fields::{Due, Field, Step};
pub use custom::state::{FormPhase, FormState};
pub use custom::view::CustomFormView;
pub use flow::OnboardingFlow;
pub use page::{Landing, OnboardingPage};

use crate::seller::{SellerSession, mount_point, page_locale, title_page};

/// Mounts the onboarding page into index.html's `<main id="app">`.
pub fn mount() {
    let Some(parent) = mount_point() else {
        return;
    };
    let locale = page_locale();
    let strings = page::strings_of(locale.as_deref());
    title_page(strings, strings.onboarding_title, strings.onboarding_intro);
    let landing = Landing::from_url();
    mount_to(parent, move || {
        let session = SellerSession::new(locale, "");
        view! { <OnboardingPage session landing /> }
    })
    .forget();
}
