//! Integration tests for pay-signing: provider vectors from `fixtures/`, redaction, and properties.

mod easypay;
mod easytransac;
mod easytransac_pins;
mod jwt;
mod pins;
mod properties;
mod redaction;
mod support;
