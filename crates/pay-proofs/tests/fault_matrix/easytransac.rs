//! Easytransac's cells of the fault matrix. Easytransac has no idempotency key, so every
//! write is sent exactly once whatever happens; a write that may have arrived is an
//! `AmbiguousOutcome` carrying its `OrderId` when it has one, and is settled by looking
//! the `OrderId` up (V1 `reconcile`, the V2 status by `orderId`), by the `Tid` it acted on,
//! or (for writes the API offers no lookup for) by the fake's own count.

use std::sync::Arc;

use pay_core::wire::MinorUnits;
use pay_core::{
    CallOptions, ErrorKind, ManualClock, MerchantReference, PayError, RetryPolicy,
    from_unix_seconds,
};
use pay_easytransac::{EasytransacClient, Reconciled, wire};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
use pay_testkit::{FakeServer, FaultKind, Route};
use secrecy::SecretString;

use crate::{ATTEMPT_TIMEOUT, Cell, FaultCase, shape};

const KEY: &str = "et_test_fault-matrix-key";
const IBAN: &str = "FR1420041010050500013M02606";

/// Every write this module has a case for (the suite compares it with `OPERATIONS`).
pub(crate) const CASES: &[&str] = &[
    "v1_payment_direct",
    "v1_payment_oneclick",
    "v1_payment_sdd_init",
    "v1_payment_bybank",
    "v1_payment_page",
    "v1_payment_resendpage",
    "v1_payment_cancelpage",
    "v1_payment_transfer",
    "v1_payment_rebill_update",
    "v1_payment_refund",
    "v1_payment_capture",
    "v1_payment_cancel",
    "v1_user_add",
    "v1_user_update",
    "v1_user_payout",
    "v1_user_logo_add",
    "v1_user_activity_update",
    "v1_kyc_add",
    "v2_open_banking_init",
    "v2_sdd_mandate_create",
    "v2_sdd_mandate_debit",
];

/// How a write is settled after its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// V1 `reconcile` by `OrderId`.
    V1Order,
    /// V2 `GET /v2/transaction/status?orderId=…`.
    V2Order,
    /// The status of the `Tid` the write acted on (capture, cancel).
    Tid,
    /// No lookup finds it (a page before it is paid, users, documents, transfers…): the
    /// fake's own count is the only witness.
    Fake,
}

fn settle_of(op: &str) -> Settle {
    match op {
        "v1_payment_direct"
        | "v1_payment_oneclick"
        | "v1_payment_sdd_init"
        | "v1_payment_bybank" => Settle::V1Order,
        "v2_open_banking_init" | "v2_sdd_mandate_debit" => Settle::V2Order,
        "v1_payment_capture" | "v1_payment_cancel" => Settle::Tid,
        _ => Settle::Fake,
    }
}

/// Whether the write carries the merchant reference (`OrderId`) the error must name.
fn carries_order(op: &str) -> bool {
    matches!(settle_of(op), Settle::V1Order | Settle::V2Order) || op == "v1_payment_page"
}

struct Env {
    server: FakeServer<EasytransacFake>,
    client: EasytransacClient,
}

impl Env {
    async fn start() -> Self {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasytransacFake::new(EasytransacConfig::new(
                SecretString::from(KEY),
            )))
            .await
            .expect("the fake starts");
        let client = EasytransacClient::builder(SecretString::from(KEY))
            .base_url(server.base_url())
            .clock(Arc::new(clock))
            .retry_policy(RetryPolicy::new(
                2,
                std::time::Duration::from_millis(1),
                std::time::Duration::from_millis(5),
            ))
            .attempt_timeout(ATTEMPT_TIMEOUT)
            .build()
            .expect("the client builds");
        Self { server, client }
    }

    fn received(&self, op: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.operation() == Some(op))
            .count()
    }
}

fn card(amount: i64, order: &str) -> wire::V1DirectPaymentRequest {
    let mut r = wire::V1DirectPaymentRequest::new(
        MinorUnits(amount),
        cards::SUCCESS.to_owned(),
        "12".to_owned(),
        "2030".to_owned(),
        "123".to_owned(),
        "10.0.0.1".to_owned(),
    );
    r.order_id = Some(order.to_owned());
    r.uid = Some("customer-1".to_owned());
    r.email = Some("ana@example.org".to_owned());
    r
}

/// What a write acts on, made before the fault is installed.
#[derive(Default)]
struct Fixtures {
    alias: String,
    paid_tid: String,
    authorised_tid: String,
    mandate: String,
    user: String,
    page: String,
    subscription: String,
}

async fn prepare(c: &EasytransacClient, op: &str) -> Result<Fixtures, PayError> {
    let o = &CallOptions::new();
    let mut fx = Fixtures::default();
    match op {
        "v1_payment_oneclick" | "v1_payment_refund" => {
            let mut saved = card(100_000, "fx-saved");
            saved.save_card = Some(true.into());
            let paid = c.payments().direct(&saved, o).await?;
            fx.alias = paid.alias.clone().unwrap_or_default();
            fx.paid_tid = paid.tid;
        }
        "v1_payment_capture" | "v1_payment_cancel" => {
            let mut pre = card(500, "fx-pre");
            pre.pre_auth = Some(true.into());
            fx.authorised_tid = c.payments().direct(&pre, o).await?.tid;
        }
        "v2_sdd_mandate_debit" => {
            let mandate = wire::V2MandateCreateRequest {
                iban: Some(IBAN.to_owned()),
                ..Default::default()
            };
            fx.mandate = c
                .mandates()
                .create(&mandate, o)
                .await?
                .data
                .mandate_id
                .unwrap_or_default();
        }
        "v1_user_update" => {
            let user = wire::V1UserAddRequest {
                email: Some("fx@example.org".to_owned()),
                ..Default::default()
            };
            fx.user = c.users().add(&user, o).await?.id.unwrap_or_default();
        }
        "v1_payment_resendpage" | "v1_payment_cancelpage" => {
            let mut page = wire::V1PaymentPageRequest::new(MinorUnits(100), "10.0.0.9".to_owned());
            page.email = Some("fx@example.org".to_owned());
            fx.page = c
                .pages()
                .create(&page, o)
                .await?
                .request_id
                .unwrap_or_default();
        }
        "v1_payment_rebill_update" => {
            let mut sub = card(990, "fx-sub");
            sub.rebill = Some(true.into());
            sub.recurrence = Some(wire::Recurrence::Monthly);
            fx.subscription = c.payments().direct(&sub, o).await?.tid;
        }
        _ => {}
    }
    Ok(fx)
}

/// The write itself; `tag` is its `OrderId` where it has one.
async fn run(c: &EasytransacClient, op: &str, fx: &Fixtures, tag: &str) -> Result<(), PayError> {
    let o = &CallOptions::new();
    let tag = tag.to_owned();
    match op {
        "v1_payment_direct" => c.payments().direct(&card(100, &tag), o).await.map(drop),
        "v1_payment_oneclick" => {
            let mut r = wire::V1OneClickPaymentRequest::new(MinorUnits(100), fx.alias.clone());
            r.order_id = Some(tag);
            c.payments().oneclick(&r, o).await.map(drop)
        }
        "v1_payment_sdd_init" => {
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
            c.payments().sdd_init(&r, o).await.map(drop)
        }
        "v1_payment_bybank" => {
            let mut r = wire::V1PayByBankRequest::new(MinorUnits(100));
            r.order_id = Some(tag);
            r.email = Some("u@example.org".to_owned());
            r.client_ip = Some("10.0.0.4".to_owned());
            r.return_url = Some("https://shop.example/r".to_owned());
            c.payments().bybank(&r, o).await.map(drop)
        }
        "v1_payment_page" => {
            let mut r = wire::V1PaymentPageRequest::new(MinorUnits(100), "10.0.0.9".to_owned());
            r.order_id = Some(tag);
            c.pages().create(&r, o).await.map(drop)
        }
        "v1_payment_resendpage" => {
            let r = wire::V1PaymentPageRefRequest::new(fx.page.clone());
            c.pages().resend(&r, o).await.map(drop)
        }
        "v1_payment_cancelpage" => {
            let r = wire::V1PaymentPageRefRequest::new(fx.page.clone());
            c.pages().cancel(&r, o).await.map(drop)
        }
        "v1_payment_transfer" => {
            let r = wire::V1P2PTransferRequest {
                to: Some("friend@example.org".to_owned()),
                amount: Some(MinorUnits(700)),
                description: Some(tag),
                ..Default::default()
            };
            c.payments().transfer(&r, o).await.map(drop)
        }
        "v1_payment_rebill_update" => {
            let r = wire::V1RebillUpdateRequest {
                tid: Some(fx.subscription.clone()),
                amount: Some(MinorUnits(1290)),
                ..Default::default()
            };
            c.payments().rebill_update(&r, o).await.map(drop)
        }
        "v1_payment_refund" => {
            let mut r = wire::V1RefundRequest::new(fx.paid_tid.clone());
            r.amount = Some(MinorUnits(1));
            c.payments().refund(&r, o).await.map(drop)
        }
        "v1_payment_capture" => c
            .payments()
            .capture(&wire::V1CaptureRequest::new(fx.authorised_tid.clone()), o)
            .await
            .map(drop),
        "v1_payment_cancel" => c
            .payments()
            .cancel(&wire::V1CancelRequest::new(fx.authorised_tid.clone()), o)
            .await
            .map(drop),
        "v1_user_add" => {
            let r = wire::V1UserAddRequest {
                email: Some(format!("{tag}@example.org")),
                ..Default::default()
            };
            c.users().add(&r, o).await.map(drop)
        }
        "v1_user_update" => {
            let r = wire::V1UserUpdateRequest {
                id: Some(fx.user.clone()),
                ..Default::default()
            };
            c.users().update(&r, o).await.map(drop)
        }
        "v1_user_payout" => c.users().payout(&Default::default(), o).await.map(drop),
        "v1_user_logo_add" => c.users().logo_add(&Default::default(), o).await.map(drop),
        "v1_user_activity_update" => c
            .users()
            .activity_update(&Default::default(), o)
            .await
            .map(drop),
        "v1_kyc_add" => {
            let r = wire::V1KycAddRequest::new(
                "IDENTITY_PROOF".into(),
                "aGk=".to_owned(),
                "pdf".to_owned(),
            );
            c.documents().add(&r, o).await.map(drop)
        }
        "v2_open_banking_init" => {
            let mut r = wire::V2OpenBankingInitRequest::new(
                MinorUnits(100),
                "u@example.org".to_owned(),
                "https://shop.example/r".to_owned(),
            );
            r.order_id = Some(tag);
            c.open_banking().init(&r, o).await.map(drop)
        }
        "v2_sdd_mandate_create" => {
            let r = wire::V2MandateCreateRequest {
                iban: Some(IBAN.to_owned()),
                ..Default::default()
            };
            c.mandates().create(&r, o).await.map(drop)
        }
        "v2_sdd_mandate_debit" => {
            let mut r = wire::V2MandateDebitRequest::new(MinorUnits(100));
            r.order_id = Some(tag);
            c.mandates().debit(&fx.mandate, &r, o).await.map(drop)
        }
        other => panic!("no Easytransac case for {other}"),
    }
}

/// The status of `tid`, as text.
async fn tid_status(c: &EasytransacClient, tid: &str) -> Result<String, PayError> {
    let request = wire::V1StatusRequest {
        tid: Some(tid.to_owned()),
        ..Default::default()
    };
    let done = c.payments().status(&request, &CallOptions::new()).await?;
    Ok(format!("{:?}", done.status))
}

/// The state one clean call of `op` leaves, on a fake of its own.
async fn clean_shape(
    op: &'static str,
) -> Result<std::collections::BTreeMap<String, usize>, String> {
    let env = Env::start().await;
    let fx = prepare(&env.client, op)
        .await
        .map_err(|e| format!("fixtures: {e}"))?;
    run(&env.client, op, &fx, "fm-order-1")
        .await
        .map_err(|e| format!("clean call: {e}"))?;
    Ok(shape(&env.server.snapshot()))
}

/// One cell: `op` under `case.fault`.
pub(crate) async fn cell(op: &'static str, case: FaultCase) -> Cell {
    let mut cell = Cell::new("easytransac", op, case.label);
    let fault = case.fault;
    let clean = match clean_shape(op).await {
        Ok(shape) => shape,
        Err(problem) => {
            cell.problems.push(problem);
            return cell;
        }
    };
    let env = Env::start().await;
    let c = &env.client;
    let fx = match prepare(c, op).await {
        Ok(fx) => fx,
        Err(e) => {
            cell.problems.push(format!("fixtures: {e}"));
            return cell;
        }
    };
    let tag = "fm-order-1";
    let fake = env.server.provider();
    let before = shape(&env.server.snapshot());
    let tid_before = match settle_of(op) {
        Settle::Tid => tid_status(c, &fx.authorised_tid).await.ok(),
        _ => None,
    };
    let (sent, applied) = (env.received(op), fake.applied(op));
    env.server
        .faults()
        .on(Route::operation(op))
        .then(fault.clone())
        .then_normal();
    let result = run(c, op, &fx, tag).await;
    cell.attempts = env.received(op) - sent;
    cell.effects = fake.applied(op) - applied;
    let reached = fault.reaches_provider();

    // Never sent twice, applied exactly when the fault let it through.
    let (attempts, effects) = (cell.attempts, cell.effects);
    cell.check(attempts == 1, || {
        format!("sent {attempts} times: a write without idempotency was repeated")
    });
    cell.check(effects == usize::from(reached), || {
        format!("{effects} effects, expected {}", usize::from(reached))
    });

    // The error says what happened.
    let reference = carries_order(op).then(|| MerchantReference::new(tag).expect("a reference"));
    match &result {
        Ok(()) => {
            cell.outcome = "ok".to_owned();
            cell.problems
                .push("succeeded although the answer was faulty".to_owned());
        }
        Err(err) => {
            cell.outcome = code(err);
            let rate_limited = fault.kind() == FaultKind::RateLimited;
            if rate_limited && op.starts_with("v2_") {
                // V2: refused before it was applied; a 429 is an answer, not an ambiguity.
                cell.check(
                    matches!(err.kind(), ErrorKind::RateLimited { .. }) && !err.is_ambiguous(),
                    || format!("429 reported as {err:?}"),
                );
            } else if rate_limited {
                // V1 carries the refusal as ApiError 9 ("Service temporarily
                // unavailable"), which a write cannot trust: ambiguous, with the 429
                // kept as the evidence, and reconciliation finds nothing.
                let expected = ErrorKind::AmbiguousOutcome {
                    reference: reference.clone(),
                };
                cell.check(
                    err.kind() == &expected && err.http_status() == Some(429),
                    || format!("429 reported as {err:?}"),
                );
            } else {
                let expected = ErrorKind::AmbiguousOutcome {
                    reference: reference.clone(),
                };
                cell.check(err.kind() == &expected, || {
                    format!("expected {expected:?}, got {:?}", err.kind())
                });
            }
            cell.check(!(err.is_ambiguous() && err.is_retryable()), || {
                "an ambiguous outcome marked retryable".to_owned()
            });
        }
    }

    // Reconciliation reaches the truth.
    let o = &CallOptions::new();
    match settle_of(op) {
        Settle::V1Order => match c
            .reconcile(&MerchantReference::new(tag).expect("ref"), o)
            .await
        {
            Ok(Reconciled::Found(done)) => {
                cell.settled = "found".to_owned();
                cell.check(reached, || {
                    "reconcile found a write that never arrived".to_owned()
                });
                cell.check(done.order_id.as_deref() == Some(tag), || {
                    format!("reconcile found {:?}", done.order_id)
                });
            }
            Ok(Reconciled::NotFound) => {
                cell.settled = "absent".to_owned();
                cell.check(!reached, || {
                    "reconcile lost a write that was applied".to_owned()
                });
            }
            Ok(other) => cell.problems.push(format!("reconciled to {other:?}")),
            Err(e) => cell.problems.push(format!("reconcile failed: {e}")),
        },
        Settle::V2Order => {
            let query = wire::V2TransactionStatusQuery {
                tid: None,
                order_id: Some(tag.to_owned()),
            };
            match c.transactions().status(&query, o).await {
                Ok(_) => {
                    cell.settled = "found".to_owned();
                    cell.check(reached, || "found a write that never arrived".to_owned());
                }
                Err(e) if matches!(e.kind(), ErrorKind::NotFound) => {
                    cell.settled = "absent".to_owned();
                    cell.check(!reached, || {
                        "the status lost a write that was applied".to_owned()
                    });
                }
                Err(e) => cell.problems.push(format!("status by orderId failed: {e}")),
            }
        }
        Settle::Tid => match tid_status(c, &fx.authorised_tid).await {
            Ok(now) => {
                let changed = tid_before.as_deref() != Some(now.as_str());
                cell.settled = if changed { "tid:changed" } else { "tid:same" }.to_owned();
                cell.check(changed == reached, || {
                    format!("Tid status {tid_before:?} -> {now} although applied={reached}")
                });
            }
            Err(e) => cell.problems.push(format!("status by Tid failed: {e}")),
        },
        Settle::Fake => cell.settled = "fake".to_owned(),
    }

    // The fake's state is one clean call's, or untouched.
    let after = shape(&env.server.snapshot());
    let expected = if reached { &clean } else { &before };
    cell.check(&after == expected, || {
        format!("state {after:?}, expected {expected:?}")
    });
    cell
}

/// A short code for an error's kind, for the printed matrix.
pub(crate) fn code(err: &PayError) -> String {
    match err.kind() {
        ErrorKind::AmbiguousOutcome { reference: Some(_) } => "AMB+ref".to_owned(),
        ErrorKind::AmbiguousOutcome { reference: None } if err.idempotency_key().is_some() => {
            "AMB+key".to_owned()
        }
        ErrorKind::AmbiguousOutcome { reference: None } => "AMB".to_owned(),
        ErrorKind::RateLimited { .. } => "429".to_owned(),
        ErrorKind::NotFound => "404".to_owned(),
        ErrorKind::ProviderUnavailable => "unavail".to_owned(),
        ErrorKind::Timeout => "timeout".to_owned(),
        other => format!("{other:?}"),
    }
}
