//! `pay serve`: pay-testkit's fakes on 127.0.0.1, every notification they emit forwarded
//! to the developer's app, and a live log of requests and deliveries (the server's request
//! log, already redacted: credentials, signatures, card numbers and IBANs never shown).
//!
//! Notifications are delivered as they fall due on the fakes' clock (every 100 ms this
//! loop delivers what is due and logs it). A delivery the app refuses is retried on the
//! provider's schedule, by the same clock: the Easytransac fake's scenario controls
//! advance it (`POST /_testkit/…`, see `pay_testkit::easytransac`).

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use pay::testkit::easypay::{EasypayConfig, EasypayFake};
use pay::testkit::easytransac::{EasytransacConfig, EasytransacFake};
use pay::testkit::{DeliveryOutcome, FakeProvider, FakeServer, NotificationId};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::Provider;

/// What `pay serve` runs.
pub(crate) struct ServeInput {
    /// The fakes to serve.
    pub(crate) providers: Vec<Provider>,
    /// The port, when one provider is served.
    pub(crate) port: u16,
    /// Where notifications go.
    pub(crate) forward_to: Option<String>,
    /// Easytransac's API key (signs answers and notifications).
    pub(crate) easytransac_key: SecretString,
    /// Easypay's `AccountId` and `ApiKey` the fake accepts.
    pub(crate) easypay_account: Option<(String, SecretString)>,
    /// Easypay's notification credentials.
    pub(crate) easypay_basic: (String, SecretString),
    /// Whether a notification user or password was given (else the test ones, printed).
    pub(crate) easypay_basic_given: bool,
    /// Show headers and bodies (redacted).
    pub(crate) verbose: bool,
    /// JSON lines instead of text.
    pub(crate) json: bool,
}

fn fake(
    provider: Provider,
    input: &ServeInput,
    clock: &pay::ManualClock,
) -> Result<Box<dyn FakeProvider>, String> {
    match provider {
        Provider::Easytransac => {
            let mut config =
                EasytransacConfig::new(input.easytransac_key.clone()).control_clock(clock.clone());
            if let Some(url) = &input.forward_to {
                config = config.notification_url(url.clone());
            }
            Ok(Box::new(EasytransacFake::new(config)))
        }
        Provider::Easypay => {
            let mut config = match &input.easypay_account {
                Some((account, key)) => EasypayConfig::new(account, key.expose_secret())
                    .with_out_payment_key(pay::testkit::easypay::TEST_OUT_PAYMENT_PUBLIC_KEY)
                    .map_err(|e| format!("the out-payment test key: {e}"))?,
                None => EasypayConfig::for_serving(None, None)
                    .map_err(|e| format!("the out-payment test key: {e}"))?,
            };
            if let Some(url) = &input.forward_to {
                config = config
                    .with_generic_url(url.clone())
                    .with_authorisation_url(url.clone())
                    .with_transaction_url(url.clone());
            }
            let (user, password) = &input.easypay_basic;
            config = config.with_notification_credentials(user, password.expose_secret());
            Ok(Box::new(EasypayFake::new(config)))
        }
    }
}

struct Served {
    provider: Provider,
    server: FakeServer<Box<dyn FakeProvider>>,
    seen_requests: usize,
    seen_deliveries: usize,
    summaries: BTreeMap<NotificationId, String>,
}

/// Serves until Ctrl-C (or `stop` resolves), writing the log to `out`.
///
/// # Errors
/// A fake cannot be made or a port cannot be bound.
pub(crate) async fn run(
    input: ServeInput,
    out: &mut (dyn Write + Send),
    stop: impl Future<Output = ()>,
) -> Result<(), String> {
    let clock = pay::ManualClock::new(std::time::SystemTime::now());
    let mut served = Vec::new();
    for &provider in &input.providers {
        let fake = fake(provider, &input, &clock)?;
        let server = FakeServer::builder()
            .port(input.port)
            .clock(clock.clone())
            .start(fake)
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", input.port))?;
        let base = match provider {
            Provider::Easytransac => server.base_url().to_owned(),
            Provider::Easypay => server.url(pay::testkit::easypay::BASE_PATH),
        };
        let accepts = accepts(provider, &input);
        if input.json {
            line(
                out,
                &json!({"event": "listening", "provider": provider.as_str(), "base_url": base,
                        "forward_to": input.forward_to, "accepts": accepts.json}),
            );
        } else {
            text(out, &format!("{:<12} {base}", provider.as_str()));
            for words in &accepts.text {
                text(out, &format!("{:<12} {words}", ""));
            }
            text(
                out,
                &format!(
                    "{:<12} to call it: PAY_BASE_URL={base}, or pay call --base-url {base}",
                    ""
                ),
            );
        }
        served.push(Served {
            provider,
            server,
            seen_requests: 0,
            seen_deliveries: 0,
            summaries: BTreeMap::new(),
        });
    }
    if !input.json {
        match &input.forward_to {
            Some(url) => text(out, &format!("notifications → {url}")),
            None => text(
                out,
                "notifications: none sent (give --forward-to URL to receive them)",
            ),
        }
        text(out, "Ctrl-C to stop");
    }
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = ticks.tick() => {
                for s in &mut served {
                    log_new(s, &input, out);
                    // Delivered here rather than in the background, so each delivery is
                    // logged with what it carried.
                    s.server.webhooks().deliver_due().await;
                    log_new(s, &input, out);
                }
            }
        }
    }
    for s in &mut served {
        log_new(s, &input, out);
    }
    for s in served {
        if let Err(problems) = s.server.shutdown().await {
            return Err(problems.to_string());
        }
    }
    Ok(())
}

/// What a fake accepts, for its listening line: the public test values when the fake
/// uses them, printed so the developer can set them; the names of the variables when
/// they were given (their values are the developer's, never printed).
struct Accepts {
    text: Vec<String>,
    json: serde_json::Value,
}

fn accepts(provider: Provider, input: &ServeInput) -> Accepts {
    let (user, password) = &input.easypay_basic;
    match provider {
        Provider::Easytransac => {
            let test_key = pay::testkit::easytransac::TEST_API_KEY;
            if input.easytransac_key.expose_secret() == test_key {
                Accepts {
                    text: vec![format!(
                        "accepts pay-testkit's test API key (a public test value): \
                         EASYTRANSAC_API_KEY={test_key}; notifications are signed with it"
                    )],
                    json: json!({"api_key": test_key, "given": false}),
                }
            } else {
                Accepts {
                    text: vec![
                        "accepts the API key given (EASYTRANSAC_API_KEY or --key); \
                         notifications are signed with it"
                            .to_owned(),
                    ],
                    json: json!({"api_key": "as given", "given": true}),
                }
            }
        }
        Provider::Easypay => {
            let mut text = Vec::new();
            let mut value = if input.easypay_account.is_some() {
                text.push(
                    "accepts EASYPAY_ACCOUNT_ID and EASYPAY_API_KEY as given (in this environment)"
                        .to_owned(),
                );
                json!({"account_id": "as given", "api_key": "as given", "given": true})
            } else {
                let account = pay::testkit::easypay::SANDBOX_ACCOUNT_ID;
                let key = pay::testkit::easypay::SANDBOX_API_KEY;
                text.push(format!(
                    "accepts Easypay's public sandbox credentials: \
                     EASYPAY_ACCOUNT_ID={account} EASYPAY_API_KEY={key}"
                ));
                json!({"account_id": account, "api_key": key, "given": false})
            };
            if input.easypay_basic_given {
                text.push(
                    "notifications carry the Basic credentials given \
                     (EASYPAY_NOTIFICATION_USER, EASYPAY_NOTIFICATION_PASSWORD)"
                        .to_owned(),
                );
                value["notification_credentials"] = json!("as given");
            } else {
                text.push(format!(
                    "notifications carry pay-testkit's test Basic credentials: \
                     EASYPAY_NOTIFICATION_USER={user} EASYPAY_NOTIFICATION_PASSWORD={}",
                    password.expose_secret()
                ));
                value["notification_user"] = json!(user);
                value["notification_password"] = json!(password.expose_secret());
            }
            Accepts { text, json: value }
        }
    }
}

fn log_new(s: &mut Served, input: &ServeInput, out: &mut (dyn Write + Send)) {
    let name = s.provider.as_str();
    let requests = s.server.requests();
    for r in requests.iter().skip(s.seen_requests) {
        let query = r.query().map(|q| format!("?{q}")).unwrap_or_default();
        let operation = r.operation().unwrap_or("-");
        if input.json {
            let mut entry = json!({"event": "request", "provider": name, "method": r.method(),
                                   "path": format!("{}{query}", r.path()), "operation": operation});
            if input.verbose {
                entry["headers"] = json!(r.headers());
                entry["body"] = json!(r.body());
            }
            line(out, &entry);
        } else {
            text(
                out,
                &format!(
                    "{name:<12} → {} {}{query}  {operation}",
                    r.method(),
                    r.path()
                ),
            );
            if input.verbose {
                for (k, v) in r.headers() {
                    text(out, &format!("{:<14} {k}: {v}", ""));
                }
                if !r.body().is_empty() {
                    text(out, &format!("{:<14} {}", "", r.body()));
                }
            }
        }
    }
    s.seen_requests = requests.len();
    for pending in s.server.webhooks().pending() {
        s.summaries
            .entry(pending.id())
            .or_insert_with(|| summary(s.provider, pending.notification().body()));
    }
    let log = s.server.webhooks().log();
    for delivery in log.iter().skip(s.seen_deliveries) {
        let about = s.summaries.get(&delivery.id()).cloned().unwrap_or_default();
        let (status, outcome) = match delivery.outcome() {
            DeliveryOutcome::Delivered { status } => (Some(*status), "delivered".to_owned()),
            DeliveryOutcome::Rejected { status } => {
                (Some(*status), "refused by the app".to_owned())
            }
            DeliveryOutcome::Failed { reason } => (None, format!("failed: {reason}")),
            DeliveryOutcome::Refused { reason } => (None, format!("not sent: {reason}")),
            _ => (None, "unknown".to_owned()),
        };
        if input.json {
            line(
                out,
                &json!({"event": "notification", "provider": name, "id": delivery.id().get(),
                        "attempt": delivery.attempt(), "url": delivery.url(), "status": status,
                        "outcome": outcome, "about": about}),
            );
        } else {
            let status = status.map(|s| s.to_string()).unwrap_or_default();
            text(
                out,
                &format!(
                    "{name:<12} ⇢ notification {} ({about}) → {}: {status} {outcome} (attempt {})",
                    delivery.id(),
                    delivery.url(),
                    delivery.attempt()
                ),
            );
        }
    }
    s.seen_deliveries = log.len();
}

/// A few identifying fields of a notification body (never a secret).
fn summary(provider: Provider, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match provider {
        Provider::Easytransac => {
            let pairs = pay::testkit::form::decode(&text);
            ["Tid", "Status", "OperationType", "Amount"]
                .iter()
                .filter_map(|name| {
                    pairs
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(k, v)| format!("{k}={v}"))
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
        Provider::Easypay => {
            #[derive(serde::Deserialize)]
            struct Probe {
                id: Option<String>,
                r#type: Option<String>,
                status: Option<String>,
                transaction: Option<Box<serde_json::value::RawValue>>,
                authorisation: Option<Box<serde_json::value::RawValue>>,
            }
            match serde_json::from_str::<Probe>(&text) {
                Ok(p) if p.transaction.is_some() => {
                    format!("transaction id={}", p.id.unwrap_or_default())
                }
                Ok(p) if p.authorisation.is_some() => {
                    format!("authorisation id={}", p.id.unwrap_or_default())
                }
                Ok(p) => format!(
                    "generic type={} status={} id={}",
                    p.r#type.unwrap_or_default(),
                    p.status.unwrap_or_default(),
                    p.id.unwrap_or_default()
                ),
                Err(_) => String::new(),
            }
        }
    }
}

fn text(out: &mut (dyn Write + Send), line: &str) {
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn line(out: &mut (dyn Write + Send), value: &serde_json::Value) {
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}
