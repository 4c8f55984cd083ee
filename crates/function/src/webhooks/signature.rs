//! Verifying `Stripe-Signature` (<https://docs.stripe.com/webhooks#verify-manually>):
//! `t=<unix>,v1=<hex>[,v1=<hex>…]`, where each `v1` is HMAC-SHA256 of `"{t}.{raw body}"` under an
//! endpoint secret. Nothing in a webhook is read before this passes.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::keys::WebhookSecret;

/// Stripe's SDKs refuse events older than this; so do we.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Why a delivery was refused. Messages follow stripe-node's, so they can be searched for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    #[error("No stripe-signature header value was provided.")]
    Missing,
    #[error("Unable to extract timestamp and signatures from header")]
    Malformed,
    #[error("No signatures found with expected scheme")]
    NoV1Signature,
    #[error("No signatures found matching the expected signature for payload")]
    NoMatch,
    #[error("Timestamp outside the tolerance zone ({age_secs} s old)")]
    TooOld { age_secs: i64 },
    #[error("no webhook secret is configured (STRIPE_WEBHOOK_SECRETS)")]
    NoSecrets,
}

/// The parts of a `Stripe-Signature` header.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    timestamp: i64,
    signatures: Vec<Vec<u8>>,
}

fn parse(header: &str) -> Result<Header, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            // A v1 value that is not hex cannot match; keep looking at the others.
            "v1" => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(if header.contains("v1=") {
            SignatureError::NoMatch
        } else {
            SignatureError::NoV1Signature
        });
    }
    Ok(Header {
        timestamp,
        signatures,
    })
}

/// Checks `header` against `payload` with every secret (several during a rotation) at `now`
/// (unix seconds). Passing means one `v1` matched one secret and the event is not too old.
pub fn verify(
    payload: &[u8],
    header: Option<&str>,
    secrets: &[WebhookSecret],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let header = parse(header.ok_or(SignatureError::Missing)?)?;
    if secrets.is_empty() {
        return Err(SignatureError::NoSecrets);
    }
    let matched = secrets.iter().any(|secret| {
        header.signatures.iter().any(|signature| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose()) else {
                return false;
            };
            mac.update(header.timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(payload);
            // verify_slice compares in constant time.
            mac.verify_slice(signature).is_ok()
        })
    });
    if !matched {
        return Err(SignatureError::NoMatch);
    }
    // Only old events are refused; a clock slightly behind Stripe's must not drop deliveries.
    let age_secs = now - header.timestamp;
    if age_secs > tolerance_secs {
        return Err(SignatureError::TooOld { age_secs });
    }
    Ok(())
}

/// The header Stripe would send for `payload`, for tests and the sandbox-free tools.
pub fn sign(payload: &[u8], secret: &WebhookSecret, timestamp: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.expose()) {
        Ok(mac) => mac,
        // HMAC accepts keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_780_000_000;

    fn secret(name: &str) -> WebhookSecret {
        WebhookSecret::parse("TEST", &format!("whsec_{name}0123456789abcdef")).unwrap()
    }

    #[test]
    fn a_signed_delivery_passes() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
        let header = sign(body, &secret("current"), NOW);
        assert_eq!(
            verify(body, Some(&header), &[secret("current")], NOW, 300),
            Ok(())
        );
    }

    #[test]
    fn during_rotation_either_secret_passes_and_after_it_only_the_new_one() {
        let body = b"{}";
        let old_signed = sign(body, &secret("old"), NOW);
        let both = [secret("new"), secret("old")];
        assert_eq!(verify(body, Some(&old_signed), &both, NOW, 300), Ok(()));
        assert_eq!(
            verify(body, Some(&old_signed), &[secret("new")], NOW, 300),
            Err(SignatureError::NoMatch)
        );
        // Stripe signs with both secrets while an endpoint's secret is rolling.
        let new_signed = sign(body, &secret("new"), NOW);
        let header = format!(
            "{old_signed},v1={}",
            new_signed.split("v1=").nth(1).unwrap()
        );
        assert_eq!(
            verify(body, Some(&header), &[secret("new")], NOW, 300),
            Ok(())
        );
    }

    #[test]
    fn a_tampered_body_fails() {
        let header = sign(b"{\"amount\":100}", &secret("s"), NOW);
        assert_eq!(
            verify(b"{\"amount\":999}", Some(&header), &[secret("s")], NOW, 300),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn a_replay_after_the_tolerance_fails_but_a_clock_behind_stripes_does_not() {
        let header = sign(b"{}", &secret("s"), NOW - 301);
        assert_eq!(
            verify(b"{}", Some(&header), &[secret("s")], NOW, 300),
            Err(SignatureError::TooOld { age_secs: 301 })
        );
        let future = sign(b"{}", &secret("s"), NOW + 60);
        assert_eq!(
            verify(b"{}", Some(&future), &[secret("s")], NOW, 300),
            Ok(())
        );
    }

    #[test]
    fn missing_malformed_and_schemeless_headers_are_refused() {
        let secrets = [secret("s")];
        assert_eq!(
            verify(b"{}", None, &secrets, NOW, 300),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(b"{}", Some("garbage"), &secrets, NOW, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(b"{}", Some("t=1,v0=abcd"), &secrets, NOW, 300),
            Err(SignatureError::NoV1Signature)
        );
        assert_eq!(
            verify(b"{}", Some("t=1,v1=zz"), &secrets, NOW, 300),
            Err(SignatureError::NoMatch)
        );
    }

    proptest! {
        #[test]
        fn no_header_makes_verification_panic(header in ".{0,200}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = verify(&body, Some(&header), &[secret("s")], NOW, 300);
        }

        #[test]
        fn only_the_exact_body_verifies(body in proptest::collection::vec(any::<u8>(), 1..64), flip in 0usize..64) {
            let header = sign(&body, &secret("s"), NOW);
            let mut tampered = body.clone();
            let index = flip % tampered.len();
            tampered[index] ^= 0x01;
            prop_assert!(verify(&tampered, Some(&header), &[secret("s")], NOW, 300).is_err());
        }
    }
}
