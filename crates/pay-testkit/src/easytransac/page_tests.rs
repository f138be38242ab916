//! Unit tests of the Easytransac fake's customer pages, through `handle` (no server, no
//! browser): every page and outcome, the state after each submit, the notification
//! queued, the signed return, and no card number or CVV in any page.

use std::sync::Arc;

use pay_core::{ManualClock, from_unix_seconds};
use pay_signing::easytransac::{Params, sign, verify, verify_notification};

use super::*;
use crate::webhook::Webhooks;

const KEY: &str = "et_test_page-key-71c2";
const BASE: &str = "http://127.0.0.1:1";
const RETURN: &str = "http://127.0.0.1:2/return";
const CANCEL: &str = "http://127.0.0.1:2/cancel";
/// A Luhn-valid card that is not one of the testkit's listed numbers, so the pages'
/// list of test cards cannot hide an echo of it.
const OTHER_CARD: &str = "5555555555554444";
const CVV: &str = "987";

struct Env {
    clock: ManualClock,
    webhooks: Webhooks,
    fake: EasytransacFake,
}

impl Env {
    fn new() -> Self {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let webhooks = Webhooks::new(Arc::new(clock.clone()));
        let fake = EasytransacFake::new(
            EasytransacConfig::new(SecretString::from(KEY))
                .notification_url("http://127.0.0.1:9/n"),
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

    fn v1(&self, path: &str, fields: &[(&str, &str)]) -> serde_json::Value {
        let params = Params::from_form(fields).unwrap();
        let signature = sign(&params, &SecretString::from(KEY))
            .unwrap()
            .into_string();
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        pairs.push(("Signature", &signature));
        let request = FakeRequest::new("POST", path)
            .with_header("EASYTRANSAC-API-KEY", KEY)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(crate::form::encode(pairs));
        let answer = self.fake.handle(&request, &self.ctx());
        let json: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
        assert_eq!(json["Code"], 0, "{json}");
        json["Result"].clone()
    }

    fn get(&self, url: &str) -> FakeResponse {
        let path = url.strip_prefix(BASE).unwrap_or(url);
        self.fake
            .handle(&FakeRequest::new("GET", path), &self.ctx())
    }

    fn post(&self, url: &str, fields: &[(&str, &str)]) -> FakeResponse {
        let path = url.strip_prefix(BASE).unwrap_or(url);
        let request = FakeRequest::new("POST", path)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(crate::form::encode(fields.to_vec()));
        self.fake.handle(&request, &self.ctx())
    }

    /// A payment page; returns its `RequestId` and `PageUrl`.
    fn page(&self, extra: &[(&str, &str)]) -> (String, String) {
        let mut fields = vec![
            ("Amount", "1250"),
            ("ClientIp", "10.0.0.2"),
            ("Email", "bo@example.org"),
            ("OrderId", "order-p"),
            ("Description", "Two <tickets>"),
        ];
        fields.extend_from_slice(extra);
        let page = self.v1("/api/payment/page", &fields);
        (
            page["RequestId"].as_str().unwrap().to_owned(),
            page["PageUrl"].as_str().unwrap().to_owned(),
        )
    }

    /// The PUSH notifications queued, as forms, in order.
    fn pushes(&self) -> Vec<Vec<(String, String)>> {
        self.webhooks
            .pending()
            .iter()
            .filter(|p| p.notification().url() == "http://127.0.0.1:9/n")
            .map(|p| crate::form::decode(std::str::from_utf8(p.notification().body()).unwrap()))
            .collect()
    }
}

fn html(response: &FakeResponse) -> String {
    String::from_utf8(response.body().to_vec()).unwrap()
}

fn card_form(number: &str) -> Vec<(&str, &str)> {
    vec![
        ("action", "pay"),
        ("CardNumber", number),
        ("CardMonth", "12"),
        ("CardYear", "2031"),
        ("CardCVV", CVV),
        ("CardOwner", "Bo Tester"),
    ]
}

/// The hidden fields of a return page's form, and its action.
fn return_form(page: &str) -> (String, Vec<(String, String)>) {
    let form_at = page
        .find("data-testid=\"return-form\"")
        .expect("a return form");
    let head = &page[..form_at];
    let action_at = head.rfind("action=\"").unwrap() + "action=\"".len();
    let action = head[action_at..].split('"').next().unwrap().to_owned();
    let mut fields = Vec::new();
    for piece in page[form_at..]
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
    {
        let (name, rest) = piece.split_once("\" value=\"").unwrap();
        let value = rest.split('"').next().unwrap();
        fields.push((unescape(name), unescape(value)));
    }
    (unescape(&action), fields)
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn assert_no_card_data(page: &str) {
    assert!(!page.contains(OTHER_CARD), "card number echoed");
    assert!(!page.contains("5555 5555"), "card number echoed");
    assert!(!page.contains(&format!("\"{CVV}\"")), "CVV echoed");
    assert!(!page.contains("<script"), "a page must not need JavaScript");
}

#[test]
fn the_payment_page_shows_a_labelled_card_form_posting_to_the_fake() {
    let env = Env::new();
    let (request_id, url) = env.page(&[("ReturnUrl", RETURN)]);
    assert_eq!(url, format!("{BASE}/pay/{request_id}"));
    let answer = env.get(&url);
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let page = html(&answer);
    for testid in [
        "payment-page",
        "amount",
        "card-form",
        "card-number",
        "card-month",
        "card-year",
        "card-cvv",
        "card-holder",
        "pay-button",
        "cancel-button",
    ] {
        assert!(
            page.contains(&format!("data-testid=\"{testid}\"")),
            "{testid}"
        );
    }
    for control in ["card-number", "card-month", "card-year", "card-cvv"] {
        assert!(
            page.contains(&format!("<label for=\"{control}\">")),
            "{control}"
        );
    }
    assert!(page.contains("12.50 EUR"));
    assert!(page.contains("Two &lt;tickets&gt;"));
    for action in page.split("action=\"").skip(1) {
        assert!(action.starts_with(BASE), "a form posts elsewhere: {action}");
    }
    assert!(!page.contains("<script"));
}

#[test]
fn paying_on_the_page_captures_notifies_and_posts_the_signed_status_back() {
    let env = Env::new();
    let (request_id, url) = env.page(&[("ReturnUrl", RETURN), ("CancelUrl", CANCEL)]);
    let answer = env.post(&url, &card_form(OTHER_CARD));
    assert_eq!(answer.status(), 200);
    let page = html(&answer);
    assert_no_card_data(&page);
    assert!(page.contains("data-testid=\"return-to-merchant\""));
    assert!(page.contains("************4444"));

    assert_eq!(env.fake.page_status(&request_id), Some("paid"));
    let view = &env.fake.payments()[0];
    assert_eq!(view.status, "captured");
    assert_eq!(view.amount_cents, 1250);
    assert_eq!(view.card_masked.as_deref(), Some("************4444"));
    assert_eq!(view.request_id.as_deref(), Some(request_id.as_str()));

    let (action, fields) = return_form(&page);
    assert_eq!(action, RETURN);
    let params = Params::from_form(&fields).unwrap();
    verify_notification(&params, &SecretString::from(KEY)).unwrap();
    assert_eq!(field(&fields, "Status"), Some("captured"));
    assert_eq!(field(&fields, "Tid"), Some(view.tid.as_str()));
    assert_eq!(field(&fields, "OrderId"), Some("order-p"));

    // The PUSH notification is the control's; the return is the browser's, not queued.
    let pushes = env.pushes();
    assert_eq!(pushes.len(), 1);
    assert_eq!(field(&pushes[0], "Status"), Some("captured"));
    assert_eq!(env.webhooks.pending().len(), 1);

    // The same fields as the API-driven path's return (the scenario control).
    let other = Env::new();
    let (other_id, _) = other.page(&[("ReturnUrl", RETURN)]);
    other.fake.pay_page(&other.ctx(), &other_id).unwrap();
    let queued: Vec<String> = other
        .webhooks
        .pending()
        .iter()
        .filter(|p| p.notification().url() == RETURN)
        .map(|p| {
            let form = crate::form::decode(std::str::from_utf8(p.notification().body()).unwrap());
            form.into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let names: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(queued, [names.join(",")]);

    // Finished: the page is gone, for GET and POST.
    assert_eq!(env.get(&url).status(), 404);
    let again = env.post(&url, &card_form(OTHER_CARD));
    assert_eq!(again.status(), 404);
    assert!(html(&again).contains("data-testid=\"page-error\""));
    assert_eq!(env.fake.payments().len(), 1);
}

#[test]
fn decline_cards_choose_the_reason() {
    for (card, error, additional) in [
        (
            cards::DECLINED_INSUFFICIENT_FUNDS,
            "Insufficient funds",
            "Do not honor",
        ),
        (cards::DECLINED_EXPIRED_CARD, "Expired card", "Expired card"),
    ] {
        let env = Env::new();
        let (request_id, url) = env.page(&[("ReturnUrl", RETURN)]);
        let answer = env.post(&url, &card_form(card));
        assert_eq!(answer.status(), 200);
        let page = html(&answer);
        assert!(page.contains("Payment declined"), "{card}");
        assert!(page.contains(error));
        assert_eq!(env.fake.page_status(&request_id), Some("failed"));
        let view = &env.fake.payments()[0];
        assert_eq!(view.status, "failed");
        assert_eq!(view.error.as_deref(), Some(error));
        let (_, fields) = return_form(&page);
        verify_notification(
            &Params::from_form(&fields).unwrap(),
            &SecretString::from(KEY),
        )
        .unwrap();
        assert_eq!(field(&fields, "Status"), Some("failed"));
        assert_eq!(field(&fields, "AdditionalError"), Some(additional));
        let pushes = env.pushes();
        assert_eq!(pushes.len(), 1);
        assert_eq!(field(&pushes[0], "Error"), Some(error));
    }
}

#[test]
fn a_three_ds_card_goes_through_the_challenge_page() {
    for pass in [true, false] {
        let env = Env::new();
        let (request_id, url) = env.page(&[("ReturnUrl", RETURN)]);
        let answer = env.post(&url, &card_form(cards::THREE_DS_CHALLENGE));
        assert_eq!(answer.status(), 303);
        let challenge = answer.header("location").unwrap().to_owned();
        let tid = env.fake.payments()[0].tid.clone();
        assert_eq!(challenge, format!("{BASE}/api/payment/3dsecure/{tid}"));
        assert_eq!(env.fake.page_status(&request_id), Some("pending"));
        // Back to the payment page: it sends the customer on to the challenge.
        assert_eq!(env.get(&url).header("location"), Some(challenge.as_str()));
        let shown = env.get(&challenge);
        assert_eq!(shown.status(), 200);
        let page = html(&shown);
        for testid in ["three-ds-page", "three-ds-pass", "three-ds-fail", "amount"] {
            assert!(
                page.contains(&format!("data-testid=\"{testid}\"")),
                "{testid}"
            );
        }
        assert!(page.contains(&format!("action=\"{challenge}\"")));

        let outcome = if pass { "pass" } else { "fail" };
        let answer = env.post(&challenge, &[("outcome", outcome)]);
        assert_eq!(answer.status(), 200);
        let (action, fields) = return_form(&html(&answer));
        assert_eq!(action, RETURN);
        verify_notification(
            &Params::from_form(&fields).unwrap(),
            &SecretString::from(KEY),
        )
        .unwrap();
        let (status, page_status) = if pass {
            ("captured", "paid")
        } else {
            ("failed", "failed")
        };
        assert_eq!(field(&fields, "Status"), Some(status));
        assert_eq!(env.fake.payment(&tid).unwrap().status, status);
        assert_eq!(env.fake.page_status(&request_id), Some(page_status));
        let statuses: Vec<_> = env
            .pushes()
            .iter()
            .map(|p| field(p, "Status").unwrap().to_owned())
            .collect();
        assert_eq!(statuses, ["pending", status]);
        assert_eq!(env.get(&challenge).status(), 404);
        assert_eq!(env.post(&challenge, &[("outcome", "pass")]).status(), 404);
    }
}

#[test]
fn the_direct_payments_challenge_uses_the_same_page() {
    let env = Env::new();
    let direct = env.v1(
        "/api/payment/direct",
        &[
            ("Amount", "4200"),
            ("CardNumber", cards::THREE_DS_CHALLENGE),
            ("CardMonth", "12"),
            ("CardYear", "2030"),
            ("CardCVV", "123"),
            ("ClientIp", "10.0.0.1"),
            ("OrderId", "order-d"),
            ("ReturnUrl", RETURN),
            ("ReturnMethod", "GET"),
        ],
    );
    let url = direct["3DSecureUrl"].as_str().unwrap();
    let tid = direct["Tid"].as_str().unwrap();
    assert_eq!(env.get(url).status(), 200);
    assert_eq!(env.post(url, &[("outcome", "maybe")]).status(), 400);
    let answer = env.post(url, &[("outcome", "pass")]);
    // ReturnMethod=GET: straight back to the merchant with the essential parameters.
    assert_eq!(answer.status(), 303);
    assert_eq!(
        answer.header("location"),
        Some(format!("{RETURN}?Tid={tid}&OrderId=order-d&Status=captured").as_str())
    );
    assert_eq!(env.fake.payment(tid).unwrap().status, "captured");
}

#[test]
fn cancelling_the_page_returns_to_cancel_url_without_a_transaction() {
    let env = Env::new();
    let (request_id, url) = env.page(&[("ReturnUrl", RETURN), ("CancelUrl", CANCEL)]);
    let answer = env.post(&url, &[("action", "cancel")]);
    assert_eq!(answer.status(), 200);
    let (action, fields) = return_form(&html(&answer));
    assert_eq!(action, CANCEL);
    assert_eq!(field(&fields, "Status"), Some("failed"));
    assert_eq!(field(&fields, "RequestId"), Some(request_id.as_str()));
    let signature = field(&fields, "Signature").unwrap().to_owned();
    let unsigned: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    verify(
        &Params::from_form(&unsigned).unwrap(),
        &SecretString::from(KEY),
        &signature,
    )
    .unwrap();
    assert_eq!(env.fake.page_status(&request_id), Some("abandoned"));
    assert!(env.fake.payments().is_empty());
    assert!(env.webhooks.pending().is_empty());

    // The control goes to CancelUrl too.
    let (other, _) = env.page(&[("ReturnUrl", RETURN), ("CancelUrl", CANCEL)]);
    env.fake.abandon_page(&env.ctx(), &other).unwrap();
    let queued = env.webhooks.pending();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].notification().url(), CANCEL);
}

/// The `data-testid`s of the controls marked `aria-invalid`.
fn invalid_controls(page: &str) -> Vec<String> {
    page.split('<')
        .filter(|tag| tag.starts_with("input") && tag.contains("aria-invalid=\"true\""))
        .map(|tag| {
            assert!(tag.contains("aria-describedby=\"form-error\""), "{tag}");
            let start = tag.find("data-testid=\"").expect("a testid") + 13;
            tag[start..]
                .split('"')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_refused_field_points_to_the_alert() {
    let env = Env::new();
    let (_, url) = env.page(&[]);
    for (month, year, cvv, field) in [
        ("13", "2031", CVV, "card-month"),
        ("12", "31", CVV, "card-year"),
        ("12", "2031", "1", "card-cvv"),
    ] {
        let answer = env.post(
            &url,
            &[
                ("action", "pay"),
                ("CardNumber", OTHER_CARD),
                ("CardMonth", month),
                ("CardYear", year),
                ("CardCVV", cvv),
            ],
        );
        let page = html(&answer);
        assert!(page.contains("id=\"form-error\""), "{page}");
        assert_eq!(invalid_controls(&page), [field]);
    }
    let answer = env.post(&url, &card_form("4111"));
    assert_eq!(invalid_controls(&html(&answer)), ["card-number"]);
    // A good page marks nothing.
    assert!(invalid_controls(&html(&env.get(&url))).is_empty());
    // The mandate's consent box, left unticked.
    let debit = sdd(&env);
    let mandate = debit["MandateUrl"].as_str().unwrap();
    let answer = env.post(mandate, &[("action", "sign")]);
    assert_eq!(answer.status(), 400);
    assert_eq!(invalid_controls(&html(&answer)), ["mandate-consent"]);
}

#[test]
fn a_bad_card_form_is_refused_without_echoing_it_and_changes_nothing() {
    let env = Env::new();
    let (request_id, url) = env.page(&[]);
    let luhn_fails = "5555555555554445";
    let cases: [(&str, &str, &str, &str); 5] = [
        (luhn_fails, "12", "2031", "Luhn"),
        ("55555", "12", "2031", "12 to 19 digits"),
        (OTHER_CARD, "13", "2031", "Expiry month"),
        (OTHER_CARD, "12", "31", "Expiry year"),
        (OTHER_CARD, "12", "2031", "Security code"),
    ];
    for (number, month, year, rule) in cases {
        let cvv = if rule == "Security code" { "1x" } else { CVV };
        let answer = env.post(
            &url,
            &[
                ("action", "pay"),
                ("CardNumber", number),
                ("CardMonth", month),
                ("CardYear", year),
                ("CardCVV", cvv),
            ],
        );
        assert_eq!(answer.status(), 400, "{rule}");
        let page = html(&answer);
        assert!(page.contains("data-testid=\"form-error\""), "{rule}");
        assert!(page.contains(rule), "{rule}");
        assert!(!page.contains(&format!("value=\"{number}")), "{rule}");
        assert_no_card_data(&page);
        assert!(!page.contains(luhn_fails));
    }
    assert_eq!(env.fake.page_status(&request_id), Some("pending"));
    assert!(env.fake.payments().is_empty());
    assert!(env.webhooks.pending().is_empty());
}

#[test]
fn without_a_return_url_the_page_says_what_happened() {
    let env = Env::new();
    let (_, url) = env.page(&[]);
    let answer = env.post(&url, &card_form(cards::SUCCESS));
    assert_eq!(answer.status(), 200);
    let page = html(&answer);
    assert!(page.contains("data-testid=\"outcome-page\""));
    assert!(page.contains("data-testid=\"outcome\""));
    assert!(!page.contains("return-form"));
}

#[test]
fn a_return_or_cancel_url_that_is_not_http_never_gets_a_page() {
    // A `javascript:` or `data:` URL would run in the fake's page as a form action, so
    // the API refuses it before any page exists (the generated `check_url`).
    let env = Env::new();
    for (field, bad) in [
        ("ReturnUrl", "javascript:alert(document.domain)"),
        ("CancelUrl", "data:text/html,<script>alert(1)</script>"),
    ] {
        let fields = [("Amount", "1250"), ("ClientIp", "10.0.0.2"), (field, bad)];
        let params = Params::from_form(&fields).unwrap();
        let signature = sign(&params, &SecretString::from(KEY))
            .unwrap()
            .into_string();
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        pairs.push(("Signature", &signature));
        let request = FakeRequest::new("POST", "/api/payment/page")
            .with_header("EASYTRANSAC-API-KEY", KEY)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(crate::form::encode(pairs));
        let answer = env.fake.handle(&request, &env.ctx());
        let json: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
        assert_ne!(json["Code"], 0, "{json}");
        assert!(
            json["Error"].as_str().unwrap_or_default().contains(field),
            "{json}"
        );
    }
    assert!(env.fake.lock().pages.is_empty());
    assert!(env.pushes().is_empty());
}

#[test]
fn unknown_pages_and_other_methods_are_error_pages() {
    let env = Env::new();
    for path in [
        "/pay/PR-nope",
        "/api/payment/3dsecure/ET-nope",
        "/api/payment/sdd/mandate/ET-nope",
        "/api/payment/bybank/ET-nope/redirect",
        "/v2/public/transaction/ET-nope/redirect",
    ] {
        let answer = env.get(path);
        assert_eq!(answer.status(), 404, "{path}");
        assert!(
            html(&answer).contains("data-testid=\"page-error\""),
            "{path}"
        );
        assert_eq!(env.post(path, &[("action", "pay")]).status(), 404, "{path}");
    }
    let (_, url) = env.page(&[]);
    let put = env.fake.handle(
        &FakeRequest::new("PUT", url.strip_prefix(BASE).unwrap()),
        &env.ctx(),
    );
    assert_eq!(put.status(), 405);
}

fn sdd(env: &Env) -> serde_json::Value {
    env.v1(
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
            ("ReturnUrl", RETURN),
        ],
    )
}

#[test]
fn signing_the_mandate_keeps_the_debit_pending_until_the_bank_settles() {
    let env = Env::new();
    let debit = sdd(&env);
    let url = debit["MandateUrl"].as_str().unwrap();
    let tid = debit["Tid"].as_str().unwrap();
    let shown = env.get(url);
    assert_eq!(shown.status(), 200);
    let page = html(&shown);
    for testid in [
        "mandate-page",
        "mandate-consent",
        "sign-mandate",
        "refuse-mandate",
        "iban",
    ] {
        assert!(
            page.contains(&format!("data-testid=\"{testid}\"")),
            "{testid}"
        );
    }
    assert!(page.contains("FR76 **** 0189"));
    assert!(!page.contains("1234567890189"));

    let unticked = env.post(url, &[("action", "sign")]);
    assert_eq!(unticked.status(), 400);
    assert!(html(&unticked).contains("Consent"));

    let before = env.pushes().len();
    let answer = env.post(url, &[("action", "sign"), ("consent", "yes")]);
    assert_eq!(answer.status(), 200);
    let (action, fields) = return_form(&html(&answer));
    assert_eq!(action, RETURN);
    verify_notification(
        &Params::from_form(&fields).unwrap(),
        &SecretString::from(KEY),
    )
    .unwrap();
    assert_eq!(field(&fields, "Status"), Some("pending"));
    assert_eq!(env.fake.payment(tid).unwrap().status, "pending");
    assert_eq!(
        env.pushes().len(),
        before,
        "no status change, no notification"
    );
    assert_eq!(env.get(url).status(), 404);
    assert!(env.fake.sign_mandate(&env.ctx(), tid).is_err());

    env.fake.settle_debit(&env.ctx(), tid).unwrap();
    assert_eq!(env.fake.payment(tid).unwrap().status, "captured");
    assert_eq!(
        field(env.pushes().last().unwrap(), "Status"),
        Some("captured")
    );
}

#[test]
fn refusing_the_mandate_fails_the_debit() {
    let env = Env::new();
    let debit = sdd(&env);
    let url = debit["MandateUrl"].as_str().unwrap();
    let tid = debit["Tid"].as_str().unwrap();
    let answer = env.post(url, &[("action", "refuse")]);
    assert_eq!(answer.status(), 200);
    let (_, fields) = return_form(&html(&answer));
    assert_eq!(field(&fields, "Status"), Some("failed"));
    let view = env.fake.payment(tid).unwrap();
    assert_eq!(view.status, "failed");
    assert_eq!(
        view.error.as_deref(),
        Some("Mandate signature refused by the customer")
    );
    assert_eq!(
        field(env.pushes().last().unwrap(), "Status"),
        Some("failed")
    );
    assert_eq!(env.get(url).status(), 404);
}

#[test]
fn the_bank_page_approves_or_cancels_a_transfer() {
    for approve in [true, false] {
        let env = Env::new();
        let bank = env.v1(
            "/api/payment/bybank",
            &[
                ("Amount", "999"),
                ("Email", "x@example.org"),
                ("OrderId", "b-1"),
                ("ReturnUrl", RETURN),
            ],
        );
        let url = bank["RedirectUrl"].as_str().unwrap();
        let tid = bank["Tid"].as_str().unwrap();
        let page = html(&env.get(url));
        for testid in ["bank-page", "bank-approve", "bank-cancel", "amount"] {
            assert!(
                page.contains(&format!("data-testid=\"{testid}\"")),
                "{testid}"
            );
        }
        assert!(page.contains(&format!("action=\"{url}\"")));
        let action = if approve { "approve" } else { "cancel" };
        let answer = env.post(url, &[("action", action)]);
        assert_eq!(answer.status(), 200);
        let (_, fields) = return_form(&html(&answer));
        let status = if approve { "captured" } else { "failed" };
        assert_eq!(field(&fields, "Status"), Some(status));
        assert_eq!(env.fake.payment(tid).unwrap().status, status);
        assert_eq!(field(env.pushes().last().unwrap(), "Status"), Some(status));
        assert_eq!(env.get(url).status(), 404);
    }
}
