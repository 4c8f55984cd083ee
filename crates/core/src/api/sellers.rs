//! The seller's messages: creating a connected account, onboarding, status, the seller's own
//! payments and refunds.

use serde::{Deserialize, Serialize};

use super::{FieldError, plausible_email};
use crate::{AccountId, AttemptId, Currency, Money};

/// The kinds of connected account a platform can offer (Stripe's Express, Standard and Custom;
/// the function creates them through controller properties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Stripe onboards the seller and hosts a light dashboard; the platform carries losses.
    Express,
    /// A full Stripe account: the seller onboards with Stripe, has the full dashboard and
    /// carries their own losses and fees.
    Standard,
    /// The platform onboards the seller with its own forms and is the seller's only window;
    /// the platform carries losses.
    Custom,
}

impl AccountKind {
    pub const ALL: [Self; 3] = [Self::Express, Self::Standard, Self::Custom];

    /// The kind serde calls `name` (the inverse of [`Self::as_str`]), for the widget, which
    /// reads the JSON without serde (see [`super::Mode::from_name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Express => "express",
            Self::Standard => "standard",
            Self::Custom => "custom",
        }
    }
}

/// Who the seller is in law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessType {
    Individual,
    Company,
    NonProfit,
}

impl BusinessType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Company => "company",
            Self::NonProfit => "non_profit",
        }
    }
}

/// `POST /api/sellers`: a new seller asks for an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSellerRequest {
    pub kind: AccountKind,
    pub email: String,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    pub country: String,
    #[serde(default)]
    pub business_type: Option<BusinessType>,
    /// Made once per form submission, so a double click creates one account.
    pub attempt: AttemptId,
}

impl CreateSellerRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !plausible_email(&self.email) {
            errors.push(field(
                "email",
                "enter an email address such as name@example.com",
            ));
        }
        if !is_country_code(&self.country) {
            errors.push(field(
                "country",
                "choose a country (two letters, such as US or FR)",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What a seller's account lets them do now, and what Stripe still needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerStatus {
    pub id: AccountId,
    pub kind: Option<AccountKind>,
    pub display_name: String,
    pub email: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `US`: where the seller's bank account must be.
    #[serde(default)]
    pub country: Option<String>,
    /// The currency payouts are made in, e.g. `usd`.
    #[serde(default)]
    pub default_currency: Option<Currency>,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    /// Stripe's requirement names (`individual.dob.day`, `external_account`, …).
    pub currently_due: Vec<String>,
    pub eventually_due: Vec<String>,
    pub past_due: Vec<String>,
    pub pending_verification: Vec<String>,
    /// When `currently_due` must be done by (unix seconds).
    pub current_deadline: Option<i64>,
    pub disabled_reason: Option<DisabledReason>,
    /// Stripe's verification errors, per requirement.
    pub errors: Vec<RequirementError>,
    /// The one thing the seller should do next.
    pub next_step: NextStep,
}

/// Why Stripe disabled charges or payouts, in Stripe's code and in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisabledReason {
    pub code: String,
    pub message: String,
}

/// A requirement Stripe could not verify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementError {
    pub requirement: String,
    pub code: String,
    pub reason: String,
}

/// The seller's next step, derived from the requirements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Go through onboarding (Stripe's hosted page, or the platform's form for Custom).
    CompleteOnboarding,
    /// Fix or add what Stripe rejected or still needs.
    ProvideInformation,
    /// Nothing to do: Stripe is checking what was sent.
    WaitForVerification,
    /// Nothing to do: payments and payouts work.
    Done,
}

impl NextStep {
    pub const ALL: [Self; 4] = [
        Self::CompleteOnboarding,
        Self::ProvideInformation,
        Self::WaitForVerification,
        Self::Done,
    ];

    /// The step serde calls `name`, for the widget, which reads the JSON without serde (see
    /// [`super::Mode::from_name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CompleteOnboarding => "complete_onboarding",
            Self::ProvideInformation => "provide_information",
            Self::WaitForVerification => "wait_for_verification",
            Self::Done => "done",
        }
    }
}

/// `POST /api/sellers`: the account, with the session cookie set on the response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedSeller {
    pub status: SellerStatus,
}

/// `POST /api/sellers/{account}/onboarding-link`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardingLink {
    pub url: String,
    pub expires_at: i64,
}

/// `POST /api/sellers/{account}/dashboard-link`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardLink {
    pub url: String,
}

/// A date of birth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateOfBirth {
    pub day: u8,
    pub month: u8,
    pub year: u16,
}

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    #[serde(default)]
    pub state: Option<String>,
    pub postal_code: String,
    pub country: String,
}

/// The person behind an individual seller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Individual {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub dob: Option<DateOfBirth>,
    #[serde(default)]
    pub address: Option<Address>,
    /// The full national id number (SSN in the US).
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub ssn_last_4: Option<String>,
}

/// `POST /api/sellers/{account}/details`: what the platform's own form collected for a Custom
/// account. Only the fields present are sent to Stripe.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomDetails {
    #[serde(default)]
    pub business_type: Option<BusinessType>,
    #[serde(default)]
    pub individual: Option<Individual>,
    /// The seller's website or a description of what they sell.
    #[serde(default)]
    pub business_url: Option<String>,
    #[serde(default)]
    pub product_description: Option<String>,
    /// The merchant category code (four digits, e.g. `5734`): what kind of business it is.
    #[serde(default)]
    pub mcc: Option<String>,
    /// A bank account token (`btok_…`) made in the browser with the publishable key.
    #[serde(default)]
    pub bank_account_token: Option<String>,
    /// The seller accepted Stripe's services agreement; the function stamps the time and IP.
    #[serde(default)]
    pub accept_terms: bool,
}

impl CustomDetails {
    /// Every field that breaks a rule, named as the form names it (`individual.dob`).
    pub fn validate(&self, today: (u16, u8, u8)) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(person) = &self.individual {
            let text =
                |value: &Option<String>, name: &str, what: &str, errors: &mut Vec<FieldError>| {
                    if let Some(value) = value
                        && (value.trim().is_empty() || value.len() > 100)
                    {
                        errors.push(field(name, what));
                    }
                };
            text(
                &person.first_name,
                "individual.first_name",
                "enter the first name",
                &mut errors,
            );
            text(
                &person.last_name,
                "individual.last_name",
                "enter the last name",
                &mut errors,
            );
            if let Some(email) = &person.email
                && !plausible_email(email)
            {
                errors.push(field(
                    "individual.email",
                    "enter an email address such as name@example.com",
                ));
            }
            if let Some(phone) = &person.phone {
                let digits = phone.chars().filter(char::is_ascii_digit).count();
                let allowed = phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
                if !allowed || !(7..=15).contains(&digits) {
                    errors.push(field(
                        "individual.phone",
                        "enter a phone number with 7 to 15 digits",
                    ));
                }
            }
            if let Some(dob) = person.dob {
                if !valid_date(dob) {
                    errors.push(field("individual.dob", "enter a real date of birth"));
                } else if !is_adult(dob, today) {
                    errors.push(field(
                        "individual.dob",
                        "the person must be at least 13 years old",
                    ));
                }
            }
            if let Some(address) = &person.address {
                if address.line1.trim().is_empty() {
                    errors.push(field(
                        "individual.address.line1",
                        "enter the street address",
                    ));
                }
                if address.city.trim().is_empty() {
                    errors.push(field("individual.address.city", "enter the city"));
                }
                if address.postal_code.trim().is_empty() || address.postal_code.len() > 12 {
                    errors.push(field(
                        "individual.address.postal_code",
                        "enter the postal code",
                    ));
                }
                if !is_country_code(&address.country) {
                    errors.push(field(
                        "individual.address.country",
                        "choose a country (two letters)",
                    ));
                }
            }
            if let Some(id) = &person.id_number
                && (!(4..=20).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                errors.push(field(
                    "individual.id_number",
                    "enter the id number without spaces or dashes",
                ));
            }
            if let Some(last4) = &person.ssn_last_4
                && (last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()))
            {
                errors.push(field(
                    "individual.ssn_last_4",
                    "enter the last four digits of the SSN",
                ));
            }
        }
        if let Some(url) = &self.business_url {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 500
                && url.len() > "https://".len();
            if !ok {
                errors.push(field(
                    "business_url",
                    "enter the website address, starting with https://",
                ));
            }
        }
        if let Some(mcc) = &self.mcc
            && (mcc.len() != 4 || !mcc.bytes().all(|b| b.is_ascii_digit()))
        {
            errors.push(field(
                "mcc",
                "choose what kind of business this is (a four-digit category code)",
            ));
        }
        if let Some(token) = &self.bank_account_token
            && (!token.starts_with("btok_") || token.len() > 255)
        {
            errors.push(field(
                "bank_account_token",
                "the bank account was not tokenised: enter it again",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One payment the seller received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerPayment {
    /// The PaymentIntent (on the platform for a marketplace order: the refund request names it).
    pub id: String,
    /// What the shopper paid this seller: the whole payment, or this seller's subtotal of a
    /// marketplace order.
    pub amount: Money,
    /// What the platform kept.
    pub fee: Option<Money>,
    /// What was refunded of `amount`.
    pub refunded: Money,
    /// Stripe's PaymentIntent status.
    pub status: String,
    /// Unix seconds.
    pub created: i64,
    /// What was bought: for a marketplace order, this seller's lines only.
    pub description: Option<String>,
    /// The seller's Transfer (`tr_…`) when this is their part of a marketplace order;
    /// absent for a payment made on (or sent to) their account as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<String>,
}

/// `GET /api/sellers/{account}/payments`, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerPayments {
    pub payments: Vec<SellerPayment>,
}

/// `POST /api/sellers/{account}/refunds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    pub payment_intent: String,
    /// In minor units; the whole remaining amount when absent.
    #[serde(default)]
    pub amount: Option<i64>,
    /// Made once per confirmed refund, so a double click refunds once.
    pub attempt: AttemptId,
}

/// The refund Stripe made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundResult {
    pub id: String,
    pub amount: Money,
    pub status: String,
}

fn field(name: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    }
}

fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn valid_date(dob: DateOfBirth) -> bool {
    let leap = dob.year.is_multiple_of(4)
        && (!dob.year.is_multiple_of(100) || dob.year.is_multiple_of(400));
    let days = match dob.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&dob.year) && (1..=days).contains(&dob.day)
}

/// Stripe requires account representatives to be at least 13.
fn is_adult(dob: DateOfBirth, (year, month, day): (u16, u8, u8)) -> bool {
    let birthday_passed = (month, day) >= (dob.month, dob.day);
    let age = i32::from(year) - i32::from(dob.year) - i32::from(!birthday_passed);
    age >= 13
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TODAY: (u16, u8, u8) = (2026, 11, 29);

    #[test]
    fn next_steps_and_account_kinds_are_named_as_serde_names_them() {
        for step in NextStep::ALL {
            let name = serde_json::to_value(step).unwrap();
            assert_eq!(name, step.as_str());
            assert_eq!(NextStep::from_name(step.as_str()), Some(step));
        }
        for kind in AccountKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(AccountKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(NextStep::from_name("Done"), None);
    }

    #[test]
    fn a_new_seller_needs_an_email_and_a_country_code() {
        let request = CreateSellerRequest {
            kind: AccountKind::Express,
            email: "not-an-email".into(),
            country: "usa".into(),
            business_type: None,
            attempt: AttemptId::new("5d41402abc4b2a76b9719d911017c592").unwrap(),
        };
        let errors = request.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "country"]);
    }

    #[test]
    fn stripes_test_values_pass_validation() {
        let details = CustomDetails {
            business_type: Some(BusinessType::Individual),
            individual: Some(Individual {
                first_name: Some("Jenny".into()),
                last_name: Some("Rosen".into()),
                email: Some("jenny@example.com".into()),
                phone: Some("000 000 0000".into()),
                dob: Some(DateOfBirth {
                    day: 1,
                    month: 1,
                    year: 1901,
                }),
                address: Some(Address {
                    line1: "address_full_match".into(),
                    city: "San Francisco".into(),
                    state: Some("CA".into()),
                    postal_code: "94103".into(),
                    country: "US".into(),
                    line2: None,
                }),
                id_number: Some("000000000".into()),
                ssn_last_4: Some("0000".into()),
            }),
            business_url: Some("https://example.com".into()),
            product_description: None,
            mcc: Some("5734".into()),
            bank_account_token: Some("btok_123".into()),
            accept_terms: true,
        };
        assert_eq!(details.validate(TODAY), Ok(()));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let details = CustomDetails {
            individual: Some(Individual {
                first_name: Some(" ".into()),
                dob: Some(DateOfBirth {
                    day: 30,
                    month: 2,
                    year: 1990,
                }),
                ssn_last_4: Some("12a4".into()),
                ..Individual::default()
            }),
            business_url: Some("example.com".into()),
            mcc: Some("57a4".into()),
            ..CustomDetails::default()
        };
        let fields: Vec<String> = details
            .validate(TODAY)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "individual.first_name",
                "individual.dob",
                "individual.ssn_last_4",
                "business_url",
                "mcc"
            ]
        );
    }

    #[test]
    fn a_child_cannot_represent_an_account() {
        let details = CustomDetails {
            individual: Some(Individual {
                dob: Some(DateOfBirth {
                    day: 30,
                    month: 11,
                    year: 2013,
                }),
                ..Individual::default()
            }),
            ..CustomDetails::default()
        };
        assert!(details.validate(TODAY).is_err(), "12 years and 364 days");
        let details = CustomDetails {
            individual: Some(Individual {
                dob: Some(DateOfBirth {
                    day: 29,
                    month: 11,
                    year: 2013,
                }),
                ..Individual::default()
            }),
            ..CustomDetails::default()
        };
        assert!(details.validate(TODAY).is_ok(), "13 today");
    }
}
