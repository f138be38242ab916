//! The conformance kit run against small in-memory adapters: a correct one passes, and
//! each planted flaw fails the check that names it.

use std::sync::Mutex;
use std::time::SystemTime;

use async_trait::async_trait;
use std::sync::atomic::{AtomicU32, Ordering};

use pay_core::{
    AmountEncoding, CallOptions, Capabilities, Capability, Capture, CaptureMode, CaptureRequest,
    CreatePayment, Currency, Environment, ErrorKind, EventId, EventKind, Failure,
    IdempotencySupport, MerchantReference, Money, PayError, Payment, PaymentMethod,
    PaymentMethodKind, PaymentStatus, Payments, Provider, ProviderId, ProviderPaymentId,
    ProviderRefundId, RawWebhook, Refund, RefundRequest, RefundStatus, Refunds, Trust,
    VerifiedWebhook, WebhookAuth, WebhookEvent, Webhooks,
};
use pay_testkit::conformance::{self, Outcome, Subject};

use crate::support::within;

const SECRET: &str = "toy-secret-key-123";

/// Mistakes an adapter can make, each of which one check must catch.
#[derive(Debug, Default, Clone, Copy)]
struct Flaws {
    declares_void: bool,
    hides_refunds: bool,
    declares_multiple_refunds_alone: bool,
    get_wrong_amount: bool,
    find_misses: bool,
    capture_leaves_authorized: bool,
    partial_refund_silently: bool,
    accepts_tampered: bool,
    event_authenticated: bool,
    debug_shows_secret: bool,
    /// Answers `Err(Declined)` for a payment it created (and keeps).
    declines_as_error: bool,
    /// Gives every delivery of a notification a new event id.
    event_id_per_delivery: bool,
    /// Reads payments back under another id.
    id_changes: bool,
    /// Declares that ids change (as a provider with hosted pages documents).
    declares_changing_ids: bool,
    /// Has no refunded statuses: a refunded payment stays `paid` (captured).
    no_refund_statuses: bool,
    /// Its refund answers carry no amount, so the refund's amount is a placeholder (zero).
    refunds_without_amount: bool,
}

/// An in-memory adapter. `full` declares partial capture, partial and multiple refunds,
/// lookup by reference and keyed-hash webhooks; otherwise it declares capture and refund
/// only, with static-credential webhooks.
struct Toy {
    caps: Capabilities,
    full: bool,
    flaws: Flaws,
    payments: Mutex<Vec<Payment>>,
    deliveries: AtomicU32,
}

impl std::fmt::Debug for Toy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = if self.flaws.debug_shows_secret {
            SECRET
        } else {
            "[redacted]"
        };
        f.debug_struct("Toy").field("key", &key).finish()
    }
}

impl Toy {
    fn new(full: bool, flaws: Flaws) -> Self {
        let auth = if full {
            WebhookAuth::KeyedHash
        } else {
            WebhookAuth::StaticCredentials
        };
        let mut caps =
            Capabilities::new(AmountEncoding::MinorUnits, IdempotencySupport::None, auth)
                .with(Capability::Capture)
                .with(Capability::Refund)
                .with(Capability::Webhooks)
                .with_method(PaymentMethodKind::Card);
        if full {
            caps = caps
                .with(Capability::PartialCapture)
                .with(Capability::PartialRefund)
                .with(Capability::MultipleRefunds)
                .with(Capability::FindByReference);
        }
        if flaws.declares_void {
            caps = caps.with(Capability::Void);
        }
        if flaws.declares_multiple_refunds_alone {
            caps = caps.with(Capability::MultipleRefunds);
        }
        if flaws.declares_changing_ids {
            caps = caps.with_changing_payment_ids();
        }
        Self {
            caps,
            full,
            flaws,
            payments: Mutex::new(Vec::new()),
            deliveries: AtomicU32::new(0),
        }
    }

    fn find(&self, id: &ProviderPaymentId) -> Result<Payment, PayError> {
        self.payments
            .lock()
            .unwrap()
            .iter()
            .find(|p| p.id.as_ref() == Some(id))
            .cloned()
            .ok_or_else(|| PayError::new(ErrorKind::NotFound))
    }

    fn store(&self, payment: Payment) {
        let mut payments = self.payments.lock().unwrap();
        payments.retain(|p| p.id != payment.id);
        payments.push(payment);
    }

    fn sample(&self) -> RawWebhook {
        let body = b"id=p1&status=paid".to_vec();
        let headers = if self.full {
            vec![("x-toy-signature".to_owned(), signature(&body))]
        } else {
            vec![("x-toy-code".to_owned(), SECRET.to_owned())]
        };
        RawWebhook::new(headers, body, SystemTime::UNIX_EPOCH)
    }
}

/// A keyed FNV-1a hash, hex: a stand-in for a provider's signature.
fn signature(body: &[u8]) -> String {
    let hash = SECRET
        .as_bytes()
        .iter()
        .chain(body)
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{hash:016x}")
}

fn not_supported(capability: Capability) -> PayError {
    PayError::new(ErrorKind::NotSupported { capability })
}

impl Provider for Toy {
    fn id(&self) -> ProviderId {
        ProviderId::new("toy")
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    fn environment(&self) -> Environment {
        Environment::Sandbox
    }
    fn as_payments(&self) -> Option<&dyn Payments> {
        Some(self)
    }
    fn as_capture(&self) -> Option<&dyn Capture> {
        Some(self)
    }
    fn as_refunds(&self) -> Option<&dyn Refunds> {
        if self.flaws.hides_refunds {
            None
        } else {
            Some(self)
        }
    }
    fn as_webhooks(&self) -> Option<&dyn Webhooks> {
        Some(self)
    }
}

#[async_trait]
impl Payments for Toy {
    async fn create_payment(
        &self,
        request: &CreatePayment,
        _: &CallOptions,
    ) -> Result<Payment, PayError> {
        let id = ProviderPaymentId::new(format!("p{}", self.payments.lock().unwrap().len() + 1))?;
        let amount = request.amount();
        // 6.66 is the toy's magic declined amount.
        let payment = if amount.minor_units() == 666 {
            Payment::new(id, amount, PaymentStatus::Failed, "failed").with_failure(Failure::new(
                Some("05".to_owned()),
                Some("Do not honour".to_owned()),
            ))
        } else if request.capture == CaptureMode::Manual {
            Payment::new(id, amount, PaymentStatus::Authorized, "authorised")
        } else {
            Payment::new(id, amount, PaymentStatus::Captured, "paid").with_captured(amount)
        }
        .with_reference(request.reference().clone());
        self.store(payment.clone());
        if payment.status == PaymentStatus::Failed && self.flaws.declines_as_error {
            return Err(PayError::new(ErrorKind::Declined {
                decline_code: Some("05".to_owned()),
            }));
        }
        Ok(payment)
    }

    async fn get_payment(
        &self,
        id: &ProviderPaymentId,
        _: &CallOptions,
    ) -> Result<Payment, PayError> {
        let mut payment = self.find(id)?;
        if self.flaws.get_wrong_amount {
            payment.amount =
                Money::from_minor(payment.amount.minor_units() + 1, payment.amount.currency())?;
        }
        if self.flaws.id_changes {
            payment.id = Some(ProviderPaymentId::new(format!("{id}-paid"))?);
        }
        Ok(payment)
    }

    async fn find_by_reference(
        &self,
        reference: &MerchantReference,
        _: &CallOptions,
    ) -> Result<Option<Payment>, PayError> {
        if !self.full {
            return Err(not_supported(Capability::FindByReference));
        }
        if self.flaws.find_misses {
            return Ok(None);
        }
        Ok(self
            .payments
            .lock()
            .unwrap()
            .iter()
            .find(|p| p.reference.as_ref() == Some(reference))
            .cloned())
    }
}

#[async_trait]
impl Capture for Toy {
    async fn capture(
        &self,
        request: &CaptureRequest,
        _: &CallOptions,
    ) -> Result<Payment, PayError> {
        let amount = request.amount();
        if amount.is_some() && !self.full {
            return Err(not_supported(Capability::PartialCapture));
        }
        let mut payment = self.find(&request.payment_id)?;
        if self.flaws.capture_leaves_authorized {
            return Ok(payment);
        }
        payment.status = PaymentStatus::Captured;
        payment.provider_status = "paid".to_owned();
        payment.captured = Some(amount.unwrap_or(payment.amount));
        self.store(payment.clone());
        Ok(payment)
    }
}

#[async_trait]
impl Refunds for Toy {
    async fn refund(&self, request: &RefundRequest, _: &CallOptions) -> Result<Refund, PayError> {
        let mut payment = self.find(&request.payment_id)?;
        let amount = request.amount().unwrap_or(payment.amount);
        let partial = amount != payment.amount;
        if partial && !self.full && !self.flaws.partial_refund_silently {
            return Err(not_supported(Capability::PartialRefund));
        }
        let before = payment.refunded.unwrap_or(Money::zero(amount.currency())?);
        let refunded = before.checked_add(amount)?;
        payment.status = if self.flaws.no_refund_statuses {
            PaymentStatus::Captured
        } else if refunded == payment.amount {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        };
        payment.refunded = Some(refunded);
        self.store(payment.clone());
        let reported = if self.flaws.refunds_without_amount {
            Money::zero(amount.currency())?
        } else {
            amount
        };
        Ok(Refund::new(
            Some(ProviderRefundId::new("r1")?),
            request.payment_id.clone(),
            reported,
            RefundStatus::Succeeded,
            "done",
        ))
    }

    async fn get_refund(&self, _: &ProviderRefundId, _: &CallOptions) -> Result<Refund, PayError> {
        Err(not_supported(Capability::Refund))
    }
}

#[async_trait]
impl Webhooks for Toy {
    fn verify(&self, raw: &RawWebhook) -> Result<VerifiedWebhook, PayError> {
        let trust = if self.flaws.event_authenticated {
            Trust::Authenticated
        } else {
            Trust::Hint
        };
        let (header, expected) = if self.full {
            ("x-toy-signature", signature(raw.body()))
        } else {
            ("x-toy-code", SECRET.to_owned())
        };
        let presented = raw.header(header).map(str::as_bytes);
        // The planted flaw: comparing what was presented with itself.
        let expected = if self.flaws.accepts_tampered {
            presented.unwrap_or(b"x").to_vec()
        } else {
            expected.into_bytes()
        };
        VerifiedWebhook::verify(self.id(), raw.clone(), &expected, presented, trust)
    }

    fn parse(&self, verified: &VerifiedWebhook) -> Result<WebhookEvent, PayError> {
        let delivery = self.deliveries.fetch_add(1, Ordering::Relaxed);
        let id = if self.flaws.event_id_per_delivery {
            format!("p1:paid:{delivery}")
        } else {
            "p1:paid".to_owned()
        };
        let kind = EventKind::Payment {
            id: Some(ProviderPaymentId::new("p1")?),
            checkout_id: None,
            status: Some(PaymentStatus::Captured),
        };
        Ok(
            WebhookEvent::new(self.id(), EventId::new(id)?, kind, verified.trust())
                .with_provider_status("paid"),
        )
    }
}

const DOCUMENTED: &[&str] = &[
    "pending",
    "authorised",
    "paid",
    "partially_refunded",
    "refunded",
    "failed",
];

fn map_status(raw: &str) -> PaymentStatus {
    match raw {
        "pending" => PaymentStatus::Pending,
        "authorised" => PaymentStatus::Authorized,
        "paid" => PaymentStatus::Captured,
        "partially_refunded" => PaymentStatus::PartiallyRefunded,
        "refunded" => PaymentStatus::Refunded,
        "failed" => PaymentStatus::Failed,
        other => PaymentStatus::Unknown(other.to_owned()),
    }
}

fn factory(reference: MerchantReference) -> CreatePayment {
    let amount = Money::parse_major("12.50", Currency::EUR).expect("amount");
    CreatePayment::new(amount, reference, PaymentMethod::HostedPage).expect("request")
}

fn declined(reference: MerchantReference) -> CreatePayment {
    let amount = Money::parse_major("6.66", Currency::EUR).expect("amount");
    CreatePayment::new(amount, reference, PaymentMethod::HostedPage).expect("request")
}

async fn run(toy: &Toy) -> conformance::Report {
    let subject = Subject::new(toy, factory)
        .with_declined_payment(declined)
        .with_statuses(DOCUMENTED, map_status)
        .with_signed_webhook(toy.sample())
        .with_secrets(&[SECRET])
        .with_reference_prefix("it");
    conformance::run(&subject).await
}

#[tokio::test]
async fn a_correct_full_adapter_passes() {
    within(async {
        let toy = Toy::new(true, Flaws::default());
        let report = run(&toy).await;
        report.assert_all_pass();
        assert_eq!(report.results().len(), conformance::ALL_CHECKS.len());
        for check in [
            conformance::CAPABILITIES_MATCH_TRAITS,
            conformance::IMPLIED_CAPABILITIES,
            conformance::CAPABILITY_DETAILS,
            conformance::AMOUNT_ENCODING_ROUND_TRIPS,
            conformance::CREATE_THEN_GET,
            conformance::DECLINES_ARE_DATA,
            conformance::FIND_BY_REFERENCE,
            conformance::CAPTURE,
            conformance::PARTIAL_CAPTURE,
            conformance::REFUND,
            conformance::PARTIAL_REFUND,
            conformance::DOCUMENTED_STATUSES_MAP,
            conformance::UNKNOWN_STATUS_IS_UNKNOWN,
            conformance::WEBHOOK_SAMPLE_VERIFIES,
            conformance::WEBHOOK_REJECTS_TAMPERING,
            conformance::WEBHOOK_DUPLICATES_DETECTED,
            conformance::DEBUG_HIDES_SECRETS,
        ] {
            assert!(report.passed(check), "{check}: {report}");
        }
        assert!(matches!(
            report.outcome(conformance::VOID),
            Some(Outcome::Skipped(_))
        ));
        assert!(matches!(
            report.outcome(conformance::UNDECLARED_OPERATIONS_FAIL_NOT_SUPPORTED),
            Some(Outcome::Skipped(_))
        ));
        // References came from the prefix, one per payment.
        let payments = toy.payments.lock().unwrap();
        assert!(
            payments
                .iter()
                .all(|p| p.reference.as_ref().unwrap().as_str().starts_with("it-"))
        );
    })
    .await;
}

/// A provider without refunded statuses, whose refunds carry no amount, passes when it
/// says so: the refund checks judge the payment read back (its refunded total) instead.
#[tokio::test]
async fn refunds_without_statuses_or_amounts_pass_when_declared() {
    within(async {
        const NO_REFUND_STATUSES: &[&str] = &["pending", "authorised", "paid", "failed"];
        let flaws = Flaws {
            no_refund_statuses: true,
            refunds_without_amount: true,
            ..Flaws::default()
        };
        let toy = Toy::new(true, flaws);
        let subject = Subject::new(&toy, factory)
            .with_declined_payment(declined)
            .with_statuses(NO_REFUND_STATUSES, map_status)
            .with_signed_webhook(toy.sample())
            .with_secrets(&[SECRET])
            .with_refunds_without_amount();
        let report = conformance::run(&subject).await;
        report.assert_all_pass();
        assert!(report.passed(conformance::REFUND), "{report}");
        assert!(report.passed(conformance::PARTIAL_REFUND), "{report}");

        // Undeclared, the same adapter fails both: its refunds say zero was refunded.
        let toy = Toy::new(true, flaws);
        let report = run(&toy).await;
        assert!(!report.passed(conformance::REFUND), "{report}");
        assert!(!report.passed(conformance::PARTIAL_REFUND), "{report}");
    })
    .await;
}

#[tokio::test]
async fn a_correct_minimal_adapter_passes_with_not_supported() {
    within(async {
        let toy = Toy::new(false, Flaws::default());
        let report = run(&toy).await;
        report.assert_all_pass();
        assert!(
            report.passed(conformance::UNDECLARED_OPERATIONS_FAIL_NOT_SUPPORTED),
            "{report}"
        );
        assert!(
            report.passed(conformance::WEBHOOK_REJECTS_TAMPERING),
            "{report}"
        );
        for skipped in [
            conformance::FIND_BY_REFERENCE,
            conformance::PARTIAL_CAPTURE,
            conformance::PARTIAL_REFUND,
            conformance::VOID,
        ] {
            assert!(
                matches!(report.outcome(skipped), Some(Outcome::Skipped(_))),
                "{skipped}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn each_flaw_fails_its_check() {
    within(async {
        let cases: Vec<(bool, Flaws, &str)> = vec![
            (
                true,
                Flaws {
                    declares_void: true,
                    ..Flaws::default()
                },
                conformance::CAPABILITIES_MATCH_TRAITS,
            ),
            (
                true,
                Flaws {
                    declares_void: true,
                    ..Flaws::default()
                },
                conformance::VOID,
            ),
            (
                true,
                Flaws {
                    hides_refunds: true,
                    ..Flaws::default()
                },
                conformance::CAPABILITIES_MATCH_TRAITS,
            ),
            (
                false,
                Flaws {
                    declares_multiple_refunds_alone: true,
                    ..Flaws::default()
                },
                conformance::IMPLIED_CAPABILITIES,
            ),
            (
                true,
                Flaws {
                    get_wrong_amount: true,
                    ..Flaws::default()
                },
                conformance::CREATE_THEN_GET,
            ),
            (
                true,
                Flaws {
                    find_misses: true,
                    ..Flaws::default()
                },
                conformance::FIND_BY_REFERENCE,
            ),
            (
                true,
                Flaws {
                    capture_leaves_authorized: true,
                    ..Flaws::default()
                },
                conformance::CAPTURE,
            ),
            (
                false,
                Flaws {
                    partial_refund_silently: true,
                    ..Flaws::default()
                },
                conformance::UNDECLARED_OPERATIONS_FAIL_NOT_SUPPORTED,
            ),
            (
                true,
                Flaws {
                    accepts_tampered: true,
                    ..Flaws::default()
                },
                conformance::WEBHOOK_REJECTS_TAMPERING,
            ),
            (
                false,
                Flaws {
                    accepts_tampered: true,
                    ..Flaws::default()
                },
                conformance::WEBHOOK_REJECTS_TAMPERING,
            ),
            (
                true,
                Flaws {
                    event_authenticated: true,
                    ..Flaws::default()
                },
                conformance::WEBHOOK_SAMPLE_VERIFIES,
            ),
            (
                true,
                Flaws {
                    debug_shows_secret: true,
                    ..Flaws::default()
                },
                conformance::DEBUG_HIDES_SECRETS,
            ),
            (
                true,
                Flaws {
                    declines_as_error: true,
                    ..Flaws::default()
                },
                conformance::DECLINES_ARE_DATA,
            ),
            (
                true,
                Flaws {
                    event_id_per_delivery: true,
                    ..Flaws::default()
                },
                conformance::WEBHOOK_DUPLICATES_DETECTED,
            ),
            (
                true,
                Flaws {
                    id_changes: true,
                    ..Flaws::default()
                },
                conformance::CREATE_THEN_GET,
            ),
        ];
        for (full, flaws, check) in cases {
            let toy = Toy::new(full, flaws);
            let report = run(&toy).await;
            assert!(
                matches!(report.outcome(check), Some(Outcome::Failed(_))),
                "{flaws:?} should fail {check}: {report}"
            );
            assert!(!report.is_success());
        }
    })
    .await;
}

#[tokio::test]
async fn bad_status_maps_and_missing_inputs_fail() {
    within(async {
        let toy = Toy::new(true, Flaws::default());
        let lossy = |raw: &str| match raw {
            "paid" => PaymentStatus::Captured,
            // An undocumented value guessed as success: the classic bug.
            _ => PaymentStatus::Captured,
        };
        let subject = Subject::new(&toy, factory).with_statuses(&["paid"], lossy);
        let report = conformance::run(&subject).await;
        assert!(
            matches!(
                report.outcome(conformance::UNKNOWN_STATUS_IS_UNKNOWN),
                Some(Outcome::Failed(why)) if why.contains("mapped to captured")
            ),
            "{report}"
        );
        // No signed sample although the adapter implements webhooks.
        assert!(matches!(
            report.outcome(conformance::WEBHOOK_SAMPLE_VERIFIES),
            Some(Outcome::Failed(_))
        ));
        assert!(matches!(
            report.outcome(conformance::DEBUG_HIDES_SECRETS),
            Some(Outcome::Skipped(_))
        ));

        let partial = |raw: &str| match raw {
            "paid" => PaymentStatus::Captured,
            other => PaymentStatus::Unknown(other.to_owned()),
        };
        let subject = Subject::new(&toy, factory).with_statuses(DOCUMENTED, partial);
        let report = conformance::run(&subject).await;
        assert!(
            matches!(
                report.outcome(conformance::DOCUMENTED_STATUSES_MAP),
                Some(Outcome::Failed(why)) if why.contains("pending, authorised")
            ),
            "{report}"
        );

        let subject = Subject::new(&toy, factory);
        let report = conformance::run(&subject).await;
        assert!(matches!(
            report.outcome(conformance::DOCUMENTED_STATUSES_MAP),
            Some(Outcome::Failed(_))
        ));
        assert!(format!("{subject:?}").contains("toy"));
    })
    .await;
}

#[tokio::test]
async fn ids_may_change_where_the_provider_documents_it() {
    within(async {
        let toy = Toy::new(
            true,
            Flaws {
                id_changes: true,
                declares_changing_ids: true,
                ..Flaws::default()
            },
        );
        let report = run(&toy).await;
        assert!(report.passed(conformance::CREATE_THEN_GET), "{report}");
        assert!(report.passed(conformance::FIND_BY_REFERENCE), "{report}");
    })
    .await;
}
