//! Time as a dependency: [`SystemClock`] in production, [`ManualClock`] in tests, for token
//! expiry, replay windows, timestamps and backoff.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A source of the current time. Everything in `pay` that needs "now" asks a `Clock`, so
/// tests (and `pay-testkit`'s fakes) can share one manual clock with the code under test.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told. Clones share the same time.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use pay_core::{Clock, ManualClock};
///
/// let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let shared = clock.clone();
/// clock.advance(Duration::from_secs(301));
/// assert_eq!(pay_core::unix_seconds(shared.now()), 1_700_000_301);
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<SystemTime>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// Sets the clock (backwards too, to test clock skew).
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Seconds since the Unix epoch (negative before it).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The time `secs` seconds after the Unix epoch (before it when negative).
pub fn from_unix_seconds(secs: i64) -> SystemTime {
    let magnitude = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        SystemTime::UNIX_EPOCH + magnitude
    } else {
        SystemTime::UNIX_EPOCH - magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(from_unix_seconds(100));
        assert_eq!(unix_seconds(clock.now()), 100);
        clock.advance(Duration::from_secs(5));
        assert_eq!(unix_seconds(clock.now()), 105);
        clock.set(from_unix_seconds(-10));
        assert_eq!(unix_seconds(clock.now()), -10);
        let dynamic: Arc<dyn Clock> = Arc::new(clock.clone());
        assert_eq!(unix_seconds(dynamic.now()), -10);
    }
}
