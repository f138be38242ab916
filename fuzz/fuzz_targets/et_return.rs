//! Returns to `ReturnUrl` into `EasytransacClient::verify_return`, then `event_of`. The
//! head's `mode` picks the body: `form` (the body's fields signed as a form), `json`
//! (the body's JSON object signed), or anything else (the body as it is, posted as a
//! form). Asserts that every failure is a typed rejection.
#![no_main]

use pay_fuzz::{
    Framed, easytransac_client, form_pairs, rejection, signed_form, signed_json, webhook,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let input = Framed::new(data);
    let (body, content_type) = match input.get("mode") {
        Some("form") => (
            signed_form(form_pairs(input.body)).0,
            "application/x-www-form-urlencoded",
        ),
        Some("json") => (
            signed_json(&String::from_utf8_lossy(input.body)).0,
            "application/json",
        ),
        _ => (input.body.to_vec(), "application/x-www-form-urlencoded"),
    };
    let client = easytransac_client();
    let raw = webhook(
        vec![("Content-Type".to_owned(), content_type.to_owned())],
        &body,
    );
    match client.verify_return(&raw) {
        Ok(n) => {
            let _ = client.event_of(&n);
        }
        Err(e) => {
            let _ = rejection(&e);
        }
    }
});
