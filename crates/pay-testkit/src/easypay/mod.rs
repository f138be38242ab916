//! The fake Easypay API 2.0 server: [`EasypayFake`], a stateful [`FakeProvider`] built on
//! the generated route table and request checks (`crate::generated::easypay`).
//!
//! It serves every operation of the generated `OPERATIONS` table under `/2.0` (the
//! sandbox's base path), so clients use `server.url("/2.0")` as their base URL.
//!
//! Behaviour comes from `easypay.md` (the Easypay reference) and, for the sandbox magic
//! values, from the 2021 spec as `anchors.md` §1.9 records them; the current Easypay docs
//! do not list any magic values, so those are the fake's documented behaviour, INFERRED.
//! Every other deduction is marked INFERRED below and in `docs/testkit.md`.
//!
//! - Auth: every call but `GET /health` needs the configured `AccountId` and `ApiKey`
//!   headers, else 403 with `{"status":"error","message":"Authentication Error: …"}`.
//! - Validation: wrong content type → 415 `Invalid Content Type` (status INFERRED);
//!   malformed JSON → 400 `Invalid JSON`; shape and documented constraints (the generated
//!   `validate()`) → 400 `{"status":"error","message":["…field…"]}`; unknown ids → 404
//!   `no single found` style; a state that forbids the operation (capturing a voided
//!   authorisation, deleting a paid payment) → 412 (INFERRED from the documented 412
//!   "precondition failed"); an amount over what is left to capture or refund → 400
//!   (INFERRED).
//! - Idempotency (§1.5): `Idempotency-Key` on POST and PATCH, at most 50 characters
//!   (else 400), scoped to AccountId and key; the first answer is replayed with
//!   `Idempotency-Replay: true`; the same key with another method, path or body → 422
//!   (status INFERRED); keys purged after 24 h of the fake's clock; 429, 502 and 503
//!   answers are not stored; requests failing authentication are not subject to it.
//! - Every error answer carries `X-Easypay-Should-Retry`: `true` for 409, 429, 502, 503,
//!   and 500 on a non-POST; `false` otherwise (§1.5's fallback rule, INFERRED as the
//!   header's value).
//! - Magic values (anchors.md §1.9, INFERRED as current behaviour): MB WAY phones
//!   `911234567` authorised, `917654321` failed (`payment_status: error`, INFERRED),
//!   `913456789` declined (`payment_status: failed`, INFERRED), `919876543` and any other
//!   number pending until [`EasypayFake::approve_mbway`] or
//!   [`EasypayFake::decline_mbway`] (or the MB WAY page); cards (entered with
//!   [`EasypayFake::enter_card`] or typed into the card form, since Easypay's API never
//!   receives card numbers) starting `0000` authorised, `2222` 3-D Secure (then
//!   [`EasypayFake::complete_3ds`] or the challenge page), `1111` failed, `1234` and any other
//!   prefix declined (INFERRED); direct debits on IBAN `PT50000201231234567890154` fail.
//! - Money: `value` is read as an exact decimal and kept as integer cents; answers write
//!   exact number tokens (`12.5`); transaction notifications write strings (`"12.50"`).
//! - Notifications (§5): generic, authorisation and transaction notifications go to the
//!   URLs of the configuration (settable with `PATCH /config`) through the server's
//!   outbox on every state change, with `Authorization: Basic` when credentials are
//!   configured (INFERRED from the `BasicAuth` security of the current webhooks entry).
//!   The retry schedule is undocumented: the outbox's default is used (INFERRED).
//! - Customer pages (`pages`), plain HTML without JavaScript on the server's base URL:
//!   the card form at a card payment's `method.url` ([`card_page_url`],
//!   `/fake/card/{id}`), the 3-D Secure challenge ([`three_ds_page_url`],
//!   `/fake/3ds/{id}`, for payments and frequent authorisations), the MB WAY "approve on
//!   your phone" page ([`mbway_page_url`], `/fake/mbway/{id}`; Easypay's API has no URL
//!   for this step) and the checkout session page ([`checkout_page_url`],
//!   `/fake/checkout/{id}`; Easypay runs its checkout as a widget on the merchant's
//!   page, so this page and its path are the fake's own, INFERRED). A submit runs the
//!   same code as [`EasypayFake::enter_card`], [`EasypayFake::complete_3ds`],
//!   [`EasypayFake::approve_mbway`], [`EasypayFake::decline_mbway`] or
//!   [`EasypayFake::expire_payment`], so state and notifications match the scenario
//!   controls. Choosing a method on the checkout page creates the payment through the
//!   generated request checks and the `POST /single` (`/frequent`, `/subscription`)
//!   handler, with the session's payment settings and the order's value (a missing
//!   capture `descriptive` becomes `Order {order.key}`, INFERRED); the checkout is
//!   `complete` once that payment is authorised, paid or active, or its Multibanco
//!   reference or virtual IBAN is issued, and stays `pending` after a failed attempt,
//!   which the customer may retry (both INFERRED). The checkout page offers `cc`, `mbw`,
//!   `mb` and `vi` (subscriptions `cc` only); `dd`, `uf` and `sc` are not offered.
//! - Where the browser goes after a page: a checkout's payment returns to its checkout
//!   page (INFERRED: the checkout widget reports through callbacks, with no return URL
//!   in the API); a card payment goes to the account's `visa_fwd` ("URL for redirect
//!   clients on credit card forward", `PATCH /config`) with a `303` GET adding `id`,
//!   `status` (`success`, `failed` or `canceled`) and `key` (parameter names INFERRED);
//!   anything else, or no `visa_fwd`, ends on an outcome page. Cancelling the card form
//!   leaves the payment pending. Pages never show a card number beyond its last four
//!   digits nor a CVV, and show MB WAY phones masked (`91*****43`); unknown or finished
//!   ids get a `404` error page.

mod flows;
mod idempotency;
mod json;
mod notify;
mod other;
mod pages;
mod pagination;
mod payments;
mod scenario;
mod state;
mod transactions;

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use pay_core::unix_seconds;
use pay_core::wire::JsonNumber;
use pay_signing::easypay::RsaVerifyingKey;
use serde::de::DeserializeOwned;

use crate::easypay::idempotency::Lookup;
use crate::easypay::json::Obj;
use crate::easypay::notify::Env;
use crate::easypay::state::State;
use crate::generated::easypay as wire;
use crate::generated::{RequestRejection, RouteMatch};
use crate::provider::{Context, FakeProvider, FakeRequest, FakeResponse, Snapshot};

pub use crate::easypay::flows::{
    FAILING_IBAN, PHONE_AUTHORISED, PHONE_DECLINED, PHONE_FAILED, PHONE_PENDING,
};
pub use crate::easypay::pages::{
    card_page_url, checkout_page_url, mbway_page_url, three_ds_page_url,
};
pub use crate::easypay::scenario::ScenarioError;

/// The path every route is served under, as on `api.test.easypay.pt/2.0`.
pub const BASE_PATH: &str = "/2.0";

/// What `pay-testkit serve --provider easypay` serves: the sandbox credentials, out-payments
/// verified with the documented test key, notifications to `--notify`.
pub const SERVE: crate::registry::Entry = crate::registry::Entry {
    name: "easypay",
    description: "Easypay API 2.0 under /2.0 (sandbox AccountId: 2b0f63e2-9fb5-4e52-aca0-b4bf0339bbe6, ApiKey: eae4aa59-8e5b-4ec2-887d-b02768481a92)",
    client_path: BASE_PATH,
    make: || Box::new(EasypayFake::new(EasypayConfig::sandbox())),
    serve: |notify_url, _clock| {
        let config = EasypayConfig::for_serving(notify_url, None)
            .unwrap_or_else(|_| EasypayConfig::sandbox());
        Box::new(EasypayFake::new(config))
    },
};

/// The documented test key's public half (`fixtures/easypay/keys/test-rsa-2048-public-spki.pem`),
/// which `pay-testkit serve` verifies out-payments with unless given another. Its private
/// half is `fixtures/easypay/keys/test-rsa-2048-pkcs8.pem`.
pub const TEST_OUT_PAYMENT_PUBLIC_KEY: &str =
    include_str!("../../../../fixtures/easypay/keys/test-rsa-2048-public-spki.pem");

/// The public sandbox `AccountId` from Easypay's docs (easypay.md §1.3).
pub const SANDBOX_ACCOUNT_ID: &str = "2b0f63e2-9fb5-4e52-aca0-b4bf0339bbe6";

/// The public sandbox `ApiKey` from Easypay's docs (easypay.md §1.3).
pub const SANDBOX_API_KEY: &str = "eae4aa59-8e5b-4ec2-887d-b02768481a92";

/// How an [`EasypayFake`] starts: credentials, the out-payment public key and the
/// notification URLs.
///
/// `Debug` hides the credentials.
#[derive(Clone)]
pub struct EasypayConfig {
    account_id: String,
    api_key: String,
    out_payment_key: Option<RsaVerifyingKey>,
    generic_url: Option<String>,
    authorisation_url: Option<String>,
    transaction_url: Option<String>,
    notification_basic: Option<(String, String)>,
}

impl EasypayConfig {
    /// A configuration accepting `account_id` and `api_key`, with no out-payment key
    /// and no notification URLs.
    pub fn new(account_id: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            account_id: account_id.into(),
            api_key: api_key.into(),
            out_payment_key: None,
            generic_url: None,
            authorisation_url: None,
            transaction_url: None,
            notification_basic: None,
        }
    }

    /// The documented public sandbox credentials ([`SANDBOX_ACCOUNT_ID`],
    /// [`SANDBOX_API_KEY`]).
    pub fn sandbox() -> Self {
        Self::new(SANDBOX_ACCOUNT_ID, SANDBOX_API_KEY)
    }

    /// The configuration `pay-testkit serve` uses: the sandbox credentials, out-payments
    /// verified with `public_key_pem` (or the documented test key,
    /// [`TEST_OUT_PAYMENT_PUBLIC_KEY`]), and every notification (generic, authorisation,
    /// transaction) sent to `notify_url` when given.
    ///
    /// # Errors
    /// The key does not parse, or is not an RSA key of 2048 bits or more.
    pub fn for_serving(
        notify_url: Option<&str>,
        public_key_pem: Option<&str>,
    ) -> Result<Self, pay_signing::Error> {
        let mut config = Self::sandbox()
            .with_out_payment_key(public_key_pem.unwrap_or(TEST_OUT_PAYMENT_PUBLIC_KEY))?;
        if let Some(url) = notify_url {
            config = config
                .with_generic_url(url)
                .with_authorisation_url(url)
                .with_transaction_url(url);
        }
        Ok(config)
    }

    /// Verifies `POST /out_payment` signatures with this RSA public key (PEM, SPKI or
    /// PKCS#1). Without one, every out payment is refused with 403.
    ///
    /// # Errors
    /// The key does not parse, or is not an RSA key of 2048 bits or more.
    pub fn with_out_payment_key(
        mut self,
        public_key_pem: &str,
    ) -> Result<Self, pay_signing::Error> {
        self.out_payment_key = Some(RsaVerifyingKey::from_pem(public_key_pem)?);
        Ok(self)
    }

    /// The generic notification URL.
    #[must_use]
    pub fn with_generic_url(mut self, url: impl Into<String>) -> Self {
        self.generic_url = Some(url.into());
        self
    }

    /// The authorisation notification URL.
    #[must_use]
    pub fn with_authorisation_url(mut self, url: impl Into<String>) -> Self {
        self.authorisation_url = Some(url.into());
        self
    }

    /// The transaction (payment) notification URL.
    #[must_use]
    pub fn with_transaction_url(mut self, url: impl Into<String>) -> Self {
        self.transaction_url = Some(url.into());
        self
    }

    /// Sends notifications with `Authorization: Basic` for these credentials (INFERRED:
    /// the current docs declare Basic auth on notifications without saying how it is
    /// configured).
    #[must_use]
    pub fn with_notification_credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.notification_basic = Some((username.into(), password.into()));
        self
    }
}

impl fmt::Debug for EasypayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasypayConfig")
            .field("account_id", &"[REDACTED]")
            .field("api_key", &"[REDACTED]")
            .field("out_payment_key", &self.out_payment_key.is_some())
            .field("generic_url", &self.generic_url)
            .field("authorisation_url", &self.authorisation_url)
            .field("transaction_url", &self.transaction_url)
            .field(
                "notification_credentials",
                &self.notification_basic.is_some(),
            )
            .finish()
    }
}

/// The stateful fake Easypay API 2.0. See the [module docs](self) for what it models.
///
/// `Debug` shows no credentials and no state.
pub struct EasypayFake {
    account_id: String,
    api_key: String,
    out_payment_key: Option<RsaVerifyingKey>,
    basic: Option<String>,
    state: Mutex<State>,
}

impl fmt::Debug for EasypayFake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasypayFake")
            .field("credentials", &"[REDACTED]")
            .field("out_payment_key", &self.out_payment_key.is_some())
            .finish_non_exhaustive()
    }
}

impl EasypayFake {
    /// A fake with `config` and no resources.
    pub fn new(config: EasypayConfig) -> Self {
        let basic = config.notification_basic.as_ref().map(|(user, pass)| {
            format!(
                "Basic {}",
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    format!("{user}:{pass}")
                )
            )
        });
        let state = State {
            config: state::AccountConfig {
                generic: config.generic_url,
                authorisation: config.authorisation_url,
                transaction: config.transaction_url,
                visa_fwd: None,
                visa_detail: None,
            },
            ..State::default()
        };
        Self {
            account_id: config.account_id,
            api_key: config.api_key,
            out_payment_key: config.out_payment_key,
            basic,
            state: Mutex::new(state),
        }
    }

    /// How many idempotency keys are remembered (purged 24 h after first use).
    pub fn idempotency_keys(&self) -> usize {
        self.lock().idempotency.len()
    }

    /// How many requests of `operation_id` the fake executed with success, whether or
    /// not the answer reached the client; a replay of a stored answer under the same
    /// `Idempotency-Key` is not counted. These are the effects a fault matrix counts.
    pub fn applied(&self, operation_id: &str) -> usize {
        self.lock()
            .applied
            .get(operation_id)
            .copied()
            .unwrap_or_default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn env<'a>(&'a self, ctx: &Context<'a>) -> Env<'a> {
        Env {
            now: unix_seconds(ctx.now()),
            account: &self.account_id,
            base_url: ctx.base_url(),
            webhooks: ctx.webhooks(),
            basic: self.basic.as_deref(),
        }
    }

    fn authenticate(&self, request: &FakeRequest) -> Result<(), FakeResponse> {
        let (Some(account), Some(key)) = (request.header("AccountId"), request.header("ApiKey"))
        else {
            return Err(auth_error(
                "Authentication Error: Missing AccountId or ApiKey headers",
            ));
        };
        if account == self.account_id && key == self.api_key {
            Ok(())
        } else {
            Err(auth_error(
                "Authentication Error: Invalid AccountId or ApiKey",
            ))
        }
    }

    fn execute(
        &self,
        state: &mut State,
        env: &Env<'_>,
        request: &FakeRequest,
        found: &RouteMatch,
    ) -> FakeResponse {
        let op = found.operation;
        if let Err(rejection) = wire::check_path(found) {
            return rejected(&rejection);
        }
        if !op.content_types.is_empty() {
            let json_type = request
                .content_type()
                .and_then(|ct| ct.split(';').next())
                .is_some_and(|ct| ct.trim().eq_ignore_ascii_case("application/json"));
            if !json_type {
                return error(415, &["Invalid Content Type"]);
            }
            if op.id == "out_payment_create"
                && let Err(answer) = self.check_signature(request)
            {
                return answer;
            }
            if serde_json::from_slice::<serde::de::IgnoredAny>(request.body()).is_err() {
                return error(400, &["Invalid JSON"]);
            }
            // Requests are strict (responses lenient): the body is one JSON object, and
            // an amount is a JSON number, never a string.
            if let Err(answer) = strict_body(request.body()) {
                return answer;
            }
            if let Some(Err(rejection)) = wire::check_request(op.id, request.body()) {
                return rejected(&rejection);
            }
            if op.id == "out_payment_create" {
                let now = std::time::UNIX_EPOCH
                    + std::time::Duration::from_secs(u64::try_from(env.now).unwrap_or(0));
                if pay_signing::easypay::check_timestamp(
                    request.body(),
                    now,
                    pay_signing::easypay::TIMESTAMP_WINDOW,
                )
                .is_err()
                {
                    return auth_error(
                        "Authentication Error: timestamp outside the allowed window",
                    );
                }
            }
        }
        if let Some(Err(rejection)) = wire::check_query(op.id, &request.query_pairs()) {
            return rejected(&rejection);
        }
        match op.id {
            "single_list" | "frequent_list" | "subscription_list" => {
                payments::list(state, request, op.id)
            }
            "single_create" => payments::single_create(state, env, request),
            "single_get" | "frequent_get" | "subscription_get" => {
                payments::get(state, found, op.id)
            }
            "single_update" => payments::single_update(state, request, found),
            "single_delete" | "frequent_delete" | "subscription_delete" => {
                payments::delete(state, env, found, op.id)
            }
            "frequent_create" => payments::frequent_create(state, env, request),
            "frequent_update" => payments::frequent_update(state, request, found),
            "frequent_authorise" => transactions::frequent_authorise(state, env, request, found),
            "subscription_create" => payments::subscription_create(state, env, request),
            "subscription_update" => payments::subscription_update(state, request, found),
            "capture_list" => transactions::capture_list(state, env, request),
            "capture_create" => transactions::capture_create(state, env, request, found),
            "capture_get" => transactions::capture_get(state, env, found),
            "capture_split_update" => transactions::split_update(state, env, request, found),
            "authorisation_get" => transactions::authorisation_get(state, found),
            "void_create" => transactions::void_create(state, env, request, found),
            "void_get" => transactions::void_get(state, found),
            "refund_list" => transactions::refund_list(state, request),
            "refund_create" => transactions::refund_create(state, env, request, found),
            "refund_get" => transactions::refund_get(state, found),
            "chargeback_list" => transactions::chargeback_list(state, request),
            "report_transactions" => other::report_transactions(state, request),
            "report_ledger" => other::report_ledger(state, request),
            "out_payment_list" => other::out_payment_list(state, env, request),
            "out_payment_create" => other::out_payment_create(state, env, request),
            "out_payment_get" => other::out_payment_get(state, env, found),
            "out_payment_delete" => other::out_payment_delete(state, env, found),
            "config_get" => other::config_get(state, env),
            "config_update" => other::config_update(state, env, request),
            "checkout_create" => other::checkout_create(state, env, request),
            "checkout_get" => other::checkout_get(state, found),
            "checkout_delete" => other::checkout_delete(state, found),
            "health_get" => other::health(),
            _ => error(404, &["Not Found"]),
        }
    }

    fn check_signature(&self, request: &FakeRequest) -> Result<(), FakeResponse> {
        let Some(key) = &self.out_payment_key else {
            return Err(auth_error(
                "Authentication Error: no strong authentication key is configured",
            ));
        };
        let Some(signature) = request.header(pay_signing::easypay::SIGNATURE_HEADER) else {
            return Err(auth_error("Authentication Error: Missing Signature header"));
        };
        key.verify(request.body(), signature)
            .map_err(|_| auth_error("Authentication Error: Invalid Signature"))
    }
}

impl FakeProvider for EasypayFake {
    fn name(&self) -> &'static str {
        "easypay"
    }

    fn operation(&self, request: &FakeRequest) -> Option<&'static str> {
        let path = request.path().strip_prefix(BASE_PATH)?;
        wire::route(request.method(), path).map(|found| found.operation.id)
    }

    fn handle(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        if request.path().starts_with(pages::PREFIX) {
            return self.page(request, ctx);
        }
        let found = request
            .path()
            .strip_prefix(BASE_PATH)
            .and_then(|path| wire::route(request.method(), path));
        let Some(found) = found else {
            return should_retry(error(404, &["Not Found"]), request.method());
        };
        let needs_auth = !found.operation.auth.iter().any(|alt| alt.is_empty());
        if needs_auth && let Err(answer) = self.authenticate(request) {
            return should_retry(answer, request.method());
        }
        let env = self.env(ctx);
        let mut state = self.lock();
        flows::run_due(&mut state, &env);
        let writes = matches!(request.method(), "POST" | "PATCH");
        let key = request.header("idempotency-key").filter(|_| writes);
        let fingerprint =
            idempotency::fingerprint(request.method(), request.path(), request.body());
        if let Some(key) = key {
            if key.is_empty() || key.chars().count() > idempotency::MAX_KEY_LEN {
                return should_retry(
                    error(400, &["`Idempotency-Key` must be 1 to 50 characters"]),
                    request.method(),
                );
            }
            match state
                .idempotency
                .lookup(&self.account_id, key, &fingerprint)
            {
                Lookup::Replay(answer) => {
                    return answer.replace_header("idempotency-replay", "true");
                }
                Lookup::Mismatch => {
                    return should_retry(
                        error(
                            422,
                            &["`Idempotency-Key` was already used with a different request"],
                        ),
                        request.method(),
                    );
                }
                Lookup::New => {}
            }
        }
        let answer = should_retry(
            self.execute(&mut state, &env, request, &found),
            request.method(),
        );
        if (200..300).contains(&answer.status()) {
            *state.applied.entry(found.operation.id).or_default() += 1;
        }
        if let Some(key) = key {
            state
                .idempotency
                .store(&self.account_id, key, fingerprint, &answer, env.now);
        }
        answer
    }

    /// An injected error answer carries the advice Easypay would give for this method
    /// (a 500 is worth repeating for anything but a POST).
    fn error_response_for(&self, request: &FakeRequest, status: u16) -> FakeResponse {
        should_retry(self.error_response(status), request.method())
    }

    fn error_response(&self, status: u16) -> FakeResponse {
        let message = match status {
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            _ => "Error",
        };
        let retry = wire::RETRY_RULES.retry_statuses.contains(&status);
        error(status, &[message]).with_header(
            "x-easypay-should-retry",
            if retry { "true" } else { "false" },
        )
    }

    fn snapshot(&self) -> Snapshot {
        self.lock().snapshot()
    }

    fn sensitive_names(&self) -> &'static [&'static str] {
        &[
            "ApiKey",
            "AccountId",
            "Signature",
            "iban",
            "card_number",
            "cvv",
            "purchase_token",
        ]
    }
}

/// `{"status":"error","message":[…]}` with `status`.
pub(crate) fn error(status: u16, messages: &[&str]) -> FakeResponse {
    FakeResponse::json(
        status,
        Obj::new()
            .str("status", "error")
            .raw("message", &json::strings(messages))
            .done(),
    )
}

/// The documented 403 body, whose `message` is a string.
fn auth_error(message: &str) -> FakeResponse {
    FakeResponse::json(
        403,
        Obj::new()
            .str("status", "error")
            .str("message", message)
            .done(),
    )
}

/// Adds `X-Easypay-Should-Retry` to an error answer, by the description's retry rules
/// (`wire::RETRY_RULES`); any method other than POST, PUT, PATCH and DELETE counts as GET.
fn should_retry(answer: FakeResponse, method: &str) -> FakeResponse {
    use pay_core::Method;
    let status = answer.status();
    if status < 400 {
        return answer;
    }
    let method = [Method::Post, Method::Put, Method::Patch, Method::Delete]
        .into_iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(method))
        .unwrap_or(Method::Get);
    let retry = wire::RETRY_RULES.retries_status(method, status);
    answer.replace_header(
        "x-easypay-should-retry",
        if retry { "true" } else { "false" },
    )
}

/// A 400 for a rejected body or query: the field and rule, never the value.
fn rejected(rejection: &RequestRejection) -> FakeResponse {
    match rejection {
        RequestRejection::Invalid(invalid) => error(400, &[&invalid.to_string()]),
        RequestRejection::Malformed(malformed) => {
            let text = malformed.to_string();
            let message = if text.starts_with("missing field") {
                text.split(" at line").next().unwrap_or(&text).to_owned()
            } else {
                format!(
                    "a value does not have the documented type (line {}, column {})",
                    malformed.line(),
                    malformed.column()
                )
            };
            error(400, &[&message])
        }
    }
}

/// A 201 ack: `{"status":"ok","message":[…],"id":…}` plus `extra` members (JSON text).
pub(crate) fn created(id: &str, extra: &[(&str, String)]) -> FakeResponse {
    let mut obj = Obj::new()
        .str("status", "ok")
        .raw(
            "message",
            &json::strings(&["Your request was successfully created"]),
        )
        .str("id", id);
    for (key, value) in extra {
        obj = obj.raw(key, value);
    }
    FakeResponse::json(201, obj.done())
}

/// The amount members of Easypay's request bodies (every `JsonNumber` field of a
/// request or input type in the description).
const AMOUNT_FIELDS: &[&str] = &["value", "max_value", "min_value", "margin_value"];

/// Refuses a body that is not a JSON object, or carries an amount as a string, at any
/// depth. Values are walked as raw text: no number is ever parsed.
fn strict_body(body: &[u8]) -> Result<(), FakeResponse> {
    use serde_json::value::RawValue;
    use std::collections::BTreeMap;

    fn walk(raw: &RawValue, path: &str) -> Result<(), String> {
        let text = raw.get().trim_start();
        if text.starts_with('{') {
            let members: BTreeMap<String, &RawValue> =
                serde_json::from_str(raw.get()).map_err(|_| "Invalid JSON".to_owned())?;
            for (name, value) in members {
                let here = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                if AMOUNT_FIELDS.contains(&name.as_str())
                    && value.get().trim_start().starts_with('"')
                {
                    return Err(format!("`{here}` must be a JSON number, not a string"));
                }
                walk(value, &here)?;
            }
        } else if text.starts_with('[') {
            let items: Vec<&RawValue> =
                serde_json::from_str(raw.get()).map_err(|_| "Invalid JSON".to_owned())?;
            for (index, item) in items.into_iter().enumerate() {
                walk(item, &format!("{path}[{index}]"))?;
            }
        }
        Ok(())
    }

    let raw: &RawValue = serde_json::from_slice(body).map_err(|_| error(400, &["Invalid JSON"]))?;
    if !raw.get().trim_start().starts_with('{') {
        return Err(error(400, &["the body must be a JSON object"]));
    }
    walk(raw, "").map_err(|message| error(400, &[&message]))
}

/// The request body as `T` (already checked by the generated validation).
pub(crate) fn body<T: DeserializeOwned>(request: &FakeRequest) -> Result<T, FakeResponse> {
    serde_json::from_slice(request.body()).map_err(|_| error(400, &["Invalid JSON"]))
}

/// An amount as cents, refusing more than two places.
pub(crate) fn cents(field: &str, value: &JsonNumber) -> Result<i64, FakeResponse> {
    value
        .to_money_with(pay_core::Currency::EUR, 2)
        .map(|money| money.minor_units())
        .map_err(|_| {
            error(
                400,
                &[&format!(
                    "`{field}` must be a number with at most 2 decimal places"
                )],
            )
        })
}

/// The `{id}` path parameter.
pub(crate) fn path_id(found: &RouteMatch) -> &str {
    found.param("id").unwrap_or_default()
}

#[cfg(test)]
mod page_tests;
#[cfg(test)]
mod tests;
