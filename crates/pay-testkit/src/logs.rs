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
/// they open and close, without colour codes) and returns `run`'s result with the text
/// logged meanwhile on this thread. Run async code inside with a current-thread runtime,
/// so that every task logs through this subscriber.
pub fn capture_at_trace<T>(run: impl FnOnce() -> T) -> (T, String) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
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
