//! SHA-256 digests: the one hash the audit trail uses.
//!
//! A [`Digest`] is 32 bytes, written on the wire (JSON, SQL) as 64 lowercase hexadecimal digits.
//! [`Digest::of_json`] hashes a JSON value through its canonical form (RFC 8785, see the
//! `canonical` room), so two equal values give the same digest on every machine, whatever the
//! order in which their members were built. Used by the hash chain over each instance's events,
//! by signatures bound to what they approve, and by refusal records that keep a payload's digest
//! instead of the payload.
//!
//! The hashing itself is the `sha2` crate (RustCrypto), which `docs/DESIGN.md` justifies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::canonical::to_canonical_string;

/// A SHA-256 digest (32 bytes), shown and serialised as 64 lowercase hexadecimal digits.
///
/// ```
/// use aftersales::Digest;
/// use serde_json::json;
///
/// // Member order does not matter: the value is hashed in its canonical form.
/// let a = Digest::of_json(&json!({"amount": 100, "currency": "CNY"}));
/// let b = Digest::of_json(&json!({"currency": "CNY", "amount": 100}));
/// assert_eq!(a, b);
/// assert_ne!(a, Digest::of_json(&json!({"amount": 1_000_000, "currency": "CNY"})));
///
/// // The text form reads back.
/// let text = a.to_string();
/// assert_eq!(text.len(), 64);
/// assert_eq!(text.parse::<Digest>(), Ok(a));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The all-zero digest: the "previous hash" of an instance's first event.
    pub const ZERO: Digest = Digest([0; 32]);

    /// The SHA-256 digest of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// The SHA-256 digest of the canonical (RFC 8785) text of `value`.
    pub fn of_json(value: &Value) -> Digest {
        Digest::of_bytes(to_canonical_string(value).as_bytes())
    }

    /// The digest built from its 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Digest {
        Digest(bytes)
    }

    /// The 32 bytes of the digest.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 64];
        for (i, byte) in self.0.iter().enumerate() {
            text[2 * i] = HEX[usize::from(byte >> 4)];
            text[2 * i + 1] = HEX[usize::from(byte & 0xf)];
        }
        // Only ASCII hexadecimal digits were written.
        f.write_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// Why a text is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestParseError {
    /// The text is not 64 characters long.
    #[error("a digest has 64 hexadecimal digits, this text has {len} characters")]
    Length {
        /// The length found.
        len: usize,
    },
    /// A character is not a lowercase or uppercase hexadecimal digit.
    #[error("character {at} of the digest is not a hexadecimal digit")]
    NotHex {
        /// The character position (0-based).
        at: usize,
    },
}

impl FromStr for Digest {
    type Err = DigestParseError;

    fn from_str(text: &str) -> Result<Digest, DigestParseError> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(DigestParseError::Length { len: text.len() });
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let hi = hex_value(pair[0]).ok_or(DigestParseError::NotHex { at: 2 * i })?;
            let lo = hex_value(pair[1]).ok_or(DigestParseError::NotHex { at: 2 * i + 1 })?;
            out[i] = hi << 4 | lo;
        }
        Ok(Digest(out))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Digest, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Digest {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Digest".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "A SHA-256 digest as 64 lowercase hexadecimal digits."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_has_the_published_sha256() {
        // FIPS 180-2 / NIST test vector: SHA-256("").
        assert_eq!(
            Digest::of_bytes(b"").to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // SHA-256("abc").
        assert_eq!(
            Digest::of_bytes(b"abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bad_text_is_a_typed_error() {
        assert_eq!(
            "ab".parse::<Digest>(),
            Err(DigestParseError::Length { len: 2 })
        );
        let mut text = "0".repeat(63);
        text.push('g');
        assert_eq!(
            text.parse::<Digest>(),
            Err(DigestParseError::NotHex { at: 63 })
        );
    }

    #[test]
    fn serde_round_trips_as_hex_text() {
        let d = Digest::of_bytes(b"abc");
        let json = serde_json::to_value(d).unwrap_or_default();
        assert_eq!(json, Value::String(d.to_string()));
        let back: Result<Digest, _> = serde_json::from_value(json);
        assert_eq!(back.ok(), Some(d));
    }
}
