//! Notifications: `POST`s signed with HMAC-SHA256 over the raw body in `Quill-Signature`
//! (`sha256=<hex>`), as `payment_notification`'s `x-signed` in `fixtures/quill/api.yaml`
//! states. The scheme is read from the generated operation table and checked by
//! `pay_signing::hmac`, in constant time, before anything reads the body.
//!
//! The signature has no timestamp, so a notification can be replayed: events are hints
//! (confirm with `get_payment` before acting), and duplicates share the event's `id`.

use pay_core::{
    ErrorKind, EventId, EventKind, PayError, RawWebhook, Signing, Trust, VerifiedWebhook,
    WebhookEvent, WebhookRejection, Webhooks,
};
use pay_signing::hmac::{self, Scheme};

use crate::client::{Client, PROVIDER};
use crate::{convert, wire};

fn rejected(reason: WebhookRejection) -> PayError {
    PayError::new(ErrorKind::WebhookRejected { reason }).with_provider(PROVIDER)
}

/// The signature scheme the description states for notifications.
fn scheme() -> Result<Scheme, PayError> {
    let signing = wire::operation("payment_notification").and_then(|op| op.signed);
    let Some(Signing::Hmac(s)) = signing else {
        return Err(PayError::new(ErrorKind::Configuration {
            reason: "payment_notification is not HMAC-signed in fixtures/quill/api.yaml".to_owned(),
        })
        .with_provider(PROVIDER));
    };
    Scheme::parse(s.algorithm, s.header, s.encoding, s.covers, s.prefix).map_err(|err| {
        PayError::new(ErrorKind::Configuration {
            reason: format!("payment_notification's signature: {err}"),
        })
        .with_provider(PROVIDER)
    })
}

impl Webhooks for Client {
    fn verify(&self, raw: &RawWebhook) -> Result<VerifiedWebhook, PayError> {
        let scheme = scheme()?;
        let Some(presented) = raw.header(scheme.header()).filter(|v| !v.is_empty()) else {
            return Err(rejected(WebhookRejection::MissingSignature));
        };
        // Without a secret nothing can be verified: refuse rather than trust.
        let Some(key) = &self.webhook_key else {
            return Err(rejected(WebhookRejection::BadSignature));
        };
        hmac::verify(key, &scheme, raw.body(), presented)
            .map_err(|_| rejected(WebhookRejection::BadSignature))?;
        // The signature holds; mint the verified notification through pay-core's
        // constant-time comparison of what the scheme expects and what was presented.
        let expected = hmac::sign(key, &scheme, raw.body())
            .map_err(|_| rejected(WebhookRejection::BadSignature))?;
        VerifiedWebhook::verify(
            PROVIDER,
            raw.clone(),
            expected.as_bytes(),
            Some(presented.as_bytes()),
            Trust::Hint,
        )
    }

    fn parse(&self, verified: &VerifiedWebhook) -> Result<WebhookEvent, PayError> {
        let body = verified.raw().body();
        let notification: wire::Notification =
            serde_json::from_slice(body).map_err(|_| rejected(WebhookRejection::Malformed))?;
        let id =
            EventId::new(notification.id).map_err(|_| rejected(WebhookRejection::Malformed))?;
        if notification.r#type != "payment.updated" {
            let kind = EventKind::Unknown {
                provider_type: notification.r#type,
            };
            return Ok(WebhookEvent::new(PROVIDER, id, kind, verified.trust()));
        }
        let payment = convert::payment(notification.payment)
            .map_err(|_| rejected(WebhookRejection::Malformed))?;
        let kind = EventKind::Payment {
            id: payment.id.clone(),
            checkout_id: None,
            status: Some(payment.status.clone()),
        };
        let mut event = WebhookEvent::new(PROVIDER, id, kind, verified.trust())
            .with_provider_status(payment.provider_status)
            .with_amount(payment.amount);
        if let Some(reference) = payment.reference {
            event = event.with_reference(reference);
        }
        Ok(event)
    }
}
