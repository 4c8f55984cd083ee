//! Seeds from a file: the example in `seeds/` loads, serves its sellers and products, and
//! delivers to its declared webhook endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, start_with};
use stripe_sandbox::Seed;

fn example() -> Seed {
    Seed::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/marketplace.json"
    ))
    .unwrap()
}

#[tokio::test]
async fn the_example_seed_file_loads_and_serves_its_sellers() {
    let h = start_with(example()).await;
    assert!(h.sk().starts_with("sk_test_51MakersMarket"));
    let sk = h.sk().to_owned();
    let accounts = h
        .get(
            "/v1/accounts",
            "",
            As {
                key: Some(&sk),
                ..As::default()
            },
        )
        .await;
    assert_eq!(accounts.body["data"].as_array().unwrap().len(), 3);
    let candles = h
        .get(
            "/v1/prices",
            "expand[]=data.product",
            As {
                key: Some(&sk),
                account: Some("acct_1LondonCandles01"),
                ..As::default()
            },
        )
        .await;
    assert_eq!(candles.body["data"][0]["currency"], "gbp");
    assert_eq!(
        candles.body["data"][0]["product"]["name"],
        "Beeswax pillar candle"
    );
    let halfway = h
        .get(
            "/v1/accounts/acct_1HalfwayThere001",
            "",
            As {
                key: Some(&sk),
                ..As::default()
            },
        )
        .await;
    assert_eq!(halfway.body["charges_enabled"], false);
    assert_eq!(halfway.body["type"], "express");
    let keys = h.admin_get("/_sandbox/keys").await;
    assert_eq!(keys.body["webhook_secret"], "whsec_makersMarketLocal0000");
    let settings = h.admin_get("/_sandbox/webhook_settings").await;
    assert_eq!(settings.body["retry_schedule_ms"][0], 1000);
}

#[test]
fn a_broken_seed_file_says_what_is_wrong() {
    let dir = std::env::temp_dir().join(format!("bad-seed-{}.json", std::process::id()));
    let mut seed = example();
    seed.webhook_endpoints[0].secret = "nope".to_owned();
    std::fs::write(&dir, serde_json::to_string(&seed).unwrap()).unwrap();
    let error = Seed::from_json_file(&dir).unwrap_err().to_string();
    std::fs::remove_file(&dir).ok();
    assert!(error.contains("whsec_"), "{error}");
}
