//! The crate's single error type.

use std::fmt;

/// Everything that can go wrong while signing, verifying or loading keys.
///
/// Callers branch on the variant; the underlying cause, when there is one, is
/// reachable only through [`std::error::Error::source`] and is never part of the
/// message. No variant carries a key, a token, a signed value or a body: only field
/// names, static descriptions and timestamps.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input cannot be signed or verified as given (bad JSON, a form field name
    /// PHP would not parse, a timestamp before 1970, ...).
    #[error("malformed input: {what}")]
    #[non_exhaustive]
    MalformedInput {
        /// What was wrong, in a few words.
        what: &'static str,
    },

    /// An Easytransac payload nests deeper than the one level the V1 signature defines.
    #[error("field `{key}` nests more than one level deep; the V1 signature does not define it")]
    #[non_exhaustive]
    TooDeeplyNested {
        /// The top-level field that holds the deep value.
        key: String,
    },

    /// A field the operation requires is absent (or `null`).
    #[error("required field `{name}` is missing")]
    #[non_exhaustive]
    MissingField {
        /// The field's name, exactly as the provider spells it.
        name: &'static str,
    },

    /// PHP's `ksort` would order these keys in a way that depends on its sort
    /// algorithm (its key comparison is not transitive on this key set), or on float
    /// rounding we refuse to guess.
    #[error("PHP's ksort order of keys `{first}` and `{second}` cannot be determined")]
    #[non_exhaustive]
    AmbiguousKeyOrder {
        /// One key of the offending pair (lower-cased).
        first: String,
        /// The other key of the offending pair (lower-cased).
        second: String,
    },

    /// A JSON number whose PHP string form cannot be derived exactly (an integer
    /// above `i64::MAX`, or a float exactly halfway at PHP's 14th significant digit).
    #[error("the number in field `{key}` has no exactly known PHP string form")]
    #[non_exhaustive]
    UnsupportedNumber {
        /// The top-level field holding the number.
        key: String,
    },

    /// A signature was well formed but does not match the payload.
    #[error("signature does not match")]
    SignatureMismatch,

    /// A key could not be loaded.
    #[error("invalid key: {reason}")]
    #[non_exhaustive]
    InvalidKey {
        /// Why the key was rejected.
        reason: KeyProblem,
    },

    /// The PEM private key is password-protected (`ENCRYPTED PRIVATE KEY`, or
    /// PKCS#1 with `Proc-Type: 4,ENCRYPTED`); decrypt it before loading.
    #[error("the private key is encrypted; export it unencrypted (PKCS#1 or PKCS#8)")]
    EncryptedKey,

    /// A JSON Web Token was rejected.
    #[error("JWT rejected: {problem}")]
    #[non_exhaustive]
    Jwt {
        /// Why the token was rejected.
        problem: JwtProblem,
    },

    /// An Easypay body's `timestamp` is too far from the given "now".
    #[error("timestamp {timestamp} is more than {window_secs}s away from now ({now})")]
    #[non_exhaustive]
    TimestampOutOfWindow {
        /// The body's timestamp, in unix seconds.
        timestamp: i64,
        /// The "now" it was compared with, in unix seconds.
        now: i64,
        /// The allowed distance, in seconds.
        window_secs: u64,
    },

    /// A body could not be serialised to JSON.
    #[error("could not serialise the body to JSON")]
    #[non_exhaustive]
    Serialize {
        /// The serialiser's error (opaque).
        #[source]
        source: Source,
    },

    /// The cryptographic backend failed on valid input (should not happen).
    #[error("the cryptographic backend failed")]
    Crypto,
}

impl Error {
    /// Whether this error means "the signature or token is not authentic" (as opposed
    /// to a malformed payload or a configuration problem). Webhook handlers usually
    /// answer these with 401/403 and log nothing else.
    #[must_use]
    pub fn is_authentication_failure(&self) -> bool {
        matches!(
            self,
            Self::SignatureMismatch | Self::Jwt { .. } | Self::TimestampOutOfWindow { .. }
        )
    }

    pub(crate) fn malformed(what: &'static str) -> Self {
        Self::MalformedInput { what }
    }

    pub(crate) fn invalid_key(reason: KeyProblem) -> Self {
        Self::InvalidKey { reason }
    }

    pub(crate) fn jwt(problem: JwtProblem) -> Self {
        Self::Jwt { problem }
    }
}

/// Why a key was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProblem {
    /// The text is not PEM (no `-----BEGIN ...-----` block, bad base64, mismatched labels).
    NotPem,
    /// The PEM holds no block of a supported kind (for example a certificate only).
    UnsupportedPemLabel,
    /// The DER inside the PEM is not a valid key of the expected kind.
    InvalidEncoding,
    /// The key is not an RSA key.
    NotRsa,
    /// The RSA key is shorter than 2048 bits.
    TooSmall,
    /// The RSA key is longer than 8192 bits.
    TooLarge,
    /// A JWT secret is empty.
    Empty,
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotPem => "not a PEM document",
            Self::UnsupportedPemLabel => {
                "no supported PEM block (expected an RSA private or public key)"
            }
            Self::InvalidEncoding => "the key's DER encoding is invalid",
            Self::NotRsa => "not an RSA key",
            Self::TooSmall => "RSA key shorter than 2048 bits",
            Self::TooLarge => "RSA key longer than 8192 bits",
            Self::Empty => "the secret is empty",
        })
    }
}

/// Why a JSON Web Token was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtProblem {
    /// Not three base64url segments holding JSON, or a claim of the wrong type.
    Malformed,
    /// The header names an algorithm other than the one expected.
    WrongAlgorithm,
    /// The signature does not verify with the given secret.
    InvalidSignature,
    /// A claim the check needs (`exp`) is absent.
    MissingClaim,
    /// `exp` (plus leeway) is not after "now".
    Expired,
    /// `nbf` (minus leeway) is after "now".
    NotYetValid,
}

impl fmt::Display for JwtProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed token",
            Self::WrongAlgorithm => "unexpected algorithm",
            Self::InvalidSignature => "invalid signature",
            Self::MissingClaim => "a required claim is missing",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not yet valid",
        })
    }
}

/// The opaque underlying cause of an [`Error`], reachable only through
/// [`std::error::Error::source`]. Its type is deliberately hidden so that upgrading
/// a dependency never changes this crate's API.
pub struct Source(Box<dyn std::error::Error + Send + Sync + 'static>);

impl Source {
    pub(crate) fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(error))
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Source {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert!(size_of::<Error>() <= 56, "{}", size_of::<Error>());
    }

    #[test]
    fn display_does_not_repeat_the_source() {
        let inner = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let inner_text = inner.to_string();
        let err = Error::Serialize {
            source: Source::new(inner),
        };
        assert!(!err.to_string().contains(&inner_text));
        let source = std::error::Error::source(&err).expect("source is kept");
        assert_eq!(source.to_string(), inner_text);
    }

    #[test]
    fn source_passes_on_its_cause_chain() {
        #[derive(Debug)]
        struct Outer(fmt::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let source = Source::new(Outer(fmt::Error));
        assert_eq!(source.to_string(), "outer");
        assert_eq!(format!("{source:?}"), "Outer(Error)");
        let cause = std::error::Error::source(&source).expect("the chain goes on");
        assert_eq!(cause.to_string(), fmt::Error.to_string());
    }

    #[test]
    fn authentication_failures_are_classified() {
        assert!(Error::SignatureMismatch.is_authentication_failure());
        assert!(Error::jwt(JwtProblem::Expired).is_authentication_failure());
        assert!(!Error::malformed("x").is_authentication_failure());
        assert!(!Error::EncryptedKey.is_authentication_failure());
    }
}
