//! The one HTTP body type the server answers with and the webhook client sends: all of it
//! at once, with its length announced or (for the truncated-body fault) kept unknown, or
//! (for the slow-body fault) in pieces with pauses between them.

use std::collections::VecDeque;
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
    /// For a slow body: the pieces still to send, each after a pause of `gap`.
    rest: VecDeque<Bytes>,
    gap: Duration,
}

impl WholeBody {
    /// A body whose length hyper announces itself.
    pub(crate) fn sized(data: impl Into<Bytes>) -> Self {
        Self {
            data: Some(data.into()),
            sized: true,
            pause: None,
            rest: VecDeque::new(),
            gap: Duration::ZERO,
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
            rest: VecDeque::new(),
            gap: Duration::ZERO,
        }
    }

    /// A body of announced length sent in `chunks` pieces (at least one, at most one per
    /// byte), each after a pause of `gap`.
    pub(crate) fn slow(data: Bytes, chunks: u32, gap: Duration) -> Self {
        let pieces = usize::try_from(chunks.max(1))
            .unwrap_or(usize::MAX)
            .min(data.len().max(1));
        let size = data.len().div_ceil(pieces);
        let mut rest = VecDeque::new();
        let mut at = 0;
        while at < data.len() {
            let end = (at + size).min(data.len());
            rest.push_back(data.slice(at..end));
            at = end;
        }
        Self {
            data: None,
            sized: true,
            pause: None,
            rest,
            gap,
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
        if !this.rest.is_empty() {
            let gap = this.gap;
            let pause = this
                .pause
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(gap)));
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.pause = None;
            if let Some(piece) = this.rest.pop_front() {
                return Poll::Ready(Some(Ok(Frame::data(piece))));
            }
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
        self.sized
            && self.pause.is_none()
            && self.rest.is_empty()
            && self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        if self.sized {
            let len = self.data.as_ref().map_or(0, Bytes::len)
                + self.rest.iter().map(Bytes::len).sum::<usize>();
            SizeHint::with_exact(u64::try_from(len).unwrap_or(u64::MAX))
        } else {
            SizeHint::default()
        }
    }
}
