//! pay-core's provider-neutral traits on [`EasypayClient`]: [`Provider`], [`Payments`],
//! [`Capture`], [`Void`], [`Refunds`], checkouts, subscriptions (`Recurring`), payouts,
//! disputes and webhooks, built on the typed resource methods.
//!
//! Easypay's objects do not link to each other the way the neutral model does, so a
//! neutral [`Payment`] is assembled: the single payment, its captures (from the capture
//! list, matched by the capture's documented `payment_id`) and their refunds (from the
//! refund list, matched by `capture_id` or `payment_id`: INFERRED, neither Easypay's
//! 2021 OpenAPI description nor its current reference lists a refund's link to its
//! capture or payment, so our description does not either). A single authorisation's id
//! is the payment's own id (Easypay voids and captures a single authorisation by the
//! payment id).
//!
//! Cost: Easypay documents no filter by payment on `GET /capture` and `GET /refund`
//! (only `created_at`/`updated_at` intervals of at most 30 days) and no per-payment
//! capture or refund endpoint, so reading a neutral payment lists every capture and
//! every refund of the account, 100 a page.

use async_trait::async_trait;
use pay_core::wire::JsonNumber;
use pay_core::{
    AmountEncoding, ApprovalChannel, CallOptions, Capabilities, Capability, CaptureMode,
    CaptureRecord, CaptureRequest, CaptureStatus, Currencies, Currency, Environment, ErrorKind,
    Failure, Iban, IdempotencySupport, MerchantReference, Money, NextAction, PayError, Payment,
    PaymentInstructions, PaymentMethod, PaymentMethodKind, PaymentStatus, Provider,
    ProviderCaptureId, ProviderId, ProviderPaymentId, ProviderRefundId, Refund, RefundRequest,
    RefundStatus, Rule, Url, ValidationError, VoidRequest, WebhookAuth,
};
use serde::Deserialize;

use crate::client::{EasypayClient, PROVIDER, invalid, op};
use crate::ids::{AuthorisationId, CaptureId, PaymentId};
use crate::{status, wire};

/// What the Easypay adapter offers through pay-core's traits.
pub(crate) fn capabilities() -> Capabilities {
    let mut caps = Capabilities::new(
        AmountEncoding::MajorJsonNumber { max_decimals: 2 },
        IdempotencySupport::Native {
            header: "Idempotency-Key",
            max_key_len: 50,
        },
        WebhookAuth::StaticCredentials,
    );
    caps.supported = [
        Capability::FindByReference,
        Capability::Capture,
        Capability::PartialCapture,
        Capability::Void,
        Capability::Refund,
        Capability::PartialRefund,
        Capability::MultipleRefunds,
        Capability::Webhooks,
        Capability::Payouts,
        Capability::CancelPayout,
        Capability::Disputes,
        Capability::Checkouts,
        Capability::Subscriptions,
    ]
    .into_iter()
    .collect();
    caps.payment_methods = vec![
        PaymentMethodKind::MbWay,
        PaymentMethodKind::Multibanco,
        PaymentMethodKind::VirtualIban,
        PaymentMethodKind::Card,
        PaymentMethodKind::SepaDirectDebit,
    ];
    caps.currencies = Currencies::Only(vec![Currency::EUR]);
    caps.max_reference_len = 50;
    caps.intervals = status::INTERVALS.to_vec();
    // A checkout's payment has no id until the customer pays.
    caps.payment_id_may_change = true;
    caps
}

/// A refund as listed, with the links Easypay sends beyond our description (INFERRED).
#[derive(Debug, Deserialize)]
struct LinkedRefund {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<wire::RefundStatus>,
    #[serde(default)]
    value: Option<JsonNumber>,
    #[serde(default)]
    capture_id: Option<String>,
    #[serde(default)]
    payment_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LinkedRefunds {
    data: Vec<LinkedRefund>,
}

fn decode_failure(location: &str, err: ValidationError) -> PayError {
    PayError::new(ErrorKind::Decode {
        location: location.to_owned(),
    })
    .with_provider(PROVIDER)
    .with_source(err)
}

fn money(value: Option<&JsonNumber>, location: &str) -> Result<Money, PayError> {
    let Some(value) = value else {
        return Err(decode_failure(
            location,
            ValidationError::new(location.to_owned(), Rule::Required),
        ));
    };
    value
        .to_money(Currency::EUR)
        .map_err(|e| decode_failure(location, e))
}

fn amount(money: Money, operation: &'static str) -> Result<JsonNumber, PayError> {
    JsonNumber::from_money(money, 2).map_err(|e| invalid(op(operation), e))
}

/// The currencies Easypay takes on out-payments, which carry no `currency` field: euros.
const OUT_PAYMENT_CURRENCIES: &[&str] = &["EUR"];

/// `money`'s currency as Easypay's `currency` field, refused before sending unless it is
/// one our description lists ([`wire::Currency::VALUES`]: EUR, and BRL from the 2021
/// enum, INFERRED). Without this, Easypay would read the bare `value` in its default
/// currency, EUR: 19.99 USD would be charged as 19.99 EUR.
fn currency(money: Money, operation: &'static str) -> Result<wire::Currency, PayError> {
    match money.currency().code() {
        "EUR" => Ok(wire::Currency::Eur),
        "BRL" => Ok(wire::Currency::Brl),
        _ => Err(invalid(
            op(operation),
            ValidationError::new(
                "amount.currency",
                Rule::OneOf {
                    allowed: wire::Currency::VALUES,
                },
            ),
        )),
    }
}

/// Text Easypay accepts as a `descriptive` (letters, digits, ` .,/+*$%`).
fn descriptive(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .,/+*$%".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "Payment".to_owned()
    } else {
        cleaned.chars().take(255).collect()
    }
}

fn method_kind(code: &wire::PaymentMethodCode) -> Option<PaymentMethodKind> {
    Some(match code.as_str() {
        "mbw" => PaymentMethodKind::MbWay,
        "mb" => PaymentMethodKind::Multibanco,
        "cc" => PaymentMethodKind::Card,
        "dd" => PaymentMethodKind::SepaDirectDebit,
        "vi" => PaymentMethodKind::VirtualIban,
        _ => return None,
    })
}

impl EasypayClient {
    /// Every capture of a payment (or subscription), from the capture list, cursor after
    /// cursor: the list has no filter by payment, so this reads every capture of the
    /// account.
    pub(crate) async fn captures_of(
        &self,
        payment: &str,
        options: &CallOptions,
    ) -> Result<Vec<wire::Capture>, PayError> {
        let mut query = wire::CaptureListQuery {
            limit: Some(100),
            ..Default::default()
        };
        let mut found = Vec::new();
        loop {
            let page: wire::CaptureList = self
                .list_page("capture_list", &query, options)
                .await?
                .into_value();
            let last = page.data.last().and_then(|c| c.id.clone());
            found.extend(
                page.data
                    .into_iter()
                    .filter(|c| c.payment_id.as_deref() == Some(payment)),
            );
            match last {
                Some(last) if query.cursor.as_deref() != Some(last.as_str()) => {
                    query.cursor = Some(last);
                }
                _ => break,
            }
        }
        Ok(found)
    }

    /// Every refund of a payment's captures (INFERRED links, see the module docs).
    async fn refunds_of(
        &self,
        payment: &str,
        captures: &[wire::Capture],
        options: &CallOptions,
    ) -> Result<Vec<LinkedRefund>, PayError> {
        let mut query = wire::RefundListQuery {
            limit: Some(100),
            ..Default::default()
        };
        let mut found = Vec::new();
        loop {
            let page: LinkedRefunds = self
                .list_page("refund_list", &query, options)
                .await?
                .into_value();
            let last = page.data.last().and_then(|r| r.id.clone());
            found.extend(page.data.into_iter().filter(|r| {
                r.payment_id.as_deref() == Some(payment)
                    || captures
                        .iter()
                        .any(|c| c.id.is_some() && c.id == r.capture_id)
            }));
            match last {
                Some(last) if query.cursor.as_deref() != Some(last.as_str()) => {
                    query.cursor = Some(last);
                }
                _ => break,
            }
        }
        Ok(found)
    }

    /// The neutral payment: the single payment with its captures and refunds.
    async fn neutral_payment(
        &self,
        single: wire::SinglePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let Some(id) = single.id.clone() else {
            return Err(decode_failure(
                "id",
                ValidationError::new("id", Rule::Required),
            ));
        };
        let captures = self.captures_of(&id, options).await?;
        let refunds = self.refunds_of(&id, &captures, options).await?;
        to_payment(single, &captures, &refunds)
    }
}

/// Assembles a neutral payment.
fn to_payment(
    single: wire::SinglePayment,
    captures: &[wire::Capture],
    refunds: &[LinkedRefund],
) -> Result<Payment, PayError> {
    let id_text = single.id.clone().unwrap_or_default();
    let id = ProviderPaymentId::new(id_text.clone()).map_err(|e| decode_failure("id", e))?;
    let total = money(single.value.as_ref(), "value")?;
    let raw_status = single
        .payment_status
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let mut status = single
        .payment_status
        .as_ref()
        .map_or(PaymentStatus::Pending, status::payment_status);
    let mut payment = Payment::new(id.clone(), total, status.clone(), raw_status.clone());
    if let Some(key) = single.key.as_deref().filter(|k| !k.is_empty())
        && let Ok(reference) = MerchantReference::new(key)
    {
        payment = payment.with_reference(reference);
    }
    let details = single.method.clone().unwrap_or_default();
    let kind = details.r#type.as_ref().and_then(method_kind);
    if let Some(kind) = &kind {
        payment = payment.with_method(kind.clone());
    }
    // A single authorisation is captured and voided by the payment's own id.
    if (status == PaymentStatus::Authorized || !captures.is_empty())
        && let Ok(auth) = pay_core::ProviderAuthorisationId::new(id_text.clone())
    {
        payment = payment.with_authorisation_id(auth);
    }
    let mut captured = Money::zero(Currency::EUR).map_err(|e| decode_failure("value", e))?;
    for capture in captures {
        let value = money(capture.value.as_ref(), "capture.value")?;
        let capture_status = capture
            .status
            .as_ref()
            .map_or(CaptureStatus::Pending, status::capture_status);
        if matches!(
            capture_status,
            CaptureStatus::Succeeded | CaptureStatus::Refunded
        ) {
            captured = captured
                .checked_add(value)
                .map_err(|e| decode_failure("capture.value", e))?;
        }
        let capture_id = capture
            .id
            .clone()
            .and_then(|c| ProviderCaptureId::new(c).ok());
        payment = payment.with_capture(CaptureRecord::new(
            capture_id,
            value,
            capture_status,
            capture
                .status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        ));
    }
    let mut refunded = Money::zero(Currency::EUR).map_err(|e| decode_failure("value", e))?;
    for refund in refunds {
        let value = money(refund.value.as_ref(), "refund.value")?;
        let refund_status = refund
            .status
            .as_ref()
            .map_or(RefundStatus::Pending, status::refund_status);
        if refund_status == RefundStatus::Succeeded {
            refunded = refunded
                .checked_add(value)
                .map_err(|e| decode_failure("refund.value", e))?;
        }
        let mut neutral = Refund::new(
            refund
                .id
                .clone()
                .and_then(|r| ProviderRefundId::new(r).ok()),
            id.clone(),
            value,
            refund_status,
            refund
                .status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        );
        if let Some(capture) = refund
            .capture_id
            .clone()
            .and_then(|c| ProviderCaptureId::new(c).ok())
        {
            neutral = neutral.with_capture_id(capture);
        }
        payment = payment.with_refund(neutral);
    }
    if !captures.is_empty() {
        payment = payment.with_captured(captured);
    }
    if !refunds.is_empty() {
        payment = payment.with_refunded(refunded);
    }
    // Easypay keeps a refunded payment `paid`: the refunds say how much went back.
    if !refunded.is_zero() && matches!(status, PaymentStatus::Captured) {
        status = if refunded == captured || refunded == total {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        };
        payment.status = status.clone();
    }
    if status == PaymentStatus::Failed {
        payment = payment.with_failure(Failure::new(Some(raw_status), None));
    }
    if matches!(
        status,
        PaymentStatus::Pending | PaymentStatus::RequiresAction
    ) {
        payment = payment.with_next_action(next_action(kind.as_ref(), &details));
    }
    Ok(payment)
}

/// What the customer does next, by method.
fn next_action(
    kind: Option<&PaymentMethodKind>,
    details: &wire::PaymentMethodDetails,
) -> NextAction {
    match kind {
        Some(PaymentMethodKind::MbWay) => NextAction::AwaitApproval {
            channel: ApprovalChannel::MbWay,
            expires_at: None,
        },
        Some(PaymentMethodKind::Multibanco) => match (&details.entity, &details.reference) {
            (Some(entity), Some(reference)) => NextAction::PayByReference {
                instructions: PaymentInstructions::Multibanco {
                    entity: entity.clone(),
                    reference: reference.clone(),
                },
                expires_at: None,
            },
            _ => NextAction::None,
        },
        Some(PaymentMethodKind::VirtualIban) => match details.iban.as_deref().map(Iban::parse) {
            Some(Ok(iban)) => NextAction::PayByReference {
                instructions: PaymentInstructions::VirtualIban { iban },
                expires_at: None,
            },
            _ => NextAction::None,
        },
        Some(PaymentMethodKind::Card) => match details.url.as_deref().map(Url::parse) {
            Some(Ok(url)) => NextAction::CardForm { url },
            _ => NextAction::None,
        },
        _ => NextAction::None,
    }
}

/// A neutral payment request as Easypay's `POST /single`.
fn single_request(
    request: &pay_core::CreatePayment,
) -> Result<wire::SingleCreateRequest, PayError> {
    let operation = op("single_create");
    let unsupported = || {
        invalid(
            operation,
            ValidationError::new(
                "method",
                Rule::Format {
                    expected: "MB WAY, Multibanco, virtual IBAN, card form or SEPA direct debit",
                },
            ),
        )
    };
    let method = match &request.method {
        PaymentMethod::MbWay { .. } => wire::SingleMethod::Mbw,
        PaymentMethod::Multibanco => wire::SingleMethod::Mb,
        PaymentMethod::VirtualIban => wire::SingleMethod::Vi,
        PaymentMethod::CardForm => wire::SingleMethod::Cc,
        PaymentMethod::SepaDirectDebit { .. } => wire::SingleMethod::Dd,
        _ => return Err(unsupported()),
    };
    let value = amount(request.amount(), "single_create")?;
    let mut single = wire::SingleCreateRequest::new(value, method);
    single.currency = Some(currency(request.amount(), "single_create")?);
    single.r#type = Some(match request.capture {
        CaptureMode::Manual => wire::SingleType::Authorisation,
        _ => wire::SingleType::Sale,
    });
    single.key = Some(request.reference().as_str().to_owned());
    let text = request
        .description
        .clone()
        .unwrap_or_else(|| request.reference().as_str().to_owned());
    single.capture = Some(wire::CaptureInput::new(descriptive(&text)));
    let mut customer = wire::CustomerInput::default();
    if let Some(c) = &request.customer {
        let name = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            customer.name = Some(name);
        }
        customer.email = c.email.as_ref().map(|e| e.as_str().to_owned());
        if let Some(phone) = &c.phone {
            customer.phone = Some(phone.number().to_owned());
            customer.phone_indicative = Some(phone.indicative().to_owned());
        }
        customer.fiscal_number = c.fiscal_number.clone();
        customer.key = c.reference.as_ref().map(|r| r.as_str().to_owned());
    }
    match &request.method {
        PaymentMethod::MbWay { phone } => {
            customer.phone = Some(phone.number().to_owned());
            customer.phone_indicative = Some(phone.indicative().to_owned());
        }
        PaymentMethod::SepaDirectDebit {
            iban,
            account_holder,
            ..
        } => {
            let need = |field: &'static str| {
                invalid(operation, ValidationError::new(field, Rule::Required))
            };
            let email = customer
                .email
                .clone()
                .ok_or_else(|| need("customer.email"))?;
            let phone = customer
                .phone
                .clone()
                .ok_or_else(|| need("customer.phone"))?;
            let name = customer
                .name
                .clone()
                .unwrap_or_else(|| account_holder.clone());
            single.sdd_mandate = Some(wire::SddMandateInput::new(
                iban.expose_electronic().to_owned(),
                name,
                email,
                phone,
                account_holder.clone(),
            ));
        }
        _ => {}
    }
    if customer.name.is_some()
        || customer.email.is_some()
        || customer.phone.is_some()
        || customer.key.is_some()
    {
        single.customer = Some(customer);
    }
    Ok(single)
}

impl EasypayClient {
    /// `PaymentMethod::HostedPage` as an Easypay checkout session: the front end opens
    /// Easypay's checkout form with the id and session.
    async fn create_checkout_payment(
        &self,
        request: &pay_core::CreatePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let operation = op("checkout_create");
        let email = request
            .customer
            .as_ref()
            .and_then(|c| c.email.as_ref())
            .ok_or_else(|| {
                invalid(
                    operation,
                    ValidationError::new("customer.email", Rule::Required),
                )
            })?;
        let mut payment = wire::CheckoutPaymentInput::new(vec![
            wire::CheckoutMethod::Cc,
            wire::CheckoutMethod::Mbw,
            wire::CheckoutMethod::Mb,
        ]);
        payment.r#type = Some(match request.capture {
            CaptureMode::Manual => wire::SingleType::Authorisation,
            _ => wire::SingleType::Sale,
        });
        let text = request
            .description
            .clone()
            .unwrap_or_else(|| request.reference().as_str().to_owned());
        payment.capture = Some(wire::CheckoutCaptureInput {
            descriptive: Some(descriptive(&text)),
            ..Default::default()
        });
        payment.key = Some(request.reference().as_str().to_owned());
        payment.currency = Some(currency(request.amount(), "checkout_create")?);
        let mut order = wire::CheckoutOrderInput::new(amount(request.amount(), "checkout_create")?);
        order.key = Some(request.reference().as_str().to_owned());
        let mut customer = wire::CheckoutCustomerInput::new(email.as_str().to_owned());
        if let Some(c) = &request.customer {
            let name = [c.first_name.as_deref(), c.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if !name.is_empty() {
                customer.name = Some(name);
            }
            customer.phone = c.phone.as_ref().map(|p| p.number().to_owned());
        }
        let body = wire::CheckoutCreateRequest::new(
            vec![wire::PaymentKind::Single],
            payment,
            order,
            customer,
        );
        let created = self.checkout().create(&body, options).await?;
        let checkout_id =
            pay_core::CheckoutId::new(created.id.clone()).map_err(|e| decode_failure("id", e))?;
        let session = pay_core::SessionToken::new(created.session.clone())
            .map_err(|e| decode_failure("session", e))?;
        Ok(Payment::awaiting_checkout(
            checkout_id.clone(),
            request.amount(),
            PaymentStatus::RequiresAction,
            "pending",
        )
        .with_reference(request.reference().clone())
        .with_next_action(NextAction::ClientSession {
            checkout_id,
            session,
        }))
    }
}

#[async_trait]
impl pay_core::Checkouts for EasypayClient {
    /// `GET /checkout/{id}`: the payment once the customer paid, else the session's
    /// state (`pending`, `canceled`).
    async fn get_checkout(
        &self,
        id: &pay_core::CheckoutId,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let checkout =
            crate::ids::CheckoutId::new(id.as_str()).map_err(|e| invalid(op("checkout_get"), e))?;
        let details = self.checkout().get(&checkout, options).await?;
        if let Some(paid) = details
            .payment
            .as_ref()
            .and_then(|p| p.id.clone())
            .and_then(|p| ProviderPaymentId::new(p).ok())
        {
            let payment = pay_core::Payments::get_payment(self, &paid, options).await?;
            return Ok(payment.with_checkout_id(id.clone()));
        }
        let raw = details
            .checkout
            .as_ref()
            .and_then(|c| c.status.as_ref())
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        let status = match raw.as_str() {
            "canceled" => PaymentStatus::Canceled,
            "complete" => PaymentStatus::Pending,
            _ => PaymentStatus::RequiresAction,
        };
        Ok(Payment::awaiting_checkout(
            id.clone(),
            money(details.value.as_ref(), "value")?,
            status,
            raw,
        ))
    }

    /// `DELETE /checkout/{id}`, then reads it back.
    async fn cancel_checkout(
        &self,
        id: &pay_core::CheckoutId,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let checkout = crate::ids::CheckoutId::new(id.as_str())
            .map_err(|e| invalid(op("checkout_delete"), e))?;
        self.checkout().delete(&checkout, options).await?;
        pay_core::Checkouts::get_checkout(self, id, options).await
    }
}

impl Provider for EasypayClient {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    fn environment(&self) -> Environment {
        self.inner.environment
    }

    fn as_payments(&self) -> Option<&dyn pay_core::Payments> {
        Some(self)
    }

    fn as_capture(&self) -> Option<&dyn pay_core::Capture> {
        Some(self)
    }

    fn as_void(&self) -> Option<&dyn pay_core::Void> {
        Some(self)
    }

    fn as_refunds(&self) -> Option<&dyn pay_core::Refunds> {
        Some(self)
    }

    fn as_webhooks(&self) -> Option<&dyn pay_core::Webhooks> {
        Some(self)
    }

    fn as_payouts(&self) -> Option<&dyn pay_core::Payouts> {
        Some(self)
    }

    fn as_disputes(&self) -> Option<&dyn pay_core::Disputes> {
        Some(self)
    }

    fn as_checkouts(&self) -> Option<&dyn pay_core::Checkouts> {
        Some(self)
    }

    fn as_recurring(&self) -> Option<&dyn pay_core::Recurring> {
        Some(self)
    }
}

#[async_trait]
impl pay_core::Webhooks for EasypayClient {
    /// Compares the configured Basic credentials or secret header (constant time). Easypay
    /// does not sign notifications: the trust is a hint; [`EasypayClient::confirm`]
    /// reads the resource back.
    fn verify(&self, raw: &pay_core::RawWebhook) -> Result<pay_core::VerifiedWebhook, PayError> {
        self.verify_notification(raw)
    }

    /// The generic, authorisation or transaction notification as a neutral event; its
    /// id is the notification's id, type and status.
    fn parse(
        &self,
        verified: &pay_core::VerifiedWebhook,
    ) -> Result<pay_core::WebhookEvent, PayError> {
        crate::notification::parse(verified)
    }
}

#[async_trait]
impl pay_core::Payments for EasypayClient {
    /// `POST /single`, then reads the payment back. MB WAY awaits approval in the app,
    /// Multibanco and virtual IBAN are paid by reference, the card form (`cc`) is a URL
    /// to send the customer to. A payment Easypay made and then failed is `Ok` with
    /// status `Failed`.
    async fn create_payment(
        &self,
        request: &pay_core::CreatePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        if matches!(request.method, PaymentMethod::HostedPage) {
            return self.create_checkout_payment(request, options).await;
        }
        let single = single_request(request)?;
        let created = self.single().create(&single, options).await?;
        let id = created
            .id
            .clone()
            .ok_or_else(|| decode_failure("id", ValidationError::new("id", Rule::Required)))?;
        let id = PaymentId::new(id).map_err(|e| decode_failure("id", e))?;
        let got = self.single().get(&id, options).await?;
        let mut payment = self.neutral_payment(got, options).await?;
        // The creation answer carries the method details (reference, form URL) even when
        // the read does not.
        if let Some(details) = &created.method
            && payment.next_action == NextAction::None
            && matches!(
                payment.status,
                PaymentStatus::Pending | PaymentStatus::RequiresAction
            )
        {
            let kind = details
                .r#type
                .as_ref()
                .and_then(method_kind)
                .or(payment.method.clone());
            payment.next_action = next_action(kind.as_ref(), details);
        }
        Ok(payment)
    }

    /// `GET /single/{id}`, then the capture and refund lists to find the payment's
    /// captures and refunds.
    ///
    /// Cost: Easypay documents no filter by payment on those lists and no per-payment
    /// endpoint, so this reads every capture and every refund of the account (one call
    /// per 100, at least one each): three calls or more. Where that is too many,
    /// read the single payment with [`EasypayClient::single`] and the captures or refunds
    /// you know with their own `get`.
    async fn get_payment(
        &self,
        id: &ProviderPaymentId,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let id = PaymentId::new(id.as_str()).map_err(|e| invalid(op("single_get"), e))?;
        let single = self.single().get(&id, options).await?;
        self.neutral_payment(single, options).await
    }

    /// The single payment whose `key` is the reference (`GET /single?key=…`).
    async fn find_by_reference(
        &self,
        reference: &MerchantReference,
        options: &CallOptions,
    ) -> Result<Option<Payment>, PayError> {
        let query = wire::SingleListQuery {
            key: Some(reference.as_str().to_owned()),
            ..Default::default()
        };
        let list = self.single().list(&query, options).await?;
        let Some(found) = list
            .data
            .into_iter()
            .find(|p| p.key.as_deref() == Some(reference.as_str()))
        else {
            return Ok(None);
        };
        self.neutral_payment(found, options).await.map(Some)
    }
}

#[async_trait]
impl pay_core::Capture for EasypayClient {
    /// `POST /capture/{id}` on the payment's authorisation (the payment id), for the
    /// requested amount or what is left.
    async fn capture(
        &self,
        request: &CaptureRequest,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let payment = pay_core::Payments::get_payment(self, &request.payment_id, options).await?;
        let value = match request.amount() {
            Some(amount) => amount,
            None => payment
                .amount
                .checked_sub(payment.captured.unwrap_or(
                    Money::zero(Currency::EUR).map_err(|e| invalid(op("capture_create"), e))?,
                ))
                .map_err(|e| invalid(op("capture_create"), e))?,
        };
        let text = request
            .descriptive
            .clone()
            .unwrap_or_else(|| "Capture".to_owned());
        let body = wire::CaptureRequest::new(descriptive(&text), amount(value, "capture_create")?);
        let target = payment.authorisation_id.as_ref().map_or_else(
            || request.payment_id.as_str().to_owned(),
            |a| a.as_str().to_owned(),
        );
        let target = PaymentId::new(target).map_err(|e| invalid(op("capture_create"), e))?;
        self.captures().create(&target, &body, options).await?;
        pay_core::Payments::get_payment(self, &request.payment_id, options).await
    }
}

#[async_trait]
impl pay_core::Void for EasypayClient {
    /// `POST /void/{id}` on [`Payment::authorisation_id`]. Easypay reports the payment
    /// `voided` afterwards ([`PaymentStatus::Canceled`]).
    async fn void(
        &self,
        request: &VoidRequest,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let payment = pay_core::Payments::get_payment(self, &request.payment_id, options).await?;
        let Some(auth) = payment.authorisation_id.as_ref() else {
            return Err(PayError::new(ErrorKind::Conflict)
                .with_provider(PROVIDER)
                .with_operation("void_create")
                .with_provider_message("the payment has no authorisation to void"));
        };
        let auth =
            AuthorisationId::new(auth.as_str()).map_err(|e| invalid(op("void_create"), e))?;
        let text = request
            .descriptive
            .clone()
            .unwrap_or_else(|| "Void".to_owned());
        self.voids()
            .create(&auth, &wire::VoidRequest::new(descriptive(&text)), options)
            .await?;
        pay_core::Payments::get_payment(self, &request.payment_id, options).await
    }
}

#[async_trait]
impl pay_core::Refunds for EasypayClient {
    /// `POST /refund/{capture}` on the capture the request names or
    /// [`Payment::refundable_capture`]. Multibanco refunds need
    /// [`RefundRequest::bank_account`] (Easypay pays them by transfer).
    async fn refund(
        &self,
        request: &RefundRequest,
        options: &CallOptions,
    ) -> Result<Refund, PayError> {
        let operation = op("refund_create");
        let payment = pay_core::Payments::get_payment(self, &request.payment_id, options).await?;
        // The capture to refund and what is left on it: the one the request names, else
        // the only capture with money left (a full refund of a payment captured in
        // several parts must name the capture: each is refunded on its own).
        let (capture, left) = match &request.capture_id {
            Some(id) => payment
                .captures
                .iter()
                .find(|c| c.id.as_ref() == Some(id))
                .map(|c| (c.clone(), payment.remaining_on(c)))
                .ok_or_else(|| {
                    invalid(
                        operation,
                        ValidationError::new("capture_id", Rule::Required),
                    )
                })?,
            None => {
                let open = payment.refundable_captures();
                let chosen = match request.amount() {
                    None if open.len() > 1 => {
                        return Err(invalid(
                            operation,
                            ValidationError::new(
                                "capture_id",
                                Rule::Other(
                                    "is required to refund in full a payment captured in several parts: refund each capture".into(),
                                ),
                            ),
                        ));
                    }
                    None => open.last(),
                    // The latest capture with enough left for the amount.
                    Some(wanted) => open.iter().rev().find(|(_, left)| *left >= wanted),
                };
                chosen
                    .map(|(c, left)| ((*c).clone(), *left))
                    .ok_or_else(|| {
                        PayError::new(ErrorKind::Conflict)
                            .with_provider(PROVIDER)
                            .with_operation(operation.id)
                            .with_provider_message(
                                "the payment has no capture with enough left to refund",
                            )
                    })?
            }
        };
        let capture_id = capture.id.clone().ok_or_else(|| {
            invalid(
                operation,
                ValidationError::new("capture_id", Rule::Required),
            )
        })?;
        // A full refund refunds what remains of the capture, not its whole amount.
        let value = request.amount().unwrap_or(left);
        let mut body = wire::RefundRequest::new(amount(value, "refund_create")?);
        if let Some(account) = &request.bank_account {
            body.iban = Some(account.iban.expose_electronic().to_owned());
            body.account_holder = Some(account.holder.clone());
            body.email = account.email.as_ref().map(|e| e.as_str().to_owned());
            body.phone = account.phone.as_ref().map(|p| p.number().to_owned());
        } else if payment.method == Some(PaymentMethodKind::Multibanco) {
            return Err(invalid(
                operation,
                ValidationError::new("bank_account", Rule::Required),
            ));
        }
        let capture = CaptureId::new(capture_id.as_str()).map_err(|e| invalid(operation, e))?;
        let ack = self.refunds().create(&capture, &body, options).await?;
        let id = ack
            .id
            .ok_or_else(|| decode_failure("id", ValidationError::new("id", Rule::Required)))?;
        let refund = pay_core::Refunds::get_refund(
            self,
            &ProviderRefundId::new(id).map_err(|e| decode_failure("id", e))?,
            options,
        )
        .await?;
        Ok(refund)
    }

    /// `GET /refund/{id}`; the payment it belongs to comes from the refund's
    /// `payment_id` (INFERRED: not in our description), else from its capture.
    async fn get_refund(
        &self,
        id: &ProviderRefundId,
        options: &CallOptions,
    ) -> Result<Refund, PayError> {
        let refund: LinkedRefund = self
            .get_one("refund_get", &[("id", id.as_str())], options)
            .await
            .map(crate::answered::Answered::into_value)?;
        let payment = match (&refund.payment_id, &refund.capture_id) {
            (Some(payment), _) => payment.clone(),
            (None, Some(capture)) => {
                let capture = CaptureId::new(capture.as_str())
                    .map_err(|e| decode_failure("capture_id", e))?;
                self.captures()
                    .get(&capture, options)
                    .await?
                    .payment_id
                    .ok_or_else(|| {
                        decode_failure(
                            "payment_id",
                            ValidationError::new("payment_id", Rule::Required),
                        )
                    })?
            }
            (None, None) => {
                return Err(decode_failure(
                    "payment_id",
                    ValidationError::new("payment_id", Rule::Required),
                ));
            }
        };
        let value = money(refund.value.as_ref(), "value")?;
        let mut neutral = Refund::new(
            Some(id.clone()),
            ProviderPaymentId::new(payment).map_err(|e| decode_failure("payment_id", e))?,
            value,
            refund
                .status
                .as_ref()
                .map_or(RefundStatus::Pending, status::refund_status),
            refund
                .status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        );
        if let Some(capture) = refund
            .capture_id
            .and_then(|c| ProviderCaptureId::new(c).ok())
        {
            neutral = neutral.with_capture_id(capture);
        }
        Ok(neutral)
    }
}

/// A neutral payout from an out-payment.
fn to_payout(out: &wire::OutPayment) -> Result<pay_core::Payout, PayError> {
    let id = pay_core::PayoutId::new(out.id.clone().unwrap_or_default())
        .map_err(|e| decode_failure("id", e))?;
    let raw = out
        .status
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let status = out
        .status
        .as_ref()
        .map_or(pay_core::PayoutStatus::Pending, status::payout_status);
    let mut payout = pay_core::Payout::new(id, status, raw, money(out.value.as_ref(), "value")?);
    payout.reference = out
        .key
        .as_deref()
        .and_then(|k| MerchantReference::new(k).ok());
    Ok(payout)
}

#[async_trait]
impl pay_core::Payouts for EasypayClient {
    /// `POST /out_payment`, signed; Easypay needs the beneficiary's e-mail and phone.
    /// A `schedule_at` is not sent (INFERRED format): schedule with the typed method.
    async fn create_payout(
        &self,
        request: &pay_core::CreatePayout,
        options: &CallOptions,
    ) -> Result<pay_core::Payout, PayError> {
        let operation = op("out_payment_create");
        let need =
            |field: &'static str| invalid(operation, ValidationError::new(field, Rule::Required));
        let email = request
            .beneficiary_email
            .as_ref()
            .ok_or_else(|| need("beneficiary_email"))?;
        let phone = request
            .beneficiary_phone
            .as_ref()
            .ok_or_else(|| need("beneficiary_phone"))?;
        let account = wire::OutAccountInput::new(
            request.beneficiary_name().to_owned(),
            request.iban.expose_electronic().to_owned(),
            email.as_str().to_owned(),
            phone.number().to_owned(),
        );
        let customer = wire::CustomerInput {
            name: Some(request.beneficiary_name().to_owned()),
            ..Default::default()
        };
        let method = match request.method {
            pay_core::PayoutMethod::Multibanco => wire::OutPaymentMethod::Mb,
            _ => wire::OutPaymentMethod::Transfer,
        };
        if request.amount().currency().code() != "EUR" {
            return Err(invalid(
                operation,
                ValidationError::new(
                    "amount.currency",
                    Rule::OneOf {
                        allowed: OUT_PAYMENT_CURRENCIES,
                    },
                ),
            ));
        }
        let mut body = wire::OutPaymentCreateRequest::new(
            customer,
            amount(request.amount(), "out_payment_create")?,
            account,
            method,
            "0".to_owned(),
        );
        body.key = Some(request.reference().as_str().to_owned());
        body.descriptive = request.description.as_deref().map(descriptive);
        let created = self.out_payments().create(&body, options).await?;
        let id = created
            .id
            .ok_or_else(|| decode_failure("id", ValidationError::new("id", Rule::Required)))?;
        pay_core::Payouts::get_payout(
            self,
            &pay_core::PayoutId::new(id).map_err(|e| decode_failure("id", e))?,
            options,
        )
        .await
    }

    async fn get_payout(
        &self,
        id: &pay_core::PayoutId,
        options: &CallOptions,
    ) -> Result<pay_core::Payout, PayError> {
        let id = crate::ids::OutPaymentId::new(id.as_str())
            .map_err(|e| invalid(op("out_payment_get"), e))?;
        to_payout(&self.out_payments().get(&id, options).await?)
    }

    /// `DELETE /out_payment/{id}`, then reads it back (`deleted`: canceled).
    async fn cancel_payout(
        &self,
        id: &pay_core::PayoutId,
        options: &CallOptions,
    ) -> Result<pay_core::Payout, PayError> {
        let out_id = crate::ids::OutPaymentId::new(id.as_str())
            .map_err(|e| invalid(op("out_payment_delete"), e))?;
        self.out_payments().delete(&out_id, options).await?;
        pay_core::Payouts::get_payout(self, id, options).await
    }
}

/// A chargeback as the fake and (INFERRED) Easypay list it: our description lists no
/// chargeback fields; `capture_id` and `payment_id` link it to what was charged back.
#[derive(Debug, Deserialize)]
struct ChargebackItem {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    value: Option<JsonNumber>,
    #[serde(default)]
    payment_id: Option<String>,
    #[serde(default)]
    capture_id: Option<String>,
}

impl ChargebackItem {
    fn read(raw: &wire::Chargeback) -> Result<Self, PayError> {
        serde_json::from_str(raw.get()).map_err(|e| {
            PayError::new(ErrorKind::Decode {
                location: "data".to_owned(),
            })
            .with_provider(PROVIDER)
            .with_source(e)
        })
    }

    /// Whether this chargeback charges back the payment or capture `id`.
    fn charges_back(&self, id: &str) -> bool {
        [&self.payment_id, &self.capture_id]
            .into_iter()
            .any(|field| field.as_deref() == Some(id))
    }
}

fn to_dispute(item: ChargebackItem) -> Result<pay_core::Dispute, PayError> {
    let id = pay_core::DisputeId::new(item.id.clone().unwrap_or_default())
        .map_err(|e| decode_failure("id", e))?;
    let raw_status = item.status.clone().unwrap_or_default();
    // INFERRED: Easypay documents no chargeback statuses; `open` is the only one seen.
    let status = match raw_status.as_str() {
        "open" | "" => pay_core::DisputeStatus::Open,
        "won" => pay_core::DisputeStatus::Won,
        "lost" => pay_core::DisputeStatus::Lost,
        other => pay_core::DisputeStatus::Unknown(other.to_owned()),
    };
    let mut dispute = pay_core::Dispute::new(id, status, raw_status);
    dispute.payment_id = item.payment_id.and_then(|p| ProviderPaymentId::new(p).ok());
    dispute.reason = item.reason;
    dispute.amount = item
        .value
        .as_ref()
        .and_then(|v| v.to_money(Currency::EUR).ok());
    Ok(dispute)
}

impl EasypayClient {
    /// The last listed chargeback that `wanted` picks, from the chargeback list read to
    /// its end (Easypay has no `GET /chargeback/{id}` and no filter by payment).
    async fn last_chargeback(
        &self,
        wanted: impl Fn(&ChargebackItem) -> bool,
        options: &CallOptions,
    ) -> Result<pay_core::Dispute, PayError> {
        let mut query = wire::ChargebackListQuery {
            limit: Some(100),
            ..Default::default()
        };
        let mut found = None;
        loop {
            let page = self.chargebacks().list(&query, options).await?;
            for raw in &page.data {
                let item = ChargebackItem::read(raw)?;
                if wanted(&item) {
                    found = Some(item);
                }
            }
            match page.data.last().and_then(crate::pagination::item_cursor) {
                Some(last) if query.cursor.as_deref() != Some(last.as_str()) => {
                    query.cursor = Some(last);
                }
                _ => break,
            }
        }
        match found {
            Some(item) => to_dispute(item),
            None => Err(PayError::new(ErrorKind::NotFound)
                .with_provider(PROVIDER)
                .with_operation("chargeback_list")),
        }
    }

    /// The latest chargeback of the payment or capture `id` (what a `chargeback`
    /// notification names: the single payment, or the capture of a frequent payment).
    pub(crate) async fn chargeback_of(
        &self,
        id: &str,
        options: &CallOptions,
    ) -> Result<pay_core::Dispute, PayError> {
        self.last_chargeback(|c| c.charges_back(id), options).await
    }
}

#[async_trait]
impl pay_core::Disputes for EasypayClient {
    /// One page of `GET /chargeback` (cursor-based).
    async fn list_disputes(
        &self,
        filter: &pay_core::DisputeFilter,
        options: &CallOptions,
    ) -> Result<pay_core::DisputePage, PayError> {
        let query = wire::ChargebackListQuery {
            cursor: filter.cursor.clone(),
            limit: filter.limit.map(i64::from),
        };
        let page = self.chargebacks().list(&query, options).await?;
        let disputes = page
            .data
            .iter()
            .map(|raw| ChargebackItem::read(raw).and_then(to_dispute))
            .collect::<Result<Vec<_>, _>>()?;
        let full = filter
            .limit
            .is_some_and(|l| usize::try_from(l).is_ok_and(|l| disputes.len() >= l));
        let next = if full {
            disputes.last().map(|d| d.id.as_str().to_owned())
        } else {
            None
        };
        Ok(pay_core::DisputePage::new(disputes, next))
    }

    /// Easypay has no `GET /chargeback/{id}`: the chargeback is found by listing.
    async fn get_dispute(
        &self,
        id: &pay_core::DisputeId,
        options: &CallOptions,
    ) -> Result<pay_core::Dispute, PayError> {
        self.last_chargeback(|c| c.id.as_deref() == Some(id.as_str()), options)
            .await
    }
}

/// `YYYY-MM-DD HH:MM` (UTC) for a time, as Easypay's `start_time` takes it.
fn minute_text(at: std::time::SystemTime) -> String {
    let secs = pay_core::unix_seconds(at);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

pub(crate) fn to_subscription(
    sub: &wire::Subscription,
) -> Result<pay_core::Subscription, PayError> {
    let id = pay_core::SubscriptionId::new(sub.id.clone().unwrap_or_default())
        .map_err(|e| decode_failure("id", e))?;
    let method_status = sub.method.as_ref().and_then(|m| m.status.as_ref());
    let raw = method_status
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let status = method_status.map_or(
        pay_core::SubscriptionStatus::Pending,
        status::subscription_status,
    );
    let mut out = pay_core::Subscription::new(id, status, raw, money(sub.value.as_ref(), "value")?);
    out.reference = sub
        .key
        .as_deref()
        .and_then(|k| MerchantReference::new(k).ok());
    out.interval = sub.frequency.as_ref().and_then(status::interval);
    Ok(out)
}

#[async_trait]
impl pay_core::Recurring for EasypayClient {
    /// `POST /subscription` (card `cc` through [`PaymentMethod::CardForm`], or SEPA
    /// direct debit): `FirstCharge::Now` is `capture_now`, occurrences `max_captures`,
    /// `starts_at` (default: an hour from now) the `start_time` in UTC.
    async fn create_subscription(
        &self,
        request: &pay_core::CreateSubscription,
        options: &CallOptions,
    ) -> Result<pay_core::Subscription, PayError> {
        let operation = op("subscription_create");
        let frequency = status::frequency(request.interval).ok_or_else(|| {
            invalid(
                operation,
                ValidationError::new(
                    "interval",
                    Rule::Format {
                        expected: "an interval Easypay offers",
                    },
                ),
            )
        })?;
        let method = match &request.method {
            PaymentMethod::CardForm => wire::SubscriptionMethod::Cc,
            PaymentMethod::SepaDirectDebit { .. } => wire::SubscriptionMethod::Dd,
            _ => {
                return Err(invalid(
                    operation,
                    ValidationError::new(
                        "method",
                        Rule::Format {
                            expected: "card form or SEPA direct debit",
                        },
                    ),
                ));
            }
        };
        let start = request
            .starts_at
            .unwrap_or_else(|| self.inner.clock.now() + std::time::Duration::from_secs(3600));
        let mut body = wire::SubscriptionCreateRequest::new(
            amount(request.amount(), "subscription_create")?,
            frequency,
            minute_text(start),
            method,
        );
        body.key = Some(request.reference().as_str().to_owned());
        body.currency = Some(currency(request.amount(), "subscription_create")?);
        body.max_captures = request.occurrences().map(i64::from);
        match request.first_charge() {
            pay_core::FirstCharge::Now => body.capture_now = Some(true),
            pay_core::FirstCharge::NowWithAmount(_) => {
                return Err(invalid(
                    operation,
                    ValidationError::new(
                        "first_charge",
                        Rule::Format {
                            expected: "at start or now (Easypay charges the same amount)",
                        },
                    ),
                ));
            }
            _ => {}
        }
        let text = request
            .description
            .clone()
            .unwrap_or_else(|| request.reference().as_str().to_owned());
        body.capture = Some(wire::SubscriptionCaptureInput {
            descriptive: Some(descriptive(&text)),
            ..Default::default()
        });
        // Reuse the single-payment mapping for the customer and the mandate.
        let mut probe = pay_core::CreatePayment::new(
            request.amount(),
            request.reference().clone(),
            request.method.clone(),
        )
        .map_err(|e| invalid(operation, e))?;
        probe.customer = request.customer.clone();
        let single = single_request(&probe)?;
        body.customer = single.customer;
        body.sdd_mandate = single.sdd_mandate;
        let created = self.subscriptions().create(&body, options).await?;
        let id = created
            .id
            .ok_or_else(|| decode_failure("id", ValidationError::new("id", Rule::Required)))?;
        pay_core::Recurring::get_subscription(
            self,
            &pay_core::SubscriptionId::new(id).map_err(|e| decode_failure("id", e))?,
            options,
        )
        .await
    }

    /// Easypay documents no instalment plans.
    async fn create_instalments(
        &self,
        _request: &pay_core::CreateInstalments,
        _options: &CallOptions,
    ) -> Result<pay_core::Subscription, PayError> {
        Err(PayError::new(ErrorKind::NotSupported {
            capability: Capability::Instalments,
        })
        .with_provider(PROVIDER))
    }

    async fn get_subscription(
        &self,
        id: &pay_core::SubscriptionId,
        options: &CallOptions,
    ) -> Result<pay_core::Subscription, PayError> {
        let id = crate::ids::SubscriptionId::new(id.as_str())
            .map_err(|e| invalid(op("subscription_get"), e))?;
        to_subscription(&self.subscriptions().get(&id, options).await?)
    }

    /// `DELETE /subscription/{id}`, then reads it back.
    async fn cancel_subscription(
        &self,
        id: &pay_core::SubscriptionId,
        options: &CallOptions,
    ) -> Result<pay_core::Subscription, PayError> {
        let sub = crate::ids::SubscriptionId::new(id.as_str())
            .map_err(|e| invalid(op("subscription_delete"), e))?;
        self.subscriptions().delete(&sub, options).await?;
        pay_core::Recurring::get_subscription(self, id, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_utc_civil_time() {
        assert_eq!(
            minute_text(pay_core::from_unix_seconds(1_700_000_000)),
            "2023-11-14 22:13"
        );
        assert_eq!(
            minute_text(pay_core::from_unix_seconds(951_782_400)),
            "2000-02-29 00:00"
        );
    }
}
