//! How pay-http reads Easytransac's answers: V1's `{"Code":…}` envelope (errors under
//! HTTP 200, codes 9 and 10 transient for reads only) and V2's `{success, date, data}`
//! envelope with its `detail` error body; and the V2 bearer token, per attempt.

use std::sync::Arc;

use pay_core::{ErrorKind, Operation, PayError, Rule, ValidationError};
use pay_http::{Answer, Classification, ErrorDetails, Hooks};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::token::TokenSource;
use crate::wire::V1ApiErrorCode;

#[derive(Deserialize)]
struct V1Head {
    #[serde(rename = "Code")]
    code: Option<i64>,
    #[serde(rename = "Error", default)]
    error: Option<String>,
}

fn v1_head(body: &[u8]) -> Option<V1Head> {
    serde_json::from_slice::<V1Head>(body).ok()
}

/// The `Code` of a V1 answer, exactly as [`v1_head`] reads it for every body: an
/// integer `Code` (`null` counting as absent) beside an `Error` that is a string or
/// absent (`serde_json` also reads `V1Head` from a list, `[0]` giving code 0, and so
/// does this).
///
/// Every answer is classified, so the usual one is read with
/// [`pay_signing::json::Document::read_named`], keeping its `Code` and `Error` members
/// only; anything it leaves in doubt (an invalid body, a list, a repeated name, a number
/// that is not a plain integer) takes [`v1_head`], which decides as it always has.
fn v1_code(body: &[u8]) -> Option<i64> {
    let fast = std::str::from_utf8(body)
        .ok()
        .and_then(|text| pay_signing::json::Document::read_named(text, &["Code", "Error"], 1))
        .and_then(|document| code_of(document.root()));
    match fast {
        Some(code) => code,
        None => v1_head(body).and_then(|head| head.code),
    }
}

/// [`v1_code`] of a body's top-level members; `None` when in doubt.
fn code_of(members: &[pay_signing::json::Member<'_>]) -> Option<Option<i64>> {
    use pay_signing::json::Kind;
    let mut code = None;
    let mut error = false;
    for member in members {
        let value = member.value();
        let null = value.raw() == "null";
        let name = member.key();
        match &*name {
            "Code" if code.is_none() => {
                code = Some(match value.kind() {
                    Kind::Atom if null => None,
                    // `serde_json` reads `-0` as a float, and so as no `i64`.
                    Kind::Atom
                        if !value.raw().contains(['.', 'e', 'E'])
                            && !value.raw().starts_with("-0") =>
                    {
                        Some(value.raw().parse::<i64>().ok()?)
                    }
                    _ => return None,
                });
            }
            "Error" if !error => {
                error = true;
                if !(null || matches!(value.kind(), Kind::Str { .. })) {
                    return None;
                }
            }
            "Code" | "Error" => return None,
            _ => {}
        }
    }
    Some(code.flatten())
}

/// The pay-core kind an ApiError code means.
///
/// | code | kind |
/// |---|---|
/// | 1 | `NotFound` when the message says "not found", else `Rejected` (INFERRED: code 1 is the generic "invalid request") |
/// | 2, 7, 11 | `Configuration` |
/// | 3, 4, 12, 100 | `Authentication` |
/// | 5 | `InvalidRequest` (`Required`, naming the parameter when the message does) |
/// | 9, 10 | `ProviderUnavailable` (transient; retried for reads only) |
/// | 101 | `InvalidRequest` (`Other`, with the provider's message) |
/// | other | `Rejected` |
pub fn api_error_kind(code: V1ApiErrorCode, message: &str) -> ErrorKind {
    use V1ApiErrorCode as C;
    match code {
        C::InvalidRequest if message.to_ascii_lowercase().contains("not found") => {
            ErrorKind::NotFound
        }
        C::InvalidRequest | C::Success | C::Unknown(_) => ErrorKind::Rejected,
        C::HttpsRequired | C::InvalidAccountConfiguration | C::IpNotAllowed => {
            ErrorKind::Configuration {
                reason: format!("Easytransac ApiError {}: {message}", code.code()),
            }
        }
        C::InvalidApplication | C::MissingApiKey | C::WrongSignature | C::InvalidUserPassword => {
            ErrorKind::Authentication
        }
        C::MissingParameter => {
            let field = message
                .rsplit_once(':')
                .map(|(_, f)| f.trim())
                .filter(|f| !f.is_empty() && !f.contains(' '))
                .unwrap_or("request")
                .to_owned();
            ErrorKind::InvalidRequest(ValidationError::new(field, Rule::Required))
        }
        C::ParameterError => ErrorKind::InvalidRequest(ValidationError::new(
            "request",
            Rule::Other(format!("refused by Easytransac: {message}").into()),
        )),
        C::ServiceTemporarilyUnavailable | C::ServiceUnreachable => ErrorKind::ProviderUnavailable,
    }
}

/// V1: errors under HTTP 200 as `{"Code":n,"Error":"…"}`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct V1Hooks;

impl Hooks for V1Hooks {
    fn classify(&self, operation: &'static Operation, answer: &Answer<'_>) -> Classification {
        match v1_code(answer.body()) {
            Some(0) if answer.is_success() => Classification::Success,
            Some(0) => Classification::by_status(answer),
            Some(code) => Classification::Failure {
                // Codes 9 and 10 are transient: worth repeating for reads only. A write
                // that got one is never repeated (no idempotency at Easytransac).
                should_retry: Some(
                    operation.idempotent && V1ApiErrorCode::from(code).is_retryable(),
                ),
            },
            None if answer.is_success() => Classification::Unreadable {
                location: "Code".to_owned(),
            },
            None => Classification::by_status(answer),
        }
    }

    fn decode_error(&self, _operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
        match v1_head(answer.body()) {
            Some(V1Head {
                code: Some(code),
                error,
            }) => {
                let message = error.unwrap_or_default();
                let code = V1ApiErrorCode::from(code);
                ErrorDetails::new()
                    .kind(api_error_kind(code, &message))
                    .code(code.code().to_string())
                    .message(message)
            }
            _ => ErrorDetails::new(),
        }
    }

    fn replay_header(&self) -> Option<&'static str> {
        None
    }
}

#[derive(Deserialize)]
struct V2Head {
    success: Option<bool>,
    #[serde(default)]
    detail: Option<String>,
}

/// V2: JSON envelope; a bearer token per attempt.
#[derive(Debug, Clone)]
pub(crate) struct V2Hooks {
    pub(crate) tokens: Arc<TokenSource>,
}

/// V2's `POST /v2/auth`: the envelope, no bearer token.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct V2AuthHooks;

impl Hooks for V2AuthHooks {
    fn classify(&self, _operation: &'static Operation, answer: &Answer<'_>) -> Classification {
        v2_classify(answer)
    }

    fn decode_error(&self, _operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
        v2_decode_error(answer)
    }

    fn replay_header(&self) -> Option<&'static str> {
        None
    }
}

fn v2_classify(answer: &Answer<'_>) -> Classification {
    if !answer.is_success() {
        return Classification::by_status(answer);
    }
    match serde_json::from_slice::<V2Head>(answer.body()) {
        Ok(V2Head {
            success: Some(true),
            ..
        }) => Classification::Success,
        Ok(V2Head {
            success: Some(false),
            ..
        }) => Classification::Failure {
            should_retry: Some(false),
        },
        _ => Classification::Unreadable {
            location: "success".to_owned(),
        },
    }
}

fn v2_decode_error(answer: &Answer<'_>) -> ErrorDetails {
    let mut details = ErrorDetails::new();
    if let Ok(head) = serde_json::from_slice::<V2Head>(answer.body())
        && let Some(detail) = head.detail
    {
        details = details.message(detail);
    }
    if answer.status() == 400 {
        let reason = details
            .message
            .clone()
            .unwrap_or_else(|| "bad request".to_owned());
        details = details.kind(ErrorKind::InvalidRequest(ValidationError::new(
            "body",
            Rule::Other(format!("refused by Easytransac: {reason}").into()),
        )));
    }
    details
}

impl Hooks for V2Hooks {
    fn classify(&self, _operation: &'static Operation, answer: &Answer<'_>) -> Classification {
        v2_classify(answer)
    }

    fn decode_error(&self, _operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
        v2_decode_error(answer)
    }

    fn replay_header(&self) -> Option<&'static str> {
        None
    }

    async fn authorize(
        &self,
        _operation: &'static Operation,
        _attempt: u32,
        headers: &mut HeaderMap,
    ) -> Result<(), PayError> {
        let (token, generation) = self.tokens.bearer().await?;
        crate::token::record_sent(generation);
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                PayError::new(ErrorKind::Authentication)
                    .with_provider_message("the V2 token is not a valid header value")
            })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire;

    #[test]
    fn every_documented_code_maps_to_a_kind() {
        for code in V1ApiErrorCode::VALUES {
            let code = V1ApiErrorCode::from(*code);
            let kind = api_error_kind(code, "Some message");
            let expected = match code.code() {
                0 | 1 => matches!(kind, ErrorKind::Rejected),
                2 | 7 | 11 => matches!(kind, ErrorKind::Configuration { .. }),
                3 | 4 | 12 | 100 => matches!(kind, ErrorKind::Authentication),
                5 | 101 => matches!(kind, ErrorKind::InvalidRequest(_)),
                9 | 10 => matches!(kind, ErrorKind::ProviderUnavailable),
                _ => false,
            };
            assert!(expected, "{code:?} -> {kind:?}");
        }
        assert!(matches!(
            api_error_kind(V1ApiErrorCode::from(999), "?"),
            ErrorKind::Rejected
        ));
        assert!(matches!(
            api_error_kind(
                V1ApiErrorCode::InvalidRequest,
                "Invalid request: transaction not found"
            ),
            ErrorKind::NotFound
        ));
        let ErrorKind::InvalidRequest(v) = api_error_kind(
            V1ApiErrorCode::MissingParameter,
            "Missing parameter: ClientIp",
        ) else {
            panic!()
        };
        assert_eq!(v.field(), "ClientIp");
        assert_eq!(v.rule(), &Rule::Required);
    }

    proptest::proptest! {
        /// The one-level reading of `Code` answers what `serde_json`'s reading of the
        /// head answers, for the usual answers and the odd ones alike.
        #[test]
        fn the_code_read_once_is_the_code_serde_json_reads(
            members in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "Code", "Error", "Result", "Signature", "code", "\\u0043ode", "Err\\u006fr",
                    ]),
                    proptest::sample::select(vec![
                        "0", "-0", "1", "12", "-3", "1.0", "1e2", "99999999999999999999", "null",
                        "true", r#""0""#, r#""busy""#, r#""\u00e9""#, "{}", r#"{"a":[1,"x"]}"#,
                        "[]", r#""\ud800""#,
                    ]),
                ),
                0..5,
            ),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
            truncate in proptest::prelude::any::<bool>(),
            invalid_utf8 in proptest::prelude::any::<bool>(),
        ) {
            let mut body = String::from("{");
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&format!("\"{k}\":{v}"));
            }
            body.push('}');
            let mut body = body.into_bytes();
            if truncate {
                body.truncate(cut.index(body.len() + 1));
            }
            if invalid_utf8 {
                // Inside an ignored string, where `serde_json` does not look.
                body = br#"{"Code":0,"X":"a"}"#.to_vec();
                body[15] = 0xff;
            }
            proptest::prop_assert_eq!(
                v1_code(&body),
                v1_head(&body).and_then(|head| head.code),
                "{}", String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn transient_codes_are_retryable_for_reads_only() {
        let headers = HeaderMap::new();
        let body = br#"{"Code":9,"Error":"busy"}"#;
        let answer = Answer::new(200, &headers, body, None);
        let read = wire::operation("v1_payment_status").unwrap();
        let write = wire::operation("v1_payment_direct").unwrap();
        assert_eq!(
            V1Hooks.classify(read, &answer),
            Classification::Failure {
                should_retry: Some(true)
            }
        );
        assert_eq!(
            V1Hooks.classify(write, &answer),
            Classification::Failure {
                should_retry: Some(false)
            }
        );
        let ok = Answer::new(200, &headers, br#"{"Code":0,"Result":{}}"#, None);
        assert_eq!(V1Hooks.classify(read, &ok), Classification::Success);
        let html = Answer::new(200, &headers, b"<html>", None);
        assert!(matches!(
            V1Hooks.classify(read, &html),
            Classification::Unreadable { .. }
        ));
        let details = V1Hooks.decode_error(read, &answer);
        assert_eq!(details.code.as_deref(), Some("9"));
        assert_eq!(details.kind, Some(ErrorKind::ProviderUnavailable));
    }

    #[test]
    fn v2_envelopes() {
        let headers = HeaderMap::new();
        let ok = Answer::new(
            200,
            &headers,
            br#"{"success":true,"date":"x","data":{}}"#,
            None,
        );
        assert_eq!(v2_classify(&ok), Classification::Success);
        let no = Answer::new(200, &headers, br#"{"success":false,"detail":"nope"}"#, None);
        assert!(matches!(v2_classify(&no), Classification::Failure { .. }));
        let bad = Answer::new(
            400,
            &headers,
            br#"{"success":false,"detail":"amount"}"#,
            None,
        );
        let details = v2_decode_error(&bad);
        assert_eq!(details.message.as_deref(), Some("amount"));
        assert!(matches!(details.kind, Some(ErrorKind::InvalidRequest(_))));
    }
}
