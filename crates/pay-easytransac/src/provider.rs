//! The pay-core identity of the adapter: [`pay_core::Provider`] with honest
//! [`Capabilities`].

use pay_core::{
    AmountEncoding, Capabilities, Capability, Capture, Checkouts, Currency, Environment,
    IdempotencySupport, Mandates, PaymentMethodKind, Payments, ProviderId, Recurring, Refunds,
    Void, WebhookAuth, Webhooks,
};

use crate::client::{EasytransacClient, PROVIDER};
use crate::status::INTERVALS;

/// What this adapter declares: amounts sent as integer cents (`MinorUnits`; answers
/// carry decimal strings, read exactly), no idempotency keys, keyed-hash (SHA-1)
/// notifications, Easytransac's `Recurrence` intervals, one currency per application,
/// and payment ids that may change (a page has no `Tid` until it is paid).
///
/// Declared, each backed by its trait: find by reference (`OrderId`), capture (partial
/// too), void, refunds (partial and several), V2 mandates, subscriptions and instalments,
/// webhooks, checkouts (payment pages) and saved cards. Not declared: payouts and
/// disputes (no pay-core implementation here).
pub(crate) fn capabilities(currency: Currency) -> Capabilities {
    [
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
        Capability::Webhooks,
        Capability::Checkouts,
        Capability::SavedCards,
    ]
    .into_iter()
    .fold(
        Capabilities::new(
            AmountEncoding::MinorUnits,
            IdempotencySupport::None,
            WebhookAuth::KeyedHash,
        ),
        Capabilities::with,
    )
    .with_method(PaymentMethodKind::Card)
    .with_method(PaymentMethodKind::SepaDirectDebit)
    .with_method(PaymentMethodKind::OpenBanking)
    .with_intervals(INTERVALS)
    .with_changing_payment_ids()
    .with_currencies(vec![currency])
}

impl pay_core::Provider for EasytransacClient {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    fn environment(&self) -> Environment {
        self.inner.environment
    }

    fn as_payments(&self) -> Option<&dyn Payments> {
        Some(self)
    }

    fn as_capture(&self) -> Option<&dyn Capture> {
        Some(self)
    }

    fn as_void(&self) -> Option<&dyn Void> {
        Some(self)
    }

    fn as_refunds(&self) -> Option<&dyn Refunds> {
        Some(self)
    }

    fn as_mandates(&self) -> Option<&dyn Mandates> {
        Some(self)
    }

    fn as_recurring(&self) -> Option<&dyn Recurring> {
        Some(self)
    }

    fn as_checkouts(&self) -> Option<&dyn Checkouts> {
        Some(self)
    }

    fn as_webhooks(&self) -> Option<&dyn Webhooks> {
        Some(self)
    }
}
