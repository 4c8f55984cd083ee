//! The Express dashboard, reached through a login link (`/express/{token}`): the connected
//! account's name, its balance and its payments, read-only.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::{esc, page};
use crate::currency;
use crate::state::SandboxState;

pub(super) fn routes() -> Router<SandboxState> {
    Router::new().route("/express/{token}", get(dashboard))
}

/// `GET /express/{token}`.
async fn dashboard(State(state): State<SandboxState>, Path(token): Path<String>) -> Response {
    let now = state.now();
    let store = state.store();
    let Some(account) = store
        .login_links
        .get(&token)
        .filter(|l| l.expires_at > now)
        .and_then(|l| store.accounts.get(&l.account))
    else {
        return page(
            StatusCode::NOT_FOUND,
            "Link expired",
            "<h1>This login link has expired</h1>\n<p>Ask the platform for a new one.</p>",
        );
    };
    let mut body = format!(
        "<h1>{}</h1>\n<p>Express dashboard · <code>{}</code></p>\n",
        esc(&account.business_name),
        esc(&account.id)
    );
    body.push_str("<h2 id=\"balance\">Balance</h2>\n");
    let balance = store.balance_at(&account.id, now);
    if balance.is_empty() {
        body.push_str("<p>No funds yet.</p>\n");
    } else {
        body.push_str(
            "<table aria-labelledby=\"balance\">\n<thead><tr><th scope=\"col\">Currency</th>\
             <th scope=\"col\">Available</th><th scope=\"col\">Pending</th></tr></thead>\n<tbody>\n",
        );
        for (code, (available, pending)) in &balance {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&code.to_uppercase()),
                esc(&currency::display(*available, code)),
                esc(&currency::display(*pending, code)),
            ));
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str("<h2 id=\"payments\">Payments</h2>\n");
    let mut payments: Vec<_> = store.payments_of(&account.id);
    payments.sort_by_key(|p| std::cmp::Reverse(p.created));
    if payments.is_empty() {
        body.push_str("<p>No payments yet.</p>\n");
    } else {
        body.push_str(
            "<table aria-labelledby=\"payments\">\n<thead><tr><th scope=\"col\">Amount</th>\
             <th scope=\"col\">Status</th><th scope=\"col\">Description</th>\
             <th scope=\"col\">Refunded</th><th scope=\"col\">Id</th></tr></thead>\n<tbody>\n",
        );
        for p in payments.iter().take(100) {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
                esc(&currency::display(p.amount, &p.currency)),
                esc(p.status),
                esc(p.description.as_deref().unwrap_or("")),
                esc(&currency::display(p.refunded, &p.currency)),
                esc(&p.id),
            ));
        }
        body.push_str("</tbody>\n</table>\n");
    }
    page(StatusCode::OK, "Express dashboard", &body)
}
