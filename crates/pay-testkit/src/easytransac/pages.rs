//! The Easytransac fake's customer pages: what the browser sees at `PageUrl`,
//! `3DSecureUrl`, `MandateUrl` and the bank-transfer `RedirectUrl`.
//!
//! Each page is plain HTML from [`crate::pages`] (no JavaScript), with labelled controls
//! and the `data-testid` hooks listed in `docs/testing.md`. Submitting a page runs the
//! same state change as the matching scenario control, so the same PUSH notifications
//! are queued; then, instead of the control's stand-in return through the outbox, the
//! browser itself goes back to the merchant: a page whose form POSTs the signed
//! transaction status to `ReturnUrl` (`CancelUrl` when the customer leaves a payment
//! page), or a `303` to `ReturnUrl` with the essential parameters in the query when the
//! payment asked for `ReturnMethod=GET` (INFERRED, as for the controls: the parameters
//! are not documented). Without a `ReturnUrl` the page says what happened and stops.
//!
//! | page | `GET` shows | `POST` does |
//! |---|---|---|
//! | `/pay/{RequestId}` | amount and card form | `action=pay`: charges the typed card ([`super::cards`] choose the outcome; 3-D Secure cards continue at the challenge); `action=cancel`: abandons the page |
//! | `/api/payment/3dsecure/{Tid}` | the challenge | `outcome=pass` or `outcome=fail` |
//! | `/api/payment/sdd/mandate/{Tid}` | the mandate to sign | `action=sign` (with `consent=yes`) or `action=refuse` |
//! | `/api/payment/bybank/{Tid}/redirect`, `/v2/public/transaction/{Tid}/redirect` | the bank's approval | `action=approve` or `action=cancel` |
//!
//! Card numbers and CVVs are read from the form and dropped: the fake keeps the masked
//! number only, a page never writes a typed value back, and the form fields are named
//! `CardNumber` and `CardCVV`, which the request log redacts. An unknown or finished
//! page is a `404` error page; a form that breaks a rule is the same page again, `400`,
//! with the field and the rule named in an alert.

use super::EasytransacFake;
use super::notify::BrowserReturn;
use super::scenario::{PageCard, ScenarioError};
use super::state::{CardBehaviour, Method, Status};
use super::v1::card_behaviour;
use crate::pages::{document, error_page, escape, page, post_back, see_other};
use crate::present::{decimal_text as amount_text, mask_card};
use crate::provider::{Context, FakeRequest, FakeResponse};

/// The provider name the pages show.
const PROVIDER: &str = "Easytransac";

/// Which page a path names.
enum Target<'p> {
    Pay(&'p str),
    ThreeDs(&'p str),
    Mandate(&'p str),
    Bank(&'p str),
}

fn target(path: &str) -> Option<Target<'_>> {
    let single = |id: &str| !id.is_empty() && !id.contains('/');
    if let Some(id) = path.strip_prefix("/pay/") {
        return single(id).then_some(Target::Pay(id));
    }
    if let Some(id) = path.strip_prefix("/api/payment/3dsecure/") {
        return single(id).then_some(Target::ThreeDs(id));
    }
    if let Some(id) = path.strip_prefix("/api/payment/sdd/mandate/") {
        return single(id).then_some(Target::Mandate(id));
    }
    let bank = path
        .strip_prefix("/api/payment/bybank/")
        .or_else(|| path.strip_prefix("/v2/public/transaction/"))
        .and_then(|rest| rest.strip_suffix("/redirect"));
    bank.filter(|id| single(id)).map(Target::Bank)
}

/// Answers a request for a customer page, or `None` when the path is not one.
pub(crate) fn handle(
    fake: &EasytransacFake,
    request: &FakeRequest,
    ctx: &Context<'_>,
) -> Option<FakeResponse> {
    let target = target(request.path())?;
    let post = match request.method() {
        "GET" => false,
        "POST" => true,
        _ => {
            return Some(
                error_page(
                    PROVIDER,
                    405,
                    "This page is opened with GET and sent with POST.",
                )
                .with_header("allow", "GET, POST"),
            );
        }
    };
    let form = |name: &str| request.form_field(name).unwrap_or_default();
    Some(match (target, post) {
        (Target::Pay(id), false) => pay_page(fake, ctx, id, None),
        (Target::Pay(id), true) => pay_submit(fake, ctx, id, &form),
        (Target::ThreeDs(tid), false) => three_ds_page(fake, ctx, tid),
        (Target::ThreeDs(tid), true) => three_ds_submit(fake, ctx, tid, &form("outcome")),
        (Target::Mandate(tid), false) => mandate_page(fake, ctx, tid, None),
        (Target::Mandate(tid), true) => mandate_submit(fake, ctx, tid, &form),
        (Target::Bank(tid), false) => bank_page(fake, tid),
        (Target::Bank(tid), true) => bank_submit(fake, ctx, tid, &form("action")),
    })
}

/// `12.50 EUR`.
fn euros(cents: i64) -> String {
    format!("{} EUR", amount_text(cents))
}

fn gone(what: &str) -> FakeResponse {
    error_page(
        PROVIDER,
        404,
        &format!("No {what} is waiting here: it is unknown or already finished."),
    )
}

fn scenario_error(err: &ScenarioError) -> FakeResponse {
    match err {
        ScenarioError::WrongState { .. } => gone("action"),
        _ => error_page(PROVIDER, 404, &err.to_string()),
    }
}

/// The browser's way back to the merchant, or the last page when there is none.
fn finish(back: Option<BrowserReturn>, title: &str, message: &str) -> FakeResponse {
    match back {
        Some(back) if back.get => see_other(&back.get_target()),
        Some(back) => post_back(PROVIDER, title, message, &back.url, &back.fields),
        None => page(
            PROVIDER,
            title,
            "outcome-page",
            &format!(
                "<p role=\"status\" data-testid=\"outcome\">{}</p>\
                 <p>The merchant gave no return address: you can close this window.</p>",
                escape(message)
            ),
        ),
    }
}

/// A summary list: `(label, testid, value)` rows, values escaped here.
fn summary(rows: &[(&str, &str, String)]) -> String {
    let mut out = String::from("<dl data-testid=\"summary\">");
    for (label, testid, value) in rows {
        out.push_str(&format!(
            "<dt>{}</dt><dd data-testid=\"{testid}\">{}</dd>",
            escape(label),
            escape(value)
        ));
    }
    out.push_str("</dl>");
    out
}

/// A form's problem: the `id` of the control at fault and the message (the field and
/// the rule, never the value typed).
type Problem<'p> = (&'p str, &'p str);

/// The problem's alert, `id="form-error"`, which the control at fault points to.
fn alert(problem: Option<Problem<'_>>) -> String {
    problem.map_or_else(String::new, |(_, message)| {
        format!(
            "<p role=\"alert\" id=\"form-error\" data-testid=\"form-error\">{}</p>",
            escape(message)
        )
    })
}

/// ` aria-invalid="true" aria-describedby="form-error"` on the control at fault, so a
/// screen reader announces the problem with it; nothing on the others.
fn invalid_if(problem: Option<Problem<'_>>, id: &str) -> &'static str {
    match problem {
        Some((field, _)) if field == id => " aria-invalid=\"true\" aria-describedby=\"form-error\"",
        _ => "",
    }
}

/// A form posting only to the fake's own page at `action_url`, with one hidden `name`
/// field and a submit button.
fn button_form(
    action_url: &str,
    name: &str,
    value: &str,
    testid: &str,
    label: &str,
    class: &str,
) -> String {
    format!(
        "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"{name}\" \
         value=\"{value}\"><button type=\"submit\" class=\"{class}\" \
         data-testid=\"{testid}\">{}</button></form>",
        escape(action_url),
        escape(label)
    )
}

// ---- The payment page ----------------------------------------------------------------

fn pay_page(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    request_id: &str,
    problem: Option<Problem<'_>>,
) -> FakeResponse {
    let Some(page_state) = fake.lock().pages.get(request_id).cloned() else {
        return gone("payment page");
    };
    if page_state.status != "pending" {
        return gone("payment page");
    }
    if let Some(tid) = &page_state.tid {
        // Paid with a 3-D Secure card: the challenge is where the customer goes on.
        return see_other(&format!("{}/api/payment/3dsecure/{tid}", ctx.base_url()));
    }
    let action = format!("{}/pay/{}", ctx.base_url(), page_state.request_id);
    let mut rows = vec![("Amount", "amount", euros(page_state.amount))];
    if let Some(description) = &page_state.description {
        rows.push(("Description", "description", description.clone()));
    }
    if let Some(order_id) = &page_state.order_id {
        rows.push(("Order", "order-id", order_id.clone()));
    }
    let main = format!(
        "{}{}\
         <form method=\"post\" action=\"{action_attr}\" data-testid=\"card-form\" \
         aria-label=\"Card payment\">\
         <input type=\"hidden\" name=\"action\" value=\"pay\">\
         <label for=\"card-number\">Card number</label>\
         <input id=\"card-number\" name=\"CardNumber\" inputmode=\"numeric\" \
         autocomplete=\"cc-number\" required data-testid=\"card-number\"{inv_number}>\
         <label for=\"card-month\">Expiry month (MM)</label>\
         <input id=\"card-month\" name=\"CardMonth\" inputmode=\"numeric\" maxlength=\"2\" \
         autocomplete=\"cc-exp-month\" required data-testid=\"card-month\"{inv_month}>\
         <label for=\"card-year\">Expiry year (YYYY)</label>\
         <input id=\"card-year\" name=\"CardYear\" inputmode=\"numeric\" maxlength=\"4\" \
         autocomplete=\"cc-exp-year\" required data-testid=\"card-year\"{inv_year}>\
         <label for=\"card-cvv\">Security code (CVV)</label>\
         <input id=\"card-cvv\" name=\"CardCVV\" inputmode=\"numeric\" maxlength=\"4\" \
         autocomplete=\"cc-csc\" required data-testid=\"card-cvv\"{inv_cvv}>\
         <label for=\"card-holder\">Cardholder name</label>\
         <input id=\"card-holder\" name=\"CardOwner\" autocomplete=\"cc-name\" \
         data-testid=\"card-holder\">\
         <div class=\"actions\"><button type=\"submit\" data-testid=\"pay-button\">\
         Pay {amount}</button></div></form>\
         <div class=\"actions\">{cancel}</div>\
         <details data-testid=\"test-cards\"><summary>Test cards (pay-testkit)</summary>\
         <ul><li>{ok}: paid</li><li>{challenge}: 3-D Secure challenge</li>\
         <li>{funds}: declined, insufficient funds</li>\
         <li>{expired}: declined, expired card</li>\
         <li>any other Luhn-valid number: paid</li></ul></details>",
        alert(problem),
        summary(&rows),
        action_attr = escape(&action),
        inv_number = invalid_if(problem, "card-number"),
        inv_month = invalid_if(problem, "card-month"),
        inv_year = invalid_if(problem, "card-year"),
        inv_cvv = invalid_if(problem, "card-cvv"),
        amount = escape(&euros(page_state.amount)),
        cancel = button_form(
            &action,
            "action",
            "cancel",
            "cancel-button",
            "Cancel and return to the merchant",
            "secondary"
        ),
        ok = super::cards::SUCCESS,
        challenge = super::cards::THREE_DS_CHALLENGE,
        funds = super::cards::DECLINED_INSUFFICIENT_FUNDS,
        expired = super::cards::DECLINED_EXPIRED_CARD,
    );
    let status = if problem.is_some() { 400 } else { 200 };
    FakeResponse::html(
        status,
        document(PROVIDER, "Card payment", "payment-page", &main),
    )
    .with_header("cache-control", "no-store")
}

/// The card typed into the form, checked; the error names the field and the rule only.
fn typed_card(form: &dyn Fn(&str) -> String) -> Result<PageCard, Problem<'static>> {
    let number: String = form("CardNumber")
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if !(12..=19).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("card-number", "Card number: 12 to 19 digits are needed."));
    }
    let behaviour = card_behaviour(&number).ok_or((
        "card-number",
        "Card number: this number fails the Luhn check.",
    ))?;
    let month = form("CardMonth");
    let month_ok = month.len() == 2
        && month.bytes().all(|b| b.is_ascii_digit())
        && ("01"..="12").contains(&month.as_str());
    if !month_ok {
        return Err((
            "card-month",
            "Expiry month: two digits from 01 to 12 are needed.",
        ));
    }
    let year = form("CardYear");
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("card-year", "Expiry year: four digits are needed."));
    }
    let cvv = form("CardCVV");
    if !(3..=4).contains(&cvv.len()) || !cvv.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("card-cvv", "Security code: 3 or 4 digits are needed."));
    }
    Ok(PageCard {
        masked: mask_card(&number),
        month,
        year,
        behaviour,
    })
}

fn pay_submit(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    request_id: &str,
    form: &dyn Fn(&str) -> String,
) -> FakeResponse {
    if form("action") == "cancel" {
        return match fake.abandon_page_return(ctx, request_id) {
            Ok(back) => finish(
                back,
                "Payment cancelled",
                "You left the payment page without paying.",
            ),
            Err(err) => scenario_error(&err),
        };
    }
    let card = match typed_card(form) {
        Ok(card) => card,
        Err(problem) => return pay_page(fake, ctx, request_id, Some(problem)),
    };
    let (tid, back) = match fake.pay_page_with(ctx, request_id, &card) {
        Ok(done) => done,
        Err(err) => return scenario_error(&err),
    };
    if card.behaviour == CardBehaviour::Challenge
        && let Some(url) = fake.payment(&tid).and_then(|p| p.three_ds_url)
    {
        return see_other(&url);
    }
    outcome(fake, &tid, back)
}

/// The page after a card payment ends: accepted or declined, then the return.
fn outcome(fake: &EasytransacFake, tid: &str, back: Option<BrowserReturn>) -> FakeResponse {
    let Some(view) = fake.payment(tid) else {
        return gone("payment");
    };
    let card = view.card_masked.unwrap_or_default();
    if view.status == Status::Failed.as_str() {
        let reason = view.error.unwrap_or_else(|| "declined".to_owned());
        finish(
            back,
            "Payment declined",
            &format!("The card {card} was declined: {reason}."),
        )
    } else {
        finish(
            back,
            "Payment accepted",
            &format!(
                "{} paid with the card {card} (transaction {}).",
                euros(view.amount_cents),
                view.tid
            ),
        )
    }
}

// ---- 3-D Secure --------------------------------------------------------------------

fn waiting_3ds(fake: &EasytransacFake, tid: &str) -> Option<(i64, String)> {
    let state = fake.lock();
    let txn = state.txns.get(tid)?;
    (txn.status == Status::Pending && txn.three_ds_deadline.is_some())
        .then(|| (txn.amount, txn.card_masked.clone().unwrap_or_default()))
}

fn three_ds_page(fake: &EasytransacFake, ctx: &Context<'_>, tid: &str) -> FakeResponse {
    let Some((amount, card)) = waiting_3ds(fake, tid) else {
        return gone("3-D Secure challenge");
    };
    let action = escape(&format!("{}/api/payment/3dsecure/{tid}", ctx.base_url()));
    let main = format!(
        "<p>Your bank asks you to confirm this payment.</p>{}\
         <form method=\"post\" action=\"{action}\" data-testid=\"three-ds-form\" \
         aria-label=\"3-D Secure confirmation\"><div class=\"actions\">\
         <button type=\"submit\" name=\"outcome\" value=\"pass\" \
         data-testid=\"three-ds-pass\">Confirm the payment</button>\
         <button type=\"submit\" name=\"outcome\" value=\"fail\" class=\"secondary\" \
         data-testid=\"three-ds-fail\">Fail authentication</button></div></form>",
        summary(&[("Amount", "amount", euros(amount)), ("Card", "card", card),]),
    );
    page(PROVIDER, "3-D Secure", "three-ds-page", &main)
}

fn three_ds_submit(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    tid: &str,
    outcome_field: &str,
) -> FakeResponse {
    if waiting_3ds(fake, tid).is_none() {
        return gone("3-D Secure challenge");
    }
    let result = match outcome_field {
        "pass" => fake.complete_3ds_return(ctx, tid),
        "fail" => fake.fail_3ds_return(ctx, tid),
        _ => {
            return error_page(PROVIDER, 400, "outcome: `pass` or `fail` is needed.");
        }
    };
    match result {
        Ok(back) => outcome(fake, tid, back),
        Err(err) => scenario_error(&err),
    }
}

// ---- The SEPA mandate ------------------------------------------------------------------

fn mandate_page(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    tid: &str,
    problem: Option<Problem<'_>>,
) -> FakeResponse {
    if fake.mandate_to_sign(tid).is_err() {
        return gone("mandate");
    }
    let Some(view) = fake.payment(tid) else {
        return gone("mandate");
    };
    let action = format!("{}/api/payment/sdd/mandate/{tid}", ctx.base_url());
    let main = format!(
        "{}<p>By signing this mandate you authorise the merchant to send instructions \
         to your bank to debit your account, and your bank to debit it accordingly. \
         You may ask your bank for a refund within eight weeks of a debit.</p>{}\
         <form method=\"post\" action=\"{action_attr}\" data-testid=\"mandate-form\" \
         aria-label=\"SEPA mandate\"><input type=\"hidden\" name=\"action\" value=\"sign\">\
         <label><input type=\"checkbox\" id=\"mandate-consent\" name=\"consent\" \
         value=\"yes\" required data-testid=\"mandate-consent\"{inv_consent}> \
         I authorise this SEPA Direct Debit mandate</label>\
         <div class=\"actions\"><button type=\"submit\" data-testid=\"sign-mandate\">\
         Sign the mandate</button></div></form><div class=\"actions\">{refuse}</div>",
        alert(problem),
        summary(&[
            ("Amount", "amount", euros(view.amount_cents)),
            ("Account", "iban", view.iban_masked.unwrap_or_default()),
            ("Transaction", "tid", view.tid.clone()),
        ]),
        action_attr = escape(&action),
        inv_consent = invalid_if(problem, "mandate-consent"),
        refuse = button_form(
            &action,
            "action",
            "refuse",
            "refuse-mandate",
            "Refuse and return to the merchant",
            "secondary"
        ),
    );
    let status = if problem.is_some() { 400 } else { 200 };
    FakeResponse::html(
        status,
        document(PROVIDER, "SEPA Direct Debit mandate", "mandate-page", &main),
    )
    .with_header("cache-control", "no-store")
}

fn mandate_submit(
    fake: &EasytransacFake,
    ctx: &Context<'_>,
    tid: &str,
    form: &dyn Fn(&str) -> String,
) -> FakeResponse {
    if fake.mandate_to_sign(tid).is_err() {
        return gone("mandate");
    }
    match form("action").as_str() {
        "sign" if form("consent") != "yes" => mandate_page(
            fake,
            ctx,
            tid,
            Some((
                "mandate-consent",
                "Consent: tick the box to authorise the mandate.",
            )),
        ),
        "sign" => match fake.sign_mandate_return(ctx, tid) {
            Ok(back) => finish(
                back,
                "Mandate signed",
                "You signed the mandate; the debit waits for your bank.",
            ),
            Err(err) => scenario_error(&err),
        },
        "refuse" => {
            match fake.reject_debit_return(ctx, tid, "Mandate signature refused by the customer") {
                Ok(back) => finish(
                    back,
                    "Mandate refused",
                    "You refused the mandate: no debit.",
                ),
                Err(err) => scenario_error(&err),
            }
        }
        _ => error_page(PROVIDER, 400, "action: `sign` or `refuse` is needed."),
    }
}

// ---- The bank's page (bank transfer) ---------------------------------------------------

fn waiting_bank(fake: &EasytransacFake, tid: &str) -> Option<i64> {
    let state = fake.lock();
    let txn = state.txns.get(tid)?;
    (txn.status == Status::Pending && txn.method == Method::ByBank).then_some(txn.amount)
}

fn bank_page(fake: &EasytransacFake, tid: &str) -> FakeResponse {
    let Some(amount) = waiting_bank(fake, tid) else {
        return gone("bank transfer");
    };
    let Some(url) = fake.payment(tid).and_then(|p| p.redirect_url) else {
        return gone("bank transfer");
    };
    // The form posts back to the page itself, on the fake.
    let path = url;
    let main = format!(
        "<p>Your bank asks you to approve a transfer.</p>{}<div class=\"actions\">{}{}</div>",
        summary(&[("Amount", "amount", euros(amount))]),
        button_form(
            &path,
            "action",
            "approve",
            "bank-approve",
            "Approve the transfer",
            ""
        ),
        button_form(
            &path,
            "action",
            "cancel",
            "bank-cancel",
            "Cancel and return to the merchant",
            "secondary"
        ),
    );
    page(PROVIDER, "Your bank", "bank-page", &main)
}

fn bank_submit(fake: &EasytransacFake, ctx: &Context<'_>, tid: &str, action: &str) -> FakeResponse {
    if waiting_bank(fake, tid).is_none() {
        return gone("bank transfer");
    }
    let result = match action {
        "approve" => fake.settle_debit_return(ctx, tid).map(|back| {
            (
                back,
                "Transfer approved",
                "Your bank approved the transfer.",
            )
        }),
        "cancel" => fake
            .reject_debit_return(ctx, tid, "Cancelled by the customer at the bank")
            .map(|back| (back, "Transfer cancelled", "You cancelled the transfer.")),
        _ => return error_page(PROVIDER, 400, "action: `approve` or `cancel` is needed."),
    };
    match result {
        Ok((back, title, message)) => finish(back, title, message),
        Err(err) => scenario_error(&err),
    }
}
