//! Easypay strong authentication for `POST /out_payment`: RSA PKCS#1 v1.5 / SHA-256 signatures over the exact body bytes.
//!
//! The request carries a `Signature` header: standard (padded) base64 of the
//! RSASSA-PKCS1-v1_5 SHA-256 signature of the body bytes **as sent**, made with the
//! account's strong-authentication private key. The body itself carries `timestamp`,
//! unix seconds as a JSON *string*, which Easypay accepts within ±60 s of its clock.
//!
//! [`sign_out_payment`] serialises the caller's body once, splices the caller's "now"
//! into those bytes as `timestamp`, and returns them together with the header value, so
//! what is signed is what is sent. Amounts are JSON numbers (`"value": 17.5`); no
//! number in the body is ever parsed, let alone read through a float, on the way from
//! the caller's serialisation to the signed bytes, so an exact amount (pay-core's
//! `JsonNumber`, a [`RawValue`]) is signed and sent token for token.
//! [`RsaVerifyingKey::verify`] and [`check_timestamp`] are the server side, for a fake
//! Easypay in tests; [`check_timestamp`] decodes only `timestamp` and parses no number.
//!
//! Keys load from PEM: private keys as PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8
//! (`BEGIN PRIVATE KEY`), public keys as SPKI (`BEGIN PUBLIC KEY`) or PKCS#1
//! (`BEGIN RSA PUBLIC KEY`). Encrypted private keys are refused with
//! [`Error::EncryptedKey`]. RSA keys of 2048 to 8192 bits are accepted.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use crate::error::{Error, KeyProblem, Source};

/// The request header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Signature";

/// How far Easypay lets the body's `timestamp` drift from its clock.
pub const TIMESTAMP_WINDOW: Duration = Duration::from_secs(60);

/// An RSA private key for signing out-payments.
///
/// The key material lives inside aws-lc, which wipes it when the key is dropped; the
/// PEM and DER buffers used while loading are zeroised too. `Debug` shows only the
/// key size.
pub struct RsaSigningKey {
    pair: RsaKeyPair,
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("bits", &self.modulus_bits())
            .finish_non_exhaustive()
    }
}

impl RsaSigningKey {
    /// Loads an unencrypted RSA private key from PEM, PKCS#1 or PKCS#8.
    ///
    /// Other PEM blocks in the text (a certificate, say) are ignored.
    ///
    /// # Errors
    ///
    /// [`Error::EncryptedKey`] for a password-protected key; [`Error::InvalidKey`] for
    /// anything else that is not a usable RSA private key of 2048–8192 bits.
    pub fn from_pem(pem: &SecretString) -> Result<Self, Error> {
        let text = pem.expose_secret();
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
            || (text.contains("Proc-Type:") && text.contains("ENCRYPTED"))
        {
            return Err(Error::EncryptedKey);
        }
        let blocks =
            pem::parse_many(text.as_bytes()).map_err(|_| Error::invalid_key(KeyProblem::NotPem))?;
        if blocks.is_empty() {
            return Err(Error::invalid_key(KeyProblem::NotPem));
        }
        let mut chosen = None;
        for block in blocks {
            let tag = block.tag().to_owned();
            let encrypted = block
                .headers()
                .get("Proc-Type")
                .is_some_and(|v| v.contains("ENCRYPTED"));
            let der = Zeroizing::new(block.into_contents());
            if encrypted {
                return Err(Error::EncryptedKey);
            }
            match tag.as_str() {
                "RSA PRIVATE KEY" | "PRIVATE KEY" if chosen.is_none() => chosen = Some((tag, der)),
                "ENCRYPTED PRIVATE KEY" => return Err(Error::EncryptedKey),
                _ => {}
            }
        }
        let (tag, der) =
            chosen.ok_or_else(|| Error::invalid_key(KeyProblem::UnsupportedPemLabel))?;
        let pair = if tag == "RSA PRIVATE KEY" {
            RsaKeyPair::from_der(&der)
        } else {
            RsaKeyPair::from_pkcs8(&der)
        };
        pair.map(|pair| Self { pair }).map_err(key_rejected)
    }

    /// The modulus size in bits (2048, 3072, 4096, …).
    #[must_use]
    pub fn modulus_bits(&self) -> usize {
        self.pair.public_modulus_len() * 8
    }

    /// The matching public key.
    ///
    /// # Errors
    ///
    /// [`Error::Crypto`] if the backend cannot re-read its own public key (not expected).
    pub fn verifying_key(&self) -> Result<RsaVerifyingKey, Error> {
        RsaVerifyingKey::from_der(self.pair.public_key().as_ref()).map_err(|_| Error::Crypto)
    }

    /// Signs `message` (RSASSA-PKCS1-v1_5, SHA-256) and returns the standard, padded
    /// base64 of the signature: the `Signature` header value. Deterministic.
    ///
    /// # Errors
    ///
    /// [`Error::Crypto`] if the backend fails (not expected).
    pub fn sign(&self, message: &[u8]) -> Result<String, Error> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| Error::Crypto)?;
        Ok(STANDARD.encode(&signature))
    }
}

/// An RSA public key for checking out-payment signatures (the fake server's side).
#[derive(Clone)]
pub struct RsaVerifyingKey {
    key: ParsedPublicKey,
    bits: usize,
}

impl fmt::Debug for RsaVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaVerifyingKey")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

impl RsaVerifyingKey {
    /// Loads an RSA public key from PEM, SPKI (`BEGIN PUBLIC KEY`) or PKCS#1
    /// (`BEGIN RSA PUBLIC KEY`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKey`] if there is no such block or it is not an RSA key of
    /// 2048–8192 bits.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let blocks =
            pem::parse_many(pem.as_bytes()).map_err(|_| Error::invalid_key(KeyProblem::NotPem))?;
        if blocks.is_empty() {
            return Err(Error::invalid_key(KeyProblem::NotPem));
        }
        let block = blocks
            .iter()
            .find(|b| matches!(b.tag(), "PUBLIC KEY" | "RSA PUBLIC KEY"))
            .ok_or_else(|| Error::invalid_key(KeyProblem::UnsupportedPemLabel))?;
        Self::from_der(block.contents())
    }

    fn from_der(der: &[u8]) -> Result<Self, Error> {
        let public = aws_lc_rs::rsa::PublicKey::from_der(der).map_err(key_rejected)?;
        let bits = public.modulus_len() * 8;
        if bits < 2048 {
            return Err(Error::invalid_key(KeyProblem::TooSmall));
        }
        if bits > 8192 {
            return Err(Error::invalid_key(KeyProblem::TooLarge));
        }
        let key = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der)
            .map_err(key_rejected)?;
        Ok(Self { key, bits })
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn modulus_bits(&self) -> usize {
        self.bits
    }

    /// Checks a `Signature` header value (standard base64, padded) against the exact
    /// body bytes received.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedInput`] if the header is not base64;
    /// [`Error::SignatureMismatch`] if it does not verify.
    pub fn verify(&self, message: &[u8], signature_base64: &str) -> Result<(), Error> {
        let signature = STANDARD
            .decode(signature_base64.trim())
            .map_err(|_| Error::malformed("signature is not standard base64"))?;
        self.key
            .verify_sig(message, &signature)
            .map_err(|_| Error::SignatureMismatch)
    }
}

/// A stamped, serialised and signed out-payment body: send [`SignedBody::body`] as the
/// request body and [`SignedBody::signature`] as the `Signature` header.
///
/// `Debug` shows the body's length, never its content (it holds an IBAN).
#[derive(Clone)]
pub struct SignedBody {
    body: Vec<u8>,
    signature: String,
}

impl fmt::Debug for SignedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedBody")
            .field("body_len", &self.body.len())
            .field("signature", &self.signature)
            .finish()
    }
}

impl SignedBody {
    /// The exact JSON bytes that were signed.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The `Signature` header value.
    #[must_use]
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// Body bytes and header value.
    #[must_use]
    pub fn into_parts(self) -> (Vec<u8>, String) {
        (self.body, self.signature)
    }
}

/// Serialises `body` once, stamps those bytes with `"timestamp": "<now as unix
/// seconds>"`, and signs the result.
///
/// The bytes signed and returned are `serde_json::to_vec(body)` with one change, made
/// by splicing text, never by re-serialising:
///
/// - if the object has no top-level `timestamp` member, `,"timestamp":"<secs>"` is
///   inserted before its closing `}` (`"timestamp":"<secs>"` for an empty object), so
///   the stamp comes last;
/// - if it has one (the generated `OutPaymentCreateRequest` requires the field), that
///   member's value is replaced where it stands by `"<secs>"`, whatever it was.
///
/// Everything else is the caller's serialisation byte for byte: member order (the
/// order of the struct's fields, not sorted), string escapes, and every number token
/// exactly as written (`17.50` stays `17.50`, `9007199254740993` stays itself). Only
/// the top-level member names are decoded, to find `timestamp`; values are skipped
/// over as raw text, so no amount ever passes through `f64`, not even transiently.
///
/// `body` must serialise to a JSON object with at most one top-level `timestamp`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use pay_signing::easypay::{check_timestamp, sign_out_payment, RsaSigningKey, TIMESTAMP_WINDOW};
/// use secrecy::SecretString;
/// use serde_json::value::RawValue;
///
/// #[derive(serde::Serialize)]
/// struct Payout {
///     key: &'static str,
///     method: &'static str,
///     /// An exact amount, as pay-core's `JsonNumber` writes it.
///     value: Box<RawValue>,
/// }
///
/// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem")).unwrap();
/// let key = RsaSigningKey::from_pem(&SecretString::from(pem))?;
/// let now = UNIX_EPOCH + Duration::from_secs(1_696_642_539);
/// let value = serde_json::from_str::<Box<RawValue>>("17.50").unwrap();
/// let body = Payout { key: "payout-1", method: "transfer", value };
/// let signed = sign_out_payment(&body, &key, now)?;
/// assert_eq!(
///     signed.body(),
///     br#"{"key":"payout-1","method":"transfer","value":17.50,"timestamp":"1696642539"}"#,
/// );
/// key.verifying_key()?.verify(signed.body(), signed.signature())?;
/// check_timestamp(signed.body(), now + Duration::from_secs(30), TIMESTAMP_WINDOW)?;
/// # Ok::<(), pay_signing::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Serialize`] if `body` cannot be serialised; [`Error::MalformedInput`] if it
/// is not a JSON object, has more than one top-level `timestamp`, or `now` is before
/// 1970; [`Error::Crypto`] if signing fails.
pub fn sign_out_payment<T: Serialize + ?Sized>(
    body: &T,
    key: &RsaSigningKey,
    now: SystemTime,
) -> Result<SignedBody, Error> {
    let serialised = serde_json::to_vec(body).map_err(|e| Error::Serialize {
        source: Source::new(e),
    })?;
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::malformed("time is before 1970"))?
        .as_secs();
    let bytes = stamp(&serialised, seconds)?;
    let signature = key.sign(&bytes)?;
    Ok(SignedBody {
        body: bytes,
        signature,
    })
}

/// Checks that a body's `timestamp` (unix seconds as a JSON string) is within `window`
/// of `now`, in either direction. Easypay's window is [`TIMESTAMP_WINDOW`].
///
/// Only the top-level member names and the `timestamp` value are decoded; every other
/// value is skipped as raw text, so no number in the body is parsed (a float-sized or
/// out-of-range amount is no reason to refuse a timestamp).
///
/// # Errors
///
/// [`Error::MalformedInput`] if the body is not a JSON object, has more than one
/// top-level `timestamp`, or `timestamp` is not a string of digits;
/// [`Error::MissingField`] without `timestamp` (or with `null`);
/// [`Error::TimestampOutOfWindow`] when it is too far from `now`.
pub fn check_timestamp(body: &[u8], now: SystemTime, window: Duration) -> Result<(), Error> {
    let members = top_level_members(body)?;
    let timestamp = match timestamp_member(&members)? {
        None => return Err(Error::MissingField { name: "timestamp" }),
        Some(raw) => {
            let text = raw.get();
            if text == "null" {
                return Err(Error::MissingField { name: "timestamp" });
            }
            // Decode only a JSON string: anything else is refused unread.
            let digits = text
                .starts_with('"')
                .then(|| serde_json::from_str::<String>(text).ok())
                .flatten()
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| Error::malformed("timestamp must be a string of unix seconds"))?;
            digits
                .parse::<i64>()
                .map_err(|_| Error::malformed("timestamp is out of range"))?
        }
    };
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::malformed("time is before 1970"))?
        .as_secs();
    let now = i64::try_from(now).map_err(|_| Error::malformed("time is out of range"))?;
    let distance = timestamp.abs_diff(now);
    if distance > window.as_secs() {
        return Err(Error::TimestampOutOfWindow {
            timestamp,
            now,
            window_secs: window.as_secs(),
        });
    }
    Ok(())
}

/// The fake server's whole check: the signature over the exact body bytes, then the
/// timestamp window.
///
/// # Errors
///
/// As [`RsaVerifyingKey::verify`], then as [`check_timestamp`].
pub fn verify_out_payment(
    key: &RsaVerifyingKey,
    body: &[u8],
    signature_base64: &str,
    now: SystemTime,
    window: Duration,
) -> Result<(), Error> {
    key.verify(body, signature_base64)?;
    check_timestamp(body, now, window)
}

fn key_rejected(rejected: KeyRejected) -> Error {
    Error::invalid_key(match rejected.description_() {
        "TooSmall" => KeyProblem::TooSmall,
        "TooLarge" => KeyProblem::TooLarge,
        "WrongAlgorithm" => KeyProblem::NotRsa,
        _ => KeyProblem::InvalidEncoding,
    })
}

/// `json` (a serialised object) with `"timestamp":"<seconds>"` spliced in: the value of
/// an existing top-level `timestamp` replaced in place, or a new last member.
fn stamp(json: &[u8], seconds: u64) -> Result<Vec<u8>, Error> {
    let members = top_level_members(json)?;
    let stamp = format!("\"{seconds}\"");
    let mut stamped = Vec::with_capacity(json.len() + stamp.len() + 16);
    match timestamp_member(&members)? {
        Some(raw) => {
            let range = span_of(json, raw)?;
            stamped.extend_from_slice(&json[..range.start]);
            stamped.extend_from_slice(stamp.as_bytes());
            stamped.extend_from_slice(&json[range.end..]);
        }
        None => {
            // A valid object ends with `}`, possibly followed by whitespace (when the
            // caller serialises a `RawValue`).
            let close = json
                .iter()
                .rposition(|&b| b == b'}')
                .ok_or_else(|| Error::malformed("out_payment body must be a JSON object"))?;
            stamped.extend_from_slice(&json[..close]);
            if !members.is_empty() {
                stamped.push(b',');
            }
            stamped.extend_from_slice(b"\"timestamp\":");
            stamped.extend_from_slice(stamp.as_bytes());
            stamped.extend_from_slice(&json[close..]);
        }
    }
    Ok(stamped)
}

/// The top-level members of a JSON object in document order, names decoded and values
/// left as raw text borrowed from `json` (so never parsed: numbers stay text).
fn top_level_members(json: &[u8]) -> Result<Vec<(String, &RawValue)>, Error> {
    if json.trim_ascii_start().first() != Some(&b'{') {
        return Err(Error::malformed("body is not a JSON object"));
    }
    serde_json::from_slice::<Members<'_>>(json)
        .map(|members| members.0)
        .map_err(|_| Error::malformed("body is not valid JSON"))
}

/// The value of the one top-level `timestamp` member, if any.
fn timestamp_member<'a>(members: &[(String, &'a RawValue)]) -> Result<Option<&'a RawValue>, Error> {
    let mut found = members.iter().filter(|(name, _)| name == "timestamp");
    let first = found.next().map(|(_, raw)| *raw);
    if found.next().is_some() {
        return Err(Error::malformed("body has more than one timestamp"));
    }
    Ok(first)
}

/// Where `raw`, borrowed from `json` by [`top_level_members`], lies in `json`.
fn span_of(json: &[u8], raw: &RawValue) -> Result<std::ops::Range<usize>, Error> {
    let text = raw.get().as_bytes();
    let start = text.as_ptr().addr().wrapping_sub(json.as_ptr().addr());
    let range = start..start.saturating_add(text.len());
    // Holds by construction (a borrowed `RawValue` is a slice of its input); checked
    // so that a broken assumption is an error, never a wrong splice.
    if json.get(range.clone()) == Some(text) {
        Ok(range)
    } else {
        Err(Error::malformed("cannot locate timestamp in the body"))
    }
}

/// A JSON object's members in document order; see [`top_level_members`].
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn timestamp_window_is_inclusive_both_ways() {
        let body = br#"{"timestamp":"1000"}"#;
        assert!(check_timestamp(body, at(1_060), TIMESTAMP_WINDOW).is_ok());
        assert!(check_timestamp(body, at(940), TIMESTAMP_WINDOW).is_ok());
        let late = check_timestamp(body, at(1_061), TIMESTAMP_WINDOW).unwrap_err();
        assert!(matches!(
            late,
            Error::TimestampOutOfWindow {
                timestamp: 1_000,
                now: 1_061,
                window_secs: 60
            }
        ));
        assert!(matches!(
            check_timestamp(body, at(939), TIMESTAMP_WINDOW),
            Err(Error::TimestampOutOfWindow { .. })
        ));
    }

    #[test]
    fn timestamp_must_be_a_digit_string() {
        assert!(matches!(
            check_timestamp(br#"{"timestamp":1000}"#, at(1_000), TIMESTAMP_WINDOW),
            Err(Error::MalformedInput { .. })
        ));
        assert!(matches!(
            check_timestamp(br#"{"timestamp":"-5"}"#, at(1_000), TIMESTAMP_WINDOW),
            Err(Error::MalformedInput { .. })
        ));
        assert!(matches!(
            check_timestamp(br#"{"timestamp":""}"#, at(1_000), TIMESTAMP_WINDOW),
            Err(Error::MalformedInput { .. })
        ));
        assert!(matches!(
            check_timestamp(br#"{"value":1}"#, at(1_000), TIMESTAMP_WINDOW),
            Err(Error::MissingField { name: "timestamp" })
        ));
        assert!(matches!(
            check_timestamp(b"[1]", at(1_000), TIMESTAMP_WINDOW),
            Err(Error::MalformedInput { .. })
        ));
        assert!(matches!(
            check_timestamp(b"{", at(1_000), TIMESTAMP_WINDOW),
            Err(Error::MalformedInput { .. })
        ));
    }

    #[test]
    fn garbage_keys_are_typed_errors() {
        let garbage = SecretString::from("not a key");
        assert!(matches!(
            RsaSigningKey::from_pem(&garbage),
            Err(Error::InvalidKey {
                reason: KeyProblem::NotPem
            })
        ));
        let bad_der = SecretString::from(
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        );
        assert!(matches!(
            RsaSigningKey::from_pem(&bad_der),
            Err(Error::InvalidKey {
                reason: KeyProblem::InvalidEncoding
            })
        ));
        let cert_only =
            SecretString::from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assert!(matches!(
            RsaSigningKey::from_pem(&cert_only),
            Err(Error::InvalidKey {
                reason: KeyProblem::UnsupportedPemLabel
            })
        ));
        let encrypted = SecretString::from(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        assert!(matches!(
            RsaSigningKey::from_pem(&encrypted),
            Err(Error::EncryptedKey)
        ));
        assert!(matches!(
            RsaVerifyingKey::from_pem("nope"),
            Err(Error::InvalidKey {
                reason: KeyProblem::NotPem
            })
        ));
    }
}
