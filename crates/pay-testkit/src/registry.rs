//! The provider fakes the `pay-testkit` binary can serve, by name.
//!
//! There is no list here to edit: each provider fake declares its own [`Entry`] (`SERVE` in
//! its module), and `cargo xtask codegen` collects one per `fixtures/<provider>/api.yaml`
//! into [`AVAILABLE`] (the generated `fakes.rs`). `pay-testkit serve` refuses any other name
//! and lists what it can serve.

use std::fmt;

use pay_core::ManualClock;

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
    /// Makes a fresh fake with its defaults.
    pub make: fn() -> Box<dyn FakeProvider>,
    /// Makes a fresh fake for `pay-testkit serve`: notifications to the URL when given, and
    /// the clock its scenario controls may advance.
    pub serve: fn(Option<&str>, &ManualClock) -> Box<dyn FakeProvider>,
}

/// Every provider fake the binary can serve, in name order (generated: one per described
/// provider).
pub const AVAILABLE: &[Entry] = crate::fakes::ENTRIES;

/// Names of [`AVAILABLE`] providers.
pub fn names() -> Vec<&'static str> {
    AVAILABLE.iter().map(|entry| entry.name).collect()
}

/// A fresh fake of the provider called `name` (ignoring case).
///
/// # Errors
/// [`UnknownProvider`] when no such fake is available.
pub fn make(name: &str) -> Result<Box<dyn FakeProvider>, UnknownProvider> {
    find(AVAILABLE, name).map(|entry| (entry.make)())
}

/// A fresh fake of the provider called `name` for `pay-testkit serve`: notifications
/// sent to `notify_url` when given, and `clock` as the clock its scenario controls may
/// advance. Each fake decides what those mean for it ([`Entry::serve`]).
///
/// # Errors
/// [`UnknownProvider`] when no such fake is available.
pub fn make_for_serving(
    name: &str,
    notify_url: Option<&str>,
    clock: &ManualClock,
) -> Result<Box<dyn FakeProvider>, UnknownProvider> {
    find(AVAILABLE, name).map(|entry| (entry.serve)(notify_url, clock))
}

/// The entry called `name` (ignoring case).
///
/// # Errors
/// [`UnknownProvider`] when no such fake is available.
pub fn entry(name: &str) -> Result<&'static Entry, UnknownProvider> {
    find(AVAILABLE, name)
}

fn find<'a>(entries: &'a [Entry], name: &str) -> Result<&'a Entry, UnknownProvider> {
    entries
        .iter()
        .find(|entry| entry.name.eq_ignore_ascii_case(name))
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

    /// The table is the described providers, in name order, each made by its own entry.
    #[test]
    fn every_described_provider_is_available() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        let mut described: Vec<String> = std::fs::read_dir(fixtures)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().join("api.yaml").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        described.sort();
        assert_eq!(names(), described);
        let clock = ManualClock::new(pay_core::from_unix_seconds(1_700_000_000));
        for entry in AVAILABLE {
            assert_eq!((entry.make)().name(), entry.name);
            assert_eq!((entry.serve)(None, &clock).name(), entry.name);
            assert_eq!(
                make_for_serving(entry.name, None, &clock).map(|p| p.name()),
                Ok(entry.name)
            );
            assert!(entry.client_path.is_empty() || entry.client_path.starts_with('/'));
            assert!(!entry.description.is_empty());
        }
        assert_eq!(entry("EASYPAY").map(|e| e.name), Ok("easypay"));
    }

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

        let err = find(&[], "easytransac").map(|e| e.name).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no provider fake called `easytransac` is available; no provider fakes are available"
        );

        let entries = [Entry {
            name: "ledger",
            description: "toy",
            client_path: "",
            make: || Box::new(Ledger::new()),
            serve: |_, _| Box::new(Ledger::new()),
        }];
        assert_eq!(
            find(&entries, "LEDGER").map(|e| (e.make)().name()),
            Ok("ledger")
        );
        let err = find(&entries, "easypay").map(|e| e.name).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no provider fake called `easypay` is available; available providers: ledger"
        );
    }
}
