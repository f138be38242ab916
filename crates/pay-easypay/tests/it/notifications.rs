//! Notifications: authenticated by the configured credentials, parsed leniently into
//! typed events, deduplicated, and confirmed by reading the resource back.

use std::time::{Duration, SystemTime};

use pay_core::{
    CallOptions, DisputeStatus, EventKind, InMemorySeenEvents, PaymentStatus, RawWebhook,
    SubscriptionStatus, WebhookEvent, Webhooks,
};
use pay_easypay::{CaptureId, Confirmed, wire};

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
    let id = env.authorised_mbway("10").await;
    env.capture(&id, "4").await;
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

/// Every notification the fake has queued whose event is of kind `name`.
fn events_named(env: &Env, name: &str) -> Vec<WebhookEvent> {
    env.notifications()
        .iter()
        .filter_map(|raw| env.client.handle(raw).ok())
        .filter(|event| event.kind.name() == name)
        .collect()
}

#[tokio::test]
async fn subscription_events_are_filled_from_the_subscription_and_its_charge() {
    let env = Env::with_notifications().await;
    let c = &env.client;
    let o = CallOptions::new();
    let created = c
        .subscriptions()
        .create(
            &json(r#"{"value":4.50,"frequency":"1D","start_time":"2023-11-14 23:00","max_captures":3,"method":"dd","key":"sub-9","capture":{"descriptive":"Daily","transaction_key":"sub-9-charge"},"sdd_mandate":{"iban":"PT50000201231234567890155","name":"Rui","email":"rui@example.org","phone":"912000111","account_holder":"Rui"}}"#),
            &o,
        )
        .await
        .unwrap();
    let sub = created.id.unwrap();
    // A capture of another payment, listed among the charges: not a charge.
    let other = env.authorised_mbway("3").await;
    env.capture(&other, "3").await;
    // Two due dates pass: two charges.
    env.clock.advance(Duration::from_secs(86_400 + 3_600));
    env.server.provider().run_due(&env.ctx());

    let events = events_named(&env, "subscription");
    let (charges, creations): (Vec<_>, Vec<_>) = events.iter().partition(|e| {
        matches!(
            e.kind,
            EventKind::Subscription {
                charge_status: Some(_),
                ..
            }
        )
    });
    assert_eq!((creations.len(), charges.len()), (1, 2), "{events:?}");
    // Both charges name the subscription; they are two events, not one redelivered.
    assert_ne!(charges[0].id, charges[1].id, "{charges:?}");
    // What the notifications claim.
    assert!(matches!(
        &creations[0].kind,
        EventKind::Subscription { id: Some(id), status: Some(SubscriptionStatus::Active), charge: None, .. }
            if id.as_str() == sub
    ));
    assert!(matches!(
        charges[0].kind,
        EventKind::Subscription {
            charge: None,
            charge_status: Some(PaymentStatus::Captured),
            ..
        }
    ));

    // What the reads say.
    let Confirmed::Subscription(confirmed) = c.confirm(creations[0], &o).await.unwrap() else {
        panic!("a subscription")
    };
    assert!(confirmed.charge.is_none(), "a creation names no charge");
    let EventKind::Subscription {
        id,
        status,
        charge,
        charge_number,
        charge_status,
    } = confirmed.kind()
    else {
        panic!("a subscription kind")
    };
    assert_eq!(id.unwrap().as_str(), sub);
    assert_eq!(status, Some(SubscriptionStatus::Active));
    assert_eq!((charge, charge_number, charge_status), (None, None, None));

    let subscription_captures: Vec<String> = c
        .captures()
        .list(&wire::CaptureListQuery::default(), &o)
        .await
        .unwrap()
        .data
        .into_iter()
        .filter(|capture| capture.payment_id.as_deref() == Some(sub.as_str()))
        .filter_map(|capture| capture.id)
        .collect();
    assert_eq!(subscription_captures.len(), 2);
    let confirmed = c.confirm(charges[1], &o).await.unwrap();
    let Some(EventKind::Subscription {
        id,
        status,
        charge,
        charge_number,
        charge_status,
    }) = confirmed.kind()
    else {
        panic!("a subscription kind: {confirmed:?}")
    };
    assert_eq!(id.unwrap().as_str(), sub);
    assert_eq!(status, Some(SubscriptionStatus::Active));
    assert_eq!(
        charge.unwrap().as_str(),
        subscription_captures[1],
        "the latest charge with the notification's key"
    );
    assert_eq!(charge_number, Some(2));
    assert_eq!(charge_status, Some(PaymentStatus::Captured));
}

#[tokio::test]
async fn chargeback_events_are_filled_from_the_chargeback_list() {
    let env = Env::with_notifications().await;
    let c = &env.client;
    let o = CallOptions::new();
    let id = env.authorised_mbway("6").await;
    env.capture(&id, "6").await;
    let opened = env
        .server
        .provider()
        .open_chargeback(&env.ctx(), id.as_str(), "not recognised")
        .unwrap();

    let events = events_named(&env, "dispute");
    assert_eq!(events.len(), 1);
    let confirmed = c.confirm(&events[0], &o).await.unwrap();
    let Confirmed::Dispute(dispute) = &confirmed else {
        panic!("a dispute: {confirmed:?}")
    };
    assert_eq!(dispute.reason.as_deref(), Some("not recognised"));
    let Some(EventKind::Dispute {
        id: dispute_id,
        payment_id,
        status,
    }) = confirmed.kind()
    else {
        panic!("a dispute kind")
    };
    assert_eq!(dispute_id.unwrap().as_str(), opened);
    assert_eq!(payment_id.unwrap().as_str(), id.as_str());
    assert_eq!(status, Some(DisputeStatus::Open));
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
