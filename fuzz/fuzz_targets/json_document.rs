//! `pay_signing::json::Document::read`, the one-pass reader every Easytransac V1 answer
//! goes through: on any UTF-8 input, at one, three and all levels, it never accepts what
//! `serde_json` refuses, and what it accepts reads as `serde_json` reads it (names,
//! decoded strings, numbers and literals, repeated names the last winning).
#![no_main]

use pay_signing::json::{Document, Kind, Node};
use serde_json::Value;
use serde_json::value::RawValue;

/// The document's reading of `node` as a `serde_json::Value`.
fn value_of(document: &Document<'_>, node: &Node<'_>) -> Value {
    match node.kind() {
        Kind::Str { .. } => Value::String(node.string().unwrap_or_default().into_owned()),
        Kind::Object(_) => {
            let mut map = serde_json::Map::new();
            for member in document.members(node).unwrap_or_default() {
                map.insert(
                    member.key().into_owned(),
                    value_of(document, member.value()),
                );
            }
            Value::Object(map)
        }
        Kind::Array(_) => Value::Array(
            document
                .items(node)
                .map(|items| items.map(|item| value_of(document, item)).collect())
                .unwrap_or_default(),
        ),
        _ => serde_json::from_str(node.raw()).unwrap_or(Value::Null),
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for levels in [1, 3, usize::MAX] {
        let Some(document) = Document::read(text, levels) else {
            continue;
        };
        assert!(
            serde_json::from_str::<&RawValue>(text).is_ok(),
            "accepted what serde_json refuses: {text:?}"
        );
        if let Ok(theirs) = serde_json::from_str::<Value>(text) {
            let mut ours = serde_json::Map::new();
            for member in document.root() {
                ours.insert(
                    member.key().into_owned(),
                    value_of(&document, member.value()),
                );
            }
            assert_eq!(Value::Object(ours), theirs, "{text:?}");
        }
    }
});
