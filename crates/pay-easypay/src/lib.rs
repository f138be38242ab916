//! Easypay adapter for the `pay` SDK (not yet implemented).
//!
//! This crate will implement `pay-core`'s traits against Easypay's API 2.0: single,
//! frequent and subscription payments, authorisations, captures, voids, refunds,
//! chargebacks, SEPA out-payments with RSA strong authentication, checkout sessions,
//! reports, `Idempotency-Key` retries and notification handling.
//!
//! The client is not written yet: the adapter is built on the platform issues (core model,
//! signing, codegen and the fake servers) and lands in its own issue. What exists is
//! [`wire`], the types generated from our API description.

#![doc(test(attr(deny(warnings))))]

pub mod status;
pub mod wire;
