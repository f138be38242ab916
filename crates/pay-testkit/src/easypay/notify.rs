//! The three notifications Easypay sends (easypay.md §5): generic, authorisation and
//! transaction, queued in the server's outbox to the URLs of `PATCH /config`.

use crate::easypay::json::{self, Obj};
use crate::easypay::state::{AccountConfig, Capture, Payment};
use crate::webhook::{Notification, Webhooks};

/// What a handler needs besides the state: time, identity, where to queue notifications.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    /// Now, unix seconds, by the fake's clock.
    pub(crate) now: i64,
    /// The account's `AccountId`.
    pub(crate) account: &'a str,
    /// The server's base URL (for 3-D Secure and card-form links).
    pub(crate) base_url: &'a str,
    /// The outbox.
    pub(crate) webhooks: &'a Webhooks,
    /// `Authorization: Basic …` for notifications, when configured.
    pub(crate) basic: Option<&'a str>,
}

fn push(env: &Env<'_>, url: Option<&String>, body: String) {
    let Some(url) = url else {
        return;
    };
    let mut notification =
        Notification::post(url.clone(), body).with_header("content-type", "application/json");
    if let Some(basic) = env.basic {
        notification = notification.with_header("authorization", basic);
    }
    env.webhooks.push(notification);
}

/// A generic notification: `{id, key, type, status, messages, date}`.
pub(crate) fn generic(
    config: &AccountConfig,
    env: &Env<'_>,
    id: &str,
    key: Option<&str>,
    kind: &str,
    success: bool,
    message: &str,
) {
    let body = Obj::new()
        .str("id", id)
        .opt_str("key", key)
        .str("type", kind)
        .str("status", if success { "success" } else { "failed" })
        .raw("messages", &json::strings(&[message]))
        .str("date", &json::datetime(env.now))
        .done();
    push(env, config.generic.as_ref(), body);
}

fn customer_ref(payment: &Payment) -> String {
    Obj::new()
        .str("id", &payment.customer_id)
        .opt_str("phone", payment.phone.as_deref())
        .done()
}

/// An authorisation notification for `payment`'s authorisation `authorisation_id`.
pub(crate) fn authorisation(
    config: &AccountConfig,
    env: &Env<'_>,
    payment: &Payment,
    authorisation_id: &str,
    value: i64,
) {
    let body = Obj::new()
        .str("id", &payment.id)
        .amount("value", value)
        .str("currency", &payment.currency)
        .opt_str("key", payment.key.as_deref())
        .opt_str("expiration_time", payment.expiration_time.as_deref())
        .raw("customer", &customer_ref(payment))
        .str("method", &payment.method.to_ascii_uppercase())
        .raw("account", &Obj::new().str("id", env.account).done())
        .raw(
            "authorisation",
            &Obj::new().str("id", authorisation_id).done(),
        )
        .done();
    push(env, config.authorisation.as_ref(), body);
}

/// A transaction notification for a successful capture; amounts as strings, fees zero
/// (INFERRED: the fake charges no fees).
pub(crate) fn transaction(
    config: &AccountConfig,
    env: &Env<'_>,
    payment: &Payment,
    capture: &Capture,
) {
    let paid = crate::present::decimal_text(capture.value);
    let values = Obj::new()
        .str("requested", &paid)
        .str("paid", &paid)
        .str("fixed_fee", "0.00")
        .str("variable_fee", "0.00")
        .str("tax", "0.00")
        .str("transfer", &paid)
        .done();
    let transaction = Obj::new()
        .str("id", &capture.id)
        .opt_str("key", capture.transaction_key.as_deref())
        .str("type", "capture")
        .str("date", &json::iso(capture.created_at))
        .raw("values", &values)
        .done();
    let body = Obj::new()
        .str("id", &payment.id)
        .str("value", &paid)
        .str("currency", &payment.currency)
        .opt_str("key", payment.key.as_deref())
        .opt_str("expiration_time", payment.expiration_time.as_deref())
        .str("method", &payment.method.to_ascii_uppercase())
        .raw("customer", &customer_ref(payment))
        .raw("account", &Obj::new().str("id", env.account).done())
        .raw("transaction", &transaction)
        .done();
    push(env, config.transaction.as_ref(), body);
}
