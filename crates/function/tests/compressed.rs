//! The built widget as `serve` sends it, as a CDN would: the brotli or gzip copy `cargo xtask`
//! wrote beside a file when the browser accepts it (with `Vary: Accept-Encoding`), the file as
//! is otherwise; content-hashed files cached for good, pages and the embed's loader
//! revalidated on every use.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use connect_checkout_function::AppState;
use connect_checkout_function::app;
use http_body_util::BodyExt;
use support::harness;
use tower::ServiceExt;

const EMBED_WASM: &str = "embed/connect-checkout-fedcba9876543210.wasm";
const EMBED_GLUE: &str = "embed/connect-checkout-0123456789abcdef.js";
const LOADER: &str = "embed/loader.js";
const DEMO_WASM: &str = "connect-checkout-9f1c2b3a4d5e6f70_bg.wasm";
const DEMO_GLUE: &str = "connect-checkout-9f1c2b3a4d5e6f70.js";
const PAGE: &str = "index.html";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A widget folder as `cargo xtask` leaves it, each file with a `.br` and a `.gz` beside it.
/// The copies' bytes only have to differ from the file and each other: the server sends
/// them as they are and never decodes them.
struct Widget(PathBuf);

impl Widget {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cc-function-compressed-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(dir.join("embed")).unwrap();
        for file in [EMBED_WASM, EMBED_GLUE, LOADER, DEMO_WASM, DEMO_GLUE, PAGE] {
            std::fs::write(dir.join(file), plain(file)).unwrap();
            std::fs::write(dir.join(format!("{file}.br")), brotli(file)).unwrap();
            std::fs::write(dir.join(format!("{file}.gz")), gzip(file)).unwrap();
        }
        // Too small to be worth compressing: the build wrote no copies.
        std::fs::write(dir.join("embed/connect-checkout.d.ts"), "export {};").unwrap();
        Self(dir)
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn plain(file: &str) -> Vec<u8> {
    if file.ends_with(".html") {
        format!("<!doctype html><title>demo</title><!-- {file} -->").into_bytes()
    } else {
        format!("plain {file}").into_bytes()
    }
}

fn brotli(file: &str) -> Vec<u8> {
    format!("brotli {file}").into_bytes()
}

fn gzip(file: &str) -> Vec<u8> {
    format!("gzip {file}").into_bytes()
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    fn varies_by_encoding(&self) -> bool {
        self.headers
            .get_all(header::VARY)
            .iter()
            .flat_map(|value| value.to_str().unwrap().split(','))
            .any(|name| name.trim().eq_ignore_ascii_case("accept-encoding"))
    }
}

async fn get(state: &AppState, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = Request::builder().method(Method::GET).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
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

async fn serving(widget: &Widget) -> support::Harness {
    let dir = widget.0.display().to_string();
    harness(&[("WIDGET_DIR", &dir)]).await
}

#[tokio::test]
async fn a_browser_that_accepts_brotli_gets_the_brotli_copy() {
    let widget = Widget::new();
    let h = serving(&widget).await;

    // What Chromium sends over HTTPS and to localhost: brotli wins over gzip.
    for accepts in ["br", "gzip, deflate, br, zstd"] {
        for (file, content_type) in [
            (EMBED_WASM, "application/wasm"),
            (EMBED_GLUE, "text/javascript"),
            (LOADER, "text/javascript"),
            (DEMO_WASM, "application/wasm"),
            (DEMO_GLUE, "text/javascript"),
        ] {
            let answer = get(
                &h.state,
                &format!("/{file}"),
                &[("accept-encoding", accepts)],
            )
            .await;
            assert_eq!(answer.status, StatusCode::OK, "{file}");
            assert_eq!(answer.body, brotli(file), "{file} ({accepts})");
            assert_eq!(answer.header("content-encoding"), Some("br"), "{file}");
            assert!(answer.varies_by_encoding(), "{file}: {:?}", answer.headers);
            // The type of the file, not of its copy.
            assert!(
                answer
                    .header("content-type")
                    .unwrap()
                    .starts_with(content_type),
                "{file}: {:?}",
                answer.header("content-type")
            );
        }
    }

    let page = get(&h.state, "/", &[("accept-encoding", "br")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body, brotli(PAGE));
    assert_eq!(page.header("content-encoding"), Some("br"));
    assert!(page.varies_by_encoding());
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.header("content-security-policy").is_some());
}

#[tokio::test]
async fn gzip_when_brotli_is_not_accepted_and_the_file_as_is_without_either() {
    let widget = Widget::new();
    let h = serving(&widget).await;

    for file in [EMBED_WASM, LOADER, DEMO_GLUE] {
        let gzipped = get(
            &h.state,
            &format!("/{file}"),
            &[("accept-encoding", "gzip, deflate")],
        )
        .await;
        assert_eq!(gzipped.status, StatusCode::OK, "{file}");
        assert_eq!(gzipped.body, gzip(file), "{file}");
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"), "{file}");
        assert!(gzipped.varies_by_encoding(), "{file}");

        for identity in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
            let headers: Vec<(&str, &str)> = identity
                .map(|accepts| ("accept-encoding", accepts))
                .into_iter()
                .collect();
            let plain_answer = get(&h.state, &format!("/{file}"), &headers).await;
            assert_eq!(plain_answer.status, StatusCode::OK, "{file}");
            assert_eq!(plain_answer.body, plain(file), "{file} ({identity:?})");
            assert_eq!(plain_answer.header("content-encoding"), None, "{file}");
            assert!(plain_answer.varies_by_encoding(), "{file}");
        }
    }

    // No copies beside it: the file as is, whatever the browser accepts.
    let types = get(
        &h.state,
        "/embed/connect-checkout.d.ts",
        &[("accept-encoding", "br, gzip")],
    )
    .await;
    assert_eq!(types.status, StatusCode::OK);
    assert_eq!(types.body, b"export {};");
    assert_eq!(types.header("content-encoding"), None);
}

#[tokio::test]
async fn hashed_files_are_immutable_and_keep_their_cross_origin_headers() {
    let widget = Widget::new();
    let h = serving(&widget).await;

    for file in [EMBED_WASM, EMBED_GLUE, DEMO_WASM, DEMO_GLUE] {
        let answer = get(
            &h.state,
            &format!("/{file}"),
            &[
                ("accept-encoding", "br"),
                ("origin", "https://stranger.example"),
            ],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{file}");
        assert_eq!(answer.header("cache-control"), Some(IMMUTABLE), "{file}");
        assert!(answer.varies_by_encoding(), "{file}: {:?}", answer.headers);
        let embedded = file.starts_with("embed/");
        assert_eq!(
            answer.header("access-control-allow-origin"),
            embedded.then_some("*"),
            "{file}"
        );
        assert_eq!(
            answer.header("cross-origin-resource-policy"),
            embedded.then_some("cross-origin"),
            "{file}"
        );
    }
}

#[tokio::test]
async fn pages_and_the_loader_are_revalidated_on_every_use() {
    let widget = Widget::new();
    let h = serving(&widget).await;

    for path in [
        "/",
        "/index.html",
        "/seller/onboarding",
        "/embed",
        "/embed/loader.js",
    ] {
        let answer = get(&h.state, path, &[("accept-encoding", "br")]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.header("cache-control"), Some("no-cache"), "{path}");
        assert_eq!(answer.header("content-encoding"), Some("br"), "{path}");

        // Revalidation: unchanged since the browser's copy, so no body.
        let since = answer.header("last-modified").unwrap().to_owned();
        let unchanged = get(
            &h.state,
            path,
            &[("accept-encoding", "br"), ("if-modified-since", &since)],
        )
        .await;
        assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(unchanged.body.is_empty(), "{path}");
        assert_eq!(
            unchanged.header("cache-control"),
            Some("no-cache"),
            "{path}"
        );
    }
    let loader = get(&h.state, "/embed/loader.js", &[]).await;
    assert_eq!(loader.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        loader.header("cross-origin-resource-policy"),
        Some("cross-origin")
    );

    // An asset a deploy replaced: the demo page answers, and must not be kept a year.
    let gone = get(&h.state, "/connect-checkout-0000111122223333.js", &[]).await;
    assert_eq!(gone.status, StatusCode::OK);
    assert!(
        gone.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(gone.header("cache-control"), Some("no-cache"));
    let since = gone.header("last-modified").unwrap().to_owned();
    let revalidated = get(
        &h.state,
        "/connect-checkout-0000111122223333.js",
        &[("if-modified-since", &since)],
    )
    .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn the_store_page_starts_stripe_js_with_itself_and_no_other_answer_does() {
    let widget = Widget::new();
    let h = serving(&widget).await;
    let preload = format!("<{}>; rel=preload; as=script", h.state.config.stripe_js_url);

    for path in ["/", "/index.html", "/?seller=acct_1LumenCoffee0001"] {
        let page = get(&h.state, path, &[("accept-encoding", "br")]).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.header("link"), Some(preload.as_str()), "{path}");
        // Revalidated, the page keeps telling the browser.
        let since = page.header("last-modified").unwrap().to_owned();
        let unchanged = get(&h.state, path, &[("if-modified-since", &since)]).await;
        assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(unchanged.header("link"), Some(preload.as_str()), "{path}");
    }
    // The seller's and the docs' pages, the files and the API do not fetch Stripe.js early.
    for path in [
        "/seller",
        "/onboarding",
        "/embed",
        "/embed/loader.js",
        "/api/config",
        "/healthz",
    ] {
        let answer = get(&h.state, path, &[]).await;
        assert_eq!(answer.header("link"), None, "{path}");
    }
}
