//! The Easytransac fake over real loopback HTTP: V1 and V2 authentication, validation,
//! every lifecycle it models with its signed notifications and browser returns,
//! schedules (declined follow-ups included) on the manual clock, chargebacks, token
//! expiry, and faults on Easytransac routes.

use std::time::Duration;

use pay_core::{ManualClock, from_unix_seconds};
use pay_signing::easytransac::{Params, sign, verify, verify_notification, verify_response};
use pay_testkit::easytransac::{
    EasytransacConfig, EasytransacFake, ScenarioError, TEST_API_KEY, cards,
};
use pay_testkit::testing::Ledger;
use pay_testkit::{Context, FakeProvider, FakeServer, Fault, FaultKind, ResourceKind, Route};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::support::{call, raw, within};

const KEY: &str = "et_test_it-key-77aa";

struct Setup {
    server: FakeServer<EasytransacFake>,
    receiver: FakeServer<Ledger>,
    clock: ManualClock,
}

async fn setup() -> Setup {
    let receiver = FakeServer::start(Ledger::new()).await.unwrap();
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let config =
        EasytransacConfig::new(SecretString::from(KEY)).notification_url(receiver.url("/entries"));
    let server = FakeServer::builder()
        .clock(clock.clone())
        .start(EasytransacFake::new(config))
        .await
        .unwrap();
    Setup {
        server,
        receiver,
        clock,
    }
}

impl Setup {
    /// Runs a scenario control with a context over the server's clock and outbox.
    fn control<T>(&self, act: impl FnOnce(&EasytransacFake, &Context<'_>) -> T) -> T {
        let clock = self.server.clock();
        let ctx = Context::new(&*clock, self.server.webhooks(), self.server.base_url());
        act(self.server.provider(), &ctx)
    }

    /// A signed V1 call; a success answer's signature is verified.
    async fn v1(&self, path: &str, fields: &[(&str, &str)]) -> Value {
        let answer = call(
            self.server.addr(),
            "POST",
            path,
            &[
                ("EASYTRANSAC-API-KEY", KEY),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            signed_form(fields, KEY).as_bytes(),
        )
        .await;
        assert_eq!(answer.status, 200);
        let text = answer.text();
        let json: Value = serde_json::from_str(&text).unwrap();
        if json["Code"] == 0 {
            verify_response(&text, &SecretString::from(KEY)).unwrap();
        }
        json
    }

    /// A V2 call: status and JSON body.
    async fn v2(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("Authorization", bearer));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let answer = call(self.server.addr(), method, path, &headers, body.as_bytes()).await;
        (answer.status, serde_json::from_str(&answer.text()).unwrap())
    }

    async fn status_of(&self, tid: &str) -> Value {
        self.v1("/api/payment/status", &[("Tid", tid)]).await
    }

    async fn token(&self) -> String {
        let (status, body) = self
            .v2("POST", "/v2/auth", None, Some(json!({"apiKey": KEY})))
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["token"].as_str().unwrap().to_owned()
    }

    /// Delivers every queued notification, checks each one's signature, and returns
    /// them as form fields, in order.
    async fn notifications(&self) -> Vec<Vec<(String, String)>> {
        let before = self.receiver.provider().len();
        for delivery in self.server.webhooks().deliver_now().await {
            assert!(delivery.outcome().is_delivered(), "{delivery:?}");
        }
        let after = self.receiver.provider().len();
        (before + 1..=after)
            .map(|n| {
                let body = self.receiver.provider().body_of(&format!("e{n}")).unwrap();
                let form = pay_testkit::form::decode(&body);
                let params = Params::from_form(&form).unwrap();
                verify_notification(&params, &SecretString::from(KEY)).unwrap();
                form
            })
            .collect()
    }
}

fn signed_form(fields: &[(&str, &str)], key: &str) -> String {
    let params = Params::from_form(fields).unwrap();
    let signature = sign(&params, &SecretString::from(key))
        .unwrap()
        .into_string();
    let mut pairs = fields.to_vec();
    pairs.push(("Signature", &signature));
    pay_testkit::form::encode(pairs)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn card<'a>(number: &'a str, amount: &'a str, order: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("Amount", amount),
        ("CardNumber", number),
        ("CardMonth", "12"),
        ("CardYear", "2030"),
        ("CardCVV", "123"),
        ("ClientIp", "10.0.0.1"),
        ("OrderId", order),
        ("Uid", "customer-1"),
        ("Email", "ana@example.org"),
    ]
}

fn tid(answer: &Value) -> String {
    answer["Result"]["Tid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn v1_authentication_signature_and_validation_failures() {
    within(async {
        let s = setup().await;
        let body = signed_form(&[("Tid", "ET000001")], KEY);
        let post = |headers: Vec<(&'static str, &'static str)>, body: String| {
            let addr = s.server.addr();
            async move {
                let answer = call(
                    addr,
                    "POST",
                    "/api/payment/status",
                    &headers,
                    body.as_bytes(),
                )
                .await;
                serde_json::from_str::<Value>(&answer.text()).unwrap()
            }
        };
        assert_eq!(post(vec![], body.clone()).await["Code"], 4);
        assert_eq!(
            post(vec![("EASYTRANSAC-API-KEY", "et_test_wrong")], body.clone()).await["Code"],
            3
        );
        let tampered = body.replace("ET000001", "ET000002");
        let answer = post(vec![("EASYTRANSAC-API-KEY", KEY)], tampered).await;
        assert_eq!(answer, json!({"Code": 12, "Error": "Wrong signature"}));
        let foreign = signed_form(&[("Tid", "ET000001")], "et_test_someone-else");
        assert_eq!(
            post(vec![("EASYTRANSAC-API-KEY", KEY)], foreign).await["Code"],
            12
        );

        let mut missing = card(cards::SUCCESS, "100", "o-1");
        missing.retain(|(k, _)| *k != "ClientIp");
        let answer = s.v1("/api/payment/direct", &missing).await;
        assert_eq!(answer["Code"], 5);
        assert_eq!(answer["Error"], "Missing parameter: ClientIp");
        let answer = s
            .v1("/api/payment/direct", &card(cards::SUCCESS, "0", "o-1"))
            .await;
        assert_eq!(answer["Code"], 101);
        let answer = s.v1("/api/payment/status", &[("Tid", "ET999999")]).await;
        assert_eq!(answer["Code"], 1);
        let answer = s.v1("/api/kyc/find", &[("Email", "a@example.org")]).await;
        assert_eq!(answer["Code"], 1);

        // The request log never shows the key, the card number or the CVV.
        let log = format!("{:?}", s.server.requests());
        assert!(!log.contains(KEY));
        assert!(!log.contains(cards::SUCCESS));
        assert!(s.server.provider().payments().is_empty());
    })
    .await;
}

#[tokio::test]
async fn card_payment_partial_and_full_refunds_with_notifications() {
    within(async {
        let s = setup().await;
        let paid = s
            .v1(
                "/api/payment/direct",
                &card(cards::SUCCESS, "2999", "order-1"),
            )
            .await;
        assert_eq!(paid["Result"]["Status"], "captured");
        assert_eq!(paid["Result"]["Amount"], "29.99");
        let tid = tid(&paid);

        let partial = s
            .v1("/api/payment/refund", &[("Tid", &tid), ("Amount", "1000")])
            .await;
        assert_eq!(partial["Result"]["Status"], "captured");
        assert_eq!(partial["Result"]["AmountRefund"], "10.00");
        let over = s
            .v1("/api/payment/refund", &[("Tid", &tid), ("Amount", "2000")])
            .await;
        assert_eq!(over["Code"], 101);
        let rest = s.v1("/api/payment/refund", &[("Tid", &tid)]).await;
        assert_eq!(rest["Result"]["Status"], "refunded");
        assert_eq!(rest["Result"]["AmountRefund"], "29.99");
        let again = s
            .v1("/api/payment/refund", &[("Tid", &tid), ("Amount", "1")])
            .await;
        assert_eq!(again["Code"], 1);

        let sent = s.notifications().await;
        let statuses: Vec<_> = sent.iter().map(|n| field(n, "Status").unwrap()).collect();
        assert_eq!(statuses, ["captured", "captured", "refunded"]);
        assert_eq!(field(&sent[1], "AmountRefund"), Some("10.00"));
        assert_eq!(field(&sent[2], "Client[Email]"), Some("ana@example.org"));
        assert_eq!(field(&sent[0], "CardNumber"), Some("************1111"));

        let snapshot = s.server.snapshot();
        assert_eq!(
            snapshot.get(&ResourceKind::Payment, &tid).unwrap().status(),
            "refunded"
        );
        assert_eq!(snapshot.of_kind(&ResourceKind::Refund).count(), 2);
    })
    .await;
}

#[tokio::test]
async fn declines_and_three_d_secure_completion_failure_and_expiry() {
    within(async {
        let s = setup().await;
        let declined = s
            .v1(
                "/api/payment/direct",
                &card(cards::DECLINED_INSUFFICIENT_FUNDS, "500", "o-d"),
            )
            .await;
        assert_eq!(declined["Result"]["Status"], "failed");
        assert_eq!(declined["Result"]["Error"], "Insufficient funds");
        assert_eq!(
            declined["Result"]["AdditionalError"],
            json!(["Do not honor"])
        );

        let mut tids = Vec::new();
        for order in ["o-a", "o-b", "o-c"] {
            let answer = s
                .v1(
                    "/api/payment/direct",
                    &card(cards::THREE_DS_CHALLENGE, "700", order),
                )
                .await;
            assert_eq!(answer["Result"]["Status"], "pending");
            assert_eq!(answer["Result"]["3DSecure"], "yes");
            let url = answer["Result"]["3DSecureUrl"].as_str().unwrap();
            assert!(url.starts_with(s.server.base_url()), "{url}");
            tids.push(tid(&answer));
        }
        s.control(|fake, ctx| fake.complete_3ds(ctx, &tids[0]))
            .unwrap();
        s.control(|fake, ctx| fake.fail_3ds(ctx, &tids[1])).unwrap();
        assert_eq!(s.status_of(&tids[0]).await["Result"]["Status"], "captured");
        assert_eq!(s.status_of(&tids[1]).await["Result"]["Status"], "failed");

        s.clock.advance(Duration::from_secs(20 * 60));
        let expired = s.status_of(&tids[2]).await;
        assert_eq!(expired["Result"]["Status"], "failed");
        assert_eq!(
            expired["Result"]["Error"],
            "3DSecure authentication expired"
        );

        // 3DS=no skips the challenge.
        let mut no_3ds = card(cards::THREE_DS_CHALLENGE, "700", "o-e");
        no_3ds.push(("3DS", "no"));
        assert_eq!(
            s.v1("/api/payment/direct", &no_3ds).await["Result"]["Status"],
            "captured"
        );

        let sent = s.notifications().await;
        let last_for = |t: &str| {
            sent.iter()
                .rev()
                .find(|n| field(n, "Tid") == Some(t))
                .and_then(|n| field(n, "Status"))
                .map(str::to_owned)
        };
        assert_eq!(last_for(&tids[0]).as_deref(), Some("captured"));
        assert_eq!(last_for(&tids[2]).as_deref(), Some("failed"));
        assert_eq!(sent.len(), 8);
    })
    .await;
}

#[tokio::test]
async fn pre_authorisation_capture_and_cancel() {
    within(async {
        let s = setup().await;
        let mut fields = card(cards::SUCCESS, "5000", "o-pre");
        fields.push(("PreAuth", "yes"));
        let first = tid(&s.v1("/api/payment/direct", &fields).await);
        let second = tid(&s.v1("/api/payment/direct", &fields).await);
        assert_eq!(
            s.server.provider().payment(&first).unwrap().status,
            "authorized"
        );

        let over = s
            .v1(
                "/api/payment/capture",
                &[("Tid", &first), ("Amount", "5001")],
            )
            .await;
        assert_eq!(over["Code"], 101);
        let captured = s
            .v1(
                "/api/payment/capture",
                &[("Tid", &first), ("Amount", "4200")],
            )
            .await;
        assert_eq!(captured["Result"]["Status"], "captured");
        assert_eq!(captured["Result"]["Amount"], "42.00");
        assert_eq!(
            s.v1("/api/payment/capture", &[("Tid", &first)]).await["Code"],
            1
        );

        let cancelled = s.v1("/api/payment/cancel", &[("Tid", &second)]).await;
        assert_eq!(
            cancelled["Result"]["Message"],
            "Pre-authorisation cancelled"
        );
        assert_eq!(
            s.server.provider().payment(&second).unwrap().status,
            "failed"
        );
        assert_eq!(
            s.v1("/api/payment/cancel", &[("Tid", &first)]).await["Code"],
            1
        );

        let statuses: Vec<_> = s
            .notifications()
            .await
            .iter()
            .map(|n| field(n, "Status").unwrap().to_owned())
            .collect();
        assert_eq!(statuses, ["authorized", "authorized", "captured", "failed"]);
    })
    .await;
}

#[tokio::test]
async fn payment_pages_pay_fail_resend_cancel_and_status_by_request_id() {
    within(async {
        let s = setup().await;
        let page = |order: &'static str| {
            vec![
                ("Amount", "1250"),
                ("ClientIp", "10.0.0.2"),
                ("Email", "bo@example.org"),
                ("OrderId", order),
                ("SaveCard", "yes"),
            ]
        };
        let created = s.v1("/api/payment/page", &page("p-1")).await;
        assert_eq!(created["Result"]["Status"], "pending");
        assert_eq!(created["Result"]["Amount"], "12.50");
        let request_id = created["Result"]["RequestId"].as_str().unwrap().to_owned();
        let url = created["Result"]["PageUrl"].as_str().unwrap();
        assert_eq!(url, format!("{}/pay/{request_id}", s.server.base_url()));
        let pending = s
            .v1("/api/payment/status", &[("RequestId", &request_id)])
            .await;
        assert_eq!(pending["Result"]["Status"], "pending");

        let paid_tid = s
            .control(|fake, ctx| fake.pay_page(ctx, &request_id))
            .unwrap();
        let paid = s
            .v1("/api/payment/status", &[("RequestId", &request_id)])
            .await;
        assert_eq!(paid["Result"]["Tid"], paid_tid.as_str());
        assert_eq!(paid["Result"]["Status"], "captured");
        assert!(paid["Result"]["Alias"].is_string());
        assert_eq!(s.server.provider().page_status(&request_id), Some("paid"));

        let second = s.v1("/api/payment/page", &page("p-2")).await;
        let second_id = second["Result"]["RequestId"].as_str().unwrap().to_owned();
        let failed_tid = s
            .control(|fake, ctx| fake.fail_page(ctx, &second_id))
            .unwrap();
        assert_eq!(
            s.server.provider().payment(&failed_tid).unwrap().status,
            "failed"
        );
        assert!(
            s.control(|fake, ctx| fake.pay_page(ctx, &second_id))
                .is_err()
        );

        let third = s.v1("/api/payment/page", &page("p-3")).await;
        let third_id = third["Result"]["RequestId"].as_str().unwrap().to_owned();
        s.clock.advance(Duration::from_secs(3600));
        let resent = s
            .v1("/api/payment/resendpage", &[("RequestId", &third_id)])
            .await;
        assert_eq!(resent["Result"]["MailSent"], "yes");
        assert_ne!(resent["Result"]["DateSent"], third["Result"]["DateSent"]);
        let cancelled = s
            .v1("/api/payment/cancelpage", &[("RequestId", &third_id)])
            .await;
        assert_eq!(cancelled["Result"]["Status"], "cancelled");
        assert_eq!(
            s.v1("/api/payment/cancelpage", &[("RequestId", &third_id)])
                .await["Code"],
            1
        );
        assert_eq!(
            s.v1("/api/payment/resendpage", &[("RequestId", &third_id)])
                .await["Code"],
            1
        );
        let gone = s
            .v1("/api/payment/status", &[("RequestId", &third_id)])
            .await;
        assert_eq!(gone["Result"]["Status"], "failed");

        let fourth = s.v1("/api/payment/page", &page("p-4")).await;
        let fourth_id = fourth["Result"]["RequestId"].as_str().unwrap().to_owned();
        s.control(|fake, ctx| fake.abandon_page(ctx, &fourth_id))
            .unwrap();
        assert_eq!(
            s.server.provider().page_status(&fourth_id),
            Some("abandoned")
        );
        let left = s
            .v1("/api/payment/status", &[("RequestId", &fourth_id)])
            .await;
        assert_eq!(left["Result"]["Status"], "failed");
        assert!(left["Result"].get("Tid").is_none());
        assert!(
            s.control(|fake, ctx| fake.abandon_page(ctx, &fourth_id))
                .is_err()
        );

        let sent = s.notifications().await;
        assert_eq!(sent.len(), 2);
        assert_eq!(field(&sent[0], "RequestId"), Some(request_id.as_str()));
    })
    .await;
}

#[tokio::test]
async fn one_click_with_a_saved_card_and_the_card_list() {
    within(async {
        let s = setup().await;
        let mut fields = card(cards::SUCCESS, "1000", "o-save");
        fields.push(("SaveCard", "yes"));
        let first = s.v1("/api/payment/direct", &fields).await;
        let alias = first["Result"]["Alias"].as_str().unwrap().to_owned();
        let client_id = first["Result"]["Client"]["Id"].as_str().unwrap().to_owned();

        let list = s
            .v1("/api/payment/card/list", &[("ClientId", &client_id)])
            .await;
        assert_eq!(list["Result"][0]["Alias"], alias.as_str());
        assert_eq!(list["Result"][0]["CardNumber"], "************1111");
        let none = s
            .v1("/api/payment/card/list", &[("ClientId", "Cnobody")])
            .await;
        assert_eq!(none["Result"], json!([]));

        let again = s
            .v1(
                "/api/payment/oneclick",
                &[
                    ("Amount", "450"),
                    ("Alias", &alias),
                    ("ClientId", &client_id),
                    ("OrderId", "o-1c"),
                ],
            )
            .await;
        assert_eq!(again["Result"]["Status"], "captured");
        assert_eq!(again["Result"]["OneClick"], "yes");
        assert_eq!(again["Result"]["Amount"], "4.50");
        let unknown = s
            .v1(
                "/api/payment/oneclick",
                &[("Amount", "450"), ("Alias", "nope")],
            )
            .await;
        assert_eq!(unknown["Code"], 1);
        assert_eq!(s.notifications().await.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn sepa_debits_and_bank_transfers_settle_or_are_rejected() {
    within(async {
        let s = setup().await;
        let sdd = |order: &'static str| {
            vec![
                ("Amount", "8000"),
                ("Uid", "debtor-1"),
                ("Email", "deb@example.org"),
                ("Lastname", "Silva"),
                ("Iban", "FR7630006000011234567890189"),
                ("ClientIp", "10.0.0.3"),
                ("Address", "1 rue de Paris"),
                ("ZipCode", "75001"),
                ("City", "Paris"),
                ("Country", "FRA"),
                ("OrderId", order),
            ]
        };
        let first = s.v1("/api/payment/sdd/init", &sdd("s-1")).await;
        assert_eq!(first["Result"]["Status"], "pending");
        assert!(
            first["Result"]["MandateUrl"]
                .as_str()
                .unwrap()
                .starts_with(s.server.base_url())
        );
        assert!(!first.to_string().contains("1234567890189"));
        let second = s.v1("/api/payment/sdd/init", &sdd("s-2")).await;
        s.control(|fake, ctx| fake.settle_debit(ctx, &tid(&first)))
            .unwrap();
        s.control(|fake, ctx| fake.reject_debit(ctx, &tid(&second)))
            .unwrap();
        assert!(
            s.control(|fake, ctx| fake.settle_debit(ctx, &tid(&first)))
                .is_err()
        );
        assert_eq!(
            s.v1("/api/payment/status", &[("OrderId", "s-1")]).await["Result"]["Status"],
            "captured"
        );
        let view = s.server.provider().payment(&tid(&first)).unwrap();
        assert_eq!(view.iban_masked.as_deref(), Some("FR76 **** 0189"));

        let bank = s
            .v1(
                "/api/payment/bybank",
                &[
                    ("Amount", "999"),
                    ("Email", "x@example.org"),
                    ("OrderId", "b-1"),
                ],
            )
            .await;
        assert_eq!(bank["Result"]["Status"], "pending");
        assert!(bank["Result"]["RedirectUrl"].is_string());
        s.control(|fake, ctx| fake.settle_debit(ctx, &tid(&bank)))
            .unwrap();

        let sent = s.notifications().await;
        let statuses: Vec<_> = sent.iter().map(|n| field(n, "Status").unwrap()).collect();
        assert_eq!(
            statuses,
            [
                "pending", "pending", "captured", "failed", "pending", "captured"
            ]
        );
        assert_eq!(field(&sent[2], "OperationType"), Some("debit"));
    })
    .await;
}

#[tokio::test]
async fn instalments_follow_the_clock_and_add_up_exactly() {
    within(async {
        let s = setup().await;
        let mut fields = card(cards::SUCCESS, "10000", "o-inst");
        fields.extend([("MultiplePayments", "yes"), ("MultiplePaymentsRepeat", "3")]);
        let first = s.v1("/api/payment/direct", &fields).await;
        assert_eq!(first["Result"]["Amount"], "33.34");
        let original = tid(&first);

        // Nothing is due before the first month is over.
        s.clock.advance(Duration::from_secs(29 * 86_400));
        assert!(
            s.control(|fake, ctx| fake.run_due_schedules(ctx))
                .is_empty()
        );
        // A month later, any request charges the second instalment.
        s.clock.advance(Duration::from_secs(2 * 86_400));
        s.v1("/api/payment/status", &[("Tid", &original)]).await;
        assert_eq!(s.server.provider().follow_ups(&original).len(), 1);
        s.clock.advance(Duration::from_secs(120 * 86_400));
        let late = s.control(|fake, ctx| fake.run_due_schedules(ctx));
        assert_eq!(late.len(), 1);
        s.clock.advance(Duration::from_secs(400 * 86_400));
        assert!(
            s.control(|fake, ctx| fake.run_due_schedules(ctx))
                .is_empty()
        );

        let follow_ups = s.server.provider().follow_ups(&original);
        let total: i64 = 3334 + follow_ups.iter().map(|p| p.amount_cents).sum::<i64>();
        assert_eq!(total, 10_000);
        assert_eq!(
            s.server.provider().schedule_status(&original),
            Some("finished")
        );
        assert_ne!(follow_ups[0].tid, original);

        let sent = s.notifications().await;
        assert_eq!(sent.len(), 3);
        let counts: Vec<_> = sent
            .iter()
            .map(|n| field(n, "MultiplePaymentsCount").unwrap())
            .collect();
        assert_eq!(counts, ["1", "2", "3"]);
        for n in &sent {
            assert_eq!(field(n, "OriginalPaymentTid"), Some(original.as_str()));
        }
        assert_eq!(field(&sent[1], "Amount"), Some("33.33"));
        assert_eq!(field(&sent[1], "MultiplePaymentsStatus"), Some("active"));
        assert_eq!(field(&sent[2], "MultiplePaymentsStatus"), Some("finished"));
        // Status by OrderId finds the first charge, not a follow-up.
        let by_order = s.v1("/api/payment/status", &[("OrderId", "o-inst")]).await;
        assert_eq!(by_order["Result"]["Tid"], original.as_str());
    })
    .await;
}

#[tokio::test]
async fn a_subscription_charges_until_cancelled() {
    within(async {
        let s = setup().await;
        let mut fields = card(cards::SUCCESS, "990", "o-sub");
        fields.extend([
            ("Rebill", "yes"),
            ("DownPayment", "1990"),
            ("Recurrence", "weekly"),
        ]);
        let first = s.v1("/api/payment/direct", &fields).await;
        assert_eq!(first["Result"]["Amount"], "19.90");
        let original = tid(&first);
        s.clock.advance(Duration::from_secs(14 * 86_400));
        assert_eq!(s.control(|fake, ctx| fake.run_due_schedules(ctx)).len(), 2);
        let follow_ups = s.server.provider().follow_ups(&original);
        let cancelled = s
            .v1("/api/payment/cancel", &[("Tid", &follow_ups[1].tid)])
            .await;
        assert_eq!(
            cancelled["Result"]["Message"],
            "Recurring transaction cancelled"
        );
        assert_eq!(cancelled["Result"]["OriginalPaymentTid"], original.as_str());
        s.clock.advance(Duration::from_secs(70 * 86_400));
        assert!(
            s.control(|fake, ctx| fake.run_due_schedules(ctx))
                .is_empty()
        );
        assert_eq!(
            s.server.provider().schedule_status(&original),
            Some("cancelled")
        );
        assert_eq!(
            s.v1("/api/payment/cancel", &[("Tid", &original)]).await["Code"],
            1
        );

        let sent = s.notifications().await;
        assert_eq!(sent.len(), 3);
        assert_eq!(field(&sent[2], "RebillCount"), Some("3"));
        assert_eq!(field(&sent[2], "Amount"), Some("9.90"));
        assert_eq!(field(&sent[2], "RebillStatus"), Some("active"));
        assert_eq!(
            field(&sent[2], "OriginalPaymentTid"),
            Some(original.as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn v2_tokens_expire_on_the_shared_clock() {
    within(async {
        let s = setup().await;
        let (status, body) = s
            .v2(
                "POST",
                "/v2/auth",
                None,
                Some(json!({"apiKey": "et_test_wrong"})),
            )
            .await;
        assert_eq!(status, 401);
        assert_eq!(body["success"], false);
        let (status, _) = s.v2("POST", "/v2/auth", None, Some(json!({}))).await;
        assert_eq!(status, 400);

        let (status, body) = s
            .v2("POST", "/v2/auth", None, Some(json!({"apiKey": KEY})))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["success"], true);
        assert_eq!(body["data"]["expiresIn"], 300);
        assert_eq!(body["data"]["expiresDate"], "2023-11-14T23:18:20+01:00");
        assert_eq!(body["date"].as_str().unwrap().len(), 25);
        let token = body["data"]["token"].as_str().unwrap().to_owned();

        let paid = s
            .v1("/api/payment/direct", &card(cards::SUCCESS, "1250", "o-v2"))
            .await;
        let path = format!("/v2/transaction/status?tid={}", tid(&paid));
        let (status, body) = s.v2("GET", &path, Some(&token), None).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["status"], "captured");
        assert_eq!(body["data"]["amount"], 1250);
        let (status, body) = s
            .v2(
                "GET",
                "/v2/transaction/status?orderId=o-v2",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            (status, body["data"]["tid"].clone()),
            (200, json!(tid(&paid)))
        );
        let (status, _) = s
            .v2(
                "GET",
                "/v2/transaction/status?orderId=nope",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = s
            .v2("GET", "/v2/transaction/status", Some(&token), None)
            .await;
        assert_eq!(status, 400);
        let (status, _) = s
            .v2(
                "GET",
                "/v2/transaction/status?tid=short",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(status, 400);

        let (status, _) = s.v2("GET", &path, None, None).await;
        assert_eq!(status, 401);
        let (status, _) = s.v2("GET", &path, Some("not.a.token"), None).await;
        assert_eq!(status, 401);
        s.clock.advance(Duration::from_secs(299));
        assert_eq!(s.v2("GET", &path, Some(&token), None).await.0, 200);
        s.clock.advance(Duration::from_secs(1));
        assert_eq!(s.v2("GET", &path, Some(&token), None).await.0, 401);
        let fresh = s.token().await;
        assert_eq!(s.v2("GET", &path, Some(&fresh), None).await.0, 200);
        assert_eq!(s.server.provider().tokens_issued(), 2);

        let log = format!("{:?}", s.server.requests());
        assert!(!log.contains(&token), "the token is redacted from the log");
        assert!(!log.contains(KEY));
    })
    .await;
}

#[tokio::test]
async fn v2_mandates_debits_and_open_banking() {
    within(async {
        let s = setup().await;
        let token = s.token().await;
        let (status, created) = s
            .v2(
                "POST",
                "/v2/sdd/mandate/create",
                Some(&token),
                Some(json!({"iban": "FR7630006000011234567890189", "email": "m@example.org"})),
            )
            .await;
        assert_eq!(status, 200, "{created}");
        let mandate = created["data"]["mandateId"].as_str().unwrap().to_owned();
        assert_eq!(mandate.len(), 20);
        let (status, _) = s
            .v2("POST", "/v2/sdd/mandate/create", Some(&token), Some(json!({"email": "m@example.org"})))
            .await;
        assert_eq!(status, 400);

        let (status, info) = s
            .v2("GET", &format!("/v2/sdd/mandate/{mandate}/status"), Some(&token), None)
            .await;
        assert_eq!((status, info["data"]["status"].clone()), (200, json!("active")));
        let (status, _) = s
            .v2("GET", "/v2/sdd/mandate/aaaaaaaaaaaaaaaaaaaa/status", Some(&token), None)
            .await;
        assert_eq!(status, 404);
        let (status, refused) = s
            .v2("GET", "/v2/sdd/mandate/NOT-VALID/status", Some(&token), None)
            .await;
        assert_eq!(status, 400);
        // The documented path rule (20 lower-case letters or digits), from the description.
        let detail = refused["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("mandateId"), "{refused}");

        let debit_path = format!("/v2/sdd/mandate/{mandate}/debit");
        let (status, debit) = s
            .v2(
                "POST",
                &debit_path,
                Some(&token),
                Some(json!({"amount": 3000, "orderId": "m-1", "multiplePayments": true, "multiplePaymentsRepeat": 2})),
            )
            .await;
        assert_eq!(status, 200, "{debit}");
        assert_eq!(debit["data"]["status"], "pending");
        assert_eq!(debit["data"]["amount"], 1500);
        let debit_tid = debit["data"]["tid"].as_str().unwrap().to_owned();
        let (status, _) = s
            .v2("POST", &debit_path, Some(&token), Some(json!({"amount": 0})))
            .await;
        assert_eq!(status, 400);
        let (status, _) = s
            .v2("POST", &debit_path, Some(&token), Some(json!({"amount": 100, "multiplePayments": true, "multiplePaymentsRepeat": 11})))
            .await;
        assert_eq!(status, 400);

        s.control(|fake, ctx| fake.settle_debit(ctx, &debit_tid)).unwrap();
        s.clock.advance(Duration::from_secs(32 * 86_400));
        let fresh = s.token().await;
        let (_, status_body) = s
            .v2("GET", &format!("/v2/transaction/status?tid={debit_tid}"), Some(&fresh), None)
            .await;
        assert_eq!(status_body["data"]["status"], "captured");
        let follow_ups = s.server.provider().follow_ups(&debit_tid);
        assert_eq!(follow_ups.len(), 1);
        assert_eq!(follow_ups[0].amount_cents, 1500);

        let (status, bank) = s
            .v2(
                "POST",
                "/v2/open-banking/init",
                Some(&fresh),
                Some(json!({"amount": 4200, "email": "buyer@example.org", "returnUrl": "https://shop.example.org/back"})),
            )
            .await;
        assert_eq!(status, 200, "{bank}");
        let redirect = bank["data"]["redirectUrl"].as_str().unwrap();
        assert!(redirect.starts_with(&format!("{}/v2/public/transaction/", s.server.base_url())));
        s.control(|fake, ctx| fake.reject_debit(ctx, bank["data"]["tid"].as_str().unwrap())).unwrap();

        let statuses: Vec<_> = s
            .notifications()
            .await
            .iter()
            .map(|n| field(n, "Status").unwrap().to_owned())
            .collect();
        assert_eq!(statuses, ["pending", "captured", "captured", "pending", "failed"]);
        assert!(s.server.snapshot().get(&ResourceKind::Mandate, &mandate).is_some());
    })
    .await;
}

#[tokio::test]
async fn a_lost_answer_is_reconciled_by_order_id() {
    within(async {
        let s = setup().await;
        s.server
            .faults()
            .on(Route::new("POST", "/api/payment/direct"))
            .then(Fault::AppliedThenLost)
            .then_normal();
        let body = signed_form(&card(cards::SUCCESS, "2500", "order-lost"), KEY);
        let lost = raw(
            s.server.addr(),
            "POST",
            "/api/payment/direct",
            &[("EASYTRANSAC-API-KEY", KEY)],
            body.as_bytes(),
        )
        .await;
        assert!(
            lost.is_err() || lost.as_ref().is_ok_and(Vec::is_empty),
            "{lost:?}"
        );
        let found = s
            .v1("/api/payment/status", &[("OrderId", "order-lost")])
            .await;
        assert_eq!(found["Result"]["Status"], "captured");
        assert_eq!(found["Result"]["Amount"], "25.00");
        assert_eq!(
            s.server.requests()[0].fault(),
            Some(FaultKind::AppliedThenLost)
        );
        assert_eq!(
            s.server.requests()[0].operation(),
            Some("v1_payment_direct")
        );

        s.server
            .faults()
            .on(Route::operation("v1_payment_status"))
            .then(Fault::status(503))
            .then_normal();
        let answer = call(
            s.server.addr(),
            "POST",
            "/api/payment/status",
            &[("EASYTRANSAC-API-KEY", KEY)],
            signed_form(&[("OrderId", "order-lost")], KEY).as_bytes(),
        )
        .await;
        assert_eq!(answer.status, 503);
        let error: Value = serde_json::from_str(&answer.text()).unwrap();
        assert_eq!(error["Code"], 9);
        assert!(error.get("Error").is_some());

        s.server
            .faults()
            .on(Route::new("POST", "/api/payment/refund"))
            .then(Fault::status(500))
            .then_normal();
        let tid = found["Result"]["Tid"].as_str().unwrap().to_owned();
        let refused = call(
            s.server.addr(),
            "POST",
            "/api/payment/refund",
            &[("EASYTRANSAC-API-KEY", KEY)],
            signed_form(&[("Tid", &tid)], KEY).as_bytes(),
        )
        .await;
        assert_eq!(refused.status, 500);
        assert_eq!(s.server.provider().payment(&tid).unwrap().refunded_cents, 0);
    })
    .await;
}

#[tokio::test]
async fn the_registered_fake_accepts_the_documented_test_key() {
    within(async {
        let fake = pay_testkit::registry::make("easytransac").unwrap();
        assert_eq!(fake.name(), "easytransac");
        let server = FakeServer::builder().start(fake).await.unwrap();
        let answer = call(
            server.addr(),
            "POST",
            "/api/payment/direct",
            &[("EASYTRANSAC-API-KEY", TEST_API_KEY)],
            signed_form(&card(cards::SUCCESS, "100", "o-bin"), TEST_API_KEY).as_bytes(),
        )
        .await;
        let text = answer.text();
        verify_response(&text, &SecretString::from(TEST_API_KEY)).unwrap();
        assert!(text.contains("\"captured\""));
        assert!(
            server.webhooks().pending().is_empty(),
            "no notification URL"
        );
    })
    .await;
}

#[tokio::test]
async fn the_binary_serves_the_easytransac_fake() {
    within(async {
        let mut child = KillOnDrop(
            std::process::Command::new(env!("CARGO_BIN_EXE_pay-testkit"))
                .args(["serve", "--provider", "easytransac", "--port", "0"])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("the binary starts"),
        );
        let stdout = child.0.stdout.take().expect("stdout");
        let first_line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
                .map(|_| line)
        })
        .await
        .expect("join");
        let base_url = first_line.expect("a first line").trim().to_owned();
        let addr = base_url
            .strip_prefix("http://")
            .expect("an http URL")
            .parse()
            .expect("an address");
        let answer = call(
            addr,
            "POST",
            "/api/payment/status",
            &[("EASYTRANSAC-API-KEY", TEST_API_KEY)],
            signed_form(&[("OrderId", "nothing-yet")], TEST_API_KEY).as_bytes(),
        )
        .await;
        drop(child);
        let json: Value = serde_json::from_str(&answer.text()).unwrap();
        assert_eq!(json["Code"], 1, "{json}");
    })
    .await;
}

/// Stops the binary started by a test, however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every V1 operation of the API description is either modelled (the tests above drive
/// each of those) or refused with ApiError 1 naming its path: the fake never answers an
/// operation it does not model with a made-up success.
#[tokio::test]
async fn every_v1_operation_is_modelled_or_refused_by_name() {
    const MODELLED: &[&str] = &[
        "/api/payment/direct",
        "/api/payment/oneclick",
        "/api/payment/sdd/init",
        "/api/payment/bybank",
        "/api/payment/page",
        "/api/payment/cancelpage",
        "/api/payment/resendpage",
        "/api/payment/status",
        "/api/payment/refund",
        "/api/payment/capture",
        "/api/payment/cancel",
        "/api/payment/card/list",
        "/api/payment/sdd/list",
        "/api/payment/history",
        "/api/payment/requests",
        "/api/payment/card/infos",
        "/api/user/add",
        "/api/user/update",
        "/api/user/find",
        "/api/user/operations",
        "/api/user/payout",
        "/api/user/payouts",
        "/api/user/logo",
        "/api/user/activity",
        "/api/user/activity/update",
        "/api/kyc/add",
        "/api/kyc/get",
        "/api/kyc/find",
        "/api/payment/transfer",
        "/api/payment/rebill/update",
    ];
    within(async {
        let s = setup().await;
        let v1: Vec<_> = pay_testkit::generated::easytransac::OPERATIONS
            .iter()
            .filter(|op| op.path.starts_with("/api/"))
            .collect();
        assert_eq!(v1.len(), 30, "the description's V1 operations");
        for path in MODELLED {
            assert!(v1.iter().any(|op| op.path == *path), "{path} is described");
        }
        let mut refused = 0;
        for op in v1.iter().filter(|op| !MODELLED.contains(&op.path)) {
            let answer = s.v1(op.path, &[("Email", "a@example.org")]).await;
            assert_eq!(answer["Code"], 1, "{}: {answer}", op.path);
            let error = answer["Error"].as_str().unwrap_or_default();
            assert!(error.contains(op.path), "{}: {error}", op.path);
            refused += 1;
        }
        assert_eq!(refused, 30 - MODELLED.len());
        assert_eq!(refused, 0, "every V1 operation is modelled");
        assert!(s.server.provider().payments().is_empty());
    })
    .await;
}

/// Delivers what is queued and returns the `n`th entry (from 1) a Ledger receiver
/// stored, as a form whose signature was checked.
fn signed_entry(receiver: &FakeServer<Ledger>, n: usize) -> Vec<(String, String)> {
    let body = receiver.provider().body_of(&format!("e{n}")).unwrap();
    let form = pay_testkit::form::decode(&body);
    let params = Params::from_form(&form).unwrap();
    verify_notification(&params, &SecretString::from(KEY)).unwrap();
    form
}

#[tokio::test]
async fn the_browser_return_is_posted_signed_or_sent_as_a_get_with_essentials() {
    within(async {
        let s = setup().await;
        let returns = FakeServer::start(Ledger::new()).await.unwrap();
        let post_url = returns.url("/entries");
        let get_url = returns.url("/echo?shop=1");

        // 3-D Secure completed, ReturnMethod absent: POST.
        let mut fields = card(cards::THREE_DS_CHALLENGE, "700", "r-1");
        fields.push(("ReturnUrl", &post_url));
        let completed = tid(&s.v1("/api/payment/direct", &fields).await);
        // 3-D Secure failed, ReturnMethod=GET.
        let mut fields = card(cards::THREE_DS_CHALLENGE, "800", "r-2");
        fields.extend([("ReturnUrl", get_url.as_str()), ("ReturnMethod", "GET")]);
        let failed = tid(&s.v1("/api/payment/direct", &fields).await);
        // No challenge: the answer is synchronous, no browser return.
        let mut fields = card(cards::SUCCESS, "900", "r-3");
        fields.push(("ReturnUrl", &post_url));
        s.v1("/api/payment/direct", &fields).await;
        assert_eq!(s.server.webhooks().pending().len(), 3);

        s.control(|fake, ctx| fake.complete_3ds(ctx, &completed))
            .unwrap();
        s.control(|fake, ctx| fake.fail_3ds(ctx, &failed)).unwrap();
        assert_eq!(s.notifications().await.len(), 5);
        assert_eq!(returns.provider().len(), 1);
        let posted = signed_entry(&returns, 1);
        assert_eq!(field(&posted, "Tid"), Some(completed.as_str()));
        assert_eq!(field(&posted, "Status"), Some("captured"));
        assert_eq!(field(&posted, "OrderId"), Some("r-1"));
        assert_eq!(field(&posted, "Amount"), Some("7.00"));

        let gets: Vec<_> = returns
            .requests()
            .into_iter()
            .filter(|r| r.method() == "GET")
            .collect();
        assert_eq!(gets.len(), 1);
        assert_eq!(gets[0].path(), "/echo");
        let query = pay_testkit::form::decode(gets[0].query().unwrap());
        let expected = [
            ("shop", "1"),
            ("Tid", failed.as_str()),
            ("OrderId", "r-2"),
            ("Status", "failed"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(query, expected);
        assert!(gets[0].body().is_empty());

        // Payment pages: paid, declined and abandoned all send the browser back.
        let page = |order: &'static str| {
            vec![
                ("Amount", "1250"),
                ("ClientIp", "10.0.0.2"),
                ("OrderId", order),
                ("ReturnUrl", post_url.as_str()),
                ("ReturnMethod", "POST"),
            ]
        };
        let mut request_ids = Vec::new();
        for order in ["rp-1", "rp-2", "rp-3"] {
            let created = s.v1("/api/payment/page", &page(order)).await;
            request_ids.push(created["Result"]["RequestId"].as_str().unwrap().to_owned());
        }
        let paid = s
            .control(|fake, ctx| fake.pay_page(ctx, &request_ids[0]))
            .unwrap();
        let declined = s
            .control(|fake, ctx| fake.fail_page(ctx, &request_ids[1]))
            .unwrap();
        s.control(|fake, ctx| fake.abandon_page(ctx, &request_ids[2]))
            .unwrap();
        assert_eq!(s.notifications().await.len(), 2);
        assert_eq!(returns.provider().len(), 4);
        let paid_form = signed_entry(&returns, 2);
        assert_eq!(field(&paid_form, "Tid"), Some(paid.as_str()));
        assert_eq!(field(&paid_form, "Status"), Some("captured"));
        assert_eq!(
            field(&paid_form, "RequestId"),
            Some(request_ids[0].as_str())
        );
        let declined_form = signed_entry(&returns, 3);
        assert_eq!(field(&declined_form, "Tid"), Some(declined.as_str()));
        assert_eq!(field(&declined_form, "Status"), Some("failed"));
        assert_eq!(field(&declined_form, "Error"), Some("Insufficient funds"));
        // No transaction, so no `Tid`: `verify_notification` (which needs one) refuses
        // it, but the signature holds.
        let abandoned = pay_testkit::form::decode(&returns.provider().body_of("e4").unwrap());
        let params = Params::from_form(&abandoned).unwrap();
        assert!(verify_notification(&params, &SecretString::from(KEY)).is_err());
        let signature = field(&abandoned, "Signature").unwrap();
        verify(&params, &SecretString::from(KEY), signature).unwrap();
        assert_eq!(field(&abandoned, "Tid"), None);
        assert_eq!(field(&abandoned, "Status"), Some("failed"));
        assert_eq!(field(&abandoned, "OrderId"), Some("rp-3"));
        assert_eq!(
            field(&abandoned, "RequestId"),
            Some(request_ids[2].as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn a_chargeback_keeps_the_status_and_shows_its_dates() {
    within(async {
        let s = setup().await;
        let captured = tid(&s
            .v1("/api/payment/direct", &card(cards::SUCCESS, "4200", "cb-1"))
            .await);
        let pending = tid(&s
            .v1(
                "/api/payment/direct",
                &card(cards::THREE_DS_CHALLENGE, "100", "cb-2"),
            )
            .await);
        assert!(matches!(
            s.control(|fake, ctx| fake.open_chargeback(ctx, &pending)),
            Err(ScenarioError::WrongState { .. })
        ));
        assert_eq!(
            s.control(|fake, ctx| fake.open_chargeback(ctx, "ET999999")),
            Err(ScenarioError::UnknownTransaction("ET999999".to_owned()))
        );
        assert!(matches!(
            s.control(|fake, ctx| fake.represent_chargeback(ctx, &captured)),
            Err(ScenarioError::WrongState { .. })
        ));

        s.clock.advance(Duration::from_secs(3_600));
        s.control(|fake, ctx| fake.open_chargeback(ctx, &captured))
            .unwrap();
        let looked_up = s.status_of(&captured).await;
        assert_eq!(looked_up["Result"]["Status"], "captured");
        assert_eq!(looked_up["Result"]["OperationType"], "chargeback");
        assert_eq!(looked_up["Result"]["DateChargeback"], "2023-11-15 00:13:20");
        assert!(looked_up["Result"].get("DateRepresentment").is_none());
        assert!(matches!(
            s.control(|fake, ctx| fake.open_chargeback(ctx, &captured)),
            Err(ScenarioError::WrongState { .. })
        ));
        // The bank took the money back already: no refund on top.
        assert_eq!(
            s.v1("/api/payment/refund", &[("Tid", &captured)]).await["Code"],
            1
        );

        s.clock.advance(Duration::from_secs(86_400));
        s.control(|fake, ctx| fake.represent_chargeback(ctx, &captured))
            .unwrap();
        let looked_up = s.status_of(&captured).await;
        assert_eq!(looked_up["Result"]["Status"], "captured");
        assert_eq!(looked_up["Result"]["DateChargeback"], "2023-11-15 00:13:20");
        assert_eq!(
            looked_up["Result"]["DateRepresentment"],
            "2023-11-16 00:13:20"
        );
        assert!(matches!(
            s.control(|fake, ctx| fake.represent_chargeback(ctx, &captured)),
            Err(ScenarioError::WrongState { .. })
        ));
        let view = s.server.provider().payment(&captured).unwrap();
        assert_eq!(view.operation_type, "chargeback");
        assert_eq!(view.date_chargeback.as_deref(), Some("2023-11-15 00:13:20"));
        assert_eq!(
            view.date_representment.as_deref(),
            Some("2023-11-16 00:13:20")
        );
        let snapshot = s.server.snapshot();
        let resource = snapshot
            .of_kind(&ResourceKind::Payment)
            .into_iter()
            .find(|r| r.id() == captured)
            .unwrap();
        assert_eq!(
            resource.field("date_chargeback"),
            Some("2023-11-15T00:13:20+01:00")
        );

        let sent: Vec<_> = s
            .notifications()
            .await
            .into_iter()
            .filter(|n| field(n, "Tid") == Some(captured.as_str()))
            .collect();
        assert_eq!(sent.len(), 3);
        assert_eq!(field(&sent[0], "DateChargeback"), None);
        assert_eq!(field(&sent[1], "Status"), Some("captured"));
        assert_eq!(field(&sent[1], "OperationType"), Some("chargeback"));
        assert_eq!(
            field(&sent[1], "DateChargeback"),
            Some("2023-11-15 00:13:20")
        );
        assert_eq!(field(&sent[1], "DateRepresentment"), None);
        assert_eq!(
            field(&sent[2], "DateRepresentment"),
            Some("2023-11-16 00:13:20")
        );
    })
    .await;
}

#[tokio::test]
async fn a_declined_follow_up_fails_with_its_notification_and_the_schedule_goes_on() {
    within(async {
        let s = setup().await;
        let mut fields = card(cards::SUCCESS, "990", "fail-sub");
        fields.extend([("Rebill", "yes"), ("Recurrence", "weekly")]);
        let original = tid(&s.v1("/api/payment/direct", &fields).await);
        let once = tid(&s
            .v1("/api/payment/direct", &card(cards::SUCCESS, "100", "once"))
            .await);
        assert!(matches!(
            s.server.provider().fail_next_charge(&once),
            Err(ScenarioError::WrongState { .. })
        ));
        assert_eq!(
            s.server.provider().fail_next_charge("ET999999"),
            Err(ScenarioError::UnknownTransaction("ET999999".to_owned()))
        );
        s.server.provider().fail_next_charge(&original).unwrap();

        s.clock.advance(Duration::from_secs(7 * 86_400));
        assert_eq!(s.control(|fake, ctx| fake.run_due_schedules(ctx)).len(), 1);
        s.clock.advance(Duration::from_secs(7 * 86_400));
        assert_eq!(s.control(|fake, ctx| fake.run_due_schedules(ctx)).len(), 1);
        let follow_ups = s.server.provider().follow_ups(&original);
        assert_eq!(follow_ups[0].status, "failed");
        assert_eq!(follow_ups[0].error.as_deref(), Some("Insufficient funds"));
        assert_eq!(follow_ups[0].charge_number, Some(2));
        assert_eq!(follow_ups[1].status, "captured");
        assert_eq!(follow_ups[1].charge_number, Some(3));
        assert_eq!(
            s.server.provider().schedule_status(&original),
            Some("active")
        );
        let looked_up = s.status_of(&follow_ups[0].tid).await;
        assert_eq!(looked_up["Result"]["Status"], "failed");
        assert_eq!(looked_up["Result"]["RebillCount"], "2");

        let sent: Vec<_> = s
            .notifications()
            .await
            .into_iter()
            .filter(|n| field(n, "OrderId") == Some("fail-sub"))
            .collect();
        assert_eq!(sent.len(), 3);
        assert_eq!(field(&sent[1], "Tid"), Some(follow_ups[0].tid.as_str()));
        assert_eq!(field(&sent[1], "Status"), Some("failed"));
        assert_eq!(field(&sent[1], "Error"), Some("Insufficient funds"));
        assert_eq!(field(&sent[1], "AdditionalError"), Some("Do not honor"));
        assert_eq!(
            field(&sent[1], "OriginalPaymentTid"),
            Some(original.as_str())
        );
        assert_eq!(field(&sent[1], "RebillCount"), Some("2"));
        assert_eq!(field(&sent[1], "RebillStatus"), Some("active"));
        assert_eq!(field(&sent[2], "Status"), Some("captured"));
        assert_eq!(field(&sent[2], "RebillCount"), Some("3"));

        // Instalments: a follow-up's Tid names the schedule too; the last instalment
        // fails and the schedule is finished.
        let mut fields = card(cards::SUCCESS, "9000", "fail-inst");
        fields.extend([("MultiplePayments", "yes"), ("MultiplePaymentsRepeat", "3")]);
        let first = tid(&s.v1("/api/payment/direct", &fields).await);
        s.clock.advance(Duration::from_secs(31 * 86_400));
        s.control(|fake, ctx| fake.run_due_schedules(ctx));
        let second = s.server.provider().follow_ups(&first)[0].tid.clone();
        s.server.provider().fail_next_charge(&second).unwrap();
        s.clock.advance(Duration::from_secs(31 * 86_400));
        s.control(|fake, ctx| fake.run_due_schedules(ctx));
        let follow_ups = s.server.provider().follow_ups(&first);
        assert_eq!(follow_ups.len(), 2);
        assert_eq!(follow_ups[0].status, "captured");
        assert_eq!(follow_ups[1].status, "failed");
        assert_eq!(follow_ups[1].amount_cents, 3000);
        assert_eq!(
            s.server.provider().schedule_status(&first),
            Some("finished")
        );
        assert!(matches!(
            s.server.provider().fail_next_charge(&first),
            Err(ScenarioError::WrongState { .. })
        ));
        let sent: Vec<_> = s
            .notifications()
            .await
            .into_iter()
            .filter(|n| field(n, "OrderId") == Some("fail-inst"))
            .collect();
        assert_eq!(sent.len(), 3);
        assert_eq!(field(&sent[2], "Status"), Some("failed"));
        assert_eq!(field(&sent[2], "MultiplePaymentsCount"), Some("3"));
        assert_eq!(field(&sent[2], "MultiplePaymentsStatus"), Some("finished"));
        assert_eq!(field(&sent[2], "OriginalPaymentTid"), Some(first.as_str()));
    })
    .await;
}

#[tokio::test]
async fn injected_faults_answer_in_the_shape_of_their_api_generation() {
    within(async {
        let s = setup().await;
        let token = s.token().await;
        s.server
            .faults()
            .on(Route::new("GET", "/v2/transaction/status"))
            .then(Fault::status(503))
            .then(Fault::RateLimited {
                retry_after: Duration::from_secs(2),
            })
            .then_normal();
        let bearer = format!("Bearer {token}");
        let headers = [("Authorization", bearer.as_str())];
        for expected in [503, 429] {
            let answer = call(
                s.server.addr(),
                "GET",
                "/v2/transaction/status?tid=ET000001",
                &headers,
                b"",
            )
            .await;
            assert_eq!(answer.status, expected);
            let body: Value = serde_json::from_str(&answer.text()).unwrap();
            assert_eq!(body["success"], false, "{body}");
            assert_eq!(body["date"], "2023-11-14T23:13:20+01:00");
            assert!(body["detail"].is_string());
            assert!(body.get("Code").is_none());
        }

        s.server
            .faults()
            .on(Route::new("POST", "/api/payment/status"))
            .then(Fault::status(503))
            .then_normal();
        let answer = call(
            s.server.addr(),
            "POST",
            "/api/payment/status",
            &[("EASYTRANSAC-API-KEY", KEY)],
            signed_form(&[("Tid", "ET000001")], KEY).as_bytes(),
        )
        .await;
        assert_eq!(answer.status, 503);
        let body: Value = serde_json::from_str(&answer.text()).unwrap();
        assert_eq!(body["Code"], 9);
        assert!(body.get("success").is_none());
    })
    .await;
}

#[tokio::test]
async fn parameter_names_are_read_without_regard_to_case() {
    within(async {
        let s = setup().await;
        // The official PHP SDK's payment-page request: `ClientIP`, which production
        // accepts. The signature lower-cases names, so it signs the same either way.
        let created = s
            .v1(
                "/api/payment/page",
                &[
                    ("Amount", "1250"),
                    ("ClientIP", "10.0.0.2"),
                    ("Email", "bo@example.org"),
                    ("OrderId", "sdk-page"),
                ],
            )
            .await;
        assert_eq!(created["Code"], 0, "{created}");
        assert_eq!(created["Result"]["Status"], "pending");
        // Any case, and of two spellings the last one wins.
        let paid = s
            .v1(
                "/api/payment/direct",
                &[
                    ("amount", "100"),
                    ("AMOUNT", "250"),
                    ("cardnumber", cards::SUCCESS),
                    ("CardMonth", "12"),
                    ("CARDYEAR", "2030"),
                    ("CardCvv", "123"),
                    ("clientip", "10.0.0.1"),
                ],
            )
            .await;
        assert_eq!(paid["Code"], 0, "{paid}");
        assert_eq!(paid["Result"]["Amount"], "2.50");
        // A name that matches nothing documented is still missing.
        let answer = s
            .v1(
                "/api/payment/page",
                &[("Amount", "1250"), ("Client_IP", "10.0.0.2")],
            )
            .await;
        assert_eq!(answer["Code"], 5);
        assert_eq!(answer["Error"], "Missing parameter: ClientIp");
    })
    .await;
}

#[tokio::test]
async fn scenario_controls_over_http() {
    within(async {
        let receiver = FakeServer::start(Ledger::new()).await.unwrap();
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let config = EasytransacConfig::new(SecretString::from(KEY))
            .notification_url(receiver.url("/entries"))
            .control_clock(clock.clone());
        let server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasytransacFake::new(config))
            .await
            .unwrap();
        let s = Setup {
            server,
            receiver,
            clock,
        };
        let control = |path: String| {
            let addr = s.server.addr();
            async move {
                let answer = call(addr, "POST", &path, &[], b"").await;
                (
                    answer.status,
                    serde_json::from_str::<Value>(&answer.text()).unwrap(),
                )
            }
        };

        // Pay a page.
        let created = s
            .v1(
                "/api/payment/page",
                &[
                    ("Amount", "1250"),
                    ("ClientIp", "10.0.0.2"),
                    ("OrderId", "c-1"),
                ],
            )
            .await;
        let request_id = created["Result"]["RequestId"].as_str().unwrap().to_owned();
        let (status, body) = control(format!("/_testkit/pay-page?request_id={request_id}")).await;
        assert_eq!(status, 200, "{body}");
        let tid = body["tid"].as_str().unwrap().to_owned();
        assert_eq!(s.status_of(&tid).await["Result"]["Status"], "captured");
        let (status, _) = control(format!("/_testkit/pay-page?request_id={request_id}")).await;
        assert_eq!(status, 409);

        // Finish 3-D Secure.
        let challenged = s
            .v1(
                "/api/payment/direct",
                &card(cards::THREE_DS_CHALLENGE, "700", "c-2"),
            )
            .await;
        let tid = challenged["Result"]["Tid"].as_str().unwrap().to_owned();
        let (status, body) = control(format!("/_testkit/complete-3ds?tid={tid}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(s.status_of(&tid).await["Result"]["Status"], "captured");

        // Settle a debit.
        let debit = s
            .v1(
                "/api/payment/sdd/init",
                &[
                    ("Amount", "1500"),
                    ("Uid", "u-1"),
                    ("Email", "bo@example.org"),
                    ("Lastname", "Silva"),
                    ("Iban", "FR1420041010050500013M02606"),
                    ("ClientIp", "10.0.0.3"),
                    ("Address", "1 rue de la Paix"),
                    ("ZipCode", "75002"),
                    ("City", "Paris"),
                    ("Country", "FRA"),
                ],
            )
            .await;
        let tid = debit["Result"]["Tid"].as_str().unwrap().to_owned();
        let (status, _) = control(format!("/_testkit/settle-debit?tid={tid}")).await;
        assert_eq!(status, 200);
        assert_eq!(s.status_of(&tid).await["Result"]["Status"], "captured");

        // Advance the clock: a weekly subscription charges its second period.
        let mut fields = card(cards::SUCCESS, "990", "c-sub");
        fields.extend([("Rebill", "yes"), ("Recurrence", "weekly")]);
        let original = tid_of(&s.v1("/api/payment/direct", &fields).await);
        let (status, body) = control("/_testkit/advance-clock?seconds=691200".to_owned()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["now"], 1_700_000_000 + 691_200);
        assert_eq!(s.server.provider().follow_ups(&original).len(), 1);
        assert_eq!(
            pay_core::Clock::now(&s.clock),
            from_unix_seconds(1_700_000_000 + 691_200)
        );

        // Unknown things.
        assert_eq!(
            control("/_testkit/complete-3ds?tid=ET999999".to_owned())
                .await
                .0,
            404
        );
        assert_eq!(control("/_testkit/complete-3ds".to_owned()).await.0, 400);
        assert_eq!(control("/_testkit/teleport".to_owned()).await.0, 404);
        let get = call(s.server.addr(), "GET", "/_testkit/run-schedules", &[], b"").await;
        assert_eq!(get.status, 405);
    })
    .await;
}

fn tid_of(answer: &Value) -> String {
    answer["Result"]["Tid"].as_str().unwrap().to_owned()
}

#[test]
fn the_serving_registry_configures_notifications_and_the_clock() {
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let fake = pay_testkit::registry::make_for_serving(
        "EasyTransac",
        Some("http://127.0.0.1:9/notify"),
        &clock,
    )
    .unwrap();
    assert_eq!(fake.name(), "easytransac");
    let other = pay_testkit::registry::make_for_serving("easypay", None, &clock).unwrap();
    assert_eq!(other.name(), "easypay");
    assert!(pay_testkit::registry::make_for_serving("stripe", None, &clock).is_err());
}

#[tokio::test]
async fn lists_card_information_sub_accounts_and_documents() {
    within(async {
        let s = setup().await;
        let paid = s
            .v1("/api/payment/direct", &card(cards::SUCCESS, "1500", "h-1"))
            .await;
        let tid = tid_of(&paid);
        let history = s.v1("/api/payment/history", &[("Limit", "10")]).await;
        assert_eq!(history["Result"][0]["Tid"], tid.as_str());
        assert_eq!(history["Result"][0]["Amount"], "15.00");
        let info = s
            .v1("/api/payment/card/infos", &[("CardNumber", cards::SUCCESS)])
            .await;
        assert_eq!(info["Result"]["CardBIN"], "411111");
        assert!(!info.to_string().contains(cards::SUCCESS));

        let added = s
            .v1(
                "/api/user/add",
                &[("Email", "shop@example.org"), ("Password", "s3cret-pass")],
            )
            .await;
        let id = added["Result"]["Id"].as_str().unwrap().to_owned();
        let again = s
            .v1("/api/user/add", &[("Email", "shop@example.org")])
            .await;
        assert_eq!(again["Code"], 1);
        s.v1("/api/user/update", &[("Id", &id), ("Company", "Shop")])
            .await;
        let found = s.v1("/api/user/find", &[("Id", &id)]).await;
        assert_eq!(found["Result"]["Company"], "Shop");
        assert!(found["Result"].get("Password").is_none(), "{found}");
        let doc = s
            .v1(
                "/api/kyc/add",
                &[
                    ("Id", &id),
                    ("DocumentType", "IDENTITY_PROOF"),
                    ("Content", "aGVsbG8="),
                    ("Extension", "pdf"),
                ],
            )
            .await;
        let doc_id = doc["Result"]["Id"].as_str().unwrap().to_owned();
        let got = s.v1("/api/kyc/get", &[("DocumentId", &doc_id)]).await;
        assert_eq!(got["Result"]["Status"], "pending");
        assert!(got["Result"].get("Content").is_none());
        let listed = s.v1("/api/kyc/find", &[("Id", &id)]).await;
        assert_eq!(listed["Result"].as_array().unwrap().len(), 1);
        let payout = s.v1("/api/user/payout", &[]).await;
        assert_eq!(payout["Result"]["Status"], "pending");
        let payouts = s.v1("/api/user/payouts", &[]).await;
        assert_eq!(payouts["Result"].as_array().unwrap().len(), 1);

        // A transfer, and a subscription's update from its next charge on.
        let sent = s
            .v1(
                "/api/payment/transfer",
                &[("Amount", "700"), ("To", "friend@example.org")],
            )
            .await;
        assert_eq!(sent["Result"]["Status"], "captured");
        assert_eq!(sent["Result"]["Amount"], "7.00");
        let mut fields = card(cards::SUCCESS, "990", "h-sub");
        fields.extend([("Rebill", "yes"), ("Recurrence", "weekly")]);
        let original = tid_of(&s.v1("/api/payment/direct", &fields).await);
        let updated = s
            .v1(
                "/api/payment/rebill/update",
                &[
                    ("Tid", &original),
                    ("Amount", "1290"),
                    ("Recurrence", "monthly"),
                ],
            )
            .await;
        assert_eq!(updated["Result"]["Amount"], "12.90");
        s.clock.advance(Duration::from_secs(32 * 86_400));
        s.control(|fake, ctx| fake.run_due_schedules(ctx));
        let follow_ups = s.server.provider().follow_ups(&original);
        assert_eq!(follow_ups.len(), 1, "monthly now: one charge in 32 days");
        assert_eq!(follow_ups[0].amount_cents, 1290);
        let missing = s
            .v1(
                "/api/payment/rebill/update",
                &[("Tid", "ET999999"), ("Amount", "1")],
            )
            .await;
        assert_eq!(missing["Code"], 1);
    })
    .await;
}
