//! A process killed at each step of a write, on both backends and with both providers:
//! between recording and sending, between sending and the answer, and between the answer
//! and settling. After each kill (a real `SIGKILL` of a child process), a "restarted"
//! process opens the same journal and `recover` reaches the true state at the fake: the
//! payment found when the fake applied it, nothing when it never left, and never a second
//! charge.
//!
//! The child is this test executable run again with [`CHILD`] set, running
//! [`child_process_entry_point`] against the fake the parent serves (the fake must outlive
//! the child). `processes_write_at_once` runs three such children side by side.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use pay_core::{
    JournalEntry, JournalId, PayError, Payments, Provider, Settlement, SystemClock, WriteJournal,
};
use pay_journal::{Finding, Journal, State, recover};
use pay_testkit::{FakeProvider, FakeServer, Fault, Route};

use crate::support::{
    Store, card_payment, easypay, easypay_fake, easytransac, easytransac_fake, multibanco,
    on_both_backends, payments_at, received,
};

/// Set in the child: the step it is killed at (`record`, `send` or `settle`).
const CHILD: &str = "PAY_JOURNAL_CRASH_STEP";
const CHILD_DB: &str = "PAY_JOURNAL_CRASH_DB";
const CHILD_PROVIDER: &str = "PAY_JOURNAL_CRASH_PROVIDER";
const CHILD_BASE: &str = "PAY_JOURNAL_CRASH_BASE";
const CHILD_ORDER: &str = "PAY_JOURNAL_CRASH_ORDER";
/// What the child prints when it has reached the step it stops at.
const AT_STEP: &str = "PAY-JOURNAL-CHILD-AT-STEP";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Killed after the entry is recorded, before anything is sent.
    Record,
    /// Killed after the fake applied the write, before its answer arrived.
    Send,
    /// Killed after the answer arrived, before the entry is settled.
    Settle,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Record => "record",
            Step::Send => "send",
            Step::Settle => "settle",
        }
    }
}

/// The child's journal: the real one, but the process stops (waiting to be killed) right
/// after recording or right before settling, as its step says.
#[derive(Debug)]
struct StopAt {
    inner: Journal,
    step: String,
}

impl StopAt {
    async fn stop_here(&self) {
        println!("{AT_STEP}");
        // Parked until the parent kills the process.
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[async_trait]
impl WriteJournal for StopAt {
    async fn record(&self, entry: &JournalEntry) -> Result<JournalId, PayError> {
        let id = self.inner.record(entry).await?;
        if self.step == "record" {
            self.stop_here().await;
        }
        Ok(id)
    }

    async fn settle(&self, id: JournalId, settlement: &Settlement) -> Result<(), PayError> {
        if self.step == "settle" {
            self.stop_here().await;
        }
        self.inner.settle(id, settlement).await
    }
}

/// The child process's work: one payment through a journaled client, stopped at its step.
/// Run without [`CHILD`] (as part of the normal test run), it has nothing to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_process_entry_point() {
    let Ok(step) = std::env::var(CHILD) else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set"));
    let journal = Journal::open(&var(CHILD_DB))
        .await
        .expect("the journal opens");
    let journal = Arc::new(StopAt {
        inner: journal,
        step,
    });
    let order = var(CHILD_ORDER);
    if journal.step == "many" {
        // Not a crash: this process writes alongside others (see
        // `processes_write_at_once`).
        let client = easypay(&var(CHILD_BASE), Some(journal), None);
        for n in 0..PER_PROCESS {
            client
                .create_payment(
                    &multibanco(100, &format!("{order}-{n}")),
                    &Default::default(),
                )
                .await
                .expect("the payment is made");
        }
        println!("PAY-JOURNAL-CHILD-FINISHED");
        return;
    }
    let result = match var(CHILD_PROVIDER).as_str() {
        "easypay" => {
            easypay(&var(CHILD_BASE), Some(journal), None)
                .create_payment(&multibanco(1999, &order), &Default::default())
                .await
        }
        _ => {
            easytransac(&var(CHILD_BASE), Some(journal))
                .create_payment(&card_payment(1999, &order), &Default::default())
                .await
        }
    };
    // Never reached when the parent kills the child at its step.
    println!("PAY-JOURNAL-CHILD-FINISHED {:?}", result.map(|p| p.status));
}

/// Kills the child on drop, so a failing parent leaves no process behind.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_child(store: &Store, provider: &str, base: &str, order: &str, step: Step) -> Killed {
    let exe = std::env::current_exe().expect("the test executable");
    let child = Command::new(exe)
        .args([
            "crash::child_process_entry_point",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, step.name())
        .env(CHILD_DB, &store.url)
        .env(CHILD_PROVIDER, provider)
        .env(CHILD_BASE, base)
        .env(CHILD_ORDER, order)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the child starts");
    Killed(child)
}

/// Waits (at most a minute) for the child to say it reached its step.
fn wait_for_step(child: &mut Killed) {
    let stdout = child.0.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let done = line.contains(AT_STEP) || line.contains("PAY-JOURNAL-CHILD-FINISHED");
            if done {
                let _ = tx.send(line);
                break;
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the child reaches its step within a minute");
    assert!(
        line.contains(AT_STEP),
        "the child went past its step: {line}"
    );
}

/// Waits (at most a minute) until the fake holds `count` payments.
async fn wait_for_payments<P: FakeProvider>(server: &FakeServer<P>, count: usize) {
    let start = Instant::now();
    while payments_at(server) < count {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the fake never applied the write"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One crash: the child is killed at `step`, then a fresh process's `recover` settles.
async fn crash<P: FakeProvider>(
    store: Store,
    server: FakeServer<P>,
    provider: &'static str,
    base: &str,
    step: Step,
    fresh: Arc<dyn Provider>,
) {
    let create = if provider == "easypay" {
        "single_create"
    } else {
        "v1_payment_direct"
    };
    if step == Step::Send {
        server
            .faults()
            .on(Route::operation(create))
            .then(Fault::AppliedThenHang)
            .then_normal();
    }
    let order = format!("crash-{provider}-{}", step.name());
    let mut child = spawn_child(&store, provider, base, &order, step);
    match step {
        Step::Record | Step::Settle => wait_for_step(&mut child),
        Step::Send => wait_for_payments(&server, 1).await,
    }
    drop(child); // SIGKILL, then reaped.

    // What the dead process left: one entry, still pending.
    let restarted = Journal::open(&store.url).await.unwrap();
    let open = restarted.open_entries().await.unwrap();
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].state, State::Pending);
    assert_eq!(open[0].reference.as_deref(), Some(order.as_str()));
    assert_eq!(open[0].amount.map(|m| m.minor_units()), Some(1999));
    let (applied, sent) = match step {
        Step::Record => (0, 0),
        Step::Send | Step::Settle => (1, 1),
    };
    assert_eq!(payments_at(&server), applied);
    assert_eq!(received(&server, create), sent);

    let report = recover(&restarted, vec![fresh], Arc::new(SystemClock))
        .await
        .unwrap();
    assert_eq!(report.entries.len(), 1, "{:?}", report.lines());
    let entry = restarted.entry(open[0].id).await.unwrap().unwrap();
    match step {
        Step::Record => {
            assert_eq!(report.entries[0].finding, Finding::NotApplied);
            assert_eq!(entry.state, State::Failed);
        }
        Step::Send | Step::Settle => {
            let Finding::Applied { payment_id, .. } = &report.entries[0].finding else {
                panic!("{:?}", report.lines())
            };
            let at_fake = server
                .snapshot()
                .of_kind(&pay_testkit::ResourceKind::Payment)
                .next()
                .unwrap()
                .id()
                .to_owned();
            assert_eq!(payment_id, &at_fake);
            assert_eq!(entry.state, State::Succeeded);
            assert_eq!(entry.provider_ids["payment"], at_fake);
        }
    }
    assert_eq!(entry.settled_by.as_deref(), Some("recover"));
    // No second charge, nothing sent again, nothing left open.
    assert_eq!(payments_at(&server), applied);
    assert_eq!(received(&server, create), sent);
    assert!(restarted.open_entries().await.unwrap().is_empty());
}

/// Payments each writing process makes in `processes_write_at_once`.
const PER_PROCESS: usize = 8;

/// Three processes write through one store at the same time (SQLite: one file, WAL and
/// busy timeout; PostgreSQL: a pool each): every write is journaled and settled.
async fn processes_write_at_once(store: Store) {
    const PROCESSES: usize = 3;
    let server = easypay_fake().await;
    let base = server.base_url().to_owned();
    let children: Vec<Killed> = (0..PROCESSES)
        .map(|p| {
            let exe = std::env::current_exe().expect("the test executable");
            let child = Command::new(exe)
                .args([
                    "crash::child_process_entry_point",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, "many")
                .env(CHILD_DB, &store.url)
                .env(CHILD_PROVIDER, "easypay")
                .env(CHILD_BASE, &base)
                .env(CHILD_ORDER, format!("many-{p}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("the child starts");
            Killed(child)
        })
        .collect();
    let statuses = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|mut child| child.0.wait().expect("the child ends"))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");
    let entries = store.journal.entries().await.unwrap();
    assert_eq!(entries.len(), PROCESSES * PER_PROCESS);
    assert!(entries.iter().all(|e| e.state == State::Succeeded));
    assert_eq!(payments_at(&server), PROCESSES * PER_PROCESS);
}

async fn easypay_crash(store: Store, step: Step) {
    let server = easypay_fake().await;
    let base = server.base_url().to_owned();
    let fresh: Arc<dyn Provider> = Arc::new(easypay(&base, None, None));
    crash(store, server, "easypay", &base, step, fresh).await;
}

async fn easytransac_crash(store: Store, step: Step) {
    let server = easytransac_fake().await;
    let base = server.base_url().to_owned();
    let fresh: Arc<dyn Provider> = Arc::new(easytransac(&base, None));
    crash(store, server, "easytransac", &base, step, fresh).await;
}

async fn easypay_killed_between_record_and_send(store: Store) {
    easypay_crash(store, Step::Record).await;
}

async fn easypay_killed_between_send_and_answer(store: Store) {
    easypay_crash(store, Step::Send).await;
}

async fn easypay_killed_between_answer_and_settle(store: Store) {
    easypay_crash(store, Step::Settle).await;
}

async fn easytransac_killed_between_record_and_send(store: Store) {
    easytransac_crash(store, Step::Record).await;
}

async fn easytransac_killed_between_send_and_answer(store: Store) {
    easytransac_crash(store, Step::Send).await;
}

async fn easytransac_killed_between_answer_and_settle(store: Store) {
    easytransac_crash(store, Step::Settle).await;
}

on_both_backends!(
    processes_write_at_once,
    easypay_killed_between_record_and_send,
    easypay_killed_between_send_and_answer,
    easypay_killed_between_answer_and_settle,
    easytransac_killed_between_record_and_send,
    easytransac_killed_between_send_and_answer,
    easytransac_killed_between_answer_and_settle,
);
