//! The fake Quill server: [`QuillFake`], a stateful [`FakeProvider`] on the generated route
//! table and request checks (`crate::generated::quill`), grown from the scaffold of
//! `cargo xtask new-provider quill` with the fictional provider's behaviour (the worked
//! example of `docs/adding-a-provider.md`).
//!
//! Every request goes through the generated tables in the order the real API is assumed to
//! check: route (404), authentication (401), path parameters, body (shape and documented
//! constraints, then fields the description does not list), query (400), then the
//! operation itself.
//!
//! - Auth: `Authorization: Bearer <key>`, the key given to [`QuillFake::new`]
//!   ([`TEST_API_KEY`] by default).
//! - Payments are paid at once, or `authorized` with `capture: false`; the amount 9999 (in
//!   minor units) is declined: the payment exists with status `failed` (the description's
//!   `x-sandbox` magic value).
//! - Cancelling needs an `authorized` payment (a repeated cancel answers the cancelled
//!   payment again, with no new notification), refunding a paid one, never beyond what is
//!   left (409 otherwise); refunds succeed at once.
//! - Every change queues a notification to the configured URL, signed with the webhook
//!   secret as `payment_notification`'s `x-signed` states (`pay_signing::hmac`).
//! - Errors are `{"code": "...", "message": "..."}`.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pay_core::Signing;
use pay_core::wire::MinorUnits;
use pay_signing::hmac::{self, HmacKey, Scheme};
use secrecy::SecretString;

use crate::generated::quill as wire;
use crate::generated::{RequestRejection, RouteMatch};
use crate::provider::{
    Context, FakeProvider, FakeRequest, FakeResponse, Resource, ResourceKind, Snapshot,
};
use crate::webhook::Notification;

/// The API key [`QuillFake::default`] accepts.
pub const TEST_API_KEY: &str = "sk_test_quill";
/// The secret [`QuillFake::default`] signs notifications with.
pub const TEST_WEBHOOK_SECRET: &str = "whsec_test_quill";
/// The amount (minor units) the fake declines.
pub const DECLINED_AMOUNT: i64 = 9999;

/// What `pay-testkit serve --provider quill` serves.
pub const SERVE: crate::registry::Entry = crate::registry::Entry {
    name: "quill",
    description: "Quill API, the fictional worked example (API key: sk_test_quill)",
    client_path: "",
    make: || Box::new(QuillFake::default()),
    serve: |notify_url, _clock| {
        let fake = QuillFake::default();
        Box::new(match notify_url {
            Some(url) => fake.notify(url),
            None => fake,
        })
    },
};

/// The stateful fake Quill API. See the [module docs](self) for what it models.
///
/// `Debug` shows no key and no state.
pub struct QuillFake {
    api_key: String,
    webhook_key: HmacKey,
    notify_url: Option<String>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    payments: Vec<wire::Payment>,
    refunds: usize,
    events: usize,
}

impl fmt::Debug for QuillFake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuillFake").finish_non_exhaustive()
    }
}

impl Default for QuillFake {
    fn default() -> Self {
        Self::new(TEST_API_KEY, TEST_WEBHOOK_SECRET)
    }
}

impl QuillFake {
    /// A fake accepting `api_key` and signing notifications with `webhook_secret`, with no
    /// payments.
    ///
    /// # Panics
    /// When `webhook_secret` is empty.
    pub fn new(api_key: impl Into<String>, webhook_secret: &str) -> Self {
        let webhook_key = HmacKey::new(SecretString::from(webhook_secret.to_owned()))
            .expect("a non-empty webhook secret");
        Self {
            api_key: api_key.into(),
            webhook_key,
            notify_url: None,
            state: Mutex::new(State::default()),
        }
    }

    /// Sends a notification to `url` at every change.
    #[must_use]
    pub fn notify(mut self, url: impl Into<String>) -> Self {
        self.notify_url = Some(url.into());
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Route, path, body, unknown fields, query: the checks every operation goes through
    /// before it runs, each answering as the real API would.
    fn check(&self, request: &FakeRequest, found: &RouteMatch) -> Result<(), FakeResponse> {
        let op = found.operation;
        let needs_auth = !op.auth.iter().any(|alternative| alternative.is_empty());
        let bearer = format!("Bearer {}", self.api_key);
        if needs_auth && request.header("authorization") != Some(bearer.as_str()) {
            return Err(error(401, "unauthorized", "missing or wrong API key"));
        }
        wire::check_path(found).map_err(|rejection| rejected(&rejection))?;
        if !op.content_types.is_empty() {
            if let Some(Err(rejection)) = wire::check_request(op.id, request.body()) {
                return Err(rejected(&rejection));
            }
            let unknown = wire::unknown_fields(op.id, request.body());
            if let Some(field) = unknown.first() {
                return Err(error(
                    400,
                    "invalid_request",
                    &format!("unknown field `{field}`"),
                ));
            }
        }
        if let Some(Err(rejection)) = wire::check_query(op.id, &request.query_pairs()) {
            return Err(rejected(&rejection));
        }
        Ok(())
    }

    fn execute(
        &self,
        request: &FakeRequest,
        found: &RouteMatch,
        ctx: &Context<'_>,
    ) -> FakeResponse {
        let mut state = self.lock();
        let id = found.param("id").unwrap_or_default();
        let index = state.payments.iter().position(|p| p.id == id);
        let (status, payment) = match (found.operation.id, index) {
            ("payment_create", _) => {
                let Ok(body) = serde_json::from_slice::<wire::PaymentCreateRequest>(request.body())
                else {
                    return error(400, "invalid_request", "malformed body");
                };
                let status = match (body.amount.0, body.capture) {
                    (DECLINED_AMOUNT, _) => wire::PaymentStatus::Failed,
                    (_, Some(false)) => wire::PaymentStatus::Authorized,
                    _ => wire::PaymentStatus::Paid,
                };
                let id = format!("pay_{}", state.payments.len() + 1);
                let mut payment = wire::Payment::new(
                    id,
                    body.amount,
                    body.currency,
                    body.reference,
                    status,
                    MinorUnits(0),
                );
                if payment.status == wire::PaymentStatus::Failed {
                    payment.failure_code = Some("card_declined".to_owned());
                }
                state.payments.push(payment.clone());
                (201, payment)
            }
            (_, None) => return error(404, "not_found", "no such payment"),
            ("payment_get", Some(i)) => return json(200, &state.payments[i]),
            ("payment_cancel", Some(i)) => {
                let payment = &mut state.payments[i];
                // A repeated cancel answers as the first did (`x-idempotent: true`), so a
                // retry after a lost answer reports the cancellation, not a conflict.
                if payment.status == wire::PaymentStatus::Canceled {
                    return json(200, &*payment);
                }
                if payment.status != wire::PaymentStatus::Authorized {
                    return error(
                        409,
                        "invalid_state",
                        "only an authorized payment can be canceled",
                    );
                }
                payment.status = wire::PaymentStatus::Canceled;
                (200, payment.clone())
            }
            ("refund_create", Some(i)) => {
                let Ok(body) = serde_json::from_slice::<wire::RefundCreateRequest>(request.body())
                else {
                    return error(400, "invalid_request", "malformed body");
                };
                let payment = &mut state.payments[i];
                let left = payment.amount.0 - payment.refunded.0;
                let amount = body.amount.map_or(left, |a| a.0);
                let refundable = matches!(
                    payment.status,
                    wire::PaymentStatus::Paid | wire::PaymentStatus::PartiallyRefunded
                );
                if !refundable || amount > left {
                    return error(
                        409,
                        "invalid_state",
                        "nothing or not that much left to refund",
                    );
                }
                payment.refunded = MinorUnits(payment.refunded.0 + amount);
                payment.status = if amount == left {
                    wire::PaymentStatus::Refunded
                } else {
                    wire::PaymentStatus::PartiallyRefunded
                };
                let (payment_id, currency) = (payment.id.clone(), payment.currency.clone());
                state.refunds += 1;
                let refund = wire::Refund::new(
                    format!("re_{}", state.refunds),
                    payment_id,
                    MinorUnits(amount),
                    currency,
                    wire::RefundStatus::Succeeded,
                );
                let payment = state.payments[i].clone();
                self.notify_change(&mut state, payment, ctx);
                return json(201, &refund);
            }
            _ => return error(404, "not_found", "not found"),
        };
        self.notify_change(&mut state, payment.clone(), ctx);
        json(status, &payment)
    }

    /// Queues the signed notification of `payment`'s new state, when a URL is configured.
    fn notify_change(&self, state: &mut State, payment: wire::Payment, ctx: &Context<'_>) {
        let Some(url) = &self.notify_url else {
            return;
        };
        state.events += 1;
        let event = wire::Notification::new(
            format!("evt_{}", state.events),
            "payment.updated".to_owned(),
            payment,
        );
        let Ok(body) = serde_json::to_vec(&event) else {
            return;
        };
        let scheme = signature_scheme();
        let Ok(signature) = hmac::sign(&self.webhook_key, &scheme, &body) else {
            return;
        };
        let notification = Notification::post(url.clone(), body)
            .with_header("content-type", "application/json")
            .with_header(scheme.header(), &signature);
        ctx.webhooks().push(notification);
    }
}

/// `payment_notification`'s signature scheme, from the generated operation table.
fn signature_scheme() -> Scheme {
    match wire::operation("payment_notification").and_then(|op| op.signed) {
        Some(Signing::Hmac(s)) => {
            Scheme::parse(s.algorithm, s.header, s.encoding, s.covers, s.prefix)
                .expect("the description's scheme is one pay-signing knows (codegen checks it)")
        }
        _ => unreachable!("payment_notification is HMAC-signed in fixtures/quill/api.yaml"),
    }
}

impl FakeProvider for QuillFake {
    fn name(&self) -> &'static str {
        "quill"
    }

    fn operation(&self, request: &FakeRequest) -> Option<&'static str> {
        wire::route(request.method(), request.path()).map(|found| found.operation.id)
    }

    fn handle(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        let Some(found) = wire::route(request.method(), request.path()) else {
            return error(404, "not_found", "not found");
        };
        match self.check(request, &found) {
            Ok(()) => self.execute(request, &found, ctx),
            Err(answer) => answer,
        }
    }

    fn error_response(&self, status: u16) -> FakeResponse {
        error(status, "error", "injected fault")
    }

    fn sensitive_names(&self) -> &'static [&'static str] {
        // The defaults match whole names: `Authorization` is one, `Quill-Signature` is not.
        &["Quill-Signature"]
    }

    fn snapshot(&self) -> Snapshot {
        let mut snapshot = Snapshot::new();
        for payment in &self.lock().payments {
            snapshot.push(Resource::new(
                ResourceKind::Payment,
                payment.id.clone(),
                payment.status.to_string(),
            ));
        }
        snapshot
    }
}

/// `{"code": …, "message": …}` with `status`.
fn error(status: u16, code: &str, message: &str) -> FakeResponse {
    let body = serde_json::json!({ "code": code, "message": message });
    FakeResponse::json(status, body.to_string())
}

/// `value` as a JSON answer.
fn json(status: u16, value: &impl serde::Serialize) -> FakeResponse {
    match serde_json::to_vec(value) {
        Ok(body) => FakeResponse::json(status, body),
        Err(_) => error(500, "internal", "the answer could not be written"),
    }
}

/// A 400 for a rejected path, body or query: the field and rule, never the value.
fn rejected(rejection: &RequestRejection) -> FakeResponse {
    match rejection {
        RequestRejection::Invalid(invalid) => error(400, "invalid_request", &invalid.to_string()),
        RequestRejection::Malformed(_) => error(
            400,
            "invalid_request",
            "the body does not have the documented shape",
        ),
    }
}
