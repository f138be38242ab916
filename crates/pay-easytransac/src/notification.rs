//! Notifications: PUSH (form fields or JSON), the browser's signed return to `ReturnUrl`,
//! and PULL (asking for the status).
//!
//! A notification is verified before anything reads its contents: the V1 signature over
//! every received field (`pay_signing::easytransac::verify_notification`), and then the
//! only way to a [`VerifiedWebhook`], its constant-time
//! [`VerifiedWebhook::verify`], over the expected and presented signatures. Only then is
//! it parsed into the typed [`wire::V1Notification`] and a neutral [`WebhookEvent`].
//!
//! What the signature covers, and so what is accepted: Easytransac signs **every field
//! it sends** (the official SDK recomputes the signature over all received fields but
//! `Signature`, nested `Client` values included), so the signature is checked over all
//! received fields, whatever their names, and a field the description does not list is
//! accepted and kept ([`notification_extra_fields`]), as the SDK accepts it. A tampered
//! value, an added or a removed field changes the signed string and is refused.
//!
//! The limit of the scheme: it signs the values in the order of the lower-cased names,
//! not the names themselves. So
//! - two names equal but for case (`OrderId` and `orderid`) would leave one value
//!   unsigned (the last one wins): such a notification is refused;
//! - a field renamed so that it sorts to the same place keeps the signature valid. The
//!   likely renames are refused: an undocumented name that differs from a documented
//!   name absent from the notification by case only or by one character (a corrupted
//!   byte, `CardNumbes` for `CardNumber`) is taken for that field, renamed, and the
//!   notification is refused. Easytransac writes its names as documented, so a genuine
//!   notification does not trip this;
//! - any other rename that keeps the order (to an unrelated name) cannot be detected: it
//!   reads as an extra field and its documented field is missing. The defence is the
//!   one for every notification: it is a [`Trust::Hint`]; confirm the status by fetching
//!   the payment before acting on it.
//!
//! Duplicates: the event id is `Tid` + `:` + `Status`, followed by the refunded total
//! and the refund, chargeback and representment dates when the notification carries
//! them. The same notification delivered twice is one event (`Webhooks::handle_once`
//! reports the second delivery as a duplicate), while a later status of the same
//! transaction is a new one, and so is each partial refund or chargeback of a payment
//! that stays `captured`.

use pay_core::{
    CallOptions, ErrorKind, EventId, EventKind, MerchantReference, PayError, PaymentStatus,
    ProviderPaymentId, RawWebhook, SubscriptionId, Trust, VerifiedWebhook, WebhookEvent,
    WebhookRejection,
};
use pay_signing::easytransac::{FieldValue, Params, Scalar, sign, verify_notification};
use secrecy::SecretString;

use crate::client::{EasytransacClient, PROVIDER};
use crate::names::field_names;
use crate::{form, status, wire};

fn rejected(reason: WebhookRejection) -> PayError {
    PayError::new(ErrorKind::WebhookRejected { reason }).with_provider(PROVIDER)
}

fn is_json(raw: &RawWebhook) -> bool {
    let declared = raw
        .header("content-type")
        .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
    declared || raw.body().iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// The received fields, as signed: JSON in document order, or PHP-style form fields.
fn params_of(raw: &RawWebhook) -> Result<Params, PayError> {
    let text =
        std::str::from_utf8(raw.body()).map_err(|_| rejected(WebhookRejection::Malformed))?;
    if text.trim().is_empty() {
        return Err(rejected(WebhookRejection::Malformed));
    }
    if is_json(raw) {
        Params::from_json_str(text).map_err(|_| rejected(WebhookRejection::Malformed))
    } else {
        Params::from_form(&form::decode(text)).map_err(|_| rejected(WebhookRejection::Malformed))
    }
}

/// Verifies a signed notification or return (form or JSON) with `api_key`.
///
/// # Errors
/// `WebhookRejected`: `MissingSignature` without `Signature`, `Malformed` without `Tid`
/// or `Status` or for an unreadable body, `BadSignature` when it does not match.
pub(crate) fn verify_raw(
    raw: &RawWebhook,
    api_key: &SecretString,
) -> Result<VerifiedWebhook, PayError> {
    let params = params_of(raw)?;
    let presented = match params.get("Signature") {
        Some(FieldValue::Scalar(Scalar::Str(s))) => Some(s.clone()),
        _ => None,
    };
    if presented.is_none() {
        return Err(rejected(WebhookRejection::MissingSignature));
    }
    // Names equal but for case sign only the last value: refuse rather than read a
    // value the signature does not cover.
    if has_case_duplicates(params.iter().map(|(name, _)| name)) {
        return Err(rejected(WebhookRejection::BadSignature));
    }
    for (_, value) in params.iter() {
        if let FieldValue::Nested(entries) = value
            && has_case_duplicates(entries.iter().map(|(k, _)| k.as_str()))
        {
            return Err(rejected(WebhookRejection::BadSignature));
        }
    }
    let names: Vec<&str> = params.iter().map(|(name, _)| name).collect();
    if looks_renamed(&names) {
        return Err(rejected(WebhookRejection::BadSignature));
    }
    verify_notification(&params, api_key).map_err(|e| match e {
        pay_signing::Error::MissingField {
            name: "Signature", ..
        } => rejected(WebhookRejection::MissingSignature),
        pay_signing::Error::MissingField { .. } => rejected(WebhookRejection::Malformed),
        _ => rejected(WebhookRejection::BadSignature),
    })?;
    // The signature holds; mint the verified notification through pay-core's
    // constant-time comparison of what the scheme expects and what was presented.
    let expected = sign(&params, api_key).map_err(|_| rejected(WebhookRejection::Malformed))?;
    VerifiedWebhook::verify(
        PROVIDER,
        raw.clone(),
        expected.as_str().as_bytes(),
        presented.as_deref().map(str::as_bytes),
        Trust::Hint,
    )
}

fn has_case_duplicates<'a>(names: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    names
        .map(str::to_ascii_lowercase)
        .any(|name| !seen.insert(name))
}

/// Whether an undocumented name among `names` is a documented name that is absent
/// from them, changed in case or in one character: a rename the signature may not see.
fn looks_renamed(names: &[&str]) -> bool {
    let documented = field_names::<wire::V1Notification>();
    let absent: Vec<String> = documented
        .iter()
        .filter(|d| !names.contains(d))
        .map(|d| d.to_ascii_lowercase())
        .collect();
    names
        .iter()
        .filter(|n| !documented.contains(n))
        .map(|n| n.to_ascii_lowercase())
        .any(|n| absent.iter().any(|d| within_one_edit(&n, d)))
}

/// Whether `a` becomes `b` with at most one substitution, insertion or deletion.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[prefix..]
            .iter()
            .skip(1)
            .eq(long[prefix..].iter().skip(1))
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// The verified notification's fields as one JSON object.
fn fields_of(
    verified: &VerifiedWebhook,
) -> Result<serde_json::Map<String, serde_json::Value>, PayError> {
    let raw = verified.raw();
    let text =
        std::str::from_utf8(raw.body()).map_err(|_| rejected(WebhookRejection::Malformed))?;
    let object = if is_json(raw) {
        match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(object)) => object,
            _ => return Err(rejected(WebhookRejection::Malformed)),
        }
    } else {
        form_to_json(&form::decode(text))
    };
    Ok(object)
}

/// Reads a verified notification as the typed wire notification. Fields the description
/// does not list are not in the typed form: read them with [`notification_extra_fields`].
///
/// # Errors
/// `WebhookRejected { Malformed }` when it does not fit the notification's shape.
pub fn parse_notification(verified: &VerifiedWebhook) -> Result<wire::V1Notification, PayError> {
    serde_json::from_value(serde_json::Value::Object(fields_of(verified)?))
        .map_err(|_| rejected(WebhookRejection::Malformed))
}

/// The fields of a verified notification that the description does not list (a
/// sub-account or KYC notification's own fields, a field Easytransac added later), with
/// the values received: strings for form fields, JSON values for a JSON body, an object
/// for a `Name[Key]` group. They are covered by the signature like every other field.
///
/// # Errors
/// `WebhookRejected { Malformed }` for an unreadable body.
pub fn notification_extra_fields(
    verified: &VerifiedWebhook,
) -> Result<serde_json::Map<String, serde_json::Value>, PayError> {
    let documented = field_names::<wire::V1Notification>();
    let mut fields = fields_of(verified)?;
    fields.retain(|name, _| !documented.contains(&name.as_str()));
    Ok(fields)
}

/// Form pairs as a JSON object of strings (one level of `Name[Key]` nesting).
fn form_to_json(pairs: &[(String, String)]) -> serde_json::Map<String, serde_json::Value> {
    let mut object = serde_json::Map::new();
    for (key, value) in pairs {
        match key.strip_suffix(']').and_then(|k| k.split_once('[')) {
            Some((outer, inner)) => {
                let entry = object
                    .entry(outer.to_owned())
                    .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                if let serde_json::Value::Object(map) = entry {
                    map.insert(inner.to_owned(), serde_json::Value::String(value.clone()));
                }
            }
            None => {
                object.insert(key.clone(), serde_json::Value::String(value.clone()));
            }
        }
    }
    object
}

fn count_of_multiple(c: &wire::V1NotificationMultiplePaymentsCount) -> Option<u32> {
    match c {
        wire::V1NotificationMultiplePaymentsCount::Integer(n) => u32::try_from(*n).ok(),
        wire::V1NotificationMultiplePaymentsCount::Text(t) => t.trim().parse().ok(),
    }
}

fn count_of_rebill(c: &wire::V1NotificationRebillCount) -> Option<u32> {
    match c {
        wire::V1NotificationRebillCount::Integer(n) => u32::try_from(*n).ok(),
        wire::V1NotificationRebillCount::Text(t) => t.trim().parse().ok(),
    }
}

/// The event id of a V1 notification: `Tid:Status`, then whatever tells apart the
/// notifications one transaction sends while its `Status` stays the same, so that
/// duplicate-delivery stores drop redeliveries only. A partial refund (and a second
/// one) leaves a card payment `captured`; so may a chargeback and its representment.
/// INFERRED from the documented fields: the refunded total `AmountRefund` and the
/// `DateRefund`, `DateChargeback` and `DateRepresentment` dates, each added when
/// present and not empty (`…:refund=5.00@2024-05-01 10:00:00`).
fn v1_event_id(n: &wire::V1Notification) -> String {
    let mut id = format!("{}:{}", n.tid, n.status.as_str());
    let mut add = |name: &str, value: Option<&str>| {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            id.push(':');
            id.push_str(name);
            id.push('=');
            id.push_str(value);
        }
    };
    add("refund", n.amount_refund.as_ref().map(|a| a.as_str()));
    add("refunded_at", n.date_refund.as_deref());
    add("chargeback_at", n.date_chargeback.as_deref());
    add("representment_at", n.date_representment.as_deref());
    id
}

impl EasytransacClient {
    /// The neutral event of a typed notification: a schedule's charge
    /// (`OriginalPaymentTid`, or a `Rebill`/`MultiplePayments` status) is
    /// `EventKind::Subscription` with the charge, its number and its status (the
    /// subscription id is the schedule's first `Tid`); anything else is
    /// `EventKind::Payment`. Statuses go through [`crate::status`]; a partial refund
    /// reads as partly refunded from the amounts.
    ///
    /// # Errors
    /// `WebhookRejected { Malformed }` for an empty `Tid`.
    pub fn event_of(&self, n: &wire::V1Notification) -> Result<WebhookEvent, PayError> {
        let tid = ProviderPaymentId::new(n.tid.clone())
            .map_err(|_| rejected(WebhookRejection::Malformed))?;
        let id = EventId::new(v1_event_id(n)).map_err(|_| rejected(WebhookRejection::Malformed))?;
        let amount = n
            .amount
            .as_ref()
            .and_then(|a| a.to_money(self.inner.currency).ok());
        let mut payment_status = status::payment_status(&n.status);
        let refunded = n
            .amount_refund
            .as_ref()
            .and_then(|a| a.to_money(self.inner.currency).ok());
        if let (Some(total), Some(refunded)) = (amount, refunded)
            && refunded.is_positive()
            && matches!(
                payment_status,
                PaymentStatus::Captured | PaymentStatus::Refunded
            )
        {
            payment_status = status::refunded_status(total, refunded);
        }
        let schedule_status = n
            .rebill_status
            .as_deref()
            .or(n.multiple_payments_status.as_deref());
        let charge_number = n
            .rebill_count
            .as_ref()
            .and_then(count_of_rebill)
            .or_else(|| {
                n.multiple_payments_count
                    .as_ref()
                    .and_then(count_of_multiple)
            });
        let kind = if n.original_payment_tid.is_some() || schedule_status.is_some() {
            let schedule = n
                .original_payment_tid
                .clone()
                .unwrap_or_else(|| n.tid.clone());
            EventKind::Subscription {
                id: SubscriptionId::new(schedule).ok(),
                status: schedule_status.map(status::schedule_status),
                charge: Some(tid),
                charge_number,
                charge_status: Some(payment_status),
            }
        } else {
            EventKind::Payment {
                id: Some(tid),
                checkout_id: n
                    .request_id
                    .as_ref()
                    .and_then(|r| pay_core::CheckoutId::new(r.clone()).ok()),
                status: Some(payment_status),
            }
        };
        let mut event = WebhookEvent::new(PROVIDER, id, kind, Trust::Hint)
            .with_provider_status(n.status.as_str());
        if let Some(reference) = n
            .order_id
            .as_ref()
            .and_then(|o| MerchantReference::new(o.clone()).ok())
        {
            event = event.with_reference(reference);
        }
        if let Some(amount) = amount {
            event = event.with_amount(amount);
        }
        Ok(event)
    }

    /// Verifies the browser's return to `ReturnUrl` (a signed POST, form or JSON, the
    /// fields of a notification) before anything reads it, and returns it typed. A
    /// `ReturnMethod=GET` return carries no signature and is refused: confirm it with
    /// [`pull`](Self::pull) instead. Even verified, a return is a hint: confirm the
    /// status before delivering goods.
    ///
    /// # Errors
    /// `WebhookRejected` (missing or bad signature, malformed).
    pub fn verify_return(&self, raw: &RawWebhook) -> Result<wire::V1Notification, PayError> {
        let verified = verify_raw(raw, &self.inner.api_key)?;
        parse_notification(&verified)
    }

    /// PULL: asks Easytransac for a transaction's status now (V2
    /// `GET /v2/transaction/status`), as a neutral event with
    /// [`Trust::Authenticated`] (it came from the API itself).
    ///
    /// # Errors
    /// As [`crate::TransactionsApi::status`].
    pub async fn pull(&self, tid: &str, options: &CallOptions) -> Result<WebhookEvent, PayError> {
        let answer = self
            .transactions()
            .status(
                &wire::V2TransactionStatusQuery {
                    tid: Some(tid.to_owned()),
                    order_id: None,
                },
                options,
            )
            .await?;
        let data = answer.data;
        let status = status::v2_payment_status(&data.status);
        let id = EventId::new(format!("{}:{}", data.tid, data.status.as_str()))?;
        let mut event = WebhookEvent::new(
            PROVIDER,
            id,
            EventKind::Payment {
                id: Some(ProviderPaymentId::new(data.tid.clone())?),
                checkout_id: None,
                status: Some(status),
            },
            Trust::Authenticated,
        )
        .with_provider_status(data.status.as_str());
        if let Ok(amount) = data.amount.to_money(self.inner.currency) {
            event = event.with_amount(amount);
        }
        if let Some(reference) = data.order_id.and_then(|o| MerchantReference::new(o).ok()) {
            event = event.with_reference(reference);
        }
        Ok(event)
    }
}

impl pay_core::Webhooks for EasytransacClient {
    fn verify(&self, raw: &RawWebhook) -> Result<VerifiedWebhook, PayError> {
        verify_raw(raw, &self.inner.api_key)
    }

    fn parse(&self, verified: &VerifiedWebhook) -> Result<WebhookEvent, PayError> {
        let notification = parse_notification(verified)?;
        self.event_of(&notification)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_means_one_substitution_insertion_or_deletion() {
        for (a, b) in [
            ("cardnumber", "cardnumber"),
            ("cardnumbes", "cardnumber"),
            ("cardnumbe", "cardnumber"),
            ("cardnumberr", "cardnumber"),
            ("xcardnumber", "cardnumber"),
            ("", "a"),
        ] {
            assert!(within_one_edit(a, b), "{a} {b}");
            assert!(within_one_edit(b, a), "{b} {a}");
        }
        for (a, b) in [
            ("cardnumbxx", "cardnumber"),
            ("cardnumb", "cardnumber"),
            ("subaccountstatus", "status"),
            ("ab", "ba"),
        ] {
            assert!(!within_one_edit(a, b), "{a} {b}");
        }
    }

    #[test]
    fn a_corrupted_documented_name_looks_renamed_and_a_new_one_does_not() {
        let genuine = ["Tid", "Status", "Signature", "OrderId"];
        assert!(!looks_renamed(&genuine));
        assert!(!looks_renamed(
            &[&genuine[..], &["SubAccountStatus"]].concat()
        ));
        assert!(looks_renamed(&[&genuine[..], &["CardNumbes"]].concat()));
        assert!(looks_renamed(&["Tid", "Status", "Signature", "orderid"]));
    }
}
