//! Easypay's own identifiers, one type per kind of resource, so passing the wrong one
//! does not compile: refunds take a [`CaptureId`], voids an [`AuthorisationId`].
//!
//! Easypay's ids are usually UUIDs; they are kept as opaque strings (1 to 100
//! characters, no control characters).

pay_core::define_id!(
    /// A single payment's id (`/single/{id}`).
    PaymentId,
    "payment_id",
    100
);
pay_core::define_id!(
    /// A frequent payment's id (`/frequent/{id}`).
    FrequentPaymentId,
    "frequent_payment_id",
    100
);
pay_core::define_id!(
    /// A subscription's id (`/subscription/{id}`).
    SubscriptionId,
    "subscription_id",
    100
);
pay_core::define_id!(
    /// An authorisation's id (`/authorisation/{id}`, `/void/{id}`): a single payment's
    /// authorisation or a frequent payment's.
    AuthorisationId,
    "authorisation_id",
    100
);
pay_core::define_id!(
    /// A capture's (transaction's) id (`/capture/{id}`, `/refund/{id}`).
    CaptureId,
    "capture_id",
    100
);
pay_core::define_id!(
    /// One split of a capture (`/capture/{capture-uuid}/splits/{capture-split-uuid}`).
    CaptureSplitId,
    "capture_split_id",
    100
);
pay_core::define_id!(
    /// A refund's id (`GET /refund/{id}`).
    RefundId,
    "refund_id",
    100
);
pay_core::define_id!(
    /// A void's id (`GET /void/{id}`).
    VoidId,
    "void_id",
    100
);
pay_core::define_id!(
    /// An out-payment's id (`/out_payment/{id}`).
    OutPaymentId,
    "out_payment_id",
    100
);
pay_core::define_id!(
    /// A checkout session's id (`/checkout/{id}`).
    CheckoutId,
    "checkout_id",
    100
);

/// What `POST /capture/{id}` captures: a single payment's authorisation, a frequent
/// payment, or a frequent payment's authorisation. Only these ids implement it.
pub trait CaptureTarget: sealed::Sealed {
    /// The id as sent in the path.
    fn target_id(&self) -> &str;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::PaymentId {}
    impl Sealed for super::FrequentPaymentId {}
    impl Sealed for super::AuthorisationId {}
}

impl CaptureTarget for PaymentId {
    fn target_id(&self) -> &str {
        self.as_str()
    }
}

impl CaptureTarget for FrequentPaymentId {
    fn target_id(&self) -> &str {
        self.as_str()
    }
}

impl CaptureTarget for AuthorisationId {
    fn target_id(&self) -> &str {
        self.as_str()
    }
}
