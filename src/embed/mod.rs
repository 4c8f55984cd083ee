//! The embeddable checkout's side in Rust: what the loader (www/embed/loader.js) calls once it
//! has fetched this wasm. Compiled only with the `embed` feature; the embed build
//! (xtask/src/embed.rs) is `--no-default-features --features embed`, so this wasm holds the
//! checkout and this glue, and nothing of the demo.
//!
//! The loader owns everything a host page touches: the `<connect-checkout>` element, the
//! `ConnectCheckout` global, the attributes read as options, the DOM events and the callbacks.
//! Here: [`mount`] reads the options ([`options`]), mounts a checkout into the element (its
//! light DOM: Stripe's Payment Element cannot live in a shadow root) and hands each
//! [`CheckoutEvent`] to the loader's `emit(name, detail)` ([`events`]).
//!
//! [`CheckoutEvent`]: crate::checkout::CheckoutEvent

pub mod events;
pub mod options;

use std::any::Any;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::checkout::mount_checkout_with;

/// A checkout mounted by [`mount`]. [`unmount`](Self::unmount) removes it; so does `free()`.
#[wasm_bindgen]
pub struct Embedded {
    /// Leptos's unmount handle: dropping it removes the checkout's DOM, cancels its requests
    /// and destroys its Payment Element.
    mounted: Option<Box<dyn Any>>,
}

#[wasm_bindgen]
impl Embedded {
    /// Removes the checkout from its element: its DOM, its requests in flight and its Payment
    /// Element. No event is sent afterwards.
    pub fn unmount(&mut self) {
        self.mounted = None;
    }
}

/// Mounts a checkout into `element` as `options` say (the loader's normalised options: see
/// [`options::read`]), sending each event to `emit(name, detail)`; `take(url)` hands over the
/// GET answers the loader fetched ahead ([`crate::api::use_prefetched`]). Throws a message
/// naming the option at fault, before anything is mounted, when an option is malformed.
#[wasm_bindgen]
pub fn mount(
    element: HtmlElement,
    options: &JsValue,
    emit: Function,
    take: Option<Function>,
) -> Result<Embedded, JsValue> {
    let options = options::read(options).map_err(|message| JsValue::from_str(&message))?;
    if let Some(take) = take {
        crate::api::use_prefetched(take);
    }
    let on_event = Rc::new(move |event| {
        let (name, detail) = events::to_js(&event);
        // The loader queues the event; what a page's handler throws stays in the page.
        let _ = emit.call2(&JsValue::NULL, &name.into(), &detail);
    });
    let handle = mount_checkout_with(element, options, Some(on_event));
    Ok(Embedded {
        mounted: Some(Box::new(handle)),
    })
}
