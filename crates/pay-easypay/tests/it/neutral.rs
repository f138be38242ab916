//! pay-core's traits on the client: every payment method's next action, checkouts,
//! payouts, disputes, and the Multibanco refund rule.

use pay_core::{
    ApprovalChannel, CallOptions, Capture, CaptureRequest, Checkouts, CreatePayment, CreatePayout,
    Currency, Customer, DisputeFilter, Disputes, Email, ErrorKind, Iban, MerchantReference, Money,
    NextAction, PaymentInstructions, PaymentMethod, PaymentStatus, Payments, PayoutStatus, Payouts,
    Phone, RefundAccount, RefundRequest, Refunds,
};
use pay_testkit::easypay::{PHONE_AUTHORISED, PHONE_PENDING};

use crate::support::Env;

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

fn reference(text: &str) -> MerchantReference {
    MerchantReference::new(text).unwrap()
}

fn request(method: PaymentMethod, key: &str) -> CreatePayment {
    CreatePayment::new(eur(1999), reference(key), method).unwrap()
}

#[tokio::test]
async fn each_method_gets_its_next_action() {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();

    let mbway = PaymentMethod::MbWay {
        phone: Phone::new("+351", PHONE_PENDING).unwrap(),
    };
    let p = c
        .create_payment(&request(mbway, "mbw-1"), &o)
        .await
        .unwrap();
    assert!(
        matches!(
            p.next_action,
            NextAction::AwaitApproval {
                channel: ApprovalChannel::MbWay,
                ..
            }
        ),
        "{p:?}"
    );

    let p = c
        .create_payment(&request(PaymentMethod::Multibanco, "mb-1"), &o)
        .await
        .unwrap();
    assert!(
        matches!(
            &p.next_action,
            NextAction::PayByReference {
                instructions: PaymentInstructions::Multibanco { entity, reference },
                ..
            } if !entity.is_empty() && !reference.is_empty()
        ),
        "{p:?}"
    );

    let p = c
        .create_payment(&request(PaymentMethod::CardForm, "cc-1"), &o)
        .await
        .unwrap();
    assert!(
        matches!(p.next_action, NextAction::CardForm { .. }),
        "{p:?}"
    );

    let p = c
        .create_payment(&request(PaymentMethod::VirtualIban, "vi-1"), &o)
        .await
        .unwrap();
    assert!(
        matches!(
            p.next_action,
            NextAction::PayByReference {
                instructions: PaymentInstructions::VirtualIban { .. },
                ..
            }
        ),
        "{p:?}"
    );

    // A hosted page is an Easypay checkout session.
    let hosted = request(PaymentMethod::HostedPage, "page-1").with_customer(
        Customer::new()
            .with_name("Ana", "Silva")
            .with_email(Email::parse("ana@example.org").unwrap())
            .with_phone(Phone::new("+351", "911111111").unwrap()),
    );
    let p = c.create_payment(&hosted, &o).await.unwrap();
    let NextAction::ClientSession { checkout_id, .. } = &p.next_action else {
        panic!("{p:?}")
    };
    assert!(p.id.is_none());
    let got = c.get_checkout(checkout_id, &o).await.unwrap();
    assert_eq!(got.amount, eur(1999));
    let canceled = c.cancel_checkout(checkout_id, &o).await.unwrap();
    assert_eq!(canceled.status, PaymentStatus::Canceled);
}

#[tokio::test]
async fn multibanco_refunds_need_a_bank_account() {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();
    let p = c
        .create_payment(&request(PaymentMethod::Multibanco, "mb-2"), &o)
        .await
        .unwrap();
    let id = p.id.clone().unwrap();
    env.server
        .provider()
        .pay_multibanco(&env.ctx(), id.as_str())
        .unwrap();
    let paid = c.get_payment(&id, &o).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Captured);
    let err = c
        .refund(&RefundRequest::full(id.clone()), &o)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidRequest(v) if v.field() == "bank_account"),
        "{err}"
    );
    let account =
        RefundAccount::new(Iban::parse("PT23000201231234567890155").unwrap(), "Ana").unwrap();
    let refund = c
        .refund(&RefundRequest::full(id.clone()).to_account(account), &o)
        .await
        .unwrap();
    assert_eq!(refund.amount, eur(1999));
    assert_eq!(refund.payment_id, id);
}

#[tokio::test]
async fn payouts_and_disputes() {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();
    let mut payout = CreatePayout::new(
        eur(1700),
        reference("payout-9"),
        Iban::parse("PT23000201231234567890155").unwrap(),
        "Bea",
    )
    .unwrap();
    payout.beneficiary_email = Some(Email::parse("bea@example.org").unwrap());
    payout.beneficiary_phone = Some(Phone::new("+351", "912345678").unwrap());
    let made = c.create_payout(&payout, &o).await.unwrap();
    assert_eq!(made.amount, eur(1700));
    let got = c.get_payout(&made.id, &o).await.unwrap();
    assert_eq!(got.id, made.id);
    if got.status != PayoutStatus::Paid {
        let canceled = c.cancel_payout(&made.id, &o).await.unwrap();
        assert_eq!(canceled.status, PayoutStatus::Canceled);
    }

    // A chargeback on a captured MB WAY payment.
    let mut auth = request(
        PaymentMethod::MbWay {
            phone: Phone::new("+351", PHONE_AUTHORISED).unwrap(),
        },
        "cb-1",
    );
    auth = auth.authorize_only();
    let p = c.create_payment(&auth, &o).await.unwrap();
    let captured = Capture::capture(c, &CaptureRequest::full(p.id.clone().unwrap()), &o)
        .await
        .unwrap();
    let capture = captured.captures[0].id.clone().unwrap();
    let opened = env
        .server
        .provider()
        .open_chargeback(&env.ctx(), capture.as_str(), "fraud")
        .unwrap();
    let page = c.list_disputes(&DisputeFilter::new(), &o).await.unwrap();
    assert_eq!(page.disputes.len(), 1);
    let dispute = c.get_dispute(&page.disputes[0].id, &o).await.unwrap();
    assert_eq!(dispute.id.as_str(), opened.as_str());
    assert_eq!(dispute.payment_id, p.id);
    assert_eq!(dispute.reason.as_deref(), Some("fraud"));
}

#[tokio::test]
async fn subscriptions_start_read_and_cancel() {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();
    let mut request = pay_core::CreateSubscription::new(
        eur(999),
        reference("sub-9"),
        PaymentMethod::SepaDirectDebit {
            iban: Iban::parse("PT23000201231234567890155").unwrap(),
            account_holder: "Ana Silva".to_owned(),
            mandate: None,
        },
        pay_core::Interval::Monthly,
    )
    .unwrap()
    .with_occurrences(12)
    .unwrap()
    .with_first_charge(pay_core::FirstCharge::Now)
    .unwrap();
    request.customer = Some(
        Customer::new()
            .with_name("Ana", "Silva")
            .with_email(Email::parse("ana@example.org").unwrap())
            .with_phone(Phone::new("+351", "911111111").unwrap()),
    );
    let sub = pay_core::Recurring::create_subscription(c, &request, &o)
        .await
        .unwrap();
    assert_eq!(sub.amount, eur(999));
    assert_eq!(sub.interval, Some(pay_core::Interval::Monthly));
    let canceled = pay_core::Recurring::cancel_subscription(c, &sub.id, &o)
        .await
        .unwrap();
    assert_eq!(canceled.status, pay_core::SubscriptionStatus::Canceled);
    let err = pay_core::Recurring::create_instalments(
        c,
        &pay_core::CreateInstalments::new(
            eur(999),
            3,
            reference("inst-1"),
            PaymentMethod::CardForm,
            pay_core::Interval::Monthly,
        )
        .unwrap(),
        &o,
    )
    .await
    .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotSupported { .. }));
}

/// A full refund after a partial one refunds what remains; a full refund of a payment
/// captured in several parts must name the capture (found in review).
#[tokio::test]
async fn full_refunds_take_what_remains_and_name_a_capture_when_there_are_several() {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();
    let mbway = || PaymentMethod::MbWay {
        phone: Phone::new("+351", PHONE_AUTHORISED).unwrap(),
    };
    let authorised = CreatePayment::new(eur(1000), reference("rf-1"), mbway())
        .unwrap()
        .authorize_only();
    let p = c.create_payment(&authorised, &o).await.unwrap();
    let id = p.id.clone().unwrap();
    c.capture(&CaptureRequest::full(id.clone()), &o)
        .await
        .unwrap();
    let part = c
        .refund(&RefundRequest::partial(id.clone(), eur(400)).unwrap(), &o)
        .await
        .unwrap();
    assert_eq!(part.amount, eur(400));
    let rest = c
        .refund(&RefundRequest::full(id.clone()), &o)
        .await
        .unwrap();
    assert_eq!(rest.amount, eur(600));
    let paid = c.get_payment(&id, &o).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Refunded, "{paid:?}");
    assert!(paid.refundable_capture().is_none());

    let authorised = CreatePayment::new(eur(1000), reference("rf-2"), mbway())
        .unwrap()
        .authorize_only();
    let p = c.create_payment(&authorised, &o).await.unwrap();
    let id = p.id.clone().unwrap();
    c.capture(&CaptureRequest::partial(id.clone(), eur(600)).unwrap(), &o)
        .await
        .unwrap();
    c.capture(&CaptureRequest::full(id.clone()), &o)
        .await
        .unwrap();
    let err = c
        .refund(&RefundRequest::full(id.clone()), &o)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidRequest(v) if v.field() == "capture_id"),
        "{err}"
    );
    let paid = c.get_payment(&id, &o).await.unwrap();
    for (capture, left) in paid.refundable_captures() {
        let named = RefundRequest::full(id.clone()).with_capture(capture.id.clone().unwrap());
        let refund = c.refund(&named, &o).await.unwrap();
        assert_eq!(refund.amount, left);
    }
    let paid = c.get_payment(&id, &o).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Refunded, "{paid:?}");
}

/// Easypay reads a bare `value` in its default currency (EUR): a payment in any other
/// currency must say so, or be refused before sending. Found by the demo: 19.99 USD was
/// sent as 19.99 with no currency, which Easypay charges as 19.99 EUR.
#[tokio::test]
async fn the_currency_is_sent_and_others_are_refused_before_sending() {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();

    c.create_payment(&request(PaymentMethod::Multibanco, "cur-eur"), &o)
        .await
        .unwrap();
    let sent = env.server.requests();
    let create = sent
        .iter()
        .find(|r| r.operation() == Some("single_create"))
        .unwrap();
    let body = create.body();
    assert!(body.contains(r#""currency":"EUR""#), "{body}");

    for (currency, key) in [(Currency::USD, "cur-usd"), (Currency::GBP, "cur-gbp")] {
        let money = Money::from_minor(1999, currency).unwrap();
        let request = CreatePayment::new(money, reference(key), PaymentMethod::Multibanco).unwrap();
        let err = c.create_payment(&request, &o).await.unwrap_err();
        let ErrorKind::InvalidRequest(v) = err.kind() else {
            panic!("{err:?}")
        };
        assert_eq!(v.field(), "amount.currency");
        assert!(
            err.to_string().contains("must be one of: EUR, BRL"),
            "{err}"
        );
    }
    let mut payout = CreatePayout::new(
        Money::from_minor(1700, Currency::USD).unwrap(),
        reference("cur-payout"),
        Iban::parse("PT50000201231234567890154").unwrap(),
        "Bea",
    )
    .unwrap();
    payout.beneficiary_email = Some(Email::parse("bea@example.org").unwrap());
    payout.beneficiary_phone = Some(Phone::new("+351", "912345678").unwrap());
    let err = c.create_payout(&payout, &o).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidRequest(v) if v.field() == "amount.currency"));
    assert_eq!(
        env.server.requests().len(),
        sent.len(),
        "nothing else was sent"
    );
}
