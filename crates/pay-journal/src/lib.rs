//! `pay-journal`: no payment is forgotten when a process dies.
//!
//! A [`Journal`] is a durable store, on an embedded SQLite file (the default) or on
//! PostgreSQL (for services running many instances), that does two things:
//!
//! - **Write journal** ([`pay_core::WriteJournal`]): attached to an adapter's client
//!   (`EasypayClient::builder(…).journal(journal.shared())`, the same for Easytransac),
//!   every write is recorded as `pending` **before** its first byte is sent (provider,
//!   operation, merchant reference, idempotency key, exact amount, redacted request
//!   summary) and settled when the answer arrives: `succeeded` with the provider's ids,
//!   `failed`, or `ambiguous`. If the record cannot be written, nothing is sent
//!   (`ErrorKind::JournalUnavailable`).
//! - **Webhook store** ([`pay_core::SeenEvents`]): one `INSERT … ON CONFLICT DO NOTHING`
//!   per notification, so a notification delivered to two instances is handled once.
//!
//! After a crash, [`recover`] settles every entry still `pending` or `ambiguous` by asking
//! the provider, never by sending the write again, and reports what it found
//! ([`Report`]): payments are looked up by merchant reference (Easypay's `key`,
//! Easytransac's `OrderId`); with the typed clients ([`Recovery::easypay`],
//! [`Recovery::easytransac`], features `easypay` and `easytransac`), captures, refunds,
//! voids, cancellations, payouts and updates are read back through what they targeted.
//! "Never applied" is reported only when a read proves it; what no read decides (entries
//! older than Easypay's 24 h idempotency window, two open refunds of the same amount) is
//! left for a person, with the reason. Entries younger than the run's minimum age
//! ([`Recovery::min_age`]; [`recover`] has none) are skipped and listed as such
//! ([`Report::skipped`]). The `pay-journal recover` command (feature `cli`) does the same
//! from a shell.
//!
//! A keyed write that fails with a retryable error is repeated under the **same**
//! idempotency key (`PayError::idempotency_key`, `CallOptions::idempotency_key`); when the
//! repeat succeeds, the journal settles the earlier entries of that write `succeeded` too.
//!
//! `docs/journal.md` has complete programs (run here as doctests) against pay-testkit's
//! fakes: a journaled client, a lost answer, recovery and its report, and the same-key
//! retry.
//!
//! The schema is created and migrated by the crate on first use (versioned migrations in
//! `migrations/`, recorded in `pay_journal_migrations`); `docs/journal.md` documents it.
//! Queries are checked at run time, so building needs no database.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), pay_core::PayError> {
//! use pay_core::{EventId, ProviderId, SeenEvents};
//! use std::time::SystemTime;
//!
//! let dir = std::env::temp_dir().join(format!("pay-journal-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let journal = pay_journal::Journal::sqlite(dir.join("journal.db")).await?;
//! let event = EventId::new("evt-1").unwrap();
//! let easypay = ProviderId::new("easypay");
//! assert!(journal.first_seen(easypay, &event, SystemTime::now()).await?);
//! assert!(!journal.first_seen(easypay, &event, SystemTime::now()).await?); // a duplicate
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```

mod decide;
#[cfg(feature = "easypay")]
mod easypay;
#[cfg(feature = "easytransac")]
mod easytransac;
mod entry;
mod migrate;
mod providers;
mod recover;
mod store;

pub use crate::entry::{Entry, State};
pub use crate::providers::idempotency_window;
pub use crate::recover::{Finding, Recovered, Recovery, Report, Skipped, recover};
pub use crate::store::{Backend, Journal};

/// The schema version this build of the crate migrates databases to.
pub const SCHEMA_VERSION: i64 = migrate::LATEST;

/// `docs/journal.md`'s Rust programs, compiled and run as doctests, so the guide's code
/// is the code that works.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/journal.md")]
pub struct JournalGuide;
