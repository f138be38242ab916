//! The V1 operations beyond payments, modelled simply (INFERRED throughout: the docs give
//! these operations' fields, not their behaviour): history and page-request lists over
//! the fake's own transactions and pages, card information by number or `Alias`, a
//! customer's IBANs from its SEPA debits, merchant sub-accounts (`/api/user/…`: add,
//! update, find, operations, payout requests and lists, logo, activity), KYC documents
//! (`/api/kyc/…`: add, get, find), peer-to-peer transfers and subscription updates. Sub-accounts are found by `Id` or `Email`; documents
//! belong to the sub-account named by `Id` or `Email` (or to the merchant without one).

use serde_json::{Value, json};

use super::EasytransacFake;
use super::state::v1_date;
use super::v1::Refusal;
use crate::generated::easytransac as wire;
use crate::present::{decimal_text, mask_card};
use crate::provider::Context;

/// One merchant sub-account.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) fields: serde_json::Map<String, Value>,
}

/// One KYC document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) owner: Option<String>,
    pub(crate) value: Value,
    pub(crate) content: String,
}

fn not_found(what: &str) -> Refusal {
    Refusal {
        code: 1,
        message: format!("Invalid request: {what} not found"),
    }
}

fn page_of<T>(items: Vec<T>, page: Option<i64>, limit: Option<i64>) -> Vec<T> {
    let limit = usize::try_from(limit.unwrap_or(50).max(1)).unwrap_or(50);
    let page = usize::try_from(page.unwrap_or(1).max(1)).unwrap_or(1);
    items
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect()
}

pub(crate) fn history(
    fake: &EasytransacFake,
    r: &wire::V1HistoryRequest,
) -> Result<Value, Refusal> {
    let state = fake.lock();
    let items: Vec<Value> = state
        .order
        .iter()
        .filter_map(|tid| state.txns.get(tid))
        .filter(|t| {
            r.email
                .as_ref()
                .is_none_or(|e| t.customer.email.as_ref() == Some(e))
        })
        .map(|t| {
            json!({
                "OperationType": "payment",
                "Tid": t.tid,
                "OrderId": t.order_id,
                "Uid": t.uid,
                "Status": t.status.as_str(),
                "Date": v1_date(t.created),
                "Amount": decimal_text(t.amount),
                "Currency": "EUR",
            })
        })
        .collect();
    Ok(Value::Array(page_of(items, r.page, r.limit)))
}

pub(crate) fn requests(
    fake: &EasytransacFake,
    r: &wire::V1PaymentRequestsRequest,
) -> Result<Value, Refusal> {
    let state = fake.lock();
    let items: Vec<Value> = state
        .pages
        .values()
        .filter(|p| r.email.as_ref().is_none_or(|e| p.email.as_ref() == Some(e)))
        .map(|p| {
            json!({
                "RequestId": p.request_id,
                "OperationType": "payment",
                "Status": p.status,
                "Date": v1_date(p.created),
                "DateSent": v1_date(p.sent),
                "Amount": decimal_text(p.amount),
                "PageUrl": p.page_url,
                "Email": p.email,
            })
        })
        .collect();
    Ok(Value::Array(page_of(items, r.page, r.limit)))
}

pub(crate) fn card_infos(
    fake: &EasytransacFake,
    r: &wire::V1CardInfoRequest,
) -> Result<Value, Refusal> {
    if let Some(alias) = &r.alias {
        let state = fake.lock();
        let card = state.cards.get(alias).ok_or_else(|| not_found("Alias"))?;
        return Ok(json!({
            "Alias": card.alias,
            "CardBIN": card.masked.chars().take(6).collect::<String>(),
            "CardType": "VISA",
            "CardCountry": "FRA",
            "CardMonth": card.month,
            "CardYear": card.year,
        }));
    }
    let number = r.card_number.as_deref().unwrap_or_default();
    if !pay_core::luhn_valid(number) {
        return Err(Refusal::parameter("invalid value for CardNumber"));
    }
    let kind = match number.as_bytes().first() {
        Some(b'4') => "VISA",
        Some(b'5' | b'2') => "MASTERCARD",
        Some(b'3') => "AMEX",
        _ => "CB",
    };
    Ok(json!({
        "CardBIN": &number[..6.min(number.len())],
        "CardType": kind,
        "CardCountry": "FRA",
        "CardBank": "pay-testkit bank",
        "CardNumber": mask_card(number),
    }))
}

pub(crate) fn iban_list(
    fake: &EasytransacFake,
    r: &wire::V1IbanListRequest,
) -> Result<Value, Refusal> {
    let state = fake.lock();
    let ibans: Vec<Value> = state
        .txns
        .values()
        .filter(|t| t.iban_masked.is_some())
        .filter(|t| {
            r.client_id.as_ref().is_some_and(|c| *c == t.customer.id)
                || (r.uid.is_some() && r.uid == t.uid)
        })
        .map(|t| json!({"Iban": t.iban_masked, "ClientId": t.customer.id}))
        .collect();
    Ok(Value::Array(ibans))
}

fn find_user<'s>(
    users: &'s mut std::collections::BTreeMap<String, User>,
    id: Option<&String>,
    email: Option<&String>,
) -> Result<&'s mut User, Refusal> {
    let key = users
        .values()
        .find(|u| {
            id.is_some_and(|i| *i == u.id)
                || email.is_some_and(|e| u.fields.get("Email").and_then(Value::as_str) == Some(e))
        })
        .map(|u| u.id.clone())
        .ok_or_else(|| not_found("user"))?;
    users.get_mut(&key).ok_or_else(|| not_found("user"))
}

fn user_fields<T: serde::Serialize>(r: &T) -> serde_json::Map<String, Value> {
    let mut fields = match serde_json::to_value(r) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    for secret in ["Password", "Iban", "Signature", "Version"] {
        fields.remove(secret);
    }
    fields
}

pub(crate) fn user_add(
    fake: &EasytransacFake,
    r: &wire::V1UserAddRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let email = r.email.clone();
    if state
        .users
        .values()
        .any(|u| u.fields.get("Email").and_then(Value::as_str) == email.as_deref())
    {
        return Err(Refusal {
            code: 1,
            message: "Invalid request: a user with this Email exists".to_owned(),
        });
    }
    state.next_user += 1;
    let id = format!("U{:06}", state.next_user);
    state.users.insert(
        id.clone(),
        User {
            id: id.clone(),
            fields: user_fields(r),
        },
    );
    Ok(json!({"Id": id, "Message": "User created"}))
}

pub(crate) fn user_update(
    fake: &EasytransacFake,
    r: &wire::V1UserUpdateRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let user = find_user(&mut state.users, r.id.as_ref(), r.email.as_ref())?;
    for (k, v) in user_fields(r) {
        user.fields.insert(k, v);
    }
    Ok(json!({"Id": user.id, "Message": "User updated"}))
}

pub(crate) fn user_find(
    fake: &EasytransacFake,
    r: &wire::V1UserFindRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let user = find_user(&mut state.users, r.id.as_ref(), r.email.as_ref())?;
    let mut out = user.fields.clone();
    out.insert("Id".to_owned(), json!(user.id));
    Ok(Value::Object(out))
}

pub(crate) fn user_operations(
    fake: &EasytransacFake,
    r: &wire::V1OperationsListRequest,
) -> Result<Value, Refusal> {
    {
        let mut state = fake.lock();
        find_user(&mut state.users, r.id.as_ref(), r.email.as_ref())?;
    }
    // INFERRED: the fake's payments are all the merchant's own, so a sub-account has none.
    Ok(json!([]))
}

pub(crate) fn user_payout(fake: &EasytransacFake, ctx: &Context<'_>) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    state.next_payout += 1;
    let payout = json!({
        "Id": format!("P{:06}", state.next_payout),
        "Status": "pending",
        "Date": v1_date(ctx.now()),
        "Currency": "EUR",
    });
    state.payouts.push(payout.clone());
    Ok(payout)
}

pub(crate) fn user_payouts(
    fake: &EasytransacFake,
    r: &wire::V1PayoutsListRequest,
) -> Result<Value, Refusal> {
    let state = fake.lock();
    Ok(Value::Array(page_of(
        state.payouts.clone(),
        r.page,
        r.limit,
    )))
}

pub(crate) fn user_logo(fake: &EasytransacFake) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    state.logo = true;
    Ok(json!({"Message": "Logo saved"}))
}

pub(crate) fn activity_get(fake: &EasytransacFake) -> Result<Value, Refusal> {
    let state = fake.lock();
    Ok(json!({"Activity": state.activity}))
}

pub(crate) fn activity_update(
    fake: &EasytransacFake,
    request: &[(String, String)],
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    state.activity = request
        .iter()
        .find(|(k, _)| k == "Activity")
        .map(|(_, v)| v.clone())
        .or_else(|| Some("updated".to_owned()));
    Ok(json!({"Activity": state.activity, "Message": "Activity updated"}))
}

fn owner_of(
    fake: &EasytransacFake,
    id: Option<&String>,
    email: Option<&String>,
) -> Result<Option<String>, Refusal> {
    if id.is_none() && email.is_none() {
        return Ok(None);
    }
    let mut state = fake.lock();
    Ok(Some(find_user(&mut state.users, id, email)?.id.clone()))
}

pub(crate) fn kyc_add(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1KycAddRequest,
) -> Result<Value, Refusal> {
    let owner = owner_of(fake, r.id.as_ref(), r.email.as_ref())?;
    let mut state = fake.lock();
    state.next_document += 1;
    let id = format!("D{:06}", state.next_document);
    let value = json!({
        "Id": id,
        "DocumentType": r.document_type.as_str(),
        "Status": "pending",
        "Date": v1_date(ctx.now()),
        "Extension": r.extension,
    });
    state.documents.insert(
        id,
        Document {
            owner,
            value: value.clone(),
            content: r.content.clone(),
        },
    );
    Ok(value)
}

pub(crate) fn kyc_get(fake: &EasytransacFake, r: &wire::V1KycGetRequest) -> Result<Value, Refusal> {
    let state = fake.lock();
    let doc = state
        .documents
        .get(&r.document_id)
        .ok_or_else(|| not_found("document"))?;
    let mut value = doc.value.clone();
    if r.show_content.is_some_and(|s| s.as_bool()) {
        value["Content"] = json!(doc.content);
    }
    Ok(value)
}

pub(crate) fn kyc_find(
    fake: &EasytransacFake,
    r: &wire::V1KycFindRequest,
) -> Result<Value, Refusal> {
    let owner = owner_of(fake, r.id.as_ref(), r.email.as_ref())?;
    let state = fake.lock();
    let docs: Vec<Value> = state
        .documents
        .values()
        .filter(|d| d.owner == owner)
        .map(|d| d.value.clone())
        .collect();
    Ok(Value::Array(docs))
}

/// `/api/payment/rebill/update` (INFERRED behaviour; the path itself is unofficial):
/// changes an active subscription's recurring `Amount` and/or `Recurrence` from its next
/// charge on. Only a `Rebill` schedule, not cancelled, can be updated.
pub(crate) fn rebill_update(
    fake: &EasytransacFake,
    r: &wire::V1RebillUpdateRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let tid = r.tid.clone().unwrap_or_default();
    let schedule = state
        .schedules
        .get_mut(&tid)
        .ok_or_else(|| not_found("subscription"))?;
    if schedule.cancelled {
        return Err(Refusal {
            code: 1,
            message: "Invalid request: the subscription is cancelled".to_owned(),
        });
    }
    let super::state::Plan::Rebill { recurring, .. } = &mut schedule.plan else {
        return Err(Refusal {
            code: 1,
            message: "Invalid request: not a subscription".to_owned(),
        });
    };
    if let Some(amount) = r.amount {
        *recurring = amount.0;
    }
    if let Some(recurrence) = &r.recurrence {
        schedule.recurrence = recurrence.as_str().to_owned();
    }
    schedule.updates += 1;
    let amount = match &schedule.plan {
        super::state::Plan::Rebill { recurring, .. } => *recurring,
        super::state::Plan::Instalments(_) => 0,
    };
    Ok(json!({
        "Tid": tid,
        "Amount": decimal_text(amount),
        "Recurrence": schedule.recurrence,
        "Message": "Subscription updated",
    }))
}

/// `/api/payment/transfer` (INFERRED behaviour): a peer-to-peer transfer of `Amount`
/// cents from the merchant to `To` (an e-mail or account id), answered `captured` with a
/// new `Tid` (`OriginalTid` when the transfer names one). Kept apart from payments.
pub(crate) fn transfer(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1P2PTransferRequest,
) -> Result<Value, Refusal> {
    let amount = r.amount.map(|a| a.0).unwrap_or_default();
    if amount < 1 {
        return Err(Refusal::parameter("invalid value for Amount"));
    }
    if r.to.as_deref().is_none_or(str::is_empty) {
        return Err(Refusal {
            code: 5,
            message: "Missing parameter: To".to_owned(),
        });
    }
    let mut state = fake.lock();
    if let Some(original) = &r.tid
        && !state.txns.contains_key(original)
    {
        return Err(not_found("transaction"));
    }
    let tid = state.new_tid();
    state.transfers.push(super::state::Transfer {
        tid: tid.clone(),
        to: r.to.clone().unwrap_or_default(),
        amount,
        description: r.description.clone(),
    });
    Ok(json!({
        "Tid": tid,
        "OriginalTid": r.tid,
        "Status": "captured",
        "Date": v1_date(ctx.now()),
        "Amount": decimal_text(amount),
        "Description": r.description,
    }))
}
