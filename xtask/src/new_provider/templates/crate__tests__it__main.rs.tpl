//! Integration tests of {crate}: one binary, one module per area.

mod conformance;
mod operations;
