//! The docs page's playground: options on the left, the snippet they make and the live
//! `<connect-checkout>` they drive, and the events it sends. Changing an option changes an
//! attribute of the element, which updates the checkout, as on a host page.

use connect_checkout_core::AccountId;
use connect_checkout_core::api::{Product, Seller};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::AbortController;

use crate::api::Api;

/// The events the playground lists.
const EVENTS: [&str; 5] = [
    "cc-ready",
    "cc-change",
    "cc-success",
    "cc-error",
    "cc-cancel",
];

/// The options the playground sets, as the element's attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Options {
    seller: Option<String>,
    price: Option<String>,
    quantity: Option<String>,
    locale: Option<String>,
    theme: Option<String>,
    cancelable: bool,
}

impl Options {
    /// The element as a host page writes it.
    fn snippet(&self, origin: &str) -> String {
        let mut attributes = String::new();
        let mut add = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                attributes.push_str(&format!(" {name}=\"{value}\""));
            }
        };
        add("seller", &self.seller);
        add("price", &self.price);
        add("quantity", &self.quantity);
        add("locale", &self.locale);
        add("theme", &self.theme);
        if self.cancelable {
            attributes.push_str(" cancelable");
        }
        format!(
            "<script src=\"{origin}{}\" async></script>\n\n<connect-checkout{attributes}></connect-checkout>",
            super::LOADER_PATH
        )
    }
}

/// The form, the snippet, the live checkout and its events.
#[component]
pub fn Playground(
    /// The function's origin (this page's), for the snippet.
    origin: String,
) -> impl IntoView {
    let options = RwSignal::new(Options::default());
    let sellers = RwSignal::new(Vec::<Seller>::new());
    let products = RwSignal::new(Vec::<Product>::new());
    let events = RwSignal::new(Vec::<String>::new());
    let host = NodeRef::<Div>::new();

    // The sellers, then the first one chosen.
    spawn_local(async move {
        let Ok(controller) = AbortController::new() else {
            return;
        };
        if let Ok(list) = Api::new("").sellers(&controller.signal()).await {
            let first = list.sellers.first().map(|s| s.id.as_str().to_owned());
            sellers.set(list.sellers);
            options.update(|o| o.seller = first);
        }
    });
    // The chosen seller's products, for the price picker.
    Effect::new(move |_| {
        let seller = options.with(|o| o.seller.clone());
        products.set(Vec::new());
        let Some(seller) = seller.and_then(|s| AccountId::new(s).ok()) else {
            return;
        };
        spawn_local(async move {
            let Ok(controller) = AbortController::new() else {
                return;
            };
            if let Ok(list) = Api::new("").products(&seller, &controller.signal()).await {
                products.set(list.products);
            }
        });
    });
    // Every event the element sends, newest first.
    Effect::new(move |_| {
        let Some(host) = host.get() else {
            return;
        };
        let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            let detail = event
                .dyn_ref::<web_sys::CustomEvent>()
                .map(web_sys::CustomEvent::detail)
                .and_then(|detail| crate::wire::to_json(&detail))
                .unwrap_or_default();
            let line = format!("{} {detail}", event.type_());
            events.update(|list| {
                list.insert(0, line);
                list.truncate(8);
            });
        });
        for name in EVENTS {
            let _ = host.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        // The page lives as long as the listener.
        listener.forget();
    });

    let set = move |apply: fn(&mut Options, String)| {
        move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            options.update(|o| apply(o, value));
        }
    };
    let optional = |value: String| (!value.is_empty()).then_some(value);
    let snippet = move || options.with(|o| o.snippet(&origin));
    let attr = move |pick: fn(&Options) -> Option<String>| move || options.with(pick);

    view! {
        <div class="cc-docs-playground">
            <form class="cs-fieldset" on:submit=|event| event.prevent_default()>
                <div class="cs-field">
                    <label for="pg-seller">"seller"</label>
                    <select id="pg-seller" class="cs-input" data-role="pg-seller"
                        on:change=set(|o, v| { o.seller = (!v.is_empty()).then_some(v); o.price = None; })>
                        {move || sellers.get().into_iter().map(|s| {
                            let id = s.id.as_str().to_owned();
                            let selected = options.with_untracked(|o| o.seller.as_deref() == Some(id.as_str()));
                            view! { <option value=id.clone() selected=selected>{s.display_name} " (" {id.clone()} ")"</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="cs-field">
                    <label for="pg-price">"price"</label>
                    <select id="pg-price" class="cs-input" data-role="pg-price"
                        on:change=set(|o, v| o.price = (!v.is_empty()).then_some(v))>
                        <option value="">"every product of the seller"</option>
                        {move || products.get().into_iter().map(|p| {
                            let id = p.price.as_str().to_owned();
                            view! { <option value=id.clone()>{p.name} " (" {id.clone()} ")"</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="cs-field">
                    <label for="pg-quantity">"quantity"</label>
                    <input id="pg-quantity" class="cs-input" type="number" min="0" max="999"
                        data-role="pg-quantity" placeholder="1"
                        on:change=move |event| {
                            let value = optional(event_target_value(&event));
                            options.update(|o| o.quantity = value);
                        } />
                </div>
                <div class="cs-field">
                    <label for="pg-locale">"locale"</label>
                    <select id="pg-locale" class="cs-input" data-role="pg-locale"
                        on:change=set(|o, v| o.locale = (!v.is_empty()).then_some(v))>
                        <option value="">"the page's"</option>
                        <option value="en-US">"en-US"</option>
                        <option value="en-GB">"en-GB"</option>
                        <option value="fr-FR">"fr-FR"</option>
                    </select>
                </div>
                <div class="cs-field">
                    <label for="pg-theme">"theme"</label>
                    <select id="pg-theme" class="cs-input" data-role="pg-theme"
                        on:change=set(|o, v| o.theme = (!v.is_empty()).then_some(v))>
                        <option value="">"auto"</option>
                        <option value="light">"light"</option>
                        <option value="dark">"dark"</option>
                    </select>
                </div>
                <label class="cs-checkbox">
                    <input type="checkbox" data-role="pg-cancelable"
                        on:change=move |event| {
                            let checked = event_target_checked(&event);
                            options.update(|o| o.cancelable = checked);
                        } />
                    <span>"cancelable"</span>
                </label>
            </form>
            <div class="cc-docs-live">
                <pre class="cc-docs-code" data-role="pg-snippet"><code>{snippet}</code></pre>
                <div node_ref=host data-role="pg-host">
                    // Shown once the sellers are known, so the first checkout is the seller's.
                    <Show when=move || options.with(|o| o.seller.is_some())>
                        <connect-checkout
                            seller=attr(|o| o.seller.clone())
                            price=attr(|o| o.price.clone())
                            quantity=attr(|o| o.quantity.clone())
                            locale=attr(|o| o.locale.clone())
                            theme=attr(|o| o.theme.clone())
                            cancelable=move || options.with(|o| o.cancelable.then_some(""))
                        ></connect-checkout>
                    </Show>
                </div>
                <h3>"Events"</h3>
                <ol class="cc-docs-events" data-role="pg-events" aria-live="polite">
                    {move || events.get().into_iter().map(|line| view! { <li><code>{line}</code></li> }).collect_view()}
                </ol>
            </div>
        </div>
    }
}
