//! The conformance kit: checks every adapter must pass against its fake server, in the
//! spirit of Omnipay's `GatewayTestCase`.
//!
//! An adapter's integration test starts its provider's fake, builds the adapter against
//! it, describes what the kit needs in a [`Subject`], and runs [`run`]:
//!
//! ```
//! # use pay_core::*;
//! # use pay_testkit::conformance::{self, Subject};
//! # #[derive(Debug)]
//! # struct Adapter(Capabilities);
//! # impl Provider for Adapter {
//! #     fn id(&self) -> ProviderId { ProviderId::new("adapter") }
//! #     fn capabilities(&self) -> &Capabilities { &self.0 }
//! #     fn environment(&self) -> Environment { Environment::Sandbox }
//! # }
//! # fn map_status(raw: &str) -> PaymentStatus {
//! #     match raw { "paid" => PaymentStatus::Captured, other => PaymentStatus::Unknown(other.to_owned()) }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! # let adapter = Adapter(Capabilities::new(AmountEncoding::MinorUnits, IdempotencySupport::None, WebhookAuth::None));
//! let subject = Subject::new(&adapter, |reference| {
//!     let amount = Money::parse_major("12.50", Currency::EUR).expect("amount");
//!     CreatePayment::new(amount, reference, PaymentMethod::HostedPage).expect("request")
//! })
//! .with_statuses(&["paid"], map_status);
//! let report = conformance::run(&subject).await;
//! // This stand-in implements no payments at all, so the lifecycle checks fail:
//! assert!(!report.passed(conformance::CREATE_THEN_GET));
//! assert!(report.passed(conformance::DOCUMENTED_STATUSES_MAP));
//! // A real adapter's test ends with `report.assert_all_pass()`.
//! # }
//! ```
//!
//! Each check has a name (the constants below) and ends [`Passed`](Outcome::Passed),
//! [`Failed`](Outcome::Failed) with the reason, or [`Skipped`](Outcome::Skipped) when it
//! does not apply (a capability the provider does not declare). Nothing panics inside the
//! kit; [`Report::assert_all_pass`] fails the test with every failure listed.

use std::fmt;

use pay_core::{
    AmountEncoding, CallOptions, Capability, CaptureMode, CaptureRequest, CreatePayment, Currency,
    ErrorKind, InMemorySeenEvents, MerchantReference, Money, PayError, Payment, PaymentStatus,
    Provider, ProviderPaymentId, RawWebhook, RefundRequest, RefundStatus, Rule, Trust, VoidRequest,
    WebhookAuth,
};

/// Declared capabilities agree with the `as_*` accessors, both ways.
pub const CAPABILITIES_MATCH_TRAITS: &str = "capabilities_match_traits";
/// Capabilities that need another one declare it (partial capture needs capture…).
pub const IMPLIED_CAPABILITIES: &str = "implied_capabilities";
/// The declared amount encoding writes and reads back amounts of exponents 0, 2 and 3.
pub const AMOUNT_ENCODING_ROUND_TRIPS: &str = "amount_encoding_round_trips";
/// Capabilities that need data declare it (subscriptions list their intervals).
pub const CAPABILITY_DETAILS: &str = "capability_details";
/// A payment is created, then read back with the same amount and reference, and the same
/// id unless the provider documents that ids change
/// ([`Capabilities::payment_id_may_change`](pay_core::Capabilities::payment_id_may_change)).
pub const CREATE_THEN_GET: &str = "create_then_get";
/// A declined payment the provider created comes back as `Ok` with status `failed` and
/// an id; `Err(Declined)` only when nothing exists at the provider (checked by reference).
pub const DECLINES_ARE_DATA: &str = "declines_are_data";
/// A created payment is found by its merchant reference; an unused reference is not.
pub const FIND_BY_REFERENCE: &str = "find_by_reference";
/// An authorise-only payment is authorised, then captured in full.
pub const CAPTURE: &str = "capture";
/// An authorise-only payment is captured in part.
pub const PARTIAL_CAPTURE: &str = "partial_capture";
/// An authorise-only payment is voided: it ends final and not a success (canceled, or
/// failed where the provider has no cancelled status), reads back the same, and can no
/// longer be captured.
pub const VOID: &str = "void";
/// A captured payment is refunded in full.
///
/// Runs when `Refund` is declared. Precondition: the factory's payment is captured at once
/// (status `captured`, `paid` or what the provider calls it; otherwise the check fails
/// naming the status). The fake must accept a full refund at once or leave it pending.
/// The refund must name the payment and be `succeeded` or `pending`; unless
/// [`Subject::with_refunds_without_amount`], its amount is the payment's. Read back, a
/// payment whose refund succeeded is `refunded` when one of the provider's documented
/// statuses maps to `refunded` (any known status otherwise), and its `refunded` total,
/// when reported, is the whole amount.
pub const REFUND: &str = "refund";
/// A captured payment is refunded in part (and the rest, with multiple refunds).
///
/// Runs when `PartialRefund` is declared, on a payment captured at once as for [`REFUND`].
/// The fake must refund the smaller half of the amount and report what is left. The refund
/// amount (unless [`Subject::with_refunds_without_amount`]) and the payment's `refunded`
/// total (when reported) are that half; the payment reads back `partially_refunded` when a
/// documented status maps to it (any known status otherwise). With `MultipleRefunds`, a
/// second refund of the rest makes it `refunded` (when documented).
pub const PARTIAL_REFUND: &str = "partial_refund";
/// Operations the provider does not declare fail with `NotSupported`.
pub const UNDECLARED_OPERATIONS_FAIL_NOT_SUPPORTED: &str =
    "undeclared_operations_fail_not_supported";
/// Every documented provider status maps to a known [`PaymentStatus`].
pub const DOCUMENTED_STATUSES_MAP: &str = "documented_statuses_map";
/// An undocumented status maps to `Unknown`, which is not a success.
pub const UNKNOWN_STATUS_IS_UNKNOWN: &str = "unknown_status_is_unknown";
/// The adapter's own signed webhook sample verifies and parses into a hint.
pub const WEBHOOK_SAMPLE_VERIFIES: &str = "webhook_sample_verifies";
/// Tampered webhooks are rejected before parsing.
pub const WEBHOOK_REJECTS_TAMPERING: &str = "webhook_rejects_tampering";
/// The same notification delivered twice is handled once (`handle_once` says
/// `Duplicate` the second time).
pub const WEBHOOK_DUPLICATES_DETECTED: &str = "webhook_duplicates_detected";
/// The adapter's `Debug` output shows none of the given secrets.
pub const DEBUG_HIDES_SECRETS: &str = "debug_hides_secrets";

/// Every check, in the order [`run`] runs them.
pub const ALL_CHECKS: &[&str] = &[
    CAPABILITIES_MATCH_TRAITS,
    IMPLIED_CAPABILITIES,
    CAPABILITY_DETAILS,
    AMOUNT_ENCODING_ROUND_TRIPS,
    CREATE_THEN_GET,
    DECLINES_ARE_DATA,
    FIND_BY_REFERENCE,
    CAPTURE,
    PARTIAL_CAPTURE,
    VOID,
    REFUND,
    PARTIAL_REFUND,
    UNDECLARED_OPERATIONS_FAIL_NOT_SUPPORTED,
    DOCUMENTED_STATUSES_MAP,
    UNKNOWN_STATUS_IS_UNKNOWN,
    WEBHOOK_SAMPLE_VERIFIES,
    WEBHOOK_REJECTS_TAMPERING,
    WEBHOOK_DUPLICATES_DETECTED,
    DEBUG_HIDES_SECRETS,
];

type PaymentFactory<'a> = Box<dyn Fn(MerchantReference) -> CreatePayment + Send + Sync + 'a>;
type StatusMap<'a> = Box<dyn Fn(&str) -> PaymentStatus + Send + Sync + 'a>;

/// What the kit needs to know about one adapter.
///
/// - The adapter, behind `&dyn Provider`, already pointed at its fake server.
/// - A factory of valid [`CreatePayment`] requests for the given merchant reference,
///   which the fake completes at once (a magic card that is authorised, for example).
///   The kit turns it into an authorise-only request for the capture and void checks.
/// - The provider's documented payment statuses and the adapter's mapping of them
///   ([`with_statuses`](Self::with_statuses), required).
/// - A notification signed the way the provider signs them
///   ([`with_signed_webhook`](Self::with_signed_webhook), required when the adapter
///   implements webhooks).
/// - Optionally, a factory of requests the fake declines
///   ([`with_declined_payment`](Self::with_declined_payment)), for the declines-as-data
///   contract, and secrets the adapter holds ([`with_secrets`](Self::with_secrets)).
pub struct Subject<'a> {
    provider: &'a dyn Provider,
    payment: PaymentFactory<'a>,
    declined: Option<PaymentFactory<'a>>,
    statuses: Option<(Vec<String>, StatusMap<'a>)>,
    signed_webhook: Option<RawWebhook>,
    secrets: Vec<String>,
    options: CallOptions,
    reference_prefix: String,
    refund_amounts_reported: bool,
}

impl fmt::Debug for Subject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("provider", &self.provider.id())
            .field("statuses", &self.statuses.as_ref().map(|(s, _)| s.len()))
            .field("signed_webhook", &self.signed_webhook)
            .field("secrets", &self.secrets.len())
            .field("reference_prefix", &self.reference_prefix)
            .finish_non_exhaustive()
    }
}

impl<'a> Subject<'a> {
    /// An adapter and its factory of valid payment requests.
    pub fn new(
        provider: &'a dyn Provider,
        payment: impl Fn(MerchantReference) -> CreatePayment + Send + Sync + 'a,
    ) -> Self {
        Self {
            provider,
            payment: Box::new(payment),
            declined: None,
            statuses: None,
            signed_webhook: None,
            secrets: Vec::new(),
            options: CallOptions::new(),
            reference_prefix: "conformance".to_owned(),
            refund_amounts_reported: true,
        }
    }

    /// Every payment status the provider documents, and the adapter's mapping.
    #[must_use]
    pub fn with_statuses(
        mut self,
        documented: &[&str],
        map: impl Fn(&str) -> PaymentStatus + Send + Sync + 'a,
    ) -> Self {
        self.statuses = Some((
            documented.iter().map(|s| (*s).to_owned()).collect(),
            Box::new(map),
        ));
        self
    }

    /// A factory of payment requests the fake declines (a magic card number, say). With
    /// it, [`DECLINES_ARE_DATA`] checks the contract of
    /// [`Payments`](pay_core::Payments): a declined payment the provider created is
    /// `Ok` with status `failed`; `Err(Declined)` means nothing exists at the provider.
    #[must_use]
    pub fn with_declined_payment(
        mut self,
        factory: impl Fn(MerchantReference) -> CreatePayment + Send + Sync + 'a,
    ) -> Self {
        self.declined = Some(Box::new(factory));
        self
    }

    /// A notification signed with the adapter's webhook credentials, exactly as the
    /// provider (or its fake) sends one.
    #[must_use]
    pub fn with_signed_webhook(mut self, sample: RawWebhook) -> Self {
        self.signed_webhook = Some(sample);
        self
    }

    /// Secrets the adapter was built with (API keys, webhook secrets); its `Debug` output
    /// must show none of them.
    #[must_use]
    pub fn with_secrets(mut self, secrets: &[&str]) -> Self {
        self.secrets = secrets.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Options for every call the kit makes.
    #[must_use]
    pub fn with_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// The provider's refund answers carry no amount, so the adapter's `Refund::amount` can
    /// only repeat what was asked: [`REFUND`] and [`PARTIAL_REFUND`] then do not compare it,
    /// and judge the refund by the payment read back instead (its `refunded` total when the
    /// provider reports one, and its status).
    #[must_use]
    pub fn with_refunds_without_amount(mut self) -> Self {
        self.refund_amounts_reported = false;
        self
    }

    /// The start of every merchant reference the kit makes (`conformance` by default),
    /// for providers with rules on references.
    #[must_use]
    pub fn with_reference_prefix(mut self, prefix: &str) -> Self {
        self.reference_prefix = prefix.to_owned();
        self
    }
}

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// It held.
    Passed,
    /// It did not; why.
    Failed(String),
    /// It does not apply to this adapter; why.
    Skipped(String),
}

/// One check's name and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    name: &'static str,
    outcome: Outcome,
}

impl CheckResult {
    /// The check's name (one of [`ALL_CHECKS`]).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How it ended.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
}

/// The outcome of every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    results: Vec<CheckResult>,
}

impl Report {
    /// Every check, in the order run.
    pub fn results(&self) -> &[CheckResult] {
        &self.results
    }

    /// The outcome of check `name`.
    pub fn outcome(&self, name: &str) -> Option<&Outcome> {
        self.results
            .iter()
            .find(|r| r.name == name)
            .map(|r| &r.outcome)
    }

    /// Whether check `name` passed.
    pub fn passed(&self, name: &str) -> bool {
        self.outcome(name) == Some(&Outcome::Passed)
    }

    /// The failed checks.
    pub fn failures(&self) -> Vec<&CheckResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .collect()
    }

    /// Whether no check failed (skipped ones do not count).
    pub fn is_success(&self) -> bool {
        self.failures().is_empty()
    }

    /// Fails the test unless every check passed or was skipped.
    ///
    /// # Panics
    /// When a check failed, listing every failure.
    pub fn assert_all_pass(&self) {
        assert!(self.is_success(), "{self}");
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().len();
        write!(
            f,
            "conformance: {} checks, {failed} failed",
            self.results.len()
        )?;
        for result in &self.results {
            match &result.outcome {
                Outcome::Passed => write!(f, "\n  ok      {}", result.name)?,
                Outcome::Failed(why) => write!(f, "\n  FAILED  {}: {why}", result.name)?,
                Outcome::Skipped(why) => write!(f, "\n  skipped {}: {why}", result.name)?,
            }
        }
        Ok(())
    }
}

/// Runs every check against `subject` and reports each outcome. Calls go to the
/// adapter's fake server; nothing else is contacted.
pub async fn run(subject: &Subject<'_>) -> Report {
    let mut kit = Kit {
        subject,
        counter: 0,
        results: Vec::new(),
    };
    kit.record(
        CAPABILITIES_MATCH_TRAITS,
        capabilities_match_traits(subject),
    );
    kit.record(IMPLIED_CAPABILITIES, implied_capabilities(subject));
    kit.record(CAPABILITY_DETAILS, capability_details(subject));
    kit.record(
        AMOUNT_ENCODING_ROUND_TRIPS,
        amount_encoding_round_trips(subject),
    );
    let created = kit.create_then_get().await;
    let outcome = kit.declines_are_data().await;
    kit.record(DECLINES_ARE_DATA, outcome);
    let outcome = kit.find_by_reference(created.as_ref()).await;
    kit.record(FIND_BY_REFERENCE, outcome);
    let outcome = kit.capture(false).await;
    kit.record(CAPTURE, outcome);
    let outcome = kit.capture(true).await;
    kit.record(PARTIAL_CAPTURE, outcome);
    let outcome = kit.void().await;
    kit.record(VOID, outcome);
    let outcome = kit.refund().await;
    kit.record(REFUND, outcome);
    let outcome = kit.partial_refund().await;
    kit.record(PARTIAL_REFUND, outcome);
    let outcome = kit.undeclared_operations().await;
    kit.record(UNDECLARED_OPERATIONS_FAIL_NOT_SUPPORTED, outcome);
    kit.record(DOCUMENTED_STATUSES_MAP, documented_statuses_map(subject));
    kit.record(
        UNKNOWN_STATUS_IS_UNKNOWN,
        unknown_status_is_unknown(subject),
    );
    kit.record(WEBHOOK_SAMPLE_VERIFIES, webhook_sample_verifies(subject));
    kit.record(
        WEBHOOK_REJECTS_TAMPERING,
        webhook_rejects_tampering(subject),
    );
    let outcome = webhook_duplicates_detected(subject).await;
    kit.record(WEBHOOK_DUPLICATES_DETECTED, outcome);
    kit.record(DEBUG_HIDES_SECRETS, debug_hides_secrets(subject));
    Report {
        results: kit.results,
    }
}

/// A check's result before it is named: `Ok(())` passes.
type Verdict = Result<(), Outcome>;

fn fail(why: impl Into<String>) -> Outcome {
    Outcome::Failed(why.into())
}

fn skip(why: impl Into<String>) -> Outcome {
    Outcome::Skipped(why.into())
}

fn ensure(condition: bool, why: impl FnOnce() -> String) -> Verdict {
    if condition { Ok(()) } else { Err(fail(why())) }
}

fn call_failed(what: &str, err: &PayError) -> Outcome {
    fail(format!("{what} failed: {err}"))
}

struct Kit<'s, 'a> {
    subject: &'s Subject<'a>,
    counter: u32,
    results: Vec<CheckResult>,
}

impl Kit<'_, '_> {
    fn record(&mut self, name: &'static str, verdict: Verdict) {
        let outcome = match verdict {
            Ok(()) => Outcome::Passed,
            Err(outcome) => outcome,
        };
        self.results.push(CheckResult { name, outcome });
    }

    /// Whether one of the provider's documented statuses maps to `status`; without
    /// [`Subject::with_statuses`] every status counts as documented.
    fn documents(&self, status: &PaymentStatus) -> bool {
        match &self.subject.statuses {
            Some((documented, map)) => documented.iter().any(|s| &map(s) == status),
            None => true,
        }
    }

    fn caps(&self) -> &pay_core::Capabilities {
        self.subject.provider.capabilities()
    }

    fn next_reference(&mut self) -> Result<MerchantReference, Outcome> {
        self.counter += 1;
        let text = format!("{}-{}", self.subject.reference_prefix, self.counter);
        MerchantReference::new(text).map_err(|e| fail(format!("merchant reference: {e}")))
    }

    fn request(&mut self, capture: CaptureMode) -> Result<CreatePayment, Outcome> {
        let reference = self.next_reference()?;
        let mut request = (self.subject.payment)(reference);
        request.capture = capture;
        Ok(request)
    }

    async fn create(&mut self, capture: CaptureMode) -> Result<(CreatePayment, Payment), Outcome> {
        let payments =
            self.subject.provider.as_payments().ok_or_else(|| {
                fail("the adapter does not implement Payments (as_payments is None)")
            })?;
        let request = self.request(capture)?;
        let payment = payments
            .create_payment(&request, &self.subject.options)
            .await
            .map_err(|e| call_failed("create_payment", &e))?;
        ensure(payment.amount == request.amount(), || {
            format!(
                "create_payment returned amount {}, asked for {}",
                payment.amount,
                request.amount()
            )
        })?;
        ensure(!payment.status.is_unknown(), || {
            format!(
                "create_payment returned an unknown status (provider status `{}`)",
                payment.provider_status
            )
        })?;
        Ok((request, payment))
    }

    /// Reads `payment` back: by its payment id, or through its checkout while it has none.
    async fn get(&self, payment: &Payment) -> Result<Payment, Outcome> {
        let provider = self.subject.provider;
        match (&payment.id, &payment.checkout_id) {
            (Some(id), _) => provider
                .as_payments()
                .ok_or_else(|| fail("the adapter does not implement Payments"))?
                .get_payment(id, &self.subject.options)
                .await
                .map_err(|e| call_failed("get_payment", &e)),
            (None, Some(checkout)) => provider
                .as_checkouts()
                .ok_or_else(|| fail("a payment with only a checkout id, but as_checkouts is None"))?
                .get_checkout(checkout, &self.subject.options)
                .await
                .map_err(|e| call_failed("get_checkout", &e)),
            (None, None) => Err(fail(
                "the payment has neither a payment id nor a checkout id",
            )),
        }
    }

    /// The id of a payment that must have one by now.
    fn id_of(payment: &Payment, what: &str) -> Result<ProviderPaymentId, Outcome> {
        payment.id.clone().ok_or_else(|| {
            fail(format!(
                "{what}: the payment has no provider id (status {})",
                payment.status
            ))
        })
    }

    /// Whether two reads of one payment agree on its id, as far as the provider promises.
    fn same_id(&self, a: &Payment, b: &Payment) -> bool {
        self.caps().payment_id_may_change || a.id.is_none() || a.id == b.id
    }

    async fn create_then_get(&mut self) -> Option<(CreatePayment, Payment)> {
        let result = async {
            let (request, created) = self.create(CaptureMode::Automatic).await?;
            ensure(
                !matches!(
                    created.status,
                    PaymentStatus::Failed | PaymentStatus::Canceled | PaymentStatus::Expired
                ),
                || {
                    format!(
                        "the factory's payment ended {} at once; it should be one the fake completes",
                        created.status
                    )
                },
            )?;
            let got = self.get(&created).await?;
            ensure(self.same_id(&created, &got), || {
                format!(
                    "get_payment returned id {:?}, asked for {:?} (the provider does not declare changing ids)",
                    got.id, created.id
                )
            })?;
            ensure(got.amount == request.amount(), || {
                format!(
                    "get_payment returned amount {}, created {}",
                    got.amount,
                    request.amount()
                )
            })?;
            ensure(!got.status.is_unknown(), || {
                format!(
                    "get_payment returned an unknown status (provider status `{}`)",
                    got.provider_status
                )
            })?;
            ensure(!created.status.is_success() || got.status.is_success(), || {
                format!("created {}, then read back as {}", created.status, got.status)
            })?;
            if let Some(reference) = &got.reference {
                ensure(reference == request.reference(), || {
                    format!(
                        "get_payment returned reference {reference}, created with {}",
                        request.reference()
                    )
                })?;
            }
            Ok((request, created))
        }
        .await;
        match result {
            Ok(created) => {
                self.record(CREATE_THEN_GET, Ok(()));
                Some(created)
            }
            Err(outcome) => {
                self.record(CREATE_THEN_GET, Err(outcome));
                None
            }
        }
    }

    async fn declines_are_data(&mut self) -> Verdict {
        let Some(factory) = &self.subject.declined else {
            return Err(skip(
                "no declining payment factory given (Subject::with_declined_payment)",
            ));
        };
        let payments = self
            .subject
            .provider
            .as_payments()
            .ok_or_else(|| fail("the adapter does not implement Payments"))?;
        let reference = self.next_reference()?;
        let request = factory(reference.clone());
        match payments
            .create_payment(&request, &self.subject.options)
            .await
        {
            Ok(payment) => {
                ensure(payment.status == PaymentStatus::Failed, || {
                    format!(
                        "a declined payment came back as {} (provider status `{}`), expected failed",
                        payment.status, payment.provider_status
                    )
                })?;
                ensure(
                    payment.id.is_some() || payment.checkout_id.is_some(),
                    || "a declined payment returned as Ok has no id to read it back by".to_owned(),
                )?;
                let got = self.get(&payment).await?;
                ensure(got.status == PaymentStatus::Failed, || {
                    format!("a declined payment reads back as {}", got.status)
                })
            }
            Err(err) if err.is_declined() => {
                // Nothing may exist at the provider: a reference search must find nothing.
                if !self.caps().supports(Capability::FindByReference) {
                    return Ok(());
                }
                let found = payments
                    .find_by_reference(&reference, &self.subject.options)
                    .await
                    .map_err(|e| call_failed("find_by_reference after a decline", &e))?;
                ensure(found.is_none(), || {
                    "create_payment answered Err(Declined), but the provider holds a payment for the reference: a payment that exists must be returned as Ok(Payment { status: Failed })".to_owned()
                })
            }
            Err(err) => Err(call_failed("create_payment (declined factory)", &err)),
        }
    }

    async fn find_by_reference(&mut self, created: Option<&(CreatePayment, Payment)>) -> Verdict {
        if !self.caps().supports(Capability::FindByReference) {
            return Err(skip("FindByReference is not declared"));
        }
        let Some((request, payment)) = created else {
            return Err(skip("needs the payment of create_then_get, which failed"));
        };
        let payments = self
            .subject
            .provider
            .as_payments()
            .ok_or_else(|| fail("the adapter does not implement Payments"))?;
        let found = payments
            .find_by_reference(request.reference(), &self.subject.options)
            .await
            .map_err(|e| call_failed("find_by_reference", &e))?;
        match found {
            Some(found) => ensure(self.same_id(payment, &found), || {
                format!("found payment {:?}, created {:?}", found.id, payment.id)
            })?,
            None => {
                return Err(fail(
                    "find_by_reference did not find a payment just created",
                ));
            }
        }
        let unused = self.next_reference()?;
        let nothing = payments
            .find_by_reference(&unused, &self.subject.options)
            .await
            .map_err(|e| call_failed("find_by_reference (unused reference)", &e))?;
        ensure(nothing.is_none(), || {
            "find_by_reference found a payment for a reference never used".to_owned()
        })
    }

    async fn authorised(&mut self) -> Result<(CreatePayment, Payment), Outcome> {
        let (request, payment) = self.create(CaptureMode::Manual).await?;
        ensure(payment.status == PaymentStatus::Authorized, || {
            format!(
                "an authorise-only payment was {} (provider status `{}`), expected authorized",
                payment.status, payment.provider_status
            )
        })?;
        Ok((request, payment))
    }

    async fn capture(&mut self, partial: bool) -> Verdict {
        let needed = if partial {
            Capability::PartialCapture
        } else {
            Capability::Capture
        };
        if !self.caps().supports(needed) {
            return Err(skip(format!("{} is not declared", needed.as_str())));
        }
        let capture = self
            .subject
            .provider
            .as_capture()
            .ok_or_else(|| fail("Capture is declared but as_capture is None"))?;
        let (request, payment) = self.authorised().await?;
        let id = Self::id_of(&payment, "capture")?;
        let (amount, capture_request) = if partial {
            let part = smaller_half(request.amount())?;
            let req = CaptureRequest::partial(id, part)
                .map_err(|e| fail(format!("capture request: {e}")))?;
            (Some(part), req)
        } else {
            (None, CaptureRequest::full(id))
        };
        let captured = capture
            .capture(
                &capture_request.with_descriptive("conformance capture"),
                &self.subject.options,
            )
            .await
            .map_err(|e| call_failed("capture", &e))?;
        ensure(captured.status == PaymentStatus::Captured, || {
            format!(
                "after capture the payment was {}, expected captured",
                captured.status
            )
        })?;
        let expected = amount.unwrap_or(request.amount());
        if let Some(taken) = captured.captured {
            ensure(taken == expected, || {
                format!("captured {taken}, expected {expected}")
            })?;
        }
        let got = self.get(&payment).await?;
        ensure(got.status == PaymentStatus::Captured, || {
            format!("a captured payment read back as {}", got.status)
        })
    }

    async fn void(&mut self) -> Verdict {
        if !self.caps().supports(Capability::Void) {
            return Err(skip("void is not declared"));
        }
        let void = self
            .subject
            .provider
            .as_void()
            .ok_or_else(|| fail("Void is declared but as_void is None"))?;
        let (_, payment) = self.authorised().await?;
        let id = Self::id_of(&payment, "void")?;
        let voided = void
            .void(
                &VoidRequest::new(id.clone()).with_descriptive("conformance void"),
                &self.subject.options,
            )
            .await
            .map_err(|e| call_failed("void", &e))?;
        // Providers without a documented cancelled status (Easytransac) report `failed`
        // for a cancelled pre-authorisation; both are final and neither is a success.
        ensure(
            matches!(
                voided.status,
                PaymentStatus::Canceled | PaymentStatus::Failed
            ),
            || {
                format!(
                    "after void the payment was {}, expected canceled (or failed, where the provider has no cancelled status)",
                    voided.status
                )
            },
        )?;
        let got = self.get(&payment).await?;
        ensure(got.status == voided.status, || {
            format!(
                "void reported {}, but the payment reads back as {}",
                voided.status, got.status
            )
        })?;
        if let Some(capture) = self.subject.provider.as_capture() {
            let again = capture
                .capture(&CaptureRequest::full(id), &self.subject.options)
                .await;
            ensure(again.is_err(), || {
                "a voided authorisation could still be captured".to_owned()
            })?;
        }
        Ok(())
    }

    async fn captured_payment(&mut self) -> Result<(CreatePayment, Payment), Outcome> {
        let (request, payment) = self.create(CaptureMode::Automatic).await?;
        ensure(payment.status.is_success(), || {
            format!(
                "refund checks need the factory's payment to be captured at once, but it was {}",
                payment.status
            )
        })?;
        Ok((request, payment))
    }

    async fn refund(&mut self) -> Verdict {
        if !self.caps().supports(Capability::Refund) {
            return Err(skip("refund is not declared"));
        }
        let refunds = self
            .subject
            .provider
            .as_refunds()
            .ok_or_else(|| fail("Refund is declared but as_refunds is None"))?;
        let (request, payment) = self.captured_payment().await?;
        let id = Self::id_of(&payment, "refund")?;
        let refund = refunds
            .refund(&RefundRequest::full(id.clone()), &self.subject.options)
            .await
            .map_err(|e| call_failed("refund", &e))?;
        if self.subject.refund_amounts_reported {
            ensure(refund.amount == request.amount(), || {
                format!(
                    "refunded {}, expected the whole {}",
                    refund.amount,
                    request.amount()
                )
            })?;
        }
        ensure(refund.payment_id == id, || {
            format!("the refund names payment {}, not {id}", refund.payment_id)
        })?;
        ensure(
            matches!(
                refund.status,
                RefundStatus::Succeeded | RefundStatus::Pending
            ),
            || format!("the refund was {}", refund.status),
        )?;
        let got = self.get(&payment).await?;
        if refund.status == RefundStatus::Succeeded {
            if self.documents(&PaymentStatus::Refunded) {
                ensure(got.status == PaymentStatus::Refunded, || {
                    format!("a fully refunded payment read back as {}", got.status)
                })?;
            } else {
                // No documented status says "refunded": the payment keeps a known status.
                ensure(!matches!(got.status, PaymentStatus::Unknown(_)), || {
                    format!("a fully refunded payment read back as {}", got.status)
                })?;
            }
        }
        if let Some(refunded) = got.refunded {
            ensure(refunded == request.amount(), || {
                format!(
                    "the payment says {refunded} refunded, expected {}",
                    request.amount()
                )
            })?;
        }
        Ok(())
    }

    async fn partial_refund(&mut self) -> Verdict {
        if !self.caps().supports(Capability::PartialRefund) {
            return Err(skip("partial_refund is not declared"));
        }
        let refunds = self
            .subject
            .provider
            .as_refunds()
            .ok_or_else(|| fail("PartialRefund is declared but as_refunds is None"))?;
        let (request, payment) = self.captured_payment().await?;
        let id = Self::id_of(&payment, "partial refund")?;
        let part = smaller_half(request.amount())?;
        let partial = RefundRequest::partial(id.clone(), part)
            .map_err(|e| fail(format!("refund request: {e}")))?;
        let refund = refunds
            .refund(&partial, &self.subject.options)
            .await
            .map_err(|e| call_failed("partial refund", &e))?;
        if self.subject.refund_amounts_reported {
            ensure(refund.amount == part, || {
                format!("refunded {}, asked for {part}", refund.amount)
            })?;
        }
        let got = self.get(&payment).await?;
        if let Some(refunded) = got.refunded {
            ensure(refunded == part, || {
                format!("the payment says {refunded} refunded, expected {part}")
            })?;
        }
        if refund.status == RefundStatus::Succeeded {
            if self.documents(&PaymentStatus::PartiallyRefunded) {
                ensure(got.status == PaymentStatus::PartiallyRefunded, || {
                    format!("a partly refunded payment read back as {}", got.status)
                })?;
            } else {
                ensure(!matches!(got.status, PaymentStatus::Unknown(_)), || {
                    format!("a partly refunded payment read back as {}", got.status)
                })?;
            }
        }
        if !self.caps().supports(Capability::MultipleRefunds) {
            return Ok(());
        }
        let rest = request
            .amount()
            .checked_sub(part)
            .map_err(|e| fail(format!("amount arithmetic: {e}")))?;
        let second =
            RefundRequest::partial(id, rest).map_err(|e| fail(format!("refund request: {e}")))?;
        let refund = refunds
            .refund(&second, &self.subject.options)
            .await
            .map_err(|e| call_failed("second partial refund", &e))?;
        let got = self.get(&payment).await?;
        if refund.status == RefundStatus::Succeeded && self.documents(&PaymentStatus::Refunded) {
            ensure(got.status == PaymentStatus::Refunded, || {
                format!(
                    "a payment refunded in two parts read back as {}",
                    got.status
                )
            })?;
        }
        Ok(())
    }

    async fn undeclared_operations(&mut self) -> Verdict {
        let mut tried = Vec::new();
        let caps = self.caps().clone();
        let provider = self.subject.provider;
        if !caps.supports(Capability::FindByReference)
            && let Some(payments) = provider.as_payments()
        {
            let reference = self.next_reference()?;
            let result = payments
                .find_by_reference(&reference, &self.subject.options)
                .await
                .map(|_| ());
            expect_not_supported("find_by_reference", result, Capability::FindByReference)?;
            tried.push("find_by_reference");
        }
        if caps.supports(Capability::Capture)
            && !caps.supports(Capability::PartialCapture)
            && let Some(capture) = provider.as_capture()
        {
            let (request, payment) = self.authorised().await?;
            let part = smaller_half(request.amount())?;
            let partial = CaptureRequest::partial(Self::id_of(&payment, "partial capture")?, part)
                .map_err(|e| fail(format!("capture request: {e}")))?;
            let result = capture
                .capture(&partial, &self.subject.options)
                .await
                .map(|_| ());
            expect_not_supported("partial capture", result, Capability::PartialCapture)?;
            tried.push("partial capture");
        }
        if caps.supports(Capability::Refund)
            && !caps.supports(Capability::PartialRefund)
            && let Some(refunds) = provider.as_refunds()
        {
            let (request, payment) = self.captured_payment().await?;
            let part = smaller_half(request.amount())?;
            let partial = RefundRequest::partial(Self::id_of(&payment, "partial refund")?, part)
                .map_err(|e| fail(format!("refund request: {e}")))?;
            let result = refunds
                .refund(&partial, &self.subject.options)
                .await
                .map(|_| ());
            expect_not_supported("partial refund", result, Capability::PartialRefund)?;
            tried.push("partial refund");
        }
        if tried.is_empty() {
            Err(skip("every operation the kit can try is declared"))
        } else {
            Ok(())
        }
    }
}

fn expect_not_supported(
    what: &str,
    result: Result<(), PayError>,
    capability: Capability,
) -> Verdict {
    match result {
        Ok(()) => Err(fail(format!(
            "{what} succeeded, but {} is not declared",
            capability.as_str()
        ))),
        Err(err) => match err.kind() {
            ErrorKind::NotSupported { capability: named } if *named == capability => Ok(()),
            other => Err(fail(format!(
                "{what} failed with {other:?}, expected NotSupported {{ capability: {capability:?} }}"
            ))),
        },
    }
}

/// The smaller half of an amount (at least one minor unit).
fn smaller_half(amount: Money) -> Result<Money, Outcome> {
    let shares = amount
        .allocate(&[1, 1])
        .map_err(|e| fail(format!("amount arithmetic: {e}")))?;
    match shares.last() {
        Some(half) if half.is_positive() => Ok(*half),
        _ => Err(fail(format!(
            "the factory's amount {amount} is too small to split; use at least two minor units"
        ))),
    }
}

const OPTIONAL: &[(Capability, &str)] = &[
    (Capability::Capture, "as_capture"),
    (Capability::Void, "as_void"),
    (Capability::Refund, "as_refunds"),
    (Capability::Mandates, "as_mandates"),
    (Capability::Payouts, "as_payouts"),
    (Capability::Webhooks, "as_webhooks"),
    (Capability::Checkouts, "as_checkouts"),
    (Capability::Disputes, "as_disputes"),
];

fn capabilities_match_traits(subject: &Subject<'_>) -> Verdict {
    let provider = subject.provider;
    let caps = provider.capabilities();
    let mut problems = Vec::new();
    if provider.as_payments().is_none() {
        problems.push("as_payments is None; every adapter implements Payments".to_owned());
    }
    for (capability, accessor) in OPTIONAL {
        let implemented = match capability {
            Capability::Capture => provider.as_capture().is_some(),
            Capability::Void => provider.as_void().is_some(),
            Capability::Refund => provider.as_refunds().is_some(),
            Capability::Mandates => provider.as_mandates().is_some(),
            Capability::Payouts => provider.as_payouts().is_some(),
            Capability::Checkouts => provider.as_checkouts().is_some(),
            Capability::Disputes => provider.as_disputes().is_some(),
            _ => provider.as_webhooks().is_some(),
        };
        let declared = caps.supports(*capability);
        if declared != implemented {
            problems.push(format!(
                "{} is {} but {accessor} is {}",
                capability.as_str(),
                if declared { "declared" } else { "not declared" },
                if implemented { "Some" } else { "None" },
            ));
        }
    }
    let recurring_declared =
        caps.supports(Capability::Subscriptions) || caps.supports(Capability::Instalments);
    let recurring_implemented = provider.as_recurring().is_some();
    if recurring_declared != recurring_implemented {
        problems.push(format!(
            "subscriptions/instalments are {} but as_recurring is {}",
            if recurring_declared {
                "declared"
            } else {
                "not declared"
            },
            if recurring_implemented {
                "Some"
            } else {
                "None"
            },
        ));
    }
    ensure(problems.is_empty(), || problems.join("; "))
}

fn implied_capabilities(subject: &Subject<'_>) -> Verdict {
    let caps = subject.provider.capabilities();
    let rules = [
        (Capability::PartialCapture, Capability::Capture),
        (Capability::PartialRefund, Capability::Refund),
        (Capability::MultipleRefunds, Capability::PartialRefund),
        (Capability::CancelPayout, Capability::Payouts),
    ];
    let problems: Vec<String> = rules
        .iter()
        .filter(|(declared, needs)| caps.supports(*declared) && !caps.supports(*needs))
        .map(|(declared, needs)| {
            format!(
                "{} is declared without {}",
                declared.as_str(),
                needs.as_str()
            )
        })
        .collect();
    ensure(problems.is_empty(), || problems.join("; "))
}

fn capability_details(subject: &Subject<'_>) -> Verdict {
    let caps = subject.provider.capabilities();
    let mut problems = Vec::new();
    if caps.supports(Capability::Subscriptions) && caps.intervals.is_empty() {
        problems.push("subscriptions are declared without the intervals offered".to_owned());
    }
    if !caps.supports(Capability::Subscriptions) && !caps.intervals.is_empty() {
        problems.push("intervals are declared without subscriptions".to_owned());
    }
    if caps.payment_methods.is_empty() {
        problems.push("no payment method is declared".to_owned());
    }
    ensure(problems.is_empty(), || problems.join("; "))
}

fn amount_encoding_round_trips(subject: &Subject<'_>) -> Verdict {
    let encoding = subject.provider.capabilities().amount_encoding;
    let mut problems = Vec::new();
    for currency in [Currency::JPY, Currency::EUR, Currency::BHD] {
        for minor in [1, 5, 10, 99, 100, 1050, 123_456, 999_999_999] {
            let Ok(money) = Money::from_minor(minor, currency) else {
                continue;
            };
            match encoding.encode(money) {
                Ok(text) => match encoding.decode(&text, currency) {
                    Ok(back) if back == money => {}
                    Ok(back) => {
                        problems.push(format!("{money} went out as `{text}` and came back {back}"))
                    }
                    Err(e) => problems.push(format!(
                        "{money} went out as `{text}` and did not come back: {e}"
                    )),
                },
                // A 3-decimal currency on a 2-decimal JSON number is refused, never rounded.
                Err(e)
                    if matches!(e.rule(), Rule::TooManyDecimals { .. })
                        && matches!(encoding, AmountEncoding::MajorJsonNumber { max_decimals } if max_decimals < money.exponent()) =>
                    {}
                Err(e) => problems.push(format!("{money} could not be encoded: {e}")),
            }
        }
    }
    ensure(problems.is_empty(), || problems.join("; "))
}

fn documented_statuses_map(subject: &Subject<'_>) -> Verdict {
    let Some((documented, map)) = &subject.statuses else {
        return Err(fail("no status table given (Subject::with_statuses)"));
    };
    ensure(!documented.is_empty(), || {
        "the status table is empty".to_owned()
    })?;
    let unknown: Vec<&str> = documented
        .iter()
        .filter(|status| map(status).is_unknown())
        .map(String::as_str)
        .collect();
    ensure(unknown.is_empty(), || {
        format!(
            "documented statuses mapped to Unknown: {}",
            unknown.join(", ")
        )
    })
}

fn unknown_status_is_unknown(subject: &Subject<'_>) -> Verdict {
    let Some((_, map)) = &subject.statuses else {
        return Err(fail("no status table given (Subject::with_statuses)"));
    };
    let raw = "pay-testkit-undocumented-status";
    let status = map(raw);
    ensure(status == PaymentStatus::Unknown(raw.to_owned()), || {
        format!(
            "the undocumented status `{raw}` mapped to {status}, expected Unknown (kept as sent)"
        )
    })?;
    ensure(!status.is_success(), || {
        "Unknown counted as success".to_owned()
    })
}

fn webhook_sample<'s>(
    subject: &'s Subject<'_>,
) -> Result<(&'s dyn pay_core::Webhooks, &'s RawWebhook), Outcome> {
    let Some(webhooks) = subject.provider.as_webhooks() else {
        return Err(skip("the adapter does not implement Webhooks"));
    };
    let sample = subject.signed_webhook.as_ref().ok_or_else(|| {
        fail("the adapter implements Webhooks but no signed sample was given (Subject::with_signed_webhook)")
    })?;
    Ok((webhooks, sample))
}

fn webhook_sample_verifies(subject: &Subject<'_>) -> Verdict {
    let (webhooks, sample) = webhook_sample(subject)?;
    let verified = webhooks
        .verify(sample)
        .map_err(|e| fail(format!("the signed sample was rejected: {e}")))?;
    let event = webhooks
        .parse(&verified)
        .map_err(|e| fail(format!("the verified sample did not parse: {e}")))?;
    let auth = subject.provider.capabilities().webhook_auth;
    ensure(
        !auth.requires_confirmation() || event.trust == Trust::Hint,
        || {
            format!(
                "{auth:?} webhooks prove little, so events must be hints to confirm, but the event was {:?}",
                event.trust
            )
        },
    )
}

fn webhook_rejects_tampering(subject: &Subject<'_>) -> Verdict {
    let (webhooks, sample) = webhook_sample(subject)?;
    let auth = subject.provider.capabilities().webhook_auth;
    let received_at = sample.received_at();
    let mut variants: Vec<(String, RawWebhook)> = Vec::new();
    match auth {
        WebhookAuth::KeyedHash => {
            let body = sample.body();
            if body.is_empty() {
                return Err(fail("the signed sample has an empty body"));
            }
            for (label, index) in [
                ("first", 0),
                ("middle", body.len() / 2),
                ("last", body.len() - 1),
            ] {
                let mut tampered = body.to_vec();
                tampered[index] ^= 0x01;
                variants.push((
                    format!("the {label} body byte flipped"),
                    RawWebhook::new(sample.headers().to_vec(), tampered, received_at),
                ));
            }
        }
        WebhookAuth::StaticCredentials => {
            variants.push((
                "every header removed".to_owned(),
                RawWebhook::new(Vec::new(), sample.body().to_vec(), received_at),
            ));
            let altered = sample
                .headers()
                .iter()
                .map(|(k, v)| (k.clone(), format!("{v}-tampered")))
                .collect();
            variants.push((
                "every header value altered".to_owned(),
                RawWebhook::new(altered, sample.body().to_vec(), received_at),
            ));
        }
        WebhookAuth::None => return Err(skip("the provider does not authenticate webhooks")),
        other => return Err(skip(format!("the kit has no tampering for {other:?} yet"))),
    }
    let accepted: Vec<String> = variants
        .into_iter()
        .filter(|(_, raw)| {
            !matches!(
                webhooks.verify(raw).map_err(|e| e.kind().clone()),
                Err(ErrorKind::WebhookRejected { .. })
            )
        })
        .map(|(label, _)| label)
        .collect();
    ensure(accepted.is_empty(), || {
        format!(
            "verify did not reject (with WebhookRejected) a sample with {}",
            accepted.join(", ")
        )
    })
}

async fn webhook_duplicates_detected(subject: &Subject<'_>) -> Verdict {
    let (webhooks, sample) = webhook_sample(subject)?;
    let seen = InMemorySeenEvents::new();
    let first = webhooks
        .handle_once(sample, &seen)
        .await
        .map_err(|e| fail(format!("the signed sample was refused: {e}")))?;
    ensure(!first.is_duplicate(), || {
        "the first delivery was reported as a duplicate".to_owned()
    })?;
    let second = webhooks
        .handle_once(sample, &seen)
        .await
        .map_err(|e| fail(format!("the second delivery was refused: {e}")))?;
    ensure(second.is_duplicate(), || {
        format!(
            "the same notification delivered twice was not detected (event id `{}`)",
            second.event().id
        )
    })
}

fn debug_hides_secrets(subject: &Subject<'_>) -> Verdict {
    if subject.secrets.is_empty() {
        return Err(skip("no secrets given (Subject::with_secrets)"));
    }
    let shown = format!("{:?}", subject.provider);
    let leaked = subject
        .secrets
        .iter()
        .filter(|secret| shown.contains(secret.as_str()))
        .count();
    ensure(leaked == 0, || {
        format!("the adapter's Debug output shows {leaked} of the given secrets")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_list_failures() {
        let report = Report {
            results: vec![
                CheckResult {
                    name: CAPTURE,
                    outcome: Outcome::Passed,
                },
                CheckResult {
                    name: VOID,
                    outcome: Outcome::Skipped("void is not declared".to_owned()),
                },
                CheckResult {
                    name: REFUND,
                    outcome: Outcome::Failed("the refund was failed".to_owned()),
                },
            ],
        };
        assert!(!report.is_success());
        assert!(report.passed(CAPTURE));
        assert!(!report.passed(VOID));
        assert_eq!(report.failures().len(), 1);
        assert_eq!(report.failures()[0].name(), REFUND);
        assert_eq!(report.outcome("nope"), None);
        assert_eq!(
            report.to_string(),
            "conformance: 3 checks, 1 failed\n  ok      capture\n  skipped void: void is not declared\n  FAILED  refund: the refund was failed"
        );
        let caught = std::panic::catch_unwind(|| report.assert_all_pass());
        assert!(caught.is_err());
        let ok = Report {
            results: report.results[..2].to_vec(),
        };
        ok.assert_all_pass();
    }

    #[test]
    fn halves_are_at_least_one_minor_unit() {
        let eur = |minor| Money::from_minor(minor, Currency::EUR).unwrap();
        assert_eq!(smaller_half(eur(1250)).unwrap(), eur(625));
        assert_eq!(smaller_half(eur(3)).unwrap(), eur(1));
        assert!(matches!(smaller_half(eur(1)), Err(Outcome::Failed(_))));
    }

    #[test]
    fn every_check_is_listed_once() {
        let mut names = ALL_CHECKS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL_CHECKS.len());
    }
}
