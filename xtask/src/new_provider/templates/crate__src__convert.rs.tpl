//! Conversions between {title}'s wire types and `pay_core`'s model: the only module that knows
//! both.

use pay_core::{
    CreatePayment, Currency, ErrorKind, MerchantReference, Payment, PaymentStatus, PayError,
    ProviderPaymentId,
};

use crate::client::PROVIDER;
use crate::wire;

/// Every payment status the description documents (`PaymentStatus` in
/// `fixtures/{name}/api.yaml`), for the conformance kit.
pub const STATUSES: &[&str] = &["pending", "paid", "failed"];

/// The neutral status of a documented {title} status; anything else is `Unknown`.
pub fn map_status(raw: &str) -> PaymentStatus {
    match raw {
        "pending" => PaymentStatus::Pending,
        "paid" => PaymentStatus::Captured,
        "failed" => PaymentStatus::Failed,
        other => PaymentStatus::Unknown(other.to_owned()),
    }
}

/// The wire request for `request`.
pub(crate) fn create_request(request: &CreatePayment) -> wire::PaymentCreateRequest {
    let amount = request.amount();
    wire::PaymentCreateRequest::new(
        pay_core::wire::MinorUnits::from_money(amount),
        amount.currency().code().to_owned(),
        request.reference().as_str().to_owned(),
    )
}

/// The neutral payment of a wire one.
pub(crate) fn payment(wire: wire::Payment) -> Result<Payment, PayError> {
    let decode = |location: &str| {
        PayError::new(ErrorKind::Decode {
            location: location.to_owned(),
        })
        .with_provider(PROVIDER)
    };
    let currency = Currency::from_code(&wire.currency).ok_or_else(|| decode("currency"))?;
    let amount = wire.amount.to_money(currency).map_err(|_| decode("amount"))?;
    let id = ProviderPaymentId::new(wire.id).map_err(|_| decode("id"))?;
    let raw = wire.status.to_string();
    let mut payment = Payment::new(id, amount, map_status(&raw), raw);
    payment.reference = MerchantReference::new(wire.reference).ok();
    Ok(payment)
}
