//! Recovery: settles every entry still `pending` or `ambiguous` by asking the provider
//! what really happened, and reports it.
//!
//! Recovery never sends a write. A payment is looked up by its merchant reference through
//! `Payments::find_by_reference` (Easypay reads its single payments by `key`, Easytransac
//! its transaction by `OrderId`): found, the entry is `succeeded` with the payment's id;
//! not found, it was never applied and the entry is `failed` (the merchant may send it
//! again, under a new decision). So a write killed at any step ends up as what the
//! provider holds, and nothing is charged twice.
//!
//! Left for a person, untouched: entries older than the provider's idempotency window
//! (Easypay: 24 h; after that a replay is a new request, and a stale entry deserves a
//! look), entries of operations that are not payment creations (a capture or a refund is
//! read back through its payment, which needs a person's judgement), and entries without a
//! reference.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use pay_core::{CallOptions, Clock, PayError, Provider};

use crate::entry::{Entry, State};
use crate::providers;
use crate::store::{Journal, Outcome};

/// What recovery found for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// The provider has it: settled `succeeded`.
    Applied {
        /// The provider's payment id.
        payment_id: String,
        /// The payment's status there, as `Debug` shows it.
        status: String,
    },
    /// The provider has no such payment: it was never applied; settled `failed`.
    NotApplied,
    /// Left as it is for a person to check, with the reason.
    NeedsHuman {
        /// Why recovery did not settle it.
        reason: String,
    },
    /// The provider could not be asked now; left as it is (run recovery again).
    Unreachable {
        /// The error.
        error: String,
    },
    /// Settled by someone else (another instance) meanwhile.
    AlreadySettled,
}

/// One entry recovery looked at.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Recovered {
    /// The entry as it was before recovery.
    pub entry: Entry,
    /// What recovery found.
    pub finding: Finding,
}

/// What a recovery run found, entry by entry.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Report {
    /// Every open entry, oldest first.
    pub entries: Vec<Recovered>,
}

impl Report {
    /// How many entries found applied at the provider.
    pub fn applied(&self) -> usize {
        self.count(|f| matches!(f, Finding::Applied { .. }))
    }

    /// How many found never applied.
    pub fn not_applied(&self) -> usize {
        self.count(|f| matches!(f, Finding::NotApplied))
    }

    /// How many left for a person (or for a later run).
    pub fn left_open(&self) -> usize {
        self.count(|f| matches!(f, Finding::NeedsHuman { .. } | Finding::Unreachable { .. }))
    }

    fn count(&self, test: impl Fn(&Finding) -> bool) -> usize {
        self.entries.iter().filter(|r| test(&r.finding)).count()
    }

    /// One line per entry, for a terminal or a log.
    pub fn lines(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|r| {
                let e = &r.entry;
                let what = match &r.finding {
                    Finding::Applied { payment_id, status } => {
                        format!("applied: payment {payment_id} ({status}) -> succeeded")
                    }
                    Finding::NotApplied => {
                        "not at the provider: never applied -> failed".to_owned()
                    }
                    Finding::NeedsHuman { reason } => format!("needs a person: {reason}"),
                    Finding::Unreachable { error } => format!("provider not reachable: {error}"),
                    Finding::AlreadySettled => "settled meanwhile by another process".to_owned(),
                };
                format!(
                    "#{} {} {} ref={} amount={} was {}: {what}",
                    e.id,
                    e.provider,
                    e.operation,
                    e.reference.as_deref().unwrap_or("-"),
                    e.amount.map_or_else(|| "-".to_owned(), |m| m.to_string()),
                    e.state,
                )
            })
            .collect()
    }
}

/// A recovery run's settings: the providers to ask, the clock, and how old an entry must
/// be before recovery touches it.
#[derive(Debug, Clone)]
pub struct Recovery {
    providers: Vec<Arc<dyn Provider>>,
    clock: Arc<dyn Clock>,
    min_age: Duration,
}

impl Recovery {
    /// Recovery through `providers` (one client per provider name), reading the time
    /// from `clock`.
    pub fn new(providers: Vec<Arc<dyn Provider>>, clock: Arc<dyn Clock>) -> Self {
        Self {
            providers,
            clock,
            min_age: Duration::from_secs(5 * 60),
        }
    }

    /// Entries younger than this are skipped (their call may still be running in another
    /// process). Default: 5 minutes, longer than a call's default deadline. Zero when no
    /// other process can be writing (after a restart, in tests).
    #[must_use]
    pub fn min_age(mut self, age: Duration) -> Self {
        self.min_age = age;
        self
    }

    /// Settles every open entry of `journal` old enough, and reports what it found.
    ///
    /// # Errors
    /// [`ErrorKind::JournalUnavailable`](pay_core::ErrorKind::JournalUnavailable) when the
    /// journal cannot be read or written. A provider that cannot be asked is reported
    /// per entry ([`Finding::Unreachable`]), not an error.
    pub async fn run(&self, journal: &Journal) -> Result<Report, PayError> {
        let now = self.clock.now();
        let mut report = Report::default();
        for entry in journal.open_entries().await? {
            let age = now.duration_since(entry.recorded_at).unwrap_or_default();
            if age < self.min_age {
                continue;
            }
            let finding = self.settle(journal, &entry, age).await?;
            report.entries.push(Recovered { entry, finding });
        }
        Ok(report)
    }

    async fn settle(
        &self,
        journal: &Journal,
        entry: &Entry,
        age: Duration,
    ) -> Result<Finding, PayError> {
        if let Some(window) = providers::idempotency_window(&entry.provider)
            && age > window
        {
            return Ok(Finding::NeedsHuman {
                reason: format!(
                    "older than {}'s idempotency window ({} h): not replayed, check it at \
                     the provider",
                    entry.provider,
                    window.as_secs() / 3600
                ),
            });
        }
        if !providers::creates_payment(&entry.provider, &entry.operation) {
            return Ok(Finding::NeedsHuman {
                reason: format!(
                    "`{}` is not a payment creation: read the resource it changed ({}) back \
                     at the provider",
                    entry.operation, entry.path
                ),
            });
        }
        let Some(reference) = entry.reference.as_deref() else {
            return Ok(Finding::NeedsHuman {
                reason: "no merchant reference to look the payment up by".to_owned(),
            });
        };
        let Some(provider) = self
            .providers
            .iter()
            .find(|p| p.id().as_str() == entry.provider)
        else {
            return Ok(Finding::NeedsHuman {
                reason: format!("no `{}` client given to recovery", entry.provider),
            });
        };
        let Some(payments) = provider.as_payments() else {
            return Ok(Finding::NeedsHuman {
                reason: format!("the `{}` client has no payments", entry.provider),
            });
        };
        let reference = match pay_core::MerchantReference::new(reference) {
            Ok(reference) => reference,
            Err(err) => {
                return Ok(Finding::NeedsHuman {
                    reason: format!("the stored reference is not valid: {err}"),
                });
            }
        };
        let found = match payments
            .find_by_reference(&reference, &CallOptions::new())
            .await
        {
            Ok(found) => found,
            Err(err) => {
                return Ok(Finding::Unreachable {
                    error: err.to_string(),
                });
            }
        };
        let (state, ids, detail, finding) = match found {
            Some(payment) => {
                let id = payment
                    .id
                    .as_ref()
                    .map_or_else(|| "(no id yet)".to_owned(), |id| id.as_str().to_owned());
                let status = format!("{:?}", payment.status);
                let ids = BTreeMap::from([("payment".to_owned(), id.clone())]);
                let detail = format!("recover: found payment {id} ({status})");
                (
                    State::Succeeded,
                    ids,
                    detail,
                    Finding::Applied {
                        payment_id: id,
                        status,
                    },
                )
            }
            None => (
                State::Failed,
                BTreeMap::new(),
                "recover: no payment with this reference at the provider; never applied".to_owned(),
                Finding::NotApplied,
            ),
        };
        let settled = journal
            .settle_as(
                entry.id,
                &Outcome {
                    state,
                    status: None,
                    ids: &ids,
                    request_id: None,
                    detail: Some(&detail),
                    by: "recover",
                },
            )
            .await?;
        Ok(if settled {
            finding
        } else {
            Finding::AlreadySettled
        })
    }
}

/// Settles every open entry of `journal` through `providers`, with no minimum age (for a
/// process that has just restarted and is the only one writing), and reports what it
/// found. See [`Recovery`] for the settings.
///
/// # Errors
/// As [`Recovery::run`].
pub async fn recover(
    journal: &Journal,
    providers: Vec<Arc<dyn Provider>>,
    clock: Arc<dyn Clock>,
) -> Result<Report, PayError> {
    Recovery::new(providers, clock)
        .min_age(Duration::ZERO)
        .run(journal)
        .await
}
