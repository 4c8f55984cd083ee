//! Events and webhooks (FIDELITY.md §Webhooks): an event for each change, `/v1/events`,
//! `/v1/webhook_endpoints`, signed deliveries routed by `connect`, retries with backoff, and a
//! rolled secret that signs alongside the old one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, Harness, LUMEN, receiver, signature_valid, start, start_with};
use serde_json::{Value, json};

async fn register(h: &Harness, url: &str, extra: &str) -> Value {
    let reply = h
        .post(
            "/v1/webhook_endpoints",
            &format!("url={url}&{extra}"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// A direct charge on Lumen, confirmed with a test card.
async fn pay(h: &Harness, pm: &str) -> Value {
    let reply = h
        .post(
            "/v1/payment_intents",
            &format!(
                "amount=1500&currency=usd&application_fee_amount=150&payment_method={pm}&confirm=true&payment_method_types[]=card"
            ),
            h.secret_for(Some(LUMEN)),
        )
        .await;
    reply.body
}

#[tokio::test]
async fn endpoint_secret_is_returned_only_at_creation() {
    let h = start().await;
    let created = register(
        &h,
        "http://127.0.0.1:9/hook",
        "enabled_events[]=*&connect=true&description=local",
    )
    .await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("we_"));
    assert_eq!(created["object"], "webhook_endpoint");
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created["status"], "enabled");
    assert_eq!(created["enabled_events"], json!(["*"]));
    assert_eq!(created["api_version"], Value::Null);
    let fetched = h
        .get(
            &format!("/v1/webhook_endpoints/{id}"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(fetched.status, 200);
    assert!(fetched.body.get("secret").is_none(), "{}", fetched.body);
    let listed = h.get("/v1/webhook_endpoints", "", h.secret_for(None)).await;
    assert_eq!(listed.body["data"][0]["id"], id);
    assert!(listed.body["data"][0].get("secret").is_none());
}

#[tokio::test]
async fn endpoint_parameters_are_checked() {
    let h = start().await;
    let missing = h
        .post(
            "/v1/webhook_endpoints",
            "url=http://127.0.0.1:9/x",
            h.secret_for(None),
        )
        .await;
    assert_eq!(
        missing.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            Some("enabled_events")
        )
    );
    let bad_url = h
        .post(
            "/v1/webhook_endpoints",
            "url=not-a-url&enabled_events[]=*",
            h.secret_for(None),
        )
        .await;
    assert_eq!(bad_url.status, 400);
    assert_eq!(bad_url.error()["param"], "url");
    let bad_event = h
        .post(
            "/v1/webhook_endpoints",
            "url=http://127.0.0.1:9/x&enabled_events[0]=charge.succeeded&enabled_events[1]=charge.exploded",
            h.secret_for(None),
        )
        .await;
    assert_eq!(bad_event.status, 400);
    assert_eq!(bad_event.error()["param"], "enabled_events[1]");
    let pk = h
        .post(
            "/v1/webhook_endpoints",
            "url=http://127.0.0.1:9/x&enabled_events[]=*",
            As {
                key: Some(h.pk()),
                ..As::default()
            },
        )
        .await;
    assert_eq!(pk.status, 403);
}

#[tokio::test]
async fn endpoint_update_and_delete() {
    let h = start().await;
    let created = register(&h, "http://127.0.0.1:9/a", "enabled_events[]=*").await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/v1/webhook_endpoints/{id}");
    let updated = h
        .post(
            &path,
            "url=http://127.0.0.1:9/b&disabled=true&enabled_events[]=charge.refunded&metadata[team]=pay",
            h.secret_for(None),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["url"], "http://127.0.0.1:9/b");
    assert_eq!(updated.body["status"], "disabled");
    assert_eq!(updated.body["enabled_events"], json!(["charge.refunded"]));
    assert_eq!(updated.body["metadata"]["team"], "pay");
    let deleted = h
        .call(reqwest::Method::DELETE, &path, "", h.secret_for(None))
        .await;
    assert_eq!(
        deleted.body,
        json!({"id": id, "object": "webhook_endpoint", "deleted": true})
    );
    let gone = h.get(&path, "", h.secret_for(None)).await;
    assert_eq!(
        gone.error_summary(),
        (
            404,
            "invalid_request_error",
            Some("resource_missing"),
            Some("id")
        )
    );
}

#[tokio::test]
async fn events_name_the_request_and_the_connected_account() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            As {
                key: Some(h.sk()),
                account: Some(LUMEN),
                idempotency_key: Some("order-7"),
                ..As::default()
            },
        )
        .await;
    let request_id = reply.header("request-id").unwrap().to_owned();
    let events = h
        .get(
            "/v1/events",
            "type=payment_intent.created",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(events.status, 200, "{}", events.body);
    let event = &events.body["data"][0];
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["object"], "event");
    assert_eq!(event["type"], "payment_intent.created");
    assert_eq!(event["account"], LUMEN);
    assert_eq!(event["livemode"], false);
    assert_eq!(event["api_version"], "2026-07-29.dahlia");
    assert_eq!(event["request"]["id"], request_id.as_str());
    assert_eq!(event["request"]["idempotency_key"], "order-7");
    assert_eq!(event["data"]["object"]["id"], reply.body["id"]);
    assert_eq!(event["pending_webhooks"], 0);
    // The platform's own list does not hold a connected account's events.
    let platform = h.get("/v1/events", "", h.secret_for(None)).await;
    assert_eq!(platform.body["data"], json!([]));
    let one = h
        .get(
            &format!("/v1/events/{}", event["id"].as_str().unwrap()),
            "",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(one.body["id"], event["id"]);
    let hidden = h
        .get(
            &format!("/v1/events/{}", event["id"].as_str().unwrap()),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(hidden.status, 404);
}

#[tokio::test]
async fn a_payment_emits_created_charge_and_succeeded_events() {
    let h = start().await;
    pay(&h, "pm_card_visa").await;
    let events = h
        .get("/v1/events", "limit=10", h.secret_for(Some(LUMEN)))
        .await;
    let types: Vec<&str> = events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    // Newest first.
    assert_eq!(
        types,
        [
            "payment_intent.succeeded",
            "charge.succeeded",
            "payment_intent.created"
        ]
    );
    let wildcard = h
        .get(
            "/v1/events",
            "type=payment_intent.*",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(wildcard.body["data"].as_array().unwrap().len(), 2);
    let declined = pay(&h, "pm_card_chargeDeclined").await;
    assert_eq!(declined["error"]["code"], "card_declined");
    let failed = h
        .get(
            "/v1/events",
            "types[]=payment_intent.payment_failed&types[]=charge.failed",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(failed.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        failed.body["data"][0]["data"]["object"]["last_payment_error"]["decline_code"],
        "generic_decline"
    );
}

#[tokio::test]
async fn connect_endpoint_gets_signed_connected_account_events() {
    let h = start().await;
    let hook = receiver(&[]).await;
    let endpoint = register(&h, &hook.url, "enabled_events[]=*&connect=true").await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    let account_hook = receiver(&[]).await;
    register(&h, &account_hook.url, "enabled_events[]=*").await;

    pay(&h, "pm_card_visa").await;
    let got = hook.wait_for(3).await;
    assert_eq!(got.len(), 3, "{:?}", hook.types());
    for delivery in &got {
        assert!(
            signature_valid(&delivery.signature, &delivery.body, &secret),
            "{}",
            delivery.signature
        );
        assert!(delivery.signature.starts_with("t="));
        assert!(delivery.content_type.starts_with("application/json"));
        assert_eq!(delivery.event()["account"], LUMEN);
    }
    let mut types = hook.types();
    types.sort();
    assert_eq!(
        types,
        [
            "charge.succeeded",
            "payment_intent.created",
            "payment_intent.succeeded"
        ]
    );
    // An account endpoint (connect=false) hears only the platform's own events: here the
    // application fee the platform took.
    account_hook.wait_for(1).await;
    assert_eq!(account_hook.types(), ["application_fee.created"]);
    assert!(account_hook.received()[0].event().get("account").is_none());
    // A tampered body no longer verifies.
    let first = &got[0];
    assert!(!signature_valid(
        &first.signature,
        &first.body.replace("1500", "1"),
        &secret
    ));
}

#[tokio::test]
async fn account_endpoint_gets_platform_events_and_only_enabled_types() {
    let h = start().await;
    let hook = receiver(&[]).await;
    register(
        &h,
        &hook.url,
        "enabled_events[]=payment_intent.succeeded&api_version=2024-06-20",
    )
    .await;
    let reply = h
        .post(
            "/v1/payment_intents",
            &format!(
                "amount=2000&currency=usd&transfer_data[destination]={LUMEN}&payment_method=pm_card_visa&confirm=true&payment_method_types[]=card"
            ),
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let got = hook.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(hook.types(), ["payment_intent.succeeded"]);
    let event = got[0].event();
    assert!(event.get("account").is_none(), "a platform event: {event}");
    // Rendered with the endpoint's version.
    assert_eq!(event["api_version"], "2024-06-20");
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_until_acknowledged() {
    let h = start().await;
    h.fast_webhook_retries(50, 3).await;
    let hook = receiver(&[500, 503]).await;
    register(
        &h,
        &hook.url,
        "enabled_events[]=payment_intent.created&connect=true",
    )
    .await;
    h.create_intent(LUMEN, "amount=1000&currency=usd").await;
    let got = hook.wait_for(3).await;
    assert_eq!(got.len(), 3);
    // Every attempt carries the same event.
    assert_eq!(got[0].event()["id"], got[2].event()["id"]);
    let deliveries = h.admin_get("/_sandbox/webhook_deliveries").await;
    let delivery = &deliveries.body["data"][0];
    assert_eq!(delivery["status"], "succeeded", "{delivery}");
    assert_eq!(delivery["attempt_count"], 3);
    assert_eq!(delivery["attempts"][0]["status"], 500);
    assert_eq!(delivery["attempts"][2]["status"], 200);
    assert_eq!(delivery["event_type"], "payment_intent.created");
    // Three attempts, one acknowledged: what a bench counts as one webhook handled.
    let counted = h.admin_get("/_sandbox/requests").await;
    assert_eq!(counted.body["webhooks_delivered"], 1, "{}", counted.body);
}

#[tokio::test]
async fn deliveries_give_up_when_the_schedule_runs_out() {
    let h = start().await;
    h.fast_webhook_retries(20, 2).await;
    let hook = receiver(&[500, 500, 500, 500]).await;
    register(
        &h,
        &hook.url,
        "enabled_events[]=payment_intent.created&connect=true",
    )
    .await;
    h.create_intent(LUMEN, "amount=1000&currency=usd").await;
    hook.wait_for(3).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let delivery = loop {
        let d = h
            .admin_get("/_sandbox/webhook_deliveries?status=failed")
            .await;
        if d.body["data"].as_array().is_some_and(|a| !a.is_empty())
            || std::time::Instant::now() > deadline
        {
            break d.body["data"][0].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(delivery["status"], "failed", "{delivery}");
    assert_eq!(delivery["attempt_count"], 3, "one try and two retries");
    // The event still counts as pending for Stripe's `pending_webhooks`.
    let events = h
        .get(
            "/v1/events",
            "delivery_success=false",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(events.body["data"][0]["pending_webhooks"], 1);
    // An admin resend makes one more attempt, which the receiver now accepts.
    let id = delivery["id"].as_str().unwrap();
    let resent = h
        .admin_post(
            &format!("/_sandbox/webhook_deliveries/{id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(resent.status, 200);
    hook.wait_for(4).await;
    assert_eq!(hook.received().len(), 4);
}

#[tokio::test]
async fn unreachable_endpoints_fail_without_harm() {
    let h = start().await;
    h.fast_webhook_retries(10, 1).await;
    // Nothing listens on port 9 of loopback.
    register(
        &h,
        "http://127.0.0.1:9/hook",
        "enabled_events[]=*&connect=true",
    )
    .await;
    let pi = h.create_intent(LUMEN, "amount=1000&currency=usd").await;
    assert_eq!(pi["status"], "requires_payment_method");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let d = h.admin_get("/_sandbox/webhook_deliveries").await;
        let first = &d.body["data"][0];
        if first["status"] == "failed" {
            assert_eq!(first["attempts"][0]["error"], "could not connect");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{first}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn rolled_secret_signs_with_both_until_the_overlap_ends() {
    let h = start().await;
    let hook = receiver(&[]).await;
    let endpoint = register(
        &h,
        &hook.url,
        "enabled_events[]=payment_intent.created&connect=true",
    )
    .await;
    let old = endpoint["secret"].as_str().unwrap().to_owned();
    let id = endpoint["id"].as_str().unwrap();
    let rolled = h
        .admin_post(
            &format!("/_sandbox/webhook_endpoints/{id}/roll_secret"),
            json!({"expires_in_seconds": 3600}),
        )
        .await;
    assert_eq!(rolled.status, 200, "{}", rolled.body);
    let new = rolled.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    h.create_intent(LUMEN, "amount=1000&currency=usd").await;
    let got = hook.wait_for(1).await;
    let header = &got[0].signature;
    assert_eq!(header.matches("v1=").count(), 2, "{header}");
    assert!(signature_valid(header, &got[0].body, &old));
    assert!(signature_valid(header, &got[0].body, &new));

    // Rolling again with no overlap: only the newest secret signs.
    let last = h
        .admin_post(
            &format!("/_sandbox/webhook_endpoints/{id}/roll_secret"),
            json!({"expires_in_seconds": 0}),
        )
        .await;
    let newest = last.body["secret"].as_str().unwrap().to_owned();
    h.create_intent(LUMEN, "amount=1000&currency=usd").await;
    let got = hook.wait_for(2).await;
    let header = &got[1].signature;
    assert_eq!(header.matches("v1=").count(), 1, "{header}");
    assert!(signature_valid(header, &got[1].body, &newest));
    assert!(!signature_valid(header, &got[1].body, &new));
}

#[tokio::test]
async fn seeded_local_webhooks_use_the_fixed_secret_shown_by_the_keys_call() {
    let hook = receiver(&[]).await;
    let h = start_with(stripe_sandbox::Seed::default().with_local_webhooks(hook.url.clone())).await;
    let keys = h.admin_get("/_sandbox/keys").await;
    assert_eq!(
        keys.body["webhook_secret"],
        stripe_sandbox::LOCAL_WEBHOOK_SECRET
    );
    assert_eq!(
        keys.body["webhook_secrets"],
        json!([stripe_sandbox::LOCAL_WEBHOOK_SECRET])
    );
    // Direct charge: a Connect event. Destination charge: a platform event. Both arrive.
    h.create_intent(LUMEN, "amount=1000&currency=usd").await;
    h.post(
        "/v1/payment_intents",
        &format!("amount=1000&currency=usd&transfer_data[destination]={LUMEN}"),
        h.secret_for(None),
    )
    .await;
    let got = hook.wait_for(2).await;
    assert_eq!(got.len(), 2);
    for delivery in &got {
        assert!(signature_valid(
            &delivery.signature,
            &delivery.body,
            stripe_sandbox::LOCAL_WEBHOOK_SECRET
        ));
    }
    let plain = start().await;
    let keys = plain.admin_get("/_sandbox/keys").await;
    assert!(keys.body.get("webhook_secret").is_none());
}
