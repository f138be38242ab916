//! `pay trigger`: builds a notification for a documented event, signs it as the provider
//! does, POSTs it to the developer's app (or writes it to a file for `pay verify`), and
//! checks the app's answer: a genuine or duplicate delivery must be accepted (2xx), a
//! tampered or unsigned one refused with a 4xx. A 5xx is not a refusal: it says the app
//! failed, and providers retry it, so it fails the rehearsal (as does a 1xx or 3xx).

use std::time::Duration;

use pay::Redactor;
use serde::Serialize;

use crate::deliver::{self, LocalUrl};
use crate::events::{self, Built, Credentials, Event, Values, Variant};

/// Where deliveries go.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// POST to the app.
    App(LocalUrl),
    /// Written as raw HTTP requests to a new file (mode 0600 on Unix: it holds the
    /// signature or the Basic credentials); an existing file only with `force`.
    File {
        /// The file.
        path: std::path::PathBuf,
        /// Overwrite an existing file.
        force: bool,
    },
}

/// What to send.
pub(crate) struct TriggerInput {
    pub(crate) event: &'static Event,
    pub(crate) values: Values,
    pub(crate) credentials: Credentials,
    pub(crate) target: Target,
    pub(crate) repeat: u32,
    pub(crate) duplicate: bool,
    pub(crate) tamper: bool,
    pub(crate) unsigned: bool,
    pub(crate) timeout: Duration,
}

/// One delivery and what came of it.
#[derive(Debug, Serialize)]
pub(crate) struct Delivery {
    pub(crate) provider: &'static str,
    pub(crate) event: &'static str,
    pub(crate) variant: &'static str,
    pub(crate) id: String,
    pub(crate) summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tampering: Option<String>,
    /// `accept` or `refuse`: what the app must do.
    pub(crate) expected: &'static str,
    pub(crate) url: Option<String>,
    pub(crate) status: Option<u16>,
    pub(crate) elapsed_ms: Option<u128>,
    /// The app's answer body, redacted and cut to 200 characters.
    pub(crate) answer: Option<String>,
    pub(crate) error: Option<String>,
    /// Why no answer came: `refused`, `connect_timeout`, `timeout` or `broken`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_kind: Option<&'static str>,
    /// The verdict on the app's answer, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verdict: Option<&'static str>,
    /// Whether the app did what it must.
    pub(crate) ok: bool,
    /// Headers and body as sent, redacted (for `--verbose`).
    #[serde(skip)]
    pub(crate) sent: Vec<String>,
}

/// The deliveries to make: `repeat` fresh notifications, each followed by its duplicate
/// (`--duplicate`), a tampered copy (`--tamper`) and an unsigned one (`--unsigned`).
fn plan(input: &TriggerInput) -> Result<Vec<(Variant, Built)>, String> {
    let mut out = Vec::new();
    for _ in 0..input.repeat.max(1) {
        let ids = events::Ids::fresh();
        let build = |variant| {
            events::build(
                input.event,
                &input.values,
                &input.credentials,
                variant,
                &ids,
            )
        };
        let genuine = build(Variant::Genuine)?;
        out.push((Variant::Genuine, genuine.clone()));
        if input.duplicate {
            out.push((Variant::Duplicate, genuine));
        }
        if input.tamper {
            out.push((Variant::Tampered, build(Variant::Tampered)?));
        }
        if input.unsigned {
            out.push((Variant::Unsigned, build(Variant::Unsigned)?));
        }
    }
    Ok(out)
}

fn redacted_request(built: &Built) -> Vec<String> {
    let redactor = Redactor::default();
    let mut lines: Vec<String> = built
        .headers
        .iter()
        .map(|(k, v)| {
            if k.eq_ignore_ascii_case("authorization") {
                format!("{k}: [REDACTED]")
            } else {
                format!("{k}: {v}")
            }
        })
        .collect();
    let body = String::from_utf8_lossy(&built.body);
    lines.push(redactor.any(&body).as_str().to_owned());
    lines
}

/// A raw HTTP request of `built` to `path`, as `pay verify` reads it.
fn raw_request(built: &Built, path: &str) -> Vec<u8> {
    let mut out = format!("POST {path} HTTP/1.1\r\n");
    for (k, v) in &built.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", built.body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&built.body);
    bytes
}

/// Why `run` stopped before reporting.
#[derive(Debug)]
pub(crate) enum RunError {
    /// The notification cannot be built (or the flags do not fit `--output`).
    Build(String),
    /// The file cannot be written.
    Write(WriteError),
}

impl From<WriteError> for RunError {
    fn from(err: WriteError) -> Self {
        RunError::Write(err)
    }
}

impl From<String> for RunError {
    fn from(message: String) -> Self {
        RunError::Build(message)
    }
}

/// Sends (or writes) every planned delivery.
///
/// # Errors
/// The notification cannot be built, or the file cannot be written.
pub(crate) async fn run(input: &TriggerInput) -> Result<Vec<Delivery>, RunError> {
    let planned = match &input.target {
        Target::App(_) => plan(input)?,
        Target::File { .. } => {
            if input.repeat > 1 || input.duplicate || (input.tamper && input.unsigned) {
                return Err(RunError::Build(
                    "--output writes one notification: genuine, or --tamper, or --unsigned \
                     (leave out --repeat and --duplicate)"
                        .to_owned(),
                ));
            }
            let variant = if input.tamper {
                Variant::Tampered
            } else if input.unsigned {
                Variant::Unsigned
            } else {
                Variant::Genuine
            };
            vec![(
                variant,
                events::build(
                    input.event,
                    &input.values,
                    &input.credentials,
                    variant,
                    &events::Ids::fresh(),
                )?,
            )]
        }
    };
    let mut deliveries = Vec::new();
    let mut file = Vec::new();
    let redactor = Redactor::default();
    for (variant, built) in planned {
        let mut delivery = Delivery {
            provider: input.event.provider.as_str(),
            event: input.event.name,
            variant: variant.as_str(),
            id: built.id.clone(),
            summary: built.summary.clone(),
            tampering: built.tampering.clone(),
            expected: if variant.must_accept() {
                "accept"
            } else {
                "refuse"
            },
            url: None,
            status: None,
            elapsed_ms: None,
            answer: None,
            error: None,
            error_kind: None,
            verdict: None,
            ok: true,
            sent: redacted_request(&built),
        };
        match &input.target {
            Target::File { .. } => {
                if !file.is_empty() {
                    file.extend_from_slice(b"\r\n");
                }
                file.extend_from_slice(&raw_request(&built, "/notifications"));
            }
            Target::App(url) => {
                delivery.url = Some(url.as_str().to_owned());
                match deliver::post(url, &built.headers, &built.body, input.timeout).await {
                    Ok(answer) => {
                        let (ok, verdict) = judge(variant.must_accept(), answer.status);
                        delivery.status = Some(answer.status);
                        delivery.elapsed_ms = Some(answer.elapsed.as_millis());
                        let body: String = redactor
                            .any(answer.body.trim())
                            .as_str()
                            .chars()
                            .take(200)
                            .collect();
                        delivery.answer = Some(body);
                        delivery.ok = ok;
                        delivery.verdict = Some(verdict);
                    }
                    Err(err) => {
                        delivery.error_kind = Some(err.kind());
                        delivery.error = Some(err.to_string());
                        delivery.ok = false;
                    }
                }
            }
        }
        deliveries.push(delivery);
    }
    if let Target::File { path, force } = &input.target {
        write_private(path, &file, *force).map_err(WriteError::Io)?;
    }
    Ok(deliveries)
}

/// The verdict on an answer `status` to a delivery that must be accepted (or refused):
/// whether it is right, and why, in words.
pub(crate) fn judge(must_accept: bool, status: u16) -> (bool, &'static str) {
    match (must_accept, status / 100) {
        (true, 2) => (true, "accepted, as it must"),
        (true, _) => (false, "WRONG: refused a notification it must accept"),
        (false, 4) => (true, "refused, as it must"),
        (false, 2) => (false, "WRONG: accepted a notification it must refuse"),
        (false, 5) => (
            false,
            "WRONG: refused with 5xx: the provider would retry; answer 4xx",
        ),
        (false, _) => (
            false,
            "WRONG: neither accepted nor refused (not 2xx, not 4xx); answer 4xx",
        ),
    }
}

/// Why the notification could not be written.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// The file exists and `--force` was not given.
    Exists(std::path::PathBuf),
    /// The file could not be created or written.
    Io(String),
}

/// Refuses an existing `path` unless `force`, before anything is built or sent.
///
/// # Errors
/// [`WriteError::Exists`].
pub(crate) fn check_output(path: &std::path::Path, force: bool) -> Result<(), WriteError> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(WriteError::Exists(path.to_owned()));
    }
    Ok(())
}

/// Writes `bytes` to `path`, readable by its owner only (0600 on Unix): a new file, or
/// with `force` an existing one, truncated and its mode set to 0600.
fn write_private(path: &std::path::Path, bytes: &[u8], force: bool) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let cannot = |e: std::io::Error| format!("cannot write `{}`: {e}", path.display());
    let mut file = options.open(path).map_err(cannot)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(cannot)?;
    }
    file.write_all(bytes).map_err(cannot)?;
    file.sync_all().map_err(cannot)
}
