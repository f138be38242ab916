//! pay-http's one integration-test binary: the real transport against pay-testkit's toy
//! `Ledger` on 127.0.0.1:0, with every fault the testkit can inject.

mod evidence;
mod faults;
mod idempotency;
mod journal;
mod logs;
mod pins;
mod support;
