//! Confirming a webhook event by reading the resource it names back from the provider.
//!
//! A notification is a hint: even verified, it may be late, repeated, out of order, or
//! (where the provider's scheme is weak) forged. [`confirm_event`] reads the resource the
//! event names through the provider's own read operation, so the caller acts on the
//! provider's current state, never on the notification's claims.

use crate::capabilities::Capability;
use crate::dispute::Dispute;
use crate::error::{ErrorKind, PayError};
use crate::options::CallOptions;
use crate::payment::{Payment, Refund};
use crate::recurring::{Mandate, Payout, Subscription};
use crate::traits::Provider;
use crate::webhook::{EventKind, WebhookEvent};

/// The resource a webhook event names, as the provider reports it now.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Confirmed {
    /// The payment (read by id, or through its checkout while it has no id yet).
    Payment(Box<Payment>),
    /// The refund.
    Refund(Box<Refund>),
    /// The payout.
    Payout(Box<Payout>),
    /// The subscription.
    Subscription(Box<Subscription>),
    /// The mandate.
    Mandate(Box<Mandate>),
    /// The dispute.
    Dispute(Box<Dispute>),
    /// The event names nothing that can be read back: an unknown event type, or a known
    /// one without an id. Do not act on it; look the order up by your own reference.
    Nothing,
}

impl Confirmed {
    /// The confirmed payment, if the event named one.
    pub fn payment(&self) -> Option<&Payment> {
        match self {
            Confirmed::Payment(payment) => Some(payment),
            _ => None,
        }
    }
}

/// Reads back the resource `event` names through `provider`'s read operations.
///
/// | event | read |
/// |---|---|
/// | payment with an id | [`Payments::get_payment`](crate::Payments::get_payment) |
/// | payment with only a checkout id | [`Checkouts::get_checkout`](crate::Checkouts::get_checkout) |
/// | refund | [`Refunds::get_refund`](crate::Refunds::get_refund) |
/// | payout | [`Payouts::get_payout`](crate::Payouts::get_payout) |
/// | a subscription's charge (the event names the charge) | [`Payments::get_payment`](crate::Payments::get_payment) of the charge |
/// | subscription | [`Recurring::get_subscription`](crate::Recurring::get_subscription) |
/// | mandate | [`Mandates::get_mandate`](crate::Mandates::get_mandate) |
/// | dispute | [`Disputes::get_dispute`](crate::Disputes::get_dispute) |
/// | dispute naming only its payment | [`Payments::get_payment`](crate::Payments::get_payment) of that payment |
///
/// A charge is confirmed through the payment it made because that is where the money
/// is, and because not every provider lets a subscription be read (Easytransac does not).
///
/// Adapters may offer a richer, provider-specific confirmation on their own client; this
/// one works for any provider behind `dyn Provider`.
///
/// # Errors
/// The read's own error, or [`NotSupported`](ErrorKind::NotSupported) when the event
/// names a resource of a kind the provider does not let this SDK read (the capability
/// named is the one missing).
pub async fn confirm_event(
    provider: &dyn Provider,
    event: &WebhookEvent,
    options: &CallOptions,
) -> Result<Confirmed, PayError> {
    let missing = |capability| PayError::new(ErrorKind::NotSupported { capability });
    match &event.kind {
        EventKind::Payment {
            id, checkout_id, ..
        } => match (id, checkout_id) {
            (Some(id), _) => match provider.as_payments() {
                Some(payments) => payments
                    .get_payment(id, options)
                    .await
                    .map(|p| Confirmed::Payment(Box::new(p))),
                None => Ok(Confirmed::Nothing),
            },
            (None, Some(checkout)) => match provider.as_checkouts() {
                Some(checkouts) => checkouts
                    .get_checkout(checkout, options)
                    .await
                    .map(|p| Confirmed::Payment(Box::new(p))),
                None => Err(missing(Capability::Checkouts)),
            },
            (None, None) => Ok(Confirmed::Nothing),
        },
        EventKind::Subscription {
            charge: Some(charge),
            ..
        }
        | EventKind::Dispute {
            id: None,
            payment_id: Some(charge),
            ..
        } => match provider.as_payments() {
            Some(payments) => payments
                .get_payment(charge, options)
                .await
                .map(|p| Confirmed::Payment(Box::new(p))),
            None => Ok(Confirmed::Nothing),
        },
        EventKind::Refund { id: Some(id), .. } => match provider.as_refunds() {
            Some(refunds) => refunds
                .get_refund(id, options)
                .await
                .map(|r| Confirmed::Refund(Box::new(r))),
            None => Err(missing(Capability::Refund)),
        },
        EventKind::Payout { id: Some(id), .. } => match provider.as_payouts() {
            Some(payouts) => payouts
                .get_payout(id, options)
                .await
                .map(|p| Confirmed::Payout(Box::new(p))),
            None => Err(missing(Capability::Payouts)),
        },
        EventKind::Subscription { id: Some(id), .. } => match provider.as_recurring() {
            Some(recurring) => recurring
                .get_subscription(id, options)
                .await
                .map(|s| Confirmed::Subscription(Box::new(s))),
            None => Err(missing(Capability::Subscriptions)),
        },
        EventKind::Mandate { id: Some(id), .. } => match provider.as_mandates() {
            Some(mandates) => mandates
                .get_mandate(id, options)
                .await
                .map(|m| Confirmed::Mandate(Box::new(m))),
            None => Err(missing(Capability::Mandates)),
        },
        EventKind::Dispute { id: Some(id), .. } => match provider.as_disputes() {
            Some(disputes) => disputes
                .get_dispute(id, options)
                .await
                .map(|d| Confirmed::Dispute(Box::new(d))),
            None => Err(missing(Capability::Disputes)),
        },
        _ => Ok(Confirmed::Nothing),
    }
}
