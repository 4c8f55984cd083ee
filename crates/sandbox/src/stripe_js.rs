//! The Stripe.js stand-in, served at `/v3/` as js.stripe.com serves the real one, and the card
//! fields' iframe page. The files live in `assets/` and are compiled into the binary.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::SandboxState;

const STRIPE_JS: &str = include_str!("../assets/stripe.js");
const CARD_FRAME_HTML: &str = include_str!("../assets/elements-inner-card.html");
const CARD_FRAME_JS: &str = include_str!("../assets/elements-inner-card.js");

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/v3", get(stripe_js))
        .route("/v3/", get(stripe_js))
        .route("/v3/stripe.js", get(stripe_js))
        .route("/v3/elements-inner-card.html", get(card_frame_html))
        .route("/v3/elements-inner-card.js", get(card_frame_js))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A developer who edits the sandbox wants the new script on the next reload.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

async fn stripe_js() -> Response {
    asset(STRIPE_JS, "application/javascript; charset=utf-8")
}

async fn card_frame_html() -> Response {
    asset(CARD_FRAME_HTML, "text/html; charset=utf-8")
}

async fn card_frame_js() -> Response {
    asset(CARD_FRAME_JS, "application/javascript; charset=utf-8")
}
