//! Card data: [`CardNumber`] (Luhn-checked, at most the last 4 digits ever shown),
//! [`Cvv`] (always redacted) and [`CardExpiry`].

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::validation::{Rule, ValidationError, check};

/// A card number (PAN), validated with the Luhn check digit and held in a
/// [`secrecy::SecretString`], zeroised on drop.
///
/// `Debug` shows at most the last four digits; there is no `Display`. The full number is
/// reachable only through [`CardNumber::expose_secret`].
///
/// ```
/// use pay_core::CardNumber;
///
/// let pan = CardNumber::new("4111 1111 1111 1111")?;
/// assert_eq!(pan.last4(), "1111");
/// assert_eq!(format!("{pan:?}"), "CardNumber(************1111)");
/// assert!(CardNumber::new("4111 1111 1111 1112").is_err());
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Clone)]
pub struct CardNumber {
    digits: SecretString,
    last4: String,
    len: usize,
}

impl CardNumber {
    /// Validates a card number. Spaces and dashes between digit groups are removed.
    ///
    /// # Errors
    /// [`Rule::Digits`], [`Rule::MinLength`] / [`Rule::MaxLength`] (12 to 19 digits),
    /// [`Rule::Luhn`]. The error never contains the number.
    pub fn new(text: &str) -> Result<Self, ValidationError> {
        let digits: String = text.chars().filter(|c| *c != ' ' && *c != '-').collect();
        let digits = SecretString::from(digits);
        let raw = digits.expose_secret();
        check::digits("card_number", raw)?;
        check::min_length("card_number", raw, 12)?;
        check::max_length("card_number", raw, 19)?;
        if !luhn_valid(raw) {
            return Err(ValidationError::new("card_number", Rule::Luhn));
        }
        let len = raw.len();
        let last4 = raw[len - 4..].to_owned();
        Ok(Self { digits, last4, len })
    }

    /// The full number, for the wire only. Never log it.
    pub fn expose_secret(&self) -> &str {
        self.digits.expose_secret()
    }

    /// The last four digits.
    pub fn last4(&self) -> &str {
        &self.last4
    }

    /// `************1111`: the number's length, showing only the last four digits.
    pub fn masked(&self) -> String {
        let mut s = "*".repeat(self.len - 4);
        s.push_str(&self.last4);
        s
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

/// Whether `digits` (ASCII digits only) passes the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if d > 9 {
            return false;
        }
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// A card verification code (CVV/CVC): 3 or 4 digits, held in a secret, always shown as
/// `Cvv(***)`.
///
/// ```
/// use pay_core::Cvv;
///
/// let cvv = Cvv::new("123")?;
/// assert_eq!(format!("{cvv:?}"), "Cvv(***)");
/// assert_eq!(cvv.expose_secret(), "123");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Clone)]
pub struct Cvv(SecretString);

impl Cvv {
    /// Validates a CVV.
    ///
    /// # Errors
    /// [`Rule::Digits`], or a length outside 3..=4 digits.
    pub fn new(text: &str) -> Result<Self, ValidationError> {
        check::digits("cvv", text)?;
        check::min_length("cvv", text, 3)?;
        check::max_length("cvv", text, 4)?;
        Ok(Self(SecretString::from(text)))
    }

    /// The code, for the wire only.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Cvv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvv(***)")
    }
}

/// A card's expiry month and year (four-digit year).
///
/// ```
/// use pay_core::CardExpiry;
///
/// let expiry = CardExpiry::new(9, 2031)?;
/// assert_eq!(expiry.month_2(), "09");
/// assert_eq!(expiry.year_2(), "31");
/// assert!(CardExpiry::new(13, 2031).is_err());
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardExpiry {
    year: u16,
    month: u8,
}

impl CardExpiry {
    /// Validates month 1..=12 and a year 2000..=2099.
    ///
    /// # Errors
    /// [`Rule::Range`] naming `card_expiry.month` or `card_expiry.year`.
    pub fn new(month: u8, year: u16) -> Result<Self, ValidationError> {
        if !(1..=12).contains(&month) {
            return Err(ValidationError::new(
                "card_expiry.month",
                Rule::Range { min: 1, max: 12 },
            ));
        }
        if !(2000..=2099).contains(&year) {
            return Err(ValidationError::new(
                "card_expiry.year",
                Rule::Range {
                    min: 2000,
                    max: 2099,
                },
            ));
        }
        Ok(Self { year, month })
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The four-digit year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month as two digits (`"09"`).
    pub fn month_2(&self) -> String {
        format!("{:02}", self.month)
    }

    /// The year as two digits (`"31"`).
    pub fn year_2(&self) -> String {
        format!("{:02}", self.year % 100)
    }

    /// Whether the card has expired by the given calendar month (a card is valid through
    /// the last day of its expiry month).
    pub fn is_expired_at(&self, year: u16, month: u8) -> bool {
        (self.year, self.month) < (year, month)
    }
}

/// Card details for a direct (server-to-server) card payment. Handling these puts the
/// merchant in PCI DSS scope; prefer a hosted page where the provider offers one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CardDetails {
    /// The card number.
    pub number: CardNumber,
    /// The expiry.
    pub expiry: CardExpiry,
    /// The verification code.
    pub cvv: Cvv,
    /// The cardholder's name, when the provider wants it.
    pub holder: Option<String>,
}

impl CardDetails {
    /// Card details without a holder name.
    pub fn new(number: CardNumber, expiry: CardExpiry, cvv: Cvv) -> Self {
        Self {
            number,
            expiry,
            cvv,
            holder: None,
        }
    }

    /// Sets the cardholder's name.
    #[must_use]
    pub fn with_holder(mut self, holder: impl Into<String>) -> Self {
        self.holder = Some(holder.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn card_number_errors_never_show_the_number() {
        let cases = [
            ("4111 1111 1111 1112", Rule::Luhn),
            ("4111x111", Rule::Digits),
            ("", Rule::Required),
            (
                "42424242424",
                Rule::MinLength {
                    min: 12,
                    actual: 11,
                },
            ),
            (
                "42424242424242424242",
                Rule::MaxLength {
                    max: 19,
                    actual: 20,
                },
            ),
        ];
        for (text, rule) in cases {
            let err = CardNumber::new(text).unwrap_err();
            assert_eq!(err.field(), "card_number");
            assert_eq!(err.rule(), &rule, "{text}");
            let shown = format!("{err} {err:?}");
            assert!(
                !shown.contains("4111") && !shown.contains("424242"),
                "{shown}"
            );
        }
        assert_eq!(
            CardNumber::new("4111111111111112").unwrap_err().to_string(),
            "`card_number` fails the card number check digit (Luhn)"
        );
    }

    #[test]
    fn cvv_and_expiry_rules() {
        assert_eq!(
            Cvv::new("12").unwrap_err().rule(),
            &Rule::MinLength { min: 3, actual: 2 }
        );
        assert_eq!(
            Cvv::new("12345").unwrap_err().rule(),
            &Rule::MaxLength { max: 4, actual: 5 }
        );
        assert_eq!(Cvv::new("1 3").unwrap_err().rule(), &Rule::Digits);
        assert!(Cvv::new("1234").is_ok());
        let err = CardExpiry::new(0, 2030).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`card_expiry.month` must be between 1 and 12"
        );
        assert!(CardExpiry::new(1, 1999).is_err());
        let e = CardExpiry::new(5, 2030).unwrap();
        assert!(!e.is_expired_at(2030, 5));
        assert!(e.is_expired_at(2030, 6));
        assert!(e.is_expired_at(2031, 1));
    }

    #[test]
    fn card_details_debug_is_masked() {
        let details = CardDetails::new(
            CardNumber::new("5555555555554444").unwrap(),
            CardExpiry::new(12, 2030).unwrap(),
            Cvv::new("987").unwrap(),
        )
        .with_holder("A Person");
        let shown = format!("{details:?} {details:#?}");
        assert!(!shown.contains("555555555555"), "{shown}");
        assert!(!shown.contains("987"), "{shown}");
        assert!(shown.contains("************4444"));
    }

    fn luhn_complete(prefix: &str) -> String {
        (0..10)
            .map(|d| format!("{prefix}{d}"))
            .find(|s| luhn_valid(s))
            .unwrap()
    }

    proptest! {
        #[test]
        fn valid_numbers_mask_all_but_last4(body in "[0-9]{11,18}") {
            let pan = luhn_complete(&body);
            let card = CardNumber::new(&pan).unwrap();
            let shown = format!("{card:?}");
            let suffix = format!("{})", &pan[pan.len() - 4..]);
            prop_assert!(shown.ends_with(&suffix));
            prop_assert_eq!(shown.chars().filter(char::is_ascii_digit).count(), 4);
            prop_assert_eq!(card.expose_secret(), pan.as_str());
        }

        #[test]
        fn one_changed_digit_fails_luhn(body in "[0-9]{11,18}", pos in 0usize..19, delta in 1u8..10) {
            let pan = luhn_complete(&body);
            let at = pos % pan.len();
            let mut bytes = pan.into_bytes();
            bytes[at] = b'0' + (bytes[at] - b'0' + delta) % 10;
            prop_assert!(!luhn_valid(&String::from_utf8(bytes).unwrap()));
        }
    }
}
