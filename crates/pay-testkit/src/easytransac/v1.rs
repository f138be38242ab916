//! The Easytransac fake's V1 handlers: API key and signature checks, validation through
//! the generated request types, and the payment operations it models.

use pay_core::{Currency, Money, Rule, luhn_valid};
use pay_signing::easytransac::{Params, verify};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::present::{decimal_text as amount_text, mask_card, mask_iban};

use super::notify::{done_transaction, v1_error, v1_success};
use super::scenario::{THREE_DS_TIMEOUT, save_card, schedule_of};
use super::state::{
    CardBehaviour, Decline, Method, Page, Plan, PlanRequest, ReturnTo, State, Status, Txn, v1_date,
};
use super::{EasytransacFake, cards, other, same_secret};
use crate::generated::easytransac as wire;
use crate::generated::{RequestRejection, form_to_json};
use crate::provider::{Context, FakeRequest, FakeResponse};
use secrecy::ExposeSecret;

/// The V1 operations the fake models; every other one is refused with ApiError 1.
const MODELLED: &[&str] = &[
    "v1_payment_direct",
    "v1_payment_oneclick",
    "v1_payment_sdd_init",
    "v1_payment_bybank",
    "v1_payment_page",
    "v1_payment_cancelpage",
    "v1_payment_resendpage",
    "v1_payment_status",
    "v1_payment_refund",
    "v1_payment_capture",
    "v1_payment_cancel",
    "v1_payment_card_list",
    "v1_payment_iban_list",
    "v1_payment_history",
    "v1_payment_requests",
    "v1_payment_card_infos",
    "v1_user_add",
    "v1_user_update",
    "v1_user_find",
    "v1_user_operations",
    "v1_user_payout",
    "v1_user_payouts",
    "v1_user_logo_add",
    "v1_user_activity_get",
    "v1_user_activity_update",
    "v1_kyc_add",
    "v1_kyc_get",
    "v1_kyc_find",
    "v1_payment_transfer",
    "v1_payment_rebill_update",
];

/// Answers one V1 request.
pub(crate) fn handle(
    fake: &EasytransacFake,
    operation: &'static wire::Operation,
    request: &FakeRequest,
    ctx: &Context<'_>,
) -> FakeResponse {
    let pairs = match authenticate(fake, request) {
        Ok(pairs) => pairs,
        Err(answer) => return answer,
    };
    if !MODELLED.contains(&operation.id) {
        return v1_error(
            1,
            &format!(
                "Invalid request: {} is not modelled by the pay-testkit Easytransac fake",
                operation.path
            ),
        );
    }
    // Parameter names are read without regard to case (see `names`).
    let pairs = super::names::fold(operation.id, pairs);
    let json = form_to_json(&pairs);
    if let Some(Err(rejection)) = wire::check_request(operation.id, json.as_bytes()) {
        return refuse(&rejection);
    }
    let answer = match operation.id {
        "v1_payment_direct" => parse(&json).and_then(|r| direct(fake, ctx, &r)),
        "v1_payment_oneclick" => parse(&json).and_then(|r| oneclick(fake, ctx, &r)),
        "v1_payment_sdd_init" => parse(&json).and_then(|r| sdd_init(fake, ctx, &r)),
        "v1_payment_bybank" => parse(&json).and_then(|r| bybank(fake, ctx, &r)),
        "v1_payment_page" => parse(&json).and_then(|r| page(fake, ctx, &r)),
        "v1_payment_cancelpage" => parse(&json).and_then(|r| cancel_page(fake, ctx, &r)),
        "v1_payment_resendpage" => parse(&json).and_then(|r| resend_page(fake, ctx, &r)),
        "v1_payment_status" => parse(&json).and_then(|r| status(fake, &r)),
        "v1_payment_refund" => parse(&json).and_then(|r| refund(fake, ctx, &r)),
        "v1_payment_capture" => parse(&json).and_then(|r| capture(fake, ctx, &r)),
        "v1_payment_cancel" => parse(&json).and_then(|r| cancel(fake, ctx, &r)),
        "v1_payment_card_list" => parse(&json).and_then(|r| card_list(fake, &r)),
        "v1_payment_iban_list" => parse(&json).and_then(|r| other::iban_list(fake, &r)),
        "v1_payment_history" => parse(&json).and_then(|r| other::history(fake, &r)),
        "v1_payment_requests" => parse(&json).and_then(|r| other::requests(fake, &r)),
        "v1_payment_card_infos" => parse(&json).and_then(|r| other::card_infos(fake, &r)),
        "v1_user_add" => parse(&json).and_then(|r| other::user_add(fake, &r)),
        "v1_user_update" => parse(&json).and_then(|r| other::user_update(fake, &r)),
        "v1_user_find" => parse(&json).and_then(|r| other::user_find(fake, &r)),
        "v1_user_operations" => parse(&json).and_then(|r| other::user_operations(fake, &r)),
        "v1_user_payout" => other::user_payout(fake, ctx),
        "v1_user_payouts" => parse(&json).and_then(|r| other::user_payouts(fake, &r)),
        "v1_user_logo_add" => other::user_logo(fake),
        "v1_user_activity_get" => other::activity_get(fake),
        "v1_user_activity_update" => other::activity_update(fake, &pairs),
        "v1_kyc_add" => parse(&json).and_then(|r| other::kyc_add(fake, ctx, &r)),
        "v1_kyc_get" => parse(&json).and_then(|r| other::kyc_get(fake, &r)),
        "v1_kyc_find" => parse(&json).and_then(|r| other::kyc_find(fake, &r)),
        "v1_payment_transfer" => parse(&json).and_then(|r| other::transfer(fake, ctx, &r)),
        "v1_payment_rebill_update" => parse(&json).and_then(|r| other::rebill_update(fake, &r)),
        _ => Err(Refusal::state("unknown operation")),
    };
    match answer {
        Ok(result) => {
            fake.count_applied(operation.id);
            v1_success(&result, &fake.config.api_key)
        }
        Err(refusal) => v1_error(refusal.code, &refusal.message),
    }
}

/// An ApiError to answer with.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl Refusal {
    /// ApiError 1: the request does not fit the fake's state.
    fn state(message: &str) -> Self {
        Self {
            code: 1,
            message: format!("Invalid request: {message}"),
        }
    }

    /// ApiError 101: a parameter's value is refused.
    pub(crate) fn parameter(message: &str) -> Self {
        Self {
            code: 101,
            message: format!("Parameter error: {message}"),
        }
    }
}

/// Checks the API key header and the `Signature` field; returns the decoded form.
fn authenticate(
    fake: &EasytransacFake,
    request: &FakeRequest,
) -> Result<Vec<(String, String)>, FakeResponse> {
    let key = request
        .header("EASYTRANSAC-API-KEY")
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| v1_error(4, "API key missing"))?;
    if !same_secret(key, fake.config.api_key.expose_secret()) {
        return Err(v1_error(3, "Invalid application"));
    }
    let pairs = request.form();
    let Some(signature) = pairs
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case("Signature"))
        .map(|(_, v)| v.clone())
    else {
        return Err(v1_error(5, "Missing parameter: Signature"));
    };
    let params =
        Params::from_form(&pairs).map_err(|_| v1_error(1, "Invalid request: unreadable form"))?;
    verify(&params, &fake.config.api_key, &signature)
        .map_err(|_| v1_error(12, "Wrong signature"))?;
    Ok(pairs)
}

/// The ApiError for a request the generated checks refuse: 5 for a missing parameter,
/// 101 for any other broken constraint. Names the field, never its value.
pub(crate) fn refuse(rejection: &RequestRejection) -> FakeResponse {
    let refusal = refusal_of(rejection);
    v1_error(refusal.code, &refusal.message)
}

/// [`refuse`] as a [`Refusal`] (V2 maps it to HTTP 400).
pub(crate) fn refusal_of(rejection: &RequestRejection) -> Refusal {
    match rejection {
        RequestRejection::Malformed(error) => {
            let text = error.to_string();
            match text
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                Some(field) => Refusal {
                    code: 5,
                    message: format!("Missing parameter: {field}"),
                },
                None => Refusal::parameter("a parameter has the wrong type"),
            }
        }
        RequestRejection::Invalid(error) => {
            let missing = match error.rule() {
                Rule::Required => true,
                Rule::Other(text) => text.starts_with("is required"),
                _ => false,
            };
            if missing {
                Refusal {
                    code: 5,
                    message: format!("Missing parameter: {}", error.field()),
                }
            } else {
                Refusal::parameter(&format!("invalid value for {}", error.field()))
            }
        }
    }
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T, Refusal> {
    serde_json::from_str(json).map_err(|_| Refusal::parameter("a parameter has the wrong type"))
}

/// What a testkit card number does, or `None` when it fails the Luhn check.
pub(crate) fn card_behaviour(number: &str) -> Option<CardBehaviour> {
    if !luhn_valid(number) {
        return None;
    }
    Some(match number {
        cards::THREE_DS_CHALLENGE => CardBehaviour::Challenge,
        cards::DECLINED_INSUFFICIENT_FUNDS => CardBehaviour::Decline(Decline::InsufficientFunds),
        cards::DECLINED_EXPIRED_CARD => CardBehaviour::Decline(Decline::ExpiredCard),
        _ => CardBehaviour::Approve,
    })
}

/// The schedule a new payment asks for. `max_repeat` is checked by the generated types
/// already; `default_repeat` applies when `MultiplePaymentsRepeat` is absent.
pub(crate) struct PlanAsk<'a> {
    pub(crate) amount: i64,
    pub(crate) multiple: bool,
    pub(crate) repeat: Option<i64>,
    pub(crate) default_repeat: i64,
    pub(crate) down_payment: Option<i64>,
    pub(crate) rebill: bool,
    pub(crate) recurrence: Option<&'a str>,
}

/// Turns a [`PlanAsk`] into the amounts charged, exactly.
pub(crate) fn plan_request(ask: &PlanAsk<'_>) -> Result<Option<PlanRequest>, Refusal> {
    let recurrence = ask.recurrence.unwrap_or("monthly").to_owned();
    if ask.multiple && ask.rebill {
        return Err(Refusal::parameter(
            "MultiplePayments and Rebill cannot be combined",
        ));
    }
    if ask.rebill {
        return Ok(Some(PlanRequest {
            plan: Plan::Rebill {
                first: ask.down_payment.unwrap_or(ask.amount),
                recurring: ask.amount,
            },
            recurrence,
        }));
    }
    if !ask.multiple {
        return Ok(None);
    }
    let count = ask.repeat.unwrap_or(ask.default_repeat);
    let count = u32::try_from(count)
        .ok()
        .filter(|n| *n >= 2)
        .ok_or_else(|| Refusal::parameter("invalid value for MultiplePaymentsRepeat"))?;
    let total = Money::from_minor(ask.amount, Currency::EUR)
        .map_err(|_| Refusal::parameter("invalid value for Amount"))?;
    let mut amounts = Vec::new();
    let rest = match ask.down_payment {
        Some(down) => {
            // €1 ≤ first instalment ≤ 70 % of the total (recurring-payments page).
            let within = down >= 100 && i128::from(down) * 10 <= i128::from(ask.amount) * 7;
            if !within {
                return Err(Refusal::parameter(
                    "DownPayment must be between 1.00 and 70 % of Amount",
                ));
            }
            amounts.push(down);
            Money::from_minor(ask.amount - down, Currency::EUR)
                .map_err(|_| Refusal::parameter("invalid value for DownPayment"))?
                .allocate(&vec![1; usize::try_from(count - 1).unwrap_or(1)])
        }
        None => total.allocate(&vec![1; usize::try_from(count).unwrap_or(2)]),
    }
    .map_err(|_| Refusal::parameter("invalid value for MultiplePaymentsRepeat"))?;
    amounts.extend(rest.iter().map(Money::minor_units));
    if amounts.iter().any(|a| *a < 1) {
        return Err(Refusal::parameter(
            "Amount is too small for that many instalments",
        ));
    }
    Ok(Some(PlanRequest {
        plan: Plan::Instalments(amounts),
        recurrence,
    }))
}

/// [`card_plan`] for a direct payment or payment page request `$r`: the generated request
/// types differ but name the schedule fields the same way.
macro_rules! card_plan_of {
    ($r:expr, $pre_auth:expr) => {
        card_plan(
            $pre_auth,
            &PlanAsk {
                amount: $r.amount.0,
                multiple: flag($r.multiple_payments, false),
                repeat: $r.multiple_payments_repeat,
                default_repeat: 3,
                down_payment: $r.down_payment.map(|d| d.0),
                rebill: flag($r.rebill, false),
                recurrence: $r.recurrence.as_ref().map(wire::Recurrence::as_str),
            },
        )
    };
}

/// [`plan_request`] for a card payment (direct or page), which cannot also be a
/// pre-authorisation.
fn card_plan(pre_auth: bool, ask: &PlanAsk<'_>) -> Result<Option<PlanRequest>, Refusal> {
    let plan = plan_request(ask)?;
    if pre_auth && plan.is_some() {
        return Err(Refusal::parameter(
            "PreAuth cannot be combined with MultiplePayments or Rebill",
        ));
    }
    Ok(plan)
}

/// `ReturnUrl` with `ReturnMethod` (`POST` unless `GET` is asked for).
pub(crate) fn return_to(
    url: Option<&String>,
    method: Option<&wire::ReturnMethod>,
) -> Option<ReturnTo> {
    url.filter(|u| !u.is_empty()).map(|url| ReturnTo {
        url: url.clone(),
        get: matches!(method, Some(wire::ReturnMethod::Get)),
    })
}

fn flag(value: Option<wire::YesNo>, default: bool) -> bool {
    value.map_or(default, wire::YesNo::as_bool)
}

/// Records a new card transaction and charges it per its card's behaviour.
fn charge_card(
    fake: &EasytransacFake,
    state: &mut State,
    ctx: &Context<'_>,
    mut txn: Txn,
    three_ds_asked: bool,
) -> Value {
    let tid = txn.tid.clone();
    match txn.card_behaviour {
        Some(CardBehaviour::Decline(decline)) => {
            txn.error = Some(decline.error().to_owned());
            txn.additional_error = Some(decline.additional().to_owned());
            state.insert(txn);
            fake.transition(state, ctx, &tid, Status::Failed, "Payment failed");
        }
        Some(CardBehaviour::Challenge) if three_ds_asked => {
            txn.three_ds = true;
            txn.three_ds_url = Some(format!("{}/api/payment/3dsecure/{tid}", ctx.base_url()));
            txn.three_ds_deadline = Some(ctx.now() + THREE_DS_TIMEOUT);
            state.insert(txn);
            fake.transition(
                state,
                ctx,
                &tid,
                Status::Pending,
                "3DSecure authentication required",
            );
        }
        _ => {
            let pre_auth = txn.pre_auth;
            let save = txn.save_card;
            state.insert(txn);
            if save {
                save_card(state, &tid, ctx);
            }
            let (status, message) = if pre_auth {
                (Status::Authorized, "Pre-authorisation accepted")
            } else {
                (Status::Captured, "Payment was successful")
            };
            fake.transition(state, ctx, &tid, status, message);
        }
    }
    result_of(state, &tid)
}

fn result_of(state: &State, tid: &str) -> Value {
    state
        .txns
        .get(tid)
        .map(|txn| done_transaction(txn, schedule_of(state, txn)))
        .unwrap_or(Value::Null)
}

fn direct(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1DirectPaymentRequest,
) -> Result<Value, Refusal> {
    let behaviour = card_behaviour(&r.card_number)
        .ok_or_else(|| Refusal::parameter("invalid value for CardNumber"))?;
    let pre_auth = flag(r.pre_auth, false);
    let plan = card_plan_of!(r, pre_auth)?;
    let mut state = fake.lock();
    let tid = state.new_tid();
    let key = r.uid.clone().or_else(|| r.email.clone());
    let client_id = match &r.client_id {
        Some(id) => id.clone(),
        None => state.client_id(key.as_deref()),
    };
    let amount = plan.as_ref().map_or(r.amount.0, PlanRequest::first_amount);
    let mut txn = Txn::new(tid, Method::Card, amount, ctx.now());
    txn.order_id = r.order_id.clone();
    txn.uid = r.uid.clone();
    txn.description = r.description.clone();
    txn.customer.id = client_id;
    txn.customer.email = r.email.clone();
    txn.customer.firstname = r.firstname.clone();
    txn.customer.lastname = r.lastname.clone();
    txn.card_masked = Some(mask_card(&r.card_number));
    txn.card_month = Some(r.card_month.clone());
    txn.card_year = Some(r.card_year.clone());
    txn.card_behaviour = Some(behaviour);
    txn.pre_auth = pre_auth;
    txn.save_card = flag(r.save_card, false);
    txn.plan = plan;
    txn.return_to = return_to(r.return_url.as_ref(), r.return_method.as_ref());
    Ok(charge_card(
        fake,
        &mut state,
        ctx,
        txn,
        flag(r.three_ds, true),
    ))
}

fn oneclick(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1OneClickPaymentRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let card = state
        .cards
        .get(&r.alias)
        .cloned()
        .ok_or_else(|| Refusal::state("unknown Alias"))?;
    if r.client_id.as_ref().is_some_and(|id| *id != card.client_id) {
        return Err(Refusal::state("the Alias does not belong to this ClientId"));
    }
    if let Some(saved) = state.cards.get_mut(&r.alias) {
        saved.last_used = ctx.now();
    }
    let tid = state.new_tid();
    let mut txn = Txn::new(tid, Method::Card, r.amount.0, ctx.now());
    txn.order_id = r.order_id.clone();
    txn.uid = r.uid.clone();
    txn.description = r.description.clone();
    txn.customer.id = card.client_id.clone();
    txn.one_click = true;
    txn.alias = Some(card.alias.clone());
    txn.card_masked = Some(card.masked.clone());
    txn.card_month = Some(card.month.clone());
    txn.card_year = Some(card.year.clone());
    txn.card_behaviour = Some(card.behaviour);
    txn.pre_auth = flag(r.pre_auth, false);
    txn.return_to = return_to(r.return_url.as_ref(), None);
    Ok(charge_card(
        fake,
        &mut state,
        ctx,
        txn,
        flag(r.three_ds, true),
    ))
}

fn sdd_init(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1SddInitRequest,
) -> Result<Value, Refusal> {
    let plan = plan_request(&PlanAsk {
        amount: r.amount.0,
        multiple: flag(r.multiple_payments, false),
        repeat: r.multiple_payments_repeat,
        default_repeat: 3,
        down_payment: r.down_payment.map(|d| d.0),
        rebill: flag(r.rebill, false),
        recurrence: r.recurrence.as_ref().map(wire::Recurrence::as_str),
    })?;
    let mut state = fake.lock();
    let tid = state.new_tid();
    let client_id = match &r.client_id {
        Some(id) => id.clone(),
        None => state.client_id(Some(&r.uid)),
    };
    let amount = plan.as_ref().map_or(r.amount.0, PlanRequest::first_amount);
    let mut txn = Txn::new(tid.clone(), Method::Debit, amount, ctx.now());
    txn.order_id = r.order_id.clone();
    txn.uid = Some(r.uid.clone());
    txn.description = r.description.clone();
    txn.customer.id = client_id;
    txn.customer.email = Some(r.email.clone());
    txn.customer.firstname = r.firstname.clone();
    txn.customer.lastname = Some(r.lastname.clone());
    txn.iban_masked = Some(mask_iban(&r.iban));
    txn.mandate_url = Some(format!("{}/api/payment/sdd/mandate/{tid}", ctx.base_url()));
    txn.plan = plan;
    txn.return_to = return_to(r.return_url.as_ref(), r.return_method.as_ref());
    state.insert(txn);
    fake.transition(
        &mut state,
        ctx,
        &tid,
        Status::Pending,
        "Mandate signature required",
    );
    Ok(result_of(&state, &tid))
}

fn bybank(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1PayByBankRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let tid = state.new_tid();
    let key = r.uid.clone().or_else(|| r.email.clone());
    let client_id = match &r.client_id {
        Some(id) => id.clone(),
        None => state.client_id(key.as_deref()),
    };
    let mut txn = Txn::new(tid.clone(), Method::ByBank, r.amount.0, ctx.now());
    txn.order_id = r.order_id.clone();
    txn.uid = r.uid.clone();
    txn.description = r.description.clone();
    txn.customer.id = client_id;
    txn.customer.email = r.email.clone();
    txn.customer.firstname = r.firstname.clone();
    txn.customer.lastname = r.lastname.clone();
    txn.redirect_url = Some(format!(
        "{}/api/payment/bybank/{tid}/redirect",
        ctx.base_url()
    ));
    txn.return_to = return_to(r.return_url.as_ref(), r.return_method.as_ref());
    state.insert(txn);
    fake.transition(
        &mut state,
        ctx,
        &tid,
        Status::Pending,
        "Bank redirection required",
    );
    Ok(result_of(&state, &tid))
}

fn page_result(page: &Page, cancelled: bool) -> Value {
    let mut result = json!({
        "RequestId": page.request_id,
        "OperationType": "payment",
        "Status": page.status,
        "Date": v1_date(page.created),
        "DateSent": v1_date(page.sent),
        "Amount": amount_text(page.amount),
        "3DSecure": if page.three_ds { "yes" } else { "no" },
        "PageUrl": page.page_url,
        "Language": page.language,
    });
    if let (Some(email), Value::Object(map)) = (&page.email, &mut result) {
        map.insert("Email".to_owned(), Value::String(email.clone()));
    }
    if !cancelled && let Value::Object(map) = &mut result {
        let sent = if page.mails_sent > 0 { "yes" } else { "no" };
        map.insert("MailSent".to_owned(), Value::String(sent.to_owned()));
        map.insert("Live".to_owned(), Value::String("no".to_owned()));
        map.insert("PaymentMethod".to_owned(), Value::String("CB".to_owned()));
    }
    result
}

fn page(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1PaymentPageRequest,
) -> Result<Value, Refusal> {
    if r.operation_type
        .as_ref()
        .is_some_and(|t| t.as_str() != "payment")
    {
        return Err(Refusal::state(
            "only OperationType=payment pages are modelled by the pay-testkit fake",
        ));
    }
    let pre_auth = flag(r.pre_auth, false);
    let plan = card_plan_of!(r, pre_auth)?;
    let mut state = fake.lock();
    let request_id = state.new_request_id();
    let send_email = flag(r.send_email, false);
    let page = Page {
        request_id: request_id.clone(),
        status: "pending",
        amount: r.amount.0,
        created: ctx.now(),
        sent: ctx.now(),
        mails_sent: u32::from(send_email && r.email.is_some()),
        email: r.email.clone(),
        order_id: r.order_id.clone(),
        uid: r.uid.clone(),
        description: r.description.clone(),
        language: r
            .language
            .as_ref()
            .map_or_else(|| "FRE".to_owned(), |l| l.as_str().to_owned()),
        page_url: format!("{}/pay/{request_id}", ctx.base_url()),
        pre_auth,
        save_card: flag(r.save_card, false),
        three_ds: flag(r.three_ds, true),
        plan,
        tid: None,
        return_to: return_to(r.return_url.as_ref(), r.return_method.as_ref()),
        cancel_to: return_to(r.cancel_url.as_ref(), r.return_method.as_ref()),
    };
    let result = page_result(&page, false);
    state.pages.insert(request_id, page);
    Ok(result)
}

fn cancel_page(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1PaymentPageRefRequest,
) -> Result<Value, Refusal> {
    let _ = ctx;
    let mut state = fake.lock();
    let page = state
        .pages
        .get_mut(&r.request_id)
        .ok_or_else(|| Refusal::state("unknown RequestId"))?;
    if page.status != "pending" {
        return Err(Refusal::state(
            "only a pending payment page can be cancelled",
        ));
    }
    page.status = "cancelled";
    Ok(page_result(page, true))
}

fn resend_page(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1PaymentPageRefRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let page = state
        .pages
        .get_mut(&r.request_id)
        .ok_or_else(|| Refusal::state("unknown RequestId"))?;
    if page.status != "pending" {
        return Err(Refusal::state("only a pending payment page can be resent"));
    }
    if page.email.is_none() {
        return Err(Refusal::state("the payment page has no Email to resend to"));
    }
    page.sent = ctx.now();
    page.mails_sent += 1;
    Ok(page_result(page, false))
}

fn status(fake: &EasytransacFake, r: &wire::V1StatusRequest) -> Result<Value, Refusal> {
    let state = fake.lock();
    let not_found = || Refusal::state("transaction not found");
    if let Some(tid) = &r.tid {
        return state
            .txns
            .get(tid)
            .map(|_| result_of(&state, tid))
            .ok_or_else(not_found);
    }
    if let Some(request_id) = &r.request_id {
        let page = state.pages.get(request_id).ok_or_else(not_found)?;
        if let Some(tid) = &page.tid {
            return Ok(result_of(&state, tid));
        }
        // INFERRED: an unpaid page answers pending (a cancelled one failed), no Tid,
        // and, like every status answer, the page's `OrderId` and `Uid` when it has them.
        let status = if page.status == "pending" {
            "pending"
        } else {
            "failed"
        };
        let mut result = json!({
            "RequestId": page.request_id,
            "OperationType": "payment",
            "Status": status,
            "Date": v1_date(page.created),
            "Amount": amount_text(page.amount),
            "Test": "yes",
        });
        if let Some(order_id) = &page.order_id {
            result["OrderId"] = json!(order_id);
        }
        if let Some(uid) = &page.uid {
            result["Uid"] = json!(uid);
        }
        return Ok(result);
    }
    let order_id = r.order_id.as_deref().unwrap_or_default();
    let txn = state.by_order_id(order_id).ok_or_else(not_found)?;
    Ok(done_transaction(txn, schedule_of(&state, txn)))
}

fn refund(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1RefundRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let txn = state
        .txns
        .get_mut(&r.tid)
        .ok_or_else(|| Refusal::state("transaction not found"))?;
    if txn.status != Status::Captured {
        return Err(Refusal::state(
            "only a captured transaction can be refunded",
        ));
    }
    if txn.chargeback_at.is_some() {
        // INFERRED: the cardholder's bank already took the money back.
        return Err(Refusal::state(
            "a charged-back transaction cannot be refunded",
        ));
    }
    let left = txn.amount - txn.refunded;
    let amount = r.amount.map_or(left, |a| a.0);
    if amount > left {
        return Err(Refusal::parameter(
            "Amount is more than what is left to refund",
        ));
    }
    txn.refunded += amount;
    txn.refunds += 1;
    txn.refunded_at = Some(ctx.now());
    let full = txn.refunded == txn.amount;
    let tid = r.tid.clone();
    if full {
        fake.transition(
            &mut state,
            ctx,
            &tid,
            Status::Refunded,
            "Refund was successful",
        );
    } else {
        if let Some(txn) = state.txns.get_mut(&tid) {
            "Partial refund was successful".clone_into(&mut txn.message);
        }
        fake.notify(&state, ctx, &tid);
    }
    Ok(result_of(&state, &tid))
}

fn capture(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1CaptureRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let txn = state
        .txns
        .get_mut(&r.tid)
        .ok_or_else(|| Refusal::state("transaction not found"))?;
    if txn.status != Status::Authorized {
        return Err(Refusal::state(
            "only an authorized transaction can be captured",
        ));
    }
    let amount = r.amount.map_or(txn.amount, |a| a.0);
    if amount > txn.amount {
        return Err(Refusal::parameter(
            "Amount is more than the pre-authorised amount",
        ));
    }
    txn.amount = amount;
    let tid = r.tid.clone();
    fake.transition(
        &mut state,
        ctx,
        &tid,
        Status::Captured,
        "Capture was successful",
    );
    Ok(result_of(&state, &tid))
}

fn cancel(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    r: &wire::V1CancelRequest,
) -> Result<Value, Refusal> {
    let mut state = fake.lock();
    let txn = state
        .txns
        .get(&r.tid)
        .cloned()
        .ok_or_else(|| Refusal::state("transaction not found"))?;
    let original = txn.original_tid.clone().unwrap_or_else(|| txn.tid.clone());
    if let Some(schedule) = state.schedules.get_mut(&original) {
        if schedule.status_text() != "active" {
            return Err(Refusal::state("the recurring payment is already over"));
        }
        schedule.cancelled = true;
        return Ok(json!({
            "Tid": r.tid,
            "OriginalPaymentTid": original,
            "Date": v1_date(ctx.now()),
            "Message": "Recurring transaction cancelled",
        }));
    }
    if txn.status != Status::Authorized {
        return Err(Refusal::state(
            "only a pre-authorisation or a recurring payment can be cancelled",
        ));
    }
    fake.transition(
        &mut state,
        ctx,
        &r.tid,
        Status::Failed,
        "Pre-authorisation cancelled",
    );
    Ok(json!({
        "Tid": r.tid,
        "Date": v1_date(ctx.now()),
        "Message": "Pre-authorisation cancelled",
    }))
}

fn card_list(fake: &EasytransacFake, r: &wire::V1CardListRequest) -> Result<Value, Refusal> {
    let state = fake.lock();
    let cards: Vec<Value> = state
        .cards
        .values()
        .filter(|c| c.client_id == r.client_id)
        .map(|c| {
            json!({
                "Alias": c.alias,
                "CardNumber": c.masked,
                "CardMonth": c.month,
                "CardYear": c.year,
                "CardType": "VISA",
                "CardCountry": "FRA",
                "LastAccessed": v1_date(c.last_used),
            })
        })
        .collect();
    Ok(Value::Array(cards))
}
