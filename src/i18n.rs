//! Every word the shopper reads, in one place. A language is one [`Strings`] value; adding one
//! means writing another `static` like [`EN`] and a line in [`strings_for`].
//!
//! Which sentence fits which situation (a decline code, an error of the function) is decided in
//! `checkout::problem`; this file only holds the words. `{name}` marks a value filled in later.

/// The words of one language.
#[derive(Debug)]
pub struct Strings {
    /// BCP 47 tag of this language, for `lang` attributes and Stripe.js's `locale`.
    pub lang: &'static str,

    // The checkout.
    pub checkout_label: &'static str,
    pub loading: &'static str,
    pub unit_price: &'static str,
    pub quantity: &'static str,
    pub quantity_hint: &'static str,
    pub total: &'static str,
    /// Shown next to a total the browser worked out before the function priced the cart.
    pub total_estimate: &'static str,
    pub payment_details: &'static str,
    pub pay: &'static str,
    /// `{amount}`: the function's total, formatted.
    pub pay_amount: &'static str,
    pub processing: &'static str,
    pub retry: &'static str,
    pub mode_sandbox: &'static str,
    pub mode_test: &'static str,

    // The receipt.
    pub receipt_title: &'static str,
    pub receipt_amount: &'static str,
    pub receipt_seller: &'static str,
    pub receipt_reference: &'static str,

    // What went wrong, and what to do about it.
    pub quantity_invalid: &'static str,
    pub nothing_to_sell: &'static str,
    pub card_declined: &'static str,
    pub insufficient_funds: &'static str,
    pub expired_card: &'static str,
    pub incorrect_cvc: &'static str,
    pub incorrect_number: &'static str,
    pub incorrect_zip: &'static str,
    pub invalid_expiry: &'static str,
    pub incomplete_details: &'static str,
    pub processing_error: &'static str,
    pub authentication_failed: &'static str,
    pub card_not_supported: &'static str,
    pub try_again_later: &'static str,
    pub payment_unexpected_state: &'static str,
    pub payment_processing: &'static str,
    /// `{status}`: the PaymentIntent's status.
    pub payment_not_completed: &'static str,
    pub stripe_unreachable: &'static str,
    pub stripe_not_loaded: &'static str,
    pub network: &'static str,
    pub rate_limited: &'static str,
    pub provider_unavailable: &'static str,
    pub seller_not_found: &'static str,
    pub seller_cannot_take_charges: &'static str,
    pub price_not_found: &'static str,
    pub amount_out_of_range: &'static str,
    pub cart_changed: &'static str,
    /// `{detail}`: the function's own sentence about the request.
    pub invalid_request: &'static str,
    pub our_side: &'static str,
    pub unexpected_response: &'static str,
    pub generic_failure: &'static str,
}

/// English.
pub static EN: Strings = Strings {
    lang: "en",

    checkout_label: "Checkout",
    loading: "Loading the checkout…",
    unit_price: "Price",
    quantity: "Quantity",
    quantity_hint: "From 1 to 999",
    total: "Total",
    total_estimate: "(estimate)",
    payment_details: "Payment details",
    pay: "Pay",
    pay_amount: "Pay {amount}",
    processing: "Processing…",
    retry: "Try again",
    mode_sandbox: "Sandbox: no real payment is made. Pay with the test card 4242 4242 4242 4242.",
    mode_test: "Test mode: no real payment is made.",

    receipt_title: "Payment received",
    receipt_amount: "Amount",
    receipt_seller: "Paid to",
    receipt_reference: "Reference",

    quantity_invalid: "Enter a quantity from 1 to 999.",
    nothing_to_sell: "There is nothing for sale here right now.",
    card_declined: "Your card was declined. Try another card, or contact your bank.",
    insufficient_funds: "Your card has insufficient funds. Try another card.",
    expired_card: "Your card has expired. Check the expiry date, or use another card.",
    incorrect_cvc: "The security code (CVC) is incorrect. Check the 3 or 4 digits on your card and try again.",
    incorrect_number: "The card number is incorrect. Check it and try again.",
    incorrect_zip: "The postal code does not match your card. Check it and try again.",
    invalid_expiry: "The expiry date is not valid. Check it and try again.",
    incomplete_details: "Your card details are incomplete. Fill in every field and try again.",
    processing_error: "Your card could not be processed. Try again in a moment.",
    authentication_failed: "Your bank could not confirm this payment. Try again, or use another card.",
    card_not_supported: "This card cannot be used for this payment. Use another card.",
    try_again_later: "Your card was declined for now. Try again later, or use another card.",
    payment_unexpected_state: "This payment is already complete or was cancelled. Reload the page to start again.",
    payment_processing: "Your payment is being processed. You will receive a confirmation once it completes.",
    payment_not_completed: "The payment was not completed ({status}). Try again, or use another card.",
    stripe_unreachable: "We could not reach the payment service. Check your connection and try again.",
    stripe_not_loaded: "The payment form could not be loaded. Check your connection and try again.",
    network: "We could not reach the checkout service. Check your connection and try again.",
    rate_limited: "Too many requests right now. Wait a moment and try again.",
    provider_unavailable: "The payment service is unavailable. You were not charged. Try again in a moment.",
    seller_not_found: "This seller is not available.",
    seller_cannot_take_charges: "This seller cannot take payments right now.",
    price_not_found: "This item is no longer available.",
    amount_out_of_range: "This total cannot be charged. Change the quantity and try again.",
    cart_changed: "Your cart changed while the payment was being set up. Try again.",
    invalid_request: "We could not set up the payment: {detail}",
    our_side: "Something went wrong on our side. You were not charged. Try again later.",
    unexpected_response: "The checkout service gave an unexpected answer. Try again later.",
    generic_failure: "Something went wrong. Try again.",
};

/// The strings for `locale` (a BCP 47 tag such as `en-US`), English when there is no better match.
pub fn strings_for(locale: Option<&str>) -> &'static Strings {
    // One language so far; a second one matches on `locale`'s primary subtag here.
    let _ = locale;
    &EN
}
