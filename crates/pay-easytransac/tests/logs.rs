//! A TRACE log of a whole flow (card payment, refund, V2 mandate and debit, a decline, a
//! refused card number, the V2 token) shows no secret: not the API key, the token, a card
//! number, a CVV or an IBAN.
//!
//! Its own test binary: `tracing`'s callsite interest is process-wide, and tests running
//! on other threads without a subscriber would race with this one's scoped subscriber.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use pay_core::wire::MinorUnits;
use pay_core::{
    CallOptions, CardDetails, CardExpiry, CardNumber, CreateMandate, CreatePayment, Currency,
    Customer, Cvv, Email, Iban, MandateDebit, Mandates, ManualClock, MerchantReference, Money,
    PaymentMethod, Payments, RefundRequest, Refunds, RetryPolicy, from_unix_seconds,
};
use pay_easytransac::{EasytransacClient, wire};
use pay_testkit::FakeServer;
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
use pay_testkit::logs::capture_at_trace;
use secrecy::SecretString;

const KEY: &str = "et_test_adapter-log-key";

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

fn reference(text: &str) -> MerchantReference {
    MerchantReference::new(text).unwrap()
}

fn payment(reference: MerchantReference, number: &str) -> CreatePayment {
    let card = PaymentMethod::Card(CardDetails::new(
        CardNumber::new(number).unwrap(),
        CardExpiry::new(12, 2030).unwrap(),
        Cvv::new("123").unwrap(),
    ));
    let customer = Customer::new()
        .with_email(Email::parse("ana@example.org").unwrap())
        .with_ip_address(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    CreatePayment::new(eur(2500), reference, card)
        .unwrap()
        .with_customer(customer)
}

struct Setup {
    client: EasytransacClient,
    _server: FakeServer<EasytransacFake>,
}

async fn setup() -> Setup {
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let server = FakeServer::builder()
        .clock(clock.clone())
        .start(EasytransacFake::new(EasytransacConfig::new(
            SecretString::from(KEY),
        )))
        .await
        .unwrap();
    let client = EasytransacClient::builder(SecretString::from(KEY))
        .base_url(server.base_url())
        .clock(Arc::new(clock))
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(5),
        ))
        .build()
        .unwrap();
    Setup {
        client,
        _server: server,
    }
}

#[test]
fn a_full_flow_logged_at_trace_shows_no_secret() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (token, log) = capture_at_trace(|| {
        runtime.block_on(async {
            let s = setup().await;
            let o = CallOptions::new();
            let paid = s
                .client
                .create_payment(&payment(reference("o-log"), cards::SUCCESS), &o)
                .await
                .unwrap();
            s.client
                .refund(&RefundRequest::full(paid.id.clone().unwrap()), &o)
                .await
                .unwrap();
            let request = CreateMandate::new(
                reference("o-log-m"),
                Iban::parse("FR1420041010050500013M02606").unwrap(),
                "Ana Silva",
            )
            .unwrap();
            let mandate = s.client.create_mandate(&request, &o).await.unwrap();
            let debit = MandateDebit::new(mandate.id, eur(100), reference("o-log-d")).unwrap();
            s.client.debit_mandate(&debit, &o).await.unwrap();
            // An error path too: its evidence is logged and kept.
            let _ = s
                .client
                .create_payment(
                    &payment(reference("o-log-d"), cards::DECLINED_INSUFFICIENT_FUNDS),
                    &o,
                )
                .await;
            let bad = wire::V1DirectPaymentRequest::new(
                MinorUnits(100),
                "4111111111111112".to_owned(),
                "12".to_owned(),
                "2030".to_owned(),
                "123".to_owned(),
                "10.0.0.1".to_owned(),
            );
            let _ = s.client.payments().direct(&bad, &o).await;
            let token = s.client.auth().token(&o).await.unwrap();
            secrecy::ExposeSecret::expose_secret(&token).to_owned()
        })
    });
    assert!(
        log.contains("pay.attempt"),
        "tracing reached the transport:\n{log}"
    );
    for secret in [
        KEY,
        token.as_str(),
        cards::SUCCESS,
        "4111111111111112",
        "CardCVV=123",
        "FR1420041010050500013M02606",
        "20041010050500013",
    ] {
        assert!(!log.contains(secret), "`{secret}` in the log");
    }
}
