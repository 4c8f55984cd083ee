//! What the widget (wasm) and the function (native) share: the messages of the function's
//! HTTP API, money in integer minor units, the platform fee arithmetic, input validation, and
//! the one retry rule (when to try again, by whom, how long to wait).
//!
//! This crate is not a Stripe client and does no I/O: no network, no clock, no randomness, no
//! environment. Whatever needs one of those takes it as a parameter, so every rule here is
//! tested with plain values and compiles for `wasm32-unknown-unknown` as well as natively.

pub mod api;
pub mod fee;
pub mod ids;
pub mod money;
pub mod retry;

pub use fee::{FeePolicy, FeePolicyError};
pub use ids::{
    AccountId, AttemptId, ChargeId, IdError, PaymentIntentId, PriceId, RefundId, StripeId, TokenId,
    TransferId,
};
pub use money::{Currency, CurrencyError, Money};
