//! Easypay notifications with the right credentials and arbitrary bodies (the input):
//! Basic `hooks:s3cret`, or (input starting with `!`) a client expecting the secret
//! header `X-Hook-Secret: hunter2`. Asserts that the right credentials are accepted,
//! then that `parse` either yields an event with an id or refuses as `Malformed`.
#![no_main]

use std::sync::OnceLock;

use pay_easypay::{AccountId, ApiKey, EasypayClient, NotificationAuth};
use pay_fuzz::{Reached, easypay_verify_and_parse, webhook};

/// `Basic base64("hooks:s3cret")`.
const BASIC: &str = "Basic aG9va3M6czNjcmV0";

fn client(auth: NotificationAuth) -> EasypayClient {
    EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
        .notification_auth(auth)
        .build()
        .expect("a client")
}

fn clients() -> &'static (EasypayClient, EasypayClient) {
    static CLIENTS: OnceLock<(EasypayClient, EasypayClient)> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        (
            client(NotificationAuth::basic("hooks", "s3cret")),
            client(NotificationAuth::header("X-Hook-Secret", "hunter2")),
        )
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (basic, header) = clients();
    let (client, headers, body) = match data.strip_prefix(b"!") {
        Some(body) => (
            header,
            vec![("x-hook-secret".to_owned(), "hunter2".to_owned())],
            body,
        ),
        None => (
            basic,
            vec![("authorization".to_owned(), BASIC.to_owned())],
            data,
        ),
    };
    let reached = easypay_verify_and_parse(client, &webhook(headers, body));
    assert_ne!(reached, Reached::Refused, "right credentials refused");
});
