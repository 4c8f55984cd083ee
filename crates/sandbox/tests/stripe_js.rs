//! The Stripe.js stand-in is served like js.stripe.com/v3/, with its card-field iframe page on
//! the sandbox's origin.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::start;

#[tokio::test]
async fn stripe_js_is_served_at_v3_as_javascript() {
    let h = start().await;
    for path in ["/v3/", "/v3", "/v3/stripe.js"] {
        let response = h.http.get(h.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("application/javascript"),
            "{content_type}"
        );
        let script = response.text().await.unwrap();
        assert!(script.contains("window.Stripe = Stripe"));
        assert!(script.contains("Secure payment input frame"));
    }
}

#[tokio::test]
async fn card_frame_has_labelled_named_inputs() {
    let h = start().await;
    let html = h
        .http
        .get(h.url("/v3/elements-inner-card.html"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in ["number", "expiry", "cvc", "postalCode"] {
        assert!(html.contains(&format!("name=\"{name}\"")), "{name}");
        assert!(html.contains(&format!("<label for=\"{name}\">")), "{name}");
    }
    let js = h
        .http
        .get(h.url("/v3/elements-inner-card.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
}
