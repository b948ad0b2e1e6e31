//! Client options: the AppId, the secret, and where requests go.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::Error;

/// The host that serves every region.
pub const DEFAULT_HOST: &str = "analytics-api.zego.im";

/// The regional hosts, by the key callers pass as `region`.
pub const REGIONS: &[(&str, &str)] = &[
    ("sha", "analytics-api-sha.zego.im"),
    ("hkg", "analytics-api-hkg.zego.im"),
    ("fra", "analytics-api-fra.zego.im"),
    ("lax", "analytics-api-lax.zego.im"),
    ("bom", "analytics-api-bom.zego.im"),
    ("sgp", "analytics-api-sgp.zego.im"),
];

/// The option names [`Config::from_options`] understands. `fetch` is a function and is
/// taken by the JavaScript layer before the rest reaches this module.
pub const OPTION_NAMES: &[&str] = &[
    "appId",
    "serverSecret",
    "region",
    "endpoint",
    "isTest",
    "timeoutMs",
    "maxRetries",
    "maxRetryDelayMs",
    "retryBaseDelayMs",
    "rateLimit",
    "clockOffsetMs",
    "maxBodyBytes",
    "fetch",
];

/// The ServerSecret. It can be hashed but never printed: `Debug` shows a placeholder
/// and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret after checking it is usable.
    pub fn new(secret: String) -> Result<Secret, Error> {
        if secret.is_empty() {
            return Err(Error::config(
                "serverSecret is empty; copy the ServerSecret from the ZEGO console",
            ));
        }
        if secret.trim() != secret {
            return Err(Error::config(
                "serverSecret has leading or trailing whitespace; remove it \
                 (a stray newline from a file or an environment variable is the usual cause)",
            ));
        }
        Ok(Secret(secret))
    }

    /// The secret itself, for hashing only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Everything a client needs to sign and address requests.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project's AppId.
    pub app_id: u32,
    /// The project's ServerSecret.
    pub secret: Secret,
    /// Where requests go: an origin with a trailing `/`, such as
    /// `https://analytics-api.zego.im/`.
    pub base_url: String,
    /// `IsTest`, sent only when the caller chose it.
    pub is_test: Option<bool>,
    /// How calls are timed, retried and spaced.
    pub policy: Policy,
}

/// How calls are timed, retried and spaced; every field has a documented default.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The longest one attempt may take, body included (`timeoutMs`, default 10 s).
    pub timeout_ms: u64,
    /// How many times a failed call is sent again (`maxRetries`, default 2).
    pub max_retries: u32,
    /// The longest single wait before a retry or in the queue (`maxRetryDelayMs`, 30 s).
    pub max_retry_delay_ms: u64,
    /// The first backoff step; it doubles each retry (`retryBaseDelayMs`, 500 ms).
    pub retry_base_delay_ms: u64,
    /// Whether the client spaces its own calls under the service's limits
    /// (`rateLimit: "auto"`, the default) or not (`"off"`).
    pub rate_limit: bool,
    /// Added to the local clock when signing (`clockOffsetMs`, default 0).
    pub clock_offset_ms: i64,
    /// The largest body read (`maxBodyBytes`, default 32 MiB).
    pub max_body_bytes: u64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            timeout_ms: 10_000,
            max_retries: 2,
            max_retry_delay_ms: 30_000,
            retry_base_delay_ms: 500,
            rate_limit: true,
            clock_offset_ms: 0,
            max_body_bytes: 32 << 20,
        }
    }
}

impl Config {
    /// Reads and checks the options object callers pass to the client.
    pub fn from_options(options: &Map<String, Value>) -> Result<Config, Error> {
        if let Some(key) = options.keys().find(|k| !OPTION_NAMES.contains(&k.as_str())) {
            return Err(Error::config(format!(
                "unknown option {key:?}; the options are {}",
                OPTION_NAMES.join(", ")
            )));
        }
        let get = |key: &str| options.get(key).filter(|v| !v.is_null());

        let app_id = match get("appId") {
            None => {
                return Err(Error::config(
                    "appId is required: the AppId from the console",
                ))
            }
            Some(v) => app_id(v)?,
        };
        let secret = match get("serverSecret") {
            Some(Value::String(s)) => Secret::new(s.clone())?,
            Some(_) => return Err(Error::config("serverSecret must be a string")),
            None => {
                return Err(Error::config(
                    "serverSecret is required: the ServerSecret from the console",
                ))
            }
        };
        let region = match get("region") {
            None => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return Err(Error::config("region must be a string")),
        };
        // The region is checked even when an endpoint overrides it: a typo there is still
        // a mistake the caller wants to hear about.
        let host = region_host(region)?;
        let base_url = match get("endpoint") {
            Some(Value::String(e)) => endpoint(e)?,
            Some(_) => return Err(Error::config("endpoint must be a string URL")),
            None => format!("https://{host}/"),
        };
        let is_test = match get("isTest") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(Error::config("isTest must be true or false")),
        };
        let policy = policy(&get)?;
        Ok(Config {
            app_id,
            secret,
            base_url,
            is_test,
            policy,
        })
    }
}

/// A JSON number that is a whole number, as every integer from JavaScript arrives (as a
/// float); `None` for fractions, non-numbers and magnitudes past 2^53.
pub(crate) fn whole(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
            .map(|f| f as i64)
    })
}

/// The longest wait a JavaScript timer takes (2^31 - 1 ms, about 24.8 days).
const MAX_TIMER_MS: u64 = (1 << 31) - 1;

fn policy<'a>(get: &dyn Fn(&str) -> Option<&'a Value>) -> Result<Policy, Error> {
    let mut p = Policy::default();
    let whole = |key: &str, min: i64, max: i64| -> Result<Option<i64>, Error> {
        let Some(v) = get(key) else { return Ok(None) };
        match whole(v) {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(Error::config(format!(
                "{key} must be a whole number from {min} to {max}, not {}",
                shown(v)
            ))),
        }
    };
    let timer = MAX_TIMER_MS as i64;
    if let Some(n) = whole("timeoutMs", 1, timer)? {
        p.timeout_ms = n as u64;
    }
    if let Some(n) = whole("maxRetries", 0, 10)? {
        p.max_retries = n as u32;
    }
    if let Some(n) = whole("maxRetryDelayMs", 0, timer)? {
        p.max_retry_delay_ms = n as u64;
    }
    if let Some(n) = whole("retryBaseDelayMs", 0, timer)? {
        p.retry_base_delay_ms = n as u64;
    }
    if let Some(n) = whole("clockOffsetMs", -(1 << 40), 1 << 40)? {
        p.clock_offset_ms = n;
    }
    if let Some(n) = whole("maxBodyBytes", 1, 1 << 31)? {
        p.max_body_bytes = n as u64;
    }
    match get("rateLimit") {
        None => {}
        Some(Value::String(s)) if s == "auto" => p.rate_limit = true,
        Some(Value::String(s)) if s == "off" => p.rate_limit = false,
        Some(v) => {
            return Err(Error::config(format!(
                "rateLimit must be \"auto\" or \"off\", not {}",
                shown(v)
            )))
        }
    }
    Ok(p)
}

fn app_id(v: &Value) -> Result<u32, Error> {
    let n = v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e10)
            .map(|f| f as u64)
    });
    match n.and_then(|n| u32::try_from(n).ok()) {
        Some(id) if id > 0 => Ok(id),
        _ => Err(Error::config(format!(
            "appId must be a whole number from 1 to 4294967295, not {}; \
             use the AppId from the console",
            shown(v)
        ))),
    }
}

/// A value for an error message. Long strings are described, not quoted: a secret pasted
/// into the wrong option must not be printed back.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) if s.chars().count() <= 12 => format!("{s:?}"),
        Value::String(s) => format!("a string of {} characters", s.chars().count()),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => other.to_string(),
    }
}

fn region_host(region: Option<&str>) -> Result<&'static str, Error> {
    let Some(key) = region else {
        return Ok(DEFAULT_HOST);
    };
    REGIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, host)| *host)
        .ok_or_else(|| {
            let keys: Vec<&str> = REGIONS.iter().map(|(k, _)| *k).collect();
            Error::config(format!(
                "unknown region {}; use one of {} or leave it out for the unified host",
                shown(&Value::from(key)),
                keys.join(", ")
            ))
        })
}

/// Checks an `endpoint` option and returns it as `scheme://authority/`.
pub fn endpoint(url: &str) -> Result<String, Error> {
    let shown = endpoint_shown(url);
    let bad = |why: &str| Error::config(format!("endpoint {shown} {why}"));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("is not an absolute URL like https://host"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(bad("must use https (or http for a loopback host)"));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if !(tail.is_empty() || tail == "/") {
        return Err(bad(
            "must be an origin only, without a path, query or fragment",
        ));
    }
    if authority.contains('@') {
        return Err(bad("must not contain credentials"));
    }

    let (host, port) = split_host_port(authority).ok_or_else(|| bad("has no valid host"))?;
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 {
            return Err(bad("has an invalid port"));
        }
        if port.parse::<u32>().map_or(true, |p| p == 0 || p > 65535) {
            return Err(bad("has an invalid port"));
        }
    }
    let valid_host = if host.starts_with('[') {
        host.len() > 2
            && host[1..host.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':')
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    if !valid_host {
        return Err(bad("has no valid host"));
    }
    if scheme == "http" && !is_loopback(host) {
        return Err(bad(
            "uses plain http to a host that is not loopback; use https so the signed \
             request cannot be read or changed on the way",
        ));
    }
    Ok(format!("{scheme}://{}/", authority.to_ascii_lowercase()))
}

/// An endpoint for an error message: its scheme and host only, any `user:password@`
/// masked, and the rest (a path or query, where a pasted secret could sit) elided. What
/// is not a URL at all is described, as [`shown`] does.
fn endpoint_shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://").filter(|(s, _)| s.len() <= 8) else {
        return shown(&Value::from(url));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    let elided = if rest.len() > end + 1 || (end < rest.len() && &rest[end..] != "/") {
        "..."
    } else {
        ""
    };
    format!("{:?}", format!("{scheme}://{authority}{elided}"))
}

fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if rest.is_empty() => Some((host, None)),
            None => None,
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => Some((host, Some(port))),
            None => Some((authority, None)),
        }
    }
}

/// Whether `host` names this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
pub fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") || host == "[::1]" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(v: Value) -> Result<Config, Error> {
        Config::from_options(v.as_object().unwrap())
    }

    fn config_error(v: Value) -> String {
        match config(v) {
            Err(Error::Config { message }) => message,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    const SECRET: &str = "9193cc662a4c0ec135ec71fb57194b38";

    #[test]
    fn defaults_to_the_unified_host() {
        let c = config(json!({"appId": 12345, "serverSecret": SECRET})).unwrap();
        assert_eq!(c.base_url, "https://analytics-api.zego.im/");
        assert_eq!(c.is_test, None);
        let c = config(
            json!({"appId": 12345.0, "serverSecret": SECRET, "region": "fra",
                              "isTest": false}),
        )
        .unwrap();
        assert_eq!(c.base_url, "https://analytics-api-fra.zego.im/");
        assert_eq!(c.is_test, Some(false));
    }

    #[test]
    fn app_id_range() {
        assert!(config(json!({"appId": 4294967295u64, "serverSecret": SECRET})).is_ok());
        for bad in [
            json!(0),
            json!(4294967296u64),
            json!(-1),
            json!(1.5),
            json!("12345"),
        ] {
            let msg = config_error(json!({"appId": bad, "serverSecret": SECRET}));
            assert!(msg.starts_with("appId must be a whole number"), "{msg}");
        }
        config_error(json!({"serverSecret": SECRET}));
    }

    #[test]
    fn secret_must_be_clean_and_never_printed() {
        assert!(config_error(json!({"appId": 1, "serverSecret": ""})).contains("empty"));
        let msg = config_error(json!({"appId": 1, "serverSecret": format!("{SECRET}\n")}));
        assert!(msg.contains("whitespace") && !msg.contains(SECRET), "{msg}");
        let c = config(json!({"appId": 1, "serverSecret": SECRET})).unwrap();
        assert!(!format!("{c:?}").contains(SECRET));
        assert!(!format!("{c:#?}").contains(SECRET));
    }

    #[test]
    fn policy_defaults_and_checks() {
        let c = config(json!({"appId": 1, "serverSecret": SECRET})).unwrap();
        assert_eq!(c.policy, Policy::default());
        let c = config(json!({"appId": 1, "serverSecret": SECRET, "timeoutMs": 250,
                              "maxRetries": 0, "rateLimit": "off", "clockOffsetMs": -1500}))
        .unwrap();
        assert_eq!((c.policy.timeout_ms, c.policy.max_retries), (250, 0));
        assert_eq!(
            (c.policy.rate_limit, c.policy.clock_offset_ms),
            (false, -1500)
        );
        for (key, bad) in [
            ("timeoutMs", json!(0)),
            ("timeoutMs", json!(1.5)),
            ("maxRetries", json!(11)),
            ("maxRetryDelayMs", json!(-1)),
            ("rateLimit", json!("on")),
            ("maxBodyBytes", json!("1")),
        ] {
            let msg = config_error(json!({"appId": 1, "serverSecret": SECRET, key: bad}));
            assert!(msg.starts_with(key), "{msg}");
        }
    }

    #[test]
    fn option_errors_do_not_repeat_a_misplaced_secret() {
        for key in ["appId", "region", "rateLimit", "timeoutMs"] {
            let msg = config_error(json!({"appId": 1, "serverSecret": SECRET, key: SECRET}));
            assert!(
                !msg.contains(SECRET) && msg.contains("a string of 32 characters"),
                "{msg}"
            );
        }
    }

    #[test]
    fn unknown_region_and_options() {
        assert!(
            config_error(json!({"appId": 1, "serverSecret": SECRET, "region": "us"}))
                .contains("unknown region \"us\"")
        );
        assert!(
            config_error(json!({"appId": 1, "serverSecret": SECRET, "secret": "x"}))
                .contains("unknown option \"secret\"")
        );
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            endpoint("HTTP://LocalHost:1/").unwrap(),
            "http://localhost:1/"
        );
        assert_eq!(endpoint("http://[::1]:9").unwrap(), "http://[::1]:9/");
        assert_eq!(
            endpoint("https://proxy.example.com").unwrap(),
            "https://proxy.example.com/"
        );
        for bad in [
            "http://example.com",
            "http://127.0.0.1.example.com",
            "http://10.0.0.1:80",
            "https://user:pw@example.com",
            "https://example.com/path",
            "https://example.com/?x=1",
            "ftp://example.com",
            "example.com",
            "https://",
            "http://127.0.0.1:0",
            "http://127.0.0.1:99999",
            "https://exa mple.com",
        ] {
            assert!(endpoint(bad).is_err(), "{bad} was accepted");
        }
        let Err(Error::Config { message }) = endpoint("https://1:s3cr3t@example.com/") else {
            panic!("credentials were accepted")
        };
        assert_eq!(
            message,
            "endpoint \"https://***@example.com\" must not contain credentials"
        );
        for (url, shown) in [
            (SECRET, "a string of 32 characters"),
            ("http://127.0.0.1:9/?k=s3cr3t", "\"http://127.0.0.1:9...\""),
            ("ftp://h", "\"ftp://h\""),
        ] {
            let Err(Error::Config { message }) = endpoint(url) else {
                panic!("{url} was accepted")
            };
            assert!(
                message.starts_with(&format!("endpoint {shown} ")),
                "{message}"
            );
            assert!(
                !message.contains("s3cr3t") && !message.contains(SECRET),
                "{message}"
            );
        }
    }
}
