//! `pay_signing::easytransac::verify_response` over V1 answer bodies: the input as an
//! answer, as it is (any outcome, no panic), and the input as the `Result` of an answer
//! signed with the API key, which must verify whenever its fields can be signed.
#![no_main]

use pay_fuzz::api_key;
use pay_signing::easytransac::{Params, sign, verify_response};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let key = api_key();
    let text = String::from_utf8_lossy(data);
    let _ = verify_response(&text, &key);
    // The input as `Result`: `{"Code":0,"Signature":…,"Result":<input>}`.
    let Some(signature) = Params::from_json_str(&text)
        .ok()
        .and_then(|p| sign(&p, &key).ok())
    else {
        return;
    };
    let answer = format!(
        "{{\"Code\":0,\"Signature\":\"{}\",\"Result\":{text}}}",
        signature.as_str()
    );
    let verified = verify_response(&answer, &key);
    assert!(verified.is_ok(), "{:?}", verified.err());
});
