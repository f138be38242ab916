//! Authorisations, captures, voids, refunds and chargebacks.

use crate::easypay::flows::{self, Outcome};
use crate::easypay::json::{self, Obj};
use crate::easypay::notify::{self, Env};
use crate::easypay::pagination;
use crate::easypay::state::{Authorisation, Kind, Refund, Split, State, Void};
use crate::easypay::{body, cents, created, error, path_id};
use crate::generated::RouteMatch;
use crate::generated::easypay::{
    CaptureRequest, CaptureSplitUpdateRequest, FrequentAuthorisationRequest, RefundRequest,
    VoidRequest,
};
use crate::provider::{FakeRequest, FakeResponse};

const PROCESSED: &str = "Your request was successfully processed";

/// `POST /frequent/authorisation/{id}`: a new authorisation on an active card or MB WAY
/// frequent payment. Cards follow the stored card's prefix (`force_3ds` asks for 3-D
/// Secure first); MB WAY follows the phone.
pub(crate) fn frequent_authorise(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: FrequentAuthorisationRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match cents("value", &req.value) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let id = path_id(found).to_owned();
    let Some(payment) = state
        .payment(&id)
        .filter(|p| p.kind == Kind::Frequent && p.status != "deleted")
        .cloned()
    else {
        return error(404, &["no frequent found"]);
    };
    if payment.method_status != "active" {
        return error(412, &["the frequent payment is not active"]);
    }
    if let Err(answer) = within_limits(payment.min_value, payment.max_value, value) {
        return answer;
    }
    let outcome = match payment.method.as_str() {
        "cc" if req.force_3ds == Some(true) => Outcome::ThreeDs,
        "cc" => payment
            .card_prefix
            .as_deref()
            .map_or(Outcome::Declined, flows::card_outcome),
        "mbw" => flows::phone_outcome(payment.phone.as_deref()),
        _ => return error(412, &["authorisations are only available for cc and mbw"]),
    };
    let auth_id = state.next_id();
    let (status, message) = match outcome {
        Outcome::Authorised => ("success", PROCESSED),
        Outcome::Failed => ("failed", "The payment failed"),
        Outcome::Declined => ("failed", "The payment was declined"),
        Outcome::Pending => ("waiting", "Waiting for the customer"),
        Outcome::ThreeDs => ("waiting", "Waiting for 3-D Secure"),
    };
    state.authorisations.push(Authorisation {
        id: auth_id.clone(),
        payment_id: id.clone(),
        value,
        captured: 0,
        status: status.to_owned(),
        message: message.to_owned(),
        key: req.transaction_key.clone(),
        descriptive: Some(req.descriptive.clone()),
        created_at: env.now,
    });
    let mut extra = Vec::new();
    match outcome {
        Outcome::Authorised | Outcome::Failed | Outcome::Declined => {
            announce_authorisation(state, env, &auth_id);
        }
        Outcome::ThreeDs => {
            let url = format!("{}/fake/3ds/{auth_id}", env.base_url);
            extra.push((
                "method",
                Obj::new().str("type", "CC").str("url", &url).done(),
            ));
        }
        Outcome::Pending => {}
    }
    created(&auth_id, &extra)
}

/// The notifications of a decided frequent authorisation.
pub(crate) fn announce_authorisation(state: &State, env: &Env<'_>, auth_id: &str) {
    let Some(auth) = state.authorisations.iter().find(|a| a.id == auth_id) else {
        return;
    };
    let Some(payment) = state.payment(&auth.payment_id) else {
        return;
    };
    let success = auth.status == "success";
    notify::generic(
        &state.config,
        env,
        &payment.id,
        auth.key.as_deref(),
        "authorisation",
        success,
        &auth.message,
    );
    if success {
        notify::authorisation(&state.config, env, payment, &auth.id, auth.value);
    }
}

/// Decides a waiting frequent authorisation (3-D Secure done, MB WAY answered).
pub(crate) fn decide_authorisation(
    state: &mut State,
    env: &Env<'_>,
    auth_id: &str,
    success: bool,
) -> Result<(), String> {
    let Some(auth) = state.authorisation_mut(auth_id) else {
        return Err("no authorisation found".to_owned());
    };
    if auth.status != "waiting" {
        return Err(format!("the authorisation is {}, not waiting", auth.status));
    }
    if success {
        auth.status = "success".to_owned();
        PROCESSED.clone_into(&mut auth.message);
    } else {
        auth.status = "failed".to_owned();
        "The payment was declined".clone_into(&mut auth.message);
    }
    announce_authorisation(state, env, auth_id);
    Ok(())
}

fn within_limits(min: Option<i64>, max: Option<i64>, value: i64) -> Result<(), FakeResponse> {
    if min.is_some_and(|min| value < min) {
        return Err(error(
            400,
            &["`value` is below the frequent payment's `min_value`"],
        ));
    }
    if max.is_some_and(|max| value > max) {
        return Err(error(
            400,
            &["`value` is above the frequent payment's `max_value`"],
        ));
    }
    Ok(())
}

fn splits(state: &mut State, request: &CaptureRequest) -> Result<Vec<Split>, FakeResponse> {
    let mut out = Vec::new();
    for split in request.splits.iter().flatten() {
        let value = cents("splits.value", &split.value)?;
        let margin_value = split
            .margin_value
            .as_ref()
            .map(|v| cents("splits.margin_value", v))
            .transpose()?;
        out.push(Split {
            id: state.next_id(),
            split_key: split.split_key.clone(),
            descriptive: split.split_descriptive.clone(),
            value,
            account_id: split.account.as_ref().map(|a| a.id.clone()),
            margin_value,
        });
    }
    Ok(out)
}

/// `POST /capture/{id}`: `id` is a single payment in authorisation, an authorisation, or
/// an active frequent payment (a direct charge of the stored method). Over-capture → 400
/// (INFERRED); nothing to capture → 412 (INFERRED).
pub(crate) fn capture_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: CaptureRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match cents("value", &req.value) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let id = path_id(found).to_owned();
    // Resolve the authorisation, if the id names one or a single in authorisation.
    let auth_id = if state.authorisations.iter().any(|a| a.id == id) {
        Some(id.clone())
    } else if let Some(p) = state.payment(&id).filter(|p| p.kind == Kind::Single) {
        if !p.authorisation_only {
            return error(412, &["a sale is captured when it is paid"]);
        }
        state
            .authorisations
            .iter()
            .rev()
            .find(|a| a.payment_id == id && a.status == "success")
            .map(|a| a.id.clone())
            .or_else(|| Some(String::new()))
    } else {
        None
    };
    let split_list = match splits(state, &req) {
        Ok(list) => list,
        Err(answer) => return answer,
    };
    match auth_id {
        Some(auth_id) => {
            let Some(auth) = state.authorisations.iter().find(|a| a.id == auth_id) else {
                return error(412, &["the payment is not authorised"]);
            };
            if auth.status != "success" {
                return error(412, &["the authorisation cannot be captured"]);
            }
            if value > auth.value - auth.captured {
                return error(400, &["`value` exceeds the amount left to capture"]);
            }
            let payment_id = auth.payment_id.clone();
            let capture_id = flows::capture(
                state,
                env,
                &payment_id,
                Some(auth_id),
                value,
                Some(req.descriptive.clone()),
                req.transaction_key.clone(),
                split_list,
                true,
            );
            created(&capture_id, &[])
        }
        None => {
            let Some(payment) = state
                .payment(&id)
                .filter(|p| p.kind == Kind::Frequent && p.status != "deleted")
                .cloned()
            else {
                return error(404, &["no capture target found"]);
            };
            if payment.method_status != "active" {
                return error(412, &["the frequent payment is not active"]);
            }
            if payment.method == "mb" || payment.method == "vi" {
                return error(
                    412,
                    &["the customer pays this method; it cannot be charged"],
                );
            }
            if let Err(answer) = within_limits(payment.min_value, payment.max_value, value) {
                return answer;
            }
            let success = flows::stored_method_succeeds(state, &id);
            let capture_id = flows::capture(
                state,
                env,
                &id,
                None,
                value,
                Some(req.descriptive.clone()),
                req.transaction_key.clone(),
                split_list,
                success,
            );
            created(&capture_id, &[])
        }
    }
}

/// `GET /capture/{id}`.
pub(crate) fn capture_get(state: &State, env: &Env<'_>, found: &RouteMatch) -> FakeResponse {
    match state.captures.iter().find(|c| c.id == path_id(found)) {
        Some(c) => FakeResponse::json(200, c.render(env.account)),
        None => error(404, &["no capture found"]),
    }
}

/// `GET /capture` (cursor).
pub(crate) fn capture_list(state: &State, env: &Env<'_>, request: &FakeRequest) -> FakeResponse {
    let (cursor, limit) = pagination::cursor_params(&request.query_pairs());
    if let Some(answer) = refuse_filters(request, &["cursor", "limit"]) {
        return answer;
    }
    let items: Vec<(String, String)> = state
        .captures
        .iter()
        .map(|c| (c.id.clone(), c.render(env.account)))
        .collect();
    pagination::cursor(&items, cursor.as_deref(), limit)
}

fn refuse_filters(request: &FakeRequest, allowed: &[&str]) -> Option<FakeResponse> {
    request
        .query_pairs()
        .into_iter()
        .find(|(k, _)| !allowed.contains(&k.as_str()))
        .map(|(k, _)| error(400, &[&format!("the fake does not model the `{k}` filter")]))
}

/// `PATCH /capture/{capture-uuid}/splits/{capture-split-uuid}`.
pub(crate) fn split_update(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: CaptureSplitUpdateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match req.value.as_ref().map(|v| cents("value", v)).transpose() {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let margin = match req
        .margin_value
        .as_ref()
        .map(|v| cents("margin_value", v))
        .transpose()
    {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let capture_id = found.param("capture-uuid").unwrap_or_default();
    let split_id = found.param("capture-split-uuid").unwrap_or_default();
    let Some(capture) = state.capture_mut(capture_id) else {
        return error(404, &["no capture found"]);
    };
    let Some(split) = capture.splits.iter_mut().find(|s| s.id == split_id) else {
        return error(404, &["no split found"]);
    };
    if let Some(value) = value {
        split.value = value;
    }
    if margin.is_some() {
        split.margin_value = margin;
    }
    if let Some(key) = req.split_key {
        split.split_key = Some(key);
    }
    if let Some(d) = req.split_descriptive {
        split.descriptive = Some(d);
    }
    if let Some(account) = req.account {
        split.account_id = Some(account.id);
    }
    let _ = env;
    FakeResponse::json(200, split.render())
}

/// `GET /authorisation/{id}`.
pub(crate) fn authorisation_get(state: &State, found: &RouteMatch) -> FakeResponse {
    let Some(auth) = state.authorisations.iter().find(|a| a.id == path_id(found)) else {
        return error(404, &["no authorisation found"]);
    };
    let payment = state.payment(&auth.payment_id);
    let transactions = json::array(
        state
            .captures
            .iter()
            .filter(|c| c.authorisation_id.as_deref() == Some(&auth.id))
            .map(|c| {
                Obj::new()
                    .str("id", &c.id)
                    .amount("value", c.value)
                    .str("status", &c.status)
                    .done()
            }),
    );
    let body = Obj::new()
        .str("id", &auth.id)
        .str("status", &auth.status)
        .str("message", &auth.message)
        .opt_str("key", auth.key.as_deref())
        .opt_str("descriptive", auth.descriptive.as_deref())
        .opt_raw("customer", payment.map(|p| p.customer.as_str()))
        .opt_raw("method", payment.map(|p| p.method_object()).as_deref())
        .str("currency", payment.map_or("EUR", |p| p.currency.as_str()))
        .amount("value", auth.value)
        .amount("value_captured", auth.captured)
        .raw("transactions", &transactions)
        .str("created_at", &json::datetime(auth.created_at))
        .done();
    FakeResponse::json(200, body)
}

/// `POST /void/{id}`: `id` is an authorisation or a single/frequent payment with a
/// successful authorisation; releases what is not captured. Nothing left → 412
/// (INFERRED).
pub(crate) fn void_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: VoidRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let id = path_id(found).to_owned();
    let auth_id = if state.authorisations.iter().any(|a| a.id == id) {
        id.clone()
    } else if state.payment(&id).is_some() {
        match state
            .authorisations
            .iter()
            .rev()
            .find(|a| a.payment_id == id && a.status == "success")
        {
            Some(a) => a.id.clone(),
            None => return error(412, &["the payment has no authorisation to void"]),
        }
    } else {
        return error(404, &["no authorisation found"]);
    };
    let Some(auth) = state.authorisation_mut(&auth_id) else {
        return error(404, &["no authorisation found"]);
    };
    if auth.status != "success" || auth.captured >= auth.value {
        return error(412, &["the authorisation has nothing left to void"]);
    }
    auth.status = "canceled".to_owned();
    let captured = auth.captured;
    let payment_id = auth.payment_id.clone();
    if captured == 0
        && let Some(p) = state
            .payment_mut(&payment_id)
            .filter(|p| p.kind == Kind::Single)
    {
        p.status = "voided".to_owned();
    }
    let void_id = state.next_id();
    state.voids.push(Void {
        id: void_id.clone(),
        authorisation_id: auth_id,
        status: "success".to_owned(),
        descriptive: req.descriptive,
        transaction_key: req.transaction_key.clone(),
    });
    notify::generic(
        &state.config,
        env,
        &void_id,
        req.transaction_key.as_deref(),
        "void",
        true,
        PROCESSED,
    );
    created(&void_id, &[])
}

/// `GET /void/{id}`.
pub(crate) fn void_get(state: &State, found: &RouteMatch) -> FakeResponse {
    let Some(void) = state.voids.iter().find(|v| v.id == path_id(found)) else {
        return error(404, &["no void found"]);
    };
    let auth = state
        .authorisations
        .iter()
        .find(|a| a.id == void.authorisation_id);
    let auth_json = auth.map(|a| {
        Obj::new()
            .str("id", &a.id)
            .str("status", &a.status)
            .amount("value", a.value)
            .done()
    });
    FakeResponse::json(
        200,
        Obj::new()
            .str("id", &void.id)
            .str("status", &void.status)
            .opt_str("transaction_key", void.transaction_key.as_deref())
            .str("descriptive", &void.descriptive)
            .opt_raw("authorisation", auth_json.as_deref())
            .done(),
    )
}

/// `POST /refund/{id}`: `id` is a capture (what Easypay calls the single or frequent
/// transaction); a payment id is not one, and gets 404 like any unknown id: the fake does
/// not guess which of a payment's captures was meant. Full or partial; more than what is
/// left → 400 (INFERRED).
pub(crate) fn refund_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
    found: &RouteMatch,
) -> FakeResponse {
    let req: RefundRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match cents("value", &req.value) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    if value <= 0 {
        return error(400, &["`value` must be greater than 0"]);
    }
    let capture_id = path_id(found).to_owned();
    let Some(capture) = state.capture_mut(&capture_id) else {
        return error(404, &["no capture found"]);
    };
    if !matches!(capture.status.as_str(), "success" | "refunded") {
        return error(412, &["the capture was not successful"]);
    }
    if value > capture.value - capture.refunded - capture.charged_back {
        return error(400, &["`value` exceeds the amount left to refund"]);
    }
    capture.refunded += value;
    if capture.refunded + capture.charged_back >= capture.value {
        capture.status = "refunded".to_owned();
    }
    let payment_id = capture.payment_id.clone();
    let refund_id = state.next_id();
    state.refunds.push(Refund {
        id: refund_id.clone(),
        capture_id,
        payment_id,
        value,
        status: "success".to_owned(),
        transaction_key: req.transaction_key.clone(),
        iban: req.iban.clone(),
        account_holder: req.account_holder.clone(),
        email: req.email.clone(),
        phone: req.phone.clone(),
        created_at: env.now,
    });
    notify::generic(
        &state.config,
        env,
        &refund_id,
        req.transaction_key.as_deref(),
        "refund",
        true,
        PROCESSED,
    );
    created(&refund_id, &[])
}

/// `GET /refund/{id}`.
pub(crate) fn refund_get(state: &State, found: &RouteMatch) -> FakeResponse {
    match state.refunds.iter().find(|r| r.id == path_id(found)) {
        Some(r) => FakeResponse::json(200, r.render()),
        None => error(404, &["no refund found"]),
    }
}

/// `GET /refund` (cursor).
pub(crate) fn refund_list(state: &State, request: &FakeRequest) -> FakeResponse {
    if let Some(answer) = refuse_filters(request, &["cursor", "limit"]) {
        return answer;
    }
    let (cursor, limit) = pagination::cursor_params(&request.query_pairs());
    let items: Vec<(String, String)> = state
        .refunds
        .iter()
        .map(|r| (r.id.clone(), r.render()))
        .collect();
    pagination::cursor(&items, cursor.as_deref(), limit)
}

/// `GET /chargeback` (cursor, INFERRED like refunds).
pub(crate) fn chargeback_list(state: &State, request: &FakeRequest) -> FakeResponse {
    let (cursor, limit) = pagination::cursor_params(&request.query_pairs());
    let items: Vec<(String, String)> = state
        .chargebacks
        .iter()
        .map(|c| (c.id.clone(), c.render()))
        .collect();
    pagination::cursor(&items, cursor.as_deref(), limit)
}
