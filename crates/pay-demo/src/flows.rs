//! What both providers' flows share: the checks, error wording, and how the fakes'
//! request logs and the endpoint's log are read.

use std::time::Duration;

use pay::testkit::{Notification, RecordedRequest, Webhooks};
use pay::{Currency, MerchantReference, Money, NextAction, PayError, PaymentInstructions};

use crate::receiver::{Endpoint, Handled};

/// `Err(problem())` unless `ok`.
pub(crate) fn check(ok: bool, problem: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(problem()) }
}

/// Turns an SDK error into a step failure naming the call.
pub(crate) fn failed(call: &'static str) -> impl Fn(PayError) -> String {
    move |err| format!("{call} failed: {err}")
}

/// What the customer is asked to do next, in words.
pub(crate) fn describe_next_action(action: &NextAction) -> String {
    match action {
        NextAction::None => "nothing for the customer to do".to_owned(),
        NextAction::Redirect { url, purpose } => {
            format!("redirect the customer ({purpose:?}) to {}", url.as_str())
        }
        NextAction::CardForm { url } => format!("show the card form at {}", url.as_str()),
        NextAction::ClientSession { checkout_id, .. } => {
            format!("open checkout session {checkout_id} in the browser")
        }
        NextAction::AwaitApproval { channel, .. } => {
            format!("wait for the customer to approve ({channel:?})")
        }
        NextAction::PayByReference { instructions, .. } => match instructions {
            PaymentInstructions::Multibanco { entity, reference } => {
                format!("pay at an ATM: entity {entity}, reference {reference}")
            }
            PaymentInstructions::VirtualIban { iban } => format!("transfer to {iban}"),
            _ => "pay by reference".to_owned(),
        },
        _ => "another step".to_owned(),
    }
}

/// One line per request the fake received: method, path, the operation it matched,
/// and the start of the body as the server logged it (secrets redacted).
pub(crate) fn lines_of(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let body: String = r.body().chars().take(160).collect();
            let more = if r.body().chars().count() > 160 {
                "…"
            } else {
                ""
            };
            format!(
                "{} {} [{}] {body}{more}",
                r.method(),
                r.path(),
                r.operation().unwrap_or("unknown route")
            )
        })
        .collect()
}

/// What the endpoint handled for `provider` since it had `before` entries.
pub(crate) fn received_since(endpoint: &Endpoint, before: usize, provider: &str) -> Vec<Handled> {
    endpoint
        .log()
        .into_iter()
        .skip(before)
        .filter(|r| r.provider == provider)
        .map(|r| r.handled)
        .collect()
}

/// Sends a notification the provider did not sign to the merchant's endpoint, through
/// the fake's outbox; returns the status the endpoint answered.
pub(crate) async fn deliver_forged(
    webhooks: &Webhooks,
    forged: Notification,
) -> Result<u16, String> {
    let id = webhooks.push(forged);
    let deliveries = webhooks.deliver_now().await;
    let delivery = deliveries
        .iter()
        .find(|d| d.id() == id)
        .ok_or("the forged notification was not delivered")?;
    delivery
        .outcome()
        .status()
        .ok_or_else(|| format!("no answer: {:?}", delivery.outcome()))
}

/// Delivers every due notification to the merchant's endpoint; all must be accepted.
pub(crate) async fn deliver_all(webhooks: &Webhooks) -> Result<usize, String> {
    let deliveries = webhooks.deliver_now().await;
    for delivery in &deliveries {
        if !delivery.outcome().is_delivered() {
            return Err(format!(
                "a notification was not accepted: {:?}",
                delivery.outcome()
            ));
        }
    }
    Ok(deliveries.len())
}

/// How long `--interactive` waits for the person to finish a page.
const BROWSER_PATIENCE: Duration = Duration::from_secs(15 * 60);

/// How `--interactive` talks to the person at the terminal: `main` gives a function
/// writing a line to standard error (so `--json` output stays one document).
pub(crate) type Prompt = fn(&str);

/// `--interactive`: asks the person, through `prompt`, to open `url` in a browser and
/// `what`, then polls `done` (the fake's state) every 200 ms until it answers, for up to
/// 15 minutes.
pub(crate) async fn wait_for_browser(
    prompt: Prompt,
    what: &str,
    url: &str,
    mut done: impl FnMut() -> Option<String>,
) -> Result<String, String> {
    prompt(&format!(
        "\n  >> open {url} in a browser and {what}; waiting for you (Ctrl-C to stop)"
    ));
    let poll = Duration::from_millis(200);
    let mut waited = Duration::ZERO;
    while waited < BROWSER_PATIENCE {
        if let Some(seen) = done() {
            prompt(&format!("  >> done in the browser: {seen}"));
            return Ok(seen);
        }
        tokio::time::sleep(poll).await;
        waited += poll;
    }
    Err(format!(
        "nobody finished the page at {url} within 15 minutes"
    ))
}

/// Euros from cents.
pub(crate) fn eur(minor: i64) -> Result<Money, String> {
    Money::from_minor(minor, Currency::EUR).map_err(|e| e.to_string())
}

/// A merchant reference.
pub(crate) fn reference(text: &str) -> Result<MerchantReference, String> {
    MerchantReference::new(text).map_err(|e| e.to_string())
}
