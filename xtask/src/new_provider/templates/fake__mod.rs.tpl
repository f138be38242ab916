//! The fake {title} server: [`{title}Fake`], a stateful [`FakeProvider`] on the generated route
//! table and request checks (`crate::generated::{name}`), written by
//! `cargo xtask new-provider {name}` and to be grown with the provider's documented behaviour.
//!
//! Every request goes through the generated tables in the order the real API is assumed to
//! check: route (404), authentication (401), path parameters, body (shape and documented
//! constraints, then fields the description does not list), query (400), then the
//! operation itself.
//!
//! - Auth: `Authorization: Bearer <key>` on every operation with security, the key given to
//!   [`{title}Fake::new`] ([`TEST_API_KEY`] by default).
//! - Payments are paid at once (status `paid`), so the conformance kit's factory payment
//!   completes; INFERRED placeholder behaviour until the provider's sandbox rules are known.
//! - Errors are `{"code": "...", "message": "..."}` (placeholder shape).

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::generated::{name} as wire;
use crate::generated::{RequestRejection, RouteMatch};
use crate::provider::{
    Context, FakeProvider, FakeRequest, FakeResponse, Resource, ResourceKind, Snapshot,
};

/// The API key [`{title}Fake::default`] accepts.
pub const TEST_API_KEY: &str = "sk_test_{name}";

/// What `pay-testkit serve --provider {name}` serves.
pub const SERVE: crate::registry::Entry = crate::registry::Entry {
    name: "{name}",
    description: "{title} API (scaffold; API key: sk_test_{name})",
    client_path: "",
    make: || Box::new({title}Fake::default()),
    serve: |_notify_url, _clock| Box::new({title}Fake::default()),
};

/// The stateful fake {title} API. See the [module docs](self) for what it models.
///
/// `Debug` shows no key and no state.
pub struct {title}Fake {
    api_key: String,
    payments: Mutex<Vec<wire::Payment>>,
}

impl fmt::Debug for {title}Fake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("{title}Fake").finish_non_exhaustive()
    }
}

impl Default for {title}Fake {
    fn default() -> Self {
        Self::new(TEST_API_KEY)
    }
}

impl {title}Fake {
    /// A fake accepting `api_key`, with no payments.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            payments: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<wire::Payment>> {
        self.payments.lock().unwrap_or_else(PoisonError::into_inner)
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

    fn execute(&self, request: &FakeRequest, found: &RouteMatch) -> FakeResponse {
        match found.operation.id {
            "payment_create" => {
                let Ok(body) = serde_json::from_slice::<wire::PaymentCreateRequest>(request.body())
                else {
                    return error(400, "invalid_request", "malformed body");
                };
                let mut payments = self.lock();
                let payment = wire::Payment::new(
                    format!("pay_{}", payments.len() + 1),
                    body.amount,
                    body.currency,
                    body.reference,
                    wire::PaymentStatus::Paid,
                );
                payments.push(payment.clone());
                json(201, &payment)
            }
            "payment_get" => {
                let id = found.param("id").unwrap_or_default();
                match self.lock().iter().find(|p| p.id == id) {
                    Some(payment) => json(200, payment),
                    None => error(404, "not_found", "no such payment"),
                }
            }
            _ => error(404, "not_found", "not found"),
        }
    }
}

impl FakeProvider for {title}Fake {
    fn name(&self) -> &'static str {
        "{name}"
    }

    fn operation(&self, request: &FakeRequest) -> Option<&'static str> {
        wire::route(request.method(), request.path()).map(|found| found.operation.id)
    }

    fn handle(&self, request: &FakeRequest, _ctx: &Context<'_>) -> FakeResponse {
        let Some(found) = wire::route(request.method(), request.path()) else {
            return error(404, "not_found", "not found");
        };
        match self.check(request, &found) {
            Ok(()) => self.execute(request, &found),
            Err(answer) => answer,
        }
    }

    fn error_response(&self, status: u16) -> FakeResponse {
        error(status, "error", "injected fault")
    }

    fn snapshot(&self) -> Snapshot {
        let mut snapshot = Snapshot::new();
        for payment in self.lock().iter() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn send(fake: &{title}Fake, request: FakeRequest) -> FakeResponse {
        let clock = pay_core::SystemClock;
        let webhooks = crate::Webhooks::new(std::sync::Arc::new(clock));
        let ctx = Context::new(&clock, &webhooks, "http://127.0.0.1:1");
        fake.handle(&request, &ctx)
    }

    fn authorised(method: &str, target: &str) -> FakeRequest {
        FakeRequest::new(method, target).with_header("authorization", "Bearer sk_test_{name}")
    }

    #[test]
    fn requests_are_checked_in_order() {
        let fake = {title}Fake::default();
        assert_eq!(send(&fake, authorised("GET", "/nowhere")).status(), 404);
        assert_eq!(send(&fake, FakeRequest::new("GET", "/payments/x")).status(), 401);
        let create = |body: &str| {
            authorised("POST", "/payments")
                .with_header("content-type", "application/json")
                .with_body(body.as_bytes().to_vec())
        };
        let bad = send(&fake, create(r#"{"amount":0,"currency":"EUR","reference":"r"}"#));
        assert_eq!(bad.status(), 400);
        assert!(String::from_utf8_lossy(bad.body()).contains("amount"));
        let extra = r#"{"amount":100,"currency":"EUR","reference":"r","colour":"red"}"#;
        let unknown = send(&fake, create(extra));
        assert!(String::from_utf8_lossy(unknown.body()).contains("colour"));
        let made = send(&fake, create(r#"{"amount":100,"currency":"EUR","reference":"r"}"#));
        assert_eq!(made.status(), 201);
        assert_eq!(send(&fake, authorised("GET", "/payments/pay_1")).status(), 200);
        assert_eq!(send(&fake, authorised("GET", "/payments/pay_2")).status(), 404);
        assert_eq!(fake.snapshot().resources().len(), 1);
    }
}
