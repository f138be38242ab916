//! Easytransac's flows against pay-testkit's fake: a card payment with 3-D Secure and its
//! notification, pre-authorisation then capture and refund, a SEPA mandate and debit,
//! instalments, and the safety nets (validation, a lost answer, a forged notification).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use pay::easytransac::EasytransacClient;
use pay::testkit::easytransac::{EasytransacConfig, EasytransacFake, TEST_API_KEY, cards};
use pay::testkit::{Context, FakeServer, Fault, Notification, RetrySchedule, Route};
use pay::{
    CallOptions, Capture, CaptureMode, CaptureRequest, CardDetails, CardExpiry, CardNumber,
    CreateInstalments, CreateMandate, CreatePayment, Customer, Cvv, Email, ErrorKind, Iban,
    Interval, MandateDebit, Mandates, ManualClock, NextAction, PaymentMethod, PaymentStatus,
    Payments, Recurring, RefundRequest, Refunds, RetryPolicy,
};
use secrecy::SecretString;

use crate::flows::{
    Prompt, check, deliver_all, deliver_forged, describe_next_action, eur, failed, lines_of,
    received_since, reference, wait_for_browser,
};
use crate::receiver::{Endpoint, Handled};
use crate::report::{Flow, Recorder, Stop};

/// The provider's name in the demo's output and the endpoint's path.
pub(crate) const NAME: &str = "easytransac";

/// Every step, by flow, in order (the recorder checks the flows run them in this order).
pub(crate) const FLOWS: &[(&str, &[&str])] = &[
    (
        "card payment with 3-D Secure",
        &[
            "create a 25.00 EUR card payment",
            "the customer passes 3-D Secure",
            "the signed notification arrives: verified, then read back",
            "the read-back, not the notification, says it is paid",
        ],
    ),
    (
        "pre-authorisation",
        &[
            "pre-authorise 50.00 EUR on a card",
            "capture 42.00 EUR of it",
            "refund 10.00 EUR of the capture",
        ],
    ),
    (
        "SEPA direct debit",
        &[
            "create a SEPA mandate",
            "debit 42.00 EUR on the mandate",
            "the bank settles the debit",
        ],
    ),
    (
        "instalments",
        &[
            "90.00 EUR in 3 monthly instalments",
            "a month later the 2nd instalment is charged and notified",
        ],
    ),
    (
        "safety",
        &[
            "a request without the customer's IP is refused before sending",
            "a lost answer is reconciled by order reference, not retried",
            "a forged notification is refused",
        ],
    ),
];

/// The fake, a client pointed at it, and the shared clock.
pub(crate) struct Harness {
    server: FakeServer<EasytransacFake>,
    client: Arc<EasytransacClient>,
    clock: ManualClock,
    endpoint: Arc<Endpoint>,
    hooks_url: String,
    /// `--interactive`: a person completes the customer's pages in a browser, asked
    /// through this.
    interactive: Option<Prompt>,
}

impl Harness {
    /// Starts the fake (notifications to `hooks` + `/hooks/easytransac`) and builds the
    /// client; registers the client with the merchant's endpoint. With `interactive`, a
    /// person completes the customer's pages in a browser instead of the scenario
    /// controls.
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
        let config = EasytransacConfig::new(SecretString::from(TEST_API_KEY))
            .notification_url(hooks_url.clone());
        let server = FakeServer::builder()
            .clock(clock.clone())
            // A refused notification is not retried: the demo's forged one stays refused.
            .webhook_retries(RetrySchedule::none())
            .start(EasytransacFake::new(config))
            .await
            .map_err(|e| format!("the Easytransac fake did not start: {e}"))?;
        let client = EasytransacClient::builder(SecretString::from(TEST_API_KEY))
            .base_url(server.base_url())
            .clock(Arc::new(clock.clone()))
            .retry_policy(RetryPolicy::new(
                3,
                Duration::from_millis(5),
                Duration::from_millis(50),
            ))
            .build()
            .map_err(|e| format!("the Easytransac client was refused: {e}"))?;
        let client = Arc::new(client);
        endpoint.register(NAME, client.clone());
        Ok(Self {
            server,
            client,
            clock,
            endpoint,
            hooks_url,
            interactive,
        })
    }

    /// The fake's base URL.
    pub(crate) fn base_url(&self) -> String {
        self.server.base_url().to_owned()
    }

    /// The fake's request log, one line per request.
    pub(crate) fn request_lines(&self) -> Vec<String> {
        lines_of(&self.server.requests())
    }

    /// Problems the fake server recorded (panics in the fake).
    pub(crate) fn problems(&self) -> Vec<String> {
        self.server.problems()
    }

    /// Acts as the customer, the bank or time would, through the fake's scenario controls.
    fn control<T>(&self, act: impl FnOnce(&EasytransacFake, &Context<'_>) -> T) -> T {
        let clock = self.server.clock();
        let ctx = Context::new(&*clock, self.server.webhooks(), self.server.base_url());
        act(self.server.provider(), &ctx)
    }

    /// Runs every flow.
    pub(crate) async fn run(&self, recorder: &mut Recorder<'_>) {
        let requests = || self.request_lines();
        let mut f = recorder.flow(NAME, FLOWS[0].0, FLOWS[0].1, &requests);
        let _ = self.three_d_secure(&mut f).await;
        f.finish();
        let mut f = recorder.flow(NAME, FLOWS[1].0, FLOWS[1].1, &requests);
        let _ = self.pre_authorisation(&mut f).await;
        f.finish();
        let mut f = recorder.flow(NAME, FLOWS[2].0, FLOWS[2].1, &requests);
        let _ = self.sepa(&mut f).await;
        f.finish();
        let mut f = recorder.flow(NAME, FLOWS[3].0, FLOWS[3].1, &requests);
        let _ = self.instalments(&mut f).await;
        f.finish();
        let mut f = recorder.flow(NAME, FLOWS[4].0, FLOWS[4].1, &requests);
        let _ = self.safety(&mut f).await;
        f.finish();
    }

    async fn three_d_secure(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        let (payment, challenge) = f
            .step(async {
                let request = payment("demo-et-3ds", 2500, cards::THREE_DS_CHALLENGE)?;
                let payment = self
                    .client
                    .create_payment(&request, &o)
                    .await
                    .map_err(failed("create_payment"))?;
                check(payment.status == PaymentStatus::Pending, || {
                    format!("expected pending, got {}", payment.status)
                })?;
                let NextAction::Redirect { url, .. } = &payment.next_action else {
                    return Err("expected a 3-D Secure redirect".to_owned());
                };
                let url = url.as_str().to_owned();
                let id = payment.id.clone().ok_or("no Tid")?;
                let detail = format!(
                    "Tid {id}, {}: {}",
                    payment.status,
                    describe_next_action(&payment.next_action)
                );
                Ok(((id, url), detail))
            })
            .await?;
        f.step(async {
            if let Some(prompt) = self.interactive {
                let status =
                    wait_for_browser(prompt, "pass the 3-D Secure challenge", &challenge, || {
                        let status = self.server.provider().payment(payment.as_str())?.status;
                        (status != "pending").then_some(status)
                    })
                    .await?;
                check(status == "captured", || {
                    format!("the challenge ended `{status}` in the browser")
                })?;
                return Ok(((), "challenge passed in the browser".to_owned()));
            }
            self.control(|fake, ctx| fake.complete_3ds(ctx, payment.as_str()))
                .map_err(|e| format!("3-D Secure: {e}"))?;
            Ok(((), "challenge passed at the (fake) bank".to_owned()))
        })
        .await?;
        let before = self.endpoint.log().len();
        f.step(async {
            let delivered = deliver_all(self.server.webhooks()).await?;
            let seen = received_since(&self.endpoint, before, NAME);
            check(!seen.is_empty(), || {
                "the endpoint received nothing".to_owned()
            })?;
            Ok((
                (),
                format!(
                    "{delivered} notification(s) POSTed to {}; signature verified",
                    self.hooks_url
                ),
            ))
        })
        .await?;
        f.step(async {
            let seen = received_since(&self.endpoint, before, NAME);
            // The last word: the notification sent after 3-D Secure.
            let confirmed = seen
                .iter()
                .rev()
                .find_map(|h| match h {
                    Handled::Confirmed {
                        kind: "payment",
                        claimed,
                        confirmed,
                        ..
                    } => Some((claimed.clone(), confirmed.clone())),
                    _ => None,
                })
                .ok_or("no payment event was confirmed")?;
            check(confirmed.1 == "payment captured", || {
                format!("confirmed {}", confirmed.1)
            })?;
            Ok((
                (),
                format!(
                    "the notification claimed {}; the read-back says {}",
                    confirmed.0, confirmed.1
                ),
            ))
        })
        .await?;
        Ok(())
    }

    async fn pre_authorisation(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        let id = f
            .step(async {
                let mut request = payment("demo-et-preauth", 5000, cards::SUCCESS)?;
                request.capture = CaptureMode::Manual;
                let payment = self
                    .client
                    .create_payment(&request, &o)
                    .await
                    .map_err(failed("create_payment"))?;
                check(payment.status == PaymentStatus::Authorized, || {
                    format!("expected authorized, got {}", payment.status)
                })?;
                let id = payment.id.clone().ok_or("no Tid")?;
                Ok((id.clone(), format!("Tid {id}, {}", payment.status)))
            })
            .await?;
        f.step(async {
            let part = eur(4200)?;
            let request = CaptureRequest::partial(id.clone(), part).map_err(|e| e.to_string())?;
            let captured = self
                .client
                .capture(&request, &o)
                .await
                .map_err(failed("capture"))?;
            check(
                captured.status == PaymentStatus::Captured && captured.amount == part,
                || format!("captured {} {}", captured.status, captured.amount),
            )?;
            Ok(((), format!("{}, {}", captured.status, captured.amount)))
        })
        .await?;
        f.step(async {
            let amount = eur(1000)?;
            let request = RefundRequest::partial(id.clone(), amount).map_err(|e| e.to_string())?;
            let refund = self
                .client
                .refund(&request, &o)
                .await
                .map_err(failed("refund"))?;
            check(refund.amount == amount, || {
                format!("refunded {}", refund.amount)
            })?;
            Ok(((), format!("refund {}, {}", refund.amount, refund.status)))
        })
        .await?;
        Ok(())
    }

    async fn sepa(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        let mandate = f
            .step(async {
                let iban =
                    Iban::parse("FR14 2004 1010 0505 0001 3M02 606").map_err(|e| e.to_string())?;
                let request = CreateMandate::new(reference("demo-et-mandate")?, iban, "Ana Silva")
                    .map_err(|e| e.to_string())?;
                let mandate = self
                    .client
                    .create_mandate(&request, &o)
                    .await
                    .map_err(failed("create_mandate"))?;
                let detail = format!(
                    "mandate {}, {}: {}",
                    mandate.id,
                    mandate.status,
                    describe_next_action(&mandate.next_action)
                );
                Ok((mandate.id, detail))
            })
            .await?;
        let tid = f
            .step(async {
                let debit =
                    MandateDebit::new(mandate.clone(), eur(4200)?, reference("demo-et-debit")?)
                        .map_err(|e| e.to_string())?;
                let paid = self
                    .client
                    .debit_mandate(&debit, &o)
                    .await
                    .map_err(failed("debit_mandate"))?;
                check(paid.status == PaymentStatus::Pending, || {
                    format!("expected pending, got {}", paid.status)
                })?;
                let tid = paid.id.clone().ok_or("no Tid")?;
                Ok((
                    tid.clone(),
                    format!("Tid {tid}, {} until the bank settles", paid.status),
                ))
            })
            .await?;
        f.step(async {
            self.control(|fake, ctx| fake.settle_debit(ctx, tid.as_str()))
                .map_err(|e| format!("settle: {e}"))?;
            let settled = self
                .client
                .get_payment(&tid, &o)
                .await
                .map_err(failed("get_payment"))?;
            check(settled.status == PaymentStatus::Captured, || {
                format!("expected captured, got {}", settled.status)
            })?;
            Ok(((), format!("{}, {}", settled.status, settled.amount)))
        })
        .await?;
        Ok(())
    }

    async fn instalments(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        f.step(async {
            let plan = CreateInstalments::new(
                eur(9000)?,
                3,
                reference("demo-et-instalments")?,
                card(cards::SUCCESS)?,
                Interval::Monthly,
            )
            .map_err(|e| e.to_string())?
            .with_customer(customer());
            let created = self
                .client
                .create_instalments(&plan, &o)
                .await
                .map_err(failed("create_instalments"))?;
            Ok((
                (),
                format!(
                    "plan {}, {}; first instalment charged now",
                    created.id, created.status
                ),
            ))
        })
        .await?;
        let before = self.endpoint.log().len();
        f.step(async {
            self.clock.advance(Duration::from_secs(31 * 86_400));
            let charged = self.control(|fake, ctx| fake.run_due_schedules(ctx));
            deliver_all(self.server.webhooks()).await?;
            let seen = received_since(&self.endpoint, before, NAME);
            let second = seen
                .iter()
                .find_map(|h| match h {
                    Handled::Confirmed {
                        charge_number: Some(2),
                        claimed,
                        ..
                    } => Some(claimed.clone()),
                    _ => None,
                })
                .ok_or_else(|| {
                    format!(
                        "no notification for the 2nd charge ({} charged)",
                        charged.len()
                    )
                })?;
            Ok((
                (),
                format!("clock +31 days; instalment 2 of 3 notified: {second}"),
            ))
        })
        .await?;
        Ok(())
    }

    async fn safety(&self, f: &mut Flow<'_, '_>) -> Result<(), Stop> {
        let o = CallOptions::new();
        f.step(async {
            let sent = self.server.requests().len();
            let request = CreatePayment::new(
                eur(1500)?,
                reference("demo-et-no-ip")?,
                card(cards::SUCCESS)?,
            )
            .map_err(|e| e.to_string())?;
            let err = match self.client.create_payment(&request, &o).await {
                Ok(p) => return Err(format!("accepted: {}", p.status)),
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
            let order = reference("demo-et-lost")?;
            self.server
                .faults()
                .on(Route::new("POST", "/api/payment/direct"))
                .then(Fault::AppliedThenLost)
                .then_normal();
            let request = CreatePayment::new(eur(3100)?, order.clone(), card(cards::SUCCESS)?)
                .map_err(|e| e.to_string())?
                .with_customer(customer());
            let err = match self.client.create_payment(&request, &o).await {
                Ok(_) => return Err("the lost answer was not noticed".to_owned()),
                Err(err) => err,
            };
            check(
                matches!(err.kind(), ErrorKind::AmbiguousOutcome { .. }),
                || format!("expected an ambiguous outcome, got {err}"),
            )?;
            let found = self
                .client
                .find_by_reference(&order, &o)
                .await
                .map_err(failed("find_by_reference"))?
                .ok_or("the payment was not found by its reference")?;
            let at_provider = self
                .server
                .provider()
                .payments()
                .iter()
                .filter(|p| p.order_id.as_deref() == Some(order.as_str()))
                .count();
            check(at_provider == 1, || format!("{at_provider} payments at the provider"))?;
            Ok((
                (),
                format!(
                    "AmbiguousOutcome (not retried) -> found Tid {} {} by reference; 1 payment at the provider",
                    found.id.map(|i| i.to_string()).unwrap_or_default(),
                    found.status
                ),
            ))
        })
        .await?;
        f.step(async {
            let forged = Notification::post(
                self.hooks_url.clone(),
                "Tid=tx-forged&Status=captured&Amount=999.00&OrderId=demo-et-3ds&Signature=0000",
            )
            .with_header("Content-Type", "application/x-www-form-urlencoded");
            let response = deliver_forged(self.server.webhooks(), forged).await?;
            check(response == 401, || {
                format!("the endpoint answered {response}")
            })?;
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

fn customer() -> Customer {
    let email = Email::parse("ana.silva@example.org").ok();
    let mut customer = Customer::new()
        .with_name("Ana", "Silva")
        .with_ip_address(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)));
    customer.email = email;
    customer
}

fn card(number: &str) -> Result<PaymentMethod, String> {
    Ok(PaymentMethod::Card(CardDetails::new(
        CardNumber::new(number).map_err(|e| e.to_string())?,
        CardExpiry::new(12, 2030).map_err(|e| e.to_string())?,
        Cvv::new("123").map_err(|e| e.to_string())?,
    )))
}

fn payment(order: &str, minor: i64, number: &str) -> Result<CreatePayment, String> {
    Ok(
        CreatePayment::new(eur(minor)?, reference(order)?, card(number)?)
            .map_err(|e| e.to_string())?
            .with_customer(customer()),
    )
}
