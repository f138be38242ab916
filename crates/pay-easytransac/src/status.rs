//! Easytransac's documented statuses mapped to `pay-core`'s neutral ones, each an
//! exhaustive `match` over the wire enum generated from our API description, so a status
//! added to the description does not compile until it is mapped. A value the description
//! does not list stays `Unknown`, never a success.
//!
//! Easytransac documents five transaction statuses: `pending`, `captured`, `failed`,
//! `refunded`, `authorized`. Two neutral states follow from them and other fields rather
//! than from a status value of their own:
//! - **A cancelled pre-authorisation.** No `canceled` status is documented (Omnipay
//!   checks one; no Easytransac page lists it). After `/payment/cancel` the adapter
//!   reports what the status call answers, mapped as below. pay-testkit's fake answers
//!   `failed` (INFERRED), so a voided pre-authorisation is [`PaymentStatus::Failed`],
//!   final and not a success; the conformance kit's void check accepts exactly that.
//! - **A partial refund.** Easytransac reports `refunded` with `AmountRefund`; the adapter
//!   reports [`PaymentStatus::PartiallyRefunded`] when `AmountRefund` is less than
//!   `Amount` ([`refunded_status`]).

use pay_core::{Interval, MandateStatus, Money, PaymentStatus, SubscriptionStatus};

use crate::wire;

/// A V1 transaction's `Status`.
pub fn payment_status(status: &wire::TransactionStatus) -> PaymentStatus {
    use wire::TransactionStatus as S;
    match status {
        S::Pending => PaymentStatus::Pending,
        S::Captured => PaymentStatus::Captured,
        S::Failed => PaymentStatus::Failed,
        S::Refunded => PaymentStatus::Refunded,
        S::Authorized => PaymentStatus::Authorized,
        S::Unknown(raw) => PaymentStatus::Unknown(raw.clone()),
    }
}

/// A V2 transaction's `status`.
pub fn v2_payment_status(status: &wire::V2TransactionStatus) -> PaymentStatus {
    use wire::V2TransactionStatus as S;
    match status {
        S::Pending => PaymentStatus::Pending,
        S::Captured => PaymentStatus::Captured,
        S::Failed => PaymentStatus::Failed,
        S::Refunded => PaymentStatus::Refunded,
        S::Authorized => PaymentStatus::Authorized,
        S::Unknown(raw) => PaymentStatus::Unknown(raw.clone()),
    }
}

/// `refunded` refined by the amounts: partly refunded while `refunded` is less than the
/// payment's `amount`.
pub fn refunded_status(amount: Money, refunded: Money) -> PaymentStatus {
    if refunded < amount {
        PaymentStatus::PartiallyRefunded
    } else {
        PaymentStatus::Refunded
    }
}

/// The subscription intervals Easytransac offers (`Recurrence`), shortest first.
pub const INTERVALS: &[Interval] = &[
    Interval::Daily,
    Interval::Weekly,
    Interval::Monthly,
    Interval::EveryTwoMonths,
    Interval::Quarterly,
    Interval::HalfYearly,
    Interval::Yearly,
];

/// A neutral interval as Easytransac's `Recurrence`; `None` for one it does not offer.
///
/// `bimonthly` is every two months and `biannual` every six (INFERRED from the French
/// *bimestriel* and *semestriel* the values translate; the docs list the values only).
pub fn recurrence(interval: Interval) -> Option<wire::Recurrence> {
    use wire::Recurrence as R;
    Some(match interval {
        Interval::Daily => R::Daily,
        Interval::Weekly => R::Weekly,
        Interval::Monthly => R::Monthly,
        Interval::EveryTwoMonths => R::Bimonthly,
        Interval::Quarterly => R::Quarterly,
        Interval::HalfYearly => R::Biannual,
        Interval::Yearly => R::Yearly,
        _ => return None,
    })
}

/// A V2 mandate's `status`. The vocabulary is undocumented (INFERRED): `active`,
/// `pending` (awaiting the signature), `revoked`/`cancelled`, `failed`, `expired`; any
/// other value stays `Unknown`.
pub fn mandate_status(status: &str) -> MandateStatus {
    match status {
        "active" => MandateStatus::Active,
        "pending" => MandateStatus::Pending,
        "revoked" | "cancelled" | "canceled" => MandateStatus::Revoked,
        "failed" => MandateStatus::Failed,
        "expired" => MandateStatus::Expired,
        other => MandateStatus::Unknown(other.to_owned()),
    }
}

/// A schedule's `RebillStatus` or `MultiplePaymentsStatus`, as notifications carry it.
/// The vocabulary is INFERRED (the docs name the fields, not their values): `active`,
/// `finished` (every instalment charged), `cancelled`; any other value stays `Unknown`.
pub fn schedule_status(status: &str) -> SubscriptionStatus {
    match status {
        "active" => SubscriptionStatus::Active,
        "finished" => SubscriptionStatus::Completed,
        "cancelled" | "canceled" => SubscriptionStatus::Canceled,
        other => SubscriptionStatus::Unknown(other.to_owned()),
    }
}

/// Easytransac's `Recurrence` as a neutral interval; `None` for an unlisted value.
pub fn interval(recurrence: &wire::Recurrence) -> Option<Interval> {
    use wire::Recurrence as R;
    Some(match recurrence {
        R::Daily => Interval::Daily,
        R::Weekly => Interval::Weekly,
        R::Monthly => Interval::Monthly,
        R::Bimonthly => Interval::EveryTwoMonths,
        R::Quarterly => Interval::Quarterly,
        R::Biannual => Interval::HalfYearly,
        R::Yearly => Interval::Yearly,
        R::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::Currency;

    #[test]
    fn every_documented_status_maps_to_a_known_one() {
        for raw in wire::TransactionStatus::VALUES {
            assert!(!payment_status(&(*raw).into()).is_unknown(), "{raw}");
        }
        for raw in wire::V2TransactionStatus::VALUES {
            assert!(!v2_payment_status(&(*raw).into()).is_unknown(), "{raw}");
        }
        // Nothing maps to a state Easytransac never reports: no status value becomes
        // Canceled, Expired, Disputed or RequiresAction.
        for raw in wire::TransactionStatus::VALUES {
            let s = payment_status(&(*raw).into());
            assert!(
                !matches!(
                    s,
                    PaymentStatus::Canceled
                        | PaymentStatus::Expired
                        | PaymentStatus::Disputed
                        | PaymentStatus::RequiresAction
                ),
                "{raw} -> {s}"
            );
        }
        // Omnipay's `canceled` is not documented: kept as Unknown, never a success.
        let canceled = payment_status(&"canceled".into());
        assert_eq!(canceled, PaymentStatus::Unknown("canceled".to_owned()));
        assert!(!canceled.is_success());
    }

    #[test]
    fn partial_refunds_come_from_the_amounts() {
        let eur = |minor| Money::from_minor(minor, Currency::EUR).unwrap();
        assert_eq!(
            refunded_status(eur(1800), eur(500)),
            PaymentStatus::PartiallyRefunded
        );
        assert_eq!(
            refunded_status(eur(1800), eur(1800)),
            PaymentStatus::Refunded
        );
    }

    #[test]
    fn intervals_are_easytransacs_closed_set_both_ways() {
        assert_eq!(INTERVALS.len(), wire::Recurrence::VALUES.len());
        for raw in wire::Recurrence::VALUES {
            let i = interval(&(*raw).into()).expect(raw);
            assert_eq!(
                recurrence(i).map(|r| r.as_str().to_owned()).as_deref(),
                Some(*raw)
            );
        }
        assert_eq!(recurrence(Interval::Fortnightly), None);
        assert_eq!(interval(&"fortnightly".into()), None);
    }
}
