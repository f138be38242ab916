//! Easytransac V2 answers through the client (`pull`), against the loopback server: the
//! `{success, date, data}` envelope, error bodies (`detail`), `data` decoding and the
//! PULL event. The head gives the answer's `status` and `content-type`, the body its
//! bytes. Asserts that every call returns an event or a `PayError` (with a message).
#![no_main]

use std::sync::OnceLock;

use pay_core::CallOptions;
use pay_easytransac::EasytransacClient;
use pay_fuzz::loopback::{self, content_type, server, status};
use pay_fuzz::{Framed, typed};

fn client() -> &'static EasytransacClient {
    static CLIENT: OnceLock<EasytransacClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        server().answer_token(&loopback::easytransac_token_answer());
        loopback::easytransac_client()
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let client = client();
    let input = Framed::new(data);
    let server = server();
    server.answer(
        status(input.number("status", 200)),
        content_type(input.get("content-type")),
        input.body,
    );
    let options = CallOptions::new();
    if let Err(e) = server.block_on(client.pull("QWER-TYUI-OP12", &options)) {
        let _ = typed(&e);
    }
});
