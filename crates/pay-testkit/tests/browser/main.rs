//! Browser tests: headless Chromium, driven through chromedriver, completes the fakes'
//! customer pages (payment pages, 3-D Secure challenges, mandate signatures, card forms)
//! and the tests check the fake's state, the notifications and the merchant's return.
//! The harness is in `support`; see `docs/testing.md`.

mod easypay;
mod easytransac;
mod support;
