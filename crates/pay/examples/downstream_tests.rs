//! What a downstream crate's tests look like: the application's payment code tested with
//! the mocks (`pay::mock`, feature `mock`), against a fake provider in-process
//! (`pay::testkit`, feature `testkit`), and against the `pay-testkit serve` binary, the
//! way a test in another language would use it.
//!
//! ```text
//! cargo test -p pay --example downstream_tests --features easytransac,easypay,testkit,mock
//! ```
//!
//! In an application, the features go in `[dev-dependencies]`:
//!
//! ```toml
//! [dependencies]
//! pay = { git = "https://example.invalid/pay", features = ["easypay"] }
//! [dev-dependencies]
//! pay = { git = "https://example.invalid/pay", features = ["easypay", "testkit", "mock"] }
//! ```

// The example's `main` only says how to run its tests.
#![allow(clippy::print_stdout)]

use pay::{
    CallOptions, CreatePayment, ErrorKind, MerchantReference, Money, PayError, Payment,
    PaymentMethod, Payments,
};

/// The application's code under test: charge an order once, even when the answer is lost.
async fn charge_order(
    payments: &dyn Payments,
    order: &MerchantReference,
    total: Money,
    method: PaymentMethod,
) -> Result<Payment, PayError> {
    let request = CreatePayment::new(total, order.clone(), method)?;
    match payments.create_payment(&request, &CallOptions::new()).await {
        Err(err) if matches!(err.kind(), ErrorKind::AmbiguousOutcome { .. }) => payments
            .find_by_reference(order, &CallOptions::new())
            .await?
            .ok_or(err),
        other => other,
    }
}

fn main() {
    println!(
        "run the tests: cargo test -p pay --example downstream_tests \
         --features easytransac,easypay,testkit,mock"
    );
    let _ = charge_order;
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::net::{IpAddr, Ipv4Addr};
    use std::process::{Child, Command, Stdio};

    use pay::SecretString;
    use pay::easypay::{AccountId, ApiKey, EasypayClient};
    use pay::easytransac::EasytransacClient;
    use pay::mock::MockProvider;
    use pay::testkit::easypay::{EasypayConfig, EasypayFake, PHONE_AUTHORISED};
    use pay::testkit::easytransac::{EasytransacFake, TEST_API_KEY, cards};
    use pay::testkit::{FakeServer, Fault, Route};
    use pay::{
        CardDetails, CardExpiry, CardNumber, Currency, Customer, Cvv, ErrorKind, MerchantReference,
        Money, PayError, Payment, PaymentMethod, PaymentStatus, Phone, ProviderPaymentId,
    };

    use super::charge_order;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR).unwrap()
    }

    fn order(text: &str) -> MerchantReference {
        MerchantReference::new(text).unwrap()
    }

    fn card() -> PaymentMethod {
        PaymentMethod::Card(CardDetails::new(
            CardNumber::new(cards::SUCCESS).unwrap(),
            CardExpiry::new(12, 2030).unwrap(),
            Cvv::new("123").unwrap(),
        ))
    }

    /// 1. A unit test with the mock: the lost answer path, without any server.
    #[tokio::test]
    async fn with_the_mock_a_lost_answer_is_looked_up_not_retried() {
        let mut mock = MockProvider::new();
        mock.expect_create_payment()
            .times(1)
            .returning(|request, _| {
                Err(PayError::new(ErrorKind::AmbiguousOutcome {
                    reference: Some(request.reference().clone()),
                }))
            });
        mock.expect_find_by_reference()
            .times(1)
            .returning(|reference, _| {
                let id = ProviderPaymentId::new("p-1").unwrap();
                Ok(Some(
                    Payment::new(id, eur(1000), PaymentStatus::Captured, "paid")
                        .with_reference(reference.clone()),
                ))
            });
        let payment = charge_order(&mock, &order("o-1"), eur(1000), PaymentMethod::HostedPage)
            .await
            .unwrap();
        assert_eq!(payment.status, PaymentStatus::Captured);
        // `times(1)` on create_payment: the write was not retried.
    }

    /// 2. Against a fake provider in-process, with a fault injected: the real client, the
    ///    real HTTP, and the fake's state to check that exactly one payment exists.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn against_the_in_process_fake_the_answer_is_lost_and_one_payment_exists() {
        let server = FakeServer::start(EasytransacFake::with_test_key())
            .await
            .unwrap();
        let client = EasytransacClient::builder(SecretString::from(TEST_API_KEY))
            .base_url(server.base_url())
            .build()
            .unwrap();
        server
            .faults()
            .on(Route::new("POST", "/api/payment/direct"))
            .then(Fault::AppliedThenLost)
            .then_normal();
        let mut request_customer = Customer::new();
        request_customer.ip_address = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        // charge_order builds its own request; the customer's IP is required by
        // Easytransac, so this order goes through the trait directly with one.
        let request = pay::CreatePayment::new(eur(4200), order("o-2"), card())
            .unwrap()
            .with_customer(request_customer);
        let err = pay::Payments::create_payment(&client, &request, &pay::CallOptions::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::AmbiguousOutcome { .. }),
            "{err}"
        );
        let found =
            pay::Payments::find_by_reference(&client, &order("o-2"), &pay::CallOptions::new())
                .await
                .unwrap()
                .expect("the payment went through");
        assert_eq!(found.amount, eur(4200));
        let at_provider = server
            .provider()
            .payments()
            .iter()
            .filter(|p| p.order_id.as_deref() == Some("o-2"))
            .count();
        assert_eq!(at_provider, 1);

        // And the application's own function against another fake.
        let easypay = FakeServer::start(EasypayFake::new(EasypayConfig::new("acct", "key")))
            .await
            .unwrap();
        let client = EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
            .base_url(easypay.url("/2.0"))
            .build()
            .unwrap();
        let phone = Phone::new("+351", PHONE_AUTHORISED).unwrap();
        let paid = charge_order(
            &client,
            &order("o-3"),
            eur(990),
            PaymentMethod::MbWay { phone },
        )
        .await
        .unwrap();
        assert_eq!(paid.amount, eur(990));
    }

    /// Kills the served fake when the test ends, pass or fail.
    struct Served(Child);

    impl Drop for Served {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// 3. Against the `pay-testkit serve` binary: any HTTP client in any language can do
    ///    this. Here the binary cargo built beside this test (`cargo test --workspace`
    ///    builds it); a downstream crate runs an installed `pay-testkit` the same way.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn against_the_served_binary() {
        let exe = std::env::current_exe().unwrap();
        let binary = exe
            .parent()
            .and_then(|examples| examples.parent())
            .map(|dir| dir.join(format!("pay-testkit{}", std::env::consts::EXE_SUFFIX)))
            .filter(|path| path.exists());
        let Some(binary) = binary else {
            // Only when this example is tested alone, before the binary was ever built.
            eprintln!("skipped: build it first with `cargo build -p pay-testkit`");
            return;
        };
        let mut child = Command::new(binary)
            .args(["serve", "--provider", "easytransac"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let served = Served(child);
        let mut first_line = String::new();
        BufReader::new(stdout).read_line(&mut first_line).unwrap();
        let base_url = first_line.trim().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");

        let client = EasytransacClient::builder(SecretString::from(TEST_API_KEY))
            .base_url(&base_url)
            .build()
            .unwrap();
        let customer = Customer::new().with_ip_address(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)));
        let request = pay::CreatePayment::new(eur(1500), order("o-served"), card())
            .unwrap()
            .with_customer(customer);
        let payment = pay::Payments::create_payment(&client, &request, &pay::CallOptions::new())
            .await
            .unwrap();
        assert_eq!(payment.status, PaymentStatus::Captured);
        drop(served);
    }
}
