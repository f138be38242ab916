//! Easypay adapter for the `pay` SDK: a typed client for Easypay's API 2.0.
//!
//! [`EasypayClient`] calls every operation of our API description
//! (`fixtures/easypay/api.yaml`, [`wire::OPERATIONS`]) as a typed async method grouped
//! by resource ([`EasypayClient::single`], [`EasypayClient::captures`], …; the table is
//! [`CLIENT_METHODS`]), on the generated [`wire`] types. Every call:
//!
//! - is validated first (body, query and path), so bad input is a pay-core
//!   `InvalidRequest` naming field and rule, and nothing is sent;
//! - goes through `pay_http::Transport` with Easypay's rules ([`EasypayHooks`],
//!   [`wire::RETRY_RULES`]): `AccountId`/`ApiKey` headers (secrets, never logged), an
//!   `Idempotency-Key` on every `POST`/`PATCH` and none on `GET`/`DELETE`,
//!   `X-Easypay-Should-Retry`, error bodies read into pay-core kinds with Easypay's
//!   `message` and `code` kept, `Idempotency-Replay` surfaced, bodies redacted;
//! - reads amounts exactly (pay-core's wire number types; no float anywhere).
//!
//! Lists are also `futures` streams over every page (`list_all`). Out-payments are
//! signed once per call with the merchant's RSA key. [`EasypayClient::raw`] sends any
//! other request the same way.
//!
//! # Example: an MB WAY payment
//! ```
//! use pay_core::{CallOptions, Currency, Money};
//! use pay_core::wire::JsonNumber;
//! use pay_easypay::{AccountId, ApiKey, EasypayClient, PaymentId, wire};
//! use pay_testkit::FakeServer;
//! use pay_testkit::easypay::{EasypayConfig, EasypayFake, PHONE_AUTHORISED};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = FakeServer::start(EasypayFake::new(EasypayConfig::new("acct", "key"))).await?;
//! let client = EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
//!     .base_url(server.url("/2.0"))
//!     .build()?;
//!
//! let value = JsonNumber::from_money(Money::from_minor(1250, Currency::EUR)?, 2)?;
//! let mut request = wire::SingleCreateRequest::new(value, wire::SingleMethod::Mbw);
//! let mut customer = wire::CustomerInput::default();
//! customer.phone = Some(PHONE_AUTHORISED.to_owned());
//! request.customer = Some(customer);
//! request.capture = Some(wire::CaptureInput::new("Order 42".to_owned()));
//! let created = client.single().create(&request, &CallOptions::new()).await?;
//!
//! let id = PaymentId::new(created.id.expect("an id"))?;
//! let payment = client.single().get(&id, &CallOptions::new()).await?;
//! let value = payment.value.expect("a value").to_money(Currency::EUR)?;
//! assert_eq!(value, Money::from_minor(1250, Currency::EUR)?);
//! # Ok(())
//! # }
//! ```

//!
//! # Example: a card form, through pay-core's traits
//! ```
//! use pay_core::{CallOptions, CreatePayment, Currency, MerchantReference, Money, NextAction};
//! use pay_core::{PaymentMethod, Payments};
//! use pay_easypay::{AccountId, ApiKey, EasypayClient};
//! use pay_testkit::FakeServer;
//! use pay_testkit::easypay::{EasypayConfig, EasypayFake};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = FakeServer::start(EasypayFake::new(EasypayConfig::new("acct", "key"))).await?;
//! # let client = EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
//! #     .base_url(server.url("/2.0"))
//! #     .build()?;
//! let request = CreatePayment::new(
//!     Money::from_minor(3000, Currency::EUR)?,
//!     MerchantReference::new("order-77")?,
//!     PaymentMethod::CardForm,
//! )?;
//! let payment = client.create_payment(&request, &CallOptions::new()).await?;
//! // Send the customer to Easypay's card form.
//! assert!(matches!(payment.next_action, NextAction::CardForm { .. }));
//! # Ok(())
//! # }
//! ```
//!
//! # Example: authorise, capture, then refund
//! ```
//! use pay_core::{CallOptions, CaptureRequest, CreatePayment, Currency, MerchantReference};
//! use pay_core::{Money, PaymentMethod, PaymentStatus, Payments, Phone, RefundRequest};
//! use pay_core::{Capture, Refunds};
//! use pay_easypay::{AccountId, ApiKey, EasypayClient};
//! use pay_testkit::FakeServer;
//! use pay_testkit::easypay::{EasypayConfig, EasypayFake, PHONE_AUTHORISED};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = FakeServer::start(EasypayFake::new(EasypayConfig::new("acct", "key"))).await?;
//! # let client = EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
//! #     .base_url(server.url("/2.0"))
//! #     .build()?;
//! let o = CallOptions::new();
//! let request = CreatePayment::new(
//!     Money::from_minor(1000, Currency::EUR)?,
//!     MerchantReference::new("order-78")?,
//!     PaymentMethod::MbWay { phone: Phone::new("+351", PHONE_AUTHORISED)? },
//! )?
//! .authorize_only();
//! let payment = client.create_payment(&request, &o).await?;
//! assert_eq!(payment.status, PaymentStatus::Authorized);
//! let id = payment.id.clone().expect("an id");
//!
//! let captured = client.capture(&CaptureRequest::full(id.clone()), &o).await?;
//! assert_eq!(captured.status, PaymentStatus::Captured);
//!
//! // Easypay refunds captures: the adapter picks the payment's capture.
//! let half = Money::from_minor(400, Currency::EUR)?;
//! let refund = client.refund(&RefundRequest::partial(id, half)?, &o).await?;
//! assert_eq!(refund.amount, half);
//! # Ok(())
//! # }
//! ```
//!
//! # Example: an out-payment, signed once
//! ```
//! use pay_core::CallOptions;
//! use pay_easypay::{AccountId, ApiKey, EasypayClient, wire};
//! use pay_testkit::FakeServer;
//! use pay_testkit::easypay::{EasypayConfig, EasypayFake, TEST_OUT_PAYMENT_PUBLIC_KEY};
//! use secrecy::SecretString;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let config = EasypayConfig::new("acct", "key").with_out_payment_key(TEST_OUT_PAYMENT_PUBLIC_KEY)?;
//! # let server = FakeServer::start(EasypayFake::new(config)).await?;
//! # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem"))?;
//! let client = EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
//!     # .base_url(server.url("/2.0"))
//!     .out_payment_key_pem(&SecretString::from(pem))?
//!     .build()?;
//! // `timestamp` is stamped with the client's clock when the body is signed.
//! let payout: wire::OutPaymentCreateRequest = serde_json::from_str(r#"{
//!     "customer": {"name": "Bea"}, "value": 17.50, "method": "transfer", "timestamp": "0",
//!     "out_account": {"account_holder": "Bea", "iban": "PT50000201231234567890155",
//!                     "email": "bea@example.org", "phone": "912345678"}}"#)?;
//! let created = client.out_payments().create(&payout, &CallOptions::new()).await?;
//! assert!(created.id.is_some());
//! # Ok(())
//! # }
//! ```
//!
//! # Example: handling a notification
//! ```
//! use std::time::SystemTime;
//! use pay_core::{CallOptions, Delivery, EventKind, InMemorySeenEvents, RawWebhook, Webhooks};
//! use pay_easypay::{AccountId, ApiKey, EasypayClient, NotificationAuth};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
//!     .notification_auth(NotificationAuth::basic("hooks", "s3cret"))
//!     .build()?;
//! let seen = InMemorySeenEvents::new();
//! // What the web framework received ("aG9va3M6czNjcmV0" is base64 of "hooks:s3cret").
//! let raw = RawWebhook::new(
//!     vec![("Authorization".to_owned(), "Basic aG9va3M6czNjcmV0".to_owned())],
//!     br#"{"id":"p-1","type":"capture","status":"success","messages":["ok"]}"#.to_vec(),
//!     SystemTime::now(),
//! );
//! match client.handle_once(&raw, &seen).await? {
//!     Delivery::First(event) => {
//!         assert!(matches!(event.kind, EventKind::Payment { .. }));
//!         // Then `client.confirm(&event, &CallOptions::new())` reads the payment back
//!         // before acting on it.
//!         let _ = CallOptions::new();
//!     }
//!     _ => unreachable!("first delivery"),
//! }
//! assert!(client.handle_once(&raw, &seen).await?.is_duplicate());
//! # Ok(())
//! # }
//! ```

#![doc(test(attr(deny(warnings))))]

mod answered;
mod client;
mod ids;
mod notification;
mod pagination;
mod resources;
pub mod status;
mod traits;
pub mod wire;

pub use crate::answered::{AnswerMode, Answered, Plain, WithMeta};
pub use crate::client::{
    AccountId, ApiKey, EasypayClient, EasypayClientBuilder, EasypayHooks, PRODUCTION_URL, PROVIDER,
    RawResponse, SANDBOX_URL,
};
pub use crate::ids::{
    AuthorisationId, CaptureId, CaptureSplitId, CaptureTarget, CheckoutId, FrequentPaymentId,
    OutPaymentId, PaymentId, RefundId, SubscriptionId, VoidId,
};
pub use crate::notification::{Confirmed, ConfirmedSubscription, NotificationAuth};
pub use crate::pagination::ItemStream;
pub use crate::resources::{
    Authorisations, CLIENT_METHODS, Captures, Chargebacks, Checkout, Config, Frequent, Health,
    OutPayments, Refunds, Reports, Single, Subscriptions, Voids,
};
/// What the transport reports about a call (re-exported from `pay-http`).
pub use pay_http::ResponseMeta;
