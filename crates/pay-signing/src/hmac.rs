//! A generic HMAC signature scheme for providers that sign with a shared secret: the
//! `x-signed: {scheme: hmac, …}` extension of the API descriptions.
//!
//! A [`Scheme`] says which hash ([`Algorithm`]), which header carries the signature, how it
//! is written ([`Encoding`], with an optional prefix such as `sha256=`) and what it covers
//! ([`Covers`]: the exact body bytes, or the canonical form of the body's fields). Signing
//! and verifying are pure functions of the key, the scheme and the bytes; verification
//! decodes the presented value and compares it with the expected tag in constant time
//! (`aws_lc_rs::hmac::verify`).
//!
//! ```
//! use pay_signing::hmac::{Algorithm, Covers, Encoding, HmacKey, Scheme, sign, verify};
//! use secrecy::SecretString;
//!
//! let scheme = Scheme::new(Algorithm::Sha256, "X-Signature", Encoding::Hex, Covers::RawBody)
//!     .with_prefix("sha256=");
//! let key = HmacKey::new(SecretString::from("whsec_test"))?;
//! let body = br#"{"id":"evt_1","type":"payment.paid"}"#;
//! let header = sign(&key, &scheme, body)?;
//! assert!(header.starts_with("sha256="));
//! verify(&key, &scheme, body, &header)?;
//! assert!(verify(&key, &scheme, b"{}", &header).is_err());
//! # Ok::<(), pay_signing::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde_json::value::RawValue;

use crate::easytransac::hex_lower;
use crate::error::{Error, KeyProblem};

/// The hash under the HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA-256 (`sha256` in a description).
    Sha256,
    /// HMAC-SHA-384 (`sha384`).
    Sha384,
    /// HMAC-SHA-512 (`sha512`).
    Sha512,
}

impl Algorithm {
    /// The algorithm a description names (`sha256`, `sha384`, `sha512`, ignoring case).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        match name.to_ascii_lowercase().as_str() {
            "sha256" => Some(Algorithm::Sha256),
            "sha384" => Some(Algorithm::Sha384),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }

    fn aws(self) -> hmac::Algorithm {
        match self {
            Algorithm::Sha256 => hmac::HMAC_SHA256,
            Algorithm::Sha384 => hmac::HMAC_SHA384,
            Algorithm::Sha512 => hmac::HMAC_SHA512,
        }
    }
}

/// How the tag is written in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// Lower-case hexadecimal when signing; either case is accepted when verifying.
    Hex,
    /// Standard Base64 with padding.
    Base64,
}

/// What the signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Covers {
    /// The exact body bytes, as sent.
    RawBody,
    /// The body's top-level fields in canonical form ([`canonical_form`]).
    Canonical,
}

/// A complete HMAC signature scheme: algorithm, header, encoding and coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scheme {
    algorithm: Algorithm,
    header: &'static str,
    encoding: Encoding,
    covers: Covers,
    prefix: Option<&'static str>,
}

impl Scheme {
    /// A scheme writing the tag in `header`, without prefix.
    pub const fn new(
        algorithm: Algorithm,
        header: &'static str,
        encoding: Encoding,
        covers: Covers,
    ) -> Scheme {
        Scheme {
            algorithm,
            header,
            encoding,
            covers,
            prefix: None,
        }
    }

    /// The scheme an API description states (`x-signed: {scheme: hmac, …}`, carried by
    /// `pay_core::HmacSigning`): `algorithm` `sha256`/`sha384`/`sha512`, `encoding`
    /// `hex`/`base64`, `covers` `raw-body`/`canonical`.
    ///
    /// # Errors
    /// [`Error::MalformedInput`] naming the parameter that has another value.
    pub fn parse(
        algorithm: &str,
        header: &'static str,
        encoding: &str,
        covers: &str,
        prefix: Option<&'static str>,
    ) -> Result<Scheme, Error> {
        let algorithm = Algorithm::from_name(algorithm).ok_or(Error::MalformedInput {
            what: "the HMAC algorithm is not sha256, sha384 or sha512",
        })?;
        let encoding = match encoding {
            "hex" => Encoding::Hex,
            "base64" => Encoding::Base64,
            _ => {
                return Err(Error::MalformedInput {
                    what: "the HMAC encoding is not hex or base64",
                });
            }
        };
        let covers = match covers {
            "raw-body" => Covers::RawBody,
            "canonical" => Covers::Canonical,
            _ => {
                return Err(Error::MalformedInput {
                    what: "the HMAC coverage is not raw-body or canonical",
                });
            }
        };
        Ok(Scheme {
            algorithm,
            header,
            encoding,
            covers,
            prefix,
        })
    }

    /// The same scheme with the header value starting with `prefix` (`sha256=`).
    #[must_use]
    pub const fn with_prefix(mut self, prefix: &'static str) -> Scheme {
        self.prefix = Some(prefix);
        self
    }

    /// The hash.
    pub const fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The header carrying the signature.
    pub const fn header(&self) -> &'static str {
        self.header
    }

    /// How the tag is written.
    pub const fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// What the signature covers.
    pub const fn covers(&self) -> Covers {
        self.covers
    }

    /// The prefix of the header value, if any.
    pub const fn prefix(&self) -> Option<&'static str> {
        self.prefix
    }
}

/// A shared HMAC secret. `Debug` never shows it; it is zeroed on drop (`secrecy`).
pub struct HmacKey {
    secret: SecretString,
}

impl HmacKey {
    /// The key `secret` (its UTF-8 bytes are the HMAC key).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] with [`KeyProblem::Empty`] for an empty secret, which would
    /// let anyone sign.
    pub fn new(secret: SecretString) -> Result<HmacKey, Error> {
        if secret.expose_secret().is_empty() {
            return Err(Error::InvalidKey {
                reason: KeyProblem::Empty,
            });
        }
        Ok(HmacKey { secret })
    }

    fn aws(&self, algorithm: Algorithm) -> hmac::Key {
        hmac::Key::new(algorithm.aws(), self.secret.expose_secret().as_bytes())
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey(<redacted>)")
    }
}

/// The header value signing `body` under `scheme`: the prefix, then the encoded tag.
///
/// # Errors
/// [`Error::MalformedInput`] when the scheme covers the canonical form and `body` is not
/// a JSON object or a form ([`canonical_form`]).
pub fn sign(key: &HmacKey, scheme: &Scheme, body: &[u8]) -> Result<String, Error> {
    let message = covered(scheme, body)?;
    let tag = hmac::sign(&key.aws(scheme.algorithm), &message);
    let encoded = match scheme.encoding {
        Encoding::Hex => hex_lower(tag.as_ref()),
        Encoding::Base64 => STANDARD.encode(tag.as_ref()),
    };
    Ok(format!("{}{encoded}", scheme.prefix.unwrap_or_default()))
}

/// Checks the header value `presented` against `body` under `scheme`, in constant time.
///
/// # Errors
/// [`Error::SignatureMismatch`] when the value lacks the prefix, is not valid hex or Base64,
/// or does not match; [`Error::MalformedInput`] as for [`sign`].
pub fn verify(key: &HmacKey, scheme: &Scheme, body: &[u8], presented: &str) -> Result<(), Error> {
    let message = covered(scheme, body)?;
    let encoded = match scheme.prefix {
        Some(prefix) => presented
            .strip_prefix(prefix)
            .ok_or(Error::SignatureMismatch)?,
        None => presented,
    };
    let tag = match scheme.encoding {
        Encoding::Hex => unhex(encoded.trim()),
        Encoding::Base64 => STANDARD.decode(encoded.trim()).ok(),
    }
    .ok_or(Error::SignatureMismatch)?;
    hmac::verify(&key.aws(scheme.algorithm), &message, &tag).map_err(|_| Error::SignatureMismatch)
}

/// The canonical form of a body's top-level fields: `name=value` lines sorted by name
/// (byte order), joined by `\n`, without a final newline.
///
/// A JSON object's string values are taken unescaped, other values as their exact JSON
/// text (numbers are never reformatted; nested objects and arrays as sent). A body that
/// is not a JSON object is read as an `application/x-www-form-urlencoded` form, values
/// percent-decoded. A name given twice keeps its last value.
///
/// # Errors
/// [`Error::MalformedInput`] when the body is neither (invalid JSON starting with `{`, or
/// text that is not UTF-8).
pub fn canonical_form(body: &[u8]) -> Result<Vec<u8>, Error> {
    let text = std::str::from_utf8(body).map_err(|_| Error::MalformedInput {
        what: "the body is not UTF-8",
    })?;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    if text.trim_start().starts_with('{') {
        let object: BTreeMap<String, &RawValue> =
            serde_json::from_str(text).map_err(|_| Error::MalformedInput {
                what: "the body is not a JSON object",
            })?;
        for (name, raw) in object {
            let raw = raw.get();
            let value = if raw.starts_with('"') {
                serde_json::from_str::<String>(raw).map_err(|_| Error::MalformedInput {
                    what: "a JSON string does not parse",
                })?
            } else {
                raw.to_owned()
            };
            fields.insert(name, value);
        }
    } else {
        for pair in text.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            fields.insert(form_decode(name)?, form_decode(value)?);
        }
    }
    let lines: Vec<String> = fields
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    Ok(lines.join("\n").into_bytes())
}

/// The bytes the scheme signs.
fn covered(scheme: &Scheme, body: &[u8]) -> Result<Vec<u8>, Error> {
    match scheme.covers {
        Covers::RawBody => Ok(body.to_vec()),
        Covers::Canonical => canonical_form(body),
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// `a+b%21` -> `a b!`.
fn form_decode(text: &str) -> Result<String, Error> {
    let bad = || Error::MalformedInput {
        what: "a form field is not valid percent-encoded UTF-8",
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let pair = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
                let text = std::str::from_utf8(pair).map_err(|_| bad())?;
                out.push(u8::from_str_radix(text, 16).map_err(|_| bad())?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> HmacKey {
        HmacKey::new(SecretString::from(secret)).unwrap()
    }

    const RAW_HEX: Scheme = Scheme::new(Algorithm::Sha256, "X-Sig", Encoding::Hex, Covers::RawBody);

    /// RFC 4231 test case 2 (key "Jefe"), for every algorithm and both encodings.
    #[test]
    fn tags_match_rfc_4231() {
        let body = b"what do ya want for nothing?";
        let cases = [
            (
                Algorithm::Sha256,
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                Algorithm::Sha384,
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            ),
            (
                Algorithm::Sha512,
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
        ];
        for (algorithm, expected) in cases {
            let hex_scheme = Scheme::new(algorithm, "X-Sig", Encoding::Hex, Covers::RawBody);
            assert_eq!(sign(&key("Jefe"), &hex_scheme, body).unwrap(), expected);
            let b64 = Scheme::new(algorithm, "X-Sig", Encoding::Base64, Covers::RawBody);
            let encoded = sign(&key("Jefe"), &b64, body).unwrap();
            assert_eq!(STANDARD.decode(&encoded).unwrap(), unhex(expected).unwrap());
            verify(&key("Jefe"), &b64, body, &encoded).unwrap();
            verify(
                &key("Jefe"),
                &hex_scheme,
                body,
                &expected.to_ascii_uppercase(),
            )
            .unwrap();
        }
    }

    #[test]
    fn verification_refuses_any_change() {
        let scheme = RAW_HEX.with_prefix("sha256=");
        let body = br#"{"id":"evt_1","amount":1250}"#;
        let good = sign(&key("secret"), &scheme, body).unwrap();
        assert_eq!(scheme.prefix(), Some("sha256="));
        assert!(verify(&key("secret"), &scheme, body, &good).is_ok());
        let mismatch = |result: Result<(), Error>| matches!(result, Err(Error::SignatureMismatch));
        assert!(mismatch(verify(
            &key("secret"),
            &scheme,
            br#"{"id":"evt_1","amount":1251}"#,
            &good
        )));
        assert!(mismatch(verify(&key("other"), &scheme, body, &good)));
        assert!(mismatch(verify(
            &key("secret"),
            &scheme,
            body,
            &good["sha256=".len()..]
        )));
        assert!(mismatch(verify(&key("secret"), &scheme, body, "sha256=zz")));
        assert!(mismatch(verify(
            &key("secret"),
            &scheme,
            body,
            "sha256=abc"
        )));
        assert!(mismatch(verify(&key("secret"), &scheme, body, "")));
        let mut flipped = good.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        assert!(mismatch(verify(
            &key("secret"),
            &scheme,
            body,
            std::str::from_utf8(&flipped).unwrap()
        )));
    }

    #[test]
    fn the_canonical_form_ignores_order_and_spacing() {
        let json = br#"{ "b": "x\"y", "a": 12.50, "c": {"n": 1}, "d": null }"#;
        assert_eq!(
            String::from_utf8(canonical_form(json).unwrap()).unwrap(),
            "a=12.50\nb=x\"y\nc={\"n\": 1}\nd=null"
        );
        let form = b"b=x%22y&a=12.50&e=two+words";
        assert_eq!(
            String::from_utf8(canonical_form(form).unwrap()).unwrap(),
            "a=12.50\nb=x\"y\ne=two words"
        );
        let scheme = Scheme::new(
            Algorithm::Sha256,
            "X-Sig",
            Encoding::Base64,
            Covers::Canonical,
        );
        let signed = sign(&key("k"), &scheme, br#"{"a":"1","b":"2"}"#).unwrap();
        verify(&key("k"), &scheme, br#"{"b": "2", "a": "1"}"#, &signed).unwrap();
        verify(&key("k"), &scheme, b"b=2&a=1", &signed).unwrap();
        assert!(verify(&key("k"), &scheme, br#"{"a":"1","b":"3"}"#, &signed).is_err());
        for bad in [&b"{not json"[..], b"a=%zz", b"a=%e9", b"\xff"] {
            assert!(
                matches!(canonical_form(bad), Err(Error::MalformedInput { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn schemes_parse_from_description_values() {
        let scheme = Scheme::parse("sha512", "X-Sig", "base64", "canonical", Some("v1=")).unwrap();
        assert_eq!(
            scheme,
            Scheme::new(
                Algorithm::Sha512,
                "X-Sig",
                Encoding::Base64,
                Covers::Canonical
            )
            .with_prefix("v1=")
        );
        assert_eq!(
            Scheme::parse("sha256", "X-Sig", "hex", "raw-body", None).unwrap(),
            RAW_HEX
        );
        for (algorithm, encoding, covers) in [
            ("md5", "hex", "raw-body"),
            ("sha256", "base32", "raw-body"),
            ("sha256", "hex", "headers"),
        ] {
            assert!(matches!(
                Scheme::parse(algorithm, "X-Sig", encoding, covers, None),
                Err(Error::MalformedInput { .. })
            ));
        }
    }

    #[test]
    fn keys_are_secret_and_never_empty() {
        assert!(matches!(
            HmacKey::new(SecretString::from("")),
            Err(Error::InvalidKey {
                reason: KeyProblem::Empty
            })
        ));
        let shown = format!("{:?}", key("whsec_do_not_print"));
        assert!(!shown.contains("do_not_print"), "{shown}");
        assert_eq!(shown, "HmacKey(<redacted>)");
        assert_eq!(Algorithm::from_name("SHA256"), Some(Algorithm::Sha256));
        assert_eq!(Algorithm::from_name("sha384"), Some(Algorithm::Sha384));
        assert_eq!(Algorithm::from_name("Sha512"), Some(Algorithm::Sha512));
        assert_eq!(Algorithm::from_name("sha1"), None);
        assert_eq!(RAW_HEX.header(), "X-Sig");
        assert_eq!(RAW_HEX.encoding(), Encoding::Hex);
        assert_eq!(RAW_HEX.covers(), Covers::RawBody);
        assert_eq!(RAW_HEX.algorithm(), Algorithm::Sha256);
    }
}
