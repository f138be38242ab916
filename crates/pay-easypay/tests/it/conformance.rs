//! pay-testkit's conformance kit against the client and the fake.

use pay_core::{CreatePayment, Currency, MerchantReference, Money, PaymentMethod, Phone};
use pay_easypay::{status, wire};
use pay_testkit::conformance::{self, Subject};
use pay_testkit::easypay::{PHONE_AUTHORISED, PHONE_DECLINED};

use pay_core::CallOptions;

use crate::support::{ACCOUNT, API_KEY, Env, HOOK_PASSWORD};

fn mbway(phone: &str, reference: MerchantReference) -> CreatePayment {
    CreatePayment::new(
        Money::from_minor(1250, Currency::EUR).unwrap(),
        reference,
        PaymentMethod::MbWay {
            phone: Phone::new("+351", phone).unwrap(),
        },
    )
    .unwrap()
}

#[tokio::test]
async fn the_conformance_kit_passes() {
    let env = Env::with_notifications().await;
    pay_core::Payments::create_payment(
        &env.client,
        &mbway(PHONE_AUTHORISED, MerchantReference::new("sample").unwrap()),
        &CallOptions::new(),
    )
    .await
    .unwrap();
    let sample = env
        .notifications()
        .into_iter()
        .next()
        .expect("a notification");
    let subject = Subject::new(&env.client, |reference| mbway(PHONE_AUTHORISED, reference))
        .with_declined_payment(|reference| mbway(PHONE_DECLINED, reference))
        .with_statuses(wire::SinglePaymentStatus::VALUES, |raw| {
            status::payment_status(&raw.into())
        })
        .with_signed_webhook(sample)
        .with_secrets(&[ACCOUNT, API_KEY, HOOK_PASSWORD]);
    let report = conformance::run(&subject).await;
    report.assert_all_pass();
}
