//! Bank account identifiers: [`Iban`] (masked whenever shown) and [`Bic`].

use std::fmt;
use std::str::FromStr;

use iban::IbanLike;

use crate::validation::{IbanProblem, Rule, ValidationError};

/// A validated IBAN (ISO 13616): check digits and the country's BBAN layout.
///
/// An IBAN identifies a person's bank account, so it is **masked** wherever it is shown:
/// both `Debug` and `Display` print the country, check digits and last four characters
/// only (`PT50 **** 0154`). Use [`Iban::expose_electronic`] to put the full value on the
/// wire; the name makes every such use easy to find.
///
/// ```
/// use pay_core::Iban;
///
/// let iban = Iban::parse("PT50 0002 0123 1234 5678 9015 4")?;
/// assert_eq!(iban.expose_electronic(), "PT50000201231234567890154");
/// assert_eq!(iban.to_string(), "PT50 **** 0154");
/// assert_eq!(format!("{iban:?}"), "Iban(PT50 **** 0154)");
/// assert_eq!(iban.country_code(), "PT");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iban(iban::Iban);

impl Iban {
    /// Parses the electronic (`PT50000201231234567890154`) or the print form (groups of
    /// four separated by single spaces). Letters in the BBAN may be lower case.
    ///
    /// # Errors
    /// [`Rule::Iban`] naming the part that failed: format, checksum or country layout.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let err = |reason| ValidationError::new("iban", Rule::Iban { reason });
        // Customers type IBANs in lower case too; the letters are case-insensitive.
        match text.to_ascii_uppercase().parse::<iban::Iban>() {
            Ok(parsed) => Ok(Self(parsed)),
            Err(iban::ParseIbanError::InvalidBaseIban { source }) => match source {
                iban::ParseBaseIbanError::InvalidChecksum => Err(err(IbanProblem::Checksum)),
                _ => Err(err(IbanProblem::Format)),
            },
            Err(_) => Err(err(IbanProblem::CountryLayout)),
        }
    }

    /// The full IBAN without spaces, for the wire. Never log it.
    pub fn expose_electronic(&self) -> &str {
        self.0.electronic_str()
    }

    /// The two-letter country code.
    pub fn country_code(&self) -> &str {
        self.0.country_code()
    }

    /// The last four characters, which are safe to show a customer.
    pub fn last4(&self) -> &str {
        let s = self.0.electronic_str();
        &s[s.len().saturating_sub(4)..]
    }

    /// The masked form shown by `Display`: `PT50 **** 0154`.
    pub fn masked(&self) -> String {
        let s = self.0.electronic_str();
        format!("{} **** {}", &s[..4], self.last4())
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({})", self.masked())
    }
}

impl FromStr for Iban {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A validated BIC (ISO 9362, also called SWIFT code): 8 or 11 characters, bank code of 4
/// letters, country code of 2 letters, location of 2 letters or digits, optional branch of
/// 3 letters or digits. Stored in upper case.
///
/// ```
/// use pay_core::Bic;
///
/// let bic = Bic::parse("cgdiptpl")?;
/// assert_eq!(bic.as_str(), "CGDIPTPL");
/// assert_eq!(bic.country_code(), "PT");
/// assert!(Bic::parse("CGDI-PTPL").is_err());
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bic(String);

impl Bic {
    /// Validates and upper-cases `text`.
    ///
    /// # Errors
    /// [`Rule::Format`] when the shape is wrong.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let upper = text.to_ascii_uppercase();
        let b = upper.as_bytes();
        let ok = (b.len() == 8 || b.len() == 11)
            && b[..6].iter().all(u8::is_ascii_uppercase)
            && b[6..].iter().all(u8::is_ascii_alphanumeric);
        if !ok {
            return Err(ValidationError::new(
                "bic",
                Rule::Format {
                    expected: "8 or 11 characters: 4-letter bank code, 2-letter country code, 2 letters or digits, optional 3-character branch",
                },
            ));
        }
        Ok(Self(upper))
    }

    /// The BIC, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code.
    pub fn country_code(&self) -> &str {
        &self.0[4..6]
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Bic {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn iban_errors_name_the_failing_part() {
        let reason = |text| match Iban::parse(text).unwrap_err().rule() {
            Rule::Iban { reason } => *reason,
            other => panic!("unexpected rule {other:?}"),
        };
        assert_eq!(reason("PT50000201231234567890155"), IbanProblem::Checksum);
        assert_eq!(reason("PT5000020123123456789015$"), IbanProblem::Format);
        assert_eq!(reason(""), IbanProblem::Format);
        // Valid checksum, but Portugal's BBAN is 21 digits.
        assert_eq!(
            reason("PT5600020123123456789015"),
            IbanProblem::CountryLayout
        );
        let err = Iban::parse("PT50000201231234567890155").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`iban` has IBAN check digits that do not match"
        );
        assert!(!err.to_string().contains("1234567890"));
    }

    #[test]
    fn lower_case_ibans_parse_to_the_same_iban() {
        let upper = Iban::parse("FR14 2004 1010 0505 0001 3M02 606").unwrap();
        for typed in [
            "fr14 2004 1010 0505 0001 3m02 606",
            "fr1420041010050500013m02606",
        ] {
            assert_eq!(Iban::parse(typed).unwrap(), upper, "{typed}");
        }
        assert_eq!(upper.expose_electronic(), "FR1420041010050500013M02606");
    }

    #[test]
    fn iban_is_masked_everywhere() {
        let iban = Iban::parse("DE44500105175407324931").unwrap();
        for shown in [format!("{iban}"), format!("{iban:?}"), format!("{iban:#?}")] {
            assert!(!shown.contains("5001051754073"), "{shown}");
            assert!(shown.contains("DE44 **** 4931"), "{shown}");
        }
        assert_eq!(iban.last4(), "4931");
    }

    #[test]
    fn bic_rules() {
        for ok in ["CGDIPTPL", "DEUTDEFF500", "bnpafrpp"] {
            assert!(Bic::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "CGDIPT",
            "CGDIPTPLX",
            "CGD1PTPL",
            "CGDIPTPL_12",
            "CGDIP7PL",
        ] {
            let err = Bic::parse(bad).unwrap_err();
            assert_eq!(err.field(), "bic");
            assert!(matches!(err.rule(), Rule::Format { .. }));
        }
    }

    proptest! {
        #[test]
        fn recomputed_check_digits_are_accepted_and_any_digit_change_rejected(
            bban in "[0-9]{21}", pos in 0usize..21, delta in 1u8..10
        ) {
            // Build a Portuguese IBAN (BBAN of 21 digits) with correct check digits.
            let rearranged = format!("{bban}252900");
            let rem = rearranged.bytes().fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
            let check = 98 - rem;
            let text = format!("PT{check:02}{bban}");
            let iban = Iban::parse(&text).unwrap();
            prop_assert_eq!(iban.expose_electronic(), text.as_str());
            let shown = format!("{iban:?}");
            prop_assert!(!shown.contains(&bban[..17]));
            // A single changed digit always breaks mod-97.
            let mut bytes = text.into_bytes();
            let at = 4 + pos;
            bytes[at] = b'0' + (bytes[at] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(Iban::parse(&changed).is_err());
        }
    }
}
