//! The serde wire amount types over arbitrary JSON: `MinorUnits`, `DecimalString` and
//! `JsonNumber` (and lists of them) read from the input, then `to_money` in currencies
//! of every exponent. Asserts that a read `JsonNumber` writes back as exactly the token
//! it was read from, and that an amount decoded from a `DecimalString` is in the asked
//! currency.
#![no_main]

use pay_core::Currency;
use pay_core::wire::{DecimalString, JsonNumber, MinorUnits};

const CURRENCIES: &[Currency] = &[
    Currency::EUR,
    Currency::JPY,
    Currency::BHD,
    Currency::CLF,
    Currency::XXX,
];

const MAX_DECIMALS: &[u32] = &[0, 2, 4, u32::MAX];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let units = serde_json::from_slice::<MinorUnits>(data).ok();
    let decimal = serde_json::from_slice::<DecimalString>(data).ok();
    let number = serde_json::from_slice::<JsonNumber>(data).ok();
    if let Some(number) = &number {
        let written = serde_json::to_string(number).expect("written");
        assert_eq!(written.as_str(), number.as_str());
    }
    for &currency in CURRENCIES {
        if let Some(units) = &units {
            let _ = units.to_money(currency);
        }
        if let Some(decimal) = &decimal
            && let Ok(m) = decimal.to_money(currency)
        {
            assert_eq!(m.currency(), currency);
        }
        if let Some(number) = &number {
            let _ = number.to_money(currency);
            for &max in MAX_DECIMALS {
                let _ = number.to_money_with(currency, max);
            }
        }
    }
    let _ = serde_json::from_slice::<Vec<Option<JsonNumber>>>(data);
    let _ = serde_json::from_slice::<Vec<DecimalString>>(data);
});
