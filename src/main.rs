//! The demo store: trunk builds this binary from index.html (`data-bin="demo-store"`); it only
//! mounts the store of the library into `<main id="app">`.
//!
//! Build: `trunk build --release` (see TOOLCHAIN.md); the function serves `dist/`.

fn main() {
    connect_checkout::store::mount();
}
