//! What the Easytransac fake says about a transaction: the V1 `DoneTransaction` result,
//! the signed V1 answer envelope, and the signed form-encoded PUSH notification.

use pay_signing::easytransac::{Params, sign};
use secrecy::SecretString;
use serde_json::{Map, Value};

use super::state::{ReturnTo, Schedule, Txn, v1_date};
use crate::form;
use crate::present::decimal_text as amount_text;
use crate::provider::FakeResponse;
use crate::webhook::Notification;

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// The flat scalar fields of a transaction, in a fixed order; nested `Client` and the
/// `AdditionalError` list are added by the JSON and form writers.
fn scalars(txn: &Txn, schedule: Option<&Schedule>) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = vec![
        ("Tid", txn.tid.clone()),
        ("Status", txn.status.as_str().to_owned()),
        ("OperationType", operation_type(txn).to_owned()),
        ("PaymentMethod", txn.method.payment_method().to_owned()),
        ("Date", v1_date(txn.created)),
        ("Amount", amount_text(txn.amount)),
        ("Message", txn.message.clone()),
        ("3DSecure", yes_no(txn.three_ds).to_owned()),
        ("OneClick", yes_no(txn.one_click).to_owned()),
        ("Test", "yes".to_owned()),
    ];
    let optional = [
        ("RequestId", txn.request_id.as_ref()),
        ("OrderId", txn.order_id.as_ref()),
        ("Uid", txn.uid.as_ref()),
        ("Description", txn.description.as_ref()),
        ("Error", txn.error.as_ref()),
        ("Alias", txn.alias.as_ref()),
        ("CardNumber", txn.card_masked.as_ref()),
        ("CardMonth", txn.card_month.as_ref()),
        ("CardYear", txn.card_year.as_ref()),
        ("3DSecureUrl", txn.three_ds_url.as_ref()),
        ("MandateUrl", txn.mandate_url.as_ref()),
        ("RedirectUrl", txn.redirect_url.as_ref()),
        ("OriginalPaymentTid", txn.original_tid.as_ref()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            out.push((name, value.clone()));
        }
    }
    if txn.refunded > 0 {
        out.push(("AmountRefund", amount_text(txn.refunded)));
    }
    if let Some(at) = txn.refunded_at {
        out.push(("DateRefund", v1_date(at)));
    }
    if let Some(at) = txn.chargeback_at {
        out.push(("DateChargeback", v1_date(at)));
    }
    if let Some(at) = txn.representment_at {
        out.push(("DateRepresentment", v1_date(at)));
    }
    if let Some(schedule) = schedule {
        let number = txn.charge_number.unwrap_or(1).to_string();
        if schedule.is_instalments() {
            out.push(("MultiplePayments", "yes".to_owned()));
            out.push(("MultiplePaymentsStatus", schedule.status_text().to_owned()));
            out.push(("MultiplePaymentsRecurrence", schedule.recurrence.clone()));
            if let super::state::Plan::Instalments(amounts) = &schedule.plan {
                out.push(("MultiplePaymentsRepeat", amounts.len().to_string()));
            }
            out.push(("MultiplePaymentsCount", number));
        } else {
            out.push(("Rebill", "yes".to_owned()));
            out.push(("RebillStatus", schedule.status_text().to_owned()));
            out.push(("RebillRecurrence", schedule.recurrence.clone()));
            out.push(("RebillCount", number));
        }
        if txn.original_tid.is_none() {
            out.push(("OriginalPaymentTid", txn.tid.clone()));
        }
    }
    out
}

/// `OperationType`: the method's, or `chargeback` once a chargeback is opened (INFERRED:
/// the documented `Status` values have no chargeback, so the status is kept).
pub(crate) fn operation_type(txn: &Txn) -> &'static str {
    if txn.chargeback_at.is_some() {
        "chargeback"
    } else {
        txn.method.operation_type()
    }
}

fn client_fields(txn: &Txn) -> Vec<(&'static str, String)> {
    let c = &txn.customer;
    let mut out = vec![("Id", c.id.clone())];
    for (name, value) in [
        ("Email", c.email.as_ref()),
        ("Firstname", c.firstname.as_ref()),
        ("Lastname", c.lastname.as_ref()),
    ] {
        if let Some(value) = value {
            out.push((name, value.clone()));
        }
    }
    out
}

/// The `DoneTransaction` result object (every value text; `AdditionalError` a list of
/// text, `Client` an object of text).
pub(crate) fn done_transaction(txn: &Txn, schedule: Option<&Schedule>) -> Value {
    let mut map = Map::new();
    for (name, value) in scalars(txn, schedule) {
        map.insert(name.to_owned(), Value::String(value));
    }
    if let Some(extra) = &txn.additional_error {
        map.insert(
            "AdditionalError".to_owned(),
            Value::Array(vec![Value::String(extra.clone())]),
        );
    }
    let client: Map<String, Value> = client_fields(txn)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::String(v)))
        .collect();
    map.insert("Client".to_owned(), Value::Object(client));
    Value::Object(map)
}

/// A V1 success answer: `{"Code":0,"Signature":sig(Result),"Result":…}`, HTTP 200.
pub(crate) fn v1_success(result: &Value, api_key: &SecretString) -> FakeResponse {
    let signature = Params::from_json(result)
        .and_then(|params| sign(&params, api_key))
        .map(|s| s.into_string());
    match signature {
        Ok(signature) => {
            let body = serde_json::json!({"Code": 0, "Signature": signature, "Result": result});
            FakeResponse::json(200, body.to_string())
        }
        // Only text and one level of nesting is ever built, which always signs.
        Err(_) => v1_error(9, "Service temporarily unavailable"),
    }
}

/// A V1 error answer: `{"Code":n,"Error":"…"}`, HTTP 200 like every V1 answer.
pub(crate) fn v1_error(code: i64, message: &str) -> FakeResponse {
    FakeResponse::json(
        200,
        serde_json::json!({"Code": code, "Error": message}).to_string(),
    )
}

/// The PUSH notification for `txn`: form-encoded, flat `DoneTransaction` fields,
/// `Client[...]` nested fields, `Currency`, and a `Signature` over all of them.
pub(crate) fn push(
    url: &str,
    txn: &Txn,
    schedule: Option<&Schedule>,
    api_key: &SecretString,
) -> Option<Notification> {
    signed_post(url, push_pairs(txn, schedule), api_key)
}

/// The PUSH notification's fields, before the `Signature`.
fn push_pairs(txn: &Txn, schedule: Option<&Schedule>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = vec![
        ("NotificationType".to_owned(), "transaction".to_owned()),
        ("Currency".to_owned(), "EUR".to_owned()),
    ];
    pairs.extend(
        scalars(txn, schedule)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v)),
    );
    if let Some(extra) = &txn.additional_error {
        pairs.push(("AdditionalError".to_owned(), extra.clone()));
    }
    pairs.extend(
        client_fields(txn)
            .into_iter()
            .map(|(k, v)| (format!("Client[{k}]"), v)),
    );
    pairs
}

/// Where and how the customer's browser goes back to the merchant after a customer
/// page: a signed form POSTed to `url`, or a `GET` of `url` with `fields` added to its
/// query. The fake's pages render it (a form the browser submits, or a `303`); the
/// scenario controls, standing in for the browser, queue it in the outbox instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrowserReturn {
    pub(crate) url: String,
    pub(crate) get: bool,
    /// The form fields (the `Signature` last) or the query parameters.
    pub(crate) fields: Vec<(String, String)>,
}

impl BrowserReturn {
    /// With `ReturnMethod=GET`, the URL the browser is sent to: `url` with the fields
    /// added to its query.
    pub(crate) fn get_target(&self) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        let query: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        format!("{}{separator}{}", self.url, form::encode(query))
    }

    /// The same request, as the outbox delivers it.
    pub(crate) fn notification(&self) -> Notification {
        if self.get {
            return Notification::post(self.get_target(), Vec::new()).with_method("GET");
        }
        Notification::post(self.url.clone(), form::encode(self.fields.clone()))
            .with_header("content-type", "application/x-www-form-urlencoded")
    }
}

/// What the customer's browser sends to `ReturnUrl` for `txn`: with `ReturnMethod=POST`
/// the same signed form as the PUSH notification (INFERRED: the documentation says the
/// transaction status is POSTed, the fields are those of the notification); with
/// `ReturnMethod=GET` a `GET` with only `Tid`, `OrderId` and `Status` in the query
/// (INFERRED: the documented "essential" parameters are not listed).
pub(crate) fn browser_return(
    to: &ReturnTo,
    txn: &Txn,
    schedule: Option<&Schedule>,
    api_key: &SecretString,
) -> Option<BrowserReturn> {
    if to.get {
        let mut fields = vec![("Tid".to_owned(), txn.tid.clone())];
        if let Some(order_id) = &txn.order_id {
            fields.push(("OrderId".to_owned(), order_id.clone()));
        }
        fields.push(("Status".to_owned(), txn.status.as_str().to_owned()));
        return Some(BrowserReturn {
            url: to.url.clone(),
            get: true,
            fields,
        });
    }
    signed_return(&to.url, push_pairs(txn, schedule), api_key)
}

/// What the browser sends to `ReturnUrl` (or `CancelUrl`) when it leaves a payment page
/// without paying: no transaction exists, so the fields are those a status lookup by
/// `RequestId` answers (`Status=failed`, INFERRED), signed; with `ReturnMethod=GET`,
/// only `OrderId` and `Status`.
pub(crate) fn page_return(
    to: &ReturnTo,
    fields: Vec<(String, String)>,
    api_key: &SecretString,
) -> Option<BrowserReturn> {
    if to.get {
        let fields = fields
            .into_iter()
            .filter(|(k, _)| k == "OrderId" || k == "Status")
            .collect();
        return Some(BrowserReturn {
            url: to.url.clone(),
            get: true,
            fields,
        });
    }
    signed_return(&to.url, fields, api_key)
}

fn signed_return(
    url: &str,
    mut pairs: Vec<(String, String)>,
    api_key: &SecretString,
) -> Option<BrowserReturn> {
    let params = Params::from_form(&pairs).ok()?;
    let signature = sign(&params, api_key).ok()?;
    pairs.push(("Signature".to_owned(), signature.into_string()));
    Some(BrowserReturn {
        url: url.to_owned(),
        get: false,
        fields: pairs,
    })
}

fn signed_post(
    url: &str,
    pairs: Vec<(String, String)>,
    api_key: &SecretString,
) -> Option<Notification> {
    signed_return(url, pairs, api_key).map(|r| r.notification())
}
