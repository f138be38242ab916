//! Paying money out: an Easypay out-payment through pay-core's `Payouts` trait, signed
//! once with the merchant's RSA key (Easypay's strong authentication), read back, and
//! cancelled while it is still pending.
//!
//! ```text
//! cargo run -p pay --example payouts --features easypay,testkit
//! ```
//!
//! It runs against pay-testkit's Easypay fake, which verifies the signature with the
//! public half of the documented *test* key in `fixtures/easypay/keys`. In production the
//! private key comes from a secret store (`EASYPAY_OUT_PAYMENT_KEY_FILE` with
//! [`pay::Config::from_env`]) and never from the repository.

// An example's job is to print.
#![allow(clippy::print_stdout)]

use pay::SecretString;
use pay::testkit::FakeServer;
use pay::testkit::easypay::{EasypayConfig, EasypayFake, TEST_OUT_PAYMENT_PUBLIC_KEY};
use pay::{
    CallOptions, Config, CreatePayout, Currency, EasypaySettings, Email, ErrorKind, Iban,
    MerchantReference, Money, PayoutStatus, Phone, Target, Url,
};

/// The documented test key's private half. Never use it for real money.
const TEST_PRIVATE_KEY: &str =
    include_str!("../../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem");

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::start(EasypayFake::new(
        EasypayConfig::new("acct-example", "key-example")
            .with_out_payment_key(TEST_OUT_PAYMENT_PUBLIC_KEY)?,
    ))
    .await?;
    let config = Config::easypay(
        EasypaySettings::new(
            SecretString::from("acct-example"),
            SecretString::from("key-example"),
        )
        .target(Target::Custom(Url::parse(&fake.url("/2.0"))?))
        .out_payment_key_pem(SecretString::from(TEST_PRIVATE_KEY)),
    );
    let provider = config.connect()?;
    let payouts = provider
        .as_payouts()
        .ok_or("this provider has no payouts")?;
    let o = CallOptions::new();

    // Easypay needs the beneficiary's email and phone; the request says so before sending
    // if they are missing.
    let mut request = CreatePayout::new(
        Money::parse_major("250.00", Currency::EUR)?,
        MerchantReference::new("supplier-invoice-2024-117")?,
        Iban::parse("PT50 0002 0123 1234 5678 9015 4")?,
        "Costa & Filhos, Lda",
    )?;
    let err = payouts.create_payout(&request, &o).await.unwrap_err();
    if let ErrorKind::InvalidRequest(problem) = err.kind() {
        println!("refused before sending: {problem}");
    }
    request.beneficiary_email = Some(Email::parse("accounts@costa-filhos.example")?);
    request.beneficiary_phone = Some(Phone::new("+351", "912345678")?);
    request.description = Some("Invoice 2024-117".to_owned());

    let payout = payouts.create_payout(&request, &o).await?;
    // The IBAN is masked in Display and Debug.
    println!(
        "out-payment {}: {} {} to {}",
        payout.id, payout.status, payout.amount, request.iban
    );
    let read = payouts.get_payout(&payout.id, &o).await?;
    println!("read back: {}", read.status);
    if read.status != PayoutStatus::Paid {
        let cancelled = payouts.cancel_payout(&payout.id, &o).await?;
        println!("cancelled: {}", cancelled.status);
    }
    Ok(())
}
