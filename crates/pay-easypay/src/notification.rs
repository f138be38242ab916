//! Easypay's notifications (generic, authorisation, transaction): authentication, parsing
//! into pay-core events, and confirmation by reading the resource back.
//!
//! Easypay does not sign notifications. What it allows is credentials on each delivery:
//! `Authorization: Basic …` (INFERRED: the docs declare Basic auth on notifications
//! without saying how it is configured) or a secret header of the merchant's choosing
//! in the notification URL's configuration. [`NotificationAuth`] says which; the client
//! compares in constant time through [`VerifiedWebhook::verify`]. Without one, every
//! notification is rejected: an unauthenticated notification proves nothing. Either way
//! the trust is [`Trust::Hint`]: act only on what [`EasypayClient::confirm`] reads back.
//!
//! Bodies are read leniently: amounts as strings or numbers, `message`/`messages` as a
//! string or an array, unknown fields ignored.

use std::fmt;

use base64::Engine;
use pay_core::{
    CallOptions, Dispute, ErrorKind, EventId, EventKind, MerchantReference, PayError, Payment,
    PaymentStatus, PayoutId, PayoutStatus, ProviderPaymentId, ProviderRefundId, RawWebhook, Refund,
    RefundStatus, Subscription, SubscriptionStatus, Trust, VerifiedWebhook, WebhookEvent,
    WebhookRejection,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::client::{EasypayClient, PROVIDER};
use crate::ids::OutPaymentId;
use crate::{status, wire};

/// How Easypay's notifications authenticate themselves to this merchant.
#[derive(Clone)]
#[non_exhaustive]
pub enum NotificationAuth {
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: SecretString,
    },
    /// A header whose value is a shared secret.
    Header {
        /// The header's name (case-insensitive).
        name: String,
        /// The secret value.
        secret: SecretString,
    },
}

impl fmt::Debug for NotificationAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotificationAuth::Basic { user, .. } => f
                .debug_struct("Basic")
                .field("user", user)
                .finish_non_exhaustive(),
            NotificationAuth::Header { name, .. } => f
                .debug_struct("Header")
                .field("name", name)
                .finish_non_exhaustive(),
        }
    }
}

impl NotificationAuth {
    /// Basic credentials.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Self {
        NotificationAuth::Basic {
            user: user.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// A secret header.
    pub fn header(name: impl Into<String>, secret: impl Into<String>) -> Self {
        NotificationAuth::Header {
            name: name.into(),
            secret: SecretString::from(secret.into()),
        }
    }

    /// (expected value, presented value) for `raw`.
    fn expected_and_presented<'a>(&self, raw: &'a RawWebhook) -> (String, Option<&'a str>) {
        match self {
            NotificationAuth::Basic { user, password } => {
                let token = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", password.expose_secret()));
                (format!("Basic {token}"), raw.header("authorization"))
            }
            NotificationAuth::Header { name, secret } => {
                (secret.expose_secret().to_owned(), raw.header(name))
            }
        }
    }
}

/// The three notification shapes, told apart by their members.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    transaction: Option<Box<RawValue>>,
    #[serde(default)]
    authorisation: Option<Box<RawValue>>,
}

/// A generic notification's `message`, as a string or an array (read separately: no
/// `flatten`, which would buffer numbers).
#[derive(Deserialize)]
struct GenericMessage {
    #[serde(default)]
    #[allow(dead_code)]
    message: Option<wire::ErrorMessage>,
}

fn malformed(err: impl std::error::Error + Send + Sync + 'static) -> PayError {
    PayError::new(ErrorKind::WebhookRejected {
        reason: WebhookRejection::Malformed,
    })
    .with_provider(PROVIDER)
    .with_source(err)
}

fn event_id(parts: &[&str]) -> Result<EventId, PayError> {
    EventId::new(parts.join(":")).map_err(malformed)
}

/// The event with the notification's `key` as the merchant's reference, when it is one.
fn with_key(event: WebhookEvent, key: Option<&str>) -> WebhookEvent {
    match key.and_then(|k| MerchantReference::new(k).ok()) {
        Some(reference) => event.with_reference(reference),
        None => event,
    }
}

/// Parses a verified notification's body into a neutral event.
pub(crate) fn parse(verified: &VerifiedWebhook) -> Result<WebhookEvent, PayError> {
    let body = verified.raw().body();
    let probe: Probe = serde_json::from_slice(body).map_err(malformed)?;
    let trust = verified.trust();
    if probe.transaction.is_some() {
        let n: wire::TransactionNotification = serde_json::from_slice(body).map_err(malformed)?;
        let id = n.id.clone().unwrap_or_default();
        let tx = n.transaction.as_ref();
        let tx_id = tx.and_then(|t| t.id.clone()).unwrap_or_default();
        let kind = EventKind::Payment {
            id: ProviderPaymentId::new(id.clone()).ok(),
            checkout_id: None,
            status: Some(PaymentStatus::Captured),
        };
        let mut event = WebhookEvent::new(
            PROVIDER,
            event_id(&[&id, "transaction", &tx_id])?,
            kind,
            trust,
        )
        .with_provider_status("transaction");
        let paid = tx
            .and_then(|t| t.values.as_ref())
            .and_then(|v| v.paid.clone())
            .or(n.value.clone());
        if let Some(amount) = paid.and_then(|v| v.to_money(pay_core::Currency::EUR).ok()) {
            event = event.with_amount(amount);
        }
        event = with_key(event, n.key.as_deref());
        return Ok(event);
    }
    if probe.authorisation.is_some() {
        let n: wire::AuthorisationNotification = serde_json::from_slice(body).map_err(malformed)?;
        let id = n.id.clone().unwrap_or_default();
        let auth = n
            .authorisation
            .as_ref()
            .and_then(|a| a.id.clone())
            .unwrap_or_default();
        let kind = EventKind::Payment {
            id: ProviderPaymentId::new(id.clone()).ok(),
            checkout_id: None,
            status: Some(PaymentStatus::Authorized),
        };
        let mut event = WebhookEvent::new(
            PROVIDER,
            event_id(&[&id, "authorisation", &auth])?,
            kind,
            trust,
        )
        .with_provider_status("authorisation");
        if let Some(amount) = n
            .value
            .as_ref()
            .and_then(|v| v.to_money(pay_core::Currency::EUR).ok())
        {
            event = event.with_amount(amount);
        }
        event = with_key(event, n.key.as_deref());
        return Ok(event);
    }
    let _: GenericMessage = serde_json::from_slice(body).map_err(malformed)?;
    let n: wire::GenericNotification = serde_json::from_slice(body).map_err(malformed)?;
    let id = n.id.clone().unwrap_or_default();
    let raw_type = n
        .r#type
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    let raw_status = n
        .status
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let success = raw_status == "success";
    let failed = raw_status == "failed";
    let payment = |ok: PaymentStatus| EventKind::Payment {
        id: ProviderPaymentId::new(id.clone()).ok(),
        checkout_id: None,
        status: if success {
            Some(ok)
        } else if failed {
            Some(PaymentStatus::Failed)
        } else {
            None
        },
    };
    use wire::GenericNotificationType as T;
    let kind = match n.r#type.as_ref() {
        Some(T::Capture) => payment(PaymentStatus::Captured),
        Some(T::Authorisation | T::FrequentCreate) => payment(PaymentStatus::Authorized),
        Some(T::Void) => payment(PaymentStatus::Canceled),
        Some(T::Refund) => EventKind::Refund {
            id: ProviderRefundId::new(id.clone()).ok(),
            payment_id: None,
            status: if success {
                Some(RefundStatus::Succeeded)
            } else if failed {
                Some(RefundStatus::Failed)
            } else {
                None
            },
        },
        Some(T::OutPayment) => EventKind::Payout {
            id: PayoutId::new(id.clone()).ok(),
            status: if success {
                Some(PayoutStatus::Paid)
            } else if failed {
                Some(PayoutStatus::Failed)
            } else {
                None
            },
        },
        // The notification names the charged-back single payment (or a frequent
        // payment's capture), not the chargeback, whose id it does not carry: `confirm`
        // finds the chargeback by what it charges back.
        Some(T::Chargeback) => EventKind::Dispute {
            id: None,
            payment_id: ProviderPaymentId::new(id.clone()).ok(),
            status: None,
        },
        // The method was set up (or refused): the subscription is active (or failed).
        Some(T::SubscriptionCreate) => EventKind::Subscription {
            id: pay_core::SubscriptionId::new(id.clone()).ok(),
            status: if success {
                Some(SubscriptionStatus::Active)
            } else if failed {
                Some(SubscriptionStatus::Failed)
            } else {
                None
            },
            charge: None,
            charge_number: None,
            charge_status: None,
        },
        // A charge: its status is claimed, which charge it is `confirm` reads back.
        Some(T::SubscriptionCapture) => EventKind::Subscription {
            id: pay_core::SubscriptionId::new(id.clone()).ok(),
            status: None,
            charge: None,
            charge_number: None,
            charge_status: Some(if success {
                PaymentStatus::Captured
            } else if failed {
                PaymentStatus::Failed
            } else {
                PaymentStatus::Unknown(raw_status.clone())
            }),
        },
        _ => EventKind::Unknown {
            provider_type: raw_type.clone(),
        },
    };
    // A subscription's charges all name the subscription: the capture's
    // `transaction_key` (the notification's `key`) and the `date` tell them apart, so a
    // second charge is not taken for a redelivery of the first (INFERRED: Easypay
    // redelivers the same body, `date` included).
    let event_id = match n.r#type.as_ref() {
        Some(T::SubscriptionCapture) => event_id(&[
            &id,
            &raw_type,
            &raw_status,
            n.key.as_deref().unwrap_or_default(),
            n.date.as_deref().unwrap_or_default(),
        ])?,
        _ => event_id(&[&id, &raw_type, &raw_status])?,
    };
    let mut event =
        WebhookEvent::new(PROVIDER, event_id, kind, trust).with_provider_status(raw_status);
    event = with_key(event, n.key.as_deref());
    Ok(event)
}

/// What [`EasypayClient::confirm`] read back for an event.
#[derive(Debug)]
#[non_exhaustive]
pub enum Confirmed {
    /// The payment, as Easypay reports it now.
    Payment(Box<Payment>),
    /// The refund.
    Refund(Refund),
    /// The out-payment.
    OutPayment(Box<wire::OutPayment>),
    /// The subscription, and the charge a `subscription_capture` notification is about.
    Subscription(Box<ConfirmedSubscription>),
    /// The chargeback.
    Dispute(Box<Dispute>),
    /// An event whose resource this client does not read back (unknown types, or an
    /// event without an id): look it up with the typed methods.
    NotFetched,
}

impl Confirmed {
    /// The event's kind as read back (ids and statuses from Easypay's answer, not from
    /// the notification); `None` for [`Confirmed::NotFetched`].
    pub fn kind(&self) -> Option<EventKind> {
        Some(match self {
            Confirmed::Payment(payment) => EventKind::Payment {
                id: payment.id.clone(),
                checkout_id: payment.checkout_id.clone(),
                status: Some(payment.status.clone()),
            },
            Confirmed::Refund(refund) => EventKind::Refund {
                id: refund.id.clone(),
                payment_id: Some(refund.payment_id.clone()),
                status: Some(refund.status.clone()),
            },
            Confirmed::OutPayment(out) => EventKind::Payout {
                id: out.id.clone().and_then(|id| PayoutId::new(id).ok()),
                status: out.status.as_ref().map(status::payout_status),
            },
            Confirmed::Subscription(confirmed) => confirmed.kind(),
            Confirmed::Dispute(dispute) => EventKind::Dispute {
                id: Some(dispute.id.clone()),
                payment_id: dispute.payment_id.clone(),
                status: Some(dispute.status.clone()),
            },
            Confirmed::NotFetched => return None,
        })
    }
}

/// A subscription event read back: the subscription (`GET /subscription/{id}`) and, for a
/// charge (`subscription_capture`), the capture that charged it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConfirmedSubscription {
    /// The subscription as Easypay reports it now.
    pub subscription: Subscription,
    /// The charge: the subscription's capture whose `transaction_key` is the
    /// notification's `key`, else its latest capture. INFERRED: Easypay's capture list
    /// documents captures of single and frequent payments; a subscription's charges are
    /// read there by `payment_id`, as Easypay's transaction report links them.
    pub charge: Option<wire::Capture>,
    /// Which charge it is (1 for the first): its place among the subscription's captures
    /// in the list's order. INFERRED: Easypay documents no order for the capture list;
    /// oldest first is assumed.
    pub charge_number: Option<u32>,
}

impl ConfirmedSubscription {
    /// The neutral event kind: the subscription's status, and the charge's capture id
    /// and status.
    pub fn kind(&self) -> EventKind {
        let charge = self.charge.as_ref();
        EventKind::Subscription {
            id: Some(self.subscription.id.clone()),
            status: Some(self.subscription.status.clone()),
            charge: charge
                .and_then(|c| c.id.clone())
                .and_then(|id| ProviderPaymentId::new(id).ok()),
            charge_number: self.charge_number,
            charge_status: charge
                .and_then(|c| c.status.as_ref())
                .map(status::charge_status),
        }
    }
}

impl EasypayClient {
    /// The capture a subscription charge notification is about, and its number: the
    /// subscription's last capture whose `transaction_key` is `key`, else its last one.
    async fn subscription_charge(
        &self,
        subscription: &str,
        key: Option<&MerchantReference>,
        options: &CallOptions,
    ) -> Result<(Option<wire::Capture>, Option<u32>), PayError> {
        let mut captures = self.captures_of(subscription, options).await?;
        let keyed = key.and_then(|key| {
            captures
                .iter()
                .rposition(|c| c.transaction_key.as_deref() == Some(key.as_str()))
        });
        let Some(at) = keyed.or(captures.len().checked_sub(1)) else {
            return Ok((None, None));
        };
        let number = u32::try_from(at + 1).ok();
        Ok((Some(captures.swap_remove(at)), number))
    }

    /// Verifies a notification by the configured [`NotificationAuth`].
    pub(crate) fn verify_notification(
        &self,
        raw: &RawWebhook,
    ) -> Result<VerifiedWebhook, PayError> {
        let (expected, presented) = match &self.inner.notification_auth {
            Some(auth) => auth.expected_and_presented(raw),
            None => (String::new(), None),
        };
        VerifiedWebhook::verify(
            PROVIDER,
            raw.clone(),
            expected.as_bytes(),
            presented.map(str::as_bytes),
            Trust::Hint,
        )
    }

    /// Reads back the resource a notification names, as Easypay recommends before
    /// acting on it: the payment (`GET /single/{id}`), the refund, the out-payment, the
    /// subscription (`GET /subscription/{id}`, and for a charge the subscription's
    /// capture from `GET /capture`) or the chargeback (from `GET /chargeback`, the
    /// latest of the payment or capture the notification names).
    /// [`Confirmed::kind`] is the event's kind filled from what was read.
    ///
    /// The capture and chargeback lists have no filter by payment: confirming a
    /// subscription charge or a chargeback reads every capture or chargeback of the
    /// account.
    ///
    /// # Errors
    /// Any error of the read (a `NotFound` means the notification named something the
    /// account does not have: do not act on it).
    pub async fn confirm(
        &self,
        event: &WebhookEvent,
        options: &CallOptions,
    ) -> Result<Confirmed, PayError> {
        match &event.kind {
            EventKind::Payment { id: Some(id), .. } => {
                pay_core::Payments::get_payment(self, id, options)
                    .await
                    .map(|p| Confirmed::Payment(Box::new(p)))
            }
            EventKind::Refund { id: Some(id), .. } => {
                pay_core::Refunds::get_refund(self, id, options)
                    .await
                    .map(Confirmed::Refund)
            }
            EventKind::Payout { id: Some(id), .. } => {
                let id = OutPaymentId::new(id.as_str())
                    .map_err(|e| PayError::from(e).with_provider(PROVIDER))?;
                self.out_payments()
                    .get(&id, options)
                    .await
                    .map(|p| Confirmed::OutPayment(Box::new(p)))
            }
            EventKind::Subscription {
                id: Some(id),
                charge_status,
                ..
            } => {
                let sub = crate::ids::SubscriptionId::new(id.as_str())
                    .map_err(|e| PayError::from(e).with_provider(PROVIDER))?;
                let subscription = crate::traits::to_subscription(
                    &self.subscriptions().get(&sub, options).await?,
                )?;
                let (charge, charge_number) = if charge_status.is_some() {
                    self.subscription_charge(id.as_str(), event.reference.as_ref(), options)
                        .await?
                } else {
                    (None, None)
                };
                Ok(Confirmed::Subscription(Box::new(ConfirmedSubscription {
                    subscription,
                    charge,
                    charge_number,
                })))
            }
            EventKind::Dispute {
                payment_id: Some(id),
                ..
            } => self
                .chargeback_of(id.as_str(), options)
                .await
                .map(|d| Confirmed::Dispute(Box::new(d))),
            _ => Ok(Confirmed::NotFetched),
        }
    }
}
