//! Easypay's documented statuses mapped to `pay-core`'s neutral ones: one table per kind
//! of object, each an exhaustive `match` over the wire enum generated from our API
//! description, so a status added to the description does not compile until it is mapped.
//! A value the description does not list stays `Unknown`, never a success.
//!
//! Where the mapping is a judgement rather than a documented fact, the function says so
//! (INFERRED).

use pay_core::{
    CaptureStatus, Interval, MandateStatus, PaymentStatus, PayoutStatus, RefundStatus,
    SubscriptionStatus,
};

use crate::wire;

/// A single or frequent payment's `payment_status`.
///
/// - `paid` is captured; `authorised` is authorised; `error` and `failed` are failed;
///   `deleted` and `voided` are cancelled.
/// - `active` (INFERRED meaning): a frequent payment whose method the customer approved,
///   ready for captures on demand. It maps to [`PaymentStatus::Authorized`]: funds can be
///   taken, nothing is taken yet.
pub fn payment_status(status: &wire::SinglePaymentStatus) -> PaymentStatus {
    use wire::SinglePaymentStatus as S;
    match status {
        S::Pending => PaymentStatus::Pending,
        S::Paid => PaymentStatus::Captured,
        S::Authorised | S::Active => PaymentStatus::Authorized,
        S::Error | S::Failed => PaymentStatus::Failed,
        S::Deleted | S::Voided => PaymentStatus::Canceled,
        S::Unknown(raw) => PaymentStatus::Unknown(raw.clone()),
    }
}

/// An authorisation's `status`, as the status of the payment it authorises.
pub fn authorisation_status(status: &wire::AuthorisationStatus) -> PaymentStatus {
    use wire::AuthorisationStatus as S;
    match status {
        S::Waiting => PaymentStatus::RequiresAction,
        S::Pending => PaymentStatus::Pending,
        S::Success => PaymentStatus::Authorized,
        S::Failed => PaymentStatus::Failed,
        S::Canceled | S::Deleted => PaymentStatus::Canceled,
        S::Unknown(raw) => PaymentStatus::Unknown(raw.clone()),
    }
}

/// A capture's `status`. `waiting` needs an external confirmation and `pending` is queued:
/// both are pending; `delayed` has a `capture_date` ahead.
pub fn capture_status(status: &wire::CaptureStatus) -> CaptureStatus {
    use wire::CaptureStatus as S;
    match status {
        S::Delayed => CaptureStatus::Scheduled,
        S::Waiting | S::Pending => CaptureStatus::Pending,
        S::Success => CaptureStatus::Succeeded,
        S::Failed => CaptureStatus::Failed,
        S::Refunded => CaptureStatus::Refunded,
        S::Unknown(raw) => CaptureStatus::Unknown(raw.clone()),
    }
}

/// A subscription charge's capture `status`, as the status of the charge's payment:
/// `delayed`, `waiting` and `pending` are pending; `success` is captured.
pub fn charge_status(status: &wire::CaptureStatus) -> PaymentStatus {
    use wire::CaptureStatus as S;
    match status {
        S::Delayed | S::Waiting | S::Pending => PaymentStatus::Pending,
        S::Success => PaymentStatus::Captured,
        S::Failed => PaymentStatus::Failed,
        S::Refunded => PaymentStatus::Refunded,
        S::Unknown(raw) => PaymentStatus::Unknown(raw.clone()),
    }
}

/// A refund's `status`.
pub fn refund_status(status: &wire::RefundStatus) -> RefundStatus {
    use wire::RefundStatus as S;
    match status {
        S::Waiting | S::Pending => RefundStatus::Pending,
        S::Success => RefundStatus::Succeeded,
        S::Failed => RefundStatus::Failed,
        S::Unknown(raw) => RefundStatus::Unknown(raw.clone()),
    }
}

/// An out-payment's `status`: `delayed` waits for its `schedule_at`; `deleted` was
/// cancelled before it was sent.
pub fn payout_status(status: &wire::OutPaymentStatus) -> PayoutStatus {
    use wire::OutPaymentStatus as S;
    match status {
        S::Success => PayoutStatus::Paid,
        S::Pending => PayoutStatus::Pending,
        S::Delayed => PayoutStatus::Scheduled,
        S::Deleted => PayoutStatus::Canceled,
        S::Unknown(raw) => PayoutStatus::Unknown(raw.clone()),
    }
}

/// A subscription's payment method `status` (the subscription's state as Easypay reports
/// it on `GET /subscription/{id}`): `waiting` and `pending` until the customer's method is
/// set up, then `active`; `inactive` is suspended; `deleted` and `canceled` end it.
pub fn subscription_status(status: &wire::MethodStatus) -> SubscriptionStatus {
    use wire::MethodStatus as S;
    match status {
        S::Waiting | S::Pending => SubscriptionStatus::Pending,
        S::Active => SubscriptionStatus::Active,
        S::Inactive => SubscriptionStatus::Inactive,
        S::Failed => SubscriptionStatus::Failed,
        S::Deleted | S::Canceled => SubscriptionStatus::Canceled,
        S::Unknown(raw) => SubscriptionStatus::Unknown(raw.clone()),
    }
}

/// A direct-debit method's `status`, as the state of its SEPA mandate (INFERRED: Easypay
/// documents the method status, not a mandate object).
pub fn mandate_status(status: &wire::MethodStatus) -> MandateStatus {
    use wire::MethodStatus as S;
    match status {
        S::Waiting | S::Pending => MandateStatus::Pending,
        S::Active => MandateStatus::Active,
        S::Inactive | S::Deleted | S::Canceled => MandateStatus::Revoked,
        S::Failed => MandateStatus::Failed,
        S::Unknown(raw) => MandateStatus::Unknown(raw.clone()),
    }
}

/// The subscription intervals Easypay offers (`frequency`), shortest first.
pub const INTERVALS: &[Interval] = &[
    Interval::Daily,
    Interval::Weekly,
    Interval::Fortnightly,
    Interval::Monthly,
    Interval::EveryTwoMonths,
    Interval::Quarterly,
    Interval::EveryFourMonths,
    Interval::HalfYearly,
    Interval::Yearly,
    Interval::EveryTwoYears,
    Interval::EveryThreeYears,
];

/// A neutral interval as Easypay's `frequency`; `None` for one it does not offer.
pub fn frequency(interval: Interval) -> Option<wire::Frequency> {
    use wire::Frequency as F;
    Some(match interval {
        Interval::Daily => F::OneD,
        Interval::Weekly => F::OneW,
        Interval::Fortnightly => F::TwoW,
        Interval::Monthly => F::OneM,
        Interval::EveryTwoMonths => F::TwoM,
        Interval::Quarterly => F::ThreeM,
        Interval::EveryFourMonths => F::FourM,
        Interval::HalfYearly => F::SixM,
        Interval::Yearly => F::OneY,
        Interval::EveryTwoYears => F::TwoY,
        Interval::EveryThreeYears => F::ThreeY,
        _ => return None,
    })
}

/// Easypay's `frequency` as a neutral interval; `None` for a value the description does
/// not list.
pub fn interval(frequency: &wire::Frequency) -> Option<Interval> {
    use wire::Frequency as F;
    Some(match frequency {
        F::OneD => Interval::Daily,
        F::OneW => Interval::Weekly,
        F::TwoW => Interval::Fortnightly,
        F::OneM => Interval::Monthly,
        F::TwoM => Interval::EveryTwoMonths,
        F::ThreeM => Interval::Quarterly,
        F::FourM => Interval::EveryFourMonths,
        F::SixM => Interval::HalfYearly,
        F::OneY => Interval::Yearly,
        F::TwoY => Interval::EveryTwoYears,
        F::ThreeY => Interval::EveryThreeYears,
        F::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value the description lists maps to a known neutral status; an unlisted one
    /// stays `Unknown` with its text.
    #[test]
    fn every_documented_status_maps_to_a_known_one() {
        for raw in wire::SinglePaymentStatus::VALUES {
            let s = payment_status(&wire::SinglePaymentStatus::from(*raw));
            assert!(!s.is_unknown(), "payment_status {raw}");
        }
        for raw in wire::AuthorisationStatus::VALUES {
            assert!(!authorisation_status(&(*raw).into()).is_unknown(), "{raw}");
        }
        for raw in wire::CaptureStatus::VALUES {
            assert!(!capture_status(&(*raw).into()).is_unknown(), "{raw}");
        }
        for raw in wire::RefundStatus::VALUES {
            assert!(!refund_status(&(*raw).into()).is_unknown(), "{raw}");
        }
        for raw in wire::OutPaymentStatus::VALUES {
            assert!(!payout_status(&(*raw).into()).is_unknown(), "{raw}");
        }
        for raw in wire::MethodStatus::VALUES {
            assert!(!subscription_status(&(*raw).into()).is_unknown(), "{raw}");
            assert!(!mandate_status(&(*raw).into()).is_unknown(), "{raw}");
        }
        let odd = payment_status(&"refunded_twice".into());
        assert_eq!(odd, PaymentStatus::Unknown("refunded_twice".to_owned()));
        assert!(!odd.is_success());
    }

    #[test]
    fn the_money_states_are_the_documented_ones() {
        use PaymentStatus as P;
        let map = |raw: &str| payment_status(&raw.into());
        assert_eq!(map("paid"), P::Captured);
        assert_eq!(map("authorised"), P::Authorized);
        assert_eq!(map("voided"), P::Canceled);
        // Only `paid` is a success.
        let successes: Vec<&str> = wire::SinglePaymentStatus::VALUES
            .iter()
            .copied()
            .filter(|raw| map(raw).is_success())
            .collect();
        assert_eq!(successes, ["paid"]);
        assert_eq!(payout_status(&"delayed".into()), PayoutStatus::Scheduled);
        assert_eq!(capture_status(&"refunded".into()), CaptureStatus::Refunded);
    }

    #[test]
    fn intervals_are_easypays_closed_set_both_ways() {
        assert_eq!(INTERVALS.len(), wire::Frequency::VALUES.len());
        for raw in wire::Frequency::VALUES {
            let i = interval(&(*raw).into()).expect(raw);
            assert_eq!(
                frequency(i).map(|f| f.as_str().to_owned()).as_deref(),
                Some(*raw)
            );
            assert!(INTERVALS.contains(&i));
        }
        assert_eq!(interval(&"5D".into()), None);
    }
}
