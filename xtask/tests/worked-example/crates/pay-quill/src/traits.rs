//! The `pay_core` traits the client implements, each call going through the transport.

use async_trait::async_trait;
use pay_core::{
    CallOptions, Capability, ContentType, CreatePayment, ErrorKind, MerchantReference, PayError,
    Payment, PaymentMethod, Payments, ProviderPaymentId, ProviderRefundId, Refund, RefundRequest,
    Refunds, Void, VoidRequest,
};
use pay_http::{Request, Response};
use serde::de::DeserializeOwned;

use crate::client::{Client, PROVIDER};
use crate::{convert, wire};

/// The operation `id` of the generated table (present unless the description and this
/// crate disagree, which the tests catch).
fn operation(id: &'static str) -> Result<&'static pay_core::Operation, PayError> {
    wire::operation(id).ok_or_else(|| {
        PayError::new(ErrorKind::Configuration {
            reason: format!("operation `{id}` is not in fixtures/quill/api.yaml"),
        })
        .with_provider(PROVIDER)
    })
}

/// The answer's body as `T`.
fn decode<T: DeserializeOwned>(response: &Response) -> Result<T, PayError> {
    serde_json::from_slice(response.body()).map_err(|err| response.decode_error("body", err))
}

/// `body` as JSON.
fn json(body: &impl serde::Serialize) -> Result<Vec<u8>, PayError> {
    serde_json::to_vec(body).map_err(|err| {
        PayError::new(ErrorKind::Decode {
            location: "request body".to_owned(),
        })
        .with_provider(PROVIDER)
        .with_source(err)
    })
}

/// `NotSupported` for an operation Quill does not have.
fn not_supported(capability: Capability) -> PayError {
    PayError::new(ErrorKind::NotSupported { capability }).with_provider(PROVIDER)
}

/// `/payments/{id}` followed by `rest`, the id checked first.
fn payment_path(operation: &str, id: &ProviderPaymentId, rest: &str) -> Result<String, PayError> {
    wire::validate_path(operation, &[("id", id.as_str())])?;
    Ok(format!("/payments/{}{rest}", id.as_str()))
}

#[async_trait]
impl Payments for Client {
    async fn create_payment(
        &self,
        request: &CreatePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        // Quill takes card payments on its own form only.
        if !matches!(request.method, PaymentMethod::CardForm) {
            return Err(pay_core::ValidationError::new(
                "method",
                pay_core::Rule::OneOf {
                    allowed: &["card form"],
                },
            )
            .into());
        }
        let body = convert::create_request(request);
        body.validate()?;
        let call = Request::new(operation("payment_create")?, "/payments")
            .body(ContentType::Json, json(&body)?)
            .reference(request.reference().clone())
            .options(options);
        let response = self.transport.send(call).await?;
        convert::payment(decode(&response)?)
    }

    async fn get_payment(
        &self,
        id: &ProviderPaymentId,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let path = payment_path("payment_get", id, "")?;
        let call = Request::new(operation("payment_get")?, path).options(options);
        let response = self.transport.send(call).await?;
        convert::payment(decode(&response)?)
    }

    async fn find_by_reference(
        &self,
        _reference: &MerchantReference,
        _options: &CallOptions,
    ) -> Result<Option<Payment>, PayError> {
        Err(not_supported(Capability::FindByReference))
    }
}

#[async_trait]
impl Void for Client {
    async fn void(
        &self,
        request: &VoidRequest,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let path = payment_path("payment_cancel", &request.payment_id, "/cancel")?;
        let call = Request::new(operation("payment_cancel")?, path).options(options);
        let response = self.transport.send(call).await?;
        convert::payment(decode(&response)?)
    }
}

#[async_trait]
impl Refunds for Client {
    async fn refund(
        &self,
        request: &RefundRequest,
        options: &CallOptions,
    ) -> Result<Refund, PayError> {
        let path = payment_path("refund_create", &request.payment_id, "/refunds")?;
        let body = wire::RefundCreateRequest {
            amount: request.amount().map(pay_core::wire::MinorUnits::from_money),
        };
        body.validate()?;
        let call = Request::new(operation("refund_create")?, path)
            .body(ContentType::Json, json(&body)?)
            .options(options);
        let response = self.transport.send(call).await?;
        convert::refund(decode(&response)?)
    }

    async fn get_refund(
        &self,
        _id: &ProviderRefundId,
        _options: &CallOptions,
    ) -> Result<Refund, PayError> {
        // Quill reports refunds when they are made and on the payment; it has no refund read.
        // `Refund` is declared, so the error says which part is missing.
        Err(not_supported(Capability::Refund)
            .with_provider_message("Quill has no refund read: read the payment's `refunded`"))
    }
}
