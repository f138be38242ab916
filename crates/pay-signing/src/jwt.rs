//! JSON Web Tokens: read Easytransac V2 bearer-token expiry, and issue/verify HS256 tokens for test servers.
//!
//! Easytransac V2 hands out a bearer JWT from `POST /v2/auth` together with
//! `expiresIn` (seconds). The client cannot verify that token (it does not know the
//! provider's key) but can read its `exp`/`iat` claims to refresh it early:
//! [`read_claims_unverified`] plus [`needs_refresh`]. When the token has no readable
//! `exp`, use the time the token was obtained plus `expiresIn` as the expiry.
//!
//! [`issue_hs256`] and [`verify_hs256`] are for a fake server (and any HS256 use):
//! verification checks the signature, the algorithm, and `exp`/`nbf` against a "now"
//! the caller passes in; this module never reads the clock.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::Serialize;

use crate::error::{Error, JwtProblem, KeyProblem};

/// The registered claims this crate reads, as unix seconds.
///
/// `Debug` shows them: they are not secret (anyone holding the token can read them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    subject: Option<String>,
    issued_at: Option<u64>,
    expires_at: Option<u64>,
    not_before: Option<u64>,
}

impl TokenClaims {
    /// Claims for a new token: subject, issue time and expiry.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedInput`] if a time is before 1970 or `expires_at` is before
    /// `issued_at`.
    pub fn new(
        subject: impl Into<String>,
        issued_at: SystemTime,
        expires_at: SystemTime,
    ) -> Result<Self, Error> {
        let iat = unix_seconds(issued_at)?;
        let exp = unix_seconds(expires_at)?;
        if exp < iat {
            return Err(Error::malformed("token expiry is before its issue time"));
        }
        Ok(Self {
            subject: Some(subject.into()),
            issued_at: Some(iat),
            expires_at: Some(exp),
            not_before: None,
        })
    }

    /// The `sub` claim.
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The `iat` claim.
    #[must_use]
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.issued_at.map(from_unix)
    }

    /// The `exp` claim.
    #[must_use]
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at.map(from_unix)
    }

    /// The `nbf` claim.
    #[must_use]
    pub fn not_before(&self) -> Option<SystemTime> {
        self.not_before.map(from_unix)
    }

    fn from_json(claims: &serde_json::Value) -> Result<Self, Error> {
        let object = claims
            .as_object()
            .ok_or_else(|| Error::jwt(JwtProblem::Malformed))?;
        let subject = match object.get("sub") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(Error::jwt(JwtProblem::Malformed)),
        };
        Ok(Self {
            subject,
            issued_at: numeric_date(object.get("iat"))?,
            expires_at: numeric_date(object.get("exp"))?,
            not_before: numeric_date(object.get("nbf"))?,
        })
    }
}

/// An HS256 shared secret. `Debug` is redacted; the bytes are zeroised on drop.
pub struct JwtSecret(SecretBox<[u8]>);

impl JwtSecret {
    /// Wraps secret bytes.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKey`] if the secret is empty.
    pub fn new(secret: SecretBox<[u8]>) -> Result<Self, Error> {
        if secret.expose_secret().is_empty() {
            return Err(Error::invalid_key(KeyProblem::Empty));
        }
        Ok(Self(secret))
    }

    /// Uses the UTF-8 bytes of a secret string.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKey`] if the secret is empty.
    pub fn from_secret_string(secret: &SecretString) -> Result<Self, Error> {
        Self::new(SecretBox::from(Box::<[u8]>::from(
            secret.expose_secret().as_bytes(),
        )))
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(<redacted>)")
    }
}

/// Reads a token's claims **without verifying it** (no signature, no time checks).
///
/// Use only to schedule a refresh of a token the provider gave you over TLS.
///
/// # Errors
///
/// [`Error::Jwt`] with [`JwtProblem::Malformed`] if it is not a JWT whose payload is a
/// JSON object with numeric `exp`/`iat`/`nbf` (when present) that a `SystemTime` can hold.
pub fn read_claims_unverified(token: &SecretString) -> Result<TokenClaims, Error> {
    let claims: serde_json::Value =
        jsonwebtoken::dangerous::insecure_decode_claims(token.expose_secret().as_bytes())
            .map_err(|_| Error::jwt(JwtProblem::Malformed))?;
    TokenClaims::from_json(&claims)
}

/// Whether a token expiring at `expires_at` should be replaced now: true once `now` is
/// within `skew` of the expiry (or past it).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use pay_signing::jwt::needs_refresh;
///
/// let obtained = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let expires = obtained + Duration::from_secs(300); // expiresIn = 300
/// let skew = Duration::from_secs(30);
/// assert!(!needs_refresh(expires, obtained + Duration::from_secs(269), skew));
/// assert!(needs_refresh(expires, obtained + Duration::from_secs(270), skew));
/// ```
#[must_use]
pub fn needs_refresh(expires_at: SystemTime, now: SystemTime, skew: Duration) -> bool {
    match now.checked_add(skew) {
        Some(deadline) => deadline >= expires_at,
        None => true,
    }
}

/// Issues an HS256 token carrying `sub`, `iat` and `exp`.
///
/// # Errors
///
/// [`Error::Crypto`] if signing fails (not expected).
pub fn issue_hs256(secret: &JwtSecret, claims: &TokenClaims) -> Result<SecretString, Error> {
    #[derive(Serialize)]
    struct Wire<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        sub: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        iat: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        exp: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        nbf: Option<u64>,
    }
    let wire = Wire {
        sub: claims.subject(),
        iat: claims.issued_at,
        exp: claims.expires_at,
        nbf: claims.not_before,
    };
    let key = EncodingKey::from_secret(secret.0.expose_secret());
    let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &key)
        .map_err(|_| Error::Crypto)?;
    Ok(SecretString::from(token))
}

/// Verifies an HS256 token: the header must say `HS256`, the signature must match,
/// `exp` must be present and `now < exp + leeway`, and if `nbf` is present
/// `now + leeway >= nbf`. Pass `Duration::ZERO` for no leeway.
///
/// Audience and issuer are not checked (the tokens this crate deals with have none).
///
/// # Errors
///
/// [`Error::Jwt`] with the [`JwtProblem`]; [`Error::MalformedInput`] if `now` is
/// before 1970.
pub fn verify_hs256(
    token: &SecretString,
    secret: &JwtSecret,
    now: SystemTime,
    leeway: Duration,
) -> Result<TokenClaims, Error> {
    let mut validation = Validation::new(Algorithm::HS256);
    // Time checks happen below against the caller's `now`; jsonwebtoken would read the clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let key = DecodingKey::from_secret(secret.0.expose_secret());
    let data = jsonwebtoken::decode::<serde_json::Value>(token.expose_secret(), &key, &validation)
        .map_err(|e| {
            Error::jwt(match e.kind() {
                ErrorKind::InvalidSignature => JwtProblem::InvalidSignature,
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    JwtProblem::WrongAlgorithm
                }
                _ => JwtProblem::Malformed,
            })
        })?;
    let claims = TokenClaims::from_json(&data.claims)?;
    let now = unix_seconds(now)?;
    let leeway = leeway.as_secs();
    let exp = claims
        .expires_at
        .ok_or_else(|| Error::jwt(JwtProblem::MissingClaim))?;
    if now >= exp.saturating_add(leeway) {
        return Err(Error::jwt(JwtProblem::Expired));
    }
    if let Some(nbf) = claims.not_before
        && now.saturating_add(leeway) < nbf
    {
        return Err(Error::jwt(JwtProblem::NotYetValid));
    }
    Ok(claims)
}

fn unix_seconds(t: SystemTime) -> Result<u64, Error> {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::malformed("time is before 1970"))
}

fn from_unix(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// A JWT NumericDate: non-negative seconds, possibly fractional (truncated here), and
/// within what a `SystemTime` can hold (so [`from_unix`] cannot overflow).
fn numeric_date(value: Option<&serde_json::Value>) -> Result<Option<u64>, Error> {
    let malformed = || Error::jwt(JwtProblem::Malformed);
    let secs = match value {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::Number(n)) => match n.as_u64() {
            Some(secs) => secs,
            // A fraction or exponent: read the decimal text, no floating point.
            None => {
                let (decimal, _) =
                    crate::php::Decimal::parse(&n.to_string()).ok_or_else(malformed)?;
                decimal.whole_part_u64().ok_or_else(malformed)?
            }
        },
        Some(_) => return Err(malformed()),
    };
    match UNIX_EPOCH.checked_add(Duration::from_secs(secs)) {
        Some(_) => Ok(Some(secs)),
        None => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn secret() -> JwtSecret {
        JwtSecret::from_secret_string(&SecretString::from("fake-server-secret")).unwrap()
    }

    #[test]
    fn issue_then_verify_round_trips() {
        let claims = TokenClaims::new("merchant-1", at(1_000), at(1_300)).unwrap();
        let token = issue_hs256(&secret(), &claims).unwrap();
        let verified = verify_hs256(&token, &secret(), at(1_299), Duration::ZERO).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.subject(), Some("merchant-1"));
        assert_eq!(read_claims_unverified(&token).unwrap(), claims);
    }

    #[test]
    fn expiry_is_checked_against_the_given_now() {
        let claims = TokenClaims::new("m", at(1_000), at(1_300)).unwrap();
        let token = issue_hs256(&secret(), &claims).unwrap();
        let expired = verify_hs256(&token, &secret(), at(1_300), Duration::ZERO).unwrap_err();
        assert!(matches!(
            expired,
            Error::Jwt {
                problem: JwtProblem::Expired
            }
        ));
        assert!(verify_hs256(&token, &secret(), at(1_304), Duration::from_secs(5)).is_ok());
        assert!(verify_hs256(&token, &secret(), at(1_305), Duration::from_secs(5)).is_err());
    }

    #[test]
    fn wrong_secret_and_tampering_are_rejected() {
        let claims = TokenClaims::new("m", at(1_000), at(1_300)).unwrap();
        let token = issue_hs256(&secret(), &claims).unwrap();
        let other = JwtSecret::from_secret_string(&SecretString::from("another")).unwrap();
        let err = verify_hs256(&token, &other, at(1_100), Duration::ZERO).unwrap_err();
        assert!(matches!(
            err,
            Error::Jwt {
                problem: JwtProblem::InvalidSignature
            }
        ));

        // Swap in a payload with a later expiry, keeping the old signature.
        let forged_claims = TokenClaims::new("m", at(1_000), at(9_999)).unwrap();
        let forged = issue_hs256(&other, &forged_claims).unwrap();
        let original: Vec<&str> = token.expose_secret().split('.').collect();
        let forged_parts: Vec<&str> = forged.expose_secret().split('.').collect();
        let spliced = SecretString::from(format!(
            "{}.{}.{}",
            original[0], forged_parts[1], original[2]
        ));
        let err = verify_hs256(&spliced, &secret(), at(1_100), Duration::ZERO).unwrap_err();
        assert!(matches!(
            err,
            Error::Jwt {
                problem: JwtProblem::InvalidSignature
            }
        ));
    }

    #[test]
    fn other_algorithms_and_garbage_are_rejected() {
        // {"alg":"none","typ":"JWT"} . {"exp":9999999999} . (empty)
        let none =
            SecretString::from("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJleHAiOjk5OTk5OTk5OTl9.");
        assert!(matches!(
            verify_hs256(&none, &secret(), at(0), Duration::ZERO),
            Err(Error::Jwt { .. })
        ));
        let garbage = SecretString::from("not a token");
        assert!(matches!(
            verify_hs256(&garbage, &secret(), at(0), Duration::ZERO),
            Err(Error::Jwt {
                problem: JwtProblem::Malformed
            })
        ));
        assert!(matches!(
            read_claims_unverified(&garbage),
            Err(Error::Jwt {
                problem: JwtProblem::Malformed
            })
        ));
    }

    #[test]
    fn missing_exp_and_future_nbf() {
        #[derive(Serialize)]
        struct Custom {
            sub: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            exp: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            nbf: Option<u64>,
        }
        let sign = |c: &Custom| {
            let key = EncodingKey::from_secret(b"fake-server-secret");
            SecretString::from(
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), c, &key).unwrap(),
            )
        };
        let no_exp = sign(&Custom {
            sub: "m",
            exp: None,
            nbf: None,
        });
        let err = verify_hs256(&no_exp, &secret(), at(10), Duration::ZERO).unwrap_err();
        assert!(matches!(
            err,
            Error::Jwt {
                problem: JwtProblem::MissingClaim
            }
        ));
        let future = sign(&Custom {
            sub: "m",
            exp: Some(1_000),
            nbf: Some(500),
        });
        let err = verify_hs256(&future, &secret(), at(499), Duration::ZERO).unwrap_err();
        assert!(matches!(
            err,
            Error::Jwt {
                problem: JwtProblem::NotYetValid
            }
        ));
        assert!(verify_hs256(&future, &secret(), at(500), Duration::ZERO).is_ok());
    }

    #[test]
    fn unverified_claims_accept_fractional_dates() {
        // {"alg":"HS256"} . {"exp":1700000300.75,"iat":1.7e9} . sig
        let token = SecretString::from(
            "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAzMDAuNzUsImlhdCI6MS43ZTl9.c2ln",
        );
        let claims = read_claims_unverified(&token).unwrap();
        assert_eq!(claims.expires_at(), Some(at(1_700_000_300)));
        assert_eq!(claims.issued_at(), Some(at(1_700_000_000)));
        assert_eq!(claims.subject(), None);
        let negative = SecretString::from("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOi0xfQ.c2ln"); // {"exp":-1}
        assert!(read_claims_unverified(&negative).is_err());
    }

    #[test]
    fn dates_beyond_what_a_system_time_holds_are_malformed_not_a_panic() {
        // Found by the decoder fuzzing (pay-proofs `tests/decoders`): reading such an
        // `exp` overflowed `UNIX_EPOCH + Duration` in `expires_at()`.
        // {"exp":18446744073709551615}, {"nbf":18446744073709551615,"exp":1} and
        // {"exp":9223372036854775808.5}.
        for payload in [
            "eyJleHAiOjE4NDQ2NzQ0MDczNzA5NTUxNjE1fQ",
            "eyJuYmYiOjE4NDQ2NzQ0MDczNzA5NTUxNjE1LCJleHAiOjF9",
            "eyJleHAiOjkyMjMzNzIwMzY4NTQ3NzU4MDguNX0",
        ] {
            let token = SecretString::from(format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln"));
            assert!(
                matches!(
                    read_claims_unverified(&token),
                    Err(Error::Jwt {
                        problem: JwtProblem::Malformed
                    })
                ),
                "{payload}"
            );
        }
    }

    #[test]
    fn refresh_window() {
        let exp = at(1_300);
        assert!(!needs_refresh(exp, at(1_269), Duration::from_secs(30)));
        assert!(needs_refresh(exp, at(1_270), Duration::from_secs(30)));
        assert!(needs_refresh(exp, at(2_000), Duration::ZERO));
        assert!(!needs_refresh(exp, at(1_299), Duration::ZERO));
    }

    #[test]
    fn secrets_are_validated_and_redacted() {
        assert!(matches!(
            JwtSecret::from_secret_string(&SecretString::from("")),
            Err(Error::InvalidKey {
                reason: KeyProblem::Empty
            })
        ));
        assert_eq!(format!("{:?}", secret()), "JwtSecret(<redacted>)");
        assert!(!format!("{:?}", secret()).contains("fake-server-secret"));
    }

    #[test]
    fn claims_before_1970_are_refused() {
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert!(matches!(
            TokenClaims::new("m", before, at(1)),
            Err(Error::MalformedInput { .. })
        ));
        assert!(matches!(
            TokenClaims::new("m", at(5), at(1)),
            Err(Error::MalformedInput { .. })
        ));
    }
}
