//! The Easytransac fake's V2 handlers: the token endpoint, bearer-token checks on the
//! shared clock, transaction status, SEPA mandates and debits, and Open Banking.

use std::time::Duration;

use pay_signing::jwt::{TokenClaims, issue_hs256, verify_hs256};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::state::{Mandate, Method, PlanRequest, ReturnTo, Status, Txn, atom};
use super::v1::{PlanAsk, plan_request, refusal_of};
use super::{EasytransacFake, same_secret};
use crate::generated::RouteMatch;
use crate::generated::easytransac as wire;
use crate::present::mask_iban;
use crate::provider::{Context, FakeRequest, FakeResponse};

/// Answers one V2 request.
pub(crate) fn handle(
    fake: &EasytransacFake,
    found: &RouteMatch,
    request: &FakeRequest,
    ctx: &Context<'_>,
) -> FakeResponse {
    if found.operation.id == "v2_auth_token" {
        return auth(fake, request, ctx);
    }
    if let Err(answer) = bearer(fake, request, ctx) {
        return answer;
    }
    if let Err(rejection) = wire::check_path(found) {
        return error(ctx, 400, &refusal_of(&rejection).message);
    }
    let answer = match found.operation.id {
        "v2_transaction_status" => transaction_status(fake, request, ctx),
        "v2_sdd_mandate_create" => body(request, found.operation.id, ctx)
            .and_then(|r| mandate_create(fake, ctx, &r))
            .unwrap_or_else(|answer| answer),
        "v2_sdd_mandate_debit" => body(request, found.operation.id, ctx)
            .and_then(|r| mandate_debit(fake, ctx, found.param("mandateId"), &r))
            .unwrap_or_else(|answer| answer),
        "v2_sdd_mandate_status" => mandate_status(fake, ctx, found.param("mandateId")),
        "v2_open_banking_init" => body(request, found.operation.id, ctx)
            .and_then(|r| open_banking(fake, ctx, &r))
            .unwrap_or_else(|answer| answer),
        _ => error(ctx, 501, "Not modelled by the pay-testkit Easytransac fake"),
    };
    if (200..300).contains(&answer.status()) {
        fake.count_applied(found.operation.id);
    }
    answer
}

/// A V2 error: `{"success":false,"date":…,"detail":…}` (INFERRED shape).
pub(crate) fn error(ctx: &Context<'_>, status: u16, detail: &str) -> FakeResponse {
    FakeResponse::json(
        status,
        json!({"success": false, "date": atom(ctx.now()), "detail": detail}).to_string(),
    )
}

fn success(ctx: &Context<'_>, data: Value) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({"success": true, "date": atom(ctx.now()), "data": data}).to_string(),
    )
}

/// Parses and validates a JSON body with the generated checks.
fn body<T: DeserializeOwned>(
    request: &FakeRequest,
    operation_id: &str,
    ctx: &Context<'_>,
) -> Result<T, FakeResponse> {
    if let Some(Err(rejection)) = wire::check_request(operation_id, request.body()) {
        return Err(error(ctx, 400, &refusal_of(&rejection).message));
    }
    serde_json::from_slice(request.body()).map_err(|_| error(ctx, 400, "Malformed JSON body"))
}

fn auth(fake: &EasytransacFake, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
    let r: wire::V2AuthRequest = match body(request, "v2_auth_token", ctx) {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    if !same_secret(&r.api_key, fake.config.api_key.expose_secret()) {
        return error(ctx, 401, "Invalid API key");
    }
    let now = ctx.now();
    let lifetime = Duration::from_secs(fake.config.token_lifetime.as_secs());
    let expires = now + lifetime;
    let token = TokenClaims::new("easytransac-application", now, expires)
        .ok()
        .zip(fake.jwt_secret())
        .and_then(|(claims, secret)| issue_hs256(&secret, &claims).ok());
    let Some(token) = token else {
        return error(ctx, 500, "Token could not be issued");
    };
    fake.lock().tokens_issued += 1;
    success(
        ctx,
        json!({
            "token": token.expose_secret(),
            "expiresIn": lifetime.as_secs(),
            "expiresDate": atom(expires),
        }),
    )
}

/// Checks `Authorization: Bearer …` against the fake's secret and clock.
fn bearer(
    fake: &EasytransacFake,
    request: &FakeRequest,
    ctx: &Context<'_>,
) -> Result<(), FakeResponse> {
    let token = request
        .header("authorization")
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| error(ctx, 401, "Missing bearer token"))?;
    let secret = fake
        .jwt_secret()
        .ok_or_else(|| error(ctx, 401, "Invalid token"))?;
    verify_hs256(
        &SecretString::from(token),
        &secret,
        ctx.now(),
        Duration::ZERO,
    )
    .map(|_| ())
    .map_err(|_| error(ctx, 401, "Invalid or expired token"))
}

fn v2_status(status: Status) -> &'static str {
    status.as_str()
}

fn transaction_data(txn: &Txn) -> Value {
    let mut data = json!({
        "tid": txn.tid,
        "status": v2_status(txn.status),
        "amount": txn.amount,
        "dateCreated": atom(txn.created),
        "orderId": txn.order_id,
    });
    if let (Some(url), Value::Object(map)) = (&txn.redirect_url, &mut data) {
        map.insert("redirectUrl".to_owned(), Value::String(url.clone()));
    }
    data
}

fn transaction_status(
    fake: &EasytransacFake,
    request: &FakeRequest,
    ctx: &Context<'_>,
) -> FakeResponse {
    let query = request.query_pairs();
    if let Some(Err(rejection)) = wire::check_query("v2_transaction_status", &query) {
        return error(ctx, 400, &refusal_of(&rejection).message);
    }
    let tid = request.query_param("tid").filter(|t| !t.is_empty());
    let order_id = request.query_param("orderId").filter(|o| !o.is_empty());
    let state = fake.lock();
    let txn = match (tid, order_id) {
        (Some(tid), _) => state.txns.get(&tid),
        (None, Some(order_id)) => state.by_order_id(&order_id),
        (None, None) => return error(ctx, 400, "tid or orderId is required"),
    };
    match txn {
        Some(txn) => success(ctx, transaction_data(txn)),
        None => error(ctx, 404, "Record not found"),
    }
}

fn mandate_create(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V2MandateCreateRequest,
) -> Result<FakeResponse, FakeResponse> {
    let iban = r
        .iban
        .as_deref()
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| error(ctx, 400, "iban is required"))?;
    let mut state = fake.lock();
    let id = state.new_mandate_id();
    state.mandates.insert(
        id.clone(),
        Mandate {
            id: id.clone(),
            status: "active",
            iban_masked: mask_iban(iban),
            email: r.email.clone(),
            created: ctx.now(),
        },
    );
    Ok(success(ctx, json!({"mandateId": id, "status": "active"})))
}

fn mandate_id_ok(id: &str) -> bool {
    id.len() == 20
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn mandate_debit(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    mandate_id: Option<&str>,
    r: &wire::V2MandateDebitRequest,
) -> Result<FakeResponse, FakeResponse> {
    let mandate_id = mandate_id.unwrap_or_default();
    if !mandate_id_ok(mandate_id) {
        return Err(error(
            ctx,
            400,
            "mandateId must be 20 lower-case letters or digits",
        ));
    }
    let plan = plan_request(&PlanAsk {
        amount: r.amount.0,
        multiple: r.multiple_payments.unwrap_or(false),
        repeat: r.multiple_payments_repeat,
        default_repeat: 3,
        down_payment: r.down_payment.map(|d| d.0),
        rebill: r.rebill.unwrap_or(false),
        recurrence: r.recurrence.as_ref().map(wire::V2Recurrence::as_str),
    })
    .map_err(|refusal| error(ctx, 400, &refusal.message))?;
    let mut state = fake.lock();
    let mandate = state
        .mandates
        .get(mandate_id)
        .cloned()
        .ok_or_else(|| error(ctx, 404, "Record not found"))?;
    if mandate.status != "active" {
        return Err(error(ctx, 409, "The mandate is not active"));
    }
    let tid = state.new_tid();
    let client_id = state.client_id(mandate.email.as_deref());
    let amount = plan.as_ref().map_or(r.amount.0, PlanRequest::first_amount);
    let mut txn = Txn::new(tid.clone(), Method::Debit, amount, ctx.now());
    txn.order_id = r.order_id.clone();
    txn.description = r.description.clone();
    txn.customer.id = client_id;
    txn.customer.email = mandate.email.clone();
    txn.iban_masked = Some(mandate.iban_masked.clone());
    txn.mandate_id = Some(mandate.id.clone());
    txn.plan = plan;
    txn.v2 = true;
    state.insert(txn);
    fake.transition(&mut state, ctx, &tid, Status::Pending, "Debit pending");
    let data = state
        .txns
        .get(&tid)
        .map(|txn| {
            json!({
                "tid": txn.tid,
                "status": v2_status(txn.status),
                "amount": txn.amount,
                "dateCreated": atom(txn.created),
                "orderId": txn.order_id,
            })
        })
        .unwrap_or(Value::Null);
    Ok(success(ctx, data))
}

fn mandate_status(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    mandate_id: Option<&str>,
) -> FakeResponse {
    let mandate_id = mandate_id.unwrap_or_default();
    if !mandate_id_ok(mandate_id) {
        return error(
            ctx,
            400,
            "mandateId must be 20 lower-case letters or digits",
        );
    }
    let state = fake.lock();
    match state.mandates.get(mandate_id) {
        Some(mandate) => success(
            ctx,
            json!({"mandateId": mandate.id, "status": mandate.status}),
        ),
        None => error(ctx, 404, "Record not found"),
    }
}

fn open_banking(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V2OpenBankingInitRequest,
) -> Result<FakeResponse, FakeResponse> {
    let mut state = fake.lock();
    let tid = state.new_tid();
    let key = r.uid.clone().unwrap_or_else(|| r.email.clone());
    let client_id = match &r.client_id {
        Some(id) => id.clone(),
        None => state.client_id(Some(&key)),
    };
    let mut txn = Txn::new(tid.clone(), Method::ByBank, r.amount.0, ctx.now());
    txn.order_id = r.order_id.clone();
    txn.uid = r.uid.clone();
    txn.description = r.description.clone();
    txn.customer.id = client_id;
    txn.customer.email = Some(r.email.clone());
    txn.customer.firstname = r.firstname.clone();
    txn.customer.lastname = r.lastname.clone();
    txn.redirect_url = Some(format!(
        "{}/v2/public/transaction/{tid}/redirect",
        ctx.base_url()
    ));
    // INFERRED: the browser comes back from the bank as after a V1 page (see `pages`).
    txn.return_to = Some(ReturnTo {
        url: r.return_url.clone(),
        get: matches!(
            r.return_method,
            Some(wire::V2OpenBankingInitRequestReturnMethod::Get)
        ),
    });
    txn.v2 = true;
    state.insert(txn);
    fake.transition(
        &mut state,
        ctx,
        &tid,
        Status::Pending,
        "Bank redirection required",
    );
    let data = state
        .txns
        .get(&tid)
        .map(transaction_data)
        .unwrap_or(Value::Null);
    Ok(success(ctx, data))
}
