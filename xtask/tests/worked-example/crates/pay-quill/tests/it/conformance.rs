//! pay-testkit's conformance kit, run against the Quill fake: every check runs, and all pass
//! but the three a provider without capture and without search by reference cannot run.
//! Beside it, the one rule of Quill's the kit cannot know: a repeated cancel answers the
//! cancelled payment again (what makes `payment_cancel` `x-idempotent: true`).

use std::time::SystemTime;

use pay_core::{
    CaptureMode, CreatePayment, Currency, MerchantReference, Money, PaymentMethod, PaymentStatus,
    Payments, RawWebhook, Void, VoidRequest,
};
use pay_quill::{Client, STATUSES, map_status};
use pay_testkit::FakeServer;
use pay_testkit::conformance::{self, Outcome, Subject};
use pay_testkit::quill::{DECLINED_AMOUNT, QuillFake, TEST_API_KEY, TEST_WEBHOOK_SECRET};
use secrecy::SecretString;

fn payment(minor: i64, reference: MerchantReference) -> CreatePayment {
    let amount = Money::from_minor(minor, Currency::EUR).expect("amount");
    CreatePayment::new(amount, reference, PaymentMethod::CardForm).expect("request")
}

#[tokio::test]
async fn the_full_conformance_kit_passes() {
    // Notifications queue for a loopback URL nobody listens on; the kit gets one as sent.
    let fake = QuillFake::default().notify("http://127.0.0.1:9/quill");
    let server = FakeServer::start(fake).await.expect("fake");
    let client = Client::builder(SecretString::from(TEST_API_KEY))
        .webhook_secret(SecretString::from(TEST_WEBHOOK_SECRET))
        .base_url(server.base_url())
        .build()
        .expect("client");
    let reference = MerchantReference::new("sample").expect("reference");
    let options = pay_core::CallOptions::new();
    client
        .create_payment(&payment(1250, reference), &options)
        .await
        .expect("sample payment");
    let pending = server.webhooks().pending();
    let sent = pending.first().expect("a notification").notification();
    let sample = RawWebhook::new(
        sent.headers().to_vec(),
        sent.body().to_vec(),
        SystemTime::now(),
    );

    let subject = Subject::new(&client, |reference| payment(1250, reference))
        .with_declined_payment(|reference| payment(DECLINED_AMOUNT, reference))
        .with_statuses(STATUSES, map_status)
        .with_signed_webhook(sample)
        .with_secrets(&[TEST_API_KEY, TEST_WEBHOOK_SECRET]);
    let report = conformance::run(&subject).await;
    report.assert_all_pass();
    let skipped: Vec<&str> = report
        .results()
        .iter()
        .filter(|r| matches!(r.outcome(), Outcome::Skipped(_)))
        .map(|r| r.name())
        .collect();
    assert_eq!(
        skipped,
        [
            conformance::FIND_BY_REFERENCE,
            conformance::CAPTURE,
            conformance::PARTIAL_CAPTURE
        ],
        "{report}"
    );
    assert_eq!(report.results().len(), conformance::ALL_CHECKS.len());
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_repeated_cancel_answers_the_cancelled_payment() {
    let server = FakeServer::start(QuillFake::default()).await.expect("fake");
    let client = Client::builder(SecretString::from(TEST_API_KEY))
        .base_url(server.base_url())
        .build()
        .expect("client");
    let options = pay_core::CallOptions::new();
    let mut request = payment(
        1250,
        MerchantReference::new("cancel-twice").expect("reference"),
    );
    request.capture = CaptureMode::Manual;
    let authorised = client
        .create_payment(&request, &options)
        .await
        .expect("authorised");
    assert_eq!(authorised.status, PaymentStatus::Authorized);
    let cancel = VoidRequest::new(authorised.id.clone().expect("an id"));
    for attempt in ["first", "repeated"] {
        let cancelled = client.void(&cancel, &options).await.expect(attempt);
        assert_eq!(cancelled.status, PaymentStatus::Canceled, "{attempt}");
    }
    server.shutdown().await.expect("clean shutdown");
}
