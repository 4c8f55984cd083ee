//! What the sandbox holds when it starts or is reset: the platform's keys, its connected
//! accounts in different states, and their products and prices. [`Seed::default`] is the
//! built-in seed the rest of the project relies on; its ids are fixed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::webhooks::WebhookSettings;

/// The built-in platform secret key (test mode). Test keys of an offline sandbox are not
/// secrets, but they are still never printed whole.
pub const PLATFORM_SECRET_KEY: &str = "sk_test_51SandboxPlatform000000000000000000000000";
/// The built-in platform publishable key.
pub const PLATFORM_PUBLISHABLE_KEY: &str = "pk_test_51SandboxPlatform000000000000000000000000";
/// The platform's own account id (what `GET /v1/account` returns).
pub const PLATFORM_ACCOUNT_ID: &str = "acct_1SandboxPlatform";

/// The signing secret of the webhook endpoints [`Seed::with_local_webhooks`] adds. Fixed so a
/// local function can be configured before the sandbox starts; `GET /_sandbox/keys` also
/// shows it as `webhook_secret`.
pub const LOCAL_WEBHOOK_SECRET: &str = "whsec_sandboxLocalWebhook0000";

/// 2026-01-01T00:00:00Z; seeded objects are dated from here so lists have a stable order.
const SEED_EPOCH: i64 = 1_767_225_600;

/// Everything the sandbox starts with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub platform: SeedPlatform,
    /// Connected accounts of the platform.
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
    /// Webhook endpoints that exist from the start, with fixed secrets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhook_endpoints: Vec<SeedWebhookEndpoint>,
    /// How deliveries are retried; Stripe-like hours by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_settings: Option<WebhookSettings>,
}

/// A webhook endpoint of the seed. Unlike Stripe, which makes up each endpoint's secret, a
/// seed names it, so the receiving function can be configured in advance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedWebhookEndpoint {
    /// `we_…`.
    pub id: String,
    pub url: String,
    /// `whsec_…`.
    pub secret: String,
    /// Event types, or `["*"]` (the default) for all.
    #[serde(default = "all_events")]
    pub enabled_events: Vec<String>,
    /// `true`: events of connected accounts; `false`: the platform's own events.
    #[serde(default)]
    pub connect: bool,
    /// The version events are rendered with; the sandbox's default if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn all_events() -> Vec<String> {
    vec!["*".to_owned()]
}

/// The platform account and its keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPlatform {
    pub account_id: String,
    pub business_name: String,
    pub country: String,
    pub default_currency: String,
    /// `sk_test_…`: live keys are refused, the sandbox is test mode only.
    pub secret_key: String,
    /// `pk_test_…`.
    pub publishable_key: String,
    /// Products sold by the platform itself (destination charges).
    #[serde(default)]
    pub products: Vec<SeedProduct>,
}

/// `type` of a connected account (the legacy name for a set of controller properties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Express,
    Standard,
    Custom,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Express => "express",
            Self::Standard => "standard",
            Self::Custom => "custom",
        }
    }
}

/// One connected account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// `acct_` and 16 characters.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AccountType,
    pub business_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_url: Option<String>,
    pub country: String,
    pub default_currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    /// `card_payments`, `transfers`… → `active`, `inactive` or `pending`.
    #[serde(default)]
    pub capabilities: BTreeMap<String, String>,
    #[serde(default)]
    pub requirements: SeedRequirements,
    #[serde(default)]
    pub products: Vec<SeedProduct>,
    /// Unix seconds; omitted means "seeded in file order".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
}

/// What the account still has to provide (Stripe's `requirements` hash).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRequirements {
    #[serde(default)]
    pub currently_due: Vec<String>,
    #[serde(default)]
    pub eventually_due: Vec<String>,
    #[serde(default)]
    pub past_due: Vec<String>,
    #[serde(default)]
    pub pending_verification: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
}

/// A product and its prices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProduct {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    pub prices: Vec<SeedPrice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
}

/// A one-time price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPrice {
    pub id: String,
    /// Minor units of `currency` (yen for `jpy`).
    pub unit_amount: i64,
    pub currency: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Why a seed file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read the seed file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The file is not a seed in JSON.
    #[error("the seed file {path} is not valid: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    /// The seed parses but says something the sandbox cannot hold.
    #[error("the seed is not usable: {0}")]
    Invalid(String),
}

fn strs(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn active(names: &[&str]) -> BTreeMap<String, String> {
    names
        .iter()
        .map(|n| ((*n).to_owned(), "active".to_owned()))
        .collect()
}

/// A US seller in usd that can take charges and receive transfers, with one price per
/// product: `(product id, price id, name, description, unit amount in cents)`. Products are
/// dated after the account, later ones first in lists.
fn usd_seller(
    id: &str,
    name: &str,
    domain: &str,
    created: i64,
    products: &[(&str, &str, &str, &str, i64)],
) -> SeedAccount {
    SeedAccount {
        id: id.to_owned(),
        kind: AccountType::Express,
        business_name: name.to_owned(),
        business_url: Some(format!("https://{domain}.example")),
        country: "US".to_owned(),
        default_currency: "usd".to_owned(),
        email: Some(format!("hello@{domain}.example")),
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
        capabilities: active(&["card_payments", "transfers"]),
        requirements: SeedRequirements::default(),
        products: products
            .iter()
            .zip(1..)
            .map(
                |(&(product, price, name, description, unit_amount), n)| SeedProduct {
                    id: product.to_owned(),
                    name: name.to_owned(),
                    description: Some(description.to_owned()),
                    active: true,
                    prices: vec![SeedPrice {
                        id: price.to_owned(),
                        unit_amount,
                        currency: "usd".to_owned(),
                        active: true,
                    }],
                    created: Some(created + n),
                },
            )
            .collect(),
        created: Some(created),
    }
}

impl Default for Seed {
    /// The built-in seed: a platform and five sellers in different states (four can take
    /// charges, three of them in usd, so one cart can name several sellers).
    fn default() -> Self {
        let due = strs(&[
            "business_profile.url",
            "external_account",
            "individual.dob.day",
            "individual.dob.month",
            "individual.dob.year",
            "individual.first_name",
            "individual.last_name",
            "tos_acceptance.date",
            "tos_acceptance.ip",
        ]);
        Seed {
            platform: SeedPlatform {
                account_id: PLATFORM_ACCOUNT_ID.to_owned(),
                business_name: "Connect Checkout Sandbox Platform".to_owned(),
                country: "US".to_owned(),
                default_currency: "usd".to_owned(),
                secret_key: PLATFORM_SECRET_KEY.to_owned(),
                publishable_key: PLATFORM_PUBLISHABLE_KEY.to_owned(),
                products: Vec::new(),
            },
            accounts: vec![
                SeedAccount {
                    id: "acct_1NewSellerPend01".to_owned(),
                    kind: AccountType::Express,
                    business_name: "Fresh Pottery Studio".to_owned(),
                    business_url: None,
                    country: "US".to_owned(),
                    default_currency: "usd".to_owned(),
                    email: Some("studio@fresh-pottery.example".to_owned()),
                    charges_enabled: false,
                    payouts_enabled: false,
                    details_submitted: false,
                    capabilities: [("card_payments", "inactive"), ("transfers", "inactive")]
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect(),
                    requirements: SeedRequirements {
                        currently_due: due.clone(),
                        eventually_due: due.clone(),
                        past_due: due,
                        pending_verification: Vec::new(),
                        disabled_reason: Some("requirements.past_due".to_owned()),
                    },
                    products: Vec::new(),
                    created: Some(SEED_EPOCH + 100),
                },
                usd_seller(
                    "acct_1FernLoomTextile",
                    "Fern & Loom Textiles",
                    "fern-loom",
                    SEED_EPOCH + 140,
                    &[
                        (
                            "prod_FernTeaTowels",
                            "price_1FernTeaTowels001",
                            "Linen Tea Towels, set of 2",
                            "Stonewashed linen, woven in Portugal.",
                            1800,
                        ),
                        (
                            "prod_FernTableRunner",
                            "price_1FernTableRunner01",
                            "Table Runner",
                            "Indigo-dyed cotton, 180 cm.",
                            3400,
                        ),
                    ],
                ),
                usd_seller(
                    "acct_1HarborBakery001",
                    "Harbor Street Bakery",
                    "harbor-bakery",
                    SEED_EPOCH + 160,
                    &[
                        (
                            "prod_HarborGranola",
                            "price_1HarborGranola001",
                            "Maple Granola, 400 g",
                            "Oats, pecans and maple syrup, baked in small batches.",
                            950,
                        ),
                        (
                            "prod_HarborShortbread",
                            "price_1HarborShortbrd01",
                            "Shortbread Tin",
                            "Twelve butter shortbread fingers.",
                            1575,
                        ),
                        (
                            "prod_HarborJam",
                            "price_1HarborJam000001",
                            "Strawberry Jam, 250 g",
                            "Strawberries and sugar, nothing else.",
                            725,
                        ),
                    ],
                ),
                SeedAccount {
                    id: "acct_1KyotoTeaHouse01".to_owned(),
                    kind: AccountType::Express,
                    business_name: "Kyoto Tea House".to_owned(),
                    business_url: Some("https://kyoto-tea.example".to_owned()),
                    country: "JP".to_owned(),
                    default_currency: "jpy".to_owned(),
                    email: Some("shop@kyoto-tea.example".to_owned()),
                    charges_enabled: true,
                    payouts_enabled: true,
                    details_submitted: true,
                    capabilities: active(&["card_payments", "transfers"]),
                    requirements: SeedRequirements::default(),
                    products: vec![SeedProduct {
                        id: "prod_KyotoSencha100g".to_owned(),
                        name: "Sencha, 100 g".to_owned(),
                        description: Some("First-flush green tea from Uji.".to_owned()),
                        active: true,
                        prices: vec![SeedPrice {
                            id: "price_1KyotoSencha00001".to_owned(),
                            unit_amount: 1500,
                            currency: "jpy".to_owned(),
                            active: true,
                        }],
                        created: Some(SEED_EPOCH + 210),
                    }],
                    created: Some(SEED_EPOCH + 200),
                },
                SeedAccount {
                    id: "acct_1LumenCoffee0001".to_owned(),
                    kind: AccountType::Express,
                    business_name: "Lumen Coffee Roasters".to_owned(),
                    business_url: Some("https://lumen-coffee.example".to_owned()),
                    country: "US".to_owned(),
                    default_currency: "usd".to_owned(),
                    email: Some("hello@lumen-coffee.example".to_owned()),
                    charges_enabled: true,
                    payouts_enabled: true,
                    details_submitted: true,
                    capabilities: active(&["card_payments", "transfers"]),
                    requirements: SeedRequirements::default(),
                    products: vec![
                        // Lists are newest first: the House Blend is dated later so it leads.
                        SeedProduct {
                            id: "prod_LumenEspressoCups".to_owned(),
                            name: "Espresso Cups, set of 2".to_owned(),
                            description: Some(
                                "Hand-thrown stoneware, 90 ml, made for a double shot.".to_owned(),
                            ),
                            active: true,
                            prices: vec![SeedPrice {
                                id: "price_1LumenEspressoCup1".to_owned(),
                                unit_amount: 2450,
                                currency: "usd".to_owned(),
                                active: true,
                            }],
                            created: Some(SEED_EPOCH + 310),
                        },
                        SeedProduct {
                            id: "prod_LumenHouseBlend".to_owned(),
                            name: "House Blend, 250 g".to_owned(),
                            description: Some(
                                "Washed Colombian and Ethiopian beans, roasted weekly.".to_owned(),
                            ),
                            active: true,
                            prices: vec![SeedPrice {
                                id: "price_1LumenHouseBlend01".to_owned(),
                                unit_amount: 1200,
                                currency: "usd".to_owned(),
                                active: true,
                            }],
                            created: Some(SEED_EPOCH + 320),
                        },
                    ],
                    created: Some(SEED_EPOCH + 300),
                },
            ],
            webhook_endpoints: Vec::new(),
            webhook_settings: None,
        }
    }
}

impl Seed {
    /// Adds the two endpoints a local function needs to hear about every payment: one for the
    /// platform's own events (destination charges) and one for its connected accounts' events
    /// (direct charges, `account.updated`), both posting to `url` and signed with
    /// [`LOCAL_WEBHOOK_SECRET`].
    pub fn with_local_webhooks(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        for (id, connect, description) in [
            (
                "we_1SandboxLocalAccount",
                false,
                "Local function: platform events",
            ),
            (
                "we_1SandboxLocalConnect",
                true,
                "Local function: connected-account events",
            ),
        ] {
            self.webhook_endpoints.retain(|e| e.id != id);
            self.webhook_endpoints.push(SeedWebhookEndpoint {
                id: id.to_owned(),
                url: url.clone(),
                secret: LOCAL_WEBHOOK_SECRET.to_owned(),
                enabled_events: all_events(),
                connect,
                api_version: None,
                description: Some(description.to_owned()),
            });
        }
        self
    }

    /// Reads a seed written as JSON (the shape `stripe-sandbox --print-seed` prints).
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self, SeedError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Io {
            path: shown.clone(),
            source,
        })?;
        let seed: Seed = serde_json::from_str(&text).map_err(|source| SeedError::Json {
            path: shown,
            source,
        })?;
        seed.validate()?;
        Ok(seed)
    }

    /// The seed as pretty JSON, to start a seed file from.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks what serde cannot: key and id prefixes, unique ids, currencies, amounts.
    pub fn validate(&self) -> Result<(), SeedError> {
        let bad = |msg: String| Err(SeedError::Invalid(msg));
        let p = &self.platform;
        if !p.secret_key.starts_with("sk_test_") {
            return bad(
                "platform.secret_key must start with `sk_test_`: the sandbox is test mode only"
                    .into(),
            );
        }
        if !p.publishable_key.starts_with("pk_test_") {
            return bad("platform.publishable_key must start with `pk_test_`".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        let mut unique = |id: &str, prefix: &str| -> Result<(), SeedError> {
            if !id.starts_with(prefix) || id.len() <= prefix.len() {
                return Err(SeedError::Invalid(format!(
                    "`{id}` must start with `{prefix}`"
                )));
            }
            if !ids.insert(id.to_owned()) {
                return Err(SeedError::Invalid(format!("`{id}` is used twice")));
            }
            Ok(())
        };
        unique(&p.account_id, "acct_")?;
        let products = p
            .products
            .iter()
            .chain(self.accounts.iter().flat_map(|a| &a.products));
        for account in &self.accounts {
            unique(&account.id, "acct_")?;
            if !crate::currency::is_supported(&account.default_currency) {
                return bad(format!(
                    "{}: unknown currency `{}`",
                    account.id, account.default_currency
                ));
            }
        }
        for endpoint in &self.webhook_endpoints {
            unique(&endpoint.id, "we_")?;
            if !endpoint.secret.starts_with("whsec_") || endpoint.secret.len() < 10 {
                return bad(format!(
                    "{}: secret must start with `whsec_` and have at least 4 more characters",
                    endpoint.id
                ));
            }
            if !(endpoint.url.starts_with("http://") || endpoint.url.starts_with("https://")) {
                return bad(format!(
                    "{}: url must be an http:// or https:// URL",
                    endpoint.id
                ));
            }
            for kind in &endpoint.enabled_events {
                if kind != "*" && !crate::events::KNOWN_TYPES.contains(&kind.as_str()) {
                    return bad(format!("{}: unknown event type `{kind}`", endpoint.id));
                }
            }
            if let Some(v) = &endpoint.api_version
                && crate::http::auth::ApiVersion::parse(v).is_none()
            {
                return bad(format!("{}: `{v}` is not an API version", endpoint.id));
            }
        }
        for product in products {
            unique(&product.id, "prod_")?;
            for price in &product.prices {
                unique(&price.id, "price_")?;
                if !crate::currency::is_supported(&price.currency) {
                    return bad(format!(
                        "{}: unknown currency `{}`",
                        price.id, price.currency
                    ));
                }
                if price.unit_amount < 0 {
                    return bad(format!("{}: unit_amount must not be negative", price.id));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn epoch() -> i64 {
        SEED_EPOCH
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn builtin_seed_is_valid_and_round_trips_through_json() {
        let seed = Seed::default();
        seed.validate().unwrap();
        let dir = std::env::temp_dir().join(format!("seed-{}.json", std::process::id()));
        std::fs::write(&dir, seed.to_json_pretty()).unwrap();
        let back = Seed::from_json_file(&dir).unwrap();
        std::fs::remove_file(&dir).ok();
        assert_eq!(back, seed);
    }

    #[test]
    fn a_live_key_in_a_seed_is_refused() {
        let mut seed = Seed::default();
        seed.platform.secret_key = format!("sk_{}_abc", "live");
        assert!(matches!(seed.validate(), Err(SeedError::Invalid(_))));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let mut seed = Seed::default();
        let twin = seed.accounts[0].clone();
        seed.accounts.push(twin);
        assert!(seed.validate().is_err());
    }
}
