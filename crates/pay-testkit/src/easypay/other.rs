//! Out payments, account configuration, checkout sessions, reports and health.

use crate::easypay::flows;
use crate::easypay::json::{self, Obj};
use crate::easypay::notify::{self, Env};
use crate::easypay::pagination;
use crate::easypay::state::{Checkout, Kind, OutPayment, State};
use crate::easypay::{body, cents, created, error, path_id};
use crate::generated::RouteMatch;
use crate::generated::easypay::{
    CheckoutCreateRequest, ConfigUpdateRequest, OutPaymentCreateRequest,
};
use crate::provider::{FakeRequest, FakeResponse};

/// `POST /out_payment` (signature and timestamp already checked): recorded `pending`
/// (INFERRED: the fake never processes payouts further), a generic `out_payment`
/// notification queued.
pub(crate) fn out_payment_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
) -> FakeResponse {
    let req: OutPaymentCreateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match cents("value", &req.value) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let id = state.next_id();
    let customer_id = req.customer.id.clone().unwrap_or_else(|| state.next_id());
    let out_account_id = state.next_id();
    let payout = OutPayment {
        id: id.clone(),
        value,
        status: "pending".to_owned(),
        kind: req
            .r#type
            .as_ref()
            .map_or("normal", |t| t.as_str())
            .to_owned(),
        method: req.method.as_str().to_owned(),
        key: req.key.clone(),
        descriptive: req.descriptive.clone(),
        customer_id: customer_id.clone(),
        out_account_id: out_account_id.clone(),
        iban: flows::compact(&req.out_account.iban),
        schedule_at: req.schedule_at.clone(),
        timestamp: req.timestamp.clone(),
        created_at: env.now,
    };
    state.out_payments.push(payout);
    notify::generic(
        &state.config,
        env,
        &id,
        req.key.as_deref(),
        "out_payment",
        true,
        "Your request was successfully created",
    );
    created(
        &id,
        &[
            (
                "method",
                Obj::new()
                    .str("type", req.method.as_str())
                    .str("status", "pending")
                    .done(),
            ),
            ("customer", Obj::new().str("id", &customer_id).done()),
            ("out_account", Obj::new().str("id", &out_account_id).done()),
        ],
    )
}

/// `GET /out_payment` (page; filters `id`, `key`, `method`, `type`).
pub(crate) fn out_payment_list(
    state: &State,
    env: &Env<'_>,
    request: &FakeRequest,
) -> FakeResponse {
    let pairs = request.query_pairs();
    for (name, _) in &pairs {
        if !matches!(
            name.as_str(),
            "page" | "records_per_page" | "id" | "key" | "method" | "type"
        ) {
            return error(
                400,
                &[&format!("the fake does not model the `{name}` filter")],
            );
        }
    }
    let wanted = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let items: Vec<String> = state
        .out_payments
        .iter()
        .filter(|o| o.status != "deleted")
        .filter(|o| wanted("id").is_none_or(|v| v == o.id))
        .filter(|o| wanted("key").is_none_or(|v| Some(v) == o.key.as_deref()))
        .filter(|o| wanted("method").is_none_or(|v| v == o.method))
        .filter(|o| wanted("type").is_none_or(|v| v == o.kind))
        .map(|o| o.render(env.account))
        .collect();
    let (page, per_page) = pagination::page_params(&pairs);
    pagination::page(&items, page, per_page)
}

/// `GET /out_payment/{id}`.
pub(crate) fn out_payment_get(state: &State, env: &Env<'_>, found: &RouteMatch) -> FakeResponse {
    match state.out_payments.iter().find(|o| o.id == path_id(found)) {
        Some(o) => FakeResponse::json(200, o.render(env.account)),
        None => error(404, &["no out_payment found"]),
    }
}

/// `DELETE /out_payment/{id}`: cancels a pending payout (204); a processed one → 412
/// (INFERRED).
pub(crate) fn out_payment_delete(
    state: &mut State,
    env: &Env<'_>,
    found: &RouteMatch,
) -> FakeResponse {
    let _ = env;
    let Some(o) = state
        .out_payments
        .iter_mut()
        .find(|o| o.id == path_id(found))
    else {
        return error(404, &["no out_payment found"]);
    };
    match o.status.as_str() {
        "pending" | "delayed" => {
            o.status = "deleted".to_owned();
            FakeResponse::new(204)
        }
        "deleted" => error(404, &["no out_payment found"]),
        _ => error(412, &["the out payment was already processed"]),
    }
}

fn config_json(state: &State, env: &Env<'_>) -> String {
    let c = &state.config;
    Obj::new()
        .str("account", env.account)
        .opt_str("generic", c.generic.as_deref())
        .opt_str("authorisation", c.authorisation.as_deref())
        .opt_str("transaction", c.transaction.as_deref())
        .opt_str("visa_fwd", c.visa_fwd.as_deref())
        .opt_str("visa_detail", c.visa_detail.as_deref())
        .raw(
            "payment_methods",
            &json::strings(&["cc", "mbw", "mb", "dd", "vi", "ap", "gp", "sw", "uf", "sc"]),
        )
        .done()
}

/// `GET /config`.
pub(crate) fn config_get(state: &State, env: &Env<'_>) -> FakeResponse {
    FakeResponse::json(200, config_json(state, env))
}

/// `PATCH /config`: sets the notification and card URLs given; answers the whole
/// configuration.
pub(crate) fn config_update(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
) -> FakeResponse {
    let req: ConfigUpdateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let c = &mut state.config;
    for (slot, value) in [
        (&mut c.generic, req.generic),
        (&mut c.authorisation, req.authorisation),
        (&mut c.transaction, req.transaction),
        (&mut c.visa_fwd, req.visa_fwd),
        (&mut c.visa_detail, req.visa_detail),
    ] {
        if let Some(value) = value {
            *slot = Some(value);
        }
    }
    FakeResponse::json(200, config_json(state, env))
}

/// `POST /checkout`: a session (`{id, session, config: null}`). The customer pays it on
/// the fake's checkout page (`/fake/checkout/{id}`, see `pages`), which creates the
/// payment; until then the session is `pending`.
pub(crate) fn checkout_create(
    state: &mut State,
    env: &Env<'_>,
    request: &FakeRequest,
) -> FakeResponse {
    let req: CheckoutCreateRequest = match body(request) {
        Ok(req) => req,
        Err(answer) => return answer,
    };
    let value = match cents("order.value", &req.order.value) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let kind = match req.r#type.first().map(|t| t.as_str()) {
        Some("frequent") => Kind::Frequent,
        Some("subscription") => Kind::Subscription,
        _ => Kind::Single,
    };
    let id = state.next_id();
    let session = state.next_id();
    state.checkouts.push(Checkout {
        id: id.clone(),
        session: session.clone(),
        status: "pending".to_owned(),
        kind,
        request: String::from_utf8_lossy(request.body()).into_owned(),
        payment_id: None,
        methods: req
            .payment
            .methods
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        value,
        created_at: env.now,
    });
    FakeResponse::json(
        201,
        Obj::new()
            .str("id", &id)
            .str("session", &session)
            .raw("config", "null")
            .done(),
    )
}

/// `GET /checkout/{id}`.
pub(crate) fn checkout_get(state: &State, found: &RouteMatch) -> FakeResponse {
    let Some(c) = state.checkouts.iter().find(|c| c.id == path_id(found)) else {
        return error(404, &["no checkout found"]);
    };
    let methods: Vec<&str> = c.methods.iter().map(String::as_str).collect();
    let payment = c.payment_id.as_deref().and_then(|id| state.payment(id));
    FakeResponse::json(
        200,
        Obj::new()
            .str("status", "success")
            .raw("message", &json::strings(&["Checkout found"]))
            .raw(
                "checkout",
                &Obj::new()
                    .str("id", &c.id)
                    .str("status", state.checkout_status(c))
                    .str("session", &c.session)
                    .str("created_at", &json::datetime(c.created_at))
                    .done(),
            )
            .raw(
                "payment",
                &Obj::new()
                    .opt_str("id", payment.map(|p| p.id.as_str()))
                    .str(
                        "status",
                        payment.map_or("pending", |p| p.method_status.as_str()),
                    )
                    .raw("methods", &json::strings(&methods))
                    .done(),
            )
            .amount("value", c.value)
            .done(),
    )
}

/// `DELETE /checkout/{id}`: cancels the session (204).
pub(crate) fn checkout_delete(state: &mut State, found: &RouteMatch) -> FakeResponse {
    let Some(c) = state.checkouts.iter_mut().find(|c| c.id == path_id(found)) else {
        return error(404, &["no checkout found"]);
    };
    if c.status == "canceled" {
        return error(404, &["no checkout found"]);
    }
    c.status = "canceled".to_owned();
    FakeResponse::new(204)
}

/// `GET /report/transactions` (page): one row per successful capture, fees zero
/// (INFERRED); `start_date`/`end_date` (`Y-m-d H:i`) bound the capture time.
pub(crate) fn report_transactions(state: &State, request: &FakeRequest) -> FakeResponse {
    let pairs = request.query_pairs();
    let bound = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| json::parse_minute(v))
    };
    let (start, end) = match (bound("start_date"), bound("end_date")) {
        (Some(None), _) | (_, Some(None)) => {
            return error(
                400,
                &["`start_date` and `end_date` must be times YYYY-MM-DD HH:MM"],
            );
        }
        (start, end) => (start.flatten(), end.flatten()),
    };
    let items: Vec<String> = state
        .captures
        .iter()
        .filter(|c| c.status == "success" || c.status == "refunded")
        .filter(|c| {
            start.is_none_or(|s| c.created_at >= s) && end.is_none_or(|e| c.created_at <= e)
        })
        .map(|c| {
            let payment = state.payment(&c.payment_id);
            let values = Obj::new()
                .amount("requested", c.value)
                .amount("paid", c.value)
                .amount("fixed_fee", 0)
                .amount("variable_fee", 0)
                .amount("tax", 0)
                .amount("transfer", c.value)
                .done();
            Obj::new()
                .str("id", &c.id)
                .opt_str("key", c.transaction_key.as_deref())
                .str("date", &json::datetime(c.created_at))
                .raw("values", &values)
                .str(
                    "method",
                    &payment.map_or(String::new(), |p| p.method.to_ascii_uppercase()),
                )
                .str("payment_type", c.payment_kind.as_str())
                .str("payment_id", &c.payment_id)
                .opt_str("payment_key", payment.and_then(|p| p.key.as_deref()))
                .opt_str("payment_transaction_key", c.transaction_key.as_deref())
                .opt_str("descriptive", c.descriptive.as_deref())
                .done()
        })
        .collect();
    let (page, per_page) = pagination::page_params(&pairs);
    pagination::page(&items, page, per_page)
}

/// `GET /report/ledger` (cursor): captures credit, refunds and chargebacks debit, in
/// the order they happened (entry shape INFERRED: `{id, type, value, date, reference}`).
pub(crate) fn report_ledger(state: &State, request: &FakeRequest) -> FakeResponse {
    let mut entries: Vec<(i64, String, String)> = Vec::new();
    for c in state
        .captures
        .iter()
        .filter(|c| c.status == "success" || c.status == "refunded")
    {
        entries.push((
            c.created_at,
            c.id.clone(),
            ledger("capture", &c.id, c.value, c.created_at, &c.payment_id),
        ));
    }
    for r in &state.refunds {
        entries.push((
            r.created_at,
            r.id.clone(),
            ledger("refund", &r.id, -r.value, r.created_at, &r.capture_id),
        ));
    }
    for c in &state.chargebacks {
        entries.push((
            c.created_at,
            c.id.clone(),
            ledger("chargeback", &c.id, -c.value, c.created_at, &c.capture_id),
        ));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let items: Vec<(String, String)> = entries
        .into_iter()
        .map(|(_, id, item)| (id, item))
        .collect();
    let (cursor, limit) = pagination::cursor_params(&request.query_pairs());
    pagination::cursor(&items, cursor.as_deref(), limit)
}

fn ledger(kind: &str, id: &str, value: i64, at: i64, reference: &str) -> String {
    Obj::new()
        .str("id", id)
        .str("type", kind)
        .amount("value", value)
        .str("date", &json::datetime(at))
        .str("reference", reference)
        .done()
}

/// `GET /health` (path and body INFERRED; unauthenticated).
pub(crate) fn health() -> FakeResponse {
    FakeResponse::json(200, Obj::new().str("status", "ok").done())
}
