//! [`Journal`]: the two backends behind one type, the write journal and the webhook store
//! on each, and reading entries back.
//!
//! Every statement is written once, with `$N` parameters (which SQLite reads as numbered
//! parameters too), and run on whichever pool the journal has.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use pay_core::{
    Clock, Currency, ErrorKind, EventId, JournalEntry, JournalId, Money, PayError, ProviderId,
    SeenEvents, Settlement, SystemClock, WriteJournal,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Row, SqlitePool};

use crate::entry::{Entry, State};
use crate::{migrate, providers};

/// Which database a [`Journal`] is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// An embedded SQLite file (WAL mode, full sync, 10 s busy timeout).
    Sqlite,
    /// A PostgreSQL server, shared by many instances.
    Postgres,
}

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A durable write journal and webhook store, on SQLite or PostgreSQL. Cheap to clone
/// (clones share the connection pool); hand it to clients as `Arc<dyn WriteJournal>` with
/// [`Journal::shared`].
#[derive(Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Journal {
    /// The backend only: a PostgreSQL URL may carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// Runs `$body` with `$pool` bound to whichever pool the journal has.
macro_rules! on_pool {
    ($journal:expr, $pool:ident => $body:expr) => {
        match &$journal.inner.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// Reads an [`Entry`] from a row of either backend.
macro_rules! read_entry {
    ($row:expr) => {{
        let row = $row;
        let currency: Option<String> = row.try_get("currency")?;
        let minor: Option<i64> = row.try_get("amount_minor")?;
        let ids: Option<String> = row.try_get("provider_ids")?;
        let state: String = row.try_get("state")?;
        let status: Option<i64> = row.try_get("http_status")?;
        let settled: Option<i64> = row.try_get("settled_at_ms")?;
        Ok::<Entry, sqlx::Error>(Entry {
            id: JournalId::new(row.try_get("id")?),
            provider: row.try_get("provider")?,
            operation: row.try_get("operation")?,
            method: row.try_get("method")?,
            path: row.try_get("path")?,
            reference: row.try_get("merchant_reference")?,
            idempotency_key: row.try_get("idempotency_key")?,
            amount: money(minor, currency.as_deref()),
            summary: row.try_get("request_summary")?,
            state: State::parse(&state).unwrap_or(State::Ambiguous),
            http_status: status.and_then(|s| u16::try_from(s).ok()),
            provider_ids: ids
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default(),
            request_id: row.try_get("request_id")?,
            detail: row.try_get("detail")?,
            recorded_at: time(row.try_get("recorded_at_ms")?),
            settled_at: settled.map(time),
            settled_by: row.try_get("settled_by")?,
        })
    }};
}

const INSERT_ENTRY: &str = "INSERT INTO pay_journal_entries \
    (provider, operation, method, path, merchant_reference, idempotency_key, amount_minor, \
     currency, request_summary, state, recorded_at_ms) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10) RETURNING id";

const SETTLE: &str = "UPDATE pay_journal_entries SET state = $1, http_status = $2, \
    provider_ids = $3, request_id = $4, detail = $5, settled_at_ms = $6, settled_by = $7 \
    WHERE id = $8 AND state IN ('pending', 'ambiguous') RETURNING idempotency_key";

/// After a keyed write succeeded (entry `$4`), the earlier open entries of the same write:
/// same provider, operation, path, idempotency key and redacted request. They are earlier
/// attempts whose outcome was unknown (a lost answer, a retryable failure) that the caller
/// repeated under the same key; the provider applies a key once and replays its answer, so
/// they took the effect this one reports.
const SETTLE_SAME_KEY: &str = "UPDATE pay_journal_entries SET state = 'succeeded', \
    provider_ids = $1, detail = $2, settled_at_ms = $3, settled_by = 'call' \
    WHERE state IN ('pending', 'ambiguous') AND id < $4 AND idempotency_key IS NOT NULL \
    AND (provider, operation, path, idempotency_key, COALESCE(request_summary, '')) = \
    (SELECT provider, operation, path, idempotency_key, COALESCE(request_summary, '') \
     FROM pay_journal_entries WHERE id = $4)";

const SELECT_ENTRIES: &str = "SELECT id, provider, operation, method, path, merchant_reference, \
    idempotency_key, amount_minor, currency, request_summary, state, http_status, provider_ids, \
    request_id, detail, recorded_at_ms, settled_at_ms, settled_by FROM pay_journal_entries";

/// How an entry is settled: by the call's answer (`by = "call"`) or by recovery.
pub(crate) struct Outcome<'a> {
    pub(crate) state: State,
    pub(crate) status: Option<u16>,
    pub(crate) ids: &'a BTreeMap<String, String>,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) detail: Option<&'a str>,
    pub(crate) by: &'static str,
}

fn unavailable(context: &str, err: impl fmt::Display) -> PayError {
    PayError::new(ErrorKind::JournalUnavailable {
        reason: format!("{context}: {err}"),
    })
}

fn millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

fn money(minor: Option<i64>, currency: Option<&str>) -> Option<Money> {
    Money::from_minor(minor?, Currency::from_code(currency?)?).ok()
}

impl Journal {
    /// Opens (creating it when absent) the SQLite journal at `path` and migrates it: WAL
    /// mode, so readers never block the writer; a 10 s busy timeout, so concurrent writers
    /// (tasks or processes) wait their turn instead of failing; full sync, so a recorded
    /// entry survives the process and the machine.
    ///
    /// # Errors
    /// [`ErrorKind::JournalUnavailable`] when the file cannot be opened or migrated.
    pub async fn sqlite(path: impl AsRef<Path>) -> Result<Self, PayError> {
        let options = SqliteConnectOptions::new()
            .filename(path.as_ref())
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| unavailable("cannot open the SQLite journal", e))?;
        let journal = Self::new(Pool::Sqlite(pool));
        journal.migrate().await?;
        Ok(journal)
    }

    /// Connects to PostgreSQL at `url` (`postgres://user:password@host:port/database`)
    /// with a pool of up to 8 connections, and migrates the schema (once, however many
    /// instances start together).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] for a URL that is not one;
    /// [`ErrorKind::JournalUnavailable`] when the server cannot be reached or migrated.
    pub async fn postgres(url: &str) -> Result<Self, PayError> {
        Self::postgres_with(url, 8).await
    }

    /// [`postgres`](Self::postgres) with up to `max_connections` connections.
    ///
    /// # Errors
    /// As [`postgres`](Self::postgres).
    pub async fn postgres_with(url: &str, max_connections: u32) -> Result<Self, PayError> {
        let options = PgConnectOptions::from_str(url).map_err(|_| {
            PayError::new(ErrorKind::Configuration {
                reason: "the PostgreSQL journal URL is not a postgres:// URL".to_owned(),
            })
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| unavailable("cannot connect to the PostgreSQL journal", e))?;
        let journal = Self::new(Pool::Postgres(pool));
        journal.migrate().await?;
        Ok(journal)
    }

    /// Opens a journal by URL: `postgres://…` or `postgresql://…` for PostgreSQL,
    /// `sqlite:PATH` or a plain file path for SQLite.
    ///
    /// # Errors
    /// As [`sqlite`](Self::sqlite) and [`postgres`](Self::postgres).
    pub async fn open(url: &str) -> Result<Self, PayError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::postgres(url).await
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            Self::sqlite(path).await
        }
    }

    fn new(pool: Pool) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                clock: Arc::new(SystemClock),
            }),
        }
    }

    /// The clock settlement times are read from (default: the system's). Set it before
    /// sharing the journal.
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        let pool = match &self.inner.pool {
            Pool::Sqlite(pool) => Pool::Sqlite(pool.clone()),
            Pool::Postgres(pool) => Pool::Postgres(pool.clone()),
        };
        Self {
            inner: Arc::new(Inner { pool, clock }),
        }
    }

    /// This journal as what clients' builders take (`.journal(journal.shared())`).
    pub fn shared(&self) -> Arc<dyn WriteJournal> {
        Arc::new(self.clone())
    }

    /// Which database it is on.
    pub fn backend(&self) -> Backend {
        match self.inner.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes the pool; later calls fail with [`ErrorKind::JournalUnavailable`].
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }

    async fn migrate(&self) -> Result<(), PayError> {
        let now = millis(self.inner.clock.now());
        let result = match &self.inner.pool {
            Pool::Sqlite(pool) => migrate::sqlite(pool, now).await,
            Pool::Postgres(pool) => migrate::postgres(pool, now).await,
        };
        result.map_err(|e| unavailable("cannot migrate the journal", e))
    }

    /// The schema version the database is at.
    ///
    /// # Errors
    /// [`ErrorKind::JournalUnavailable`] when the store cannot be read.
    pub async fn schema_version(&self) -> Result<i64, PayError> {
        const SQL: &str =
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM pay_journal_migrations";
        let version = on_pool!(self, pool => sqlx::query(SQL)
            .fetch_one(pool)
            .await
            .and_then(|row| row.try_get::<i64, _>("v")));
        version.map_err(|e| unavailable("cannot read the schema version", e))
    }

    /// Every entry, oldest first.
    ///
    /// # Errors
    /// [`ErrorKind::JournalUnavailable`] when the store cannot be read.
    pub async fn entries(&self) -> Result<Vec<Entry>, PayError> {
        self.select(&format!("{SELECT_ENTRIES} ORDER BY id")).await
    }

    /// The entries recovery has to settle (`pending` or `ambiguous`), oldest first.
    ///
    /// # Errors
    /// [`ErrorKind::JournalUnavailable`] when the store cannot be read.
    pub async fn open_entries(&self) -> Result<Vec<Entry>, PayError> {
        self.select(&format!(
            "{SELECT_ENTRIES} WHERE state IN ('pending', 'ambiguous') ORDER BY id"
        ))
        .await
    }

    /// Every entry of `operation` at `provider`, in any state, oldest first: what recovery
    /// compares an open entry with (the writes to the same resource the journal already
    /// accounts for).
    pub(crate) async fn entries_of(
        &self,
        provider: &str,
        operation: &str,
    ) -> Result<Vec<Entry>, PayError> {
        let sql = format!("{SELECT_ENTRIES} WHERE provider = $1 AND operation = $2 ORDER BY id");
        let rows = on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(provider).bind(operation).fetch_all(pool).await;
            rows.and_then(|rows| rows.iter().map(|row| read_entry!(row)).collect::<Result<Vec<_>, _>>())
        });
        rows.map_err(|e| unavailable("cannot read the journal", e))
    }

    /// One entry.
    ///
    /// # Errors
    /// [`ErrorKind::JournalUnavailable`] when the store cannot be read.
    pub async fn entry(&self, id: JournalId) -> Result<Option<Entry>, PayError> {
        let sql = format!("{SELECT_ENTRIES} WHERE id = $1");
        let rows = on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(id.get()).fetch_all(pool).await;
            rows.and_then(|rows| rows.iter().map(|row| read_entry!(row)).collect::<Result<Vec<_>, _>>())
        });
        rows.map(|mut rows| rows.pop())
            .map_err(|e| unavailable("cannot read the journal", e))
    }

    async fn select(&self, sql: &str) -> Result<Vec<Entry>, PayError> {
        let rows = on_pool!(self, pool => {
            let rows = sqlx::query(sql).fetch_all(pool).await;
            rows.and_then(|rows| rows.iter().map(|row| read_entry!(row)).collect::<Result<Vec<_>, _>>())
        });
        rows.map_err(|e| unavailable("cannot read the journal", e))
    }

    /// Settles an open entry; `false` when it was not open any more (another process
    /// settled it first).
    pub(crate) async fn settle_as(
        &self,
        id: JournalId,
        outcome: &Outcome<'_>,
    ) -> Result<bool, PayError> {
        self.settle_keyed(id, outcome)
            .await
            .map(|done| done.is_some())
    }

    /// [`settle_as`](Self::settle_as), saying also whether the entry has an idempotency
    /// key: `None` when it was not open any more, `Some(keyed)` when it was settled.
    async fn settle_keyed(
        &self,
        id: JournalId,
        outcome: &Outcome<'_>,
    ) -> Result<Option<bool>, PayError> {
        let ids = (!outcome.ids.is_empty())
            .then(|| serde_json::to_string(outcome.ids).unwrap_or_default());
        let now = millis(self.inner.clock.now());
        let status = outcome.status.map(i64::from);
        let done = on_pool!(self, pool => sqlx::query(SETTLE)
        .bind(outcome.state.as_str())
        .bind(status)
        .bind(ids.as_deref())
        .bind(outcome.request_id)
        .bind(outcome.detail)
        .bind(now)
        .bind(outcome.by)
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .and_then(|row| {
            row.map(|row| row.try_get::<Option<String>, _>("idempotency_key"))
                .transpose()
        }));
        done.map(|row| row.map(|key| key.is_some()))
            .map_err(|e| unavailable("cannot settle the journal entry", e))
    }

    /// Settles `succeeded` the earlier open entries of the write entry `id` repeated under
    /// the same idempotency key (see [`SETTLE_SAME_KEY`]), with its ids.
    async fn settle_same_key(
        &self,
        id: JournalId,
        ids: &BTreeMap<String, String>,
    ) -> Result<(), PayError> {
        let ids = (!ids.is_empty()).then(|| serde_json::to_string(ids).unwrap_or_default());
        let detail = format!(
            "repeated under the same idempotency key as entry #{id}, which succeeded: the \
             provider applied the write once"
        );
        let now = millis(self.inner.clock.now());
        let done = on_pool!(self, pool => sqlx::query(SETTLE_SAME_KEY)
            .bind(ids.as_deref())
            .bind(detail.as_str())
            .bind(now)
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ()));
        done.map_err(|e| unavailable("cannot settle the journal entry", e))
    }

    /// Forgets the webhook events first seen before `before` (a retention window), and
    /// says how many.
    ///
    /// # Errors
    /// [`ErrorKind::JournalUnavailable`] when the store cannot be written.
    pub async fn forget_seen_before(&self, before: SystemTime) -> Result<u64, PayError> {
        const SQL: &str = "DELETE FROM pay_journal_seen_events WHERE seen_at_ms < $1";
        let at = millis(before);
        let done = on_pool!(self, pool => sqlx::query(SQL).bind(at).execute(pool).await.map(|r| r.rows_affected()));
        done.map_err(|e| unavailable("cannot purge seen events", e))
    }
}

#[async_trait]
impl WriteJournal for Journal {
    async fn record(&self, entry: &JournalEntry) -> Result<JournalId, PayError> {
        let provider = entry.provider.as_str();
        let summary = entry.summary.as_ref().map(|s| providers::scrub(s.as_str()));
        let reference = entry
            .reference
            .as_ref()
            .map(|r| r.as_str().to_owned())
            .or_else(|| {
                summary
                    .as_deref()
                    .and_then(|s| providers::reference_of(provider, s))
            });
        let amount = summary
            .as_deref()
            .and_then(|s| providers::amount_of(provider, s));
        let minor = amount.map(|m| m.minor_units());
        let currency = amount.map(|m| m.currency().code());
        let key = entry.idempotency_key.as_ref().map(|k| k.as_str());
        let at = millis(entry.at);
        let id = on_pool!(self, pool => sqlx::query(INSERT_ENTRY)
            .bind(provider)
            .bind(entry.operation)
            .bind(entry.method.as_str())
            .bind(entry.path.as_str())
            .bind(reference.as_deref())
            .bind(key)
            .bind(minor)
            .bind(currency)
            .bind(summary.as_deref())
            .bind(at)
            .fetch_one(pool)
            .await
            .and_then(|row| row.try_get::<i64, _>("id")));
        id.map(JournalId::new)
            .map_err(|e| unavailable("cannot record the write", e).with_provider(entry.provider))
    }

    async fn settle(&self, id: JournalId, settlement: &Settlement) -> Result<(), PayError> {
        let (state, status, ids, request_id, detail) = match settlement {
            Settlement::Succeeded {
                status,
                request_id,
                answer,
            } => (
                State::Succeeded,
                Some(*status),
                providers::ids_of(answer.as_str()),
                request_id.as_ref().map(|r| r.as_str().to_owned()),
                None,
            ),
            Settlement::Failed { status, error } => (
                State::Failed,
                *status,
                BTreeMap::new(),
                None,
                Some(error.clone()),
            ),
            Settlement::Ambiguous { error } => (
                State::Ambiguous,
                None,
                BTreeMap::new(),
                None,
                Some(error.clone()),
            ),
            _ => (State::Ambiguous, None, BTreeMap::new(), None, None),
        };
        let outcome = Outcome {
            state,
            status,
            ids: &ids,
            request_id: request_id.as_deref(),
            detail: detail.as_deref(),
            by: "call",
        };
        // The same-key UPDATE is skipped for a write without a key (most of them); when
        // this entry was already settled elsewhere, its key is unknown here and the
        // UPDATE runs (it matches nothing for an unkeyed entry).
        let keyed = self.settle_keyed(id, &outcome).await?;
        if state == State::Succeeded && keyed != Some(false) {
            self.settle_same_key(id, &ids).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl SeenEvents for Journal {
    /// One `INSERT … ON CONFLICT DO NOTHING`: the database decides which delivery is
    /// first, with no read-then-write race between instances.
    async fn first_seen(
        &self,
        provider: ProviderId,
        event: &EventId,
        at: SystemTime,
    ) -> Result<bool, PayError> {
        const SQL: &str = "INSERT INTO pay_journal_seen_events (provider, event_id, seen_at_ms) \
            VALUES ($1, $2, $3) ON CONFLICT (provider, event_id) DO NOTHING";
        let at = millis(at);
        let done = on_pool!(self, pool => sqlx::query(SQL)
            .bind(provider.as_str())
            .bind(event.as_str())
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        done.map(|n| n == 1)
            .map_err(|e| unavailable("cannot record the webhook event", e).with_provider(provider))
    }

    async fn forget(&self, provider: ProviderId, event: &EventId) -> Result<(), PayError> {
        const SQL: &str =
            "DELETE FROM pay_journal_seen_events WHERE provider = $1 AND event_id = $2";
        let done = on_pool!(self, pool => sqlx::query(SQL)
            .bind(provider.as_str())
            .bind(event.as_str())
            .execute(pool)
            .await
            .map(|_| ()));
        done.map_err(|e| unavailable("cannot forget the webhook event", e).with_provider(provider))
    }
}
