//! A webhook endpoint on axum that does what a payment notification deserves: verify it
//! on the raw bytes before reading anything, parse it, drop duplicates, and confirm it by
//! reading the payment back before acting, since a notification is only a hint.
//!
//! ```text
//! cargo run -p pay --example webhook_endpoint --features easypay,testkit
//! ```
//!
//! It serves `POST /webhooks/easypay` on 127.0.0.1, starts pay-testkit's Easypay fake
//! with its notifications pointed there, plays an MB WAY payment the customer approves,
//! lets the fake deliver (one notification twice), and prints what the endpoint did.

// An example's job is to print.
#![allow(clippy::print_stdout)]

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use pay::easypay::{AccountId, ApiKey, EasypayClient, NotificationAuth};
use pay::testkit::easypay::{EasypayConfig, EasypayFake, PHONE_PENDING};
use pay::testkit::{Context, FakeServer};
use pay::{
    CallOptions, Confirmed, CreatePayment, Currency, Delivery, ErrorKind, InMemorySeenEvents,
    MerchantReference, Money, PaymentMethod, Payments, Phone, Provider, RawWebhook, confirm_event,
};

/// What the endpoint needs: the provider (to verify and to confirm), a duplicate store
/// (in production: a shared database table, such as pay-journal's), and what it did.
struct Endpoint {
    provider: Arc<dyn Provider>,
    seen: InMemorySeenEvents,
    log: Mutex<Vec<String>>,
}

/// `POST /webhooks/easypay`. The status code tells the provider whether to deliver again:
/// 2xx for handled (or already handled), 401 for a notification that failed verification,
/// 5xx when we could not handle it yet.
async fn notification(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes, // the raw bytes: verification needs them exactly as sent
) -> StatusCode {
    let Some(webhooks) = endpoint.provider.as_webhooks() else {
        return StatusCode::NOT_FOUND;
    };
    let headers = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let raw = RawWebhook::new(headers, body.to_vec(), SystemTime::now());
    let note = |line: String| endpoint.log.lock().expect("log").push(line);

    // 1. Verify (constant time, before parsing), parse, and record the event id.
    let event = match webhooks.handle_once(&raw, &endpoint.seen).await {
        Ok(Delivery::First(event)) => event,
        Ok(_) => {
            note("duplicate delivery: answered 200, ignored".to_owned());
            return StatusCode::OK;
        }
        Err(err) if matches!(err.kind(), ErrorKind::WebhookRejected { .. }) => {
            note(format!("refused: {err}"));
            return StatusCode::UNAUTHORIZED;
        }
        Err(err) => {
            note(format!("could not record it: {err}"));
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    };

    // 2. Confirm by reading the resource back; act on that, not on the notification.
    match confirm_event(endpoint.provider.as_ref(), &event, &CallOptions::new()).await {
        Ok(Confirmed::Payment(payment)) => {
            note(format!(
                "{} event for {}: the provider says {} ({})",
                event.kind.name(),
                payment
                    .reference
                    .as_ref()
                    .map_or("?", MerchantReference::as_str),
                payment.status,
                payment.amount
            ));
            // 3. Act here: mark the order paid, ship... idempotently, keyed by the order.
            StatusCode::OK
        }
        Ok(other) => {
            note(format!("{} event: {other:?}", event.kind.name()));
            StatusCode::OK
        }
        Err(err) => {
            // Not acted on: forget the event so the redelivery is handled, and ask for one.
            let _ = pay::SeenEvents::forget(&endpoint.seen, event.provider, &event.id).await;
            note(format!("confirmation failed, will be redelivered: {err}"));
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The endpoint listens first, so the fake can be told where to notify.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks/easypay", listener.local_addr()?);

    let config = EasypayConfig::new("acct-example", "key-example")
        .with_generic_url(url.clone())
        .with_transaction_url(url.clone())
        .with_authorisation_url(url.clone())
        .with_notification_credentials("hooks", "hook-password");
    let fake = FakeServer::start(EasypayFake::new(config)).await?;
    let client = EasypayClient::builder(AccountId::new("acct-example"), ApiKey::new("key-example"))
        .base_url(fake.url("/2.0"))
        .notification_auth(NotificationAuth::basic("hooks", "hook-password"))
        .build()?;
    let client = Arc::new(client);

    let endpoint = Arc::new(Endpoint {
        provider: client.clone(),
        seen: InMemorySeenEvents::new(),
        log: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/webhooks/easypay", post(notification))
        .with_state(endpoint.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // A payment the customer approves in the MB WAY app.
    let request = CreatePayment::new(
        Money::from_minor(2490, Currency::EUR)?,
        MerchantReference::new("order-webhook-1")?,
        PaymentMethod::MbWay {
            phone: Phone::new("+351", PHONE_PENDING)?,
        },
    )?;
    let payment = client.create_payment(&request, &CallOptions::new()).await?;
    let id = payment.id.clone().ok_or("no payment id")?;
    let clock = fake.clock();
    let ctx = Context::new(&*clock, fake.webhooks(), fake.base_url());
    fake.provider().approve_mbway(&ctx, id.as_str())?;

    // The provider delivers; one notification arrives twice, as at-least-once delivery does.
    if let Some(first) = fake.webhooks().pending().first() {
        fake.webhooks().duplicate(first.id(), 1)?;
    }
    for delivery in fake.webhooks().deliver_now().await {
        println!("delivery -> {:?}", delivery.outcome());
    }
    for line in endpoint.log.lock().expect("log").iter() {
        println!("endpoint: {line}");
    }
    Ok(())
}
