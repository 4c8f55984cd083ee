//! PaymentIntents for Connect: a direct charge with an application fee, confirmed as Stripe.js
//! confirms it; every test card's outcome; amounts and currencies (FIDELITY.md §PaymentIntents,
//! §Test cards).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, Harness, KYOTO, LUMEN, start};
use serde_json::{Value, json};

async fn direct_charge(h: &Harness) -> Value {
    h.create_intent(
        LUMEN,
        "amount=2400&currency=usd&application_fee_amount=240&automatic_payment_methods[enabled]=true&receipt_email=ada%40example.com&metadata[cart]=c1",
    )
    .await
}

#[tokio::test]
async fn payment_intent_has_stripes_ids_and_starts_without_a_payment_method() {
    let h = start().await;
    let pi = direct_charge(&h).await;
    let id = pi["id"].as_str().unwrap();
    assert!(id.starts_with("pi_") && id.len() == 27, "{id}");
    let secret = pi["client_secret"].as_str().unwrap();
    let tail = secret.strip_prefix(&format!("{id}_secret_")).unwrap();
    assert_eq!(tail.len(), 25);
    assert_eq!(pi["object"], "payment_intent");
    assert_eq!(pi["status"], "requires_payment_method");
    assert_eq!(pi["amount"], 2400);
    assert_eq!(pi["application_fee_amount"], 240);
    assert_eq!(pi["automatic_payment_methods"]["enabled"], true);
    assert_eq!(pi["capture_method"], "automatic_async");
    assert_eq!(pi["livemode"], false);
}

#[tokio::test]
async fn direct_charge_with_fee_confirmed_by_publishable_key_succeeds() {
    let h = start().await;
    let pi = direct_charge(&h).await;
    let pm = h.card_payment_method("4242424242424242", LUMEN).await;
    let reply = h.confirm_with_publishable_key(&pi, &pm, LUMEN).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let seen = &reply.body;
    assert_eq!(seen["status"], "succeeded");
    assert_eq!(seen["payment_method"], pm.as_str());
    // A publishable key sees the subset Stripe.js types (FIDELITY.md §Publishable keys), nothing
    // more.
    let mut keys: Vec<&str> = seen
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "amount",
            "canceled_at",
            "cancellation_reason",
            "capture_method",
            "client_secret",
            "confirmation_method",
            "created",
            "currency",
            "description",
            "id",
            "last_payment_error",
            "livemode",
            "next_action",
            "object",
            "payment_method",
            "payment_method_types",
            "receipt_email",
            "setup_future_usage",
            "shipping",
            "status",
        ]
    );

    // The seller's account holds the succeeded PaymentIntent with the fee and its charge.
    let full = h
        .get(
            &format!("/v1/payment_intents/{}", pi["id"].as_str().unwrap()),
            "expand[]=latest_charge",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(full.body["status"], "succeeded");
    assert_eq!(full.body["amount_received"], 2400);
    assert_eq!(full.body["application_fee_amount"], 240);
    assert_eq!(full.body["metadata"]["cart"], "c1");
    let charge = &full.body["latest_charge"];
    assert!(charge["id"].as_str().unwrap().starts_with("ch_"));
    assert_eq!(charge["status"], "succeeded");
    assert_eq!(charge["paid"], true);
    assert_eq!(charge["application_fee_amount"], 240);
    assert_eq!(charge["payment_method_details"]["card"]["last4"], "4242");
    assert_eq!(charge["receipt_email"], "ada@example.com");

    let list = h
        .get("/v1/payment_intents", "", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(list.body["data"][0]["status"], "succeeded");
}

#[tokio::test]
async fn publishable_key_retrieves_only_the_subset_with_the_client_secret() {
    let h = start().await;
    let pi = direct_charge(&h).await;
    let id = pi["id"].as_str().unwrap();
    let secret = pi["client_secret"].as_str().unwrap();
    let query = format!(
        "client_secret={secret}&key={}&_stripe_account={LUMEN}",
        h.pk()
    );
    let reply = h
        .get(&format!("/v1/payment_intents/{id}"), &query, As::default())
        .await;
    assert_eq!(reply.status, 200);
    for hidden in [
        "metadata",
        "application_fee_amount",
        "transfer_data",
        "on_behalf_of",
        "latest_charge",
        "customer",
    ] {
        assert!(
            reply.body.get(hidden).is_none(),
            "{hidden} leaked to a publishable key"
        );
    }
    let no_secret = h
        .get(
            &format!("/v1/payment_intents/{id}"),
            &format!("key={}&_stripe_account={LUMEN}", h.pk()),
            As::default(),
        )
        .await;
    assert_eq!(
        no_secret.error()["message"],
        "Missing required param: client_secret."
    );
    let wrong = h
        .get(
            &format!("/v1/payment_intents/{id}"),
            &format!(
                "client_secret={id}_secret_wrong&key={}&_stripe_account={LUMEN}",
                h.pk()
            ),
            As::default(),
        )
        .await;
    assert_eq!(
        wrong.error_summary(),
        (
            404,
            "invalid_request_error",
            Some("resource_missing"),
            Some("client_secret")
        )
    );
}

#[tokio::test]
async fn generic_decline_is_402_with_the_payment_intent_inside() {
    let h = start().await;
    let pi = direct_charge(&h).await;
    let pm = h.card_payment_method("4000000000000002", LUMEN).await;
    let reply = h.confirm_with_publishable_key(&pi, &pm, LUMEN).await;
    assert_eq!(
        reply.error_summary(),
        (402, "card_error", Some("card_declined"), None)
    );
    let e = reply.error();
    assert_eq!(e["decline_code"], "generic_decline");
    assert_eq!(e["message"], "Your card was declined.");
    assert_eq!(
        e["doc_url"],
        "https://stripe.com/docs/error-codes/card-declined"
    );
    assert!(e["charge"].as_str().unwrap().starts_with("ch_"));
    assert_eq!(e["payment_method"]["id"], pm.as_str());
    let inside = &e["payment_intent"];
    assert_eq!(inside["status"], "requires_payment_method");
    assert_eq!(inside["payment_method"], Value::Null);
    assert_eq!(
        inside["last_payment_error"]["decline_code"],
        "generic_decline"
    );
    assert!(
        inside.get("metadata").is_none(),
        "publishable view inside the error"
    );

    // Nothing succeeded, and the shopper may try another card on the same PaymentIntent.
    let good = h.card_payment_method("4242424242424242", LUMEN).await;
    let retry = h.confirm_with_publishable_key(&pi, &good, LUMEN).await;
    assert_eq!(retry.body["status"], "succeeded");
    assert_eq!(retry.body["last_payment_error"], Value::Null);
}

#[tokio::test]
async fn each_decline_card_gives_its_code() {
    let h = start().await;
    let table = [
        (
            "4000000000009995",
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        (
            "4000000000009987",
            "card_declined",
            "lost_card",
            "Your card was declined.",
        ),
        (
            "4000000000009979",
            "card_declined",
            "stolen_card",
            "Your card was declined.",
        ),
        (
            "4000000000000069",
            "expired_card",
            "expired_card",
            "Your card has expired.",
        ),
        (
            "4000000000000127",
            "incorrect_cvc",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
        ),
        (
            "4000000000000119",
            "processing_error",
            "processing_error",
            "An error occurred while processing your card. Try again in a little bit.",
        ),
    ];
    for (number, code, decline_code, message) in table {
        let pi = direct_charge(&h).await;
        let pm = h.card_payment_method(number, LUMEN).await;
        let reply = h.confirm_with_publishable_key(&pi, &pm, LUMEN).await;
        assert_eq!(reply.status, 402, "{number}");
        assert_eq!(reply.error()["type"], "card_error", "{number}");
        assert_eq!(reply.error()["code"], code, "{number}");
        assert_eq!(reply.error()["decline_code"], decline_code, "{number}");
        assert_eq!(reply.error()["message"], message, "{number}");
    }
}

#[tokio::test]
async fn test_payment_method_ids_work_with_the_secret_key() {
    let h = start().await;
    let form = "amount=1200&currency=usd&automatic_payment_methods[enabled]=true&automatic_payment_methods[allow_redirects]=never";
    let pi = h.create_intent(LUMEN, form).await;
    let path = format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap());
    let ok = h
        .post(
            &path,
            "payment_method=pm_card_visa",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["status"], "succeeded");
    assert_ne!(
        ok.body["payment_method"], "pm_card_visa",
        "a fresh PaymentMethod is made"
    );

    let pi = h.create_intent(LUMEN, form).await;
    let path = format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap());
    let declined = h
        .post(
            &path,
            "payment_method=pm_card_chargeDeclinedInsufficientFunds",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(declined.error()["decline_code"], "insufficient_funds");
    assert_eq!(
        declined.error()["payment_intent"]["metadata"],
        json!({}),
        "secret view"
    );

    // Created and confirmed in one call.
    let once = h
        .post(
            "/v1/payment_intents",
            &format!("{form}&confirm=true&payment_method=pm_card_visa"),
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(once.body["status"], "succeeded");
}

#[tokio::test]
async fn incorrect_number_fails_when_the_payment_method_is_made() {
    let h = start().await;
    let reply = h
        .stripe_js_post(
            "/v1/payment_methods",
            "type=card&card[number]=4242424242424241&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123",
            LUMEN,
        )
        .await;
    assert_eq!(
        reply.error_summary(),
        (402, "card_error", Some("incorrect_number"), Some("number"))
    );
    assert_eq!(reply.error()["message"], "Your card number is incorrect.");
}

#[tokio::test]
async fn raw_card_numbers_with_a_secret_key_are_refused() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_methods",
            "type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.error()["message"].as_str().unwrap().starts_with(
        "Sending credit card numbers directly to the Stripe API is generally unsafe."
    ));
}

#[tokio::test]
async fn payment_method_of_another_account_cannot_be_used() {
    let h = start().await;
    let pi = direct_charge(&h).await;
    let platform_pm = h
        .post(
            "/v1/payment_methods",
            &format!("type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034&key={}", h.pk()),
            As::default(),
        )
        .await;
    let pm = platform_pm.body["id"].as_str().unwrap();
    let reply = h.confirm_with_publishable_key(&pi, pm, LUMEN).await;
    assert_eq!(reply.error()["code"], "resource_missing");
    assert_eq!(
        reply.error()["message"],
        format!("No such PaymentMethod: '{pm}'")
    );
    assert_eq!(reply.error()["param"], "payment_method");
}

#[tokio::test]
async fn amount_below_the_minimum_is_amount_too_small() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=49&currency=usd",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(
        reply.body,
        json!({"error": {
            "code": "amount_too_small",
            "doc_url": "https://stripe.com/docs/error-codes/amount-too-small",
            "message": "Amount must be at least $0.50 usd",
            "param": "amount",
            "type": "invalid_request_error"
        }})
    );
}

#[tokio::test]
async fn zero_decimal_currency_counts_whole_yen() {
    let h = start().await;
    let pi = h
        .create_intent(KYOTO, "amount=1500&currency=jpy&application_fee_amount=150")
        .await;
    assert_eq!(pi["amount"], 1500);
    let small = h
        .post(
            "/v1/payment_intents",
            "amount=49&currency=jpy",
            h.secret_for(Some(KYOTO)),
        )
        .await;
    assert_eq!(small.error()["message"], "Amount must be at least ¥50 jpy");
}

#[tokio::test]
async fn amounts_have_at_most_eight_digits() {
    let h = start().await;
    let ok = h.create_intent(LUMEN, "amount=99999999&currency=usd").await;
    assert_eq!(ok["amount"], 99_999_999);
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=100000000&currency=usd",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.error()["code"], "amount_too_large");
}

#[tokio::test]
async fn unknown_currency_is_refused() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=xyz",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error()["param"], "currency");
    assert!(
        reply.error()["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid currency: xyz.")
    );
}

#[tokio::test]
async fn application_fee_needs_a_connected_account_or_a_destination() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd&application_fee_amount=100",
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error()["message"],
        "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`)."
    );
    let destination = h
        .post(
            "/v1/payment_intents",
            &format!("amount=1200&currency=usd&application_fee_amount=100&transfer_data[destination]={LUMEN}"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(destination.status, 200, "{}", destination.body);
    assert_eq!(destination.body["transfer_data"]["destination"], LUMEN);
    let nowhere = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd&transfer_data[destination]=acct_1Nobody000000000",
            h.secret_for(None),
        )
        .await;
    assert_eq!(nowhere.status, 400);
}

#[tokio::test]
async fn server_side_confirmation_with_automatic_methods_needs_a_return_url() {
    let h = start().await;
    let pi = h.create_intent(LUMEN, "amount=1200&currency=usd").await;
    let path = format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap());
    let reply = h
        .post(
            &path,
            "payment_method=pm_card_visa",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.status, 400);
    let ok = h
        .post(
            &path,
            "payment_method=pm_card_visa&return_url=https%3A%2F%2Fshop.example%2Fdone",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(ok.body["status"], "succeeded");
}

#[tokio::test]
async fn a_succeeded_payment_intent_cannot_be_confirmed_again() {
    let h = start().await;
    let pi = direct_charge(&h).await;
    let pm = h.card_payment_method("4242424242424242", LUMEN).await;
    assert_eq!(
        h.confirm_with_publishable_key(&pi, &pm, LUMEN).await.status,
        200
    );
    let again = h.confirm_with_publishable_key(&pi, &pm, LUMEN).await;
    assert_eq!(
        again.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("payment_intent_unexpected_state"),
            None
        )
    );
    assert_eq!(
        again.error()["message"],
        "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
    );
    assert_eq!(again.error()["payment_intent"]["status"], "succeeded");
}

#[tokio::test]
async fn manual_capture_holds_then_captures_and_cancel_releases() {
    let h = start().await;
    let form = "amount=1200&currency=usd&capture_method=manual&payment_method_types[]=card";
    let pi = h.create_intent(LUMEN, form).await;
    let id = pi["id"].as_str().unwrap();
    let held = h
        .post(
            &format!("/v1/payment_intents/{id}/confirm"),
            "payment_method=pm_card_visa",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(held.body["status"], "requires_capture");
    assert_eq!(held.body["amount_capturable"], 1200);
    let captured = h
        .post(
            &format!("/v1/payment_intents/{id}/capture"),
            "amount_to_capture=1000",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(captured.body["status"], "succeeded");
    assert_eq!(captured.body["amount_received"], 1000);

    let other = h.create_intent(LUMEN, form).await;
    let other_id = other["id"].as_str().unwrap();
    let canceled = h
        .post(
            &format!("/v1/payment_intents/{other_id}/cancel"),
            "cancellation_reason=abandoned",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(canceled.body["status"], "canceled");
    assert_eq!(canceled.body["cancellation_reason"], "abandoned");
    let twice = h
        .post(
            &format!("/v1/payment_intents/{other_id}/cancel"),
            "",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(twice.error()["code"], "payment_intent_unexpected_state");
}

#[tokio::test]
async fn three_d_secure_cards_stop_in_requires_action() {
    let h = start().await;
    let pi = direct_charge(&h).await;
    let pm = h.card_payment_method("4000002500003155", LUMEN).await;
    let reply = h.confirm_with_publishable_key(&pi, &pm, LUMEN).await;
    assert_eq!(reply.body["status"], "requires_action");
    assert_eq!(reply.body["next_action"]["type"], "use_stripe_sdk");

    // Off-session, authentication cannot happen: Stripe declines with authentication_required.
    let pi = h
        .create_intent(
            LUMEN,
            "amount=1200&currency=usd&payment_method_types[]=card",
        )
        .await;
    let reply = h
        .post(
            &format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap()),
            "payment_method=pm_card_threeDSecure2Required&off_session=true",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.error()["decline_code"], "authentication_required");
}

#[tokio::test]
async fn older_api_versions_get_older_defaults() {
    let h = start().await;
    let sk = h.sk().to_owned();
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd",
            As {
                key: Some(&sk),
                account: Some(LUMEN),
                version: Some("2022-11-15"),
                ..As::default()
            },
        )
        .await;
    assert_eq!(reply.body["automatic_payment_methods"], Value::Null);
    assert_eq!(reply.body["capture_method"], "automatic");
    assert_eq!(reply.body["payment_method_types"], json!(["card"]));
}
