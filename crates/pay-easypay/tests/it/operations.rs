//! Every path operation of the description through the client's public API, against the
//! fake; the operation table and [`CLIENT_METHODS`] agree both ways.

use std::collections::BTreeSet;

use futures_util::TryStreamExt;
use pay_core::{CallOptions, ErrorKind, IdempotencyKey, Method, OperationKind};
use pay_easypay::{
    AuthorisationId, CLIENT_METHODS, CaptureId, CaptureSplitId, CheckoutId, FrequentPaymentId,
    OutPaymentId, PaymentId, RefundId, SubscriptionId, VoidId, wire,
};
use pay_testkit::ResourceKind;

use crate::support::{Env, json};

#[test]
fn every_path_operation_has_a_client_method_and_back() {
    let described: BTreeSet<&str> = wire::OPERATIONS
        .iter()
        .filter(|op| op.kind == OperationKind::Path)
        .map(|op| op.id)
        .collect();
    let mapped: BTreeSet<&str> = CLIENT_METHODS.iter().map(|(id, _)| *id).collect();
    assert_eq!(described.len(), 39);
    assert_eq!(
        CLIENT_METHODS.len(),
        mapped.len(),
        "no operation mapped twice"
    );
    let missing: Vec<_> = described.difference(&mapped).collect();
    let extra: Vec<_> = mapped.difference(&described).collect();
    assert!(
        missing.is_empty(),
        "operations without a client method: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "client methods for no operation: {extra:?}"
    );
    // The description's `x-rust-fn` (docs/providers.md's "Rust function" column) names
    // the same method.
    for (id, method) in CLIENT_METHODS {
        let op = wire::OPERATIONS.iter().find(|op| op.id == *id).unwrap();
        assert_eq!(
            op.rust_fn,
            Some(format!("EasypayClient::{method}").as_str()),
            "x-rust-fn of {id}"
        );
    }
}

#[tokio::test]
async fn every_operation_is_called_through_the_client() {
    let env = Env::start().await;
    let c = &env.client;
    let o = CallOptions::new();
    let mut called = BTreeSet::new();
    let mut hit = |id: &'static str| {
        called.insert(id);
    };

    // Single payments.
    let single = env.authorised_mbway("10").await;
    hit("single_create");
    let list = c
        .single()
        .list(&wire::SingleListQuery::default(), &o)
        .await
        .unwrap();
    assert_eq!(list.data.len(), 1);
    hit("single_list");
    let got = c.single().get(&single, &o).await.unwrap();
    assert_eq!(got.value.unwrap().as_str(), "10");
    hit("single_get");
    c.single()
        .update(&single, &json(r#"{"descriptive":"d"}"#), &o)
        .await
        .unwrap();
    hit("single_update");

    // Captures, splits, authorisations.
    let capture = c
        .captures()
        .create(
            &single,
            &json(r#"{"descriptive":"c","value":5,"splits":[{"value":1,"split_key":"s1","account":{"id":"acc-2"}}]}"#),
            &o,
        )
        .await
        .unwrap();
    hit("capture_create");
    let capture = CaptureId::new(capture.id.unwrap()).unwrap();
    let got = c.captures().get(&capture, &o).await.unwrap();
    hit("capture_get");
    let split = got.splits.unwrap()[0].id.clone().unwrap();
    c.captures()
        .update_split(
            &capture,
            &CaptureSplitId::new(split).unwrap(),
            &json(r#"{"value":1.5}"#),
            &o,
        )
        .await
        .unwrap();
    hit("capture_split_update");
    let captures: Vec<_> = c
        .captures()
        .list_all(wire::CaptureListQuery::default(), o.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(captures.len(), 1);
    c.captures()
        .list(&wire::CaptureListQuery::default(), &o)
        .await
        .unwrap();
    hit("capture_list");
    let auth = env
        .server
        .snapshot()
        .of_kind(&ResourceKind::Other("authorisation".to_owned()))
        .next()
        .unwrap()
        .id()
        .to_owned();
    let auth = AuthorisationId::new(auth).unwrap();
    c.authorisations().get(&auth, &o).await.unwrap();
    hit("authorisation_get");

    // Refunds and voids.
    let refund = c
        .refunds()
        .create(&capture, &json(r#"{"value":1}"#), &o)
        .await
        .unwrap();
    hit("refund_create");
    let refund = RefundId::new(refund.id.unwrap()).unwrap();
    c.refunds().get(&refund, &o).await.unwrap();
    hit("refund_get");
    c.refunds()
        .list(&wire::RefundListQuery::default(), &o)
        .await
        .unwrap();
    hit("refund_list");
    let void = c
        .voids()
        .create(&auth, &json(r#"{"descriptive":"v"}"#), &o)
        .await
        .unwrap();
    hit("void_create");
    c.voids()
        .get(&VoidId::new(void.id.unwrap()).unwrap(), &o)
        .await
        .unwrap();
    hit("void_get");
    env.server
        .provider()
        .open_chargeback(&env.ctx(), capture.as_str(), "fraud")
        .expect("a capture");
    let chargebacks = c
        .chargebacks()
        .list(&wire::ChargebackListQuery::default(), &o)
        .await
        .unwrap();
    assert_eq!(chargebacks.data.len(), 1);
    hit("chargeback_list");
    let ledger = c
        .reports()
        .ledger(&wire::ReportLedgerQuery::default(), &o)
        .await
        .unwrap();
    assert_eq!(ledger.data.len(), 3, "capture, refund, chargeback");
    hit("report_ledger");
    c.reports()
        .transactions(&wire::ReportTransactionsQuery::default(), &o)
        .await
        .unwrap();
    hit("report_transactions");
    let unpaid = env.unpaid_multibanco().await;
    c.single().delete(&unpaid, &o).await.unwrap();
    hit("single_delete");

    // Frequent payments.
    let frequent = c
        .frequent()
        .create(
            &json(r#"{"method":"cc","key":"f-1","max_value":40,"customer":{"name":"A"}}"#),
            &o,
        )
        .await
        .unwrap();
    hit("frequent_create");
    let frequent = FrequentPaymentId::new(frequent.id.unwrap()).unwrap();
    c.frequent().get(&frequent, &o).await.unwrap();
    hit("frequent_get");
    c.frequent()
        .update(&frequent, &json(r#"{"key":"f-1b","max_value":40}"#), &o)
        .await
        .unwrap();
    hit("frequent_update");
    c.frequent()
        .list(&wire::FrequentListQuery::default(), &o)
        .await
        .unwrap();
    hit("frequent_list");
    let err = c
        .frequent()
        .authorise(&frequent, &json(r#"{"descriptive":"x","value":5}"#), &o)
        .await
        .unwrap_err();
    // The card was never entered: Easypay refuses with 412, nothing retried.
    assert_eq!(err.http_status(), Some(412), "{err}");
    hit("frequent_authorise");
    c.frequent().delete(&frequent, &o).await.unwrap();
    hit("frequent_delete");

    // Subscriptions.
    let sub = c
        .subscriptions()
        .create(
            &json(r#"{"value":9.99,"frequency":"1D","start_time":"2023-11-14 23:00","max_captures":3,"method":"dd","key":"sub-1","capture":{"descriptive":"Monthly"},"sdd_mandate":{"iban":"PT50000201231234567890155","name":"A","email":"a@example.org","phone":"911111111","account_holder":"A"}}"#),
            &o,
        )
        .await
        .unwrap();
    hit("subscription_create");
    let sub = SubscriptionId::new(sub.id.unwrap()).unwrap();
    c.subscriptions().get(&sub, &o).await.unwrap();
    hit("subscription_get");
    c.subscriptions()
        .update(&sub, &json(r#"{"key":"sub-1b"}"#), &o)
        .await
        .unwrap();
    hit("subscription_update");
    c.subscriptions()
        .list(&wire::SubscriptionListQuery::default(), &o)
        .await
        .unwrap();
    hit("subscription_list");
    c.subscriptions().delete(&sub, &o).await.unwrap();
    hit("subscription_delete");

    // Out-payments (signed).
    let payout = c
        .out_payments()
        .create(
            &json(r#"{"customer":{"name":"Bea"},"key":"payout-1","value":17,"method":"transfer","descriptive":"Refund 1","timestamp":"0","out_account":{"account_holder":"Bea","iban":"PT50000201231234567890155","email":"bea@example.org","phone":"912345678"}}"#),
            &o,
        )
        .await
        .unwrap();
    hit("out_payment_create");
    let payout = OutPaymentId::new(payout.id.unwrap()).unwrap();
    c.out_payments().get(&payout, &o).await.unwrap();
    hit("out_payment_get");
    c.out_payments()
        .list(&wire::OutPaymentListQuery::default(), &o)
        .await
        .unwrap();
    hit("out_payment_list");
    c.out_payments().delete(&payout, &o).await.unwrap();
    hit("out_payment_delete");

    // Checkout, config, health.
    let checkout = c
        .checkout()
        .create(
            &json(r#"{"type":["single"],"payment":{"methods":["cc","mbw"],"type":"sale","capture":{"descriptive":"Shop"}},"order":{"value":12.3,"key":"o"},"customer":{"name":"A","email":"a@example.org","phone":"911111111"}}"#),
            &o,
        )
        .await
        .unwrap();
    hit("checkout_create");
    let checkout = CheckoutId::new(checkout.id).unwrap();
    c.checkout().get(&checkout, &o).await.unwrap();
    hit("checkout_get");
    c.checkout().delete(&checkout, &o).await.unwrap();
    hit("checkout_delete");
    c.config().get(&o).await.unwrap();
    hit("config_get");
    c.config()
        .update(&json(r#"{"visa_fwd":"http://127.0.0.1:9/back"}"#), &o)
        .await
        .unwrap();
    hit("config_update");
    c.health().get(&o).await.unwrap();
    hit("health_get");

    let table: BTreeSet<&str> = CLIENT_METHODS.iter().map(|(id, _)| *id).collect();
    let untested: Vec<_> = table.difference(&called).collect();
    assert!(untested.is_empty(), "not exercised: {untested:?}");
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let env = Env::start().await;
    let o = CallOptions::new();
    let before = env.server.snapshot().len();
    let err = env
        .client
        .single()
        .create(&json(r#"{"value":0.49,"method":"mbw"}"#), &o)
        .await
        .unwrap_err();
    let ErrorKind::InvalidRequest(v) = err.kind() else {
        panic!("{err}")
    };
    assert_eq!(v.field(), "value");
    assert_eq!(err.operation(), Some("single_create"));
    let err = env
        .client
        .captures()
        .list(&json(r#"{"limit":101}"#), &o)
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidRequest(v) if v.field() == "limit"));
    assert_eq!(env.server.snapshot().len(), before);
    assert!(env.server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn errors_keep_easypays_message_and_403_is_authentication() {
    let env = Env::start().await;
    let o = CallOptions::new();
    let err = env
        .client
        .single()
        .get(&PaymentId::new("nope").unwrap(), &o)
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotFound), "{err}");
    assert!(err.provider_message().is_some(), "{err}");
    let stranger = pay_easypay::EasypayClient::builder(
        pay_easypay::AccountId::new("someone"),
        pay_easypay::ApiKey::new("wrong"),
    )
    .base_url(env.server.url("/2.0"))
    .build()
    .unwrap();
    let err = stranger.config().get(&o).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Authentication), "{err}");
    assert_eq!(err.http_status(), Some(403));
}

#[tokio::test]
async fn the_raw_escape_hatch_uses_the_same_path() {
    let env = Env::start().await;
    let o = CallOptions::new();
    let answer = env
        .client
        .raw(
            Method::Post,
            "/single",
            Some(r#"{"value":12.50,"method":"mb","capture":{"descriptive":"Raw"}}"#),
            &o,
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 201);
    let body = answer.body.unwrap();
    let created: wire::SingleCreated = serde_json::from_str(body.get()).unwrap();
    let got = env
        .client
        .raw(
            Method::Get,
            &format!("/single/{}", created.id.unwrap()),
            None,
            &o,
        )
        .await
        .unwrap();
    assert!(got.body.unwrap().get().contains("12.5"));
    let requests = env.server.requests();
    assert!(requests[0].header("idempotency-key").is_some());
    assert!(requests[1].header("idempotency-key").is_none());
}

#[tokio::test]
async fn page_and_cursor_streams_cross_several_pages() {
    let env = Env::start().await;
    let o = CallOptions::new();
    for n in 0..7 {
        env.client
            .single()
            .create(
                &json(&format!(
                    r#"{{"value":1{n},"method":"mb","key":"k{n}","capture":{{"descriptive":"c"}}}}"#
                )),
                &o,
            )
            .await
            .unwrap();
    }
    let query = wire::SingleListQuery {
        records_per_page: Some(3),
        ..Default::default()
    };
    let page = env.client.single().list(&query, &o).await.unwrap();
    assert_eq!(page.data.len(), 3);
    let all: Vec<_> = env
        .client
        .single()
        .list_all(query, o.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
    let keys: BTreeSet<_> = all.iter().map(|p| p.key.clone().unwrap()).collect();
    assert_eq!(keys.len(), 7);
    let gets = env
        .server
        .requests()
        .iter()
        .filter(|r| r.method() == "GET")
        .count();
    assert_eq!(gets, 1 + 3, "one single page, then three pages");

    // Cursor-based: 5 captures, 2 at a time.
    let auth = env.authorised_mbway("50").await;
    for _ in 0..5 {
        env.capture(&auth, "1").await;
    }
    let query = wire::CaptureListQuery {
        limit: Some(2),
        ..Default::default()
    };
    let all: Vec<_> = env
        .client
        .captures()
        .list_all(query, o.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    let ids: BTreeSet<_> = all.iter().map(|c| c.id.clone().unwrap()).collect();
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn an_out_payment_is_signed_once_and_resent_byte_for_byte() {
    let env = Env::start().await;
    env.server
        .faults()
        .on(pay_testkit::Route::operation("out_payment_create"))
        .then(pay_testkit::Fault::AppliedThenLost)
        .then_normal();
    let created = env
        .client
        .out_payments()
        .create(
            &json(r#"{"customer":{"name":"Bea"},"value":17.50,"method":"transfer","timestamp":"0","out_account":{"account_holder":"Bea","iban":"PT50000201231234567890155","email":"bea@example.org","phone":"912345678"}}"#),
            &CallOptions::new(),
        )
        .await
        .unwrap();
    assert!(created.id.is_some());
    let attempts: Vec<_> = env
        .server
        .requests()
        .into_iter()
        .filter(|r| r.operation() == Some("out_payment_create"))
        .collect();
    assert_eq!(attempts.len(), 2, "lost once, then replayed");
    assert_eq!(attempts[0].body(), attempts[1].body());
    assert_eq!(
        attempts[0].header("signature"),
        attempts[1].header("signature")
    );
    assert_eq!(
        attempts[0].header("idempotency-key"),
        attempts[1].header("idempotency-key")
    );
    assert!(
        attempts[0].body().contains(r#""value":17.50"#),
        "exact amount"
    );
    assert!(
        attempts[0].body().contains(r#""timestamp":"1700000000""#),
        "stamped by the clock"
    );
    assert_eq!(env.server.snapshot().len(), 1, "one out-payment");
}

#[tokio::test]
async fn a_typed_success_reports_its_key_and_whether_it_was_replayed() {
    let env = Env::start().await;
    let c = &env.client;
    let key = IdempotencyKey::new("order-51-create").unwrap();
    let o = CallOptions::new().idempotency_key(key.clone());
    let request: wire::SingleCreateRequest =
        json(r#"{"value":8.40,"method":"mb","capture":{"descriptive":"Order 51"}}"#);

    let first = c.single().with_meta().create(&request, &o).await.unwrap();
    assert!(!first.is_replayed());
    assert_eq!(first.idempotency_key(), Some(&key));
    assert_eq!(first.meta().attempts(), 1);
    assert_eq!(first.meta().status(), 201);

    let second = c.single().with_meta().create(&request, &o).await.unwrap();
    assert!(
        second.is_replayed(),
        "the same key answers the stored result"
    );
    assert_eq!(second.idempotency_key(), Some(&key));
    assert_eq!(second.value().id, first.value().id);
    let singles = env
        .server
        .snapshot()
        .of_kind(&ResourceKind::Payment)
        .count();
    assert_eq!(singles, 1, "one payment for two calls with one key");

    // The plain handle answers the wire type of the same call.
    let plain: wire::SingleCreated = c.single().create(&request, &o).await.unwrap();
    assert_eq!(plain.id, first.value().id);

    // Without a caller's key the generated one is reported; a read sends none.
    let fresh = c
        .single()
        .with_meta()
        .create(&request, &CallOptions::new())
        .await
        .unwrap();
    assert!(!fresh.is_replayed());
    let generated = fresh.idempotency_key().expect("a generated key").clone();
    assert_ne!(generated, key);
    let id = PaymentId::new(fresh.into_value().id.unwrap()).unwrap();
    let (payment, meta) = c
        .single()
        .with_meta()
        .get(&id, &CallOptions::new())
        .await
        .unwrap()
        .into_parts();
    assert_eq!(payment.id.as_deref(), Some(id.as_str()));
    assert_eq!(meta.idempotency_key(), None);
    assert!(!meta.is_replayed());
    let deleted = c
        .single()
        .with_meta()
        .delete(&id, &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(deleted.meta().status(), 204);
}
