//! pay-journal's integration tests: the journal through real clients on pay-testkit's
//! fakes, on SQLite always and on PostgreSQL when `PAY_JOURNAL_POSTGRES_URL` names a
//! server (`.ci/run` starts one; outside CI the PostgreSQL tests say they are skipped).

// The PostgreSQL tests tell a developer on stderr when they are skipped, and the crash
// test's child process talks to its parent on stdout: both are this harness's interface.
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod crash;
mod journal;
mod support;
mod writes;
