//! The few PHP 8 semantics the Easytransac V1 signature depends on, re-derived from PHP's documented behaviour.
//!
//! Easytransac computes signatures in PHP, so the canonical string depends on:
//!
//! - which array keys PHP stores as integers (canonical decimal strings such as `"10"`),
//! - how `ksort` (default flags, PHP 8) compares two keys, and
//! - how PHP turns a float into a string (`precision` = 14, `%.14G`-like).
//!
//! Everything here is exact integer and decimal-text arithmetic: no floating point.
//! Where PHP's answer would depend on binary floating-point rounding that we cannot
//! reproduce exactly from decimal text, the functions return `Err(Ambiguous)` and the
//! caller turns that into a typed error instead of guessing.

use std::cmp::Ordering;

/// PHP's answer depends on something we refuse to guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ambiguous;

/// A PHP array key: PHP stores canonical decimal strings as integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key<'a> {
    Int(i64),
    Str(&'a str),
}

impl<'a> Key<'a> {
    /// Classifies an (already lower-cased) key the way PHP's hash table does.
    pub(crate) fn classify(key: &'a str) -> Self {
        match canonical_int(key) {
            Some(i) => Key::Int(i),
            None => Key::Str(key),
        }
    }

    /// Whether this key takes part in numeric comparisons (an integer key or a
    /// numeric string such as `"1.5"` or `" 12"`).
    pub(crate) fn is_numeric(&self) -> bool {
        match self {
            Key::Int(_) => true,
            Key::Str(s) => numeric_string(s).is_some(),
        }
    }
}

/// `Some(i)` when PHP would store `key` as the integer key `i`: an optional `-`, then
/// `0` or a digit string without leading zero, fitting in a 64-bit `zend_long`.
/// `"-0"`, `"01"`, `"+1"`, `" 1"` stay strings.
fn canonical_int(key: &str) -> Option<i64> {
    let digits = key.strip_prefix('-').unwrap_or(key);
    let bytes = digits.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return None;
    }
    if key == "-0" {
        return None;
    }
    key.parse::<i64>().ok()
}

/// A cheap test that is `false` only for keys that are neither integer keys nor numeric
/// strings: their first non-blank byte cannot start a number. Lets callers skip the
/// numeric comparisons for ordinary names such as `amount`.
pub(crate) fn may_be_numeric(key: &str) -> bool {
    const WS: &[u8] = b" \t\n\r\x0b\x0c";
    key.bytes()
        .find(|b| !WS.contains(b))
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
}

/// Compares two keys the way PHP 8's `ksort($array)` (default `SORT_REGULAR`) does.
///
/// - two integer keys: numerically;
/// - two string keys: numerically if both are numeric strings, else byte-wise;
/// - an integer and a string: numerically if the string is numeric, else the integer's
///   decimal text byte-wise against the string.
pub(crate) fn compare_keys(a: &Key<'_>, b: &Key<'_>) -> Result<Ordering, Ambiguous> {
    match (a, b) {
        (Key::Int(x), Key::Int(y)) => Ok(x.cmp(y)),
        (Key::Str(x), Key::Str(y)) => smart_strcmp(x, y),
        (Key::Int(x), Key::Str(y)) => long_vs_string(*x, y),
        (Key::Str(x), Key::Int(y)) => long_vs_string(*y, x).map(Ordering::reverse),
    }
}

fn smart_strcmp(a: &str, b: &str) -> Result<Ordering, Ambiguous> {
    match (numeric_string(a), numeric_string(b)) {
        (Some(x), Some(y)) => compare_numbers(&x, &y),
        _ => Ok(a.as_bytes().cmp(b.as_bytes())),
    }
}

fn long_vs_string(long: i64, s: &str) -> Result<Ordering, Ambiguous> {
    match numeric_string(s) {
        Some(n) => compare_numbers(&Number::Long(long), &n),
        None => Ok(long.to_string().as_bytes().cmp(s.as_bytes())),
    }
}

/// A numeric string as PHP's `is_numeric_string` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Number {
    /// Fits a `zend_long` and has no fraction or exponent.
    Long(i64),
    /// PHP would convert it to a double (fraction, exponent, or an integer too large
    /// for `zend_long`, flagged by `overflow`).
    Double { value: Decimal, overflow: bool },
}

fn compare_numbers(a: &Number, b: &Number) -> Result<Ordering, Ambiguous> {
    match (a, b) {
        (Number::Long(x), Number::Long(y)) => Ok(x.cmp(y)),
        // PHP answers these without converting to double: an overflowed integer
        // string is beyond every zend_long.
        (
            Number::Long(_),
            Number::Double {
                value,
                overflow: true,
            },
        ) => Ok(if value.negative {
            Ordering::Greater
        } else {
            Ordering::Less
        }),
        (
            Number::Double {
                value,
                overflow: true,
            },
            Number::Long(_),
        ) => Ok(if value.negative {
            Ordering::Less
        } else {
            Ordering::Greater
        }),
        _ => {
            let x = a.as_decimal();
            let y = b.as_decimal();
            // PHP compares the two values as IEEE doubles. Distinct decimals with at
            // most 15 significant digits in the normal range stay distinct and ordered
            // after conversion (DBL_DIG = 15), so an exact comparison gives PHP's answer.
            if x.is_double_exact() && y.is_double_exact() {
                Ok(x.cmp_value(&y))
            } else {
                Err(Ambiguous)
            }
        }
    }
}

impl Number {
    fn as_decimal(&self) -> Decimal {
        match self {
            Number::Long(i) => Decimal::from_i64(*i),
            Number::Double { value, .. } => value.clone(),
        }
    }
}

/// PHP 8's `is_numeric_string` without `allow_errors`: optional leading whitespace,
/// optional sign, digits with an optional fraction (or a fraction alone), an optional
/// exponent, optional trailing whitespace. No hex, no `INF`/`NAN`.
fn numeric_string(s: &str) -> Option<Number> {
    const WS: &[u8] = b" \t\n\r\x0b\x0c";
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|b| !WS.contains(b))?;
    let end = bytes.iter().rposition(|b| !WS.contains(b))? + 1;
    let body = &s[start..end];
    let (value, is_integer) = Decimal::parse(body)?;
    if is_integer {
        // Sign and digits only: a long if it fits.
        let trimmed = body.strip_prefix('+').unwrap_or(body);
        match trimmed.parse::<i64>() {
            Ok(i) => Some(Number::Long(i)),
            Err(_) => Some(Number::Double {
                value,
                overflow: true,
            }),
        }
    } else {
        Some(Number::Double {
            value,
            overflow: false,
        })
    }
}

/// An exact decimal number: `(-1)^negative × 0.d1d2d3… × 10^point`.
///
/// `digits` holds ASCII digits without leading or trailing zeros; zero has no digits.
/// `point` follows the `dtoa` "decpt" convention (17.5 → digits `175`, point 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    fn from_i64(i: i64) -> Self {
        let text = i.to_string();
        Self::parse(&text).map(|(d, _)| d).unwrap_or(Self {
            negative: false,
            digits: Vec::new(),
            point: 0,
        })
    }

    /// Parses `[+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?`.
    /// Returns the value and whether the text was a plain integer (no `.`, no exponent).
    pub(crate) fn parse(text: &str) -> Option<(Self, bool)> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if let Some(&c) = bytes.first()
            && (c == b'-' || c == b'+')
        {
            negative = c == b'-';
            i = 1;
        }
        let int_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &bytes[int_start..i];
        let mut frac_part: &[u8] = &[];
        let mut is_integer = true;
        if i < bytes.len() && bytes[i] == b'.' {
            is_integer = false;
            i += 1;
            let frac_start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &bytes[frac_start..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            is_integer = false;
            i += 1;
            let mut exp_negative = false;
            if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
                exp_negative = bytes[i] == b'-';
                i += 1;
            }
            let exp_start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                // Saturate: exponents this large are out of any double's range anyway.
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(bytes[i] - b'0'));
                i += 1;
            }
            if i == exp_start {
                return None;
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        if i != bytes.len() {
            return None;
        }
        // All digits, integer then fraction; the decimal point sits after int_part.
        let mut all: Vec<u8> = Vec::with_capacity(int_part.len() + frac_part.len());
        all.extend_from_slice(int_part);
        all.extend_from_slice(frac_part);
        let leading = all.iter().take_while(|&&d| d == b'0').count();
        let int_len = i64::try_from(int_part.len()).ok()?;
        let leading_i = i64::try_from(leading).ok()?;
        let mut digits = all.split_off(leading);
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        let point = if digits.is_empty() {
            0
        } else {
            int_len.saturating_sub(leading_i).saturating_add(exponent)
        };
        Some((
            Self {
                negative,
                digits,
                point,
            },
            is_integer,
        ))
    }

    /// The integer part of a non-negative value, if it fits in `u64`.
    pub(crate) fn whole_part_u64(&self) -> Option<u64> {
        if self.is_zero() {
            return Some(0);
        }
        if self.negative {
            return None;
        }
        let point = usize::try_from(self.point).unwrap_or(0);
        if point > 20 {
            return None;
        }
        let mut value: u64 = 0;
        for i in 0..point {
            let digit = self.digits.get(i).map_or(0, |d| d - b'0');
            value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
        }
        Some(value)
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Distinct values with this property keep their order and distinctness when
    /// PHP converts them to doubles.
    fn is_double_exact(&self) -> bool {
        self.is_zero() || (self.digits.len() <= 15 && (-300..=300).contains(&self.point))
    }

    fn cmp_value(&self, other: &Self) -> Ordering {
        let sign = |d: &Self| -> i8 {
            if d.is_zero() {
                0
            } else if d.negative {
                -1
            } else {
                1
            }
        };
        let (sa, sb) = (sign(self), sign(other));
        if sa != sb {
            return sa.cmp(&sb);
        }
        if sa == 0 {
            return Ordering::Equal;
        }
        let magnitude = self
            .point
            .cmp(&other.point)
            .then_with(|| self.digits.cmp(&other.digits));
        if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

/// PHP's `(string)$float` with the default `precision = 14`, computed from the
/// shortest round-trip decimal text of the double (what `serde_json` prints).
///
/// The double is rounded to 14 significant digits. From the shortest round-trip text
/// the rounding direction is exact except when that text has exactly 15 significant
/// digits ending in `5` (the double may sit on either side of the half-way point, or
/// on it): then `Err(Ambiguous)`.
pub(crate) fn float_to_php_string(shortest: &str) -> Result<String, Ambiguous> {
    let (value, _) = Decimal::parse(shortest).ok_or(Ambiguous)?;
    let sign = if value.negative { "-" } else { "" };
    if value.is_zero() {
        return Ok(format!("{sign}0"));
    }
    // Deep in the subnormal range (below about 1e-308) doubles lose precision, so the shortest
    // text no longer pins down 14 digits of the binary value.
    if value.point < -307 {
        return Err(Ambiguous);
    }
    const PRECISION: usize = 14;
    let mut digits = value.digits.clone();
    let mut point = value.point;
    if digits.len() > PRECISION {
        let tail = digits.split_off(PRECISION);
        let round_up = match tail.first().copied() {
            Some(d) if d > b'5' => true,
            Some(b'5') if tail.len() > 1 => true,
            Some(b'5') => return Err(Ambiguous),
            _ => false,
        };
        if round_up {
            // Propagate the carry; 9.99…9 becomes 1 with the point moved right.
            let mut carried = true;
            for d in digits.iter_mut().rev() {
                if *d == b'9' {
                    *d = b'0';
                } else {
                    *d += 1;
                    carried = false;
                    break;
                }
            }
            if carried {
                digits.insert(0, b'1');
                digits.truncate(PRECISION);
                point += 1;
            }
        }
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
    }
    let digits = String::from_utf8(digits).map_err(|_| Ambiguous)?;
    let precision = i64::try_from(PRECISION).map_err(|_| Ambiguous)?;
    let exponential = if point < 0 {
        point < -3
    } else {
        point > precision
    };
    let mut out = String::with_capacity(digits.len() + 8);
    out.push_str(sign);
    if exponential {
        let exp = point - 1;
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push('E');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&exp.unsigned_abs().to_string());
    } else if point <= 0 {
        out.push_str("0.");
        for _ in point..0 {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = usize::try_from(point).map_err(|_| Ambiguous)?;
        if digits.len() <= point {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_follow_php_hash_rules() {
        assert_eq!(Key::classify("10"), Key::Int(10));
        assert_eq!(Key::classify("0"), Key::Int(0));
        assert_eq!(Key::classify("-7"), Key::Int(-7));
        assert_eq!(Key::classify("9223372036854775807"), Key::Int(i64::MAX));
        assert_eq!(Key::classify("-9223372036854775808"), Key::Int(i64::MIN));
        for s in [
            "-0",
            "01",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "9223372036854775808",
            "",
            "a",
        ] {
            assert_eq!(Key::classify(s), Key::Str(s), "{s:?}");
        }
    }

    fn sorted(keys: &[&'static str]) -> Vec<&'static str> {
        let mut v: Vec<&str> = keys.to_vec();
        v.sort_by(|a, b| compare_keys(&Key::classify(a), &Key::classify(b)).unwrap());
        v
    }

    #[test]
    fn ksort_orders_like_php8() {
        // Checked against php-cli 8.2 `ksort`.
        assert_eq!(sorted(&["b", "a1", "a_b", "ab"]), ["a1", "a_b", "ab", "b"]);
        assert_eq!(
            sorted(&["10", "9", "2", "11", "1"]),
            ["1", "2", "9", "10", "11"]
        );
        assert_eq!(
            sorted(&["b", "10", "9", "1.5", "a1"]),
            ["1.5", "9", "10", "a1", "b"]
        );
        // A numeric string against a non-numeric one compares as strings.
        assert_eq!(
            compare_keys(&Key::Int(10), &Key::Str("9a")),
            Ok(Ordering::Less)
        );
        assert_eq!(
            compare_keys(&Key::Str("9a"), &Key::Int(10)),
            Ok(Ordering::Greater)
        );
        // Numeric strings compare numerically with each other and with integers.
        assert_eq!(
            compare_keys(&Key::Str("1e1"), &Key::Int(10)),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare_keys(&Key::Str(" 12"), &Key::Int(9)),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            compare_keys(&Key::Str("012"), &Key::Str("9")),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            compare_keys(&Key::Str("-1.5"), &Key::Int(-1)),
            Ok(Ordering::Less)
        );
    }

    #[test]
    fn overflowing_integer_strings_compare_with_longs_exactly() {
        let big = Key::Str("99999999999999999999");
        assert_eq!(compare_keys(&Key::Int(i64::MAX), &big), Ok(Ordering::Less));
        assert_eq!(
            compare_keys(&Key::Str("-99999999999999999999"), &Key::Int(i64::MIN)),
            Ok(Ordering::Less)
        );
    }

    #[test]
    fn imprecise_double_comparisons_are_refused() {
        let a = Key::Str("0.1000000000000000001");
        let b = Key::Str("0.1");
        assert_eq!(compare_keys(&a, &b), Err(Ambiguous));
        assert_eq!(
            compare_keys(&Key::Int(9_007_199_254_740_993), &Key::Str("1.5")),
            Err(Ambiguous)
        );
    }

    #[test]
    fn numeric_string_grammar() {
        for s in [
            "1", " 1", "1 ", "+1", "-1", "1.", ".5", "1e3", "1E-3", "\t\n12\r",
        ] {
            assert!(numeric_string(s).is_some(), "{s:?}");
        }
        for s in [
            "", " ", ".", "e3", "1e", "1e+", "0x1A", "INF", "1a", "1 2", "--1", "1.2.3",
        ] {
            assert!(numeric_string(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn floats_render_like_php_precision_14() {
        // Each expected value is `(string)$float` printed by php-cli 8.2.
        let cases = [
            ("17.5", "17.5"),
            ("1.0", "1"),
            ("0.30000000000000004", "0.3"),
            ("1e20", "1.0E+20"),
            ("100000000000000000000.0", "1.0E+20"),
            ("1.5e-7", "1.5E-7"),
            ("0.0001", "0.0001"),
            ("0.00001", "1.0E-5"),
            ("1e14", "1.0E+14"),
            ("10000000000000.0", "10000000000000"),
            ("-0.0", "-0"),
            ("0.0", "0"),
            ("1.2345678901234568e17", "1.2345678901235E+17"),
            ("9.999999999999999", "10"),
            ("0.5", "0.5"),
            ("-2.25", "-2.25"),
            ("1.7976931348623157e308", "1.7976931348623E+308"),
            ("2.2250738585072014e-308", "2.2250738585072E-308"),
            ("0.1234567890123451", "0.12345678901235"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                float_to_php_string(input),
                Ok(expected.to_owned()),
                "{input}"
            );
        }
        // Subnormal: PHP prints 4.9406564584125E-324, 14 digits of the exact binary
        // value, which the one-digit shortest text cannot give us.
        assert_eq!(float_to_php_string("5e-324"), Err(Ambiguous));
    }

    #[test]
    fn whole_parts_up_to_twenty_digits() {
        let whole = |text: &str| Decimal::parse(text).unwrap().0.whole_part_u64();
        assert_eq!(whole("1.5e19"), Some(15_000_000_000_000_000_000));
        assert_eq!(whole("18446744073709551615.9"), Some(u64::MAX));
        assert_eq!(whole("18446744073709551616"), None);
        assert_eq!(whole("1e20"), None);
        assert_eq!(whole("1e300"), None);
        assert_eq!(whole("1700000000.75"), Some(1_700_000_000));
        assert_eq!(whole("0.5"), Some(0));
        assert_eq!(whole("0"), Some(0));
        assert_eq!(whole("-1.5"), None);
    }

    #[test]
    fn half_way_at_the_fifteenth_digit_is_refused() {
        assert_eq!(float_to_php_string("123456789012345.0"), Err(Ambiguous));
        assert_eq!(float_to_php_string("0.123456789012345"), Err(Ambiguous));
        assert!(float_to_php_string("0.1234567890123451").is_ok());
    }
}
