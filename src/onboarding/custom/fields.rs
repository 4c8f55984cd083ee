//! The platform's own form for Custom accounts, as data: which fields Stripe's requirements
//! ask for, in which step, how each is checked, and how the answers become the function's
//! [`CustomDetails`]. No I/O and no markup: the view and the browser tests build on it.

use std::collections::HashMap;

use connect_checkout_core::api::{
    Address, BusinessType, CustomDetails, DateOfBirth, Individual, SellerStatus, plausible_email,
};

use crate::i18n::seller::SellerStrings;

/// One question of the form. Its errors are shown against it, whether they come from the
/// form's own checks, the function's `400 fields`, or Stripe's verification errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    BusinessType,
    BusinessUrl,
    ProductDescription,
    Mcc,
    FirstName,
    LastName,
    Email,
    Phone,
    /// Day, month and year: three inputs, one question.
    Dob,
    Line1,
    Line2,
    City,
    State,
    PostalCode,
    Country,
    IdNumber,
    SsnLast4,
    AccountHolder,
    RoutingNumber,
    AccountNumber,
    AcceptTerms,
}

/// The form's steps, in order. Only steps with something due are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Business,
    Person,
    Address,
    Identity,
    Bank,
    Terms,
}

impl Step {
    pub const ALL: [Self; 6] = [
        Self::Business,
        Self::Person,
        Self::Address,
        Self::Identity,
        Self::Bank,
        Self::Terms,
    ];

    pub fn title(self, strings: &SellerStrings) -> &'static str {
        match self {
            Self::Business => strings.step_business,
            Self::Person => strings.step_person,
            Self::Address => strings.step_address,
            Self::Identity => strings.step_identity,
            Self::Bank => strings.step_bank,
            Self::Terms => strings.step_terms,
        }
    }
}

impl Field {
    /// Every field, in the order the form asks for them.
    pub const ALL: [Self; 21] = [
        Self::BusinessType,
        Self::BusinessUrl,
        Self::ProductDescription,
        Self::Mcc,
        Self::FirstName,
        Self::LastName,
        Self::Email,
        Self::Phone,
        Self::Dob,
        Self::Line1,
        Self::Line2,
        Self::City,
        Self::State,
        Self::PostalCode,
        Self::Country,
        Self::IdNumber,
        Self::SsnLast4,
        Self::AccountHolder,
        Self::RoutingNumber,
        Self::AccountNumber,
        Self::AcceptTerms,
    ];

    /// The key of its value, and the stem of its element ids (`cs-f-{key}`).
    pub fn key(self) -> &'static str {
        match self {
            Self::BusinessType => "business_type",
            Self::BusinessUrl => "business_url",
            Self::ProductDescription => "product_description",
            Self::Mcc => "mcc",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Dob => "dob",
            Self::Line1 => "line1",
            Self::Line2 => "line2",
            Self::City => "city",
            Self::State => "state",
            Self::PostalCode => "postal_code",
            Self::Country => "country",
            Self::IdNumber => "id_number",
            Self::SsnLast4 => "ssn_last_4",
            Self::AccountHolder => "account_holder",
            Self::RoutingNumber => "routing_number",
            Self::AccountNumber => "account_number",
            Self::AcceptTerms => "accept_terms",
        }
    }

    /// The id of its input (of the first input, for the date of birth).
    pub fn input_id(self) -> String {
        match self {
            Self::Dob => "cs-f-dob_day".to_owned(),
            other => format!("cs-f-{}", other.key()),
        }
    }

    pub fn step(self) -> Step {
        match self {
            Self::BusinessType | Self::BusinessUrl | Self::ProductDescription | Self::Mcc => {
                Step::Business
            }
            Self::FirstName | Self::LastName | Self::Email | Self::Phone | Self::Dob => {
                Step::Person
            }
            Self::Line1
            | Self::Line2
            | Self::City
            | Self::State
            | Self::PostalCode
            | Self::Country => Step::Address,
            Self::IdNumber | Self::SsnLast4 => Step::Identity,
            Self::AccountHolder | Self::RoutingNumber | Self::AccountNumber => Step::Bank,
            Self::AcceptTerms => Step::Terms,
        }
    }

    pub fn label(self, strings: &SellerStrings) -> &'static str {
        match self {
            Self::BusinessType => strings.business_type,
            Self::BusinessUrl => strings.business_url,
            Self::ProductDescription => strings.product_description,
            Self::Mcc => strings.mcc,
            Self::FirstName => strings.first_name,
            Self::LastName => strings.last_name,
            Self::Email => strings.person_email,
            Self::Phone => strings.phone,
            Self::Dob => strings.dob,
            Self::Line1 => strings.address_line1,
            Self::Line2 => strings.address_line2,
            Self::City => strings.address_city,
            Self::State => strings.address_state,
            Self::PostalCode => strings.address_postal_code,
            Self::Country => strings.address_country,
            Self::IdNumber => strings.id_number,
            Self::SsnLast4 => strings.ssn_last_4,
            Self::AccountHolder => strings.account_holder,
            Self::RoutingNumber => strings.routing_number,
            Self::AccountNumber => strings.account_number,
            Self::AcceptTerms => strings.accept_terms,
        }
    }

    /// The field a name of the function's `400 fields`, of Stripe.js's `param` or of a Stripe
    /// requirement is shown against.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name
            .strip_prefix("individual.")
            .or_else(|| name.strip_prefix("individual["))
            .unwrap_or(name)
            .trim_end_matches(']');
        Some(match name {
            "business_type" => Self::BusinessType,
            "business_url" | "business_profile.url" => Self::BusinessUrl,
            "product_description" | "business_profile.product_description" => {
                Self::ProductDescription
            }
            "mcc" | "business_profile.mcc" => Self::Mcc,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "email" => Self::Email,
            "phone" => Self::Phone,
            // A failed identity check is about the name and the date of birth together.
            "dob" | "dob.day" | "dob.month" | "dob.year" | "verification.document" => Self::Dob,
            "address.line1" => Self::Line1,
            "address.line2" => Self::Line2,
            "address.city" => Self::City,
            "address.state" => Self::State,
            "address.postal_code" => Self::PostalCode,
            "address.country" => Self::Country,
            "id_number" => Self::IdNumber,
            "ssn_last_4" => Self::SsnLast4,
            "bank_account[account_holder_name" | "account_holder_name" => Self::AccountHolder,
            "bank_account[routing_number" | "routing_number" => Self::RoutingNumber,
            "bank_account_token"
            | "external_account"
            | "bank_account[account_number"
            | "account_number"
            | "bank_account" => Self::AccountNumber,
            "accept_terms" | "tos_acceptance.date" | "tos_acceptance.ip" => Self::AcceptTerms,
            _ => return None,
        })
    }
}

/// What the form asks for: the fields Stripe's requirements still list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Due {
    /// In the form's order.
    pub fields: Vec<Field>,
    /// Stripe wants the full ID number (the last four were not enough, or it did not match).
    pub full_id_number: bool,
}

/// The countries the form offers for an address (Stripe's Connect countries that use these
/// fields); the account's own country is added when it is not among them.
pub const COUNTRIES: [&str; 23] = [
    "US", "CA", "GB", "IE", "FR", "DE", "ES", "IT", "NL", "BE", "AT", "PT", "FI", "SE", "DK", "NO",
    "CH", "PL", "AU", "NZ", "JP", "SG", "HK",
];

/// Countries whose addresses need a state or region (as Stripe asks for them).
pub fn needs_state(country: &str) -> bool {
    matches!(country, "US" | "CA" | "AU")
}

impl Due {
    /// What `status` still lists (due now, past due, due later, and what failed verification),
    /// as fields of the form.
    pub fn of(status: &SellerStatus) -> Self {
        let mut requirements: Vec<&str> = status
            .currently_due
            .iter()
            .chain(&status.past_due)
            .chain(&status.eventually_due)
            .map(String::as_str)
            .collect();
        requirements.extend(status.errors.iter().map(|e| e.requirement.as_str()));
        let mut due = Self::default();
        let mut add = |fields: &[Field]| {
            for field in fields {
                if !due.fields.contains(field) {
                    due.fields.push(*field);
                }
            }
        };
        for requirement in &requirements {
            match *requirement {
                "business_type" => add(&[Field::BusinessType]),
                "business_profile.url" | "business_profile.product_description" => {
                    add(&[Field::BusinessUrl, Field::ProductDescription]);
                }
                "business_profile.mcc" => add(&[Field::Mcc]),
                "individual.first_name" => add(&[Field::FirstName]),
                "individual.last_name" => add(&[Field::LastName]),
                "individual.email" => add(&[Field::Email]),
                "individual.phone" => add(&[Field::Phone]),
                "individual.verification.document" => {
                    add(&[Field::FirstName, Field::LastName, Field::Dob]);
                }
                "individual.ssn_last_4" => add(&[Field::IdNumber, Field::SsnLast4]),
                "individual.id_number" => add(&[Field::IdNumber]),
                "external_account" => add(&[
                    Field::AccountHolder,
                    Field::RoutingNumber,
                    Field::AccountNumber,
                ]),
                r if r.starts_with("individual.dob.") => add(&[Field::Dob]),
                // The address goes to Stripe whole.
                r if r.starts_with("individual.address.") => add(&[
                    Field::Line1,
                    Field::Line2,
                    Field::City,
                    Field::State,
                    Field::PostalCode,
                    Field::Country,
                ]),
                r if r.starts_with("tos_acceptance.") => add(&[Field::AcceptTerms]),
                // Company details, documents…: not this form's; the status page lists them.
                _ => {}
            }
        }
        due.full_id_number = requirements.contains(&"individual.id_number");
        if due.full_id_number {
            due.fields.retain(|field| *field != Field::SsnLast4);
        }
        due.fields.sort();
        due
    }

    /// The steps with something to ask, in order.
    pub fn steps(&self) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|step| self.fields.iter().any(|field| field.step() == *step))
            .collect()
    }

    /// The fields of `step`, in order.
    pub fn fields_of(&self, step: Step) -> Vec<Field> {
        self.fields
            .iter()
            .copied()
            .filter(|field| field.step() == step)
            .collect()
    }

    pub fn asks(&self, field: Field) -> bool {
        self.fields.contains(&field)
    }
}

/// The answers, by input key (`first_name`, `dob_day`, …), as typed.
pub type Values = HashMap<&'static str, String>;

/// The answer of input `key`, trimmed.
pub fn value<'a>(values: &'a Values, key: &str) -> &'a str {
    values.get(key).map_or("", |value| value.trim())
}

fn digits(text: &str) -> usize {
    text.chars().filter(char::is_ascii_digit).count()
}

/// The date of birth typed, if it is a real date.
pub fn date_of_birth(values: &Values) -> Option<DateOfBirth> {
    let day: u8 = value(values, "dob_day").parse().ok()?;
    let month: u8 = value(values, "dob_month").parse().ok()?;
    let year: u16 = value(values, "dob_year").parse().ok()?;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=2100).contains(&year) && (1..=days).contains(&day)).then_some(DateOfBirth {
        day,
        month,
        year,
    })
}

/// Stripe requires a representative to be at least 13 (`today` as year, month, day).
fn at_least_13(dob: DateOfBirth, (year, month, day): (u16, u8, u8)) -> bool {
    let birthday_passed = (month, day) >= (dob.month, dob.day);
    i32::from(year) - i32::from(dob.year) - i32::from(!birthday_passed) >= 13
}

/// What is wrong with the answer to `field`, in words that say what to fix; `None` when it is
/// fine. The same rules as the function's (`CustomDetails::validate`), said for people.
pub fn check(
    field: Field,
    values: &Values,
    due: &Due,
    today: (u16, u8, u8),
    strings: &SellerStrings,
) -> Option<&'static str> {
    let text = value(values, field.key());
    let fail = |wrong: bool, words: &'static str| wrong.then_some(words);
    match field {
        Field::BusinessType => fail(text != "individual", strings.err_business_type),
        Field::BusinessUrl => {
            let described = !value(values, "product_description").is_empty();
            let url_ok = (text.starts_with("https://") || text.starts_with("http://"))
                && text.len() > "https://".len()
                && text.len() <= 500
                && !text.contains(char::is_whitespace);
            fail(
                if text.is_empty() { !described } else { !url_ok },
                strings.err_business_url,
            )
        }
        Field::ProductDescription => None,
        Field::Mcc => fail(
            text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()),
            strings.err_mcc,
        ),
        Field::FirstName => fail(text.is_empty() || text.len() > 100, strings.err_first_name),
        Field::LastName => fail(text.is_empty() || text.len() > 100, strings.err_last_name),
        Field::Email => fail(!plausible_email(text), strings.err_email),
        Field::Phone => fail(
            !text
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
                || !(7..=15).contains(&digits(text)),
            strings.err_phone,
        ),
        Field::Dob => match date_of_birth(values) {
            None => Some(strings.err_dob),
            Some(dob) => fail(!at_least_13(dob, today), strings.err_dob_age),
        },
        Field::Line1 => fail(text.is_empty(), strings.err_line1),
        Field::Line2 => None,
        Field::City => fail(text.is_empty(), strings.err_city),
        Field::State => fail(
            text.is_empty() && needs_state(value(values, "country")),
            strings.err_state,
        ),
        Field::PostalCode => fail(text.is_empty() || text.len() > 12, strings.err_postal_code),
        Field::Country => fail(
            text.len() != 2 || !text.bytes().all(|b| b.is_ascii_uppercase()),
            strings.err_country,
        ),
        Field::IdNumber => {
            let last4 = value(values, "ssn_last_4");
            let needed = due.full_id_number || !due.asks(Field::SsnLast4) || last4.is_empty();
            if text.is_empty() {
                return fail(
                    needed,
                    if due.full_id_number || !due.asks(Field::SsnLast4) {
                        strings.err_id_number
                    } else {
                        strings.err_identity
                    },
                );
            }
            fail(
                !(4..=20).contains(&text.len()) || !text.chars().all(|c| c.is_ascii_alphanumeric()),
                strings.err_id_number,
            )
        }
        Field::SsnLast4 => fail(
            !text.is_empty() && (text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit())),
            strings.err_ssn_last_4,
        ),
        Field::AccountHolder => fail(text.is_empty(), strings.err_account_holder),
        Field::RoutingNumber => fail(
            text.len() != 9 || !text.bytes().all(|b| b.is_ascii_digit()),
            strings.err_routing_number,
        ),
        Field::AccountNumber => fail(
            !(4..=17).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()),
            strings.err_account_number,
        ),
        Field::AcceptTerms => fail(text != "on", strings.err_terms),
    }
}

/// Every problem of `step`'s answers, in the form's order.
pub fn check_step(
    step: Step,
    values: &Values,
    due: &Due,
    today: (u16, u8, u8),
    strings: &SellerStrings,
) -> Vec<(Field, String)> {
    due.fields_of(step)
        .into_iter()
        .filter_map(|field| {
            check(field, values, due, today, strings).map(|words| (field, words.to_owned()))
        })
        .collect()
}

fn some_text(values: &Values, key: &str) -> Option<String> {
    let text = value(values, key);
    (!text.is_empty()).then(|| text.to_owned())
}

/// The answers to what is due, as the function takes them. The bank account goes as a token
/// made in the browser (`bank_account_token`), never as numbers.
pub fn details(values: &Values, due: &Due, bank_account_token: Option<String>) -> CustomDetails {
    let asks = |field| due.asks(field);
    // The trimmed answer to `field`, when it is asked for and not empty.
    let answer = |field: Field| {
        asks(field)
            .then(|| some_text(values, field.key()))
            .flatten()
    };
    let person_fields = [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Phone,
        Field::Dob,
        Field::Line1,
        Field::IdNumber,
        Field::SsnLast4,
    ];
    let individual = person_fields.iter().any(|f| asks(*f)).then(|| Individual {
        first_name: answer(Field::FirstName),
        last_name: answer(Field::LastName),
        email: answer(Field::Email),
        phone: answer(Field::Phone),
        dob: asks(Field::Dob).then(|| date_of_birth(values)).flatten(),
        address: asks(Field::Line1).then(|| Address {
            line1: value(values, "line1").to_owned(),
            line2: some_text(values, "line2"),
            city: value(values, "city").to_owned(),
            state: some_text(values, "state"),
            postal_code: value(values, "postal_code").to_owned(),
            country: value(values, "country").to_owned(),
        }),
        id_number: answer(Field::IdNumber),
        ssn_last_4: answer(Field::SsnLast4),
    });
    CustomDetails {
        business_type: asks(Field::BusinessType).then_some(BusinessType::Individual),
        individual,
        business_url: answer(Field::BusinessUrl),
        product_description: answer(Field::ProductDescription),
        mcc: answer(Field::Mcc),
        bank_account_token,
        accept_terms: asks(Field::AcceptTerms) && value(values, "accept_terms") == "on",
    }
}
