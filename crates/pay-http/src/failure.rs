//! [`CallFailure`]: how a failed call ended (attempts, time, why it stopped), attached as
//! the source of every error the transport reports after sending.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// Why the transport stopped trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// The retry decision said to report the error as it is.
    GaveUp,
    /// The retry decision said the outcome is ambiguous: a write may have happened.
    Ambiguous,
    /// Another attempt was worth making, but its wait would have passed the call's
    /// deadline (or the deadline had passed).
    Deadline,
    /// Something that repeating cannot fix: the answer was over the size limit, or the
    /// authorisation hook refused.
    Fatal,
}

impl StopReason {
    /// A stable snake_case name, as logged in the `decision` field.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::GaveUp => "give_up",
            StopReason::Ambiguous => "ambiguous",
            StopReason::Deadline => "deadline",
            StopReason::Fatal => "fatal",
        }
    }
}

/// How a failed call ended: attached by the transport as the
/// [`source`](std::error::Error::source) of the [`PayError`](pay_core::PayError) it
/// reports, with the last attempt's own error (connection refused, reset…), if any, as its
/// source in turn.
///
/// ```
/// # fn check(err: &pay_core::PayError) -> Option<u32> {
/// use std::error::Error as _;
/// use pay_http::CallFailure;
///
/// let attempts = err.source()?.downcast_ref::<CallFailure>()?.attempts();
/// # Some(attempts)
/// # }
/// # assert_eq!(check(&pay_core::PayError::new(pay_core::ErrorKind::Timeout)), None);
/// ```
#[derive(Debug)]
pub struct CallFailure {
    pub(crate) attempts: u32,
    pub(crate) elapsed: Duration,
    pub(crate) reason: StopReason,
    pub(crate) cause: Option<reqwest::Error>,
}

impl CallFailure {
    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// From the call's start to the moment it stopped.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Why it stopped.
    pub fn reason(&self) -> StopReason {
        self.reason
    }
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(
            f,
            "stopped ({}) after {} attempt{plural} in {} ms",
            self.reason.as_str(),
            self.attempts,
            self.elapsed.as_millis()
        )
    }
}

impl StdError for CallFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause.as_ref().map(|e| e as &(dyn StdError + 'static))
    }
}
