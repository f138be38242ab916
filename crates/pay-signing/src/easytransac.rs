//! Easytransac V1 signature: sign request bodies, verify responses and notifications.
//!
//! The provider computes the signature in PHP (its reference SDK, `Security::getSignature`).
//! This module reproduces that computation exactly:
//!
//! 1. Every top-level key is lower-cased (ASCII only, as PHP ≥ 8.2 does). When two keys
//!    differ only in case, the **last** value wins (at the position of the first).
//! 2. Keys are sorted with PHP 8 `ksort`: canonical integer strings (`"0"`, `"10"`) are
//!    integer keys and sort numerically; two numeric strings compare numerically; a
//!    numeric and a non-numeric key compare as strings; everything else byte-wise.
//! 3. The key `signature` (any case) is skipped at the top level. Every other value is
//!    rendered as PHP would stringify it and followed by `$`: strings as is (no trimming,
//!    no URL-encoding, `$` not escaped), integers in decimal, `true` as `1`, `false`
//!    and `null` as the empty string.
//! 4. A one-level nested map (or list) contributes its values, lower-cased and sorted
//!    the same way, each followed by `$`; its keys never appear and `signature` is not
//!    skipped inside it. Anything nested deeper is [`Error::TooDeeplyNested`].
//! 5. The API key is appended (no trailing `$`) and the result is the lower-case hex
//!    SHA-1 of the UTF-8 bytes.
//!
//! Build the input as [`Params`] (a builder of ordered fields), from a posted form
//! ([`Params::from_form`], which understands PHP's `Client[Id]=x` nesting), or from JSON
//! ([`Params::from_json_str`] keeps document order; [`Params::from_json`] takes a parsed
//! [`serde_json::Value`]).
//!
//! # JSON numbers
//!
//! JSON integers are rendered in decimal. JSON floats are rendered as PHP's
//! `(string)$float` with the default `precision = 14` (`17.5` → `17.5`, `1.0` → `1`,
//! `0.1 + 0.2` → `0.3`, `1e20` → `1.0E+20`), derived exactly from the shortest decimal
//! text of the double. The rare floats whose PHP form cannot be derived exactly without
//! floating-point arithmetic (exactly half-way at the 15th significant digit, deep
//! subnormals) and integers above `i64::MAX` (PHP turns those into floats) are
//! [`Error::UnsupportedNumber`]. Easytransac sends amounts as strings (`"18.00"`), so in
//! practice signed payloads hold strings and small integers only.
//!
//! # Requests: sign what you send
//!
//! The server can only sign what it receives. PHP's `http_build_query` drops `null`s and
//! sends `false` as `0`, while the signature renders both as the empty string: build
//! request [`Params`] from the exact form fields you post, with booleans as the
//! provider's `yes`/`no` strings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use aws_lc_rs::digest;
use secrecy::{ExposeSecret, SecretString};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Error;
use crate::json;
use crate::php::{self, Key};

/// One scalar value, as PHP sees it before stringifying.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scalar {
    /// A string, hashed as its exact UTF-8 bytes.
    Str(String),
    /// An integer, hashed in decimal.
    Int(i64),
    /// A boolean: `true` hashes as `1`, `false` as the empty string.
    Bool(bool),
    /// `null`, hashed as the empty string.
    Null,
}

impl Scalar {
    fn feed(&self, sink: &mut impl FnMut(&[u8])) {
        match self {
            Scalar::Str(s) => sink(s.as_bytes()),
            Scalar::Int(i) => {
                // Decimal digits on the stack: i64::MIN has 19 digits and a sign.
                let mut digits = [0u8; 20];
                let mut at = digits.len();
                let mut rest = i.unsigned_abs();
                loop {
                    at -= 1;
                    // `rest % 10` is below 10, so the cast cannot truncate.
                    digits[at] = b'0' + (rest % 10) as u8;
                    rest /= 10;
                    if rest == 0 {
                        break;
                    }
                }
                if *i < 0 {
                    at -= 1;
                    digits[at] = b'-';
                }
                sink(&digits[at..]);
            }
            Scalar::Bool(true) => sink(b"1"),
            Scalar::Bool(false) | Scalar::Null => {}
        }
    }
}

// Values may be card numbers or IBANs: never print them.
impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scalar::Str(_) => "Str(<redacted>)",
            Scalar::Int(_) => "Int(<redacted>)",
            Scalar::Bool(_) => "Bool(<redacted>)",
            Scalar::Null => "Null",
        })
    }
}

impl From<&str> for Scalar {
    fn from(value: &str) -> Self {
        Scalar::Str(value.to_owned())
    }
}

impl From<String> for Scalar {
    fn from(value: String) -> Self {
        Scalar::Str(value)
    }
}

impl From<&String> for Scalar {
    fn from(value: &String) -> Self {
        Scalar::Str(value.clone())
    }
}

impl From<i64> for Scalar {
    fn from(value: i64) -> Self {
        Scalar::Int(value)
    }
}

impl From<i32> for Scalar {
    fn from(value: i32) -> Self {
        Scalar::Int(i64::from(value))
    }
}

impl From<u32> for Scalar {
    fn from(value: u32) -> Self {
        Scalar::Int(i64::from(value))
    }
}

impl From<bool> for Scalar {
    fn from(value: bool) -> Self {
        Scalar::Bool(value)
    }
}

impl<T: Into<Scalar>> From<Option<T>> for Scalar {
    fn from(value: Option<T>) -> Self {
        value.map_or(Scalar::Null, Into::into)
    }
}

/// The value of one top-level field: a scalar, or one level of `(key, scalar)` pairs
/// (a PHP array such as `Client[Id]`, a JSON object, or a JSON list keyed `0`, `1`, …).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValue {
    /// A scalar value.
    Scalar(Scalar),
    /// One level of nested `(key, scalar)` pairs, in input order.
    Nested(Vec<(String, Scalar)>),
}

impl fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Scalar(s) => fmt::Debug::fmt(s, f),
            FieldValue::Nested(entries) => f
                .debug_list()
                .entries(entries.iter().map(|(k, _)| format!("{k}: <redacted>")))
                .finish(),
        }
    }
}

impl<T: Into<Scalar>> From<T> for FieldValue {
    fn from(value: T) -> Self {
        FieldValue::Scalar(value.into())
    }
}

/// The fields covered by an Easytransac V1 signature, in input order.
///
/// Order only matters where PHP's does: for keys that differ only in case (the last
/// one wins) and for keys PHP's `ksort` considers equal (`"10"` and `"1e1"`), which keep
/// their input order. `Debug` shows the keys but never the values.
///
/// ```
/// use pay_signing::easytransac::Params;
///
/// let params = Params::new()
///     .with("Amount", 1234)
///     .with("OrderId", "A-1")
///     .with_nested("Client", [("Id", "DZxemv4"), ("Email", "john@doe.com")]);
/// assert_eq!(params.len(), 3);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    fields: Vec<(String, FieldValue)>,
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Params")
            .field(
                "keys",
                &self
                    .fields
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Params {
    /// An empty set of fields.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a scalar field (builder style).
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Scalar>) -> Self {
        self.push(key, value.into());
        self
    }

    /// Adds a field holding one level of `(key, scalar)` pairs (builder style).
    #[must_use]
    pub fn with_nested<K, V>(
        mut self,
        key: impl Into<String>,
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self
    where
        K: Into<String>,
        V: Into<Scalar>,
    {
        let entries = entries
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.push(key, FieldValue::Nested(entries));
        self
    }

    /// Appends a field.
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<FieldValue>) {
        self.fields.push((key.into(), value.into()));
    }

    /// The number of fields as given (before case folding).
    #[must_use]
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The last value given for exactly this key (case-sensitive, like PHP's `$data['Tid']`).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&FieldValue> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The fields in input order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldValue)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Parses `application/x-www-form-urlencoded` fields (already percent-decoded) the
    /// way PHP fills `$_POST`: `Name=x` is a scalar, `Client[Id]=x` puts `Id => x` into
    /// the nested map `Client`, `List[]=x` appends with the next integer index. A later
    /// assignment to the same name replaces the earlier one, as in PHP.
    ///
    /// Names are kept exactly as sent. (PHP would also rename `a.b` to `a_b` in `$_POST`,
    /// but the provider signed the names it sent, so we keep those.)
    ///
    /// # Errors
    ///
    /// [`Error::TooDeeplyNested`] for `a[b][c]`; [`Error::MalformedInput`] for a name
    /// with an empty base (`[x]`) or text after the closing bracket (`a[b]c`).
    pub fn from_form<K, V>(pairs: &[(K, V)]) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut fields: Vec<(String, FieldValue)> = Vec::new();
        for (name, value) in pairs {
            let name = name.as_ref();
            let value = value.as_ref();
            match split_form_name(name)? {
                FormName::Flat => {
                    fields.retain(|(k, _)| k != name);
                    fields.push((
                        name.to_owned(),
                        FieldValue::Scalar(Scalar::Str(value.to_owned())),
                    ));
                }
                FormName::Nested { base, sub } => {
                    let position = fields.iter().position(|(k, _)| k == base);
                    let index = match position {
                        Some(i) if matches!(fields[i].1, FieldValue::Nested(_)) => i,
                        Some(i) => {
                            // A scalar is overwritten by a new array, as in PHP.
                            fields.remove(i);
                            fields.push((base.to_owned(), FieldValue::Nested(Vec::new())));
                            fields.len() - 1
                        }
                        None => {
                            fields.push((base.to_owned(), FieldValue::Nested(Vec::new())));
                            fields.len() - 1
                        }
                    };
                    if let FieldValue::Nested(entries) = &mut fields[index].1 {
                        let sub = match sub {
                            Some(sub) => sub.to_owned(),
                            None => next_index(entries).to_string(),
                        };
                        match entries.iter_mut().find(|(k, _)| *k == sub) {
                            Some(entry) => entry.1 = Scalar::Str(value.to_owned()),
                            None => entries.push((sub, Scalar::Str(value.to_owned()))),
                        }
                    }
                }
            }
        }
        Ok(Self { fields })
    }

    /// Converts a parsed JSON value: an object gives one field per member, a list gives
    /// fields keyed `0`, `1`, …, and a bare scalar gives a single field (PHP signs a
    /// non-array value `v` as `v$key`, which is the same thing).
    ///
    /// `serde_json::Map` iterates in key order (unless a crate in the build enables
    /// `serde_json/preserve_order`), which decides "last one wins" between keys differing
    /// only in case. Use [`Params::from_json_str`] to follow document order exactly.
    ///
    /// # Errors
    ///
    /// [`Error::TooDeeplyNested`] for values nested more than one level;
    /// [`Error::UnsupportedNumber`] for numbers without an exact PHP string form.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, Error> {
        let mut fields = Vec::new();
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    fields.push((key.clone(), field_from_json(key, v)?));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let key = i.to_string();
                    let field = field_from_json(&key, v)?;
                    fields.push((key, field));
                }
            }
            scalar => {
                let key = "0".to_owned();
                let field = FieldValue::Scalar(
                    scalar_from_json(&key, scalar)?
                        .ok_or_else(|| Error::malformed("scalar expected"))?,
                );
                fields.push((key, field));
            }
        }
        Ok(Self { fields })
    }

    /// Parses JSON text, keeping the document order of object members (which decides
    /// "last one wins" between keys differing only in case, and `ksort` ties).
    ///
    /// # Errors
    ///
    /// [`Error::MalformedInput`] for invalid JSON; otherwise as [`Params::from_json`].
    pub fn from_json_str(json: &str) -> Result<Self, Error> {
        let mut fields = Vec::new();
        match first_char(json) {
            Some('{') => {
                let members: BorrowedMembers<'_> =
                    serde_json::from_str(json).map_err(|_| Error::malformed("invalid JSON"))?;
                for (key, raw) in members.0 {
                    let field = field_from_raw(&key, raw)?;
                    fields.push((key.into_owned(), field));
                }
            }
            Some('[') => {
                let items: Vec<&RawValue> =
                    serde_json::from_str(json).map_err(|_| Error::malformed("invalid JSON"))?;
                for (i, raw) in items.iter().enumerate() {
                    let key = i.to_string();
                    let field = field_from_raw(&key, raw)?;
                    fields.push((key, field));
                }
            }
            _ => {
                let value: serde_json::Value =
                    serde_json::from_str(json).map_err(|_| Error::malformed("invalid JSON"))?;
                return Self::from_json(&value);
            }
        }
        Ok(Self { fields })
    }
}

/// A V1 signature: 40 lower-case hexadecimal characters.
///
/// Not a secret (it travels with the payload), but compare signatures only through
/// [`verify`], which does so in constant time; this type has no `==`.
#[derive(Clone)]
pub struct Signature(String);

impl Signature {
    /// The signature as sent in the `Signature` field.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The signature as an owned string.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Signature").field(&self.0).finish()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Computes the V1 signature of `params` with the merchant's API key.
///
/// ```
/// use pay_signing::easytransac::{sign, Params};
/// use secrecy::SecretString;
///
/// let key = SecretString::from("YOURAPIKEY");
/// let params = Params::new()
///     .with("Amount", 1234)
///     .with("Uid", "Abc123")
///     .with("Email", "john@doe.com")
///     .with("CardNumber", "1234567897654321")
///     .with("CardMonth", "09")
///     .with("CardYear", "2016")
///     .with("CardCVV", "123")
///     .with("ClientIp", "89.184.22.134");
/// let signature = sign(&params, &key)?;
/// assert_eq!(signature.as_str(), "f5b55971cdf0f5bf522afab8b03e2dd732d6cca3");
/// # Ok::<(), pay_signing::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::AmbiguousKeyOrder`] when PHP's `ksort` result for these keys would depend on
/// its sort algorithm (only possible when integer-like and other keys are mixed).
pub fn sign(params: &Params, api_key: &SecretString) -> Result<Signature, Error> {
    sign_fields(&params.fields, api_key)
}

/// [`sign`] of a flat form: `(name, value)` pairs of strings, in the order sent.
///
/// The signature is [`sign`]'s over [`Params`] holding the same pairs as string
/// scalars; the pairs are signed where they are, without copying them into `Params`.
/// Names are taken as they are: `Client[Id]` is a field of that name, not PHP's nested
/// `Client` (parse such names with [`Params::from_form`] and [`sign`] that), and a pair
/// named `Signature` (in any case) is left out, as [`sign`] leaves it out.
///
/// ```
/// use pay_signing::easytransac::{Params, sign, sign_form};
/// use secrecy::SecretString;
///
/// let key = SecretString::from("YOURAPIKEY");
/// let pairs = [("Amount", "1250"), ("OrderId", "A-1")];
/// let params = Params::new().with("Amount", "1250").with("OrderId", "A-1");
/// assert_eq!(sign_form(&pairs, &key)?.as_str(), sign(&params, &key)?.as_str());
/// # Ok::<(), pay_signing::Error>(())
/// ```
///
/// # Errors
///
/// As [`sign`].
pub fn sign_form(fields: &[(&str, &str)], api_key: &SecretString) -> Result<Signature, Error> {
    sign_fields(fields, api_key)
}

/// [`sign`] over any fields the canonical walk understands.
fn sign_fields<K: AsRef<str>, V: Field>(
    fields: &[(K, V)],
    api_key: &SecretString,
) -> Result<Signature, Error> {
    Ok(Signature(hex_lower(&digest_fields(fields, api_key)?)))
}

/// The SHA-1 of the canonical string of `fields` and the API key.
fn digest_fields<K: AsRef<str>, V: Field>(
    fields: &[(K, V)],
    api_key: &SecretString,
) -> Result<[u8; 20], Error> {
    let mut ctx = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
    let mut buffer = HashBuffer::new(&mut ctx);
    walk(fields, &mut |bytes| buffer.write(bytes))?;
    buffer.write(api_key.expose_secret().as_bytes());
    buffer.flush();
    drop(buffer);
    let mut digest = [0; 20];
    digest.copy_from_slice(ctx.finish().as_ref());
    Ok(digest)
}

/// Checks `signature` against the signature of `fields`, in constant time, without
/// writing the expected signature out as a `String`.
fn verify_fields<K: AsRef<str>, V: Field>(
    fields: &[(K, V)],
    api_key: &SecretString,
    signature: &str,
) -> Result<(), Error> {
    let digest = digest_fields(fields, api_key)?;
    let mut expected = [0u8; 40];
    for (pair, byte) in expected.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&hex_pair(byte));
    }
    if bool::from(expected.ct_eq(signature.as_bytes())) {
        Ok(())
    } else {
        Err(Error::SignatureMismatch)
    }
}

/// Checks `signature` against the V1 signature of `params`, in constant time.
///
/// The expected form is exactly what the provider sends: 40 lower-case hex characters.
/// Upper-case hex is rejected (PHP compares the strings as they are).
///
/// # Errors
///
/// [`Error::SignatureMismatch`] when it does not match; as [`sign`] otherwise.
pub fn verify(params: &Params, api_key: &SecretString, signature: &str) -> Result<(), Error> {
    verify_fields(&params.fields, api_key, signature)
}

/// The exact string that gets SHA-1'd, for tests and debugging.
///
/// It ends with the API key, so it is returned as a [`SecretString`].
///
/// # Errors
///
/// As [`sign`].
pub fn canonical_string(params: &Params, api_key: &SecretString) -> Result<SecretString, Error> {
    let key = api_key.expose_secret();
    // Size first so the buffer never reallocates (which would leave copies behind).
    let mut len = 0;
    walk(&params.fields, &mut |bytes| len += bytes.len())?;
    let mut out = Zeroizing::new(Vec::with_capacity(len + key.len()));
    walk(&params.fields, &mut |bytes| out.extend_from_slice(bytes))?;
    out.extend_from_slice(key.as_bytes());
    // Every piece came from a `&str`, so the bytes are UTF-8.
    let text = std::str::from_utf8(&out).map_err(|_| Error::Crypto)?;
    Ok(SecretString::from(text))
}

/// Verifies a V1 API response body: its top-level `Signature` must be the signature of
/// its `Result` (object or list) alone.
///
/// Only call this on success responses (`Code` = 0); error responses are not signed.
/// Takes the raw body text so object members keep their document order. To decode the
/// `Result` as well, [`verify_response_result`] does both with one reading of the body.
///
/// # Errors
///
/// [`Error::MalformedInput`] if the body is not a JSON object;
/// [`Error::MissingField`] without `Signature` (as a string) or `Result`;
/// [`Error::SignatureMismatch`]; or as [`Params::from_json`].
pub fn verify_response(body: &str, api_key: &SecretString) -> Result<(), Error> {
    verify_response_result(body, api_key).map(|_| ())
}

/// [`verify_response`], answering the verified `Result` for decoding.
///
/// The usual answer, an object `Result`, is read once: its members are signed and then
/// decoded by [`VerifiedResult::deserialize`] from what was read, without parsing the
/// body again. Any other body (a list `Result`, an invalid or unusual one) takes the
/// general reading, with the same outcome and errors as always.
///
/// ```
/// use pay_signing::easytransac::{Params, sign, verify_response_result};
/// use secrecy::SecretString;
///
/// let key = SecretString::from("YOURAPIKEY");
/// let signature = sign(&Params::new().with("Tid", "ET1").with("Status", "captured"), &key)?;
/// let body = format!(
///     r#"{{"Code":0,"Result":{{"Tid":"ET1","Status":"captured"}},"Signature":"{}"}}"#,
///     signature.as_str()
/// );
/// #[derive(serde::Deserialize)]
/// struct Done {
///     #[serde(rename = "Tid")]
///     tid: String,
/// }
/// let done: Done = verify_response_result(&body, &key)?.deserialize().expect("decodes");
/// assert_eq!(done.tid, "ET1");
/// # Ok::<(), pay_signing::Error>(())
/// ```
///
/// # Errors
///
/// As [`verify_response`].
pub fn verify_response_result<'a>(
    body: &'a str,
    api_key: &SecretString,
) -> Result<VerifiedResult<'a>, Error> {
    // Three levels: the body, its `Result`, and a value nested in the `Result`
    // (`Client`); anything deeper is checked but not kept, and refused as the general
    // reading refuses it. Of the body's members, only `Signature` and `Result` are kept.
    let general =
        || verify_response_text(body, api_key).map(|text| VerifiedResult(Verified::Text(text)));
    let Some(document) = json::Document::read_named(body, &["Signature", "Result"], 3) else {
        return general();
    };
    // The last of repeated names wins, as in the general reading.
    let last = |name: &str| document.root().iter().rev().find(|member| member.is(name));
    let (Some(signature), Some(result)) = (last("Signature"), last("Result")) else {
        return general();
    };
    let result = *result.value();
    let json::Kind::Object(members) = result.kind() else {
        return general();
    };
    let Some(signature) = signature.value().string() else {
        return Err(Error::MissingField { name: "Signature" });
    };
    // The usual object `Result`: signed straight from the document, its strings
    // borrowed, with what `Params::from_json_str` would build (the same fields, in
    // document order).
    let members_of_result = document.members_of(members).unwrap_or_default();
    // Collected by hand: a `Result` collect cannot tell `Vec` how many are coming.
    let mut fields = Vec::with_capacity(members_of_result.len());
    for member in members_of_result {
        let key = member.key();
        let field = node_field(&document, &key, member.value())?;
        fields.push((key, field));
    }
    verify_fields(&fields, api_key, &signature)?;
    drop(fields);
    Ok(VerifiedResult(Verified::Object {
        document,
        result,
        body,
    }))
}

/// The `Result` of a V1 answer whose `Signature` matched it
/// ([`verify_response_result`]).
pub struct VerifiedResult<'a>(Verified<'a>);

enum Verified<'a> {
    /// An object `Result`: the body read once (its `Signature` and `Result` kept), the
    /// `Result` in it, and the body's text.
    Object {
        document: json::Document<'a>,
        result: json::Node<'a>,
        body: &'a str,
    },
    /// Any other `Result`, as its raw JSON text.
    Text(&'a str),
}

impl<'a> VerifiedResult<'a> {
    /// Decodes the verified `Result` as `T`.
    ///
    /// An object `Result` is decoded from its members; a `T` that cannot be (one that
    /// keeps the whole `Result` as a `RawValue`), or that does not fit them, is decoded
    /// from the `Result`'s text instead, so the outcome and the error are `serde_json`'s
    /// own reading of that text.
    ///
    /// # Errors
    ///
    /// When the `Result` is not a `T`, as `serde_json` reports it.
    pub fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, serde_json::Error> {
        match &self.0 {
            Verified::Object {
                document,
                result,
                body,
            } => json::from_object(document, result)
                .or_else(|_| serde_json::from_str(result_text(body)?)),
            Verified::Text(text) => serde_json::from_str(text),
        }
    }
}

impl fmt::Debug for VerifiedResult<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Answers hold personal data: the shape only.
        match &self.0 {
            Verified::Object {
                document, result, ..
            } => write!(
                f,
                "VerifiedResult(object of {})",
                document.members(result).map_or(0, <[_]>::len)
            ),
            Verified::Text(text) => write!(f, "VerifiedResult({} bytes)", text.len()),
        }
    }
}

/// The raw text of the (last) `Result` of a body already verified.
fn result_text(body: &str) -> Result<&str, serde_json::Error> {
    let members: BorrowedMembers<'_> = serde_json::from_str(body)?;
    members
        .0
        .into_iter()
        .rev()
        .find(|(key, _)| key == "Result")
        .map(|(_, raw)| raw.get())
        .ok_or_else(|| serde::de::Error::missing_field("Result"))
}

/// The general reading behind [`verify_response_result`]: answers the `Result`'s text.
fn verify_response_text<'a>(body: &'a str, api_key: &SecretString) -> Result<&'a str, Error> {
    let members: BorrowedMembers<'_> = match first_char(body) {
        Some('{') => serde_json::from_str(body)
            .map_err(|_| Error::malformed("response body is not valid JSON"))?,
        _ => return Err(Error::malformed("response body is not a JSON object")),
    };
    let mut signature = None;
    let mut result = None;
    for (key, raw) in &members.0 {
        match key.as_ref() {
            "Signature" => signature = Some(raw),
            "Result" => result = Some(raw),
            _ => {}
        }
    }
    let signature = signature.ok_or(Error::MissingField { name: "Signature" })?;
    let signature: String = serde_json::from_str(signature.get())
        .map_err(|_| Error::MissingField { name: "Signature" })?;
    let result = result.ok_or(Error::MissingField { name: "Result" })?.get();
    if first_char(result) != Some('{') {
        verify(&Params::from_json_str(result)?, api_key, &signature)?;
        return Ok(result);
    }
    let members: BorrowedMembers<'_> =
        serde_json::from_str(result).map_err(|_| Error::malformed("invalid JSON"))?;
    let fields = members
        .0
        .into_iter()
        .map(|(key, raw)| {
            let field = json_field(&key, raw)?;
            Ok((key, field))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    verify_fields(&fields, api_key, &signature)?;
    Ok(result)
}

/// Verifies a PUSH notification (or a `ReturnUrl` POST), form-encoded or JSON, once
/// parsed into [`Params`].
///
/// As the provider's SDK does: `Tid`, `Status` and `Signature` must be present (exact
/// case; an empty string counts as present, `null` does not), then the signature over
/// all fields except `Signature` (nested `Client` values included) must match.
///
/// # Errors
///
/// [`Error::MissingField`] before any signature work; [`Error::SignatureMismatch`];
/// or as [`sign`].
pub fn verify_notification(params: &Params, api_key: &SecretString) -> Result<(), Error> {
    for name in ["Tid", "Status", "Signature"] {
        match params.get(name) {
            None | Some(FieldValue::Scalar(Scalar::Null)) => {
                return Err(Error::MissingField { name });
            }
            Some(_) => {}
        }
    }
    let signature = match params.get("Signature") {
        Some(FieldValue::Scalar(Scalar::Str(s))) => s.as_str(),
        _ => return Err(Error::SignatureMismatch),
    };
    verify(params, api_key, signature)
}

// ----------------------------------------------------------------------------------
// The canonical walk.
//
// Signing is on every V1 request and every answer's verification, so the walk avoids
// per-field work: the lower-cased keys of a level share one buffer, keys with nothing
// numeric about them (the usual case) sort by bytes without PHP's numeric comparison,
// and `sign` hashes through a stack buffer instead of one digest update per piece
// (`docs/benchmarks.md`, section (d)).

/// Feeds the canonical string, without the API key, to `sink`.
fn walk<K: AsRef<str>, V: Field>(
    fields: &[(K, V)],
    sink: &mut impl FnMut(&[u8]),
) -> Result<(), Error> {
    let mut nested_result = Ok(());
    for_each_in_php_order(fields, &mut |key, value: &V| {
        if nested_result.is_err() || key == b"signature" {
            return;
        }
        match value.view() {
            FieldView::Scalar(s) => {
                s.feed(sink);
                sink(b"$");
            }
            FieldView::Nested(entries) => {
                nested_result = for_each_in_php_order(entries, &mut |_, scalar| {
                    scalar.feed(sink);
                    sink(b"$");
                });
            }
        }
    })?;
    nested_result
}

/// Calls `visit` with each distinct lower-cased key of `fields` and its value (the last
/// of the keys equal but for case) in PHP 8's `ksort` order.
fn for_each_in_php_order<K: AsRef<str>, V>(
    fields: &[(K, V)],
    visit: &mut impl FnMut(&[u8], &V),
) -> Result<(), Error> {
    let key_bytes: usize = fields.iter().map(|(key, _)| key.as_ref().len()).sum();
    let plain = if fields.len() <= STACK_ENTRIES && key_bytes <= STACK_KEY_BYTES {
        // The usual level (a dozen or two short keys) is sorted on the stack.
        let mut keys = [0; STACK_KEY_BYTES];
        let mut entries = [PlainEntry::default(); STACK_ENTRIES];
        plain_walk(
            fields,
            &mut keys[..key_bytes],
            &mut entries[..fields.len()],
            visit,
        )
    } else {
        let mut keys = vec![0; key_bytes];
        let mut entries = vec![PlainEntry::default(); fields.len()];
        plain_walk(fields, &mut keys, &mut entries, visit)
    };
    if plain {
        return Ok(());
    }
    let level = Level::fold(fields);
    for i in level.php_order()? {
        let (key, value) = level.entry(i);
        visit(key.as_bytes(), value);
    }
    Ok(())
}

/// The most fields and key bytes a level may have to be sorted on the stack.
const STACK_ENTRIES: usize = 32;
const STACK_KEY_BYTES: usize = 512;

/// One key of a plain level ([`plain_walk`]).
#[derive(Clone, Copy, Default)]
struct PlainEntry {
    /// The lower-cased key's first 8 bytes, big-endian, zero-padded: comparing two
    /// prefixes orders the keys as comparing their bytes does, unless the prefixes
    /// are equal.
    prefix: u64,
    /// Where the lower-cased key is in the key buffer.
    start: usize,
    end: usize,
    /// The field's input position.
    index: usize,
}

/// The usual level: no key is numeric (an integer key or a numeric string), so PHP
/// compares every pair of keys byte-wise, a total order on the distinct lower-cased
/// keys. Sorting by `(lower-cased key, input position)` puts keys equal but for case
/// next to each other, in input order, and the last of each run is the value PHP keeps;
/// where the first of them stood does not matter, since the order is total. This is
/// [`Level::fold`] then [`Level::php_order`] without the pairwise case-insensitive
/// search or the indirect comparisons.
///
/// `keys` has room for every key and `entries` one entry per field. Answers `false`,
/// having visited nothing, when a key is numeric: [`Level`] decides those.
fn plain_walk<K: AsRef<str>, V>(
    fields: &[(K, V)],
    keys: &mut [u8],
    entries: &mut [PlainEntry],
    visit: &mut impl FnMut(&[u8], &V),
) -> bool {
    let mut end = 0;
    for (index, ((key, _), entry)) in fields.iter().zip(entries.iter_mut()).enumerate() {
        let key = key.as_ref();
        let start = end;
        end += key.len();
        let lower = &mut keys[start..end];
        lower.copy_from_slice(key.as_bytes());
        lower.make_ascii_lowercase();
        // Keys such as `3DSecure` start like a number but are not numeric strings.
        // Lower-casing ASCII keeps the text UTF-8 (were it not, `Level` would decide).
        if php::may_be_numeric(key)
            && std::str::from_utf8(lower).map_or(true, |lower| Key::classify(lower).is_numeric())
        {
            return false;
        }
        let mut prefix = [0; 8];
        for (slot, byte) in prefix.iter_mut().zip(lower.iter()) {
            *slot = *byte;
        }
        *entry = PlainEntry {
            prefix: u64::from_be_bytes(prefix),
            start,
            end,
            index,
        };
    }
    let keys = &*keys;
    let key = |entry: &PlainEntry| &keys[entry.start..entry.end];
    // The input position breaks ties between equal keys in input order (a stable sort
    // without the stable sort's buffer). Not `start`: empty keys in a row share it.
    entries.sort_unstable_by(|a, b| {
        a.prefix
            .cmp(&b.prefix)
            .then_with(|| key(a).cmp(key(b)))
            .then(a.index.cmp(&b.index))
    });
    for (i, entry) in entries.iter().enumerate() {
        // Of keys equal but for case, only the last (in input order) counts.
        if let Some(next) = entries.get(i + 1)
            && next.prefix == entry.prefix
            && key(next) == key(entry)
        {
            continue;
        }
        visit(key(entry), &fields[entry.index].1);
    }
    true
}

/// A value the canonical walk can hash: a scalar, or one level of `(key, scalar)`.
trait Field {
    /// The nested keys.
    type Key: AsRef<str>;
    /// The scalars.
    type Scalar: Feed;
    fn view(&self) -> FieldView<'_, Self::Key, Self::Scalar>;
}

/// What a [`Field`] holds.
enum FieldView<'a, K, S> {
    Scalar(&'a S),
    Nested(&'a [(K, S)]),
}

/// A scalar that hashes as PHP stringifies it.
trait Feed {
    fn feed(&self, sink: &mut impl FnMut(&[u8]));
}

impl Feed for Scalar {
    fn feed(&self, sink: &mut impl FnMut(&[u8])) {
        Scalar::feed(self, sink);
    }
}

impl Field for FieldValue {
    type Key = String;
    type Scalar = Scalar;
    fn view(&self) -> FieldView<'_, String, Scalar> {
        match self {
            FieldValue::Scalar(s) => FieldView::Scalar(s),
            FieldValue::Nested(entries) => FieldView::Nested(entries),
        }
    }
}

impl Feed for &str {
    fn feed(&self, sink: &mut impl FnMut(&[u8])) {
        sink(self.as_bytes());
    }
}

/// A string field of a flat form ([`sign_form`]).
impl<'s> Field for &'s str {
    type Key = &'static str;
    type Scalar = &'s str;
    fn view(&self) -> FieldView<'_, &'static str, &'s str> {
        FieldView::Scalar(self)
    }
}

/// A scalar read from JSON text: a string without escapes stays borrowed.
enum ScalarRef<'a> {
    Text(&'a str),
    Owned(Scalar),
}

impl Feed for ScalarRef<'_> {
    fn feed(&self, sink: &mut impl FnMut(&[u8])) {
        match self {
            ScalarRef::Text(text) => sink(text.as_bytes()),
            ScalarRef::Owned(scalar) => scalar.feed(sink),
        }
    }
}

/// A field read from JSON text, borrowing what it can ([`verify_response`]'s fast path).
enum JsonField<'a> {
    Scalar(ScalarRef<'a>),
    Nested(Vec<(Cow<'a, str>, ScalarRef<'a>)>),
}

impl<'a> Field for JsonField<'a> {
    type Key = Cow<'a, str>;
    type Scalar = ScalarRef<'a>;
    fn view(&self) -> FieldView<'_, Cow<'a, str>, ScalarRef<'a>> {
        match self {
            JsonField::Scalar(s) => FieldView::Scalar(s),
            JsonField::Nested(entries) => FieldView::Nested(entries),
        }
    }
}

/// The scalar of `raw` (a value at either level), borrowing strings without escapes.
///
/// # Errors
///
/// [`Error::TooDeeplyNested`] for an object or a list; [`Error::MalformedInput`] for
/// invalid JSON; otherwise as [`scalar_from_json`].
fn scalar_ref<'a>(key: &str, text: &'a str) -> Result<ScalarRef<'a>, Error> {
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
        && !inner.contains('\\')
    {
        return Ok(ScalarRef::Text(inner));
    }
    let too_deep = || Error::TooDeeplyNested {
        key: key.to_owned(),
    };
    if matches!(first_char(text), Some('{' | '[')) {
        return Err(too_deep());
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| Error::malformed("invalid JSON"))?;
    scalar_from_json(key, &value)?
        .map(ScalarRef::Owned)
        .ok_or_else(too_deep)
}

impl ScalarRef<'_> {
    fn into_owned(self) -> Scalar {
        match self {
            ScalarRef::Text(text) => Scalar::Str(text.to_owned()),
            ScalarRef::Owned(scalar) => scalar,
        }
    }
}

impl JsonField<'_> {
    fn into_owned(self) -> FieldValue {
        match self {
            JsonField::Scalar(s) => FieldValue::Scalar(s.into_owned()),
            JsonField::Nested(entries) => FieldValue::Nested(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ),
        }
    }
}

/// A top-level field of JSON text, borrowing what it can; nested values must be scalars.
fn json_field<'a>(key: &str, raw: &'a RawValue) -> Result<JsonField<'a>, Error> {
    let nested = |raw: &'a RawValue| scalar_ref(key, raw.get());
    match first_char(raw.get()) {
        Some('{') => {
            let members: BorrowedMembers<'a> =
                serde_json::from_str(raw.get()).map_err(|_| Error::malformed("invalid JSON"))?;
            let entries = members
                .0
                .into_iter()
                .map(|(k, v)| Ok((k, nested(v)?)))
                .collect::<Result<_, Error>>()?;
            Ok(JsonField::Nested(entries))
        }
        Some('[') => {
            let items: Vec<&'a RawValue> =
                serde_json::from_str(raw.get()).map_err(|_| Error::malformed("invalid JSON"))?;
            let entries = items
                .into_iter()
                .enumerate()
                .map(|(i, v)| Ok((Cow::Owned(i.to_string()), nested(v)?)))
                .collect::<Result<_, Error>>()?;
            Ok(JsonField::Nested(entries))
        }
        _ => scalar_ref(key, raw.get()).map(JsonField::Scalar),
    }
}

/// [`json_field`] of a value of `document`.
fn node_field<'t>(
    document: &'t json::Document<'_>,
    key: &str,
    node: &'t json::Node<'_>,
) -> Result<JsonField<'t>, Error> {
    let nested = |node: &'t json::Node<'_>| node_scalar(key, node);
    match node.kind() {
        json::Kind::Object(_) => {
            let members = document.members(node).unwrap_or_default();
            let mut entries = Vec::with_capacity(members.len());
            for member in members {
                entries.push((member.key(), nested(member.value())?));
            }
            Ok(JsonField::Nested(entries))
        }
        json::Kind::Array(_) => {
            let Some(items) = document.items(node) else {
                return Ok(JsonField::Nested(Vec::new()));
            };
            let mut entries = Vec::with_capacity(items.len());
            for (i, item) in items.enumerate() {
                entries.push((Cow::Owned(i.to_string()), nested(item)?));
            }
            Ok(JsonField::Nested(entries))
        }
        _ => node_scalar(key, node).map(JsonField::Scalar),
    }
}

/// [`scalar_ref`] of a value of a [`json::Document`].
fn node_scalar<'t>(key: &str, node: &'t json::Node<'_>) -> Result<ScalarRef<'t>, Error> {
    match node.string() {
        Some(Cow::Borrowed(text)) => Ok(ScalarRef::Text(text)),
        Some(Cow::Owned(text)) => Ok(ScalarRef::Owned(Scalar::Str(text))),
        None => scalar_ref(key, node.raw()),
    }
}

/// One level of fields with lower-cased (ASCII), distinct keys: for keys that differ
/// only in case the last value wins, at the position of the first.
struct Level<'v, V> {
    /// Every lower-cased key, back to back.
    keys: String,
    /// `(start, end)` of the key in `keys`, and its value.
    entries: Vec<(usize, usize, &'v V)>,
}

impl<'v, V> Level<'v, V> {
    fn fold<K: AsRef<str>>(fields: &'v [(K, V)]) -> Self {
        let mut level = Level {
            keys: String::with_capacity(fields.iter().map(|(k, _)| k.as_ref().len()).sum()),
            entries: Vec::with_capacity(fields.len()),
        };
        // Linear probing is faster for the usual dozen fields; index long lists.
        let mut index: Option<HashMap<String, usize>> = (fields.len() > 32).then(HashMap::new);
        for (key, value) in fields {
            let key = key.as_ref();
            let existing = match &index {
                Some(map) => map.get(&key.to_ascii_lowercase()).copied(),
                // The stored key is lower case, so this compares lower-cased keys.
                None => (0..level.entries.len()).find(|&i| level.key(i).eq_ignore_ascii_case(key)),
            };
            match existing {
                Some(i) => level.entries[i].2 = value,
                None => {
                    let start = level.keys.len();
                    level.keys.push_str(key);
                    level.keys[start..].make_ascii_lowercase();
                    if let Some(map) = &mut index {
                        map.insert(level.keys[start..].to_owned(), level.entries.len());
                    }
                    level.entries.push((start, level.keys.len(), value));
                }
            }
        }
        level
    }

    fn key(&self, i: usize) -> &str {
        let (start, end, _) = self.entries[i];
        &self.keys[start..end]
    }

    fn entry(&self, i: usize) -> (&str, &'v V) {
        (self.key(i), self.entries[i].2)
    }

    /// The order PHP 8's stable `ksort` puts these keys in, as indices into the level.
    fn php_order(&self) -> Result<Vec<usize>, Error> {
        let n = self.entries.len();
        let mut order: Vec<usize> = (0..n).collect();
        if (0..n).all(|i| !php::may_be_numeric(self.key(i))) {
            // No key is numeric, so PHP compares them all byte-wise: a total order on
            // distinct keys, which any sort reproduces.
            order.sort_unstable_by(|&a, &b| self.key(a).as_bytes().cmp(self.key(b).as_bytes()));
            return Ok(order);
        }
        let keys: Vec<Key<'_>> = (0..n).map(|i| Key::classify(self.key(i))).collect();
        let all_int = keys.iter().all(|k| matches!(k, Key::Int(_)));
        let numeric = keys.iter().filter(|k| k.is_numeric()).count();
        if all_int || numeric == 0 {
            // Plain total orders (integers, or byte strings): any sort gives PHP's result.
            order.sort_by(|&a, &b| {
                php::compare_keys(&keys[a], &keys[b]).unwrap_or(std::cmp::Ordering::Equal)
            });
            return Ok(order);
        }
        let ambiguous = |a: usize, b: usize| Error::AmbiguousKeyOrder {
            first: self.key(a).to_owned(),
            second: self.key(b).to_owned(),
        };
        // Ties keep input order (PHP 8 sorts are stable).
        let strict = |a: usize, b: usize| {
            php::compare_keys(&keys[a], &keys[b])
                .map(|o| o.then(a.cmp(&b)))
                .map_err(|_| ambiguous(a, b))
        };
        merge_sort(&mut order, &strict)?;
        if numeric < keys.len() {
            // Numeric and non-numeric keys together: PHP's comparison may be intransitive
            // (9 < 10, 10 < "1a", "1a" < 9). Accept the order only if every pair agrees,
            // which makes it the unique order any correct sort, PHP's included, produces.
            for (i, &a) in order.iter().enumerate() {
                for &b in &order[i + 1..] {
                    if strict(a, b)? != std::cmp::Ordering::Less {
                        return Err(ambiguous(a, b));
                    }
                }
            }
        }
        Ok(order)
    }
}

/// Bytes on their way into a SHA-1, gathered on the stack so that the digest is updated
/// once per 256 bytes rather than once per piece. The buffer holds card data while it
/// lives, so it is wiped when dropped.
struct HashBuffer<'c> {
    ctx: &'c mut digest::Context,
    buf: Zeroizing<[u8; 256]>,
    len: usize,
}

impl<'c> HashBuffer<'c> {
    fn new(ctx: &'c mut digest::Context) -> Self {
        Self {
            ctx,
            buf: Zeroizing::new([0; 256]),
            len: 0,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buf.len() {
            self.flush();
        }
        if bytes.len() > self.buf.len() {
            self.ctx.update(bytes);
        } else {
            self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        }
    }

    fn flush(&mut self) {
        self.ctx.update(&self.buf[..self.len]);
        self.len = 0;
    }
}

/// A stable bottom-up merge sort that tolerates any comparator (the standard library's
/// sorts may panic when a comparator is not a total order).
fn merge_sort(
    items: &mut Vec<usize>,
    cmp: &dyn Fn(usize, usize) -> Result<std::cmp::Ordering, Error>,
) -> Result<(), Error> {
    let n = items.len();
    let mut buffer = items.clone();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                if cmp(items[i], items[j])? == std::cmp::Ordering::Greater {
                    buffer[k] = items[j];
                    j += 1;
                } else {
                    buffer[k] = items[i];
                    i += 1;
                }
                k += 1;
            }
            buffer[k..k + (mid - i)].copy_from_slice(&items[i..mid]);
            k += mid - i;
            buffer[k..k + (end - j)].copy_from_slice(&items[j..end]);
            start = end;
        }
        std::mem::swap(items, &mut buffer);
        width *= 2;
    }
    Ok(())
}

/// Lower-case hexadecimal of `bytes` (also used by [`crate::hmac`]).
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        let [high, low] = hex_pair(byte);
        out.push(char::from(high));
        out.push(char::from(low));
    }
    out
}

/// The two lower-case hexadecimal digits of `byte`.
fn hex_pair(byte: u8) -> [u8; 2] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0x0f)]]
}

// ----------------------------------------------------------------------------------
// Form names.

enum FormName<'a> {
    Flat,
    Nested { base: &'a str, sub: Option<&'a str> },
}

fn split_form_name(name: &str) -> Result<FormName<'_>, Error> {
    let Some(open) = name.find('[') else {
        return Ok(FormName::Flat);
    };
    let Some(close_rel) = name[open..].find(']') else {
        // PHP keeps an unmatched `[` as part of a flat name.
        return Ok(FormName::Flat);
    };
    let close = open + close_rel;
    let base = &name[..open];
    if base.is_empty() {
        return Err(Error::malformed(
            "form field name has an empty base before `[`",
        ));
    }
    let rest = &name[close + 1..];
    if rest.starts_with('[') {
        return Err(Error::TooDeeplyNested {
            key: base.to_owned(),
        });
    }
    if !rest.is_empty() {
        return Err(Error::malformed("form field name has text after `]`"));
    }
    let sub = &name[open + 1..close];
    Ok(FormName::Nested {
        base,
        sub: (!sub.is_empty()).then_some(sub),
    })
}

/// PHP's next free index for `a[]=`: one more than the largest integer key, at least 0.
fn next_index(entries: &[(String, Scalar)]) -> i64 {
    entries
        .iter()
        .filter_map(|(k, _)| match Key::classify(k) {
            Key::Int(i) => Some(i),
            Key::Str(_) => None,
        })
        .max()
        .map_or(0, |m| m.saturating_add(1).max(0))
}

// ----------------------------------------------------------------------------------
// JSON.

fn field_from_json(key: &str, value: &serde_json::Value) -> Result<FieldValue, Error> {
    if let Some(s) = scalar_from_json(key, value)? {
        return Ok(FieldValue::Scalar(s));
    }
    let nested_scalar = |v: &serde_json::Value| {
        scalar_from_json(key, v)?.ok_or_else(|| Error::TooDeeplyNested {
            key: key.to_owned(),
        })
    };
    let entries = match value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), nested_scalar(v)?)))
            .collect::<Result<_, Error>>()?,
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| Ok((i.to_string(), nested_scalar(v)?)))
            .collect::<Result<_, Error>>()?,
        _ => Vec::new(),
    };
    Ok(FieldValue::Nested(entries))
}

/// `None` for objects and arrays.
fn scalar_from_json(key: &str, value: &serde_json::Value) -> Result<Option<Scalar>, Error> {
    Ok(Some(match value {
        serde_json::Value::Null => Scalar::Null,
        serde_json::Value::Bool(b) => Scalar::Bool(*b),
        serde_json::Value::String(s) => Scalar::Str(s.clone()),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Scalar::Int(i),
            // PHP's json_decode turns integers above i64::MAX into floats.
            None if n.is_u64() => {
                return Err(Error::UnsupportedNumber {
                    key: key.to_owned(),
                });
            }
            None => Scalar::Str(php::float_to_php_string(&n.to_string()).map_err(|_| {
                Error::UnsupportedNumber {
                    key: key.to_owned(),
                }
            })?),
        },
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => return Ok(None),
    }))
}

fn first_char(json: &str) -> Option<char> {
    json.trim_start_matches([' ', '\t', '\n', '\r'])
        .chars()
        .next()
}

fn field_from_raw(key: &str, raw: &RawValue) -> Result<FieldValue, Error> {
    json_field(key, raw).map(JsonField::into_owned)
}

/// An object member's name, borrowed when the input allows it.
struct MemberKey<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for MemberKey<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for KeyVisitor<'a> {
            type Value = MemberKey<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<MemberKey<'a>, E> {
                Ok(MemberKey(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<MemberKey<'a>, E> {
                Ok(MemberKey(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<MemberKey<'a>, E> {
                Ok(MemberKey(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor(std::marker::PhantomData))
    }
}

/// A JSON object's members in document order, keys borrowed unless they hold escapes,
/// values left as raw JSON text borrowed from the input.
struct BorrowedMembers<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for BorrowedMembers<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
            type Value = BorrowedMembers<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((MemberKey(key), value)) =
                    map.next_entry::<MemberKey<'de>, &'de RawValue>()?
                {
                    members.push((key, value));
                }
                Ok(BorrowedMembers(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> SecretString {
        SecretString::from(s)
    }

    fn canonical(params: &Params, k: &str) -> String {
        canonical_string(params, &key(k))
            .unwrap()
            .expose_secret()
            .to_owned()
    }

    #[test]
    fn documentation_example() {
        let params = Params::new()
            .with("Amount", 1234)
            .with("Uid", "Abc123")
            .with("Email", "john@doe.com")
            .with("CardNumber", "1234567897654321")
            .with("CardMonth", "09")
            .with("CardYear", "2016")
            .with("CardCVV", "123")
            .with("ClientIp", "89.184.22.134");
        assert_eq!(
            canonical(&params, "YOURAPIKEY"),
            "1234$123$09$1234567897654321$2016$89.184.22.134$john@doe.com$Abc123$YOURAPIKEY"
        );
        assert_eq!(
            sign(&params, &key("YOURAPIKEY")).unwrap().as_str(),
            "f5b55971cdf0f5bf522afab8b03e2dd732d6cca3"
        );
    }

    #[test]
    fn case_duplicates_last_wins() {
        let params = Params::new().with("Amount", "1").with("amount", "2");
        assert_eq!(canonical(&params, "k"), "2$k");
        let params = Params::new().with("amount", "2").with("AMOUNT", "1");
        assert_eq!(canonical(&params, "k"), "1$k");
    }

    /// The order [`Level`] gives (the reference for every level) as `(key, value)`.
    fn level_order(fields: &[(String, String)]) -> Result<Vec<(String, String)>, Error> {
        let level = Level::fold(fields);
        Ok(level
            .php_order()?
            .into_iter()
            .map(|i| {
                let (k, v) = level.entry(i);
                (k.to_owned(), v.clone())
            })
            .collect())
    }

    fn fast_order(fields: &[(String, String)]) -> Result<Vec<(String, String)>, Error> {
        let mut out = Vec::new();
        for_each_in_php_order(fields, &mut |k, v: &String| {
            out.push((String::from_utf8(k.to_vec()).unwrap(), v.clone()));
        })?;
        Ok(out)
    }

    /// Empty keys share their place in the key buffer: the last of them must still win
    /// in a level long enough for the sort not to keep input order by itself.
    #[test]
    fn the_last_of_many_empty_keys_wins() {
        let keys = std::iter::once("")
            .chain(["C"])
            .chain(std::iter::repeat_n("", 14))
            .chain(["A"])
            .chain(std::iter::repeat_n("", 11))
            .chain(["_"])
            .chain(std::iter::repeat_n("", 4));
        let fields: Vec<(String, String)> = keys
            .enumerate()
            .map(|(i, key)| (key.to_owned(), i.to_string()))
            .collect();
        assert_eq!(fields.len(), 33);
        let order = fast_order(&fields).unwrap();
        assert_eq!(order, level_order(&fields).unwrap());
        assert_eq!(order[0], (String::new(), "32".to_owned()));
    }

    /// Whether `fields` is a plain level ([`plain_walk`] takes it).
    fn is_plain(fields: &[(String, String)]) -> bool {
        let key_bytes = fields.iter().map(|(k, _)| k.len()).sum();
        let mut entries = vec![PlainEntry::default(); fields.len()];
        plain_walk(
            fields,
            &mut vec![0; key_bytes],
            &mut entries,
            &mut |_, _| {},
        )
    }

    #[test]
    fn the_plain_level_orders_and_folds_case_as_the_general_one() {
        let fields: Vec<(String, String)> = [
            ("b", "1"),
            ("A", "2"),
            ("B", "3"),
            ("a", "4"),
            ("c", "5"),
            ("Ab", "6"),
            ("b", "7"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert!(is_plain(&fields));
        let expected: Vec<(String, String)> = [("a", "4"), ("ab", "6"), ("b", "7"), ("c", "5")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(fast_order(&fields).unwrap(), expected);
        assert_eq!(level_order(&fields).unwrap(), expected);
        // `3DSecure` starts like a number but is not numeric: still the plain level.
        let three_ds = vec![
            ("3DSecureUrl".to_owned(), "u".to_owned()),
            ("3DSecure".to_owned(), "yes".to_owned()),
            ("Amount".to_owned(), "1".to_owned()),
        ];
        assert!(is_plain(&three_ds));
        assert_eq!(
            fast_order(&three_ds).unwrap(),
            level_order(&three_ds).unwrap()
        );
        // A numeric key anywhere sends the level to the general path.
        let numeric = vec![
            ("x".to_owned(), "1".to_owned()),
            (" 1".to_owned(), "2".to_owned()),
        ];
        assert!(!is_plain(&numeric));
        assert_eq!(
            fast_order(&numeric).unwrap(),
            level_order(&numeric).unwrap()
        );
    }

    proptest::proptest! {
        #[test]
        fn both_level_orders_agree(
            fields in proptest::collection::vec(
                ("[aAbB._-]{0,3}|[0-9]{1,2}|[0-9][dDe][0-9]?|[xX][0-9]| [0-9]", "[a-z]{0,2}"),
                0..40,
            )
        ) {
            let reference = level_order(&fields);
            match (fast_order(&fields), reference) {
                (Ok(fast), Ok(reference)) => proptest::prop_assert_eq!(fast, reference),
                (Err(_), Err(_)) => {}
                (fast, reference) => proptest::prop_assert!(
                    false,
                    "fast path {fast:?} against the general path {reference:?}"
                ),
            }
        }
    }

    proptest::proptest! {
        /// Keys that share their first 8 bytes (so their prefixes tie), and levels too
        /// large for the stack (more than 32 fields, or more than 512 bytes of keys).
        #[test]
        fn long_keys_order_as_the_general_path(
            fields in proptest::collection::vec(
                ("(prefix_x|PREFIX_X|prefix_|prefix)[a-bA-B\\x00]{0,2}|[a-z]{100,140}|", "[a-z]{0,2}"),
                0..40,
            )
        ) {
            proptest::prop_assert_eq!(fast_order(&fields).ok(), level_order(&fields).ok());
            proptest::prop_assert!(is_plain(&fields));
        }
    }

    #[test]
    fn scalars_render_like_php() {
        let params = Params::new()
            .with("a", true)
            .with("b", false)
            .with("c", Scalar::Null)
            .with("d", -5)
            .with("e", "");
        assert_eq!(canonical(&params, "k"), "1$$$-5$$k");
    }

    #[test]
    fn signature_is_skipped_only_at_top_level() {
        let params = Params::new()
            .with("Signature", "x")
            .with("a", "1")
            .with_nested("n", [("signature", "s")]);
        assert_eq!(canonical(&params, "k"), "1$s$k");
    }

    #[test]
    fn list_indices_sort_numerically() {
        let items: Vec<(String, Scalar)> = (0..12)
            .map(|i| (i.to_string(), Scalar::from(format!("v{i}"))))
            .collect();
        let params = Params::new().with_nested("list", items.clone());
        let expected: String = (0..12).map(|i| format!("v{i}$")).collect::<String>() + "k";
        assert_eq!(canonical(&params, "k"), expected);
        let mut top = Params::new();
        for (k, v) in items.into_iter().rev() {
            top.push(k, v);
        }
        assert_eq!(canonical(&top, "k"), expected);
    }

    #[test]
    fn long_inputs_fold_case_like_short_ones() {
        // More than 32 fields takes the indexed path of `fold_case`.
        let mut params = Params::new();
        for i in 0..40 {
            params.push(format!("Field{i:02}"), format!("old{i}"));
        }
        params.push("FIELD07", "new7");
        let expected: String = (0..40)
            .map(|i| {
                if i == 7 {
                    "new7$".to_owned()
                } else {
                    format!("old{i}$")
                }
            })
            .collect::<String>()
            + "k";
        assert_eq!(canonical(&params, "k"), expected);
    }

    #[test]
    fn intransitive_key_sets_are_refused() {
        // 9 < 10 numerically, 10 < "1a" and "1a" < 9 as strings: no order exists.
        let params = Params::new().with("10", "a").with("1a", "b").with("9", "c");
        assert!(matches!(
            sign(&params, &key("k")),
            Err(Error::AmbiguousKeyOrder { .. })
        ));
    }

    #[test]
    fn mixed_but_consistent_key_sets_are_accepted() {
        // Checked against php-cli 8.2 ksort: 9, 10, "9a".
        let params = Params::new().with("9a", "x").with("10", "y").with("9", "z");
        assert_eq!(canonical(&params, "k"), "z$y$x$k");
    }

    #[test]
    fn form_names_parse_like_php() {
        let params = Params::from_form(&[
            ("Tid", "t"),
            ("Client[Id]", "c1"),
            ("Client[Email]", "e"),
            ("List[]", "a"),
            ("List[]", "b"),
        ])
        .unwrap();
        assert_eq!(params.len(), 3);
        assert_eq!(
            params.get("Client"),
            Some(&FieldValue::Nested(vec![
                ("Id".into(), "c1".into()),
                ("Email".into(), "e".into())
            ]))
        );
        assert_eq!(
            params.get("List"),
            Some(&FieldValue::Nested(vec![
                ("0".into(), "a".into()),
                ("1".into(), "b".into())
            ]))
        );
        assert!(
            matches!(Params::from_form(&[("a[b][c]", "x")]), Err(Error::TooDeeplyNested { key }) if key == "a")
        );
        assert!(matches!(
            Params::from_form(&[("[x]", "x")]),
            Err(Error::MalformedInput { .. })
        ));
        assert!(matches!(
            Params::from_form(&[("a[b]c", "x")]),
            Err(Error::MalformedInput { .. })
        ));
        // Unmatched bracket: a flat name.
        assert_eq!(
            Params::from_form(&[("a[b", "x")]).unwrap().get("a[b"),
            Some(&FieldValue::from("x"))
        );
        // Later assignments replace earlier ones.
        let p = Params::from_form(&[("a", "1"), ("a[x]", "2")]).unwrap();
        assert_eq!(
            p.get("a"),
            Some(&FieldValue::Nested(vec![("x".into(), "2".into())]))
        );
        let p = Params::from_form(&[("a[x]", "2"), ("a", "1")]).unwrap();
        assert_eq!(p.get("a"), Some(&FieldValue::from("1")));
        assert_eq!(p.len(), 1);
    }

    /// A signed V1 answer around `result` (JSON text), with extra members after it.
    fn answer(result: &str, k: &str) -> String {
        let signature = sign(&Params::from_json_str(result).unwrap(), &key(k)).unwrap();
        format!(
            r#"{{"Code":0,"Result":{result},"Signature":"{}","Extra":[1,{{"x":null}}]}}"#,
            signature.as_str()
        )
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Done {
        #[serde(rename = "Tid")]
        tid: String,
        #[serde(rename = "Client")]
        client: std::collections::BTreeMap<String, String>,
        #[serde(rename = "Count")]
        count: u32,
    }

    #[test]
    fn an_object_result_is_verified_and_decoded_from_one_reading() {
        let body = answer(
            r#"{"Tid":"ET1","Client":{"Id":"c\"1"},"Count":3,"3DSecure":"no"}"#,
            "k",
        );
        let verified = verify_response_result(&body, &key("k")).unwrap();
        // The members were kept: decoding does not read the body again.
        assert_eq!(format!("{verified:?}"), "VerifiedResult(object of 4)");
        let done: Done = verified.deserialize().unwrap();
        assert_eq!(done.tid, "ET1");
        assert_eq!(done.client.get("Id").map(String::as_str), Some("c\"1"));
        assert_eq!(done.count, 3);
        // Not a map: the error is serde_json's reading of the `Result`'s text.
        let error = verified.deserialize::<Vec<String>>().unwrap_err();
        assert!(error.to_string().contains("expected a sequence"), "{error}");
        // A `T` keeping the whole `Result` raw is read from its text (the last `Result`).
        let raw: Box<RawValue> = verified.deserialize().unwrap();
        assert!(raw.get().starts_with(r#"{"Tid":"ET1""#));
        let twice = format!(
            r#"{{"Result":{{"a":"0"}},"Result":{{"a":"1"}},"Signature":"{}"}}"#,
            sign(&Params::new().with("a", "1"), &key("k"))
                .unwrap()
                .as_str()
        );
        let verified = verify_response_result(&twice, &key("k")).unwrap();
        assert_eq!(format!("{verified:?}"), "VerifiedResult(object of 1)");
        let raw: Box<RawValue> = verified.deserialize().unwrap();
        assert_eq!(raw.get(), r#"{"a":"1"}"#);
        assert!(result_text(r#"{"a":1}"#).is_err());
        // A member named as `serde_json`'s raw value marker does not make the `Result`
        // a raw value of its own: a raw `Result` is the `Result`'s text.
        let marker = r#"{"$serde_json::private::RawValue":"not json at all"}"#;
        let body = answer(marker, "k");
        let raw: Box<RawValue> = verify_response_result(&body, &key("k"))
            .unwrap()
            .deserialize()
            .unwrap();
        assert_eq!(raw.get(), marker);
        assert!(matches!(
            verify_response_result(&body, &key("other")).unwrap_err(),
            Error::SignatureMismatch
        ));
    }

    fn result_member() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::json;
        let scalar = prop_oneof![
            "[a-zA-Z0-9 $/\"\\\\é😀\u{1}]{0,10}".prop_map(serde_json::Value::from),
            any::<i32>().prop_map(serde_json::Value::from),
            any::<bool>().prop_map(serde_json::Value::from),
            Just(serde_json::Value::Null),
            Just(json!(17.5)),
            Just(json!(u64::MAX)),
        ];
        prop_oneof![
            4 => scalar.clone(),
            1 => proptest::collection::btree_map("[A-Za-z0-9]{1,4}", scalar.clone(), 0..4)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            1 => proptest::collection::vec(scalar, 0..4).prop_map(serde_json::Value::Array),
            1 => Just(json!({"a": {"b": 1}})),
        ]
    }

    proptest::proptest! {
        /// A flat form signs as the same pairs in `Params` do: case folding, repeated
        /// names, a `Signature` among them, numeric names and all.
        #[test]
        fn a_flat_form_signs_as_its_params(
            pairs in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "Amount", "amount", "OrderId", "3DS", "10", "9", "-1", "signature",
                        "Signature", "Email", "",
                    ]),
                    "[a-z0-9$&é ]{0,6}",
                ),
                0..10,
            ),
        ) {
            let borrowed: Vec<(&str, &str)> =
                pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut params = Params::new();
            for (k, v) in &pairs {
                params.push(*k, v.as_str());
            }
            match (sign_form(&borrowed, &key("k")), sign(&params, &key("k"))) {
                (Ok(flat), Ok(reference)) => {
                    proptest::prop_assert_eq!(flat.as_str(), reference.as_str());
                }
                (flat, reference) => proptest::prop_assert_eq!(
                    format!("{:?}", flat.map(|s| s.into_string())),
                    format!("{:?}", reference.map(|s| s.into_string()))
                ),
            }
        }
    }

    proptest::proptest! {
        /// The one reading of the usual answer and the general reading agree: the same
        /// outcome, the same error, the same decoded `Result`.
        #[test]
        fn one_reading_and_the_general_reading_agree(
            members in proptest::collection::vec(("[A-Za-z3é/]{1,5}", result_member()), 0..8),
            sign_it in proptest::prelude::any::<bool>(),
            php in proptest::prelude::any::<bool>(),
            before in proptest::sample::select(vec!["", r#""Code":0,"#, r#""Signature":1,"#]),
        ) {
            let mut result = String::from("{");
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    result.push(',');
                }
                result.push_str(&format!("{}:{}", serde_json::json!(k), v));
            }
            result.push('}');
            if php {
                // PHP's `json_encode` escapes `/` and writes non-ASCII as `\u` escapes.
                result = result
                    .replace('/', "\\/")
                    .chars()
                    .map(|c| if c.is_ascii() { c.to_string() } else {
                        c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect()
                    })
                    .collect();
            }
            let signature = match Params::from_json_str(&result).and_then(|p| sign(&p, &key("k"))) {
                Ok(signature) if sign_it => signature.into_string(),
                _ => "0".repeat(40),
            };
            let body = format!(r#"{{{before}"Result":{result},"Signature":"{signature}"}}"#);
            let fast = verify_response_result(&body, &key("k"));
            let general = verify_response_text(&body, &key("k"));
            match (&fast, &general) {
                (Ok(fast), Ok(text)) => {
                    type Map = std::collections::BTreeMap<String, serde_json::Value>;
                    let ours: Map = fast.deserialize().unwrap();
                    let theirs: Map = serde_json::from_str(text).unwrap();
                    proptest::prop_assert_eq!(ours, theirs);
                }
                (Err(fast), Err(general)) => {
                    proptest::prop_assert_eq!(format!("{fast:?}"), format!("{general:?}"));
                }
                _ => proptest::prop_assert!(false, "{fast:?} against {general:?} for {body}"),
            }
        }
    }

    #[test]
    fn other_answers_take_the_general_reading_with_its_errors() {
        // A list `Result`: verified over its indices, decoded from its text.
        let body = answer(r#"["a","b"]"#, "k");
        let verified = verify_response_result(&body, &key("k")).unwrap();
        assert_eq!(format!("{verified:?}"), "VerifiedResult(9 bytes)");
        assert_eq!(verified.deserialize::<Vec<String>>().unwrap(), ["a", "b"]);
        assert!(matches!(
            verify_response_result(&body, &key("other")).unwrap_err(),
            Error::SignatureMismatch
        ));
        // The last of repeated names wins, whichever reading it takes.
        let object_last = format!(
            r#"{{"Result":[1],"Signature":"{}","Result":{{"a":"1"}}}}"#,
            sign(&Params::new().with("a", "1"), &key("k"))
                .unwrap()
                .as_str()
        );
        let verified = verify_response_result(&object_last, &key("k")).unwrap();
        assert_eq!(format!("{verified:?}"), "VerifiedResult(object of 1)");
        let list_last = format!(
            r#"{{"Result":{{"a":"1"}},"Signature":"{}","Result":["1"]}}"#,
            sign(&Params::new().with("0", "1"), &key("k"))
                .unwrap()
                .as_str()
        );
        assert!(verify_response_result(&list_last, &key("k")).is_ok());
        assert!(matches!(
            verify_response_result(r#"{"Result":{"a":"1"}}"#, &key("k")).unwrap_err(),
            Error::MissingField { name: "Signature" }
        ));
        assert!(matches!(
            verify_response_result(r#"{"Result":{"a":"1"},"Signature":5}"#, &key("k")).unwrap_err(),
            Error::MissingField { name: "Signature" }
        ));
        assert!(matches!(
            verify_response_result(r#"{"Signature":"x"}"#, &key("k")).unwrap_err(),
            Error::MissingField { name: "Result" }
        ));
        assert!(matches!(
            verify_response_result("[1]", &key("k")).unwrap_err(),
            Error::MalformedInput { .. }
        ));
        assert!(matches!(
            verify_response_result(r#"{"Result":{"a":"1"},"Signature":"x""#, &key("k"))
                .unwrap_err(),
            Error::MalformedInput { .. }
        ));
        assert!(matches!(
            verify_response_result(r#"{"Result":{"a":{"b":{}}},"Signature":"x"}"#, &key("k"))
                .unwrap_err(),
            Error::TooDeeplyNested { .. }
        ));
    }

    #[test]
    fn json_document_order_decides_case_duplicates() {
        let p = Params::from_json_str(r#"{"amount":"2","Amount":"1"}"#).unwrap();
        assert_eq!(canonical(&p, "k"), "1$k");
        let p = Params::from_json_str(r#"{"Amount":"1","amount":"2"}"#).unwrap();
        assert_eq!(canonical(&p, "k"), "2$k");
    }

    #[test]
    fn json_depth_and_numbers() {
        let deep = r#"{"a":{"b":{"c":1}}}"#;
        assert!(
            matches!(Params::from_json_str(deep), Err(Error::TooDeeplyNested { key }) if key == "a")
        );
        let value: serde_json::Value = serde_json::from_str(deep).unwrap();
        assert!(
            matches!(Params::from_json(&value), Err(Error::TooDeeplyNested { key }) if key == "a")
        );
        let deep_list = r#"[[1,[2]]]"#;
        assert!(
            matches!(Params::from_json_str(deep_list), Err(Error::TooDeeplyNested { key }) if key == "0")
        );

        let p =
            Params::from_json_str(r#"{"a":17.5,"b":1.0,"c":-3,"d":true,"e":null,"f":[1,false]}"#)
                .unwrap();
        assert_eq!(canonical(&p, "k"), "17.5$1$-3$1$$1$$k");
        assert!(
            matches!(Params::from_json_str(r#"{"a":18446744073709551615}"#), Err(Error::UnsupportedNumber { key }) if key == "a")
        );
        assert!(matches!(
            Params::from_json_str(r#"{"a":123456789012345.0}"#),
            Err(Error::UnsupportedNumber { .. })
        ));
        assert!(matches!(
            Params::from_json_str("{"),
            Err(Error::MalformedInput { .. })
        ));
    }

    #[test]
    fn bare_scalar_signs_as_value_then_key() {
        let p = Params::from_json_str(r#""abc""#).unwrap();
        assert_eq!(canonical(&p, "k"), "abc$k");
    }

    #[test]
    fn verify_is_strict_about_hex_case_and_length() {
        let params = Params::new().with("a", "1");
        let k = key("k");
        let sig = sign(&params, &k).unwrap();
        assert!(verify(&params, &k, sig.as_str()).is_ok());
        assert!(matches!(
            verify(&params, &k, &sig.as_str().to_uppercase()),
            Err(Error::SignatureMismatch)
        ));
        assert!(matches!(
            verify(&params, &k, &sig.as_str()[..39]),
            Err(Error::SignatureMismatch)
        ));
        assert!(matches!(
            verify(&params, &k, ""),
            Err(Error::SignatureMismatch)
        ));
    }

    #[test]
    fn debug_never_shows_values() {
        let params = Params::new()
            .with("CardNumber", "4111111111111111")
            .with_nested("Client", [("Iban", "FR7630006000011234567890189")]);
        let shown = format!("{params:?} {:?}", params.get("Client"));
        assert!(shown.contains("CardNumber"));
        assert!(!shown.contains("4111"));
        assert!(!shown.contains("FR76"));
    }

    /// `verify_response` signs an object `Result` straight from its text; it must agree
    /// with signing what `Params::from_json_str` builds, on every shape of member.
    #[test]
    fn answers_verify_exactly_as_their_params_sign() {
        let k = key("k3y");
        let results = [
            r#"{"Tid":"abc","Amount":"18.00","Status":"captured"}"#,
            r#"{"Esc\u0041ped":"a\"b","Uni":"é€","Slash":"a\/b","Empty":""}"#,
            r#"{"Int":42,"Neg":-7,"Zero":0,"NegZero":-0,"Float":1.5,"Exp":1e3,"Big":12345678901234567}"#,
            r#"{"T":true,"F":false,"N":null}"#,
            r#"{"Client":{"Id":"x","Email":"j@d.com","N":3},"List":["a",1,null,true]}"#,
            r#"{"dup":"first","DUP":"second","Dup":"third","10":"ten","9":"nine"}"#,
            r#"{"Signature":"not skipped at this level? it is","signature":"x"}"#,
            r#"{ "Spaced" : "v" , "Nested" : { "A" : "1" } }"#,
            r#"{}"#,
        ];
        for result in results {
            let expected = sign(&Params::from_json_str(result).unwrap(), &k).unwrap();
            let body = format!(r#"{{"Code":0,"Result":{result},"Signature":"{expected}"}}"#);
            assert!(verify_response(&body, &k).is_ok(), "{result}");
            let wrong = format!(
                r#"{{"Code":0,"Result":{result},"Signature":"{}"}}"#,
                "0".repeat(40)
            );
            assert!(
                matches!(verify_response(&wrong, &k), Err(Error::SignatureMismatch)),
                "{result}"
            );
        }
        // Errors are the same as through `Params` too.
        for result in [
            r#"{"Deep":{"a":{"b":1}}}"#,
            r#"{"Deep":[[1]]}"#,
            r#"{"Huge":9223372036854775808}"#,
        ] {
            let body = format!(r#"{{"Result":{result},"Signature":"{}"}}"#, "0".repeat(40));
            let through_params = Params::from_json_str(result).map(|_| ());
            assert_eq!(
                verify_response(&body, &k).map_err(|e| e.to_string()),
                through_params.map_err(|e| e.to_string()),
                "{result}"
            );
        }
    }
}
