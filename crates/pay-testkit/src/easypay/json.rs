//! Small helpers to write Easypay's JSON answers by hand: amounts as exact number tokens
//! from integer cents, and dates in the formats Easypay uses.

use std::fmt::Write as _;

/// Writes one JSON object, member by member, with values given as JSON text.
#[derive(Debug, Default)]
pub(crate) struct Obj {
    buf: String,
}

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A member whose value is already JSON text.
    pub(crate) fn raw(mut self, key: &str, value: &str) -> Self {
        if !self.buf.is_empty() {
            self.buf.push(',');
        }
        let _ = write!(self.buf, "{}:{}", string(key), value);
        self
    }

    /// A string member.
    pub(crate) fn str(self, key: &str, value: &str) -> Self {
        let value = string(value);
        self.raw(key, &value)
    }

    /// A string member, or nothing: Easypay omits fields it has no value for.
    pub(crate) fn opt_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.str(key, value),
            None => self,
        }
    }

    /// A member of raw JSON text, or nothing.
    pub(crate) fn opt_raw(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.raw(key, value),
            None => self,
        }
    }

    /// An integer member.
    pub(crate) fn int(self, key: &str, value: i64) -> Self {
        self.raw(key, &value.to_string())
    }

    /// A boolean member.
    pub(crate) fn bool(self, key: &str, value: bool) -> Self {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// An amount member, as an exact JSON number token (`12.5`).
    pub(crate) fn amount(self, key: &str, cents: i64) -> Self {
        self.raw(key, &crate::present::json_number(cents))
    }

    /// An amount member, or nothing.
    pub(crate) fn opt_amount(self, key: &str, cents: Option<i64>) -> Self {
        match cents {
            Some(cents) => self.amount(key, cents),
            None => self,
        }
    }

    /// The object's text.
    pub(crate) fn done(self) -> String {
        format!("{{{}}}", self.buf)
    }
}

/// A JSON string literal.
pub(crate) fn string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// A JSON array of items that are already JSON text.
pub(crate) fn array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}

/// A JSON array of strings.
pub(crate) fn strings(items: &[&str]) -> String {
    array(items.iter().map(|item| string(item)))
}

pub(crate) use crate::calendar::{add_months, days_from_civil, parts};

/// `Y-m-d H:i:s`, as Easypay writes `created_at` and notification dates.
pub(crate) fn datetime(secs: i64) -> String {
    let (y, m, d, h, i, s) = parts(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{i:02}:{s:02}")
}

/// `Y-m-d H:i`, as Easypay writes `start_time`.
pub(crate) fn minute(secs: i64) -> String {
    let (y, m, d, h, i, _) = parts(secs);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{i:02}")
}

/// `Y-m-d`, as Easypay writes `capture_date`.
pub(crate) fn date(secs: i64) -> String {
    let (y, m, d, ..) = parts(secs);
    format!("{y:04}-{m:02}-{d:02}")
}

/// ISO 8601 in UTC (`2025-04-01T12:45:50Z`), as transaction notifications write dates.
pub(crate) fn iso(secs: i64) -> String {
    let (y, m, d, h, i, s) = parts(secs);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{i:02}:{s:02}Z")
}

/// Reads `Y-m-d H:i` (UTC) as unix seconds.
pub(crate) fn parse_minute(text: &str) -> Option<i64> {
    let (date, time) = text.split_once(' ')?;
    let mut d = date.split('-').map(str::parse::<i64>);
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let (h, i) = time.split_once(':')?;
    let (h, i) = (h.parse::<i64>().ok()?, i.parse::<i64>().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || i > 59 {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3_600 + i * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let t = parse_minute("2024-02-29 13:45").expect("valid");
        assert_eq!(minute(t), "2024-02-29 13:45");
        assert_eq!(datetime(t + 7), "2024-02-29 13:45:07");
        assert_eq!(iso(t), "2024-02-29T13:45:00Z");
        assert_eq!(date(t), "2024-02-29");
        assert_eq!(minute(add_months(t, 12)), "2025-02-28 13:45");
        assert_eq!(
            minute(add_months(parse_minute("2024-01-31 00:00").unwrap(), 1)),
            "2024-02-29 00:00"
        );
        assert_eq!(parse_minute("2024-13-01 00:00"), None);
        assert_eq!(datetime(0), "1970-01-01 00:00:00");
    }

    #[test]
    fn objects_escape_text() {
        let text = Obj::new()
            .str("a", "x\"y")
            .amount("v", 1250)
            .opt_str("n", None)
            .bool("b", true)
            .int("i", 3)
            .done();
        // An absent value is omitted, never `null`.
        assert_eq!(text, r#"{"a":"x\"y","v":12.5,"b":true,"i":3}"#);
    }
}
