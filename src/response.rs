//! Reading the service's answers.
//!
//! Every answer is a JSON envelope `{ Code, Message, RequestId, Data }`. The
//! `RequestId` is read from the raw JSON text so that its digits stay exact even
//! when the service writes it as a bare number above 2^53 (its samples do).
//! `Data` is then walked by hand, so a problem is reported with its path
//! (`Data.Metrics[0].Values[3].Value`) instead of a generic type error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::actions::{Action, Shape};
use crate::error::{excerpt, Error, EXCERPT_CHARS};
use crate::query::mask_signed_values;

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The parsed answer of one action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Output {
    /// `GetBizUsage`, `GetBizQuality`.
    Daily(Series<DailyPoint>),
    /// `GetRealtimeUsage`, `GetRealtimeQuality`, and the per-user actions.
    Timed(Series<TimedPoint>),
    /// `GetRegionQualityDetail`.
    Region(RegionDetail),
}

impl Output {
    /// The service's request id, exact digits.
    pub fn request_id(&self) -> &str {
        match self {
            Output::Daily(s) => &s.request_id,
            Output::Timed(s) => &s.request_id,
            Output::Region(r) => &r.request_id,
        }
    }
}

/// Metric series, as most actions answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Series<P> {
    /// The service's request id, exact digits.
    pub request_id: String,
    /// One entry per metric, in the service's order.
    pub metrics: Vec<Metric<P>>,
}

/// The values of one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric<P> {
    /// The metric's name, such as `publish_count`.
    pub metric: String,
    /// Its points, in the service's order.
    pub values: Vec<P>,
}

/// One day's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyPoint {
    /// The day, `yyyyMMdd`.
    pub date: String,
    /// The value; `None` (JS `null`) where the service had none.
    pub value: Option<f64>,
}

/// One point in time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedPoint {
    /// UTC Unix milliseconds.
    pub timestamp: u64,
    /// The value: a number, or text for resolutions and stream facts.
    pub value: PointValue,
}

/// A value that is a number for most metrics and text for some.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PointValue {
    /// A number.
    Number(f64),
    /// Text, such as `1280*720` or `WIFI`.
    Text(String),
    /// No value for this point.
    Null,
}

/// The answer of `GetRegionQualityDetail`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionDetail {
    /// The service's request id, exact digits.
    pub request_id: String,
    /// One entry per minute.
    pub list: Vec<RegionMinute>,
}

/// The distributions of one minute.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionMinute {
    /// UTC Unix milliseconds.
    pub timestamp: u64,
    /// One entry per region.
    pub quality_info: Vec<RegionQuality>,
}

/// The distributions of one region in one minute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionQuality {
    /// The region's name as the console lists it.
    pub region: String,
    /// Every other field, with camelCase names (`P2pDelayDetail` → `p2pDelayDetail`,
    /// `VideoFFTDetail` → `videoFftDetail`, `Rate1` → `rate1`); kept whole, so a field
    /// the service adds later is not lost.
    #[serde(flatten)]
    pub details: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Code")]
    code: Option<Value>,
    #[serde(rename = "Message")]
    message: Option<Value>,
    #[serde(rename = "RequestId", borrow)]
    request_id: Option<&'a RawValue>,
    #[serde(rename = "Data")]
    data: Option<Value>,
}

/// Reads an answer whatever its status: a non-2xx status is an [`Error::Http`], a
/// non-zero `Code` an [`Error::Api`], anything undocumented an [`Error::Parse`].
pub fn read(action: Action, status: u16, body: &str) -> Result<Output, Error> {
    if !(200..300).contains(&status) {
        let envelope = serde_json::from_str::<Envelope>(body).ok();
        let code = envelope
            .as_ref()
            .and_then(|e| e.code.as_ref())
            .and_then(Value::as_i64);
        let request_id = envelope
            .as_ref()
            .and_then(|e| request_id(e.request_id).ok())
            .filter(|id| !id.is_empty());
        return Err(Error::Http {
            status,
            excerpt: mask_signed_values(&excerpt(body.trim(), EXCERPT_CHARS)),
            code,
            request_id,
        });
    }
    parse(action, body)
}

/// Parses a 2xx answer's body for `action`.
pub fn parse(action: Action, body: &str) -> Result<Output, Error> {
    if body.trim().is_empty() {
        return Err(Error::parse(
            "the body is empty; expected the service's JSON envelope",
        ));
    }
    let envelope: Envelope = serde_json::from_str(body).map_err(|e| {
        let what = if body.trim_start().starts_with('<') {
            "the body is HTML, not the service's JSON (a proxy or gateway error page?)".to_owned()
        } else {
            format!("the body is not the service's JSON envelope ({e})")
        };
        Error::parse(what)
    })?;

    let request_id = request_id(envelope.request_id)?;
    let code = match &envelope.code {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| Error::parse(format!("Code {n} is not an integer")))?,
        Some(other) => return Err(Error::parse(format!("Code is {other}, not a number"))),
        None => return Err(Error::parse("the envelope has no Code")),
    };
    if code != 0 {
        let message = match envelope.message {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        let request_id = Some(request_id).filter(|id| !id.is_empty());
        return Err(Error::Api {
            code,
            message,
            request_id,
        });
    }

    let data = match &envelope.data {
        Some(Value::Object(data)) => data,
        Some(other) => {
            return Err(Error::parse(format!(
                "Data is {}, not an object",
                kind_of(other)
            )))
        }
        None => return Err(Error::parse("Code is 0 but the envelope has no Data")),
    };
    match action.shape() {
        Shape::Daily => Ok(Output::Daily(Series {
            request_id,
            metrics: metrics(data, daily)?,
        })),
        Shape::Realtime => Ok(Output::Timed(Series {
            request_id,
            metrics: metrics(data, numeric)?,
        })),
        Shape::StreamInfo => Ok(Output::Timed(Series {
            request_id,
            metrics: metrics(data, textual)?,
        })),
        Shape::QualityDetail => Ok(Output::Timed(Series {
            request_id,
            metrics: metrics(data, mixed)?,
        })),
        Shape::Region => Ok(Output::Region(RegionDetail {
            request_id,
            list: region(data)?,
        })),
    }
}

/// The exact text of a `RequestId` written as a string or as a bare integer.
fn request_id(raw: Option<&RawValue>) -> Result<String, Error> {
    let Some(raw) = raw else {
        return Ok(String::new());
    };
    let text = raw.get();
    if text == "null" {
        return Ok(String::new());
    }
    if text.starts_with('"') {
        return serde_json::from_str::<String>(text)
            .map_err(|e| Error::parse(format!("RequestId is not a valid string ({e})")));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err(Error::parse(format!(
            "RequestId {} is neither a string nor an integer",
            excerpt(text, 40)
        )))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Result<&'a Value, Error> {
    obj.get(key)
        .ok_or_else(|| Error::parse(format!("{path}.{key} is missing")))
}

fn array<'a>(v: &'a Value, path: &str) -> Result<&'a [Value], Error> {
    match v {
        Value::Array(items) => Ok(items),
        // An absent list and an empty one mean the same to every caller.
        Value::Null => Ok(&[]),
        other => Err(Error::parse(format!(
            "{path} is {}, not an array",
            kind_of(other)
        ))),
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Error> {
    v.as_object()
        .ok_or_else(|| Error::parse(format!("{path} is {}, not an object", kind_of(v))))
}

fn string(v: &Value, path: &str) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(Error::parse(format!(
            "{path} is {}, not a string",
            kind_of(other)
        ))),
    }
}

fn number(v: &Value, path: &str) -> Result<Option<f64>, Error> {
    match v {
        Value::Number(n) => Ok(n.as_f64()),
        Value::Null => Ok(None),
        other => Err(Error::parse(format!(
            "{path} is {}, not a number",
            kind_of(other)
        ))),
    }
}

fn timestamp(v: &Value, path: &str) -> Result<u64, Error> {
    let ms = match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 9.1e15)
                .map(|f| f as u64)
        }),
        _ => None,
    };
    ms.filter(|ms| *ms <= MAX_SAFE_INTEGER).ok_or_else(|| {
        Error::parse(format!(
            "{path} is {}, not a Unix time in milliseconds",
            excerpt(&v.to_string(), 40)
        ))
    })
}

type PointReader<P> = fn(&Map<String, Value>, &str) -> Result<P, Error>;

fn metrics<P>(data: &Map<String, Value>, point: PointReader<P>) -> Result<Vec<Metric<P>>, Error> {
    let items = match data.get("Metrics") {
        Some(v) => array(v, "Data.Metrics")?,
        None => &[],
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("Data.Metrics[{i}]");
        let item = object(item, &path)?;
        let metric = string(field(item, "Metric", &path)?, &format!("{path}.Metric"))?;
        let values = match item.get("Values") {
            Some(v) => array(v, &format!("{path}.Values"))?,
            None => &[],
        };
        let mut points = Vec::with_capacity(values.len());
        for (j, value) in values.iter().enumerate() {
            let vpath = format!("{path}.Values[{j}]");
            points.push(point(object(value, &vpath)?, &vpath)?);
        }
        out.push(Metric {
            metric,
            values: points,
        });
    }
    Ok(out)
}

fn daily(point: &Map<String, Value>, path: &str) -> Result<DailyPoint, Error> {
    let date = string(field(point, "Date", path)?, &format!("{path}.Date"))?;
    let value = number(field(point, "Value", path)?, &format!("{path}.Value"))?;
    Ok(DailyPoint { date, value })
}

fn timed(
    point: &Map<String, Value>,
    path: &str,
    read: fn(&Value, &str) -> Result<PointValue, Error>,
) -> Result<TimedPoint, Error> {
    let timestamp = timestamp(
        field(point, "Timestamp", path)?,
        &format!("{path}.Timestamp"),
    )?;
    let value = read(field(point, "Value", path)?, &format!("{path}.Value"))?;
    Ok(TimedPoint { timestamp, value })
}

fn numeric(point: &Map<String, Value>, path: &str) -> Result<TimedPoint, Error> {
    timed(point, path, |v, p| {
        Ok(number(v, p)?.map_or(PointValue::Null, PointValue::Number))
    })
}

fn textual(point: &Map<String, Value>, path: &str) -> Result<TimedPoint, Error> {
    timed(point, path, |v, p| match v {
        Value::Null => Ok(PointValue::Null),
        v => string(v, p).map(PointValue::Text),
    })
}

fn mixed(point: &Map<String, Value>, path: &str) -> Result<TimedPoint, Error> {
    timed(point, path, |v, p| match v {
        Value::String(s) => Ok(PointValue::Text(s.clone())),
        v => Ok(number(v, p)?.map_or(PointValue::Null, PointValue::Number)),
    })
}

fn region(data: &Map<String, Value>) -> Result<Vec<RegionMinute>, Error> {
    let items = match data.get("List") {
        Some(v) => array(v, "Data.List")?,
        None => &[],
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("Data.List[{i}]");
        let item = object(item, &path)?;
        let timestamp = timestamp(
            field(item, "Timestamp", &path)?,
            &format!("{path}.Timestamp"),
        )?;
        let infos = match item.get("QualityInfo") {
            Some(v) => array(v, &format!("{path}.QualityInfo"))?,
            None => &[],
        };
        let mut quality_info = Vec::with_capacity(infos.len());
        for (j, info) in infos.iter().enumerate() {
            let ipath = format!("{path}.QualityInfo[{j}]");
            let info = object(info, &ipath)?;
            let region = string(field(info, "Region", &ipath)?, &format!("{ipath}.Region"))?;
            let mut details = BTreeMap::new();
            for (key, value) in info.iter().filter(|(k, _)| k.as_str() != "Region") {
                // `region` is the field above; a detail of that name would replace it.
                let name = camel(key);
                if !is_prototype_key(key) && name != "region" {
                    details.insert(name, camel_keys(value));
                }
            }
            quality_info.push(RegionQuality { region, details });
        }
        out.push(RegionMinute {
            timestamp,
            quality_info,
        });
    }
    Ok(out)
}

/// `P2pDelayDetail` → `p2pDelayDetail`, `VideoFFTDetail` → `videoFftDetail`.
fn camel(key: &str) -> String {
    let key = key.replace("FFT", "Fft");
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => key,
    }
}

/// A key that, set on a JavaScript object, would replace its prototype instead of adding
/// a field; the service has no such field, so it is dropped.
fn is_prototype_key(key: &str) -> bool {
    key == "__proto__"
}

/// The value with the keys of an object (one level, as the details are) in camelCase.
fn camel_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !is_prototype_key(k))
                .map(|(k, v)| (camel(k), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The GetBizUsage sample answer of the provider's quick-start.
    const BIZ_SAMPLE: &str = r#"{
        "Code": 0,
        "Data": {
            "Metrics": [
                {"Metric": "publish_count",
                 "Values": [{"Date": "20250110", "Value": 100},
                            {"Date": "20250111", "Value": 200}]},
                {"Metric": "play_count",
                 "Values": [{"Date": "20250110", "Value": 0.25}]}
            ]
        },
        "Message": "success",
        "RequestId": 1659512998878671000
    }"#;

    fn parse_error(action: Action, body: &str) -> String {
        match parse(action, body) {
            Err(Error::Parse { message }) => message,
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn daily_sample_keeps_request_id_digits() {
        let out = parse(Action::BizUsage, BIZ_SAMPLE).unwrap();
        let Output::Daily(s) = out else {
            panic!("{out:?}")
        };
        assert_eq!(s.request_id, "1659512998878671000");
        assert_eq!(s.metrics.len(), 2);
        assert_eq!(s.metrics[0].metric, "publish_count");
        assert_eq!(
            s.metrics[0].values,
            vec![
                DailyPoint {
                    date: "20250110".into(),
                    value: Some(100.0)
                },
                DailyPoint {
                    date: "20250111".into(),
                    value: Some(200.0)
                },
            ]
        );
        assert_eq!(s.metrics[1].values[0].value, Some(0.25));
    }

    #[test]
    fn request_id_in_any_form() {
        let body = |id: &str| format!(r#"{{"Code":0,"RequestId":{id},"Data":{{}}}}"#);
        let id = |id: &str| {
            parse(Action::BizUsage, &body(id))
                .unwrap()
                .request_id()
                .to_owned()
        };
        assert_eq!(id("\"abc-1\""), "abc-1");
        assert_eq!(
            id("99999999999999999999999999"),
            "99999999999999999999999999"
        );
        assert_eq!(id("null"), "");
        assert!(parse_error(Action::BizUsage, &body("1.5e3")).contains("RequestId"));
        assert!(parse_error(Action::BizUsage, &body("[1]")).contains("RequestId"));
    }

    #[test]
    fn api_errors_carry_code_message_and_id() {
        let body =
            r#"{"Code":100000005,"Message":"signature error","RequestId":1659512998878671001}"#;
        assert_eq!(
            parse(Action::BizUsage, body),
            Err(Error::Api {
                code: 100000005,
                message: "signature error".into(),
                request_id: Some("1659512998878671001".into()),
            })
        );
    }

    #[test]
    fn http_errors_keep_an_excerpt_and_any_code() {
        let html = format!("<html>{}</html>", "x".repeat(500));
        let Err(Error::Http {
            status,
            excerpt,
            code,
            request_id,
        }) = read(Action::BizUsage, 502, &html)
        else {
            panic!()
        };
        assert_eq!((status, code, request_id), (502, None, None));
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS);
        let Err(e) = read(Action::BizUsage, 429, r#"{"Code":30002,"RequestId":"7"}"#) else {
            panic!()
        };
        assert_eq!((e.code(), e.request_id()), (Some(30002), Some("7")));
        assert!(e.retryable());
    }

    #[test]
    fn malformed_bodies_are_parse_errors() {
        assert!(parse_error(Action::BizUsage, "").contains("empty"));
        assert!(parse_error(Action::BizUsage, "<html>502</html>").contains("HTML"));
        assert!(parse_error(Action::BizUsage, r#"{"Code":0,"Data":{}"#).contains("not the"));
        assert!(parse_error(Action::BizUsage, "[]").contains("not the"));
        assert!(parse_error(Action::BizUsage, r#"{"Data":{}}"#).contains("no Code"));
        assert!(parse_error(Action::BizUsage, r#"{"Code":"0","Data":{}}"#).contains("Code"));
        assert!(parse_error(Action::BizUsage, r#"{"Code":0}"#).contains("no Data"));
        assert!(parse_error(Action::BizUsage, r#"{"Code":0,"Data":[]}"#).contains("an array"));
        let bad_value = r#"{"Code":0,"Data":{"Metrics":[{"Metric":"play_count",
            "Values":[{"Date":"20250110","Value":"7"}]}]}}"#;
        assert_eq!(
            parse_error(Action::BizUsage, bad_value),
            "Data.Metrics[0].Values[0].Value is a string, not a number"
        );
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_error(Action::BizUsage, &deep).contains("not the"));
        let huge_ts = r#"{"Code":0,"Data":{"Metrics":[{"Metric":"uplink_rtt",
            "Values":[{"Timestamp":9007199254740993,"Value":1}]}]}}"#;
        assert!(parse_error(Action::RealtimeQuality, huge_ts).contains("Timestamp"));
    }

    #[test]
    fn timed_values_by_action() {
        let body = |v: &str| {
            format!(
                r#"{{"Code":0,"RequestId":"1","Data":{{"Metrics":[{{"Metric":"m",
                "Values":[{{"Timestamp":1736467200000,"Value":{v}}}]}}]}}}}"#
            )
        };
        let value = |a, v: &str| match parse(a, &body(v)).unwrap() {
            Output::Timed(s) => s.metrics[0].values[0].value.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(value(Action::RealtimeUsage, "12"), PointValue::Number(12.0));
        assert_eq!(
            value(Action::StreamBaseInfo, "\"WIFI\""),
            PointValue::Text("WIFI".into())
        );
        assert_eq!(
            value(Action::PlayQualityDetail, "\"1280*720\""),
            PointValue::Text("1280*720".into())
        );
        assert_eq!(
            value(Action::PlayQualityDetail, "3.5"),
            PointValue::Number(3.5)
        );
        assert_eq!(value(Action::PlayQualityDetail, "null"), PointValue::Null);
        assert!(parse(Action::RealtimeUsage, &body("\"x\"")).is_err());
        assert!(parse(Action::StreamBaseInfo, &body("1")).is_err());
    }

    #[test]
    fn region_detail_keeps_every_field_in_camel_case() {
        let body = r#"{"Code":0,"RequestId":1659512998878671000,"Data":{"List":[
            {"Timestamp":1736467200000,"QualityInfo":[{"Region":"中国",
              "P2pDelayDetail":{"Total":10,"Rate1":0.5,"Rate2":0.25,"Rate3":0.25,"Rate4":0},
              "VideoFFTDetail":{"Total":3,"Rate5":1},
              "LoginSuccessRateDetail":{"LoginSuccessRate":0.99,"LoginSuccessRate5s":0.98},
              "AudioBreakDetail":{"__proto__":{"x":1}},"__proto__":{"isAdmin":true},
              "region":{"x":1}}]}]}}"#;
        let Output::Region(r) = parse(Action::RegionQualityDetail, body).unwrap() else {
            panic!()
        };
        let q = &r.list[0].quality_info[0];
        assert_eq!(r.list[0].timestamp, 1736467200000);
        assert_eq!(q.region, "中国");
        assert_eq!(
            serde_json::to_value(q).unwrap(),
            json!({"region": "中国",
                   "p2pDelayDetail": {"total": 10, "rate1": 0.5, "rate2": 0.25, "rate3": 0.25,
                                      "rate4": 0},
                   "videoFftDetail": {"total": 3, "rate5": 1},
                   "loginSuccessRateDetail": {"loginSuccessRate": 0.99,
                                              "loginSuccessRate5s": 0.98},
                   "audioBreakDetail": {}})
        );
    }
}
