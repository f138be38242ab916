//! The request log ([`RecordedRequest`]) and the redaction applied to everything a test can
//! look at: request logs, snapshots and `Debug` output never show keys, tokens, card
//! numbers, CVVs or IBANs.

use std::time::SystemTime;

use pay_core::{DEFAULT_SENSITIVE_KEYS, Redactor};

use crate::fault::FaultKind;
use crate::provider::{FakeRequest, Snapshot};

/// One request as the server received it, with secrets redacted.
///
/// Header values of sensitive headers (`Authorization`, `EASYTRANSAC-API-KEY`, `ApiKey`,
/// `AccountId`, `Signature`, cookies…) are `[REDACTED]`; JSON and form bodies and the query
/// string lose the values of sensitive keys; card-number-like and IBAN-like runs are
/// masked anywhere (see [`pay_core::Redactor`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    seq: u64,
    received_at: SystemTime,
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: String,
    body_len: usize,
    operation: Option<&'static str>,
    fault: Option<FaultKind>,
}

impl RecordedRequest {
    /// Its position in the server's log, from 1.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// When it arrived, by the server's clock.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }

    /// The method (`POST`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query string, redacted.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The headers, redacted, names in lower case.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first header called `name` (ignoring case), redacted.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::provider::find_header(&self.headers, name)
    }

    /// The body, redacted (a placeholder for bodies that are not UTF-8).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The length of the body as received, in bytes.
    pub fn body_len(&self) -> usize {
        self.body_len
    }

    /// The operation id the provider fake gave it, if any.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The fault injected in answer to it, if any.
    pub fn fault(&self) -> Option<FaultKind> {
        self.fault
    }
}

/// Headers that carry credentials, normalised (lower case, no `-` or `_`), on top of
/// [`DEFAULT_SENSITIVE_KEYS`].
const SENSITIVE_HEADERS: &[&str] = &[
    "proxyauthorization",
    "cookie",
    "setcookie",
    "accountid",
    "xeasypaycode",
    "xapikey",
];

const REDACTED: &str = "[REDACTED]";

/// How a server redacts what it shows.
#[derive(Debug, Clone)]
pub(crate) struct Redaction {
    redactor: Redactor,
    names: Vec<String>,
}

impl Redaction {
    /// The defaults plus `extra` names (headers, form fields or JSON keys).
    pub(crate) fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let mut redactor = Redactor::default().with_max_len(64 * 1024);
        let mut names: Vec<String> = DEFAULT_SENSITIVE_KEYS
            .iter()
            .chain(SENSITIVE_HEADERS)
            .map(|k| normalise(k))
            .collect();
        for name in extra {
            redactor = redactor.with_key(name);
            names.push(normalise(name));
        }
        Self { redactor, names }
    }

    fn is_sensitive(&self, name: &str) -> bool {
        let name = normalise(name);
        self.names.contains(&name)
    }

    pub(crate) fn header(&self, name: &str, value: &str) -> String {
        if self.is_sensitive(name) {
            REDACTED.to_owned()
        } else {
            self.redactor.text(value).as_str().to_owned()
        }
    }

    pub(crate) fn body(&self, content_type: Option<&str>, body: &[u8]) -> String {
        let Ok(text) = std::str::from_utf8(body) else {
            return format!("[{} bytes, not UTF-8]", body.len());
        };
        let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
        let trimmed = text.trim_start();
        let redacted = if content_type.contains("json")
            || trimmed.starts_with('{')
            || trimmed.starts_with('[')
        {
            self.redactor.json(text)
        } else if content_type.contains("x-www-form-urlencoded")
            || (content_type.is_empty()
                && text.contains('=')
                && !text.contains(char::is_whitespace))
        {
            self.redactor.form(text)
        } else {
            self.redactor.text(text)
        };
        redacted.as_str().to_owned()
    }

    pub(crate) fn record(
        &self,
        seq: u64,
        received_at: SystemTime,
        request: &FakeRequest,
        operation: Option<&'static str>,
        fault: Option<FaultKind>,
    ) -> RecordedRequest {
        RecordedRequest {
            seq,
            received_at,
            method: request.method().to_owned(),
            path: self.redactor.text(request.path()).as_str().to_owned(),
            query: request
                .query()
                .map(|q| self.redactor.form(q).as_str().to_owned()),
            headers: request
                .headers()
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), self.header(k, v)))
                .collect(),
            body: self.body(request.content_type(), request.body()),
            body_len: request.body().len(),
            operation,
            fault,
        }
    }

    /// Redacts the field values of a snapshot: sensitive names lose their value, other
    /// values have card-like and IBAN-like runs masked. Ids and statuses are kept as they
    /// are, so tests can look resources up.
    pub(crate) fn snapshot(&self, mut snapshot: Snapshot) -> Snapshot {
        for resource in snapshot.resources_mut() {
            for (name, value) in resource.fields_mut().iter_mut() {
                *value = if self.is_sensitive(name) {
                    REDACTED.to_owned()
                } else {
                    self.redactor.text(value).as_str().to_owned()
                };
            }
        }
        snapshot
    }
}

fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{Resource, ResourceKind};

    const SECRETS: &[&str] = &[
        "k3y-abc",
        "acct-77",
        "Bearer eyJ.tok.sig",
        "sig-123",
        "4111111111111111",
        "PT50000201231234567890154",
        "cvv-999",
        "zz-hidden-zz",
    ];

    #[test]
    fn request_logs_never_show_secrets() {
        let redaction = Redaction::new(["X-Custom-Secret"]);
        let requests = [
            FakeRequest::new("POST", "/api/payment/direct")
                .with_header("EASYTRANSAC-API-KEY", "k3y-abc")
                .with_header("Content-Type", "application/x-www-form-urlencoded")
                .with_body("Amount=1250&CardNumber=4111111111111111&CardCVV=cvv-999&Signature=sig-123"),
            FakeRequest::new("POST", "/2.0/single?ApiKey=k3y-abc")
                .with_header("AccountId", "acct-77")
                .with_header("ApiKey", "k3y-abc")
                .with_header("Authorization", "Bearer eyJ.tok.sig")
                .with_header("Signature", "sig-123")
                .with_header("X-Custom-Secret", "zz-hidden-zz")
                .with_header("Content-Type", "application/json")
                .with_body(
                    r#"{"value":12.5,"sdd_mandate":{"iban":"PT50000201231234567890154"},"card":{"number":"4111111111111111","cvv":"cvv-999"},"x_custom_secret":"zz-hidden-zz"}"#,
                ),
            // No content type: still recognised as a form or as JSON.
            FakeRequest::new("POST", "/v2/auth").with_body("ApiKey=k3y-abc&Iban=PT50000201231234567890154"),
            FakeRequest::new("POST", "/v2/auth").with_body(r#"{"apiKey":"k3y-abc"}"#),
            // Free text: card and IBAN runs masked.
            FakeRequest::new("POST", "/note/4111111111111111")
                .with_header("Content-Type", "text/plain")
                .with_body("pay PT50000201231234567890154 with 4111111111111111"),
        ];
        for request in requests {
            let recorded = redaction.record(1, SystemTime::UNIX_EPOCH, &request, None, None);
            let shown = format!("{recorded:?}");
            for secret in SECRETS {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
            assert_eq!(recorded.body_len(), request.body().len());
        }
        let recorded = redaction.record(
            7,
            SystemTime::UNIX_EPOCH,
            &FakeRequest::new("POST", "/x")
                .with_header("ApiKey", "k3y-abc")
                .with_header("Content-Type", "application/json")
                .with_body(r#"{"value":12.5,"key":"order-1"}"#),
            Some("single_create"),
            Some(FaultKind::Reset),
        );
        // Non-secret parts stay readable, amounts untouched.
        assert_eq!(recorded.header("apikey"), Some("[REDACTED]"));
        assert_eq!(recorded.header("content-type"), Some("application/json"));
        assert_eq!(recorded.body(), r#"{"value":12.5,"key":"order-1"}"#);
        assert_eq!(recorded.seq(), 7);
        assert_eq!(recorded.operation(), Some("single_create"));
        assert_eq!(recorded.fault(), Some(FaultKind::Reset));
        assert_eq!(redaction.body(None, &[0xff, 0xfe]), "[2 bytes, not UTF-8]");
    }

    #[test]
    fn snapshots_lose_secret_fields_but_keep_ids() {
        let redaction = Redaction::new([]);
        let snapshot = Snapshot::new().with(
            Resource::new(ResourceKind::Mandate, "m-1", "active")
                .with_field("iban", "PT50000201231234567890154")
                .with_field("note", "from PT50000201231234567890154")
                .with_field("amount", "12.50"),
        );
        let redacted = redaction.snapshot(snapshot);
        let mandate = &redacted.resources()[0];
        assert_eq!(mandate.id(), "m-1");
        assert_eq!(mandate.field("iban"), Some("[REDACTED]"));
        assert_eq!(
            mandate.field("note"),
            Some("from PT50*****************0154")
        );
        assert_eq!(mandate.field("amount"), Some("12.50"));
    }
}
