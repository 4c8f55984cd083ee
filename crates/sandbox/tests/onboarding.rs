//! Account Links and the hosted onboarding page (FIDELITY.md §Account Links), login links and the
//! Express dashboard page (§2.4).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, KYOTO, LUMEN, POTTERY, start};
use serde_json::{Value, json};

const RETURN: &str = "https://platform.example/onboarded";
const REFRESH: &str = "https://platform.example/refresh";

async fn make_link(h: &Harness, account: &str, kind: &str) -> Value {
    let reply = h
        .post(
            "/v1/account_links",
            &format!(
                "account={account}&type={kind}&refresh_url=https%3A%2F%2Fplatform.example%2Frefresh&return_url=https%3A%2F%2Fplatform.example%2Fonboarded"
            ),
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Follows a link the way a browser would, to the onboarding page's URL.
async fn open(h: &Harness, url: &str) -> String {
    let first = browser().get(url).send().await.unwrap();
    assert_eq!(first.status(), 303);
    h.url(&location(&first))
}

async fn post_form(url: &str, form: &str) -> reqwest::Response {
    browser()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .unwrap()
}

async fn account(h: &Harness, id: &str) -> Value {
    h.get(&format!("/v1/accounts/{id}"), "", h.secret_for(None))
        .await
        .body
}

#[tokio::test]
async fn account_link_has_stripes_shape_and_expires_in_300_seconds() {
    let h = start().await;
    let link = make_link(&h, POTTERY, "account_onboarding").await;
    assert_eq!(link["object"], "account_link");
    assert_eq!(
        link["expires_at"].as_i64().unwrap() - link["created"].as_i64().unwrap(),
        300
    );
    let url = link["url"].as_str().unwrap();
    assert!(
        url.starts_with(&h.url(&format!("/setup/c/{POTTERY}/"))),
        "{url}"
    );
}

#[tokio::test]
async fn account_links_are_checked() {
    let h = start().await;
    let update = h
        .post(
            "/v1/account_links",
            &format!("account={LUMEN}&type=account_update"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(
        update.status, 400,
        "Express accounts get onboarding links only"
    );
    assert_eq!(update.error()["param"], "type");
    let unknown = h
        .post(
            "/v1/account_links",
            "account=acct_1Nope000000000000&type=account_onboarding",
            h.secret_for(None),
        )
        .await;
    assert_eq!(
        unknown.error_summary(),
        (
            400,
            "invalid_request_error",
            Some("resource_missing"),
            Some("account")
        )
    );
    let missing = h
        .post(
            "/v1/account_links",
            "type=account_onboarding",
            h.secret_for(None),
        )
        .await;
    assert_eq!(missing.error()["code"], "parameter_missing");
    let bad_url = h
        .post(
            "/v1/account_links",
            &format!("account={POTTERY}&type=account_onboarding&return_url=nope"),
            h.secret_for(None),
        )
        .await;
    assert_eq!(bad_url.error()["param"], "return_url");
}

#[tokio::test]
async fn a_link_works_once_then_sends_to_refresh_url() {
    let h = start().await;
    let link = make_link(&h, POTTERY, "account_onboarding").await;
    let url = link["url"].as_str().unwrap();
    let page = open(&h, url).await;
    assert!(page.contains("/setup/s/obs_"), "{page}");
    let again = browser().get(url).send().await.unwrap();
    assert_eq!(again.status(), 302);
    assert_eq!(location(&again), REFRESH);
}

#[tokio::test]
async fn a_stale_link_sends_to_refresh_url() {
    let h = start().await;
    let link = make_link(&h, POTTERY, "account_onboarding").await;
    h.admin_post("/_sandbox/clock", json!({"advance_seconds": 301}))
        .await;
    let stale = browser()
        .get(link["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 302);
    assert_eq!(location(&stale), REFRESH);
}

#[tokio::test]
async fn onboarding_page_is_a_labelled_form_prefilled_with_test_data() {
    let h = start().await;
    let link = make_link(&h, POTTERY, "account_onboarding").await;
    let page = open(&h, link["url"].as_str().unwrap()).await;
    let response = h.http.get(&page).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Set up payments for Fresh Pottery Studio"));
    for (id, value) in [
        ("dob", "1901-01-01"),
        ("line1", "address_full_match"),
        ("ssn_last_4", "0000"),
        ("routing_number", "110000000"),
        ("account_number", "000123456789"),
    ] {
        assert!(html.contains(&format!("<label for=\"{id}\">")), "{id}");
        assert!(
            html.contains(&format!("name=\"{id}\""))
                && html.contains(&format!("value=\"{value}\"")),
            "{id}={value}"
        );
    }
    assert!(html.contains(">Agree and submit</button>"));
    assert!(html.contains(">Save and finish later</button>"));
    // What is still due is listed.
    assert!(html.contains("<code>external_account</code>"));
}

#[tokio::test]
async fn submitting_onboarding_enables_the_seller_and_returns() {
    let h = start().await;
    let link = make_link(&h, POTTERY, "account_onboarding").await;
    let page = open(&h, link["url"].as_str().unwrap()).await;
    let done = post_form(&page, "action=submit").await;
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), RETURN);
    let a = account(&h, POTTERY).await;
    assert_eq!(a["charges_enabled"], true, "{a}");
    assert_eq!(a["payouts_enabled"], true);
    assert_eq!(a["details_submitted"], true);
    assert_eq!(a["requirements"]["currently_due"], json!([]));
    assert_eq!(a["capabilities"]["card_payments"], "active");
    assert!(a["tos_acceptance"]["date"].is_i64());
    let events = h
        .get(
            "/v1/events",
            "type=account.updated",
            h.secret_for(Some(POTTERY)),
        )
        .await;
    let event = &events.body["data"][0];
    assert_eq!(event["account"], POTTERY);
    assert_eq!(
        event["request"]["id"],
        Value::Null,
        "made by the hosted page"
    );
    assert_eq!(
        event["data"]["previous_attributes"]["charges_enabled"],
        false
    );
    // The page is single-use too: a finished session cannot be posted twice into another
    // account state, but it may be shown again.
    assert_eq!(h.http.get(&page).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn leaving_onboarding_for_later_keeps_the_seller_disabled() {
    let h = start().await;
    let link = make_link(&h, POTTERY, "account_onboarding").await;
    let page = open(&h, link["url"].as_str().unwrap()).await;
    let later = post_form(
        &page,
        "action=later&business_type=individual&first_name=Mina&last_name=Ito",
    )
    .await;
    assert_eq!(later.status(), 303);
    let a = account(&h, POTTERY).await;
    assert_eq!(a["charges_enabled"], false);
    assert_eq!(a["details_submitted"], false);
    let due: Vec<&str> = a["requirements"]["currently_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!due.contains(&"individual.first_name"), "{due:?}");
    assert!(due.contains(&"external_account"), "{due:?}");
    assert!(due.contains(&"tos_acceptance.date"), "{due:?}");
}

#[tokio::test]
async fn a_failing_value_on_the_form_leaves_a_requirement_error() {
    let h = start().await;
    let link = make_link(&h, POTTERY, "account_onboarding").await;
    let page = open(&h, link["url"].as_str().unwrap()).await;
    let done = post_form(
        &page,
        "action=submit&accept_tos=on&business_type=individual&dob=1990-05-05",
    )
    .await;
    assert_eq!(done.status(), 303);
    let a = account(&h, POTTERY).await;
    assert_eq!(a["charges_enabled"], false);
    assert_eq!(
        a["requirements"]["errors"][0]["code"],
        "verification_failed_keyed_identity"
    );
    // Without accepting the terms the form answers with an error.
    let second = make_link(&h, POTTERY, "account_onboarding").await;
    let page = open(&h, second["url"].as_str().unwrap()).await;
    let refused = post_form(&page, "action=submit&first_name=Mina").await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("role=\"alert\""));
}

#[tokio::test]
async fn login_links_open_the_express_dashboard() {
    let h = start().await;
    // A payment so the dashboard has something to show.
    h.post(
        "/v1/payment_intents",
        "amount=1500&currency=usd&payment_method=pm_card_visa&confirm=true&payment_method_types[]=card&description=Two%20bags",
        h.secret_for(Some(LUMEN)),
    )
    .await;
    let reply = h
        .post(
            &format!("/v1/accounts/{LUMEN}/login_links"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["object"], "login_link");
    assert!(reply.body["created"].is_i64());
    let url = reply.body["url"].as_str().unwrap();
    let page = h.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Lumen Coffee Roasters"));
    assert!(html.contains("$15.00 usd"));
    assert!(html.contains("Two bags"));
    assert!(html.contains("Pending"));

    let not_done = h
        .post(
            &format!("/v1/accounts/{POTTERY}/login_links"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(not_done.status, 400);
    let custom = h
        .post(
            "/v1/accounts",
            "type=custom&capabilities[transfers][requested]=true",
            h.secret_for(None),
        )
        .await;
    let custom_id = custom.body["id"].as_str().unwrap();
    let refused = h
        .post(
            &format!("/v1/accounts/{custom_id}/login_links"),
            "",
            h.secret_for(None),
        )
        .await;
    assert_eq!(refused.status, 400);
    let expired = h.http.get(h.url("/express/nope")).send().await.unwrap();
    assert_eq!(expired.status(), 404);
    // Kyoto has no payments: the page says so.
    let kyoto = h
        .post(
            &format!("/v1/accounts/{KYOTO}/login_links"),
            "",
            h.secret_for(None),
        )
        .await;
    let html = h
        .http
        .get(kyoto.body["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("No payments yet."));
}
