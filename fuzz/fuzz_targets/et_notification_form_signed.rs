//! Easytransac form notifications signed with arbitrary fields: the input is a form
//! body (decoded leniently into pairs), signed correctly with the API key and encoded
//! again, so `verify` passes and `parse` runs on arbitrary content. A leading `!` sends
//! it without a `Content-Type`. Asserts what `et_notification` asserts (a signed body
//! may still be refused, when its fields read back differently, never with a panic).
#![no_main]

use pay_fuzz::{
    easytransac_client, easytransac_verify_and_parse, form_pairs, signed_form, webhook,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (headers, data) = match data.strip_prefix(b"!") {
        Some(rest) => (Vec::new(), rest),
        None => (
            vec![(
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
            data,
        ),
    };
    let (body, _signed) = signed_form(form_pairs(data));
    easytransac_verify_and_parse(easytransac_client(), &webhook(headers, &body));
});
