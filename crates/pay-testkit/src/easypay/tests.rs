//! Unit tests of `EasypayFake::handle` without a server: auth, validation, idempotency,
//! purge, pagination, magic values, secrets.

use std::sync::Arc;
use std::time::Duration;

use pay_core::{Clock, ManualClock, from_unix_seconds};

use super::*;
use crate::webhook::Webhooks;

const ACCOUNT: &str = "acc-0001";
const KEY: &str = "key-secret-0001";
const START: i64 = 1_700_000_000;

struct Rig {
    clock: ManualClock,
    webhooks: Webhooks,
    fake: EasypayFake,
}

impl Rig {
    fn new() -> Self {
        let clock = ManualClock::new(from_unix_seconds(START));
        let webhooks = Webhooks::new(Arc::new(clock.clone()));
        let fake = EasypayFake::new(
            EasypayConfig::new(ACCOUNT, KEY).with_generic_url("http://127.0.0.1:9/generic"),
        );
        Self {
            clock,
            webhooks,
            fake,
        }
    }

    fn send(&self, request: FakeRequest) -> FakeResponse {
        let ctx = Context::new(&self.clock, &self.webhooks, "http://127.0.0.1:1");
        self.fake.handle(&request, &ctx)
    }

    fn call(&self, method: &str, path: &str, body: &str, extra: &[(&str, &str)]) -> FakeResponse {
        let mut request = FakeRequest::new(method, &format!("/2.0{path}"))
            .with_header("AccountId", ACCOUNT)
            .with_header("ApiKey", KEY);
        if !body.is_empty() {
            request = request
                .with_header("Content-Type", "application/json")
                .with_body(body);
        }
        for (name, value) in extra {
            request = request.with_header(name, value);
        }
        self.send(request)
    }
}

fn json_of(answer: &FakeResponse) -> serde_json::Value {
    serde_json::from_slice(answer.body()).expect("a JSON answer")
}

const MB_SALE: &str =
    r#"{"value":12.5,"method":"mb","key":"order-1","capture":{"descriptive":"Order 1"}}"#;

#[test]
fn every_call_needs_both_credentials() {
    let rig = Rig::new();
    let missing = rig.send(FakeRequest::new("GET", "/2.0/single"));
    assert_eq!(missing.status(), 403);
    assert_eq!(
        json_of(&missing),
        serde_json::json!({"status":"error","message":"Authentication Error: Missing AccountId or ApiKey headers"})
    );
    assert_eq!(missing.header("x-easypay-should-retry"), Some("false"));
    let wrong = rig.send(
        FakeRequest::new("GET", "/2.0/single")
            .with_header("AccountId", ACCOUNT)
            .with_header("ApiKey", "nope"),
    );
    assert_eq!(
        json_of(&wrong)["message"],
        "Authentication Error: Invalid AccountId or ApiKey"
    );
    // Health needs none.
    assert_eq!(
        rig.send(FakeRequest::new("GET", "/2.0/health")).status(),
        200
    );
    // Outside /2.0 nothing is served.
    assert_eq!(rig.call("GET", "/../single", "", &[]).status(), 404);
    assert_eq!(rig.send(FakeRequest::new("GET", "/single")).status(), 404);
}

#[test]
fn bodies_are_checked_like_the_real_api() {
    let rig = Rig::new();
    let not_json = rig.send(
        FakeRequest::new("POST", "/2.0/single")
            .with_header("AccountId", ACCOUNT)
            .with_header("ApiKey", KEY)
            .with_header("Content-Type", "text/plain")
            .with_body(MB_SALE),
    );
    assert_eq!(not_json.status(), 415);
    assert_eq!(json_of(&not_json)["message"][0], "Invalid Content Type");
    let broken = rig.call("POST", "/single", "{\"value\":", &[]);
    assert_eq!(broken.status(), 400);
    assert_eq!(json_of(&broken)["message"][0], "Invalid JSON");
    let missing = rig.call("POST", "/single", r#"{"method":"mb"}"#, &[]);
    assert_eq!(missing.status(), 400);
    assert!(
        json_of(&missing)["message"][0]
            .as_str()
            .unwrap()
            .contains("value")
    );
    let small = rig.call(
        "POST",
        "/single",
        r#"{"value":0.49,"method":"mb","capture":{"descriptive":"x"}}"#,
        &[],
    );
    assert_eq!(small.status(), 400);
    assert!(
        json_of(&small)["message"][0]
            .as_str()
            .unwrap()
            .contains("`value`")
    );
    let precise = rig.call(
        "POST",
        "/single",
        r#"{"value":1.005,"method":"mb","capture":{"descriptive":"x"}}"#,
        &[],
    );
    assert_eq!(precise.status(), 400);
    let no_phone = rig.call(
        "POST",
        "/single",
        r#"{"value":5,"method":"mbw","customer":{"name":"A"},"capture":{"descriptive":"x"}}"#,
        &[],
    );
    assert_eq!(no_phone.status(), 400);
    assert!(
        json_of(&no_phone)["message"][0]
            .as_str()
            .unwrap()
            .contains("phone")
    );
    let no_capture = rig.call("POST", "/single", r#"{"value":5,"method":"mb"}"#, &[]);
    assert_eq!(json_of(&no_capture)["message"][0], "`capture` is required");
    let unknown = rig.call("GET", "/single/nope", "", &[]);
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        json_of(&unknown),
        serde_json::json!({"status":"error","message":["no single found"]})
    );
    assert_eq!(rig.fake.snapshot().len(), 0);
}

#[test]
fn idempotency_replays_refuses_and_purges() {
    let rig = Rig::new();
    let first = rig.call("POST", "/single", MB_SALE, &[("Idempotency-Key", "k-1")]);
    assert_eq!(first.status(), 201);
    assert_eq!(first.header("idempotency-replay"), None);
    let replay = rig.call("POST", "/single", MB_SALE, &[("Idempotency-Key", "k-1")]);
    assert_eq!(replay.header("idempotency-replay"), Some("true"));
    assert_eq!(replay.body(), first.body());
    assert_eq!(rig.fake.snapshot().payments().count(), 1);
    // A replay is not an effect.
    assert_eq!(rig.fake.applied("single_create"), 1);

    let other = rig.call(
        "POST",
        "/single",
        &MB_SALE.replace("12.5", "13"),
        &[("Idempotency-Key", "k-1")],
    );
    assert_eq!(other.status(), 422);
    assert_eq!(other.header("x-easypay-should-retry"), Some("false"));
    assert_eq!(
        rig.fake.applied("single_create"),
        1,
        "a refusal is not an effect"
    );

    let long = "k".repeat(51);
    let too_long = rig.call("POST", "/single", MB_SALE, &[("Idempotency-Key", &long)]);
    assert_eq!(too_long.status(), 400);
    let fifty = "k".repeat(50);
    assert_eq!(
        rig.call("POST", "/single", MB_SALE, &[("Idempotency-Key", &fifty)])
            .status(),
        201
    );

    // A request failing auth is not stored.
    let unauthenticated = rig.send(
        FakeRequest::new("POST", "/2.0/single")
            .with_header("Idempotency-Key", "k-2")
            .with_header("Content-Type", "application/json")
            .with_body(MB_SALE),
    );
    assert_eq!(unauthenticated.status(), 403);
    assert_eq!(
        rig.call("POST", "/single", MB_SALE, &[("Idempotency-Key", "k-2")])
            .status(),
        201
    );
    assert_eq!(rig.fake.idempotency_keys(), 3);

    rig.clock.advance(Duration::from_secs(24 * 3_600));
    let fresh = rig.call("POST", "/single", MB_SALE, &[("Idempotency-Key", "k-1")]);
    assert_eq!(fresh.status(), 201);
    assert_eq!(fresh.header("idempotency-replay"), None);
    assert_ne!(json_of(&fresh)["id"], json_of(&first)["id"]);
    assert_eq!(rig.fake.idempotency_keys(), 1);
}

#[test]
fn pages_and_cursors_through_handle() {
    let rig = Rig::new();
    for n in 0..5 {
        let body = MB_SALE.replace("order-1", &format!("order-{n}"));
        assert_eq!(rig.call("POST", "/single", &body, &[]).status(), 201);
    }
    let page = json_of(&rig.call("GET", "/single?page=2&records_per_page=2", "", &[]));
    assert_eq!(
        page["meta"]["page"],
        serde_json::json!({"current":2,"total":3})
    );
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["key"], "order-2");
    let by_key = json_of(&rig.call("GET", "/single?key=order-4", "", &[]));
    assert_eq!(by_key["meta"]["records"]["total"], 1);
    let refused = rig.call("GET", "/single?created_at=x", "", &[]);
    assert_eq!(refused.status(), 400);
    let too_many = rig.call("GET", "/single?records_per_page=1000", "", &[]);
    assert_eq!(too_many.status(), 400);
}

#[test]
fn magic_phones_decide_mb_way() {
    let rig = Rig::new();
    let create = |phone: &str| {
        let body = format!(
            r#"{{"value":10,"method":"mbw","customer":{{"name":"A","phone":"{phone}"}},"capture":{{"descriptive":"x"}}}}"#
        );
        let answer = rig.call("POST", "/single", &body, &[]);
        assert_eq!(answer.status(), 201);
        json_of(&answer)["id"].as_str().unwrap().to_owned()
    };
    let status = |id: &str| {
        json_of(&rig.call("GET", &format!("/single/{id}"), "", &[]))["payment_status"].clone()
    };
    assert_eq!(status(&create(PHONE_AUTHORISED)), "paid");
    assert_eq!(status(&create(PHONE_FAILED)), "error");
    assert_eq!(status(&create(PHONE_DECLINED)), "failed");
    let pending = create(PHONE_PENDING);
    assert_eq!(status(&pending), "pending");
    let ctx = Context::new(&rig.clock, &rig.webhooks, "http://127.0.0.1:1");
    rig.fake
        .approve_mbway(&ctx, &pending)
        .expect("pending approves");
    assert_eq!(status(&pending), "paid");
    assert!(rig.fake.approve_mbway(&ctx, &pending).is_err());
}

#[test]
fn secrets_stay_out_of_debug_and_snapshots() {
    let rig = Rig::new();
    let shown = format!("{:?} {:?}", rig.fake, EasypayConfig::new(ACCOUNT, KEY));
    assert!(!shown.contains(KEY) && !shown.contains(ACCOUNT), "{shown}");
    let body = r#"{"value":10,"method":"dd","capture":{"descriptive":"x"},"sdd_mandate":{"iban":"PT50000201231234567890154","name":"A","email":"a@b.pt","phone":"911111111","account_holder":"A"}}"#;
    assert_eq!(rig.call("POST", "/single", body, &[]).status(), 201);
    let snapshot = format!("{:?}", rig.fake.snapshot());
    assert!(
        !snapshot.contains("PT50000201231234567890154"),
        "{snapshot}"
    );
    assert!(snapshot.contains("PT50 **** 0154"));
    for name in ["ApiKey", "AccountId", "Signature", "iban"] {
        assert!(rig.fake.sensitive_names().contains(&name));
    }
}

#[test]
fn injected_errors_use_easypays_shape() {
    let rig = Rig::new();
    let answer = rig.fake.error_response(503);
    assert_eq!(
        json_of(&answer),
        serde_json::json!({"status":"error","message":["Service Unavailable"]})
    );
    assert_eq!(answer.header("x-easypay-should-retry"), Some("true"));
    assert_eq!(
        rig.fake
            .error_response(400)
            .header("x-easypay-should-retry"),
        Some("false")
    );
}

#[test]
fn the_binary_can_serve_it_with_sandbox_credentials() {
    let fake = crate::registry::make("easypay").expect("registered");
    assert_eq!(fake.name(), "easypay");
    let entry = crate::registry::AVAILABLE
        .iter()
        .find(|e| e.name == "easypay")
        .expect("entry");
    assert!(entry.description.contains(SANDBOX_ACCOUNT_ID));
    assert!(entry.description.contains(SANDBOX_API_KEY));
    let clock = ManualClock::new(from_unix_seconds(START));
    let webhooks = Webhooks::new(Arc::new(clock.clone()));
    let ctx = Context::new(&clock, &webhooks, "http://127.0.0.1:1");
    let ok = fake.handle(
        &FakeRequest::new("GET", "/2.0/config")
            .with_header("AccountId", SANDBOX_ACCOUNT_ID)
            .with_header("ApiKey", SANDBOX_API_KEY),
        &ctx,
    );
    assert_eq!(ok.status(), 200);
    let _ = clock.now();
}
