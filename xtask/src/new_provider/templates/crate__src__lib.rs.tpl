//! {title} adapter for the `pay` SDK (scaffold: two example operations).
//!
//! `cargo xtask new-provider {name}` generated this crate, its API description
//! (`fixtures/{name}/api.yaml`), its fake server (`pay_testkit::{name}`) and its docs page. It
//! builds, and its conformance test passes: the [`Client`] creates and reads payments over
//! [`pay_http`] with a bearer API key, and declares exactly that. Everything else is
//! provider knowledge to write, as `docs/adding-a-provider.md` walks through.
//!
//! ```
//! use pay_core::{Environment, Provider};
//! use {module}::Client;
//! use secrecy::SecretString;
//!
//! let client = Client::builder(SecretString::from("sk_test_123"))
//!     .environment(Environment::Sandbox)
//!     .build()?;
//! assert_eq!(client.id().as_str(), "{name}");
//! assert!(client.as_payments().is_some());
//! assert!(client.as_refunds().is_none());
//! # Ok::<(), pay_core::PayError>(())
//! ```
//!
//! # Layout
//! - `client.rs`: credentials, base URLs per environment, the transport, capabilities, and
//!   the settings hook of `pay::Config` (`CONFIG_VARIABLES`, `from_config`).
//! - `error.rs`: the provider's error answers as `PayError`s (pay-http [`Hooks`](pay_http::Hooks)).
//! - `convert.rs`: wire types to and from `pay_core`'s model.
//! - `traits.rs`: the `pay_core` traits the client implements.
//! - `wire`: the types generated from the description (`cargo xtask codegen`).

#![doc(test(attr(deny(warnings))))]

mod client;
mod convert;
mod error;
mod traits;
pub mod wire;

pub use client::{CONFIG_VARIABLES, Client, ClientBuilder, from_config};
pub use convert::{STATUSES, map_status};
pub use error::{title}Hooks;
pub use pay_core::Environment;
