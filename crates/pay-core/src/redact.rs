//! Redaction of provider bodies before they are kept in errors or shown anywhere.
//!
//! Adapters attach the provider's answer to errors as a [`RedactedBody`], which can only
//! be made by passing the text through a [`Redactor`]. The redactor removes the values of
//! sensitive keys (in JSON and in form bodies) and, as a second line of defence, masks
//! anything in free text that looks like a card number or an IBAN. It never parses
//! numbers, so amounts are not touched by floating point here either.

use std::fmt;

/// Text that has been through a [`Redactor`]. Safe to log and show.
#[derive(Clone, PartialEq, Eq)]
pub struct RedactedBody(String);

impl RedactedBody {
    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RedactedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for RedactedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Removes secrets from request and response bodies.
///
/// Keys are compared ignoring case, `_` and `-` (`Card_Number`, `cardNumber` and
/// `card-number` are one key). The default list covers both providers' secret fields;
/// adapters may add their own.
///
/// ```
/// use pay_core::Redactor;
///
/// let r = Redactor::default();
/// let body = r.json(r#"{"Tid":"T1","CardNumber":"4111111111111111","Cvv":"123","Amount":"29.99"}"#);
/// assert_eq!(body.as_str(), r#"{"Tid":"T1","CardNumber":"[REDACTED]","Cvv":"[REDACTED]","Amount":"29.99"}"#);
/// let form = r.form("Amount=1250&ApiKey=k3y&Email=a%40b.c");
/// assert_eq!(form.as_str(), "Amount=1250&ApiKey=[REDACTED]&Email=a%40b.c");
/// let text = r.text("card 4111111111111111 and iban PT50000201231234567890154");
/// assert_eq!(text.as_str(), "card ************1111 and iban PT50*****************0154");
/// ```
#[derive(Debug, Clone)]
pub struct Redactor {
    keys: Vec<String>,
    max_len: usize,
}

/// Field names whose values are always removed (normalised: lower case, no `_` or `-`).
pub const DEFAULT_SENSITIVE_KEYS: &[&str] = &[
    "apikey",
    "easytransacapikey",
    "signature",
    "authorization",
    "password",
    "secret",
    "token",
    "accesstoken",
    "privatekey",
    "cardnumber",
    "number",
    "pan",
    "cvv",
    "cvc",
    "cardcvv",
    "cardcvc",
    "cvv2",
    "iban",
    "accountnumber",
    "alias",
    "session",
    "purchasetoken",
    "phone",
    "phonenumber",
    "mobile",
    "mobilephone",
    "msisdn",
    "telephone",
    "customerphone",
];

const REDACTED: &str = "[REDACTED]";

impl Default for Redactor {
    fn default() -> Self {
        Self {
            keys: DEFAULT_SENSITIVE_KEYS
                .iter()
                .map(|k| (*k).to_owned())
                .collect(),
            max_len: 4096,
        }
    }
}

fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Redactor {
    /// Adds a sensitive key.
    #[must_use]
    pub fn with_key(mut self, key: &str) -> Self {
        self.keys.push(normalise(key));
        self
    }

    /// Keeps at most `max_len` bytes of output (default 4096), cut at a character boundary.
    #[must_use]
    pub fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    fn is_sensitive(&self, key: &str) -> bool {
        let k = normalise(key);
        // PHP-style nested form keys: `Client[CardNumber]`.
        let leaf = k.rsplit('[').next().unwrap_or(&k).trim_end_matches(']');
        self.keys.iter().any(|s| s == &k || s == leaf)
    }

    fn finish(&self, mut text: String) -> RedactedBody {
        if text.len() > self.max_len {
            let mut cut = self.max_len;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("…[truncated]");
        }
        RedactedBody(text)
    }

    /// Redacts a JSON document. Text that is not valid JSON (an HTML error page, a cut-off
    /// body) is redacted as free text instead.
    pub fn json(&self, body: &str) -> RedactedBody {
        match redact_json(body, self) {
            Some(out) => self.finish(out),
            None => self.text(body),
        }
    }

    /// Redacts an `application/x-www-form-urlencoded` body.
    pub fn form(&self, body: &str) -> RedactedBody {
        let parts: Vec<String> = body
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if self.is_sensitive(&percent_decode_key(k)) => {
                    format!("{k}={REDACTED}")
                }
                Some((k, v)) => format!("{k}={}", mask_free_text(v)),
                None => mask_free_text(pair),
            })
            .collect();
        self.finish(parts.join("&"))
    }

    /// Redacts free text: the value after a sensitive key written `key=value`,
    /// `key: value` or `"key": "value"` is removed, and card-number-like and IBAN-like
    /// runs are masked, also when written in groups (`4111 1111 1111 1111`,
    /// `PT50 0002 0123 …`) or in lower case.
    pub fn text(&self, body: &str) -> RedactedBody {
        self.finish(mask_free_text(&self.redact_pairs(body)))
    }

    /// Redacts text of any shape: JSON when it looks like JSON (an object or array), a
    /// form when it looks like one (`a=1&b=2`, no spaces), free text otherwise. For
    /// provider messages and other text whose format nobody declared.
    pub fn any(&self, body: &str) -> RedactedBody {
        let trimmed = body.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            self.json(body)
        } else if body.contains('=') && !body.contains(char::is_whitespace) {
            self.form(body)
        } else {
            self.text(body)
        }
    }

    /// Removes the values of sensitive keys written as `key=value`, `key: value` or
    /// `"key": "value"` in free text.
    fn redact_pairs(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < bytes.len() {
            let is_key_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
            if is_key_char(bytes[i]) && (i == 0 || !is_key_char(bytes[i - 1])) {
                let end = bytes[i..]
                    .iter()
                    .position(|c| !is_key_char(*c))
                    .map_or(bytes.len(), |p| i + p);
                out.push_str(&text[i..end]);
                // A closing quote, then `=` or `:`, then spaces and an opening quote.
                let mut j = end;
                if j < bytes.len() && bytes[j] == b'"' {
                    j += 1;
                }
                let separated = j < bytes.len() && (bytes[j] == b'=' || bytes[j] == b':');
                if separated && self.is_sensitive(&text[i..end]) {
                    j += 1;
                    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'"') {
                        j += 1;
                    }
                    let value_end = bytes[j..]
                        .iter()
                        .position(|c| {
                            matches!(c, b'&' | b',' | b';' | b'"' | b'\n' | b'\r' | b'}' | b']')
                                || c.is_ascii_whitespace()
                        })
                        .map_or(bytes.len(), |p| j + p);
                    if value_end > j {
                        out.push_str(&text[end..j]);
                        out.push_str(REDACTED);
                        i = value_end;
                        continue;
                    }
                }
                i = end;
            } else {
                let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
                out.push(ch);
                i += ch.len_utf8().max(1);
            }
        }
        out
    }
}

fn percent_decode_key(k: &str) -> String {
    k.replace("%5B", "[")
        .replace("%5D", "]")
        .replace("%5b", "[")
        .replace("%5d", "]")
}

/// Card numbers (13–19 digit runs) keep their last 4 digits; IBAN-like runs keep the
/// first and last 4 characters. Runs written in groups separated by single spaces or
/// hyphens (`4111 1111 1111 1111`, `PT50 0002 0123 1234 5678 9015 4`) count as one run.
fn mask_free_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let starts_token = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if starts_token && b.is_ascii_alphanumeric() {
            if let Some((masked, end)) = grouped_run(text, i) {
                out.push_str(&masked);
                i = end;
                continue;
            }
            let end = bytes[i..]
                .iter()
                .position(|c| !c.is_ascii_alphanumeric())
                .map_or(bytes.len(), |p| i + p);
            let token = &text[i..end];
            out.push_str(&mask_token(token));
            i = end;
        } else {
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

/// At `start`, a card number or IBAN written in groups of at most 6 characters joined by
/// single spaces or hyphens: the masked run and where it ends. The longest prefix of the
/// groups that reads as a card number or IBAN wins; `None` when there is none (or only
/// one group, which the token masking handles).
fn grouped_run(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut i = start;
    loop {
        let end = bytes[i..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .map_or(bytes.len(), |p| i + p);
        if end - i > 6 && groups.is_empty() {
            return None;
        }
        if end - i > 6 {
            break;
        }
        groups.push((i, end));
        let separated = end + 1 < bytes.len()
            && (bytes[end] == b' ' || bytes[end] == b'-')
            && bytes[end + 1].is_ascii_alphanumeric();
        if !separated || groups.len() >= 10 {
            break;
        }
        i = end + 1;
    }
    for k in (2..=groups.len()).rev() {
        let joined: String = groups[..k]
            .iter()
            .map(|(a, b)| text[*a..*b].to_ascii_uppercase())
            .collect();
        let masked = mask_token(&joined);
        if masked != joined {
            return Some((masked, groups[k - 1].1));
        }
    }
    None
}

fn mask_token(token: &str) -> String {
    let b = token.as_bytes();
    let n = b.len();
    let pan_like = (13..=19).contains(&n) && b.iter().all(u8::is_ascii_digit);
    // IBANs in either case: `pt50…` is as much an IBAN as `PT50…`.
    let iban_like = (15..=34).contains(&n)
        && b[..2].iter().all(u8::is_ascii_alphabetic)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_alphanumeric)
        && b[4..].iter().any(u8::is_ascii_digit);
    if pan_like {
        format!("{}{}", "*".repeat(n - 4), &token[n - 4..])
    } else if iban_like {
        format!("{}{}{}", &token[..4], "*".repeat(n - 8), &token[n - 4..])
    } else {
        token.to_owned()
    }
}

/// A small JSON scanner: copies the document, replacing the values of sensitive keys and
/// masking free text inside other strings. `None` when the text is not one JSON value.
fn redact_json(text: &str, redactor: &Redactor) -> Option<String> {
    let mut p = Scanner {
        s: text.as_bytes(),
        src: text,
        i: 0,
        out: String::with_capacity(text.len()),
        r: redactor,
    };
    p.ws();
    p.value(false)?;
    p.ws();
    (p.i == p.s.len()).then_some(p.out)
}

struct Scanner<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    out: String,
    r: &'a Redactor,
}

impl<'a> Scanner<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.out.push(char::from(self.s[self.i]));
            self.i += 1;
        }
    }

    /// Reads one value; when `hide` is set, writes `"[REDACTED]"` instead of it.
    fn value(&mut self, hide: bool) -> Option<()> {
        let start_len = self.out.len();
        match *self.s.get(self.i)? {
            b'{' => self.object()?,
            b'[' => self.array()?,
            b'"' => {
                let raw = self.string_raw()?;
                if !hide {
                    self.out.push_str(&mask_free_text(raw));
                }
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && !matches!(
                        self.s[self.i],
                        b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                    )
                {
                    self.i += 1;
                }
                let token = &self.src[start..self.i];
                let valid = matches!(token, "true" | "false" | "null")
                    || crate::decimal::DecimalText::parse_json(token).is_some();
                if !valid {
                    return None;
                }
                if !hide {
                    self.out.push_str(&mask_token(token));
                }
            }
        }
        if hide {
            self.out.truncate(start_len);
            self.out.push('"');
            self.out.push_str(REDACTED);
            self.out.push('"');
        }
        Some(())
    }

    /// Consumes a string token and returns it with its quotes, escapes untouched.
    fn string_raw(&mut self) -> Option<&'a str> {
        let src: &'a str = self.src;
        let start = self.i;
        self.i += 1;
        loop {
            match *self.s.get(self.i)? {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return src.get(start..self.i);
                }
                _ => self.i += 1,
            }
        }
    }

    fn object(&mut self) -> Option<()> {
        self.out.push('{');
        self.i += 1;
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.out.push('}');
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return None;
            }
            let key = self.string_raw()?;
            let sensitive = self.r.is_sensitive(key.get(1..key.len() - 1)?);
            self.out.push_str(key);
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return None;
            }
            self.out.push(':');
            self.i += 1;
            self.ws();
            self.value(sensitive)?;
            self.ws();
            match *self.s.get(self.i)? {
                b',' => {
                    self.out.push(',');
                    self.i += 1;
                }
                b'}' => {
                    self.out.push('}');
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<()> {
        self.out.push('[');
        self.i += 1;
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.out.push(']');
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            self.value(false)?;
            self.ws();
            match *self.s.get(self.i)? {
                b',' => {
                    self.out.push(',');
                    self.i += 1;
                }
                b']' => {
                    self.out.push(']');
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_and_lower_case_numbers_are_masked_in_text() {
        let r = Redactor::default();
        for (input, hidden) in [
            ("card 4111 1111 1111 1111 expires soon", "4111 1111 1111"),
            ("card 4111-1111-1111-1111.", "4111-1111-1111"),
            (
                "IBAN PT50 0002 0123 1234 5678 9015 4 please",
                "0002 0123 1234",
            ),
            ("iban pt50000201231234567890154", "000201231234"),
        ] {
            let out = r.text(input);
            assert!(!out.as_str().contains(hidden), "{input} -> {out}");
            assert!(
                !out.as_str().contains(&hidden.replace([' ', '-'], "")),
                "{input} -> {out}"
            );
        }
        assert_eq!(
            r.text("card 4111 1111 1111 1111 ok").as_str(),
            "card ************1111 ok"
        );
        // Ordinary grouped numbers and ids stay readable.
        for keep in [
            "order 2024 11 29 at 10 30",
            "id 4c67e74b-a256-4e0a-965d-97bf5d01bd50",
            "total 1 234 EUR",
        ] {
            assert_eq!(r.text(keep).as_str(), keep);
        }
    }

    #[test]
    fn sensitive_pairs_are_removed_from_free_text() {
        let r = Redactor::default();
        let out = r.text("declined: cvv=737, apiKey: sk_live_123 phone=+351911234567 ok");
        for secret in ["737", "sk_live_123", "+351911234567"] {
            assert!(!out.as_str().contains(secret), "{out}");
        }
        assert!(
            out.as_str()
                .starts_with("declined: cvv=[REDACTED], apiKey: [REDACTED]"),
            "{out}"
        );
        let quoted = r.text(r#"echo {"session": "sess_SECRET", "note": "x"}"#);
        assert!(!quoted.as_str().contains("sess_SECRET"), "{quoted}");
        assert!(quoted.as_str().contains(r#""note": "x""#), "{quoted}");
    }

    #[test]
    fn any_picks_the_shape() {
        let r = Redactor::default();
        let json = r.any(
            r#"{"phone":"+351911234567","Alias":"tok_ABCDEFGH","session":"s3cr3t","message":"no"}"#,
        );
        for secret in ["+351911234567", "tok_ABCDEFGH", "s3cr3t"] {
            assert!(!json.as_str().contains(secret), "{json}");
        }
        assert!(json.as_str().contains(r#""message":"no""#));
        let form = r.any("Tid=1&Cvv=737&Status=failed");
        assert_eq!(form.as_str(), "Tid=1&Cvv=[REDACTED]&Status=failed");
        let phones = r.any(
            r#"{"msisdn":"351911234567","customer_phone":"911234567","mobilePhone":"912345678"}"#,
        );
        for secret in ["351911234567", "911234567", "912345678"] {
            assert!(!phones.as_str().contains(secret), "{phones}");
        }
        let text = r.any("Card 4111111111111111 refused");
        assert_eq!(text.as_str(), "Card ************1111 refused");
    }
    use proptest::prelude::*;

    #[test]
    fn nested_and_odd_json() {
        let r = Redactor::default();
        let body = r#"{"data":{"token":"abc.def.ghi","expiresIn":300},"sdd_mandate":{"iban":"PT50000201231234567890154","name":"X"},"list":[{"Cvv":123}]}"#;
        let out = r.json(body);
        assert_eq!(
            out.as_str(),
            r#"{"data":{"token":"[REDACTED]","expiresIn":300},"sdd_mandate":{"iban":"[REDACTED]","name":"X"},"list":[{"Cvv":"[REDACTED]"}]}"#
        );
        // A whole nested value under a sensitive key goes.
        assert_eq!(
            r.json(r#"{"Signature":{"a":[1,2]}}"#).as_str(),
            r#"{"Signature":"[REDACTED]"}"#
        );
        // Escaped quotes inside strings do not confuse the scanner.
        assert_eq!(
            r.json(r#"{"msg":"say \"hi\" 4111111111111111","apiKey":"k"}"#)
                .as_str(),
            r#"{"msg":"say \"hi\" ************1111","apiKey":"[REDACTED]"}"#
        );
        // Not JSON: treated as text.
        assert_eq!(
            r.json("<html>card 5555555555554444</html>").as_str(),
            "<html>card ************4444</html>"
        );
        assert_eq!(
            r.form("Client%5BCardNumber%5D=4111").as_str(),
            "Client%5BCardNumber%5D=[REDACTED]"
        );
    }

    #[test]
    fn truncates_long_bodies() {
        let r = Redactor::default().with_max_len(10);
        assert_eq!(r.text("ééééééééé").as_str(), "ééééé…[truncated]");
    }

    #[test]
    fn redacted_body_prints_only_its_text() {
        let body = Redactor::default().text("a \"b\"");
        assert_eq!(body.as_str(), "a \"b\"");
        assert_eq!(body.to_string(), "a \"b\"");
        assert_eq!(format!("{body:?}"), r#""a \"b\"""#);
    }

    #[test]
    fn keys_match_ignoring_case_underscores_and_hyphens() {
        let r = Redactor::default();
        assert_eq!(
            r.json(r#"{"api_key":"k1","Card-Number":"4111","API-KEY":"k2","apikeys":"x"}"#)
                .as_str(),
            r#"{"api_key":"[REDACTED]","Card-Number":"[REDACTED]","API-KEY":"[REDACTED]","apikeys":"x"}"#
        );
        assert_eq!(
            r.form("card-number=4111&api_key=k&note=x").as_str(),
            "card-number=[REDACTED]&api_key=[REDACTED]&note=x"
        );
        assert_eq!(
            r.text("api_key=k1 card-number: 4111 x_cvv=1 cvvx=2")
                .as_str(),
            "api_key=[REDACTED] card-number: [REDACTED] x_cvv=1 cvvx=2"
        );
    }

    #[test]
    fn keys_added_with_with_key() {
        let r = Redactor::default().with_key("Holder_Name");
        assert_eq!(
            r.json(r#"{"holderName":"Ana","holder-name":"Rui","cvv":"1","name":"x"}"#)
                .as_str(),
            r#"{"holderName":"[REDACTED]","holder-name":"[REDACTED]","cvv":"[REDACTED]","name":"x"}"#
        );
        assert_eq!(r.text("HOLDERNAME=Ana").as_str(), "HOLDERNAME=[REDACTED]");
        assert_eq!(
            Redactor::default().text("holdername=Ana").as_str(),
            "holdername=Ana"
        );
    }

    #[test]
    fn pretty_printed_and_empty_json_keeps_its_layout() {
        let r = Redactor::default();
        let pretty = "{\n  \"Cvv\": 737,\n\t\"card\" : {\"number\":\r\n \"4111111111111111\"},\n  \"ok\": [ ],\n  \"e\": { },\n  \"n\": [1, true, null, -2.5e3]\n}\n";
        assert_eq!(
            r.json(pretty).as_str(),
            "{\n  \"Cvv\": \"[REDACTED]\",\n\t\"card\" : {\"number\":\r\n \"[REDACTED]\"},\n  \"ok\": [ ],\n  \"e\": { },\n  \"n\": [1, true, null, -2.5e3]\n}\n"
        );
        for same in [
            "{}",
            "[]",
            " { } ",
            "[ ]",
            r#"{"a":{}}"#,
            r#"[[],{}]"#,
            r#""x""#,
            "12",
        ] {
            assert_eq!(r.json(same).as_str(), same);
        }
        // A top-level array is scanned like an object's values.
        assert_eq!(
            r.json(r#"[{"cvv":1},"4111111111111111",4111111111111111]"#)
                .as_str(),
            r#"[{"cvv":"[REDACTED]"},"************1111",************1111]"#
        );
        // A sensitive key hides a number, an array or `null` alike, quoted.
        assert_eq!(
            r.json(r#"{"token":[1,{"a":2}],"pan":null,"cvv":-1.5}"#)
                .as_str(),
            r#"{"token":"[REDACTED]","pan":"[REDACTED]","cvv":"[REDACTED]"}"#
        );
    }

    #[test]
    fn escapes_inside_json_strings() {
        let r = Redactor::default();
        // An escaped backslash just before the closing quote ends the string.
        assert_eq!(
            r.json(r#"{"path":"C:\\","cvv":"737","q":"a\"b"}"#).as_str(),
            r#"{"path":"C:\\","cvv":"[REDACTED]","q":"a\"b"}"#
        );
        assert_eq!(r.json(r#"{"c\"vv":"737"}"#).as_str(), r#"{"c\"vv":"737"}"#);
        // An escaped quote does not end the string: the number after it is still JSON.
        assert_eq!(
            r.json(r#"{"q":"a\"b","cvv":737}"#).as_str(),
            r#"{"q":"a\"b","cvv":"[REDACTED]"}"#
        );
    }

    #[test]
    fn malformed_json_falls_back_to_text() {
        let r = Redactor::default();
        for (body, redacted) in [
            (r#"{"cvv" 737}"#, r#"{"cvv" 737}"#),
            (r#"{"cvv":737 "a":1}"#, r#"{"cvv":[REDACTED] "a":1}"#),
            (r#"{cvv:737}"#, r#"{cvv:[REDACTED]}"#),
            (r#"{"cvv":737} trailing"#, r#"{"cvv":[REDACTED]} trailing"#),
            (r#"{"cvv":tru}"#, r#"{"cvv":[REDACTED]}"#),
            (r#"[1 2]"#, r#"[1 2]"#),
            (r#"[1,"#, r#"[1,"#),
            (r#"{"a":"#, r#"{"a":"#),
            (r#"{"a":"open"#, r#"{"a":"open"#),
            (r#"{"cvv":737"#, r#"{"cvv":[REDACTED]"#),
            ("", ""),
        ] {
            assert_eq!(r.json(body).as_str(), redacted, "{body}");
        }
    }

    #[test]
    fn free_text_pairs_end_at_separators() {
        let r = Redactor::default();
        assert_eq!(
            r.text("cvv=1&cvv=2,cvv=3;cvv=4\"cvv=5\ncvv=6\rcvv=7}cvv=8]cvv=9\tcvv=10 end")
                .as_str(),
            "cvv=[REDACTED]&cvv=[REDACTED],cvv=[REDACTED];cvv=[REDACTED]\"cvv=[REDACTED]\ncvv=[REDACTED]\rcvv=[REDACTED]}cvv=[REDACTED]]cvv=[REDACTED]\tcvv=[REDACTED] end"
        );
        // Spaces and an opening quote after the separator are skipped; an empty value stays.
        assert_eq!(
            r.text(r#"cvv:   "737" cvv= x cvv=&é token="#).as_str(),
            r#"cvv:   "[REDACTED]" cvv= [REDACTED] cvv=&é token="#
        );
        assert_eq!(
            r.text("é-cvv=1 ü_token:2 -pan=3").as_str(),
            "é-cvv=[REDACTED] ü_token:[REDACTED] -pan=[REDACTED]"
        );
        assert_eq!(r.text("cvv 737 cvv").as_str(), "cvv 737 cvv");
    }

    #[test]
    fn numbers_are_masked_only_when_they_look_like_cards_or_ibans() {
        let r = Redactor::default();
        for keep in [
            "abcdefghijklm",
            "123456789012",
            "12345678901234567890",
            "ORDERREF12345678",
            "order 12345 ok",
            "x4111111111111111",
            "PT5000020123",
            "PT50ABCDEFGHIJKLMNOP",
            "4111  1111 1111 1111",
            "4111 1111 1111 1111111",
            "4111111 1111 1111 1111",
        ] {
            assert_eq!(r.text(keep).as_str(), keep);
        }
        for (input, masked) in [
            ("4111111111111", "*********1111"),
            ("4111111111111111111", "***************1111"),
            ("PT500002012312345", "PT50*********2345"),
            ("411111 111111 1111", "************1111"),
            ("card 4111 1111 1111 1111 ", "card ************1111 "),
            ("card 4111 1111 1111 1111-", "card ************1111-"),
            // A separator not followed by a group ends the run and stays.
            ("card 4111 1111 1111 1111 .", "card ************1111 ."),
            ("card 4111-1111-1111-1111-/", "card ************1111-/"),
            (
                "41 11 11 11 11 11 11 11 11 11 11",
                "**************1111 11 11",
            ),
        ] {
            assert_eq!(r.text(input).as_str(), masked, "{input}");
        }
    }

    #[test]
    fn any_detects_arrays_forms_and_text() {
        let r = Redactor::default();
        assert_eq!(
            r.any("  [{\"cvv\":1}]").as_str(),
            "  [{\"cvv\":\"[REDACTED]\"}]"
        );
        assert_eq!(r.any("{\"cvv\":1}").as_str(), "{\"cvv\":\"[REDACTED]\"}");
        // A form (no spaces): bracketed keys are decoded, which free text cannot do.
        assert_eq!(
            r.any("Client%5BCvv%5D=737&a=1").as_str(),
            "Client%5BCvv%5D=[REDACTED]&a=1"
        );
        assert_eq!(
            r.form("Client%5bcvv%5d=737&Client[Pan]=4&flag").as_str(),
            "Client%5bcvv%5d=[REDACTED]&Client[Pan]=[REDACTED]&flag"
        );
        // With spaces it is free text, even with `=` in it.
        assert_eq!(
            r.any("note: cvv=737 refused").as_str(),
            "note: cvv=[REDACTED] refused"
        );
        assert_eq!(r.any("plain words").as_str(), "plain words");
    }

    #[test]
    fn truncation_never_splits_a_character() {
        let r = Redactor::default().with_max_len(9);
        assert_eq!(r.text("ééééé").as_str(), "éééé…[truncated]");
        assert_eq!(r.text("abcdefghij").as_str(), "abcdefghi…[truncated]");
        assert_eq!(r.text("abcdefghi").as_str(), "abcdefghi");
        assert_eq!(
            r.json(r#"{"a":"bcdefgh"}"#).as_str(),
            "{\"a\":\"bcd…[truncated]"
        );
        assert_eq!(r.form("a=bcdefghij").as_str(), "a=bcdefgh…[truncated]");
        assert_eq!(
            Redactor::default().text(&"x".repeat(4096)).as_str().len(),
            4096
        );
        assert!(
            Redactor::default()
                .text(&"x".repeat(4097))
                .as_str()
                .ends_with("x…[truncated]")
        );
    }

    proptest! {
        #[test]
        fn secrets_never_survive(secret in "[A-Za-z0-9]{12,40}", key in prop::sample::select(DEFAULT_SENSITIVE_KEYS), other in "[a-z ]{0,20}") {
            let r = Redactor::default();
            let json = format!(r#"{{"note":"{other}","{key}":"{secret}","nested":{{"{key}":["{secret}"]}}}}"#);
            prop_assert!(!r.json(&json).as_str().contains(&secret));
            let form = format!("note={other}&{key}={secret}");
            prop_assert!(!r.form(&form).as_str().contains(&secret));
        }

        #[test]
        fn scanner_never_panics(text in ".{0,200}") {
            let _ = Redactor::default().json(&text);
            let _ = Redactor::default().form(&text);
        }
    }
}
