//! Naming rules for generated Rust (snake_case fields, PascalCase types and variants, keyword
//! escaping) and escaping of description text for rustdoc and Markdown.

/// Rust keywords (2024 edition, strict and reserved) that need `r#` or a suffix as identifiers.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

const DIGITS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// An identifier as Rust source spells it: the name plus whether it needs `r#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RustIdent {
    /// The name without any `r#` prefix.
    pub(crate) name: String,
    /// Whether it is a keyword written as a raw identifier.
    pub(crate) raw: bool,
}

impl RustIdent {
    /// The identifier as source text (`r#type`, `value`).
    #[cfg(test)]
    pub(crate) fn source(&self) -> String {
        if self.raw {
            format!("r#{}", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// Splits `text` into words at separators, lower-to-upper changes, digit-to-upper changes,
/// and the end of an acronym (`DSecure` -> `D`, `Secure`).
fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = current.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase())));
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Replaces a leading digit with its English word, so `3DS` can become `three_ds`.
fn spell_leading_digit(words: &mut [String]) {
    if let Some(first) = words.first_mut()
        && let Some(d) = first.chars().next().and_then(|c| c.to_digit(10))
    {
        let rest = first[1..].to_owned();
        let digit = usize::try_from(d).unwrap_or_default();
        *first = if rest.is_empty() {
            DIGITS[digit].to_owned()
        } else {
            format!("{}_{rest}", DIGITS[digit])
        };
    }
}

/// `CardNumber` -> `card_number`, `3DSecureUrl` -> `three_d_secure_url`, `type` -> `r#type`.
pub(crate) fn field_ident(wire: &str) -> RustIdent {
    let mut parts: Vec<String> = words(wire).iter().map(|w| w.to_ascii_lowercase()).collect();
    spell_leading_digit(&mut parts);
    let name = if parts.is_empty() {
        "field".to_owned()
    } else {
        parts.join("_")
    };
    escape(name)
}

/// `mb_way` -> `MbWay`, `IDENTITY_PROOF` -> `IdentityProof`, `MasterCard` -> `MasterCard`,
/// `1D` -> `OneD`.
pub(crate) fn pascal(text: &str) -> String {
    let mut parts = words(text);
    spell_leading_digit(&mut parts);
    let mut out = String::new();
    for word in parts.iter().flat_map(|w| w.split('_')) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = chars.collect();
            let uniform = rest.chars().all(|c| !c.is_ascii_lowercase())
                || rest.chars().all(|c| !c.is_ascii_uppercase());
            if uniform {
                out.push_str(&rest.to_ascii_lowercase());
            } else {
                out.push_str(&rest);
            }
        }
    }
    if out.is_empty() {
        "Value".to_owned()
    } else {
        out
    }
}

fn escape(name: String) -> RustIdent {
    if NOT_RAW.contains(&name.as_str()) {
        RustIdent {
            name: format!("{name}_"),
            raw: false,
        }
    } else {
        let raw = KEYWORDS.contains(&name.as_str());
        RustIdent { name, raw }
    }
}

/// Whether `name` is usable as a type name as it is (component schema names are).
pub(crate) fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && !KEYWORDS.contains(&name)
}

/// Description text made safe for rustdoc: Markdown metacharacters that would start links,
/// HTML tags or emphasis are escaped, and bare URLs are put in angle brackets.
pub(crate) fn doc_text(text: &str) -> String {
    // Backslash escapes do not apply inside code spans, so only the text between them is
    // escaped.
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.to_owned()
            } else {
                doc_prose(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

fn doc_prose(text: &str) -> String {
    let mut out = String::new();
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let url_start = token.find("https://").or_else(|| token.find("http://"));
        match url_start {
            Some(start) => {
                let (before, url) = token.split_at(start);
                let end = url.trim_end_matches(['.', ',', ';', ')', ':']).len();
                out.push_str(&escape_markdown(before));
                out.push('<');
                out.push_str(&url[..end]);
                out.push('>');
                out.push_str(&escape_markdown(&url[end..]));
            }
            None => out.push_str(&escape_markdown(token)),
        }
    }
    out
}

fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']' | '<' | '>' | '*' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for a Markdown table cell: one line, pipes escaped.
pub(crate) fn table_cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_snake_case_and_escaped() {
        let cases = [
            ("CardNumber", "card_number"),
            ("value", "value"),
            ("3DS", "three_ds"),
            ("3DSecureUrl", "three_d_secure_url"),
            ("expiresIn", "expires_in"),
            ("ClientIp", "client_ip"),
            ("phone_indicative", "phone_indicative"),
            ("payToId", "pay_to_id"),
            ("Idempotency-Key", "idempotency_key"),
        ];
        for (wire, rust) in cases {
            assert_eq!(field_ident(wire).source(), rust, "{wire}");
        }
        assert_eq!(field_ident("type").source(), "r#type");
        assert_eq!(field_ident("self").source(), "self_");
    }

    #[test]
    fn variants_are_pascal_case() {
        let cases = [
            ("mb_way", "MbWay"),
            ("IDENTITY_PROOF", "IdentityProof"),
            ("MasterCard", "MasterCard"),
            ("VISA", "Visa"),
            ("1D", "OneD"),
            ("2W", "TwoW"),
            ("cc", "Cc"),
            ("ok", "Ok"),
            ("true", "True"),
        ];
        for (value, variant) in cases {
            assert_eq!(pascal(value), variant, "{value}");
        }
    }

    #[test]
    fn docs_escape_markdown_and_wrap_urls() {
        assert_eq!(
            doc_text("See https://x.example/a. Use [x] <resource>, a*b"),
            "See <https://x.example/a>. Use \\[x\\] \\<resource\\>, a\\*b"
        );
        assert_eq!(doc_text("\\n for line breaks"), "\\\\n for line breaks");
        assert_eq!(
            doc_text("pattern `^[0-9]+$` or [x]"),
            "pattern `^[0-9]+$` or \\[x\\]"
        );
    }
}
