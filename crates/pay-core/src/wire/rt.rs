//! The runtime of generated wire code: the serde helpers and constraint checks that the
//! adapters' `wire/generated.rs` (written by `cargo xtask codegen`) call from their serde
//! attributes and `validate()` methods.
//!
//! It exists once, here, rather than as a private copy in every generated file. Each
//! function is what one documented keyword of an API description means
//! (`docs/api-descriptions.md`): `minimum`/`maximum` compared as exact decimals, `x-money`
//! `max-decimals`, `pattern`, `format` (`email`, `uri`, `date`, `date-time`),
//! `x-max-range-days`, `x-empty-as-absent`, and integers that arrive as text. Errors name
//! the field and the broken [`Rule`], never the value.
//!
//! Generated code is the intended caller, but every function is an ordinary, tested public
//! function:
//!
//! ```
//! use pay_core::Rule;
//! use pay_core::wire::rt::{self, Pattern};
//!
//! static DIGITS: Pattern = Pattern::new("^[0-9]+$");
//!
//! let amount = rt::decimal("value", "0.49")?;
//! let min = rt::decimal("minimum", "0.5")?;
//! let err = rt::check_minimum("value", &amount, min, "0.5", true).unwrap_err();
//! assert!(matches!(err.rule(), Rule::Minimum { min, inclusive: true } if min == "0.5"));
//! assert!(rt::check_pattern("phone", "912345678", &DIGITS, "digits only").is_ok());
//! assert_eq!(rt::check_date("day", "2023-02-29").unwrap_err().field(), "day");
//! # Ok::<(), pay_core::ValidationError>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use regex_lite::Regex;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::contact::Email;
use crate::decimal::DecimalText;
use crate::validation::{Rule, ValidationError};

mod simple;

// ---------------------------------------------------------------------------------------------
// Serde helpers (`deserialize_with`).
// ---------------------------------------------------------------------------------------------

/// Reads an optional value whose empty string means "absent" (`x-empty-as-absent`): `""`
/// and `null` read as `None`, any other string as `Some(T::from(text))`.
///
/// # Errors
/// The deserializer's error when the value is neither a string nor `null`.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    let text: Option<String> = Deserialize::deserialize(deserializer)?;
    Ok(text.filter(|text| !text.is_empty()).map(T::from))
}

/// Reads an integer written as a JSON number or as a string of digits (form bodies and
/// query strings carry every value as text). Surrounding spaces in a string are ignored.
///
/// # Errors
/// The deserializer's error for anything else: a fraction, text that is not an integer,
/// or a number outside `i64`.
pub fn lenient_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(LenientInt)
}

/// [`lenient_int`] for an optional field: `null` reads as `None`.
///
/// # Errors
/// As [`lenient_int`].
pub fn lenient_int_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    deserializer.deserialize_option(OptionalLenientInt)
}

struct LenientInt;

impl de::Visitor<'_> for LenientInt {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
        i64::try_from(value).map_err(|_| E::custom("integer out of range"))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<i64, E> {
        value
            .trim()
            .parse()
            .map_err(|_| E::custom("expected an integer"))
    }
}

struct OptionalLenientInt;

impl<'de> de::Visitor<'de> for OptionalLenientInt {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<i64>, D::Error> {
        lenient_int(deserializer).map(Some)
    }
}

// ---------------------------------------------------------------------------------------------
// Amounts: exact decimals.
// ---------------------------------------------------------------------------------------------

/// Reads an amount's text as an exact decimal. Only plain notation is accepted
/// (`-?[0-9]+(\.[0-9]+)?`): no exponent, sign `+`, spaces or digit separators.
///
/// # Errors
/// [`Rule::Format`] for any other text, or a number `rust_decimal` cannot hold exactly.
pub fn decimal(
    field: impl Into<Cow<'static, str>>,
    text: &str,
) -> Result<Decimal, ValidationError> {
    DecimalText::parse_plain(text)
        .and_then(|_| Decimal::from_str_exact(text).ok())
        .ok_or_else(|| {
            ValidationError::new(
                field,
                Rule::Format {
                    expected: "a plain decimal number such as 17.5",
                },
            )
        })
}

/// Checks `amount` against a lower bound written in the description (`minimum`, or
/// `exclusiveMinimum` when not `inclusive`). `text` is the bound as written, for the error.
///
/// # Errors
/// [`Rule::Minimum`] when `amount` is below the bound (or equal to an exclusive one).
pub fn check_minimum(
    field: impl Into<Cow<'static, str>>,
    amount: &Decimal,
    min: Decimal,
    text: &'static str,
    inclusive: bool,
) -> Result<(), ValidationError> {
    let ok = if inclusive {
        *amount >= min
    } else {
        *amount > min
    };
    if ok {
        return Ok(());
    }
    Err(ValidationError::new(
        field,
        Rule::Minimum {
            min: text.to_owned(),
            inclusive,
        },
    ))
}

/// Checks `amount` against an upper bound written in the description (`maximum`, or
/// `exclusiveMaximum` when not `inclusive`). `text` is the bound as written, for the error.
///
/// # Errors
/// [`Rule::Maximum`] when `amount` is above the bound (or equal to an exclusive one).
pub fn check_maximum(
    field: impl Into<Cow<'static, str>>,
    amount: &Decimal,
    max: Decimal,
    text: &'static str,
    inclusive: bool,
) -> Result<(), ValidationError> {
    let ok = if inclusive {
        *amount <= max
    } else {
        *amount < max
    };
    if ok {
        return Ok(());
    }
    Err(ValidationError::new(
        field,
        Rule::Maximum {
            max: text.to_owned(),
            inclusive,
        },
    ))
}

/// Refuses more significant decimal places than the provider keeps (`x-money`
/// `max-decimals`), which it would otherwise round silently. Trailing zeros do not count:
/// `12.50` has one place.
///
/// # Errors
/// [`Rule::TooManyDecimals`] naming `currency` (see [`currency_label`]).
pub fn check_decimals(
    field: impl Into<Cow<'static, str>>,
    amount: &Decimal,
    max: u32,
    currency: &'static str,
) -> Result<(), ValidationError> {
    if amount.normalize().scale() > max {
        return Err(ValidationError::new(
            field,
            Rule::TooManyDecimals { currency, max },
        ));
    }
    Ok(())
}

/// The currency to name in a [`Rule::TooManyDecimals`] error: the request's code (`value`)
/// in its documented spelling if it is one of `known` (compared ignoring ASCII case),
/// "the requested currency" if it is another one, and `default` when the request names
/// none.
pub fn currency_label(
    value: Option<&str>,
    known: &'static [&'static str],
    default: &'static str,
) -> &'static str {
    match value {
        Some(value) => known
            .iter()
            .copied()
            .find(|code| code.eq_ignore_ascii_case(value))
            .unwrap_or("the requested currency"),
        None => default,
    }
}

// ---------------------------------------------------------------------------------------------
// Text: patterns, emails, URLs.
// ---------------------------------------------------------------------------------------------

/// A documented `pattern` (or the pattern of an `x-time-format` or `format: uuid`),
/// compiled on first use. Made in `const` context, so generated code holds them in plain
/// `static`s.
///
/// The syntax is `regex-lite`'s (Perl-like, no Unicode classes), which covers the
/// descriptions' patterns; every generated file has a test that compiles each of its
/// patterns ([`Pattern::is_valid`]). The usual anchored shapes (`^[0-9]{4}$`,
/// `^[A-Za-z0-9-]{8,14}$`: classes and literals, each repeated) are matched by a small
/// automaton of their own instead of the regex engine, with the same answers (a property
/// test holds the two together) at a fraction of the cost.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Compiled>>,
}

/// A pattern ready to match: by [`simple::Simple`]'s automaton when it is one of the
/// usual anchored sequences of classes, by `regex-lite` otherwise.
enum Compiled {
    Simple(simple::Simple),
    Regex(Regex),
}

impl Pattern {
    /// The pattern `source`, not compiled yet.
    pub const fn new(source: &'static str) -> Pattern {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether the pattern compiles.
    pub fn is_valid(&self) -> bool {
        self.compiled().is_some()
    }

    /// Whether `text` matches (anywhere, unless the pattern is anchored).
    ///
    /// # Panics
    /// When the pattern does not compile: a bug in the description that the generated
    /// tests catch ([`Pattern::is_valid`]).
    pub fn is_match(&self, text: &str) -> bool {
        match self.compiled() {
            Some(Compiled::Simple(simple)) => simple.is_match(text),
            Some(Compiled::Regex(regex)) => regex.is_match(text),
            None => panic!(
                "the API description's pattern `{}` does not compile",
                self.source
            ),
        }
    }

    fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| match simple::Simple::parse(self.source) {
                Some(simple) => Some(Compiled::Simple(simple)),
                None => Regex::new(self.source).ok().map(Compiled::Regex),
            })
            .as_ref()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// Checks `value` against a documented pattern; `expected` describes it in the error.
///
/// # Errors
/// [`Rule::Format`] with `expected` when `value` does not match.
///
/// # Panics
/// When the pattern does not compile (see [`Pattern::is_match`]).
pub fn check_pattern(
    field: impl Into<Cow<'static, str>>,
    value: &str,
    pattern: &Pattern,
    expected: &'static str,
) -> Result<(), ValidationError> {
    if pattern.is_match(value) {
        Ok(())
    } else {
        Err(ValidationError::new(field, Rule::Format { expected }))
    }
}

/// Checks `format: email` with the rules of [`Email::parse`].
///
/// # Errors
/// [`Email::parse`]'s error, reported under `field`.
pub fn check_email(
    field: impl Into<Cow<'static, str>>,
    value: &str,
) -> Result<(), ValidationError> {
    Email::check(value).map_err(|error| error.for_field(field))
}

/// Checks `format: uri`/`url`: an absolute `http://` or `https://` URL (scheme in any
/// case) with a host, and no whitespace or control characters. Plain `http` is allowed:
/// neither provider requires https for the merchant's own return, cancel or notification
/// addresses.
///
/// # Errors
/// [`Rule::Format`] for anything else.
pub fn check_url(field: impl Into<Cow<'static, str>>, value: &str) -> Result<(), ValidationError> {
    let absolute = value.split_once("://").is_some_and(|(scheme, rest)| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
            && !host.is_empty()
            && !host.starts_with(':')
    });
    if absolute && !value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            Rule::Format {
                expected: "an absolute http:// or https:// URL without spaces",
            },
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and times.
// ---------------------------------------------------------------------------------------------

/// Checks `format: date`: `YYYY-MM-DD` naming a real calendar date (leap years included).
///
/// # Errors
/// [`Rule::Format`] for anything else.
pub fn check_date(field: impl Into<Cow<'static, str>>, value: &str) -> Result<(), ValidationError> {
    match date_parts(value.as_bytes()) {
        Some(_) => Ok(()),
        None => Err(ValidationError::new(
            field,
            Rule::Format {
                expected: "a calendar date YYYY-MM-DD",
            },
        )),
    }
}

/// Checks `format: date-time`: RFC 3339, `YYYY-MM-DDTHH:MM:SS[.fraction]` with a real date
/// and time (a leap second `:60` is allowed) and an offset (`Z` or `±HH:MM`); `T` and `Z`
/// in either case.
///
/// # Errors
/// [`Rule::Format`] for anything else.
pub fn check_date_time(
    field: impl Into<Cow<'static, str>>,
    value: &str,
) -> Result<(), ValidationError> {
    if is_date_time(value.as_bytes()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            Rule::Format {
                expected: "an RFC 3339 date-time such as 2024-12-31T23:59:59Z",
            },
        ))
    }
}

/// Checks `x-max-range-days` on an `interval(YYYY-MM-DD HH:MM,YYYY-MM-DD HH:MM)` filter:
/// both ends real dates and times, the end at most `max_days` days after the start.
/// `limit` is the error's text ("must span at most 30 days"). The order of the ends is not
/// checked (undocumented).
///
/// # Errors
/// [`Rule::Format`] when the value is not such an interval, [`Rule::Other`] with `limit`
/// when it spans too long.
pub fn check_interval(
    field: impl Into<Cow<'static, str>>,
    value: &str,
    max_days: i64,
    limit: &'static str,
) -> Result<(), ValidationError> {
    let span = value
        .strip_prefix("interval(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|inner| inner.split_once(','))
        .and_then(|(start, end)| Some(minutes(end)? - minutes(start)?));
    match span {
        Some(span) if span <= max_days.saturating_mul(1440) => Ok(()),
        Some(_) => Err(ValidationError::new(
            field,
            Rule::Other(Cow::Borrowed(limit)),
        )),
        None => Err(ValidationError::new(
            field,
            Rule::Format {
                expected: "interval(YYYY-MM-DD HH:MM,YYYY-MM-DD HH:MM) with real dates and times",
            },
        )),
    }
}

/// The number written by `bytes`, if they are all ASCII digits (at most 9 of them here).
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0_u32, |number, byte| {
        byte.is_ascii_digit()
            .then(|| number * 10 + u32::from(byte - b'0'))
    })
}

/// Year, month and day of `YYYY-MM-DD`, if it is a real calendar date.
fn date_parts(bytes: &[u8]) -> Option<(u32, u32, u32)> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = bytes else {
        return None;
    };
    let year = digits(&[*y0, *y1, *y2, *y3])?;
    let month = digits(&[*m0, *m1])?;
    let day = digits(&[*d0, *d1])?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        _ => return None,
    };
    (1..=days).contains(&day).then_some((year, month, day))
}

/// Whether `HH:MM` (or `HH:MM:SS` when `bytes` has 8 of them) is a real time of day; a
/// leap second (`:60`) is allowed.
fn is_clock(bytes: &[u8]) -> bool {
    match bytes {
        [h0, h1, b':', m0, m1] => {
            digits(&[*h0, *h1]).is_some_and(|hour| hour <= 23)
                && digits(&[*m0, *m1]).is_some_and(|minute| minute <= 59)
        }
        [clock @ .., b':', s0, s1] if clock.len() == 5 => {
            is_clock(clock) && digits(&[*s0, *s1]).is_some_and(|second| second <= 60)
        }
        _ => false,
    }
}

/// Whether `bytes` are `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` with a real date,
/// time and offset.
fn is_date_time(bytes: &[u8]) -> bool {
    let (Some(date), Some(separator), Some(clock), Some(mut rest)) = (
        bytes.get(..10),
        bytes.get(10),
        bytes.get(11..19),
        bytes.get(19..),
    ) else {
        return false;
    };
    if !matches!(separator, b'T' | b't') || date_parts(date).is_none() || !is_clock(clock) {
        return false;
    }
    if let [b'.', fraction @ ..] = rest {
        let count = fraction
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if count == 0 {
            return false;
        }
        rest = &fraction[count..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', offset @ ..] => offset.len() == 5 && is_clock(offset),
        _ => false,
    }
}

/// Minutes since 0000-03-01 of `YYYY-MM-DD HH:MM`, if it is a real date and time.
fn minutes(text: &str) -> Option<i64> {
    let (date, clock) = text.split_once(' ')?;
    let (year, month, day) = date_parts(date.as_bytes())?;
    if clock.len() != 5 || !is_clock(clock.as_bytes()) {
        return None;
    }
    let (hour, minute) = clock.split_once(':')?;
    // Days from the civil calendar (years start in March, so leap days come last).
    let year = i64::from(year) - i64::from(month <= 2);
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let days =
        year * 365 + year.div_euclid(4) - year.div_euclid(100) + year.div_euclid(400) + day_of_year;
    Some(days * 1440 + i64::from(digits(hour.as_bytes())? * 60 + digits(minute.as_bytes())?))
}

// ---------------------------------------------------------------------------------------------
// Path parameters.
// ---------------------------------------------------------------------------------------------

/// The value of path parameter `name` among `params` (`(name, value)` pairs, as sent).
///
/// # Errors
/// [`Rule::Required`] under `name` when `params` lacks it.
pub fn path_param<'a, S: AsRef<str>>(
    params: &'a [(&str, S)],
    name: &'static str,
) -> Result<&'a str, ValidationError> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.as_ref())
        .ok_or_else(|| ValidationError::new(name, Rule::Required))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        decimal("x", text).unwrap()
    }

    fn format_error(result: Result<(), ValidationError>) -> bool {
        matches!(
            result.map_err(|e| e.rule().clone()),
            Err(Rule::Format { .. })
        )
    }

    #[test]
    fn bounds_compare_as_exact_decimals() {
        // 0.1 + 0.2 style trouble cannot happen: the bound and the amount are exact.
        let min = dec("0.5");
        assert!(check_minimum("value", &dec("0.5"), min, "0.5", true).is_ok());
        assert!(check_minimum("value", &dec("0.50000000000000001"), min, "0.5", false).is_ok());
        let err =
            check_minimum("value", &dec("0.49999999999999999"), min, "0.5", true).unwrap_err();
        assert_eq!(err.field(), "value");
        assert_eq!(
            err.rule(),
            &Rule::Minimum {
                min: "0.5".to_owned(),
                inclusive: true
            }
        );
        let err = check_minimum("value", &dec("0.5"), min, "0.5", false).unwrap_err();
        assert!(matches!(
            err.rule(),
            Rule::Minimum {
                inclusive: false,
                ..
            }
        ));

        let max = dec("999999.99");
        assert!(check_maximum("value", &dec("999999.99"), max, "999999.99", true).is_ok());
        assert!(check_maximum("value", &dec("999999.990"), max, "999999.99", true).is_ok());
        let err = check_maximum("value", &dec("999999.991"), max, "999999.99", true).unwrap_err();
        assert!(matches!(err.rule(), Rule::Maximum { max, inclusive: true } if max == "999999.99"));
        assert!(check_maximum("value", &dec("999999.99"), max, "999999.99", false).is_err());
        assert!(check_minimum("value", &dec("-3"), dec("-2.5"), "-2.5", true).is_err());
    }

    #[test]
    fn only_plain_decimals_are_amounts() {
        assert_eq!(dec("17.5"), Decimal::new(175, 1));
        assert_eq!(dec("-0.01"), Decimal::new(-1, 2));
        for bad in [
            "1e3", "1.5E2", "+1", "1_000", " 1", "1.", ".5", "", "abc", "1,5", "0x10",
        ] {
            let err = decimal("value", bad).unwrap_err();
            assert_eq!(err.field(), "value", "{bad}");
            assert!(matches!(err.rule(), Rule::Format { .. }), "{bad}");
        }
    }

    #[test]
    fn decimal_places_are_counted_without_trailing_zeros() {
        assert!(check_decimals("value", &dec("12.5"), 2, "EUR").is_ok());
        assert!(check_decimals("value", &dec("12.50"), 2, "EUR").is_ok());
        assert!(check_decimals("value", &dec("12.5000"), 2, "EUR").is_ok());
        assert!(check_decimals("value", &dec("12"), 0, "EUR").is_ok());
        let err = check_decimals("value", &dec("12.505"), 2, "EUR").unwrap_err();
        assert_eq!(
            err.rule(),
            &Rule::TooManyDecimals {
                currency: "EUR",
                max: 2
            }
        );
    }

    #[test]
    fn currencies_are_named_by_their_documented_spelling() {
        let known = &["EUR", "BRL"];
        assert_eq!(currency_label(Some("eur"), known, "EUR"), "EUR");
        assert_eq!(
            currency_label(Some("USD"), known, "EUR"),
            "the requested currency"
        );
        assert_eq!(
            currency_label(None, known, "the default currency"),
            "the default currency"
        );
    }

    #[test]
    fn patterns_match_and_report_what_was_expected() {
        static TID: Pattern = Pattern::new("^[A-Za-z0-9]{1,8}$");
        assert!(TID.is_valid());
        assert_eq!(TID.source(), "^[A-Za-z0-9]{1,8}$");
        assert!(check_pattern("Tid", "ABC123", &TID, "text matching ^[A-Za-z0-9]{1,8}$").is_ok());
        let err = check_pattern("Tid", "ABC-123", &TID, "up to 8 letters or digits").unwrap_err();
        assert_eq!(err.field(), "Tid");
        assert_eq!(
            err.rule(),
            &Rule::Format {
                expected: "up to 8 letters or digits"
            }
        );
        // The error never carries the value.
        assert!(!err.to_string().contains("ABC-123"));
        assert_eq!(format!("{TID:?}"), r#"Pattern("^[A-Za-z0-9]{1,8}$")"#);
        assert!(!Pattern::new("(unclosed").is_valid());
    }

    #[test]
    fn emails_follow_the_email_type() {
        assert!(check_email("customer.email", "ana@example.pt").is_ok());
        for bad in ["", "ana", "ana@", "@example.pt", "ana example@x.pt"] {
            let err = check_email("customer.email", bad).unwrap_err();
            assert_eq!(err.field(), "customer.email", "{bad:?}");
        }
    }

    #[test]
    fn urls_are_absolute_http_or_https() {
        for good in [
            "https://shop.example/return",
            "http://127.0.0.1:8080/notify?x=1",
            "HTTPS://user@shop.example",
            "https://shop.example#done",
        ] {
            assert!(check_url("ReturnUrl", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "shop.example/return",
            "ftp://shop.example",
            "https://",
            "https:///path",
            "https://:443/path",
            "https://shop.example/a b",
            "https://shop.example/\n",
            "javascript://x",
        ] {
            assert!(format_error(check_url("ReturnUrl", bad)), "{bad:?}");
        }
    }

    #[test]
    fn dates_must_be_real_calendar_dates() {
        for good in [
            "2024-02-29",
            "2000-02-29",
            "2023-02-28",
            "1999-12-31",
            "2024-01-01",
        ] {
            assert!(check_date("day", good).is_ok(), "{good}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01T00:00:00Z",
            "",
        ] {
            assert!(format_error(check_date("day", bad)), "{bad:?}");
        }
    }

    #[test]
    fn date_times_are_rfc_3339_with_an_offset() {
        for good in [
            "2024-12-31T23:59:59Z",
            "2024-12-31t23:59:59z",
            "2024-12-31T23:59:60+02:00",
            "2024-06-30T12:00:00.123456-05:30",
            "2024-02-29T00:00:00+00:00",
        ] {
            assert!(check_date_time("at", good).is_ok(), "{good}");
        }
        for bad in [
            "2024-12-31T23:59:59",
            "2024-12-31 23:59:59Z",
            "2024-12-31T24:00:00Z",
            "2024-12-31T23:60:00Z",
            "2024-12-31T23:59:61Z",
            "2023-02-29T00:00:00Z",
            "2024-12-31T23:59:59.Z",
            "2024-12-31T23:59:59+2:00",
            "2024-12-31T23:59:59+02:00:00",
            "2024-12-31T23:59:59+24:00",
            "2024-12-31T23:59Z",
            "",
        ] {
            assert!(format_error(check_date_time("at", bad)), "{bad:?}");
        }
    }

    #[test]
    fn intervals_are_real_and_no_longer_than_allowed() {
        let limit = "must span at most 30 days";
        let check = |value| check_interval("created_at", value, 30, limit);
        assert!(check("interval(2024-01-01 00:00,2024-01-31 00:00)").is_ok());
        // Across a leap day and a year end: counted in real calendar days.
        assert!(check("interval(2024-02-15 10:00,2024-03-16 10:00)").is_ok());
        assert!(check("interval(2023-12-20 00:00,2024-01-19 00:00)").is_ok());
        let err = check("interval(2024-02-15 10:00,2024-03-16 10:01)").unwrap_err();
        assert_eq!(err.rule(), &Rule::Other(Cow::Borrowed(limit)));
        // The order of the ends is not checked.
        assert!(check("interval(2024-03-01 00:00,2024-01-01 00:00)").is_ok());
        for bad in [
            "interval(2024-02-30 00:00,2024-03-01 00:00)",
            "interval(2024-01-01 24:00,2024-01-02 00:00)",
            "interval(2024-01-01 00:00:00,2024-01-02 00:00)",
            "interval(2024-01-01 00:00;2024-01-02 00:00)",
            "(2024-01-01 00:00,2024-01-02 00:00)",
            "",
        ] {
            assert!(format_error(check(bad)), "{bad:?}");
        }
    }

    #[test]
    fn intervals_count_century_leap_rules() {
        let limit = "must span at most 30 days";
        let check = |value| check_interval("created_at", value, 30, limit);
        // February 1900 has 28 days (a century), February 2000 has 29 (divisible by 400).
        assert!(check("interval(1900-02-15 00:00,1900-03-17 00:00)").is_ok());
        assert!(check("interval(2000-02-15 00:00,2000-03-16 00:00)").is_ok());
        assert!(check("interval(2000-02-15 00:00,2000-03-17 00:00)").is_err());
        assert!(check("interval(2100-02-15 00:00,2100-03-17 00:00)").is_ok());
        // Across the end of a century.
        assert!(check("interval(1999-12-15 12:00,2000-01-14 12:00)").is_ok());
        assert!(check("interval(1999-12-15 12:00,2000-01-14 12:01)").is_err());
    }

    /// Days since 0000-03-01 counted one year and one month at a time.
    fn naive_days(year: u32, month: u32, day: u32) -> i64 {
        let leap =
            |y: u32| y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
        let month_days = |y: u32, m: u32| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let mut days: i64 = (0..year).map(|y| if leap(y) { 366 } else { 365 }).sum();
        days += (1..month).map(|m| month_days(year, m)).sum::<i64>();
        // 0000-01-01 is 31 + 29 days before 0000-03-01 (year 0 is a leap year).
        days + i64::from(day) - 1 - 60
    }

    #[test]
    fn minutes_count_every_calendar_day() {
        assert_eq!(minutes("0000-03-01 00:00"), Some(0));
        assert_eq!(minutes("0000-03-01 00:01"), Some(1));
        assert_eq!(minutes("0000-03-02 01:00"), Some(1440 + 60));
        assert_eq!(minutes("0000-02-29 23:59"), Some(-1));
        assert_eq!(minutes("0000-01-01 00:00"), Some(-60 * 1440));
        let years = [
            0, 1, 3, 4, 99, 100, 101, 399, 400, 401, 1600, 1699, 1700, 1800, 1899, 1900, 1901,
            1999, 2000, 2001, 2023, 2024, 2025, 2099, 2100, 2101, 2399, 2400, 9999,
        ];
        for year in years {
            for month in 1..=12 {
                let last = naive_days(year, month + 1, 1) - naive_days(year, month, 1);
                for day in [1, 2, 15, u32::try_from(last).unwrap()] {
                    for (clock, extra) in [("00:00", 0), ("09:07", 9 * 60 + 7), ("23:59", 1439)] {
                        let text = format!("{year:04}-{month:02}-{day:02} {clock}");
                        assert_eq!(
                            minutes(&text),
                            Some(naive_days(year, month, day) * 1440 + extra),
                            "{text}"
                        );
                    }
                }
            }
        }
        for bad in [
            "2024-01-01 00:00:00",
            "2024-01-01T00:00",
            "2024-01-01 0:00",
            "2023-02-29 00:00",
        ] {
            assert_eq!(minutes(bad), None, "{bad}");
        }
    }

    #[test]
    fn clocks_are_five_or_eight_bytes() {
        for good in ["00:00", "23:59", "00:00:00", "23:59:60", "12:34:56"] {
            assert!(is_clock(good.as_bytes()), "{good}");
        }
        for bad in [
            "24:00",
            "23:60",
            "23:59:61",
            "12:34:56:00",
            "1:34:56",
            "12:34:5",
            "12-34",
            "12:3",
            "",
            ":00",
            "12:34:",
        ] {
            assert!(!is_clock(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn lenient_integers_read_numbers_and_digit_strings() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Query {
            #[serde(deserialize_with = "lenient_int")]
            page: i64,
            #[serde(default, deserialize_with = "lenient_int_opt")]
            limit: Option<i64>,
        }
        let read = |json: &str| serde_json::from_str::<Query>(json);
        assert_eq!(
            read(r#"{"page":"2","limit":50}"#).unwrap(),
            Query {
                page: 2,
                limit: Some(50)
            }
        );
        assert_eq!(
            read(r#"{"page":-3,"limit":" 7 "}"#).unwrap(),
            Query {
                page: -3,
                limit: Some(7)
            }
        );
        assert_eq!(read(r#"{"page":1,"limit":null}"#).unwrap().limit, None);
        assert_eq!(read(r#"{"page":1}"#).unwrap().limit, None);
        for bad in [
            r#"{"page":1.5}"#,
            r#"{"page":"1.5"}"#,
            r#"{"page":"x"}"#,
            r#"{"page":true}"#,
            r#"{"page":18446744073709551615}"#,
            r#"{"page":1,"limit":"ten"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exclusive_bounds_accept_what_is_strictly_inside() {
        assert!(check_maximum("value", &dec("1.99"), dec("2"), "2", false).is_ok());
        assert!(check_maximum("value", &dec("2.01"), dec("2"), "2", false).is_err());
        assert!(check_minimum("value", &dec("2.01"), dec("2"), "2", false).is_ok());
        assert!(check_minimum("value", &dec("1.99"), dec("2"), "2", false).is_err());
    }

    #[test]
    fn lenient_integer_visitors_say_what_they_expect() {
        use serde::de::{Expected, Visitor as _};
        let expected = |visitor: &dyn Expected| visitor.to_string();
        assert_eq!(expected(&LenientInt), "an integer");
        assert_eq!(expected(&OptionalLenientInt), "an integer or null");
        assert_eq!(
            serde_json::from_str::<Wrapper>(r#"{"n":"4"}"#).unwrap().n,
            4
        );
        let err = serde_json::from_str::<Wrapper>(r#"{"n":true}"#).unwrap_err();
        assert!(err.to_string().contains("expected an integer"), "{err}");
        // A format that writes "nothing" as a unit value reads as absent too.
        assert_eq!(
            OptionalLenientInt.visit_unit::<de::value::Error>(),
            Ok(None)
        );
        assert_eq!(
            OptionalLenientInt.visit_none::<de::value::Error>(),
            Ok(None)
        );
    }

    #[derive(Debug, Deserialize)]
    struct Wrapper {
        #[serde(deserialize_with = "lenient_int")]
        n: i64,
    }

    #[test]
    fn empty_strings_read_as_absent() {
        #[derive(Debug, Deserialize)]
        struct Answer {
            #[serde(default, deserialize_with = "empty_as_none")]
            language: Option<String>,
        }
        let read = |json: &str| serde_json::from_str::<Answer>(json).unwrap().language;
        assert_eq!(read(r#"{"language":""}"#), None);
        assert_eq!(read(r#"{"language":null}"#), None);
        assert_eq!(read("{}"), None);
        assert_eq!(read(r#"{"language":"PT"}"#).as_deref(), Some("PT"));
        assert!(serde_json::from_str::<Answer>(r#"{"language":3}"#).is_err());
    }

    #[test]
    fn path_parameters_must_be_given() {
        let params = [("id", "abc".to_owned())];
        assert_eq!(path_param(&params, "id").unwrap(), "abc");
        let err = path_param(&params, "capture_id").unwrap_err();
        assert_eq!(err.field(), "capture_id");
        assert_eq!(err.rule(), &Rule::Required);
    }
}
