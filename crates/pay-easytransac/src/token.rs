//! The V2 bearer token: fetched with `POST /v2/auth`, cached, and refreshed before it
//! expires, with single flight: whatever the number of concurrent calls, one token
//! request per token lifetime.
//!
//! A 401 invalidates exactly the token that the failed attempt sent: each attempt
//! records its token's generation in a task-local scope around the call
//! ([`track`]), and [`TokenSource::invalidate`] drops the cached token only when it is
//! still that generation. A token fetched during the call is therefore dropped as surely
//! as one cached before it, and a token another call has already replaced is left alone.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use pay_core::{CallOptions, Clock, ContentType, ErrorKind, PayError};
use pay_http::{Request, Transport};
use pay_signing::jwt;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::hooks::V2AuthHooks;
use crate::wire;

tokio::task_local! {
    /// The generation of the token the current call's latest attempt sent.
    static SENT: Cell<Option<u64>>;
}

/// Runs `call` (one `Transport::send`) and reports the generation of the token its last
/// attempt sent, if it sent one.
pub(crate) async fn track<F: Future>(call: F) -> (F::Output, Option<u64>) {
    SENT.scope(Cell::new(None), async {
        let out = call.await;
        (out, SENT.with(Cell::get))
    })
    .await
}

/// Records that the current attempt sends the token of `generation` (a no-op outside
/// [`track`]).
pub(crate) fn record_sent(generation: u64) {
    let _ = SENT.try_with(|sent| sent.set(Some(generation)));
}

/// The lifetime assumed when the answer gives neither a readable `exp` nor `expiresIn`:
/// the documented example's 300 s.
const FALLBACK_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Clone)]
struct Cached {
    token: SecretString,
    /// Expiry minus the refresh margin (at most a quarter of the token's lifetime).
    refresh_at: SystemTime,
    generation: u64,
}

/// The token cache. `bearer` holds an async mutex while it fetches, so concurrent callers
/// wait for the one request in flight instead of making their own.
pub(crate) struct TokenSource {
    auth: Transport<V2AuthHooks>,
    api_key: SecretString,
    clock: Arc<dyn Clock>,
    margin: Duration,
    state: Mutex<Option<Cached>>,
    generation: AtomicU64,
    requests: AtomicU64,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("margin", &self.margin)
            .field("requests", &self.requests.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub(crate) fn new(
        auth: Transport<V2AuthHooks>,
        api_key: SecretString,
        clock: Arc<dyn Clock>,
        margin: Duration,
    ) -> Self {
        Self {
            auth,
            api_key,
            clock,
            margin,
            state: Mutex::new(None),
            generation: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        }
    }

    /// How many token requests this client has made.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// A token valid for at least the refresh margin, and its generation.
    pub(crate) async fn bearer(&self) -> Result<(SecretString, u64), PayError> {
        let mut state = self.state.lock().await;
        if let Some(cached) = state.as_ref()
            && self.clock.now() < cached.refresh_at
        {
            return Ok((cached.token.clone(), cached.generation));
        }
        let fresh = self.fetch().await?;
        let out = (fresh.token.clone(), fresh.generation);
        *state = Some(fresh);
        Ok(out)
    }

    /// Drops the cached token if it is still the one of `generation`, the token a
    /// failed attempt sent (after a 401), so that the next caller fetches a fresh one,
    /// once. A newer token (fetched by another call meanwhile) is kept.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state.as_ref().is_some_and(|c| c.generation == generation) {
            *state = None;
        }
    }

    async fn fetch(&self) -> Result<Cached, PayError> {
        let operation = wire::operation("v2_auth_token").ok_or_else(|| {
            PayError::new(ErrorKind::Configuration {
                reason: "operation v2_auth_token missing from the table".to_owned(),
            })
        })?;
        let request = wire::V2AuthRequest::new(self.api_key.expose_secret().to_owned());
        request.validate()?;
        let body = serde_json::to_vec(&request).map_err(|e| {
            PayError::new(ErrorKind::Configuration {
                reason: format!("token request cannot be encoded: {e}"),
            })
        })?;
        drop(request);
        let options = CallOptions::new();
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .auth
            .send(
                Request::new(operation, operation.path)
                    .body(ContentType::Json, body)
                    .options(&options),
            )
            .await?;
        let answer: wire::V2AuthDataResponse = serde_json::from_slice(response.body())
            .map_err(|e| response.decode_error("data.token", e))?;
        // A token that cannot travel in an `Authorization` header would be cached and
        // fail every call until its refresh time: refuse it now (found by fuzzing).
        if answer.data.token.is_empty() || !answer.data.token.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(PayError::new(ErrorKind::Decode {
                location: "data.token".to_owned(),
            })
            .with_provider(crate::client::PROVIDER)
            .with_operation(operation.id));
        }
        let token = SecretString::from(answer.data.token);
        let now = self.clock.now();
        let expires_at = match jwt::read_claims_unverified(&token)
            .ok()
            .and_then(|c| c.expires_at())
        {
            Some(exp) => exp,
            None => answer
                .data
                .expires_in
                .and_then(|s| u64::try_from(s).ok())
                // A lifetime past what a `SystemTime` holds reads as no lifetime.
                .and_then(|s| now.checked_add(Duration::from_secs(s)))
                .unwrap_or(now + FALLBACK_LIFETIME),
        };
        let lifetime = expires_at.duration_since(now).unwrap_or_default();
        let margin = self.margin.min(lifetime / 4);
        let refresh_at = expires_at.checked_sub(margin).unwrap_or(expires_at);
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        Ok(Cached {
            token,
            refresh_at,
            generation,
        })
    }
}
