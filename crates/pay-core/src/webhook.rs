//! Incoming notifications: the raw request, proof that it was verified, and the neutral
//! event parsed from it.

use std::fmt;
use std::time::SystemTime;

use crate::ids::MerchantReference;
use crate::money::Money;
use crate::provider::ProviderId;
use crate::status::PaymentStatus;

/// A notification exactly as it arrived: headers and the raw body bytes. Verification
/// needs the bytes as received, so take the body before any framework parses it.
#[derive(Clone)]
pub struct RawWebhook {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    received_at: SystemTime,
}

impl RawWebhook {
    /// A notification received at `received_at`.
    pub fn new(headers: Vec<(String, String)>, body: Vec<u8>, received_at: SystemTime) -> Self {
        Self {
            headers,
            body,
            received_at,
        }
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// When it arrived.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }
}

impl fmt::Debug for RawWebhook {
    /// Header names and the body length only: notification bodies carry personal data and
    /// signatures.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("RawWebhook")
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .field("received_at", &self.received_at)
            .finish()
    }
}

/// How much a verified notification proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trust {
    /// Signed by the provider, but without a timestamp (replayable) or otherwise weak:
    /// confirm by fetching the resource before acting.
    Hint,
    /// Signed with a timestamp inside the replay window: the event itself can be trusted.
    Authenticated,
}

/// A notification whose authenticity was checked by an adapter's
/// [`Webhooks::verify`](crate::Webhooks::verify). Only a verified notification can be
/// parsed.
#[derive(Debug, Clone)]
pub struct VerifiedWebhook {
    provider: ProviderId,
    raw: RawWebhook,
    trust: Trust,
}

impl VerifiedWebhook {
    /// Marks `raw` as verified. For adapter authors: call this only after the provider's
    /// scheme has accepted the notification, in constant time.
    pub fn after_verification(provider: ProviderId, raw: RawWebhook, trust: Trust) -> Self {
        Self {
            provider,
            raw,
            trust,
        }
    }

    /// The provider.
    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// The notification as received.
    pub fn raw(&self) -> &RawWebhook {
        &self.raw
    }

    /// How much it proves.
    pub fn trust(&self) -> Trust {
        self.trust
    }
}

/// What a notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A payment changed status.
    Payment,
    /// A refund changed status.
    Refund,
    /// A mandate changed status.
    Mandate,
    /// A subscription or instalment plan changed, or charged.
    Subscription,
    /// A payout changed status.
    Payout,
    /// A dispute (chargeback) was opened or changed.
    Dispute,
    /// An event type the adapter does not map, as the provider named it.
    Unknown(String),
}

/// A provider-neutral event parsed from a verified notification. When
/// [`requires_confirmation`](Self::requires_confirmation) is true (always, for both of our
/// providers), fetch the object before acting: the notification is a hint, not proof.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// Who sent it.
    pub provider: ProviderId,
    /// What it is about.
    pub kind: EventKind,
    /// The provider's id of the object (payment, refund, mandate…), to fetch.
    pub object_id: Option<String>,
    /// The merchant's reference, when included.
    pub reference: Option<MerchantReference>,
    /// The status the notification claims, mapped.
    pub status_hint: Option<PaymentStatus>,
    /// The provider's raw status value.
    pub provider_status: Option<String>,
    /// The amount the notification claims.
    pub amount: Option<Money>,
    /// How much the notification proves.
    pub trust: Trust,
}

impl WebhookEvent {
    /// An event.
    pub fn new(provider: ProviderId, kind: EventKind, trust: Trust) -> Self {
        Self {
            provider,
            kind,
            object_id: None,
            reference: None,
            status_hint: None,
            provider_status: None,
            amount: None,
            trust,
        }
    }

    /// Sets the object id.
    #[must_use]
    pub fn with_object_id(mut self, id: impl Into<String>) -> Self {
        self.object_id = Some(id.into());
        self
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Sets the claimed status.
    #[must_use]
    pub fn with_status(mut self, status: PaymentStatus, raw: impl Into<String>) -> Self {
        self.status_hint = Some(status);
        self.provider_status = Some(raw.into());
        self
    }

    /// Sets the claimed amount.
    #[must_use]
    pub fn with_amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Whether the object must be fetched and checked before acting on this event.
    pub fn requires_confirmation(&self) -> bool {
        self.trust != Trust::Authenticated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_webhook_debug_hides_body_and_header_values() {
        let raw = RawWebhook::new(
            vec![("Authorization".to_owned(), "Basic c2VjcmV0".to_owned())],
            b"Tid=1&Signature=abcdef&Client[Iban]=PT50000201231234567890154".to_vec(),
            SystemTime::UNIX_EPOCH,
        );
        let shown = format!("{raw:?}");
        assert!(!shown.contains("c2VjcmV0"));
        assert!(!shown.contains("abcdef"));
        assert!(!shown.contains("PT50"));
        assert_eq!(raw.header("authorization"), Some("Basic c2VjcmV0"));
        let event = WebhookEvent::new(ProviderId::new("x"), EventKind::Payment, Trust::Hint);
        assert!(event.requires_confirmation());
    }
}
