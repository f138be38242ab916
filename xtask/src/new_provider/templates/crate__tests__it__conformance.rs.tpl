//! pay-testkit's conformance kit, run against the {title} fake: every check the declared
//! capabilities call for passes, and the others are skipped for a stated reason.

use {module}::{Client, STATUSES, map_status};
use pay_core::{CreatePayment, Currency, MerchantReference, Money, PaymentMethod};
use pay_testkit::FakeServer;
use pay_testkit::{name}::{{title}Fake, TEST_API_KEY};
use pay_testkit::conformance::{self, Subject};
use secrecy::SecretString;

fn payment(reference: MerchantReference) -> CreatePayment {
    let amount = Money::from_minor(1250, Currency::EUR).expect("amount");
    CreatePayment::new(amount, reference, PaymentMethod::CardForm).expect("request")
}

#[tokio::test]
async fn the_conformance_kit_passes() {
    let server = FakeServer::start({title}Fake::default()).await.expect("fake");
    let client = Client::builder(SecretString::from(TEST_API_KEY))
        .base_url(server.base_url())
        .build()
        .expect("client");
    let subject = Subject::new(&client, payment)
        .with_statuses(STATUSES, map_status)
        .with_secrets(&[TEST_API_KEY]);
    let report = conformance::run(&subject).await;
    report.assert_all_pass();
    assert!(report.passed(conformance::CREATE_THEN_GET), "{report}");
    server.shutdown().await.expect("clean shutdown");
}
