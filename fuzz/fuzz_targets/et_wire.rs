//! Every generated Easytransac wire type read from the input as JSON: the 43 answer and
//! notification types, and the 34 request types then `validate()`d (as the fake server
//! reads requests); a decoded `V1Notification` goes on to `event_of`, as `parse` would
//! take it. Asserts no panic: every read is a value or a `serde_json` error, every
//! validation a value or a `ValidationError`.
#![no_main]

use pay_easytransac::wire;
use pay_fuzz::easytransac_client;

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
        V1Client, DoneTransaction, V1PaymentPageInfos, V1PaymentPageCancellationInfos,
        V1P2PTransferResult, V1CancellationResult, V1CreditCard, V1CreditCardInfo,
        V1PaymentHistoryItem, V1PaymentRequestItem, V1User, V1UserAck, V1PayoutItem,
        V1Document, V1ErrorEnvelope, V2AuthData, V2TransactionData, V2DebitData,
        V2MandateData, V2MandateStatusData, V2Error,
        V1DoneTransactionResponse, V1PaymentPageInfosResponse,
        V1PaymentPageCancellationInfosResponse, V1P2PTransferResultResponse,
        V1OpaqueResultResponse, V1CancellationResultResponse, V1CardListResultResponse,
        V1PaymentHistoryResultResponse, V1PaymentRequestsResultResponse,
        V1CreditCardInfoResponse, V1UserAckResponse, V1UserResponse,
        V1OperationsResultResponse, V1PayoutsResultResponse, V1DocumentResponse,
        V1DocumentListResultResponse, V2AuthDataResponse, V2TransactionDataResponse,
        V2MandateDataResponse, V2DebitDataResponse, V2MandateStatusDataResponse,
    );
    decode_and_validate!(data;
        V1DirectPaymentRequest, V1OneClickPaymentRequest, V1SddInitRequest,
        V1PayByBankRequest, V1PaymentPageRequest, V1PaymentPageRefRequest,
        V1P2PTransferRequest, V1RebillUpdateRequest, V1StatusRequest, V1RefundRequest,
        V1CaptureRequest, V1CancelRequest, V1CardListRequest, V1IbanListRequest,
        V1HistoryRequest, V1PaymentRequestsRequest, V1CardInfoRequest, V1UserAddRequest,
        V1UserUpdateRequest, V1UserFindRequest, V1OperationsListRequest, V1PayoutRequest,
        V1PayoutsListRequest, V1LogoAddRequest, V1ActivityGetRequest,
        V1ActivityUpdateRequest, V1KycAddRequest, V1KycGetRequest, V1KycFindRequest,
        V2AuthRequest, V2OpenBankingInitRequest, V2MandateDebitRequest,
        V2MandateCreateRequest, V2TransactionStatusQuery,
    );
    if let Ok(n) = serde_json::from_slice::<wire::V1Notification>(data) {
        let _ = easytransac_client().event_of(&n);
    }
});
