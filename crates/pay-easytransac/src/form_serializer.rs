//! The fast ways to a V1 request's fields: serde `Serializer`s that write a wire type
//! straight into what is signed, without the JSON text round trip of
//! [`form::fields_of`](crate::form::fields_of). A type whose fields are all scalars
//! becomes a [`FlatForm`] (one buffer of values, signed and encoded where they are, by
//! [`flat_form_of`]); one with nested values goes into the signer's [`Params`]
//! ([`params_of`], the rest of this description).
//!
//! It understands the shapes the generated request types have: a struct (or map) of
//! strings, integers, booleans, unit enum variants, newtypes and options, with one level
//! of nested structs, maps or lists (`Client[Id]`, `Items[0]`). For anything else (a
//! float, bytes, a `RawValue`, an enum variant with data, a value nested deeper, a field
//! name holding `[` or named `Signature`) it gives up with [`Unsupported`], and the caller
//! takes the JSON round trip, which then encodes the value or reports the error exactly
//! as before. Where it succeeds, it gives the same fields in the same order with the same
//! text as the round trip: strings as they are, integers in decimal, `true`/`false` as
//! `1`/`0`, `None` and unit dropped (PHP's `http_build_query` drops `null`), a unit
//! variant as its serialised name. A test holds the two paths to the same output.

use std::fmt::{self, Write as _};
use std::ops::Range;

use pay_signing::easytransac::{FieldValue, Params, Scalar};
use serde::ser::{
    self, Impossible, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeTuple,
    SerializeTupleStruct, Serializer,
};

/// The serializer methods of a shape this module does not take.
macro_rules! unsupported {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(
            fn $method(self, $(_: $arg),*) -> Result<$ret, Unsupported> {
                Err(Unsupported)
            }
        )*
    };
}

/// What a top-level serializer (a request's form) refuses: anything but a struct (or,
/// for some, a map), as [`unsupported!`] methods answering `$ok`.
macro_rules! refused_at_the_top {
    ($ok:ty) => {
        unsupported! {
            serialize_bool(bool) -> $ok;
            serialize_i8(i8) -> $ok;
            serialize_i16(i16) -> $ok;
            serialize_i32(i32) -> $ok;
            serialize_i64(i64) -> $ok;
            serialize_u8(u8) -> $ok;
            serialize_u16(u16) -> $ok;
            serialize_u32(u32) -> $ok;
            serialize_u64(u64) -> $ok;
            serialize_f32(f32) -> $ok;
            serialize_f64(f64) -> $ok;
            serialize_char(char) -> $ok;
            serialize_str(&str) -> $ok;
            serialize_bytes(&[u8]) -> $ok;
            serialize_none() -> $ok;
            serialize_unit() -> $ok;
            serialize_unit_struct(&'static str) -> $ok;
            serialize_unit_variant(&'static str, u32, &'static str) -> $ok;
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }
    };
}

/// The wrappers every serializer here treats alike: a newtype or an option is its
/// content, an enum variant with data is a shape this module does not take.
macro_rules! wrappers {
    ($ok:ty) => {
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<$ok, Unsupported> {
            value.serialize(self)
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<$ok, Unsupported> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<$ok, Unsupported> {
            Err(Unsupported)
        }
    };
}

/// The value is outside what the direct serializer handles: use the JSON round trip.
#[derive(Debug)]
pub(crate) struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a flat form shape")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Unsupported
    }
}

/// The form fields of `value` as signer input, in field order.
///
/// # Errors
/// [`Unsupported`] for a shape this serializer leaves to the JSON round trip.
pub(crate) fn params_of<T: Serialize + ?Sized>(value: &T) -> Result<Params, Unsupported> {
    value.serialize(Top)
}

/// Writes `params` as `application/x-www-form-urlencoded` (nested entries as
/// `Base[sub]`), followed by `Signature=signature`.
pub(crate) fn encode_with_signature(params: &Params, signature: &str) -> String {
    // Room for every name and value as they are, and `Signature=` with its 40 digits:
    // one allocation for a body without escapes.
    let size: usize = params
        .iter()
        .map(|(key, value)| match value {
            FieldValue::Scalar(Scalar::Str(text)) => key.len() + text.len() + 2,
            FieldValue::Nested(entries) => entries
                .iter()
                .map(|(sub, scalar)| match scalar {
                    Scalar::Str(text) => key.len() + sub.len() + text.len() + 8,
                    _ => 0,
                })
                .sum(),
            _ => 0,
        })
        .sum();
    let mut form = FormWriter::with_capacity(size + "Signature=".len() + signature.len());
    for (key, value) in params.iter() {
        match value {
            FieldValue::Scalar(Scalar::Str(text)) => form.pair(key, None, text),
            FieldValue::Nested(entries) => {
                for (sub, scalar) in entries {
                    if let Scalar::Str(text) = scalar {
                        form.pair(key, Some(sub), text);
                    }
                }
            }
            // `params_of` writes strings only.
            _ => {}
        }
    }
    form.pair("Signature", None, signature);
    form.out
}

/// A form body being written.
struct FormWriter {
    out: String,
}

impl FormWriter {
    fn with_capacity(size: usize) -> Self {
        Self {
            out: String::with_capacity(size),
        }
    }

    /// Appends `key=value` (`key[sub]=value` for a nested entry), escaped.
    fn pair(&mut self, key: &str, sub: Option<&str>, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        crate::form::escape_into(key, &mut self.out);
        if let Some(sub) = sub {
            self.out.push_str("%5B");
            crate::form::escape_into(sub, &mut self.out);
            self.out.push_str("%5D");
        }
        self.out.push('=');
        crate::form::escape_into(value, &mut self.out);
    }
}

/// A flat form: a struct whose fields are all scalars, as `(name, value)` with every
/// value's text in one buffer, so that signing and encoding it copy nothing per field
/// ([`flat_form_of`]).
pub(crate) struct FlatForm {
    fields: Vec<(&'static str, Range<usize>)>,
    text: String,
}

impl FlatForm {
    /// The fields as `(name, value)`, in field order.
    pub(crate) fn pairs(&self) -> Vec<(&str, &str)> {
        self.fields
            .iter()
            .map(|(name, range)| (*name, &self.text[range.clone()]))
            .collect()
    }

    /// The body: the `pairs` form-encoded, followed by `Signature=signature`.
    pub(crate) fn encode_with_signature(pairs: &[(&str, &str)], signature: &str) -> String {
        let size: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        // An eighth more for escapes (an e-mail's `@`, a name's space or accent), so
        // that a usual body is written without growing.
        let mut form =
            FormWriter::with_capacity(size + size / 8 + "Signature=".len() + signature.len());
        for (key, value) in pairs {
            form.pair(key, None, value);
        }
        form.pair("Signature", None, signature);
        form.out
    }
}

/// The flat form of `value`, a struct whose fields are all scalars.
///
/// # Errors
/// [`Unsupported`] for anything else (a nested value, a map, any shape [`params_of`]
/// leaves to the JSON round trip): [`params_of`] then takes it.
pub(crate) fn flat_form_of<T: Serialize + ?Sized>(value: &T) -> Result<FlatForm, Unsupported> {
    value.serialize(FlatTop)
}

/// The top level of a flat form: a struct, nothing else.
struct FlatTop;

/// Collects a flat form's fields.
struct FlatFields(FlatForm);

impl SerializeStruct for FlatFields {
    type Ok = FlatForm;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        if key.contains('[') || key.eq_ignore_ascii_case("signature") {
            return Err(Unsupported);
        }
        let form = &mut self.0;
        let start = form.text.len();
        if value.serialize(Text(&mut form.text))? {
            form.fields.push((key, start..form.text.len()));
        }
        Ok(())
    }
    fn end(self) -> Result<FlatForm, Unsupported> {
        Ok(self.0)
    }
}

impl Serializer for FlatTop {
    type Ok = FlatForm;
    type Error = Unsupported;
    type SerializeSeq = Impossible<FlatForm, Unsupported>;
    type SerializeTuple = Impossible<FlatForm, Unsupported>;
    type SerializeTupleStruct = Impossible<FlatForm, Unsupported>;
    type SerializeTupleVariant = Impossible<FlatForm, Unsupported>;
    type SerializeMap = Impossible<FlatForm, Unsupported>;
    type SerializeStruct = FlatFields;
    type SerializeStructVariant = Impossible<FlatForm, Unsupported>;

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<FlatFields, Unsupported> {
        if name.starts_with("$serde_json") {
            return Err(Unsupported);
        }
        Ok(FlatFields(FlatForm {
            fields: Vec::with_capacity(len),
            // Most request values are short: room for a card payment's.
            text: String::with_capacity(len * 16),
        }))
    }
    wrappers!(FlatForm);
    refused_at_the_top!(FlatForm);
    unsupported! {
        serialize_map(Option<usize>) -> Self::SerializeMap;
    }
}

/// The top level: a struct or a map, nothing else.
struct Top;

/// Collects the top level's fields.
struct TopFields {
    params: Params,
    /// A map's key, between `serialize_key` and `serialize_value`.
    key: Option<String>,
}

impl TopFields {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Unsupported> {
        if key.contains('[') || key.eq_ignore_ascii_case("signature") {
            return Err(Unsupported);
        }
        if let Some(value) = value.serialize(Value)? {
            self.params.push(key, value);
        }
        Ok(())
    }
}

impl SerializeStruct for TopFields {
    type Ok = Params;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.field(key, value)
    }
    fn end(self) -> Result<Params, Unsupported> {
        Ok(self.params)
    }
}

impl SerializeMap for TopFields {
    type Ok = Params;
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.key = Some(Text::of(key)?.ok_or(Unsupported)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let key = self.key.take().ok_or(Unsupported)?;
        self.field(&key, value)
    }
    fn end(self) -> Result<Params, Unsupported> {
        Ok(self.params)
    }
}

impl Serializer for Top {
    type Ok = Params;
    type Error = Unsupported;
    type SerializeSeq = Impossible<Params, Unsupported>;
    type SerializeTuple = Impossible<Params, Unsupported>;
    type SerializeTupleStruct = Impossible<Params, Unsupported>;
    type SerializeTupleVariant = Impossible<Params, Unsupported>;
    type SerializeMap = TopFields;
    type SerializeStruct = TopFields;
    type SerializeStructVariant = Impossible<Params, Unsupported>;

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<TopFields, Unsupported> {
        if name.starts_with("$serde_json") {
            return Err(Unsupported);
        }
        Ok(TopFields {
            params: Params::new(),
            key: None,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<TopFields, Unsupported> {
        Ok(TopFields {
            params: Params::new(),
            key: None,
        })
    }
    wrappers!(Params);
    refused_at_the_top!(Params);
}

/// A top-level field's value: a scalar's text, or one level of nested scalars; `None`
/// when the field is dropped.
struct Value;

/// Collects one nested level (a struct, a map or a list).
struct Nested {
    entries: Vec<(String, Scalar)>,
    /// The next list index, or a map's key between `serialize_key` and `serialize_value`.
    index: usize,
    key: Option<String>,
}

impl Nested {
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            index: 0,
            key: None,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), Unsupported> {
        if let Some(text) = Text::of(value)? {
            self.entries.push((key, Scalar::Str(text)));
        }
        Ok(())
    }

    /// A list item: its index counts dropped items too, as the JSON list's does.
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let key = self.index.to_string();
        self.index += 1;
        self.push(key, value)
    }

    fn done(self) -> Option<FieldValue> {
        Some(FieldValue::Nested(self.entries))
    }
}

impl SerializeStruct for Nested {
    type Ok = Option<FieldValue>;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.push(key.to_owned(), value)
    }
    fn end(self) -> Result<Option<FieldValue>, Unsupported> {
        Ok(self.done())
    }
}

impl SerializeMap for Nested {
    type Ok = Option<FieldValue>;
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.key = Some(Text::of(key)?.ok_or(Unsupported)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let key = self.key.take().ok_or(Unsupported)?;
        self.push(key, value)
    }
    fn end(self) -> Result<Option<FieldValue>, Unsupported> {
        Ok(self.done())
    }
}

/// The list shapes (a sequence, a tuple, a tuple struct): each element is the next
/// index.
macro_rules! nested_list {
    ($($trait:ident::$method:ident;)*) => {
        $(
            impl $trait for Nested {
                type Ok = Option<FieldValue>;
                type Error = Unsupported;
                fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                    self.item(value)
                }
                fn end(self) -> Result<Option<FieldValue>, Unsupported> {
                    Ok(self.done())
                }
            }
        )*
    };
}

nested_list! {
    SerializeSeq::serialize_element;
    SerializeTuple::serialize_element;
    SerializeTupleStruct::serialize_field;
}

/// Forwards a scalar method of [`Value`] to [`Text`].
macro_rules! as_text {
    ($($method:ident($arg:ty);)*) => {
        $(
            fn $method(self, v: $arg) -> Result<Option<FieldValue>, Unsupported> {
                let mut text = String::new();
                Ok(Text(&mut text).$method(v)?.then(|| FieldValue::Scalar(Scalar::Str(text))))
            }
        )*
    };
}

impl Serializer for Value {
    type Ok = Option<FieldValue>;
    type Error = Unsupported;
    type SerializeSeq = Nested;
    type SerializeTuple = Nested;
    type SerializeTupleStruct = Nested;
    type SerializeTupleVariant = Impossible<Option<FieldValue>, Unsupported>;
    type SerializeMap = Nested;
    type SerializeStruct = Nested;
    type SerializeStructVariant = Impossible<Option<FieldValue>, Unsupported>;

    as_text! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_char(char);
        serialize_str(&str);
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<FieldValue>, Unsupported> {
        Ok(Some(FieldValue::Scalar(Scalar::Str(variant.to_owned()))))
    }
    fn serialize_none(self) -> Result<Option<FieldValue>, Unsupported> {
        Ok(None)
    }
    fn serialize_unit(self) -> Result<Option<FieldValue>, Unsupported> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<FieldValue>, Unsupported> {
        Ok(None)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Nested, Unsupported> {
        Ok(Nested::new())
    }
    fn serialize_tuple(self, _: usize) -> Result<Nested, Unsupported> {
        Ok(Nested::new())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Nested, Unsupported> {
        Ok(Nested::new())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Nested, Unsupported> {
        Ok(Nested::new())
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Nested, Unsupported> {
        if name.starts_with("$serde_json") {
            return Err(Unsupported);
        }
        Ok(Nested::new())
    }
    wrappers!(Option<FieldValue>);
    unsupported! {
        serialize_f32(f32) -> Option<FieldValue>;
        serialize_f64(f64) -> Option<FieldValue>;
        serialize_bytes(&[u8]) -> Option<FieldValue>;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

/// Scalar methods of [`Text`] whose text is the value's `Display` (integers in decimal).
macro_rules! decimal_text {
    ($($method:ident($arg:ty);)*) => {
        $(
            fn $method(self, v: $arg) -> Result<bool, Unsupported> {
                // Writing to a `String` cannot fail.
                let _ = write!(self.0, "{v}");
                Ok(true)
            }
        )*
    };
}

/// Appends a scalar's form text to the buffer and answers `true`, or answers `false`
/// (writing nothing) when the value is dropped; anything compound is [`Unsupported`].
struct Text<'b>(&'b mut String);

impl Text<'_> {
    /// The text of `value` on its own (`None`: dropped).
    fn of<T: Serialize + ?Sized>(value: &T) -> Result<Option<String>, Unsupported> {
        let mut text = String::new();
        Ok(value.serialize(Text(&mut text))?.then_some(text))
    }
}

type NoCompound = Impossible<bool, Unsupported>;

impl Serializer for Text<'_> {
    type Ok = bool;
    type Error = Unsupported;
    type SerializeSeq = NoCompound;
    type SerializeTuple = NoCompound;
    type SerializeTupleStruct = NoCompound;
    type SerializeTupleVariant = NoCompound;
    type SerializeMap = NoCompound;
    type SerializeStruct = NoCompound;
    type SerializeStructVariant = NoCompound;

    fn serialize_bool(self, v: bool) -> Result<bool, Unsupported> {
        self.0.push_str(if v { "1" } else { "0" });
        Ok(true)
    }
    decimal_text! {
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_char(char);
    }
    fn serialize_str(self, v: &str) -> Result<bool, Unsupported> {
        self.0.push_str(v);
        Ok(true)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<bool, Unsupported> {
        self.0.push_str(variant);
        Ok(true)
    }
    fn serialize_none(self) -> Result<bool, Unsupported> {
        Ok(false)
    }
    fn serialize_unit(self) -> Result<bool, Unsupported> {
        Ok(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, Unsupported> {
        Ok(false)
    }
    wrappers!(bool);
    unsupported! {
        serialize_f32(f32) -> bool;
        serialize_f64(f64) -> bool;
        serialize_bytes(&[u8]) -> bool;
        serialize_seq(Option<usize>) -> NoCompound;
        serialize_tuple(usize) -> NoCompound;
        serialize_tuple_struct(&'static str, usize) -> NoCompound;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> NoCompound;
        serialize_map(Option<usize>) -> NoCompound;
        serialize_struct(&'static str, usize) -> NoCompound;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> NoCompound;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use pay_core::wire::MinorUnits;
    use secrecy::SecretString;
    use serde::Serialize;

    use crate::form::{fields_of, signed_body, signed_request};
    use crate::wire;

    fn key() -> SecretString {
        SecretString::from("form-serializer-test-key")
    }

    /// The JSON round trip's body: the reference the direct path must equal.
    fn round_trip<T: Serialize>(value: &T) -> String {
        signed_body(fields_of(value).expect("fields"), &key()).expect("signed")
    }

    #[derive(Serialize)]
    enum Choice {
        #[serde(rename = "yes")]
        Yes,
    }

    #[derive(Serialize)]
    struct Inner {
        #[serde(rename = "Id")]
        id: String,
        #[serde(rename = "Gone")]
        gone: Option<String>,
        #[serde(rename = "Flag")]
        flag: bool,
        #[serde(rename = "N")]
        n: MinorUnits,
    }

    /// Every shape: the scalars of [`Flat`], then nested values.
    #[derive(Serialize)]
    struct Every {
        #[serde(flatten)]
        scalars: Flat,
        #[serde(rename = "Client")]
        client: Inner,
        #[serde(rename = "List")]
        list: Vec<Option<String>>,
        #[serde(rename = "Tuple")]
        tuple: (u8, String),
        #[serde(rename = "Map")]
        map: BTreeMap<u32, String>,
        #[serde(rename = "EmptyMap")]
        empty_map: BTreeMap<String, String>,
    }

    fn every() -> Every {
        Every {
            scalars: flat(),
            client: Inner {
                id: "c-1".to_owned(),
                gone: None,
                flag: false,
                n: MinorUnits(7),
            },
            list: vec![Some("a".to_owned()), None, Some("c".to_owned())],
            tuple: (9, "t".to_owned()),
            map: [(10, "ten".to_owned()), (2, "two".to_owned())].into(),
            empty_map: BTreeMap::new(),
        }
    }

    #[test]
    fn the_direct_path_writes_what_the_json_round_trip_writes() {
        let value = every();
        assert!(super::params_of(&value).is_ok(), "the direct path takes it");
        let direct = signed_request(&value, &key()).expect("direct");
        assert_eq!(direct, round_trip(&value));
        assert!(
            direct
                .starts_with("Amount=1250&3DS=yes&Text=Cr%C3%A8me+br%C3%BBl%C3%A9e+%26+co&Empty=&")
        );
        assert!(direct.contains("&Yes=1&No=0&Neg=-42&"));
        assert!(direct.contains("&Client%5BId%5D=c-1&Client%5BFlag%5D=0&Client%5BN%5D=7&"));
        assert!(direct.contains("&List%5B0%5D=a&List%5B2%5D=c&"), "{direct}");
        assert!(direct.contains("&Map%5B2%5D=two&Map%5B10%5D=ten&"));
        assert!(
            !direct.contains("None=") && !direct.contains("Gone") && !direct.contains("EmptyMap")
        );
    }

    /// The body through `Params` (the path for nested values), for comparison.
    fn through_params<T: Serialize>(value: &T) -> String {
        let params = super::params_of(value).expect("params");
        let signature = pay_signing::easytransac::sign(&params, &key()).expect("signed");
        super::encode_with_signature(&params, signature.as_str())
    }

    /// Every scalar shape, and nothing nested: the flat path's.
    #[derive(Serialize)]
    struct Flat {
        #[serde(rename = "Amount")]
        amount: MinorUnits,
        #[serde(rename = "3DS")]
        three_ds: Choice,
        #[serde(rename = "Text")]
        text: String,
        #[serde(rename = "Empty")]
        empty: String,
        #[serde(rename = "Escaped")]
        escaped: String,
        #[serde(rename = "None")]
        none: Option<u32>,
        #[serde(rename = "Unit")]
        unit: (),
        #[serde(rename = "Yes")]
        yes: bool,
        #[serde(rename = "No")]
        no: Option<bool>,
        #[serde(rename = "Neg")]
        neg: i8,
        #[serde(rename = "Big")]
        big: u128,
        #[serde(rename = "Char")]
        ch: char,
        #[serde(rename = "amount")]
        amount_again: u16,
    }

    fn flat() -> Flat {
        Flat {
            amount: MinorUnits(1250),
            three_ds: Choice::Yes,
            text: "Crème brûlée & co".to_owned(),
            empty: String::new(),
            escaped: "quote \" back \\ $ newline \n tab \t".to_owned(),
            none: None,
            unit: (),
            yes: true,
            no: Some(false),
            neg: -42,
            big: u128::MAX,
            ch: 'é',
            amount_again: 7,
        }
    }

    #[test]
    fn the_flat_path_writes_what_the_other_two_write() {
        let value = flat();
        let form = super::flat_form_of(&value).expect("flat");
        assert_eq!(form.pairs().len(), 11, "None and () are dropped");
        let flat = signed_request(&value, &key()).expect("flat");
        assert_eq!(flat, through_params(&value));
        assert_eq!(flat, round_trip(&value));
        assert!(
            flat.starts_with("Amount=1250&3DS=yes&Text=Cr%C3%A8me+br%C3%BBl%C3%A9e+%26+co&Empty=&")
        );
        assert!(flat.contains("&Yes=1&No=0&Neg=-42&Big=340282366920938463463374607431768211455&"));
        // Nested values, maps and the names the round trip treats specially are not flat.
        assert!(super::flat_form_of(&every()).is_err());
        assert!(super::flat_form_of(&BTreeMap::from([("a", "b")])).is_err());
        assert!(super::flat_form_of(&WithFloat { rate: 0.5 }).is_err());
        let named = Named {
            signature: "forged".to_owned(),
            bracket: "x".to_owned(),
        };
        assert!(super::flat_form_of(&named).is_err());
        assert!(super::flat_form_of(&WithData { d: Data::V(1) }).is_err());
        assert!(super::flat_form_of(&5_u8).is_err());
        let raw = serde_json::value::RawValue::from_string("{\"a\":1}".to_owned()).unwrap();
        assert!(super::flat_form_of(&raw).is_err());
    }

    #[test]
    fn generated_requests_take_the_direct_path_with_the_same_bytes() {
        let mut payment = wire::V1DirectPaymentRequest::new(
            MinorUnits(1250),
            "4111111111111111".to_owned(),
            "09".to_owned(),
            "2030".to_owned(),
            "123".to_owned(),
            "89.184.22.134".to_owned(),
        );
        payment.email = Some("jeanne.martin+test@example.com".to_owned());
        payment.description = Some("Tarte & café / 2".to_owned());
        assert!(super::flat_form_of(&payment).is_ok());
        let body = signed_request(&payment, &key()).unwrap();
        assert_eq!(body, through_params(&payment));
        assert_eq!(body, round_trip(&payment));
        let mut capture = wire::V1CaptureRequest::new("ET123456".to_owned());
        capture.amount = Some(MinorUnits(1250));
        assert!(super::params_of(&capture).is_ok());
        assert!(super::flat_form_of(&capture).is_ok());
        assert_eq!(
            signed_request(&capture, &key()).unwrap(),
            round_trip(&capture)
        );
        assert_eq!(
            signed_request(&capture, &key()).unwrap(),
            through_params(&capture)
        );
        let status = wire::V1StatusRequest {
            tid: Some("ET1".to_owned()),
            ..Default::default()
        };
        assert!(super::params_of(&status).is_ok());
        assert_eq!(
            signed_request(&status, &key()).unwrap(),
            round_trip(&status)
        );
    }

    #[derive(Serialize)]
    struct WithFloat {
        #[serde(rename = "Rate")]
        rate: f64,
    }

    #[derive(Serialize)]
    struct TooDeep {
        #[serde(rename = "Outer")]
        outer: BTreeMap<String, Vec<u8>>,
    }

    #[derive(Serialize)]
    enum Data {
        V(u8),
    }

    #[derive(Serialize)]
    struct WithData {
        #[serde(rename = "D")]
        d: Data,
    }

    #[derive(Serialize)]
    struct Named {
        #[serde(rename = "Signature")]
        signature: String,
        #[serde(rename = "A[b]")]
        bracket: String,
    }

    #[test]
    fn other_shapes_fall_back_to_the_json_round_trip_unchanged() {
        // A float (never in a wire type) is left to the round trip, which writes its text.
        let float = WithFloat { rate: 0.5 };
        assert!(super::params_of(&float).is_err());
        assert_eq!(signed_request(&float, &key()).unwrap(), round_trip(&float));
        // Too deep: the round trip's error, as before.
        let deep = TooDeep {
            outer: [("k".to_owned(), vec![1])].into(),
        };
        assert!(super::params_of(&deep).is_err());
        let error = signed_request(&deep, &key()).unwrap_err();
        assert!(
            error.to_string().contains("nested more than one level"),
            "{error}"
        );
        // An enum variant with data is nested in JSON: the round trip decides.
        let data = WithData { d: Data::V(1) };
        assert!(super::params_of(&data).is_err());
        assert_eq!(signed_request(&data, &key()).unwrap(), round_trip(&data));
        // Names the round trip treats specially.
        let named = Named {
            signature: "forged".to_owned(),
            bracket: "x".to_owned(),
        };
        assert!(super::params_of(&named).is_err());
        let body = signed_request(&named, &key()).unwrap();
        assert_eq!(body, round_trip(&named));
        assert!(!body.contains("forged"));
        // Not a struct at all.
        assert!(super::params_of(&5_u8).is_err());
        assert!(signed_request(&5_u8, &key()).is_err());
        let raw = serde_json::value::RawValue::from_string("{\"a\":1}".to_owned()).unwrap();
        assert!(super::params_of(&raw).is_err());
    }
}
