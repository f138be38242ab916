//! pay-core's neutral traits on [`EasytransacClient`]: payments (direct card with 3-D
//! Secure, saved card, payment page, SEPA debit, open banking), checkouts (pages),
//! capture, void, refunds, V2 mandates and recurring payments.
//!
//! Statuses come only through [`crate::status`]. Declines are data: a refused direct
//! payment has a `Tid` and comes back as `Ok(Payment { status: Failed })`.

use async_trait::async_trait;
use pay_core::wire::MinorUnits;
use pay_core::{
    CallOptions, CaptureMode, CaptureRequest, CheckoutId, CreateInstalments, CreateMandate,
    CreatePayment, CreateSubscription, Customer, ErrorKind, Failure, FirstCharge, Mandate,
    MandateDebit, MandateId, MerchantReference, Money, NextAction, PayError, Payment,
    PaymentMethod, PaymentMethodKind, PaymentStatus, ProviderCustomerId, ProviderPaymentId,
    ProviderRefundId, RedirectPurpose, Refund, RefundRequest, RefundStatus, Rule, SavedCard,
    Subscription, SubscriptionId, SubscriptionStatus, Url, ValidationError, VoidRequest,
};
use serde::Deserialize;

use crate::client::EasytransacClient;
use crate::wire::{self, YesNo};
use crate::{Reconciled, status};

fn invalid(field: &'static str, rule: Rule) -> PayError {
    PayError::new(ErrorKind::InvalidRequest(ValidationError::new(field, rule)))
}

fn other(field: &'static str, text: &'static str) -> PayError {
    invalid(field, Rule::Other(text.into()))
}

fn redirect(url: &str, purpose: RedirectPurpose) -> NextAction {
    match Url::parse(url) {
        Ok(url) => NextAction::Redirect { url, purpose },
        Err(_) => NextAction::None,
    }
}

/// Customer fields common to V1 payment requests.
struct CustomerFields {
    ip: Option<String>,
    email: Option<String>,
    first: Option<String>,
    last: Option<String>,
    uid: Option<String>,
}

fn customer_fields(customer: Option<&Customer>) -> CustomerFields {
    CustomerFields {
        ip: customer.and_then(|c| c.ip_address).map(|ip| ip.to_string()),
        email: customer
            .and_then(|c| c.email.as_ref())
            .map(|e| e.as_str().to_owned()),
        first: customer.and_then(|c| c.first_name.clone()),
        last: customer.and_then(|c| c.last_name.clone()),
        uid: customer
            .and_then(|c| c.reference.as_ref())
            .map(|r| r.as_str().to_owned()),
    }
}

fn require_ip(fields: &CustomerFields) -> Result<String, PayError> {
    fields
        .ip
        .clone()
        .ok_or_else(|| invalid("customer.ip_address", Rule::Required))
}

/// A V1 status answer for a page by `RequestId`: no `Tid` until the page is paid.
#[derive(Deserialize)]
struct PageStatus {
    #[serde(rename = "RequestId", default)]
    request_id: Option<String>,
    #[serde(rename = "Tid", default)]
    tid: Option<String>,
    #[serde(rename = "OrderId", default)]
    order_id: Option<String>,
    #[serde(rename = "Status")]
    status: wire::TransactionStatus,
    #[serde(rename = "Amount", default)]
    amount: Option<pay_core::wire::DecimalString>,
    #[serde(rename = "AmountRefund", default)]
    amount_refund: Option<pay_core::wire::DecimalString>,
}

/// ISO 3166 alpha-2 → alpha-3 for the SEPA countries and territories: V1 `sdd/init`
/// wants `Country` as three letters, pay-core's `CountryCode` has two.
const SEPA_ALPHA3: &[(&str, &str)] = &[
    ("AD", "AND"),
    ("AT", "AUT"),
    ("AX", "ALA"),
    ("BE", "BEL"),
    ("BG", "BGR"),
    ("BL", "BLM"),
    ("CH", "CHE"),
    ("CY", "CYP"),
    ("CZ", "CZE"),
    ("DE", "DEU"),
    ("DK", "DNK"),
    ("EE", "EST"),
    ("ES", "ESP"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("GB", "GBR"),
    ("GF", "GUF"),
    ("GG", "GGY"),
    ("GI", "GIB"),
    ("GP", "GLP"),
    ("GR", "GRC"),
    ("HR", "HRV"),
    ("HU", "HUN"),
    ("IE", "IRL"),
    ("IM", "IMN"),
    ("IS", "ISL"),
    ("IT", "ITA"),
    ("JE", "JEY"),
    ("LI", "LIE"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("LV", "LVA"),
    ("MC", "MCO"),
    ("MD", "MDA"),
    ("ME", "MNE"),
    ("MF", "MAF"),
    ("MK", "MKD"),
    ("MQ", "MTQ"),
    ("MT", "MLT"),
    ("NL", "NLD"),
    ("NO", "NOR"),
    ("PL", "POL"),
    ("PM", "SPM"),
    ("PT", "PRT"),
    ("RE", "REU"),
    ("RO", "ROU"),
    ("RS", "SRB"),
    ("SE", "SWE"),
    ("SI", "SVN"),
    ("SK", "SVK"),
    ("SM", "SMR"),
    ("VA", "VAT"),
    ("YT", "MYT"),
];

/// The debtor's country as V1 `sdd/init` wants it (three letters).
fn sepa_country(country: Option<&pay_core::CountryCode>) -> Result<String, PayError> {
    let country = country.ok_or_else(|| invalid("customer.address.country", Rule::Required))?;
    SEPA_ALPHA3
        .iter()
        .find(|(two, _)| *two == country.as_str())
        .map(|(_, three)| (*three).to_owned())
        .ok_or_else(|| {
            invalid(
                "customer.address.country",
                Rule::Other("a country of the SEPA zone".into()),
            )
        })
}

/// The display details of a saved card from the answer's masked `CardNumber`
/// (`************0025`: the last four digits), `CardMonth`/`CardYear` and `CardType`.
/// Anything unreadable is left out rather than guessed.
fn card_details(mut card: SavedCard, done: &wire::DoneTransaction) -> SavedCard {
    if let Some(masked) = done.card_number.as_deref() {
        let digits = masked.trim();
        if let Some(last4) = digits.get(digits.len().saturating_sub(4)..) {
            card = card.with_last4(last4);
        }
    }
    let month = done
        .card_month
        .as_deref()
        .and_then(|m| m.trim().parse().ok());
    let year = done
        .card_year
        .as_deref()
        .and_then(|y| y.trim().parse().ok());
    if let (Some(month), Some(year)) = (month, year)
        && let Ok(expiry) = pay_core::CardExpiry::new(month, year)
    {
        card = card.with_expiry(expiry);
    }
    if let Some(brand) = done.card_type.as_deref().filter(|b| !b.trim().is_empty()) {
        card = card.with_brand(brand.trim());
    }
    card
}

impl EasytransacClient {
    fn money(&self, amount: Money, field: &'static str) -> Result<MinorUnits, PayError> {
        if amount.currency() != self.inner.currency {
            return Err(invalid(
                field,
                Rule::CurrencyMismatch {
                    left: amount.currency().code(),
                    right: self.inner.currency.code(),
                },
            ));
        }
        Ok(MinorUnits::from_money(amount))
    }

    fn read_money(&self, text: Option<&pay_core::wire::DecimalString>) -> Option<Money> {
        text.and_then(|t| t.to_money(self.inner.currency).ok())
    }

    /// A V1 transaction as a neutral payment: statuses through [`crate::status`] (a
    /// partial refund from the amounts), the customer step as a next action (3-D Secure,
    /// mandate signature, bank), a decline's reason as the failure. `fallback` is the
    /// amount to report when the answer carries none.
    ///
    /// # Errors
    /// `Decode` when neither the answer nor `fallback` gives the amount; `InvalidRequest`
    /// for an id Easytransac sent empty.
    pub fn payment_of(
        &self,
        done: &wire::DoneTransaction,
        fallback: Option<Money>,
    ) -> Result<Payment, PayError> {
        let amount = self
            .read_money(done.amount.as_ref())
            .or(fallback)
            .ok_or_else(|| {
                PayError::new(ErrorKind::Decode {
                    location: "Result.Amount".to_owned(),
                })
            })?;
        let refunded = self
            .read_money(done.amount_refund.as_ref())
            .filter(Money::is_positive);
        let mut state = status::payment_status(&done.status);
        if let Some(refunded) = refunded
            && matches!(state, PaymentStatus::Captured | PaymentStatus::Refunded)
        {
            state = status::refunded_status(amount, refunded);
        }
        let mut payment = Payment::new(
            read("Result.Tid", ProviderPaymentId::new(done.tid.clone()))?,
            amount,
            state,
            done.status.as_str(),
        );
        if let Some(order) = done.order_id.as_ref().filter(|o| !o.is_empty()) {
            payment = payment.with_reference(read(
                "Result.OrderId",
                MerchantReference::new(order.clone()),
            )?);
        }
        if let Some(request_id) = done.request_id.as_ref().filter(|r| !r.is_empty()) {
            payment = payment.with_checkout_id(read(
                "Result.RequestId",
                CheckoutId::new(request_id.clone()),
            )?);
        }
        if let Some(refunded) = refunded {
            payment = payment.with_refunded(refunded);
        }
        if matches!(done.status, wire::TransactionStatus::Captured) {
            payment = payment.with_captured(amount);
        }
        if done.status == wire::TransactionStatus::Pending {
            if let Some(url) = done
                .three_d_secure_url
                .as_deref()
                .filter(|_| done.three_d_secure.is_some_and(YesNo::as_bool))
            {
                payment = payment.with_next_action(redirect(url, RedirectPurpose::ThreeDSecure));
            } else if let Some(url) = done.mandate_url.as_deref() {
                payment =
                    payment.with_next_action(redirect(url, RedirectPurpose::MandateSignature));
            } else if let Some(url) = done.redirect_url.as_deref() {
                payment =
                    payment.with_next_action(redirect(url, RedirectPurpose::BankAuthorisation));
            }
        }
        if let Some(error) = &done.error {
            payment = payment.with_failure(Failure::new(None, Some(error.clone())));
        }
        let customer = done
            .client
            .as_ref()
            .and_then(|c| c.id.clone())
            .and_then(|id| ProviderCustomerId::new(id).ok());
        if let Some(customer) = &customer {
            payment = payment.with_customer_id(customer.clone());
        }
        if let Some(alias) = &done.alias
            && let Ok(token) = pay_core::CardToken::new(alias.clone())
        {
            let mut card = SavedCard::new(token);
            if let Some(customer) = customer {
                card = card.with_customer(customer);
            }
            payment = payment.with_saved_card(card_details(card, done));
        }
        Ok(payment)
    }

    fn page_payment(
        &self,
        page: &PageStatus,
        fallback: Option<Money>,
    ) -> Result<Payment, PayError> {
        if let Some(tid) = page.tid.as_ref().filter(|t| !t.is_empty()) {
            let mut done = wire::DoneTransaction::new(tid.clone(), page.status.clone());
            done.amount = page.amount.clone();
            done.amount_refund = page.amount_refund.clone();
            done.order_id = page.order_id.clone();
            done.request_id = page.request_id.clone();
            return self.payment_of(&done, fallback);
        }
        let amount = self
            .read_money(page.amount.as_ref())
            .or(fallback)
            .ok_or_else(|| {
                PayError::new(ErrorKind::Decode {
                    location: "Result.Amount".to_owned(),
                })
            })?;
        let request_id = page.request_id.clone().ok_or_else(|| {
            PayError::new(ErrorKind::Decode {
                location: "Result.RequestId".to_owned(),
            })
        })?;
        let mut payment = Payment::awaiting_checkout(
            read("Result.RequestId", CheckoutId::new(request_id))?,
            amount,
            status::payment_status(&page.status),
            page.status.as_str(),
        );
        if let Some(order) = page.order_id.as_ref().filter(|o| !o.is_empty()) {
            payment = payment.with_reference(read(
                "Result.OrderId",
                MerchantReference::new(order.clone()),
            )?);
        }
        Ok(payment)
    }

    async fn status_by_tid(
        &self,
        tid: &str,
        options: &CallOptions,
    ) -> Result<wire::DoneTransaction, PayError> {
        self.payments()
            .status(
                &wire::V1StatusRequest {
                    tid: Some(tid.to_owned()),
                    ..Default::default()
                },
                options,
            )
            .await
    }

    async fn create_page(
        &self,
        request: &CreatePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let fields = customer_fields(request.customer.as_ref());
        let mut page = wire::V1PaymentPageRequest::new(
            self.money(request.amount(), "amount")?,
            require_ip(&fields)?,
        );
        page.order_id = Some(request.reference().as_str().to_owned());
        page.email = fields.email;
        page.firstname = fields.first;
        page.lastname = fields.last;
        page.uid = fields.uid;
        page.description = request.description.clone();
        page.return_url = request.return_url.as_ref().map(|u| u.as_str().to_owned());
        page.cancel_url = request.cancel_url.as_ref().map(|u| u.as_str().to_owned());
        if request.capture == CaptureMode::Manual {
            page.pre_auth = Some(true.into());
        }
        if request.saves_card() {
            page.save_card = Some(true.into());
        }
        let created = self.pages().create(&page, options).await?;
        let request_id = created.request_id.clone().ok_or_else(|| {
            PayError::new(ErrorKind::Decode {
                location: "Result.RequestId".to_owned(),
            })
        })?;
        let mut payment = Payment::awaiting_checkout(
            read("Result.RequestId", CheckoutId::new(request_id))?,
            request.amount(),
            created
                .status
                .as_ref()
                .map_or(PaymentStatus::Pending, status::payment_status),
            created.status.as_ref().map_or("pending", |s| s.as_str()),
        )
        .with_reference(request.reference().clone())
        .with_method(PaymentMethodKind::Card);
        if let Some(url) = created.page_url.as_deref() {
            payment = payment.with_next_action(redirect(url, RedirectPurpose::PaymentPage));
        }
        Ok(payment)
    }
}

#[async_trait]
impl pay_core::Payments for EasytransacClient {
    async fn create_payment(
        &self,
        request: &CreatePayment,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let amount = self.money(request.amount(), "amount")?;
        let order = request.reference().as_str().to_owned();
        let fields = customer_fields(request.customer.as_ref());
        let pre_auth = (request.capture == CaptureMode::Manual).then(|| YesNo::from(true));
        let done = match &request.method {
            PaymentMethod::HostedPage | PaymentMethod::CardForm => {
                return self.create_page(request, options).await;
            }
            PaymentMethod::Card(card) => {
                let mut r = wire::V1DirectPaymentRequest::new(
                    amount,
                    card.number.expose_secret().to_owned(),
                    card.expiry.month_2(),
                    card.expiry.year().to_string(),
                    card.cvv.expose_secret().to_owned(),
                    require_ip(&fields)?,
                );
                r.order_id = Some(order);
                r.card_owner = card.holder.clone();
                r.email = fields.email;
                r.firstname = fields.first;
                r.lastname = fields.last;
                r.uid = fields.uid;
                r.description = request.description.clone();
                r.return_url = request.return_url.as_ref().map(|u| u.as_str().to_owned());
                r.cancel_url = request.cancel_url.as_ref().map(|u| u.as_str().to_owned());
                r.pre_auth = pre_auth;
                if request.saves_card() {
                    r.save_card = Some(true.into());
                }
                self.payments().direct(&r, options).await?
            }
            PaymentMethod::SavedCard(saved) => {
                let mut r = wire::V1OneClickPaymentRequest::new(
                    amount,
                    saved.token.expose_secret().to_owned(),
                );
                r.client_id = saved.customer.as_ref().map(|c| c.as_str().to_owned());
                r.order_id = Some(order);
                r.uid = fields.uid;
                r.description = request.description.clone();
                self.payments().oneclick(&r, options).await?
            }
            PaymentMethod::SepaDirectDebit {
                iban,
                account_holder,
                ..
            } => {
                let customer = request.customer.as_ref();
                let address = customer.and_then(|c| c.address.as_ref());
                let need = |v: Option<String>, field: &'static str| {
                    v.filter(|s| !s.is_empty())
                        .ok_or_else(|| invalid(field, Rule::Required))
                };
                let mut r = wire::V1SddInitRequest::new(
                    amount,
                    need(fields.uid.clone(), "customer.reference")?,
                    need(fields.email.clone(), "customer.email")?,
                    need(
                        fields.last.clone().or_else(|| Some(account_holder.clone())),
                        "customer.last_name",
                    )?,
                    iban.expose_electronic().to_owned(),
                    require_ip(&fields)?,
                    need(
                        address.and_then(|a| a.line1.clone()),
                        "customer.address.line1",
                    )?,
                    need(
                        address.and_then(|a| a.postal_code.clone()),
                        "customer.address.postal_code",
                    )?,
                    need(
                        address.and_then(|a| a.city.clone()),
                        "customer.address.city",
                    )?,
                    sepa_country(address.and_then(|a| a.country.as_ref()))?,
                );
                r.order_id = Some(order);
                r.firstname = fields.first;
                r.description = request.description.clone();
                self.payments().sdd_init(&r, options).await?
            }
            PaymentMethod::OpenBanking => {
                let mut r = wire::V1PayByBankRequest::new(amount);
                r.order_id = Some(order);
                r.client_ip = fields.ip;
                r.email = fields.email;
                r.firstname = fields.first;
                r.lastname = fields.last;
                r.uid = fields.uid;
                r.description = request.description.clone();
                r.return_url = request.return_url.as_ref().map(|u| u.as_str().to_owned());
                self.payments().bybank(&r, options).await?
            }
            _ => return Err(other("method", "not offered by Easytransac")),
        };
        self.payment_of(&done, Some(request.amount()))
    }

    async fn get_payment(
        &self,
        id: &ProviderPaymentId,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let done = self.status_by_tid(id.as_str(), options).await?;
        self.payment_of(&done, None)
    }

    async fn find_by_reference(
        &self,
        reference: &MerchantReference,
        options: &CallOptions,
    ) -> Result<Option<Payment>, PayError> {
        match self.reconcile(reference, options).await? {
            Reconciled::Found(done) => self.payment_of(&done, None).map(Some),
            Reconciled::NotFound => Ok(None),
        }
    }
}

#[async_trait]
impl pay_core::Checkouts for EasytransacClient {
    async fn get_checkout(
        &self,
        id: &CheckoutId,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let request = wire::V1StatusRequest {
            request_id: Some(id.as_str().to_owned()),
            ..Default::default()
        };
        request.validate()?;
        let page: PageStatus = self
            .v1("v1_payment_status", &request, None, options)
            .await?;
        let mut payment = self.page_payment(&page, None)?;
        payment.checkout_id = Some(id.clone());
        Ok(payment)
    }

    async fn cancel_checkout(
        &self,
        id: &CheckoutId,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        self.pages()
            .cancel(
                &wire::V1PaymentPageRefRequest::new(id.as_str().to_owned()),
                options,
            )
            .await
            .map_err(|e| match e.kind() {
                ErrorKind::Rejected => PayError::new(ErrorKind::Conflict)
                    .with_provider(crate::PROVIDER)
                    .with_source(e),
                _ => e,
            })?;
        pay_core::Checkouts::get_checkout(self, id, options).await
    }
}

#[async_trait]
impl pay_core::Capture for EasytransacClient {
    async fn capture(
        &self,
        request: &CaptureRequest,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let mut r = wire::V1CaptureRequest::new(request.payment_id.as_str().to_owned());
        if let Some(amount) = request.amount() {
            r.amount = Some(self.money(amount, "amount")?);
        }
        let done = self.payments().capture(&r, options).await?;
        self.payment_of(&done, request.amount())
    }
}

#[async_trait]
impl pay_core::Void for EasytransacClient {
    /// Cancels the pre-authorisation, then reads it back. Easytransac documents no
    /// cancelled status: a voided pre-authorisation reads back `failed`, reported as
    /// [`PaymentStatus::Failed`] (see [`crate::status`]).
    async fn void(
        &self,
        request: &VoidRequest,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        self.payments()
            .cancel(
                &wire::V1CancelRequest::new(request.payment_id.as_str().to_owned()),
                options,
            )
            .await?;
        pay_core::Payments::get_payment(self, &request.payment_id, options).await
    }
}

#[async_trait]
impl pay_core::Refunds for EasytransacClient {
    /// Refunds all (no amount) or part of a payment. Refunds have no id of their own at
    /// Easytransac: the refund names the payment, and its amount is what this call
    /// refunded (for a full refund, what was left, read before sending).
    async fn refund(
        &self,
        request: &RefundRequest,
        options: &CallOptions,
    ) -> Result<Refund, PayError> {
        let tid = request.payment_id.as_str().to_owned();
        let amount = match request.amount() {
            Some(amount) => amount,
            None => {
                let before = self.status_by_tid(&tid, options).await?;
                let total = self.read_money(before.amount.as_ref()).ok_or_else(|| {
                    PayError::new(ErrorKind::Decode {
                        location: "Result.Amount".to_owned(),
                    })
                })?;
                let done = self
                    .read_money(before.amount_refund.as_ref())
                    .unwrap_or(Money::zero(total.currency())?);
                total.checked_sub(done)?
            }
        };
        let mut r = wire::V1RefundRequest::new(tid);
        if let Some(part) = request.amount() {
            r.amount = Some(self.money(part, "amount")?);
        }
        r.reason = request.reason.clone();
        let done = self.payments().refund(&r, options).await?;
        Ok(Refund::new(
            None,
            request.payment_id.clone(),
            amount,
            RefundStatus::Succeeded,
            done.status.as_str(),
        ))
    }

    async fn get_refund(
        &self,
        _id: &ProviderRefundId,
        _options: &CallOptions,
    ) -> Result<Refund, PayError> {
        Err(PayError::new(ErrorKind::NotSupported {
            capability: pay_core::Capability::Refund,
        })
        .with_provider(crate::PROVIDER)
        .with_provider_message("Easytransac refunds have no id of their own: read the payment"))
    }
}

#[async_trait]
impl pay_core::Mandates for EasytransacClient {
    /// V2 `POST /v2/sdd/mandate/create`, then its status: the only operation that
    /// creates a mandate without debiting it.
    ///
    /// **No signature redirect.** The documented V2 answer carries only `mandateId`;
    /// Easytransac documents no way for a V2 mandate's debtor to sign, so the mandate's
    /// `next_action` is `NextAction::None` and its status is whatever
    /// `/v2/sdd/mandate/{id}/status` says. When the customer must sign, do not start
    /// here: call `Payments::create_payment` with `PaymentMethod::SepaDirectDebit`,
    /// which this client sends as V1 `POST /api/payment/sdd/init`. Its first debit
    /// answers `MandateUrl`, the signing page, reported as
    /// `NextAction::Redirect { purpose: RedirectPurpose::MandateSignature }`; later
    /// debits of the same customer need no new signature.
    async fn create_mandate(
        &self,
        request: &CreateMandate,
        options: &CallOptions,
    ) -> Result<Mandate, PayError> {
        let customer = request.customer.as_ref();
        let r = wire::V2MandateCreateRequest {
            iban: Some(request.iban.expose_electronic().to_owned()),
            email: request
                .email
                .as_ref()
                .or(customer.and_then(|c| c.email.as_ref()))
                .map(|e| e.as_str().to_owned()),
            firstname: customer.and_then(|c| c.first_name.clone()),
            lastname: customer
                .and_then(|c| c.last_name.clone())
                .or_else(|| Some(request.account_holder.clone())),
            return_url: request.return_url.as_ref().map(|u| u.as_str().to_owned()),
            ..Default::default()
        };
        let answer = self.mandates().create(&r, options).await?;
        let id = answer.data.mandate_id.clone().ok_or_else(|| {
            PayError::new(ErrorKind::Decode {
                location: "data.mandateId".to_owned(),
            })
        })?;
        let mandate_id = read("data.mandateId", MandateId::new(id.clone()))?;
        // The mandate exists now: a status that cannot be read right after must not
        // turn its creation into an error (the caller would create another). It is
        // then `Unknown("")`; `get_mandate` reads it again.
        let raw = match self.mandates().status(&id, options).await {
            Ok(state) => state.data.status.clone().unwrap_or_default(),
            Err(_) => String::new(),
        };
        Ok(Mandate::new(mandate_id, status::mandate_status(&raw), raw)
            .with_reference(request.reference.clone()))
    }

    async fn get_mandate(
        &self,
        id: &MandateId,
        options: &CallOptions,
    ) -> Result<Mandate, PayError> {
        let state = self.mandates().status(id.as_str(), options).await?;
        let raw = state.data.status.clone().unwrap_or_default();
        Ok(Mandate::new(id.clone(), status::mandate_status(&raw), raw))
    }

    async fn debit_mandate(
        &self,
        request: &MandateDebit,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        let mut r = wire::V2MandateDebitRequest::new(self.money(request.amount(), "amount")?);
        r.order_id = Some(request.reference.as_str().to_owned());
        r.description = request.description.clone();
        let answer = self
            .mandates()
            .debit(request.mandate_id.as_str(), &r, options)
            .await?;
        let data = answer.data;
        let amount = read("data.amount", data.amount.to_money(self.inner.currency))?;
        Ok(Payment::new(
            read("data.tid", ProviderPaymentId::new(data.tid))?,
            amount,
            status::v2_payment_status(&data.status),
            data.status.as_str(),
        )
        .with_reference(request.reference.clone())
        .with_method(PaymentMethodKind::SepaDirectDebit))
    }
}

/// Instalment limits: 2–12 on V1 card payments (the V2 debit allows 2–10), the first
/// between 1.00 and 70 % of the total.
fn check_instalments(
    total: Money,
    count: u8,
    first: Option<Money>,
    max: u8,
) -> Result<(), PayError> {
    if !(2..=max).contains(&count) {
        return Err(invalid(
            "count",
            Rule::Range {
                min: 2,
                max: i64::from(max),
            },
        ));
    }
    if let Some(first) = first {
        let one = Money::from_minor(100, total.currency())?;
        if first < one {
            return Err(invalid(
                "first_instalment",
                Rule::Minimum {
                    min: one.format_major(),
                    inclusive: true,
                },
            ));
        }
        // 70 % of the total, exactly: first * 100 <= total * 70.
        let limit = total.checked_mul(70)?;
        if first.checked_mul(100)? > limit {
            return Err(invalid(
                "first_instalment",
                Rule::Other("at most 70 % of the total".into()),
            ));
        }
    }
    Ok(())
}

impl EasytransacClient {
    fn card_schedule(
        &self,
        method: &PaymentMethod,
        customer: Option<&Customer>,
        amount: MinorUnits,
        order: &MerchantReference,
    ) -> Result<wire::V1DirectPaymentRequest, PayError> {
        let PaymentMethod::Card(card) = method else {
            return Err(other(
                "method",
                "Easytransac schedules start with a card payment",
            ));
        };
        let fields = customer_fields(customer);
        let mut r = wire::V1DirectPaymentRequest::new(
            amount,
            card.number.expose_secret().to_owned(),
            card.expiry.month_2(),
            card.expiry.year().to_string(),
            card.cvv.expose_secret().to_owned(),
            require_ip(&fields)?,
        );
        r.order_id = Some(order.as_str().to_owned());
        r.email = fields.email;
        r.firstname = fields.first;
        r.lastname = fields.last;
        r.uid = fields.uid;
        Ok(r)
    }

    fn subscription_of(
        &self,
        done: &wire::DoneTransaction,
        amount: Money,
        reference: &MerchantReference,
    ) -> Result<Subscription, PayError> {
        let payment = self.payment_of(done, Some(amount))?;
        let state = match payment.status {
            PaymentStatus::Failed => SubscriptionStatus::Failed,
            PaymentStatus::Pending => SubscriptionStatus::Pending,
            _ => SubscriptionStatus::Active,
        };
        Ok(Subscription::new(
            read("Result.Tid", SubscriptionId::new(done.tid.clone()))?,
            state,
            done.status.as_str(),
            amount,
        )
        .with_latest_payment(read(
            "Result.Tid",
            ProviderPaymentId::new(done.tid.clone()),
        )?)
        .with_reference(reference.clone())
        .with_next_action(payment.next_action))
    }
}

#[async_trait]
impl pay_core::Recurring for EasytransacClient {
    /// A card payment with `Rebill=yes` and the interval as `Recurrence`; a
    /// [`FirstCharge::NowWithAmount`] is Easytransac's `DownPayment`. The subscription's
    /// id is the first payment's `Tid`. Easytransac has no end date or count for a rebill:
    /// `occurrences` is refused.
    async fn create_subscription(
        &self,
        request: &CreateSubscription,
        options: &CallOptions,
    ) -> Result<Subscription, PayError> {
        let recurrence = status::recurrence(request.interval).ok_or_else(|| {
            invalid(
                "interval",
                Rule::OneOf {
                    allowed: wire::Recurrence::VALUES,
                },
            )
        })?;
        if request.occurrences().is_some() {
            return Err(other(
                "occurrences",
                "Easytransac rebills have no end count",
            ));
        }
        let amount = self.money(request.amount(), "amount")?;
        let mut r = self.card_schedule(
            &request.method,
            request.customer.as_ref(),
            amount,
            request.reference(),
        )?;
        r.rebill = Some(true.into());
        r.recurrence = Some(recurrence);
        r.description = request.description.clone();
        r.return_url = request.return_url.as_ref().map(|u| u.as_str().to_owned());
        match request.first_charge() {
            FirstCharge::NowWithAmount(first) => {
                r.down_payment = Some(self.money(first, "first_charge")?)
            }
            FirstCharge::Now => {}
            _ => {
                return Err(other(
                    "first_charge",
                    "Easytransac charges the first period at once",
                ));
            }
        }
        let done = self.payments().direct(&r, options).await?;
        self.subscription_of(&done, request.amount(), request.reference())
            .map(|s| s.with_interval(request.interval))
    }

    /// A card payment with `MultiplePayments=yes`, `MultiplePaymentsRepeat` = the count
    /// (2–12) and the first instalment as `DownPayment` (1.00 to 70 % of the total).
    async fn create_instalments(
        &self,
        request: &CreateInstalments,
        options: &CallOptions,
    ) -> Result<Subscription, PayError> {
        check_instalments(
            request.total(),
            request.count(),
            request.first_instalment(),
            12,
        )?;
        let amount = self.money(request.total(), "total")?;
        let mut r = self.card_schedule(
            &request.method,
            request.customer.as_ref(),
            amount,
            request.reference(),
        )?;
        r.multiple_payments = Some(true.into());
        r.multiple_payments_repeat = Some(i64::from(request.count()));
        if let Some(first) = request.first_instalment() {
            r.down_payment = Some(self.money(first, "first_instalment")?);
        }
        r.return_url = request.return_url.as_ref().map(|u| u.as_str().to_owned());
        let done = self.payments().direct(&r, options).await?;
        self.subscription_of(&done, request.total(), request.reference())
    }

    /// `NotSupported`: no documented Easytransac API reads a schedule's state. Follow it
    /// through notifications (`OriginalPaymentTid`, `RebillStatus`/`MultiplePaymentsStatus`
    /// and the counts, as `EventKind::Subscription`), or read each charge's payment.
    async fn get_subscription(
        &self,
        _id: &SubscriptionId,
        _options: &CallOptions,
    ) -> Result<Subscription, PayError> {
        Err(PayError::new(ErrorKind::NotSupported {
            capability: pay_core::Capability::Subscriptions,
        })
        .with_provider(crate::PROVIDER)
        .with_provider_message("no Easytransac API reads a schedule's state; use notifications"))
    }

    /// `/api/payment/cancel` on the schedule's first `Tid` stops further charges.
    async fn cancel_subscription(
        &self,
        id: &SubscriptionId,
        options: &CallOptions,
    ) -> Result<Subscription, PayError> {
        self.payments()
            .cancel(&wire::V1CancelRequest::new(id.as_str().to_owned()), options)
            .await?;
        let done = self.status_by_tid(id.as_str(), options).await?;
        let amount = self.read_money(done.amount.as_ref()).ok_or_else(|| {
            PayError::new(ErrorKind::Decode {
                location: "Result.Amount".to_owned(),
            })
        })?;
        Ok(Subscription::new(
            id.clone(),
            SubscriptionStatus::Canceled,
            "cancelled",
            amount,
        ))
    }
}

impl EasytransacClient {
    /// An instalment debit under a V2 mandate: `multiplePayments` with a count of 2–10
    /// and the first instalment as `downPayment` (1.00 to 70 % of the total), checked
    /// before sending.
    ///
    /// # Errors
    /// `InvalidRequest` for a count or first instalment out of range; as
    /// [`crate::MandatesApi::debit`].
    pub async fn debit_instalments(
        &self,
        mandate: &MandateId,
        total: Money,
        count: u8,
        first: Option<Money>,
        reference: &MerchantReference,
        options: &CallOptions,
    ) -> Result<Payment, PayError> {
        check_instalments(total, count, first, 10)?;
        let mut r = wire::V2MandateDebitRequest::new(self.money(total, "total")?);
        r.order_id = Some(reference.as_str().to_owned());
        r.multiple_payments = Some(true);
        r.multiple_payments_repeat = Some(i64::from(count));
        if let Some(first) = first {
            r.down_payment = Some(self.money(first, "first_instalment")?);
        }
        let answer = self.mandates().debit(mandate.as_str(), &r, options).await?;
        let data = answer.data;
        Ok(Payment::new(
            read("data.tid", ProviderPaymentId::new(data.tid))?,
            read("data.amount", data.amount.to_money(self.inner.currency))?,
            status::v2_payment_status(&data.status),
            data.status.as_str(),
        )
        .with_reference(reference.clone()))
    }
}

/// A value of the provider's answer that a pay-core type refuses (an empty `Tid`, an
/// `OrderId` with a control character, an amount with too many decimals). The answer is
/// unreadable there: `Decode` at `location`, which says the request may have been
/// applied, never the `InvalidRequest` a `?` on the `ValidationError` would give, which
/// says nothing was sent and would invite sending it again.
fn read<T>(location: &str, value: Result<T, ValidationError>) -> Result<T, PayError> {
    value.map_err(|e| {
        PayError::new(ErrorKind::Decode {
            location: location.to_owned(),
        })
        .with_provider(crate::PROVIDER)
        .with_source(e)
    })
}
