//! Every fault kind on every write: at most one effect in the fake's state, one
//! idempotency key per logical call, and the right outcome (recovered by a retry, or an
//! error that says what happened).

use std::time::Duration;

use pay_core::{CallOptions, ErrorKind, PayError};
use pay_easypay::{
    CaptureId, CaptureSplitId, CheckoutId, EasypayClient, FrequentPaymentId, OutPaymentId,
    PaymentId, SubscriptionId,
};
use pay_testkit::easypay::PHONE_AUTHORISED;
use pay_testkit::{Fault, ResourceKind, Route};

use crate::support::{Env, json};

const WRITES: &[&str] = &[
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

fn faults() -> Vec<Fault> {
    vec![
        Fault::status(500),
        Fault::status(503),
        Fault::RateLimited {
            retry_after: Duration::from_millis(5),
        },
        Fault::Delay(Duration::from_millis(5)),
        Fault::Hang,
        Fault::Reset,
        Fault::EmptyResponse,
        Fault::TruncatedBody,
        Fault::MalformedBody,
        Fault::HtmlError,
        Fault::WrongContentType,
        Fault::AppliedThenLost,
    ]
}

/// Ids made before the fault is installed.
#[derive(Default)]
struct Ready {
    single: Option<PaymentId>,
    frequent: Option<FrequentPaymentId>,
    subscription: Option<SubscriptionId>,
    capture: Option<CaptureId>,
    split: Option<CaptureSplitId>,
    auth: Option<pay_easypay::AuthorisationId>,
    payout: Option<OutPaymentId>,
    checkout: Option<CheckoutId>,
}

const SUBSCRIPTION: &str = r#"{"value":9.99,"frequency":"1D","start_time":"2023-11-14 23:00","max_captures":3,"method":"dd","key":"sub-1","capture":{"descriptive":"Monthly"},"sdd_mandate":{"iban":"PT50000201231234567890155","name":"A","email":"a@example.org","phone":"911111111","account_holder":"A"}}"#;
const PAYOUT: &str = r#"{"customer":{"name":"Bea"},"key":"payout-1","value":17,"method":"transfer","timestamp":"0","out_account":{"account_holder":"Bea","iban":"PT50000201231234567890155","email":"bea@example.org","phone":"912345678"}}"#;
const CHECKOUT: &str = r#"{"type":["single"],"payment":{"methods":["cc","mbw"],"type":"sale","capture":{"descriptive":"Shop"}},"order":{"value":12.3,"key":"o"},"customer":{"name":"A","email":"a@example.org","phone":"911111111"}}"#;

async fn prepare(env: &Env, op: &str) -> Ready {
    let c = &env.client;
    let o = CallOptions::new();
    let mut ready = Ready::default();
    let needs_auth = matches!(
        op,
        "single_update"
            | "capture_create"
            | "capture_split_update"
            | "void_create"
            | "refund_create"
    );
    if needs_auth {
        ready.single = Some(env.authorised_mbway("10").await);
        let auth = env
            .server
            .snapshot()
            .of_kind(&ResourceKind::Other("authorisation".to_owned()))
            .next()
            .map(|r| r.id().to_owned());
        ready.auth = auth.map(|a| pay_easypay::AuthorisationId::new(a).unwrap());
    }
    if matches!(op, "capture_split_update" | "refund_create") {
        let capture = c
            .captures()
            .create(
                ready.single.as_ref().unwrap(),
                &json(r#"{"descriptive":"c","value":5,"splits":[{"value":1,"split_key":"s1","account":{"id":"acc-2"}}]}"#),
                &o,
            )
            .await
            .unwrap();
        let capture = CaptureId::new(capture.id.unwrap()).unwrap();
        let got = c.captures().get(&capture, &o).await.unwrap();
        ready.split = got
            .splits
            .and_then(|s| s[0].id.clone())
            .map(|s| CaptureSplitId::new(s).unwrap());
        ready.capture = Some(capture);
    }
    if op == "single_delete" {
        ready.single = Some(env.unpaid_multibanco().await);
    }
    if matches!(
        op,
        "frequent_update" | "frequent_delete" | "frequent_authorise"
    ) {
        let created = c
            .frequent()
            .create(
                &json(&format!(r#"{{"method":"mbw","max_value":40,"customer":{{"name":"A","phone":"{PHONE_AUTHORISED}"}}}}"#)),
                &o,
            )
            .await
            .unwrap();
        ready.frequent = Some(FrequentPaymentId::new(created.id.unwrap()).unwrap());
    }
    if matches!(op, "subscription_update" | "subscription_delete") {
        let created = c
            .subscriptions()
            .create(&json(SUBSCRIPTION), &o)
            .await
            .unwrap();
        ready.subscription = Some(SubscriptionId::new(created.id.unwrap()).unwrap());
    }
    if op == "out_payment_delete" {
        let created = c.out_payments().create(&json(PAYOUT), &o).await.unwrap();
        ready.payout = Some(OutPaymentId::new(created.id.unwrap()).unwrap());
    }
    if op == "checkout_delete" {
        let created = c.checkout().create(&json(CHECKOUT), &o).await.unwrap();
        ready.checkout = Some(CheckoutId::new(created.id).unwrap());
    }
    ready
}

async fn run(c: &EasypayClient, op: &str, r: &Ready) -> Result<(), PayError> {
    let o = CallOptions::new();
    match op {
        "single_create" => c
            .single()
            .create(
                &json(r#"{"value":12.5,"method":"mb","key":"k","capture":{"descriptive":"x"}}"#),
                &o,
            )
            .await
            .map(drop),
        "single_update" => c
            .single()
            .update(
                r.single.as_ref().unwrap(),
                &json(r#"{"descriptive":"d"}"#),
                &o,
            )
            .await
            .map(drop),
        "single_delete" => c.single().delete(r.single.as_ref().unwrap(), &o).await,
        "frequent_create" => c
            .frequent()
            .create(
                &json(r#"{"method":"cc","max_value":40,"customer":{"name":"A"}}"#),
                &o,
            )
            .await
            .map(drop),
        "frequent_update" => c
            .frequent()
            .update(
                r.frequent.as_ref().unwrap(),
                &json(r#"{"key":"f-1b","max_value":40}"#),
                &o,
            )
            .await
            .map(drop),
        "frequent_delete" => c.frequent().delete(r.frequent.as_ref().unwrap(), &o).await,
        "frequent_authorise" => c
            .frequent()
            .authorise(
                r.frequent.as_ref().unwrap(),
                &json(r#"{"descriptive":"hold","value":20}"#),
                &o,
            )
            .await
            .map(drop),
        "subscription_create" => c
            .subscriptions()
            .create(&json(SUBSCRIPTION), &o)
            .await
            .map(drop),
        "subscription_update" => c
            .subscriptions()
            .update(
                r.subscription.as_ref().unwrap(),
                &json(r#"{"key":"sub-1b"}"#),
                &o,
            )
            .await
            .map(drop),
        "subscription_delete" => {
            c.subscriptions()
                .delete(r.subscription.as_ref().unwrap(), &o)
                .await
        }
        "capture_create" => c
            .captures()
            .create(
                r.single.as_ref().unwrap(),
                &json(r#"{"descriptive":"c","value":4}"#),
                &o,
            )
            .await
            .map(drop),
        "capture_split_update" => c
            .captures()
            .update_split(
                r.capture.as_ref().unwrap(),
                r.split.as_ref().unwrap(),
                &json(r#"{"value":1.5}"#),
                &o,
            )
            .await
            .map(drop),
        "void_create" => c
            .voids()
            .create(
                r.auth.as_ref().unwrap(),
                &json(r#"{"descriptive":"v"}"#),
                &o,
            )
            .await
            .map(drop),
        "refund_create" => c
            .refunds()
            .create(r.capture.as_ref().unwrap(), &json(r#"{"value":1}"#), &o)
            .await
            .map(drop),
        "out_payment_create" => c.out_payments().create(&json(PAYOUT), &o).await.map(drop),
        "out_payment_delete" => {
            c.out_payments()
                .delete(r.payout.as_ref().unwrap(), &o)
                .await
        }
        "config_update" => c
            .config()
            .update(&json(r#"{"visa_fwd":"http://127.0.0.1:9/back"}"#), &o)
            .await
            .map(drop),
        "checkout_create" => c.checkout().create(&json(CHECKOUT), &o).await.map(drop),
        "checkout_delete" => c.checkout().delete(r.checkout.as_ref().unwrap(), &o).await,
        other => panic!("no write {other}"),
    }
}

/// The fake's state as comparable text: every resource's kind, id and status.
fn state(env: &Env) -> usize {
    env.server.snapshot().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_every_write_has_at_most_one_effect() {
    let mut cells = 0;
    let mut duplicates = Vec::new();
    let mut wrong = Vec::new();
    for op in WRITES {
        // The effect of one clean call.
        let env = Env::start_with_timeout(Duration::from_millis(300)).await;
        let ready = prepare(&env, op).await;
        let before = state(&env);
        run(&env.client, op, &ready)
            .await
            .unwrap_or_else(|e| panic!("{op} clean: {e}"));
        let effect = state(&env) - before;
        for fault in faults() {
            cells += 1;
            let env = Env::start_with_timeout(Duration::from_millis(300)).await;
            let ready = prepare(&env, op).await;
            let before = state(&env);
            let seen = env.server.requests().len();
            env.server
                .faults()
                .on(Route::operation(op))
                .then(fault.clone())
                .then_normal();
            let outcome = run(&env.client, op, &ready).await;
            let delta = state(&env) - before;
            if delta > effect {
                duplicates.push(format!(
                    "{op} × {fault:?}: {delta} new resources, one call makes {effect}"
                ));
            }
            // One idempotency key per logical call, on every attempt of a keyed write.
            let keys: std::collections::BTreeSet<String> = env.server.requests()[seen..]
                .iter()
                .filter(|r| r.operation() == Some(op))
                .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
                .collect();
            let keyed = !op.ends_with("_delete");
            assert_eq!(
                keys.len(),
                usize::from(keyed),
                "{op} × {fault:?}: keys {keys:?}"
            );
            let post = !op.ends_with("_delete") && !op.ends_with("_update");
            match (&fault, outcome) {
                // Easypay: a POST's 500 is not repeated; with its key, it is ambiguous.
                (Fault::Status { status: 500, .. }, Err(e)) if post => {
                    if !e.is_ambiguous() || e.idempotency_key().is_none() {
                        wrong.push(format!("{op} × 500: {e}"));
                    }
                }
                // A delete applied then lost is gone when repeated: Easypay says 404.
                (_, Err(e))
                    if op.ends_with("_delete")
                        && fault.reaches_provider()
                        && matches!(e.kind(), ErrorKind::NotFound) => {}
                (_, Ok(())) => {}
                (_, Err(e)) => wrong.push(format!("{op} × {fault:?}: {e}")),
            }
        }
    }
    assert_eq!(cells, WRITES.len() * faults().len());
    assert!(duplicates.is_empty(), "duplicate writes: {duplicates:#?}");
    assert!(wrong.is_empty(), "wrong outcomes: {wrong:#?}");
}
