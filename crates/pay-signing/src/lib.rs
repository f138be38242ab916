//! Signatures and tokens for the `pay` SDK (not yet implemented).
//!
//! This crate will hold Easytransac's V1 SHA-1 keyed signature (sign and constant-time
//! verify), JWT handling for Easytransac V2 bearer tokens, and Easypay's RSA strong
//! authentication for out-payments. It has no HTTP dependency.
//!
//! It holds no code yet; it lands in its own issue.
