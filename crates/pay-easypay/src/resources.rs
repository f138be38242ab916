//! Every path operation of the description as a typed method, grouped by resource:
//! `client.single().create(…)`, `client.captures().get(…)`, … Each takes and returns the
//! generated [`wire`] types, validates its input (body, query and path) before anything is
//! sent, and goes through [`EasypayClient`]'s one transport.
//!
//! [`CLIENT_METHODS`] maps each `operationId` to its method.
//!
//! Each handle answers in a mode ([`AnswerMode`]): by default the decoded wire type;
//! after `.with_meta()` (`client.single().with_meta().create(…)`) an [`Answered`] that
//! also carries the call's [`ResponseMeta`](crate::ResponseMeta): the `Idempotency-Key`
//! sent, whether Easypay replayed a stored answer, the attempts and the request id. One
//! method body serves both modes.

use std::marker::PhantomData;

use pay_core::{CallOptions, PayError, ValidationError};
use pay_signing::easypay::sign_out_payment;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::answered::{AnswerMode, Answered, Plain, WithMeta};
use crate::client::{Call, EasypayClient, fill_path, invalid, op, query_pairs};
use crate::ids::{
    AuthorisationId, CaptureId, CaptureSplitId, CaptureTarget, CheckoutId, FrequentPaymentId,
    OutPaymentId, PaymentId, RefundId, SubscriptionId, VoidId,
};
use crate::pagination::{CursorList, ItemStream, PageList, cursor_stream, page_stream};
use crate::wire;

/// Every path operation of [`wire::OPERATIONS`] and the client method that calls it
/// (`resource().method`). A test checks it against the description both ways.
pub const CLIENT_METHODS: &[(&str, &str)] = &[
    ("single_list", "single().list"),
    ("single_create", "single().create"),
    ("single_get", "single().get"),
    ("single_update", "single().update"),
    ("single_delete", "single().delete"),
    ("frequent_list", "frequent().list"),
    ("frequent_create", "frequent().create"),
    ("frequent_get", "frequent().get"),
    ("frequent_update", "frequent().update"),
    ("frequent_delete", "frequent().delete"),
    ("frequent_authorise", "frequent().authorise"),
    ("subscription_list", "subscriptions().list"),
    ("subscription_create", "subscriptions().create"),
    ("subscription_get", "subscriptions().get"),
    ("subscription_update", "subscriptions().update"),
    ("subscription_delete", "subscriptions().delete"),
    ("capture_list", "captures().list"),
    ("capture_create", "captures().create"),
    ("capture_get", "captures().get"),
    ("capture_split_update", "captures().update_split"),
    ("authorisation_get", "authorisations().get"),
    ("void_create", "voids().create"),
    ("void_get", "voids().get"),
    ("refund_list", "refunds().list"),
    ("refund_create", "refunds().create"),
    ("refund_get", "refunds().get"),
    ("chargeback_list", "chargebacks().list"),
    ("report_transactions", "reports().transactions"),
    ("report_ledger", "reports().ledger"),
    ("out_payment_list", "out_payments().list"),
    ("out_payment_create", "out_payments().create"),
    ("out_payment_get", "out_payments().get"),
    ("out_payment_delete", "out_payments().delete"),
    ("config_get", "config().get"),
    ("config_update", "config().update"),
    ("checkout_create", "checkout().create"),
    ("checkout_get", "checkout().get"),
    ("checkout_delete", "checkout().delete"),
    ("health_get", "health().get"),
];

/// A generated request or query type whose documented constraints can be checked.
pub(crate) trait Validate {
    fn check(&self) -> Result<(), ValidationError>;
}

macro_rules! validate {
    ($($ty:ident),* $(,)?) => {
        $(impl Validate for wire::$ty {
            fn check(&self) -> Result<(), ValidationError> {
                self.validate()
            }
        })*
    };
}

validate!(
    SingleCreateRequest,
    SingleUpdateRequest,
    FrequentCreateRequest,
    FrequentUpdateRequest,
    FrequentAuthorisationRequest,
    SubscriptionCreateRequest,
    SubscriptionUpdateRequest,
    CaptureRequest,
    CaptureSplitUpdateRequest,
    VoidRequest,
    RefundRequest,
    OutPaymentCreateRequest,
    ConfigUpdateRequest,
    CheckoutCreateRequest,
    SingleListQuery,
    FrequentListQuery,
    SubscriptionListQuery,
    CaptureListQuery,
    RefundListQuery,
    ChargebackListQuery,
    ReportTransactionsQuery,
    ReportLedgerQuery,
    OutPaymentListQuery,
);

impl EasypayClient {
    /// A `GET` of one resource.
    pub(crate) async fn get_one<T: DeserializeOwned>(
        &self,
        op_id: &'static str,
        params: &[(&str, &str)],
        options: &CallOptions,
    ) -> Result<Answered<T>, PayError> {
        let operation = op(op_id);
        let path = fill_path(operation, params)?;
        self.send_decode(Call::new(operation, path, options)).await
    }

    /// A `GET` of one page of a list, its query validated first.
    pub(crate) async fn list_page<Q: Serialize + Validate, T: DeserializeOwned>(
        &self,
        op_id: &'static str,
        query: &Q,
        options: &CallOptions,
    ) -> Result<Answered<T>, PayError> {
        let operation = op(op_id);
        query.check().map_err(|e| invalid(operation, e))?;
        let mut call = Call::new(operation, operation.path.to_owned(), options);
        call.query = query_pairs(operation, query)?;
        self.send_decode(call).await
    }

    /// A `POST` or `PATCH` with a validated JSON body.
    pub(crate) async fn write<B: Serialize + Validate, T: DeserializeOwned>(
        &self,
        op_id: &'static str,
        params: &[(&str, &str)],
        body: &B,
        options: &CallOptions,
    ) -> Result<Answered<T>, PayError> {
        let operation = op(op_id);
        body.check().map_err(|e| invalid(operation, e))?;
        let path = fill_path(operation, params)?;
        let call = Call::new(operation, path, options).json(body)?;
        self.send_decode(call).await
    }

    /// A `DELETE` (Easypay answers 204 without a body).
    pub(crate) async fn delete(
        &self,
        op_id: &'static str,
        params: &[(&str, &str)],
        options: &CallOptions,
    ) -> Result<Answered<()>, PayError> {
        let operation = op(op_id);
        let path = fill_path(operation, params)?;
        let response = self.send(Call::new(operation, path, options)).await?;
        Ok(Answered::new((), response.meta().clone()))
    }

    /// Single payments (`/single`): MB WAY, Multibanco, cards, direct debit, virtual IBAN…
    pub fn single(&self) -> Single<'_> {
        Single::new(self)
    }

    /// Frequent payments (`/frequent`): a method the customer approves once, charged on
    /// demand.
    pub fn frequent(&self) -> Frequent<'_> {
        Frequent::new(self)
    }

    /// Subscriptions (`/subscription`).
    pub fn subscriptions(&self) -> Subscriptions<'_> {
        Subscriptions::new(self)
    }

    /// Captures (`/capture`).
    pub fn captures(&self) -> Captures<'_> {
        Captures::new(self)
    }

    /// Authorisations (`/authorisation`).
    pub fn authorisations(&self) -> Authorisations<'_> {
        Authorisations::new(self)
    }

    /// Voids (`/void`).
    pub fn voids(&self) -> Voids<'_> {
        Voids::new(self)
    }

    /// Refunds (`/refund`).
    pub fn refunds(&self) -> Refunds<'_> {
        Refunds::new(self)
    }

    /// Chargebacks (`/chargeback`).
    pub fn chargebacks(&self) -> Chargebacks<'_> {
        Chargebacks::new(self)
    }

    /// SEPA out-payments (`/out_payment`), signed with the client's RSA key.
    pub fn out_payments(&self) -> OutPayments<'_> {
        OutPayments::new(self)
    }

    /// Checkout sessions (`/checkout`).
    pub fn checkout(&self) -> Checkout<'_> {
        Checkout::new(self)
    }

    /// Reports (`/report`).
    pub fn reports(&self) -> Reports<'_> {
        Reports::new(self)
    }

    /// Account configuration (`/config`).
    pub fn config(&self) -> Config<'_> {
        Config::new(self)
    }

    /// Health check (`/health`).
    pub fn health(&self) -> Health<'_> {
        Health::new(self)
    }
}

/// The constructor and [`with_meta`](Single::with_meta) of each resource handle.
macro_rules! handles {
    ($($handle:ident),* $(,)?) => {
        $(impl<'a, A> $handle<'a, A> {
            fn new(client: &'a EasypayClient) -> Self {
                Self {
                    client,
                    mode: PhantomData,
                }
            }

            /// The same handle, whose methods return an [`Answered`]: the decoded answer
            /// with the call's [`ResponseMeta`](crate::ResponseMeta) (idempotency key,
            /// replay flag, attempts, request id).
            pub fn with_meta(self) -> $handle<'a, WithMeta> {
                $handle::new(self.client)
            }
        })*
    };
}

handles!(
    Single,
    Frequent,
    Subscriptions,
    Captures,
    Authorisations,
    Voids,
    Refunds,
    Chargebacks,
    OutPayments,
    Checkout,
    Reports,
    Config,
    Health
);

/// Single payments: [`EasypayClient::single`].
#[derive(Debug, Clone, Copy)]
pub struct Single<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Single<'_, A> {
    /// `GET /single`: one page of single payments.
    ///
    /// # Errors
    /// `InvalidRequest` for a query breaking a documented rule (nothing sent), or any
    /// transport or provider error.
    pub async fn list(
        &self,
        query: &wire::SingleListQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::SingleList>, PayError> {
        self.client
            .list_page("single_list", query, options)
            .await
            .map(A::answer)
    }

    /// Every single payment matching `query`, page after page from `query.page`.
    pub fn list_all(
        &self,
        query: wire::SingleListQuery,
        options: CallOptions,
    ) -> ItemStream<wire::SinglePayment> {
        page_stream(self.client, "single_list", query, options)
    }

    /// `POST /single`: creates a single payment (a sale, or an authorisation with
    /// `type: "authorisation"`).
    ///
    /// # Errors
    /// `InvalidRequest` naming field and rule (nothing sent), or any transport or
    /// provider error.
    pub async fn create(
        &self,
        request: &wire::SingleCreateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::SingleCreated>, PayError> {
        self.client
            .write("single_create", &[], request, options)
            .await
            .map(A::answer)
    }

    /// `GET /single/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &PaymentId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::SinglePayment>, PayError> {
        self.client
            .get_one("single_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }

    /// `PATCH /single/{id}`.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn update(
        &self,
        id: &PaymentId,
        request: &wire::SingleUpdateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::SingleUpdated>, PayError> {
        self.client
            .write("single_update", &[("id", id.as_str())], request, options)
            .await
            .map(A::answer)
    }

    /// `DELETE /single/{id}`: cancels a payment (voids an authorisation, cancels a
    /// Multibanco reference, a direct debit before 18:00 Lisbon time).
    ///
    /// # Errors
    /// Any transport or provider error.
    pub async fn delete(
        &self,
        id: &PaymentId,
        options: &CallOptions,
    ) -> Result<A::Out<()>, PayError> {
        self.client
            .delete("single_delete", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }
}

/// Frequent payments: [`EasypayClient::frequent`].
#[derive(Debug, Clone, Copy)]
pub struct Frequent<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Frequent<'_, A> {
    /// `GET /frequent`: one page.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn list(
        &self,
        query: &wire::FrequentListQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::FrequentList>, PayError> {
        self.client
            .list_page("frequent_list", query, options)
            .await
            .map(A::answer)
    }

    /// Every frequent payment matching `query`, page after page.
    pub fn list_all(
        &self,
        query: wire::FrequentListQuery,
        options: CallOptions,
    ) -> ItemStream<wire::FrequentPayment> {
        page_stream(self.client, "frequent_list", query, options)
    }

    /// `POST /frequent`.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn create(
        &self,
        request: &wire::FrequentCreateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::FrequentCreated>, PayError> {
        self.client
            .write("frequent_create", &[], request, options)
            .await
            .map(A::answer)
    }

    /// `GET /frequent/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &FrequentPaymentId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::FrequentPayment>, PayError> {
        self.client
            .get_one("frequent_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }

    /// `PATCH /frequent/{id}`.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn update(
        &self,
        id: &FrequentPaymentId,
        request: &wire::FrequentUpdateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::FrequentCreated>, PayError> {
        self.client
            .write("frequent_update", &[("id", id.as_str())], request, options)
            .await
            .map(A::answer)
    }

    /// `DELETE /frequent/{id}`.
    ///
    /// # Errors
    /// Any transport or provider error.
    pub async fn delete(
        &self,
        id: &FrequentPaymentId,
        options: &CallOptions,
    ) -> Result<A::Out<()>, PayError> {
        self.client
            .delete("frequent_delete", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }

    /// `POST /frequent/authorisation/{id}`: asks for a new authorisation on a frequent
    /// payment; the answer's `id` is an [`AuthorisationId`].
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn authorise(
        &self,
        id: &FrequentPaymentId,
        request: &wire::FrequentAuthorisationRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Ack>, PayError> {
        self.client
            .write(
                "frequent_authorise",
                &[("id", id.as_str())],
                request,
                options,
            )
            .await
            .map(A::answer)
    }
}

/// Subscriptions: [`EasypayClient::subscriptions`].
///
/// INFERRED: the description marks the subscription list, create, get and update
/// operations as inferred in parts (paths or fields not all documented); see
/// `fixtures/easypay/api.yaml`.
#[derive(Debug, Clone, Copy)]
pub struct Subscriptions<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Subscriptions<'_, A> {
    /// `GET /subscription`: one page. INFERRED in parts (see the description).
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn list(
        &self,
        query: &wire::SubscriptionListQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::SubscriptionList>, PayError> {
        self.client
            .list_page("subscription_list", query, options)
            .await
            .map(A::answer)
    }

    /// Every subscription matching `query`, page after page.
    pub fn list_all(
        &self,
        query: wire::SubscriptionListQuery,
        options: CallOptions,
    ) -> ItemStream<wire::Subscription> {
        page_stream(self.client, "subscription_list", query, options)
    }

    /// `POST /subscription`. INFERRED in parts (see the description).
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn create(
        &self,
        request: &wire::SubscriptionCreateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::SubscriptionCreated>, PayError> {
        self.client
            .write("subscription_create", &[], request, options)
            .await
            .map(A::answer)
    }

    /// `GET /subscription/{id}`. INFERRED in parts (see the description).
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &SubscriptionId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Subscription>, PayError> {
        self.client
            .get_one("subscription_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }

    /// `PATCH /subscription/{id}`. INFERRED in parts (see the description).
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn update(
        &self,
        id: &SubscriptionId,
        request: &wire::SubscriptionUpdateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::SubscriptionCreated>, PayError> {
        self.client
            .write(
                "subscription_update",
                &[("id", id.as_str())],
                request,
                options,
            )
            .await
            .map(A::answer)
    }

    /// `DELETE /subscription/{id}`.
    ///
    /// # Errors
    /// Any transport or provider error.
    pub async fn delete(
        &self,
        id: &SubscriptionId,
        options: &CallOptions,
    ) -> Result<A::Out<()>, PayError> {
        self.client
            .delete("subscription_delete", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }
}

/// Captures: [`EasypayClient::captures`].
#[derive(Debug, Clone, Copy)]
pub struct Captures<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Captures<'_, A> {
    /// `GET /capture`: one page (cursor-based). INFERRED: the list's envelope and its
    /// cursor (the id of the last item) are not documented.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn list(
        &self,
        query: &wire::CaptureListQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::CaptureList>, PayError> {
        self.client
            .list_page("capture_list", query, options)
            .await
            .map(A::answer)
    }

    /// Every capture matching `query`, cursor after cursor.
    pub fn list_all(
        &self,
        query: wire::CaptureListQuery,
        options: CallOptions,
    ) -> ItemStream<wire::Capture> {
        cursor_stream(self.client, "capture_list", query, options)
    }

    /// `POST /capture/{id}`: captures a single payment's authorisation, a frequent
    /// payment or a frequent authorisation (see [`CaptureTarget`]).
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn create(
        &self,
        target: &impl CaptureTarget,
        request: &wire::CaptureRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::CaptureCreated>, PayError> {
        self.client
            .write(
                "capture_create",
                &[("id", target.target_id())],
                request,
                options,
            )
            .await
            .map(A::answer)
    }

    /// `GET /capture/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &CaptureId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Capture>, PayError> {
        self.client
            .get_one("capture_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }

    /// `PATCH /capture/{capture-uuid}/splits/{capture-split-uuid}`. INFERRED: the request
    /// fields and the answer are not documented; the answer is returned as raw JSON.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn update_split(
        &self,
        capture: &CaptureId,
        split: &CaptureSplitId,
        request: &wire::CaptureSplitUpdateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::CaptureSplitUpdateResponse>, PayError> {
        self.client
            .write(
                "capture_split_update",
                &[
                    ("capture-uuid", capture.as_str()),
                    ("capture-split-uuid", split.as_str()),
                ],
                request,
                options,
            )
            .await
            .map(A::answer)
    }
}

/// Authorisations: [`EasypayClient::authorisations`].
#[derive(Debug, Clone, Copy)]
pub struct Authorisations<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Authorisations<'_, A> {
    /// `GET /authorisation/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &AuthorisationId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Authorisation>, PayError> {
        self.client
            .get_one("authorisation_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }
}

/// Voids: [`EasypayClient::voids`].
#[derive(Debug, Clone, Copy)]
pub struct Voids<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Voids<'_, A> {
    /// `POST /void/{id}`: releases a single or frequent authorisation; the answer's `id`
    /// is a [`VoidId`].
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn create(
        &self,
        authorisation: &AuthorisationId,
        request: &wire::VoidRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Ack>, PayError> {
        self.client
            .write(
                "void_create",
                &[("id", authorisation.as_str())],
                request,
                options,
            )
            .await
            .map(A::answer)
    }

    /// `GET /void/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &VoidId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Void>, PayError> {
        self.client
            .get_one("void_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }
}

/// Refunds: [`EasypayClient::refunds`].
#[derive(Debug, Clone, Copy)]
pub struct Refunds<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Refunds<'_, A> {
    /// `GET /refund`: one page (cursor-based). INFERRED: the envelope and cursor.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn list(
        &self,
        query: &wire::RefundListQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::RefundList>, PayError> {
        self.client
            .list_page("refund_list", query, options)
            .await
            .map(A::answer)
    }

    /// Every refund matching `query`, cursor after cursor.
    pub fn list_all(
        &self,
        query: wire::RefundListQuery,
        options: CallOptions,
    ) -> ItemStream<wire::Refund> {
        cursor_stream(self.client, "refund_list", query, options)
    }

    /// `POST /refund/{id}`: refunds a capture; the answer's `id` is a [`RefundId`].
    /// Multibanco refunds need the customer's `iban`.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn create(
        &self,
        capture: &CaptureId,
        request: &wire::RefundRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Ack>, PayError> {
        self.client
            .write(
                "refund_create",
                &[("id", capture.as_str())],
                request,
                options,
            )
            .await
            .map(A::answer)
    }

    /// `GET /refund/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &RefundId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Refund>, PayError> {
        self.client
            .get_one("refund_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }
}

/// Chargebacks: [`EasypayClient::chargebacks`].
#[derive(Debug, Clone, Copy)]
pub struct Chargebacks<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Chargebacks<'_, A> {
    /// `GET /chargeback`: one page (cursor-based). INFERRED: the envelope, the cursor and
    /// the item fields (items are raw JSON).
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn list(
        &self,
        query: &wire::ChargebackListQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::ChargebackList>, PayError> {
        self.client
            .list_page("chargeback_list", query, options)
            .await
            .map(A::answer)
    }

    /// Every chargeback matching `query`, cursor after cursor.
    pub fn list_all(
        &self,
        query: wire::ChargebackListQuery,
        options: CallOptions,
    ) -> ItemStream<wire::Chargeback> {
        cursor_stream(self.client, "chargeback_list", query, options)
    }
}

/// Out-payments: [`EasypayClient::out_payments`].
#[derive(Debug, Clone, Copy)]
pub struct OutPayments<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> OutPayments<'_, A> {
    /// `GET /out_payment`: one page.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn list(
        &self,
        query: &wire::OutPaymentListQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::OutPaymentList>, PayError> {
        self.client
            .list_page("out_payment_list", query, options)
            .await
            .map(A::answer)
    }

    /// Every out-payment matching `query`, page after page.
    pub fn list_all(
        &self,
        query: wire::OutPaymentListQuery,
        options: CallOptions,
    ) -> ItemStream<wire::OutPayment> {
        page_stream(self.client, "out_payment_list", query, options)
    }

    /// `POST /out_payment`: validated, then serialised, stamped with the client clock's
    /// time and signed once ([`sign_out_payment`]); every attempt sends those bytes and
    /// that `Signature` header.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent); `Configuration` when the client has no
    /// out-payment key or signing fails; any transport or provider error.
    pub async fn create(
        &self,
        request: &wire::OutPaymentCreateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::OutPaymentCreated>, PayError> {
        let operation = op("out_payment_create");
        request.check().map_err(|e| invalid(operation, e))?;
        let config = |reason: String| {
            PayError::new(pay_core::ErrorKind::Configuration { reason })
                .with_provider(crate::PROVIDER)
                .with_operation(operation.id)
        };
        let Some(key) = self.client.inner.signing_key.as_ref() else {
            return Err(config(
                "out-payments need a signing key (EasypayClientBuilder::out_payment_key)"
                    .to_owned(),
            ));
        };
        let signed = sign_out_payment(request, key, self.client.inner.clock.now())
            .map_err(|e| config(format!("cannot sign the out-payment: {e}")))?;
        let (body, signature) = signed.into_parts();
        let mut call = Call::new(operation, operation.path.to_owned(), options);
        call.body = Some(body);
        call.signature = Some(signature);
        self.client.send_decode(call).await.map(A::answer)
    }

    /// `GET /out_payment/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &OutPaymentId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::OutPayment>, PayError> {
        self.client
            .get_one("out_payment_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }

    /// `DELETE /out_payment/{id}`: cancels an out-payment not yet processed. INFERRED
    /// in parts (see the description).
    ///
    /// # Errors
    /// Any transport or provider error.
    pub async fn delete(
        &self,
        id: &OutPaymentId,
        options: &CallOptions,
    ) -> Result<A::Out<()>, PayError> {
        self.client
            .delete("out_payment_delete", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }
}

/// Checkout sessions: [`EasypayClient::checkout`].
#[derive(Debug, Clone, Copy)]
pub struct Checkout<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Checkout<'_, A> {
    /// `POST /checkout`: a session for Easypay's checkout form; the answer's `id` and
    /// `session` go to the front end.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn create(
        &self,
        request: &wire::CheckoutCreateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::CheckoutCreated>, PayError> {
        self.client
            .write("checkout_create", &[], request, options)
            .await
            .map(A::answer)
    }

    /// `GET /checkout/{id}`.
    ///
    /// # Errors
    /// `NotFound`, or any transport or provider error.
    pub async fn get(
        &self,
        id: &CheckoutId,
        options: &CallOptions,
    ) -> Result<A::Out<wire::CheckoutDetails>, PayError> {
        self.client
            .get_one("checkout_get", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }

    /// `DELETE /checkout/{id}`: cancels an unpaid checkout.
    ///
    /// # Errors
    /// Any transport or provider error.
    pub async fn delete(
        &self,
        id: &CheckoutId,
        options: &CallOptions,
    ) -> Result<A::Out<()>, PayError> {
        self.client
            .delete("checkout_delete", &[("id", id.as_str())], options)
            .await
            .map(A::answer)
    }
}

/// Reports: [`EasypayClient::reports`].
#[derive(Debug, Clone, Copy)]
pub struct Reports<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Reports<'_, A> {
    /// `GET /report/transactions`: one page (intervals of at most 30 days).
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn transactions(
        &self,
        query: &wire::ReportTransactionsQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::TransactionReport>, PayError> {
        self.client
            .list_page("report_transactions", query, options)
            .await
            .map(A::answer)
    }

    /// Every row of the transactions report, page after page.
    pub fn transactions_all(
        &self,
        query: wire::ReportTransactionsQuery,
        options: CallOptions,
    ) -> ItemStream<wire::TransactionReportRow> {
        page_stream(self.client, "report_transactions", query, options)
    }

    /// `GET /report/ledger`: one page (cursor-based). INFERRED: its error codes and
    /// entries (raw JSON) are not documented.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn ledger(
        &self,
        query: &wire::ReportLedgerQuery,
        options: &CallOptions,
    ) -> Result<A::Out<wire::LedgerReport>, PayError> {
        self.client
            .list_page("report_ledger", query, options)
            .await
            .map(A::answer)
    }

    /// Every ledger entry, cursor after cursor.
    pub fn ledger_all(
        &self,
        query: wire::ReportLedgerQuery,
        options: CallOptions,
    ) -> ItemStream<wire::LedgerEntry> {
        cursor_stream(self.client, "report_ledger", query, options)
    }
}

/// Account configuration: [`EasypayClient::config`].
#[derive(Debug, Clone, Copy)]
pub struct Config<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Config<'_, A> {
    /// `GET /config`.
    ///
    /// # Errors
    /// Any transport or provider error.
    pub async fn get(&self, options: &CallOptions) -> Result<A::Out<wire::Config>, PayError> {
        self.client
            .get_one("config_get", &[], options)
            .await
            .map(A::answer)
    }

    /// `PATCH /config`.
    ///
    /// # Errors
    /// `InvalidRequest` (nothing sent), or any transport or provider error.
    pub async fn update(
        &self,
        request: &wire::ConfigUpdateRequest,
        options: &CallOptions,
    ) -> Result<A::Out<wire::Config>, PayError> {
        self.client
            .write("config_update", &[], request, options)
            .await
            .map(A::answer)
    }
}

/// Health check: [`EasypayClient::health`].
#[derive(Debug, Clone, Copy)]
pub struct Health<'a, A = Plain> {
    client: &'a EasypayClient,
    mode: PhantomData<A>,
}

impl<A: AnswerMode> Health<'_, A> {
    /// `GET /health`. INFERRED: the answer's shape is not documented (raw JSON).
    ///
    /// # Errors
    /// Any transport or provider error.
    pub async fn get(&self, options: &CallOptions) -> Result<A::Out<wire::HealthStatus>, PayError> {
        self.client
            .get_one("health_get", &[], options)
            .await
            .map(A::answer)
    }
}

impl PageList for wire::SingleList {
    type Item = wire::SinglePayment;
    fn into_parts(self) -> (Vec<Self::Item>, Option<wire::PageMeta>) {
        (self.data, self.meta)
    }
}

impl PageList for wire::FrequentList {
    type Item = wire::FrequentPayment;
    fn into_parts(self) -> (Vec<Self::Item>, Option<wire::PageMeta>) {
        (self.data, self.meta)
    }
}

impl PageList for wire::SubscriptionList {
    type Item = wire::Subscription;
    fn into_parts(self) -> (Vec<Self::Item>, Option<wire::PageMeta>) {
        (self.data, self.meta)
    }
}

impl PageList for wire::OutPaymentList {
    type Item = wire::OutPayment;
    fn into_parts(self) -> (Vec<Self::Item>, Option<wire::PageMeta>) {
        (self.data, self.meta)
    }
}

impl PageList for wire::TransactionReport {
    type Item = wire::TransactionReportRow;
    fn into_parts(self) -> (Vec<Self::Item>, Option<wire::PageMeta>) {
        (self.data, self.meta)
    }
}

impl CursorList for wire::CaptureList {
    type Item = wire::Capture;
    fn into_items(self) -> Vec<Self::Item> {
        self.data
    }
}

impl CursorList for wire::RefundList {
    type Item = wire::Refund;
    fn into_items(self) -> Vec<Self::Item> {
        self.data
    }
}

impl CursorList for wire::ChargebackList {
    type Item = wire::Chargeback;
    fn into_items(self) -> Vec<Self::Item> {
        self.data
    }
}

impl CursorList for wire::LedgerReport {
    type Item = wire::LedgerEntry;
    fn into_items(self) -> Vec<Self::Item> {
        self.data
    }
}
