//! `pay call`: any operation of the descriptions, through the adapters.
//!
//! The request is assembled from `--data` and `field=value` arguments (typed by the
//! description: `value=12.5` is a JSON number when the description says `number`, never
//! through a float), checked with the adapters' generated `validate()` (the same checks
//! the typed methods and the fakes run), then sent through the adapter's raw-request
//! escape hatch, which authenticates, signs (Easytransac V1), retries under the
//! provider's rules and redacts like every typed call. Easypay's out-payment creation is
//! RSA-signed, which only its typed method does, so it goes through that method.
//!
//! `--dry-run`: neither adapter can build a request without sending it, so the adapter
//! sends it to a capturing listener on 127.0.0.1 inside this process (a pay-testkit
//! server that records and answers "not sent"); the request shown is the one the adapter
//! really produced (headers, signature, body), redacted, with the provider's URL in front.
//! Nothing leaves the machine. Easytransac V2 operations first ask for a token: the
//! listener answers it with a stand-in token, and that request is shown too.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use pay::easytransac::RawSafety;
use pay::testkit::{Context, FakeProvider, FakeRequest, FakeResponse, FakeServer};
use pay::{
    CallOptions, Config, ErrorKind, Generation, IdempotencyKey, Lookup, Method, Operation,
    PayError, Redactor,
};
use serde_json::value::RawValue;

use crate::Provider;
use crate::describe::{Description, Place};

/// What the command line asked for.
#[derive(Debug, Clone)]
pub(crate) struct CallInput {
    /// The provider.
    pub(crate) provider: Provider,
    /// The operation.
    pub(crate) operation: &'static Operation,
    /// `--data`: a JSON object.
    pub(crate) data: Option<String>,
    /// `field=value` / `field:=json` arguments.
    pub(crate) fields: Vec<String>,
    /// `--idempotency-key`.
    pub(crate) idempotency_key: Option<String>,
}

/// The request, assembled and checked, ready for the adapter.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    provider: Provider,
    operation: &'static Operation,
    /// The path with its parameters filled in and the query string, if any.
    pub(crate) path: String,
    query: Vec<(String, String)>,
    body: Option<Body>,
    /// Fields the description does not list (sent anyway).
    pub(crate) unknown: Vec<String>,
}

#[derive(Debug, Clone)]
enum Body {
    Json(String),
    Form(Vec<(String, String)>),
}

/// Why nothing was sent, or what the adapter reported.
#[derive(Debug)]
pub(crate) enum CallError {
    /// A usage or input problem, found before anything was sent.
    Input(String),
    /// The environment's configuration is missing or malformed.
    Config(String),
    /// A flag's value refused (`--base-url`): a usage error.
    Usage(String),
    /// The adapter refused or the provider answered an error.
    Pay(Box<PayError>),
}

impl From<PayError> for CallError {
    fn from(err: PayError) -> Self {
        CallError::Pay(Box::new(err))
    }
}

/// A JSON body under construction: raw tokens (numbers stay text) and objects.
#[derive(Debug, Clone)]
enum Node {
    Raw(String),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn from_raw(raw: &RawValue) -> Node {
        let text = raw.get();
        if text.trim_start().starts_with('{')
            && let Ok(map) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text)
        {
            return Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from_raw(v)))
                    .collect(),
            );
        }
        Node::Raw(text.to_owned())
    }

    fn set(&mut self, path: &[&str], value: Node) -> Result<(), String> {
        let Some((first, rest)) = path.split_first() else {
            *self = value;
            return Ok(());
        };
        let Node::Object(entries) = self else {
            return Err(format!("`{first}` is inside a field that is not an object"));
        };
        let at = match entries.iter().position(|(k, _)| k == first) {
            Some(at) => at,
            None => {
                entries.push(((*first).to_owned(), Node::Object(Vec::new())));
                entries.len() - 1
            }
        };
        entries[at].1.set(rest, value)
    }

    fn render(&self) -> String {
        match self {
            Node::Raw(text) => text.clone(),
            Node::Object(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}:{}", quote(k), v.render()))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
        }
    }
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Whether `text` is a JSON number literal.
fn is_json_number(text: &str) -> bool {
    let bytes = text.strip_prefix('-').unwrap_or(text).as_bytes();
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let int = digits(bytes);
    if int == 0 || (int > 1 && bytes[0] == b'0') {
        return false;
    }
    let mut rest = &bytes[int..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exponent = exponent
            .strip_prefix(b"+")
            .or_else(|| exponent.strip_prefix(b"-"))
            .unwrap_or(exponent);
        let n = digits(exponent);
        return n > 0 && n == exponent.len();
    }
    rest.is_empty()
}

/// Percent-encodes one path segment.
fn encode_segment(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_v1(operation: &Operation) -> bool {
    operation.generation == Some(Generation::V1)
}

/// Assembles and checks the request: nothing is sent.
///
/// # Errors
/// [`CallError::Input`] for arguments that do not fit the operation, or a request the
/// description's checks refuse (named by field and rule, never by value).
pub(crate) fn prepare(input: &CallInput) -> Result<Prepared, CallError> {
    let operation = input.operation;
    if operation.id == "v2_auth_token" {
        return Err(CallError::Input(
            "v2_auth_token is what the adapter sends by itself before any V2 call (with the \
             API key from the environment); call a V2 operation instead"
                .to_owned(),
        ));
    }
    let description = Description::load(input.provider).map_err(CallError::Input)?;
    let documented = description.fields(operation);
    let kind_of = |name: &str| {
        documented
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.kind.as_str())
    };
    let has_body = !operation.content_types.is_empty();
    let form = is_v1(operation);

    let mut path_values: Vec<(&'static str, String)> = Vec::new();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut form_pairs: Vec<(String, String)> = Vec::new();
    let mut json = Node::Object(Vec::new());

    if let Some(data) = &input.data {
        let raw: Box<RawValue> = serde_json::from_str(data)
            .map_err(|_| CallError::Input("--data is not JSON".to_owned()))?;
        if !raw.get().trim_start().starts_with('{') {
            return Err(CallError::Input("--data must be a JSON object".to_owned()));
        }
        if !has_body {
            return Err(CallError::Input(format!(
                "{} takes no body; give its parameters as field=value",
                operation.id
            )));
        }
        if form {
            let map: BTreeMap<String, Box<RawValue>> = serde_json::from_str(data)
                .map_err(|_| CallError::Input("--data must be a JSON object".to_owned()))?;
            for (key, value) in map {
                let text = serde_json::from_str::<String>(value.get())
                    .unwrap_or_else(|_| value.get().to_owned());
                form_pairs.push((key, text));
            }
        } else {
            json = Node::from_raw(&raw);
        }
    }

    for argument in &input.fields {
        let (name, value, raw) = if let Some((name, value)) = argument.split_once(":=") {
            (name, value, true)
        } else if let Some((name, value)) = argument.split_once('=') {
            (name, value, false)
        } else {
            return Err(CallError::Input(format!(
                "`{}`: fields are field=value (text, typed by the description) or field:=JSON",
                argument.split('=').next().unwrap_or_default()
            )));
        };
        if name.is_empty() {
            return Err(CallError::Input(
                "a field=value argument has no field name".to_owned(),
            ));
        }
        if let Some(param) = operation.path_params.iter().find(|p| **p == name) {
            path_values.push((param, value.to_owned()));
            continue;
        }
        let in_query = documented
            .iter()
            .any(|f| f.name == name && f.place == Place::Query);
        if !has_body || in_query {
            query.push((name.to_owned(), value.to_owned()));
            continue;
        }
        if form {
            let name = match name.split_once('.') {
                Some((outer, inner)) => format!("{outer}[{inner}]"),
                None => name.to_owned(),
            };
            form_pairs.push((name, value.to_owned()));
            continue;
        }
        let node = if raw {
            serde_json::from_str::<Box<RawValue>>(value)
                .map(|v| Node::from_raw(&v))
                .map_err(|_| CallError::Input(format!("`{name}:=`: the value is not JSON")))?
        } else {
            match kind_of(name) {
                Some("number" | "integer") if is_json_number(value) => Node::Raw(value.to_owned()),
                Some("boolean") if matches!(value, "true" | "false") => Node::Raw(value.to_owned()),
                _ => Node::Raw(quote(value)),
            }
        };
        let parts: Vec<&str> = name.split('.').collect();
        json.set(&parts, node).map_err(CallError::Input)?;
    }

    // The path, checked by the description's rules for its parameters.
    let check_path = match input.provider {
        Provider::Easytransac => pay::easytransac::wire::validate_path(operation.id, &path_values),
        Provider::Easypay => pay::easypay::wire::validate_path(operation.id, &path_values),
    };
    check_path.map_err(|e| CallError::Input(format!("{}: {e}", operation.id)))?;
    let mut path = operation.path.to_owned();
    for (name, value) in &path_values {
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }

    let body = if has_body {
        Some(if form {
            Body::Form(form_pairs)
        } else {
            Body::Json(json.render())
        })
    } else {
        None
    };
    let checked_json = match &body {
        Some(Body::Json(text)) => Some(text.clone()),
        Some(Body::Form(pairs)) => Some(pay::testkit::generated::form_to_json(pairs)),
        None => None,
    };
    let redactor = Redactor::default();
    let refused = |e: &dyn std::fmt::Display| {
        // A shape error from serde may quote a value: masked like any text.
        CallError::Input(format!(
            "{}: {} (nothing was sent)",
            operation.id,
            redactor.text(&e.to_string()).as_str()
        ))
    };
    let mut unknown = Vec::new();
    if let Some(text) = &checked_json {
        let (checked, extra) = match input.provider {
            Provider::Easytransac => (
                pay::testkit::generated::easytransac::check_request(operation.id, text.as_bytes()),
                pay::testkit::generated::easytransac::unknown_fields(operation.id, text.as_bytes()),
            ),
            Provider::Easypay => (
                pay::testkit::generated::easypay::check_request(operation.id, text.as_bytes()),
                pay::testkit::generated::easypay::unknown_fields(operation.id, text.as_bytes()),
            ),
        };
        if let Some(Err(e)) = checked {
            return Err(refused(&e));
        }
        unknown = extra;
    }
    if !query.is_empty() || operation.query.is_some() {
        let checked = match input.provider {
            Provider::Easytransac => {
                pay::testkit::generated::easytransac::check_query(operation.id, &query)
            }
            Provider::Easypay => {
                pay::testkit::generated::easypay::check_query(operation.id, &query)
            }
        };
        if let Some(Err(e)) = checked {
            return Err(refused(&e));
        }
        for (name, _) in &query {
            if !documented.iter().any(|f| &f.name == name) {
                unknown.push(name.clone());
            }
        }
    }
    if !query.is_empty() && !is_v1(operation) {
        path = format!(
            "{path}?{}",
            pay::testkit::form::encode(query.iter().map(|(k, v)| (k, v)))
        );
    }
    Ok(Prepared {
        provider: input.provider,
        operation,
        path,
        query,
        body,
        unknown,
    })
}

/// What the provider answered.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status (Easytransac's raw calls report success bodies only: 200).
    pub(crate) status: u16,
    /// Whether Easypay replayed a stored answer for the idempotency key.
    pub(crate) replayed: bool,
    /// The body, redacted.
    pub(crate) body: String,
    /// The full URL called.
    pub(crate) url: String,
    /// How long the call took, retries included.
    pub(crate) elapsed: Duration,
}

/// The provider's own hosts (sandbox and production, V1 and V2 for Easytransac).
fn provider_hosts(provider: Provider) -> Vec<&'static str> {
    let urls: &[&'static str] = match provider {
        Provider::Easytransac => &[
            pay::easytransac::V1_SANDBOX_URL,
            pay::easytransac::V1_PRODUCTION_URL,
            pay::easytransac::V2_SANDBOX_URL,
            pay::easytransac::V2_PRODUCTION_URL,
        ],
        Provider::Easypay => &[pay::easypay::SANDBOX_URL, pay::easypay::PRODUCTION_URL],
    };
    urls.iter()
        .filter_map(|url| url.strip_prefix("https://"))
        .map(|rest| rest.split('/').next().unwrap_or_default())
        .collect()
}

/// `--base-url`'s rule: a local fake (`http://` on a loopback address) or one of the
/// provider's own `https://` hosts; another `https://` host only with `allow_any_host`.
/// Stricter than `PAY_BASE_URL` (pay::Config's rule: any `https://`), because a flag is
/// typed by hand and credentials go wherever it points.
///
/// # Errors
/// The refusal in words, naming `--base-url` (never credentials in the URL).
pub(crate) fn check_base_url(
    provider: Provider,
    url: &str,
    allow_any_host: bool,
) -> Result<(), String> {
    if crate::deliver::has_userinfo(url) {
        return Err(
            "--base-url: the URL carries credentials (`user:password@` before the host); give \
             it without them (pay authenticates with the provider's own scheme)"
                .to_owned(),
        );
    }
    let url = url.trim();
    let not_a_url = || format!("--base-url `{url}` is not a URL");
    pay::Url::parse(url).map_err(|_| not_a_url())?;
    let (scheme, rest) = url.split_once("://").ok_or_else(not_a_url)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let hosts = provider_hosts(provider);
    match scheme.to_ascii_lowercase().as_str() {
        "http" => {
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(())
            } else {
                Err(format!(
                    "--base-url `{url}`: http:// only to a local fake (127.0.0.1, [::1] or \
                     localhost); {}'s own hosts are https://",
                    provider.as_str()
                ))
            }
        }
        "https" if hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) => Ok(()),
        "https" if allow_any_host => Ok(()),
        "https" => Err(format!(
            "--base-url `{url}`: `{host}` is neither a local fake nor one of {}'s hosts ({}); \
             add --allow-any-host to send your credentials there",
            provider.as_str(),
            hosts.join(", ")
        )),
        scheme => Err(format!(
            "--base-url `{url}`: `{scheme}://` is not accepted (a local fake's http:// URL, or \
             one of {}'s https:// hosts)",
            provider.as_str()
        )),
    }
}

/// The configuration from the environment for `provider` (`PAY_PROVIDER` is the
/// command line's), with `base_url` instead of `PAY_BASE_URL` when given.
///
/// # Errors
/// [`CallError::Config`] naming the variable (never its value); a problem with
/// `base_url` is [`CallError::Usage`] naming `--base-url`.
pub(crate) fn config(provider: Provider, base_url: Option<&str>) -> Result<Config, CallError> {
    Config::from_lookup(|name| match name {
        pay::PAY_PROVIDER => Lookup::Value(provider.as_str().to_owned()),
        pay::PAY_BASE_URL if base_url.is_some() => {
            Lookup::Value(base_url.unwrap_or_default().to_owned())
        }
        pay::PAY_ENVIRONMENT if base_url.is_some() => Lookup::Missing,
        _ => match std::env::var(name) {
            Ok(value) => Lookup::Value(value),
            Err(std::env::VarError::NotPresent) => Lookup::Missing,
            Err(std::env::VarError::NotUnicode(_)) => Lookup::NotUnicode,
        },
    })
    .map_err(|e| {
        let message = e.to_string();
        match base_url {
            Some(_) if message.contains(pay::PAY_BASE_URL) => {
                CallError::Usage(message.replace(pay::PAY_BASE_URL, "--base-url"))
            }
            _ => CallError::Config(message),
        }
    })
}

fn options(input: &CallInput) -> Result<CallOptions, CallError> {
    let mut options = CallOptions::new();
    if let Some(key) = &input.idempotency_key {
        let key = IdempotencyKey::new(key.clone())
            .map_err(|e| CallError::Input(format!("--idempotency-key: {e}")))?;
        options = options.idempotency_key(key);
    }
    Ok(options)
}

fn redactor(provider: Provider) -> Redactor {
    let keys: &[&str] = match provider {
        Provider::Easytransac => pay::easytransac::wire::SENSITIVE_FIELDS,
        Provider::Easypay => pay::easypay::wire::SENSITIVE_FIELDS,
    };
    keys.iter()
        .fold(Redactor::default().with_max_len(64 * 1024), |r, k| {
            r.with_key(k)
        })
}

/// The base URL `operation` goes to with `config`.
fn base_url_of(config: &Config, operation: &Operation) -> Result<String, CallError> {
    Ok(match config {
        Config::Easytransac(settings) => {
            let client = settings.client()?;
            if operation.generation == Some(Generation::V2) {
                client.v2_base_url().to_owned()
            } else {
                client.v1_base_url().to_owned()
            }
        }
        Config::Easypay(settings) => settings.client()?.base_url().to_owned(),
        _ => return Err(CallError::Config("unsupported provider".to_owned())),
    })
}

/// Sends `prepared` with `config`'s client.
///
/// # Errors
/// What the adapter reports.
pub(crate) async fn send(
    config: &Config,
    prepared: &Prepared,
    input: &CallInput,
) -> Result<Answer, CallError> {
    let options = options(input)?;
    let operation = prepared.operation;
    let url = format!("{}{}", base_url_of(config, operation)?, prepared.path);
    let redactor = redactor(prepared.provider);
    let started = Instant::now();
    match config {
        Config::Easytransac(settings) => {
            let client = settings.client()?;
            let safety = if operation.idempotent {
                RawSafety::Read
            } else {
                RawSafety::Write
            };
            let text = match &prepared.body {
                Some(Body::Form(pairs)) => {
                    let fields: Vec<(&str, &str)> = pairs
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    let order_id = pairs
                        .iter()
                        .find(|(k, _)| k == "OrderId")
                        .map(|(_, v)| v.as_str());
                    client
                        .raw()
                        .v1(&prepared.path, &fields, safety, order_id, &options)
                        .await?
                }
                Some(Body::Json(body)) => {
                    client
                        .raw()
                        .v2(&prepared.path, &[], Some(body), safety, &options)
                        .await?
                }
                None => {
                    let path = prepared.path.split('?').next().unwrap_or_default();
                    let query: Vec<(&str, &str)> = prepared
                        .query
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    client
                        .raw()
                        .v2(path, &query, None, safety, &options)
                        .await?
                }
            };
            Ok(Answer {
                status: 200,
                replayed: false,
                body: redactor.any(&text).as_str().to_owned(),
                url,
                elapsed: started.elapsed(),
            })
        }
        Config::Easypay(settings) => {
            let client = settings.client()?;
            if operation.signed.is_some() {
                // RSA-signed: only the typed method signs.
                let Some(Body::Json(body)) = &prepared.body else {
                    return Err(CallError::Input("this operation needs a body".to_owned()));
                };
                let request: pay::easypay::wire::OutPaymentCreateRequest =
                    serde_json::from_str(body).map_err(|e| {
                        CallError::Input(format!(
                            "{}: {} (nothing was sent)",
                            operation.id,
                            Redactor::default().text(&e.to_string()).as_str()
                        ))
                    })?;
                let created = client.out_payments().create(&request, &options).await?;
                let text = serde_json::to_string(&created)
                    .map_err(|e| CallError::Input(format!("cannot show the answer: {e}")))?;
                return Ok(Answer {
                    status: 201,
                    replayed: false,
                    body: redactor.json(&text).as_str().to_owned(),
                    url,
                    elapsed: started.elapsed(),
                });
            }
            let body = match &prepared.body {
                Some(Body::Json(text)) => Some(text.as_str()),
                _ => None,
            };
            let answer = client
                .raw(operation.method, &prepared.path, body, &options)
                .await?;
            Ok(Answer {
                status: answer.status,
                replayed: answer.replayed,
                body: answer
                    .body
                    .map(|b| redactor.json(b.get()).as_str().to_owned())
                    .unwrap_or_default(),
                url,
                elapsed: started.elapsed(),
            })
        }
        _ => Err(CallError::Config("unsupported provider".to_owned())),
    }
}

/// One request the adapter produced in a dry run, redacted.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Captured {
    /// The method.
    pub(crate) method: String,
    /// The URL it would go to.
    pub(crate) url: String,
    /// Headers, credentials `[REDACTED]`.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, sensitive fields and card numbers redacted.
    pub(crate) body: String,
    /// Why it is shown (the token request of a V2 call).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

/// The capturing listener's answers: "not sent", in each API's error shape, and a
/// stand-in token for Easytransac's `POST /v2/auth`.
#[derive(Debug)]
struct DryRun {
    provider: Provider,
    auth: pay::testkit::easytransac::EasytransacFake,
}

impl FakeProvider for DryRun {
    fn name(&self) -> &'static str {
        "dry-run"
    }

    fn handle(&self, request: &FakeRequest, ctx: &Context<'_>) -> FakeResponse {
        match self.provider {
            Provider::Easytransac if request.path() == "/v2/auth" => self.auth.handle(request, ctx),
            Provider::Easytransac if request.path().starts_with("/v2/") => FakeResponse::json(
                400,
                r#"{"success":false,"date":"","detail":"dry run: not sent"}"#,
            ),
            Provider::Easytransac => {
                FakeResponse::json(200, r#"{"Code":1,"Error":"dry run: not sent"}"#)
            }
            Provider::Easypay => {
                FakeResponse::json(400, r#"{"status":"error","message":["dry run: not sent"]}"#)
                    .with_header("X-Easypay-Should-Retry", "false")
            }
        }
    }

    fn sensitive_names(&self) -> &'static [&'static str] {
        match self.provider {
            Provider::Easytransac => pay::easytransac::wire::SENSITIVE_FIELDS,
            Provider::Easypay => pay::easypay::wire::SENSITIVE_FIELDS,
        }
    }
}

/// The path part of a base URL (`/2.0` of `https://api.test.easypay.pt/2.0`).
fn path_of(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.find('/')
        .map_or("", |at| rest[at..].trim_end_matches('/'))
}

/// Has the adapter produce `prepared` against a capturing listener on loopback and
/// returns what it sent, redacted, addressed to the URL it would really go to.
///
/// # Errors
/// The listener cannot start, or the adapter refused before sending.
pub(crate) async fn dry_run(
    config: &Config,
    prepared: &Prepared,
    input: &CallInput,
) -> Result<Vec<Captured>, CallError> {
    let operation = prepared.operation;
    let real_base = base_url_of(config, operation)?;
    let prefix = path_of(&real_base).to_owned();
    let key = match config {
        Config::Easytransac(_) => std::env::var(pay::EASYTRANSAC_API_KEY).unwrap_or_default(),
        _ => String::new(),
    };
    let auth = pay::testkit::easytransac::EasytransacFake::new(
        pay::testkit::easytransac::EasytransacConfig::new(pay::SecretString::from(
            if key.is_empty() {
                pay::testkit::easytransac::TEST_API_KEY.to_owned()
            } else {
                key
            },
        )),
    );
    let server = FakeServer::builder()
        .start(DryRun {
            provider: prepared.provider,
            auth,
        })
        .await
        .map_err(|e| CallError::Input(format!("cannot start the dry run's listener: {e}")))?;
    let capture_url = server.url(&prefix);
    let target = pay::Target::Custom(
        pay::Url::parse(&capture_url)
            .map_err(|e| CallError::Input(format!("the dry run's listener: {e}")))?,
    );
    let local = match config {
        Config::Easytransac(settings) => Config::Easytransac(settings.clone().target(target)),
        Config::Easypay(settings) => Config::Easypay(settings.clone().target(target)),
        _ => return Err(CallError::Config("unsupported provider".to_owned())),
    };
    // The listener answers "not sent"; the adapter's error about that is expected. An
    // error before anything reached the listener is the adapter refusing: report it.
    let outcome = send(&local, prepared, input).await;
    let recorded = server.requests();
    if recorded.is_empty()
        && let Err(err) = outcome
    {
        return Err(err);
    }
    let origin = real_base
        .strip_suffix(&prefix)
        .unwrap_or(&real_base)
        .to_owned();
    let host = server.base_url().trim_start_matches("http://").to_owned();
    let captured = recorded
        .iter()
        .map(|r| {
            let query = r.query().map(|q| format!("?{q}")).unwrap_or_default();
            Captured {
                method: r.method().to_owned(),
                url: format!("{origin}{}{query}", r.path()),
                headers: r
                    .headers()
                    .iter()
                    .filter(|(k, _)| k != "host")
                    .map(|(k, v)| (k.clone(), v.replace(&host, "…")))
                    .collect(),
                body: r.body().to_owned(),
                note: (r.path() == "/v2/auth").then(|| {
                    "the V2 token request the adapter sends first; answered here with a \
                     stand-in token"
                        .to_owned()
                }),
            }
        })
        .collect();
    server
        .shutdown()
        .await
        .map_err(|e| CallError::Input(format!("the dry run's listener: {e}")))?;
    Ok(captured)
}

/// `GET` and `DELETE` as HTTP writes them, for display.
pub(crate) fn method_name(method: Method) -> &'static str {
    method.as_str()
}

/// Whether a [`PayError`] means no answer was received (exit code 3) rather than an
/// answer or a refusal (exit code 1).
pub(crate) fn is_no_answer(err: &PayError) -> bool {
    matches!(
        err.kind(),
        ErrorKind::Timeout | ErrorKind::AmbiguousOutcome { .. }
    ) || (err.http_status().is_none()
        && !matches!(
            err.kind(),
            ErrorKind::InvalidRequest(_) | ErrorKind::Configuration { .. }
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(provider: Provider, op: &str, fields: &[&str]) -> CallInput {
        CallInput {
            provider,
            operation: crate::describe::operation(provider, op).expect("operation"),
            data: None,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            idempotency_key: None,
        }
    }

    #[test]
    fn json_numbers_are_recognised_without_parsing() {
        for ok in ["0", "12", "12.5", "-3", "1e5", "0.50", "2E-3"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in ["", "01", "1.", ".5", "1e", "12a", "--1", "NaN"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn fields_are_typed_by_the_description() {
        let prepared = prepare(&input(
            Provider::Easypay,
            "single_create",
            &[
                "value=12.5",
                "method=mbw",
                "customer.phone=911234567",
                "key=order-7",
                "capture.descriptive=Shop",
            ],
        ))
        .expect("valid");
        let Some(Body::Json(body)) = &prepared.body else {
            panic!("a JSON body")
        };
        assert_eq!(
            body,
            r#"{"value":12.5,"method":"mbw","customer":{"phone":"911234567"},"key":"order-7","capture":{"descriptive":"Shop"}}"#
        );
        assert_eq!(prepared.path, "/single");
    }

    #[test]
    fn path_and_query_fields_go_where_the_description_says() {
        let prepared =
            prepare(&input(Provider::Easypay, "single_get", &["id=abc 1"])).expect("valid");
        assert_eq!(prepared.path, "/single/abc%201");
        let prepared = prepare(&input(
            Provider::Easytransac,
            "v2_transaction_status",
            &["tid=ET000001"],
        ))
        .expect("valid");
        assert_eq!(prepared.path, "/v2/transaction/status?tid=ET000001");
    }

    #[test]
    fn refused_requests_name_the_field_not_the_value() {
        let Err(CallError::Input(message)) = prepare(&input(
            Provider::Easypay,
            "single_create",
            &["value=0.10", "method=mbw"],
        )) else {
            panic!("refused")
        };
        assert!(message.contains("value"), "{message}");
        assert!(message.contains("nothing was sent"), "{message}");
        assert!(!message.contains("0.10"), "{message}");
    }

    #[test]
    fn base_urls_are_a_local_fake_or_the_providers_hosts() {
        let ok = |p, url| check_base_url(p, url, false).is_ok();
        assert!(ok(Provider::Easypay, "http://127.0.0.1:4020/2.0"));
        assert!(ok(Provider::Easypay, "http://localhost:4020/2.0"));
        assert!(ok(Provider::Easypay, "http://[::1]:4020/2.0"));
        assert!(ok(Provider::Easypay, "https://api.test.easypay.pt/2.0"));
        assert!(ok(Provider::Easytransac, "https://sandbox.easytransac.com"));
        assert!(ok(
            Provider::Easytransac,
            "https://api.sandbox.easytransac.com"
        ));
        assert!(!ok(Provider::Easypay, "https://sandbox.easytransac.com"));
        assert!(!ok(Provider::Easypay, "https://any-host.example"));
        assert!(check_base_url(Provider::Easypay, "https://any-host.example", true).is_ok());
        assert!(!ok(Provider::Easypay, "http://10.0.0.1/2.0"));
        assert!(!ok(Provider::Easypay, "ftp://127.0.0.1/"));
        let err = check_base_url(Provider::Easypay, "http://u:pw-secret@127.0.0.1/", true)
            .expect_err("userinfo");
        assert!(
            err.contains("--base-url") && !err.contains("pw-secret"),
            "{err}"
        );
    }

    #[test]
    fn base_url_paths_are_kept_for_the_listener() {
        assert_eq!(path_of("https://api.test.easypay.pt/2.0"), "/2.0");
        assert_eq!(path_of("https://sandbox.easytransac.com"), "");
        assert_eq!(path_of("http://127.0.0.1:9/2.0/"), "/2.0");
    }
}
