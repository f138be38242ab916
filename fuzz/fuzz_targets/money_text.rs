//! Money parsing over arbitrary text: `Money::parse_major` and `AmountEncoding::decode`
//! in each wire encoding (minor units, decimal string, JSON number with 2 and other
//! `max_decimals`), for currencies of every exponent (0, 2, 3, 4) and none. Asserts the
//! proptest properties: a decoded amount is in the asked currency and writes back to
//! itself exactly; every refusal is a `ValidationError` naming its field.
#![no_main]

use pay_core::{AmountEncoding, Currency, Money};

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

const ENCODINGS: &[AmountEncoding] = &[
    AmountEncoding::MinorUnits,
    AmountEncoding::MajorDecimalString,
    AmountEncoding::MajorJsonNumber { max_decimals: 2 },
    AmountEncoding::MajorJsonNumber { max_decimals: 0 },
    AmountEncoding::MajorJsonNumber { max_decimals: 4 },
    AmountEncoding::MajorJsonNumber { max_decimals: 30 },
    AmountEncoding::MajorJsonNumber {
        max_decimals: u32::MAX,
    },
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for &currency in CURRENCIES {
        match Money::parse_major(&text, currency) {
            Ok(m) => {
                assert_eq!(m.currency(), currency);
                assert_eq!(Money::parse_major(&m.format_major(), currency), Ok(m));
            }
            Err(e) => assert!(!e.field().is_empty()),
        }
        for encoding in ENCODINGS {
            match encoding.decode(&text, currency) {
                Ok(m) => {
                    assert_eq!(m.currency(), currency);
                    if let Ok(again) = encoding.encode(m) {
                        assert_eq!(encoding.decode(&again, currency), Ok(m), "{again}");
                    }
                }
                Err(e) => assert!(!e.field().is_empty()),
            }
        }
    }
});
