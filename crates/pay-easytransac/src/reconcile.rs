//! Settling an ambiguous write: look the payment up by its `OrderId`.

use pay_core::{CallOptions, ErrorKind, MerchantReference, PayError};

use crate::client::EasytransacClient;
use crate::wire;

/// What a lookup by `OrderId` found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Reconciled {
    /// The write happened: the transaction as Easytransac reports it now.
    Found(Box<wire::DoneTransaction>),
    /// Easytransac has no transaction with this `OrderId`: the write did not happen and
    /// may be sent again.
    NotFound,
}

impl EasytransacClient {
    /// Looks a payment up by its merchant reference (`OrderId`, through
    /// `/api/payment/status`): the step after an
    /// [`AmbiguousOutcome`](ErrorKind::AmbiguousOutcome). A status read is retried on
    /// transient failures.
    ///
    /// # Errors
    /// Transport errors, or an ApiError other than "not found".
    pub async fn reconcile(
        &self,
        reference: &MerchantReference,
        options: &CallOptions,
    ) -> Result<Reconciled, PayError> {
        let request = wire::V1StatusRequest {
            order_id: Some(reference.as_str().to_owned()),
            ..Default::default()
        };
        match self.payments().status(&request, options).await {
            Ok(done) => Ok(Reconciled::Found(Box::new(done))),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound) => Ok(Reconciled::NotFound),
            Err(e) => Err(e),
        }
    }
}
