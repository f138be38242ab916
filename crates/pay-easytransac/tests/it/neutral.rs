//! pay-core's traits on the client: the conformance kit, customer steps (3-D Secure,
//! pages, returns), notifications with duplicates, recurring payments, mandates, and a
//! TRACE log of a whole flow with no secret in it.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use pay_core::{
    CallOptions, Capture, CaptureRequest, CardDetails, CardExpiry, CardNumber, Checkouts,
    CreateInstalments, CreateMandate, CreatePayment, CreateSubscription, Currency, Customer, Cvv,
    Delivery, Email, ErrorKind, EventKind, FirstCharge, Iban, InMemorySeenEvents, Interval,
    MandateDebit, Mandates, MerchantReference, Money, NextAction, PaymentMethod, PaymentStatus,
    Payments, RawWebhook, Recurring, RedirectPurpose, RefundRequest, Refunds, Rule, SubscriptionId,
    SubscriptionStatus, Trust, Void, WebhookRejection, Webhooks, from_unix_seconds,
};
use pay_easytransac::{EasytransacClient, status, wire};
use pay_testkit::FakeServer;
use pay_testkit::conformance::{self, Subject};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
use pay_testkit::testing::Ledger;
use pay_testkit::{Context, flip_middle_byte};
use secrecy::SecretString;

use crate::support::{KEY, client_for, start_clock, start_fake, within};

struct Setup {
    server: FakeServer<EasytransacFake>,
    receiver: FakeServer<Ledger>,
    client: EasytransacClient,
    clock: pay_core::ManualClock,
}

async fn setup() -> Setup {
    let receiver = FakeServer::start(Ledger::new()).await.unwrap();
    let clock = start_clock();
    let config =
        EasytransacConfig::new(SecretString::from(KEY)).notification_url(receiver.url("/entries"));
    let server = start_fake(config, &clock).await;
    let client = client_for(server.base_url(), &clock);
    Setup {
        server,
        receiver,
        client,
        clock,
    }
}

impl Setup {
    fn control<T>(&self, act: impl FnOnce(&EasytransacFake, &Context<'_>) -> T) -> T {
        let clock = self.server.clock();
        let ctx = Context::new(&*clock, self.server.webhooks(), self.server.base_url());
        act(self.server.provider(), &ctx)
    }

    /// Delivers the queued notifications and returns them as received (form bodies).
    async fn notifications(&self) -> Vec<RawWebhook> {
        let before = self.receiver.provider().len();
        for delivery in self.server.webhooks().deliver_now().await {
            assert!(delivery.outcome().is_delivered(), "{delivery:?}");
        }
        let after = self.receiver.provider().len();
        (before + 1..=after)
            .map(|n| {
                let body = self.receiver.provider().body_of(&format!("e{n}")).unwrap();
                RawWebhook::new(
                    vec![(
                        "Content-Type".to_owned(),
                        "application/x-www-form-urlencoded".to_owned(),
                    )],
                    body.into_bytes(),
                    from_unix_seconds(1_700_000_000),
                )
            })
            .collect()
    }
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

fn customer() -> Customer {
    let mut c = Customer::new()
        .with_email(Email::parse("ana@example.org").unwrap())
        .with_name("Ana", "Silva")
        .with_ip_address(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    c.address = None;
    c
}

fn card(number: &str) -> PaymentMethod {
    PaymentMethod::Card(CardDetails::new(
        CardNumber::new(number).unwrap(),
        CardExpiry::new(12, 2030).unwrap(),
        Cvv::new("123").unwrap(),
    ))
}

fn payment(reference: MerchantReference, number: &str) -> CreatePayment {
    CreatePayment::new(eur(2500), reference, card(number))
        .unwrap()
        .with_customer(customer())
}

fn reference(text: &str) -> MerchantReference {
    MerchantReference::new(text).unwrap()
}

#[tokio::test]
async fn the_conformance_kit_passes() {
    within(async {
        let s = setup().await;
        s.client
            .payments()
            .direct(
                &crate::support::success_card(1800, "sample"),
                &CallOptions::new(),
            )
            .await
            .unwrap();
        let sample = s.notifications().await.remove(0);
        let subject = Subject::new(&s.client, |r| payment(r, cards::SUCCESS))
            .with_statuses(wire::TransactionStatus::VALUES, |raw| {
                status::payment_status(&raw.into())
            })
            .with_declined_payment(|r| payment(r, cards::DECLINED_INSUFFICIENT_FUNDS))
            .with_signed_webhook(sample)
            .with_secrets(&[KEY]);
        let report = conformance::run(&subject).await;
        report.assert_all_pass();
    })
    .await;
}

#[tokio::test]
async fn three_d_secure_is_a_redirect_and_the_return_is_verified() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        let mut request = payment(reference("o-3ds"), cards::THREE_DS_CHALLENGE);
        request.return_url = Some(pay_core::Url::parse(&s.receiver.url("/entries")).unwrap());
        let created = s.client.create_payment(&request, &o).await.unwrap();
        assert_eq!(created.status, PaymentStatus::Pending);
        let NextAction::Redirect { url, purpose } = &created.next_action else {
            panic!("{:?}", created.next_action)
        };
        assert_eq!(*purpose, RedirectPurpose::ThreeDSecure);
        assert!(url.as_str().starts_with(s.server.base_url()));
        let tid = created.id.clone().unwrap();
        s.control(|fake, ctx| fake.complete_3ds(ctx, tid.as_str()))
            .unwrap();
        let paid = s.client.get_payment(&tid, &o).await.unwrap();
        assert_eq!(paid.status, PaymentStatus::Captured);

        // The browser's return (a signed POST) and the PUSH notification both verify;
        // tampered, they do not.
        let delivered = s.notifications().await;
        assert!(!delivered.is_empty());
        for raw in &delivered {
            let returned = s
                .client
                .verify_return(raw)
                .unwrap_or_else(|e| panic!("{e:?}: {}", String::from_utf8_lossy(raw.body())));
            assert_eq!(returned.tid, tid.as_str());
            let mut tampered = raw.body().to_vec();
            flip_middle_byte(&mut tampered);
            let bad = RawWebhook::new(raw.headers().to_vec(), tampered, raw.received_at());
            let err = s.client.verify_return(&bad).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::WebhookRejected { .. }),
                "{err:?}"
            );
        }
        // An unsigned return (ReturnMethod=GET carries no signature) is refused.
        let unsigned = RawWebhook::new(
            Vec::new(),
            format!("Tid={}&Status=captured&OrderId=o-3ds", tid.as_str()).into_bytes(),
            from_unix_seconds(1_700_000_000),
        );
        assert!(s.client.verify_return(&unsigned).is_err());
    })
    .await;
}

#[tokio::test]
async fn a_payment_page_has_a_checkout_id_then_a_tid() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        let request = CreatePayment::new(eur(1250), reference("o-page"), PaymentMethod::HostedPage)
            .unwrap()
            .with_customer(customer());
        let page = s.client.create_payment(&request, &o).await.unwrap();
        assert!(page.id.is_none());
        let checkout = page.checkout_id.clone().unwrap();
        let NextAction::Redirect { purpose, .. } = &page.next_action else {
            panic!("{:?}", page.next_action)
        };
        assert_eq!(*purpose, RedirectPurpose::PaymentPage);
        let unpaid = s.client.get_checkout(&checkout, &o).await.unwrap();
        assert_eq!(unpaid.status, PaymentStatus::Pending);
        assert!(unpaid.id.is_none());
        // The merchant reference is kept before the page is paid.
        assert_eq!(unpaid.reference.as_ref(), Some(&reference("o-page")));
        assert_eq!(page.reference.as_ref(), Some(&reference("o-page")));

        let tid = s
            .control(|fake, ctx| fake.pay_page(ctx, checkout.as_str()))
            .unwrap();
        let paid = s.client.get_checkout(&checkout, &o).await.unwrap();
        assert_eq!(paid.id.as_ref().map(|i| i.as_str()), Some(tid.as_str()));
        assert_eq!(paid.checkout_id.as_ref(), Some(&checkout));
        assert_eq!(paid.status, PaymentStatus::Captured);
        let found = s
            .client
            .find_by_reference(&reference("o-page"), &o)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, paid.id);
        let err = s.client.cancel_checkout(&checkout, &o).await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Conflict), "{err:?}");

        // An unpaid page can be cancelled.
        let other = CreatePayment::new(eur(900), reference("o-page-2"), PaymentMethod::HostedPage)
            .unwrap()
            .with_customer(customer());
        let page = s.client.create_payment(&other, &o).await.unwrap();
        let cancelled = s
            .client
            .cancel_checkout(page.checkout_id.as_ref().unwrap(), &o)
            .await
            .unwrap();
        assert_eq!(cancelled.status, PaymentStatus::Failed);
    })
    .await;
}

#[tokio::test]
async fn notifications_are_typed_and_duplicates_detected() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        let created = s
            .client
            .create_payment(&payment(reference("o-n"), cards::SUCCESS), &o)
            .await
            .unwrap();
        let tid = created.id.clone().unwrap();
        s.client
            .refund(&RefundRequest::partial(tid.clone(), eur(1000)).unwrap(), &o)
            .await
            .unwrap();
        let sent = s.notifications().await;
        assert_eq!(sent.len(), 2);
        let seen = InMemorySeenEvents::new();
        let first = s.client.handle_once(&sent[0], &seen).await.unwrap();
        let Delivery::First(event) = &first else {
            panic!("{first:?}")
        };
        assert_eq!(event.trust, Trust::Hint);
        assert_eq!(event.id.as_str(), format!("{}:captured", tid.as_str()));
        assert!(matches!(
            &event.kind,
            EventKind::Payment {
                status: Some(PaymentStatus::Captured),
                ..
            }
        ));
        assert!(
            s.client
                .handle_once(&sent[0], &seen)
                .await
                .unwrap()
                .is_duplicate()
        );
        // The partial refund: same Tid and status `captured` (the fake keeps it), but a
        // different event, so a different id (the refunded total and date are in it):
        // handled once, not dropped as a redelivery of the capture.
        let refund = s.client.handle_once(&sent[1], &seen).await.unwrap();
        let Delivery::First(refund_event) = &refund else {
            panic!("a partial refund was taken for a redelivery of the capture: {refund:?}")
        };
        assert!(
            refund_event
                .id
                .as_str()
                .starts_with(&format!("{}:captured:refund=10.00", tid.as_str())),
            "{}",
            refund_event.id.as_str()
        );
        assert!(
            s.client
                .handle_once(&sent[1], &seen)
                .await
                .unwrap()
                .is_duplicate()
        );
        // A second partial refund is a third event.
        s.client
            .refund(&RefundRequest::partial(tid.clone(), eur(1000)).unwrap(), &o)
            .await
            .unwrap();
        let more = s.notifications().await;
        assert_eq!(more.len(), 1, "the outbox hands out new notifications only");
        let second = s.client.handle_once(&more[0], &seen).await.unwrap();
        let Delivery::First(second) = &second else {
            panic!("the second partial refund was dropped: {second:?}")
        };
        assert_ne!(second.id, refund_event.id);
        let verified = s.client.verify(&sent[1]).unwrap();
        let typed = pay_easytransac::parse_notification(&verified).unwrap();
        assert_eq!(typed.amount_refund.as_ref().unwrap().as_str(), "10.00");
        let neutral = s.client.parse(&verified).unwrap();
        assert!(matches!(
            neutral.kind,
            EventKind::Payment {
                status: Some(PaymentStatus::PartiallyRefunded),
                ..
            }
        ));

        // JSON bodies are accepted too, verified over the same fields.
        let form = pay_testkit::form::decode(std::str::from_utf8(sent[0].body()).unwrap());
        let mut json = serde_json::Map::new();
        for (k, v) in &form {
            if let Some((outer, inner)) = k.strip_suffix(']').and_then(|k| k.split_once('[')) {
                json.entry(outer.to_owned())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()))
                    .as_object_mut()
                    .unwrap()
                    .insert(inner.to_owned(), serde_json::Value::String(v.clone()));
            } else {
                json.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
        let raw = RawWebhook::new(
            vec![("Content-Type".to_owned(), "application/json".to_owned())],
            serde_json::Value::Object(json).to_string().into_bytes(),
            from_unix_seconds(1_700_000_000),
        );
        let event = s.client.handle(&raw).unwrap();
        assert_eq!(event.id.as_str(), format!("{}:captured", tid.as_str()));

        // PULL: the status, asked for.
        let pulled = s.client.pull(tid.as_str(), &o).await.unwrap();
        assert_eq!(pulled.trust, Trust::Authenticated);
    })
    .await;
}

#[tokio::test]
async fn subscriptions_and_instalments_with_follow_up_charges() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        let sub = CreateSubscription::new(
            eur(990),
            reference("o-sub"),
            card(cards::SUCCESS),
            Interval::Weekly,
        )
        .unwrap()
        .with_first_charge(FirstCharge::NowWithAmount(eur(1990)))
        .unwrap()
        .with_customer(customer());
        let created = s.client.create_subscription(&sub, &o).await.unwrap();
        assert_eq!(created.status, SubscriptionStatus::Active);
        let first = s.server.provider().payment(created.id.as_str()).unwrap();
        assert_eq!(first.amount_cents, 1990, "DownPayment charged first");

        let err = s
            .client
            .get_subscription(&created.id, &o)
            .await
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::NotSupported { .. }));

        // A fortnightly interval is not Easytransac's.
        let bad = CreateSubscription::new(
            eur(990),
            reference("o-sub-2"),
            card(cards::SUCCESS),
            Interval::Fortnightly,
        )
        .unwrap()
        .with_customer(customer());
        let err = s.client.create_subscription(&bad, &o).await.unwrap_err();
        let ErrorKind::InvalidRequest(v) = err.kind() else {
            panic!("{err:?}")
        };
        assert_eq!(v.field(), "interval");

        // A follow-up charge is reported through a notification.
        s.clock.advance(Duration::from_secs(8 * 86_400));
        s.control(|fake, ctx| fake.run_due_schedules(ctx));
        let events: Vec<_> = s
            .notifications()
            .await
            .iter()
            .map(|raw| s.client.handle(raw).unwrap())
            .collect();
        let follow_up = events
            .iter()
            .find(|e| {
                matches!(
                    &e.kind,
                    EventKind::Subscription {
                        charge_number: Some(2),
                        ..
                    }
                )
            })
            .expect("a follow-up charge event");
        let EventKind::Subscription {
            id,
            status,
            charge_status,
            ..
        } = &follow_up.kind
        else {
            unreachable!()
        };
        assert_eq!(id.as_ref(), Some(&created.id));
        assert_eq!(*status, Some(SubscriptionStatus::Active));
        assert_eq!(*charge_status, Some(PaymentStatus::Captured));

        // Instalments: 2–12, first between 1.00 and 70 %.
        let plan = |count: u8, first: Option<i64>| {
            let mut p = CreateInstalments::new(
                eur(9000),
                count,
                reference("o-inst"),
                card(cards::SUCCESS),
                Interval::Monthly,
            )
            .unwrap()
            .with_customer(customer());
            if let Some(first) = first {
                p = p.with_first_instalment(eur(first)).unwrap();
            }
            p
        };
        for (count, first, field) in [
            (13, None, "count"),
            (3, Some(99), "first_instalment"),
            (3, Some(6301), "first_instalment"),
        ] {
            let err = s
                .client
                .create_instalments(&plan(count, first), &o)
                .await
                .unwrap_err();
            let ErrorKind::InvalidRequest(v) = err.kind() else {
                panic!("{err:?}")
            };
            assert_eq!(v.field(), field, "{count} {first:?}");
        }
        let sent_before = s.server.requests().len();
        let created = s
            .client
            .create_instalments(&plan(3, Some(3000)), &o)
            .await
            .unwrap();
        assert_eq!(s.server.requests().len(), sent_before + 1);
        assert_eq!(created.status, SubscriptionStatus::Active);
        let cancelled = s
            .client
            .cancel_subscription(&SubscriptionId::new(created.id.as_str()).unwrap(), &o)
            .await
            .unwrap();
        assert_eq!(cancelled.status, SubscriptionStatus::Canceled);
        let _ = Rule::Required;
    })
    .await;
}

#[tokio::test]
async fn sepa_mandate_then_debit() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        let request = CreateMandate::new(
            reference("o-mandate"),
            Iban::parse("FR1420041010050500013M02606").unwrap(),
            "Ana Silva",
        )
        .unwrap();
        let mandate = s.client.create_mandate(&request, &o).await.unwrap();
        assert_eq!(mandate.status, pay_core::MandateStatus::Active);
        let read = s.client.get_mandate(&mandate.id, &o).await.unwrap();
        assert_eq!(read.status, mandate.status);
        let debit = MandateDebit::new(mandate.id.clone(), eur(4200), reference("o-debit")).unwrap();
        let paid = s.client.debit_mandate(&debit, &o).await.unwrap();
        assert_eq!(paid.status, PaymentStatus::Pending);
        assert_eq!(paid.amount, eur(4200));
        let tid = paid.id.clone().unwrap();
        s.control(|fake, ctx| fake.settle_debit(ctx, tid.as_str()))
            .unwrap();
        let settled = s.client.get_payment(&tid, &o).await.unwrap();
        assert_eq!(settled.status, PaymentStatus::Captured);

        // Instalments on the V2 debit: 2–10.
        let err = s
            .client
            .debit_instalments(&mandate.id, eur(9000), 11, None, &reference("o-d-i"), &o)
            .await
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidRequest(_)));
        let plan = s
            .client
            .debit_instalments(
                &mandate.id,
                eur(9000),
                3,
                Some(eur(3000)),
                &reference("o-d-i"),
                &o,
            )
            .await
            .unwrap();
        // The debit answers the first instalment.
        assert_eq!(plan.amount, eur(3000));
    })
    .await;
}

#[tokio::test]
async fn pre_authorisation_capture_void_and_refunds() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        let mut pre = payment(reference("o-auth"), cards::SUCCESS);
        pre.capture = pay_core::CaptureMode::Manual;
        let authorised = s.client.create_payment(&pre, &o).await.unwrap();
        assert_eq!(authorised.status, PaymentStatus::Authorized);
        let id = authorised.id.clone().unwrap();
        let captured = s
            .client
            .capture(&CaptureRequest::partial(id.clone(), eur(2000)).unwrap(), &o)
            .await
            .unwrap();
        assert_eq!(captured.status, PaymentStatus::Captured);
        assert_eq!(captured.amount, eur(2000));
        let refund = s
            .client
            .refund(&RefundRequest::full(id.clone()), &o)
            .await
            .unwrap();
        assert_eq!(refund.amount, eur(2000));
        assert_eq!(
            s.client.get_payment(&id, &o).await.unwrap().status,
            PaymentStatus::Refunded
        );

        let mut pre = payment(reference("o-void"), cards::SUCCESS);
        pre.capture = pay_core::CaptureMode::Manual;
        let id = s.client.create_payment(&pre, &o).await.unwrap().id.unwrap();
        let voided = s
            .client
            .void(&pay_core::VoidRequest::new(id.clone()), &o)
            .await
            .unwrap();
        assert_eq!(
            voided.status,
            PaymentStatus::Failed,
            "documented in status.rs"
        );
        assert!(
            s.client
                .capture(&CaptureRequest::full(id), &o)
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn a_saved_card_shows_its_last_four_digits() {
    within(async {
        let s = setup().await;
        let created = s
            .client
            .create_payment(
                &payment(reference("o-save"), cards::SUCCESS).save_card(),
                &CallOptions::new(),
            )
            .await
            .unwrap();
        let saved = created.saved_card.expect("a saved card");
        let last4 = &cards::SUCCESS[cards::SUCCESS.len() - 4..];
        assert_eq!(saved.last4.as_deref(), Some(last4));
        assert_eq!(saved.expiry, Some(CardExpiry::new(12, 2030).unwrap()));
        assert!(saved.customer.is_some());
    })
    .await;
}

/// A form notification with `pairs`, signed over all of them with the test key, as
/// Easytransac signs what it sends.
fn signed_form(pairs: &[(String, String)]) -> RawWebhook {
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    let params = pay_signing::easytransac::Params::from_form(&pairs).unwrap();
    let signature = pay_signing::easytransac::sign(&params, &SecretString::from(KEY)).unwrap();
    pairs.push(("Signature".to_owned(), signature.as_str().to_owned()));
    form_webhook(&pairs)
}

fn form_webhook(pairs: &[(String, String)]) -> RawWebhook {
    RawWebhook::new(
        vec![(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )],
        pay_testkit::form::encode(pairs.iter().map(|(k, v)| (k, v))).into_bytes(),
        from_unix_seconds(1_700_000_000),
    )
}

fn rejection(client: &EasytransacClient, raw: &RawWebhook) -> WebhookRejection {
    match client.verify(raw).map(|_| ()).unwrap_err().kind() {
        ErrorKind::WebhookRejected { reason } => *reason,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn notification_fields_are_all_signed_and_unknown_ones_kept() {
    within(async {
        let s = setup().await;
        s.client
            .create_payment(
                &payment(reference("o-extra"), cards::SUCCESS),
                &CallOptions::new(),
            )
            .await
            .unwrap();
        let genuine = s.notifications().await.remove(0);
        let pairs = pay_testkit::form::decode(std::str::from_utf8(genuine.body()).unwrap());
        assert!(s.client.verify(&genuine).is_ok());

        // A genuine notification with a field the description does not list: Easytransac
        // signs it like the others, so it verifies, parses, and the field is kept.
        let mut extended = pairs.clone();
        extended.push(("SubAccountStatus".to_owned(), "active".to_owned()));
        extended.push(("Kyc[Level]".to_owned(), "2".to_owned()));
        let raw = signed_form(&extended);
        let verified = s.client.verify(&raw).unwrap();
        let typed = pay_easytransac::parse_notification(&verified).unwrap();
        assert_eq!(typed.order_id.as_deref(), Some("o-extra"));
        let extra = pay_easytransac::notification_extra_fields(&verified).unwrap();
        assert_eq!(extra.len(), 2, "{extra:?}");
        assert_eq!(extra["SubAccountStatus"], "active");
        assert_eq!(extra["Kyc"]["Level"], "2");
        assert!(
            pay_easytransac::notification_extra_fields(&s.client.verify(&genuine).unwrap())
                .unwrap()
                .is_empty()
        );
        let event = s.client.parse(&verified).unwrap();
        assert_eq!(event.reference, Some(reference("o-extra")));

        // The same extra field added to a genuine notification without the provider's
        // signature, or with a changed value: refused.
        let mut added = pairs.clone();
        added.insert(1, ("SubAccountStatus".to_owned(), "active".to_owned()));
        assert_eq!(
            rejection(&s.client, &form_webhook(&added)),
            WebhookRejection::BadSignature
        );
        let mut tampered = extended.clone();
        let signature = pay_signing::easytransac::sign(
            &pay_signing::easytransac::Params::from_form(&extended).unwrap(),
            &SecretString::from(KEY),
        )
        .unwrap();
        tampered.push(("Signature".to_owned(), signature.as_str().to_owned()));
        let status = tampered.iter().position(|(k, _)| k == "Status").unwrap();
        tampered[status].1 = "refunded".to_owned();
        assert_eq!(
            rejection(&s.client, &form_webhook(&tampered)),
            WebhookRejection::BadSignature
        );

        // A renamed field moves its value in the signed order: refused.
        let mut renamed = pairs.clone();
        let order = renamed.iter().position(|(k, _)| k == "OrderId").unwrap();
        renamed[order].0 = "ZOrderId".to_owned();
        assert_eq!(
            rejection(&s.client, &form_webhook(&renamed)),
            WebhookRejection::BadSignature
        );

        // Renames that keep the signed order (a name changed in case, or in one
        // character): the signature cannot see them, the name check does.
        for name in ["orderid", "OrderIe", "OrderIdd", "OrdrId"] {
            let mut renamed = pairs.clone();
            renamed[order].0 = name.to_owned();
            assert_eq!(
                rejection(&s.client, &form_webhook(&renamed)),
                WebhookRejection::BadSignature,
                "{name}"
            );
        }

        // Two names equal but for case: the signature covers only the last one, so a
        // value slipped in before the genuine one would go unsigned. Refused.
        let mut doubled = pairs.clone();
        doubled.insert(0, ("orderid".to_owned(), "o-forged".to_owned()));
        assert_eq!(
            rejection(&s.client, &form_webhook(&doubled)),
            WebhookRejection::BadSignature
        );
    })
    .await;
}

#[tokio::test]
async fn a_customer_signs_a_mandate_through_the_v1_debit() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        let mut address = pay_core::Address::new();
        address.line1 = Some("1 rue de la Paix".to_owned());
        address.postal_code = Some("75002".to_owned());
        address.city = Some("Paris".to_owned());
        address.country = Some(pay_core::CountryCode::parse("FR").unwrap());
        let request = CreatePayment::new(
            eur(4200),
            reference("o-sign"),
            PaymentMethod::SepaDirectDebit {
                iban: Iban::parse("FR1420041010050500013M02606").unwrap(),
                account_holder: "Ana Silva".to_owned(),
                mandate: None,
            },
        )
        .unwrap()
        .with_customer(
            customer()
                .with_reference(pay_core::CustomerReference::new("customer-9").unwrap())
                .with_address(address),
        );
        let created = s.client.create_payment(&request, &o).await.unwrap();
        let NextAction::Redirect { purpose, url } = &created.next_action else {
            panic!("{:?}", created.next_action)
        };
        assert_eq!(*purpose, RedirectPurpose::MandateSignature);
        assert!(url.as_str().starts_with(s.server.base_url()));

        // A V2 mandate has no documented signing step: no redirect.
        let mandate = s
            .client
            .create_mandate(
                &CreateMandate::new(
                    reference("o-v2-mandate"),
                    Iban::parse("FR1420041010050500013M02606").unwrap(),
                    "Ana Silva",
                )
                .unwrap(),
                &o,
            )
            .await
            .unwrap();
        assert_eq!(mandate.next_action, NextAction::None);
    })
    .await;
}

#[tokio::test]
async fn a_signed_answer_our_types_refuse_is_unreadable_never_an_invalid_request() {
    within(async {
        let s = setup().await;
        let o = CallOptions::new();
        // A verified `Code` 0 answer to a direct payment, but with an empty `Tid` (or an
        // `OrderId` no merchant reference may be): the payment may be taken, so the error
        // must say the answer is unreadable, never that nothing was sent.
        for (result, location) in [
            (
                r#"{"Tid":"","Status":"captured","Amount":"25.00","OrderId":"o-empty-tid"}"#,
                "Result.Tid",
            ),
            (
                r#"{"Tid":"ET9","Status":"captured","Amount":"25.00","OrderId":"o\u0007bell"}"#,
                "Result.OrderId",
            ),
        ] {
            let params = pay_signing::easytransac::Params::from_json_str(result).unwrap();
            let signature =
                pay_signing::easytransac::sign(&params, &SecretString::from(KEY)).unwrap();
            let body = format!(
                r#"{{"Code":0,"Signature":"{}","Result":{result}}}"#,
                signature.as_str()
            );
            s.server
                .faults()
                .on(pay_testkit::Route::new("POST", "/api/payment/direct"))
                .then(pay_testkit::Fault::status_with_body(
                    200,
                    "application/json",
                    body,
                ))
                .then_normal();
            let err = s
                .client
                .create_payment(&payment(reference("o-refused"), cards::SUCCESS), &o)
                .await
                .unwrap_err();
            assert_eq!(
                err.kind(),
                &ErrorKind::Decode {
                    location: location.to_owned()
                },
                "{err:?}"
            );
            assert!(!err.is_retryable());
        }
    })
    .await;
}
