//! What the journal holds: an [`Entry`] per recorded write, in a [`State`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use pay_core::{JournalId, Money};

/// Where a recorded write stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Recorded, not settled: it may not have been sent, or its answer never arrived.
    Pending,
    /// The provider answered with a success (or recovery found it applied).
    Succeeded,
    /// The provider refused it, or recovery found it was never applied.
    Failed,
    /// It may or may not have been applied; recovery must ask the provider.
    Ambiguous,
}

impl State {
    /// The name stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::Ambiguous => "ambiguous",
        }
    }

    /// The state named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => State::Pending,
            "succeeded" => State::Succeeded,
            "failed" => State::Failed,
            "ambiguous" => State::Ambiguous,
            _ => return None,
        })
    }

    /// Whether recovery still has to settle it.
    pub fn is_open(self) -> bool {
        matches!(self, State::Pending | State::Ambiguous)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded write, as read back from the store. Holds no secret (the summary was
/// redacted before it was stored).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The row id.
    pub id: JournalId,
    /// The provider's name (`easypay`, `easytransac`).
    pub provider: String,
    /// The operation id.
    pub operation: String,
    /// The HTTP method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The merchant reference, when the request named one.
    pub reference: Option<String>,
    /// The idempotency key, for keyed writes.
    pub idempotency_key: Option<String>,
    /// The amount the request asked for, exactly, when it had one.
    pub amount: Option<Money>,
    /// The redacted request body.
    pub summary: Option<String>,
    /// Where it stands.
    pub state: State,
    /// The HTTP status of the answer, when there was one.
    pub http_status: Option<u16>,
    /// The provider's ids from the answer (`id`, `Tid`…) or found by recovery
    /// (`payment`).
    pub provider_ids: BTreeMap<String, String>,
    /// The provider's request id.
    pub request_id: Option<String>,
    /// The error, or what recovery found.
    pub detail: Option<String>,
    /// When it was recorded.
    pub recorded_at: SystemTime,
    /// When it was settled.
    pub settled_at: Option<SystemTime>,
    /// Who settled it: `call` (the answer) or `recover`.
    pub settled_by: Option<String>,
}
