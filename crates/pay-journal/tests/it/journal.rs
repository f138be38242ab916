//! The write journal through real clients on the fakes, on both backends: recorded before
//! sending, settled with the provider's ids and the exact amount, no secret stored; a
//! refused write is `failed`, a lost answer `ambiguous` until recovery finds it; a store
//! that goes away stops the write before anything is sent; many tasks and two instances
//! writing at once; versioned migrations; old entries left for a person.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use pay_core::{
    CallOptions, Clock, ErrorKind, JournalEntry, JournalId, ManualClock, PayError, Payments,
    Provider, Settlement, WriteJournal, from_unix_seconds,
};
use pay_journal::{Finding, Journal, Recovery, SCHEMA_VERSION, State, recover};
use pay_testkit::{Fault, Route};

use crate::support::{
    CARD, EASYPAY_KEY, EASYTRANSAC_KEY, Store, card_payment, easypay, easypay_fake, easytransac,
    easytransac_fake, multibanco, on_both_backends, payments_at, received,
};

/// A journal that notes how many requests the fake had received when each entry was
/// recorded, then records it in the real journal.
struct Probe {
    inner: Journal,
    requests: Box<dyn Fn() -> usize + Send + Sync>,
    at_record: Mutex<Vec<usize>>,
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Probe").finish_non_exhaustive()
    }
}

#[async_trait]
impl WriteJournal for Probe {
    async fn record(&self, entry: &JournalEntry) -> Result<JournalId, PayError> {
        self.at_record.lock().unwrap().push((self.requests)());
        self.inner.record(entry).await
    }

    async fn settle(&self, id: JournalId, settlement: &Settlement) -> Result<(), PayError> {
        self.inner.settle(id, settlement).await
    }
}

on_both_backends!(
    a_write_is_recorded_before_it_is_sent_and_settled_with_its_ids,
    card_data_and_keys_are_never_stored,
    a_refused_write_is_failed,
    a_lost_answer_is_ambiguous_until_recovery_finds_it,
    a_store_that_went_away_stops_the_write_before_sending,
    many_tasks_and_two_instances_write_at_once,
    a_notification_is_handled_once_across_instances,
    migrations_are_versioned_and_run_once,
    a_version_1_database_gains_the_open_keys_index,
    entries_older_than_the_idempotency_window_are_left_for_a_person,
    entries_younger_than_min_age_are_reported_as_skipped,
    a_retryable_failure_retried_under_the_same_key_ends_succeeded,
);

async fn a_write_is_recorded_before_it_is_sent_and_settled_with_its_ids(store: Store) {
    let server = Arc::new(easypay_fake().await);
    let counted = server.clone();
    let probe = Arc::new(Probe {
        inner: store.journal.clone(),
        requests: Box::new(move || counted.requests().len()),
        at_record: Mutex::new(Vec::new()),
    });
    let client = easypay(server.base_url(), Some(probe.clone()), None);
    let payment = client
        .create_payment(&multibanco(1234, "order-rec-1"), &Default::default())
        .await
        .unwrap();
    // Nothing had reached the fake when the entry was written.
    assert_eq!(*probe.at_record.lock().unwrap(), vec![0]);
    assert_eq!(received(&server, "single_create"), 1);

    let entries = store.journal.entries().await.unwrap();
    // Reads (the create's read-back) are not journaled.
    assert_eq!(entries.len(), 1, "{entries:#?}");
    let entry = &entries[0];
    assert_eq!(entry.state, State::Succeeded);
    assert_eq!(entry.provider, "easypay");
    assert_eq!(entry.operation, "single_create");
    assert_eq!(entry.reference.as_deref(), Some("order-rec-1"));
    let amount = entry.amount.expect("the amount");
    assert_eq!(
        (amount.minor_units(), amount.currency().code()),
        (1234, "EUR")
    );
    assert_eq!(entry.idempotency_key.as_ref().map(String::len), Some(36));
    assert_eq!(entry.http_status, Some(201));
    assert_eq!(
        entry.provider_ids.get("id").map(String::as_str),
        payment.id.as_ref().map(|id| id.as_str())
    );
    assert_eq!(entry.settled_by.as_deref(), Some("call"));
    assert!(entry.settled_at.is_some());
    assert!(store.journal.open_entries().await.unwrap().is_empty());
}

async fn card_data_and_keys_are_never_stored(store: Store) {
    let server = easytransac_fake().await;
    let client = easytransac(server.base_url(), Some(store.journal.shared()));
    let payment = client
        .create_payment(&card_payment(2500, "order-card-1"), &Default::default())
        .await
        .unwrap();
    let entries = store.journal.entries().await.unwrap();
    assert_eq!(entries.len(), 1, "{entries:#?}");
    let entry = &entries[0];
    assert_eq!(entry.state, State::Succeeded);
    assert_eq!(entry.operation, "v1_payment_direct");
    assert_eq!(entry.reference.as_deref(), Some("order-card-1"));
    assert_eq!(entry.amount.map(|m| m.minor_units()), Some(2500));
    assert_eq!(
        entry.provider_ids.get("Result.Tid").map(String::as_str),
        payment.id.as_ref().map(|id| id.as_str())
    );
    let stored = format!("{entry:?}");
    for secret in [CARD, "CardMonth=12", EASYTRANSAC_KEY, EASYPAY_KEY] {
        assert!(!stored.contains(secret), "`{secret}` stored: {stored}");
    }
    // The timestamps are numbers of their own, in which a three-digit CVV or a year may
    // appear by chance: the short values are searched in the entry without them.
    let mut text = entry.clone();
    text.recorded_at = UNIX_EPOCH;
    text.settled_at = None;
    let stored = format!("{text:?}");
    for secret in ["737", "2031"] {
        assert!(!stored.contains(secret), "`{secret}` stored: {stored}");
    }
    assert!(
        entry
            .summary
            .as_deref()
            .unwrap()
            .contains("OrderId=order-card-1")
    );
}

async fn a_refused_write_is_failed(store: Store) {
    let server = easypay_fake().await;
    server
        .faults()
        .on(Route::operation("single_create"))
        .then(Fault::status(422))
        .then_normal();
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    let err = client
        .create_payment(&multibanco(500, "order-refused"), &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(422));
    let entries = store.journal.entries().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].state, State::Failed);
    assert_eq!(entries[0].http_status, Some(422));
    assert!(entries[0].detail.as_deref().unwrap().contains("422"));
}

async fn a_lost_answer_is_ambiguous_until_recovery_finds_it(store: Store) {
    let server = easytransac_fake().await;
    server
        .faults()
        .on(Route::operation("v1_payment_direct"))
        .then(Fault::AppliedThenLost)
        .then_normal();
    let client = easytransac(server.base_url(), Some(store.journal.shared()));
    let err = client
        .create_payment(&card_payment(990, "order-lost"), &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    let open = store.journal.open_entries().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, State::Ambiguous);

    // Recovery reads, never writes: the payment the fake applied is found by OrderId.
    let fresh: Arc<dyn Provider> = Arc::new(easytransac(server.base_url(), None));
    let report = recover(&store.journal, vec![fresh], Arc::new(pay_core::SystemClock))
        .await
        .unwrap();
    assert_eq!(report.applied(), 1, "{:#?}", report.lines());
    assert_eq!(payments_at(&server), 1);
    assert_eq!(received(&server, "v1_payment_direct"), 1);
    let entry = store.journal.entry(open[0].id).await.unwrap().unwrap();
    assert_eq!(entry.state, State::Succeeded);
    assert_eq!(entry.settled_by.as_deref(), Some("recover"));
    assert!(entry.provider_ids.contains_key("payment"));
    // A second run has nothing left to do.
    let again = recover(
        &store.journal,
        vec![Arc::new(easytransac(server.base_url(), None))],
        Arc::new(pay_core::SystemClock),
    )
    .await
    .unwrap();
    assert!(again.entries.is_empty());
}

async fn a_store_that_went_away_stops_the_write_before_sending(store: Store) {
    let server = easypay_fake().await;
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    client
        .create_payment(&multibanco(100, "order-before"), &Default::default())
        .await
        .unwrap();
    let sent = server.requests().len();
    store.take_away().await;
    let err = client
        .create_payment(&multibanco(200, "order-after"), &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::JournalUnavailable { .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.operation(), Some("single_create"));
    assert_eq!(server.requests().len(), sent, "nothing was sent");
    assert_eq!(payments_at(&server), 1);
    // Reads do not need the journal.
    let payments = server.snapshot();
    let id = payments
        .of_kind(&pay_testkit::ResourceKind::Payment)
        .next()
        .unwrap()
        .id()
        .to_owned();
    client
        .get_payment(
            &pay_core::ProviderPaymentId::new(id).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
}

async fn many_tasks_and_two_instances_write_at_once(store: Store) {
    const PER_INSTANCE: usize = 24;
    let server = Arc::new(easypay_fake().await);
    let second = Journal::open(&store.url).await.unwrap();
    let mut tasks = Vec::new();
    for (instance, journal) in [store.journal.clone(), second.clone()]
        .into_iter()
        .enumerate()
    {
        let client = Arc::new(easypay(server.base_url(), Some(journal.shared()), None));
        for n in 0..PER_INSTANCE {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let amount = i64::try_from(100 + n).unwrap();
                client
                    .create_payment(
                        &multibanco(amount, &format!("order-{instance}-{n}")),
                        &Default::default(),
                    )
                    .await
                    .map(|p| p.id.unwrap().as_str().to_owned())
            }));
        }
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2 * PER_INSTANCE);
    assert_eq!(payments_at(&server), 2 * PER_INSTANCE);
    let entries = second.entries().await.unwrap();
    assert_eq!(entries.len(), 2 * PER_INSTANCE);
    assert!(entries.iter().all(|e| e.state == State::Succeeded));
    let mut journaled: Vec<String> = entries
        .iter()
        .map(|e| e.provider_ids["id"].clone())
        .collect();
    journaled.sort();
    assert_eq!(journaled, ids);
}

async fn a_notification_is_handled_once_across_instances(store: Store) {
    use pay_core::{EventId, ProviderId, SeenEvents};
    const EVENTS: usize = 12;
    let other = Journal::open(&store.url).await.unwrap();
    let provider = ProviderId::new("easypay");
    let mut tasks = Vec::new();
    for round in 0..4 {
        for (n, journal) in [store.journal.clone(), other.clone()]
            .into_iter()
            .enumerate()
        {
            tasks.push(tokio::spawn(async move {
                let mut first = 0;
                for event in 0..EVENTS {
                    let id = EventId::new(format!("evt-{event}")).unwrap();
                    let at = std::time::SystemTime::now();
                    if journal.first_seen(provider, &id, at).await.unwrap() {
                        first += 1;
                    }
                }
                (round, n, first)
            }));
        }
    }
    let mut firsts = 0;
    for task in tasks {
        firsts += task.await.unwrap().2;
    }
    assert_eq!(
        firsts, EVENTS,
        "each event is a first delivery exactly once"
    );
    // The same id from another provider is another event; a forgotten one is new again.
    let id = EventId::new("evt-0").unwrap();
    let now = std::time::SystemTime::now();
    assert!(
        store
            .journal
            .first_seen(ProviderId::new("easytransac"), &id, now)
            .await
            .unwrap()
    );
    other.forget(provider, &id).await.unwrap();
    assert!(store.journal.first_seen(provider, &id, now).await.unwrap());
    assert!(!other.first_seen(provider, &id, now).await.unwrap());
    // Retention.
    let later = now + Duration::from_secs(3600);
    assert_eq!(
        store.journal.forget_seen_before(later).await.unwrap(),
        u64::try_from(EVENTS + 1).unwrap()
    );
}

async fn migrations_are_versioned_and_run_once(store: Store) {
    // Instances starting together migrate once; opening again changes nothing.
    let (a, b, c) = tokio::join!(
        Journal::open(&store.url),
        Journal::open(&store.url),
        Journal::open(&store.url)
    );
    for journal in [a.unwrap(), b.unwrap(), c.unwrap(), store.journal.clone()] {
        assert_eq!(journal.schema_version().await.unwrap(), SCHEMA_VERSION);
    }
    assert!(store.journal.entries().await.unwrap().is_empty());
}

/// Runs `sql` on the store's database, outside the journal.
async fn run_sql(store: &Store, sql: &str) -> Vec<String> {
    use sqlx::{Connection as _, Row as _};
    if store.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&store.url).await.unwrap();
        sqlx::raw_sql(sql)
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<String, _>(i).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    } else {
        let mut conn = sqlx::PgConnection::connect(&store.url).await.unwrap();
        sqlx::raw_sql(sql)
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<String, _>(i).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }
}

async fn a_version_1_database_gains_the_open_keys_index(store: Store) {
    let sqlite = store.url.starts_with("sqlite:");
    let index_query = if sqlite {
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'pay_journal_entries_open_keys'"
    } else {
        "SELECT indexname::TEXT FROM pg_indexes WHERE indexname = 'pay_journal_entries_open_keys'"
    };
    assert_eq!(
        run_sql(&store, index_query).await,
        ["pay_journal_entries_open_keys"]
    );
    // Back to version 1, with an entry, as a database of the previous release.
    run_sql(
        &store,
        "DROP INDEX pay_journal_entries_open_keys; \
         DELETE FROM pay_journal_migrations WHERE version = 2; \
         INSERT INTO pay_journal_entries (provider, operation, method, path, idempotency_key, \
         state, recorded_at_ms) VALUES ('easypay', 'single_create', 'POST', '/2.0/single', 'k-1', \
         'pending', 1)",
    )
    .await;
    assert!(run_sql(&store, index_query).await.is_empty());
    let journal = Journal::open(&store.url).await.unwrap();
    assert_eq!(journal.schema_version().await.unwrap(), 2);
    assert_eq!(SCHEMA_VERSION, 2);
    assert_eq!(
        run_sql(&store, index_query).await,
        ["pay_journal_entries_open_keys"]
    );
    assert_eq!(
        journal.entries().await.unwrap().len(),
        1,
        "entries survive the upgrade"
    );
    if sqlite {
        // The settling UPDATE of a keyed write searches it (SQLite's plan, as the crate
        // sends the statement).
        let plan = run_sql(
            &store,
            "EXPLAIN QUERY PLAN UPDATE pay_journal_entries SET state = 'succeeded' \
             WHERE state IN ('pending', 'ambiguous') AND id < 9 AND idempotency_key IS NOT NULL \
             AND (provider, operation, path, idempotency_key, COALESCE(request_summary, '')) = \
             (SELECT provider, operation, path, idempotency_key, COALESCE(request_summary, '') \
              FROM pay_journal_entries WHERE id = 9)",
        )
        .await;
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX pay_journal_entries_open_keys")),
            "{plan:?}"
        );
    }
}

async fn entries_older_than_the_idempotency_window_are_left_for_a_person(store: Store) {
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let shared_clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let server = easypay_fake().await;
    // Easypay stores a keyed POST's 500 under its key: the write is ambiguous.
    server
        .faults()
        .on(Route::operation("single_create"))
        .then(Fault::AppliedThenStatus(500))
        .then_normal();
    let client = easypay(
        server.base_url(),
        Some(store.journal.shared()),
        Some(shared_clock.clone()),
    );
    let err = client
        .create_payment(&multibanco(4200, "order-old"), &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    clock.advance(Duration::from_secs(25 * 3600));
    let fresh: Arc<dyn Provider> = Arc::new(easypay(server.base_url(), None, None));
    let report = Recovery::new(vec![fresh.clone()], shared_clock.clone())
        .run(&store.journal)
        .await
        .unwrap();
    assert_eq!(report.entries.len(), 1);
    assert!(
        matches!(&report.entries[0].finding, Finding::NeedsHuman { reason } if reason.contains("24 h")),
        "{:?}",
        report.entries[0].finding
    );
    assert_eq!(report.left_open(), 1);
    let open = store.journal.open_entries().await.unwrap();
    assert_eq!(open.len(), 1, "left as it was");
    assert_eq!(open[0].state, State::Ambiguous);
    // Younger than the minimum age: not looked at, but reported as skipped.
    let skipped = Recovery::new(vec![fresh], shared_clock)
        .min_age(Duration::from_secs(30 * 3600))
        .run(&store.journal)
        .await
        .unwrap();
    assert!(skipped.entries.is_empty());
    assert_eq!(skipped.skipped.len(), 1);
    assert_eq!(skipped.skipped[0].age, Duration::from_secs(25 * 3600));
}

async fn entries_younger_than_min_age_are_reported_as_skipped(store: Store) {
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let shared_clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let server = easypay_fake().await;
    server
        .faults()
        .on(Route::operation("single_create"))
        .then(Fault::AppliedThenStatus(500))
        .then_normal();
    let client = easypay(
        server.base_url(),
        Some(store.journal.shared()),
        Some(shared_clock.clone()),
    );
    let err = client
        .create_payment(&multibanco(4990, "order-young"), &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    clock.advance(Duration::from_secs(40));
    let fresh: Arc<dyn Provider> = Arc::new(easypay(server.base_url(), None, None));

    // The default minimum age (5 minutes): a 40 s old entry is skipped, and said so.
    let report = Recovery::new(vec![fresh.clone()], shared_clock.clone())
        .run(&store.journal)
        .await
        .unwrap();
    assert!(report.entries.is_empty());
    assert_eq!(report.skipped.len(), 1);
    let skipped = &report.skipped[0];
    assert_eq!(skipped.age, Duration::from_secs(40));
    assert_eq!(skipped.min_age, Duration::from_secs(300));
    assert_eq!(skipped.entry.reference.as_deref(), Some("order-young"));
    assert_eq!(report.left_open(), 0);
    let lines = report.lines();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with(&format!("#{} easypay single_create ", skipped.entry.id))
            && lines[0].contains("ref=order-young amount=49.90 EUR was ambiguous")
            && lines[0].ends_with(
                "skipped: 40 s old, younger than min_age 5 min; run again later or lower \
                 min_age"
            ),
        "{lines:?}"
    );
    let printed = report.to_string();
    assert!(printed.starts_with(&lines[0]), "{printed}");
    assert!(
        printed.ends_with(
            "0 entries looked at: 0 applied, 0 never applied, 0 left open; 1 skipped \
             (younger than min_age)"
        ),
        "{printed}"
    );
    // Nothing was read or settled.
    assert_eq!(store.journal.open_entries().await.unwrap().len(), 1);
    assert_eq!(received(&server, "single_list"), 0);

    // Lowering the minimum age below its age settles it.
    let report = Recovery::new(vec![fresh], shared_clock)
        .min_age(Duration::from_secs(30))
        .run(&store.journal)
        .await
        .unwrap();
    assert!(report.skipped.is_empty());
    assert_eq!(report.applied(), 1, "{report}");
    assert!(report.to_string().ends_with("1 entry looked at: 1 applied, 0 never applied, 0 left open; 0 skipped (younger than min_age)"));
    assert!(store.journal.open_entries().await.unwrap().is_empty());
    assert_eq!(payments_at(&server), 1);
}

async fn a_retryable_failure_retried_under_the_same_key_ends_succeeded(store: Store) {
    let server = easypay_fake().await;
    // The fake applies the payment, then resets the connection, on every attempt: the
    // adapter's own retries (same key) all lose their answer.
    server
        .faults()
        .on(Route::operation("single_create"))
        .then(Fault::AppliedThenLost)
        .then_repeat_last();
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    let request = multibanco(2590, "order-retry");
    let err = client
        .create_payment(&request, &CallOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::ProviderUnavailable),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.is_ambiguous());
    let key = err.idempotency_key().cloned().expect("a keyed write");
    assert_eq!(payments_at(&server), 1, "applied once despite the retries");
    // The journal cannot tell whether the write took effect: `ambiguous`.
    let open = store.journal.open_entries().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, State::Ambiguous);
    assert_eq!(open[0].idempotency_key.as_deref(), Some(key.as_str()));

    // The network recovers; the caller repeats the write under the same key.
    server.faults().clear();
    let payment = client
        .create_payment(&request, &CallOptions::new().idempotency_key(key.clone()))
        .await
        .unwrap();
    assert_eq!(
        payments_at(&server),
        1,
        "the retry replayed, it did not charge again"
    );
    let entries = store.journal.entries().await.unwrap();
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let id = payment.id.as_ref().map(|id| id.as_str().to_owned());
    for entry in &entries {
        assert_eq!(entry.state, State::Succeeded, "{entry:#?}");
        assert_eq!(entry.idempotency_key.as_deref(), Some(key.as_str()));
        assert_eq!(entry.provider_ids.get("id"), id.as_ref(), "{entry:#?}");
        assert_eq!(entry.settled_by.as_deref(), Some("call"));
    }
    assert!(
        entries[0]
            .detail
            .as_deref()
            .unwrap()
            .contains(&format!("same idempotency key as entry #{}", entries[1].id)),
        "{:?}",
        entries[0].detail
    );
    assert!(store.journal.open_entries().await.unwrap().is_empty());
    // Recovery has nothing left to do.
    let fresh: Arc<dyn Provider> = Arc::new(easypay(server.base_url(), None, None));
    let report = recover(&store.journal, vec![fresh], Arc::new(pay_core::SystemClock))
        .await
        .unwrap();
    assert!(report.entries.is_empty() && report.skipped.is_empty());

    // A fresh key would have been a new request: a second payment.
    let second = client
        .create_payment(&request, &CallOptions::new())
        .await
        .unwrap();
    assert_ne!(second.id, payment.id);
    assert_eq!(payments_at(&server), 2);
}
