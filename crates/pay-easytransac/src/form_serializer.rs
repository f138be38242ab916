//! The fast way to a V1 request's fields: a serde `Serializer` that writes a wire type
//! straight into the signer's [`Params`], without the JSON text round trip of
//! [`form::fields_of`](crate::form::fields_of).
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

use std::fmt;

use pay_signing::easytransac::{FieldValue, Params, Scalar};
use serde::ser::{
    self, Impossible, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeTuple,
    SerializeTupleStruct, Serializer,
};

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
    let mut out = String::with_capacity(size + "Signature=".len() + signature.len());
    let mut first = true;
    let mut pair = |out: &mut String, key: &str, sub: Option<&str>, value: &str| {
        if !first {
            out.push('&');
        }
        first = false;
        crate::form::escape_into(key, out);
        if let Some(sub) = sub {
            out.push_str("%5B");
            crate::form::escape_into(sub, out);
            out.push_str("%5D");
        }
        out.push('=');
        crate::form::escape_into(value, out);
    };
    for (key, value) in params.iter() {
        match value {
            FieldValue::Scalar(Scalar::Str(text)) => pair(&mut out, key, None, text),
            FieldValue::Nested(entries) => {
                for (sub, scalar) in entries {
                    if let Scalar::Str(text) = scalar {
                        pair(&mut out, key, Some(sub), text);
                    }
                }
            }
            // `params_of` writes strings only.
            _ => {}
        }
    }
    pair(&mut out, "Signature", None, signature);
    out
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
        self.key = Some(key.serialize(Text)?.ok_or(Unsupported)?);
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
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Params, Unsupported> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Params, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Params, Unsupported> {
        Err(Unsupported)
    }
    unsupported! {
        serialize_bool(bool) -> Params;
        serialize_i8(i8) -> Params;
        serialize_i16(i16) -> Params;
        serialize_i32(i32) -> Params;
        serialize_i64(i64) -> Params;
        serialize_u8(u8) -> Params;
        serialize_u16(u16) -> Params;
        serialize_u32(u32) -> Params;
        serialize_u64(u64) -> Params;
        serialize_f32(f32) -> Params;
        serialize_f64(f64) -> Params;
        serialize_char(char) -> Params;
        serialize_str(&str) -> Params;
        serialize_bytes(&[u8]) -> Params;
        serialize_none() -> Params;
        serialize_unit() -> Params;
        serialize_unit_struct(&'static str) -> Params;
        serialize_unit_variant(&'static str, u32, &'static str) -> Params;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
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
        if let Some(text) = value.serialize(Text)? {
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
        self.key = Some(key.serialize(Text)?.ok_or(Unsupported)?);
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
                Ok(Text.$method(v)?.map(|text| FieldValue::Scalar(Scalar::Str(text))))
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
    fn serialize_some<T: Serialize + ?Sized>(
        self,
        value: &T,
    ) -> Result<Option<FieldValue>, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<FieldValue>, Unsupported> {
        value.serialize(self)
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
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<FieldValue>, Unsupported> {
        Err(Unsupported)
    }
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
            fn $method(self, v: $arg) -> Result<Option<String>, Unsupported> {
                Ok(Some(v.to_string()))
            }
        )*
    };
}

/// A scalar's form text (`None`: dropped); anything compound is [`Unsupported`].
struct Text;

type NoCompound = Impossible<Option<String>, Unsupported>;

impl Serializer for Text {
    type Ok = Option<String>;
    type Error = Unsupported;
    type SerializeSeq = NoCompound;
    type SerializeTuple = NoCompound;
    type SerializeTupleStruct = NoCompound;
    type SerializeTupleVariant = NoCompound;
    type SerializeMap = NoCompound;
    type SerializeStruct = NoCompound;
    type SerializeStructVariant = NoCompound;

    fn serialize_bool(self, v: bool) -> Result<Option<String>, Unsupported> {
        Ok(Some(if v { "1" } else { "0" }.to_owned()))
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
    fn serialize_str(self, v: &str) -> Result<Option<String>, Unsupported> {
        Ok(Some(v.to_owned()))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<String>, Unsupported> {
        Ok(Some(variant.to_owned()))
    }
    fn serialize_none(self) -> Result<Option<String>, Unsupported> {
        Ok(None)
    }
    fn serialize_unit(self) -> Result<Option<String>, Unsupported> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<String>, Unsupported> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(
        self,
        value: &T,
    ) -> Result<Option<String>, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<String>, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<String>, Unsupported> {
        Err(Unsupported)
    }
    unsupported! {
        serialize_f32(f32) -> Option<String>;
        serialize_f64(f64) -> Option<String>;
        serialize_bytes(&[u8]) -> Option<String>;
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

    #[derive(Serialize)]
    struct Every {
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
        no: bool,
        #[serde(rename = "Neg")]
        neg: i64,
        #[serde(rename = "Big")]
        big: u128,
        #[serde(rename = "Char")]
        ch: char,
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
            amount: MinorUnits(1250),
            three_ds: Choice::Yes,
            text: "Crème brûlée & co".to_owned(),
            empty: String::new(),
            escaped: "quote \" back \\ newline \n tab \t".to_owned(),
            none: None,
            unit: (),
            yes: true,
            no: false,
            neg: -42,
            big: u128::MAX,
            ch: 'é',
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

    #[test]
    fn generated_requests_take_the_direct_path_with_the_same_bytes() {
        let mut capture = wire::V1CaptureRequest::new("ET123456".to_owned());
        capture.amount = Some(MinorUnits(1250));
        assert!(super::params_of(&capture).is_ok());
        assert_eq!(
            signed_request(&capture, &key()).unwrap(),
            round_trip(&capture)
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
