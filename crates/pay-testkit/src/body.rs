//! The one HTTP body type the server answers with and the webhook client sends: all of it
//! at once, with its length announced or (for the truncated-body fault) kept unknown.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, SizeHint};
use tokio::time::Sleep;

/// A body held in memory.
#[derive(Debug)]
pub(crate) struct WholeBody {
    data: Option<Bytes>,
    /// Whether hyper may know the length. When it may not, hyper trusts a
    /// `Content-Length` header set by hand, which is how a truncated body is sent.
    sized: bool,
    /// A pause after the data and before the end, so hyper flushes what it has before it
    /// notices that the body is shorter than announced.
    pause: Option<Pin<Box<Sleep>>>,
}

impl WholeBody {
    /// A body whose length hyper announces itself.
    pub(crate) fn sized(data: impl Into<Bytes>) -> Self {
        Self {
            data: Some(data.into()),
            sized: true,
            pause: None,
        }
    }

    /// A body of unknown length, for a `Content-Length` the caller sets larger than the
    /// data: the data goes out, then after a short pause the body ends early and hyper
    /// closes the connection.
    pub(crate) fn cut_short(data: impl Into<Bytes>) -> Self {
        Self {
            data: Some(data.into()),
            sized: false,
            pause: Some(Box::pin(tokio::time::sleep(Duration::from_millis(20)))),
        }
    }
}

impl Body for WholeBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take().filter(|d| !d.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(pause) = this.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.pause = None;
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.sized && self.pause.is_none() && self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        if self.sized {
            let len = self.data.as_ref().map_or(0, Bytes::len);
            SizeHint::with_exact(u64::try_from(len).unwrap_or(u64::MAX))
        } else {
            SizeHint::default()
        }
    }
}
