//! Easytransac PUSH notifications before verification: the input's head is the
//! request's headers (`Content-Type` form, JSON, other or none, and any others) and its
//! body the notification, into `Webhooks::verify`, then `parse`, `parse_notification`,
//! `notification_extra_fields` and `event_of`. Asserts that every failure is a typed
//! rejection (`parse` failing only as `Malformed`) and that a parsed event has an id.
#![no_main]

use pay_fuzz::{Framed, easytransac_client, easytransac_verify_and_parse, webhook};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let input = Framed::new(data);
    easytransac_verify_and_parse(easytransac_client(), &webhook(input.head, input.body));
});
