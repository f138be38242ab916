//! Typed answers with what the transport reports about the call.
//!
//! Every resource handle ([`Single`](crate::Single), [`Captures`](crate::Captures), …)
//! answers in one of two modes, chosen by its type parameter:
//!
//! - [`Plain`] (the default, from `client.single()`): the decoded wire type alone;
//! - [`WithMeta`] (from `client.single().with_meta()`): an [`Answered`] holding the
//!   decoded wire type and the call's [`ResponseMeta`] — the `Idempotency-Key` sent,
//!   whether Easypay answered with the stored result of an earlier request with that key
//!   (`Idempotency-Replay`), the attempts and the request id.
//!
//! Both modes run the same method body; only the last step differs.

use pay_core::IdempotencyKey;
use pay_http::ResponseMeta;

/// A decoded answer and the call's [`ResponseMeta`]; what a handle in [`WithMeta`] mode
/// returns.
#[derive(Debug, Clone)]
pub struct Answered<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T> Answered<T> {
    pub(crate) fn new(value: T, meta: ResponseMeta) -> Self {
        Self { value, meta }
    }

    /// The decoded answer.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded answer, without the metadata.
    pub fn into_value(self) -> T {
        self.value
    }

    /// What the transport reports about the call.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The decoded answer and the metadata.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.value, self.meta)
    }

    /// Whether Easypay answered with the stored result of an earlier request with the
    /// same `Idempotency-Key` (`Idempotency-Replay: true`): the write happened once,
    /// earlier.
    pub fn is_replayed(&self) -> bool {
        self.meta.is_replayed()
    }

    /// The `Idempotency-Key` sent on every attempt (the caller's or a generated one), for
    /// `POST` and `PATCH`; `None` for reads and deletes.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.meta.idempotency_key()
    }
}

mod sealed {
    /// Only this crate's modes.
    #[allow(
        unreachable_pub,
        reason = "the sealed-trait pattern: public, never nameable"
    )]
    pub trait Sealed {}
}

/// How a resource handle answers: [`Plain`] or [`WithMeta`]. Sealed.
pub trait AnswerMode: sealed::Sealed {
    /// What a method answering `T` returns in this mode.
    type Out<T>;

    /// Turns a decoded answer with its metadata into this mode's answer.
    fn answer<T>(answered: Answered<T>) -> Self::Out<T>;
}

/// The default mode: methods return the decoded wire type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Plain;

/// Methods return an [`Answered`]: the decoded wire type and the call's
/// [`ResponseMeta`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WithMeta;

impl sealed::Sealed for Plain {}
impl sealed::Sealed for WithMeta {}

impl AnswerMode for Plain {
    type Out<T> = T;

    fn answer<T>(answered: Answered<T>) -> T {
        answered.value
    }
}

impl AnswerMode for WithMeta {
    type Out<T> = Answered<T>;

    fn answer<T>(answered: Answered<T>) -> Answered<T> {
        answered
    }
}
