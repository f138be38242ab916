//! Easytransac adapter for the `pay` SDK: a typed, safe client for Easytransac's API V1
//! (form-encoded, SHA-1 signed, `EASYTRANSAC-API-KEY`) and V2 (JSON, bearer JWT).
//!
//! - [`EasytransacClient`]: every operation of our API description as a typed async
//!   method, grouped by resource (`client.payments()`, `pages()`, `users()`,
//!   `documents()`, `mandates()`, `open_banking()`, `transactions()`, `auth()`), plus a
//!   raw-request escape hatch ([`EasytransacClient::raw`]). Every call goes through
//!   `pay_http::Transport`.
//! - V1: every request signed once before sending; every success answer's `Signature`
//!   verified (a bad or missing one is `Authentication` for a read and
//!   `AmbiguousOutcome` for a write, which may have been applied); ApiError codes typed
//!   ([`wire::V1ApiErrorCode`]) and mapped to pay-core kinds ([`api_error_kind`]).
//! - V2: a bearer token from `POST /v2/auth`, cached and refreshed before expiry with
//!   single flight, one retry with a fresh token after a 401.
//! - No idempotency at Easytransac: reads are retried, writes never; a write whose answer
//!   was lost is `AmbiguousOutcome` carrying its `OrderId`
//!   ([`EasytransacClient::reconcile`] settles it).
//! - Environments: Easytransac's sandbox is a separate host; a client talks to it unless
//!   the builder names [`production`](EasytransacClientBuilder::production), so a test
//!   cannot move real money by accident.
//! - Notifications: the signature is checked over every received field, and fields the
//!   description does not list are kept ([`notification_extra_fields`]). The scheme signs
//!   values, not names: names equal but for case, and a documented name changed in case
//!   or in one character, are refused; a field renamed to an unrelated name that keeps
//!   the signed order cannot be detected, so confirm by fetching before acting.
//!
//! The examples below run against pay-testkit's Easytransac fake, started in-process on
//! 127.0.0.1 (pay-testkit is a dev-dependency); the hidden lines drive the fake where a
//! customer, a bank or time would act.
//!
//! # Payment page
//! A page has a `RequestId` ([`pay_core::CheckoutId`]) and no `Tid` until it is paid:
//! ```
//! use pay_core::{CallOptions, Checkouts, CreatePayment, Currency, Customer, MerchantReference, Money};
//! use pay_core::{NextAction, PaymentMethod, PaymentStatus, Payments, RedirectPurpose};
//! use pay_easytransac::EasytransacClient;
//! # use pay_testkit::{Context, FakeServer};
//! # use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
//! # use secrecy::SecretString;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = "et_test_doc-key";
//! # let config = EasytransacConfig::new(SecretString::from(key));
//! # let server = FakeServer::start(EasytransacFake::new(config)).await?;
//! let client = EasytransacClient::builder(SecretString::from(key))
//!     .base_url(server.base_url()) // pay-testkit's fake; without it, Easytransac's sandbox
//!     .build()?;
//! # let clock = server.clock();
//! # let ctx = Context::new(&*clock, server.webhooks(), server.base_url());
//! # let fake = server.provider();
//! # let _ = (&ctx, fake, cards::SUCCESS);
//! let o = CallOptions::new();
//! let customer = Customer::new().with_ip_address(std::net::IpAddr::from([10, 0, 0, 2]));
//! let request = CreatePayment::new(
//!     Money::from_minor(1250, Currency::EUR)?,
//!     MerchantReference::new("order-page-1")?,
//!     PaymentMethod::HostedPage,
//! )?
//! .with_customer(customer);
//! let page = client.create_payment(&request, &o).await?;
//! assert!(page.id.is_none());
//! assert!(matches!(page.next_action, NextAction::Redirect { purpose: RedirectPurpose::PaymentPage, .. }));
//! let checkout = page.checkout_id.clone().unwrap();
//! # fake.pay_page(&ctx, checkout.as_str()).map_err(|e| e.to_string())?;
//! // … the customer pays on the page …
//! let paid = client.get_checkout(&checkout, &o).await?;
//! assert_eq!(paid.status, PaymentStatus::Captured);
//! assert!(paid.id.is_some()); // the Tid
//! # Ok(())
//! # }
//! ```
//!
//! # Direct card payment with 3-D Secure
//! ```
//! use pay_core::{CallOptions, CardDetails, CardExpiry, CardNumber, CreatePayment, Currency};
//! use pay_core::{Customer, Cvv, MerchantReference, Money, NextAction, PaymentMethod};
//! use pay_core::{PaymentStatus, Payments, RedirectPurpose};
//! use pay_easytransac::EasytransacClient;
//! # fn card(number: &str) -> Result<PaymentMethod, pay_core::ValidationError> {
//! #     Ok(PaymentMethod::Card(CardDetails::new(
//! #         CardNumber::new(number)?,
//! #         CardExpiry::new(12, 2030)?,
//! #         Cvv::new("123")?,
//! #     )))
//! # }
//! # fn customer() -> Customer {
//! #     Customer::new().with_ip_address(std::net::IpAddr::from([10, 0, 0, 1]))
//! # }
//! # use pay_testkit::{Context, FakeServer};
//! # use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
//! # use secrecy::SecretString;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = "et_test_doc-key";
//! # let config = EasytransacConfig::new(SecretString::from(key));
//! # let server = FakeServer::start(EasytransacFake::new(config)).await?;
//! let client = EasytransacClient::builder(SecretString::from(key))
//!     .base_url(server.base_url()) // pay-testkit's fake; without it, Easytransac's sandbox
//!     .build()?;
//! # let clock = server.clock();
//! # let ctx = Context::new(&*clock, server.webhooks(), server.base_url());
//! # let fake = server.provider();
//! # let _ = (&ctx, fake, cards::SUCCESS);
//! let o = CallOptions::new();
//! let request = CreatePayment::new(
//!     Money::from_minor(2500, Currency::EUR)?,
//!     MerchantReference::new("order-3ds-1")?,
//!     card(cards::THREE_DS_CHALLENGE)?,
//! )?
//! .with_customer(customer());
//! let payment = client.create_payment(&request, &o).await?;
//! assert_eq!(payment.status, PaymentStatus::Pending);
//! let NextAction::Redirect { url, purpose } = &payment.next_action else { panic!() };
//! assert_eq!(*purpose, RedirectPurpose::ThreeDSecure);
//! # let _ = url;
//! let tid = payment.id.clone().unwrap();
//! # fake.complete_3ds(&ctx, tid.as_str()).map_err(|e| e.to_string())?;
//! // … the customer passes the challenge at `url` …
//! assert_eq!(client.get_payment(&tid, &o).await?.status, PaymentStatus::Captured);
//! # Ok(())
//! # }
//! ```
//!
//! # Pre-authorisation, then capture
//! ```
//! use pay_core::{CallOptions, Capture, CaptureMode, CaptureRequest, CardDetails, CardExpiry};
//! use pay_core::{CardNumber, CreatePayment, Currency, Customer, Cvv, MerchantReference, Money};
//! use pay_core::{PaymentMethod, PaymentStatus, Payments};
//! use pay_easytransac::EasytransacClient;
//! # fn card(number: &str) -> Result<PaymentMethod, pay_core::ValidationError> {
//! #     Ok(PaymentMethod::Card(CardDetails::new(
//! #         CardNumber::new(number)?,
//! #         CardExpiry::new(12, 2030)?,
//! #         Cvv::new("123")?,
//! #     )))
//! # }
//! # fn customer() -> Customer {
//! #     Customer::new().with_ip_address(std::net::IpAddr::from([10, 0, 0, 1]))
//! # }
//! # use pay_testkit::{Context, FakeServer};
//! # use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
//! # use secrecy::SecretString;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = "et_test_doc-key";
//! # let config = EasytransacConfig::new(SecretString::from(key));
//! # let server = FakeServer::start(EasytransacFake::new(config)).await?;
//! let client = EasytransacClient::builder(SecretString::from(key))
//!     .base_url(server.base_url()) // pay-testkit's fake; without it, Easytransac's sandbox
//!     .build()?;
//! # let clock = server.clock();
//! # let ctx = Context::new(&*clock, server.webhooks(), server.base_url());
//! # let fake = server.provider();
//! # let _ = (&ctx, fake, cards::SUCCESS);
//! let o = CallOptions::new();
//! let mut request = CreatePayment::new(
//!     Money::from_minor(5000, Currency::EUR)?,
//!     MerchantReference::new("order-pre-1")?,
//!     card(cards::SUCCESS)?,
//! )?
//! .with_customer(customer());
//! request.capture = CaptureMode::Manual; // PreAuth=yes
//! let authorised = client.create_payment(&request, &o).await?;
//! assert_eq!(authorised.status, PaymentStatus::Authorized);
//! let part = Money::from_minor(4200, Currency::EUR)?;
//! let captured = client
//!     .capture(&CaptureRequest::partial(authorised.id.clone().unwrap(), part)?, &o)
//!     .await?;
//! assert_eq!(captured.status, PaymentStatus::Captured);
//! assert_eq!(captured.amount, part);
//! # Ok(())
//! # }
//! ```
//!
//! # Refund
//! ```
//! use pay_core::{CallOptions, CardDetails, CardExpiry, CardNumber, CreatePayment, Currency};
//! use pay_core::{Customer, Cvv, MerchantReference, Money, PaymentMethod, PaymentStatus};
//! use pay_core::{Payments, RefundRequest, Refunds};
//! use pay_easytransac::EasytransacClient;
//! # fn card(number: &str) -> Result<PaymentMethod, pay_core::ValidationError> {
//! #     Ok(PaymentMethod::Card(CardDetails::new(
//! #         CardNumber::new(number)?,
//! #         CardExpiry::new(12, 2030)?,
//! #         Cvv::new("123")?,
//! #     )))
//! # }
//! # fn customer() -> Customer {
//! #     Customer::new().with_ip_address(std::net::IpAddr::from([10, 0, 0, 1]))
//! # }
//! # use pay_testkit::{Context, FakeServer};
//! # use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
//! # use secrecy::SecretString;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = "et_test_doc-key";
//! # let config = EasytransacConfig::new(SecretString::from(key));
//! # let server = FakeServer::start(EasytransacFake::new(config)).await?;
//! let client = EasytransacClient::builder(SecretString::from(key))
//!     .base_url(server.base_url()) // pay-testkit's fake; without it, Easytransac's sandbox
//!     .build()?;
//! # let clock = server.clock();
//! # let ctx = Context::new(&*clock, server.webhooks(), server.base_url());
//! # let fake = server.provider();
//! # let _ = (&ctx, fake, cards::SUCCESS);
//! let o = CallOptions::new();
//! let request = CreatePayment::new(
//!     Money::from_minor(2999, Currency::EUR)?,
//!     MerchantReference::new("order-refund-1")?,
//!     card(cards::SUCCESS)?,
//! )?
//! .with_customer(customer());
//! let id = client.create_payment(&request, &o).await?.id.unwrap();
//! let part = Money::from_minor(1000, Currency::EUR)?;
//! client.refund(&RefundRequest::partial(id.clone(), part)?, &o).await?;
//! assert_eq!(client.get_payment(&id, &o).await?.status, PaymentStatus::PartiallyRefunded);
//! let rest = client.refund(&RefundRequest::full(id.clone()), &o).await?;
//! assert_eq!(rest.amount, Money::from_minor(1999, Currency::EUR)?);
//! assert_eq!(client.get_payment(&id, &o).await?.status, PaymentStatus::Refunded);
//! # Ok(())
//! # }
//! ```
//!
//! # SEPA mandate, then debit (V2)
//! A V2 mandate has no documented signing step (its create answer carries only
//! `mandateId`). When the debtor must sign, pay with `PaymentMethod::SepaDirectDebit`
//! instead: V1 `sdd/init` answers the signing page as
//! `NextAction::Redirect { purpose: MandateSignature }`.
//! ```
//! use pay_core::{CallOptions, CreateMandate, Currency, Iban, MandateDebit, MandateStatus};
//! use pay_core::{Mandates, MerchantReference, Money, PaymentStatus, Payments};
//! use pay_easytransac::EasytransacClient;
//! # use pay_testkit::{Context, FakeServer};
//! # use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
//! # use secrecy::SecretString;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = "et_test_doc-key";
//! # let config = EasytransacConfig::new(SecretString::from(key));
//! # let server = FakeServer::start(EasytransacFake::new(config)).await?;
//! let client = EasytransacClient::builder(SecretString::from(key))
//!     .base_url(server.base_url()) // pay-testkit's fake; without it, Easytransac's sandbox
//!     .build()?;
//! # let clock = server.clock();
//! # let ctx = Context::new(&*clock, server.webhooks(), server.base_url());
//! # let fake = server.provider();
//! # let _ = (&ctx, fake, cards::SUCCESS);
//! let o = CallOptions::new();
//! let request = CreateMandate::new(
//!     MerchantReference::new("mandate-1")?,
//!     Iban::parse("FR1420041010050500013M02606")?,
//!     "Ana Silva",
//! )?;
//! let mandate = client.create_mandate(&request, &o).await?;
//! assert_eq!(mandate.status, MandateStatus::Active);
//! let debit = MandateDebit::new(
//!     mandate.id.clone(),
//!     Money::from_minor(4200, Currency::EUR)?,
//!     MerchantReference::new("debit-1")?,
//! )?;
//! let payment = client.debit_mandate(&debit, &o).await?;
//! assert_eq!(payment.status, PaymentStatus::Pending);
//! # fake.settle_debit(&ctx, payment.id.as_ref().unwrap().as_str()).map_err(|e| e.to_string())?;
//! // … the bank settles the debit …
//! let settled = client.get_payment(payment.id.as_ref().unwrap(), &o).await?;
//! assert_eq!(settled.status, PaymentStatus::Captured);
//! # Ok(())
//! # }
//! ```
//!
//! # Instalments
//! Two to twelve card instalments (2–10 on the V2 debit,
//! [`EasytransacClient::debit_instalments`]), the first between 1.00 and 70 % of the
//! total, checked before anything is sent:
//! ```
//! use pay_core::{CallOptions, CardDetails, CardExpiry, CardNumber, CreateInstalments};
//! use pay_core::{Currency, Customer, Cvv, ErrorKind, Interval, MerchantReference, Money};
//! use pay_core::{PaymentMethod, Recurring, SubscriptionStatus};
//! use pay_easytransac::EasytransacClient;
//! # fn card(number: &str) -> Result<PaymentMethod, pay_core::ValidationError> {
//! #     Ok(PaymentMethod::Card(CardDetails::new(
//! #         CardNumber::new(number)?,
//! #         CardExpiry::new(12, 2030)?,
//! #         Cvv::new("123")?,
//! #     )))
//! # }
//! # fn customer() -> Customer {
//! #     Customer::new().with_ip_address(std::net::IpAddr::from([10, 0, 0, 1]))
//! # }
//! # use pay_testkit::{Context, FakeServer};
//! # use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
//! # use secrecy::SecretString;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = "et_test_doc-key";
//! # let config = EasytransacConfig::new(SecretString::from(key));
//! # let server = FakeServer::start(EasytransacFake::new(config)).await?;
//! let client = EasytransacClient::builder(SecretString::from(key))
//!     .base_url(server.base_url()) // pay-testkit's fake; without it, Easytransac's sandbox
//!     .build()?;
//! # let clock = server.clock();
//! # let ctx = Context::new(&*clock, server.webhooks(), server.base_url());
//! # let fake = server.provider();
//! # let _ = (&ctx, fake, cards::SUCCESS);
//! let o = CallOptions::new();
//! let total = Money::from_minor(9000, Currency::EUR)?;
//! let plan = |count: u8| -> Result<CreateInstalments, pay_core::ValidationError> {
//!     Ok(CreateInstalments::new(
//!         total,
//!         count,
//!         MerchantReference::new("order-plan-1")?,
//!         card(cards::SUCCESS)?,
//!         Interval::Monthly,
//!     )?
//!     .with_customer(customer()))
//! };
//! let err = client.create_instalments(&plan(13)?, &o).await.unwrap_err();
//! assert!(matches!(err.kind(), ErrorKind::InvalidRequest(v) if v.field() == "count"));
//! let first = Money::from_minor(3000, Currency::EUR)?;
//! let schedule = client
//!     .create_instalments(&plan(3)?.with_first_instalment(first)?, &o)
//!     .await?;
//! assert_eq!(schedule.status, SubscriptionStatus::Active);
//! # Ok(())
//! # }
//! ```
//!
//! # Notification handling
//! Verify (constant time) before reading, then act once per event:
//! ```
//! use pay_core::{Delivery, EventKind, InMemorySeenEvents, PaymentStatus, RawWebhook, Webhooks};
//! use pay_easytransac::EasytransacClient;
//! use pay_signing::easytransac::{Params, sign};
//! # use secrecy::SecretString;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = "et_test_doc-key";
//! let client = EasytransacClient::builder(SecretString::from(key)).build()?;
//! # let fields = [("Tid", "ET000001"), ("Status", "captured"), ("Amount", "18.00"), ("OrderId", "o-1")];
//! # let signature = sign(&Params::from_form(&fields)?, &SecretString::from(key))?;
//! # let body = format!("Tid=ET000001&Status=captured&Amount=18.00&OrderId=o-1&Signature={}", signature.as_str());
//! // In your PUSH handler: the raw request as received.
//! let raw = RawWebhook::new(
//!     vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned())],
//!     body.into_bytes(),
//!     std::time::SystemTime::now(),
//! );
//! let seen = InMemorySeenEvents::new(); // one store for the process (or a shared one)
//! match client.handle_once(&raw, &seen).await? {
//!     Delivery::First(event) => {
//!         assert!(matches!(event.kind, EventKind::Payment { status: Some(PaymentStatus::Captured), .. }));
//!         // a hint: confirm with `client.get_payment(…)` or `client.pull(…)` before shipping
//!     }
//!     Delivery::Duplicate(_) => {} // answer 200, do nothing
//!     _ => {}
//! }
//! assert!(client.handle_once(&raw, &seen).await?.is_duplicate());
//! # Ok(())
//! # }
//! ```

#![doc(test(attr(deny(warnings))))]

mod client;
mod form;
mod form_serializer;
mod hooks;
mod names;
mod neutral;
mod notification;
mod provider;
mod reconcile;
mod resources;
pub mod status;
mod token;
pub mod wire;

pub use crate::client::{
    DEFAULT_TOKEN_REFRESH_MARGIN, EasytransacClient, EasytransacClientBuilder, PROVIDER, Raw,
    RawSafety, V1_PRODUCTION_URL, V1_SANDBOX_URL, V2_PRODUCTION_URL, V2_SANDBOX_URL, V2Answer,
};
pub use crate::hooks::api_error_kind;
pub use crate::names::field_names;
pub use crate::notification::{notification_extra_fields, parse_notification};
pub use crate::reconcile::Reconciled;
pub use crate::resources::{
    AuthApi, CLIENT_METHODS, DocumentsApi, MandatesApi, OpenBankingApi, PagesApi, PaymentsApi,
    TransactionsApi, UsersApi,
};
