//! Money movement (FIDELITY.md §Money movement, §Refunds): application fees, destination charges
//! and their transfers, separate transfers, balances, refunds with `reverse_transfer` and
//! `refund_application_fee`, PaymentIntent update.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, LUMEN, start};
use serde_json::{Value, json};

/// A confirmed card payment made with the secret key; `form` adds to the basics.
async fn pay(h: &Harness, account: Option<&str>, form: &str) -> Value {
    let reply = h
        .post(
            "/v1/payment_intents",
            &format!("currency=usd&confirm=true&payment_method_types[]=card&{form}"),
            h.secret_for(account),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

async fn balance(h: &Harness, account: Option<&str>) -> (i64, i64) {
    let b = h.get("/v1/balance", "", h.secret_for(account)).await.body;
    let usd = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["currency"] == "usd")
            .map_or(0, |e| e["amount"].as_i64().unwrap())
    };
    (usd(&b["available"]), usd(&b["pending"]))
}

async fn refund(h: &Harness, account: Option<&str>, form: &str) -> common::Reply {
    h.post("/v1/refunds", form, h.secret_for(account)).await
}

async fn charge(h: &Harness, account: Option<&str>, id: &str) -> Value {
    h.get(&format!("/v1/charges/{id}"), "", h.secret_for(account))
        .await
        .body
}

#[tokio::test]
async fn direct_charge_fee_moves_to_the_platform() {
    let h = start().await;
    let pi = pay(
        &h,
        Some(LUMEN),
        "amount=1500&application_fee_amount=150&payment_method=pm_card_visa",
    )
    .await;
    let ch = charge(&h, Some(LUMEN), pi["latest_charge"].as_str().unwrap()).await;
    let fee_id = ch["application_fee"].as_str().unwrap();
    assert!(fee_id.starts_with("fee_"));
    let fees = h.get("/v1/application_fees", "", h.secret_for(None)).await;
    let fee = &fees.body["data"][0];
    assert_eq!(fee["id"], fee_id);
    assert_eq!(fee["object"], "application_fee");
    assert_eq!(fee["amount"], 150);
    assert_eq!(fee["account"], LUMEN);
    assert_eq!(fee["charge"], ch["id"]);
    let one = h
        .get(
            &format!("/v1/application_fees/{fee_id}"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(one.body["amount_refunded"], 0);
    // Funds are pending for two days.
    assert_eq!(balance(&h, Some(LUMEN)).await, (0, 1350));
    assert_eq!(balance(&h, None).await, (0, 150));
    h.admin_post("/_sandbox/clock", json!({"advance_seconds": 2 * 24 * 3600}))
        .await;
    assert_eq!(balance(&h, Some(LUMEN)).await, (1350, 0));
    let events = h
        .get(
            "/v1/events",
            "type=application_fee.created",
            h.secret_for(None),
        )
        .await;
    assert_eq!(events.body["data"][0]["data"]["object"]["id"], fee_id);
}

#[tokio::test]
async fn destination_charge_transfers_the_rest_to_the_seller() {
    let h = start().await;
    let pi = pay(
        &h,
        None,
        &format!("amount=2000&application_fee_amount=200&transfer_data[destination]={LUMEN}&on_behalf_of={LUMEN}&payment_method=pm_card_visa"),
    )
    .await;
    let ch = charge(&h, None, pi["latest_charge"].as_str().unwrap()).await;
    let transfer_id = ch["transfer"].as_str().unwrap();
    assert_eq!(ch["on_behalf_of"], LUMEN);
    let transfer = h
        .get(
            &format!("/v1/transfers/{transfer_id}"),
            "",
            h.secret_for(None),
        )
        .await
        .body;
    assert_eq!(transfer["object"], "transfer");
    assert_eq!(transfer["amount"], 1800);
    assert_eq!(transfer["destination"], LUMEN);
    assert_eq!(transfer["source_transaction"], ch["id"]);
    let payment_id = transfer["destination_payment"].as_str().unwrap();
    assert!(payment_id.starts_with("py_"));
    // The payment lives on the seller's account.
    let payment = charge(&h, Some(LUMEN), payment_id).await;
    assert_eq!(payment["amount"], 1800);
    assert_eq!(payment["source_transfer"], transfer_id);
    assert_eq!(payment["payment_method_details"]["type"], "stripe_account");
    let seller_charges = h.get("/v1/charges", "", h.secret_for(Some(LUMEN))).await;
    assert_eq!(seller_charges.body["data"][0]["id"], payment_id);
    assert_eq!(
        charge(&h, None, payment_id).await["error"]["code"],
        "resource_missing"
    );
    // Balances: the platform keeps the fee, the seller gets the rest.
    assert_eq!(balance(&h, None).await, (0, 200));
    assert_eq!(balance(&h, Some(LUMEN)).await, (0, 1800));
    let fees = h
        .get(
            "/v1/application_fees",
            &format!("charge={}", ch["id"].as_str().unwrap()),
            h.secret_for(None),
        )
        .await;
    assert_eq!(fees.body["data"][0]["account"], LUMEN);
    assert_eq!(fees.body["data"][0]["amount"], 200);
    let events = h
        .get("/v1/events", "type=transfer.created", h.secret_for(None))
        .await;
    assert_eq!(events.body["data"][0]["data"]["object"]["id"], transfer_id);
}

#[tokio::test]
async fn transfer_data_amount_sets_what_the_seller_gets() {
    let h = start().await;
    let pi = pay(
        &h,
        None,
        &format!("amount=2000&transfer_data[destination]={LUMEN}&transfer_data[amount]=1500&payment_method=pm_card_visa"),
    )
    .await;
    let ch = charge(&h, None, pi["latest_charge"].as_str().unwrap()).await;
    assert_eq!(ch["application_fee"], Value::Null);
    let transfers = h
        .get(
            "/v1/transfers",
            &format!("destination={LUMEN}"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(transfers.body["data"][0]["amount"], 1500);
    assert_eq!(balance(&h, None).await, (0, 500));
}

#[tokio::test]
async fn separate_transfers_need_available_funds() {
    let h = start().await;
    let short = h
        .post(
            "/v1/transfers",
            &format!("amount=400&currency=usd&destination={LUMEN}&transfer_group=ORDER_95"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(
        short.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("balance_insufficient"),
            None
        )
    );
    // The bypass-pending card makes funds available at once (FIDELITY.md §Test cards).
    let pi = pay(
        &h,
        None,
        "amount=1000&payment_method=pm_card_bypassPending&transfer_group=ORDER_95",
    )
    .await;
    assert_eq!(balance(&h, None).await, (1000, 0));
    let made = h
        .post(
            "/v1/transfers",
            &format!("amount=400&currency=usd&destination={LUMEN}&transfer_group=ORDER_95&metadata[order]=95"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(made.body["transfer_group"], "ORDER_95");
    assert_eq!(made.body["metadata"]["order"], "95");
    assert_eq!(balance(&h, None).await, (600, 0));
    assert_eq!(balance(&h, Some(LUMEN)).await, (400, 0));
    // Tied to a charge, a transfer may not exceed it.
    let ch = pi["latest_charge"].as_str().unwrap();
    let too_much = h
        .post(
            "/v1/transfers",
            &format!("amount=1001&currency=usd&destination={LUMEN}&source_transaction={ch}"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(too_much.error()["code"], "balance_insufficient");
    let unknown = h
        .post(
            "/v1/transfers",
            "amount=1&currency=usd&destination=acct_1Nope000000000000",
            h.secret_for(None),
        )
        .await;
    assert_eq!(unknown.error()["code"], "resource_missing");
    let list = h
        .get(
            "/v1/transfers",
            "transfer_group=ORDER_95",
            h.secret_for(None),
        )
        .await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn partial_and_full_refunds_with_over_refund_errors() {
    let h = start().await;
    let pi = pay(&h, Some(LUMEN), "amount=1500&payment_method=pm_card_visa").await;
    let id = pi["id"].as_str().unwrap();
    let first = refund(
        &h,
        Some(LUMEN),
        &format!("payment_intent={id}&amount=500&reason=requested_by_customer&metadata[ticket]=9"),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let r = &first.body;
    assert!(r["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!(r["object"], "refund");
    assert_eq!(r["amount"], 500);
    assert_eq!(r["status"], "succeeded");
    assert_eq!(r["payment_intent"], id);
    assert_eq!(r["charge"], pi["latest_charge"]);
    assert_eq!(r["reason"], "requested_by_customer");
    let too_much = refund(&h, Some(LUMEN), &format!("payment_intent={id}&amount=1001")).await;
    assert_eq!(
        too_much.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("amount_too_large"),
            Some("amount")
        )
    );
    assert_eq!(
        too_much.error()["message"],
        "Refund amount ($10.01 usd) is greater than unrefunded amount on charge ($10.00 usd)"
    );
    let rest = refund(
        &h,
        Some(LUMEN),
        &format!("charge={}", pi["latest_charge"].as_str().unwrap()),
    )
    .await;
    assert_eq!(rest.body["amount"], 1000);
    let ch = charge(&h, Some(LUMEN), pi["latest_charge"].as_str().unwrap()).await;
    assert_eq!(ch["amount_refunded"], 1500);
    assert_eq!(ch["refunded"], true);
    let again = refund(&h, Some(LUMEN), &format!("payment_intent={id}")).await;
    assert_eq!(again.error()["code"], "charge_already_refunded");
    assert_eq!(balance(&h, Some(LUMEN)).await, (-1500, 1500));
    let events = h
        .get(
            "/v1/events",
            "type=charge.refunded",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        events.body["data"][0]["data"]["previous_attributes"]["amount_refunded"],
        500
    );
    let listed = h
        .get(
            "/v1/refunds",
            &format!("payment_intent={id}"),
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 2);
    // A direct charge's refund needs Stripe-Account, as on Stripe.
    let platform = refund(&h, None, &format!("payment_intent={id}")).await;
    assert_eq!(platform.error()["code"], "resource_missing");
}

#[tokio::test]
async fn refund_application_fee_gives_the_fee_back() {
    let h = start().await;
    let pi = pay(
        &h,
        Some(LUMEN),
        "amount=2000&application_fee_amount=200&payment_method=pm_card_visa",
    )
    .await;
    let id = pi["id"].as_str().unwrap();
    let half = refund(
        &h,
        Some(LUMEN),
        &format!("payment_intent={id}&amount=1000&refund_application_fee=true"),
    )
    .await;
    assert_eq!(half.status, 200, "{}", half.body);
    let fees = h.get("/v1/application_fees", "", h.secret_for(None)).await;
    assert_eq!(
        fees.body["data"][0]["amount_refunded"], 100,
        "in proportion"
    );
    refund(
        &h,
        Some(LUMEN),
        &format!("payment_intent={id}&refund_application_fee=true"),
    )
    .await;
    let fees = h.get("/v1/application_fees", "", h.secret_for(None)).await;
    assert_eq!(fees.body["data"][0]["amount_refunded"], 200);
    assert_eq!(fees.body["data"][0]["refunded"], true);
    assert_eq!(balance(&h, None).await, (-200, 200));
    let events = h
        .get(
            "/v1/events",
            "type=application_fee.refunded",
            h.secret_for(None),
        )
        .await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 2);
    // A destination charge's fee comes back the same way (Stripe's docs refund destination
    // charges with reverse_transfer and refund_application_fee together).
    let dest = pay(
        &h,
        None,
        &format!("amount=2000&application_fee_amount=200&transfer_data[destination]={LUMEN}&payment_method=pm_card_visa"),
    )
    .await;
    let both = refund(
        &h,
        None,
        &format!(
            "payment_intent={}&refund_application_fee=true&reverse_transfer=true",
            dest["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(both.status, 200, "{}", both.body);
    // A charge without an application fee has nothing to give back.
    let no_fee = pay(&h, None, "amount=2000&payment_method=pm_card_visa").await;
    let refused = refund(
        &h,
        None,
        &format!(
            "payment_intent={}&refund_application_fee=true",
            no_fee["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(refused.error()["param"], "refund_application_fee");
}

#[tokio::test]
async fn reverse_transfer_takes_the_sellers_share_back_in_proportion() {
    let h = start().await;
    let pi = pay(
        &h,
        None,
        &format!("amount=2000&application_fee_amount=200&transfer_data[destination]={LUMEN}&payment_method=pm_card_visa"),
    )
    .await;
    let id = pi["id"].as_str().unwrap();
    let half = refund(
        &h,
        None,
        &format!("payment_intent={id}&amount=1000&reverse_transfer=true"),
    )
    .await;
    assert_eq!(half.status, 200, "{}", half.body);
    let reversal = half.body["transfer_reversal"].as_str().unwrap();
    assert!(reversal.starts_with("trr_"));
    let ch = charge(&h, None, pi["latest_charge"].as_str().unwrap()).await;
    let transfer = h
        .get(
            &format!("/v1/transfers/{}", ch["transfer"].as_str().unwrap()),
            "",
            h.secret_for(None),
        )
        .await
        .body;
    assert_eq!(transfer["amount_reversed"], 900, "1800 × 1000 / 2000");
    assert_eq!(transfer["reversals"]["data"][0]["id"], reversal);
    assert_eq!(transfer["reversed"], false);
    assert_eq!(balance(&h, Some(LUMEN)).await, (-900, 1800));
    assert_eq!(balance(&h, None).await, (-100, 200));
    let events = h
        .get("/v1/events", "type=transfer.reversed", h.secret_for(None))
        .await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 1);
    // On a direct charge there is no transfer to reverse.
    let direct = pay(&h, Some(LUMEN), "amount=1000&payment_method=pm_card_visa").await;
    let refused = refund(
        &h,
        Some(LUMEN),
        &format!(
            "payment_intent={}&reverse_transfer=true",
            direct["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(refused.error()["param"], "reverse_transfer");
}

#[tokio::test]
async fn refunds_check_what_they_refund() {
    let h = start().await;
    let nothing = refund(&h, Some(LUMEN), "amount=100").await;
    assert_eq!(nothing.error()["code"], "parameter_missing");
    let unknown = refund(&h, Some(LUMEN), "charge=ch_nope").await;
    assert_eq!(
        unknown.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("resource_missing"),
            Some("charge")
        )
    );
    let unpaid = h.create_intent(LUMEN, "amount=1000&currency=usd").await;
    let refused = refund(
        &h,
        Some(LUMEN),
        &format!("payment_intent={}", unpaid["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error()["param"], "payment_intent");
}

#[tokio::test]
async fn manual_capture_settles_the_captured_amount() {
    let h = start().await;
    let pi = pay(
        &h,
        Some(LUMEN),
        "amount=2000&application_fee_amount=500&capture_method=manual&payment_method=pm_card_visa",
    )
    .await;
    assert_eq!(pi["status"], "requires_capture");
    assert_eq!(balance(&h, Some(LUMEN)).await, (0, 0));
    let id = pi["id"].as_str().unwrap();
    let captured = h
        .post(
            &format!("/v1/payment_intents/{id}/capture"),
            "amount_to_capture=400",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(captured.body["amount_received"], 400);
    // The fee is capped at what was captured.
    let fees = h.get("/v1/application_fees", "", h.secret_for(None)).await;
    assert_eq!(fees.body["data"][0]["amount"], 400);
    assert_eq!(balance(&h, Some(LUMEN)).await, (0, 0));
    assert_eq!(balance(&h, None).await, (0, 400));
}

#[tokio::test]
async fn balance_has_stripes_shape() {
    let h = start().await;
    let platform = h.get("/v1/balance", "", h.secret_for(None)).await.body;
    assert_eq!(platform["object"], "balance");
    assert_eq!(platform["livemode"], false);
    assert_eq!(
        platform["available"],
        json!([{"amount": 0, "currency": "usd", "source_types": {"card": 0}}])
    );
    assert!(platform["connect_reserved"].is_array());
    let kyoto = h
        .get("/v1/balance", "", h.secret_for(Some(common::KYOTO)))
        .await
        .body;
    assert_eq!(kyoto["pending"][0]["currency"], "jpy");
    assert!(kyoto.get("connect_reserved").is_none());
}

#[tokio::test]
async fn payment_intent_amount_changes_until_it_is_paid() {
    let h = start().await;
    let pi = h
        .create_intent(LUMEN, "amount=1200&currency=usd&application_fee_amount=120")
        .await;
    let id = pi["id"].as_str().unwrap();
    let path = format!("/v1/payment_intents/{id}");
    let updated = h
        .post(
            &path,
            "amount=2400&application_fee_amount=240&metadata[cart]=2&description=Two%20bags",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["amount"], 2400);
    assert_eq!(updated.body["application_fee_amount"], 240);
    assert_eq!(updated.body["metadata"]["cart"], "2");
    assert_eq!(updated.body["description"], "Two bags");
    assert_eq!(updated.body["status"], "requires_payment_method");
    let tiny = h.post(&path, "amount=10", h.secret_for(Some(LUMEN))).await;
    assert_eq!(tiny.error()["code"], "amount_too_small");
    let with_pm = h
        .post(
            &path,
            "payment_method=pm_card_visa",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(with_pm.body["status"], "requires_confirmation");
    let confirmed = h
        .post(
            &format!("{path}/confirm"),
            "return_url=https%3A%2F%2Fshop.example%2Fdone",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(confirmed.body["status"], "succeeded", "{}", confirmed.body);
    assert_eq!(confirmed.body["amount_received"], 2400);
    let late = h
        .post(&path, "amount=3000", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(
        late.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("payment_intent_unexpected_state"),
            None
        )
    );
    let notes = h
        .post(&path, "metadata[shipped]=yes", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(notes.status, 200);
    assert_eq!(notes.body["metadata"]["shipped"], "yes");
    // A publishable key may not update.
    let pk = h
        .post(
            &path,
            &format!("amount=1&key={}", h.pk()),
            common::As::default(),
        )
        .await;
    assert_eq!(
        pk.status, 401,
        "the key in the body is not read on secret endpoints"
    );
}
