//! `EasypayHooks` reading arbitrary answers: `classify` and `decode_error` for the
//! operation the head's `operation` picks (an index into `wire::OPERATIONS`), with the
//! head's `status` (100–999), `retry` (the `X-Easypay-Should-Retry` header, absent when
//! not given or not a header value) and `advice` (`true`, `false` or none), and the body
//! as the answer's bytes. Asserts no panic: both return plain values.
#![no_main]

use std::sync::OnceLock;

use pay_easypay::{AccountId, ApiKey, EasypayHooks, wire};
use pay_fuzz::Framed;
use pay_http::header::{HeaderMap, HeaderName, HeaderValue};
use pay_http::{Answer, Hooks};

fn hooks() -> &'static EasypayHooks {
    static HOOKS: OnceLock<EasypayHooks> = OnceLock::new();
    HOOKS.get_or_init(|| EasypayHooks::new(AccountId::new("acct"), ApiKey::new("key")))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let input = Framed::new(data);
    let status = u16::try_from(100 + input.number("status", 100) % 900).unwrap_or(200);
    let mut headers = HeaderMap::new();
    if let Some(value) = input
        .get("retry")
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(HeaderName::from_static("x-easypay-should-retry"), value);
    }
    let advice = match input.get("advice") {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let index = usize::try_from(input.number("operation", 0)).unwrap_or(0);
    let operation = &wire::OPERATIONS[index % wire::OPERATIONS.len()];
    let answer = Answer::new(status, &headers, input.body, advice);
    let _ = hooks().classify(operation, &answer);
    let _ = hooks().decode_error(operation, &answer);
});
