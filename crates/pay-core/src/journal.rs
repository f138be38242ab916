//! The write journal's contract: what a transport records before a write leaves
//! ([`JournalEntry`]), how it settles it when the answer arrives ([`Settlement`]), and the
//! store that keeps both durably ([`WriteJournal`], implemented by `pay-journal` on SQLite
//! and PostgreSQL).
//!
//! The order is the guarantee: a transport with a journal records the entry (state
//! `pending`) **before** the first byte of the write is sent, and sends nothing when the
//! record cannot be written ([`ErrorKind::JournalUnavailable`](crate::ErrorKind::JournalUnavailable)).
//! So a process that dies at any later point leaves an entry that recovery can settle by
//! asking the provider, and no write is ever forgotten.

use std::fmt;
use std::time::SystemTime;

use async_trait::async_trait;

use crate::{
    ErrorKind, IdempotencyKey, MerchantReference, Method, PayError, ProviderId, RedactedBody,
    RequestId,
};

/// One write as recorded before it is sent. Holds no secret: the request summary has been
/// through the transport's [`Redactor`](crate::Redactor) (keys, signatures, card numbers,
/// IBANs and phone numbers removed or masked).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JournalEntry {
    /// Which provider.
    pub provider: ProviderId,
    /// The operation id (`single_create`, `v1_payment_direct`…).
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The request path, relative to the provider's base URL (no query).
    pub path: String,
    /// The merchant's reference, when the adapter named one.
    pub reference: Option<MerchantReference>,
    /// The idempotency key every attempt sends, for keyed writes.
    pub idempotency_key: Option<IdempotencyKey>,
    /// The request body, redacted.
    pub summary: Option<RedactedBody>,
    /// When it was recorded, by the transport's clock.
    pub at: SystemTime,
}

impl JournalEntry {
    /// An entry for `operation` of `provider` on `path`, recorded `at`.
    pub fn new(
        provider: ProviderId,
        operation: &'static str,
        method: Method,
        path: impl Into<String>,
        at: SystemTime,
    ) -> Self {
        Self {
            provider,
            operation,
            method,
            path: path.into(),
            reference: None,
            idempotency_key: None,
            summary: None,
            at,
        }
    }

    /// Sets the merchant reference.
    #[must_use]
    pub fn with_reference(mut self, reference: Option<MerchantReference>) -> Self {
        self.reference = reference;
        self
    }

    /// Sets the idempotency key.
    #[must_use]
    pub fn with_idempotency_key(mut self, key: Option<IdempotencyKey>) -> Self {
        self.idempotency_key = key;
        self
    }

    /// Sets the redacted request body.
    #[must_use]
    pub fn with_summary(mut self, summary: Option<RedactedBody>) -> Self {
        self.summary = summary;
        self
    }
}

/// The journal's handle on one recorded entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JournalId(i64);

impl JournalId {
    /// The store's row id.
    pub const fn new(id: i64) -> Self {
        Self(id)
    }

    /// The row id.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for JournalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How a recorded write ended, as far as the caller can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Settlement {
    /// The provider answered with a success.
    Succeeded {
        /// The HTTP status.
        status: u16,
        /// The provider's request id, when it sends one.
        request_id: Option<RequestId>,
        /// The answer, redacted (the journal keeps the provider's ids from it, not the
        /// body).
        answer: RedactedBody,
    },
    /// The provider answered with an error, or the write certainly never left: it was
    /// not applied.
    Failed {
        /// The HTTP status, when there was an answer.
        status: Option<u16>,
        /// The error, as [`PayError`]'s `Display` shows it (no secrets).
        error: String,
    },
    /// It may or may not have been applied (the answer was lost, unreadable, or a server
    /// error the provider may have stored): recovery must ask the provider.
    Ambiguous {
        /// The error, as [`PayError`]'s `Display` shows it.
        error: String,
    },
}

impl Settlement {
    /// What an error of a write means for its entry: `Failed` when the provider answered
    /// (and the answer is readable and not ambiguous) or the write was refused before
    /// anything was sent, `Ambiguous` otherwise (a lost answer, a timeout, an unreadable
    /// body: the write may have happened).
    pub fn of_error(err: &PayError) -> Self {
        let error = err.to_string();
        let before_sending = matches!(
            err.kind(),
            ErrorKind::InvalidRequest(_)
                | ErrorKind::Configuration { .. }
                | ErrorKind::JournalUnavailable { .. }
        ) && err.http_status().is_none();
        let answered = err.http_status().is_some()
            && !matches!(
                err.kind(),
                ErrorKind::AmbiguousOutcome { .. } | ErrorKind::Decode { .. }
            );
        if before_sending || answered {
            Settlement::Failed {
                status: err.http_status(),
                error,
            }
        } else {
            Settlement::Ambiguous { error }
        }
    }

    /// The state name the journal stores: `succeeded`, `failed` or `ambiguous`.
    pub fn state(&self) -> &'static str {
        match self {
            Settlement::Succeeded { .. } => "succeeded",
            Settlement::Failed { .. } => "failed",
            Settlement::Ambiguous { .. } => "ambiguous",
        }
    }
}

/// A durable store of writes: [`record`](Self::record) before sending,
/// [`settle`](Self::settle) after the answer. `pay-journal` implements it on SQLite and
/// PostgreSQL; transports call it (`TransportBuilder::journal` in `pay-http`).
#[async_trait]
pub trait WriteJournal: Send + Sync + fmt::Debug {
    /// Records `entry` as `pending` and returns its id. It must be durable when this
    /// returns: the write is sent only afterwards.
    ///
    /// # Errors
    /// When the store cannot be written; the transport then sends nothing.
    async fn record(&self, entry: &JournalEntry) -> Result<JournalId, PayError>;

    /// Settles a `pending` entry.
    ///
    /// # Errors
    /// When the store cannot be written. The call's own result is returned to the caller
    /// anyway; the entry stays `pending` until recovery settles it.
    async fn settle(&self, id: JournalId, settlement: &Settlement) -> Result<(), PayError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_settle_as_failed_or_ambiguous() {
        let answered =
            PayError::new(ErrorKind::Declined { decline_code: None }).with_http_status(402);
        assert_eq!(Settlement::of_error(&answered).state(), "failed");
        let lost = PayError::new(ErrorKind::AmbiguousOutcome { reference: None });
        assert_eq!(Settlement::of_error(&lost).state(), "ambiguous");
        let server =
            PayError::new(ErrorKind::AmbiguousOutcome { reference: None }).with_http_status(500);
        assert_eq!(Settlement::of_error(&server).state(), "ambiguous");
        let unreadable = PayError::new(ErrorKind::Decode {
            location: "body".to_owned(),
        })
        .with_http_status(200);
        assert_eq!(Settlement::of_error(&unreadable).state(), "ambiguous");
        let timeout = PayError::new(ErrorKind::Timeout);
        assert_eq!(Settlement::of_error(&timeout).state(), "ambiguous");
        let config = PayError::new(ErrorKind::Configuration {
            reason: "x".to_owned(),
        });
        assert_eq!(Settlement::of_error(&config).state(), "failed");
    }

    #[test]
    fn entries_and_ids() {
        let entry = JournalEntry::new(
            ProviderId::new("p"),
            "op",
            Method::Post,
            "/x",
            SystemTime::UNIX_EPOCH,
        )
        .with_reference(Some(MerchantReference::new("o-1").unwrap()));
        assert_eq!(entry.reference.unwrap().as_str(), "o-1");
        assert_eq!(JournalId::new(7).get(), 7);
        assert_eq!(JournalId::new(7).to_string(), "7");
    }
}
