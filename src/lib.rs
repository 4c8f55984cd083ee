//! The connect-checkout widget, compiled to WebAssembly: a checkout that takes a card payment
//! for one Stripe Connect seller, or for several in one marketplace cart, and the demo's seller
//! pages. Its state lives in Leptos's signals; the seller pages render with Leptos's `view!`,
//! the checkout with [`dom`] (the embed's size).
//!
//! It holds only the platform's publishable key. Card details are collected by Stripe.js's
//! Payment Element (an iframe: they never touch this code); everything that needs a secret key
//! or decides an amount is asked of the function (`crates/function`) through [`api`].
//!
//! Map:
//! - [`checkout`]: the shopper's journey: the checkout, its states and its view.
//! - [`dom`]: the checkout view's elements, built and kept current by hand (not `view!`), for size.
//! - [`store`]: the demo store page (`src/main.rs` mounts it into index.html).
//! - [`stripe_js`]: typed bindings to the subset of Stripe.js we use, and its loader.
//! - [`api`]: the client of the function.
//! - [`money`]: amounts formatted for people through `Intl.NumberFormat`.
//! - [`i18n`]: every word the shopper reads.
//! - [`wire`]: the function's and Stripe.js's messages read from browser values (no serde).
//! - [`onboarding`]: the seller's onboarding page (`/onboarding`): kinds of account, creation,
//!   Stripe's hosted onboarding or the platform's own form for Custom accounts.
//! - [`seller`]: the seller's own page (`/seller`): status, payments, refunds, dashboard; and
//!   the seller API client and status view the onboarding page shares.
//! - [`docs`]: the embed's documentation page (`/embed`), with a live playground.
//! - [`embed`]: the embeddable checkout's JS API (`mount`), behind the `embed` feature; the
//!   `<connect-checkout>` element and `ConnectCheckout` global are in www/embed/loader.js.
//!
//! Features: `demo` (default) compiles the demo's pages (`store`, `onboarding`, `seller`,
//! `docs`); the embed build is `--no-default-features --features embed`: the checkout alone.
//!
//! What it is not: a router, a Stripe client with a secret key, or a place that computes a
//! price. The amount charged is always the function's.

pub mod api;
pub mod checkout;
#[cfg(feature = "demo")]
pub mod docs;
pub mod dom;
#[cfg(feature = "embed")]
pub mod embed;
pub mod i18n;
pub mod money;
#[cfg(feature = "demo")]
pub mod onboarding;
#[cfg(feature = "demo")]
pub mod seller;
#[cfg(feature = "demo")]
pub mod store;
pub mod stripe_js;
pub mod wire;

/// Talc rather than Rust's default wasm allocator (dlmalloc): it reuses and coalesces freed
/// blocks, as a long-lived widget needs, in less code. With crates/send-wrapper (which stops
/// std from keeping dlmalloc for its thread handle) it took the embed from 99.9 to 97.0 KB
/// brotli; lol_alloc's free list was 0.25 KB smaller still, but is O(free blocks) per call and
/// barely maintained. `disable-realloc-in-place` saved 0.3 KB (a grown `Vec` is copied).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use checkout::{CheckoutEvent, CheckoutOptions, mount_checkout, mount_checkout_with};
