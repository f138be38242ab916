//! Disputes (chargebacks): a payer's bank taking a payment back, and the merchant's
//! answer. Both providers report them: Easytransac on the payment (`DateChargeback`,
//! `DateRepresentment`) and in notifications, Easypay through `GET /chargeback` and its
//! `chargeback` notification.

use std::time::SystemTime;

use crate::ids::{DisputeId, MerchantReference, ProviderPaymentId};
use crate::money::Money;
use crate::status::DisputeStatus;

/// A dispute as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dispute {
    /// The provider's id for the dispute; where disputes have no id of their own
    /// (Easytransac), the adapter documents what it uses (the disputed payment's id).
    pub id: DisputeId,
    /// The disputed payment.
    pub payment_id: Option<ProviderPaymentId>,
    /// The merchant's reference of the disputed payment, when given.
    pub reference: Option<MerchantReference>,
    /// The amount taken back, when given.
    pub amount: Option<Money>,
    /// Where it stands.
    pub status: DisputeStatus,
    /// The provider's own status value (or the facts it was derived from).
    pub provider_status: String,
    /// The reason, in the provider's words.
    pub reason: Option<String>,
    /// When the chargeback happened.
    pub opened_at: Option<SystemTime>,
    /// When the merchant contested it, if it did.
    pub contested_at: Option<SystemTime>,
}

impl Dispute {
    /// A dispute.
    pub fn new(id: DisputeId, status: DisputeStatus, provider_status: impl Into<String>) -> Self {
        Self {
            id,
            payment_id: None,
            reference: None,
            amount: None,
            status,
            provider_status: provider_status.into(),
            reason: None,
            opened_at: None,
            contested_at: None,
        }
    }

    /// Sets the payment.
    #[must_use]
    pub fn with_payment(mut self, id: ProviderPaymentId) -> Self {
        self.payment_id = Some(id);
        self
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Sets the amount.
    #[must_use]
    pub fn with_amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Sets the reason.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Sets when it was opened.
    #[must_use]
    pub fn with_opened_at(mut self, at: SystemTime) -> Self {
        self.opened_at = Some(at);
        self
    }

    /// Sets when it was contested.
    #[must_use]
    pub fn with_contested_at(mut self, at: SystemTime) -> Self {
        self.contested_at = Some(at);
        self
    }
}

/// Which disputes to list: a time window and a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisputeFilter {
    /// Opened at or after.
    pub since: Option<SystemTime>,
    /// Opened before.
    pub until: Option<SystemTime>,
    /// The page to read: `None` for the first, then [`DisputePage::next`].
    pub cursor: Option<String>,
    /// The most disputes per page; `None` for the provider's default.
    pub limit: Option<u32>,
}

impl DisputeFilter {
    /// Every dispute, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts to a window.
    #[must_use]
    pub fn between(mut self, since: SystemTime, until: SystemTime) -> Self {
        self.since = Some(since);
        self.until = Some(until);
        self
    }

    /// Reads the page after `cursor`.
    #[must_use]
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Sets the page size.
    #[must_use]
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// One page of disputes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisputePage {
    /// The disputes on this page.
    pub disputes: Vec<Dispute>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

impl DisputePage {
    /// A page.
    pub fn new(disputes: Vec<Dispute>, next: Option<String>) -> Self {
        Self { disputes, next }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use iso_currency::Currency;

    use super::*;
    use crate::clock::from_unix_seconds;

    #[test]
    fn builders_set_what_they_name() {
        let opened = from_unix_seconds(1_700_000_000);
        let contested = opened + Duration::from_secs(86_400);
        let amount = Money::from_minor(1250, Currency::EUR).unwrap();
        let dispute = Dispute::new(DisputeId::new("d1").unwrap(), DisputeStatus::Open, "open")
            .with_payment(ProviderPaymentId::new("p1").unwrap())
            .with_reference(MerchantReference::new("order-1").unwrap())
            .with_amount(amount)
            .with_reason("fraud")
            .with_opened_at(opened)
            .with_contested_at(contested);
        assert_eq!(dispute.payment_id.unwrap().as_str(), "p1");
        assert_eq!(dispute.reference.unwrap().as_str(), "order-1");
        assert_eq!(dispute.amount, Some(amount));
        assert_eq!(dispute.reason.as_deref(), Some("fraud"));
        assert_eq!(dispute.opened_at, Some(opened));
        assert_eq!(dispute.contested_at, Some(contested));
        assert_eq!(dispute.provider_status, "open");

        let filter = DisputeFilter::new()
            .between(opened, contested)
            .after("page-2")
            .with_limit(50);
        assert_eq!(filter.since, Some(opened));
        assert_eq!(filter.until, Some(contested));
        assert_eq!(filter.cursor.as_deref(), Some("page-2"));
        assert_eq!(filter.limit, Some(50));
        assert_eq!(DisputeFilter::new(), DisputeFilter::default());
    }
}
