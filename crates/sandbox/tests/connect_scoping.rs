//! `Stripe-Account` scoping: every object lives on one account, and a key reaches another
//! account's objects only by naming that account (FIDELITY.md §Stripe-Account).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, HOUSE_BLEND, KYOTO, LUMEN, POTTERY, start};

#[tokio::test]
async fn foreign_stripe_account_is_403_account_invalid() {
    let h = start().await;
    let reply = h
        .get(
            "/v1/prices",
            "",
            h.secret_for(Some("acct_1NotOurs000000001")),
        )
        .await;
    assert_eq!(
        reply.error_summary(),
        (403, "invalid_request_error", Some("account_invalid"), None)
    );
    assert_eq!(
        reply.error()["message"],
        "The provided key 'sk_test_*************************************0000' does not have access to account 'acct_1NotOurs000000001' (or that account does not exist). Application access may have been revoked."
    );
}

#[tokio::test]
async fn another_accounts_payment_intent_is_404_resource_missing() {
    let h = start().await;
    let pi = h.create_intent(LUMEN, "amount=1200&currency=usd").await;
    let id = pi["id"].as_str().unwrap();
    // The platform itself and another seller cannot see it.
    for account in [None, Some(KYOTO)] {
        let reply = h
            .get(
                &format!("/v1/payment_intents/{id}"),
                "",
                h.secret_for(account),
            )
            .await;
        assert_eq!(
            reply.error_summary(),
            (
                404,
                "invalid_request_error",
                Some("resource_missing"),
                Some("id")
            )
        );
        assert_eq!(
            reply.error()["message"],
            format!("No such payment_intent: '{id}'")
        );
        assert_eq!(
            reply.error()["doc_url"],
            "https://stripe.com/docs/error-codes/resource-missing"
        );
    }
    let mine = h
        .get(
            &format!("/v1/payment_intents/{id}"),
            "",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(mine.status, 200);
}

#[tokio::test]
async fn prices_are_listed_only_on_their_own_account() {
    let h = start().await;
    let lumen = h.get("/v1/prices", "", h.secret_for(Some(LUMEN))).await;
    let ids: Vec<&str> = lumen.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [HOUSE_BLEND, "price_1LumenEspressoCup1"]);
    assert_eq!(lumen.body["object"], "list");
    assert_eq!(lumen.body["url"], "/v1/prices");
    assert_eq!(lumen.body["has_more"], false);

    let platform = h.get("/v1/prices", "", h.secret_for(None)).await;
    assert_eq!(platform.body["data"].as_array().unwrap().len(), 0);
    let other = h
        .get(
            &format!("/v1/prices/{HOUSE_BLEND}"),
            "",
            h.secret_for(Some(KYOTO)),
        )
        .await;
    assert_eq!(other.status, 404);
    assert_eq!(
        other.error()["message"],
        format!("No such price: '{HOUSE_BLEND}'")
    );
}

#[tokio::test]
async fn price_expands_its_product_and_lists_expand_data_product() {
    let h = start().await;
    let one = h
        .get(
            &format!("/v1/prices/{HOUSE_BLEND}"),
            "expand[]=product",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(one.body["product"]["name"], "House Blend, 250 g");
    assert_eq!(
        one.body["product"]["description"],
        "Washed Colombian and Ethiopian beans, roasted weekly."
    );
    assert_eq!(one.body["unit_amount"], 1200);
    assert_eq!(one.body["currency"], "usd");

    let listed = h
        .get(
            "/v1/prices",
            "active=true&limit=1&expand[0]=data.product",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(listed.body["data"][0]["product"]["object"], "product");
    assert_eq!(listed.body["has_more"], true);

    let bad = h
        .get(
            "/v1/prices",
            "expand[]=data.nothing",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.error()["message"],
        "This property cannot be expanded (data.nothing)."
    );
}

#[tokio::test]
async fn price_list_filters_by_product_and_paginates() {
    let h = start().await;
    let by_product = h
        .get(
            "/v1/prices",
            "product=prod_LumenEspressoCups",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(by_product.body["data"].as_array().unwrap().len(), 1);
    let next = h
        .get(
            "/v1/prices",
            &format!("limit=1&starting_after={HOUSE_BLEND}"),
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(next.body["data"][0]["id"], "price_1LumenEspressoCup1");
    assert_eq!(next.body["has_more"], false);
    let back = h
        .get(
            "/v1/prices",
            "ending_before=price_1LumenEspressoCup1",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(back.body["data"][0]["id"], HOUSE_BLEND);
    let limit = h
        .get("/v1/prices", "limit=0", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(limit.status, 400);
    assert_eq!(
        limit.error()["message"],
        "This value must be greater than or equal to 1."
    );
}

#[tokio::test]
async fn accounts_are_stripe_shaped_and_listed_newest_first() {
    let h = start().await;
    let list = h.get("/v1/accounts", "", h.secret_for(None)).await;
    let ids: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            LUMEN,
            KYOTO,
            "acct_1HarborBakery001",
            "acct_1FernLoomTextile",
            POTTERY
        ]
    );

    let lumen = h
        .get(&format!("/v1/accounts/{LUMEN}"), "", h.secret_for(None))
        .await;
    let a = &lumen.body;
    assert_eq!(a["object"], "account");
    assert_eq!(a["type"], "express");
    assert_eq!(a["business_profile"]["name"], "Lumen Coffee Roasters");
    assert_eq!(a["charges_enabled"], true);
    assert_eq!(a["payouts_enabled"], true);
    assert_eq!(a["details_submitted"], true);
    assert_eq!(a["capabilities"]["card_payments"], "active");
    assert_eq!(a["capabilities"]["transfers"], "active");
    assert_eq!(a["default_currency"], "usd");
    assert_eq!(a["country"], "US");
    assert_eq!(a["controller"]["stripe_dashboard"]["type"], "express");
    assert!(
        a["requirements"]["currently_due"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(a["future_requirements"].is_object());

    let pottery = h
        .get(&format!("/v1/accounts/{POTTERY}"), "", h.secret_for(None))
        .await;
    let p = &pottery.body;
    assert_eq!(p["charges_enabled"], false);
    assert_eq!(
        p["requirements"]["disabled_reason"],
        "requirements.past_due"
    );
    assert!(
        p["requirements"]["currently_due"]
            .as_array()
            .unwrap()
            .contains(&"external_account".into())
    );

    let kyoto = h
        .get(&format!("/v1/accounts/{KYOTO}"), "", h.secret_for(None))
        .await;
    assert_eq!(kyoto.body["default_currency"], "jpy");

    let page = h
        .get(
            "/v1/accounts",
            &format!("limit=2&starting_after={LUMEN}"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(page.body["data"][0]["id"], KYOTO);
    assert_eq!(
        page.body["has_more"], true,
        "the usd sellers and the pending one follow"
    );
}

#[tokio::test]
async fn unknown_account_in_the_url_is_account_invalid() {
    let h = start().await;
    let reply = h
        .get("/v1/accounts/acct_1Nobody000000000", "", h.secret_for(None))
        .await;
    assert_eq!(reply.error_summary().0, 403);
    assert_eq!(reply.error()["code"], "account_invalid");
}

#[tokio::test]
async fn get_account_is_the_platform_or_the_named_account() {
    let h = start().await;
    let platform = h.get("/v1/account", "", h.secret_for(None)).await;
    assert_eq!(platform.body["id"], stripe_sandbox::PLATFORM_ACCOUNT_ID);
    let lumen = h.get("/v1/account", "", h.secret_for(Some(LUMEN))).await;
    assert_eq!(lumen.body["id"], LUMEN);
}

#[tokio::test]
async fn stripe_js_account_parameter_scopes_like_the_header() {
    let h = start().await;
    let pi = h.create_intent(LUMEN, "amount=1200&currency=usd").await;
    let id = pi["id"].as_str().unwrap();
    let secret = pi["client_secret"].as_str().unwrap();
    // Without the account the PaymentIntent is not found: the error Stripe.js users know.
    let reply = h
        .get(
            &format!("/v1/payment_intents/{id}"),
            &format!("client_secret={secret}&key={}", h.pk()),
            As::default(),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert!(reply.error()["message"].as_str().unwrap().starts_with(
        "The client_secret provided does not match any associated PaymentIntent on this account."
    ));
    let reply = h
        .get(
            &format!("/v1/payment_intents/{id}"),
            &format!(
                "client_secret={secret}&key={}&_stripe_account={LUMEN}",
                h.pk()
            ),
            As::default(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}
