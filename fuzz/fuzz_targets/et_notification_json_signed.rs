//! Easytransac JSON notifications signed with arbitrary fields: the input is a JSON
//! object text, signed correctly with the API key (a `"Signature"` member spliced in
//! before its closing brace), so `verify` passes and `parse` runs on arbitrary content.
//! A leading `!` sends it without a `Content-Type`. Asserts what `et_notification`
//! asserts; a signed body that is refused must be one the JSON decoder reads
//! differently (a duplicate `Signature` member, say), never a panic.
#![no_main]

use pay_fuzz::{easytransac_client, easytransac_verify_and_parse, signed_json, webhook};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (headers, data) = match data.strip_prefix(b"!") {
        Some(rest) => (Vec::new(), rest),
        None => (
            vec![("Content-Type".to_owned(), "application/json".to_owned())],
            data,
        ),
    };
    let (body, _signed) = signed_json(&String::from_utf8_lossy(data));
    easytransac_verify_and_parse(easytransac_client(), &webhook(headers, &body));
});
