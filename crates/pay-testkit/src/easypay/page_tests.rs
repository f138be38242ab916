//! Unit tests of the customer pages through `EasypayFake::handle`: status codes, the
//! state and notifications a submit leaves (the same as the scenario control it stands
//! for), where the browser goes next, and that no card number or CVV is echoed or
//! recorded.

use std::sync::Arc;

use pay_core::{ManualClock, from_unix_seconds};

use super::*;
use crate::inspect::Redaction;
use crate::webhook::Webhooks;

const ACCOUNT: &str = "acc-0001";
const KEY: &str = "key-secret-0001";
const START: i64 = 1_700_000_000;
const BASE: &str = "http://127.0.0.1:1";

const CARD_OK: &str = "0000111122223333";
const CARD_3DS: &str = "2222333344445555";
const CARD_FAILS: &str = "1111222233334444";
const CARD_DECLINED: &str = "1234567812345678";
const CVV: &str = "737";

const CARD_SALE: &str =
    r#"{"value":12.5,"method":"cc","key":"order-1","capture":{"descriptive":"Order 1"}}"#;

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
            EasypayConfig::new(ACCOUNT, KEY)
                .with_generic_url("http://127.0.0.1:9/generic")
                .with_authorisation_url("http://127.0.0.1:9/authorisation")
                .with_transaction_url("http://127.0.0.1:9/transaction"),
        );
        Self {
            clock,
            webhooks,
            fake,
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context::new(&self.clock, &self.webhooks, BASE)
    }

    fn api(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let mut request = FakeRequest::new(method, &format!("/2.0{path}"))
            .with_header("AccountId", ACCOUNT)
            .with_header("ApiKey", KEY);
        if !body.is_empty() {
            request = request
                .with_header("Content-Type", "application/json")
                .with_body(body);
        }
        let answer = self.fake.handle(&request, &self.ctx());
        assert!(
            answer.status() < 300,
            "{method} {path}: {}",
            String::from_utf8_lossy(answer.body())
        );
        serde_json::from_slice(answer.body()).unwrap_or_default()
    }

    fn create(&self, body: &str) -> String {
        self.api("POST", "/single", body)["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }

    fn get(&self, path: &str) -> FakeResponse {
        let answer = self
            .fake
            .handle(&FakeRequest::new("GET", path), &self.ctx());
        assert_page(&answer);
        answer
    }

    fn post(&self, path: &str, form: &[(&str, &str)]) -> FakeResponse {
        let request = FakeRequest::new("POST", path)
            .with_header("Content-Type", "application/x-www-form-urlencoded")
            .with_body(crate::form::encode(form.iter().copied()));
        let answer = self.fake.handle(&request, &self.ctx());
        assert_page(&answer);
        answer
    }

    fn pay_card(&self, id: &str, number: &str) -> FakeResponse {
        self.post(
            &format!("/fake/card/{id}"),
            &[
                ("card_number", number),
                ("expiry", "12/30"),
                ("cvv", CVV),
                ("holder", "Ana Silva"),
                ("action", "pay"),
            ],
        )
    }

    fn payment(&self, id: &str) -> crate::provider::Resource {
        self.fake
            .snapshot()
            .get(&crate::provider::ResourceKind::Payment, id)
            .cloned()
            .expect("the payment")
    }

    /// The queued notifications as (URL, body).
    fn outbox(&self) -> Vec<(String, String)> {
        self.webhooks
            .pending()
            .iter()
            .map(|p| {
                (
                    p.notification().url().to_owned(),
                    String::from_utf8_lossy(p.notification().body()).into_owned(),
                )
            })
            .collect()
    }

    fn outbox_types(&self) -> Vec<String> {
        self.outbox()
            .iter()
            .filter(|(url, _)| url.ends_with("/generic"))
            .map(|(_, body)| {
                let value: serde_json::Value = serde_json::from_str(body).expect("JSON");
                format!("{}:{}", value["type"], value["status"]).replace('"', "")
            })
            .collect()
    }
}

fn html(answer: &FakeResponse) -> String {
    String::from_utf8(answer.body().to_vec()).expect("UTF-8")
}

/// Every page answer: HTML (or a redirect), no script, no card number, no CVV.
fn assert_page(answer: &FakeResponse) {
    if answer.status() == 303 {
        assert!(answer.header("location").is_some());
        return;
    }
    assert_eq!(
        answer.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let text = html(answer);
    assert!(!text.contains("<script"), "no JavaScript");
    for number in [CARD_OK, CARD_3DS, CARD_FAILS, CARD_DECLINED] {
        assert!(!text.contains(number), "a card number is echoed");
        assert!(!text.contains(&number[..12]), "a card number is echoed");
    }
    assert!(!text.contains(&format!("\"{CVV}\"")), "the CVV is echoed");
    assert!(!text.contains(&format!(">{CVV}<")), "the CVV is echoed");
}

fn location(answer: &FakeResponse) -> &str {
    assert_eq!(answer.status(), 303, "{}", html(answer));
    answer.header("location").expect("a location")
}

fn outcome(answer: &FakeResponse) -> String {
    let text = html(answer);
    let start = text
        .find("data-testid=\"outcome\" data-status=\"")
        .expect("an outcome")
        + "data-testid=\"outcome\" data-status=\"".len();
    text[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Drives the same card payment through the page in one fake and through
/// `enter_card` (and `complete_3ds`) in another: both end in the same state with the
/// same notifications.
fn same_as_scenario(number: &str, three_ds: Option<bool>) -> Rig {
    let by_page = Rig::new();
    let by_control = Rig::new();
    let id = by_page.create(CARD_SALE);
    assert_eq!(by_control.create(CARD_SALE), id);
    let answer = by_page.pay_card(&id, number);
    by_control
        .fake
        .enter_card(&by_control.ctx(), &id, number)
        .expect("the card is entered");
    if let Some(pass) = three_ds {
        assert_eq!(location(&answer), format!("{BASE}/fake/3ds/{id}"));
        let challenge = by_page.get(&format!("/fake/3ds/{id}"));
        assert_eq!(challenge.status(), 200);
        assert!(html(&challenge).contains("data-testid=\"3ds-pass\""));
        let result = if pass { "pass" } else { "fail" };
        let done = by_page.post(&format!("/fake/3ds/{id}"), &[("result", result)]);
        assert_eq!(done.status(), 200);
        by_control
            .fake
            .complete_3ds(&by_control.ctx(), &id, pass)
            .expect("3-D Secure ends");
    } else {
        assert_eq!(answer.status(), 200);
    }
    assert_eq!(by_page.fake.snapshot(), by_control.fake.snapshot());
    assert_eq!(by_page.outbox(), by_control.outbox());
    by_page
}

#[test]
fn card_form_is_labelled_and_posts_to_the_fake() {
    let rig = Rig::new();
    let id = rig.create(CARD_SALE);
    let created = rig.api("GET", &format!("/single/{id}"), "");
    assert_eq!(created["method"]["url"], format!("{BASE}/fake/card/{id}"));
    let answer = rig.get(&format!("/fake/card/{id}"));
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let text = html(&answer);
    assert!(text.contains("<main data-testid=\"card-form\">"));
    assert!(text.contains(&format!("action=\"{BASE}/fake/card/{id}\"")));
    for (field, testid) in [
        ("card_number", "card-number"),
        ("expiry", "card-expiry"),
        ("cvv", "card-cvv"),
        ("holder", "card-holder"),
    ] {
        assert!(
            text.contains(&format!("<label for=\"{field}\">")),
            "{field}"
        );
        assert!(text.contains(&format!("id=\"{field}\" name=\"{field}\"")));
        assert!(text.contains(&format!("data-testid=\"{testid}\"")));
    }
    assert!(text.contains("data-testid=\"amount\">12.50 EUR<"));
    assert!(text.contains("data-testid=\"card-pay\""));
    assert!(text.contains("data-testid=\"card-cancel\""));
    assert_eq!(text.matches("<form ").count(), 1);
}

#[test]
fn an_authorised_card_pays_like_enter_card() {
    let rig = same_as_scenario(CARD_OK, None);
    let id = "00000000-0000-4000-8000-000000000001";
    let payment = rig.payment(id);
    assert_eq!(payment.status(), "paid");
    assert_eq!(payment.field("card_last_four"), Some("3333"));
    assert_eq!(
        rig.outbox_types(),
        ["authorisation:success", "capture:success"]
    );
    assert!(
        rig.outbox()
            .iter()
            .any(|(url, _)| url.ends_with("/transaction"))
    );
    // The card form is closed once the card is entered.
    assert_eq!(rig.get(&format!("/fake/card/{id}")).status(), 404);
    assert_eq!(rig.pay_card(id, CARD_OK).status(), 404);
}

#[test]
fn failed_and_declined_cards_end_like_enter_card() {
    let failed = same_as_scenario(CARD_FAILS, None);
    let id = "00000000-0000-4000-8000-000000000001";
    assert_eq!(failed.payment(id).status(), "error");
    assert_eq!(failed.outbox_types(), ["authorisation:failed"]);
    let declined = same_as_scenario(CARD_DECLINED, None);
    assert_eq!(declined.payment(id).status(), "failed");
    assert_eq!(declined.outbox_types(), ["authorisation:failed"]);
}

#[test]
fn three_d_secure_passes_or_fails_like_complete_3ds() {
    let id = "00000000-0000-4000-8000-000000000001";
    let passed = same_as_scenario(CARD_3DS, Some(true));
    assert_eq!(passed.payment(id).status(), "paid");
    assert_eq!(
        passed.outbox_types(),
        ["authorisation:success", "capture:success"]
    );
    assert_eq!(passed.get(&format!("/fake/3ds/{id}")).status(), 404);
    let failed = same_as_scenario(CARD_3DS, Some(false));
    assert_eq!(failed.payment(id).status(), "failed");
    assert_eq!(failed.outbox_types(), ["authorisation:failed"]);
}

#[test]
fn the_outcome_page_shows_the_last_four_digits_only() {
    let rig = Rig::new();
    let id = rig.create(CARD_SALE);
    let answer = rig.pay_card(&id, CARD_OK);
    assert_eq!(answer.status(), 200);
    assert_eq!(outcome(&answer), "success");
    let text = html(&answer);
    assert!(text.contains("<main data-testid=\"outcome-page\">"));
    assert!(text.contains("data-testid=\"card-last-four\">ending 3333<"));
    assert!(text.contains(&format!("data-testid=\"payment-id\">{id}<")));
    assert!(text.contains("data-testid=\"payment-status\">paid<"));
}

#[test]
fn bad_card_fields_are_refused_without_echoing_them() {
    let rig = Rig::new();
    let id = rig.create(CARD_SALE);
    let path = format!("/fake/card/{id}");
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[
                ("card_number", "0000 1111"),
                ("expiry", "12/30"),
                ("cvv", CVV),
                ("holder", "A"),
            ],
            "Card number",
        ),
        (
            &[
                ("card_number", CARD_OK),
                ("expiry", "13/30"),
                ("cvv", CVV),
                ("holder", "A"),
            ],
            "Expiry date",
        ),
        (
            // The fake's clock reads November 2023.
            &[
                ("card_number", CARD_OK),
                ("expiry", "10/23"),
                ("cvv", CVV),
                ("holder", "A"),
            ],
            "expired",
        ),
        (
            &[
                ("card_number", CARD_OK),
                ("expiry", "12/30"),
                ("cvv", "12"),
                ("holder", "A"),
            ],
            "CVV",
        ),
        (
            &[
                ("card_number", CARD_OK),
                ("expiry", "12/30"),
                ("cvv", CVV),
                ("holder", " "),
            ],
            "Cardholder name",
        ),
    ];
    for (form, rule) in cases {
        let answer = rig.post(&path, form);
        assert_eq!(answer.status(), 400, "{rule}");
        let text = html(&answer);
        assert!(text.contains("data-testid=\"form-error\""), "{rule}");
        assert!(text.contains(rule), "{rule}: {text}");
        assert!(!text.contains("0000 1111"));
        assert!(!text.contains("value=\"12\""));
    }
    // The expiry and holder come back; the number and CVV do not.
    let answer = rig.post(
        &path,
        &[
            ("card_number", "12"),
            ("expiry", "12/30"),
            ("cvv", CVV),
            ("holder", "Ana <b>"),
        ],
    );
    let text = html(&answer);
    assert!(text.contains("value=\"12/30\""));
    assert!(text.contains("value=\"Ana &lt;b&gt;\""));
    assert_eq!(rig.payment(&id).status(), "pending");
    assert!(rig.outbox().is_empty());
}

#[test]
fn a_refused_field_points_to_the_alert() {
    let rig = Rig::new();
    let id = rig.create(CARD_SALE);
    let path = format!("/fake/card/{id}");
    let good = [
        ("card_number", CARD_OK),
        ("expiry", "12/30"),
        ("cvv", CVV),
        ("holder", "Ana"),
    ];
    for (field, bad, testid) in [
        ("card_number", "12", "card-number"),
        ("expiry", "10/23", "card-expiry"),
        ("cvv", "1", "card-cvv"),
        ("holder", " ", "card-holder"),
    ] {
        let form: Vec<(&str, &str)> = good
            .iter()
            .map(|&(name, value)| (name, if name == field { bad } else { value }))
            .collect();
        let text = html(&rig.post(&path, &form));
        assert!(text.contains("id=\"card-error\""), "{text}");
        let marked: Vec<&str> = text
            .split('<')
            .filter(|tag| tag.starts_with("input") && tag.contains("aria-invalid=\"true\""))
            .collect();
        assert_eq!(marked.len(), 1, "{field}: {marked:?}");
        assert!(
            marked[0].contains(&format!("data-testid=\"{testid}\"")),
            "{marked:?}"
        );
        assert!(
            marked[0].contains("aria-describedby=\"card-error\""),
            "{marked:?}"
        );
    }
    assert!(!html(&rig.get(&path)).contains("aria-invalid"));
}

#[test]
fn canceling_the_card_form_leaves_the_payment_pending() {
    let rig = Rig::new();
    let id = rig.create(CARD_SALE);
    let answer = rig.post(&format!("/fake/card/{id}"), &[("action", "cancel")]);
    assert_eq!(answer.status(), 200);
    assert_eq!(outcome(&answer), "canceled");
    assert_eq!(rig.payment(&id).status(), "pending");
    assert!(rig.outbox().is_empty());
    assert_eq!(rig.get(&format!("/fake/card/{id}")).status(), 200);
}

#[test]
fn cards_return_to_visa_fwd_when_configured() {
    let rig = Rig::new();
    rig.api(
        "PATCH",
        "/config",
        r#"{"visa_fwd":"http://127.0.0.1:7/shop/return?from=easypay"}"#,
    );
    let id = rig.create(CARD_SALE);
    let answer = rig.pay_card(&id, CARD_OK);
    assert_eq!(
        location(&answer),
        format!("http://127.0.0.1:7/shop/return?from=easypay&id={id}&status=success&key=order-1")
    );
    let declined = rig.create(CARD_SALE);
    let answer = rig.pay_card(&declined, CARD_DECLINED);
    assert!(location(&answer).contains("&status=failed"));
    let canceled = rig.create(CARD_SALE);
    let answer = rig.post(&format!("/fake/card/{canceled}"), &[("action", "cancel")]);
    assert!(location(&answer).contains("&status=canceled"));
}

#[test]
fn a_visa_fwd_that_is_not_http_is_refused_and_never_followed() {
    // A `javascript:` forward would be a `Location` the card form sends the browser to.
    let rig = Rig::new();
    let patch = FakeRequest::new("PATCH", "/2.0/config")
        .with_header("AccountId", ACCOUNT)
        .with_header("ApiKey", KEY)
        .with_header("Content-Type", "application/json")
        .with_body(r#"{"visa_fwd":"javascript:alert(document.domain)"}"#);
    let answer = rig.fake.handle(&patch, &rig.ctx());
    assert_eq!(answer.status(), 400, "{}", html(&answer));
    let id = rig.create(CARD_SALE);
    let answer = rig.pay_card(&id, CARD_OK);
    assert_eq!(answer.header("location"), None);
    assert_eq!(outcome(&answer), "success");
    assert!(!html(&answer).contains("javascript:"));
}

#[test]
fn request_text_is_escaped_on_every_page() {
    let rig = Rig::new();
    let evil = r#"<script>alert(1)</script> & \"q\" 'x'"#;
    let shown = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;x&#39;";
    let card = rig.create(&format!(
        r#"{{"value":12.5,"method":"cc","key":"k\"><b>","capture":{{"descriptive":"{evil}"}}}}"#
    ));
    let mbway = rig.create(&format!(
        r#"{{"value":7.25,"method":"mbw","capture":{{"descriptive":"{evil}"}},"customer":{{"name":"Ana","phone":"919876543"}}}}"#
    ));
    let pages = [
        rig.get(&format!("/fake/card/{card}")),
        rig.get(&format!("/fake/mbway/{mbway}")),
        rig.pay_card(&card, CARD_DECLINED),
    ];
    for page in &pages {
        let text = html(page);
        assert!(text.contains(shown), "{text}");
        assert!(
            !text.contains("<script>") && !text.contains("<b>"),
            "{text}"
        );
    }
}

#[test]
fn recorded_card_posts_hold_no_number_and_no_cvv() {
    let rig = Rig::new();
    let id = rig.create(CARD_SALE);
    let request = FakeRequest::new("POST", &format!("/fake/card/{id}"))
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .with_body(crate::form::encode([
            ("card_number", CARD_OK),
            ("expiry", "12/30"),
            ("cvv", CVV),
            ("holder", "Ana Silva"),
        ]));
    let recorded = Redaction::new(rig.fake.sensitive_names().iter().copied()).record(
        1,
        std::time::UNIX_EPOCH,
        &request,
        None,
        None,
    );
    assert!(!recorded.body().contains(CARD_OK), "{}", recorded.body());
    assert!(!recorded.body().contains(&format!("cvv={CVV}")));
    assert!(recorded.body().contains("holder=Ana+Silva"));
    assert!(!format!("{:?}", rig.fake.snapshot()).contains(CARD_OK));
}

#[test]
fn unknown_ids_and_pages_get_error_pages() {
    let rig = Rig::new();
    for path in [
        "/fake/card/nope",
        "/fake/3ds/nope",
        "/fake/mbway/nope",
        "/fake/checkout/nope",
        "/fake/other/nope",
        "/fake/card/",
        "/fake/card/a/b",
    ] {
        let answer = rig.get(path);
        assert_eq!(answer.status(), 404, "{path}");
        assert!(html(&answer).contains("data-testid=\"page-error\""));
    }
    let answer = rig
        .fake
        .handle(&FakeRequest::new("PUT", "/fake/card/x"), &rig.ctx());
    assert_eq!(answer.status(), 405);
    // A Multibanco payment has no card form.
    let mb = rig.create(r#"{"value":5,"method":"mb","capture":{"descriptive":"x"}}"#);
    assert_eq!(rig.get(&format!("/fake/card/{mb}")).status(), 404);
    assert_eq!(rig.get(&format!("/fake/mbway/{mb}")).status(), 404);
}

fn mbway_sale(phone: &str) -> String {
    format!(
        r#"{{"value":7.25,"method":"mbw","key":"m-1","capture":{{"descriptive":"Coffee"}},"customer":{{"name":"Ana","phone":"{phone}"}}}}"#
    )
}

#[test]
fn mbway_page_shows_a_masked_phone() {
    let rig = Rig::new();
    let id = rig.create(&mbway_sale(PHONE_PENDING));
    let answer = rig.get(&format!("/fake/mbway/{id}"));
    assert_eq!(answer.status(), 200);
    let text = html(&answer);
    assert!(text.contains("<main data-testid=\"mbway-page\">"));
    assert!(text.contains("data-testid=\"mbway-phone\">91*****43<"));
    assert!(!text.contains(PHONE_PENDING));
    assert!(text.contains(&format!("action=\"{BASE}/fake/mbway/{id}\"")));
    for testid in ["mbway-approve", "mbway-decline", "mbway-expire"] {
        assert!(
            text.contains(&format!("data-testid=\"{testid}\"")),
            "{testid}"
        );
    }
    assert!(text.contains("7.25 EUR"));
}

/// Answers an MB WAY request on the page in one fake and with the scenario control in
/// another: same state, same notifications.
fn mbway_same_as_scenario(answer: &str) -> (Rig, String) {
    let by_page = Rig::new();
    let by_control = Rig::new();
    let id = by_page.create(&mbway_sale(PHONE_PENDING));
    by_control.create(&mbway_sale(PHONE_PENDING));
    let page = by_page.post(&format!("/fake/mbway/{id}"), &[("answer", answer)]);
    assert_eq!(page.status(), 200);
    let ctx = by_control.ctx();
    match answer {
        "approve" => by_control.fake.approve_mbway(&ctx, &id),
        "decline" => by_control.fake.decline_mbway(&ctx, &id),
        _ => by_control.fake.expire_payment(&ctx, &id),
    }
    .expect("the control applies");
    assert_eq!(by_page.fake.snapshot(), by_control.fake.snapshot());
    assert_eq!(by_page.outbox(), by_control.outbox());
    let result = outcome(&page);
    assert_eq!(by_page.get(&format!("/fake/mbway/{id}")).status(), 404);
    (by_page, result)
}

#[test]
fn mbway_answers_end_like_the_scenario_controls() {
    let (rig, result) = mbway_same_as_scenario("approve");
    let id = "00000000-0000-4000-8000-000000000001";
    assert_eq!(result, "success");
    assert_eq!(rig.payment(id).status(), "paid");
    assert_eq!(
        rig.outbox_types(),
        ["authorisation:success", "capture:success"]
    );
    let (rig, result) = mbway_same_as_scenario("decline");
    assert_eq!(result, "failed");
    assert_eq!(rig.payment(id).status(), "failed");
    assert_eq!(rig.outbox_types(), ["authorisation:failed"]);
    let (rig, result) = mbway_same_as_scenario("expire");
    assert_eq!(result, "failed");
    let payment = rig.payment(id);
    assert_eq!(payment.status(), "failed");
    assert_eq!(payment.field("method_status"), Some("deleted"));
    assert_eq!(rig.outbox_types(), ["authorisation:failed"]);
}

#[test]
fn magic_phones_leave_nothing_to_approve() {
    let rig = Rig::new();
    let id = rig.create(&mbway_sale(PHONE_AUTHORISED));
    assert_eq!(rig.payment(&id).status(), "paid");
    assert_eq!(rig.get(&format!("/fake/mbway/{id}")).status(), 404);
    let bad = rig.post(&format!("/fake/mbway/{id}"), &[("answer", "approve")]);
    assert_eq!(bad.status(), 404);
}

#[test]
fn frequent_mbway_requests_are_answered_on_the_page() {
    let rig = Rig::new();
    let frequent = rig.api(
        "POST",
        "/frequent",
        &format!(r#"{{"method":"mbw","customer":{{"name":"Ana","phone":"{PHONE_PENDING}"}}}}"#),
    )["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    // The frequent payment itself waits for the customer's approval.
    let page = rig.get(&format!("/fake/mbway/{frequent}"));
    assert_eq!(page.status(), 200);
    assert!(!html(&page).contains("mbway-expire"), "only singles expire");
    let done = rig.post(&format!("/fake/mbway/{frequent}"), &[("answer", "approve")]);
    assert_eq!(outcome(&done), "success");
    assert_eq!(rig.payment(&frequent).status(), "active");
    // Each authorisation on it waits too.
    let auth = rig.api(
        "POST",
        &format!("/frequent/authorisation/{frequent}"),
        r#"{"descriptive":"Top-up","value":3}"#,
    );
    let auth_id = auth["id"].as_str().expect("an id").to_owned();
    let page = rig.get(&format!("/fake/mbway/{auth_id}"));
    assert_eq!(page.status(), 200);
    assert!(html(&page).contains("3.00 EUR"));
    let done = rig.post(&format!("/fake/mbway/{auth_id}"), &[("answer", "decline")]);
    assert_eq!(outcome(&done), "failed");
    assert!(html(&done).contains(&format!("data-testid=\"authorisation-id\">{auth_id}<")));
    assert_eq!(
        rig.api("GET", &format!("/authorisation/{auth_id}"), "")["status"],
        "failed"
    );
    assert_eq!(
        rig.outbox_types(),
        ["frequent_create:success", "authorisation:failed"]
    );
}

#[test]
fn a_frequent_3ds_authorisation_is_answered_on_the_page() {
    let rig = Rig::new();
    let frequent = rig.api(
        "POST",
        "/frequent",
        r#"{"method":"cc","customer":{"name":"Ana"}}"#,
    )["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(rig.pay_card(&frequent, CARD_OK).status(), 200);
    let auth = rig.api(
        "POST",
        &format!("/frequent/authorisation/{frequent}"),
        r#"{"descriptive":"Top-up","value":3,"force_3ds":true}"#,
    );
    let auth_id = auth["id"].as_str().expect("an id").to_owned();
    assert_eq!(auth["method"]["url"], format!("{BASE}/fake/3ds/{auth_id}"));
    assert_eq!(rig.get(&format!("/fake/3ds/{auth_id}")).status(), 200);
    let done = rig.post(&format!("/fake/3ds/{auth_id}"), &[("result", "pass")]);
    assert_eq!(outcome(&done), "success");
    assert_eq!(
        rig.api("GET", &format!("/authorisation/{auth_id}"), "")["status"],
        "success"
    );
    assert_eq!(rig.get(&format!("/fake/3ds/{auth_id}")).status(), 404);
}

const CHECKOUT: &str = r#"{"type":["single"],"payment":{"methods":["cc","mbw","mb","dd"],"type":"sale","capture":{"descriptive":"Shop order"},"key":"co-1"},"order":{"value":19.9,"key":"o-1"},"customer":{"name":"Ana","email":"ana@example.org","phone":"919876543"}}"#;

fn checkout(rig: &Rig, body: &str) -> String {
    rig.api("POST", "/checkout", body)["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

fn checkout_api(rig: &Rig, id: &str) -> serde_json::Value {
    rig.api("GET", &format!("/checkout/{id}"), "")
}

#[test]
fn the_checkout_page_offers_the_sessions_methods() {
    let rig = Rig::new();
    let id = checkout(&rig, CHECKOUT);
    let answer = rig.get(&format!("/fake/checkout/{id}"));
    assert_eq!(answer.status(), 200);
    let text = html(&answer);
    assert!(text.contains("<main data-testid=\"checkout-page\">"));
    assert!(text.contains("data-testid=\"amount\">19.90 EUR<"));
    for method in ["cc", "mbw", "mb"] {
        assert!(text.contains(&format!("data-testid=\"method-{method}\"")));
        assert!(text.contains(&format!("<label for=\"method-{method}\"")));
    }
    assert!(!text.contains("method-dd"), "no mandate form");
    assert!(text.contains("<legend>Payment method</legend>"));
    assert!(text.contains(&format!("action=\"{BASE}/fake/checkout/{id}\"")));
    assert!(!text.contains("919876543"));
    let refused = rig.post(&format!("/fake/checkout/{id}"), &[("method", "dd")]);
    assert_eq!(refused.status(), 400);
    assert!(html(&refused).contains("data-testid=\"form-error\""));
    assert_eq!(checkout_api(&rig, &id)["checkout"]["status"], "pending");
}

#[test]
fn a_checkout_paid_by_card_is_complete() {
    let rig = Rig::new();
    let id = checkout(&rig, CHECKOUT);
    let chosen = rig.post(&format!("/fake/checkout/{id}"), &[("method", "cc")]);
    let card_url = location(&chosen).to_owned();
    let payment_id = card_url
        .strip_prefix(&format!("{BASE}/fake/card/"))
        .expect("the card form")
        .to_owned();
    let api = checkout_api(&rig, &id);
    assert_eq!(api["checkout"]["status"], "pending");
    assert_eq!(api["payment"]["id"], payment_id.as_str());
    let single = rig.api("GET", &format!("/single/{payment_id}"), "");
    assert_eq!(single["value"], serde_json::json!(19.9));
    assert_eq!(single["key"], "co-1");
    assert_eq!(single["method"]["url"], card_url.as_str());
    let paid = rig.pay_card(&payment_id, CARD_OK);
    assert_eq!(location(&paid), format!("{BASE}/fake/checkout/{id}"));
    let done = rig.get(&format!("/fake/checkout/{id}"));
    assert_eq!(done.status(), 200);
    assert!(html(&done).contains("<main data-testid=\"checkout-done\">"));
    assert_eq!(outcome(&done), "success");
    assert_eq!(rig.payment(&payment_id).status(), "paid");
    let api = checkout_api(&rig, &id);
    assert_eq!(api["checkout"]["status"], "complete");
    assert_eq!(api["payment"]["status"], "active");
    assert_eq!(
        rig.outbox_types(),
        ["authorisation:success", "capture:success"]
    );
    let snapshot = rig.fake.snapshot();
    let resource = snapshot
        .get(
            &crate::provider::ResourceKind::Other("checkout".to_owned()),
            &id,
        )
        .expect("the checkout");
    assert_eq!(resource.status(), "complete");
    assert_eq!(resource.field("payment_id"), Some(payment_id.as_str()));
    // Finished: no second payment.
    assert_eq!(
        rig.post(&format!("/fake/checkout/{id}"), &[("method", "mb")])
            .status(),
        404
    );
}

#[test]
fn a_declined_checkout_card_can_be_retried() {
    let rig = Rig::new();
    let id = checkout(&rig, CHECKOUT);
    let chosen = rig.post(&format!("/fake/checkout/{id}"), &[("method", "cc")]);
    let payment_id = location(&chosen)
        .rsplit('/')
        .next()
        .expect("an id")
        .to_owned();
    let declined = rig.pay_card(&payment_id, CARD_DECLINED);
    assert_eq!(location(&declined), format!("{BASE}/fake/checkout/{id}"));
    let page = rig.get(&format!("/fake/checkout/{id}"));
    assert_eq!(page.status(), 200);
    assert_eq!(outcome(&page), "failed");
    assert!(html(&page).contains("data-testid=\"checkout-form\""));
    assert_eq!(checkout_api(&rig, &id)["checkout"]["status"], "pending");
    let again = rig.post(&format!("/fake/checkout/{id}"), &[("method", "mb")]);
    assert_eq!(location(&again), format!("{BASE}/fake/checkout/{id}"));
    let done = rig.get(&format!("/fake/checkout/{id}"));
    let text = html(&done);
    assert!(text.contains("data-testid=\"mb-entity\">12345<"));
    assert!(text.contains("data-testid=\"mb-reference\">"));
    assert_eq!(outcome(&done), "pending");
    assert_eq!(checkout_api(&rig, &id)["checkout"]["status"], "complete");
}

#[test]
fn a_checkout_paid_by_mbway_goes_through_the_phone_page() {
    let rig = Rig::new();
    let id = checkout(&rig, CHECKOUT);
    // No phone typed: the session's customer phone (pending) is used.
    let chosen = rig.post(
        &format!("/fake/checkout/{id}"),
        &[("method", "mbw"), ("phone", "")],
    );
    let page_url = location(&chosen).to_owned();
    let payment_id = page_url
        .strip_prefix(&format!("{BASE}/fake/mbway/"))
        .expect("the MB WAY page")
        .to_owned();
    let approved = rig.post(
        &format!("/fake/mbway/{payment_id}"),
        &[("answer", "approve")],
    );
    assert_eq!(location(&approved), format!("{BASE}/fake/checkout/{id}"));
    assert_eq!(rig.payment(&payment_id).status(), "paid");
    assert_eq!(checkout_api(&rig, &id)["checkout"]["status"], "complete");
    // A magic phone typed on the page decides at once.
    let other = checkout(&rig, CHECKOUT);
    let chosen = rig.post(
        &format!("/fake/checkout/{other}"),
        &[("method", "mbw"), ("phone", PHONE_DECLINED)],
    );
    assert_eq!(location(&chosen), format!("{BASE}/fake/checkout/{other}"));
    let page = rig.get(&format!("/fake/checkout/{other}"));
    assert_eq!(outcome(&page), "failed");
    let bad_phone = rig.post(
        &format!("/fake/checkout/{other}"),
        &[("method", "mbw"), ("phone", "12ab")],
    );
    assert_eq!(bad_phone.status(), 400);
}

#[test]
fn a_frequent_checkout_creates_a_frequent_payment() {
    let rig = Rig::new();
    let id = checkout(
        &rig,
        r#"{"type":["frequent"],"payment":{"methods":["cc"],"max_value":50,"capture":{"descriptive":"Card on file"}},"order":{"value":10},"customer":{"email":"a@example.org"}}"#,
    );
    let chosen = rig.post(&format!("/fake/checkout/{id}"), &[("method", "cc")]);
    let payment_id = location(&chosen)
        .rsplit('/')
        .next()
        .expect("an id")
        .to_owned();
    let frequent = rig.api("GET", &format!("/frequent/{payment_id}"), "");
    assert_eq!(frequent["max_value"], serde_json::json!(50));
    let card = rig.get(&format!("/fake/card/{payment_id}"));
    assert!(html(&card).contains("Save the card"));
    let done = rig.pay_card(&payment_id, CARD_OK);
    assert_eq!(location(&done), format!("{BASE}/fake/checkout/{id}"));
    assert_eq!(checkout_api(&rig, &id)["checkout"]["status"], "complete");
    assert_eq!(rig.outbox_types(), ["frequent_create:success"]);
}

#[test]
fn a_canceled_checkout_has_no_page() {
    let rig = Rig::new();
    let id = checkout(&rig, CHECKOUT);
    rig.api("DELETE", &format!("/checkout/{id}"), "");
    assert_eq!(rig.get(&format!("/fake/checkout/{id}")).status(), 404);
    assert_eq!(
        rig.post(&format!("/fake/checkout/{id}"), &[("method", "cc")])
            .status(),
        404
    );
}
