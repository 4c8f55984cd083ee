//! Pages the sandbox serves in place of Stripe's own hosted pages: the 3-D Secure challenge
//! (`/3ds/…`), Connect onboarding (`/setup/…`) and the Express dashboard (`/express/…`). Plain HTML with a little inline script at most, labelled controls, and
//! one shared stylesheet; no framework.

pub(crate) mod express;
pub(crate) mod onboarding;
pub(crate) mod three_d_secure;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::SandboxState;

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .merge(three_d_secure::routes())
        .merge(onboarding::routes())
        .merge(express::routes())
}

/// `&`, `<`, `>`, `"` and `'` escaped, for text and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light dark; --accent: #635bff; --danger: #c0123c; --muted: #5b6475; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
  background: Canvas; color: CanvasText; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .75rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
p.note { color: var(--muted); font-size: .9rem; }
.sandbox { display: inline-block; font-size: .75rem; font-weight: 600; letter-spacing: .04em;
  text-transform: uppercase; color: #fff; background: var(--accent); border-radius: 4px;
  padding: .1rem .45rem; margin-bottom: .75rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1rem 0; }
dt { font-weight: 600; }
dd { margin: 0; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input, select { font: inherit; padding: .45rem .6rem; width: 100%; max-width: 24rem;
  border: 1px solid #8a93a6; border-radius: 6px; background: Field; color: FieldText; }
fieldset { border: 1px solid #c9cedb; border-radius: 8px; margin: 1rem 0; padding: .5rem 1rem 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1.25rem; }
button, .button { font: inherit; font-weight: 600; padding: .6rem 1.1rem; border-radius: 6px;
  border: 2px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer;
  text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: transparent; color: var(--accent); }
button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
button:focus-visible, .button:focus-visible, input:focus-visible, select:focus-visible,
a:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #d5d9e2; vertical-align: top; }
th { font-weight: 600; }
code { font-size: .88em; }
.error { color: var(--danger); font-weight: 600; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; }
";

/// A whole page: `title` in `<title>` and the "sandbox" badge before `body`.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · Stripe sandbox</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main>\n<span class=\"sandbox\">Test mode · Stripe sandbox</span>\n{body}\n</main>\n\
         </body>\n</html>\n",
        esc(title)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Reads an `application/x-www-form-urlencoded` body into (name, value) pairs.
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
