//! V1 request bodies: a wire type as the flat form fields PHP's `http_build_query` would
//! post (`Client[Id]=x` for one nested level), signed once, and percent-encoded.
//!
//! The wire type is serialised to JSON text and read back member by member as raw JSON
//! (`RawValue`), so a number's text is kept exactly as written: nothing passes through a
//! float.

use std::fmt;
use std::marker::PhantomData;

use pay_core::{ErrorKind, PayError};
use pay_signing::easytransac::{Params, sign};
use secrecy::SecretString;
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Object members in document order, as raw JSON borrowed from the text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'a>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        deserializer.deserialize_map(V(PhantomData))
    }
}

fn encoding_error(what: impl fmt::Display) -> PayError {
    PayError::new(ErrorKind::Configuration {
        reason: format!("request cannot be form-encoded: {what}"),
    })
}

/// A scalar's form text: strings as they are, numbers as written, `true`/`false` as
/// PHP sends them (`1`/`0`); `None` for `null` (PHP drops it).
fn scalar_text(raw: &RawValue) -> Result<Option<String>, PayError> {
    let text = raw.get();
    match text.as_bytes().first() {
        // A JSON string without a backslash is literal text: no parser needed.
        Some(b'"') if !text.contains('\\') && text.len() >= 2 && text.ends_with('"') => {
            Ok(Some(text[1..text.len() - 1].to_owned()))
        }
        Some(b'"') => serde_json::from_str::<String>(text)
            .map(Some)
            .map_err(encoding_error),
        Some(b'n') => Ok(None),
        Some(b't') => Ok(Some("1".to_owned())),
        Some(b'f') => Ok(Some("0".to_owned())),
        Some(b'-' | b'0'..=b'9') => Ok(Some(text.to_owned())),
        _ => Err(encoding_error("nested more than one level")),
    }
}

/// The form fields of a serialisable wire type, in its field order.
///
/// # Errors
/// `Configuration` when the value is not a JSON object of scalars and one-level maps.
pub(crate) fn fields_of<T: Serialize>(value: &T) -> Result<Vec<(String, String)>, PayError> {
    let json = serde_json::to_string(value).map_err(encoding_error)?;
    let members: Members = serde_json::from_str(&json).map_err(encoding_error)?;
    let mut out = Vec::new();
    for (key, raw) in members.0 {
        match raw.get().as_bytes().first() {
            Some(b'{') => {
                let inner: Members = serde_json::from_str(raw.get()).map_err(encoding_error)?;
                for (sub, v) in inner.0 {
                    if let Some(text) = scalar_text(v)? {
                        out.push((format!("{key}[{sub}]"), text));
                    }
                }
            }
            Some(b'[') => {
                let inner: Vec<&RawValue> =
                    serde_json::from_str(raw.get()).map_err(encoding_error)?;
                for (i, v) in inner.into_iter().enumerate() {
                    if let Some(text) = scalar_text(v)? {
                        out.push((format!("{key}[{i}]"), text));
                    }
                }
            }
            _ => {
                if let Some(text) = scalar_text(raw)? {
                    out.push((key, text));
                }
            }
        }
    }
    Ok(out)
}

/// The signed, encoded body of a wire type: its fields in field order, then `Signature`.
///
/// Most wire types are written straight into the signer's input by
/// [`form_serializer`](crate::form_serializer): a flat one (every field a scalar) as
/// one buffer of values signed where they are, one with nested values as `Params`; the
/// rest go through [`fields_of`] and [`signed_body`]. The three give the same bytes for
/// the types they share, and tests hold them to it.
///
/// # Errors
/// As [`fields_of`] and [`signed_body`].
pub(crate) fn signed_request<T: Serialize>(
    value: &T,
    api_key: &SecretString,
) -> Result<String, PayError> {
    if let Ok(form) = crate::form_serializer::flat_form_of(value) {
        let pairs = form.pairs();
        let signature =
            pay_signing::easytransac::sign_form(&pairs, api_key).map_err(encoding_error)?;
        return Ok(crate::form_serializer::FlatForm::encode_with_signature(
            &pairs,
            signature.as_str(),
        ));
    }
    match crate::form_serializer::params_of(value) {
        Ok(params) => {
            let signature = sign(&params, api_key).map_err(encoding_error)?;
            Ok(crate::form_serializer::encode_with_signature(
                &params,
                signature.as_str(),
            ))
        }
        Err(crate::form_serializer::Unsupported) => signed_body(fields_of(value)?, api_key),
    }
}

/// Signs `fields` (minus any `Signature` the caller put there) with the V1 algorithm and
/// returns the encoded body with `Signature` appended. Built once per call: every attempt
/// sends these bytes.
///
/// # Errors
/// `Configuration` when the fields cannot be signed (PHP key-order ambiguity).
pub(crate) fn signed_body(
    mut fields: Vec<(String, String)>,
    api_key: &SecretString,
) -> Result<String, PayError> {
    fields.retain(|(k, _)| !k.eq_ignore_ascii_case("signature"));
    let params = Params::from_form(&fields).map_err(encoding_error)?;
    let signature = sign(&params, api_key).map_err(encoding_error)?;
    fields.push(("Signature".to_owned(), signature.into_string()));
    Ok(encode(&fields))
}

/// `application/x-www-form-urlencoded`: every byte but `A-Z a-z 0-9 - . _ ~` escaped,
/// a space as `+`.
pub(crate) fn encode(pairs: &[(String, String)]) -> String {
    // Most bytes are sent as they are; escapes grow the buffer once or twice at most.
    let mut out = String::with_capacity(
        pairs
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2)
            .sum::<usize>()
            + 32,
    );
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        escape_into(k, &mut out);
        out.push('=');
        escape_into(v, &mut out);
    }
    out
}

/// Whether a byte is sent as it is (`A-Z a-z 0-9 - . _ ~`), by value.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte: u8 = 0;
    loop {
        table[byte as usize] = matches!(
            byte,
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~'
        );
        if byte == u8::MAX {
            break table;
        }
        byte += 1;
    }
};

/// Appends `text` percent-encoded as [`encode`] writes it.
///
/// Runs of characters that stay as they are are found by table and copied whole: this
/// is on every V1 request, and most values are plain (`docs/benchmarks.md`).
pub(crate) fn escape_into(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = text.as_bytes();
    out.reserve(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let end = bytes[at..]
            .iter()
            .position(|&byte| !PLAIN[usize::from(byte)])
            .map_or(bytes.len(), |n| at + n);
        // A run of ASCII both starts and ends on a character boundary (an empty one
        // may start inside a character, so it is not sliced).
        if at < end {
            out.push_str(&text[at..end]);
        }
        let Some(&byte) = bytes.get(end) else {
            break;
        };
        if byte == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        at = end + 1;
    }
}

/// Decodes a form body into pairs, in order (`+` is a space; malformed escapes kept).
pub(crate) fn decode(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (unescape(k), unescape(v)),
            None => (unescape(pair), String::new()),
        })
        .collect()
}

fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire;
    use pay_core::wire::MinorUnits;

    #[test]
    fn wire_types_become_flat_fields_with_exact_numbers() {
        let mut r = wire::V1CaptureRequest::new("ET123456".to_owned());
        r.amount = Some(MinorUnits(1250));
        let fields = fields_of(&r).unwrap();
        assert_eq!(
            fields,
            vec![
                ("Tid".to_owned(), "ET123456".to_owned()),
                ("Amount".to_owned(), "1250".to_owned())
            ]
        );
    }

    #[test]
    fn encode_and_decode_round_trip() {
        let pairs = vec![
            ("Client[Id]".to_owned(), "a b&c%".to_owned()),
            ("Email".to_owned(), "é@x.org".to_owned()),
        ];
        let text = encode(&pairs);
        assert_eq!(decode(&text), pairs);
        assert_eq!(
            decode("a=%zz&b=%4"),
            vec![
                ("a".to_owned(), "%zz".to_owned()),
                ("b".to_owned(), "%4".to_owned())
            ]
        );
    }

    /// The byte-by-byte encoding `escape_into` must equal.
    fn escaped_by_byte(text: &str) -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(byte).to_string()
                }
                b' ' => "+".to_owned(),
                other => format!("%{other:02X}"),
            })
            .collect()
    }

    #[test]
    fn escaping_copies_plain_runs_and_encodes_the_rest() {
        for (text, expected) in [
            ("", ""),
            ("plain-Text_1.2~", "plain-Text_1.2~"),
            (" ", "+"),
            ("a b", "a+b"),
            ("&=", "%26%3D"),
            ("é", "%C3%A9"),
            ("aé", "a%C3%A9"),
            ("éa", "%C3%A9a"),
            ("a€b c", "a%E2%82%ACb+c"),
        ] {
            let mut out = "x=".to_owned();
            escape_into(text, &mut out);
            assert_eq!(out, format!("x={expected}"), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn escaping_equals_the_byte_by_byte_encoding(text in "\\PC{0,40}") {
            let mut out = String::new();
            escape_into(&text, &mut out);
            proptest::prop_assert_eq!(out, escaped_by_byte(&text));
        }
    }
}
