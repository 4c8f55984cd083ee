//! The sandbox's form decoder and parameter check on arbitrary bodies: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = stripe_sandbox::fuzz_form_body(body);
});
