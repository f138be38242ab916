//! Errors: how the transport reads {title}'s answers ([`{title}Hooks`]). Failures become
//! [`pay_core::PayError`]s whose kind the HTTP status decides, with the provider's code and
//! message from its error body (`{"code": "...", "message": "..."}`, the scaffold's
//! placeholder shape: replace it with the documented one).

use std::fmt;

use pay_core::{ErrorKind, Operation, PayError};
use pay_http::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use pay_http::{Answer, ErrorDetails, Hooks};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// {title}'s knowledge of its own answers: the bearer API key on every attempt and the error
/// body's code and message.
///
/// `Debug` shows no key.
pub struct {title}Hooks {
    api_key: SecretString,
}

impl {title}Hooks {
    /// Hooks sending `api_key` as a bearer token.
    pub fn new(api_key: SecretString) -> Self {
        Self { api_key }
    }
}

impl fmt::Debug for {title}Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("{title}Hooks").finish_non_exhaustive()
    }
}

/// The error body.
#[derive(Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
}

impl Hooks for {title}Hooks {
    fn decode_error(&self, _operation: &'static Operation, answer: &Answer<'_>) -> ErrorDetails {
        let Ok(body) = serde_json::from_slice::<ErrorBody>(answer.body()) else {
            return ErrorDetails::new();
        };
        let mut details = ErrorDetails::new();
        if let Some(code) = body.code {
            details = details.code(code);
        }
        if let Some(message) = body.message {
            details = details.message(message);
        }
        details
    }

    async fn authorize(
        &self,
        _operation: &'static Operation,
        _attempt: u32,
        headers: &mut HeaderMap,
    ) -> Result<(), PayError> {
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", self.api_key.expose_secret()))
                .map_err(|_| {
                    PayError::new(ErrorKind::Authentication)
                        .with_provider_message("the API key is not a valid header value")
                })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }
}
