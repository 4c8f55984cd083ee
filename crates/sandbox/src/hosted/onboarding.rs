//! Hosted onboarding, reached through an Account Link. `GET /setup/c/{account}/{token}` spends
//! the link (a stale or spent one goes to `refresh_url`) and sends the browser to its page,
//! `/setup/s/{session}`: a form prefilled with Stripe's passing test data. **Agree and submit**
//! (`action=submit`) saves it, accepts the terms, fires `account.updated` and returns to
//! `return_url`; **Save and finish later** (`action=later`) saves what was typed and returns
//! with the account still incomplete. A bare `POST` of `action=submit` fills in everything
//! with the test data, for tests without a browser.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{esc, form_pairs, page};
use crate::events::Origin;
use crate::resources::account::Account;
use crate::resources::account::bank::BankAccount;
use crate::resources::account::profile::Profile;
use crate::resources::account_link::{OnboardingSession, SESSION_SECONDS};
use crate::state::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/setup/c/{account}/{token}", get(open_link))
        .route("/setup/s/{session}", get(show).post(submit))
}

fn redirect(status: StatusCode, to: &str) -> Response {
    let mut response = status.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn invalid_link() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link expired",
        "<h1>This link has expired or was already used</h1>\n<p>Ask the platform for a new \
         onboarding link.</p>",
    )
}

/// `GET /setup/c/{account}/{token}`.
async fn open_link(
    State(state): State<SandboxState>,
    Path((account, token)): Path<(String, String)>,
) -> Response {
    let now = state.now();
    let mut store = state.store();
    let exists = store.accounts.contains_key(&account);
    let Some(link) = store
        .account_links
        .get_mut(&token)
        .filter(|l| l.account == account)
    else {
        return invalid_link();
    };
    if link.used || link.expires_at <= now || !exists {
        let refresh = link.refresh_url.clone();
        return match refresh {
            Some(url) => redirect(StatusCode::FOUND, &url),
            None => invalid_link(),
        };
    }
    link.used = true;
    let session = OnboardingSession {
        account: link.account.clone(),
        kind: link.kind.clone(),
        refresh_url: link.refresh_url.clone(),
        return_url: link.return_url.clone(),
        expires_at: now + SESSION_SECONDS,
    };
    let id = store.new_id("obs_", 24);
    store.onboarding_sessions.insert(id.clone(), session);
    redirect(StatusCode::SEE_OTHER, &format!("/setup/s/{id}"))
}

fn session(state: &SandboxState, id: &str) -> Option<(OnboardingSession, Account)> {
    let store = state.store();
    let session = store.onboarding_sessions.get(id)?.clone();
    let account = store.accounts.get(&session.account)?.clone();
    Some((session, account))
}

/// An onboarding page left open too long goes to `refresh_url`, like a stale link.
fn stale(state: &SandboxState, session: &OnboardingSession) -> Option<Response> {
    (session.expires_at <= state.now()).then(|| match &session.refresh_url {
        Some(url) => redirect(StatusCode::FOUND, url),
        None => invalid_link(),
    })
}

fn val(v: &Option<String>) -> String {
    esc(v.as_deref().unwrap_or_default())
}

fn input(name: &str, label: &str, value: &str, kind: &str, extra: &str) -> String {
    format!(
        "<label for=\"{name}\">{label}</label>\n<input id=\"{name}\" name=\"{name}\" \
         type=\"{kind}\" value=\"{value}\" {extra}>\n"
    )
}

/// The form, prefilled with what the account has and the passing test values elsewhere.
fn form(
    session_id: &str,
    session: &OnboardingSession,
    account: &Account,
    error: Option<&str>,
) -> Response {
    // Both halves of the form are prefilled: as a person and as a company.
    let prefilled = |kind: &str| {
        let mut p: Profile = account.profile.clone();
        p.business_type = Some(kind.to_owned());
        p.fill_test_data(&account.country, account.email.as_deref());
        p
    };
    let prefill = prefilled("individual");
    let as_company = prefilled("company");
    let i = &prefill.individual;
    let c = &as_company.company;
    let dob = i
        .dob
        .map(|(d, m, y)| format!("{y:04}-{m:02}-{d:02}"))
        .unwrap_or_default();
    let company = account
        .profile
        .business_type
        .as_deref()
        .is_some_and(|t| t != "individual");
    let name = if account.business_name.is_empty() {
        "your business".to_owned()
    } else {
        account.business_name.clone()
    };
    let heading = if session.kind == "account_update" {
        format!("Update the details of {}", esc(&name))
    } else {
        format!("Set up payments for {}", esc(&name))
    };
    let mut body = format!("<h1>{heading}</h1>\n");
    if let Some(error) = error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\" id=\"form-error\">{}</p>\n",
            esc(error)
        ));
    }
    if !account.currently_due.is_empty() {
        body.push_str("<h2>Still needed</h2>\n<ul>\n");
        for item in &account.currently_due {
            body.push_str(&format!("<li><code>{}</code></li>\n", esc(item)));
        }
        body.push_str("</ul>\n");
        for e in &account.requirement_errors {
            body.push_str(&format!(
                "<p class=\"error\"><code>{}</code>: {}</p>\n",
                esc(&e.requirement),
                esc(&e.reason)
            ));
        }
    }
    body.push_str(&format!(
        "<p>The form is filled with Stripe's test data that passes verification. Change a value \
         to try a failure: date of birth other than 1901-01-01, address line 1 \
         <code>address_no_match</code>, or account number <code>000111111113</code>.</p>\n\
         <form method=\"post\" action=\"/setup/s/{}\" novalidate>\n",
        esc(session_id)
    ));
    body.push_str("<fieldset>\n<legend>Business</legend>\n");
    body.push_str(&format!(
        "<label for=\"business_type\">Business type</label>\n\
         <select id=\"business_type\" name=\"business_type\">\n\
         <option value=\"individual\"{}>Individual or sole proprietor</option>\n\
         <option value=\"company\"{}>Company</option>\n</select>\n",
        if company { "" } else { " selected" },
        if company { " selected" } else { "" },
    ));
    body.push_str(&input(
        "business_url",
        "Business website",
        &val(&account.business_url),
        "url",
        "",
    ));
    body.push_str(&input(
        "product_description",
        "What you sell",
        &val(&prefill.product_description),
        "text",
        "",
    ));
    body.push_str(&input(
        "mcc",
        "Merchant category code",
        &val(&prefill.mcc),
        "text",
        "inputmode=\"numeric\" maxlength=\"4\"",
    ));
    body.push_str(
        "</fieldset>\n<fieldset>\n<legend>Representative (individual accounts)</legend>\n",
    );
    body.push_str(&input(
        "first_name",
        "First name",
        &val(&i.first_name),
        "text",
        "autocomplete=\"given-name\"",
    ));
    body.push_str(&input(
        "last_name",
        "Last name",
        &val(&i.last_name),
        "text",
        "autocomplete=\"family-name\"",
    ));
    body.push_str(&input(
        "email",
        "Email",
        &val(&i.email),
        "email",
        "autocomplete=\"email\"",
    ));
    body.push_str(&input(
        "phone",
        "Phone",
        &val(&i.phone),
        "tel",
        "autocomplete=\"tel\"",
    ));
    body.push_str(&input(
        "dob",
        "Date of birth",
        &esc(&dob),
        "date",
        "autocomplete=\"bday\"",
    ));
    body.push_str(&input(
        "line1",
        "Address line 1",
        &val(&i.address.line1),
        "text",
        "autocomplete=\"address-line1\"",
    ));
    body.push_str(&input(
        "city",
        "City",
        &val(&i.address.city),
        "text",
        "autocomplete=\"address-level2\"",
    ));
    body.push_str(&input(
        "state",
        "State",
        &val(&i.address.state),
        "text",
        "autocomplete=\"address-level1\"",
    ));
    body.push_str(&input(
        "postal_code",
        "Postal code",
        &val(&i.address.postal_code),
        "text",
        "autocomplete=\"postal-code\"",
    ));
    if account.country == "US" {
        body.push_str(&input(
            "ssn_last_4",
            "Last 4 digits of SSN",
            &val(&i.ssn_last_4),
            "text",
            "inputmode=\"numeric\" maxlength=\"4\"",
        ));
    }
    body.push_str("</fieldset>\n<fieldset>\n<legend>Company (company accounts)</legend>\n");
    body.push_str(&input(
        "company_name",
        "Legal name",
        &val(&c.name),
        "text",
        "autocomplete=\"organization\"",
    ));
    body.push_str(&input(
        "company_phone",
        "Company phone",
        &val(&c.phone),
        "tel",
        "",
    ));
    body.push_str(&input(
        "company_tax_id",
        "Tax ID (EIN)",
        "000000000",
        "text",
        "inputmode=\"numeric\"",
    ));
    body.push_str("</fieldset>\n<fieldset>\n<legend>Bank account for payouts</legend>\n");
    if account.country == "US" {
        body.push_str(&input(
            "routing_number",
            "Routing number",
            "110000000",
            "text",
            "inputmode=\"numeric\"",
        ));
    }
    body.push_str(&input(
        "account_number",
        "Account number",
        "000123456789",
        "text",
        "inputmode=\"numeric\"",
    ));
    body.push_str("</fieldset>\n");
    body.push_str(
        "<p><input type=\"checkbox\" id=\"accept_tos\" name=\"accept_tos\" value=\"on\" checked>\n\
         <label for=\"accept_tos\" style=\"display:inline\">I agree to the Stripe Connected \
         Account Agreement (test mode).</label></p>\n\
         <div class=\"actions\">\n\
         <button type=\"submit\" name=\"action\" value=\"submit\">Agree and submit</button>\n\
         <button type=\"submit\" name=\"action\" value=\"later\" class=\"secondary\">Save and finish later</button>\n\
         </div>\n</form>\n",
    );
    page(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        "Onboarding",
        &body,
    )
}

/// `GET /setup/s/{session}`.
async fn show(State(state): State<SandboxState>, Path(id): Path<String>) -> Response {
    match session(&state, &id) {
        Some((session, _)) if let Some(stale) = stale(&state, &session) => stale,
        Some((session, account)) => form(&id, &session, &account, None),
        None => invalid_link(),
    }
}

/// Puts the posted fields on the profile (empty fields are left as they were).
fn apply_form(
    profile: &mut Profile,
    account: &mut Account,
    fields: &HashMap<String, String>,
    bank_id: String,
) -> Result<(), String> {
    let get = |name: &str| fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let own = |v: &str| Some(v.to_owned());
    if let Some(kind) = get("business_type") {
        if !["individual", "company"].contains(&kind) {
            return Err("Choose a business type.".to_owned());
        }
        profile.business_type = own(kind);
    }
    if profile.business_type.is_none() {
        profile.business_type = own("individual");
    }
    if let Some(url) = get("business_url") {
        account.business_url = own(url);
        profile.support_url = own(url);
    }
    if let Some(v) = get("product_description") {
        profile.product_description = own(v);
    }
    if let Some(v) = get("mcc") {
        if v.len() != 4 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err("The merchant category code has four digits.".to_owned());
        }
        profile.mcc = own(v);
    }
    if profile.business_type.as_deref() == Some("individual") {
        let i = &mut profile.individual;
        for (name, slot) in [
            ("first_name", &mut i.first_name),
            ("last_name", &mut i.last_name),
            ("email", &mut i.email),
            ("phone", &mut i.phone),
            ("line1", &mut i.address.line1),
            ("city", &mut i.address.city),
            ("state", &mut i.address.state),
            ("postal_code", &mut i.address.postal_code),
        ] {
            if let Some(v) = get(name) {
                *slot = own(v);
            }
        }
        if let Some(dob) = get("dob") {
            let parts: Vec<i64> = dob.split('-').filter_map(|p| p.parse().ok()).collect();
            match parts.as_slice() {
                [y, m, d] if (1..=12).contains(m) && (1..=31).contains(d) && *y >= 1900 => {
                    i.dob = Some((*d, *m, *y));
                }
                _ => return Err("Enter the date of birth as YYYY-MM-DD.".to_owned()),
            }
        }
        if let Some(ssn) = get("ssn_last_4") {
            if ssn.len() != 4 || !ssn.bytes().all(|b| b.is_ascii_digit()) {
                return Err("The last 4 digits of the SSN are four digits.".to_owned());
            }
            i.ssn_last_4 = own(ssn);
        }
    } else {
        let c = &mut profile.company;
        if let Some(v) = get("company_name") {
            c.name = own(v);
        }
        if let Some(v) = get("company_phone") {
            c.phone = own(v);
        }
        if get("company_tax_id").is_some() {
            c.tax_id_provided = true;
        }
        for (name, slot) in [
            ("line1", &mut c.address.line1),
            ("city", &mut c.address.city),
            ("state", &mut c.address.state),
            ("postal_code", &mut c.address.postal_code),
        ] {
            if let Some(v) = get(name) {
                *slot = own(v);
            }
        }
        c.owners_provided = true;
        c.directors_provided = true;
        c.executives_provided = true;
    }
    if let Some(number) = get("account_number") {
        let mut bank_fields = crate::http::form::Tree::new();
        let mut encoded = form_urlencoded::Serializer::new(String::new());
        encoded.append_pair("country", &account.country);
        encoded.append_pair("account_number", number);
        if let Some(routing) = get("routing_number") {
            encoded.append_pair("routing_number", routing);
        }
        let encoded = encoded.finish();
        crate::http::form::decode_into(&mut bank_fields, encoded.as_bytes())
            .map_err(|e| e.to_string())?;
        let params = crate::http::params::validate(
            &bank_fields,
            crate::resources::account::bank::BANK_ACCOUNT,
        )
        .map_err(|e| e.body.message)?;
        let bank = BankAccount::from_params(&params, "bank_account", bank_id)
            .map_err(|e| e.body.message)?;
        profile.external_accounts = vec![bank];
    }
    Ok(())
}

/// `POST /setup/s/{session}` with `action=submit|later` and the form's fields.
async fn submit(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((session, account)) = session(&state, &id) else {
        return invalid_link();
    };
    if let Some(stale) = stale(&state, &session) {
        return stale;
    }
    let fields: HashMap<String, String> = form_pairs(&body).into_iter().collect();
    let action = fields.get("action").map(String::as_str);
    let finishing = match action {
        Some("submit") => true,
        Some("later") => false,
        _ => {
            return form(
                &id,
                &session,
                &account,
                Some("Choose Agree and submit or Save and finish later."),
            );
        }
    };
    // A bare `action=submit` (no other field) is "use all the test data".
    let bare = fields.len() == 1;
    if finishing && !bare && fields.get("accept_tos").map(String::as_str) != Some("on") {
        return form(
            &id,
            &session,
            &account,
            Some("Accept the agreement to submit, or choose Save and finish later."),
        );
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect::<String>());
    let now = state.now();
    let result = {
        let mut store = state.store();
        let bank_id = store.new_id("ba_", 24);
        store.change_account(&session.account, &Origin::none(), now, |account, _| {
            let mut profile = account.profile.clone();
            apply_form(&mut profile, account, &fields, bank_id.clone())
                .map_err(crate::http::error::ApiError::invalid_request)?;
            if finishing {
                // What the form left out is filled with the passing test data.
                profile.fill_test_data(&account.country, account.email.as_deref());
                if profile.external_accounts.is_empty() {
                    let mut defaults = HashMap::new();
                    defaults.insert("account_number".to_owned(), "000123456789".to_owned());
                    defaults.insert("routing_number".to_owned(), "110000000".to_owned());
                    apply_form(&mut profile, account, &defaults, bank_id.clone())
                        .map_err(crate::http::error::ApiError::invalid_request)?;
                }
                profile.tos.date = Some(now);
                profile.tos.ip = Some("127.0.0.1".to_owned());
                profile.tos.user_agent = user_agent.clone();
                account.details_submitted = true;
                // The hosted form answers every requirement the sandbox knows, so a seeded
                // account's own list gives way to the computed one.
                account.seed_due = None;
            }
            account.profile = profile;
            Ok(())
        })
    };
    state.kick_webhooks();
    match result {
        Ok(_) => {
            if let Some(url) = &session.return_url {
                return redirect(StatusCode::SEE_OTHER, url);
            }
            page(
                StatusCode::OK,
                "Saved",
                if finishing {
                    "<h1 role=\"status\">Thank you</h1>\n<p>Your details were submitted. You can \
                     close this window.</p>"
                } else {
                    "<h1 role=\"status\">Saved</h1>\n<p>Come back with a new link to finish. You \
                     can close this window.</p>"
                },
            )
        }
        Err(e) => form(&id, &session, &account, Some(&e.body.message)),
    }
}
