//! [`Ledger`], a toy [`FakeProvider`] for testing the testkit's own machinery and for
//! examples. It is not a payment provider, and the binary never serves it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use pay_core::unix_seconds;

use crate::provider::{
    Context, FakeProvider, FakeRequest, FakeResponse, Resource, ResourceKind, Snapshot,
};
use crate::route::Route;
use crate::webhook::Notification;

/// A toy provider that stores entries. Useful to exercise servers, faults and webhooks
/// without a real provider's rules, and as a webhook receiver in tests (its request log
/// shows what arrived).
///
/// | request | answer |
/// |---|---|
/// | `POST /entries` | 201 `{"id":"e1","created_at":"…"}`; the body is stored. A repeated `Idempotency-Key` returns the first entry with `Idempotency-Replay: true`. With [`notifying`](Self::notifying), queues a webhook. |
/// | `GET /entries/{id}` | 200 with the entry, or 404 |
/// | `GET /entries` | 200 `{"count":N}` |
/// | any method `/echo` | 200 with the method, path, query and body it received |
/// | `POST /panic` | panics (to test that the server reports it) |
/// | `POST /invalid-answer` | an invalid status (to test that the server reports it) |
/// | anything else | 404 `{"error":"no route"}` |
///
/// Operation ids: `entry_create`, `entry_get`, `entry_list`, `echo`.
#[derive(Debug, Default)]
pub struct Ledger {
    notify_url: Option<String>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: Vec<Entry>,
    by_key: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    body: String,
    created_at: i64,
}

impl Ledger {
    /// An empty ledger that sends no webhooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty ledger that queues a webhook to `url` for every entry created: a JSON
    /// `{"id":"e1","event":"entry.created"}` with header `X-Ledger-Event`.
    pub fn notifying(url: impl Into<String>) -> Self {
        Self {
            notify_url: Some(url.into()),
            state: Mutex::default(),
        }
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored body of entry `id`.
    pub fn body_of(&self, id: &str) -> Option<String> {
        self.lock()
            .entries
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.body.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn create(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        let key = request.header("idempotency-key").map(str::to_owned);
        let mut state = self.lock();
        if let Some(index) = key.as_ref().and_then(|k| state.by_key.get(k)) {
            let entry = &state.entries[*index];
            return FakeResponse::json(201, created_json(entry))
                .with_header("idempotency-replay", "true");
        }
        let entry = Entry {
            id: format!("e{}", state.entries.len() + 1),
            body: String::from_utf8_lossy(request.body()).into_owned(),
            created_at: unix_seconds(ctx.now()),
        };
        if let Some(key) = key {
            let index = state.entries.len();
            state.by_key.insert(key, index);
        }
        state.entries.push(entry.clone());
        drop(state);
        if let Some(url) = &self.notify_url {
            ctx.webhooks().push(
                Notification::post(
                    url.clone(),
                    format!(
                        r#"{{"id":{},"event":"entry.created"}}"#,
                        json_string(&entry.id)
                    ),
                )
                .with_header("content-type", "application/json")
                .with_header("x-ledger-event", "entry.created"),
            );
        }
        FakeResponse::json(201, created_json(&entry))
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

fn created_json(entry: &Entry) -> String {
    format!(
        r#"{{"id":{},"created_at":"{}"}}"#,
        json_string(&entry.id),
        entry.created_at
    )
}

const ENTRY: &str = "/entries/{id}";

impl FakeProvider for Ledger {
    fn name(&self) -> &'static str {
        "ledger"
    }

    fn operation(&self, request: &FakeRequest) -> Option<&'static str> {
        if Route::new("POST", "/entries").matches(request, None) {
            Some("entry_create")
        } else if Route::new("GET", ENTRY).matches(request, None) {
            Some("entry_get")
        } else if Route::new("GET", "/entries").matches(request, None) {
            Some("entry_list")
        } else if request.path() == "/echo" {
            Some("echo")
        } else {
            None
        }
    }

    fn handle(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        match self.operation(request) {
            Some("entry_create") => self.create(request, ctx),
            Some("entry_get") => {
                let id = Route::new("GET", ENTRY)
                    .captures(request)
                    .and_then(|p| p.get("id").map(str::to_owned))
                    .unwrap_or_default();
                let state = self.lock();
                match state.entries.iter().find(|e| e.id == id) {
                    Some(entry) => FakeResponse::json(
                        200,
                        format!(
                            r#"{{"id":{},"body":{},"created_at":"{}"}}"#,
                            json_string(&entry.id),
                            json_string(&entry.body),
                            entry.created_at
                        ),
                    ),
                    None => FakeResponse::json(404, r#"{"error":"not found"}"#),
                }
            }
            Some("entry_list") => FakeResponse::json(200, format!(r#"{{"count":{}}}"#, self.len())),
            Some("echo") => FakeResponse::json(
                200,
                format!(
                    r#"{{"method":{},"path":{},"query":{},"body":{}}}"#,
                    json_string(request.method()),
                    json_string(request.path()),
                    json_string(request.query().unwrap_or_default()),
                    json_string(&String::from_utf8_lossy(request.body())),
                ),
            ),
            _ if request.method() == "POST" && request.path() == "/panic" => {
                panic!("the ledger was asked to panic")
            }
            _ if request.method() == "POST" && request.path() == "/invalid-answer" => {
                FakeResponse::new(42)
            }
            _ => FakeResponse::json(404, r#"{"error":"no route"}"#),
        }
    }

    fn snapshot(&self) -> Snapshot {
        self.lock()
            .entries
            .iter()
            .fold(Snapshot::new(), |snapshot, entry| {
                snapshot.with(
                    Resource::new(
                        ResourceKind::Other("entry".to_owned()),
                        &entry.id,
                        "created",
                    )
                    .with_field("body", &entry.body)
                    .with_field("created_at", entry.created_at.to_string()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use pay_core::{ManualClock, from_unix_seconds};

    use super::*;
    use crate::webhook::Webhooks;

    #[test]
    fn answers_without_a_server() {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let webhooks = Webhooks::new(Arc::new(clock.clone()));
        let ctx = Context::new(&clock, &webhooks, "http://127.0.0.1:1");
        let ledger = Ledger::notifying("http://127.0.0.1:9/hook");

        let create = FakeRequest::new("POST", "/entries")
            .with_header("Idempotency-Key", "k1")
            .with_body("hello \"world\"");
        let first = ledger.handle(&create, &ctx);
        assert_eq!(first.status(), 201);
        assert_eq!(first.body(), br#"{"id":"e1","created_at":"1700000000"}"#);
        let replay = ledger.handle(&create, &ctx);
        assert_eq!(replay.body(), first.body());
        assert_eq!(replay.header("idempotency-replay"), Some("true"));
        assert_eq!(ledger.len(), 1);
        assert_eq!(webhooks.pending().len(), 1);

        let got = ledger.handle(&FakeRequest::new("GET", "/entries/e1"), &ctx);
        assert_eq!(
            got.body(),
            br#"{"id":"e1","body":"hello \"world\"","created_at":"1700000000"}"#
        );
        assert_eq!(
            ledger
                .handle(&FakeRequest::new("GET", "/entries/e9"), &ctx)
                .status(),
            404
        );
        assert_eq!(
            ledger
                .handle(&FakeRequest::new("GET", "/entries"), &ctx)
                .body(),
            br#"{"count":1}"#
        );
        assert_eq!(
            ledger
                .handle(&FakeRequest::new("GET", "/nope"), &ctx)
                .status(),
            404
        );
        let snapshot = ledger.snapshot();
        assert_eq!(
            snapshot.resources()[0].field("body"),
            Some("hello \"world\"")
        );
        assert_eq!(ledger.body_of("e1").as_deref(), Some("hello \"world\""));
        assert!(!ledger.is_empty());
    }
}
