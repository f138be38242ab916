//! What a provider can do, declared once per adapter and checked by the conformance kit.

use std::collections::BTreeSet;

use iso_currency::Currency;

use crate::encoding::AmountEncoding;
use crate::recurring::Interval;
use crate::status::PaymentMethodKind;

/// One thing a provider may or may not offer. Optional operations are separate traits
/// (calling one a provider lacks does not compile); this enum is how they are named at
/// run time, in [`Capabilities`] and in [`ErrorKind::NotSupported`](crate::ErrorKind::NotSupported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// Look a payment up by the merchant's reference (reconciliation).
    FindByReference,
    /// Authorise now, capture later ([`Capture`](crate::Capture)).
    Capture,
    /// Capture less than was authorised.
    PartialCapture,
    /// Release an authorisation ([`Void`](crate::Void)).
    Void,
    /// Refund ([`Refunds`](crate::Refunds)).
    Refund,
    /// Refund part of a payment.
    PartialRefund,
    /// Several partial refunds of one payment.
    MultipleRefunds,
    /// SEPA direct-debit mandates ([`Mandates`](crate::Mandates)).
    Mandates,
    /// Subscriptions ([`Recurring`](crate::Recurring)).
    Subscriptions,
    /// Instalment plans ([`Recurring`](crate::Recurring)).
    Instalments,
    /// Payouts to an IBAN ([`Payouts`](crate::Payouts)).
    Payouts,
    /// Incoming notifications ([`Webhooks`](crate::Webhooks)).
    Webhooks,
    /// Hosted pages and checkouts read back by id ([`Checkouts`](crate::Checkouts)).
    Checkouts,
    /// Disputes listed and read ([`Disputes`](crate::Disputes)).
    Disputes,
    /// Cards saved for 1-click charges ([`CreatePayment::save_card`](crate::CreatePayment::save_card)).
    SavedCards,
    /// Scheduled payouts cancelled before they are sent.
    CancelPayout,
}

impl Capability {
    /// Every capability, for exhaustive checks.
    pub const ALL: &'static [Capability] = &[
        Capability::FindByReference,
        Capability::Capture,
        Capability::PartialCapture,
        Capability::Void,
        Capability::Refund,
        Capability::PartialRefund,
        Capability::MultipleRefunds,
        Capability::Mandates,
        Capability::Subscriptions,
        Capability::Instalments,
        Capability::Payouts,
        Capability::Webhooks,
        Capability::Checkouts,
        Capability::Disputes,
        Capability::SavedCards,
        Capability::CancelPayout,
    ];

    /// A stable snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Capability::FindByReference => "find_by_reference",
            Capability::Capture => "capture",
            Capability::PartialCapture => "partial_capture",
            Capability::Void => "void",
            Capability::Refund => "refund",
            Capability::PartialRefund => "partial_refund",
            Capability::MultipleRefunds => "multiple_refunds",
            Capability::Mandates => "mandates",
            Capability::Subscriptions => "subscriptions",
            Capability::Instalments => "instalments",
            Capability::Payouts => "payouts",
            Capability::Webhooks => "webhooks",
            Capability::Checkouts => "checkouts",
            Capability::Disputes => "disputes",
            Capability::SavedCards => "saved_cards",
            Capability::CancelPayout => "cancel_payout",
        }
    }
}

/// Whether and how a provider de-duplicates repeated writes. This decides whether the SDK
/// may retry a write at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdempotencySupport {
    /// The provider de-duplicates requests carrying the same key in `header` (Easypay:
    /// `Idempotency-Key`, at most 50 characters, kept 24 hours). Writes with a key are
    /// retried with the same key.
    Native {
        /// The request header.
        header: &'static str,
        /// The longest key accepted.
        max_key_len: usize,
    },
    /// No de-duplication (Easytransac). Writes are never retried after they may have
    /// reached the provider; a lost answer is an
    /// [`AmbiguousOutcome`](crate::ErrorKind::AmbiguousOutcome), reconciled by merchant
    /// reference.
    None,
}

/// How a provider authenticates its webhooks. Weak schemes make every event a hint that
/// must be confirmed by fetching the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookAuth {
    /// A keyed hash over the fields, without timestamp (Easytransac's SHA-1 signature):
    /// authentic, but replayable.
    KeyedHash,
    /// HTTP Basic credentials or a static token (Easypay): proves little.
    StaticCredentials,
    /// No authentication.
    None,
}

impl WebhookAuth {
    /// Whether events must be confirmed by fetching before acting on them. True for every
    /// scheme without a timestamped signature, which is every scheme our providers have.
    pub fn requires_confirmation(&self) -> bool {
        true
    }
}

/// Which currencies a provider accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Currencies {
    /// Only these.
    Only(Vec<Currency>),
    /// Whatever the merchant account is set up for (checked by the provider).
    AccountDefined,
}

/// What a provider offers, declared by its adapter. The conformance kit checks that the
/// declaration matches the traits the adapter implements.
///
/// ```
/// use pay_core::{AmountEncoding, Capabilities, Capability, IdempotencySupport, WebhookAuth};
///
/// let caps = Capabilities::new(
///     AmountEncoding::MajorJsonNumber { max_decimals: 2 },
///     IdempotencySupport::Native { header: "Idempotency-Key", max_key_len: 50 },
///     WebhookAuth::StaticCredentials,
/// )
/// .with(Capability::Capture)
/// .with(Capability::Refund);
/// assert!(caps.supports(Capability::Refund));
/// assert!(!caps.supports(Capability::Payouts));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The optional capabilities offered.
    pub supported: BTreeSet<Capability>,
    /// Payment methods offered.
    pub payment_methods: Vec<PaymentMethodKind>,
    /// Currencies accepted.
    pub currencies: Currencies,
    /// How payment amounts travel in requests.
    pub amount_encoding: AmountEncoding,
    /// Whether writes can be retried safely.
    pub idempotency: IdempotencySupport,
    /// How webhooks are authenticated.
    pub webhook_auth: WebhookAuth,
    /// The longest merchant reference the provider keeps.
    pub max_reference_len: usize,
    /// The subscription intervals the provider offers (its closed set).
    pub intervals: Vec<Interval>,
    /// Whether a payment's id can change over its life, as the provider documents (a
    /// hosted page's payment has no id until paid). The conformance kit compares ids only
    /// where this is false.
    pub payment_id_may_change: bool,
}

impl Capabilities {
    /// A declaration with no optional capability, no payment method, account-defined
    /// currencies and references up to 255 characters.
    pub fn new(
        amount_encoding: AmountEncoding,
        idempotency: IdempotencySupport,
        webhook_auth: WebhookAuth,
    ) -> Self {
        Self {
            supported: BTreeSet::new(),
            payment_methods: Vec::new(),
            currencies: Currencies::AccountDefined,
            amount_encoding,
            idempotency,
            webhook_auth,
            max_reference_len: 255,
            intervals: Vec::new(),
            payment_id_may_change: false,
        }
    }

    /// Declares the subscription intervals offered.
    #[must_use]
    pub fn with_intervals(mut self, intervals: &[Interval]) -> Self {
        self.intervals = intervals.to_vec();
        self
    }

    /// Declares that payment ids can change over a payment's life.
    #[must_use]
    pub fn with_changing_payment_ids(mut self) -> Self {
        self.payment_id_may_change = true;
        self
    }

    /// Adds a capability.
    #[must_use]
    pub fn with(mut self, capability: Capability) -> Self {
        self.supported.insert(capability);
        self
    }

    /// Adds a payment method.
    #[must_use]
    pub fn with_method(mut self, method: PaymentMethodKind) -> Self {
        self.payment_methods.push(method);
        self
    }

    /// Restricts currencies.
    #[must_use]
    pub fn with_currencies(mut self, currencies: Vec<Currency>) -> Self {
        self.currencies = Currencies::Only(currencies);
        self
    }

    /// Sets the longest merchant reference.
    #[must_use]
    pub fn with_max_reference_len(mut self, len: usize) -> Self {
        self.max_reference_len = len;
        self
    }

    /// Whether `capability` is offered.
    pub fn supports(&self, capability: Capability) -> bool {
        self.supported.contains(&capability)
    }

    /// Whether writes may be retried (the provider de-duplicates by key).
    pub fn has_native_idempotency(&self) -> bool {
        matches!(self.idempotency, IdempotencySupport::Native { .. })
    }

    /// Whether `currency` is accepted (always true for account-defined currencies; the
    /// provider has the last word).
    pub fn accepts_currency(&self, currency: Currency) -> bool {
        match &self.currencies {
            Currencies::Only(list) => list.contains(&currency),
            Currencies::AccountDefined => true,
        }
    }
}
