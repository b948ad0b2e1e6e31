//! Property tests over everything that reads untrusted input: answers from the
//! network, parameters from callers, URLs pasted into the checker.
//!
//! `cargo test` runs a short pass; `make fuzz` runs many more cases
//! (`PROPTEST_CASES`). In wasm a panic aborts the instance and every later call
//! fails, so "never panics" is the first property of each.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use zego_analytics::actions::{business_query, parse_date};
use zego_analytics::config::endpoint;
use zego_analytics::query::redact_url;
use zego_analytics::response::{parse, read, DailyPoint, Output, PointValue};
use zego_analytics::{verify_signed_url, Action, Client, Config, Error, Kind};

const SECRET: &str = "9193cc662a4c0ec135ec71fb57194b38";

fn client() -> Client {
    let options = json!({"appId": 12345, "serverSecret": SECRET});
    Client::new(Config::from_options(options.as_object().unwrap()).unwrap())
}

fn action() -> impl Strategy<Value = Action> {
    prop::sample::select(Action::ALL.to_vec())
}

/// Text with the characters that break naive parsers and encoders.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                '%', '+', '&', '=', '?', '#', ' ', '中', '"', '\\', '-'
            ]),
            prop::char::range('0', '9'),
        ],
        0..24,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// Any JSON, nested a few levels, with the service's own keys likely.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "Code",
            "Message",
            "RequestId",
            "Data",
            "Metrics",
            "Metric",
            "Values",
            "Value",
            "Date",
            "Timestamp",
            "List",
            "QualityInfo",
            "Region",
            "P2pDelayDetail",
            "Total",
        ])
        .prop_map(str::to_owned),
        text(),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Parameter objects close to valid ones, with every field sometimes wrong.
fn params() -> impl Strategy<Value = Value> {
    let date = prop_oneof![
        (1990u32..2100, 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}")),
        (1990u32..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        text(),
    ];
    let ms = prop_oneof![
        (1_000_000_000_000u64..9_999_999_999_999).prop_map(Value::from),
        Just(Value::from(0)),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    let metrics = prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "publish_count",
                "play_count",
                "fft",
                "uplink_rtt",
                "mos",
                "online_user",
                "video_bitrate",
                "decode_resolution",
                "encode_resolution",
            ])
            .prop_map(str::to_owned),
            text(),
        ],
        0..5,
    );
    let word = prop_oneof![
        prop::sample::select(vec!["all", "native", "web", "publish", "play", ""])
            .prop_map(str::to_owned),
        text(),
    ];
    (
        date.clone(),
        date,
        ms.clone(),
        ms,
        metrics,
        (text(), text(), text()),
        (word.clone(), word),
        any::<u16>(),
    )
        .prop_map(
            |(sd, ed, st, et, m, (room, user, stream), (w1, w2), mask)| {
                let mut p = Map::new();
                let mut put = |bit: u16, key: &str, v: Value| {
                    if mask & (1 << bit) != 0 {
                        p.insert(key.to_owned(), v);
                    }
                };
                put(0, "startDate", sd.into());
                put(1, "endDate", ed.into());
                put(2, "startTs", st);
                put(3, "endTs", et);
                put(4, "metrics", m.into());
                put(5, "roomId", room.into());
                put(6, "userId", user.into());
                put(7, "streamId", stream.into());
                put(8, "platform", w1.clone().into());
                put(9, "streamType", w2.into());
                put(10, "region", w1.into());
                Value::Object(p)
            },
        )
}

/// A `RequestId` as the JSON text of a number or of a string.
fn request_id() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        text().prop_map(|t| Value::from(t).to_string()),
    ]
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES overrides this; `make fuzz` sets it high.
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_body_gives_an_answer_or_a_typed_error(a in action(), status in 100u16..600,
                                                 body in prop_oneof![text(), json_value()
                                                     .prop_map(|v| v.to_string())]) {
        match read(a, status, &body) {
            Ok(_) => prop_assert!((200..300).contains(&status)),
            Err(e) => prop_assert!(matches!(e.kind(), Kind::Parse | Kind::Api | Kind::Http)),
        }
    }

    #[test]
    fn envelopes_with_any_data_never_panic(a in action(), data in json_value(),
                                           id in request_id()) {
        let body = format!(r#"{{"Code":0,"Message":"success","RequestId":{id},"Data":{data}}}"#);
        let _ = parse(a, &body);
    }

    #[test]
    fn daily_answers_round_trip_exactly(id in "[1-9][0-9]{18,30}",
        series in prop::collection::vec(("[a-z_]{1,12}",
            prop::collection::vec(("[0-9]{8}", -1e15f64..1e15), 0..8)), 0..5)) {
        let metrics: Vec<Value> = series.iter().map(|(m, vals)| json!({
            "Metric": m,
            "Values": vals.iter().map(|(d, v)| json!({"Date": d, "Value": v})).collect::<Vec<_>>(),
        })).collect();
        let data = json!({"Metrics": metrics});
        let body = format!(r#"{{"Code":0,"RequestId":{id},"Data":{data}}}"#);
        let Ok(Output::Daily(out)) = parse(Action::BizUsage, &body) else {
            return Err(TestCaseError::fail(format!("not parsed: {body}")));
        };
        prop_assert_eq!(&out.request_id, &id);
        prop_assert_eq!(out.metrics.len(), series.len());
        for (got, (m, vals)) in out.metrics.iter().zip(&series) {
            prop_assert_eq!(&got.metric, m);
            let want: Vec<DailyPoint> = vals.iter()
                .map(|(d, v)| DailyPoint { date: d.clone(), value: Some(*v) }).collect();
            prop_assert_eq!(&got.values, &want);
        }
    }

    #[test]
    fn quality_values_keep_numbers_and_text(ts in 0u64..(1 << 53), n in -1e9f64..1e9, s in text()) {
        let body = json!({"Code": 0, "RequestId": "r", "Data": {"Metrics": [
            {"Metric": "m", "Values": [{"Timestamp": ts, "Value": n},
                                       {"Timestamp": ts, "Value": s}]}
        ]}}).to_string();
        let Ok(Output::Timed(out)) = parse(Action::PlayQualityDetail, &body) else {
            return Err(TestCaseError::fail(body));
        };
        prop_assert_eq!(out.metrics[0].values[0].timestamp, ts);
        prop_assert_eq!(&out.metrics[0].values[0].value, &PointValue::Number(n));
        prop_assert_eq!(&out.metrics[0].values[1].value, &PointValue::Text(s));
    }

    #[test]
    fn built_urls_are_clean_and_verify(a in action(), p in params(), nonce in text(),
                                       ts in 1i64..4_000_000_000) {
        match client().signed_url(a, &p, &nonce, ts) {
            Ok(url) => {
                let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
                prop_assert!(query.chars().all(|c| c.is_ascii_alphanumeric()
                    || "-._~%&=[]".contains(c)), "unencoded character in {}", url);
                let verdict = verify_signed_url(&url, SECRET, ts, 600);
                prop_assert!(verdict.valid, "{:?} for {}", verdict.problems, url);
                prop_assert_eq!(verdict.params[2].value.as_str(), nonce.as_str());
            }
            Err(e) => prop_assert!(matches!(e, Error::Validation { .. }), "{e:?}"),
        }
    }

    #[test]
    fn params_of_any_shape_never_panic(a in action(), p in json_value()) {
        if let Err(e) = business_query(a, &p) {
            prop_assert_eq!(e.kind(), Kind::Validation);
        }
    }

    #[test]
    fn pasted_urls_never_panic(url in text(), extra in text(), now in any::<i64>(),
                               skew in any::<i64>()) {
        let _ = verify_signed_url(&url, SECRET, now, skew);
        let _ = verify_signed_url(&format!("https://h/?{url}&{extra}"), &extra, now, skew);
        let _ = redact_url(&url);
        let _ = endpoint(&url);
        let _ = parse_date(&url);
    }
}
