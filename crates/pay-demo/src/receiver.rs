//! The merchant's webhook endpoint, as an application would write it: an axum route per
//! provider that verifies the notification before reading it, parses it, drops
//! duplicates, and confirms the event by reading the resource back from the provider.
//! It records what it did so the demo can show it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use pay::{
    CallOptions, Confirmed, Delivery, EventKind, InMemorySeenEvents, PayError, Provider,
    RawWebhook, SeenEvents, confirm_event,
};

/// What the endpoint did with one delivery.
#[derive(Debug, Clone)]
pub(crate) enum Handled {
    /// Verified, parsed, new, and confirmed by a read.
    Confirmed {
        /// The event's kind (`payment`, `subscription`, …).
        kind: &'static str,
        /// What the notification claimed, in words.
        claimed: String,
        /// What the provider reports now, in words.
        confirmed: String,
        /// The subscription charge the event is about, if any.
        charge_number: Option<u32>,
    },
    /// Verified and parsed, but seen before: answered 200, not acted on.
    Duplicate,
    /// Refused before parsing (bad signature, wrong credentials, unreadable).
    Rejected {
        /// The SDK's error, which shows no secret.
        reason: String,
    },
}

/// One delivery the endpoint handled.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// The provider's path segment (`easytransac`, `easypay`).
    pub(crate) provider: String,
    /// What was done.
    pub(crate) handled: Handled,
}

/// The endpoint's state: the providers it serves, the duplicate store, the log.
#[derive(Default)]
pub(crate) struct Endpoint {
    providers: RwLock<HashMap<String, Arc<dyn Provider>>>,
    seen: InMemorySeenEvents,
    log: Mutex<Vec<Received>>,
}

impl Endpoint {
    /// Serves notifications for `provider` at `/hooks/{name}`.
    pub(crate) fn register(&self, name: &str, provider: Arc<dyn Provider>) {
        if let Ok(mut providers) = self.providers.write() {
            providers.insert(name.to_owned(), provider);
        }
    }

    /// Everything handled so far.
    pub(crate) fn log(&self) -> Vec<Received> {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    fn record(&self, provider: &str, handled: Handled) {
        if let Ok(mut log) = self.log.lock() {
            log.push(Received {
                provider: provider.to_owned(),
                handled,
            });
        }
    }
}

/// Starts the endpoint on 127.0.0.1 and returns its base URL.
///
/// # Errors
/// The port cannot be bound.
pub(crate) async fn start(endpoint: Arc<Endpoint>) -> std::io::Result<String> {
    let app = Router::new()
        .route("/hooks/{provider}", post(receive))
        .with_state(endpoint);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}

/// `POST /hooks/{provider}`: verify, parse, de-duplicate, confirm.
async fn receive(
    State(endpoint): State<Arc<Endpoint>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let provider = endpoint
        .providers
        .read()
        .ok()
        .and_then(|providers| providers.get(&name).cloned());
    let Some(provider) = provider else {
        return StatusCode::NOT_FOUND;
    };
    let Some(webhooks) = provider.as_webhooks() else {
        return StatusCode::NOT_FOUND;
    };
    // The body exactly as received: verification needs the bytes, not a parsed form.
    let headers = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let raw = RawWebhook::new(headers, body.to_vec(), std::time::SystemTime::now());
    match webhooks.handle_once(&raw, &endpoint.seen).await {
        Ok(Delivery::First(event)) => {
            match confirm_event(provider.as_ref(), &event, &CallOptions::new()).await {
                Ok(confirmed) => {
                    let charge_number = match &event.kind {
                        EventKind::Subscription { charge_number, .. } => *charge_number,
                        _ => None,
                    };
                    endpoint.record(
                        &name,
                        Handled::Confirmed {
                            kind: event.kind.name(),
                            claimed: claimed(&event.kind),
                            confirmed: describe(&confirmed),
                            charge_number,
                        },
                    );
                    StatusCode::OK
                }
                // Nothing was acted on: forget the event so the provider's redelivery is
                // handled as new, and ask for one.
                Err(err) => {
                    let _ = endpoint.seen.forget(event.provider, &event.id).await;
                    endpoint.record(
                        &name,
                        Handled::Rejected {
                            reason: format!("confirmation failed: {err}"),
                        },
                    );
                    StatusCode::SERVICE_UNAVAILABLE
                }
            }
        }
        // A duplicate (and any kind of delivery a later pay adds): answered, not acted on.
        Ok(_) => {
            endpoint.record(&name, Handled::Duplicate);
            StatusCode::OK
        }
        Err(err) => {
            endpoint.record(
                &name,
                Handled::Rejected {
                    reason: err.to_string(),
                },
            );
            status_for(&err)
        }
    }
}

fn status_for(err: &PayError) -> StatusCode {
    match err.kind() {
        pay::ErrorKind::WebhookRejected { .. } => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status a notification claims, in words.
fn claimed(kind: &EventKind) -> String {
    match kind {
        EventKind::Payment { status, .. } => words(status.as_ref()),
        EventKind::Refund { status, .. } => words(status.as_ref()),
        EventKind::Payout { status, .. } => words(status.as_ref()),
        EventKind::Subscription {
            charge_status: Some(status),
            ..
        } => format!("charge {status}"),
        EventKind::Subscription { status, .. } => words(status.as_ref()),
        EventKind::Mandate { status, .. } => words(status.as_ref()),
        EventKind::Dispute { status, .. } => words(status.as_ref()),
        _ => "unknown".to_owned(),
    }
}

fn words<T: std::fmt::Display>(status: Option<&T>) -> String {
    status.map_or_else(|| "no status".to_owned(), ToString::to_string)
}

/// The confirmed resource's status, in words.
fn describe(confirmed: &Confirmed) -> String {
    match confirmed {
        Confirmed::Payment(p) => format!("payment {}", p.status),
        Confirmed::Refund(r) => format!("refund {}", r.status),
        Confirmed::Payout(p) => format!("payout {}", p.status),
        Confirmed::Subscription(s) => format!("subscription {}", s.status),
        Confirmed::Mandate(m) => format!("mandate {}", m.status),
        Confirmed::Dispute(d) => format!("dispute {}", d.status),
        _ => "nothing to read back".to_owned(),
    }
}
