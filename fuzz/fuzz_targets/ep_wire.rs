//! Every generated Easypay wire type read from the input as JSON: the 52 answer and
//! notification types, and the 37 request types then `validate()`d. Asserts no panic:
//! every read is a value or a `serde_json` error, every validation a value or a
//! `ValidationError`.
#![no_main]

use pay_easypay::wire;

/// Decodes `bytes` as each type.
macro_rules! decode_as {
    ($bytes:expr; $($ty:ident),* $(,)?) => {
        $( let _ = serde_json::from_slice::<wire::$ty>($bytes); )*
    };
}

/// Decodes `bytes` as each request type, then validates what was read.
macro_rules! decode_and_validate {
    ($bytes:expr; $($ty:ident),* $(,)?) => {
        $(
            if let Ok(value) = serde_json::from_slice::<wire::$ty>($bytes) {
                let _ = value.validate();
            }
        )*
    };
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    decode_as!(data;
        IdRef, Customer, SddMandate, Split, MbwaySdk, PaymentMethodDetails,
        TransactionValues, TransactionValuesLenient, Error, Ack, PageMeta, SinglePayment,
        SingleList, SingleCreated, SingleUpdated, FrequentPayment, FrequentList,
        FrequentCreated, Subscription, SubscriptionList, SubscriptionCreated,
        CaptureCreated, Capture, CaptureList, Authorisation, Void, Refund, RefundList,
        ChargebackList, TransactionReportRow, TransactionReport, LedgerReport,
        OutPaymentCreated, OutPaymentTransaction, OutPayment, OutPaymentList, Config,
        CheckoutCreated, CheckoutDetails, GenericNotification, AuthorisationNotification,
        TransactionNotification, NotificationReply, PageMetaPage, PageMetaRecords,
        PageMetaLinks, SingleCreatedCapture, CaptureCreatedMethod,
        OutPaymentCreatedMethod, CheckoutDetailsCheckout, CheckoutDetailsPayment,
        TransactionNotificationTransaction,
    );
    decode_and_validate!(data;
        AccountRef, CaptureInput, CaptureListQuery, CaptureRequest, CaptureSplitInput,
        CaptureSplitUpdateRequest, ChargebackListQuery, CheckoutCaptureInput,
        CheckoutCreateRequest, CheckoutCustomerInput, CheckoutOrderInput,
        CheckoutOrderItem, CheckoutPaymentInput, ConfigUpdateRequest, CustomerInput,
        FrequentAuthorisationRequest, FrequentCreateRequest, FrequentListQuery,
        FrequentUpdateRequest, MbwaySdk, OutAccountInput, OutPaymentCreateRequest,
        OutPaymentListQuery, RefundListQuery, RefundRequest, ReportLedgerQuery,
        ReportTransactionsQuery, SddMandateInput, SingleCreateRequest, SingleListQuery,
        SingleUpdateRequest, SplitInput, SubscriptionCaptureInput,
        SubscriptionCreateRequest, SubscriptionListQuery, SubscriptionUpdateRequest,
        VoidRequest,
    );
});
