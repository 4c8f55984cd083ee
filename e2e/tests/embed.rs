//! The embed on a platform's own site: a host page on another origin than the function loads
//! `/embed/loader.js` under the Content-Security-Policy README "Embedding" gives, and the
//! shopper pays through the `<connect-checkout>` element or `ConnectCheckout.mount`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connect_checkout_e2e::host::{Host, host_csp, host_page};
use connect_checkout_e2e::{Browser, HOUSE_BLEND_PRICE, SELLER, Stack, embed_package};
use serde_json::Value;

/// The second seeded seller, in yen, and its price.
const TEA_SELLER: &str = "acct_1KyotoTeaHouse01";
const SENCHA_PRICE: &str = "price_1KyotoSencha00001";

/// Where a host page's bundler would have copied the npm package.
const PACKAGE_AT: &str = "/node_modules/@connect-checkout/embed";

/// Records every `cc-*` event that reaches the document, as the page's own script would.
const RECORD_EVENTS: &str = "window.ccEvents = [];\n\
['cc-ready', 'cc-change', 'cc-success', 'cc-error', 'cc-cancel'].forEach(function (name) {\n\
  document.addEventListener(name, function (event) {\n\
    window.ccEvents.push({ type: event.type, target: event.target.id,\n\
      detail: JSON.parse(JSON.stringify(event.detail)) });\n\
  });\n\
});\n";

/// The host site, the stack with the host's origin allowed (or not), and a browser.
struct Embedding {
    host: Host,
    stack: Stack,
    browser: Browser,
}

impl Embedding {
    async fn start(allow_host: bool) -> Self {
        let host = Host::start().await;
        let allowed = if allow_host {
            host.origin.clone()
        } else {
            "https://another-platform.example".to_owned()
        };
        let stack = Stack::start_with(&[("ALLOWED_ORIGINS", &allowed)]).await;
        host.script("/events.js", RECORD_EVENTS);
        Self {
            host,
            stack,
            browser: Browser::start().await,
        }
    }

    /// Serves `body` at `path` with the loader and `scripts` (the host's own files) in its
    /// head, under the policy the README gives, and opens it.
    async fn open(&self, path: &str, scripts: &[&str], body: &str) {
        let head: String = scripts
            .iter()
            .map(|src| format!("<script src=\"{src}\"></script>\n"))
            .collect();
        let csp = host_csp(&self.stack.function_url, &self.stack.sandbox.base_url());
        self.host.page(
            path,
            host_page(&self.stack.function_url, &head, body),
            Some(csp),
        );
        self.browser
            .client
            .goto(&self.host.url(path))
            .await
            .unwrap();
    }

    /// Enters the good test card in the checkout inside `#id` and presses its Pay button.
    async fn pay(&self, id: &str) {
        let element = format!("#{id} [data-role=\"payment-element\"]");
        self.browser.find(&format!("{element} iframe")).await;
        self.browser
            .enter_card(&element, "4242 4242 4242 4242", "12 / 34", "123", "10001")
            .await;
        let pay = format!("document.querySelector('#{id} button[data-role=\"pay\"]')");
        self.browser
            .wait_until(
                "an enabled Pay button",
                &format!("{pay} && !{pay}.disabled"),
            )
            .await;
        self.browser
            .find(&format!("#{id} button[data-role=\"pay\"]"))
            .await
            .click()
            .await
            .unwrap();
        self.browser
            .find(&format!("#{id} [data-role=\"receipt\"]"))
            .await;
    }

    /// The events recorded so far, of `type` (`cc-success`, …) from the element `#target`.
    async fn events(&self, kind: &str, target: &str) -> Vec<Value> {
        let all = self.browser.eval("window.ccEvents").await;
        all.as_array()
            .unwrap()
            .iter()
            .filter(|event| event["type"] == kind && event["target"] == target)
            .map(|event| event["detail"].clone())
            .collect()
    }

    /// The one succeeded PaymentIntent on `seller`'s account.
    async fn paid(&self, seller: &str) -> Value {
        let succeeded: Vec<Value> = self
            .stack
            .payment_intents(seller)
            .await
            .into_iter()
            .filter(|intent| intent["status"] == "succeeded")
            .collect();
        assert_eq!(
            succeeded.len(),
            1,
            "one payment on {seller}: {succeeded:#?}"
        );
        succeeded.into_iter().next().unwrap()
    }

    /// Serves the npm package's files under [`PACKAGE_AT`] on the host, as a bundler would
    /// copy them: those whose name `keep` accepts.
    fn serve_package(&self, keep: impl Fn(&str) -> bool) {
        for entry in std::fs::read_dir(embed_package()).unwrap() {
            let path = entry.unwrap().path();
            let content_type = match path.extension().and_then(|e| e.to_str()) {
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                Some("json") => "application/json",
                _ => "text/plain",
            };
            let name = path.file_name().unwrap().to_str().unwrap();
            if keep(name) {
                self.host.file(
                    &format!("{PACKAGE_AT}/{name}"),
                    content_type,
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }

    /// Opens a page whose own module `app.js` imports the package (no loader from the
    /// function: the package is the loader).
    async fn open_bundled(&self, path: &str, app: &str) {
        self.host.script("/app.js", app);
        let html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
                    <title>A platform's page</title>\n\
                    <script type=\"module\" src=\"/app.js\"></script>\n</head>\n\
                    <body>\n<h1>A platform's page</h1>\n<div id=\"checkout\"></div>\n</body>\n</html>\n";
        let csp = host_csp(&self.stack.function_url, &self.stack.sandbox.base_url());
        self.host.page(path, html.to_owned(), Some(csp));
        self.browser
            .client
            .goto(&self.host.url(path))
            .await
            .unwrap();
    }

    /// How many `<script>`s on the page load the sandbox's Stripe.js.
    async fn stripe_js_scripts(&self) -> Value {
        let stripe_js = format!("{}/v3/", self.stack.sandbox.base_url());
        self.browser
            .eval(&format!(
                "document.querySelectorAll('script[src=\"{stripe_js}\"]').length"
            ))
            .await
    }

    async fn stop(self) {
        self.browser.close().await;
        self.stack.shutdown().await;
        self.host.stop();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_custom_element_takes_a_payment_cross_origin_and_tells_the_page_each_step() {
    let page = Embedding::start(true).await;
    page.open(
        "/shop",
        &["/events.js"],
        &format!(
            "<connect-checkout id=\"coffee\" seller=\"{SELLER}\" price=\"{HOUSE_BLEND_PRICE}\" \
             quantity=\"2\"></connect-checkout>"
        ),
    )
    .await;
    page.browser
        .wait_until(
            "the ready event",
            "window.ccEvents.some(e => e.type === 'cc-ready')",
        )
        .await;
    assert!(
        page.stack.payment_intents(SELLER).await.is_empty(),
        "cc-ready and cc-change come before any PaymentIntent"
    );
    page.pay("coffee").await;
    page.browser
        .wait_until(
            "the success event",
            "window.ccEvents.some(e => e.type === 'cc-success')",
        )
        .await;

    // The function priced it: 2 × $12.00, whatever the page might have wanted.
    let intent = page.paid(SELLER).await;
    assert_eq!(intent["amount"], 2400);
    assert_eq!(intent["currency"], "usd");

    let ready = page.events("cc-ready", "coffee").await;
    assert_eq!(ready.len(), 1, "ready once: {ready:?}");
    assert_eq!(ready[0]["seller"], SELLER);
    assert_eq!(ready[0]["amount"], 2400);
    assert_eq!(ready[0]["currency"], "usd");

    let change = page.events("cc-change", "coffee").await;
    let first = change.first().expect("a change event for the priced cart");
    assert_eq!(first["amount"], 2400);
    assert_eq!(first["lines"][0]["price"], HOUSE_BLEND_PRICE);
    assert_eq!(first["lines"][0]["name"], "House Blend, 250 g");
    assert_eq!(first["lines"][0]["quantity"], 2);
    assert_eq!(first["lines"][0]["unitAmount"], 1200);
    assert_eq!(first["lines"][0]["amount"], 2400);

    let success = page.events("cc-success", "coffee").await;
    assert_eq!(success.len(), 1, "success once: {success:?}");
    assert_eq!(success[0]["paymentIntent"], intent["id"]);
    assert_eq!(success[0]["amount"], 2400);
    assert_eq!(success[0]["currency"], "usd");
    assert_eq!(success[0]["seller"], SELLER);
    assert!(page.events("cc-error", "coffee").await.is_empty());

    // Its own names only: one stylesheet link, the element and the global.
    assert_eq!(
        page.browser
            .eval("document.querySelectorAll('link[data-connect-checkout]').length")
            .await,
        1
    );
    page.browser.screenshot("embed-element-paid").await;
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_js_call_takes_a_payment_with_callbacks_and_a_live_update() {
    let page = Embedding::start(true).await;
    page.host.script(
        "/mount.js",
        &format!(
            "window.ccCallbacks = [];\n\
             var checkout = ConnectCheckout.mount(document.getElementById('pay-here'), {{\n\
             \x20 seller: '{SELLER}',\n\
             \x20 items: [{{ price: '{HOUSE_BLEND_PRICE}', quantity: 1 }}],\n\
             \x20 onReady: function (d) {{ window.ccCallbacks.push(['ready', d]); }},\n\
             \x20 onSuccess: function (d) {{ window.ccCallbacks.push(['success', d]); }}\n\
             }});\n\
             window.ccHandle = checkout;\n"
        ),
    );
    page.open(
        "/mount",
        &["/events.js"],
        "<div id=\"pay-here\"></div>\n<script src=\"/mount.js\"></script>",
    )
    .await;
    page.browser
        .wait_until(
            "the ready callback",
            "window.ccCallbacks.some(c => c[0] === 'ready')",
        )
        .await;

    // The page changes its mind before paying: three cups, priced afresh by the function.
    page.browser
        .eval(&format!(
            "window.ccHandle.update({{ items: [{{ price: '{HOUSE_BLEND_PRICE}', quantity: 3 }}] }}) \
             === window.ccHandle"
        ))
        .await;
    page.browser
        .wait_until(
            "the cart of three",
            "window.ccEvents.some(e => e.type === 'cc-change' && e.detail.amount === 3600)",
        )
        .await;
    page.pay("pay-here").await;
    page.browser
        .wait_until(
            "the success callback",
            "window.ccCallbacks.some(c => c[0] === 'success')",
        )
        .await;

    let intent = page.paid(SELLER).await;
    assert_eq!(intent["amount"], 3600);
    let callbacks = page.browser.eval("window.ccCallbacks").await;
    let success: Vec<&Value> = callbacks
        .as_array()
        .unwrap()
        .iter()
        .filter(|call| call[0] == "success")
        .map(|call| &call[1])
        .collect();
    assert_eq!(success.len(), 1);
    assert_eq!(success[0]["paymentIntent"], intent["id"]);
    assert_eq!(success[0]["amount"], 3600);
    // The callback and the DOM event carry the same detail.
    assert_eq!(
        page.events("cc-success", "pay-here").await,
        vec![success[0].clone()]
    );
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_checkouts_for_two_sellers_on_one_page_pay_independently_with_one_stripe_js() {
    let page = Embedding::start(true).await;
    page.open(
        "/two",
        &["/events.js"],
        &format!(
            "<connect-checkout id=\"coffee\" seller=\"{SELLER}\" price=\"{HOUSE_BLEND_PRICE}\">\
             </connect-checkout>\n\
             <connect-checkout id=\"tea\" seller=\"{TEA_SELLER}\" price=\"{SENCHA_PRICE}\" \
             locale=\"ja-JP\"></connect-checkout>"
        ),
    )
    .await;
    page.browser
        .wait_until(
            "both checkouts ready",
            "window.ccEvents.filter(e => e.type === 'cc-ready').length === 2",
        )
        .await;
    page.pay("tea").await;
    page.pay("coffee").await;

    let coffee = page.paid(SELLER).await;
    let tea = page.paid(TEA_SELLER).await;
    assert_eq!(
        (coffee["amount"].clone(), coffee["currency"].clone()),
        (1200.into(), "usd".into())
    );
    assert_eq!(
        (tea["amount"].clone(), tea["currency"].clone()),
        (1500.into(), "jpy".into())
    );
    assert_eq!(
        page.events("cc-success", "coffee").await[0]["paymentIntent"],
        coffee["id"]
    );
    assert_eq!(
        page.events("cc-success", "tea").await[0]["paymentIntent"],
        tea["id"]
    );

    assert_eq!(
        page.stripe_js_scripts().await,
        1,
        "Stripe.js is injected once for the page"
    );
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_origin_the_function_does_not_allow_gets_no_checkout() {
    let page = Embedding::start(false).await;
    page.open(
        "/elsewhere",
        &["/events.js"],
        &format!("<connect-checkout id=\"coffee\" seller=\"{SELLER}\"></connect-checkout>"),
    )
    .await;
    page.browser
        .wait_until(
            "an error event",
            "window.ccEvents.some(e => e.type === 'cc-error')",
        )
        .await;
    let error = &page.events("cc-error", "coffee").await[0];
    assert_eq!(error["code"], "network", "{error}");
    assert!(
        !error["message"].as_str().unwrap().is_empty(),
        "the shopper reads why: {error}"
    );
    assert!(page.events("cc-ready", "coffee").await.is_empty());
    // The browser refused the API's answer: nothing reached Stripe for this page.
    assert!(page.stack.payment_intents(SELLER).await.is_empty());
    page.stop().await;
}

/// Counts what a page would leak: listeners on anything, pending timeouts and intervals.
/// Loaded before the loader, so it sees every one the checkout adds in this document.
const COUNT_LEFTOVERS: &str = "(function () {\n\
  var listeners = [];\n\
  var add = EventTarget.prototype.addEventListener;\n\
  var remove = EventTarget.prototype.removeEventListener;\n\
  function capture(options) { return typeof options == 'boolean' ? options : !!(options && options.capture); }\n\
  EventTarget.prototype.addEventListener = function (type, listener, options) {\n\
    var record = { target: this, type: type, listener: listener, capture: capture(options) };\n\
    if (listener && !listeners.some(function (r) { return r.target === record.target && r.type === type && r.listener === listener && r.capture === record.capture; })) {\n\
      if (options && options.once) { return add.call(this, type, listener, options); }\n\
      listeners.push(record);\n\
    }\n\
    return add.call(this, type, listener, options);\n\
  };\n\
  EventTarget.prototype.removeEventListener = function (type, listener, options) {\n\
    var c = capture(options), target = this;\n\
    listeners = listeners.filter(function (r) { return !(r.target === target && r.type === type && r.listener === listener && r.capture === c); });\n\
    return remove.call(this, type, listener, options);\n\
  };\n\
  var timeouts = new Set(), intervals = new Set();\n\
  var setT = window.setTimeout, clearT = window.clearTimeout;\n\
  var setI = window.setInterval, clearI = window.clearInterval;\n\
  window.setTimeout = function (callback) {\n\
    var args = Array.prototype.slice.call(arguments, 1);\n\
    var id = setT.apply(window, [function () { timeouts.delete(id); if (typeof callback == 'function') { callback.apply(this, arguments); } }].concat(args));\n\
    timeouts.add(id);\n\
    return id;\n\
  };\n\
  window.clearTimeout = function (id) { timeouts.delete(id); return clearT.call(window, id); };\n\
  window.setInterval = function () { var id = setI.apply(window, arguments); intervals.add(id); return id; };\n\
  window.clearInterval = function (id) { intervals.delete(id); return clearI.call(window, id); };\n\
  window.ccLeftovers = function () {\n\
    var live = listeners.filter(function (r) { return !(r.target instanceof Node) || r.target.isConnected || r.target === document; });\n\
    return { listeners: live.length, timeouts: timeouts.size, intervals: intervals.size,\n\
      nodes: document.getElementsByTagName('*').length,\n\
      iframes: document.getElementsByTagName('iframe').length };\n\
  };\n\
})();\n";

#[tokio::test(flavor = "multi_thread")]
async fn unmount_leaves_no_listeners_timers_or_dom_behind_however_often_it_mounts() {
    let page = Embedding::start(true).await;
    page.host.script("/count.js", COUNT_LEFTOVERS);
    page.host.script(
        "/cycle.js",
        &format!(
            "window.ccCycle = function () {{\n\
             \x20 return new Promise(function (done) {{\n\
             \x20   var handle = ConnectCheckout.mount(document.getElementById('slot'), {{\n\
             \x20     seller: '{SELLER}', price: '{HOUSE_BLEND_PRICE}',\n\
             \x20     onReady: function () {{\n\
             \x20       handle.unmount();\n\
             \x20       setTimeout(done, 300);\n\
             \x20     }}\n\
             \x20   }});\n\
             \x20 }});\n\
             }};\n"
        ),
    );
    page.open(
        "/cycle",
        &["/count.js", "/events.js"],
        "<div id=\"slot\"></div>\n<script src=\"/cycle.js\"></script>",
    )
    .await;

    // The first cycle loads the wasm and Stripe.js, which stay for the page's next checkout.
    let cycle = "(window.ccCycleDone = false, \
                 window.ccCycle().then(() => window.ccCycleDone = true), true)";
    page.browser.eval(cycle).await;
    page.browser
        .wait_until("a first mount and unmount", "window.ccCycleDone")
        .await;
    let after_first = page.browser.eval("window.ccLeftovers()").await;
    assert_eq!(
        page.browser
            .eval("document.getElementById('slot').childNodes.length")
            .await,
        0,
        "the element is empty again"
    );
    assert_eq!(
        after_first["iframes"], 0,
        "Stripe's field is gone: {after_first}"
    );
    assert_eq!(after_first["intervals"], 0, "{after_first}");

    for round in 0..3 {
        page.browser.eval(cycle).await;
        page.browser
            .wait_until("another mount and unmount", "window.ccCycleDone")
            .await;
        let now = page.browser.eval("window.ccLeftovers()").await;
        assert_eq!(
            now, after_first,
            "round {round}: a mount and an unmount left something behind"
        );
    }
    // And no event after unmount: each cycle sent exactly one ready.
    let ready = page
        .browser
        .eval("window.ccEvents.filter(e => e.type === 'cc-ready').length")
        .await;
    assert_eq!(ready, 4);
    page.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_docs_playground_rewrites_the_snippet_and_the_live_checkout_as_options_change() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/embed", stack.function_url))
        .await
        .unwrap();
    browser
        .find("[data-role=\"pg-host\"] [data-role=\"payment-element\"] iframe")
        .await;
    let snippet = browser.text("[data-role=\"pg-snippet\"]").await;
    assert!(
        snippet.contains(&format!("{}/embed/loader.js", stack.function_url)),
        "{snippet}"
    );
    assert!(
        snippet.contains("<connect-checkout seller=\"acct_"),
        "{snippet}"
    );

    // Another seller and dark: the snippet says so, and the live checkout follows.
    browser
        .eval(&format!(
            "(() => {{ for (const [role, value] of [['pg-seller', '{TEA_SELLER}'], ['pg-theme', 'dark']]) {{\n\
               const select = document.querySelector(`[data-role=\"${{role}}\"]`);\n\
               select.value = value;\n\
               select.dispatchEvent(new Event('change', {{ bubbles: true }}));\n\
             }} return true; }})()"
        ))
        .await;
    browser
        .wait_until(
            "the snippet for the tea seller",
            &format!(
                "document.querySelector('[data-role=\"pg-snippet\"]').textContent.includes('seller=\"{TEA_SELLER}\"') \
                 && document.querySelector('[data-role=\"pg-snippet\"]').textContent.includes('theme=\"dark\"')"
            ),
        )
        .await;
    browser
        .wait_until(
            "the live checkout ready for the tea seller",
            &format!(
                "[...document.querySelectorAll('[data-role=\"pg-events\"] li')]\
                 .some(li => li.textContent.startsWith('cc-ready') && li.textContent.includes('{TEA_SELLER}'))"
            ),
        )
        .await;
    assert_eq!(
        browser
            .eval("document.querySelector('[data-role=\"pg-host\"] connect-checkout').getAttribute('seller')")
            .await,
        TEA_SELLER
    );
    browser.close().await;
    stack.shutdown().await;
}

/// The npm package (`cargo xtask dist`'s `embed-package/`), as a bundler-less site uses it: the
/// host's own module imports `mount` from the package, whose files the host serves itself, as
/// a bundler copies them. The function is only the API: no file comes from it.
#[tokio::test(flavor = "multi_thread")]
async fn the_npm_package_imported_as_a_module_takes_a_payment_from_its_own_files() {
    let page = Embedding::start(true).await;
    page.serve_package(|_| true);
    page.open_bundled(
        "/bundled",
        &format!(
            "import {{ mount, version }} from '{PACKAGE_AT}/index.js';\n\
             window.packageVersion = version;\n\
             window.ccHandle = mount(document.getElementById('checkout'), {{\n\
             \x20 apiBase: '{function}',\n\
             \x20 seller: '{SELLER}',\n\
             \x20 items: [{{ price: '{HOUSE_BLEND_PRICE}', quantity: 2 }}],\n\
             \x20 onSuccess: function (d) {{ window.ccPaid = JSON.parse(JSON.stringify(d)); }}\n\
             }});\n",
            function = page.stack.function_url,
        ),
    )
    .await;

    page.pay("checkout").await;
    page.browser
        .wait_until("the success callback", "window.ccPaid !== undefined")
        .await;
    let intent = page.paid(SELLER).await;
    assert_eq!(intent["amount"], 2400);
    let paid = page.browser.eval("window.ccPaid").await;
    assert_eq!(paid["paymentIntent"], intent["id"]);
    assert_eq!(paid["amount"], 2400);
    assert_eq!(paid["currency"], "usd");

    let version = page.browser.eval("window.packageVersion").await;
    assert!(
        version.as_str().is_some_and(|v| v.starts_with("0.1.0-")),
        "the package's version: {version}"
    );
    // The wasm, its glue and the stylesheet came from the package's folder on the host.
    let fetched = page
        .browser
        .eval("performance.getEntriesByType('resource').map(e => e.name)")
        .await;
    let fetched: Vec<&str> = fetched
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for extension in [".wasm", ".js", ".css"] {
        assert!(
            fetched
                .iter()
                .any(|url| url.starts_with(&page.host.url(PACKAGE_AT))
                    && url.contains("/connect-checkout-")
                    && url.ends_with(extension)),
            "the package's {extension} from the host: {fetched:#?}"
        );
    }
    assert!(
        !fetched
            .iter()
            .any(|url| url.starts_with(&format!("{}/embed/", page.stack.function_url))),
        "nothing of the embed from the function: {fetched:#?}"
    );
    page.stop().await;
}

/// On a slow network the card field waited for a chain: the glue, then the wasm, then the
/// configuration, then Stripe.js, each a round trip. The loader now asks for the wasm beside
/// its glue, and for Stripe.js as soon as a checkout is mounted: here the wasm never arrives
/// (the host lost it), and Stripe.js is on the page all the same, once, while the page hears
/// that the checkout could not load.
#[tokio::test(flavor = "multi_thread")]
async fn the_wasm_and_stripe_js_are_fetched_beside_the_glue_not_after_it() {
    let page = Embedding::start(true).await;
    page.serve_package(|name| !name.ends_with(".wasm"));
    page.open_bundled(
        "/no-wasm",
        &format!(
            "import {{ mount }} from '{PACKAGE_AT}/index.js';\n\
             window.ccHandle = mount(document.getElementById('checkout'), {{\n\
             \x20 apiBase: '{function}/',\n\
             \x20 seller: '{SELLER}',\n\
             \x20 onError: function (d) {{ window.ccFailed = JSON.parse(JSON.stringify(d)); }}\n\
             }});\n",
            function = page.stack.function_url,
        ),
    )
    .await;
    page.browser
        .wait_until("the load failure", "window.ccFailed !== undefined")
        .await;
    assert_eq!(
        page.browser.eval("window.ccFailed.code").await,
        "load_failed"
    );
    page.browser
        .wait_until("Stripe.js loaded", "typeof window.Stripe === 'function'")
        .await;
    assert_eq!(
        page.stripe_js_scripts().await,
        1,
        "one Stripe.js, from the configuration of the function named by apiBase"
    );
    let timings = page
        .browser
        .eval(
            "(() => { const all = performance.getEntriesByType('resource');
                      const one = end => all.find(e => e.name.includes('/connect-checkout-')
                                                       && e.name.endsWith(end));
                      return { wasm: one('.wasm').startTime, glue: one('.js').responseEnd }; })()",
        )
        .await;
    assert!(
        timings["wasm"].as_f64().unwrap() < timings["glue"].as_f64().unwrap(),
        "the wasm asked for before its glue had arrived: {timings}"
    );
    page.stop().await;
}

/// The checkout's first questions to the function (its configuration, its seller's products)
/// are asked by the loader while the wasm is still on its way, and the wasm takes those
/// answers instead of asking again: one request each, the first sent before the wasm arrived.
#[tokio::test(flavor = "multi_thread")]
async fn the_configuration_and_products_are_asked_for_once_while_the_wasm_loads() {
    let page = Embedding::start(true).await;
    page.open(
        "/ahead",
        &["/events.js"],
        &format!("<connect-checkout id=\"coffee\" seller=\"{SELLER}\"></connect-checkout>"),
    )
    .await;
    page.browser
        .wait_until(
            "the ready event",
            "window.ccEvents.some(e => e.type === 'cc-ready')",
        )
        .await;
    let asked = page
        .browser
        .eval(
            "(() => { const all = performance.getEntriesByType('resource');
                      const wasm = all.find(e => e.name.endsWith('.wasm'));
                      const named = end => all.filter(e => e.name.endsWith(end));
                      return { config: named('/api/config').map(e => e.startTime),
                               products: named('/products').map(e => e.startTime),
                               wasm: wasm.responseEnd }; })()",
        )
        .await;
    let starts = |name: &str| -> Vec<f64> { serde_json::from_value(asked[name].clone()).unwrap() };
    assert_eq!(starts("config").len(), 1, "{asked}");
    assert_eq!(starts("products").len(), 1, "{asked}");
    for name in ["config", "products"] {
        assert!(
            starts(name)[0] < asked["wasm"].as_f64().unwrap(),
            "{name} asked for before the wasm arrived: {asked}"
        );
    }
    // The checkout works from those answers: its product and the card field.
    page.browser.find("#coffee [data-role=\"product\"]").await;
    page.browser
        .find("#coffee [data-role=\"payment-element\"] iframe")
        .await;
    page.stop().await;
}
