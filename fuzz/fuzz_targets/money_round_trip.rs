//! Every amount round-trips: the input's first 8 bytes are an `i64` minor amount, the
//! next two pick a currency (every exponent, and none) and a `max_decimals`; then
//! decode(encode(m)) == m in every wire encoding, `parse_major(format_major(m))`,
//! `from_decimal(to_decimal(m))`, and the three serde wire amount types through JSON
//! text and back.
#![no_main]

use pay_core::wire::{DecimalString, JsonNumber, MinorUnits};
use pay_core::{AmountEncoding, Currency, Money};

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

const MAX_DECIMALS: &[u32] = &[0, 2, 3, 4, 30, u32::MAX];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut bytes = [0u8; 8];
    let head = data.len().min(8);
    bytes[..head].copy_from_slice(&data[..head]);
    let minor = i64::from_le_bytes(bytes);
    let pick = |at: usize| usize::from(data.get(at).copied().unwrap_or(0));
    let currency = CURRENCIES[pick(8) % CURRENCIES.len()];
    let max = MAX_DECIMALS[pick(9) % MAX_DECIMALS.len()];
    let Ok(m) = Money::from_minor(minor, currency) else {
        return;
    };
    for encoding in [
        AmountEncoding::MinorUnits,
        AmountEncoding::MajorDecimalString,
        AmountEncoding::MajorJsonNumber { max_decimals: 2 },
        AmountEncoding::MajorJsonNumber { max_decimals: max },
    ] {
        if let Ok(text) = encoding.encode(m) {
            assert_eq!(encoding.decode(&text, currency), Ok(m), "{text}");
        }
    }
    assert_eq!(Money::parse_major(&m.format_major(), currency), Ok(m));
    assert_eq!(Money::from_decimal(m.to_decimal(), currency), Ok(m));
    let units = serde_json::to_string(&MinorUnits::from_money(m)).expect("written");
    let units: MinorUnits = serde_json::from_str(&units).expect("read back");
    assert_eq!(units.to_money(currency), Ok(m));
    let text = serde_json::to_string(&DecimalString::from_money(m)).expect("written");
    let decimal: DecimalString = serde_json::from_str(&text).expect("read back");
    assert_eq!(decimal.to_money(currency), Ok(m));
    if let Ok(number) = JsonNumber::from_money(m, max) {
        let text = serde_json::to_string(&number).expect("written");
        let number: JsonNumber = serde_json::from_str(&text).expect("read back");
        assert_eq!(number.to_money_with(currency, max), Ok(m));
    }
});
