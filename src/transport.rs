//! Sending one attempt through `fetch`, and waiting, both cancellable.
//!
//! Timers are the runtime's own `setTimeout`/`clearTimeout` rather than
//! `AbortSignal.timeout`, which older runtimes lack. Every timer is cleared and
//! every listener removed before a function here returns, so nothing is left to
//! hold the process open or to grow memory across calls.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, RequestInit, Response};

use crate::error::Error;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// The runtime's global `fetch`, if it has one.
pub fn global_fetch() -> Option<Function> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("fetch"))
        .ok()?
        .dyn_into()
        .ok()
}

/// A raw answer: status, `Date` header and body text.
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The `Date` header as Unix milliseconds, when present and readable.
    pub date_ms: Option<f64>,
    /// The body, decoded as UTF-8.
    pub body: String,
}

/// Removes an abort listener from a signal when dropped.
struct Listener<'a> {
    signal: &'a AbortSignal,
    callback: Closure<dyn FnMut()>,
}

impl<'a> Listener<'a> {
    fn new(signal: &'a AbortSignal, callback: Closure<dyn FnMut()>) -> Listener<'a> {
        // Adding a listener to a live AbortSignal does not throw.
        let _ = signal.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
        Listener { signal, callback }
    }
}

impl Drop for Listener<'_> {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.callback.as_ref().unchecked_ref());
    }
}

/// Clears a timer when dropped.
struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    fn start(ms: f64, callback: Closure<dyn FnMut()>) -> Timer {
        let id = set_timeout(callback.as_ref().unchecked_ref(), ms);
        Timer {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// Waits `ms` milliseconds, or fails with [`Error::Aborted`] as soon as `signal` fires.
pub async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Result<(), Error> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(Error::Aborted);
    }
    if ms <= 0.0 {
        return Ok(());
    }

    let mut settle: Option<(Function, Function)> = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let Some((resolve, reject)) = settle else {
        unreachable!("a Promise runs its executor at once; this is a bug")
    };
    let _timer = Timer::start(
        ms,
        Closure::new(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }),
    );
    let _listener = signal.map(|s| {
        Listener::new(
            s,
            Closure::new(move || {
                let _ = reject.call0(&JsValue::UNDEFINED);
            }),
        )
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| Error::Aborted)
}

/// Sends one GET through `fetch` and reads the whole answer, within `timeout_ms`,
/// reading at most `max_body` bytes, giving up at once when `signal` fires.
pub async fn attempt(
    fetch: &Function,
    this: &JsValue,
    url: &str,
    timeout_ms: u64,
    max_body: u64,
    signal: Option<&AbortSignal>,
) -> Result<Answer, Error> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(Error::Aborted);
    }
    let controller = AbortController::new().map_err(|_| {
        Error::config("this runtime has no AbortController; it cannot time calls out")
    })?;
    let timed_out = Rc::new(Cell::new(false));

    let _timer = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Timer::start(
            timeout_ms as f64,
            Closure::new(move || {
                timed_out.set(true);
                controller.abort();
            }),
        )
    };
    let _listener = signal.map(|s| {
        let controller = controller.clone();
        Listener::new(s, Closure::new(move || controller.abort()))
    });
    let why = |e: JsValue| -> Error {
        if timed_out.get() {
            Error::Timeout { ms: timeout_ms }
        } else if signal.is_some_and(AbortSignal::aborted) {
            Error::Aborted
        } else {
            network(e)
        }
    };

    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&controller.signal()));
    let pending = fetch
        .call2(this, &JsValue::from_str(url), &init)
        .map_err(why)?;
    let pending: Promise = pending
        .dyn_into()
        .map_err(|_| Error::config("the fetch option returned something that is not a Promise"))?;
    let response: Response = JsFuture::from(pending)
        .await
        .map_err(why)?
        .dyn_into()
        .map_err(|_| {
            Error::config("the fetch option resolved to something that is not a Response")
        })?;

    let status = response.status();
    let headers = response.headers();
    let date_ms = headers
        .get("date")
        .ok()
        .flatten()
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite());
    let declared = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body) {
        controller.abort();
        return Err(too_big(max_body));
    }

    let bytes = read_body(&response, max_body, &controller)
        .await
        .map_err(|e| match e {
            BodyError::TooBig => too_big(max_body),
            BodyError::Js(e) => match why(e) {
                Error::Network { message } => {
                    Error::parse(format!("the body ended before it was complete ({message})"))
                }
                other => other,
            },
        })?;
    let body = String::from_utf8(bytes)
        .map_err(|e| Error::parse(format!("the body is not valid UTF-8 ({e})")))?;
    Ok(Answer {
        status,
        date_ms,
        body,
    })
}

fn too_big(max_body: u64) -> Error {
    Error::parse(format!(
        "the body is larger than maxBodyBytes ({max_body} bytes); it was not read"
    ))
}

enum BodyError {
    TooBig,
    Js(JsValue),
}

async fn read_body(
    response: &Response,
    max_body: u64,
    controller: &AbortController,
) -> Result<Vec<u8>, BodyError> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(BodyError::Js)?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done")).map_err(BodyError::Js)?;
        if done.is_truthy() {
            return Ok(bytes);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(BodyError::Js)?;
        let Some(value) = value.dyn_ref::<Uint8Array>() else {
            return Err(BodyError::Js(JsValue::from_str(
                "the body stream gave a non-byte chunk",
            )));
        };
        if bytes.len() as u64 + u64::from(value.length()) > max_body {
            let _ = reader.cancel();
            controller.abort();
            return Err(BodyError::TooBig);
        }
        let at = bytes.len();
        bytes.resize(at + value.length() as usize, 0);
        value.copy_to(&mut bytes[at..]);
    }
}

/// A network failure, with the runtime's reason (Node puts it in `error.cause`).
pub fn network(e: JsValue) -> Error {
    let mut message = describe(&e);
    if let Ok(cause) = Reflect::get(&e, &JsValue::from_str("cause")) {
        if !cause.is_undefined() && !cause.is_null() {
            message = format!("{message} ({})", describe(&cause));
        }
    }
    Error::Network { message }
}

fn describe(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        let message = String::from(e.message());
        let code = Reflect::get(e, &JsValue::from_str("code"))
            .ok()
            .and_then(|c| c.as_string());
        match code {
            Some(code) if !message.contains(&code) => format!("{code}: {message}"),
            _ => message,
        }
    } else {
        v.as_string().unwrap_or_else(|| "fetch failed".to_owned())
    }
}
