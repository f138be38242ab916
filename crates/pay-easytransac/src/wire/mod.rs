//! Easytransac's wire format: serde types exactly as on the wire, generated from
//! `fixtures/easytransac/api.yaml` by `cargo xtask codegen` into [`generated`].
//!
//! These types are not the SDK's API (that is `pay-core`'s model); they are public so tests
//! and tooling can use them. Every request type has `validate()`, which checks the
//! documented constraints and names the broken field as a dotted wire path:
//!
//! ```
//! use pay_core::Rule;
//! use pay_core::wire::MinorUnits;
//! use pay_easytransac::wire::V1CaptureRequest;
//!
//! let mut request = V1CaptureRequest::new("ABC123456".to_owned());
//! request.amount = Some(MinorUnits(1250));
//! let err = request.validate().unwrap_err();
//! assert_eq!(err.field(), "Tid");
//! assert!(matches!(err.rule(), Rule::MaxLength { max: 8, .. }));
//! ```
//!
//! Amounts are `pay_core::wire` types that keep the exact JSON text, so read bodies with
//! `serde_json::from_slice`/`from_str` directly (not through `serde_json::Value`). Unknown
//! fields are ignored; keep the raw body where they matter.
//!
//! The description's rules are here as data too, so each exists once: [`OPERATIONS`] (what
//! a transport needs to know about each call, as `pay_core::Operation`s), [`RETRY_RULES`]
//! (the provider's retry rules, for the transport and the fake server) and
//! [`SENSITIVE_FIELDS`] (the redaction keys, for `pay_core::Redactor::with_key`). The checks
//! behind `validate()` are `pay_core::wire::rt`. Hand-written additions go in sibling
//! modules of this file, never in `generated.rs`.

pub mod generated;

pub use generated::*;
