//! Easytransac's signature canonicalisation over arbitrary form fields: the input is a
//! form body (PHP-style names such as `Client[Id]`, `List[]`, deeper nesting, empty
//! bases), decoded leniently into pairs, then `Params::from_form`, `verify_notification`,
//! `sign`, `verify` and `canonical_string`. Asserts that what `sign` signs verifies,
//! that an upper-cased signature does not (unless it has no letter), and that the
//! canonical string ends with the API key.
#![no_main]

use pay_fuzz::{API_KEY, api_key, form_pairs};
use pay_signing::easytransac::{Params, canonical_string, sign, verify, verify_notification};
use secrecy::ExposeSecret;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let key = api_key();
    let Ok(params) = Params::from_form(&form_pairs(data)) else {
        return;
    };
    let _ = verify_notification(&params, &key);
    if let Ok(signature) = sign(&params, &key) {
        assert!(verify(&params, &key, signature.as_str()).is_ok());
        assert!(
            verify(&params, &key, &signature.as_str().to_uppercase()).is_err()
                || !signature.as_str().bytes().any(|b| b.is_ascii_alphabetic())
        );
        let canonical = canonical_string(&params, &key).expect("signed, so canonical");
        assert!(canonical.expose_secret().ends_with(API_KEY));
    }
});
