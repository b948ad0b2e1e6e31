//! Sending one attempt through `fetch`, and waiting, both cancellable.
//!
//! Timers are the runtime's own `setTimeout`/`clearTimeout` rather than
//! `AbortSignal.timeout`, which older runtimes lack. Every timer is cleared and
//! every listener removed before a function here returns, so nothing is left to
//! hold the process open or to grow memory across calls.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestInit, Response};

use crate::error::Error;
use crate::query::mask_signed_values;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
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
    fn new(signal: &'a AbortSignal, callback: Closure<dyn FnMut()>) -> Result<Listener<'a>, Error> {
        signal
            .add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref())
            .map_err(|_| Error::validation("signal", "the signal refused an abort listener"))?;
        Ok(Listener { signal, callback })
    }
}

/// Whether the caller's signal has fired. The property is read through `Reflect`, so a
/// signal whose `aborted` was redefined to throw counts as fired instead of throwing
/// through wasm.
pub fn aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(|s| {
        Reflect::get(s, &JsValue::from_str("aborted")).map_or(true, |a| a.is_truthy())
    })
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
    fn start(ms: f64, callback: Closure<dyn FnMut()>) -> Result<Timer, Error> {
        let id = set_timeout(callback.as_ref().unchecked_ref(), ms)
            .map_err(|_| Error::config("this runtime has no setTimeout; calls cannot wait"))?;
        Ok(Timer {
            id,
            _callback: callback,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let _ = clear_timeout(&self.id);
    }
}

/// Waits `ms` milliseconds, or fails with [`Error::Aborted`] as soon as `signal` fires.
pub async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Result<(), Error> {
    if aborted(signal) {
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
    )?;
    let _listener = signal
        .map(|s| {
            Listener::new(
                s,
                Closure::new(move || {
                    let _ = reject.call0(&JsValue::UNDEFINED);
                }),
            )
        })
        .transpose()?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| Error::Aborted)
}

/// A promise that rejects when `signal` fires, with the listener that rejects it.
fn rejected_on_abort(signal: &AbortSignal) -> Result<(Promise, Listener<'_>), Error> {
    let mut settle = None;
    let promise = Promise::new(&mut |_, reject| settle = Some(reject));
    let reject = settle.unwrap_or_else(|| unreachable!("a Promise runs its executor at once"));
    let listener = Listener::new(
        signal,
        Closure::new(move || {
            let _ = reject.call0(&JsValue::UNDEFINED);
        }),
    )?;
    Ok((promise, listener))
}

/// Awaits `pending`, or stops as soon as `aborted` rejects. Racing, rather than trusting
/// `fetch` to honour its signal, keeps timeouts and cancellation working with a `fetch`
/// option that ignores `init.signal`.
async fn until_aborted(pending: &Promise, aborted: &Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::race(&Array::of2(pending, aborted))).await
}

/// Calls `target[name](...args)`, catching whatever it throws.
fn call_method(target: &JsValue, name: &str, args: &Array) -> Result<JsValue, JsValue> {
    let method: Function = Reflect::get(target, &JsValue::from_str(name))?.dyn_into()?;
    Reflect::apply(&method, target, args)
}

/// Sends one GET through `fetch` and reads the whole answer, within `timeout_ms`,
/// reading at most `max_body` bytes, giving up at once when `signal` fires.
///
/// Everything read from the `Response` goes through `Reflect` so that an imitation (or a
/// Response whose body was already used) gives an error here instead of an exception
/// that no caller could catch.
pub async fn attempt(
    fetch: &Function,
    this: &JsValue,
    url: &str,
    timeout_ms: u64,
    max_body: u64,
    signal: Option<&AbortSignal>,
) -> Result<Answer, Error> {
    if aborted(signal) {
        return Err(Error::Aborted);
    }
    let controller = AbortController::new().map_err(|_| {
        Error::config("this runtime has no AbortController; it cannot time calls out")
    })?;
    let controller_signal = controller.signal();
    let timed_out = Rc::new(Cell::new(false));

    let _timer = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Timer::start(
            timeout_ms as f64,
            Closure::new(move || {
                timed_out.set(true);
                controller.abort();
            }),
        )?
    };
    let _caller = signal
        .map(|s| {
            let controller = controller.clone();
            Listener::new(s, Closure::new(move || controller.abort()))
        })
        .transpose()?;
    let (on_abort, _on_abort_listener) = rejected_on_abort(&controller_signal)?;
    let why = |e: JsValue| -> Error {
        if timed_out.get() {
            Error::Timeout { ms: timeout_ms }
        } else if aborted(signal) {
            Error::Aborted
        } else {
            network(e)
        }
    };
    let unusable = |what: &str| {
        Error::config(format!(
            "fetch resolved to {what}; a fetch option must resolve to an unread Response"
        ))
    };

    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&controller_signal));
    let pending = fetch
        .call2(this, &JsValue::from_str(url), &init)
        .map_err(why)?;
    let pending: Promise = pending
        .dyn_into()
        .map_err(|_| Error::config("the fetch option returned something that is not a Promise"))?;
    let response: Response = until_aborted(&pending, &on_abort)
        .await
        .map_err(why)?
        .dyn_into()
        .map_err(|_| unusable("something that is not a Response"))?;

    let field = |name: &str| Reflect::get(&response, &JsValue::from_str(name));
    let status = field("status")
        .ok()
        .and_then(|s| s.as_f64())
        .filter(|s| (0.0..1000.0).contains(s))
        .ok_or_else(|| unusable("a Response without a readable status"))? as u16;
    let headers = field("headers").map_err(|_| unusable("a Response without headers"))?;
    let header = |name: &str| {
        call_method(&headers, "get", &Array::of1(&JsValue::from_str(name)))
            .ok()
            .and_then(|v| v.as_string())
    };
    let date_ms = header("date")
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite());
    let declared = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body) {
        controller.abort();
        return Err(too_big(max_body));
    }

    let body = field("body").map_err(|_| unusable("a Response whose body cannot be read"))?;
    let bytes = read_body(&body, max_body, &controller, &on_abort)
        .await
        .map_err(|e| match e {
            BodyError::TooBig => too_big(max_body),
            BodyError::Unusable => unusable("a Response whose body was already read or locked"),
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
    Unusable,
    Js(JsValue),
}

async fn read_body(
    body: &JsValue,
    max_body: u64,
    controller: &AbortController,
    on_abort: &Promise,
) -> Result<Vec<u8>, BodyError> {
    if body.is_null() || body.is_undefined() {
        return Ok(Vec::new());
    }
    let reader = call_method(body, "getReader", &Array::new()).map_err(|_| BodyError::Unusable)?;
    let mut bytes = Vec::new();
    loop {
        let read: Promise = call_method(&reader, "read", &Array::new())
            .and_then(|p| p.dyn_into())
            .map_err(|_| BodyError::Unusable)?;
        let chunk = until_aborted(&read, on_abort)
            .await
            .map_err(BodyError::Js)?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done")).map_err(BodyError::Js)?;
        if done.is_truthy() {
            return Ok(bytes);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(BodyError::Js)?;
        let chunk = copy_bytes(&value).ok_or_else(|| {
            BodyError::Js(JsValue::from_str(
                "the body stream gave a chunk that is not bytes",
            ))
        })?;
        if bytes.len() as u64 + chunk.len() as u64 > max_body {
            controller.abort();
            return Err(BodyError::TooBig);
        }
        bytes.extend_from_slice(&chunk);
    }
}

/// The bytes of a stream chunk, copied by `new Uint8Array(chunk)` first. The copy is
/// made from the chunk's internal slots, so a chunk whose `length` property was
/// redefined (to throw, or to change between reads) cannot lie to the copying below,
/// and anything that is not a real typed array is refused.
fn copy_bytes(value: &JsValue) -> Option<Vec<u8>> {
    if !value.is_instance_of::<Uint8Array>() || !js_sys::ArrayBuffer::is_view(value) {
        return None;
    }
    let constructor: Function = Reflect::get(&js_sys::global(), &JsValue::from_str("Uint8Array"))
        .ok()?
        .dyn_into()
        .ok()?;
    let copy: Uint8Array = Reflect::construct(&constructor, &Array::of1(value))
        .ok()?
        .dyn_into()
        .ok()?;
    Some(copy.to_vec())
}

/// A network failure, with the runtime's reason (Node puts it in `error.cause`).
pub fn network(e: JsValue) -> Error {
    let mut message = describe(&e);
    if let Ok(cause) = Reflect::get(&e, &JsValue::from_str("cause")) {
        if !cause.is_undefined() && !cause.is_null() {
            message = format!("{message} ({})", describe(&cause));
        }
    }
    // Some fetch implementations quote the URL in their errors.
    Error::Network {
        message: mask_signed_values(&message),
    }
}

/// A thrown JS value as text: an Error's message (with its `code`, if any), or a string.
/// Every property is read through `Reflect` and kept only if it is a string: a thrown
/// value is the thrower's to shape, and a getter or a non-string `message` must not throw
/// again inside wasm.
pub fn describe(v: &JsValue) -> String {
    let text = |key: &str| {
        if !v.is_object() {
            return None;
        }
        Reflect::get(v, &JsValue::from_str(key))
            .ok()
            .and_then(|m| m.as_string())
    };
    match (text("message"), text("code")) {
        (Some(message), Some(code)) if !message.contains(&code) => format!("{code}: {message}"),
        (Some(message), _) => message,
        (None, _) => v
            .as_string()
            .unwrap_or_else(|| "no reason given".to_owned()),
    }
}
