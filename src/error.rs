//! The one error type of the crate.
//!
//! Every failure a caller can see is an [`Error`]. Its [`Kind`] is stable and
//! is what the JavaScript side exposes as `error.kind`; the message is written
//! for a person and says what to do next. No variant ever holds the server
//! secret: the secret lives only in [`crate::config::Secret`], which has no
//! way to print itself.

use std::fmt;

/// The longest part of a response body that an [`Error::Http`] keeps.
pub const EXCERPT_CHARS: usize = 200;

/// What went wrong, as a short stable word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// The client options are unusable.
    Config,
    /// The request parameters are wrong; nothing was sent.
    Validation,
    /// The service answered with a `Code` other than 0.
    Api,
    /// The service (or something in front of it) answered with a non-2xx status.
    Http,
    /// The request could not be sent or the answer not received.
    Network,
    /// The answer is not the JSON the service documents.
    Parse,
    /// An attempt took longer than the client's `timeoutMs`.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
}

impl Kind {
    /// The word used for this kind in JavaScript (`error.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::Validation => "validation",
            Kind::Api => "api",
            Kind::Http => "http",
            Kind::Network => "network",
            Kind::Parse => "parse",
            Kind::Timeout => "timeout",
            Kind::Aborted => "aborted",
        }
    }
}

/// A failure of the client, with everything a caller needs to decide what to do.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Bad client options, such as an AppId of 0 or an `http:` endpoint on a public host.
    Config {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A request parameter is missing or wrong; the request was not sent.
    Validation {
        /// The parameter concerned, as the caller spelled it (`startDate`, `metrics`, ...).
        param: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The service rejected the call with a non-zero `Code`.
    Api {
        /// The service's return code.
        code: i64,
        /// The service's own `Message`.
        message: String,
        /// The service's `RequestId`, exact digits, when it sent one.
        request_id: Option<String>,
    },
    /// The answer had a non-2xx HTTP status.
    Http {
        /// The HTTP status code.
        status: u16,
        /// The first [`EXCERPT_CHARS`] characters of the body.
        excerpt: String,
        /// The `Code` of the body, when the body was the service's JSON.
        code: Option<i64>,
        /// The `RequestId` of the body, when the body was the service's JSON.
        request_id: Option<String>,
    },
    /// `fetch` failed: DNS, refused connection, TLS, CORS, or an aborted stream.
    Network {
        /// What the runtime reported.
        message: String,
    },
    /// The body is not the documented JSON.
    Parse {
        /// Where the body stopped making sense.
        message: String,
    },
    /// No complete answer came within the time allowed for one attempt.
    Timeout {
        /// The time allowed, in milliseconds.
        ms: u64,
    },
    /// The caller cancelled the call.
    Aborted,
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    pub(crate) fn validation(param: &str, message: impl Into<String>) -> Self {
        Error::Validation {
            param: param.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn parse(message: impl Into<String>) -> Self {
        Error::Parse {
            message: message.into(),
        }
    }

    /// The stable kind of this error.
    pub fn kind(&self) -> Kind {
        match self {
            Error::Config { .. } => Kind::Config,
            Error::Validation { .. } => Kind::Validation,
            Error::Api { .. } => Kind::Api,
            Error::Http { .. } => Kind::Http,
            Error::Network { .. } => Kind::Network,
            Error::Parse { .. } => Kind::Parse,
            Error::Timeout { .. } => Kind::Timeout,
            Error::Aborted => Kind::Aborted,
        }
    }

    /// The service's return code, for API errors and for HTTP errors whose body carried one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            Error::Http { code, .. } => *code,
            _ => None,
        }
    }

    /// The service's request id, when the answer carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::Http { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the same call may succeed if sent again later (freshly signed).
    ///
    /// True for the service's own transient codes (500 internal error, 30002 rate limit,
    /// 100000015 gateway internal error), for 5xx and 429 statuses, for network failures
    /// and for timeouts.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Api { code, .. } => is_retryable_code(*code),
            Error::Http { status, .. } => *status >= 500 || *status == 429,
            Error::Network { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }
}

/// Return codes after which the same request, signed afresh, may succeed.
pub fn is_retryable_code(code: i64) -> bool {
    matches!(code, 500 | 30002 | 100000015)
}

/// What a return code means and what to do about it, for error messages.
pub fn code_hint(code: i64) -> &'static str {
    match code {
        500 => "server-side error; retry later with backoff",
        10001 => "a parameter has the wrong format; check the request parameters",
        10002 => "a parameter is wrong or outside the allowed range",
        30002 => "the action's rate limit or daily quota is spent; wait before calling again",
        100000000 => "wrong Host header",
        100000001 => "AppId format error; use the numeric AppId from the console",
        100000002 => "Timestamp missing",
        100000003 => "Timestamp format error; it must be Unix seconds",
        100000004 => "signature expired; this machine's clock is over 10 minutes off, sync it",
        100000005 => "signature wrong; check the ServerSecret belongs to this AppId",
        100000006 => "Action missing",
        100000007 => "Action not supported",
        100000008 => "SignatureNonce missing",
        100000009 => "Signature missing",
        100000010 => "the service has no ServerSecret for this AppId; check the AppId",
        100000011 => "the service could not load the app's configuration; check the AppId",
        100000012 => "the service could not read the request body",
        100000013 => "SignatureVersion missing",
        100000014 => "SignatureVersion not supported",
        100000015 => "gateway internal error; retry later with backoff",
        100000016 => "no production environment for this app; set isTest: true",
        100000017 => "the Analytics Dashboard service is not enabled for this app",
        _ => "see the return codes in the service documentation",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config { message } => write!(f, "config: {message}"),
            Error::Validation { param, message } => write!(f, "validation: {param}: {message}"),
            Error::Api {
                code,
                message,
                request_id,
            } => {
                write!(f, "api: code {code}: {message} ({})", code_hint(*code))?;
                if let Some(id) = request_id {
                    write!(f, "; request id {id}")?;
                }
                Ok(())
            }
            Error::Http {
                status,
                excerpt,
                request_id,
                ..
            } => {
                write!(f, "http: status {status}")?;
                if *status >= 500 || *status == 429 {
                    write!(f, " (transient; retry later)")?;
                }
                if let Some(id) = request_id {
                    write!(f, "; request id {id}")?;
                }
                if !excerpt.is_empty() {
                    write!(f, "; body starts: {excerpt}")?;
                }
                Ok(())
            }
            Error::Network { message } => {
                write!(
                    f,
                    "network: {message}; check the endpoint and the connection"
                )
            }
            Error::Parse { message } => write!(f, "parse: {message}"),
            Error::Timeout { ms } => write!(
                f,
                "timeout: no complete answer within {ms} ms; raise timeoutMs or retry later"
            ),
            Error::Aborted => write!(f, "aborted: the call was cancelled by its AbortSignal"),
        }
    }
}

impl std::error::Error for Error {}

/// The first `max` characters of `s`, never splitting a character.
pub(crate) fn excerpt(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => s[..at].to_owned(),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_follows_the_documented_codes() {
        let api = |code| Error::Api {
            code,
            message: String::new(),
            request_id: None,
        };
        assert!(api(500).retryable());
        assert!(api(30002).retryable());
        assert!(api(100000015).retryable());
        assert!(!api(10001).retryable());
        assert!(!api(100000005).retryable());
        let http = |status| Error::Http {
            status,
            excerpt: String::new(),
            code: None,
            request_id: None,
        };
        assert!(http(502).retryable());
        assert!(!http(404).retryable());
        assert!(Error::Network {
            message: "x".into()
        }
        .retryable());
        assert!(!Error::parse("x").retryable());
    }

    #[test]
    fn excerpt_keeps_whole_characters() {
        assert_eq!(excerpt("中国abc", 2), "中国");
        assert_eq!(excerpt("ab", 5), "ab");
    }

    #[test]
    fn api_display_names_code_and_request_id() {
        let e = Error::Api {
            code: 100000005,
            message: "signature error".into(),
            request_id: Some("1659512998878671000".into()),
        };
        assert_eq!(
            e.to_string(),
            "api: code 100000005: signature error (signature wrong; check the ServerSecret \
             belongs to this AppId); request id 1659512998878671000"
        );
    }
}
