//! The Content-Security-Policy of the pages the function serves (the demo store, onboarding):
//! only our own code, Stripe.js from the configured origin, and calls to our API and Stripe's.
//!
//! The policy is derived from the configuration, so the sandbox's origin is allowed in sandbox
//! mode and Stripe's in production, and from the built `index.html`, whose one inline module
//! script (Trunk's loader) is allowed by its hash instead of `'unsafe-inline'`.

use axum::http::HeaderValue;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::config::Config;

/// `scheme://host[:port]` of a URL, or `None` when it has no host.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// `'sha256-…'` of every inline `<script>` (one without `src`) in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &after[body_start + close..];
    }
    hashes
}

/// The policy for the HTML pages.
pub fn page_policy(config: &Config, index_html: Option<&str>) -> HeaderValue {
    let stripe_js = origin(&config.stripe_js_url).unwrap_or_default();
    let api = origin(&config.api_base).unwrap_or_default();
    let mut script = vec![
        "'self'".to_owned(),
        "'wasm-unsafe-eval'".to_owned(),
        stripe_js.clone(),
    ];
    let mut frame = vec![stripe_js.clone()];
    let mut connect = vec!["'self'".to_owned(), api.clone(), stripe_js.clone()];
    if stripe_js == "https://js.stripe.com" {
        // Stripe's documented sources: its subdomains and the 3-D Secure pages.
        script.push("https://*.js.stripe.com".into());
        frame.extend([
            "https://*.js.stripe.com".into(),
            "https://hooks.stripe.com".into(),
        ]);
        connect.push("https://api.stripe.com".into());
    }
    script.extend(index_html.map(inline_script_hashes).unwrap_or_default());
    let dedup = |mut sources: Vec<String>| {
        sources.retain(|source| !source.is_empty());
        sources.dedup();
        sources.join(" ")
    };
    let policy = format!(
        "default-src 'self'; script-src {}; frame-src {}; connect-src {}; img-src 'self' data: {}; \
         style-src 'self' 'unsafe-inline'; font-src 'self' data:; object-src 'none'; \
         base-uri 'none'; form-action 'self' {}; frame-ancestors 'none'",
        dedup(script),
        dedup(frame),
        dedup(connect),
        stripe_js,
        stripe_js,
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// `<Stripe.js>; rel=preload; as=script`, the header that starts Stripe.js's download with the
/// page's (https://developer.mozilla.org/docs/Web/HTML/Attributes/rel/preload). No
/// `crossorigin`: the checkout injects a classic `<script>`, and a preload is only used by a
/// request of the same mode. `None` for a URL a `Link` header cannot carry as it is.
pub fn stripe_js_preload(config: &Config) -> Option<HeaderValue> {
    let url = &config.stripe_js_url;
    if url.is_empty() || url.contains(['<', '>', '"']) || url.contains(char::is_whitespace) {
        return None;
    }
    HeaderValue::from_str(&format!("<{url}>; rel=preload; as=script")).ok()
}

/// The policy for API answers: JSON is never a document.
pub const API_POLICY: HeaderValue =
    HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html =
            r#"<script src="/a.js"></script><script type=module>import x from"/x.js";</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        assert!(hashes[0].starts_with("'sha256-"), "{hashes:?}");
    }

    #[test]
    fn origins_drop_paths() {
        assert_eq!(
            origin("http://127.0.0.1:12111/v3/").as_deref(),
            Some("http://127.0.0.1:12111")
        );
        assert_eq!(
            origin("https://js.stripe.com/v3/").as_deref(),
            Some("https://js.stripe.com")
        );
        assert_eq!(origin("nonsense"), None);
    }
}
