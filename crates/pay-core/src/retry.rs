//! The retry decision, as a pure function: given what happened to an attempt, retry (and
//! when), stop, or declare the outcome ambiguous. Adapters never write their own retry
//! rules; their thin I/O layer asks [`RetryPolicy::decide`].

use std::time::Duration;

use crate::operation::{CallSafety, Method, RetryRules};

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

    /// Decides what to do after attempt number `attempt` (1 for the first) of a `method`
    /// call of `safety` failed with `outcome`, under the provider's documented `rules`.
    /// `jitter` is a random number (any `u64`) from the caller, so the function stays pure
    /// and tests are deterministic.
    ///
    /// The rules, in order:
    /// 1. A request that was never sent is retried whatever the call, while retries last.
    /// 2. An unsafe write that may have arrived is never retried: no answer, a 408, or any
    ///    5xx (a gateway's 502, 503 or 524 can come after the provider applied it; nothing
    ///    guarantees it did not) is [`Decision::Ambiguous`]; a 4xx answer is reported as
    ///    it is (the provider refused it).
    /// 3. A keyed write answered with a server error that the provider stores under the key
    ///    and that its rules do not retry (Easypay: a `POST`'s 500, replayed for 24 h) is
    ///    [`Decision::Ambiguous`]: repeating it would only replay the stored answer, and the
    ///    write may have been applied.
    /// 4. Otherwise the provider's advice header (`X-Easypay-Should-Retry`) decides when
    ///    present; without it, `rules` decide: no answer when
    ///    [`retry_on_no_response`](RetryRules::retry_on_no_response), the
    ///    [`retry_statuses`](RetryRules::retry_statuses), and 500 except for the
    ///    [`no_retry_500_methods`](RetryRules::no_retry_500_methods).
    /// 5. Retries stop after [`max_retries`](Self::max_retries), or the provider's
    ///    [`max_attempts`](RetryRules::max_attempts) if fewer.
    /// 6. The delay is full jitter over `base × 2^(attempt-1)` capped at `max_delay`, but
    ///    at least `Retry-After`; a `Retry-After` beyond `max_retry_after` gives up.
    ///
    /// ```
    /// use pay_core::{AttemptOutcome, CallSafety, Decision, Method, RetryPolicy, RetryRules};
    ///
    /// let policy = RetryPolicy::default();
    /// let rules = RetryRules::GENERIC;
    /// let lost = AttemptOutcome::NoAnswer;
    /// let decide = |safety, attempt| policy.decide(&rules, Method::Post, safety, attempt, lost, 7);
    /// assert_eq!(decide(CallSafety::UnsafeWrite, 1), Decision::Ambiguous);
    /// assert!(matches!(decide(CallSafety::IdempotentWrite, 1), Decision::Retry { .. }));
    /// assert_eq!(decide(CallSafety::IdempotentWrite, 3), Decision::GiveUp);
    /// ```
    pub fn decide(
        &self,
        rules: &RetryRules,
        method: Method,
        safety: CallSafety,
        attempt: u32,
        outcome: AttemptOutcome,
        jitter: u64,
    ) -> Decision {
        let max_retries = rules.max_attempts.map_or(self.max_retries, |cap| {
            self.max_retries.min(cap.saturating_sub(1))
        });
        let retries_left = attempt <= max_retries;
        // Rules 2 and 3 first: ambiguity does not depend on retries left.
        if safety == CallSafety::UnsafeWrite {
            return match outcome {
                AttemptOutcome::NotSent if retries_left => self.retry(attempt, None, jitter),
                AttemptOutcome::NotSent => Decision::GiveUp,
                AttemptOutcome::NoAnswer => Decision::Ambiguous,
                AttemptOutcome::Answered { status, .. } => {
                    if status == 408 || status >= 500 {
                        Decision::Ambiguous
                    } else {
                        Decision::GiveUp
                    }
                }
            };
        }
        if let AttemptOutcome::Answered { status, .. } = outcome
            && safety == CallSafety::IdempotentWrite
            && status >= 500
            && rules.stores_answer(status)
            && !rules.retries_status(method, status)
        {
            return Decision::Ambiguous;
        }
        if !retries_left {
            return Decision::GiveUp;
        }
        match outcome {
            AttemptOutcome::NotSent => self.retry(attempt, None, jitter),
            AttemptOutcome::NoAnswer if rules.retry_on_no_response => {
                self.retry(attempt, None, jitter)
            }
            AttemptOutcome::NoAnswer => Decision::GiveUp,
            AttemptOutcome::Answered {
                status,
                should_retry,
                retry_after,
            } => {
                let retryable =
                    should_retry.unwrap_or_else(|| rules.retries_status(method, status));
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

    /// Easypay's documented rules, as its API description states them.
    const EASYPAY: RetryRules = RetryRules {
        advice_header: Some("X-Easypay-Should-Retry"),
        retry_statuses: &[409, 429, 502, 503],
        no_retry_500_methods: &[Method::Post],
        retry_on_no_response: true,
        transient_statuses: &[429, 502, 503],
        max_attempts: Some(3),
    };

    fn answered(status: u16) -> AttemptOutcome {
        AttemptOutcome::Answered {
            status,
            should_retry: None,
            retry_after: None,
        }
    }

    fn decide(method: Method, safety: CallSafety, outcome: AttemptOutcome) -> Decision {
        RetryPolicy::default().decide(&EASYPAY, method, safety, 1, outcome, 0)
    }

    #[test]
    fn unsafe_writes_are_never_repeated_once_they_may_have_arrived() {
        for outcome in [
            AttemptOutcome::NoAnswer,
            answered(408),
            answered(500),
            answered(501),
            answered(502),
            answered(503),
            answered(504),
            answered(520),
            answered(524),
            answered(599),
        ] {
            assert_eq!(
                decide(Method::Post, CallSafety::UnsafeWrite, outcome),
                Decision::Ambiguous,
                "{outcome:?}"
            );
        }
        for status in [400, 401, 403, 404, 409, 422, 429] {
            assert_eq!(
                decide(Method::Post, CallSafety::UnsafeWrite, answered(status)),
                Decision::GiveUp
            );
        }
        // Even with the provider's advice to retry.
        let advised = AttemptOutcome::Answered {
            status: 429,
            should_retry: Some(true),
            retry_after: None,
        };
        assert_eq!(
            decide(Method::Post, CallSafety::UnsafeWrite, advised),
            Decision::GiveUp
        );
        assert!(matches!(
            decide(
                Method::Post,
                CallSafety::UnsafeWrite,
                AttemptOutcome::NotSent
            ),
            Decision::Retry { .. }
        ));
        assert_eq!(
            RetryPolicy::default().decide(
                &EASYPAY,
                Method::Post,
                CallSafety::UnsafeWrite,
                3,
                AttemptOutcome::NotSent,
                0
            ),
            Decision::GiveUp
        );
    }

    #[test]
    fn easypay_documented_table() {
        let retries = |method, safety, status| {
            matches!(
                decide(method, safety, answered(status)),
                Decision::Retry { .. }
            )
        };
        // Retried: 409, 429, 502, 503, for reads and keyed writes alike.
        for status in [409, 429, 502, 503] {
            assert!(retries(Method::Get, CallSafety::Read, status), "{status}");
            assert!(
                retries(Method::Post, CallSafety::IdempotentWrite, status),
                "{status}"
            );
            assert!(
                retries(Method::Patch, CallSafety::IdempotentWrite, status),
                "{status}"
            );
        }
        // Not in the documented rule: 408, 425, 504 and every other 4xx.
        for status in [400, 401, 403, 404, 408, 412, 422, 425, 504] {
            assert!(!retries(Method::Get, CallSafety::Read, status), "{status}");
        }
        // 500: retried for every method but POST, PATCH included.
        assert!(retries(Method::Get, CallSafety::Read, 500));
        assert!(retries(Method::Delete, CallSafety::Read, 500));
        assert!(retries(Method::Patch, CallSafety::IdempotentWrite, 500));
        assert!(!retries(Method::Post, CallSafety::IdempotentWrite, 500));
    }

    #[test]
    fn a_keyed_posts_stored_server_error_is_ambiguous_not_retryable() {
        // Easypay stores the 500 under the key and replays it for 24 h: repeating cannot
        // help, and the payment may exist. Same for a 504, which is stored too.
        for status in [500, 504] {
            assert_eq!(
                decide(Method::Post, CallSafety::IdempotentWrite, answered(status)),
                Decision::Ambiguous,
                "{status}"
            );
        }
        // Even when the provider's header advises a retry, and even on the last attempt.
        let advised = AttemptOutcome::Answered {
            status: 500,
            should_retry: Some(true),
            retry_after: None,
        };
        assert_eq!(
            decide(Method::Post, CallSafety::IdempotentWrite, advised),
            Decision::Ambiguous
        );
        assert_eq!(
            RetryPolicy::default().decide(
                &EASYPAY,
                Method::Post,
                CallSafety::IdempotentWrite,
                9,
                answered(500),
                0
            ),
            Decision::Ambiguous
        );
        // A transient answer is not stored: the same key runs again, so it is retried.
        assert!(matches!(
            decide(Method::Post, CallSafety::IdempotentWrite, answered(502)),
            Decision::Retry { .. }
        ));
        // A read's 500 is plainly retried.
        assert!(matches!(
            decide(Method::Get, CallSafety::Read, answered(500)),
            Decision::Retry { .. }
        ));
    }

    #[test]
    fn generic_rules_without_a_description() {
        let p = RetryPolicy::default();
        let d = |method, safety, status| {
            p.decide(&RetryRules::GENERIC, method, safety, 1, answered(status), 0)
        };
        for status in [408, 429, 502, 503, 504] {
            assert!(matches!(
                d(Method::Get, CallSafety::Read, status),
                Decision::Retry { .. }
            ));
        }
        assert!(matches!(
            d(Method::Get, CallSafety::Read, 500),
            Decision::Retry { .. }
        ));
        assert_eq!(d(Method::Get, CallSafety::Read, 409), Decision::GiveUp);
        assert_eq!(
            d(Method::Post, CallSafety::IdempotentWrite, 500),
            Decision::Ambiguous
        );
        assert_eq!(RetryRules::default(), RetryRules::GENERIC);
        let no_lost = RetryRules {
            retry_on_no_response: false,
            ..RetryRules::GENERIC
        };
        assert_eq!(
            p.decide(
                &no_lost,
                Method::Get,
                CallSafety::Read,
                1,
                AttemptOutcome::NoAnswer,
                0
            ),
            Decision::GiveUp
        );
    }

    #[test]
    fn provider_advice_and_retry_after() {
        let with = |should_retry, retry_after| AttemptOutcome::Answered {
            status: 503,
            should_retry,
            retry_after,
        };
        assert_eq!(
            decide(Method::Get, CallSafety::Read, with(Some(false), None)),
            Decision::GiveUp
        );
        let advised = AttemptOutcome::Answered {
            status: 400,
            should_retry: Some(true),
            retry_after: None,
        };
        assert!(matches!(
            decide(Method::Get, CallSafety::Read, advised),
            Decision::Retry { .. }
        ));
        assert_eq!(
            decide(
                Method::Get,
                CallSafety::Read,
                with(None, Some(Duration::from_secs(7)))
            ),
            Decision::Retry {
                after: Duration::from_secs(7)
            }
        );
        assert_eq!(
            decide(
                Method::Get,
                CallSafety::Read,
                with(None, Some(Duration::from_secs(31)))
            ),
            Decision::GiveUp
        );
        let short = RetryPolicy::default().with_max_retry_after(Duration::from_secs(5));
        assert_eq!(
            short.decide(
                &EASYPAY,
                Method::Get,
                CallSafety::Read,
                1,
                with(None, Some(Duration::from_secs(6))),
                0
            ),
            Decision::GiveUp
        );
        assert_eq!(
            RetryPolicy::none().decide(
                &EASYPAY,
                Method::Get,
                CallSafety::Read,
                1,
                answered(503),
                0
            ),
            Decision::GiveUp
        );
    }

    #[test]
    fn the_providers_attempt_cap_wins_when_lower() {
        let p = RetryPolicy::new(5, Duration::from_millis(1), Duration::from_millis(2));
        let d = |attempt| {
            p.decide(
                &EASYPAY,
                Method::Get,
                CallSafety::Read,
                attempt,
                AttemptOutcome::NoAnswer,
                0,
            )
        };
        assert!(matches!(d(2), Decision::Retry { .. }));
        assert_eq!(d(3), Decision::GiveUp);
        assert!(matches!(
            p.decide(
                &RetryRules::GENERIC,
                Method::Get,
                CallSafety::Read,
                5,
                AttemptOutcome::NoAnswer,
                0
            ),
            Decision::Retry { .. }
        ));
    }

    #[test]
    fn backoff_ceilings_grow_until_the_cap() {
        let p = RetryPolicy::new(10, Duration::from_millis(100), Duration::from_millis(1000));
        // The largest delay any jitter gives is the attempt's ceiling.
        let max_delay = |attempt| {
            (0..=2000u64)
                .filter_map(|jitter| {
                    match p.decide(
                        &RetryRules::GENERIC,
                        Method::Get,
                        CallSafety::Read,
                        attempt,
                        AttemptOutcome::NoAnswer,
                        jitter,
                    ) {
                        Decision::Retry { after } => Some(after),
                        _ => None,
                    }
                })
                .max()
        };
        let ms = Duration::from_millis;
        assert_eq!(max_delay(1), Some(ms(100)));
        assert_eq!(max_delay(2), Some(ms(200)));
        assert_eq!(max_delay(3), Some(ms(400)));
        assert_eq!(max_delay(4), Some(ms(800)));
        assert_eq!(max_delay(5), Some(ms(1000)));
    }

    #[test]
    fn retry_after_up_to_the_configured_maximum_is_honoured() {
        let policy = RetryPolicy::default().with_max_retry_after(Duration::from_secs(5));
        let wait = |seconds| {
            policy.decide(
                &EASYPAY,
                Method::Get,
                CallSafety::Read,
                1,
                AttemptOutcome::Answered {
                    status: 503,
                    should_retry: None,
                    retry_after: Some(Duration::from_secs(seconds)),
                },
                0,
            )
        };
        assert_eq!(
            wait(5),
            Decision::Retry {
                after: Duration::from_secs(5)
            }
        );
        assert_eq!(wait(6), Decision::GiveUp);
        // The default maximum is 30 s, inclusive.
        assert_eq!(
            decide(
                Method::Get,
                CallSafety::Read,
                AttemptOutcome::Answered {
                    status: 503,
                    should_retry: None,
                    retry_after: Some(Duration::from_secs(30)),
                }
            ),
            Decision::Retry {
                after: Duration::from_secs(30)
            }
        );
    }

    #[test]
    fn max_retries_is_what_was_configured() {
        assert_eq!(RetryPolicy::default().max_retries(), 2);
        assert_eq!(RetryPolicy::none().max_retries(), 0);
        let policy = RetryPolicy::new(7, Duration::from_millis(1), Duration::from_millis(2));
        assert_eq!(policy.max_retries(), 7);
    }

    proptest! {
        #[test]
        fn delays_stay_under_the_exponential_cap(attempt in 1u32..=2, jitter in any::<u64>()) {
            let p = RetryPolicy::default();
            match p.decide(&RetryRules::GENERIC, Method::Get, CallSafety::Read, attempt, AttemptOutcome::NoAnswer, jitter) {
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
            let d = p.decide(&RetryRules::GENERIC, Method::Get, CallSafety::Read, attempt, AttemptOutcome::NoAnswer, jitter);
            prop_assert_eq!(matches!(d, Decision::Retry { .. }), attempt <= max);
        }

        #[test]
        fn unsafe_writes_never_retry_once_sent(status in 100u16..600, attempt in 1u32..5, jitter in any::<u64>(), advice in proptest::option::of(any::<bool>())) {
            let p = RetryPolicy::default();
            for outcome in [AttemptOutcome::NoAnswer, AttemptOutcome::Answered { status, should_retry: advice, retry_after: None }] {
                let d = p.decide(&EASYPAY, Method::Post, CallSafety::UnsafeWrite, attempt, outcome, jitter);
                let retried = matches!(d, Decision::Retry { .. });
                prop_assert!(!retried, "retried after it was sent: {:?}", d);
            }
        }
    }
}
