//! Conversions between Quill's wire types and `pay_core`'s model: the only module that knows
//! both.

use pay_core::{
    CaptureMode, CreatePayment, Currency, ErrorKind, Failure, MerchantReference, Money, PayError,
    Payment, PaymentStatus, ProviderPaymentId, ProviderRefundId, Refund, RefundStatus,
};

use crate::client::PROVIDER;
use crate::wire;

/// Every payment status the description documents (`PaymentStatus` in
/// `fixtures/quill/api.yaml`), for the conformance kit.
pub const STATUSES: &[&str] = wire::PaymentStatus::VALUES;

/// The neutral status of a documented Quill status; anything else is `Unknown`.
pub fn map_status(raw: &str) -> PaymentStatus {
    match raw {
        "authorized" => PaymentStatus::Authorized,
        "paid" => PaymentStatus::Captured,
        "failed" => PaymentStatus::Failed,
        "canceled" => PaymentStatus::Canceled,
        "partially_refunded" => PaymentStatus::PartiallyRefunded,
        "refunded" => PaymentStatus::Refunded,
        other => PaymentStatus::Unknown(other.to_owned()),
    }
}

/// The neutral status of a refund status.
fn map_refund_status(status: &wire::RefundStatus) -> RefundStatus {
    match status {
        wire::RefundStatus::Pending => RefundStatus::Pending,
        wire::RefundStatus::Succeeded => RefundStatus::Succeeded,
        wire::RefundStatus::Failed => RefundStatus::Failed,
        other => RefundStatus::Unknown(other.as_str().to_owned()),
    }
}

/// The wire request for `request`: authorise only when the caller captures later.
pub(crate) fn create_request(request: &CreatePayment) -> wire::PaymentCreateRequest {
    let amount = request.amount();
    let mut body = wire::PaymentCreateRequest::new(
        pay_core::wire::MinorUnits::from_money(amount),
        amount.currency().code().to_owned(),
        request.reference().as_str().to_owned(),
    );
    if request.capture == CaptureMode::Manual {
        body.capture = Some(false);
    }
    body
}

/// A `Decode` error at `location` of Quill's answer.
fn decode(location: &str) -> PayError {
    PayError::new(ErrorKind::Decode {
        location: location.to_owned(),
    })
    .with_provider(PROVIDER)
}

fn money(
    amount: pay_core::wire::MinorUnits,
    currency: &str,
    field: &str,
) -> Result<Money, PayError> {
    let currency = Currency::from_code(currency).ok_or_else(|| decode("currency"))?;
    amount.to_money(currency).map_err(|_| decode(field))
}

/// The neutral payment of a wire one.
pub(crate) fn payment(wire: wire::Payment) -> Result<Payment, PayError> {
    let amount = money(wire.amount, &wire.currency, "amount")?;
    let refunded = money(wire.refunded, &wire.currency, "refunded")?;
    let id = ProviderPaymentId::new(wire.id).map_err(|_| decode("id"))?;
    let raw = wire.status.to_string();
    let mut payment = Payment::new(id, amount, map_status(&raw), raw);
    payment.reference = MerchantReference::new(wire.reference).ok();
    payment.refunded = Some(refunded);
    if let Some(code) = wire.failure_code {
        payment.failure = Some(Failure::new(Some(code), None));
    }
    Ok(payment)
}

/// The neutral refund of a wire one.
pub(crate) fn refund(wire: wire::Refund) -> Result<Refund, PayError> {
    let amount = money(wire.amount, &wire.currency, "amount")?;
    let id = ProviderRefundId::new(wire.id).map_err(|_| decode("id"))?;
    let payment_id = ProviderPaymentId::new(wire.payment_id).map_err(|_| decode("payment_id"))?;
    let status = map_refund_status(&wire.status);
    Ok(Refund::new(
        Some(id),
        payment_id,
        amount,
        status,
        wire.status.as_str(),
    ))
}
