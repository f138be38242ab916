//! Fixture loading: always from the repository's `fixtures/`, never from outside the clone.

use std::path::PathBuf;

pub(crate) fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(relative)
}

pub(crate) fn fixture(relative: &str) -> String {
    let path = fixture_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub(crate) fn fixture_json(relative: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(relative))
        .unwrap_or_else(|e| panic!("{relative} is not JSON: {e}"))
}

pub(crate) fn str_of<'a>(value: &'a serde_json::Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` is not a string in {value}"))
}
