//! Single, frequent and subscription payments: create, list, get, update, delete.

use pay_core::wire::JsonNumber;

use crate::easypay::flows::{self, Outcome};
use crate::easypay::json::{self, Obj};
use crate::easypay::notify::Env;
use crate::easypay::pagination;
use crate::easypay::state::{Kind, Payment, State};
use crate::easypay::{body, cents, created, error, path_id};
use crate::generated::RouteMatch;
use crate::generated::easypay::{
    CustomerInput, FrequentCreateRequest, FrequentUpdateRequest, SddMandateInput,
    SingleCreateRequest, SingleType, SingleUpdateRequest, SubscriptionCreateRequest,
    SubscriptionUpdateRequest,
};
use crate::provider::{FakeRequest, FakeResponse};

fn kind_of(operation: &str) -> Kind {
    if operation.starts_with("frequent") {
        Kind::Frequent
    } else if operation.starts_with("subscription") {
        Kind::Subscription
    } else {
        Kind::Single
    }
}

/// The customer object as Easypay echoes it, with its id.
fn customer_json(id: &str, customer: Option<&CustomerInput>) -> String {
    let mut obj = Obj::new().str("id", id);
    if let Some(c) = customer {
        obj = obj
            .opt_str("name", c.name.as_deref())
            .opt_str("email", c.email.as_deref())
            .opt_str("phone", c.phone.as_deref())
            .opt_str("phone_indicative", c.phone_indicative.as_deref())
            .opt_str("fiscal_number", c.fiscal_number.as_deref())
            .opt_str("key", c.key.as_deref())
            .opt_str("language", c.language.as_ref().map(|l| l.as_str()));
    }
    obj.done()
}

/// A payment with everything empty but what every kind has.
fn blank(
    state: &mut State,
    env: &Env<'_>,
    id: String,
    kind: Kind,
    method: &str,
    customer: Option<&CustomerInput>,
) -> Payment {
    let customer_id = customer
        .and_then(|c| c.id.clone())
        .unwrap_or_else(|| state.next_id());
    Payment {
        id,
        kind,
        method: method.to_owned(),
        authorisation_only: false,
        value: None,
        currency: "EUR".to_owned(),
        key: None,
        descriptive: None,
        expiration_time: None,
        customer: customer_json(&customer_id, customer),
        customer_id,
        customer_key: customer.and_then(|c| c.key.clone()),
        phone: customer.and_then(|c| c.phone.clone()),
        status: "pending".to_owned(),
        method_status: "pending".to_owned(),
        entity: None,
        reference: None,
        iban: None,
        mandate_id: None,
        card_prefix: None,
        last_four: None,
        url: None,
        awaiting_3ds: false,
        capture_descriptive: None,
        capture_key: None,
        created_at: env.now,
        paid_at: None,
        max_value: None,
        min_value: None,
        unlimited_payments: true,
        frequency: None,
        start_time: None,
        next_due: None,
        max_captures: None,
        captures_done: 0,
        expires_at: None,
        capture_now: false,
    }
}

/// Method-specific set-up: Multibanco entity and reference, a virtual IBAN, the card
/// form URL, the mandate.
fn prepare_method(
    state: &mut State,
    env: &Env<'_>,
    payment: &mut Payment,
    mandate: Option<&SddMandateInput>,
) {
    match payment.method.as_str() {
        "mb" => {
            let n = state.next_number();
            // INFERRED: a fixed sandbox entity and a 9-digit reference.
            payment.entity = Some("12345".to_owned());
            payment.reference = Some(format!("{:09}", 100_000_000 + n));
        }
        "vi" => {
            let n = state.next_number();
            payment.iban = Some(portuguese_iban(&format!("{n:021}")));
        }
        "cc" => {
            payment.url = Some(format!("{}/fake/card/{}", env.base_url, payment.id));
        }
        "dd" => {
            if let Some(m) = mandate {
                payment.iban = Some(flows::compact(&m.iban));
                payment.mandate_id = Some(m.id.clone().unwrap_or_else(|| state.next_id()));
            }
        }
        _ => {}
    }
}

/// A Portuguese IBAN with valid check digits for a 21-digit BBAN (a virtual IBAN is a
/// real account number).
fn portuguese_iban(bban: &str) -> String {
    // "PT" is 25 29; the check digits start as 00 (ISO 13616 mod 97).
    let digits = format!("{bban}252900");
    let rest = digits
        .bytes()
        .fold(0u32, |acc, d| (acc * 10 + u32::from(d - b'0')) % 97);
    format!("PT{:02}{bban}", 98 - rest)
}

/// The 201 of a payment create, after any immediate decision.
fn created_payment(state: &State, id: &str) -> FakeResponse {
    let Some(p) = state.payment(id) else {
        return error(404, &["no payment found"]);
    };
    let mut extra = vec![
        ("method", p.method_object()),
        ("customer", Obj::new().str("id", &p.customer_id).done()),
    ];
    if let Some(capture) = state.captures.iter().rev().find(|c| c.payment_id == id) {
        extra.push(("capture", Obj::new().str("id", &capture.id).done()));
    }
    created(id, &extra)
}

/// `POST /single`.
pub(crate) fn single_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
) -> FakeResponse {
    let req: SingleCreateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match cents("value", &req.value) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let method = req.method.as_str().to_ascii_lowercase();
    let authorisation_only = req.r#type == Some(SingleType::Authorisation);
    if authorisation_only && !matches!(method.as_str(), "cc" | "mbw" | "uf") {
        return error(
            400,
            &["`type` authorisation is only available for cc, mbw and uf"],
        );
    }
    if !authorisation_only && req.capture.is_none() {
        return error(400, &["`capture` is required when `type` is sale"]);
    }
    let id = match &req.id {
        Some(id) if state.payment(id).is_some() => {
            return error(400, &["`id` is already used by another payment"]);
        }
        Some(id) => id.clone(),
        None => state.next_id(),
    };
    let mut payment = blank(
        state,
        env,
        id.clone(),
        Kind::Single,
        &method,
        req.customer.as_ref(),
    );
    payment.authorisation_only = authorisation_only;
    payment.value = Some(value);
    payment.currency = req
        .currency
        .as_ref()
        .map_or("EUR", |c| c.as_str())
        .to_owned();
    payment.key = req.key.clone();
    payment.descriptive = req.descriptive.clone();
    payment.expiration_time = req.expiration_time.clone();
    payment.capture_descriptive = req.capture.as_ref().map(|c| c.descriptive.clone());
    payment.capture_key = req.capture.as_ref().and_then(|c| c.transaction_key.clone());
    prepare_method(state, env, &mut payment, req.sdd_mandate.as_ref());
    let phone = payment.phone.clone();
    state.payments.push(payment);
    if method == "mbw" {
        let _ = flows::decide_payment(state, env, &id, flows::phone_outcome(phone.as_deref()));
    }
    created_payment(state, &id)
}

/// `GET /single`, `/frequent`, `/subscription` with page pagination and the filters the
/// fake models (`id`, `key`, `method`, `customer`, `type`, `value`). Other filters are
/// refused with 400 rather than ignored.
pub(crate) fn list(state: &State, request: &FakeRequest, operation: &str) -> FakeResponse {
    let kind = kind_of(operation);
    let pairs = request.query_pairs();
    let mut filters: Vec<(String, String)> = Vec::new();
    for (name, value) in &pairs {
        match name.as_str() {
            "page" | "records_per_page" => {}
            "id" | "key" | "method" | "customer" => filters.push((name.clone(), value.clone())),
            "type" | "value" if kind == Kind::Single => filters.push((name.clone(), value.clone())),
            other => {
                return error(
                    400,
                    &[&format!("the fake does not model the `{other}` filter")],
                );
            }
        }
    }
    let mut value_filter = None;
    if let Some((_, text)) = filters.iter().find(|(k, _)| k == "value") {
        let number: JsonNumber = match serde_json::from_str(text) {
            Ok(number) => number,
            Err(_) => return error(400, &["`value` must be a number"]),
        };
        value_filter = match cents("value", &number) {
            Ok(value) => Some(value),
            Err(answer) => return answer,
        };
    }
    let items: Vec<String> = state
        .payments
        .iter()
        .filter(|p| p.kind == kind && p.status != "deleted")
        .filter(|p| {
            filters.iter().all(|(name, wanted)| match name.as_str() {
                "id" => &p.id == wanted,
                "key" => p.key.as_ref() == Some(wanted),
                "method" => p.method.eq_ignore_ascii_case(wanted),
                "customer" => p.customer_key.as_ref() == Some(wanted) || &p.customer_id == wanted,
                "type" => {
                    let t = if p.authorisation_only {
                        "authorisation"
                    } else {
                        "sale"
                    };
                    t == wanted
                }
                "value" => p.value == value_filter,
                _ => true,
            })
        })
        .map(Payment::render)
        .collect();
    let (page, per_page) = pagination::page_params(&pairs);
    pagination::page(&items, page, per_page)
}

/// `GET /single/{id}` and friends.
pub(crate) fn get(state: &State, found: &RouteMatch, operation: &str) -> FakeResponse {
    let kind = kind_of(operation);
    match state.payment(path_id(found)).filter(|p| p.kind == kind) {
        Some(p) => FakeResponse::json(200, p.render()),
        None => error(404, &[&kind.not_found()]),
    }
}

fn find_mut<'s>(
    state: &'s mut State,
    id: &str,
    kind: Kind,
) -> Result<&'s mut Payment, FakeResponse> {
    state
        .payments
        .iter_mut()
        .find(|p| p.id == id && p.kind == kind)
        .ok_or_else(|| error(404, &[&kind.not_found()]))
}

/// `PATCH /single/{id}`: descriptive, key, expiration time and customer any time before
/// payment; value only while pending; the method never (INFERRED from "method cannot be
/// changed after creation").
pub(crate) fn single_update(
    state: &mut State,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: SingleUpdateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match req.value.as_ref().map(|v| cents("value", v)).transpose() {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let payment = match find_mut(state, path_id(found), Kind::Single) {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    if let Some(method) = &req.method
        && !method.as_str().eq_ignore_ascii_case(&payment.method)
    {
        return error(400, &["`method` cannot be changed after creation"]);
    }
    if matches!(payment.status.as_str(), "paid" | "deleted" | "voided") {
        return error(412, &["the single payment can no longer be changed"]);
    }
    if value.is_some() && payment.status != "pending" {
        return error(
            412,
            &["`value` can only change while the payment is pending"],
        );
    }
    if let Some(value) = value {
        payment.value = Some(value);
    }
    if let Some(d) = req.descriptive {
        payment.descriptive = Some(d);
    }
    if let Some(k) = req.key {
        payment.key = Some(k);
    }
    if let Some(e) = req.expiration_time {
        payment.expiration_time = Some(e);
    }
    if let Some(c) = req.customer.as_ref() {
        payment.customer = customer_json(&payment.customer_id, Some(c));
        payment.customer_key = c.key.clone();
        payment.phone = c.phone.clone().or(payment.phone.take());
    }
    FakeResponse::json(200, payment.render())
}

/// `DELETE /single/{id}` and friends: authorisations are voided, references closed;
/// a paid single cannot be deleted (412, INFERRED). Answers 204.
pub(crate) fn delete(
    state: &mut State,
    env: &Env<'_>,
    found: &RouteMatch,
    operation: &str,
) -> FakeResponse {
    let kind = kind_of(operation);
    let id = path_id(found).to_owned();
    let payment = match find_mut(state, &id, kind) {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    if payment.status == "deleted" {
        return error(404, &[&kind.not_found()]);
    }
    if kind == Kind::Single && payment.status == "paid" {
        return error(
            412,
            &["a paid single payment cannot be deleted; refund it instead"],
        );
    }
    payment.status = "deleted".to_owned();
    payment.method_status = "deleted".to_owned();
    payment.next_due = None;
    for auth in state
        .authorisations
        .iter_mut()
        .filter(|a| a.payment_id == id)
    {
        if auth.status == "success" || auth.status == "waiting" || auth.status == "pending" {
            auth.status = "canceled".to_owned();
        }
    }
    let _ = env;
    FakeResponse::new(204)
}

/// `POST /frequent`: cards wait for the customer's card entry, MB WAY follows the magic
/// phones, Multibanco, virtual IBAN and direct debit are active at once (INFERRED).
pub(crate) fn frequent_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
) -> FakeResponse {
    let req: FrequentCreateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let (max_value, min_value) = match limits(req.max_value.as_ref(), req.min_value.as_ref()) {
        Ok(limits) => limits,
        Err(answer) => return answer,
    };
    let method = req
        .method
        .as_ref()
        .map_or_else(|| "cc".to_owned(), |m| m.as_str().to_ascii_lowercase());
    if method == "dd" && req.sdd_mandate.is_none() {
        return error(400, &["`sdd_mandate` is required for direct debit"]);
    }
    if method == "mbw" && req.customer.phone.is_none() {
        return error(400, &["`customer.phone` is required for MB WAY"]);
    }
    let id = state.next_id();
    let mut payment = blank(
        state,
        env,
        id.clone(),
        Kind::Frequent,
        &method,
        Some(&req.customer),
    );
    payment.currency = req
        .currency
        .as_ref()
        .map_or("EUR", |c| c.as_str())
        .to_owned();
    payment.key = req.key.clone();
    payment.expiration_time = req.expiration_time.clone();
    payment.max_value = max_value;
    payment.min_value = min_value;
    payment.unlimited_payments = req.unlimited_payments.unwrap_or(true);
    prepare_method(state, env, &mut payment, req.sdd_mandate.as_ref());
    let phone = payment.phone.clone();
    state.payments.push(payment);
    match method.as_str() {
        "mbw" => {
            let _ = flows::decide_payment(state, env, &id, flows::phone_outcome(phone.as_deref()));
        }
        "cc" => {}
        _ => {
            let _ = flows::decide_payment(state, env, &id, Outcome::Authorised);
        }
    }
    created_payment(state, &id)
}

/// A frequent payment's optional `max_value` and `min_value`, in cents.
fn limits(
    max_value: Option<&JsonNumber>,
    min_value: Option<&JsonNumber>,
) -> Result<(Option<i64>, Option<i64>), FakeResponse> {
    let max = max_value.map(|v| cents("max_value", v)).transpose()?;
    let min = min_value.map(|v| cents("min_value", v)).transpose()?;
    Ok((max, min))
}

/// `PATCH /frequent/{id}`.
pub(crate) fn frequent_update(
    state: &mut State,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: FrequentUpdateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let (max_value, min_value) = match limits(req.max_value.as_ref(), req.min_value.as_ref()) {
        Ok(limits) => limits,
        Err(answer) => return answer,
    };
    let payment = match find_mut(state, path_id(found), Kind::Frequent) {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    if payment.status == "deleted" {
        return error(404, &[&Kind::Frequent.not_found()]);
    }
    if let Some(status) = &req.status {
        let status = status.as_str().to_owned();
        payment.method_status.clone_from(&status);
        payment.status = status;
    }
    if let Some(e) = req.expiration_time {
        payment.expiration_time = Some(e);
    }
    if let Some(k) = req.key {
        payment.key = Some(k);
    }
    if let Some(c) = req.customer.as_ref() {
        payment.customer = customer_json(&payment.customer_id, Some(c));
        payment.customer_key = c.key.clone();
    }
    if max_value.is_some() {
        payment.max_value = max_value;
    }
    if min_value.is_some() {
        payment.min_value = min_value;
    }
    if let Some(u) = req.unlimited_payments {
        payment.unlimited_payments = u;
    }
    FakeResponse::json(200, payment.render())
}

/// `POST /subscription`: `start_time` must be in the future (INFERRED: the docs ask for
/// a future time); cards wait for the card entry, debits are active at once; captures
/// then happen when the fake's clock passes each due date.
pub(crate) fn subscription_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
) -> FakeResponse {
    let req: SubscriptionCreateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match cents("value", &req.value) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let Some(start) = json::parse_minute(&req.start_time) else {
        return error(400, &["`start_time` must be a time YYYY-MM-DD HH:MM"]);
    };
    if start <= env.now {
        return error(400, &["`start_time` must be in the future"]);
    }
    let expires_at = match req.expiration_time.as_deref().map(json::parse_minute) {
        Some(None) => return error(400, &["`expiration_time` must be a time YYYY-MM-DD HH:MM"]),
        Some(Some(at)) => Some(at),
        None => None,
    };
    if req.max_captures.is_none() && expires_at.is_none() {
        return error(
            400,
            &["`max_captures` is required without `expiration_time`"],
        );
    }
    let method = req.method.as_str().to_ascii_lowercase();
    let frequency = req.frequency.as_str().to_owned();
    if flows::next_due(start, &frequency).is_none() {
        return error(400, &["`frequency` is not a documented frequency"]);
    }
    let id = state.next_id();
    let mut payment = blank(
        state,
        env,
        id.clone(),
        Kind::Subscription,
        &method,
        req.customer.as_ref(),
    );
    payment.value = Some(value);
    payment.currency = req
        .currency
        .as_ref()
        .map_or("EUR", |c| c.as_str())
        .to_owned();
    payment.key = req.key.clone();
    payment.expiration_time = req.expiration_time.clone();
    payment.capture_descriptive = req.capture.as_ref().and_then(|c| c.descriptive.clone());
    payment.capture_key = req.capture.as_ref().and_then(|c| c.transaction_key.clone());
    payment.frequency = Some(frequency);
    payment.start_time = Some(start);
    payment.next_due = Some(start);
    payment.max_captures = req.max_captures;
    payment.expires_at = expires_at;
    payment.capture_now = req.capture_now.unwrap_or(false);
    prepare_method(state, env, &mut payment, req.sdd_mandate.as_ref());
    state.payments.push(payment);
    if method != "cc" {
        let _ = flows::decide_payment(state, env, &id, Outcome::Authorised);
    }
    created_payment(state, &id)
}

/// `PATCH /subscription/{id}`.
pub(crate) fn subscription_update(
    state: &mut State,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: SubscriptionUpdateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match req.value.as_ref().map(|v| cents("value", v)).transpose() {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let start = match req.start_time.as_deref().map(json::parse_minute) {
        Some(None) => return error(400, &["`start_time` must be a time YYYY-MM-DD HH:MM"]),
        Some(Some(at)) => Some(at),
        None => None,
    };
    let payment = match find_mut(state, path_id(found), Kind::Subscription) {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    if payment.status == "deleted" {
        return error(404, &[&Kind::Subscription.not_found()]);
    }
    if let Some(status) = &req.status {
        let status = status.as_str().to_owned();
        payment.method_status.clone_from(&status);
        payment.status = status;
    }
    if value.is_some() {
        payment.value = value;
    }
    if let Some(frequency) = &req.frequency {
        payment.frequency = Some(frequency.as_str().to_owned());
    }
    if let Some(start) = start {
        payment.start_time = Some(start);
        payment.next_due = Some(start);
    }
    if let Some(m) = req.max_captures {
        payment.max_captures = Some(m);
    }
    if let Some(k) = req.key {
        payment.key = Some(k);
    }
    if let Some(c) = req.customer.as_ref() {
        payment.customer = customer_json(&payment.customer_id, Some(c));
        payment.customer_key = c.key.clone();
    }
    FakeResponse::json(200, payment.render())
}
