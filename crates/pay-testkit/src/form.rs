//! `application/x-www-form-urlencoded` encoding and decoding, as PHP and browsers write
//! it: for provider fakes that read form requests and send form notifications.
//!
//! ```
//! use pay_testkit::form;
//!
//! let body = form::encode([("Amount", "12.50"), ("Note", "a&b c")]);
//! assert_eq!(body, "Amount=12.50&Note=a%26b+c");
//! assert_eq!(form::decode(&body)[1], ("Note".to_owned(), "a&b c".to_owned()));
//! ```

/// Decodes `a=1&b=x%20y` into pairs, in order. `+` is a space; malformed escapes are kept
/// as written; a pair without `=` has an empty value; empty pairs are skipped.
pub fn decode(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

/// Encodes pairs; every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`) is escaped,
/// and a space becomes `+`. The body is written into one buffer.
pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode(k.as_ref(), &mut out);
        out.push('=');
        percent_encode(v.as_ref(), &mut out);
    }
    out
}

fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            other => {
                out.push('%');
                out.push(char::from(HEX[usize::from(other >> 4)]));
                out.push(char::from(HEX[usize::from(other & 0x0f)]));
            }
        }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                bytes.get(i + 1).and_then(hex),
                bytes.get(i + 2).and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: &u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_php_style_forms() {
        assert_eq!(
            decode("Amount=1250&Client%5BEmail%5D=a%40b.c&Note=two+words&Flag&&Bad=%zz%4"),
            vec![
                ("Amount".to_owned(), "1250".to_owned()),
                ("Client[Email]".to_owned(), "a@b.c".to_owned()),
                ("Note".to_owned(), "two words".to_owned()),
                ("Flag".to_owned(), String::new()),
                ("Bad".to_owned(), "%zz%4".to_owned()),
            ]
        );
        assert_eq!(encode([("a b", "é&=")]), "a+b=%C3%A9%26%3D");
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(pairs in prop::collection::vec(("\\PC{1,12}", "\\PC{0,20}"), 0..6)) {
            let text = encode(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            prop_assert_eq!(decode(&text), pairs);
        }
    }
}
