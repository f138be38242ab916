//! Fault injection: what can go wrong ([`Fault`]), and per-route scripts of faults consumed
//! in order ([`Faults`], [`FaultScript`]).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::provider::FakeRequest;
use crate::route::Route;

/// One thing that goes wrong with one request.
///
/// | fault | reaches the provider? | what the client sees |
/// |---|---|---|
/// | [`Status`](Self::Status) | no | that status, the given headers, the given body or the provider's error body |
/// | [`RateLimited`](Self::RateLimited) | no | 429 with `Retry-After` (whole seconds, rounded up) and the provider's 429 body |
/// | [`Delay`](Self::Delay) | yes, after the delay, if the client is still connected | the normal answer, late |
/// | [`Hang`](Self::Hang) | no | nothing, ever: the connection stays open until the client gives up or the server stops |
/// | [`Reset`](Self::Reset) | no | the connection reset (TCP RST) without an answer |
/// | [`EmptyResponse`](Self::EmptyResponse) | no | the connection closed (FIN) without an answer |
/// | [`TruncatedBody`](Self::TruncatedBody) | yes | the normal status and headers, a `Content-Length` larger than the body, then the connection closed |
/// | [`MalformedBody`](Self::MalformedBody) | yes | 200, `application/json`, a body that is not JSON |
/// | [`HtmlError`](Self::HtmlError) | no | 502 with an HTML error page, as a load balancer answers |
/// | [`WrongContentType`](Self::WrongContentType) | yes | the normal answer labelled `text/html` |
/// | [`AppliedThenLost`](Self::AppliedThenLost) | yes | the connection reset without an answer, after the provider applied the request |
/// | [`AppliedThenStatus`](Self::AppliedThenStatus) | yes | that status with the provider's error body, in place of the provider's own answer |
/// | [`AppliedThenHang`](Self::AppliedThenHang) | yes | nothing, ever, after the provider applied the request: the client's timeout decides |
/// | [`SlowBody`](Self::SlowBody) | yes | the normal status and headers at once, then the body in pieces spread over a duration |
///
/// Delays are real time (Tokio's timer), not the manual clock: they exist to trip the
/// client's timeouts. The request reaches the provider only when the delay is over: a
/// client that gave up and closed the connection before then leaves no effect. To test
/// "applied, then the answer came too late", use [`AppliedThenLost`](Self::AppliedThenLost)
/// (applied, then the connection reset) or a delay shorter than the client's patience.
///
/// "Reaches the provider" means the request changes the fake's state (a payment is
/// created) and queues its notifications. [`AppliedThenLost`](Self::AppliedThenLost),
/// [`AppliedThenStatus`](Self::AppliedThenStatus) and
/// [`AppliedThenHang`](Self::AppliedThenHang) are the cases that prove idempotency keys
/// and reconciliation by merchant reference work: the write happened, and the client saw
/// a reset, an error status or a timeout. [`SlowBody`](Self::SlowBody) trips a client
/// whose timeout covers reading the body, not only the head; an answer without a body
/// (a 204) has nothing to slow down and arrives at once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with `status` without asking the provider.
    Status {
        /// The status code.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// The body; `None` uses
        /// [`FakeProvider::error_response_for`](crate::FakeProvider::error_response_for).
        body: Option<Vec<u8>>,
    },
    /// Answer 429 Too Many Requests with a `Retry-After` header.
    RateLimited {
        /// How long the client is asked to wait.
        retry_after: Duration,
    },
    /// Wait this long (real time), then pass the request to the provider and answer
    /// normally; nothing is applied if the client went away during the wait.
    Delay(Duration),
    /// Never answer.
    Hang,
    /// Reset the connection (TCP RST) without answering.
    Reset,
    /// Close the connection (TCP FIN) without answering.
    EmptyResponse,
    /// Apply the request, then send the answer cut short under its full `Content-Length`
    /// and close the connection.
    TruncatedBody,
    /// Apply the request, then answer 200 with a body that is not valid JSON.
    MalformedBody,
    /// Answer 502 with an HTML page, without asking the provider.
    HtmlError,
    /// Apply the request, then send the answer with `Content-Type: text/html`.
    WrongContentType,
    /// Apply the request, then reset the connection without answering: the write
    /// happened and the client cannot know.
    AppliedThenLost,
    /// Apply the request, then answer this status with
    /// [`FakeProvider::error_response_for`](crate::FakeProvider::error_response_for)
    /// instead of the provider's answer: a gateway's 5xx after the write went through.
    AppliedThenStatus(u16),
    /// Apply the request, then never answer: the write happened and the client times out.
    AppliedThenHang,
    /// Apply the request, send the answer's status and headers (with the full
    /// `Content-Length`) at once, then its body in `chunks` pieces, one every
    /// `over / chunks` (real time), so the whole body has arrived after about `over`.
    SlowBody {
        /// How many pieces the body is cut into (0 counts as 1; never more pieces than
        /// bytes).
        chunks: u32,
        /// How long the body takes to arrive.
        over: Duration,
    },
}

impl Fault {
    /// [`Fault::Status`] with the provider's own error body and no extra header.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    /// [`Fault::Status`] with this body and `Content-Type`.
    pub fn status_with_body(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Fault::Status {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            body: Some(body.into()),
        }
    }

    /// Which kind of fault this is.
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Status { .. } => FaultKind::Status,
            Fault::RateLimited { .. } => FaultKind::RateLimited,
            Fault::Delay(_) => FaultKind::Delay,
            Fault::Hang => FaultKind::Hang,
            Fault::Reset => FaultKind::Reset,
            Fault::EmptyResponse => FaultKind::EmptyResponse,
            Fault::TruncatedBody => FaultKind::TruncatedBody,
            Fault::MalformedBody => FaultKind::MalformedBody,
            Fault::HtmlError => FaultKind::HtmlError,
            Fault::WrongContentType => FaultKind::WrongContentType,
            Fault::AppliedThenLost => FaultKind::AppliedThenLost,
            Fault::AppliedThenStatus(_) => FaultKind::AppliedThenStatus,
            Fault::AppliedThenHang => FaultKind::AppliedThenHang,
            Fault::SlowBody { .. } => FaultKind::SlowBody,
        }
    }

    /// Whether the provider sees (and applies) the request.
    pub fn reaches_provider(&self) -> bool {
        self.kind().reaches_provider()
    }
}

/// The kind of a [`Fault`], without its parameters: what the request log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// [`Fault::Status`].
    Status,
    /// [`Fault::RateLimited`].
    RateLimited,
    /// [`Fault::Delay`].
    Delay,
    /// [`Fault::Hang`].
    Hang,
    /// [`Fault::Reset`].
    Reset,
    /// [`Fault::EmptyResponse`].
    EmptyResponse,
    /// [`Fault::TruncatedBody`].
    TruncatedBody,
    /// [`Fault::MalformedBody`].
    MalformedBody,
    /// [`Fault::HtmlError`].
    HtmlError,
    /// [`Fault::WrongContentType`].
    WrongContentType,
    /// [`Fault::AppliedThenLost`].
    AppliedThenLost,
    /// [`Fault::AppliedThenStatus`].
    AppliedThenStatus,
    /// [`Fault::AppliedThenHang`].
    AppliedThenHang,
    /// [`Fault::SlowBody`].
    SlowBody,
}

impl FaultKind {
    /// Every kind, for exhaustive tests.
    pub const ALL: &'static [FaultKind] = &[
        FaultKind::Status,
        FaultKind::RateLimited,
        FaultKind::Delay,
        FaultKind::Hang,
        FaultKind::Reset,
        FaultKind::EmptyResponse,
        FaultKind::TruncatedBody,
        FaultKind::MalformedBody,
        FaultKind::HtmlError,
        FaultKind::WrongContentType,
        FaultKind::AppliedThenLost,
        FaultKind::AppliedThenStatus,
        FaultKind::AppliedThenHang,
        FaultKind::SlowBody,
    ];

    /// A stable snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            FaultKind::Status => "status",
            FaultKind::RateLimited => "rate_limited",
            FaultKind::Delay => "delay",
            FaultKind::Hang => "hang",
            FaultKind::Reset => "reset",
            FaultKind::EmptyResponse => "empty_response",
            FaultKind::TruncatedBody => "truncated_body",
            FaultKind::MalformedBody => "malformed_body",
            FaultKind::HtmlError => "html_error",
            FaultKind::WrongContentType => "wrong_content_type",
            FaultKind::AppliedThenLost => "applied_then_lost",
            FaultKind::AppliedThenStatus => "applied_then_status",
            FaultKind::AppliedThenHang => "applied_then_hang",
            FaultKind::SlowBody => "slow_body",
        }
    }

    /// Whether a fault of this kind lets the provider see (and apply) the request.
    pub fn reaches_provider(&self) -> bool {
        matches!(
            self,
            FaultKind::Delay
                | FaultKind::TruncatedBody
                | FaultKind::MalformedBody
                | FaultKind::WrongContentType
                | FaultKind::AppliedThenLost
                | FaultKind::AppliedThenStatus
                | FaultKind::AppliedThenHang
                | FaultKind::SlowBody
        )
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fault scripts of one server. Cheap to clone; clones share the scripts.
///
/// Each [`on`](Self::on) adds a script for a [`Route`]. For every request, the scripts are
/// consulted in the order they were added: the first one that matches the request and
/// still has a fault (or repeats its last one) supplies it; without one, the request is
/// answered normally.
///
/// ```
/// use pay_testkit::{Fault, FakeRequest, Faults, Route};
///
/// let faults = Faults::new();
/// faults.on(Route::new("POST", "/single"))
///     .then(Fault::status(503))
///     .then(Fault::status(503))
///     .then_normal();
/// let request = FakeRequest::new("POST", "/single");
/// assert_eq!(faults.next_for(&request, None), Some(Fault::status(503)));
/// assert_eq!(faults.next_for(&request, None), Some(Fault::status(503)));
/// assert_eq!(faults.next_for(&request, None), None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Faults {
    scripts: Arc<Mutex<Vec<Script>>>,
}

#[derive(Debug)]
struct Script {
    route: Route,
    steps: VecDeque<Fault>,
    repeat_last: bool,
    last: Option<Fault>,
}

impl Faults {
    /// No scripts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a script for the requests `route` matches. Add faults with
    /// [`FaultScript::then`]; they apply from the next request on.
    pub fn on(&self, route: Route) -> FaultScript {
        let mut scripts = self.lock();
        scripts.push(Script {
            route,
            steps: VecDeque::new(),
            repeat_last: false,
            last: None,
        });
        FaultScript {
            faults: self.clone(),
            index: scripts.len() - 1,
        }
    }

    /// Removes every script.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many scripted faults are still waiting, over all scripts (a repeating script
    /// counts only what it has not used yet).
    pub fn remaining(&self) -> usize {
        self.lock().iter().map(|s| s.steps.len()).sum()
    }

    /// Takes the fault for `request` (whose operation id, if known, is `operation`), or
    /// `None` to answer normally. The server calls this once per request.
    pub fn next_for(&self, request: &FakeRequest, operation: Option<&str>) -> Option<Fault> {
        let mut scripts = self.lock();
        for script in scripts.iter_mut() {
            if !script.route.matches(request, operation) {
                continue;
            }
            if let Some(fault) = script.steps.pop_front() {
                script.last = Some(fault.clone());
                return Some(fault);
            }
            if script.repeat_last
                && let Some(last) = &script.last
            {
                return Some(last.clone());
            }
        }
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Script>> {
        self.scripts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One route's script, being written: `.then(…)` appends a fault, and the script ends
/// with [`then_normal`](Self::then_normal) or [`then_repeat_last`](Self::then_repeat_last).
/// Faults are live as soon as they are added.
#[derive(Debug)]
pub struct FaultScript {
    faults: Faults,
    index: usize,
}

impl FaultScript {
    /// Appends a fault.
    pub fn then(self, fault: Fault) -> Self {
        self.with_script(|s| s.steps.push_back(fault.clone()));
        self
    }

    /// Appends `times` copies of a fault.
    pub fn then_times(self, times: usize, fault: Fault) -> Self {
        self.with_script(|s| s.steps.extend(std::iter::repeat_n(fault.clone(), times)));
        self
    }

    /// Ends the script: after its faults, requests are answered normally. (This is also
    /// what happens when a script is left without an ending.)
    pub fn then_normal(self) {
        self.with_script(|s| s.repeat_last = false);
    }

    /// Ends the script: after its faults, the last one repeats for every further request
    /// (a provider that stays down).
    pub fn then_repeat_last(self) {
        self.with_script(|s| s.repeat_last = true);
    }

    /// How many faults of this script are still waiting.
    pub fn remaining(&self) -> usize {
        let mut n = 0;
        self.with_script(|s| n = s.steps.len());
        n
    }

    fn with_script(&self, f: impl FnOnce(&mut Script)) {
        // `Faults::clear` may have removed the script; then there is nothing to change.
        if let Some(script) = self.faults.lock().get_mut(self.index) {
            f(script);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_consumed_in_order_per_route() {
        let faults = Faults::new();
        let script = faults
            .on(Route::new("POST", "/single"))
            .then(Fault::status(503))
            .then_times(2, Fault::Reset);
        assert_eq!(script.remaining(), 3);
        script.then_normal();
        faults
            .on(Route::operation("single_get"))
            .then(Fault::HtmlError)
            .then_repeat_last();

        let post = FakeRequest::new("POST", "/single");
        let get = FakeRequest::new("GET", "/single/1");
        assert_eq!(faults.remaining(), 4);
        assert_eq!(faults.next_for(&get, None), None);
        assert_eq!(
            faults.next_for(&get, Some("single_get")),
            Some(Fault::HtmlError)
        );
        assert_eq!(faults.next_for(&post, None), Some(Fault::status(503)));
        assert_eq!(faults.next_for(&post, None), Some(Fault::Reset));
        assert_eq!(faults.next_for(&post, None), Some(Fault::Reset));
        assert_eq!(faults.next_for(&post, None), None);
        // The repeating script keeps going.
        assert_eq!(
            faults.next_for(&get, Some("single_get")),
            Some(Fault::HtmlError)
        );
        assert_eq!(
            faults.next_for(&get, Some("single_get")),
            Some(Fault::HtmlError)
        );
        assert_eq!(faults.remaining(), 0);
        faults.clear();
        assert_eq!(faults.next_for(&get, Some("single_get")), None);
    }

    #[test]
    fn an_exhausted_script_lets_a_later_one_apply() {
        let faults = Faults::new();
        faults
            .on(Route::any())
            .then(Fault::EmptyResponse)
            .then_normal();
        faults
            .on(Route::any_method("/x"))
            .then(Fault::MalformedBody)
            .then_normal();
        let request = FakeRequest::new("GET", "/x");
        assert_eq!(faults.next_for(&request, None), Some(Fault::EmptyResponse));
        assert_eq!(faults.next_for(&request, None), Some(Fault::MalformedBody));
        assert_eq!(faults.next_for(&request, None), None);
    }

    #[test]
    fn kinds_are_named_and_classified() {
        assert_eq!(FaultKind::ALL.len(), 14);
        let applied: Vec<&str> = FaultKind::ALL
            .iter()
            .filter(|k| k.reaches_provider())
            .map(FaultKind::as_str)
            .collect();
        assert_eq!(
            applied,
            [
                "delay",
                "truncated_body",
                "malformed_body",
                "wrong_content_type",
                "applied_then_lost",
                "applied_then_status",
                "applied_then_hang",
                "slow_body"
            ]
        );
        assert!(Fault::AppliedThenLost.reaches_provider());
        assert!(!Fault::status(500).reaches_provider());
        assert_eq!(
            Fault::status_with_body(400, "application/json", "{}").kind(),
            FaultKind::Status
        );
        assert_eq!(
            Fault::RateLimited {
                retry_after: Duration::from_secs(1)
            }
            .kind()
            .to_string(),
            "rate_limited"
        );
        assert_eq!(Fault::Delay(Duration::ZERO).kind(), FaultKind::Delay);
        assert_eq!(Fault::Hang.kind(), FaultKind::Hang);
        assert_eq!(Fault::TruncatedBody.kind(), FaultKind::TruncatedBody);
        assert_eq!(Fault::WrongContentType.kind(), FaultKind::WrongContentType);
    }

    #[test]
    fn the_applied_variants_reach_the_provider_and_are_scripted_like_any_other() {
        let slow = Fault::SlowBody {
            chunks: 4,
            over: Duration::from_millis(200),
        };
        for (fault, kind, name) in [
            (
                Fault::AppliedThenStatus(502),
                FaultKind::AppliedThenStatus,
                "applied_then_status",
            ),
            (
                Fault::AppliedThenHang,
                FaultKind::AppliedThenHang,
                "applied_then_hang",
            ),
            (slow.clone(), FaultKind::SlowBody, "slow_body"),
        ] {
            assert_eq!(fault.kind(), kind);
            assert_eq!(kind.to_string(), name);
            assert!(fault.reaches_provider(), "{name}");
        }
        let faults = Faults::new();
        faults
            .on(Route::new("POST", "/single"))
            .then(Fault::AppliedThenStatus(500))
            .then(Fault::AppliedThenHang)
            .then(slow.clone())
            .then_normal();
        let post = FakeRequest::new("POST", "/single");
        assert_eq!(
            faults.next_for(&post, None),
            Some(Fault::AppliedThenStatus(500))
        );
        assert_eq!(faults.next_for(&post, None), Some(Fault::AppliedThenHang));
        assert_eq!(faults.next_for(&post, None), Some(slow));
        assert_eq!(faults.next_for(&post, None), None);
        // Two statuses after applying are two different faults of one kind.
        assert_ne!(Fault::AppliedThenStatus(500), Fault::AppliedThenStatus(503));
    }
}
