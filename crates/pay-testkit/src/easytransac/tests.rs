//! Unit tests of the Easytransac fake, calling `handle` directly (no server).

use std::sync::Arc;
use std::time::Duration;

use pay_core::{ManualClock, from_unix_seconds};
use pay_signing::easytransac::{Params, sign, verify_notification, verify_response};
use serde_json::Value;

use super::v1::{PlanAsk, plan_request};
use super::*;
use crate::webhook::Webhooks;

const KEY: &str = "et_test_unit-key-3f9a";

struct Env {
    clock: ManualClock,
    webhooks: Webhooks,
}

impl Env {
    fn new() -> Self {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let webhooks = Webhooks::new(Arc::new(clock.clone()));
        Self { clock, webhooks }
    }

    fn ctx(&self) -> Context<'_> {
        Context::new(&self.clock, &self.webhooks, "http://127.0.0.1:1")
    }
}

fn fake() -> EasytransacFake {
    EasytransacFake::new(
        EasytransacConfig::new(SecretString::from(KEY)).notification_url("http://127.0.0.1:9/n"),
    )
}

fn signed(path: &str, fields: &[(&str, &str)]) -> FakeRequest {
    let params = Params::from_form(fields).unwrap();
    let signature = sign(&params, &SecretString::from(KEY)).unwrap();
    let mut pairs: Vec<(&str, &str)> = fields.to_vec();
    let signature = signature.into_string();
    pairs.push(("Signature", &signature));
    FakeRequest::new("POST", path)
        .with_header("EASYTRANSAC-API-KEY", KEY)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(crate::form::encode(pairs))
}

fn body(response: &FakeResponse) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn card(number: &str) -> Vec<(&str, &str)> {
    vec![
        ("Amount", "2999"),
        ("CardNumber", number),
        ("CardMonth", "12"),
        ("CardYear", "2030"),
        ("CardCVV", "123"),
        ("ClientIp", "10.0.0.1"),
        ("OrderId", "order-1"),
        ("Email", "ana@example.org"),
    ]
}

#[test]
fn testkit_cards_pass_the_luhn_check() {
    for card in [
        cards::SUCCESS,
        cards::THREE_DS_CHALLENGE,
        cards::DECLINED_INSUFFICIENT_FUNDS,
        cards::DECLINED_EXPIRED_CARD,
    ] {
        assert!(pay_core::luhn_valid(card), "{card}");
    }
}

#[test]
fn a_direct_payment_is_captured_with_a_signed_answer_in_decimal_text() {
    let env = Env::new();
    let fake = fake();
    let answer = fake.handle(
        &signed("/api/payment/direct", &card(cards::SUCCESS)),
        &env.ctx(),
    );
    assert_eq!(answer.status(), 200);
    let text = std::str::from_utf8(answer.body()).unwrap();
    verify_response(text, &SecretString::from(KEY)).unwrap();
    let json = body(&answer);
    assert_eq!(json["Code"], 0);
    assert_eq!(json["Result"]["Status"], "captured");
    assert_eq!(json["Result"]["Amount"], "29.99");
    assert_eq!(json["Result"]["CardNumber"], "************1111");
    assert_eq!(json["Result"]["Date"], "2023-11-14 23:13:20");
    let tid = json["Result"]["Tid"].as_str().unwrap();
    assert_eq!(fake.payment(tid).unwrap().amount_cents, 2999);
    assert_eq!(
        fake.operation(&signed("/api/payment/direct", &[])),
        Some("v1_payment_direct")
    );

    let pending = env.webhooks.pending();
    assert_eq!(pending.len(), 1);
    let form = crate::form::decode(std::str::from_utf8(pending[0].notification().body()).unwrap());
    let params = Params::from_form(&form).unwrap();
    verify_notification(&params, &SecretString::from(KEY)).unwrap();
    assert!(form.contains(&("Status".to_owned(), "captured".to_owned())));
    assert!(form.contains(&("Client[Email]".to_owned(), "ana@example.org".to_owned())));
}

#[test]
fn authentication_failures_use_the_documented_codes() {
    let env = Env::new();
    let fake = fake();
    let good = signed("/api/payment/status", &[("Tid", "ET000001")]);
    let code = |request: &FakeRequest| body(&fake.handle(request, &env.ctx()))["Code"].clone();

    let mut missing_key =
        FakeRequest::new("POST", "/api/payment/status").with_body(good.body().to_vec());
    assert_eq!(code(&missing_key), 4);
    missing_key = missing_key.with_header("EASYTRANSAC-API-KEY", "et_test_other");
    assert_eq!(code(&missing_key), 3);

    let unsigned = FakeRequest::new("POST", "/api/payment/status")
        .with_header("EASYTRANSAC-API-KEY", KEY)
        .with_body("Tid=ET000001");
    assert_eq!(code(&unsigned), 5);
    let tampered = FakeRequest::new("POST", "/api/payment/status")
        .with_header("EASYTRANSAC-API-KEY", KEY)
        .with_body(
            String::from_utf8(good.body().to_vec())
                .unwrap()
                .replace("ET000001", "ET000002"),
        );
    let answer = body(&fake.handle(&tampered, &env.ctx()));
    assert_eq!(answer["Code"], 12);
    assert_eq!(answer["Error"], "Wrong signature");
}

#[test]
fn validation_failures_name_the_field_and_pick_the_code() {
    let env = Env::new();
    let fake = fake();
    let mut fields = card(cards::SUCCESS);
    fields.retain(|(k, _)| *k != "Amount");
    let answer = body(&fake.handle(&signed("/api/payment/direct", &fields), &env.ctx()));
    assert_eq!(answer["Code"], 5);
    assert_eq!(answer["Error"], "Missing parameter: Amount");

    let mut fields = card(cards::SUCCESS);
    fields[2] = ("CardMonth", "13");
    let answer = body(&fake.handle(&signed("/api/payment/direct", &fields), &env.ctx()));
    assert_eq!(answer["Code"], 101);
    assert!(answer["Error"].as_str().unwrap().contains("CardMonth"));

    let answer = body(&fake.handle(
        &signed("/api/payment/status", &[("Language", "FRE")]),
        &env.ctx(),
    ));
    assert_eq!(answer["Code"], 5);

    let answer = body(&fake.handle(
        &signed("/api/payment/direct", &card("4111111111111112")),
        &env.ctx(),
    ));
    assert_eq!(answer["Code"], 101);
    assert!(!answer.to_string().contains("4111111111111112"));
}

#[test]
fn operations_the_fake_does_not_model_are_refused() {
    let env = Env::new();
    let fake = fake();
    // Sub-accounts are modelled: an unknown one is not found (ApiError 1).
    let answer = body(&fake.handle(&signed("/api/user/find", &[("Email", "a@b.c")]), &env.ctx()));
    assert_eq!(answer["Code"], 1);
    assert!(answer["Error"].as_str().unwrap().contains("not found"));
    let unknown = fake.handle(&signed("/api/nothing", &[]), &env.ctx());
    assert_eq!(body(&unknown)["Code"], 1);
    let injected = fake.error_response(503);
    assert_eq!(injected.status(), 503);
    assert_eq!(body(&injected)["Code"], 9);
}

#[test]
fn instalments_add_up_to_the_cent() {
    let ask = |amount, repeat, down| PlanAsk {
        amount,
        multiple: true,
        repeat: Some(repeat),
        default_repeat: 3,
        down_payment: down,
        rebill: false,
        recurrence: None,
    };
    let plan = plan_request(&ask(10_000, 3, None)).unwrap().unwrap();
    assert_eq!(plan.plan, state::Plan::Instalments(vec![3334, 3333, 3333]));
    let plan = plan_request(&ask(10_001, 4, Some(3000))).unwrap().unwrap();
    assert_eq!(
        plan.plan,
        state::Plan::Instalments(vec![3000, 2334, 2334, 2333])
    );
    assert_eq!(plan.recurrence, "monthly");
    assert_eq!(
        plan_request(&ask(10_000, 4, Some(7001)))
            .map(|_| ())
            .unwrap_err()
            .code,
        101
    );
    assert_eq!(
        plan_request(&ask(10_000, 4, Some(99)))
            .map(|_| ())
            .unwrap_err()
            .code,
        101
    );
    assert_eq!(
        plan_request(&ask(2, 3, None)).map(|_| ()).unwrap_err().code,
        101
    );
    let both = PlanAsk {
        rebill: true,
        ..ask(10_000, 3, None)
    };
    assert_eq!(plan_request(&both).map(|_| ()).unwrap_err().code, 101);
}

#[test]
fn secrets_stay_out_of_debug_and_snapshots() {
    let env = Env::new();
    let fake = EasytransacFake::new(
        EasytransacConfig::new(SecretString::from(KEY))
            .jwt_secret(SecretString::from("jwt-secret-xyz")),
    );
    fake.handle(
        &signed("/api/payment/direct", &card(cards::SUCCESS)),
        &env.ctx(),
    );
    let shown = format!("{fake:?} {:?}", fake.config());
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains("jwt-secret-xyz"), "{shown}");
    let snapshot = format!("{:?}", fake.snapshot());
    assert!(!snapshot.contains(cards::SUCCESS), "{snapshot}");
    assert!(snapshot.contains("************1111"), "{snapshot}");
    assert!(!snapshot.contains(KEY));
    assert!(fake.sensitive_names().contains(&"CardNumber"));
}

#[test]
fn three_ds_challenges_expire_after_twenty_minutes() {
    let env = Env::new();
    let fake = fake();
    let answer = body(&fake.handle(
        &signed("/api/payment/direct", &card(cards::THREE_DS_CHALLENGE)),
        &env.ctx(),
    ));
    let result = &answer["Result"];
    assert_eq!(result["Status"], "pending");
    assert_eq!(result["3DSecure"], "yes");
    let tid = result["Tid"].as_str().unwrap().to_owned();
    assert_eq!(
        result["3DSecureUrl"],
        format!("http://127.0.0.1:1/api/payment/3dsecure/{tid}")
    );
    env.clock.advance(Duration::from_secs(19 * 60 + 59));
    assert!(fake.run_due_schedules(&env.ctx()).is_empty());
    assert_eq!(fake.payment(&tid).unwrap().status, "pending");
    env.clock.advance(Duration::from_secs(1));
    fake.run_due_schedules(&env.ctx());
    let payment = fake.payment(&tid).unwrap();
    assert_eq!(payment.status, "failed");
    assert_eq!(
        payment.error.as_deref(),
        Some("3DSecure authentication expired")
    );
    assert_eq!(env.webhooks.pending().len(), 2);
    assert!(matches!(
        fake.complete_3ds(&env.ctx(), &tid),
        Err(ScenarioError::WrongState { .. })
    ));
    assert_eq!(
        fake.fail_3ds(&env.ctx(), "ET999999"),
        Err(ScenarioError::UnknownTransaction("ET999999".to_owned()))
    );
}

#[test]
fn injected_fault_bodies_follow_the_api_generation() {
    let env = Env::new();
    let fake = fake();
    let v2_route = FakeRequest::new("GET", "/v2/transaction/status?tid=ET000001");
    let before = body(&fake.error_response_for(&v2_route, 503));
    assert_eq!(before["success"], false);
    assert!(before["date"].is_string());
    // Once a request was seen, the date is the fake's clock.
    fake.handle(
        &signed("/api/payment/status", &[("Tid", "ET000001")]),
        &env.ctx(),
    );
    let answer = fake.error_response_for(&v2_route, 503);
    assert_eq!(answer.status(), 503);
    let json = body(&answer);
    assert_eq!(json["date"], "2023-11-14T23:13:20+01:00");
    assert_eq!(json["detail"], "Service temporarily unavailable");
    let v1 = fake.error_response_for(&signed("/api/payment/status", &[]), 500);
    assert_eq!(v1.status(), 500);
    assert_eq!(body(&v1)["Code"], 10);
}

#[test]
fn applied_writes_transfers_and_subscription_updates_are_counted() {
    let env = Env::new();
    let fake = fake();
    let transfer = [
        ("To", "friend@example.org"),
        ("Amount", "700"),
        ("Description", "t-1"),
    ];
    let answer = fake.handle(&signed("/api/payment/transfer", &transfer), &env.ctx());
    assert_eq!(body(&answer)["Code"], 0);
    // Refused (no `To`): not applied, no transfer.
    let refused = fake.handle(
        &signed("/api/payment/transfer", &[("Amount", "700")]),
        &env.ctx(),
    );
    assert_ne!(body(&refused)["Code"], 0);
    assert_eq!(fake.applied("v1_payment_transfer"), 1);
    let transfers = fake.transfers();
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0].1.as_deref(), Some("t-1"));

    let mut sub = card(cards::SUCCESS);
    sub.extend([("Rebill", "yes"), ("Recurrence", "monthly")]);
    let paid = body(&fake.handle(&signed("/api/payment/direct", &sub), &env.ctx()));
    let tid = paid["Result"]["Tid"].as_str().unwrap().to_owned();
    assert_eq!(fake.schedule_updates(&tid), Some(0));
    let update = [("Tid", tid.as_str()), ("Amount", "1290")];
    let answer = fake.handle(&signed("/api/payment/rebill/update", &update), &env.ctx());
    assert_eq!(body(&answer)["Code"], 0);
    assert_eq!(fake.schedule_updates(&tid), Some(1));
    assert_eq!(fake.applied("v1_payment_rebill_update"), 1);
    assert_eq!(fake.applied("v1_payment_direct"), 1);
    assert_eq!(fake.applied("v1_payment_refund"), 0);
}
