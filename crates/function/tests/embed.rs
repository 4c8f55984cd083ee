//! The embed's files as the function serves them to host pages on other origins: hashed files
//! cached for good, the stable loader revalidated on every use, both loadable cross-origin;
//! the API's CORS still answers only the origins the operator listed.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use connect_checkout_function::app;
use http_body_util::BodyExt;
use support::harness;
use tower::ServiceExt;

const HOST: &str = "https://host.example";
const STRANGER: &str = "https://stranger.example";
const GLUE: &str = "connect-checkout-0123456789abcdef.js";
const WASM: &str = "connect-checkout-fedcba9876543210.wasm";

/// A built widget as `cargo xtask` leaves it: the demo page and the embed beside it.
struct Widget(PathBuf);

impl Widget {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cc-function-embed-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(dir.join("embed")).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
        std::fs::write(dir.join("embed/loader.js"), "/* loader */").unwrap();
        std::fs::write(dir.join("embed/connect-checkout.d.ts"), "export {};").unwrap();
        std::fs::write(dir.join("embed").join(GLUE), "export default 1;").unwrap();
        std::fs::write(dir.join("embed").join(WASM), b"\0asm\x01\0\0\0").unwrap();
        Self(dir)
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

async fn send(state: &connect_checkout_function::AppState, request: Request<Body>) -> Answer {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn get(path: &str, origin: Option<&str>) -> Request<Body> {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(Body::empty()).unwrap()
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer
        .headers
        .get(name)
        .map(|value| value.to_str().unwrap())
}

#[tokio::test]
async fn hashed_files_are_immutable_and_loadable_from_any_origin() {
    let widget = Widget::new();
    let dir = widget.0.display().to_string();
    let h = harness(&[("WIDGET_DIR", &dir), ("ALLOWED_ORIGINS", HOST)]).await;

    for (file, content_type) in [(WASM, "application/wasm"), (GLUE, "text/javascript")] {
        let answer = send(&h.state, get(&format!("/embed/{file}"), Some(STRANGER))).await;
        assert_eq!(answer.status, StatusCode::OK, "{file}");
        assert_eq!(
            header(&answer, "cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{file}"
        );
        assert_eq!(header(&answer, "access-control-allow-origin"), Some("*"));
        assert_eq!(
            header(&answer, "cross-origin-resource-policy"),
            Some("cross-origin")
        );
        assert!(
            header(&answer, "content-type")
                .unwrap()
                .starts_with(content_type),
            "{file}: {:?}",
            header(&answer, "content-type")
        );
    }
}

#[tokio::test]
async fn the_loader_has_a_stable_url_and_is_revalidated() {
    let widget = Widget::new();
    let dir = widget.0.display().to_string();
    let h = harness(&[("WIDGET_DIR", &dir)]).await;

    let answer = send(&h.state, get("/embed/loader.js", Some(STRANGER))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, b"/* loader */");
    // Revalidated on every use, so a deploy reaches every host page at once.
    assert_eq!(header(&answer, "cache-control"), Some("no-cache"));
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&answer, "cross-origin-resource-policy"),
        Some("cross-origin")
    );
    assert_eq!(header(&answer, "x-content-type-options"), Some("nosniff"));

    let types = send(&h.state, get("/embed/connect-checkout.d.ts", None)).await;
    assert_eq!(types.status, StatusCode::OK);
    assert_eq!(header(&types, "cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn a_missing_embed_file_is_a_404_and_the_docs_page_is_the_demo_page() {
    let widget = Widget::new();
    let dir = widget.0.display().to_string();
    let h = harness(&[("WIDGET_DIR", &dir)]).await;

    let missing = send(&h.state, get("/embed/connect-checkout-0000.wasm", None)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        header(&missing, "cache-control"),
        None,
        "a 404 is not cached"
    );

    let escape = send(&h.state, get("/embed/../index.html", None)).await;
    assert_ne!(escape.status, StatusCode::OK);

    let docs = send(&h.state, get("/embed", None)).await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&docs.body).contains("<title>demo</title>"));
    assert!(header(&docs, "content-security-policy").is_some());
}

#[tokio::test]
async fn the_api_answers_listed_origins_only() {
    let h = harness(&[("ALLOWED_ORIGINS", HOST)]).await;

    let listed = send(&h.state, get("/api/config", Some(HOST))).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(header(&listed, "access-control-allow-origin"), Some(HOST));

    // The browser keeps the answer from a page on another origin: no allow header.
    let stranger = send(&h.state, get("/api/config", Some(STRANGER))).await;
    assert_eq!(header(&stranger, "access-control-allow-origin"), None);

    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/checkout")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = send(&h.state, preflight(HOST)).await;
    assert_eq!(header(&allowed, "access-control-allow-origin"), Some(HOST));
    let refused = send(&h.state, preflight(STRANGER)).await;
    assert_eq!(header(&refused, "access-control-allow-origin"), None);
}
