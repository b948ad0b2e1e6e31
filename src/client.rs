//! The request side of a client: signed URLs from checked parameters.
//!
//! Nothing here touches the network or the clock; the transport (see `wasm`)
//! supplies the time, sends the URL and hands the answer to [`crate::response`].

use serde_json::Value;

use crate::actions::{business_query, Action};
use crate::config::Config;
use crate::error::Error;
use crate::query::{encode_into, Query};
use crate::sign::{signature, SIGNATURE_VERSION};

/// A configured client: one AppId, its secret, one endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    config: Config,
}

impl Client {
    /// A client for `config`.
    pub fn new(config: Config) -> Client {
        Client { config }
    }

    /// The client's options, secret included (its `Debug` is redacted).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The signed URL of one request: `Action`, the common parameters, then the
    /// business parameters, all checked first.
    pub fn signed_url(
        &self,
        action: Action,
        params: &Value,
        nonce: &str,
        timestamp: i64,
    ) -> Result<String, Error> {
        let business = business_query(action, params)?;
        if nonce.is_empty() {
            return Err(Error::validation(
                "nonce",
                "the signature nonce must not be empty",
            ));
        }
        if timestamp >= 100_000_000_000 {
            return Err(Error::validation(
                "timestamp",
                "the signing timestamp looks like milliseconds; it must be Unix seconds",
            ));
        }
        if timestamp <= 0 {
            return Err(Error::validation(
                "timestamp",
                "the signing timestamp must be positive Unix seconds",
            ));
        }

        let c = &self.config;
        let mut common = Query::new();
        common.push("AppId", c.app_id.to_string());
        common.push("SignatureNonce", nonce);
        common.push("Timestamp", timestamp.to_string());
        common.push("SignatureVersion", SIGNATURE_VERSION);
        common.push(
            "Signature",
            signature(c.app_id, nonce, c.secret.expose(), timestamp),
        );
        if let Some(is_test) = c.is_test {
            common.push("IsTest", if is_test { "true" } else { "false" });
        }

        let mut url = String::with_capacity(c.base_url.len() + 160);
        url.push_str(&c.base_url);
        url.push_str("?Action=");
        encode_into(&mut url, action.name());
        common.write_to(&mut url);
        business.write_to(&mut url);
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn client(extra: Value) -> Client {
        let mut options =
            json!({"appId": 12345, "serverSecret": "9193cc662a4c0ec135ec71fb57194b38"});
        for (k, v) in extra.as_object().unwrap() {
            options[k] = v.clone();
        }
        Client::new(Config::from_options(options.as_object().unwrap()).unwrap())
    }

    #[test]
    fn exact_biz_usage_url() {
        let url = client(json!({}))
            .signed_url(
                Action::BizUsage,
                &json!({"startDate": "20250110", "endDate": "2025-01-12",
                        "metrics": ["publish_count", "play_count"]}),
                "4fd24687296dd9f3",
                1615186943,
            )
            .unwrap();
        assert_eq!(
            url,
            "https://analytics-api.zego.im/?Action=GetBizUsage&AppId=12345\
             &SignatureNonce=4fd24687296dd9f3&Timestamp=1615186943&SignatureVersion=2.0\
             &Signature=43e5cfcca828314675f91b001390566a\
             &StartDate=20250110&EndDate=20250112&Metrics[]=publish_count&Metrics[]=play_count"
        );
    }

    #[test]
    fn is_test_region_and_encoded_values() {
        let url = client(json!({"isTest": true, "region": "sgp"}))
            .signed_url(
                Action::RegionQualityDetail,
                &json!({"startTs": 1736467200000u64, "endTs": 0, "region": "中国"}),
                "n n+",
                1615186943,
            )
            .unwrap();
        let sig = signature(
            12345,
            "n n+",
            "9193cc662a4c0ec135ec71fb57194b38",
            1615186943,
        );
        assert_eq!(
            url,
            format!(
                "https://analytics-api-sgp.zego.im/?Action=GetRegionQualityDetail&AppId=12345\
                 &SignatureNonce=n%20n%2B&Timestamp=1615186943&SignatureVersion=2.0\
                 &Signature={sig}&IsTest=true&Region=%E4%B8%AD%E5%9B%BD\
                 &StartTs=1736467200000&EndTs=0"
            )
        );
    }

    #[test]
    fn per_user_ids_are_encoded() {
        let url = client(json!({"isTest": false, "endpoint": "http://127.0.0.1:9"}))
            .signed_url(
                Action::StreamBaseInfo,
                &json!({"roomId": "room 1&x=y", "userId": "u+1", "streamId": "流/1",
                        "streamType": "publish", "startTs": 1736467200000u64,
                        "endTs": 1736467260000u64}),
                "abc",
                1700000000,
            )
            .unwrap();
        let tail = url.split_once("&IsTest=false&").unwrap().1;
        assert_eq!(
            tail,
            "RoomId=room%201%26x%3Dy&UserId=u%2B1&StreamId=%E6%B5%81%2F1\
             &StartTs=1736467200000&EndTs=1736467260000&StreamType=publish"
        );
        assert!(url.starts_with("http://127.0.0.1:9/?Action=GetStreamBaseInfo&AppId=12345&"));
    }

    #[test]
    fn nothing_is_built_from_bad_input() {
        let c = client(json!({}));
        let ok = json!({"startDate": "20250110", "endDate": "20250112", "metrics": ["play_count"]});
        assert!(matches!(
            c.signed_url(Action::BizUsage, &ok, "", 1),
            Err(Error::Validation { .. })
        ));
        assert!(matches!(
            c.signed_url(Action::BizUsage, &ok, "n", 1_615_186_943_000),
            Err(Error::Validation { .. })
        ));
        assert!(matches!(
            c.signed_url(Action::BizUsage, &ok, "n", 0),
            Err(Error::Validation { .. })
        ));
        let bad = json!({"startDate": "20250110"});
        assert!(matches!(
            c.signed_url(Action::BizUsage, &bad, "n", 1),
            Err(Error::Validation { .. })
        ));
    }
}
