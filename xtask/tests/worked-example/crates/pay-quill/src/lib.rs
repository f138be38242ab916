//! Quill adapter for the `pay` SDK: the fictional provider of `docs/adding-a-provider.md`'s
//! worked example, built from `cargo xtask new-provider quill` and never shipped.
//!
//! The [`Client`] creates card payments (captured at once, or only authorised), reads them,
//! cancels authorisations and refunds in full or in part over [`pay_http`] with a bearer API
//! key, and verifies notifications signed with HMAC-SHA256 (`Quill-Signature`), declaring
//! exactly that.
//!
//! ```
//! use pay_core::{Environment, Provider};
//! use pay_quill::Client;
//! use secrecy::SecretString;
//!
//! let client = Client::builder(SecretString::from("sk_test_123"))
//!     .webhook_secret(SecretString::from("whsec_test_123"))
//!     .environment(Environment::Sandbox)
//!     .build()?;
//! assert_eq!(client.id().as_str(), "quill");
//! assert!(client.as_refunds().is_some());
//! assert!(client.as_capture().is_none());
//! # Ok::<(), pay_core::PayError>(())
//! ```
//!
//! # Layout
//! - `client.rs`: credentials, base URLs per environment, the transport, capabilities, and
//!   the settings hook of `pay::Config` (`CONFIG_VARIABLES`, `from_config`).
//! - `error.rs`: the provider's error answers as `PayError`s (pay-http [`Hooks`](pay_http::Hooks)).
//! - `convert.rs`: wire types to and from `pay_core`'s model.
//! - `traits.rs`: the `pay_core` traits the client implements.
//! - `webhooks.rs`: notifications, verified with `pay_signing::hmac`.
//! - `wire`: the types generated from the description (`cargo xtask codegen`).

#![doc(test(attr(deny(warnings))))]

mod client;
mod convert;
mod error;
mod traits;
mod webhooks;
pub mod wire;

pub use client::{CONFIG_VARIABLES, Client, ClientBuilder, from_config};
pub use convert::{STATUSES, map_status};
pub use error::QuillHooks;
pub use pay_core::Environment;
