//! {title}'s wire format: serde types exactly as on the wire, generated from
//! `fixtures/{name}/api.yaml` by `cargo xtask codegen` into [`generated`], with their
//! `validate()`, the operation table [`OPERATIONS`], the retry rules [`RETRY_RULES`] and the
//! redaction keys [`SENSITIVE_FIELDS`]. Hand-written additions go in sibling modules.

pub mod generated;

pub use generated::*;
