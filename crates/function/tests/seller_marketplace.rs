//! Each seller's side of a marketplace order: a 3-seller order made directly through the
//! sandbox's API the way the function makes it (one PaymentIntent on the platform with its
//! `transfer_group` and `metadata[order_sellers]`, then one Transfer per seller from its charge),
//! then the sellers' payments lists and refunds of their parts.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use connect_checkout_core::api::ChargeType;
use connect_checkout_function::AppState;
use connect_checkout_function::stripe::retry::RetryPolicy;
use serde_json::{Value, json};
use stripe_sandbox::Seed;
use support::{Harness, KYOTO, LUMEN, attempt_id, harness_with};

mod support;

const BEANS: &str = "acct_1MarketBeansB0001";
const MUGS: &str = "acct_1MarketMugsC00001";

/// One seller's lines of the order: subtotal, the fee (`10%+30`, the harness's), what they
/// are paid, and the lines' description.
struct Part {
    seller: &'static str,
    subtotal: i64,
    fee: i64,
    description: &'static str,
}

impl Part {
    fn transfer_amount(&self) -> i64 {
        self.subtotal - self.fee
    }
}

const PARTS: [Part; 3] = [
    Part {
        seller: LUMEN,
        subtotal: 2400,
        fee: 270,
        description: "2 × House Blend, 250 g",
    },
    Part {
        seller: BEANS,
        subtotal: 3000,
        fee: 330,
        description: "1 × Single Origin Kenya, 1 × Grinder brush",
    },
    Part {
        seller: MUGS,
        subtotal: 1500,
        fee: 180,
        description: "1 × Stoneware Mug",
    },
];

/// The default seed with two more US sellers, enabled like Lumen.
fn marketplace_seed() -> Seed {
    let mut seed = Seed::default();
    let lumen = seed
        .accounts
        .iter()
        .find(|account| account.id == LUMEN)
        .cloned()
        .unwrap();
    for (id, name) in [(BEANS, "Bean Street"), (MUGS, "Mug Makers")] {
        let mut seller = lumen.clone();
        seller.id = id.into();
        seller.business_name = name.into();
        seller.products = Vec::new();
        seller.created = None;
        seed.accounts.push(seller);
    }
    seed
}

struct Order {
    payment_intent: String,
    /// The Transfers in `PARTS`' order.
    transfers: Vec<String>,
}

async fn marketplace() -> Harness {
    let mut h = harness_with(marketplace_seed(), &[]).await;
    h.state = h.state.clone().with_retry_policy(RetryPolicy {
        max_retries: 1,
        initial_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(10),
        budget: Duration::from_secs(5),
        attempt_timeout: Duration::from_secs(2),
    });
    h
}

impl Harness {
    /// A paid 3-seller order and its Transfers, made as the convention says.
    async fn paid_order(&self, label: &str) -> Order {
        let attempt = attempt_id(label);
        let group = format!("order_{attempt}");
        let total: i64 = PARTS.iter().map(|part| part.subtotal).sum();
        let order_sellers = PARTS
            .iter()
            .map(|part| format!("{}:{}:{}", part.seller, part.subtotal, part.fee))
            .collect::<Vec<_>>()
            .join(",");
        let description = PARTS
            .iter()
            .map(|part| part.description)
            .collect::<Vec<_>>()
            .join(", ");
        let total = total.to_string();
        let intent = self
            .stripe_post(
                "/v1/payment_intents",
                &[
                    ("amount", total.as_str()),
                    ("currency", "usd"),
                    ("automatic_payment_methods[enabled]", "true"),
                    ("transfer_group", group.as_str()),
                    ("description", description.as_str()),
                    ("metadata[checkout_attempt]", attempt.as_str()),
                    ("metadata[order_sellers]", order_sellers.as_str()),
                ],
                None,
            )
            .await;
        let session =
            json!({"payment_intent": intent["id"], "client_secret": intent["client_secret"]});
        let paid = self.pay(&session, "pm_card_visa").await;
        assert_eq!(paid["status"], "succeeded", "{paid}");
        let payment_intent = intent["id"].as_str().unwrap().to_owned();
        let intent = self
            .stripe_get(&format!("/v1/payment_intents/{payment_intent}"), None)
            .await;
        let charge = intent["latest_charge"].as_str().unwrap().to_owned();
        let mut transfers = Vec::new();
        for part in &PARTS {
            let amount = part.transfer_amount().to_string();
            let subtotal = part.subtotal.to_string();
            let fee = part.fee.to_string();
            let transfer = self
                .stripe_post(
                    "/v1/transfers",
                    &[
                        ("amount", amount.as_str()),
                        ("currency", "usd"),
                        ("destination", part.seller),
                        ("transfer_group", group.as_str()),
                        ("source_transaction", charge.as_str()),
                        ("description", part.description),
                        ("metadata[payment_intent]", payment_intent.as_str()),
                        ("metadata[seller_subtotal]", subtotal.as_str()),
                        ("metadata[platform_fee]", fee.as_str()),
                    ],
                    None,
                )
                .await;
            transfers.push(transfer["id"].as_str().unwrap().to_owned());
        }
        Order {
            payment_intent,
            transfers,
        }
    }

    async fn payments_of(&self, seller: &str) -> Vec<Value> {
        let cookie = self.sign_in(seller).await;
        let answer = self
            .call(
                Method::GET,
                &format!("/api/sellers/{seller}/payments"),
                None,
                Some(&cookie),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["payments"].as_array().unwrap().clone()
    }

    async fn refund_as(&self, seller: &str, body: &Value) -> support::Answer {
        let cookie = self.sign_in(seller).await;
        self.call(
            Method::POST,
            &format!("/api/sellers/{seller}/refunds"),
            Some(body),
            Some(&cookie),
        )
        .await
    }

    async fn transfer(&self, id: &str) -> Value {
        self.stripe_get(&format!("/v1/transfers/{id}"), None).await
    }

    async fn refunds_of(&self, payment_intent: &str) -> Vec<Value> {
        self.stripe_get(
            &format!("/v1/refunds?payment_intent={payment_intent}"),
            None,
        )
        .await["data"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// What `account` holds, available and pending, in US cents.
    async fn usd_balance(&self, account: &str) -> i64 {
        let balance = self.stripe_get("/v1/balance", Some(account)).await;
        ["available", "pending"]
            .iter()
            .flat_map(|kind| balance[kind].as_array().cloned().unwrap_or_default())
            .filter(|entry| entry["currency"] == "usd")
            .map(|entry| entry["amount"].as_i64().unwrap())
            .sum()
    }
}

#[tokio::test]
async fn each_seller_sees_only_their_part_of_the_order() {
    let h = marketplace().await;
    let order = h.paid_order("each-sees-their-part").await;
    for (part, transfer) in PARTS.iter().zip(&order.transfers) {
        let payments = h.payments_of(part.seller).await;
        let of_order: Vec<&Value> = payments
            .iter()
            .filter(|payment| payment["id"] == order.payment_intent.as_str())
            .collect();
        assert_eq!(of_order.len(), 1, "{}: {payments:?}", part.seller);
        let payment = of_order[0];
        assert_eq!(
            payment["amount"],
            json!({"amount": part.subtotal, "currency": "usd"}),
            "{}",
            part.seller
        );
        assert_eq!(
            payment["fee"],
            json!({"amount": part.fee, "currency": "usd"})
        );
        assert_eq!(payment["refunded"]["amount"], 0);
        assert_eq!(payment["description"], part.description);
        assert_eq!(payment["transfer"], transfer.as_str());
        assert_eq!(payment["status"], "succeeded");
        let listed = serde_json::to_string(&payments).unwrap();
        for other in PARTS.iter().filter(|other| other.seller != part.seller) {
            assert!(
                !listed.contains(other.description),
                "{} sees {}'s lines: {listed}",
                part.seller,
                other.seller
            );
        }
    }
    let kyoto = h.payments_of(KYOTO).await;
    assert!(
        kyoto
            .iter()
            .all(|payment| payment["id"] != order.payment_intent.as_str()),
        "a seller outside the order sees nothing of it: {kyoto:?}"
    );
}

#[tokio::test]
async fn a_seller_refunds_within_their_part_and_only_their_transfer_is_reversed() {
    let h = marketplace().await;
    let order = h.paid_order("beans-refunds-part").await;
    let [lumen_transfer, beans_transfer, mugs_transfer] = order.transfers.as_slice() else {
        unreachable!()
    };
    let beans_before = h.usd_balance(BEANS).await;

    let partial = json!({"payment_intent": order.payment_intent, "amount": 1000, "attempt": attempt_id("beans-1")});
    let refund = h.refund_as(BEANS, &partial).await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    assert_eq!(
        refund.body["amount"],
        json!({"amount": 1000, "currency": "usd"})
    );
    let refund_id = refund.body["id"].as_str().unwrap();

    let stripe_refund = h
        .stripe_get(&format!("/v1/refunds/{refund_id}"), None)
        .await;
    assert_eq!(
        stripe_refund["payment_intent"],
        order.payment_intent.as_str()
    );
    assert_eq!(stripe_refund["metadata"]["seller"], BEANS);
    assert_eq!(stripe_refund["reason"], "requested_by_customer");

    // 1000 of a 3000 subtotal whose Transfer was 2670: 890 back from Bean Street.
    let beans = h.transfer(beans_transfer).await;
    assert_eq!(beans["amount_reversed"], 890, "{beans}");
    let reversal = &beans["reversals"]["data"][0];
    assert_eq!(reversal["metadata"]["refund"], refund_id);
    assert_eq!(reversal["metadata"]["refunded_amount"], "1000");
    for untouched in [lumen_transfer, mugs_transfer] {
        assert_eq!(h.transfer(untouched).await["amount_reversed"], 0);
    }
    assert_eq!(h.usd_balance(BEANS).await, beans_before - 890);

    let double_click = h.refund_as(BEANS, &partial).await;
    assert_eq!(double_click.status, StatusCode::OK, "{}", double_click.body);
    assert_eq!(
        double_click.body["id"], refund_id,
        "the same attempt refunds once"
    );
    assert_eq!(h.refunds_of(&order.payment_intent).await.len(), 1);
    assert_eq!(h.transfer(beans_transfer).await["amount_reversed"], 890);

    let listed = h.payments_of(BEANS).await;
    let part = listed
        .iter()
        .find(|payment| payment["id"] == order.payment_intent.as_str())
        .unwrap();
    assert_eq!(part["refunded"]["amount"], 1000);

    let too_much = json!({"payment_intent": order.payment_intent, "amount": 2001, "attempt": attempt_id("beans-2")});
    let refused = h.refund_as(BEANS, &too_much).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("at most 20.00 USD"), "{message}");
    assert_eq!(h.refunds_of(&order.payment_intent).await.len(), 1);

    let rest = json!({"payment_intent": order.payment_intent, "attempt": attempt_id("beans-3")});
    let refund = h.refund_as(BEANS, &rest).await;
    assert_eq!(refund.status, StatusCode::OK, "{}", refund.body);
    assert_eq!(
        refund.body["amount"]["amount"], 2000,
        "the rest of their part"
    );
    let beans = h.transfer(beans_transfer).await;
    assert_eq!(beans["amount_reversed"], 2670, "{beans}");
    assert_eq!(beans["reversed"], true);
    assert_eq!(h.usd_balance(BEANS).await, beans_before - 2670);

    let again = json!({"payment_intent": order.payment_intent, "attempt": attempt_id("beans-4")});
    let refused = h.refund_as(BEANS, &again).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already refunded in full"),
        "{}",
        refused.body
    );

    let charge = h
        .stripe_get(
            &format!(
                "/v1/payment_intents/{}?expand[]=latest_charge",
                order.payment_intent
            ),
            None,
        )
        .await;
    assert_eq!(
        charge["latest_charge"]["amount_refunded"], 3000,
        "the shopper got Bean Street's lines back, nobody else's"
    );
    for untouched in [lumen_transfer, mugs_transfer] {
        assert_eq!(h.transfer(untouched).await["amount_reversed"], 0);
    }
}

#[tokio::test]
async fn a_seller_cannot_refund_an_order_they_have_no_part_in_nor_as_another_seller() {
    let market = marketplace().await;
    let order = market.paid_order("outsiders-refund").await;
    // Whatever the platform's charge type: the order's PaymentIntent is on the platform, where
    // a separate or destination platform also keeps its other sellers' payments.
    for charge_type in [
        ChargeType::Direct,
        ChargeType::Destination,
        ChargeType::Separate,
    ] {
        let mut config = (*market.state.config).clone();
        config.charge_type = charge_type;
        let h = Harness {
            sandbox: Arc::clone(&market.sandbox),
            state: AppState::new(config),
        };
        let label = format!("{charge_type:?}");
        let body = json!({"payment_intent": order.payment_intent, "attempt": attempt_id(&label)});
        let outsider = h.refund_as(KYOTO, &body).await;
        assert_eq!(
            outsider.status,
            StatusCode::NOT_FOUND,
            "{charge_type:?}: {}",
            outsider.body
        );
        assert_eq!(
            outsider.body["error"]["message"],
            "No such payment among your payments."
        );
    }
    let h = market;

    let lumen = h.sign_in(LUMEN).await;
    let as_beans = h
        .call(
            Method::POST,
            &format!("/api/sellers/{BEANS}/refunds"),
            Some(&json!({"payment_intent": order.payment_intent, "attempt": attempt_id("lumen-as-beans")})),
            Some(&lumen),
        )
        .await;
    assert_eq!(as_beans.status, StatusCode::FORBIDDEN, "{}", as_beans.body);
    assert!(h.refunds_of(&order.payment_intent).await.is_empty());
    for transfer in &order.transfers {
        assert_eq!(h.transfer(transfer).await["amount_reversed"], 0);
    }
}

#[tokio::test]
async fn a_retry_completes_a_reversal_that_failed_after_the_refund() {
    let h = marketplace().await;
    let order = h.paid_order("reversal-fails").await;
    let mugs_transfer = &order.transfers[2];
    h.admin(
        "/_sandbox/faults",
        json!({"rules": [{"fault": "server_error", "path_prefix": "/v1/transfers/", "method": "POST"}]}),
    )
    .await;
    let body = json!({"payment_intent": order.payment_intent, "attempt": attempt_id("mugs-1")});
    let failed = h.refund_as(MUGS, &body).await;
    assert!(failed.status.is_server_error(), "{}", failed.body);
    assert_eq!(h.refunds_of(&order.payment_intent).await.len(), 1);
    assert_eq!(h.transfer(mugs_transfer).await["amount_reversed"], 0);

    h.admin("/_sandbox/faults", json!({})).await;
    let retried = h.refund_as(MUGS, &body).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(retried.body["amount"]["amount"], 1500);
    let refunds = h.refunds_of(&order.payment_intent).await;
    assert_eq!(refunds.len(), 1, "refunded once: {refunds:?}");
    assert_eq!(retried.body["id"], refunds[0]["id"]);
    let mugs = h.transfer(mugs_transfer).await;
    assert_eq!(mugs["amount_reversed"], 1320, "{mugs}");
    assert_eq!(mugs["reversals"]["data"].as_array().unwrap().len(), 1);

    let once_more = h.refund_as(MUGS, &body).await;
    assert_eq!(once_more.status, StatusCode::OK, "{}", once_more.body);
    assert_eq!(h.transfer(mugs_transfer).await["amount_reversed"], 1320);
}
