//! The `pay_core` traits the client implements, each call going through the transport.

use async_trait::async_trait;
use pay_core::{
    CallOptions, Capability, CaptureMode, ContentType, CreatePayment, ErrorKind, MerchantReference, PayError,
    Payment, PaymentMethod, Payments, ProviderPaymentId,
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
            reason: format!("operation `{id}` is not in fixtures/{name}/api.yaml"),
        })
        .with_provider(PROVIDER)
    })
}

/// The answer's body as `T`.
fn decode<T: DeserializeOwned>(response: &Response) -> Result<T, PayError> {
    serde_json::from_slice(response.body()).map_err(|err| response.decode_error("body", err))
}

#[async_trait]
impl Payments for Client {
    async fn create_payment(
        &self,
        request: &CreatePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        // The example description takes card payments on the provider's form only.
        if !matches!(request.method, PaymentMethod::CardForm) {
            return Err(pay_core::ValidationError::new(
                "method",
                pay_core::Rule::OneOf {
                    allowed: &["card form"],
                },
            )
            .into());
        }
        if request.capture == CaptureMode::Manual {
            return Err(PayError::new(ErrorKind::NotSupported {
                capability: Capability::Capture,
            })
            .with_provider(PROVIDER));
        }
        let body = convert::create_request(request);
        body.validate()?;
        let json = serde_json::to_vec(&body).map_err(|err| {
            PayError::new(ErrorKind::Decode {
                location: "request body".to_owned(),
            })
            .with_provider(PROVIDER)
            .with_source(err)
        })?;
        let call = Request::new(operation("payment_create")?, "/payments")
            .body(ContentType::Json, json)
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
        wire::validate_path("payment_get", &[("id", id.as_str())])?;
        let path = format!("/payments/{}", id.as_str());
        let call = Request::new(operation("payment_get")?, path).options(options);
        let response = self.transport.send(call).await?;
        convert::payment(decode(&response)?)
    }

    async fn find_by_reference(
        &self,
        _reference: &MerchantReference,
        _options: &CallOptions,
    ) -> Result<Option<Payment>, PayError> {
        Err(PayError::new(ErrorKind::NotSupported {
            capability: Capability::FindByReference,
        })
        .with_provider(PROVIDER))
    }
}
