//! The HTTP shell around the journeys: routes, the built widget, and the layers every request
//! passes through (request id, logging, CORS, body limit, security headers).

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::{AppState, checkout, page_security, sellers, webhooks};

/// The largest JSON body the API accepts; a checkout of 50 lines is about 4 KiB.
pub const BODY_LIMIT: usize = 16 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `req_` and 16 random hex digits, like Stripe's request ids, so they are easy to grep.
#[derive(Clone, Copy, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        let id = format!("req_{:016x}", rand::random::<u64>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(checkout::routes())
        .merge(sellers::routes(&state))
        .route("/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .merge(webhooks::routes())
        .fallback(|| async { AppError::not_found("no such API route: see /api/openapi.json") })
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            page_security::API_POLICY,
        ));

    let mut router = Router::new()
        .nest("/api", api)
        .route("/healthz", get(health));
    if let Some(dir) = &state.config.widget_dir {
        // Unknown paths get the demo page, so its client-side routes survive a reload.
        let index = ServeFile::new(dir.join("index.html"));
        let html = std::fs::read_to_string(dir.join("index.html")).ok();
        let policy = page_security::page_policy(&state.config, html.as_deref());
        let pages = ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                policy,
            ))
            .service(ServeDir::new(dir).fallback(index));
        router = router.fallback_service(pages);
    }

    let cors = cors(&state);
    // Layers wrap from the inside out: the request id is set first and seen by everything else.
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(axum::middleware::from_fn(crate::timing::server_timing))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(cors);
    router.with_state(state).layer(layers)
}

/// The API's OpenAPI document, kept true by `tests/openapi.rs`.
async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../openapi.json"),
    )
}

/// Ready unless Stripe refused the configured key since the last success: then 503 with the
/// operator's reason (a fingerprint, never the key), so a load balancer stops sending traffic.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.stripe.key_problem() {
        None => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "reason": reason })),
        ),
    }
}

/// Host pages on other origins may call the API only when the operator listed them.
fn cors(state: &AppState) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(state.config.allowed_origins.clone()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(600))
}
