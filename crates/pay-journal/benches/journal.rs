//! Benchmark: what the write journal adds to one write. The same keyed write (a POST of a
//! small JSON body to pay-testkit's ledger fake on loopback, through pay-http's
//! `Transport`) with no journal, with a SQLite journal (a file in the temporary directory,
//! WAL, `synchronous = FULL`) and with a PostgreSQL journal (a fresh database on the server
//! `PAY_JOURNAL_POSTGRES_URL` names; skipped when it is unset). Each journaled write is one
//! `INSERT … RETURNING` before sending and one `UPDATE` after the answer.
//!
//! Run with (results live in `docs/benchmarks.md`):
//!
//! ```sh
//! PAY_JOURNAL_POSTGRES_URL=postgres://… \
//!   cargo bench -p pay-journal --bench journal -- --warm-up-time 1 --measurement-time 5
//! ```

use std::sync::Arc;
use std::time::Duration;

use criterion::Criterion;
use pay_core::{
    CallOptions, ContentType, IdempotencyHeader, Method, Operation, OperationKind, ProviderId,
    WriteJournal,
};
use pay_http::{PlainHooks, Request, Transport};
use pay_journal::Journal;
use pay_testkit::FakeServer;
use pay_testkit::testing::Ledger;
use sqlx::Connection;
use tokio::runtime::Runtime;

static CREATE: Operation = Operation {
    id: "entry_create",
    kind: OperationKind::Path,
    method: Method::Post,
    path: "/entries",
    summary: "",
    auth: &[],
    content_types: &[ContentType::Json],
    request_body: None,
    query: None,
    path_params: &[],
    idempotent: false,
    idempotency_header: Some(IdempotencyHeader {
        name: "Idempotency-Key",
        max_length: 50,
    }),
    signed: None,
    pagination: None,
    envelope: None,
    rust_module: "",
    rust_fn: None,
    generation: None,
    path_confidence: None,
    inferred: None,
};

const BODY: &str = r#"{"key":"order-bench","value":19.99,"currency":"EUR","note":"bench"}"#;

fn transport(base: &str, journal: Option<Arc<dyn WriteJournal>>) -> Transport<PlainHooks> {
    let mut builder = Transport::builder(ProviderId::new("ledger"), base, PlainHooks);
    if let Some(journal) = journal {
        builder = builder.journal(journal);
    }
    builder.build().expect("a transport")
}

async fn write(transport: &Transport<PlainHooks>) {
    let options = CallOptions::new();
    let request = Request::new(&CREATE, "/entries")
        .body(ContentType::Json, BODY)
        .options(&options);
    let response = transport.send(request).await.expect("the write succeeds");
    assert_eq!(response.status(), 201);
}

/// Drops the benchmark's database.
async fn drop_database(admin: &str, name: &str) {
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}

/// A fresh database on the configured PostgreSQL server, when there is one: the journal,
/// the server's URL and the database's name.
async fn postgres() -> Option<(Journal, String, String)> {
    let admin = std::env::var("PAY_JOURNAL_POSTGRES_URL").ok()?;
    let name = format!("pay_journal_bench_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await
        .ok()?;
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .ok()?;
    let root = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(root, _)| root);
    let journal = Journal::open(&format!("{root}/{name}")).await.ok()?;
    Some((journal, admin, name))
}

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().expect("a runtime");
    let dir = std::env::temp_dir().join(format!("pay-journal-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let (server, sqlite, postgres) = runtime.block_on(async {
        let server = FakeServer::start(Ledger::new()).await.expect("the fake");
        let sqlite = Journal::sqlite(dir.join("journal.db"))
            .await
            .expect("a SQLite journal");
        (server, sqlite, postgres().await)
    });
    let base = server.base_url().to_owned();
    let mut sides = vec![
        ("no_journal", transport(&base, None)),
        ("sqlite_journal", transport(&base, Some(sqlite.shared()))),
    ];
    match &postgres {
        Some((journal, _, _)) => {
            sides.push(("postgres_journal", transport(&base, Some(journal.shared()))));
        }
        None => {
            let note = "postgres_journal skipped: PAY_JOURNAL_POSTGRES_URL is not set\n";
            let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
        }
    }
    let mut group = c.benchmark_group("write");
    for (name, transport) in &sides {
        group.bench_function(*name, |b| {
            b.to_async(&runtime).iter(|| write(transport));
        });
    }
    group.finish();
    // The fake's server task runs on this runtime: stop the server first.
    drop(sides);
    runtime.block_on(async move {
        drop(server);
        if let Some((journal, admin, name)) = postgres {
            journal.close().await;
            drop_database(&admin, &name).await;
        }
    });
    drop(runtime);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(5));
    bench(&mut criterion);
    criterion.final_summary();
}
