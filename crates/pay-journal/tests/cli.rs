//! `pay-journal recover` from a shell: an ambiguous write left in a SQLite journal is
//! settled through the provider named by the environment, and `list` shows it.

use std::process::Command;
use std::sync::Arc;

use pay_core::{Payments, WriteJournal};
use pay_easytransac::EasytransacClient;
use pay_journal::{Journal, State};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake};
use pay_testkit::{FakeServer, Fault, Route};
use secrecy::SecretString;

const KEY: &str = "et_test_journal-cli-key";

fn pay_journal(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_pay-journal"))
        .args(args)
        .env_remove("EASYPAY_ACCOUNT_ID")
        .env_remove("EASYPAY_API_KEY")
        .env_remove("PAY_JOURNAL_DATABASE")
        .envs(envs.iter().copied())
        .output()
        .expect("the command runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recover_settles_an_ambiguous_write_through_the_provider() {
    let dir = std::env::temp_dir().join(format!("pay-journal-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("journal.db").display());
    let journal = Journal::open(&url).await.unwrap();
    let server = FakeServer::start(EasytransacFake::new(EasytransacConfig::new(
        SecretString::from(KEY),
    )))
    .await
    .unwrap();
    server
        .faults()
        .on(Route::operation("v1_payment_direct"))
        .then(Fault::AppliedThenLost)
        .then_normal();
    let shared: Arc<dyn WriteJournal> = journal.shared();
    let client = EasytransacClient::builder(SecretString::from(KEY))
        .base_url(server.base_url())
        .journal(shared)
        .build()
        .unwrap();
    let card = pay_core::PaymentMethod::Card(pay_core::CardDetails::new(
        pay_core::CardNumber::new(pay_testkit::easytransac::cards::SUCCESS).unwrap(),
        pay_core::CardExpiry::new(12, 2031).unwrap(),
        pay_core::Cvv::new("737").unwrap(),
    ));
    let customer = pay_core::Customer::new()
        .with_email(pay_core::Email::parse("ana@example.org").unwrap())
        .with_ip_address([10, 0, 0, 1].into());
    let request = pay_core::CreatePayment::new(
        pay_core::Money::from_minor(4550, pay_core::Currency::EUR).unwrap(),
        pay_core::MerchantReference::new("order-cli-1").unwrap(),
        card,
    )
    .unwrap()
    .with_customer(customer);
    let err = client
        .create_payment(&request, &Default::default())
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");

    let (code, stdout, stderr) = pay_journal(&["list", "--database", &url, "--open"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("ref=order-cli-1 amount=45.50 EUR ambiguous"),
        "{stdout}"
    );

    // Too young for the default minimum age: left alone, and listed as skipped.
    let env = [
        ("EASYTRANSAC_API_KEY", KEY),
        ("EASYTRANSAC_BASE_URL", server.base_url()),
    ];
    let (code, stdout, _) = pay_journal(&["recover", "--database", &url], &env);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("ref=order-cli-1 amount=45.50 EUR was ambiguous: skipped: ")
            && stdout.contains("younger than min_age 5 min; run again later or lower min_age"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 entries looked at: 0 applied, 0 never applied, 0 left open; 1 skipped"),
        "{stdout}"
    );
    assert_eq!(journal.open_entries().await.unwrap().len(), 1);

    let (code, stdout, stderr) =
        pay_journal(&["recover", "--database", &url, "--min-age", "0"], &env);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("applied: payment"), "{stdout}");
    assert!(
        stdout.contains("1 entry looked at: 1 applied, 0 never applied, 0 left open; 0 skipped"),
        "{stdout}"
    );
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY));
    let entries = journal.entries().await.unwrap();
    assert_eq!(entries[0].state, State::Succeeded);
    assert_eq!(
        server
            .snapshot()
            .of_kind(&pay_testkit::ResourceKind::Payment)
            .count(),
        1
    );

    let (code, _, stderr) = pay_journal(&["recover"], &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("PAY_JOURNAL_DATABASE"), "{stderr}");
    let (code, _, _) = pay_journal(&["frobnicate"], &[]);
    assert_eq!(code, 2);
    std::fs::remove_dir_all(&dir).ok();
}
