//! The transport's pure pieces, unit-tested without sockets: reading `Retry-After` and
//! advice headers, the default status-to-kind table, fresh idempotency keys, the seedable
//! jitter source, and the extra masking applied to bodies logged at TRACE.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use pay_core::{ErrorKind, IdempotencyKey};

/// Reads a `Retry-After` value: whole seconds, or an HTTP date read against `now` (a date
/// in the past means "now"). `None` when it is neither.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use pay_http::parse_retry_after;
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 21 Oct 2015 07:28:00 GMT
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds is still "a very long time".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Reads a provider's advice header: `true` or `false`, ignoring case and spaces.
pub(crate) fn parse_advice(value: &str) -> Option<bool> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The kind a failed answer has when the provider's error decoder does not say:
///
/// | status | kind |
/// |---|---|
/// | 401, 403 | `Authentication` |
/// | 404 | `NotFound` |
/// | 408 | `Timeout` |
/// | 409 | `Conflict` |
/// | 429 | `RateLimited { retry_after }` |
/// | 5xx | `ProviderUnavailable` |
/// | anything else (400, 422, a failure under 200…) | `Rejected` |
///
/// 400 and 422 become `InvalidRequest` only when the decoder names the field: the status
/// alone does not say which rule was broken.
///
/// ```
/// use std::time::Duration;
/// use pay_core::ErrorKind;
/// use pay_http::kind_for_status;
///
/// assert_eq!(kind_for_status(404, None), ErrorKind::NotFound);
/// assert_eq!(
///     kind_for_status(429, Some(Duration::from_secs(2))),
///     ErrorKind::RateLimited { retry_after: Some(Duration::from_secs(2)) }
/// );
/// assert_eq!(kind_for_status(422, None), ErrorKind::Rejected);
/// ```
pub fn kind_for_status(status: u16, retry_after: Option<Duration>) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Authentication,
        404 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited { retry_after },
        500..=599 => ErrorKind::ProviderUnavailable,
        _ => ErrorKind::Rejected,
    }
}

/// A fresh idempotency key from 16 random bytes: the hyphenated UUID (36 characters) when
/// the provider accepts that many, else the 32 hex digits, else those cut to the limit.
/// Refused below 16 characters (64 bits), which would make collisions plausible.
pub(crate) fn fresh_key(random: uuid::Uuid, max_length: usize) -> Result<IdempotencyKey, String> {
    let mut buffer = uuid::Uuid::encode_buffer();
    let text: &str = if max_length >= uuid::fmt::Hyphenated::LENGTH {
        random.hyphenated().encode_lower(&mut buffer)
    } else if max_length >= 16 {
        let simple = random.simple().encode_lower(&mut buffer);
        &simple[..max_length.min(uuid::fmt::Simple::LENGTH)]
    } else {
        return Err(format!(
            "the operation's idempotency header accepts at most {max_length} characters; \
             a generated key needs 16: pass your own key in CallOptions"
        ));
    };
    IdempotencyKey::new(text).map_err(|err| err.to_string())
}

/// A seedable, lock-free source of jitter (SplitMix64 over an atomic counter): the same
/// seed gives the same sequence, so retry delays in tests are deterministic.
#[derive(Debug)]
pub(crate) struct Jitter {
    state: AtomicU64,
}

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            state: AtomicU64::new(seed),
        }
    }

    /// A seed from the process's hash randomisation, which the OS seeds.
    pub(crate) fn random_seed() -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(0x5eed);
        hasher.finish()
    }

    pub(crate) fn next(&self) -> u64 {
        const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut z = self
            .state
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Masks runs of 9 or more digits (phone numbers, with or without a `+` and country
/// code) in text that has already been through the [`Redactor`](pay_core::Redactor), for
/// bodies logged at TRACE: the redactor masks card numbers and IBANs in free text, not
/// phone numbers. All but the last two digits become `*`.
pub(crate) fn mask_phone_like(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let end = bytes[i..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map_or(bytes.len(), |p| i + p);
            let run = &text[i..end];
            if run.len() >= 9 {
                out.extend(std::iter::repeat_n('*', run.len() - 2));
                out.push_str(&run[run.len() - 2..]);
            } else {
                out.push_str(run);
            }
            i = end;
        } else {
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_both_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(42))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        for bad in ["", "-1", "1.5", "tomorrow", "Wed, 99 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn advice_values() {
        assert_eq!(parse_advice("true"), Some(true));
        assert_eq!(parse_advice(" FALSE "), Some(false));
        assert_eq!(parse_advice("yes"), None);
    }

    #[test]
    fn status_table() {
        let cases = [
            (400, ErrorKind::Rejected),
            (401, ErrorKind::Authentication),
            (403, ErrorKind::Authentication),
            (404, ErrorKind::NotFound),
            (408, ErrorKind::Timeout),
            (409, ErrorKind::Conflict),
            (422, ErrorKind::Rejected),
            (500, ErrorKind::ProviderUnavailable),
            (502, ErrorKind::ProviderUnavailable),
            (503, ErrorKind::ProviderUnavailable),
            (504, ErrorKind::ProviderUnavailable),
            (200, ErrorKind::Rejected),
        ];
        for (status, kind) in cases {
            assert_eq!(kind_for_status(status, None), kind, "{status}");
        }
    }

    #[test]
    fn fresh_keys_fit_the_limit() {
        let id = uuid::Uuid::from_u128(0x0123_4567_89ab_4def_8123_4567_89ab_cdef);
        assert_eq!(
            fresh_key(id, 255).unwrap().as_str(),
            "01234567-89ab-4def-8123-456789abcdef"
        );
        assert_eq!(
            fresh_key(id, 36).unwrap().as_str(),
            "01234567-89ab-4def-8123-456789abcdef"
        );
        assert_eq!(
            fresh_key(id, 35).unwrap().as_str(),
            "0123456789ab4def8123456789abcdef"
        );
        assert_eq!(fresh_key(id, 20).unwrap().as_str(), "0123456789ab4def8123");
        assert!(fresh_key(id, 15).unwrap_err().contains("at most 15"));
        let random = fresh_key(uuid::Uuid::new_v4(), 50).unwrap();
        assert_eq!(random.as_str().len(), 36);
        assert_eq!(random.as_str().as_bytes()[14], b'4', "a version 4 UUID");
    }

    #[test]
    fn jitter_is_deterministic_per_seed() {
        let a = Jitter::new(7);
        let b = Jitter::new(7);
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(first, second);
        let other: Vec<u64> = (0..5).map(|_| Jitter::new(8).next()).collect();
        assert_ne!(first, other);
        // Spread over the whole range, not stuck in low bits.
        assert!(first.iter().any(|v| *v > u64::MAX / 2));
        assert_ne!(Jitter::random_seed(), Jitter::random_seed());
    }

    #[test]
    fn jitter_is_splitmix64() {
        // The reference SplitMix64 sequence for seed 0.
        let jitter = Jitter::new(0);
        let values: Vec<u64> = (0..3).map(|_| jitter.next()).collect();
        assert_eq!(
            values,
            [
                0xe220_a839_7b1d_cdaf,
                0x6e78_9e6a_a1b9_65f4,
                0x06c4_5d18_8009_454f
            ]
        );
    }

    #[test]
    fn phone_like_runs_are_masked() {
        assert_eq!(
            mask_phone_like(r#"{"phone":"+351911234567","amount":"12.50","id":12345678}"#),
            r#"{"phone":"+**********67","amount":"12.50","id":12345678}"#
        );
        assert_eq!(
            mask_phone_like("call 911234567 now é"),
            "call *******67 now é"
        );
    }
}
