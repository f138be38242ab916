//! Integration tests for pay-signing: provider vectors from `fixtures/`, redaction, and properties.

mod easypay;
mod easytransac;
mod jwt;
mod properties;
mod redaction;
mod support;
