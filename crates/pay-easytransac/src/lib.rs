//! Easytransac adapter for the `pay` SDK (not yet implemented).
//!
//! This crate will implement `pay-core`'s traits against Easytransac's V1 (form-encoded,
//! SHA-1 signed) and V2 (JSON, JWT bearer) APIs: card payments with 3-D Secure, payment
//! pages, pre-authorisation and capture, refunds, SEPA direct debit and V2 mandates,
//! subscriptions and instalments, and signed PUSH notifications.
//!
//! The client is not written yet: the adapter is built on the platform issues (core model,
//! signing, codegen and the fake servers) and lands in its own issue. What exists is
//! [`wire`], the types generated from our API description.

#![doc(test(attr(deny(warnings))))]

pub mod status;
pub mod wire;
