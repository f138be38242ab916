//! Fake Easytransac and Easypay servers for tests (not yet implemented).
//!
//! This crate will run stateful, in-process fakes of both providers on `127.0.0.1:0`,
//! with an inspection API, scripted fault injection, a manual clock shared with the code
//! under test, outbound signed webhooks, a conformance suite for adapters, and proptest
//! strategies for money, IBANs, card numbers and references.
//!
//! It holds no code yet; it lands in its own issue.
