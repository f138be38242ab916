//! The provider fakes the `pay-testkit` binary can serve, by name.
//!
//! Each provider fake adds one [`Entry`] to [`AVAILABLE`] when it lands; `pay-testkit
//! serve` refuses any other name and lists what it can serve.

use std::fmt;

use crate::provider::FakeProvider;

/// One servable provider fake.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The name given to `--provider`.
    pub name: &'static str,
    /// One line about it.
    pub description: &'static str,
    /// What a client appends to the server's address to get its base URL (`/2.0` for
    /// Easypay, whose API lives under that path; empty for Easytransac).
    pub client_path: &'static str,
    /// Makes a fresh fake.
    pub make: fn() -> Box<dyn FakeProvider>,
}

/// Every provider fake the binary can serve.
pub const AVAILABLE: &[Entry] = &[
    Entry {
        name: "easytransac",
        description: "Easytransac V1 + V2 (API key: et_test_pay-testkit-fake-key)",
        client_path: "",
        make: || Box::new(crate::easytransac::EasytransacFake::with_test_key()),
    },
    Entry {
        name: "easypay",
        description: "Easypay API 2.0 under /2.0 (sandbox AccountId: 2b0f63e2-9fb5-4e52-aca0-b4bf0339bbe6, ApiKey: eae4aa59-8e5b-4ec2-887d-b02768481a92)",
        client_path: crate::easypay::BASE_PATH,
        make: || {
            Box::new(crate::easypay::EasypayFake::new(
                crate::easypay::EasypayConfig::sandbox(),
            ))
        },
    },
];

/// Names of [`AVAILABLE`] providers.
pub fn names() -> Vec<&'static str> {
    AVAILABLE.iter().map(|entry| entry.name).collect()
}

/// A fresh fake of the provider called `name` (ignoring case).
///
/// # Errors
/// [`UnknownProvider`] when no such fake is available.
pub fn make(name: &str) -> Result<Box<dyn FakeProvider>, UnknownProvider> {
    lookup(AVAILABLE, name)
}

/// A fresh fake of the provider called `name` for `pay-testkit serve`: notifications
/// sent to `notify_url` when given, and `clock` as the clock its scenario controls may
/// advance. Providers without such settings are made as [`make`] makes them.
///
/// # Errors
/// [`UnknownProvider`] when no such fake is available.
pub fn make_for_serving(
    name: &str,
    notify_url: Option<&str>,
    clock: &pay_core::ManualClock,
) -> Result<Box<dyn FakeProvider>, UnknownProvider> {
    if name.eq_ignore_ascii_case("easytransac") {
        let mut config = crate::easytransac::EasytransacConfig::new(secrecy::SecretString::from(
            crate::easytransac::TEST_API_KEY,
        ))
        .control_clock(clock.clone());
        if let Some(url) = notify_url {
            config = config.notification_url(url);
        }
        return Ok(Box::new(crate::easytransac::EasytransacFake::new(config)));
    }
    if name.eq_ignore_ascii_case("easypay") {
        // Out-payments verified with the documented test key; notifications to the URL.
        if let Ok(config) = crate::easypay::EasypayConfig::for_serving(notify_url, None) {
            return Ok(Box::new(crate::easypay::EasypayFake::new(config)));
        }
    }
    make(name)
}

fn lookup(entries: &[Entry], name: &str) -> Result<Box<dyn FakeProvider>, UnknownProvider> {
    entries
        .iter()
        .find(|entry| entry.name.eq_ignore_ascii_case(name))
        .map(|entry| (entry.make)())
        .ok_or_else(|| UnknownProvider {
            requested: name.to_owned(),
            available: entries.iter().map(|entry| entry.name).collect(),
        })
}

/// No provider fake has that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProvider {
    requested: String,
    available: Vec<&'static str>,
}

impl UnknownProvider {
    /// The name asked for.
    pub fn requested(&self) -> &str {
        &self.requested
    }

    /// The names that are available.
    pub fn available(&self) -> &[&'static str] {
        &self.available
    }
}

impl fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no provider fake called `{}` is available",
            self.requested
        )?;
        if self.available.is_empty() {
            write!(f, "; no provider fakes are available")
        } else {
            write!(f, "; available providers: {}", self.available.join(", "))
        }
    }
}

impl std::error::Error for UnknownProvider {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Ledger;

    #[test]
    fn unknown_names_list_what_is_available() {
        let fake = make("EasyTransac").map(|p| p.name());
        assert_eq!(fake, Ok("easytransac"));
        assert!(names().contains(&"easytransac"));
        assert!(
            AVAILABLE
                .iter()
                .any(|e| e.description.contains(crate::easytransac::TEST_API_KEY))
        );

        let err = make("stripe").map(|p| p.name()).unwrap_err();
        assert_eq!(err.requested(), "stripe");
        assert!(err.available().contains(&"easytransac"));
        assert!(
            err.to_string().starts_with(
                "no provider fake called `stripe` is available; available providers: "
            )
        );

        let err = lookup(&[], "easytransac").map(|p| p.name()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no provider fake called `easytransac` is available; no provider fakes are available"
        );

        let entries = [Entry {
            name: "ledger",
            description: "toy",
            client_path: "",
            make: || Box::new(Ledger::new()),
        }];
        assert_eq!(lookup(&entries, "LEDGER").map(|p| p.name()), Ok("ledger"));
        let err = lookup(&entries, "easypay").map(|p| p.name()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no provider fake called `easypay` is available; available providers: ledger"
        );
    }
}
