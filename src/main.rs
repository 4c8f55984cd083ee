//! The demo store: trunk builds this binary from index.html (`data-bin="demo-store"`); it only
//! mounts the store of the library into `<main id="app">`, or, on `/onboarding` and `/seller`
//! (the function serves index.html for every page path), the seller's pages, or on `/embed`
//! the embed's docs page.
//!
//! Build: `trunk build --release` (see docs/toolchain.md); the function serves `dist/`.

fn main() {
    let path = web_sys::window()
        .and_then(|window| window.location().pathname().ok())
        .unwrap_or_default();
    match path.trim_end_matches('/') {
        "/onboarding" => connect_checkout::onboarding::mount(),
        "/seller" => connect_checkout::seller::mount(),
        "/embed" => connect_checkout::docs::mount(),
        _ => connect_checkout::store::mount(),
    }
}
