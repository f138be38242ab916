//! Easytransac V2 token answers through the client: the input is the answer to
//! `POST /v2/auth` (`token`, `expiresIn`), then one V2 call, answered 401 so the client
//! drops its token and fetches the input's before its one retry. Asserts that every
//! call ends in a value or a `PayError`, and that a call which fetched no token failed
//! with `Authentication` before sending anything (a cached token that cannot be a
//! header; the client is then replaced, as the property does).
#![no_main]

use std::sync::{Mutex, OnceLock, PoisonError};

use pay_core::{CallOptions, ErrorKind};
use pay_easytransac::{EasytransacClient, RawSafety};
use pay_fuzz::loopback::{self, server};
use pay_fuzz::typed;

fn client() -> &'static Mutex<EasytransacClient> {
    static CLIENT: OnceLock<Mutex<EasytransacClient>> = OnceLock::new();
    CLIENT.get_or_init(|| {
        server().answer(
            401,
            "application/json",
            br#"{"success":false,"detail":"expired"}"#,
        );
        Mutex::new(loopback::easytransac_client())
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let cell = client();
    let current = cell.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let server = server();
    server.answer_token(data);
    let before = current.token_requests();
    let outcome = server.block_on(current.raw().v2(
        "/v2/anything",
        &[],
        None,
        RawSafety::Read,
        &CallOptions::new(),
    ));
    let fetched = current.token_requests() - before;
    if let Err(e) = &outcome {
        let _ = typed(e);
    }
    if fetched == 0 {
        let stuck = matches!(&outcome, Err(e) if matches!(e.kind(), ErrorKind::Authentication) && e.http_status().is_none());
        assert!(stuck, "no token was fetched: {:?}", outcome.err());
        *cell.lock().unwrap_or_else(PoisonError::into_inner) = loopback::easytransac_client();
    }
});
