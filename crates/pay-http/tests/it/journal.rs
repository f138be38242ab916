//! The write journal hook: a write is recorded before anything is sent and settled with
//! the call's outcome; reads are not recorded; a journal that cannot record stops the
//! write before it leaves (`JournalUnavailable`); the recorded body is redacted.

use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use pay_core::{
    CallOptions, ContentType, ErrorKind, JournalEntry, JournalId, PayError, Settlement,
    WriteJournal,
};
use pay_http::Request;
use pay_testkit::testing::Ledger;
use pay_testkit::{FakeServer, Fault, Route};

use crate::support::{
    CARD, DOCUMENTED, IBAN, KEYED_WRITE, READ, UNKEYED_WRITE, builder, secret_body, seed_entry,
};

/// An in-memory journal noting what the server had received when each entry was recorded.
struct Memory {
    server: Arc<FakeServer<Ledger>>,
    fail: bool,
    recorded: Mutex<Vec<(JournalEntry, usize)>>,
    settled: Mutex<Vec<(JournalId, Settlement)>>,
}

impl fmt::Debug for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Memory").finish_non_exhaustive()
    }
}

#[async_trait]
impl WriteJournal for Memory {
    async fn record(&self, entry: &JournalEntry) -> Result<JournalId, PayError> {
        if self.fail {
            return Err(PayError::new(ErrorKind::JournalUnavailable {
                reason: "disk full".to_owned(),
            }));
        }
        let mut recorded = self.recorded.lock().unwrap();
        recorded.push((entry.clone(), self.server.requests().len()));
        Ok(JournalId::new(i64::try_from(recorded.len()).unwrap()))
    }

    async fn settle(&self, id: JournalId, settlement: &Settlement) -> Result<(), PayError> {
        self.settled.lock().unwrap().push((id, settlement.clone()));
        Ok(())
    }
}

async fn setup(fail: bool) -> (Arc<FakeServer<Ledger>>, Arc<Memory>) {
    let server = Arc::new(FakeServer::start(Ledger::new()).await.unwrap());
    let journal = Arc::new(Memory {
        server: server.clone(),
        fail,
        recorded: Mutex::new(Vec::new()),
        settled: Mutex::new(Vec::new()),
    });
    (server, journal)
}

#[tokio::test]
async fn a_write_is_recorded_before_sending_and_settled_with_the_answer() {
    let (server, journal) = setup(false).await;
    let transport = builder(server.base_url(), DOCUMENTED)
        .journal(journal.clone())
        .build()
        .unwrap();
    let options = CallOptions::new();
    let response = transport
        .send(
            Request::new(&KEYED_WRITE, "/entries")
                .body(ContentType::Json, secret_body())
                .reference(pay_core::MerchantReference::new("order-7").unwrap())
                .options(&options),
        )
        .await
        .unwrap();
    let path = seed_entry(&server, "{}").await;
    let read_options = CallOptions::new();
    transport
        .send(Request::new(&READ, path).options(&read_options))
        .await
        .unwrap();

    let recorded = journal.recorded.lock().unwrap();
    assert_eq!(recorded.len(), 1, "the read is not recorded");
    let (entry, requests_then) = &recorded[0];
    assert_eq!(*requests_then, 0, "recorded before the first byte left");
    assert_eq!(entry.operation, "entry_create");
    assert_eq!(entry.path, "/entries");
    assert_eq!(entry.reference.as_ref().unwrap().as_str(), "order-7");
    assert_eq!(
        entry.idempotency_key.as_ref(),
        response.meta().idempotency_key()
    );
    let summary = entry.summary.as_ref().unwrap().as_str();
    assert!(summary.contains("\"note\":\"order\""), "{summary}");
    assert!(
        !summary.contains(CARD) && !summary.contains(IBAN),
        "{summary}"
    );

    let settled = journal.settled.lock().unwrap();
    assert_eq!(settled.len(), 1);
    let (settled_id, Settlement::Succeeded { status, answer, .. }) = &settled[0] else {
        panic!("{settled:?}")
    };
    assert_eq!(settled_id.get(), 1);
    assert_eq!(*status, 201);
    assert!(answer.as_str().contains("\"id\""), "{answer}");
}

#[tokio::test]
async fn a_journal_that_cannot_record_stops_the_write_before_it_leaves() {
    let (server, journal) = setup(true).await;
    let transport = builder(server.base_url(), DOCUMENTED)
        .journal(journal.clone())
        .build()
        .unwrap();
    let options = CallOptions::new();
    let err = transport
        .send(
            Request::new(&KEYED_WRITE, "/entries")
                .body(ContentType::Json, "{}")
                .options(&options),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::JournalUnavailable { reason } if reason.contains("disk full")),
        "{err:?}"
    );
    assert_eq!(err.operation(), Some("entry_create"));
    assert!(err.idempotency_key().is_some());
    assert!(server.requests().is_empty(), "nothing was sent");
    assert!(server.provider().is_empty());
    assert!(journal.settled.lock().unwrap().is_empty());
}

#[tokio::test]
async fn lost_and_refused_writes_settle_ambiguous_and_failed() {
    let (server, journal) = setup(false).await;
    let transport = builder(server.base_url(), DOCUMENTED)
        .journal(journal.clone())
        .build()
        .unwrap();
    server
        .faults()
        .on(Route::new("POST", "/entries"))
        .then(Fault::AppliedThenLost)
        .then(Fault::status(422))
        .then_normal();
    let options = CallOptions::new();
    for _ in 0..2 {
        let err = transport
            .send(
                Request::new(&UNKEYED_WRITE, "/entries")
                    .body(ContentType::Json, "{}")
                    .options(&options),
            )
            .await
            .unwrap_err();
        assert!(
            err.is_ambiguous() || err.http_status() == Some(422),
            "{err:?}"
        );
    }
    let settled = journal.settled.lock().unwrap();
    let states: Vec<&str> = settled.iter().map(|(_, s)| s.state()).collect();
    assert_eq!(states, ["ambiguous", "failed"]);
    assert!(matches!(
        &settled[1].1,
        Settlement::Failed {
            status: Some(422),
            ..
        }
    ));
}
