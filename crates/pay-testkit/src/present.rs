//! How the provider fakes present values: exact amount text (through `pay-core`, never
//! hand-formatted), and masked card numbers and IBANs for answers and snapshots.

use pay_core::{AmountEncoding, Currency, Money};

/// Euro cents as an exact decimal with two places (`1250` → `"12.50"`), as Easytransac
/// answers and Easypay transaction notifications write amounts.
pub(crate) fn decimal_text(cents: i64) -> String {
    eur(cents).format_major()
}

/// Euro cents as the shortest exact JSON number token (`1250` → `12.5`, `1000` → `10`),
/// as Easypay writes `value`.
pub(crate) fn json_number(cents: i64) -> String {
    AmountEncoding::MajorJsonNumber { max_decimals: 2 }
        .encode(eur(cents))
        .expect("EUR has two places, which a two-place JSON number always holds")
}

fn eur(cents: i64) -> Money {
    Money::from_minor(cents, Currency::EUR).expect("EUR has a minor unit")
}

/// `************1111`: only the last four digits of a card number.
pub(crate) fn mask_card(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().saturating_sub(4);
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { *c })
        .collect()
}

/// `PT50 **** 0154`: the country, check digits and last four characters of an IBAN
/// (the same form as [`pay_core::Iban`]'s `Display`). Text too short to be an IBAN shows
/// nothing.
pub(crate) fn mask_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 8 {
        return "****".to_owned();
    }
    let head: String = compact[..4].iter().collect();
    let tail: String = compact[compact.len() - 4..].iter().collect();
    format!("{head} **** {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_text() {
        assert_eq!(decimal_text(2999), "29.99");
        assert_eq!(decimal_text(1), "0.01");
        assert_eq!(decimal_text(1800), "18.00");
        assert_eq!(decimal_text(0), "0.00");
        assert_eq!(decimal_text(100_000_000_005), "1000000000.05");
        assert_eq!(json_number(1250), "12.5");
        assert_eq!(json_number(1000), "10");
        assert_eq!(json_number(1), "0.01");
        assert_eq!(json_number(-505), "-5.05");
    }

    #[test]
    fn masks_keep_four_characters() {
        assert_eq!(mask_card("4111111111111111"), "************1111");
        assert_eq!(
            mask_iban("FR76 3000 6000 0112 3456 7890 189"),
            "FR76 **** 0189"
        );
        assert_eq!(mask_iban("PT50000201231234567890154"), "PT50 **** 0154");
        assert_eq!(mask_iban("PT50"), "****");
        let iban = pay_core::Iban::parse("PT50000201231234567890154").unwrap();
        assert_eq!(mask_iban(iban.expose_electronic()), iban.to_string());
    }
}
