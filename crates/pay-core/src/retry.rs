//! The retry decision, as a pure function: given what happened to an attempt, retry (and
//! when), stop, or declare the outcome ambiguous. Adapters never write their own retry
//! rules; their thin I/O layer asks [`RetryPolicy::decide`].

use std::time::Duration;

/// How often and how patiently to retry.
///
/// The default is 2 retries (3 attempts), exponential backoff from 500 ms capped at 5 s,
/// with full jitter, honouring `Retry-After` up to 30 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// What a call may safely repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallSafety {
    /// A read (GET): repeating it changes nothing.
    Read,
    /// A write the provider de-duplicates by idempotency key (same key on every attempt).
    /// Repeating it cannot apply it twice.
    IdempotentWrite,
    /// A write the provider cannot de-duplicate. Repeated only when it certainly did not
    /// reach the provider.
    UnsafeWrite,
}

/// What happened to one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The request certainly never reached the provider (DNS failure, connection refused,
    /// TLS handshake failure, a local timeout before connecting).
    NotSent,
    /// The request may have reached the provider and no answer came back (timeout after
    /// sending, connection reset, truncated or unreadable answer).
    NoAnswer,
    /// The provider answered with an error status.
    Answered {
        /// The HTTP status.
        status: u16,
        /// The provider's own advice, when it gives it (Easypay `X-Easypay-Should-Retry`).
        should_retry: Option<bool>,
        /// The provider's `Retry-After`, when present.
        retry_after: Option<Duration>,
    },
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Send the same request again (same idempotency key) after this delay.
    Retry {
        /// How long to wait first.
        after: Duration,
    },
    /// Report the error as it is.
    GiveUp,
    /// Report an [`AmbiguousOutcome`](crate::ErrorKind::AmbiguousOutcome): the write may
    /// have happened; reconcile before anything else.
    Ambiguous,
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// A policy with `max_retries` retries, exponential backoff from `base_delay` capped
    /// at `max_delay`.
    pub fn new(max_retries: u32, base_delay: Duration, max_delay: Duration) -> Self {
        Self {
            max_retries,
            base_delay,
            max_delay,
            ..Self::default()
        }
    }

    /// The longest `Retry-After` honoured; a longer one ends the retries (default 30 s).
    #[must_use]
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// How many retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Decides what to do after attempt number `attempt` (1 for the first) failed with
    /// `outcome`. `jitter` is a random number (any `u64`) from the caller, so the function
    /// stays pure and tests are deterministic.
    ///
    /// The rules, in order:
    /// 1. A request that was never sent is retried whatever the call, while retries last.
    /// 2. An unsafe write that may have arrived is never retried: no answer, or a 500,
    ///    502 or 504 (which may come after the provider applied it), is
    ///    [`Decision::Ambiguous`]; any other error status is reported as it is.
    /// 3. Otherwise `X-Easypay-Should-Retry: false` stops, and `true` retries.
    /// 4. Without that advice, retry no answer, 408, 409 (the first request may still be
    ///    running), 425, 429, 502, 503, 504, and 500 for reads only (a 500 answer to a
    ///    keyed write is replayed as it is by the provider).
    /// 5. The delay is full jitter over `base × 2^(attempt-1)` capped at `max_delay`, but
    ///    at least `Retry-After`; a `Retry-After` beyond `max_retry_after` gives up.
    ///
    /// ```
    /// use pay_core::{AttemptOutcome, CallSafety, Decision, RetryPolicy};
    ///
    /// let policy = RetryPolicy::default();
    /// let lost = AttemptOutcome::NoAnswer;
    /// assert_eq!(policy.decide(1, CallSafety::UnsafeWrite, lost, 7), Decision::Ambiguous);
    /// assert!(matches!(policy.decide(1, CallSafety::IdempotentWrite, lost, 7), Decision::Retry { .. }));
    /// assert_eq!(policy.decide(3, CallSafety::IdempotentWrite, lost, 7), Decision::GiveUp);
    /// ```
    pub fn decide(
        &self,
        attempt: u32,
        safety: CallSafety,
        outcome: AttemptOutcome,
        jitter: u64,
    ) -> Decision {
        let retries_left = attempt <= self.max_retries;
        // Rule 2 first: ambiguity does not depend on retries left.
        if safety == CallSafety::UnsafeWrite {
            return match outcome {
                AttemptOutcome::NotSent if retries_left => self.retry(attempt, None, jitter),
                AttemptOutcome::NotSent => Decision::GiveUp,
                AttemptOutcome::NoAnswer => Decision::Ambiguous,
                AttemptOutcome::Answered { status, .. } => {
                    if matches!(status, 500 | 502 | 504) {
                        Decision::Ambiguous
                    } else {
                        Decision::GiveUp
                    }
                }
            };
        }
        if !retries_left {
            return Decision::GiveUp;
        }
        match outcome {
            AttemptOutcome::NotSent | AttemptOutcome::NoAnswer => self.retry(attempt, None, jitter),
            AttemptOutcome::Answered {
                status,
                should_retry,
                retry_after,
            } => {
                let retryable = match should_retry {
                    Some(advice) => advice,
                    None => match status {
                        408 | 409 | 425 | 429 | 502 | 503 | 504 => true,
                        500 => safety == CallSafety::Read,
                        _ => false,
                    },
                };
                if !retryable {
                    return Decision::GiveUp;
                }
                if retry_after.is_some_and(|d| d > self.max_retry_after) {
                    return Decision::GiveUp;
                }
                self.retry(attempt, retry_after, jitter)
            }
        }
    }

    fn retry(&self, attempt: u32, retry_after: Option<Duration>, jitter: u64) -> Decision {
        let exp = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let jittered = Duration::from_millis(jitter % ceiling_ms.saturating_add(1));
        let after = retry_after.map_or(jittered, |ra| ra.max(jittered));
        Decision::Retry { after }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answered(status: u16) -> AttemptOutcome {
        AttemptOutcome::Answered {
            status,
            should_retry: None,
            retry_after: None,
        }
    }

    #[test]
    fn unsafe_writes_are_never_repeated_once_they_may_have_arrived() {
        let p = RetryPolicy::default();
        for outcome in [
            AttemptOutcome::NoAnswer,
            answered(500),
            answered(502),
            answered(504),
        ] {
            assert_eq!(
                p.decide(1, CallSafety::UnsafeWrite, outcome, 0),
                Decision::Ambiguous,
                "{outcome:?}"
            );
        }
        for status in [400, 401, 403, 404, 409, 429, 503] {
            assert_eq!(
                p.decide(1, CallSafety::UnsafeWrite, answered(status), 0),
                Decision::GiveUp
            );
        }
        // Even with the provider's advice to retry.
        let advised = AttemptOutcome::Answered {
            status: 503,
            should_retry: Some(true),
            retry_after: None,
        };
        assert_eq!(
            p.decide(1, CallSafety::UnsafeWrite, advised, 0),
            Decision::GiveUp
        );
        assert!(matches!(
            p.decide(1, CallSafety::UnsafeWrite, AttemptOutcome::NotSent, 0),
            Decision::Retry { .. }
        ));
        assert_eq!(
            p.decide(3, CallSafety::UnsafeWrite, AttemptOutcome::NotSent, 0),
            Decision::GiveUp
        );
    }

    #[test]
    fn status_table_for_safe_calls() {
        let p = RetryPolicy::default();
        let retries = |safety, status| {
            matches!(
                p.decide(1, safety, answered(status), 0),
                Decision::Retry { .. }
            )
        };
        for status in [408, 409, 425, 429, 502, 503, 504] {
            assert!(retries(CallSafety::Read, status), "{status}");
            assert!(retries(CallSafety::IdempotentWrite, status), "{status}");
        }
        assert!(retries(CallSafety::Read, 500));
        assert!(!retries(CallSafety::IdempotentWrite, 500));
        for status in [400, 401, 403, 404, 412, 422] {
            assert!(!retries(CallSafety::Read, status), "{status}");
        }
    }

    #[test]
    fn provider_advice_and_retry_after() {
        let p = RetryPolicy::default();
        let with = |should_retry, retry_after| AttemptOutcome::Answered {
            status: 503,
            should_retry,
            retry_after,
        };
        assert_eq!(
            p.decide(1, CallSafety::Read, with(Some(false), None), 0),
            Decision::GiveUp
        );
        let advised = AttemptOutcome::Answered {
            status: 400,
            should_retry: Some(true),
            retry_after: None,
        };
        assert!(matches!(
            p.decide(1, CallSafety::Read, advised, 0),
            Decision::Retry { .. }
        ));
        assert_eq!(
            p.decide(
                1,
                CallSafety::Read,
                with(None, Some(Duration::from_secs(7))),
                0
            ),
            Decision::Retry {
                after: Duration::from_secs(7)
            }
        );
        assert_eq!(
            p.decide(
                1,
                CallSafety::Read,
                with(None, Some(Duration::from_secs(31))),
                0
            ),
            Decision::GiveUp
        );
        assert_eq!(
            RetryPolicy::none().decide(1, CallSafety::Read, answered(503), 0),
            Decision::GiveUp
        );
    }

    proptest! {
        #[test]
        fn delays_stay_under_the_exponential_cap(attempt in 1u32..=2, jitter in any::<u64>()) {
            let p = RetryPolicy::default();
            match p.decide(attempt, CallSafety::Read, AttemptOutcome::NoAnswer, jitter) {
                Decision::Retry { after } => {
                    let cap = Duration::from_millis(500 * (1 << (attempt - 1))).min(Duration::from_secs(5));
                    prop_assert!(after <= cap);
                }
                other => prop_assert!(false, "expected a retry, got {:?}", other),
            }
        }

        #[test]
        fn attempts_are_bounded(max in 0u32..5, attempt in 1u32..10, jitter in any::<u64>()) {
            let p = RetryPolicy::new(max, Duration::from_millis(10), Duration::from_millis(100));
            let d = p.decide(attempt, CallSafety::Read, AttemptOutcome::NoAnswer, jitter);
            prop_assert_eq!(matches!(d, Decision::Retry { .. }), attempt <= max);
        }
    }
}
