//! Exact decimal text: parsing and printing numbers as digit strings, never as floats.

use iso_currency::Currency;

use crate::validation::{Rule, ValidationError};

/// A decimal read from text: `digits × 10^exp10`, with the sign apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecimalText {
    negative: bool,
    /// ASCII digits, at least one.
    digits: String,
    exp10: i64,
}

/// Exponents past this are far outside any i64 amount; clamping keeps arithmetic safe.
const EXP_LIMIT: i64 = 100_000;

impl DecimalText {
    /// `-?[0-9]+(\.[0-9]+)?`: the plain form providers use in strings (`"29.99"`).
    pub(crate) fn parse_plain(text: &str) -> Option<Self> {
        let (negative, rest) = split_sign(text);
        let (int, frac) = match rest.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (rest, None),
        };
        if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        Some(Self::from_int_frac(negative, int, frac.unwrap_or(""), 0))
    }

    /// The JSON number grammar (RFC 8259 §6), exponent included: `17.5`, `1.75e1`, `-0`.
    pub(crate) fn parse_json(text: &str) -> Option<Self> {
        let (negative, rest) = split_sign(text);
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (mantissa, None),
        };
        if !all_digits(int) || (int.len() > 1 && int.starts_with('0')) {
            return None;
        }
        if frac.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        let exp10 = match exponent {
            None => 0,
            Some(e) => {
                let (exp_negative, digits) = match e.as_bytes().first() {
                    Some(b'-') => (true, &e[1..]),
                    Some(b'+') => (false, &e[1..]),
                    _ => (false, e),
                };
                if !all_digits(digits) {
                    return None;
                }
                let magnitude = digits.bytes().fold(0i64, |acc, b| {
                    (acc * 10 + i64::from(b - b'0')).min(EXP_LIMIT)
                });
                if exp_negative { -magnitude } else { magnitude }
            }
        };
        Some(Self::from_int_frac(
            negative,
            int,
            frac.unwrap_or(""),
            exp10,
        ))
    }

    /// `mantissa × 10^-scale`, as `rust_decimal` stores numbers.
    pub(crate) fn from_parts(mantissa: i128, scale: u32) -> Self {
        Self {
            negative: mantissa < 0,
            digits: mantissa.unsigned_abs().to_string(),
            exp10: -i64::from(scale),
        }
    }

    fn from_int_frac(negative: bool, int: &str, frac: &str, exp10: i64) -> Self {
        let mut digits = String::with_capacity(int.len() + frac.len());
        digits.push_str(int);
        digits.push_str(frac);
        let frac_len = i64::try_from(frac.len()).unwrap_or(EXP_LIMIT);
        Self {
            negative,
            digits,
            exp10: (exp10 - frac_len).clamp(-2 * EXP_LIMIT, 2 * EXP_LIMIT),
        }
    }

    /// The number of decimal places after dropping trailing zeros (`12.50` → 1).
    pub(crate) fn significant_decimals(&self) -> u64 {
        let trailing_zeros = self.digits.bytes().rev().take_while(|b| *b == b'0').count();
        if trailing_zeros == self.digits.len() {
            return 0;
        }
        let exp = self.exp10 + i64::try_from(trailing_zeros).unwrap_or(0);
        u64::try_from(-exp).unwrap_or(0)
    }

    /// The value in minor units of a currency with `exponent` places.
    pub(crate) fn to_minor(
        &self,
        exponent: u32,
        currency: Currency,
    ) -> Result<i64, ValidationError> {
        let too_many = || {
            ValidationError::new(
                "amount",
                Rule::TooManyDecimals {
                    currency: currency.code(),
                    max: exponent,
                },
            )
        };
        let overflow = || ValidationError::new("amount", Rule::Overflow);
        let significant = self.digits.trim_start_matches('0');
        if significant.is_empty() {
            return Ok(0);
        }
        let shift = self.exp10 + i64::from(exponent);
        let integer_digits: String = if shift >= 0 {
            if shift > 40 {
                return Err(overflow());
            }
            let zeros = usize::try_from(shift).map_err(|_| overflow())?;
            let mut s = String::with_capacity(significant.len() + zeros);
            s.push_str(significant);
            s.extend(std::iter::repeat_n('0', zeros));
            s
        } else {
            let cut = usize::try_from(-shift).map_err(|_| too_many())?;
            if cut >= significant.len() {
                // Every significant digit lies beyond the minor unit.
                return Err(too_many());
            }
            let (kept, dropped) = significant.split_at(significant.len() - cut);
            if dropped.bytes().any(|b| b != b'0') {
                return Err(too_many());
            }
            kept.to_owned()
        };
        if integer_digits.len() > 20 {
            return Err(overflow());
        }
        let magnitude: u128 = integer_digits.parse().map_err(|_| overflow())?;
        let signed = if self.negative {
            -i128::try_from(magnitude).map_err(|_| overflow())?
        } else {
            i128::try_from(magnitude).map_err(|_| overflow())?
        };
        i64::try_from(signed).map_err(|_| overflow())
    }
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Prints `minor` minor units with `exponent` places: `1250, 2` → `"12.50"`; with `trim`,
/// trailing zeros and a bare point go: `"12.5"`, `"12"`.
pub(crate) fn format_minor(minor: i64, exponent: u32, trim: bool) -> String {
    let digits = minor.unsigned_abs().to_string();
    let places = usize::try_from(exponent).unwrap_or(0);
    let mut out = String::with_capacity(digits.len() + places + 2);
    if minor < 0 {
        out.push('-');
    }
    if places == 0 {
        out.push_str(&digits);
        return out;
    }
    let padded = if digits.len() <= places {
        let mut p = "0".repeat(places + 1 - digits.len());
        p.push_str(&digits);
        p
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - places);
    out.push_str(int);
    let frac = if trim {
        frac.trim_end_matches('0')
    } else {
        frac
    };
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_minor(text: &str) -> Result<i64, ValidationError> {
        DecimalText::parse_json(text)
            .expect("grammar")
            .to_minor(2, Currency::EUR)
    }

    #[test]
    fn json_grammar() {
        for ok in [
            "0", "-0", "17.5", "1.75e1", "175E-1", "1e+2", "0.05", "-3.10",
        ] {
            assert!(DecimalText::parse_json(ok).is_some(), "{ok}");
        }
        for bad in [
            "", "01", "1.", ".5", "+1", "1e", "1e+", "--1", "1.2.3", "Infinity", "0x1",
        ] {
            assert!(DecimalText::parse_json(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn exponents_are_applied_exactly() {
        assert_eq!(json_minor("1.75e1").unwrap(), 1750);
        assert_eq!(json_minor("175E-1").unwrap(), 1750);
        assert_eq!(json_minor("5e-2").unwrap(), 5);
        assert_eq!(json_minor("0e999999999999").unwrap(), 0);
        assert!(matches!(
            json_minor("5e-3").unwrap_err().rule(),
            Rule::TooManyDecimals { .. }
        ));
        assert_eq!(
            json_minor("1e99999999999").unwrap_err().rule(),
            &Rule::Overflow
        );
        assert!(matches!(
            json_minor("1e-99999999999").unwrap_err().rule(),
            Rule::TooManyDecimals { .. }
        ));
    }

    #[test]
    fn significant_decimals_ignores_trailing_zeros() {
        let d = |t| DecimalText::parse_plain(t).unwrap().significant_decimals();
        assert_eq!(d("12.50"), 1);
        assert_eq!(d("12.00"), 0);
        assert_eq!(d("0.001"), 3);
        assert_eq!(d("100"), 0);
        assert_eq!(d("0"), 0);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_minor(1250, 2, false), "12.50");
        assert_eq!(format_minor(1250, 2, true), "12.5");
        assert_eq!(format_minor(1200, 2, true), "12");
        assert_eq!(format_minor(5, 2, false), "0.05");
        assert_eq!(format_minor(-5, 3, false), "-0.005");
        assert_eq!(format_minor(0, 2, true), "0");
        assert_eq!(format_minor(i64::MIN, 2, false), "-92233720368547758.08");
        assert_eq!(format_minor(42, 0, true), "42");
    }
}
