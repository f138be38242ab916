//! The fault matrix on every write: nothing is ever sent twice; a lost answer is
//! `AmbiguousOutcome` carrying the `OrderId`, and `reconcile` finds the true state; a
//! write that surely did not leave says so.

use std::future::Future;
use std::time::Duration;

use pay_core::{CallOptions, ErrorKind, ManualClock, MerchantReference, from_unix_seconds};
use pay_easytransac::{Reconciled, wire};
use pay_testkit::{Fault, Route};

use crate::support::{client_for, env, success_card, within};

fn faults() -> Vec<(&'static str, Fault)> {
    vec![
        ("applied-then-lost", Fault::AppliedThenLost),
        ("reset", Fault::Reset),
        ("status-500", Fault::status(500)),
        ("status-503", Fault::status(503)),
        ("empty", Fault::EmptyResponse),
        ("truncated", Fault::TruncatedBody),
        ("malformed", Fault::MalformedBody),
        ("html", Fault::HtmlError),
        ("hang", Fault::Hang),
    ]
}

#[tokio::test]
async fn card_payment_writes_are_never_repeated_and_reconcile_to_the_truth() {
    within(async {
        let e = env().await;
        // A short attempt budget so that the hang fault times out quickly.
        let client = pay_easytransac::EasytransacClient::builder(secrecy::SecretString::from(
            crate::support::KEY,
        ))
        .base_url(e.server.base_url())
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
        let mut total = 0;
        for (name, fault) in faults() {
            let applies = fault.reaches_provider();
            let order = format!("o-fault-{name}");
            e.server
                .faults()
                .on(Route::new("POST", "/api/payment/direct"))
                .then(fault)
                .then_normal();
            let before = e.received("v1_payment_direct");
            let err = client
                .payments()
                .direct(&success_card(1234, &order), &CallOptions::new())
                .await
                .unwrap_err();
            total += 1;
            assert_eq!(
                e.received("v1_payment_direct") - before,
                1,
                "{name}: a write was repeated"
            );
            let reference = MerchantReference::new(order.clone()).unwrap();
            assert_eq!(
                err.kind(),
                &ErrorKind::AmbiguousOutcome {
                    reference: Some(reference.clone())
                },
                "{name}"
            );
            match client
                .reconcile(&reference, &CallOptions::new())
                .await
                .unwrap()
            {
                Reconciled::Found(done) => {
                    assert!(applies, "{name}: found a payment the fault kept away");
                    assert_eq!(done.status, wire::TransactionStatus::Captured);
                    assert_eq!(done.order_id.as_deref(), Some(order.as_str()));
                }
                Reconciled::NotFound => assert!(!applies, "{name}: lost a payment"),
                other => panic!("{other:?}"),
            }
        }
        // No duplicate effect: one payment per order that reached the fake.
        let payments = e.server.provider().payments();
        for (name, _) in faults() {
            let order = format!("o-fault-{name}");
            let n = payments
                .iter()
                .filter(|p| p.order_id.as_deref() == Some(order.as_str()))
                .count();
            assert!(n <= 1, "{name}: {n} payments");
        }
        assert_eq!(total, faults().len());
    })
    .await;
}

#[tokio::test]
async fn every_other_write_is_never_repeated() {
    within(async {
        let e = env().await;
        let client = pay_easytransac::EasytransacClient::builder(secrecy::SecretString::from(
            crate::support::KEY,
        ))
        .base_url(e.server.base_url())
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
        let o = CallOptions::new();
        for (name, fault) in faults() {
            // Capture, refund, cancel: by Tid; reconciled by reading the Tid's status.
            let mut pre = success_card(5000, &format!("o-w-{name}"));
            pre.pre_auth = Some(true.into());
            let tid = client.payments().direct(&pre, &o).await.unwrap().tid;
            let applies = fault.reaches_provider();
            e.server
                .faults()
                .on(Route::new("POST", "/api/payment/capture"))
                .then(fault)
                .then_normal();
            let before = e.received("v1_payment_capture");
            let err = client
                .payments()
                .capture(&wire::V1CaptureRequest::new(tid.clone()), &o)
                .await
                .unwrap_err();
            assert_eq!(e.received("v1_payment_capture") - before, 1, "{name}");
            assert!(err.is_ambiguous(), "{name}: {err:?}");
            let status = client
                .payments()
                .status(
                    &wire::V1StatusRequest {
                        tid: Some(tid.clone()),
                        ..Default::default()
                    },
                    &o,
                )
                .await
                .unwrap()
                .status;
            let expected = if applies {
                wire::TransactionStatus::Captured
            } else {
                wire::TransactionStatus::Authorized
            };
            assert_eq!(status, expected, "{name}");
        }

        // Payment pages, V2 debits and open banking: one request per call, whatever the
        // fault.
        let mandate = wire::V2MandateCreateRequest {
            iban: Some("FR1420041010050500013M02606".to_owned()),
            ..Default::default()
        };
        let mandate_id = client
            .mandates()
            .create(&mandate, &o)
            .await
            .unwrap()
            .data
            .mandate_id
            .unwrap();
        for (name, fault) in faults() {
            let applies = fault.reaches_provider();
            e.server
                .faults()
                .on(Route::new("POST", "/api/payment/page"))
                .then(fault.clone())
                .then_normal();
            let mut page = wire::V1PaymentPageRequest::new(
                pay_core::wire::MinorUnits(100),
                "10.0.0.9".to_owned(),
            );
            page.order_id = Some(format!("o-page-{name}"));
            let before = e.received("v1_payment_page");
            let err = client.pages().create(&page, &o).await.unwrap_err();
            assert!(err.is_ambiguous(), "{name}: {err:?}");
            assert_eq!(e.received("v1_payment_page") - before, 1, "{name}");

            e.server
                .faults()
                .on(Route::new(
                    "POST",
                    &format!("/v2/sdd/mandate/{mandate_id}/debit"),
                ))
                .then(fault)
                .then_normal();
            let mut debit = wire::V2MandateDebitRequest::new(pay_core::wire::MinorUnits(700));
            let order = format!("o-debit-{name}");
            debit.order_id = Some(order.clone());
            let before = e.received("v2_sdd_mandate_debit");
            let err = client
                .mandates()
                .debit(&mandate_id, &debit, &o)
                .await
                .unwrap_err();
            assert_eq!(e.received("v2_sdd_mandate_debit") - before, 1, "{name}");
            if err.is_ambiguous() {
                assert_eq!(
                    err.kind(),
                    &ErrorKind::AmbiguousOutcome {
                        reference: Some(MerchantReference::new(order.clone()).unwrap())
                    },
                    "{name}"
                );
            } else {
                // A 503 without a documented error body: the transport's rule says the
                // request was not applied, and it was not.
                assert!(
                    matches!(err.kind(), ErrorKind::ProviderUnavailable) && !applies,
                    "{name}: {err:?}"
                );
            }
            let found = client
                .transactions()
                .status(
                    &wire::V2TransactionStatusQuery {
                        tid: None,
                        order_id: Some(order),
                    },
                    &o,
                )
                .await;
            assert_eq!(found.is_ok(), applies, "{name}: {found:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_write_that_surely_did_not_leave_says_so() {
    within(async {
        // A port nothing listens on: connection refused.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let client = client_for(&format!("http://{addr}"), &clock);
        let err = client
            .payments()
            .direct(&success_card(100, "o-refused"), &CallOptions::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::ProviderUnavailable),
            "{err:?}"
        );
        assert!(!err.is_ambiguous());
    })
    .await;
}

type Write<'a> = Box<
    dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<(), pay_core::PayError>> + 'a>> + 'a,
>;

/// Every write operation of the description, under every fault: sent exactly once, and
/// never reported as a success or as "not applied" when the answer was lost after the
/// request reached the fake.
#[tokio::test]
async fn every_write_operation_under_every_fault_is_sent_once() {
    within(async {
        let e = env().await;
        let c = pay_easytransac::EasytransacClient::builder(secrecy::SecretString::from(
            crate::support::KEY,
        ))
        .base_url(e.server.base_url())
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
        let o = CallOptions::new();
        // Fixtures the writes act on.
        let mut saved = success_card(1000, "fx-saved");
        saved.save_card = Some(true.into());
        let paid = c.payments().direct(&saved, &o).await.unwrap();
        let alias = paid.alias.clone().unwrap();
        let mandate_id = c
            .mandates()
            .create(
                &wire::V2MandateCreateRequest {
                    iban: Some("FR1420041010050500013M02606".to_owned()),
                    ..Default::default()
                },
                &o,
            )
            .await
            .unwrap()
            .data
            .mandate_id
            .unwrap();
        let user = c
            .users()
            .add(
                &wire::V1UserAddRequest {
                    email: Some("fx@example.org".to_owned()),
                    ..Default::default()
                },
                &o,
            )
            .await
            .unwrap()
            .id
            .unwrap();
        let page_id = {
            let mut page = wire::V1PaymentPageRequest::new(
                pay_core::wire::MinorUnits(100),
                "10.0.0.9".to_owned(),
            );
            page.email = Some("fx@example.org".to_owned());
            c.pages()
                .create(&page, &o)
                .await
                .unwrap()
                .request_id
                .unwrap()
        };

        let counter = std::cell::Cell::new(0u32);
        let next = || {
            counter.set(counter.get() + 1);
            format!("w-{}", counter.get())
        };
        let _ = &next;
        let writes: Vec<(&str, &str, Write<'_>)> = vec![
            (
                "POST",
                "v1_payment_direct",
                Box::new(|| {
                    Box::pin(async {
                        c.payments()
                            .direct(&success_card(100, &next()), &o)
                            .await
                            .map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_oneclick",
                Box::new(|| {
                    Box::pin(async {
                        let mut r = wire::V1OneClickPaymentRequest::new(
                            pay_core::wire::MinorUnits(100),
                            alias.clone(),
                        );
                        r.order_id = Some(next());
                        c.payments().oneclick(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_sdd_init",
                Box::new(|| {
                    Box::pin(async {
                        let mut r = wire::V1SddInitRequest::new(
                            pay_core::wire::MinorUnits(100),
                            "u".to_owned(),
                            "u@example.org".to_owned(),
                            "U".to_owned(),
                            "FR1420041010050500013M02606".to_owned(),
                            "10.0.0.3".to_owned(),
                            "1 rue".to_owned(),
                            "75002".to_owned(),
                            "Paris".to_owned(),
                            "FRA".to_owned(),
                        );
                        r.order_id = Some(next());
                        c.payments().sdd_init(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_bybank",
                Box::new(|| {
                    Box::pin(async {
                        let mut r = wire::V1PayByBankRequest::new(pay_core::wire::MinorUnits(100));
                        r.order_id = Some(next());
                        r.email = Some("u@example.org".to_owned());
                        r.client_ip = Some("10.0.0.4".to_owned());
                        r.return_url = Some("https://shop.example/r".to_owned());
                        c.payments().bybank(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_page",
                Box::new(|| {
                    Box::pin(async {
                        let mut r = wire::V1PaymentPageRequest::new(
                            pay_core::wire::MinorUnits(100),
                            "10.0.0.9".to_owned(),
                        );
                        r.order_id = Some(next());
                        c.pages().create(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_resendpage",
                Box::new(|| {
                    Box::pin(async {
                        c.pages()
                            .resend(&wire::V1PaymentPageRefRequest::new(page_id.clone()), &o)
                            .await
                            .map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_refund",
                Box::new(|| {
                    Box::pin(async {
                        let mut r = wire::V1RefundRequest::new(paid.tid.clone());
                        r.amount = Some(pay_core::wire::MinorUnits(1));
                        c.payments().refund(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_user_update",
                Box::new(|| {
                    Box::pin(async {
                        c.users()
                            .update(
                                &wire::V1UserUpdateRequest {
                                    id: Some(user.clone()),
                                    ..Default::default()
                                },
                                &o,
                            )
                            .await
                            .map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_user_payout",
                Box::new(|| {
                    Box::pin(async { c.users().payout(&Default::default(), &o).await.map(|_| ()) })
                }),
            ),
            (
                "POST",
                "v1_user_add",
                Box::new(|| {
                    Box::pin(async {
                        let r = wire::V1UserAddRequest {
                            email: Some(format!("{}@example.org", next())),
                            ..Default::default()
                        };
                        c.users().add(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_user_logo_add",
                Box::new(|| {
                    Box::pin(async {
                        c.users()
                            .logo_add(&Default::default(), &o)
                            .await
                            .map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_user_activity_update",
                Box::new(|| {
                    Box::pin(async {
                        c.users()
                            .activity_update(&Default::default(), &o)
                            .await
                            .map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_cancel",
                Box::new(|| {
                    Box::pin(async {
                        let mut pre = success_card(500, &next());
                        pre.pre_auth = Some(true.into());
                        let tid = c.payments().direct(&pre, &o).await?.tid;
                        c.payments()
                            .cancel(&wire::V1CancelRequest::new(tid), &o)
                            .await
                            .map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_payment_cancelpage",
                Box::new(|| {
                    Box::pin(async {
                        let page = wire::V1PaymentPageRequest::new(
                            pay_core::wire::MinorUnits(100),
                            "10.0.0.9".to_owned(),
                        );
                        let id = c
                            .pages()
                            .create(&page, &o)
                            .await?
                            .request_id
                            .unwrap_or_default();
                        c.pages()
                            .cancel(&wire::V1PaymentPageRefRequest::new(id), &o)
                            .await
                            .map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v1_kyc_add",
                Box::new(|| {
                    Box::pin(async {
                        let r = wire::V1KycAddRequest::new(
                            "IDENTITY_PROOF".into(),
                            "aGk=".to_owned(),
                            "pdf".to_owned(),
                        );
                        c.documents().add(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v2_open_banking_init",
                Box::new(|| {
                    Box::pin(async {
                        let mut r = wire::V2OpenBankingInitRequest::new(
                            pay_core::wire::MinorUnits(100),
                            "u@example.org".to_owned(),
                            "https://shop.example/r".to_owned(),
                        );
                        r.order_id = Some(next());
                        c.open_banking().init(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v2_sdd_mandate_create",
                Box::new(|| {
                    Box::pin(async {
                        let r = wire::V2MandateCreateRequest {
                            iban: Some("FR1420041010050500013M02606".to_owned()),
                            ..Default::default()
                        };
                        c.mandates().create(&r, &o).await.map(|_| ())
                    })
                }),
            ),
            (
                "POST",
                "v2_sdd_mandate_debit",
                Box::new(|| {
                    Box::pin(async {
                        let mut r =
                            wire::V2MandateDebitRequest::new(pay_core::wire::MinorUnits(100));
                        r.order_id = Some(next());
                        c.mandates().debit(&mandate_id, &r, &o).await.map(|_| ())
                    })
                }),
            ),
        ];
        let mut cases = 0;
        for (method, id, call) in &writes {
            let op = wire::operation(id).unwrap();
            let path = op.path.replace("{mandateId}", &mandate_id);
            // The write works without a fault.
            call().await.unwrap_or_else(|err| panic!("{id}: {err:?}"));
            for (name, fault) in faults() {
                e.server
                    .faults()
                    .on(Route::new(method, &path))
                    .then(fault)
                    .then_normal();
                let before = e.received(id);
                let err = call().await.expect_err(id);
                assert_eq!(e.received(id) - before, 1, "{id} under {name}: repeated");
                assert!(
                    err.is_ambiguous() || matches!(err.kind(), ErrorKind::ProviderUnavailable),
                    "{id} under {name}: {err:?}"
                );
                assert!(
                    !err.is_retryable() || !err.is_ambiguous(),
                    "{id} under {name}"
                );
                cases += 1;
            }
        }
        assert_eq!(cases, writes.len() * faults().len());
    })
    .await;
}
