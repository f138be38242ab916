//! Integration tests of the Easytransac adapter crate: the generated wire types read our
//! fixture bodies exactly, keep unknown values, validate requests and write exact JSON;
//! the client against pay-testkit's Easytransac fake on loopback.

mod client;
mod faults;
mod neutral;
mod sandbox;
mod support;
mod wire;
