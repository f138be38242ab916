//! Journals on both backends (a fresh SQLite file, or a fresh database on the PostgreSQL
//! server `PAY_JOURNAL_POSTGRES_URL` names), the two fakes, and clients on them.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pay_core::{
    CardDetails, CardExpiry, CardNumber, Clock, CreatePayment, Currency, Customer, Cvv, Email,
    MerchantReference, Money, PaymentMethod, RetryPolicy, WriteJournal,
};
use pay_easypay::{AccountId, ApiKey, EasypayClient};
use pay_easytransac::EasytransacClient;
use pay_journal::Journal;
use pay_testkit::FakeServer;
use pay_testkit::easypay::{EasypayConfig, EasypayFake};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake};
use secrecy::SecretString;
use sqlx::Connection;

pub(crate) const EASYPAY_ACCOUNT: &str = "11111111-2222-4333-8444-555555555555";
pub(crate) const EASYPAY_KEY: &str = "journal-it-easypay-key-4242";
pub(crate) const EASYTRANSAC_KEY: &str = "et_test_journal-it-key";
pub(crate) const CARD: &str = pay_testkit::easytransac::cards::SUCCESS;

/// The variable naming the PostgreSQL server the tests use.
pub(crate) const POSTGRES_URL: &str = "PAY_JOURNAL_POSTGRES_URL";

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, empty store: its URL (for a second journal or a child process) and a first
/// journal on it. The SQLite file is removed on drop.
pub(crate) struct Store {
    pub(crate) url: String,
    pub(crate) journal: Journal,
    /// The server's own URL, to drop the database.
    admin: Option<String>,
    pub(crate) name: String,
    dir: Option<PathBuf>,
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The PostgreSQL server to test against, or `None` (after saying so) when none is
/// configured outside CI. Under CI (`CI` set), a missing server is a failure.
pub(crate) fn postgres_server() -> Option<String> {
    match std::env::var(POSTGRES_URL) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{POSTGRES_URL} is not set under CI: .ci/run starts PostgreSQL and sets it"
            );
            eprintln!(
                "SKIPPED: no PostgreSQL server configured; set {POSTGRES_URL} \
                 (e.g. postgres://pay@127.0.0.1:5432/postgres) to run the PostgreSQL tests"
            );
            None
        }
    }
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let root = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(query) => format!("{root}/{database}?{query}"),
        None => format!("{root}/{database}"),
    }
}

impl Store {
    /// A fresh store of `kind`, or `None` when PostgreSQL is not configured (outside CI).
    pub(crate) async fn fresh(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Sqlite => {
                let name = unique("pay_journal_it");
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite:{}", dir.join("journal.db").display());
                let journal = Journal::open(&url).await.expect("a SQLite journal");
                Some(Self {
                    url,
                    journal,
                    admin: None,
                    name,
                    dir: Some(dir),
                })
            }
            Kind::Postgres => {
                let admin = postgres_server()?;
                let name = unique("pay_journal_it");
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("the PostgreSQL server answers");
                sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("a fresh database");
                conn.close().await.ok();
                let url = with_database(&admin, &name);
                let journal = Journal::open(&url).await.expect("a PostgreSQL journal");
                Some(Self {
                    url,
                    journal,
                    admin: Some(admin),
                    name,
                    dir: None,
                })
            }
        }
    }

    /// What drops this store's PostgreSQL database once its scenario is over (each test
    /// makes one; a whole run would otherwise leave dozens on the server).
    pub(crate) fn cleanup(&self) -> Cleanup {
        Cleanup {
            admin: self.admin.clone(),
            name: self.name.clone(),
        }
    }

    /// Makes the database go away under the journal: the PostgreSQL database is dropped
    /// (its connections terminated); the SQLite pool is closed.
    pub(crate) async fn take_away(&self) {
        match &self.admin {
            Some(admin) => {
                let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
                sqlx::raw_sql(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
                    .execute(&mut conn)
                    .await
                    .expect("the database is dropped");
                conn.close().await.ok();
            }
            None => self.journal.close().await,
        }
    }
}

/// Drops a test's PostgreSQL database (nothing for SQLite, whose directory goes with the
/// [`Store`]).
pub(crate) struct Cleanup {
    admin: Option<String>,
    name: String,
}

impl Cleanup {
    pub(crate) async fn run(self) {
        if let Some(admin) = self.admin {
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::raw_sql(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await
            .expect("the test database is dropped");
            conn.close().await.ok();
        }
    }
}

/// Runs a scenario on both backends: `sqlite` always, `postgres` against the configured
/// server (skipped, with a message, only when none is configured outside CI).
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let store = crate::support::Store::fresh(crate::support::Kind::Sqlite)
                        .await
                        .expect("SQLite always runs");
                    super::$scenario(store).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(store) =
                        crate::support::Store::fresh(crate::support::Kind::Postgres).await
                    {
                        let cleanup = store.cleanup();
                        super::$scenario(store).await;
                        cleanup.run().await;
                    }
                }
            }
        )*
    };
}
pub(crate) use on_both_backends;

/// The Easypay fake on 127.0.0.1:0.
pub(crate) async fn easypay_fake() -> FakeServer<EasypayFake> {
    FakeServer::start(EasypayFake::new(EasypayConfig::new(
        EASYPAY_ACCOUNT,
        EASYPAY_KEY,
    )))
    .await
    .expect("the Easypay fake starts")
}

/// The Easytransac fake on 127.0.0.1:0.
pub(crate) async fn easytransac_fake() -> FakeServer<EasytransacFake> {
    FakeServer::start(EasytransacFake::new(EasytransacConfig::new(
        SecretString::from(EASYTRANSAC_KEY),
    )))
    .await
    .expect("the Easytransac fake starts")
}

fn policy() -> RetryPolicy {
    RetryPolicy::new(2, Duration::from_millis(1), Duration::from_millis(5))
}

/// An Easypay client on the fake at `base` (its root URL), with `journal`.
pub(crate) fn easypay(
    base: &str,
    journal: Option<Arc<dyn WriteJournal>>,
    clock: Option<Arc<dyn Clock>>,
) -> EasypayClient {
    let mut builder =
        EasypayClient::builder(AccountId::new(EASYPAY_ACCOUNT), ApiKey::new(EASYPAY_KEY))
            .base_url(format!("{base}/2.0"))
            .retry_policy(policy())
            .attempt_timeout(Duration::from_secs(30));
    if let Some(journal) = journal {
        builder = builder.journal(journal);
    }
    if let Some(clock) = clock {
        builder = builder.clock(clock);
    }
    builder.build().expect("an Easypay client")
}

/// An Easytransac client on the fake at `base`, with `journal`.
pub(crate) fn easytransac(base: &str, journal: Option<Arc<dyn WriteJournal>>) -> EasytransacClient {
    let mut builder = EasytransacClient::builder(SecretString::from(EASYTRANSAC_KEY))
        .base_url(base)
        .retry_policy(policy())
        .attempt_timeout(Duration::from_secs(30));
    if let Some(journal) = journal {
        builder = builder.journal(journal);
    }
    builder.build().expect("an Easytransac client")
}

pub(crate) fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

pub(crate) fn reference(text: &str) -> MerchantReference {
    MerchantReference::new(text).unwrap()
}

/// A Multibanco payment of `minor` cents (Easypay).
pub(crate) fn multibanco(minor: i64, order: &str) -> CreatePayment {
    CreatePayment::new(eur(minor), reference(order), PaymentMethod::Multibanco).unwrap()
}

/// A card payment of `minor` cents with the fake's always-accepted card (Easytransac).
pub(crate) fn card_payment(minor: i64, order: &str) -> CreatePayment {
    let card = PaymentMethod::Card(CardDetails::new(
        CardNumber::new(CARD).unwrap(),
        CardExpiry::new(12, 2031).unwrap(),
        Cvv::new("737").unwrap(),
    ));
    let customer = Customer::new()
        .with_email(Email::parse("ana@example.org").unwrap())
        .with_name("Ana", "Silva")
        .with_ip_address(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    CreatePayment::new(eur(minor), reference(order), card)
        .unwrap()
        .with_customer(customer)
}

/// How many payments the fake holds.
pub(crate) fn payments_at<P: pay_testkit::FakeProvider>(server: &FakeServer<P>) -> usize {
    server
        .snapshot()
        .of_kind(&pay_testkit::ResourceKind::Payment)
        .count()
}

/// How many requests of `operation` the fake received.
pub(crate) fn received<P: pay_testkit::FakeProvider>(
    server: &FakeServer<P>,
    operation: &str,
) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.operation() == Some(operation))
        .count()
}

#[test]
fn database_names_are_replaced() {
    assert_eq!(
        with_database("postgres://pay@127.0.0.1:5432/postgres", "x"),
        "postgres://pay@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://pay@127.0.0.1:5432", "x"),
        "postgres://pay@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/db?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
}
