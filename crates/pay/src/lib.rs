//! `pay`: take and manage payments through Easytransac (France) and Easypay (Portugal)
//! behind one provider-neutral API.
//!
//! This facade re-exports [`pay_core`] (money, validated domain types, errors, the
//! traits) at its root and each provider adapter under its own module, chosen by cargo
//! features, so an application depends on one crate and compiles only the providers it
//! uses. [`Config`] picks the provider from the environment (or typed settings) and
//! [`Config::connect`] hands back a `dyn` [`Provider`] whose optional operations are
//! reached through `as_payments()`, `as_refunds()`, …
//!
//! ```
//! use pay::{Config, ConfigProblem, Currency, Lookup, Money};
//!
//! // Exact money: "12.345" EUR is an error, never a rounding.
//! let total = Money::parse_major("100.00", Currency::EUR)?;
//! let parts = total.allocate(&[1, 1, 1])?;
//! assert_eq!(parts[0].to_string(), "33.34 EUR");
//! assert!(Money::parse_major("12.345", Currency::EUR).is_err());
//!
//! // Configuration errors name the variable and the rule, never the value.
//! let err = Config::from_lookup(|_| Lookup::Missing).unwrap_err();
//! assert_eq!(err.variable(), "PAY_PROVIDER");
//! assert_eq!(*err.problem(), ConfigProblem::Missing);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The runnable walk-through of every flow is the demo (`cargo run -p pay-demo`); the
//! `examples/` directory has a provider-agnostic checkout, a webhook endpoint on axum,
//! payouts, and what a downstream crate's tests look like with the mocks and the fakes.
//!
//! # Feature flags
//! - `easytransac`: the Easytransac adapter, as [`easytransac`], and
//!   [`Config::Easytransac`].
//! - `easypay`: the Easypay adapter, as [`easypay`], and [`Config::Easypay`].
//! - one feature per other described provider (`fixtures/<name>/api.yaml`, generated):
//!   its adapter as `pay::<name>`, configured by [`Config::Adapter`].
//! - `mock`: [`mock::MockProvider`], a `mockall` mock of every trait, for unit tests of
//!   code that takes a provider.
//! - `testkit`: pay-testkit's fake servers, as [`testkit`], for tests (enable it under
//!   `[dev-dependencies]`; it builds both adapters).
//! - `journal`: the durable write journal and webhook store, as [`journal`] (SQLite or
//!   PostgreSQL): every write recorded before it is sent, `recover` after a crash.
//!
//! With `default-features = false, features = ["easypay"]`, nothing of Easytransac is
//! compiled (and the other way round); a test of this crate checks it with `cargo tree`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

mod config;
mod configured;
mod providers;

pub use pay_core::*;
/// The secret string type of every key and password the configuration takes (from
/// `secrecy`): `Debug` never shows it, and it is zeroed on drop.
pub use secrecy::{ExposeSecret, SecretString};

#[cfg(feature = "easypay")]
#[cfg_attr(docsrs, doc(cfg(feature = "easypay")))]
pub use crate::config::EasypaySettings;
#[cfg(feature = "easytransac")]
#[cfg_attr(docsrs, doc(cfg(feature = "easytransac")))]
pub use crate::config::EasytransacSettings;
pub use crate::config::{
    AVAILABLE_PROVIDERS, AdapterSettings, Config, ConfigError, ConfigProblem, EASYPAY_ACCOUNT_ID,
    EASYPAY_API_KEY, EASYPAY_NOTIFICATION_PASSWORD, EASYPAY_NOTIFICATION_USER,
    EASYPAY_OUT_PAYMENT_KEY_FILE, EASYTRANSAC_API_KEY, KNOWN_PROVIDERS, Lookup, PAY_BASE_URL,
    PAY_ENVIRONMENT, PAY_PROVIDER, Target,
};

/// The provider adapters (`pay::easypay`, `pay::easytransac`, …), each behind the feature of
/// its name: the generated `providers.rs` has one re-export per described provider.
pub use crate::providers::*;

/// pay-testkit's fake servers (feature `testkit`; for tests only).
#[cfg(feature = "testkit")]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub use pay_testkit as testkit;

/// The durable write journal and webhook store (feature `journal`).
#[cfg(feature = "journal")]
#[cfg_attr(docsrs, doc(cfg(feature = "journal")))]
pub use pay_journal as journal;

/// The README's example, compiled and checked as a doctest so it cannot drift. (It only
/// defines a function, so unused-code lints are off for it.)
#[cfg(doctest)]
#[doc(test(attr(allow(dead_code))))]
mod readme {
    #[doc = include_str!("../../../README.md")]
    struct ReadmeDoctests;
}
