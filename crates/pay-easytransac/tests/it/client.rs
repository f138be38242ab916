//! The client against pay-testkit's Easytransac fake: every operation through the public
//! API, V1 signing and verification, V2 tokens with single flight, validation before
//! sending, redaction.

use std::collections::BTreeSet;
use std::time::Duration;

use pay_core::wire::MinorUnits;
use pay_core::{
    CallOptions, Environment, ErrorKind, MerchantReference, OperationKind, Provider, Rule,
};
use pay_easytransac::{CLIENT_METHODS, EasytransacClient, RawSafety, Reconciled, wire};
use pay_testkit::easytransac::cards;
use pay_testkit::{Fault, Route};

use crate::support::{Env, KEY, card, client_for, env, start_clock, success_card, within};

fn opts() -> CallOptions {
    CallOptions::new()
}

#[test]
fn every_path_operation_has_a_client_method_and_back() {
    let ops: BTreeSet<&str> = wire::OPERATIONS
        .iter()
        .filter(|op| op.kind == OperationKind::Path)
        .map(|op| op.id)
        .collect();
    let methods: BTreeSet<&str> = CLIENT_METHODS.iter().map(|(id, _)| *id).collect();
    let missing: Vec<_> = ops.difference(&methods).collect();
    let stale: Vec<_> = methods.difference(&ops).collect();
    assert!(
        missing.is_empty(),
        "operations without a client method: {missing:?}"
    );
    assert!(stale.is_empty(), "methods naming no operation: {stale:?}");
    assert_eq!(CLIENT_METHODS.len(), methods.len(), "duplicate rows");
    let v1 = ops.iter().filter(|id| id.starts_with("v1_")).count();
    let v2 = ops.iter().filter(|id| id.starts_with("v2_")).count();
    assert_eq!((v1, v2), (30, 6));
    // The description's `x-rust-fn` (docs/providers.md's "Rust function" column) names
    // the same method.
    for (id, method) in CLIENT_METHODS {
        let op = wire::OPERATIONS.iter().find(|op| op.id == *id).unwrap();
        assert_eq!(
            op.rust_fn,
            Some(format!("EasytransacClient::{method}").as_str()),
            "x-rust-fn of {id}"
        );
    }
}

/// Every one of the 36 operations called through the public API against the fake, each
/// answering a success; the set of operations called is checked against
/// `CLIENT_METHODS` at the end.
#[tokio::test]
async fn every_operation_is_called_against_the_fake() {
    within(async {
        let e = env().await;
        let c = &e.client;
        let o = opts();
        let mut called = BTreeSet::new();

        // Payments: direct (with a saved card), 1-click, status, refund, capture, cancel.
        let mut first = success_card(2999, "o-direct");
        first.save_card = Some(true.into());
        let paid = c.payments().direct(&first, &o).await.unwrap();
        called.insert("v1_payment_direct");
        assert_eq!(paid.status, wire::TransactionStatus::Captured);
        assert_eq!(paid.amount.as_ref().unwrap().as_str(), "29.99");
        let alias = paid.alias.clone().expect("a saved card's Alias");
        let client_id = paid.client.as_ref().and_then(|c| c.id.clone()).unwrap();

        let mut one = wire::V1OneClickPaymentRequest::new(MinorUnits(500), alias.clone());
        one.client_id = Some(client_id.clone());
        one.order_id = Some("o-oneclick".to_owned());
        let oneclick = c.payments().oneclick(&one, &o).await.unwrap();
        called.insert("v1_payment_oneclick");
        assert_eq!(oneclick.status, wire::TransactionStatus::Captured);

        let cards_of = c
            .payments()
            .card_list(&wire::V1CardListRequest::new(client_id.clone()), &o)
            .await
            .unwrap();
        called.insert("v1_payment_card_list");
        assert_eq!(cards_of[0].alias.as_deref(), Some(alias.as_str()));

        let status = c
            .payments()
            .status(
                &wire::V1StatusRequest {
                    tid: Some(paid.tid.clone()),
                    ..Default::default()
                },
                &o,
            )
            .await
            .unwrap();
        called.insert("v1_payment_status");
        assert_eq!(status.tid, paid.tid);

        let mut partial = wire::V1RefundRequest::new(paid.tid.clone());
        partial.amount = Some(MinorUnits(1000));
        let refunded = c.payments().refund(&partial, &o).await.unwrap();
        called.insert("v1_payment_refund");
        assert_eq!(refunded.amount_refund.as_ref().unwrap().as_str(), "10.00");

        let mut pre = success_card(5000, "o-pre");
        pre.pre_auth = Some(true.into());
        let authorised = c.payments().direct(&pre, &o).await.unwrap();
        assert_eq!(authorised.status, wire::TransactionStatus::Authorized);
        let mut cap = wire::V1CaptureRequest::new(authorised.tid.clone());
        cap.amount = Some(MinorUnits(4200));
        let captured = c.payments().capture(&cap, &o).await.unwrap();
        called.insert("v1_payment_capture");
        assert_eq!(captured.status, wire::TransactionStatus::Captured);
        assert_eq!(captured.amount.as_ref().unwrap().as_str(), "42.00");

        let mut pre2 = success_card(5000, "o-pre-2");
        pre2.pre_auth = Some(true.into());
        let second = c.payments().direct(&pre2, &o).await.unwrap();
        c.payments()
            .cancel(&wire::V1CancelRequest::new(second.tid.clone()), &o)
            .await
            .unwrap();
        called.insert("v1_payment_cancel");
        assert_eq!(
            e.server.provider().payment(&second.tid).unwrap().status,
            "failed"
        );

        // SEPA direct debit and open banking (V1).
        let sdd = wire::V1SddInitRequest::new(
            MinorUnits(1500),
            "customer-2".to_owned(),
            "bo@example.org".to_owned(),
            "Silva".to_owned(),
            "FR1420041010050500013M02606".to_owned(),
            "10.0.0.3".to_owned(),
            "1 rue de la Paix".to_owned(),
            "75002".to_owned(),
            "Paris".to_owned(),
            "FRA".to_owned(),
        );
        let debit = c.payments().sdd_init(&sdd, &o).await.unwrap();
        called.insert("v1_payment_sdd_init");
        assert_eq!(debit.status, wire::TransactionStatus::Pending);
        let mut bank = wire::V1PayByBankRequest::new(MinorUnits(700));
        bank.order_id = Some("o-bank".to_owned());
        bank.email = Some("bo@example.org".to_owned());
        bank.client_ip = Some("10.0.0.4".to_owned());
        bank.return_url = Some("https://shop.example/return".to_owned());
        let by_bank = c.payments().bybank(&bank, &o).await;
        called.insert("v1_payment_bybank");
        assert!(by_bank.is_ok(), "{by_bank:?}");

        // Payment pages.
        let mut page = wire::V1PaymentPageRequest::new(MinorUnits(1250), "10.0.0.2".to_owned());
        page.order_id = Some("o-page".to_owned());
        page.email = Some("bo@example.org".to_owned());
        let created = c.pages().create(&page, &o).await.unwrap();
        called.insert("v1_payment_page");
        let request_id = created.request_id.clone().unwrap();
        let resent = c
            .pages()
            .resend(&wire::V1PaymentPageRefRequest::new(request_id.clone()), &o)
            .await
            .unwrap();
        called.insert("v1_payment_resendpage");
        assert_eq!(resent.request_id.as_deref(), Some(request_id.as_str()));
        c.pages()
            .cancel(&wire::V1PaymentPageRefRequest::new(request_id.clone()), &o)
            .await
            .unwrap();
        called.insert("v1_payment_cancelpage");

        other_calls(c, &o, &mut called).await;

        // A transfer, and a subscription updated from its next charge on.
        let sent = c
            .payments()
            .transfer(
                &wire::V1P2PTransferRequest {
                    to: Some("friend@example.org".to_owned()),
                    amount: Some(MinorUnits(700)),
                    ..Default::default()
                },
                &o,
            )
            .await
            .unwrap();
        called.insert("v1_payment_transfer");
        assert_eq!(sent.amount.as_ref().map(|a| a.as_str()), Some("7.00"));
        let mut sub = success_card(990, "o-sub");
        sub.rebill = Some(true.into());
        sub.recurrence = Some(wire::Recurrence::Weekly);
        let original = c.payments().direct(&sub, &o).await.unwrap().tid;
        c.payments()
            .rebill_update(
                &wire::V1RebillUpdateRequest {
                    tid: Some(original),
                    amount: Some(MinorUnits(1290)),
                    ..Default::default()
                },
                &o,
            )
            .await
            .unwrap();
        called.insert("v1_payment_rebill_update");

        // V2: token, mandates, open banking, transaction status.
        let token = c.auth().token(&o).await.unwrap();
        called.insert("v2_auth_token");
        assert!(!secrecy::ExposeSecret::expose_secret(&token).is_empty());
        let mandate = wire::V2MandateCreateRequest {
            iban: Some("FR1420041010050500013M02606".to_owned()),
            email: Some("ana@example.org".to_owned()),
            lastname: Some("Silva".to_owned()),
            ..Default::default()
        };
        let created = c.mandates().create(&mandate, &o).await.unwrap();
        called.insert("v2_sdd_mandate_create");
        let mandate_id = created.data.mandate_id.clone().unwrap();
        let state = c.mandates().status(&mandate_id, &o).await.unwrap();
        called.insert("v2_sdd_mandate_status");
        assert_eq!(state.data.mandate_id.as_deref(), Some(mandate_id.as_str()));
        let mut debit = wire::V2MandateDebitRequest::new(MinorUnits(2500));
        debit.order_id = Some("o-v2-debit".to_owned());
        let debited = c.mandates().debit(&mandate_id, &debit, &o).await.unwrap();
        called.insert("v2_sdd_mandate_debit");
        assert_eq!(debited.data.amount, MinorUnits(2500));
        let mut ob = wire::V2OpenBankingInitRequest::new(
            MinorUnits(900),
            "ana@example.org".to_owned(),
            "https://shop.example/return".to_owned(),
        );
        ob.order_id = Some("o-v2-ob".to_owned());
        let init = c.open_banking().init(&ob, &o).await.unwrap();
        called.insert("v2_open_banking_init");
        let tx = c
            .transactions()
            .status(
                &wire::V2TransactionStatusQuery {
                    tid: Some(init.data.tid.clone()),
                    order_id: None,
                },
                &o,
            )
            .await
            .unwrap();
        called.insert("v2_transaction_status");
        assert_eq!(tx.data.tid, init.data.tid);
        assert!(tx.success);
        assert_eq!(tx.date.len(), 25);

        let all: BTreeSet<&str> = CLIENT_METHODS.iter().map(|(id, _)| *id).collect();
        let missed: Vec<_> = all.difference(&called).collect();
        assert!(missed.is_empty(), "not exercised: {missed:?}");
        assert_eq!(called.len(), 36);
    })
    .await;
}

/// Lists, card information, sub-accounts and KYC documents, each answered by the fake.
async fn other_calls(c: &EasytransacClient, o: &CallOptions, called: &mut BTreeSet<&'static str>) {
    let p = c.payments();
    let u = c.users();
    let d = c.documents();
    let history = p.history(&Default::default(), o).await.unwrap();
    called.insert("v1_payment_history");
    let wire::V1PaymentHistoryResult::List(items) = history else {
        panic!("{history:?}")
    };
    assert!(
        items
            .iter()
            .any(|i| i.order_id.as_deref() == Some("o-direct"))
    );
    let requests = p.requests(&Default::default(), o).await.unwrap();
    called.insert("v1_payment_requests");
    assert!(matches!(requests, wire::V1PaymentRequestsResult::List(ref l) if !l.is_empty()));
    let info = p
        .card_infos(
            &wire::V1CardInfoRequest {
                card_number: Some(cards::SUCCESS.to_owned()),
                ..Default::default()
            },
            o,
        )
        .await
        .unwrap();
    called.insert("v1_payment_card_infos");
    assert_eq!(info.card_bin.as_deref(), Some("411111"));
    let ibans = p
        .iban_list(
            &wire::V1IbanListRequest {
                uid: Some("customer-2".to_owned()),
                ..Default::default()
            },
            o,
        )
        .await
        .unwrap();
    called.insert("v1_payment_iban_list");
    assert!(ibans.get().contains("FR14"), "{}", ibans.get());

    let added = u
        .add(
            &wire::V1UserAddRequest {
                email: Some("shop@example.org".to_owned()),
                company: Some("Shop".to_owned()),
                ..Default::default()
            },
            o,
        )
        .await
        .unwrap();
    called.insert("v1_user_add");
    let id = added.id.clone().unwrap();
    u.update(
        &wire::V1UserUpdateRequest {
            id: Some(id.clone()),
            company: Some("Shop & Co".to_owned()),
            ..Default::default()
        },
        o,
    )
    .await
    .unwrap();
    called.insert("v1_user_update");
    let found = u
        .find(
            &wire::V1UserFindRequest {
                email: Some("shop@example.org".to_owned()),
                ..Default::default()
            },
            o,
        )
        .await
        .unwrap();
    called.insert("v1_user_find");
    assert_eq!(found.company.as_deref(), Some("Shop & Co"));
    u.operations(
        &wire::V1OperationsListRequest {
            id: Some(id.clone()),
            ..Default::default()
        },
        o,
    )
    .await
    .unwrap();
    called.insert("v1_user_operations");
    u.payout(&Default::default(), o).await.unwrap();
    called.insert("v1_user_payout");
    let payouts = u.payouts(&Default::default(), o).await.unwrap();
    called.insert("v1_user_payouts");
    assert!(matches!(payouts, wire::V1PayoutsResult::List(ref l) if l.len() == 1));
    u.logo_add(&Default::default(), o).await.unwrap();
    called.insert("v1_user_logo_add");
    u.activity_update(&Default::default(), o).await.unwrap();
    called.insert("v1_user_activity_update");
    u.activity_get(&Default::default(), o).await.unwrap();
    called.insert("v1_user_activity_get");

    let mut doc = wire::V1KycAddRequest::new(
        "IDENTITY_PROOF".into(),
        "aGVsbG8=".to_owned(),
        "pdf".to_owned(),
    );
    doc.id = Some(id.clone());
    let added = d.add(&doc, o).await.unwrap();
    called.insert("v1_kyc_add");
    let doc_id = added.id.clone().unwrap();
    let got = d
        .get(&wire::V1KycGetRequest::new(doc_id.clone()), o)
        .await
        .unwrap();
    called.insert("v1_kyc_get");
    assert_eq!(got.id.as_deref(), Some(doc_id.as_str()));
    let list = d
        .find(
            &wire::V1KycFindRequest {
                id: Some(id),
                ..Default::default()
            },
            o,
        )
        .await
        .unwrap();
    called.insert("v1_kyc_find");
    assert!(matches!(list, wire::V1DocumentListResult::List(ref l) if l.len() == 1));
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    within(async {
        let e = env().await;
        let mut bad = success_card(1000, "o-bad");
        bad.card_month = "13".to_owned();
        let err = e.client.payments().direct(&bad, &opts()).await.unwrap_err();
        let ErrorKind::InvalidRequest(v) = err.kind() else {
            panic!("{err:?}")
        };
        assert_eq!(v.field(), "CardMonth");
        assert!(matches!(v.rule(), Rule::Format { .. }), "{v:?}");

        let err = e
            .client
            .mandates()
            .status("NOT-A-MANDATE", &opts())
            .await
            .unwrap_err();
        let ErrorKind::InvalidRequest(v) = err.kind() else {
            panic!("{err:?}")
        };
        assert_eq!(v.field(), "mandateId");
        assert!(e.server.requests().is_empty(), "nothing may be sent");
    })
    .await;
}

#[tokio::test]
async fn declines_are_data_and_api_errors_are_typed() {
    within(async {
        let e = env().await;
        let declined = e
            .client
            .payments()
            .direct(
                &card(cards::DECLINED_INSUFFICIENT_FUNDS, 500, "o-d"),
                &opts(),
            )
            .await
            .unwrap();
        assert_eq!(declined.status, wire::TransactionStatus::Failed);
        assert_eq!(declined.error.as_deref(), Some("Insufficient funds"));

        // ApiError 101 (refused amount) and 1 (unknown Tid) as pay-core kinds.
        let mut over = wire::V1RefundRequest::new(declined.tid.clone());
        over.amount = Some(MinorUnits(1));
        let err = e
            .client
            .payments()
            .refund(&over, &opts())
            .await
            .unwrap_err();
        assert_eq!(err.provider_code(), Some("1"));
        assert!(matches!(err.kind(), ErrorKind::Rejected), "{err:?}");
        let err = e
            .client
            .payments()
            .status(
                &wire::V1StatusRequest {
                    tid: Some("ET999999".to_owned()),
                    ..Default::default()
                },
                &opts(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::NotFound), "{err:?}");
        assert_eq!(
            wire::V1ApiErrorCode::from(err.provider_code().unwrap().parse::<i64>().unwrap()),
            wire::V1ApiErrorCode::InvalidRequest
        );
    })
    .await;
}

#[tokio::test]
async fn a_wrong_api_key_is_an_authentication_error() {
    within(async {
        let e = env().await;
        let wrong = EasytransacClient::builder(secrecy::SecretString::from("et_test_someone-else"))
            .base_url(e.server.base_url())
            .build()
            .unwrap();
        let err = wrong
            .payments()
            .direct(&success_card(100, "o-k"), &opts())
            .await
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Authentication), "{err:?}");
        assert_eq!(err.provider_code(), Some("3"));
        let err = wrong.auth().token(&opts()).await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Authentication), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn tampered_or_unsigned_responses_are_rejected() {
    within(async {
        let (e, tid) = env_with_payment("o-t").await;
        let route = Route::new("POST", "/api/payment/status");
        let forged = format!(
            r#"{{"Code":0,"Signature":"0123456789abcdef0123456789abcdef01234567","Result":{{"Tid":"{}","Status":"refunded"}}}}"#,
            tid
        );
        let unsigned = format!(r#"{{"Code":0,"Result":{{"Tid":"{}","Status":"captured"}}}}"#, tid);
        for body in [forged, unsigned] {
            e.answer_once(route.clone(), body);
            let err = e
                .client
                .payments()
                .status(
                    &wire::V1StatusRequest {
                        tid: Some(tid.clone()),
                        ..Default::default()
                    },
                    &opts(),
                )
                .await
                .unwrap_err();
            assert!(matches!(err.kind(), ErrorKind::Authentication), "{err:?}");
            assert!(!err.is_retryable());
        }
    })
    .await;
}

fn status_of(tid: &str) -> wire::V2TransactionStatusQuery {
    wire::V2TransactionStatusQuery {
        tid: Some(tid.to_owned()),
        order_id: None,
    }
}

/// The fake and a client, with one captured card payment (`order`): its `Tid`.
async fn env_with_payment(order: &str) -> (Env, String) {
    let e = env().await;
    let tid = e
        .client
        .payments()
        .direct(&success_card(1000, order), &opts())
        .await
        .unwrap()
        .tid;
    (e, tid)
}

/// `n` concurrent V2 status reads of `tid` on clones of `client`.
fn concurrent_statuses(
    client: &EasytransacClient,
    tid: &str,
    n: usize,
) -> tokio::task::JoinSet<Result<wire::V2TransactionStatus, pay_core::PayError>> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = client.clone();
        let query = status_of(tid);
        set.spawn(async move {
            client
                .transactions()
                .status(&query, &CallOptions::new())
                .await
                .map(|a| a.data.status)
        });
    }
    set
}

/// Awaits every read of `set` and checks that each found `tid` captured.
async fn all_captured(
    mut set: tokio::task::JoinSet<Result<wire::V2TransactionStatus, pay_core::PayError>>,
) -> usize {
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap(), wire::V2TransactionStatus::Captured);
        ok += 1;
    }
    ok
}

/// The next `n` V2 status reads are answered 401, whatever their token.
fn refuse_statuses(e: &Env, n: usize) {
    e.server
        .faults()
        .on(Route::new("GET", "/v2/transaction/status"))
        .then_times(n, Fault::status(401))
        .then_normal();
}

#[tokio::test]
async fn token_lifetimes_past_what_a_system_time_holds_are_not_a_panic() {
    // Found by the decoder fuzzing (pay-proofs `tests/decoders`): `expiresIn` of
    // i64::MAX (without a readable JWT `exp`) overflowed `now + Duration`, and so did
    // a JWT `exp` of u64::MAX. Both now read as no expiry: the 300 s fallback applies.
    within(async {
        let e = env().await;
        for token in [
            "not-a-jwt",
            "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4NDQ2NzQ0MDczNzA5NTUxNjE1fQ.c2ln",
        ] {
            // Past any token cached by the previous round.
            e.clock.advance(Duration::from_secs(1_000));
            let body = format!(
                r#"{{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{{"token":"{token}","expiresIn":9223372036854775807}}}}"#
            );
            e.answer_once(Route::new("POST", "/v2/auth"), body);
            let before = e.client.token_requests();
            let got = e.client.auth().token(&opts()).await.unwrap();
            assert_eq!(secrecy::ExposeSecret::expose_secret(&got), token);
            // Cached for the fallback lifetime, not forever.
            e.clock.advance(Duration::from_secs(301));
            e.client.auth().token(&opts()).await.unwrap();
            assert_eq!(e.client.token_requests(), before + 2);
        }
    })
    .await;
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_refused_not_cached() {
    // Found by the decoder fuzzing: a token with a space or a control character was
    // cached, and every V2 call then failed until its refresh time.
    within(async {
        let e = env().await;
        for token in ["has space", "line\\nbreak", ""] {
            let body = format!(
                r#"{{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{{"token":"{token}","expiresIn":3600}}}}"#
            );
            e.answer_once(Route::new("POST", "/v2/auth"), body);
            let err = e.client.auth().token(&opts()).await.unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::Decode { location } if location == "data.token"),
                "{err:?}"
            );
            // The next call fetches a good token: nothing bad was cached.
            e.client.auth().token(&opts()).await.unwrap();
            e.clock.advance(Duration::from_secs(4_000));
        }
    })
    .await;
}

#[tokio::test]
async fn token_single_flight_under_a_thousand_concurrent_calls() {
    within(async {
        let (e, tid) = env_with_payment("o-sf").await;
        assert_eq!(
            all_captured(concurrent_statuses(&e.client, &tid, 1000)).await,
            1000
        );
        assert_eq!(e.server.provider().tokens_issued(), 1);
        assert_eq!(e.received("v2_auth_token"), 1);
        assert_eq!(e.client.token_requests(), 1);

        // Past the token's lifetime (300 s on the shared clock): exactly one more.
        e.clock.advance(Duration::from_secs(301));
        all_captured(concurrent_statuses(&e.client, &tid, 1000)).await;
        assert_eq!(e.server.provider().tokens_issued(), 2);
        assert_eq!(e.received("v2_auth_token"), 2);
        assert_eq!(e.received("v2_transaction_status"), 2000);
    })
    .await;
}

#[tokio::test]
async fn a_401_is_retried_once_with_a_fresh_token() {
    within(async {
        let e = env().await;
        e.client.auth().token(&opts()).await.unwrap();
        refuse_statuses(&e, 1);
        let status = || async {
            e.client
                .transactions()
                .status(&status_of("ET000001"), &opts())
                .await
        };
        let err = status().await.unwrap_err();
        // One 401, a fresh token, then the real answer (no such transaction).
        assert!(matches!(err.kind(), ErrorKind::NotFound), "{err:?}");
        assert_eq!(e.received("v2_auth_token"), 2);
        assert_eq!(e.received("v2_transaction_status"), 2);
        assert_eq!(err.provider_message(), Some("Record not found"));

        // Two 401s in a row: one retry only.
        refuse_statuses(&e, 2);
        let err = status().await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Authentication), "{err:?}");
        assert_eq!(e.received("v2_transaction_status"), 4);
        // One more token for the one retry, never more.
        assert_eq!(e.received("v2_auth_token"), 3);
    })
    .await;
}

#[tokio::test]
async fn a_401_on_a_token_fetched_during_the_call_refetches_once() {
    within(async {
        let (e, tid) = env_with_payment("o-401").await;
        // No token yet: the call's own attempt fetches it, and that token gets the 401.
        assert_eq!(e.client.token_requests(), 0);
        refuse_statuses(&e, 1);
        let status = || async {
            e.client
                .transactions()
                .status(&status_of(&tid), &opts())
                .await
        };
        let answer = status().await.unwrap();
        assert_eq!(answer.data.status, wire::V2TransactionStatus::Captured);
        assert_eq!(e.received("v2_auth_token"), 2);
        assert_eq!(e.client.token_requests(), 2);
        assert_eq!(e.received("v2_transaction_status"), 2);
        // The fresh token stays cached.
        status().await.unwrap();
        assert_eq!(e.received("v2_auth_token"), 2);

        // A persistent 401 on a token fetched during the call: one retry with one fresh
        // token, then the authentication error.
        let e = env().await;
        e.server
            .faults()
            .on(Route::new("GET", "/v2/transaction/status"))
            .then(Fault::status(401))
            .then_repeat_last();
        let err = e
            .client
            .transactions()
            .status(&status_of("ET000001"), &opts())
            .await
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Authentication), "{err:?}");
        assert!(!err.is_retryable());
        assert_eq!(e.received("v2_transaction_status"), 2);
        assert_eq!(e.received("v2_auth_token"), 2);
    })
    .await;
}

#[tokio::test]
async fn concurrent_401s_share_one_fresh_token() {
    within(async {
        let (e, tid) = env_with_payment("o-401-many").await;
        // A client whose clock lags the provider's: its cached token still looks fresh
        // to it when the provider already refuses it as expired.
        let lagging = start_clock();
        let client = client_for(e.server.base_url(), &lagging);
        client.auth().token(&opts()).await.unwrap();
        assert_eq!(client.token_requests(), 1);
        e.clock.advance(Duration::from_secs(301));
        assert_eq!(
            all_captured(concurrent_statuses(&client, &tid, 1000)).await,
            1000
        );
        // Every refused attempt carried the first token; the first 401 dropped it and
        // the others found it already replaced: one fresh token served them all.
        assert_eq!(client.token_requests(), 2);
        assert_eq!(e.received("v2_auth_token"), 2);
        assert_eq!(e.server.provider().tokens_issued(), 2);
        let calls = e.received("v2_transaction_status");
        assert!((1001..=2000).contains(&calls), "{calls}");
    })
    .await;
}

#[tokio::test]
async fn transient_api_errors_are_retried_for_reads_only() {
    within(async {
        let (e, tid) = env_with_payment("o-r").await;
        let status_route = Route::new("POST", "/api/payment/status");
        e.server
            .faults()
            .on(status_route)
            .then(Fault::status_with_body(
                200,
                "application/json",
                r#"{"Code":9,"Error":"Service temporarily unavailable"}"#,
            ))
            .then(Fault::status(503))
            .then_normal();
        let status = e
            .client
            .payments()
            .status(
                &wire::V1StatusRequest {
                    tid: Some(tid.clone()),
                    ..Default::default()
                },
                &opts(),
            )
            .await
            .unwrap();
        assert_eq!(status.tid, tid);
        assert_eq!(e.received("v1_payment_status"), 3);

        // The same code on a write: not repeated, ambiguous, with its OrderId.
        e.answer_once(
            Route::new("POST", "/api/payment/direct"),
            r#"{"Code":10,"Error":"Service unreachable"}"#,
        );
        let err = e
            .client
            .payments()
            .direct(&success_card(1000, "o-r-2"), &opts())
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::AmbiguousOutcome {
                reference: Some(MerchantReference::new("o-r-2").unwrap())
            }
        );
        assert_eq!(e.received("v1_payment_direct"), 2);
        let settled = e
            .client
            .reconcile(&MerchantReference::new("o-r-2").unwrap(), &opts())
            .await
            .unwrap();
        assert!(matches!(settled, Reconciled::NotFound), "{settled:?}");
    })
    .await;
}

#[tokio::test]
async fn an_unverifiable_answer_to_a_write_is_ambiguous_never_a_refusal() {
    within(async {
        let e = env().await;
        let route = Route::new("POST", "/api/payment/direct");
        let forged = r#"{"Code":0,"Signature":"0123456789abcdef0123456789abcdef01234567","Result":{"Tid":"ET1","Status":"captured"}}"#;
        let unsigned = r#"{"Code":0,"Result":{"Tid":"ET1","Status":"captured"}}"#;
        for (body, order) in [(forged, "o-forged"), (unsigned, "o-unsigned")] {
            e.answer_once(route.clone(), body);
            let err = e
                .client
                .payments()
                .direct(&success_card(1000, order), &opts())
                .await
                .unwrap_err();
            // The payment may have been taken: reconcile by OrderId, never send it again.
            assert_eq!(
                err.kind(),
                &ErrorKind::AmbiguousOutcome {
                    reference: Some(MerchantReference::new(order).unwrap())
                },
                "{err:?}"
            );
            assert!(!err.is_retryable());
            assert!(
                err.provider_message()
                    .is_some_and(|m| m.contains("Signature") && m.contains("may have been applied")),
                "{err:?}"
            );
            assert_eq!(err.http_status(), Some(200));
            let settled = e
                .client
                .reconcile(&MerchantReference::new(order).unwrap(), &opts())
                .await
                .unwrap();
            assert!(matches!(settled, Reconciled::NotFound), "{settled:?}");
        }
        // The raw escape hatch draws the same line: a write is ambiguous, a read refused.
        for (safety, ambiguous) in [(RawSafety::Write, true), (RawSafety::Read, false)] {
            e.answer_once(route.clone(), forged);
            let err = e
                .client
                .raw()
                .v1("/api/payment/direct", &[("Amount", "100")], safety, Some("o-raw-forged"), &opts())
                .await
                .unwrap_err();
            assert_eq!(err.is_ambiguous(), ambiguous, "{err:?}");
            if !ambiguous {
                assert!(matches!(err.kind(), ErrorKind::Authentication), "{err:?}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn raw_requests_are_signed_verified_and_authorised() {
    within(async {
        let e = env().await;
        let paid = e
            .client
            .payments()
            .direct(&success_card(1000, "o-raw"), &opts())
            .await
            .unwrap();
        let text = e
            .client
            .raw()
            .v1(
                "/api/payment/status",
                &[("Tid", &paid.tid)],
                RawSafety::Read,
                None,
                &opts(),
            )
            .await
            .unwrap();
        assert!(text.contains(&paid.tid));
        let text = e
            .client
            .raw()
            .v2(
                "/v2/transaction/status",
                &[("orderId", "o-raw")],
                None,
                RawSafety::Read,
                &opts(),
            )
            .await
            .unwrap();
        assert!(text.contains(&paid.tid), "{text}");
    })
    .await;
}

#[tokio::test]
async fn placeholder_paths_can_be_overridden() {
    within(async {
        let e = env().await;
        let client = EasytransacClient::builder(secrecy::SecretString::from(KEY))
            .base_url(e.server.base_url())
            .override_path("v1_payment_iban_list", "/api/payment/card/list")
            .build()
            .unwrap();
        let op = wire::operation("v1_payment_iban_list").unwrap();
        assert_eq!(
            op.path_confidence,
            Some(pay_core::PathConfidence::Placeholder)
        );
        assert_eq!(client.path_of(op), "/api/payment/card/list");
        // Sent to the overridden path (the fake answers it as a card list request, which
        // needs a ClientId).
        let err = client
            .payments()
            .iban_list(&Default::default(), &opts())
            .await
            .unwrap_err();
        assert_eq!(e.received("v1_payment_card_list"), 1, "{err:?}");
        assert!(
            EasytransacClient::builder(secrecy::SecretString::from(KEY))
                .override_path("no_such_operation", "/x")
                .build()
                .is_err()
        );
    })
    .await;
}

#[test]
fn the_environment_is_the_sandbox_unless_production_is_named() {
    use pay_easytransac::{V1_PRODUCTION_URL, V1_SANDBOX_URL, V2_PRODUCTION_URL, V2_SANDBOX_URL};
    let key = || secrecy::SecretString::from(KEY);
    let default = EasytransacClient::builder(key()).build().unwrap();
    assert_eq!(default.environment(), Environment::Sandbox);
    assert_eq!(default.v1_base_url(), V1_SANDBOX_URL);
    assert_eq!(default.v2_base_url(), V2_SANDBOX_URL);

    let live = EasytransacClient::builder(key())
        .production()
        .build()
        .unwrap();
    assert_eq!(live.environment(), Environment::Production);
    assert_eq!(live.v1_base_url(), V1_PRODUCTION_URL);
    assert_eq!(live.v2_base_url(), V2_PRODUCTION_URL);

    let named = EasytransacClient::builder(key())
        .environment(Environment::Production)
        .sandbox()
        .build()
        .unwrap();
    assert_eq!(named.v1_base_url(), V1_SANDBOX_URL);

    // A custom host (a test server) is not production either.
    let custom = EasytransacClient::builder(key())
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(custom.environment(), Environment::Sandbox);
}

/// The merchant's reference is checked before anything else about the call is sent, so
/// a bad `order_id` is reported as such even when the API key cannot be sent either.
#[tokio::test]
async fn a_bad_order_id_is_refused_before_the_api_key_is_read() {
    let client = EasytransacClient::builder(secrecy::SecretString::from("key\n"))
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = client
        .raw()
        .v1(
            "/api/payment/status",
            &[("Tid", "ET1")],
            RawSafety::Write,
            Some("order\n1"),
            &opts(),
        )
        .await
        .unwrap_err();
    match err.kind() {
        ErrorKind::InvalidRequest(invalid) => {
            assert_eq!(invalid.field(), "merchant_reference", "{err:?}");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}
