//! `pay verify`: reads a captured notification (raw HTTP request, or headers and body, or
//! a body alone) and says whether it verifies with the key given, through the adapters'
//! own verification (`pay::Webhooks::verify`), and if not, why, without printing the key.

use std::time::SystemTime;

use base64::Engine;
use pay::easypay::{EasypayClient, NotificationAuth};
use pay::easytransac::EasytransacClient;
use pay::{ErrorKind, PayError, RawWebhook, WebhookEvent, WebhookRejection, Webhooks};
use pay_signing::easytransac::{FieldValue, Params, Scalar};
use secrecy::{ExposeSecret, SecretString};

use crate::Provider;

/// A captured notification, split. Its `Debug` shows header names only, never their
/// values (`Authorization`, a signature).
pub(crate) struct Capture {
    /// The request line, when the capture had one.
    pub(crate) request_line: Option<String>,
    /// Headers, in order.
    pub(crate) headers: Vec<(String, String)>,
    /// The body bytes.
    pub(crate) body: Vec<u8>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("request_line", &self.request_line)
            .field("headers", &crate::events::header_names(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Splits `input`: an HTTP request (`POST /path HTTP/1.1`, headers, blank line, body),
/// headers and a body after a blank line, or (`body_only`, or nothing that looks like
/// headers) a body alone.
pub(crate) fn read_capture(input: &[u8], body_only: bool) -> Capture {
    let plain = |body: &[u8]| Capture {
        request_line: None,
        headers: Vec::new(),
        body: body.to_vec(),
    };
    if body_only {
        return plain(input);
    }
    let (head, body) = match find_blank_line(input) {
        Some((end, start)) => (&input[..end], &input[start..]),
        None => return plain(input),
    };
    let Ok(head) = std::str::from_utf8(head) else {
        return plain(input);
    };
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let request_line = is_request_line(first).then(|| first.to_owned());
    let header_lines: Vec<&str> = if request_line.is_some() {
        lines.collect()
    } else {
        head.lines().collect()
    };
    let mut headers = Vec::new();
    for line in header_lines {
        match line.split_once(':') {
            Some((name, value)) if is_token(name) => {
                headers.push((name.to_owned(), value.trim().to_owned()));
            }
            // Not a header block after all: the whole input is the body.
            _ => return plain(input),
        }
    }
    Capture {
        request_line,
        headers,
        body: body.to_vec(),
    }
}

fn find_blank_line(input: &[u8]) -> Option<(usize, usize)> {
    let crlf = input.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = input.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) if b < a => Some((b, b + 2)),
        (Some(a), _) => Some((a, a + 4)),
        (None, Some(b)) => Some((b, b + 2)),
        (None, None) => None,
    }
}

fn is_request_line(line: &str) -> bool {
    let parts: Vec<&str> = line.split(' ').collect();
    parts.len() == 3
        && parts[0].chars().all(|c| c.is_ascii_uppercase())
        && parts[2].starts_with("HTTP/")
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// What a verification concluded.
#[derive(Debug)]
pub(crate) struct Verdict {
    /// Whether it verified.
    pub(crate) verified: bool,
    /// The rejection, as pay-core names it.
    pub(crate) reason: Option<&'static str>,
    /// One line: what was found.
    pub(crate) headline: String,
    /// Why, and what to check (never the key).
    pub(crate) explanation: Vec<String>,
    /// The neutral event, when verified and parsed.
    pub(crate) event: Option<EventSummary>,
}

/// The parts of a verified event worth showing.
#[derive(Debug, serde::Serialize)]
pub(crate) struct EventSummary {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) provider_status: Option<String>,
    pub(crate) reference: Option<String>,
    pub(crate) amount: Option<String>,
}

impl EventSummary {
    fn of(event: &WebhookEvent) -> Self {
        Self {
            id: event.id.as_str().to_owned(),
            kind: event.kind.name(),
            provider_status: event.provider_status.clone(),
            reference: event.reference.as_ref().map(|r| r.as_str().to_owned()),
            amount: event.amount.map(|m| m.to_string()),
        }
    }
}

/// The verdict on a notification whose credentials matched: verified when it parses
/// (`headline` names the event), else malformed with `malformed` and its `why`.
fn parsed_verdict(
    parsed: Result<WebhookEvent, PayError>,
    headline: impl FnOnce(&WebhookEvent) -> String,
    malformed: &str,
    why: &str,
) -> Verdict {
    match parsed {
        Ok(event) => Verdict {
            verified: true,
            reason: None,
            headline: headline(&event),
            explanation: Vec::new(),
            event: Some(EventSummary::of(&event)),
        },
        Err(_) => Verdict {
            verified: false,
            reason: Some("malformed"),
            headline: malformed.to_owned(),
            explanation: vec![why.to_owned()],
            event: None,
        },
    }
}

fn rejection(err: &PayError) -> Option<WebhookRejection> {
    match err.kind() {
        ErrorKind::WebhookRejected { reason } => Some(*reason),
        _ => None,
    }
}

fn reason_name(reason: WebhookRejection) -> &'static str {
    match reason {
        WebhookRejection::MissingSignature => "missing_signature",
        WebhookRejection::BadSignature => "bad_signature",
        WebhookRejection::Stale => "stale",
        WebhookRejection::Replayed => "replayed",
        WebhookRejection::Malformed => "malformed",
        _ => "rejected",
    }
}

fn raw_of(capture: &Capture) -> RawWebhook {
    RawWebhook::new(
        capture.headers.clone(),
        capture.body.clone(),
        SystemTime::now(),
    )
}

/// Verifies an Easytransac notification with `key`; `testkit_key` is pay-testkit's, to
/// tell a notification signed by the fakes from one signed with another key.
///
/// # Errors
/// The client cannot be built (an empty key).
pub(crate) fn easytransac(
    capture: &Capture,
    key: &SecretString,
    testkit_key: &SecretString,
) -> Result<Verdict, PayError> {
    let client = EasytransacClient::builder(key.clone()).build()?;
    let raw = raw_of(capture);
    let err = match Webhooks::verify(&client, &raw) {
        Ok(verified) => {
            return Ok(parsed_verdict(
                client.parse(&verified),
                |event| {
                    format!(
                        "verified: Easytransac notification, signature matches with the key given \
                         ({} event {}, a hint: confirm by reading the payment before acting)",
                        event.kind.name(),
                        event.id.as_str()
                    )
                },
                "NOT verified: the signature matches, but the fields do not read as an \
                 Easytransac notification",
                "a documented field has a value of the wrong shape (an amount that is not a \
                 decimal, an unknown count)",
            ));
        }
        Err(err) => err,
    };
    let reason = rejection(&err).unwrap_or(WebhookRejection::Malformed);
    let params = params_of(capture);
    let (headline, explanation) = match reason {
        WebhookRejection::MissingSignature => (
            "NOT verified: missing field `Signature`".to_owned(),
            vec![
                "Easytransac signs every notification; one without `Signature` proves nothing \
                 and must be refused"
                    .to_owned(),
            ],
        ),
        WebhookRejection::BadSignature => bad_signature(&raw, params.as_ref(), key, testkit_key),
        _ => malformed(capture, params.as_ref()),
    };
    Ok(Verdict {
        verified: false,
        reason: Some(reason_name(reason)),
        headline,
        explanation,
        event: None,
    })
}

fn params_of(capture: &Capture) -> Option<Params> {
    let text = std::str::from_utf8(&capture.body).ok()?;
    let json = capture
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json"))
        || text.trim_start().starts_with('{');
    if json {
        Params::from_json_str(text).ok()
    } else {
        Params::from_form(&pay::testkit::form::decode(text)).ok()
    }
}

fn malformed(capture: &Capture, params: Option<&Params>) -> (String, Vec<String>) {
    if capture.body.iter().all(u8::is_ascii_whitespace) {
        return (
            "NOT verified: the body is empty".to_owned(),
            vec![
                "check that the capture includes the body, after a blank line following the \
                 headers"
                    .to_owned(),
            ],
        );
    }
    let Some(params) = params else {
        return (
            "NOT verified: the body is neither form fields nor a JSON object".to_owned(),
            vec!["Easytransac sends form fields (or JSON); nothing else can be checked".to_owned()],
        );
    };
    let missing: Vec<&str> = ["Tid", "Status"]
        .into_iter()
        .filter(|name| !matches!(params.get(name), Some(FieldValue::Scalar(Scalar::Str(_)))))
        .collect();
    if missing.is_empty() {
        (
            "NOT verified: the fields do not read as an Easytransac notification".to_owned(),
            Vec::new(),
        )
    } else {
        (
            format!(
                "NOT verified: missing field{} {}",
                if missing.len() > 1 { "s" } else { "" },
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            vec!["`Tid`, `Status` and `Signature` are required in every notification".to_owned()],
        )
    }
}

fn bad_signature(
    raw: &RawWebhook,
    params: Option<&Params>,
    key: &SecretString,
    testkit_key: &SecretString,
) -> (String, Vec<String>) {
    if let Some(params) = params {
        let mut seen = std::collections::BTreeMap::new();
        for (name, _) in params.iter() {
            if let Some(other) = seen.insert(name.to_ascii_lowercase(), name) {
                return (
                    format!(
                        "NOT verified: fields `{other}` and `{name}` differ only by case (renamed \
                         field)"
                    ),
                    vec![
                        "the signature covers values in the order of the lower-cased names, so \
                         one of them would be unsigned: such a notification is refused"
                            .to_owned(),
                    ],
                );
            }
        }
    }
    let same_as_testkit = key.expose_secret() == testkit_key.expose_secret();
    if !same_as_testkit
        && let Ok(testkit) = EasytransacClient::builder(testkit_key.clone()).build()
        && Webhooks::verify(&testkit, raw).is_ok()
    {
        return (
            "NOT verified: wrong key: signed with pay-testkit's test key, not the key given"
                .to_owned(),
            vec![
                "this notification came from `pay trigger` or `pay serve` without your key: pass \
                 the same --key (or EASYTRANSAC_API_KEY) to both"
                    .to_owned(),
            ],
        );
    }
    (
        "NOT verified: the Signature does not match the fields with the key given (wrong key, or \
         a tampered value)"
            .to_owned(),
        vec![
            "wrong key: the key given is not the one of the application that signed it (check \
             EASYTRANSAC_API_KEY or --key; test and live applications have different keys)"
                .to_owned(),
            "tampered value: a field was changed, added or removed after signing (check that \
             nothing between Easytransac and the capture rewrote the body: a proxy, a framework \
             that decodes and re-encodes form fields, trimming)"
                .to_owned(),
            "the scheme (SHA-1 over every value and the key) cannot tell these apart; a \
             notification whose signature fails must be refused either way"
                .to_owned(),
        ],
    )
}

/// Verifies an Easypay notification against Basic credentials `user` and `password`.
///
/// # Errors
/// The client cannot be built.
pub(crate) fn easypay(
    capture: &Capture,
    user: &str,
    password: &SecretString,
) -> Result<Verdict, PayError> {
    let client = EasypayClient::builder(
        pay::easypay::AccountId::new("pay-cli-verify"),
        pay::easypay::ApiKey::new("pay-cli-verify"),
    )
    .notification_auth(NotificationAuth::basic(
        user,
        password.expose_secret().to_owned(),
    ))
    .build()?;
    let raw = raw_of(capture);
    let err = match Webhooks::verify(&client, &raw) {
        Ok(verified) => {
            return Ok(parsed_verdict(
                client.parse(&verified),
                |event| {
                    format!(
                        "verified: Easypay notification, Basic credentials match the ones given \
                         ({} event {}, a hint: confirm by reading the resource before acting)",
                        event.kind.name(),
                        event.id.as_str()
                    )
                },
                "NOT verified: the credentials match, but the body is not one of Easypay's \
                 notifications (generic, authorisation, transaction)",
                "the body must be a JSON object of one of those shapes",
            ));
        }
        Err(err) => err,
    };
    let reason = rejection(&err).unwrap_or(WebhookRejection::Malformed);
    let (headline, explanation) = match reason {
        WebhookRejection::MissingSignature => (
            "NOT verified: missing header `Authorization`".to_owned(),
            vec![
                "Easypay signs no body; the Basic credentials it sends are the only proof of \
                 origin, so a notification without them must be refused"
                    .to_owned(),
            ],
        ),
        _ => basic_mismatch(raw.header("authorization"), user, password),
    };
    Ok(Verdict {
        verified: false,
        reason: Some(reason_name(reason)),
        headline,
        explanation,
        event: None,
    })
}

fn basic_mismatch(
    presented: Option<&str>,
    user: &str,
    password: &SecretString,
) -> (String, Vec<String>) {
    let Some(token) = presented.and_then(|p| p.strip_prefix("Basic ")) else {
        return (
            "NOT verified: `Authorization` is not Basic credentials".to_owned(),
            vec!["Easypay authenticates notifications with `Authorization: Basic …`".to_owned()],
        );
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((got_user, got_password)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return (
            "NOT verified: `Authorization: Basic` does not hold `user:password` in base64"
                .to_owned(),
            Vec::new(),
        );
    };
    if got_user != user {
        return (
            "NOT verified: wrong credentials: the user name differs from the one given".to_owned(),
            vec![
                "check EASYPAY_NOTIFICATION_USER (or --user) against the notification settings \
                 of the Easypay account"
                    .to_owned(),
            ],
        );
    }
    let same = pay::constant_time_eq(got_password.as_bytes(), password.expose_secret().as_bytes());
    let headline = if same {
        "NOT verified: the credentials do not match".to_owned()
    } else {
        "NOT verified: wrong key: the password differs from the one given (same user)".to_owned()
    };
    (
        headline,
        vec![
            "check EASYPAY_NOTIFICATION_PASSWORD (or --password); a forged or altered \
             notification fails here too"
                .to_owned(),
        ],
    )
}

/// Verifies `capture` for `provider`.
///
/// # Errors
/// A client cannot be built.
pub(crate) fn run(
    provider: Provider,
    capture: &Capture,
    credentials: &crate::Creds,
) -> Result<Verdict, PayError> {
    match provider {
        Provider::Easytransac => easytransac(
            capture,
            &credentials.easytransac_key,
            &SecretString::from(pay::testkit::easytransac::TEST_API_KEY),
        ),
        Provider::Easypay => easypay(
            capture,
            &credentials.easypay_user,
            &credentials.easypay_password,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_are_split_into_request_line_headers_and_body() {
        let c = read_capture(
            b"POST /hooks HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nTid=A&Status=captured",
            false,
        );
        assert_eq!(c.request_line.as_deref(), Some("POST /hooks HTTP/1.1"));
        assert_eq!(
            c.headers,
            vec![(
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned()
            )]
        );
        assert_eq!(c.body, b"Tid=A&Status=captured");

        let c = read_capture(b"content-type: application/json\n\n{\"a\":1}", false);
        assert_eq!(c.headers.len(), 1);
        assert_eq!(c.body, b"{\"a\":1}");

        let c = read_capture(b"Tid=A&Status=captured\n", false);
        assert!(c.headers.is_empty());
        assert_eq!(c.body, b"Tid=A&Status=captured\n");

        let c = read_capture(b"{\n\n\"a\": 1}", false);
        assert!(
            c.headers.is_empty(),
            "a JSON body with a blank line is a body"
        );
    }
}
