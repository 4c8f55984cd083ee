//! Keys: where they may be sent, and Stripe's exact answers when they are missing, wrong, or
//! of the wrong kind (FIDELITY.md §Keys to §Authentication errors).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, LUMEN, start};
use serde_json::json;

#[tokio::test]
async fn missing_key_gets_stripes_exact_401() {
    let h = start().await;
    let reply = h.get("/v1/prices", "", As::default()).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        json!({"error": {
            "message": "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
            "type": "invalid_request_error"
        }})
    );
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic realm=\"Stripe\"")
    );
}

#[tokio::test]
async fn unknown_key_is_masked_to_its_last_four() {
    let h = start().await;
    let reply = h
        .get(
            "/v1/prices",
            "",
            As {
                key: Some("sk_test_abcdefghijklmnopqrstuvwxAso0"),
                ..As::default()
            },
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        json!({"error": {
            "message": "Invalid API Key provided: sk_test_************************Aso0",
            "type": "invalid_request_error"
        }})
    );
}

#[tokio::test]
async fn basic_auth_with_the_key_as_user_works_like_bearer() {
    let h = start().await;
    let response = h
        .http
        .get(h.url("/v1/account"))
        .basic_auth(h.sk(), Some(""))
        .send()
        .await
        .unwrap();
    let reply = common::read(response).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["object"], "account");
}

#[tokio::test]
async fn garbage_authorization_headers_get_401_not_500() {
    let h = start().await;
    let values: [&[u8]; 7] = [
        b"Bearer",
        b"Bearer    ",
        b"Basic !!!notbase64",
        b"Basic Og==",
        b"Token sk_test_x",
        b"sk_test_x",
        b"Bearer \xff\xfe",
    ];
    for value in values {
        let header = reqwest::header::HeaderValue::from_bytes(value).unwrap();
        let value = String::from_utf8_lossy(value);
        let response = h
            .http
            .get(h.url("/v1/prices"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        let reply = common::read(response).await;
        assert_eq!(reply.status, 401, "{value:?}: {}", reply.body);
        assert_eq!(reply.error()["type"], "invalid_request_error", "{value:?}");
    }
}

#[tokio::test]
async fn publishable_key_cannot_list_accounts() {
    let h = start().await;
    let pk = h.pk().to_owned();
    let reply = h
        .get(
            "/v1/accounts",
            "",
            As {
                key: Some(&pk),
                ..As::default()
            },
        )
        .await;
    assert_eq!(
        reply.error_summary(),
        (
            403,
            "invalid_request_error",
            Some("secret_key_required"),
            None
        )
    );
    assert_eq!(
        reply.error()["message"],
        "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
    );
}

#[tokio::test]
async fn publishable_key_cannot_create_payment_intents_even_in_the_body() {
    let h = start().await;
    // In the body on a secret-only endpoint the key is not read at all: no key was given.
    let reply = h
        .post(
            "/v1/payment_intents",
            &format!("amount=1200&currency=usd&key={}", h.pk()),
            As::default(),
        )
        .await;
    assert_eq!(reply.status, 401);
    // In the header it is read, and refused.
    let pk = h.pk().to_owned();
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            As {
                key: Some(&pk),
                account: Some(LUMEN),
                ..As::default()
            },
        )
        .await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn publishable_key_in_the_body_is_accepted_where_stripe_js_calls() {
    let h = start().await;
    let pm = h.card_payment_method("4242424242424242", LUMEN).await;
    assert!(pm.starts_with("pm_"));
}

#[tokio::test]
async fn publishable_key_in_the_body_must_be_a_known_key() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_methods",
            "type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034&key=pk_test_nottherightkey1234",
            As::default(),
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.error()["message"],
        "Invalid API Key provided: pk_test_**************1234"
    );
}

#[tokio::test]
async fn malformed_stripe_version_is_refused() {
    let h = start().await;
    let reply = h
        .get(
            "/v1/account",
            "",
            As {
                key: Some(h.sk()),
                version: Some("yesterday"),
                ..As::default()
            },
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error()["message"],
        "Invalid Stripe API version: yesterday"
    );
    let ok = h
        .get(
            "/v1/account",
            "",
            As {
                key: Some(h.sk()),
                version: Some("2024-06-20"),
                ..As::default()
            },
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("stripe-version"), Some("2024-06-20"));
}

/// What a bench reads to count a journey's Stripe calls: each call once, under the kind of key
/// that made it, and not a call refused for its key.
#[tokio::test]
async fn calls_are_counted_by_the_kind_of_key_that_made_them() {
    let h = start().await;
    let counted = |reply: &common::Reply| {
        assert_eq!(reply.status, 200, "{}", reply.body);
        (
            reply.body["secret_key"].as_u64().unwrap(),
            reply.body["publishable_key"].as_u64().unwrap(),
        )
    };
    assert_eq!(counted(&h.admin_get("/_sandbox/requests").await), (0, 0));

    let listed = h.get("/v1/prices", "", h.secret_for(Some(LUMEN))).await;
    assert_eq!(listed.status, 200);
    let intent = h
        .create_intent(
            LUMEN,
            "amount=1200&currency=usd&payment_method_types[]=card",
        )
        .await;
    let secret = intent["client_secret"].as_str().unwrap();
    let id = intent["id"].as_str().unwrap();
    let retrieved = h
        .get(
            &format!("/v1/payment_intents/{id}"),
            &format!("client_secret={secret}"),
            As {
                key: Some(h.pk()),
                account: Some(LUMEN),
                ..As::default()
            },
        )
        .await;
    assert_eq!(retrieved.status, 200, "{}", retrieved.body);
    let refused = h
        .get(
            "/v1/prices",
            "",
            As {
                key: Some("sk_test_abcdefghijklmnopqrstuvwxAso0"),
                ..As::default()
            },
        )
        .await;
    assert_eq!(refused.status, 401);
    assert_eq!(counted(&h.admin_get("/_sandbox/requests").await), (2, 1));

    assert_eq!(h.admin_post("/_sandbox/reset", json!({})).await.status, 200);
    assert_eq!(counted(&h.admin_get("/_sandbox/requests").await), (0, 0));
}
