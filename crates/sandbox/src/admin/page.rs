//! The admin page, `GET /_sandbox`: what the sandbox holds (accounts, payments, events,
//! webhook deliveries, faults), for people trying it by hand. Plain HTML tables; the few
//! controls (set faults, resend a delivery, reset) are HTML forms that post to
//! `/_sandbox/page/…` and come back here.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Loopback, webhooks};
use crate::currency;
use crate::hosted::{esc, form_pairs, page};
use crate::http::idempotency::lock;
use crate::state::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox", get(show))
        .route("/_sandbox/", get(show))
        .route("/_sandbox/page/faults", post(set_faults))
        .route("/_sandbox/page/reset", post(reset))
        .route("/_sandbox/page/deliveries/{id}/retry", post(retry))
}

fn back(anchor: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/_sandbox#{anchor}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `2026-01-01 12:00:00 UTC` from Unix seconds.
fn when(unix: i64) -> String {
    let (y, m, d) = crate::clock::date(unix);
    let secs = unix.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn table(id: &str, caption: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return format!(
            "<p id=\"{id}-empty\">No {} yet.</p>\n",
            caption.to_lowercase()
        );
    }
    let mut out = format!(
        "<table aria-describedby=\"{id}\">\n<caption class=\"note\">{caption}</caption>\n<thead><tr>"
    );
    for h in headers {
        out.push_str(&format!("<th scope=\"col\">{h}</th>"));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", esc(text))
}

/// `GET /_sandbox`.
async fn show(State(state): State<SandboxState>, _: Loopback) -> Response {
    let faults =
        serde_json::to_string_pretty(&lock(&state.shared.faults).to_json()).unwrap_or_default();
    let store = state.store();
    let now = state.now();
    let mut body = String::from(
        "<h1>Stripe sandbox</h1>\n<nav aria-label=\"Sections\"><ul>\n\
         <li><a href=\"#accounts\">Accounts</a></li><li><a href=\"#payments\">Payments</a></li>\
         <li><a href=\"#events\">Events</a></li><li><a href=\"#deliveries\">Webhook deliveries</a></li>\
         <li><a href=\"#faults\">Faults</a></li></ul></nav>\n",
    );
    body.push_str(&format!(
        "<p>Now: {} · API at <code>/v1</code>, Stripe.js at <code>/v3/</code>, keys at \
         <a href=\"/_sandbox/keys\"><code>/_sandbox/keys</code></a>.</p>\n",
        esc(&when(now))
    ));

    let mut accounts: Vec<_> = store.accounts.values().collect();
    accounts.sort_by_key(|a| (!a.is_platform, std::cmp::Reverse((a.created, a.seq))));
    let rows: Vec<Vec<String>> = accounts
        .iter()
        .map(|a| {
            let balance = store
                .balance_at(&a.id, now)
                .iter()
                .map(|(c, (av, pe))| {
                    format!(
                        "{} available, {} pending",
                        currency::display(*av, c),
                        currency::display(*pe, c)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                code(&a.id),
                esc(&a.business_name),
                if a.is_platform {
                    "platform".to_owned()
                } else {
                    esc(a.type_name())
                },
                if a.charges_enabled { "yes" } else { "no" }.to_owned(),
                if a.payouts_enabled { "yes" } else { "no" }.to_owned(),
                esc(&a.currently_due.join(", ")),
                esc(&balance),
            ]
        })
        .collect();
    body.push_str("<h2 id=\"accounts\">Accounts</h2>\n");
    body.push_str(&table(
        "accounts",
        "Accounts",
        &[
            "Id",
            "Name",
            "Type",
            "Charges",
            "Payouts",
            "Currently due",
            "Balance",
        ],
        &rows,
    ));

    let mut intents: Vec<_> = store.payment_intents.values().collect();
    intents.sort_by_key(|p| std::cmp::Reverse((p.created, p.seq)));
    let rows: Vec<Vec<String>> = intents
        .iter()
        .take(50)
        .map(|p| {
            vec![
                code(&p.id),
                code(&p.account),
                esc(&currency::display(p.amount, &p.currency)),
                esc(p.status.as_str()),
                p.application_fee_amount
                    .map(|f| esc(&currency::display(f, &p.currency)))
                    .unwrap_or_default(),
                esc(&when(p.created)),
            ]
        })
        .collect();
    body.push_str("<h2 id=\"payments\">Payments</h2>\n");
    body.push_str(&table(
        "payments",
        "Payments (the latest 50 PaymentIntents)",
        &[
            "Id",
            "Account",
            "Amount",
            "Status",
            "Application fee",
            "Created",
        ],
        &rows,
    ));

    let mut events: Vec<_> = store.events.values().collect();
    events.sort_by_key(|e| std::cmp::Reverse((e.created, e.seq)));
    let rows: Vec<Vec<String>> = events
        .iter()
        .take(50)
        .map(|e| {
            vec![
                code(&e.id),
                code(&e.kind),
                if e.connected {
                    code(&e.account)
                } else {
                    "platform".to_owned()
                },
                e.origin.request_id.as_deref().map(code).unwrap_or_default(),
                esc(&when(e.created)),
            ]
        })
        .collect();
    body.push_str("<h2 id=\"events\">Events</h2>\n");
    body.push_str(&table(
        "events",
        "Events (the latest 50)",
        &["Id", "Type", "Account", "Request", "Created"],
        &rows,
    ));

    let mut deliveries: Vec<_> = store.deliveries.values().collect();
    deliveries.sort_by_key(|d| std::cmp::Reverse(d.seq));
    let rows: Vec<Vec<String>> = deliveries
        .iter()
        .take(50)
        .map(|d| {
            let last = d.attempts.last().map_or_else(String::new, |a| {
                a.error
                    .clone()
                    .or_else(|| a.status.map(|s| s.to_string()))
                    .unwrap_or_default()
            });
            vec![
                code(&d.event_type),
                esc(&d.url),
                esc(d.status.as_str()),
                d.attempts.len().to_string(),
                esc(&last),
                format!(
                    "<form method=\"post\" action=\"/_sandbox/page/deliveries/{}/retry\">\
                     <button type=\"submit\" class=\"secondary\" aria-label=\"Resend {} to {}\">Resend</button></form>",
                    esc(&d.id),
                    esc(&d.event_type),
                    esc(&d.url)
                ),
            ]
        })
        .collect();
    body.push_str("<h2 id=\"deliveries\">Webhook deliveries</h2>\n");
    body.push_str(&table(
        "deliveries",
        "Webhook deliveries (the latest 50)",
        &[
            "Event",
            "URL",
            "Status",
            "Attempts",
            "Last answer",
            "Action",
        ],
        &rows,
    ));
    drop(store);

    body.push_str(&format!(
        "<h2 id=\"faults\">Faults</h2>\n<form method=\"post\" action=\"/_sandbox/page/faults\">\n\
         <label for=\"faults-json\">Faults in force (JSON, as <code>POST /_sandbox/faults</code> \
         takes them; <code>{{}}</code> switches them off)</label>\n\
         <textarea id=\"faults-json\" name=\"faults\" rows=\"10\" cols=\"70\" spellcheck=\"false\">{}</textarea>\n\
         <div class=\"actions\"><button type=\"submit\">Apply faults</button></div>\n</form>\n",
        esc(&faults)
    ));
    body.push_str(
        "<h2 id=\"reset\">Reset</h2>\n<form method=\"post\" action=\"/_sandbox/page/reset\">\n\
         <p>Back to the seed: every object, event, delivery and fault made since the start goes.</p>\n\
         <button type=\"submit\" class=\"danger\">Reset the sandbox</button>\n</form>\n",
    );
    page(StatusCode::OK, "Admin", &body)
}

async fn set_faults(State(state): State<SandboxState>, _: Loopback, req: Request) -> Response {
    let body: Bytes = match axum::body::to_bytes(req.into_body(), 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let text = form_pairs(&body)
        .into_iter()
        .find(|(k, _)| k == "faults")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let text = if text.trim().is_empty() {
        "{}"
    } else {
        text.as_str()
    };
    let result = serde_json::from_str(text)
        .map_err(|e| e.to_string())
        .and_then(|json| state.set_faults(json));
    match result {
        Ok(_) => back("faults"),
        Err(e) => page(
            StatusCode::BAD_REQUEST,
            "Faults refused",
            &format!(
                "<h1>Faults refused</h1>\n<p class=\"error\" role=\"alert\">{}</p>\n\
                 <p><a href=\"/_sandbox#faults\">Back to the admin page</a></p>",
                esc(&e)
            ),
        ),
    }
}

async fn reset(State(state): State<SandboxState>, _: Loopback) -> Response {
    state.reset();
    back("accounts")
}

async fn retry(State(state): State<SandboxState>, Path(id): Path<String>, _: Loopback) -> Response {
    webhooks::retry_now(&state, &id);
    back("deliveries")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_utc() {
        assert_eq!(when(1_767_225_600), "2026-01-01 00:00:00 UTC");
        assert_eq!(when(951_782_400 + 3_723), "2000-02-29 01:02:03 UTC");
    }
}
