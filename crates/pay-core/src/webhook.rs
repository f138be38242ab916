//! Incoming notifications: the raw request, proof that it was verified, and the neutral
//! event parsed from it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::error::{ErrorKind, PayError, WebhookRejection};
use crate::ids::{
    CheckoutId, DisputeId, EventId, MandateId, MerchantReference, PayoutId, ProviderPaymentId,
    ProviderRefundId, SubscriptionId,
};
use crate::money::Money;
use crate::provider::ProviderId;
use crate::status::{
    DisputeStatus, MandateStatus, PaymentStatus, PayoutStatus, RefundStatus, SubscriptionStatus,
};

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

/// Compares two byte strings in time that depends only on their lengths, never on where
/// they differ: the comparison for signatures, tokens and credentials.
///
/// ```
/// assert!(pay_core::constant_time_eq(b"abc", b"abc"));
/// assert!(!pay_core::constant_time_eq(b"abc", b"abd"));
/// assert!(!pay_core::constant_time_eq(b"abc", b"ab"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// A notification whose authenticity was checked. It can only be made by
/// [`VerifiedWebhook::verify`], which compares what the provider's scheme expects with
/// what the notification presents, in constant time; there is no constructor that skips
/// the comparison. Only a verified notification can be parsed.
#[derive(Debug, Clone)]
pub struct VerifiedWebhook {
    provider: ProviderId,
    raw: RawWebhook,
    trust: Trust,
}

impl VerifiedWebhook {
    /// Verifies `raw`: `expected` is what the provider's scheme computes for it (the
    /// keyed signature over its fields, the configured credentials), `presented` what the
    /// notification carries (its signature field or header). Equal, compared in constant
    /// time: the notification is verified with `trust`.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use pay_core::{ProviderId, RawWebhook, Trust, VerifiedWebhook};
    ///
    /// let raw = RawWebhook::new(vec![], b"Tid=1&Signature=abc".to_vec(), SystemTime::UNIX_EPOCH);
    /// let ok = VerifiedWebhook::verify(ProviderId::new("p"), raw.clone(), b"abc", Some(b"abc"), Trust::Hint);
    /// assert!(ok.is_ok());
    /// let bad = VerifiedWebhook::verify(ProviderId::new("p"), raw, b"abc", Some(b"abd"), Trust::Hint);
    /// assert_eq!(bad.unwrap_err().to_string(), "p: webhook rejected: signature or credentials do not match");
    /// ```
    ///
    /// # Errors
    /// [`WebhookRejected`](ErrorKind::WebhookRejected) with
    /// [`MissingSignature`](WebhookRejection::MissingSignature) when `presented` is `None`
    /// or empty, or [`BadSignature`](WebhookRejection::BadSignature) when they differ (or
    /// `expected` is empty: a scheme with no secret proves nothing).
    pub fn verify(
        provider: ProviderId,
        raw: RawWebhook,
        expected: &[u8],
        presented: Option<&[u8]>,
        trust: Trust,
    ) -> Result<Self, PayError> {
        let reject =
            |reason| PayError::new(ErrorKind::WebhookRejected { reason }).with_provider(provider);
        let presented = match presented {
            Some(p) if !p.is_empty() => p,
            _ => return Err(reject(WebhookRejection::MissingSignature)),
        };
        if expected.is_empty() || !constant_time_eq(expected, presented) {
            return Err(reject(WebhookRejection::BadSignature));
        }
        Ok(Self {
            provider,
            raw,
            trust,
        })
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

/// What a notification is about, with the status type of that kind of object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A payment changed status.
    Payment {
        /// The payment, once the provider has one.
        id: Option<ProviderPaymentId>,
        /// The page or checkout it came through.
        checkout_id: Option<CheckoutId>,
        /// The status claimed.
        status: Option<PaymentStatus>,
    },
    /// A refund changed status.
    Refund {
        /// The refund, where refunds have ids.
        id: Option<ProviderRefundId>,
        /// The refunded payment.
        payment_id: Option<ProviderPaymentId>,
        /// The status claimed.
        status: Option<RefundStatus>,
    },
    /// A payout changed status.
    Payout {
        /// The payout.
        id: Option<PayoutId>,
        /// The status claimed.
        status: Option<PayoutStatus>,
    },
    /// A subscription or instalment plan changed, or charged.
    Subscription {
        /// The subscription or plan.
        id: Option<SubscriptionId>,
        /// The status claimed.
        status: Option<SubscriptionStatus>,
        /// The payment of this charge, for a charge event.
        charge: Option<ProviderPaymentId>,
        /// Which charge it is (1 for the first), when the provider counts them.
        charge_number: Option<u32>,
        /// The charge's payment status, for a charge event.
        charge_status: Option<PaymentStatus>,
    },
    /// A mandate changed status.
    Mandate {
        /// The mandate.
        id: Option<MandateId>,
        /// The status claimed.
        status: Option<MandateStatus>,
    },
    /// A dispute (chargeback) was opened or changed.
    Dispute {
        /// The dispute.
        id: Option<DisputeId>,
        /// The disputed payment.
        payment_id: Option<ProviderPaymentId>,
        /// The status claimed.
        status: Option<DisputeStatus>,
    },
    /// An event type the adapter does not map, as the provider named it.
    Unknown {
        /// The provider's name for it.
        provider_type: String,
    },
}

impl EventKind {
    /// A stable snake_case name of the kind (`"payment"`, `"refund"`…; `"unknown"`).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Payment { .. } => "payment",
            EventKind::Refund { .. } => "refund",
            EventKind::Payout { .. } => "payout",
            EventKind::Subscription { .. } => "subscription",
            EventKind::Mandate { .. } => "mandate",
            EventKind::Dispute { .. } => "dispute",
            EventKind::Unknown { .. } => "unknown",
        }
    }
}

/// A provider-neutral event parsed from a verified notification. When
/// [`requires_confirmation`](Self::requires_confirmation) is true (always, for both of our
/// providers), fetch the object before acting: the notification is a hint, not proof.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// Who sent it.
    pub provider: ProviderId,
    /// The event's identity, for duplicate detection ([`SeenEvents`]).
    pub id: EventId,
    /// What it is about, with the claimed status.
    pub kind: EventKind,
    /// The merchant's reference, when included.
    pub reference: Option<MerchantReference>,
    /// The provider's raw status value.
    pub provider_status: Option<String>,
    /// The amount the notification claims.
    pub amount: Option<Money>,
    /// How much the notification proves.
    pub trust: Trust,
}

impl WebhookEvent {
    /// An event.
    pub fn new(provider: ProviderId, id: EventId, kind: EventKind, trust: Trust) -> Self {
        Self {
            provider,
            id,
            kind,
            reference: None,
            provider_status: None,
            amount: None,
            trust,
        }
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: MerchantReference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Sets the provider's raw status.
    #[must_use]
    pub fn with_provider_status(mut self, raw: impl Into<String>) -> Self {
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

/// A verified, parsed notification and whether it was seen before.
///
/// The event is recorded before the caller acts on it. If acting on a `First` fails,
/// call [`SeenEvents::forget`] and answer the provider with an error, so that its
/// redelivery is handled as a first delivery again (at-least-once handling); with
/// `pay-journal`, record and act in one database transaction instead.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Delivery {
    /// The first delivery of this event: act on it (after confirming, for hints).
    First(WebhookEvent),
    /// The same event was delivered before: answer the provider with success and do
    /// nothing else. Providers retry and repeat notifications (Easytransac may send
    /// several `captured` notifications for one payment).
    Duplicate(WebhookEvent),
}

impl Delivery {
    /// The event, whichever delivery it is.
    pub fn event(&self) -> &WebhookEvent {
        match self {
            Delivery::First(e) | Delivery::Duplicate(e) => e,
        }
    }

    /// Whether it was seen before.
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Delivery::Duplicate(_))
    }
}

/// A store of the notification events already handled, keyed by provider and
/// [`EventId`]. The in-memory [`InMemorySeenEvents`] serves one process; `pay-journal`
/// implements it on SQLite and PostgreSQL for many.
#[async_trait]
pub trait SeenEvents: Send + Sync + fmt::Debug {
    /// Records the event if it is absent, in one atomic step, and says whether it was
    /// (true: first delivery; false: seen before).
    ///
    /// # Errors
    /// When the store cannot be reached; the caller should then answer the provider with
    /// an error so that it retries later.
    async fn first_seen(
        &self,
        provider: ProviderId,
        event: &EventId,
        at: SystemTime,
    ) -> Result<bool, PayError>;

    /// Forgets an event, so that its next delivery is a first one again. Call it when
    /// acting on a [`Delivery::First`] failed, and answer the provider with an error so it
    /// delivers again: recording happens before acting, and without this a failed first
    /// handling would turn every redelivery into a duplicate and the event would be lost.
    ///
    /// # Errors
    /// When the store cannot be reached.
    async fn forget(&self, provider: ProviderId, event: &EventId) -> Result<(), PayError>;
}

/// An in-process [`SeenEvents`], forgetting events older than a retention window (7 days
/// by default) so that it stays bounded.
#[derive(Debug)]
pub struct InMemorySeenEvents {
    retention: Duration,
    seen: Mutex<HashMap<(ProviderId, EventId), SystemTime>>,
}

impl InMemorySeenEvents {
    /// A store keeping events for 7 days.
    pub fn new() -> Self {
        Self::with_retention(Duration::from_secs(7 * 24 * 3600))
    }

    /// A store keeping events for `retention`.
    pub fn with_retention(retention: Duration) -> Self {
        Self {
            retention,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How many events it holds.
    pub fn len(&self) -> usize {
        self.seen.lock().map_or(0, |m| m.len())
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for InMemorySeenEvents {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl SeenEvents for InMemorySeenEvents {
    async fn first_seen(
        &self,
        provider: ProviderId,
        event: &EventId,
        at: SystemTime,
    ) -> Result<bool, PayError> {
        let mut seen = self.seen.lock().map_err(|_| {
            PayError::new(ErrorKind::Configuration {
                reason: "the in-memory event store was poisoned by a panic".to_owned(),
            })
        })?;
        let retention = self.retention;
        seen.retain(|_, when| {
            at.duration_since(*when)
                .map_or(true, |age| age <= retention)
        });
        Ok(seen.insert((provider, event.clone()), at).is_none())
    }

    async fn forget(&self, provider: ProviderId, event: &EventId) -> Result<(), PayError> {
        let mut seen = self.seen.lock().map_err(|_| {
            PayError::new(ErrorKind::Configuration {
                reason: "the in-memory event store was poisoned by a panic".to_owned(),
            })
        })?;
        seen.remove(&(provider, event.clone()));
        Ok(())
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
        let event = WebhookEvent::new(
            ProviderId::new("x"),
            EventId::new("e1").unwrap(),
            EventKind::Unknown {
                provider_type: "kyc".to_owned(),
            },
            Trust::Hint,
        );
        assert!(event.requires_confirmation());
        assert_eq!(event.kind.name(), "unknown");
    }

    #[test]
    fn raw_webhooks_keep_what_was_received() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(42);
        let headers = vec![
            ("X-Sig".to_owned(), "abc".to_owned()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ];
        let raw = RawWebhook::new(headers.clone(), b"{\"id\":7}".to_vec(), at);
        assert_eq!(raw.headers(), &headers[..]);
        assert_eq!(raw.body(), b"{\"id\":7}");
        assert_eq!(raw.received_at(), at);
        assert_eq!(raw.header("x-sig"), Some("abc"));
        assert_eq!(raw.header("X-Other"), None);
        assert_eq!(
            format!("{raw:?}"),
            format!(
                "RawWebhook {{ headers: [\"X-Sig\", \"Content-Type\"], body_len: 8, \
                 received_at: {at:?} }}"
            )
        );
        let verified = VerifiedWebhook::verify(
            ProviderId::new("p"),
            raw,
            b"abc",
            Some(b"abc"),
            Trust::Authenticated,
        )
        .unwrap();
        assert_eq!(verified.provider(), ProviderId::new("p"));
        assert_eq!(verified.raw().body(), b"{\"id\":7}");
    }

    #[test]
    fn deliveries_say_whether_they_repeat() {
        let event = WebhookEvent::new(
            ProviderId::new("x"),
            EventId::new("e1").unwrap(),
            EventKind::Unknown {
                provider_type: "kyc".to_owned(),
            },
            Trust::Authenticated,
        );
        assert!(!event.requires_confirmation());
        let first = Delivery::First(event.clone());
        let again = Delivery::Duplicate(event);
        assert!(!first.is_duplicate());
        assert!(again.is_duplicate());
        assert_eq!(first.event().id.as_str(), "e1");
        assert_eq!(again.event().id.as_str(), "e1");
    }

    #[test]
    fn verification_is_the_only_way_in() {
        let raw = RawWebhook::new(vec![], b"x".to_vec(), SystemTime::UNIX_EPOCH);
        let p = ProviderId::new("p");
        let rejected = |r: Result<VerifiedWebhook, PayError>| match r.unwrap_err().kind() {
            ErrorKind::WebhookRejected { reason } => *reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            rejected(VerifiedWebhook::verify(
                p,
                raw.clone(),
                b"s",
                None,
                Trust::Hint
            )),
            WebhookRejection::MissingSignature
        );
        assert_eq!(
            rejected(VerifiedWebhook::verify(
                p,
                raw.clone(),
                b"s",
                Some(b""),
                Trust::Hint
            )),
            WebhookRejection::MissingSignature
        );
        assert_eq!(
            rejected(VerifiedWebhook::verify(
                p,
                raw.clone(),
                b"",
                Some(b""),
                Trust::Hint
            )),
            WebhookRejection::MissingSignature
        );
        // No secret configured proves nothing, even against an empty-looking match.
        assert_eq!(
            rejected(VerifiedWebhook::verify(
                p,
                raw.clone(),
                b"",
                Some(b"x"),
                Trust::Hint
            )),
            WebhookRejection::BadSignature
        );
        assert_eq!(
            rejected(VerifiedWebhook::verify(
                p,
                raw.clone(),
                b"sig",
                Some(b"sig2"),
                Trust::Hint
            )),
            WebhookRejection::BadSignature
        );
        let ok =
            VerifiedWebhook::verify(p, raw, b"sig", Some(b"sig"), Trust::Authenticated).unwrap();
        assert_eq!(ok.trust(), Trust::Authenticated);
    }

    #[test]
    fn constant_time_eq_agrees_with_eq() {
        for (a, b) in [
            ("", ""),
            ("a", "a"),
            ("a", "b"),
            ("ab", "a"),
            ("abc", "abd"),
        ] {
            assert_eq!(
                constant_time_eq(a.as_bytes(), b.as_bytes()),
                a == b,
                "{a} {b}"
            );
        }
    }

    #[tokio::test]
    async fn the_in_memory_store_detects_repeats_and_forgets_old_ones() {
        let store = InMemorySeenEvents::with_retention(Duration::from_secs(60));
        let p = ProviderId::new("easytransac");
        let e = EventId::new("T1:captured").unwrap();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert!(store.first_seen(p, &e, t0).await.unwrap());
        assert!(
            !store
                .first_seen(p, &e, t0 + Duration::from_secs(5))
                .await
                .unwrap()
        );
        // Another provider's event with the same id is another event.
        assert!(
            store
                .first_seen(ProviderId::new("easypay"), &e, t0)
                .await
                .unwrap()
        );
        assert_eq!(store.len(), 2);
        // Past the retention window it is forgotten.
        assert!(
            store
                .first_seen(p, &e, t0 + Duration::from_secs(120))
                .await
                .unwrap()
        );
        // Forgetting an event lets it count as first again.
        assert!(!store.is_empty());
        assert!(
            !store
                .first_seen(p, &e, t0 + Duration::from_secs(121))
                .await
                .unwrap()
        );
        store.forget(p, &e).await.unwrap();
        assert!(
            store
                .first_seen(p, &e, t0 + Duration::from_secs(122))
                .await
                .unwrap()
        );
        assert!(InMemorySeenEvents::new().is_empty());
        assert!(InMemorySeenEvents::default().is_empty());
    }
}
