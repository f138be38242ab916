//! Integration tests of the Easypay adapter crate: the generated wire types read our
//! fixture bodies exactly, keep unknown values, validate requests and write exact JSON;
//! the client calls every operation against pay-testkit's fake on loopback.

mod conformance;
mod faults;
mod logs;
mod neutral;
mod notifications;
mod operations;
mod sandbox;
mod support;
mod wire;
