//! The write journal (`pay::journal`, SQLite): a card charge sent to the fake Easytransac,
//! applied there, and the process "dies" before the answer arrives; a restarted process
//! opens the same journal file, finds the charge still pending, and `recover` settles it
//! by looking it up by its OrderId, with no second charge.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pay::easytransac::EasytransacClient;
use pay::journal::{Finding, Journal, State, recover};
use pay::testkit::easytransac::{EasytransacConfig, EasytransacFake, TEST_API_KEY, cards};
use pay::testkit::{FakeServer, Fault, ResourceKind, Route};
use pay::{
    CardDetails, CardExpiry, CardNumber, CreatePayment, Customer, Cvv, Email, Payments, Provider,
    SystemClock,
};
use secrecy::SecretString;

use crate::flows::{check, eur, lines_of, reference};
use crate::report::{Flow, Recorder, Stop};

/// The provider the flow runs against.
pub(crate) const NAME: &str = "easytransac";

/// The flow's steps.
pub(crate) const FLOWS: &[(&str, &[&str])] = &[(
    "crash and recovery (pay-journal)",
    &[
        "charge 24.90 EUR (journaled); the process dies mid-call",
        "a restarted process finds the charge pending in the journal",
        "recover finds it by OrderId and settles it, charged once",
    ],
)];

const ORDER: &str = "demo-journal-crash";
const CREATE: &str = "v1_payment_direct";

/// Its own fake (so the other flows' counts are untouched) and a journal file in a
/// temporary directory, removed on drop.
pub(crate) struct Harness {
    server: FakeServer<EasytransacFake>,
    dir: PathBuf,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Harness {
    /// Starts the fake and makes the journal's directory.
    ///
    /// # Errors
    /// The fake cannot start or the directory cannot be made.
    pub(crate) async fn start() -> Result<Self, String> {
        let server = FakeServer::start(EasytransacFake::new(EasytransacConfig::new(
            SecretString::from(TEST_API_KEY),
        )))
        .await
        .map_err(|e| format!("the Easytransac fake did not start: {e}"))?;
        let dir = std::env::temp_dir().join(format!("pay-demo-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        Ok(Self { server, dir })
    }

    /// Problems the fake server recorded.
    pub(crate) fn problems(&self) -> Vec<String> {
        self.server.problems()
    }

    fn database(&self) -> String {
        format!("sqlite:{}", self.dir.join("journal.db").display())
    }

    fn client(&self, journal: Option<&Journal>) -> Result<EasytransacClient, String> {
        let mut builder = EasytransacClient::builder(SecretString::from(TEST_API_KEY))
            .base_url(self.server.base_url());
        if let Some(journal) = journal {
            builder = builder.journal(journal.shared());
        }
        builder
            .build()
            .map_err(|e| format!("the Easytransac client was refused: {e}"))
    }

    fn payments_at_fake(&self) -> usize {
        self.server
            .snapshot()
            .of_kind(&ResourceKind::Payment)
            .count()
    }

    fn charges_sent(&self) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.operation() == Some(CREATE))
            .count()
    }

    /// Runs the flow.
    pub(crate) async fn run(&self, recorder: &mut Recorder<'_>) {
        let requests = || lines_of(&self.server.requests());
        let mut f = recorder.flow(NAME, FLOWS[0].0, FLOWS[0].1, &requests);
        let _ = self.crash_and_recover(&mut f).await;
        f.finish();
    }

    async fn crash_and_recover(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        f.step(async {
            let journal = Journal::open(&self.database())
                .await
                .map_err(|e| format!("the journal: {e}"))?;
            let client = self.client(Some(&journal))?;
            // The fake applies the charge, then never answers: the process is "killed"
            // while it waits (its task is dropped mid-call, as a crash would).
            self.server
                .faults()
                .on(Route::operation(CREATE))
                .then(Fault::AppliedThenHang)
                .then_normal();
            let request = card_payment()?;
            let call = tokio::spawn(async move {
                client
                    .create_payment(&request, &Default::default())
                    .await
                    .map(|p| p.status)
            });
            let start = Instant::now();
            while self.payments_at_fake() == 0 {
                check(start.elapsed() < Duration::from_secs(10), || {
                    "the fake never applied the charge".to_owned()
                })?;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            call.abort();
            check(call.await.is_err_and(|e| e.is_cancelled()), || {
                "the call finished instead of dying".to_owned()
            })?;
            journal.close().await;
            Ok((
                (),
                "recorded in the journal before sending; the fake applied it; the process \
                 died waiting for the answer"
                    .to_owned(),
            ))
        })
        .await?;
        let journal = f
            .step(async {
                let journal = Journal::open(&self.database())
                    .await
                    .map_err(|e| format!("the journal: {e}"))?;
                let open = journal.open_entries().await.map_err(|e| e.to_string())?;
                check(open.len() == 1, || {
                    format!("{} open entries, expected 1", open.len())
                })?;
                let e = &open[0];
                check(e.state == State::Pending, || {
                    format!("entry is {}", e.state)
                })?;
                let amount = e.amount.map_or_else(|| "-".to_owned(), |m| m.to_string());
                let detail = format!(
                    "entry #{} {}: {} ref {} {amount}",
                    e.id,
                    e.state,
                    e.operation,
                    e.reference.as_deref().unwrap_or("-")
                );
                Ok((journal, detail))
            })
            .await?;
        f.step(async {
            let fresh: Arc<dyn Provider> = Arc::new(self.client(None)?);
            let report = recover(&journal, vec![fresh], Arc::new(SystemClock))
                .await
                .map_err(|e| e.to_string())?;
            let [recovered] = report.entries.as_slice() else {
                return Err(format!("recovered {:?}", report.lines()));
            };
            let Finding::Applied { payment_id, status } = &recovered.finding else {
                return Err(format!("found {:?}", recovered.finding));
            };
            check(
                self.payments_at_fake() == 1 && self.charges_sent() == 1,
                || {
                    format!(
                        "{} payments at the fake after {} charges",
                        self.payments_at_fake(),
                        self.charges_sent()
                    )
                },
            )?;
            check(
                journal.open_entries().await.is_ok_and(|o| o.is_empty()),
                || "entries left open".to_owned(),
            )?;
            journal.close().await;
            Ok((
                (),
                format!(
                    "Tid {payment_id} ({status}) -> succeeded; 1 charge sent, 1 payment at the fake"
                ),
            ))
        })
        .await?;
        Ok(())
    }
}

fn card_payment() -> Result<CreatePayment, String> {
    let card = CardDetails::new(
        CardNumber::new(cards::SUCCESS).map_err(|e| e.to_string())?,
        CardExpiry::new(12, 2030).map_err(|e| e.to_string())?,
        Cvv::new("123").map_err(|e| e.to_string())?,
    );
    let customer = Customer::new()
        .with_email(Email::parse("jeanne@example.org").map_err(|e| e.to_string())?)
        .with_name("Jeanne", "Martin")
        .with_ip_address(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)));
    CreatePayment::new(
        eur(2490)?,
        reference(ORDER)?,
        pay::PaymentMethod::Card(card),
    )
    .map(|p| p.with_customer(customer))
    .map_err(|e| e.to_string())
}
