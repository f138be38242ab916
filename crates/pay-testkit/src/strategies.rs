//! proptest strategies for the values payment code gets wrong: money in currencies of
//! every exponent, valid and invalid IBANs and card numbers, merchant references and
//! webhook payloads. For our own tests and for users'.
//!
//! ```
//! use pay_core::{CardNumber, Iban};
//! use pay_testkit::strategies;
//! use proptest::prelude::*;
//!
//! proptest!(|(iban in strategies::valid_iban(), pan in strategies::card_number())| {
//!     prop_assert!(Iban::parse(&iban).is_ok());
//!     prop_assert!(CardNumber::new(&pan).is_ok());
//! });
//! ```

use std::collections::BTreeMap;

use pay_core::{Currency, MerchantReference, Money, minor_unit_exponent};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::form;

/// Positive amounts of `currency`, from one minor unit to 10^10 minor units.
///
/// # Panics
/// When `currency` has no minor unit (XAU, XDR, XXX…): it is not money.
pub fn money(currency: Currency) -> impl Strategy<Value = Money> {
    assert!(
        minor_unit_exponent(currency).is_some(),
        "{} has no minor unit, so it cannot be an amount",
        currency.code()
    );
    (1i64..=10_000_000_000).prop_filter_map("an amount", move |minor| {
        Money::from_minor(minor, currency).ok()
    })
}

/// Currencies with exponents 0, 2 and 3, for [`money_any`].
pub const CURRENCIES: &[Currency] = &[
    Currency::EUR,
    Currency::USD,
    Currency::GBP,
    Currency::CHF,
    Currency::JPY,
    Currency::KRW,
    Currency::BHD,
    Currency::KWD,
];

/// Positive amounts in one of [`CURRENCIES`] (exponents 0, 2 and 3).
pub fn money_any() -> impl Strategy<Value = Money> {
    prop::sample::select(CURRENCIES).prop_flat_map(money)
}

/// Countries with their BBAN layout, as regular expressions over upper-case letters and
/// digits (from the IBAN registry).
const BBAN_LAYOUTS: &[(&str, &str)] = &[
    ("PT", "[0-9]{21}"),
    ("FR", "[0-9]{10}[0-9A-Z]{11}[0-9]{2}"),
    ("DE", "[0-9]{18}"),
    ("ES", "[0-9]{20}"),
    ("IT", "[A-Z][0-9]{10}[0-9A-Z]{12}"),
    ("NL", "[A-Z]{4}[0-9]{10}"),
    ("BE", "[0-9]{12}"),
    ("GB", "[A-Z]{4}[0-9]{14}"),
    ("LU", "[0-9]{3}[0-9A-Z]{13}"),
    ("AT", "[0-9]{16}"),
];

/// Valid IBANs in electronic form (no spaces) for Portugal, France, Germany, Spain,
/// Italy, the Netherlands, Belgium, the United Kingdom, Luxembourg and Austria: a BBAN in
/// the country's layout and correct ISO 7064 check digits.
pub fn valid_iban() -> impl Strategy<Value = String> {
    prop::sample::select(BBAN_LAYOUTS).prop_flat_map(|(country, layout)| {
        proptest::string::string_regex(layout)
            .unwrap_or_else(|e| unreachable!("the BBAN layouts are valid expressions: {e}"))
            .prop_map(move |bban| {
                let check = 98 - mod97(&format!("{bban}{country}00"));
                format!("{country}{check:02}{bban}")
            })
    })
}

/// Invalid IBANs: a valid one with one digit changed (which the check digits always
/// catch) or with its last character dropped (the wrong length for the country).
pub fn invalid_iban() -> impl Strategy<Value = String> {
    prop_oneof![
        (valid_iban(), any::<Index>(), 1u8..=9).prop_map(|(iban, at, delta)| {
            // Every layout has digits after the country code: the check digits at least.
            let digits: Vec<usize> = iban
                .char_indices()
                .skip(2)
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            let position = digits[at.index(digits.len())];
            replace_digit(&iban, position, delta)
        }),
        valid_iban().prop_map(|mut iban| {
            iban.pop();
            iban
        }),
    ]
}

/// Card numbers of 13 to 19 digits with a valid Luhn check digit.
pub fn card_number() -> impl Strategy<Value = String> {
    (13usize..=19)
        .prop_flat_map(|len| (1u32..=9, prop::collection::vec(0u32..=9, len - 2)))
        .prop_map(|(first, rest)| {
            let payload: String = std::iter::once(first)
                .chain(rest)
                .filter_map(|d| char::from_digit(d, 10))
                .collect();
            let check = luhn_check_digit(&payload);
            format!("{payload}{check}")
        })
}

/// Card numbers of 13 to 19 digits whose Luhn check digit is wrong.
pub fn invalid_card_number() -> impl Strategy<Value = String> {
    (card_number(), 1u8..=9)
        .prop_map(|(valid, delta)| replace_digit(&valid, valid.len() - 1, delta))
}

/// Merchant references of 1 to `max_len` characters (letters, digits, `-` and `_`, which
/// every provider accepts). `max_len` is kept between 1 and
/// [`MerchantReference::MAX_LEN`].
pub fn merchant_reference(max_len: usize) -> impl Strategy<Value = MerchantReference> {
    let max = max_len.clamp(1, MerchantReference::MAX_LEN);
    proptest::string::string_regex(&format!("[A-Za-z0-9_-]{{1,{max}}}"))
        .unwrap_or_else(|e| unreachable!("the reference expression is valid: {e}"))
        .prop_filter_map("a merchant reference", |text| {
            MerchantReference::new(text).ok()
        })
}

/// A notification body as a map of field to text value, to write as a form or as JSON.
/// Values are text, never numbers: amounts are decimal strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPayload {
    fields: BTreeMap<String, String>,
}

impl WebhookPayload {
    /// The fields, sorted by name.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }

    /// A field's value.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// As an `application/x-www-form-urlencoded` body.
    pub fn to_form(&self) -> String {
        form::encode(&self.fields)
    }

    /// As a JSON object whose values are all strings.
    pub fn to_json(&self) -> String {
        serde_json::Value::Object(
            self.fields
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        )
        .to_string()
    }
}

/// Extra fields with awkward values: any printable text, including `&`, `=`, `+`, `%`,
/// quotes, backslashes and non-ASCII letters.
fn extra_fields() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("x[A-Za-z0-9]{1,15}", "\\PC{0,30}", 0..4)
}

fn decimal_amount() -> impl Strategy<Value = String> {
    money(Currency::EUR).prop_map(|m| m.format_major())
}

/// Form notification payloads shaped like Easytransac's: `Tid`, `Status`, `Amount` (a
/// decimal string), `OrderId`, plus awkward extra fields.
pub fn webhook_form_payload() -> impl Strategy<Value = WebhookPayload> {
    (
        "[A-Za-z0-9]{6,12}",
        prop_oneof![
            prop::sample::select(&["captured", "pending", "failed", "refunded"][..])
                .prop_map(str::to_owned),
            "[a-z]{3,12}",
        ],
        decimal_amount(),
        merchant_reference(50),
        extra_fields(),
    )
        .prop_map(|(tid, status, amount, reference, extra)| {
            let mut fields = extra;
            fields.insert("Tid".to_owned(), tid);
            fields.insert("Status".to_owned(), status);
            fields.insert("Amount".to_owned(), amount);
            fields.insert("OrderId".to_owned(), reference.as_str().to_owned());
            WebhookPayload { fields }
        })
}

/// JSON notification payloads shaped like Easypay's generic notification: `id`, `type`,
/// `status`, `key`, plus awkward extra fields.
pub fn webhook_json_payload() -> impl Strategy<Value = WebhookPayload> {
    (
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        prop_oneof![
            prop::sample::select(&["capture", "refund", "void", "authorisation"][..])
                .prop_map(str::to_owned),
            "[a-z_]{3,16}",
        ],
        prop::sample::select(&["success", "failed"][..]),
        merchant_reference(50),
        extra_fields(),
    )
        .prop_map(|(id, kind, status, reference, extra)| {
            let mut fields = extra;
            fields.insert("id".to_owned(), id);
            fields.insert("type".to_owned(), kind);
            fields.insert("status".to_owned(), status.to_owned());
            fields.insert("key".to_owned(), reference.as_str().to_owned());
            WebhookPayload { fields }
        })
}

/// ISO 7064 MOD 97-10 over digits and letters (A = 10 … Z = 35).
fn mod97(text: &str) -> u32 {
    text.chars().fold(0, |rest, c| match c.to_digit(36) {
        Some(value) if value < 10 => (rest * 10 + value) % 97,
        Some(value) => (rest * 100 + value) % 97,
        None => rest,
    })
}

/// The Luhn check digit to append to `payload`.
fn luhn_check_digit(payload: &str) -> char {
    let sum: u32 = payload
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
}

/// `text` with the digit at byte `position` replaced by another digit.
fn replace_digit(text: &str, position: usize, delta: u8) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let digit = bytes[position] - b'0';
    bytes[position] = b'0' + (digit + delta) % 10;
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::{CardNumber, Iban, Rule, luhn_valid};

    #[test]
    fn check_digits_match_known_ibans() {
        // Published example IBANs.
        for iban in [
            "PT50000201231234567890154",
            "FR1420041010050500013M02606",
            "DE89370400440532013000",
            "GB29NWBK60161331926819",
            "NL91ABNA0417164300",
        ] {
            let (head, bban) = iban.split_at(4);
            let check = 98 - mod97(&format!("{bban}{}00", &head[..2]));
            assert_eq!(format!("{check:02}"), &head[2..], "{iban}");
        }
        assert_eq!(luhn_check_digit("411111111111111"), '1');
        assert_eq!(luhn_check_digit("555555555555444"), '4');
    }

    proptest! {
        #[test]
        fn money_is_positive_and_exact(money in money_any()) {
            prop_assert!(money.is_positive());
            prop_assert!(CURRENCIES.contains(&money.currency()));
            let back = Money::parse_major(&money.format_major(), money.currency()).unwrap();
            prop_assert_eq!(back, money);
        }

        #[test]
        fn money_keeps_its_currency(money in money(Currency::JPY)) {
            prop_assert_eq!(money.currency(), Currency::JPY);
            prop_assert_eq!(money.exponent(), 0);
        }

        #[test]
        fn valid_ibans_parse(iban in valid_iban()) {
            let parsed = Iban::parse(&iban);
            prop_assert!(parsed.is_ok(), "{} rejected: {:?}", iban, parsed.err());
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed.expose_electronic(), iban.as_str());
        }

        #[test]
        fn invalid_ibans_do_not(iban in invalid_iban()) {
            prop_assert!(Iban::parse(&iban).is_err(), "{} accepted", iban);
        }

        #[test]
        fn card_numbers_pass_luhn(pan in card_number()) {
            prop_assert!((13..=19).contains(&pan.len()));
            prop_assert!(luhn_valid(&pan));
            prop_assert!(CardNumber::new(&pan).is_ok());
        }

        #[test]
        fn invalid_card_numbers_fail_luhn(pan in invalid_card_number()) {
            prop_assert!((13..=19).contains(&pan.len()));
            prop_assert!(!luhn_valid(&pan));
            let err = CardNumber::new(&pan).unwrap_err();
            prop_assert_eq!(err.rule(), &Rule::Luhn);
        }

        #[test]
        fn references_fit(reference in merchant_reference(12), long in merchant_reference(10_000)) {
            prop_assert!((1..=12).contains(&reference.as_str().len()));
            prop_assert!(long.as_str().len() <= MerchantReference::MAX_LEN);
            prop_assert!(MerchantReference::new(reference.as_str()).is_ok());
        }

        #[test]
        fn form_payloads_round_trip(payload in webhook_form_payload()) {
            for field in ["Tid", "Status", "Amount", "OrderId"] {
                prop_assert!(payload.field(field).is_some());
            }
            let amount = payload.field("Amount").unwrap();
            prop_assert!(Money::parse_major(amount, Currency::EUR).is_ok());
            let decoded: BTreeMap<String, String> = form::decode(&payload.to_form()).into_iter().collect();
            prop_assert_eq!(&decoded, payload.fields());
        }

        #[test]
        fn json_payloads_round_trip(payload in webhook_json_payload()) {
            for field in ["id", "type", "status", "key"] {
                prop_assert!(payload.field(field).is_some());
            }
            let decoded: BTreeMap<String, String> = serde_json::from_str(&payload.to_json()).unwrap();
            prop_assert_eq!(&decoded, payload.fields());
        }
    }
}
