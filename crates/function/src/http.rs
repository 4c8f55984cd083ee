//! The HTTP shell around the journeys: routes, the built widget and its embed, and the layers
//! every request passes through (request id, logging, CORS, body limit, security headers, the
//! per-client rate limit, the request timeout and the limit on requests handled at once).

use std::path::Path;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use connect_checkout_core::api::ErrorCode;

use crate::error::{AppError, RETRIES_SPENT};
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
        // Stripe's deliveries are not limited per address: they come in bursts from a few
        // addresses, a refusal only makes Stripe retry, and their cost is bounded already.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limit::limit_by_client,
        ))
        .merge(webhooks::routes())
        .fallback(|| async { AppError::not_found("no such API route: see /api/openapi.json") })
        .method_not_allowed_fallback(method_not_allowed)
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
        let index = ServeFile::new(dir.join("index.html"))
            .precompressed_br()
            .precompressed_gzip();
        let html = std::fs::read_to_string(dir.join("index.html")).ok();
        let policy = page_security::page_policy(&state.config, html.as_deref());
        let csp = SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, policy);
        let demo_page = ServiceBuilder::new()
            .map_response(
                |mut response: http::Response<ServeFileSystemResponseBody>| {
                    response.extensions_mut().insert(DemoPage);
                    response
                },
            )
            .service(index.clone());
        let preload = page_security::stripe_js_preload(&state.config);
        let pages = ServiceBuilder::new()
            .layer(csp.clone())
            .layer(axum::middleware::from_fn(move |request, next| {
                preload_stripe_js(preload.clone(), request, next)
            }))
            .layer(axum::middleware::from_fn(page_caching))
            .service(
                ServeDir::new(dir)
                    .precompressed_br()
                    .precompressed_gzip()
                    .fallback(demo_page),
            );
        // `/embed` is the demo's docs page, although `embed/` is a folder of files.
        let docs = ServiceBuilder::new()
            .layer(csp)
            .layer(axum::middleware::from_fn(page_caching))
            .service(index);
        router = embed_routes(router, dir)
            .route_service("/embed", docs)
            .fallback_service(pages);
    }

    let cors = cors(&state);
    let limits = &state.config.limits;
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
        // Outside the timeout, so that a browser on another origin can read the 504 too.
        .layer(cors)
        .layer(axum::middleware::map_response(explain_timeout))
        // Outside the concurrency limit: a request waiting for a free slot is timed too.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(limits.request_timeout_secs),
        ))
        .layer(GlobalConcurrencyLimitLayer::new(limits.max_concurrent_requests));
    router.with_state(state).layer(layers)
}

/// The timeout layer answers with an empty body; say what happened in the API's shape.
async fn explain_timeout(response: Response) -> Response {
    let empty_timeout = response.status() == StatusCode::GATEWAY_TIMEOUT
        && !response.headers().contains_key(header::CONTENT_TYPE);
    if !empty_timeout {
        return response;
    }
    let mut explained = AppError::new(
        StatusCode::GATEWAY_TIMEOUT,
        ErrorCode::PaymentProviderUnavailable,
        "This took too long and was stopped. Nothing was charged twice: try again in a moment \
         (a checkout with the same attempt finds its payment).",
    )
    .into_response();
    for (name, value) in response.headers() {
        explained.headers_mut().entry(name).or_insert(value.clone());
    }
    explained
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

/// A route asked with a method it does not take: the API's error shape, not axum's empty 405.
/// (The demo's seller sign-in, `POST /api/seller-session`, is one: it exists in sandbox mode
/// only.)
async fn method_not_allowed(method: Method) -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::InvalidRequest,
        format!("this route does not take {method} here: see /api/openapi.json for its methods"),
    )
}

/// The embed's stable files (`/embed/loader.js`): kept, but revalidated on every use
/// (`Last-Modified`, answered 304 while unchanged), so a deploy reaches every host page at
/// once. The files it names must stay served while pages that loaded an older loader are open.
pub const EMBED_LOADER_CACHE: &str = "no-cache";
/// The embed's content-hashed files: a new build has new names, so they never change.
pub const EMBED_ASSET_CACHE: &str = "public, max-age=31536000, immutable";
/// The demo's content-hashed files (trunk's `<name>-<hash>.{js,wasm,css}`), for the same reason.
pub const HASHED_CACHE: &str = EMBED_ASSET_CACHE;
/// The demo's pages, and anything else whose name does not change with its content.
pub const PAGE_CACHE: &str = "no-cache";

/// The embed's files (`<WIDGET_DIR>/embed/`, made by `cargo xtask`; README "Embedding"), for
/// host pages on any origin: public code, so `Access-Control-Allow-Origin: *` (the wasm and
/// the glue are fetched in CORS mode) and `Cross-Origin-Resource-Policy: cross-origin` (for
/// host pages that isolate themselves with COEP). The API's allow-list is untouched: a page
/// on an origin not listed loads the checkout, whose calls to the API are then refused.
/// A missing file is a 404, never the demo page; `/embed` itself is the demo's docs page.
/// The build writes brotli and gzip copies beside the files; a browser that accepts one gets
/// it, as from a CDN.
fn embed_routes(router: Router<AppState>, dir: &Path) -> Router<AppState> {
    let embed = dir.join("embed");
    let stable = |name: &str| {
        let file = ServeFile::new(embed.join(name))
            .precompressed_br()
            .precompressed_gzip();
        get(move |request: Request| serve_embed(file.clone(), EMBED_LOADER_CACHE, request))
    };
    // Rooted at the widget: the request's path starts with `/embed/`.
    let hashed = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    router
        .route("/embed/loader.js", stable("loader.js"))
        .route(
            "/embed/connect-checkout.d.ts",
            stable("connect-checkout.d.ts"),
        )
        .route(
            "/embed/{*file}",
            get(move |request: Request| serve_embed(hashed.clone(), EMBED_ASSET_CACHE, request)),
        )
}

/// One of the embed's files, with `Cache-Control: cache` and the cross-origin headers when
/// the answer carries it.
async fn serve_embed<S>(files: S, cache: &'static str, request: Request) -> Response
where
    S: tower::Service<
            Request,
            Response = http::Response<ServeFileSystemResponseBody>,
            Error = std::convert::Infallible,
        >,
{
    let Ok(response) = files.oneshot(request).await;
    let mut response = response.into_response();
    if static_headers(&mut response, cache) {
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        );
    }
    response
}

/// The store's page (`/`) names Stripe.js in a `Link: rel=preload` header, so a browser fetches
/// it beside the wasm instead of after the wasm has run and asked for the configuration: on a
/// phone that chain was most of the wait for the card field (bench/report.md). Only there: the
/// seller's and the docs' pages would fetch a script some of them never run.
async fn preload_stripe_js(
    preload: Option<HeaderValue>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let store = matches!(request.uri().path(), "/" | "/index.html");
    let mut response = next.run(request).await;
    let status = response.status();
    let page = status.is_success() || status == StatusCode::NOT_MODIFIED;
    if let Some(preload) = preload.filter(|_| store && page) {
        response.headers_mut().append(header::LINK, preload);
    }
    response
}

/// Marks the demo page when it answers a path that is not a file (a client-side route).
#[derive(Clone, Copy)]
struct DemoPage;

/// The demo's files: content-hashed ones cached for good, the pages revalidated. An unknown
/// path is answered with the demo page (its client-side routes), which must never be cached
/// for good, even under an asset's name a deploy has since replaced (its 304 included, which
/// has no type to tell it by).
async fn page_caching(request: Request, next: axum::middleware::Next) -> Response {
    let hashed = content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let demo_page = response.extensions().get::<DemoPage>().is_some();
    let cache = if hashed && !demo_page {
        HASHED_CACHE
    } else {
        PAGE_CACHE
    };
    static_headers(&mut response, cache);
    response
}

/// Sets `Cache-Control: cache` on a file served (or found unchanged), and `Vary:
/// Accept-Encoding`, since the same URL is sent as brotli, gzip or as is; errors are not
/// cached. Whether the answer was a file.
fn static_headers(response: &mut Response, cache: &'static str) -> bool {
    let status = response.status();
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return false;
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    true
}

/// Whether the last segment of `path` is a name that changes with the file's content: trunk's
/// `<name>-<hash>.{js,css}` and `<name>-<hash>_bg.wasm`, and the embed's
/// `connect-checkout-<hash>.{js,wasm,css}` (16 hex digits; trunk's may drop leading zeros).
fn content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(extension, "js" | "wasm" | "css") {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len()) && hash.bytes().all(|byte| byte.is_ascii_hexdigit())
    })
}

/// Host pages on other origins may call the API only when the operator listed them.
fn cors(state: &AppState) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(state.config.allowed_origins.clone()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        // The widget on a host page's origin reads when to try again, and whether to.
        .expose_headers([REQUEST_ID, header::RETRY_AFTER, RETRIES_SPENT])
        .max_age(Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use super::content_hashed;

    #[test]
    fn hashed_names_are_trunks_and_the_embeds() {
        for hashed in [
            "/connect-checkout-9f1c2b3a4d5e6f70.js",
            "/connect-checkout-9f1c2b3a4d5e6f7_bg.wasm",
            "/store-0123456789abcdef.css",
            "/embed/connect-checkout-fedcba9876543210.wasm",
        ] {
            assert!(content_hashed(hashed), "{hashed}");
        }
        for stable in [
            "/",
            "/index.html",
            "/embed/loader.js",
            "/embed/connect-checkout.d.ts",
            "/seller/onboarding",
            "/connect-checkout-9f1c2b3a4d5e6f70.js.br",
            "/store-notahash.css",
            "/connect-checkout-9f1c.js",
        ] {
            assert!(!content_hashed(stable), "{stable}");
        }
    }
}
