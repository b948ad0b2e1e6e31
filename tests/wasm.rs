//! The wasm build end to end: signed in wasm, sent through the runtime's `fetch`,
//! answered by the project's emulator, parsed in wasm.
//!
//! Run with `tests/with-emulator.sh wasm-pack test --node` (`make test-wasm`) or in
//! headless Chromium (`make test-wasm-chromium`); the emulator's URL arrives in the
//! `ZEGO_EMULATOR_URL` environment variable.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use zego_analytics::wasm::{generate_signature, parse_response, JsClient};

/// The emulator's built-in demo app.
const APP_ID: u32 = 1234567890;
const SECRET: &str = "5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4";

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("object property")
}

/// The emulator's URL: from `process.env` when the tests run in Node. A browser has no
/// environment, so there it is the value `ZEGO_EMULATOR_URL` had when the tests were built
/// (by the same `tests/with-emulator.sh` run; cargo rebuilds the tests when it changes).
fn emulator_url() -> String {
    let from_process = Reflect::get(&js_sys::global(), &JsValue::from_str("process"))
        .ok()
        .filter(JsValue::is_object)
        .map(|process| get(&process, "env"))
        .filter(JsValue::is_object)
        .and_then(|env| get(&env, "ZEGO_EMULATOR_URL").as_string());
    from_process
        .or_else(|| option_env!("ZEGO_EMULATOR_URL").map(str::to_owned))
        .expect("ZEGO_EMULATOR_URL is set")
}

fn client(secret: &str) -> JsClient {
    let options = js_sys::JSON::parse(&format!(
        r#"{{"appId":{APP_ID},"serverSecret":"{secret}","endpoint":"{}","rateLimit":"off"}}"#,
        emulator_url()
    ))
    .unwrap();
    JsClient::new(options).unwrap_or_else(|_| panic!("client options rejected"))
}

fn params(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

fn yyyymmdd(days_ago: f64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(
        js_sys::Date::now() - days_ago * 86_400_000.0,
    ));
    format!(
        "{:04}{:02}{:02}",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date()
    )
}

#[wasm_bindgen_test]
fn worked_signature_example() {
    let sig = generate_signature(
        JsValue::from(12345),
        JsValue::from_str("4fd24687296dd9f3"),
        JsValue::from_str("9193cc662a4c0ec135ec71fb57194b38"),
        JsValue::from(1615186943),
    )
    .unwrap();
    assert_eq!(sig, "43e5cfcca828314675f91b001390566a");
}

#[wasm_bindgen_test]
async fn biz_usage_round_trip() {
    let (start, end) = (yyyymmdd(3.0), yyyymmdd(1.0));
    let p = params(&format!(
        r#"{{"startDate":"{start}","endDate":"{end}","metrics":["publish_count","play_count"]}}"#
    ));
    let out = settle(client(SECRET).get_biz_usage(p, JsValue::UNDEFINED))
        .await
        .unwrap_or_else(|_| panic!("call failed"));

    let id = get(&out, "requestId").as_string().unwrap();
    assert_eq!(id.len(), 19, "request id {id} lost digits");
    let metrics: Array = get(&out, "metrics").dyn_into().unwrap();
    assert_eq!(metrics.length(), 2);
    assert_eq!(
        get(&metrics.get(0), "metric").as_string().unwrap(),
        "publish_count"
    );
    let values: Array = get(&metrics.get(1), "values").dyn_into().unwrap();
    assert_eq!(values.length(), 3);
    assert_eq!(get(&values.get(0), "date").as_string().unwrap(), start);
    assert!(get(&values.get(0), "value").as_f64().is_some());
}

#[wasm_bindgen_test]
async fn realtime_quality_round_trip() {
    let now = js_sys::Date::now();
    let start = ((now / 1000.0).floor() - 600.0) * 1000.0;
    let p = params(&format!(
        r#"{{"startTs":{start},"endTs":{},"metrics":["uplink_rtt"]}}"#,
        start + 9000.0
    ));
    let out = settle(client(SECRET).get_realtime_quality(p, JsValue::UNDEFINED))
        .await
        .unwrap_or_else(|_| panic!("call failed"));
    let metrics: Array = get(&out, "metrics").dyn_into().unwrap();
    let values: Array = get(&metrics.get(0), "values").dyn_into().unwrap();
    assert_eq!(values.length(), 10);
    assert_eq!(get(&values.get(0), "timestamp").as_f64().unwrap(), start);
}

#[wasm_bindgen_test]
async fn wrong_secret_is_an_api_error() {
    let p = params(&format!(
        r#"{{"startDate":"{}","endDate":"{}","metrics":["fft"]}}"#,
        yyyymmdd(2.0),
        yyyymmdd(1.0)
    ));
    let err =
        settle(client("00000000000000000000000000000000").get_biz_quality(p, JsValue::UNDEFINED))
            .await
            .expect_err("a wrong secret must fail");
    assert_eq!(get(&err, "name").as_string().unwrap(), "ZegoError");
    assert_eq!(get(&err, "kind").as_string().unwrap(), "api");
    assert_eq!(get(&err, "code").as_f64().unwrap(), 100000005.0);
    assert_eq!(get(&err, "retryable").as_bool(), Some(false));
    assert_eq!(get(&err, "requestId").as_string().unwrap().len(), 19);
}

#[wasm_bindgen_test]
async fn validation_fails_before_sending() {
    let p = params(r#"{"startDate":"20250230","endDate":"20250301","metrics":["fft"]}"#);
    let err = settle(client(SECRET).get_biz_quality(p, JsValue::UNDEFINED))
        .await
        .expect_err("Feb 30 is no date");
    assert_eq!(get(&err, "kind").as_string().unwrap(), "validation");
    assert_eq!(get(&err, "param").as_string().unwrap(), "startDate");
}

#[wasm_bindgen_test]
fn parse_response_keeps_request_id_digits() {
    let out = parse_response(
        JsValue::from_str("GetBizUsage"),
        JsValue::from_str(
            r#"{"Code":0,"Message":"success","RequestId":1659512998878671001,
            "Data":{"Metrics":[{"Metric":"play_count",
                                "Values":[{"Date":"20250110","Value":7}]}]}}"#,
        ),
    )
    .unwrap_or_else(|_| panic!("parse failed"));
    assert_eq!(
        get(&out, "requestId").as_string().unwrap(),
        "1659512998878671001"
    );
}
