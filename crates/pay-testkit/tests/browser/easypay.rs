//! Browser tests of the Easypay fake's customer pages: headless Chromium types cards into
//! the card form of single, frequent and subscription payments (authorised, declined,
//! failed, refused, canceled), passes and fails 3-D Secure (payments and frequent
//! authorisations), answers MB WAY requests on the "approve on your phone" page, and pays
//! checkout sessions by card, MB WAY and Multibanco. Each test checks the fake's state,
//! the notifications delivered to the merchant, where the browser ended (the account's
//! `visa_fwd` URL, an outcome page or the checkout page), and that no card number or CVV
//! reached a page or the request log; the API-driven path (the scenario controls) is run
//! beside it for the same end state.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pay_testkit::easypay::{
    EasypayConfig, EasypayFake, PHONE_DECLINED, PHONE_PENDING, SANDBOX_ACCOUNT_ID, SANDBOX_API_KEY,
    checkout_page_url, mbway_page_url,
};
use pay_testkit::{Context, FakeServer, ResourceKind};
use serde_json::Value;

use crate::support::{Merchant, Session, browser};

/// Authorised (prefix `0000`), typed with spaces as a customer would.
const CARD_OK: &str = "0000 1111 2222 3333";
/// 3-D Secure (prefix `2222`).
const CARD_3DS: &str = "2222 3333 4444 5555";
/// Declined (any other prefix).
const CARD_DECLINED: &str = "1234 5678 1234 5678";
/// Failed (prefix `1111`).
const CARD_FAILS: &str = "1111 2222 3333 4444";
const CVV: &str = "737";

const CARD_SALE: &str =
    r#"{"value":12.5,"method":"cc","key":"order-7","capture":{"descriptive":"Two tickets"}}"#;

struct Shop {
    server: FakeServer<EasypayFake>,
    merchant: Merchant,
}

async fn shop() -> Shop {
    let merchant = Merchant::start().await;
    let config = EasypayConfig::sandbox()
        .with_generic_url(merchant.url("/generic"))
        .with_authorisation_url(merchant.url("/authorisation"))
        .with_transaction_url(merchant.url("/transaction"));
    let server = FakeServer::start(EasypayFake::new(config))
        .await
        .expect("start the fake");
    Shop { server, merchant }
}

impl Shop {
    /// An API call with the sandbox credentials; answers the JSON body (or `null`).
    async fn api(&self, method: &str, path: &str, body: &str) -> Value {
        let client: HttpClient<HttpConnector, Full<Bytes>> =
            HttpClient::builder(TokioExecutor::new()).build(HttpConnector::new());
        let request = hyper::Request::builder()
            .method(method)
            .uri(self.server.url(&format!("/2.0{path}")))
            .header("AccountId", SANDBOX_ACCOUNT_ID)
            .header("ApiKey", SANDBOX_API_KEY)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("a request");
        let answer = client.request(request).await.expect("the fake answers");
        let status = answer.status();
        let bytes = answer
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        assert!(
            status.is_success(),
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    async fn create(&self, body: &str) -> Value {
        self.api("POST", "/single", body).await
    }

    fn control<T>(&self, act: impl FnOnce(&EasypayFake, &Context<'_>) -> T) -> T {
        let clock = self.server.clock();
        let ctx = Context::new(&*clock, self.server.webhooks(), self.server.base_url());
        act(self.server.provider(), &ctx)
    }

    fn status_of(&self, kind: &ResourceKind, id: &str) -> String {
        self.server
            .snapshot()
            .get(kind, id)
            .map(|r| r.status().to_owned())
            .unwrap_or_else(|| panic!("no {kind:?} {id} in the snapshot"))
    }

    fn payment_field(&self, id: &str, field: &str) -> Option<String> {
        self.server
            .snapshot()
            .get(&ResourceKind::Payment, id)
            .and_then(|r| r.field(field).map(str::to_owned))
    }

    /// Delivers the outbox; answers the generic notifications the merchant received as
    /// `type:status`, and how many authorisation and transaction notifications came.
    async fn delivered(&self) -> (Vec<String>, usize, usize) {
        self.server.webhooks().deliver_now().await;
        let generic = self
            .merchant
            .at("/generic")
            .iter()
            .map(|n| {
                let body: Value = serde_json::from_slice(&n.body).expect("JSON");
                format!(
                    "{}:{}",
                    body["type"].as_str().unwrap_or_default(),
                    body["status"].as_str().unwrap_or_default()
                )
            })
            .collect();
        (
            generic,
            self.merchant.at("/authorisation").len(),
            self.merchant.at("/transaction").len(),
        )
    }

    /// No card number and no CVV in the fake's request log.
    fn assert_log_has_no_card_data(&self) {
        let log = format!("{:?}", self.server.requests());
        for card in [CARD_OK, CARD_3DS, CARD_DECLINED, CARD_FAILS] {
            assert!(!log.contains(card), "card number in the request log");
            assert!(
                !log.contains(&card.replace(' ', "")),
                "card number in the request log"
            );
            assert!(
                !log.contains(&card.replace(' ', "+")),
                "card number in the request log"
            );
        }
        assert!(
            !log.contains(&format!("cvv={CVV}")),
            "CVV in the request log"
        );
    }
}

/// The page holds no card number and no CVV.
async fn assert_page_has_no_card_data(session: &Session) {
    let source = session.source().await;
    for card in [CARD_OK, CARD_3DS, CARD_DECLINED, CARD_FAILS] {
        assert!(!source.contains(card), "card number on the page");
        assert!(
            !source.contains(&card.replace(' ', "")),
            "card number on the page"
        );
    }
    assert!(!source.contains(&format!("\"{CVV}\"")), "CVV on the page");
}

/// Types a card into the card form and pays.
async fn pay_with(session: &mut Session, number: &str) {
    session.by_testid("card-form").await;
    session.fill("card-number", number).await;
    session.fill("card-expiry", "12/31").await;
    session.fill("card-cvv", CVV).await;
    session.fill("card-holder", "Ana Silva").await;
    session.screenshot("card-typed").await;
    session.click("card-pay").await;
}

/// The `data-status` of the page's outcome.
async fn outcome(session: &Session) -> String {
    session
        .by_testid("outcome")
        .await
        .attr("data-status")
        .await
        .expect("read data-status")
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_paid_on_the_card_form_returns_to_visa_fwd() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let forward = shop.merchant.url("/card-return");
    shop.api(
        "PATCH",
        "/config",
        &format!(r#"{{"visa_fwd":"{forward}"}}"#),
    )
    .await;
    let created = shop.create(CARD_SALE).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let url = created["method"]["url"]
        .as_str()
        .expect("method.url")
        .to_owned();
    assert!(url.starts_with(shop.server.base_url()));

    let mut session = browser.session("easypay-card-paid").await;
    session.goto(&url).await;
    let amount = session
        .by_testid("amount")
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(amount, "12.50 EUR");
    session.screenshot("card-form").await;
    pay_with(&mut session, CARD_OK).await;
    session.by_testid("merchant-page").await;
    session.screenshot("merchant").await;
    session.close().await;

    let back = shop.merchant.wait_for("/card-return", 1).await;
    assert_eq!(back[0].method, "GET");
    assert_eq!(back[0].field("id").as_deref(), Some(id.as_str()));
    assert_eq!(back[0].field("status").as_deref(), Some("success"));
    assert_eq!(back[0].field("key").as_deref(), Some("order-7"));
    assert_eq!(shop.status_of(&ResourceKind::Payment, &id), "paid");
    assert_eq!(
        shop.payment_field(&id, "card_last_four").as_deref(),
        Some("3333")
    );
    let single = shop.api("GET", &format!("/single/{id}"), "").await;
    assert_eq!(single["payment_status"], "paid");
    assert_eq!(single["method"]["last_four"], "3333");
    assert_eq!(
        shop.delivered().await,
        (
            vec![
                "authorisation:success".to_owned(),
                "capture:success".to_owned()
            ],
            1,
            1
        )
    );
    shop.assert_log_has_no_card_data();

    // The API-driven path ends the same way.
    let other = self::shop().await;
    let other_id = other.create(CARD_SALE).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    other
        .control(|fake, ctx| fake.enter_card(ctx, &other_id, &CARD_OK.replace(' ', "")))
        .expect("enter the card");
    assert_eq!(other.status_of(&ResourceKind::Payment, &other_id), "paid");
    assert_eq!(other.delivered().await, shop.delivered().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_and_failed_cards_end_on_the_outcome_page() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let mut session = browser.session("easypay-card-declined").await;
    let mut ids = Vec::new();
    for (card, status, shown) in [
        (CARD_DECLINED, "failed", "failed"),
        (CARD_FAILS, "error", "failed"),
    ] {
        let created = shop.create(CARD_SALE).await;
        let id = created["id"].as_str().expect("id").to_owned();
        session
            .goto(created["method"]["url"].as_str().expect("url"))
            .await;
        // Keyboard only: type each field, then Enter submits the form.
        session.fill("card-number", card).await;
        session.fill("card-expiry", "01/30").await;
        session.fill("card-cvv", CVV).await;
        session.fill("card-holder", "Ana Silva").await;
        session
            .by_testid("card-holder")
            .await
            .send_keys("\u{e007}")
            .await
            .expect("press Enter");
        session.by_testid("outcome-page").await;
        assert_eq!(outcome(&session).await, shown);
        let status_text = session
            .by_testid("payment-status")
            .await
            .text()
            .await
            .expect("text");
        assert_eq!(status_text, status);
        assert_page_has_no_card_data(&session).await;
        session.screenshot(status).await;
        assert_eq!(shop.status_of(&ResourceKind::Payment, &id), status);
        ids.push(id);
    }
    session.close().await;
    assert_eq!(
        shop.delivered().await,
        (
            vec![
                "authorisation:failed".to_owned(),
                "authorisation:failed".to_owned()
            ],
            0,
            0
        )
    );
    shop.assert_log_has_no_card_data();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_ds_passes_or_fails_in_the_browser() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let mut session = browser.session("easypay-3ds").await;
    for (button, status, result) in [
        ("3ds-pass", "paid", "success"),
        ("3ds-fail", "failed", "failed"),
    ] {
        let created = shop.create(CARD_SALE).await;
        let id = created["id"].as_str().expect("id").to_owned();
        session
            .goto(created["method"]["url"].as_str().expect("url"))
            .await;
        pay_with(&mut session, CARD_3DS).await;
        session.by_testid("three-ds-page").await;
        assert!(
            session
                .current_url()
                .await
                .ends_with(&format!("/fake/3ds/{id}"))
        );
        let last_four = session
            .by_testid("card-last-four")
            .await
            .text()
            .await
            .expect("text");
        assert!(last_four.ends_with("5555"));
        let single = shop.api("GET", &format!("/single/{id}"), "").await;
        assert_eq!(single["method"]["url"], session.current_url().await);
        session.screenshot("challenge").await;
        session.click(button).await;
        assert_eq!(outcome(&session).await, result);
        session.screenshot(result).await;
        assert_eq!(shop.status_of(&ResourceKind::Payment, &id), status);
    }
    session.close().await;
    assert_eq!(
        shop.delivered().await,
        (
            vec![
                "authorisation:success".to_owned(),
                "capture:success".to_owned(),
                "authorisation:failed".to_owned()
            ],
            1,
            1
        )
    );
    shop.assert_log_has_no_card_data();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_card_is_refused_on_the_page_then_the_form_is_canceled() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let created = shop.create(CARD_SALE).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let mut session = browser.session("easypay-card-refused").await;
    session
        .goto(created["method"]["url"].as_str().expect("url"))
        .await;
    session.fill("card-number", "0000 1111 22").await;
    session.fill("card-expiry", "12/31").await;
    session.fill("card-cvv", CVV).await;
    session.fill("card-holder", "Ana Silva").await;
    session.click("card-pay").await;
    let problem = session
        .by_testid("form-error")
        .await
        .text()
        .await
        .expect("text");
    assert!(problem.contains("Card number"), "{problem}");
    let source = session.source().await;
    assert!(!source.contains("0000 1111 22"), "the number is echoed");
    assert!(!source.contains(&format!("\"{CVV}\"")), "the CVV is echoed");
    session.screenshot("refused").await;
    assert_eq!(shop.status_of(&ResourceKind::Payment, &id), "pending");
    session.click("card-cancel").await;
    assert_eq!(outcome(&session).await, "canceled");
    session.screenshot("canceled").await;
    session.close().await;
    assert_eq!(shop.status_of(&ResourceKind::Payment, &id), "pending");
    assert_eq!(shop.delivered().await, (Vec::new(), 0, 0));
    let log = format!("{:?}", shop.server.requests());
    assert!(!log.contains("000011112"), "card digits in the request log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbway_requests_are_approved_declined_or_left_to_expire() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let sale = format!(
        r#"{{"value":7.25,"method":"mbw","capture":{{"descriptive":"Coffee"}},"customer":{{"name":"Ana","phone":"{PHONE_PENDING}"}}}}"#
    );
    let mut session = browser.session("easypay-mbway").await;
    let mut expected = Vec::new();
    for (button, status, result) in [
        ("mbway-approve", "paid", "success"),
        ("mbway-decline", "failed", "failed"),
        ("mbway-expire", "failed", "failed"),
    ] {
        let id = shop.create(&sale).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        session
            .goto(&mbway_page_url(shop.server.base_url(), &id))
            .await;
        let phone = session
            .by_testid("mbway-phone")
            .await
            .text()
            .await
            .expect("text");
        assert_eq!(phone, "91*****43");
        assert!(!session.source().await.contains(PHONE_PENDING));
        session.screenshot("approve-on-phone").await;
        session.click(button).await;
        assert_eq!(outcome(&session).await, result);
        session.screenshot(button).await;
        assert_eq!(shop.status_of(&ResourceKind::Payment, &id), status);
        if button == "mbway-expire" {
            assert_eq!(
                shop.payment_field(&id, "method_status").as_deref(),
                Some("deleted")
            );
        }
        // Answered: the page is gone.
        session
            .goto(&mbway_page_url(shop.server.base_url(), &id))
            .await;
        session.by_testid("page-error").await;
        expected.push(id);
    }
    session.close().await;
    assert_eq!(
        shop.delivered().await,
        (
            vec![
                "authorisation:success".to_owned(),
                "capture:success".to_owned(),
                "authorisation:failed".to_owned(),
                "authorisation:failed".to_owned()
            ],
            1,
            1
        )
    );

    // The scenario controls end the same way.
    let other = self::shop().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            other.create(&sale).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    other
        .control(|fake, ctx| fake.approve_mbway(ctx, &ids[0]))
        .expect("approve");
    other
        .control(|fake, ctx| fake.decline_mbway(ctx, &ids[1]))
        .expect("decline");
    other
        .control(|fake, ctx| fake.expire_payment(ctx, &ids[2]))
        .expect("expire");
    for (mine, theirs) in expected.iter().zip(&ids) {
        assert_eq!(
            shop.status_of(&ResourceKind::Payment, mine),
            other.status_of(&ResourceKind::Payment, theirs)
        );
    }
    assert_eq!(other.delivered().await, shop.delivered().await);
}

const CHECKOUT: &str = r#"{"type":["single"],"payment":{"methods":["cc","mbw","mb"],"type":"sale","capture":{"descriptive":"Shop order"},"key":"co-7"},"order":{"value":19.9,"key":"o-7"},"customer":{"name":"Ana","email":"ana@example.org","phone":"919876543"}}"#;

async fn checkout(shop: &Shop) -> String {
    shop.api("POST", "/checkout", CHECKOUT).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// The checkout's status and payment id, through the API.
async fn checkout_state(shop: &Shop, id: &str) -> (String, String) {
    let got = shop.api("GET", &format!("/checkout/{id}"), "").await;
    (
        got["checkout"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        got["payment"]["id"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Opens the checkout page and chooses `method`.
async fn choose(session: &mut Session, shop: &Shop, id: &str, method: &str) {
    session
        .goto(&checkout_page_url(shop.server.base_url(), id))
        .await;
    let amount = session
        .by_testid("amount")
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(amount, "19.90 EUR");
    session
        .by_testid(&format!("method-{method}"))
        .await
        .click()
        .await
        .expect("choose the method");
    session.screenshot("checkout").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_is_paid_by_card() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let id = checkout(&shop).await;
    let mut session = browser.session("easypay-checkout-card").await;
    choose(&mut session, &shop, &id, "cc").await;
    session.click("checkout-pay").await;
    let (status, payment_id) = checkout_state(&shop, &id).await;
    assert_eq!(status, "pending");
    assert!(
        session
            .current_url()
            .await
            .ends_with(&format!("/fake/card/{payment_id}"))
    );
    pay_with(&mut session, CARD_OK).await;
    session.by_testid("checkout-done").await;
    assert_eq!(outcome(&session).await, "success");
    assert_eq!(
        session.current_url().await,
        checkout_page_url(shop.server.base_url(), &id)
    );
    assert_page_has_no_card_data(&session).await;
    session.screenshot("complete").await;
    session.close().await;
    assert_eq!(
        checkout_state(&shop, &id).await,
        ("complete".to_owned(), payment_id.clone())
    );
    assert_eq!(shop.status_of(&ResourceKind::Payment, &payment_id), "paid");
    assert_eq!(
        shop.status_of(&ResourceKind::Other("checkout".to_owned()), &id),
        "complete"
    );
    let single = shop.api("GET", &format!("/single/{payment_id}"), "").await;
    assert_eq!(single["value"], serde_json::json!(19.9));
    assert_eq!(single["key"], "co-7");
    assert_eq!(
        shop.delivered().await,
        (
            vec![
                "authorisation:success".to_owned(),
                "capture:success".to_owned()
            ],
            1,
            1
        )
    );
    shop.assert_log_has_no_card_data();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_is_paid_by_mbway_after_a_declined_attempt() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let id = checkout(&shop).await;
    let mut session = browser.session("easypay-checkout-mbway").await;
    // A phone the sandbox declines at once: back on the checkout, to try again.
    choose(&mut session, &shop, &id, "mbw").await;
    session.fill("mbway-phone-input", PHONE_DECLINED).await;
    session.click("checkout-pay").await;
    assert_eq!(outcome(&session).await, "failed");
    session.screenshot("declined").await;
    let (status, declined) = checkout_state(&shop, &id).await;
    assert_eq!(status, "pending");
    assert_eq!(shop.status_of(&ResourceKind::Payment, &declined), "failed");
    // Empty phone: the session's customer phone, which waits for the app.
    choose(&mut session, &shop, &id, "mbw").await;
    session.click("checkout-pay").await;
    session.by_testid("mbway-page").await;
    let (_, payment_id) = checkout_state(&shop, &id).await;
    assert_ne!(payment_id, declined);
    session.screenshot("approve-on-phone").await;
    session.click("mbway-approve").await;
    session.by_testid("checkout-done").await;
    assert_eq!(outcome(&session).await, "success");
    session.screenshot("complete").await;
    session.close().await;
    assert_eq!(
        checkout_state(&shop, &id).await,
        ("complete".to_owned(), payment_id.clone())
    );
    assert_eq!(shop.status_of(&ResourceKind::Payment, &payment_id), "paid");
    assert_eq!(
        shop.delivered().await,
        (
            vec![
                "authorisation:failed".to_owned(),
                "authorisation:success".to_owned(),
                "capture:success".to_owned()
            ],
            1,
            1
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_by_multibanco_shows_the_reference() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    let id = checkout(&shop).await;
    let mut session = browser.session("easypay-checkout-mb").await;
    choose(&mut session, &shop, &id, "mb").await;
    session.click("checkout-pay").await;
    session.by_testid("checkout-done").await;
    assert_eq!(outcome(&session).await, "pending");
    let entity = session
        .by_testid("mb-entity")
        .await
        .text()
        .await
        .expect("text");
    let reference = session
        .by_testid("mb-reference")
        .await
        .text()
        .await
        .expect("text");
    session.screenshot("reference").await;
    let (status, payment_id) = checkout_state(&shop, &id).await;
    assert_eq!(status, "complete");
    let single = shop.api("GET", &format!("/single/{payment_id}"), "").await;
    assert_eq!(single["method"]["entity"], entity.as_str());
    assert_eq!(single["method"]["reference"], reference.as_str());
    assert_eq!(single["payment_status"], "pending");
    // The customer pays at an ATM: the page shows it paid.
    shop.control(|fake, ctx| fake.pay_multibanco(ctx, &payment_id))
        .expect("pay the reference");
    session
        .goto(&checkout_page_url(shop.server.base_url(), &id))
        .await;
    assert_eq!(outcome(&session).await, "success");
    session.screenshot("paid").await;
    session.close().await;
    assert_eq!(shop.status_of(&ResourceKind::Payment, &payment_id), "paid");
    assert_eq!(
        shop.delivered().await,
        (
            vec![
                "authorisation:success".to_owned(),
                "capture:success".to_owned()
            ],
            1,
            1
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frequent_and_subscription_card_forms_are_completed_in_the_browser() {
    let Some(browser) = browser() else { return };
    let cases = [
        (
            "frequent",
            "/frequent",
            r#"{"method":"cc","key":"fr-1","customer":{"name":"Ana"}}"#,
            "Save the card",
            ResourceKind::Payment,
        ),
        (
            "subscription",
            "/subscription",
            r#"{"value":5,"frequency":"1M","start_time":"2030-01-01 00:00","max_captures":3,"method":"cc","key":"sub-1","capture":{"descriptive":"Monthly"}}"#,
            "Pay 5.00 EUR",
            ResourceKind::Subscription,
        ),
    ];
    for (kind, path, body, button, resource) in cases {
        let shop = shop().await;
        let created = shop.api("POST", path, body).await;
        let id = created["id"].as_str().expect("id").to_owned();
        let url = created["method"]["url"]
            .as_str()
            .expect("method.url")
            .to_owned();
        let mut session = browser.session(&format!("easypay-{kind}-card")).await;
        session.goto(&url).await;
        let label = session
            .by_testid("card-pay")
            .await
            .text()
            .await
            .expect("text");
        assert_eq!(label, button);
        pay_with(&mut session, CARD_OK).await;
        assert_eq!(outcome(&session).await, "success", "{kind}");
        assert_page_has_no_card_data(&session).await;
        session.screenshot("outcome").await;
        session.close().await;
        let page_status = shop.status_of(&resource, &id);
        let page_delivered = shop.delivered().await;
        shop.assert_log_has_no_card_data();

        // The API-driven path ends the same way.
        let other = self::shop().await;
        let other_id = other.api("POST", path, body).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        other
            .control(|fake, ctx| fake.enter_card(ctx, &other_id, &CARD_OK.replace(' ', "")))
            .expect("enter the card");
        assert_eq!(other.status_of(&resource, &other_id), page_status, "{kind}");
        assert_eq!(other.delivered().await, page_delivered, "{kind}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frequent_authorisations_pass_3ds_and_mbway_in_the_browser() {
    let Some(browser) = browser() else { return };
    let shop = shop().await;
    // A card frequent payment, its card saved on the form, then an authorisation that
    // forces 3-D Secure.
    let frequent = shop
        .api(
            "POST",
            "/frequent",
            r#"{"method":"cc","customer":{"name":"Ana"}}"#,
        )
        .await;
    let frequent_id = frequent["id"].as_str().expect("id").to_owned();
    let mut session = browser.session("easypay-frequent-3ds").await;
    session
        .goto(frequent["method"]["url"].as_str().expect("method.url"))
        .await;
    pay_with(&mut session, CARD_OK).await;
    assert_eq!(outcome(&session).await, "success");
    let auth = shop
        .api(
            "POST",
            &format!("/frequent/authorisation/{frequent_id}"),
            r#"{"descriptive":"Top-up","value":3,"force_3ds":true}"#,
        )
        .await;
    let auth_id = auth["id"].as_str().expect("id").to_owned();
    session
        .goto(auth["method"]["url"].as_str().expect("method.url"))
        .await;
    assert_eq!(
        session
            .by_testid("amount")
            .await
            .text()
            .await
            .expect("text"),
        "3.00 EUR"
    );
    session.screenshot("three-ds").await;
    session.click("3ds-pass").await;
    assert_eq!(outcome(&session).await, "success");
    assert!(session.has_testid("authorisation-id").await);
    session.close().await;
    let got = shop
        .api("GET", &format!("/authorisation/{auth_id}"), "")
        .await;
    assert_eq!(got["status"], "success");

    // An MB WAY frequent payment approved on the phone page, then an authorisation on
    // it declined there.
    let mbway = shop
        .api(
            "POST",
            "/frequent",
            &format!(r#"{{"method":"mbw","customer":{{"name":"Ana","phone":"{PHONE_PENDING}"}}}}"#),
        )
        .await;
    let mbway_id = mbway["id"].as_str().expect("id").to_owned();
    let mut session = browser.session("easypay-frequent-mbway").await;
    session
        .goto(&mbway_page_url(shop.server.base_url(), &mbway_id))
        .await;
    assert!(!session.has_testid("mbway-expire").await);
    session.click("mbway-approve").await;
    assert_eq!(outcome(&session).await, "success");
    let auth = shop
        .api(
            "POST",
            &format!("/frequent/authorisation/{mbway_id}"),
            r#"{"descriptive":"Top-up","value":4}"#,
        )
        .await;
    let auth_id = auth["id"].as_str().expect("id").to_owned();
    session
        .goto(&mbway_page_url(shop.server.base_url(), &auth_id))
        .await;
    session.screenshot("mbway-authorisation").await;
    session.click("mbway-decline").await;
    assert_eq!(outcome(&session).await, "failed");
    session.close().await;
    let got = shop
        .api("GET", &format!("/authorisation/{auth_id}"), "")
        .await;
    assert_eq!(got["status"], "failed");
    assert_eq!(shop.status_of(&ResourceKind::Payment, &mbway_id), "active");
}
