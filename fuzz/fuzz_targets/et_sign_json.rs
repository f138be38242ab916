//! Easytransac's signature canonicalisation over arbitrary JSON: the input, as text, into
//! `Params::from_json_str` (document order), then `verify_notification`, `sign` and
//! `verify`. Asserts that what `sign` signs verifies.
#![no_main]

use pay_fuzz::api_key;
use pay_signing::easytransac::{Params, sign, verify, verify_notification};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let key = api_key();
    let text = String::from_utf8_lossy(data);
    let Ok(params) = Params::from_json_str(&text) else {
        return;
    };
    let _ = verify_notification(&params, &key);
    if let Ok(signature) = sign(&params, &key) {
        assert!(verify(&params, &key, signature.as_str()).is_ok());
    }
});
