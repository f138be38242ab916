//! Identifier newtypes: references the merchant chooses and ids the provider assigns.
//!
//! Each is a validated string with a private field, `as_str()`, `Display` and `FromStr`.
//! Limits here are the provider-neutral ones; adapters check their provider's tighter
//! limits (Easypay's 50-character `key`, for example) before sending.

use std::fmt;

use crate::validation::{ValidationError, check};

/// Defines a validated identifier newtype: a private `String`, `new` (1 to `$max`
/// characters, no control characters, errors naming `$field`), `as_str`, `MAX_LEN`,
/// `check_max_len`, `Display`, `FromStr` and `AsRef<str>`.
///
/// Adapters use it for their provider's own id kinds, so that a call which needs one kind
/// of id cannot be given another (Easypay refunds take a capture id, voids an
/// authorisation id):
///
/// ```
/// pay_core::define_id!(
///     /// An Easypay capture id.
///     CaptureId,
///     "capture_id",
///     64
/// );
///
/// let id = CaptureId::new("c1")?;
/// assert_eq!(id.as_str(), "c1");
/// assert_eq!(CaptureId::new("").unwrap_err().field(), "capture_id");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[macro_export]
macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("The most characters a `", stringify!($name), "` may have.")]
            pub const MAX_LEN: usize = $max;

            #[doc = concat!("Validates a `", stringify!($name), "`: 1 to ", stringify!($max), " characters, no control characters.")]
            ///
            /// # Errors
            /// [`Rule::Required`]($crate::Rule::Required), [`Rule::MaxLength`]($crate::Rule::MaxLength)
            /// or [`Rule::ForbiddenCharacter`]($crate::Rule::ForbiddenCharacter), naming the field.
            pub fn new(value: impl Into<String>) -> Result<Self, $crate::ValidationError> {
                let value = value.into();
                $crate::check::length($field, &value, Self::MAX_LEN)?;
                $crate::check::no_control($field, &value)?;
                Ok(Self(value))
            }

            /// The identifier.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Checks a provider's tighter length limit.
            ///
            /// # Errors
            /// [`Rule::MaxLength`]($crate::Rule::MaxLength) naming `field`.
            pub fn check_max_len(&self, field: &'static str, max: usize) -> Result<(), $crate::ValidationError> {
                $crate::check::max_length(field, &self.0, max)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

define_id!(
    /// The merchant's own reference for a payment (order id). It is the anchor for
    /// reconciliation: after an [`AmbiguousOutcome`](crate::ErrorKind::AmbiguousOutcome),
    /// [`Payments::find_by_reference`](crate::Payments::find_by_reference) looks it up.
    /// Make it unique per payment attempt. Easytransac calls it `OrderId`, Easypay `key`
    /// (at most 50 characters there).
    MerchantReference,
    "merchant_reference",
    255
);

define_id!(
    /// The merchant's own reference for a customer (Easytransac `Uid`, Easypay `customer.key`).
    CustomerReference,
    "customer_reference",
    255
);

define_id!(
    /// A payment's id at the provider (Easytransac `Tid`, Easypay single or frequent
    /// payment id). It exists only once the provider has created the payment: an
    /// unpaid hosted page or checkout has a [`CheckoutId`] instead.
    ProviderPaymentId,
    "payment_id",
    255
);

define_id!(
    /// A hosted payment page or checkout session at the provider (Easytransac payment
    /// page `RequestId`, Easypay checkout id). It is not a payment id: the payment it
    /// produces gets its own [`ProviderPaymentId`] once the customer pays.
    CheckoutId,
    "checkout_id",
    255
);

define_id!(
    /// An authorisation's id at the provider, where authorisations have ids of their own
    /// (Easypay: what a void takes).
    ProviderAuthorisationId,
    "authorisation_id",
    255
);

define_id!(
    /// A capture's id at the provider, where captures have ids of their own (Easypay:
    /// what a refund takes).
    ProviderCaptureId,
    "capture_id",
    255
);

define_id!(
    /// A refund's id at the provider.
    ProviderRefundId,
    "refund_id",
    255
);

define_id!(
    /// The provider's own id for a customer (Easytransac `ClientId`, Easypay `customer.id`),
    /// as opposed to the merchant's [`CustomerReference`].
    ProviderCustomerId,
    "customer_id",
    255
);

define_id!(
    /// A dispute's (chargeback's) id at the provider.
    DisputeId,
    "dispute_id",
    255
);

define_id!(
    /// The identity of one notification event, for duplicate detection: built by the
    /// adapter from what identifies the event at its provider (Easytransac: `Tid` and
    /// `Status`; Easypay: the notification's `id`, `type` and `status`).
    EventId,
    "event_id",
    512
);

define_id!(
    /// A SEPA direct-debit mandate's id at the provider.
    MandateId,
    "mandate_id",
    255
);

define_id!(
    /// A subscription's or instalment plan's id at the provider.
    SubscriptionId,
    "subscription_id",
    255
);

define_id!(
    /// A payout's (out-payment's) id at the provider.
    PayoutId,
    "payout_id",
    255
);

define_id!(
    /// The provider's id for one HTTP request, for support tickets.
    RequestId,
    "request_id",
    255
);

/// A key that makes a write idempotent at providers that support it: every attempt of
/// one logical operation carries the same key, so the provider runs it once.
///
/// 1 to 255 printable ASCII characters without spaces. Providers have tighter limits
/// (Easypay: 50); the adapter checks them with [`IdempotencyKey::check_max_len`].
/// Create one per logical operation, never per attempt, or derive it from your order
/// reference so a restarted process reuses it.
///
/// ```
/// use pay_core::IdempotencyKey;
///
/// let key = IdempotencyKey::new("order-42-capture")?;
/// assert_eq!(key.as_str(), "order-42-capture");
/// assert!(IdempotencyKey::new("has space").is_err());
/// assert!(key.check_max_len(50).is_ok());
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The most characters any provider-neutral key may have.
    pub const MAX_LEN: usize = 255;

    /// Validates `value`.
    ///
    /// # Errors
    /// [`Rule::Required`](crate::Rule::Required), [`Rule::MaxLength`](crate::Rule::MaxLength),
    /// [`Rule::ForbiddenCharacter`](crate::Rule::ForbiddenCharacter).
    pub fn new(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        check::length("idempotency_key", &value, Self::MAX_LEN)?;
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValidationError::new(
                "idempotency_key",
                crate::Rule::ForbiddenCharacter {
                    allowed: "printable ASCII without spaces",
                },
            ));
        }
        Ok(Self(value))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks a provider's limit (Easypay: 50).
    ///
    /// # Errors
    /// [`Rule::MaxLength`](crate::Rule::MaxLength) on `idempotency_key`.
    pub fn check_max_len(&self, max: usize) -> Result<(), ValidationError> {
        check::max_length("idempotency_key", &self.0, max)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rule;

    #[test]
    fn id_rules_and_messages() {
        assert_eq!(
            MerchantReference::new("").unwrap_err().to_string(),
            "`merchant_reference` is required"
        );
        assert_eq!(
            MerchantReference::new("a".repeat(256))
                .unwrap_err()
                .to_string(),
            "`merchant_reference` is 256 characters long; the limit is 255"
        );
        assert_eq!(
            MerchantReference::new("a\nb").unwrap_err().rule(),
            &Rule::ForbiddenCharacter {
                allowed: "printable characters; no control characters or line breaks"
            }
        );
        let r = MerchantReference::new("é".repeat(60)).unwrap();
        assert_eq!(
            r.check_max_len("key", 50).unwrap_err().to_string(),
            "`key` is 60 characters long; the limit is 50"
        );
        assert_eq!(
            ProviderPaymentId::new("").unwrap_err().field(),
            "payment_id"
        );
        assert_eq!(MandateId::new("").unwrap_err().field(), "mandate_id");
    }

    #[test]
    fn idempotency_key_rules() {
        let key = IdempotencyKey::new("01J9Z8W7X6V5T4S3R2Q1P0N9M8").unwrap();
        assert_eq!(key.as_str(), "01J9Z8W7X6V5T4S3R2Q1P0N9M8");
        assert_eq!(key.to_string(), "01J9Z8W7X6V5T4S3R2Q1P0N9M8");
        assert!(key.check_max_len(26).is_ok());
        assert!(key.check_max_len(25).is_err());
        assert_eq!(
            IdempotencyKey::new("a".repeat(51))
                .unwrap()
                .check_max_len(50)
                .unwrap_err()
                .to_string(),
            "`idempotency_key` is 51 characters long; the limit is 50"
        );
        assert!(IdempotencyKey::new("a".repeat(256)).is_err());
        assert!(IdempotencyKey::new("é").is_err());
        assert!(IdempotencyKey::new("").is_err());
    }
}
