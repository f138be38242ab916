//! Notifications: authenticated by the configured credentials, parsed leniently into
//! typed events, deduplicated, and confirmed by reading the resource back.

use std::time::SystemTime;

use pay_core::{CallOptions, EventKind, InMemorySeenEvents, PaymentStatus, RawWebhook, Webhooks};
use pay_easypay::{CaptureId, Confirmed, PaymentId, wire};
use pay_testkit::easypay::PHONE_AUTHORISED;

use crate::support::{Env, HOOK_PASSWORD, HOOK_USER, json};

fn basic() -> (String, String) {
    use base64::Engine;
    let token =
        base64::engine::general_purpose::STANDARD.encode(format!("{HOOK_USER}:{HOOK_PASSWORD}"));
    ("authorization".to_owned(), format!("Basic {token}"))
}

fn raw(body: &str) -> RawWebhook {
    RawWebhook::new(
        vec![basic()],
        body.as_bytes().to_vec(),
        SystemTime::UNIX_EPOCH,
    )
}

#[tokio::test]
async fn the_fakes_notifications_verify_parse_dedupe_and_confirm() {
    let env = Env::with_notifications().await;
    let c = &env.client;
    let o = CallOptions::new();
    let created = c
        .single()
        .create(
            &json(&format!(
                r#"{{"type":"authorisation","value":10,"key":"order-9","method":"mbw","customer":{{"name":"Ana","phone":"{PHONE_AUTHORISED}"}},"capture":{{"descriptive":"Order"}}}}"#
            )),
            &o,
        )
        .await
        .unwrap();
    let id = PaymentId::new(created.id.unwrap()).unwrap();
    c.captures()
        .create(&id, &json(r#"{"descriptive":"c","value":4}"#), &o)
        .await
        .unwrap();
    let notifications = env.notifications();
    assert!(
        notifications.len() >= 3,
        "generic, authorisation, transaction"
    );
    let seen = InMemorySeenEvents::new();
    let mut kinds = Vec::new();
    for raw in &notifications {
        let first = c.handle_once(raw, &seen).await.unwrap();
        assert!(!first.is_duplicate());
        let again = c.handle_once(raw, &seen).await.unwrap();
        assert!(again.is_duplicate(), "a redelivery is a duplicate");
        let event = first.event();
        kinds.push(event.provider_status.clone().unwrap_or_default());
        if let EventKind::Payment { id: Some(pid), .. } = &event.kind {
            assert_eq!(pid.as_str(), id.as_str());
            let Confirmed::Payment(payment) = c.confirm(event, &o).await.unwrap() else {
                panic!("a payment")
            };
            assert_eq!(payment.status, PaymentStatus::Captured);
        }
    }
    assert!(kinds.iter().any(|k| k == "authorisation"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "transaction"), "{kinds:?}");
    // The refund's generic notification confirms to the refund.
    let capture = c
        .captures()
        .list(&wire::CaptureListQuery::default(), &o)
        .await
        .unwrap()
        .data[0]
        .id
        .clone()
        .unwrap();
    c.refunds()
        .create(
            &CaptureId::new(capture).unwrap(),
            &json(r#"{"value":1}"#),
            &o,
        )
        .await
        .unwrap();
    let refund_events: Vec<_> = env
        .notifications()
        .iter()
        .filter_map(|raw| c.handle(raw).ok())
        .filter(|e| matches!(e.kind, EventKind::Refund { .. }))
        .collect();
    assert_eq!(refund_events.len(), 1);
    assert!(matches!(
        c.confirm(&refund_events[0], &o).await.unwrap(),
        Confirmed::Refund(_)
    ));
}

#[test]
fn bodies_are_read_leniently_and_typed_by_kind() {
    let env_free_client = pay_easypay::EasypayClient::builder(
        pay_easypay::AccountId::new("a"),
        pay_easypay::ApiKey::new("k"),
    )
    .notification_auth(pay_easypay::NotificationAuth::basic(
        HOOK_USER,
        HOOK_PASSWORD,
    ))
    .build()
    .unwrap();
    let c = &env_free_client;
    // Amounts as strings or numbers, exact; unknown fields ignored.
    for value in ["\"17.50\"", "17.50"] {
        let body = format!(
            r#"{{"id":"p1","value":{value},"currency":"EUR","method":"MBW","transaction":{{"id":"t1","values":{{"paid":{value},"requested":{value}}}}},"surprise":[1,2]}}"#
        );
        let event = c.handle(&raw(&body)).unwrap();
        assert_eq!(event.amount.unwrap().to_string(), "17.50 EUR");
        assert_eq!(event.id.as_str(), "p1:transaction:t1");
    }
    // `message` as a string or an array; the type decides the kind.
    for message in [r#""done""#, r#"["done","twice"]"#] {
        let body = format!(
            r#"{{"id":"o1","type":"out_payment","status":"success","message":{message},"date":"2024-01-01 10:00"}}"#
        );
        let event = c.handle(&raw(&body)).unwrap();
        assert!(matches!(event.kind, EventKind::Payout { .. }), "{event:?}");
        assert_eq!(event.id.as_str(), "o1:out_payment:success");
    }
    let body = r#"{"id":"x","type":"brand_new","status":"success"}"#;
    assert!(matches!(
        c.handle(&raw(body)).unwrap().kind,
        EventKind::Unknown { .. }
    ));
    // Wrong or missing credentials are rejected before the body is read.
    let bad = RawWebhook::new(
        vec![("authorization".to_owned(), "Basic bm9wZQ==".to_owned())],
        body.as_bytes().to_vec(),
        SystemTime::UNIX_EPOCH,
    );
    assert!(c.handle(&bad).is_err());
    let none = RawWebhook::new(vec![], b"{not json".to_vec(), SystemTime::UNIX_EPOCH);
    assert!(c.handle(&none).is_err());
    assert!(c.handle(&raw("{not json")).is_err(), "malformed");
}
