//! Confirmation: the card decides what happens (FIDELITY.md §Test cards). A plain card is charged
//! at once; a declined one leaves the PaymentIntent in `requires_payment_method`; a 3-D Secure card
//! stops in `requires_action` with a `next_action` that leads to the sandbox's challenge page
//! (`/3ds/challenge/{token}`), where the shopper completes or fails authentication.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{PaymentIntent, Status, check_receipt_email, find, shipping_json, unexpected_state};
use crate::cards::{Behaviour, Decline};
use crate::events::Origin;
use crate::http::error::{ApiError, ErrorType};
use crate::http::pipeline::Call;
use crate::resources::charge::Charge;
use crate::resources::expand;
use crate::resources::payment_method::{self, PaymentMethod};
use crate::state::Store;

/// Confirms `id` with the card its parameters name and charges it. A decline is a 402 whose
/// body carries the PaymentIntent (back in `requires_payment_method`) and the PaymentMethod.
pub(super) fn confirm_intent(
    call: Call<'_>,
    id: &str,
    from_create: bool,
) -> Result<Value, ApiError> {
    let Call {
        store,
        caller,
        params: p,
        now,
        origin,
        base_url,
    } = call;
    let pi = find(store, caller, id, p.str("client_secret"))?.clone();
    match pi.status {
        Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction => {}
        Status::Succeeded => {
            return Err(unexpected_state(
                "You cannot confirm this PaymentIntent because it has already succeeded after \
                 being previously confirmed."
                    .to_owned(),
                &pi,
                caller,
            ));
        }
        other => {
            return Err(unexpected_state(
                format!(
                    "You cannot confirm this PaymentIntent because it has a status of {}. Only a \
                     PaymentIntent with one of the following statuses may be confirmed: \
                     requires_confirmation, requires_payment_method, requires_action.",
                    other.as_str()
                ),
                &pi,
                caller,
            ));
        }
    }
    if caller.is_publishable() && pi.confirmation_method == "manual" {
        return Err(unexpected_state(
            "This PaymentIntent's confirmation_method is manual, so it must be confirmed with a \
             secret key."
                .to_owned(),
            &pi,
            caller,
        ));
    }

    let pm: PaymentMethod = if !from_create && let Some(pm_id) = p.str("payment_method") {
        payment_method::resolve(store, &caller.account, pm_id, "payment_method", now)
            .map_err(|e| e.status(StatusCode::BAD_REQUEST))?
    } else if let Some(data) = p.obj("payment_method_data") {
        payment_method::create_from_params(store, caller, data, now, Some("payment_method_data"))?
    } else if let Some(pm_id) = &pi.payment_method {
        payment_method::resolve(store, &caller.account, pm_id, "payment_method", now)?
    } else {
        return Err(unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method. You \
             can either update the PaymentIntent with a payment method and then confirm it \
             again, or confirm it again directly with a payment method."
                .to_owned(),
            &pi,
            caller,
        ));
    };

    let mut pi = pi;
    if let Some(email) = check_receipt_email(p)? {
        pi.receipt_email = Some(email);
    }
    if let Some(url) = p.str("return_url") {
        pi.return_url = Some(url.to_owned());
    }
    if let Some(usage) = p.str("setup_future_usage") {
        pi.setup_future_usage = Some(usage.to_owned());
    }
    if let Some(shipping) = p.obj("shipping") {
        pi.shipping = Some(shipping_json(shipping));
    }
    if let Some(method) = p.str("capture_method") {
        pi.capture_method = method.to_owned();
    }
    // Server-side confirmation with automatic payment methods needs somewhere to send the
    // shopper back to, unless redirects are off (FIDELITY.md §API versions). Stripe.js handles this
    // itself.
    let redirects_possible = pi
        .automatic_payment_methods
        .as_ref()
        .is_some_and(|(enabled, redirects)| *enabled && redirects != "never");
    if !caller.is_publishable()
        && redirects_possible
        && pi.return_url.is_none()
        && p.bool("off_session") != Some(true)
    {
        return Err(ApiError::invalid_request(
            "This PaymentIntent is configured to accept payment methods enabled in your \
             Dashboard. Because some of these payment methods might redirect your customer off \
             of your page, you must provide a `return_url`. If you don't want to accept \
             redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` \
             and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup \
             Intents and Payment Intents.",
        ));
    }

    pi.last_payment_error = None;
    pi.next_action = None;
    let behaviour = match pm.card.behaviour {
        Behaviour::Authenticate { .. }
            if p.bool("error_on_requires_action") == Some(true)
                || p.bool("off_session") == Some(true) =>
        {
            Behaviour::Decline(&AUTHENTICATION_REQUIRED)
        }
        other => other,
    };
    let outcome = match behaviour {
        Behaviour::Succeed => charge(store, &mut pi, &pm, None, false, origin, now),
        Behaviour::Decline(decline) => {
            charge(store, &mut pi, &pm, Some(decline), false, origin, now)
        }
        // Authenticated already (a manual-confirmation PaymentIntent confirmed again after its
        // challenge): straight to the charge.
        Behaviour::Authenticate { then_decline }
            if pi.authenticated_with.as_ref() == Some(&pm.id) =>
        {
            charge(store, &mut pi, &pm, then_decline, true, origin, now)
        }
        Behaviour::Authenticate { .. } => {
            let sdk = caller.is_publishable()
                || p.bool("use_stripe_sdk") == Some(true)
                || pi.return_url.is_none();
            require_action(store, &mut pi, &pm, sdk, base_url, origin, now);
            Ok(())
        }
    };
    if let Err(error) = outcome {
        let view = pi.to_json(caller.is_publishable());
        store.payment_intents.insert(pi.id.clone(), pi);
        return Err(error.with_payment_intent(view));
    }
    let value = pi.to_json(caller.is_publishable());
    let id = pi.id.clone();
    store.payment_intents.insert(id, pi);
    expand::requested(store, caller, p, value)
}

/// What an off-session or `error_on_requires_action` confirmation of a 3-D Secure card gets.
const AUTHENTICATION_REQUIRED: Decline = Decline {
    code: "authentication_required",
    decline_code: "authentication_required",
    message: "Your card was declined. This transaction requires authentication.",
    param: None,
};

/// The 402 of a declined card, without the PaymentIntent (the caller adds its view of it).
fn card_error(decline: &Decline, charge: &str, pm: &PaymentMethod) -> ApiError {
    let mut error = ApiError::new(
        StatusCode::PAYMENT_REQUIRED,
        ErrorType::CardError,
        decline.message,
    )
    .code(decline.code);
    if let Some(param) = decline.param {
        error = error.param(param);
    }
    error.body.decline_code = Some(decline.decline_code.to_owned());
    error.body.charge = Some(charge.to_owned());
    error.body.payment_method = Some(pm.to_json());
    error
}

/// Charges `pi` with `pm`. `decline` is the card's answer (`None`: approved); a 3-D Secure
/// card reaches here only once authenticated (`authenticated`). Success moves the
/// PaymentIntent to `succeeded` (or `requires_capture`); a decline back to
/// `requires_payment_method` with `last_payment_error`, and the card error is returned
/// (without the PaymentIntent, which the caller adds in its own view).
pub(crate) fn charge(
    store: &mut Store,
    pi: &mut PaymentIntent,
    pm: &PaymentMethod,
    decline: Option<&'static Decline>,
    authenticated: bool,
    origin: &Origin,
    now: i64,
) -> Result<(), ApiError> {
    pi.next_action = None;
    pi.three_ds_token = None;
    let manual = pi.capture_method == "manual";
    let charge = Charge::record(store, pi, pm, decline, !manual, now);
    if authenticated && let Some(c) = store.charges.get_mut(&charge.id) {
        c.three_d_secure = true;
    }
    let charge_json = store
        .charges
        .get(&charge.id)
        .map(Charge::to_json)
        .unwrap_or_default();
    pi.latest_charge = Some(charge.id.clone());
    if let Some(decline) = decline {
        let error = card_error(decline, &charge.id, pm);
        pi.status = Status::RequiresPaymentMethod;
        pi.payment_method = None;
        pi.authenticated_with = None;
        pi.last_payment_error = Some(serde_json::to_value(&error.body).unwrap_or_default());
        store.emit(&pi.account, "charge.failed", charge_json, None, origin, now);
        store.emit(
            &pi.account,
            "payment_intent.payment_failed",
            pi.to_json(false),
            None,
            origin,
            now,
        );
        return Err(error);
    }
    pi.payment_method = Some(pm.id.clone());
    pi.last_payment_error = None;
    let kind = if manual {
        pi.status = Status::RequiresCapture;
        pi.amount_capturable = pi.amount;
        "payment_intent.amount_capturable_updated"
    } else {
        pi.status = Status::Succeeded;
        pi.amount_received = pi.amount;
        "payment_intent.succeeded"
    };
    store.emit(
        &pi.account,
        "charge.succeeded",
        charge_json,
        None,
        origin,
        now,
    );
    store.emit(&pi.account, kind, pi.to_json(false), None, origin, now);
    if !manual {
        store.settle_capture(&charge.id, origin, now);
    }
    Ok(())
}

/// Stops `pi` in `requires_action` for a 3-D Secure challenge. Stripe.js (`sdk`) gets
/// `use_stripe_sdk`, whose `stripe_js` URL the stand-in opens in a modal; a server-side
/// confirmation with a `return_url` gets `redirect_to_url`, a page that sends the shopper back
/// to `return_url` once done.
fn require_action(
    store: &mut Store,
    pi: &mut PaymentIntent,
    pm: &PaymentMethod,
    sdk: bool,
    base_url: &str,
    origin: &Origin,
    now: i64,
) {
    let token = store.new_id("tds_", 24);
    let url = format!("{base_url}/3ds/challenge/{token}");
    pi.status = Status::RequiresAction;
    pi.payment_method = Some(pm.id.clone());
    pi.next_action = Some(if sdk {
        json!({
            "type": "use_stripe_sdk",
            "use_stripe_sdk": {
                "type": "three_d_secure_redirect",
                "stripe_js": url,
                "source": token,
            },
        })
    } else {
        json!({
            "type": "redirect_to_url",
            "redirect_to_url": {
                "return_url": pi.return_url,
                "url": format!("{url}?redirect=1"),
            },
        })
    });
    pi.three_ds_token = Some(token);
    store.emit(
        &pi.account,
        "payment_intent.requires_action",
        pi.to_json(false),
        None,
        origin,
        now,
    );
}

/// How the shopper left the challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Authentication {
    Complete,
    Fail,
}

/// The PaymentIntent waiting on challenge `token`, if any.
pub(crate) fn awaiting<'a>(store: &'a Store, token: &str) -> Option<&'a PaymentIntent> {
    store.payment_intents.values().find(|pi| {
        pi.status == Status::RequiresAction && pi.three_ds_token.as_deref() == Some(token)
    })
}

/// Ends the challenge `token`. Completing it charges the card (which may still decline, as
/// 4000 0082 6000 3178 does), or, for `confirmation_method=manual`, returns the PaymentIntent to
/// `requires_confirmation`; failing it returns the PaymentIntent to `requires_payment_method`
/// with `payment_intent_authentication_failure`. Returns the PaymentIntent afterwards.
pub(crate) fn finish_authentication(
    store: &mut Store,
    token: &str,
    outcome: Authentication,
    now: i64,
) -> Option<PaymentIntent> {
    let mut pi = awaiting(store, token)?.clone();
    let pm = pi
        .payment_method
        .as_ref()
        .and_then(|id| store.payment_methods.get(id))
        .cloned()?;
    let origin = Origin::none();
    match outcome {
        Authentication::Complete if pi.confirmation_method == "manual" => {
            pi.status = Status::RequiresConfirmation;
            pi.next_action = None;
            pi.three_ds_token = None;
            pi.authenticated_with = Some(pm.id.clone());
        }
        Authentication::Complete => {
            let then = match pm.card.behaviour {
                Behaviour::Authenticate { then_decline } => then_decline,
                Behaviour::Decline(d) => Some(d),
                Behaviour::Succeed => None,
            };
            // A decline is recorded on the PaymentIntent; nobody waits for the error itself.
            let _ = charge(store, &mut pi, &pm, then, true, &origin, now);
        }
        Authentication::Fail => {
            let mut error = ApiError::invalid_request(
                "The provided PaymentMethod has failed authentication. You can provide \
                 payment_method_data or a new PaymentMethod to attempt to fulfill this \
                 PaymentIntent again.",
            )
            .code("payment_intent_authentication_failure");
            error.body.payment_method = Some(pm.to_json());
            pi.status = Status::RequiresPaymentMethod;
            pi.payment_method = None;
            pi.next_action = None;
            pi.three_ds_token = None;
            pi.last_payment_error = Some(serde_json::to_value(&error.body).unwrap_or_default());
            store.emit(
                &pi.account,
                "payment_intent.payment_failed",
                pi.to_json(false),
                None,
                &origin,
                now,
            );
        }
    }
    store.payment_intents.insert(pi.id.clone(), pi.clone());
    Some(pi)
}
