//! How a provider writes amounts on the wire, with an exact encoder and a checked decoder.

use iso_currency::Currency;

use crate::decimal::{DecimalText, format_minor};
use crate::money::{Money, exponent_or_err};
use crate::validation::{Rule, ValidationError};

/// The wire encoding of an amount. Each provider declares the ones it uses (per field;
/// the API descriptions mark every money field with its encoding).
///
/// | encoding | 12.50 EUR on the wire | used by |
/// |---|---|---|
/// | [`MinorUnits`](Self::MinorUnits) | `1250` | Easytransac V1 requests, V2 |
/// | [`MajorDecimalString`](Self::MajorDecimalString) | `"12.50"` | Easytransac V1 responses and notifications |
/// | [`MajorJsonNumber`](Self::MajorJsonNumber) | `12.5` | Easypay `value` |
///
/// [`encode`](Self::encode) returns the exact text to put on the wire (a form value, a
/// JSON string's contents, or a raw JSON number token); [`decode`](Self::decode) reads it
/// back and refuses anything that is not exactly representable.
///
/// ```
/// use pay_core::{AmountEncoding, Currency, Money};
///
/// let amount = Money::from_minor(1750, Currency::EUR)?;
/// let easypay = AmountEncoding::MajorJsonNumber { max_decimals: 2 };
/// assert_eq!(easypay.encode(amount)?, "17.5");
/// assert_eq!(easypay.decode("17.50", Currency::EUR)?, amount);
/// assert_eq!(AmountEncoding::MinorUnits.encode(amount)?, "1750");
/// assert_eq!(AmountEncoding::MajorDecimalString.encode(amount)?, "17.50");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AmountEncoding {
    /// An integer count of minor units: `1250`.
    MinorUnits,
    /// A decimal string in major units with the currency's places: `"12.50"`. Decoding
    /// accepts fewer places (`"12.5"`) and trailing zeros, never extra significant digits.
    MajorDecimalString,
    /// An exact JSON number in major units with at most `max_decimals` places, written in
    /// its shortest form (`12.5`, `12`, `0.05`). Decoding accepts any JSON number text
    /// (exponents included) that is exactly representable.
    MajorJsonNumber {
        /// The most decimal places the provider keeps (Easypay: 2).
        max_decimals: u32,
    },
}

impl AmountEncoding {
    /// The wire text for `money`.
    ///
    /// # Errors
    /// [`Rule::TooManyDecimals`] when the encoding keeps fewer places than the amount
    /// needs (3-decimal currencies on a 2-decimal JSON number).
    pub fn encode(&self, money: Money) -> Result<String, ValidationError> {
        match self {
            AmountEncoding::MinorUnits => Ok(money.minor_units().to_string()),
            AmountEncoding::MajorDecimalString => Ok(money.format_major()),
            AmountEncoding::MajorJsonNumber { max_decimals } => {
                let exponent = money.exponent();
                let text = format_minor(money.minor_units(), exponent, true);
                let places = text.split_once('.').map_or(0, |(_, frac)| frac.len());
                if u32::try_from(places).unwrap_or(u32::MAX) > *max_decimals {
                    return Err(ValidationError::new(
                        "amount",
                        Rule::TooManyDecimals {
                            currency: money.currency().code(),
                            max: *max_decimals,
                        },
                    ));
                }
                Ok(text)
            }
        }
    }

    /// Reads wire text back into money of `currency`.
    ///
    /// # Errors
    /// [`Rule::Format`] for text outside the encoding's grammar, [`Rule::TooManyDecimals`],
    /// [`Rule::Overflow`], [`Rule::NoMinorUnit`].
    pub fn decode(&self, text: &str, currency: Currency) -> Result<Money, ValidationError> {
        let exponent = exponent_or_err(currency)?;
        let format = |expected| ValidationError::new("amount", Rule::Format { expected });
        let minor = match self {
            AmountEncoding::MinorUnits => {
                let digits = text.strip_prefix('-').unwrap_or(text);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format("an integer number of minor units such as 1250"));
                }
                text.parse::<i64>()
                    .map_err(|_| ValidationError::new("amount", Rule::Overflow))?
            }
            AmountEncoding::MajorDecimalString => DecimalText::parse_plain(text)
                .ok_or_else(|| format("a decimal number such as 12.50"))?
                .to_minor(exponent, currency)?,
            AmountEncoding::MajorJsonNumber { max_decimals } => {
                let parsed = DecimalText::parse_json(text)
                    .ok_or_else(|| format("a JSON number such as 12.5"))?;
                let max = (*max_decimals).min(exponent);
                if parsed.significant_decimals() > u64::from(max) {
                    return Err(ValidationError::new(
                        "amount",
                        Rule::TooManyDecimals {
                            currency: currency.code(),
                            max,
                        },
                    ));
                }
                parsed.to_minor(exponent, currency)?
            }
        };
        Money::from_minor(minor, currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const JSON2: AmountEncoding = AmountEncoding::MajorJsonNumber { max_decimals: 2 };
    const ALL: [AmountEncoding; 3] = [
        AmountEncoding::MinorUnits,
        AmountEncoding::MajorDecimalString,
        JSON2,
    ];

    #[test]
    fn documented_wire_examples() {
        let eur = |text| Money::parse_major(text, Currency::EUR).unwrap();
        assert_eq!(
            AmountEncoding::MinorUnits.encode(eur("12.50")).unwrap(),
            "1250"
        );
        assert_eq!(
            AmountEncoding::MajorDecimalString
                .decode("29.99", Currency::EUR)
                .unwrap(),
            eur("29.99")
        );
        assert_eq!(JSON2.encode(eur("17.5")).unwrap(), "17.5");
        assert_eq!(JSON2.encode(eur("20")).unwrap(), "20");
        assert_eq!(JSON2.encode(eur("0.05")).unwrap(), "0.05");
        assert_eq!(JSON2.decode("1", Currency::EUR).unwrap(), eur("1"));
        assert_eq!(JSON2.decode("2.5e1", Currency::EUR).unwrap(), eur("25"));
    }

    #[test]
    fn checked_decode_errors() {
        let rule = |enc: AmountEncoding, text: &str| {
            enc.decode(text, Currency::EUR).unwrap_err().rule().clone()
        };
        assert!(matches!(
            rule(JSON2, "17.505"),
            Rule::TooManyDecimals { max: 2, .. }
        ));
        assert!(matches!(rule(JSON2, "17.5.0"), Rule::Format { .. }));
        assert!(matches!(rule(JSON2, "NaN"), Rule::Format { .. }));
        assert!(matches!(
            rule(AmountEncoding::MinorUnits, "12.50"),
            Rule::Format { .. }
        ));
        assert!(matches!(
            rule(AmountEncoding::MinorUnits, "99999999999999999999"),
            Rule::Overflow
        ));
        assert!(matches!(
            rule(AmountEncoding::MajorDecimalString, "29,99"),
            Rule::Format { .. }
        ));
        assert!(matches!(
            rule(AmountEncoding::MajorDecimalString, "29.999"),
            Rule::TooManyDecimals { .. }
        ));
        // A 3-place currency cannot travel as a 2-place JSON number.
        let bhd = Money::from_minor(1234, Currency::BHD).unwrap();
        assert!(matches!(
            JSON2.encode(bhd).unwrap_err().rule(),
            Rule::TooManyDecimals { max: 2, .. }
        ));
        assert!(matches!(
            JSON2.decode("1.234", Currency::BHD).unwrap_err().rule(),
            Rule::TooManyDecimals { max: 2, .. }
        ));
        assert_eq!(
            JSON2
                .encode(Money::from_minor(1230, Currency::BHD).unwrap())
                .unwrap(),
            "1.23"
        );
    }

    proptest! {
        #[test]
        fn every_encoding_round_trips(minor in any::<i64>(), pick in 0usize..3) {
            let enc = ALL[pick];
            for currency in [Currency::EUR, Currency::JPY, Currency::USD] {
                let money = Money::from_minor(minor, currency).unwrap();
                let text = enc.encode(money).unwrap();
                prop_assert_eq!(enc.decode(&text, currency).unwrap(), money);
            }
        }

        #[test]
        fn json_numbers_are_valid_json(minor in any::<i64>()) {
            let money = Money::from_minor(minor, Currency::EUR).unwrap();
            let text = JSON2.encode(money).unwrap();
            // serde_json accepts it as one JSON value (checked as raw text: no float involved).
            let raw: Box<serde_json::value::RawValue> = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(raw.get(), text.as_str());
            prop_assert!(text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-'));
        }

        #[test]
        fn three_place_amounts_round_trip_or_refuse(minor in any::<i64>()) {
            let money = Money::from_minor(minor, Currency::BHD).unwrap();
            match JSON2.encode(money) {
                Ok(text) => prop_assert_eq!(JSON2.decode(&text, Currency::BHD).unwrap(), money),
                Err(err) => {
                    prop_assert!(minor % 10 != 0);
                    let is_too_many = matches!(err.rule(), Rule::TooManyDecimals { .. });
                    prop_assert!(is_too_many);
                }
            }
        }
    }
}
