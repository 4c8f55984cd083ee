//! Verifying `Stripe-Signature`: `t=<unix>,v1=<hex>[,v1=<hex>…]`, where each `v1` is
//! HMAC-SHA256 of `"{t}.{raw body}"` under an endpoint secret
//! (<https://docs.stripe.com/webhooks#verify-manually>). Nothing in a webhook is read before
//! this passes.
//!
//! The request is unauthenticated until this passes, so what it costs is bounded by us, not by
//! the sender: the header's length and its `v1` entries are capped, the timestamp is checked
//! before any MAC, and the MAC over the body is computed once per configured secret, however
//! many entries the header carries.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::keys::WebhookSecret;

/// Stripe's SDKs refuse events older than this; so do we.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Stripe sends one `v1` entry per signing secret of the endpoint: two while a secret is
/// rolling. Eight leaves room for that and refuses a header built to multiply our work.
pub const MAX_V1_SIGNATURES: usize = 8;

/// Eight `v1` entries of 64 hex digits, the timestamp and a few `v0` entries (test mode) fit in
/// well under this; anything longer is not from Stripe.
pub const MAX_HEADER_BYTES: usize = 1024;

/// Why a delivery was refused. Messages follow stripe-node's where it has one, so they can be
/// searched for.
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
    #[error(
        "the Stripe-Signature header is {length} bytes; Stripe's is `t=…,v1=…` with one v1 per \
         signing secret, under {MAX_HEADER_BYTES} bytes: send the header Stripe sent"
    )]
    Oversized { length: usize },
    #[error(
        "the Stripe-Signature header has more than {MAX_V1_SIGNATURES} v1 signatures; Stripe \
         sends one per signing secret: send the header Stripe sent"
    )]
    TooManySignatures,
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
    if header.len() > MAX_HEADER_BYTES {
        return Err(SignatureError::Oversized {
            length: header.len(),
        });
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    let mut v1_entries = 0;
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            // An empty entry cannot match anything; it costs nothing and counts for nothing.
            "v1" if value.is_empty() => {}
            "v1" => {
                v1_entries += 1;
                if v1_entries > MAX_V1_SIGNATURES {
                    return Err(SignatureError::TooManySignatures);
                }
                // A v1 value that is not hex cannot match; keep looking at the others.
                signatures.extend(hex::decode(value).ok());
            }
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

#[cfg(test)]
thread_local! {
    /// How many MACs over a body this thread computed: the tests' window on the work a header
    /// can cause.
    static MACS_COMPUTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// HMAC-SHA256 of `"{timestamp}.{payload}"` under `secret`: the one pass over the body that a
/// secret costs.
fn expected_signature(secret: &WebhookSecret, timestamp: i64, payload: &[u8]) -> Option<[u8; 32]> {
    #[cfg(test)]
    MACS_COMPUTED.with(|count| count.set(count.get() + 1));
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    Some(mac.finalize().into_bytes().into())
}

/// Checks `header` against `payload` with every secret (several during a rotation) at `now`
/// (unix seconds). Passing means the event is not too old and one `v1` matched one secret.
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
    // Before any MAC: a replayed or forged old header costs a subtraction, not a pass over
    // the body. Only old events are refused; a clock slightly behind Stripe's must not drop
    // deliveries.
    let age_secs = now.saturating_sub(header.timestamp);
    if age_secs > tolerance_secs {
        return Err(SignatureError::TooOld { age_secs });
    }
    let matched = secrets.iter().any(|secret| {
        let Some(expected) = expected_signature(secret, header.timestamp, payload) else {
            return false;
        };
        // Every entry is compared, in constant time, so the time taken says nothing about
        // which entry came close.
        header.signatures.iter().fold(false, |found, signature| {
            found | bool::from(expected.as_slice().ct_eq(signature))
        })
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::NoMatch)
    }
}

/// The header Stripe would send for `payload`, for tests and the sandbox-free tools.
pub fn sign(payload: &[u8], secret: &WebhookSecret, timestamp: i64) -> String {
    match expected_signature(secret, timestamp, payload) {
        Some(mac) => format!("t={timestamp},v1={}", hex::encode(mac)),
        None => String::new(),
    }
}

/// The most work one delivery can ask of [`verify`]: a fresh timestamp and
/// [`MAX_V1_SIGNATURES`] entries that match nothing, in a header of about [`MAX_HEADER_BYTES`],
/// so that every secret's MAC is computed and compared with every entry. The bench times it.
pub fn worst_case_header(now: i64) -> String {
    let mut header = format!("t={now}");
    for entry in 0..MAX_V1_SIGNATURES {
        header.push_str(&format!(",v1={:064x}", entry + 1));
    }
    // Padding with entries the parser skips brings the header to its largest accepted size.
    while header.len() + 6 <= MAX_HEADER_BYTES {
        header.push_str(",v0=0");
    }
    header
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

    fn macs_computed_by(check: impl FnOnce()) -> usize {
        MACS_COMPUTED.with(|count| count.set(0));
        check();
        MACS_COMPUTED.with(std::cell::Cell::get)
    }

    #[test]
    fn the_body_is_hashed_once_per_secret_however_many_entries_the_header_has() {
        let body = vec![b'x'; 4096];
        let header = worst_case_header(NOW);
        let secrets = [secret("a"), secret("b")];
        let computed = macs_computed_by(|| {
            assert_eq!(
                verify(&body, Some(&header), &secrets, NOW, 300),
                Err(SignatureError::NoMatch)
            );
        });
        assert_eq!(computed, secrets.len());
    }

    #[test]
    fn an_old_timestamp_is_refused_before_any_mac_is_computed() {
        let header = sign(b"{}", &secret("s"), NOW - 3_600);
        let computed = macs_computed_by(|| {
            assert_eq!(
                verify(b"{}", Some(&header), &[secret("s")], NOW, 300),
                Err(SignatureError::TooOld { age_secs: 3_600 })
            );
        });
        assert_eq!(computed, 0);
    }

    #[test]
    fn more_v1_entries_than_the_cap_are_refused_and_empty_ones_are_skipped() {
        let body = b"{}";
        let genuine = sign(body, &secret("s"), NOW);
        let signature = genuine.split("v1=").nth(1).unwrap();
        let too_many = format!(
            "t={NOW}{}",
            format!(",v1={signature}").repeat(MAX_V1_SIGNATURES + 1)
        );
        assert_eq!(
            verify(body, Some(&too_many), &[secret("s")], NOW, 300),
            Err(SignatureError::TooManySignatures)
        );
        let with_empties = format!("t={NOW}{},v1={signature}", ",v1=".repeat(40));
        assert_eq!(
            verify(body, Some(&with_empties), &[secret("s")], NOW, 300),
            Ok(())
        );
        assert_eq!(
            verify(
                body,
                Some(&format!("t={NOW},v1=")),
                &[secret("s")],
                NOW,
                300
            ),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn an_oversized_header_is_refused_with_words() {
        let header = format!("t={NOW},v1={}", "0".repeat(MAX_HEADER_BYTES));
        let error = verify(b"{}", Some(&header), &[secret("s")], NOW, 300).unwrap_err();
        assert!(
            matches!(error, SignatureError::Oversized { .. }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("send the header Stripe sent"),
            "{error}"
        );
    }

    #[test]
    fn the_worst_case_header_is_the_largest_one_accepted() {
        let header = worst_case_header(NOW);
        assert!(header.len() <= MAX_HEADER_BYTES && header.len() > MAX_HEADER_BYTES - 6);
        assert_eq!(parse(&header).unwrap().signatures.len(), MAX_V1_SIGNATURES);
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
