//! Each operation against the {title} fake: what is sent, and how failures come back.

use {module}::Client;
use pay_core::{
    CallOptions, CreatePayment, Currency, ErrorKind, MerchantReference, Money, PaymentMethod,
    PaymentStatus, Payments, ProviderPaymentId,
};
use pay_testkit::FakeServer;
use pay_testkit::{name}::{{title}Fake, TEST_API_KEY};
use secrecy::SecretString;

fn client(server: &FakeServer<{title}Fake>, key: &str) -> Client {
    Client::builder(SecretString::from(key.to_owned()))
        .base_url(server.base_url())
        .build()
        .expect("client")
}

fn request(minor: i64) -> CreatePayment {
    let amount = Money::from_minor(minor, Currency::JPY).expect("amount");
    let reference = MerchantReference::new("order-1").expect("reference");
    CreatePayment::new(amount, reference, PaymentMethod::CardForm).expect("request")
}

#[tokio::test]
async fn a_payment_is_created_and_read_back_with_the_bearer_key() {
    let server = FakeServer::start({title}Fake::default()).await.expect("fake");
    let client = client(&server, TEST_API_KEY);
    let options = CallOptions::new();
    let created = client.create_payment(&request(500), &options).await.expect("created");
    assert_eq!(created.status, PaymentStatus::Captured);
    assert_eq!(created.amount, Money::from_minor(500, Currency::JPY).expect("amount"));
    let id = created.id.clone().expect("id");
    let read = client.get_payment(&id, &options).await.expect("read");
    assert_eq!(read.id, created.id);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].operation(), Some("payment_create"));
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn failures_are_typed() {
    let server = FakeServer::start({title}Fake::default()).await.expect("fake");
    let options = CallOptions::new();
    let wrong = client(&server, "sk_wrong");
    let err = wrong.create_payment(&request(500), &options).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Authentication, "{err}");
    assert!(!format!("{err:?}").contains("sk_wrong"));

    let client = client(&server, TEST_API_KEY);
    let missing = ProviderPaymentId::new("pay_404").expect("id");
    let err = client.get_payment(&missing, &options).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::NotFound);
    assert_eq!(err.provider_code(), Some("not_found"));
    server.shutdown().await.expect("clean shutdown");
}
