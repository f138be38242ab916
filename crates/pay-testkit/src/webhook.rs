//! Outbound webhooks: the outbox provider fakes queue notifications in, delivery to
//! loopback receivers only, retries on the manual clock, and the controls tests use to
//! deliver now, duplicate, reorder and tamper.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use http_body_util::BodyExt;
use hyper::Request;
use hyper_util::rt::TokioIo;
use pay_core::Clock;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use crate::body::WholeBody;

/// A notification a provider fake wants to send: where, how, and the exact bytes.
///
/// `Debug` shows the URL, method, header names and body length only: notifications carry
/// signatures and personal data.
///
/// `Content-Length`, `Transfer-Encoding`, `Host` and `Connection` headers set here are not
/// sent: the client writes its own.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    url: String,
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Notification {
    /// A `POST` of `body` to `url`.
    pub fn post(url: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            url: url.into(),
            method: "POST".to_owned(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Uses another method than `POST`.
    #[must_use]
    pub fn with_method(mut self, method: &str) -> Self {
        self.method = method.to_ascii_uppercase();
        self
    }

    /// The target URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first header called `name`, ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::provider::find_header(&self.headers, name)
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The headers, to tamper with.
    pub fn headers_mut(&mut self) -> &mut Vec<(String, String)> {
        &mut self.headers
    }

    /// The body, to tamper with.
    pub fn body_mut(&mut self) -> &mut Vec<u8> {
        &mut self.body
    }

    /// Points it elsewhere.
    pub fn set_url(&mut self, url: impl Into<String>) {
        self.url = url.into();
    }
}

impl fmt::Debug for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Notification")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Flips the lowest bit of the byte in the middle of `body` (a body that was signed no
/// longer matches its signature). Does nothing to an empty body.
pub fn flip_middle_byte(body: &mut [u8]) {
    let middle = body.len() / 2;
    if let Some(byte) = body.get_mut(middle) {
        *byte ^= 0x01;
    }
}

/// A queued notification's number in its outbox, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationId(u64);

impl NotificationId {
    /// The number.
    pub fn get(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A notification waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    id: NotificationId,
    notification: Notification,
    attempts: u32,
    next_attempt_at: SystemTime,
    copy_of: Option<NotificationId>,
}

impl Pending {
    /// Its id.
    pub fn id(&self) -> NotificationId {
        self.id
    }

    /// The notification.
    pub fn notification(&self) -> &Notification {
        &self.notification
    }

    /// How many deliveries were attempted so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// When it is due, by the outbox's clock.
    pub fn next_attempt_at(&self) -> SystemTime {
        self.next_attempt_at
    }

    /// The notification it duplicates, for copies made by [`Webhooks::duplicate`].
    pub fn copy_of(&self) -> Option<NotificationId> {
        self.copy_of
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    id: NotificationId,
    attempt: u32,
    at: SystemTime,
    url: String,
    outcome: DeliveryOutcome,
}

impl Delivery {
    /// Which notification.
    pub fn id(&self) -> NotificationId {
        self.id
    }

    /// Which attempt, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// When, by the outbox's clock.
    pub fn at(&self) -> SystemTime {
        self.at
    }

    /// Where to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What happened.
    pub fn outcome(&self) -> &DeliveryOutcome {
        &self.outcome
    }
}

/// What happened to one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered {
        /// Its status code.
        status: u16,
    },
    /// The receiver answered something else; the delivery will be retried.
    Rejected {
        /// Its status code.
        status: u16,
    },
    /// No answer (connection refused, reset, timeout); the delivery will be retried.
    Failed {
        /// What went wrong.
        reason: String,
    },
    /// Not attempted: the URL is not an `http://` URL on a loopback address. Never
    /// retried.
    Refused {
        /// Why.
        reason: String,
    },
}

impl DeliveryOutcome {
    /// Whether the receiver accepted it.
    pub fn is_delivered(&self) -> bool {
        matches!(self, DeliveryOutcome::Delivered { .. })
    }

    /// The receiver's status code, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            DeliveryOutcome::Delivered { status } | DeliveryOutcome::Rejected { status } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

/// When failed deliveries are tried again: after the first failed attempt wait the first
/// delay, after the second the second delay, and so on; when the delays run out, give up.
/// Time is the outbox's clock, so with a [`pay_core::ManualClock`] a test advances the
/// clock and calls [`Webhooks::deliver_due`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    delays: Vec<Duration>,
}

impl RetrySchedule {
    /// Retries after each of `delays`.
    pub fn new(delays: Vec<Duration>) -> Self {
        Self { delays }
    }

    /// One attempt only.
    pub fn none() -> Self {
        Self { delays: Vec::new() }
    }

    /// The delays.
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// The wait after failed attempt number `attempt` (from 1), or `None` to give up.
    pub fn after(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
        self.delays.get(index).copied()
    }
}

impl Default for RetrySchedule {
    /// A generic schedule: 1 min, 5 min, 30 min, 2 h, 6 h. Provider fakes declare their
    /// provider's documented one.
    fn default() -> Self {
        Self::new(
            [60, 300, 1800, 7200, 21600]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
        )
    }
}

/// A notification id that is not (or no longer) waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownNotification(pub NotificationId);

impl fmt::Display for UnknownNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "notification {} is not waiting in the outbox", self.0)
    }
}

impl std::error::Error for UnknownNotification {}

/// The webhook outbox of a server (or of a provider fake under unit test). Cheap to
/// clone; clones share the outbox.
///
/// Provider fakes [`push`](Self::push) notifications; nothing is sent until a test calls
/// [`deliver_now`](Self::deliver_now) or [`deliver_due`](Self::deliver_due), or turns on
/// [`set_automatic`](Self::set_automatic). Before delivering, a test can
/// [`duplicate`](Self::duplicate), [`reorder`](Self::reorder), [`tamper`](Self::tamper)
/// with or [`discard`](Self::discard) what is waiting.
///
/// Deliveries go only to `http://` URLs on loopback addresses (`127.0.0.0/8`, `[::1]`,
/// `localhost`); any other URL is [`Refused`](DeliveryOutcome::Refused) without a
/// connection attempt. Each attempt has a real-time timeout (5 s by default).
#[derive(Clone)]
pub struct Webhooks {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    automatic: Mutex<Option<JoinHandle<()>>>,
}

struct State {
    queue: Vec<Pending>,
    log: Vec<Delivery>,
    given_up: Vec<Pending>,
    next_id: u64,
    retries: RetrySchedule,
    timeout: Duration,
}

impl fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Webhooks")
            .field("pending", &state.queue.len())
            .field("attempts", &state.log.len())
            .field("given_up", &state.given_up.len())
            .finish()
    }
}

impl Webhooks {
    /// An empty outbox on `clock`, with the default [`RetrySchedule`].
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                clock,
                state: Mutex::new(State {
                    queue: Vec::new(),
                    log: Vec::new(),
                    given_up: Vec::new(),
                    next_id: 1,
                    retries: RetrySchedule::default(),
                    timeout: Duration::from_secs(5),
                }),
                automatic: Mutex::new(None),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets when failed deliveries are retried.
    pub fn set_retries(&self, retries: RetrySchedule) {
        self.state().retries = retries;
    }

    /// Sets the real-time limit of one delivery attempt.
    pub fn set_timeout(&self, timeout: Duration) {
        self.state().timeout = timeout;
    }

    /// Queues a notification, due now.
    pub fn push(&self, notification: Notification) -> NotificationId {
        let now = self.inner.clock.now();
        let mut state = self.state();
        let id = NotificationId(state.next_id);
        state.next_id += 1;
        state.queue.push(Pending {
            id,
            notification,
            attempts: 0,
            next_attempt_at: now,
            copy_of: None,
        });
        id
    }

    /// What is waiting, in delivery order.
    pub fn pending(&self) -> Vec<Pending> {
        self.state().queue.clone()
    }

    /// Every delivery attempt so far, in order.
    pub fn log(&self) -> Vec<Delivery> {
        self.state().log.clone()
    }

    /// The notifications given up on: retries exhausted, or refused.
    pub fn given_up(&self) -> Vec<Pending> {
        self.state().given_up.clone()
    }

    /// Queues `times` copies of a waiting notification right after it, as a provider
    /// that delivers twice does. Returns the copies' ids.
    ///
    /// # Errors
    /// [`UnknownNotification`] when `id` is not waiting.
    pub fn duplicate(
        &self,
        id: NotificationId,
        times: usize,
    ) -> Result<Vec<NotificationId>, UnknownNotification> {
        let mut state = self.state();
        let index = position(&state.queue, id)?;
        let original = state.queue[index].clone();
        let mut ids = Vec::with_capacity(times);
        for offset in 1..=times {
            let copy_id = NotificationId(state.next_id);
            state.next_id += 1;
            let copy = Pending {
                id: copy_id,
                copy_of: Some(id),
                ..original.clone()
            };
            state.queue.insert(index + offset, copy);
            ids.push(copy_id);
        }
        Ok(ids)
    }

    /// Puts the listed notifications first, in the order given; the others follow in
    /// their current order.
    ///
    /// # Errors
    /// [`UnknownNotification`] for an id that is not waiting (nothing is changed).
    pub fn reorder(&self, first: &[NotificationId]) -> Result<(), UnknownNotification> {
        let mut state = self.state();
        for id in first {
            position(&state.queue, *id)?;
        }
        let mut rest = std::mem::take(&mut state.queue);
        let mut ordered = Vec::with_capacity(rest.len());
        for id in first {
            if let Ok(index) = position(&rest, *id) {
                ordered.push(rest.remove(index));
            }
        }
        ordered.extend(rest);
        state.queue = ordered;
        Ok(())
    }

    /// Reverses the delivery order of everything waiting.
    pub fn reverse(&self) {
        self.state().queue.reverse();
    }

    /// Changes a waiting notification (its body, headers or URL) before it is sent,
    /// for example with [`flip_middle_byte`]. Signatures are not recomputed.
    ///
    /// # Errors
    /// [`UnknownNotification`] when `id` is not waiting.
    pub fn tamper(
        &self,
        id: NotificationId,
        change: impl FnOnce(&mut Notification),
    ) -> Result<(), UnknownNotification> {
        let mut state = self.state();
        let index = position(&state.queue, id)?;
        change(&mut state.queue[index].notification);
        Ok(())
    }

    /// Removes a waiting notification without sending it.
    ///
    /// # Errors
    /// [`UnknownNotification`] when `id` is not waiting.
    pub fn discard(&self, id: NotificationId) -> Result<Notification, UnknownNotification> {
        let mut state = self.state();
        let index = position(&state.queue, id)?;
        Ok(state.queue.remove(index).notification)
    }

    /// Attempts every waiting notification once, due or not, in order.
    pub async fn deliver_now(&self) -> Vec<Delivery> {
        self.deliver(|_| true).await
    }

    /// Attempts the waiting notifications that are due by the clock, in order.
    pub async fn deliver_due(&self) -> Vec<Delivery> {
        let now = self.inner.clock.now();
        self.deliver(|p| p.next_attempt_at <= now).await
    }

    async fn deliver(&self, take: impl Fn(&Pending) -> bool) -> Vec<Delivery> {
        let (batch, timeout) = {
            let mut state = self.state();
            let (batch, keep): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut state.queue)
                .into_iter()
                .partition(|p| take(p));
            state.queue = keep;
            (batch, state.timeout)
        };
        let mut deliveries = Vec::with_capacity(batch.len());
        let mut retry = Vec::new();
        for mut pending in batch {
            pending.attempts += 1;
            let outcome = send(&pending.notification, timeout).await;
            let now = self.inner.clock.now();
            let delivery = Delivery {
                id: pending.id,
                attempt: pending.attempts,
                at: now,
                url: pending.notification.url.clone(),
                outcome: outcome.clone(),
            };
            let mut state = self.state();
            state.log.push(delivery.clone());
            match outcome {
                DeliveryOutcome::Delivered { .. } => {}
                DeliveryOutcome::Refused { .. } => state.given_up.push(pending),
                _ => match state.retries.after(pending.attempts) {
                    Some(wait) => {
                        pending.next_attempt_at = now + wait;
                        retry.push(pending);
                    }
                    None => state.given_up.push(pending),
                },
            }
            drop(state);
            deliveries.push(delivery);
        }
        // Retries go back in front, in their order, ahead of anything queued meanwhile.
        let mut state = self.state();
        retry.append(&mut state.queue);
        state.queue = retry;
        deliveries
    }

    /// Turns automatic delivery on or off. When on, a background task delivers every
    /// notification as soon as it is due by the clock (checking every 10 ms of real
    /// time), retries included.
    ///
    /// # Panics
    /// When turned on outside a Tokio runtime.
    pub fn set_automatic(&self, on: bool) {
        let mut task = self
            .inner
            .automatic
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(handle) = task.take() {
            handle.abort();
        }
        if on {
            let weak: Weak<Inner> = Arc::downgrade(&self.inner);
            *task = Some(tokio::spawn(async move {
                loop {
                    let Some(inner) = weak.upgrade() else { break };
                    Webhooks { inner }.deliver_due().await;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }));
        }
    }

    /// Whether automatic delivery is on.
    pub fn is_automatic(&self) -> bool {
        self.inner
            .automatic
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(handle) = self
            .automatic
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            handle.abort();
        }
    }
}

fn position(queue: &[Pending], id: NotificationId) -> Result<usize, UnknownNotification> {
    queue
        .iter()
        .position(|p| p.id == id)
        .ok_or(UnknownNotification(id))
}

/// Where a loopback URL points.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    addr: SocketAddr,
    host: String,
    path: String,
}

/// Parses `url` and accepts it only if it is plain HTTP to a loopback address. No name is
/// ever resolved: `localhost` is taken to be 127.0.0.1.
fn loopback_target(url: &str) -> Result<Target, String> {
    let rest = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
        .ok_or_else(|| "only http:// URLs on a loopback address are delivered to".to_owned())?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = path.split('#').next().unwrap_or_default();
    let path = if path.is_empty() || path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    if authority.contains('@') {
        return Err("URLs with credentials are not delivered to".to_owned());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| "malformed IPv6 address".to_owned())?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port: u16 = match port {
        None => 80,
        Some(port) => port
            .parse()
            .map_err(|_| "malformed port in the URL".to_owned())?,
    };
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().map_err(|_| {
            "only loopback addresses (127.0.0.0/8, [::1], localhost) are delivered to".to_owned()
        })?
    };
    if !ip.is_loopback() {
        return Err(
            "only loopback addresses (127.0.0.0/8, [::1], localhost) are delivered to".to_owned(),
        );
    }
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        host: authority.to_owned(),
        path,
    })
}

const HOP_HEADERS: &[&str] = &["content-length", "transfer-encoding", "host", "connection"];

async fn send(notification: &Notification, timeout: Duration) -> DeliveryOutcome {
    let target = match loopback_target(&notification.url) {
        Ok(target) => target,
        Err(reason) => return DeliveryOutcome::Refused { reason },
    };
    match tokio::time::timeout(timeout, exchange(&target, notification)).await {
        Ok(Ok(status)) if (200..300).contains(&status) => DeliveryOutcome::Delivered { status },
        Ok(Ok(status)) => DeliveryOutcome::Rejected { status },
        Ok(Err(reason)) => DeliveryOutcome::Failed { reason },
        Err(_) => DeliveryOutcome::Failed {
            reason: format!("no answer within {timeout:?}"),
        },
    }
}

async fn exchange(target: &Target, notification: &Notification) -> Result<u16, String> {
    let mut request = Request::builder()
        .method(notification.method.as_str())
        .uri(target.path.as_str())
        .header(hyper::header::HOST, target.host.as_str());
    for (name, value) in &notification.headers {
        if !HOP_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    let request = request
        .body(WholeBody::sized(notification.body.clone()))
        .map_err(|e| format!("invalid request: {e}"))?;
    let stream = TcpStream::connect(target.addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let driver = tokio::spawn(connection);
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        let status = response.status().as_u16();
        // Read the answer to its end; a receiver that cuts it short still answered.
        let _ = response.into_body().collect().await;
        Ok(status)
    }
    .await;
    driver.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::{ManualClock, from_unix_seconds};

    fn outbox() -> (ManualClock, Webhooks) {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let webhooks = Webhooks::new(Arc::new(clock.clone()));
        (clock, webhooks)
    }

    #[test]
    fn only_loopback_http_urls_are_targets() {
        let ok = loopback_target("http://127.0.0.1:8080/hook?x=1#frag").unwrap();
        assert_eq!(ok.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(ok.host, "127.0.0.1:8080");
        assert_eq!(ok.path, "/hook?x=1");
        let ok = loopback_target("HTTP://127.1.2.3").unwrap();
        assert_eq!(ok.addr, "127.1.2.3:80".parse().unwrap());
        assert_eq!(ok.path, "/");
        assert_eq!(
            loopback_target("http://[::1]:9/a").unwrap().addr,
            "[::1]:9".parse().unwrap()
        );
        assert_eq!(
            loopback_target("http://localhost:7?q").unwrap().addr,
            "127.0.0.1:7".parse().unwrap()
        );
        assert_eq!(loopback_target("http://localhost:7?q").unwrap().path, "/?q");
        for url in [
            "https://127.0.0.1/hook",
            "http://10.0.0.1/hook",
            "http://192.168.1.10:8080/",
            "http://8.8.8.8/",
            "http://example.com/hook",
            "http://127.0.0.1.example.com/",
            "http://user:pw@127.0.0.1/",
            "http://[::ffff:10.0.0.1]/",
            "http://[2001:db8::1]/",
            "http://0.0.0.0:80/",
            "http://127.0.0.1:99999/",
            "ftp://127.0.0.1/",
            "",
        ] {
            assert!(loopback_target(url).is_err(), "{url}");
        }
    }

    #[test]
    fn the_queue_can_be_duplicated_reordered_tampered_and_discarded() {
        let (_, webhooks) = outbox();
        let a = webhooks.push(Notification::post("http://127.0.0.1:1/a", "body-a"));
        let b = webhooks.push(Notification::post("http://127.0.0.1:1/b", "body-b"));
        let c = webhooks.push(Notification::post("http://127.0.0.1:1/c", "body-c"));
        assert_eq!(a.get(), 1);
        assert_eq!(c.to_string(), "#3");

        let copies = webhooks.duplicate(b, 2).unwrap();
        let order: Vec<NotificationId> = webhooks.pending().iter().map(Pending::id).collect();
        assert_eq!(order, [a, b, copies[0], copies[1], c]);
        assert_eq!(webhooks.pending()[2].copy_of(), Some(b));
        assert_eq!(webhooks.pending()[2].notification().body(), b"body-b");

        webhooks.reorder(&[c, a]).unwrap();
        let order: Vec<NotificationId> = webhooks.pending().iter().map(Pending::id).collect();
        assert_eq!(order, [c, a, b, copies[0], copies[1]]);
        webhooks.reverse();
        let order: Vec<NotificationId> = webhooks.pending().iter().map(Pending::id).collect();
        assert_eq!(order, [copies[1], copies[0], b, a, c]);

        webhooks
            .tamper(a, |n| {
                flip_middle_byte(n.body_mut());
                n.headers_mut().push(("X-Extra".to_owned(), "1".to_owned()));
            })
            .unwrap();
        let tampered = webhooks.pending()[3].notification().clone();
        assert_eq!(tampered.body(), b"bodx-a");
        assert_eq!(tampered.header("x-extra"), Some("1"));

        assert_eq!(webhooks.discard(c).unwrap().body(), b"body-c");
        let missing = NotificationId(99);
        assert_eq!(webhooks.discard(c), Err(UnknownNotification(c)));
        assert_eq!(
            webhooks.reorder(&[a, missing]),
            Err(UnknownNotification(missing))
        );
        assert!(webhooks.tamper(missing, |_| {}).is_err());
        assert!(webhooks.duplicate(missing, 1).is_err());
        assert_eq!(
            UnknownNotification(missing).to_string(),
            "notification #99 is not waiting in the outbox"
        );
        assert_eq!(webhooks.pending().len(), 4);
    }

    #[test]
    fn debug_hides_bodies_and_header_values() {
        let notification = Notification::post("http://127.0.0.1:1/", "CardNumber=4111111111111111")
            .with_header("Signature", "sig-secret");
        let shown = format!("{notification:?}");
        assert!(!shown.contains("4111111111111111"), "{shown}");
        assert!(!shown.contains("sig-secret"), "{shown}");
        assert!(shown.contains("Signature"));
        let (_, webhooks) = outbox();
        webhooks.push(notification);
        let shown = format!("{:?}", webhooks.pending());
        assert!(!shown.contains("4111111111111111"), "{shown}");
        assert_eq!(
            format!("{webhooks:?}"),
            "Webhooks { pending: 1, attempts: 0, given_up: 0 }"
        );
    }

    #[test]
    fn schedules_say_when_to_retry() {
        let schedule = RetrySchedule::new(vec![Duration::from_secs(1), Duration::from_secs(5)]);
        assert_eq!(schedule.after(0), None);
        assert_eq!(schedule.after(1), Some(Duration::from_secs(1)));
        assert_eq!(schedule.after(2), Some(Duration::from_secs(5)));
        assert_eq!(schedule.after(3), None);
        assert_eq!(RetrySchedule::none().after(1), None);
        assert_eq!(RetrySchedule::default().delays().len(), 5);
    }

    #[tokio::test]
    async fn refused_urls_are_never_retried() {
        let (clock, webhooks) = outbox();
        let id = webhooks.push(Notification::post("http://192.0.2.1/hook", "{}"));
        let deliveries = webhooks.deliver_now().await;
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].id(), id);
        assert_eq!(deliveries[0].attempt(), 1);
        assert_eq!(deliveries[0].at(), clock.now());
        assert_eq!(deliveries[0].url(), "http://192.0.2.1/hook");
        assert!(matches!(
            deliveries[0].outcome(),
            DeliveryOutcome::Refused { .. }
        ));
        assert_eq!(deliveries[0].outcome().status(), None);
        assert!(webhooks.pending().is_empty());
        assert_eq!(webhooks.given_up().len(), 1);
        clock.advance(Duration::from_secs(86_400));
        assert!(webhooks.deliver_due().await.is_empty());
    }
}
