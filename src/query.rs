//! Query strings as the service reads them.
//!
//! Values are UTF-8 percent-encoded, keeping only the RFC 3986 unreserved
//! characters (`A-Z a-z 0-9 - . _ ~`): a space is `%20`, never `+`, and `+`
//! itself is `%2B`. Keys are the service's own names and are written as they
//! are, including the array key `Metrics[]` as the provider's samples show it.

/// Appends `value` to `out`, percent-encoded.
pub fn encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// `value`, percent-encoded.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    encode_into(&mut out, value);
    out
}

/// An ordered list of query pairs; order is kept exactly as pushed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(&'static str, String)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Query::default()
    }

    /// Adds one pair; the value is stored unencoded.
    pub fn push(&mut self, key: &'static str, value: impl Into<String>) {
        self.pairs.push((key, value.into()));
    }

    /// The pairs, in order, unencoded.
    pub fn pairs(&self) -> &[(&'static str, String)] {
        &self.pairs
    }

    /// Appends `key=value&...` to `out`, with a leading `&` when `out` is not
    /// already at the start of a query.
    pub fn write_to(&self, out: &mut String) {
        for (key, value) in &self.pairs {
            if !(out.ends_with('?') || out.is_empty()) {
                out.push('&');
            }
            out.push_str(key);
            out.push('=');
            encode_into(out, value);
        }
    }
}

/// Strict percent-decoding as UTF-8, as the service reads a query: `+` stays `+`, and a
/// `%` must be followed by two hex digits.
pub fn decode(s: &str) -> Result<String, &'static str> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or("has a cut-off % escape")?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return Err("has a % not followed by two hex digits");
            }
            let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(digit(hex[0]) << 4 | digit(hex[1]));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "decodes to bytes that are not UTF-8")
}

/// Whether a query key names one of the values that must not be logged.
fn is_secret_key(raw_key: &str) -> bool {
    let key = decode(raw_key).unwrap_or_else(|_| raw_key.to_owned());
    key.eq_ignore_ascii_case("Signature") || key.eq_ignore_ascii_case("SignatureNonce")
}

/// `url` with the values of `Signature` and `SignatureNonce` replaced by `***`, for logs.
/// Keys are compared after percent-decoding, so `%53ignature` is masked too. Everything
/// else, the query order included, is kept as it was.
pub fn redact_url(url: &str) -> String {
    let Some((base, rest)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match rest.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (rest, None),
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            if is_secret_key(key) {
                format!("{key}=***")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    let mut out = format!("{base}?{}", pairs.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `text` with the value after every `Signature=` or `SignatureNonce=` masked, for
/// messages that may quote a signed URL (some `fetch` implementations put the URL in
/// their errors; some proxies echo it in error pages).
pub fn mask_signed_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("Signature") {
        let after = &rest[at + "Signature".len()..];
        let name_len = if after.starts_with("Nonce=") {
            "SignatureNonce=".len()
        } else if after.starts_with('=') {
            "Signature=".len()
        } else {
            out.push_str(&rest[..at + "Signature".len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..at + name_len]);
        out.push_str("***");
        let value = &rest[at + name_len..];
        let end = value
            .find(|c: char| c == '&' || c.is_whitespace() || "\"'<>)#".contains(c))
            .unwrap_or(value.len());
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_is_strict() {
        assert_eq!(decode("a%20b+%E4%B8%AD").unwrap(), "a b+中");
        assert!(decode("%+F").is_err());
        assert!(decode("%2").is_err());
        assert!(decode("%FF").is_err());
    }

    #[test]
    fn signed_values_are_masked_in_free_text() {
        assert_eq!(
            mask_signed_values("request to https://h/?A=1&SignatureNonce=ab&Signature=cd failed"),
            "request to https://h/?A=1&SignatureNonce=***&Signature=*** failed"
        );
        assert_eq!(
            mask_signed_values("SignatureVersion=2.0"),
            "SignatureVersion=2.0"
        );
        assert_eq!(mask_signed_values("中 Signature=x"), "中 Signature=***");
    }

    #[test]
    fn redaction_masks_only_the_signature_and_nonce() {
        let url = "https://h/?Action=GetBizUsage&AppId=1&SignatureNonce=abc&Timestamp=2\
                   &SignatureVersion=2.0&Signature=43e5cfcca828314675f91b001390566a&X=1#f";
        assert_eq!(
            redact_url(url),
            "https://h/?Action=GetBizUsage&AppId=1&SignatureNonce=***&Timestamp=2\
             &SignatureVersion=2.0&Signature=***&X=1#f"
        );
        assert_eq!(
            redact_url("https://h/?signature=x&Signature"),
            "https://h/?signature=***&Signature=***"
        );
        assert_eq!(redact_url("no query"), "no query");
        assert_eq!(
            redact_url("https://h/?%53ignature=x&Signatur%65Nonce=y&A=1"),
            "https://h/?%53ignature=***&Signatur%65Nonce=***&A=1"
        );
    }

    #[test]
    fn unreserved_characters_stay() {
        assert_eq!(encode("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn everything_else_is_escaped() {
        assert_eq!(encode("a b"), "a%20b");
        assert_eq!(encode("a+b"), "a%2Bb");
        assert_eq!(encode("中国"), "%E4%B8%AD%E5%9B%BD");
        assert_eq!(encode("&=?#/%[]"), "%26%3D%3F%23%2F%25%5B%5D");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn pairs_keep_order_and_array_keys_stay_literal() {
        let mut q = Query::new();
        q.push("StartDate", "20250110");
        q.push("Metrics[]", "publish_count");
        q.push("Metrics[]", "play count");
        let mut out = String::from("/?");
        q.write_to(&mut out);
        assert_eq!(
            out,
            "/?StartDate=20250110&Metrics[]=publish_count&Metrics[]=play%20count"
        );
    }
}
