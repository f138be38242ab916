//! Every decoder of provider input over arbitrary bytes (issue 13, item 4): property tests
//! on stable Rust with proptest, one property per decoder, each asserting that the
//! decoder never panics and either decodes or returns a typed error.
//!
//! These properties are the fuzzing every `cargo test` runs; the coverage-guided
//! cargo-fuzz targets in `fuzz/` (one per decoder, the long run of 10^6 executions each)
//! reach the same decoders. Inputs here are mostly mutations of the documented bodies in
//! `fixtures/*/examples/` and structured JSON built from the documented field names, so
//! parsing gets past the first byte; uniform bytes are one strategy among several.
//!
//! `PAY_FUZZ_CASES` sets the cases per property (256 by default, the CI run); the long
//! run and its figures are in `docs/fuzzing.md`.
// Each property prints one line (its case count, duration and how deep the cases got)
// so the long run's figures can be copied into docs/fuzzing.md; `cargo test` hides it
// unless `--nocapture` is given.
#![allow(clippy::print_stdout)]

mod easypay;
mod easytransac;
mod loopback;
mod money;
mod signing;
mod support;
