//! Easytransac V1 answers through the client, against the loopback server: V1 hooks
//! (the `Code` head, ApiError codes), the answer's signature, `Result` decoding, and the
//! neutral `get_payment` mapping (head `call: neutral`) or the raw V1 status call. The
//! head gives the answer's `status` and `content-type`; with `sign: yes` the body is the
//! `Result` of an answer signed with the API key. Asserts that every call returns a
//! value or a `PayError` (with a message), never a panic.
#![no_main]

use std::sync::OnceLock;

use pay_core::{CallOptions, Payments, ProviderPaymentId};
use pay_easytransac::{EasytransacClient, RawSafety};
use pay_fuzz::loopback::{self, content_type, server, status};
use pay_fuzz::{Framed, api_key, typed};
use pay_signing::easytransac::{Params, sign};

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
    let body = if input.get("sign") == Some("yes") {
        let result = String::from_utf8_lossy(input.body);
        match Params::from_json_str(&result)
            .ok()
            .and_then(|p| sign(&p, &api_key()).ok())
        {
            Some(signature) => format!(
                "{{\"Code\":0,\"Signature\":\"{}\",\"Result\":{result}}}",
                signature.as_str()
            )
            .into_bytes(),
            None => input.body.to_vec(),
        }
    } else {
        input.body.to_vec()
    };
    let server = server();
    server.answer(
        status(input.number("status", 200)),
        content_type(input.get("content-type")),
        &body,
    );
    let options = CallOptions::new();
    let outcome = if input.get("call") == Some("neutral") {
        let id = ProviderPaymentId::new("ET000001").expect("an id");
        server
            .block_on(client.get_payment(&id, &options))
            .map(|_| ())
    } else {
        server
            .block_on(client.raw().v1(
                "/api/payment/status",
                &[("Tid", "ET000001")],
                RawSafety::Read,
                None,
                &options,
            ))
            .map(|_| ())
    };
    if let Err(e) = outcome {
        let _ = typed(&e);
    }
});
