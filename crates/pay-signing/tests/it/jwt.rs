//! The JWT flow a client and a fake server go through, with time always passed in.

use std::time::{Duration, UNIX_EPOCH};

use pay_signing::jwt::{self, JwtSecret, TokenClaims};
use pay_signing::{Error, JwtProblem};
use secrecy::SecretString;

#[test]
fn fake_server_issues_and_client_refreshes_before_expiry() {
    let issued = UNIX_EPOCH + Duration::from_secs(1_735_689_599);
    let expires_in = Duration::from_secs(300);
    let secret = JwtSecret::from_secret_string(&SecretString::from("testkit-secret")).unwrap();
    let token = jwt::issue_hs256(
        &secret,
        &TokenClaims::new("et_test_merchant", issued, issued + expires_in).unwrap(),
    )
    .unwrap();

    // Client side: no key, only the claims.
    let claims = jwt::read_claims_unverified(&token).unwrap();
    let expiry = claims.expires_at().unwrap();
    assert_eq!(claims.issued_at(), Some(issued));
    let skew = Duration::from_secs(30);
    assert!(!jwt::needs_refresh(
        expiry,
        issued + Duration::from_secs(269),
        skew
    ));
    assert!(jwt::needs_refresh(
        expiry,
        issued + Duration::from_secs(271),
        skew
    ));

    // Server side: checks signature and expiry against its own "now".
    jwt::verify_hs256(
        &token,
        &secret,
        issued + Duration::from_secs(299),
        Duration::ZERO,
    )
    .unwrap();
    let err = jwt::verify_hs256(&token, &secret, issued + expires_in, Duration::ZERO).unwrap_err();
    assert!(matches!(
        err,
        Error::Jwt {
            problem: JwtProblem::Expired,
            ..
        }
    ));
    assert!(err.is_authentication_failure());
}
