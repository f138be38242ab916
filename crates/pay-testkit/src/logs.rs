//! Capturing every log line at TRACE, for tests that prove no secret is logged.
//!
//! ```
//! let (answer, logs) = pay_testkit::logs::capture_at_trace(|| {
//!     tracing::info!(operation = "single_create", "sent");
//!     42
//! });
//! assert_eq!(answer, 42);
//! assert!(logs.contains("single_create"));
//! ```

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Runs `run` with a subscriber that records everything at TRACE (events, and spans as
/// they open and close, without colour codes, timestamps or span timings) and returns `run`'s result with the text
/// logged meanwhile on this thread. Run async code inside with a current-thread runtime,
/// so that every task logs through this subscriber.
pub fn capture_at_trace<T>(run: impl FnOnce() -> T) -> (T, String) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        // No timestamps and no spans' busy and idle times: numbers that change from
        // run to run, in which a short secret could appear by chance.
        .without_time()
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let value = tracing::subscriber::with_default(subscriber, run);
    let bytes = capture
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    (value, String::from_utf8_lossy(&bytes).into_owned())
}

/// A writer keeping everything written to it.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::capture_at_trace;

    #[test]
    fn the_capture_holds_events_and_spans_without_times() {
        let ((), logs) = capture_at_trace(|| {
            let span = tracing::info_span!("pay.call", operation = "entry_create");
            let _entered = span.enter();
            tracing::trace!(attempt = 1, "pay.attempt");
        });
        assert!(logs.contains("pay.attempt"), "{logs}");
        assert!(logs.contains("attempt=1"), "{logs}");
        assert!(logs.contains("close"), "the span's close is logged: {logs}");
        // No span timings and no timestamps: numbers that change from run to run.
        assert!(
            !logs.contains("time.busy") && !logs.contains("time.idle"),
            "{logs}"
        );
        assert!(
            logs.lines()
                .all(|line| !line.starts_with(|c: char| c.is_ascii_digit())),
            "{logs}"
        );
    }
}
