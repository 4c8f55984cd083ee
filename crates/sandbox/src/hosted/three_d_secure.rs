//! The 3-D Secure challenge, the page a card issuer would show. `GET /3ds/challenge/{token}`
//! shows the payment and two buttons; `POST` the same URL with `action=complete` or
//! `action=fail` (a test without a browser can do just that). In the Stripe.js stand-in's
//! modal the page then tells its parent (`postMessage`); reached through `redirect_to_url`
//! (`?redirect=1`) it sends the shopper on to the `return_url` with `payment_intent`,
//! `payment_intent_client_secret` and `redirect_status`, as Stripe does.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{esc, form_pairs, page};
use crate::currency;
use crate::resources::payment_intent::confirm::{Authentication, awaiting, finish_authentication};
use crate::resources::payment_intent::{PaymentIntent, Status};
use crate::state::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new().route("/3ds/challenge/{token}", get(show).post(answer))
}

fn gone() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Authentication not needed",
        "<h1>This authentication is no longer needed</h1>\n<p>The payment it belonged to was \
         authenticated, failed, or canceled already. You can close this window.</p>",
    )
}

/// `GET /3ds/challenge/{token}`.
async fn show(
    State(state): State<SandboxState>,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let store = state.store();
    let Some(pi) = awaiting(&store, &token) else {
        return gone();
    };
    let merchant = pi
        .on_behalf_of
        .as_ref()
        .or(pi.transfer_data.as_ref().map(|(d, _)| d))
        .unwrap_or(&pi.account);
    let merchant = store
        .accounts
        .get(merchant)
        .map_or_else(|| merchant.clone(), |a| a.business_name.clone());
    let card = pi
        .payment_method
        .as_ref()
        .and_then(|id| store.payment_methods.get(id))
        .map_or_else(String::new, |pm| {
            format!("{} ending in {}", capitalised(pm.card.brand), pm.card.last4)
        });
    let redirect = if query.contains_key("redirect") {
        "?redirect=1"
    } else {
        ""
    };
    let body = format!(
        "<h1>Confirm this payment</h1>\n\
         <p>Your bank asks you to confirm that you are making this payment. The sandbox \
         simulates the check: choose how it ends.</p>\n\
         <dl>\n<dt>Merchant</dt><dd>{merchant}</dd>\n<dt>Amount</dt><dd>{amount}</dd>\n\
         <dt>Card</dt><dd>{card}</dd>\n</dl>\n\
         <form method=\"post\" action=\"/3ds/challenge/{token}{redirect}\">\n\
         <div class=\"actions\">\n\
         <button type=\"submit\" name=\"action\" value=\"complete\" autofocus>Complete authentication</button>\n\
         <button type=\"submit\" name=\"action\" value=\"fail\" class=\"danger\">Fail authentication</button>\n\
         </div>\n</form>\n\
         <p class=\"note\">Test mode: no bank is contacted. Card 4000 0082 6000 3178 is \
         declined for insufficient funds after a completed authentication.</p>",
        merchant = esc(&merchant),
        amount = esc(&currency::display(pi.amount, &pi.currency)),
        card = esc(&card),
        token = esc(&token),
    );
    page(StatusCode::OK, "3D Secure authentication", &body)
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `POST /3ds/challenge/{token}` with `action=complete|fail`.
async fn answer(
    State(state): State<SandboxState>,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let action = form_pairs(&body)
        .into_iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v);
    let outcome = match action.as_deref() {
        Some("complete") => Authentication::Complete,
        Some("fail") => Authentication::Fail,
        _ => {
            return page(
                StatusCode::BAD_REQUEST,
                "Choose an outcome",
                "<h1>Choose an outcome</h1>\n<p class=\"error\">Send <code>action=complete</code> \
                 or <code>action=fail</code>.</p>",
            );
        }
    };
    let now = state.now();
    let finished = finish_authentication(&mut state.store(), &token, outcome, now);
    state.kick_webhooks();
    let Some(pi) = finished else {
        return gone();
    };
    if query.contains_key("redirect")
        && let Some(return_url) = &pi.return_url
    {
        let target = with_redirect_params(return_url, &pi);
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(location) = HeaderValue::from_str(&target) {
            response.headers_mut().insert(header::LOCATION, location);
            return response;
        }
    }
    done(&token, outcome, &pi)
}

/// `redirect_status` as Stripe puts it on the return URL.
fn redirect_status(pi: &PaymentIntent) -> &'static str {
    match pi.status {
        Status::Succeeded | Status::RequiresCapture => "succeeded",
        Status::RequiresPaymentMethod | Status::Canceled => "failed",
        _ => "processing",
    }
}

/// `return_url` with `payment_intent`, `payment_intent_client_secret` and `redirect_status`
/// added to its query (before any fragment).
pub(crate) fn with_redirect_params(return_url: &str, pi: &PaymentIntent) -> String {
    let (base, fragment) = match return_url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (return_url, None),
    };
    let params = form_urlencoded::Serializer::new(String::new())
        .append_pair("payment_intent", &pi.id)
        .append_pair("payment_intent_client_secret", &pi.client_secret)
        .append_pair("redirect_status", redirect_status(pi))
        .finish();
    let joiner = if base.contains('?') { '&' } else { '?' };
    let mut url = format!("{base}{joiner}{params}");
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

/// The page after the choice: in the Stripe.js modal it tells the parent page and is
/// replaced; opened on its own it says what happened.
fn done(token: &str, outcome: Authentication, pi: &PaymentIntent) -> Response {
    let (heading, detail, word) = match outcome {
        Authentication::Complete => (
            "Authentication complete",
            if pi.status == Status::RequiresPaymentMethod {
                "You were authenticated, but the card was then declined."
            } else {
                "You were authenticated. You can close this window."
            },
            "complete",
        ),
        Authentication::Fail => (
            "Authentication failed",
            "The payment was not authenticated. You can close this window.",
            "fail",
        ),
    };
    // The message carries no secret; the parent checks the sender's origin and then asks the
    // API for the PaymentIntent's status with its client secret.
    let body = format!(
        "<h1 role=\"status\">{heading}</h1>\n<p>{detail}</p>\n<script>\n\
         if (window.parent && window.parent !== window) {{\n  \
         window.parent.postMessage({{ __stripeSandbox3ds: 1, source: {token}, outcome: {word} }}, '*');\n\
         }}\n</script>",
        token = serde_json::Value::from(token),
        word = serde_json::Value::from(word),
    );
    page(StatusCode::OK, heading, &body)
}
