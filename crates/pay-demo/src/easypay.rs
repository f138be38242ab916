//! Easypay's flows against pay-testkit's fake: MB WAY with its notifications (one of them
//! delivered twice), capture and refund; Multibanco; an out-payment signed with RSA; and
//! the safety nets (validation, a lost answer retried under the same idempotency key, a
//! notification with the wrong credentials).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use pay::easypay::{AccountId, ApiKey, EasypayClient, NotificationAuth};
use pay::testkit::easypay::{
    EasypayConfig, EasypayFake, PHONE_PENDING, TEST_OUT_PAYMENT_PUBLIC_KEY, mbway_page_url,
};
use pay::testkit::{Context, FakeServer, Fault, Notification, ResourceKind, RetrySchedule, Route};
use pay::{
    CallOptions, Capture, CaptureRequest, CreatePayment, CreatePayout, Currency, Email, ErrorKind,
    Iban, ManualClock, Money, NextAction, PaymentMethod, PaymentStatus, Payments, Payouts, Phone,
    RefundRequest, Refunds, RetryPolicy,
};
use secrecy::SecretString;

use crate::flows::{
    Prompt, check, deliver_all, deliver_forged, describe_next_action, eur, failed, lines_of,
    received_since, reference, wait_for_browser,
};
use crate::receiver::{Endpoint, Handled};
use crate::report::{Flow, Recorder, Stop};

/// The provider's name in the demo's output and the endpoint's path.
pub(crate) const NAME: &str = "easypay";

/// The demo merchant's credentials at the fake.
const ACCOUNT_ID: &str = "0d4c8a3e-demo-4a6f-9d1e-merchant0001";
const API_KEY: &str = "demo-api-key-7f3b";
const HOOK_USER: &str = "demo-hooks";
const HOOK_PASSWORD: &str = "demo-hook-password";

/// The documented *test* RSA key (`fixtures/easypay/keys`), whose public half the fake
/// verifies out-payments with. Never a production key.
const TEST_OUT_PAYMENT_PRIVATE_KEY: &str =
    include_str!("../../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem");

/// Every step, by flow, in order.
pub(crate) const FLOWS: &[(&str, &[&str])] = &[
    (
        "MB WAY",
        &[
            "ask 19.99 EUR by MB WAY, authorise only",
            "the customer approves in the MB WAY app",
            "notifications arrive: verified, read back, duplicate ignored",
            "the read-back, not the notification, says it is authorised",
            "capture it in full",
            "refund 5.00 EUR of the capture",
        ],
    ),
    (
        "Multibanco",
        &[
            "issue a 35.00 EUR Multibanco reference",
            "the customer pays at an ATM; the notification is confirmed",
        ],
    ),
    (
        "out-payment",
        &[
            "pay 17.00 EUR out to a supplier, signed with RSA",
            "read the out-payment back",
        ],
    ),
    (
        "safety",
        &[
            "a USD payment is refused before sending (Easypay takes EUR)",
            "a lost answer is retried with the same Idempotency-Key",
            "a notification with wrong credentials is refused",
        ],
    ),
];

/// The fake, a client pointed at it, and the merchant's endpoint.
pub(crate) struct Harness {
    server: FakeServer<EasypayFake>,
    client: Arc<EasypayClient>,
    endpoint: Arc<Endpoint>,
    hooks_url: String,
    /// `--interactive`: a person completes the customer's pages in a browser, asked
    /// through this.
    interactive: Option<Prompt>,
}

impl Harness {
    /// Starts the fake (notifications to `hooks` + `/hooks/easypay` with Basic
    /// credentials) and builds the client; registers it with the merchant's endpoint.
    /// With `interactive`, a person answers MB WAY in a browser instead of the scenario
    /// control.
    ///
    /// # Errors
    /// The fake or the client cannot start.
    pub(crate) async fn start(
        endpoint: Arc<Endpoint>,
        hooks: &str,
        interactive: Option<Prompt>,
    ) -> Result<Self, String> {
        let clock = ManualClock::new(SystemTime::now());
        let hooks_url = format!("{hooks}/hooks/{NAME}");
        let config = EasypayConfig::new(ACCOUNT_ID, API_KEY)
            .with_out_payment_key(TEST_OUT_PAYMENT_PUBLIC_KEY)
            .map_err(|e| format!("the fake refused the test key: {e}"))?
            .with_generic_url(hooks_url.clone())
            .with_authorisation_url(hooks_url.clone())
            .with_transaction_url(hooks_url.clone())
            .with_notification_credentials(HOOK_USER, HOOK_PASSWORD);
        let server = FakeServer::builder()
            .clock(clock.clone())
            .webhook_retries(RetrySchedule::none())
            .start(EasypayFake::new(config))
            .await
            .map_err(|e| format!("the Easypay fake did not start: {e}"))?;
        let client = EasypayClient::builder(AccountId::new(ACCOUNT_ID), ApiKey::new(API_KEY))
            .base_url(server.url("/2.0"))
            .clock(Arc::new(clock))
            .retry_policy(RetryPolicy::new(
                3,
                Duration::from_millis(5),
                Duration::from_millis(50),
            ))
            .notification_auth(NotificationAuth::basic(HOOK_USER, HOOK_PASSWORD))
            .out_payment_key_pem(&SecretString::from(TEST_OUT_PAYMENT_PRIVATE_KEY))
            .map_err(|e| format!("the out-payment key was refused: {e}"))?
            .build()
            .map_err(|e| format!("the Easypay client was refused: {e}"))?;
        let client = Arc::new(client);
        endpoint.register(NAME, client.clone());
        Ok(Self {
            server,
            client,
            endpoint,
            hooks_url,
            interactive,
        })
    }

    /// The fake's base URL.
    pub(crate) fn base_url(&self) -> String {
        self.server.url("/2.0")
    }

    /// The fake's request log, one line per request.
    pub(crate) fn request_lines(&self) -> Vec<String> {
        lines_of(&self.server.requests())
    }

    /// Problems the fake server recorded (panics in the fake).
    pub(crate) fn problems(&self) -> Vec<String> {
        self.server.problems()
    }

    fn control<T>(&self, act: impl FnOnce(&EasypayFake, &Context<'_>) -> T) -> T {
        let clock = self.server.clock();
        let ctx = Context::new(&*clock, self.server.webhooks(), self.server.base_url());
        act(self.server.provider(), &ctx)
    }

    /// Runs every flow.
    pub(crate) async fn run(&self, recorder: &mut Recorder<'_>) {
        let requests = || self.request_lines();
        let mut f = recorder.flow(NAME, FLOWS[0].0, FLOWS[0].1, &requests);
        let _ = self.mb_way(&mut f).await;
        f.finish();
        let mut f = recorder.flow(NAME, FLOWS[1].0, FLOWS[1].1, &requests);
        let _ = self.multibanco(&mut f).await;
        f.finish();
        let mut f = recorder.flow(NAME, FLOWS[2].0, FLOWS[2].1, &requests);
        let _ = self.out_payment(&mut f).await;
        f.finish();
        let mut f = recorder.flow(NAME, FLOWS[3].0, FLOWS[3].1, &requests);
        let _ = self.safety(&mut f).await;
        f.finish();
    }

    async fn mb_way(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        let id = f
            .step(async {
                let request = mb_way("demo-ep-mbway", 1999)?.authorize_only();
                let payment = self
                    .client
                    .create_payment(&request, &o)
                    .await
                    .map_err(failed("create_payment"))?;
                check(
                    matches!(payment.next_action, NextAction::AwaitApproval { .. }),
                    || format!("expected to wait for approval, got {}", payment.status),
                )?;
                let id = payment.id.clone().ok_or("no id")?;
                let detail = format!(
                    "payment {id}, {}: {}",
                    payment.status,
                    describe_next_action(&payment.next_action)
                );
                Ok((id, detail))
            })
            .await?;
        f.step(async {
            if let Some(prompt) = self.interactive {
                let status_now = || {
                    self.server
                        .snapshot()
                        .get(&ResourceKind::Payment, id.as_str())
                        .map(|r| r.status().to_owned())
                };
                let waiting = status_now();
                let url = mbway_page_url(self.server.base_url(), id.as_str());
                let status = wait_for_browser(prompt, "approve the MB WAY payment", &url, || {
                    status_now().filter(|now| Some(now) != waiting.as_ref())
                })
                .await?;
                return Ok(((), format!("answered in the browser: {status}")));
            }
            self.control(|fake, ctx| fake.approve_mbway(ctx, id.as_str()))
                .map_err(|e| format!("approve: {e}"))?;
            Ok(((), "approved on the (fake) phone".to_owned()))
        })
        .await?;
        let before = self.endpoint.log().len();
        f.step(async {
            let webhooks = self.server.webhooks();
            let first = webhooks
                .pending()
                .first()
                .map(|p| p.id())
                .ok_or("no notification was queued")?;
            webhooks
                .duplicate(first, 1)
                .map_err(|e| format!("duplicate: {e}"))?;
            let delivered = deliver_all(self.server.webhooks()).await?;
            let seen = received_since(&self.endpoint, before, NAME);
            let duplicates = seen
                .iter()
                .filter(|h| matches!(h, Handled::Duplicate))
                .count();
            check(duplicates == 1, || {
                format!("{duplicates} duplicates recognised")
            })?;
            Ok((
                (),
                format!(
                    "{delivered} deliveries to {} (Basic credentials checked in constant time); \
                     the repeated one answered 200 and ignored",
                    self.hooks_url
                ),
            ))
        })
        .await?;
        f.step(async {
            let seen = received_since(&self.endpoint, before, NAME);
            let mut confirmed: Vec<String> = seen
                .iter()
                .filter_map(|h| match h {
                    Handled::Confirmed {
                        kind: "payment",
                        confirmed,
                        ..
                    } => Some(confirmed.clone()),
                    _ => None,
                })
                .collect();
            confirmed.dedup();
            check(confirmed.iter().any(|c| c == "payment authorized"), || {
                format!("confirmed: {confirmed:?}")
            })?;
            Ok(((), format!("read back: {}", confirmed.join(", "))))
        })
        .await?;
        f.step(async {
            let captured = self
                .client
                .capture(&CaptureRequest::full(id.clone()), &o)
                .await
                .map_err(failed("capture"))?;
            check(captured.status == PaymentStatus::Captured, || {
                format!("expected captured, got {}", captured.status)
            })?;
            let capture = captured
                .captures
                .last()
                .and_then(|c| c.id.clone())
                .map(|c| format!(" (capture {c})"))
                .unwrap_or_default();
            Ok((
                (),
                format!("{}, {}{capture}", captured.status, captured.amount),
            ))
        })
        .await?;
        f.step(async {
            let amount = eur(500)?;
            let request = RefundRequest::partial(id.clone(), amount).map_err(|e| e.to_string())?;
            let refund = self
                .client
                .refund(&request, &o)
                .await
                .map_err(failed("refund"))?;
            check(refund.amount == amount, || {
                format!("refunded {}", refund.amount)
            })?;
            Ok((
                (),
                format!(
                    "refund {}, {} (of the payment's capture)",
                    refund.amount, refund.status
                ),
            ))
        })
        .await?;
        Ok(())
    }

    async fn multibanco(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        let id = f
            .step(async {
                let request = CreatePayment::new(
                    eur(3500)?,
                    reference("demo-ep-multibanco")?,
                    PaymentMethod::Multibanco,
                )
                .map_err(|e| e.to_string())?;
                let payment = self
                    .client
                    .create_payment(&request, &o)
                    .await
                    .map_err(failed("create_payment"))?;
                check(
                    matches!(payment.next_action, NextAction::PayByReference { .. }),
                    || "expected Multibanco instructions".to_owned(),
                )?;
                let id = payment.id.clone().ok_or("no id")?;
                Ok((id, describe_next_action(&payment.next_action)))
            })
            .await?;
        let before = self.endpoint.log().len();
        f.step(async {
            self.control(|fake, ctx| fake.pay_multibanco(ctx, id.as_str()))
                .map_err(|e| format!("pay: {e}"))?;
            deliver_all(self.server.webhooks()).await?;
            let seen = received_since(&self.endpoint, before, NAME);
            let confirmed = seen
                .iter()
                .find_map(|h| match h {
                    Handled::Confirmed { confirmed, .. } if confirmed == "payment captured" => {
                        Some(confirmed.clone())
                    }
                    _ => None,
                })
                .ok_or_else(|| format!("no confirmed capture among {seen:?}"))?;
            Ok(((), format!("notified and read back: {confirmed}")))
        })
        .await?;
        Ok(())
    }

    async fn out_payment(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        let id = f
            .step(async {
                let iban = Iban::parse("PT50 0002 0123 1234 5678 9015 4").map_err(|e| e.to_string())?;
                let mut payout = CreatePayout::new(eur(1700)?, reference("demo-ep-payout")?, iban, "Bea Costa")
                    .map_err(|e| e.to_string())?;
                payout.beneficiary_email = Email::parse("bea@example.org").ok();
                payout.beneficiary_phone = Phone::new("+351", "912345678").ok();
                let made = self
                    .client
                    .create_payout(&payout, &o)
                    .await
                    .map_err(failed("create_payout"))?;
                check(made.amount == eur(1700)?, || format!("paid {}", made.amount))?;
                let detail = format!(
                    "out-payment {}, {}, to {}; the body was signed once (RSA-SHA256) and the fake verified it",
                    made.id, made.status, payout.iban
                );
                Ok((made.id, detail))
            })
            .await?;
        f.step(async {
            let read = self
                .client
                .get_payout(&id, &o)
                .await
                .map_err(failed("get_payout"))?;
            Ok(((), format!("{}, {}", read.status, read.amount)))
        })
        .await?;
        Ok(())
    }

    async fn safety(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        f.step(async {
            let sent = self.server.requests().len();
            let dollars = Money::from_minor(1999, Currency::USD).map_err(|e| e.to_string())?;
            let request = CreatePayment::new(
                dollars,
                reference("demo-ep-usd")?,
                PaymentMethod::Multibanco,
            )
            .map_err(|e| e.to_string())?;
            let err = match self.client.create_payment(&request, &o).await {
                Ok(p) => return Err(format!("accepted: {} {}", p.status, p.amount)),
                Err(err) => err,
            };
            check(matches!(err.kind(), ErrorKind::InvalidRequest(_)), || {
                format!("expected an invalid request, got {err}")
            })?;
            check(self.server.requests().len() == sent, || {
                "a request was sent".to_owned()
            })?;
            Ok(((), format!("{err}; nothing sent")))
        })
        .await?;
        f.step(async {
            let order = "demo-ep-lost";
            self.server
                .faults()
                .on(Route::new("POST", "/2.0/single"))
                .then(Fault::AppliedThenLost)
                .then_normal();
            let sent = self.server.requests().len();
            let payment = self
                .client
                .create_payment(&mb_way(order, 2750)?, &o)
                .await
                .map_err(failed("create_payment"))?;
            let attempts: Vec<_> = self
                .server
                .requests()
                .into_iter()
                .skip(sent)
                .filter(|r| r.operation() == Some("single_create"))
                .collect();
            let keys: Vec<_> = attempts
                .iter()
                .map(|r| r.header("Idempotency-Key").unwrap_or("").to_owned())
                .collect();
            check(attempts.len() == 2, || {
                format!("{} attempts", attempts.len())
            })?;
            check(!keys[0].is_empty() && keys[0] == keys[1], || {
                "the retry did not repeat the key".to_owned()
            })?;
            let at_provider = self
                .server
                .snapshot()
                .payments()
                .filter(|r| r.field("key") == Some(order))
                .count();
            check(at_provider == 1, || {
                format!("{at_provider} payments at the provider")
            })?;
            Ok((
                (),
                format!(
                    "answer lost after Easypay applied it; retried with key {}…; the stored answer \
                     was replayed: payment {}, 1 at the provider",
                    keys[0].chars().take(8).collect::<String>(),
                    payment.id.map(|i| i.to_string()).unwrap_or_default()
                ),
            ))
        })
        .await?;
        f.step(async {
            let forged = Notification::post(
                self.hooks_url.clone(),
                r#"{"id":"forged-1","key":"demo-ep-mbway","type":"capture","status":"success","messages":["ok"]}"#,
            )
            .with_header("Content-Type", "application/json")
            .with_header("Authorization", "Basic ZGVtby1ob29rczp3cm9uZw==");
            let response = deliver_forged(self.server.webhooks(), forged).await?;
            check(response == 401, || format!("the endpoint answered {response}"))?;
            let last = self.endpoint.log().pop().map(|r| r.handled);
            let Some(Handled::Rejected { reason }) = last else {
                return Err("the endpoint did not refuse it".to_owned());
            };
            Ok(((), format!("answered {response}: {reason}")))
        })
        .await?;
        Ok(())
    }
}

fn mb_way(order: &str, minor: i64) -> Result<CreatePayment, String> {
    let phone = Phone::new("+351", PHONE_PENDING).map_err(|e| e.to_string())?;
    CreatePayment::new(
        eur(minor)?,
        reference(order)?,
        PaymentMethod::MbWay { phone },
    )
    .map_err(|e| e.to_string())
}
