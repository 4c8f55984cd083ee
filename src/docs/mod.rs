//! The embed's documentation page in the demo (`/embed`): how a platform puts the checkout on
//! its own site, with a live playground (`playground`): change the options, see the snippet
//! and the widget follow. The widget on this page is the real embed: the loader this function
//! serves at `/embed/loader.js`, the same files a host page on another origin gets.
//!
//! README "Embedding" is the reference; this page shows it working. Developer documentation,
//! in English only.

mod playground;

use leptos::mount::mount_to;
use leptos::prelude::*;

use crate::api::Api;
use playground::Playground;

/// Where the embed's stable loader is served, on this function's origin.
pub const LOADER_PATH: &str = "/embed/loader.js";

/// Mounts the docs page into index.html's `<main id="app">`.
pub fn mount() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Some(parent) = document
        .get_element_by_id(crate::store::MOUNT_ID)
        .and_then(|element| wasm_bindgen::JsCast::dyn_into(element).ok())
    else {
        return;
    };
    document.set_title("Embed the checkout · connect-checkout");
    if let Ok(Some(heading)) = document.query_selector(".store-header h1") {
        heading.set_text_content(Some("Embed the checkout"));
    }
    if let Ok(Some(text)) = document.query_selector(".store-header p") {
        text.set_text_content(Some(
            "Put the checkout on your own site, on any origin: one script and one element.",
        ));
    }
    load_loader(&document);
    mount_to(parent, || view! { <DocsPage /> }).forget();
}

/// Adds `<script src="/embed/loader.js">` to the page once, as a host page would.
fn load_loader(document: &web_sys::Document) {
    if document
        .query_selector(&format!("script[src=\"{LOADER_PATH}\"]"))
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let Ok(script) = document.create_element("script") else {
        return;
    };
    let _ = script.set_attribute("src", LOADER_PATH);
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}

/// This page's origin: where the function, and so the loader, answer.
fn origin() -> String {
    web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default()
}

/// The whole page: the playground, then the reference.
#[component]
pub fn DocsPage() -> impl IntoView {
    let origin = origin();
    // Stripe.js's origin, for the Content-Security-Policy a host page needs.
    let stripe_js = RwSignal::new(String::from("https://js.stripe.com"));
    leptos::task::spawn_local(async move {
        let Ok(controller) = web_sys::AbortController::new() else {
            return;
        };
        if let Ok(config) = Api::new("").config(&controller.signal()).await {
            let url = config.stripe_js_url;
            let end = url
                .find("://")
                .map(|scheme| {
                    url[scheme + 3..]
                        .find('/')
                        .map_or(url.len(), |path| scheme + 3 + path)
                })
                .unwrap_or(url.len());
            stripe_js.set(url[..end].to_owned());
        }
    });
    let csp = {
        let origin = origin.clone();
        move || host_csp(&origin, &stripe_js.get())
    };
    let loader = format!("{origin}{LOADER_PATH}");
    let element_snippet = format!(
        "<script src=\"{loader}\" async></script>\n\n\
         <connect-checkout seller=\"acct_…\" price=\"price_…\" quantity=\"1\"></connect-checkout>"
    );
    let js_snippet = format!(
        "<script src=\"{loader}\"></script>\n<div id=\"checkout\"></div>\n<script type=\"module\">\n\
         \x20 const checkout = ConnectCheckout.mount(document.getElementById('checkout'), {{\n\
         \x20   seller: 'acct_…',\n\
         \x20   items: [{{ price: 'price_…', quantity: 2 }}],\n\
         \x20   locale: 'fr-FR',\n\
         \x20   onSuccess: ({{ paymentIntent, amount, currency }}) => showThanks(paymentIntent),\n\
         \x20   onError: ({{ code, message }}) => console.warn(code, message),\n\
         \x20 }});\n\
         \x20 // later: checkout.update({{ theme: 'dark' }}); checkout.unmount();\n\
         </script>"
    );
    let npm_snippet = "// cargo xtask dist writes the package: target/dist/embed-package/\n\
         import { mount } from '@connect-checkout/embed';\n\n\
         const checkout = mount(document.querySelector('#checkout'), {\n\
         \x20 apiBase: 'https://pay.example.com',\n\
         \x20 seller: 'acct_…',\n\
         \x20 onSuccess: (detail) => console.log('paid', detail.paymentIntent),\n\
         });";
    let marketplace_snippet = "<connect-checkout sellers=\"acct_…,acct_…,acct_…\"></connect-checkout>\n\n\
         ConnectCheckout.mount(element, {\n\
         \x20 items: [\n\
         \x20   { seller: 'acct_…', price: 'price_…', quantity: 2 },\n\
         \x20   { seller: 'acct_…', price: 'price_…' },\n\
         \x20 ],\n\
         \x20 onWarning: ({ code, paymentIntent }) => console.warn(code, paymentIntent),\n\
         });";
    let events_snippet = "document.querySelector('connect-checkout')\n\
         \x20 .addEventListener('cc-success', (event) => {\n\
         \x20   const { paymentIntent, amount, currency, seller } = event.detail;\n\
         \x20 });";

    view! {
        <div class="cs-page cc-docs">
            <section class="cs-card" aria-labelledby="docs-playground">
                <h2 id="docs-playground">"Playground"</h2>
                <p>
                    "Choose the options: the snippet and the checkout below follow. The checkout is the
                    real embed, loaded from "<code>{LOADER_PATH}</code>
                    " as your page would load it; pay with 4242 4242 4242 4242 in the sandbox."
                </p>
                <Playground origin=origin.clone() />
            </section>

            <section class="cs-card" aria-labelledby="docs-ways">
                <h2 id="docs-ways">"Three ways in"</h2>
                <h3>"1. The element"</h3>
                <p>
                    "One script, from your checkout function's origin, then the element wherever the
                    checkout goes. Its attributes are the options; changing one updates the checkout."
                </p>
                <pre class="cc-docs-code"><code>{element_snippet}</code></pre>
                <h3>"2. The JavaScript call"</h3>
                <p>
                    <code>"ConnectCheckout.mount(element, options)"</code>
                    " returns a handle with "<code>"update(options)"</code>" and "
                    <code>"unmount()"</code>"; the events are callbacks too."
                </p>
                <pre class="cc-docs-code"><code>{js_snippet}</code></pre>
                <h3>"3. The npm package"</h3>
                <p>
                    "The same loader as an ES module, the wasm and the types ("
                    <code>"index.d.ts"</code>"), for a bundler."
                </p>
                <pre class="cc-docs-code"><code>{npm_snippet}</code></pre>
            </section>

            <section class="cs-card" aria-labelledby="docs-marketplace">
                <h2 id="docs-marketplace">"Several sellers in one cart"</h2>
                <p>
                    <code>"sellers"</code>" (at most 10), or "<code>"items"</code>
                    " that each name their "<code>"seller"</code>", put several sellers' products in
                    one cart, grouped by seller with a subtotal each, in one currency. The shopper
                    pays once: the function makes one charge on the platform and, once it
                    succeeds, a transfer to each seller of their subtotal less the platform's fee
                    (Stripe's separate charges and transfers). A seller without items offers all
                    their products, the first once. In the events, "<code>"seller"</code>
                    " is then the first seller and each line names its own."
                </p>
                <pre class="cc-docs-code"><code>{marketplace_snippet}</code></pre>
            </section>

            <section class="cs-card" aria-labelledby="docs-options">
                <h2 id="docs-options">"Options"</h2>
                <div class="cc-docs-table">
                    <table>
                        <thead>
                            <tr><th scope="col">"attribute"</th><th scope="col">"option"</th><th scope="col">"meaning"</th></tr>
                        </thead>
                        <tbody>
                            <tr><td><code>"api-base"</code></td><td><code>"apiBase"</code></td><td>"the function's origin; by default the loader's"</td></tr>
                            <tr><td><code>"seller"</code></td><td><code>"seller"</code></td><td>"the connected account, acct_…; without it the shopper picks a seller"</td></tr>
                            <tr><td><code>"price"</code>", "<code>"quantity"</code></td><td><code>"price"</code>", "<code>"quantity"</code></td><td>"one of the seller's prices to offer, and its first quantity (1)"</td></tr>
                            <tr><td><code>"sellers"</code>" (comma-separated)"</td><td><code>"sellers"</code></td><td>"several sellers' products in one cart, paid once (instead of seller)"</td></tr>
                            <tr><td><code>"items"</code>" (JSON)"</td><td><code>"items"</code></td><td>"several: [{\"price\": \"price_…\", \"quantity\": 2}]; by default every product of the seller; with several sellers each names its \"seller\""</td></tr>
                            <tr><td><code>"locale"</code></td><td><code>"locale"</code></td><td>"en-US, fr-FR…; by default the element's lang, then the browser's"</td></tr>
                            <tr><td><code>"theme"</code></td><td><code>"theme"</code></td><td>"light, dark or auto (the shopper's preference); --cc-* custom properties restyle it"</td></tr>
                            <tr><td><code>"cancelable"</code></td><td><code>"cancelable"</code></td><td>"shows a Cancel button, which sends cc-cancel"</td></tr>
                        </tbody>
                    </table>
                </div>
            </section>

            <section class="cs-card" aria-labelledby="docs-events">
                <h2 id="docs-events">"Events"</h2>
                <p>
                    "DOM events on the element (they bubble), and the same as "<code>"onReady"</code>
                    ", "<code>"onChange"</code>"… callbacks of "<code>"mount"</code>
                    ". Amounts are integers in the currency's minor units (1200 is $12.00)."
                </p>
                <div class="cc-docs-table">
                    <table>
                        <thead>
                            <tr><th scope="col">"event"</th><th scope="col">"detail"</th><th scope="col">"when"</th></tr>
                        </thead>
                        <tbody>
                            <tr><td><code>"cc-ready"</code></td><td><code>"{seller, amount, currency}"</code></td><td>"the first cart is shown; Pay works (once)"</td></tr>
                            <tr><td><code>"cc-change"</code></td><td><code>"{seller, amount, currency, lines}"</code></td><td>"the cart changed (no PaymentIntent until Pay); lines are {seller, price, name, quantity, unitAmount, amount}"</td></tr>
                            <tr><td><code>"cc-success"</code></td><td><code>"{paymentIntent, amount, currency, seller}"</code></td><td>"Stripe says the payment succeeded"</td></tr>
                            <tr><td><code>"cc-error"</code></td><td><code>"{code, message, declineCode?}"</code></td><td>"something went wrong; the checkout shows the message"</td></tr>
                            <tr><td><code>"cc-warning"</code></td><td><code>"{code, paymentIntent}"</code></td><td>"after a cart of several sellers was paid, the sellers' transfers could not be confirmed from the page; not shown to the shopper (Stripe's webhook makes them)"</td></tr>
                            <tr><td><code>"cc-cancel"</code></td><td><code>"{seller}"</code></td><td>"the shopper pressed Cancel"</td></tr>
                        </tbody>
                    </table>
                </div>
                <pre class="cc-docs-code"><code>{events_snippet}</code></pre>
            </section>

            <section class="cs-card" aria-labelledby="docs-csp">
                <h2 id="docs-csp">"Your page's Content-Security-Policy"</h2>
                <p>
                    "The checkout runs in your page: its script, wasm and stylesheet come from the
                    function's origin, the card fields from Stripe's. For this function:"
                </p>
                <pre class="cc-docs-code" data-role="host-csp"><code>{csp}</code></pre>
                <p>
                    "And the function must list your page's origin in "<code>"ALLOWED_ORIGINS"</code>
                    ": it answers the API's calls from those origins only."
                </p>
            </section>
        </div>
    }
}

/// The Content-Security-Policy a host page needs for the function at `function` and
/// Stripe.js at `stripe_js` (both origins); with js.stripe.com, Stripe's documented sources.
pub fn host_csp(function: &str, stripe_js: &str) -> String {
    let stripe = stripe_js == "https://js.stripe.com";
    let (scripts, frames, connect) = if stripe {
        (
            "https://js.stripe.com https://*.js.stripe.com",
            "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
            "https://api.stripe.com",
        )
    } else {
        (stripe_js, stripe_js, stripe_js)
    };
    format!(
        "script-src 'self' {function} {scripts} 'wasm-unsafe-eval';\n\
         style-src 'self' {function};\n\
         connect-src 'self' {function} {connect};\n\
         frame-src {frames};\n\
         img-src 'self' data: {stripe_js};"
    )
}
