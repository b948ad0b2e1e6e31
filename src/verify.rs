//! Checking a signed URL the way the service would, reporting every problem.
//!
//! This is the offline counterpart of the provider's online signature checker:
//! given a URL and the ServerSecret it reports each problem next to the query key
//! it concerns, instead of stopping at the first one as the service does.

use serde::Serialize;
use serde_json::Value;

use crate::actions::{millis_of, one_of, parse_date, Action, ParamType, REGION_SPAN_MS};
use crate::query::decode;
use crate::sign::{signature, SIGNATURE_VERSION};

/// The service's tolerance for clock differences, in seconds.
pub const MAX_SKEW_SECONDS: i64 = 600;

/// One thing wrong with a signed URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The query key concerned (`Signature`, `Timestamp`, `Metrics[]`, ...), or `url`.
    pub param: String,
    /// What is wrong, and what the service would do about it.
    pub message: String,
}

/// One decoded query pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// The key, decoded.
    pub name: String,
    /// The value, decoded.
    pub value: String,
}

/// The verdict on a signed URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// True when no problem was found.
    pub valid: bool,
    /// The `Action`, when it names one of the eight actions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The `AppId`, when it is a valid one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<u32>,
    /// Every query pair, decoded, in order.
    pub params: Vec<Pair>,
    /// Every problem found, in query order as far as possible.
    pub problems: Vec<Problem>,
}

struct Report {
    problems: Vec<Problem>,
}

impl Report {
    fn add(&mut self, param: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            param: param.to_owned(),
            message: message.into(),
        });
    }
}

/// Checks `url` against `secret` at `now_seconds`, allowing `max_skew` seconds of
/// clock difference.
pub fn verify_signed_url(url: &str, secret: &str, now_seconds: i64, max_skew: i64) -> Verdict {
    let mut r = Report {
        problems: Vec::new(),
    };
    let url = url.trim();
    let query = match url.split_once('?') {
        Some((_, q)) => q,
        None => {
            r.add(
                "url",
                "the URL has no query string; the service reads every parameter from it",
            );
            ""
        }
    };
    let query = match query.split_once('#') {
        Some((q, _)) => {
            r.add(
                "url",
                "the URL has a # fragment, which is never sent to the server",
            );
            q
        }
        None => query,
    };

    let mut params = Vec::new();
    for raw in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = raw.split_once('=').unwrap_or((raw, ""));
        let key = match decode(raw_key) {
            Ok(k) => k,
            Err(why) => {
                r.add(raw_key, format!("the key {why}"));
                continue;
            }
        };
        if let Some(c) = raw_value.chars().find(|c| !is_safe(*c)) {
            r.add(
                &key,
                format!(
                    "the value has {c:?} unencoded; encode it as {} or a server may read it \
                     differently{}",
                    encoded(c),
                    if c == '+' {
                        " (many read + as a space)"
                    } else {
                        ""
                    }
                ),
            );
        }
        match decode(raw_value) {
            Ok(value) => params.push(Pair { name: key, value }),
            Err(why) => r.add(&key, format!("the value {why}")),
        }
    }

    let single = |r: &mut Report, key: &str| -> Option<String> {
        let mut found = params.iter().filter(|p| p.name == key);
        let first = found.next()?;
        if found.next().is_some() {
            r.add(key, DUPLICATE);
        }
        Some(first.value.clone())
    };
    let required = |r: &mut Report, key: &str| -> Option<String> {
        let v = single(r, key);
        if v.is_none() {
            r.add(key, format!("{key} is missing"));
        }
        v
    };

    let action = required(&mut r, "Action").and_then(|name| match Action::from_name(&name) {
        Ok(a) => Some(a),
        Err(_) => {
            r.add(
                "Action",
                format!("{name:?} is not one of the eight Analytics actions"),
            );
            None
        }
    });
    let app_id = required(&mut r, "AppId").and_then(|v| match v.parse::<u32>() {
        Ok(id) if id > 0 && is_plain_number(&v) => Some(id),
        _ => {
            r.add(
                "AppId",
                format!("{v:?} is not an AppId (a whole number 1..4294967295)"),
            );
            None
        }
    });
    let nonce = required(&mut r, "SignatureNonce");
    if nonce.as_deref() == Some("") {
        r.add("SignatureNonce", "SignatureNonce is empty");
    }
    let timestamp = required(&mut r, "Timestamp")
        .and_then(|v| check_timestamp(&mut r, &v, now_seconds, max_skew));
    if let Some(v) = required(&mut r, "SignatureVersion") {
        if v != SIGNATURE_VERSION {
            r.add(
                "SignatureVersion",
                format!("{v:?} is not supported; use 2.0"),
            );
        }
    }
    if let Some(sig) = required(&mut r, "Signature") {
        let well_formed = sig.len() == 32
            && sig
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !well_formed {
            r.add(
                "Signature",
                "is not 32 lowercase hex characters (an md5 digest)",
            );
        } else if let (Some(app_id), Some(nonce), Some(ts)) = (app_id, &nonce, timestamp) {
            if signature(app_id, nonce, secret, ts) != sig {
                r.add(
                    "Signature",
                    "does not match md5(AppId + SignatureNonce + ServerSecret + Timestamp) \
                     with this secret; the service answers 100000005",
                );
            }
        }
    }
    if let Some(v) = single(&mut r, "IsTest") {
        if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
            r.add("IsTest", format!("{v:?} is neither true nor false"));
        }
    }
    if let Some(action) = action {
        check_business(&mut r, action, &params);
    }

    Verdict {
        valid: r.problems.is_empty(),
        action: action.map(|a| a.name().to_owned()),
        app_id,
        params,
        problems: r.problems,
    }
}

/// What a repeated single-valued parameter gets.
const DUPLICATE: &str = "appears more than once; the service may refuse it or read either value";

/// Decimal digits without a leading zero (or `0` itself): the only way the service
/// reads a number the same as the signer hashed it.
fn is_plain_number(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) && (v == "0" || !v.starts_with('0'))
}

fn check_timestamp(r: &mut Report, v: &str, now: i64, max_skew: i64) -> Option<i64> {
    let ts = match v.parse::<i64>() {
        Ok(ts) if is_plain_number(v) => ts,
        _ => {
            r.add("Timestamp", format!("{v:?} is not whole Unix seconds"));
            return None;
        }
    };
    if v.len() >= 13 {
        r.add(
            "Timestamp",
            "looks like milliseconds; the service wants Unix seconds",
        );
        return Some(ts);
    }
    let diff = ts - now;
    if diff.abs() > max_skew {
        let (amount, way) = if diff < 0 {
            (-diff, "in the past")
        } else {
            (diff, "in the future")
        };
        r.add(
            "Timestamp",
            format!(
                "is {amount} s {way}, more than the {max_skew} s the service allows \
                 (it answers 100000004); sign again with the current time"
            ),
        );
    }
    Some(ts)
}

fn check_business(r: &mut Report, action: Action, params: &[Pair]) {
    const COMMON: &[&str] = &[
        "Action",
        "AppId",
        "SignatureNonce",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "IsTest",
    ];
    let specs = action.specs();
    // The service ignores parameters it does not know; only a near miss of one it does
    // know (another case, a missing `[]`) is reported, as the parameter meant is then
    // missing or wrong.
    let known = COMMON.iter().copied().chain(specs.iter().map(|s| s.wire));
    let known: Vec<&str> = known.collect();
    for p in params {
        if known.contains(&p.name.as_str()) {
            continue;
        }
        let bare = |k: &str| k.trim_end_matches("[]").to_ascii_lowercase();
        if let Some(meant) = known.iter().find(|k| bare(k) == bare(&p.name)) {
            r.add(
                &p.name,
                format!("is not {meant}, which {} reads", action.name()),
            );
        }
    }

    let mut range = [None, None];
    for spec in specs {
        let values: Vec<&str> = params
            .iter()
            .filter(|p| p.name == spec.wire)
            .map(|p| p.value.as_str())
            .collect();
        if values.is_empty() {
            if spec.required {
                r.add(
                    spec.wire,
                    format!("{} is missing; {} needs it", spec.wire, action.name()),
                );
            }
            continue;
        }
        if spec.kind != ParamType::Metrics && values.len() > 1 {
            r.add(spec.wire, DUPLICATE);
        }
        let v = values[0];
        let slot = match spec.wire {
            "StartDate" | "StartTs" => Some(0),
            "EndDate" | "EndTs" => Some(1),
            _ => None,
        };
        match spec.kind {
            ParamType::Date => match parse_date(v) {
                Some(d) if d == v => {
                    if let (Some(i), Ok(n)) = (slot, d.parse::<u64>()) {
                        range[i] = Some(n);
                    }
                }
                _ => r.add(
                    spec.wire,
                    format!("{v:?} is not a calendar date written yyyyMMdd"),
                ),
            },
            ParamType::Ms => {
                let zero_ok = spec.wire == "EndTs";
                let n = v.parse::<u64>().ok().filter(|_| is_plain_number(v));
                match n.map(|n| millis_of(&Value::from(n), spec.wire, zero_ok)) {
                    Some(Ok(ms)) => {
                        if let Some(i) = slot {
                            range[i] = Some(ms);
                        }
                    }
                    Some(Err(e)) => r.add(spec.wire, message_of(&e)),
                    None => r.add(
                        spec.wire,
                        format!("{v:?} is not whole Unix milliseconds without leading zeros"),
                    ),
                }
            }
            ParamType::String => {
                if v.is_empty() {
                    r.add(spec.wire, "is empty");
                }
            }
            ParamType::Enum => {
                if let Err(e) = one_of(&Value::from(v), spec.wire, spec.values) {
                    r.add(spec.wire, message_of(&e));
                }
            }
            ParamType::Metrics => {
                for m in &values {
                    if !action.metrics().contains(m) {
                        r.add(
                            spec.wire,
                            format!("{m:?} is not a metric of {}", action.name()),
                        );
                    }
                }
            }
        }
    }
    if let [Some(start), Some(end)] = range {
        if end != 0 && start > end {
            r.add(specs[1].wire, "the range ends before it starts");
        } else if action == Action::RegionQualityDetail && end != 0 && end - start > REGION_SPAN_MS
        {
            r.add("EndTs", "GetRegionQualityDetail covers at most one hour");
        }
    }
}

fn message_of(e: &crate::Error) -> String {
    match e {
        crate::Error::Validation { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Characters that may stand unencoded in a query value.
fn is_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '%')
}

fn encoded(c: char) -> String {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Client, Config};
    use serde_json::json;

    const SECRET: &str = "9193cc662a4c0ec135ec71fb57194b38";
    const NOW: i64 = 1615186943;

    fn url(params: Value) -> String {
        let options = json!({"appId": 12345, "serverSecret": SECRET, "isTest": false});
        let client = Client::new(Config::from_options(options.as_object().unwrap()).unwrap());
        client
            .signed_url(Action::BizUsage, &params, "4fd24687296dd9f3", NOW)
            .unwrap()
    }

    fn good() -> String {
        url(json!({"startDate": "20250110", "endDate": "20250112",
                   "metrics": ["publish_count", "play_count"]}))
    }

    fn problems(url: &str, now: i64) -> Vec<(String, String)> {
        verify_signed_url(url, SECRET, now, MAX_SKEW_SECONDS)
            .problems
            .into_iter()
            .map(|p| (p.param, p.message))
            .collect()
    }

    fn params_of(url: &str) -> Vec<String> {
        problems(url, NOW).into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn a_url_built_by_the_client_is_valid() {
        let v = verify_signed_url(&good(), SECRET, NOW + 30, MAX_SKEW_SECONDS);
        assert!(v.valid, "{:?}", v.problems);
        assert_eq!(v.action.as_deref(), Some("GetBizUsage"));
        assert_eq!(v.app_id, Some(12345));
        assert_eq!(
            v.params[0],
            Pair {
                name: "Action".into(),
                value: "GetBizUsage".into()
            }
        );
        assert_eq!(v.params.len(), 11);
    }

    #[test]
    fn wrong_secret_and_stale_time_are_both_reported() {
        let v = verify_signed_url(&good(), "0".repeat(32).as_str(), NOW + 700, 600);
        let got: Vec<&str> = v.problems.iter().map(|p| p.param.as_str()).collect();
        assert_eq!(got, ["Timestamp", "Signature"]);
        assert!(
            v.problems[0].message.starts_with("is 700 s in the past"),
            "{:?}",
            v.problems
        );
        let future = problems(&good(), NOW - 601);
        assert!(
            future[0].1.starts_with("is 601 s in the future"),
            "{future:?}"
        );
    }

    #[test]
    fn missing_and_malformed_common_parameters() {
        let u = good().replace("&SignatureNonce=4fd24687296dd9f3", "");
        assert_eq!(params_of(&u), ["SignatureNonce"]);
        let u = good().replace("Timestamp=1615186943", "Timestamp=1615186943000");
        let p = problems(&u, NOW);
        assert_eq!(p[0].0, "Timestamp");
        assert!(p[0].1.contains("milliseconds"));
        let u = good().replace("SignatureVersion=2.0", "SignatureVersion=1.0");
        assert_eq!(params_of(&u), ["SignatureVersion"]);
        let u = good().replace("AppId=12345", "AppId=abc");
        assert_eq!(params_of(&u), ["AppId"]);
        let u = good().replace("Action=GetBizUsage", "Action=GetBizUsages");
        assert_eq!(params_of(&u), ["Action"]);
        let u = good().replace("IsTest=false", "IsTest=yes");
        assert_eq!(params_of(&u), ["IsTest"]);
        let u = good().replace("Signature=43e5", "Signature=43E5");
        assert_eq!(params_of(&u), ["Signature"]);
        assert_eq!(params_of("https://analytics-api.zego.im/")[0], "url");
    }

    #[test]
    fn business_problems_are_all_listed() {
        let u = good()
            .replace("StartDate=20250110", "StartDate=2025-01-10")
            .replace("EndDate=20250112", "EndDate=20250230")
            .replace("Metrics[]=play_count", "Metrics[]=fft");
        assert_eq!(params_of(&u), ["StartDate", "EndDate", "Metrics[]"]);
        let u = good().replace("&Metrics[]=publish_count&Metrics[]=play_count", "");
        assert_eq!(params_of(&u), ["Metrics[]"]);
        let u = good().replace("Metrics[]", "Metrics");
        assert!(problems(&u, NOW)[0].1.contains("is not Metrics[]"));
        // What the service does not know it ignores; what it knows, encoded twice, it
        // does not recognise.
        let u = good() + "&Foo=bar&utm_source=x";
        assert!(problems(&u, NOW).is_empty(), "{:?}", problems(&u, NOW));
        let u = good().replace("Metrics[]", "Metrics%255B%255D");
        assert_eq!(params_of(&u), ["Metrics[]"]);
        let u = good().replace("StartDate=20250110", "StartDate=20250113");
        assert_eq!(params_of(&u), ["EndDate"]);
    }

    #[test]
    fn millisecond_parameters_and_enums() {
        let options = json!({"appId": 12345, "serverSecret": SECRET});
        let client = Client::new(Config::from_options(options.as_object().unwrap()).unwrap());
        let good = client
            .signed_url(
                Action::StreamBaseInfo,
                &json!({"roomId": "r 1", "userId": "u", "streamId": "s", "streamType": "play",
                        "startTs": 1736467200000u64, "endTs": 0}),
                "n",
                NOW,
            )
            .unwrap();
        assert!(verify_signed_url(&good, SECRET, NOW, 600).valid);
        let u = good
            .replace("StartTs=1736467200000", "StartTs=1736467200")
            .replace("play", "push");
        let p = problems(&u, NOW);
        // The signature covers only the common parameters, so it still holds.
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].0, "StartTs");
        assert!(p[0].1.contains("looks like Unix seconds"));
        assert_eq!(p[1].0, "StreamType");
    }

    #[test]
    fn numbers_with_leading_zeros_are_flagged() {
        let u = good().replace("AppId=12345", "AppId=012345");
        assert_eq!(params_of(&u), ["AppId"]);
        let u = good().replace("Timestamp=1615186943", "Timestamp=01615186943");
        assert_eq!(params_of(&u)[0], "Timestamp");
    }

    #[test]
    fn unencoded_characters_are_flagged() {
        let u = good().replace(
            "SignatureNonce=4fd24687296dd9f3",
            "SignatureNonce=4fd2+4687",
        );
        let p = problems(&u, NOW);
        assert_eq!(p[0].0, "SignatureNonce");
        assert!(p[0].1.contains("%2B") && p[0].1.contains("space"), "{p:?}");
        let u = good().replace("SignatureNonce=4fd24687296dd9f3", "SignatureNonce=%ZZ");
        assert!(problems(&u, NOW)[0].1.contains("two hex digits"));
    }
}
