//! The fault matrix on every write: nothing is ever sent twice and nothing is applied
//! twice; a lost answer is `AmbiguousOutcome` carrying the `OrderId`, and `reconcile`
//! finds the true state; a write that surely did not leave says so.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use pay_core::wire::MinorUnits;
use pay_core::{CallOptions, ErrorKind, MerchantReference, OperationKind, PayError};
use pay_easytransac::{EasytransacClient, Reconciled, wire};
use pay_testkit::{Fault, Route};

use crate::support::{Env, KEY, client_for, env, start_clock, success_card, within};

const IBAN: &str = "FR1420041010050500013M02606";

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

/// A client on the fake with a short attempt budget, so that `Hang` times out quickly.
fn fault_client(e: &Env) -> EasytransacClient {
    EasytransacClient::builder(secrecy::SecretString::from(KEY))
        .base_url(e.server.base_url())
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

/// The next request to `method path` meets `fault`; later ones are answered normally.
fn inject(e: &Env, method: &str, path: &str, fault: &Fault) {
    e.server
        .faults()
        .on(Route::new(method, path))
        .then(fault.clone())
        .then_normal();
}

/// What a write that failed under `fault` must report: `AmbiguousOutcome` carrying the
/// write's `OrderId` (`order`) whenever the request may have been applied; when it
/// surely was not (the fault kept it from the provider and the answer says so),
/// `ProviderUnavailable` is allowed too. Never a retryable ambiguity.
fn assert_write_error(err: &PayError, fault: &Fault, order: Option<&str>, case: &str) {
    let reference = order.map(|o| MerchantReference::new(o).unwrap());
    let ambiguous = ErrorKind::AmbiguousOutcome { reference };
    if fault.reaches_provider() {
        assert_eq!(err.kind(), &ambiguous, "{case}: {err:?}");
    } else {
        assert!(
            err.kind() == &ambiguous || matches!(err.kind(), ErrorKind::ProviderUnavailable),
            "{case}: {err:?}"
        );
    }
    assert!(!(err.is_ambiguous() && err.is_retryable()), "{case}");
}

#[tokio::test]
async fn card_payment_writes_are_never_repeated_and_reconcile_to_the_truth() {
    within(async {
        let e = env().await;
        let client = fault_client(&e);
        for (name, fault) in faults() {
            let order = format!("o-fault-{name}");
            inject(&e, "POST", "/api/payment/direct", &fault);
            let before = e.received("v1_payment_direct");
            let err = client
                .payments()
                .direct(&success_card(1234, &order), &CallOptions::new())
                .await
                .unwrap_err();
            assert_eq!(
                e.received("v1_payment_direct") - before,
                1,
                "{name}: a write was repeated"
            );
            // A V1 server error carries ApiError 9/10, which a write cannot trust: every
            // fault here is ambiguous.
            assert!(err.is_ambiguous(), "{name}: {err:?}");
            assert_write_error(&err, &fault, Some(&order), name);
            let reference = MerchantReference::new(order.clone()).unwrap();
            match client
                .reconcile(&reference, &CallOptions::new())
                .await
                .unwrap()
            {
                Reconciled::Found(done) => {
                    assert!(
                        fault.reaches_provider(),
                        "{name}: found a payment the fault kept away"
                    );
                    assert_eq!(done.status, wire::TransactionStatus::Captured);
                    assert_eq!(done.order_id.as_deref(), Some(order.as_str()));
                }
                Reconciled::NotFound => {
                    assert!(!fault.reaches_provider(), "{name}: lost a payment")
                }
                other => panic!("{other:?}"),
            }
        }
        // No duplicate effect: one payment per order that reached the fake.
        let payments = e.server.provider().payments();
        for (name, fault) in faults() {
            let order = format!("o-fault-{name}");
            let n = payments
                .iter()
                .filter(|p| p.order_id.as_deref() == Some(order.as_str()))
                .count();
            assert_eq!(
                n,
                usize::from(fault.reaches_provider()),
                "{name}: {n} payments"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_capture_under_a_fault_reads_back_its_true_state() {
    within(async {
        let e = env().await;
        let client = fault_client(&e);
        let o = CallOptions::new();
        for (name, fault) in faults() {
            // By Tid; settled by reading the Tid's status.
            let mut pre = success_card(5000, &format!("o-w-{name}"));
            pre.pre_auth = Some(true.into());
            let tid = client.payments().direct(&pre, &o).await.unwrap().tid;
            inject(&e, "POST", "/api/payment/capture", &fault);
            let err = client
                .payments()
                .capture(&wire::V1CaptureRequest::new(tid.clone()), &o)
                .await
                .unwrap_err();
            assert_write_error(&err, &fault, None, name);
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
            let expected = if fault.reaches_provider() {
                wire::TransactionStatus::Captured
            } else {
                wire::TransactionStatus::Authorized
            };
            assert_eq!(status, expected, "{name}");
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
        let client = client_for(&format!("http://{addr}"), &start_clock());
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

type Call<'a> =
    Box<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<(), PayError>> + 'a>> + 'a>;

fn call<'a, F, Fut, T>(f: F) -> Call<'a>
where
    F: Fn(String) -> Fut + 'a,
    Fut: Future<Output = Result<T, PayError>> + 'a,
{
    Box::new(move |tag| {
        let fut = f(tag);
        Box::pin(async move { fut.await.map(|_| ()) })
    })
}

/// How a write is settled after an ambiguous outcome.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// V1: `reconcile` by `OrderId`.
    V1Order,
    /// V2: `GET /v2/transaction/status?orderId=…`.
    V2Order,
    /// It carries its `OrderId`, but no lookup by `OrderId` finds it (a payment page
    /// before it is paid): by the fake's state.
    Carried,
    /// By the fake's state only (the write has no `OrderId` to look up).
    State,
}

/// One write of the operation table, called with a fresh tag each time: the tag is its
/// `OrderId` when `settle` looks one up, or otherwise makes the request unique.
struct Write<'a> {
    id: &'static str,
    settle: Settle,
    call: Call<'a>,
}

fn write<'a>(id: &'static str, settle: Settle, call: Call<'a>) -> Write<'a> {
    Write { id, settle, call }
}

/// Every write operation of the description (taken from `wire::OPERATIONS`; the test
/// fails if one has no case here), under every fault: sent exactly once, applied at
/// most once (exactly when the fault let it reach the fake), reported as
/// `AmbiguousOutcome` with its `OrderId` whenever it may have been applied, and settled
/// by `OrderId` to the fake's true state where the write has one.
#[tokio::test]
async fn every_write_operation_under_every_fault_is_sent_once_and_applied_at_most_once() {
    within(async {
        let e = env().await;
        let c = &fault_client(&e);
        let o = &CallOptions::new();
        // Fixtures the writes act on.
        let mut saved = success_card(100_000, "fx-saved");
        saved.save_card = Some(true.into());
        let paid = &c.payments().direct(&saved, o).await.unwrap();
        let alias = &paid.alias.clone().unwrap();
        let mandate = wire::V2MandateCreateRequest {
            iban: Some(IBAN.to_owned()),
            ..Default::default()
        };
        let mandate_id = &c
            .mandates()
            .create(&mandate, o)
            .await
            .unwrap()
            .data
            .mandate_id
            .unwrap();
        let user = wire::V1UserAddRequest {
            email: Some("fx@example.org".to_owned()),
            ..Default::default()
        };
        let user = &c.users().add(&user, o).await.unwrap().id.unwrap();
        let mut page = wire::V1PaymentPageRequest::new(MinorUnits(100), "10.0.0.9".to_owned());
        page.email = Some("fx@example.org".to_owned());
        let page_id = &c
            .pages()
            .create(&page, o)
            .await
            .unwrap()
            .request_id
            .unwrap();
        let mut sub = success_card(990, "fx-sub");
        sub.rebill = Some(true.into());
        sub.recurrence = Some(wire::Recurrence::Monthly);
        let subscription = &c.payments().direct(&sub, o).await.unwrap().tid;

        let writes: Vec<Write<'_>> = vec![
            write(
                "v1_payment_direct",
                Settle::V1Order,
                call(move |tag| async move {
                    c.payments().direct(&success_card(100, &tag), o).await
                }),
            ),
            write(
                "v1_payment_oneclick",
                Settle::V1Order,
                call(move |tag| async move {
                    let mut r =
                        wire::V1OneClickPaymentRequest::new(MinorUnits(100), alias.clone());
                    r.order_id = Some(tag);
                    c.payments().oneclick(&r, o).await
                }),
            ),
            write(
                "v1_payment_sdd_init",
                Settle::V1Order,
                call(move |tag| async move {
                    let mut r = wire::V1SddInitRequest::new(
                        MinorUnits(100),
                        "u".to_owned(),
                        "u@example.org".to_owned(),
                        "U".to_owned(),
                        IBAN.to_owned(),
                        "10.0.0.3".to_owned(),
                        "1 rue".to_owned(),
                        "75002".to_owned(),
                        "Paris".to_owned(),
                        "FRA".to_owned(),
                    );
                    r.order_id = Some(tag);
                    c.payments().sdd_init(&r, o).await
                }),
            ),
            write(
                "v1_payment_bybank",
                Settle::V1Order,
                call(move |tag| async move {
                    let mut r = wire::V1PayByBankRequest::new(MinorUnits(100));
                    r.order_id = Some(tag);
                    r.email = Some("u@example.org".to_owned());
                    r.client_ip = Some("10.0.0.4".to_owned());
                    r.return_url = Some("https://shop.example/r".to_owned());
                    c.payments().bybank(&r, o).await
                }),
            ),
            write(
                "v1_payment_page",
                Settle::Carried,
                call(move |tag| async move {
                    let mut r =
                        wire::V1PaymentPageRequest::new(MinorUnits(100), "10.0.0.9".to_owned());
                    r.order_id = Some(tag);
                    c.pages().create(&r, o).await
                }),
            ),
            write(
                "v1_payment_resendpage",
                Settle::State,
                call(move |_| async move {
                    let r = wire::V1PaymentPageRefRequest::new(page_id.clone());
                    c.pages().resend(&r, o).await
                }),
            ),
            write(
                "v1_payment_cancelpage",
                Settle::State,
                call(move |_| async move {
                    let r =
                        wire::V1PaymentPageRequest::new(MinorUnits(100), "10.0.0.9".to_owned());
                    let id = c
                        .pages()
                        .create(&r, o)
                        .await?
                        .request_id
                        .unwrap_or_default();
                    c.pages()
                        .cancel(&wire::V1PaymentPageRefRequest::new(id), o)
                        .await
                }),
            ),
            write(
                "v1_payment_transfer",
                Settle::State,
                call(move |tag| async move {
                    let r = wire::V1P2PTransferRequest {
                        to: Some("friend@example.org".to_owned()),
                        amount: Some(MinorUnits(700)),
                        description: Some(tag),
                        ..Default::default()
                    };
                    c.payments().transfer(&r, o).await
                }),
            ),
            write(
                "v1_payment_rebill_update",
                Settle::State,
                call(move |_| async move {
                    let r = wire::V1RebillUpdateRequest {
                        tid: Some(subscription.clone()),
                        amount: Some(MinorUnits(1290)),
                        ..Default::default()
                    };
                    c.payments().rebill_update(&r, o).await
                }),
            ),
            write(
                "v1_payment_refund",
                Settle::State,
                call(move |_| async move {
                    let mut r = wire::V1RefundRequest::new(paid.tid.clone());
                    r.amount = Some(MinorUnits(1));
                    c.payments().refund(&r, o).await
                }),
            ),
            write(
                "v1_payment_capture",
                Settle::State,
                call(move |tag| async move {
                    let mut pre = success_card(500, &tag);
                    pre.pre_auth = Some(true.into());
                    let tid = c.payments().direct(&pre, o).await?.tid;
                    c.payments()
                        .capture(&wire::V1CaptureRequest::new(tid), o)
                        .await
                }),
            ),
            write(
                "v1_payment_cancel",
                Settle::State,
                call(move |tag| async move {
                    let mut pre = success_card(500, &tag);
                    pre.pre_auth = Some(true.into());
                    let tid = c.payments().direct(&pre, o).await?.tid;
                    c.payments()
                        .cancel(&wire::V1CancelRequest::new(tid), o)
                        .await
                }),
            ),
            write(
                "v1_user_add",
                Settle::State,
                call(move |tag| async move {
                    let r = wire::V1UserAddRequest {
                        email: Some(format!("{tag}@example.org")),
                        ..Default::default()
                    };
                    c.users().add(&r, o).await
                }),
            ),
            write(
                "v1_user_update",
                Settle::State,
                call(move |_| async move {
                    let r = wire::V1UserUpdateRequest {
                        id: Some(user.clone()),
                        ..Default::default()
                    };
                    c.users().update(&r, o).await
                }),
            ),
            write(
                "v1_user_payout",
                Settle::State,
                call(move |_| async move { c.users().payout(&Default::default(), o).await }),
            ),
            write(
                "v1_user_logo_add",
                Settle::State,
                call(move |_| async move { c.users().logo_add(&Default::default(), o).await }),
            ),
            write(
                "v1_user_activity_update",
                Settle::State,
                call(move |_| async move {
                    c.users().activity_update(&Default::default(), o).await
                }),
            ),
            write(
                "v1_kyc_add",
                Settle::State,
                call(move |_| async move {
                    let r = wire::V1KycAddRequest::new(
                        "IDENTITY_PROOF".into(),
                        "aGk=".to_owned(),
                        "pdf".to_owned(),
                    );
                    c.documents().add(&r, o).await
                }),
            ),
            write(
                "v2_open_banking_init",
                Settle::V2Order,
                call(move |tag| async move {
                    let mut r = wire::V2OpenBankingInitRequest::new(
                        MinorUnits(100),
                        "u@example.org".to_owned(),
                        "https://shop.example/r".to_owned(),
                    );
                    r.order_id = Some(tag);
                    c.open_banking().init(&r, o).await
                }),
            ),
            write(
                "v2_sdd_mandate_create",
                Settle::State,
                call(move |_| async move {
                    let r = wire::V2MandateCreateRequest {
                        iban: Some(IBAN.to_owned()),
                        ..Default::default()
                    };
                    c.mandates().create(&r, o).await
                }),
            ),
            write(
                "v2_sdd_mandate_debit",
                Settle::V2Order,
                call(move |tag| async move {
                    let mut r = wire::V2MandateDebitRequest::new(MinorUnits(100));
                    r.order_id = Some(tag);
                    c.mandates().debit(mandate_id, &r, o).await
                }),
            ),
        ];

        // The table is the description's: every write has a case, and nothing else.
        let described: BTreeSet<&str> = wire::OPERATIONS
            .iter()
            .filter(|op| op.kind == OperationKind::Path && !op.idempotent)
            .map(|op| op.id)
            .collect();
        let covered: BTreeSet<&str> = writes.iter().map(|w| w.id).collect();
        assert_eq!(writes.len(), covered.len(), "a write is listed twice");
        assert_eq!(
            covered, described,
            "writes missing from (or foreign to) the matrix"
        );

        let fake = e.server.provider();
        let mut n = 0;
        let mut tag = || {
            n += 1;
            format!("w-{n}")
        };
        let mut cases = 0;
        for w in &writes {
            let id = w.id;
            let op = wire::operation(id).unwrap();
            let path = op.path.replace("{mandateId}", mandate_id);
            // The write works without a fault.
            (w.call)(tag())
                .await
                .unwrap_or_else(|err| panic!("{id}: {err:?}"));
            for (name, fault) in faults() {
                let case = format!("{id} under {name}");
                let tag = tag();
                inject(&e, op.method.as_str(), &path, &fault);
                let (sent, applied) = (e.received(id), fake.applied(id));
                let err = (w.call)(tag.clone()).await.expect_err(&case);
                assert_eq!(e.received(id) - sent, 1, "{case}: repeated");
                assert_eq!(
                    fake.applied(id) - applied,
                    usize::from(fault.reaches_provider()),
                    "{case}: applied"
                );
                let order = (w.settle != Settle::State).then_some(tag.as_str());
                assert_write_error(&err, &fault, order, &case);
                match w.settle {
                    Settle::V1Order => {
                        let found = c
                            .reconcile(&MerchantReference::new(tag.clone()).unwrap(), o)
                            .await
                            .unwrap();
                        assert_eq!(
                            matches!(found, Reconciled::Found(_)),
                            fault.reaches_provider(),
                            "{case}: reconciled to {found:?}"
                        );
                    }
                    Settle::V2Order => {
                        let query = wire::V2TransactionStatusQuery {
                            tid: None,
                            order_id: Some(tag.clone()),
                        };
                        let found = c.transactions().status(&query, o).await;
                        assert_eq!(found.is_ok(), fault.reaches_provider(), "{case}: {found:?}");
                    }
                    Settle::Carried | Settle::State => {}
                }
                cases += 1;
            }
        }
        assert_eq!(cases, described.len() * faults().len());

        // The state itself: one transfer per transfer the fake applied, the subscription
        // updated once per applied update.
        let transfers = fake.transfers();
        assert_eq!(transfers.len(), fake.applied("v1_payment_transfer"));
        let tags: BTreeSet<_> = transfers.iter().map(|(_, d)| d.clone()).collect();
        assert_eq!(tags.len(), transfers.len(), "a transfer was made twice");
        assert_eq!(
            fake.schedule_updates(subscription),
            Some(u32::try_from(fake.applied("v1_payment_rebill_update")).unwrap())
        );
        // No order id was charged twice.
        let mut orders = BTreeSet::new();
        for p in fake.payments() {
            if let Some(order) = p.order_id.filter(|o| o.starts_with("w-")) {
                assert!(orders.insert(order.clone()), "{order} charged twice");
            }
        }
    })
    .await;
}
