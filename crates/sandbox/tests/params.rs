//! Form decoding and parameter errors over HTTP (FIDELITY.md §Form encoding, §Errors).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{LUMEN, start};

#[tokio::test]
async fn unknown_parameter_is_named_with_its_path() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd&colour=blue",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(
        reply.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("parameter_unknown"),
            Some("colour")
        )
    );
    assert_eq!(
        reply.error()["message"],
        "Received unknown parameter: colour"
    );
    assert_eq!(
        reply.error()["doc_url"],
        "https://stripe.com/docs/error-codes/parameter-unknown"
    );
    let nested = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd&automatic_payment_methods[enable]=true",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(
        nested.error()["message"],
        "Received unknown parameter: automatic_payment_methods[enable]"
    );
}

#[tokio::test]
async fn missing_parameter_is_parameter_missing() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "currency=usd",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(
        reply.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            Some("amount")
        )
    );
    assert_eq!(reply.error()["message"], "Missing required param: amount.");
}

#[tokio::test]
async fn bad_integer_is_parameter_invalid_integer() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=12.00&currency=usd",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(
        reply.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("parameter_invalid_integer"),
            Some("amount")
        )
    );
    assert_eq!(reply.error()["message"], "Invalid integer: 12.00");
}

#[tokio::test]
async fn empty_string_cannot_unset_a_required_parameter() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=&currency=usd",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.error()["code"], "parameter_invalid_empty");
}

#[tokio::test]
async fn empty_string_unsets_an_optional_parameter() {
    let h = start().await;
    let pi = h
        .create_intent(
            LUMEN,
            "amount=1200&currency=usd&description=&metadata[order]=&metadata[kept]=yes",
        )
        .await;
    assert_eq!(pi["description"], serde_json::Value::Null);
    assert_eq!(pi["metadata"], serde_json::json!({"kept": "yes"}));
}

#[tokio::test]
async fn arrays_come_as_brackets_or_indices_raw_or_encoded() {
    let h = start().await;
    for form in [
        "amount=1200&currency=usd&payment_method_types[]=card",
        "amount=1200&currency=usd&payment_method_types[0]=card",
        "amount=1200&currency=usd&payment_method_types%5B0%5D=card",
        "amount=1200&currency=usd&payment_method_types%5B%5D=card",
    ] {
        let pi = h.create_intent(LUMEN, form).await;
        assert_eq!(
            pi["payment_method_types"],
            serde_json::json!(["card"]),
            "{form}"
        );
        assert_eq!(
            pi["automatic_payment_methods"],
            serde_json::Value::Null,
            "{form}"
        );
    }
}

#[tokio::test]
async fn nested_objects_and_metadata_round_trip() {
    let h = start().await;
    let pi = h
        .create_intent(
            LUMEN,
            "amount=1200&currency=usd&metadata[order_id]=A%2017&description=two+words&shipping[name]=Ada&shipping[address][line1]=1+Main+St",
        )
        .await;
    assert_eq!(pi["metadata"]["order_id"], "A 17");
    assert_eq!(pi["description"], "two words");
    assert_eq!(pi["shipping"]["address"]["line1"], "1 Main St");
}

#[tokio::test]
async fn value_and_object_under_one_name_is_400() {
    let h = start().await;
    let reply = h
        .post(
            "/v1/payment_intents",
            "amount=1200&currency=usd&metadata=x&metadata[a]=b",
            h.secret_for(Some(LUMEN)),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error()["param"], "metadata");
}

#[tokio::test]
async fn wrong_shapes_get_stripes_type_messages() {
    let h = start().await;
    let cases = [
        ("amount=1200&currency=usd&metadata=x", "Invalid hash"),
        (
            "amount=1200&currency=usd&payment_method_types=card",
            "Invalid array",
        ),
        (
            "amount=1200&currency=usd&confirm=maybe",
            "Invalid boolean: maybe",
        ),
        (
            "amount=1200&currency=usd&capture_method=later",
            "Invalid capture_method: must be one of automatic, automatic_async, or manual",
        ),
    ];
    for (form, message) in cases {
        let reply = h
            .post("/v1/payment_intents", form, h.secret_for(Some(LUMEN)))
            .await;
        assert_eq!(reply.status, 400, "{form}");
        assert_eq!(reply.error()["message"], message, "{form}");
    }
}
