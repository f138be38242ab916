//! The provider-neutral core of the `pay` SDK: exact money, validated domain types, one
//! error taxonomy, declared capabilities and the async traits every provider adapter
//! implements.
//!
//! `pay-core` performs no I/O. It has no HTTP, TLS, crypto or async-runtime dependency
//! (a tidy test enforces it), so it compiles anywhere and everything in it is
//! unit-testable. Adapters (`pay-easytransac`, `pay-easypay`) build on it; applications
//! usually depend on the `pay` facade, which re-exports this crate.
//!
//! # What is here
//! - [`Money`]: an integer count of minor units plus an [`iso_currency::Currency`].
//!   Never a float; extra decimals are an error, never a rounding. [`AmountEncoding`]
//!   writes and reads the three wire forms the providers use.
//! - Validated newtypes: [`Iban`] (masked when shown), [`Bic`], [`CardNumber`] (last 4
//!   digits at most), [`Cvv`] (always redacted), [`Email`], [`Phone`], identifiers such as
//!   [`MerchantReference`] and [`IdempotencyKey`]. Every constructor returns a
//!   [`ValidationError`] that names the field and the [`Rule`].
//! - [`PayError`] with [`ErrorKind`]: what callers match on, always carrying the
//!   provider's evidence. [`ErrorKind::AmbiguousOutcome`] is how "the charge may have
//!   happened" is reported, never hidden behind a retry.
//! - The traits: [`Provider`], [`Payments`], and one trait per optional operation
//!   ([`Checkouts`], [`Capture`], [`Void`], [`Refunds`], [`Mandates`], [`Recurring`],
//!   [`Payouts`], [`Disputes`], [`Webhooks`]), with [`Capabilities`] declaring them at
//!   run time.
//! - What comes back: [`Payment`] (its ids, captures and refunds, a [`NextAction`] when
//!   the customer must act, a [`SavedCard`] for 1-click), [`Subscription`], [`Mandate`],
//!   [`Payout`], [`Dispute`]; notifications as [`WebhookEvent`]s typed by what they are
//!   about, deduplicated through a [`SeenEvents`] store.
//! - [`Operation`] and [`RetryRules`]: the types of the operation tables and documented
//!   retry rules generated into each adapter from its API description.
//! - [`CallOptions`], the pure retry decision [`RetryPolicy::decide`], the [`Clock`]
//!   abstraction, and the [`Redactor`] adapters pass provider bodies through.
//!
//! # Example
//! ```
//! use pay_core::{CreatePayment, Currency, Iban, MerchantReference, Money, PaymentMethod, Rule};
//!
//! // Money is exact: this is 2999 cents, and "29.999" would be refused.
//! let amount = Money::parse_major("29.99", Currency::EUR)?;
//! assert!(Money::parse_major("29.999", Currency::EUR).is_err());
//!
//! // A SEPA direct debit; the IBAN is validated and never shown in full.
//! let iban = Iban::parse("FR76 3000 6000 0112 3456 7890 189")?;
//! assert_eq!(format!("{iban:?}"), "Iban(FR76 **** 0189)");
//! let method = PaymentMethod::SepaDirectDebit { iban, account_holder: "Jeanne Martin".into(), mandate: None };
//! let request = CreatePayment::new(amount, MerchantReference::new("order-2024-0001")?, method)?;
//! assert_eq!(request.amount().to_string(), "29.99 EUR");
//!
//! // Bad input is a typed error naming the field and the rule, before any byte is sent.
//! let err = Iban::parse("FR76 3000 6000 0112 3456 7890 188").unwrap_err();
//! assert_eq!(err.field(), "iban");
//! assert!(matches!(err.rule(), Rule::Iban { .. }));
//! # Ok::<(), pay_core::ValidationError>(())
//! ```
//!
//! # Feature flags
//! - `serde`: the [`wire`] module, serde adapters that move amounts across JSON as exact
//!   text, and [`wire::rt`], the runtime the adapters' generated `validate()` code calls.
//! - `mock`: [`mock::MockProvider`], a `mockall` mock of every trait.
#![doc(test(attr(deny(warnings))))]

mod bank;
mod capabilities;
mod card;
mod clock;
mod confirm;
mod contact;
mod decimal;
mod dispute;
mod encoding;
mod error;
mod ids;
mod journal;
mod money;
mod operation;
mod options;
mod payment;
mod provider;
mod recurring;
mod redact;
mod retry;
mod saved;
mod status;
mod traits;
mod validation;
mod webhook;

#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "serde")]
pub mod wire;

pub use iso_currency::Currency;
pub use rust_decimal::Decimal;

pub use crate::bank::{Bic, Iban};
pub use crate::capabilities::{
    Capabilities, Capability, Currencies, IdempotencySupport, WebhookAuth,
};
pub use crate::card::{CardDetails, CardExpiry, CardNumber, Cvv, luhn_valid};
pub use crate::clock::{Clock, ManualClock, SystemClock, from_unix_seconds, unix_seconds};
pub use crate::confirm::{Confirmed, confirm_event};
pub use crate::contact::{CountryCode, Email, Language, Phone, Url};
pub use crate::dispute::{Dispute, DisputeFilter, DisputePage};
pub use crate::encoding::AmountEncoding;
pub use crate::error::{ErrorKind, PayError, WebhookRejection};
pub use crate::ids::{
    CheckoutId, CustomerReference, DisputeId, EventId, IdempotencyKey, MandateId,
    MerchantReference, PayoutId, ProviderAuthorisationId, ProviderCaptureId, ProviderCustomerId,
    ProviderPaymentId, ProviderRefundId, RequestId, SubscriptionId,
};
pub use crate::journal::{JournalEntry, JournalId, Settlement, WriteJournal};
pub use crate::money::{Money, minor_unit_exponent};
pub use crate::operation::{
    CallSafety, ContentType, Envelope, Generation, HmacSigning, IdempotencyHeader, Method,
    Operation, OperationKind, Pagination, PathConfidence, RetryRules, Signing,
};
pub use crate::options::{CallOptions, ExtraValue};
pub use crate::payment::{
    Address, ApprovalChannel, CaptureMode, CaptureRecord, CaptureRequest, CreatePayment, Customer,
    Failure, NextAction, Payment, PaymentInstructions, PaymentMethod, RedirectPurpose, Refund,
    RefundAccount, RefundRequest, VoidRequest,
};
pub use crate::provider::{Environment, ProviderId};
pub use crate::recurring::{
    CreateInstalments, CreateMandate, CreatePayout, CreateSubscription, FirstCharge, Interval,
    Mandate, MandateDebit, Payout, PayoutMethod, PayoutSpeed, Subscription,
};
pub use crate::redact::{DEFAULT_SENSITIVE_KEYS, RedactedBody, Redactor};
pub use crate::retry::{AttemptOutcome, Decision, RetryPolicy};
pub use crate::saved::{CardToken, SavedCard, SessionToken};
pub use crate::status::{
    CaptureStatus, DisputeStatus, MandateStatus, PaymentMethodKind, PaymentStatus, PayoutStatus,
    RefundStatus, SubscriptionStatus,
};
pub use crate::traits::{
    Capture, Checkouts, Disputes, Mandates, Payments, Payouts, Provider, Recurring, Refunds, Void,
    Webhooks,
};
pub use crate::validation::{IbanProblem, Rule, ValidationError, check};
pub use crate::webhook::{
    Delivery, EventKind, InMemorySeenEvents, RawWebhook, SeenEvents, Trust, VerifiedWebhook,
    WebhookEvent, constant_time_eq,
};
