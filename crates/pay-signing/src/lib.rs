//! Signatures and tokens for the `pay` SDK: pure functions over bytes, keys and a caller-supplied "now".
//!
//! # What it does
//!
//! - [`easytransac`]: the Easytransac V1 keyed SHA-1 signature, exactly as the
//!   provider's PHP computes it (case folding, PHP 8 `ksort`, one level of nesting,
//!   PHP value stringification). Sign request bodies; verify API responses (the
//!   signature covers `Result`) and PUSH notifications (form-encoded with
//!   `Client[Id]=…` nesting, or JSON), in constant time.
//! - [`jwt`]: read the expiry of Easytransac V2 bearer tokens without trusting them,
//!   decide when to refresh them, and issue/verify HS256 tokens (for fake servers).
//! - [`easypay`]: Easypay out-payment strong authentication, RSASSA-PKCS1-v1_5 with
//!   SHA-256 over the exact body bytes, with the body's `timestamp` stamped from the
//!   caller's clock; plus the verifying side and the ±60 s timestamp check.
//! - [`json`]: a strict one-pass reader of JSON objects borrowing from its input, with
//!   which an Easytransac V1 answer is read once for its `Code`, its `Signature` and
//!   the `Result` it decodes (`serde_json` decides whatever the reader leaves in doubt).
//!
//! Keys and tokens are [`secrecy`] types; no `Debug` output of this crate shows key
//! material, tokens, or signed values. Comparisons of signatures are constant-time.
//!
//! # What it does not do
//!
//! No HTTP, no I/O, no clock reads, no global state, no logging: adapters send the
//! bytes, pass in `SystemTime`s, and map [`Error`] into their own errors. It does not
//! decrypt password-protected keys ([`Error::EncryptedKey`]), and it does not guess:
//! inputs the providers' formats do not define (an Easytransac payload nested two
//! levels deep, a key order PHP itself would settle arbitrarily) are typed errors.
//!
//! # Example
//!
//! Sign an Easytransac V1 request, then check it the way the provider would.
//!
//! ```
//! use pay_signing::easytransac::{self, Params};
//! use secrecy::SecretString;
//!
//! let api_key = SecretString::from("fake-api-key");
//! let params = Params::new()
//!     .with("Amount", 1250)
//!     .with("OrderId", "order-42")
//!     .with("Email", "jane@example.com")
//!     .with("3DS", "yes");
//! let signature = easytransac::sign(&params, &api_key)?;
//! assert_eq!(signature.as_str().len(), 40);
//!
//! // The provider recomputes it over the same fields, whatever their order or case.
//! let received = Params::from_form(&[
//!     ("email", "jane@example.com"),
//!     ("3ds", "yes"),
//!     ("orderid", "order-42"),
//!     ("amount", "1250"),
//! ])?;
//! easytransac::verify(&received, &api_key, signature.as_str())?;
//! # Ok::<(), pay_signing::Error>(())
//! ```
#![doc(test(attr(deny(warnings))))]

pub mod easypay;
pub mod easytransac;
mod error;
pub mod hmac;
pub mod json;
pub mod jwt;
mod php;

pub use error::{Error, JwtProblem, KeyProblem, Source};

#[cfg(test)]
mod tests {
    #[test]
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<crate::Error>();
        check::<crate::easytransac::Params>();
        check::<crate::easytransac::Signature>();
        check::<crate::easypay::RsaSigningKey>();
        check::<crate::easypay::RsaVerifyingKey>();
        check::<crate::easypay::SignedBody>();
        check::<crate::jwt::JwtSecret>();
        check::<crate::jwt::TokenClaims>();
    }
}
