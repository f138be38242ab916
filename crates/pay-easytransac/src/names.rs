//! The documented field names of a wire type, read from its serde implementation.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// The top-level field names (as on the wire) of a `#[derive(Deserialize)]` struct:
/// a deserializer that only records the field list serde asks it for. Empty for a type
/// that is not a struct.
///
/// ```
/// use pay_easytransac::{field_names, wire};
///
/// let names = field_names::<wire::V1PaymentPageRequest>();
/// assert!(names.contains(&"ClientIp"));
/// ```
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Recorder(Option<&'static [&'static str]>);

    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field names recorded")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }

    impl<'de> Deserializer<'de> for &mut Recorder {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    let mut recorder = Recorder(None);
    let _ = T::deserialize(&mut recorder);
    recorder.0.unwrap_or(&[])
}
