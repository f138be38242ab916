//! Validation errors: which field broke which rule, raised before any byte leaves.

use std::borrow::Cow;
use std::fmt;

/// A value that broke a documented rule, found before anything was sent.
///
/// Every fallible constructor in `pay-core` (and every generated wire-type check in the
/// adapters) returns this. It names the field (a dotted path such as `customer.email`)
/// and the [`Rule`]. It never contains the rejected value itself, so a card number or an
/// IBAN that failed validation cannot leak through an error message or a log line.
///
/// ```
/// use pay_core::{Cvv, Rule};
///
/// let err = Cvv::new("12a").unwrap_err();
/// assert_eq!(err.field(), "cvv");
/// assert!(matches!(err.rule(), Rule::Digits));
/// assert_eq!(err.to_string(), "`cvv` must contain only the digits 0-9");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    field: Cow<'static, str>,
    rule: Rule,
}

/// The rule a value broke. Each variant's `Display` is a sentence fragment that reads
/// after the field name: "`amount` has 3 decimal places; EUR allows at most 2".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// A required value is missing or empty.
    Required,
    /// The value is longer than the limit (in characters).
    MaxLength {
        /// The limit.
        max: usize,
        /// The length found.
        actual: usize,
    },
    /// The value is shorter than the limit (in characters).
    MinLength {
        /// The limit.
        min: usize,
        /// The length found.
        actual: usize,
    },
    /// The value must consist of ASCII digits only.
    Digits,
    /// The value does not have the documented shape.
    Format {
        /// What the shape is, in words (for example "4 letters, 2 letters, 2 letters or digits").
        expected: &'static str,
    },
    /// The value contains a character that is not allowed (control characters, for example).
    ForbiddenCharacter {
        /// What is allowed, in words.
        allowed: &'static str,
    },
    /// The value must be one of a fixed set.
    OneOf {
        /// The allowed values.
        allowed: &'static [&'static str],
    },
    /// A card number failed the Luhn check digit.
    Luhn,
    /// An IBAN failed ISO 13616 validation.
    Iban {
        /// Which part failed: format, checksum or the country's BBAN layout.
        reason: IbanProblem,
    },
    /// An amount has more decimal places than its currency (or the provider) allows.
    /// Never rounded: the caller must decide.
    TooManyDecimals {
        /// The currency's code, for the message.
        currency: &'static str,
        /// The most decimal places allowed.
        max: u32,
    },
    /// Two amounts in different currencies were combined.
    CurrencyMismatch {
        /// The first currency.
        left: &'static str,
        /// The second currency.
        right: &'static str,
    },
    /// A currency that has no minor unit (gold, SDR, test codes) cannot be used as money.
    NoMinorUnit {
        /// The currency's code.
        currency: &'static str,
    },
    /// Arithmetic or conversion would overflow the 64-bit amount.
    Overflow,
    /// The amount is below the minimum, as text, exactly: in the currency's major units
    /// when the currency is known where the rule is checked (`0.01` for EUR, `1` for JPY,
    /// `0.001` for BHD), otherwise in minor units of a currency named in words (`1 minor
    /// unit of the account's currency`).
    Minimum {
        /// The limit.
        min: String,
        /// Whether the limit itself is allowed.
        inclusive: bool,
    },
    /// The amount is above the maximum, as text, exactly, written as for
    /// [`Rule::Minimum`].
    Maximum {
        /// The limit.
        max: String,
        /// Whether the limit itself is allowed.
        inclusive: bool,
    },
    /// A count, index or month is outside its range.
    Range {
        /// Inclusive lower bound.
        min: i64,
        /// Inclusive upper bound.
        max: i64,
    },
    /// A rule specific to one provider or operation, described in words.
    Other(Cow<'static, str>),
}

/// Which part of an IBAN failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IbanProblem {
    /// Not 2 letters, 2 digits and up to 30 letters or digits.
    Format,
    /// The mod-97 check digits do not match.
    Checksum,
    /// The country code is unknown or the BBAN does not follow that country's layout.
    CountryLayout,
}

impl ValidationError {
    /// A rule broken by `field`.
    pub fn new(field: impl Into<Cow<'static, str>>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }

    /// The same error, reported for another field name. Constructors use a default name
    /// (`iban`); a request builder renames it to where the value sits (`sdd_mandate.iban`).
    #[must_use]
    pub fn for_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = field.into();
        self
    }

    /// The same error, with `prefix.` put before the field name.
    #[must_use]
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = Cow::Owned(format!("{prefix}.{}", self.field));
        self
    }

    /// The field (a dotted path) that broke the rule.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The rule that was broken.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.rule)
    }
}

impl std::error::Error for ValidationError {}

fn characters(n: usize) -> String {
    if n == 1 {
        "1 character".to_owned()
    } else {
        format!("{n} characters")
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::MaxLength { max, actual } => {
                write!(f, "is {} long; the limit is {max}", characters(*actual))
            }
            Rule::MinLength { min, actual } => {
                write!(
                    f,
                    "is {} long; at least {min} are required",
                    characters(*actual)
                )
            }
            Rule::Digits => f.write_str("must contain only the digits 0-9"),
            Rule::Format { expected } => write!(f, "must be {expected}"),
            Rule::ForbiddenCharacter { allowed } => {
                write!(f, "contains a character that is not allowed ({allowed})")
            }
            Rule::OneOf { allowed } => write!(f, "must be one of: {}", allowed.join(", ")),
            Rule::Luhn => f.write_str("fails the card number check digit (Luhn)"),
            Rule::Iban { reason } => match reason {
                IbanProblem::Format => f.write_str(
                    "is not an IBAN (2 letters, 2 check digits, then up to 30 letters or digits)",
                ),
                IbanProblem::Checksum => f.write_str("has IBAN check digits that do not match"),
                IbanProblem::CountryLayout => f.write_str(
                    "does not follow its country's IBAN layout (or the country has no IBAN)",
                ),
            },
            Rule::TooManyDecimals { currency, max } => write!(
                f,
                "has more decimal places than allowed for {currency} (at most {max}); amounts are never rounded"
            ),
            Rule::CurrencyMismatch { left, right } => {
                write!(f, "mixes currencies {left} and {right}")
            }
            Rule::NoMinorUnit { currency } => {
                write!(
                    f,
                    "uses {currency}, which has no minor unit and cannot be used as money"
                )
            }
            Rule::Overflow => f.write_str("is too large (the amount would overflow)"),
            Rule::Minimum { min, inclusive } => {
                if *inclusive {
                    write!(f, "must be at least {min}")
                } else {
                    write!(f, "must be greater than {min}")
                }
            }
            Rule::Maximum { max, inclusive } => {
                if *inclusive {
                    write!(f, "must be at most {max}")
                } else {
                    write!(f, "must be less than {max}")
                }
            }
            Rule::Range { min, max } => write!(f, "must be between {min} and {max}"),
            Rule::Other(text) => f.write_str(text),
        }
    }
}

/// Checks shared by the newtypes and by generated wire validation.
pub mod check {
    use super::{Rule, ValidationError};
    use std::borrow::Cow;

    /// `value` is non-empty and at most `max` characters (Unicode scalar values, the unit
    /// providers document).
    ///
    /// # Errors
    /// [`Rule::Required`] when empty, [`Rule::MaxLength`] when too long.
    pub fn length(
        field: impl Into<Cow<'static, str>>,
        value: &str,
        max: usize,
    ) -> Result<(), ValidationError> {
        if value.is_empty() {
            return Err(ValidationError::new(field, Rule::Required));
        }
        max_length(field, value, max)
    }

    /// `value` is at most `max` characters (empty allowed).
    ///
    /// # Errors
    /// [`Rule::MaxLength`] when too long.
    pub fn max_length(
        field: impl Into<Cow<'static, str>>,
        value: &str,
        max: usize,
    ) -> Result<(), ValidationError> {
        let actual = value.chars().count();
        if actual > max {
            return Err(ValidationError::new(field, Rule::MaxLength { max, actual }));
        }
        Ok(())
    }

    /// `value` is at least `min` characters.
    ///
    /// # Errors
    /// [`Rule::MinLength`] when too short.
    pub fn min_length(
        field: impl Into<Cow<'static, str>>,
        value: &str,
        min: usize,
    ) -> Result<(), ValidationError> {
        let actual = value.chars().count();
        if actual < min {
            return Err(ValidationError::new(field, Rule::MinLength { min, actual }));
        }
        Ok(())
    }

    /// `value` has no control characters (which would corrupt form bodies, headers and
    /// signature base strings).
    ///
    /// # Errors
    /// [`Rule::ForbiddenCharacter`] on the first control character.
    pub fn no_control(
        field: impl Into<Cow<'static, str>>,
        value: &str,
    ) -> Result<(), ValidationError> {
        if value.chars().any(char::is_control) {
            return Err(ValidationError::new(
                field,
                Rule::ForbiddenCharacter {
                    allowed: "printable characters; no control characters or line breaks",
                },
            ));
        }
        Ok(())
    }

    /// `value` is one of `allowed` (exact match).
    ///
    /// # Errors
    /// [`Rule::OneOf`] otherwise.
    pub fn one_of(
        field: impl Into<Cow<'static, str>>,
        value: &str,
        allowed: &'static [&'static str],
    ) -> Result<(), ValidationError> {
        if allowed.contains(&value) {
            Ok(())
        } else {
            Err(ValidationError::new(field, Rule::OneOf { allowed }))
        }
    }

    /// `amount` is greater than zero.
    ///
    /// # Errors
    /// [`Rule::Minimum`] (exclusive, 0) otherwise.
    pub fn positive(
        field: impl Into<Cow<'static, str>>,
        amount: crate::Money,
    ) -> Result<(), ValidationError> {
        if amount.is_positive() {
            Ok(())
        } else {
            Err(ValidationError::new(
                field,
                Rule::Minimum {
                    min: "0".to_owned(),
                    inclusive: false,
                },
            ))
        }
    }

    /// `value` is non-empty ASCII digits.
    ///
    /// # Errors
    /// [`Rule::Required`] when empty, [`Rule::Digits`] on any other character.
    pub fn digits(field: impl Into<Cow<'static, str>>, value: &str) -> Result<(), ValidationError> {
        if value.is_empty() {
            return Err(ValidationError::new(field, Rule::Required));
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new(field, Rule::Digits));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_are_inclusive() {
        assert!(check::max_length("name", "abcd", 4).is_ok());
        assert_eq!(
            check::max_length("name", "abcde", 4).unwrap_err().rule(),
            &Rule::MaxLength { max: 4, actual: 5 }
        );
        // Characters, not bytes.
        assert!(check::max_length("name", "éééé", 4).is_ok());
        assert!(check::min_length("name", "abcd", 4).is_ok());
        assert_eq!(
            check::min_length("name", "abc", 4).unwrap_err().rule(),
            &Rule::MinLength { min: 4, actual: 3 }
        );
        assert_eq!(
            check::length("name", "", 4).unwrap_err().rule(),
            &Rule::Required
        );
        assert!(check::length("name", "abcde", 4).is_err());
        assert!(check::length("name", "abcd", 4).is_ok());
        assert_eq!(
            check::max_length("name", "ab", 1).unwrap_err().to_string(),
            "`name` is 2 characters long; the limit is 1"
        );
        assert_eq!(
            check::min_length("name", "a", 2).unwrap_err().to_string(),
            "`name` is 1 character long; at least 2 are required"
        );
    }

    #[test]
    fn small_checks() {
        assert!(check::no_control("note", "plain text").is_ok());
        assert!(check::no_control("note", "two\nlines").is_err());
        assert!(check::one_of("lang", "fr", &["fr", "pt"]).is_ok());
        assert_eq!(
            check::one_of("lang", "en", &["fr", "pt"])
                .unwrap_err()
                .rule(),
            &Rule::OneOf {
                allowed: &["fr", "pt"]
            }
        );
        assert!(check::digits("number", "0123").is_ok());
        assert_eq!(
            check::digits("number", "12a").unwrap_err().rule(),
            &Rule::Digits
        );
        assert_eq!(
            check::digits("number", "").unwrap_err().rule(),
            &Rule::Required
        );
        let eur = |minor| crate::Money::from_minor(minor, iso_currency::Currency::EUR).unwrap();
        assert!(check::positive("amount", eur(1)).is_ok());
        assert!(check::positive("amount", eur(0)).is_err());
        assert!(check::positive("amount", eur(-1)).is_err());
        let err = ValidationError::new("iban", Rule::Required);
        assert_eq!(err.clone().for_field("payer.iban").field(), "payer.iban");
        assert_eq!(err.within("mandate").field(), "mandate.iban");
    }
}
