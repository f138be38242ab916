//! Easypay out-payment RSA signatures against the reference vector and OpenSSL-computed vectors.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pay_signing::easypay::{self, RsaSigningKey, RsaVerifyingKey, TIMESTAMP_WINDOW};
use pay_signing::{Error, KeyProblem};
use secrecy::SecretString;
use serde_json::json;

use crate::support::{fixture, fixture_json, str_of};

pub(crate) fn signing_key(relative: &str) -> RsaSigningKey {
    RsaSigningKey::from_pem(&SecretString::from(fixture(relative)))
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn reference_vector_matches_exactly() {
    let v = fixture_json("easypay/signature-vector.json");
    let key = RsaSigningKey::from_pem(&SecretString::from(str_of(&v, "private_key_pem"))).unwrap();
    assert_eq!(key.modulus_bits(), 2048);
    let body = str_of(&v, "body").as_bytes();
    let signature = key.sign(body).unwrap();
    assert_eq!(signature, str_of(&v, "signature_base64"));
    let public = key.verifying_key().unwrap();
    public.verify(body, &signature).unwrap();
    // The body carries a timestamp 1696642539 that is valid only around that time.
    easypay::check_timestamp(body, at(1_696_642_539 + 60), TIMESTAMP_WINDOW).unwrap();
    assert!(easypay::check_timestamp(body, at(1_696_642_539 + 61), TIMESTAMP_WINDOW).is_err());
}

#[test]
fn openssl_vectors_match_for_2048_3072_and_4096_bits() {
    let doc = fixture_json("easypay/signature-vectors-openssl.json");
    let vectors = doc["vectors"].as_array().unwrap();
    let mut sizes: Vec<u64> = vectors
        .iter()
        .map(|v| v["bits"].as_u64().unwrap())
        .collect();
    sizes.dedup();
    assert_eq!(sizes, [2048, 3072, 4096]);
    for v in vectors {
        let name = str_of(v, "name");
        let key = signing_key(&format!("easypay/{}", str_of(v, "private_key")));
        assert_eq!(
            key.modulus_bits() as u64,
            v["bits"].as_u64().unwrap(),
            "{name}"
        );
        let body = str_of(v, "body").as_bytes();
        let signature = key.sign(body).unwrap();
        assert_eq!(signature, str_of(v, "signature_base64"), "{name}");

        let public =
            RsaVerifyingKey::from_pem(&fixture(&format!("easypay/{}", str_of(v, "public_key"))))
                .unwrap();
        assert_eq!(public.modulus_bits(), key.modulus_bits());
        public
            .verify(body, &signature)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut altered = body.to_vec();
        altered.push(b' ');
        assert!(
            matches!(
                public.verify(&altered, &signature),
                Err(Error::SignatureMismatch)
            ),
            "{name}"
        );
    }
}

#[test]
fn pkcs1_and_pkcs8_forms_are_the_same_key() {
    let pkcs1 = signing_key("easypay/keys/test-rsa-2048-pkcs1.pem");
    let pkcs8 = signing_key("easypay/keys/test-rsa-2048-pkcs8.pem");
    assert_eq!(pkcs1.sign(b"same").unwrap(), pkcs8.sign(b"same").unwrap());
    let spki =
        RsaVerifyingKey::from_pem(&fixture("easypay/keys/test-rsa-2048-public-spki.pem")).unwrap();
    let rsa_public =
        RsaVerifyingKey::from_pem(&fixture("easypay/keys/test-rsa-2048-public-pkcs1.pem")).unwrap();
    let signature = pkcs1.sign(b"same").unwrap();
    spki.verify(b"same", &signature).unwrap();
    rsa_public.verify(b"same", &signature).unwrap();
}

#[test]
fn encrypted_wrong_and_garbage_keys_are_typed_errors() {
    let load = |relative: &str| RsaSigningKey::from_pem(&SecretString::from(fixture(relative)));
    assert!(matches!(
        load("easypay/keys/test-rsa-2048-encrypted-pkcs8.pem"),
        Err(Error::EncryptedKey)
    ));
    assert!(matches!(
        load("easypay/keys/test-rsa-2048-encrypted-pkcs1.pem"),
        Err(Error::EncryptedKey)
    ));
    let small = load("easypay/keys/test-rsa-1024-too-small.pem").unwrap_err();
    assert!(
        matches!(
            small,
            Error::InvalidKey {
                reason: KeyProblem::TooSmall | KeyProblem::InvalidEncoding,
                ..
            }
        ),
        "{small:?}"
    );
    let ec = load("easypay/keys/test-ec-p256-not-rsa.pem").unwrap_err();
    assert!(
        matches!(
            ec,
            Error::InvalidKey {
                reason: KeyProblem::NotRsa | KeyProblem::InvalidEncoding,
                ..
            }
        ),
        "{ec:?}"
    );
    // A public key where a private key is expected.
    let public = load("easypay/keys/test-rsa-2048-public-spki.pem").unwrap_err();
    assert!(matches!(
        public,
        Error::InvalidKey {
            reason: KeyProblem::UnsupportedPemLabel,
            ..
        }
    ));
    // A private key where a public key is expected.
    let err =
        RsaVerifyingKey::from_pem(&fixture("easypay/keys/test-rsa-2048-pkcs8.pem")).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidKey {
            reason: KeyProblem::UnsupportedPemLabel,
            ..
        }
    ));
    // A truncated key.
    let pem = fixture("easypay/keys/test-rsa-2048-pkcs1.pem");
    let lines: Vec<&str> = pem.lines().collect();
    let truncated = format!(
        "{}\n{}\n",
        lines[..lines.len() / 2].join("\n"),
        lines[lines.len() - 1]
    );
    assert!(matches!(
        RsaSigningKey::from_pem(&SecretString::from(truncated)),
        Err(Error::InvalidKey { .. })
    ));
}

#[test]
fn what_is_signed_is_what_is_sent() {
    let key = signing_key("easypay/keys/test-rsa-2048-pkcs8.pem");
    let public = key.verifying_key().unwrap();
    let now = at(1_700_000_000);
    let body = json!({
        "key": "payout-1",
        "method": "transfer",
        "type": "normal",
        "value": 17.5,
        "descriptive": "Payout 1",
        "out_account": {"account_holder": "Jane Doe", "iban": "PT50000201231234567890154", "email": "jane@example.com", "phone": "+351911234567"},
        "timestamp": "1"
    });
    let signed = easypay::sign_out_payment(&body, &key, now).unwrap();
    let sent: serde_json::Value = serde_json::from_slice(signed.body()).unwrap();
    assert_eq!(
        sent["timestamp"],
        json!("1700000000"),
        "the stamp replaces any timestamp given"
    );
    assert_eq!(sent["value"], json!(17.5));
    public.verify(signed.body(), signed.signature()).unwrap();
    assert_eq!(signed.signature(), key.sign(signed.body()).unwrap());
    easypay::verify_out_payment(
        &public,
        signed.body(),
        signed.signature(),
        now + Duration::from_secs(59),
        TIMESTAMP_WINDOW,
    )
    .unwrap();
    let stale = easypay::verify_out_payment(
        &public,
        signed.body(),
        signed.signature(),
        now + Duration::from_secs(61),
        TIMESTAMP_WINDOW,
    );
    assert!(matches!(
        stale,
        Err(Error::TimestampOutOfWindow {
            timestamp: 1_700_000_000,
            now: 1_700_000_061,
            window_secs: 60,
            ..
        })
    ));
    let (bytes, header) = signed.into_parts();
    // Any other serialisation of the same JSON (here: one extra space) is not what was signed.
    let mut respaced = bytes.clone();
    respaced.insert(1, b' ');
    assert!(matches!(
        public.verify(&respaced, &header),
        Err(Error::SignatureMismatch)
    ));
    let mut one_off = bytes;
    one_off[2] ^= 1;
    assert!(matches!(
        public.verify(&one_off, &header),
        Err(Error::SignatureMismatch)
    ));
}

#[test]
fn stamping_rejects_non_objects_and_bad_headers() {
    let key = signing_key("easypay/keys/test-rsa-2048-pkcs8.pem");
    assert!(matches!(
        easypay::sign_out_payment(&json!([1, 2]), &key, at(1)),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        easypay::sign_out_payment(&json!({}), &key, UNIX_EPOCH - Duration::from_secs(1)),
        Err(Error::MalformedInput { .. })
    ));
    let public = key.verifying_key().unwrap();
    assert!(matches!(
        public.verify(b"{}", "not base64!"),
        Err(Error::MalformedInput { .. })
    ));
    let other = signing_key("easypay/keys/test-rsa-3072-pkcs8.pem");
    let signature = other.sign(b"{}").unwrap();
    assert!(matches!(
        public.verify(b"{}", &signature),
        Err(Error::SignatureMismatch)
    ));
}
