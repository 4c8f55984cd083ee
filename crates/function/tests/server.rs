//! The server defends itself: a client gets a bounded time to send its headers, a request a
//! bounded time to be answered, and only so many requests are handled at once.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use connect_checkout_function::{app, server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use support::{HOUSE_BLEND, LUMEN, attempt_id, checkout, harness};

mod support;

/// An address that accepts connections and never answers: a Stripe that hangs.
async fn hanging_stripe() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let h = harness(&[]).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app(h.state.clone());
    tokio::spawn(server::serve(
        listener,
        router,
        Duration::from_secs(1),
        std::future::pending(),
    ));

    // An honest request is answered.
    let answer = reqwest::get(format!("http://{address}/api/config"))
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);

    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /api/config HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "still connected after 5 s");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "closed after {:?}",
        started.elapsed()
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_a_504_in_the_apis_error_shape() {
    let stripe = hanging_stripe().await;
    let h = harness(&[
        ("STRIPE_API_BASE", &stripe),
        ("REQUEST_TIMEOUT_SECONDS", "1"),
    ])
    .await;
    let started = Instant::now();
    let answer = h
        .post(
            "/api/checkout",
            &checkout(LUMEN, &[(HOUSE_BLEND, 1)], &attempt_id("hanging-stripe")),
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::GATEWAY_TIMEOUT,
        "{}",
        answer.body
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(answer.body["error"]["code"], "payment_provider_unavailable");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("try again"), "{message}");
    assert!(answer.headers.contains_key("x-request-id"));

    // A host page on an allowed origin can read the 504 too.
    let h = support::harness_with_state(
        &h,
        &[
            ("STRIPE_API_BASE", &stripe),
            ("REQUEST_TIMEOUT_SECONDS", "1"),
            ("ALLOWED_ORIGINS", "https://host.example.com"),
        ],
    );
    let request = axum::http::Request::get(format!("/api/sellers/{LUMEN}/products"))
        .header("origin", "https://host.example.com")
        .body(axum::body::Body::empty())
        .unwrap();
    let answer = h.send(request).await;
    assert_eq!(answer.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(
        answer.headers["access-control-allow-origin"],
        "https://host.example.com"
    );
}

#[tokio::test]
async fn requests_past_the_concurrency_limit_wait_for_a_free_slot() {
    let stripe = hanging_stripe().await;
    let h = harness(&[
        ("STRIPE_API_BASE", &stripe),
        ("REQUEST_TIMEOUT_SECONDS", "1"),
        ("MAX_CONCURRENT_REQUESTS", "1"),
    ])
    .await;
    // One Router, as `serve` and Lambda build it: its requests share one limit.
    let router = app(h.state.clone());
    let request = |path: &str| {
        axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let busy = tokio::spawn(
        router
            .clone()
            .oneshot(request(&format!("/api/sellers/{LUMEN}/products"))),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let config = router
        .clone()
        .oneshot(request("/api/config"))
        .await
        .unwrap();
    let waited = started.elapsed();
    let busy = busy.await.unwrap().unwrap();
    assert_eq!(busy.status(), StatusCode::GATEWAY_TIMEOUT);
    // `/api/config` needs no Stripe call: it waited only for the one slot.
    assert!(waited >= Duration::from_millis(500), "waited {waited:?}");
    assert!(
        config.status() == StatusCode::OK || config.status() == StatusCode::GATEWAY_TIMEOUT,
        "{}",
        config.status()
    );
}
