//! The JavaScript surface: `AnalyticsClient`, `generateSignature`, `parseResponse`.
//!
//! Requests go through the runtime's global `fetch` (never `window.fetch`, which
//! Node, Deno and Workers lack). Failures become a real JS `Error` named
//! `ZegoError` with a stable `kind`; see [`to_js_error`].

use js_sys::{Object, Promise, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::actions::Action;
use crate::client::Client;
use crate::config::Config;
use crate::error::Error;
use crate::response::{self, Output};
use crate::sign::{new_nonce, signature};

#[wasm_bindgen]
extern "C" {
    /// The runtime's own global `fetch`.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &str) -> Result<Promise, JsValue>;
}

/// A client of the ZEGO Analytics Dashboard server API for one AppId.
#[wasm_bindgen(js_name = AnalyticsClient)]
pub struct JsClient {
    inner: Client,
}

#[wasm_bindgen(js_class = AnalyticsClient)]
impl JsClient {
    /// `new AnalyticsClient({ appId, serverSecret, region?, endpoint?, isTest? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        let options = match js_to_json(&options) {
            Some(Value::Object(map)) => map,
            _ => {
                return Err(to_js_error(&Error::config(
                    "options must be an object like { appId, serverSecret }",
                )))
            }
        };
        let config = Config::from_options(&options).map_err(|e| to_js_error(&e))?;
        Ok(JsClient { inner: Client::new(config) })
    }

    /// The AppId requests are signed for.
    #[wasm_bindgen(getter, js_name = appId)]
    pub fn app_id(&self) -> u32 {
        self.inner.config().app_id
    }

    /// Where requests go, such as `https://analytics-api.zego.im/`.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.clone()
    }

    /// The signed URL of a request, without sending it. `at` fixes the nonce and the
    /// Unix-seconds timestamp, for tests and for tools that check signatures.
    #[wasm_bindgen(js_name = buildUrl)]
    pub fn build_url(&self, action: &str, params: JsValue, at: JsValue) -> Result<String, JsValue> {
        build_url(&self.inner, action, &params, &at).map_err(|e| to_js_error(&e))
    }

    /// What `JSON.stringify(client)` shows: never the secret.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let c = self.inner.config();
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
        let c = self.inner.config();
        format!("AnalyticsClient(appId={}, baseUrl={})", c.app_id, c.base_url)
    }

    /// GetBizUsage: `{ startDate, endDate, metrics }`.
    #[wasm_bindgen(js_name = getBizUsage)]
    pub fn get_biz_usage(&self, params: JsValue) -> Promise {
        self.call(Action::BizUsage, params)
    }

    /// GetBizQuality: `{ startDate, endDate, metrics }`.
    #[wasm_bindgen(js_name = getBizQuality)]
    pub fn get_biz_quality(&self, params: JsValue) -> Promise {
        self.call(Action::BizQuality, params)
    }

    /// GetRealtimeUsage: `{ startTs, endTs, metrics }`.
    #[wasm_bindgen(js_name = getRealtimeUsage)]
    pub fn get_realtime_usage(&self, params: JsValue) -> Promise {
        self.call(Action::RealtimeUsage, params)
    }

    /// GetRealtimeQuality: `{ startTs, endTs, metrics }`.
    #[wasm_bindgen(js_name = getRealtimeQuality)]
    pub fn get_realtime_quality(&self, params: JsValue) -> Promise {
        self.call(Action::RealtimeQuality, params)
    }

    /// GetRegionQualityDetail: `{ startTs, endTs, region?, platform? }`.
    #[wasm_bindgen(js_name = getRegionQualityDetail)]
    pub fn get_region_quality_detail(&self, params: JsValue) -> Promise {
        self.call(Action::RegionQualityDetail, params)
    }

    /// GetStreamBaseInfo: `{ roomId, userId, streamId, streamType, startTs, endTs }`.
    #[wasm_bindgen(js_name = getStreamBaseInfo)]
    pub fn get_stream_base_info(&self, params: JsValue) -> Promise {
        self.call(Action::StreamBaseInfo, params)
    }

    /// GetPublishQualityDetail: `{ roomId, userId, streamId, metrics, startTs, endTs }`.
    #[wasm_bindgen(js_name = getPublishQualityDetail)]
    pub fn get_publish_quality_detail(&self, params: JsValue) -> Promise {
        self.call(Action::PublishQualityDetail, params)
    }

    /// GetPlayQualityDetail: `{ roomId, userId, streamId, metrics, startTs, endTs }`.
    #[wasm_bindgen(js_name = getPlayQualityDetail)]
    pub fn get_play_quality_detail(&self, params: JsValue) -> Promise {
        self.call(Action::PlayQualityDetail, params)
    }
}

impl JsClient {
    fn call(&self, action: Action, params: JsValue) -> Promise {
        // The checks and the signing happen now, so the caller's object can change
        // afterwards without effect; only the sending waits.
        let url = js_params(&params).and_then(|params| {
            let nonce = new_nonce()?;
            let now = (js_sys::Date::now() / 1000.0).floor() as i64;
            self.inner.signed_url(action, &params, &nonce, now)
        });
        future_to_promise(async move {
            let output = send(&url.map_err(|e| to_js_error(&e))?, action)
                .await
                .map_err(|e| to_js_error(&e))?;
            to_js_value(&output)
        })
    }
}

fn build_url(client: &Client, action: &str, params: &JsValue, at: &JsValue) -> Result<String, Error> {
    let action = Action::from_name(action)?;
    let params = js_params(params)?;
    let (nonce, timestamp) = match js_to_json(at) {
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
            return Err(Error::validation("at", "at must be an object { nonce?, timestamp? }"))
        }
    };
    let nonce = match nonce {
        Some(n) => n,
        None => new_nonce()?,
    };
    let timestamp = timestamp.unwrap_or_else(|| (js_sys::Date::now() / 1000.0).floor() as i64);
    client.signed_url(action, &params, &nonce, timestamp)
}

fn whole(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64))
}

async fn send(url: &str, action: Action) -> Result<Output, Error> {
    let response = global_fetch(url).map_err(network)?;
    let response = JsFuture::from(response).await.map_err(network)?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| Error::Network { message: "fetch resolved to something not a Response".into() })?;
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(network)?).await.map_err(network)?;
    let body = text
        .as_string()
        .ok_or_else(|| Error::parse("the response body could not be read as text"))?;
    response::read(action, status, &body)
}

/// A network failure, with the runtime's reason (Node puts it in `error.cause`).
fn network(e: JsValue) -> Error {
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
        let code = Reflect::get(e, &JsValue::from_str("code")).ok().and_then(|c| c.as_string());
        match code {
            Some(code) if !message.contains(&code) => format!("{code}: {message}"),
            _ => message,
        }
    } else {
        v.as_string().unwrap_or_else(|| "fetch failed".to_owned())
    }
}

/// The signature of one request, as the service computes it.
#[wasm_bindgen(js_name = generateSignature)]
pub fn generate_signature(
    app_id: JsValue,
    signature_nonce: &str,
    server_secret: &str,
    timestamp: JsValue,
) -> Result<String, JsValue> {
    let app_id = app_id
        .as_f64()
        .filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f <= f64::from(u32::MAX))
        .map(|f| f as u32)
        .ok_or_else(|| {
            to_js_error(&Error::validation("appId", "appId must be a whole number from 1 to 4294967295"))
        })?;
    let timestamp = timestamp
        .as_f64()
        .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
        .map(|f| f as i64)
        .ok_or_else(|| {
            to_js_error(&Error::validation("timestamp", "timestamp must be whole Unix seconds"))
        })?;
    Ok(signature(app_id, signature_nonce, server_secret, timestamp))
}

/// Parses an answer's body for `action` into the shape the client's method returns.
#[wasm_bindgen(js_name = parseResponse)]
pub fn parse_response(action: &str, body_text: &str) -> Result<JsValue, JsValue> {
    let action = Action::from_name(action).map_err(|e| to_js_error(&e))?;
    let output = response::parse(action, body_text).map_err(|e| to_js_error(&e))?;
    to_js_value(&output)
}

/// The eight `Action` names, in the order of the service's documentation.
#[wasm_bindgen(js_name = actionNames)]
pub fn action_names() -> Vec<String> {
    Action::ALL.iter().map(|a| a.name().to_owned()).collect()
}

fn js_params(params: &JsValue) -> Result<Value, Error> {
    js_to_json(params).ok_or_else(|| {
        Error::validation("params", "parameters must be a plain object of strings, numbers, arrays")
    })
}

/// A JS value as JSON, or `None` for what JSON cannot hold (functions, symbols).
fn js_to_json(v: &JsValue) -> Option<Value> {
    if v.is_undefined() {
        return None;
    }
    serde_wasm_bindgen::from_value(v.clone()).ok()
}

fn to_js_value(output: &Output) -> Result<JsValue, JsValue> {
    output
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js_error(&Error::parse(format!("the answer could not be converted ({e})"))))
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a fresh plain object or Error cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
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
        Error::Http { status, excerpt, .. } => {
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
pub fn verify_signed_url(url: &str, server_secret: &str, opts: JsValue) -> Result<JsValue, JsValue> {
    let opts = match js_to_json(&opts) {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(to_js_error(&Error::validation(
                "opts",
                "opts must be an object { nowSeconds?, maxSkewSeconds? }",
            )))
        }
    };
    let number = |key: &str| -> Result<Option<i64>, JsValue> {
        match opts.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => whole(v).map(Some).ok_or_else(|| {
                to_js_error(&Error::validation(key, format!("{key} must be whole seconds")))
            }),
        }
    };
    let now = number("nowSeconds")?.unwrap_or_else(|| (js_sys::Date::now() / 1000.0).floor() as i64);
    let skew = number("maxSkewSeconds")?.unwrap_or(crate::verify::MAX_SKEW_SECONDS);
    let verdict = crate::verify::verify_signed_url(url, server_secret, now, skew);
    verdict
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js_error(&Error::parse(format!("the verdict could not be converted ({e})"))))
}

/// The eight actions described for forms and tools (the package's `ACTIONS`), deeply
/// frozen so that no caller can change what another one reads.
#[wasm_bindgen]
pub fn actions() -> Result<JsValue, JsValue> {
    let all: Vec<crate::actions::ActionInfo> = Action::ALL.into_iter().map(Into::into).collect();
    let table = all.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| {
        to_js_error(&Error::parse(format!("the action table could not be converted ({e})")))
    })?;
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
