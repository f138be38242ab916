//! Recovery through Easypay's reads (feature `easypay`): for each kind of write, the read
//! that shows whether it took effect, and what it proves.
//!
//! | write | read | decides by |
//! | --- | --- | --- |
//! | `capture_create` (`/capture/{id}`) | `GET /authorisation/{id}` (its captures), else the capture list (`payment_id`) | [`match_effect`]: the write's `transaction_key`, else its amount among captures no other journaled write accounts for |
//! | `refund_create` (`/refund/{capture}`) | `GET /capture/{id}`, then the payment's refunds on that capture | [`match_effect`] by amount |
//! | `void_create` (`/void/{id}`) | `GET /authorisation/{id}`, else the single payment | `canceled` / `voided`: applied; still authorised with nothing captured: not applied |
//! | `out_payment_create`, `frequent_create`, `subscription_create` | the list filtered by `key` | [`match_effect`] by key and amount |
//! | `single_update`, `frequent_update`, `subscription_update`, `config_update` | the resource | every field the update set reads back the same: applied |
//!
//! `single_create` is found by reference like every payment creation (`recover.rs`).

use pay_core::{CallOptions, ErrorKind, PayError, PaymentStatus, Payments, ProviderPaymentId};
use pay_easypay::{
    AuthorisationId, CaptureId, EasypayClient, FrequentPaymentId, PaymentId, SubscriptionId, wire,
};

use crate::decide::{Candidate, Verdict, json_field, last_segment, match_effect, update_verdict};
use crate::entry::Entry;
use crate::providers;
use crate::store::Journal;

/// Records per page when recovery reads a list.
const PER_PAGE: i64 = 100;
/// Pages recovery reads at most (10 000 resources) before leaving the entry to a person.
const MAX_PAGES: i64 = 100;

fn unreachable(err: &PayError) -> Verdict {
    Verdict::Unreachable(err.to_string())
}

fn is_not_found(err: &PayError) -> bool {
    matches!(err.kind(), ErrorKind::NotFound)
}

fn money(value: Option<&pay_core::wire::JsonNumber>, entry: &Entry) -> Option<pay_core::Money> {
    let currency = entry
        .amount
        .map_or(pay_core::Currency::EUR, |m| m.currency());
    value.and_then(|v| v.to_money(currency).ok())
}

/// The other entries of the same operation on the same path (the same target).
async fn siblings_on_path(journal: &Journal, entry: &Entry) -> Result<Vec<Entry>, PayError> {
    Ok(journal
        .entries_of(&entry.provider, &entry.operation)
        .await?
        .into_iter()
        .filter(|e| e.id != entry.id && e.path == entry.path)
        .collect())
}

/// The other entries of the same operation under the same merchant reference.
async fn siblings_by_reference(journal: &Journal, entry: &Entry) -> Result<Vec<Entry>, PayError> {
    Ok(journal
        .entries_of(&entry.provider, &entry.operation)
        .await?
        .into_iter()
        .filter(|e| e.id != entry.id && e.reference == entry.reference)
        .collect())
}

/// What Easypay shows of an open Easypay write. `Err` only when the journal cannot be
/// read; a provider that cannot be asked is [`Verdict::Unreachable`].
pub(crate) async fn decide(
    client: &EasypayClient,
    journal: &Journal,
    entry: &Entry,
) -> Result<Verdict, PayError> {
    let target = last_segment(&entry.path).unwrap_or_default().to_owned();
    Ok(match entry.operation.as_str() {
        "capture_create" => {
            let siblings = siblings_on_path(journal, entry).await?;
            match captures_on(client, &target, entry).await {
                Ok(found) => match_effect(
                    entry,
                    &siblings,
                    &found,
                    "capture",
                    &target,
                    json_field(entry, "transaction_key").as_deref(),
                ),
                Err(verdict) => verdict,
            }
        }
        "refund_create" => {
            let siblings = siblings_on_path(journal, entry).await?;
            match refunds_on(client, &target, entry).await {
                Ok(found) => match_effect(
                    entry,
                    &siblings,
                    &found,
                    "refund",
                    &format!("capture {target}"),
                    None,
                ),
                Err(verdict) => verdict,
            }
        }
        "void_create" => void(client, &target).await,
        "out_payment_create" | "frequent_create" | "subscription_create" => {
            let Some(key) = entry.reference.clone() else {
                return Ok(Verdict::NeedsHuman(
                    "the request had no `key` to look the resource up by".to_owned(),
                ));
            };
            let siblings = siblings_by_reference(journal, entry).await?;
            let (noun, found) = match entry.operation.as_str() {
                "out_payment_create" => ("out-payment", out_payments(client, &key, entry).await),
                "frequent_create" => ("frequent payment", frequents(client, &key, entry).await),
                _ => ("subscription", subscriptions(client, &key, entry).await),
            };
            match found {
                Ok(found) => match_effect(
                    entry,
                    &siblings,
                    &found,
                    noun,
                    &format!("key `{key}`"),
                    None,
                ),
                Err(verdict) => verdict,
            }
        }
        "single_update" | "frequent_update" | "subscription_update" | "config_update" => {
            update(client, entry, &target).await
        }
        "checkout_create" => Verdict::NeedsHuman(
            "Easypay has no list of checkout sessions to find one by its order key; a session \
             whose answer was lost was never shown to a customer, so it cannot have been paid: \
             create a new one if still wanted (the old one expires unused)"
                .to_owned(),
        ),
        "frequent_authorise" => Verdict::NeedsHuman(format!(
            "Easypay lists no authorisations of a frequent payment (`GET /authorisation/{{id}}` \
             needs the id the lost answer carried): check frequent payment {target}'s \
             notifications before authorising again"
        )),
        "capture_split_update" => Verdict::NeedsHuman(
            "a split update's fields are not documented: read the capture's splits back by hand"
                .to_owned(),
        ),
        other => Verdict::NeedsHuman(format!(
            "recovery has no read that shows whether Easypay's `{other}` took effect"
        )),
    })
}

/// One capture as an authorisation lists it in `transactions` (`{id, value, status}`,
/// INFERRED shape), its amount read as exact text.
fn transaction(raw: &str, entry: &Entry) -> Option<Candidate> {
    let fields = providers::object(raw)?;
    let currency = entry
        .amount
        .map_or(pay_core::Currency::EUR, |m| m.currency());
    let amount = fields
        .get("value")
        .and_then(|v| providers::number_text(v))
        .and_then(|text| pay_core::Money::parse_major(&text, currency).ok());
    Some(Candidate {
        id: providers::string(fields.get("id")?)?,
        amount,
        key: None,
        status: fields
            .get("status")
            .and_then(|s| providers::string(s))
            .unwrap_or_default(),
    })
}

/// The captures made on `target`: an authorisation's own, else (a single or a frequent
/// payment) every capture whose `payment_id` is it.
async fn captures_on(
    client: &EasypayClient,
    target: &str,
    entry: &Entry,
) -> Result<Vec<Candidate>, Verdict> {
    let options = CallOptions::new();
    if let Ok(auth_id) = AuthorisationId::new(target) {
        match client.authorisations().get(&auth_id, &options).await {
            Ok(auth) => {
                return Ok(auth
                    .transactions
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|raw| transaction(raw.get(), entry))
                    .collect());
            }
            Err(err) if is_not_found(&err) => {}
            Err(err) => return Err(unreachable(&err)),
        }
    }
    let mut query = wire::CaptureListQuery {
        limit: Some(PER_PAGE),
        ..Default::default()
    };
    let mut found = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = client
            .captures()
            .list(&query, &options)
            .await
            .map_err(|e| unreachable(&e))?;
        let last = page.data.last().and_then(|c| c.id.clone());
        found.extend(
            page.data
                .into_iter()
                .filter(|c| c.payment_id.as_deref() == Some(target))
                .filter_map(|c| {
                    Some(Candidate {
                        amount: money(c.value.as_ref(), entry),
                        key: c.transaction_key.clone(),
                        status: c.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
                        id: c.id?,
                    })
                }),
        );
        match last {
            Some(last) if query.cursor.as_deref() != Some(last.as_str()) => {
                query.cursor = Some(last);
            }
            _ => return Ok(found),
        }
    }
    Err(Verdict::NeedsHuman(
        "the capture list is longer than recovery reads".to_owned(),
    ))
}

/// The refunds made on capture `target`: the capture's payment, then its refunds on that
/// capture (and those Easypay does not link to a capture, which could be it).
async fn refunds_on(
    client: &EasypayClient,
    target: &str,
    entry: &Entry,
) -> Result<Vec<Candidate>, Verdict> {
    let options = CallOptions::new();
    let capture_id = CaptureId::new(target)
        .map_err(|e| Verdict::NeedsHuman(format!("the path's capture id is not one: {e}")))?;
    let capture = match client.captures().get(&capture_id, &options).await {
        Ok(capture) => capture,
        Err(err) if is_not_found(&err) => {
            return Err(Verdict::NotApplied(format!(
                "Easypay has no capture {target}: a refund of it cannot exist"
            )));
        }
        Err(err) => return Err(unreachable(&err)),
    };
    let Some(payment_id) = capture
        .payment_id
        .and_then(|p| ProviderPaymentId::new(p).ok())
    else {
        return Err(Verdict::NeedsHuman(format!(
            "capture {target} names no payment to read its refunds from"
        )));
    };
    let payment = match Payments::get_payment(client, &payment_id, &options).await {
        Ok(payment) => payment,
        Err(err) if is_not_found(&err) => {
            return Err(Verdict::NeedsHuman(format!(
                "capture {target} belongs to {}, which is not a single payment: its refunds \
                 are not read by recovery",
                payment_id.as_str()
            )));
        }
        Err(err) => return Err(unreachable(&err)),
    };
    let currency = entry.amount.map(|m| m.currency());
    Ok(payment
        .refunds
        .into_iter()
        .filter(|r| r.capture_id.as_ref().is_none_or(|c| c.as_str() == target))
        .filter_map(|r| {
            Some(Candidate {
                id: r.id?.as_str().to_owned(),
                amount: Some(r.amount).filter(|m| currency.is_none_or(|c| c == m.currency())),
                key: None,
                status: r.provider_status,
            })
        })
        .collect())
}

/// A void of `target`: an authorisation (`canceled` once voided), else a single payment
/// (`voided` when voided before any capture).
async fn void(client: &EasypayClient, target: &str) -> Verdict {
    let options = CallOptions::new();
    if let Ok(auth_id) = AuthorisationId::new(target) {
        match client.authorisations().get(&auth_id, &options).await {
            Ok(auth) => {
                let status = auth.status.clone();
                let text = status.as_ref().map_or("", |s| s.as_str()).to_owned();
                let value = auth
                    .value
                    .as_ref()
                    .and_then(|v| v.to_money(pay_core::Currency::EUR).ok());
                let captured = auth
                    .value_captured
                    .as_ref()
                    .and_then(|v| v.to_money(pay_core::Currency::EUR).ok());
                return match status {
                    Some(wire::AuthorisationStatus::Canceled) => Verdict::Effect {
                        resource: "authorisation".to_owned(),
                        id: Some(target.to_owned()),
                        status: text,
                        found: format!("authorisation {target} is `canceled`"),
                    },
                    Some(wire::AuthorisationStatus::Success) if matches!((value, captured), (Some(v), Some(c)) if c < v) => {
                        Verdict::NotApplied(format!(
                            "authorisation {target} is still `success` with money left to \
                             capture: a void would have cancelled it"
                        ))
                    }
                    _ => Verdict::NeedsHuman(format!(
                        "authorisation {target} is `{text}`: nothing shows whether the void \
                         took effect"
                    )),
                };
            }
            Err(err) if is_not_found(&err) => {}
            Err(err) => return unreachable(&err),
        }
    }
    let Ok(payment_id) = ProviderPaymentId::new(target) else {
        return Verdict::NeedsHuman(format!("`{target}` is not an id recovery can read"));
    };
    match Payments::get_payment(client, &payment_id, &options).await {
        Ok(payment) if payment.status == PaymentStatus::Canceled => Verdict::Effect {
            resource: "payment".to_owned(),
            id: Some(target.to_owned()),
            status: payment.provider_status.clone(),
            found: format!("single payment {target} is `{}`", payment.provider_status),
        },
        Ok(payment) if payment.captures.is_empty() => Verdict::NotApplied(format!(
            "single payment {target} is `{}` with nothing captured: a void would have made it \
             `voided`",
            payment.provider_status
        )),
        Ok(payment) => Verdict::NeedsHuman(format!(
            "single payment {target} is `{}` and was partly captured: a void releases the rest \
             and leaves it paid, and Easypay lists no voids to read",
            payment.provider_status
        )),
        Err(err) if is_not_found(&err) => Verdict::NotApplied(format!(
            "Easypay has no authorisation or payment {target}: a void of it cannot exist"
        )),
        Err(err) => unreachable(&err),
    }
}

/// Reads a page-based list filtered by key, page after page.
macro_rules! by_key {
    ($client:expr, $handle:ident, $query:ident, $key:expr, |$item:ident| $candidate:expr) => {{
        let options = CallOptions::new();
        let mut found = Vec::new();
        let mut complete = false;
        for page in 1..=MAX_PAGES {
            let query = wire::$query {
                key: Some($key.to_owned()),
                page: Some(page),
                records_per_page: Some(PER_PAGE),
                ..Default::default()
            };
            let list = $client
                .$handle()
                .list(&query, &options)
                .await
                .map_err(|e| unreachable(&e))?;
            let count = list.data.len();
            found.extend(
                list.data
                    .into_iter()
                    .filter(|$item| $item.key.as_deref() == Some($key))
                    .filter_map(|$item| $candidate),
            );
            if i64::try_from(count).unwrap_or(0) < PER_PAGE {
                complete = true;
                break;
            }
        }
        if complete {
            Ok(found)
        } else {
            Err(Verdict::NeedsHuman(
                "the list is longer than recovery reads".to_owned(),
            ))
        }
    }};
}

async fn out_payments(
    client: &EasypayClient,
    key: &str,
    entry: &Entry,
) -> Result<Vec<Candidate>, Verdict> {
    by_key!(client, out_payments, OutPaymentListQuery, key, |o| Some(
        Candidate {
            amount: money(o.value.as_ref(), entry),
            key: o.key.clone(),
            status: o
                .status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            id: o.id?,
        }
    ))
}

async fn frequents(
    client: &EasypayClient,
    key: &str,
    entry: &Entry,
) -> Result<Vec<Candidate>, Verdict> {
    by_key!(client, frequent, FrequentListQuery, key, |f| Some(
        Candidate {
            amount: money(f.value.as_ref(), entry),
            key: f.key.clone(),
            status: f
                .method
                .as_ref()
                .and_then(|m| m.status.as_ref())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            id: f.id,
        }
    ))
}

async fn subscriptions(
    client: &EasypayClient,
    key: &str,
    entry: &Entry,
) -> Result<Vec<Candidate>, Verdict> {
    by_key!(client, subscriptions, SubscriptionListQuery, key, |s| Some(
        Candidate {
            amount: money(s.value.as_ref(), entry),
            key: s.key.clone(),
            status: s
                .method
                .as_ref()
                .and_then(|m| m.status.as_ref())
                .map(|st| st.as_str().to_owned())
                .unwrap_or_default(),
            id: s.id?,
        }
    ))
}

/// An update: the resource read back and compared field by field.
async fn update(client: &EasypayClient, entry: &Entry, target: &str) -> Verdict {
    let options = CallOptions::new();
    let read: Result<(String, String), PayError> = async {
        Ok(match entry.operation.as_str() {
            "single_update" => {
                let id = PaymentId::new(target).map_err(PayError::from)?;
                let v = client.single().get(&id, &options).await?;
                (
                    serde_json::to_string(&v).unwrap_or_default(),
                    format!("single payment {target}"),
                )
            }
            "frequent_update" => {
                let id = FrequentPaymentId::new(target).map_err(PayError::from)?;
                let v = client.frequent().get(&id, &options).await?;
                (
                    serde_json::to_string(&v).unwrap_or_default(),
                    format!("frequent payment {target}"),
                )
            }
            "subscription_update" => {
                let id = SubscriptionId::new(target).map_err(PayError::from)?;
                let v = client.subscriptions().get(&id, &options).await?;
                (
                    serde_json::to_string(&v).unwrap_or_default(),
                    format!("subscription {target}"),
                )
            }
            _ => {
                let v = client.config().get(&options).await?;
                (
                    serde_json::to_string(&v).unwrap_or_default(),
                    "the account's configuration".to_owned(),
                )
            }
        })
    }
    .await;
    match read {
        Ok((resource, what)) => update_verdict(entry, &resource, &what),
        Err(err) if is_not_found(&err) => Verdict::NotApplied(format!(
            "Easypay has no {target}: an update of it cannot have taken effect"
        )),
        Err(err) => unreachable(&err),
    }
}
