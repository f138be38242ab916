//! Serde types for amounts on the wire (feature `serde`): exact text in, exact text out,
//! never through a float.
//!
//! A provider's JSON carries an amount without its currency (that is a sibling field, or
//! the account's), so wire structs hold one of these and the adapter's conversion layer
//! turns it into [`Money`] with [`to_money`](JsonNumber::to_money):
//!
//! | type | JSON | encoding |
//! |---|---|---|
//! | [`MinorUnits`] | `1250` | [`AmountEncoding::MinorUnits`] |
//! | [`DecimalString`] | `"12.50"` | [`AmountEncoding::MajorDecimalString`] |
//! | [`JsonNumber`] | `12.5` | [`AmountEncoding::MajorJsonNumber`] |
//!
//! Deserialising is lenient about the JSON type (providers send `"40"` where the spec says
//! a number) and strict about the value: anything not exactly representable is refused
//! when converted to money. [`DecimalString`] and [`JsonNumber`] read the raw JSON token
//! through [`serde_json::value::RawValue`], so they work with `serde_json::from_str` /
//! `from_slice` directly; do not put them behind `#[serde(flatten)]` or untagged enums,
//! which buffer values (and would then fail loudly rather than lose precision).
//!
//! ```
//! use pay_core::wire::JsonNumber;
//! use pay_core::{Currency, Money};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Single { value: JsonNumber, currency: String }
//!
//! let body: Single = serde_json::from_str(r#"{"value": 17.5, "currency": "EUR"}"#)?;
//! assert_eq!(body.value.to_money(Currency::EUR)?, Money::from_minor(1750, Currency::EUR)?);
//!
//! let out = Single { value: JsonNumber::from_money(Money::from_minor(1999, Currency::EUR)?, 2)?, currency: "EUR".into() };
//! assert_eq!(serde_json::to_string(&out)?, r#"{"value":19.99,"currency":"EUR"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`rt`] is the rest of what generated wire code needs: its serde helpers and the checks
//! behind every `validate()`, once for every adapter.

pub mod rt;

use std::fmt;

use iso_currency::Currency;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::decimal::DecimalText;
use crate::encoding::AmountEncoding;
use crate::money::Money;
use crate::validation::ValidationError;

/// An integer count of minor units (`1250`). Accepts a JSON integer or a string of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MinorUnits(pub i64);

impl MinorUnits {
    /// The amount in `currency`.
    ///
    /// # Errors
    /// [`Rule::NoMinorUnit`](crate::Rule::NoMinorUnit) for non-money currencies.
    pub fn to_money(self, currency: Currency) -> Result<Money, ValidationError> {
        Money::from_minor(self.0, currency)
    }

    /// The wire form of `money`.
    pub fn from_money(money: Money) -> Self {
        Self(money.minor_units())
    }
}

impl Serialize for MinorUnits {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for MinorUnits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MinorUnits;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer number of minor units")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MinorUnits, E> {
                Ok(MinorUnits(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MinorUnits, E> {
                i64::try_from(v)
                    .map(MinorUnits)
                    .map_err(|_| E::custom("minor units overflow a 64-bit amount"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MinorUnits, E> {
                AmountEncoding::MinorUnits
                    .decode(v, Currency::EUR)
                    .map(|m| MinorUnits(m.minor_units()))
                    .map_err(E::custom)
            }
        }
        // `deserialize_any` so a fractional JSON number is refused, not truncated.
        deserializer.deserialize_any(V)
    }
}

/// Reads one JSON value as raw text: the token itself for a number, the unescaped
/// contents for a string.
fn raw_number_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let raw: Box<RawValue> = Deserialize::deserialize(deserializer)?;
    let text = raw.get().trim();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(de::Error::custom)
    } else if DecimalText::parse_json(text).is_some() {
        Ok(text.to_owned())
    } else {
        Err(de::Error::custom(format_args!(
            "expected an amount, found `{}`",
            text.chars().take(20).collect::<String>()
        )))
    }
}

/// A decimal string in major units (`"12.50"`), as Easytransac writes amounts in answers
/// and notifications. Accepts a JSON string or number; the text is kept exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecimalString(String);

impl DecimalString {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The amount in `currency`.
    ///
    /// # Errors
    /// [`Rule::Format`](crate::Rule::Format), [`Rule::TooManyDecimals`](crate::Rule::TooManyDecimals),
    /// [`Rule::Overflow`](crate::Rule::Overflow).
    pub fn to_money(&self, currency: Currency) -> Result<Money, ValidationError> {
        AmountEncoding::MajorDecimalString.decode(&self.0, currency)
    }

    /// The wire form of `money` (`"12.50"`).
    pub fn from_money(money: Money) -> Self {
        Self(money.format_major())
    }
}

impl Serialize for DecimalString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DecimalString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        raw_number_text(deserializer).map(DecimalString)
    }
}

/// An exact JSON number in major units (`12.5`), as Easypay writes `value`. Accepts a
/// JSON number or a numeric string; serialises as a bare number token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JsonNumber(String);

impl JsonNumber {
    /// The number's text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The amount in `currency`, refusing significant digits beyond the currency's places:
    /// `17.50` is fine for EUR, `17.505` is not.
    ///
    /// # Errors
    /// [`Rule::Format`](crate::Rule::Format), [`Rule::TooManyDecimals`](crate::Rule::TooManyDecimals),
    /// [`Rule::Overflow`](crate::Rule::Overflow).
    pub fn to_money(&self, currency: Currency) -> Result<Money, ValidationError> {
        self.to_money_with(currency, currency.exponent().map_or(0, u32::from))
    }

    /// As [`to_money`](Self::to_money) with an explicit limit of decimal places.
    ///
    /// # Errors
    /// As [`to_money`](Self::to_money).
    pub fn to_money_with(
        &self,
        currency: Currency,
        max_decimals: u32,
    ) -> Result<Money, ValidationError> {
        AmountEncoding::MajorJsonNumber { max_decimals }.decode(&self.0, currency)
    }

    /// The wire form of `money` with at most `max_decimals` places (`12.5`).
    ///
    /// # Errors
    /// [`Rule::TooManyDecimals`](crate::Rule::TooManyDecimals) when `money` needs more.
    pub fn from_money(money: Money, max_decimals: u32) -> Result<Self, ValidationError> {
        AmountEncoding::MajorJsonNumber { max_decimals }
            .encode(money)
            .map(Self)
    }
}

impl Serialize for JsonNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The text passed the JSON number grammar when it was made, so it is a valid token.
        let raw = RawValue::from_string(self.0.clone()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = raw_number_text(deserializer)?;
        if DecimalText::parse_json(&text).is_none() {
            return Err(de::Error::custom("expected a JSON number"));
        }
        Ok(JsonNumber(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rule;
    use proptest::prelude::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Body {
        value: JsonNumber,
        amount: DecimalString,
        cents: MinorUnits,
    }

    #[test]
    fn lenient_types_exact_values() {
        let b: Body =
            serde_json::from_str(r#"{"value":"40","amount":29.99,"cents":"1250"}"#).unwrap();
        assert_eq!(b.value.to_money(Currency::EUR).unwrap().minor_units(), 4000);
        assert_eq!(
            b.amount.to_money(Currency::EUR).unwrap().minor_units(),
            2999
        );
        assert_eq!(b.cents.0, 1250);
        // Values a float would have mangled survive exactly.
        let b: Body = serde_json::from_str(
            r#"{"value":0.30000000000000004,"amount":"92233720368547758.07","cents":9223372036854775807}"#,
        )
        .unwrap();
        assert!(matches!(
            b.value.to_money(Currency::EUR).unwrap_err().rule(),
            Rule::TooManyDecimals { .. }
        ));
        assert_eq!(
            b.amount.to_money(Currency::EUR).unwrap().minor_units(),
            i64::MAX
        );
        assert_eq!(b.cents.0, i64::MAX);
    }

    #[test]
    fn refusals() {
        for bad in [
            r#"{"value":true,"amount":"1","cents":1}"#,
            r#"{"value":"abc","amount":"1","cents":1}"#,
            r#"{"value":1,"amount":"1","cents":1.5}"#,
            r#"{"value":1,"amount":"1","cents":"1.5"}"#,
            r#"{"value":1,"amount":"1","cents":18446744073709551615}"#,
            r#"{"value":null,"amount":"1","cents":1}"#,
        ] {
            assert!(serde_json::from_str::<Body>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn raw_text_is_kept_exactly() {
        let b: Body =
            serde_json::from_str(r#"{"value": 17.50 ,"amount":"012.5","cents":-7}"#).unwrap();
        assert_eq!(b.value.as_str(), "17.50");
        assert_eq!(b.amount.as_str(), "012.5");
        assert_eq!(b.cents, MinorUnits(-7));
        let b: Body =
            serde_json::from_str(r#"{"value":"1e2","amount":1E-2,"cents":"-0"}"#).unwrap();
        assert_eq!(b.value.as_str(), "1e2");
        assert_eq!(b.amount.as_str(), "1E-2");
        assert_eq!(
            b.value.to_money(Currency::EUR).unwrap().minor_units(),
            10000
        );
        // Serialised back as written: a bare number token and a JSON string.
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"value":1e2,"amount":"1E-2","cents":0}"#
        );
        let escaped: DecimalString = serde_json::from_str(r#""1\u0032.5""#).unwrap();
        assert_eq!(escaped.as_str(), "12.5");
    }

    #[test]
    fn conversions_with_explicit_places() {
        let eur = |minor| Money::from_minor(minor, Currency::EUR).unwrap();
        let n: JsonNumber = serde_json::from_str("12.34").unwrap();
        assert_eq!(n.to_money(Currency::EUR).unwrap(), eur(1234));
        assert!(matches!(
            n.to_money_with(Currency::EUR, 1).unwrap_err().rule(),
            Rule::TooManyDecimals { max: 1, .. }
        ));
        assert_eq!(n.to_money_with(Currency::EUR, 2).unwrap(), eur(1234));
        let yen: JsonNumber = serde_json::from_str("1234").unwrap();
        assert_eq!(yen.to_money(Currency::JPY).unwrap().minor_units(), 1234);
        assert!(matches!(
            n.to_money(Currency::JPY).unwrap_err().rule(),
            Rule::TooManyDecimals { max: 0, .. }
        ));
        assert!(matches!(
            JsonNumber::from_money(eur(1234), 1).unwrap_err().rule(),
            Rule::TooManyDecimals { max: 1, .. }
        ));
        assert_eq!(
            JsonNumber::from_money(eur(1230), 1).unwrap().as_str(),
            "12.3"
        );
        assert_eq!(DecimalString::from_money(eur(5)).as_str(), "0.05");
        assert_eq!(MinorUnits::from_money(eur(-5)), MinorUnits(-5));
        assert_eq!(
            MinorUnits(5).to_money(Currency::XAU).unwrap_err().rule(),
            &Rule::NoMinorUnit { currency: "XAU" }
        );
    }

    #[test]
    fn refusals_say_what_was_expected() {
        let err = serde_json::from_str::<DecimalString>("[1,2,3,4,5,6,7,8,9,10,11]").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("expected an amount, found `[1,2,3,4,5,6,7,8,9,1`"),
            "{err}"
        );
        let err = serde_json::from_str::<JsonNumber>(r#""12,5""#).unwrap_err();
        assert!(
            err.to_string().starts_with("expected a JSON number"),
            "{err}"
        );
        let err = serde_json::from_str::<MinorUnits>("9223372036854775808").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("minor units overflow a 64-bit amount"),
            "{err}"
        );
        assert_eq!(
            serde_json::from_str::<MinorUnits>("9223372036854775807").unwrap(),
            MinorUnits(i64::MAX)
        );
        let err = serde_json::from_str::<MinorUnits>("1.5").unwrap_err();
        assert!(
            err.to_string().contains("an integer number of minor units"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn round_trip_through_json(minor in any::<i64>()) {
            let money = Money::from_minor(minor, Currency::EUR).unwrap();
            let body = Body {
                value: JsonNumber::from_money(money, 2).unwrap(),
                amount: DecimalString::from_money(money),
                cents: MinorUnits::from_money(money),
            };
            let json = serde_json::to_string(&body).unwrap();
            let back: Body = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.value.to_money(Currency::EUR).unwrap(), money);
            prop_assert_eq!(back.amount.to_money(Currency::EUR).unwrap(), money);
            prop_assert_eq!(back.cents.to_money(Currency::EUR).unwrap(), money);
            prop_assert_eq!(&back, &body);
        }
    }
}
