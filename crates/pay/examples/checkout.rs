//! A provider-agnostic checkout: the provider comes from configuration and the checkout
//! code knows only pay-core's traits, behind `dyn`.
//!
//! ```text
//! cargo run -p pay --example checkout --features easytransac,easypay,testkit
//! ```
//!
//! With `PAY_PROVIDER` (and that provider's credentials, see [`pay::Config`]) in the
//! environment it runs once against what they name, a real sandbox included. Without, it
//! starts pay-testkit's fakes of both providers on 127.0.0.1 and runs the same code
//! against each: one hosted checkout, two different next actions.

// An example's job is to print.
#![allow(clippy::print_stdout)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use pay::SecretString;
use pay::testkit::FakeServer;
use pay::testkit::easypay::{EasypayConfig, EasypayFake};
use pay::testkit::easytransac::{EasytransacConfig, EasytransacFake, TEST_API_KEY};
use pay::{
    CallOptions, Config, CreatePayment, Currency, Customer, EasypaySettings, EasytransacSettings,
    Email, ErrorKind, MerchantReference, Money, NextAction, PayError, Payment, PaymentMethod,
    PaymentStatus, Phone, Provider, Target, Url,
};

/// Charges `total` for `order` on a hosted checkout, whatever the provider. The one
/// place that knows about money-safety: a lost answer is reconciled by the order
/// reference, never retried blindly.
async fn checkout(provider: &dyn Provider, order: &str, total: &str) -> Result<Payment, PayError> {
    let payments = provider.as_payments().ok_or_else(|| {
        PayError::new(ErrorKind::NotSupported {
            capability: pay::Capability::FindByReference,
        })
    })?;
    let amount = Money::parse_major(total, Currency::EUR)?;
    let reference = MerchantReference::new(order)?;
    let customer = Customer::new()
        .with_name("Ana", "Silva")
        .with_email(Email::parse("ana.silva@example.org")?)
        .with_phone(Phone::new("+351", "912345678")?)
        .with_ip_address(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)));
    let request = CreatePayment::new(amount, reference.clone(), PaymentMethod::HostedPage)?
        .with_customer(customer)
        .with_description(format!("Order {order}"));
    match payments.create_payment(&request, &CallOptions::new()).await {
        Err(err) if matches!(err.kind(), ErrorKind::AmbiguousOutcome { .. }) => {
            // The request may have reached the provider: look before anything else.
            match payments
                .find_by_reference(&reference, &CallOptions::new())
                .await?
            {
                Some(payment) => Ok(payment),
                None => Err(err),
            }
        }
        other => other,
    }
}

/// What the merchant's page does next.
fn next_step(payment: &Payment) -> String {
    match &payment.next_action {
        NextAction::Redirect { url, .. } => format!("redirect the browser to {}", url.as_str()),
        NextAction::ClientSession { checkout_id, .. } => {
            format!("open the provider's checkout widget with session {checkout_id}")
        }
        NextAction::CardForm { url } => format!("show the card form at {}", url.as_str()),
        NextAction::None if payment.status == PaymentStatus::Captured => "paid".to_owned(),
        other => format!("{other:?}"),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // From the environment, when it names a provider.
    if std::env::var_os(pay::PAY_PROVIDER).is_some() {
        let config = Config::from_env()?;
        let provider = config.connect()?;
        let payment = checkout(provider.as_ref(), "order-checkout-1", "49.90").await?;
        println!(
            "{}: {} -> {}",
            config.provider_id(),
            payment.status,
            next_step(&payment)
        );
        return Ok(());
    }

    // Otherwise, against both fakes: the same configuration types a deployment uses,
    // pointed at 127.0.0.1.
    let easytransac = FakeServer::start(EasytransacFake::new(EasytransacConfig::new(
        SecretString::from(TEST_API_KEY),
    )))
    .await?;
    let easypay = FakeServer::start(EasypayFake::new(EasypayConfig::new(
        "acct-example",
        "key-example",
    )))
    .await?;
    let configs = [
        Config::easytransac(
            EasytransacSettings::new(SecretString::from(TEST_API_KEY))
                .target(Target::Custom(Url::parse(easytransac.base_url())?)),
        ),
        Config::easypay(
            EasypaySettings::new(
                SecretString::from("acct-example"),
                SecretString::from("key-example"),
            )
            .target(Target::Custom(Url::parse(&easypay.url("/2.0"))?)),
        ),
    ];
    for config in configs {
        let provider: Arc<dyn Provider> = config.connect()?;
        let payment = checkout(provider.as_ref(), "order-checkout-1", "49.90").await?;
        println!(
            "{:<12} {} {} -> {}",
            provider.id(),
            payment.amount,
            payment.status,
            next_step(&payment)
        );
    }
    Ok(())
}
