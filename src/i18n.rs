//! Every word the shopper reads, in one place. A language is one [`Strings`] value; adding one
//! means writing another `static` like [`EN`] and a line in [`strings_for`].
//!
//! Which sentence fits which situation (a decline code, an error of the function) is decided in
//! `checkout::problem`; this file only holds the words. `{name}` marks a value filled in later.

/// The seller's pages (onboarding, status, payments) have words of their own, kept apart so the
/// checkout carries none of them.
#[cfg(feature = "demo")]
pub mod seller;

/// The words of one language.
#[derive(Debug)]
pub struct Strings {
    /// BCP 47 tag of this language, for `lang` attributes and Stripe.js's `locale` (every
    /// language here is one Stripe.js supports).
    pub lang: &'static str,

    // The checkout.
    pub checkout_label: &'static str,
    pub loading: &'static str,
    pub seller: &'static str,
    pub items: &'static str,
    pub unit_price: &'static str,
    pub quantity: &'static str,
    pub quantity_hint: &'static str,
    pub email: &'static str,
    pub email_hint: &'static str,
    pub summary: &'static str,
    /// `{quantity}`, `{name}`: one priced line of the order.
    pub line: &'static str,
    pub total: &'static str,
    pub payment_details: &'static str,
    pub pay: &'static str,
    /// `{amount}`: the function's total, formatted.
    pub pay_amount: &'static str,
    pub processing: &'static str,
    pub retry: &'static str,
    /// The Cancel button, shown when the page asks for one (the embed's `cancelable`).
    pub cancel: &'static str,
    pub mode_sandbox: &'static str,
    pub mode_test: &'static str,

    // The receipt.
    pub receipt_title: &'static str,
    pub receipt_amount: &'static str,
    pub receipt_seller: &'static str,
    pub receipt_reference: &'static str,
    pub receipt_email: &'static str,

    // What went wrong, and what to do about it.
    pub quantity_invalid: &'static str,
    pub cart_empty: &'static str,
    pub email_invalid: &'static str,
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
    /// The function's total at Pay differs from the one shown: nothing was charged.
    pub price_changed: &'static str,
    /// The chosen items are priced in more than one currency: one payment has one currency.
    pub mixed_currencies: &'static str,
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
    seller: "Seller",
    items: "Items",
    unit_price: "Price",
    quantity: "Quantity",
    quantity_hint: "From 0 to 999 of each item.",
    email: "Email for the receipt",
    email_hint: "Optional. The receipt is sent here.",
    summary: "Your order",
    line: "{quantity} × {name}",
    total: "Total",
    payment_details: "Payment details",
    pay: "Pay",
    pay_amount: "Pay {amount}",
    processing: "Processing…",
    retry: "Try again",
    cancel: "Cancel",
    mode_sandbox: "Sandbox: no real payment is made. Pay with the test card 4242 4242 4242 4242.",
    mode_test: "Test mode: no real payment is made.",

    receipt_title: "Payment received",
    receipt_amount: "Amount",
    receipt_seller: "Paid to",
    receipt_reference: "Reference",
    receipt_email: "Receipt sent to",

    quantity_invalid: "Enter a whole number from 0 to 999 for each quantity.",
    cart_empty: "Choose at least one item to pay for.",
    email_invalid: "Enter an email address such as name@example.com, or leave it empty.",
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
    amount_out_of_range: "This total cannot be charged. Change the quantities and try again.",
    cart_changed: "Your cart changed while the payment was being set up. Try again.",
    price_changed: "The price changed since this page loaded, and nothing was charged. Check the new total, then press Pay to confirm it.",
    mixed_currencies: "These items are priced in different currencies, and one payment has one currency. Pay for them separately.",
    invalid_request: "We could not set up the payment: {detail}",
    our_side: "Something went wrong on our side. You were not charged. Try again later.",
    unexpected_response: "The checkout service gave an unexpected answer. Try again later.",
    generic_failure: "Something went wrong. Try again.",
};

/// French.
pub static FR: Strings = Strings {
    lang: "fr",

    checkout_label: "Paiement",
    loading: "Chargement du paiement…",
    seller: "Vendeur",
    items: "Articles",
    unit_price: "Prix",
    quantity: "Quantité",
    quantity_hint: "De 0 à 999 par article.",
    email: "E-mail pour le reçu",
    email_hint: "Facultatif. Le reçu est envoyé à cette adresse.",
    summary: "Votre commande",
    line: "{quantity} × {name}",
    total: "Total",
    payment_details: "Informations de paiement",
    pay: "Payer",
    pay_amount: "Payer {amount}",
    processing: "Traitement en cours…",
    retry: "Réessayer",
    cancel: "Annuler",
    mode_sandbox: "Bac à sable : aucun paiement réel n’est effectué. Payez avec la carte de test 4242 4242 4242 4242.",
    mode_test: "Mode test : aucun paiement réel n’est effectué.",

    receipt_title: "Paiement reçu",
    receipt_amount: "Montant",
    receipt_seller: "Payé à",
    receipt_reference: "Référence",
    receipt_email: "Reçu envoyé à",

    quantity_invalid: "Saisissez un nombre entier de 0 à 999 pour chaque quantité.",
    cart_empty: "Choisissez au moins un article à payer.",
    email_invalid: "Saisissez une adresse e-mail comme nom@exemple.fr, ou laissez le champ vide.",
    nothing_to_sell: "Rien n’est en vente ici pour le moment.",
    card_declined: "Votre carte a été refusée. Essayez une autre carte ou contactez votre banque.",
    insufficient_funds: "Le solde de votre carte est insuffisant. Essayez une autre carte.",
    expired_card: "Votre carte a expiré. Vérifiez la date d’expiration ou utilisez une autre carte.",
    incorrect_cvc: "Le code de sécurité (CVC) est incorrect. Vérifiez les 3 ou 4 chiffres au dos de votre carte et réessayez.",
    incorrect_number: "Le numéro de carte est incorrect. Vérifiez-le et réessayez.",
    incorrect_zip: "Le code postal ne correspond pas à votre carte. Vérifiez-le et réessayez.",
    invalid_expiry: "La date d’expiration n’est pas valide. Vérifiez-la et réessayez.",
    incomplete_details: "Les informations de votre carte sont incomplètes. Remplissez tous les champs et réessayez.",
    processing_error: "Votre carte n’a pas pu être traitée. Réessayez dans un instant.",
    authentication_failed: "Votre banque n’a pas pu confirmer ce paiement. Réessayez ou utilisez une autre carte.",
    card_not_supported: "Cette carte ne peut pas être utilisée pour ce paiement. Utilisez une autre carte.",
    try_again_later: "Votre carte est refusée pour le moment. Réessayez plus tard ou utilisez une autre carte.",
    payment_unexpected_state: "Ce paiement est déjà terminé ou a été annulé. Rechargez la page pour recommencer.",
    payment_processing: "Votre paiement est en cours de traitement. Vous recevrez une confirmation dès qu’il sera terminé.",
    payment_not_completed: "Le paiement n’a pas abouti ({status}). Réessayez ou utilisez une autre carte.",
    stripe_unreachable: "Le service de paiement est injoignable. Vérifiez votre connexion et réessayez.",
    stripe_not_loaded: "Le formulaire de paiement n’a pas pu être chargé. Vérifiez votre connexion et réessayez.",
    network: "Le service de paiement de la boutique est injoignable. Vérifiez votre connexion et réessayez.",
    rate_limited: "Trop de demandes en ce moment. Patientez un instant et réessayez.",
    provider_unavailable: "Le service de paiement est indisponible. Vous n’avez pas été débité. Réessayez dans un instant.",
    seller_not_found: "Ce vendeur n’est pas disponible.",
    seller_cannot_take_charges: "Ce vendeur ne peut pas encaisser de paiement pour le moment.",
    price_not_found: "Cet article n’est plus disponible.",
    amount_out_of_range: "Ce total ne peut pas être débité. Modifiez les quantités et réessayez.",
    cart_changed: "Votre panier a changé pendant la préparation du paiement. Réessayez.",
    price_changed: "Le prix a changé depuis le chargement de la page, et rien n'a été débité. Vérifiez le nouveau total, puis appuyez sur Payer pour le confirmer.",
    mixed_currencies: "Ces articles sont dans des devises différentes, et un paiement n'a qu'une devise. Payez-les séparément.",
    invalid_request: "Le paiement n’a pas pu être préparé : {detail}",
    our_side: "Un problème est survenu de notre côté. Vous n’avez pas été débité. Réessayez plus tard.",
    unexpected_response: "Le service de paiement a donné une réponse inattendue. Réessayez plus tard.",
    generic_failure: "Un problème est survenu. Réessayez.",
};

/// `template` with each `placeholder` (such as `{amount}`) replaced by `value`.
///
/// Not `str::replace`: its substring search (two-way) was 2 KB of the embed's wasm (0.8 KB
/// brotli), for four sentences. A placeholder starts with `{`, so finding that byte is enough.
pub fn fill(template: &str, placeholder: &str, value: &str) -> String {
    let Some(name) = placeholder.strip_prefix('{') else {
        return template.to_owned();
    };
    let mut filled = String::with_capacity(template.len() + value.len());
    let mut rest = template;
    // `split_once` and `strip_prefix`, not indexing: a slice at a byte index links the panic
    // for a cut inside a character, with `char`'s `Debug` and its Unicode tables. With
    // `shorten` in crates/core/src/ids.rs (the only other such slice) that was 3.5 KB brotli.
    while let Some((before, after_brace)) = rest.split_once('{') {
        filled.push_str(before);
        if let Some(after) = after_brace.strip_prefix(name) {
            filled.push_str(value);
            rest = after;
        } else {
            filled.push('{');
            rest = after_brace;
        }
    }
    filled.push_str(rest);
    filled
}

/// Every language the widget speaks, English first (the fallback).
pub static LANGUAGES: [&Strings; 2] = [&EN, &FR];

/// The strings for `locale` (a BCP 47 tag such as `fr-CA`): the language of its primary
/// subtag, English when there is no match.
pub fn strings_for(locale: Option<&str>) -> &'static Strings {
    language_for(&LANGUAGES, |strings| strings.lang, locale).unwrap_or(&EN)
}

/// The one of `languages` (each with its BCP 47 tag, `lang`) that `locale` asks for by its
/// primary subtag (`fr-CA`: `fr`). The shopper's words and the seller's are chosen alike.
// Inlined: a call cost the embed 0.1 KB brotli, for a loop of two languages.
#[inline(always)]
pub fn language_for<T>(
    languages: &[&'static T],
    lang: impl Fn(&T) -> &str,
    locale: Option<&str>,
) -> Option<&'static T> {
    let primary = locale
        .and_then(|tag| tag.split(['-', '_']).next())
        .unwrap_or_default();
    languages
        .iter()
        .find(|words| lang(words).eq_ignore_ascii_case(primary))
        .copied()
}
