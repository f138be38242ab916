//! The fake Easypay API 2.0 over real sockets: auth, every resource's lifecycle, magic
//! values, pagination, idempotency, signed out-payments, notifications and faults.

use std::collections::BTreeSet;
use std::time::{Duration, UNIX_EPOCH};

use pay_core::{ManualClock, from_unix_seconds};
use pay_signing::easypay::{RsaSigningKey, sign_out_payment};
use pay_testkit::easypay::{
    EasypayConfig, EasypayFake, FAILING_IBAN, PHONE_AUTHORISED, PHONE_DECLINED, PHONE_FAILED,
    PHONE_PENDING,
};
use pay_testkit::generated::OperationKind;
use pay_testkit::testing::Ledger;
use pay_testkit::{Context, FakeServer, Fault, ResourceKind, Route};
use secrecy::SecretString;

use crate::support::{Raw, call, raw, within};

const ACCOUNT: &str = "11111111-2222-4333-8444-555555555555";
const API_KEY: &str = "api-key-secret-6666";
/// 2023-11-14 22:13:20 UTC.
const START: i64 = 1_700_000_000;

fn keys_dir() -> String {
    format!("{}/../../fixtures/easypay/keys", env!("CARGO_MANIFEST_DIR"))
}

struct Ep {
    server: FakeServer<EasypayFake>,
    clock: ManualClock,
}

impl Ep {
    async fn start() -> Self {
        Self::with(EasypayConfig::new(ACCOUNT, API_KEY)).await
    }

    async fn with(config: EasypayConfig) -> Self {
        let clock = ManualClock::new(from_unix_seconds(START));
        let server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasypayFake::new(config))
            .await
            .expect("server starts");
        Self { server, clock }
    }

    fn ctx(&self) -> Context<'_> {
        Context::new(&self.clock, self.server.webhooks(), self.server.base_url())
    }

    /// An authenticated call under `/2.0`, JSON body when non-empty.
    async fn call(&self, method: &str, path: &str, body: &str, extra: &[(&str, &str)]) -> Raw {
        let mut headers = vec![("AccountId", ACCOUNT), ("ApiKey", API_KEY)];
        if !body.is_empty() {
            headers.push(("Content-Type", "application/json"));
        }
        headers.extend_from_slice(extra);
        call(
            self.server.addr(),
            method,
            &format!("/2.0{path}"),
            &headers,
            body.as_bytes(),
        )
        .await
    }

    /// A call expected to answer `status`, returning its JSON (null for no body).
    async fn expect(&self, status: u16, method: &str, path: &str, body: &str) -> serde_json::Value {
        let answer = self.call(method, path, body, &[]).await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.text());
        if answer.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&answer.body).expect("JSON answer")
        }
    }

    async fn create(&self, path: &str, body: &str) -> String {
        let answer = self.expect(201, "POST", path, body).await;
        answer["id"].as_str().expect("an id").to_owned()
    }

    async fn status_of(&self, id: &str) -> String {
        let single = self.expect(200, "GET", &format!("/single/{id}"), "").await;
        single["payment_status"]
            .as_str()
            .expect("status")
            .to_owned()
    }
}

fn mb_sale(key: &str) -> String {
    format!(
        r#"{{"value":12.5,"method":"mb","key":"{key}","capture":{{"descriptive":"Order {key}"}}}}"#
    )
}

fn mbw(kind: &str, phone: &str, value: &str) -> String {
    format!(
        r#"{{"type":"{kind}","value":{value},"method":"mbw","customer":{{"name":"Ana","phone":"{phone}"}},"capture":{{"descriptive":"Order"}}}}"#
    )
}

fn card_sale() -> String {
    r#"{"value":30,"method":"cc","capture":{"descriptive":"Cards"}}"#.to_owned()
}

fn dd_sale(iban: &str) -> String {
    format!(
        r#"{{"value":20,"method":"dd","capture":{{"descriptive":"Debit"}},"sdd_mandate":{{"iban":"{iban}","name":"Ana","email":"ana@example.org","phone":"911111111","account_holder":"Ana"}}}}"#
    )
}

#[tokio::test]
async fn calls_without_valid_credentials_get_403() {
    within(async {
        let ep = Ep::start().await;
        let none = call(ep.server.addr(), "GET", "/2.0/single", &[], b"").await;
        assert_eq!(none.status, 403);
        assert_eq!(
            none.text(),
            r#"{"status":"error","message":"Authentication Error: Missing AccountId or ApiKey headers"}"#
        );
        let wrong = call(
            ep.server.addr(),
            "POST",
            "/2.0/single",
            &[("AccountId", ACCOUNT), ("ApiKey", "wrong"), ("Content-Type", "application/json")],
            mb_sale("a").as_bytes(),
        )
        .await;
        assert_eq!(wrong.status, 403);
        assert!(wrong.text().contains("Invalid AccountId or ApiKey"));
        let health = call(ep.server.addr(), "GET", "/2.0/health", &[], b"").await;
        assert_eq!(health.status, 200);
        assert!(ep.server.snapshot().is_empty());
        // The request log never shows the credentials.
        for recorded in ep.server.requests() {
            assert_ne!(recorded.header("ApiKey"), Some(API_KEY));
        }
    })
    .await;
}

#[tokio::test]
async fn single_payments_create_get_list_patch_delete() {
    within(async {
        let ep = Ep::start().await;
        let id = ep.create("/single", &mb_sale("order-1")).await;
        let got = ep.expect(200, "GET", &format!("/single/{id}"), "").await;
        assert_eq!(got["method"]["type"], "MB");
        assert_eq!(got["method"]["entity"], "12345");
        assert_eq!(got["payment_status"], "pending");
        let text = ep.call("GET", &format!("/single/{id}"), "", &[]).await.text();
        assert!(text.contains(r#""value":12.5"#), "{text}");

        let patched = ep
            .expect(200, "PATCH", &format!("/single/{id}"), r#"{"key":"order-1b","value":13}"#)
            .await;
        assert_eq!(patched["key"], "order-1b");
        let refused = ep
            .expect(400, "PATCH", &format!("/single/{id}"), r#"{"method":"cc"}"#)
            .await;
        assert_eq!(refused["message"][0], "`method` cannot be changed after creation");

        let list = ep.expect(200, "GET", "/single?key=order-1b", "").await;
        assert_eq!(list["meta"]["records"]["total"], 1);
        assert_eq!(list["data"][0]["id"], id.as_str());

        // The customer pays the reference: paid, a capture for the full value.
        ep.server.provider().pay_multibanco(&ep.ctx(), &id).expect("pending reference");
        assert_eq!(ep.status_of(&id).await, "paid");
        let delete_paid = ep.expect(412, "DELETE", &format!("/single/{id}"), "").await;
        assert_eq!(delete_paid["status"], "error");

        let other = ep.create("/single", &mb_sale("order-2")).await;
        ep.expect(204, "DELETE", &format!("/single/{other}"), "").await;
        assert_eq!(ep.status_of(&other).await, "deleted");
        let list = ep.expect(200, "GET", "/single", "").await;
        assert_eq!(list["meta"]["records"]["total"], 1);
        ep.expect(404, "DELETE", &format!("/single/{other}"), "").await;
        let missing = ep.expect(404, "GET", "/single/unknown-id", "").await;
        assert_eq!(missing, serde_json::json!({"status":"error","message":["no single found"]}));

        // Expiry by scenario and by the clock.
        let third = ep.create("/single", &mb_sale("order-3")).await;
        ep.server.provider().expire_payment(&ep.ctx(), &third).expect("pending");
        assert_eq!(ep.status_of(&third).await, "failed");
        let timed = ep
            .create(
                "/single",
                r#"{"value":5,"method":"mb","expiration_time":"2023-11-15 00:00","capture":{"descriptive":"x"}}"#,
            )
            .await;
        assert_eq!(ep.status_of(&timed).await, "pending");
        ep.clock.advance(Duration::from_secs(2 * 3_600));
        assert_eq!(ep.status_of(&timed).await, "failed");
    })
    .await;
}

#[tokio::test]
async fn mb_way_magic_phones_drive_outcomes() {
    within(async {
        let ep = Ep::start().await;
        let authorised = ep
            .create("/single", &mbw("sale", PHONE_AUTHORISED, "10"))
            .await;
        assert_eq!(ep.status_of(&authorised).await, "paid");
        let failed = ep.create("/single", &mbw("sale", PHONE_FAILED, "10")).await;
        assert_eq!(ep.status_of(&failed).await, "error");
        let declined = ep
            .create("/single", &mbw("sale", PHONE_DECLINED, "10"))
            .await;
        assert_eq!(ep.status_of(&declined).await, "failed");
        let pending = ep
            .create("/single", &mbw("sale", PHONE_PENDING, "10"))
            .await;
        assert_eq!(ep.status_of(&pending).await, "pending");
        ep.server
            .provider()
            .decline_mbway(&ep.ctx(), &pending)
            .expect("waiting");
        assert_eq!(ep.status_of(&pending).await, "failed");
        let approved = ep
            .create("/single", &mbw("sale", PHONE_PENDING, "10"))
            .await;
        ep.server
            .provider()
            .approve_mbway(&ep.ctx(), &approved)
            .expect("waiting");
        assert_eq!(ep.status_of(&approved).await, "paid");
        assert!(
            ep.server
                .provider()
                .approve_mbway(&ep.ctx(), &approved)
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn card_prefixes_and_3ds_drive_outcomes() {
    within(async {
        let ep = Ep::start().await;
        let fake = ep.server.provider();
        let paid = ep.create("/single", &card_sale()).await;
        let created = ep.expect(200, "GET", &format!("/single/{paid}"), "").await;
        assert!(
            created["method"]["url"]
                .as_str()
                .unwrap()
                .starts_with(ep.server.base_url())
        );
        fake.enter_card(&ep.ctx(), &paid, "0000111122223333")
            .expect("pending");
        assert_eq!(ep.status_of(&paid).await, "paid");
        let single = ep.expect(200, "GET", &format!("/single/{paid}"), "").await;
        assert_eq!(single["method"]["last_four"], "3333");

        let secure = ep.create("/single", &card_sale()).await;
        fake.enter_card(&ep.ctx(), &secure, "2222333344445555")
            .expect("pending");
        assert_eq!(ep.status_of(&secure).await, "pending");
        let waiting = ep
            .expect(200, "GET", &format!("/single/{secure}"), "")
            .await;
        assert_eq!(waiting["method"]["status"], "waiting");
        assert!(
            waiting["method"]["url"]
                .as_str()
                .unwrap()
                .contains("/fake/3ds/")
        );
        fake.complete_3ds(&ep.ctx(), &secure, true)
            .expect("waiting for 3DS");
        assert_eq!(ep.status_of(&secure).await, "paid");

        let refused_3ds = ep.create("/single", &card_sale()).await;
        fake.enter_card(&ep.ctx(), &refused_3ds, "2222333344445555")
            .expect("pending");
        fake.complete_3ds(&ep.ctx(), &refused_3ds, false)
            .expect("waiting for 3DS");
        assert_eq!(ep.status_of(&refused_3ds).await, "failed");

        let failed = ep.create("/single", &card_sale()).await;
        fake.enter_card(&ep.ctx(), &failed, "1111222233334444")
            .expect("pending");
        assert_eq!(ep.status_of(&failed).await, "error");
        let declined = ep.create("/single", &card_sale()).await;
        fake.enter_card(&ep.ctx(), &declined, "1234567812345678")
            .expect("pending");
        assert_eq!(ep.status_of(&declined).await, "failed");
        assert!(
            fake.enter_card(&ep.ctx(), &declined, "0000111122223333")
                .is_err()
        );
        assert!(fake.enter_card(&ep.ctx(), &declined, "12ab").is_err());
        // No card number reaches the snapshot.
        let snapshot = format!("{:?}", ep.server.snapshot());
        assert!(!snapshot.contains("0000111122223333"), "{snapshot}");
    })
    .await;
}

#[tokio::test]
async fn the_failing_iban_fails_direct_debits() {
    within(async {
        let ep = Ep::start().await;
        let fake = ep.server.provider();
        let bad = ep.create("/single", &dd_sale(FAILING_IBAN)).await;
        assert_eq!(ep.status_of(&bad).await, "pending");
        fake.settle_direct_debit(&ep.ctx(), &bad).expect("pending");
        assert_eq!(ep.status_of(&bad).await, "failed");
        let good = ep
            .create("/single", &dd_sale("PT50000201231234567890155"))
            .await;
        fake.settle_direct_debit(&ep.ctx(), &good).expect("pending");
        assert_eq!(ep.status_of(&good).await, "paid");
        let refused = ep
            .create("/single", &dd_sale("PT50000201231234567890155"))
            .await;
        fake.fail_direct_debit(&ep.ctx(), &refused)
            .expect("pending");
        assert_eq!(ep.status_of(&refused).await, "failed");
        let got = ep
            .call("GET", &format!("/single/{good}"), "", &[])
            .await
            .text();
        assert!(got.contains("sdd_mandate"), "{got}");
    })
    .await;
}

#[tokio::test]
async fn authorise_capture_refund_void() {
    within(async {
        let ep = Ep::start().await;
        let id = ep
            .create("/single", &mbw("authorisation", PHONE_AUTHORISED, "10"))
            .await;
        assert_eq!(ep.status_of(&id).await, "authorised");
        // Partial capture, then over-capture refused.
        let capture = ep
            .create(
                &format!("/capture/{id}"),
                r#"{"descriptive":"part","value":6,"transaction_key":"c1"}"#,
            )
            .await;
        assert_eq!(ep.status_of(&id).await, "paid");
        let over = ep
            .expect(
                400,
                "POST",
                &format!("/capture/{id}"),
                r#"{"descriptive":"more","value":4.01}"#,
            )
            .await;
        assert_eq!(
            over["message"][0],
            "`value` exceeds the amount left to capture"
        );
        let tiny = ep
            .expect(
                400,
                "POST",
                &format!("/capture/{id}"),
                r#"{"descriptive":"tiny","value":0.01}"#,
            )
            .await;
        assert!(tiny["message"][0].as_str().unwrap().contains("`value`"));
        let got = ep
            .call("GET", &format!("/capture/{capture}"), "", &[])
            .await
            .text();
        assert!(
            got.contains(r#""value":6"#) && got.contains(r#""status":"success""#),
            "{got}"
        );

        // Partial refund, then over-refund refused.
        let refund = ep
            .create(&format!("/refund/{capture}"), r#"{"value":2.5}"#)
            .await;
        let over = ep
            .expect(
                400,
                "POST",
                &format!("/refund/{capture}"),
                r#"{"value":3.51}"#,
            )
            .await;
        assert_eq!(
            over["message"][0],
            "`value` exceeds the amount left to refund"
        );
        ep.expect(400, "POST", &format!("/refund/{capture}"), r#"{"value":0}"#)
            .await;
        let got = ep
            .call("GET", &format!("/refund/{refund}"), "", &[])
            .await
            .text();
        assert!(got.contains(r#""value":2.5"#), "{got}");
        ep.create(&format!("/refund/{capture}"), r#"{"value":3.5}"#)
            .await;
        let refunded = ep
            .expect(200, "GET", &format!("/capture/{capture}"), "")
            .await;
        assert_eq!(refunded["status"], "refunded");

        // The authorisation shows what was captured; the void releases the rest.
        let auth_id = ep
            .server
            .snapshot()
            .of_kind(&ResourceKind::Other("authorisation".to_owned()))
            .next()
            .expect("an authorisation")
            .id()
            .to_owned();
        let auth = ep
            .call("GET", &format!("/authorisation/{auth_id}"), "", &[])
            .await
            .text();
        assert!(auth.contains(r#""value_captured":6"#), "{auth}");
        let void = ep
            .create(&format!("/void/{id}"), r#"{"descriptive":"release"}"#)
            .await;
        let got = ep.expect(200, "GET", &format!("/void/{void}"), "").await;
        assert_eq!(got["status"], "success");
        assert_eq!(got["authorisation"]["status"], "canceled");
        ep.expect(
            412,
            "POST",
            &format!("/void/{id}"),
            r#"{"descriptive":"again"}"#,
        )
        .await;
        ep.expect(
            412,
            "POST",
            &format!("/capture/{auth_id}"),
            r#"{"descriptive":"late","value":1}"#,
        )
        .await;

        // A fresh authorisation voided before any capture: the single is voided.
        let second = ep
            .create("/single", &mbw("authorisation", PHONE_AUTHORISED, "8"))
            .await;
        ep.create(&format!("/void/{second}"), r#"{"descriptive":"cancel"}"#)
            .await;
        assert_eq!(ep.status_of(&second).await, "voided");
        ep.expect(404, "GET", "/void/nope", "").await;
        ep.expect(404, "GET", "/refund/nope", "").await;
        ep.expect(404, "GET", "/capture/nope", "").await;
        ep.expect(404, "GET", "/authorisation/nope", "").await;
    })
    .await;
}

#[tokio::test]
async fn frequent_payments_lifecycle() {
    within(async {
        let ep = Ep::start().await;
        let fake = ep.server.provider();
        let id = ep
            .create(
                "/frequent",
                r#"{"method":"cc","customer":{"name":"Ana","key":"cust-1"},"key":"f-1","max_value":50,"min_value":1}"#,
            )
            .await;
        let got = ep.expect(200, "GET", &format!("/frequent/{id}"), "").await;
        assert_eq!(got["method"]["status"], "pending");
        ep.expect(412, "POST", &format!("/frequent/authorisation/{id}"), r#"{"descriptive":"x","value":5}"#)
            .await;
        fake.enter_card(&ep.ctx(), &id, "0000999988887777").expect("pending card");
        let got = ep.expect(200, "GET", &format!("/frequent/{id}"), "").await;
        assert_eq!(got["status"], "active");

        let patched = ep.expect(200, "PATCH", &format!("/frequent/{id}"), r#"{"key":"f-1b","max_value":40}"#).await;
        assert_eq!(patched["key"], "f-1b");
        let list = ep.expect(200, "GET", "/frequent?customer=cust-1", "").await;
        assert_eq!(list["meta"]["records"]["total"], 1);

        // An authorisation, a partial capture of it, and a direct charge.
        let auth = ep
            .create(&format!("/frequent/authorisation/{id}"), r#"{"descriptive":"hold","value":20}"#)
            .await;
        let got = ep.expect(200, "GET", &format!("/authorisation/{auth}"), "").await;
        assert_eq!(got["status"], "success");
        ep.create(&format!("/capture/{auth}"), r#"{"descriptive":"part","value":5}"#).await;
        let charge = ep.create(&format!("/capture/{id}"), r#"{"descriptive":"charge","value":7.25}"#).await;
        let got = ep.expect(200, "GET", &format!("/capture/{charge}"), "").await;
        assert_eq!(got["payment_type"], "frequent");
        let over_max = ep.expect(400, "POST", &format!("/capture/{id}"), r#"{"descriptive":"big","value":41}"#).await;
        assert!(over_max["message"][0].as_str().unwrap().contains("max_value"));

        // 3-D Secure on demand for an authorisation.
        let secure = ep
            .expect(201, "POST", &format!("/frequent/authorisation/{id}"), r#"{"descriptive":"3ds","value":3,"force_3ds":true}"#)
            .await;
        assert!(secure["method"]["url"].as_str().unwrap().contains("/fake/3ds/"));
        let secure_id = secure["id"].as_str().unwrap();
        assert_eq!(ep.expect(200, "GET", &format!("/authorisation/{secure_id}"), "").await["status"], "waiting");
        fake.complete_3ds(&ep.ctx(), secure_id, true).expect("waiting");
        assert_eq!(ep.expect(200, "GET", &format!("/authorisation/{secure_id}"), "").await["status"], "success");

        // MB WAY frequent follows the phones; Multibanco is active at once.
        let mbw_frequent = ep
            .create("/frequent", &format!(r#"{{"method":"mbw","customer":{{"name":"A","phone":"{PHONE_DECLINED}"}}}}"#))
            .await;
        assert_eq!(ep.expect(200, "GET", &format!("/frequent/{mbw_frequent}"), "").await["status"], "failed");
        let mb_frequent = ep.create("/frequent", r#"{"method":"mb","customer":{"name":"A"}}"#).await;
        let got = ep.expect(200, "GET", &format!("/frequent/{mb_frequent}"), "").await;
        assert_eq!(got["status"], "active");
        assert!(got["method"]["reference"].as_str().is_some());

        ep.expect(204, "DELETE", &format!("/frequent/{id}"), "").await;
        ep.expect(404, "POST", &format!("/frequent/authorisation/{id}"), r#"{"descriptive":"x","value":5}"#).await;
        let missing = ep.expect(404, "GET", "/frequent/nope", "").await;
        assert_eq!(missing["message"][0], "no frequent found");
    })
    .await;
}

#[tokio::test]
async fn subscriptions_capture_on_schedule() {
    within(async {
        let ep = Ep::start().await;
        // START is 2023-11-14 22:13:20; the first capture is due at 23:00.
        let body = r#"{"value":9.99,"frequency":"1D","start_time":"2023-11-14 23:00","max_captures":3,"method":"dd","key":"sub-1","capture":{"descriptive":"Monthly"},"sdd_mandate":{"iban":"PT50000201231234567890155","name":"A","email":"a@example.org","phone":"911111111","account_holder":"A"}}"#;
        let id = ep.create("/subscription", body).await;
        let got = ep.expect(200, "GET", &format!("/subscription/{id}"), "").await;
        assert_eq!(got["status"], "active");
        assert_eq!(got["captures_done"], 0);
        ep.expect(400, "POST", "/subscription", &body.replace("2023-11-14 23:00", "2023-11-14 20:00")).await;

        ep.clock.advance(Duration::from_secs(3_600));
        let got = ep.expect(200, "GET", &format!("/subscription/{id}"), "").await;
        assert_eq!(got["captures_done"], 1);
        assert_eq!(got["next_capture_at"], "2023-11-15 23:00");
        ep.clock.advance(Duration::from_secs(10 * 86_400));
        let got = ep.expect(200, "GET", &format!("/subscription/{id}"), "").await;
        assert_eq!(got["captures_done"], 3);
        let captures = ep.expect(200, "GET", "/capture", "").await;
        assert_eq!(captures["data"].as_array().unwrap().len(), 3);
        let text = ep.call("GET", "/capture", "", &[]).await.text();
        assert!(text.contains(r#""value":9.99"#), "{text}");

        let patched = ep.expect(200, "PATCH", &format!("/subscription/{id}"), r#"{"key":"sub-1b"}"#).await;
        assert_eq!(patched["key"], "sub-1b");
        let list = ep.expect(200, "GET", "/subscription?key=sub-1b", "").await;
        assert_eq!(list["meta"]["records"]["total"], 1);

        // The failing IBAN's scheduled captures fail.
        let now_plus = "2023-11-26 12:00";
        let failing = body
            .replace("PT50000201231234567890155", FAILING_IBAN)
            .replace("2023-11-14 23:00", now_plus);
        let bad = ep.create("/subscription", &failing).await;
        ep.clock.advance(Duration::from_secs(86_400));
        ep.server.provider().run_due(&ep.ctx());
        let snapshot = ep.server.snapshot();
        let failed: Vec<_> = snapshot
            .of_kind(&ResourceKind::Capture)
            .filter(|c| c.field("payment_id") == Some(bad.as_str()))
            .collect();
        assert!(failed.is_empty(), "not due yet");
        ep.clock.advance(Duration::from_secs(86_400));
        ep.server.provider().run_due(&ep.ctx());
        let snapshot = ep.server.snapshot();
        let failed: Vec<_> = snapshot
            .of_kind(&ResourceKind::Capture)
            .filter(|c| c.field("payment_id") == Some(bad.as_str()))
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].status(), "failed");

        ep.expect(204, "DELETE", &format!("/subscription/{id}"), "").await;
        assert_eq!(ep.expect(200, "GET", &format!("/subscription/{id}"), "").await["status"], "deleted");
    })
    .await;
}

#[tokio::test]
async fn page_and_cursor_pagination_cross_pages() {
    within(async {
        let ep = Ep::start().await;
        for n in 0..5 {
            let id = ep.create("/single", &mb_sale(&format!("p{n}"))).await;
            ep.server
                .provider()
                .pay_multibanco(&ep.ctx(), &id)
                .expect("pending");
        }
        let mut seen = Vec::new();
        let mut page = 1;
        loop {
            let answer = ep
                .expect(
                    200,
                    "GET",
                    &format!("/single?page={page}&records_per_page=2"),
                    "",
                )
                .await;
            assert_eq!(answer["meta"]["page"]["total"], 3);
            for item in answer["data"].as_array().unwrap() {
                seen.push(item["key"].as_str().unwrap().to_owned());
            }
            if answer["meta"]["links"]["next"] == "" {
                break;
            }
            page += 1;
        }
        assert_eq!(seen, ["p0", "p1", "p2", "p3", "p4"]);

        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/capture?limit=2&cursor={c}"),
                None => "/capture?limit=2".to_owned(),
            };
            let answer = ep.expect(200, "GET", &path, "").await;
            let data = answer["data"].as_array().unwrap().clone();
            if data.is_empty() {
                break;
            }
            for item in &data {
                ids.push(item["id"].as_str().unwrap().to_owned());
            }
            cursor = data
                .last()
                .and_then(|d| d["id"].as_str())
                .map(str::to_owned);
        }
        assert_eq!(ids.len(), 5);
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 5);
        ep.expect(400, "GET", "/capture?limit=101", "").await;
        let report = ep
            .expect(
                200,
                "GET",
                "/report/transactions?page=2&records_per_page=4",
                "",
            )
            .await;
        assert_eq!(report["data"].as_array().unwrap().len(), 1);
        assert_eq!(report["meta"]["records"]["total"], 5);
    })
    .await;
}

#[tokio::test]
async fn idempotency_keys_replay_refuse_and_expire() {
    within(async {
        let ep = Ep::start().await;
        let key = [("Idempotency-Key", "order-77-attempt")];
        let first = ep.call("POST", "/single", &mb_sale("o77"), &key).await;
        assert_eq!(first.status, 201);
        let replay = ep.call("POST", "/single", &mb_sale("o77"), &key).await;
        assert_eq!(replay.status, 201);
        assert_eq!(replay.header("Idempotency-Replay"), Some("true"));
        assert_eq!(replay.body, first.body);
        assert_eq!(ep.server.snapshot().payments().count(), 1);

        let different = ep.call("POST", "/single", &mb_sale("o78"), &key).await;
        assert_eq!(different.status, 422);
        assert_eq!(different.header("X-Easypay-Should-Retry"), Some("false"));
        let long = "x".repeat(51);
        let too_long = ep
            .call(
                "POST",
                "/single",
                &mb_sale("o79"),
                &[("Idempotency-Key", long.as_str())],
            )
            .await;
        assert_eq!(too_long.status, 400);

        ep.clock.advance(Duration::from_secs(24 * 3_600));
        let after = ep.call("POST", "/single", &mb_sale("o77"), &key).await;
        assert_eq!(after.status, 201);
        assert_eq!(after.header("Idempotency-Replay"), None);
        assert_eq!(ep.server.snapshot().payments().count(), 2);
    })
    .await;
}

#[tokio::test]
async fn out_payments_need_a_valid_signature_and_fresh_timestamp() {
    within(async {
        let public = std::fs::read_to_string(format!("{}/test-rsa-2048-public-spki.pem", keys_dir())).unwrap();
        let private = std::fs::read_to_string(format!("{}/test-rsa-2048-pkcs8.pem", keys_dir())).unwrap();
        let key = RsaSigningKey::from_pem(&SecretString::from(private)).expect("test key");
        let ep = Ep::with(
            EasypayConfig::new(ACCOUNT, API_KEY)
                .with_out_payment_key(&public)
                .expect("public key"),
        )
        .await;
        let payout = serde_json::json!({
            "customer": {"name": "Bea"},
            "key": "payout-1",
            "value": 17,
            "method": "transfer",
            "descriptive": "Refund 1",
            "out_account": {"account_holder": "Bea", "iban": "PT50000201231234567890155", "email": "bea@example.org", "phone": "912345678"}
        });
        let now = UNIX_EPOCH + Duration::from_secs(u64::try_from(START).unwrap());
        let signed = sign_out_payment(&payout, &key, now).expect("signs");
        let send = |body: Vec<u8>, signature: Option<String>| {
            let addr = ep.server.addr();
            async move {
                let mut headers = vec![
                    ("AccountId", ACCOUNT.to_owned()),
                    ("ApiKey", API_KEY.to_owned()),
                    ("Content-Type", "application/json".to_owned()),
                ];
                if let Some(signature) = signature {
                    headers.push(("Signature", signature));
                }
                let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                call(addr, "POST", "/2.0/out_payment", &headers, &body).await
            }
        };
        let ok = send(signed.body().to_vec(), Some(signed.signature().to_owned())).await;
        assert_eq!(ok.status, 201, "{}", ok.text());
        let id = serde_json::from_slice::<serde_json::Value>(&ok.body).unwrap()["id"].as_str().unwrap().to_owned();

        let mut tampered = signed.body().to_vec();
        pay_testkit::flip_middle_byte(&mut tampered);
        let refused = send(tampered, Some(signed.signature().to_owned())).await;
        assert_eq!(refused.status, 403);
        assert!(refused.text().contains("Invalid Signature"));
        let unsigned = send(signed.body().to_vec(), None).await;
        assert_eq!(unsigned.status, 403);
        let stale = sign_out_payment(&payout, &key, now - Duration::from_secs(61)).unwrap();
        let late = send(stale.body().to_vec(), Some(stale.signature().to_owned())).await;
        assert_eq!(late.status, 403);
        assert!(late.text().contains("timestamp"));
        let small = sign_out_payment(&serde_json::json!({"customer":{"name":"B"},"value":"0.49","method":"transfer","out_account":{"account_holder":"B","iban":"PT50000201231234567890155","email":"b@example.org","phone":"9"}}), &key, now).unwrap();
        let small = send(small.body().to_vec(), Some(small.signature().to_owned())).await;
        assert_eq!(small.status, 400, "{}", small.text());

        // An authentication failure is not stored under the idempotency key: the same key
        // with a fresh, valid signature runs the request (not a replayed 403, nor a 422
        // for a key reused with another body).
        let keyed = |body: Vec<u8>, signature: String| {
            let addr = ep.server.addr();
            async move {
                let headers = [
                    ("AccountId", ACCOUNT),
                    ("ApiKey", API_KEY),
                    ("Content-Type", "application/json"),
                    ("Idempotency-Key", "payout-2-create"),
                    ("Signature", signature.as_str()),
                ];
                call(addr, "POST", "/2.0/out_payment", &headers, &body).await
            }
        };
        let second = serde_json::json!({
            "customer": {"name": "Bea"}, "key": "payout-2", "value": 5, "method": "transfer",
            "out_account": {"account_holder": "Bea", "iban": "PT50000201231234567890155", "email": "bea@example.org", "phone": "912345678"}
        });
        let stale = sign_out_payment(&second, &key, now - Duration::from_secs(61)).unwrap();
        let first = keyed(stale.body().to_vec(), stale.signature().to_owned()).await;
        assert_eq!(first.status, 403, "{}", first.text());
        let fresh = sign_out_payment(&second, &key, now).unwrap();
        let retried = keyed(fresh.body().to_vec(), fresh.signature().to_owned()).await;
        assert_eq!(retried.status, 201, "{}", retried.text());
        assert_eq!(retried.header("idempotency-replay"), None);
        let replayed = keyed(fresh.body().to_vec(), fresh.signature().to_owned()).await;
        assert_eq!(replayed.status, 201);
        assert_eq!(replayed.header("idempotency-replay"), Some("true"));
        let removed = serde_json::from_slice::<serde_json::Value>(&retried.body).unwrap()["id"].as_str().unwrap().to_owned();
        ep.expect(204, "DELETE", &format!("/out_payment/{removed}"), "").await;

        let got = ep.expect(200, "GET", &format!("/out_payment/{id}"), "").await;
        assert_eq!(got["status"], "pending");
        let list = ep.expect(200, "GET", "/out_payment?key=payout-1", "").await;
        assert_eq!(list["meta"]["records"]["total"], 1);
        ep.expect(204, "DELETE", &format!("/out_payment/{id}"), "").await;
        ep.expect(404, "DELETE", &format!("/out_payment/{id}"), "").await;
        assert_eq!(ep.server.snapshot().of_kind(&ResourceKind::Payout).count(), 2);
        let snapshot = format!("{:?}", ep.server.snapshot());
        assert!(!snapshot.contains("PT50000201231234567890155"), "{snapshot}");
    })
    .await;
}

#[tokio::test]
async fn notifications_reach_the_configured_urls_and_are_retried() {
    within(async {
        let receiver = FakeServer::start(Ledger::new()).await.expect("receiver");
        let ep = Ep::with(
            EasypayConfig::new(ACCOUNT, API_KEY).with_notification_credentials("hook", "pw-secret"),
        )
        .await;
        let patch = format!(
            r#"{{"generic":"{0}/echo?kind=generic","authorisation":"{0}/echo?kind=authorisation","transaction":"{0}/echo?kind=transaction"}}"#,
            receiver.base_url()
        );
        let config = ep.expect(200, "PATCH", "/config", &patch).await;
        assert_eq!(config["account"], ACCOUNT);
        let got = ep.expect(200, "GET", "/config", "").await;
        assert_eq!(got["generic"], format!("{}/echo?kind=generic", receiver.base_url()));

        ep.create("/single", &mbw("sale", PHONE_AUTHORISED, "40.1")).await;
        let pending = ep.server.webhooks().pending();
        assert_eq!(pending.len(), 4, "generic authorisation, authorisation, generic capture, transaction");
        let expected_basic = "Basic aG9vazpwdy1zZWNyZXQ=";
        assert!(pending.iter().all(|p| p.notification().header("authorization") == Some(expected_basic)));
        let transaction = pending
            .iter()
            .find(|p| p.notification().url().ends_with("kind=transaction"))
            .expect("a transaction notification");
        let body = String::from_utf8_lossy(transaction.notification().body()).into_owned();
        assert!(body.contains(r#""paid":"40.10""#) && body.contains(r#""value":"40.10""#), "{body}");
        let generic = pending
            .iter()
            .find(|p| p.notification().url().ends_with("kind=generic"))
            .expect("a generic notification");
        let generic: serde_json::Value = serde_json::from_slice(generic.notification().body()).unwrap();
        assert_eq!(generic["type"], "authorisation");
        assert_eq!(generic["status"], "success");
        assert_eq!(generic["date"], "2023-11-14 22:13:20");

        // The receiver fails once; the outbox retries on its schedule by the clock.
        receiver.faults().on(Route::any()).then(Fault::status(500)).then_normal();
        let first = ep.server.webhooks().deliver_now().await;
        assert_eq!(first.iter().filter(|d| d.outcome().is_delivered()).count(), 3);
        assert_eq!(ep.server.webhooks().pending().len(), 1);
        ep.clock.advance(Duration::from_secs(3_600));
        let retry = ep.server.webhooks().deliver_due().await;
        assert_eq!(retry.len(), 1);
        assert!(retry[0].outcome().is_delivered());
        assert!(ep.server.webhooks().pending().is_empty());
        assert_eq!(receiver.requests().len(), 5);
    })
    .await;
}

#[tokio::test]
async fn applied_then_lost_is_recovered_by_the_idempotency_key() {
    within(async {
        let ep = Ep::start().await;
        ep.server
            .faults()
            .on(Route::new("POST", "/2.0/single"))
            .then(Fault::AppliedThenLost)
            .then_normal();
        let headers = [
            ("AccountId", ACCOUNT),
            ("ApiKey", API_KEY),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", "charge-once"),
        ];
        let lost = raw(
            ep.server.addr(),
            "POST",
            "/2.0/single",
            &headers,
            mb_sale("o1").as_bytes(),
        )
        .await;
        assert!(
            lost.map_or(true, |bytes| bytes.is_empty()),
            "the answer is lost"
        );
        assert_eq!(
            ep.server.snapshot().payments().count(),
            1,
            "but the payment exists"
        );
        let retry = call(
            ep.server.addr(),
            "POST",
            "/2.0/single",
            &headers,
            mb_sale("o1").as_bytes(),
        )
        .await;
        assert_eq!(retry.status, 201);
        assert_eq!(retry.header("Idempotency-Replay"), Some("true"));
        assert_eq!(
            ep.server.snapshot().payments().count(),
            1,
            "no double charge"
        );

        // An injected 503 carries Easypay's error body and the retry header.
        ep.server
            .faults()
            .on(Route::operation("single_get"))
            .then(Fault::status(503))
            .then_normal();
        let unavailable = ep.call("GET", "/single/any", "", &[]).await;
        assert_eq!(unavailable.status, 503);
        assert_eq!(unavailable.header("X-Easypay-Should-Retry"), Some("true"));
        assert!(
            unavailable
                .text()
                .starts_with(r#"{"status":"error","message":["#)
        );
        ep.server
            .faults()
            .on(Route::operation("refund_create"))
            .then(Fault::RateLimited {
                retry_after: Duration::from_secs(1),
            })
            .then_normal();
        let limited = ep.call("POST", "/refund/x", r#"{"value":1}"#, &[]).await;
        assert_eq!(limited.status, 429);
    })
    .await;
}

#[tokio::test]
async fn every_operation_is_served() {
    within(async {
        let ep = Ep::start().await;
        let fake = ep.server.provider();
        // Payments and transactions.
        let single = ep.create("/single", &mbw("authorisation", PHONE_AUTHORISED, "10")).await;
        ep.expect(200, "GET", "/single", "").await;
        ep.expect(200, "GET", &format!("/single/{single}"), "").await;
        ep.expect(200, "PATCH", &format!("/single/{single}"), r#"{"descriptive":"d"}"#).await;
        let capture = ep
            .create(
                &format!("/capture/{single}"),
                r#"{"descriptive":"c","value":5,"splits":[{"value":1,"split_key":"s1","account":{"id":"acc-2"}}]}"#,
            )
            .await;
        let got = ep.expect(200, "GET", &format!("/capture/{capture}"), "").await;
        let split = got["splits"][0]["id"].as_str().unwrap().to_owned();
        let patched = ep
            .expect(200, "PATCH", &format!("/capture/{capture}/splits/{split}"), r#"{"value":1.5}"#)
            .await;
        assert_eq!(patched["split_key"], "s1");
        ep.expect(404, "PATCH", &format!("/capture/{capture}/splits/nope"), r#"{"value":1.5}"#).await;
        ep.expect(200, "GET", "/capture", "").await;
        let auth = ep.server.snapshot().of_kind(&ResourceKind::Other("authorisation".to_owned())).next().unwrap().id().to_owned();
        ep.expect(200, "GET", &format!("/authorisation/{auth}"), "").await;
        // Refunds take the capture's id; the payment's id is not a capture.
        ep.expect(404, "POST", &format!("/refund/{single}"), r#"{"value":1}"#).await;
        let refund = ep.create(&format!("/refund/{capture}"), r#"{"value":1}"#).await;
        ep.expect(200, "GET", &format!("/refund/{refund}"), "").await;
        ep.expect(200, "GET", "/refund", "").await;
        let void = ep.create(&format!("/void/{auth}"), r#"{"descriptive":"v"}"#).await;
        ep.expect(200, "GET", &format!("/void/{void}"), "").await;
        let chargeback = fake.open_chargeback(&ep.ctx(), &capture, "fraud").expect("a capture");
        let chargebacks = ep.expect(200, "GET", "/chargeback", "").await;
        assert_eq!(chargebacks["data"][0]["id"], chargeback.as_str());
        assert!(fake.open_chargeback(&ep.ctx(), &capture, "again").is_err());
        let ledger = ep.expect(200, "GET", "/report/ledger", "").await;
        assert_eq!(ledger["data"].as_array().unwrap().len(), 3, "capture, refund, chargeback");
        ep.expect(200, "GET", "/report/transactions?start_date=2023-11-14%2000:00&end_date=2023-11-15%2000:00", "").await;
        let other = ep.create("/single", &mb_sale("x")).await;
        ep.expect(204, "DELETE", &format!("/single/{other}"), "").await;

        let frequent = ep.create("/frequent", r#"{"method":"dd","customer":{"name":"A"},"sdd_mandate":{"iban":"PT50000201231234567890155","name":"A","email":"a@example.org","phone":"9","account_holder":"A"}}"#).await;
        ep.expect(200, "GET", "/frequent", "").await;
        ep.expect(200, "GET", &format!("/frequent/{frequent}"), "").await;
        ep.expect(200, "PATCH", &format!("/frequent/{frequent}"), r#"{"key":"k"}"#).await;
        ep.expect(412, "POST", &format!("/frequent/authorisation/{frequent}"), r#"{"descriptive":"a","value":2}"#).await;
        ep.expect(204, "DELETE", &format!("/frequent/{frequent}"), "").await;

        let sub = ep.create("/subscription", r#"{"value":5,"frequency":"1M","start_time":"2024-01-01 00:00","expiration_time":"2024-06-01 00:00","method":"cc"}"#).await;
        ep.expect(200, "GET", "/subscription", "").await;
        ep.expect(200, "GET", &format!("/subscription/{sub}"), "").await;
        ep.expect(200, "PATCH", &format!("/subscription/{sub}"), r#"{"value":6}"#).await;
        ep.expect(204, "DELETE", &format!("/subscription/{sub}"), "").await;

        // Checkout, config, health, out payments without a key.
        let checkout = ep
            .expect(201, "POST", "/checkout", r#"{"type":["single"],"payment":{"methods":["cc","mbw"],"type":"sale","capture":{"descriptive":"Shop"}},"order":{"value":12.3,"key":"o"},"customer":{"name":"A","email":"a@example.org","phone":"911111111"}}"#)
            .await;
        let checkout_id = checkout["id"].as_str().unwrap().to_owned();
        assert!(checkout["session"].as_str().is_some());
        let got = ep.expect(200, "GET", &format!("/checkout/{checkout_id}"), "").await;
        assert_eq!(got["checkout"]["status"], "pending");
        ep.expect(204, "DELETE", &format!("/checkout/{checkout_id}"), "").await;
        ep.expect(404, "DELETE", &format!("/checkout/{checkout_id}"), "").await;
        ep.expect(200, "GET", "/config", "").await;
        ep.expect(200, "PATCH", "/config", r#"{"visa_fwd":"http://127.0.0.1:9/back"}"#).await;
        ep.expect(200, "GET", "/health", "").await;
        let refused = ep.call("POST", "/out_payment", r#"{"value":1}"#, &[("Signature", "x")]).await;
        assert_eq!(refused.status, 403, "no key configured");
        ep.expect(200, "GET", "/out_payment", "").await;
        ep.expect(404, "GET", "/out_payment/nope", "").await;
        ep.expect(404, "DELETE", "/out_payment/nope", "").await;

        let served: BTreeSet<&str> = ep.server.requests().iter().filter_map(|r| r.operation()).collect();
        let all: BTreeSet<&str> = pay_testkit::generated::easypay::OPERATIONS
            .iter()
            .filter(|op| op.kind == OperationKind::Path)
            .map(|op| op.id)
            .collect();
        let missing: Vec<_> = all.difference(&served).collect();
        assert!(missing.is_empty(), "not exercised: {missing:?}");
    })
    .await;
}

/// Requests are strict, responses lenient: an amount as a string and a JSON array as a
/// PATCH body are refused; absent fields are omitted, never `null`.
#[tokio::test]
async fn requests_are_strict_and_absent_fields_are_omitted() {
    within(async {
        let ep = Ep::start().await;
        let refused = ep
            .expect(
                400,
                "POST",
                "/single",
                r#"{"value":"17.5","method":"mb","capture":{"descriptive":"x"}}"#,
            )
            .await;
        assert!(refused.to_string().contains("must be a JSON number"), "{refused}");
        let nested = ep
            .expect(
                400,
                "POST",
                "/checkout",
                r#"{"type":["single"],"payment":{"methods":["cc"]},"order":{"value":12.3,"items":[{"value":"1"}]},"customer":{"name":"A","email":"a@example.org","phone":"911111111"}}"#,
            )
            .await;
        assert!(nested.to_string().contains("order.items[0].value"), "{nested}");
        let id = ep.create("/single", &mb_sale("k1")).await;
        let before = ep.call("GET", &format!("/single/{id}"), "", &[]).await.text();
        ep.expect(400, "PATCH", &format!("/single/{id}"), r#"[{"descriptive":"d"}]"#)
            .await;
        let after = ep.call("GET", &format!("/single/{id}"), "", &[]).await.text();
        assert_eq!(before, after, "an array body changes nothing");
        // Unpaid: no `paid_at`; nothing is `null` anywhere in the answer.
        assert!(!after.contains("paid_at"), "{after}");
        assert!(!after.contains("null"), "{after}");
        let checkout = ep
            .create(
                "/checkout",
                r#"{"type":["single"],"payment":{"methods":["cc"],"type":"sale","capture":{"descriptive":"Shop"}},"order":{"value":12.3,"key":"o"},"customer":{"name":"A","email":"a@example.org","phone":"911111111"}}"#,
            )
            .await;
        let got = ep.call("GET", &format!("/checkout/{checkout}"), "", &[]).await.text();
        assert!(!got.contains("null"), "{got}");
    })
    .await;
}

/// What `pay-testkit serve --provider easypay --notify URL` serves: out-payments signed
/// with the documented test key are accepted, and notifications go to the URL.
#[tokio::test]
async fn the_serving_configuration_takes_the_test_key_and_a_notification_url() {
    within(async {
        let config = EasypayConfig::for_serving(Some("http://127.0.0.1:9/hooks"), None).unwrap();
        let clock = ManualClock::new(from_unix_seconds(START));
        let server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasypayFake::new(config))
            .await
            .unwrap();
        let private =
            std::fs::read_to_string(format!("{}/test-rsa-2048-pkcs8.pem", keys_dir())).unwrap();
        let key = RsaSigningKey::from_pem(&SecretString::from(private)).unwrap();
        let payout = serde_json::json!({"customer":{"name":"B"},"value":17,"method":"transfer","out_account":{"account_holder":"B","iban":"PT50000201231234567890155","email":"b@example.org","phone":"912345678"}});
        let now = UNIX_EPOCH + Duration::from_secs(u64::try_from(START).unwrap());
        let signed = sign_out_payment(&payout, &key, now).unwrap();
        let answer = call(
            server.addr(),
            "POST",
            "/2.0/out_payment",
            &[
                ("AccountId", "2b0f63e2-9fb5-4e52-aca0-b4bf0339bbe6"),
                ("ApiKey", "eae4aa59-8e5b-4ec2-887d-b02768481a92"),
                ("Content-Type", "application/json"),
                ("Signature", signed.signature()),
            ],
            signed.body(),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.text());
        assert!(
            server
                .webhooks()
                .pending()
                .iter()
                .any(|p| p.notification().url() == "http://127.0.0.1:9/hooks"),
            "a notification for the out-payment"
        );
    })
    .await;
}
