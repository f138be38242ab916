//! State transitions shared by the HTTP handlers and the scenario controls: what the
//! sandbox magic values decide, authorising, capturing, expiring and the clock-driven
//! subscription captures.

use crate::easypay::json;
use crate::easypay::notify::{self, Env};
use crate::easypay::state::{Authorisation, Capture, Kind, Split, State};

/// MB WAY phone the sandbox authorises (anchors.md §1.9).
pub const PHONE_AUTHORISED: &str = "911234567";
/// MB WAY phone whose payment fails.
pub const PHONE_FAILED: &str = "917654321";
/// MB WAY phone whose customer declines.
pub const PHONE_DECLINED: &str = "913456789";
/// MB WAY phone that stays pending until a scenario control decides.
pub const PHONE_PENDING: &str = "919876543";
/// The SEPA IBAN whose debits fail.
pub const FAILING_IBAN: &str = "PT50000201231234567890154";

/// What a customer, card scheme or bank decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Authorised,
    /// A processing failure (`payment_status: error`, INFERRED).
    Failed,
    /// Refused by the customer or issuer (`payment_status: failed`, INFERRED).
    Declined,
    Pending,
    ThreeDs,
}

/// The outcome an MB WAY phone number drives; unknown numbers wait (INFERRED).
pub(crate) fn phone_outcome(phone: Option<&str>) -> Outcome {
    match phone {
        Some(PHONE_AUTHORISED) => Outcome::Authorised,
        Some(PHONE_FAILED) => Outcome::Failed,
        Some(PHONE_DECLINED) => Outcome::Declined,
        _ => Outcome::Pending,
    }
}

/// The outcome a card number's prefix drives; other prefixes are declined (INFERRED).
pub(crate) fn card_outcome(prefix: &str) -> Outcome {
    if prefix.starts_with("0000") {
        Outcome::Authorised
    } else if prefix.starts_with("2222") {
        Outcome::ThreeDs
    } else if prefix.starts_with("1111") {
        Outcome::Failed
    } else {
        Outcome::Declined
    }
}

/// Whether a later charge on a stored method succeeds (card on file, mandate).
pub(crate) fn stored_method_succeeds(state: &State, payment_id: &str) -> bool {
    let Some(p) = state.payment(payment_id) else {
        return false;
    };
    match p.method.as_str() {
        "dd" => p.iban.as_deref().map(compact) != Some(FAILING_IBAN.to_owned()),
        "cc" => p.card_prefix.as_deref().is_some_and(|prefix| {
            card_outcome(prefix) != Outcome::Declined && card_outcome(prefix) != Outcome::Failed
        }),
        _ => p.method_status == "active",
    }
}

/// An IBAN without spaces, upper case.
pub(crate) fn compact(iban: &str) -> String {
    iban.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Applies the decision about a payment's method (MB WAY approval, card entry, 3-D
/// Secure result). Returns an error message when the payment is not waiting for one.
pub(crate) fn decide_payment(
    state: &mut State,
    env: &Env<'_>,
    payment_id: &str,
    outcome: Outcome,
) -> Result<(), String> {
    let Some(payment) = state.payment(payment_id).cloned() else {
        return Err("no payment found".to_owned());
    };
    let waiting = matches!(payment.method_status.as_str(), "pending" | "waiting");
    if !waiting {
        return Err(format!(
            "the {} is not waiting for the customer (method status {})",
            payment.kind.as_str(),
            payment.method_status
        ));
    }
    match payment.kind {
        Kind::Single => decide_single(state, env, payment_id, outcome),
        Kind::Frequent | Kind::Subscription => decide_method(state, env, payment_id, outcome),
    }
    Ok(())
}

fn decide_single(state: &mut State, env: &Env<'_>, payment_id: &str, outcome: Outcome) {
    let value = state.payment(payment_id).and_then(|p| p.value).unwrap_or(0);
    match outcome {
        Outcome::Pending => {}
        Outcome::ThreeDs => {
            let url = format!("{}/fake/3ds/{payment_id}", env.base_url);
            if let Some(p) = state.payment_mut(payment_id) {
                p.awaiting_3ds = true;
                p.method_status = "waiting".to_owned();
                p.url = Some(url);
            }
        }
        Outcome::Authorised => {
            let auth_id = state.next_id();
            let (key, descriptive, sale) = {
                let Some(p) = state.payment_mut(payment_id) else {
                    return;
                };
                p.awaiting_3ds = false;
                p.method_status = "active".to_owned();
                p.status = "authorised".to_owned();
                (
                    p.key.clone(),
                    p.capture_descriptive
                        .clone()
                        .or_else(|| p.descriptive.clone()),
                    !p.authorisation_only,
                )
            };
            state.authorisations.push(Authorisation {
                id: auth_id.clone(),
                payment_id: payment_id.to_owned(),
                value,
                captured: 0,
                status: "success".to_owned(),
                message: "Your request was successfully processed".to_owned(),
                key: key.clone(),
                descriptive: descriptive.clone(),
                created_at: env.now,
            });
            if let Some(p) = state.payment(payment_id) {
                notify::generic(
                    &state.config,
                    env,
                    payment_id,
                    key.as_deref(),
                    "authorisation",
                    true,
                    "Your request was successfully processed",
                );
                notify::authorisation(&state.config, env, p, &auth_id, value);
            }
            if sale {
                let capture_key = state
                    .payment(payment_id)
                    .and_then(|p| p.capture_key.clone());
                capture(
                    state,
                    env,
                    payment_id,
                    Some(auth_id),
                    value,
                    descriptive,
                    capture_key,
                    Vec::new(),
                    true,
                );
            }
        }
        Outcome::Failed | Outcome::Declined => {
            let (status, message) = if outcome == Outcome::Failed {
                ("error", "The payment failed")
            } else {
                ("failed", "The payment was declined")
            };
            let auth_id = state.next_id();
            let key = state.payment(payment_id).and_then(|p| p.key.clone());
            if let Some(p) = state.payment_mut(payment_id) {
                p.awaiting_3ds = false;
                p.method_status = "failed".to_owned();
                p.status = status.to_owned();
            }
            state.authorisations.push(Authorisation {
                id: auth_id,
                payment_id: payment_id.to_owned(),
                value,
                captured: 0,
                status: "failed".to_owned(),
                message: message.to_owned(),
                key: key.clone(),
                descriptive: None,
                created_at: env.now,
            });
            notify::generic(
                &state.config,
                env,
                payment_id,
                key.as_deref(),
                "authorisation",
                false,
                message,
            );
        }
    }
}

fn decide_method(state: &mut State, env: &Env<'_>, payment_id: &str, outcome: Outcome) {
    let Some(p) = state.payment_mut(payment_id) else {
        return;
    };
    let kind = p.kind;
    let key = p.key.clone();
    let event = if kind == Kind::Frequent {
        "frequent_create"
    } else {
        "subscription_create"
    };
    match outcome {
        Outcome::Pending => {}
        Outcome::ThreeDs => {
            p.awaiting_3ds = true;
            p.method_status = "waiting".to_owned();
            p.url = Some(format!("{}/fake/3ds/{payment_id}", env.base_url));
        }
        Outcome::Authorised => {
            p.awaiting_3ds = false;
            p.method_status = "active".to_owned();
            p.status = "active".to_owned();
            let capture_now = kind == Kind::Subscription && p.capture_now;
            notify::generic(
                &state.config,
                env,
                payment_id,
                key.as_deref(),
                event,
                true,
                "Your request was successfully processed",
            );
            if capture_now {
                subscription_capture(state, env, payment_id);
            }
        }
        Outcome::Failed | Outcome::Declined => {
            p.awaiting_3ds = false;
            p.method_status = "failed".to_owned();
            p.status = "failed".to_owned();
            notify::generic(
                &state.config,
                env,
                payment_id,
                key.as_deref(),
                event,
                false,
                "The payment method was refused",
            );
        }
    }
}

/// Records a capture of `value` on `payment_id` and sends its notifications. Returns
/// the capture id.
#[allow(clippy::too_many_arguments, reason = "one capture's facts, all needed")]
pub(crate) fn capture(
    state: &mut State,
    env: &Env<'_>,
    payment_id: &str,
    authorisation_id: Option<String>,
    value: i64,
    descriptive: Option<String>,
    transaction_key: Option<String>,
    splits: Vec<Split>,
    success: bool,
) -> String {
    let id = state.next_id();
    let Some(kind) = state.payment(payment_id).map(|p| p.kind) else {
        return id;
    };
    let capture = Capture {
        id: id.clone(),
        payment_id: payment_id.to_owned(),
        payment_kind: kind,
        authorisation_id: authorisation_id.clone(),
        value,
        refunded: 0,
        charged_back: 0,
        status: if success { "success" } else { "failed" }.to_owned(),
        descriptive,
        transaction_key: transaction_key.clone(),
        capture_date: json::date(env.now),
        splits,
        created_at: env.now,
    };
    if success {
        if let Some(auth) = authorisation_id
            .as_deref()
            .and_then(|auth_id| state.authorisation_mut(auth_id))
        {
            auth.captured += value;
        }
        if let Some(p) = state.payment_mut(payment_id) {
            if kind == Kind::Single {
                p.status = "paid".to_owned();
            }
            p.paid_at = Some(env.now);
        }
    }
    let (event, notify_id) = match kind {
        Kind::Single => ("capture", payment_id.to_owned()),
        Kind::Frequent => ("capture", id.clone()),
        Kind::Subscription => ("subscription_capture", payment_id.to_owned()),
    };
    notify::generic(
        &state.config,
        env,
        &notify_id,
        transaction_key.as_deref(),
        event,
        success,
        if success {
            "Your request was successfully processed"
        } else {
            "The capture failed"
        },
    );
    if let Some(p) = state.payment(payment_id).filter(|_| success) {
        notify::transaction(&state.config, env, p, &capture);
    }
    state.captures.push(capture);
    id
}

/// One scheduled capture of a subscription, succeeding if its stored method does.
pub(crate) fn subscription_capture(state: &mut State, env: &Env<'_>, payment_id: &str) {
    let Some(p) = state.payment(payment_id).cloned() else {
        return;
    };
    let success = stored_method_succeeds(state, payment_id);
    capture(
        state,
        env,
        payment_id,
        None,
        p.value.unwrap_or(0),
        p.capture_descriptive.clone(),
        p.capture_key.clone(),
        Vec::new(),
        success,
    );
    if let Some(p) = state.payment_mut(payment_id) {
        p.captures_done += 1;
    }
}

/// The next due time after `from` for a subscription frequency (`1D`, `2W`, `1M`, `1Y`…).
pub(crate) fn next_due(from: i64, frequency: &str) -> Option<i64> {
    let (count, unit) = frequency.split_at(frequency.len().checked_sub(1)?);
    let count: i64 = count.parse().ok()?;
    match unit {
        "D" => Some(from + count * 86_400),
        "W" => Some(from + count * 7 * 86_400),
        "M" => Some(json::add_months(from, count)),
        "Y" => Some(json::add_months(from, count * 12)),
        _ => None,
    }
}

/// Everything the clock decides: idempotency keys purged after 24 h, pending singles
/// expired at their `expiration_time`, subscription captures at their due dates.
pub(crate) fn run_due(state: &mut State, env: &Env<'_>) {
    state.idempotency.purge(env.now);
    let expired: Vec<String> = state
        .payments
        .iter()
        .filter(|p| p.kind == Kind::Single && p.status == "pending")
        .filter(|p| {
            p.expiration_time
                .as_deref()
                .and_then(json::parse_minute)
                .is_some_and(|at| at <= env.now)
        })
        .map(|p| p.id.clone())
        .collect();
    for id in expired {
        expire(state, env, &id);
    }
    let due: Vec<String> = state
        .payments
        .iter()
        .filter(|p| p.kind == Kind::Subscription && p.status == "active")
        .map(|p| p.id.clone())
        .collect();
    for id in due {
        while let Some(p) = state.payment(&id) {
            let Some(at) = p.next_due else { break };
            let within_count = p.max_captures.is_none_or(|max| p.captures_done < max);
            let within_time = p.expires_at.is_none_or(|end| at <= end);
            if at > env.now || !within_count || !within_time {
                break;
            }
            let next = p.frequency.as_deref().and_then(|f| next_due(at, f));
            // A charge caught up late happened at its due time: its capture date and its
            // notification's `date` say so (two charges never share a `date`).
            let at_due = Env {
                now: at,
                account: env.account,
                base_url: env.base_url,
                webhooks: env.webhooks,
                basic: env.basic,
            };
            subscription_capture(state, &at_due, &id);
            if let Some(p) = state.payment_mut(&id) {
                p.next_due = next;
            }
        }
    }
}

/// Expires a pending payment: the reference or request is closed (`payment_status:
/// failed`, `method.status: deleted`, INFERRED).
pub(crate) fn expire(state: &mut State, env: &Env<'_>, payment_id: &str) {
    let Some(p) = state.payment_mut(payment_id) else {
        return;
    };
    p.status = "failed".to_owned();
    p.method_status = "deleted".to_owned();
    let key = p.key.clone();
    notify::generic(
        &state.config,
        env,
        payment_id,
        key.as_deref(),
        "authorisation",
        false,
        "The payment expired",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_values_decide() {
        assert_eq!(phone_outcome(Some(PHONE_AUTHORISED)), Outcome::Authorised);
        assert_eq!(phone_outcome(Some(PHONE_FAILED)), Outcome::Failed);
        assert_eq!(phone_outcome(Some(PHONE_DECLINED)), Outcome::Declined);
        assert_eq!(phone_outcome(Some(PHONE_PENDING)), Outcome::Pending);
        assert_eq!(card_outcome("0000111122223333"), Outcome::Authorised);
        assert_eq!(card_outcome("2222333344445555"), Outcome::ThreeDs);
        assert_eq!(card_outcome("1111222233334444"), Outcome::Failed);
        assert_eq!(card_outcome("1234567812345678"), Outcome::Declined);
    }

    #[test]
    fn frequencies_step_by_calendar() {
        let start = json::parse_minute("2024-01-31 10:00").expect("valid");
        assert_eq!(
            next_due(start, "1D").map(json::minute).as_deref(),
            Some("2024-02-01 10:00")
        );
        assert_eq!(
            next_due(start, "2W").map(json::minute).as_deref(),
            Some("2024-02-14 10:00")
        );
        assert_eq!(
            next_due(start, "1M").map(json::minute).as_deref(),
            Some("2024-02-29 10:00")
        );
        assert_eq!(
            next_due(start, "1Y").map(json::minute).as_deref(),
            Some("2025-01-31 10:00")
        );
        assert_eq!(next_due(start, "X"), None);
    }
}
