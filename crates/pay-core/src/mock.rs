//! `mockall` mocks of every trait, for unit tests of code that takes a provider
//! (feature `mock`).
//!
//! [`MockProvider`] implements [`Provider`], [`Payments`], [`Checkouts`], [`Capture`],
//! [`Void`], [`Refunds`], [`Mandates`], [`Recurring`], [`Payouts`], [`Disputes`] and
//! [`Webhooks`]. Set
//! expectations with the generated `expect_*` methods. Its `as_*` accessors keep their
//! defaults (`None`): test code that needs the dynamic path wraps the mock in its own type.
//!
//! ```
//! use pay_core::mock::MockProvider;
//! use pay_core::{CallOptions, Payments, Provider, ProviderId, ProviderPaymentId, PayError, ErrorKind};
//!
//! let mut mock = MockProvider::new();
//! mock.expect_id().return_const(ProviderId::new("fake"));
//! mock.expect_get_payment()
//!     .returning(|_, _| Err(PayError::new(ErrorKind::NotFound)));
//! let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! let err = rt
//!     .block_on(mock.get_payment(&ProviderPaymentId::new("p1").unwrap(), &CallOptions::new()))
//!     .unwrap_err();
//! assert!(matches!(err.kind(), ErrorKind::NotFound));
//! assert_eq!(mock.id().as_str(), "fake");
//! ```

use async_trait::async_trait;

use crate::{
    CallOptions, Capabilities, Capture, CaptureRequest, CheckoutId, Checkouts, CreateInstalments,
    CreateMandate, CreatePayment, CreatePayout, CreateSubscription, Dispute, DisputeFilter,
    DisputeId, DisputePage, Disputes, Environment, Mandate, MandateDebit, MandateId, Mandates,
    MerchantReference, PayError, Payment, Payments, Payout, PayoutId, Payouts, Provider,
    ProviderId, ProviderPaymentId, ProviderRefundId, RawWebhook, Recurring, Refund, RefundRequest,
    Refunds, Subscription, SubscriptionId, VerifiedWebhook, Void, VoidRequest, WebhookEvent,
    Webhooks,
};

mockall::mock! {
    /// A mock of every `pay-core` trait.
    #[derive(Debug)]
    pub Provider {}

    impl Provider for Provider {
        fn id(&self) -> ProviderId;
        fn capabilities(&self) -> &Capabilities;
        fn environment(&self) -> Environment;
    }

    #[async_trait]
    impl Payments for Provider {
        async fn create_payment(&self, request: &CreatePayment, options: &CallOptions) -> Result<Payment, PayError>;
        async fn get_payment(&self, id: &ProviderPaymentId, options: &CallOptions) -> Result<Payment, PayError>;
        async fn find_by_reference(&self, reference: &MerchantReference, options: &CallOptions) -> Result<Option<Payment>, PayError>;
    }

    #[async_trait]
    impl Capture for Provider {
        async fn capture(&self, request: &CaptureRequest, options: &CallOptions) -> Result<Payment, PayError>;
    }

    #[async_trait]
    impl Void for Provider {
        async fn void(&self, request: &VoidRequest, options: &CallOptions) -> Result<Payment, PayError>;
    }

    #[async_trait]
    impl Checkouts for Provider {
        async fn get_checkout(&self, id: &CheckoutId, options: &CallOptions) -> Result<Payment, PayError>;
        async fn cancel_checkout(&self, id: &CheckoutId, options: &CallOptions) -> Result<Payment, PayError>;
    }

    #[async_trait]
    impl Refunds for Provider {
        async fn refund(&self, request: &RefundRequest, options: &CallOptions) -> Result<Refund, PayError>;
        async fn get_refund(&self, id: &ProviderRefundId, options: &CallOptions) -> Result<Refund, PayError>;
    }

    #[async_trait]
    impl Mandates for Provider {
        async fn create_mandate(&self, request: &CreateMandate, options: &CallOptions) -> Result<Mandate, PayError>;
        async fn get_mandate(&self, id: &MandateId, options: &CallOptions) -> Result<Mandate, PayError>;
        async fn debit_mandate(&self, request: &MandateDebit, options: &CallOptions) -> Result<Payment, PayError>;
    }

    #[async_trait]
    impl Recurring for Provider {
        async fn create_subscription(&self, request: &CreateSubscription, options: &CallOptions) -> Result<Subscription, PayError>;
        async fn create_instalments(&self, request: &CreateInstalments, options: &CallOptions) -> Result<Subscription, PayError>;
        async fn get_subscription(&self, id: &SubscriptionId, options: &CallOptions) -> Result<Subscription, PayError>;
        async fn cancel_subscription(&self, id: &SubscriptionId, options: &CallOptions) -> Result<Subscription, PayError>;
    }

    #[async_trait]
    impl Payouts for Provider {
        async fn create_payout(&self, request: &CreatePayout, options: &CallOptions) -> Result<Payout, PayError>;
        async fn get_payout(&self, id: &PayoutId, options: &CallOptions) -> Result<Payout, PayError>;
        async fn cancel_payout(&self, id: &PayoutId, options: &CallOptions) -> Result<Payout, PayError>;
    }

    #[async_trait]
    impl Disputes for Provider {
        async fn list_disputes(&self, filter: &DisputeFilter, options: &CallOptions) -> Result<DisputePage, PayError>;
        async fn get_dispute(&self, id: &DisputeId, options: &CallOptions) -> Result<Dispute, PayError>;
    }

    #[async_trait]
    impl Webhooks for Provider {
        fn verify(&self, raw: &RawWebhook) -> Result<VerifiedWebhook, PayError>;
        fn parse(&self, verified: &VerifiedWebhook) -> Result<WebhookEvent, PayError>;
    }
}
