//! The fake Easytransac server: API V1 (form-encoded, signed, under `/api/…`) and V2
//! (JSON, bearer JWT, under `/v2/…`), stateful, with signed PUSH notifications and
//! scenario controls for what a browser or a bank would do.
//!
//! Behaviour comes from the facts in `fixtures/easytransac/api.yaml` and the research
//! notes it cites; routing and request validation use the generated tables in
//! [`crate::generated::easytransac`]. Where the provider's documentation is silent the
//! fake picks a conservative behaviour, marked INFERRED below and in `docs/testkit.md`.
//!
//! # Using it
//! ```
//! use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake};
//! use secrecy::SecretString;
//!
//! let config = EasytransacConfig::new(SecretString::from("et_test_my-key"))
//!     .notification_url("http://127.0.0.1:9/notify");
//! let fake = EasytransacFake::new(config);
//! assert!(fake.payment("ET000001").is_none());
//! // FakeServer::start(fake).await? serves it.
//! ```
//!
//! Scenario controls ([`EasytransacFake::complete_3ds`], [`EasytransacFake::pay_page`],
//! [`EasytransacFake::settle_debit`], [`EasytransacFake::run_due_schedules`],
//! [`EasytransacFake::open_chargeback`]…) take a [`Context`]; with a server, build one
//! from it:
//! `Context::new(&*server.clock(), server.webhooks(), server.base_url())`.
//!
//! # V1
//! Every `/api/…` call is a form-encoded `POST` answered with HTTP 200 and
//! `{"Code":0,"Signature":…,"Result":…}` (the signature covers `Result` only) or
//! `{"Code":n,"Error":"…"}`. Checks, in order:
//! 1. `EASYTRANSAC-API-KEY` header absent or empty: ApiError 4; present but not the
//!    configured key: ApiError 3 "Invalid application" (INFERRED: the table has no
//!    "wrong key" code; 3 is the closest).
//! 2. `Signature` field absent: ApiError 5 (INFERRED); not the signature of the other
//!    fields: ApiError 12 "Wrong signature".
//! 3. Operations the fake does not model: ApiError 1 with a message naming the path
//!    (INFERRED; never a silent success).
//! 4. Parameter names are read without regard to ASCII case, as the real server does
//!    (INFERRED from its case-folding signature and the official SDK, whose payment-page
//!    request sends `ClientIP`): each posted name is folded onto the documented name it
//!    matches, the last of several winning.
//! 5. Validation through the generated request types: a missing required field (or a
//!    missing one-of such as status's `Tid`/`RequestId`/`OrderId`) is ApiError 5, any
//!    other broken documented constraint is ApiError 101 (INFERRED: the table's 101 is
//!    "Parameter P…", truncated). Messages name the field, never its value.
//! 6. State errors (unknown `Tid`, wrong status for the operation, unknown `Alias`):
//!    ApiError 1 "Invalid request" with a message (INFERRED). Amount errors (capture
//!    above the authorisation, refund above what is left): ApiError 101 (INFERRED).
//!
//! Amounts arrive as integer cents and leave as decimal text (`"29.99"`), through
//! [`pay_core::Money::format_major`]. Dates are `YYYY-MM-DD HH:MM:SS`, Paris time.
//!
//! # V2
//! `POST /v2/auth` with `{"apiKey":…}` answers a HS256 JWT valid for
//! [`EasytransacConfig::token_lifetime`] (300 s by default) by the server's clock.
//! Every other `/v2/…` call needs `Authorization: Bearer …`; a missing, invalid or
//! expired token is HTTP 401. Answers are `{"success":true,"date":…,"data":…}`; errors
//! are `{"success":false,"date":…,"detail":"…"}` with 400, 401, 404 or 409 (INFERRED
//! shape: the provider's error body is undocumented).
//!
//! Injected faults without a body ([`Fault::status`](crate::Fault::status),
//! [`Fault::RateLimited`](crate::Fault::RateLimited)) answer in the shape of their route:
//! on `/v2/…` the V2 envelope above (INFERRED), dated by the clock reading of the fake's
//! latest request; elsewhere the V1 `{"Code":9 or 10,"Error":…}` (INFERRED codes: 9 for
//! 503 and 429, 10 otherwise).
//!
//! # Testkit card numbers (testkit conventions, not provider facts)
//! See [`cards`]. Any other Luhn-valid number behaves like [`cards::SUCCESS`]; a
//! number failing the Luhn check is ApiError 101.
//!
//! # Lifecycles
//! - Card payment (`/api/payment/direct`, `/api/payment/oneclick`): `captured`, or
//!   `authorized` with `PreAuth=yes`, or `failed` for the decline card, or `pending`
//!   with `3DSecure=yes` and a `3DSecureUrl` on the fake's own base URL for the 3-D
//!   Secure card (unless `3DS=no`). A 3-D Secure challenge left unfinished for 20
//!   minutes of the fake's clock becomes `failed` with a notification.
//! - Pre-authorisation: `/api/payment/capture` (full, or partial with `Amount`) →
//!   `captured`; `/api/payment/cancel` → `failed` with `Message`
//!   "Pre-authorisation cancelled" (INFERRED: no documented cancelled status).
//! - Refunds (`/api/payment/refund`): full (no `Amount`) or partial; `AmountRefund`
//!   grows; the status becomes `refunded` only when everything is refunded (INFERRED:
//!   a partly refunded payment stays `captured`). Beyond what is left: ApiError 101.
//! - Payment page (`/api/payment/page`): `pending` with a `PageUrl`; the scenario
//!   controls pay it (a new captured or authorized `Tid`) or fail it;
//!   `/api/payment/cancelpage` cancels a pending page (page status `cancelled`,
//!   INFERRED); `/api/payment/resendpage` answers the page again with `MailSent=yes`.
//!   Only `OperationType=payment` pages are modelled.
//! - SEPA (`/api/payment/sdd/init`, V2 mandate debits) and bank transfers
//!   (`/api/payment/bybank`, `/v2/open-banking/init`): `pending` with `MandateUrl` or
//!   `RedirectUrl` until a scenario control settles (`captured`) or rejects (`failed`).
//!   [`EasytransacFake::sign_mandate`] records the customer's signature of a V1 debit's
//!   mandate: still `pending`, no notification (INFERRED: the signing flow is
//!   undocumented); settling does not require it.
//!   V2 mandates are `active` as soon as created (INFERRED: the signing flow and the
//!   status vocabulary are undocumented); the fake requires an `iban` to create one.
//! - Schedules: `Rebill=yes` charges `DownPayment` (or `Amount`) first, then `Amount`
//!   every `Recurrence` period with no end; `MultiplePayments=yes` splits `Amount` into
//!   `MultiplePaymentsRepeat` instalments (2 to 12 in V1, 2 to 10 in V2), the first
//!   being `DownPayment` when given (at least 1.00 and at most 70 % of the total,
//!   ApiError 101 otherwise, INFERRED from the recurring-payments prose) and the rest
//!   split with [`pay_core::Money::allocate`] so no cent is lost. Periods count from
//!   the first capture, in calendar months for monthly-and-longer recurrences.
//!   Follow-ups are created when the fake's clock passes their due date (on every
//!   request and on [`EasytransacFake::run_due_schedules`]), each with its own `Tid`,
//!   `captured`, carrying `OriginalPaymentTid`, `MultiplePaymentsCount`/`RebillCount`
//!   and `MultiplePaymentsStatus`/`RebillStatus` (`active`, `finished`, `cancelled`:
//!   INFERRED vocabulary). `/api/payment/cancel` on a schedule's `Tid` stops it.
//! - Declined follow-ups (a testkit convention): after
//!   [`EasytransacFake::fail_next_charge`] the schedule's next follow-up is `failed`
//!   with `Error` "Insufficient funds" and its notification. The schedule goes on
//!   (INFERRED: no retry or suspension is documented): the declined charge keeps its
//!   number and is not retried, the next one falls due at its usual date.
//! - Chargebacks: [`EasytransacFake::open_chargeback`] on a `captured` payment sets
//!   `DateChargeback` and `OperationType=chargeback` and keeps `Status` `captured`
//!   (INFERRED: the documented statuses have no chargeback value);
//!   [`EasytransacFake::represent_chargeback`] sets `DateRepresentment`. Each queues a
//!   notification; status lookups show the dates; a charged-back payment can no longer
//!   be refunded (ApiError 1, INFERRED).
//!
//! # The browser's return to `ReturnUrl`
//! A real customer's browser, sent back to the merchant's `ReturnUrl`, carries the
//! transaction status; the fake stands in for it (INFERRED) and queues the request in
//! the server's outbox (delivered to loopback URLs only), when the request that started
//! the payment named a `ReturnUrl`, at each final status the browser would see: a 3-D
//! Secure challenge completed or failed, a payment page paid, declined or abandoned
//! (abandoned: to `CancelUrl` when the page named one).
//! With `ReturnMethod=POST` (the default) it is the signed form of the notification
//! (INFERRED: the same fields); with `ReturnMethod=GET` a `GET` with only `Tid`,
//! `OrderId` and `Status` added to the query (INFERRED: the documentation says only
//! "essential" parameters are passed, without listing them). An abandoned page has no
//! transaction: its return carries what a status lookup by `RequestId` answers
//! (`Status=failed`, no `Tid`, so `verify_notification`, which needs a `Tid`, refuses
//! it although the signature holds).
//!
//! # Customer pages
//! The fake serves the pages those URLs name (`PageUrl`, `3DSecureUrl`, `MandateUrl`,
//! the bank `RedirectUrl`): plain HTML whose forms run the same state changes as the
//! scenario controls and then hand the browser's return to the browser itself, instead
//! of queueing it. See the `pages` module and `docs/testing.md`.
//!
//! # Notifications
//! With a notification URL configured, every status change (and every refund) queues
//! a form-encoded PUSH notification in the server's outbox: `NotificationType`,
//! `Currency`, the flat `DoneTransaction` fields, `Client[…]` and a `Signature` over
//! all of them, verifiable with `pay_signing::easytransac::verify_notification`.
//!
//! # Scenario controls over HTTP
//! `POST /_testkit/pay-page?request_id=…`, `/_testkit/complete-3ds?tid=…`,
//! `/_testkit/settle-debit?tid=…`, `/_testkit/advance-clock?seconds=…` and the others
//! listed in the `control` module run the scenario controls for a client that is not in
//! this process (what `pay-testkit serve` offers). Not an Easytransac API.
//!
//! # Other V1 operations
//! History, page requests, card information, a customer's IBANs, merchant sub-accounts
//! (`/api/user/…`), KYC documents (`/api/kyc/…`), peer-to-peer transfers and subscription
//! updates (`/api/payment/rebill/update`) are modelled simply (INFERRED behaviour; see
//! the `other` module). Every V1 operation of the description is modelled; a path the
//! description does not have is ApiError 1.

mod control;
mod names;
mod notify;
mod other;
mod pages;
mod scenario;
mod state;
mod v1;
mod v2;

#[cfg(test)]
mod page_tests;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pay_signing::jwt::JwtSecret;
use secrecy::{ExposeSecret, SecretString};

use crate::generated::easytransac as wire;
use crate::provider::{Context, FakeProvider, FakeRequest, FakeResponse, Snapshot};
use crate::webhook::RetrySchedule;

pub use crate::easytransac::scenario::{PaymentView, ScenarioError};

/// The API key the `pay-testkit serve --provider easytransac` binary accepts. A testkit
/// convention, not a real key.
pub const TEST_API_KEY: &str = "et_test_pay-testkit-fake-key";

/// What `pay-testkit serve --provider easytransac` serves: the test API key, scenario
/// controls on the server's clock, PUSH notifications to `--notify`.
pub const SERVE: crate::registry::Entry = crate::registry::Entry {
    name: "easytransac",
    description: "Easytransac V1 + V2 (API key: et_test_pay-testkit-fake-key)",
    client_path: "",
    make: || Box::new(EasytransacFake::with_test_key()),
    serve: |notify_url, clock| {
        let mut config =
            EasytransacConfig::new(SecretString::from(TEST_API_KEY)).control_clock(clock.clone());
        if let Some(url) = notify_url {
            config = config.notification_url(url);
        }
        Box::new(EasytransacFake::new(config))
    },
};

/// The JWT secret used when the configuration names none. A testkit convention.
const DEFAULT_JWT_SECRET: &str = "pay-testkit easytransac fake jwt secret";

/// Deterministic card numbers for tests (Luhn-valid). These are testkit conventions, not
/// provider facts: the real sandbox has its own.
pub mod cards {
    /// Paid at once: `captured` (or `authorized` with `PreAuth=yes`), no 3-D Secure.
    pub const SUCCESS: &str = "4111111111111111";
    /// Needs a 3-D Secure challenge (unless `3DS=no`): `pending` with `3DSecureUrl`.
    pub const THREE_DS_CHALLENGE: &str = "4000000000003220";
    /// Declined: `failed` with `Error` "Insufficient funds" and `AdditionalError`
    /// `["Do not honor"]`.
    pub const DECLINED_INSUFFICIENT_FUNDS: &str = "4000000000009995";
    /// Declined: `failed` with `Error` "Expired card" and `AdditionalError`
    /// `["Expired card"]`.
    pub const DECLINED_EXPIRED_CARD: &str = "4000000000004442";
}

/// How an [`EasytransacFake`] is set up: the merchant's API key, where PUSH
/// notifications go, and the V2 token settings.
///
/// `Debug` never shows the key or the JWT secret.
#[derive(Clone)]
pub struct EasytransacConfig {
    api_key: SecretString,
    notification_url: Option<String>,
    jwt_secret: Option<SecretString>,
    token_lifetime: Duration,
    control_clock: Option<pay_core::ManualClock>,
}

impl EasytransacConfig {
    /// A configuration for the application whose API key is `api_key`, with no
    /// notification URL and 300-second tokens.
    pub fn new(api_key: SecretString) -> Self {
        Self {
            api_key,
            notification_url: None,
            jwt_secret: None,
            token_lifetime: Duration::from_secs(300),
            control_clock: None,
        }
    }

    /// The clock `POST /_testkit/advance-clock` moves: give the same
    /// [`ManualClock`](pay_core::ManualClock) the server was built with. Without it that
    /// control answers 409.
    #[must_use]
    pub fn control_clock(mut self, clock: pay_core::ManualClock) -> Self {
        self.control_clock = Some(clock);
        self
    }

    /// Sends PUSH notifications to `url` (the back office's "notification URL").
    #[must_use]
    pub fn notification_url(mut self, url: impl Into<String>) -> Self {
        self.notification_url = Some(url.into());
        self
    }

    /// Signs V2 tokens with `secret` instead of the testkit's fixed one.
    #[must_use]
    pub fn jwt_secret(mut self, secret: SecretString) -> Self {
        self.jwt_secret = Some(secret);
        self
    }

    /// How long V2 tokens live (`expiresIn`); 300 seconds by default. Whole seconds.
    #[must_use]
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// The notification URL, if any.
    pub fn notification_url_value(&self) -> Option<&str> {
        self.notification_url.as_deref()
    }
}

impl fmt::Debug for EasytransacConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasytransacConfig")
            .field("api_key", &"[REDACTED]")
            .field("notification_url", &self.notification_url)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("token_lifetime", &self.token_lifetime)
            .field("control_clock", &self.control_clock.is_some())
            .finish()
    }
}

/// The stateful fake Easytransac server (V1 and V2). Serve it with
/// [`FakeServer`](crate::FakeServer); drive browsers and banks with its scenario
/// controls; look at its state with [`snapshot`](FakeProvider::snapshot) or
/// [`payment`](Self::payment).
///
/// `Debug` shows counts only.
pub struct EasytransacFake {
    config: EasytransacConfig,
    jwt: SecretString,
    state: Mutex<state::State>,
}

impl fmt::Debug for EasytransacFake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("EasytransacFake")
            .field("config", &self.config)
            .field("transactions", &state.txns.len())
            .field("pages", &state.pages.len())
            .field("schedules", &state.schedules.len())
            .field("mandates", &state.mandates.len())
            .finish()
    }
}

impl EasytransacFake {
    /// A fake with no transactions yet.
    pub fn new(config: EasytransacConfig) -> Self {
        let jwt = config
            .jwt_secret
            .clone()
            .filter(|s| !s.expose_secret().is_empty())
            .unwrap_or_else(|| SecretString::from(DEFAULT_JWT_SECRET));
        Self {
            config,
            jwt,
            state: Mutex::new(state::State::default()),
        }
    }

    /// A fake accepting [`TEST_API_KEY`], without notifications: what the binary serves.
    pub fn with_test_key() -> Self {
        Self::new(EasytransacConfig::new(SecretString::from(TEST_API_KEY)))
    }

    /// Its configuration.
    pub fn config(&self) -> &EasytransacConfig {
        &self.config
    }

    /// The HS256 key for V2 tokens (never empty: see [`Self::new`]).
    fn jwt_secret(&self) -> Option<JwtSecret> {
        JwtSecret::from_secret_string(&self.jwt).ok()
    }

    fn lock(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl FakeProvider for EasytransacFake {
    fn name(&self) -> &'static str {
        "easytransac"
    }

    fn operation(&self, request: &FakeRequest) -> Option<&'static str> {
        wire::route(request.method(), request.path()).map(|found| found.operation.id)
    }

    fn handle(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        {
            let mut state = self.lock();
            self.tick(&mut state, ctx);
        }
        if let Some(answer) = pages::handle(self, request, ctx) {
            return answer;
        }
        if let Some(rest) = request.path().strip_prefix("/_testkit/") {
            return control::handle(self, rest, request, ctx);
        }
        let Some(found) = wire::route(request.method(), request.path()) else {
            if request.path().starts_with("/v2/") {
                return v2::error(ctx, 404, "No route matches this method and path");
            }
            if request.path().starts_with("/api/") {
                return notify::v1_error(1, "Invalid request: unknown operation");
            }
            return FakeResponse::json(404, r#"{"error":"no route"}"#);
        };
        match found.operation.generation {
            Some(wire::Generation::V2) => v2::handle(self, &found, request, ctx),
            _ => v1::handle(self, found.operation, request, ctx),
        }
    }

    fn error_response(&self, status: u16) -> FakeResponse {
        let (code, message) = match status {
            503 | 429 => (9, "Service temporarily unavailable"),
            _ => (10, "Service unreachable, please retry"),
        };
        FakeResponse::json(
            status,
            serde_json::json!({"Code": code, "Error": message}).to_string(),
        )
    }

    /// On `/v2/…` routes the V2 error envelope `{"success":false,"date":…,"detail":…}`
    /// (INFERRED shape, as for the V2 handlers' own errors), dated by the clock reading
    /// of the fake's latest request (the wall clock before any); elsewhere
    /// [`error_response`](FakeProvider::error_response)'s V1 shape.
    fn error_response_for(&self, request: &FakeRequest, status: u16) -> FakeResponse {
        if !request.path().starts_with("/v2/") {
            return self.error_response(status);
        }
        let detail = match status {
            503 | 429 => "Service temporarily unavailable",
            _ => "Service unreachable, please retry",
        };
        let now = self
            .lock()
            .last_seen
            .unwrap_or_else(std::time::SystemTime::now);
        FakeResponse::json(
            status,
            serde_json::json!({"success": false, "date": state::atom(now), "detail": detail})
                .to_string(),
        )
    }

    fn snapshot(&self) -> Snapshot {
        self.snapshot_state()
    }

    fn sensitive_names(&self) -> &'static [&'static str] {
        &[
            "CardNumber",
            "CardCVV",
            "Iban",
            "Signature",
            "apiKey",
            "token",
            "EASYTRANSAC-API-KEY",
            "Authorization",
        ]
    }

    fn webhook_retries(&self) -> RetrySchedule {
        // INFERRED: the provider documents no retry schedule; the generic one is kept.
        RetrySchedule::default()
    }
}

/// Compares two secrets without an early exit on the first difference.
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (i, byte) in a.iter().enumerate() {
        diff |= usize::from(byte ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}
