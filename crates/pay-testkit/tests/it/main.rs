//! The testkit's own integration tests: real sockets on 127.0.0.1, plain HTTP clients
//! (raw TCP and hyper's), every route of the toy provider and every fault kind.

mod binary;
mod conformance;
mod easypay;
mod easytransac;
mod faults;
mod inspect;
mod server;
#[cfg(feature = "proptest")]
mod strategies;
mod support;
mod webhooks;
