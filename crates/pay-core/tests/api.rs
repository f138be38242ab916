//! The public API as a user and an adapter author meet it: a toy in-memory provider
//! implementing the traits, dynamic capability access, the mock, and the exact wording of
//! every validation error.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use pay_core::*;

#[path = "api/pins.rs"]
mod pins;

/// An in-memory provider with payments and refunds but nothing else.
#[derive(Debug)]
struct Ledger {
    caps: Capabilities,
    payments: Mutex<HashMap<String, Payment>>,
}

impl Ledger {
    fn new() -> Self {
        Self {
            caps: Capabilities::new(
                AmountEncoding::MinorUnits,
                IdempotencySupport::None,
                WebhookAuth::None,
            )
            .with(Capability::Refund)
            .with(Capability::PartialRefund)
            .with(Capability::FindByReference),
            payments: Mutex::new(HashMap::new()),
        }
    }
}

impl Provider for Ledger {
    fn id(&self) -> ProviderId {
        ProviderId::new("ledger")
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    fn environment(&self) -> Environment {
        Environment::Sandbox
    }
    fn as_payments(&self) -> Option<&dyn Payments> {
        Some(self)
    }
    fn as_refunds(&self) -> Option<&dyn Refunds> {
        Some(self)
    }
}

#[async_trait]
impl Payments for Ledger {
    async fn create_payment(
        &self,
        request: &CreatePayment,
        _: &CallOptions,
    ) -> Result<Payment, PayError> {
        let mut payments = self.payments.lock().unwrap();
        let id = ProviderPaymentId::new(format!("p{}", payments.len() + 1))?;
        let payment = Payment::new(
            id.clone(),
            request.amount(),
            PaymentStatus::Captured,
            "paid",
        )
        .with_reference(request.reference().clone())
        .with_captured(request.amount());
        payments.insert(id.as_str().to_owned(), payment.clone());
        Ok(payment)
    }

    async fn get_payment(
        &self,
        id: &ProviderPaymentId,
        _: &CallOptions,
    ) -> Result<Payment, PayError> {
        self.payments
            .lock()
            .unwrap()
            .get(id.as_str())
            .cloned()
            .ok_or_else(|| PayError::new(ErrorKind::NotFound).with_provider(self.id()))
    }

    async fn find_by_reference(
        &self,
        reference: &MerchantReference,
        _: &CallOptions,
    ) -> Result<Option<Payment>, PayError> {
        Ok(self
            .payments
            .lock()
            .unwrap()
            .values()
            .find(|p| p.reference.as_ref() == Some(reference))
            .cloned())
    }
}

#[async_trait]
impl Refunds for Ledger {
    async fn refund(
        &self,
        request: &RefundRequest,
        opts: &CallOptions,
    ) -> Result<Refund, PayError> {
        let payment = self.get_payment(&request.payment_id, opts).await?;
        let amount = request.amount().unwrap_or(payment.amount);
        if amount > payment.amount {
            return Err(PayError::new(ErrorKind::Rejected).with_provider_code("REFUND_TOO_LARGE"));
        }
        Ok(Refund::new(
            None,
            request.payment_id.clone(),
            amount,
            RefundStatus::Succeeded,
            "refunded",
        ))
    }

    async fn get_refund(&self, _: &ProviderRefundId, _: &CallOptions) -> Result<Refund, PayError> {
        Err(PayError::new(ErrorKind::NotSupported {
            capability: Capability::Refund,
        }))
    }
}

fn eur(text: &str) -> Money {
    Money::parse_major(text, Currency::EUR).unwrap()
}

#[tokio::test]
async fn a_provider_behind_dyn_with_optional_operations() {
    let ledger = Ledger::new();
    let provider: &dyn Provider = &ledger;

    // Optional operations are reached through typed accessors, agreeing with capabilities.
    assert!(provider.as_capture().is_none());
    assert!(!provider.capabilities().supports(Capability::Capture));
    assert!(provider.as_payouts().is_none());
    let payments = provider.as_payments().expect("payments");
    let refunds = provider.as_refunds().expect("refunds");
    assert!(provider.capabilities().supports(Capability::Refund));

    let reference = MerchantReference::new("order-1").unwrap();
    let request =
        CreatePayment::new(eur("25.00"), reference.clone(), PaymentMethod::HostedPage).unwrap();
    let opts = CallOptions::new();
    let paid = payments.create_payment(&request, &opts).await.unwrap();
    assert!(paid.status.is_success());

    // Reconciliation by merchant reference finds it.
    let found = payments
        .find_by_reference(&reference, &opts)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, paid.id);

    let paid_id = paid.require_id().unwrap().clone();
    let partial = RefundRequest::partial(paid_id.clone(), eur("10")).unwrap();
    let refund = refunds.refund(&partial, &opts).await.unwrap();
    assert_eq!(refund.amount, eur("10"));
    let too_much = RefundRequest::partial(paid_id, eur("30")).unwrap();
    let err = refunds.refund(&too_much, &opts).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Rejected));

    let missing = ProviderPaymentId::new("nope").unwrap();
    let err = payments.get_payment(&missing, &opts).await.unwrap_err();
    assert_eq!(err.to_string(), "ledger: not found");
}

#[test]
fn traits_are_object_safe_and_thread_safe() {
    fn assert_send_sync<T: Send + Sync + ?Sized>() {}
    assert_send_sync::<dyn Provider>();
    assert_send_sync::<dyn Payments>();
    assert_send_sync::<dyn Capture>();
    assert_send_sync::<dyn Void>();
    assert_send_sync::<dyn Refunds>();
    assert_send_sync::<dyn Mandates>();
    assert_send_sync::<dyn Recurring>();
    assert_send_sync::<dyn Payouts>();
    assert_send_sync::<dyn Webhooks>();
    assert_send_sync::<dyn Checkouts>();
    assert_send_sync::<dyn Disputes>();
    assert_send_sync::<dyn SeenEvents>();
    assert_send_sync::<PayError>();
    let boxed: Box<dyn Payments> = Box::new(Ledger::new());
    assert_eq!(boxed.id().as_str(), "ledger");
}

#[cfg(feature = "mock")]
#[tokio::test]
async fn webhook_events_are_confirmed_by_reading_the_resource_back() {
    let ledger = Ledger::new();
    let o = CallOptions::new();
    let reference = MerchantReference::new("order-confirm").unwrap();
    let request = CreatePayment::new(eur("9.99"), reference, PaymentMethod::HostedPage).unwrap();
    let paid = ledger.create_payment(&request, &o).await.unwrap();
    let provider: &dyn Provider = &ledger;
    let event =
        |kind| WebhookEvent::new(ledger.id(), EventId::new("e1").unwrap(), kind, Trust::Hint);

    // The notification claims a status; the confirmation is the provider's own state.
    let claimed = event(EventKind::Payment {
        id: paid.id.clone(),
        checkout_id: None,
        status: Some(PaymentStatus::Failed),
    });
    let confirmed = confirm_event(provider, &claimed, &o).await.unwrap();
    assert_eq!(confirmed.payment().unwrap().status, PaymentStatus::Captured);

    // An event naming a payment that does not exist is the read's error.
    let forged = event(EventKind::Payment {
        id: Some(ProviderPaymentId::new("p404").unwrap()),
        checkout_id: None,
        status: Some(PaymentStatus::Captured),
    });
    let err = confirm_event(provider, &forged, &o).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotFound));

    // Nothing to read back: no id, or an unknown type.
    let anonymous = event(EventKind::Payment {
        id: None,
        checkout_id: None,
        status: None,
    });
    assert!(matches!(
        confirm_event(provider, &anonymous, &o).await.unwrap(),
        Confirmed::Nothing
    ));
    let unknown = event(EventKind::Unknown {
        provider_type: "novelty".to_owned(),
    });
    assert!(matches!(
        confirm_event(provider, &unknown, &o).await.unwrap(),
        Confirmed::Nothing
    ));

    // A subscription's charge, and a dispute naming only its payment, are confirmed
    // through the payment.
    let charge = event(EventKind::Subscription {
        id: Some(SubscriptionId::new("s1").unwrap()),
        status: None,
        charge: paid.id.clone(),
        charge_number: Some(2),
        charge_status: Some(PaymentStatus::Captured),
    });
    let confirmed = confirm_event(provider, &charge, &o).await.unwrap();
    assert_eq!(confirmed.payment().unwrap().id, paid.id);
    let dispute = event(EventKind::Dispute {
        id: None,
        payment_id: paid.id.clone(),
        status: None,
    });
    let confirmed = confirm_event(provider, &dispute, &o).await.unwrap();
    assert_eq!(confirmed.payment().unwrap().id, paid.id);

    // A kind the provider cannot read names the missing capability.
    let subscription = event(EventKind::Subscription {
        id: Some(SubscriptionId::new("s1").unwrap()),
        status: None,
        charge: None,
        charge_number: None,
        charge_status: None,
    });
    let err = confirm_event(provider, &subscription, &o)
        .await
        .unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::NotSupported {
            capability: Capability::Subscriptions
        }
    ));
    let payout = event(EventKind::Payout {
        id: Some(PayoutId::new("o1").unwrap()),
        status: None,
    });
    let err = confirm_event(provider, &payout, &o).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::NotSupported {
            capability: Capability::Payouts
        }
    ));
    let checkout = event(EventKind::Payment {
        id: None,
        checkout_id: Some(CheckoutId::new("c1").unwrap()),
        status: None,
    });
    let err = confirm_event(provider, &checkout, &o).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::NotSupported {
            capability: Capability::Checkouts
        }
    ));

    // A refund is read back through `get_refund` (the ledger's answers "not supported");
    // mandates and disputes the ledger cannot read at all.
    let refund = event(EventKind::Refund {
        id: Some(ProviderRefundId::new("r1").unwrap()),
        payment_id: paid.id.clone(),
        status: Some(RefundStatus::Succeeded),
    });
    let err = confirm_event(provider, &refund, &o).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::NotSupported {
            capability: Capability::Refund
        }
    ));
    let mandate = event(EventKind::Mandate {
        id: Some(MandateId::new("m1").unwrap()),
        status: None,
    });
    let err = confirm_event(provider, &mandate, &o).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::NotSupported {
            capability: Capability::Mandates
        }
    ));
    let disputed = event(EventKind::Dispute {
        id: Some(DisputeId::new("d1").unwrap()),
        payment_id: paid.id.clone(),
        status: None,
    });
    let err = confirm_event(provider, &disputed, &o).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::NotSupported {
            capability: Capability::Disputes
        }
    ));
}

// The mocks exist with the `mock` feature only (`cargo test -p pay-core --all-features`).
#[cfg(feature = "mock")]
#[tokio::test]
async fn mocks_stand_in_for_any_trait() {
    use pay_core::mock::MockProvider;

    let mut mock = MockProvider::new();
    mock.expect_capture()
        .withf(|request, _| request.payment_id.as_str() == "p9" && request.amount().is_none())
        .times(1)
        .returning(|request, _| {
            Ok(Payment::new(
                request.payment_id.clone(),
                Money::parse_major("5", Currency::EUR).unwrap(),
                PaymentStatus::Captured,
                "captured",
            ))
        });
    let captured = mock
        .capture(
            &CaptureRequest::full(ProviderPaymentId::new("p9").unwrap()),
            &CallOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Captured);
}

/// Every constructor's error, word for word: these messages are part of the API.
#[test]
fn every_validation_message() {
    let msg = |r: Result<(), ValidationError>| r.unwrap_err().to_string();
    let cases: Vec<(String, &str)> = vec![
        (
            msg(Money::parse_major("1.234", Currency::EUR).map(drop)),
            "`amount` has more decimal places than allowed for EUR (at most 2); amounts are never rounded",
        ),
        (
            msg(Money::parse_major("1,00", Currency::EUR).map(drop)),
            "`amount` must be a decimal number such as 12.50 (digits, optional '.' and decimals)",
        ),
        (
            msg(Money::parse_major("99999999999999999999", Currency::EUR).map(drop)),
            "`amount` is too large (the amount would overflow)",
        ),
        (
            msg(Money::from_minor(1, Currency::XXX).map(drop)),
            "`currency` uses XXX, which has no minor unit and cannot be used as money",
        ),
        (
            msg(eur("1")
                .checked_add(Money::from_minor(1, Currency::USD).unwrap())
                .map(drop)),
            "`amount` mixes currencies EUR and USD",
        ),
        (
            msg(eur("1").allocate(&[]).map(drop)),
            "`weights` is required",
        ),
        (
            msg(AmountEncoding::MinorUnits
                .decode("1.5", Currency::EUR)
                .map(drop)),
            "`amount` must be an integer number of minor units such as 1250",
        ),
        (
            msg(AmountEncoding::MajorJsonNumber { max_decimals: 2 }
                .decode("x", Currency::EUR)
                .map(drop)),
            "`amount` must be a JSON number such as 12.5",
        ),
        (
            msg(Iban::parse("XX").map(drop)),
            "`iban` is not an IBAN (2 letters, 2 check digits, then up to 30 letters or digits)",
        ),
        (
            msg(Iban::parse("PT50000201231234567890155").map(drop)),
            "`iban` has IBAN check digits that do not match",
        ),
        (
            msg(Iban::parse("PT5600020123123456789015").map(drop)),
            "`iban` does not follow its country's IBAN layout (or the country has no IBAN)",
        ),
        (
            msg(Bic::parse("X").map(drop)),
            "`bic` must be 8 or 11 characters: 4-letter bank code, 2-letter country code, 2 letters or digits, optional 3-character branch",
        ),
        (
            msg(CardNumber::new("4111111111111112").map(drop)),
            "`card_number` fails the card number check digit (Luhn)",
        ),
        (
            msg(CardNumber::new("4111-x").map(drop)),
            "`card_number` must contain only the digits 0-9",
        ),
        (
            msg(CardNumber::new("41111111111").map(drop)),
            "`card_number` is 11 characters long; at least 12 are required",
        ),
        (
            msg(Cvv::new("1").map(drop)),
            "`cvv` is 1 character long; at least 3 are required",
        ),
        (
            msg(CardExpiry::new(1, 1990).map(drop)),
            "`card_expiry.year` must be between 2000 and 2099",
        ),
        (
            msg(Email::parse("nobody").map(drop)),
            "`email` must be an email address such as name@example.com",
        ),
        (
            msg(Phone::new("+351", "").map(drop)),
            "`phone.number` is required",
        ),
        (
            msg(Phone::new("00351", "911234567").map(drop)),
            "`phone.indicative` must be a country calling code: '+' and 1 to 4 digits, such as +351",
        ),
        (
            msg(CountryCode::parse("P").map(drop)),
            "`country` must be an ISO 3166-1 two-letter country code such as PT",
        ),
        (
            msg(Language::parse("por").map(drop)),
            "`language` must be an ISO 639-1 two-letter language code such as fr",
        ),
        (
            msg(Url::parse("http://shop.example").map(drop)),
            "`url` must be an absolute https:// URL (http:// only for 127.0.0.1, [::1] or localhost)",
        ),
        (
            msg(MerchantReference::new("").map(drop)),
            "`merchant_reference` is required",
        ),
        (
            msg(CustomerReference::new("\u{7}").map(drop)),
            "`customer_reference` contains a character that is not allowed (printable characters; no control characters or line breaks)",
        ),
        (
            msg(IdempotencyKey::new("a b").map(drop)),
            "`idempotency_key` contains a character that is not allowed (printable ASCII without spaces)",
        ),
        (
            msg(CreatePayment::new(
                eur("0"),
                MerchantReference::new("r").unwrap(),
                PaymentMethod::HostedPage,
            )
            .map(drop)),
            "`amount` must be greater than 0",
        ),
        (
            msg(CreateMandate::new(
                MerchantReference::new("r").unwrap(),
                Iban::parse("PT50000201231234567890154").unwrap(),
                " ",
            )
            .map(drop)),
            "`account_holder` is required",
        ),
        (
            msg(Interval::Fortnightly.check_in(&[Interval::Monthly], &["monthly"])),
            "`interval` must be one of: monthly",
        ),
        (
            msg(CreateInstalments::new(
                eur("100"),
                1,
                MerchantReference::new("r").unwrap(),
                PaymentMethod::HostedPage,
                Interval::monthly(),
            )
            .map(drop)),
            "`count` must be between 2 and 48",
        ),
        (
            msg(CreateInstalments::new(
                Money::from_minor(2, Currency::EUR).unwrap(),
                3,
                MerchantReference::new("r").unwrap(),
                PaymentMethod::HostedPage,
                Interval::monthly(),
            )
            .map(drop)),
            "`total` is too small to give every instalment at least one minor unit",
        ),
        (
            msg(CreatePayout::new(
                eur("1"),
                MerchantReference::new("r").unwrap(),
                Iban::parse("PT50000201231234567890154").unwrap(),
                "",
            )
            .map(drop)),
            "`beneficiary_name` is required",
        ),
        (
            msg(check::one_of(
                "customer.language",
                "DE",
                &["PT", "EN", "ES"],
            )),
            "`customer.language` must be one of: PT, EN, ES",
        ),
        (
            ValidationError::new(
                "value",
                Rule::Minimum {
                    min: "0.5".into(),
                    inclusive: true,
                },
            )
            .to_string(),
            "`value` must be at least 0.5",
        ),
        (
            ValidationError::new(
                "value",
                Rule::Maximum {
                    max: "999999.99".into(),
                    inclusive: true,
                },
            )
            .to_string(),
            "`value` must be at most 999999.99",
        ),
        (
            ValidationError::new("iban", Rule::Overflow)
                .within("sdd_mandate")
                .to_string(),
            "`sdd_mandate.iban` is too large (the amount would overflow)",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}
