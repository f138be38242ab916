//! Browser tests of the Easytransac fake's customer pages: headless Chromium pays,
//! declines, abandons, passes and fails 3-D Secure (payment page, direct and OneClick),
//! signs and refuses a SEPA mandate and approves a V1 bank transfer or V2 open-banking
//! payment, then returns to a merchant; each test checks the fake's
//! state, the PUSH notification delivered, and the return the merchant received
//! (verified with pay-easytransac's `verify_return`), as the API-driven path leaves them.

use std::time::SystemTime;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pay_core::RawWebhook;
use pay_easytransac::EasytransacClient;
use pay_signing::easytransac::{Params, sign, verify};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
use pay_testkit::{Context, FakeServer, ResourceKind};
use secrecy::SecretString;
use serde_json::Value;

use crate::support::{Merchant, Received, Session, browser};

const KEY: &str = "et_test_browser-key-4b1d";
/// A Luhn-valid card that is none of the testkit's listed numbers (paid).
const CARD: &str = "5555555555554444";
const CVV: &str = "987";

struct Shop {
    server: FakeServer<EasytransacFake>,
    merchant: Merchant,
}

async fn shop() -> Shop {
    let merchant = Merchant::start().await;
    let config =
        EasytransacConfig::new(SecretString::from(KEY)).notification_url(merchant.url("/notify"));
    let server = FakeServer::start(EasytransacFake::new(config))
        .await
        .expect("start the fake");
    Shop { server, merchant }
}

impl Shop {
    /// A signed V1 call; answers `Result`.
    async fn v1(&self, path: &str, fields: &[(&str, &str)]) -> Value {
        let params = Params::from_form(fields).expect("form params");
        let signature = sign(&params, &SecretString::from(KEY))
            .expect("sign")
            .into_string();
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        pairs.push(("Signature", &signature));
        let client: HttpClient<HttpConnector, Full<Bytes>> =
            HttpClient::builder(TokioExecutor::new()).build(HttpConnector::new());
        let request = hyper::Request::post(self.server.url(path))
            .header("EASYTRANSAC-API-KEY", KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(encode_form(&pairs))))
            .expect("a request");
        let answer = client.request(request).await.expect("the fake answers");
        let body = answer
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let json: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(json["Code"], 0, "{json}");
        json["Result"].clone()
    }

    /// A payment page for 12.50 EUR returning to the merchant.
    async fn page(&self, extra: &[(&str, &str)]) -> (String, String) {
        let return_url = self.merchant.url("/return");
        let cancel_url = self.merchant.url("/cancel");
        let mut fields = vec![
            ("Amount", "1250"),
            ("ClientIp", "10.0.0.2"),
            ("Email", "bo@example.org"),
            ("OrderId", "order-b"),
            ("Description", "Two tickets"),
            ("ReturnUrl", return_url.as_str()),
            ("CancelUrl", cancel_url.as_str()),
        ];
        fields.extend_from_slice(extra);
        let page = self.v1("/api/payment/page", &fields).await;
        (
            page["RequestId"].as_str().expect("RequestId").to_owned(),
            page["PageUrl"].as_str().expect("PageUrl").to_owned(),
        )
    }

    fn control<T>(&self, act: impl FnOnce(&EasytransacFake, &Context<'_>) -> T) -> T {
        let clock = self.server.clock();
        let ctx = Context::new(&*clock, self.server.webhooks(), self.server.base_url());
        act(self.server.provider(), &ctx)
    }

    /// The status of resource `id` in the fake's snapshot.
    fn status_of(&self, kind: &ResourceKind, id: &str) -> String {
        self.server
            .snapshot()
            .get(kind, id)
            .map(|r| r.status().to_owned())
            .unwrap_or_else(|| panic!("no {kind:?} {id} in the snapshot"))
    }

    /// Delivers the outbox and answers every PUSH notification's `Status`, in order.
    async fn delivered_statuses(&self) -> Vec<String> {
        self.server.webhooks().deliver_now().await;
        self.merchant
            .at("/notify")
            .iter()
            .map(|n| {
                verified(n);
                n.field("Status").expect("Status")
            })
            .collect()
    }

    /// No card number and no CVV in the fake's request log.
    fn assert_log_has_no_card_data(&self) {
        let log = format!("{:?}", self.server.requests());
        assert!(!log.contains(CARD), "card number in the request log");
        assert!(!log.contains("5555 5555"), "card number in the request log");
        assert!(
            !log.contains(&format!("CardCVV={CVV}")),
            "CVV in the request log"
        );
    }
}

fn encode_form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        let mut out = String::new();
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The request verified as the merchant's return handler would, with the adapter.
fn verified(received: &Received) -> pay_easytransac::wire::V1Notification {
    let client = EasytransacClient::builder(SecretString::from(KEY))
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("a client");
    let raw = RawWebhook::new(
        received.headers.clone(),
        received.body.clone(),
        SystemTime::now(),
    );
    client
        .verify_return(&raw)
        .unwrap_or_else(|err| panic!("{} does not verify: {err}", received.target))
}

/// Types the card into the payment page and pays.
async fn pay_with(session: &mut Session, number: &str) {
    session.fill("card-number", number).await;
    session.fill("card-month", "12").await;
    session.fill("card-year", "2031").await;
    session.fill("card-cvv", CVV).await;
    session.fill("card-holder", "Bo Tester").await;
    session.screenshot("card-typed").await;
    session.click("pay-button").await;
}

/// On the return page: checks it, then goes back to the merchant.
async fn return_to_merchant(session: &mut Session, expect: &str) {
    let outcome = session
        .by_testid("outcome")
        .await
        .text()
        .await
        .expect("text");
    assert!(outcome.contains(expect), "{outcome:?} lacks {expect:?}");
    let source = session.source().await;
    assert!(!source.contains(CARD), "card number on the return page");
    session.screenshot("return-page").await;
    session.click("return-to-merchant").await;
    session.by_testid("merchant-page").await;
    session.screenshot("merchant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_paid_on_the_payment_page_is_captured_and_returned_signed() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let (request_id, url) = shop.page(&[]).await;
    let mut session = browser.session("easytransac-pay").await;
    session.goto(&url).await;
    assert_eq!(
        session.by_testid("amount").await.text().await.unwrap(),
        "12.50 EUR"
    );
    session.screenshot("payment-page").await;
    pay_with(&mut session, CARD).await;
    return_to_merchant(&mut session, "paid").await;
    assert!(
        session
            .current_url()
            .await
            .starts_with(&shop.merchant.url("/return"))
    );
    session.close().await;

    let returned = shop.merchant.wait_for("/return", 1).await;
    assert_eq!(returned.len(), 1);
    assert_eq!(returned[0].method, "POST");
    let back = verified(&returned[0]);
    assert_eq!(back.status.as_str(), "captured");
    assert_eq!(back.request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(back.order_id.as_deref(), Some("order-b"));
    assert_eq!(
        shop.status_of(&ResourceKind::Payment, &back.tid),
        "captured"
    );
    assert_eq!(
        shop.status_of(&ResourceKind::Other("payment_page".to_owned()), &request_id),
        "paid"
    );
    assert_eq!(
        shop.server
            .provider()
            .payment(&back.tid)
            .unwrap()
            .card_masked
            .as_deref(),
        Some("************4444")
    );
    assert_eq!(shop.delivered_statuses().await, ["captured"]);
    shop.assert_log_has_no_card_data();

    // The API-driven path (the scenario control) ends the same way.
    let other = self::shop().await;
    let (other_id, _) = other.page(&[]).await;
    let tid = other
        .control(|fake, ctx| fake.pay_page(ctx, &other_id))
        .unwrap();
    assert_eq!(other.status_of(&ResourceKind::Payment, &tid), "captured");
    assert_eq!(other.delivered_statuses().await, ["captured"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decline_card_entered_with_the_keyboard_fails_with_its_reason() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let (request_id, url) = shop.page(&[]).await;
    let mut session = browser.session("easytransac-decline").await;
    session.goto(&url).await;
    session
        .fill("card-number", cards::DECLINED_EXPIRED_CARD)
        .await;
    session.fill("card-month", "01").await;
    session.fill("card-year", "2030").await;
    // Enter in the last field submits the form, as for a keyboard user.
    session.fill("card-cvv", &format!("{CVV}\u{E007}")).await;
    session.by_testid("return-page").await;
    return_to_merchant(&mut session, "Expired card").await;
    session.close().await;

    let returned = shop.merchant.wait_for("/return", 1).await;
    let back = verified(&returned[0]);
    assert_eq!(back.status.as_str(), "failed");
    assert_eq!(returned[0].field("Error").as_deref(), Some("Expired card"));
    assert_eq!(shop.status_of(&ResourceKind::Payment, &back.tid), "failed");
    assert_eq!(
        shop.status_of(&ResourceKind::Other("payment_page".to_owned()), &request_id),
        "failed"
    );
    assert_eq!(shop.delivered_statuses().await, ["failed"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_card_number_is_refused_on_the_page_without_echo() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let (request_id, url) = shop.page(&[]).await;
    let mut session = browser.session("easytransac-bad-card").await;
    session.goto(&url).await;
    pay_with(&mut session, "5555555555554445").await;
    let alert = session.by_testid("form-error").await.text().await.unwrap();
    assert!(alert.contains("Luhn"), "{alert}");
    assert!(!session.source().await.contains("5555555555554445"));
    assert!(!session.has_testid("return-page").await);
    session.screenshot("refused").await;
    session.close().await;
    assert_eq!(
        shop.status_of(&ResourceKind::Other("payment_page".to_owned()), &request_id),
        "pending"
    );
    assert!(shop.server.provider().payments().is_empty());
    assert!(shop.server.webhooks().pending().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_ds_on_the_payment_page_passes_or_fails() {
    let Some(browser) = browser() else { return };
    for pass in [true, false] {
        let shop = shop().await;
        let (request_id, url) = shop.page(&[]).await;
        let name = if pass {
            "easytransac-3ds-pass"
        } else {
            "easytransac-3ds-fail"
        };
        let mut session = browser.session(name).await;
        session.goto(&url).await;
        pay_with(&mut session, cards::THREE_DS_CHALLENGE).await;
        session.by_testid("three-ds-page").await;
        assert!(
            session
                .current_url()
                .await
                .contains("/api/payment/3dsecure/")
        );
        session.screenshot("challenge").await;
        session
            .click(if pass {
                "three-ds-pass"
            } else {
                "three-ds-fail"
            })
            .await;
        let (status, page_status) = if pass {
            ("captured", "paid")
        } else {
            ("failed", "failed")
        };
        return_to_merchant(&mut session, if pass { "paid" } else { "declined" }).await;
        session.close().await;

        let returned = shop.merchant.wait_for("/return", 1).await;
        let back = verified(&returned[0]);
        assert_eq!(back.status.as_str(), status);
        assert_eq!(shop.status_of(&ResourceKind::Payment, &back.tid), status);
        assert_eq!(
            shop.status_of(&ResourceKind::Other("payment_page".to_owned()), &request_id),
            page_status
        );
        assert_eq!(shop.delivered_statuses().await, ["pending", status]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_payment_page_returns_to_cancel_url() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let (request_id, url) = shop.page(&[]).await;
    let mut session = browser.session("easytransac-cancel").await;
    session.goto(&url).await;
    session.click("cancel-button").await;
    return_to_merchant(&mut session, "without paying").await;
    session.close().await;

    let returned = shop.merchant.wait_for("/cancel", 1).await;
    assert_eq!(returned[0].field("Status").as_deref(), Some("failed"));
    assert_eq!(
        returned[0].field("RequestId").as_deref(),
        Some(request_id.as_str())
    );
    // Signed, but without a `Tid` (no transaction exists), so check the signature alone.
    let mut fields = returned[0].form();
    let signature = fields
        .pop()
        .filter(|(k, _)| k == "Signature")
        .expect("signed")
        .1;
    verify(
        &Params::from_form(&fields).unwrap(),
        &SecretString::from(KEY),
        &signature,
    )
    .expect("the cancel return verifies");
    assert_eq!(
        shop.status_of(&ResourceKind::Other("payment_page".to_owned()), &request_id),
        "abandoned"
    );
    assert!(shop.delivered_statuses().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_payments_challenge_returns_by_get_when_asked() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let return_url = shop.merchant.url("/return");
    let direct = shop
        .v1(
            "/api/payment/direct",
            &[
                ("Amount", "4200"),
                ("CardNumber", cards::THREE_DS_CHALLENGE),
                ("CardMonth", "12"),
                ("CardYear", "2030"),
                ("CardCVV", "123"),
                ("ClientIp", "10.0.0.1"),
                ("OrderId", "order-g"),
                ("ReturnUrl", &return_url),
                ("ReturnMethod", "GET"),
            ],
        )
        .await;
    let tid = direct["Tid"].as_str().unwrap().to_owned();
    let mut session = browser.session("easytransac-3ds-get").await;
    session.goto(direct["3DSecureUrl"].as_str().unwrap()).await;
    session.screenshot("challenge").await;
    session.click("three-ds-pass").await;
    session.by_testid("merchant-page").await;
    session.screenshot("merchant").await;
    assert_eq!(
        session.current_url().await,
        format!("{return_url}?Tid={tid}&OrderId=order-g&Status=captured")
    );
    session.close().await;

    let returned = shop.merchant.wait_for("/return", 1).await;
    assert_eq!(returned[0].method, "GET");
    assert_eq!(returned[0].field("Status").as_deref(), Some("captured"));
    assert_eq!(shop.status_of(&ResourceKind::Payment, &tid), "captured");
    assert_eq!(shop.delivered_statuses().await, ["pending", "captured"]);
}

async fn sepa_debit(shop: &Shop) -> Value {
    let return_url = shop.merchant.url("/return");
    shop.v1(
        "/api/payment/sdd/init",
        &[
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
            ("OrderId", "s-1"),
            ("ReturnUrl", &return_url),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_mandate_waits_for_the_bank_and_a_refused_one_fails() {
    let Some(browser) = browser() else { return };
    for sign in [true, false] {
        let shop = shop().await;
        let debit = sepa_debit(&shop).await;
        let tid = debit["Tid"].as_str().unwrap().to_owned();
        let name = if sign {
            "easytransac-mandate-sign"
        } else {
            "easytransac-mandate-refuse"
        };
        let mut session = browser.session(name).await;
        session.goto(debit["MandateUrl"].as_str().unwrap()).await;
        let iban = session.by_testid("iban").await.text().await.unwrap();
        assert_eq!(iban, "FR76 **** 0189");
        session.screenshot("mandate").await;
        if sign {
            session.check("mandate-consent").await;
            session.click("sign-mandate").await;
            return_to_merchant(&mut session, "signed").await;
        } else {
            session.click("refuse-mandate").await;
            return_to_merchant(&mut session, "refused").await;
        }
        session.close().await;

        let returned = shop.merchant.wait_for("/return", 1).await;
        let back = verified(&returned[0]);
        if sign {
            assert_eq!(back.status.as_str(), "pending");
            assert_eq!(shop.status_of(&ResourceKind::Payment, &tid), "pending");
            shop.control(|fake, ctx| fake.settle_debit(ctx, &tid))
                .unwrap();
            assert_eq!(shop.status_of(&ResourceKind::Payment, &tid), "captured");
            assert_eq!(shop.delivered_statuses().await, ["pending", "captured"]);
        } else {
            assert_eq!(back.status.as_str(), "failed");
            assert_eq!(shop.status_of(&ResourceKind::Payment, &tid), "failed");
            assert_eq!(shop.delivered_statuses().await, ["pending", "failed"]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_transfer_is_approved_or_cancelled_at_the_bank_page() {
    let Some(browser) = browser() else { return };
    for approve in [true, false] {
        let shop = shop().await;
        let return_url = shop.merchant.url("/return");
        let bank = shop
            .v1(
                "/api/payment/bybank",
                &[
                    ("Amount", "999"),
                    ("Email", "x@example.org"),
                    ("OrderId", "b-1"),
                    ("ReturnUrl", &return_url),
                ],
            )
            .await;
        let tid = bank["Tid"].as_str().unwrap().to_owned();
        let name = if approve {
            "easytransac-bank-approve"
        } else {
            "easytransac-bank-cancel"
        };
        let mut session = browser.session(name).await;
        session.goto(bank["RedirectUrl"].as_str().unwrap()).await;
        session.screenshot("bank").await;
        let (button, said, status) = if approve {
            ("bank-approve", "approved", "captured")
        } else {
            ("bank-cancel", "cancelled", "failed")
        };
        session.click(button).await;
        return_to_merchant(&mut session, said).await;
        session.close().await;

        let back = verified(&shop.merchant.wait_for("/return", 1).await[0]);
        assert_eq!(back.status.as_str(), status);
        assert_eq!(shop.status_of(&ResourceKind::Payment, &tid), status);
        assert_eq!(shop.delivered_statuses().await, ["pending", status]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_page_is_an_error_page_in_the_browser() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let (request_id, url) = shop.page(&[]).await;
    shop.control(|fake, ctx| fake.pay_page(ctx, &request_id))
        .unwrap();
    let mut session = browser.session("easytransac-finished").await;
    session.goto(&url).await;
    let reason = session.by_testid("page-error").await.text().await.unwrap();
    assert!(reason.contains("already finished"), "{reason}");
    session.screenshot("error").await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v2_open_banking_payment_is_approved_at_the_bank_page() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let return_url = shop.merchant.url("/return");
    let client = EasytransacClient::builder(SecretString::from(KEY))
        .base_url(shop.server.base_url())
        .build()
        .expect("a client");
    let request = pay_easytransac::wire::V2OpenBankingInitRequest::new(
        pay_core::wire::MinorUnits(4200),
        "bo@example.org".to_owned(),
        return_url,
    );
    let started = client
        .open_banking()
        .init(&request, &pay_core::CallOptions::new())
        .await
        .expect("open banking starts");
    let tid = started.data.tid.clone();
    let redirect = started.data.redirect_url.clone().expect("redirectUrl");
    assert!(redirect.starts_with(&format!("{}/v2/public/", shop.server.base_url())));

    let mut session = browser.session("easytransac-open-banking").await;
    session.goto(&redirect).await;
    session.screenshot("bank").await;
    session.click("bank-approve").await;
    return_to_merchant(&mut session, "approved").await;
    session.close().await;

    let back = verified(&shop.merchant.wait_for("/return", 1).await[0]);
    assert_eq!(back.status.as_str(), "captured");
    assert_eq!(shop.status_of(&ResourceKind::Payment, &tid), "captured");
    assert_eq!(shop.delivered_statuses().await, ["pending", "captured"]);

    // The API-driven path (the scenario control) ends the same way.
    let other = self::shop().await;
    let other_client = EasytransacClient::builder(SecretString::from(KEY))
        .base_url(other.server.base_url())
        .build()
        .expect("a client");
    let other_tid = other_client
        .open_banking()
        .init(&request, &pay_core::CallOptions::new())
        .await
        .expect("open banking starts")
        .data
        .tid;
    other
        .control(|fake, ctx| fake.settle_debit(ctx, &other_tid))
        .expect("settle");
    assert_eq!(
        other.status_of(&ResourceKind::Payment, &other_tid),
        "captured"
    );
    assert_eq!(other.delivered_statuses().await, ["pending", "captured"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_oneclick_payment_with_a_saved_challenge_card_passes_3ds_in_the_browser() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let return_url = shop.merchant.url("/return");
    // Save the card on a first payment without 3-D Secure, then pay with its alias.
    let saved = shop
        .v1(
            "/api/payment/direct",
            &[
                ("Amount", "100"),
                ("CardNumber", cards::THREE_DS_CHALLENGE),
                ("CardMonth", "12"),
                ("CardYear", "2030"),
                ("CardCVV", "123"),
                ("ClientIp", "10.0.0.1"),
                ("3DS", "no"),
                ("SaveCard", "yes"),
            ],
        )
        .await;
    let alias = saved["Alias"].as_str().expect("Alias").to_owned();
    let client_id = saved["Client"]["Id"].as_str().map(str::to_owned);
    let mut fields = vec![
        ("Amount", "2500"),
        ("Alias", alias.as_str()),
        ("ClientIp", "10.0.0.1"),
        ("OrderId", "order-oc"),
        ("ReturnUrl", return_url.as_str()),
    ];
    if let Some(id) = client_id.as_deref() {
        fields.push(("ClientId", id));
    }
    let oneclick = shop.v1("/api/payment/oneclick", &fields).await;
    assert_eq!(oneclick["Status"], "pending", "{oneclick}");
    let tid = oneclick["Tid"].as_str().expect("Tid").to_owned();

    let mut session = browser.session("easytransac-oneclick-3ds").await;
    session
        .goto(oneclick["3DSecureUrl"].as_str().expect("3DSecureUrl"))
        .await;
    session.screenshot("challenge").await;
    session.click("three-ds-pass").await;
    return_to_merchant(&mut session, "paid").await;
    session.close().await;

    let back = verified(&shop.merchant.wait_for("/return", 1).await[0]);
    assert_eq!(back.status.as_str(), "captured");
    assert_eq!(shop.status_of(&ResourceKind::Payment, &tid), "captured");
    assert_eq!(
        shop.delivered_statuses().await,
        ["captured", "pending", "captured"]
    );
}
