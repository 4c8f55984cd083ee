//! Connected accounts (FIDELITY.md §Accounts, §Test onboarding data): creation by type or
//! controller properties, requirements that follow what was submitted and Stripe's test values,
//! derived `charges_enabled`/`payouts_enabled`, capabilities, tokens, `account.updated` and
//! `capability.updated`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{As, Harness, LUMEN, POTTERY, start};
use serde_json::{Value, json};

async fn create(h: &Harness, form: &str) -> Value {
    let reply = h.post("/v1/accounts", form, h.secret_for(None)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn due(account: &Value) -> Vec<String> {
    account["requirements"]["currently_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// A bank token made as Stripe.js makes it (publishable key in the form).
async fn bank_token(h: &Harness, account_number: &str) -> String {
    let reply = h
        .post(
            "/v1/tokens",
            &format!(
                "bank_account[country]=US&bank_account[currency]=usd&bank_account[account_holder_name]=Jenny%20Rosen&bank_account[account_holder_type]=individual&bank_account[routing_number]=110000000&bank_account[account_number]={account_number}&key={}",
                h.pk()
            ),
            As::default(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

const CUSTOM_DETAILS: &str = "business_type=individual&individual[first_name]=Jenny&individual[last_name]=Rosen&individual[email]=jenny%40example.com&individual[phone]=0000000000&individual[dob][day]=1&individual[dob][month]=1&individual[dob][year]=1901&individual[address][line1]=address_full_match&individual[address][city]=San%20Francisco&individual[address][state]=CA&individual[address][postal_code]=94111&individual[ssn_last_4]=0000&business_profile[mcc]=5734&business_profile[url]=https%3A%2F%2Fpottery.example&tos_acceptance[date]=1767225600&tos_acceptance[ip]=127.0.0.1";

async fn custom_account(h: &Harness) -> Value {
    create(
        h,
        "type=custom&country=US&email=jenny%40example.com&capabilities[card_payments][requested]=true&capabilities[transfers][requested]=true",
    )
    .await
}

#[tokio::test]
async fn express_account_starts_disabled_with_its_requirements_due() {
    let h = start().await;
    let account = create(&h, "type=express&country=US&email=new%40seller.example").await;
    let id = account["id"].as_str().unwrap();
    assert!(id.starts_with("acct_1") && id.len() == 21, "{id}");
    assert_eq!(account["object"], "account");
    assert_eq!(account["type"], "express");
    assert_eq!(account["controller"]["stripe_dashboard"]["type"], "express");
    assert_eq!(
        account["controller"]["fees"]["payer"],
        "application_express"
    );
    assert_eq!(account["charges_enabled"], false);
    assert_eq!(account["payouts_enabled"], false);
    assert_eq!(account["details_submitted"], false);
    assert_eq!(
        account["capabilities"],
        json!({"card_payments": "inactive", "transfers": "inactive"})
    );
    let due = due(&account);
    for needed in [
        "business_type",
        "external_account",
        "tos_acceptance.date",
        "individual.dob.day",
        "individual.ssn_last_4",
    ] {
        assert!(due.contains(&needed.to_owned()), "{needed} in {due:?}");
    }
    assert_eq!(
        account["requirements"]["disabled_reason"],
        "requirements.past_due"
    );
    assert_eq!(account["email"], "new@seller.example");
    let listed = h.get("/v1/accounts", "limit=1", h.secret_for(None)).await;
    assert_eq!(listed.body["data"][0]["id"], id, "newest first");
    let fetched = h
        .get(&format!("/v1/accounts/{id}"), "", h.secret_for(None))
        .await;
    assert_eq!(fetched.body, account);
}

#[tokio::test]
async fn controller_properties_map_to_types_and_are_checked() {
    let h = start().await;
    let standard = create(&h, "country=US").await;
    assert_eq!(standard["type"], "standard");
    assert_eq!(standard["controller"]["stripe_dashboard"]["type"], "full");
    let custom_like = create(
        &h,
        "controller[fees][payer]=application&controller[losses][payments]=application&controller[requirement_collection]=application&controller[stripe_dashboard][type]=none&capabilities[transfers][requested]=true",
    )
    .await;
    assert_eq!(custom_like["type"], "none");
    assert_eq!(
        custom_like["controller"]["requirement_collection"],
        "application"
    );
    assert_eq!(
        custom_like["capabilities"],
        json!({"transfers": "inactive"})
    );

    let no_caps = h
        .post(
            "/v1/accounts",
            "controller[losses][payments]=application&controller[requirement_collection]=application&controller[stripe_dashboard][type]=none",
            h.secret_for(None),
        )
        .await;
    assert_eq!(no_caps.error_summary().0, 400);
    assert_eq!(no_caps.error()["param"], "capabilities");
    let both = h
        .post(
            "/v1/accounts",
            "type=express&controller[stripe_dashboard][type]=express",
            h.secret_for(None),
        )
        .await;
    assert_eq!(both.error()["code"], "parameters_exclusive");
    let bad_type = h
        .post("/v1/accounts", "type=premium", h.secret_for(None))
        .await;
    assert_eq!(bad_type.error()["param"], "type");
    let bad_cap = h
        .post(
            "/v1/accounts",
            "type=express&capabilities[teleport_payments][requested]=true",
            h.secret_for(None),
        )
        .await;
    assert_eq!(bad_cap.status, 400);
}

#[tokio::test]
async fn custom_account_completed_through_the_api_is_enabled_and_says_so() {
    let h = start().await;
    let account = custom_account(&h).await;
    let id = account["id"].as_str().unwrap();
    let token = bank_token(&h, "000123456789").await;
    let updated = h
        .post(
            &format!("/v1/accounts/{id}"),
            &format!("{CUSTOM_DETAILS}&external_account={token}&metadata[seller]=7"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let a = &updated.body;
    assert_eq!(due(a), Vec::<String>::new());
    assert_eq!(a["charges_enabled"], true);
    assert_eq!(a["payouts_enabled"], true);
    assert_eq!(a["details_submitted"], true);
    assert_eq!(a["requirements"]["disabled_reason"], Value::Null);
    assert_eq!(
        a["capabilities"],
        json!({"card_payments": "active", "transfers": "active"})
    );
    assert_eq!(a["individual"]["verification"]["status"], "verified");
    assert_eq!(a["individual"]["ssn_last_4_provided"], true);
    assert_eq!(a["tos_acceptance"]["ip"], "127.0.0.1");
    assert_eq!(a["metadata"]["seller"], "7");
    let bank = &a["external_accounts"]["data"][0];
    assert_eq!(bank["object"], "bank_account");
    assert_eq!(bank["last4"], "6789");
    assert_eq!(bank["account"], id);
    assert_eq!(bank["status"], "new");

    // Events on the connected account: account.updated with what changed, and one
    // capability.updated per capability.
    let events = h.get("/v1/events", "", h.secret_for(Some(id))).await.body["data"].clone();
    let types: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "capability.updated",
            "capability.updated",
            "account.updated"
        ]
    );
    let updated_event = &events[2];
    assert_eq!(updated_event["account"], id);
    assert_eq!(
        updated_event["data"]["previous_attributes"]["charges_enabled"],
        false
    );
    assert_eq!(
        events[0]["data"]["previous_attributes"]["status"],
        "inactive"
    );
    assert_eq!(events[0]["data"]["object"]["status"], "active");
    assert_eq!(events[0]["data"]["object"]["object"], "capability");
}

#[tokio::test]
async fn stripes_failing_test_values_keep_the_account_disabled() {
    let h = start().await;
    let account = custom_account(&h).await;
    let id = account["id"].as_str().unwrap();
    let token = bank_token(&h, "000111111113").await;
    let details = CUSTOM_DETAILS
        .replace("[year]=1901", "[year]=1990")
        .replace("address_full_match", "address_no_match");
    let updated = h
        .post(
            &format!("/v1/accounts/{id}"),
            &format!("{details}&external_account={token}"),
            h.secret_for(None),
        )
        .await;
    let a = &updated.body;
    assert_eq!(a["charges_enabled"], false);
    let due = due(a);
    for needed in [
        "individual.verification.document",
        "individual.address.line1",
        "external_account",
    ] {
        assert!(due.contains(&needed.to_owned()), "{needed} in {due:?}");
    }
    let codes: Vec<&str> = a["requirements"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"verification_failed_keyed_identity"));
    assert!(codes.contains(&"verification_failed_address_match"));
    assert_eq!(a["external_accounts"]["data"][0]["status"], "errored");
    assert_eq!(a["individual"]["verification"]["status"], "unverified");
    // Fixing the values clears the errors.
    let good = h.post(
        &format!("/v1/accounts/{id}"),
        &format!("{CUSTOM_DETAILS}&external_account[object]=bank_account&external_account[country]=US&external_account[routing_number]=110000000&external_account[account_number]=000123456789"),
        h.secret_for(None),
    )
    .await;
    assert_eq!(good.body["charges_enabled"], true, "{}", good.body);
    assert_eq!(good.body["requirements"]["errors"], json!([]));
}

#[tokio::test]
async fn stripe_collected_accounts_refuse_platform_terms_and_later_edits() {
    let h = start().await;
    let tos = h
        .post(
            "/v1/accounts",
            "type=express&tos_acceptance[date]=1767225600&tos_acceptance[ip]=127.0.0.1",
            h.secret_for(None),
        )
        .await;
    assert_eq!(tos.status, 400);
    assert_eq!(tos.error()["param"], "tos_acceptance");
    // Before onboarding, an Express account may be prefilled; once a link exists it may not.
    let account = create(
        &h,
        "type=express&business_type=individual&individual[first_name]=Ada",
    )
    .await;
    let id = account["id"].as_str().unwrap();
    assert_eq!(account["individual"]["first_name"], "Ada");
    h.post(
        "/v1/account_links",
        &format!("account={id}&type=account_onboarding&refresh_url=https%3A%2F%2Fp.example%2Fr&return_url=https%3A%2F%2Fp.example%2Fdone"),
        h.secret_for(None),
    )
    .await;
    let later = h
        .post(
            &format!("/v1/accounts/{id}"),
            "individual[first_name]=Eve",
            h.secret_for(None),
        )
        .await;
    assert_eq!(later.status, 400);
    assert_eq!(later.error()["param"], "individual");
    // Metadata is still the platform's to change.
    let meta = h
        .post(
            &format!("/v1/accounts/{id}"),
            "metadata[tier]=gold",
            h.secret_for(None),
        )
        .await;
    assert_eq!(meta.status, 200);
}

#[tokio::test]
async fn tokens_are_single_use_and_carry_account_details() {
    let h = start().await;
    let token = bank_token(&h, "000123456789").await;
    assert!(token.starts_with("btok_"));
    let fetched = h
        .get(&format!("/v1/tokens/{token}"), "", h.secret_for(None))
        .await;
    assert_eq!(fetched.body["type"], "bank_account");
    assert_eq!(fetched.body["bank_account"]["last4"], "6789");
    assert_eq!(fetched.body["bank_account"]["routing_number"], "110000000");
    assert_eq!(fetched.body["used"], false);

    let account_token = h
        .post(
            "/v1/tokens",
            &format!(
                "account[business_type]=individual&account[individual][first_name]=Jenny&account[individual][last_name]=Rosen&account[tos_shown_and_accepted]=true&key={}",
                h.pk()
            ),
            As::default(),
        )
        .await;
    assert_eq!(account_token.status, 200, "{}", account_token.body);
    let ct = account_token.body["id"].as_str().unwrap();
    assert!(ct.starts_with("ct_"));
    assert_eq!(account_token.body["type"], "account");
    let account = create(
        &h,
        &format!(
            "type=custom&account_token={ct}&external_account={token}&capabilities[transfers][requested]=true"
        ),
    )
    .await;
    assert_eq!(account["individual"]["first_name"], "Jenny");
    assert!(account["tos_acceptance"]["date"].is_i64());
    assert_eq!(account["external_accounts"]["data"][0]["last4"], "6789");

    let again = h
        .post(
            "/v1/accounts",
            &format!(
                "type=custom&external_account={token}&capabilities[transfers][requested]=true"
            ),
            h.secret_for(None),
        )
        .await;
    assert_eq!(again.error()["code"], "token_already_used");
    let none = h
        .post("/v1/tokens", &format!("key={}", h.pk()), As::default())
        .await;
    assert_eq!(none.status, 400);
    let bad_routing = h
        .post(
            "/v1/tokens",
            &format!(
                "bank_account[country]=US&bank_account[routing_number]=123&bank_account[account_number]=000123456789&key={}",
                h.pk()
            ),
            As::default(),
        )
        .await;
    assert_eq!(bad_routing.error()["param"], "bank_account[routing_number]");
}

#[tokio::test]
async fn capabilities_can_be_listed_and_requested() {
    let h = start().await;
    let list = h
        .get(
            &format!("/v1/accounts/{LUMEN}/capabilities"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(list.body["data"][0]["id"], "card_payments");
    assert_eq!(list.body["data"][0]["status"], "active");
    let one = h
        .get(
            &format!("/v1/accounts/{LUMEN}/capabilities/transfers"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(one.body["object"], "capability");
    assert_eq!(one.body["account"], LUMEN);
    let requested = h
        .post(
            &format!("/v1/accounts/{POTTERY}/capabilities/link_payments"),
            "requested=true",
            h.secret_for(None),
        )
        .await;
    assert_eq!(requested.body["status"], "inactive", "{}", requested.body);
}

#[tokio::test]
async fn deleted_accounts_are_gone() {
    let h = start().await;
    let account = create(&h, "type=express").await;
    let id = account["id"].as_str().unwrap();
    let deleted = h
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/accounts/{id}"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(
        deleted.body,
        json!({"id": id, "object": "account", "deleted": true})
    );
    let gone = h
        .get(&format!("/v1/accounts/{id}"), "", h.secret_for(None))
        .await;
    assert_eq!(gone.error()["code"], "account_invalid");
    let as_header = h.get("/v1/balance", "", h.secret_for(Some(id))).await;
    assert_eq!(as_header.status, 403);
}

#[tokio::test]
async fn creating_accounts_too_quickly_is_stripes_400() {
    let h = start().await;
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            h.post("/v1/accounts", "type=express", h.secret_for(None))
                .await,
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status, 400);
    assert_eq!(last.error()["code"], "rate_limit");
    assert!(
        last.error()["message"]
            .as_str()
            .unwrap()
            .starts_with("Sorry, you're creating accounts too quickly.")
    );
}

#[tokio::test]
async fn a_connected_account_cannot_create_accounts() {
    let h = start().await;
    let reply = h
        .post("/v1/accounts", "type=express", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn an_account_that_only_receives_transfers_owes_no_business_profile() {
    let h = start().await;
    let recipient = create(
        &h,
        "type=custom&country=US&capabilities[transfers][requested]=true",
    )
    .await;
    let due = due(&recipient);
    assert!(!due.contains(&"business_profile.mcc".to_owned()), "{due:?}");
    assert!(due.contains(&"external_account".to_owned()), "{due:?}");
    let seller = custom_account(&h).await;
    assert!(owes_business_profile(&seller));
    assert_eq!(recipient["capabilities"], json!({"transfers": "inactive"}));
}

/// Whether a card-taking account owes its business profile.
fn owes_business_profile(account: &Value) -> bool {
    due(account).contains(&"business_profile.mcc".to_owned())
}

#[tokio::test]
async fn a_pii_token_made_with_the_publishable_key_is_visible_to_the_same_accounts_secret_key() {
    let h = start().await;
    let made = h
        .post(
            "/v1/tokens",
            &format!("pii[id_number]=000000000&key={}", h.pk()),
            As::default(),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let id = made.body["id"].as_str().unwrap();
    assert!(id.starts_with("pii_"), "{id}");
    assert_eq!(made.body["type"], "pii");
    assert!(
        !made.body.to_string().contains("000000000"),
        "the number is never echoed"
    );
    let fetched = h
        .get(&format!("/v1/tokens/{id}"), "", h.secret_for(None))
        .await;
    assert_eq!(fetched.status, 200, "{}", fetched.body);
    // Seen from a connected account, the platform's token does not exist.
    let foreign = h
        .get(&format!("/v1/tokens/{id}"), "", h.secret_for(Some(LUMEN)))
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.body);
}
