//! Every public type's `Debug` (and every error's `Display`) leaves keys, tokens and signed values out.

use std::time::{Duration, UNIX_EPOCH};

use pay_signing::easypay::{self, RsaSigningKey, RsaVerifyingKey};
use pay_signing::easytransac::{self, FieldValue, Params, Scalar};
use pay_signing::jwt::{self, JwtSecret, TokenClaims};
use pay_signing::{Error, JwtProblem, KeyProblem};
use secrecy::SecretString;
use serde_json::json;

use crate::support::fixture;

const API_KEY: &str = "sk-live-very-secret-api-key";
const CARD: &str = "4970101234567890";
const IBAN: &str = "PT50000201231234567890154";
const JWT_SECRET: &str = "jwt-shared-secret-value";

fn assert_hidden(shown: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret:?} leaked in {shown}");
    }
}

#[test]
fn easytransac_types_hide_key_and_values() {
    let api_key = SecretString::from(API_KEY);
    let params = Params::new()
        .with("CardNumber", CARD)
        .with_nested("Client", [("Iban", IBAN)]);
    let signature = easytransac::sign(&params, &api_key).unwrap();
    let canonical = easytransac::canonical_string(&params, &api_key).unwrap();
    let mismatch = easytransac::verify(&params, &api_key, "0000").unwrap_err();
    let shown = format!(
        "{params:?} {:?} {:?} {:?} {signature:?} {canonical:?} {api_key:?} {mismatch:?} {mismatch}",
        Scalar::from(CARD),
        FieldValue::from(CARD),
        params.get("Client"),
    );
    assert_hidden(&shown, &[API_KEY, CARD, IBAN]);
    assert!(
        shown.contains("CardNumber"),
        "keys stay visible for debugging: {shown}"
    );
}

#[test]
fn easypay_types_hide_key_material_and_body() {
    let pem = fixture("easypay/keys/test-rsa-2048-pkcs1.pem");
    let key = RsaSigningKey::from_pem(&SecretString::from(pem.clone())).unwrap();
    let public =
        RsaVerifyingKey::from_pem(&fixture("easypay/keys/test-rsa-2048-public-spki.pem")).unwrap();
    let signed = easypay::sign_out_payment(
        &json!({"out_account": {"iban": IBAN}}),
        &key,
        UNIX_EPOCH + Duration::from_secs(5),
    )
    .unwrap();
    let shown = format!("{key:?} {public:?} {signed:?}");
    // No line of the PEM body (each is 64 base64 characters of key material) appears.
    let pem_lines: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_hidden(&shown, &pem_lines);
    assert_hidden(&shown, &[IBAN, "PRIVATE"]);
    assert!(shown.contains("2048"));

    let encrypted = RsaSigningKey::from_pem(&SecretString::from(fixture(
        "easypay/keys/test-rsa-2048-encrypted-pkcs1.pem",
    )))
    .unwrap_err();
    let garbage =
        RsaSigningKey::from_pem(&SecretString::from(format!("{}\ntrailing", &pem[..200])))
            .unwrap_err();
    let shown = format!("{encrypted:?} {encrypted} {garbage:?} {garbage}");
    assert_hidden(&shown, &pem_lines);
}

#[test]
fn jwt_types_hide_secret_and_token() {
    let secret = JwtSecret::from_secret_string(&SecretString::from(JWT_SECRET)).unwrap();
    let claims =
        TokenClaims::new("merchant", UNIX_EPOCH, UNIX_EPOCH + Duration::from_secs(60)).unwrap();
    let token = jwt::issue_hs256(&secret, &claims).unwrap();
    let token_text = secrecy::ExposeSecret::expose_secret(&token).to_owned();
    let expired = jwt::verify_hs256(
        &token,
        &secret,
        UNIX_EPOCH + Duration::from_secs(61),
        Duration::ZERO,
    )
    .unwrap_err();
    let shown = format!("{secret:?} {claims:?} {token:?} {expired:?} {expired}");
    let signature_part = token_text.rsplit('.').next().unwrap();
    assert_hidden(&shown, &[JWT_SECRET, &token_text, signature_part]);
}

#[test]
fn errors_name_fields_but_never_values() {
    let deep = Params::from_json_str(&format!(r#"{{"Client":{{"Card":{{"Number":"{CARD}"}}}}}}"#))
        .unwrap_err();
    let number = Params::from_json_str(r#"{"Amount":123456789012345.0}"#).unwrap_err();
    let missing = easytransac::verify_notification(
        &Params::new().with("Tid", CARD),
        &SecretString::from(API_KEY),
    )
    .unwrap_err();
    let shown = format!("{deep} {deep:?} {number} {number:?} {missing} {missing:?}");
    assert_hidden(&shown, &[CARD, API_KEY, "123456789012345"]);
    assert!(matches!(deep, Error::TooDeeplyNested { ref key, .. } if key == "Client"));
    assert!(shown.contains("Amount"));
    assert_eq!(
        KeyProblem::TooSmall.to_string(),
        "RSA key shorter than 2048 bits"
    );
    assert_eq!(JwtProblem::Expired.to_string(), "token expired");
}
