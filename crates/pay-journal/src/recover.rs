//! Recovery: settles every entry still `pending` or `ambiguous` by asking the provider
//! what really happened, and reports it.
//!
//! Recovery never sends a write. For each open entry it reads what the write would have
//! made or changed and decides ([`crate::decide`]):
//!
//! - a payment creation is looked up by its merchant reference through
//!   `Payments::find_by_reference` (Easypay reads its single payments by `key`,
//!   Easytransac its transaction by `OrderId`): found, the entry is `succeeded` with the
//!   payment's id; not found, it was never applied and the entry is `failed` (the merchant
//!   may send it again, under a new decision), unless the lookup cannot see what the write
//!   makes (an unpaid Easytransac page);
//! - every other write is read back through the provider's typed client, given with
//!   [`Recovery::easypay`] / [`Recovery::easytransac`] (features `easypay`,
//!   `easytransac`): a capture, refund or void through the payment, capture or
//!   authorisation it targeted; an out-payment, frequent payment or subscription by its
//!   key; an update by the fields it set; Easytransac's captures, refunds and
//!   cancellations through the transaction's status by `Tid`. Each kind's rule is in
//!   `docs/journal.md`.
//!
//! "Not applied" is reported only when the read proves it: a wrong "not applied" would lead
//! a merchant to charge twice. What no read decides is left for a person, with the reason:
//! entries older than the provider's idempotency window (Easypay: 24 h), writes no read
//! shows (a checkout session, a frequent authorisation, a mandate), and writes that cannot
//! be told apart (two open refunds of the same amount on the same capture).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pay_core::{CallOptions, Clock, PayError, Provider};

use crate::decide::{self, Verdict};
use crate::entry::{Entry, State};
use crate::providers;
use crate::store::{Journal, Outcome};

/// What recovery found for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// A payment creation the provider has: settled `succeeded`.
    Applied {
        /// The provider's payment id.
        payment_id: String,
        /// The payment's status there, as `Debug` shows it.
        status: String,
    },
    /// Another write (a capture, refund, void, payout, update…) whose effect the provider
    /// shows: settled `succeeded`.
    TookEffect {
        /// The kind of resource that shows it (`capture`, `refund`, `transaction`,
        /// `authorisation`, `out-payment`…), the key of `id` in the entry's
        /// `provider_ids`.
        resource: String,
        /// That resource's id, when it has one.
        id: Option<String>,
        /// Its status at the provider.
        status: String,
    },
    /// The provider's reads prove it was never applied; settled `failed`
    /// ([`Recovered::detail`] says how).
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

/// One entry recovery looked at, and what it found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Recovered {
    /// The entry as it was before recovery (its `state` is the one it had, `pending` or
    /// `ambiguous`; read it again with [`Journal::entry`] for the state recovery left).
    pub entry: Entry,
    /// What recovery found.
    pub finding: Finding,
    /// What recovery read at the provider, in words (stored as the entry's `detail` when
    /// it settled it).
    pub detail: String,
}

/// An open entry recovery did not look at because it is younger than the run's minimum
/// age ([`Recovery::min_age`]): its call may still be running in another process. It is
/// left as it is; a later run (or one with a lower minimum age) settles it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Skipped {
    /// The entry, as it is (still `pending` or `ambiguous`).
    pub entry: Entry,
    /// How old it was when recovery ran (by recovery's clock).
    pub age: Duration,
    /// The minimum age of the run that skipped it.
    pub min_age: Duration,
}

/// What a recovery run found, entry by entry.
///
/// [`lines`](Self::lines) gives one line per entry (for a terminal or a log); `Display`
/// prints those lines, then the totals ([`summary`](Self::summary)), each on its own line:
///
/// ```text
/// #1 easypay single_create /2.0/single ref=order-1042 amount=49.90 EUR was ambiguous: applied: payment 5f1c… (Pending) -> succeeded
/// #2 easypay single_create /2.0/single ref=order-1043 amount=12.00 EUR was pending: skipped: 40 s old, younger than min_age 5 min; run again later or lower min_age
/// 1 entry looked at: 1 applied, 0 never applied, 0 left open; 1 skipped (younger than min_age)
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Report {
    /// Every open entry recovery looked at, oldest first.
    pub entries: Vec<Recovered>,
    /// Every open entry recovery did not look at, because it was younger than the run's
    /// minimum age, oldest first. Not in [`entries`](Self::entries), not counted by
    /// [`left_open`](Self::left_open).
    pub skipped: Vec<Skipped>,
}

impl Report {
    /// How many entries found applied at the provider (payments found, and other writes
    /// whose effect it shows): [`Finding::Applied`] and [`Finding::TookEffect`], settled
    /// `succeeded`.
    pub fn applied(&self) -> usize {
        self.count(|f| matches!(f, Finding::Applied { .. } | Finding::TookEffect { .. }))
    }

    /// How many found never applied ([`Finding::NotApplied`]), settled `failed`.
    pub fn not_applied(&self) -> usize {
        self.count(|f| matches!(f, Finding::NotApplied))
    }

    /// How many left open for a person ([`Finding::NeedsHuman`]) or for a later run
    /// ([`Finding::Unreachable`]). Entries skipped for their age are not counted here
    /// (see [`skipped`](Self::skipped)).
    pub fn left_open(&self) -> usize {
        self.count(|f| matches!(f, Finding::NeedsHuman { .. } | Finding::Unreachable { .. }))
    }

    fn count(&self, test: impl Fn(&Finding) -> bool) -> usize {
        self.entries.iter().filter(|r| test(&r.finding)).count()
    }

    /// One line per entry, for a terminal or a log: the entries recovery looked at, then
    /// the ones it skipped. Each names the entry (`#id`, provider, operation, path,
    /// reference, amount, the state it had) and what recovery found or why it skipped it.
    pub fn lines(&self) -> Vec<String> {
        let looked_at = self.entries.iter().map(|r| {
            let what = match &r.finding {
                Finding::Applied { payment_id, status } => {
                    format!("applied: payment {payment_id} ({status}) -> succeeded")
                }
                Finding::TookEffect { .. } => format!("applied: {} -> succeeded", r.detail),
                Finding::NotApplied => format!("never applied: {} -> failed", r.detail),
                Finding::NeedsHuman { reason } => format!("needs a person: {reason}"),
                Finding::Unreachable { error } => format!("provider not reachable: {error}"),
                Finding::AlreadySettled => "settled meanwhile by another process".to_owned(),
            };
            line(&r.entry, &what)
        });
        let skipped = self.skipped.iter().map(|s| {
            line(
                &s.entry,
                &format!(
                    "skipped: {} old, younger than min_age {}; run again later or lower min_age",
                    human(s.age),
                    human(s.min_age)
                ),
            )
        });
        looked_at.chain(skipped).collect()
    }

    /// The totals in one line: how many entries recovery looked at, how many it found
    /// applied, never applied and left open, and how many it skipped for their age.
    pub fn summary(&self) -> String {
        let n = self.entries.len();
        format!(
            "{n} {} looked at: {} applied, {} never applied, {} left open; {} skipped \
             (younger than min_age)",
            if n == 1 { "entry" } else { "entries" },
            self.applied(),
            self.not_applied(),
            self.left_open(),
            self.skipped.len()
        )
    }
}

/// [`Report::lines`], one per line, then [`Report::summary`].
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines() {
            writeln!(f, "{line}")?;
        }
        f.write_str(&self.summary())
    }
}

/// One report line: the entry, then `what`.
fn line(e: &Entry, what: &str) -> String {
    format!(
        "#{} {} {} {} ref={} amount={} was {}: {what}",
        e.id,
        e.provider,
        e.operation,
        e.path,
        e.reference.as_deref().unwrap_or("-"),
        e.amount.map_or_else(|| "-".to_owned(), |m| m.to_string()),
        e.state,
    )
}

/// A duration for a person: `40 s`, `5 min`, `2 min 30 s`, `3 h`, `1 h 5 min`.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// A recovery run's settings: the providers to ask, the clock, and how old an entry must
/// be before recovery touches it ([`min_age`](Self::min_age), 5 minutes unless set).
///
/// Which to use:
///
/// - **one process that has just restarted** and is the only one writing to the journal:
///   nothing can still be in flight, so every open entry is the previous run's. Use
///   [`recover`] (no minimum age), or `Recovery::new(…).min_age(Duration::ZERO)` to give
///   the typed clients too;
/// - **many instances sharing a journal** (PostgreSQL), or recovery from cron or the
///   `pay-journal recover` command while the service runs: an open entry may be a call
///   another instance is making right now. Keep a minimum age longer than a call can take
///   (the default 5 minutes is longer than a call's default deadline); younger entries
///   are listed in [`Report::skipped`], and the next run settles them.
///
/// # Example
///
/// A payment whose answer was lost (the fake applies it, then resets the connection on
/// every attempt), then recovery: first with the default minimum age, which skips the
/// fresh entry and says so, then with none.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// use pay_core::{CallOptions, Clock, CreatePayment, Currency, MerchantReference, Money};
/// use pay_core::{PaymentMethod, Payments, SystemClock};
/// use pay_easypay::{AccountId, ApiKey, EasypayClient};
/// use pay_journal::{Finding, Journal, Recovery, State};
/// use pay_testkit::easypay::{EasypayConfig, EasypayFake};
/// use pay_testkit::{FakeServer, Fault, Route};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// const ACCOUNT: &str = "11111111-2222-4333-8444-555555555555";
/// const KEY: &str = "doc-easypay-key";
/// // A fake Easypay on 127.0.0.1 (pay-testkit); for the real one, leave `.base_url` out.
/// let server = FakeServer::start(EasypayFake::new(EasypayConfig::new(ACCOUNT, KEY))).await?;
/// let dir = std::env::temp_dir().join(format!("pay-journal-doc-recovery-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let journal = Journal::sqlite(dir.join("journal.db")).await?;
/// let easypay = EasypayClient::builder(AccountId::new(ACCOUNT), ApiKey::new(KEY))
///     .base_url(server.url("/2.0"))
///     .journal(journal.shared())
///     .build()?;
/// server
///     .faults()
///     .on(Route::operation("single_create"))
///     .then(Fault::AppliedThenLost)
///     .then_repeat_last();
/// let order = MerchantReference::new("order-1042")?;
/// let amount = Money::parse_major("49.90", Currency::EUR)?;
/// let request = CreatePayment::new(amount, order, PaymentMethod::Multibanco)?;
/// let lost = easypay.create_payment(&request, &CallOptions::new()).await;
/// assert!(lost.is_err());
/// server.faults().clear();
///
/// let clock: Arc<dyn Clock> = Arc::new(SystemClock);
/// // The default minimum age (5 minutes): the entry is a second old, so it is skipped,
/// // and the report says so.
/// let report = Recovery::new(Vec::new(), clock.clone())
///     .easypay(easypay.clone())
///     .run(&journal)
///     .await?;
/// assert_eq!((report.entries.len(), report.skipped.len()), (0, 1));
/// assert!(report.lines()[0].contains("younger than min_age 5 min"));
///
/// // This process is the only one writing: nothing is in flight, no minimum age.
/// let report = Recovery::new(Vec::new(), clock)
///     .easypay(easypay.clone())
///     .min_age(Duration::ZERO)
///     .run(&journal)
///     .await?;
/// assert_eq!(report.applied(), 1);
/// assert!(matches!(report.entries[0].finding, Finding::Applied { .. }));
/// assert_eq!(journal.entry(report.entries[0].entry.id).await?.unwrap().state, State::Succeeded);
/// # journal.close().await;
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Recovery {
    providers: Vec<Arc<dyn Provider>>,
    #[cfg(feature = "easypay")]
    easypay: Option<pay_easypay::EasypayClient>,
    #[cfg(feature = "easytransac")]
    easytransac: Option<pay_easytransac::EasytransacClient>,
    clock: Arc<dyn Clock>,
    min_age: Duration,
}

impl Recovery {
    /// Recovery through `providers` (one client per provider name), reading the time
    /// from `clock`. Through these provider-neutral clients recovery settles payment
    /// creations; give the typed clients too ([`easypay`](Self::easypay),
    /// [`easytransac`](Self::easytransac)) to settle every other kind of write.
    pub fn new(providers: Vec<Arc<dyn Provider>>, clock: Arc<dyn Clock>) -> Self {
        Self {
            providers,
            #[cfg(feature = "easypay")]
            easypay: None,
            #[cfg(feature = "easytransac")]
            easytransac: None,
            clock,
            min_age: Duration::from_secs(5 * 60),
        }
    }

    /// Recovery reads Easypay through `client`'s typed resources too (captures, refunds,
    /// voids, out-payments, frequent payments, subscriptions, updates), and through it
    /// as a provider when none named `easypay` was given.
    #[cfg(feature = "easypay")]
    #[must_use]
    pub fn easypay(mut self, client: pay_easypay::EasypayClient) -> Self {
        if !self.providers.iter().any(|p| p.id().as_str() == "easypay") {
            self.providers.push(Arc::new(client.clone()));
        }
        self.easypay = Some(client);
        self
    }

    /// Recovery reads Easytransac through `client`'s status lookups too (captures,
    /// refunds, cancellations, pages), and through it as a provider when none named
    /// `easytransac` was given.
    #[cfg(feature = "easytransac")]
    #[must_use]
    pub fn easytransac(mut self, client: pay_easytransac::EasytransacClient) -> Self {
        if !self
            .providers
            .iter()
            .any(|p| p.id().as_str() == "easytransac")
        {
            self.providers.push(Arc::new(client.clone()));
        }
        self.easytransac = Some(client);
        self
    }

    /// Entries younger than `age` are skipped: their call may still be running in another
    /// process, and settling it from a read taken mid-call could be wrong. They are listed
    /// in [`Report::skipped`] (with their age) and left open for a later run.
    ///
    /// Default: 5 minutes, longer than a call's default deadline. `Duration::ZERO` when no
    /// other process can be writing to the journal (a single process that has just
    /// restarted, tests); keep it above your longest call deadline when several instances
    /// share the journal.
    #[must_use]
    pub fn min_age(mut self, age: Duration) -> Self {
        self.min_age = age;
        self
    }

    /// Settles every open entry of `journal` at least [`min_age`](Self::min_age) old, and
    /// reports what it found (and which younger entries it skipped).
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
                report.skipped.push(Skipped {
                    entry,
                    age,
                    min_age: self.min_age,
                });
                continue;
            }
            let verdict = self.verdict(journal, &entry, age).await?;
            let (finding, detail) = self.settle(journal, &entry, verdict).await?;
            report.entries.push(Recovered {
                entry,
                finding,
                detail,
            });
        }
        Ok(report)
    }

    /// What the provider shows of `entry`.
    async fn verdict(
        &self,
        journal: &Journal,
        entry: &Entry,
        age: Duration,
    ) -> Result<Verdict, PayError> {
        if let Some(window) = providers::idempotency_window(&entry.provider)
            && age > window
        {
            return Ok(Verdict::NeedsHuman(format!(
                "older than {}'s idempotency window ({} h): not replayed, check it at the \
                 provider",
                entry.provider,
                window.as_secs() / 3600
            )));
        }
        if providers::creates_payment(&entry.provider, &entry.operation) {
            return self.creation(journal, entry).await;
        }
        match entry.provider.as_str() {
            #[cfg(feature = "easypay")]
            "easypay" if self.easypay.is_some() => {
                let Some(client) = &self.easypay else {
                    unreachable!("checked above")
                };
                crate::easypay::decide(client, journal, entry).await
            }
            #[cfg(feature = "easytransac")]
            "easytransac" if self.easytransac.is_some() => {
                let Some(client) = &self.easytransac else {
                    unreachable!("checked above")
                };
                crate::easytransac::decide(client, journal, entry).await
            }
            provider => Ok(Verdict::NeedsHuman(format!(
                "`{}` is not a payment creation, and reading it back at {provider} needs its \
                 typed client (`Recovery::{provider}`, feature `{provider}`): read {} back by \
                 hand",
                entry.operation, entry.path
            ))),
        }
    }

    /// A payment creation, looked up by its merchant reference.
    async fn creation(&self, journal: &Journal, entry: &Entry) -> Result<Verdict, PayError> {
        let Some(reference) = entry.reference.as_deref() else {
            return Ok(Verdict::NeedsHuman(
                "no merchant reference to look the payment up by".to_owned(),
            ));
        };
        let Some(provider) = self
            .providers
            .iter()
            .find(|p| p.id().as_str() == entry.provider)
        else {
            return Ok(Verdict::NeedsHuman(format!(
                "no `{}` client given to recovery",
                entry.provider
            )));
        };
        let Some(payments) = provider.as_payments() else {
            return Ok(Verdict::NeedsHuman(format!(
                "the `{}` client has no payments",
                entry.provider
            )));
        };
        let reference = match pay_core::MerchantReference::new(reference) {
            Ok(reference) => reference,
            Err(err) => {
                return Ok(Verdict::NeedsHuman(format!(
                    "the stored reference is not valid: {err}"
                )));
            }
        };
        let siblings: Vec<Entry> = journal
            .entries_of(&entry.provider, &entry.operation)
            .await?
            .into_iter()
            .filter(|e| e.id != entry.id && e.reference == entry.reference)
            .collect();
        if let Some(sibling) = decide::same_key_success(entry, &siblings) {
            return Ok(decide::as_sibling(sibling));
        }
        let found = match payments
            .find_by_reference(&reference, &CallOptions::new())
            .await
        {
            Ok(found) => found,
            Err(err) => return Ok(Verdict::Unreachable(err.to_string())),
        };
        Ok(match found {
            Some(payment) => {
                let id = payment
                    .id
                    .as_ref()
                    .map_or_else(|| "(no id yet)".to_owned(), |id| id.as_str().to_owned());
                match siblings.iter().find(|s| {
                    s.state == State::Succeeded && s.provider_ids.values().any(|v| *v == id)
                }) {
                    Some(other) => Verdict::NeedsHuman(format!(
                        "the payment found by reference `{}` ({id}) is entry #{}'s: this write \
                         made none, or another with the same reference that the lookup by \
                         reference does not show",
                        reference.as_str(),
                        other.id
                    )),
                    None => Verdict::Payment {
                        id,
                        status: format!("{:?}", payment.status),
                    },
                }
            }
            None => match providers::absence_is_not_proof(&entry.provider, &entry.operation) {
                Some(why) => Verdict::NeedsHuman(format!(
                    "no payment with reference `{}` found, but {why}",
                    reference.as_str()
                )),
                None => {
                    Verdict::NotApplied("no payment with this reference at the provider".to_owned())
                }
            },
        })
    }

    /// Settles `entry` as `verdict` says (or leaves it open), and what to report.
    async fn settle(
        &self,
        journal: &Journal,
        entry: &Entry,
        verdict: Verdict,
    ) -> Result<(Finding, String), PayError> {
        let ids = decide::ids_of(&verdict);
        let (state, detail, finding) = match verdict {
            Verdict::Payment { id, status } => (
                State::Succeeded,
                format!("recover: found payment {id} ({status})"),
                Finding::Applied {
                    payment_id: id,
                    status,
                },
            ),
            Verdict::Effect {
                resource,
                id,
                status,
                found,
            } => (
                State::Succeeded,
                format!("recover: {found}"),
                Finding::TookEffect {
                    resource,
                    id,
                    status,
                },
            ),
            Verdict::NotApplied(why) => (
                State::Failed,
                format!("recover: never applied: {why}"),
                Finding::NotApplied,
            ),
            Verdict::NeedsHuman(reason) => {
                return Ok((
                    Finding::NeedsHuman {
                        reason: reason.clone(),
                    },
                    reason,
                ));
            }
            Verdict::Unreachable(error) => {
                return Ok((
                    Finding::Unreachable {
                        error: error.clone(),
                    },
                    error,
                ));
            }
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
            (finding, detail)
        } else {
            (Finding::AlreadySettled, detail)
        })
    }
}

/// Settles every open entry of `journal` through `providers` (one provider-neutral client
/// per provider, e.g. `Arc::new(easypay_client)`), reading the time from `clock` (e.g.
/// `Arc::new(SystemClock)`), with **no minimum age**, and reports what it found.
///
/// For a process that has just restarted and is the only one writing to the journal. With
/// several instances sharing it, use [`Recovery`] and keep its minimum age. Through
/// provider-neutral clients only payment creations are settled; [`Recovery::easypay`] and
/// [`Recovery::easytransac`] settle the other writes.
///
/// ```
/// # use std::sync::Arc;
/// # use pay_core::{Provider, SystemClock};
/// # use pay_easytransac::EasytransacClient;
/// # use pay_journal::{Journal, recover};
/// # use pay_testkit::FakeServer;
/// # use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, TEST_API_KEY};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = FakeServer::start(EasytransacFake::new(EasytransacConfig::new(TEST_API_KEY.into()))).await?;
/// let dir = std::env::temp_dir().join(format!("pay-journal-doc-recover-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let journal = Journal::open(&format!("sqlite:{}", dir.join("journal.db").display())).await?;
/// let easytransac = EasytransacClient::builder(TEST_API_KEY.into())
///     .base_url(server.base_url())
///     .journal(journal.shared())
///     .build()?;
/// let providers: Vec<Arc<dyn Provider>> = vec![Arc::new(easytransac)];
/// let report = recover(&journal, providers, Arc::new(SystemClock)).await?;
/// assert_eq!(report.entries.len(), 0, "nothing was open");
/// let printed = report.to_string(); // one line per entry, then the totals
/// println!("{report}");
/// assert!(printed.starts_with("0 entries looked at"));
/// # journal.close().await;
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(())
/// # }
/// ```
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
