//! `POST /api/webhooks`: nothing in a delivery is read before its signature checks out.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use connect_checkout_core::api::Mode;
use connect_checkout_function::config::Config;
use connect_checkout_function::keys::WebhookSecret;
use connect_checkout_function::webhooks::signature::sign;
use connect_checkout_function::{AppState, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const OLD: &str = "whsec_0ldRotationSecret0000";
const NEW: &str = "whsec_NewRotationSecret0000";

fn state(secrets: &str) -> AppState {
    let secrets = secrets.to_owned();
    let env = move |name: &str| match name {
        "STRIPE_SECRET_KEY" => Some("sk_test_51WebhookTestsNeverCallStripe000".to_owned()),
        "STRIPE_PUBLISHABLE_KEY" => Some("pk_test_51WebhookTestsNeverCallStripe000".to_owned()),
        "STRIPE_API_BASE" => Some("http://127.0.0.1:9".to_owned()),
        "STRIPE_WEBHOOK_SECRETS" => (!secrets.is_empty()).then(|| secrets.clone()),
        _ => None,
    };
    let mut config = Config::from_env(&env).unwrap();
    config.mode = Mode::Test;
    AppState::new(config)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn event(id: &str, kind: &str) -> Vec<u8> {
    json!({
        "id": id, "object": "event", "type": kind, "account": "acct_1LumenCoffee0001",
        "created": now(), "livemode": false, "api_version": "2026-07-29.dahlia",
        "data": {"object": {"id": "pi_123", "object": "payment_intent", "amount": 1200, "currency": "usd"}},
    })
    .to_string()
    .into_bytes()
}

async fn deliver(
    state: &AppState,
    body: Vec<u8>,
    signature: Option<String>,
) -> (StatusCode, Value) {
    let mut request =
        Request::post("/api/webhooks").header(header::CONTENT_TYPE, "application/json");
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    let response = app(state.clone())
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn secret(value: &str) -> WebhookSecret {
    WebhookSecret::parse("TEST", value).unwrap()
}

#[tokio::test]
async fn the_signatures_age_is_measured_by_the_states_clock() {
    let signed_at = 1_800_000_000;
    let body = event("evt_clock", "payment_intent.succeeded");
    let signature = sign(&body, &secret(NEW), signed_at);
    let at = |now: i64| state(NEW).with_clock(Arc::new(move || now));

    for (what, now) in [
        ("at once", signed_at),
        ("at the end of the tolerance", signed_at + 300),
        ("with our clock behind Stripe's", signed_at - 600),
    ] {
        let (status, answer) = deliver(&at(now), body.clone(), Some(signature.clone())).await;
        assert_eq!(status, StatusCode::OK, "{what}: {answer}");
    }
    let (status, answer) = deliver(&at(signed_at + 301), body, Some(signature)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("301 s old"),
        "{answer}"
    );
}

#[tokio::test]
async fn genuine_deliveries_are_accepted_and_every_kind_of_fake_is_refused() {
    let state = state(NEW);
    let body = event("evt_1", "payment_intent.succeeded");
    let (status, answer) =
        deliver(&state, body.clone(), Some(sign(&body, &secret(NEW), now()))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["received"], true);

    let mut refused = 0;
    let fakes: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        ("unsigned", body.clone(), None),
        (
            "signed with an unknown secret",
            body.clone(),
            Some(sign(
                &body,
                &secret("whsec_AttackerSecret0000000000000"),
                now(),
            )),
        ),
        (
            "tampered after signing",
            event("evt_1", "payment_intent.succeeded")
                .into_iter()
                .chain(*b" ")
                .collect(),
            Some(sign(&body, &secret(NEW), now())),
        ),
        (
            "replayed after the tolerance",
            body.clone(),
            Some(sign(&body, &secret(NEW), now() - 301)),
        ),
        (
            "a malformed header",
            body.clone(),
            Some("t=abc,v1=xyz".into()),
        ),
        (
            "only a v0 scheme",
            body.clone(),
            Some(format!("t={},v0=00", now())),
        ),
    ];
    for (what, body, signature) in fakes {
        let (status, answer) = deliver(&state, body, signature).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_request", "{what}");
        refused += 1;
    }
    assert_eq!(refused, 6);
}

#[tokio::test]
async fn during_a_secret_rotation_both_secrets_work_and_afterwards_only_the_new_one() {
    let body = event("evt_2", "account.updated");
    let old_signed = sign(&body, &secret(OLD), now());
    let new_signed = sign(&body, &secret(NEW), now());

    let rotating = state(&format!("{NEW},{OLD}"));
    assert_eq!(
        deliver(&rotating, body.clone(), Some(old_signed.clone()))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        deliver(&rotating, body.clone(), Some(new_signed.clone()))
            .await
            .0,
        StatusCode::OK
    );

    let rotated = state(NEW);
    assert_eq!(
        deliver(&rotated, body.clone(), Some(old_signed)).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        deliver(&rotated, body, Some(new_signed)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn duplicates_out_of_order_and_unknown_events_are_acknowledged() {
    let state = state(NEW);
    let succeeded = event("evt_3", "payment_intent.succeeded");
    let updated = event("evt_4", "account.updated");
    let unknown = event("evt_5", "issuing_card.created");
    for body in [
        updated.clone(),
        succeeded.clone(),
        succeeded.clone(),
        updated,
        unknown,
    ] {
        let signature = sign(&body, &secret(NEW), now());
        assert_eq!(
            deliver(&state, body, Some(signature)).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_signed_body_that_is_not_an_event_is_a_4xx_not_a_crash() {
    let state = state(NEW);
    let body = b"not json at all".to_vec();
    let signature = sign(&body, &secret(NEW), now());
    let (status, answer) = deliver(&state, body, Some(signature)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
}

#[tokio::test]
async fn without_a_configured_secret_every_delivery_is_refused_as_a_setup_problem() {
    let state = state("");
    let body = event("evt_6", "payment_intent.succeeded");
    let signature = sign(&body, &secret(NEW), now());
    let (status, answer) = deliver(&state, body, Some(signature)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["error"]["code"], "provider_configuration");
}

#[tokio::test]
async fn a_header_built_to_multiply_our_work_is_refused_with_what_to_send() {
    let state = state(NEW);
    let body = event("evt_big", "payment_intent.succeeded");
    let genuine = sign(&body, &secret(NEW), now());
    let entry = genuine.split(',').nth(1).unwrap().to_owned();

    let oversized = format!("{genuine}{}", format!(",{entry}").repeat(40));
    let (status, answer) = deliver(&state, body.clone(), Some(oversized)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_request");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("send the header Stripe sent"), "{message}");

    // Nine copies of the genuine entry fit in the size cap but not in the entry cap.
    let too_many = format!("{genuine}{}", format!(",{entry}").repeat(8));
    let (status, answer) = deliver(&state, body, Some(too_many)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("more than 8 v1 signatures"), "{message}");
}
