//! Exact money: an integer count of a currency's minor units. No floating point anywhere.

use std::fmt;

use iso_currency::Currency;
use rust_decimal::Decimal;

use crate::decimal::DecimalText;
use crate::validation::{Rule, ValidationError};

/// An exact amount of money: a signed count of minor units (cents for EUR, yen for JPY,
/// fils for BHD) plus its ISO 4217 currency.
///
/// There is no conversion from floating point and no rounding anywhere: text or decimals with more places
/// than the currency has are an error ([`Rule::TooManyDecimals`]). Arithmetic is checked;
/// combining two currencies is an error, never a conversion.
///
/// ```
/// use pay_core::{Currency, Money, Rule};
///
/// let price = Money::parse_major("29.99", Currency::EUR)?;
/// assert_eq!(price.minor_units(), 2999);
/// assert_eq!(price.to_string(), "29.99 EUR");
///
/// let err = Money::parse_major("12.345", Currency::EUR).unwrap_err();
/// assert!(matches!(err.rule(), Rule::TooManyDecimals { max: 2, .. }));
///
/// // Split 100.00 in three without losing a cent.
/// let parts = Money::parse_major("100", Currency::EUR)?.allocate(&[1, 1, 1])?;
/// let cents: Vec<i64> = parts.iter().map(|m| m.minor_units()).collect();
/// assert_eq!(cents, [3334, 3333, 3333]);
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// The number of decimal places of `currency`'s minor unit (2 for EUR, 0 for JPY, 3 for
/// BHD), or `None` for codes that are not money (XAU, XDR, XXX…).
pub fn minor_unit_exponent(currency: Currency) -> Option<u32> {
    currency.exponent().map(u32::from)
}

pub(crate) fn exponent_or_err(currency: Currency) -> Result<u32, ValidationError> {
    minor_unit_exponent(currency).ok_or_else(|| {
        ValidationError::new(
            "currency",
            Rule::NoMinorUnit {
                currency: currency.code(),
            },
        )
    })
}

impl Money {
    /// `minor` minor units of `currency` (`Money::from_minor(1250, EUR)` is 12.50 EUR).
    ///
    /// # Errors
    /// [`Rule::NoMinorUnit`] for currencies without a minor unit (XAU, XDR, XXX…).
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, ValidationError> {
        exponent_or_err(currency)?;
        Ok(Self { minor, currency })
    }

    /// Zero in `currency`.
    ///
    /// # Errors
    /// As [`Money::from_minor`].
    pub fn zero(currency: Currency) -> Result<Self, ValidationError> {
        Self::from_minor(0, currency)
    }

    /// Parses a plain decimal in major units: `"12"`, `"12.5"`, `"12.50"`, `"-0.01"`.
    ///
    /// The grammar is strict: an optional `-`, digits, and optionally `.` and digits. No
    /// `+`, spaces, thousands separators or exponents. Trailing zeros beyond the
    /// currency's places are accepted (`"18.000"` is exactly 18.00 EUR); any other digit
    /// beyond them is an error, never a rounding.
    ///
    /// # Errors
    /// [`Rule::Format`] for text outside the grammar, [`Rule::TooManyDecimals`],
    /// [`Rule::Overflow`], [`Rule::NoMinorUnit`].
    pub fn parse_major(text: &str, currency: Currency) -> Result<Self, ValidationError> {
        let exponent = exponent_or_err(currency)?;
        let parsed = DecimalText::parse_plain(text).ok_or_else(|| {
            ValidationError::new(
                "amount",
                Rule::Format {
                    expected: "a decimal number such as 12.50 (digits, optional '.' and decimals)",
                },
            )
        })?;
        let minor = parsed.to_minor(exponent, currency)?;
        Ok(Self { minor, currency })
    }

    /// Converts an exact decimal in major units.
    ///
    /// # Errors
    /// [`Rule::TooManyDecimals`] when `value` has significant digits beyond the currency's
    /// places, [`Rule::Overflow`], [`Rule::NoMinorUnit`].
    pub fn from_decimal(value: Decimal, currency: Currency) -> Result<Self, ValidationError> {
        let exponent = exponent_or_err(currency)?;
        let normal = value.normalize();
        let parsed = DecimalText::from_parts(normal.mantissa(), normal.scale());
        let minor = parsed.to_minor(exponent, currency)?;
        Ok(Self { minor, currency })
    }

    /// The amount in minor units.
    pub fn minor_units(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The currency's number of decimal places.
    pub fn exponent(&self) -> u32 {
        // Checked at construction.
        minor_unit_exponent(self.currency).unwrap_or(0)
    }

    /// The exact amount in major units, with the currency's scale (`12.50`, not `12.5`).
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.exponent())
    }

    /// The amount in major units as text with exactly the currency's places: `"12.50"`,
    /// `"-0.05"`, `"1000"` (JPY).
    pub fn format_major(&self) -> String {
        crate::decimal::format_minor(self.minor, self.exponent(), false)
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// Whether the amount is greater than zero.
    pub fn is_positive(&self) -> bool {
        self.minor > 0
    }

    /// Whether the amount is less than zero.
    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    fn same_currency(&self, other: &Money) -> Result<(), ValidationError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(ValidationError::new(
                "amount",
                Rule::CurrencyMismatch {
                    left: self.currency.code(),
                    right: other.currency.code(),
                },
            ))
        }
    }

    fn with_minor(&self, minor: Option<i64>) -> Result<Money, ValidationError> {
        minor
            .map(|minor| Money {
                minor,
                currency: self.currency,
            })
            .ok_or_else(|| ValidationError::new("amount", Rule::Overflow))
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`Rule::CurrencyMismatch`] or [`Rule::Overflow`].
    pub fn checked_add(&self, other: Money) -> Result<Money, ValidationError> {
        self.same_currency(&other)?;
        self.with_minor(self.minor.checked_add(other.minor))
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`Rule::CurrencyMismatch`] or [`Rule::Overflow`].
    pub fn checked_sub(&self, other: Money) -> Result<Money, ValidationError> {
        self.same_currency(&other)?;
        self.with_minor(self.minor.checked_sub(other.minor))
    }

    /// `-self`.
    ///
    /// # Errors
    /// [`Rule::Overflow`] for `i64::MIN` minor units.
    pub fn checked_neg(&self) -> Result<Money, ValidationError> {
        self.with_minor(self.minor.checked_neg())
    }

    /// `self × factor` (a quantity, not a rate: rates would need rounding, which is the
    /// caller's decision).
    ///
    /// # Errors
    /// [`Rule::Overflow`].
    pub fn checked_mul(&self, factor: i64) -> Result<Money, ValidationError> {
        self.with_minor(self.minor.checked_mul(factor))
    }

    /// Splits the amount into parts proportional to `weights`, exactly: the parts add up
    /// to `self` to the minor unit. Each part gets its share rounded toward zero, then the
    /// leftover minor units go one each to the parts with the largest remainders (earlier
    /// parts first on ties). A zero weight gets zero.
    ///
    /// # Errors
    /// [`Rule::Required`] when `weights` is empty or all zero.
    pub fn allocate(&self, weights: &[u32]) -> Result<Vec<Money>, ValidationError> {
        let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
        if total == 0 {
            return Err(ValidationError::new("weights", Rule::Required));
        }
        let magnitude = u128::from(self.minor.unsigned_abs());
        let mut shares: Vec<u128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
        for (index, weight) in weights.iter().enumerate() {
            let product = magnitude * u128::from(*weight);
            shares.push(product / total);
            remainders.push((product % total, index));
        }
        let allocated: u128 = shares.iter().sum();
        let mut leftover = magnitude - allocated;
        // Largest remainder first; the stable sort keeps earlier parts first on ties.
        remainders.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (_, index) in remainders {
            if leftover == 0 {
                break;
            }
            shares[index] += 1;
            leftover -= 1;
        }
        let negative = self.minor < 0;
        shares
            .into_iter()
            .map(|share| {
                // Each share is at most |self.minor|, so it fits back into i64 (as a
                // magnitude of i64::MIN only when it is the whole amount).
                let signed = if negative {
                    0i128 - i128::try_from(share).unwrap_or(i128::MAX)
                } else {
                    i128::try_from(share).unwrap_or(i128::MAX)
                };
                self.with_minor(i64::try_from(signed).ok())
            })
            .collect()
    }
}

impl fmt::Display for Money {
    /// `12.50 EUR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.format_major(), self.currency.code())
    }
}

impl PartialOrd for Money {
    /// Amounts compare only within one currency; across currencies there is no order.
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        if self.currency == other.currency {
            Some(self.minor.cmp(&other.minor))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EUR: Currency = Currency::EUR;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, EUR).unwrap()
    }

    #[test]
    fn parses_and_formats_per_exponent() {
        let cases = [
            ("12", EUR, 1200, "12.00"),
            ("12.5", EUR, 1250, "12.50"),
            ("0.01", EUR, 1, "0.01"),
            ("-0.05", EUR, -5, "-0.05"),
            ("18.000", EUR, 1800, "18.00"),
            ("007.10", EUR, 710, "7.10"),
            ("1000", Currency::JPY, 1000, "1000"),
            ("1.234", Currency::BHD, 1234, "1.234"),
            ("0.0001", Currency::CLF, 1, "0.0001"),
        ];
        for (text, currency, minor, formatted) in cases {
            let money = Money::parse_major(text, currency).unwrap();
            assert_eq!(money.minor_units(), minor, "{text}");
            assert_eq!(money.format_major(), formatted, "{text}");
        }
    }

    #[test]
    fn refuses_extra_precision_instead_of_rounding() {
        for (text, currency, max) in [
            ("12.345", EUR, 2),
            ("0.001", EUR, 2),
            ("1.5", Currency::JPY, 0),
            ("1.2345", Currency::BHD, 3),
        ] {
            let err = Money::parse_major(text, currency).unwrap_err();
            assert_eq!(
                err.rule(),
                &Rule::TooManyDecimals {
                    currency: currency.code(),
                    max
                },
                "{text}"
            );
        }
        let err = Money::parse_major("12.345", EUR).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`amount` has more decimal places than allowed for EUR (at most 2); amounts are never rounded"
        );
    }

    #[test]
    fn refuses_malformed_text() {
        for text in [
            "", "-", ".", "1.", ".5", "+1", "1,00", "1 000", "1e2", "0x10", "١٢", "12.5.1", " 1",
            "NaN", "--1",
        ] {
            let err = Money::parse_major(text, EUR).unwrap_err();
            assert!(matches!(err.rule(), Rule::Format { .. }), "{text:?}: {err}");
        }
    }

    #[test]
    fn refuses_overflow_and_non_money_currencies() {
        let err = Money::parse_major("92233720368547758.08", EUR).unwrap_err();
        assert_eq!(err.rule(), &Rule::Overflow);
        assert_eq!(
            Money::parse_major("92233720368547758.07", EUR)
                .unwrap()
                .minor_units(),
            i64::MAX
        );
        let err = Money::from_minor(1, Currency::XAU).unwrap_err();
        assert_eq!(err.rule(), &Rule::NoMinorUnit { currency: "XAU" });
        assert_eq!(
            err.to_string(),
            "`currency` uses XAU, which has no minor unit and cannot be used as money"
        );
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(eur(150).checked_add(eur(50)).unwrap(), eur(200));
        assert_eq!(eur(150).checked_sub(eur(200)).unwrap(), eur(-50));
        let usd = Money::from_minor(1, Currency::USD).unwrap();
        let err = eur(1).checked_add(usd).unwrap_err();
        assert_eq!(err.to_string(), "`amount` mixes currencies EUR and USD");
        assert_eq!(
            eur(i64::MAX).checked_add(eur(1)).unwrap_err().rule(),
            &Rule::Overflow
        );
        assert_eq!(
            eur(i64::MIN).checked_neg().unwrap_err().rule(),
            &Rule::Overflow
        );
        assert_eq!(
            eur(i64::MAX).checked_mul(2).unwrap_err().rule(),
            &Rule::Overflow
        );
        assert_eq!(eur(333).checked_mul(3).unwrap(), eur(999));
        assert_eq!(eur(1).partial_cmp(&usd), None);
        assert!(eur(1) < eur(2));
    }

    #[test]
    fn decimal_conversions_are_exact() {
        let d = Decimal::new(1250, 2);
        assert_eq!(Money::from_decimal(d, EUR).unwrap(), eur(1250));
        assert_eq!(
            Money::from_decimal(Decimal::new(125, 1), EUR).unwrap(),
            eur(1250)
        );
        assert_eq!(
            Money::from_decimal(Decimal::new(12500, 3), EUR).unwrap(),
            eur(1250)
        );
        assert!(matches!(
            Money::from_decimal(Decimal::new(12345, 3), EUR)
                .unwrap_err()
                .rule(),
            Rule::TooManyDecimals { .. }
        ));
        assert_eq!(eur(1250).to_decimal().to_string(), "12.50");
        assert_eq!(eur(-5).to_decimal().to_string(), "-0.05");
    }

    #[test]
    fn allocation_examples() {
        let minor = |parts: Vec<Money>| parts.iter().map(Money::minor_units).collect::<Vec<_>>();
        assert_eq!(
            minor(eur(10000).allocate(&[1, 1, 1]).unwrap()),
            [3334, 3333, 3333]
        );
        assert_eq!(minor(eur(5).allocate(&[3, 7]).unwrap()), [2, 3]);
        assert_eq!(
            minor(eur(-100).allocate(&[1, 1, 1]).unwrap()),
            [-34, -33, -33]
        );
        assert_eq!(minor(eur(100).allocate(&[0, 1]).unwrap()), [0, 100]);
        assert_eq!(minor(eur(i64::MIN).allocate(&[1]).unwrap()), [i64::MIN]);
        assert_eq!(eur(1).allocate(&[]).unwrap_err().rule(), &Rule::Required);
        assert_eq!(
            eur(1).allocate(&[0, 0]).unwrap_err().rule(),
            &Rule::Required
        );
    }

    #[test]
    fn sign_predicates() {
        for (minor, zero, positive, negative) in [
            (-1, false, false, true),
            (0, true, false, false),
            (1, false, true, false),
            (i64::MIN, false, false, true),
            (i64::MAX, false, true, false),
        ] {
            let money = eur(minor);
            assert_eq!(money.is_zero(), zero, "{minor}");
            assert_eq!(money.is_positive(), positive, "{minor}");
            assert_eq!(money.is_negative(), negative, "{minor}");
        }
        let zero = Money::zero(Currency::JPY).unwrap();
        assert!(zero.is_zero());
        assert_eq!(zero.currency(), Currency::JPY);
        assert_eq!(
            Money::zero(Currency::XDR).unwrap_err().rule(),
            &Rule::NoMinorUnit { currency: "XDR" }
        );
    }

    #[test]
    fn accessors_and_display() {
        assert_eq!(minor_unit_exponent(EUR), Some(2));
        assert_eq!(minor_unit_exponent(Currency::JPY), Some(0));
        assert_eq!(minor_unit_exponent(Currency::BHD), Some(3));
        assert_eq!(minor_unit_exponent(Currency::XAU), None);
        let bhd = Money::from_minor(-1234, Currency::BHD).unwrap();
        assert_eq!(bhd.currency(), Currency::BHD);
        assert_eq!(bhd.exponent(), 3);
        assert_eq!(Money::from_minor(7, Currency::JPY).unwrap().exponent(), 0);
        assert_eq!(bhd.to_string(), "-1.234 BHD");
        assert_eq!(eur(1250).to_string(), "12.50 EUR");
        assert_eq!(
            Money::from_minor(1000, Currency::JPY).unwrap().to_string(),
            "1000 JPY"
        );
        assert_eq!(bhd.to_decimal().to_string(), "-1.234");
        assert_eq!(
            Money::parse_major("1", Currency::XAU).unwrap_err().rule(),
            &Rule::NoMinorUnit { currency: "XAU" }
        );
        assert_eq!(
            Money::from_decimal(Decimal::ONE, Currency::XAU)
                .unwrap_err()
                .rule(),
            &Rule::NoMinorUnit { currency: "XAU" }
        );
    }

    #[test]
    fn order_within_one_currency() {
        use std::cmp::Ordering;
        assert_eq!(eur(5).partial_cmp(&eur(5)), Some(Ordering::Equal));
        assert_eq!(eur(6).partial_cmp(&eur(5)), Some(Ordering::Greater));
        assert_eq!(eur(-6).partial_cmp(&eur(5)), Some(Ordering::Less));
        let usd = Money::from_minor(5, Currency::USD).unwrap();
        assert_eq!(eur(5).partial_cmp(&usd), None);
        assert_eq!(
            eur(5).checked_sub(usd).unwrap_err().rule(),
            &Rule::CurrencyMismatch {
                left: "EUR",
                right: "USD"
            }
        );
        assert_eq!(eur(-7).checked_neg().unwrap(), eur(7));
        assert_eq!(
            eur(i64::MIN).checked_sub(eur(1)).unwrap_err().rule(),
            &Rule::Overflow
        );
    }

    #[test]
    fn allocation_remainders_go_to_the_largest_first() {
        let minor = |parts: Vec<Money>| parts.iter().map(Money::minor_units).collect::<Vec<_>>();
        // 10 × 1/6 = 1.67 and 10 × 5/6 = 8.33: the larger remainder (the first) gets the unit.
        assert_eq!(minor(eur(10).allocate(&[1, 5]).unwrap()), [2, 8]);
        assert_eq!(minor(eur(7).allocate(&[2, 3, 2]).unwrap()), [2, 3, 2]);
        assert_eq!(minor(eur(0).allocate(&[1, 2]).unwrap()), [0, 0]);
        assert_eq!(minor(eur(-10).allocate(&[1, 5]).unwrap()), [-2, -8]);
        assert_eq!(minor(eur(9).allocate(&[1, 1, 1]).unwrap()), [3, 3, 3]);
        let parts = eur(3).allocate(&[1, 1]).unwrap();
        assert!(parts.iter().all(|part| part.currency() == EUR));
    }

    fn currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(vec![
            Currency::EUR,
            Currency::USD,
            Currency::JPY,
            Currency::BHD,
            Currency::CLF,
            Currency::KWD,
        ])
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(minor in any::<i64>(), currency in currency()) {
            let money = Money::from_minor(minor, currency).unwrap();
            let text = money.format_major();
            prop_assert_eq!(Money::parse_major(&text, currency).unwrap(), money);
            prop_assert_eq!(Money::from_decimal(money.to_decimal(), currency).unwrap(), money);
            prop_assert_eq!(money.to_decimal().to_string(), text);
        }

        #[test]
        fn extra_significant_digit_is_always_an_error(
            minor in any::<i64>(), extra in 1u8..=9, currency in currency()
        ) {
            let money = Money::from_minor(minor, currency).unwrap();
            let mut text = money.format_major();
            if money.exponent() == 0 {
                text.push('.');
            }
            text.push(char::from(b'0' + extra));
            let is_too_many = matches!(
                Money::parse_major(&text, currency).unwrap_err().rule(),
                Rule::TooManyDecimals { .. }
            );
            prop_assert!(is_too_many);
        }

        #[test]
        fn addition_matches_integers(a in any::<i64>(), b in any::<i64>()) {
            let sum = eur(a).checked_add(eur(b));
            match a.checked_add(b) {
                Some(expected) => prop_assert_eq!(sum.unwrap(), eur(expected)),
                None => prop_assert_eq!(sum.unwrap_err().rule().clone(), Rule::Overflow),
            }
            let diff = eur(a).checked_sub(eur(b));
            match a.checked_sub(b) {
                Some(expected) => prop_assert_eq!(diff.unwrap(), eur(expected)),
                None => prop_assert_eq!(diff.unwrap_err().rule().clone(), Rule::Overflow),
            }
        }

        #[test]
        fn allocation_loses_nothing(
            minor in any::<i64>(),
            weights in prop::collection::vec(0u32..1000, 1..12)
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let parts = eur(minor).allocate(&weights).unwrap();
            prop_assert_eq!(parts.len(), weights.len());
            let total: i128 = parts.iter().map(|p| i128::from(p.minor_units())).sum();
            prop_assert_eq!(total, i128::from(minor));
            let weight_sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            for (part, weight) in parts.iter().zip(&weights) {
                // Every part is within one minor unit of its exact share, on the amount's side of zero.
                let exact_times_total = i128::from(minor) * i128::from(*weight);
                let scaled = i128::from(part.minor_units()) * weight_sum;
                prop_assert!((scaled - exact_times_total).abs() < weight_sum);
                if *weight == 0 {
                    prop_assert!(part.is_zero());
                }
                prop_assert!(part.minor_units() == 0 || (part.minor_units() < 0) == (minor < 0));
            }
        }
    }
}
