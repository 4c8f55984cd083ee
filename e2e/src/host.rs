//! A host page on another origin than the function: the platform's own site, which embeds the
//! checkout with the loader the function serves (README "Embedding").
//!
//! A tiny static server on a loopback port of its own, reached as `http://localhost:PORT`
//! while the function is `http://127.0.0.1:PORT`: another origin and another site, as a real
//! platform's pages are. Each page is served with the Content-Security-Policy the README
//! gives host pages ([`host_csp`]), so the tests prove that policy is enough.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A file of the host site.
#[derive(Clone)]
struct File {
    content_type: &'static str,
    body: Vec<u8>,
    csp: Option<String>,
}

/// The files, by path.
type Pages = Arc<Mutex<HashMap<String, File>>>;

/// The host site, running.
pub struct Host {
    /// `http://localhost:PORT`.
    pub origin: String,
    pages: Pages,
    task: JoinHandle<()>,
}

impl Host {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// [`Host::start`] on `port` (0: any free one), for a function configured in advance to
    /// allow `http://localhost:PORT`.
    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let pages = Pages::default();
        let router = Router::new().fallback(serve).with_state(Arc::clone(&pages));
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            origin: format!("http://localhost:{port}"),
            pages,
            task,
        }
    }

    /// Serves `html` at `path` with the Content-Security-Policy `csp`, if any.
    pub fn page(&self, path: &str, html: String, csp: Option<String>) {
        self.insert(path, "text/html; charset=utf-8", html.into_bytes(), csp);
    }

    /// Serves the script `js` at `path` (the host's own scripts: the policy allows no inline
    /// script).
    pub fn script(&self, path: &str, js: &str) {
        self.insert(path, "text/javascript", js.as_bytes().to_vec(), None);
    }

    /// Serves `body` at `path` as `content_type`: files the host copied from a package.
    pub fn file(&self, path: &str, content_type: &'static str, body: Vec<u8>) {
        self.insert(path, content_type, body, None);
    }

    fn insert(&self, path: &str, content_type: &'static str, body: Vec<u8>, csp: Option<String>) {
        self.pages.lock().unwrap().insert(
            path.to_owned(),
            File {
                content_type,
                body,
                csp,
            },
        );
    }

    /// The URL of `path` on this host.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

async fn serve(State(pages): State<Pages>, request: Request) -> Response {
    let file = pages.lock().unwrap().get(request.uri().path()).cloned();
    let Some(file) = file else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let mut response = ([(header::CONTENT_TYPE, file.content_type)], file.body).into_response();
    if let Some(csp) = file.csp {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).unwrap(),
        );
    }
    response
}

/// The Content-Security-Policy README "Embedding" gives a host page, for the function at
/// `function` (an origin) and Stripe.js at `stripe_js` (its origin: `https://js.stripe.com`,
/// or the sandbox's).
pub fn host_csp(function: &str, stripe_js: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {function} {stripe_js} 'wasm-unsafe-eval'; \
         style-src 'self' {function}; connect-src 'self' {function} {stripe_js}; \
         frame-src {stripe_js}; img-src 'self' data: {stripe_js}; object-src 'none'; \
         base-uri 'self'"
    )
}

/// A host page: `head` (scripts, instrumentation) and `body`, with the loader from
/// `function` after `head`.
pub fn host_page(function: &str, head: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>A platform's page</title>\n{head}\n\
         <script src=\"{function}/embed/loader.js\"></script>\n</head>\n\
         <body>\n<h1>A platform's page</h1>\n{body}\n</body>\n</html>\n"
    )
}
