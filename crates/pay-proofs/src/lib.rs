//! The proof suites behind the README's guarantees. This crate has no library code: its
//! `tests/` are the suites and its `benches/` the adapter benchmarks, each rerun with one
//! command (`docs/reliability.md`, `docs/benchmarks.md`).
//!
//! - `tests/fault_matrix.rs`: every write of both adapters under every fault kind.
//! - `tests/secrets.rs`: full flows with every log at TRACE and every `Debug`/`Display`
//!   collected, searched for secrets.
//! - `tests/bad_input.rs`: invalid inputs refused before any request is sent.
//! - `tests/decoders/`: every decoder of provider input over arbitrary bytes
//!   (`docs/fuzzing.md`).
