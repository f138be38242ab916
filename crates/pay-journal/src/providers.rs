//! What the journal knows of each provider: how long its idempotency keys last, which
//! operations create a payment recovery can look up by reference, and where the
//! reference, the amount and the provider's ids sit in a (redacted) request or answer.
//!
//! Amounts are read as exact text: Easypay's JSON numbers through `RawValue` (never an
//! `f64`) into [`Money::parse_major`], Easytransac's `Amount` as integer minor units.

use std::collections::BTreeMap;
use std::time::Duration;

use pay_core::{Currency, Money, Redactor};
use serde_json::value::RawValue;

/// How long the provider keeps an idempotency key, when it takes one: recovery leaves
/// older entries to a person. Easypay: 24 hours. Easytransac takes no key (its writes are
/// looked up by `OrderId`), so no window.
pub fn idempotency_window(provider: &str) -> Option<Duration> {
    match provider {
        "easypay" => Some(Duration::from_secs(24 * 60 * 60)),
        _ => None,
    }
}

/// Whether `operation` creates a payment that `Payments::find_by_reference` finds by its
/// merchant reference.
pub(crate) fn creates_payment(provider: &str, operation: &str) -> bool {
    match provider {
        "easypay" => operation == "single_create",
        "easytransac" => matches!(
            operation,
            "v1_payment_direct"
                | "v1_payment_oneclick"
                | "v1_payment_page"
                | "v1_payment_sdd_init"
                | "v1_payment_bybank"
                | "v2_open_banking_init"
                | "v2_sdd_mandate_debit"
        ),
        _ => false,
    }
}

/// Why a payment creation that the lookup by reference does not find may still have been
/// applied, when it may: then "not found" proves nothing and a person decides. `None`
/// when the lookup sees every payment the operation makes, so "not found" is "never
/// applied".
pub(crate) fn absence_is_not_proof(provider: &str, operation: &str) -> Option<&'static str> {
    match (provider, operation) {
        ("easytransac", "v1_payment_page") => Some(
            "Easytransac's lookup by OrderId finds a page's transaction only once the page is \
             paid: an unpaid page made by this write would not be found",
        ),
        ("easytransac", "v2_open_banking_init" | "v2_sdd_mandate_debit") => Some(
            "that the V1 lookup by OrderId sees V2 transactions is INFERRED, so not finding \
             one is no proof",
        ),
        _ => None,
    }
}

/// Card fields the transport's redactor may leave (an expiry, a holder's name): the
/// journal keeps no card data at all.
const CARD_KEYS: &[&str] = &[
    "cardmonth",
    "cardyear",
    "cardowner",
    "expiry",
    "expirationdate",
    "expmonth",
    "expyear",
    "holder",
];

/// The summary as stored: the transport's redaction, then the card keys above.
pub(crate) fn scrub(summary: &str) -> String {
    let redactor = CARD_KEYS
        .iter()
        .fold(Redactor::default(), |r, key| r.with_key(key));
    let trimmed = summary.trim_start();
    let redacted = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        redactor.json(summary)
    } else if summary.contains('=') && !summary.contains(' ') {
        redactor.form(summary)
    } else {
        redactor.text(summary)
    };
    redacted.as_str().to_owned()
}

/// A JSON object with each value kept as its exact text.
pub(crate) type Object = BTreeMap<String, Box<RawValue>>;

/// `text` as a JSON object, values unparsed.
pub(crate) fn object(text: &str) -> Option<Object> {
    serde_json::from_str(text).ok()
}

/// A JSON string's value.
pub(crate) fn string(raw: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(raw.get()).ok()
}

/// A JSON number or string, as its exact text.
pub(crate) fn number_text(raw: &RawValue) -> Option<String> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        string(raw)
    } else if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        Some(text.to_owned())
    } else {
        None
    }
}

fn form_field(summary: &str, name: &str) -> Option<String> {
    summary.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.replace('+', " "))
            .filter(|v| !v.is_empty())
    })
}

/// The merchant reference a request names, when the adapter did not pass one: Easypay's
/// `key` (a payment's own, or its `order`'s), Easytransac's `OrderId`.
pub(crate) fn reference_of(provider: &str, summary: &str) -> Option<String> {
    match provider {
        "easypay" => {
            let top = object(summary)?;
            top.get("key").and_then(|k| string(k)).or_else(|| {
                let order = object(top.get("order")?.get())?;
                string(order.get("key")?)
            })
        }
        "easytransac" => form_field(summary, "OrderId").or_else(|| {
            let top = object(summary)?;
            string(top.get("OrderId").or_else(|| top.get("order_id"))?)
        }),
        _ => None,
    }
}

/// The amount a request asks for, exactly.
pub(crate) fn amount_of(provider: &str, summary: &str) -> Option<Money> {
    match provider {
        "easypay" => {
            let top = object(summary)?;
            let (value, currency) = match top.get("value") {
                Some(value) => (
                    number_text(value)?,
                    top.get("currency").and_then(|c| string(c)),
                ),
                None => {
                    let order = object(top.get("order")?.get())?;
                    (number_text(order.get("value")?)?, None)
                }
            };
            let currency = match currency {
                Some(code) => Currency::from_code(&code)?,
                None => Currency::EUR,
            };
            Money::parse_major(&value, currency).ok()
        }
        "easytransac" => {
            // Integer minor units in the application's currency (EUR unless the form says).
            let minor = form_field(summary, "Amount")?.parse::<i64>().ok()?;
            let currency = form_field(summary, "Currency")
                .and_then(|c| Currency::from_code(&c))
                .unwrap_or(Currency::EUR);
            Money::from_minor(minor, currency).ok()
        }
        _ => None,
    }
}

/// Keys that name a provider's resource in an answer.
const ID_KEYS: &[&str] = &["id", "Tid", "tid", "RequestId", "Alias"];

/// The provider's ids in a (redacted) answer: top-level, or under `Result` (Easytransac
/// V1), `data` (Easytransac V2) or `method` (Easypay).
pub(crate) fn ids_of(answer: &str) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    let Some(top) = object(answer) else {
        return ids;
    };
    let mut take = |prefix: &str, obj: &Object| {
        for key in ID_KEYS {
            if let Some(value) = obj.get(*key).and_then(|v| number_text(v))
                && value != "[REDACTED]"
            {
                ids.insert(format!("{prefix}{key}"), value);
            }
        }
    };
    take("", &top);
    for nested in ["Result", "data", "method"] {
        if let Some(obj) = top.get(nested).and_then(|raw| object(raw.get())) {
            take(&format!("{nested}."), &obj);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easypay_amounts_are_exact_and_references_found() {
        let body = r#"{"key":"order-1","value":19.99,"currency":"EUR","method":"mbw"}"#;
        assert_eq!(reference_of("easypay", body).as_deref(), Some("order-1"));
        let amount = amount_of("easypay", body).unwrap();
        assert_eq!(amount.minor_units(), 1999);
        let checkout = r#"{"order":{"key":"o-2","value":0.1}}"#;
        assert_eq!(reference_of("easypay", checkout).as_deref(), Some("o-2"));
        assert_eq!(amount_of("easypay", checkout).unwrap().minor_units(), 10);
        // Never rounded: three places in EUR is no amount at all.
        assert!(amount_of("easypay", r#"{"value":1.005}"#).is_none());
    }

    #[test]
    fn easytransac_forms() {
        let form = "Amount=1250&OrderId=order-9&CardNumber=[REDACTED]&CardMonth=12";
        assert_eq!(
            reference_of("easytransac", form).as_deref(),
            Some("order-9")
        );
        assert_eq!(amount_of("easytransac", form).unwrap().minor_units(), 1250);
        let scrubbed = scrub(form);
        assert!(!scrubbed.contains("CardMonth=12"), "{scrubbed}");
        assert!(scrubbed.contains("Amount=1250"));
    }

    #[test]
    fn ids_from_answers() {
        let easypay = r#"{"status":"ok","id":"9f1c","method":{"type":"mbw","status":"pending"}}"#;
        assert_eq!(ids_of(easypay).get("id").map(String::as_str), Some("9f1c"));
        let v1 = r#"{"Code":0,"Signature":"[REDACTED]","Result":{"Tid":"T1","Status":"captured"}}"#;
        assert_eq!(ids_of(v1).get("Result.Tid").map(String::as_str), Some("T1"));
        assert!(ids_of("not json").is_empty());
    }

    #[test]
    fn windows_and_operations() {
        assert_eq!(
            idempotency_window("easypay"),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(idempotency_window("easytransac"), None);
        assert!(creates_payment("easypay", "single_create"));
        assert!(!creates_payment("easypay", "capture_create"));
        assert!(creates_payment("easytransac", "v1_payment_direct"));
        assert!(absence_is_not_proof("easytransac", "v1_payment_page").is_some());
        assert!(absence_is_not_proof("easytransac", "v1_payment_direct").is_none());
        assert!(absence_is_not_proof("easypay", "single_create").is_none());
    }
}
