//! The sandbox's answers against Stripe's published OpenAPI description
//! (https://github.com/stripe/openapi, API 2026-01-28.clover): every object the sandbox serves
//! is checked against the component schema of its `object` type.
//!
//! Where the description comes from: the `stripe-sdk` 0.3.0 crate ships a copy at
//! `spec/openapi.spec3.json` (4.3 MB). It is a dev-dependency under `cfg(any())` (see
//! Cargo.toml: never compiled, but in Cargo.lock with its checksum), so `cargo metadata`, which
//! this test runs, downloads and unpacks it like any locked package and names its directory.
//! Nothing large is vendored into the repository. `STRIPE_OPENAPI_SPEC=/path/to/spec.json`
//! points the test at another copy.
//!
//! The validator is our own, some 100 lines for the OpenAPI 3.0 keywords Stripe's description
//! uses in responses: `$ref`, `type`, `properties`, `required`, `nullable`, `anyOf`/`oneOf`,
//! `enum`, `items`, `additionalProperties`. The `jsonschema` crate targets JSON Schema drafts,
//! where `nullable` means nothing, so every nullable field would have to be rewritten first,
//! and it brings a large dependency tree for one test. One rule is stricter than OpenAPI's
//! default: a field an object's schema does not list is an error (Stripe's description lists
//! every field Stripe sends and sets no `additionalProperties` on its objects), so that a field
//! Stripe no longer sends is caught. String lengths and formats are not checked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::{As, LUMEN, start};
use serde_json::{Map, Value};

/// Where the spec is: `STRIPE_OPENAPI_SPEC`, or the `stripe-sdk` package `cargo metadata` names.
fn spec_path() -> PathBuf {
    if let Some(path) = std::env::var_os("STRIPE_OPENAPI_SPEC") {
        return PathBuf::from(path);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let output = std::process::Command::new(env!("CARGO"))
        // `--locked`: a test must never rewrite Cargo.lock.
        .args([
            "metadata",
            "--locked",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(&workspace)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed (it fetches stripe-sdk 0.3.0, which holds Stripe's OpenAPI \
         description; set STRIPE_OPENAPI_SPEC to a copy to run offline): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "stripe-sdk" && p["version"] == "0.3.0")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("stripe-sdk 0.3.0 is in Cargo.lock (crates/sandbox/Cargo.toml)");
    PathBuf::from(manifest)
        .parent()
        .unwrap()
        .join("spec/openapi.spec3.json")
}

struct Spec {
    schemas: Map<String, Value>,
}

impl Spec {
    fn load() -> Self {
        let path = spec_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let mut spec: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            spec["info"]["version"], "2026-01-28.clover",
            "the pinned description"
        );
        let Value::Object(schemas) = spec["components"]["schemas"].take() else {
            panic!("no components.schemas in {}", path.display());
        };
        Self { schemas }
    }

    /// The errors of `value` against component schema `name`, each with its JSON path.
    fn errors(&self, name: &str, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        match self.schemas.get(name) {
            Some(schema) => self.check(schema, value, name, &mut errors),
            None => errors.push(format!("{name}: no such schema in the description")),
        }
        errors
    }

    fn check(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
        if let Some(reference) = schema["$ref"].as_str() {
            match reference
                .strip_prefix("#/components/schemas/")
                .and_then(|name| self.schemas.get(name))
            {
                Some(target) => self.check(target, value, path, errors),
                None => errors.push(format!("{path}: unresolved $ref {reference}")),
            }
            return;
        }
        if value.is_null() {
            if schema["nullable"] != true {
                errors.push(format!("{path}: null, but the field is not nullable"));
            }
            return;
        }
        let branches = schema["anyOf"].as_array().or(schema["oneOf"].as_array());
        if let Some(branches) = branches {
            let mut best: Option<Vec<String>> = None;
            for branch in branches {
                let mut found = Vec::new();
                self.check(branch, value, path, &mut found);
                if found.is_empty() {
                    return;
                }
                if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                    best = Some(found);
                }
            }
            errors.extend(best.unwrap_or_default());
            return;
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            errors.push(format!("{path}: {value} is not one of {allowed:?}"));
        }
        let fits = match schema["type"].as_str() {
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            Some("array") => value.is_array(),
            Some("object") => value.is_object(),
            _ => true,
        };
        if !fits {
            errors.push(format!("{path}: {value} is not of type {}", schema["type"]));
            return;
        }
        if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
            for (i, item) in values.iter().enumerate() {
                self.check(items, item, &format!("{path}[{i}]"), errors);
            }
        }
        let Some(object) = value.as_object() else {
            return;
        };
        for required in schema["required"].as_array().into_iter().flatten() {
            if let Some(field) = required.as_str()
                && !object.contains_key(field)
            {
                errors.push(format!("{path}.{field}: required, missing"));
            }
        }
        let properties = schema["properties"].as_object();
        let additional = schema.get("additionalProperties");
        for (key, field) in object {
            let here = format!("{path}.{key}");
            match (properties.and_then(|p| p.get(key)), additional) {
                (Some(sub), _) => self.check(sub, field, &here, errors),
                (None, Some(Value::Bool(true))) => {}
                (None, Some(sub @ Value::Object(_))) => self.check(sub, field, &here, errors),
                // A free-form object (`type: object` and nothing else) takes anything.
                (None, None) if properties.is_none() => {}
                (None, _) => errors.push(format!("{here}: not in Stripe's description")),
            }
        }
    }
}

/// Collects every answer's errors, so that one run lists all that is wrong.
struct Conformance {
    spec: Spec,
    errors: Vec<String>,
    checked: Vec<String>,
}

impl Conformance {
    /// Checks `value` against the schema its `object` names (`application_fee`,
    /// `transfer_reversal`, …), or against `schema` when given.
    fn object(&mut self, what: &str, value: &Value) {
        let name = value["object"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no `object` in {value}"));
        self.named(what, name, value);
    }

    fn named(&mut self, what: &str, schema: &str, value: &Value) {
        for error in self.spec.errors(schema, value) {
            self.errors.push(format!("{what}: {error}"));
        }
        self.checked.push(format!("{what} ({schema})"));
    }

    /// A list: the envelope's fields, then each item against its own schema.
    fn list(&mut self, what: &str, value: &Value) {
        assert_eq!(value["object"], "list", "{what}: {value}");
        for field in ["data", "has_more", "url"] {
            if value.get(field).is_none() {
                self.errors.push(format!("{what}: list without `{field}`"));
            }
        }
        for (i, item) in value["data"].as_array().unwrap().iter().enumerate() {
            self.object(&format!("{what}[{i}]"), item);
        }
    }

    /// An event, and the object it carries against that object's schema.
    fn event(&mut self, what: &str, event: &Value) {
        self.object(what, event);
        let kind = event["type"].as_str().unwrap_or("?");
        self.object(
            &format!("{what} {kind} data.object"),
            &event["data"]["object"],
        );
    }
}

async fn ok(reply: common::Reply, what: &str) -> Value {
    assert_eq!(reply.status, 200, "{what}: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn every_object_the_sandbox_serves_conforms_to_stripes_openapi_description() {
    let mut c = Conformance {
        spec: Spec::load(),
        errors: Vec::new(),
        checked: Vec::new(),
    };
    let h = start().await;
    let platform = h.secret_for(None);
    let seller = h.secret_for(Some(LUMEN));

    // Accounts: a new one with an individual, a seeded one, their capabilities.
    let account = ok(
        h.post(
            "/v1/accounts",
            "type=custom&country=US&email=jenny%40example.com&capabilities[card_payments][requested]=true&capabilities[transfers][requested]=true&business_type=individual&individual[first_name]=Jenny&individual[last_name]=Rosen&individual[dob][day]=1&individual[dob][month]=1&individual[dob][year]=1901&business_profile[url]=https%3A%2F%2Fpottery.example&metadata[shop]=7",
            platform.clone(),
        )
        .await,
        "POST /v1/accounts",
    )
    .await;
    c.object("POST /v1/accounts", &account);
    let id = account["id"].as_str().unwrap();
    let lumen = ok(
        h.get(&format!("/v1/accounts/{LUMEN}"), "", platform.clone())
            .await,
        "GET /v1/accounts/{id}",
    )
    .await;
    c.object("GET /v1/accounts/{id}", &lumen);
    let own = ok(
        h.get("/v1/account", "", platform.clone()).await,
        "GET /v1/account",
    )
    .await;
    c.object("GET /v1/account", &own);
    let capabilities = ok(
        h.get(
            &format!("/v1/accounts/{id}/capabilities"),
            "",
            platform.clone(),
        )
        .await,
        "capabilities",
    )
    .await;
    c.list("GET /v1/accounts/{id}/capabilities", &capabilities);
    let link = ok(
        h.post(
            "/v1/account_links",
            &format!("account={id}&type=account_onboarding&refresh_url=https%3A%2F%2Fp.example%2Fr&return_url=https%3A%2F%2Fp.example%2Fdone"),
            platform.clone(),
        )
        .await,
        "account link",
    )
    .await;
    c.object("POST /v1/account_links", &link);
    let login = ok(
        h.post(
            &format!("/v1/accounts/{LUMEN}/login_links"),
            "",
            platform.clone(),
        )
        .await,
        "login link",
    )
    .await;
    c.object("POST /v1/accounts/{id}/login_links", &login);
    let token = ok(
        h.post(
            "/v1/tokens",
            &format!(
                "bank_account[country]=US&bank_account[currency]=usd&bank_account[account_holder_name]=Jenny%20Rosen&bank_account[account_holder_type]=individual&bank_account[routing_number]=110000000&bank_account[account_number]=000123456789&key={}",
                h.pk()
            ),
            As::default(),
        )
        .await,
        "token",
    )
    .await;
    c.object("POST /v1/tokens (bank_account)", &token);

    // Catalog on the seller's account.
    let product = ok(
        h.post(
            "/v1/products",
            "name=Stoneware%20Mug&description=Glazed&default_price_data[currency]=usd&default_price_data[unit_amount]=2000",
            seller.clone(),
        )
        .await,
        "product",
    )
    .await;
    c.object("POST /v1/products", &product);
    let price = ok(
        h.post(
            "/v1/prices",
            &format!(
                "product={}&currency=usd&unit_amount=1500",
                product["id"].as_str().unwrap()
            ),
            seller.clone(),
        )
        .await,
        "price",
    )
    .await;
    c.object("POST /v1/prices", &price);

    // A PaymentMethod as Stripe.js makes it.
    let pm = h.card_payment_method("4242424242424242", LUMEN).await;
    let pm = ok(
        h.get(&format!("/v1/payment_methods/{pm}"), "", seller.clone())
            .await,
        "payment method",
    )
    .await;
    c.object("GET /v1/payment_methods/{id}", &pm);

    // Separate charges and transfers on the platform, and a destination charge with a fee.
    let separate = ok(
        h.post(
            "/v1/payment_intents",
            "amount=5000&currency=usd&confirm=true&payment_method_types[]=card&payment_method=pm_card_bypassPending&transfer_group=ORDER_1&metadata[order]=1",
            platform.clone(),
        )
        .await,
        "payment intent",
    )
    .await;
    c.object("POST /v1/payment_intents (confirmed)", &separate);
    let destination = ok(
        h.post(
            "/v1/payment_intents",
            &format!("amount=3000&currency=usd&confirm=true&payment_method_types[]=card&payment_method=pm_card_visa&application_fee_amount=300&transfer_data[destination]={LUMEN}"),
            platform.clone(),
        )
        .await,
        "destination payment intent",
    )
    .await;
    c.object("POST /v1/payment_intents (destination)", &destination);
    let unconfirmed = ok(
        h.post(
            "/v1/payment_intents",
            "amount=1000&currency=usd&automatic_payment_methods[enabled]=true",
            seller.clone(),
        )
        .await,
        "unconfirmed payment intent",
    )
    .await;
    c.object(
        "POST /v1/payment_intents (direct, unconfirmed)",
        &unconfirmed,
    );
    let ch = separate["latest_charge"].as_str().unwrap();
    let charge = ok(
        h.get(&format!("/v1/charges/{ch}"), "", platform.clone())
            .await,
        "charge",
    )
    .await;
    c.object("GET /v1/charges/{id}", &charge);
    let dch = destination["latest_charge"].as_str().unwrap();
    let dcharge = ok(
        h.get(&format!("/v1/charges/{dch}"), "", platform.clone())
            .await,
        "destination charge",
    )
    .await;
    c.object("GET /v1/charges/{id} (destination)", &dcharge);
    let fees = ok(
        h.get("/v1/application_fees", "", platform.clone()).await,
        "fees",
    )
    .await;
    c.list("GET /v1/application_fees", &fees);
    let refund = ok(
        h.post(
            "/v1/refunds",
            &format!("charge={dch}&amount=1000&reverse_transfer=true&refund_application_fee=true"),
            platform.clone(),
        )
        .await,
        "refund",
    )
    .await;
    c.object("POST /v1/refunds", &refund);

    let transfer = ok(
        h.post(
            "/v1/transfers",
            &format!("amount=2000&currency=usd&destination={LUMEN}&source_transaction={ch}&transfer_group=ORDER_1"),
            platform.clone(),
        )
        .await,
        "transfer",
    )
    .await;
    c.object("POST /v1/transfers", &transfer);
    let tr = transfer["id"].as_str().unwrap();
    let reversal = ok(
        h.post(
            &format!("/v1/transfers/{tr}/reversals"),
            "amount=500&metadata[line]=2",
            platform.clone(),
        )
        .await,
        "reversal",
    )
    .await;
    c.object("POST /v1/transfers/{id}/reversals", &reversal);
    let transfers = ok(
        h.get("/v1/transfers", "transfer_group=ORDER_1", platform.clone())
            .await,
        "transfers",
    )
    .await;
    c.list("GET /v1/transfers", &transfers);
    let py = transfer["destination_payment"].as_str().unwrap();
    let payment = ok(
        h.get(&format!("/v1/charges/{py}"), "", seller.clone())
            .await,
        "destination payment",
    )
    .await;
    c.object("GET /v1/charges/{py_…} (on the seller)", &payment);

    for (what, who) in [("platform", platform.clone()), ("seller", seller.clone())] {
        let balance = ok(h.get("/v1/balance", "", who.clone()).await, "balance").await;
        c.object(&format!("GET /v1/balance ({what})"), &balance);
        let transactions = ok(
            h.get("/v1/balance_transactions", "limit=100", who).await,
            "balance transactions",
        )
        .await;
        c.list(
            &format!("GET /v1/balance_transactions ({what})"),
            &transactions,
        );
    }

    let endpoint = ok(
        h.post(
            "/v1/webhook_endpoints",
            "url=https%3A%2F%2Fplatform.example%2Fhooks&enabled_events[]=transfer.created&enabled_events[]=transfer.reversed&description=Transfers",
            platform.clone(),
        )
        .await,
        "webhook endpoint",
    )
    .await;
    c.object("POST /v1/webhook_endpoints", &endpoint);

    // Every event so far, on both sides, with the object it carries.
    for (what, who) in [("platform", platform), ("seller", seller)] {
        let events = ok(h.get("/v1/events", "limit=100", who).await, "events").await;
        for (i, event) in events["data"].as_array().unwrap().iter().enumerate() {
            c.event(&format!("GET /v1/events ({what}) [{i}]"), event);
        }
    }

    let types: std::collections::BTreeSet<&str> = c
        .checked
        .iter()
        .filter_map(|w| w.rsplit_once('(').map(|(_, t)| t.trim_end_matches(')')))
        .collect();
    for expected in [
        "account",
        "account_link",
        "application_fee",
        "balance",
        "balance_transaction",
        "capability",
        "charge",
        "event",
        "login_link",
        "payment_intent",
        "payment_method",
        "price",
        "product",
        "refund",
        "token",
        "transfer",
        "transfer_reversal",
        "webhook_endpoint",
    ] {
        assert!(
            types.contains(expected),
            "{expected} was not checked: {types:?}"
        );
    }
    assert!(
        c.errors.is_empty(),
        "{} answers differ from Stripe's OpenAPI description:\n{}",
        c.errors.len(),
        c.errors.join("\n")
    );
}

/// The states and variants the first test does not reach: declines, 3-D Secure, manual
/// capture, cancellation, accounts of every kind and with requirements due, deletions, lists.
#[tokio::test]
async fn other_states_conform_too() {
    let mut c = Conformance {
        spec: Spec::load(),
        errors: Vec::new(),
        checked: Vec::new(),
    };
    let h = start().await;
    let platform = h.secret_for(None);
    let pi_form = "currency=usd&payment_method_types[]=card&amount=2000";

    let declined = h
        .post(
            "/v1/payment_intents",
            &format!(
                "{pi_form}&confirm=true&payment_method=pm_card_chargeDeclinedInsufficientFunds"
            ),
            platform.clone(),
        )
        .await;
    assert_eq!(declined.status, 402, "{}", declined.body);
    c.named("402 card_declined", "error", &declined.body);
    let missing = h.post("/v1/transfers", "amount=5", platform.clone()).await;
    assert_eq!(missing.status, 400);
    c.named("400 parameter_missing", "error", &missing.body);
    let unknown = h.get("/v1/transfers/tr_nope", "", platform.clone()).await;
    assert_eq!(unknown.status, 404);
    c.named("404 resource_missing", "error", &unknown.body);
    let pi = declined.error()["payment_intent"].clone();
    c.object("402 decline's payment_intent", &pi);
    let failed = declined.error()["charge"].as_str().unwrap();
    let charge = ok(
        h.get(&format!("/v1/charges/{failed}"), "", platform.clone())
            .await,
        "failed charge",
    )
    .await;
    c.object("GET /v1/charges/{id} (failed)", &charge);

    for (what, extra) in [
        ("3-D Secure, Stripe.js", "&use_stripe_sdk=true"),
        (
            "3-D Secure, redirect",
            "&return_url=https%3A%2F%2Fshop.example%2Fdone",
        ),
    ] {
        let pi = ok(
            h.post(
                "/v1/payment_intents",
                &format!(
                    "{pi_form}&confirm=true&payment_method=pm_card_threeDSecure2Required{extra}"
                ),
                platform.clone(),
            )
            .await,
            what,
        )
        .await;
        assert_eq!(pi["status"], "requires_action", "{pi}");
        c.object(&format!("POST /v1/payment_intents ({what})"), &pi);
    }

    let manual = ok(
        h.post(
            "/v1/payment_intents",
            &format!("{pi_form}&confirm=true&payment_method=pm_card_visa&capture_method=manual"),
            platform.clone(),
        )
        .await,
        "manual",
    )
    .await;
    c.object("POST /v1/payment_intents (requires_capture)", &manual);
    let id = manual["id"].as_str().unwrap();
    let uncaptured = manual["latest_charge"].as_str().unwrap();
    let charge = ok(
        h.get(&format!("/v1/charges/{uncaptured}"), "", platform.clone())
            .await,
        "uncaptured",
    )
    .await;
    c.object("GET /v1/charges/{id} (uncaptured)", &charge);
    let captured = ok(
        h.post(
            &format!("/v1/payment_intents/{id}/capture"),
            "amount_to_capture=1500",
            platform.clone(),
        )
        .await,
        "capture",
    )
    .await;
    c.object("POST /v1/payment_intents/{id}/capture", &captured);
    let open = ok(
        h.post("/v1/payment_intents", pi_form, platform.clone())
            .await,
        "open",
    )
    .await;
    let canceled = ok(
        h.post(
            &format!(
                "/v1/payment_intents/{}/cancel",
                open["id"].as_str().unwrap()
            ),
            "cancellation_reason=abandoned",
            platform.clone(),
        )
        .await,
        "cancel",
    )
    .await;
    c.object("POST /v1/payment_intents/{id}/cancel", &canceled);

    for (what, form) in [
        ("express", "type=express"),
        ("standard", "type=standard&country=US"),
        (
            "controller properties",
            "controller[fees][payer]=application&controller[losses][payments]=application&controller[stripe_dashboard][type]=none&controller[requirement_collection]=application&capabilities[transfers][requested]=true",
        ),
        (
            "company",
            "type=custom&business_type=company&company[name]=Pottery%20Inc&capabilities[transfers][requested]=true",
        ),
    ] {
        let account = ok(h.post("/v1/accounts", form, platform.clone()).await, what).await;
        c.object(&format!("POST /v1/accounts ({what})"), &account);
    }
    let accounts = ok(
        h.get("/v1/accounts", "limit=100", platform.clone()).await,
        "accounts",
    )
    .await;
    c.list("GET /v1/accounts", &accounts);
    let doomed = accounts["data"][0]["id"].as_str().unwrap();
    let deleted = h
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/accounts/{doomed}"),
            "",
            platform.clone(),
        )
        .await;
    c.named(
        "DELETE /v1/accounts/{id}",
        "deleted_account",
        &ok(deleted, "delete").await,
    );

    let account_token = ok(
        h.post(
            "/v1/tokens",
            &format!(
                "account[business_type]=individual&account[individual][first_name]=Jenny&account[tos_shown_and_accepted]=true&key={}",
                h.pk()
            ),
            As::default(),
        )
        .await,
        "account token",
    )
    .await;
    c.object("POST /v1/tokens (account)", &account_token);

    let endpoint = ok(
        h.post(
            "/v1/webhook_endpoints",
            "url=https%3A%2F%2Fplatform.example%2Fhooks&enabled_events[]=*&connect=true",
            platform.clone(),
        )
        .await,
        "endpoint",
    )
    .await;
    let we = endpoint["id"].as_str().unwrap();
    let endpoints = ok(
        h.get("/v1/webhook_endpoints", "", platform.clone()).await,
        "endpoints",
    )
    .await;
    c.list("GET /v1/webhook_endpoints", &endpoints);
    let gone = h
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/webhook_endpoints/{we}"),
            "",
            platform.clone(),
        )
        .await;
    c.named(
        "DELETE /v1/webhook_endpoints/{id}",
        "deleted_webhook_endpoint",
        &ok(gone, "delete endpoint").await,
    );

    for (what, path, query) in [
        (
            "GET /v1/payment_intents",
            "/v1/payment_intents",
            "limit=100",
        ),
        ("GET /v1/charges", "/v1/charges", "limit=100"),
        ("GET /v1/refunds", "/v1/refunds", ""),
        (
            "GET /v1/prices (expanded)",
            "/v1/prices",
            "expand[]=data.product",
        ),
        ("GET /v1/products", "/v1/products", ""),
    ] {
        for who in [h.secret_for(None), h.secret_for(Some(LUMEN))] {
            let list = ok(h.get(path, query, who).await, what).await;
            c.list(what, &list);
        }
    }
    let events = ok(h.get("/v1/events", "limit=100", platform).await, "events").await;
    for (i, event) in events["data"].as_array().unwrap().iter().enumerate() {
        c.event(&format!("GET /v1/events [{i}]"), event);
    }
    assert!(
        c.errors.is_empty(),
        "{} answers differ from Stripe's OpenAPI description:\n{}",
        c.errors.len(),
        c.errors.join("\n")
    );
}

#[test]
fn the_validator_catches_what_it_should() {
    let spec = Spec::load();
    let transfer_data = serde_json::json!({ "destination": "acct_1", "amount": null });
    assert_eq!(
        spec.errors("transfer_data", &transfer_data),
        ["transfer_data.amount: null, but the field is not nullable"]
    );
    let extra = serde_json::json!({ "destination": "acct_1", "source": null });
    assert_eq!(
        spec.errors("transfer_data", &extra),
        ["transfer_data.source: not in Stripe's description"]
    );
    let missing = serde_json::json!({});
    assert_eq!(
        spec.errors("transfer_data", &missing),
        ["transfer_data.destination: required, missing"]
    );
    // An expandable field takes an id or the object; an enum only its values.
    let link =
        serde_json::json!({ "object": "account_link", "created": 1, "expires_at": 2, "url": "u" });
    assert!(spec.errors("account_link", &link).is_empty());
    let wrong =
        serde_json::json!({ "object": "accountlink", "created": "1", "expires_at": 2, "url": "u" });
    assert_eq!(spec.errors("account_link", &wrong).len(), 2);
}
