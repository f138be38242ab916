//! Easypay answers through the client, against the loopback server: `EasypayHooks`, the
//! typed read (`single().get`, head `call: 2`) and the neutral reads (`get_payment`,
//! `call: 0`, the default; `get_refund`, `call: 1`). The head gives the answer's
//! `status` and `content-type`, the body its bytes. Asserts that every call returns a
//! value or a `PayError` (with a message).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use pay_core::{CallOptions, Payments, ProviderPaymentId, ProviderRefundId, Refunds, RetryPolicy};
use pay_easypay::{AccountId, ApiKey, EasypayClient, PaymentId};
use pay_fuzz::loopback::{content_type, server, status};
use pay_fuzz::{Framed, typed};

const UUID: &str = "0b2e2669-b66b-4284-8b7b-537801483de2";

fn client() -> &'static EasypayClient {
    static CLIENT: OnceLock<EasypayClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
            .base_url(format!("{}/2.0", server().url()))
            .retry_policy(RetryPolicy::none())
            .attempt_timeout(Duration::from_secs(5))
            .build()
            .expect("a client")
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
    let outcome = server.block_on(async {
        match input.number("call", 0) % 3 {
            0 => {
                let id = ProviderPaymentId::new(UUID).expect("an id");
                client.get_payment(&id, &options).await.map(|_| ())
            }
            1 => {
                let id = ProviderRefundId::new(UUID).expect("an id");
                client.get_refund(&id, &options).await.map(|_| ())
            }
            _ => {
                let id = PaymentId::new(UUID).expect("an id");
                client.single().get(&id, &options).await.map(|_| ())
            }
        }
    });
    if let Err(e) = outcome {
        let _ = typed(&e);
    }
});
