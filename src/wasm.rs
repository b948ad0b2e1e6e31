//! The JavaScript surface: `AnalyticsClient`, `generateSignature`, `parseResponse`.
//!
//! Requests go through the runtime's global `fetch` (never `window.fetch`, which
//! Node, Deno and Workers lack). Failures become a real JS `Error` named
//! `ZegoError` with a stable `kind`; see [`to_js_error`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::actions::Action;
use crate::client::Client;
use crate::config::{whole, Config};
use crate::error::Error;
use crate::policy::{self, Next, RateLimiter};
use crate::response::{self, Output};
use crate::sign::{new_nonce, signature};
use crate::transport;

thread_local! {
    /// One limiter for the whole instance: the service's limits are per AppId, not per
    /// client object.
    static LIMITER: RefCell<RateLimiter> = RefCell::new(RateLimiter::new());
}

/// A client of the ZEGO Analytics Dashboard server API for one AppId.
#[wasm_bindgen(js_name = AnalyticsClient)]
pub struct JsClient {
    inner: Rc<Inner>,
}

/// What every call of one client shares.
struct Inner {
    client: Client,
    /// The caller's `fetch` option; `None` means the global `fetch`.
    fetch: Option<Function>,
    /// The clock offset in force: the option, or what a `Date` header taught.
    offset_ms: Cell<i64>,
}

/// A failure with what the caller needs to decide about retrying it.
struct Failure {
    error: Error,
    attempts: u32,
    retry_after_ms: Option<f64>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            attempts: 0,
            retry_after_ms: None,
        }
    }
}

#[wasm_bindgen(js_class = AnalyticsClient)]
impl JsClient {
    /// `new AnalyticsClient({ appId, serverSecret, region?, endpoint?, isTest? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        JsClient::from_options(&options).map_err(|e| to_js_error(&e))
    }

    /// The AppId requests are signed for.
    #[wasm_bindgen(getter, js_name = appId)]
    pub fn app_id(&self) -> u32 {
        self.inner.client.config().app_id
    }

    /// Where requests go, such as `https://analytics-api.zego.im/`.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.client.config().base_url.clone()
    }

    /// The signed URL of a request, without sending it. `at` fixes the nonce and the
    /// Unix-seconds timestamp, for tests and for tools that check signatures.
    #[wasm_bindgen(js_name = buildUrl)]
    pub fn build_url(
        &self,
        action: JsValue,
        params: JsValue,
        at: JsValue,
    ) -> Result<String, JsValue> {
        let action = text(&action, "action")?;
        build_url(&self.inner, &action, &params, &at).map_err(|e| to_js_error(&e))
    }

    /// What `JSON.stringify(client)` shows: never the secret.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let c = self.inner.client.config();
        let out = Object::new();
        set(&out, "appId", &JsValue::from(c.app_id));
        set(&out, "baseUrl", &JsValue::from_str(&c.base_url));
        if let Some(t) = c.is_test {
            set(&out, "isTest", &JsValue::from_bool(t));
        }
        out.into()
    }

    /// What `String(client)` shows: never the secret.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        let c = self.inner.client.config();
        format!(
            "AnalyticsClient(appId={}, baseUrl={})",
            c.app_id, c.base_url
        )
    }

    /// GetBizUsage: `{ startDate, endDate, metrics }`.
    #[wasm_bindgen(js_name = getBizUsage)]
    pub fn get_biz_usage(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::BizUsage, params, options)
    }

    /// GetBizQuality: `{ startDate, endDate, metrics }`.
    #[wasm_bindgen(js_name = getBizQuality)]
    pub fn get_biz_quality(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::BizQuality, params, options)
    }

    /// GetRealtimeUsage: `{ startTs, endTs, metrics }`.
    #[wasm_bindgen(js_name = getRealtimeUsage)]
    pub fn get_realtime_usage(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::RealtimeUsage, params, options)
    }

    /// GetRealtimeQuality: `{ startTs, endTs, metrics }`.
    #[wasm_bindgen(js_name = getRealtimeQuality)]
    pub fn get_realtime_quality(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::RealtimeQuality, params, options)
    }

    /// GetRegionQualityDetail: `{ startTs, endTs, region?, platform? }`.
    #[wasm_bindgen(js_name = getRegionQualityDetail)]
    pub fn get_region_quality_detail(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::RegionQualityDetail, params, options)
    }

    /// GetStreamBaseInfo: `{ roomId, userId, streamId, streamType, startTs, endTs }`.
    #[wasm_bindgen(js_name = getStreamBaseInfo)]
    pub fn get_stream_base_info(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::StreamBaseInfo, params, options)
    }

    /// GetPublishQualityDetail: `{ roomId, userId, streamId, metrics, startTs, endTs }`.
    #[wasm_bindgen(js_name = getPublishQualityDetail)]
    pub fn get_publish_quality_detail(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::PublishQualityDetail, params, options)
    }

    /// GetPlayQualityDetail: `{ roomId, userId, streamId, metrics, startTs, endTs }`.
    #[wasm_bindgen(js_name = getPlayQualityDetail)]
    pub fn get_play_quality_detail(&self, params: JsValue, options: JsValue) -> Promise {
        self.call(Action::PlayQualityDetail, params, options)
    }
}

impl JsClient {
    fn from_options(options: &JsValue) -> Result<JsClient, Error> {
        if !options.is_object() || options.is_function() {
            return Err(Error::config(
                "options must be an object like { appId, serverSecret }",
            ));
        }

        // `fetch` is a function, which JSON cannot hold: it is read on its own, and the
        // rest as JSON.
        let unreadable = |why: String| Error::config(format!("options could not be read: {why}"));
        let fetch = Reflect::get(options, &JsValue::from_str("fetch"))
            .map_err(|e| unreadable(transport::describe(&e)))?;
        let fetch = if fetch.is_undefined() || fetch.is_null() {
            None
        } else {
            Some(fetch.dyn_into::<Function>().map_err(|_| {
                Error::config("fetch must be a function with the signature of fetch")
            })?)
        };
        let mut map = match to_json(options) {
            Ok(Some(Value::Object(map))) => map,
            Ok(_) => {
                return Err(Error::config(
                    "options must be an object like { appId, serverSecret }",
                ))
            }
            // JSON has no NaN or Infinity; without this check they would read as null,
            // which means "not given", and the default would silently apply.
            Err(Unreadable::NotFinite(key)) => {
                return Err(Error::config(format!(
                    "option {key:?} must be a finite number"
                )))
            }
            Err(Unreadable::Threw(why) | Unreadable::Json(why)) => return Err(unreadable(why)),
        };
        map.remove("fetch");
        let config = Config::from_options(&map)?;
        if fetch.is_none() && transport::global_fetch().is_none() {
            return Err(Error::config(
                "this runtime has no global fetch; pass one as the fetch option, \
                 e.g. new AnalyticsClient({ ..., fetch: myFetch })",
            ));
        }
        let offset = config.policy.clock_offset_ms;
        Ok(JsClient {
            inner: Rc::new(Inner {
                client: Client::new(config),
                fetch,
                offset_ms: Cell::new(offset),
            }),
        })
    }

    fn call(&self, action: Action, params: JsValue, options: JsValue) -> Promise {
        // The parameters are read and checked now, so the caller's object can change
        // afterwards without effect; only the sending waits.
        let checked = js_params(&params)
            .and_then(|params| {
                crate::actions::business_query(action, &params)?;
                Ok(params)
            })
            .and_then(|params| Ok((params, call_signal(&options)?)));
        let inner = self.inner.clone();
        future_to_promise(async move {
            let (params, signal) = checked.map_err(|e| failure_to_js(&e.into()))?;
            let output = inner
                .run(action, &params, signal.as_ref())
                .await
                .map_err(|f| failure_to_js(&f))?;
            to_js_value(&output)
        })
    }
}

/// The `signal` of a call's options, if any, checked to be a real `AbortSignal` (an
/// imitation would throw inside the transport, where no caller could catch it).
fn call_signal(options: &JsValue) -> Result<Option<AbortSignal>, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(Error::validation(
            "options",
            "call options must be an object { signal? }",
        ));
    }
    let signal = Reflect::get(options, &JsValue::from_str("signal")).map_err(|e| {
        Error::validation(
            "options",
            format!(
                "call options could not be read: {}",
                transport::describe(&e)
            ),
        )
    })?;
    if signal.is_undefined() || signal.is_null() {
        return Ok(None);
    }
    let not_a_signal = || Error::validation("signal", "signal must be an AbortSignal");
    let signal = signal
        .dyn_into::<AbortSignal>()
        .map_err(|_| not_a_signal())?;
    match Reflect::get(&signal, &JsValue::from_str("aborted")) {
        Ok(aborted) if aborted.as_bool().is_some() => Ok(Some(signal)),
        _ => Err(not_a_signal()),
    }
}

impl Inner {
    /// One call: queue under the rate limit, sign, send, and retry as the policy says.
    async fn run(
        &self,
        action: Action,
        params: &Value,
        signal: Option<&AbortSignal>,
    ) -> Result<Output, Failure> {
        let config = self.client.config();
        let policy = &config.policy;
        let (mut attempts, mut retries, mut resynced) = (0u32, 0u32, false);
        let fail = |error: Error, attempts: u32, retry_after_ms: Option<f64>| Failure {
            error,
            attempts,
            retry_after_ms,
        };

        loop {
            if transport::aborted(signal) {
                return Err(fail(Error::Aborted, attempts, None));
            }
            let slot = if policy.rate_limit {
                let slot = self.queue(action, signal).await.map_err(|mut f| {
                    f.attempts = attempts;
                    f
                })?;
                Some(slot)
            } else {
                None
            };

            let prepared = self.prepare(action, params);
            let (url, fetch, this) = match prepared {
                Ok(ready) => ready,
                Err(e) => {
                    // Never sent: the slot goes back to the queue.
                    if let Some(slot) = slot {
                        LIMITER.with(|l| l.borrow_mut().release(config.app_id, action, slot));
                    }
                    return Err(fail(e, attempts, None));
                }
            };
            attempts += 1;
            let sent = transport::attempt(
                &fetch,
                &this,
                &url,
                policy.timeout_ms,
                policy.max_body_bytes,
                signal,
            )
            .await;
            if let Some(slot) = slot {
                let done = js_sys::Date::now();
                LIMITER.with(|l| l.borrow_mut().settle(config.app_id, action, slot, done));
            }
            let (error, date_ms) = match sent {
                Ok(answer) => match response::read(action, answer.status, &answer.body) {
                    Ok(output) => return Ok(output),
                    Err(e) => (e, answer.date_ms),
                },
                Err(e) => (e, None),
            };

            let window_free_at_ms = LIMITER.with(|l| {
                l.borrow()
                    .free_at(config.app_id, action, js_sys::Date::now())
            });
            let decision = policy::next(
                policy,
                &policy::Attempt {
                    error: &error,
                    action,
                    retries,
                    resynced,
                    server_date_ms: date_ms,
                    now_ms: js_sys::Date::now(),
                    window_free_at_ms,
                    random: random_unit(),
                },
            );
            match decision {
                Next::Resync { offset_ms } => {
                    self.offset_ms.set(offset_ms);
                    resynced = true;
                }
                Next::Retry { delay_ms } => {
                    retries += 1;
                    transport::sleep(delay_ms, signal)
                        .await
                        .map_err(|e| fail(e, attempts, None))?;
                }
                Next::Fail { retry_after_ms } => return Err(fail(error, attempts, retry_after_ms)),
            }
        }
    }

    /// The signing time: the local clock plus the offset in force, in Unix seconds.
    fn now_seconds(&self) -> i64 {
        ((js_sys::Date::now() + self.offset_ms.get() as f64) / 1000.0).floor() as i64
    }

    /// Signs one attempt with the current (offset) time, and finds the fetch to send it.
    fn prepare(
        &self,
        action: Action,
        params: &Value,
    ) -> Result<(String, Function, JsValue), Error> {
        let nonce = new_nonce()?;
        let url = self
            .client
            .signed_url(action, params, &nonce, self.now_seconds())?;
        match &self.fetch {
            Some(f) => Ok((url, f.clone(), JsValue::UNDEFINED)),
            None => match transport::global_fetch() {
                Some(f) => Ok((url, f, js_sys::global().into())),
                None => Err(Error::config(
                    "the global fetch has gone; pass the fetch option",
                )),
            },
        }
    }

    /// Waits for this call's slot under the action's rate limit.
    async fn queue(
        &self,
        action: Action,
        signal: Option<&AbortSignal>,
    ) -> Result<policy::Slot, Failure> {
        let app_id = self.client.config().app_id;
        let max_wait = self.client.config().policy.max_retry_delay_ms as f64;
        let refused = |refusal: policy::Refusal| {
            let (error, retry_after_ms) = refusal.to_error(action, app_id);
            Failure {
                error,
                attempts: 0,
                retry_after_ms: Some(retry_after_ms.ceil()),
            }
        };
        let now = js_sys::Date::now();
        let slot = LIMITER
            .with(|l| l.borrow_mut().reserve(app_id, action, now, max_wait))
            .map_err(refused)?;

        // Answers to the calls ahead may arrive later than planned, moving this call's
        // turn back; so wait, look again, until it is due.
        loop {
            let now = js_sys::Date::now();
            let wait = LIMITER.with(|l| l.borrow_mut().wait_ms(app_id, action, slot, now));
            if wait <= 0.0 {
                return Ok(slot);
            }
            if wait > max_wait {
                LIMITER.with(|l| l.borrow_mut().release(app_id, action, slot));
                return Err(refused(policy::Refusal::TooLong {
                    retry_after_ms: wait,
                }));
            }
            if let Err(e) = transport::sleep(wait, signal).await {
                LIMITER.with(|l| l.borrow_mut().release(app_id, action, slot));
                return Err(e.into());
            }
        }
    }
}

/// A random number in [0, 1) for backoff jitter; 0.5 if the random source fails, which
/// only makes the jitter less random.
fn random_unit() -> f64 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u32::from_le_bytes(b)) / 4_294_967_296.0,
        Err(_) => 0.5,
    }
}

fn build_url(inner: &Inner, action: &str, params: &JsValue, at: &JsValue) -> Result<String, Error> {
    let client = &inner.client;
    let action = Action::from_name(action)?;
    let params = js_params(params)?;
    let at = to_json(at).map_err(|e| e.to_validation("at"))?;
    let (nonce, timestamp) = match at {
        None | Some(Value::Null) => (None, None),
        Some(Value::Object(at)) => {
            if let Some(key) = at.keys().find(|k| *k != "nonce" && *k != "timestamp") {
                return Err(Error::validation(key, "at takes only nonce and timestamp"));
            }
            let nonce = match at.get("nonce") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(Error::validation("nonce", "nonce must be a string")),
            };
            let timestamp = match at.get("timestamp") {
                None | Some(Value::Null) => None,
                Some(v) => Some(whole(v).ok_or_else(|| {
                    Error::validation("timestamp", "timestamp must be whole Unix seconds")
                })?),
            };
            (nonce, timestamp)
        }
        Some(_) => {
            return Err(Error::validation(
                "at",
                "at must be an object { nonce?, timestamp? }",
            ))
        }
    };
    let nonce = match nonce {
        Some(n) => n,
        None => new_nonce()?,
    };
    let timestamp = timestamp.unwrap_or_else(|| inner.now_seconds());
    client.signed_url(action, &params, &nonce, timestamp)
}

/// `url` with its signature and nonce masked, for logs.
#[wasm_bindgen(js_name = redactUrl)]
pub fn redact_url(url: JsValue) -> Result<String, JsValue> {
    Ok(crate::query::redact_url(&text(&url, "url")?))
}

/// A string argument, or a validation error naming it. (wasm-bindgen's own conversion of
/// a non-string to `&str` fails inside wasm with a bare RuntimeError.)
fn text(v: &JsValue, name: &str) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| to_js_error(&Error::validation(name, format!("{name} must be a string"))))
}

/// The size of this instance's wasm memory in bytes, for leak tests.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length() as f64
        })
        .unwrap_or(0.0)
}

/// The signature of one request, as the service computes it.
#[wasm_bindgen(js_name = generateSignature)]
pub fn generate_signature(
    app_id: JsValue,
    signature_nonce: JsValue,
    server_secret: JsValue,
    timestamp: JsValue,
) -> Result<String, JsValue> {
    let signature_nonce = text(&signature_nonce, "signatureNonce")?;
    let server_secret = text(&server_secret, "serverSecret")?;
    let app_id = app_id
        .as_f64()
        .filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f <= f64::from(u32::MAX))
        .map(|f| f as u32)
        .ok_or_else(|| {
            to_js_error(&Error::validation(
                "appId",
                "appId must be a whole number from 1 to 4294967295",
            ))
        })?;
    let timestamp = timestamp
        .as_f64()
        .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
        .map(|f| f as i64)
        .ok_or_else(|| {
            to_js_error(&Error::validation(
                "timestamp",
                "timestamp must be whole Unix seconds",
            ))
        })?;
    Ok(signature(
        app_id,
        &signature_nonce,
        &server_secret,
        timestamp,
    ))
}

/// Parses an answer's body for `action` into the shape the client's method returns.
#[wasm_bindgen(js_name = parseResponse)]
pub fn parse_response(action: JsValue, body_text: JsValue) -> Result<JsValue, JsValue> {
    let action = Action::from_name(&text(&action, "action")?).map_err(|e| to_js_error(&e))?;
    let body_text = text(&body_text, "bodyText")?;
    let output = response::parse(action, &body_text).map_err(|e| to_js_error(&e))?;
    to_js_value(&output)
}

/// The eight `Action` names, in the order of the service's documentation.
#[wasm_bindgen(js_name = actionNames)]
pub fn action_names() -> Vec<String> {
    Action::ALL.iter().map(|a| a.name().to_owned()).collect()
}

fn js_params(params: &JsValue) -> Result<Value, Error> {
    match to_json(params) {
        Ok(Some(params)) => Ok(params),
        Ok(None) => Err(Error::validation(
            "params",
            "parameters must be a plain object of strings, numbers and arrays",
        )),
        Err(e) => Err(e.to_validation("params")),
    }
}

/// Why a JS value could not be read as JSON.
enum Unreadable {
    /// Reading it threw (a getter, a revoked Proxy, a BigInt).
    Threw(String),
    /// It holds NaN or an infinity, at this key.
    NotFinite(String),
    /// Its JSON text is not what this crate reads (a lone surrogate, deep nesting).
    Json(String),
}

impl Unreadable {
    fn to_validation(&self, param: &str) -> Error {
        match self {
            Unreadable::NotFinite(key) => Error::validation(
                if key.is_empty() { param } else { key },
                format!(
                    "{} must be a finite number, not NaN or Infinity",
                    if key.is_empty() { param } else { key }
                ),
            ),
            Unreadable::Threw(why) | Unreadable::Json(why) => {
                Error::validation(param, format!("{param} could not be read: {why}"))
            }
        }
    }
}

/// A JS value as JSON, through `JSON.stringify`, which catches whatever reading the value
/// throws. (A JavaScript exception that unwinds through wasm frames skips their cleanup,
/// and enough of them leave the instance unusable; every read of a caller's value must
/// be caught.) `None` for what JSON cannot hold: `undefined`, functions, symbols.
fn to_json(v: &JsValue) -> Result<Option<Value>, Unreadable> {
    if v.is_undefined() {
        return Ok(None);
    }
    let not_finite: Rc<RefCell<Option<String>>> = Rc::default();
    let replacer = {
        let not_finite = not_finite.clone();
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
            move |key: JsValue, value: JsValue| {
                if value.as_f64().is_some_and(|n| !n.is_finite()) {
                    not_finite
                        .borrow_mut()
                        .get_or_insert_with(|| key.as_string().unwrap_or_default());
                }
                value
            },
        )
    };
    let text = js_sys::JSON::stringify_with_replacer(v, replacer.as_ref().unchecked_ref())
        .map_err(|e| Unreadable::Threw(transport::describe(&e)))?;
    if let Some(key) = not_finite.take() {
        return Err(Unreadable::NotFinite(key));
    }
    let Some(text) = text.as_string() else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Unreadable::Json(e.to_string()))
}

fn to_js_value(output: &Output) -> Result<JsValue, JsValue> {
    to_js(output, "the answer")
}

/// A value as plain JS data, by way of JSON text and `JSON.parse`, which is smaller in
/// wasm than a field-by-field conversion and as exact: every number is written as the
/// shortest text that reads back to the same double.
fn to_js<T: Serialize>(value: &T, what: &str) -> Result<JsValue, JsValue> {
    let fail = |e: String| {
        to_js_error(&Error::parse(format!(
            "{what} could not be converted ({e})"
        )))
    };
    let text = serde_json::to_string(value).map_err(|e| fail(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|e| fail(transport::describe(&e)))
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a fresh plain object or Error cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn failure_to_js(f: &Failure) -> JsValue {
    let js = to_js_error(&f.error);
    if f.attempts > 0 {
        let _ = Reflect::set(
            &js,
            &JsValue::from_str("attempts"),
            &JsValue::from(f.attempts),
        );
    }
    if let Some(ms) = f.retry_after_ms {
        let _ = Reflect::set(
            &js,
            &JsValue::from_str("retryAfterMs"),
            &JsValue::from_f64(ms),
        );
    }
    js
}

/// The JS form of an [`Error`]: `Error` named `ZegoError` with `kind`, `retryable`
/// and, where known, `code`, `serverMessage`, `requestId`, `httpStatus`,
/// `bodyExcerpt` and `param`.
pub fn to_js_error(e: &Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    js.set_name("ZegoError");
    set(&js, "kind", &JsValue::from_str(e.kind().as_str()));
    set(&js, "retryable", &JsValue::from_bool(e.retryable()));
    if let Some(code) = e.code() {
        set(&js, "code", &JsValue::from_f64(code as f64));
    }
    if let Some(id) = e.request_id() {
        set(&js, "requestId", &JsValue::from_str(id));
    }
    match e {
        Error::Api { message, .. } => set(&js, "serverMessage", &JsValue::from_str(message)),
        Error::Http {
            status, excerpt, ..
        } => {
            set(&js, "httpStatus", &JsValue::from(*status));
            set(&js, "bodyExcerpt", &JsValue::from_str(excerpt));
        }
        Error::Validation { param, .. } => set(&js, "param", &JsValue::from_str(param)),
        _ => {}
    }
    js.into()
}

/// Checks a signed URL as the service would and lists every problem found.
#[wasm_bindgen(js_name = verifySignedUrl)]
pub fn verify_signed_url(
    url: JsValue,
    server_secret: JsValue,
    opts: JsValue,
) -> Result<JsValue, JsValue> {
    let url = text(&url, "url")?;
    let server_secret = text(&server_secret, "serverSecret")?;
    let opts = to_json(&opts).map_err(|e| to_js_error(&e.to_validation("opts")))?;
    let opts = match opts {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(to_js_error(&Error::validation(
                "opts",
                "opts must be an object { nowSeconds?, maxSkewSeconds? }",
            )))
        }
    };
    if let Some(key) = opts
        .keys()
        .find(|k| *k != "nowSeconds" && *k != "maxSkewSeconds")
    {
        return Err(to_js_error(&Error::validation(
            key,
            "opts takes only nowSeconds and maxSkewSeconds",
        )));
    }
    let number = |key: &str| -> Result<Option<i64>, JsValue> {
        match opts.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => whole(v).map(Some).ok_or_else(|| {
                to_js_error(&Error::validation(
                    key,
                    format!("{key} must be whole seconds"),
                ))
            }),
        }
    };
    let now =
        number("nowSeconds")?.unwrap_or_else(|| (js_sys::Date::now() / 1000.0).floor() as i64);
    let skew = number("maxSkewSeconds")?.unwrap_or(crate::verify::MAX_SKEW_SECONDS);
    if skew < 0 {
        return Err(to_js_error(&Error::validation(
            "maxSkewSeconds",
            "maxSkewSeconds must not be negative",
        )));
    }
    let verdict = crate::verify::verify_signed_url(&url, &server_secret, now, skew);
    to_js(&verdict, "the verdict")
}

/// The eight actions described for forms and tools (the package's `ACTIONS`), deeply
/// frozen so that no caller can change what another one reads.
#[wasm_bindgen]
pub fn actions() -> Result<JsValue, JsValue> {
    let all: Vec<crate::actions::ActionInfo> = Action::ALL.into_iter().map(Into::into).collect();
    let table = to_js(&all, "the action table")?;
    deep_freeze(&table);
    Ok(table)
}

fn deep_freeze(v: &JsValue) {
    if let Some(obj) = v.dyn_ref::<Object>() {
        for value in Object::values(obj).iter() {
            deep_freeze(&value);
        }
        Object::freeze(obj);
    }
}
