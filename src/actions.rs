//! The eight actions, their business parameters and the checks made before sending.
//!
//! Parameters arrive as a JSON object with the JavaScript names (`startDate`,
//! `metrics`, ...). [`business_query`] checks every one of them and turns them
//! into the service's query pairs, or returns the first problem as an
//! [`Error::Validation`]; nothing is sent when it fails.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::query::Query;

/// One action of the service, named as in its `Action` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `GetBizUsage`: daily usage over a date range.
    BizUsage,
    /// `GetBizQuality`: daily quality over a date range.
    BizQuality,
    /// `GetRealtimeUsage`: per-second usage within the last two hours.
    RealtimeUsage,
    /// `GetRealtimeQuality`: per-second quality within the last two hours.
    RealtimeQuality,
    /// `GetRegionQualityDetail`: quality distribution per region, per minute.
    RegionQualityDetail,
    /// `GetStreamBaseInfo`: facts about one user's stream.
    StreamBaseInfo,
    /// `GetPublishQualityDetail`: one user's publishing quality over time.
    PublishQualityDetail,
    /// `GetPlayQualityDetail`: one user's playing quality over time.
    PlayQualityDetail,
}

/// How an action's parameters and answer are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `StartDate`, `EndDate`, `Metrics[]`; values per day.
    Daily,
    /// `StartTs`, `EndTs`, `Metrics[]`; values per timestamp.
    Realtime,
    /// `Region`, `Platform`, `StartTs`, `EndTs`; a list of per-minute distributions.
    Region,
    /// Stream ids, `StartTs`, `EndTs`, `StreamType`; string values.
    StreamInfo,
    /// Stream ids, `StartTs`, `EndTs`, `Metrics[]`; number or string values.
    QualityDetail,
}

const BIZ_USAGE: &[&str] = &[
    "room_concurrent",
    "user_concurrent",
    "publish_concurrent",
    "play_concurrent",
    "publish_count",
    "play_count",
];

const BIZ_QUALITY: &[&str] = &[
    "break_rate",
    "fft",
    "login_consumed",
    "publish_success_rate_cdn",
    "publish_success_rate_rtc",
    "play_success_rate_cdn",
    "play_success_rate_l3",
    "play_success_rate_rtc",
    "login_success_rate",
    "login_success_5s",
];

const REALTIME_USAGE: &[&str] = &[
    "publish_concurrent",
    "play_concurrent",
    "room_concurrent",
    "online_user",
    "max_room_user",
    "mix_concurrent",
];

const REALTIME_QUALITY: &[&str] = &[
    "video_break_rate",
    "audio_break_rate",
    "uplink_rtt",
    "downlink_rtt",
    "peer_to_peer_delay",
    "publish_success_rate",
    "play_success_rate",
    "login_success_rate",
];

/// The metrics `GetStreamBaseInfo` answers with (it takes none).
pub const STREAM_BASE_INFO: &[&str] = &[
    "isp",
    "net_type",
    "os_type",
    "device_model",
    "sdk_version",
    "region",
];

const PUBLISH_QUALITY: &[&str] = &[
    "video_bitrate",
    "audio_bitrate",
    "video_network_fps",
    "audio_network_fps",
    "video_capture_fps",
    "uplink_delay",
    "uplink_packet_loss_rate",
    "captured_sound_level",
    "encode_resolution",
    "sys_cpu_used",
    "app_cpu_used",
    "sys_mem_used",
    "app_mem_used",
];

const PLAY_QUALITY: &[&str] = &[
    "audio_bitrate",
    "audio_network_fps",
    "audio_break_percentage",
    "video_bitrate",
    "video_network_fps",
    "video_break_percentage",
    "decode_resolution",
    "peer_to_peer_delay",
    "peer_to_peer_plr",
    "downlink_delay",
    "downlink_packet_loss_rate",
    "rendered_sound_level",
    "mos",
    "sys_cpu_used",
    "app_cpu_used",
    "sys_mem_used",
    "app_mem_used",
];

impl Action {
    /// Every action, in the order of the service's documentation.
    pub const ALL: [Action; 8] = [
        Action::BizUsage,
        Action::BizQuality,
        Action::RealtimeUsage,
        Action::RealtimeQuality,
        Action::RegionQualityDetail,
        Action::StreamBaseInfo,
        Action::PublishQualityDetail,
        Action::PlayQualityDetail,
    ];

    /// The value of the `Action` query parameter.
    pub fn name(self) -> &'static str {
        match self {
            Action::BizUsage => "GetBizUsage",
            Action::BizQuality => "GetBizQuality",
            Action::RealtimeUsage => "GetRealtimeUsage",
            Action::RealtimeQuality => "GetRealtimeQuality",
            Action::RegionQualityDetail => "GetRegionQualityDetail",
            Action::StreamBaseInfo => "GetStreamBaseInfo",
            Action::PublishQualityDetail => "GetPublishQualityDetail",
            Action::PlayQualityDetail => "GetPlayQualityDetail",
        }
    }

    /// The action called `name`, or a validation error listing the eight names.
    pub fn from_name(name: &str) -> Result<Action, Error> {
        Action::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                Error::validation(
                    "action",
                    format!("unknown action {name:?}; use one of {}", names.join(", ")),
                )
            })
    }

    /// How the action's parameters and answer are laid out.
    pub fn shape(self) -> Shape {
        match self {
            Action::BizUsage | Action::BizQuality => Shape::Daily,
            Action::RealtimeUsage | Action::RealtimeQuality => Shape::Realtime,
            Action::RegionQualityDetail => Shape::Region,
            Action::StreamBaseInfo => Shape::StreamInfo,
            Action::PublishQualityDetail | Action::PlayQualityDetail => Shape::QualityDetail,
        }
    }

    /// The metrics the action accepts in `Metrics[]`; empty when it takes none.
    pub fn metrics(self) -> &'static [&'static str] {
        match self {
            Action::BizUsage => BIZ_USAGE,
            Action::BizQuality => BIZ_QUALITY,
            Action::RealtimeUsage => REALTIME_USAGE,
            Action::RealtimeQuality => REALTIME_QUALITY,
            Action::RegionQualityDetail | Action::StreamBaseInfo => &[],
            Action::PublishQualityDetail => PUBLISH_QUALITY,
            Action::PlayQualityDetail => PLAY_QUALITY,
        }
    }

    /// The parameter names (JavaScript spelling) the action takes, in wire order.
    pub fn params(self) -> Vec<&'static str> {
        self.specs().iter().map(|p| p.name).collect()
    }
}

/// What kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// A calendar date, `yyyyMMdd` on the wire.
    Date,
    /// A Unix time in milliseconds.
    Ms,
    /// Free text, percent-encoded on the wire.
    String,
    /// One or more metric names, `Metrics[]` on the wire.
    Metrics,
    /// One of a few fixed words.
    Enum,
}

/// One business parameter of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    /// The JavaScript name, such as `startDate`.
    pub name: &'static str,
    /// The query key, such as `StartDate` or `Metrics[]`.
    pub wire: &'static str,
    /// The kind of value.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// Whether the action needs it.
    pub required: bool,
    /// The allowed words of an enum.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub values: &'static [&'static str],
}

const fn spec(name: &'static str, wire: &'static str, kind: ParamType) -> ParamSpec {
    ParamSpec {
        name,
        wire,
        kind,
        required: true,
        values: &[],
    }
}

const START_DATE: ParamSpec = spec("startDate", "StartDate", ParamType::Date);
const END_DATE: ParamSpec = spec("endDate", "EndDate", ParamType::Date);
const METRICS: ParamSpec = spec("metrics", "Metrics[]", ParamType::Metrics);
const START_TS: ParamSpec = spec("startTs", "StartTs", ParamType::Ms);
const END_TS: ParamSpec = spec("endTs", "EndTs", ParamType::Ms);
const ROOM_ID: ParamSpec = spec("roomId", "RoomId", ParamType::String);
const USER_ID: ParamSpec = spec("userId", "UserId", ParamType::String);
const STREAM_ID: ParamSpec = spec("streamId", "StreamId", ParamType::String);
const REGION: ParamSpec = ParamSpec {
    required: false,
    ..spec("region", "Region", ParamType::String)
};
/// The values of `platform`.
pub const PLATFORMS: &[&str] = &["all", "native", "web"];
const PLATFORM: ParamSpec = ParamSpec {
    required: false,
    values: PLATFORMS,
    ..spec("platform", "Platform", ParamType::Enum)
};
/// The values of `streamType`.
pub const STREAM_TYPES: &[&str] = &["publish", "play"];
const STREAM_TYPE: ParamSpec = ParamSpec {
    values: STREAM_TYPES,
    ..spec("streamType", "StreamType", ParamType::Enum)
};

impl Action {
    /// The business parameters, in the order they are sent.
    pub fn specs(self) -> &'static [ParamSpec] {
        match self.shape() {
            Shape::Daily => &[START_DATE, END_DATE, METRICS],
            Shape::Realtime => &[START_TS, END_TS, METRICS],
            Shape::Region => &[REGION, PLATFORM, START_TS, END_TS],
            Shape::StreamInfo => &[ROOM_ID, USER_ID, STREAM_ID, START_TS, END_TS, STREAM_TYPE],
            Shape::QualityDetail => &[ROOM_ID, USER_ID, STREAM_ID, START_TS, END_TS, METRICS],
        }
    }

    /// The client method that calls the action, such as `getBizUsage`.
    pub fn method(self) -> &'static str {
        match self {
            Action::BizUsage => "getBizUsage",
            Action::BizQuality => "getBizQuality",
            Action::RealtimeUsage => "getRealtimeUsage",
            Action::RealtimeQuality => "getRealtimeQuality",
            Action::RegionQualityDetail => "getRegionQualityDetail",
            Action::StreamBaseInfo => "getStreamBaseInfo",
            Action::PublishQualityDetail => "getPublishQualityDetail",
            Action::PlayQualityDetail => "getPlayQualityDetail",
        }
    }

    /// The service's rate limit and daily quota for the action, per AppId.
    pub fn limit(self) -> &'static str {
        match self.shape() {
            Shape::StreamInfo | Shape::QualityDetail => "3/second, 10000/day",
            _ => "3/minute, 480/day",
        }
    }
}

/// An action described for forms and tools: the JS `ACTIONS` entries.
#[derive(Debug, Clone, Serialize)]
pub struct ActionInfo {
    /// The `Action` name.
    pub name: &'static str,
    /// The client method.
    pub method: &'static str,
    /// The business parameters, in wire order.
    pub params: &'static [ParamSpec],
    /// The metrics it accepts.
    pub metrics: &'static [&'static str],
    /// Its rate limit and daily quota.
    pub limit: &'static str,
}

impl From<Action> for ActionInfo {
    fn from(a: Action) -> ActionInfo {
        ActionInfo {
            name: a.name(),
            method: a.method(),
            params: a.specs(),
            metrics: a.metrics(),
            limit: a.limit(),
        }
    }
}

/// Checks `params` for `action` and returns the business query pairs, in the order
/// the service documents them.
pub fn business_query(action: Action, params: &Value) -> Result<Query, Error> {
    let Some(params) = params.as_object() else {
        return Err(Error::validation(
            "params",
            format!(
                "parameters must be an object with {}",
                action.params().join(", ")
            ),
        ));
    };
    for key in params.keys() {
        if !action.params().contains(&key.as_str()) {
            return Err(Error::validation(
                key,
                format!(
                    "{} takes no parameter {key:?}; its parameters are {}",
                    action.name(),
                    action.params().join(", ")
                ),
            ));
        }
    }

    let mut q = Query::new();
    match action.shape() {
        Shape::Daily => {
            let start = date(params, "startDate")?;
            let end = date(params, "endDate")?;
            if start > end {
                return Err(Error::validation(
                    "endDate",
                    format!("endDate {end} is before startDate {start}"),
                ));
            }
            q.push("StartDate", start);
            q.push("EndDate", end);
            push_metrics(&mut q, action, params)?;
        }
        Shape::Realtime => {
            push_range(&mut q, params)?;
            push_metrics(&mut q, action, params)?;
        }
        Shape::Region => {
            if let Some(region) = optional(params, "region") {
                q.push("Region", non_empty(region, "region")?);
            }
            if let Some(platform) = optional(params, "platform") {
                q.push("Platform", one_of(platform, "platform", PLATFORMS)?);
            }
            let (start, end) = push_range(&mut q, params)?;
            if end != 0 && end - start > REGION_SPAN_MS {
                return Err(Error::validation(
                    "endTs",
                    "GetRegionQualityDetail covers at most one hour; shorten the range",
                ));
            }
        }
        Shape::StreamInfo => {
            push_ids(&mut q, params)?;
            push_range(&mut q, params)?;
            let kind = required(params, "streamType")?;
            q.push("StreamType", one_of(kind, "streamType", STREAM_TYPES)?);
        }
        Shape::QualityDetail => {
            push_ids(&mut q, params)?;
            push_range(&mut q, params)?;
            push_metrics(&mut q, action, params)?;
        }
    }
    Ok(q)
}

/// A present, non-null parameter.
fn optional<'a>(params: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    params.get(key).filter(|v| !v.is_null())
}

fn required<'a>(params: &'a Map<String, Value>, key: &str) -> Result<&'a Value, Error> {
    optional(params, key).ok_or_else(|| Error::validation(key, format!("{key} is required")))
}

pub(crate) fn non_empty(value: &Value, key: &str) -> Result<String, Error> {
    match value {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::String(_) => Err(Error::validation(key, format!("{key} must not be empty"))),
        other => Err(Error::validation(
            key,
            format!("{key} must be a string, not {}", type_name(other)),
        )),
    }
}

pub(crate) fn one_of(value: &Value, key: &str, allowed: &[&str]) -> Result<String, Error> {
    let s = non_empty(value, key)?;
    if allowed.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(Error::validation(
            key,
            format!("{key} must be one of {}, not {s:?}", allowed.join(", ")),
        ))
    }
}

fn push_ids(q: &mut Query, params: &Map<String, Value>) -> Result<(), Error> {
    q.push("RoomId", non_empty(required(params, "roomId")?, "roomId")?);
    q.push("UserId", non_empty(required(params, "userId")?, "userId")?);
    q.push(
        "StreamId",
        non_empty(required(params, "streamId")?, "streamId")?,
    );
    Ok(())
}

fn push_metrics(q: &mut Query, action: Action, params: &Map<String, Value>) -> Result<(), Error> {
    let allowed = action.metrics();
    let Value::Array(items) = required(params, "metrics")? else {
        return Err(Error::validation(
            "metrics",
            "metrics must be an array of metric names",
        ));
    };
    if items.is_empty() {
        return Err(Error::validation(
            "metrics",
            format!("metrics must name at least one of {}", allowed.join(", ")),
        ));
    }

    let mut seen: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(name) = item else {
            return Err(Error::validation(
                "metrics",
                format!("metrics must hold strings, not {}", type_name(item)),
            ));
        };
        if !allowed.contains(&name.as_str()) {
            return Err(Error::validation(
                "metrics",
                format!(
                    "{name:?} is not a metric of {}; use {}",
                    action.name(),
                    allowed.join(", ")
                ),
            ));
        }
        if !seen.contains(&name.as_str()) {
            seen.push(name);
            q.push("Metrics[]", name.clone());
        }
    }
    Ok(())
}

/// Earliest plausible millisecond timestamp (2001-09-09); smaller values are seconds.
const MS_MIN: u64 = 1_000_000_000_000;
/// One past the latest plausible millisecond timestamp (year 2286); larger values are
/// microseconds.
const MS_END: u64 = 10_000_000_000_000;

/// The longest range `GetRegionQualityDetail` answers: one hour.
pub const REGION_SPAN_MS: u64 = 3_600_000;

fn push_range(q: &mut Query, params: &Map<String, Value>) -> Result<(u64, u64), Error> {
    let start = millis(params, "startTs", false)?;
    let end = millis(params, "endTs", true)?;
    if end != 0 && start > end {
        return Err(Error::validation(
            "endTs",
            format!("endTs {end} is before startTs {start}; use 0 for \"until now\""),
        ));
    }
    q.push("StartTs", start.to_string());
    q.push("EndTs", end.to_string());
    Ok((start, end))
}

fn millis(params: &Map<String, Value>, key: &str, zero_ok: bool) -> Result<u64, Error> {
    millis_of(required(params, key)?, key, zero_ok)
}

/// A Unix timestamp in whole milliseconds; `0` only where `zero_ok`.
pub(crate) fn millis_of(value: &Value, key: &str, zero_ok: bool) -> Result<u64, Error> {
    let Value::Number(n) = value else {
        return Err(Error::validation(
            key,
            format!(
                "{key} must be a number of Unix milliseconds, not {}",
                type_name(value)
            ),
        ));
    };
    let ms = match (n.as_u64(), n.as_f64()) {
        (Some(v), _) => v,
        (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 && f < 1e18 => f as u64,
        (None, Some(f)) if f < 0.0 => {
            return Err(Error::validation(
                key,
                format!("{key} must not be negative"),
            ))
        }
        _ => {
            return Err(Error::validation(
                key,
                format!("{key} must be whole Unix milliseconds, not {n}"),
            ))
        }
    };

    if ms == 0 && zero_ok {
        return Ok(0);
    }
    if ms < MS_MIN {
        let hint = if ms < 100_000_000_000 && ms > 0 {
            "; it looks like Unix seconds, multiply by 1000"
        } else {
            ""
        };
        return Err(Error::validation(
            key,
            format!("{key} {ms} is not a Unix time in milliseconds{hint}"),
        ));
    }
    if ms >= MS_END {
        let hint = if ms >= 100_000_000_000_000 {
            "; it looks like microseconds, divide by 1000"
        } else {
            ""
        };
        return Err(Error::validation(
            key,
            format!("{key} {ms} is not a Unix time in milliseconds{hint}"),
        ));
    }
    Ok(ms)
}

/// A calendar date as `yyyyMMdd` (the service's form), from `yyyyMMdd` or `yyyy-MM-dd`.
fn date(params: &Map<String, Value>, key: &str) -> Result<String, Error> {
    let value = required(params, key)?;
    let Value::String(s) = value else {
        return Err(Error::validation(
            key,
            format!(
                "{key} must be a string like \"20250110\", not {}",
                type_name(value)
            ),
        ));
    };
    parse_date(s).ok_or_else(|| {
        Error::validation(
            key,
            format!("{key} {s:?} is not a calendar date written yyyyMMdd or yyyy-MM-dd"),
        )
    })
}

/// `yyyyMMdd` for a real calendar day written `yyyyMMdd` or `yyyy-MM-dd`.
pub fn parse_date(s: &str) -> Option<String> {
    let digits: String = match s.len() {
        8 => s.to_owned(),
        10 if s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' => {
            [&s[..4], &s[5..7], &s[8..]].concat()
        }
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u32 = digits[..4].parse().ok()?;
    let month: u32 = digits[4..6].parse().ok()?;
    let day: u32 = digits[6..].parse().ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1970 && (1..=days).contains(&day)).then_some(digits)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(action: Action, params: Value) -> Result<Vec<(&'static str, String)>, Error> {
        business_query(action, &params).map(|q| q.pairs().to_vec())
    }

    fn problem(action: Action, params: Value) -> (String, String) {
        match query(action, params) {
            Err(Error::Validation { param, message }) => (param, message),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    const T0: u64 = 1_736_467_200_000;

    #[test]
    fn names_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()).unwrap(), a);
        }
        assert_eq!(problem_of_name("getBizUsage").0, "action");
    }

    fn problem_of_name(name: &str) -> (String, String) {
        match Action::from_name(name) {
            Err(Error::Validation { param, message }) => (param, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn daily_dates_both_forms_and_metrics_in_order_without_duplicates() {
        let q = query(
            Action::BizUsage,
            json!({"startDate": "2025-01-10", "endDate": "20250112",
                   "metrics": ["play_count", "publish_count", "play_count"]}),
        )
        .unwrap();
        assert_eq!(
            q,
            vec![
                ("StartDate", "20250110".to_owned()),
                ("EndDate", "20250112".to_owned()),
                ("Metrics[]", "play_count".to_owned()),
                ("Metrics[]", "publish_count".to_owned()),
            ]
        );
    }

    #[test]
    fn dates_must_be_real_days_in_order() {
        let p = |s: &str, e: &str| json!({"startDate": s, "endDate": e, "metrics": ["fft"]});
        assert_eq!(
            problem(Action::BizQuality, p("20250230", "20250301")).0,
            "startDate"
        );
        assert_eq!(
            problem(Action::BizQuality, p("2025-1-10", "20250301")).0,
            "startDate"
        );
        assert_eq!(
            problem(Action::BizQuality, p("20250110", "2025/01/12")).0,
            "endDate"
        );
        assert_eq!(
            problem(Action::BizQuality, p("20250113", "20250112")).0,
            "endDate"
        );
        assert!(query(Action::BizQuality, p("20240229", "20240229")).is_ok());
        assert_eq!(
            problem(Action::BizQuality, p("20230229", "20230301")).0,
            "startDate"
        );
        assert_eq!(
            problem(Action::BizQuality, p("19000228", "20230301")).0,
            "startDate"
        );
        assert_eq!(
            problem(Action::BizQuality, p("2025０110", "20250112")).0,
            "startDate"
        );
    }

    #[test]
    fn metrics_must_be_known_non_empty_strings() {
        let p = |m: Value| json!({"startDate": "20250110", "endDate": "20250112", "metrics": m});
        let (param, msg) = problem(Action::BizUsage, p(json!(["fft"])));
        assert_eq!(param, "metrics");
        assert!(
            msg.contains("\"fft\" is not a metric of GetBizUsage"),
            "{msg}"
        );
        assert_eq!(problem(Action::BizUsage, p(json!([]))).0, "metrics");
        assert_eq!(
            problem(Action::BizUsage, p(json!("play_count"))).0,
            "metrics"
        );
        assert_eq!(problem(Action::BizUsage, p(json!([1]))).0, "metrics");
        assert_eq!(
            problem(
                Action::BizUsage,
                json!({"startDate": "20250110",
            "endDate": "20250112"})
            )
            .0,
            "metrics"
        );
    }

    #[test]
    fn unknown_keys_and_non_objects_are_refused() {
        let (param, msg) = problem(Action::BizUsage, json!({"startdate": "20250110"}));
        assert_eq!(param, "startdate");
        assert!(msg.contains("startDate, endDate, metrics"), "{msg}");
        assert_eq!(problem(Action::BizUsage, json!([1])).0, "params");
    }

    #[test]
    fn timestamps_are_whole_milliseconds() {
        let p = |s: Value, e: Value| json!({"startTs": s, "endTs": e, "metrics": ["uplink_rtt"]});
        let ok = query(Action::RealtimeQuality, p(json!(T0), json!(0))).unwrap();
        assert_eq!(ok[0], ("StartTs", T0.to_string()));
        assert_eq!(ok[1], ("EndTs", "0".to_owned()));

        let (param, msg) = problem(Action::RealtimeQuality, p(json!(1_736_467_200), json!(0)));
        assert_eq!(param, "startTs");
        assert!(msg.contains("looks like Unix seconds"), "{msg}");
        let (_, msg) = problem(Action::RealtimeQuality, p(json!(T0), json!(T0 * 1000)));
        assert!(msg.contains("looks like microseconds"), "{msg}");
        assert_eq!(
            problem(Action::RealtimeQuality, p(json!(0), json!(0))).0,
            "startTs"
        );
        assert_eq!(
            problem(Action::RealtimeQuality, p(json!(T0 as f64 + 0.5), json!(0))).0,
            "startTs"
        );
        assert_eq!(
            problem(Action::RealtimeQuality, p(json!(-5), json!(0))).0,
            "startTs"
        );
        assert_eq!(
            problem(Action::RealtimeQuality, p(json!("1736467200000"), json!(0))).0,
            "startTs"
        );
        let (param, _) = problem(Action::RealtimeQuality, p(json!(T0 + 1), json!(T0)));
        assert_eq!(param, "endTs");
        // A float that is a whole number (as every JS number is) is fine.
        assert!(query(Action::RealtimeQuality, p(json!(T0 as f64), json!(0))).is_ok());
    }

    #[test]
    fn region_detail_optional_params_and_order() {
        let q = query(
            Action::RegionQualityDetail,
            json!({"startTs": T0, "endTs": T0 + 60_000, "region": "中国", "platform": "web"}),
        )
        .unwrap();
        let keys: Vec<&str> = q.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["Region", "Platform", "StartTs", "EndTs"]);
        let q = query(
            Action::RegionQualityDetail,
            json!({"startTs": T0, "endTs": 0,
            "region": null}),
        )
        .unwrap();
        assert_eq!(q.len(), 2);
        let bad = json!({"startTs": T0, "endTs": 0, "platform": "ios"});
        assert_eq!(problem(Action::RegionQualityDetail, bad).0, "platform");
        let hour = json!({"startTs": T0, "endTs": T0 + 3_600_000});
        assert!(query(Action::RegionQualityDetail, hour).is_ok());
        let longer = json!({"startTs": T0, "endTs": T0 + 3_600_001});
        assert_eq!(problem(Action::RegionQualityDetail, longer).0, "endTs");
        let bad = json!({"startTs": T0, "endTs": 0, "region": ""});
        assert_eq!(problem(Action::RegionQualityDetail, bad).0, "region");
    }

    #[test]
    fn per_user_actions_need_ids_and_enums() {
        let ok = json!({"roomId": "room 1", "userId": "u+1", "streamId": "s",
                        "streamType": "play", "startTs": T0, "endTs": T0});
        let q = query(Action::StreamBaseInfo, ok.clone()).unwrap();
        let keys: Vec<&str> = q.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "RoomId",
                "UserId",
                "StreamId",
                "StartTs",
                "EndTs",
                "StreamType"
            ]
        );
        let mut bad = ok.clone();
        bad["streamType"] = json!("push");
        assert_eq!(problem(Action::StreamBaseInfo, bad).0, "streamType");
        let mut bad = ok.clone();
        bad["userId"] = json!("");
        assert_eq!(problem(Action::StreamBaseInfo, bad).0, "userId");
        let mut bad = ok;
        bad["roomId"] = json!(7);
        assert_eq!(problem(Action::StreamBaseInfo, bad).0, "roomId");

        let q = query(
            Action::PlayQualityDetail,
            json!({"roomId": "r", "userId": "u", "streamId": "s", "metrics": ["mos"],
                   "startTs": T0, "endTs": 0}),
        )
        .unwrap();
        assert_eq!(q.last().unwrap(), &("Metrics[]", "mos".to_owned()));
        let bad = json!({"roomId": "r", "userId": "u", "streamId": "s",
                         "metrics": ["encode_resolution"], "startTs": T0, "endTs": 0});
        assert_eq!(problem(Action::PlayQualityDetail, bad).0, "metrics");
    }
}
