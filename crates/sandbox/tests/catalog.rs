//! Products and prices created through the API, on the account they were made for.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, KYOTO, LUMEN, start};

#[tokio::test]
async fn a_seller_gets_a_product_with_a_default_price_and_sells_it() {
    let h = start().await;
    let made = h
        .post(
            "/v1/products",
            "name=Stoneware%20Mug&description=Glazed%20by%20hand&default_price_data[currency]=usd&default_price_data[unit_amount]=2000",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let price = made.body["default_price"].as_str().unwrap().to_owned();
    assert!(price.starts_with("price_"));
    let listed = h
        .get(
            "/v1/prices",
            "active=true&expand[]=data.product",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    let found = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == price.as_str())
        .cloned()
        .unwrap();
    assert_eq!(found["unit_amount"], 2000);
    assert_eq!(found["product"]["name"], "Stoneware Mug");
    // Another account does not see it.
    let foreign = h
        .get(
            &format!("/v1/prices/{price}"),
            "",
            h.secret_for(Some(KYOTO)),
        )
        .await;
    assert_eq!(foreign.status, 404);
    // It can be charged.
    let intent = h
        .post(
            "/v1/payment_intents",
            "amount=2000&currency=usd&payment_method_types[]=card",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(intent.status, 200, "{}", intent.body);
}

#[tokio::test]
async fn prices_are_made_for_a_product_or_with_one_and_can_be_deactivated() {
    let h = start().await;
    let with_product = h
        .post(
            "/v1/prices",
            "currency=jpy&unit_amount=1500&product_data[name]=Matcha",
            h.secret_for(Some(KYOTO)),
        )
        .await;
    assert_eq!(with_product.status, 200, "{}", with_product.body);
    let product = with_product.body["product"].as_str().unwrap().to_owned();
    let second = h
        .post(
            "/v1/prices",
            &format!("currency=jpy&unit_amount=3000&product={product}"),
            h.secret_for(Some(KYOTO)),
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    let id = second.body["id"].as_str().unwrap();
    let off = h
        .post(
            &format!("/v1/prices/{id}"),
            "active=false",
            h.secret_for(Some(KYOTO)),
        )
        .await;
    assert_eq!(off.body["active"], false);

    let errors = [
        ("currency=usd&unit_amount=100", "product"),
        (
            "currency=xyz&unit_amount=100&product_data[name]=A",
            "currency",
        ),
        ("currency=usd&unit_amount=100&product=prod_nope", "product"),
        (
            "currency=usd&unit_amount=100&product_data[name]=A&recurring[interval]=month",
            "recurring",
        ),
        (
            "currency=usd&unit_amount=-1&product_data[name]=A",
            "unit_amount",
        ),
    ];
    for (form, param) in errors {
        let reply = h.post("/v1/prices", form, h.secret_for(Some(KYOTO))).await;
        assert_eq!(reply.status, 400, "{form}: {}", reply.body);
        assert_eq!(reply.error()["param"], param, "{form}: {}", reply.body);
    }
}

#[tokio::test]
async fn a_product_needs_a_name_and_a_publishable_key_cannot_make_one() {
    let h = start().await;
    let nameless = h
        .post("/v1/products", "description=x", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(nameless.status, 400);
    assert_eq!(nameless.error()["code"], "parameter_missing");
    let publishable = h
        .post(
            "/v1/products",
            "name=A",
            As {
                key: Some(h.pk()),
                ..As::default()
            },
        )
        .await;
    assert_eq!(publishable.status, 403, "{}", publishable.body);
}
