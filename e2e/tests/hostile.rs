//! Hostile clients: slow (slowloris-style), malformed, oversized and wrongly-typed requests to
//! the function and the sandbox leave both serving everyone else, and never get a 5xx.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use connect_checkout_e2e::{SELLER, Stack};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn address(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

/// What became of one slow client.
#[derive(Debug, PartialEq)]
enum Slow {
    /// It dripped bytes for the whole time, the server holding the connection open.
    Held,
    /// The server closed the connection first (a header-read timeout, say): also a defence.
    ClosedByServer,
}

/// Opens `count` connections that send a request one byte at a time, never finishing it. A
/// connection that cannot even be opened fails the test: then nothing was stressed.
fn slow_clients(
    target: String,
    count: usize,
    for_how_long: Duration,
) -> Vec<tokio::task::JoinHandle<Slow>> {
    (0..count)
        .map(|_| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(&target)
                    .await
                    .unwrap_or_else(|error| panic!("a slow client could not connect to {target}: {error}"));
                let started = Instant::now();
                let drip = b"GET /api/config HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
                for byte in drip.iter().cycle() {
                    if started.elapsed() > for_how_long {
                        return Slow::Held;
                    }
                    if stream.write_all(&[*byte]).await.is_err() {
                        return Slow::ClosedByServer;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                unreachable!("the drip cycles forever")
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_clients_do_not_starve_real_ones() {
    let stack = Stack::start().await;
    let mut slow = slow_clients(address(&stack.function_url), 150, Duration::from_secs(3));
    slow.extend(slow_clients(
        address(&stack.sandbox.base_url()),
        150,
        Duration::from_secs(3),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut served = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) {
        let config = http
            .get(format!("{}/api/config", stack.function_url))
            .send()
            .await
            .unwrap();
        assert_eq!(config.status(), 200);
        let prices = http
            .get(format!("{}/v1/prices?limit=1", stack.sandbox.base_url()))
            .bearer_auth(stack.sandbox.secret_key())
            .header("Stripe-Account", SELLER)
            .send()
            .await
            .unwrap();
        assert_eq!(prices.status(), 200);
        served += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        served >= 10,
        "real clients kept being served ({served} rounds)"
    );
    let mut held = 0;
    for task in slow {
        // A panic in a slow client (it could not connect) fails the test here.
        if task.await.unwrap() == Slow::Held {
            held += 1;
        }
    }
    // The real clients were served while the slow ones occupied connections, not after the
    // servers had shed them all.
    assert!(held > 0, "no slow client was held open for the whole run");
    stack.shutdown().await;
}

/// Sends raw bytes and returns whatever comes back before the server closes or 2 s pass. The
/// connection must open: a refused one is a failure, not an empty answer.
async fn raw(target: &str, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(target)
        .await
        .unwrap_or_else(|error| panic!("cannot connect to {target}: {error}"));
    let _ = stream.write_all(bytes).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status line's code of a raw HTTP/1.1 answer.
fn status_of(answer: &str) -> Option<u16> {
    answer.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_oversized_and_mistyped_requests_get_4xx_and_nothing_breaks() {
    let stack = Stack::start().await;
    let function = address(&stack.function_url);
    let sandbox = address(&stack.sandbox.base_url());
    for target in [&function, &sandbox] {
        // Bytes that are no HTTP/1.1 request: the server must say so with a 4xx.
        for garbage in [
            &b"\x00\x01\x02garbage\r\n\r\n"[..],
            b"GET / HTTP/9.9\r\n\r\n",
            b"POST /api/checkout HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        ] {
            let answer = raw(target, garbage).await;
            assert!(
                status_of(&answer).is_some_and(|status| (400..500).contains(&status)),
                "{target} answered {:?} with {answer:?}: a 4xx was due",
                String::from_utf8_lossy(garbage)
            );
        }
        // A well-formed request for a path that decodes to nothing valid: an answer, never a
        // 5xx (the function serves its demo page for unknown paths).
        let answer = raw(target, b"GET /%ZZ%00 HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(
            status_of(&answer).is_some_and(|status| status < 500),
            "{target} answered a malformed path with {answer:?}"
        );
    }

    let http = reqwest::Client::new();
    let huge = vec![b'a'; 20 * 1024 * 1024];
    // A body past the limit gets a 413 once the limit is crossed, or, while the client is still
    // uploading, the connection closed after it; either way nothing more was read into memory.
    // A connection that was never taken is no defence and fails.
    let answer = http
        .post(format!("{}/api/checkout", stack.function_url))
        .header("content-type", "application/json")
        .body(huge.clone())
        .send()
        .await;
    match answer {
        Ok(answer) => assert_eq!(answer.status(), 413),
        Err(error) => assert!(
            !error.is_connect() && !error.is_timeout(),
            "the function did not take the connection: {error}"
        ),
    }
    let answer = http
        .post(format!("{}/v1/payment_intents", stack.sandbox.base_url()))
        .bearer_auth(stack.sandbox.secret_key())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await;
    match answer {
        Ok(answer) => assert_eq!(answer.status(), 413),
        Err(error) => assert!(
            !error.is_connect() && !error.is_timeout(),
            "the sandbox did not take the connection: {error}"
        ),
    }

    for (method, path, content_type, body) in [
        ("POST", "/api/checkout", "text/plain", "seller=acct_1"),
        ("POST", "/api/checkout", "application/json", "[1, 2, 3]"),
        (
            "POST",
            "/api/checkout",
            "application/json",
            "{\"seller\": {\"nested\": true}}",
        ),
        ("POST", "/api/sellers", "application/json", "{\"kind\": 42}"),
        ("PUT", "/api/config", "application/json", "{}"),
        ("POST", "/api/webhooks", "application/json", "{}"),
        (
            "GET",
            "/api/sellers/acct_%00/products",
            "application/json",
            "",
        ),
    ] {
        let answer = http
            .request(
                method.parse().unwrap(),
                format!("{}{path}", stack.function_url),
            )
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            answer.status().is_client_error(),
            "{method} {path} {body}: {}",
            answer.status()
        );
    }

    // Still serving, state intact.
    let products = http
        .get(format!(
            "{}/api/sellers/{SELLER}/products",
            stack.function_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(products.status(), 200);
    stack.shutdown().await;
}
