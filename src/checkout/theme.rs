//! The theme crosses into Stripe's iframe: the widget's CSS custom properties (`--cc-…`, see
//! www/checkout.css), as computed where the Payment Element mounts, become the Element's
//! `appearance`. A host page that sets `--cc-color-primary` restyles both, and the dark theme
//! (`data-theme="dark"`, or the shopper's `prefers-color-scheme`) sets `--cc-stripe-theme:
//! night` so that what the variables leave unset is dark too.

use crate::stripe_js::Appearance;

/// Our custom property → Stripe's appearance variable.
const VARIABLES: &[(&str, &str)] = &[
    ("--cc-color-primary", "colorPrimary"),
    ("--cc-color-background", "colorBackground"),
    ("--cc-color-text", "colorText"),
    ("--cc-color-muted", "colorTextSecondary"),
    ("--cc-color-border", "colorBorder"),
    ("--cc-color-danger", "colorDanger"),
    ("--cc-font", "fontFamily"),
    ("--cc-radius", "borderRadius"),
];

/// The appearance for an Element mounted in `element`; unset properties are left to Stripe.
pub fn appearance_at(element: &web_sys::Element) -> Appearance {
    let style =
        web_sys::window().and_then(|window| window.get_computed_style(element).ok().flatten());
    let Some(style) = style else {
        return Appearance::default();
    };
    let read = |property: &str| {
        let value = style.get_property_value(property).ok()?;
        let value = value.trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    Appearance {
        theme: read("--cc-stripe-theme"),
        variables: VARIABLES
            .iter()
            .filter_map(|(property, variable)| Some((*variable, read(property)?)))
            .collect(),
    }
}
