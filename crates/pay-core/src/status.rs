//! Provider-neutral statuses and payment-method kinds, each with an `Unknown` case.
//!
//! Adapters map their provider's vocabulary into these enums in one table each. A value
//! the adapter does not know becomes `Unknown(raw)`: it is kept, never dropped, and it
//! never counts as success. Resources carry the provider's raw status string beside the
//! mapped one (`Payment::provider_status`).

use std::fmt;

macro_rules! neutral_enum {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$vdoc:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
            /// A value the adapter could not map, kept as the provider sent it.
            Unknown(String),
        }

        impl $name {
            /// Every known variant (not `Unknown`), for exhaustive tests of status maps.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// A stable snake_case name (`"captured"`), or the raw value for `Unknown`.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(raw) => raw,
                }
            }

            /// Whether this is `Unknown`.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $name::Unknown(raw) => write!(f, "unknown ({raw})"),
                    other => f.write_str(other.as_str()),
                }
            }
        }
    };
}

neutral_enum!(
    /// Where a payment stands. Branch on this, not on provider strings.
    PaymentStatus {
        /// Created; waiting for the customer or the provider (Multibanco reference not yet
        /// paid, SEPA debit not yet settled, payment page not yet used).
        Pending => "pending",
        /// The customer must act: 3-D Secure, a redirect, an app approval. See
        /// [`NextAction`](crate::NextAction).
        RequiresAction => "requires_action",
        /// Funds are reserved but not taken; capture or void next.
        Authorized => "authorized",
        /// Funds are taken. The success state.
        Captured => "captured",
        /// Captured, then partly refunded.
        PartiallyRefunded => "partially_refunded",
        /// Captured, then refunded in full.
        Refunded => "refunded",
        /// Declined or failed; final.
        Failed => "failed",
        /// Voided or cancelled before capture; final.
        Canceled => "canceled",
        /// The customer never completed it in time; final.
        Expired => "expired",
        /// The payer disputed it (chargeback).
        Disputed => "disputed",
    }
);

impl PaymentStatus {
    /// Whether money was taken (captured, possibly refunded since). `Unknown` is never a
    /// success.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Captured | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        )
    }

    /// Whether the payment can no longer change except by refund or dispute.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Failed
                | PaymentStatus::Canceled
                | PaymentStatus::Expired
                | PaymentStatus::Refunded
        )
    }
}

neutral_enum!(
    /// Where a refund stands.
    RefundStatus {
        /// Accepted; not yet settled.
        Pending => "pending",
        /// Done.
        Succeeded => "succeeded",
        /// Refused or failed.
        Failed => "failed",
        /// Cancelled before it happened.
        Canceled => "canceled",
    }
);

neutral_enum!(
    /// Where a SEPA direct-debit mandate stands.
    MandateStatus {
        /// Created; waiting for signature or activation.
        Pending => "pending",
        /// Usable for debits.
        Active => "active",
        /// Revoked by the debtor or the merchant.
        Revoked => "revoked",
        /// Refused or failed to set up.
        Failed => "failed",
        /// No longer usable after inactivity.
        Expired => "expired",
    }
);

neutral_enum!(
    /// Where a subscription or instalment plan stands.
    SubscriptionStatus {
        /// Created; the first charge is not done yet.
        Pending => "pending",
        /// Charging on schedule.
        Active => "active",
        /// A charge failed; the provider may retry.
        PastDue => "past_due",
        /// Cancelled; no further charges.
        Canceled => "canceled",
        /// Every scheduled charge is done.
        Completed => "completed",
        /// Stopped after failures.
        Failed => "failed",
        /// Suspended: no charges until reactivated (Easypay `inactive`).
        Inactive => "inactive",
    }
);

neutral_enum!(
    /// Where one capture of an authorised payment stands.
    CaptureStatus {
        /// Accepted for a later date (Easypay `delayed`).
        Scheduled => "scheduled",
        /// Waiting for the customer or the bank (Easypay `waiting`, `pending`).
        Pending => "pending",
        /// The funds are taken.
        Succeeded => "succeeded",
        /// It failed.
        Failed => "failed",
        /// Taken, then refunded.
        Refunded => "refunded",
    }
);

neutral_enum!(
    /// Where a dispute (chargeback) stands.
    DisputeStatus {
        /// The payer's bank has charged the payment back; the merchant may contest.
        Open => "open",
        /// The merchant contested it (representment); the bank has not decided.
        UnderReview => "under_review",
        /// Decided for the merchant: the funds come back.
        Won => "won",
        /// Decided for the payer: the funds stay with them.
        Lost => "lost",
    }
);

neutral_enum!(
    /// Where a payout (out-payment) stands.
    PayoutStatus {
        /// Accepted; not yet sent.
        Pending => "pending",
        /// Accepted for a later date (Easypay `delayed`, with `schedule_at`).
        Scheduled => "scheduled",
        /// Sent to the bank.
        Processing => "processing",
        /// Paid out.
        Paid => "paid",
        /// Refused or returned.
        Failed => "failed",
        /// Cancelled before it was sent.
        Canceled => "canceled",
    }
);

neutral_enum!(
    /// The kind of payment method used or offered.
    PaymentMethodKind {
        /// A card, entered on the provider's page or sent directly.
        Card => "card",
        /// A SEPA direct debit.
        SepaDirectDebit => "sepa_direct_debit",
        /// A Multibanco reference (entity + reference), paid at an ATM or in home banking.
        Multibanco => "multibanco",
        /// MB WAY: the customer approves in the MB WAY app.
        MbWay => "mb_way",
        /// A virtual IBAN the customer pays by SEPA transfer.
        VirtualIban => "virtual_iban",
        /// A bank transfer started through open banking.
        OpenBanking => "open_banking",
        /// Apple Pay.
        ApplePay => "apple_pay",
        /// Google Pay.
        GooglePay => "google_pay",
        /// Samsung Pay.
        SamsungPay => "samsung_pay",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_kept_and_never_success() {
        let s = PaymentStatus::Unknown("weird_new_state".to_owned());
        assert!(!s.is_success());
        assert!(!s.is_final());
        assert_eq!(s.as_str(), "weird_new_state");
        assert_eq!(s.to_string(), "unknown (weird_new_state)");
        assert!(PaymentStatus::Captured.is_success());
        assert!(!PaymentStatus::Authorized.is_success());
        assert!(!PaymentStatus::Pending.is_success());
    }

    #[test]
    fn final_states_are_the_ones_only_a_refund_or_dispute_can_change() {
        for status in [
            PaymentStatus::Failed,
            PaymentStatus::Canceled,
            PaymentStatus::Expired,
            PaymentStatus::Refunded,
        ] {
            assert!(status.is_final(), "{status}");
        }
        for status in [
            PaymentStatus::Pending,
            PaymentStatus::Authorized,
            PaymentStatus::Captured,
            PaymentStatus::PartiallyRefunded,
        ] {
            assert!(!status.is_final(), "{status}");
        }
        assert!(PaymentStatus::Refunded.is_success());
        assert!(PaymentStatus::PartiallyRefunded.is_success());
        assert!(!PaymentStatus::Failed.is_success());
    }

    #[test]
    fn names_are_distinct() {
        let names: std::collections::BTreeSet<_> = PaymentStatus::KNOWN
            .iter()
            .map(PaymentStatus::as_str)
            .collect();
        assert_eq!(names.len(), PaymentStatus::KNOWN.len());
        assert_eq!(PaymentMethodKind::MbWay.to_string(), "mb_way");
    }
}
