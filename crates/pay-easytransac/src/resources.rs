//! Every operation of our description as a typed async method, grouped by resource.
//! Each method validates its request (`validate()`, `validate_path`) before anything is
//! sent: bad input is `InvalidRequest` naming the field and the rule, and nothing leaves.

use pay_core::{CallOptions, PayError};
use secrecy::SecretString;

use crate::client::{EasytransacClient, V2Answer};
use crate::wire;

/// Defines a V1 method: validate, sign, send, verify, decode `Result`.
macro_rules! v1_method {
    (
        $(#[$doc:meta])*
        $name:ident, $op:literal, $req:ty => $res:ty $(, order = $order:ident)?
    ) => {
        $(#[$doc])*
        ///
        /// # Errors
        /// `InvalidRequest` (nothing sent) when the request breaks a documented rule;
        /// the ApiError mapped to a pay-core kind; when the answer's signature does not
        /// verify, `Authentication` for a read and `AmbiguousOutcome` (carrying
        /// `OrderId`) for a write; `AmbiguousOutcome` too for a write whose answer was
        /// lost.
        pub async fn $name(&self, request: &$req, options: &CallOptions) -> Result<$res, PayError> {
            request.validate()?;
            #[allow(unused_mut, unused_assignments)]
            let mut order: Option<&str> = None;
            $( order = request.$order.as_deref(); )?
            self.client.v1($op, request, order, options).await
        }
    };
}

/// Card payments, direct debits, transfers, refunds, captures, status and lists
/// (V1 `/api/payment/…`). See [`EasytransacClient::payments`].
#[derive(Debug, Clone, Copy)]
pub struct PaymentsApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl PaymentsApi<'_> {
    v1_method!(
        /// `POST /api/payment/direct`: a server-to-server card payment (3-D Secure
        /// unless `3DS=no`; `PreAuth=yes` authorises only; `Rebill` and
        /// `MultiplePayments` start a schedule). A decline is data: `Status=failed`.
        direct, "v1_payment_direct", wire::V1DirectPaymentRequest => wire::DoneTransaction, order = order_id
    );
    v1_method!(
        /// `POST /api/payment/oneclick`: pays with a saved card (`Alias`).
        oneclick, "v1_payment_oneclick", wire::V1OneClickPaymentRequest => wire::DoneTransaction, order = order_id
    );
    v1_method!(
        /// `POST /api/payment/sdd/init`: a SEPA direct debit (`MandateUrl` on the first
        /// debit). INFERRED path: the SDK's master branch still calls `/payment/debit`.
        sdd_init, "v1_payment_sdd_init", wire::V1SddInitRequest => wire::DoneTransaction, order = order_id
    );
    v1_method!(
        /// `POST /api/payment/bybank`: a transfer through open banking (`RedirectUrl`).
        bybank, "v1_payment_bybank", wire::V1PayByBankRequest => wire::DoneTransaction, order = order_id
    );
    v1_method!(
        /// `POST /api/payment/transfer`: a peer-to-peer transfer.
        transfer, "v1_payment_transfer", wire::V1P2PTransferRequest => wire::V1P2PTransferResult
    );
    v1_method!(
        /// `POST /api/payment/rebill/update`: updates a subscription. The path is
        /// unofficial (`x-path-confidence: unofficial`); override it with
        /// [`override_path`](crate::EasytransacClientBuilder::override_path) if needed.
        rebill_update, "v1_payment_rebill_update", wire::V1RebillUpdateRequest => wire::V1OpaqueResult
    );
    v1_method!(
        /// `POST /api/payment/status`: a transaction by `Tid`, `RequestId` or `OrderId`.
        status, "v1_payment_status", wire::V1StatusRequest => wire::DoneTransaction
    );
    v1_method!(
        /// `POST /api/payment/refund`: a full (no `Amount`) or partial refund.
        refund, "v1_payment_refund", wire::V1RefundRequest => wire::DoneTransaction
    );
    v1_method!(
        /// `POST /api/payment/capture`: captures a pre-authorisation (all or `Amount`).
        capture, "v1_payment_capture", wire::V1CaptureRequest => wire::DoneTransaction
    );
    v1_method!(
        /// `POST /api/payment/cancel`: cancels a pre-authorisation or stops a schedule.
        cancel, "v1_payment_cancel", wire::V1CancelRequest => wire::V1CancellationResult
    );
    v1_method!(
        /// `POST /api/payment/card/list`: a customer's saved cards.
        card_list, "v1_payment_card_list", wire::V1CardListRequest => wire::V1CardListResult
    );
    v1_method!(
        /// `POST /api/payment/sdd/list`: a customer's saved IBANs. PLACEHOLDER path
        /// (`x-path-confidence: placeholder`: the docs do not give it); set the real one
        /// with [`override_path`](crate::EasytransacClientBuilder::override_path).
        iban_list, "v1_payment_iban_list", wire::V1IbanListRequest => wire::V1OpaqueResult
    );
    v1_method!(
        /// `POST /api/payment/history`: the transaction history.
        history, "v1_payment_history", wire::V1HistoryRequest => wire::V1PaymentHistoryResult
    );
    v1_method!(
        /// `POST /api/payment/requests`: payment requests (pages) sent.
        requests, "v1_payment_requests", wire::V1PaymentRequestsRequest => wire::V1PaymentRequestsResult
    );
    v1_method!(
        /// `POST /api/payment/card/infos`: information about a card number.
        card_infos, "v1_payment_card_infos", wire::V1CardInfoRequest => wire::V1CreditCardInfo
    );
}

/// Payment pages (V1 `/api/payment/page`, `cancelpage`, `resendpage`). A page's
/// `RequestId` is a [`pay_core::CheckoutId`]; the `Tid` exists only once it is paid.
#[derive(Debug, Clone, Copy)]
pub struct PagesApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl PagesApi<'_> {
    v1_method!(
        /// `POST /api/payment/page`: creates a hosted payment page (`PageUrl`).
        create, "v1_payment_page", wire::V1PaymentPageRequest => wire::V1PaymentPageInfos, order = order_id
    );
    v1_method!(
        /// `POST /api/payment/cancelpage`: cancels an unpaid page.
        cancel, "v1_payment_cancelpage", wire::V1PaymentPageRefRequest => wire::V1PaymentPageCancellationInfos
    );
    v1_method!(
        /// `POST /api/payment/resendpage`: e-mails the page again.
        resend, "v1_payment_resendpage", wire::V1PaymentPageRefRequest => wire::V1PaymentPageInfos
    );
}

/// Merchant sub-accounts (V1 `/api/user/…`).
#[derive(Debug, Clone, Copy)]
pub struct UsersApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl UsersApi<'_> {
    v1_method!(
        /// `POST /api/user/add`: creates a sub-account.
        add, "v1_user_add", wire::V1UserAddRequest => wire::V1UserAck
    );
    v1_method!(
        /// `POST /api/user/update`: updates a sub-account.
        update, "v1_user_update", wire::V1UserUpdateRequest => wire::V1UserAck
    );
    v1_method!(
        /// `POST /api/user/find`: reads a sub-account.
        find, "v1_user_find", wire::V1UserFindRequest => wire::V1User
    );
    v1_method!(
        /// `POST /api/user/operations`: a sub-account's operations.
        operations, "v1_user_operations", wire::V1OperationsListRequest => wire::V1OperationsResult
    );
    v1_method!(
        /// `POST /api/user/payout`: requests a payout. PLACEHOLDER path
        /// (`x-path-confidence: placeholder`); override it with
        /// [`override_path`](crate::EasytransacClientBuilder::override_path).
        payout, "v1_user_payout", wire::V1PayoutRequest => wire::V1OpaqueResult
    );
    v1_method!(
        /// `POST /api/user/payouts`: lists payouts.
        payouts, "v1_user_payouts", wire::V1PayoutsListRequest => wire::V1PayoutsResult
    );
    v1_method!(
        /// `POST /api/user/logo`: adds a logo. PLACEHOLDER path
        /// (`x-path-confidence: placeholder`); override it with
        /// [`override_path`](crate::EasytransacClientBuilder::override_path).
        logo_add, "v1_user_logo_add", wire::V1LogoAddRequest => wire::V1OpaqueResult
    );
    v1_method!(
        /// `POST /api/user/activity`: reads the activity. PLACEHOLDER path
        /// (`x-path-confidence: placeholder`); override it with
        /// [`override_path`](crate::EasytransacClientBuilder::override_path).
        activity_get, "v1_user_activity_get", wire::V1ActivityGetRequest => wire::V1OpaqueResult
    );
    v1_method!(
        /// `POST /api/user/activity/update`: updates the activity. PLACEHOLDER path
        /// (`x-path-confidence: placeholder`); override it with
        /// [`override_path`](crate::EasytransacClientBuilder::override_path).
        activity_update, "v1_user_activity_update", wire::V1ActivityUpdateRequest => wire::V1OpaqueResult
    );
}

/// KYC documents (V1 `/api/kyc/…`).
#[derive(Debug, Clone, Copy)]
pub struct DocumentsApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl DocumentsApi<'_> {
    v1_method!(
        /// `POST /api/kyc/add`: uploads a document.
        add, "v1_kyc_add", wire::V1KycAddRequest => wire::V1Document
    );
    v1_method!(
        /// `POST /api/kyc/get`: reads a document.
        get, "v1_kyc_get", wire::V1KycGetRequest => wire::V1Document
    );
    v1_method!(
        /// `POST /api/kyc/find`: lists documents.
        find, "v1_kyc_find", wire::V1KycFindRequest => wire::V1DocumentListResult
    );
}

fn json_body<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, PayError> {
    serde_json::to_vec(value).map_err(|e| {
        PayError::new(pay_core::ErrorKind::Configuration {
            reason: format!("request cannot be encoded: {e}"),
        })
    })
}

/// V2 SEPA mandates (`/v2/sdd/mandate/…`).
#[derive(Debug, Clone, Copy)]
pub struct MandatesApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl MandatesApi<'_> {
    /// `POST /v2/sdd/mandate/create`: creates a mandate.
    ///
    /// **No signature page.** The documented answer carries only `mandateId`; the docs
    /// give V2 no way to send the debtor to sign (no signing URL, no signing call). To have
    /// the customer sign a SEPA mandate, use V1: [`PaymentsApi::sdd_init`] (or
    /// `Payments::create_payment` with `PaymentMethod::SepaDirectDebit`), whose first
    /// debit answers `MandateUrl`, the e-mandate signing page; later debits need no new
    /// signature. Fields Easytransac may add to this answer stay in the raw body.
    ///
    /// # Errors
    /// `InvalidRequest` before sending; the V2 error (`detail` kept as the provider
    /// message); `AmbiguousOutcome` when the answer was lost.
    pub async fn create(
        &self,
        request: &wire::V2MandateCreateRequest,
        options: &CallOptions,
    ) -> Result<V2Answer<wire::V2MandateData>, PayError> {
        request.validate()?;
        let body = json_body(request)?;
        self.client
            .v2("v2_sdd_mandate_create", &[], &[], Some(body), None, options)
            .await
    }

    /// `POST /v2/sdd/mandate/{mandateId}/debit`: debits under a mandate (instalments 2–10
    /// with `multiplePayments`).
    ///
    /// # Errors
    /// As [`create`](Self::create); `mandateId` is checked (20 lower-case alphanumerics).
    pub async fn debit(
        &self,
        mandate_id: &str,
        request: &wire::V2MandateDebitRequest,
        options: &CallOptions,
    ) -> Result<V2Answer<wire::V2DebitData>, PayError> {
        wire::validate_path("v2_sdd_mandate_debit", &[("mandateId", mandate_id)])?;
        request.validate()?;
        let body = json_body(request)?;
        self.client
            .v2(
                "v2_sdd_mandate_debit",
                &[("mandateId", mandate_id)],
                &[],
                Some(body),
                request.order_id.as_deref(),
                options,
            )
            .await
    }

    /// `GET /v2/sdd/mandate/{mandateId}/status`: a mandate's status.
    ///
    /// # Errors
    /// As [`create`](Self::create).
    pub async fn status(
        &self,
        mandate_id: &str,
        options: &CallOptions,
    ) -> Result<V2Answer<wire::V2MandateStatusData>, PayError> {
        self.client
            .v2(
                "v2_sdd_mandate_status",
                &[("mandateId", mandate_id)],
                &[],
                None,
                None,
                options,
            )
            .await
    }
}

/// V2 open banking (`/v2/open-banking/init`).
#[derive(Debug, Clone, Copy)]
pub struct OpenBankingApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl OpenBankingApi<'_> {
    /// `POST /v2/open-banking/init`: starts a bank payment (`redirectUrl`).
    ///
    /// # Errors
    /// As [`MandatesApi::create`].
    pub async fn init(
        &self,
        request: &wire::V2OpenBankingInitRequest,
        options: &CallOptions,
    ) -> Result<V2Answer<wire::V2TransactionData>, PayError> {
        request.validate()?;
        let body = json_body(request)?;
        self.client
            .v2(
                "v2_open_banking_init",
                &[],
                &[],
                Some(body),
                request.order_id.as_deref(),
                options,
            )
            .await
    }
}

/// V2 transactions (`/v2/transaction/status`).
#[derive(Debug, Clone, Copy)]
pub struct TransactionsApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl TransactionsApi<'_> {
    /// `GET /v2/transaction/status?tid=…&orderId=…`.
    ///
    /// # Errors
    /// As [`MandatesApi::create`].
    pub async fn status(
        &self,
        query: &wire::V2TransactionStatusQuery,
        options: &CallOptions,
    ) -> Result<V2Answer<wire::V2TransactionData>, PayError> {
        query.validate()?;
        let mut pairs = Vec::new();
        if let Some(tid) = &query.tid {
            pairs.push(("tid".to_owned(), tid.clone()));
        }
        if let Some(order) = &query.order_id {
            pairs.push(("orderId".to_owned(), order.clone()));
        }
        self.client
            .v2("v2_transaction_status", &[], &pairs, None, None, options)
            .await
    }
}

/// V2 authentication (`POST /v2/auth`).
#[derive(Debug, Clone, Copy)]
pub struct AuthApi<'a> {
    pub(crate) client: &'a EasytransacClient,
}

impl AuthApi<'_> {
    /// The current V2 bearer token: the cached one, or one fetched with `POST /v2/auth`
    /// (single flight: concurrent callers share one request). Every V2 method calls this
    /// for you; use it only for calls you make yourself.
    ///
    /// # Errors
    /// `Authentication` for a refused key; transport errors.
    pub async fn token(&self, _options: &CallOptions) -> Result<SecretString, PayError> {
        Ok(self.client.inner.tokens.bearer().await?.0)
    }
}

impl EasytransacClient {
    /// Payments (V1 `/api/payment/…`).
    pub fn payments(&self) -> PaymentsApi<'_> {
        PaymentsApi { client: self }
    }
    /// Payment pages (V1).
    pub fn pages(&self) -> PagesApi<'_> {
        PagesApi { client: self }
    }
    /// Merchant sub-accounts (V1 `/api/user/…`).
    pub fn users(&self) -> UsersApi<'_> {
        UsersApi { client: self }
    }
    /// KYC documents (V1 `/api/kyc/…`).
    pub fn documents(&self) -> DocumentsApi<'_> {
        DocumentsApi { client: self }
    }
    /// SEPA mandates (V2).
    pub fn mandates(&self) -> MandatesApi<'_> {
        MandatesApi { client: self }
    }
    /// Open banking (V2).
    pub fn open_banking(&self) -> OpenBankingApi<'_> {
        OpenBankingApi { client: self }
    }
    /// Transaction status (V2).
    pub fn transactions(&self) -> TransactionsApi<'_> {
        TransactionsApi { client: self }
    }
    /// V2 authentication.
    pub fn auth(&self) -> AuthApi<'_> {
        AuthApi { client: self }
    }
}

/// Every client method, by the operation id it calls: `(operation id, method)`. A test
/// checks it against [`wire::OPERATIONS`] both ways.
pub const CLIENT_METHODS: &[(&str, &str)] = &[
    ("v1_payment_direct", "payments().direct"),
    ("v1_payment_oneclick", "payments().oneclick"),
    ("v1_payment_sdd_init", "payments().sdd_init"),
    ("v1_payment_bybank", "payments().bybank"),
    ("v1_payment_page", "pages().create"),
    ("v1_payment_cancelpage", "pages().cancel"),
    ("v1_payment_resendpage", "pages().resend"),
    ("v1_payment_transfer", "payments().transfer"),
    ("v1_payment_rebill_update", "payments().rebill_update"),
    ("v1_payment_status", "payments().status"),
    ("v1_payment_refund", "payments().refund"),
    ("v1_payment_capture", "payments().capture"),
    ("v1_payment_cancel", "payments().cancel"),
    ("v1_payment_card_list", "payments().card_list"),
    ("v1_payment_iban_list", "payments().iban_list"),
    ("v1_payment_history", "payments().history"),
    ("v1_payment_requests", "payments().requests"),
    ("v1_payment_card_infos", "payments().card_infos"),
    ("v1_user_add", "users().add"),
    ("v1_user_update", "users().update"),
    ("v1_user_find", "users().find"),
    ("v1_user_operations", "users().operations"),
    ("v1_user_payout", "users().payout"),
    ("v1_user_payouts", "users().payouts"),
    ("v1_user_logo_add", "users().logo_add"),
    ("v1_user_activity_get", "users().activity_get"),
    ("v1_user_activity_update", "users().activity_update"),
    ("v1_kyc_add", "documents().add"),
    ("v1_kyc_get", "documents().get"),
    ("v1_kyc_find", "documents().find"),
    ("v2_auth_token", "auth().token"),
    ("v2_open_banking_init", "open_banking().init"),
    ("v2_sdd_mandate_create", "mandates().create"),
    ("v2_sdd_mandate_debit", "mandates().debit"),
    ("v2_sdd_mandate_status", "mandates().status"),
    ("v2_transaction_status", "transactions().status"),
];
