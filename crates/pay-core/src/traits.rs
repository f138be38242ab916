//! The provider-neutral traits. [`Provider`] and [`Payments`] every adapter implements;
//! each optional operation is its own trait, so calling one a provider lacks does not
//! compile, and dynamic callers ask `provider.as_refunds()` and get an `Option`.

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::PayError;
use crate::ids::{
    MandateId, MerchantReference, PayoutId, ProviderPaymentId, ProviderRefundId, SubscriptionId,
};
use crate::money::Money;
use crate::options::CallOptions;
use crate::payment::{CreatePayment, Payment, Refund, RefundRequest};
use crate::provider::{Environment, ProviderId};
use crate::recurring::{
    CreateInstalments, CreateMandate, CreatePayout, CreateSubscription, Mandate, MandateDebit,
    Payout, Subscription,
};
use crate::webhook::{RawWebhook, VerifiedWebhook, WebhookEvent};

/// What every adapter is: an identity, its declared capabilities, and typed access to the
/// optional operations it implements.
///
/// The `as_*` accessors return `None` by default; an adapter that implements, say,
/// [`Refunds`] overrides [`as_refunds`](Self::as_refunds) to return `Some(self)`. The
/// conformance kit checks that these agree with [`capabilities`](Self::capabilities).
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// Which provider.
    fn id(&self) -> ProviderId;
    /// What it offers.
    fn capabilities(&self) -> &Capabilities;
    /// Sandbox or production.
    fn environment(&self) -> Environment;

    /// Payments, when implemented (every real adapter does).
    fn as_payments(&self) -> Option<&dyn Payments> {
        None
    }
    /// Capture, when implemented.
    fn as_capture(&self) -> Option<&dyn Capture> {
        None
    }
    /// Void, when implemented.
    fn as_void(&self) -> Option<&dyn Void> {
        None
    }
    /// Refunds, when implemented.
    fn as_refunds(&self) -> Option<&dyn Refunds> {
        None
    }
    /// Mandates, when implemented.
    fn as_mandates(&self) -> Option<&dyn Mandates> {
        None
    }
    /// Recurring payments, when implemented.
    fn as_recurring(&self) -> Option<&dyn Recurring> {
        None
    }
    /// Payouts, when implemented.
    fn as_payouts(&self) -> Option<&dyn Payouts> {
        None
    }
    /// Webhooks, when implemented.
    fn as_webhooks(&self) -> Option<&dyn Webhooks> {
        None
    }
}

/// Taking payments and reading them back.
#[async_trait]
pub trait Payments: Provider {
    /// Creates a payment. Validation happens before anything is sent. At providers
    /// without idempotency keys a lost answer is an
    /// [`AmbiguousOutcome`](crate::ErrorKind::AmbiguousOutcome): call
    /// [`find_by_reference`](Self::find_by_reference) before trying again.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind); declines are
    /// [`Declined`](crate::ErrorKind::Declined).
    async fn create_payment(
        &self,
        request: &CreatePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;

    /// Reads a payment's current state from the provider.
    ///
    /// # Errors
    /// [`NotFound`](crate::ErrorKind::NotFound) when it does not exist, or transport errors.
    async fn get_payment(
        &self,
        id: &ProviderPaymentId,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;

    /// Finds the payment made with a merchant reference: the reconciliation step after an
    /// ambiguous outcome. `Ok(None)` means the provider has no such payment, so the write
    /// did not happen and may be sent again.
    ///
    /// # Errors
    /// [`NotSupported`](crate::ErrorKind::NotSupported) where the provider cannot search
    /// by reference, or transport errors.
    async fn find_by_reference(
        &self,
        reference: &MerchantReference,
        options: &CallOptions,
    ) -> Result<Option<Payment>, PayError>;
}

/// Capturing authorised payments.
#[async_trait]
pub trait Capture: Payments {
    /// Captures `amount` (or everything authorised when `None`).
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn capture(
        &self,
        id: &ProviderPaymentId,
        amount: Option<Money>,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;
}

/// Releasing authorisations.
#[async_trait]
pub trait Void: Payments {
    /// Cancels an authorised, uncaptured payment.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn void(
        &self,
        id: &ProviderPaymentId,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;
}

/// Refunding payments.
#[async_trait]
pub trait Refunds: Payments {
    /// Refunds all or part of a payment.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn refund(
        &self,
        request: &RefundRequest,
        options: &CallOptions,
    ) -> Result<Refund, PayError>;

    /// Reads a refund.
    ///
    /// # Errors
    /// [`NotSupported`](crate::ErrorKind::NotSupported) where refunds have no id of their
    /// own, [`NotFound`](crate::ErrorKind::NotFound), transport errors.
    async fn get_refund(
        &self,
        id: &ProviderRefundId,
        options: &CallOptions,
    ) -> Result<Refund, PayError>;
}

/// SEPA direct-debit mandates.
#[async_trait]
pub trait Mandates: Provider {
    /// Sets up a mandate.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn create_mandate(
        &self,
        request: &CreateMandate,
        options: &CallOptions,
    ) -> Result<Mandate, PayError>;

    /// Reads a mandate's status.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn get_mandate(&self, id: &MandateId, options: &CallOptions)
    -> Result<Mandate, PayError>;

    /// Collects money under an active mandate.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn debit_mandate(
        &self,
        request: &MandateDebit,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;
}

/// Subscriptions and instalment plans.
#[async_trait]
pub trait Recurring: Provider {
    /// Starts a subscription.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn create_subscription(
        &self,
        request: &CreateSubscription,
        options: &CallOptions,
    ) -> Result<Subscription, PayError>;

    /// Starts an instalment plan.
    ///
    /// # Errors
    /// [`NotSupported`](crate::ErrorKind::NotSupported) where the provider has no plans,
    /// or any other [`ErrorKind`](crate::ErrorKind).
    async fn create_instalments(
        &self,
        request: &CreateInstalments,
        options: &CallOptions,
    ) -> Result<Subscription, PayError>;

    /// Reads a subscription or plan.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn get_subscription(
        &self,
        id: &SubscriptionId,
        options: &CallOptions,
    ) -> Result<Subscription, PayError>;

    /// Stops further charges.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn cancel_subscription(
        &self,
        id: &SubscriptionId,
        options: &CallOptions,
    ) -> Result<Subscription, PayError>;
}

/// Paying out to bank accounts.
#[async_trait]
pub trait Payouts: Provider {
    /// Sends a payout.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn create_payout(
        &self,
        request: &CreatePayout,
        options: &CallOptions,
    ) -> Result<Payout, PayError>;

    /// Reads a payout.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn get_payout(&self, id: &PayoutId, options: &CallOptions) -> Result<Payout, PayError>;
}

/// Incoming notifications: verify the raw request first, then parse it. These do no I/O.
pub trait Webhooks: Provider {
    /// Checks a notification's authenticity by the provider's scheme, in constant time,
    /// before anything reads its contents.
    ///
    /// # Errors
    /// [`WebhookRejected`](crate::ErrorKind::WebhookRejected) with the reason.
    fn verify(&self, raw: &RawWebhook) -> Result<VerifiedWebhook, PayError>;

    /// Parses a verified notification into a neutral event. Unknown event types and
    /// statuses are kept as `Unknown`, never an error.
    ///
    /// # Errors
    /// [`WebhookRejected`](crate::ErrorKind::WebhookRejected) with
    /// [`Malformed`](crate::WebhookRejection::Malformed) when the body is unreadable.
    fn parse(&self, verified: &VerifiedWebhook) -> Result<WebhookEvent, PayError>;

    /// [`verify`](Self::verify), then [`parse`](Self::parse).
    ///
    /// # Errors
    /// As either step.
    fn handle(&self, raw: &RawWebhook) -> Result<WebhookEvent, PayError> {
        let verified = self.verify(raw)?;
        self.parse(&verified)
    }
}
