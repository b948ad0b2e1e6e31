//! The service's signature, version 2.0.
//!
//! `Signature = lowercase_hex(md5(AppId + SignatureNonce + ServerSecret + Timestamp))`,
//! plain concatenation, numbers in decimal. The signer takes the nonce and the
//! time as arguments; [`new_nonce`] and the caller's clock supply them.

use md5::{Digest, Md5};

use crate::error::Error;

/// The value of the `SignatureVersion` parameter this signer implements.
pub const SIGNATURE_VERSION: &str = "2.0";

/// Signs one request: 32 lowercase hex characters.
pub fn signature(app_id: u32, nonce: &str, secret: &str, timestamp: i64) -> String {
    let mut md5 = Md5::new();
    md5.update(app_id.to_string().as_bytes());
    md5.update(nonce.as_bytes());
    md5.update(secret.as_bytes());
    md5.update(timestamp.to_string().as_bytes());
    hex::encode(md5.finalize())
}

/// A fresh nonce: 8 bytes from the operating system's CSPRNG (in wasm, the
/// runtime's `crypto.getRandomValues`), as 16 lowercase hex characters.
pub fn new_nonce() -> Result<String, Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::config(format!(
            "no secure random source for the signature nonce ({e})"
        ))
    })?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example in the provider's "calling the server API" guide.
    #[test]
    fn provider_worked_example() {
        let sig = signature(
            12345,
            "4fd24687296dd9f3",
            "9193cc662a4c0ec135ec71fb57194b38",
            1615186943,
        );
        assert_eq!(sig, "43e5cfcca828314675f91b001390566a");
    }

    #[test]
    fn signed_string_is_plain_concatenation() {
        // md5("1n2s3"), computed independently.
        assert_eq!(
            signature(1, "n", "2s", 3),
            hex::encode(Md5::digest(b"1n2s3"))
        );
    }

    #[test]
    fn nonces_are_16_lowercase_hex_and_fresh() {
        let a = new_nonce().unwrap();
        let b = new_nonce().unwrap();
        assert_eq!(a.len(), 16);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_ne!(a, b);
    }
}
