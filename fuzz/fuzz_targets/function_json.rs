//! The function's JSON inputs, decoded and validated as its extractor does: never a panic, and
//! an accepted checkout always has a sane cart.
#![no_main]

use connect_checkout_core::api::{CheckoutRequest, CreateSellerRequest, CustomDetails, RefundRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(request) = serde_json::from_slice::<CheckoutRequest>(body)
        && request.validate().is_ok()
    {
        assert!(!request.items.is_empty());
        assert!(request.items.iter().all(|item| (1..=999).contains(&item.quantity)));
    }
    if let Ok(request) = serde_json::from_slice::<CreateSellerRequest>(body) {
        let _ = request.validate();
    }
    if let Ok(details) = serde_json::from_slice::<CustomDetails>(body) {
        let _ = details.validate((2026, 11, 29));
    }
    let _ = serde_json::from_slice::<RefundRequest>(body);
});
