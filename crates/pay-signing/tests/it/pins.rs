//! Behaviour of the Easypay keys, JWT handling and errors that mutation testing found
//! unpinned (docs/mutation-testing.md), asserted through the public API.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pay_signing::easypay::{RsaSigningKey, RsaVerifyingKey};
use pay_signing::{Error, KeyProblem};
use secrecy::SecretString;

use crate::support::fixture;

fn private_pem(relative: &str) -> String {
    fixture(relative)
}

fn load(pem: &str) -> Result<RsaSigningKey, Error> {
    RsaSigningKey::from_pem(&SecretString::from(pem.to_owned()))
}

/// DER `INTEGER`s and `SEQUENCE`s, enough to write RSA keys of any size.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    match len {
        0..=0x7f => out.push(u8::try_from(len).unwrap()),
        0x80..=0xff => out.extend([0x81, u8::try_from(len).unwrap()]),
        _ => out.extend([
            0x82,
            u8::try_from(len >> 8).unwrap(),
            u8::try_from(len & 0xff).unwrap(),
        ]),
    }
    out.extend(content);
    out
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let text = STANDARD.encode(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A PKCS#1 `RSA PRIVATE KEY` whose modulus has `bits` bits and whose other numbers are
/// small: not a usable key, but enough for the size check.
fn private_pem_of_bits(bits: usize) -> String {
    let mut modulus = vec![0x00, 0xc5];
    modulus.extend(std::iter::repeat_n(0x3b, bits / 8 - 2));
    modulus.push(0x01);
    let mut body = der(0x02, &[0x00]);
    body.extend(der(0x02, &modulus));
    body.extend(der(0x02, &[0x01, 0x00, 0x01]));
    for _ in 0..6 {
        body.extend(der(0x02, &[0x03]));
    }
    pem_block("RSA PRIVATE KEY", &der(0x30, &body))
}

/// A PKCS#1 `RSA PUBLIC KEY` PEM with a modulus of exactly `bits` bits (an odd number with
/// its top bit set: a public key needs no primes to be parsed) and exponent 65537.
fn public_pem_of_bits(bits: usize) -> String {
    fn der_len(len: usize) -> Vec<u8> {
        match len {
            0..=0x7f => vec![u8::try_from(len).unwrap()],
            0x80..=0xff => vec![0x81, u8::try_from(len).unwrap()],
            _ => vec![
                0x82,
                u8::try_from(len >> 8).unwrap(),
                u8::try_from(len & 0xff).unwrap(),
            ],
        }
    }
    let bytes = bits / 8;
    let mut modulus = vec![0x00, 0xc5];
    modulus.extend(std::iter::repeat_n(0x3b, bytes - 2));
    modulus.push(0x01);
    let mut body = vec![0x02];
    body.extend(der_len(modulus.len()));
    body.extend(modulus);
    body.extend([0x02, 0x03, 0x01, 0x00, 0x01]);
    let mut der = vec![0x30];
    der.extend(der_len(body.len()));
    der.extend(body);
    let text = STANDARD.encode(&der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

#[test]
fn keys_debug_as_their_size_only() {
    let key = load(&private_pem("easypay/keys/test-rsa-2048-pkcs8.pem")).unwrap();
    assert_eq!(format!("{key:?}"), "RsaSigningKey { bits: 2048, .. }");
    let public = key.verifying_key().unwrap();
    assert_eq!(format!("{public:?}"), "RsaVerifyingKey { bits: 2048, .. }");
    let public =
        RsaVerifyingKey::from_pem(&fixture("easypay/keys/test-rsa-3072-public-spki.pem")).unwrap();
    assert_eq!(format!("{public:?}"), "RsaVerifyingKey { bits: 3072, .. }");
}

#[test]
fn encryption_markers_are_refused_before_parsing() {
    // Not even valid PEM inside: the markers alone say "encrypted".
    for pem in [
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\n!!!\n-----END ENCRYPTED PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n!!!\n-----END RSA PRIVATE KEY-----\n",
    ] {
        assert!(matches!(load(pem), Err(Error::EncryptedKey)), "{pem}");
    }
    // The word alone, outside any header, is not a marker.
    let pem = private_pem("easypay/keys/test-rsa-2048-pkcs8.pem");
    let key = load(&format!("ENCRYPTED? no.\n{pem}")).unwrap();
    assert_eq!(key.modulus_bits(), 2048);
    let key = load(&format!("Proc-Type: none here\n{pem}")).unwrap();
    assert_eq!(key.modulus_bits(), 2048);
    assert!(matches!(
        load("no pem at all"),
        Err(Error::InvalidKey {
            reason: KeyProblem::NotPem,
            ..
        })
    ));
}

#[test]
fn the_first_private_key_block_is_the_key() {
    let first = private_pem("easypay/keys/test-rsa-3072-pkcs8.pem");
    let second = private_pem("easypay/keys/test-rsa-2048-pkcs1.pem");
    let public = fixture("easypay/keys/test-rsa-2048-public-spki.pem");
    let key = load(&format!("{public}{first}{second}")).unwrap();
    assert_eq!(key.modulus_bits(), 3072);
    let key = load(&format!("{second}{first}")).unwrap();
    assert_eq!(key.modulus_bits(), 2048);
}

#[test]
fn public_keys_from_2048_to_8192_bits() {
    for bits in [2048, 4096, 8192] {
        let key = RsaVerifyingKey::from_pem(&public_pem_of_bits(bits))
            .unwrap_or_else(|e| panic!("{bits}: {e}"));
        assert_eq!(key.modulus_bits(), bits);
    }
    for (bits, reason) in [(2040, KeyProblem::TooSmall), (8200, KeyProblem::TooLarge)] {
        let err = RsaVerifyingKey::from_pem(&public_pem_of_bits(bits)).unwrap_err();
        assert!(
            matches!(err, Error::InvalidKey { reason: r, .. } if r == reason || r == KeyProblem::InvalidEncoding),
            "{bits}: {err:?}"
        );
    }
}

#[test]
fn signed_bodies_debug_as_length_and_signature() {
    let key = load(&private_pem("easypay/keys/test-rsa-2048-pkcs8.pem")).unwrap();
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    let body = serde_json::json!({"iban": "PT50000201231234567890154"});
    let signed = pay_signing::easypay::sign_out_payment(&body, &key, now).unwrap();
    let expected = format!(
        "SignedBody {{ body_len: {}, signature: {:?} }}",
        signed.body().len(),
        signed.signature()
    );
    assert_eq!(format!("{signed:?}"), expected);
    assert!(!expected.contains("PT50"));
}

#[test]
fn rejected_keys_say_why() {
    let reason = |relative: &str| match load(&private_pem(relative)) {
        Err(Error::InvalidKey { reason, .. }) => reason,
        other => panic!("{relative}: {other:?}"),
    };
    assert_eq!(
        reason("easypay/keys/test-rsa-1024-too-small.pem"),
        KeyProblem::TooSmall
    );
    assert_eq!(
        reason("easypay/keys/test-ec-p256-not-rsa.pem"),
        KeyProblem::NotRsa
    );
    let public = |bits| match RsaVerifyingKey::from_pem(&public_pem_of_bits(bits)) {
        Err(Error::InvalidKey { reason, .. }) => reason,
        other => panic!("{bits}: {other:?}"),
    };
    assert_eq!(public(1024), KeyProblem::TooSmall);
    assert_eq!(
        reason("easypay/keys/test-rsa-8704-too-large.pem"),
        KeyProblem::TooLarge
    );
    // A key whose numbers do not fit together, whatever its size.
    let err = load(&private_pem_of_bits(16384)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidKey {
                reason: KeyProblem::InvalidEncoding,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(public(16384), KeyProblem::TooLarge);
}

#[test]
fn claims_read_without_verifying_include_not_before() {
    use std::time::{Duration, UNIX_EPOCH};
    let b64 = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let token = format!(
        "{}.{}.sig",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(r#"{"sub":"m","iat":10,"exp":20,"nbf":15}"#)
    );
    let claims = pay_signing::jwt::read_claims_unverified(&SecretString::from(token)).unwrap();
    assert_eq!(claims.subject(), Some("m"));
    assert_eq!(
        claims.issued_at(),
        Some(UNIX_EPOCH + Duration::from_secs(10))
    );
    assert_eq!(
        claims.expires_at(),
        Some(UNIX_EPOCH + Duration::from_secs(20))
    );
    assert_eq!(
        claims.not_before(),
        Some(UNIX_EPOCH + Duration::from_secs(15))
    );
}

#[test]
fn serialisation_errors_keep_their_cause() {
    struct Refuses;
    impl serde::Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("refused by the caller"))
        }
    }
    let key = load(&private_pem("easypay/keys/test-rsa-2048-pkcs8.pem")).unwrap();
    let err =
        pay_signing::easypay::sign_out_payment(&Refuses, &key, std::time::UNIX_EPOCH).unwrap_err();
    assert!(matches!(err, Error::Serialize { .. }));
    let source = std::error::Error::source(&err).expect("the cause is kept");
    assert_eq!(source.to_string(), "refused by the caller");
    assert!(std::error::Error::source(source).is_none());
    let debug = format!("{err:?}");
    assert!(debug.contains("refused by the caller"), "{debug}");
}

#[test]
fn tokens_of_another_algorithm_are_named_as_such() {
    use std::time::{Duration, UNIX_EPOCH};
    let b64 = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let token = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"HS384","typ":"JWT"}"#),
        b64(r#"{"sub":"m","exp":2000000000}"#)
    );
    let secret = pay_signing::jwt::JwtSecret::from_secret_string(&SecretString::from("s")).unwrap();
    let err = pay_signing::jwt::verify_hs256(
        &SecretString::from(token),
        &secret,
        UNIX_EPOCH + Duration::from_secs(1_000),
        Duration::ZERO,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Jwt {
                problem: pay_signing::JwtProblem::WrongAlgorithm,
                ..
            }
        ),
        "{err:?}"
    );
}
