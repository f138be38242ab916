//! Easypay strong authentication for `POST /out_payment`: RSA PKCS#1 v1.5 / SHA-256 signatures over the exact body bytes.
//!
//! The request carries a `Signature` header: standard (padded) base64 of the
//! RSASSA-PKCS1-v1_5 SHA-256 signature of the body bytes **as sent**, made with the
//! account's strong-authentication private key. The body itself carries `timestamp`,
//! unix seconds as a JSON *string*, which Easypay accepts within ±60 s of its clock.
//!
//! [`sign_out_payment`] stamps the body with the caller's "now", serialises it once and
//! returns those bytes together with the header value, so what is signed is what is
//! sent. [`RsaVerifyingKey::verify`] and [`check_timestamp`] are the server side, for a
//! fake Easypay in tests.
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

/// Stamps `body` with `"timestamp": "<now as unix seconds>"` (replacing any timestamp it
/// had), serialises it once as JSON, and signs those bytes.
///
/// `body` must serialise to a JSON object. Member order is whatever `serde_json`
/// produces in this build; it does not matter, because the bytes returned are the
/// bytes signed.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use pay_signing::easypay::{check_timestamp, sign_out_payment, RsaSigningKey, TIMESTAMP_WINDOW};
/// use secrecy::SecretString;
///
/// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem")).unwrap();
/// let key = RsaSigningKey::from_pem(&SecretString::from(pem))?;
/// let now = UNIX_EPOCH + Duration::from_secs(1_696_642_539);
/// let body = serde_json::json!({ "key": "payout-1", "method": "transfer", "value": 17.5 });
/// let signed = sign_out_payment(&body, &key, now)?;
/// key.verifying_key()?.verify(signed.body(), signed.signature())?;
/// check_timestamp(signed.body(), now + Duration::from_secs(30), TIMESTAMP_WINDOW)?;
/// # Ok::<(), pay_signing::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Serialize`] if `body` cannot be serialised; [`Error::MalformedInput`] if it
/// is not a JSON object or `now` is before 1970; [`Error::Crypto`] if signing fails.
pub fn sign_out_payment<T: Serialize + ?Sized>(
    body: &T,
    key: &RsaSigningKey,
    now: SystemTime,
) -> Result<SignedBody, Error> {
    let mut value = serde_json::to_value(body).map_err(|e| Error::Serialize {
        source: Source::new(e),
    })?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| Error::malformed("out_payment body must be a JSON object"))?;
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::malformed("time is before 1970"))?
        .as_secs();
    object.insert(
        "timestamp".to_owned(),
        serde_json::Value::String(seconds.to_string()),
    );
    let bytes = serde_json::to_vec(&value).map_err(|e| Error::Serialize {
        source: Source::new(e),
    })?;
    let signature = key.sign(&bytes)?;
    Ok(SignedBody {
        body: bytes,
        signature,
    })
}

/// Checks that a body's `timestamp` (unix seconds as a JSON string) is within `window`
/// of `now`, in either direction. Easypay's window is [`TIMESTAMP_WINDOW`].
///
/// # Errors
///
/// [`Error::MalformedInput`] if the body is not a JSON object or `timestamp` is not a
/// string of digits; [`Error::MissingField`] without `timestamp`;
/// [`Error::TimestampOutOfWindow`] when it is too far from `now`.
pub fn check_timestamp(body: &[u8], now: SystemTime, window: Duration) -> Result<(), Error> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Error::malformed("body is not valid JSON"))?;
    let object = value
        .as_object()
        .ok_or_else(|| Error::malformed("body is not a JSON object"))?;
    let timestamp = match object.get("timestamp") {
        None | Some(serde_json::Value::Null) => {
            return Err(Error::MissingField { name: "timestamp" });
        }
        Some(serde_json::Value::String(s))
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse::<i64>()
                .map_err(|_| Error::malformed("timestamp is out of range"))?
        }
        Some(_) => {
            return Err(Error::malformed(
                "timestamp must be a string of unix seconds",
            ));
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
