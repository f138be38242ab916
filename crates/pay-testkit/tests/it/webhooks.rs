//! Outbound webhooks end to end: a sender fake queues, a receiver fake (another server on
//! loopback) records what arrives.

use std::time::Duration;

use pay_core::{ManualClock, from_unix_seconds};
use pay_testkit::testing::Ledger;
use pay_testkit::{DeliveryOutcome, FakeServer, Fault, RetrySchedule, Route, flip_middle_byte};

use crate::support::{call, within};

async fn receiver() -> FakeServer<Ledger> {
    FakeServer::start(Ledger::new()).await.unwrap()
}

#[tokio::test]
async fn nothing_is_sent_until_delivered() {
    within(async {
        let receiver = receiver().await;
        let sender = FakeServer::start(Ledger::notifying(receiver.url("/entries")))
            .await
            .unwrap();
        call(sender.addr(), "POST", "/entries", &[], b"x").await;
        let pending = sender.webhooks().pending();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].attempts(), 0);
        assert_eq!(pending[0].notification().url(), receiver.url("/entries"));
        assert!(receiver.requests().is_empty());

        let deliveries = sender.webhooks().deliver_now().await;
        assert_eq!(deliveries.len(), 1);
        assert_eq!(
            deliveries[0].outcome(),
            &DeliveryOutcome::Delivered { status: 201 }
        );
        assert_eq!(deliveries[0].outcome().status(), Some(201));
        assert!(deliveries[0].outcome().is_delivered());
        assert!(sender.webhooks().pending().is_empty());
        assert_eq!(sender.webhooks().log(), deliveries);

        let arrived = receiver.requests();
        assert_eq!(arrived.len(), 1);
        assert_eq!(arrived[0].header("x-ledger-event"), Some("entry.created"));
        assert_eq!(arrived[0].header("content-type"), Some("application/json"));
        assert_eq!(
            receiver.provider().body_of("e1").as_deref(),
            Some(r#"{"id":"e1","event":"entry.created"}"#)
        );
    })
    .await;
}

#[tokio::test]
async fn duplicated_reordered_and_tampered() {
    within(async {
        let receiver = receiver().await;
        let sender = FakeServer::start(Ledger::notifying(receiver.url("/entries")))
            .await
            .unwrap();
        call(sender.addr(), "POST", "/entries", &[], b"x").await;
        call(sender.addr(), "POST", "/entries", &[], b"y").await;
        let webhooks = sender.webhooks();
        let ids: Vec<_> = webhooks.pending().iter().map(|p| p.id()).collect();
        let copies = webhooks.duplicate(ids[0], 1).unwrap();
        webhooks.reorder(&[ids[1]]).unwrap();
        webhooks
            .tamper(copies[0], |n| flip_middle_byte(n.body_mut()))
            .unwrap();
        let deliveries = webhooks.deliver_now().await;
        let delivered: Vec<_> = deliveries.iter().map(|d| d.id()).collect();
        assert_eq!(delivered, [ids[1], ids[0], copies[0]]);
        let bodies: Vec<String> = (1..=3)
            .map(|n| receiver.provider().body_of(&format!("e{n}")).unwrap())
            .collect();
        assert_eq!(
            bodies,
            [
                r#"{"id":"e2","event":"entry.created"}"#,
                r#"{"id":"e1","event":"entry.created"}"#,
                // The middle byte (the quote after `event`, 0x22) has its lowest bit flipped.
                r#"{"id":"e1","event#:"entry.created"}"#,
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn failures_are_retried_on_the_manual_clock() {
    within(async {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let receiver = receiver().await;
        receiver
            .faults()
            .on(Route::new("POST", "/entries"))
            .then(Fault::status(503))
            .then(Fault::Reset)
            .then_normal();
        let sender = FakeServer::builder()
            .clock(clock.clone())
            .webhook_retries(RetrySchedule::new(vec![
                Duration::from_secs(60),
                Duration::from_secs(300),
            ]))
            .start(Ledger::notifying(receiver.url("/entries")))
            .await
            .unwrap();
        call(sender.addr(), "POST", "/entries", &[], b"x").await;
        let webhooks = sender.webhooks();

        let first = webhooks.deliver_due().await;
        assert_eq!(
            first[0].outcome(),
            &DeliveryOutcome::Rejected { status: 503 }
        );
        assert_eq!(
            webhooks.pending()[0].next_attempt_at(),
            from_unix_seconds(1_700_000_060)
        );
        assert!(webhooks.deliver_due().await.is_empty(), "not due yet");
        clock.advance(Duration::from_secs(59));
        assert!(webhooks.deliver_due().await.is_empty(), "still not due");
        clock.advance(Duration::from_secs(1));
        let second = webhooks.deliver_due().await;
        assert_eq!(second[0].attempt(), 2);
        assert!(
            matches!(second[0].outcome(), DeliveryOutcome::Failed { .. }),
            "{second:?}"
        );
        clock.advance(Duration::from_secs(300));
        let third = webhooks.deliver_due().await;
        assert_eq!(third[0].attempt(), 3);
        assert_eq!(third[0].at(), from_unix_seconds(1_700_000_360));
        assert!(third[0].outcome().is_delivered());
        assert_eq!(webhooks.log().len(), 3);
        assert_eq!(receiver.provider().len(), 1);
        assert!(webhooks.given_up().is_empty());
    })
    .await;
}

#[tokio::test]
async fn retries_run_out() {
    within(async {
        let clock = ManualClock::new(from_unix_seconds(0));
        // A receiver that is gone: its port refuses connections.
        let gone = receiver().await;
        let url = gone.url("/entries");
        gone.shutdown().await.unwrap();
        let sender = FakeServer::builder()
            .clock(clock.clone())
            .webhook_retries(RetrySchedule::new(vec![Duration::from_secs(10)]))
            .start(Ledger::notifying(url))
            .await
            .unwrap();
        call(sender.addr(), "POST", "/entries", &[], b"x").await;
        let webhooks = sender.webhooks();
        let first = webhooks.deliver_due().await;
        assert!(matches!(first[0].outcome(), DeliveryOutcome::Failed { reason } if reason.starts_with("connect")));
        clock.advance(Duration::from_secs(10));
        assert_eq!(webhooks.deliver_due().await.len(), 1);
        assert!(webhooks.pending().is_empty());
        assert_eq!(webhooks.given_up().len(), 1);
        assert_eq!(webhooks.given_up()[0].attempts(), 2);
    })
    .await;
}

#[tokio::test]
async fn never_posts_beyond_loopback() {
    within(async {
        for url in [
            "http://10.1.2.3/hook",
            "http://example.com/hook",
            "https://127.0.0.1/hook",
        ] {
            let sender = FakeServer::start(Ledger::notifying(url)).await.unwrap();
            call(sender.addr(), "POST", "/entries", &[], b"x").await;
            let deliveries = sender.webhooks().deliver_now().await;
            assert!(
                matches!(deliveries[0].outcome(), DeliveryOutcome::Refused { .. }),
                "{url}: {deliveries:?}"
            );
            assert_eq!(sender.webhooks().given_up().len(), 1);
        }
    })
    .await;
}

#[tokio::test]
async fn a_hanging_receiver_times_out() {
    within(async {
        let receiver = receiver().await;
        receiver
            .faults()
            .on(Route::any())
            .then(Fault::Hang)
            .then_normal();
        let sender = FakeServer::builder()
            .webhook_timeout(Duration::from_millis(200))
            .start(Ledger::notifying(receiver.url("/entries")))
            .await
            .unwrap();
        call(sender.addr(), "POST", "/entries", &[], b"x").await;
        let deliveries = sender.webhooks().deliver_now().await;
        assert_eq!(
            deliveries[0].outcome(),
            &DeliveryOutcome::Failed {
                reason: "no answer within 200ms".to_owned()
            }
        );
        assert_eq!(sender.webhooks().pending().len(), 1, "kept for a retry");
    })
    .await;
}

#[tokio::test]
async fn automatic_delivery() {
    within(async {
        let receiver = receiver().await;
        let sender = FakeServer::builder()
            .automatic_webhooks()
            .start(Ledger::notifying(receiver.url("/entries")))
            .await
            .unwrap();
        assert!(sender.webhooks().is_automatic());
        call(sender.addr(), "POST", "/entries", &[], b"x").await;
        // The receiver may hold the notification a moment before the sender logs the
        // delivery's outcome: wait for the log, which is what is asserted.
        while sender.webhooks().log().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(sender.webhooks().log().len(), 1);
        assert!(!receiver.provider().is_empty());
        sender.webhooks().set_automatic(false);
        assert!(!sender.webhooks().is_automatic());
        call(sender.addr(), "POST", "/entries", &[], b"y").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(sender.webhooks().pending().len(), 1, "manual again");
    })
    .await;
}
