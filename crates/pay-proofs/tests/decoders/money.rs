//! Money parsing: `Money::parse_major`, `AmountEncoding::decode` in each encoding and the
//! serde wire amount types over arbitrary text, and decode(encode(m)) == m for every
//! amount that exists.

use pay_core::wire::{DecimalString, JsonNumber, MinorUnits};
use pay_core::{AmountEncoding, Currency, Money};
use proptest::prelude::*;

use crate::support::{assert_reached, fuzz, mutated, number_text, text};

/// Exponents 0, 2, 3 and 4, and currencies with no minor unit at all.
const CURRENCIES: &[Currency] = &[
    Currency::EUR,
    Currency::USD,
    Currency::JPY,
    Currency::KRW,
    Currency::BHD,
    Currency::KWD,
    Currency::CLF,
    Currency::UYW,
    Currency::XAU,
    Currency::XXX,
    Currency::XDR,
];

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(CURRENCIES)
}

fn encodings(max_decimals: u32) -> [AmountEncoding; 4] {
    [
        AmountEncoding::MinorUnits,
        AmountEncoding::MajorDecimalString,
        AmountEncoding::MajorJsonNumber { max_decimals: 2 },
        AmountEncoding::MajorJsonNumber { max_decimals },
    ]
}

fn max_decimals() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..=5, 1 => any::<u32>()]
}

/// Amount text: numbers, near-numbers, and mutations of documented amounts.
fn amount_text() -> impl Strategy<Value = String> {
    let seeds = [
        "29.99", "0.25", "120", "20.5", "17.50", "1250", "-0.01", "18.000",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    prop_oneof![
        3 => number_text(),
        2 => text(),
        2 => mutated(seeds).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

#[test]
fn money_parse_major_on_arbitrary_text() {
    let tally = fuzz(
        "Money::parse_major",
        (amount_text(), currency()),
        |(text, currency), tally| {
            match Money::parse_major(&text, currency) {
                Ok(m) => {
                    tally.hit("decoded");
                    prop_assert_eq!(m.currency(), currency);
                    // What was read is what is written back, exactly.
                    prop_assert_eq!(Money::parse_major(&m.format_major(), currency), Ok(m));
                }
                Err(e) => prop_assert!(!e.field().is_empty()),
            }
            Ok(())
        },
    );
    assert_reached(&tally, "decoded");
}

#[test]
fn amount_encoding_decode_on_arbitrary_text() {
    let tally = fuzz(
        "AmountEncoding::decode",
        (amount_text(), currency(), max_decimals()),
        |(text, currency, max), tally| {
            for encoding in encodings(max) {
                match encoding.decode(&text, currency) {
                    Ok(m) => {
                        tally.hit("decoded");
                        prop_assert_eq!(m.currency(), currency);
                        if let Ok(again) = encoding.encode(m) {
                            prop_assert_eq!(encoding.decode(&again, currency), Ok(m));
                        }
                    }
                    Err(e) => prop_assert!(!e.field().is_empty()),
                }
            }
            Ok(())
        },
    );
    assert_reached(&tally, "decoded");
}

#[test]
fn every_encoding_round_trips_every_amount() {
    let minor = prop_oneof![
        any::<i64>(),
        -1_000_000i64..1_000_000,
        prop::sample::select(&[i64::MIN, i64::MIN + 1, i64::MAX, 0, 1, -1][..]),
    ];
    let tally = fuzz(
        "round trip decode(encode(m)) == m",
        (minor, currency(), max_decimals()),
        |(minor, currency, max), tally| {
            let Ok(m) = Money::from_minor(minor, currency) else {
                return Ok(());
            };
            tally.hit("money");
            for encoding in encodings(max) {
                if let Ok(text) = encoding.encode(m) {
                    tally.hit("encoded");
                    prop_assert_eq!(encoding.decode(&text, currency), Ok(m), "{}", text);
                }
            }
            prop_assert_eq!(Money::parse_major(&m.format_major(), currency), Ok(m));
            prop_assert_eq!(Money::from_decimal(m.to_decimal(), currency), Ok(m));
            // The serde wire types, through JSON text and back.
            let units = serde_json::to_string(&MinorUnits::from_money(m)).map_err(fail)?;
            let units: MinorUnits = serde_json::from_str(&units).map_err(fail)?;
            prop_assert_eq!(units.to_money(currency), Ok(m));
            let text = serde_json::to_string(&DecimalString::from_money(m)).map_err(fail)?;
            let decimal: DecimalString = serde_json::from_str(&text).map_err(fail)?;
            prop_assert_eq!(decimal.to_money(currency), Ok(m));
            if let Ok(number) = JsonNumber::from_money(m, max) {
                let text = serde_json::to_string(&number).map_err(fail)?;
                let number: JsonNumber = serde_json::from_str(&text).map_err(fail)?;
                prop_assert_eq!(number.to_money_with(currency, max), Ok(m));
            }
            Ok(())
        },
    );
    assert_reached(&tally, "encoded");
}

fn fail(e: serde_json::Error) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

#[test]
fn wire_amount_types_on_arbitrary_json() {
    let token = prop_oneof![
        3 => number_text(),
        2 => text().prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        1 => prop::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    let seeds = ["17.50", "\"29.99\"", "1250", "\"1250\"", "[12.5, \"3\"]"]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let input = prop_oneof![token.prop_map(String::into_bytes), mutated(seeds),];
    let tally = fuzz(
        "wire amount types (MinorUnits, DecimalString, JsonNumber)",
        (input, currency(), max_decimals()),
        |(bytes, currency, max), tally| {
            if let Ok(units) = serde_json::from_slice::<MinorUnits>(&bytes) {
                tally.hit("MinorUnits");
                let _ = units.to_money(currency);
            }
            if let Ok(decimal) = serde_json::from_slice::<DecimalString>(&bytes) {
                tally.hit("DecimalString");
                if let Ok(m) = decimal.to_money(currency) {
                    prop_assert_eq!(m.currency(), currency);
                }
            }
            if let Ok(number) = serde_json::from_slice::<JsonNumber>(&bytes) {
                tally.hit("JsonNumber");
                // The exact text is kept: written back, it is the same token.
                let written = serde_json::to_string(&number).map_err(fail)?;
                prop_assert_eq!(written.as_str(), number.as_str());
                let _ = number.to_money(currency);
                let _ = number.to_money_with(currency, max);
            }
            let _ = serde_json::from_slice::<Vec<Option<JsonNumber>>>(&bytes);
            let _ = serde_json::from_slice::<Vec<DecimalString>>(&bytes);
            Ok(())
        },
    );
    assert_reached(&tally, "JsonNumber");
}
