//! The provider-neutral traits. [`Provider`] and [`Payments`] every adapter implements;
//! each optional operation is its own trait, so calling one a provider lacks does not
//! compile, and dynamic callers ask `provider.as_refunds()` and get an `Option`.

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::dispute::{Dispute, DisputeFilter, DisputePage};
use crate::error::PayError;
use crate::ids::{
    CheckoutId, DisputeId, MandateId, MerchantReference, PayoutId, ProviderPaymentId,
    ProviderRefundId, SubscriptionId,
};
use crate::options::CallOptions;
use crate::payment::{CaptureRequest, CreatePayment, Payment, Refund, RefundRequest, VoidRequest};
use crate::provider::{Environment, ProviderId};
use crate::recurring::{
    CreateInstalments, CreateMandate, CreatePayout, CreateSubscription, Mandate, MandateDebit,
    Payout, Subscription,
};
use crate::webhook::{Delivery, RawWebhook, SeenEvents, VerifiedWebhook, WebhookEvent};

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
    /// Hosted pages and checkouts, when implemented.
    fn as_checkouts(&self) -> Option<&dyn Checkouts> {
        None
    }
    /// Disputes, when implemented.
    fn as_disputes(&self) -> Option<&dyn Disputes> {
        None
    }
    /// Webhooks, when implemented.
    fn as_webhooks(&self) -> Option<&dyn Webhooks> {
        None
    }
}

/// Taking payments and reading them back.
///
/// # Declines are data when the provider made a payment
/// When the provider created a payment and then declined or failed it (Easytransac
/// answers a refused direct card payment with a `Tid` and `Status=failed`; Easypay fails
/// payments asynchronously), `create_payment` returns `Ok(Payment)` with
/// [`PaymentStatus::Failed`](crate::PaymentStatus::Failed) and the provider's reason in
/// [`Payment::failure`]: the payment exists at the provider and can be read back.
/// [`ErrorKind::Declined`](crate::ErrorKind::Declined) is returned only when nothing was
/// created at the provider. The conformance kit checks both halves.
///
/// # Ids
/// A hosted page or checkout has no payment id until the customer pays:
/// [`Payment::id`] is `None` and [`Payment::checkout_id`] is set. Read it with
/// [`Checkouts::get_checkout`], or by reference.
#[async_trait]
pub trait Payments: Provider {
    /// Creates a payment. Validation happens before anything is sent. At providers
    /// without idempotency keys a lost answer is an
    /// [`AmbiguousOutcome`](crate::ErrorKind::AmbiguousOutcome): call
    /// [`find_by_reference`](Self::find_by_reference) before trying again.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind);
    /// [`Declined`](crate::ErrorKind::Declined) only when the provider created nothing.
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

/// Hosted payment pages and checkout sessions: reading what a page produced.
#[async_trait]
pub trait Checkouts: Payments {
    /// Reads the payment a page or checkout produced: `id` is `None` until the customer
    /// pays, then the provider's payment id.
    ///
    /// # Errors
    /// [`NotFound`](crate::ErrorKind::NotFound), transport errors.
    async fn get_checkout(
        &self,
        id: &CheckoutId,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;

    /// Cancels an unpaid page or checkout.
    ///
    /// # Errors
    /// [`Conflict`](crate::ErrorKind::Conflict) when it was paid, or any other
    /// [`ErrorKind`](crate::ErrorKind).
    async fn cancel_checkout(
        &self,
        id: &CheckoutId,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;
}

/// Capturing authorised payments.
#[async_trait]
pub trait Capture: Payments {
    /// Captures all or part of an authorisation. The request names the payment; an
    /// adapter whose provider captures by authorisation id resolves it.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn capture(
        &self,
        request: &CaptureRequest,
        options: &CallOptions,
    ) -> Result<Payment, PayError>;
}

/// Releasing authorisations.
#[async_trait]
pub trait Void: Payments {
    /// Cancels an authorised, uncaptured payment. The request names the payment; an
    /// adapter whose provider voids an authorisation id (Easypay) resolves it from
    /// [`Payment::authorisation_id`].
    ///
    /// The returned payment's status is what the provider reports after the void, mapped
    /// as usual; adapters whose provider has no status for a voided authorisation
    /// document what they report.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn void(&self, request: &VoidRequest, options: &CallOptions)
    -> Result<Payment, PayError>;
}

/// Refunding payments.
#[async_trait]
pub trait Refunds: Payments {
    /// Refunds all or part of a payment. The request names the payment; an adapter whose
    /// provider refunds captures (Easypay) resolves the capture from
    /// [`Payment::captures`] unless the request names one.
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
///
/// Charges on demand against a stored authorisation (Easypay frequent payments: create
/// once, then capture many times, or authorise then capture) are provider-specific and
/// live on the Easypay client (`pay_easypay`'s `frequent()` resource), not here: no other
/// provider has them, and their ids (frequent payment, authorisation) are Easypay's own.
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

    /// Reads a subscription or plan, from the provider's documented sources only.
    ///
    /// # Errors
    /// [`NotSupported`](crate::ErrorKind::NotSupported) where the provider exposes no
    /// subscription state through its API (the adapter documents what to use instead:
    /// notifications, or the payments of the schedule), or any other
    /// [`ErrorKind`](crate::ErrorKind).
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

    /// Cancels a payout not yet sent (a scheduled one, typically).
    ///
    /// # Errors
    /// [`Conflict`](crate::ErrorKind::Conflict) when it was already processed, or any
    /// other [`ErrorKind`](crate::ErrorKind).
    async fn cancel_payout(&self, id: &PayoutId, options: &CallOptions)
    -> Result<Payout, PayError>;
}

/// Disputes (chargebacks): listing and reading them. Their changes also arrive as
/// [`EventKind::Dispute`](crate::EventKind::Dispute) notifications.
#[async_trait]
pub trait Disputes: Provider {
    /// One page of disputes.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    async fn list_disputes(
        &self,
        filter: &DisputeFilter,
        options: &CallOptions,
    ) -> Result<DisputePage, PayError>;

    /// Reads one dispute.
    ///
    /// # Errors
    /// [`NotFound`](crate::ErrorKind::NotFound), or any other
    /// [`ErrorKind`](crate::ErrorKind).
    async fn get_dispute(&self, id: &DisputeId, options: &CallOptions)
    -> Result<Dispute, PayError>;
}

/// Incoming notifications: verify the raw request first, then parse it. `verify` and
/// `parse` do no I/O; [`handle_once`](Self::handle_once) adds duplicate detection through
/// a [`SeenEvents`] store.
#[async_trait]
pub trait Webhooks: Provider {
    /// Checks a notification's authenticity by the provider's scheme, in constant time,
    /// before anything reads its contents. The only way to a [`VerifiedWebhook`] is
    /// [`VerifiedWebhook::verify`].
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

    /// [`handle`](Self::handle), then records the event in `seen`: a delivery of an event
    /// already recorded is [`Delivery::Duplicate`]. Answer the provider with success for
    /// both, and act only on [`Delivery::First`].
    ///
    /// # Errors
    /// As [`handle`](Self::handle), or the store's error (answer the provider with an
    /// error then, so that it delivers again).
    async fn handle_once(
        &self,
        raw: &RawWebhook,
        seen: &dyn SeenEvents,
    ) -> Result<Delivery, PayError> {
        let event = self.handle(raw)?;
        if seen
            .first_seen(event.provider, &event.id, raw.received_at())
            .await?
        {
            Ok(Delivery::First(event))
        } else {
            Ok(Delivery::Duplicate(event))
        }
    }
}
