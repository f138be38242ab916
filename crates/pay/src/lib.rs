//! `pay`: take and manage payments through Easytransac (France) and Easypay (Portugal)
//! behind one provider-neutral API.
//!
//! This facade re-exports [`pay_core`] (money, validated domain types, errors, the
//! traits) at its root and each provider adapter under its own module, chosen by cargo
//! features, so an application depends on one crate and compiles only the providers it
//! uses.
//!
//! ```
//! use pay::{Currency, Money};
//!
//! let total = Money::parse_major("100.00", Currency::EUR)?;
//! let parts = total.allocate(&[1, 1, 1])?;
//! assert_eq!(parts[0].to_string(), "33.34 EUR");
//! # Ok::<(), pay::ValidationError>(())
//! ```
//!
//! # Feature flags
//! - `easytransac`: the Easytransac adapter, as [`easytransac`].
//! - `easypay`: the Easypay adapter, as [`easypay`].
//! - `mock`: `pay_core::mock::MockProvider`, a `mockall` mock of every trait, for unit
//!   tests of code that takes a provider.
#![doc(test(attr(deny(warnings))))]

pub use pay_core::*;

/// The Easytransac adapter (feature `easytransac`).
#[cfg(feature = "easytransac")]
pub use pay_easytransac as easytransac;

/// The Easypay adapter (feature `easypay`).
#[cfg(feature = "easypay")]
pub use pay_easypay as easypay;

/// The README's example, compiled and checked as a doctest so it cannot drift. (It only
/// defines a function, so unused-code lints are off for it.)
#[cfg(doctest)]
#[doc(test(attr(allow(dead_code))))]
mod readme {
    #[doc = include_str!("../../../README.md")]
    struct ReadmeDoctests;
}
