//! Bad input of every kind gets a Stripe-shaped 4xx with a Request-Id, never a 500, and
//! leaves the store consistent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, LUMEN, read, start};

#[tokio::test]
async fn unknown_paths_get_stripes_unrecognized_url_404() {
    let h = start().await;
    let reply = h.get("/v1/nope", "", h.secret_for(None)).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        serde_json::json!({"error": {
            "message": "Unrecognized request URL (GET: /v1/nope). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
            "type": "invalid_request_error"
        }})
    );
    assert!(reply.header("request-id").unwrap().starts_with("req_"));
    // A known path with a method it does not take, and paths outside /v1, say the same.
    let delete = read(
        h.http
            .delete(h.url("/v1/payment_intents"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(delete.status, 404);
    assert_eq!(
        delete.error()["message"],
        "Unrecognized request URL (DELETE: /v1/payment_intents). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
    );
    let root = read(h.http.get(h.url("/")).send().await.unwrap()).await;
    assert_eq!(root.status, 404);
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let h = start().await;
    let ok = h.get("/v1/account", "", h.secret_for(None)).await;
    let unauthorized = h.get("/v1/account", "", As::default()).await;
    let js = h.http.get(h.url("/v3/")).send().await.unwrap();
    for id in [
        ok.header("request-id"),
        unauthorized.header("request-id"),
        js.headers().get("request-id").and_then(|v| v.to_str().ok()),
    ] {
        let id = id.expect("a Request-Id");
        assert!(id.starts_with("req_") && id.len() == 18, "{id}");
    }
    assert_ne!(ok.header("request-id"), unauthorized.header("request-id"));
}

#[tokio::test]
async fn huge_bodies_are_413_not_a_crash() {
    let h = start().await;
    let body = format!(
        "amount=1200&currency=usd&description={}",
        "x".repeat(1024 * 1024 + 1024)
    );
    let response = h
        .http
        .post(h.url("/v1/payment_intents"))
        .bearer_auth(h.sk())
        .header("Stripe-Account", LUMEN)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let reply = read(response).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.error()["type"], "invalid_request_error");
    // Still serving.
    assert_eq!(
        h.get("/v1/account", "", h.secret_for(None)).await.status,
        200
    );
}

#[tokio::test]
async fn json_bodies_are_refused_with_a_clear_message() {
    let h = start().await;
    let response = h
        .http
        .post(h.url("/v1/payment_intents"))
        .bearer_auth(h.sk())
        .header("Stripe-Account", LUMEN)
        .header("Content-Type", "application/json")
        .body(r#"{"amount":1200,"currency":"usd"}"#)
        .send()
        .await
        .unwrap();
    let reply = read(response).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.error()["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid request: unsupported Content-Type application/json.")
    );
}

#[tokio::test]
async fn malformed_bodies_get_4xx_never_500() {
    let h = start().await;
    let bodies: Vec<Vec<u8>> = vec![
        b"amount=1200&currency=usd&%ZZ=1".to_vec(),
        b"&&&===&&".to_vec(),
        b"amount[=1&currency]=usd".to_vec(),
        b"[]=1".to_vec(),
        b"amount=1200&currency=usd&metadata[a][b][c]=d".to_vec(),
        format!("a{}=1", "[x]".repeat(100)).into_bytes(),
        b"amount=\xff\xfe&currency=usd".to_vec(),
        vec![0u8; 512],
        b"amount=1200&currency=usd&expand[]=latest_charge.payment_intent.latest_charge.payment_intent.latest_charge".to_vec(),
        b"amount=9999999999999999999999&currency=usd".to_vec(),
        b"amount=-5&currency=usd".to_vec(),
    ];
    // A cheap, bounded, deterministic sprinkle of noise on top.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut noise = Vec::new();
    for _ in 0..40 {
        let len = (state % 64) as usize;
        let body: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                b"am=[]&%5B%5D01xyz"[(state % 17) as usize]
            })
            .collect();
        noise.push(body);
    }
    for body in bodies.into_iter().chain(noise) {
        for path in ["/v1/payment_intents", "/v1/payment_methods"] {
            let response = h
                .http
                .post(h.url(path))
                .bearer_auth(h.sk())
                .header("Stripe-Account", LUMEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let status = response.status();
            let reply = read(response).await;
            assert!(
                status.is_client_error() || status.is_success(),
                "{path} {:?} gave {status}: {}",
                String::from_utf8_lossy(&body),
                reply.body
            );
            if !status.is_success() {
                assert!(reply.error()["type"].is_string(), "{}", reply.body);
            }
        }
    }
}

#[tokio::test]
async fn garbage_stripe_account_headers_are_403() {
    let h = start().await;
    for account in [
        "garbage",
        "acct_",
        "acct_1LumenCoffee0001 ",
        "ACCT_1LUMENCOFFEE0001",
    ] {
        let reply = h.get("/v1/prices", "", h.secret_for(Some(account))).await;
        // A value with a trailing space is trimmed, as HTTP header values are.
        if account.trim() == LUMEN {
            assert_eq!(reply.status, 200);
        } else {
            assert_eq!(reply.status, 403, "{account}");
        }
    }
}

#[tokio::test]
async fn cors_preflight_from_a_shop_origin_is_answered() {
    let h = start().await;
    let response = h
        .http
        .request(
            reqwest::Method::OPTIONS,
            h.url("/v1/payment_intents/pi_x/confirm"),
        )
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,stripe-account",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let headers = response.headers();
    assert_eq!(headers.get("access-control-allow-origin").unwrap(), "*");
    let methods = headers
        .get("access-control-allow-methods")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let allowed = headers
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(allowed.contains("stripe-account"), "{allowed}");

    // The actual call from that origin carries the header too, errors included.
    let response = h
        .http
        .post(h.url("/v1/payment_methods"))
        .header("Origin", "http://127.0.0.1:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
}

#[tokio::test]
async fn admin_keys_are_not_readable_cross_origin() {
    let h = start().await;
    let response = h
        .http
        .get(h.url("/_sandbox/keys"))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn reset_returns_to_the_seed() {
    let h = start().await;
    h.create_intent(LUMEN, "amount=1200&currency=usd").await;
    let reset = h.http.post(h.url("/_sandbox/reset")).send().await.unwrap();
    assert_eq!(reset.status(), 200);
    let list = h
        .get("/v1/payment_intents", "", h.secret_for(Some(LUMEN)))
        .await;
    assert!(list.body["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn admin_keys_give_the_whole_keys_to_loopback() {
    let h = start().await;
    let keys: serde_json::Value = h
        .http
        .get(h.url("/_sandbox/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys["secret_key"], h.sk());
    assert_eq!(keys["publishable_key"], h.pk());
    assert!(h.sk().starts_with("sk_test_") && h.pk().starts_with("pk_test_"));
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let h = start().await;
    let url = h.url("/_sandbox/health");
    assert_eq!(h.http.get(&url).send().await.unwrap().status(), 200);
    let common::Harness { sandbox, .. } = h;
    sandbox.shutdown().await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}
