//! Easypay notifications before authentication: the input's head is the request's
//! headers (an `Authorization` that is absent, right, nearly right or anything, and any
//! others) and its body the notification, into `Webhooks::verify` of a client expecting
//! Basic credentials, then `parse`. Asserts that every failure is a typed rejection
//! (`parse` failing only as `Malformed`) and that a parsed event has an id.
#![no_main]

use std::sync::OnceLock;

use pay_easypay::{AccountId, ApiKey, EasypayClient, NotificationAuth};
use pay_fuzz::{Framed, easypay_verify_and_parse, webhook};

fn client() -> &'static EasypayClient {
    static CLIENT: OnceLock<EasypayClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
            .notification_auth(NotificationAuth::basic("hooks", "s3cret"))
            .build()
            .expect("a client")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let input = Framed::new(data);
    easypay_verify_and_parse(client(), &webhook(input.head, input.body));
});
