//! Recovery of writes other than payment creations, on both backends: each write is left
//! open by a fault at the fake (applied then the answer lost, or a failure before
//! applying), then recovery, through the typed clients, reaches what the fake holds:
//! `succeeded` with the resource's id when the write took effect, `failed` when it did
//! not, and a person's decision, with the reason, where no read can tell. Recovery sends
//! no write: the fake holds as many resources and has received as many writes after it as
//! before.

use std::sync::Arc;
use std::time::Duration;

use pay_core::{
    CaptureRequest, CreatePayment, Payment, PaymentMethod, Payments, Phone, ProviderPaymentId,
    RefundRequest, SystemClock, VoidRequest,
};
use pay_easypay::EasypayClient;
use pay_easytransac::EasytransacClient;
use pay_journal::{Finding, Journal, Recovery, Report, State};
use pay_testkit::easypay::PHONE_AUTHORISED;
use pay_testkit::{FakeProvider, FakeServer, Fault, ResourceKind, Route};

use crate::support::{
    Store, card_payment, easypay, easypay_fake, easytransac, easytransac_fake, eur,
    on_both_backends, received, reference,
};

on_both_backends!(
    easypay_capture_applied_is_found_by_its_amount,
    easypay_capture_not_applied_is_failed,
    easypay_refund_applied_is_told_from_an_earlier_one,
    easypay_refund_not_applied_is_failed,
    easypay_two_open_refunds_of_one_amount_are_left_for_a_person,
    easypay_void_applied_and_not_applied,
    easypay_update_is_read_back,
    easytransac_capture_applied,
    easytransac_capture_not_applied,
    easytransac_refund_applied,
    easytransac_refund_not_applied,
    easytransac_cancel_applied,
    easytransac_cancel_not_applied,
    easytransac_unpaid_page_is_left_for_a_person,
);

/// How the fake treats the next write of `operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Applied, then the answer lost (every retry under the key reset too).
    Applied,
    /// Not applied: a 500 before applying (Easypay stores a keyed POST's 500, so the
    /// client cannot retry: ambiguous), or a reset (Easytransac, PATCH).
    NotApplied,
}

fn fault<P: FakeProvider>(server: &FakeServer<P>, operation: &'static str, outcome: Outcome) {
    let script = server.faults().on(Route::operation(operation));
    match outcome {
        Outcome::Applied => script
            .then(Fault::AppliedThenLost)
            .then(Fault::Reset)
            .then_repeat_last(),
        // A PATCH's 500 is retried and answered: a reset leaves it open.
        Outcome::NotApplied if operation.starts_with("v1_") || operation.ends_with("_update") => {
            script.then(Fault::Reset).then_repeat_last()
        }
        Outcome::NotApplied => script.then(Fault::status(500)).then_repeat_last(),
    };
}

fn clear<P: FakeProvider>(server: &FakeServer<P>) {
    server.faults().clear();
}

fn count<P: FakeProvider>(server: &FakeServer<P>, kind: ResourceKind) -> usize {
    server.snapshot().of_kind(&kind).count()
}

fn ids<P: FakeProvider>(server: &FakeServer<P>, kind: ResourceKind) -> Vec<String> {
    server
        .snapshot()
        .of_kind(&kind)
        .map(|r| r.id().to_owned())
        .collect()
}

async fn recover_easypay(journal: &Journal, base: &str) -> Report {
    let fresh: EasypayClient = easypay(base, None, None);
    Recovery::new(Vec::new(), Arc::new(SystemClock))
        .easypay(fresh)
        .min_age(Duration::ZERO)
        .run(journal)
        .await
        .unwrap()
}

async fn recover_easytransac(journal: &Journal, base: &str) -> Report {
    let fresh: EasytransacClient = easytransac(base, None);
    Recovery::new(Vec::new(), Arc::new(SystemClock))
        .easytransac(fresh)
        .min_age(Duration::ZERO)
        .run(journal)
        .await
        .unwrap()
}

/// The only open entry, which must be of `operation`.
async fn one_open(journal: &Journal, operation: &str) -> pay_journal::Entry {
    let open = journal.open_entries().await.unwrap();
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].operation, operation);
    assert_eq!(open[0].state, State::Ambiguous, "{open:#?}");
    open[0].clone()
}

/// The entry after recovery: `state`, settled by recovery.
async fn settled(
    journal: &Journal,
    entry: &pay_journal::Entry,
    state: State,
) -> pay_journal::Entry {
    let after = journal.entry(entry.id).await.unwrap().unwrap();
    assert_eq!(after.state, state, "{after:#?}");
    assert_eq!(after.settled_by.as_deref(), Some("recover"));
    assert!(journal.open_entries().await.unwrap().is_empty());
    after
}

fn took_effect(report: &Report) -> (String, Option<String>) {
    assert_eq!(report.entries.len(), 1, "{:#?}", report.lines());
    match &report.entries[0].finding {
        Finding::TookEffect { resource, id, .. } => (resource.clone(), id.clone()),
        other => panic!("{other:?}: {:#?}", report.lines()),
    }
}

fn not_applied(report: &Report) {
    assert_eq!(report.entries.len(), 1, "{:#?}", report.lines());
    assert_eq!(
        report.entries[0].finding,
        Finding::NotApplied,
        "{:#?}",
        report.lines()
    );
}

fn needs_human(report: &Report) -> Vec<String> {
    report
        .entries
        .iter()
        .map(|r| match &r.finding {
            Finding::NeedsHuman { reason } => reason.clone(),
            other => panic!("{other:?}: {:#?}", report.lines()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Easypay
// ---------------------------------------------------------------------------------------

fn mbway(minor: i64, order: &str) -> CreatePayment {
    CreatePayment::new(
        eur(minor),
        reference(order),
        PaymentMethod::MbWay {
            phone: Phone::new("+351", PHONE_AUTHORISED).unwrap(),
        },
    )
    .unwrap()
}

fn id_of(payment: &Payment) -> ProviderPaymentId {
    payment.id.clone().expect("a payment id")
}

/// An MB WAY authorisation of 20.00 (not captured), through a journaled client.
async fn authorised(client: &EasypayClient, order: &str) -> Payment {
    client
        .create_payment(&mbway(2000, order).authorize_only(), &Default::default())
        .await
        .unwrap()
}

/// An MB WAY sale of 20.00, captured in full.
async fn paid(client: &EasypayClient, order: &str) -> Payment {
    client
        .create_payment(&mbway(2000, order), &Default::default())
        .await
        .unwrap()
}

async fn easypay_capture(
    store: &Store,
    outcome: Outcome,
) -> (
    FakeServer<pay_testkit::easypay::EasypayFake>,
    Report,
    pay_journal::Entry,
) {
    let server = easypay_fake().await;
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    let payment = authorised(&client, &format!("cap-{outcome:?}")).await;
    fault(&server, "capture_create", outcome);
    let err = pay_core::Capture::capture(
        &client,
        &CaptureRequest::partial(id_of(&payment), eur(1200)).unwrap(),
        &Default::default(),
    )
    .await
    .unwrap_err();
    // A keyed write whose every retry was cut is given up (or ambiguous): open.
    assert!(err.is_ambiguous() || err.is_retryable(), "{err:?}");
    clear(&server);
    let entry = one_open(&store.journal, "capture_create").await;
    assert_eq!(entry.amount, Some(eur(1200)));
    let sent = received(&server, "capture_create");
    let captures = count(&server, ResourceKind::Capture);
    let report = recover_easypay(&store.journal, server.base_url()).await;
    assert_eq!(
        received(&server, "capture_create"),
        sent,
        "nothing sent again"
    );
    assert_eq!(count(&server, ResourceKind::Capture), captures);
    (server, report, entry)
}

async fn easypay_capture_applied_is_found_by_its_amount(store: Store) {
    let (server, report, entry) = easypay_capture(&store, Outcome::Applied).await;
    let (resource, id) = took_effect(&report);
    assert_eq!(resource, "capture");
    assert_eq!(ids(&server, ResourceKind::Capture), [id.clone().unwrap()]);
    let after = settled(&store.journal, &entry, State::Succeeded).await;
    assert_eq!(after.provider_ids.get("capture"), id.as_ref());
}

async fn easypay_capture_not_applied_is_failed(store: Store) {
    let (server, report, entry) = easypay_capture(&store, Outcome::NotApplied).await;
    not_applied(&report);
    assert_eq!(count(&server, ResourceKind::Capture), 0);
    settled(&store.journal, &entry, State::Failed).await;
}

/// A refund of 5.00 that succeeded, then another of 5.00 left open by `outcome`.
async fn easypay_second_refund(
    store: &Store,
    outcome: Outcome,
) -> (
    FakeServer<pay_testkit::easypay::EasypayFake>,
    Report,
    pay_journal::Entry,
    String,
) {
    let server = easypay_fake().await;
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    let payment = paid(&client, &format!("ref-{outcome:?}")).await;
    let refund = RefundRequest::partial(id_of(&payment), eur(500)).unwrap();
    let first = pay_core::Refunds::refund(&client, &refund, &Default::default())
        .await
        .unwrap();
    let first = first.id.unwrap().as_str().to_owned();
    fault(&server, "refund_create", outcome);
    let err = pay_core::Refunds::refund(&client, &refund, &Default::default())
        .await
        .unwrap_err();
    // A keyed write whose every retry was cut is given up (or ambiguous): open.
    assert!(err.is_ambiguous() || err.is_retryable(), "{err:?}");
    clear(&server);
    let entry = one_open(&store.journal, "refund_create").await;
    let sent = received(&server, "refund_create");
    let refunds = count(&server, ResourceKind::Refund);
    let report = recover_easypay(&store.journal, server.base_url()).await;
    assert_eq!(
        received(&server, "refund_create"),
        sent,
        "nothing sent again"
    );
    assert_eq!(count(&server, ResourceKind::Refund), refunds);
    (server, report, entry, first)
}

async fn easypay_refund_applied_is_told_from_an_earlier_one(store: Store) {
    let (server, report, entry, first) = easypay_second_refund(&store, Outcome::Applied).await;
    let (resource, id) = took_effect(&report);
    assert_eq!(resource, "refund");
    let id = id.unwrap();
    // Two refunds of 5.00 at the fake: recovery took the one the journal did not account for.
    let all = ids(&server, ResourceKind::Refund);
    assert_eq!(all.len(), 2);
    assert!(all.contains(&id) && id != first, "{all:?} {id} {first}");
    let after = settled(&store.journal, &entry, State::Succeeded).await;
    assert_eq!(after.provider_ids["refund"], id);
}

async fn easypay_refund_not_applied_is_failed(store: Store) {
    let (server, report, entry, _) = easypay_second_refund(&store, Outcome::NotApplied).await;
    not_applied(&report);
    assert_eq!(count(&server, ResourceKind::Refund), 1);
    settled(&store.journal, &entry, State::Failed).await;
}

async fn easypay_two_open_refunds_of_one_amount_are_left_for_a_person(store: Store) {
    let server = easypay_fake().await;
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    let payment = paid(&client, "ref-twice").await;
    let refund = RefundRequest::partial(id_of(&payment), eur(500)).unwrap();
    fault(&server, "refund_create", Outcome::Applied);
    for _ in 0..2 {
        // Each is a new write (a new key): the first is applied, its answer lost.
        let err = pay_core::Refunds::refund(&client, &refund, &Default::default())
            .await
            .unwrap_err();
        // A keyed write whose every retry was cut is given up (or ambiguous): open.
        assert!(err.is_ambiguous() || err.is_retryable(), "{err:?}");
    }
    clear(&server);
    assert_eq!(
        count(&server, ResourceKind::Refund),
        1,
        "only the first applied"
    );
    let report = recover_easypay(&store.journal, server.base_url()).await;
    let reasons = needs_human(&report);
    assert_eq!(reasons.len(), 2);
    for reason in &reasons {
        assert!(reason.contains("cannot be told apart"), "{reason}");
    }
    assert_eq!(
        store.journal.open_entries().await.unwrap().len(),
        2,
        "left as they were"
    );
    assert_eq!(count(&server, ResourceKind::Refund), 1);
}

async fn easypay_void_applied_and_not_applied(store: Store) {
    let server = easypay_fake().await;
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    for outcome in [Outcome::Applied, Outcome::NotApplied] {
        let payment = authorised(&client, &format!("void-{outcome:?}")).await;
        fault(&server, "void_create", outcome);
        let err = pay_core::Void::void(
            &client,
            &VoidRequest::new(id_of(&payment)),
            &Default::default(),
        )
        .await
        .unwrap_err();
        // A keyed write whose every retry was cut is given up (or ambiguous): open.
        assert!(err.is_ambiguous() || err.is_retryable(), "{err:?}");
        clear(&server);
        let entry = one_open(&store.journal, "void_create").await;
        let sent = received(&server, "void_create");
        let report = recover_easypay(&store.journal, server.base_url()).await;
        assert_eq!(received(&server, "void_create"), sent, "nothing sent again");
        let status = client
            .get_payment(&id_of(&payment), &Default::default())
            .await
            .unwrap()
            .provider_status;
        match outcome {
            Outcome::Applied => {
                let (resource, id) = took_effect(&report);
                assert_eq!(
                    (resource.as_str(), id),
                    ("payment", Some(id_of(&payment).as_str().to_owned()))
                );
                assert_eq!(status, "voided");
                settled(&store.journal, &entry, State::Succeeded).await;
            }
            Outcome::NotApplied => {
                not_applied(&report);
                assert_eq!(status, "authorised");
                settled(&store.journal, &entry, State::Failed).await;
            }
        }
    }
}

async fn easypay_update_is_read_back(store: Store) {
    let server = easypay_fake().await;
    let client = easypay(server.base_url(), Some(store.journal.shared()), None);
    let payment = client
        .create_payment(
            &crate::support::multibanco(1500, "upd-1"),
            &Default::default(),
        )
        .await
        .unwrap();
    let id = pay_easypay::PaymentId::new(id_of(&payment).as_str()).unwrap();
    for outcome in [Outcome::Applied, Outcome::NotApplied] {
        let update = pay_easypay::wire::SingleUpdateRequest {
            descriptive: Some(format!("Order upd-1 {outcome:?}")),
            ..Default::default()
        };
        fault(&server, "single_update", outcome);
        let err = client
            .single()
            .update(&id, &update, &Default::default())
            .await
            .unwrap_err();
        // A keyed write whose every retry was cut is given up (or ambiguous): open.
        assert!(err.is_ambiguous() || err.is_retryable(), "{err:?}");
        clear(&server);
        let entry = one_open(&store.journal, "single_update").await;
        let report = recover_easypay(&store.journal, server.base_url()).await;
        match outcome {
            Outcome::Applied => {
                let (resource, _) = took_effect(&report);
                assert_eq!(resource, "updated");
                settled(&store.journal, &entry, State::Succeeded).await;
            }
            Outcome::NotApplied => {
                // The payment does not hold the new text: not applied, or changed since;
                // a person decides (sending an update again is harmless).
                let reasons = needs_human(&report);
                assert!(reasons[0].contains("descriptive"), "{reasons:?}");
                assert_eq!(store.journal.open_entries().await.unwrap().len(), 1);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Easytransac
// ---------------------------------------------------------------------------------------

/// The status of `tid` at the fake.
fn status_at(server: &FakeServer<pay_testkit::easytransac::EasytransacFake>, tid: &str) -> String {
    server
        .snapshot()
        .of_kind(&ResourceKind::Payment)
        .find(|r| r.id() == tid)
        .map(|r| r.status().to_owned())
        .unwrap_or_default()
}

async fn easytransac_write(
    store: &Store,
    operation: &'static str,
    outcome: Outcome,
    preauth: bool,
) -> (
    FakeServer<pay_testkit::easytransac::EasytransacFake>,
    Report,
    pay_journal::Entry,
    String,
) {
    let server = easytransac_fake().await;
    let client = easytransac(server.base_url(), Some(store.journal.shared()));
    let mut create = card_payment(3000, &format!("{operation}-{outcome:?}"));
    if preauth {
        create = create.authorize_only();
    }
    let payment = client
        .create_payment(&create, &Default::default())
        .await
        .unwrap();
    let tid = id_of(&payment);
    fault(&server, operation, outcome);
    let options = Default::default();
    let err = match operation {
        "v1_payment_capture" => {
            pay_core::Capture::capture(&client, &CaptureRequest::full(tid.clone()), &options)
                .await
                .map(|_| ())
        }
        "v1_payment_cancel" => {
            pay_core::Void::void(&client, &VoidRequest::new(tid.clone()), &options)
                .await
                .map(|_| ())
        }
        _ => pay_core::Refunds::refund(
            &client,
            &RefundRequest::partial(tid.clone(), eur(1000)).unwrap(),
            &options,
        )
        .await
        .map(|_| ()),
    }
    .unwrap_err();
    // A keyed write whose every retry was cut is given up (or ambiguous): open.
    assert!(err.is_ambiguous() || err.is_retryable(), "{err:?}");
    clear(&server);
    let entry = one_open(&store.journal, operation).await;
    let sent = received(&server, operation);
    let report = recover_easytransac(&store.journal, server.base_url()).await;
    assert_eq!(received(&server, operation), sent, "nothing sent again");
    (server, report, entry, tid.as_str().to_owned())
}

async fn easytransac_capture_applied(store: Store) {
    let (server, report, entry, tid) =
        easytransac_write(&store, "v1_payment_capture", Outcome::Applied, true).await;
    assert_eq!(
        took_effect(&report),
        ("transaction".to_owned(), Some(tid.clone()))
    );
    assert_eq!(status_at(&server, &tid), "captured");
    settled(&store.journal, &entry, State::Succeeded).await;
}

async fn easytransac_capture_not_applied(store: Store) {
    let (server, report, entry, tid) =
        easytransac_write(&store, "v1_payment_capture", Outcome::NotApplied, true).await;
    not_applied(&report);
    assert_eq!(status_at(&server, &tid), "authorized");
    settled(&store.journal, &entry, State::Failed).await;
}

/// What the fake reports refunded on `tid`, read through a client without a journal.
async fn refunded(
    server: &FakeServer<pay_testkit::easytransac::EasytransacFake>,
    tid: &str,
) -> Option<pay_core::Money> {
    easytransac(server.base_url(), None)
        .get_payment(&ProviderPaymentId::new(tid).unwrap(), &Default::default())
        .await
        .unwrap()
        .refunded
}

async fn easytransac_refund_applied(store: Store) {
    let (server, report, entry, tid) =
        easytransac_write(&store, "v1_payment_refund", Outcome::Applied, false).await;
    assert_eq!(
        took_effect(&report),
        ("transaction".to_owned(), Some(tid.clone()))
    );
    assert_eq!(
        refunded(&server, &tid).await,
        Some(eur(1000)),
        "refunded once"
    );
    settled(&store.journal, &entry, State::Succeeded).await;
}

async fn easytransac_refund_not_applied(store: Store) {
    let (server, report, entry, tid) =
        easytransac_write(&store, "v1_payment_refund", Outcome::NotApplied, false).await;
    not_applied(&report);
    assert!(refunded(&server, &tid).await.is_none_or(|m| m.is_zero()));
    settled(&store.journal, &entry, State::Failed).await;
}

async fn easytransac_cancel_applied(store: Store) {
    let (server, report, entry, tid) =
        easytransac_write(&store, "v1_payment_cancel", Outcome::Applied, true).await;
    assert_eq!(
        took_effect(&report),
        ("transaction".to_owned(), Some(tid.clone()))
    );
    assert_eq!(status_at(&server, &tid), "failed");
    settled(&store.journal, &entry, State::Succeeded).await;
}

async fn easytransac_cancel_not_applied(store: Store) {
    let (server, report, entry, tid) =
        easytransac_write(&store, "v1_payment_cancel", Outcome::NotApplied, true).await;
    not_applied(&report);
    assert_eq!(status_at(&server, &tid), "authorized");
    settled(&store.journal, &entry, State::Failed).await;
}

async fn easytransac_unpaid_page_is_left_for_a_person(store: Store) {
    let server = easytransac_fake().await;
    let client = easytransac(server.base_url(), Some(store.journal.shared()));
    fault(&server, "v1_payment_page", Outcome::Applied);
    let mut page = card_payment(4500, "page-1");
    page.method = PaymentMethod::HostedPage;
    let err = client
        .create_payment(&page, &Default::default())
        .await
        .unwrap_err();
    // A keyed write whose every retry was cut is given up (or ambiguous): open.
    assert!(err.is_ambiguous() || err.is_retryable(), "{err:?}");
    clear(&server);
    let report = recover_easytransac(&store.journal, server.base_url()).await;
    let reasons = needs_human(&report);
    assert!(reasons[0].contains("unpaid page"), "{reasons:?}");
    // A "never applied" here would have had the merchant make a second page that the
    // customer could pay besides the first.
    assert_eq!(store.journal.open_entries().await.unwrap().len(), 1);
}
