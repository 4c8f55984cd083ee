//! Web streams and Rust streams, both ways: the part of the crates.io `wasm-streams` (0.5) that
//! Leptos's `server_fn` calls, and nothing else. The workspace's `[patch.crates-io]` puts this
//! crate in its place.
//!
//! Why not the original: Leptos enables `server_fn/browser` unconditionally, which links
//! `wasm-streams`, whose `IntoUnderlyingSource`, `IntoUnderlyingByteSource` and
//! `IntoUnderlyingSink` are `#[wasm_bindgen]` classes. Exported symbols are roots for the
//! linker, so their code, and the closures and futures they put in the function table, ship in
//! every build, used or not; wasm-opt can remove the exports afterwards but not the table
//! entries. The checkout never calls a server function. With this crate the embed measured
//! 4.4 KB less wasm and 0.5 KB less JS glue (brotli; 100.4 → 95.9 KB wasm), and the glue has no
//! stream classes to strip.
//!
//! Here a Rust stream becomes a JS `ReadableStream` through an underlying source made of
//! closures at run time, so nothing is exported and an unused conversion is not linked.
//!
//! What it is not: the rest of `wasm-streams` (byte streams, writable streams, `AsyncRead`,
//! piping, BYOB readers). `server_fn` 0.8 uses exactly [`ReadableStream::from_stream`],
//! [`ReadableStream::into_raw`], [`ReadableStream::from_raw`] and
//! [`ReadableStream::into_stream`]; a Leptos upgrade that calls more fails to compile here,
//! not at run time.

use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::FutureExt;
use futures_util::stream::{LocalBoxStream, Stream, StreamExt};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{QueuingStrategy, ReadableStreamDefaultController, ReadableStreamDefaultReader};

/// A JS `ReadableStream`, seen from Rust.
#[derive(Debug)]
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

/// The Rust stream behind a JS stream made by `from_stream`, shared by its source's `pull` and
/// `cancel`; `None` once it ended, failed or was cancelled.
type Shared = Rc<RefCell<Option<LocalBoxStream<'static, Result<JsValue, JsValue>>>>>;

impl ReadableStream {
    /// Wraps a JS stream.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// A JS stream that reads `stream`: each `Ok` is a chunk, an `Err` errors the JS stream,
    /// the end closes it, and cancelling the JS stream drops `stream`.
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        let shared: Shared = Rc::new(RefCell::new(Some(stream.boxed_local())));

        let pulled = Rc::clone(&shared);
        let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
            move |controller: ReadableStreamDefaultController| {
                let shared = Rc::clone(&pulled);
                future_to_promise(async move {
                    // The borrow lasts one poll: `cancel` may run while this waits.
                    let next = poll_fn(|cx| poll_shared(&shared, cx)).await;
                    match next {
                        Some(Ok(chunk)) => controller.enqueue_with_chunk(&chunk)?,
                        Some(Err(error)) => {
                            shared.borrow_mut().take();
                            return Err(error);
                        }
                        None => {
                            shared.borrow_mut().take();
                            controller.close()?;
                        }
                    }
                    Ok(JsValue::UNDEFINED)
                })
            },
        );
        let cancelled = Rc::clone(&shared);
        let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
            cancelled.borrow_mut().take();
        });

        let source = Object::new();
        // Setting a fresh plain object's own property cannot fail.
        let _ = Reflect::set(&source, &"pull".into(), &pull.into_js_value());
        let _ = Reflect::set(&source, &"cancel".into(), &cancel.into_js_value());
        // A high-water mark of 0: the JS side asks for a chunk only when it is read, so the
        // Rust stream is not polled ahead (as the original does).
        let strategy = QueuingStrategy::new();
        strategy.set_high_water_mark(0.0);
        let raw =
            web_sys::ReadableStream::new_with_underlying_source_and_strategy(&source, &strategy)
                // The constructor throws only for a malformed source or strategy, and these are ours.
                .unwrap_or_else(|_| wasm_bindgen::throw_str("ReadableStream refused its source"));
        Self { raw }
    }

    /// The JS stream, to hand to a browser API (a `fetch` body, a `Response`).
    pub fn as_raw(&self) -> &web_sys::ReadableStream {
        &self.raw
    }

    /// The JS stream, to hand to a browser API (a `fetch` body, a `Response`).
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// Reads the JS stream as a Rust [`Stream`] of its chunks; a JS error is an `Err` item and
    /// ends it. Throws if the stream is already locked to a reader (as the original panics).
    pub fn into_stream(self) -> IntoStream {
        let reader: ReadableStreamDefaultReader = self.raw.get_reader().unchecked_into();
        IntoStream {
            reader: Some(reader),
            pending: None,
        }
    }
}

fn poll_shared(shared: &Shared, cx: &mut Context<'_>) -> Poll<Option<Result<JsValue, JsValue>>> {
    match shared.borrow_mut().as_mut() {
        Some(stream) => stream.poll_next_unpin(cx),
        // Cancelled meanwhile.
        None => Poll::Ready(None),
    }
}

/// The chunks of a JS `ReadableStream`, from [`ReadableStream::into_stream`]. Dropping it
/// releases the stream's lock.
#[derive(Debug)]
pub struct IntoStream {
    /// `None` once the stream ended or failed.
    reader: Option<ReadableStreamDefaultReader>,
    /// The `read()` under way.
    pending: Option<JsFuture>,
}

impl Stream for IntoStream {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(reader) = &this.reader else {
            return Poll::Ready(None);
        };
        let read = this
            .pending
            .get_or_insert_with(|| JsFuture::from(reader.read()));
        let Poll::Ready(outcome) = read.poll_unpin(cx) else {
            return Poll::Pending;
        };
        this.pending = None;
        match outcome {
            Ok(result) => {
                let done = Reflect::get(&result, &"done".into())
                    .ok()
                    .and_then(|done| done.as_bool())
                    .unwrap_or(true);
                if done {
                    this.release();
                    return Poll::Ready(None);
                }
                let chunk = Reflect::get(&result, &"value".into()).unwrap_or(JsValue::UNDEFINED);
                Poll::Ready(Some(Ok(chunk)))
            }
            Err(error) => {
                this.release();
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

impl IntoStream {
    fn release(&mut self) {
        if let Some(reader) = self.reader.take() {
            reader.release_lock();
        }
    }
}

impl Drop for IntoStream {
    fn drop(&mut self) {
        self.release();
    }
}
