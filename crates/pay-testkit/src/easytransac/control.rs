//! Scenario controls over HTTP, under `/_testkit/…`, so that a client in any language can
//! drive whole lifecycles against `pay-testkit serve --provider easytransac`: what a
//! browser, a bank or time would do. Not an Easytransac API; the paths cannot collide
//! with `/api/…` or `/v2/…`.
//!
//! Every control is a `POST` with its parameters in the query string or a form body, and
//! answers JSON: `{"ok":true,…}`, or `{"ok":false,"error":"…"}` with 404 (unknown
//! transaction or page, unknown control), 409 (wrong state) or 400 (bad parameter).
//!
//! | path | parameters | does |
//! |---|---|---|
//! | `/_testkit/pay-page` | `request_id` | pays a payment page; answers its new `tid` |
//! | `/_testkit/fail-page` | `request_id` | declines a page payment; answers its `tid` |
//! | `/_testkit/abandon-page` | `request_id` | the customer leaves the page |
//! | `/_testkit/complete-3ds` | `tid` | finishes a 3-D Secure challenge |
//! | `/_testkit/fail-3ds` | `tid` | fails a 3-D Secure challenge |
//! | `/_testkit/settle-debit` | `tid` | settles a SEPA debit or bank transfer |
//! | `/_testkit/reject-debit` | `tid` | rejects it |
//! | `/_testkit/sign-mandate` | `tid` | the customer signs a V1 debit's SEPA mandate |
//! | `/_testkit/run-schedules` | | charges every schedule due by the clock |
//! | `/_testkit/advance-clock` | `seconds` | moves the fake's clock forward, then runs due schedules |

use std::time::Duration;

use serde_json::json;

use super::{EasytransacFake, ScenarioError};
use crate::provider::{Context, FakeRequest, FakeResponse};

fn param(request: &FakeRequest, name: &str) -> Option<String> {
    request
        .query_param(name)
        .or_else(|| request.form_field(name))
        .filter(|v| !v.is_empty())
}

fn refuse(status: u16, error: &str) -> FakeResponse {
    FakeResponse::json(status, json!({"ok": false, "error": error}).to_string())
}

fn scenario(result: Result<serde_json::Value, ScenarioError>) -> FakeResponse {
    match result {
        Ok(mut value) => {
            value["ok"] = json!(true);
            FakeResponse::json(200, value.to_string())
        }
        Err(err @ ScenarioError::WrongState { .. }) => refuse(409, &err.to_string()),
        Err(err) => refuse(404, &err.to_string()),
    }
}

/// Answers one control request (`rest` is the path after `/_testkit/`).
pub(crate) fn handle(
    fake: &EasytransacFake,
    rest: &str,
    request: &FakeRequest,
    ctx: &Context<'_>,
) -> FakeResponse {
    if request.method() != "POST" {
        return refuse(405, "scenario controls are POST requests");
    }
    let needs = |name: &str| {
        param(request, name).ok_or_else(|| refuse(400, &format!("`{name}` is required")))
    };
    let answer = match rest {
        "pay-page" | "fail-page" | "abandon-page" => {
            let id = match needs("request_id") {
                Ok(id) => id,
                Err(answer) => return answer,
            };
            match rest {
                "pay-page" => fake.pay_page(ctx, &id).map(|tid| json!({"tid": tid})),
                "fail-page" => fake.fail_page(ctx, &id).map(|tid| json!({"tid": tid})),
                _ => fake.abandon_page(ctx, &id).map(|()| json!({})),
            }
        }
        "complete-3ds" | "fail-3ds" | "settle-debit" | "reject-debit" | "sign-mandate" => {
            let tid = match needs("tid") {
                Ok(tid) => tid,
                Err(answer) => return answer,
            };
            match rest {
                "complete-3ds" => fake.complete_3ds(ctx, &tid),
                "fail-3ds" => fake.fail_3ds(ctx, &tid),
                "settle-debit" => fake.settle_debit(ctx, &tid),
                "sign-mandate" => fake.sign_mandate(ctx, &tid),
                _ => fake.reject_debit(ctx, &tid),
            }
            .map(|()| json!({"tid": tid}))
        }
        "run-schedules" => Ok(json!({"charged": fake.run_due_schedules(ctx)})),
        "advance-clock" => {
            let Some(clock) = fake.config.control_clock.as_ref() else {
                return refuse(409, "this fake was started without a controllable clock");
            };
            let seconds = match needs("seconds").map(|s| s.parse::<u64>()) {
                Ok(Ok(seconds)) => seconds,
                Ok(Err(_)) => return refuse(400, "`seconds` must be a whole number"),
                Err(answer) => return answer,
            };
            clock.advance(Duration::from_secs(seconds));
            Ok(json!({
                "now": pay_core::unix_seconds(ctx.now()),
                "charged": fake.run_due_schedules(ctx),
            }))
        }
        _ => return refuse(404, "no such scenario control"),
    };
    scenario(answer)
}
