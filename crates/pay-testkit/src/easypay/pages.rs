//! The customer's pages of the Easypay fake, served under `/fake/…` on the server's base
//! URL: the card form (`method.url` of a card payment), the 3-D Secure challenge, the MB
//! WAY "approve on your phone" page and the checkout session page.
//!
//! Each page is plain HTML from [`crate::pages`] (no JavaScript, labelled controls,
//! stable `data-testid`s), and each submit calls the same code as the scenario control it
//! stands for ([`EasypayFake::enter_card`], [`EasypayFake::complete_3ds`],
//! [`EasypayFake::approve_mbway`], [`EasypayFake::decline_mbway`],
//! [`EasypayFake::expire_payment`]), so the state reached and the notifications queued
//! are the API-driven path's. The checkout page creates its payment by running the
//! generated request checks and the `POST /single` (`/frequent`, `/subscription`)
//! handler on a body built from the session.
//!
//! Where the browser goes when a page is done:
//! - a payment created by a checkout page goes back to that checkout page, which shows
//!   the outcome (Easypay's checkout is a widget on the merchant's page that reports
//!   through callbacks, with no return URL in the API: INFERRED);
//! - a card payment goes to the account's `visa_fwd` URL ("URL for redirect clients on
//!   credit card forward", set with `PATCH /config`) with a `303` GET, adding the query
//!   parameters `id` (the payment), `status` (`success`, `failed` or `canceled`) and
//!   `key` (the merchant's key, when the payment has one); the parameter names are
//!   INFERRED, Easypay documents none;
//! - otherwise (an MB WAY payment, or no `visa_fwd`) the page ends with an outcome page.
//!
//! A card number is never written back into a page, a log or the state: the fake keeps
//! its first and last four digits, shows only the last four, and never keeps the CVV.
//! Forms post only to the fake's own base URL.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use crate::easypay::json::{self, Obj};
use crate::easypay::state::{Authorisation, Checkout, Kind, Payment, State};
use crate::easypay::{EasypayFake, flows, payments, wire};
use crate::form;
use crate::pages::{self, escape};
use crate::present::decimal_text;
use crate::provider::{Context, FakeRequest, FakeResponse};

/// The provider name the pages show.
const PROVIDER: &str = "Easypay";

/// The path prefix of every page.
pub(crate) const PREFIX: &str = "/fake/";

/// The card form of a pending card payment: the `method.url` the API answers.
pub fn card_page_url(base_url: &str, payment_id: &str) -> String {
    format!("{base_url}/fake/card/{payment_id}")
}

/// The 3-D Secure challenge of a payment or frequent authorisation waiting for it: the
/// `method.url` the API answers then.
pub fn three_ds_page_url(base_url: &str, id: &str) -> String {
    format!("{base_url}/fake/3ds/{id}")
}

/// The MB WAY "approve on your phone" page of a pending MB WAY payment or frequent
/// authorisation. Easypay's API gives no URL for this step (the customer answers in the
/// MB WAY app), so a test builds it from the id.
pub fn mbway_page_url(base_url: &str, id: &str) -> String {
    format!("{base_url}/fake/mbway/{id}")
}

/// The checkout page of a checkout session, where the customer chooses a method and
/// pays. Easypay shows its checkout in a widget on the merchant's page; the fake serves
/// it as a page of its own, built from the checkout id.
pub fn checkout_page_url(base_url: &str, checkout_id: &str) -> String {
    format!("{base_url}/fake/checkout/{checkout_id}")
}

/// A radio button beside its label (the shared stylesheet sets inputs as full-width
/// blocks).
const RADIO_STYLE: &str =
    "display:inline-block;width:auto;margin:0 .5rem 0 0;vertical-align:middle";

/// A radio button's label, on the same line.
const RADIO_LABEL_STYLE: &str = "display:inline;margin:0;font-weight:400";

/// The methods the checkout page can take, by payment kind: direct debit needs a
/// mandate form, Universo Flex and Santander Consumer are not modelled.
fn page_methods(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Single | Kind::Frequent => &["cc", "mbw", "mb", "vi"],
        Kind::Subscription => &["cc"],
    }
}

fn method_name(method: &str) -> &'static str {
    match method {
        "cc" => "Card",
        "mbw" => "MB WAY",
        "mb" => "Multibanco reference",
        "vi" => "Bank transfer to a virtual IBAN",
        "dd" => "SEPA direct debit",
        "uf" => "Universo Flex",
        "sc" => "Santander Consumer",
        _ => "Other",
    }
}

/// How a finished page reports: `success`, `failed`, `canceled` or `pending`.
fn result_of_payment(p: &Payment) -> &'static str {
    match p.status.as_str() {
        "paid" | "authorised" | "active" => "success",
        "failed" | "error" | "deleted" | "voided" => "failed",
        _ => "pending",
    }
}

fn result_of_authorisation(a: &Authorisation) -> &'static str {
    match a.status.as_str() {
        "success" => "success",
        "failed" | "canceled" | "deleted" => "failed",
        _ => "pending",
    }
}

fn amount_text(cents: i64, currency: &str) -> String {
    format!("{} {}", decimal_text(cents), currency)
}

/// `91*****67`: the first two and last two digits of a phone number.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 2 || i >= chars.len() - 2 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A `404` page for an id that has no open page.
fn gone(reason: &str) -> FakeResponse {
    pages::error_page(PROVIDER, 404, reason)
}

/// A page with another status than 200 (a form sent back with a problem).
fn page_with_status(status: u16, title: &str, testid: &str, main: &str) -> FakeResponse {
    FakeResponse::html(status, pages::document(PROVIDER, title, testid, main))
        .with_header("cache-control", "no-store")
}

fn alert(message: &str) -> String {
    format!(
        "<p role=\"alert\" data-testid=\"form-error\">{}</p>",
        escape(message)
    )
}

/// `url` with `pairs` added to its query.
fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", form::encode(pairs.iter().copied()))
}

/// What a page is about: amount and statement text.
fn summary(amount: Option<String>, descriptive: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(amount) = amount {
        out.push_str(&format!(
            "<p class=\"amount\" data-testid=\"amount\">{}</p>",
            escape(&amount)
        ));
    }
    if let Some(text) = descriptive {
        out.push_str(&format!(
            "<p data-testid=\"descriptive\">{}</p>",
            escape(text)
        ));
    }
    out
}

fn payment_summary(p: &Payment) -> String {
    summary(
        p.value.map(|v| amount_text(v, &p.currency)),
        p.capture_descriptive
            .as_deref()
            .or(p.descriptive.as_deref()),
    )
}

/// The card fields a customer typed, checked. The number and CVV are never kept.
struct CardEntry {
    number: String,
}

/// Checks the card form. A refusal is the `id` of the control at fault and a message
/// naming the field and the rule, never the value.
fn check_card(request: &FakeRequest, now: i64) -> Result<CardEntry, (&'static str, &'static str)> {
    let field = |name: &str| request.form_field(name).unwrap_or_default();
    let number: String = field("card_number")
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if !(12..=19).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("card_number", "Card number: enter 12 to 19 digits."));
    }
    let expiry = field("expiry");
    let parsed = expiry.trim().split_once('/').and_then(|(m, y)| {
        let month: u32 = m.trim().parse().ok()?;
        let year: u32 = y.trim().parse().ok()?;
        (y.trim().len() == 2 && (1..=12).contains(&month)).then_some((2000 + year, month))
    });
    let Some((year, month)) = parsed else {
        return Err(("expiry", "Expiry date: enter the month and year as MM/YY."));
    };
    let today = json::date(now);
    let this_year: u32 = today[..4].parse().unwrap_or(0);
    let this_month: u32 = today[5..7].parse().unwrap_or(0);
    if (year, month) < (this_year, this_month) {
        return Err(("expiry", "Expiry date: the card has expired."));
    }
    let cvv = field("cvv");
    if !(3..=4).contains(&cvv.len()) || !cvv.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("cvv", "Security code (CVV): enter 3 or 4 digits."));
    }
    let holder = field("holder");
    if holder.trim().is_empty() || holder.chars().count() > 100 {
        return Err(("holder", "Cardholder name: enter 1 to 100 characters."));
    }
    Ok(CardEntry { number })
}

/// The card form. `problem` is the `id` of the control at fault and a message to show,
/// `holder` and `expiry` what the customer typed before (the card number and CVV are
/// never written back).
fn card_form(
    base_url: &str,
    p: &Payment,
    problem: Option<(&str, &str)>,
    holder: &str,
    expiry: &str,
) -> FakeResponse {
    let pay_label = p.value.map_or_else(
        || "Save the card".to_owned(),
        |v| format!("Pay {}", amount_text(v, &p.currency)),
    );
    // The control at fault points to the alert, so a screen reader announces it there.
    let invalid = |id: &str| match problem {
        Some((field, _)) if field == id => " aria-invalid=\"true\" aria-describedby=\"card-error\"",
        _ => "",
    };
    let main = format!(
        "{summary}{problem}\
         <form method=\"post\" action=\"{action}\" data-testid=\"card-fields\">\
         <label for=\"card_number\">Card number</label>\
         <input id=\"card_number\" name=\"card_number\" type=\"text\" inputmode=\"numeric\" \
         autocomplete=\"cc-number\" required data-testid=\"card-number\"{inv_number}>\
         <label for=\"expiry\">Expiry date (MM/YY)</label>\
         <input id=\"expiry\" name=\"expiry\" type=\"text\" inputmode=\"numeric\" \
         autocomplete=\"cc-exp\" placeholder=\"MM/YY\" required data-testid=\"card-expiry\" \
         value=\"{expiry}\"{inv_expiry}>\
         <label for=\"cvv\">Security code (CVV)</label>\
         <input id=\"cvv\" name=\"cvv\" type=\"password\" inputmode=\"numeric\" \
         autocomplete=\"cc-csc\" required data-testid=\"card-cvv\"{inv_cvv}>\
         <label for=\"holder\">Cardholder name</label>\
         <input id=\"holder\" name=\"holder\" type=\"text\" autocomplete=\"cc-name\" required \
         data-testid=\"card-holder\" value=\"{holder}\"{inv_holder}>\
         <div class=\"actions\">\
         <button type=\"submit\" name=\"action\" value=\"pay\" data-testid=\"card-pay\">{pay}</button>\
         <button type=\"submit\" name=\"action\" value=\"cancel\" class=\"secondary\" \
         formnovalidate data-testid=\"card-cancel\">Cancel</button></div></form>",
        summary = payment_summary(p),
        problem = problem.map_or_else(String::new, |(_, m)| alert(m).replace(
            "data-testid=\"form-error\"",
            "id=\"card-error\" data-testid=\"form-error\""
        )),
        action = escape(&card_page_url(base_url, &p.id)),
        inv_number = invalid("card_number"),
        inv_expiry = invalid("expiry"),
        inv_cvv = invalid("cvv"),
        inv_holder = invalid("holder"),
        expiry = escape(expiry),
        holder = escape(holder),
        pay = escape(&pay_label),
    );
    let status = if problem.is_some() { 400 } else { 200 };
    page_with_status(status, "Pay by card", "card-form", &main)
}

/// Parses a JSON object's members as raw text (amounts stay exactly as written).
fn members(raw: &str) -> BTreeMap<String, Box<RawValue>> {
    serde_json::from_str(raw).unwrap_or_default()
}

fn raw_string(text: &str) -> Box<RawValue> {
    RawValue::from_string(json::string(text)).unwrap_or_else(|_| empty_object())
}

fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).expect("`{}` is JSON")
}

fn object_text(map: &BTreeMap<String, Box<RawValue>>) -> String {
    serde_json::to_string(map).unwrap_or_else(|_| "{}".to_owned())
}

/// The `POST /single` (`/frequent`, `/subscription`) body a checkout's choice makes, with
/// the operation id: the session's payment settings, the order's value, the customer
/// (with the MB WAY phone typed on the page, if any).
fn checkout_body(c: &Checkout, method: &str, phone: Option<&str>) -> (&'static str, String) {
    let top = members(&c.request);
    let payment = top
        .get("payment")
        .map(|raw| members(raw.get()))
        .unwrap_or_default();
    let order = top
        .get("order")
        .map(|raw| members(raw.get()))
        .unwrap_or_default();
    let mut customer = top
        .get("customer")
        .map(|raw| members(raw.get()))
        .unwrap_or_default();
    if let Some(phone) = phone {
        customer.insert("phone".to_owned(), raw_string(phone));
    }
    let copy = |mut obj: Obj, names: &[&str]| {
        for name in names {
            obj = obj.opt_raw(name, payment.get(*name).map(|raw| raw.get()));
        }
        obj
    };
    let value = order.get("value").map(|raw| raw.get());
    let customer = object_text(&customer);
    let capture = || {
        // A sale needs a capture with a statement text; the session's is optional
        // (INFERRED default: the order's key, or the checkout id).
        let mut capture = payment
            .get("capture")
            .map(|raw| members(raw.get()))
            .unwrap_or_default();
        if !capture.contains_key("descriptive") {
            let order_key = order
                .get("key")
                .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
            let text = format!("Order {}", order_key.as_deref().unwrap_or(&c.id));
            capture.insert("descriptive".to_owned(), raw_string(&text));
        }
        object_text(&capture)
    };
    match c.kind {
        Kind::Single => {
            let sale = payment
                .get("type")
                .is_none_or(|t| t.get().trim() != "\"authorisation\"");
            let mut obj = Obj::new().opt_raw("value", value).str("method", method);
            obj = copy(obj, &["type", "expiration_time", "currency", "key"]);
            if sale {
                obj = obj.raw("capture", &capture());
            }
            ("single_create", obj.raw("customer", &customer).done())
        }
        Kind::Frequent => {
            let mut obj = Obj::new().str("method", method);
            obj = copy(
                obj,
                &[
                    "expiration_time",
                    "currency",
                    "key",
                    "max_value",
                    "min_value",
                    "unlimited_payments",
                ],
            );
            ("frequent_create", obj.raw("customer", &customer).done())
        }
        Kind::Subscription => {
            let mut obj = Obj::new().opt_raw("value", value).str("method", method);
            obj = copy(
                obj,
                &[
                    "frequency",
                    "start_time",
                    "max_captures",
                    "expiration_time",
                    "retries",
                    "failover",
                    "capture_now",
                    "currency",
                    "key",
                ],
            );
            obj = obj.raw("capture", &capture());
            ("subscription_create", obj.raw("customer", &customer).done())
        }
    }
}

/// The first message of an Easypay error answer.
fn api_message(answer: &FakeResponse) -> String {
    let value: serde_json::Value = serde_json::from_slice(answer.body()).unwrap_or_default();
    match &value["message"] {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|item| item.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        _ => "the payment could not be created".to_owned(),
    }
}

/// What a payment shows once its page is done: `data-testid="outcome"` with
/// `data-status` (`success`, `failed`, `canceled` or `pending`), the ids, and the
/// Multibanco entity and reference or the virtual IBAN to pay.
fn outcome_main(p: &Payment, result: &str, authorisation: Option<&Authorisation>) -> String {
    let message = match (result, p.method.as_str()) {
        ("success", _) if p.status == "paid" => "Payment complete: the amount was paid.",
        ("success", _) if p.status == "authorised" => {
            "Payment authorised: the merchant captures it later."
        }
        ("success", _) => "Done: the payment method is ready for the merchant's charges.",
        ("failed", _) => "The payment failed.",
        ("canceled", _) => "The payment was canceled: nothing was charged.",
        (_, "mb") => "Pay the Multibanco reference below at an ATM or in your bank's app.",
        (_, "vi") => "Pay by bank transfer to the IBAN below.",
        _ => "The payment is waiting.",
    };
    let mut rows = format!(
        "<dt>Payment</dt><dd data-testid=\"payment-id\">{}</dd>\
         <dt>Status</dt><dd data-testid=\"payment-status\">{}</dd>",
        escape(&p.id),
        escape(&p.status)
    );
    if let Some(a) = authorisation {
        rows.push_str(&format!(
            "<dt>Authorisation</dt><dd data-testid=\"authorisation-id\">{}</dd>",
            escape(&a.id)
        ));
    }
    if let Some(last_four) = &p.last_four {
        rows.push_str(&format!(
            "<dt>Card</dt><dd data-testid=\"card-last-four\">ending {}</dd>",
            escape(last_four)
        ));
    }
    if p.status == "pending" || p.kind != Kind::Single {
        if let (Some(entity), Some(reference)) = (&p.entity, &p.reference) {
            rows.push_str(&format!(
                "<dt>Entity</dt><dd data-testid=\"mb-entity\">{}</dd>\
                 <dt>Reference</dt><dd data-testid=\"mb-reference\">{}</dd>",
                escape(entity),
                escape(reference)
            ));
        }
        if p.method == "vi"
            && let Some(iban) = &p.iban
        {
            rows.push_str(&format!(
                "<dt>IBAN</dt><dd data-testid=\"vi-iban\">{}</dd>",
                escape(iban)
            ));
        }
    }
    format!(
        "{}<p role=\"status\" data-testid=\"outcome\" data-status=\"{}\">{}</p><dl>{rows}</dl>",
        payment_summary(p),
        escape(result),
        escape(message)
    )
}

fn outcome_title(result: &str) -> &'static str {
    match result {
        "success" => "Payment done",
        "failed" => "Payment failed",
        "canceled" => "Payment canceled",
        _ => "Payment waiting",
    }
}

/// A page's id resolved to what it is about.
enum Subject {
    Payment(Payment),
    /// A frequent authorisation, with its payment.
    Authorisation(Authorisation, Payment),
}

impl Subject {
    fn payment(&self) -> &Payment {
        match self {
            Subject::Payment(p) | Subject::Authorisation(_, p) => p,
        }
    }

    fn id(&self) -> &str {
        match self {
            Subject::Payment(p) => &p.id,
            Subject::Authorisation(a, _) => &a.id,
        }
    }

    fn amount(&self) -> Option<String> {
        match self {
            Subject::Payment(p) => p.value.map(|v| amount_text(v, &p.currency)),
            Subject::Authorisation(a, p) => Some(amount_text(a.value, &p.currency)),
        }
    }

    fn descriptive(&self) -> Option<&str> {
        match self {
            Subject::Payment(p) => p
                .capture_descriptive
                .as_deref()
                .or(p.descriptive.as_deref()),
            Subject::Authorisation(a, _) => a.descriptive.as_deref(),
        }
    }
}

/// What is waiting for `step` (`3ds` or `mbway`) under `id`: a payment or a waiting
/// frequent authorisation of the right method.
fn waiting(state: &State, id: &str, step: &str) -> Option<Subject> {
    let method = if step == "3ds" { "cc" } else { "mbw" };
    if let Some(a) = state.authorisations.iter().find(|a| a.id == id) {
        let p = state.payment(&a.payment_id)?;
        return (a.status == "waiting" && p.method == method)
            .then(|| Subject::Authorisation(a.clone(), p.clone()));
    }
    let p = state.payment(id)?;
    let open = if step == "3ds" {
        p.awaiting_3ds
    } else {
        p.method_status == "pending"
    };
    (p.method == method && open).then(|| Subject::Payment(p.clone()))
}

impl EasypayFake {
    /// Serves `/fake/{page}/{id}`.
    pub(crate) fn page(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        let rest = request.path().strip_prefix(PREFIX).unwrap_or_default();
        let Some((name, id)) = rest
            .split_once('/')
            .filter(|(_, id)| !id.is_empty() && !id.contains('/'))
        else {
            return gone("There is no such page.");
        };
        let post = match request.method() {
            "GET" | "HEAD" => false,
            "POST" => true,
            _ => {
                return pages::error_page(PROVIDER, 405, "This page takes GET and POST only.")
                    .with_header("allow", "GET, POST");
            }
        };
        match (name, post) {
            ("card", false) => self.card_page(ctx, id),
            ("card", true) => self.card_submit(ctx, request, id),
            ("3ds", false) => self.three_ds_page(ctx, id),
            ("3ds", true) => self.three_ds_submit(ctx, request, id),
            ("mbway", false) => self.mbway_page(ctx, id),
            ("mbway", true) => self.mbway_submit(ctx, request, id),
            ("checkout", false) => self.checkout_page(ctx, id, None, 200),
            ("checkout", true) => self.checkout_submit(ctx, request, id),
            _ => gone("There is no such page."),
        }
    }

    /// The state after running what the clock made due.
    fn due_state(&self, ctx: &Context<'_>) -> std::sync::MutexGuard<'_, State> {
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        state
    }

    fn open_card_payment(&self, ctx: &Context<'_>, id: &str) -> Result<Payment, FakeResponse> {
        let state = self.due_state(ctx);
        match state.payment(id) {
            Some(p) if p.method == "cc" && p.method_status == "pending" => Ok(p.clone()),
            Some(_) => Err(gone(
                "This card form is closed: the payment is not waiting for a card.",
            )),
            None => Err(gone("There is no payment with this id.")),
        }
    }

    fn card_page(&self, ctx: &Context<'_>, id: &str) -> FakeResponse {
        match self.open_card_payment(ctx, id) {
            Ok(p) => card_form(ctx.base_url(), &p, None, "", ""),
            Err(answer) => answer,
        }
    }

    fn card_submit(&self, ctx: &Context<'_>, request: &FakeRequest, id: &str) -> FakeResponse {
        let p = match self.open_card_payment(ctx, id) {
            Ok(p) => p,
            Err(answer) => return answer,
        };
        if request.form_field("action").as_deref() == Some("cancel") {
            return self.finish(ctx, &Subject::Payment(p), Some("canceled"));
        }
        let now = self.env(ctx).now;
        let entry = match check_card(request, now) {
            Ok(entry) => entry,
            Err(problem) => {
                let holder = request.form_field("holder").unwrap_or_default();
                let expiry = request.form_field("expiry").unwrap_or_default();
                return card_form(ctx.base_url(), &p, Some(problem), &holder, &expiry);
            }
        };
        if let Err(e) = self.enter_card(ctx, id, &entry.number) {
            return gone(e.message());
        }
        let after = self.lock().payment(id).cloned();
        match after {
            Some(p) if p.awaiting_3ds => pages::see_other(&three_ds_page_url(ctx.base_url(), id)),
            Some(p) => self.finish(ctx, &Subject::Payment(p), None),
            None => gone("There is no payment with this id."),
        }
    }

    fn three_ds_page(&self, ctx: &Context<'_>, id: &str) -> FakeResponse {
        let Some(subject) = waiting(&self.due_state(ctx), id, "3ds") else {
            return gone("This 3-D Secure challenge is closed or unknown.");
        };
        let card = subject
            .payment()
            .last_four
            .as_deref()
            .map_or_else(String::new, |four| {
                format!(
                    "<p data-testid=\"card-last-four\">Card ending {}</p>",
                    escape(four)
                )
            });
        let main = format!(
            "{}{card}<p>Your bank asks you to confirm this payment.</p>\
             <form method=\"post\" action=\"{}\" data-testid=\"three-ds-form\">\
             <div class=\"actions\">\
             <button type=\"submit\" name=\"result\" value=\"pass\" data-testid=\"3ds-pass\">\
             Confirm the payment</button>\
             <button type=\"submit\" name=\"result\" value=\"fail\" class=\"secondary\" \
             data-testid=\"3ds-fail\">Fail authentication</button></div></form>",
            summary(subject.amount(), subject.descriptive()),
            escape(&three_ds_page_url(ctx.base_url(), id)),
        );
        pages::page(PROVIDER, "3-D Secure", "three-ds-page", &main)
    }

    fn three_ds_submit(&self, ctx: &Context<'_>, request: &FakeRequest, id: &str) -> FakeResponse {
        if waiting(&self.due_state(ctx), id, "3ds").is_none() {
            return gone("This 3-D Secure challenge is closed or unknown.");
        }
        let pass = match request.form_field("result").as_deref() {
            Some("pass") => true,
            Some("fail") => false,
            _ => {
                return pages::error_page(PROVIDER, 400, "result: choose pass or fail.");
            }
        };
        if let Err(e) = self.complete_3ds(ctx, id, pass) {
            return gone(e.message());
        }
        self.finish_id(ctx, id)
    }

    fn mbway_page(&self, ctx: &Context<'_>, id: &str) -> FakeResponse {
        let Some(subject) = waiting(&self.due_state(ctx), id, "mbway") else {
            return gone("This MB WAY request is answered, expired or unknown.");
        };
        let p = subject.payment();
        let phone = p.phone.as_deref().map_or_else(String::new, |phone| {
            format!(
                "<p>Sent to <span data-testid=\"mbway-phone\">{}</span></p>",
                escape(&mask_phone(phone))
            )
        });
        let expire = if matches!(subject, Subject::Payment(_)) && p.kind == Kind::Single {
            "<button type=\"submit\" name=\"answer\" value=\"expire\" class=\"secondary\" \
             data-testid=\"mbway-expire\">Let it expire</button>"
        } else {
            ""
        };
        let main = format!(
            "{}{phone}<p>Open the MB WAY app on your phone and approve the payment. \
             On this test page, answer for the phone:</p>\
             <form method=\"post\" action=\"{}\" data-testid=\"mbway-form\">\
             <div class=\"actions\">\
             <button type=\"submit\" name=\"answer\" value=\"approve\" \
             data-testid=\"mbway-approve\">Approve</button>\
             <button type=\"submit\" name=\"answer\" value=\"decline\" class=\"secondary\" \
             data-testid=\"mbway-decline\">Decline</button>{expire}</div></form>",
            summary(subject.amount(), subject.descriptive()),
            escape(&mbway_page_url(ctx.base_url(), id)),
        );
        pages::page(PROVIDER, "Approve on your phone", "mbway-page", &main)
    }

    fn mbway_submit(&self, ctx: &Context<'_>, request: &FakeRequest, id: &str) -> FakeResponse {
        if waiting(&self.due_state(ctx), id, "mbway").is_none() {
            return gone("This MB WAY request is answered, expired or unknown.");
        }
        let done = match request.form_field("answer").as_deref() {
            Some("approve") => self.approve_mbway(ctx, id),
            Some("decline") => self.decline_mbway(ctx, id),
            Some("expire") => self.expire_payment(ctx, id),
            _ => {
                return pages::error_page(
                    PROVIDER,
                    400,
                    "answer: choose approve, decline or expire.",
                );
            }
        };
        if let Err(e) = done {
            return gone(e.message());
        }
        self.finish_id(ctx, id)
    }

    /// [`Self::finish`] for an id that is a payment or an authorisation.
    fn finish_id(&self, ctx: &Context<'_>, id: &str) -> FakeResponse {
        let subject = {
            let state = self.lock();
            if let Some(a) = state.authorisations.iter().find(|a| a.id == id) {
                state
                    .payment(&a.payment_id)
                    .map(|p| Subject::Authorisation(a.clone(), p.clone()))
            } else {
                state.payment(id).cloned().map(Subject::Payment)
            }
        };
        match subject {
            Some(subject) => self.finish(ctx, &subject, None),
            None => gone("There is no payment with this id."),
        }
    }

    /// Where the browser goes when a page is done (see the module docs): the checkout
    /// page, the `visa_fwd` URL for cards, or an outcome page.
    fn finish(&self, ctx: &Context<'_>, subject: &Subject, result: Option<&str>) -> FakeResponse {
        let state = self.lock();
        let id = subject.id();
        let p = state
            .payment(&subject.payment().id)
            .unwrap_or(subject.payment());
        let authorisation = match subject {
            Subject::Authorisation(a, _) => state.authorisations.iter().find(|x| x.id == a.id),
            Subject::Payment(_) => None,
        };
        let result = result.unwrap_or_else(|| match authorisation {
            Some(a) => result_of_authorisation(a),
            None => result_of_payment(p),
        });
        if authorisation.is_none()
            && let Some(c) = state
                .checkouts
                .iter()
                .find(|c| c.payment_id.as_deref() == Some(id))
        {
            return pages::see_other(&checkout_page_url(ctx.base_url(), &c.id));
        }
        if p.method == "cc"
            && let Some(forward) = &state.config.visa_fwd
        {
            let mut pairs = vec![("id", id), ("status", result)];
            if let Some(key) = p.key.as_deref() {
                pairs.push(("key", key));
            }
            return pages::see_other(&with_query(forward, &pairs));
        }
        let main = outcome_main(p, result, authorisation);
        pages::page(PROVIDER, outcome_title(result), "outcome-page", &main)
    }

    fn checkout_page(
        &self,
        ctx: &Context<'_>,
        id: &str,
        problem: Option<&str>,
        status: u16,
    ) -> FakeResponse {
        let state = self.due_state(ctx);
        let Some(c) = state.checkouts.iter().find(|c| c.id == id) else {
            return gone("There is no checkout with this id.");
        };
        let payment = c.payment_id.as_deref().and_then(|pid| state.payment(pid));
        match state.checkout_status(c) {
            "canceled" => return gone("This checkout was canceled."),
            "complete" => {
                if let Some(p) = payment {
                    let result = if p.status == "pending" {
                        "pending"
                    } else {
                        result_of_payment(p)
                    };
                    let main = format!(
                        "<p>Checkout: <span data-testid=\"checkout-status\">complete</span></p>{}",
                        outcome_main(p, result, None)
                    );
                    return pages::page(PROVIDER, "Checkout complete", "checkout-done", &main);
                }
            }
            _ => {}
        }
        let offered: Vec<&str> = c
            .methods
            .iter()
            .map(String::as_str)
            .filter(|m| page_methods(c.kind).contains(m))
            .collect();
        let mut main = summary(Some(amount_text(c.value, "EUR")), None);
        main.push_str("<p>Checkout: <span data-testid=\"checkout-status\">pending</span></p>");
        if let Some(problem) = problem {
            main.push_str(&alert(problem));
        }
        if let Some(p) = payment {
            let continue_url = match p.method.as_str() {
                "cc" if p.awaiting_3ds => Some(three_ds_page_url(ctx.base_url(), &p.id)),
                "cc" if p.method_status == "pending" => Some(card_page_url(ctx.base_url(), &p.id)),
                "mbw" if p.method_status == "pending" => {
                    Some(mbway_page_url(ctx.base_url(), &p.id))
                }
                _ => None,
            };
            match continue_url {
                Some(url) => main.push_str(&format!(
                    "<p>A payment by {} is waiting. \
                     <a href=\"{}\" data-testid=\"checkout-continue\">Continue it</a>, \
                     or choose again below.</p>",
                    escape(method_name(&p.method)),
                    escape(&url)
                )),
                None => main.push_str(&format!(
                    "<p role=\"alert\" data-testid=\"outcome\" data-status=\"failed\">\
                     The payment by {} failed (status {}). Choose a method to try again.</p>",
                    escape(method_name(&p.method)),
                    escape(&p.status)
                )),
            }
        }
        if offered.is_empty() {
            main.push_str(
                "<p role=\"alert\" data-testid=\"page-error\">None of this checkout's methods \
                 can be paid on the fake's page.</p>",
            );
        } else {
            let mut radios = String::new();
            for (i, m) in offered.iter().enumerate() {
                radios.push_str(&format!(
                    "<div style=\"margin-top:.75rem\">\
                     <input type=\"radio\" id=\"method-{m}\" name=\"method\" value=\"{m}\" \
                     data-testid=\"method-{m}\"{checked} required style=\"{RADIO_STYLE}\">\
                     <label for=\"method-{m}\" style=\"{RADIO_LABEL_STYLE}\">{name}</label></div>",
                    m = escape(m),
                    checked = if i == 0 { " checked" } else { "" },
                    name = escape(method_name(m)),
                ));
            }
            let phone = if offered.contains(&"mbw") {
                "<label for=\"phone\">MB WAY phone number (leave empty to use the one the \
                 merchant gave)</label>\
                 <input id=\"phone\" name=\"phone\" type=\"tel\" inputmode=\"numeric\" \
                 autocomplete=\"tel-national\" data-testid=\"mbway-phone-input\">"
            } else {
                ""
            };
            main.push_str(&format!(
                "<form method=\"post\" action=\"{}\" data-testid=\"checkout-form\">\
                 <fieldset><legend>Payment method</legend>{radios}</fieldset>{phone}\
                 <div class=\"actions\"><button type=\"submit\" data-testid=\"checkout-pay\">\
                 Continue</button></div></form>",
                escape(&checkout_page_url(ctx.base_url(), &c.id)),
            ));
        }
        page_with_status(status, "Checkout", "checkout-page", &main)
    }

    fn checkout_submit(&self, ctx: &Context<'_>, request: &FakeRequest, id: &str) -> FakeResponse {
        let env = self.env(ctx);
        let method = request.form_field("method").unwrap_or_default();
        let phone = request
            .form_field("phone")
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        let created = {
            let mut state = self.due_state(ctx);
            let Some(c) = state.checkouts.iter().find(|c| c.id == id).cloned() else {
                return gone("There is no checkout with this id.");
            };
            if state.checkout_status(&c) != "pending" {
                return gone("This checkout is closed.");
            }
            if !c.methods.contains(&method) || !page_methods(c.kind).contains(&method.as_str()) {
                drop(state);
                return self.checkout_page(
                    ctx,
                    id,
                    Some("Payment method: choose one of the methods listed."),
                    400,
                );
            }
            if let Some(phone) = &phone
                && !(phone.len() == 9 && phone.bytes().all(|b| b.is_ascii_digit()))
            {
                drop(state);
                return self.checkout_page(
                    ctx,
                    id,
                    Some("MB WAY phone number: enter 9 digits."),
                    400,
                );
            }
            let phone = phone.as_deref().filter(|_| method == "mbw");
            let (operation, body) = checkout_body(&c, &method, phone);
            let answer = match wire::check_request(operation, body.as_bytes()) {
                Some(Err(rejection)) => crate::easypay::rejected(&rejection),
                _ => {
                    let path = operation.trim_end_matches("_create");
                    let api = FakeRequest::new("POST", &format!("/2.0/{path}"))
                        .with_header("content-type", "application/json")
                        .with_body(body);
                    match operation {
                        "frequent_create" => payments::frequent_create(&mut state, &env, &api),
                        "subscription_create" => {
                            payments::subscription_create(&mut state, &env, &api)
                        }
                        _ => payments::single_create(&mut state, &env, &api),
                    }
                }
            };
            let payment_id = (answer.status() == 201)
                .then(|| serde_json::from_slice::<serde_json::Value>(answer.body()).ok())
                .flatten()
                .and_then(|v| v["id"].as_str().map(str::to_owned));
            match payment_id {
                Some(payment_id) => {
                    if let Some(c) = state.checkouts.iter_mut().find(|c| c.id == id) {
                        c.payment_id = Some(payment_id.clone());
                    }
                    state.payment(&payment_id).cloned()
                }
                None => {
                    drop(state);
                    let problem =
                        format!("The payment could not be created: {}", api_message(&answer));
                    return self.checkout_page(ctx, id, Some(&problem), 400);
                }
            }
        };
        let base = ctx.base_url();
        match created {
            Some(p) if p.method == "cc" && p.method_status == "pending" => {
                pages::see_other(&card_page_url(base, &p.id))
            }
            Some(p) if p.method == "mbw" && p.method_status == "pending" => {
                pages::see_other(&mbway_page_url(base, &p.id))
            }
            _ => pages::see_other(&checkout_page_url(base, id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("919876543"), "91*****43");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn queries_are_appended() {
        assert_eq!(
            with_query(
                "http://127.0.0.1:9/back",
                &[("id", "a b"), ("status", "success")]
            ),
            "http://127.0.0.1:9/back?id=a+b&status=success"
        );
        assert_eq!(
            with_query("http://127.0.0.1:9/back?x=1", &[("id", "a")]),
            "http://127.0.0.1:9/back?x=1&id=a"
        );
    }
}
