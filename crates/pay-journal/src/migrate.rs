//! Versioned migrations, run by the crate when a journal is opened: each applied version is
//! a row of `pay_journal_migrations`, and every pending one runs in one transaction with
//! its row, under a lock (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory lock) so that
//! instances starting together migrate once.

use sqlx::{PgPool, Row, SqlitePool};

/// One schema change, written once per backend.
struct Migration {
    version: i64,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "journal entries and seen webhook events",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        description: "index of open keyed entries",
        sqlite: include_str!("../migrations/sqlite/0002_open_keys.sql"),
        postgres: include_str!("../migrations/postgres/0002_open_keys.sql"),
    },
];

/// The newest version.
pub(crate) const LATEST: i64 = 2;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS pay_journal_migrations (\
    version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)";

/// An arbitrary constant naming pay-journal's migration lock among the database's
/// advisory locks.
const PG_LOCK: i64 = 0x7061_795f_6a72_6e6c;

fn newer(found: i64) -> String {
    format!(
        "the database's journal schema is version {found}, newer than this pay-journal \
         ({LATEST}); upgrade pay-journal"
    )
}

pub(crate) async fn sqlite(pool: &SqlitePool, now_ms: i64) -> Result<(), String> {
    let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
    // IMMEDIATE takes the write lock at once: a second process waits (busy timeout), then
    // finds the versions already applied.
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    let result = async {
        sqlx::query(CREATE_TABLE).execute(&mut *conn).await?;
        let current: i64 =
            sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM pay_journal_migrations")
                .fetch_one(&mut *conn)
                .await?
                .try_get("v")?;
        Ok::<_, sqlx::Error>(current)
    }
    .await;
    let outcome = match result {
        Ok(current) if current > LATEST => Err(newer(current)),
        Ok(current) => {
            let mut applied = Ok(());
            for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
                let step = async {
                    sqlx::raw_sql(migration.sqlite).execute(&mut *conn).await?;
                    sqlx::query(
                        "INSERT INTO pay_journal_migrations (version, description, applied_at_ms) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(migration.version)
                    .bind(migration.description)
                    .bind(now_ms)
                    .execute(&mut *conn)
                    .await?;
                    Ok::<_, sqlx::Error>(())
                }
                .await;
                if let Err(err) = step {
                    applied = Err(format!("migration {}: {err}", migration.version));
                    break;
                }
            }
            applied
        }
        Err(err) => Err(err.to_string()),
    };
    let end = if outcome.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    let ended = sqlx::raw_sql(end).execute(&mut *conn).await;
    outcome?;
    ended.map(|_| ()).map_err(|e| e.to_string())
}

pub(crate) async fn postgres(pool: &PgPool, now_ms: i64) -> Result<(), String> {
    let run = async {
        let mut tx = pool.begin().await?;
        // Held until the transaction ends: concurrent instances migrate one after another.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PG_LOCK)
            .execute(&mut *tx)
            .await?;
        sqlx::query(CREATE_TABLE).execute(&mut *tx).await?;
        let current: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0)::BIGINT AS v FROM pay_journal_migrations",
        )
        .fetch_one(&mut *tx)
        .await?
        .try_get("v")?;
        if current > LATEST {
            return Ok(Err(newer(current)));
        }
        for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
            sqlx::raw_sql(migration.postgres).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO pay_journal_migrations (version, description, applied_at_ms) \
                 VALUES ($1, $2, $3)",
            )
            .bind(migration.version)
            .bind(migration.description)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Ok(()))
    };
    run.await.map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_in_order_and_latest_is_the_last() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=LATEST).collect();
        assert_eq!(versions, expected);
        for m in MIGRATIONS {
            assert!(m.sqlite.contains("pay_journal_entries") || m.version > 1);
            assert!(!m.postgres.contains("AUTOINCREMENT"));
        }
    }
}
