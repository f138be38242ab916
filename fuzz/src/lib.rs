//! What the fuzz targets share: how an input is framed (a few `name: value` lines, a
//! blank line, then the body), lenient form decoding, signing the fuzzer's fields with
//! the test API key, the assertions every webhook target makes, the test keys, and one
//! loopback HTTP server (with its runtime) per process for the client-level targets.
//!
//! The targets reach every decoder through the crates' public APIs only, as the
//! proptest suite (`crates/pay-proofs/tests/decoders/`) does; this crate adds no hook to
//! any of them.

pub mod loopback;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pay_core::{ErrorKind, PayError, WebhookRejection};
use pay_signing::easytransac::{Params, sign};
use secrecy::SecretString;

/// The Easytransac API key every Easytransac target signs and verifies with.
pub const API_KEY: &str = "et_test_fuzz-key";

/// [`API_KEY`] as a secret.
#[must_use]
pub fn api_key() -> SecretString {
    SecretString::from(API_KEY)
}

/// The test RSA private key (PKCS#8 PEM) of `fixtures/easypay/keys/`.
pub const RSA_PRIVATE_PEM: &str =
    include_str!("../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem");

/// The test RSA public key (SPKI PEM) of `fixtures/easypay/keys/`.
pub const RSA_PUBLIC_PEM: &str =
    include_str!("../../fixtures/easypay/keys/test-rsa-2048-public-spki.pem");

/// An input split into its head (`name: value` lines before the first blank line) and
/// its body (everything after it). An input with no blank line is all body.
#[derive(Debug)]
pub struct Framed<'a> {
    /// The head's lines, split at their first `:` and trimmed (a line without `:` is a
    /// name with an empty value).
    pub head: Vec<(String, String)>,
    /// The bytes after the blank line.
    pub body: &'a [u8],
}

impl<'a> Framed<'a> {
    /// Splits `data` at its first `\n\n`.
    #[must_use]
    pub fn new(data: &'a [u8]) -> Self {
        let Some(at) = data.windows(2).position(|w| w == b"\n\n") else {
            return Self {
                head: Vec::new(),
                body: data,
            };
        };
        let head = String::from_utf8_lossy(&data[..at])
            .lines()
            .map(|line| match line.split_once(':') {
                Some((name, value)) => (name.trim().to_owned(), value.trim().to_owned()),
                None => (line.trim().to_owned(), String::new()),
            })
            .collect();
        Self {
            head,
            body: &data[at + 2..],
        }
    }

    /// The value of the first head line named `name` (ASCII case-insensitive).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.head
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The head line `name` read as a number, or `default`.
    #[must_use]
    pub fn number(&self, name: &str, default: u64) -> u64 {
        self.get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
}

/// Decodes an `application/x-www-form-urlencoded` body leniently: `&`-separated pairs,
/// `+` as space, `%XX` escapes (a bad escape is kept as written), lossy UTF-8.
#[must_use]
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(at) => (&piece[..at], &piece[at + 1..]),
                None => (piece, &b""[..]),
            };
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &[u8]) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                text.get(i + 1).copied().and_then(hex),
                text.get(i + 2).copied().and_then(hex),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Encodes `pairs` as a form body (unreserved bytes as they are, space as `+`, the rest
/// `%XX`), as a provider's form post would be.
#[must_use]
pub fn encode_form(pairs: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        percent_encode(name, &mut out);
        out.push(b'=');
        percent_encode(value, &mut out);
    }
    out
}

fn percent_encode(text: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b),
            b' ' => out.push(b'+'),
            _ => out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]),
        }
    }
}

/// A form body of `pairs` with a correct `Signature` appended when the fields can be
/// signed (`true` then), so verification passes and parsing runs on arbitrary content.
#[must_use]
pub fn signed_form(mut pairs: Vec<(String, String)>) -> (Vec<u8>, bool) {
    let signature = Params::from_form(&pairs)
        .ok()
        .and_then(|p| sign(&p, &api_key()).ok());
    let signed = signature.is_some();
    if let Some(signature) = signature {
        pairs.push(("Signature".to_owned(), signature.into_string()));
    }
    (encode_form(&pairs), signed)
}

/// A JSON object text with a correct `"Signature"` member spliced in before its closing
/// brace when it can be signed (`true` then); other text is returned as it is.
#[must_use]
pub fn signed_json(text: &str) -> (Vec<u8>, bool) {
    let trimmed = text.trim_end();
    let signature = Params::from_json_str(text)
        .ok()
        .and_then(|p| sign(&p, &api_key()).ok());
    match (signature, trimmed.strip_suffix('}')) {
        (Some(signature), Some(open)) => {
            let empty = open.trim_end().ends_with('{');
            let comma = if empty { "" } else { "," };
            let body = format!("{open}{comma}\"Signature\":\"{}\"}}", signature.as_str());
            (body.into_bytes(), true)
        }
        _ => (text.as_bytes().to_vec(), false),
    }
}

/// The rejection a webhook call failed with. Any other kind of error breaks the
/// property (every failure of a webhook decoder is a typed rejection), so it panics and
/// libFuzzer reports the input.
///
/// # Panics
///
/// When `e` is not `ErrorKind::WebhookRejected`.
#[must_use]
pub fn rejection(e: &PayError) -> WebhookRejection {
    match e.kind() {
        ErrorKind::WebhookRejected { reason } => *reason,
        other => panic!("not a typed rejection: {other:?}"),
    }
}

/// A name for the kind of a failed call (every failure is a `PayError`, typed by
/// construction); asserts the error displays something.
///
/// # Panics
///
/// When the error's `Display` is empty.
pub fn typed(e: &PayError) -> &'static str {
    assert!(!e.to_string().is_empty(), "an error with no message");
    match e.kind() {
        ErrorKind::InvalidRequest(_) => "InvalidRequest",
        ErrorKind::Authentication => "Authentication",
        ErrorKind::Declined { .. } => "Declined",
        ErrorKind::NotFound => "NotFound",
        ErrorKind::Conflict => "Conflict",
        ErrorKind::Rejected => "Rejected",
        ErrorKind::RateLimited { .. } => "RateLimited",
        ErrorKind::ProviderUnavailable => "ProviderUnavailable",
        ErrorKind::Timeout => "Timeout",
        ErrorKind::AmbiguousOutcome { .. } => "AmbiguousOutcome",
        ErrorKind::NotSupported { .. } => "NotSupported",
        ErrorKind::Decode { .. } => "Decode",
        ErrorKind::WebhookRejected { .. } => "WebhookRejected",
        ErrorKind::Configuration { .. } => "Configuration",
        _ => "other",
    }
}

/// `seconds` after the Unix epoch, when `SystemTime` holds it.
#[must_use]
pub fn at(seconds: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// How far a webhook got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// `verify` refused it, with a typed rejection.
    Refused,
    /// Verified, then `parse` refused it as `Malformed`.
    Verified,
    /// Verified and parsed into an event with an id.
    Parsed,
}

/// Verifies `raw` with `client`, then (when verified) parses it every public way,
/// asserting the properties: every failure is a typed rejection, a parse failure is
/// `Malformed`, a parsed event has an id.
///
/// # Panics
///
/// When a property does not hold (libFuzzer then reports the input).
pub fn easytransac_verify_and_parse(
    client: &pay_easytransac::EasytransacClient,
    raw: &pay_core::RawWebhook,
) -> Reached {
    use pay_core::Webhooks;
    let verified = match client.verify(raw) {
        Ok(v) => v,
        Err(e) => {
            let _ = rejection(&e);
            return Reached::Refused;
        }
    };
    let reached = match client.parse(&verified) {
        Ok(event) => {
            assert!(!event.id.as_str().is_empty(), "an event with no id");
            Reached::Parsed
        }
        Err(e) => {
            assert_eq!(rejection(&e), WebhookRejection::Malformed);
            Reached::Verified
        }
    };
    if let Ok(n) = pay_easytransac::parse_notification(&verified) {
        let _ = client.event_of(&n);
    }
    if let Err(e) = pay_easytransac::notification_extra_fields(&verified) {
        let _ = rejection(&e);
    }
    reached
}

/// [`easytransac_verify_and_parse`] for Easypay's notifications.
///
/// # Panics
///
/// When a property does not hold (libFuzzer then reports the input).
pub fn easypay_verify_and_parse(
    client: &pay_easypay::EasypayClient,
    raw: &pay_core::RawWebhook,
) -> Reached {
    use pay_core::Webhooks;
    let verified = match client.verify(raw) {
        Ok(v) => v,
        Err(e) => {
            let _ = rejection(&e);
            return Reached::Refused;
        }
    };
    match client.parse(&verified) {
        Ok(event) => {
            assert!(!event.id.as_str().is_empty(), "an event with no id");
            Reached::Parsed
        }
        Err(e) => {
            assert_eq!(rejection(&e), WebhookRejection::Malformed);
            Reached::Verified
        }
    }
}

/// An Easytransac client with [`API_KEY`] and the default (unused) base URL, for the
/// targets that never reach the network.
///
/// # Panics
///
/// When the client cannot be built.
#[must_use]
pub fn easytransac_client() -> &'static pay_easytransac::EasytransacClient {
    static CLIENT: std::sync::OnceLock<pay_easytransac::EasytransacClient> =
        std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        pay_easytransac::EasytransacClient::builder(api_key())
            .build()
            .expect("a client")
    })
}

/// A webhook received now-ish (the Unix epoch: no decoder reads the time).
#[must_use]
pub fn webhook(headers: Vec<(String, String)>, body: &[u8]) -> pay_core::RawWebhook {
    pay_core::RawWebhook::new(headers, body.to_vec(), UNIX_EPOCH)
}
