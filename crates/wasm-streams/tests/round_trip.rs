//! Both directions in headless Chromium, the way `server_fn` uses them: a Rust stream as a
//! `fetch`-able JS stream, and a `Response` body read back as a Rust stream.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::unwrap_used)]

use futures_util::StreamExt;
use futures_util::stream;
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_streams::ReadableStream;

wasm_bindgen_test_configure!(run_in_browser);

fn bytes(text: &str) -> Result<JsValue, JsValue> {
    Ok(Uint8Array::from(text.as_bytes()).into())
}

/// A chunk of bytes as text.
fn text(chunk: JsValue) -> String {
    String::from_utf8(chunk.unchecked_into::<Uint8Array>().to_vec()).unwrap()
}

/// The text a JS stream of bytes reads as, through the browser's own `Response`.
async fn text_of(raw: &web_sys::ReadableStream) -> Result<String, JsValue> {
    let response = web_sys::Response::new_with_opt_readable_stream(Some(raw))?;
    Ok(JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default())
}

#[wasm_bindgen_test]
async fn a_rust_stream_reads_in_js_in_order_and_closes() {
    let chunks = stream::iter(["pay ", "once", ", not twice"]).map(bytes);
    let raw = ReadableStream::from_stream(chunks).into_raw();

    assert_eq!(text_of(&raw).await.unwrap(), "pay once, not twice");
}

#[wasm_bindgen_test]
async fn a_rust_error_errors_the_js_stream_after_the_chunks_before_it() {
    let chunks = stream::iter([bytes("half"), Err(JsValue::from_str("lost the network"))]);
    let raw = ReadableStream::from_stream(chunks).into_raw();

    let mut read = ReadableStream::from_raw(raw).into_stream();
    assert_eq!(text(read.next().await.unwrap().unwrap()), "half");
    let error = read.next().await.unwrap().unwrap_err();
    assert_eq!(error.as_string().as_deref(), Some("lost the network"));
    assert!(read.next().await.is_none());
}

#[wasm_bindgen_test]
async fn a_js_stream_reads_in_rust_chunk_by_chunk_to_its_end() {
    let chunks = stream::iter(["a", "bc", "def"]).map(bytes);
    let raw = ReadableStream::from_stream(chunks).into_raw();

    let read: Vec<String> = ReadableStream::from_raw(raw)
        .into_stream()
        .map(|chunk| text(chunk.unwrap()))
        .collect()
        .await;
    assert_eq!(read, ["a", "bc", "def"]);
}

#[wasm_bindgen_test]
async fn dropping_the_rust_side_unlocks_the_js_stream() {
    let chunks = stream::iter(["first", "second"]).map(bytes);
    let raw = ReadableStream::from_stream(chunks).into_raw();

    let mut rust_side = ReadableStream::from_raw(raw.clone()).into_stream();
    assert!(rust_side.next().await.unwrap().is_ok());
    assert!(raw.locked());
    drop(rust_side);

    assert!(!raw.locked());
    let mut again = ReadableStream::from_raw(raw).into_stream();
    assert_eq!(text(again.next().await.unwrap().unwrap()), "second");
}

#[wasm_bindgen_test]
async fn cancelling_the_js_stream_drops_the_rust_stream() {
    struct Dropped(std::rc::Rc<std::cell::Cell<bool>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = std::rc::Rc::new(std::cell::Cell::new(false));
    let guard = Dropped(dropped.clone());
    let chunks = stream::repeat_with(move || {
        let _ = &guard;
        bytes("more")
    });
    let raw = ReadableStream::from_stream(chunks).into_raw();

    JsFuture::from(raw.cancel()).await.unwrap();
    assert!(dropped.get());
}
