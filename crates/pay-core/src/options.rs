//! Per-call options: idempotency key, timeout, retry override and provider-specific extras.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::ids::IdempotencyKey;
use crate::retry::RetryPolicy;

/// A provider-specific field value passed through [`CallOptions::extra`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtraValue {
    /// Text.
    Text(String),
    /// An integer.
    Integer(i64),
    /// A boolean (written `yes`/`no` for Easytransac V1).
    Bool(bool),
}

/// Options for one call. The default is what most calls want: the client's timeout and
/// retry policy, and for writes at providers with idempotency keys, a key the adapter
/// generates once for the call and reuses on every attempt.
///
/// ```
/// use std::time::Duration;
/// use pay_core::{CallOptions, ExtraValue, IdempotencyKey, RetryPolicy};
///
/// let opts = CallOptions::new()
///     .idempotency_key(IdempotencyKey::new("order-42-create")?)
///     .timeout(Duration::from_secs(20))
///     .retry(RetryPolicy::none())
///     .extra("3DS", ExtraValue::Bool(true));
/// assert_eq!(opts.idempotency_key.as_ref().unwrap().as_str(), "order-42-create");
/// # Ok::<(), pay_core::ValidationError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// The idempotency key for a write; reuse it when you retry the same logical operation
    /// yourself (after a crash, say). Ignored by providers without idempotency support.
    pub idempotency_key: Option<IdempotencyKey>,
    /// The deadline for the whole call, retries included. `None`: the client's default.
    pub timeout: Option<Duration>,
    /// Overrides the client's retry policy for this call.
    pub retry: Option<RetryPolicy>,
    /// Provider-specific request fields the neutral model does not name, by the
    /// provider's field name. Adapters validate them against their API description and
    /// refuse unknown names.
    pub extra: BTreeMap<String, ExtraValue>,
}

impl std::fmt::Debug for CallOptions {
    /// Shows the names of the provider-specific fields, not their values: callers may pass
    /// anything there, secrets included.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallOptions")
            .field("idempotency_key", &self.idempotency_key)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl CallOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the idempotency key.
    #[must_use]
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Sets the overall deadline.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Overrides the retry policy.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Adds a provider-specific field.
    #[must_use]
    pub fn extra(mut self, name: impl Into<String>, value: ExtraValue) -> Self {
        self.extra.insert(name.into(), value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_names_extra_fields_without_their_values() {
        let opts = CallOptions::new()
            .extra(
                "ClientId",
                ExtraValue::Text("secret-client-token".to_owned()),
            )
            .extra("SaveCard", ExtraValue::Bool(true));
        let shown = format!("{opts:?}");
        assert!(shown.contains("\"ClientId\""), "{shown}");
        assert!(shown.contains("\"SaveCard\""), "{shown}");
        assert!(!shown.contains("secret-client-token"), "{shown}");
    }

    #[test]
    fn builders_set_what_they_name() {
        let key = IdempotencyKey::new("order-1-create").unwrap();
        let policy = RetryPolicy::new(5, Duration::from_millis(10), Duration::from_secs(1));
        let opts = CallOptions::new()
            .idempotency_key(key.clone())
            .timeout(Duration::from_secs(7))
            .retry(policy)
            .extra("Lang", ExtraValue::Text("fr".to_owned()));
        assert_eq!(opts.idempotency_key, Some(key));
        assert_eq!(opts.timeout, Some(Duration::from_secs(7)));
        assert_eq!(opts.retry, Some(policy));
        assert_eq!(
            opts.extra.get("Lang"),
            Some(&ExtraValue::Text("fr".to_owned()))
        );
        assert!(format!("{opts:?}").contains("order-1-create"));
    }
}
