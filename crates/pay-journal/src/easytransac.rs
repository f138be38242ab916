//! Recovery through Easytransac's reads (feature `easytransac`): a transaction's status by
//! `Tid` (`/api/payment/status`), a page's by `RequestId`.
//!
//! | write | decides by |
//! | --- | --- |
//! | `v1_payment_capture` | `captured`/`refunded`: applied (unless a succeeded capture of the same `Tid` accounts for it); `authorized`: not applied; `failed`: not applied (a captured transaction never becomes `failed`) |
//! | `v1_payment_cancel` | `failed`: applied (the pre-authorisation is released); `authorized`, `captured`, `refunded`: not applied; a schedule's transaction: a person (stopping a schedule shows in no status) |
//! | `v1_payment_refund` | `AmountRefund` against the journal's succeeded refunds of the same `Tid` ([`refund_by_total`]) |
//! | `v1_payment_cancelpage` | the page's status: ended (`failed`): applied; `pending` or paid: not applied |
//!
//! Payment creations (`direct`, `oneclick`, `sdd_init`, `bybank`, `page`, V2 debits and
//! bank payments) are found by `OrderId` in `recover.rs`.

use pay_core::{CallOptions, CheckoutId, Checkouts, ErrorKind, PayError, PaymentStatus};
use pay_easytransac::EasytransacClient;
use pay_easytransac::wire::{self, TransactionStatus, YesNo};

use crate::decide::{Verdict, form_field, refund_by_total};
use crate::entry::{Entry, State};
use crate::store::Journal;

fn unreachable(err: &PayError) -> Verdict {
    Verdict::Unreachable(err.to_string())
}

/// The other entries of the same operation naming the same `Tid`.
async fn siblings_on_tid(
    journal: &Journal,
    entry: &Entry,
    tid: &str,
) -> Result<Vec<Entry>, PayError> {
    Ok(journal
        .entries_of(&entry.provider, &entry.operation)
        .await?
        .into_iter()
        .filter(|e| e.id != entry.id && form_field(e, "Tid").as_deref() == Some(tid))
        .collect())
}

/// What Easytransac shows of an open Easytransac write. `Err` only when the journal cannot
/// be read.
pub(crate) async fn decide(
    client: &EasytransacClient,
    journal: &Journal,
    entry: &Entry,
) -> Result<Verdict, PayError> {
    let operation = entry.operation.as_str();
    match operation {
        "v1_payment_capture" | "v1_payment_cancel" | "v1_payment_refund" => {}
        "v1_payment_cancelpage" => return Ok(cancel_page(client, entry).await),
        "v1_payment_resendpage" => {
            return Ok(Verdict::NeedsHuman(
                "resending a page only e-mails its link again, which no read shows; sending it \
                 again is harmless"
                    .to_owned(),
            ));
        }
        "v2_sdd_mandate_create" => {
            return Ok(Verdict::NeedsHuman(
                "Easytransac finds a mandate only by the id the lost answer carried: check the \
                 debtor's mandates before creating another"
                    .to_owned(),
            ));
        }
        other => {
            return Ok(Verdict::NeedsHuman(format!(
                "Easytransac offers no read that shows whether `{other}` took effect"
            )));
        }
    }
    let Some(tid) = form_field(entry, "Tid") else {
        return Ok(Verdict::NeedsHuman("the request named no `Tid`".to_owned()));
    };
    let request = wire::V1StatusRequest {
        tid: Some(tid.clone()),
        ..Default::default()
    };
    let done = match client
        .payments()
        .status(&request, &CallOptions::new())
        .await
    {
        Ok(done) => done,
        Err(err) if matches!(err.kind(), ErrorKind::NotFound) => {
            return Ok(Verdict::NotApplied(format!(
                "Easytransac has no transaction {tid}: a write on it cannot have taken effect"
            )));
        }
        Err(err) => return Ok(unreachable(&err)),
    };
    let siblings = siblings_on_tid(journal, entry, &tid).await?;
    let status = done.status.as_str().to_owned();
    let effect = |found: String| Verdict::Effect {
        resource: "transaction".to_owned(),
        id: Some(tid.clone()),
        status: status.clone(),
        found,
    };
    Ok(match operation {
        "v1_payment_capture" => match &done.status {
            TransactionStatus::Captured | TransactionStatus::Refunded => {
                match siblings.iter().find(|s| s.state == State::Succeeded) {
                    Some(other) => Verdict::NotApplied(format!(
                        "{tid} is `{status}`, which entry #{}'s capture accounts for: a second \
                         capture is refused",
                        other.id
                    )),
                    None => effect(format!("{tid} is `{status}`: captured")),
                }
            }
            TransactionStatus::Authorized => Verdict::NotApplied(format!(
                "{tid} is still `authorized`: a capture would have made it `captured`"
            )),
            TransactionStatus::Failed => Verdict::NotApplied(format!(
                "{tid} is `failed`: a captured transaction never becomes `failed`"
            )),
            _ => Verdict::NeedsHuman(format!(
                "{tid} is `{status}`: a capture's effect cannot be read"
            )),
        },
        "v1_payment_cancel" => {
            let scheduled = done.rebill == Some(YesNo::YES)
                || done.multiple_payments == Some(YesNo::YES)
                || done.original_payment_tid.is_some();
            match &done.status {
                _ if scheduled => Verdict::NeedsHuman(format!(
                    "{tid} belongs to a schedule: stopping a schedule shows in no status read; \
                     check that no later charge of it came"
                )),
                TransactionStatus::Failed => effect(format!(
                    "{tid} is `failed`: the pre-authorisation is released"
                )),
                TransactionStatus::Authorized => Verdict::NotApplied(format!(
                    "{tid} is still `authorized`: a cancellation would have made it `failed`"
                )),
                TransactionStatus::Captured | TransactionStatus::Refunded => Verdict::NotApplied(
                    format!("{tid} is `{status}`: a cancelled pre-authorisation is never captured"),
                ),
                _ => Verdict::NeedsHuman(format!(
                    "{tid} is `{status}`: a cancellation's effect cannot be read"
                )),
            }
        }
        _ => {
            let currency = entry.amount.map_or(client.currency(), |m| m.currency());
            let refunded = match done.amount_refund.as_ref().map(|a| a.to_money(currency)) {
                None => pay_core::Money::zero(currency),
                Some(parsed) => parsed,
            };
            match refunded {
                Ok(refunded) => refund_by_total(
                    entry,
                    &siblings,
                    refunded,
                    done.status == TransactionStatus::Refunded,
                    &tid,
                ),
                Err(err) => {
                    Verdict::NeedsHuman(format!("{tid}'s `AmountRefund` is unreadable: {err}"))
                }
            }
        }
    })
}

/// A page cancellation: the page's status by `RequestId`.
async fn cancel_page(client: &EasytransacClient, entry: &Entry) -> Verdict {
    let Some(request_id) = form_field(entry, "RequestId") else {
        return Verdict::NeedsHuman("the request named no `RequestId`".to_owned());
    };
    let Ok(id) = CheckoutId::new(request_id.clone()) else {
        return Verdict::NeedsHuman(format!("`{request_id}` is not a page id"));
    };
    match client.get_checkout(&id, &CallOptions::new()).await {
        Ok(page) => match page.status {
            PaymentStatus::Failed | PaymentStatus::Canceled | PaymentStatus::Expired => {
                Verdict::Effect {
                    resource: "page".to_owned(),
                    id: Some(request_id.clone()),
                    status: page.provider_status.clone(),
                    found: format!("page {request_id} is `{}`: ended", page.provider_status),
                }
            }
            PaymentStatus::Pending | PaymentStatus::RequiresAction => Verdict::NotApplied(format!(
                "page {request_id} is still `{}`: a cancellation would have ended it",
                page.provider_status
            )),
            PaymentStatus::Captured | PaymentStatus::Authorized => Verdict::NotApplied(format!(
                "page {request_id} was paid (`{}`): a paid page cannot be cancelled",
                page.provider_status
            )),
            _ => Verdict::NeedsHuman(format!(
                "page {request_id} is `{}`: a cancellation's effect cannot be read",
                page.provider_status
            )),
        },
        Err(err) if matches!(err.kind(), ErrorKind::NotFound) => Verdict::NotApplied(format!(
            "Easytransac has no page {request_id}: a cancellation of it cannot have taken effect"
        )),
        Err(err) => unreachable(&err),
    }
}
