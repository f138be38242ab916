//! Easypay's cells of the fault matrix. Every `POST` and `PATCH` carries an
//! `Idempotency-Key` that stays the same on every attempt, so the transport repeats them
//! where Easypay's rules allow; a `POST`'s 500 (which Easypay stores under the key) is an
//! `AmbiguousOutcome` carrying the key, settled by sending the same call again with that
//! key. Deletes carry no key and are repeated as idempotent calls: a delete that was
//! applied before its answer was lost finds the resource already gone, settled by reading
//! the resource.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use pay_core::{
    CallOptions, ErrorKind, ManualClock, Method, PayError, RetryPolicy, from_unix_seconds,
};
use pay_easypay::{
    AccountId, ApiKey, AuthorisationId, CaptureId, CaptureSplitId, CheckoutId, EasypayClient,
    FrequentPaymentId, OutPaymentId, PaymentId, SubscriptionId, wire,
};
use pay_testkit::easypay::{EasypayConfig, EasypayFake, PHONE_AUTHORISED};
use pay_testkit::{FakeServer, ResourceKind, Route};
use secrecy::SecretString;

use crate::easytransac::code;
use crate::{ATTEMPT_TIMEOUT, Cell, FaultCase, shape};

const ACCOUNT: &str = "11111111-2222-4333-8444-555555555555";
const API_KEY: &str = "fault-matrix-api-key";

/// Every write this module has a case for (the suite compares it with `OPERATIONS`).
pub(crate) const CASES: &[&str] = &[
    "single_create",
    "single_update",
    "single_delete",
    "frequent_create",
    "frequent_update",
    "frequent_delete",
    "frequent_authorise",
    "subscription_create",
    "subscription_update",
    "subscription_delete",
    "capture_create",
    "capture_split_update",
    "void_create",
    "refund_create",
    "out_payment_create",
    "out_payment_delete",
    "config_update",
    "checkout_create",
    "checkout_delete",
];

const SUBSCRIPTION: &str = r#"{"value":9.99,"frequency":"1D","start_time":"2023-11-14 23:00","max_captures":3,"method":"dd","key":"sub-1","capture":{"descriptive":"Monthly"},"sdd_mandate":{"iban":"PT50000201231234567890155","name":"A","email":"a@example.org","phone":"911111111","account_holder":"A"}}"#;
const PAYOUT: &str = r#"{"customer":{"name":"Bea"},"key":"payout-1","value":17,"method":"transfer","timestamp":"0","out_account":{"account_holder":"Bea","iban":"PT50000201231234567890155","email":"bea@example.org","phone":"912345678"}}"#;
const CHECKOUT: &str = r#"{"type":["single"],"payment":{"methods":["cc","mbw"],"type":"sale","capture":{"descriptive":"Shop"}},"order":{"value":12.3,"key":"o"},"customer":{"name":"A","email":"a@example.org","phone":"911111111"}}"#;

/// A wire type from exact JSON text (amounts stay text until the wire type reads them).
macro_rules! json {
    ($text:expr) => {
        serde_json::from_str($text).unwrap_or_else(|e| panic!("{e}: {}", $text))
    };
}

fn keys_dir() -> String {
    format!("{}/../../fixtures/easypay/keys", env!("CARGO_MANIFEST_DIR"))
}

struct Env {
    server: FakeServer<EasypayFake>,
    client: EasypayClient,
}

impl Env {
    async fn start() -> Self {
        let public =
            std::fs::read_to_string(format!("{}/test-rsa-2048-public-spki.pem", keys_dir()))
                .expect("the test public key");
        let private = SecretString::from(
            std::fs::read_to_string(format!("{}/test-rsa-2048-pkcs8.pem", keys_dir()))
                .expect("the test private key"),
        );
        let config = EasypayConfig::new(ACCOUNT, API_KEY)
            .with_out_payment_key(&public)
            .expect("public key");
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasypayFake::new(config))
            .await
            .expect("the fake starts");
        let client = EasypayClient::builder(AccountId::new(ACCOUNT), ApiKey::new(API_KEY))
            .base_url(server.url("/2.0"))
            .clock(Arc::new(clock))
            .retry_policy(RetryPolicy::new(
                2,
                Duration::from_millis(1),
                Duration::from_millis(5),
            ))
            .jitter_seed(7)
            .attempt_timeout(ATTEMPT_TIMEOUT)
            .out_payment_key_pem(&private)
            .expect("private key")
            .build()
            .expect("the client builds");
        Self { server, client }
    }
}

/// What a write acts on, made before the fault is installed.
#[derive(Default)]
struct Ready {
    single: Option<PaymentId>,
    frequent: Option<FrequentPaymentId>,
    subscription: Option<SubscriptionId>,
    capture: Option<CaptureId>,
    split: Option<CaptureSplitId>,
    auth: Option<AuthorisationId>,
    payout: Option<OutPaymentId>,
    checkout: Option<CheckoutId>,
}

fn id<T, E: Into<PayError>>(
    id: Option<String>,
    make: impl FnOnce(String) -> Result<T, E>,
) -> Result<T, PayError> {
    make(id.unwrap_or_default()).map_err(Into::into)
}

async fn prepare(env: &Env, op: &str) -> Result<Ready, PayError> {
    let c = &env.client;
    let o = &CallOptions::new();
    let mut ready = Ready::default();
    if matches!(
        op,
        "single_update"
            | "capture_create"
            | "capture_split_update"
            | "void_create"
            | "refund_create"
    ) {
        let body = format!(
            r#"{{"type":"authorisation","value":10,"method":"mbw","customer":{{"name":"Ana","phone":"{PHONE_AUTHORISED}"}},"capture":{{"descriptive":"Order"}}}}"#
        );
        let created = c.single().create(&json!(&body), o).await?;
        ready.single = Some(id(created.id, PaymentId::new)?);
        let auth = env
            .server
            .snapshot()
            .of_kind(&ResourceKind::Other("authorisation".to_owned()))
            .next()
            .map(|r| r.id().to_owned());
        ready.auth = auth
            .map(AuthorisationId::new)
            .transpose()
            .map_err(PayError::from)?;
    }
    if matches!(op, "capture_split_update" | "refund_create") {
        let single = ready.single.as_ref().expect("an authorisation");
        let body = r#"{"descriptive":"c","value":5,"splits":[{"value":1,"split_key":"s1","account":{"id":"acc-2"}}]}"#;
        let created = c.captures().create(single, &json!(body), o).await?;
        let capture = id(created.id, CaptureId::new)?;
        let got = c.captures().get(&capture, o).await?;
        ready.split = got
            .splits
            .and_then(|s| s.first().and_then(|s| s.id.clone()))
            .map(CaptureSplitId::new)
            .transpose()
            .map_err(PayError::from)?;
        ready.capture = Some(capture);
    }
    if op == "single_delete" {
        let body = r#"{"value":3,"method":"mb","capture":{"descriptive":"Unpaid"}}"#;
        let created = c.single().create(&json!(body), o).await?;
        ready.single = Some(id(created.id, PaymentId::new)?);
    }
    if matches!(
        op,
        "frequent_update" | "frequent_delete" | "frequent_authorise"
    ) {
        let body = format!(
            r#"{{"method":"mbw","max_value":40,"customer":{{"name":"A","phone":"{PHONE_AUTHORISED}"}}}}"#
        );
        let created = c.frequent().create(&json!(&body), o).await?;
        ready.frequent = Some(id(created.id, FrequentPaymentId::new)?);
    }
    if matches!(op, "subscription_update" | "subscription_delete") {
        let created = c.subscriptions().create(&json!(SUBSCRIPTION), o).await?;
        ready.subscription = Some(id(created.id, SubscriptionId::new)?);
    }
    if op == "out_payment_delete" {
        let created = c.out_payments().create(&json!(PAYOUT), o).await?;
        ready.payout = Some(id(created.id, OutPaymentId::new)?);
    }
    if op == "checkout_delete" {
        let created = c.checkout().create(&json!(CHECKOUT), o).await?;
        ready.checkout = Some(CheckoutId::new(created.id).map_err(PayError::from)?);
    }
    Ok(ready)
}

fn need<T>(x: &Option<T>) -> &T {
    x.as_ref().expect("the fixture was prepared")
}

/// The write itself, with `o` (the same idempotency key when settling).
async fn run(c: &EasypayClient, op: &str, r: &Ready, o: &CallOptions) -> Result<(), PayError> {
    match op {
        "single_create" => {
            let body = r#"{"value":12.5,"method":"mb","key":"k","capture":{"descriptive":"x"}}"#;
            c.single().create(&json!(body), o).await.map(drop)
        }
        "single_update" => c
            .single()
            .update(need(&r.single), &json!(r#"{"descriptive":"d"}"#), o)
            .await
            .map(drop),
        "single_delete" => c.single().delete(need(&r.single), o).await,
        "frequent_create" => {
            let body = r#"{"method":"cc","max_value":40,"customer":{"name":"A"}}"#;
            c.frequent().create(&json!(body), o).await.map(drop)
        }
        "frequent_update" => c
            .frequent()
            .update(
                need(&r.frequent),
                &json!(r#"{"key":"f-1b","max_value":40}"#),
                o,
            )
            .await
            .map(drop),
        "frequent_delete" => c.frequent().delete(need(&r.frequent), o).await,
        "frequent_authorise" => c
            .frequent()
            .authorise(
                need(&r.frequent),
                &json!(r#"{"descriptive":"hold","value":20}"#),
                o,
            )
            .await
            .map(drop),
        "subscription_create" => c
            .subscriptions()
            .create(&json!(SUBSCRIPTION), o)
            .await
            .map(drop),
        "subscription_update" => c
            .subscriptions()
            .update(need(&r.subscription), &json!(r#"{"key":"sub-1b"}"#), o)
            .await
            .map(drop),
        "subscription_delete" => c.subscriptions().delete(need(&r.subscription), o).await,
        "capture_create" => c
            .captures()
            .create(
                need(&r.single),
                &json!(r#"{"descriptive":"c","value":4}"#),
                o,
            )
            .await
            .map(drop),
        "capture_split_update" => c
            .captures()
            .update_split(
                need(&r.capture),
                need(&r.split),
                &json!(r#"{"value":1.5}"#),
                o,
            )
            .await
            .map(drop),
        "void_create" => c
            .voids()
            .create(need(&r.auth), &json!(r#"{"descriptive":"v"}"#), o)
            .await
            .map(drop),
        "refund_create" => c
            .refunds()
            .create(need(&r.capture), &json!(r#"{"value":1}"#), o)
            .await
            .map(drop),
        "out_payment_create" => c.out_payments().create(&json!(PAYOUT), o).await.map(drop),
        "out_payment_delete" => c.out_payments().delete(need(&r.payout), o).await,
        "config_update" => c
            .config()
            .update(&json!(r#"{"visa_fwd":"http://127.0.0.1:9/back"}"#), o)
            .await
            .map(drop),
        "checkout_create" => c.checkout().create(&json!(CHECKOUT), o).await.map(drop),
        "checkout_delete" => c.checkout().delete(need(&r.checkout), o).await,
        other => panic!("no Easypay case for {other}"),
    }
}

/// Reads back what a delete acted on: `Ok` or `NotFound` are both a settled state.
async fn read_back(c: &EasypayClient, op: &str, r: &Ready) -> Result<(), PayError> {
    let o = &CallOptions::new();
    match op {
        "single_delete" => c.single().get(need(&r.single), o).await.map(drop),
        "frequent_delete" => c.frequent().get(need(&r.frequent), o).await.map(drop),
        "subscription_delete" => c
            .subscriptions()
            .get(need(&r.subscription), o)
            .await
            .map(drop),
        "out_payment_delete" => c.out_payments().get(need(&r.payout), o).await.map(drop),
        "checkout_delete" => c.checkout().get(need(&r.checkout), o).await.map(drop),
        _ => Ok(()),
    }
}

/// The state one clean call of `op` leaves, on a fake of its own.
async fn clean_shape(
    op: &'static str,
) -> Result<std::collections::BTreeMap<String, usize>, String> {
    let env = Env::start().await;
    let ready = prepare(&env, op)
        .await
        .map_err(|e| format!("fixtures: {e}"))?;
    run(&env.client, op, &ready, &CallOptions::new())
        .await
        .map_err(|e| format!("clean call: {e}"))?;
    Ok(shape(&env.server.snapshot()))
}

/// One cell: `op` under `case.fault`.
pub(crate) async fn cell(op: &'static str, case: FaultCase) -> Cell {
    let mut cell = Cell::new("easypay", op, case.label);
    let fault = case.fault;
    let operation = wire::operation(op).expect("an operation of the table");
    let keyed = operation.idempotency_header.is_some();
    let post = operation.method == Method::Post;
    let clean = match clean_shape(op).await {
        Ok(shape) => shape,
        Err(problem) => {
            cell.problems.push(problem);
            return cell;
        }
    };
    let env = Env::start().await;
    let c = &env.client;
    let ready = match prepare(&env, op).await {
        Ok(ready) => ready,
        Err(e) => {
            cell.problems.push(format!("fixtures: {e}"));
            return cell;
        }
    };
    let fake = env.server.provider();
    let seen = env.server.requests().len();
    let applied = fake.applied(op);
    env.server
        .faults()
        .on(Route::operation(op))
        .then(fault.clone())
        .then_normal();
    let result = run(c, op, &ready, &CallOptions::new()).await;
    cell.attempts = env.server.requests()[seen..]
        .iter()
        .filter(|r| r.operation() == Some(op))
        .count();
    let attempts = cell.attempts;
    cell.check((1..=3).contains(&attempts), || {
        format!("{attempts} attempts")
    });

    // A POST's 500 is stored under its key by Easypay: never repeated, always ambiguous.
    let five_hundred = cell.fault == "5xx" || cell.fault == "applied+5xx";
    if post && five_hundred {
        let (attempts, ambiguous) = (
            cell.attempts,
            result.as_ref().is_err_and(PayError::is_ambiguous),
        );
        cell.check(attempts == 1 && ambiguous, || {
            format!("a POST's 500 gave {result:?} after {attempts} attempts")
        });
    }

    // The outcome, and reconciliation to the true state.
    match &result {
        Ok(()) => {
            cell.outcome = "ok".to_owned();
            cell.settled = "done".to_owned();
        }
        Err(err) if err.is_ambiguous() => {
            cell.outcome = code(err);
            // Only a POST's 500 is stored under the key by Easypay, so only it may end
            // ambiguous: everything else is repeated with the key until it succeeds.
            cell.check(post && five_hundred, || {
                format!("ambiguous where a keyed retry should have settled it: {err}")
            });
            cell.check(!err.is_retryable(), || "ambiguous and retryable".to_owned());
            match err.idempotency_key() {
                None => cell
                    .problems
                    .push("an ambiguous keyed write without its key".to_owned()),
                Some(key) => {
                    let before = fake.applied(op);
                    let again = CallOptions::new().idempotency_key(key.clone());
                    match run(c, op, &ready, &again).await {
                        Ok(()) => {
                            let replayed = fake.applied(op) == before;
                            cell.settled = if replayed {
                                "same-key:replay"
                            } else {
                                "same-key:ran"
                            }
                            .to_owned();
                        }
                        Err(e) => cell
                            .problems
                            .push(format!("the retry with the same key failed: {e}")),
                    }
                }
            }
        }
        Err(err) if matches!(err.kind(), ErrorKind::NotFound) && !keyed => {
            // A delete applied before its answer was lost, repeated: already gone.
            cell.outcome = code(err);
            cell.check(fault.reaches_provider(), || {
                format!("a delete that never arrived reported {err}")
            });
            cell.settled = "read".to_owned();
        }
        Err(err) => {
            cell.outcome = code(err);
            cell.problems.push(format!("unexpected error: {err:?}"));
        }
    }
    if !keyed {
        match read_back(c, op, &ready).await {
            Ok(()) => cell.settled = "read".to_owned(),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound) => {
                cell.settled = "read:404".to_owned();
            }
            Err(e) => cell.problems.push(format!("reading back failed: {e}")),
        }
    }

    // Exactly one effect, under one key.
    cell.effects = fake.applied(op) - applied;
    let effects = cell.effects;
    cell.check(effects == 1, || {
        format!("{effects} effects after reconciliation, expected 1")
    });
    let keys: BTreeSet<String> = env.server.requests()[seen..]
        .iter()
        .filter(|r| r.operation() == Some(op))
        .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    cell.check(keys.len() == usize::from(keyed), || {
        format!("{} distinct idempotency keys", keys.len())
    });

    // The fake's state is exactly one clean call's.
    let after = shape(&env.server.snapshot());
    cell.check(after == clean, || {
        format!("state {after:?}, one clean call leaves {clean:?}")
    });
    cell
}
