//! Keys (FIDELITY.md §Authentication errors, §Restricted and rolled keys): a rolled key works until
//! its expiry and then gets Stripe's 401 `api_key_expired` (masked to its last 6); a revoked key is
//! an invalid key (masked to its last 4); restricted keys get a 403 naming the permission they
//! lack.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, Harness, LUMEN, start};
use serde_json::{Value, json};

fn with_key<'a>(key: &'a str, account: Option<&'a str>) -> As<'a> {
    As {
        key: Some(key),
        account,
        ..As::default()
    }
}

async fn roll(h: &Harness, key: &str, expires_in: i64) -> Value {
    let reply = h
        .admin_post(
            "/_sandbox/keys/roll",
            json!({"key": key, "expires_in_seconds": expires_in}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

async fn restricted(h: &Harness, permissions: Value) -> String {
    let reply = h
        .admin_post(
            "/_sandbox/keys/restricted",
            json!({"name": "function", "permissions": permissions}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["key"].as_str().unwrap().to_owned()
}

fn last(key: &str, n: usize) -> &str {
    &key[key.len() - n..]
}

#[tokio::test]
async fn a_rolled_key_works_until_its_expiry_then_is_expired() {
    let h = start().await;
    let old = h.sk().to_owned();
    let rolled = roll(&h, &old, 3600).await;
    let new = rolled["key"].as_str().unwrap().to_owned();
    assert!(new.starts_with("sk_test_"));
    assert_ne!(new, old);
    assert_eq!(rolled["kind"], "secret");
    for key in [&old, &new] {
        assert_eq!(
            h.get("/v1/prices", "", with_key(key, Some(LUMEN)))
                .await
                .status,
            200
        );
    }
    h.admin_post("/_sandbox/clock", json!({"advance_seconds": 3600}))
        .await;
    let expired = h.get("/v1/prices", "", with_key(&old, Some(LUMEN))).await;
    assert_eq!(
        expired.error_summary(),
        (401, "invalid_request_error", Some("api_key_expired"), None)
    );
    let message = expired.error()["message"].as_str().unwrap();
    assert!(
        message.starts_with("Expired API Key provided: sk_test_*"),
        "{message}"
    );
    assert!(message.ends_with(last(&old, 6)), "{message}");
    assert!(
        !message.contains(&old[8..old.len() - 6]),
        "masked: {message}"
    );
    assert_eq!(
        expired.error()["doc_url"],
        "https://stripe.com/docs/error-codes/api-key-expired"
    );
    assert_eq!(
        h.get("/v1/prices", "", with_key(&new, Some(LUMEN)))
            .await
            .status,
        200
    );
    // The admin keys call now hands out the new key and lists both.
    let keys = h.admin_get("/_sandbox/keys").await.body;
    assert_eq!(keys["secret_key"], new.as_str());
    let listed = keys["keys"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|k| k["key"] == old.as_str() && k["expires_at"].is_i64())
    );
}

#[tokio::test]
async fn rolling_with_no_overlap_expires_the_old_key_at_once() {
    let h = start().await;
    let old = h.pk().to_owned();
    let rolled = roll(&h, &old, 0).await;
    assert_eq!(rolled["kind"], "publishable");
    let new = rolled["key"].as_str().unwrap();
    assert!(new.starts_with("pk_test_"));
    // Stripe.js with the old publishable key: expired.
    let pi = h.create_intent(LUMEN, "amount=1200&currency=usd").await;
    let reply = h
        .post(
            "/v1/payment_methods",
            &format!("type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034&key={old}&_stripe_account={LUMEN}"),
            As::default(),
        )
        .await;
    assert_eq!(reply.error()["code"], "api_key_expired");
    let ok = h
        .post(
            &format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap()),
            &format!(
                "payment_method=pm_card_visa&client_secret={}&key={new}&_stripe_account={LUMEN}",
                pi["client_secret"].as_str().unwrap()
            ),
            As::default(),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[tokio::test]
async fn a_revoked_key_is_an_invalid_key() {
    let h = start().await;
    let rolled = roll(&h, h.sk(), 3600).await;
    let spare = rolled["key"].as_str().unwrap().to_owned();
    let revoked = h
        .admin_post("/_sandbox/keys/revoke", json!({"key": spare}))
        .await;
    assert_eq!(revoked.status, 200);
    assert_eq!(
        revoked.body["revoked"],
        format!("sk_test_…{}", last(&spare, 4))
    );
    let reply = h.get("/v1/prices", "", with_key(&spare, Some(LUMEN))).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error()["code"], Value::Null);
    let message = reply.error()["message"].as_str().unwrap();
    assert!(
        message.starts_with("Invalid API Key provided: sk_test_*"),
        "{message}"
    );
    assert!(message.ends_with(last(&spare, 4)));
    let again = h
        .admin_post("/_sandbox/keys/revoke", json!({"key": spare}))
        .await;
    assert_eq!(again.status, 400);
}

#[tokio::test]
async fn restricted_keys_do_what_their_permissions_allow() {
    let h = start().await;
    let rk = restricted(
        &h,
        json!({"payment_intents": "write", "prices": "read", "events": "none"}),
    )
    .await;
    assert!(rk.starts_with("rk_test_"));
    assert_eq!(
        h.get("/v1/prices", "", with_key(&rk, Some(LUMEN)))
            .await
            .status,
        200
    );
    let pi = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            with_key(&rk, Some(LUMEN)),
        )
        .await;
    assert_eq!(pi.status, 200, "{}", pi.body);
    // Write includes read.
    assert_eq!(
        h.get("/v1/payment_intents", "", with_key(&rk, Some(LUMEN)))
            .await
            .status,
        200
    );
    let accounts = h.get("/v1/accounts", "", with_key(&rk, None)).await;
    assert_eq!(accounts.status, 403);
    assert_eq!(accounts.error()["type"], "invalid_request_error");
    let message = accounts.error()["message"].as_str().unwrap();
    assert!(
        message.starts_with("The provided key 'rk_test_*"),
        "{message}"
    );
    assert!(
        message.contains("on account 'acct_1SandboxPlatform'"),
        "{message}"
    );
    assert!(
        message.ends_with(
            "Having the 'rak_accounts_kyc_basic_read' permission would allow this request to continue."
        ),
        "{message}"
    );
    let refund = h
        .post("/v1/refunds", "charge=ch_x", with_key(&rk, Some(LUMEN)))
        .await;
    assert!(
        refund.error()["message"]
            .as_str()
            .unwrap()
            .contains("'rak_refund_write'")
    );
    let prices_write_needed = h
        .post(
            "/v1/webhook_endpoints",
            "url=http://127.0.0.1:9/x&enabled_events[]=*",
            with_key(&rk, None),
        )
        .await;
    assert!(
        prices_write_needed.error()["message"]
            .as_str()
            .unwrap()
            .contains("'rak_webhook_write'")
    );
    assert_eq!(
        h.get("/v1/events", "", with_key(&rk, None)).await.status,
        403
    );
    // A restricted key is still a secret key: no raw card numbers.
    let raw = h
        .post(
            "/v1/payment_methods",
            "type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034",
            with_key(&rk, Some(LUMEN)),
        )
        .await;
    assert_eq!(
        raw.status, 403,
        "no payment_methods permission: {}",
        raw.body
    );
}

#[tokio::test]
async fn restricted_key_requests_are_checked() {
    let h = start().await;
    let bad = h
        .admin_post(
            "/_sandbox/keys/restricted",
            json!({"permissions": {"spaceships": "write"}}),
        )
        .await;
    assert_eq!(bad.status, 400);
    let bad_level = h
        .admin_post(
            "/_sandbox/keys/restricted",
            json!({"permissions": {"prices": "admin"}}),
        )
        .await;
    assert_eq!(bad_level.status, 400);
    let unknown = h
        .admin_post("/_sandbox/keys/roll", json!({"key": "sk_test_unknown"}))
        .await;
    assert_eq!(unknown.status, 400);
}

#[tokio::test]
async fn reset_brings_the_seed_keys_back() {
    let h = start().await;
    let sk = h.sk().to_owned();
    roll(&h, &sk, 0).await;
    assert_eq!(
        h.get("/v1/prices", "", with_key(&sk, Some(LUMEN)))
            .await
            .status,
        401
    );
    h.admin_post("/_sandbox/reset", json!({})).await;
    assert_eq!(
        h.get("/v1/prices", "", with_key(&sk, Some(LUMEN)))
            .await
            .status,
        200
    );
}
