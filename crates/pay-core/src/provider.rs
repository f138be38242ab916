//! Provider identity and environment.

use std::fmt;

/// Which provider an adapter talks to: a short lower-case name (`"easytransac"`,
/// `"easypay"`). A string rather than an enum so a third provider needs no change here.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderId(&'static str);

impl ProviderId {
    /// A provider id. Use a constant in the adapter crate.
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// The name.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Whether a client talks to the provider's sandbox or to production. Adapters also let a
/// base URL be overridden (for `pay-testkit`'s fake servers), which counts as sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// Test money.
    Sandbox,
    /// Real money.
    Production,
}
