//! The checkout's DOM, built with `web_sys` calls and kept in step with its signals by
//! [`Bindings`]: what the checkout's view ([`crate::checkout::CheckoutView`]) is made of.
//!
//! Why by hand, when the seller pages use Leptos's `view!`: the checkout is what every
//! shopper downloads, and its `view!` markup compiled to 32.5 KB of the embed's 94.2 KB (brotli,
//! measured by building the embed with the markup emptied). Tachys, Leptos's renderer, turns
//! each piece of markup into its own nested types, and each type into its own build, rebuild
//! and unmount code. The checkout is one fixed form with a few lists and a few parts that come
//! and go, so these few functions do the same job. The signals stay Leptos's: a binding is a
//! `RenderEffect`, as each of tachys's reactive attributes is, so the timing is the same.

use std::any::Any;

use leptos::prelude::{RenderEffect, document};
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, Node};

/// A new `<tag>` with these attributes.
pub fn element(tag: &str, attributes: &[(&str, &str)]) -> Element {
    // `createElement` throws only for a name that is not a valid tag name; ours are literals.
    let element = document().create_element(tag).unwrap_throw();
    for (name, value) in attributes {
        set(&element, name, value);
    }
    element
}

/// `element`, with `text` as its content.
pub fn with_text(element: Element, text: &str) -> Element {
    element.set_text_content(Some(text));
    element
}

/// Sets an attribute. `setAttribute` throws only for an invalid name; ours are literals.
pub fn set(element: &Element, name: &str, value: &str) {
    let _ = element.set_attribute(name, value);
}

/// Appends `children` to `parent`, in order.
pub fn append(parent: &Element, children: &[&Element]) {
    for child in children {
        let _ = parent.append_child(child);
    }
}

/// A form control's `value` property (an `<input>`'s or a `<select>`'s). Read and written
/// through `Reflect`: one import for both kinds of control.
pub fn value(control: &Element) -> String {
    js_sys::Reflect::get(control, &JsValue::from_str("value"))
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_default()
}

fn set_value(control: &Element, value: &str) {
    let _ = js_sys::Reflect::set(
        control,
        &JsValue::from_str("value"),
        &JsValue::from_str(value),
    );
}

/// What keeps a piece of DOM live: the effects that redraw its changing parts and its event
/// listeners. Dropping it stops the effects and removes the listeners; the DOM stays as it was
/// last drawn, for its owner to remove.
#[derive(Default)]
pub struct Bindings(Vec<Box<dyn Any>>);

impl Bindings {
    /// Runs `draw` now, and again after any signal it read changes.
    pub fn effect(&mut self, mut draw: impl FnMut() + 'static) {
        self.0.push(Box::new(RenderEffect::new(move |_| draw())));
    }

    /// The attribute `name` is what `value` gives, now and as it changes.
    pub fn attr<V: AsRef<str>>(
        &mut self,
        element: &Element,
        name: &'static str,
        value: impl Fn() -> V + 'static,
    ) {
        let element = element.clone();
        self.effect(move || set(&element, name, value().as_ref()));
    }

    /// The boolean attribute `name` (`hidden`, `disabled`) is there while `on` gives `true`.
    pub fn flag(&mut self, element: &Element, name: &'static str, on: impl Fn() -> bool + 'static) {
        let element = element.clone();
        self.effect(move || {
            let _ = element.toggle_attribute_with_force(name, on());
        });
    }

    /// The element's text is what `text` gives, now and as it changes.
    pub fn text<V: AsRef<str>>(&mut self, element: &Element, text: impl Fn() -> V + 'static) {
        let element = element.clone();
        self.effect(move || element.set_text_content(Some(text().as_ref())));
    }

    /// The control's `value` property (not its attribute, which only sets the first value) is
    /// what `value` gives, now and as it changes.
    pub fn value<V: AsRef<str>>(&mut self, control: &Element, value: impl Fn() -> V + 'static) {
        let control = control.clone();
        self.effect(move || set_value(&control, value().as_ref()));
    }

    /// Calls `handler` with each `event` at `target`, until these bindings are dropped.
    pub fn on(
        &mut self,
        target: &Element,
        event: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) {
        let handler = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        self.0.push(Box::new(Listener {
            target: target.clone(),
            event,
            handler,
        }));
    }

    /// A part of `parent` that is drawn whole by `draw`, where `parent`'s next child would go:
    /// when a signal `draw` read changes, its nodes (and their bindings) are replaced by a new
    /// drawing. For the parts that come and go, and the lists.
    pub fn part(
        &mut self,
        parent: &Element,
        draw: impl Fn(&mut Bindings) -> Vec<Element> + 'static,
    ) {
        // The part's place among its siblings, which its nodes go before.
        let anchor: Node = document().create_comment("").into();
        let _ = parent.append_child(&anchor);
        let parent = parent.clone();
        let mut drawn: (Vec<Element>, Bindings) = Default::default();
        self.effect(move || {
            let (nodes, bindings) = std::mem::take(&mut drawn);
            for node in nodes {
                node.remove();
            }
            drop(bindings);
            let mut bindings = Bindings::default();
            let nodes = draw(&mut bindings);
            for node in &nodes {
                let _ = parent.insert_before(node, Some(&anchor));
            }
            drawn = (nodes, bindings);
        });
    }
}

/// An event listener, removed when dropped (its Rust closure goes with it).
struct Listener {
    target: Element,
    event: &'static str,
    handler: Closure<dyn FnMut(Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, self.handler.as_ref().unchecked_ref());
    }
}
