//! Bad input to the phase-2 endpoints gets a Stripe-shaped 4xx, never a 500, and leaves the
//! state as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{LUMEN, start};

const BODIES: &[&str] = &[
    "",
    "a[=1",
    "capabilities=x",
    "capabilities[card_payments]=x",
    "capabilities[card_payments][requested]=maybe",
    "individual=1",
    "individual[dob][day]=x",
    "individual[dob][day]=40&individual[dob][month]=1&individual[dob][year]=1901",
    "external_account[]=1",
    "external_account[object]=card",
    "external_account=btok_nope",
    "account_token=ct_nope",
    "amount=-5",
    "amount=99999999999999999999",
    "amount=1&currency=zzz",
    "payment_intent=pi_nope",
    "charge=ch_nope&amount=0",
    "transfer_data[amount]=x",
    "metadata=x",
    "url=%00&enabled_events[]=*",
    "enabled_events=*",
    "business_profile[mcc]=abc",
    "country=United%20States",
    "controller[stripe_dashboard][type]=glass",
    "bank_account[country]=US&bank_account[account_number]=12",
    "account[individual][dob][year]=x",
    "type=express&account_token=ct_x&individual[first_name]=a",
];

const PATHS: &[&str] = &[
    "/v1/accounts",
    "/v1/accounts/acct_1LumenCoffee0001",
    "/v1/accounts/acct_1LumenCoffee0001/capabilities/card_payments",
    "/v1/accounts/acct_1LumenCoffee0001/login_links",
    "/v1/account_links",
    "/v1/tokens",
    "/v1/refunds",
    "/v1/transfers",
    "/v1/webhook_endpoints",
    "/v1/payment_intents/pi_nope",
];

#[tokio::test]
async fn garbage_gets_4xx_and_changes_nothing() {
    let h = start().await;
    let before = h
        .get("/v1/accounts", "limit=100", h.secret_for(None))
        .await
        .body;
    for path in PATHS {
        for body in BODIES {
            let reply = h.post(path, body, h.secret_for(None)).await;
            assert!(
                (400..500).contains(&reply.status.as_u16()) || reply.status == 200,
                "{path} {body}: {} {}",
                reply.status,
                reply.body
            );
            if reply.status != 200 {
                assert!(reply.body["error"]["message"].is_string(), "{path} {body}");
            }
        }
    }
    // Hosted pages take garbage too.
    for path in [
        "/3ds/challenge/x",
        "/setup/s/x",
        "/setup/c/a/b",
        "/_sandbox/page/faults",
    ] {
        let status = h
            .http
            .post(h.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("action=%ZZ&faults=[")
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            status.is_client_error() || status.is_redirection(),
            "{path}: {status}"
        );
    }
    let lumen = h
        .get(&format!("/v1/accounts/{LUMEN}"), "", h.secret_for(None))
        .await
        .body;
    assert_eq!(lumen["charges_enabled"], true);
    let after = h
        .get("/v1/accounts", "limit=100", h.secret_for(None))
        .await
        .body;
    // Only valid creates made accounts (`""` and a few bodies are valid creates).
    assert!(after["data"].as_array().unwrap().len() >= before["data"].as_array().unwrap().len());
}
