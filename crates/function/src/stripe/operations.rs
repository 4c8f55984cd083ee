//! The Stripe operations the function performs, typed: callers name what they want (a seller's
//! account, an order's PaymentIntent) with checked ids and spec structs, and Stripe's paths and
//! bracketed form fields (`transfer_data[destination]`, `metadata[…]`, `expand[]`) stay here.
//!
//! Each form is written in the order it always had: an Idempotency-Key retried after a deploy
//! must meet the same parameters.

use std::net::IpAddr;

use connect_checkout_core::api::{AccountKind, BusinessType, ChargeType, CustomDetails};
use connect_checkout_core::{AccountId, Currency, Money, PaymentIntentId, TransferId};
use serde::de::DeserializeOwned;

use super::objects::{Account, AccountLink, List, LoginLink, PaymentIntent, Price, Transfer};
use super::{ApiPath, IdempotencyKey, Params, StripeClient, StripeError};

/// Stripe's largest page: every list the function reads asks for it.
const PAGE_LIMIT: u32 = 100;

/// Where a PaymentIntent lives and how the platform takes its share: the charge type
/// (<https://docs.stripe.com/connect/charges>) as Stripe's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentRouting {
    /// The connected account it is made on (`Stripe-Account`); `None` for the platform.
    pub account: Option<AccountId>,
    /// The platform's fee taken from the charge; `None` when it takes none this way.
    pub application_fee_amount: Option<i64>,
    /// The seller the funds go to and who settles the charge (`transfer_data[destination]` and
    /// `on_behalf_of`), for a charge made on the platform for one seller.
    pub destination: Option<AccountId>,
}

impl PaymentRouting {
    /// The one place a charge type becomes Stripe's parameters for a payment to `seller` of
    /// which the platform keeps `fee`: a direct charge lives on the seller's account and takes
    /// the fee; a destination charge lives on the platform, takes the fee and sends the rest on
    /// to the seller, who settles it; a separate charge is [`Self::on_platform`].
    pub fn for_charge(charge_type: ChargeType, seller: &AccountId, fee: &Money) -> Self {
        if charge_type == ChargeType::Separate {
            return Self::on_platform();
        }
        Self {
            account: charge_type.payment_account(seller).cloned(),
            application_fee_amount: (fee.amount > 0).then_some(fee.amount),
            destination: charge_type.on_behalf_of(seller).cloned(),
        }
    }

    /// A separate charge: on the platform, which keeps its fees by transferring less, so the
    /// charge carries neither a fee nor a destination.
    pub fn on_platform() -> Self {
        Self::default()
    }
}

/// `POST /v1/payment_intents`.
#[derive(Clone, Debug)]
pub struct PaymentIntentSpec<'a> {
    pub total: &'a Money,
    pub description: String,
    pub transfer_group: Option<String>,
    /// `metadata[key]`, in order.
    pub metadata: Vec<(String, String)>,
    pub receipt_email: Option<&'a str>,
    /// More metadata, written after `receipt_email` where marketplace orders always had it.
    pub trailing_metadata: Vec<(String, String)>,
    pub routing: PaymentRouting,
}

impl PaymentIntentSpec<'_> {
    fn form(&self) -> Params {
        let mut form = Params::new()
            .set("amount", self.total.amount)
            .set("currency", self.total.currency.as_str())
            .set("automatic_payment_methods[enabled]", "true")
            .set("description", &self.description)
            .set_opt("transfer_group", self.transfer_group.as_deref());
        form = with_metadata(form, &self.metadata);
        form = form.set_opt("receipt_email", self.receipt_email);
        form = with_metadata(form, &self.trailing_metadata);
        form = form.set_opt(
            "application_fee_amount",
            self.routing.application_fee_amount,
        );
        if let Some(seller) = &self.routing.destination {
            form = form
                .set("transfer_data[destination]", seller.as_str())
                .set("on_behalf_of", seller.as_str());
        }
        form
    }
}

/// `POST /v1/transfers`: part of a platform charge sent on to a seller.
#[derive(Clone, Debug)]
pub struct TransferSpec<'a> {
    pub amount: i64,
    pub currency: &'a Currency,
    pub destination: &'a AccountId,
    pub transfer_group: &'a str,
    /// The charge the funds come from, so they move once it is available.
    pub source_transaction: &'a str,
    pub description: String,
    /// `metadata[key]`, in order.
    pub metadata: Vec<(&'static str, String)>,
}

impl TransferSpec<'_> {
    fn form(&self) -> Params {
        let form = Params::new()
            .set("amount", self.amount)
            .set("currency", self.currency.as_str())
            .set("destination", self.destination.as_str())
            .set("transfer_group", self.transfer_group)
            .set("source_transaction", self.source_transaction)
            .set("description", &self.description);
        self.metadata.iter().fold(form, |form, (key, value)| {
            form.set(format!("metadata[{key}]"), value)
        })
    }
}

fn with_metadata(form: Params, metadata: &[(impl std::fmt::Display, String)]) -> Params {
    metadata.iter().fold(form, |form, (key, value)| {
        form.set(format!("metadata[{key}]"), value)
    })
}

impl StripeClient {
    /// The platform's connected accounts, first page.
    pub async fn list_accounts(&self) -> Result<List<Account>, StripeError> {
        self.get(
            "/v1/accounts",
            &Params::new().set("limit", PAGE_LIMIT),
            None,
        )
        .await
    }

    /// The connected account `account`, as the platform sees it.
    pub async fn retrieve_account(&self, account: &AccountId) -> Result<Account, StripeError> {
        self.get(
            ApiPath::object("/v1/accounts", account),
            &Params::new(),
            None,
        )
        .await
    }

    /// One page of `account`'s active prices, each with its product, after `starting_after`.
    pub async fn list_active_prices(
        &self,
        account: &AccountId,
        starting_after: Option<&str>,
    ) -> Result<List<Price>, StripeError> {
        let query = Params::new()
            .set("active", "true")
            .set("limit", PAGE_LIMIT)
            .set("expand[]", "data.product")
            .set_opt("starting_after", starting_after);
        self.get("/v1/prices", &query, Some(account)).await
    }

    pub async fn create_payment_intent(
        &self,
        spec: &PaymentIntentSpec<'_>,
        idempotency_key: &IdempotencyKey,
    ) -> Result<PaymentIntent, StripeError> {
        self.post(
            "/v1/payment_intents",
            &spec.form(),
            spec.routing.account.as_ref(),
            idempotency_key,
        )
        .await
    }

    /// The newest PaymentIntents on `account` (the platform's for `None`), first page.
    pub async fn list_payment_intents(
        &self,
        account: Option<&AccountId>,
    ) -> Result<List<PaymentIntent>, StripeError> {
        let query = Params::new().set("limit", PAGE_LIMIT);
        self.get("/v1/payment_intents", &query, account).await
    }

    /// A PaymentIntent of the platform.
    pub async fn retrieve_payment_intent(
        &self,
        payment_intent: &PaymentIntentId,
    ) -> Result<PaymentIntent, StripeError> {
        self.get(
            ApiPath::object("/v1/payment_intents", payment_intent),
            &Params::new(),
            None,
        )
        .await
    }

    /// The transfers of `transfer_group`, first page.
    pub async fn list_transfers_in_group(
        &self,
        transfer_group: &str,
    ) -> Result<List<Transfer>, StripeError> {
        let query = Params::new()
            .set("transfer_group", transfer_group)
            .set("limit", PAGE_LIMIT);
        self.get("/v1/transfers", &query, None).await
    }

    pub async fn create_transfer(
        &self,
        spec: &TransferSpec<'_>,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Transfer, StripeError> {
        self.post("/v1/transfers", &spec.form(), None, idempotency_key)
            .await
    }
}

/// `POST /v1/accounts`: a seller's connected account, described by controller properties
/// rather than the deprecated `type`
/// (<https://docs.stripe.com/connect/migrate-to-controller-properties>).
#[derive(Clone, Debug)]
pub struct AccountSpec<'a> {
    pub country: &'a str,
    pub email: &'a str,
    pub kind: AccountKind,
    pub business_type: Option<BusinessType>,
    /// The platform's signed-in user the account belongs to (`metadata[seller_subject]`).
    pub seller_subject: Option<&'a str>,
}

impl AccountSpec<'_> {
    fn form(&self) -> Params {
        let form = Params::new()
            .set("country", self.country)
            .set("email", self.email)
            .set("metadata[created_by]", "connect-checkout");
        let (dashboard, fees_payer, losses_payer, requirement_collection) = match self.kind {
            AccountKind::Express => ("express", "application", "application", "stripe"),
            AccountKind::Standard => ("full", "account", "stripe", "stripe"),
            AccountKind::Custom => ("none", "application", "application", "application"),
        };
        form.set("controller[stripe_dashboard][type]", dashboard)
            .set("controller[fees][payer]", fees_payer)
            .set("controller[losses][payments]", losses_payer)
            .set("controller[requirement_collection]", requirement_collection)
            .set("capabilities[card_payments][requested]", "true")
            .set("capabilities[transfers][requested]", "true")
            .set_opt(
                "business_type",
                self.business_type.map(|kind| kind.as_str()),
            )
            .set_opt("metadata[seller_subject]", self.seller_subject)
    }
}

/// `POST /v1/accounts/{account}`: the details a platform collects for a Custom account.
#[derive(Clone, Debug)]
pub struct AccountDetailsSpec<'a> {
    pub details: &'a CustomDetails,
    /// When and from where the seller accepted Stripe's terms, if they did now.
    pub terms_accepted: Option<(i64, IpAddr)>,
}

impl AccountDetailsSpec<'_> {
    fn form(&self) -> Params {
        let details = self.details;
        let mut form =
            Params::new().set_opt("business_type", details.business_type.map(|b| b.as_str()));
        if let Some(person) = &details.individual {
            form = form
                .set_opt("individual[first_name]", person.first_name.as_deref())
                .set_opt("individual[last_name]", person.last_name.as_deref())
                .set_opt("individual[email]", person.email.as_deref())
                .set_opt("individual[phone]", person.phone.as_deref())
                .set_opt("individual[id_number]", person.id_number.as_deref())
                .set_opt("individual[ssn_last_4]", person.ssn_last_4.as_deref());
            if let Some(dob) = person.dob {
                form = form
                    .set("individual[dob][day]", dob.day)
                    .set("individual[dob][month]", dob.month)
                    .set("individual[dob][year]", dob.year);
            }
            if let Some(address) = &person.address {
                form = form
                    .set("individual[address][line1]", &address.line1)
                    .set_opt("individual[address][line2]", address.line2.as_deref())
                    .set("individual[address][city]", &address.city)
                    .set_opt("individual[address][state]", address.state.as_deref())
                    .set("individual[address][postal_code]", &address.postal_code)
                    .set("individual[address][country]", &address.country);
            }
        }
        form = form
            .set_opt("business_profile[url]", details.business_url.as_deref())
            .set_opt(
                "business_profile[product_description]",
                details.product_description.as_deref(),
            )
            .set_opt("business_profile[mcc]", details.mcc.as_deref())
            .set_opt("external_account", details.bank_account_token.as_deref());
        if let Some((date, ip)) = self.terms_accepted {
            form = form
                .set("tos_acceptance[date]", date)
                .set("tos_acceptance[ip]", ip);
        }
        form
    }
}

/// `POST /v1/refunds`.
#[derive(Clone, Debug)]
pub struct RefundSpec<'a> {
    pub payment_intent: &'a PaymentIntentId,
    /// The connected account the payment lives on (a direct charge); `None` for the platform.
    pub account: Option<&'a AccountId>,
    /// `None` refunds what is left.
    pub amount: Option<i64>,
    pub refund_application_fee: bool,
    /// Takes back from the seller's Transfer in proportion (a destination charge).
    pub reverse_transfer: bool,
    /// `metadata[key]`, in order.
    pub metadata: Vec<(&'static str, String)>,
}

impl RefundSpec<'_> {
    fn form(&self) -> Params {
        let mut form = Params::new()
            .set("payment_intent", self.payment_intent.as_str())
            .set_opt("amount", self.amount)
            .set("reason", "requested_by_customer");
        if self.refund_application_fee {
            form = form.set("refund_application_fee", "true");
        }
        if self.reverse_transfer {
            form = form.set("reverse_transfer", "true");
        }
        with_metadata(form, &self.metadata)
    }
}

/// `POST /v1/transfers/{transfer}/reversals`.
#[derive(Clone, Debug)]
pub struct TransferReversalSpec {
    pub amount: i64,
    /// `metadata[key]`, in order.
    pub metadata: Vec<(&'static str, String)>,
}

impl StripeClient {
    pub async fn create_account(
        &self,
        spec: &AccountSpec<'_>,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Account, StripeError> {
        self.post("/v1/accounts", &spec.form(), None, idempotency_key)
            .await
    }

    pub async fn update_account_details(
        &self,
        account: &AccountId,
        spec: &AccountDetailsSpec<'_>,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Account, StripeError> {
        self.post(
            ApiPath::object("/v1/accounts", account),
            &spec.form(),
            None,
            idempotency_key,
        )
        .await
    }

    /// A link to Stripe's hosted onboarding for `account`, collecting what is eventually due.
    pub async fn create_onboarding_link(
        &self,
        account: &AccountId,
        refresh_url: String,
        return_url: String,
        idempotency_key: &IdempotencyKey,
    ) -> Result<AccountLink, StripeError> {
        let form = Params::new()
            .set("account", account.as_str())
            .set("type", "account_onboarding")
            .set("refresh_url", refresh_url)
            .set("return_url", return_url)
            .set("collection_options[fields]", "eventually_due");
        self.post("/v1/account_links", &form, None, idempotency_key)
            .await
    }

    /// A one-time link to an Express account's dashboard.
    pub async fn create_login_link(
        &self,
        account: &AccountId,
        idempotency_key: &IdempotencyKey,
    ) -> Result<LoginLink, StripeError> {
        let path = ApiPath::object("/v1/accounts", account).then("login_links");
        self.post(path, &Params::new(), None, idempotency_key).await
    }

    /// A PaymentIntent on `account` (the platform's for `None`), read as `T`.
    pub async fn retrieve_payment_intent_on<T: DeserializeOwned>(
        &self,
        payment_intent: &PaymentIntentId,
        account: Option<&AccountId>,
    ) -> Result<T, StripeError> {
        self.get(
            ApiPath::object("/v1/payment_intents", payment_intent),
            &Params::new(),
            account,
        )
        .await
    }

    /// The newest PaymentIntents on `account` (the platform's for `None`), each with its
    /// latest charge, first page.
    pub async fn list_payment_intents_with_charges(
        &self,
        account: Option<&AccountId>,
    ) -> Result<List<PaymentIntent>, StripeError> {
        let query = Params::new()
            .set("limit", PAGE_LIMIT)
            .set("expand[]", "data.latest_charge");
        self.get("/v1/payment_intents", &query, account).await
    }

    /// The transfers to `destination`, of `transfer_group` when given, read as `T`, first page.
    pub async fn list_transfers_to<T: DeserializeOwned>(
        &self,
        destination: &AccountId,
        transfer_group: Option<&str>,
    ) -> Result<List<T>, StripeError> {
        let query = Params::new()
            .set_opt("transfer_group", transfer_group)
            .set("destination", destination.as_str())
            .set("limit", PAGE_LIMIT);
        self.get("/v1/transfers", &query, None).await
    }

    /// The reversals of `transfer`, read as `T`, first page.
    pub async fn list_transfer_reversals<T: DeserializeOwned>(
        &self,
        transfer: &TransferId,
    ) -> Result<List<T>, StripeError> {
        let path = ApiPath::object("/v1/transfers", transfer).then("reversals");
        self.get(path, &Params::new().set("limit", PAGE_LIMIT), None)
            .await
    }

    /// The refunds of a platform PaymentIntent, read as `T`, first page.
    pub async fn list_refunds<T: DeserializeOwned>(
        &self,
        payment_intent: &PaymentIntentId,
    ) -> Result<List<T>, StripeError> {
        let query = Params::new()
            .set("payment_intent", payment_intent.as_str())
            .set("limit", PAGE_LIMIT);
        self.get("/v1/refunds", &query, None).await
    }

    /// A refund, read as `T`.
    pub async fn create_refund<T: DeserializeOwned>(
        &self,
        spec: &RefundSpec<'_>,
        idempotency_key: &IdempotencyKey,
    ) -> Result<T, StripeError> {
        self.post("/v1/refunds", &spec.form(), spec.account, idempotency_key)
            .await
    }

    /// Takes `spec.amount` back from the seller's `transfer`.
    pub async fn create_transfer_reversal(
        &self,
        transfer: &TransferId,
        spec: &TransferReversalSpec,
        idempotency_key: &IdempotencyKey,
    ) -> Result<serde_json::Value, StripeError> {
        let form = with_metadata(Params::new().set("amount", spec.amount), &spec.metadata);
        let path = ApiPath::object("/v1/transfers", transfer).then("reversals");
        self.post(path, &form, None, idempotency_key).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::new("usd").unwrap())
    }

    #[test]
    fn a_destination_charge_form_keeps_its_fields_and_their_order() {
        let total = usd(2400);
        let seller = AccountId::new("acct_1Seller").unwrap();
        let spec = PaymentIntentSpec {
            total: &total,
            description: "2 × House Blend".into(),
            transfer_group: None,
            metadata: vec![
                ("checkout_attempt".into(), "attempt-1".into()),
                ("seller".into(), seller.as_str().into()),
            ],
            receipt_email: Some("shopper@example.com"),
            trailing_metadata: Vec::new(),
            routing: PaymentRouting {
                account: None,
                application_fee_amount: Some(270),
                destination: Some(seller.clone()),
            },
        };
        let expected = Params::new()
            .set("amount", 2400)
            .set("currency", "usd")
            .set("automatic_payment_methods[enabled]", "true")
            .set("description", "2 × House Blend")
            .set("metadata[checkout_attempt]", "attempt-1")
            .set("metadata[seller]", "acct_1Seller")
            .set("receipt_email", "shopper@example.com")
            .set("application_fee_amount", 270)
            .set("transfer_data[destination]", "acct_1Seller")
            .set("on_behalf_of", "acct_1Seller");
        assert_eq!(spec.form(), expected);
    }

    #[test]
    fn an_order_form_keeps_its_fields_and_their_order() {
        let total = usd(5575);
        let spec = PaymentIntentSpec {
            total: &total,
            description: "lines".into(),
            transfer_group: Some("order_attempt-1".into()),
            metadata: vec![
                ("checkout_attempt".into(), "attempt-1".into()),
                ("order_sellers".into(), "acct_1A:5575:515".into()),
            ],
            receipt_email: None,
            trailing_metadata: vec![("seller_lines_0".into(), "lines".into())],
            routing: PaymentRouting::default(),
        };
        let expected = Params::new()
            .set("amount", 5575)
            .set("currency", "usd")
            .set("automatic_payment_methods[enabled]", "true")
            .set("description", "lines")
            .set("transfer_group", "order_attempt-1")
            .set("metadata[checkout_attempt]", "attempt-1")
            .set("metadata[order_sellers]", "acct_1A:5575:515")
            .set("metadata[seller_lines_0]", "lines");
        assert_eq!(spec.form(), expected);
    }

    #[test]
    fn a_transfer_form_keeps_its_fields_and_their_order() {
        let currency = Currency::new("usd").unwrap();
        let seller = AccountId::new("acct_1Seller").unwrap();
        let spec = TransferSpec {
            amount: 2130,
            currency: &currency,
            destination: &seller,
            transfer_group: "order_attempt-1",
            source_transaction: "ch_1",
            description: "lines".into(),
            metadata: vec![
                ("payment_intent", "pi_1".into()),
                ("seller_subtotal", "2400".into()),
                ("platform_fee", "270".into()),
            ],
        };
        let expected = Params::new()
            .set("amount", 2130)
            .set("currency", "usd")
            .set("destination", "acct_1Seller")
            .set("transfer_group", "order_attempt-1")
            .set("source_transaction", "ch_1")
            .set("description", "lines")
            .set("metadata[payment_intent]", "pi_1")
            .set("metadata[seller_subtotal]", "2400")
            .set("metadata[platform_fee]", "270");
        assert_eq!(spec.form(), expected);
    }

    #[test]
    fn an_account_form_keeps_its_fields_and_their_order() {
        let spec = AccountSpec {
            country: "US",
            email: "seller@example.com",
            kind: AccountKind::Express,
            business_type: None,
            seller_subject: Some("user-1"),
        };
        let expected = Params::new()
            .set("country", "US")
            .set("email", "seller@example.com")
            .set("metadata[created_by]", "connect-checkout")
            .set("controller[stripe_dashboard][type]", "express")
            .set("controller[fees][payer]", "application")
            .set("controller[losses][payments]", "application")
            .set("controller[requirement_collection]", "stripe")
            .set("capabilities[card_payments][requested]", "true")
            .set("capabilities[transfers][requested]", "true")
            .set("metadata[seller_subject]", "user-1");
        assert_eq!(spec.form(), expected);
    }

    #[test]
    fn refund_forms_keep_their_fields_and_their_order() {
        let payment_intent = PaymentIntentId::new("pi_1").unwrap();
        let whole = RefundSpec {
            payment_intent: &payment_intent,
            account: None,
            amount: None,
            refund_application_fee: true,
            reverse_transfer: true,
            metadata: Vec::new(),
        };
        let expected = Params::new()
            .set("payment_intent", "pi_1")
            .set("reason", "requested_by_customer")
            .set("refund_application_fee", "true")
            .set("reverse_transfer", "true");
        assert_eq!(whole.form(), expected);

        let part = RefundSpec {
            payment_intent: &payment_intent,
            account: None,
            amount: Some(500),
            refund_application_fee: false,
            reverse_transfer: false,
            metadata: vec![
                ("seller", "acct_1Seller".into()),
                ("refund_attempt", "r-1".into()),
            ],
        };
        let expected = Params::new()
            .set("payment_intent", "pi_1")
            .set("amount", 500)
            .set("reason", "requested_by_customer")
            .set("metadata[seller]", "acct_1Seller")
            .set("metadata[refund_attempt]", "r-1");
        assert_eq!(part.form(), expected);
    }

    #[test]
    fn each_charge_type_routes_the_payment_its_own_way() {
        let seller = AccountId::new("acct_1Seller").unwrap();
        let fee = usd(270);
        assert_eq!(
            PaymentRouting::for_charge(ChargeType::Direct, &seller, &fee),
            PaymentRouting {
                account: Some(seller.clone()),
                application_fee_amount: Some(270),
                destination: None,
            }
        );
        assert_eq!(
            PaymentRouting::for_charge(ChargeType::Destination, &seller, &fee),
            PaymentRouting {
                account: None,
                application_fee_amount: Some(270),
                destination: Some(seller.clone()),
            }
        );
        assert_eq!(
            PaymentRouting::for_charge(ChargeType::Separate, &seller, &fee),
            PaymentRouting::on_platform()
        );
        assert_eq!(
            PaymentRouting::for_charge(ChargeType::Direct, &seller, &usd(0)).application_fee_amount,
            None,
            "no fee, no application_fee_amount"
        );
    }
}
