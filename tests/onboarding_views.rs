//! The seller's components, mounted into a fresh element in headless Chromium and driven
//! through their signals, with assertions on the DOM a seller (and the end-to-end tests) sees:
//! the status page's states, the Custom form's field errors (its own, the function's `400
//! fields`, Stripe's verification errors), the refund's confirmation step (of a whole payment
//! and of a seller's part of a marketplace order), the kinds of account.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;

use connect_checkout::i18n::seller::{EN, FR, SellerStrings, seller_strings_for};
use connect_checkout::onboarding::custom::fields::{Due, Field, Step, check, details};
use connect_checkout::onboarding::custom::verification_errors;
use connect_checkout::onboarding::{
    ChooseState, ChooseView, CreatePhase, CustomFormView, FormPhase, FormState, Signup,
};
use connect_checkout::seller::format::{parse_amount, plain_amount};
use connect_checkout::seller::payments::{RefundOrder, refundable, status_words};
use connect_checkout::seller::{Access, AccessView, PaymentsState, PaymentsView, StatusView};
use connect_checkout::wire::FromJs;
use connect_checkout_core::api::{
    AccountKind, DisabledReason, ErrorBody, NextStep, RequirementError, Seller, SellerPayment,
    SellerStatus,
};
use connect_checkout_core::{AccountId, AttemptId, Currency, Money};
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn money(amount: i64) -> Money {
    Money::new(amount, Currency::new("usd").unwrap())
}

fn status(next_step: NextStep) -> SellerStatus {
    SellerStatus {
        id: AccountId::new("acct_1Status").unwrap(),
        kind: Some(AccountKind::Express),
        display_name: "Clay & Kiln".into(),
        email: Some("jenny@clay.example".into()),
        country: Some("US".into()),
        default_currency: Some(Currency::new("usd").unwrap()),
        charges_enabled: next_step == NextStep::Done,
        payouts_enabled: next_step == NextStep::Done,
        details_submitted: next_step != NextStep::CompleteOnboarding,
        currently_due: Vec::new(),
        eventually_due: Vec::new(),
        past_due: Vec::new(),
        pending_verification: Vec::new(),
        current_deadline: None,
        disabled_reason: None,
        errors: Vec::new(),
        next_step,
    }
}

fn custom_to_onboard() -> SellerStatus {
    let due: Vec<String> = [
        "business_profile.mcc",
        "business_profile.url",
        "business_type",
        "external_account",
        "individual.address.city",
        "individual.address.line1",
        "individual.address.postal_code",
        "individual.address.state",
        "individual.dob.day",
        "individual.dob.month",
        "individual.dob.year",
        "individual.email",
        "individual.first_name",
        "individual.last_name",
        "individual.phone",
        "individual.ssn_last_4",
        "tos_acceptance.date",
        "tos_acceptance.ip",
    ]
    .iter()
    .map(|r| (*r).to_owned())
    .collect();
    SellerStatus {
        kind: Some(AccountKind::Custom),
        currently_due: due.clone(),
        eventually_due: due,
        ..status(NextStep::CompleteOnboarding)
    }
}

fn fresh_container() -> HtmlElement {
    let document = document();
    let container = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&container).unwrap();
    container.unchecked_into()
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn exists(root: &Element, selector: &str) -> bool {
    root.query_selector(selector).unwrap().is_some()
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector)
        .text_content()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn button(root: &Element, selector: &str) -> HtmlButtonElement {
    find(root, selector).unchecked_into()
}

fn type_into(root: &Element, selector: &str, value: &str) {
    let input: HtmlInputElement = find(root, selector).unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn is_hidden(root: &Element, selector: &str) -> bool {
    find(root, selector).has_attribute("hidden")
}

/// Lets effects and the animation frame (where focus moves) run.
async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().request_animation_frame(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
    leptos::task::tick().await;
}

fn focused_id() -> String {
    document()
        .active_element()
        .map(|element| element.id())
        .unwrap_or_default()
}

type Handle = leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>;

fn mount_status(
    shown: RwSignal<SellerStatus>,
    strings: &'static SellerStrings,
) -> (Element, Rc<RefCell<u32>>, Handle) {
    let container = fresh_container();
    let presses = Rc::new(RefCell::new(0));
    let counted = Rc::clone(&presses);
    let handle = mount_to(container.clone(), move || {
        view! {
            <StatusView
                status=shown
                strings
                locale=Some("en-US".to_owned())
                on_continue=move || *counted.borrow_mut() += 1
                on_refresh=|| {}
            />
        }
        .into_any()
    });
    (container.into(), presses, handle)
}

// ---------------------------------------------------------------------------------------------
// The status page.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_new_account_shows_what_is_due_by_when_and_the_way_on() {
    let mut new = status(NextStep::CompleteOnboarding);
    new.currently_due = vec![
        "external_account".into(),
        "individual.dob.day".into(),
        "individual.dob.month".into(),
        "individual.dob.year".into(),
        "tos_acceptance.date".into(),
    ];
    new.past_due = vec!["external_account".into()];
    new.current_deadline = Some(1_798_761_600); // 2027-01-01
    new.disabled_reason = Some(DisabledReason {
        code: "requirements.past_due".into(),
        message: "Some required information is overdue.".into(),
    });
    let shown = RwSignal::new(new);
    let (root, presses, _handle) = mount_status(shown, &EN);
    settle().await;

    assert_eq!(text(&root, "[data-role=\"charges\"]"), "Not yet");
    assert_eq!(text(&root, "[data-role=\"payouts\"]"), "Not yet");
    assert_eq!(
        find(&root, "[data-role=\"status\"]")
            .get_attribute("data-next-step")
            .as_deref(),
        Some("complete_onboarding")
    );
    // Each requirement once, in words; the deadline in the heading.
    let due: Vec<String> = {
        let list = root
            .query_selector_all("[data-role=\"due-now\"] li")
            .unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i)?.text_content())
            .collect()
    };
    assert_eq!(
        due,
        [
            "Bank account for payouts",
            "Date of birth",
            "Acceptance of Stripe's agreement"
        ]
    );
    let heading = text(&root, "[data-role=\"due-heading\"]");
    assert!(heading.starts_with("Needed by"), "{heading}");
    assert!(heading.contains("2027"), "{heading}");
    assert!(
        text(&root, "[data-role=\"disabled-reason\"]").contains("overdue"),
        "the disabled reason in words"
    );
    assert_eq!(
        text(&root, "[data-role=\"next-step-words\"]"),
        EN.next_complete_onboarding
    );
    assert!(is_hidden(&root, "[data-role=\"nothing-due\"]"));
    let go_on = button(&root, "button[data-role=\"continue\"]");
    assert!(!go_on.has_attribute("hidden"));
    assert_eq!(go_on.text_content().unwrap(), "Continue with Stripe");
    go_on.click();
    assert_eq!(*presses.borrow(), 1);
}

#[wasm_bindgen_test]
async fn pending_checks_and_verification_errors_are_listed_and_a_done_account_has_no_step() {
    let mut waiting = status(NextStep::WaitForVerification);
    waiting.pending_verification = vec!["individual.id_number".into()];
    waiting.errors = vec![RequirementError {
        requirement: "individual.address.line1".into(),
        code: "verification_failed_address_match".into(),
        reason: "The address you entered could not be verified.".into(),
    }];
    let shown = RwSignal::new(waiting);
    let (root, _presses, _handle) = mount_status(shown, &EN);
    settle().await;
    assert_eq!(text(&root, "[data-role=\"pending\"]"), "ID number");
    let errors = text(&root, "[data-role=\"verification-errors\"]");
    assert!(errors.starts_with("Address: The address"), "{errors}");
    assert!(is_hidden(&root, "button[data-role=\"continue\"]"));
    assert_eq!(text(&root, "[data-role=\"next-step-words\"]"), EN.next_wait);

    // The account changes under the page: the same view follows.
    shown.set(status(NextStep::Done));
    settle().await;
    assert_eq!(text(&root, "[data-role=\"charges\"]"), "Yes");
    assert_eq!(
        find(&root, "[data-role=\"charges\"]")
            .get_attribute("data-enabled")
            .as_deref(),
        Some("true")
    );
    assert!(!exists(&root, "[data-role=\"pending\"]"));
    assert!(!is_hidden(&root, "[data-role=\"nothing-due\"]"));
    assert_eq!(text(&root, "[data-role=\"next-step-words\"]"), EN.next_done);
}

#[wasm_bindgen_test]
async fn a_custom_account_continues_on_the_platforms_form_in_french() {
    let mut custom = custom_to_onboard();
    custom.disabled_reason = Some(DisabledReason {
        code: "requirements.past_due".into(),
        message: "Some required information is overdue.".into(),
    });
    let shown = RwSignal::new(custom);
    let (root, _presses, _handle) = mount_status(shown, &FR);
    settle().await;
    assert_eq!(text(&root, "[data-role=\"charges\"]"), "Pas encore");
    assert_eq!(text(&root, "button[data-role=\"continue\"]"), "Continuer");
    assert!(text(&root, "[data-role=\"due-now\"]").contains("Compte bancaire"));
    // Stripe's code in the seller's language, not the function's English sentence.
    assert!(text(&root, "[data-role=\"disabled-reason\"]").contains("en retard"));
}

// ---------------------------------------------------------------------------------------------
// The Custom form.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
fn the_form_asks_only_for_what_is_due() {
    let due = Due::of(&custom_to_onboard());
    assert_eq!(
        due.steps(),
        [
            Step::Business,
            Step::Person,
            Step::Address,
            Step::Identity,
            Step::Bank,
            Step::Terms
        ]
    );
    assert!(due.asks(Field::SsnLast4) && due.asks(Field::IdNumber));

    // Only a failed identity check left: the name and the date of birth, nothing else.
    let mut failed = status(NextStep::ProvideInformation);
    failed.kind = Some(AccountKind::Custom);
    failed.currently_due = vec!["individual.verification.document".into()];
    failed.errors = vec![RequirementError {
        requirement: "individual.verification.document".into(),
        code: "verification_failed_keyed_identity".into(),
        reason: "The identity information you entered cannot be verified.".into(),
    }];
    let due = Due::of(&failed);
    assert_eq!(due.steps(), [Step::Person]);
    assert_eq!(due.fields, [Field::FirstName, Field::LastName, Field::Dob]);
    let errors = verification_errors(&failed, &EN);
    assert_eq!(errors[0].0, Field::Dob);
    assert!(errors[0].1.starts_with("Stripe says: The identity"));

    // The full number, when the last four did not match.
    failed.currently_due = vec!["individual.id_number".into()];
    failed.errors.clear();
    let due = Due::of(&failed);
    assert_eq!(due.fields, [Field::IdNumber]);
    assert!(due.full_id_number);
}

#[wasm_bindgen_test]
fn answers_become_only_the_details_that_are_due() {
    let due = Due::of(&custom_to_onboard());
    let mut values = connect_checkout::onboarding::custom::prefill(&custom_to_onboard());
    for (key, value) in [
        ("business_url", "https://clay.example"),
        ("mcc", "5970"),
        ("first_name", " Jenny "),
        ("last_name", "Rosen"),
        ("phone", "000 000 0000"),
        ("dob_day", "1"),
        ("dob_month", "1"),
        ("dob_year", "1901"),
        ("line1", "address_full_match"),
        ("city", "San Francisco"),
        ("state", "CA"),
        ("postal_code", "94103"),
        ("ssn_last_4", "0000"),
        ("accept_terms", "on"),
    ] {
        values.insert(key, value.to_owned());
    }
    let sent = details(&values, &due, Some("btok_1".into()));
    let person = sent.individual.clone().unwrap();
    assert_eq!(person.first_name.as_deref(), Some("Jenny"));
    assert_eq!(person.email.as_deref(), Some("jenny@clay.example"));
    assert_eq!(person.dob.unwrap().year, 1901);
    assert_eq!(person.address.unwrap().country, "US");
    assert_eq!(person.ssn_last_4.as_deref(), Some("0000"));
    assert_eq!(person.id_number, None);
    assert_eq!(sent.mcc.as_deref(), Some("5970"));
    assert_eq!(sent.bank_account_token.as_deref(), Some("btok_1"));
    assert!(sent.accept_terms);
    // The function's own rules agree with the form's.
    assert_eq!(sent.validate((2026, 11, 29)), Ok(()));

    // What is not due is not sent.
    let mut only_terms = status(NextStep::ProvideInformation);
    only_terms.currently_due = vec!["tos_acceptance.date".into()];
    let sent = details(&values, &Due::of(&only_terms), None);
    assert_eq!(sent.individual, None);
    assert_eq!(sent.business_url, None);
    assert!(sent.accept_terms);
}

#[wasm_bindgen_test]
fn each_check_says_what_to_fix() {
    let due = Due::of(&custom_to_onboard());
    let today = (2026, 11, 29);
    let mut values = connect_checkout::onboarding::custom::fields::Values::new();
    let said = |field, values: &_| check(field, values, &due, today, &EN);
    assert_eq!(said(Field::BusinessUrl, &values), Some(EN.err_business_url));
    values.insert("product_description", "Mugs".into());
    assert_eq!(
        said(Field::BusinessUrl, &values),
        None,
        "a description will do"
    );
    values.insert("business_url", "clay.example".into());
    assert_eq!(said(Field::BusinessUrl, &values), Some(EN.err_business_url));
    values.insert("dob_day", "29".into());
    values.insert("dob_month", "2".into());
    values.insert("dob_year", "2023".into());
    assert_eq!(said(Field::Dob, &values), Some(EN.err_dob));
    values.insert("dob_day", "28".into());
    assert_eq!(said(Field::Dob, &values), Some(EN.err_dob_age));
    values.insert("routing_number", "11000000".into());
    assert_eq!(
        said(Field::RoutingNumber, &values),
        Some(EN.err_routing_number)
    );
    values.insert("country", "US".into());
    assert_eq!(said(Field::State, &values), Some(EN.err_state));
    values.insert("country", "GB".into());
    assert_eq!(said(Field::State, &values), None, "no state in the UK");
    assert_eq!(said(Field::IdNumber, &values), Some(EN.err_identity));
    values.insert("ssn_last_4", "0000".into());
    assert_eq!(
        said(Field::IdNumber, &values),
        None,
        "the last four will do"
    );
}

fn mount_form(state: FormState) -> (Element, Rc<RefCell<u32>>, Handle) {
    let container = fresh_container();
    let submits = Rc::new(RefCell::new(0));
    let counted = Rc::clone(&submits);
    let handle = mount_to(container.clone(), move || {
        view! {
            <CustomFormView
                state
                strings=&EN
                test_hints=true
                locale=Some("en-US".to_owned())
                today=(2026, 11, 29)
                on_submit=move || *counted.borrow_mut() += 1
            />
        }
        .into_any()
    });
    (container.into(), submits, handle)
}

#[wasm_bindgen_test]
async fn continuing_with_wrong_answers_marks_each_field_and_focuses_the_first() {
    let status = custom_to_onboard();
    let state = FormState::new(
        Due::of(&status),
        connect_checkout::onboarding::custom::prefill(&status),
    );
    let (root, submits, _handle) = mount_form(state);
    settle().await;
    assert_eq!(
        text(&root, "[data-role=\"step-title\"]"),
        "Step 1 of 6: Your business"
    );
    button(&root, "button[data-role=\"form-next\"]").click();
    settle().await;

    assert_eq!(text(&root, "#cs-f-business_url-error"), EN.err_business_url);
    assert_eq!(text(&root, "#cs-f-mcc-error"), EN.err_mcc);
    assert_eq!(
        find(&root, "#cs-f-business_url")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    let described = find(&root, "#cs-f-mcc")
        .get_attribute("aria-describedby")
        .unwrap();
    assert!(described.contains("cs-f-mcc-error"), "{described}");
    assert_eq!(focused_id(), "cs-f-business_url");
    assert!(text(&root, "[data-role=\"form-summary\"]").contains("(2)"));
    assert_eq!(
        find(&root, "[data-role=\"form-summary\"]")
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );

    // Fixing a field clears its message as it is typed.
    type_into(&root, "#cs-f-business_url", "https://clay.example");
    settle().await;
    assert_eq!(text(&root, "#cs-f-business_url-error"), "");
    assert_eq!(text(&root, "#cs-f-mcc-error"), EN.err_mcc);

    state.values.update(|values| {
        values.insert("mcc", "5970".into());
    });
    button(&root, "button[data-role=\"form-next\"]").click();
    settle().await;
    assert_eq!(
        text(&root, "[data-role=\"step-title\"]"),
        "Step 2 of 6: About you"
    );
    assert_eq!(
        focused_id(),
        "cs-step-title",
        "the new step's heading has the focus"
    );
    assert!(
        text(&root, "#cs-f-dob-hint").contains("1901"),
        "sandbox hints"
    );
    assert_eq!(*submits.borrow(), 0);
}

#[wasm_bindgen_test]
async fn the_functions_and_stripes_errors_go_against_their_fields() {
    let status = custom_to_onboard();
    let state = FormState::new(
        Due::of(&status),
        connect_checkout::onboarding::custom::prefill(&status),
    );
    let (root, _submits, _handle) = mount_form(state);
    settle().await;

    // A 400 from the function, read as the client reads it, with Stripe's parameter names.
    let body = ErrorBody::from_js(
        &js_sys::JSON::parse(
            r#"{"error":{"code":"invalid_request","message":"individual.address.postal_code: enter the postal code","fields":[
                {"field":"individual.address.postal_code","message":"enter the postal code"},
                {"field":"bank_account_token","message":"the bank account was not tokenised: enter it again"}]}}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let errors: Vec<(Field, String)> = body
        .error
        .fields
        .iter()
        .filter_map(|f| Field::from_name(&f.field).map(|field| (field, f.message.clone())))
        .collect();
    assert_eq!(errors[0].0, Field::PostalCode);
    assert_eq!(errors[1].0, Field::AccountNumber);
    state.show_errors(errors, &EN);
    settle().await;
    assert_eq!(
        text(&root, "[data-role=\"step-title\"]"),
        "Step 3 of 6: Your address",
        "the form goes to the first error's step"
    );
    assert_eq!(
        text(&root, "#cs-f-postal_code-error"),
        "enter the postal code"
    );
    assert_eq!(focused_id(), "cs-f-postal_code");

    // Stripe.js's bank token errors name `bank_account[routing_number]`.
    assert_eq!(
        Field::from_name("bank_account[routing_number]"),
        Some(Field::RoutingNumber)
    );
    assert_eq!(
        Field::from_name("individual.verification.document"),
        Some(Field::Dob)
    );
}

#[wasm_bindgen_test]
async fn the_last_step_submits_once() {
    let mut terms_only = status(NextStep::ProvideInformation);
    terms_only.kind = Some(AccountKind::Custom);
    terms_only.currently_due = vec!["tos_acceptance.date".into(), "tos_acceptance.ip".into()];
    let state = FormState::new(Due::of(&terms_only), Default::default());
    let (root, submits, _handle) = mount_form(state);
    settle().await;
    assert_eq!(text(&root, "button[data-role=\"form-next\"]"), EN.submit);
    button(&root, "button[data-role=\"form-next\"]").click();
    settle().await;
    assert_eq!(text(&root, "#cs-f-accept_terms-error"), EN.err_terms);
    assert_eq!(*submits.borrow(), 0);

    let checkbox: HtmlInputElement = find(&root, "#cs-f-accept_terms").unchecked_into();
    checkbox.click();
    settle().await;
    let next = button(&root, "button[data-role=\"form-next\"]");
    next.click();
    next.click();
    settle().await;
    assert_eq!(*submits.borrow(), 1, "a double click sends once");
    assert_eq!(state.phase.get_untracked(), FormPhase::Submitting);
    assert_eq!(
        text(&root, "button[data-role=\"form-next\"]"),
        EN.submitting
    );
}

// ---------------------------------------------------------------------------------------------
// Payments and refunds.
// ---------------------------------------------------------------------------------------------

fn payment(id: &str, amount: i64, refunded: i64) -> SellerPayment {
    SellerPayment {
        id: id.into(),
        amount: money(amount),
        fee: Some(money(230)),
        refunded: money(refunded),
        status: "succeeded".into(),
        created: 1_798_761_600,
        description: Some("1 × Stoneware mug".into()),
        transfer: None,
    }
}

fn mount_payments(state: PaymentsState) -> (Element, Rc<RefCell<Vec<RefundOrder>>>, Handle) {
    let container = fresh_container();
    let orders = Rc::new(RefCell::new(Vec::new()));
    let kept = Rc::clone(&orders);
    let handle = mount_to(container.clone(), move || {
        view! {
            <PaymentsView
                state
                strings=&EN
                locale=Some("en-US".to_owned())
                new_attempt=|_| AttemptId::new("07720849f3223c02c8a7218eb5c0d332").ok()
                on_refund=move |order| kept.borrow_mut().push(order)
            />
        }
        .into_any()
    });
    (container.into(), orders, handle)
}

#[wasm_bindgen_test]
async fn payments_show_amount_fee_status_date_and_what_was_refunded() {
    let state = PaymentsState::new();
    let (root, _orders, _handle) = mount_payments(state);
    settle().await;
    assert!(!is_hidden(&root, ".cs-payments > p.cs-muted"), "loading");
    state.payments.set(Some(Vec::new()));
    settle().await;
    assert!(!is_hidden(&root, "[data-role=\"no-payments\"]"));

    state.payments.set(Some(vec![
        payment("pi_full", 2000, 0),
        payment("pi_part", 2000, 500),
        payment("pi_done", 2000, 2000),
    ]));
    settle().await;
    let row = text(&root, "tr[data-payment=\"pi_full\"]");
    assert!(
        row.contains("$20.00") && row.contains("$2.30") && row.contains("Paid"),
        "{row}"
    );
    assert!(
        row.contains("2027") || row.contains("2026"),
        "the date: {row}"
    );
    assert_eq!(
        text(
            &root,
            "tr[data-payment=\"pi_part\"] [data-role=\"payment-status\"]"
        ),
        "Partly refunded"
    );
    assert_eq!(
        text(
            &root,
            "tr[data-payment=\"pi_part\"] [data-role=\"payment-refunded\"]"
        ),
        "$5.00"
    );
    assert!(
        !exists(
            &root,
            "tr[data-payment=\"pi_done\"] button[data-role=\"refund\"]"
        ),
        "nothing left to refund"
    );
    assert_eq!(
        status_words(&payment("pi_done", 2000, 2000), &EN),
        "Refunded"
    );
}

#[wasm_bindgen_test]
async fn a_refund_is_confirmed_first_and_a_double_click_asks_once() {
    let state = PaymentsState::new();
    state
        .payments
        .set(Some(vec![payment("pi_part", 2000, 500)]));
    let (root, orders, _handle) = mount_payments(state);
    settle().await;

    button(&root, "button[data-role=\"refund\"]").click();
    settle().await;
    assert!(
        orders.borrow().is_empty(),
        "nothing is refunded before the confirmation"
    );
    let amount: HtmlInputElement = find(&root, "[data-role=\"refund-amount\"]").unchecked_into();
    assert_eq!(amount.value(), "15.00", "what is left, to start with");
    assert_eq!(focused_id(), "cs-refund-amount");
    assert_eq!(
        text(&root, "[data-role=\"refund-confirm\"]"),
        "Refund $15.00"
    );
    assert!(text(&root, "#cs-refund-title").contains("$20.00"));

    // Too much: said against the amount, nothing asked.
    type_into(&root, "[data-role=\"refund-amount\"]", "16");
    settle().await;
    assert_eq!(text(&root, "[data-role=\"refund-confirm\"]"), "Refund");
    button(&root, "[data-role=\"refund-confirm\"]").click();
    settle().await;
    assert_eq!(
        text(&root, "[data-role=\"refund-amount-error\"]"),
        "Enter an amount greater than zero and no more than $15.00."
    );
    assert!(orders.borrow().is_empty());

    type_into(&root, "[data-role=\"refund-amount\"]", "2,50");
    settle().await;
    assert_eq!(
        text(&root, "[data-role=\"refund-confirm\"]"),
        "Refund $2.50"
    );
    let confirm = button(&root, "[data-role=\"refund-confirm\"]");
    confirm.click();
    confirm.click();
    settle().await;
    assert_eq!(
        orders.borrow().len(),
        1,
        "a double click asks for one refund"
    );
    let order = orders.borrow()[0].clone();
    assert_eq!(order.payment_intent, "pi_part");
    assert_eq!(order.amount, Some(250));
    assert_eq!(order.attempt.as_str(), "07720849f3223c02c8a7218eb5c0d332");
    assert_eq!(
        find(&root, "[data-role=\"refund-confirmation\"]")
            .get_attribute("data-phase")
            .as_deref(),
        Some("refunding")
    );
    assert_eq!(text(&root, "[data-role=\"refund-confirm\"]"), "Refunding…");
}

#[wasm_bindgen_test]
async fn everything_left_is_refunded_without_an_amount_and_cancel_gives_the_focus_back() {
    let state = PaymentsState::new();
    state.payments.set(Some(vec![payment("pi_full", 2000, 0)]));
    let (root, orders, _handle) = mount_payments(state);
    settle().await;
    button(&root, "button[data-role=\"refund\"]").click();
    settle().await;
    button(&root, "[data-role=\"refund-confirm\"]").click();
    settle().await;
    assert_eq!(orders.borrow()[0].amount, None, "all that is left");

    state.draft.set(None);
    settle().await;
    button(&root, "button[data-role=\"refund\"]").click();
    settle().await;
    button(&root, "[data-role=\"refund-cancel\"]").click();
    settle().await;
    assert!(!exists(&root, "[data-role=\"refund-confirmation\"]"));
    assert_eq!(
        document()
            .active_element()
            .and_then(|e| e.get_attribute("data-payment")),
        Some("pi_full".to_owned())
    );
}

/// Bean Street's part of a three-seller order: their lines, their subtotal and fee, their
/// Transfer.
fn marketplace_part(refunded: i64) -> SellerPayment {
    SellerPayment {
        id: "pi_order".into(),
        amount: money(3000),
        fee: Some(money(330)),
        refunded: money(refunded),
        status: "succeeded".into(),
        created: 1_798_761_600,
        description: Some("1 × Single Origin Kenya, 1 × Grinder brush".into()),
        transfer: Some("tr_1BeanStreetPart".into()),
    }
}

#[wasm_bindgen_test]
async fn a_marketplace_part_says_so_and_its_refund_stays_within_the_part() {
    let state = PaymentsState::new();
    state.payments.set(Some(vec![
        marketplace_part(1000),
        payment("pi_whole", 2000, 0),
    ]));
    let (root, orders, _handle) = mount_payments(state);
    settle().await;

    let part = "tr[data-payment=\"pi_order\"]";
    assert_eq!(
        find(&root, part).get_attribute("data-kind").as_deref(),
        Some("marketplace-part")
    );
    let row = text(&root, part);
    assert!(
        row.contains("Part of a multi-seller order")
            && row.contains("1 × Single Origin Kenya, 1 × Grinder brush")
            && row.contains("Paid to you by transfer tr_1BeanStreetPart"),
        "{row}"
    );
    assert_eq!(
        text(&root, &format!("{part} [data-role=\"payment-amount\"]")),
        "$30.00"
    );
    assert_eq!(
        text(&root, &format!("{part} [data-role=\"payment-fee\"]")),
        "$3.30"
    );
    assert_eq!(
        text(&root, &format!("{part} [data-role=\"payment-status\"]")),
        "Partly refunded"
    );
    assert!(
        !exists(
            &root,
            "tr[data-payment=\"pi_whole\"] [data-role=\"market-part\"]"
        ),
        "a whole payment is not a part"
    );

    button(&root, &format!("{part} button[data-role=\"refund\"]")).click();
    settle().await;
    let title = text(&root, "#cs-refund-title");
    assert!(
        title.starts_with("Refund your part ($30.00) of the order"),
        "{title}"
    );
    assert!(
        text(&root, "#cs-refund-hint").starts_with("Up to $20.00, what is left of your part."),
        "{}",
        text(&root, "#cs-refund-hint")
    );
    let amount: HtmlInputElement = find(&root, "[data-role=\"refund-amount\"]").unchecked_into();
    assert_eq!(amount.value(), "20.00", "what is left of the part");

    type_into(&root, "[data-role=\"refund-amount\"]", "20.01");
    settle().await;
    button(&root, "[data-role=\"refund-confirm\"]").click();
    settle().await;
    assert_eq!(
        text(&root, "[data-role=\"refund-amount-error\"]"),
        "Enter an amount greater than zero and no more than $20.00."
    );
    assert!(orders.borrow().is_empty(), "not more than the part");

    type_into(&root, "[data-role=\"refund-amount\"]", "5");
    settle().await;
    button(&root, "[data-role=\"refund-confirm\"]").click();
    settle().await;
    let order = orders.borrow()[0].clone();
    assert_eq!(
        order.payment_intent, "pi_order",
        "the order's PaymentIntent"
    );
    assert_eq!(order.amount, Some(500));
    assert_ne!(FR.market_part, EN.market_part);
    assert!(FR.refund_part_hint.contains("{max}") && FR.refund_part_title.contains("{amount}"));
}

#[wasm_bindgen_test]
fn typed_amounts_are_read_in_minor_units() {
    let usd = Currency::new("usd").unwrap();
    let jpy = Currency::new("jpy").unwrap();
    assert_eq!(parse_amount("12.5", &usd), Some(1250));
    assert_eq!(parse_amount("12,50", &usd), Some(1250));
    assert_eq!(parse_amount(".5", &usd), Some(50));
    assert_eq!(parse_amount("12.505", &usd), None);
    assert_eq!(parse_amount("-1", &usd), None);
    assert_eq!(parse_amount("1e3", &usd), None);
    assert_eq!(parse_amount("1500", &jpy), Some(1500));
    assert_eq!(parse_amount("1500.5", &jpy), None);
    assert_eq!(plain_amount(&money(1505)), "15.05");
    assert_eq!(
        refundable(&payment("pi", 2000, 500)).map(|m| m.amount),
        Some(1500)
    );
}

// ---------------------------------------------------------------------------------------------
// Choosing a kind of account, and the session's refusals.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn only_the_kinds_the_platform_offers_are_shown_and_create_asks_once() {
    let state = ChooseState::new();
    let container = fresh_container();
    let signups = Rc::new(RefCell::new(Vec::<Signup>::new()));
    let kept = Rc::clone(&signups);
    let _handle = mount_to(container.clone(), move || {
        view! {
            <ChooseView
                state
                strings=&EN
                locale=Some("en-US".to_owned())
                on_create=move |signup| kept.borrow_mut().push(signup)
            />
        }
        .into_any()
    });
    let root: Element = container.into();
    state.offer(vec![AccountKind::Express, AccountKind::Custom]);
    settle().await;
    assert!(exists(&root, "#cs-kind-express") && exists(&root, "#cs-kind-custom"));
    assert!(!exists(&root, "#cs-kind-standard"));
    let express = text(&root, "[data-kind=\"express\"]");
    assert!(express.contains(EN.express.losses), "{express}");

    find(&root, "#cs-kind-custom")
        .unchecked_into::<HtmlInputElement>()
        .click();
    type_into(&root, "#cs-signup-email", "jenny@clay.example");
    settle().await;
    let create = button(&root, "button[data-role=\"create\"]");
    create.click();
    create.click();
    settle().await;
    assert_eq!(signups.borrow().len(), 1, "a double submit creates once");
    assert_eq!(
        signups.borrow()[0],
        Signup {
            kind: AccountKind::Custom,
            email: "jenny@clay.example".into(),
            country: "US".into()
        }
    );
    assert_eq!(state.phase.get_untracked(), CreatePhase::Creating);

    // One kind only: it is chosen.
    let single = ChooseState::new();
    single.offer(vec![AccountKind::Standard]);
    assert_eq!(single.kind.get_untracked(), Some(AccountKind::Standard));
}

#[wasm_bindgen_test]
async fn a_refusal_shows_nothing_and_a_sign_in_lists_the_demo_sellers() {
    let container = fresh_container();
    let _handle = mount_to(container.clone(), move || {
        view! {
            <AccessView
                access=Access::Forbidden
                strings=&EN
                demo_sellers=Signal::stored(Vec::new())
                on_sign_in=|_| {}
                on_sign_out=|| {}
            />
        }
        .into_any()
    });
    let root: Element = container.into();
    settle().await;
    assert_eq!(text(&root, "h2"), EN.forbidden_title);
    assert_eq!(focused_id(), "cs-access-title");

    let container = fresh_container();
    let chosen = Rc::new(RefCell::new(None::<AccountId>));
    let kept = Rc::clone(&chosen);
    let sellers = vec![Seller {
        id: AccountId::new("acct_1LumenCoffee0001").unwrap(),
        display_name: "Lumen Coffee Roasters".into(),
        default_currency: None,
    }];
    let _handle = mount_to(container.clone(), move || {
        view! {
            <AccessView
                access=Access::SignIn
                strings=&EN
                demo_sellers=Signal::stored(sellers.clone())
                on_sign_in=move |account| *kept.borrow_mut() = Some(account)
                on_sign_out=|| {}
            />
        }
        .into_any()
    });
    let root: Element = container.into();
    settle().await;
    let sign_in = button(&root, "button[data-role=\"demo-sign-in\"]");
    assert_eq!(
        sign_in.text_content().unwrap(),
        "Sign in as Lumen Coffee Roasters"
    );
    sign_in.click();
    assert_eq!(
        chosen.borrow().as_ref().map(AccountId::as_str),
        Some("acct_1LumenCoffee0001")
    );
    assert_eq!(seller_strings_for(Some("fr-CA")).lang, "fr");
}
