//! `Stripe-Signature` verification on arbitrary headers and bodies: it never panics, and it
//! accepts a body only with a signature made for exactly that body.
#![no_main]

use connect_checkout_function::keys::WebhookSecret;
use connect_checkout_function::webhooks::signature::{sign, verify};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_795_000_000;

fuzz_target!(|input: (&str, &[u8], i64)| {
    let (header, body, age) = input;
    let Ok(secret) = WebhookSecret::parse("FUZZ", "whsec_fuzzSecret0000") else { return };
    // Arbitrary headers: a verdict, never a panic; a random header never verifies.
    if verify(body, Some(header), std::slice::from_ref(&secret), NOW, 300).is_ok() {
        assert!(header.contains("v1="), "accepted without a v1 signature: {header:?}");
    }
    // A genuine signature verifies exactly when it is fresh enough.
    let timestamp = NOW.saturating_sub(age.rem_euclid(1_000));
    let genuine = sign(body, &secret, timestamp);
    let fresh = NOW - timestamp <= 300;
    assert_eq!(verify(body, Some(&genuine), std::slice::from_ref(&secret), NOW, 300).is_ok(), fresh);
    // And never for another body.
    let mut other = body.to_vec();
    other.push(b'!');
    assert!(verify(&other, Some(&genuine), std::slice::from_ref(&secret), NOW, 300).is_err());
});
