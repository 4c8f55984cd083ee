//! Separate charges and transfers (https://docs.stripe.com/connect/separate-charges-and-transfers):
//! `transfer_group` from the PaymentIntent to its charge and transfers, `source_transaction`
//! limits, transfer reversals (https://docs.stripe.com/api/transfer_reversals) with their
//! balances and events, idempotent replays and the `transfer_group` list filter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, Harness, KYOTO, LUMEN, start};
use serde_json::Value;

/// A confirmed card payment on the platform, made with the secret key.
async fn pay(h: &Harness, form: &str) -> Value {
    let reply = h
        .post(
            "/v1/payment_intents",
            &format!("currency=usd&confirm=true&payment_method_types[]=card&{form}"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// `(available, pending)` in usd.
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

async fn transfer(h: &Harness, form: &str) -> common::Reply {
    h.post("/v1/transfers", form, h.secret_for(None)).await
}

/// The platform's events of `kind`, newest first.
async fn events(h: &Harness, kind: &str) -> Vec<Value> {
    let reply = h
        .get(
            "/v1/events",
            &format!("type={kind}&limit=100"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn transfer_group_goes_from_the_payment_intent_to_its_charge() {
    let h = start().await;
    let pi = pay(
        &h,
        "amount=3000&payment_method=pm_card_visa&transfer_group=ORDER_7",
    )
    .await;
    assert_eq!(pi["transfer_group"], "ORDER_7");
    let ch = pi["latest_charge"].as_str().unwrap();
    let charge = h
        .get(&format!("/v1/charges/{ch}"), "", h.secret_for(None))
        .await;
    assert_eq!(charge.body["transfer_group"], "ORDER_7");
    let listed = h
        .get("/v1/charges", "transfer_group=ORDER_7", h.secret_for(None))
        .await;
    assert_eq!(listed.body["data"][0]["id"], ch);
}

#[tokio::test]
async fn source_transaction_waits_for_the_charge_and_caps_the_transfers() {
    let h = start().await;
    // A card whose funds stay pending: the platform has no available balance at all.
    let pi = pay(
        &h,
        "amount=3000&payment_method=pm_card_visa&transfer_group=ORDER_8",
    )
    .await;
    let ch = pi["latest_charge"].as_str().unwrap();
    assert_eq!(balance(&h, None).await, (0, 3000));
    let without = transfer(&h, &format!("amount=1000&currency=usd&destination={LUMEN}")).await;
    assert_eq!(without.error()["code"], "balance_insufficient");

    let first = transfer(
        &h,
        &format!(
            "amount=1200&currency=usd&destination={LUMEN}&transfer_group=ORDER_8&source_transaction={ch}"
        ),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["source_transaction"], ch);
    assert_eq!(first.body["transfer_group"], "ORDER_8");
    assert_eq!(first.body["amount_reversed"], 0);
    assert_eq!(first.body["reversed"], false);
    assert_eq!(first.body["reversals"]["data"], serde_json::json!([]));
    // The seller's funds are pending as long as the charge's are.
    assert_eq!(balance(&h, Some(LUMEN)).await, (0, 1200));
    assert_eq!(balance(&h, None).await, (0, 1800));

    // What is left of the charge is 1800: 1801 is refused, 1800 passes, then nothing is left.
    let over = transfer(
        &h,
        &format!("amount=1801&currency=usd&destination={KYOTO}&source_transaction={ch}"),
    )
    .await;
    assert_eq!(
        over.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("balance_insufficient"),
            Some("amount")
        )
    );
    let rest = transfer(
        &h,
        &format!("amount=1800&currency=usd&destination={KYOTO}&source_transaction={ch}&transfer_group=ORDER_8"),
    )
    .await;
    assert_eq!(rest.status, 200, "{}", rest.body);
    let none_left = transfer(
        &h,
        &format!("amount=1&currency=usd&destination={LUMEN}&source_transaction={ch}"),
    )
    .await;
    assert_eq!(none_left.error()["param"], "amount");

    // Two days later the charge's funds are available, and so are the sellers'.
    let clock = h
        .admin_post(
            "/_sandbox/clock",
            serde_json::json!({ "advance_seconds": 2 * 24 * 3600 + 1 }),
        )
        .await;
    assert_eq!(clock.status, 200, "{}", clock.body);
    assert_eq!(balance(&h, Some(LUMEN)).await, (1200, 0));
    assert_eq!(balance(&h, None).await, (0, 0));
}

#[tokio::test]
async fn source_transaction_must_be_a_succeeded_charge_of_the_platform() {
    let h = start().await;
    let declined = h
        .post(
            "/v1/payment_intents",
            "amount=2000&currency=usd&confirm=true&payment_method_types[]=card&payment_method=pm_card_chargeDeclined",
            h.secret_for(None),
        )
        .await;
    assert_eq!(declined.status, 402, "{}", declined.body);
    let failed = declined.error()["charge"].as_str().unwrap().to_owned();
    let reply = transfer(
        &h,
        &format!("amount=100&currency=usd&destination={LUMEN}&source_transaction={failed}"),
    )
    .await;
    assert_eq!(
        reply.error_summary(),
        (
            400,
            "invalid_request_error",
            None,
            Some("source_transaction")
        )
    );

    let uncaptured = pay(
        &h,
        "amount=2000&payment_method=pm_card_visa&capture_method=manual",
    )
    .await;
    let ch = uncaptured["latest_charge"].as_str().unwrap();
    let reply = transfer(
        &h,
        &format!("amount=100&currency=usd&destination={LUMEN}&source_transaction={ch}"),
    )
    .await;
    assert_eq!(reply.error()["param"], "source_transaction");

    let unknown = transfer(
        &h,
        &format!("amount=100&currency=usd&destination={LUMEN}&source_transaction=ch_nope"),
    )
    .await;
    assert_eq!(
        unknown.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("resource_missing"),
            Some("source_transaction")
        )
    );

    // A direct charge lives on the seller's account, not the platform's.
    let direct = h
        .create_intent(
            LUMEN,
            "amount=2000&currency=usd&confirm=true&payment_method_types[]=card&payment_method=pm_card_visa",
        )
        .await;
    let ch = direct["latest_charge"].as_str().unwrap();
    let reply = transfer(
        &h,
        &format!("amount=100&currency=usd&destination={LUMEN}&source_transaction={ch}"),
    )
    .await;
    assert_eq!(reply.error()["code"], "resource_missing");

    let pi = pay(&h, "amount=2000&payment_method=pm_card_visa").await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let currency = transfer(
        &h,
        &format!("amount=100&currency=jpy&destination={KYOTO}&source_transaction={ch}"),
    )
    .await;
    assert_eq!(currency.error()["param"], "currency");
}

#[tokio::test]
async fn reversals_take_money_back_up_to_what_is_left() {
    let h = start().await;
    let pi = pay(&h, "amount=5000&payment_method=pm_card_bypassPending").await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let tr = transfer(
        &h,
        &format!("amount=2000&currency=usd&destination={LUMEN}&source_transaction={ch}"),
    )
    .await;
    let tr_id = tr.body["id"].as_str().unwrap().to_owned();
    assert_eq!(balance(&h, None).await, (3000, 0));
    assert_eq!(balance(&h, Some(LUMEN)).await, (2000, 0));
    let path = format!("/v1/transfers/{tr_id}/reversals");

    let part = h
        .post(
            &path,
            "amount=500&metadata[reason]=line_refund",
            h.secret_for(None),
        )
        .await;
    assert_eq!(part.status, 200, "{}", part.body);
    assert_eq!(part.body["object"], "transfer_reversal");
    assert!(part.body["id"].as_str().unwrap().starts_with("trr_"));
    assert_eq!(part.body["amount"], 500);
    assert_eq!(part.body["currency"], "usd");
    assert_eq!(part.body["transfer"], tr_id.as_str());
    assert_eq!(part.body["metadata"]["reason"], "line_refund");
    assert!(
        part.body["destination_payment_refund"]
            .as_str()
            .unwrap()
            .starts_with("pyr_")
    );
    assert_eq!(balance(&h, None).await, (3500, 0));
    assert_eq!(balance(&h, Some(LUMEN)).await, (1500, 0));
    let after = h
        .get(&format!("/v1/transfers/{tr_id}"), "", h.secret_for(None))
        .await;
    assert_eq!(after.body["amount_reversed"], 500);
    assert_eq!(after.body["reversed"], false);
    assert_eq!(after.body["reversals"]["data"][0]["id"], part.body["id"]);
    assert_eq!(after.body["reversals"]["data"].as_array().unwrap().len(), 1);
    // The seller's payment shows the money going back.
    let py = after.body["destination_payment"].as_str().unwrap();
    let payment = h
        .get(&format!("/v1/charges/{py}"), "", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(payment.body["amount_refunded"], 500);

    let too_much = h.post(&path, "amount=1501", h.secret_for(None)).await;
    assert_eq!(
        too_much.error_summary(),
        (400, "invalid_request_error", None, Some("amount"))
    );
    let zero = h.post(&path, "amount=0", h.secret_for(None)).await;
    assert_eq!(zero.error()["param"], "amount");
    // No amount: the whole remainder.
    let rest = h.post(&path, "", h.secret_for(None)).await;
    assert_eq!(rest.status, 200, "{}", rest.body);
    assert_eq!(rest.body["amount"], 1500);
    let full = h
        .get(&format!("/v1/transfers/{tr_id}"), "", h.secret_for(None))
        .await;
    assert_eq!(full.body["amount_reversed"], 2000);
    assert_eq!(full.body["reversed"], true);
    assert_eq!(balance(&h, None).await, (5000, 0));
    assert_eq!(balance(&h, Some(LUMEN)).await, (0, 0));
    let again = h.post(&path, "", h.secret_for(None)).await;
    assert_eq!(again.error()["param"], "amount");

    let listed = h.get(&path, "", h.secret_for(None)).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["object"], "list");
    assert_eq!(listed.body["url"], path.as_str());
    let ids: Vec<&str> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            rest.body["id"].as_str().unwrap(),
            part.body["id"].as_str().unwrap()
        ]
    );
    let one = h
        .get(
            &format!("{path}/{}", part.body["id"].as_str().unwrap()),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(one.body["amount"], 500);
    let updated = h
        .post(
            &format!("{path}/{}", part.body["id"].as_str().unwrap()),
            "metadata[note]=x",
            h.secret_for(None),
        )
        .await;
    assert_eq!(updated.body["metadata"]["note"], "x");
    assert_eq!(updated.body["metadata"]["reason"], "line_refund");

    // Unknown transfers, and a connected account's view: 404 as for any object not its own.
    let missing = h
        .post("/v1/transfers/tr_nope/reversals", "", h.secret_for(None))
        .await;
    assert_eq!(missing.error_summary().0, 404);
    let seller = h.get(&path, "", h.secret_for(Some(LUMEN))).await;
    assert_eq!(seller.error_summary().0, 404);
}

#[tokio::test]
async fn a_reversal_of_pending_funds_is_debited_at_once() {
    let h = start().await;
    let pi = pay(&h, "amount=3000&payment_method=pm_card_visa").await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let tr = transfer(
        &h,
        &format!("amount=1000&currency=usd&destination={LUMEN}&source_transaction={ch}"),
    )
    .await;
    let id = tr.body["id"].as_str().unwrap();
    let reply = h
        .post(
            &format!("/v1/transfers/{id}/reversals"),
            "amount=400",
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // As a refund is: the seller's available balance goes below zero until its pending funds
    // arrive, and the platform has the money back at once.
    assert_eq!(balance(&h, Some(LUMEN)).await, (-400, 1000));
    assert_eq!(balance(&h, None).await, (400, 2000));
}

#[tokio::test]
async fn transfer_events_name_what_changed() {
    let h = start().await;
    let pi = pay(&h, "amount=3000&payment_method=pm_card_bypassPending").await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let tr = transfer(
        &h,
        &format!("amount=1000&currency=usd&destination={LUMEN}&source_transaction={ch}"),
    )
    .await;
    let id = tr.body["id"].as_str().unwrap();
    let created = events(&h, "transfer.created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["data"]["object"]["id"], id);

    h.post(
        &format!("/v1/transfers/{id}/reversals"),
        "amount=300",
        h.secret_for(None),
    )
    .await;
    h.post(
        &format!("/v1/transfers/{id}/reversals"),
        "",
        h.secret_for(None),
    )
    .await;
    let reversed = events(&h, "transfer.reversed").await;
    assert_eq!(reversed.len(), 2);
    assert_eq!(reversed[1]["data"]["object"]["amount_reversed"], 300);
    assert_eq!(
        reversed[1]["data"]["previous_attributes"],
        serde_json::json!({ "amount_reversed": 0 })
    );
    assert_eq!(reversed[0]["data"]["object"]["reversed"], true);
    assert_eq!(
        reversed[0]["data"]["previous_attributes"],
        serde_json::json!({ "amount_reversed": 300, "reversed": false })
    );

    let updated = h
        .post(
            &format!("/v1/transfers/{id}"),
            "description=Order 9&metadata[order]=9",
            h.secret_for(None),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["description"], "Order 9");
    let changed = events(&h, "transfer.updated").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(
        changed[0]["data"]["previous_attributes"],
        serde_json::json!({ "description": null, "metadata": {} })
    );
    // Only description and metadata can change.
    let amount = h
        .post(
            &format!("/v1/transfers/{id}"),
            "amount=5",
            h.secret_for(None),
        )
        .await;
    assert_eq!(
        amount.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("parameter_unknown"),
            Some("amount")
        )
    );
    // A reversal's `refund_application_fee` is accepted where there is no fee to give back.
    let flag = h
        .post(
            &format!("/v1/transfers/{id}/reversals"),
            "refund_application_fee=true",
            h.secret_for(None),
        )
        .await;
    assert_eq!(flag.error()["param"], "amount", "fully reversed already");
}

#[tokio::test]
async fn reversal_with_refund_application_fee_gives_the_fee_back() {
    let h = start().await;
    // A destination charge of 1000 with a fee of 100: the seller gets 900 through a transfer.
    let pi = pay(
        &h,
        &format!(
            "amount=1000&payment_method=pm_card_bypassPending&application_fee_amount=100&transfer_data[destination]={LUMEN}"
        ),
    )
    .await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let charge = h
        .get(&format!("/v1/charges/{ch}"), "", h.secret_for(None))
        .await;
    let tr = charge.body["transfer"].as_str().unwrap();
    let platform_before = balance(&h, None).await.0;
    let seller_before = balance(&h, Some(LUMEN)).await.0;
    let reply = h
        .post(
            &format!("/v1/transfers/{tr}/reversals"),
            "refund_application_fee=true",
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["amount"], 900);
    // The seller gives back 900 of transfer and gets the 100 fee back.
    assert_eq!(balance(&h, Some(LUMEN)).await.0, seller_before - 900 + 100);
    assert_eq!(balance(&h, None).await.0, platform_before + 900 - 100);
    assert_eq!(events(&h, "application_fee.refunded").await.len(), 1);
}

#[tokio::test]
async fn reversals_and_transfers_replay_on_the_same_idempotency_key() {
    let h = start().await;
    let pi = pay(&h, "amount=3000&payment_method=pm_card_bypassPending").await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let form = format!("amount=1000&currency=usd&destination={LUMEN}&source_transaction={ch}");
    let who = As {
        key: Some(h.sk()),
        idempotency_key: Some("order-9-lumen"),
        ..As::default()
    };
    let first = h.post("/v1/transfers", &form, who.clone()).await;
    let second = h.post("/v1/transfers", &form, who.clone()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    let other = h
        .post(
            "/v1/transfers",
            "amount=5&currency=usd&destination=acct_1LumenCoffee0001",
            who,
        )
        .await;
    assert_eq!(other.error()["type"], "idempotency_error");

    let id = first.body["id"].as_str().unwrap();
    let path = format!("/v1/transfers/{id}/reversals");
    let who = As {
        key: Some(h.sk()),
        idempotency_key: Some("order-9-lumen-refund-1"),
        ..As::default()
    };
    let r1 = h.post(&path, "amount=250", who.clone()).await;
    let r2 = h.post(&path, "amount=250", who).await;
    assert_eq!(r1.status, 200, "{}", r1.body);
    assert_eq!(r2.body, r1.body);
    assert_eq!(r2.header("idempotent-replayed"), Some("true"));
    let t = h
        .get(&format!("/v1/transfers/{id}"), "", h.secret_for(None))
        .await;
    assert_eq!(t.body["amount_reversed"], 250);
    assert_eq!(balance(&h, Some(LUMEN)).await, (750, 0));
    assert_eq!(events(&h, "transfer.created").await.len(), 1);
    assert_eq!(events(&h, "transfer.reversed").await.len(), 1);
}

#[tokio::test]
async fn transfers_list_by_transfer_group() {
    let h = start().await;
    let pi = pay(&h, "amount=6000&payment_method=pm_card_bypassPending").await;
    let ch = pi["latest_charge"].as_str().unwrap();
    for (destination, group) in [(LUMEN, "ORDER_1"), (KYOTO, "ORDER_2"), (LUMEN, "ORDER_2")] {
        let reply = transfer(
            &h,
            &format!("amount=1000&currency=usd&destination={destination}&source_transaction={ch}&transfer_group={group}"),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let two = h
        .get(
            "/v1/transfers",
            "transfer_group=ORDER_2",
            h.secret_for(None),
        )
        .await;
    let data = two.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert!(data.iter().all(|t| t["transfer_group"] == "ORDER_2"));
    // Newest first.
    assert_eq!(data[0]["destination"], LUMEN);
    assert_eq!(data[1]["destination"], KYOTO);
    let both = h
        .get(
            "/v1/transfers",
            &format!("transfer_group=ORDER_2&destination={KYOTO}"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(both.body["data"].as_array().unwrap().len(), 1);
    let none = h
        .get(
            "/v1/transfers",
            "transfer_group=ORDER_3",
            h.secret_for(None),
        )
        .await;
    assert_eq!(none.body["data"].as_array().unwrap().len(), 0);
    assert_eq!(none.body["has_more"], false);
}

/// The balance transactions of `account` whose `source` is `source`.
async fn transactions(h: &Harness, account: Option<&str>, source: &str) -> Vec<Value> {
    let reply = h
        .get(
            "/v1/balance_transactions",
            &format!("source={source}"),
            h.secret_for(account),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn transfers_and_reversals_leave_balance_transactions_on_both_sides() {
    let h = start().await;
    let pi = pay(&h, "amount=4000&payment_method=pm_card_visa").await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let charge = transactions(&h, None, ch).await;
    assert_eq!(charge.len(), 1);
    assert_eq!(charge[0]["type"], "charge");
    assert_eq!(charge[0]["amount"], 4000);
    assert_eq!(charge[0]["status"], "pending");
    assert!(charge[0]["id"].as_str().unwrap().starts_with("txn_"));
    let on_charge = h
        .get(&format!("/v1/charges/{ch}"), "", h.secret_for(None))
        .await;
    assert_eq!(on_charge.body["balance_transaction"], charge[0]["id"]);

    let tr = transfer(
        &h,
        &format!("amount=1500&currency=usd&destination={LUMEN}&source_transaction={ch}"),
    )
    .await;
    let tr_id = tr.body["id"].as_str().unwrap();
    let py = tr.body["destination_payment"].as_str().unwrap();
    let out = transactions(&h, None, tr_id).await;
    assert_eq!(out.len(), 1);
    assert_eq!(
        (
            out[0]["type"].as_str(),
            out[0]["amount"].as_i64(),
            out[0]["net"].as_i64()
        ),
        (Some("transfer"), Some(-1500), Some(-1500))
    );
    // Tied to a pending charge, the transfer is pending until the charge's funds are.
    assert_eq!(out[0]["available_on"], charge[0]["available_on"]);
    assert_eq!(tr.body["balance_transaction"], out[0]["id"]);
    let inward = transactions(&h, Some(LUMEN), py).await;
    assert_eq!(
        (inward[0]["type"].as_str(), inward[0]["amount"].as_i64()),
        (Some("payment"), Some(1500))
    );
    let payment = h
        .get(&format!("/v1/charges/{py}"), "", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(payment.body["balance_transaction"], inward[0]["id"]);

    let reversal = h
        .post(
            &format!("/v1/transfers/{tr_id}/reversals"),
            "amount=600",
            h.secret_for(None),
        )
        .await
        .body;
    let back = transactions(&h, None, reversal["id"].as_str().unwrap()).await;
    assert_eq!(
        (
            back[0]["type"].as_str(),
            back[0]["amount"].as_i64(),
            back[0]["status"].as_str()
        ),
        (Some("transfer_refund"), Some(600), Some("available"))
    );
    assert_eq!(back[0]["reporting_category"], "transfer_reversal");
    assert_eq!(reversal["balance_transaction"], back[0]["id"]);
    let pyr = reversal["destination_payment_refund"].as_str().unwrap();
    let taken = transactions(&h, Some(LUMEN), pyr).await;
    assert_eq!(
        (taken[0]["type"].as_str(), taken[0]["amount"].as_i64()),
        (Some("payment_refund"), Some(-600))
    );
    // A transaction is read on its own account only.
    let id = taken[0]["id"].as_str().unwrap();
    let mine = h
        .get(
            &format!("/v1/balance_transactions/{id}"),
            "",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(mine.body, taken[0]);
    let theirs = h
        .get(
            &format!("/v1/balance_transactions/{id}"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(theirs.error_summary().0, 404);
    let by_type = h
        .get(
            "/v1/balance_transactions",
            "type=transfer",
            h.secret_for(None),
        )
        .await;
    assert_eq!(by_type.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_direct_charges_application_fee_is_its_transactions_fee() {
    let h = start().await;
    let pi = h
        .create_intent(
            LUMEN,
            "amount=1000&currency=usd&confirm=true&payment_method_types[]=card&payment_method=pm_card_visa&application_fee_amount=100",
        )
        .await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let on_seller = transactions(&h, Some(LUMEN), ch).await;
    assert_eq!(on_seller.len(), 1);
    assert_eq!(
        (
            on_seller[0]["amount"].as_i64(),
            on_seller[0]["fee"].as_i64(),
            on_seller[0]["net"].as_i64()
        ),
        (Some(1000), Some(100), Some(900))
    );
    assert_eq!(on_seller[0]["fee_details"][0]["type"], "application_fee");
    let charge = h
        .get(&format!("/v1/charges/{ch}"), "", h.secret_for(Some(LUMEN)))
        .await;
    let fee = charge.body["application_fee"].as_str().unwrap();
    let on_platform = transactions(&h, None, fee).await;
    assert_eq!(
        (
            on_platform[0]["type"].as_str(),
            on_platform[0]["amount"].as_i64()
        ),
        (Some("application_fee"), Some(100))
    );
    assert_eq!(balance(&h, Some(LUMEN)).await, (0, 900));
}

#[tokio::test]
async fn refunding_a_separate_charge_leaves_its_transfers_to_the_platform() {
    let h = start().await;
    let pi = pay(
        &h,
        "amount=3000&payment_method=pm_card_bypassPending&transfer_group=ORDER_4",
    )
    .await;
    let ch = pi["latest_charge"].as_str().unwrap();
    let tr = transfer(
        &h,
        &format!("amount=2000&currency=usd&destination={LUMEN}&source_transaction={ch}&transfer_group=ORDER_4"),
    )
    .await;
    // `reverse_transfer` is for destination charges only.
    let refused = h
        .post(
            "/v1/refunds",
            &format!("charge={ch}&amount=1000&reverse_transfer=true"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(
        refused.error_summary(),
        (400, "invalid_request_error", None, Some("reverse_transfer"))
    );
    let refund = h
        .post(
            "/v1/refunds",
            &format!("charge={ch}&amount=1000"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    assert_eq!(refund.body["transfer_reversal"], Value::Null);
    let id = tr.body["id"].as_str().unwrap();
    let untouched = h
        .get(&format!("/v1/transfers/{id}"), "", h.secret_for(None))
        .await;
    assert_eq!(untouched.body["amount_reversed"], 0);
    assert_eq!(balance(&h, Some(LUMEN)).await, (2000, 0));
    // The platform reverses the seller's part itself.
    let reversal = h
        .post(
            &format!("/v1/transfers/{id}/reversals"),
            "amount=1000",
            h.secret_for(None),
        )
        .await;
    assert_eq!(reversal.status, 200, "{}", reversal.body);
    assert_eq!(balance(&h, Some(LUMEN)).await, (1000, 0));
    assert_eq!(balance(&h, None).await, (1000, 0));
}
